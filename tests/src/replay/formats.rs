//! Reading recordings: every format the Azure SDKs record Key Vault traffic in, into one
//! [`Recording`] of [`Exchange`]s.
//!
//! - `Entries`: the test-proxy format of every current SDK (.NET, Java, JS, Python, Go,
//!   C++). Bodies are JSON values, text, or `null`; header values are strings or arrays of
//!   strings; `StatusCode` is a number.
//! - `networkCallRecords`: the legacy format, in two spellings. C++ writes `Url` and a
//!   `Response` holding `STATUS_CODE`, `BODY` and the response headers; Java writes `Uri`,
//!   `StatusCode` and `Body` (status and body as strings), and an entry whose call failed on
//!   the client side carries an `Exception` and no `Response`. Neither records request bodies.
//! - `interactions`: the vcrpy YAML cassettes of Python's older tests, with
//!   `request: {method, uri, headers, body}` and
//!   `response: {status: {code}, headers, body: {string}}`.
//!
//! Every value is checked here, before wiremock sees it: a status outside 100..=599, a header
//! name or value HTTP cannot carry, a missing or mistyped field, or a file in none of these
//! formats is a [`RecordingError`] naming the file, the entry and the field.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};
use wiremock::http::{HeaderName, HeaderValue, Url};

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
    /// Response status, 100..=599 (0 when the call raised instead, see `exception`).
    pub status: u16,
    /// Response headers, names lower case, values valid for HTTP.
    pub response_headers: Vec<(String, String)>,
    /// Response body as sent.
    pub response_body: String,
    /// The error the recorder's client raised instead of getting a response (Java's
    /// `Exception`): such an exchange has nothing to replay.
    pub exception: Option<String>,
}

impl Exchange {
    /// The host of the URL, lower case (empty if it has none).
    pub fn host(&self) -> String {
        Url::parse(&self.url).ok().and_then(|u| u.host_str().map(str::to_ascii_lowercase)).unwrap_or_default()
    }
}

/// The format a recording was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The test-proxy `Entries`.
    TestProxy,
    /// `networkCallRecords` as the C++ SDK writes them.
    LegacyCpp,
    /// `networkCallRecords` as the Java SDK writes them.
    LegacyJava,
    /// A vcrpy cassette's `interactions`.
    Vcr,
}

impl Format {
    /// A short name for tables.
    pub fn name(self) -> &'static str {
        match self {
            Format::TestProxy => "test-proxy",
            Format::LegacyCpp => "legacy-cpp",
            Format::LegacyJava => "legacy-java",
            Format::Vcr => "vcr-yaml",
        }
    }
}

/// A recording file.
#[derive(Clone, Debug)]
pub struct Recording {
    /// Path relative to the folder replayed.
    pub name: String,
    /// Its format.
    pub format: Format,
    /// Its exchanges, in order.
    pub exchanges: Vec<Exchange>,
}

/// Why a file could not be read as a recording: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordingError {
    /// The file, relative to the folder replayed.
    pub file: String,
    /// The index of the entry at fault, when one is.
    pub entry: Option<usize>,
    /// The field at fault (`Response.StatusCode`), when one is.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RecordingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(i) = self.entry {
            write!(f, ": entry #{i}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for RecordingError {}

/// A problem inside one entry, before the file name is known to it.
struct Fault {
    field: Option<String>,
    message: String,
}

fn fault(field: impl Into<String>, message: impl Into<String>) -> Fault {
    Fault { field: Some(field.into()), message: message.into() }
}

type Checked<T> = Result<T, Fault>;

/// Whether the file name is one this module reads (`.json`, `.yaml`, `.yml`).
pub fn is_recording_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".json") || lower.ends_with(".yaml") || lower.ends_with(".yml")
}

