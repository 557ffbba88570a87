//! Replays recorded Key Vault traffic through a generated client (feature `dynamic`).
//!
//! Two recording formats are read:
//!
//! - the test-proxy format of current Azure SDKs: `{"Entries": [{"RequestUri",
//!   "RequestMethod", "RequestHeaders", "RequestBody", "StatusCode", "ResponseHeaders",
//!   "ResponseBody"}]}`;
//! - the legacy format of the C++ SDK: `{"networkCallRecords": [{"Method", "Url", "Headers",
//!   "Response": {"STATUS_CODE", "BODY", ...response headers}}]}`, which records no request
//!   bodies.
//!
//! For each recorded exchange whose method and path match an operation of the client (the
//! template with the most literal segments wins; a `GET /keys/{name}` without the version
//! segment matches `/keys/{key-name}/{key-version}` with an empty version, which is how Key
//! Vault addresses the latest version), the recorded response is served from wiremock and the
//! same call is made through the client, with the path and query parameters of the recorded
//! URL and the recorded body. A request whose query carries more than the operation's
//! parameters (`$skiptoken`) is a next link and goes through `call_next_link`, verbatim.
//!
//! Checks: the request the client sent has the recorded method, path (segments compared after
//! percent-decoding) and query (as decoded pairs, any order), the recorded JSON body when
//! there is one, and a bearer token; a success re-serializes from the typed model to the
//! recorded body (see [`compare`](crate::examples::compare): nothing the service sent may be
//! dropped); an error has the recorded status and error code.
//!
//! Authentication: a recording that starts with the unauthenticated probe (`401` with
//! `WWW-Authenticate`, then the same request again) is replayed with a client that knows no
//! token scope yet: it must send the probe without token and body, read the challenge, and
//! resend with the token; the probe counts as an exchange of its own. Other recordings get
//! a client that knows the scope, so no probe is sent. Loopback is not the challenge's
//! resource host, so the client does not verify the resource here.
//!
//! A body-bearing request recorded without its body (the C++ format) is sent with the body
//! of the operation's example in our spec instead: the request check then covers method,
//! path and query only, and the exchange is noted as such.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{Map, Value};
use wiremock::matchers::{any, header_exists};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::examples::{Api, Config, Expected, Known, OpMeta, check_outcome, check_request, percent_decode, triage};

/// Differences between recorded traffic and our model that are understood and accepted.
pub const KNOWN: &[Known] = &[];

/// One recorded request and its response.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// HTTP method, upper case.
    pub method: String,
    /// The absolute URL requested.
    pub url: String,
    /// Request headers, names lower case.
    pub request_headers: BTreeMap<String, String>,
    /// The request body: `None` when the format does not record bodies, `Some(Null)` for none.
    pub request_body: Option<Value>,
    /// Response status.
    pub status: u16,
    /// Response headers, names lower case.
    pub response_headers: Vec<(String, String)>,
    /// Response body as sent.
    pub response_body: String,
}

/// A recording file.
#[derive(Clone, Debug)]
pub struct Recording {
    /// Path relative to the folder replayed.
    pub name: String,
    /// `test-proxy` or `legacy`.
    pub format: &'static str,
    /// Its exchanges, in order.
    pub exchanges: Vec<Exchange>,
}

fn text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn headers(v: Option<&Value>) -> Vec<(String, String)> {
    v.and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            (
                k.to_ascii_lowercase(),
                match v {
                    Value::Array(a) => a.iter().map(|x| text(Some(x))).collect::<Vec<_>>().join(", "),
                    other => text(Some(other)),
                },
            )
        })
        .collect()
}

