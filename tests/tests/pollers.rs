//! Long-running operations through the generated `begin_*` methods and the runtime's
//! `Poller`, against wiremock: Managed HSM full backup and restore (Azure's LRO pattern,
//! `Azure-AsyncOperation`), Key Vault's pending certificate creation, and a `Location`-polled
//! operation. Real (small) intervals are used: wiremock serves on real sockets, which tokio's
//! paused clock would race.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use keyvault_administration::models::{RestoreOperationParameters, SasTokenParameter};
use keyvault_administration::{BackupClient, ClientOptions, ErrorKind, StaticToken};
use keyvault_certificates::CertificateClient;
use keyvault_runtime::OperationState;
use keyvault_tests::{TOKEN, VAULT_SCOPE, fast_retries, header};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const SAS_CONTAINER: &str = "https://contosobackups.blob.core.windows.net/hsm-backups";
const SAS_TOKEN: &str = "sv=2022-11-02&ss=b&srt=co&sp=rwdlac&se=2026-12-06T08:00:00Z&sig=c2lnbmF0dXJl";
const JOB: &str = "5a1c9f0e7d2b4c8a9e3f6b1d0c7a2e94";

fn options() -> ClientOptions {
    ClientOptions::default().allow_http(true).scope(VAULT_SCOPE).retry(fast_retries(3))
}

fn backup_client(server: &MockServer) -> BackupClient {
    BackupClient::with_options(&server.uri(), Arc::new(StaticToken::new(TOKEN)), options()).expect("client")
}

fn certificate_client(server: &MockServer) -> CertificateClient {
    CertificateClient::with_options(&server.uri(), Arc::new(StaticToken::new(TOKEN)), options()).expect("client")
}

fn sas() -> SasTokenParameter {
    serde_json::from_value(json!({"storageResourceUri": SAS_CONTAINER, "token": SAS_TOKEN})).expect("sas")
}

fn backup_status(status: &str) -> Value {
    let mut doc = json!({"status": status, "statusDetails": null, "error": null, "startTime": 1764921600, "endTime": null, "jobId": JOB});
    if status == "Succeeded" {
        doc["endTime"] = json!(1764921725);
        doc["azureStorageBlobContainerUri"] = json!(format!("{SAS_CONTAINER}/contoso-hsm-2025120508000000"));
    }
    doc
}

/// Answers from a list in order, repeating the last one; counts the requests.
struct Sequence {
    responses: Vec<ResponseTemplate>,
    calls: Arc<AtomicUsize>,
}

impl Sequence {
    fn new(responses: Vec<ResponseTemplate>) -> (Self, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        (Self { responses, calls: calls.clone() }, calls)
    }
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        self.responses[n.min(self.responses.len() - 1)].clone()
    }
}

fn status(doc: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(doc)
}

/// `POST /backup` answering 202 with the operation URL on the stub's own origin.
async fn mount_backup_start(server: &MockServer, retry_after: Option<&str>) {
    let mut accepted = ResponseTemplate::new(202)
        .set_body_json(backup_status("InProgress"))
        .insert_header("azure-asyncoperation", format!("{}/backup/{JOB}/pending?api-version=7.4", server.uri()));
    if let Some(value) = retry_after {
        accepted = accepted.insert_header("retry-after-ms", value);
    }
    Mock::given(method("POST"))
        .and(path("/backup"))
        .and(body_json(json!({"storageResourceUri": SAS_CONTAINER, "token": SAS_TOKEN, "useManagedIdentity": false})))
        .respond_with(accepted)
        .expect(1)
        .mount(server)
        .await;
}

async fn mount_backup_status(server: &MockServer, responses: Vec<ResponseTemplate>) -> Arc<AtomicUsize> {
    let (sequence, calls) = Sequence::new(responses);
    Mock::given(method("GET")).and(path(format!("/backup/{JOB}/pending"))).respond_with(sequence).mount(server).await;
    calls
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("recording is on")
}

// --- Managed HSM full backup and restore (Azure-AsyncOperation) ---------------------

