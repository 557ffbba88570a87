//! The runtime's request pipeline, observed from the wire: Key Vault's challenge
//! authentication, token caching and refresh, retries (429/5xx, Retry-After,
//! exhaustion, transport failures), time limits, paging through next links, and the
//! headers every attempt carries.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::TryStreamExt as _;
use keyvault_keys::models::KeyItem;
use keyvault_keys::{ClientOptions, Error, ErrorKind, KeyClient, RetryOptions, StaticToken};
use keyvault_tests::{
    CountingCredential, NoAuthorization, RawQuery, TOKEN, VAULT_CHALLENGE, VAULT_SCOPE, authed_client_with,
    describe_request, example, fast_retries, header, is_uuid, rsa_create_parameters,
};
use serde_json::{Value, json};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn key_bundle() -> Value {
    example("CreateKey-example.json")["responses"]["200"]["body"].clone()
}

fn ok_key() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(key_bundle())
}

fn challenge(www_authenticate: &str) -> ResponseTemplate {
    ResponseTemplate::new(401).insert_header("www-authenticate", www_authenticate)
}

fn service_error(status: u16, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"error": {"code": code, "message": format!("{code} from the stub")}}))
        .insert_header("x-ms-request-id", format!("request-{code}"))
}

/// A client with its own credential and no known scope (it must learn it from the
/// vault's challenge), allowed to use http.
fn client_with_credential(
    server: &MockServer,
    credential: Arc<CountingCredential>,
    options: ClientOptions,
) -> KeyClient {
    KeyClient::with_options(&server.uri(), credential, options.allow_http(true)).expect("client")
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("recording is on")
}

fn auth(request: &Request) -> Option<&str> {
    header(request, "authorization")
}

// --- challenge authentication ------------------------------------------------------

/// First request without token and without body; 401 with the vault's challenge;
/// the same request again with a token for `https://vault.azure.net/.default` and its
/// body. The learned scope is kept: the next call authenticates at once.
#[tokio::test]
async fn challenge_flow_probes_then_sends_token_and_body() {
    let server = MockServer::start().await;
    Mock::given(NoAuthorization).respond_with(challenge(VAULT_CHALLENGE)).mount(&server).await;
    Mock::given(method("POST"))
        .and(path("/keys/kvgen-rsa-01/create"))
        .and(wiremock::matchers::header("authorization", "Bearer token-1"))
        .respond_with(ok_key())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/keys/kvgen-rsa-01/"))
        .and(wiremock::matchers::header("authorization", "Bearer token-1"))
        .respond_with(ok_key())
        .expect(1)
        .mount(&server)
        .await;
    let credential = CountingCredential::new(Duration::from_secs(3600));
    // 127.0.0.1 is not under vault.azure.net: this test vault vouches for the resource.
    let client =
        client_with_credential(&server, credential.clone(), ClientOptions::default().verify_challenge_resource(false));

    let body = rsa_create_parameters();
    client.create_key("kvgen-rsa-01", &body).await.expect("create after the challenge");
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    let (probe, real) = (&sent[0], &sent[1]);
    assert_eq!(auth(probe), None, "the probe carries no token");
    assert!(probe.body.is_empty(), "the probe carries no body");
    assert_eq!(header(probe, "content-type"), None);
    assert_eq!(auth(real), Some("Bearer token-1"));
    assert_eq!(serde_json::from_slice::<Value>(&real.body).unwrap(), serde_json::to_value(&body).unwrap());
    assert_eq!(probe.url, real.url, "same URL, api-version included");
    assert_eq!(header(probe, "x-ms-client-request-id"), header(real, "x-ms-client-request-id"), "one call, one id");
    assert_eq!(credential.scopes(), [[VAULT_SCOPE]]);

    client.get_key("kvgen-rsa-01", "").await.expect("second call");
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 3, "no second probe");
    assert_eq!(auth(&sent[2]), Some("Bearer token-1"), "cached token");
    assert_eq!(credential.calls(), 1);

    let text = sent.iter().map(|r| describe_request(r, &server)).collect::<Vec<_>>().join("\n");
    insta::assert_snapshot!("challenge_flow", text);
}