/// Parses a recording from the text of file `name` (YAML when the name ends in `.yaml` or
/// `.yml`, JSON otherwise).
pub fn parse_text(name: &str, text: &str) -> Result<Recording, RecordingError> {
    let whole = |message: String| RecordingError { file: name.into(), entry: None, field: None, message };
    let lower = name.to_ascii_lowercase();
    let doc = if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        let yaml: serde_norway::Value =
            serde_norway::from_str(&local_binary_tags(text)).map_err(|e| whole(format!("not YAML: {e}")))?;
        yaml_to_json(yaml).map_err(|m| whole(format!("unreadable YAML: {m}")))?
    } else {
        serde_json::from_str(text).map_err(|e| whole(format!("not JSON ({}): {e}", json_error_kind(&e))))?
    };
    parse(name, &doc)
}

fn json_error_kind(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Eof => "truncated",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data | serde_json::error::Category::Io => "unreadable",
    }
}

/// Parses one recording from its document.
pub fn parse(name: &str, doc: &Value) -> Result<Recording, RecordingError> {
    let error = |entry: Option<usize>, f: Fault| RecordingError {
        file: name.into(),
        entry,
        field: f.field,
        message: f.message,
    };
    let Some(top) = doc.as_object() else {
        return Err(error(None, Fault { field: None, message: format!("expected an object, found {}", kind(doc)) }));
    };
    let (key, format): (&str, Option<Format>) = if top.contains_key("Entries") {
        ("Entries", Some(Format::TestProxy))
    } else if top.contains_key("networkCallRecords") {
        ("networkCallRecords", None)
    } else if top.contains_key("interactions") {
        ("interactions", Some(Format::Vcr))
    } else {
        return Err(error(
            None,
            Fault {
                field: None,
                message: "unknown format: no `Entries` (test-proxy), `networkCallRecords` (legacy) or \
                          `interactions` (vcrpy) at the top level"
                    .into(),
            },
        ));
    };
    let entries = top[key]
        .as_array()
        .ok_or_else(|| error(None, fault(key, format!("expected an array, found {}", kind(&top[key])))))?;
    let format = format.unwrap_or_else(|| legacy_spelling(entries));
    let mut exchanges = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let entry = entry.as_object().ok_or_else(|| {
            error(Some(i), Fault { field: None, message: format!("expected an object, found {}", kind(entry)) })
        })?;
        let exchange = match format {
            Format::TestProxy => test_proxy(entry),
            Format::LegacyCpp | Format::LegacyJava => legacy(entry),
            Format::Vcr => vcr(entry),
        };
        exchanges.push(exchange.map_err(|f| error(Some(i), f))?);
    }
    Ok(Recording { name: name.into(), format, exchanges })
}

/// Java writes `Uri` and `StatusCode`; C++ writes `Url` and `STATUS_CODE`.
fn legacy_spelling(entries: &[Value]) -> Format {
    let java = entries.iter().any(|e| {
        e.get("Uri").is_some()
            || e.get("Response").and_then(Value::as_object).is_some_and(|r| r.contains_key("StatusCode"))
    });
    if java { Format::LegacyJava } else { Format::LegacyCpp }
}

fn test_proxy(e: &Map<String, Value>) -> Checked<Exchange> {
    let body = |field: &str| match e.get(field) {
        None | Some(Value::Null) => Ok(Value::Null),
        Some(Value::String(s)) if s.is_empty() => Ok(Value::Null),
        // Text that is JSON was recorded as text by some SDKs: send it as the JSON it is.
        Some(Value::String(s)) => Ok(serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone()))),
        Some(v @ (Value::Object(_) | Value::Array(_))) => Ok(v.clone()),
        Some(other) => Err(fault(field, format!("expected a JSON body, text or null, found {}", kind(other)))),
    };
    let response_body = match body("ResponseBody")? {
        Value::Null => String::new(),
        Value::String(s) => s,
        json => json.to_string(),
    };
    Ok(Exchange {
        method: method(e, "RequestMethod")?,
        url: url(e, "RequestUri")?,
        request_headers: headers(e.get("RequestHeaders"), "RequestHeaders")?.into_iter().collect(),
        request_body: Some(body("RequestBody")?),
        status: status(required(e, "StatusCode", "")?, "StatusCode")?,
        response_headers: headers(e.get("ResponseHeaders"), "ResponseHeaders")?,
        response_body,
        exception: None,
    })
}

