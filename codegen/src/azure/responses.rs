//! Response shapes progenitor can express: checked here so a spec gets an error naming the
//! operation instead of a panic inside progenitor (`assert!(response_types.len() <= 1)`).

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};

/// Rejects operations whose error responses (or success responses, once
/// [`outcomes`](super::outcomes) has made several success bodies raw) have more than one body type, and
/// request bodies with more than one media type.
pub fn check(doc: &mut Value, file: &Path) -> Result<()> {
    crate::walk::operations_mut(doc, &mut |at, op| {
        if let Some(body) = op.get("requestBody")
            && body.get("content").and_then(Value::as_object).is_some_and(|c| c.len() > 1)
        {
            {
                return Err(Error::spec(
                    file,
                    format!("{at}/requestBody/content"),
                    "more than one request media type is not supported",
                ));
            }
        }
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            return Err(Error::spec(file, at, "an operation needs `responses`"));
        };
        for (label, is_class) in [("success", is_success as fn(&str) -> bool), ("error", is_error)] {
            let mut bodies: Vec<Option<&Value>> = Vec::new();
            for (code, r) in responses {
                if !is_class(code) {
                    continue;
                }
                let body = r
                    .get("content")
                    .and_then(Value::as_object)
                    .and_then(|c| c.values().next())
                    .and_then(|m| m.get("schema"));
                if !bodies.contains(&body) {
                    bodies.push(body);
                }
            }
            if bodies.len() > 1 {
                return Err(Error::spec(
                    file,
                    format!("{at}/responses"),
                    format!(
                        "the {label} responses have {} different bodies; the generator needs one type per outcome",
                        bodies.len()
                    ),
                ));
            }
        }
        Ok(())
    })
}

fn is_success(code: &str) -> bool {
    code.starts_with('2')
}

fn is_error(code: &str) -> bool {
    code.starts_with('4') || code.starts_with('5')
}
