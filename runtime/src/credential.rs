//! The credential abstraction: anything that can produce a bearer token for a
//! scope. A boxed-future trait keeps it object-safe (`Arc<dyn TokenCredential>`)
//! without `async-trait`.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of OAuth bearer tokens (Microsoft Entra ID access tokens).
///
/// Implement it for your own token source, use [`StaticToken`] in tests, or,
/// with the `azure_core` feature, wrap an `azure_identity` credential in
/// `AzureCoreCredential`. The client caches tokens, so implementations need not.
pub trait TokenCredential: Send + Sync + fmt::Debug {
    /// Gets a token valid for `scopes` (Key Vault asks for exactly one,
    /// e.g. `https://vault.azure.net/.default`).
    fn get_token<'a>(
        &'a self,
        scopes: &'a [&'a str],
    ) -> Pin<Box<dyn Future<Output = Result<AccessToken, CredentialError>> + Send + 'a>>;
}

/// A secret string (an access token) whose `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value; keep it out of logs.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// A bearer token and when it stops being valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessToken {
    /// The token (sent as `Authorization: Bearer <token>`).
    pub token: Secret,
    /// When the token expires; the client refreshes it ahead of time.
    pub expires_on: SystemTime,
}

impl AccessToken {
    /// A token expiring at `expires_on`.
    pub fn new(token: impl Into<Secret>, expires_on: SystemTime) -> Self {
        Self { token: token.into(), expires_on }
    }
}

/// Why a [`TokenCredential`] could not produce a token.
///
/// Cloneable because one failed refresh is reported to every call that was
/// waiting on it.
#[derive(Clone)]
pub struct CredentialError {
    message: String,
    source: Option<Arc<dyn StdError + Send + Sync + 'static>>,
}

impl CredentialError {
    /// An error with a description (must not contain secrets).
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), source: None }
    }

    /// An error caused by another error, e.g. the identity library's.
    pub fn with_source(message: impl Into<String>, source: impl StdError + Send + Sync + 'static) -> Self {
        Self { message: message.into(), source: Some(Arc::new(source)) }
    }

    /// The description.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Debug for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("CredentialError");
        s.field("message", &self.message);
        if let Some(source) = &self.source {
            s.field("source", &format_args!("{source}"));
        }
        s.finish()
    }
}

impl fmt::Display for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for CredentialError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn StdError + 'static))
    }
}

/// A fixed token that never expires, for tests and for tokens obtained
/// out of band (e.g. `az account get-access-token`).
#[derive(Clone)]
pub struct StaticToken(Secret);

impl StaticToken {
    /// A credential that always returns `token`, whatever the scope.
    pub fn new(token: impl Into<String>) -> Self {
        Self(Secret::new(token))
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken(<redacted>)")
    }
}

impl TokenCredential for StaticToken {
    fn get_token<'a>(
        &'a self,
        _scopes: &'a [&'a str],
    ) -> Pin<Box<dyn Future<Output = Result<AccessToken, CredentialError>> + Send + 'a>> {
        // 9999-12-31T23:59:59Z: "never" without overflowing 32-bit time.
        let never = UNIX_EPOCH + Duration::from_secs(253_402_300_799);
        let token = AccessToken::new(self.0.clone(), never);
        Box::pin(std::future::ready(Ok(token)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_tokens() {
        let token = AccessToken::new("eyJ0eXAiOiJKV1Qi.secret", UNIX_EPOCH);
        let shown = format!("{token:?} {:?}", StaticToken::new("eyJ0eXAiOiJKV1Qi.secret"));
        assert!(!shown.contains("eyJ0"), "{shown}");
        assert!(shown.contains("<redacted>"));
        assert_eq!(token.token.secret(), "eyJ0eXAiOiJKV1Qi.secret");
    }

    #[test]
    fn credential_error_keeps_its_source() {
        let io = std::io::Error::other("no network");
        let err = CredentialError::with_source("token request failed", io);
        assert_eq!(err.to_string(), "token request failed");
        assert_eq!(err.source().map(ToString::to_string).as_deref(), Some("no network"));
    }

    #[test]
    fn trait_is_dyn_compatible() {
        let cred: Arc<dyn TokenCredential> = Arc::new(StaticToken::new("t"));
        assert!(format!("{cred:?}").contains("StaticToken"));
    }
}
