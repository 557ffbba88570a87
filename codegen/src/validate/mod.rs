//! Structural checks of a spec, before conversion: anything Swagger 2.0 or OpenAPI 3.0 forbids
//! that would otherwise be skipped over, guessed at, or reach progenitor (which reports
//! without a location, or panics). Every error names the file and JSON pointer.
//!
//! The checks run on the bundled document in its own dialect, so pointers are the spec's own
//! and map back to the file each value came from. One file per concern:
//! [`structure`] (root, info, sections, host), [`refs`] (`$ref` values and kinds, allOf
//! cycles), [`paths`] (templates), [`parameters`], [`responses`], [`schemas`], [`pageable`], and
//! [`operation_ids`] (run later, on the converted document).

mod operation_ids;
pub mod pageable;
pub mod parameters;
pub mod paths;
pub mod refs;
pub mod responses;
pub mod schemas;
pub mod structure;

use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::load::Dialect;
use crate::pointer;

pub use operation_ids::operation_ids;

/// The HTTP methods an OpenAPI path item may hold.
pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Checks the root document as read, before bundling copies other files' values into its
/// sections: those sections must be objects.
pub fn before_bundling(doc: &Value, file: &Path, dialect: Dialect) -> Result<()> {
    structure::sections(&Ctx { doc, file, dialect })
}

/// Runs every structural check on `doc`, the bundled root document read from `file`.
pub fn spec(doc: &Value, file: &Path, dialect: Dialect) -> Result<()> {
    let cx = Ctx { doc, file, dialect };
    refs::check_strings(&cx)?;
    structure::check(&cx)?;
    refs::check_allof_cycles(&cx)?;
    schemas::check_sections(&cx)?;
    parameters::check_sections(&cx)?;
    responses::check_sections(&cx)?;
    for op in operations(&cx) {
        parameters::check_operation(&cx, &op)?;
        responses::check_operation(&cx, &op)?;
        pageable::check_operation(&cx, &op)?;
    }
    paths::check(&cx)?;
    Ok(())
}

/// What the checks share: the document, its file and dialect.
pub struct Ctx<'a> {
    /// The bundled document.
    pub doc: &'a Value,
    /// The root spec file (errors are mapped to the file a value came from afterwards).
    pub file: &'a Path,
    /// Swagger 2.0 or OpenAPI 3.0.
    pub dialect: Dialect,
}

/// What a `$ref` may point at; each kind lives in its own section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A schema (`#/definitions/`, `#/components/schemas/`).
    Schema,
    /// A parameter (`#/parameters/`, `#/components/parameters/`).
    Parameter,
    /// A response (`#/responses/`, `#/components/responses/`).
    Response,
    /// An OpenAPI 3.0 request body (`#/components/requestBodies/`).
    RequestBody,
    /// An OpenAPI 3.0 header (`#/components/headers/`).
    Header,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Schema => "schema",
            Kind::Parameter => "parameter",
            Kind::Response => "response",
            Kind::RequestBody => "request body",
            Kind::Header => "header",
        }
    }
}

/// One operation, with where it sits.
pub struct Operation<'a> {
    /// Pointer of the path item (`/paths/~1keys`).
    pub item_at: String,
    /// The path template (`/keys/{key-name}`).
    pub path: &'a str,
    /// The path item.
    pub item: &'a Map<String, Value>,
    /// Pointer of the operation.
    pub at: String,
    /// The operation object.
    pub op: &'a Map<String, Value>,
}

impl<'a> Ctx<'a> {
    /// An error at `at`.
    pub fn err(&self, at: &str, message: impl Into<String>) -> Error {
        Error::spec(self.file, at, message)
    }

    /// Whether the document is Swagger 2.0.
    pub fn swagger(&self) -> bool {
        self.dialect == Dialect::Swagger2
    }

