//! Distinct Rust names for spec names that differ on the wire but not once made Rust
//! identifiers.
//!
//! typify turns `Item`, `item` and `ITEM` into one type name, and the properties
//! `camelCase`, `CamelCase` and `camel_case` (or `self` and `Self`) into one field name,
//! which does not compile. Both passes keep the first occurrence's name and give the others a
//! numbered one, in document order, so the output is the same on every run; the wire names
//! do not change (a renamed field carries `#[serde(rename)]` with its wire name).
//!
//! Models named like std or runtime types (`Error`, `Result`, `Option`, `Client`, ...) keep
//! their names: the generated code reaches models as `types::X` and std types by their full
//! paths (`::std::option::Option`), so no model shadows anything.

use quote::ToTokens;
use serde_json::Value;
use syn::{Item, parse_quote};

use crate::pointer;

/// What a name becomes once made a Rust identifier, loosely: lowercase letters and digits.
/// Looser than typify's own rule, so every real collision is caught (and, at worst, a name
/// that would not have collided is renamed too).
fn folded(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// Renames schemas of `components/schemas` whose names fold to the same identifier
/// (`item` → `item2`), and every `$ref` to them.
pub fn dedupe_schemas(doc: &mut Value) {
    let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) else { return };
    let names: Vec<String> = schemas.keys().cloned().collect();
    let folds: Vec<String> = names.iter().map(|n| folded(n)).collect();
    let mut taken: Vec<String> = Vec::new();
    let mut renames: Vec<(String, String)> = Vec::new();
    for name in &names {
        if !taken.contains(&folded(name)) {
            taken.push(folded(name));
            continue;
        }
        let mut n = 2;
        let renamed = loop {
            let candidate = format!("{name}{n}");
            // Free among the names given so far and the names still to come.
            if !taken.contains(&folded(&candidate)) && !folds.contains(&folded(&candidate)) {
                break candidate;
            }
            n += 1;
        };
        taken.push(folded(&renamed));
        renames.push((name.clone(), renamed));
    }
    if renames.is_empty() {
        return;
    }
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        let old = std::mem::take(schemas);
        for (k, v) in old {
            let k = renames.iter().find(|(from, _)| *from == k).map(|(_, to)| to.clone()).unwrap_or(k);
            schemas.insert(k, v);
        }
    }
    let refs: Vec<(String, String)> = renames
        .iter()
        .map(|(from, to)| {
            (
                format!("#/components/schemas/{}", pointer::escape(from)),
                format!("#/components/schemas/{}", pointer::escape(to)),
            )
        })
        .collect();
    rewrite_refs(doc, &refs);
}

fn rewrite_refs(v: &mut Value, refs: &[(String, String)]) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                if k == "$ref"
                    && let Value::String(r) = child
                    && let Some((_, to)) = refs.iter().find(|(from, _)| from == r)
                {
                    *r = to.clone();
                } else {
                    rewrite_refs(child, refs);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|c| rewrite_refs(c, refs)),
        _ => {}
    }
}

/// Gives the second and later fields of one name in a model struct of `mod types` a numbered
/// name (`camel_case_2`), keeping their wire name through `#[serde(rename)]`.
pub fn dedupe_fields(raw: &mut syn::File) {
    for item in &mut raw.items {
        let Item::Mod(m) = item else { continue };
        if m.ident != "types" {
            continue;
        }
        let Some((_, items)) = m.content.as_mut() else { continue };
        for item in items {
            let Item::Struct(s) = item else { continue };
            let all: Vec<String> = s.fields.iter().filter_map(|f| f.ident.as_ref().map(|i| i.to_string())).collect();
            let mut seen: Vec<String> = Vec::new();
            for field in s.fields.iter_mut() {
                let Some(ident) = field.ident.clone() else { continue };
                let name = ident.to_string();
                if !seen.contains(&name) {
                    seen.push(name);
                    continue;
                }
                // `self_` → `self_2`, not `self__2` (snake case allows no double underscore).
                let base = name.trim_end_matches('_').to_string();
                let mut n = 2;
                let renamed = loop {
                    let candidate = format!("{base}_{n}");
                    if !seen.contains(&candidate) && !all.contains(&candidate) {
                        break candidate;
                    }
                    n += 1;
                };
                let has_rename = field.attrs.iter().any(|a| a.to_token_stream().to_string().contains("rename ="));
                if !has_rename {
                    // Without a rename the wire name was the identifier itself.
                    let wire = syn::ext::IdentExt::unraw(&ident).to_string();
                    field.attrs.push(parse_quote!(#[serde(rename = #wire)]));
                }
                field.ident = Some(syn::Ident::new(&renamed, ident.span()));
                seen.push(renamed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn schemas_that_fold_alike_get_numbered_names_and_refs_follow() {
        let mut doc = json!({
            "paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ITEM"}}}}}}}},
            "components": {"schemas": {
                "Item": {"type": "object"},
                "item": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/item"}}},
                "ITEM": {"type": "object"},
                "item2": {"type": "object"}
            }}
        });
        dedupe_schemas(&mut doc);
        let keys: Vec<&String> = doc["components"]["schemas"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["Item", "item3", "ITEM4", "item2"]);
        assert_eq!(doc["components"]["schemas"]["item3"]["properties"]["next"]["$ref"], "#/components/schemas/item3");
        assert_eq!(
            doc.pointer("/paths/~1a/get/responses/200/content/application~1json/schema/$ref").unwrap(),
            "#/components/schemas/ITEM4"
        );
    }

    #[test]
    fn duplicate_fields_are_numbered_and_keep_their_wire_names() {
        let mut raw: syn::File = parse_quote! {
            pub mod types {
                pub struct Item {
                    #[serde(rename = "camelCase")]
                    pub camel_case: Option<String>,
                    pub camel_case: Option<String>,
                    pub camel_case_2: Option<String>,
                }
            }
        };
        dedupe_fields(&mut raw);
        let text = raw.to_token_stream().to_string();
        assert!(text.contains("pub camel_case : Option"), "{text}");
        assert!(text.contains("# [serde (rename = \"camel_case\")] pub camel_case_3"), "{text}");
        assert!(text.contains("pub camel_case_2 : Option"), "{text}");
    }
}
