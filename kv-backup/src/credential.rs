//! Where the access token comes from: one of azure_identity's credentials
//! (feature `azure-identity`), adapted to the client's `TokenCredential`, or
//! for tests a static token read from an environment variable.

use std::sync::Arc;

use keyvault_keys::{StaticToken, TokenCredential};

use crate::cli::VaultArgs;
use crate::errors::{AppError, Class};

/// The credential `args` ask for.
pub fn from_args(args: &VaultArgs) -> Result<Arc<dyn TokenCredential>, AppError> {
    match &args.token_env {
        Some(var) => static_token(var),
        None => identity::credential(args),
    }
}

/// `--token-env VAR`: the bearer token in `VAR`, used as is.
fn static_token(var: &str) -> Result<Arc<dyn TokenCredential>, AppError> {
    match std::env::var(var) {
        Ok(token) if !token.trim().is_empty() => Ok(Arc::new(StaticToken::new(token.trim()))),
        _ => Err(AppError::new(Class::Auth, format!("environment variable {var} holds no token"))),
    }
}

#[cfg(feature = "azure-identity")]
mod identity {
    use std::sync::Arc;

    use azure_core::credentials::{Secret, TokenCredential as AzureTokenCredential};
    use azure_identity::{
        ClientSecretCredential, DeveloperToolsCredential, ManagedIdentityCredential, ManagedIdentityCredentialOptions,
        UserAssignedId, WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
    };
    use keyvault_keys::TokenCredential;
    use keyvault_keys::runtime::AzureCoreCredential;

    use crate::cli::{CredentialKind, VaultArgs};
    use crate::errors::{AppError, Class};

    pub fn credential(args: &VaultArgs) -> Result<Arc<dyn TokenCredential>, AppError> {
        let failed = |e: azure_core::Error| {
            AppError::new(Class::Auth, format!("could not set up the {} credential", args.credential.name()))
                .with_cause(e)
        };
        let credential: Arc<dyn AzureTokenCredential> = match args.credential {
            CredentialKind::Developer => DeveloperToolsCredential::new(None).map_err(failed)?,
            CredentialKind::ManagedIdentity => {
                let options = ManagedIdentityCredentialOptions {
                    user_assigned_id: args.client_id.clone().map(UserAssignedId::ClientId),
                    ..Default::default()
                };
                ManagedIdentityCredential::new(Some(options)).map_err(failed)?
            }
            CredentialKind::ClientSecret => {
                let tenant = setting(args.tenant_id.as_deref(), "--tenant-id", "AZURE_TENANT_ID")?;
                let client = setting(args.client_id.as_deref(), "--client-id", "AZURE_CLIENT_ID")?;
                // Only from the environment: a secret on the command line shows up in `ps`.
                let secret = std::env::var("AZURE_CLIENT_SECRET").ok().filter(|s| !s.is_empty()).ok_or_else(|| {
                    AppError::new(
                        Class::Auth,
                        "--credential client-secret needs AZURE_CLIENT_SECRET in the environment",
                    )
                })?;
                ClientSecretCredential::new(&tenant, client, Secret::new(secret), None).map_err(failed)?
            }
            CredentialKind::WorkloadIdentity => {
                let options = WorkloadIdentityCredentialOptions {
                    client_id: args.client_id.clone(),
                    tenant_id: args.tenant_id.clone(),
                    ..Default::default()
                };
                WorkloadIdentityCredential::new(Some(options)).map_err(failed)?
            }
        };
        Ok(Arc::new(AzureCoreCredential::new(credential)))
    }

    /// A flag's value, else the environment variable's.
    fn setting(flag: Option<&str>, name: &str, env: &str) -> Result<String, AppError> {
        flag.map(str::to_owned)
            .or_else(|| std::env::var(env).ok())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| AppError::new(Class::Auth, format!("--credential client-secret needs {name} or {env}")))
    }
}

#[cfg(not(feature = "azure-identity"))]
mod identity {
    use std::sync::Arc;

    use keyvault_keys::TokenCredential;

    use crate::cli::VaultArgs;
    use crate::errors::{AppError, Class};

    pub fn credential(args: &VaultArgs) -> Result<Arc<dyn TokenCredential>, AppError> {
        Err(AppError::new(
            Class::Auth,
            format!(
                "the {} credential is unavailable: kv-backup was built without its `azure-identity` feature",
                args.credential.name()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_token_variable_is_an_auth_error() {
        let err = static_token("KV_BACKUP_TEST_SURELY_UNSET_VARIABLE").expect_err("no token");
        assert_eq!(err.class(), Class::Auth);
        assert!(err.to_string().contains("KV_BACKUP_TEST_SURELY_UNSET_VARIABLE"), "{err}");
    }
}
