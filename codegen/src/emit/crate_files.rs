//! The crate around the generated code: `Cargo.toml` and `lib.rs`.

use std::path::Path;

use crate::Options;
use crate::azure::AzureFacts;

/// `Cargo.toml` of the generated crate.
///
/// Versions are spelled out (not inherited from a workspace) so the crate builds anywhere,
/// including from `--out DIR` outside this repository, and can be published as is. The
/// runtime is a path + version dependency, so the crates can be published together.
/// progenitor-client is pinned exactly because the runtime relies on `ResponseValue`
/// internals that are `#[doc(hidden)]` there. Only the crates that progenitor's output
/// names directly are dependencies; the rest comes through the runtime.
pub fn cargo_toml(opts: &Options, client: &str) -> String {
    let workspace =
        if opts.standalone { "\n# Built on its own, outside any enclosing workspace.\n[workspace]\n" } else { "" };
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
rust-version = "1.88"
description = "Typed async {client} for Azure Key Vault, generated from its REST spec."
license = "MIT"
publish = false
{workspace}
[features]
default = ["rustls"]
# TLS backends, chosen in the runtime. A build without any (as the tests use, against
# plain-http loopback servers) compiles no TLS code at all.
# rustls on the ring provider: no C build, the fastest clean build.
rustls = ["keyvault-runtime/rustls"]
# rustls on aws-lc-rs (FIPS-capable; builds C code).
rustls-aws-lc = ["keyvault-runtime/rustls-aws-lc"]
# The platform's TLS (OpenSSL on Linux).
native-tls = ["keyvault-runtime/native-tls"]
# Adapts any azure_core TokenCredential (azure_identity's credentials).
azure_core = ["keyvault-runtime/azure_core"]
# `dynamic`: every operation callable by id with JSON in and out, and the list of operations,
# for harnesses derived from the spec's examples or from recorded traffic.
dynamic = []

[dependencies]
keyvault-runtime = {{ path = "{runtime}", version = "0.1.0", default-features = false }}
progenitor-client = "=0.15.1"
reqwest = {{ version = "0.13", default-features = false, features = ["json", "query"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
"#,
        name = opts.crate_name,
        runtime = opts.runtime_path.replace('\\', "/"),
    )
}

/// The crate root: docs, modules and the public surface.
pub fn lib_rs(opts: &Options, facts: &AzureFacts, title: &str, client: &str, example: Option<&str>) -> String {
    let version = &facts.api_version;
    // A glob re-export of an empty module is an unused import.
    let enums_use = if facts.enums.is_empty() { "" } else { "    pub use crate::enums::*;\n" };
    let spec = Path::new(&opts.spec_label).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let mut docs = format!(
        "//! A typed async [`{client}`] for Azure Key Vault (api-version {version}), generated from `{spec}`\n\
         //! (`{title}` in the spec).\n\
         //!\n\
         //! - [`{client}`] has one method per operation; list operations also have `*_pages` and\n\
         //!   `*_stream` methods that follow the service's next links.\n\
         //! - [`models`] holds the request and response types; binary fields are [`Base64Url`]\n\
         //!   (bytes on the Rust side, unpadded base64url on the wire) and times are [`UnixTime`].\n\
         //! - Every failure is an [`Error`]: HTTP status, the service's error code and message\n\
         //!   with its inner errors, the raw body when it is not JSON, and the request id.\n\
         //! - Authentication goes through a [`TokenCredential`], with Key Vault's challenge flow;\n\
         //!   [`StaticToken`] serves tests.\n\
         //!\n\
         //! The client runtime (credentials, options, errors, retries, paging) is the\n\
         //! [`keyvault_runtime`] crate, shared by every generated Key Vault client and re-exported\n\
         //! here: one credential and one [`ClientOptions`] serve the keys, secrets and certificates\n\
         //! clients alike, and clients built from the same credential share its token cache.\n\
         //!\n\
         //! Features: `rustls` (default; rustls on the ring provider), `rustls-aws-lc` (rustls on\n\
         //! aws-lc-rs), `native-tls` (the platform's TLS); `azure_core` adapts azure_core's\n\
         //! credentials (azure_identity); `dynamic` adds `dynamic`: the list of operations, and\n\
         //! `call_operation`, which calls one by its id with JSON in and out (typed underneath),\n\
         //! for test harnesses derived from data.\n"
    );
    if let Some(example) = example {
        docs.push_str("//!\n");
        for line in example.lines() {
            if line.is_empty() {
                docs.push_str("//!\n");
            } else {
                docs.push_str(&format!("//! {line}\n"));
            }
        }
    }
    format!(
        r#"{docs}
#![warn(missing_docs)]

// The modules are laid out by prettyplease; rustfmt is told to leave them as written so
// `cargo fmt --check` and `codegen --check` never disagree.
#[rustfmt::skip]
mod client;
#[rustfmt::skip]
mod enums;
// progenitor's client is an implementation detail of the facade; its model types are
// public through `models`.
#[allow(dead_code, unused_imports)]
#[rustfmt::skip]
mod raw;

pub use client::{client};
#[cfg(feature = "dynamic")]
pub use client::dynamic;
// The runtime's public surface, so that one dependency per client is enough. The types
// are the runtime's own: every generated client shares them.
/// The shared client runtime, for what the re-exports below leave out.
pub use keyvault_runtime as runtime;
#[cfg(feature = "azure_core")]
pub use keyvault_runtime::AzureCoreCredential;
pub use keyvault_runtime::{{AccessToken, StaticToken, TokenCredential}};
pub use keyvault_runtime::{{Base64, Base64Url, DateTime, SecretString, UnixTime}};
pub use keyvault_runtime::{{ClientOptions, RetryOptions}};
pub use keyvault_runtime::{{Error, ErrorKind, Response}};

/// Request and response models of the API, and its enums.
///
/// Models that only come back from the service are `#[non_exhaustive]`, so a property a
/// newer api-version adds to them is a minor release; read their fields, or start from
/// `Default` in tests. Models sent in requests are built with struct literals. Enums are
/// `#[non_exhaustive]` and keep unknown values in `UnknownValue`.
pub mod models {{
{enums_use}    pub use crate::raw::types::*;
}}

/// The api-version this crate was generated for, sent unless [`ClientOptions`] says otherwise.
pub const DEFAULT_API_VERSION: &str = "{version}";
"#
    )
}

/// The crate-level example: back up a key in one vault and restore it into another.
pub fn backup_restore_example(lib: &str, client: &str) -> String {
    format!(
        r#"## Back up a key and restore it into another vault

```no_run
use std::sync::Arc;

use {lib}::models::KeyRestoreParameters;
use {lib}::{{{client}, StaticToken}};

# async fn demo() -> Result<(), {lib}::Error> {{
// Any TokenCredential works; with the `azure_core` feature, azure_identity's too.
let credential = Arc::new(StaticToken::new("<access token>"));
let source = {client}::new("https://source-vault.vault.azure.net", credential.clone())?;
let target = {client}::new("https://target-vault.vault.azure.net/", credential)?;

// The blob comes back as bytes, exactly as the service produced it.
let blob: Vec<u8> = source.backup_key("my-key").await?.into_inner().value.into();
std::fs::write("my-key.backup", &blob).expect("write the backup");

let restored = target
    .restore_key(&KeyRestoreParameters {{ value: blob.into() }})
    .await?;
println!("restored {{:?}}", restored.key.as_ref().and_then(|k| k.kid.as_deref()));
# Ok(())
# }}
```"#
    )
}