fn legacy(e: &Map<String, Value>) -> Checked<Exchange> {
    let url_field = if e.contains_key("Url") { "Url" } else { "Uri" };
    let method = method(e, "Method")?;
    let url = url(e, url_field)?;
    let request_headers = headers(e.get("Headers"), "Headers")?.into_iter().collect();
    let response = match e.get("Response") {
        Some(Value::Object(r)) => r,
        None | Some(Value::Null) => {
            // Java keeps a call that raised as an entry with its `Exception` and no response.
            return match e.get("Exception") {
                Some(x) if !x.is_null() => Ok(Exchange {
                    method,
                    url,
                    request_headers,
                    request_body: None,
                    status: 0,
                    response_headers: Vec::new(),
                    response_body: String::new(),
                    exception: Some(exception_text(x)),
                }),
                _ => Err(fault("Response", "missing (and no `Exception` in its place)")),
            };
        }
        Some(other) => return Err(fault("Response", format!("expected an object, found {}", kind(other)))),
    };
    let (status_key, body_key) =
        if response.contains_key("STATUS_CODE") { ("STATUS_CODE", "BODY") } else { ("StatusCode", "Body") };
    let status = status(
        response.get(status_key).ok_or_else(|| fault(format!("Response.{status_key}"), "missing"))?,
        &format!("Response.{status_key}"),
    )?;
    let response_body = match response.get(body_key) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(fault(format!("Response.{body_key}"), format!("expected text, found {}", kind(other))));
        }
    };
    let mut response_headers = Vec::new();
    for (k, v) in response {
        if matches!(k.as_str(), "STATUS_CODE" | "BODY" | "REASON_PHRASE" | "StatusCode" | "Body") {
            continue;
        }
        response_headers.push(header(k, v, "Response")?);
    }
    Ok(Exchange {
        method,
        url,
        request_headers,
        request_body: None,
        status,
        response_headers,
        response_body,
        exception: None,
    })
}

fn exception_text(x: &Value) -> String {
    match x {
        Value::String(s) => s.clone(),
        Value::Object(o) => ["ClassName", "Throwable", "message"]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| x.to_string()),
        other => other.to_string(),
    }
}

fn vcr(e: &Map<String, Value>) -> Checked<Exchange> {
    let object = |field: &str| match e.get(field) {
        Some(Value::Object(o)) => Ok(o),
        Some(other) => Err(fault(field, format!("expected a mapping, found {}", kind(other)))),
        None => Err(fault(field, "missing")),
    };
    let request = object("request")?;
    let response = object("response")?;
    let request_body = match request.get("body") {
        None | Some(Value::Null) => Value::Null,
        Some(Value::String(s)) if s.is_empty() => Value::Null,
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone())),
        Some(other) => return Err(fault("request.body", format!("expected text or null, found {}", kind(other)))),
    };
    let status = match response.get("status") {
        Some(Value::Object(s)) => {
            status(s.get("code").ok_or_else(|| fault("response.status.code", "missing"))?, "response.status.code")?
        }
        Some(other) => return Err(fault("response.status", format!("expected a mapping, found {}", kind(other)))),
        None => return Err(fault("response.status", "missing")),
    };
    let response_body = match response.get("body") {
        None | Some(Value::Null) => String::new(),
        Some(Value::Object(b)) => match b.get("string") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                return Err(fault("response.body.string", format!("expected text, found {}", kind(other))));
            }
        },
        Some(other) => return Err(fault("response.body", format!("expected a mapping, found {}", kind(other)))),
    };
    Ok(Exchange {
        method: method(request, "method").map_err(|f| prefix("request", f))?,
        url: url(request, "uri").map_err(|f| prefix("request", f))?,
        request_headers: headers(request.get("headers"), "request.headers")?.into_iter().collect(),
        request_body: Some(request_body),
        status,
        response_headers: headers(response.get("headers"), "response.headers")?,
        response_body,
        exception: None,
    })
}

fn prefix(parent: &str, f: Fault) -> Fault {
    Fault { field: f.field.map(|x| format!("{parent}.{x}")), message: f.message }
}

