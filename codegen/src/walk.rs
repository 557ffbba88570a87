//! Visits every schema object of an OpenAPI 3.0 document (as JSON), wherever it sits:
//! components, parameters, bodies, responses, and nested properties, items and compositions.

use serde_json::{Map, Value};

use crate::error::Result;
use crate::pointer;

/// Calls `f(pointer, schema)` on every schema in `doc`, parents before children.
///
/// `f` may rewrite the schema it is given (for example into a `$ref`); the walk then descends
/// into whatever the schema holds afterwards.
pub fn schemas_mut(doc: &mut Value, f: Visitor) -> Result<()> {
    let Some(root) = doc.as_object_mut() else { return Ok(()) };
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) {
        for (section, entries) in components.iter_mut() {
            let Some(entries) = entries.as_object_mut() else { continue };
            for (name, entry) in entries.iter_mut() {
                let at = pointer::join(&pointer::join("/components", section), name);
                match section.as_str() {
                    "schemas" => schema(entry, &at, f)?,
                    "parameters" | "headers" => holder(entry, &at, f)?,
                    "requestBodies" => content(entry, &at, f)?,
                    "responses" => response(entry, &at, f)?,
                    _ => {}
                }
            }
        }
    }
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            let path_at = pointer::join("/paths", path);
            for (key, op) in item.iter_mut() {
                let at = pointer::join(&path_at, key);
                if key == "parameters" {
                    list(op, &at, f)?;
                    continue;
                }
                let Some(op) = op.as_object_mut() else { continue };
                if let Some(ps) = op.get_mut("parameters") {
                    list(ps, &format!("{at}/parameters"), f)?;
                }
                if let Some(body) = op.get_mut("requestBody") {
                    content(body, &format!("{at}/requestBody"), f)?;
                }
                if let Some(rs) = op.get_mut("responses").and_then(Value::as_object_mut) {
                    for (code, r) in rs.iter_mut() {
                        response(r, &pointer::join(&format!("{at}/responses"), code), f)?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// A callback given a JSON pointer and the object found there.
pub type Visitor<'a> = &'a mut dyn FnMut(&str, &mut Map<String, Value>) -> Result<()>;

fn list(v: &mut Value, at: &str, f: Visitor) -> Result<()> {
    for (i, p) in v.as_array_mut().into_iter().flatten().enumerate() {
        holder(p, &format!("{at}/{i}"), f)?;
    }
    Ok(())
}

/// A parameter or header: its schema is under `schema`.
fn holder(v: &mut Value, at: &str, f: Visitor) -> Result<()> {
    if let Some(s) = v.get_mut("schema") {
        schema(s, &format!("{at}/schema"), f)?;
    }
    Ok(())
}

fn content(v: &mut Value, at: &str, f: Visitor) -> Result<()> {
    if let Some(c) = v.get_mut("content").and_then(Value::as_object_mut) {
        for (mt, media) in c.iter_mut() {
            holder(media, &pointer::join(&format!("{at}/content"), mt), f)?;
        }
    }
    Ok(())
}

fn response(v: &mut Value, at: &str, f: Visitor) -> Result<()> {
    content(v, at, f)?;
    if let Some(hs) = v.get_mut("headers").and_then(Value::as_object_mut) {
        for (name, h) in hs.iter_mut() {
            holder(h, &pointer::join(&format!("{at}/headers"), name), f)?;
        }
    }
    Ok(())
}

fn schema(v: &mut Value, at: &str, f: Visitor) -> Result<()> {
    let Some(map) = v.as_object_mut() else { return Ok(()) };
    f(at, map)?;
    for (key, child) in map.iter_mut() {
        let here = pointer::join(at, key);
        match key.as_str() {
            "properties" | "patternProperties" => {
                for (name, p) in child.as_object_mut().into_iter().flatten() {
                    schema(p, &pointer::join(&here, name), f)?;
                }
            }
            "items" | "additionalProperties" | "not" => schema(child, &here, f)?,
            "allOf" | "anyOf" | "oneOf" => {
                for (i, s) in child.as_array_mut().into_iter().flatten().enumerate() {
                    schema(s, &format!("{here}/{i}"), f)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Calls `f(pointer, operation)` on every operation of `doc`.
pub fn operations_mut(doc: &mut Value, f: Visitor) -> Result<()> {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return Ok(()) };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, op) in item.iter_mut() {
            if method == "parameters" || method.starts_with("x-") {
                continue;
            }
            if let Some(op) = op.as_object_mut() {
                f(&pointer::join(&pointer::join("/paths", path), method), op)?;
            }
        }
    }
    Ok(())
}
