//! String and integer formats.
//!
//! `base64url` and `unixtime` are Azure's own formats, and `byte` and `date-time` standard
//! ones; they are kept, and the progenitor stage maps them to the runtime's `Base64Url` and
//! `Base64` (bytes), `UnixTime` and `DateTime` (time values). The other standard formats that typify maps to
//! third-party crates (`date` → chrono, `uuid` → uuid) are dropped so the generated crate
//! stays free of those dependencies; their values stay strings.

use serde_json::Value;

use crate::error::Result;

const DROPPED: [&str; 4] = ["date", "time", "uuid", "uri"];

/// Removes the formats that would pull extra crates into the generated client.
pub fn apply(doc: &mut Value) -> Result<()> {
    crate::walk::schemas_mut(doc, &mut |_, schema| {
        if schema.get("format").and_then(Value::as_str).is_some_and(|f| DROPPED.contains(&f)) {
            schema.remove("format");
        }
        Ok(())
    })
}