fn required<'a>(e: &'a Map<String, Value>, field: &str, parent: &str) -> Checked<&'a Value> {
    match e.get(field) {
        Some(v) if !v.is_null() => Ok(v),
        _ => Err(fault(if parent.is_empty() { field.to_owned() } else { format!("{parent}.{field}") }, "missing")),
    }
}

fn method(e: &Map<String, Value>, field: &str) -> Checked<String> {
    match required(e, field, "")? {
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphabetic()) => Ok(s.to_ascii_uppercase()),
        Value::String(s) => Err(fault(field, format!("`{s}` is not an HTTP method"))),
        other => Err(fault(field, format!("expected text, found {}", kind(other)))),
    }
}

fn url(e: &Map<String, Value>, field: &str) -> Checked<String> {
    match required(e, field, "")? {
        Value::String(s) => match Url::parse(s) {
            Ok(u) if u.has_host() => Ok(s.clone()),
            Ok(_) => Err(fault(field, format!("`{s}` has no host"))),
            Err(err) => Err(fault(field, format!("`{s}` is not an absolute URL ({err})"))),
        },
        other => Err(fault(field, format!("expected text, found {}", kind(other)))),
    }
}

/// A status as a number or as the text of one; wiremock (through `http`) would panic on
/// anything outside 100..=999, and nothing outside 100..=599 is an HTTP status.
fn status(v: &Value, field: &str) -> Checked<u16> {
    let n = match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        other => return Err(fault(field, format!("expected a status code, found {}", kind(other)))),
    };
    match n {
        Some(n @ 100..=599) => Ok(n as u16),
        _ => Err(fault(field, format!("{v} is not an HTTP status (100..=599)"))),
    }
}

/// Header maps: values are text, numbers, or arrays of them (joined with `, `, as HTTP
/// folds repeated headers).
fn headers(v: Option<&Value>, field: &str) -> Checked<Vec<(String, String)>> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => map.iter().map(|(k, v)| header(k, v, field)).collect(),
        Some(other) => Err(fault(field, format!("expected a map of headers, found {}", kind(other)))),
    }
}

fn header(name: &str, value: &Value, parent: &str) -> Checked<(String, String)> {
    let field = || format!("{parent}.{name}");
    let scalar = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(fault(field(), format!("expected a header value, found {}", kind(other)))),
    };
    let text = match value {
        Value::Array(items) => items.iter().map(scalar).collect::<Checked<Vec<_>>>()?.join(", "),
        other => scalar(other)?,
    };
    if HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(fault(field(), "not a valid header name"));
    }
    if HeaderValue::from_str(&text).is_err() {
        return Err(fault(field(), "not a valid header value (control characters?)"));
    }
    Ok((name.to_ascii_lowercase(), text))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// YAML to JSON: mapping keys must be scalars; `!!binary` text (vcrpy's bodies that are
/// not UTF-8 on the way in) is decoded to the text it holds.
fn yaml_to_json(v: serde_norway::Value) -> Result<Value, String> {
    use serde_norway::Value as Y;
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect::<Result<_, _>>()?),
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => return Err(format!("a mapping key is not text: {other:?}")),
                };
                out.insert(key, yaml_to_json(v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) if is_binary(&t.tag) => match t.value {
            Y::String(s) => {
                let bytes = decode_base64(&s).ok_or("a `!!binary` value is not base64")?;
                Value::String(String::from_utf8_lossy(&bytes).into_owned())
            }
            _ => return Err("a `!!binary` value is not text".into()),
        },
        Y::Tagged(t) => yaml_to_json(t.value)?,
    })
}

/// serde_norway resolves the standard `!!binary` tag away and hands back the base64 text,
/// indistinguishable from a body that is text: the tag, where it stands as a value's tag
/// (after `: ` or `- `), is made the local `!binary`, which it keeps.
fn local_binary_tags(text: &str) -> String {
    text.replace(": !!binary", ": !binary").replace("- !!binary", "- !binary")
}

fn is_binary(tag: &serde_norway::value::Tag) -> bool {
    *tag == "binary"
}

