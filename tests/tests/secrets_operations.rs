//! Every operation of `SecretClient` against a wiremock stub answering with the spec's
//! example response: the request the client sent (method, path, query, headers, body) and
//! the typed result are snapshotted, and checked against the example (see
//! `keyvault_tests::operation_case`).
//!
//! Plus the byte-exact backup → restore round trip, paging through next links, the errors
//! a caller meets most (404 `SecretNotFound`, 409 on restore), and the secret value kept out
//! of `Debug`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::TryStreamExt as _;
use keyvault_secrets::SecretClient;
use keyvault_secrets::models::{
    DeletedSecretBundle, SecretBundle, SecretItem, SecretRestoreParameters, SecretSetParameters, SecretUpdateParameters,
};
use keyvault_tests::operation_case::{
    Case, assert_common_request_rules, assert_service_error, mount_service_error, secret_client,
};
use keyvault_tests::{RawQuery, describe_error, example, seeded_bytes};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const NAME: &str = "db-password";
const VERSION: &str = "a84bba07931db925306a0799dc6ebd71";

async fn case(file: &str, http_method: &str, url_path: &str) -> Case<SecretClient> {
    Case::start(file, http_method, url_path).await
}

#[tokio::test]
async fn set_secret() {
    let case = case("SetSecret-example.json", "PUT", &format!("/secrets/{NAME}")).await;
    let body: SecretSetParameters = case.param("parameters");
    let result = case.client.set_secret(&case.text("secret-name"), &body).await;
    insta::assert_snapshot!("set_secret", case.check("set_secret", result, Some("parameters")).await);
}

#[tokio::test]
async fn get_secret() {
    let case = case("GetSecret-example.json", "GET", &format!("/secrets/{NAME}/{VERSION}")).await;
    let result = case.client.get_secret(NAME, VERSION).await;
    insta::assert_snapshot!("get_secret", case.check("get_secret", result, None).await);
}

#[tokio::test]
async fn update_secret() {
    let case = case("UpdateSecret-example.json", "PATCH", &format!("/secrets/{NAME}/{VERSION}")).await;
    let body: SecretUpdateParameters = case.param("parameters");
    let result = case.client.update_secret(NAME, VERSION, &body).await;
    insta::assert_snapshot!("update_secret", case.check("update_secret", result, Some("parameters")).await);
}

#[tokio::test]
async fn delete_secret() {
    let case = case("DeleteSecret-example.json", "DELETE", &format!("/secrets/{NAME}")).await;
    let result = case.client.delete_secret(NAME).await;
    insta::assert_snapshot!("delete_secret", case.check("delete_secret", result, None).await);
}

#[tokio::test]
async fn get_secrets() {
    let case = case("GetSecrets-example.json", "GET", "/secrets").await;
    let result = case.client.get_secrets(Some(2)).await;
    insta::assert_snapshot!("get_secrets", case.check("get_secrets", result, None).await);
}

#[tokio::test]
async fn get_secret_versions() {
    let case = case("GetSecretVersions-example.json", "GET", &format!("/secrets/{NAME}/versions")).await;
    let result = case.client.get_secret_versions(NAME, Some(25)).await;
    insta::assert_snapshot!("get_secret_versions", case.check("get_secret_versions", result, None).await);
}

#[tokio::test]
async fn get_deleted_secrets() {
    let case = case("GetDeletedSecrets-example.json", "GET", "/deletedsecrets").await;
    let result = case.client.get_deleted_secrets(Some(10)).await;
    insta::assert_snapshot!("get_deleted_secrets", case.check("get_deleted_secrets", result, None).await);
}

#[tokio::test]
async fn get_deleted_secret() {
    let case = case("GetDeletedSecret-example.json", "GET", &format!("/deletedsecrets/{NAME}")).await;
    let result = case.client.get_deleted_secret(NAME).await;
    insta::assert_snapshot!("get_deleted_secret", case.check("get_deleted_secret", result, None).await);
}

#[tokio::test]
async fn purge_deleted_secret() {
    let case = case("PurgeDeletedSecret-example.json", "DELETE", &format!("/deletedsecrets/{NAME}")).await;
    let result = case.client.purge_deleted_secret(NAME).await;
    insta::assert_snapshot!("purge_deleted_secret", case.check("purge_deleted_secret", result, None).await);
}

