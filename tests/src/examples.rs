//! Tests derived from a spec's `x-ms-examples`, for any client generated with the `dynamic`
//! feature.
//!
//! Nothing here is written per operation. For each example file an operation refers to,
//! every response the example lists is served from a wiremock stub, the operation is called
//! through the client's typed methods (via [`DynClient`], which wraps the crate's
//! `call_operation`), and then:
//!
//! - the request must match the example: HTTP method, path template with the example's
//!   parameters substituted (compared segment by segment after percent-decoding, so a value
//!   that needed encoding must have been encoded), query (the example's query parameters plus
//!   its `api-version`), and the JSON body equal, as JSON, to the example's body parameter;
//! - a success must re-serialize, from the typed model, to the example's response body;
//!   an error status must come back as an error with that status and the body's `code`.
//!
//! JSON is compared by [`compare`], after one normalization only: `null`, `{}` and `[]` count
//! as absent, because the models skip `None` and empty collections when serializing. Every
//! other difference is a problem, named by its JSON pointer (`dropped: /attributes/foo` for a
//! field the model lost, `added:` for one it invented, `changed:` for a different value), and
//! fails the example unless the caller lists it in [`Known`] with a reason.
//!
//! [`dynamic_api!`](crate::dynamic_api) adapts one generated crate to this module.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::Instant;

pub use serde_json::{Map, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// One parameter of an operation, as the generated `dynamic::OPERATIONS` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamMeta {
    /// Wire name (`key-name`).
    pub name: String,
    /// `path`, `query`, `header` or `cookie`.
    pub location: String,
    /// Whether the spec requires it.
    pub required: bool,
}

/// One operation of a generated client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpMeta {
    /// The spec's operationId.
    pub operation_id: String,
    /// The client method.
    pub method_name: String,
    /// HTTP method, upper case.
    pub http_method: String,
    /// Path template (`/keys/{key-name}`).
    pub path: String,
    /// Parameters other than the body.
    pub params: Vec<ParamMeta>,
    /// Wire name of the body parameter.
    pub body: Option<String>,
    /// `nextLink` property of a list operation.
    pub next_link: Option<String>,
}

/// How a harness wants its client.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The api-version to send (the client's default when `None`).
    pub api_version: Option<String>,
    /// A token scope known in advance, so no unauthenticated probe is sent.
    pub scope: Option<String>,
    /// Whether the challenge's resource must match the vault host (loopback never does).
    pub verify_challenge_resource: bool,
}

/// A success, re-serialized from the typed model.
#[derive(Clone, Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The typed value as JSON (`null` for no body).
    pub body: Value,
}

/// A failed call, as the client's `Error` describes it.
#[derive(Clone, Debug)]
pub struct Failure {
    /// HTTP status, for service errors.
    pub status: Option<u16>,
    /// The service's error code.
    pub code: Option<String>,
    /// The error kind (`Service`, `InvalidRequest`, ...).
    pub kind: String,
    /// The error's message.
    pub display: String,
}

/// The future of a dynamic call.
pub type CallFuture<'a> = Pin<Box<dyn Future<Output = Result<Reply, Failure>> + Send + 'a>>;

/// A generated client, called by operation id.
pub trait DynClient: Send + Sync {
    /// `call_operation` of the generated client.
    fn call<'a>(&'a self, operation_id: &'a str, params: &'a Map<String, Value>, body: Option<Value>)
    -> CallFuture<'a>;
    /// `call_next_link` of the generated client.
    fn call_next_link<'a>(&'a self, operation_id: &'a str, link: &'a str) -> CallFuture<'a>;
}

/// Builds a client for a vault URL: a static token, plain http allowed, no retries.
pub type Connect = fn(&str, &Config) -> Result<Box<dyn DynClient>, String>;

/// A generated crate's dynamic surface: its operations and a way to build a client.
pub struct Api {
    /// The client type's name (`KeyClient`), for reports.
    pub name: &'static str,
    /// The operations, from `dynamic::OPERATIONS`.
    pub operations: Vec<OpMeta>,
    /// A client for the vault URL, with a static token, plain http allowed and no retries.
    pub connect: Connect,
}

impl Api {
    /// The operation with this id or method name.
    pub fn operation(&self, id: &str) -> Option<&OpMeta> {
        self.operations.iter().find(|o| o.operation_id == id || o.method_name == id)
    }
}

/// The bearer token every dynamic client sends.
pub const TOKEN: &str = "dynamic-test-token";