/// 202 → InProgress twice → Succeeded: the SAS body is sent once, each status request
/// carries the token and the operation URL verbatim, and the final document is returned.
#[tokio::test]
async fn full_backup_multi_step_success() {
    let server = MockServer::start().await;
    mount_backup_start(&server, None).await;
    let polls = mount_backup_status(
        &server,
        vec![
            status(backup_status("InProgress")),
            status(backup_status("InProgress")),
            status(backup_status("Succeeded")),
        ],
    )
    .await;

    let client = backup_client(&server);
    let mut poller = client.begin_full_backup(&sas()).await.expect("started").interval(Duration::from_millis(10));
    assert_eq!(poller.state(), OperationState::InProgress);
    let mut seen = Vec::new();
    {
        let mut updates = std::pin::pin!(poller.updates());
        while let Some(update) = updates.next().await {
            seen.push(update.expect("status"));
        }
    }
    assert_eq!(seen, [OperationState::InProgress, OperationState::InProgress, OperationState::Succeeded]);
    assert_eq!(poller.status(), Some("Succeeded"));
    let done = poller.await.expect("backup result");
    assert_eq!(done.status.as_deref(), Some("Succeeded"));
    assert_eq!(done.job_id.as_deref(), Some(JOB));
    assert_eq!(
        done.azure_storage_blob_container_uri.as_deref(),
        Some("https://contosobackups.blob.core.windows.net/hsm-backups/contoso-hsm-2025120508000000")
    );
    assert_eq!(polls.load(Ordering::SeqCst), 3);

    let all = requests(&server).await;
    assert_eq!(all.len(), 4, "start + three polls");
    for poll in &all[1..] {
        assert_eq!(poll.method.as_str(), "GET");
        // Followed verbatim: the link's own api-version, nothing appended.
        assert_eq!(poll.url.query(), Some("api-version=7.4"));
        assert_eq!(header(poll, "authorization"), Some("Bearer test-token"));
    }
}

/// A full restore from the folder a backup wrote: the SAS body and folder are sent, and the
/// final status is returned.
#[tokio::test]
async fn full_restore_from_a_sas_folder() {
    let server = MockServer::start().await;
    let job = "c3e8a1b47f0d4e2a8b6c9d5f1e0a7b32";
    let restore = |status: &str| json!({"status": status, "statusDetails": null, "error": null, "jobId": job, "startTime": 1764925200, "endTime": null});
    Mock::given(method("PUT"))
        .and(path("/restore"))
        .and(query_param("api-version", "7.4"))
        .and(body_json(json!({
            "sasTokenParameters": {"storageResourceUri": SAS_CONTAINER, "token": SAS_TOKEN, "useManagedIdentity": false},
            "folderToRestore": "contoso-hsm-2025120508000000"
        })))
        .respond_with(
            ResponseTemplate::new(202)
                .set_body_json(restore("InProgress"))
                // No api-version in the link: it is followed as given, nothing appended.
                .insert_header("azure-asyncoperation", format!("{}/restore/{job}/pending?token=opaque", server.uri())),
        )
        .expect(1)
        .mount(&server)
        .await;
    let (sequence, polls) = Sequence::new(vec![status(restore("InProgress")), status(restore("Succeeded"))]);
    Mock::given(method("GET")).and(path(format!("/restore/{job}/pending"))).respond_with(sequence).mount(&server).await;

    let parameters: RestoreOperationParameters = serde_json::from_value(json!({
        "sasTokenParameters": {"storageResourceUri": SAS_CONTAINER, "token": SAS_TOKEN},
        "folderToRestore": "contoso-hsm-2025120508000000"
    }))
    .unwrap();
    let client = backup_client(&server);
    let poller = client.begin_full_restore_operation(&parameters).await.expect("started");
    let done = poller.interval(Duration::from_millis(10)).wait().await.expect("restored");
    assert_eq!(done.status.as_deref(), Some("Succeeded"));
    assert_eq!(done.job_id.as_deref(), Some(job));
    assert_eq!(polls.load(Ordering::SeqCst), 2);
    let all = requests(&server).await;
    assert!(all[1..].iter().all(|r| r.url.query() == Some("token=opaque")), "links are followed verbatim");
}