/// Parses one recording; `None` if the JSON is in neither format.
pub fn parse(name: &str, doc: &Value) -> Option<Recording> {
    if let Some(entries) = doc.get("Entries").and_then(Value::as_array) {
        let exchanges = entries
            .iter()
            .map(|e| Exchange {
                method: text(e.get("RequestMethod")).to_ascii_uppercase(),
                url: text(e.get("RequestUri")),
                request_headers: headers(e.get("RequestHeaders")).into_iter().collect(),
                request_body: Some(e.get("RequestBody").cloned().unwrap_or(Value::Null)),
                status: e.get("StatusCode").and_then(Value::as_u64).unwrap_or(0) as u16,
                response_headers: headers(e.get("ResponseHeaders")),
                response_body: text(e.get("ResponseBody")),
            })
            .collect();
        return Some(Recording { name: name.into(), format: "test-proxy", exchanges });
    }
    let records = doc.get("networkCallRecords").and_then(Value::as_array)?;
    let exchanges = records
        .iter()
        .map(|r| {
            let response = r.get("Response").and_then(Value::as_object).cloned().unwrap_or_default();
            let status = match response.get("STATUS_CODE") {
                Some(Value::String(s)) => s.parse().unwrap_or(0),
                Some(Value::Number(n)) => n.as_u64().unwrap_or(0) as u16,
                _ => 0,
            };
            let response_headers = response
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "STATUS_CODE" | "BODY" | "REASON_PHRASE"))
                .map(|(k, v)| (k.to_ascii_lowercase(), text(Some(v))))
                .collect();
            Exchange {
                method: text(r.get("Method")).to_ascii_uppercase(),
                url: text(r.get("Url").or_else(|| r.get("Uri"))),
                request_headers: headers(r.get("Headers")).into_iter().collect(),
                request_body: None,
                status,
                response_headers,
                response_body: text(response.get("BODY")),
            }
        })
        .collect();
    Some(Recording { name: name.into(), format: "legacy", exchanges })
}

/// Every recording under `dir` (recursively, `*.json`, sorted by path), and the JSON files
/// that are not recordings.
pub fn load_dir(dir: &Path) -> Result<(Vec<Recording>, Vec<String>), String> {
    let mut files = Vec::new();
    collect(dir, &mut files).map_err(|e| format!("{}: {e}", dir.display()))?;
    files.sort();
    let mut recordings = Vec::new();
    let mut skipped = Vec::new();
    for file in files {
        let name = file.strip_prefix(dir).unwrap_or(&file).to_string_lossy().replace('\\', "/");
        let doc = std::fs::read_to_string(&file)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str::<Value>(&t).map_err(|e| e.to_string()));
        match doc.ok().and_then(|d| parse(&name, &d)) {
            Some(r) => recordings.push(r),
            None => skipped.push(name),
        }
    }
    Ok((recordings, skipped))
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// `https://host:443/a/b?x=1` → (`/a/b`, `x=1`).
fn split_url(url: &str) -> (String, String) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
    let (authority_path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = authority_path.find('/').map_or("/", |i| &authority_path[i..]);
    (path.to_owned(), query.to_owned())
}

/// Decoded query pairs (`+` is a space, as in form encoding), sorted.
fn query_pairs(query: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(&k.replace('+', " ")), percent_decode(&v.replace('+', " ")))
        })
        .collect();
    out.sort();
    out
}

/// Decoded path segments; empty segments from a doubled slash after the vault URL
/// (`//rng`, the C++ SDK's join) are dropped at the start.
fn path_segments(path: &str) -> Vec<String> {
    crate::examples::segments(path.trim_start_matches('/'))
}

/// A recorded request matched to an operation.
struct Matched<'a> {
    op: &'a OpMeta,
    /// Path parameters, decoded.
    params: Vec<(String, String)>,
    /// Whether the trailing parameter segment was absent (matched as empty).
    relaxed: bool,
    /// Literal segments matched: the most specific template wins.
    literals: usize,
}

