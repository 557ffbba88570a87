//! Runs the `kv-backup` binary against wiremock vaults on loopback, with the
//! hidden `--token-env`/`--allow-http` flags (no azure_identity involved).
//! Each vault answers unauthenticated requests with Key Vault's challenge, so
//! the client's real authentication flow runs too.

use std::path::Path;
use std::process::{Command, Output};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN_VAR: &str = "KV_BACKUP_TEST_TOKEN";
const TOKEN: &str = "test-token";
const BEARER: &str = "Bearer test-token";

/// A backup blob that uses every byte value, so its base64url form contains
/// both `-` and `_` and no padding.
fn blob() -> Vec<u8> {
    (0..=255u8).chain((0..=255u8).rev()).chain([0xfb, 0xff, 0xbf]).collect()
}

/// A vault that challenges every request without a token, as Key Vault does.
async fn vault() -> MockServer {
    let server = MockServer::start().await;
    let resource = server.uri(); // http://127.0.0.1:PORT: the scope must belong to the vault host.
    Mock::given(|request: &Request| !request.headers.contains_key("authorization"))
        .respond_with(ResponseTemplate::new(401).insert_header(
            "www-authenticate",
            format!(r#"Bearer authorization="https://login.microsoftonline.com/tenant", resource="{resource}""#),
        ))
        .with_priority(1)
        .mount(&server)
        .await;
    server
}

fn authorized(http_method: &str, request_path: &str) -> wiremock::MockBuilder {
    Mock::given(method(http_method))
        .and(path(request_path))
        .and(query_param("api-version", "7.4"))
        .and(header("authorization", BEARER))
}

fn service_error(status: u16, code: &str, message: &str, inner: Option<&str>, request_id: &str) -> ResponseTemplate {
    let mut error = json!({ "code": code, "message": message });
    if let Some(inner) = inner {
        error["innererror"] = json!({ "code": inner });
    }
    ResponseTemplate::new(status).insert_header("x-ms-request-id", request_id).set_body_json(json!({ "error": error }))
}

fn kv_backup(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kv-backup")).args(args).env(TOKEN_VAR, TOKEN).output().expect("run kv-backup")
}

/// `backup` against `server` with the test-only flags.
fn backup(server: &MockServer, key: &str, out: &Path, extra: &[&str]) -> Output {
    let uri = server.uri();
    let out = out.to_str().unwrap();
    let mut args =
        vec!["backup", "--vault", &uri, "--key", key, "--out", out, "--token-env", TOKEN_VAR, "--allow-http"];
    args.extend_from_slice(extra);
    kv_backup(&args)
}

fn restore(server: &MockServer, input: &Path) -> Output {
    let uri = server.uri();
    kv_backup(&["restore", "--vault", &uri, "--in", input.to_str().unwrap(), "--token-env", TOKEN_VAR, "--allow-http"])
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn exit_code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}

fn dir_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[tokio::test]
async fn backup_writes_the_exact_bytes() {
    let server = vault().await;
    let blob = blob();
    authorized("POST", "/keys/my-key/backup")
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-ms-request-id", "req-backup-1")
                .set_body_json(json!({ "value": URL_SAFE_NO_PAD.encode(&blob) })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("my-key.backup");

    let output = backup(&server, "my-key", &out, &[]);

    assert_eq!(exit_code(&output), 0, "{}", stderr(&output));
    assert_eq!(std::fs::read(&out).unwrap(), blob, "raw bytes, not base64");
    assert_eq!(dir_entries(dir.path()), ["my-key.backup"], "no temporary file left behind");
    let said = stdout(&output);
    assert!(said.contains(&format!("({} bytes)", blob.len())) && said.contains("req-backup-1"), "{said}");
}

#[tokio::test]
async fn restore_sends_exactly_the_base64url_of_the_file() {
    let server = vault().await;
    let blob = blob();
    let encoded = URL_SAFE_NO_PAD.encode(&blob);
    assert!(encoded.contains('-') && encoded.contains('_'), "{encoded}");
    let kid = format!("{}/keys/my-key/0123456789abcdef", server.uri());
    authorized("POST", "/keys/restore")
        .and(body_json(json!({ "value": encoded })))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-ms-request-id", "req-restore-1")
                .set_body_json(json!({ "key": { "kid": kid, "kty": "RSA" }, "attributes": { "enabled": true } })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("my-key.backup");
    std::fs::write(&input, &blob).unwrap();

    let output = restore(&server, &input);

    assert_eq!(exit_code(&output), 0, "{}", stderr(&output));
    assert!(stdout(&output).contains(&kid), "{}", stdout(&output));
    let requests = server.received_requests().await.unwrap();
    let sent: Vec<&Request> = requests.iter().filter(|r| r.headers.contains_key("authorization")).collect();
    assert_eq!(sent.len(), 1);
    let body: Value = serde_json::from_slice(&sent[0].body).unwrap();
    assert_eq!(body, json!({ "value": encoded }), "nothing but the blob, unpadded base64url");
    // The unauthenticated challenge probe never carries the blob.
    assert!(requests.iter().filter(|r| !r.headers.contains_key("authorization")).all(|r| r.body.is_empty()));
}

#[tokio::test]
async fn backup_refuses_to_overwrite_without_force() {
    let server = vault().await;
    authorized("POST", "/keys/my-key/backup")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "value": URL_SAFE_NO_PAD.encode(b"new blob") })))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("my-key.backup");
    std::fs::write(&out, b"precious old backup").unwrap();

    let output = backup(&server, "my-key", &out, &[]);

    assert_eq!(exit_code(&output), 3, "{}", stderr(&output));
    let said = stderr(&output);
    assert!(said.contains("already exists") && said.contains("--force"), "{said}");
    assert_eq!(std::fs::read(&out).unwrap(), b"precious old backup", "the existing file is untouched");
    assert_eq!(dir_entries(dir.path()), ["my-key.backup"]);
    assert!(server.received_requests().await.unwrap().is_empty(), "no call to the vault at all");

    let output = backup(&server, "my-key", &out, &["--force"]);
    assert_eq!(exit_code(&output), 0, "{}", stderr(&output));
    assert_eq!(std::fs::read(&out).unwrap(), b"new blob");
    assert_eq!(dir_entries(dir.path()), ["my-key.backup"]);
}