/// With the default verification, a challenge naming a resource outside the vault's
/// domain is refused: no token is requested, none is sent, the body never leaves.
#[tokio::test]
async fn challenge_for_a_foreign_resource_is_refused() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(challenge(VAULT_CHALLENGE)).mount(&server).await;
    let credential = CountingCredential::new(Duration::from_secs(3600));
    let client = client_with_credential(&server, credential.clone(), ClientOptions::default());

    let err = client.create_key("kvgen-rsa-01", &rsa_create_parameters()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Challenge);
    assert!(err.to_string().contains("does not match the vault host '127.0.0.1'"), "{err}");
    assert_eq!(credential.calls(), 0);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(auth(&sent[0]), None);
    assert!(sent[0].body.is_empty());
}

/// A resource on the vault's own host passes the verification.
#[tokio::test]
async fn challenge_for_the_vault_host_is_answered() {
    let server = MockServer::start().await;
    let resource = format!("http://127.0.0.1:{}", server.address().port());
    Mock::given(NoAuthorization)
        .respond_with(challenge(&format!(r#"Bearer authorization="https://login.example/t", resource="{resource}""#)))
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::header("authorization", "Bearer token-1"))
        .respond_with(ok_key())
        .mount(&server)
        .await;
    let credential = CountingCredential::new(Duration::from_secs(3600));
    let client = client_with_credential(&server, credential.clone(), ClientOptions::default());
    client.get_key("k", "").await.expect("answered challenge");
    assert_eq!(credential.scopes(), [[format!("{resource}/.default")]]);
}

/// A token the service rejects (401 + challenge) is forgotten and a new one is
/// fetched for the retry; the call succeeds.
#[tokio::test]
async fn rejected_token_is_refreshed_once() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::header("authorization", "Bearer token-1"))
        .respond_with(challenge(VAULT_CHALLENGE))
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::header("authorization", "Bearer token-2"))
        .respond_with(ok_key())
        .mount(&server)
        .await;
    let credential = CountingCredential::new(Duration::from_secs(3600));
    let options = ClientOptions::default().scope(VAULT_SCOPE).verify_challenge_resource(false);
    let client = client_with_credential(&server, credential.clone(), options);
    client.create_key("k", &rsa_create_parameters()).await.expect("second token accepted");
    assert_eq!(credential.calls(), 2);
    let sent = requests(&server).await;
    assert_eq!(sent.iter().map(auth).collect::<Vec<_>>(), [Some("Bearer token-1"), Some("Bearer token-2")]);
    assert!(!sent[1].body.is_empty(), "the retry carries the body");
}

/// A server that answers the unauthenticated probe with a success (a stub, or a proxy in
/// front of the vault) must not make that answer the operation's result: the probe carried
/// neither the body nor a token. The restore is sent again, with its blob and a token for
/// Key Vault's default scope, and the result is the answer to that request.
#[tokio::test]
async fn unchallenged_probe_is_never_the_result_of_a_restore() {
    let server = MockServer::start().await;
    let restored = key_bundle();
    Mock::given(NoAuthorization)
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"key": {"kid": "https://stub/keys/not-the-answer"}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/keys/restore"))
        .and(wiremock::matchers::header("authorization", "Bearer token-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(restored.clone()))
        .expect(2)
        .mount(&server)
        .await;
    let credential = CountingCredential::new(Duration::from_secs(3600));
    let client = client_with_credential(&server, credential.clone(), ClientOptions::default());
    let blob = keyvault_tests::seeded_bytes(7, 4096);
    let parameters = keyvault_keys::models::KeyRestoreParameters { value: blob.clone().into() };
    let result = client.restore_key(&parameters).await.expect("restore").into_inner();
    assert_eq!(serde_json::to_value(&result).unwrap()["key"]["kid"], restored["key"]["kid"]);

    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2, "the probe, then the restore itself");
    assert!(auth(&sent[0]).is_none() && sent[0].body.is_empty(), "the probe carries neither token nor body");
    let body: Value = serde_json::from_slice(&sent[1].body).expect("the restore carries its JSON body");
    let expected = keyvault_keys::Base64Url::from(blob).to_string();
    assert_eq!(body["value"].as_str(), Some(expected.as_str()), "the blob is sent byte-exact");
    assert_eq!(credential.scopes(), vec![vec![VAULT_SCOPE.to_owned()]]);

    // The scope is kept: the next call authenticates at once, without a probe.
    client.restore_key(&parameters).await.expect("second restore");
    assert_eq!(requests(&server).await.len(), 3);
}

// --- token cache --------------------------------------------------------------------

/// A long-lived token is fetched once; a token about to expire is fetched again.
#[tokio::test]
async fn tokens_are_cached_until_they_near_expiry() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ok_key()).mount(&server).await;

    let long_lived = CountingCredential::new(Duration::from_secs(3600));
    let client = client_with_credential(&server, long_lived.clone(), ClientOptions::default().scope(VAULT_SCOPE));
    for _ in 0..3 {
        client.get_key("k", "").await.unwrap();
    }
    assert_eq!(long_lived.calls(), 1);

    // 800 ms tokens: within the (default 5 min) refresh margin from the start, so
    // reused for half their remaining life, then refreshed.
    let short_lived = CountingCredential::new(Duration::from_millis(800));
    let client = client_with_credential(&server, short_lived.clone(), ClientOptions::default().scope(VAULT_SCOPE));
    client.get_key("k", "").await.unwrap();
    client.get_key("k", "").await.unwrap();
    tokio::time::sleep(Duration::from_millis(450)).await;
    client.get_key("k", "").await.unwrap();
    assert_eq!(short_lived.calls(), 2, "refreshed once it neared expiry");
    assert_eq!(short_lived.scopes(), [[VAULT_SCOPE], [VAULT_SCOPE]]);
    let sent = requests(&server).await;
    let last: Vec<_> = sent[3..].iter().map(auth).collect();
    assert_eq!(last, [Some("Bearer token-1"), Some("Bearer token-1"), Some("Bearer token-2")]);
}

