//! The document's skeleton: `info`, the sections, path items and operations are the kinds of
//! value the specification says, and the host settings make a usable base URL.

use serde_json::Value;

use super::{Ctx, METHODS, kind_of, object, opt_bool, opt_object, opt_str, opt_strings};
use crate::error::Result;
use crate::pointer;

/// The sections other files' values are copied into are objects: checked on the root as
/// read, before bundling writes into them.
pub fn sections(cx: &Ctx) -> Result<()> {
    let root = object(cx, cx.doc, "", "a spec")?;
    if cx.swagger() {
        for key in ["paths", "definitions", "parameters", "responses"] {
            opt_object(cx, root, "", key)?;
        }
    } else if let Some(components) = opt_object(cx, root, "", "components")? {
        for (section, v) in components {
            if !section.starts_with("x-") {
                object(cx, v, &pointer::join("/components", section), &format!("`components/{section}`"))?;
            }
        }
    }
    Ok(())
}

/// Root, `info`, sections, host, path items and operations.
pub fn check(cx: &Ctx) -> Result<()> {
    sections(cx)?;
    let root = object(cx, cx.doc, "", "a spec")?;
    info(cx, root.get("info"))?;
    match root.get("paths") {
        None => return Err(cx.err("", "a spec needs `paths`, the operations it describes")),
        Some(v) => object(cx, v, "/paths", "`paths`")?,
    };
    if cx.swagger() {
        opt_object(cx, root, "", "securityDefinitions")?;
        for key in ["consumes", "produces"] {
            opt_strings(cx, root, "", key)?;
        }
        host(cx, root)?;
    }
    if root.get("x-ms-paths").and_then(Value::as_object).is_some_and(|m| !m.is_empty()) {
        // Left in, its operations would silently be missing from the client.
        return Err(cx.err("/x-ms-paths", "`x-ms-paths` is not supported: its operations would be left out"));
    }
    if let Some(h) = root.get("x-ms-parameterized-host") {
        parameterized_host(cx, h)?;
    }
    for (path, item) in root["paths"].as_object().into_iter().flatten() {
        let at = pointer::join("/paths", path);
        if path.starts_with("x-") {
            continue;
        }
        let item = object(cx, item, &at, "a path item")?;
        for (key, op) in item {
            let here = pointer::join(&at, key);
            if METHODS.contains(&key.as_str()) {
                operation(cx, op, &here)?;
            } else if key == "parameters" {
                if !op.is_array() {
                    return Err(cx.err(&here, format!("`parameters` must be an array, not {}", kind_of(op))));
                }
            } else if !(key.starts_with("x-")
                || key == "$ref"
                || (!cx.swagger() && ["summary", "description", "servers"].contains(&key.as_str())))
            {
                // A misspelt method would silently drop an operation from the client.
                return Err(cx.err(&here, format!("`{key}` is not an HTTP method nor another field of a path item")));
            }
        }
    }
    Ok(())
}

/// `info` is an object with a string `title` and a non-empty string `version`: the
/// api-version every call sends.
fn info(cx: &Ctx, info: Option<&Value>) -> Result<()> {
    let Some(info) = info else {
        return Err(cx.err("", "a spec needs `info` with a `version`: it is the api-version every call sends"));
    };
    let info = object(cx, info, "/info", "`info`")?;
    match info.get("title") {
        Some(Value::String(_)) => {}
        None => return Err(cx.err("/info", "`info` needs a `title`")),
        Some(v) => return Err(cx.err("/info/title", format!("`title` must be a string, not {}", kind_of(v)))),
    }
    match info.get("version") {
        Some(Value::String(v)) if !v.trim().is_empty() => Ok(()),
        Some(Value::String(_)) => {
            Err(cx.err("/info/version", "`version` is empty: it is the api-version every call sends"))
        }
        None => Err(cx.err("/info", "`info` needs a `version`: it is the api-version every call sends")),
        Some(v) => Err(cx.err("/info/version", format!("`version` must be a string, not {}", kind_of(v)))),
    }
}

