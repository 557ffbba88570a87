//! `default` error responses.
//!
//! Azure declares errors as `default → KeyVaultError`. progenitor 0.15 counts `default` as a
//! possible success *and* error, and panics when the success type differs
//! (oxidecomputer/progenitor#950, #344). `4XX` + `5XX` say what `default` means here.

use serde_json::Value;

use crate::error::Result;

/// Replaces `default` with `4XX` and `5XX` (where not declared) carrying the same response.
pub fn apply(doc: &mut Value) {
    let _ = crate::walk::operations_mut(doc, &mut |_, op| -> Result<()> {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { return Ok(()) };
        let Some(default) = responses.shift_remove("default") else { return Ok(()) };
        for range in ["4XX", "5XX"] {
            responses.entry(range).or_insert_with(|| default.clone());
        }
        Ok(())
    });
}