/// The operation a recorded request is an instance of.
fn match_operation<'a>(api: &'a Api, method: &str, segments: &[String]) -> Option<Matched<'a>> {
    let mut best: Option<Matched<'a>> = None;
    for op in api.operations.iter().filter(|o| o.http_method.eq_ignore_ascii_case(method)) {
        let template: Vec<&str> = op.path.trim_start_matches('/').split('/').collect();
        let relaxed = segments.len() + 1 == template.len() && template.last().is_some_and(|t| t.starts_with('{'));
        if segments.len() != template.len() && !relaxed {
            continue;
        }
        let mut params = Vec::new();
        let mut literals = 0;
        let mut ok = true;
        for (i, t) in template.iter().enumerate() {
            let value = segments.get(i).cloned().unwrap_or_default();
            match t.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => params.push((name.to_owned(), value)),
                None if t.eq_ignore_ascii_case(&value) => literals += 1,
                None => {
                    ok = false;
                    break;
                }
            }
        }
        let better = best.as_ref().is_none_or(|b| (literals, !relaxed) > (b.literals, !b.relaxed));
        if ok && better {
            best = Some(Matched { op, params, relaxed, literals });
        }
    }
    best
}

fn is_probe(exchanges: &[Exchange], i: usize) -> bool {
    let e = &exchanges[i];
    e.status == 401
        && e.response_headers.iter().any(|(k, _)| k == "www-authenticate")
        && !e.request_headers.contains_key("authorization")
        && exchanges.get(i + 1).is_some_and(|n| n.method == e.method && n.url == e.url && n.status != 401)
}

fn template(e: &Exchange) -> ResponseTemplate {
    let mut t = ResponseTemplate::new(e.status);
    let mut content_type = None;
    for (k, v) in &e.response_headers {
        match k.as_str() {
            "content-length" | "transfer-encoding" | "connection" | "content-encoding" => {}
            "content-type" => content_type = Some(v.clone()),
            _ => t = t.insert_header(k.as_str(), v.as_str()),
        }
    }
    let body = e.response_body.clone().into_bytes();
    match content_type {
        Some(ct) => t.set_body_raw(body, ct.as_str()),
        None => t.set_body_bytes(body),
    }
}

/// What happened to one exchange.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// No operation of the client has this method and path.
    Unmatched(String),
    /// Matched, and every check passed (with notes on how it was replayed).
    Passed(Vec<String>),
    /// Matched, and some check failed.
    Failed(Vec<String>),
}

/// One exchange's outcome.
#[derive(Clone, Debug)]
pub struct ExchangeResult {
    /// Position in the recording.
    pub index: usize,
    /// `POST /keys/x/create → 200`.
    pub label: String,
    /// The operation it matched.
    pub operation: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// Differences accepted by [`KNOWN`].
    pub known: Vec<String>,
}

/// One recording's outcome.
#[derive(Clone, Debug)]
pub struct RecordingResult {
    /// The recording's name.
    pub name: String,
    /// Its format.
    pub format: &'static str,
    /// Its exchanges' outcomes.
    pub exchanges: Vec<ExchangeResult>,
}

impl RecordingResult {
    /// Exchanges that matched an operation.
    pub fn matched(&self) -> usize {
        self.exchanges.iter().filter(|e| !matches!(e.verdict, Verdict::Unmatched(_))).count()
    }

    /// Matched exchanges that passed.
    pub fn passed(&self) -> usize {
        self.exchanges.iter().filter(|e| matches!(e.verdict, Verdict::Passed(_))).count()
    }

    /// Matched exchanges that failed.
    pub fn failed(&self) -> usize {
        self.exchanges.iter().filter(|e| matches!(e.verdict, Verdict::Failed(_))).count()
    }
}

/// The outcome of a whole folder.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// One entry per recording.
    pub recordings: Vec<RecordingResult>,
    /// JSON files that are not recordings.
    pub skipped: Vec<String>,
    /// Time taken.
    pub seconds: f64,
}

impl Report {
    /// Whether every matched exchange passed.
    pub fn ok(&self) -> bool {
        self.recordings.iter().all(|r| r.failed() == 0)
    }

