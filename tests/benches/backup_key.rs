//! `backup_key` through the generated client vs. a hand-written reqwest call,
//! against the same loopback server, in the same run.
//!
//! Both sides share one tokio runtime and one `reqwest::Client` (so one
//! connection pool), and end with the decoded blob bytes: the hand-written
//! side does POST + JSON decode + base64url decode, what any caller needs.
//! The server is a minimal HTTP/1.1 keep-alive responder on 127.0.0.1 that
//! returns a fixed ~8 KB BackupKey body (a 6 000-byte blob), or Key Vault's
//! 401 challenge to requests without a token; the generated client learns
//! the scope on its warm-up call, so every measured call of either side is
//! exactly one authorized request.
//!
//! Run (about 40 s after the build; the measurement time is kept modest):
//!
//! ```sh
//! cargo bench -p keyvault-tests --bench backup_key --no-default-features
//! # quicker look: ... -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! and compare the two `time:` lines of group `backup_key` (the run also
//! prints the ratio of the means of interleaved rounds, `generated /
//! hand-written`; target <= 1.05). Group `backup_key_decode` times the
//! response decoding alone, without I/O, for the same two sides.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use keyvault_keys::{ClientOptions, KeyClient, RetryOptions, StaticToken};
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, HeaderValue};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

const KEY: &str = "bench-key";
const TOKEN: &str = "bench-token";
const BLOB_BYTES: usize = 6_000;

/// What the hand-written side decodes the JSON into.
#[derive(serde::Deserialize)]
struct BackupKeyResult {
    value: String,
}

/// The blob the server hands out (deterministic, every byte value).
fn blob() -> Vec<u8> {
    (0..BLOB_BYTES).map(|i| (i.wrapping_mul(131) ^ (i >> 3)) as u8).collect()
}

/// The fixed responses: a 200 with the backup, and Key Vault's challenge.
struct Responses {
    ok: Vec<u8>,
    challenge: Vec<u8>,
}

impl Responses {
    fn new(resource: &str) -> Self {
        let body = serde_json::to_vec(&serde_json::json!({ "value": URL_SAFE_NO_PAD.encode(blob()) })).unwrap();
        let mut ok = format!(
            "HTTP/1.1 200 OK\r\ncache-control: no-cache\r\npragma: no-cache\r\n\
             content-type: application/json; charset=utf-8\r\nexpires: -1\r\n\
             x-ms-keyvault-region: westeurope\r\n\
             x-ms-request-id: 5a1b2c3d-0000-4000-8000-000000000001\r\n\
             x-ms-keyvault-service-version: 1.9.1234.1\r\nx-content-type-options: nosniff\r\n\
             content-length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        ok.extend_from_slice(&body);
        let challenge = format!(
            "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json; charset=utf-8\r\n\
             www-authenticate: Bearer authorization=\"https://login.microsoftonline.com/tenant\", resource=\"{resource}\"\r\n\
             content-length: 0\r\n\r\n"
        )
        .into_bytes();
        Self { ok, challenge }
    }
}

/// Serves HTTP/1.1 keep-alive connections until the runtime stops.
async fn serve(listener: TcpListener, responses: Arc<Responses>) {
    while let Ok((socket, _)) = listener.accept().await {
        let responses = Arc::clone(&responses);
        tokio::spawn(async move {
            let _ = connection(socket, &responses).await;
        });
    }
}

async fn connection(mut socket: TcpStream, responses: &Responses) -> std::io::Result<()> {
    socket.set_nodelay(true)?;
    let mut buf = Vec::with_capacity(16 * 1024);
    loop {
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            if socket.read_buf(&mut buf).await? == 0 {
                return Ok(());
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
        let header = |name: &str| {
            head.lines().find_map(|line| line.strip_prefix(name).and_then(|v| v.strip_prefix(':')).map(str::trim))
        };
        let body_len: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        let authorized = header("authorization").is_some();
        while buf.len() < head_end + body_len {
            if socket.read_buf(&mut buf).await? == 0 {
                return Ok(());
            }
        }
        buf.drain(..head_end + body_len);
        let response = if authorized { &responses.ok } else { &responses.challenge };
        socket.write_all(response).await?;
    }
}

/// The hand-written equivalent: POST, check the status, decode JSON, decode base64url.
async fn hand_written(http: &reqwest::Client, base: &str, auth: &HeaderValue) -> Vec<u8> {
    let response = http
        .post(format!("{base}/keys/{KEY}/backup?api-version=7.4"))
        .header(AUTHORIZATION, auth.clone())
        .header(CONTENT_LENGTH, 0)
        .send()
        .await
        .expect("send");
    assert!(response.status().is_success(), "{}", response.status());
    let body = response.bytes().await.expect("body");
    let result: BackupKeyResult = serde_json::from_slice(&body).expect("json");
    URL_SAFE_NO_PAD.decode(result.value).expect("base64url")
}

async fn generated(client: &KeyClient) -> Vec<u8> {
    client.backup_key(KEY).await.expect("backup_key").into_inner().value.into_vec()
}

fn backup_key(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (base, http, client, auth) = runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(serve(listener, Arc::new(Responses::new(&base))));
        // One pool for both sides; no redirects, as the generated client's own.
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let options = ClientOptions::default().allow_http(true).retry(RetryOptions::none()).http_client(http.clone());
        let client = KeyClient::with_options(&base, Arc::new(StaticToken::new(TOKEN)), options).unwrap();
        let auth = HeaderValue::from_str(&format!("Bearer {TOKEN}")).unwrap();
        // Warm-up: the generated client answers the challenge once and caches the scope.
        assert_eq!(generated(&client).await, blob());
        assert_eq!(hand_written(&http, &base, &auth).await, blob());
        (base, http, client, auth)
    });

