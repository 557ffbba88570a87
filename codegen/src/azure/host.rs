//! `x-ms-parameterized-host`: the vault URL is a client setting, not an operation argument.
//!
//! The converter already turned the host template into `servers`; here the host's own
//! parameters (`vaultBaseUrl`) are removed wherever an operation still lists them, because
//! the generated client takes the vault URL once, at construction.

use serde_json::Value;

/// Removes the host template's parameters from every operation and path item.
pub fn apply(doc: &mut Value) {
    let names: Vec<String> = doc
        .pointer("/x-ms-parameterized-host/parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("name").and_then(Value::as_str).map(String::from))
        .collect();
    if let Some(root) = doc.as_object_mut() {
        root.remove("x-ms-parameterized-host");
    }
    if names.is_empty() {
        return;
    }
    super::parameters::retain_parameters(doc, &mut |p| {
        !(p.get("in").and_then(Value::as_str) == Some("path")
            && p.get("name").and_then(Value::as_str).is_some_and(|n| names.iter().any(|x| x == n)))
    });
}
