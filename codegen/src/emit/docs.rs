//! Field docs for the model types.
//!
//! typify documents a field from its schema's description, but a property that is a `$ref`
//! (`attributes`, `key`, `error`) has its description beside the reference, where OpenAPI 3.0
//! ignores it. The converter keeps those descriptions in the JSON document; this pass writes
//! them onto the fields that have none, so every public item has rustdoc.

use std::collections::BTreeMap;

use quote::ToTokens;
use serde_json::Value;
use syn::{Item, parse_quote};

/// (schema name, wire property name) → description.
pub type FieldDocs = BTreeMap<(String, String), String>;

/// Collects property descriptions from `components/schemas` of an OpenAPI 3.0 document,
/// including those of `allOf` parts (which typify merges into one struct).
pub fn collect(doc: &Value) -> FieldDocs {
    let mut out = FieldDocs::new();
    let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) else { return out };
    for (name, schema) in schemas {
        gather(doc, name, schema, &mut out, 0);
    }
    out
}

fn gather(doc: &Value, name: &str, schema: &Value, out: &mut FieldDocs, depth: usize) {
    if depth > 8 {
        return;
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (prop, p) in props {
            if let Some(d) = p.get("description").and_then(Value::as_str) {
                out.entry((name.to_string(), prop.clone())).or_insert_with(|| d.trim().to_string());
            }
        }
    }
    for part in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        let part = match part.get("$ref").and_then(Value::as_str) {
            Some(r) => crate::pointer::resolve(doc, r.trim_start_matches('#')).unwrap_or(part),
            None => part,
        };
        gather(doc, name, part, out, depth + 1);
    }
}

/// Adds docs to undocumented fields of the structs in `mod types`.
pub fn apply(raw: &mut syn::File, docs: &FieldDocs) {
    for item in &mut raw.items {
        let Item::Mod(m) = item else { continue };
        if m.ident != "types" {
            continue;
        }
        let Some((_, items)) = m.content.as_mut() else { continue };
        for item in items {
            if let Item::Enum(e) = item {
                document_variants(e);
                continue;
            }
            let Item::Struct(s) = item else { continue };
            let struct_name = s.ident.to_string();
            for field in s.fields.iter_mut() {
                if field.attrs.iter().any(|a| a.path().is_ident("doc")) {
                    continue;
                }
                let Some(ident) = field.ident.as_ref() else { continue };
                let wire = field
                    .attrs
                    .iter()
                    .find_map(|a| {
                        let text = a.to_token_stream().to_string();
                        let rest = text.split("rename = \"").nth(1)?;
                        Some(rest.split('"').next()?.to_string())
                    })
                    .unwrap_or_else(|| ident.to_string());
                let text = match docs.get(&(struct_name.clone(), wire.clone())) {
                    Some(d) => format!(" {d}"),
                    None => format!(" The `{wire}` property."),
                };
                field.attrs.insert(0, parse_quote!(#[doc = #text]));
            }
        }
    }
}

/// typify's own enums (inline string enums without `x-ms-enum`, untagged unions) have no
/// variant docs; each variant is documented by its wire value, or its name.
fn document_variants(e: &mut syn::ItemEnum) {
    for v in e.variants.iter_mut() {
        if v.attrs.iter().any(|a| a.path().is_ident("doc")) {
            continue;
        }
        let wire = v.attrs.iter().find_map(|a| {
            let text = a.to_token_stream().to_string();
            let rest = text.split("rename = \"").nth(1)?;
            Some(rest.split('"').next()?.to_string())
        });
        let text = match wire {
            Some(w) => format!(" `{w}`"),
            None => format!(" `{}`", v.ident),
        };
        v.attrs.insert(0, parse_quote!(#[doc = #text]));
    }
}
