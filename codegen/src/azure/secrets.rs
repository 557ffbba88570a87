//! Secret-bearing string properties.
//!
//! A string schema marked `x-ms-secret: true` (Azure's marker for values that must not be
//! echoed or logged) or `format: password` becomes the runtime's `SecretString`, whose `Debug`
//! never shows the value: a `SecretBundle` printed with `{:?}` does not leak the secret. The
//! marker becomes a private format here because `extensions` later strips every `x-` key and
//! the progenitor stage maps formats, not extensions, to runtime types.

use serde_json::Value;

use crate::error::Result;

/// The format the progenitor stage maps to `keyvault_runtime::SecretString`.
pub const SECRET_FORMAT: &str = "x-kv-secret";

/// Marks every secret-bearing string schema with [`SECRET_FORMAT`].
pub fn apply(doc: &mut Value) -> Result<()> {
    crate::walk::schemas_mut(doc, &mut |_, schema| {
        let is_string = schema.get("type").and_then(Value::as_str) == Some("string");
        let marked = schema.get("x-ms-secret").and_then(Value::as_bool) == Some(true)
            || schema.get("format").and_then(Value::as_str) == Some("password");
        // Enums and patterns keep their own types; only free-form strings hold secrets.
        if is_string && marked && !schema.contains_key("enum") && !schema.contains_key("pattern") {
            schema.insert("format".into(), Value::from(SECRET_FORMAT));
        }
        Ok(())
    })
}
