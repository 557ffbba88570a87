//! Long-running operations: the emitter adds `begin_<op>` beside the plain method, returning
//! the runtime's `Poller` typed with the operation's result model.
//!
//! Two shapes are recognised:
//!
//! - `x-ms-long-running-operation: true`, Azure's LRO pattern. Where the result is read from
//!   is `x-ms-long-running-operation-options.final-state-via`; without it, Azure's defaults
//!   apply (`original-uri` for `PUT` and `PATCH`, `location` otherwise). The result model is
//!   that of the `200`, else `201`, else `202` response.
//! - Key Vault's pending operation, which its specs do not mark: `POST <P>/create` answers
//!   `202` with a document that has a `status`, and `GET <P>/pending` returns the same
//!   document. The result is read with a `GET <P>` once `status` is `completed`; its model is
//!   that of the `GET <P>/{version}` beside it (certificates: `CertificateBundle`). Keying
//!   on the shape rather than on an extension of our own keeps Azure's unmodified
//!   certificates spec generating the same poller.

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};

/// One long-running operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongRunning {
    /// Its `operationId`.
    pub operation_id: String,
    /// How it is followed.
    pub shape: Shape,
    /// The result model's name under `components/schemas`.
    pub result_schema: String,
}

/// How a long-running operation is followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Azure's LRO pattern; the runtime's `FinalStateVia` variant name (`AzureAsyncOperation`,
    /// `Location`, `OriginalUri`, `OperationLocation`).
    Azure {
        /// The `FinalStateVia` variant.
        final_state_via: &'static str,
    },
    /// Key Vault's pending operation: the status document and the result are read at these
    /// paths (built from the operation's own path parameters).
    Pending {
        /// `<P>/pending`.
        status_path: Vec<Segment>,
        /// `<P>`.
        final_path: Vec<Segment>,
    },
}

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Text sent as is.
    Literal(String),
    /// A path parameter, by its wire name.
    Param(String),
}

/// Collects the long-running operations of `doc`; an unusable `x-ms-long-running-operation`
/// is an error naming file and pointer.
pub fn collect(doc: &Value, file: &Path) -> Result<Vec<LongRunning>> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else { return Ok(out) };
    for (path, item) in paths {
        let Some(item) = item.as_object() else { continue };
        for (method, op) in item {
            if method == "parameters" || method.starts_with("x-") {
                continue;
            }
            let at = crate::pointer::join(&crate::pointer::join("/paths", path), method);
            let operation_id = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string();
            match op.get("x-ms-long-running-operation") {
                None | Some(Value::Bool(false)) => {}
                Some(Value::Bool(true)) => {
                    let final_state_via = final_state_via(op, method, file, &at)?;
                    let result_schema = ["200", "201", "202"]
                        .iter()
                        .find_map(|code| response_schema(op, code))
                        .ok_or_else(|| {
                            Error::spec(
                                file,
                                format!("{at}/responses"),
                                "a long-running operation needs a 200, 201 or 202 response whose schema is a named definition (its result model)",
                            )
                        })?;
                    out.push(LongRunning { operation_id, shape: Shape::Azure { final_state_via }, result_schema });
                    continue;
                }
                Some(_) => {
                    return Err(Error::spec(file, format!("{at}/x-ms-long-running-operation"), "must be a boolean"));
                }
            }
            if let Some(lro) = pending(doc, path, method, op, operation_id) {
                out.push(lro);
            }
        }
    }
    Ok(out)
}

/// The `FinalStateVia` variant for an operation marked long-running.
fn final_state_via(op: &Value, method: &str, file: &Path, at: &str) -> Result<&'static str> {
    let pointer = format!("{at}/x-ms-long-running-operation-options/final-state-via");
    let given = op.get("x-ms-long-running-operation-options").and_then(|o| o.get("final-state-via"));
    let text = match given {
        None => return Ok(if matches!(method, "put" | "patch") { "OriginalUri" } else { "Location" }),
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(Error::spec(file, pointer, "must be a string")),
    };
    match text {
        "azure-async-operation" => Ok("AzureAsyncOperation"),
        "location" => Ok("Location"),
        "original-uri" => Ok("OriginalUri"),
        "operation-location" => Ok("OperationLocation"),
        other => Err(Error::spec(
            file,
            pointer,
            format!("`{other}` is not one of azure-async-operation, location, original-uri, operation-location"),
        )),
    }
}

