//! Bundling cross-file `$ref`s into one document.

use kv_codegen::{bundle, load};
use serde_json::json;

fn write(dir: &std::path::Path, name: &str, v: serde_json::Value) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    p
}

#[test]
fn external_targets_are_copied_once_and_refs_made_local() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "common.json",
        json!({
            "definitions": {
                "KeyVaultError": {"properties": {"error": {"$ref": "#/definitions/Error"}}},
                "Error": {"properties": {"code": {"type": "string"}, "innererror": {"$ref": "#/definitions/Error"}}}
            },
            "parameters": {"ApiVersionParameter": {"name": "api-version", "in": "query", "type": "string"}}
        }),
    );
    let root = write(
        dir.path(),
        "keys.json",
        json!({
            "swagger": "2.0",
            "paths": {"/a": {"get": {
                "parameters": [{"$ref": "common.json#/parameters/ApiVersionParameter"}],
                "responses": {
                    "default": {"schema": {"$ref": "common.json#/definitions/KeyVaultError"}},
                    "400": {"schema": {"$ref": "./common.json#/definitions/KeyVaultError"}}
                },
                "x-ms-examples": {"A": {"$ref": "./examples/A.json"}}
            }}},
            "definitions": {"Error": {"description": "a different Error of our own"}}
        }),
    );
    let b = bundle::bundle(load::read_json(&root).unwrap()).unwrap();
    let op = &b.doc["paths"]["/a"]["get"];
    assert_eq!(op["parameters"][0]["$ref"], "#/parameters/ApiVersionParameter");
    assert_eq!(op["responses"]["default"]["schema"]["$ref"], "#/definitions/KeyVaultError");
    assert_eq!(op["responses"]["400"]["schema"]["$ref"], "#/definitions/KeyVaultError");
    // The root's own `Error` stays; common.json's is copied under another name, recursion intact.
    let defs = &b.doc["definitions"];
    assert_eq!(defs["Error"]["description"], "a different Error of our own");
    assert_eq!(defs["KeyVaultError"]["properties"]["error"]["$ref"], "#/definitions/Error2");
    assert_eq!(defs["Error2"]["properties"]["innererror"]["$ref"], "#/definitions/Error2");
    assert_eq!(b.doc["parameters"]["ApiVersionParameter"]["name"], "api-version");
    // Examples are collected, not followed, and a missing one is only flagged.
    assert!(op.get("x-ms-examples").is_none());
    assert_eq!(b.examples.len(), 1);
    assert!(!b.examples[0].exists);
    assert_eq!(b.files.len(), 2);
    // Where the copies came from, for error messages.
    let (file, ptr) = bundle::locate("/definitions/Error2/properties/code", &root, &b.origins);
    assert!(file.ends_with("common.json"));
    assert_eq!(ptr, "/definitions/Error/properties/code");
}
