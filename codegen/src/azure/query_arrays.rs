//! Array query parameters sent as one comma-separated value (`collectionFormat: csv`, which
//! is also Swagger 2.0's default; OpenAPI 3.0's `style: form, explode: false`).
//!
//! progenitor 0.15 sends every array query parameter as repeated keys (`names=a&names=b`),
//! which is right only for `multi`. A comma-separated one becomes a string parameter, so what
//! the caller passes (`"a,b"`) is what goes on the wire; the docs say so.

use serde_json::{Map, Value};

use crate::error::Result;

/// Rewrites the schema of every non-exploded array query parameter into a string.
pub fn apply(doc: &mut Value) -> Result<()> {
    let rewrite = |p: &mut Map<String, Value>| {
        let query = p.get("in").and_then(Value::as_str) == Some("query");
        let exploded = p.get("explode").and_then(Value::as_bool).unwrap_or(true);
        let array = p.get("schema").and_then(|s| s.get("type")).and_then(Value::as_str) == Some("array");
        if !query || exploded || !array {
            return;
        }
        p.insert("schema".into(), serde_json::json!({"type": "string"}));
        p.remove("style");
        p.remove("explode");
        let note = "Several values go comma-separated in this one parameter (`a,b`).";
        let description = match p.get("description").and_then(Value::as_str).map(str::trim) {
            Some(d) if !d.is_empty() => format!("{d} {note}"),
            _ => note.to_string(),
        };
        p.insert("description".into(), Value::String(description));
    };
    if let Some(shared) = doc.pointer_mut("/components/parameters").and_then(Value::as_object_mut) {
        shared.values_mut().filter_map(Value::as_object_mut).for_each(rewrite);
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return Ok(()) };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for (key, entry) in item.iter_mut() {
            let list = if key == "parameters" { Some(entry) } else { entry.get_mut("parameters") };
            if let Some(list) = list.and_then(Value::as_array_mut) {
                list.iter_mut().filter_map(Value::as_object_mut).for_each(rewrite);
            }
        }
    }
    Ok(())
}