/// Failed: a typed error with the service's code and message from the status document.
#[tokio::test]
async fn failed_operation_is_a_typed_error() {
    let server = MockServer::start().await;
    mount_backup_start(&server, None).await;
    let mut failed = backup_status("Failed");
    failed["error"] =
        json!({"code": "StorageAccessDenied", "message": "The SAS token does not allow writing to the container."});
    mount_backup_status(&server, vec![status(backup_status("InProgress")), status(failed)]).await;

    let client = backup_client(&server);
    let poller = client.begin_full_backup(&sas()).await.expect("started").interval(Duration::from_millis(10));
    let err = poller.await.expect_err("the backup failed");
    assert_eq!(err.kind(), ErrorKind::OperationFailed);
    assert_eq!(err.code(), Some("StorageAccessDenied"));
    assert_eq!(err.message(), Some("The SAS token does not allow writing to the container."));
    assert_eq!(
        err.to_string(),
        "long-running operation failed (StorageAccessDenied): The SAS token does not allow writing to the container."
    );
}

/// Canceled: its own error kind.
#[tokio::test]
async fn canceled_operation_is_a_typed_error() {
    let server = MockServer::start().await;
    mount_backup_start(&server, None).await;
    mount_backup_status(&server, vec![status(backup_status("Canceled"))]).await;
    let client = backup_client(&server);
    let err = client.begin_full_backup(&sas()).await.unwrap().interval(Duration::from_millis(5)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OperationCanceled);
}

/// A throttled status request (429) is retried by the pipeline and polling continues.
#[tokio::test]
async fn throttled_poll_is_retried() {
    let server = MockServer::start().await;
    mount_backup_start(&server, None).await;
    let throttled = ResponseTemplate::new(429)
        .insert_header("retry-after-ms", "5")
        .set_body_json(json!({"error": {"code": "Throttled", "message": "slow down"}}));
    let polls = mount_backup_status(
        &server,
        vec![status(backup_status("InProgress")), throttled, status(backup_status("Succeeded"))],
    )
    .await;
    let client = backup_client(&server);
    let done = client.begin_full_backup(&sas()).await.unwrap().interval(Duration::from_millis(5)).await.unwrap();
    assert_eq!(done.status.as_deref(), Some("Succeeded"));
    assert_eq!(polls.load(Ordering::SeqCst), 3, "InProgress, 429, Succeeded");
}

/// An operation that never ends is bounded by the poller's timeout.
#[tokio::test]
async fn timeout_bounds_the_operation() {
    let server = MockServer::start().await;
    mount_backup_start(&server, None).await;
    let polls = mount_backup_status(&server, vec![status(backup_status("InProgress"))]).await;
    let client = backup_client(&server);
    let started = Instant::now();
    let poller = client
        .begin_full_backup(&sas())
        .await
        .unwrap()
        .interval(Duration::from_millis(20))
        .timeout(Some(Duration::from_millis(300)));
    let err = poller.await.expect_err("never finishes");
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.to_string().contains("InProgress"), "{err}");
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(250) && elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert!(polls.load(Ordering::SeqCst) >= 3, "it polled while waiting");
}

/// Dropping the poller's future stops the polling: no request after the drop.
#[tokio::test]
async fn dropping_cancels_polling() {
    let server = MockServer::start().await;
    mount_backup_start(&server, None).await;
    let polls = mount_backup_status(&server, vec![status(backup_status("InProgress"))]).await;
    let client = backup_client(&server);
    let poller = client.begin_full_backup(&sas()).await.unwrap().interval(Duration::from_millis(20));
    let cut = tokio::time::timeout(Duration::from_millis(150), poller.wait()).await;
    assert!(cut.is_err(), "still running when dropped");
    let at_drop = polls.load(Ordering::SeqCst);
    assert!(at_drop >= 1);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(polls.load(Ordering::SeqCst), at_drop, "no request after the drop");
}