// --- retries ------------------------------------------------------------------------

/// 429 with `Retry-After: 1` waits about a second (not the 5 ms backoff), then succeeds.
#[tokio::test]
async fn throttled_429_honours_retry_after() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(service_error(429, "Throttled").insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any()).respond_with(ok_key()).mount(&server).await;
    let client = authed_client_with(&server, ClientOptions::default().retry(fast_retries(3)));
    let started = Instant::now();
    client.get_key("k", "").await.expect("success after the wait");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(950), "waited {waited:?}");
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");
    assert_eq!(requests(&server).await.len(), 2);
}

/// `retry-after-ms` takes precedence over `Retry-After`.
#[tokio::test]
async fn throttled_429_honours_retry_after_ms() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            service_error(429, "Throttled").insert_header("retry-after-ms", "200").insert_header("retry-after", "30"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any()).respond_with(ok_key()).mount(&server).await;
    let client = authed_client_with(&server, ClientOptions::default().retry(fast_retries(3)));
    let started = Instant::now();
    client.get_key("k", "").await.expect("success after the wait");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(190) && waited < Duration::from_secs(3), "waited {waited:?}");
}

/// 429 without Retry-After falls back to the (here tiny) exponential backoff.
#[tokio::test]
async fn throttled_429_without_retry_after_backs_off() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(service_error(429, "Throttled")).up_to_n_times(2).mount(&server).await;
    Mock::given(any()).respond_with(ok_key()).mount(&server).await;
    let client = authed_client_with(&server, ClientOptions::default().retry(fast_retries(3)));
    let started = Instant::now();
    client.get_key("k", "").await.expect("success on the third attempt");
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(requests(&server).await.len(), 3);
}

/// A Retry-After beyond the retry time budget is not slept on: the 429 comes back.
#[tokio::test]
async fn retry_after_beyond_the_budget_returns_the_429() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(service_error(429, "Throttled").insert_header("retry-after", "3600"))
        .mount(&server)
        .await;
    let client = authed_client_with(&server, ClientOptions::default().retry(fast_retries(3)));
    let started = Instant::now();
    let err = client.get_key("k", "").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(err.code(), Some("Throttled"));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(requests(&server).await.len(), 1);
}

