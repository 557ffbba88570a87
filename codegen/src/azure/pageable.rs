//! `x-ms-pageable`: list operations whose responses link to the next page.
//!
//! progenitor ignores the extension (it only knows dropshot's pagination), so the emitter
//! adds `<op>_pages` / `<op>_stream` methods that follow `nextLink` through the runtime.

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};

/// One pageable operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pageable {
    /// Its `operationId`.
    pub operation_id: String,
    /// The response property holding the next page's absolute URL (`nextLink`).
    pub next_link_name: String,
    /// The response property holding the page's items (`value`).
    pub item_name: String,
    /// The success response's schema name under `components/schemas`.
    pub page_schema: String,
}

/// Collects every `x-ms-pageable` operation whose pages carry a next link.
pub fn collect(doc: &mut Value, file: &Path) -> Result<Vec<Pageable>> {
    let mut out = Vec::new();
    crate::walk::operations_mut(doc, &mut |at, op| {
        let Some(ext) = op.get("x-ms-pageable") else { return Ok(()) };
        let next = match ext.get("nextLinkName") {
            // An explicit null means "one page only": nothing to follow.
            Some(Value::Null) => return Ok(()),
            Some(Value::String(s)) => s.clone(),
            None => "nextLink".to_string(),
            Some(_) => {
                return Err(Error::spec(file, format!("{at}/x-ms-pageable/nextLinkName"), "must be a string or null"));
            }
        };
        let item = ext.get("itemName").and_then(Value::as_str).unwrap_or("value").to_string();
        let operation_id = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string();
        let page_schema = op
            .get("responses")
            .and_then(Value::as_object)
            .and_then(|rs| rs.iter().find(|(code, _)| code.starts_with('2')).map(|(_, r)| r))
            .and_then(|r| r.get("content")?.as_object()?.values().next()?.get("schema")?.get("$ref")?.as_str())
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .map(String::from)
            .ok_or_else(|| {
                Error::spec(
                    file,
                    format!("{at}/responses"),
                    "an x-ms-pageable operation needs a success response whose schema is a named definition",
                )
            })?;
        out.push(Pageable { operation_id, next_link_name: next, item_name: item, page_schema });
        Ok(())
    })?;
    Ok(out)
}