/// The service's Retry-After (here `retry-after-ms`) replaces the default interval.
#[tokio::test]
async fn retry_after_is_honoured() {
    let server = MockServer::start().await;
    mount_backup_start(&server, Some("300")).await;
    mount_backup_status(&server, vec![status(backup_status("Succeeded"))]).await;
    let client = backup_client(&server);
    let poller = client.begin_full_backup(&sas()).await.unwrap().interval(Duration::from_millis(1));
    assert_eq!(poller.next_delay(), Duration::from_millis(300));
    let started = Instant::now();
    poller.await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300), "{:?}", started.elapsed());

    // Retry-After in seconds, on a status response, governs the next wait.
    let server = MockServer::start().await;
    mount_backup_start(&server, None).await;
    mount_backup_status(
        &server,
        vec![status(backup_status("InProgress")).insert_header("retry-after", "1"), status(backup_status("Succeeded"))],
    )
    .await;
    let client = backup_client(&server);
    let mut poller = client.begin_full_backup(&sas()).await.unwrap().interval(Duration::from_millis(1));
    assert_eq!(poller.poll_once().await.unwrap(), OperationState::InProgress);
    assert_eq!(poller.next_delay(), Duration::from_secs(1));
    let started = Instant::now();
    assert_eq!(poller.next_status().await.unwrap().unwrap(), OperationState::Succeeded);
    assert!(started.elapsed() >= Duration::from_secs(1), "{:?}", started.elapsed());
}

/// An operation URL on another origin is refused before any token goes there.
#[tokio::test]
async fn foreign_operation_urls_are_refused() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/backup"))
        .respond_with(
            ResponseTemplate::new(202)
                .set_body_json(backup_status("InProgress"))
                .insert_header("azure-asyncoperation", "https://attacker.example/backup/x/pending"),
        )
        .mount(&server)
        .await;
    let err = backup_client(&server).begin_full_backup(&sas()).await.expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert!(err.to_string().contains("attacker.example"), "{err}");
}

// --- Selective key restore: Location-polled (202 while running) ---------------------

/// Without Azure-AsyncOperation, the `Location` URL is polled: 202 while running, 200 with
/// the result when done.
#[tokio::test]
async fn location_polling() {
    let server = MockServer::start().await;
    let job = "8d2f6a0c1b9e4f37a5c8e2d0b4f6a913";
    let doc = |status: &str| json!({"status": status, "jobId": job, "startTime": 1764928800});
    Mock::given(method("PUT"))
        .and(path("/keys/payments-signing/restore"))
        .respond_with(
            ResponseTemplate::new(202)
                .set_body_json(doc("InProgress"))
                .insert_header("location", format!("{}/restore/{job}/pending?api-version=7.4", server.uri())),
        )
        .mount(&server)
        .await;
    let (sequence, polls) = Sequence::new(vec![ResponseTemplate::new(202), status(doc("Succeeded"))]);
    Mock::given(method("GET")).and(path(format!("/restore/{job}/pending"))).respond_with(sequence).mount(&server).await;
    let parameters = serde_json::from_value(json!({
        "sasTokenParameters": {"storageResourceUri": SAS_CONTAINER, "token": SAS_TOKEN},
        "folder": "contoso-hsm-2025120508000000"
    }))
    .unwrap();
    let client = backup_client(&server);
    let poller = client.begin_selective_key_restore_operation("payments-signing", &parameters).await.unwrap();
    let done = poller.interval(Duration::from_millis(5)).await.unwrap();
    assert_eq!(done.status.as_deref(), Some("Succeeded"));
    assert_eq!(polls.load(Ordering::SeqCst), 2);
}

// --- Certificates: Key Vault's pending operation --------------------------------------

fn pending(status: &str) -> Value {
    json!({
        "id": "https://myvault.vault.azure.net/certificates/shop-tls/pending",
        "issuer": {"name": "Self"},
        "csr": "MIICrjCCAZYCAQAwEzERMA8GA1UEAxMIc2hvcC10bHM",
        "cancellation_requested": false,
        "status": status,
        "request_id": "0f6d1a4c2b8e4d7f9a3c5e1b7d9f2a40"
    })
}

fn create_parameters() -> keyvault_certificates::models::CertificateCreateParameters {
    serde_json::from_value(json!({
        "policy": {"issuer": {"name": "Self"}, "x509_props": {"subject": "CN=shop-tls", "validity_months": 12}}
    }))
    .unwrap()
}

