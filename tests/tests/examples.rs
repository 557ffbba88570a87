//! Every `x-ms-examples` file of our specs, run through the generated clients: each
//! client of `keyvault_tests::clients::CLIENTS` (keys, secrets, certificates) with the
//! examples of its own spec.
//!
//! Derived mechanically by `keyvault_tests::examples`: each example's response is served by
//! wiremock, the operation is called with the example's parameters, the request must match
//! the example (method, path, query, JSON body) and the typed response must re-serialize to
//! the example's body. No case is written by hand; a new example file is a new test case,
//! and a new client in the table is run too.

use keyvault_tests::clients::{self, CLIENTS};
use keyvault_tests::examples::{self, Known};

/// Differences between our examples and our model that are understood and accepted.
const KNOWN: &[Known] = &[];

/// Runs every example of `client`'s spec; panics with the report unless each operation has
/// an example on disk and every example passes.
fn every_example_round_trips(client: &str) {
    let client = clients::by_name(client).expect("a client of the table");
    let api = (client.api)();
    let report = examples::run_examples_blocking(&api, &client.spec_path(), KNOWN).expect("examples run");
    println!("{} ({}):\n{}", client.name, api.name, report.render());
    assert!(report.missing.is_empty(), "{}: examples referenced but missing:\n{}", client.name, report.render());
    assert_eq!(
        report.total(),
        api.operations.len(),
        "{}: one example per operation:\n{}",
        client.name,
        report.render()
    );
    assert_eq!(report.passed(), report.total(), "{}:\n{}", client.name, report.render());
}

#[test]
fn every_example_of_keys_round_trips() {
    every_example_round_trips("keys");
}

#[test]
fn every_example_of_secrets_round_trips() {
    every_example_round_trips("secrets");
}

#[test]
fn every_example_of_certificates_round_trips() {
    every_example_round_trips("certificates");
}

/// A client added to the table gets its examples test here too.
#[test]
fn every_client_of_the_table_is_run() {
    let names: Vec<&str> = CLIENTS.iter().map(|c| c.name).collect();
    assert_eq!(names, ["keys", "secrets", "certificates"], "add a test above for each new client");
}

/// The harness is not vacuous: an example whose response has a field the model lacks, or
/// whose query value differs from what the client sends, fails with the JSON pointer.
#[test]
fn a_mismatching_example_fails() {
    let dir = std::env::temp_dir().join(format!("kv-examples-selftest-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("examples")).unwrap();
    let spec = serde_json::json!({
        "swagger": "2.0",
        "paths": {
            "/keys": {"get": {"operationId": "GetKeys",
                              "x-ms-examples": {"listing": {"$ref": "./examples/GetKeys.json"},
                                                "absent": {"$ref": "./examples/Nowhere.json"}}}},
            "/keys/restore": {"post": {"operationId": "RestoreKey",
                                       "x-ms-examples": {"restore": {"$ref": "./examples/RestoreKey.json"}}}}
        }
    });
    let get_keys = serde_json::json!({
        "parameters": {"api-version": "7.4", "maxresults": 2},
        "responses": {"200": {"body": {"value": [{"kid": "https://v/keys/a", "color": "blue"}], "nextLink": null}}}
    });
    let restore = serde_json::json!({
        "parameters": {"api-version": "7.4", "parameters": {"value": "AQID", "note": "x"}},
        "responses": {"200": {"body": {"key": {"kid": "https://v/keys/a"}}}, "409": {"body": {"error": {"code": "Conflict"}}}}
    });
    std::fs::write(dir.join("keys.json"), spec.to_string()).unwrap();
    std::fs::write(dir.join("examples/GetKeys.json"), get_keys.to_string()).unwrap();
    std::fs::write(dir.join("examples/RestoreKey.json"), restore.to_string()).unwrap();
    let api = keyvault_tests::dynamic_api!(keyvault_keys, KeyClient);
    let report = examples::run_examples_blocking(&api, &dir.join("keys.json"), &[]).expect("examples run");
    std::fs::remove_dir_all(&dir).ok();
    let text = report.render();
    assert_eq!((report.total(), report.passed(), report.missing.len()), (2, 0, 1), "\n{text}");
    assert!(text.contains("response dropped: /value/0/color = \"blue\""), "\n{text}");
    assert!(text.contains("[200] request body dropped: /note = \"x\""), "\n{text}");
    assert!(!text.contains("[409] error"), "the 409 answer is checked and matches:\n{text}");
}
