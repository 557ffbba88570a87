//! Moving a whole vault: `backup-vault` and `restore-vault`.
//!
//! The commands work on any [`ItemKind`] (keys, secrets, certificates): a kind
//! lists its items, backs one up to bytes and restores bytes. Everything else
//! (files, the manifest, resuming, concurrency, progress) is shared.

pub mod backup;
mod certificates;
mod keys;
mod manifest;
mod progress;
mod report;
pub mod restore;
mod secrets;

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use http::StatusCode;
use keyvault_keys::{ClientOptions, TokenCredential};
use serde::{Deserialize, Serialize};

use crate::errors::{AppError, Class};

/// The three kinds of vault object that have a backup operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Keys,
    Secrets,
    Certificates,
}

impl Kind {
    /// Restore order: a certificate's restore brings back its managed key and
    /// secret, so certificates go first; then keys, then secrets.
    pub const RESTORE_ORDER: [Kind; 3] = [Kind::Certificates, Kind::Keys, Kind::Secrets];

    /// The folder of the backup directory holding this kind's blobs, which is
    /// also the collection's path segment in the REST API.
    pub fn dir(self) -> &'static str {
        match self {
            Kind::Keys => "keys",
            Kind::Secrets => "secrets",
            Kind::Certificates => "certificates",
        }
    }

    /// The singular, for messages.
    pub fn singular(self) -> &'static str {
        match self {
            Kind::Keys => "key",
            Kind::Secrets => "secret",
            Kind::Certificates => "certificate",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.dir())
    }
}

/// One item of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemInfo {
    pub name: String,
    /// Key Vault manages its lifetime: the key or secret behind a certificate.
    pub managed: bool,
    pub enabled: bool,
}

/// How a restore ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestoreOutcome {
    Restored,
    /// The target vault already has an item of that name (409 Conflict).
    AlreadyPresent,
}

/// A failed call on one item, classified for exit codes and reports.
#[derive(Debug)]
pub struct ItemError {
    pub class: Class,
    pub cause: Box<dyn StdError + Send + Sync>,
}

impl ItemError {
    pub fn new(class: Class, cause: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self { class, cause: cause.into() }
    }
}

impl fmt::Display for ItemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.cause)?;
        let mut source = self.cause.source();
        while let Some(error) = source {
            write!(f, ": {error}")?;
            source = error.source();
        }
        Ok(())
    }
}

// The Display already walks the cause chain; no `source()`, so reports print it once.
impl StdError for ItemError {}

/// A client error reduced to what classification needs, so that the same
/// rules serve every generated client (each has its own `Error` type until
/// they share one runtime crate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorShape {
    Config,
    Auth,
    Network,
    /// The service answered with an error status.
    Service {
        status: Option<StatusCode>,
        deleted_but_recoverable: bool,
    },
    Other,
}

/// The class of a failed item call (`restore` says whether it was a restore).
pub fn classify(shape: ErrorShape, restore: bool) -> Class {
    match shape {
        ErrorShape::Config => Class::Usage,
        ErrorShape::Auth => Class::Auth,
        ErrorShape::Network => Class::Network,
        ErrorShape::Other => Class::Service,
        ErrorShape::Service { status, .. } => match status.map(|s| s.as_u16()) {
            Some(401) => Class::Auth,
            Some(403) => Class::Forbidden,
            Some(404) => Class::NotFound,
            Some(409) => Class::Conflict,
            Some(400) if restore => Class::MalformedBackup,
            _ => Class::Service,
        },
    }
}

/// Reduces a generated client's error to an [`ErrorShape`]; `$krate` names the
/// client crate (its `ErrorKind` differs per crate until the runtime is shared).
macro_rules! error_shape {
    ($krate:ident, $error:expr) => {{
        let error = $error;
        match error.kind() {
            $krate::ErrorKind::Config => $crate::vault::ErrorShape::Config,
            $krate::ErrorKind::Credential | $krate::ErrorKind::Challenge => $crate::vault::ErrorShape::Auth,
            $krate::ErrorKind::Transport | $krate::ErrorKind::Timeout => $crate::vault::ErrorShape::Network,
            $krate::ErrorKind::Service => $crate::vault::ErrorShape::Service {
                status: error.status(),
                deleted_but_recoverable: error.inner_codes().any(|c| c == "ObjectIsDeletedButRecoverable"),
            },
            _ => $crate::vault::ErrorShape::Other,
        }
    }};
}
pub(crate) use error_shape;

/// Turns a failed restore into its outcome: a name that is simply taken means
/// the item is already there; a name held by a deleted item is a real conflict.
pub fn restore_failure(shape: ErrorShape) -> Option<RestoreOutcome> {
    match shape {
        ErrorShape::Service { status: Some(StatusCode::CONFLICT), deleted_but_recoverable: false } => {
            Some(RestoreOutcome::AlreadyPresent)
        }
        _ => None,
    }
}

