//! Shared helpers for the integration tests of the generated client.

use std::sync::Arc;

use keyvault_keys::{ClientOptions, KeyClient, StaticToken};
use wiremock::MockServer;

/// The token every test client sends.
pub const TOKEN: &str = "test-token";

/// A client for `server`, allowed to use plain http, with a static token.
pub fn client(server: &MockServer) -> KeyClient {
    client_with(server, ClientOptions::default())
}

/// Like [`client`], with explicit options (http is always allowed).
pub fn client_with(server: &MockServer, options: ClientOptions) -> KeyClient {
    KeyClient::with_options(&server.uri(), Arc::new(StaticToken::new(TOKEN)), options.allow_http(true))
        .expect("client for a loopback server")
}

// ---------------------------------------------------------------------------
// Helpers of the operations, errors, encoding and pipeline tests.
// ---------------------------------------------------------------------------

use std::fmt::Write as _;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use keyvault_keys::runtime::{AccessToken, CredentialError};
use keyvault_keys::{Error, RetryOptions, TokenCredential};
use serde_json::Value;
use wiremock::{Match, Request};

/// The token scope of public-cloud vaults, what their challenge asks for.
pub const VAULT_SCOPE: &str = "https://vault.azure.net/.default";

/// A recorded Key Vault challenge (the resource is the public cloud's, so it does not
/// belong to a loopback vault host).
pub const VAULT_CHALLENGE: &str =
    r#"Bearer authorization="https://login.microsoftonline.com/tenant", resource="https://vault.azure.net""#;

/// A client that already knows the token scope, so every request, the first one
/// included, carries `Authorization: Bearer test-token` (no challenge round trip).
pub fn authed_client(server: &MockServer) -> KeyClient {
    authed_client_with(server, ClientOptions::default())
}

/// Like [`authed_client`], with explicit options.
pub fn authed_client_with(server: &MockServer, options: ClientOptions) -> KeyClient {
    client_with(server, options.scope(VAULT_SCOPE))
}

/// Retries that keep the suite fast: `max_retries` retries, 5 ms apart (at most 20 ms).
pub fn fast_retries(max_retries: u32) -> RetryOptions {
    RetryOptions::default()
        .max_retries(max_retries)
        .initial_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(20))
}

/// The spec's examples folder.
pub fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../spec/specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/examples")
}