    /// The section holding values of `kind`, as a pointer.
    pub fn section(&self, kind: Kind) -> &'static str {
        match (kind, self.swagger()) {
            (Kind::Schema, true) => "/definitions",
            (Kind::Parameter | Kind::RequestBody, true) => "/parameters",
            (Kind::Response, true) => "/responses",
            (Kind::Header, true) => "/headers",
            (Kind::Schema, false) => "/components/schemas",
            (Kind::Parameter, false) => "/components/parameters",
            (Kind::Response, false) => "/components/responses",
            (Kind::RequestBody, false) => "/components/requestBodies",
            (Kind::Header, false) => "/components/headers",
        }
    }

    /// Follows `v`'s `$ref` (if any) to a value of `kind`; returns it with its pointer.
    /// `at` is where `v` sits.
    pub fn deref(&self, v: &'a Value, at: &str, kind: Kind) -> Result<(&'a Value, String)> {
        let mut cur = v;
        let mut cur_at = at.to_string();
        // The bundler has already refused cycles; the bound only guards against surprises.
        for _ in 0..64 {
            let Some(r) = cur.get("$ref") else { return Ok((cur, cur_at)) };
            let ref_at = pointer::join(&cur_at, "$ref");
            let Some(r) = r.as_str() else { return Err(self.err(&ref_at, "`$ref` must be a string")) };
            let target = self.ref_target(r, &ref_at, kind)?;
            cur = pointer::resolve(self.doc, &target)
                .ok_or_else(|| self.err(&ref_at, format!("$ref target `{r}` does not exist")))?;
            cur_at = target;
        }
        Err(self.err(at, "$ref chain longer than 64 links"))
    }

    /// The pointer `r` names, checked to lie in the section of `kind`.
    pub fn ref_target(&self, r: &str, ref_at: &str, kind: Kind) -> Result<String> {
        let section = self.section(kind);
        let name = r.strip_prefix('#').and_then(|p| p.strip_prefix(section)).and_then(|p| p.strip_prefix('/'));
        match name {
            // One entry of the section, named as it is: progenitor follows neither pointers
            // into an entry (`#/definitions/A/properties/b`) nor percent-encoding.
            Some(n) if !n.is_empty() && !n.contains('/') && !n.contains('%') => Ok(format!("{section}/{n}")),
            Some(n) if !n.is_empty() => Err(self.err(
                ref_at,
                format!("a {} $ref must name one entry of #{section}/ as it is spelt, not `{r}`", kind.word()),
            )),
            _ => Err(self.err(ref_at, format!("a {} $ref must point into #{section}/, not at `{r}`", kind.word()))),
        }
    }
}

/// Every operation of the document (path items and operations that are not objects are
/// reported by [`structure`], which runs first).
pub fn operations<'a>(cx: &Ctx<'a>) -> Vec<Operation<'a>> {
    let mut out = Vec::new();
    let Some(paths) = cx.doc.get("paths").and_then(Value::as_object) else { return out };
    for (path, item) in paths {
        let Some(item) = item.as_object() else { continue };
        let item_at = pointer::join("/paths", path);
        for (method, op) in item {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            if let Some(op) = op.as_object() {
                out.push(Operation { item_at: item_at.clone(), path, item, at: pointer::join(&item_at, method), op });
            }
        }
    }
    out
}

/// `v` as an object, or an error naming `what` at `at`.
pub fn object<'v>(cx: &Ctx, v: &'v Value, at: &str, what: &str) -> Result<&'v Map<String, Value>> {
    v.as_object().ok_or_else(|| cx.err(at, format!("{what} must be an object, not {}", kind_of(v))))
}

/// The optional member `key` of `map` (at `at`) as an object.
pub fn opt_object<'v>(
    cx: &Ctx,
    map: &'v Map<String, Value>,
    at: &str,
    key: &str,
) -> Result<Option<&'v Map<String, Value>>> {
    map.get(key).map(|v| object(cx, v, &pointer::join(at, key), &format!("`{key}`"))).transpose()
}

/// The optional member `key` of `map` (at `at`) as a string.
pub fn opt_str<'v>(cx: &Ctx, map: &'v Map<String, Value>, at: &str, key: &str) -> Result<Option<&'v str>> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(cx.err(&pointer::join(at, key), format!("`{key}` must be a string, not {}", kind_of(v)))),
    }
}

/// The optional member `key` of `map` (at `at`) as a boolean.
pub fn opt_bool(cx: &Ctx, map: &Map<String, Value>, at: &str, key: &str) -> Result<Option<bool>> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => Err(cx.err(&pointer::join(at, key), format!("`{key}` must be a boolean, not {}", kind_of(v)))),
    }
}

/// The optional member `key` of `map` (at `at`) as an array of strings.
pub fn opt_strings<'v>(cx: &Ctx, map: &'v Map<String, Value>, at: &str, key: &str) -> Result<Option<Vec<&'v str>>> {
    let Some(v) = map.get(key) else { return Ok(None) };
    let here = pointer::join(at, key);
    let Some(list) = v.as_array() else {
        return Err(cx.err(&here, format!("`{key}` must be an array of strings, not {}", kind_of(v))));
    };
    list.iter()
        .enumerate()
        .map(|(i, x)| {
            x.as_str().ok_or_else(|| {
                cx.err(&format!("{here}/{i}"), format!("`{key}` must hold strings only, not {}", kind_of(x)))
            })
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// A JSON value's kind, for messages.
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
