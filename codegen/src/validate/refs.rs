//! `$ref`s: every one is a string, and no schema inherits from itself through `allOf`.
//!
//! That each `$ref` points at the right kind of value (a parameter at a parameter, not at a
//! definition) is checked where the kind is known: [`super::parameters`],
//! [`super::responses`], [`super::schemas`].

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Ctx, Kind, kind_of};
use crate::error::Result;
use crate::pointer;

/// Members whose values are data (examples, defaults, enum values), not spec: a `$ref` key
/// inside them is not a reference.
const DATA: [&str; 5] = ["example", "examples", "x-ms-examples", "default", "enum"];

/// Every `$ref` member is a string.
pub fn check_strings(cx: &Ctx) -> Result<()> {
    strings(cx, cx.doc, "")
}

fn strings(cx: &Ctx, v: &Value, at: &str) -> Result<()> {
    match v {
        Value::Object(map) => {
            if let Some(r) = map.get("$ref")
                && !r.is_string()
            {
                return Err(cx.err(&pointer::join(at, "$ref"), format!("`$ref` must be a string, not {}", kind_of(r))));
            }
            for (k, x) in map {
                if !DATA.contains(&k.as_str()) {
                    strings(cx, x, &pointer::join(at, k))?;
                }
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                strings(cx, x, &format!("{at}/{i}"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// No named schema reaches itself through `allOf` (directly or through `$ref` aliases):
/// its type would contain itself by value.
pub fn check_allof_cycles(cx: &Ctx) -> Result<()> {
    let section = cx.section(Kind::Schema);
    let Some(defs) = pointer::resolve(cx.doc, section).and_then(Value::as_object) else { return Ok(()) };
    // Definition → (pointer of the `$ref`, the definition it inherits from).
    let mut parents: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
    let prefix = format!("#{section}/");
    for (name, schema) in defs {
        let at = pointer::join(section, name);
        let mut edges = Vec::new();
        if let Some(Value::String(r)) = schema.get("$ref") {
            edges.push((pointer::join(&at, "$ref"), r));
        }
        for (i, item) in schema.get("allOf").and_then(Value::as_array).into_iter().flatten().enumerate() {
            if let Some(Value::String(r)) = item.get("$ref") {
                edges.push((format!("{at}/allOf/{i}/$ref"), r));
            }
        }
        let edges = edges
            .into_iter()
            .filter_map(|(at, r)| r.strip_prefix(&prefix).map(|n| (at, pointer::unescape(n))))
            .collect();
        parents.insert(name, edges);
    }
    // Depth-first search with an explicit stack (a long inheritance chain must not exhaust
    // the thread's stack); `done` holds names whose ancestry is known to be acyclic.
    let mut done: BTreeMap<&str, ()> = BTreeMap::new();
    for start in parents.keys() {
        if done.contains_key(start) {
            continue;
        }
        // (name, index of its next parent to follow)
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        let mut on_stack: BTreeMap<&str, ()> = BTreeMap::from([(*start, ())]);
        while let Some((name, next)) = stack.last_mut() {
            let name = *name;
            let edges = parents.get(name).map_or(&[][..], Vec::as_slice);
            let Some((at, parent)) = edges.get(*next) else {
                done.insert(name, ());
                on_stack.remove(name);
                stack.pop();
                continue;
            };
            *next += 1;
            let Some((&parent, _)) = parents.get_key_value(parent.as_str()) else { continue };
            if done.contains_key(parent) {
                continue;
            }
            if on_stack.contains_key(parent) {
                let from = stack.iter().position(|(n, _)| *n == parent).unwrap_or(0);
                let mut cycle: Vec<&str> = stack[from..].iter().map(|(n, _)| *n).collect();
                cycle.push(parent);
                return Err(cx.err(at, format!("allOf cycle: {} inherits from itself", cycle.join(" → "))));
            }
            on_stack.insert(parent, ());
            stack.push((parent, 0));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::*;
    use crate::load::Dialect;

    fn check(defs: Value) -> Result<()> {
        let doc = json!({"definitions": defs});
        check_allof_cycles(&Ctx { doc: &doc, file: std::path::Path::new("x.json"), dialect: Dialect::Swagger2 })
    }

    #[test]
    fn a_long_inheritance_chain_is_walked_without_recursion() {
        // 20 000 links would overflow any recursive walk's stack.
        let mut defs = Map::new();
        for i in 0..20_000 {
            defs.insert(format!("D{i}"), json!({"allOf": [{"$ref": format!("#/definitions/D{}", i + 1)}]}));
        }
        assert!(check(Value::Object(defs.clone())).is_ok());
        defs.insert("D20000".into(), json!({"allOf": [{"$ref": "#/definitions/D0"}]}));
        let e = check(Value::Object(defs)).unwrap_err().to_string();
        assert!(e.contains("allOf cycle"), "{e}");
    }

    #[test]
    fn diamonds_and_self_references_by_property_are_not_cycles() {
        let defs = json!({
            "A": {"allOf": [{"$ref": "#/definitions/B"}, {"$ref": "#/definitions/C"}]},
            "B": {"allOf": [{"$ref": "#/definitions/D"}]},
            "C": {"allOf": [{"$ref": "#/definitions/D"}]},
            "D": {"properties": {"next": {"$ref": "#/definitions/A"}}}
        });
        assert!(check(defs).is_ok());
        let e = check(json!({"S": {"allOf": [{"$ref": "#/definitions/S"}]}})).unwrap_err().to_string();
        assert!(e.contains("x.json#/definitions/S/allOf/0/$ref") && e.contains("S → S"), "{e}");
    }
}
