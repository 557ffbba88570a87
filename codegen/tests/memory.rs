//! The in-memory entry point (the fuzz target's) generates exactly what the path-based one
//! does, and reads nothing from the disk.

use std::path::{Path, PathBuf};

use kv_codegen::Options;
use kv_codegen::load::Memory;

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../spec/specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4")
}

fn options(spec: PathBuf) -> Options {
    Options {
        spec,
        spec_label: "spec/keys.json".into(),
        crate_name: "keyvault-keys".into(),
        client_name: None,
        standalone: false,
        runtime_path: "../../runtime".into(),
    }
}

#[test]
fn memory_and_disk_generate_the_same_crate() {
    let dir = spec_dir();
    let from_disk = kv_codegen::generate(&options(dir.join("keys.json"))).expect("spec/ generates");
    let mut files = Memory::new();
    for name in ["keys.json", "common.json"] {
        files.insert(Path::new("virtual/7.4").join(name), std::fs::read(dir.join(name)).expect("read spec/"));
    }
    // A path that exists nowhere on disk: everything must come from `files`.
    let from_memory =
        kv_codegen::generate_from_memory(&files, &options("virtual/7.4/./keys.json".into())).expect("memory generates");
    assert_eq!(from_memory.files, from_disk.files);
    assert_eq!(
        from_memory.inputs,
        [PathBuf::from("virtual/7.4/./keys.json"), PathBuf::from("virtual/7.4/common.json")]
    );
}

#[test]
fn a_file_missing_from_memory_is_a_spec_error_at_the_ref() {
    let mut files = Memory::new();
    files.insert("virtual/keys.json", std::fs::read(spec_dir().join("keys.json")).expect("read spec/"));
    let e = kv_codegen::generate_from_memory(&files, &options("virtual/keys.json".into())).unwrap_err().to_string();
    assert!(e.starts_with("virtual/keys.json#/") && e.contains("missing file virtual/common.json"), "{e}");
}
