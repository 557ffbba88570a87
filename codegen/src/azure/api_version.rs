//! `api-version`: a client setting, never a per-call argument.
//!
//! Azure marks it `x-ms-parameter-location: client` (7.4) or `method` (TypeSpec output), but
//! either way every operation needs the same value. Left in, progenitor would add an
//! `api_version` argument to every method; the client runtime appends the query parameter
//! instead (and removes the `api-version` header progenitor adds on its own).

use serde_json::Value;

/// Removes every query parameter named `api-version` from the operations.
pub fn apply(doc: &mut Value) {
    super::parameters::retain_parameters(doc, &mut |p| {
        !(p.get("in").and_then(Value::as_str) == Some("query")
            && p.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case("api-version")))
    });
}
