//! A stateful fake Key Vault on loopback, for the vault commands' tests and
//! benchmark: items of each kind with backup blobs, paged listings with
//! absolute `nextLink`s, backup, restore with 409 on taken names, Key
//! Vault's 401 challenge, and switches for throttling and failures.
//!
//! Routes are per kind (`/keys`, `/keys/{name}/backup`, `/keys/restore`, and
//! the same under `/secrets` and `/certificates`), so every kind is served
//! the same way.

#![allow(dead_code)] // Each test binary uses a different part.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const TOKEN_VAR: &str = "KV_BACKUP_TEST_TOKEN";
pub const TOKEN: &str = "test-token";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Keys,
    Secrets,
    Certificates,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Keys, Kind::Secrets, Kind::Certificates];

    /// The collection's path segment, also the backup directory's folder.
    pub fn collection(self) -> &'static str {
        match self {
            Kind::Keys => "keys",
            Kind::Secrets => "secrets",
            Kind::Certificates => "certificates",
        }
    }

    fn from_collection(segment: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.collection() == segment)
    }

    /// Listings name keys by `kid`, secrets and certificates by `id`.
    fn id_field(self) -> &'static str {
        if self == Kind::Keys { "kid" } else { "id" }
    }
}

#[derive(Debug, Clone)]
pub struct Item {
    pub blob: Vec<u8>,
    pub managed: bool,
    pub enabled: bool,
}

/// Requests the vault answered, by route (authenticated requests only, retries included).
#[derive(Debug, Default, Clone)]
pub struct Counters {
    pub total: usize,
    pub challenges: usize,
    pub list_pages: usize,
    pub backups: usize,
    pub restores: usize,
    pub throttled: usize,
}

#[derive(Debug, Default)]
pub struct State {
    pub items: BTreeMap<(Kind, String), Item>,
    /// Names held by deleted, recoverable items: restoring them is a 409 with
    /// inner code `ObjectIsDeletedButRecoverable`.
    pub deleted: BTreeSet<(Kind, String)>,
    pub page_size: usize,
    /// Every Nth authenticated request gets a 429 (cycling through no
    /// `Retry-After`, `Retry-After: 1`, `retry-after-ms: 10`).
    pub throttle_every: Option<usize>,
    /// Backups after this many successful ones fail with 503 (a vault cut off).
    pub fail_backups_after: Option<usize>,
    /// Successful backups, in the order served.
    pub backed_up: Vec<(Kind, String)>,
    /// Successful restores, in the order served.
    pub restored: Vec<(Kind, String)>,
    /// Authenticated requests per kind (listings, backups, restores).
    pub per_kind: BTreeMap<Kind, usize>,
    pub counters: Counters,
}

pub struct FakeVault {
    pub server: MockServer,
    state: Arc<Mutex<State>>,
}

impl FakeVault {
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State { page_size: 25, ..State::default() }));
        let handler = Handler { state: state.clone(), base: server.uri() };
        Mock::given(|_: &Request| true).respond_with(handler).mount(&server).await;
        Self { server, state }
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// Adds an item with its own blob and returns the blob.
    pub fn add(&self, kind: Kind, name: &str, managed: bool, enabled: bool) -> Vec<u8> {
        let blob = blob_for(kind, name);
        self.state().items.insert((kind, name.to_owned()), Item { blob: blob.clone(), managed, enabled });
        blob
    }

    /// `count` enabled, unmanaged keys named `key-0000`…; returns their names.
    pub fn add_keys(&self, count: usize) -> Vec<String> {
        (0..count)
            .map(|i| {
                let name = format!("key-{i:04}");
                self.add(Kind::Keys, &name, false, true);
                name
            })
            .collect()
    }

    pub fn counters(&self) -> Counters {
        self.state().counters.clone()
    }

    pub fn blob(&self, kind: Kind, name: &str) -> Option<Vec<u8>> {
        self.state().items.get(&(kind, name.to_owned())).map(|i| i.blob.clone())
    }
}

/// A blob naming its item (so a restore knows which name it takes), then
/// 3–7 KB of bytes that differ per item, like real backups.
pub fn blob_for(kind: Kind, name: &str) -> Vec<u8> {
    let mut blob = format!("FAKEBLOB\0{}\0{name}\0", kind.collection()).into_bytes();
    let mut x: u64 = name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    let len = 3000 + (x % 4000) as usize;
    for _ in 0..len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        blob.push((x >> 24) as u8);
    }
    blob
}

fn item_of_blob(blob: &[u8]) -> Option<(Kind, String)> {
    let rest = blob.strip_prefix(b"FAKEBLOB\0")?;
    let mut parts = rest.splitn(3, |b| *b == 0);
    let kind = Kind::from_collection(std::str::from_utf8(parts.next()?).ok()?)?;
    let name = std::str::from_utf8(parts.next()?).ok()?.to_owned();
    parts.next()?;
    Some((kind, name))
}

fn error(status: u16, code: &str, message: &str, inner: Option<&str>) -> ResponseTemplate {
    let mut error = json!({ "code": code, "message": message });
    if let Some(inner) = inner {
        error["innererror"] = json!({ "code": inner });
    }
    ResponseTemplate::new(status).set_body_json(json!({ "error": error }))
}

struct Handler {
    state: Arc<Mutex<State>>,
    base: String,
}