/// What the vault commands need from one kind of object.
pub trait ItemKind {
    fn kind(&self) -> Kind;
    /// Every item, all pages.
    async fn list(&self) -> Result<Vec<ItemInfo>, ItemError>;
    /// The item's backup blob, exactly as the service sent it (decoded from base64url).
    async fn backup(&self, name: &str) -> Result<Vec<u8>, ItemError>;
    /// Restores a blob made by [`ItemKind::backup`].
    async fn restore(&self, blob: Vec<u8>) -> Result<RestoreOutcome, ItemError>;
}

/// The name of an item from its identifier (`https://v.vault.azure.net/keys/NAME[/VERSION]`).
/// Refuses anything that is not a Key Vault object name, since the name
/// becomes a file name.
pub fn name_from_id(kind: Kind, id: &str) -> Result<String, ItemError> {
    let bad = || {
        ItemError::new(Class::Service, format!("the vault listed a {} with an unusable id: {id:?}", kind.singular()))
    };
    let path = id.split_once("://").map_or(id, |(_, rest)| rest);
    let mut segments = path.split('/').skip(1);
    if segments.next() != Some(kind.dir()) {
        return Err(bad());
    }
    let name = segments.next().ok_or_else(bad)?;
    if crate::cli::is_object_name(name) { Ok(name.to_owned()) } else { Err(bad()) }
}

/// The clients of the kinds this build handles.
pub struct Kinds {
    pub keys: keys::Keys,
    pub secrets: secrets::Secrets,
    pub certificates: certificates::Certificates,
}

impl Kinds {
    /// One client per kind, for `vault` with `credential`.
    pub fn connect(
        vault: &str,
        credential: Arc<dyn TokenCredential>,
        options: ClientOptions,
    ) -> Result<Self, AppError> {
        fn invalid<E: StdError + Send + Sync + 'static>(vault: &str) -> impl Fn(E) -> AppError + '_ {
            move |e| AppError::new(Class::Usage, format!("invalid vault URL '{vault}'")).with_cause(e)
        }
        Ok(Self {
            secrets: secrets::Secrets::connect(vault, credential.clone(), options.clone()).map_err(invalid(vault))?,
            certificates: certificates::Certificates::connect(vault, credential.clone(), options.clone())
                .map_err(invalid(vault))?,
            keys: keys::Keys::connect(vault, credential, options).map_err(invalid(vault))?,
        })
    }

    /// The kinds this build can back up and restore.
    pub fn supported(&self) -> Vec<Kind> {
        vec![Kind::Keys, Kind::Secrets, Kind::Certificates]
    }

    /// The vault URL, without a trailing slash.
    pub fn vault_url(&self) -> &str {
        self.keys.vault_url()
    }

    /// The api-version the clients send.
    pub fn api_version(&self) -> &str {
        self.keys.api_version()
    }
}

/// Runs `$body` with `$client` bound to the [`ItemKind`] of `$kind`, or
/// evaluates `$unsupported` when this build has no client for it.
macro_rules! with_kind {
    ($kinds:expr, $kind:expr, |$client:ident| $body:expr, $unsupported:expr) => {
        match $kind {
            $crate::vault::Kind::Keys => {
                let $client = &$kinds.keys;
                $body
            }
            $crate::vault::Kind::Secrets => {
                let $client = &$kinds.secrets;
                $body
            }
            $crate::vault::Kind::Certificates => {
                let $client = &$kinds.certificates;
                $body
            }
        }
    };
}
pub(crate) use with_kind;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_ids() {
        assert_eq!(name_from_id(Kind::Keys, "https://v.vault.azure.net/keys/my-key").unwrap(), "my-key");
        assert_eq!(name_from_id(Kind::Keys, "https://v.vault.azure.net:443/keys/k1/0123abcd").unwrap(), "k1");
        assert_eq!(name_from_id(Kind::Secrets, "http://127.0.0.1:8080/secrets/s").unwrap(), "s");
        for bad in [
            "https://v.vault.azure.net/secrets/k",
            "https://v.vault.azure.net/keys/",
            "https://v.vault.azure.net/keys/..",
            "https://v.vault.azure.net/keys/a%2Fb",
            "keys",
        ] {
            assert!(name_from_id(Kind::Keys, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn conflicts_are_already_present_unless_deleted() {
        let taken = ErrorShape::Service { status: Some(StatusCode::CONFLICT), deleted_but_recoverable: false };
        let deleted = ErrorShape::Service { status: Some(StatusCode::CONFLICT), deleted_but_recoverable: true };
        assert_eq!(restore_failure(taken), Some(RestoreOutcome::AlreadyPresent));
        assert_eq!(restore_failure(deleted), None);
        assert_eq!(classify(deleted, true), Class::Conflict);
        let bad = ErrorShape::Service { status: Some(StatusCode::BAD_REQUEST), deleted_but_recoverable: false };
        assert_eq!(classify(bad, true), Class::MalformedBackup);
        assert_eq!(classify(bad, false), Class::Service);
        assert_eq!(classify(ErrorShape::Network, false), Class::Network);
    }
}