/// Key Vault's pending-operation shape (see the module docs), if `op` has it.
fn pending(doc: &Value, path: &str, method: &str, op: &Value, operation_id: String) -> Option<LongRunning> {
    let prefix = path.strip_suffix("/create").filter(|_| method == "post")?;
    let accepted = response_schema(op, "202")?;
    let paths = doc.get("paths")?.as_object()?;
    let status_op = paths.get(&format!("{prefix}/pending"))?.get("get")?;
    if response_schema(status_op, "200")? != accepted {
        return None;
    }
    doc.pointer(&format!("/components/schemas/{}/properties/status", crate::pointer::escape(&accepted)))?;
    // The resource itself: `GET <P>`, or `GET <P>/{version}` whose latest version `<P>` names.
    let result_schema = paths.iter().find_map(|(other, item)| {
        let rest = other.strip_prefix(prefix)?;
        let versioned =
            rest.is_empty() || (rest.starts_with("/{") && rest.ends_with('}') && rest[1..].matches('/').count() == 0);
        if !versioned {
            return None;
        }
        response_schema(item.get("get")?, "200")
    })?;
    Some(LongRunning {
        operation_id,
        shape: Shape::Pending { status_path: segments(&format!("{prefix}/pending")), final_path: segments(prefix) },
        result_schema,
    })
}

/// A path template's segments.
fn segments(path: &str) -> Vec<Segment> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => Segment::Param(name.to_string()),
            None => Segment::Literal(s.to_string()),
        })
        .collect()
}

/// The named schema of `op`'s response `code`.
fn response_schema(op: &Value, code: &str) -> Option<String> {
    let response = op.get("responses")?.get(code)?;
    let schema = response.get("content")?.as_object()?.values().next()?.get("schema")?;
    schema.get("$ref")?.as_str()?.strip_prefix("#/components/schemas/").map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn json_body(schema: &str) -> Value {
        json!({"content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
    }

    fn certificates_like() -> Value {
        json!({
            "paths": {
                "/certificates/{certificate-name}/create": {"post": {"operationId": "CreateCertificate", "responses": {"202": json_body("Operation")}}},
                "/certificates/{certificate-name}/pending": {"get": {"operationId": "GetOperation", "responses": {"200": json_body("Operation")}}},
                "/certificates/{certificate-name}/{certificate-version}": {"get": {"operationId": "GetCertificate", "responses": {"200": json_body("Bundle")}}},
                "/backup": {"post": {
                    "operationId": "FullBackup",
                    "x-ms-long-running-operation": true,
                    "x-ms-long-running-operation-options": {"final-state-via": "azure-async-operation"},
                    "responses": {"202": json_body("BackupOperation")}
                }}
            },
            "components": {"schemas": {"Operation": {"properties": {"status": {"type": "string"}}}, "Bundle": {}, "BackupOperation": {}}}
        })
    }

    #[test]
    fn finds_both_shapes() {
        let found = collect(&certificates_like(), Path::new("c.json")).unwrap();
        let create = found.iter().find(|l| l.operation_id == "CreateCertificate").unwrap();
        assert_eq!(create.result_schema, "Bundle");
        assert_eq!(
            create.shape,
            Shape::Pending {
                status_path: vec![
                    Segment::Literal("certificates".into()),
                    Segment::Param("certificate-name".into()),
                    Segment::Literal("pending".into())
                ],
                final_path: vec![Segment::Literal("certificates".into()), Segment::Param("certificate-name".into())],
            }
        );
        let backup = found.iter().find(|l| l.operation_id == "FullBackup").unwrap();
        assert_eq!(backup.shape, Shape::Azure { final_state_via: "AzureAsyncOperation" });
        assert_eq!(backup.result_schema, "BackupOperation");
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn pending_needs_a_status_and_the_same_document() {
        let mut doc = certificates_like();
        doc["components"]["schemas"]["Operation"] = json!({"properties": {}});
        assert!(collect(&doc, Path::new("c.json")).unwrap().iter().all(|l| l.operation_id != "CreateCertificate"));
    }

    #[test]
    fn defaults_and_bad_options() {
        let mut doc = certificates_like();
        doc["paths"]["/backup"]["post"].as_object_mut().unwrap().remove("x-ms-long-running-operation-options");
        let found = collect(&doc, Path::new("c.json")).unwrap();
        assert!(found.iter().any(|l| l.shape == Shape::Azure { final_state_via: "Location" }));

        doc["paths"]["/backup"]["post"]["x-ms-long-running-operation-options"] = json!({"final-state-via": "body"});
        let err = collect(&doc, Path::new("c.json")).unwrap_err().to_string();
        assert!(err.contains("final-state-via") && err.contains("c.json"), "{err}");

        doc["paths"]["/backup"]["post"]["x-ms-long-running-operation"] = json!("yes");
        let err = collect(&doc, Path::new("c.json")).unwrap_err().to_string();
        assert!(err.contains("must be a boolean"), "{err}");
    }
}
