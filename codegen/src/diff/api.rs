//! The public API of a generated client, read back from the generated Rust.
//!
//! Reading the emitted code (rather than the spec) means the comparison sees exactly what a
//! downstream crate compiles against: the facade's methods on the client struct
//! (`src/client.rs`), progenitor's models (`pub mod types` of `src/raw.rs`), the open enums
//! (`src/enums.rs`) and `DEFAULT_API_VERSION` (`src/lib.rs`). The runtime files are left out
//! on purpose: they do not depend on the spec.
//!
//! Each item is tied back to where it comes from in the spec, for the report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use quote::ToTokens;
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::{bundle, emit, load, pointer};

/// Where an item of the generated API comes from in the spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The operationId or definition name (empty for items the generator adds on its own,
    /// such as the client's constructors).
    pub item: String,
    /// The spec file, relative to the root spec's folder (`keys.json`, `common.json`).
    pub file: String,
    /// JSON pointer inside `file` (`/paths/~1keys~1{key-name}/put`).
    pub pointer: String,
}

impl Origin {
    /// An item the generator makes without a spec counterpart.
    fn generator() -> Self {
        Origin { item: String::new(), file: String::new(), pointer: String::new() }
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.item.is_empty() && self.pointer.is_empty() {
            return f.write_str("(generator)");
        }
        write!(f, "{} ({}#{})", self.item, self.file, self.pointer)
    }
}

/// What kind of client method it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MethodKind {
    /// One call of one operation.
    Operation,
    /// The `*_pages` pager of a pageable operation.
    Pager,
    /// The `*_stream` item stream of a pageable operation.
    Stream,
    /// A constructor or accessor the generator adds (`new`, `vault_url`).
    Client,
}

/// A public method of the client struct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Method {
    /// The method name.
    pub name: String,
    /// Operation, pager or stream.
    pub kind: MethodKind,
    /// Arguments after `self`: name and normalized type.
    pub params: Vec<(String, String)>,
    /// Normalized return type (`async` methods: the awaited output).
    pub returns: String,
    /// The operation it calls.
    pub origin: Origin,
}

/// A field of a model struct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    /// Rust field name.
    pub name: String,
    /// Normalized type.
    pub ty: String,
    /// Whether the type is `Option<_>`.
    pub optional: bool,
    /// The JSON property name (serde `rename`, else the field name).
    pub wire: String,
    /// The property in the spec.
    pub origin: Origin,
}

/// How a model is shaped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// A struct with public named fields, by Rust name.
    Struct(BTreeMap<String, Field>),
    /// A tuple struct around one type (its field is private).
    Newtype(String),
}

/// A model of progenitor's `types` module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Model {
    /// The type name.
    pub name: String,
    /// Fields or wrapped type.
    pub shape: Shape,
    /// Whether it carries `#[non_exhaustive]`.
    pub non_exhaustive: bool,
    /// The definition it comes from.
    pub origin: Origin,
}

/// A string enum, open (with an `UnknownValue(String)` catch-all) or closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enum {
    /// The type name.
    pub name: String,
    /// Wire value → variant name.
    pub values: BTreeMap<String, String>,
    /// Whether unknown values are kept rather than refused.
    pub open: bool,
    /// Whether it carries `#[non_exhaustive]`.
    pub non_exhaustive: bool,
    /// The definition or `x-ms-enum` it comes from.
    pub origin: Origin,
}

/// The public API of one generated client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Api {
    /// The root spec file's name (`keys.json`).
    pub spec: String,
    /// The client struct's name.
    pub client: String,
    /// `DEFAULT_API_VERSION`.
    pub api_version: String,
    /// Methods by name.
    pub methods: BTreeMap<String, Method>,
    /// Models by name.
    pub models: BTreeMap<String, Model>,
    /// Enums by name.
    pub enums: BTreeMap<String, Enum>,
    /// The spec-dependent source files (client, models, enums, lib), to tell "nothing
    /// changed" from "only docs changed".
    #[serde(skip)]
    pub sources: BTreeMap<String, String>,
}

