//! The crate around the generated code: `Cargo.toml`, `lib.rs` and the runtime copies.

use std::path::Path;

use crate::Options;
use crate::azure::AzureFacts;

include!(concat!(env!("OUT_DIR"), "/runtime_files.rs"));

/// The runtime's files as they go into a generated crate: (path relative to `src/runtime`, text).
pub fn runtime_files() -> impl Iterator<Item = (&'static str, &'static str)> {
    RUNTIME_FILES.iter().copied()
}

/// `Cargo.toml` of the generated crate.
///
/// Versions are spelled out (not inherited from a workspace) so the crate builds anywhere,
/// including from `--out DIR` outside this repository, and can be published as is.
/// progenitor-client is pinned exactly because the runtime relies on `ResponseValue`
/// internals that are `#[doc(hidden)]` there.
pub fn cargo_toml(opts: &Options, title: &str) -> String {
    let workspace =
        if opts.standalone { "\n# Built on its own, outside any enclosing workspace.\n[workspace]\n" } else { "" };
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
rust-version = "1.88"
description = "Typed async client for {title}, generated from its REST spec."
license = "MIT"
publish = false
{workspace}
[features]
default = ["rustls"]
# TLS backends. A build without either (as the tests use, against plain-http loopback
# servers) compiles no TLS code at all.
rustls = ["reqwest/rustls"]
native-tls = ["reqwest/native-tls"]
# Adapts any azure_core TokenCredential (azure_identity's credentials) to this crate.
azure_core = ["dep:azure_core"]
# `dynamic`: every operation callable by id with JSON in and out, and the list of operations,
# for harnesses derived from the spec's examples or from recorded traffic.
dynamic = []

[dependencies]
progenitor-client = "=0.15.1"
reqwest = {{ version = "0.13", default-features = false, features = ["json", "query"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
base64 = "0.22"
bytes = "1"
http = "1"
futures-util = {{ version = "0.3", default-features = false, features = ["std"] }}
tokio = {{ version = "1", features = ["time"] }}
tracing = {{ version = "0.1", default-features = false, features = ["std"] }}
azure_core = {{ version = "1", optional = true, default-features = false }}
"#,
        name = opts.crate_name,
    )
}

/// The crate root: docs, modules and the public surface.
pub fn lib_rs(opts: &Options, facts: &AzureFacts, title: &str, client: &str, example: Option<&str>) -> String {
    let version = &facts.api_version;
    // A glob re-export of an empty module is an unused import.
    let enums_use = if facts.enums.is_empty() { "" } else { "    pub use crate::enums::*;\n" };
    let spec = Path::new(&opts.spec_label).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let mut docs = format!(
        "//! A typed async client for {title} (api-version {version}), generated from `{spec}`.\n\
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
         //! TLS comes from the `rustls` (default) or `native-tls` feature. The `dynamic` feature adds\n\
         //! `dynamic`: the list of operations, and `call_operation`, which calls one by its id with\n\
         //! JSON in and out (typed underneath), for test harnesses derived from data.\n"
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

// The modules are laid out by prettyplease (generated) or copied verbatim (runtime);
// rustfmt is told to leave them as written so `cargo fmt --check` and `codegen --check`
// never disagree.
#[rustfmt::skip]
mod client;
#[rustfmt::skip]
mod enums;
// progenitor's client is an implementation detail of the facade; its model types are
// public through `models`.
#[allow(dead_code, unused_imports)]
#[rustfmt::skip]
mod raw;
#[rustfmt::skip]
pub mod runtime;

pub use client::{client};
#[cfg(feature = "dynamic")]
pub use client::dynamic;
pub use runtime::{{AccessToken, StaticToken, TokenCredential}};
pub use runtime::{{Base64Url, UnixTime}};
pub use runtime::{{ClientOptions, RetryOptions}};
pub use runtime::{{Error, ErrorKind, Response}};

/// Request and response models of the API, and its enums.
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
