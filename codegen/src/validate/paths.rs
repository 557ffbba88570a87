//! Path templates: keys start with `/`, braces balance, and no two keys differ only in the
//! names of their variables (the service could not tell them apart).

use std::collections::BTreeMap;

use serde_json::Value;

use super::Ctx;
use crate::error::Result;
use crate::pointer;

/// Every key of `paths`.
pub fn check(cx: &Ctx) -> Result<()> {
    let Some(paths) = cx.doc.get("paths").and_then(Value::as_object) else { return Ok(()) };
    let mut shapes: BTreeMap<String, &str> = BTreeMap::new();
    for path in paths.keys() {
        if path.starts_with("x-") {
            continue;
        }
        let at = pointer::join("/paths", path);
        if !path.starts_with('/') {
            return Err(cx.err(&at, format!("a path must start with `/`: `{path}`")));
        }
        template_variables(path).map_err(|m| cx.err(&at, m))?;
        let shape = shape(path);
        if let Some(first) = shapes.get(&shape) {
            return Err(cx.err(
                &at,
                format!("`{path}` and `{first}` differ only in variable names: a request could match either"),
            ));
        }
        shapes.insert(shape, path);
    }
    Ok(())
}

/// The variables of a `{name}` template, in order; an error message when braces do not
/// balance, nest, are empty, or a name repeats.
pub fn template_variables(template: &str) -> std::result::Result<Vec<String>, String> {
    let mut vars: Vec<String> = Vec::new();
    let mut open: Option<usize> = None;
    for (i, c) in template.char_indices() {
        match (c, open) {
            ('{', None) => open = Some(i),
            ('{', Some(_)) => return Err(format!("`{{` inside a variable at byte {i} of `{template}`")),
            ('}', None) => return Err(format!("`}}` without `{{` at byte {i} of `{template}`")),
            ('}', Some(start)) => {
                let name = &template[start + 1..i];
                if name.is_empty() {
                    return Err(format!("empty variable `{{}}` at byte {start} of `{template}`"));
                }
                if vars.iter().any(|v| v == name) {
                    return Err(format!("variable `{{{name}}}` appears twice in `{template}`"));
                }
                vars.push(name.to_string());
                open = None;
            }
            _ => {}
        }
    }
    if let Some(start) = open {
        return Err(format!("`{{` at byte {start} is never closed in `{template}`"));
    }
    Ok(vars)
}

/// The template with every variable name blanked (`/keys/{name}` → `/keys/{}`).
fn shape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push('{');
            }
            '}' => {
                inside = false;
                out.push('}');
            }
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_variables_in_order_and_errors_named() {
        assert_eq!(template_variables("/keys/{name}/{version}").unwrap(), ["name", "version"]);
        assert_eq!(template_variables("{vaultBaseUrl}").unwrap(), ["vaultBaseUrl"]);
        assert!(template_variables("/keys").unwrap().is_empty());
        for (bad, says) in [
            ("{vaultBaseUrl", "never closed"),
            ("vaultBaseUrl}", "without `{`"),
            ("/a/{}", "empty variable"),
            ("/a/{x{y}}", "inside a variable"),
            ("/a/{x}/{x}", "appears twice"),
        ] {
            let e = template_variables(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn shapes_ignore_variable_names() {
        assert_eq!(shape("/keys/{name}/backup"), shape("/keys/{key-name}/backup"));
        assert_ne!(shape("/keys/{name}"), shape("/secrets/{name}"));
    }
}