/// 503 then success: the retry replays the same body, token and client request id.
#[tokio::test]
async fn unavailable_503_then_success() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(service_error(503, "ServiceUnavailable")).up_to_n_times(1).mount(&server).await;
    Mock::given(any()).respond_with(ok_key()).mount(&server).await;
    let client = authed_client_with(&server, ClientOptions::default().retry(fast_retries(3)));
    let body = rsa_create_parameters();
    let key = client.create_key("kvgen-rsa-01", &body).await.expect("success after one retry");
    assert_eq!(key.status().as_u16(), 200);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].body, sent[1].body);
    assert_eq!(serde_json::from_slice::<Value>(&sent[1].body).unwrap(), serde_json::to_value(&body).unwrap());
    assert_eq!(auth(&sent[1]), Some(format!("Bearer {TOKEN}").as_str()));
}

/// When every attempt fails, the error is the last response's (status and code).
#[tokio::test]
async fn exhausted_retries_return_the_last_response() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(service_error(503, "ServiceUnavailable")).up_to_n_times(1).mount(&server).await;
    Mock::given(any()).respond_with(service_error(502, "BadGateway")).up_to_n_times(1).mount(&server).await;
    Mock::given(any()).respond_with(service_error(500, "InternalError")).mount(&server).await;
    let client = authed_client_with(&server, ClientOptions::default().retry(fast_retries(2)));
    let err = client.backup_key("k").await.unwrap_err();
    assert_eq!(requests(&server).await.len(), 3, "one attempt and two retries");
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(err.code(), Some("InternalError"));
    assert_eq!(err.request_id(), Some("request-InternalError"));
}

/// Non-transient statuses are not retried.
#[tokio::test]
async fn client_errors_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(service_error(400, "BadParameter")).mount(&server).await;
    let client = authed_client_with(&server, ClientOptions::default().retry(fast_retries(3)));
    let err = client.backup_key("k").await.unwrap_err();
    assert_eq!(err.code(), Some("BadParameter"));
    assert_eq!(requests(&server).await.len(), 1);
}

/// Connection refused is retried, then reported as a transport error.
#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let options = ClientOptions::default().allow_http(true).scope(VAULT_SCOPE).retry(fast_retries(2));
    let client = KeyClient::with_options(&url, Arc::new(StaticToken::new(TOKEN)), options).unwrap();
    let err = client.get_key("k", "").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.to_string().contains("after 3 attempt(s)"), "{err}");
}

// --- time limits --------------------------------------------------------------------

/// An attempt that outlives the per-attempt timeout is abandoned and retried.
#[tokio::test]
async fn slow_attempt_times_out_and_is_retried() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ok_key().set_delay(Duration::from_secs(3))).up_to_n_times(1).mount(&server).await;
    Mock::given(any()).respond_with(ok_key()).mount(&server).await;
    let options = ClientOptions::default().retry(fast_retries(2)).attempt_timeout(Some(Duration::from_millis(200)));
    let client = authed_client_with(&server, options);
    let started = Instant::now();
    client.get_key("k", "").await.expect("the second attempt is fast");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(requests(&server).await.len(), 2);
}

/// Every attempt too slow: a `Timeout` error after all attempts.
#[tokio::test]
async fn every_attempt_timing_out_is_a_timeout_error() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ok_key().set_delay(Duration::from_secs(3))).mount(&server).await;
    let options = ClientOptions::default().retry(fast_retries(1)).attempt_timeout(Some(Duration::from_millis(150)));
    let client = authed_client_with(&server, options);
    let started = Instant::now();
    let err = client.get_key("k", "").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.to_string().contains("after 2 attempt(s)"), "{err}");
    assert_eq!(requests(&server).await.len(), 2);
}

/// The overall timeout bounds the whole call.
#[tokio::test]
async fn overall_timeout_bounds_the_call() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ok_key().set_delay(Duration::from_secs(5))).mount(&server).await;
    let options = ClientOptions::default()
        .retry(fast_retries(3))
        .attempt_timeout(None)
        .overall_timeout(Some(Duration::from_millis(300)));
    let client = authed_client_with(&server, options);
    let started = Instant::now();
    let err = client.get_key("k", "").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.to_string().contains("overall timeout"), "{err}");
}

// --- headers ------------------------------------------------------------------------