/// Adapts a generated crate with the `dynamic` feature to [`Api`]:
/// `dynamic_api!(keyvault_keys, KeyClient)`.
#[macro_export]
macro_rules! dynamic_api {
    ($krate:ident, $client:ident) => {{
        use $crate::examples::{CallFuture, Config, DynClient, Failure, Map, OpMeta, ParamMeta, Reply, Value};

        struct Adapter($krate::$client);

        fn reply(result: Result<$krate::Response<Value>, $krate::Error>) -> Result<Reply, Failure> {
            match result {
                Ok(response) => {
                    let (status, _, body) = response.into_parts();
                    Ok(Reply { status: status.as_u16(), body })
                }
                Err(e) => Err(Failure {
                    status: e.status().map(|s| s.as_u16()),
                    code: e.code().map(str::to_owned),
                    kind: format!("{:?}", e.kind()),
                    display: e.to_string(),
                }),
            }
        }

        impl DynClient for Adapter {
            fn call<'a>(
                &'a self,
                operation_id: &'a str,
                params: &'a Map<String, Value>,
                body: Option<Value>,
            ) -> CallFuture<'a> {
                Box::pin(async move { reply(self.0.call_operation(operation_id, params, body).await) })
            }

            fn call_next_link<'a>(&'a self, operation_id: &'a str, link: &'a str) -> CallFuture<'a> {
                Box::pin(async move { reply(self.0.call_next_link(operation_id, link).await) })
            }
        }

        fn connect(url: &str, config: &Config) -> Result<Box<dyn DynClient>, String> {
            let mut options = $krate::ClientOptions::default()
                .allow_http(true)
                .retry($krate::RetryOptions::none())
                .verify_challenge_resource(config.verify_challenge_resource);
            if let Some(v) = &config.api_version {
                options = options.api_version(v.clone());
            }
            if let Some(s) = &config.scope {
                options = options.scope(s.clone());
            }
            let credential = std::sync::Arc::new($krate::StaticToken::new($crate::examples::TOKEN));
            let client = $krate::$client::with_options(url, credential, options).map_err(|e| e.to_string())?;
            Ok(Box::new(Adapter(client)))
        }

        $crate::examples::Api {
            name: stringify!($client),
            operations: $krate::dynamic::OPERATIONS
                .iter()
                .map(|o| OpMeta {
                    operation_id: o.operation_id.to_owned(),
                    method_name: o.method_name.to_owned(),
                    http_method: o.http_method.to_owned(),
                    path: o.path.to_owned(),
                    params: o
                        .params
                        .iter()
                        .map(|p| ParamMeta {
                            name: p.name.to_owned(),
                            location: format!("{:?}", p.location).to_ascii_lowercase(),
                            required: p.required,
                        })
                        .collect(),
                    body: o.body.map(str::to_owned),
                    next_link: o.next_link.map(str::to_owned),
                })
                .collect(),
            connect,
        }
    }};
}

/// A difference the caller knows about and accepts, with the reason.
#[derive(Clone, Copy, Debug)]
pub struct Known {
    /// The operation (`*` for any).
    pub operation_id: &'static str,
    /// The start of the problem line (`dropped: /attributes/hsmPlatform`); a `*` stands for
    /// one JSON-pointer segment (`dropped: /value/*/subject`).
    pub problem: &'static str,
    /// Why it is accepted.
    pub reason: &'static str,
}

impl Known {
    fn covers(&self, operation_id: &str, problem: &str) -> bool {
        (self.operation_id == "*" || self.operation_id == operation_id) && starts_with_pattern(problem, self.problem)
    }
}

/// Whether `text` starts with `pattern`, where each `*` of the pattern matches one
/// JSON-pointer segment (a non-empty run without `/`).
fn starts_with_pattern(text: &str, pattern: &str) -> bool {
    let mut rest = text;
    for (i, piece) in pattern.split('*').enumerate() {
        if i > 0 {
            let segment = rest.find(['/', ' ']).unwrap_or(rest.len());
            if segment == 0 {
                return false;
            }
            rest = &rest[segment..];
        }
        match rest.strip_prefix(piece) {
            Some(after) => rest = after,
            None => return false,
        }
    }
    true
}

/// Splits `problems` into (unexpected, known).
pub fn triage(known: &[Known], operation_id: &str, problems: Vec<String>) -> (Vec<String>, Vec<String>) {
    problems.into_iter().partition(|p| !known.iter().any(|k| k.covers(operation_id, p)))
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 60 { format!("{}…", &s[..s.char_indices().nth(57).map_or(s.len(), |(i, _)| i)]) } else { s }
}

