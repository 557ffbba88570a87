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

/// The words of `text` (runs of ASCII letters and digits) joined in UpperCamelCase, each
/// word's first letter raised and the rest kept: `key-type` → `KeyType`, `getHSM` → `GetHSM`.
pub fn upper_camel(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

/// A Rust type name for free text: `key-type` → `KeyType`, `1x` → `E1x`; `Self` (a keyword)
/// → `SelfEnum`. A name that already is one is kept as it is.
pub fn type_name(name: &str) -> String {
    let mut out = upper_camel(name);
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'E');
    }
    if out == "Self" {
        out.push_str("Enum");
    }
    out
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

/// A query or header parameter given a temporary wire name so that progenitor makes a distinct
/// argument of it; [`restore_parameters`] puts the real wire name back after progenitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamRename {
    /// The operation's `operationId`.
    pub operation_id: String,
    /// The name progenitor saw (`max_results_2`), which is also the argument's name.
    pub temporary: String,
    /// The name on the wire (`max_results`).
    pub wire: String,
}

/// Renames the second and later query or header parameters of an operation whose names fold
/// to one Rust argument (`maxResults`, `max_results`). A shared (`$ref`) parameter is
/// inlined before it is renamed, so other operations keep it as it is.
pub fn dedupe_parameters(doc: &mut Value) -> Vec<ParamRename> {
    let shared = doc.pointer("/components/parameters").cloned().unwrap_or(Value::Null);
    let resolve = |p: &Value| -> Value {
        match p.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/parameters/")) {
            Some(name) => shared.get(pointer::unescape(name)).cloned().unwrap_or_else(|| p.clone()),
            None => p.clone(),
        }
    };
    let mut out = Vec::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return out };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        let common: Vec<String> = item
            .get("parameters")
            .and_then(Value::as_array)
            .map(|ps| ps.iter().filter_map(|p| resolve(p).get("name")?.as_str().map(folded)).collect())
            .unwrap_or_default();
        for (method, op) in item.iter_mut() {
            if method == "parameters" || method.starts_with("x-") {
                continue;
            }
            let operation_id = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string();
            let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else { continue };
            let resolved: Vec<Value> = params.iter().map(&resolve).collect();
            let name_of = |p: &Value| p.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
            let all: Vec<String> = resolved.iter().map(|p| folded(&name_of(p))).chain(common.iter().cloned()).collect();
            let mut taken = common.clone();
            // Path parameters keep their names (they are in the path template): they go first.
            let mut order: Vec<usize> = (0..params.len()).collect();
            order.sort_by_key(|&i| resolved[i].get("in").and_then(Value::as_str) != Some("path"));
            for i in order {
                let wire = name_of(&resolved[i]);
                let location = resolved[i].get("in").and_then(Value::as_str).unwrap_or_default();
                if !taken.contains(&folded(&wire)) || !matches!(location, "query" | "header") {
                    taken.push(folded(&wire));
                    continue;
                }
                let base = wire.trim_end_matches('_');
                let mut n = 2;
                let temporary = loop {
                    let candidate = format!("{base}_{n}");
                    if !taken.contains(&folded(&candidate)) && !all.contains(&folded(&candidate)) {
                        break candidate;
                    }
                    n += 1;
                };
                let mut inline = resolved[i].clone();
                inline["name"] = Value::String(temporary.clone());
                params[i] = inline;
                taken.push(folded(&temporary));
                out.push(ParamRename { operation_id: operation_id.clone(), temporary, wire });
            }
        }
    }
    out
}

/// The extension of a restored parameter in the typed document naming its Rust argument.
pub const RUST_ARG: &str = "x-rust-arg";