/// One example file of the spec, parsed.
pub fn example(file: &str) -> Value {
    let path = examples_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

/// The value of a header of a received request, if present and text.
pub fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

/// Whether `text` looks like a version-4 UUID (`8-4-4-4-12` lowercase hex).
pub fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

/// Replaces what varies between runs: the server's address.
pub fn redact(text: &str, server: &MockServer) -> String {
    text.replace(&server.uri(), "http://[server]").replace(&server.address().to_string(), "[server]")
}

/// A stable text form of a received request for snapshots: method, path and query
/// (no host), every header sorted by name with run-dependent values redacted
/// (`host`, the `x-ms-client-request-id` UUID, the user-agent version), and the body
/// as pretty JSON.
pub fn describe_request(request: &Request, server: &MockServer) -> String {
    let mut out = format!("{} {}", request.method, request.url.path());
    if let Some(query) = request.url.query() {
        write!(out, "?{query}").unwrap();
    }
    out.push('\n');
    let mut names: Vec<&str> = request.headers.keys().map(|k| k.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    // `accept-encoding` is added by reqwest when its gzip/deflate features are on, which
    // cargo's feature unification decides (kv-backup's azure_identity enables them in a plain
    // `cargo test --workspace`), not the client: it says nothing about the client's behaviour.
    names.retain(|name| *name != "accept-encoding");
    for name in names {
        for value in request.headers.get_all(name) {
            let value = String::from_utf8_lossy(value.as_bytes());
            let shown = match name {
                "host" => "[server]".to_owned(),
                "x-ms-client-request-id" if is_uuid(&value) => "[uuid]".to_owned(),
                "user-agent" => redact_version(&value),
                _ => value.into_owned(),
            };
            writeln!(out, "{name}: {shown}").unwrap();
        }
    }
    out.push_str(&describe_body(&request.body, server));
    out
}

/// `name/1.2.3` → `name/[version]` for every product token of a user agent.
fn redact_version(user_agent: &str) -> String {
    user_agent
        .split(' ')
        .map(|product| match product.split_once('/') {
            Some((name, _)) => format!("{name}/[version]"),
            None => product.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `body: (empty)`, `body:` + pretty JSON, or `body:` + the text.
pub fn describe_body(body: &[u8], server: &MockServer) -> String {
    if body.is_empty() {
        return "body: (empty)\n".to_owned();
    }
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(json) => serde_json::to_string_pretty(&json).expect("JSON value prints"),
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    format!("body:\n{}\n", redact(&text, server))
}

/// Everything an [`Error`] tells a caller, one accessor a line, for snapshots.
pub fn describe_error(error: &Error, server: &MockServer) -> String {
    let mut out = String::new();
    writeln!(out, "display: {error}").unwrap();
    writeln!(out, "kind: {:?}", error.kind()).unwrap();
    writeln!(out, "status: {:?}", error.status().map(|s| s.as_u16())).unwrap();
    writeln!(out, "code: {:?}", error.code()).unwrap();
    writeln!(out, "message: {:?}", error.message()).unwrap();
    writeln!(out, "inner codes: {:?}", error.inner_codes().collect::<Vec<_>>()).unwrap();
    writeln!(out, "raw body: {:?}", error.raw_body().map(String::from_utf8_lossy)).unwrap();
    writeln!(out, "request id: {:?}", error.request_id()).unwrap();
    writeln!(out, "www-authenticate: {:?}", error.www_authenticate()).unwrap();
    writeln!(out, "retry-after: {:?}", error.retry_after()).unwrap();
    writeln!(out, "debug: {error:?}").unwrap();
    redact(&out, server)
}

/// Matches requests that carry no `Authorization` header (challenge probes).
pub struct NoAuthorization;

impl Match for NoAuthorization {
    fn matches(&self, request: &Request) -> bool {
        !request.headers.contains_key("authorization")
    }
}

/// Matches requests whose raw (still percent-encoded) query is exactly this string.
pub struct RawQuery(pub String);

impl Match for RawQuery {
    fn matches(&self, request: &Request) -> bool {
        request.url.query() == Some(self.0.as_str())
    }
}

/// A credential that counts its calls, records the scopes it is asked for and hands
/// out `token-1`, `token-2`, … each valid for `lifetime`.
#[derive(Debug)]
pub struct CountingCredential {
    lifetime: Duration,
    calls: AtomicUsize,
    scopes: Mutex<Vec<Vec<String>>>,
}

impl CountingCredential {
    /// A credential whose tokens live `lifetime` from the moment they are issued.
    pub fn new(lifetime: Duration) -> Arc<Self> {
        Arc::new(Self { lifetime, calls: AtomicUsize::new(0), scopes: Mutex::new(Vec::new()) })
    }

    /// How many tokens were asked for.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// The scopes of every call, in order.
    pub fn scopes(&self) -> Vec<Vec<String>> {
        self.scopes.lock().unwrap().clone()
    }
}

impl TokenCredential for CountingCredential {
    fn get_token<'a>(
        &'a self,
        scopes: &'a [&'a str],
    ) -> Pin<Box<dyn Future<Output = Result<AccessToken, CredentialError>> + Send + 'a>> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        self.scopes.lock().unwrap().push(scopes.iter().map(|s| (*s).to_owned()).collect());
        let token = AccessToken::new(format!("token-{n}"), SystemTime::now() + self.lifetime);
        Box::pin(std::future::ready(Ok(token)))
    }
}

/// `len` deterministic, random-looking bytes from `seed` (splitmix64).
pub fn seeded_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(len);
    out
}

// ---------------------------------------------------------------------------
// Harnesses derived from data: the spec's examples and recorded service traffic.
// ---------------------------------------------------------------------------

pub mod blob_server;
pub mod clients;
pub mod examples;
pub mod operation_case;
pub mod replay;

/// Parameters for a 2048-bit RSA key, the body the create-key tests send.
pub fn rsa_create_parameters() -> keyvault_keys::models::KeyCreateParameters {
    keyvault_keys::models::KeyCreateParameters {
        attributes: None,
        crv: None,
        key_ops: Vec::new(),
        key_size: Some(2048),
        kty: keyvault_keys::models::JsonWebKeyType::Rsa,
        public_exponent: None,
        release_policy: None,
        tags: Default::default(),
    }
}
