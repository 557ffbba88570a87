//! Where things are in this repository.

use std::path::{Path, PathBuf};

/// The workspace root (the folder holding `xtask/`).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the workspace").to_path_buf()
}

/// Our own Key Vault 7.4 keys spec.
pub fn default_spec() -> PathBuf {
    project_root().join("spec/specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/keys.json")
}

/// The folder of the committed client crates, one sub-folder each.
pub fn generated_dir() -> PathBuf {
    project_root().join("generated")
}

/// The client runtime crate every generated crate depends on.
pub fn runtime_dir() -> PathBuf {
    std::fs::canonicalize(project_root().join("runtime")).unwrap_or_else(|_| project_root().join("runtime"))
}

/// A label for `spec` that is the same on every machine: relative to the repository when
/// inside it, else from `specification/` on (the azure-rest-api-specs layout), else the
/// file name.
pub fn spec_label(spec: &Path) -> String {
    let abs = std::fs::canonicalize(spec).unwrap_or_else(|_| spec.to_path_buf());
    let root = std::fs::canonicalize(project_root()).unwrap_or_else(|_| project_root());
    if let Ok(rel) = abs.strip_prefix(&root) {
        return rel.to_string_lossy().replace('\\', "/");
    }
    let parts: Vec<String> = abs.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    if let Some(i) = parts.iter().rposition(|p| p == "specification") {
        return parts[i..].join("/");
    }
    abs.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default()
}
