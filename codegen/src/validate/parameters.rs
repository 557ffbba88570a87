//! Parameters: each is well formed; an operation's list (path-level ones merged in, the
//! operation's own overriding them) names each parameter once, has at most one body, and
//! its path parameters are exactly the template's variables, all required.

use serde_json::{Map, Value};

use super::{Ctx, Kind, Operation, kind_of, object, opt_bool, opt_str};
use crate::error::Result;
use crate::pointer;

const SWAGGER_IN: [&str; 5] = ["path", "query", "header", "body", "formData"];
const OPENAPI_IN: [&str; 4] = ["path", "query", "header", "cookie"];
const SWAGGER_TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "array", "file"];

/// The shared parameters (`#/parameters`, `#/components/parameters`) and request bodies.
pub fn check_sections(cx: &Ctx) -> Result<()> {
    let section = cx.section(Kind::Parameter);
    for (name, p) in pointer::resolve(cx.doc, section).and_then(Value::as_object).into_iter().flatten() {
        let at = pointer::join(section, name);
        let (p, at) = cx.deref(p, &at, Kind::Parameter)?;
        parameter(cx, p, &at)?;
    }
    if !cx.swagger() {
        let section = cx.section(Kind::RequestBody);
        for (name, b) in pointer::resolve(cx.doc, section).and_then(Value::as_object).into_iter().flatten() {
            let at = pointer::join(section, name);
            let (b, at) = cx.deref(b, &at, Kind::RequestBody)?;
            request_body(cx, b, &at)?;
        }
    }
    Ok(())
}

/// One resolved parameter in the merged list of an operation.
struct Param<'a> {
    /// Where the list entry is (the `$ref` or the inline parameter).
    at: String,
    name: &'a str,
    location: &'a str,
    value: &'a Map<String, Value>,
}

/// The operation's parameters, path-level ones merged in.
pub fn check_operation(cx: &Ctx, op: &Operation) -> Result<()> {
    let shared = list(cx, op.item.get("parameters"), &format!("{}/parameters", op.item_at))?;
    let own = list(cx, op.op.get("parameters"), &format!("{}/parameters", op.at))?;
    let mut merged: Vec<&Param> =
        shared.iter().filter(|s| !own.iter().any(|o| o.name == s.name && o.location == s.location)).collect();
    merged.extend(own.iter());

    // Two names that differ only in case or separators (`item-name` in path and in query)
    // would make the same argument; `names::dedupe_parameters` gives them distinct ones.
    let mut bodies = merged.iter().filter(|p| p.location == "body");
    if let (Some(_), Some(second)) = (bodies.next(), bodies.next()) {
        return Err(cx.err(&second.at, "an operation has at most one body parameter"));
    }
    if cx.swagger()
        && let Some(body) = merged.iter().find(|p| p.location == "body")
    {
        body_media_type(cx, op, body)?;
    }
    if !cx.swagger()
        && let Some(body) = op.op.get("requestBody")
    {
        let at = format!("{}/requestBody", op.at);
        let (b, at) = cx.deref(body, &at, Kind::RequestBody)?;
        request_body(cx, b, &at)?;
    }

    // The host template's variables are path parameters too, filled from the client's URL.
    let host_vars = cx
        .doc
        .pointer("/x-ms-parameterized-host/hostTemplate")
        .and_then(Value::as_str)
        .and_then(|t| super::paths::template_variables(t).ok())
        .unwrap_or_default();
    let Ok(vars) = super::paths::template_variables(op.path) else {
        // The path check names the key; nothing to compare against here.
        return Ok(());
    };
    for p in merged.iter().filter(|p| p.location == "path") {
        let path_at = pointer::join(&p.at, "in");
        if !vars.iter().any(|v| v == p.name) && !host_vars.iter().any(|v| v == p.name) {
            return Err(
                cx.err(&path_at, format!("path parameter `{}` does not appear in the path `{}`", p.name, op.path))
            );
        }
        if p.value.get("required") != Some(&Value::Bool(true)) {
            return Err(cx.err(
                &p.at,
                format!("path parameter `{}` must be `required: true`: a path cannot leave it out", p.name),
            ));
        }
    }
    for v in &vars {
        if !merged.iter().any(|p| p.location == "path" && p.name == v) {
            return Err(cx.err(&op.at, format!("path variable `{{{v}}}` of `{}` has no path parameter", op.path)));
        }
    }
    Ok(())
}

/// A Swagger 2.0 body is sent as the first media type of `consumes`; anything but JSON
/// carries a string (text or bytes), not a model.
fn body_media_type(cx: &Ctx, op: &Operation, body: &Param) -> Result<()> {
    let consumes = op.op.get("consumes").or_else(|| cx.doc.get("consumes"));
    let Some(first) = consumes.and_then(|c| c.get(0)).and_then(Value::as_str) else { return Ok(()) };
    if first.contains("json") {
        return Ok(());
    }
    let Some(schema) = body.value.get("schema") else { return Ok(()) };
    let (schema, _) = cx.deref(schema, &format!("{}/schema", body.at), Kind::Schema)?;
    if schema.get("type").and_then(Value::as_str) == Some("string") {
        return Ok(());
    }
    Err(cx.err(
        &body.at,
        format!("body `{}` is sent as `{first}` (the first of `consumes`) but its schema is not a string", body.name),
    ))
}