/// Swagger 2.0's `host`, `basePath` and `schemes`.
fn host(cx: &Ctx, root: &serde_json::Map<String, Value>) -> Result<()> {
    if let Some(host) = opt_str(cx, root, "", "host")?
        && (host.contains("://") || host.contains('/'))
    {
        return Err(cx.err("/host", format!("`host` is a host name and port, without scheme or path: `{host}`")));
    }
    if let Some(base) = opt_str(cx, root, "", "basePath")?
        && !base.starts_with('/')
    {
        return Err(cx.err("/basePath", format!("`basePath` must start with `/`: `{base}`")));
    }
    if let Some(schemes) = opt_strings(cx, root, "", "schemes")? {
        for (i, s) in schemes.iter().enumerate() {
            if !["http", "https", "ws", "wss"].contains(s) {
                return Err(cx.err(&format!("/schemes/{i}"), format!("unknown scheme `{s}`")));
            }
        }
    }
    Ok(())
}

/// `x-ms-parameterized-host`: a balanced template whose every variable has a parameter.
fn parameterized_host(cx: &Ctx, h: &Value) -> Result<()> {
    let at = "/x-ms-parameterized-host";
    let h = object(cx, h, at, "`x-ms-parameterized-host`")?;
    let Some(template) = opt_str(cx, h, at, "hostTemplate")? else {
        return Err(cx.err(at, "`x-ms-parameterized-host` needs a `hostTemplate`"));
    };
    let here = format!("{at}/hostTemplate");
    let vars = super::paths::template_variables(template).map_err(|m| cx.err(&here, m))?;
    opt_bool(cx, h, at, "useSchemePrefix")?;
    let mut names = Vec::new();
    if let Some(list) = h.get("parameters") {
        let list_at = format!("{at}/parameters");
        let Some(list) = list.as_array() else {
            return Err(cx.err(&list_at, format!("`parameters` must be an array, not {}", kind_of(list))));
        };
        for (i, p) in list.iter().enumerate() {
            let (p, p_at) = cx.deref(p, &format!("{list_at}/{i}"), super::Kind::Parameter)?;
            let p = object(cx, p, &p_at, "a parameter")?;
            if let Some(name) = opt_str(cx, p, &p_at, "name")? {
                names.push(name);
            }
        }
    }
    for v in vars {
        if !names.contains(&v.as_str()) {
            return Err(cx.err(&here, format!("template variable `{{{v}}}` has no parameter in `parameters`")));
        }
    }
    Ok(())
}

/// An operation object's own fields (parameters and responses have their own modules).
fn operation(cx: &Ctx, op: &Value, at: &str) -> Result<()> {
    let op = object(cx, op, at, "an operation")?;
    opt_str(cx, op, at, "operationId")?;
    opt_str(cx, op, at, "summary")?;
    opt_str(cx, op, at, "description")?;
    opt_strings(cx, op, at, "tags")?;
    opt_bool(cx, op, at, "deprecated")?;
    if cx.swagger() {
        for key in ["consumes", "produces"] {
            opt_strings(cx, op, at, key)?;
        }
    }
    if let Some(ps) = op.get("parameters")
        && !ps.is_array()
    {
        return Err(cx.err(&format!("{at}/parameters"), format!("`parameters` must be an array, not {}", kind_of(ps))));
    }
    match op.get("responses") {
        None => return Err(cx.err(&format!("{at}/responses"), "an operation needs a `responses` object")),
        Some(r) => {
            object(cx, r, &format!("{at}/responses"), "`responses`")?;
        }
    }
    if let Some(p) = op.get("x-ms-pageable") {
        pageable(cx, p, &format!("{at}/x-ms-pageable"))?;
    }
    if let Some(lro) = op.get("x-ms-long-running-operation")
        && !lro.is_boolean()
    {
        return Err(cx.err(
            &format!("{at}/x-ms-long-running-operation"),
            format!("`x-ms-long-running-operation` must be a boolean, not {}", kind_of(lro)),
        ));
    }
    Ok(())
}

/// `x-ms-pageable`: an object whose names are strings (`nextLinkName` may be null: one page).
fn pageable(cx: &Ctx, p: &Value, at: &str) -> Result<()> {
    let p = object(cx, p, at, "`x-ms-pageable`")?;
    if let Some(next) = p.get("nextLinkName")
        && !(next.is_null() || next.is_string())
    {
        return Err(cx.err(
            &format!("{at}/nextLinkName"),
            format!("`nextLinkName` must be a string or null, not {}", kind_of(next)),
        ));
    }
    for key in ["itemName", "operationName"] {
        if let Some(name) = opt_str(cx, p, at, key)?
            && name.is_empty()
        {
            return Err(cx.err(&pointer::join(at, key), format!("`{key}` is empty")));
        }
    }
    Ok(())
}
