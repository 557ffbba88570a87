//! Keys, through `keyvault_keys::KeyClient`.

use std::sync::Arc;

use futures_util::TryStreamExt as _;
use keyvault_keys::models::KeyRestoreParameters;
use keyvault_keys::{ClientOptions, Error, KeyClient, TokenCredential};

use super::{
    ItemError, ItemInfo, ItemKind, Kind, RestoreOutcome, classify, error_shape, name_from_id, restore_failure,
};
use crate::errors::Class;

/// The keys of one vault.
pub struct Keys {
    client: KeyClient,
}

impl Keys {
    pub fn connect(vault: &str, credential: Arc<dyn TokenCredential>, options: ClientOptions) -> Result<Self, Error> {
        Ok(Self { client: KeyClient::with_options(vault, credential, options)? })
    }

    pub fn vault_url(&self) -> &str {
        self.client.vault_url()
    }

    pub fn api_version(&self) -> &str {
        self.client.api_version()
    }
}

fn failed(error: Error, restore: bool) -> ItemError {
    ItemError::new(classify(error_shape!(keyvault_keys, &error), restore), error)
}

impl ItemKind for Keys {
    fn kind(&self) -> Kind {
        Kind::Keys
    }

    async fn list(&self) -> Result<Vec<ItemInfo>, ItemError> {
        let items: Vec<_> = self.client.get_keys_stream(None).try_collect().await.map_err(|e| failed(e, false))?;
        items
            .into_iter()
            .map(|item| {
                let id = item.kid.as_deref().unwrap_or_default();
                Ok(ItemInfo {
                    name: name_from_id(Kind::Keys, id)?,
                    managed: item.managed.unwrap_or(false),
                    enabled: item.attributes.and_then(|a| a.enabled).unwrap_or(true),
                })
            })
            .collect()
    }

    async fn backup(&self, name: &str) -> Result<Vec<u8>, ItemError> {
        let response = self.client.backup_key(name).await.map_err(|e| failed(e, false))?;
        let blob = response.into_inner().value.into_vec();
        if blob.is_empty() {
            return Err(ItemError::new(Class::Service, "the vault returned an empty backup"));
        }
        Ok(blob)
    }

    async fn restore(&self, blob: Vec<u8>) -> Result<RestoreOutcome, ItemError> {
        match self.client.restore_key(&KeyRestoreParameters { value: blob.into() }).await {
            Ok(_) => Ok(RestoreOutcome::Restored),
            Err(error) => restore_failure(error_shape!(keyvault_keys, &error)).ok_or_else(|| failed(error, true)),
        }
    }
}
