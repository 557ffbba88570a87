//! Adapter from `azure_core`'s credential trait, so any `azure_identity`
//! credential (developer tools, managed identity, workload identity, client
//! secret, …) can authenticate a generated client. Feature `azure_core`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::credential::{AccessToken, CredentialError, TokenCredential};

/// Wraps an `azure_core` credential:
/// `KeyClient::new(url, Arc::new(AzureCoreCredential::new(DeveloperToolsCredential::new(None)?)))`.
#[derive(Debug, Clone)]
pub struct AzureCoreCredential(Arc<dyn azure_core::credentials::TokenCredential>);

impl AzureCoreCredential {
    /// Adapts `credential` (an `Arc` of any `azure_identity` credential).
    pub fn new(credential: Arc<dyn azure_core::credentials::TokenCredential>) -> Self {
        Self(credential)
    }
}

impl From<Arc<dyn azure_core::credentials::TokenCredential>> for AzureCoreCredential {
    fn from(credential: Arc<dyn azure_core::credentials::TokenCredential>) -> Self {
        Self(credential)
    }
}

impl TokenCredential for AzureCoreCredential {
    fn get_token<'a>(
        &'a self,
        scopes: &'a [&'a str],
    ) -> Pin<Box<dyn Future<Output = Result<AccessToken, CredentialError>> + Send + 'a>> {
        Box::pin(async move {
            let token = self
                .0
                .get_token(scopes, None)
                .await
                .map_err(|e| CredentialError::with_source("the azure_core credential failed", e))?;
            // azure_core's expiry is the same `time::OffsetDateTime` the runtime uses.
            Ok(AccessToken::new(token.token.secret(), std::time::SystemTime::from(token.expires_on)))
        })
    }
}
