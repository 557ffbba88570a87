//! The committed client crate is exactly what the spec and the generator produce.
//!
//! Like rust-analyzer's sourcegen tests: a change to spec/, codegen/ or its runtime that was
//! not followed by `cargo xtask codegen` fails here, so drift cannot land.

use std::process::Command;

#[test]
fn generated_crate_matches_spec() {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask")).args(["codegen", "--check"]).output().expect("xtask runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "generated/ is stale; run `cargo xtask codegen` and commit the result.\n{stderr}");
}

#[test]
fn generation_is_deterministic() {
    let dir = std::env::temp_dir().join(format!("kv-determinism-{}", std::process::id()));
    let run = |name: &str| {
        let out = dir.join(name);
        let status = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["codegen", "--out"])
            .arg(&out)
            .status()
            .expect("xtask runs");
        assert!(status.success());
        let mut files = Vec::new();
        collect(&out, &out, &mut files);
        files.sort();
        files
    };
    let first = run("a");
    let second = run("b");
    assert!(first.len() > 5, "expected a crate, got {} files", first.len());
    assert_eq!(first, second, "two runs gave different output");
    std::fs::remove_dir_all(&dir).ok();
}

fn collect(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            out.push((rel, std::fs::read(&path).unwrap()));
        }
    }
}
