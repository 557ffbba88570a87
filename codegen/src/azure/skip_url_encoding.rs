//! `x-ms-skip-url-encoding` on an operation's path parameter: its value goes into the path
//! as given (slashes included), not percent-encoded as one segment.
//!
//! progenitor encodes every path parameter; the rule records which ones must not be, and the
//! emitter removes the encoding from their methods (see `emit::raw_passes`).

use serde_json::Value;

use crate::error::Result;

/// (operationId, wire name) of every path parameter marked `x-ms-skip-url-encoding`.
pub fn collect(doc: &mut Value) -> Result<Vec<(String, String)>> {
    let shared = doc.pointer("/components/parameters").cloned().unwrap_or(Value::Null);
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else { return Ok(out) };
    for item in paths.values().filter_map(Value::as_object) {
        let common = item.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
        for (method, op) in item {
            if method == "parameters" || method.starts_with("x-") {
                continue;
            }
            let Some(id) = op.get("operationId").and_then(Value::as_str) else { continue };
            let own = op.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
            for p in own.iter().chain(common.iter()) {
                let p = match p
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/parameters/"))
                {
                    Some(name) => shared.get(crate::pointer::unescape(name)).unwrap_or(p),
                    None => p,
                };
                let raw = p.get("x-ms-skip-url-encoding").and_then(Value::as_bool) == Some(true);
                if raw
                    && p.get("in").and_then(Value::as_str) == Some("path")
                    && let Some(name) = p.get("name").and_then(Value::as_str)
                {
                    out.push((id.to_string(), name.to_string()));
                }
            }
        }
    }
    Ok(out)
}
