//! [`ClientCore`]: the state one generated client shares across calls
//! (validated vault URL, HTTP client, options, token cache, discovered scope).

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use http::HeaderValue;
use reqwest::Url;

use super::bearer::BearerHeader;
use super::context::CallContext;
use super::credential::TokenCredential;
use super::error::{Error, ErrorKind};
use super::options::ClientOptions;
use super::retry::RetryOptions;
use super::token_cache::TokenCache;

/// The shared state behind a generated client. Cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct ClientCore {
    pub(crate) inner: Arc<CoreInner>,
}

pub(crate) struct CoreInner {
    pub(crate) base_url: String,
    pub(crate) vault_url: Url,
    pub(crate) http: reqwest::Client,
    pub(crate) api_version: String,
    pub(crate) allow_http: bool,
    pub(crate) verify_challenge_resource: bool,
    pub(crate) retry: RetryOptions,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) overall_timeout: Option<Duration>,
    pub(crate) user_agent: HeaderValue,
    pub(crate) tokens: Arc<TokenCache>,
    /// The Authorization header of the token last sent.
    pub(crate) bearer: BearerHeader,
    /// The token scope learned from the vault's challenge (or configured),
    /// so later calls authenticate on the first attempt.
    scope: RwLock<Option<String>>,
}

impl CoreInner {
    pub(crate) fn scope(&self) -> Option<String> {
        self.scope.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub(crate) fn set_scope(&self, scope: &str) {
        *self.scope.write().unwrap_or_else(PoisonError::into_inner) = Some(scope.to_owned());
    }
}

impl ClientCore {
    /// Validates the vault URL (absolute, `https` unless
    /// [`ClientOptions::allow_http`], no query or fragment; a trailing `/` is
    /// ignored) and prepares the HTTP client.
    pub fn new(
        vault_url: &str,
        credential: Arc<dyn TokenCredential>,
        options: ClientOptions,
        default_api_version: &'static str,
        product: &'static str,
    ) -> Result<Self, Error> {
        let config = |message: String| Error::new(ErrorKind::Config, message);
        let url = Url::parse(vault_url.trim()).map_err(|e| config(format!("invalid vault URL '{vault_url}': {e}")))?;
        match url.scheme() {
            "https" => {}
            "http" if options.allow_http => {}
            "http" => {
                return Err(config(format!(
                    "vault URL '{vault_url}' must use https (ClientOptions::allow_http(true) permits http for test servers)"
                )));
            }
            other => return Err(config(format!("vault URL scheme '{other}' is not http(s)"))),
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(config(format!("vault URL '{vault_url}' has no host")));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(config(format!("vault URL '{vault_url}' must not have a query or fragment")));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(config("vault URL must not contain credentials".to_owned()));
        }
        let base_url = url.as_str().trim_end_matches('/').to_owned();

        let user_agent = user_agent(product, options.application_id.as_deref())?;
        let http = match options.http_client {
            Some(client) => client,
            None => {
                // No redirects: a redirect would carry the token and the replayed
                // body to wherever the Location header points.
                let mut builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
                if let Some(timeout) = options.connect_timeout {
                    builder = builder.connect_timeout(timeout);
                }
                super::tls::configure(builder)?
                    .build()
                    .map_err(|e| Error::new(ErrorKind::Config, "could not build the HTTP client").with_source(e))?
            }
        };

        Ok(Self {
            inner: Arc::new(CoreInner {
                base_url,
                vault_url: url,
                http,
                api_version: options.api_version.unwrap_or_else(|| default_api_version.to_owned()),
                allow_http: options.allow_http,
                verify_challenge_resource: options.verify_challenge_resource,
                retry: options.retry,
                attempt_timeout: options.attempt_timeout,
                overall_timeout: options.overall_timeout,
                user_agent,
                tokens: TokenCache::shared(credential, options.token_refresh_margin),
                bearer: BearerHeader::default(),
                scope: RwLock::new(options.scope),
            }),
        })
    }

    /// The vault URL without a trailing `/`, ready for `format!("{base}/keys/…")`.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The HTTP client every call of this client uses.
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The `api-version` sent with each request.
    pub fn api_version(&self) -> &str {
        &self.inner.api_version
    }

    /// A fresh per-call context (request id, error capture) for one operation.
    pub fn call(&self) -> CallContext {
        CallContext::new(self.clone())
    }

