//! Secrets, through `keyvault_secrets::SecretClient`.

use std::sync::Arc;

use futures_util::TryStreamExt as _;
use keyvault_secrets::models::SecretRestoreParameters;
use keyvault_secrets::{ClientOptions, Error, SecretClient, TokenCredential};

use super::{
    ItemError, ItemInfo, ItemKind, Kind, RestoreOutcome, classify, error_shape, name_from_id, restore_failure,
};
use crate::errors::Class;

/// The secrets of one vault.
pub struct Secrets {
    client: SecretClient,
}

impl Secrets {
    pub fn connect(vault: &str, credential: Arc<dyn TokenCredential>, options: ClientOptions) -> Result<Self, Error> {
        Ok(Self { client: SecretClient::with_options(vault, credential, options)? })
    }
}

fn failed(error: Error, restore: bool) -> ItemError {
    ItemError::new(classify(error_shape!(keyvault_secrets, &error), restore), error)
}

impl ItemKind for Secrets {
    fn kind(&self) -> Kind {
        Kind::Secrets
    }

    async fn list(&self) -> Result<Vec<ItemInfo>, ItemError> {
        let items: Vec<_> = self.client.get_secrets_stream(None).try_collect().await.map_err(|e| failed(e, false))?;
        items
            .into_iter()
            .map(|item| {
                let id = item.id.as_deref().unwrap_or_default();
                Ok(ItemInfo {
                    name: name_from_id(Kind::Secrets, id)?,
                    // The secret behind a certificate: the certificate's backup carries it.
                    managed: item.managed.unwrap_or(false),
                    enabled: item.attributes.and_then(|a| a.enabled).unwrap_or(true),
                })
            })
            .collect()
    }

    async fn backup(&self, name: &str) -> Result<Vec<u8>, ItemError> {
        let response = self.client.backup_secret(name).await.map_err(|e| failed(e, false))?;
        let blob = response.into_inner().value.into_vec();
        if blob.is_empty() {
            return Err(ItemError::new(Class::Service, "the vault returned an empty backup"));
        }
        Ok(blob)
    }

    async fn restore(&self, blob: Vec<u8>) -> Result<RestoreOutcome, ItemError> {
        match self.client.restore_secret(&SecretRestoreParameters { value: blob.into() }).await {
            Ok(_) => Ok(RestoreOutcome::Restored),
            Err(error) => restore_failure(error_shape!(keyvault_secrets, &error)).ok_or_else(|| failed(error, true)),
        }
    }
}
