//! Every operation of `KeyClient` against a wiremock stub answering with the spec's
//! example response: the request the client sent (method, path, query, headers, body)
//! and the typed result are snapshotted, and checked against the example.
//!
//! Plus the cross-cutting request rules (vault URL forms, api-version, bearer token),
//! the byte-exact backup → restore round trip, open enums and unixtime fields.

use std::fmt::Debug;
use std::time::{Duration, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use keyvault_keys::models::{
    DeletionRecoveryLevel, GetRandomBytesRequest, JsonWebKeyCurveName, JsonWebKeyOperation, JsonWebKeyType,
    KeyCreateParameters, KeyImportParameters, KeyOperationsParameters, KeyReleaseParameters, KeyRestoreParameters,
    KeyRotationPolicy, KeySignParameters, KeyUpdateParameters, KeyVerifyParameters,
};
use keyvault_keys::{ClientOptions, Error, KeyClient, Response, UnixTime};
use keyvault_tests::{TOKEN, authed_client, authed_client_with, describe_request, example, header, seeded_bytes};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const REQUEST_ID: &str = "6a3f2c1e-7b4d-4e2a-9c1f-0d8e5b7a6c42";

/// One operation's stub: the example's first response for `METHOD path?api-version=7.4`.
struct Case {
    server: MockServer,
    client: KeyClient,
    example: Value,
}

impl Case {
    async fn start(file: &str, http_method: &str, url_path: &str) -> Self {
        let example = example(file);
        let responses = example["responses"].as_object().expect("example has responses");
        let (status, response) = responses.iter().next().expect("example has a response");
        let mut template =
            ResponseTemplate::new(status.parse::<u16>().unwrap()).insert_header("x-ms-request-id", REQUEST_ID);
        if let Some(body) = response.get("body") {
            template = template.set_body_json(body);
        }
        let server = MockServer::start().await;
        Mock::given(method(http_method))
            .and(path(url_path))
            .and(query_param("api-version", "7.4"))
            .respond_with(template)
            .expect(1)
            .mount(&server)
            .await;
        let client = authed_client(&server);
        Self { server, client, example }
    }

    /// The example's request parameter `name` (the body), as the typed model.
    fn param<T: DeserializeOwned>(&self, name: &str) -> T {
        serde_json::from_value(self.example["parameters"][name].clone())
            .unwrap_or_else(|e| panic!("example parameter {name} does not fit the model: {e}"))
    }

    /// Checks the single request the call made and the typed result, then snapshots both.
    /// `body_param` names the example parameter the request body must equal.
    async fn check<T: Debug + Serialize>(
        self,
        name: &str,
        result: Result<Response<T>, Error>,
        body_param: Option<&str>,
    ) {
        let response = result.unwrap_or_else(|e| panic!("{name} failed: {e} / {e:?}"));
        let requests = self.server.received_requests().await.expect("recording is on");
        assert_eq!(requests.len(), 1, "{name}: exactly one request");
        let request = &requests[0];
        assert_common_request_rules(request, "7.4");
        match body_param {
            Some(param) => {
                let sent: Value = serde_json::from_slice(&request.body).expect("JSON request body");
                assert_eq!(sent, self.example["parameters"][param], "{name}: body is the example's {param}");
                assert_eq!(header(request, "content-type"), Some("application/json"));
            }
            None => assert!(request.body.is_empty(), "{name}: no body"),
        }

        // The typed result keeps everything the service sent: serializing it again
        // gives back the example's body (for `()`, the absent body of a 204).
        let (_, expected) = self.example["responses"].as_object().unwrap().iter().next().unwrap();
        assert_eq!(response.request_id(), Some(REQUEST_ID));
        let status = response.status().as_u16();
        let value = response.into_inner();
        let round_trip = serde_json::to_value(&value).unwrap();
        assert_eq!(round_trip, expected.get("body").cloned().unwrap_or(Value::Null), "{name}: lossless model");

        let text = format!("{}\n--- response {status}\n{value:#?}\n", describe_request(request, &self.server));
        insta::assert_snapshot!(name, text);
    }
}

/// What every request must satisfy: `api-version` once in the query and never as a
/// header, the bearer token, a UUID client request id, no `//` in the path.
fn assert_common_request_rules(request: &Request, api_version: &str) {
    let versions: Vec<String> =
        request.url.query_pairs().filter(|(k, _)| k == "api-version").map(|(_, v)| v.into_owned()).collect();
    assert_eq!(versions, [api_version], "api-version in the query of {}", request.url);
    assert!(request.headers.get("api-version").is_none(), "no api-version header on {}", request.url);
    assert_eq!(header(request, "authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    let id = header(request, "x-ms-client-request-id").expect("x-ms-client-request-id");
    assert!(keyvault_tests::is_uuid(id), "{id}");
    assert!(!request.url.path().contains("//"), "{}", request.url);
}

#[tokio::test]
async fn create_key() {
    let case = Case::start("CreateKey-example.json", "POST", "/keys/kvgen-rsa-01/create").await;
    let body: KeyCreateParameters = case.param("parameters");
    let result = case.client.create_key("kvgen-rsa-01", &body).await;
    case.check("create_key", result, Some("parameters")).await;
}

#[tokio::test]
async fn import_key() {
    let case = Case::start("ImportKey-example.json", "PUT", "/keys/kvgen-imported-rsa").await;
    let body: KeyImportParameters = case.param("parameters");
    let result = case.client.import_key("kvgen-imported-rsa", &body).await;
    case.check("import_key", result, Some("parameters")).await;
}

#[tokio::test]
async fn update_key() {
    let case =
        Case::start("UpdateKey-example.json", "PATCH", "/keys/kvgen-rsa-01/11a35aeff540882f2c5ba27057adcf85").await;
    let body: KeyUpdateParameters = case.param("parameters");
    let result = case.client.update_key("kvgen-rsa-01", "11a35aeff540882f2c5ba27057adcf85", &body).await;
    case.check("update_key", result, Some("parameters")).await;
}

#[tokio::test]
async fn get_key() {
    let case =
        Case::start("GetKey-example.json", "GET", "/keys/kvgen-exportable-hsm/a813275f6e354d75a6aa33da76b0c1cb").await;
    let result = case.client.get_key("kvgen-exportable-hsm", "a813275f6e354d75a6aa33da76b0c1cb").await;
    case.check("get_key", result, None).await;
}

#[tokio::test]
async fn get_key_versions() {
    let case = Case::start("GetKeyVersions-example.json", "GET", "/keys/kvgen-rsa-01/versions").await;
    let result = case.client.get_key_versions("kvgen-rsa-01", Some(1)).await;
    case.check("get_key_versions", result, None).await;
}

#[tokio::test]
async fn get_keys() {
    let case = Case::start("GetKeys-example.json", "GET", "/keys").await;
    let result = case.client.get_keys(Some(1)).await;
    case.check("get_keys", result, None).await;
}

#[tokio::test]
async fn delete_key() {
    let case = Case::start("DeleteKey-example.json", "DELETE", "/keys/kvgen-retired-ec").await;
    let result = case.client.delete_key("kvgen-retired-ec").await;
    case.check("delete_key", result, None).await;
}

#[tokio::test]
async fn get_deleted_key() {
    let case = Case::start("GetDeletedKey-example.json", "GET", "/deletedkeys/kvgen-retired-ec").await;
    let result = case.client.get_deleted_key("kvgen-retired-ec").await;
    case.check("get_deleted_key", result, None).await;
}

#[tokio::test]
async fn get_deleted_keys() {
    let case = Case::start("GetDeletedKeys-example.json", "GET", "/deletedkeys").await;
    let result = case.client.get_deleted_keys(Some(1)).await;
    case.check("get_deleted_keys", result, None).await;
}

#[tokio::test]
async fn purge_deleted_key() {
    let case = Case::start("PurgeDeletedKey-example.json", "DELETE", "/deletedkeys/kvgen-retired-ec").await;
    let result = case.client.purge_deleted_key("kvgen-retired-ec").await;
    case.check("purge_deleted_key", result, None).await;
}

#[tokio::test]
async fn recover_deleted_key() {
    let case = Case::start("RecoverDeletedKey-example.json", "POST", "/deletedkeys/kvgen-retired-ec/recover").await;
    let result = case.client.recover_deleted_key("kvgen-retired-ec").await;
    case.check("recover_deleted_key", result, None).await;
}

#[tokio::test]
async fn backup_key() {
    let case = Case::start("BackupKey-example.json", "POST", "/keys/kvgen-backup-ec/backup").await;
    let result = case.client.backup_key("kvgen-backup-ec").await;
    case.check("backup_key", result, None).await;
}

#[tokio::test]
async fn restore_key() {
    let case = Case::start("RestoreKey-example.json", "POST", "/keys/restore").await;
    let body: KeyRestoreParameters = case.param("parameters");
    let result = case.client.restore_key(&body).await;
    case.check("restore_key", result, Some("parameters")).await;
}

#[tokio::test]
async fn rotate_key() {
    let case = Case::start("RotateKey-example.json", "POST", "/keys/kvgen-ec-rotating/rotate").await;
    let result = case.client.rotate_key("kvgen-ec-rotating").await;
    case.check("rotate_key", result, None).await;
}

#[tokio::test]
async fn get_key_rotation_policy() {
    let case = Case::start("GetKeyRotationPolicy-example.json", "GET", "/keys/kvgen-ec-rotating/rotationpolicy").await;
    let result = case.client.get_key_rotation_policy("kvgen-ec-rotating").await;
    case.check("get_key_rotation_policy", result, None).await;
}

#[tokio::test]
async fn update_key_rotation_policy() {
    let case =
        Case::start("UpdateKeyRotationPolicy-example.json", "PUT", "/keys/kvgen-ec-rotating/rotationpolicy").await;
    let body: KeyRotationPolicy = case.param("keyRotationPolicy");
    let result = case.client.update_key_rotation_policy("kvgen-ec-rotating", &body).await;
    case.check("update_key_rotation_policy", result, Some("keyRotationPolicy")).await;
}

const RSA_KEY: &str = "kvgen-rsa-01";
const RSA_VERSION: &str = "11a35aeff540882f2c5ba27057adcf85";

#[tokio::test]
async fn encrypt() {
    let case = Case::start("encrypt-example.json", "POST", &format!("/keys/{RSA_KEY}/{RSA_VERSION}/encrypt")).await;
    let body: KeyOperationsParameters = case.param("parameters");
    let result = case.client.encrypt(RSA_KEY, RSA_VERSION, &body).await;
    case.check("encrypt", result, Some("parameters")).await;
}

#[tokio::test]
async fn decrypt() {
    let case = Case::start("decrypt-example.json", "POST", &format!("/keys/{RSA_KEY}/{RSA_VERSION}/decrypt")).await;
    let body: KeyOperationsParameters = case.param("parameters");
    let result = case.client.decrypt(RSA_KEY, RSA_VERSION, &body).await;
    case.check("decrypt", result, Some("parameters")).await;
}

#[tokio::test]
async fn sign() {
    let (key, version) = ("kvgen-ec-signer", "4627c2417279fde354160c5f4cb1fdd9");
    let case = Case::start("sign-example.json", "POST", &format!("/keys/{key}/{version}/sign")).await;
    let body: KeySignParameters = case.param("parameters");
    let result = case.client.sign(key, version, &body).await;
    case.check("sign", result, Some("parameters")).await;
}

#[tokio::test]
async fn verify() {
    let (key, version) = ("kvgen-ec-signer", "4627c2417279fde354160c5f4cb1fdd9");
    let case = Case::start("verify-example.json", "POST", &format!("/keys/{key}/{version}/verify")).await;
    let body: KeyVerifyParameters = case.param("parameters");
    let result = case.client.verify(key, version, &body).await;
    case.check("verify", result, Some("parameters")).await;
}

#[tokio::test]
async fn wrap_key() {
    let case = Case::start("wrapKey-example.json", "POST", &format!("/keys/{RSA_KEY}/{RSA_VERSION}/wrapkey")).await;
    let body: KeyOperationsParameters = case.param("parameters");
    let result = case.client.wrap_key(RSA_KEY, RSA_VERSION, &body).await;
    case.check("wrap_key", result, Some("parameters")).await;
}

#[tokio::test]
async fn unwrap_key() {
    let case = Case::start("unwrapKey-example.json", "POST", &format!("/keys/{RSA_KEY}/{RSA_VERSION}/unwrapkey")).await;
    let body: KeyOperationsParameters = case.param("parameters");
    let result = case.client.unwrap_key(RSA_KEY, RSA_VERSION, &body).await;
    case.check("unwrap_key", result, Some("parameters")).await;
}

#[tokio::test]
async fn release() {
    let (key, version) = ("kvgen-exportable-hsm", "a813275f6e354d75a6aa33da76b0c1cb");
    let case = Case::start("release-example.json", "POST", &format!("/keys/{key}/{version}/release")).await;
    let body: KeyReleaseParameters = case.param("parameters");
    let result = case.client.release(key, version, &body).await;
    case.check("release", result, Some("parameters")).await;
}

#[tokio::test]
async fn get_random_bytes() {
    let case = Case::start("GetRandomBytes-example.json", "POST", "/rng").await;
    let body: GetRandomBytesRequest = case.param("parameters");
    let result = case.client.get_random_bytes(&body).await;
    case.check("get_random_bytes", result, Some("parameters")).await;
}

/// Back up in one vault, restore into another: the blob (5-13 KB, every length modulo
/// 3, so unpadded base64url matters) comes out of `backup_key` as the exact bytes the
/// service encoded, and `restore_key` sends exactly the string the service produced.
#[tokio::test]
async fn backup_restore_round_trip_is_byte_exact() {
    for (seed, len) in [(1u64, 5_121usize), (2, 9_137), (3, 13_000)] {
        let blob = seeded_bytes(seed, len);
        let encoded = URL_SAFE_NO_PAD.encode(&blob);
        assert!(encoded.contains('-') && encoded.contains('_'), "the blob exercises the url-safe alphabet");

        let source = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/keys/kvgen-backup-ec/backup"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "value": encoded })))
            .expect(1)
            .mount(&source)
            .await;
        let target = MockServer::start().await;
        let restored = example("RestoreKey-example.json")["responses"]["200"]["body"].clone();
        Mock::given(method("POST"))
            .and(path("/keys/restore"))
            .respond_with(ResponseTemplate::new(200).set_body_json(restored))
            .expect(1)
            .mount(&target)
            .await;

        let backup = authed_client(&source).backup_key("kvgen-backup-ec").await.expect("backup");
        let bytes: Vec<u8> = backup.into_inner().value.into();
        assert_eq!(bytes.len(), len);
        assert!(bytes == blob, "backup bytes differ from what the service encoded ({len} bytes)");
        assert_eq!(URL_SAFE_NO_PAD.encode(&bytes), encoded);

        let key = authed_client(&target)
            .restore_key(&KeyRestoreParameters { value: bytes.into() })
            .await
            .expect("restore")
            .into_inner();
        assert_eq!(key.attributes.and_then(|a| a.recoverable_days), Some(7));

        let sent = &target.received_requests().await.unwrap()[0];
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

/// `https://vault/` and `https://vault` address the same paths: no `//keys`.
#[tokio::test]
async fn vault_url_with_and_without_trailing_slash() {
    let server = MockServer::start().await;
    for (url_path, file) in [("/keys/k/v1", "GetKey-example.json"), ("/keys/k/versions", "GetKeyVersions-example.json")]
    {
        Mock::given(method("GET"))
            .and(path(url_path))
            .respond_with(ResponseTemplate::new(200).set_body_json(example(file)["responses"]["200"]["body"].clone()))
            .mount(&server)
            .await;
    }
    let credential = std::sync::Arc::new(keyvault_keys::StaticToken::new(TOKEN));
    for url in [server.uri(), format!("{}/", server.uri()), format!("{}//", server.uri())] {
        let options = ClientOptions::default().allow_http(true).scope(keyvault_tests::VAULT_SCOPE);
        let client = KeyClient::with_options(&url, credential.clone(), options).expect("client");
        assert_eq!(client.vault_url(), server.uri(), "{url}");
        client.get_key("k", "v1").await.expect("get_key");
        client.get_key_versions("k", None).await.expect("get_key_versions");
    }
    let requests = server.received_requests().await.unwrap();
    let paths: Vec<&str> = requests.iter().map(|r| r.url.path()).collect();
    assert_eq!(paths, ["/keys/k/v1", "/keys/k/versions"].repeat(3));
    for request in &requests {
        assert_common_request_rules(request, "7.4");
    }
}

/// `ClientOptions::api_version` replaces the query's api-version (and only there).
#[tokio::test]
async fn api_version_option_changes_the_query() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/keys/k/backup"))
        .and(query_param("api-version", "7.3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "value": "AQID" })))
        .expect(2)
        .mount(&server)
        .await;
    let client = authed_client_with(&server, ClientOptions::default().api_version("7.3"));
    assert_eq!(client.api_version(), "7.3");
    client.backup_key("k").await.expect("backup with 7.3");
    client.backup_key("k").await.expect("backup with 7.3 again");
    for request in server.received_requests().await.unwrap() {
        assert_common_request_rules(&request, "7.3");
        assert_eq!(request.url.query(), Some("api-version=7.3"));
    }
    assert_eq!(authed_client(&server).api_version(), keyvault_keys::DEFAULT_API_VERSION);
}

/// A key type, curve and recovery level the client does not know parse into
/// `UnknownValue` and serialize back unchanged, in the model and on the wire.
#[tokio::test]
async fn unknown_enum_values_round_trip() {
    let body = json!({
        "key": {
            "kid": "https://kvgen-demo.vault.azure.net/keys/kvgen-okp/0d1c3e5f7a9b4c2d8e6f1a3b5c7d9e0f",
            "kty": "OKP",
            "crv": "Ed25519",
            "key_ops": ["sign", "verify", "attest"],
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
        },
        "attributes": {
            "enabled": true,
            "created": 1718090400,
            "updated": 1718090400,
            "recoverableDays": 90,
            "recoveryLevel": "Recoverable+Quantum",
            "exportable": false
        },
        "tags": { "curve": "edwards" }
    });
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/keys/kvgen-okp/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&body))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/keys/kvgen-okp/create"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&body))
        .mount(&server)
        .await;
    let client = authed_client(&server);

    let bundle = client.get_key("kvgen-okp", "").await.expect("get_key").into_inner();
    let key = bundle.key.as_ref().expect("key");
    assert_eq!(key.kty, Some(JsonWebKeyType::UnknownValue("OKP".to_owned())));
    assert_eq!(key.crv, Some(JsonWebKeyCurveName::UnknownValue("Ed25519".to_owned())));
    let attributes = bundle.attributes.as_ref().expect("attributes");
    assert_eq!(attributes.recovery_level, Some(DeletionRecoveryLevel::UnknownValue("Recoverable+Quantum".to_owned())));
    assert_eq!(key.kty.as_ref().unwrap().as_str(), "OKP");
    assert_eq!(serde_json::to_value(&bundle).unwrap(), body, "re-serializes unchanged");

    // Sent back to the service as the same strings.
    let create = KeyCreateParameters {
        attributes: None,
        crv: key.crv.clone(),
        key_ops: vec![JsonWebKeyOperation::Sign, JsonWebKeyOperation::UnknownValue("attest".to_owned())],
        key_size: None,
        kty: key.kty.clone().unwrap(),
        public_exponent: None,
        release_policy: None,
        tags: Default::default(),
    };
    client.create_key("kvgen-okp", &create).await.expect("create_key");
    let requests = server.received_requests().await.unwrap();
    let sent: Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(sent, json!({ "kty": "OKP", "crv": "Ed25519", "key_ops": ["sign", "attest"] }));
}

/// `format: unixtime` fields are `UnixTime` values with the stub's seconds.
#[tokio::test]
async fn unixtime_fields_are_time_values() {
    let server = MockServer::start().await;
    let deleted = example("DeleteKey-example.json")["responses"]["200"]["body"].clone();
    let mut bundle = example("UpdateKey-example.json")["responses"]["200"]["body"].clone();
    bundle["attributes"]["created"] = json!(0);
    Mock::given(method("GET"))
        .and(path("/deletedkeys/kvgen-retired-ec"))
        .respond_with(ResponseTemplate::new(200).set_body_json(deleted))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/keys/{RSA_KEY}/{RSA_VERSION}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(bundle))
        .mount(&server)
        .await;
    let client = authed_client(&server);

    let key = client.get_key(RSA_KEY, RSA_VERSION).await.expect("get_key").into_inner();
    let attributes = key.attributes.expect("attributes");
    let seconds = |t: Option<UnixTime>| t.expect("time present").unix_seconds();
    assert_eq!(seconds(attributes.nbf), 1_718_094_000);
    assert_eq!(seconds(attributes.exp), 1_733_642_400);
    assert_eq!(seconds(attributes.created), 0);
    assert_eq!(seconds(attributes.updated), 1_718_095_800);
    let exp = attributes.exp.unwrap();
    assert_eq!(exp.to_system_time(), UNIX_EPOCH + Duration::from_secs(1_733_642_400));
    assert_eq!(exp.to_string(), "2024-12-08T07:20:00Z");
    assert_eq!(attributes.created.unwrap().to_string(), "1970-01-01T00:00:00Z");

    let deleted = client.get_deleted_key("kvgen-retired-ec").await.expect("get_deleted_key").into_inner();
    assert_eq!(seconds(deleted.deleted_date), 1_718_176_800);
    assert_eq!(seconds(deleted.scheduled_purge_date), 1_725_952_800);
    assert_eq!(deleted.deleted_date.unwrap().to_string(), "2024-06-12T07:20:00Z");
    assert!(deleted.deleted_date < deleted.scheduled_purge_date);
}