    /// A per-call context that sends its URL verbatim (no `api-version` added), for links
    /// the service handed out.
    pub(crate) fn call_verbatim(&self) -> CallContext {
        let mut ctx = CallContext::new(self.clone());
        ctx.verbatim_url = true;
        ctx
    }

    /// The vault URL with `segments` appended as path segments, each percent-encoded (so a
    /// name can never add a segment or a query).
    pub fn url_for(&self, segments: &[&str]) -> Result<Url, Error> {
        let mut url = self.inner.vault_url.clone();
        url.path_segments_mut()
            .map_err(|()| Error::new(ErrorKind::Config, "the vault URL cannot take path segments"))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// Parses a URL the service returned (`what` names it in errors; a relative one resolves
    /// against the vault URL) and refuses any other origin, which would receive our token.
    pub(crate) fn resolve_link(&self, link: &str, what: &str) -> Result<Url, Error> {
        let vault = &self.inner.vault_url;
        let url = Url::parse(link).or_else(|_| vault.join(link)).map_err(|e| {
            Error::new(ErrorKind::InvalidResponse, format!("the service returned an invalid {what}")).with_source(e)
        })?;
        if url.origin() != vault.origin() {
            return Err(Error::new(
                ErrorKind::InvalidResponse,
                format!(
                    "refusing to follow a {what} to {} (the vault is {})",
                    url.origin().ascii_serialization(),
                    vault.origin().ascii_serialization()
                ),
            ));
        }
        Ok(url)
    }
}

/// `[<application id> ]<product>`, where the generated crate names itself as
/// `<crate name>/<crate version>`.
fn user_agent(product: &str, application_id: Option<&str>) -> Result<HeaderValue, Error> {
    let text = match application_id {
        Some(id) if id.is_empty() || id.chars().any(|c| c.is_whitespace() || c.is_control()) => {
            return Err(Error::new(ErrorKind::Config, "application id must be non-empty and contain no whitespace"));
        }
        Some(id) => format!("{id} {product}"),
        None => product.to_owned(),
    };
    HeaderValue::from_str(&text)
        .map_err(|e| Error::new(ErrorKind::Config, "application id is not a valid header value").with_source(e))
}

impl fmt::Debug for ClientCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("ClientCore")
            .field("base_url", &inner.base_url)
            .field("api_version", &inner.api_version)
            .field("allow_http", &inner.allow_http)
            .field("verify_challenge_resource", &inner.verify_challenge_resource)
            .field("retry", &inner.retry)
            .field("scope", &inner.scope())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::StaticToken;

    fn core(url: &str, options: ClientOptions) -> Result<ClientCore, Error> {
        ClientCore::new(url, Arc::new(StaticToken::new("t")), options, "7.4", "keyvault-test/0.0.0")
    }

    #[test]
    fn trailing_slash_is_ignored() {
        let a = core("https://v.vault.azure.net/", ClientOptions::default()).unwrap();
        let b = core("https://v.vault.azure.net", ClientOptions::default()).unwrap();
        assert_eq!(a.base_url(), "https://v.vault.azure.net");
        assert_eq!(a.base_url(), b.base_url());
        assert_eq!(a.api_version(), "7.4");
    }

    #[test]
    fn validates_the_url() {
        for bad in [
            "v.vault.azure.net",
            "ftp://v.vault.azure.net",
            "https://v.vault.azure.net/?x=1",
            "https://user:pw@v.vault.azure.net",
            "",
        ] {
            let err = core(bad, ClientOptions::default()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Config, "{bad}");
        }
        let err = core("http://127.0.0.1:8080", ClientOptions::default()).unwrap_err();
        assert!(err.to_string().contains("allow_http"), "{err}");
        let ok = core("http://127.0.0.1:8080/", ClientOptions::default().allow_http(true)).unwrap();
        assert_eq!(ok.base_url(), "http://127.0.0.1:8080");
    }

    #[test]
    fn options_apply() {
        let c = core(
            "https://v.vault.azure.net",
            ClientOptions::default().api_version("2025-07-01").application_id("myapp"),
        )
        .unwrap();
        assert_eq!(c.api_version(), "2025-07-01");
        let ua = c.inner.user_agent.to_str().unwrap();
        assert!(ua.starts_with("myapp ") && ua.contains('/'), "{ua}");
        let err = core("https://v.vault.azure.net", ClientOptions::default().application_id("my app")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(!format!("{c:?}").contains("StaticToken(\"t\")"));
    }
}