/// The files [`Api`] is read from.
pub const SOURCES: [&str; 4] = ["src/client.rs", "src/raw.rs", "src/enums.rs", "src/lib.rs"];

/// Generates the client for `spec` in memory and reads its API.
pub fn of_spec(spec: &Path) -> Result<Api> {
    let opts = crate::Options {
        spec: spec.to_path_buf(),
        // The same label on both sides, so that headers never count as a difference.
        spec_label: "spec".into(),
        crate_name: "generated-client".into(),
        client_name: None,
        standalone: false,
        // Never written: the Cargo.toml that names it is not part of the API compared.
        runtime_path: "../../runtime".into(),
    };
    let generated = crate::generate(&opts)?;
    let files: BTreeMap<String, String> = generated
        .files
        .into_iter()
        .map(|f| (f.path.to_string_lossy().replace('\\', "/"), f.contents))
        .filter(|(p, _)| SOURCES.contains(&p.as_str()))
        .collect();
    let loaded = load::read_json(spec)?;
    let bundled = bundle::bundle(loaded)?;
    of_files(spec, &files, &Spec::new(&bundled))
}

/// The bundled spec, for origins.
pub struct Spec<'a> {
    bundled: &'a bundle::Bundled,
    /// Normalized definition name → definition name.
    definitions: BTreeMap<String, String>,
}

impl<'a> Spec<'a> {
    /// Indexes the definitions of `bundled`.
    pub fn new(bundled: &'a bundle::Bundled) -> Self {
        let definitions = bundled
            .doc
            .get("definitions")
            .and_then(Value::as_object)
            .map(|m| m.keys().map(|k| (emit::non_exhaustive::normalize(k), k.clone())).collect())
            .unwrap_or_default();
        Spec { bundled, definitions }
    }

    fn origin(&self, item: &str, local: &str) -> Origin {
        let (file, pointer) = bundle::locate(local, &self.bundled.path, &self.bundled.origins);
        Origin { item: item.to_string(), file: relative(&file, &self.bundled.path), pointer }
    }

    /// The operation behind a method. progenitor's records carry the operationId in snake
    /// case (`get_key_attestation`), so ids are compared without case or punctuation, and
    /// the spec's own spelling (`GetKeyAttestation`) is reported.
    fn operation(&self, operation_id: &str) -> Origin {
        let wanted = emit::non_exhaustive::normalize(operation_id);
        let paths = self.bundled.doc.get("paths").and_then(Value::as_object);
        for (path, item) in paths.into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                let Some(id) = op.get("operationId").and_then(Value::as_str) else { continue };
                if emit::non_exhaustive::normalize(id) == wanted {
                    return self.origin(id, &pointer::join(&pointer::join("/paths", path), method));
                }
            }
        }
        Origin {
            item: operation_id.to_string(),
            file: relative(&self.bundled.path, &self.bundled.path),
            pointer: String::new(),
        }
    }

    /// The definition a Rust type name comes from: the same name, or for an inline type
    /// (`KeyReleaseParametersTarget`) the longest definition name it starts with.
    fn definition(&self, rust_name: &str) -> Option<&str> {
        let key = emit::non_exhaustive::normalize(rust_name);
        self.definitions
            .iter()
            .filter(|(n, _)| key.starts_with(n.as_str()))
            .max_by_key(|(n, _)| n.len())
            .map(|(_, d)| d.as_str())
    }

    fn model(&self, rust_name: &str) -> Origin {
        match self.definition(rust_name) {
            Some(d) => self.origin(d, &pointer::join("/definitions", d)),
            None => Origin { item: rust_name.to_string(), ..Origin::generator() },
        }
    }

    /// The property `wire` of the definition behind `rust_name`, looked for in the
    /// definition itself and then in the definitions its `allOf` inherits from.
    fn field(&self, rust_name: &str, wire: &str) -> Origin {
        let Some(d) = self.definition(rust_name) else { return self.model(rust_name) };
        let mut todo = vec![pointer::join("/definitions", d)];
        let mut seen = Vec::new();
        while let Some(at) = todo.pop() {
            if seen.contains(&at) {
                continue;
            }
            seen.push(at.clone());
            let Some(schema) = pointer::resolve(&self.bundled.doc, &at) else { continue };
            let prop = pointer::join(&format!("{at}/properties"), wire);
            if pointer::resolve(&self.bundled.doc, &prop).is_some() {
                return self.origin(&format!("{d}.{wire}"), &prop);
            }
            for parent in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
                if let Some(r) = parent.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
                    todo.push(r.to_string());
                }
            }
        }
        self.model(rust_name)
    }

    /// A named enum: a definition of that name, else the first inline `x-ms-enum` naming it.
    fn enumeration(&self, name: &str) -> Origin {
        if let Some(d) = self.definitions.get(&emit::non_exhaustive::normalize(name)) {
            return self.origin(d, &pointer::join("/definitions", d));
        }
        match find_x_ms_enum(&self.bundled.doc, name, String::new()) {
            Some(at) => self.origin(name, &at),
            None => Origin { item: name.to_string(), ..Origin::generator() },
        }
    }
}

