//! Client runtime shared by every generated Key Vault client: authentication
//! (challenge-based, token caching), retries, errors, paging and the model
//! value types. Copied verbatim into each generated crate as `crate::runtime`.

mod base64url;
mod challenge;
mod civil;
mod client_core;
mod context;
mod credential;
mod error;
mod options;
pub mod paging;
mod path_segment;
mod pipeline;
mod random;
mod response;
mod retry;
mod retry_after;
mod token_cache;
mod unixtime;

#[cfg(feature = "azure_core")]
mod azure_core_credential;

#[cfg(feature = "azure_core")]
pub use azure_core_credential::AzureCoreCredential;
pub use base64url::{Base64Url, ParseBase64UrlError};
pub use client_core::ClientCore;
pub use context::CallContext;
pub use credential::{AccessToken, CredentialError, Secret, StaticToken, TokenCredential};
pub use error::{Error, ErrorKind, ServiceError};
pub use options::ClientOptions;
pub use paging::Page;
pub use path_segment::check_path_segment;
pub use response::Response;
pub use retry::RetryOptions;
pub use unixtime::{ParseUnixTimeError, UnixTime};
