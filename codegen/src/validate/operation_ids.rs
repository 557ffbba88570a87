//! Every operation has a unique `operationId`: checked on the converted document, because
//! progenitor names each method after it and would otherwise fail without a location.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};

/// Every operation has an `operationId`, and no two share one.
pub fn operation_ids(doc: &mut Value, file: &Path) -> Result<()> {
    let mut seen: HashMap<String, (String, String)> = HashMap::new();
    crate::walk::operations_mut(doc, &mut |at, op| match op.get("operationId") {
        Some(Value::String(id)) if !id.trim().is_empty() => {
            // progenitor names methods in snake_case, so ids that differ only in case or
            // separators (`BackupKey`, `backup_key`) would become the same method.
            let key: String = id.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
            if key.is_empty() {
                return Err(Error::spec(
                    file,
                    format!("{at}/operationId"),
                    format!("operationId `{id}` has no letter or digit to name a method after"),
                ));
            }
            if let Some((first_id, first)) = seen.get(&key) {
                let same =
                    if first_id == id { String::new() } else { format!(", the same method name as `{first_id}`") };
                return Err(Error::spec(
                    file,
                    format!("{at}/operationId"),
                    format!("duplicate operationId `{id}`{same} (first used at {first})"),
                ));
            }
            seen.insert(key, (id.clone(), at.to_string()));
            Ok(())
        }
        Some(_) => Err(Error::spec(file, format!("{at}/operationId"), "operationId must be a non-empty string")),
        None => Err(Error::spec(file, at, "operation has no operationId; the generator names methods after it")),
    })
}