fn find_x_ms_enum(v: &Value, name: &str, at: String) -> Option<String> {
    match v {
        Value::Object(m) => {
            if m.get("x-ms-enum").and_then(|e| e.get("name")).and_then(Value::as_str) == Some(name) {
                return Some(at);
            }
            m.iter()
                .filter(|(k, _)| *k != "x-ms-examples")
                .find_map(|(k, x)| find_x_ms_enum(x, name, pointer::join(&at, k)))
        }
        Value::Array(a) => a.iter().enumerate().find_map(|(i, x)| find_x_ms_enum(x, name, format!("{at}/{i}"))),
        _ => None,
    }
}

fn relative(file: &Path, root: &Path) -> String {
    let dir = root.parent().unwrap_or(Path::new(""));
    let rel: PathBuf = file.strip_prefix(dir).map(Path::to_path_buf).unwrap_or_else(|_| file.to_path_buf());
    rel.to_string_lossy().replace('\\', "/")
}

/// Reads the API out of the generated `files` (path → contents).
pub fn of_files(spec: &Path, files: &BTreeMap<String, String>, origins: &Spec<'_>) -> Result<Api> {
    let parse = |name: &str| -> Result<syn::File> {
        let text = files.get(name).ok_or_else(|| Error::Generate {
            file: spec.to_path_buf(),
            message: format!("the generated crate has no {name}"),
        })?;
        syn::parse_file(text).map_err(|e| Error::Generate {
            file: spec.to_path_buf(),
            message: format!("generated {name} does not parse: {e}"),
        })
    };
    let client_rs = parse("src/client.rs")?;
    let raw_rs = parse("src/raw.rs")?;
    let enums_rs = parse("src/enums.rs")?;
    let lib_rs = parse("src/lib.rs")?;

    let operation_ids: BTreeMap<String, String> =
        emit::facade::operations(&raw_rs).into_iter().map(|o| (o.method.to_string(), o.operation_id)).collect();
    let (client, methods) = methods(&client_rs, &operation_ids, origins);
    let mut models = BTreeMap::new();
    let mut enums = BTreeMap::new();
    for item in types_items(&raw_rs) {
        match item {
            syn::Item::Struct(s) if matches!(s.vis, syn::Visibility::Public(_)) => {
                let m = model(s, origins);
                models.insert(m.name.clone(), m);
            }
            syn::Item::Enum(e) if matches!(e.vis, syn::Visibility::Public(_)) => {
                let e = enumeration(e, &enums_rs, origins);
                enums.insert(e.name.clone(), e);
            }
            _ => {}
        }
    }
    for item in &enums_rs.items {
        if let syn::Item::Enum(e) = item {
            let e = enumeration(e, &enums_rs, origins);
            enums.insert(e.name.clone(), e);
        }
    }
    let api_version = lib_rs
        .items
        .iter()
        .find_map(|i| match i {
            syn::Item::Const(c) if c.ident == "DEFAULT_API_VERSION" => match &*c.expr {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .unwrap_or_default();
    let spec_name = relative(spec, spec);
    Ok(Api { spec: spec_name, client, api_version, methods, models, enums, sources: files.clone() })
}

fn methods(
    client_rs: &syn::File,
    operation_ids: &BTreeMap<String, String>,
    origins: &Spec<'_>,
) -> (String, BTreeMap<String, Method>) {
    let client = client_rs
        .items
        .iter()
        .find_map(|i| match i {
            syn::Item::Struct(s) if matches!(s.vis, syn::Visibility::Public(_)) => Some(s.ident.to_string()),
            _ => None,
        })
        .unwrap_or_default();
    let mut out = BTreeMap::new();
    for item in &client_rs.items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || normalize_type(&imp.self_ty.to_token_stream().to_string()) != client {
            continue;
        }
        for f in &imp.items {
            let syn::ImplItem::Fn(f) = f else { continue };
            if !matches!(f.vis, syn::Visibility::Public(_)) {
                continue;
            }
            let name = f.sig.ident.to_string();
            let (kind, op) = if let Some(op) = operation_ids.get(&name) {
                (MethodKind::Operation, Some(op))
            } else if let Some(op) = name.strip_suffix("_pages").and_then(|b| operation_ids.get(b)) {
                (MethodKind::Pager, Some(op))
            } else if let Some(op) = name.strip_suffix("_stream").and_then(|b| operation_ids.get(b)) {
                (MethodKind::Stream, Some(op))
            } else {
                (MethodKind::Client, None)
            };
            let params = f
                .sig
                .inputs
                .iter()
                .filter_map(|a| match a {
                    syn::FnArg::Typed(t) => {
                        Some((t.pat.to_token_stream().to_string(), normalize_type(&t.ty.to_token_stream().to_string())))
                    }
                    syn::FnArg::Receiver(_) => None,
                })
                .collect();
            let returns = match &f.sig.output {
                syn::ReturnType::Default => "()".to_string(),
                syn::ReturnType::Type(_, t) => normalize_type(&t.to_token_stream().to_string()),
            };
            let origin = op.map(|op| origins.operation(op)).unwrap_or_else(Origin::generator);
            out.insert(name.clone(), Method { name, kind, params, returns, origin });
        }
    }
    (client, out)
}

fn types_items(raw: &syn::File) -> &[syn::Item] {
    raw.items
        .iter()
        .find_map(|i| match i {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, items)| items.as_slice()),
            _ => None,
        })
        .unwrap_or(&[])
}

