//! One credential, several clients: clients of different kinds (keys, secrets,
//! certificates) built from the same `Arc` credential share one token cache, so the
//! credential is asked once per scope for the whole application; clients with different
//! credentials share nothing.
//!
//! Each client learns the scope from the vault's own challenge (none is configured), so
//! every client sends its probe; only the token request is shared.

use std::sync::Arc;
use std::time::Duration;

use keyvault_certificates::CertificateClient;
use keyvault_keys::{ClientOptions, KeyClient};
use keyvault_secrets::SecretClient;
use keyvault_tests::{CountingCredential, NoAuthorization, VAULT_CHALLENGE, VAULT_SCOPE, example, header};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A vault that challenges every request without a token and answers `GET /keys/k/`,
/// `GET /secrets/s/` and `GET /certificates/c/` with the examples' bodies when one comes.
async fn vault() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(NoAuthorization)
        .respond_with(ResponseTemplate::new(401).insert_header("www-authenticate", VAULT_CHALLENGE))
        .mount(&server)
        .await;
    for (url_path, file) in [
        ("/keys/k/", "GetKey-example.json"),
        ("/secrets/s/", "GetSecret-example.json"),
        ("/certificates/c/", "GetCertificate-example.json"),
    ] {
        let body = example(file)["responses"]["200"]["body"].clone();
        Mock::given(method("GET"))
            .and(path(url_path))
            .and(wiremock::matchers::header_exists("authorization"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }
    server
}

/// Options for a loopback vault that must learn its scope from the challenge (127.0.0.1 is
/// not under vault.azure.net: this test vault vouches for the challenge's resource).
fn options() -> ClientOptions {
    ClientOptions::default().allow_http(true).verify_challenge_resource(false)
}

fn keys(server: &MockServer, credential: Arc<CountingCredential>) -> KeyClient {
    KeyClient::with_options(&server.uri(), credential, options()).expect("keys client")
}

fn secrets(server: &MockServer, credential: Arc<CountingCredential>) -> SecretClient {
    SecretClient::with_options(&server.uri(), credential, options()).expect("secrets client")
}

fn certificates(server: &MockServer, credential: Arc<CountingCredential>) -> CertificateClient {
    CertificateClient::with_options(&server.uri(), credential, options()).expect("certificates client")
}

/// `(path, authorization)` of every request the vault received, in order.
fn sent(requests: &[Request]) -> Vec<(String, Option<String>)> {
    requests.iter().map(|r| (r.url.path().to_owned(), header(r, "authorization").map(str::to_owned))).collect()
}

fn token(t: &str) -> Option<String> {
    Some(format!("Bearer {t}"))
}

#[tokio::test]
async fn keys_and_secrets_clients_share_one_token() {
    let server = vault().await;
    let credential = CountingCredential::new(Duration::from_secs(3600));
    let key_client = keys(&server, credential.clone());
    let secret_client = secrets(&server, credential.clone());

    key_client.get_key("k", "").await.expect("get_key after the challenge");
    secret_client.get_secret("s", "").await.expect("get_secret after the challenge");

    assert_eq!(credential.calls(), 1, "one token request for the scope, not one per client");
    assert_eq!(credential.scopes(), [[VAULT_SCOPE]]);
    assert_eq!(
        sent(&server.received_requests().await.unwrap()),
        [
            ("/keys/k/".to_owned(), None),
            ("/keys/k/".to_owned(), token("token-1")),
            ("/secrets/s/".to_owned(), None),
            ("/secrets/s/".to_owned(), token("token-1")),
        ],
        "each client probes the vault itself, and the secrets client sends the keys client's token"
    );

    // A third kind of client, and later calls of the first two, still reuse it.
    certificates(&server, credential.clone()).get_certificate("c", "").await.expect("get_certificate");
    key_client.get_key("k", "").await.expect("second get_key");
    secret_client.get_secret("s", "").await.expect("second get_secret");
    assert_eq!(credential.calls(), 1);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 8, "probe + call for certificates, then no more probes");
    assert_eq!(header(&requests[4], "authorization"), None, "the certificates client's probe");
    assert!(requests[5..].iter().all(|r| header(r, "authorization") == Some("Bearer token-1")));
}

/// Both clients' first calls at once: the one refresh in flight is shared.
#[tokio::test]
async fn concurrent_first_calls_share_one_token_request() {
    let server = vault().await;
    let credential = CountingCredential::new(Duration::from_secs(3600));
    let key_client = keys(&server, credential.clone());
    let secret_client = secrets(&server, credential.clone());

    let (key, secret) = tokio::join!(key_client.get_key("k", ""), secret_client.get_secret("s", ""));
    key.expect("get_key");
    secret.expect("get_secret");
    assert_eq!(credential.calls(), 1, "one token request for both clients");
    let authorized: Vec<_> =
        sent(&server.received_requests().await.unwrap()).into_iter().filter_map(|(_, a)| a).collect();
    assert_eq!(authorized, [token("token-1").unwrap(), token("token-1").unwrap()]);
}

/// Two credentials are two token caches, even for clients of the same vault: each
/// credential is asked once, for its own client.
#[tokio::test]
async fn clients_with_different_credentials_do_not_share() {
    let server = vault().await;
    let for_keys = CountingCredential::new(Duration::from_secs(3600));
    let for_secrets = CountingCredential::new(Duration::from_secs(3600));
    let key_client = keys(&server, for_keys.clone());
    let secret_client = secrets(&server, for_secrets.clone());

    key_client.get_key("k", "").await.expect("get_key");
    secret_client.get_secret("s", "").await.expect("get_secret");
    key_client.get_key("k", "").await.expect("second get_key");
    secret_client.get_secret("s", "").await.expect("second get_secret");

    assert_eq!((for_keys.calls(), for_secrets.calls()), (1, 1), "each credential asked once, by its own client");
    assert_eq!(for_keys.scopes(), [[VAULT_SCOPE]]);
    assert_eq!(for_secrets.scopes(), [[VAULT_SCOPE]]);

    // Two clients of the same kind with different credentials do not share either.
    let other = CountingCredential::new(Duration::from_secs(3600));
    keys(&server, other.clone()).get_key("k", "").await.expect("get_key with another credential");
    assert_eq!((for_keys.calls(), other.calls()), (1, 1));
}
