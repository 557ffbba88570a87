//! Schemas, wherever they sit: every keyword holds the kind of value the specification says
//! (`type` a known type, `items` on arrays, `properties` an object, `required` a list of
//! names, `enum` a non-empty list, ...), and a schema `$ref` points at a schema.

use serde_json::{Map, Value};

use super::{Ctx, Kind, kind_of, object, opt_bool, opt_str, opt_strings};
use crate::error::Result;
use crate::pointer;

const TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "array", "object"];

/// The named schemas (`#/definitions`, `#/components/schemas`).
pub fn check_sections(cx: &Ctx) -> Result<()> {
    let section = cx.section(Kind::Schema);
    for (name, s) in pointer::resolve(cx.doc, section).and_then(Value::as_object).into_iter().flatten() {
        let at = pointer::join(section, name);
        check(cx, s, &at)?;
        // A named string enum becomes a Rust enum of that name (see `azure::enums`).
        if is_string_enum(s) && s.pointer("/x-ms-enum/name").is_none() {
            type_name(cx, name, &at)?;
        }
    }
    Ok(())
}

/// Whether `s` is an enum of strings, which the Azure rules turn into a named Rust enum.
fn is_string_enum(s: &Value) -> bool {
    s.get("enum").and_then(Value::as_array).is_some_and(|vs| vs.iter().all(Value::is_string))
        && s.get("type").and_then(Value::as_str).is_none_or(|t| t == "string")
}