fn non_exhaustive(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("non_exhaustive"))
}

fn model(s: &syn::ItemStruct, origins: &Spec<'_>) -> Model {
    let name = s.ident.to_string();
    let shape = match &s.fields {
        syn::Fields::Named(named) => Shape::Struct(
            named
                .named
                .iter()
                .filter(|f| matches!(f.vis, syn::Visibility::Public(_)))
                .filter_map(|f| {
                    let ident = f.ident.as_ref()?.to_string();
                    let ident = ident.strip_prefix("r#").unwrap_or(&ident).to_string();
                    let ty = normalize_type(&f.ty.to_token_stream().to_string());
                    let wire = serde_rename(&f.attrs).unwrap_or_else(|| ident.clone());
                    let origin = origins.field(&name, &wire);
                    Some((ident.clone(), Field { name: ident, optional: ty.starts_with("Option<"), ty, wire, origin }))
                })
                .collect(),
        ),
        syn::Fields::Unnamed(u) => {
            Shape::Newtype(u.unnamed.iter().map(|f| normalize_type(&f.ty.to_token_stream().to_string())).collect())
        }
        syn::Fields::Unit => Shape::Newtype("()".into()),
    };
    Model { origin: origins.model(&name), name, shape, non_exhaustive: non_exhaustive(&s.attrs) }
}

