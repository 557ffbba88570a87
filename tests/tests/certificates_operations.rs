//! Every operation of `CertificateClient` against a wiremock stub answering with the
//! spec's example response: the request the client sent (method, path, query, headers,
//! body) and the typed result are snapshotted, and checked against the example (see
//! `keyvault_tests::operation_case`).
//!
//! Plus the byte-exact backup → restore round trip, paging through next links, and the
//! errors a caller meets most (404 `CertificateNotFound`, 409 on restore).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::TryStreamExt as _;
use keyvault_certificates::CertificateClient;
use keyvault_certificates::models::{
    CertificateCreateParameters, CertificateImportParameters, CertificateIssuerSetParameters,
    CertificateIssuerUpdateParameters, CertificateItem, CertificateMergeParameters,
    CertificateOperationUpdateParameter, CertificatePolicy, CertificateRestoreParameters, CertificateUpdateParameters,
    Contacts,
};
use keyvault_tests::operation_case::{
    Case, assert_common_request_rules, assert_service_error, certificate_client, mount_service_error,
};
use keyvault_tests::{RawQuery, describe_error, example, seeded_bytes};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The certificate most examples are about, and its version.
const CERT: &str = "shop-tls";
const VERSION: &str = "5ee6ebc57f4590641e1f037860cf29ae";
/// The certificate whose creation is pending in the examples.
const PENDING: &str = "build-signing";
const ISSUER: &str = "digicert-prod";

async fn case(file: &str, http_method: &str, url_path: &str) -> Case<CertificateClient> {
    Case::start(file, http_method, url_path).await
}

// --- certificates ------------------------------------------------------------------

#[tokio::test]
async fn create_certificate() {
    let case = case("CreateCertificate-example.json", "POST", &format!("/certificates/{PENDING}/create")).await;
    let body: CertificateCreateParameters = case.param("parameters");
    let result = case.client.create_certificate(PENDING, &body).await;
    insta::assert_snapshot!("create_certificate", case.check("create_certificate", result, Some("parameters")).await);
}

#[tokio::test]
async fn import_certificate() {
    let case = case("ImportCertificate-example.json", "POST", &format!("/certificates/{CERT}/import")).await;
    let body: CertificateImportParameters = case.param("parameters");
    let result = case.client.import_certificate(CERT, &body).await;
    insta::assert_snapshot!("import_certificate", case.check("import_certificate", result, Some("parameters")).await);
}

#[tokio::test]
async fn get_certificate() {
    let case = case("GetCertificate-example.json", "GET", &format!("/certificates/{CERT}/{VERSION}")).await;
    let result = case.client.get_certificate(CERT, VERSION).await;
    insta::assert_snapshot!("get_certificate", case.check("get_certificate", result, None).await);
}

#[tokio::test]
async fn update_certificate() {
    let case = case("UpdateCertificate-example.json", "PATCH", &format!("/certificates/{CERT}/{VERSION}")).await;
    let body: CertificateUpdateParameters = case.param("parameters");
    let result = case.client.update_certificate(CERT, VERSION, &body).await;
    insta::assert_snapshot!("update_certificate", case.check("update_certificate", result, Some("parameters")).await);
}

#[tokio::test]
async fn delete_certificate() {
    let case = case("DeleteCertificate-example.json", "DELETE", &format!("/certificates/{CERT}")).await;
    let result = case.client.delete_certificate(CERT).await;
    insta::assert_snapshot!("delete_certificate", case.check("delete_certificate", result, None).await);
}

#[tokio::test]
async fn get_certificates() {
    let case = case("GetCertificates-example.json", "GET", "/certificates").await;
    let result = case.client.get_certificates(Some(false), Some(2)).await;
    insta::assert_snapshot!("get_certificates", case.check("get_certificates", result, None).await);
}

#[tokio::test]
async fn get_certificate_versions() {
    let case = case("GetCertificateVersions-example.json", "GET", &format!("/certificates/{CERT}/versions")).await;
    let result = case.client.get_certificate_versions(CERT, Some(25)).await;
    insta::assert_snapshot!("get_certificate_versions", case.check("get_certificate_versions", result, None).await);
}

#[tokio::test]
async fn get_certificate_policy() {
    let case = case("GetCertificatePolicy-example.json", "GET", &format!("/certificates/{CERT}/policy")).await;
    let result = case.client.get_certificate_policy(CERT).await;
    insta::assert_snapshot!("get_certificate_policy", case.check("get_certificate_policy", result, None).await);
}