/// One `x-ms-client-request-id` per call, the same on every attempt; a new one per call.
#[tokio::test]
async fn client_request_id_is_stable_across_retries() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(service_error(503, "ServiceUnavailable")).up_to_n_times(2).mount(&server).await;
    Mock::given(any()).respond_with(ok_key()).mount(&server).await;
    let client = authed_client_with(&server, ClientOptions::default().retry(fast_retries(3)));
    client.get_key("k", "").await.unwrap();
    client.get_key("k", "").await.unwrap();
    let sent = requests(&server).await;
    let ids: Vec<&str> = sent.iter().map(|r| header(r, "x-ms-client-request-id").expect("id")).collect();
    assert_eq!(ids.len(), 4);
    assert!(ids.iter().all(|id| is_uuid(id)), "{ids:?}");
    assert_eq!(ids[0], ids[1]);
    assert_eq!(ids[1], ids[2]);
    assert_ne!(ids[2], ids[3], "a new call has a new id");
    assert!(sent.iter().all(|r| header(r, "x-ms-return-client-request-id") == Some("true")));
}

/// `User-Agent` names the generated crate and its version, after the application id.
#[tokio::test]
async fn user_agent_names_crate_and_version() {
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../generated/keyvault-keys/Cargo.toml")).unwrap();
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \"").and_then(|v| v.strip_suffix('"')))
        .expect("package version");
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ok_key()).mount(&server).await;
    authed_client_with(&server, ClientOptions::default()).get_key("k", "").await.unwrap();
    authed_client_with(&server, ClientOptions::default().application_id("kv-backup/0.1"))
        .get_key("k", "")
        .await
        .unwrap();
    let sent = requests(&server).await;
    assert_eq!(header(&sent[0], "user-agent"), Some(format!("keyvault-keys/{version}").as_str()));
    assert_eq!(header(&sent[1], "user-agent"), Some(format!("kv-backup/0.1 keyvault-keys/{version}").as_str()));
}

// --- paging -------------------------------------------------------------------------

const SKIPTOKEN_1: &str = "eyJOZXh0TWFya2VyIjoiMiExNiFNREF3TURFM0lXdGxlUzlyZG1kbGJpMWxZeTB3TWlFeCJ9%2B%3D%3D";
const SKIPTOKEN_2: &str = "eyJOZXh0TWFya2VyIjoiMiExNiFNREF3TURFM0lXdGxlUzlyZG1kbGJpMWxZeTB3TkNFeCJ9.~_-!";

fn item(name: &str) -> Value {
    json!({
        "kid": format!("https://kvgen-demo.vault.azure.net/keys/{name}"),
        "attributes": { "enabled": true, "created": 1718090400, "updated": 1718090400 }
    })
}

/// Mounts three pages of `GET /keys?maxresults=2`: two items, a short page of one,
/// then two more and a null `nextLink`. Links are absolute, with their own
/// api-version and `$skiptoken`, and are only answered when requested verbatim.
async fn three_pages(server: &MockServer, middle: &[&str]) -> [String; 2] {
    let links = [SKIPTOKEN_1, SKIPTOKEN_2]
        .map(|token| format!("{}/keys?api-version=7.4&$skiptoken={token}&maxresults=2", server.uri()));
    let pages = [
        (
            RawQuery("maxresults=2&api-version=7.4".into()),
            json!({ "value": [item("k1"), item("k2")], "nextLink": links[0] }),
        ),
        (
            RawQuery(links[0].split_once('?').unwrap().1.into()),
            json!({ "value": middle.iter().map(|n| item(n)).collect::<Vec<_>>(), "nextLink": links[1] }),
        ),
        (
            RawQuery(links[1].split_once('?').unwrap().1.into()),
            json!({ "value": [item("k4"), item("k5")], "nextLink": null }),
        ),
    ];
    for (query, body) in pages {
        Mock::given(method("GET"))
            .and(path("/keys"))
            .and(query)
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(server)
            .await;
    }
    links
}

/// Every key of the vault through the generated `get_keys_stream`, as kid strings.
async fn list_keys(server: &MockServer, maxresults: Option<i32>) -> Result<Vec<String>, Error> {
    let options = ClientOptions::default().allow_http(true).scope(VAULT_SCOPE).retry(fast_retries(2));
    let client = KeyClient::with_options(&server.uri(), Arc::new(StaticToken::new(TOKEN)), options).unwrap();
    let items: Vec<KeyItem> = client.get_keys_stream(maxresults).try_collect().await?;
    Ok(items.into_iter().map(|i| i.kid.unwrap_or_default()).collect())
}