#[tokio::test]
async fn recover_deleted_secret() {
    let case = case("RecoverDeletedSecret-example.json", "POST", &format!("/deletedsecrets/{NAME}/recover")).await;
    let result = case.client.recover_deleted_secret(NAME).await;
    insta::assert_snapshot!("recover_deleted_secret", case.check("recover_deleted_secret", result, None).await);
}

#[tokio::test]
async fn backup_secret() {
    let case = case("BackupSecret-example.json", "POST", &format!("/secrets/{NAME}/backup")).await;
    let result = case.client.backup_secret(NAME).await;
    insta::assert_snapshot!("backup_secret", case.check("backup_secret", result, None).await);
}

#[tokio::test]
async fn restore_secret() {
    let case = case("RestoreSecret-example.json", "POST", "/secrets/restore").await;
    let body: SecretRestoreParameters = case.param("parameters");
    let result = case.client.restore_secret(&body).await;
    insta::assert_snapshot!("restore_secret", case.check("restore_secret", result, Some("parameters")).await);
}

/// Back up in one vault, restore into another: the blob (5-13 KB, every length modulo 3,
/// so unpadded base64url matters) comes out of `backup_secret` as the exact bytes the
/// service encoded, and `restore_secret` sends exactly the string the service produced.
#[tokio::test]
async fn backup_restore_round_trip_is_byte_exact() {
    for (seed, len) in [(11u64, 5_120usize), (12, 9_137), (13, 13_001)] {
        let blob = seeded_bytes(seed, len);
        let encoded = URL_SAFE_NO_PAD.encode(&blob);
        assert!(encoded.contains('-') && encoded.contains('_'), "the blob exercises the url-safe alphabet");

        let source = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(format!("/secrets/{NAME}/backup")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "value": encoded })))
            .expect(1)
            .mount(&source)
            .await;
        let target = MockServer::start().await;
        let restored = example("RestoreSecret-example.json")["responses"]["200"]["body"].clone();
        Mock::given(method("POST"))
            .and(path("/secrets/restore"))
            .respond_with(ResponseTemplate::new(200).set_body_json(restored))
            .expect(1)
            .mount(&target)
            .await;

        let backup = secret_client(&source).backup_secret(NAME).await.expect("backup").into_inner();
        let bytes: Vec<u8> = backup.value.into();
        assert_eq!(bytes.len(), len);
        assert!(bytes == blob, "backup bytes differ from what the service encoded ({len} bytes)");

        let secret = secret_client(&target)
            .restore_secret(&SecretRestoreParameters { value: bytes.into() })
            .await
            .expect("restore")
            .into_inner();
        assert_eq!(
            secret.id.as_deref(),
            Some(format!("https://myvault.vault.azure.net/secrets/{NAME}/{VERSION}").as_str())
        );

        let sent = &target.received_requests().await.unwrap()[0];
        assert_common_request_rules(sent, "7.4");
        assert_eq!(
            std::str::from_utf8(&sent.body).unwrap(),
            format!(r#"{{"value":"{encoded}"}}"#),
            "restore sends the service's own string"
        );
        let value: Value = serde_json::from_slice(&sent.body).unwrap();
        let decoded = URL_SAFE_NO_PAD.decode(value["value"].as_str().unwrap()).unwrap();
        assert!(decoded == blob, "restored blob differs byte for byte ({len} bytes)");
    }
}

fn item(name: &str) -> Value {
    json!({
        "id": format!("https://myvault.vault.azure.net/secrets/{name}"),
        "attributes": { "enabled": true, "created": 1796419169, "updated": 1796419169 },
        "contentType": "text/plain"
    })
}

