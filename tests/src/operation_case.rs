//! One operation of any generated client against a wiremock stub that answers with the
//! operation's example response from our spec: the shared half of the per-client
//! `*_operations` tests (keys' own `operations.rs` predates it and keeps its copy).
//!
//! A test starts a [`Case`] for an example file, calls the client's typed method with the
//! example's parameters, and hands the result to [`Case::check`], which asserts the request
//! and the typed result and returns the text to snapshot (insta is a dev-dependency, so the
//! snapshot itself is taken in the test file, next to its `snapshots/`).

use std::fmt::Debug;
use std::sync::Arc;

use keyvault_runtime::{ClientOptions, Error, Response, TokenCredential};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::{TOKEN, VAULT_SCOPE, describe_request, example, header, is_uuid};

/// The `x-ms-request-id` every case's stub answers with.
pub const REQUEST_ID: &str = "6a3f2c1e-7b4d-4e2a-9c1f-0d8e5b7a6c42";

/// A generated client: built the same way whatever area of Key Vault it serves.
pub trait GeneratedClient: Sized {
    /// The client's `with_options` constructor.
    fn build(vault_url: &str, credential: Arc<dyn TokenCredential>, options: ClientOptions) -> Result<Self, Error>;
}

macro_rules! generated_client {
    ($($client:path),*) => {$(
        impl GeneratedClient for $client {
            fn build(
                vault_url: &str,
                credential: Arc<dyn TokenCredential>,
                options: ClientOptions,
            ) -> Result<Self, Error> {
                <$client>::with_options(vault_url, credential, options)
            }
        }
    )*};
}

generated_client!(keyvault_keys::KeyClient, keyvault_secrets::SecretClient, keyvault_certificates::CertificateClient);

/// A client of kind `C` for `server`: plain http allowed, static token [`TOKEN`], and the
/// vault scope known in advance, so every request, the first included, carries the token.
pub fn authed<C: GeneratedClient>(server: &MockServer) -> C {
    authed_with(server, ClientOptions::default())
}

/// Like [`authed`], with explicit options (http and the scope are always set).
pub fn authed_with<C: GeneratedClient>(server: &MockServer, options: ClientOptions) -> C {
    let credential = Arc::new(keyvault_runtime::StaticToken::new(TOKEN));
    C::build(&server.uri(), credential, options.allow_http(true).scope(VAULT_SCOPE))
        .expect("client for a loopback server")
}

/// A secrets client for `server` (see [`authed`]).
pub fn secret_client(server: &MockServer) -> keyvault_secrets::SecretClient {
    authed(server)
}

/// A certificates client for `server` (see [`authed`]).
pub fn certificate_client(server: &MockServer) -> keyvault_certificates::CertificateClient {
    authed(server)
}