#[tokio::test]
async fn update_certificate_policy() {
    let case = case("UpdateCertificatePolicy-example.json", "PATCH", &format!("/certificates/{CERT}/policy")).await;
    let body: CertificatePolicy = case.param("certificatePolicy");
    let result = case.client.update_certificate_policy(CERT, &body).await;
    let text = case.check("update_certificate_policy", result, Some("certificatePolicy")).await;
    insta::assert_snapshot!("update_certificate_policy", text);
}

#[tokio::test]
async fn backup_certificate() {
    let case = case("BackupCertificate-example.json", "POST", &format!("/certificates/{CERT}/backup")).await;
    let result = case.client.backup_certificate(CERT).await;
    insta::assert_snapshot!("backup_certificate", case.check("backup_certificate", result, None).await);
}

#[tokio::test]
async fn restore_certificate() {
    let case = case("RestoreCertificate-example.json", "POST", "/certificates/restore").await;
    let body: CertificateRestoreParameters = case.param("parameters");
    let result = case.client.restore_certificate(&body).await;
    insta::assert_snapshot!("restore_certificate", case.check("restore_certificate", result, Some("parameters")).await);
}

// --- pending operations ------------------------------------------------------------

#[tokio::test]
async fn get_certificate_operation() {
    let case = case("GetCertificateOperation-example.json", "GET", &format!("/certificates/{PENDING}/pending")).await;
    let result = case.client.get_certificate_operation(PENDING).await;
    insta::assert_snapshot!("get_certificate_operation", case.check("get_certificate_operation", result, None).await);
}

#[tokio::test]
async fn update_certificate_operation() {
    let case =
        case("UpdateCertificateOperation-example.json", "PATCH", &format!("/certificates/{PENDING}/pending")).await;
    let body: CertificateOperationUpdateParameter = case.param("certificateOperation");
    let result = case.client.update_certificate_operation(PENDING, &body).await;
    let text = case.check("update_certificate_operation", result, Some("certificateOperation")).await;
    insta::assert_snapshot!("update_certificate_operation", text);
}

#[tokio::test]
async fn delete_certificate_operation() {
    let case = case("DeleteCertificateOperation-example.json", "DELETE", "/certificates/api-gateway/pending").await;
    let result = case.client.delete_certificate_operation("api-gateway").await;
    let text = case.check("delete_certificate_operation", result, None).await;
    insta::assert_snapshot!("delete_certificate_operation", text);
}

#[tokio::test]
async fn merge_certificate() {
    let case = case("MergeCertificate-example.json", "POST", "/certificates/api-gateway/pending/merge").await;
    let body: CertificateMergeParameters = case.param("parameters");
    let result = case.client.merge_certificate("api-gateway", &body).await;
    insta::assert_snapshot!("merge_certificate", case.check("merge_certificate", result, Some("parameters")).await);
}

// --- deleted certificates ----------------------------------------------------------

#[tokio::test]
async fn get_deleted_certificates() {
    let case = case("GetDeletedCertificates-example.json", "GET", "/deletedcertificates").await;
    let result = case.client.get_deleted_certificates(Some(true), Some(10)).await;
    insta::assert_snapshot!("get_deleted_certificates", case.check("get_deleted_certificates", result, None).await);
}

#[tokio::test]
async fn get_deleted_certificate() {
    let case = case("GetDeletedCertificate-example.json", "GET", &format!("/deletedcertificates/{CERT}")).await;
    let result = case.client.get_deleted_certificate(CERT).await;
    insta::assert_snapshot!("get_deleted_certificate", case.check("get_deleted_certificate", result, None).await);
}

#[tokio::test]
async fn purge_deleted_certificate() {
    let case = case("PurgeDeletedCertificate-example.json", "DELETE", &format!("/deletedcertificates/{CERT}")).await;
    let result = case.client.purge_deleted_certificate(CERT).await;
    insta::assert_snapshot!("purge_deleted_certificate", case.check("purge_deleted_certificate", result, None).await);
}

#[tokio::test]
async fn recover_deleted_certificate() {
    let case =
        case("RecoverDeletedCertificate-example.json", "POST", &format!("/deletedcertificates/{CERT}/recover")).await;
    let result = case.client.recover_deleted_certificate(CERT).await;
    let text = case.check("recover_deleted_certificate", result, None).await;
    insta::assert_snapshot!("recover_deleted_certificate", text);
}