/// `get_secrets_stream` follows every absolute next link verbatim (its own api-version,
/// a `$skiptoken` with characters that must not be re-encoded), past an empty page, and
/// stops at the null link.
#[tokio::test]
async fn get_secrets_stream_follows_next_links() {
    let server = MockServer::start().await;
    let tokens =
        ["2!88!MDAwMDE3IXNlY3JldC9TRUNSRVQtMDIhMDAwMDI4ITk5OTktMTItMzFUMjM6NTk6NTkuOTk5OTk5OVoh%2B%3D", "~_-.!"];
    let links = tokens.map(|t| format!("{}/secrets?api-version=7.4&$skiptoken={t}&maxresults=2", server.uri()));
    let pages = [
        ("maxresults=2&api-version=7.4".to_owned(), json!({ "value": [item("s1"), item("s2")], "nextLink": links[0] })),
        (links[0].split_once('?').unwrap().1.to_owned(), json!({ "value": [], "nextLink": links[1] })),
        (links[1].split_once('?').unwrap().1.to_owned(), json!({ "value": [item("s3")], "nextLink": null })),
    ];
    for (query, body) in pages {
        Mock::given(method("GET"))
            .and(path("/secrets"))
            .and(RawQuery(query))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(&server)
            .await;
    }
    let items: Vec<SecretItem> = secret_client(&server).get_secrets_stream(Some(2)).try_collect().await.expect("pages");
    let names: Vec<&str> = items.iter().map(|i| i.id.as_deref().unwrap().rsplit('/').next().unwrap()).collect();
    assert_eq!(names, ["s1", "s2", "s3"]);
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 3, "stops at the null nextLink");
    for request in &sent {
        assert_common_request_rules(request, "7.4");
    }
}

#[tokio::test]
async fn secret_not_found_404() {
    let server = MockServer::start().await;
    let body = json!({"error": {
        "code": "SecretNotFound",
        "message": "A secret with (name/id) kvgen-missing was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182"
    }});
    mount_service_error(&server, "GET", "/secrets/kvgen-missing/", 404, &body).await;

    let err = secret_client(&server).get_secret("kvgen-missing", "").await.unwrap_err();
    assert_service_error(&err, 404, "SecretNotFound", &body);
    insta::assert_snapshot!("secret_not_found_404", describe_error(&err, &server));
}

/// Restoring a secret whose name is taken: a 409 with the service's code and inner code.
#[tokio::test]
async fn restore_conflict_409() {
    let server = MockServer::start().await;
    let body = json!({"error": {
        "code": "Conflict",
        "message": "Secret db-password already exists",
        "innererror": { "code": "ObjectAlreadyExists" }
    }});
    mount_service_error(&server, "POST", "/secrets/restore", 409, &body).await;

    let blob = seeded_bytes(14, 6_001);
    let err = secret_client(&server).restore_secret(&SecretRestoreParameters { value: blob.into() }).await.unwrap_err();
    assert_service_error(&err, 409, "Conflict", &body);
    assert_eq!(err.inner_codes().collect::<Vec<_>>(), ["ObjectAlreadyExists"]);
    insta::assert_snapshot!("restore_conflict_409", describe_error(&err, &server));
}

const SECRET_VALUE: &str = "kvgen-Th1s-must-n0t-leak";

/// A secret's value never shows in `Debug` output (logs, panics, `{:?}` in error paths);
/// the rest of the bundle does, and serialization keeps the value.
#[test]
fn secret_bundle_debug_redacts_the_value() {
    let mut body = example("GetSecret-example.json")["responses"]["200"]["body"].clone();
    body["value"] = json!(SECRET_VALUE);
    let bundle: SecretBundle = serde_json::from_value(body.clone()).unwrap();
    for text in [format!("{bundle:?}"), format!("{bundle:#?}")] {
        assert!(!text.contains(SECRET_VALUE), "the value leaks into Debug: {text}");
        assert!(text.contains(VERSION), "the rest is still shown: {text}");
    }
    assert_eq!(serde_json::to_value(&bundle).unwrap(), body, "the value is still sent and read");

    let mut deleted = example("DeleteSecret-example.json")["responses"]["200"]["body"].clone();
    deleted["value"] = json!(SECRET_VALUE);
    let deleted: DeletedSecretBundle = serde_json::from_value(deleted).unwrap();
    assert!(!format!("{deleted:?}").contains(SECRET_VALUE), "{deleted:?}");
}

/// The value a caller is about to store never shows in `Debug` either.
#[test]
fn secret_set_parameters_debug_redacts_the_value() {
    let mut body = example("SetSecret-example.json")["parameters"]["parameters"].clone();
    body["value"] = json!(SECRET_VALUE);
    let parameters: SecretSetParameters = serde_json::from_value(body.clone()).unwrap();
    let text = format!("{parameters:?}");
    assert!(!text.contains(SECRET_VALUE), "the value leaks into Debug: {text}");
    assert_eq!(serde_json::to_value(&parameters).unwrap(), body, "the value is still sent");
}
