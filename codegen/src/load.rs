//! Stage 1: read a spec file, parse it as JSON and tell which dialect it is written in.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde_json::Value;

use crate::error::{Error, Result};

/// The API description languages the generator reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Swagger 2.0, Azure's hand-written and TypeSpec-emitted dialect alike.
    Swagger2,
    /// OpenAPI 3.0.x.
    OpenApi3,
}

/// A parsed spec file.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its JSON content.
    pub doc: Value,
}

/// Where spec files come from: the disk, or files held in memory (fuzzing, tests).
pub trait Source {
    /// The bytes of `path`.
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>>;
    /// Whether `path` names a readable file.
    fn is_file(&self, path: &Path) -> bool;
    /// One spelling per file, so that two `$ref`s to the same file are recognized as such.
    fn canonical(&self, path: &Path) -> PathBuf;
}

/// The file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct Disk;

impl Source for Disk {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        std::fs::read(path)
    }

    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }

    fn canonical(&self, path: &Path) -> PathBuf {
        std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
    }
}

/// Files held in memory, by path; nothing else exists.
#[derive(Debug, Clone, Default)]
pub struct Memory {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl Memory {
    /// No files.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the file at `path`.
    pub fn insert(&mut self, path: impl AsRef<Path>, bytes: impl Into<Vec<u8>>) -> &mut Self {
        self.files.insert(normalize(path.as_ref()), bytes.into());
        self
    }
}

impl Source for Memory {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        self.files.get(&normalize(path)).cloned().ok_or_else(|| std::io::ErrorKind::NotFound.into())
    }

    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(&normalize(path))
    }

    fn canonical(&self, path: &Path) -> PathBuf {
        normalize(path)
    }
}

/// `a/./b/../c` → `a/c`, without touching the disk.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Reads and parses one JSON file, reporting truncation and syntax errors with line and column.
pub fn read_json(path: &Path) -> Result<Loaded> {
    read_json_from(&Disk, path)
}

/// [`read_json`] from `source`.
pub fn read_json_from(source: &dyn Source, path: &Path) -> Result<Loaded> {
    let bytes = source.read(path).map_err(|e| Error::io(path, e))?;
    // Upstream files are sometimes saved with a UTF-8 byte order mark.
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let doc: Value = serde_json::from_slice(text).map_err(|e| {
        let what = if e.is_eof() {
            "truncated JSON (unexpected end of file)"
        } else if e.to_string().starts_with("recursion limit exceeded") {
            // serde_json's bound keeps every later recursive stage within the stack.
            "JSON nested more than 128 levels deep"
        } else {
            "invalid JSON"
        };
        Error::spec(path, "", format!("{what} at line {} column {}: {e}", e.line(), e.column()))
    })?;
    Ok(Loaded { path: path.to_path_buf(), doc })
}

/// Tells the dialect of a root document from its `swagger` or `openapi` field.
pub fn detect(loaded: &Loaded) -> Result<Dialect> {
    let err = |pointer: &str, msg: String| Error::spec(&loaded.path, pointer, msg);
    let Some(root) = loaded.doc.as_object() else {
        return Err(err("", "a spec must be a JSON object".into()));
    };
    match (root.get("swagger"), root.get("openapi")) {
        (Some(Value::String(v)), None) if v == "2.0" => Ok(Dialect::Swagger2),
        (Some(v), None) => Err(err("/swagger", format!("unsupported Swagger version {v}; only \"2.0\" is read"))),
        (None, Some(Value::String(v))) if is_openapi_30(v) => Ok(Dialect::OpenApi3),
        (None, Some(v)) => Err(err("/openapi", format!("unsupported OpenAPI version {v}; only 3.0.x is read"))),
        (Some(_), Some(_)) => Err(err("", "both `swagger` and `openapi` are set; a spec has one".into())),
        (None, None) => Err(err("", "neither `swagger` nor `openapi` is set: this is not an API spec".into())),
    }
}

fn is_openapi_30(v: &str) -> bool {
    let mut parts = v.split('.');
    parts.next() == Some("3")
        && parts.next() == Some("0")
        && parts.next().is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && parts.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn loaded(doc: Value) -> Loaded {
        Loaded { path: "x.json".into(), doc }
    }

    #[test]
    fn detects_dialects() {
        assert_eq!(detect(&loaded(json!({"swagger": "2.0"}))).unwrap(), Dialect::Swagger2);
        assert_eq!(detect(&loaded(json!({"openapi": "3.0.3"}))).unwrap(), Dialect::OpenApi3);
        assert_eq!(detect(&loaded(json!({"openapi": "3.0"}))).unwrap(), Dialect::OpenApi3);
        let e = detect(&loaded(json!({"openapi": "3.1.0"}))).unwrap_err().to_string();
        assert!(e.contains("x.json#/openapi") && e.contains("3.1.0"), "{e}");
        let e = detect(&loaded(json!({"swagger": "1.2"}))).unwrap_err().to_string();
        assert!(e.contains("#/swagger"), "{e}");
        assert!(detect(&loaded(json!({"info": {}}))).is_err());
    }
}
