//! Parameter constraints that would leak validation newtypes into the public API.
//!
//! typify turns a `pattern` on a path parameter into a newtype that callers must `parse()`
//! (`CreateKeyKeyName`), and `minimum: 1` into `NonZeroU32`. The service validates both and
//! answers with a typed error, so the client takes plain `&str` and integers.

use serde_json::{Map, Value};

use crate::error::Result;

/// Removes `pattern`/length bounds from path and query parameters, and numeric bounds from
/// query parameters.
pub fn apply(doc: &mut Value) -> Result<()> {
    let strip = |p: &mut Map<String, Value>| {
        let location = p.get("in").and_then(Value::as_str).unwrap_or_default().to_string();
        if let Some(schema) = p.get_mut("schema").and_then(Value::as_object_mut) {
            if location == "path" || location == "query" {
                for k in ["pattern", "minLength", "maxLength"] {
                    schema.remove(k);
                }
            }
            if location == "query" {
                for k in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] {
                    schema.remove(k);
                }
            }
        }
    };
    if let Some(shared) = doc.pointer_mut("/components/parameters").and_then(Value::as_object_mut) {
        for p in shared.values_mut().filter_map(Value::as_object_mut) {
            strip(p);
        }
    }
    for_each_parameter_list(doc, &mut |list| {
        for p in list.iter_mut().filter_map(Value::as_object_mut) {
            strip(p);
        }
    });
    Ok(())
}

/// Keeps only the parameters (inline, or by `$ref` into `components/parameters`) for which
/// `keep` is true, in every operation and path item.
pub fn retain_parameters(doc: &mut Value, keep: &mut dyn FnMut(&Value) -> bool) {
    let shared = doc.pointer("/components/parameters").cloned().unwrap_or(Value::Null);
    for_each_parameter_list(doc, &mut |list| {
        list.retain(|p| {
            let target = match p.get("$ref").and_then(Value::as_str) {
                Some(r) => shared.get(r.rsplit('/').next().unwrap_or_default()).unwrap_or(p),
                None => p,
            };
            keep(target)
        });
    });
}

fn for_each_parameter_list(doc: &mut Value, f: &mut dyn FnMut(&mut Vec<Value>)) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for (key, v) in item.iter_mut() {
            if key == "parameters" {
                if let Some(list) = v.as_array_mut() {
                    f(list);
                }
            } else if let Some(list) = v.get_mut("parameters").and_then(Value::as_array_mut) {
                f(list);
            }
        }
    }
}
