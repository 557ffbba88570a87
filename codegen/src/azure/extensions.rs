//! Strips `x-` keys from schemas once the other rules have read them.
//!
//! typify compares a whole schema (metadata aside) when looking up a type conversion, and
//! extensions are not metadata: `{type: string, format: base64url, x-ms-client-name: ...}`
//! would silently stay a `String`. Property *names* are data and are left alone.

use serde_json::Value;

use crate::error::Result;

/// Removes every key starting with `x-` from every schema object.
pub fn apply(doc: &mut Value) -> Result<()> {
    crate::walk::schemas_mut(doc, &mut |_, schema| {
        schema.retain(|k, _| !k.starts_with("x-"));
        Ok(())
    })
}
