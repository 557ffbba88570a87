//! The client runtime every generated Azure Key Vault client depends on.
//!
//! Generated crates (`keyvault-keys`, `keyvault-secrets`, `keyvault-certificates`, ...) are
//! thin glue around this crate, as progenitor-client, azure_core and aws-smithy-runtime are for
//! their generated code. It owns everything that is the same for every client:
//!
//! - authentication: [`TokenCredential`], Key Vault's challenge flow, and a token cache that
//!   every client built from the same credential shares (one token request per scope);
//! - the request pipeline: api-version, retries with backoff and `Retry-After`, timeouts,
//!   request ids, tracing;
//! - [`Error`] (status, service code and message, inner errors, raw body, request id) and
//!   [`Response`];
//! - paging over `nextLink` and the pollers of long-running operations;
//! - the model value types [`Base64Url`] (bytes), [`UnixTime`] and [`DateTime`] (points in
//!   time that convert to and from `time::OffsetDateTime`).
//!
//! Because these types are shared, one [`Error`], one [`ClientOptions`] and one credential
//! serve every client of a vault.
//!
//! ## TLS
//!
//! The runtime builds the HTTP client, so it owns the TLS choice; generated crates forward
//! their features here:
//!
//! - `rustls`: rustls with the `ring` crypto provider and the platform's certificate
//!   verifier. The generated crates' default: no C toolchain, the fastest clean build.
//! - `rustls-aws-lc`: rustls with aws-lc-rs (FIPS-capable; builds C code).
//! - `native-tls`: the platform's TLS library (OpenSSL on Linux).
//!
//! With none of them, only plain `http://` works (tests against loopback servers).

mod base64std;
mod base64url;
mod bearer;
mod challenge;
mod client_core;
mod context;
mod credential;
mod datetime;
mod error;
mod options;
pub mod paging;
mod path_segment;
mod pipeline;
pub mod poller;
mod random;
mod response;
mod retry;
mod retry_after;
mod secret_string;
mod tls;
mod token_cache;
mod unixtime;

#[cfg(feature = "azure_core")]
mod azure_core_credential;

#[cfg(feature = "azure_core")]
pub use azure_core_credential::AzureCoreCredential;
pub use base64std::Base64;
pub use base64url::{Base64Url, ParseBase64UrlError};
pub use client_core::ClientCore;
pub use context::CallContext;
pub use credential::{AccessToken, CredentialError, Secret, StaticToken, TokenCredential};
pub use datetime::{DateTime, ParseDateTimeError};
pub use error::{Error, ErrorKind, ServiceError};
pub use options::ClientOptions;
pub use paging::Page;
pub use path_segment::check_path_segment;
pub use poller::{FinalStateVia, OperationState, Poller};
pub use response::Response;
pub use retry::RetryOptions;
pub use secret_string::SecretString;
pub use unixtime::{ParseUnixTimeError, UnixTime};

/// Streams returned by the `*_stream` methods of generated clients.
pub use futures_util::{Stream, StreamExt};
/// The `http` crate, whose types appear in [`Response`] and [`Error`].
pub use http;