/// Differences between `expected` (what the example or the service sent) and `actual` (what
/// the client sent, or its typed value re-serialized), one line per JSON pointer.
pub fn compare(expected: &Value, actual: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff(expected, actual, "", &mut out);
    out
}

fn diff(expected: &Value, actual: &Value, at: &str, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let here = format!("{at}/{}", escape(k));
                match a.get(k) {
                    Some(av) => diff(ev, av, &here, out),
                    None if is_empty(ev) => {}
                    None => out.push(format!("dropped: {here} = {}", short(ev))),
                }
            }
            for (k, av) in a {
                if !e.contains_key(k) && !is_empty(av) {
                    out.push(format!("added: {at}/{} = {}", escape(k), short(av)));
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                diff(ev, av, &format!("{at}/{i}"), out);
            }
        }
        (Value::Number(e), Value::Number(a)) if e.as_f64() == a.as_f64() => {}
        (e, a) if e == a || (is_empty(e) && is_empty(a)) => {}
        (e, a) => out.push(format!(
            "changed: {} : expected {}, got {}",
            if at.is_empty() { "/" } else { at },
            short(e),
            short(a)
        )),
    }
}

/// Decodes `%XX` escapes (invalid escapes are kept as they are).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A parameter value as it appears in a URL.
pub fn url_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(url_value).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// The decoded segments of a URL path (no leading empty segment).
pub fn segments(path: &str) -> Vec<String> {
    path.trim_start_matches('/').split('/').map(percent_decode).collect()
}

/// What a request must look like.
#[derive(Clone, Debug, Default)]
pub struct Expected {
    /// HTTP method.
    pub method: String,
    /// Decoded path segments.
    pub segments: Vec<String>,
    /// Decoded query pairs, sorted.
    pub query: Vec<(String, String)>,
    /// JSON body, if one must be sent; `None` with `body_free` means no body at all.
    pub body: Option<Value>,
    /// Whether the request must have an empty body.
    pub body_free: bool,
}

/// Problems of `request` against `expected`.
pub fn check_request(request: &wiremock::Request, expected: &Expected) -> Vec<String> {
    let mut out = Vec::new();
    if request.method.as_str() != expected.method {
        out.push(format!("request: method {} instead of {}", request.method, expected.method));
    }
    let got = segments(request.url.path());
    if got != expected.segments {
        out.push(format!("request: path {} instead of /{}", request.url.path(), expected.segments.join("/")));
    }
    let mut query: Vec<(String, String)> =
        request.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    query.sort();
    if query != expected.query {
        let show = |q: &[(String, String)]| q.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        out.push(format!("request: query {} instead of {}", show(&query), show(&expected.query)));
    }
    match &expected.body {
        Some(body) => match serde_json::from_slice::<Value>(&request.body) {
            Ok(sent) => out.extend(compare(body, &sent).into_iter().map(|p| format!("request body {p}"))),
            Err(e) => out.push(format!("request: body is not JSON ({e})")),
        },
        None if expected.body_free && !request.body.is_empty() => {
            out.push(format!("request: unexpected body of {} bytes", request.body.len()))
        }
        None => {}
    }
    if !request.headers.get("authorization").and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("Bearer ")) {
        out.push("request: no bearer token".into());
    }
    out
}

/// Problems of a call's outcome against the status and body that were served.
pub fn check_outcome(outcome: &Result<Reply, Failure>, status: u16, body: Option<&Value>) -> Vec<String> {
    let mut out = Vec::new();
    match outcome {
        Ok(reply) if status < 400 => {
            if reply.status != status {
                out.push(format!("response: status {} instead of {status}", reply.status));
            }
            match body {
                Some(body) => out.extend(compare(body, &reply.body).into_iter().map(|p| format!("response {p}"))),
                None if !reply.body.is_null() => {
                    out.push(format!("response: {} from an empty body", short(&reply.body)))
                }
                None => {}
            }
        }
        Ok(reply) => out.push(format!("response: success {} where the service answered {status}", reply.status)),
        Err(f) if status < 400 => {
            out.push(format!("response: {} error where the service answered {status}: {}", f.kind, f.display))
        }
        Err(f) => {
            if f.status != Some(status) {
                out.push(format!("error: status {:?} instead of {status} ({})", f.status, f.display));
            }
            let code = body.and_then(|b| b.pointer("/error/code")).and_then(Value::as_str);
            if f.code.as_deref() != code {
                out.push(format!("error: code {:?} instead of {code:?}", f.code));
            }
        }
    }
    out
}

