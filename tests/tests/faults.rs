//! The fault matrix: servers that break the response in the ways networks and gateways do.
//! Each fault ends in a typed error or a bounded number of retries, never a panic.
//!
//! Most faults need control below HTTP (half a body, then a reset), so they are served by
//! [`RawServer`], a loopback TCP server that reads each request and answers it with the
//! scripted [`Reply`] for its index.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use keyvault_keys::{ClientOptions, ErrorKind, KeyClient, StaticToken};
use keyvault_tests::{TOKEN, VAULT_SCOPE, authed_client_with, fast_retries, seeded_bytes};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// How the server answers one request.
#[derive(Clone)]
enum Reply {
    /// The whole response.
    Complete(Vec<u8>),
    /// The head and the first half of the body, then a TCP reset.
    ResetMidBody(Vec<u8>),
    /// A chunked body whose last chunk is cut short, then the connection is closed.
    TruncatedChunked(Vec<u8>),
    /// The head at once, then the body one byte per interval.
    Trickle(Vec<u8>, Duration),
}

/// A loopback server answering request number `n` (from 0) with `script(n)`.
struct RawServer {
    uri: String,
    requests: Arc<AtomicUsize>,
}

impl RawServer {
    async fn start(script: impl Fn(usize) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let uri = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&requests);
        let script = Arc::new(script);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (counter, script) = (Arc::clone(&counter), Arc::clone(&script));
                tokio::spawn(async move {
                    let _ = connection(socket, &counter, &*script).await;
                });
            }
        });
        Self { uri, requests }
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

async fn connection(
    mut socket: TcpStream,
    counter: &AtomicUsize,
    script: &(dyn Fn(usize) -> Reply + Send + Sync),
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    loop {
        // The request: head, then `content-length` bytes of body.
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            if socket.read_buf(&mut buf).await? == 0 {
                return Ok(());
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + length {
            if socket.read_buf(&mut buf).await? == 0 {
                return Ok(());
            }
        }
        buf.drain(..head_end + length);

        match script(counter.fetch_add(1, Ordering::SeqCst)) {
            Reply::Complete(body) => {
                socket.write_all(&head_with_length(body.len())).await?;
                socket.write_all(&body).await?;
            }
            Reply::ResetMidBody(body) => {
                socket.write_all(&head_with_length(body.len())).await?;
                socket.write_all(&body[..body.len() / 2]).await?;
                socket.flush().await?;
                // Linger 0: closing sends RST instead of FIN.
                socket.set_zero_linger()?;
                return Ok(());
            }
            Reply::TruncatedChunked(body) => {
                let half = body.len() / 2;
                let mut out =
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
                out.extend_from_slice(format!("{half:x}\r\n").as_bytes());
                out.extend_from_slice(&body[..half]);
                out.extend_from_slice(b"\r\n");
                // The next chunk announces the rest but only part of it arrives.
                let rest = body.len() - half;
                out.extend_from_slice(format!("{rest:x}\r\n").as_bytes());
                out.extend_from_slice(&body[half..half + rest / 2]);
                socket.write_all(&out).await?;
                socket.shutdown().await?;
                return Ok(());
            }
            Reply::Trickle(body, interval) => {
                socket.write_all(&head_with_length(body.len())).await?;
                for byte in body {
                    socket.write_all(&[byte]).await?;
                    tokio::time::sleep(interval).await;
                }
            }
        }
    }
}

fn head_with_length(length: usize) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\n\
         x-ms-request-id: 00000000-0000-4000-8000-00000000fa17\r\ncontent-length: {length}\r\n\r\n"
    )
    .into_bytes()
}

/// The blob every backup here returns, and its response body (large enough to span
/// several reads, so "half the body" is a real cut mid-stream).
fn backup() -> (Vec<u8>, Vec<u8>) {
    use base64::Engine as _;
    let blob = seeded_bytes(11, 256 * 1024);
    let body = json!({ "value": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&blob) });
    (blob, serde_json::to_vec(&body).unwrap())
}

/// A client that knows the scope (one request per attempt) with `retries` fast retries.
fn raw_client(server: &RawServer, retries: u32, options: ClientOptions) -> KeyClient {
    let options = options.allow_http(true).scope(VAULT_SCOPE).retry(fast_retries(retries));
    KeyClient::with_options(&server.uri, Arc::new(StaticToken::new(TOKEN)), options).unwrap()
}

