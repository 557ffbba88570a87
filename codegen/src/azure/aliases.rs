//! Definitions that are nothing but a `$ref` to another one (TypeSpec's `NullableError`).
//!
//! typify would turn each into a newtype wrapper, so `err.error.0.code` instead of
//! `err.error.code`; pointing every reference at the real target removes the wrapper.

use serde_json::Value;

/// Redirects references to pure-alias schemas to their targets and drops the aliases.
pub fn apply(doc: &mut Value) {
    let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) else { return };
    let mut aliases = Vec::new();
    for (name, s) in schemas {
        if let Some(target) = s.get("$ref").and_then(Value::as_str) {
            let own = format!("#/components/schemas/{name}");
            if target != own {
                aliases.push((own, target.to_string()));
            }
        }
    }
    if aliases.is_empty() {
        return;
    }
    // Follow alias chains to their final target (bounded: the bundler rejected pure cycles).
    let resolve = |r: &str| {
        let mut cur = r.to_string();
        for _ in 0..aliases.len() {
            match aliases.iter().find(|(a, _)| *a == cur) {
                Some((_, t)) => cur = t.clone(),
                None => break,
            }
        }
        cur
    };
    let mapping: Vec<(String, String)> = aliases.iter().map(|(a, _)| (a.clone(), resolve(a))).collect();
    rewrite(doc, &mapping);
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for (alias, _) in &mapping {
            schemas.shift_remove(alias.trim_start_matches("#/components/schemas/"));
        }
    }
}

fn rewrite(v: &mut Value, mapping: &[(String, String)]) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get_mut("$ref")
                && let Some((_, t)) = mapping.iter().find(|(a, _)| a == r)
            {
                *r = t.clone();
            }
            m.values_mut().for_each(|x| rewrite(x, mapping));
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite(x, mapping)),
        _ => {}
    }
}