/// An `x-ms-examples` entry of a spec.
#[derive(Clone, Debug)]
pub struct ExampleRef {
    /// The operation it belongs to.
    pub operation_id: String,
    /// Its title.
    pub title: String,
    /// The example file.
    pub file: PathBuf,
}

/// Reads the `x-ms-examples` of every operation of `spec` (a Swagger 2.0 or OpenAPI 3.0 file).
pub fn example_refs(spec: &Path) -> Result<Vec<ExampleRef>, String> {
    let text = std::fs::read_to_string(spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", spec.display()))?;
    let dir = spec.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for section in ["paths", "x-ms-paths"] {
        let Some(paths) = doc.get(section).and_then(Value::as_object) else { continue };
        for item in paths.values().filter_map(Value::as_object) {
            for op in item.values().filter_map(Value::as_object) {
                let Some(id) = op.get("operationId").and_then(Value::as_str) else { continue };
                let Some(examples) = op.get("x-ms-examples").and_then(Value::as_object) else { continue };
                for (title, ex) in examples {
                    if let Some(r) = ex.get("$ref").and_then(Value::as_str) {
                        out.push(ExampleRef { operation_id: id.into(), title: title.clone(), file: dir.join(r) });
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The outcome of one example.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// The example.
    pub example: ExampleRef,
    /// Problems that fail it.
    pub problems: Vec<String>,
    /// Problems accepted by a [`Known`] entry.
    pub known: Vec<String>,
    /// What was not checked, and why (parameters the operation does not declare).
    pub notes: Vec<String>,
}

/// The outcome of every example of a spec.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Examples run.
    pub cases: Vec<CaseResult>,
    /// Examples referenced but absent on disk (reported, not failed).
    pub missing: Vec<ExampleRef>,
    /// Time taken.
    pub seconds: f64,
}

impl Report {
    /// Examples that passed.
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.problems.is_empty()).count()
    }

    /// Examples run.
    pub fn total(&self) -> usize {
        self.cases.len()
    }

    /// A human-readable account: one line per example, problems indented.
    pub fn render(&self) -> String {
        let mut s = String::new();
        for c in &self.cases {
            let verdict = if c.problems.is_empty() { "ok  " } else { "FAIL" };
            s.push_str(&format!(
                "{verdict} {} — {} ({})\n",
                c.example.operation_id,
                c.example.title,
                c.example.file.file_name().unwrap_or_default().to_string_lossy()
            ));
            for p in &c.problems {
                s.push_str(&format!("       {p}\n"));
            }
            for p in &c.known {
                s.push_str(&format!("       known: {p}\n"));
            }
            for n in &c.notes {
                s.push_str(&format!("       note: {n}\n"));
            }
        }
        for m in &self.missing {
            s.push_str(&format!("missing {} — {}: {}\n", m.operation_id, m.title, m.file.display()));
        }
        s.push_str(&format!(
            "examples: {} passed of {} ({} missing on disk) in {:.2} s\n",
            self.passed(),
            self.total(),
            self.missing.len(),
            self.seconds
        ));
        s
    }
}

/// Runs every example of `spec` against `api`; a blocking wrapper around [`run_examples`].
pub fn run_examples_blocking(api: &Api, spec: &Path, known: &[Known]) -> Result<Report, String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(run_examples(api, spec, known))
}

/// Runs every example of `spec` against `api`.
pub async fn run_examples(api: &Api, spec: &Path, known: &[Known]) -> Result<Report, String> {
    let started = Instant::now();
    let server = MockServer::start().await;
    let mut report = Report::default();
    for example in example_refs(spec)? {
        if !example.file.exists() {
            report.missing.push(example);
            continue;
        }
        let (problems, notes) = match run_example(api, &server, &example).await {
            Ok(outcome) => outcome,
            Err(e) => (vec![e], Vec::new()),
        };
        let (problems, accepted) = triage(known, &example.operation_id, problems);
        report.cases.push(CaseResult { example, problems, known: accepted, notes });
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Runs one example: every response it lists, each from a fresh stub. Returns the problems
/// and the notes.
async fn run_example(
    api: &Api,
    server: &MockServer,
    example: &ExampleRef,
) -> Result<(Vec<String>, Vec<String>), String> {
    let text = std::fs::read_to_string(&example.file).map_err(|e| format!("{}: {e}", example.file.display()))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", example.file.display()))?;
    let op = api
        .operation(&example.operation_id)
        .ok_or_else(|| format!("the client has no operation {}", example.operation_id))?;
    let params = doc.get("parameters").and_then(Value::as_object).cloned().unwrap_or_default();
    let responses = doc.get("responses").and_then(Value::as_object).cloned().unwrap_or_default();
    if responses.is_empty() {
        return Err("the example lists no response".into());
    }
    let body = op.body.as_ref().and_then(|name| params.get(name)).cloned();
    let api_version = params.get("api-version").and_then(Value::as_str).map(str::to_owned);

    let mut expected = Expected { method: op.http_method.clone(), body_free: op.body.is_none(), ..Default::default() };
    let mut problems = Vec::new();
    // The vault URL is the stub's, and api-version is a client setting; anything else the
    // operation does not declare cannot be sent, and is said so.
    let notes: Vec<String> = params
        .keys()
        .filter(|k| !matches!(k.as_str(), "vaultBaseUrl" | "api-version"))
        .filter(|k| op.body.as_deref() != Some(k.as_str()) && !op.params.iter().any(|p| &p.name == *k))
        .map(|k| format!("example parameter `{k}` is not a parameter of {}: not sent", op.operation_id))
        .collect();
    for segment in op.path.trim_start_matches('/').split('/') {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => match params.get(name) {
                Some(v) => expected.segments.push(url_value(v)),
                None => return Err(format!("the example has no value for path parameter `{name}`")),
            },
            None => expected.segments.push(segment.to_owned()),
        }
    }
    for p in op.params.iter().filter(|p| p.location == "query") {
        if let Some(v) = params.get(&p.name).filter(|v| !v.is_null()) {
            expected.query.push((p.name.clone(), url_value(v)));
        }
    }
    if let Some(v) = &api_version {
        expected.query.push(("api-version".into(), v.clone()));
    }
    expected.query.sort();
    expected.body = body.clone();
    if op.body.is_some() && body.is_none() {
        problems.push(format!("the example has no body parameter `{}`", op.body.as_deref().unwrap_or_default()));
    }

    let config = Config {
        api_version: api_version.clone(),
        scope: Some("https://vault.azure.net/.default".into()),
        verify_challenge_resource: false,
    };
    for (status, response) in &responses {
        let Ok(code) = status.parse::<u16>() else {
            // `default` and other non-numeric keys describe no concrete exchange.
            continue;
        };
        let served = response.get("body").cloned();
        server.reset().await;
        let mut template = ResponseTemplate::new(code);
        if let Some(b) = &served {
            template =
                template.set_body_raw(serde_json::to_vec(b).unwrap_or_default(), "application/json; charset=utf-8");
        }
        if let Some(headers) = response.get("headers").and_then(Value::as_object) {
            for (name, value) in headers {
                template = template.insert_header(name.as_str(), url_value(value).as_str());
            }
        }
        Mock::given(any()).respond_with(template).mount(server).await;
        let client = (api.connect)(&server.uri(), &config)?;
        let outcome = client.call(&op.operation_id, &params, body.clone()).await;
        let requests = server.received_requests().await.unwrap_or_default();
        let prefix = |p: String| if responses.len() > 1 { format!("[{status}] {p}") } else { p };
        match requests.as_slice() {
            [request] => problems.extend(check_request(request, &expected).into_iter().map(prefix)),
            [] => problems.push(prefix(match &outcome {
                Err(f) => format!("no request sent: {} ({})", f.display, f.kind),
                Ok(_) => "no request sent".into(),
            })),
            more => problems.push(prefix(format!("{} requests sent instead of one", more.len()))),
        }
        problems.extend(check_outcome(&outcome, code, served.as_ref()).into_iter().map(prefix));
    }
    Ok((problems, notes))
}

#[cfg(test)]
mod tests {
    use super::starts_with_pattern;

    #[test]
    fn a_star_matches_exactly_one_pointer_segment() {
        assert!(starts_with_pattern("dropped: /value/3/subject = \"\"", "dropped: /value/*/subject ="));
        assert!(starts_with_pattern("dropped: /value/12/subject = \"x\"", "dropped: /value/*/subject"));
        assert!(!starts_with_pattern("dropped: /value//subject = 1", "dropped: /value/*/subject"));
        assert!(!starts_with_pattern("dropped: /value/3/x/subject = 1", "dropped: /value/*/subject"));
        assert!(starts_with_pattern("dropped: /pending = {}", "dropped: /pending ="));
        assert!(!starts_with_pattern("dropped: /pendingX = {}", "dropped: /pending ="));
    }
}
