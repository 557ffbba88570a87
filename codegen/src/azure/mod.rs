//! Stage 4: Azure's conventions, applied to the OpenAPI 3.0 document before progenitor sees it.
//!
//! One file per rule. Each rule reads the `x-ms-*` facts it needs, records what the emitter
//! must know in [`AzureFacts`], and rewrites the document into a shape progenitor handles.
//! The order matters: facts are collected before `extensions` strips every `x-` key.

pub mod aliases;
pub mod api_version;
pub mod default_response;
pub mod enums;
pub mod extensions;
pub mod formats;
pub mod host;
pub mod long_running;
pub mod nullable;
pub mod outcomes;
pub mod pageable;
pub mod parameters;
pub mod query_arrays;
pub mod responses;
pub mod secrets;
pub mod skip_url_encoding;

use std::path::Path;

use serde_json::Value;

use crate::error::Result;

pub use enums::EnumDef;
pub use outcomes::Outcome;
pub use pageable::Pageable;

/// What the Azure rules learned from the spec, for the stages after progenitor.
#[derive(Debug, Clone, Default)]
pub struct AzureFacts {
    /// The api-version the client sends unless told otherwise (the spec's `info.version`).
    pub api_version: String,
    /// The operations marked `x-ms-pageable`.
    pub pageables: Vec<Pageable>,
    /// Named string enums (hoisted `x-ms-enum`s and enum definitions), emitted as open enums.
    pub enums: Vec<EnumDef>,
    /// Operations with several success bodies, answered with an outcome enum.
    pub outcomes: Vec<Outcome>,
    /// Parameters renamed for progenitor, whose wire names go back after it.
    pub param_renames: Vec<crate::names::ParamRename>,
    /// Path parameters sent unencoded (`x-ms-skip-url-encoding`): (operationId, wire name).
    pub raw_path_params: Vec<(String, String)>,
    /// The long-running operations, which get a `begin_*` method returning a poller.
    pub long_running: Vec<long_running::LongRunning>,
}

/// Applies every rule to `doc`, an OpenAPI 3.0 document read from `file`.
pub fn apply(doc: &mut Value, file: &Path) -> Result<AzureFacts> {
    let api_version = doc.pointer("/info/version").and_then(Value::as_str).unwrap_or_default().to_string();
    host::apply(doc);
    api_version::apply(doc);
    aliases::apply(doc);
    let param_renames = crate::names::dedupe_parameters(doc);
    let pageables = pageable::collect(doc, file)?;
    let long_running = long_running::collect(doc, file)?;
    let enums = enums::hoist(doc)?;
    default_response::apply(doc);
    let outcomes = outcomes::apply(doc, file)?;
    let raw_path_params = skip_url_encoding::collect(doc)?;
    responses::check(doc, file)?;
    nullable::apply(doc)?;
    parameters::apply(doc)?;
    query_arrays::apply(doc)?;
    formats::apply(doc)?;
    secrets::apply(doc)?;
    extensions::apply(doc)?;
    Ok(AzureFacts { api_version, pageables, enums, outcomes, param_renames, raw_path_params, long_running })
}