/// Reads an enum: variants and wire values (serde `rename` in progenitor's enums, the
/// `as_str` match in ours), and whether it has the `UnknownValue(String)` catch-all.
fn enumeration(e: &syn::ItemEnum, enums_rs: &syn::File, origins: &Spec<'_>) -> Enum {
    let name = e.ident.to_string();
    let wire_of = as_str_arms(enums_rs, &name);
    let mut values = BTreeMap::new();
    let mut open = false;
    for v in &e.variants {
        let variant = v.ident.to_string();
        if variant == "UnknownValue" && matches!(v.fields, syn::Fields::Unnamed(_)) {
            open = true;
            continue;
        }
        let wire = wire_of.get(&variant).cloned().or_else(|| serde_rename(&v.attrs)).unwrap_or_else(|| variant.clone());
        values.insert(wire, variant);
    }
    Enum { origin: origins.enumeration(&name), name, values, open, non_exhaustive: non_exhaustive(&e.attrs) }
}

fn as_str_arms(file: &syn::File, enum_name: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for item in &file.items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || imp.self_ty.to_token_stream().to_string() != enum_name {
            continue;
        }
        for f in &imp.items {
            let syn::ImplItem::Fn(f) = f else { continue };
            if f.sig.ident != "as_str" {
                continue;
            }
            for stmt in &f.block.stmts {
                let syn::Stmt::Expr(syn::Expr::Match(m), _) = stmt else { continue };
                for arm in &m.arms {
                    let (syn::Pat::Path(p), syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. })) =
                        (&arm.pat, &*arm.body)
                    else {
                        continue;
                    };
                    if let Some(last) = p.path.segments.last() {
                        out.insert(last.ident.to_string(), s.value());
                    }
                }
            }
        }
    }
    out
}

fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut found = None;
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let s: syn::LitStr = meta.value()?.parse()?;
                found = Some(s.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            } else if meta.input.peek(syn::token::Paren) {
                let _content;
                syn::parenthesized!(_content in meta.input);
            }
            Ok(())
        });
    }
    found
}

/// A type as a short, comparable string: paths cut to their last segment
/// (`::std::option::Option<crate::runtime::UnixTime>` → `Option<UnixTime>`), lifetimes
/// dropped (they follow from `&self` and never change what a caller writes), no spaces
/// except between two words.
pub fn normalize_type(tokens: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let mut iter = tokens.split_whitespace().peekable();
    while let Some(t) = iter.next() {
        if t == "::" {
            if kept.last().is_some_and(|p| p.chars().all(|c| c.is_alphanumeric() || c == '_')) {
                kept.pop();
            }
            continue;
        }
        if t.starts_with('\'') {
            if kept.last() == Some(&"+") {
                kept.pop();
            }
            // `<'a>` alone: drop the brackets too; `<'a, T>`: drop the comma.
            if iter.peek() == Some(&",") {
                iter.next();
            }
            continue;
        }
        kept.push(t);
    }
    let mut out = String::new();
    for t in kept {
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if word(out.chars().last()) && word(t.chars().next()) {
            out.push(' ');
        }
        out.push_str(t);
    }
    out.replace("<>", "")
}

#[cfg(test)]
mod tests {
    use super::normalize_type;

    #[test]
    fn types_lose_paths_lifetimes_and_spaces() {
        assert_eq!(normalize_type(":: std :: option :: Option < crate :: runtime :: UnixTime >"), "Option<UnixTime>");
        assert_eq!(normalize_type("& 'a types :: KeyCreateParameters"), "&KeyCreateParameters");
        assert_eq!(
            normalize_type("impl futures_util :: Stream < Item = Result < types :: KeyItem , Error > > + Send + 'a"),
            "impl Stream<Item=Result<KeyItem,Error>>+Send"
        );
        assert_eq!(normalize_type("Result < Response < () > , Error >"), "Result<Response<()>,Error>");
    }
}
