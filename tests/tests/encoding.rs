//! Key names and versions are path segments: whatever they contain, they must stay
//! inside their own segment (percent-encoded), never add segments, start a query or
//! fragment, or walk up the path.

use keyvault_keys::ErrorKind;
use keyvault_tests::authed_client;
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A server that answers every request with a body that fits `BackupKeyResult` and
/// `KeyBundle` alike, so only the path sent matters.
async fn catch_all() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "value": "AQID" })))
        .mount(&server)
        .await;
    server
}

async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "one request");
    requests.pop().unwrap()
}

/// Percent-decodes a path segment (the test's own decoder, independent of the client's).
fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

const NAMES: [(&str, &str); 5] =
    [("a/b", "a%2Fb"), ("../x", "..%2Fx"), ("%", "%25"), ("a b", "a%20b"), ("?x#y", "%3Fx%23y")];

#[tokio::test]
async fn key_names_stay_in_their_segment() {
    for (name, encoded) in NAMES {
        let server = catch_all().await;
        authed_client(&server).backup_key(name).await.unwrap_or_else(|e| panic!("{name:?}: {e}"));
        let request = only_request(&server).await;
        assert_eq!(request.url.path(), format!("/keys/{encoded}/backup"), "{name:?}");
        assert_eq!(request.url.query(), Some("api-version=7.4"), "{name:?}: nothing leaks into the query");
        assert_eq!(request.url.fragment(), None, "{name:?}");
        let segments: Vec<&str> = request.url.path_segments().unwrap().collect();
        assert_eq!(segments.len(), 3, "{name:?}: {segments:?}");
        assert_eq!(decode(segments[1]), name, "{name:?}: the segment decodes to the name");
    }
}

#[tokio::test]
async fn key_names_and_versions_stay_in_their_segments() {
    for (name, encoded) in NAMES {
        let server = catch_all().await;
        let version = format!("v{name}");
        authed_client(&server).get_key(name, &version).await.unwrap_or_else(|e| panic!("{name:?}: {e}"));
        let request = only_request(&server).await;
        assert_eq!(request.url.path(), format!("/keys/{encoded}/v{encoded}"), "{name:?}");
        assert_eq!(request.url.query(), Some("api-version=7.4"), "{name:?}");
        let segments: Vec<&str> = request.url.path_segments().unwrap().collect();
        assert_eq!(segments.len(), 3, "{name:?}: {segments:?}");
        assert_eq!(decode(segments[1]), name);
        assert_eq!(decode(segments[2]), version);
    }
}

/// `..` and `.` are whole dot segments: URL parsing resolves them (percent-encoded
/// too), so `backup_key("..")` would POST to `/backup` and `get_key("k", "..")` would
/// GET `/keys/`. The client must refuse such names before sending anything (or send
/// them inside their segment); it must never address another path.
#[tokio::test]
async fn dot_segment_names_never_walk_the_path() {
    // (call, name, version, segments the path must have: `keys`, the name, ...)
    let cases: [(&str, &str, &str, usize); 4] = [
        ("backup_key", "..", "", 3),
        ("backup_key", ".", "", 3),
        ("get_key", "k", "..", 3),
        ("delete_key", "..", "", 2),
    ];
    let mut failures = Vec::new();
    for (call, name, version, segments) in cases {
        let server = catch_all().await;
        let client = authed_client(&server);
        let result = match call {
            "backup_key" => client.backup_key(name).await.map(drop),
            "get_key" => client.get_key(name, version).await.map(drop),
            _ => client.delete_key(name).await.map(drop),
        };
        let requests = server.received_requests().await.unwrap();
        let stays = |r: &Request| {
            let parts: Vec<&str> = r.url.path_segments().unwrap().collect();
            parts.len() == segments && parts[0] == "keys" && parts.iter().all(|p| !p.is_empty())
        };
        match (result, requests.as_slice()) {
            (Err(e), []) if e.kind() == ErrorKind::InvalidRequest => {}
            (_, [request]) if stays(request) => {}
            (result, requests) => failures.push(format!(
                "{call}({name:?}, {version:?}): sent {:?}, result {:?}",
                requests.iter().map(|r| format!("{} {}", r.method, r.url.path())).collect::<Vec<_>>(),
                result.err().map(|e| e.to_string())
            )),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