/// Standard base64 with padding and line breaks, as YAML writes `!!binary`.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(name: &str, text: &str) -> RecordingError {
        parse_text(name, text).expect_err("must not parse")
    }

    #[test]
    fn base64_of_yaml_binary_decodes() {
        assert_eq!(decode_base64("eyJ2YWx1\nZSI6MX0=").unwrap(), br#"{"value":1}"#);
        assert_eq!(decode_base64("QQ=="), Some(b"A".to_vec()));
        assert_eq!(decode_base64("Q*=="), None);
    }

    #[test]
    fn statuses_are_numbers_or_their_text_within_http_range() {
        assert_eq!(status(&Value::from(204), "s").ok(), Some(204));
        assert_eq!(status(&Value::from(" 404"), "s").ok(), Some(404));
        for bad in
            [Value::from(0), Value::from(99), Value::from(600), Value::from(70000), Value::from("OK"), Value::from(-1)]
        {
            assert!(status(&bad, "s").is_err(), "{bad}");
        }
        assert!(status(&serde_json::json!({"code": 200}), "s").is_err());
    }

    #[test]
    fn header_values_may_be_arrays_and_are_validated() {
        let h = headers(Some(&serde_json::json!({"Accept": ["a", "b"], "Content-Length": 0})), "H").ok().unwrap();
        assert_eq!(h, vec![("accept".into(), "a, b".into()), ("content-length".into(), "0".into())]);
        let bad = headers(Some(&serde_json::json!({"x bad": "v"})), "H").err().unwrap();
        assert_eq!(bad.field.as_deref(), Some("H.x bad"));
        let bad = headers(Some(&serde_json::json!({"x": "a\nb"})), "H").err().unwrap();
        assert!(bad.message.contains("header value"), "{}", bad.message);
        let bad = headers(Some(&serde_json::json!({"x": {"y": 1}})), "H").err().unwrap();
        assert!(bad.message.contains("found an object"), "{}", bad.message);
    }

    #[test]
    fn errors_name_file_entry_and_field() {
        let e = err(
            "a.json",
            r#"{"Entries": [{"RequestUri": "https://v.vault.azure.net/keys", "RequestMethod": "GET", "StatusCode": "abc"}]}"#,
        );
        assert_eq!((e.entry, e.field.as_deref()), (Some(0), Some("StatusCode")));
        assert_eq!(e.to_string(), "a.json: entry #0, field `StatusCode`: \"abc\" is not an HTTP status (100..=599)");
        let e = err("t.json", r#"{"Entries": [{"RequestUri": "#);
        assert!(e.to_string().starts_with("t.json: not JSON (truncated)"), "{e}");
        let e = err("u.json", r#"{"something": []}"#);
        assert!(e.message.starts_with("unknown format"), "{e}");
        let e = err("c.yaml", "interactions:\n- request: {method: GET}\n  response: {status: {code: 200}}\n");
        assert_eq!((e.entry, e.field.as_deref()), (Some(0), Some("request.uri")));
    }

    #[test]
    fn legacy_spelling_is_told_by_its_keys() {
        let java = r#"{"networkCallRecords": [{"Method": "GET", "Uri": "https://v.vault.azure.net/keys/k/",
            "Headers": {}, "Response": {"StatusCode": "200", "Body": "{}", "Content-Type": "application/json"}, "Exception": null}]}"#;
        let r = parse_text("j.json", java).unwrap();
        assert_eq!(r.format, Format::LegacyJava);
        assert_eq!((r.exchanges[0].status, r.exchanges[0].response_body.as_str()), (200, "{}"));
        assert_eq!(r.exchanges[0].response_headers, vec![("content-type".into(), "application/json".into())]);
        let cpp = r#"{"networkCallRecords": [{"Method": "GET", "Url": "https://v.vault.azure.net/keys/k",
            "Headers": {}, "Response": {"STATUS_CODE": "404", "BODY": "", "REASON_PHRASE": "Not Found"}}]}"#;
        let r = parse_text("c.json", cpp).unwrap();
        assert_eq!((r.format, r.exchanges[0].status), (Format::LegacyCpp, 404));
        assert!(r.exchanges[0].response_headers.is_empty());
    }
}
