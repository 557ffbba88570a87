//! `#[non_exhaustive]` on the models that only ever come back from the service.
//!
//! The trade-off: a struct with public fields and no `#[non_exhaustive]` can be built with a
//! struct literal, but then every field a new api-version adds breaks that literal, so the
//! addition is a major version. Users never build response models (they read them, or start
//! from `Default` in test fakes), so marking them costs nothing and turns the most common spec
//! change, "the response gained a property", into a minor version. Request models (and every
//! model a request body reaches, such as `KeyAttributes` inside `KeyCreateParameters`) stay
//! exhaustive: `KeyRestoreParameters { value }` is the ergonomic way to build a request, and a
//! field added to a request is a real change for the caller anyway. So do the models no
//! operation uses (a spec may define them for its siblings): nothing says how they are used.
//!
//! Only structs with named fields are marked; newtypes keep their field private already.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::pointer;

/// Marks the response-only structs (reached from a response, never from a request) of progenitor's `types` module in `raw`.
///
/// Returns the Rust names of the structs it marked.
pub fn apply(raw: &mut syn::File, openapi: &openapiv3::OpenAPI) -> Vec<String> {
    let doc = serde_json::to_value(openapi).unwrap_or(Value::Null);
    let all = schema_names(&doc);
    let requested = request_reachable(&doc);
    // Schemas no operation uses (kept for other specs that share them) stay exhaustive too.
    let unused: BTreeSet<String> = all.difference(&response_reachable(&doc)).cloned().collect();
    let requested: BTreeSet<String> = requested.union(&unused).cloned().collect();
    let mut marked = Vec::new();
    let Some(types) = types_module(raw) else { return marked };
    for item in types.iter_mut() {
        let syn::Item::Struct(s) = item else { continue };
        if !matches!(s.fields, syn::Fields::Named(_)) || has_non_exhaustive(&s.attrs) {
            continue;
        }
        let name = s.ident.to_string();
        if is_response_only(&name, &all, &requested) {
            s.attrs.push(syn::parse_quote!(#[non_exhaustive]));
            marked.push(name);
        }
    }
    marked
}

/// Whether the Rust type `name` stands for a schema no request body reaches.
///
/// progenitor names a component schema after it (case and punctuation aside) and an inline
/// schema after its parent and the property (`KeyReleaseParametersTarget`), so an inline type
/// belongs to the longest schema name it starts with. A type matching no schema stays
/// exhaustive: when unsure, keep struct literals working.
pub fn is_response_only(name: &str, all: &BTreeSet<String>, requested: &BTreeSet<String>) -> bool {
    let key = normalize(name);
    let owner = all.iter().filter(|s| key.starts_with(normalize(s).as_str())).max_by_key(|s| normalize(s).len());
    owner.is_some_and(|s| !requested.contains(s))
}

/// Lower-case letters and digits only: how a schema name and its Rust type are compared.
pub fn normalize(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// The names under `components/schemas`.
pub fn schema_names(doc: &Value) -> BTreeSet<String> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// The component schemas reachable, through `$ref`s, from any operation's request body or
/// parameters.
pub fn request_reachable(doc: &Value) -> BTreeSet<String> {
    reachable(doc, &["requestBody", "parameters"], true)
}

/// The component schemas reachable, through `$ref`s, from any operation's responses.
pub fn response_reachable(doc: &Value) -> BTreeSet<String> {
    reachable(doc, &["responses"], false)
}

fn reachable(doc: &Value, parts: &[&str], path_parameters: bool) -> BTreeSet<String> {
    let mut todo = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for item in paths.values().filter_map(Value::as_object) {
            for (key, op) in item {
                if key == "parameters" {
                    if path_parameters {
                        refs(op, &mut todo);
                    }
                } else if let Some(op) = op.as_object() {
                    for part in parts {
                        if let Some(v) = op.get(*part) {
                            refs(v, &mut todo);
                        }
                    }
                }
            }
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(r) = todo.pop() {
        let resolved = if let Some(name) = r.strip_prefix("#/components/schemas/") {
            let name = pointer::unescape(name);
            if !seen.insert(name) {
                continue;
            }
            pointer::resolve(doc, &r[1..])
        } else {
            // Shared parameters, bodies and responses: follow them to the schemas they hold.
            r.strip_prefix('#').and_then(|p| pointer::resolve(doc, p))
        };
        if let Some(v) = resolved {
            refs(v, &mut todo);
        }
    }
    seen
}

fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                out.push(r.clone());
            }
            m.values().for_each(|x| refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

fn has_non_exhaustive(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("non_exhaustive"))
}

fn types_module(raw: &mut syn::File) -> Option<&mut Vec<syn::Item>> {
    raw.items.iter_mut().find_map(|i| match i {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn inline_types_follow_their_parent_schema() {
        let all = set(&["KeyBundle", "KeyReleaseParameters", "KeyRelease"]);
        let requested = set(&["KeyReleaseParameters"]);
        assert!(is_response_only("KeyBundle", &all, &requested));
        assert!(!is_response_only("KeyReleaseParametersTarget", &all, &requested));
        // The longest matching schema wins: `KeyRelease` alone is response-only.
        assert!(is_response_only("KeyReleaseResult", &all, &requested));
        // Unknown names stay exhaustive.
        assert!(!is_response_only("Unrelated", &all, &requested));
    }

    #[test]
    fn reachability_follows_refs_through_bodies_and_schemas() {
        let doc = serde_json::json!({
            "paths": {"/a": {"put": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}},
                "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Resp"}}}}}
            }}},
            "components": {"schemas": {
                "Req": {"properties": {"attrs": {"$ref": "#/components/schemas/Attrs"}}},
                "Attrs": {"properties": {"x": {"type": "string"}}},
                "Resp": {"properties": {"attrs": {"$ref": "#/components/schemas/Attrs"}}}
            }}
        });
        assert_eq!(request_reachable(&doc), set(&["Attrs", "Req"]));
        assert_eq!(response_reachable(&doc), set(&["Attrs", "Resp"]));
    }
}
