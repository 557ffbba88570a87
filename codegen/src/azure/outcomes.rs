//! Operations whose success responses carry different bodies (`200` with a body and `204`
//! without; `201` and `202` with different models).
//!
//! progenitor 0.15 asserts that an operation has one success type. For these operations the
//! rule records one [`Outcome`] per operation and turns every success response into an
//! untyped octet stream, which progenitor hands over as raw bytes; the emitter then writes an
//! outcome enum (one variant per status) and the facade decodes the bytes by status into it.
//! Operations whose success bodies agree are left alone (one type, as before).

use std::path::Path;

use serde_json::{Value, json};

use crate::error::{Error, Result};

/// One success status of an [`Outcome`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeCase {
    /// The status code (`201`).
    pub status: u16,
    /// The variant's name (`Created`).
    pub variant: String,
    /// The body's schema under `components/schemas`, `None` for an empty body.
    pub schema: Option<String>,
    /// The response's description from the spec.
    pub description: String,
}

/// An operation with several success bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Its `operationId`.
    pub operation_id: String,
    /// Its success statuses, in ascending order.
    pub cases: Vec<OutcomeCase>,
}

/// The name of the enum emitted for `operation_id` (`GetItem` → `GetItemOutcome`).
pub fn enum_name(operation_id: &str) -> String {
    let mut out = crate::names::upper_camel(operation_id);
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'O');
    }
    out + "Outcome"
}

/// The variant for a status: its reason phrase where there is a common one.
fn variant_for(status: u16) -> String {
    match status {
        200 => "Ok".into(),
        201 => "Created".into(),
        202 => "Accepted".into(),
        203 => "NonAuthoritative".into(),
        204 => "NoContent".into(),
        205 => "ResetContent".into(),
        206 => "PartialContent".into(),
        other => format!("Status{other}"),
    }
}

/// Finds the operations with several success bodies, records them and makes their success
/// responses untyped. Inline bodies become named schemas (`<OperationId><Variant>Body`).
pub fn apply(doc: &mut Value, file: &Path) -> Result<Vec<Outcome>> {
    let mut found = Vec::new();
    let mut hoisted: Vec<(String, Value)> = Vec::new();
    let taken: Vec<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    crate::walk::operations_mut(doc, &mut |at, op| {
        let operation_id = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string();
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { return Ok(()) };
        let body = |r: &Value| -> Option<Value> {
            r.get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.values().next())
                .and_then(|m| m.get("schema"))
                .cloned()
        };
        let mut bodies: Vec<Option<Value>> = Vec::new();
        for (code, r) in responses.iter() {
            if code.starts_with('2') && !bodies.contains(&body(r)) {
                bodies.push(body(r));
            }
        }
        if bodies.len() < 2 {
            return Ok(());
        }
        let mut cases = Vec::new();
        for (code, r) in responses.iter_mut() {
            if !code.starts_with('2') {
                continue;
            }
            let status: u16 = code.parse().map_err(|_| {
                Error::spec(
                    file,
                    crate::pointer::join(&format!("{at}/responses"), code),
                    "a range of success statuses beside other success bodies cannot be told apart; list the statuses",
                )
            })?;
            let variant = variant_for(status);
            let schema = match body(r) {
                None => None,
                Some(s) => {
                    match s.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/")) {
                        Some(name) => Some(crate::pointer::unescape(name)),
                        None => {
                            let mut name =
                                format!("{}{variant}Body", enum_name(&operation_id).trim_end_matches("Outcome"));
                            while taken.contains(&name) || hoisted.iter().any(|(n, _)| *n == name) {
                                name.push('_');
                            }
                            hoisted.push((name.clone(), s));
                            Some(name)
                        }
                    }
                }
            };
            let description = r.get("description").and_then(Value::as_str).unwrap_or_default().trim().to_string();
            if let Some(obj) = r.as_object_mut() {
                // Raw bytes for progenitor; the facade decodes them by status.
                obj.insert("content".into(), json!({"application/octet-stream": {}}));
            }
            cases.push(OutcomeCase { status, variant, schema, description });
        }
        cases.sort_by_key(|c| c.status);
        found.push(Outcome { operation_id, cases });
        Ok(())
    })?;
    if !hoisted.is_empty() {
        let root = doc.as_object_mut().expect("an OpenAPI document is an object");
        let components = root.entry("components").or_insert_with(|| json!({}));
        if let Some(c) = components.as_object_mut() {
            let schemas = c.entry("schemas").or_insert_with(|| json!({}));
            if let Some(s) = schemas.as_object_mut() {
                s.extend(hoisted);
            }
        }
    }
    Ok(found)
}
