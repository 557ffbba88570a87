//! Stage 3: turn a bundled document into OpenAPI 3.0 (still as JSON, then typed).

mod swagger2;

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};

pub use swagger2::swagger2_to_openapi3;

/// Deserializes an OpenAPI 3.0 JSON document into `openapiv3` types, naming the JSON pointer
/// of the first value that does not fit.
pub fn to_typed(doc: Value, file: &Path) -> Result<openapiv3::OpenAPI> {
    let text = doc.to_string();
    let de = &mut serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let pointer = e
            .path()
            .iter()
            .map(|seg| match seg {
                serde_path_to_error::Segment::Seq { index } => format!("/{index}"),
                serde_path_to_error::Segment::Map { key } => format!("/{}", crate::pointer::escape(key)),
                serde_path_to_error::Segment::Enum { variant } => format!("/{variant}"),
                serde_path_to_error::Segment::Unknown => String::new(),
            })
            .collect::<String>();
        Error::spec(file, pointer, format!("not a valid OpenAPI 3.0 document here: {}", e.inner()))
    })
}
