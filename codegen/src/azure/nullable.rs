//! `x-nullable` (now `nullable`) on optional values.
//!
//! An optional field is already `Option<T>`, and serde reads JSON `null` into `None`, so
//! `nullable` adds nothing there — but typify wraps such a type once more
//! (`struct Error(Option<ErrorInner>)`, `Option<Option<T>>`). It is kept only on required
//! properties, where `null` is a distinct value.

use serde_json::Value;

use crate::error::Result;

/// Drops `nullable` from definitions and from properties that are not required.
pub fn apply(doc: &mut Value) -> Result<()> {
    crate::walk::schemas_mut(doc, &mut |at, schema| {
        if at.starts_with("/components/schemas/") && at.matches('/').count() == 3 {
            schema.remove("nullable");
        }
        let required: Vec<String> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(|x| x.as_str().map(String::from)).collect())
            .unwrap_or_default();
        if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
            for (name, p) in props.iter_mut() {
                if !required.contains(name)
                    && let Some(p) = p.as_object_mut()
                {
                    p.remove("nullable");
                }
            }
        }
        Ok(())
    })
}