fn names(kids: &[String]) -> Vec<&str> {
    kids.iter().map(|k| k.rsplit('/').next().unwrap()).collect()
}

#[tokio::test]
async fn paging_follows_next_links_verbatim() {
    let server = MockServer::start().await;
    let links = three_pages(&server, &["k3"]).await;
    let kids = list_keys(&server, Some(2)).await.expect("all pages");
    assert_eq!(names(&kids), ["k1", "k2", "k3", "k4", "k5"]);

    let sent = requests(&server).await;
    assert_eq!(sent.len(), 3, "stops at the null nextLink");
    assert_eq!(sent[0].url.query(), Some("maxresults=2&api-version=7.4"));
    for (request, link) in sent[1..].iter().zip(&links) {
        // wiremock rebuilds the URL on `localhost`: compare path and query.
        let sent = format!("{}?{}", request.url.path(), request.url.query().unwrap_or_default());
        assert_eq!(
            sent,
            link[server.uri().len()..],
            "requested verbatim ($skiptoken not re-encoded, no second api-version)"
        );
        assert_eq!(auth(request), Some(format!("Bearer {TOKEN}").as_str()));
        assert!(request.headers.get("api-version").is_none());
    }
}

/// An empty page in the middle does not end the listing; only the null link does.
#[tokio::test]
async fn paging_continues_past_an_empty_page() {
    let server = MockServer::start().await;
    three_pages(&server, &[]).await;
    let kids = list_keys(&server, Some(2)).await.expect("all pages");
    assert_eq!(names(&kids), ["k1", "k2", "k4", "k5"]);
}

/// A nextLink to another origin would receive the token: it is refused unrequested.
#[tokio::test]
async fn paging_refuses_a_foreign_next_link() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/keys"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [item("k1")],
            "nextLink": "http://127.0.0.1:1/keys?api-version=7.4&$skiptoken=abc"
        })))
        .mount(&server)
        .await;
    let err = list_keys(&server, None).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert!(err.to_string().contains("refusing to follow a nextLink"), "{err}");
    assert_eq!(requests(&server).await.len(), 1);
}

/// A page whose nextLink is the URL just read would loop forever: its items are
/// yielded, then an error ends the listing.
#[tokio::test]
async fn paging_stops_on_a_self_referencing_next_link() {
    let server = MockServer::start().await;
    let link = format!("{}/keys?api-version=7.4&$skiptoken=same", server.uri());
    Mock::given(method("GET"))
        .and(path("/keys"))
        .and(RawQuery("api-version=7.4".into()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "value": [item("k1")], "nextLink": link })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/keys"))
        .and(RawQuery("api-version=7.4&$skiptoken=same".into()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "value": [item("k2")], "nextLink": link })))
        .expect(1)
        .mount(&server)
        .await;
    let err = list_keys(&server, None).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert!(err.to_string().contains("identical to the page just read"), "{err}");
    assert_eq!(requests(&server).await.len(), 2);
}

/// The facade should have `get_keys_pages`/`get_keys_stream` (and the same for
/// `get_key_versions` and `get_deleted_keys`): the crate docs promise them for every
/// `x-ms-pageable` operation. Checked on the generated source because a call to a
/// missing method would not compile; once they exist, call
/// `client.get_keys_stream(Some(2))` in `paging_follows_next_links_verbatim` instead of
/// `list_keys`.
#[test]
fn get_keys_stream_is_generated() {
    let source =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../generated/keyvault-keys/src/client.rs"))
            .unwrap();
    let missing: Vec<String> = ["get_keys", "get_key_versions", "get_deleted_keys"]
        .iter()
        .flat_map(|op| [format!("fn {op}_pages"), format!("fn {op}_stream")])
        .filter(|method| !source.contains(method.as_str()))
        .collect();
    assert!(missing.is_empty(), "KeyClient lacks {missing:?}");
}

/// Retry policy sanity: `RetryOptions::none()` makes exactly one attempt.
#[tokio::test]
async fn retry_none_makes_one_attempt() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(service_error(503, "ServiceUnavailable")).mount(&server).await;
    let client = authed_client_with(&server, ClientOptions::default().retry(RetryOptions::none()));
    let err = client.get_key("k", "").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(requests(&server).await.len(), 1);
}