#[tokio::test]
async fn reset_mid_body_is_retried_and_the_complete_retry_wins() {
    let (blob, body) = backup();
    let server =
        RawServer::start(
            move |n| {
                if n == 0 { Reply::ResetMidBody(body.clone()) } else { Reply::Complete(body.clone()) }
            },
        )
        .await;
    let client = raw_client(&server, 2, ClientOptions::default());

    let backup = client.backup_key("k").await.expect("the second attempt is complete").into_inner();
    assert!(backup.value.as_bytes() == blob.as_slice(), "the blob of the complete attempt, byte-exact");
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn reset_mid_body_on_every_attempt_is_a_transport_error() {
    let (_, body) = backup();
    let server = RawServer::start(move |_| Reply::ResetMidBody(body.clone())).await;
    let client = raw_client(&server, 2, ClientOptions::default());

    let err = client.backup_key("k").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(err.to_string().contains("after 3 attempt(s)"), "{err}");
    assert_eq!(server.requests(), 3, "one attempt and two retries, no more");
}

#[tokio::test]
async fn truncated_chunked_body_is_retried_and_the_complete_retry_wins() {
    let (blob, body) = backup();
    let server =
        RawServer::start(
            move |n| {
                if n == 0 { Reply::TruncatedChunked(body.clone()) } else { Reply::Complete(body.clone()) }
            },
        )
        .await;
    let client = raw_client(&server, 2, ClientOptions::default());

    let backup = client.backup_key("k").await.expect("the second attempt is complete").into_inner();
    assert!(backup.value.as_bytes() == blob.as_slice());
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn truncated_chunked_body_on_every_attempt_is_a_transport_error() {
    let (_, body) = backup();
    let server = RawServer::start(move |_| Reply::TruncatedChunked(body.clone())).await;
    let client = raw_client(&server, 1, ClientOptions::default());

    let err = client.backup_key("k").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(err.to_string().contains("after 2 attempt(s)"), "{err}");
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn body_trickling_past_the_attempt_timeout_is_a_timeout_error() {
    // The head arrives at once; the 200-byte body would take 4 s at 20 ms a byte.
    let server = RawServer::start(|_| Reply::Trickle(vec![b' '; 200], Duration::from_millis(20))).await;
    let attempt = Duration::from_millis(300);
    let client = raw_client(&server, 1, ClientOptions::default().attempt_timeout(Some(attempt)));

    let started = Instant::now();
    let err = client.get_key("k", "").await.unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(err.to_string().contains("after 2 attempt(s)"), "{err}");
    assert_eq!(server.requests(), 2);
    // Two attempts of 300 ms and one short backoff: bounded well below the trickle's 4 s.
    assert!(elapsed >= attempt * 2, "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
}

#[tokio::test]
async fn html_page_with_status_200_is_an_invalid_response_keeping_the_page() {
    const PAGE: &str = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Captive portal</body></html>\n";
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/keys/k/backup"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(PAGE, "text/html; charset=utf-8"))
        .mount(&server)
        .await;
    let client = authed_client_with(&server, ClientOptions::default().retry(fast_retries(2)));

    let err = client.backup_key("k").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(err.raw_body(), Some(PAGE.as_bytes()));
    // A 200 is not retried, whatever its body.
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

/// A 302 to another host (another loopback port) is never followed: not with the token,
/// not without it, neither on the challenge probe nor on the authorized request.
#[tokio::test]
async fn redirect_to_another_host_is_never_followed() {
    let elsewhere = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let elsewhere_uri = format!("http://{}", elsewhere.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&connections);
    tokio::spawn(async move {
        while let Ok((socket, _)) = elsewhere.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    let vault = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("location", format!("{elsewhere_uri}/keys/k/backup").as_str()),
        )
        .mount(&vault)
        .await;

    for scope_known in [false, true] {
        let mut options = ClientOptions::default().allow_http(true).retry(fast_retries(2));
        if scope_known {
            options = options.scope(VAULT_SCOPE);
        }
        let client = KeyClient::with_options(&vault.uri(), Arc::new(StaticToken::new(TOKEN)), options).unwrap();
        let err = client.backup_key("k").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{err}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(302), "{err}");
    }

    // Give a stray follow-up time to arrive before declaring there was none.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(connections.load(Ordering::SeqCst), 0, "the other host was contacted");
    let requests = vault.received_requests().await.unwrap();
    // Probe + authorized request without a known scope, then the authorized request only.
    assert_eq!(requests.len(), 3);
    assert!(requests.iter().all(|r| r.url.path() == "/keys/k/backup"));
}
