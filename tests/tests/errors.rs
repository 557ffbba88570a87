//! The `Error` a caller gets for each kind of failed response: status, service code
//! and message with the inner-error chain, the raw body when it is not an Azure error
//! document, the `WWW-Authenticate` challenge and the `x-ms-request-id`.
//! Each error's `Display` and accessors are snapshotted (`describe_error`).

use std::time::Duration;

use keyvault_keys::models::KeyRestoreParameters;
use keyvault_keys::{ClientOptions, ErrorKind, KeyClient, RetryOptions};
use keyvault_tests::{
    CountingCredential, TOKEN, VAULT_CHALLENGE, authed_client, authed_client_with, describe_error, fast_retries,
    header, rsa_create_parameters,
};
use serde_json::json;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const REQUEST_ID: &str = "0f6b8a3c-95d1-4c7e-b2a4-6e1d9f3c7a58";

/// A 401 with an empty body, as Key Vault and Managed HSM send it: only the challenge
/// header and the request id.
fn empty_401(www_authenticate: &str) -> ResponseTemplate {
    ResponseTemplate::new(401)
        .insert_header("www-authenticate", www_authenticate)
        .insert_header("x-ms-request-id", REQUEST_ID)
}

#[tokio::test]
async fn not_found_404() {
    let server = MockServer::start().await;
    let body = json!({"error": {
        "code": "KeyNotFound",
        "message": "A key with (name/id) kvgen-missing was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command."
    }});
    Mock::given(method("GET"))
        .and(path("/keys/kvgen-missing/"))
        .respond_with(ResponseTemplate::new(404).set_body_json(&body).insert_header("x-ms-request-id", REQUEST_ID))
        .expect(1)
        .mount(&server)
        .await;

    let err = authed_client(&server).get_key("kvgen-missing", "").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_eq!(err.code(), Some("KeyNotFound"));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert!(err.message().unwrap().starts_with("A key with (name/id) kvgen-missing was not found"));
    assert_eq!(err.request_id(), Some(REQUEST_ID));
    assert_eq!(err.inner_codes().count(), 0);
    assert_eq!(err.raw_body(), None, "a parsed error document is not a raw body");
    assert_eq!(serde_json::from_slice::<serde_json::Value>(err.body().unwrap()).unwrap(), body);
    assert!(err.to_string().starts_with("KeyNotFound (404): A key with"), "{err}");
    insta::assert_snapshot!("not_found_404", describe_error(&err, &server));
}

#[tokio::test]
async fn conflict_409_with_inner_errors() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/keys/kvgen-rsa-01/create"))
        .respond_with(
            ResponseTemplate::new(409)
                .set_body_json(json!({"error": {
                    "code": "Conflict",
                    "message": "Key kvgen-rsa-01 is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.",
                    "innererror": {
                        "code": "ObjectIsDeletedButRecoverable",
                        "innererror": { "code": "SoftDeleteRetentionActive" }
                    }
                }}))
                .insert_header("x-ms-request-id", REQUEST_ID),
        )
        .expect(1)
        .mount(&server)
        .await;

    let err = authed_client(&server).create_key("kvgen-rsa-01", &rsa_create_parameters()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409));
    assert_eq!(err.code(), Some("Conflict"));
    assert_eq!(err.inner_codes().collect::<Vec<_>>(), ["ObjectIsDeletedButRecoverable", "SoftDeleteRetentionActive"]);
    let service = err.service_error().expect("parsed error document");
    assert_eq!(service.inner_error().and_then(|e| e.code()), Some("ObjectIsDeletedButRecoverable"));
    assert_eq!(err.request_id(), Some(REQUEST_ID));
    insta::assert_snapshot!("conflict_409", describe_error(&err, &server));
}

#[tokio::test]
async fn malformed_backup_blob_400() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/keys/restore"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": {
                    "code": "Malformed backup blob",
                    "message": "The backup blob is corrupt or was not produced by Key Vault."
                }}))
                .insert_header("x-ms-request-id", REQUEST_ID),
        )
        .expect(1)
        .mount(&server)
        .await;

    let blob = KeyRestoreParameters { value: b"not a backup".to_vec().into() };
    let err = authed_client(&server).restore_key(&blob).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(err.code(), Some("Malformed backup blob"));
    assert_eq!(err.message(), Some("The backup blob is corrupt or was not produced by Key Vault."));
    assert!(err.to_string().starts_with("Malformed backup blob (400): The backup blob"), "{err}");
    insta::assert_snapshot!("malformed_backup_blob_400", describe_error(&err, &server));
}

/// An empty 401 whose Bearer challenge names a resource that does not belong to the
/// vault (a loopback host is not under vault.azure.net): the client refuses to send
/// a token and reports the 401 as it came.
#[tokio::test]
async fn unauthorized_401_empty_body_foreign_challenge() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(empty_401(VAULT_CHALLENGE)).mount(&server).await;
    let credential = CountingCredential::new(Duration::from_secs(3600));
    let client =
        KeyClient::with_options(&server.uri(), credential.clone(), ClientOptions::default().allow_http(true)).unwrap();

    let err = client.get_key("kvgen-rsa-01", "").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Challenge);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(err.raw_body(), Some(&b""[..]));
    assert_eq!(err.www_authenticate(), Some(VAULT_CHALLENGE));
    assert_eq!(err.request_id(), Some(REQUEST_ID));
    assert_eq!(credential.calls(), 0, "no token was even requested");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert!(header(&requests[0], "authorization").is_none());
    insta::assert_snapshot!("unauthorized_401_foreign_challenge", describe_error(&err, &server));
}

