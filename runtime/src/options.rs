//! Client configuration, builder style: `ClientOptions::default().retry(…)`.

use std::time::Duration;

use super::retry::RetryOptions;

/// How a client talks to the vault. Start from `ClientOptions::default()` and
/// chain setters; every setting has a production-ready default.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub(crate) api_version: Option<String>,
    pub(crate) allow_http: bool,
    pub(crate) verify_challenge_resource: bool,
    pub(crate) scope: Option<String>,
    pub(crate) retry: RetryOptions,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) overall_timeout: Option<Duration>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) token_refresh_margin: Duration,
    pub(crate) application_id: Option<String>,
    pub(crate) http_client: Option<reqwest::Client>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            api_version: None,
            allow_http: false,
            verify_challenge_resource: true,
            scope: None,
            retry: RetryOptions::default(),
            attempt_timeout: Some(Duration::from_secs(100)),
            overall_timeout: None,
            connect_timeout: Some(Duration::from_secs(10)),
            token_refresh_margin: Duration::from_secs(300),
            application_id: None,
            http_client: None,
        }
    }
}

impl ClientOptions {
    /// The service API version sent as `api-version`; defaults to the version
    /// of the spec the client was generated from.
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// Permits a plain `http://` vault URL (a local emulator or test server).
    /// Tokens are then sent unencrypted; never enable this for a real vault.
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Whether the resource named in the vault's authentication challenge must
    /// belong to the vault's domain (default `true`). Turn off only for
    /// private clouds whose vault and token audience live on unrelated domains.
    pub fn verify_challenge_resource(mut self, verify: bool) -> Self {
        self.verify_challenge_resource = verify;
        self
    }

    /// Token scope to use from the first request on (e.g.
    /// `https://vault.azure.net/.default`), skipping the unauthenticated
    /// discovery round trip. The vault's challenges still override it.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Retry policy for transient failures.
    pub fn retry(mut self, retry: RetryOptions) -> Self {
        self.retry = retry;
        self
    }

    /// Time limit for one attempt, including reading the response body
    /// (default 100 s; `None` waits forever). An expired attempt is retried.
    pub fn attempt_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// Time limit for a whole call: token acquisition, challenge and all
    /// retries (default none). Expiry yields an error of kind `Timeout`.
    pub fn overall_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.overall_timeout = timeout;
        self
    }

    /// Time limit for establishing a connection (default 10 s). Ignored when
    /// a caller-supplied [`http_client`](Self::http_client) is used.
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long before expiry a cached token is refreshed (default 5 min).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.token_refresh_margin = margin;
        self
    }

    /// An application id prefixed to the `User-Agent` (no whitespace), so
    /// service-side telemetry can tell your application apart.
    pub fn application_id(mut self, id: impl Into<String>) -> Self {
        self.application_id = Some(id.into());
        self
    }

    /// Uses this `reqwest::Client` (for proxies, custom TLS roots, …) instead
    /// of building one. Its own redirect policy then applies; the client
    /// built by default follows no redirects, so tokens never leave the vault.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }
}