/// What every request must satisfy: `api-version` once in the query and never as a
/// header, the bearer token, a UUID client request id, no `//` in the path.
pub fn assert_common_request_rules(request: &Request, api_version: &str) {
    let versions: Vec<String> =
        request.url.query_pairs().filter(|(k, _)| k == "api-version").map(|(_, v)| v.into_owned()).collect();
    assert_eq!(versions, [api_version], "api-version in the query of {}", request.url);
    assert!(request.headers.get("api-version").is_none(), "no api-version header on {}", request.url);
    assert_eq!(header(request, "authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    let id = header(request, "x-ms-client-request-id").expect("x-ms-client-request-id");
    assert!(is_uuid(id), "{id}");
    assert!(!request.url.path().contains("//"), "{}", request.url);
}

/// One operation's stub: the example's first response for `METHOD path?api-version=7.4`,
/// and a client of kind `C` for it.
pub struct Case<C> {
    /// The stub vault.
    pub server: MockServer,
    /// The client under test.
    pub client: C,
    /// The example file, parsed.
    pub example: Value,
}

impl<C: GeneratedClient> Case<C> {
    /// Mounts the first response of example `file` for exactly one `http_method url_path`
    /// request with `api-version=7.4`.
    pub async fn start(file: &str, http_method: &str, url_path: &str) -> Self {
        let example = example(file);
        let responses = example["responses"].as_object().expect("example has responses");
        let (status, response) = responses.iter().next().expect("example has a response");
        let mut template = ResponseTemplate::new(status.parse::<u16>().expect("numeric status"))
            .insert_header("x-ms-request-id", REQUEST_ID);
        if let Some(body) = response.get("body") {
            template = template.set_body_json(body);
        }
        let server = MockServer::start().await;
        Mock::given(method(http_method))
            .and(path(url_path))
            .and(query_param("api-version", "7.4"))
            .respond_with(template)
            .expect(1)
            .mount(&server)
            .await;
        let client = authed(&server);
        Self { server, client, example }
    }

    /// The example's request parameter `name` (a body), as the typed model.
    pub fn param<T: DeserializeOwned>(&self, name: &str) -> T {
        serde_json::from_value(self.example["parameters"][name].clone())
            .unwrap_or_else(|e| panic!("example parameter {name} does not fit the model: {e}"))
    }

    /// The example's request parameter `name` as text (a path segment).
    pub fn text(&self, name: &str) -> String {
        self.example["parameters"][name]
            .as_str()
            .unwrap_or_else(|| panic!("example parameter {name} is text"))
            .to_owned()
    }

    /// Checks the single request the call made and the typed result, and returns both as
    /// text to snapshot. `body_param` names the example parameter the request body must
    /// equal (as JSON); without one, the request must have no body.
    pub async fn check<T: Debug + Serialize>(
        self,
        name: &str,
        result: Result<Response<T>, Error>,
        body_param: Option<&str>,
    ) -> String {
        let response = result.unwrap_or_else(|e| panic!("{name} failed: {e} / {e:?}"));
        let requests = self.server.received_requests().await.expect("recording is on");
        assert_eq!(requests.len(), 1, "{name}: exactly one request");
        let request = &requests[0];
        assert_common_request_rules(request, "7.4");
        match body_param {
            Some(param) => {
                let sent: Value = serde_json::from_slice(&request.body).expect("JSON request body");
                assert_eq!(sent, self.example["parameters"][param], "{name}: body is the example's {param}");
                assert_eq!(header(request, "content-type"), Some("application/json"));
            }
            None => assert!(request.body.is_empty(), "{name}: no body"),
        }

        // The typed result keeps everything the service sent: serializing it again gives
        // back the example's body (for `()`, the absent body of a 204).
        let (status, expected) = self.example["responses"].as_object().unwrap().iter().next().unwrap();
        assert_eq!(response.request_id(), Some(REQUEST_ID));
        assert_eq!(response.status().as_str(), status, "{name}: the example's status");
        let value = response.into_inner();
        let round_trip = serde_json::to_value(&value).unwrap();
        assert_eq!(round_trip, expected.get("body").cloned().unwrap_or(Value::Null), "{name}: lossless model");

        format!("{}\n--- response {status}\n{value:#?}\n", describe_request(request, &self.server))
    }
}

/// Mounts a stub that answers `verb path` once with the service error `body` and status,
/// carrying [`REQUEST_ID`]: the setup of every per-client error test.
pub async fn mount_service_error(server: &MockServer, verb: &str, route: &str, status: u16, body: &Value) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(ResponseTemplate::new(status).set_body_json(body).insert_header("x-ms-request-id", REQUEST_ID))
        .expect(1)
        .mount(server)
        .await;
}

/// `err` is the service's error: kind `Service`, `status`, the service's `code`, the stub's
/// request id, and the body kept exactly as sent.
pub fn assert_service_error(err: &Error, status: u16, code: &str, body: &Value) {
    assert_eq!(err.kind(), keyvault_runtime::ErrorKind::Service);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
    assert_eq!(err.code(), Some(code));
    assert_eq!(err.request_id(), Some(REQUEST_ID));
    assert_eq!(err.body().map(|b| serde_json::from_slice::<Value>(b).expect("a JSON body")).as_ref(), Some(body));
}
