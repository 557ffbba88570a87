//! Every valid spec we know of passes the structural checks and prepares: our own `spec/`
//! and every Key Vault data-plane spec under `$KV_SHARED/azure-rest-api-specs` (default
//! `<workspace>/../shared`). A check that refused one of them would be wrong, not the spec.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The root specs under `dir`: JSON files outside `examples/`, `common.json` excepted (it is
/// only ever referred to).
fn specs_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.map(|e| e.expect("a folder entry").path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if path.is_dir() {
            if name != "examples" {
                specs_under(&path, out);
            }
        } else if name.ends_with(".json") && name != "common.json" {
            out.push(path);
        }
    }
}

fn assert_all_prepare(specs: &[PathBuf]) {
    let failures: Vec<String> =
        specs.iter().filter_map(|s| kv_codegen::prepare(s).err().map(|e| format!("{}: {e}", s.display()))).collect();
    assert!(failures.is_empty(), "valid specs refused:\n{}", failures.join("\n"));
}

#[test]
fn our_spec_prepares() {
    let mut specs = Vec::new();
    specs_under(&workspace().join("spec/specification"), &mut specs);
    assert!(!specs.is_empty(), "spec/ holds at least keys.json");
    assert_all_prepare(&specs);
}

#[test]
fn every_upstream_key_vault_spec_prepares() {
    let shared = std::env::var_os("KV_SHARED").map(PathBuf::from).unwrap_or_else(|| workspace().join("../shared"));
    let dir = shared.join("azure-rest-api-specs/specification/keyvault/data-plane");
    if !dir.is_dir() {
        eprintln!("skipped: no upstream specs at {} (set KV_SHARED to the shared folder)", dir.display());
        return;
    }
    let mut specs = Vec::new();
    specs_under(&dir, &mut specs);
    assert!(specs.len() >= 6, "expected 7.4 keys/secrets/certificates, 7.5, 7.6, 2025-07-01; found {specs:?}");
    assert_all_prepare(&specs);
}
