//! The recorded traffic under `../shared`, replayed through the generated clients:
//! `recordings/` (keys), `recordings-secrets/` and `recordings-certificates/`, each through
//! the client its name routes to, and an exchange that client has no operation for through
//! the next client of the table that has one.
//!
//! Runs `keyvault_tests::replay` (the harness behind `cargo xtask replay`) on the shared
//! recordings: found under `$KV_SHARED`, or `<workspace>/../shared`. Skipped, with a
//! message, when a folder does not exist.

use std::path::PathBuf;

use keyvault_tests::{clients, replay};

fn shared(folder: &str) -> PathBuf {
    let shared = std::env::var_os("KV_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    shared.join(folder)
}

/// Replays `../shared/<folder>` through the client it routes to (others as fallbacks) and
/// asserts that every file was read, every exchange matched an operation of some client,
/// and every one passed. `None` when the folder is absent.
fn replay_shared(folder: &str, client: &str) -> Option<replay::Report> {
    let dir = shared(folder);
    if !dir.is_dir() {
        eprintln!("skipped: no recordings at {} (set KV_SHARED to the shared folder)", dir.display());
        return None;
    }
    let route = clients::route(&dir).expect("the folder routes to a client");
    assert_eq!(route.name, client, "{folder} routes to {client}");
    let report = clients::Replay::new(route, None).replay_dir(&dir).expect("recordings replay");
    println!("{}", report.render());
    let t = report.totals();
    assert!(!report.recordings.is_empty(), "no recordings found in {}", dir.display());
    assert!(report.errors.is_empty(), "\n{}", report.render());
    assert_eq!(t.failed, 0, "\n{}", report.render());
    // Every shared recording is Key Vault traffic: each exchange is an operation of ours.
    assert_eq!(t.matched, t.exchanges, "\n{}", report.render());
    assert_eq!(t.passed, t.matched);
    Some(report)
}

/// The exchanges that were replayed through another client than the folder's, by label.
fn routed_elsewhere(report: &replay::Report) -> Vec<&str> {
    report
        .recordings
        .iter()
        .flat_map(|r| &r.exchanges)
        .filter(
            |e| matches!(&e.verdict, replay::Verdict::Passed(n) if n.iter().any(|n| n.starts_with("replayed through"))),
        )
        .map(|e| e.label.as_str())
        .collect()
}

#[test]
fn shared_recordings_replay_through_the_client() {
    if let Some(report) = replay_shared("recordings", "keys") {
        assert_eq!(routed_elsewhere(&report), Vec::<&str>::new(), "keys traffic is the keys client's");
    }
}

#[test]
fn shared_secrets_recordings_replay_through_the_secrets_client() {
    if let Some(report) = replay_shared("recordings-secrets", "secrets") {
        assert_eq!(report.client, "SecretClient");
        assert_eq!(routed_elsewhere(&report), Vec::<&str>::new(), "secrets traffic is the secrets client's");
    }
}

/// The certificates tests also download a certificate's secret (`GET /secrets/{name}/{version}`):
/// those exchanges, and only those, are replayed through the secrets client.
#[test]
fn shared_certificates_recordings_replay_through_the_certificates_client() {
    let Some(report) = replay_shared("recordings-certificates", "certificates") else { return };
    assert_eq!(report.client, "CertificateClient");
    let routed = routed_elsewhere(&report);
    let secrets =
        report.recordings.iter().flat_map(|r| &r.exchanges).filter(|e| e.label.starts_with("GET /secrets/")).count();
    assert!(secrets > 0, "the certificates recordings download secrets");
    assert_eq!(routed.len(), secrets, "{routed:?}");
    assert!(routed.iter().all(|l| l.starts_with("GET /secrets/")), "{routed:?}");
    let text = report.render();
    assert!(text.contains("replayed through SecretClient: CertificateClient has no operation"), "{text}");
}

/// An exchange the folder's client has no operation for is checked by the client that has
/// one, as strictly as its own: a field the secrets model lacks fails it. Without the
/// fallback it is only unmatched.
#[test]
fn an_exchange_of_another_client_is_checked_by_that_client() {
    let dir = std::env::temp_dir().join(format!("kv-replay-routing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let entry = |url: &str, body: serde_json::Value| {
        serde_json::json!({
            "RequestUri": url, "RequestMethod": "GET", "RequestHeaders": {"Authorization": "Sanitized"},
            "RequestBody": null, "StatusCode": 200, "ResponseHeaders": {"Content-Type": "application/json"},
            "ResponseBody": body
        })
    };
    let recording = serde_json::json!({"Entries": [
        entry("https://v.vault.azure.net/certificates/c/abc?api-version=7.4",
              serde_json::json!({"id": "https://v.vault.azure.net/certificates/c/abc"})),
        entry("https://v.vault.azure.net/secrets/c/abc?api-version=7.4",
              serde_json::json!({"id": "https://v.vault.azure.net/secrets/c/abc", "value": "x", "notASecretField": 1})),
    ]});
    std::fs::write(dir.join("routing.json"), recording.to_string()).unwrap();
    let certificates = clients::by_name("certificates").unwrap();
    let routed = clients::Replay::new(certificates, None).replay_dir(&dir).expect("replay runs");
    let alone = replay::replay_dir_blocking(&(certificates.api)(), &dir, &Default::default()).expect("replay runs");
    std::fs::remove_dir_all(&dir).ok();

    let (r, text) = (&routed.recordings[0], routed.render());
    assert_eq!((r.exchanges.len(), r.matched(), r.passed(), r.failed(), r.unmatched()), (2, 2, 1, 1, 0), "\n{text}");
    assert!(text.contains("response dropped: /notASecretField = 1"), "\n{text}");
    assert!(text.contains("(GetSecret)"), "the secrets client's operation:\n{text}");
    assert!(text.contains("replayed through SecretClient"), "\n{text}");

    let (r, text) = (&alone.recordings[0], alone.render());
    assert_eq!((r.matched(), r.unmatched()), (1, 1), "\n{text}");
    assert!(text.contains("unmatched routing.json #1 GET /secrets/c/abc"), "\n{text}");
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

fn fixtures(folder: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/recordings").join(folder)
}

/// One small synthetic recording per format the Azure SDKs write (shaped after theirs):
/// each replays through the keys client, exchange by exchange, with the exchanges that are
/// not Key Vault's set aside and counted.
#[test]
fn every_recording_format_replays_through_the_client() {
    let client = keyvault_tests::clients::route(&fixtures("formats")).expect("a client");
    let api = (client.api)();
    let bodies = replay::example_bodies(&api, &client.spec_path());
    let report = replay::replay_dir_blocking(&api, &fixtures("formats"), &bodies).expect("replay runs");
    let text = report.render();
    assert!(report.ok(), "\n{text}");
    let rows: Vec<(&str, &str, usize, usize, usize, usize)> = report
        .recordings
        .iter()
        .map(|r| (r.name.as_str(), r.format.name(), r.exchanges.len(), r.matched(), r.passed(), r.skipped()))
        .collect();
    assert_eq!(
        rows,
        [
            ("legacy-cpp/KeyVaultKeyClient.Fixture.json", "legacy-cpp", 2, 2, 2, 0),
            ("legacy-java/KeyClientTest.fixture[1].json", "legacy-java", 5, 4, 4, 1),
            ("test-proxy/KeyClientLiveTests.Fixture.json", "test-proxy", 10, 6, 6, 4),
            ("vcr/test_backup_restore.yaml", "vcr-yaml", 3, 3, 3, 0),
        ],
        "\n{text}"
    );
    // Why each was skipped, and that the three probes (two in the test-proxy recording, the
    // second one mid-recording; one in the cassette) were answered by a token on the retry.
    assert!(text.contains("3 × skipped: not Key Vault's: identity provider (login.microsoftonline.com)"), "\n{text}");
    assert!(text.contains("1 × skipped: not Key Vault's: host dc.services.visualstudio.com"), "\n{text}");
    assert!(
        text.contains(
            "1 × skipped: the recorded call raised instead of answering: java.util.concurrent.TimeoutException"
        ),
        "\n{text}"
    );
    assert!(text.contains("3 × challenge probe answered: token sent on the retry"), "\n{text}");
    assert_eq!(report.totals().skipped, 5);
}

/// The probe of the test-proxy recording is followed by three identity calls, not by its
/// retry: it is still paired with the retry (exchange #4), and the retry's recorded body,
/// kept as text, is what the client must send.
#[test]
fn a_probe_is_paired_with_its_retry_across_identity_calls() {
    let api = keyvault_tests::dynamic_api!(keyvault_keys, KeyClient);
    let recording = replay::load_dir(&fixtures("formats/test-proxy")).expect("folder reads").0.remove(0);
    let report = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let server = wiremock::MockServer::start().await;
        replay::replay(&api, &server, &recording, &Default::default()).await.expect("replays")
    });
    let order: Vec<(usize, &str)> = report
        .exchanges
        .iter()
        .map(|e| {
            let verdict = match &e.verdict {
                replay::Verdict::Passed(_) => "passed",
                replay::Verdict::Skipped(_) => "skipped",
                replay::Verdict::Failed(_) => "failed",
                replay::Verdict::Unmatched(_) => "unmatched",
            };
            (e.index, verdict)
        })
        .collect();
    assert_eq!(
        order,
        [
            (0, "passed"),
            (4, "passed"),
            (1, "skipped"),
            (2, "skipped"),
            (3, "skipped"),
            (5, "passed"),
            (6, "skipped"),
            (7, "passed"),
            (8, "passed"),
            (9, "passed"),
        ],
        "{report:#?}"
    );
}

/// Every malformed file is an error naming the file, the entry and the field, and none of
/// them stops the harness (a status wiremock cannot build used to panic inside it).
#[test]
fn malformed_recordings_are_named_errors_not_panics() {
    let api = keyvault_tests::dynamic_api!(keyvault_keys, KeyClient);
    let report = replay::replay_dir_blocking(&api, &fixtures("malformed"), &Default::default()).expect("replay runs");
    assert!(report.recordings.is_empty());
    assert!(!report.ok());
    let errors: Vec<(&str, Option<usize>, Option<&str>)> =
        report.errors.iter().map(|e| (e.file.as_str(), e.entry, e.field.as_deref())).collect();
    assert_eq!(
        errors,
        [
            ("entries-not-an-array.json", None, Some("Entries")),
            ("header-value-with-newline.json", Some(1), Some("ResponseHeaders.x-ms-request-id")),
            ("headers-not-a-map.json", Some(1), Some("ResponseHeaders")),
            ("java-status-missing.json", Some(0), Some("Response.StatusCode")),
            ("java-status-not-a-number.json", Some(1), Some("Response.StatusCode")),
            ("missing-method.json", Some(1), Some("RequestMethod")),
            ("relative-url.json", Some(1), Some("RequestUri")),
            ("status-out-of-range.json", Some(1), Some("StatusCode")),
            ("truncated.json", None, None),
            ("unclosed.yaml", None, None),
            ("unknown-format.json", None, None),
            ("vcr-status-missing.yaml", Some(0), Some("response.status")),
        ]
    );
    let text = report.render();
    for line in [
        "ERROR status-out-of-range.json: entry #1, field `StatusCode`: 1000 is not an HTTP status (100..=599)",
        "ERROR java-status-not-a-number.json: entry #1, field `Response.StatusCode`: \"OK\" is not an HTTP status",
        "ERROR truncated.json: not JSON (truncated)",
        "ERROR unknown-format.json: unknown format",
        "ERROR unclosed.yaml: not YAML",
        "12 unreadable",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
}