    /// (exchanges, matched, passed, failed) over all recordings.
    pub fn totals(&self) -> (usize, usize, usize, usize) {
        self.recordings
            .iter()
            .fold((0, 0, 0, 0), |t, r| (t.0 + r.exchanges.len(), t.1 + r.matched(), t.2 + r.passed(), t.3 + r.failed()))
    }

    /// The table: one row per recording, then the failures and unmatched exchanges, then
    /// how exchanges were replayed (notes), counted.
    pub fn render(&self) -> String {
        let width = self.recordings.iter().map(|r| r.name.len()).max().unwrap_or(9).max(9);
        let mut s = format!(
            "{:<width$}  {:>9}  {:>7}  {:>6}  {:>6}  reason\n",
            "recording", "exchanges", "matched", "passed", "failed"
        );
        for r in &self.recordings {
            let reason = r
                .exchanges
                .iter()
                .find_map(|e| match &e.verdict {
                    Verdict::Failed(p) => {
                        Some(format!("#{} {}: {}", e.index, e.label, p.first().cloned().unwrap_or_default()))
                    }
                    _ => None,
                })
                .or_else(|| {
                    r.exchanges.iter().find_map(|e| match &e.verdict {
                        Verdict::Unmatched(why) => Some(format!("unmatched #{} {}: {why}", e.index, e.label)),
                        _ => None,
                    })
                })
                .unwrap_or_default();
            s.push_str(&format!(
                "{:<width$}  {:>9}  {:>7}  {:>6}  {:>6}  {reason}\n",
                r.name,
                r.exchanges.len(),
                r.matched(),
                r.passed(),
                r.failed()
            ));
        }
        let (n, m, p, f) = self.totals();
        s.push_str(&format!("{:<width$}  {n:>9}  {m:>7}  {p:>6}  {f:>6}\n", "total"));
        let mut details = String::new();
        let mut notes: BTreeMap<String, usize> = BTreeMap::new();
        for r in &self.recordings {
            for e in &r.exchanges {
                match &e.verdict {
                    Verdict::Failed(problems) => {
                        details.push_str(&format!(
                            "FAIL {} #{} {} ({})\n",
                            r.name,
                            e.index,
                            e.label,
                            e.operation.as_deref().unwrap_or("?")
                        ));
                        for p in problems {
                            details.push_str(&format!("       {p}\n"));
                        }
                    }
                    Verdict::Unmatched(why) => {
                        details.push_str(&format!("unmatched {} #{} {}: {why}\n", r.name, e.index, e.label))
                    }
                    Verdict::Passed(ns) => {
                        for n in ns {
                            *notes.entry(n.clone()).or_default() += 1;
                        }
                    }
                }
                for k in &e.known {
                    *notes.entry(format!("known: {k}")).or_default() += 1;
                }
            }
        }
        if !details.is_empty() {
            s.push('\n');
            s.push_str(&details);
        }
        if !notes.is_empty() {
            s.push_str("\nhow exchanges were replayed:\n");
            for (n, count) in notes {
                s.push_str(&format!("  {count:>4} × {n}\n"));
            }
        }
        for k in &self.skipped {
            s.push_str(&format!("not a recording: {k}\n"));
        }
        s.push_str(&format!(
            "replay: {p} of {m} matched exchanges passed, {f} failed, {} unmatched ({n} exchanges in {} recordings, {:.2} s)\n",
            n - m,
            self.recordings.len(),
            self.seconds
        ));
        s
    }
}

/// The request body of each operation's first example in `spec`, by operationId: what is
/// sent when a recording did not keep the body.
pub fn example_bodies(api: &Api, spec: &Path) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for ex in crate::examples::example_refs(spec).unwrap_or_default() {
        let Some(name) = api.operation(&ex.operation_id).and_then(|o| o.body.clone()) else { continue };
        let body = std::fs::read_to_string(&ex.file)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .and_then(|d| d.pointer(&format!("/parameters/{name}")).cloned());
        if let Some(body) = body {
            out.entry(ex.operation_id).or_insert(body);
        }
    }
    out
}