#[tokio::test]
async fn key_not_found_names_code_and_request_id() {
    let server = vault().await;
    authorized("POST", "/keys/missing/backup")
        .respond_with(service_error(
            404,
            "KeyNotFound",
            "A key with (name/id) missing was not found in this key vault.",
            None,
            "req-404-abc",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("missing.backup");

    let output = backup(&server, "missing", &out, &[]);

    assert_eq!(exit_code(&output), 6, "{}", stderr(&output));
    let said = stderr(&output);
    assert!(said.contains("key 'missing' was not found"), "{said}");
    assert!(said.contains("KeyNotFound (404)"), "{said}");
    assert!(said.contains("req-404-abc"), "{said}");
    assert!(!said.contains(TOKEN), "{said}");
    assert!(dir_entries(dir.path()).is_empty(), "no output and no temporary file: {:?}", dir_entries(dir.path()));
}

#[tokio::test]
async fn restore_conflict_explains_the_taken_name() {
    let server = vault().await;
    authorized("POST", "/keys/restore")
        .respond_with(service_error(
            409,
            "Conflict",
            "Key my-key is currently in a deleted but recoverable state.",
            Some("ObjectIsDeletedButRecoverable"),
            "req-409-def",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("my-key.backup");
    std::fs::write(&input, blob()).unwrap();

    let output = restore(&server, &input);

    assert_eq!(exit_code(&output), 7, "{}", stderr(&output));
    let said = stderr(&output);
    assert!(said.contains("already taken"), "{said}");
    assert!(said.contains("Conflict (409)") && said.contains("ObjectIsDeletedButRecoverable"), "{said}");
    assert!(said.contains("req-409-def") && said.contains("purge or recover"), "{said}");
}

#[tokio::test]
async fn forbidden_names_the_missing_permission() {
    let server = vault().await;
    authorized("POST", "/keys/my-key/backup")
        .respond_with(service_error(
            403,
            "Forbidden",
            "The user, group or application does not have keys backup permission on key vault.",
            Some("AccessDenied"),
            "req-403-ghi",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();

    let output = backup(&server, "my-key", &dir.path().join("k.backup"), &[]);

    assert_eq!(exit_code(&output), 5, "{}", stderr(&output));
    let said = stderr(&output);
    assert!(said.contains("Forbidden (403)") && said.contains("AccessDenied"), "{said}");
    assert!(said.contains("req-403-ghi") && said.contains("keys/backup"), "{said}");
    assert!(dir_entries(dir.path()).is_empty());
}

#[tokio::test]
async fn malformed_backup_is_its_own_failure() {
    let server = vault().await;
    authorized("POST", "/keys/restore")
        .respond_with(service_error(
            400,
            "BadParameter",
            "Backup blob contains invalid or corrupt version.",
            None,
            "req-400-jkl",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("garbage.backup");
    std::fs::write(&input, b"this is not a key vault backup").unwrap();

    let output = restore(&server, &input);

    assert_eq!(exit_code(&output), 8, "{}", stderr(&output));
    let said = stderr(&output);
    assert!(said.contains("rejected the backup"), "{said}");
    assert!(said.contains("BadParameter (400)") && said.contains("req-400-jkl"), "{said}");
}

#[tokio::test]
async fn an_empty_backup_file_is_refused_locally() {
    let server = vault().await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("empty.backup");
    std::fs::write(&input, b"").unwrap();

    let output = restore(&server, &input);

    assert_eq!(exit_code(&output), 8, "{}", stderr(&output));
    assert!(stderr(&output).contains("is empty"), "{}", stderr(&output));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_rejected_token_is_an_authentication_failure() {
    let server = vault().await;
    authorized("POST", "/keys/my-key/backup")
        .respond_with(service_error(401, "Unauthorized", "AKV10032: Invalid issuer.", None, "req-401-mno"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();

    let output = backup(&server, "my-key", &dir.path().join("k.backup"), &[]);

    assert_eq!(exit_code(&output), 4, "{}", stderr(&output));
    let said = stderr(&output);
    assert!(said.contains("Unauthorized (401)") && said.contains("req-401-mno"), "{said}");
}

#[tokio::test]
async fn local_problems_have_their_own_exit_codes() {
    let server = vault().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("k.backup");
    let uri = server.uri();
    let out_arg = out.to_str().unwrap();

    // No token in the variable: authentication.
    let output = Command::new(env!("CARGO_BIN_EXE_kv-backup"))
        .args(["backup", "--vault", &uri, "--key", "k", "--out", out_arg, "--token-env", TOKEN_VAR, "--allow-http"])
        .env_remove(TOKEN_VAR)
        .output()
        .unwrap();
    assert_eq!(exit_code(&output), 4, "{}", stderr(&output));
    assert!(stderr(&output).contains(TOKEN_VAR), "{}", stderr(&output));

    // Plain http without the test flag, and an invalid key name: usage.
    let output = kv_backup(&["backup", "--vault", &uri, "--key", "k", "--out", out_arg, "--token-env", TOKEN_VAR]);
    assert_eq!(exit_code(&output), 2, "{}", stderr(&output));
    assert!(stderr(&output).contains("must use https"), "{}", stderr(&output));
    let output = backup(&server, "not/a-name", &out, &[]);
    assert_eq!(exit_code(&output), 2, "{}", stderr(&output));

    // A missing input file: local file error.
    let output = restore(&server, &dir.path().join("nope.backup"));
    assert_eq!(exit_code(&output), 3, "{}", stderr(&output));
}

#[tokio::test]
async fn an_unreachable_vault_is_a_network_failure() {
    // A loopback port nobody listens on (the client retries connection failures
    // with backoff first, so this takes a few seconds).
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let uri = format!("http://127.0.0.1:{port}");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("k.backup");

    let output = kv_backup(&[
        "backup",
        "--vault",
        &uri,
        "--key",
        "k",
        "--out",
        out.to_str().unwrap(),
        "--token-env",
        TOKEN_VAR,
        "--allow-http",
    ]);

    assert_eq!(exit_code(&output), 9, "{}", stderr(&output));
    assert!(stderr(&output).contains("could not be reached"), "{}", stderr(&output));
    assert!(dir_entries(dir.path()).is_empty());
}