// --- contacts ----------------------------------------------------------------------

#[tokio::test]
async fn set_certificate_contacts() {
    let case = case("SetCertificateContacts-example.json", "PUT", "/certificates/contacts").await;
    let body: Contacts = case.param("contacts");
    let result = case.client.set_certificate_contacts(&body).await;
    let text = case.check("set_certificate_contacts", result, Some("contacts")).await;
    insta::assert_snapshot!("set_certificate_contacts", text);
}

#[tokio::test]
async fn get_certificate_contacts() {
    let case = case("GetCertificateContacts-example.json", "GET", "/certificates/contacts").await;
    let result = case.client.get_certificate_contacts().await;
    insta::assert_snapshot!("get_certificate_contacts", case.check("get_certificate_contacts", result, None).await);
}

#[tokio::test]
async fn delete_certificate_contacts() {
    let case = case("DeleteCertificateContacts-example.json", "DELETE", "/certificates/contacts").await;
    let result = case.client.delete_certificate_contacts().await;
    let text = case.check("delete_certificate_contacts", result, None).await;
    insta::assert_snapshot!("delete_certificate_contacts", text);
}

// --- issuers -----------------------------------------------------------------------

#[tokio::test]
async fn get_certificate_issuers() {
    let case = case("GetCertificateIssuers-example.json", "GET", "/certificates/issuers").await;
    let result = case.client.get_certificate_issuers(Some(25)).await;
    insta::assert_snapshot!("get_certificate_issuers", case.check("get_certificate_issuers", result, None).await);
}

#[tokio::test]
async fn get_certificate_issuer() {
    let case = case("GetCertificateIssuer-example.json", "GET", &format!("/certificates/issuers/{ISSUER}")).await;
    let result = case.client.get_certificate_issuer(ISSUER).await;
    insta::assert_snapshot!("get_certificate_issuer", case.check("get_certificate_issuer", result, None).await);
}

#[tokio::test]
async fn set_certificate_issuer() {
    let case = case("SetCertificateIssuer-example.json", "PUT", &format!("/certificates/issuers/{ISSUER}")).await;
    let body: CertificateIssuerSetParameters = case.param("parameter");
    let result = case.client.set_certificate_issuer(ISSUER, &body).await;
    let text = case.check("set_certificate_issuer", result, Some("parameter")).await;
    insta::assert_snapshot!("set_certificate_issuer", text);
}

#[tokio::test]
async fn update_certificate_issuer() {
    let case = case("UpdateCertificateIssuer-example.json", "PATCH", &format!("/certificates/issuers/{ISSUER}")).await;
    let body: CertificateIssuerUpdateParameters = case.param("parameter");
    let result = case.client.update_certificate_issuer(ISSUER, &body).await;
    let text = case.check("update_certificate_issuer", result, Some("parameter")).await;
    insta::assert_snapshot!("update_certificate_issuer", text);
}

#[tokio::test]
async fn delete_certificate_issuer() {
    let case = case("DeleteCertificateIssuer-example.json", "DELETE", &format!("/certificates/issuers/{ISSUER}")).await;
    let result = case.client.delete_certificate_issuer(ISSUER).await;
    insta::assert_snapshot!("delete_certificate_issuer", case.check("delete_certificate_issuer", result, None).await);
}

// --- beyond the examples -----------------------------------------------------------

/// Back up in one vault, restore into another: the blob (5-13 KB, every length modulo 3)
/// comes out of `backup_certificate` as the exact bytes the service encoded, and
/// `restore_certificate` sends exactly the string the service produced.
#[tokio::test]
async fn backup_restore_round_trip_is_byte_exact() {
    for (seed, len) in [(21u64, 5_122usize), (22, 9_138), (23, 13_002)] {
        let blob = seeded_bytes(seed, len);
        let encoded = URL_SAFE_NO_PAD.encode(&blob);
        assert!(encoded.contains('-') && encoded.contains('_'), "the blob exercises the url-safe alphabet");

        let source = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(format!("/certificates/{CERT}/backup")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "value": encoded })))
            .expect(1)
            .mount(&source)
            .await;
        let target = MockServer::start().await;
        let restored = example("RestoreCertificate-example.json")["responses"]["200"]["body"].clone();
        Mock::given(method("POST"))
            .and(path("/certificates/restore"))
            .respond_with(ResponseTemplate::new(200).set_body_json(&restored))
            .expect(1)
            .mount(&target)
            .await;

        let backup = certificate_client(&source).backup_certificate(CERT).await.expect("backup").into_inner();
        let bytes: Vec<u8> = backup.value.into();
        assert_eq!(bytes.len(), len);
        assert!(bytes == blob, "backup bytes differ from what the service encoded ({len} bytes)");

        let certificate = certificate_client(&target)
            .restore_certificate(&CertificateRestoreParameters { value: bytes.into() })
            .await
            .expect("restore")
            .into_inner();
        assert_eq!(serde_json::to_value(&certificate).unwrap(), restored);

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
        "id": format!("https://myvault.vault.azure.net/certificates/{name}"),
        "attributes": { "enabled": true, "created": 1796419169, "updated": 1796419169 },
        "x5t": "fLi3U52HunIVNXubkEnf8tP6Wbo"
    })
}