/// Replays every recording under `dir`; a blocking wrapper around [`replay_dir`].
pub fn replay_dir_blocking(api: &Api, dir: &Path, bodies: &BTreeMap<String, Value>) -> Result<Report, String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(replay_dir(api, dir, bodies))
}

/// Replays every recording under `dir`.
pub async fn replay_dir(api: &Api, dir: &Path, bodies: &BTreeMap<String, Value>) -> Result<Report, String> {
    let started = Instant::now();
    let (recordings, skipped) = load_dir(dir)?;
    let server = MockServer::start().await;
    let mut report = Report { skipped, ..Default::default() };
    for r in &recordings {
        report.recordings.push(replay(api, &server, r, bodies).await?);
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Replays one recording with one client.
pub async fn replay(
    api: &Api,
    server: &MockServer,
    recording: &Recording,
    bodies: &BTreeMap<String, Value>,
) -> Result<RecordingResult, String> {
    let exchanges = &recording.exchanges;
    let first_url = exchanges.first().map(|e| e.url.as_str()).unwrap_or_default();
    let api_version =
        query_pairs(&split_url(first_url).1).into_iter().find(|(k, _)| k == "api-version").map(|(_, v)| v);
    let starts_with_probe = !exchanges.is_empty() && is_probe(exchanges, 0);
    let config = Config {
        api_version,
        // Without a probe in the recording, the client must not send one either.
        scope: (!starts_with_probe).then(|| "https://vault.azure.net/.default".to_owned()),
        verify_challenge_resource: false,
    };
    let client = (api.connect)(&server.uri(), &config)?;
    let mut results = Vec::new();
    let mut i = 0;
    let mut probed = false;
    while i < exchanges.len() {
        let e = &exchanges[i];
        let (path, query) = split_url(&e.url);
        let label = format!("{} {}{} → {}", e.method, path, if query.is_empty() { "" } else { "?…" }, e.status);
        let probe = if starts_with_probe && !probed && is_probe(exchanges, i) { Some(e) } else { None };
        let main_index = if probe.is_some() { i + 1 } else { i };
        let main = &exchanges[main_index];
        let segments = path_segments(&path);
        let Some(Matched { op, params: path_params, relaxed, .. }) = match_operation(api, &main.method, &segments)
        else {
            results.push(ExchangeResult {
                index: i,
                label,
                operation: None,
                verdict: Verdict::Unmatched(format!("no operation is {} {path}", e.method)),
                known: Vec::new(),
            });
            i += 1;
            continue;
        };
        let recorded_query = query_pairs(&query);
        let declared = |k: &str| k == "api-version" || op.params.iter().any(|p| p.location == "query" && p.name == k);
        let next_link = op.next_link.is_some() && recorded_query.iter().any(|(k, _)| !declared(k));

        let mut notes = Vec::new();
        let mut problems = Vec::new();
        let mut params = Map::new();
        for (name, value) in &path_params {
            params.insert(name.clone(), Value::String(value.clone()));
        }
        for (k, v) in &recorded_query {
            if declared(k) && k != "api-version" {
                params.insert(k.clone(), Value::String(v.clone()));
            }
        }
        let mut body = None;
        let mut expected = Expected {
            method: main.method.clone(),
            segments: segments.clone(),
            query: recorded_query.clone(),
            body_free: op.body.is_none() || next_link,
            ..Default::default()
        };
        if relaxed {
            expected.segments.push(String::new());
            notes.push(format!(
                "{} {} recorded without its last segment: the client sends that segment empty",
                op.http_method, op.path
            ));
        }
        if path.starts_with("//") {
            notes.push("recorded path starts with `//` (the recorder's URL join): compared without it".into());
        }
        if let (Some(name), false) = (&op.body, next_link) {
            match &main.request_body {
                Some(b) if !b.is_null() => {
                    body = Some(b.clone());
                    expected.body = Some(b.clone());
                }
                Some(_) => problems.push(format!("the recording has no body `{name}` for this request")),
                None => {
                    match bodies.get(&op.operation_id) {
                        Some(b) => {
                            body = Some(b.clone());
                            notes.push("request body not recorded: sent the spec example's body, checked method, path and query".into());
                        }
                        None => problems.push("request body not recorded, and the spec has no example body".into()),
                    }
                }
            }
        }

        server.reset().await;
        if let Some(probe) = probe {
            Mock::given(header_exists("authorization"))
                .respond_with(template(main))
                .with_priority(1)
                .mount(server)
                .await;
            Mock::given(any()).respond_with(template(probe)).with_priority(2).mount(server).await;
            probed = true;
        } else {
            Mock::given(any()).respond_with(template(main)).mount(server).await;
        }
        let outcome = if problems.is_empty() {
            Some(if next_link {
                notes.push("next link followed through call_next_link".into());
                let link = format!("{}{}?{}", server.uri(), path, query);
                client.call_next_link(&op.operation_id, &link).await
            } else {
                client.call(&op.operation_id, &params, body).await
            })
        } else {
            None
        };
        let requests = server.received_requests().await.unwrap_or_default();
        let mut probe_problems = Vec::new();
        let requests: &[wiremock::Request] = match (probe.is_some(), requests.as_slice()) {
            (true, [first, rest @ ..]) => {
                if first.headers.contains_key("authorization") {
                    probe_problems.push("the first request carried a token: no probe".to_owned());
                }
                if !first.body.is_empty() {
                    probe_problems.push(format!("the probe carried a body of {} bytes", first.body.len()));
                }
                rest
            }
            (_, all) => all,
        };
        if let Some(outcome) = &outcome {
            match requests {
                [request] => problems.extend(check_request(request, &expected)),
                [] => problems.push(match outcome {
                    Err(f) => format!("no request sent: {} ({})", f.display, f.kind),
                    Ok(_) => "no request sent".into(),
                }),
                more => problems.push(format!("{} requests sent instead of one", more.len())),
            }
            let served = serde_json::from_str::<Value>(&main.response_body).ok();
            if served.is_none() && !main.response_body.is_empty() && main.status < 400 {
                problems.push("the recorded success body is not JSON".into());
            }
            problems.extend(check_outcome(outcome, main.status, served.as_ref()));
        }
        let (problems, known) = triage(KNOWN, &op.operation_id, problems);
        if probe.is_some() {
            let label_probe = label.clone();
            let verdict =
                if probe_problems.is_empty() && outcome.as_ref().is_some_and(|o| o.is_ok() || main.status >= 400) {
                    Verdict::Passed(vec!["challenge probe answered: token sent on the retry".into()])
                } else {
                    let mut p = probe_problems;
                    if p.is_empty() {
                        p.push("the call did not get past the challenge".into());
                    }
                    Verdict::Failed(p)
                };
            results.push(ExchangeResult {
                index: i,
                label: label_probe,
                operation: Some(op.operation_id.clone()),
                verdict,
                known: Vec::new(),
            });
        }
        let (main_path, main_query) = split_url(&main.url);
        let main_label =
            format!("{} {}{} → {}", main.method, main_path, if main_query.is_empty() { "" } else { "?…" }, main.status);
        let verdict = if problems.is_empty() { Verdict::Passed(notes) } else { Verdict::Failed(problems) };
        results.push(ExchangeResult {
            index: main_index,
            label: main_label,
            operation: Some(op.operation_id.clone()),
            verdict,
            known,
        });
        i = main_index + 1;
    }
    Ok(RecordingResult { name: recording.name.clone(), format: recording.format, exchanges: results })
}