    let mut group = c.benchmark_group("backup_key");
    group.bench_function("hand_written_reqwest", |b| {
        b.to_async(&runtime).iter(|| async { black_box(hand_written(&http, &base, &auth).await) })
    });
    group.bench_function("generated_client", |b| {
        b.to_async(&runtime).iter(|| async { black_box(generated(&client).await) })
    });
    group.finish();

    ratio(&runtime, &client, &http, &base, &auth);
}

/// The response decoding alone (no I/O): the generated model (`Base64Url`)
/// vs. serde into a `String` + the base64 engine, on the same 8 KB body.
fn decode(c: &mut Criterion) {
    let body = serde_json::to_vec(&serde_json::json!({ "value": URL_SAFE_NO_PAD.encode(blob()) })).unwrap();
    let mut group = c.benchmark_group("backup_key_decode");
    group.bench_function("hand_written", |b| {
        b.iter(|| {
            let result: BackupKeyResult = serde_json::from_slice(black_box(&body)).unwrap();
            black_box(URL_SAFE_NO_PAD.decode(result.value).unwrap())
        })
    });
    group.bench_function("generated_model", |b| {
        b.iter(|| {
            let result: keyvault_keys::models::BackupKeyResult = serde_json::from_slice(black_box(&body)).unwrap();
            black_box(result.value.into_vec())
        })
    });
    group.finish();
}

/// Interleaved rounds of both sides, so drift (CPU frequency, other load)
/// hits them equally; prints per-call means and their ratio.
fn ratio(runtime: &Runtime, client: &KeyClient, http: &reqwest::Client, base: &str, auth: &HeaderValue) {
    const ROUNDS: usize = 20;
    const CALLS: usize = 500;
    let (mut hand, mut gen_) = (Duration::ZERO, Duration::ZERO);
    runtime.block_on(async {
        for _ in 0..ROUNDS {
            let start = Instant::now();
            for _ in 0..CALLS {
                black_box(hand_written(http, base, auth).await);
            }
            hand += start.elapsed();
            let start = Instant::now();
            for _ in 0..CALLS {
                black_box(generated(client).await);
            }
            gen_ += start.elapsed();
        }
    });
    let per_call = |total: Duration| total.as_secs_f64() * 1e6 / (ROUNDS * CALLS) as f64;
    let (h, g) = (per_call(hand), per_call(gen_));
    println!(
        "backup_key interleaved ({} calls each): hand-written {h:.1} us/call, generated {g:.1} us/call, \
         ratio generated/hand-written = {:.3} (target <= 1.05)",
        ROUNDS * CALLS,
        g / h
    );
}

criterion_group! {
    name = benches;
    // Modest times; command-line flags (`-- --measurement-time 3`) override them.
    config = Criterion::default().warm_up_time(Duration::from_secs(2)).measurement_time(Duration::from_secs(6));
    targets = backup_key, decode
}
criterion_main!(benches);
