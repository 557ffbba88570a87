//! A loopback Key Vault stand-in for backup blobs of any size: `backup` answers with the blob
//! it was given, `restore` checks the uploaded body against that same blob as the bytes
//! arrive, without buffering them.
//!
//! Used by the blob memory benchmark (`src/bin/blob_memory.rs`) and the round-trip property
//! test (`tests/blobs.rs`). It speaks just enough HTTP/1.1 for the client: keep-alive,
//! `Content-Length` request bodies, fixed responses. Its memory does not depend on what the
//! client does: the backup body is prepared once and written from that buffer, and a restore
//! body is compared in 64 KiB reads against it, so a benchmark can subtract it as baseline.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Bytes read from the socket at a time.
const READ_SIZE: usize = 64 * 1024;

/// What a restore answers when the uploaded blob is the backed-up one.
const RESTORED: &str =
    r#"{"key":{"kid":"https://vault.example/keys/blob/1","kty":"RSA"},"attributes":{"enabled":true}}"#;

/// What a restore answers when it is not.
const MISMATCH: &str = r#"{"error":{"code":"BadParameter","message":"the restore body is not the backed-up blob"}}"#;

/// A running server; it stops with the tokio runtime it was started on.
pub struct BlobServer {
    uri: String,
    state: Arc<State>,
}

#[derive(Default)]
struct State {
    /// `{"value":"<base64url>"}`: the backup response body, and what a restore must send.
    backup_body: Mutex<Bytes>,
    restores_matched: AtomicUsize,
    restores_refused: AtomicUsize,
}

impl State {
    fn backup_body(&self) -> Bytes {
        self.backup_body.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl BlobServer {
    /// Binds 127.0.0.1 on a free port and serves on the current tokio runtime.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let uri = format!("http://{}", listener.local_addr().expect("local address"));
        let state = Arc::new(State::default());
        tokio::spawn(serve(listener, Arc::clone(&state)));
        Self { uri, state }
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// Makes `blob` what the next backups return and restores must send.
    pub fn set_blob(&self, blob: &[u8]) {
        let body = backup_body(blob);
        *self.state.backup_body.lock().unwrap_or_else(PoisonError::into_inner) = body;
    }

    /// Restores whose body was exactly the backed-up blob's.
    pub fn restores_matched(&self) -> usize {
        self.state.restores_matched.load(Ordering::SeqCst)
    }

    /// Restores whose body differed.
    pub fn restores_refused(&self) -> usize {
        self.state.restores_refused.load(Ordering::SeqCst)
    }
}

/// The JSON body of a backup response for `blob`, written into one buffer of its final size.
fn backup_body(blob: &[u8]) -> Bytes {
    let encoded_len = base64::encoded_len(blob.len(), false).expect("blob size fits in memory");
    let mut body = Vec::with_capacity(encoded_len + 12);
    body.extend_from_slice(br#"{"value":""#);
    let start = body.len();
    body.resize(start + encoded_len, 0);
    URL_SAFE_NO_PAD.encode_slice(blob, &mut body[start..]).expect("buffer sized for the encoding");
    body.extend_from_slice(br#""}"#);
    Bytes::from(body)
}

async fn serve(listener: TcpListener, state: Arc<State>) {
    while let Ok((socket, _)) = listener.accept().await {
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            // A connection the client drops mid-request is simply over.
            let _ = connection(socket, &state).await;
        });
    }
}

/// The parts of a request head the server looks at.
struct Head {
    path: String,
    content_length: usize,
}

async fn connection(mut socket: TcpStream, state: &State) -> std::io::Result<()> {
    socket.set_nodelay(true)?;
    let mut read = vec![0u8; READ_SIZE];
    // Bytes received but not yet consumed (a head, and whatever followed it in the same read).
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let head_end = loop {
            if let Some(i) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let n = socket.read(&mut read).await?;
            if n == 0 {
                return Ok(());
            }
            pending.extend_from_slice(&read[..n]);
        };
        let head = parse_head(&pending[..head_end]);
        pending.drain(..head_end);

        // The body: what already arrived, then reads of at most READ_SIZE, each checked
        // against the expected bytes and dropped.
        let expected = head.path.contains("/restore").then(|| state.backup_body());
        let mut check = expected.map(Checker::new);
        let mut remaining = head.content_length;
        let early = remaining.min(pending.len());
        if let Some(check) = &mut check {
            check.feed(&pending[..early]);
        }
        pending.drain(..early);
        remaining -= early;
        while remaining > 0 {
            let limit = remaining.min(READ_SIZE);
            let n = socket.read(&mut read[..limit]).await?;
            if n == 0 {
                return Ok(());
            }
            if let Some(check) = &mut check {
                check.feed(&read[..n]);
            }
            remaining -= n;
        }

        match check {
            None => {
                let body = state.backup_body();
                socket.write_all(response_head(200, "OK", body.len()).as_bytes()).await?;
                socket.write_all(&body).await?;
            }
            Some(check) if check.matched() => {
                state.restores_matched.fetch_add(1, Ordering::SeqCst);
                socket.write_all(response_head(200, "OK", RESTORED.len()).as_bytes()).await?;
                socket.write_all(RESTORED.as_bytes()).await?;
            }
            Some(_) => {
                state.restores_refused.fetch_add(1, Ordering::SeqCst);
                socket.write_all(response_head(400, "Bad Request", MISMATCH.len()).as_bytes()).await?;
                socket.write_all(MISMATCH.as_bytes()).await?;
            }
        }
    }
}

fn parse_head(head: &[u8]) -> Head {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let path = lines.next().and_then(|line| line.split(' ').nth(1)).unwrap_or_default().to_owned();
    let content_length = lines
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0);
    Head { path, content_length }
}

fn response_head(status: u16, reason: &str, content_length: usize) -> String {
    format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json; charset=utf-8\r\n\
         x-ms-request-id: 00000000-0000-4000-8000-00000000b10b\r\ncontent-length: {content_length}\r\n\r\n"
    )
}

/// Compares a body arriving in pieces with the expected bytes.
struct Checker {
    expected: Bytes,
    offset: usize,
    equal: bool,
}

impl Checker {
    fn new(expected: Bytes) -> Self {
        Self { expected, offset: 0, equal: true }
    }

    fn feed(&mut self, piece: &[u8]) {
        let end = self.offset + piece.len();
        self.equal = self.equal && self.expected.get(self.offset..end) == Some(piece);
        self.offset = end;
    }

    fn matched(&self) -> bool {
        self.equal && self.offset == self.expected.len()
    }
}