/// create → pending (inProgress) → completed → the latest version of the certificate.
#[tokio::test]
async fn certificate_creation_completes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/certificates/shop-tls/create"))
        .respond_with(
            ResponseTemplate::new(202).set_body_json(pending("inProgress")).insert_header("retry-after-ms", "10"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let (sequence, polls) =
        Sequence::new(vec![status(pending("inProgress")), status(pending("inProgress")), status(pending("completed"))]);
    Mock::given(method("GET"))
        .and(path("/certificates/shop-tls/pending"))
        .and(query_param("api-version", "7.4"))
        .respond_with(sequence)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/certificates/shop-tls"))
        .and(query_param("api-version", "7.4"))
        .respond_with(status(json!({
            "id": "https://myvault.vault.azure.net/certificates/shop-tls/8838738fd6b14e2196728afba1f0b904",
            "x5t": "fLi3U52HunIVNXubkEnf8tP6Wbo",
            "attributes": {"enabled": true, "created": 1764921600, "updated": 1764921600}
        })))
        .expect(1)
        .mount(&server)
        .await;

    let client = certificate_client(&server);
    let poller = client.begin_create_certificate("shop-tls", &create_parameters()).await.expect("started");
    let certificate = poller.interval(Duration::from_millis(5)).await.expect("created");
    assert_eq!(
        certificate.id.as_deref(),
        Some("https://myvault.vault.azure.net/certificates/shop-tls/8838738fd6b14e2196728afba1f0b904")
    );
    assert_eq!(polls.load(Ordering::SeqCst), 3);
}

/// A failed creation carries the error of the pending operation.
#[tokio::test]
async fn certificate_creation_fails() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/certificates/shop-tls/create"))
        .respond_with(ResponseTemplate::new(202).set_body_json(pending("inProgress")))
        .mount(&server)
        .await;
    let mut failed = pending("failed");
    failed["error"] = json!({"code": "CertificateIssuerError", "message": "The issuer rejected the request."});
    Mock::given(method("GET"))
        .and(path("/certificates/shop-tls/pending"))
        .respond_with(status(failed))
        .mount(&server)
        .await;
    let client = certificate_client(&server);
    let err = client
        .begin_create_certificate("shop-tls", &create_parameters())
        .await
        .unwrap()
        .interval(Duration::from_millis(5))
        .await
        .expect_err("failed");
    assert_eq!(err.kind(), ErrorKind::OperationFailed);
    assert_eq!(err.code(), Some("CertificateIssuerError"));
    assert_eq!(err.message(), Some("The issuer rejected the request."));
    let finals = requests(&server).await.iter().filter(|r| r.url.path() == "/certificates/shop-tls").count();
    assert_eq!(finals, 0, "no certificate is read after a failure");
}

/// A cancelled creation (Key Vault spells it `cancelled`) is `OperationCanceled`.
#[tokio::test]
async fn certificate_creation_cancelled() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/certificates/shop-tls/create"))
        .respond_with(ResponseTemplate::new(202).set_body_json(pending("inProgress")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/certificates/shop-tls/pending"))
        .respond_with(status(pending("cancelled")))
        .mount(&server)
        .await;
    let client = certificate_client(&server);
    let err = client
        .begin_create_certificate("shop-tls", &create_parameters())
        .await
        .unwrap()
        .interval(Duration::from_millis(5))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OperationCanceled);
}

/// The `begin_*` futures and the poller can move across threads (`tokio::spawn`).
#[tokio::test]
async fn pollers_are_send() {
    fn send<T: Send>(value: T) -> T {
        value
    }
    let server = MockServer::start().await;
    mount_backup_start(&server, None).await;
    mount_backup_status(&server, vec![status(backup_status("Succeeded"))]).await;
    let client = backup_client(&server);
    let parameters = sas();
    let poller = send(client.begin_full_backup(&parameters)).await.unwrap();
    let done = tokio::spawn(send(poller.interval(Duration::from_millis(1)).wait())).await.unwrap().unwrap();
    assert_eq!(done.status.as_deref(), Some("Succeeded"));
}