/// A parameter list, each entry resolved and checked, no (name, in) twice.
fn list<'a>(cx: &Ctx<'a>, v: Option<&'a Value>, at: &str) -> Result<Vec<Param<'a>>> {
    let mut out: Vec<Param> = Vec::new();
    let Some(v) = v else { return Ok(out) };
    let Some(items) = v.as_array() else {
        return Err(cx.err(at, format!("`parameters` must be an array, not {}", kind_of(v))));
    };
    for (i, p) in items.iter().enumerate() {
        let entry_at = format!("{at}/{i}");
        let (value, target_at) = cx.deref(p, &entry_at, Kind::Parameter)?;
        let (value, name, location) = parameter(cx, value, &target_at)?;
        if let Some(first) = out.iter().find(|q| q.name == name && q.location == location) {
            return Err(
                cx.err(&entry_at, format!("parameter `{name}` in {location} is listed twice (first at {})", first.at))
            );
        }
        out.push(Param { at: entry_at, name, location, value });
    }
    Ok(out)
}

/// One parameter object; returns it with its name and location.
fn parameter<'a>(cx: &Ctx, p: &'a Value, at: &str) -> Result<(&'a Map<String, Value>, &'a str, &'a str)> {
    let map = object(cx, p, at, "a parameter")?;
    let name = match opt_str(cx, map, at, "name")? {
        Some(n) if n.chars().any(|c| c.is_ascii_alphanumeric()) => n,
        Some(n) if !n.is_empty() => {
            return Err(cx.err(
                &format!("{at}/name"),
                format!("parameter name `{n}` has no letter or digit to name an argument after"),
            ));
        }
        Some(_) => return Err(cx.err(&format!("{at}/name"), "a parameter's `name` is empty")),
        None => return Err(cx.err(at, "a parameter needs a `name`")),
    };
    let known: &[&str] = if cx.swagger() { &SWAGGER_IN } else { &OPENAPI_IN };
    let location = match opt_str(cx, map, at, "in")? {
        Some("cookie") if !cx.swagger() => {
            return Err(cx.err(&format!("{at}/in"), "cookie parameters are not supported: Key Vault sends none"));
        }
        Some(l) if known.contains(&l) => l,
        Some(l) => {
            return Err(
                cx.err(&format!("{at}/in"), format!("unknown parameter location `{l}` (one of {})", known.join(", ")))
            );
        }
        None => return Err(cx.err(at, format!("parameter `{name}` needs `in`"))),
    };
    opt_bool(cx, map, at, "required")?;
    opt_str(cx, map, at, "description")?;
    if let Some(l) = opt_str(cx, map, at, "x-ms-parameter-location")?
        && l != "client"
        && l != "method"
    {
        return Err(cx.err(
            &format!("{at}/x-ms-parameter-location"),
            format!("`x-ms-parameter-location` is `client` or `method`, not `{l}`"),
        ));
    }
    if !cx.swagger() {
        match (map.get("schema"), map.get("content")) {
            (Some(s), None) => super::schemas::check(cx, s, &format!("{at}/schema"))?,
            (_, Some(_)) => {
                return Err(cx.err(
                    &format!("{at}/content"),
                    "a parameter serialized by `content` is not supported: give it a `schema`",
                ));
            }
            (None, None) => return Err(cx.err(at, format!("parameter `{name}` needs a `schema`"))),
        }
        // progenitor writes path and header values plainly and query values as a form.
        let plain = if location == "query" { "form" } else { "simple" };
        if let Some(style) = opt_str(cx, map, at, "style")?
            && style != plain
        {
            return Err(cx.err(
                &format!("{at}/style"),
                format!("style `{style}` is not supported for a {location} parameter (only `{plain}`)"),
            ));
        }
    } else if location == "body" {
        let Some(s) = map.get("schema") else {
            return Err(cx.err(at, format!("body parameter `{name}` needs a `schema`")));
        };
        super::schemas::check(cx, s, &format!("{at}/schema"))?;
    } else {
        match map.get("type") {
            Some(Value::String(t)) if SWAGGER_TYPES.contains(&t.as_str()) => {}
            Some(Value::String(t)) => {
                return Err(cx.err(
                    &format!("{at}/type"),
                    format!("unknown parameter type `{t}` (one of {})", SWAGGER_TYPES.join(", ")),
                ));
            }
            Some(v) => {
                return Err(cx.err(&format!("{at}/type"), format!("`type` must be a string, not {}", kind_of(v))));
            }
            None => return Err(cx.err(at, format!("parameter `{name}` in {location} needs a `type`"))),
        }
        // The rest of a non-body parameter (items, enum, format, ...) has a schema's rules.
        super::schemas::check_keywords(cx, map, at)?;
    }
    Ok((map, name, location))
}

/// An OpenAPI 3.0 request body: an object with `content`.
fn request_body(cx: &Ctx, b: &Value, at: &str) -> Result<()> {
    let map = object(cx, b, at, "a request body")?;
    opt_bool(cx, map, at, "required")?;
    let Some(content) = map.get("content") else {
        return Err(cx.err(at, "a request body needs `content`"));
    };
    super::schemas::content(cx, content, &format!("{at}/content"))
}
