//! The recorded traffic under `../shared/recordings`, replayed through the generated client.
//!
//! Runs `keyvault_tests::replay` (the harness behind `cargo xtask replay`) on the shared
//! recordings: found at `$KV_SHARED/recordings`, or `<workspace>/../shared/recordings`.
//! Skipped, with a message, when that folder does not exist.

use std::path::PathBuf;

use keyvault_tests::replay;

fn recordings() -> PathBuf {
    let shared = std::env::var_os("KV_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    shared.join("recordings")
}

#[test]
fn shared_recordings_replay_through_the_client() {
    let dir = recordings();
    if !dir.is_dir() {
        eprintln!("skipped: no recordings at {} (set KV_SHARED to the shared folder)", dir.display());
        return;
    }
    let api = keyvault_tests::dynamic_api!(keyvault_keys, KeyClient);
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../spec/specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/keys.json");
    let bodies = replay::example_bodies(&api, &spec);
    let report = replay::replay_dir_blocking(&api, &dir, &bodies).expect("recordings replay");
    println!("{}", report.render());
    let t = report.totals();
    assert!(!report.recordings.is_empty(), "no recordings found in {}", dir.display());
    assert!(report.errors.is_empty(), "\n{}", report.render());
    assert_eq!(t.failed, 0, "\n{}", report.render());
    // Every shared recording is Key Vault keys traffic: each exchange is an operation of ours.
    assert_eq!(t.matched, t.exchanges, "\n{}", report.render());
    assert_eq!(t.passed, t.matched);
}

/// The harness is not vacuous: a field the model lacks, in a response or in a recorded
/// request body, fails the exchange and is named by its JSON pointer.
#[test]
fn a_field_the_model_does_not_have_fails_the_exchange() {
    let dir = std::env::temp_dir().join(format!("kv-replay-selftest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let recording = serde_json::json!({
        "Entries": [
            {
                "RequestUri": "https://v.vault.azure.net/keys/k/abc?api-version=7.4",
                "RequestMethod": "GET",
                "RequestHeaders": {"Authorization": "Sanitized"},
                "RequestBody": null,
                "StatusCode": 200,
                "ResponseHeaders": {"Content-Type": "application/json"},
                "ResponseBody": {"key": {"kid": "https://v.vault.azure.net/keys/k/abc", "kty": "EC"},
                                 "attributes": {"enabled": true, "futureField": 7}}
            },
            {
                "RequestUri": "https://v.vault.azure.net/keys/restore?api-version=7.4",
                "RequestMethod": "POST",
                "RequestHeaders": {"Authorization": "Sanitized"},
                "RequestBody": {"value": "AQID", "extra": true},
                "StatusCode": 404,
                "ResponseHeaders": {"Content-Type": "application/json"},
                "ResponseBody": {"error": {"code": "KeyNotFound", "message": "gone"}}
            },
            {
                "RequestUri": "https://v.vault.azure.net/secrets/s?api-version=7.4",
                "RequestMethod": "GET",
                "RequestHeaders": {},
                "RequestBody": null,
                "StatusCode": 200,
                "ResponseHeaders": {},
                "ResponseBody": {}
            }
        ]
    });
    std::fs::write(dir.join("selftest.json"), recording.to_string()).unwrap();
    let api = keyvault_tests::dynamic_api!(keyvault_keys, KeyClient);
    let report = replay::replay_dir_blocking(&api, &dir, &Default::default()).expect("replay runs");
    std::fs::remove_dir_all(&dir).ok();
    let text = report.render();
    let r = &report.recordings[0];
    assert_eq!((r.exchanges.len(), r.matched(), r.failed()), (3, 2, 2), "\n{text}");
    assert!(text.contains("response dropped: /attributes/futureField = 7"), "\n{text}");
    assert!(text.contains("request body dropped: /extra = true"), "\n{text}");
    assert!(text.contains("unmatched selftest.json #2 GET /secrets/s"), "\n{text}");
}