/// Puts the wire names of renamed parameters back: in the string literals of progenitor's
/// method for the operation (query keys, header names) and in the typed document (which the
/// `dynamic` dispatcher reads wire names from).
pub fn restore_parameters(raw: &mut syn::File, openapi: &mut openapiv3::OpenAPI, renames: &[ParamRename]) {
    if renames.is_empty() {
        return;
    }
    for item in &mut raw.items {
        let Item::Impl(imp) = item else { continue };
        for f in &mut imp.items {
            let syn::ImplItem::Fn(f) = f else { continue };
            let method = folded(&f.sig.ident.to_string());
            let mine: Vec<&ParamRename> = renames.iter().filter(|r| folded(&r.operation_id) == method).collect();
            if mine.is_empty() {
                continue;
            }
            let tokens = relabel(f.block.to_token_stream(), &mine);
            if let Ok(block) = syn::parse2(tokens) {
                f.block = block;
            }
        }
    }
    for item in openapi.paths.paths.values_mut() {
        let openapiv3::ReferenceOr::Item(item) = item else { continue };
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for op in ops.into_iter().flatten() {
            let id = op.operation_id.clone().unwrap_or_default();
            for p in &mut op.parameters {
                let openapiv3::ReferenceOr::Item(p) = p else { continue };
                let data = match p {
                    openapiv3::Parameter::Query { parameter_data, .. }
                    | openapiv3::Parameter::Header { parameter_data, .. }
                    | openapiv3::Parameter::Path { parameter_data, .. }
                    | openapiv3::Parameter::Cookie { parameter_data, .. } => parameter_data,
                };
                if let Some(r) = renames.iter().find(|r| r.operation_id == id && r.temporary == data.name) {
                    data.name = r.wire.clone();
                    // The dispatcher pairs wire names with arguments; this one's differs.
                    data.extensions.insert(RUST_ARG.into(), Value::String(r.temporary.clone()));
                }
            }
        }
    }
}

/// `tokens` with every string literal naming a temporary parameter name replaced by the wire name.
fn relabel(tokens: proc_macro2::TokenStream, renames: &[&ParamRename]) -> proc_macro2::TokenStream {
    use proc_macro2::{Group, Literal, TokenTree};
    tokens
        .into_iter()
        .map(|t| match t {
            TokenTree::Group(g) => {
                let mut out = Group::new(g.delimiter(), relabel(g.stream(), renames));
                out.set_span(g.span());
                TokenTree::Group(out)
            }
            TokenTree::Literal(l) => {
                let text = l.to_string();
                match renames.iter().find(|r| text == format!("{:?}", r.temporary)) {
                    Some(r) => TokenTree::Literal(Literal::string(&r.wire)),
                    None => TokenTree::Literal(l),
                }
            }
            other => other,
        })
        .collect()
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
    fn parameters_that_fold_alike_get_temporary_names_and_the_wire_name_comes_back() {
        let mut doc = json!({
            "components": {"parameters": {"Max": {"name": "max_results", "in": "query", "schema": {"type": "string"}}}},
            "paths": {"/a/{maxResults}": {"get": {"operationId": "ListA", "parameters": [
                {"$ref": "#/components/parameters/Max"},
                {"name": "maxResults", "in": "path", "required": true, "schema": {"type": "string"}},
                {"name": "MAX-RESULTS", "in": "header", "schema": {"type": "string"}}
            ]}}}
        });
        let renames = dedupe_parameters(&mut doc);
        let wire: Vec<(&str, &str)> = renames.iter().map(|r| (r.temporary.as_str(), r.wire.as_str())).collect();
        assert_eq!(wire, [("max_results_2", "max_results"), ("MAX-RESULTS_3", "MAX-RESULTS")]);
        let params = doc.pointer("/paths/~1a~1{maxResults}/get/parameters").unwrap();
        assert_eq!(params[0]["name"], "max_results_2", "the shared parameter is inlined, then renamed");
        assert_eq!(params[1]["name"], "maxResults", "path parameters keep their names");
        assert_eq!(doc.pointer("/components/parameters/Max/name").unwrap(), "max_results");

        let mut raw: syn::File = parse_quote! {
            impl Client {
                pub async fn list_a(&self, max_results_2: Option<&str>) {
                    let r = q("max_results_2", &max_results_2);
                }
            }
        };
        let mut openapi: openapiv3::OpenAPI = serde_json::from_value(json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}
        }))
        .unwrap();
        restore_parameters(&mut raw, &mut openapi, &renames);
        let text = raw.to_token_stream().to_string();
        assert!(text.contains("q (\"max_results\" , & max_results_2)"), "{text}");
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
