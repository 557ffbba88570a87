//! Checks progenitor would otherwise report without a location (or panic on), done here so
//! the message names the file and JSON pointer.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};

/// Every operation has an `operationId`, and no two share one.
pub fn operation_ids(doc: &mut Value, file: &Path) -> Result<()> {
    let mut seen: HashMap<String, String> = HashMap::new();
    crate::walk::operations_mut(doc, &mut |at, op| {
        match op.get("operationId") {
            Some(Value::String(id)) if !id.trim().is_empty() => {
                let key = id.to_ascii_lowercase();
                if let Some(first) = seen.get(&key) {
                    return Err(Error::spec(file, format!("{at}/operationId"), format!("duplicate operationId `{id}` (first used at {first})")));
                }
                seen.insert(key, at.to_string());
                Ok(())
            }
            Some(_) => Err(Error::spec(file, format!("{at}/operationId"), "operationId must be a non-empty string")),
            None => Err(Error::spec(file, at, "operation has no operationId; the generator names methods after it")),
        }
    })
}