impl Respond for Handler {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.state.lock().unwrap();
        let Some(authorization) = request.headers.get("authorization") else {
            state.counters.challenges += 1;
            return ResponseTemplate::new(401).insert_header(
                "www-authenticate",
                format!(r#"Bearer authorization="https://login.microsoftonline.com/tenant", resource="{}""#, self.base),
            );
        };
        if authorization.as_bytes() != format!("Bearer {TOKEN}").as_bytes() {
            return error(401, "Unauthorized", "bad token", None);
        }
        if !request.url.query_pairs().any(|(k, v)| k == "api-version" && v == "7.4") {
            return error(400, "BadParameter", "api-version 7.4 expected", None);
        }
        state.counters.total += 1;
        if let Some(every) = state.throttle_every
            && state.counters.total.is_multiple_of(every)
        {
            state.counters.throttled += 1;
            let throttled =
                error(429, "Throttled", "Request was not processed because too many requests were received.", None);
            return match (state.counters.total / every) % 3 {
                0 => throttled,
                1 => throttled.insert_header("retry-after", "1"),
                _ => throttled.insert_header("retry-after-ms", "10"),
            };
        }
        let segments: Vec<&str> = request.url.path().trim_start_matches('/').split('/').collect();
        let method = request.method.as_str();
        let kind = segments.first().and_then(|s| Kind::from_collection(s));
        if let Some(kind) = kind {
            *state.per_kind.entry(kind).or_default() += 1;
        }
        match (method, kind, &segments[1..]) {
            ("GET", Some(kind), []) => self.list(&mut state, kind, request),
            ("POST", Some(kind), ["restore"]) => restore(&mut state, kind, request, &self.base),
            ("POST", Some(kind), [name, "backup"]) => backup(&mut state, kind, name),
            _ => error(404, "NotFound", "no such route", None),
        }
    }
}

impl Handler {
    fn list(&self, state: &mut State, kind: Kind, request: &Request) -> ResponseTemplate {
        state.counters.list_pages += 1;
        let skip: usize =
            request.url.query_pairs().find(|(k, _)| k == "$skiptoken").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
        let of_kind: Vec<(&String, &Item)> =
            state.items.iter().filter(|((k, _), _)| *k == kind).map(|((_, name), item)| (name, item)).collect();
        let page: Vec<Value> = of_kind
            .iter()
            .skip(skip)
            .take(state.page_size)
            .map(|(name, item)| {
                let mut entry = json!({ "attributes": { "enabled": item.enabled } });
                entry[kind.id_field()] = json!(format!("{}/{}/{name}", self.base, kind.collection()));
                if item.managed {
                    entry["managed"] = json!(true);
                }
                entry
            })
            .collect();
        let next = skip + state.page_size;
        let next_link = (next < of_kind.len()).then(|| {
            format!(
                "{}/{}?api-version=7.4&$skiptoken={next}&maxresults={}",
                self.base,
                kind.collection(),
                state.page_size
            )
        });
        ResponseTemplate::new(200).set_body_json(json!({ "value": page, "nextLink": next_link }))
    }
}

fn backup(state: &mut State, kind: Kind, name: &str) -> ResponseTemplate {
    state.counters.backups += 1;
    if state.fail_backups_after.is_some_and(|n| state.backed_up.len() >= n) {
        return error(503, "ServiceUnavailable", "cut off", None).insert_header("retry-after", "0");
    }
    let Some(item) = state.items.get(&(kind, name.to_owned())) else {
        return error(404, "NotFound", &format!("{name} was not found in this key vault"), None);
    };
    if item.managed {
        return error(403, "Forbidden", "a certificate's key or secret cannot be backed up alone", None);
    }
    let value = URL_SAFE_NO_PAD.encode(&item.blob);
    state.backed_up.push((kind, name.to_owned()));
    ResponseTemplate::new(200).set_body_json(json!({ "value": value }))
}

fn restore(state: &mut State, kind: Kind, request: &Request, base: &str) -> ResponseTemplate {
    state.counters.restores += 1;
    let blob = serde_json::from_slice::<Value>(&request.body)
        .ok()
        .and_then(|body| body["value"].as_str().and_then(|v| URL_SAFE_NO_PAD.decode(v).ok()));
    let Some((blob_kind, name)) = blob.as_deref().and_then(item_of_blob) else {
        return error(400, "BadParameter", "Backup blob contains invalid or corrupt version.", None);
    };
    if blob_kind != kind {
        return error(400, "BadParameter", "the blob is of another kind", None);
    }
    let key = (kind, name.clone());
    if state.deleted.contains(&key) {
        return error(
            409,
            "Conflict",
            &format!("{name} is deleted but recoverable"),
            Some("ObjectIsDeletedButRecoverable"),
        );
    }
    if state.items.contains_key(&key) {
        return error(409, "Conflict", &format!("{name} already exists"), None);
    }
    state.items.insert(key, Item { blob: blob.unwrap_or_default(), managed: false, enabled: true });
    state.restored.push((kind, name.clone()));
    let id = format!("{base}/{}/{name}/0123456789abcdef", kind.collection());
    let body = match kind {
        Kind::Keys => json!({ "key": { "kid": id, "kty": "RSA" }, "attributes": { "enabled": true } }),
        _ => json!({ "id": id, "attributes": { "enabled": true } }),
    };
    ResponseTemplate::new(200).set_body_json(body)
}
