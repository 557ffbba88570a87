//! `x-ms-enum`: one open Rust enum per named enum, however many properties repeat it.
//!
//! Azure's specs repeat the same inline enum on several properties (JsonWebKeyType three
//! times in 7.4); typify would make one strict type per property, and a value added by a
//! newer service (`"OKP"`) would fail the whole response although `modelAsString: true`
//! says the set is open. Every named enum is hoisted to `components/schemas/<Name>`, each
//! occurrence becomes a `$ref`, and the emitter writes the type with an `UnknownValue`
//! variant that keeps and re-sends any value.

use indexmap::IndexMap;
use serde_json::{Value, json};

use crate::error::Result;

/// A named string enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumDef {
    /// The type name (`x-ms-enum.name`, or the definition's name).
    pub name: String,
    /// Its description, when the spec gives one.
    pub description: Option<String>,
    /// The known values with their descriptions, in spec order.
    pub values: Vec<(String, Option<String>)>,
    /// `x-ms-enum.modelAsString`: whether the service says the set may grow.
    pub model_as_string: bool,
    /// The JSON type of the values; `values` hold their JSON text (`"RSA"` as `RSA`, `-1`, `true`).
    pub wire: Wire,
}

/// The JSON type of an enum's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Wire {
    /// Strings (almost every Azure enum).
    #[default]
    String,
    /// Integers.
    Integer,
    /// Booleans.
    Boolean,
}

impl Wire {
    fn of(values: &[Value], declared: Option<&str>) -> Option<Self> {
        let wire = if values.iter().all(Value::is_string) {
            Wire::String
        } else if values.iter().all(|v| v.is_i64()) {
            Wire::Integer
        } else if values.iter().all(Value::is_boolean) {
            Wire::Boolean
        } else {
            return None;
        };
        let expected = match wire {
            Wire::String => "string",
            Wire::Integer => "integer",
            Wire::Boolean => "boolean",
        };
        declared.is_none_or(|t| t == expected).then_some(wire)
    }

    /// The JSON text of a value: the string itself for strings.
    fn text(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(_) | Value::Bool(_) => Some(v.to_string()),
            _ => None,
        }
    }
}

/// Hoists inline named enums into components and returns every named string enum.
pub fn hoist(doc: &mut Value) -> Result<Vec<EnumDef>> {
    let mut found: IndexMap<String, EnumDef> = IndexMap::new();
    // Enum definitions that already have a name of their own (the TypeSpec dialect).
    let components: Vec<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    if let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) {
        for (name, s) in schemas {
            if let Some(def) = as_enum(s, Some(name)) {
                found.insert(name.clone(), def);
            }
        }
    }
    crate::walk::schemas_mut(doc, &mut |at, schema| {
        let top_level = at.starts_with("/components/schemas/") && at.matches('/').count() == 3;
        if top_level {
            return Ok(());
        }
        let Some(mut def) = as_enum(&Value::Object(schema.clone()), None) else { return Ok(()) };
        // `x-ms-enum.name` is free text (`Self`, `key-type`); it names a Rust type.
        def.name = crate::names::type_name(&def.name);
        // A name taken by a non-enum definition gets a suffix rather than a clash.
        if components.contains(&def.name) && !found.contains_key(&def.name) {
            def.name = format!("{}Enum", def.name);
        }
        let name = def.name.clone();
        match found.get_mut(&name) {
            Some(existing) => merge(existing, def),
            None => {
                found.insert(name.clone(), def);
            }
        }
        // The occurrence becomes a reference (its description kept for the field's docs).
        let description = schema.get("description").cloned();
        schema.clear();
        schema.insert("$ref".into(), json!(format!("#/components/schemas/{name}")));
        if let Some(d) = description {
            schema.insert("description".into(), d);
        }
        Ok(())
    })?;
    let schemas = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut);
    if let Some(schemas) = schemas {
        for def in found.values() {
            let (ty, values): (&str, Vec<Value>) = match def.wire {
                Wire::String => ("string", def.values.iter().map(|(v, _)| json!(v)).collect()),
                Wire::Integer => {
                    ("integer", def.values.iter().filter_map(|(v, _)| serde_json::from_str(v).ok()).collect())
                }
                Wire::Boolean => {
                    ("boolean", def.values.iter().filter_map(|(v, _)| serde_json::from_str(v).ok()).collect())
                }
            };
            schemas.insert(def.name.clone(), json!({"type": ty, "enum": values}));
        }
    }
    Ok(found.into_values().collect())
}

/// Reads a string enum with a name (from `x-ms-enum.name`, else `definition_name`).
fn as_enum(s: &Value, definition_name: Option<&str>) -> Option<EnumDef> {
    let values = s.get("enum")?.as_array()?;
    let wire = Wire::of(values, s.get("type").and_then(Value::as_str))?;
    let ext = s.get("x-ms-enum");
    let name = definition_name.map(String::from).or_else(|| ext?.get("name")?.as_str().map(String::from))?;
    let described: Vec<(String, Option<String>)> = ext
        .and_then(|e| e.get("values"))
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .filter_map(|v| {
                    Some((Wire::text(v.get("value")?)?, v.get("description").and_then(Value::as_str).map(String::from)))
                })
                .collect()
        })
        .unwrap_or_default();
    let values = values
        .iter()
        .filter_map(Wire::text)
        .map(|v| {
            let doc = described.iter().find(|(d, _)| *d == v).and_then(|(_, d)| d.clone());
            (v, doc)
        })
        .collect();
    Some(EnumDef {
        name,
        description: s.get("description").and_then(Value::as_str).map(String::from),
        values,
        model_as_string: ext.and_then(|e| e.get("modelAsString")).and_then(Value::as_bool).unwrap_or(false),
        wire,
    })
}

/// Adds the values (and missing descriptions) of another occurrence of the same enum.
fn merge(into: &mut EnumDef, other: EnumDef) {
    for (v, d) in other.values {
        match into.values.iter_mut().find(|(x, _)| *x == v) {
            Some((_, existing)) if existing.is_none() => *existing = d,
            Some(_) => {}
            None => into.values.push((v, d)),
        }
    }
    into.model_as_string |= other.model_as_string;
    if into.description.is_none() {
        into.description = other.description;
    }
}
