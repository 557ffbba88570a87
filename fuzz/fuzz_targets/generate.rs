//! The whole generator (load → bundle → convert → Azure rules → progenitor → emit) on one
//! fuzzed spec, in memory.
//!
//! Input: the root spec's bytes, optionally followed by a NUL byte and the bytes of the
//! `common.json` it may refer to (JSON text holds no raw NUL, so the split is unambiguous).
//! Without a NUL, `common.json` is our own spec's. `keys.json` is always our own, so
//! certificates-style specs that refer into it still bundle.
//!
//! Errors are the expected outcome for most inputs; a finding is a panic that escapes, a
//! stack overflow, a hang, or (with `KV_FUZZ_STRICT=1`) a progenitor panic the generator
//! caught instead of refusing the spec with a JSON pointer first.

#![no_main]

use kv_codegen::load::Memory;
use kv_codegen::{Error, Options};
use libfuzzer_sys::fuzz_target;

static COMMON: &[u8] =
    include_bytes!("../../spec/specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/common.json");
static KEYS: &[u8] =
    include_bytes!("../../spec/specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/keys.json");

fuzz_target!(|data: &[u8]| {
    let (root, common) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, COMMON),
    };
    let mut files = Memory::new();
    files.insert("spec/root.json", root).insert("spec/common.json", common).insert("spec/keys.json", KEYS);
    let opts = Options {
        spec: "spec/root.json".into(),
        spec_label: "fuzz/root.json".into(),
        crate_name: "fuzzed".into(),
        client_name: None,
        standalone: true,
        runtime_path: "../../runtime".into(),
    };
    if let Err(Error::Generate { message, .. }) = kv_codegen::generate_from_memory(&files, &opts)
        && message.contains("progenitor could not express")
        && std::env::var_os("KV_FUZZ_STRICT").is_some()
    {
        panic!("a spec reached progenitor and made it panic: {message}");
    }
});
