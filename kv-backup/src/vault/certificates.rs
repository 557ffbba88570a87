//! Certificates, through `keyvault_certificates::CertificateClient`.

use std::sync::Arc;

use futures_util::TryStreamExt as _;
use keyvault_certificates::models::CertificateRestoreParameters;
use keyvault_certificates::{CertificateClient, ClientOptions, Error, TokenCredential};

use super::{
    ItemError, ItemInfo, ItemKind, Kind, RestoreOutcome, classify, error_shape, name_from_id, restore_failure,
};
use crate::errors::Class;

/// The certificates of one vault.
pub struct Certificates {
    client: CertificateClient,
}

impl Certificates {
    pub fn connect(vault: &str, credential: Arc<dyn TokenCredential>, options: ClientOptions) -> Result<Self, Error> {
        Ok(Self { client: CertificateClient::with_options(vault, credential, options)? })
    }
}

fn failed(error: Error, restore: bool) -> ItemError {
    ItemError::new(classify(error_shape!(keyvault_certificates, &error), restore), error)
}

impl ItemKind for Certificates {
    fn kind(&self) -> Kind {
        Kind::Certificates
    }

    async fn list(&self) -> Result<Vec<ItemInfo>, ItemError> {
        // Pending certificates (still being issued) are left out: there is nothing to back up yet.
        let items: Vec<_> =
            self.client.get_certificates_stream(None, None).try_collect().await.map_err(|e| failed(e, false))?;
        items
            .into_iter()
            .map(|item| {
                let id = item.id.as_deref().unwrap_or_default();
                Ok(ItemInfo {
                    name: name_from_id(Kind::Certificates, id)?,
                    managed: false,
                    enabled: item.attributes.and_then(|a| a.enabled).unwrap_or(true),
                })
            })
            .collect()
    }

    async fn backup(&self, name: &str) -> Result<Vec<u8>, ItemError> {
        let response = self.client.backup_certificate(name).await.map_err(|e| failed(e, false))?;
        let blob = response.into_inner().value.into_vec();
        if blob.is_empty() {
            return Err(ItemError::new(Class::Service, "the vault returned an empty backup"));
        }
        Ok(blob)
    }

    async fn restore(&self, blob: Vec<u8>) -> Result<RestoreOutcome, ItemError> {
        match self.client.restore_certificate(&CertificateRestoreParameters { value: blob.into() }).await {
            Ok(_) => Ok(RestoreOutcome::Restored),
            Err(error) => {
                restore_failure(error_shape!(keyvault_certificates, &error)).ok_or_else(|| failed(error, true))
            }
        }
    }
}