/// `get_certificates_stream` follows every absolute next link verbatim, both query
/// parameters included, past an empty page, and stops at the null link.
#[tokio::test]
async fn get_certificates_stream_follows_next_links() {
    let server = MockServer::start().await;
    let tokens =
        ["2!92!MDAwMDIxIWNlcnRpZmljYXRlL1NIT1AtVExTITAwMDAyOCE5OTk5LTEyLTMxVDIzOjU5OjU5Ljk5OTk5OTlaIQ--", "~_-.!"];
    let links = tokens.map(|t| {
        format!("{}/certificates?api-version=7.4&$skiptoken={t}&includePending=true&maxresults=2", server.uri())
    });
    let pages = [
        (
            "includePending=true&maxresults=2&api-version=7.4".to_owned(),
            json!({ "value": [item("c1"), item("c2")], "nextLink": links[0] }),
        ),
        (links[0].split_once('?').unwrap().1.to_owned(), json!({ "value": [], "nextLink": links[1] })),
        (links[1].split_once('?').unwrap().1.to_owned(), json!({ "value": [item("c3")], "nextLink": null })),
    ];
    for (query, body) in pages {
        Mock::given(method("GET"))
            .and(path("/certificates"))
            .and(RawQuery(query))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(&server)
            .await;
    }
    let items: Vec<CertificateItem> =
        certificate_client(&server).get_certificates_stream(Some(true), Some(2)).try_collect().await.expect("pages");
    let names: Vec<&str> = items.iter().map(|i| i.id.as_deref().unwrap().rsplit('/').next().unwrap()).collect();
    assert_eq!(names, ["c1", "c2", "c3"]);
    assert_eq!(items[0].x5t.as_ref().map(|t| t.len()), Some(20), "x5t is the SHA-1 thumbprint's bytes");
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 3, "stops at the null nextLink");
    for request in &sent {
        assert_common_request_rules(request, "7.4");
    }
}

#[tokio::test]
async fn certificate_not_found_404() {
    let server = MockServer::start().await;
    let body = json!({"error": {
        "code": "CertificateNotFound",
        "message": "A certificate with (name/id) kvgen-missing was not found in this key vault. If you recently deleted this certificate you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182"
    }});
    mount_service_error(&server, "GET", "/certificates/kvgen-missing/", 404, &body).await;

    let err = certificate_client(&server).get_certificate("kvgen-missing", "").await.unwrap_err();
    assert_service_error(&err, 404, "CertificateNotFound", &body);
    insta::assert_snapshot!("certificate_not_found_404", describe_error(&err, &server));
}

/// Restoring a certificate whose name is taken: a 409 with the service's code and inner code.
#[tokio::test]
async fn restore_conflict_409() {
    let server = MockServer::start().await;
    let body = json!({"error": {
        "code": "Conflict",
        "message": "Certificate shop-tls already exists",
        "innererror": { "code": "ObjectAlreadyExists" }
    }});
    mount_service_error(&server, "POST", "/certificates/restore", 409, &body).await;

    let blob = seeded_bytes(24, 7_003);
    let err = certificate_client(&server)
        .restore_certificate(&CertificateRestoreParameters { value: blob.into() })
        .await
        .unwrap_err();
    assert_service_error(&err, 409, "Conflict", &body);
    assert_eq!(err.inner_codes().collect::<Vec<_>>(), ["ObjectAlreadyExists"]);
    insta::assert_snapshot!("restore_conflict_409", describe_error(&err, &server));
}