/// An empty 401 answering a request that did carry a token (the token is rejected
/// for good): the client forgets the token, answers the challenge once, and then
/// returns the service's 401 with its empty body and challenge.
#[tokio::test]
async fn unauthorized_401_empty_body_token_rejected() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(empty_401(VAULT_CHALLENGE)).expect(2).mount(&server).await;
    let options = ClientOptions::default().verify_challenge_resource(false);
    let err = authed_client_with(&server, options).get_key("kvgen-rsa-01", "").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(err.code(), None);
    assert_eq!(err.message(), None);
    assert_eq!(err.raw_body(), Some(&b""[..]));
    assert_eq!(err.www_authenticate(), Some(VAULT_CHALLENGE));
    assert_eq!(err.request_id(), Some(REQUEST_ID));
    assert_eq!(err.to_string(), format!("HTTP 401 Unauthorized (empty body) [request id {REQUEST_ID}]"));
    for request in server.received_requests().await.unwrap() {
        assert_eq!(header(&request, "authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    }
    insta::assert_snapshot!("unauthorized_401_token_rejected", describe_error(&err, &server));
}

/// A 401 whose challenge is not Bearer: nothing to answer. Without a known scope it
/// is a challenge failure; with one, the service's 401 as it came.
#[tokio::test]
async fn unauthorized_401_non_bearer_challenge() {
    const BASIC: &str = r#"Basic realm="kvgen-demo""#;
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(empty_401(BASIC)).mount(&server).await;

    let probe = keyvault_tests::client(&server).backup_key("kvgen-rsa-01").await.unwrap_err();
    assert_eq!(probe.kind(), ErrorKind::Challenge);
    assert_eq!(probe.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(probe.raw_body(), Some(&b""[..]));
    assert_eq!(probe.www_authenticate(), Some(BASIC));

    let with_token = authed_client(&server).backup_key("kvgen-rsa-01").await.unwrap_err();
    assert_eq!(with_token.kind(), ErrorKind::Service);
    assert_eq!(with_token.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(with_token.raw_body(), Some(&b""[..]));
    assert_eq!(with_token.www_authenticate(), Some(BASIC));

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2, "neither case retries");
    assert!(header(&requests[0], "authorization").is_none());
    assert_eq!(header(&requests[1], "authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    let text = format!(
        "--- without a known scope\n{}--- with a token\n{}",
        describe_error(&probe, &server),
        describe_error(&with_token, &server)
    );
    insta::assert_snapshot!("unauthorized_401_non_bearer", text);
}

/// A gateway's HTML 500: retried (quickly here), then reported with the page kept.
#[tokio::test]
async fn server_error_500_with_html_body() {
    const PAGE: &str = "<!DOCTYPE html>\n<html><head><title>500 - Internal server error.</title></head>\n<body><h1>Server Error</h1><p>There is a problem with the resource you are looking for, and it cannot be displayed.</p></body></html>\n";
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/keys/kvgen-rsa-01/backup"))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_raw(PAGE, "text/html; charset=utf-8")
                .insert_header("x-ms-request-id", REQUEST_ID),
        )
        .expect(2)
        .mount(&server)
        .await;

    let client = authed_client_with(&server, ClientOptions::default().retry(fast_retries(1)));
    let err = client.backup_key("kvgen-rsa-01").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(err.code(), None);
    assert_eq!(err.raw_body(), Some(PAGE.as_bytes()), "the whole page is kept");
    assert_eq!(err.request_id(), Some(REQUEST_ID));
    assert!(err.to_string().starts_with("HTTP 500 Internal Server Error: <!DOCTYPE html> <html>"), "{err}");
    insta::assert_snapshot!("server_error_500_html", describe_error(&err, &server));
}

/// A 200 whose body is not JSON at all: `InvalidResponse`, body kept, never printed.
#[tokio::test]
async fn ok_200_with_malformed_json() {
    const BODY: &str = r#"{"key": {"kid": "https://kvgen-demo.vault.azure.net/keys/k/1", "kty": "RSA", "n": "vXrJhs"#;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/keys/k/1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(BODY, "application/json")
                .insert_header("x-ms-request-id", REQUEST_ID),
        )
        .expect(1)
        .mount(&server)
        .await;

    let client = authed_client_with(&server, ClientOptions::default().retry(RetryOptions::none()));
    let err = client.get_key("k", "1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(err.body(), Some(BODY.as_bytes()));
    assert_eq!(err.raw_body(), Some(BODY.as_bytes()));
    assert_eq!(err.request_id(), Some(REQUEST_ID));
    assert!(std::error::Error::source(&err).is_some(), "the serde error is the source");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("vXrJhs"), "success bodies may hold key material: {shown}");
    insta::assert_snapshot!("ok_200_malformed_json", describe_error(&err, &server));
}

/// A 200 with well-formed JSON of the wrong shape is the same kind of failure.
#[tokio::test]
async fn ok_200_with_json_of_the_wrong_shape() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/keys/k/backup"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "value": 42 })))
        .mount(&server)
        .await;
    let err = authed_client(&server).backup_key("k").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(err.body(), Some(&br#"{"value":42}"#[..]));
}

/// With no body at all, the code comes from the `x-ms-error-code` header.
#[tokio::test]
async fn forbidden_403_code_from_header() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("x-ms-error-code", "ForbiddenByPolicy")
                .insert_header("x-ms-request-id", REQUEST_ID),
        )
        .mount(&server)
        .await;
    let err = authed_client(&server).get_key("k", "").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_eq!(err.code(), Some("ForbiddenByPolicy"));
    assert_eq!(err.to_string(), format!("ForbiddenByPolicy (403) (empty body) [request id {REQUEST_ID}]"));
    assert_eq!(err.raw_body(), Some(&b""[..]));
}