/// Rust's strict and reserved keywords: names a type cannot take.
const KEYWORDS: [&str; 51] = [
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in",
    "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
    "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box",
    "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

/// `name` (at `at`) can be a Rust type's name as it is: ASCII letters, digits and `_`, not
/// starting with a digit, not a keyword.
fn type_name(cx: &Ctx, name: &str, at: &str) -> Result<()> {
    let ident = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
        && !KEYWORDS.contains(&name);
    if ident {
        Ok(())
    } else {
        Err(cx
            .err(at, format!("enum name `{name}` cannot name a Rust type: use letters, digits and `_`, not a keyword")))
    }
}

/// Each value of `enum` (or a `default`) is of the schema's `type`, and no value repeats.
fn values_of_type(cx: &Ctx, map: &Map<String, Value>, at: &str, ty: Option<&str>) -> Result<()> {
    let fits = |v: &Value| match ty {
        _ if v.is_null() => true,
        Some("string") => v.is_string(),
        Some("integer") => v.is_i64() || v.is_u64(),
        Some("number") => v.is_number(),
        Some("boolean") => v.is_boolean(),
        Some("array") => v.is_array(),
        Some("object") => v.is_object(),
        _ => true,
    };
    let ty = ty.unwrap_or_default();
    if let Some(values) = map.get("enum").and_then(Value::as_array) {
        for (i, v) in values.iter().enumerate() {
            let here = format!("{at}/enum/{i}");
            if !fits(v) {
                return Err(cx.err(&here, format!("enum value {v} is not of the schema's type `{ty}`")));
            }
            if values[..i].contains(v) {
                return Err(cx.err(&here, format!("enum value {v} is listed twice")));
            }
        }
    }
    if let Some(d) = map.get("default") {
        if !fits(d) {
            return Err(cx.err(&format!("{at}/default"), format!("default {d} is not of the schema's type `{ty}`")));
        }
        if let Some(values) = map.get("enum").and_then(Value::as_array)
            && !d.is_null()
            && !values.contains(d)
        {
            return Err(cx.err(&format!("{at}/default"), format!("default {d} is not one of the `enum` values")));
        }
    }
    Ok(())
}

/// An OpenAPI 3.0 `content` map: media type → object with an optional `schema`.
pub fn content(cx: &Ctx, c: &Value, at: &str) -> Result<()> {
    let c = object(cx, c, at, "`content`")?;
    for (mt, media) in c {
        let here = pointer::join(at, mt);
        let media = object(cx, media, &here, "a media type")?;
        if media.contains_key("encoding") {
            return Err(cx.err(&format!("{here}/encoding"), "`encoding` (multipart bodies) is not supported"));
        }
        if let Some(s) = media.get("schema") {
            check(cx, s, &format!("{here}/schema"))?;
        }
    }
    Ok(())
}

/// One schema at `at`, and the schemas inside it.
pub fn check(cx: &Ctx, s: &Value, at: &str) -> Result<()> {
    let map = object(cx, s, at, "a schema")?;
    if let Some(r) = map.get("$ref").and_then(Value::as_str) {
        cx.ref_target(r, &pointer::join(at, "$ref"), Kind::Schema)?;
        // A `$ref`'s siblings are ignored (OpenAPI 3.0) or documentation only.
        return Ok(());
    }
    check_schema_keywords(cx, map, at, false)
}

/// The schema keywords of a Swagger 2.0 non-body parameter or header (`type`, `items`,
/// `enum`, `format`, ...), whose `required` is a boolean rather than a list.
pub fn check_keywords(cx: &Ctx, map: &Map<String, Value>, at: &str) -> Result<()> {
    check_schema_keywords(cx, map, at, true)
}

fn check_schema_keywords(cx: &Ctx, map: &Map<String, Value>, at: &str, simple: bool) -> Result<()> {
    let ty = match map.get("type") {
        None => None,
        Some(Value::String(t)) if TYPES.contains(&t.as_str()) || (cx.swagger() && t == "file") => Some(t.as_str()),
        Some(Value::String(t)) => {
            return Err(cx.err(&format!("{at}/type"), format!("unknown type `{t}` (one of {})", TYPES.join(", "))));
        }
        // Swagger 2.0 lists of types are refused by the converter with their own message.
        Some(Value::Array(_)) if cx.swagger() => None,
        Some(v) => return Err(cx.err(&format!("{at}/type"), format!("`type` must be a string, not {}", kind_of(v)))),
    };
    opt_str(cx, map, at, "format")?;
    if map.contains_key("format")
        && let Some(t @ ("object" | "array")) = ty
    {
        // typify stops (`todo!`) on a format it cannot attach to a type.
        return Err(cx.err(&format!("{at}/format"), format!("`format` applies to strings and numbers, not to `{t}`")));
    }
    // typify reads these only against a type, and stops (`todo!`) on a schema without one.
    if ty.is_none() && !map.contains_key("type") {
        for key in ["format", "minimum", "maximum", "multipleOf", "exclusiveMinimum", "exclusiveMaximum"] {
            if map.contains_key(key) {
                return Err(cx.err(at, format!("a schema with `{key}` needs a `type`")));
            }
        }
    }
    opt_str(cx, map, at, "pattern")?;
    opt_str(cx, map, at, "title")?;
    opt_str(cx, map, at, "description")?;
    for key in ["readOnly", "x-nullable", "nullable", "uniqueItems", "exclusiveMinimum", "exclusiveMaximum"] {
        opt_bool(cx, map, at, key)?;
    }
    for key in ["minimum", "maximum", "multipleOf"] {
        if let Some(v) = map.get(key)
            && !v.is_number()
        {
            return Err(cx.err(&pointer::join(at, key), format!("`{key}` must be a number, not {}", kind_of(v))));
        }
    }
    for key in ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"] {
        if let Some(v) = map.get(key)
            && v.as_u64().is_none()
        {
            return Err(cx.err(&pointer::join(at, key), format!("`{key}` must be a non-negative integer, not {v}")));
        }
    }
    if let Some(e) = map.get("enum") {
        match e.as_array() {
            Some(list) if !list.is_empty() => {}
            Some(_) => return Err(cx.err(&format!("{at}/enum"), "`enum` is empty: no value would be valid")),
            None => return Err(cx.err(&format!("{at}/enum"), format!("`enum` must be an array, not {}", kind_of(e)))),
        }
    }
    values_of_type(cx, map, at, ty)?;
    if let Some(ext) = map.get("x-ms-enum") {
        x_ms_enum(cx, ext, &format!("{at}/x-ms-enum"))?;
        // Any `x-ms-enum` name is usable: `names::type_name` makes a Rust type name of it
        // (`Self` → `SelfEnum`, `1 bad name!` → `E1BadName`).
    }
    match (ty, map.get("items")) {
        (_, Some(items)) if simple => {
            let here = format!("{at}/items");
            let items = object(cx, items, &here, "`items`")?;
            if !items.contains_key("type") {
                return Err(cx.err(&here, "`items` of a parameter or header needs a `type`"));
            }
            check_schema_keywords(cx, items, &here, true)?;
        }
        (_, Some(items)) => check(cx, items, &format!("{at}/items"))?,
        (Some("array"), None) => return Err(cx.err(at, "an array needs `items`: the type of its elements")),
        _ => {}
    }
    if simple {
        return Ok(());
    }
    opt_strings(cx, map, at, "required")?;
    if let Some(props) = map.get("properties") {
        let here = format!("{at}/properties");
        for (name, p) in object(cx, props, &here, "`properties`")? {
            check(cx, p, &pointer::join(&here, name))?;
        }
    }
    match map.get("additionalProperties") {
        None | Some(Value::Bool(_)) => {}
        Some(s @ Value::Object(_)) => check(cx, s, &format!("{at}/additionalProperties"))?,
        Some(v) => {
            return Err(cx.err(
                &format!("{at}/additionalProperties"),
                format!("`additionalProperties` must be a boolean or a schema, not {}", kind_of(v)),
            ));
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        let Some(v) = map.get(key) else { continue };
        let here = pointer::join(at, key);
        match v.as_array() {
            Some(list) if !list.is_empty() => {
                for (i, s) in list.iter().enumerate() {
                    check(cx, s, &format!("{here}/{i}"))?;
                }
            }
            Some(_) => return Err(cx.err(&here, format!("`{key}` is empty"))),
            None => return Err(cx.err(&here, format!("`{key}` must be an array of schemas, not {}", kind_of(v)))),
        }
    }
    if map.contains_key("not") {
        // progenitor cannot express a negated schema (`todo!` in typify).
        return Err(cx.err(&format!("{at}/not"), "`not` schemas are not supported"));
    }
    if let Some(d) = map.get("discriminator") {
        let here = format!("{at}/discriminator");
        if cx.swagger() {
            if !d.is_string() {
                return Err(cx.err(&here, format!("`discriminator` must be a property name, not {}", kind_of(d))));
            }
        } else if opt_str(cx, object(cx, d, &here, "`discriminator`")?, &here, "propertyName")?.is_none() {
            return Err(cx.err(&here, "`discriminator` needs a `propertyName`"));
        }
    }
    Ok(())
}

/// `x-ms-enum`: an object; an enum the service may extend (`modelAsString`) needs a `name`,
/// since it becomes its own open type.
fn x_ms_enum(cx: &Ctx, ext: &Value, at: &str) -> Result<()> {
    let ext = object(cx, ext, at, "`x-ms-enum`")?;
    let name = opt_str(cx, ext, at, "name")?;
    let open = opt_bool(cx, ext, at, "modelAsString")?;
    if let Some(n) = name
        && n.trim().is_empty()
    {
        return Err(cx.err(&format!("{at}/name"), "`name` is empty"));
    }
    if open == Some(true) && name.is_none() {
        return Err(cx.err(at, "an `x-ms-enum` with `modelAsString: true` needs a `name`"));
    }
    if let Some(values) = ext.get("values") {
        let here = format!("{at}/values");
        let Some(values) = values.as_array() else {
            return Err(cx.err(&here, format!("`values` must be an array, not {}", kind_of(values))));
        };
        for (i, v) in values.iter().enumerate() {
            let v_at = format!("{here}/{i}");
            let v = object(cx, v, &v_at, "an `x-ms-enum` value")?;
            if !v.contains_key("value") {
                return Err(cx.err(&v_at, "an `x-ms-enum` value needs a `value`"));
            }
            opt_str(cx, v, &v_at, "name")?;
            opt_str(cx, v, &v_at, "description")?;
        }
    }
    Ok(())
}
