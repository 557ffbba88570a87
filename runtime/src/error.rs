//! The single error type every client call returns, whatever went wrong:
//! callers match on [`ErrorKind`] and read the service's code, status and
//! request id without knowing which layer failed.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::Deserialize;

use super::retry_after;

/// What class of failure an [`Error`] is.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The service answered with an HTTP error status (4xx/5xx); see
    /// [`Error::status`], [`Error::code`] and [`Error::service_error`].
    Service,
    /// The request could not be sent or the response could not be read
    /// (connection refused, reset, TLS failure), after any retries.
    Transport,
    /// The per-attempt or overall time limit ran out, or a long-running
    /// operation did not finish within its poller's timeout.
    Timeout,
    /// The [`TokenCredential`](super::TokenCredential) failed to produce a token.
    Credential,
    /// The vault's authentication challenge was missing, malformed, or named a
    /// resource that does not belong to the vault, so no token was sent.
    Challenge,
    /// A success response whose body does not match the expected model, or a
    /// status the operation does not define.
    InvalidResponse,
    /// The request could not be built (for example, an invalid parameter or a
    /// link that points away from the vault).
    InvalidRequest,
    /// The client configuration is unusable (bad vault URL, `http` without
    /// `allow_http`, invalid user-agent application id).
    Config,
    /// A long-running operation ended with status `Failed`; [`Error::code`],
    /// [`Error::message`] and [`Error::service_error`] carry the error the
    /// service put in the operation's status document.
    OperationFailed,
    /// A long-running operation was cancelled (by the service or another
    /// caller) before it finished.
    OperationCanceled,
}

impl ErrorKind {
    fn label(self) -> &'static str {
        match self {
            Self::Service => "service error",
            Self::Transport => "transport error",
            Self::Timeout => "timed out",
            Self::Credential => "credential error",
            Self::Challenge => "authentication challenge refused",
            Self::InvalidResponse => "invalid response",
            Self::InvalidRequest => "invalid request",
            Self::Config => "invalid client configuration",
            Self::OperationFailed => "long-running operation failed",
            Self::OperationCanceled => "long-running operation cancelled",
        }
    }
}

/// An Azure error document's `error` object (`{"error": {"code", "message",
/// "innererror": {…}}}`), with its nested inner errors.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ServiceError {
    /// Machine-readable code, e.g. `KeyNotFound` or `Conflict`.
    #[serde(default)]
    pub code: Option<String>,
    /// Human-readable explanation from the service.
    #[serde(default)]
    pub message: Option<String>,
    /// More specific cause, e.g. `ObjectIsDeletedButRecoverable` under `Conflict`.
    #[serde(default, rename = "innererror")]
    pub inner_error: Option<Box<ServiceError>>,
}

impl ServiceError {
    /// Parses an Azure error body; `None` if it is not one (HTML, empty, other JSON).
    pub fn from_body(body: &[u8]) -> Option<Self> {
        #[derive(Deserialize)]
        struct Envelope {
            error: Option<ServiceError>,
        }
        let error = serde_json::from_slice::<Envelope>(body).ok()?.error?;
        (error.code.is_some() || error.message.is_some()).then_some(error)
    }

    /// The code, if the service sent one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The message, if the service sent one.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The next inner error, if any.
    pub fn inner_error(&self) -> Option<&ServiceError> {
        self.inner_error.as_deref()
    }

    /// Codes of the inner errors, outermost first (not including this one's).
    pub fn inner_codes(&self) -> impl Iterator<Item = &str> {
        std::iter::successors(self.inner_error(), |e| e.inner_error()).filter_map(Self::code)
    }
}

/// Everything that can go wrong in a client call.
///
/// `Display` reads like `KeyNotFound (404): A key with (name/id) k was not
/// found in this key vault. [request id 8f…]`. Neither `Display` nor `Debug`
/// ever contains a token, and bodies of success responses (which may hold key
/// material) are never printed.
pub struct Error(Box<Inner>);

struct Inner {
    kind: ErrorKind,
    message: Cow<'static, str>,
    status: Option<StatusCode>,
    headers: HeaderMap,
    body: Option<Bytes>,
    service: Option<ServiceError>,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

/// How much of a non-JSON error body `Display`/`Debug` show.
const BODY_SNIPPET_CHARS: usize = 200;

impl Error {
    /// An error of `kind` with `message` and nothing else: for generated code (an argument
    /// the dispatcher cannot use) and for applications that mock a client.
    pub fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Self(Box::new(Inner {
            kind,
            message: message.into(),
            status: None,
            headers: HeaderMap::new(),
            body: None,
            service: None,
            source: None,
        }))
    }

    /// An error for an HTTP error response, keeping everything the service sent.
    pub(crate) fn from_response(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        Self::new(ErrorKind::Service, "").with_response(status, headers, body)
    }

    /// Attaches the underlying cause, reported by [`std::error::Error::source`].
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.0.source = Some(Box::new(source));
        self
    }

    /// Attaches the response that caused (or accompanied) this error.
    pub(crate) fn with_response(mut self, status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        self.0.service = ServiceError::from_body(&body);
        self.0.status = Some(status);
        self.0.headers = headers;
        self.0.body = Some(body);
        self
    }

    /// Attaches status and headers when the body is unavailable or not to be kept.
    pub(crate) fn with_status(mut self, status: StatusCode, headers: HeaderMap) -> Self {
        self.0.status = Some(status);
        self.0.headers = headers;
        self
    }

    pub(crate) fn with_body(mut self, body: Bytes) -> Self {
        self.0.body = Some(body);
        self
    }

    /// The class of failure.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The HTTP status of the response involved, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        self.0.status
    }

    /// The service's error code (`KeyNotFound`, `Forbidden`, …), from the body,
    /// else from the `x-ms-error-code` header.
    pub fn code(&self) -> Option<&str> {
        self.0.service.as_ref().and_then(ServiceError::code).or_else(|| self.header("x-ms-error-code"))
    }

    /// The service's error message for service errors; for failures of the
    /// client itself (challenge refused, timeout, …) its own description.
    pub fn message(&self) -> Option<&str> {
        let own = (!self.0.message.is_empty()).then_some(&*self.0.message);
        let service = self.0.service.as_ref().and_then(ServiceError::message);
        match self.0.kind {
            // The service's words say why; ours only say that it happened.
            ErrorKind::Service | ErrorKind::OperationFailed | ErrorKind::OperationCanceled => service.or(own),
            _ => own.or(service),
        }
    }

    /// The parsed Azure error document, when the body was one.
    pub fn service_error(&self) -> Option<&ServiceError> {
        self.0.service.as_ref()
    }

    /// Codes of the service's inner errors, outermost first.
    pub fn inner_codes(&self) -> impl Iterator<Item = &str> {
        self.0.service.iter().flat_map(ServiceError::inner_codes)
    }

    /// The response body, when it was not a parseable Azure error document
    /// (a gateway's HTML page, Managed HSM's empty 401, or a success body that
    /// did not match the model).
    pub fn raw_body(&self) -> Option<&[u8]> {
        match self.0.service {
            Some(_) => None,
            None => self.0.body.as_deref(),
        }
    }

    /// The full response body, whether or not it parsed.
    pub fn body(&self) -> Option<&[u8]> {
        self.0.body.as_deref()
    }

    /// The response headers (empty if there was no response).
    pub fn headers(&self) -> &HeaderMap {
        &self.0.headers
    }

    /// The service's `x-ms-request-id`, what Azure support asks for.
    pub fn request_id(&self) -> Option<&str> {
        self.header("x-ms-request-id")
    }

    /// The `x-ms-client-request-id` echoed by the service.
    pub fn client_request_id(&self) -> Option<&str> {
        self.header("x-ms-client-request-id")
    }

    /// The `WWW-Authenticate` challenge of a 401, if any.
    pub fn www_authenticate(&self) -> Option<&str> {
        self.header("www-authenticate")
    }

    /// How long the service asked to wait before trying again
    /// (`retry-after-ms`, `x-ms-retry-after-ms` or `Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        retry_after::from_headers(&self.0.headers, std::time::SystemTime::now())
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.0.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Whether the body may be shown: error bodies are diagnostics, success
    /// bodies may carry secrets or key material.
    fn body_is_printable(&self) -> bool {
        self.0.status.is_some_and(|s| !s.is_success())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.0;
        match (inner.kind, self.code(), inner.status) {
            (ErrorKind::Service, Some(code), Some(status)) => write!(f, "{code} ({})", status.as_u16())?,
            (ErrorKind::Service, None, Some(status)) => write!(f, "HTTP {status}")?,
            // The status is that of the (successful) status request, which says nothing.
            (kind @ (ErrorKind::OperationFailed | ErrorKind::OperationCanceled), code, _) => {
                f.write_str(kind.label())?;
                if let Some(code) = code {
                    write!(f, " ({code})")?;
                }
            }
            (kind, _, status) => {
                f.write_str(kind.label())?;
                if let Some(status) = status {
                    write!(f, " ({status})")?;
                }
            }
        }
        if let Some(message) = self.message() {
            write!(f, ": {message}")?;
        } else if let Some(body) = self.raw_body().filter(|_| self.body_is_printable()) {
            if body.is_empty() {
                f.write_str(" (empty body)")?;
            } else {
                write!(f, ": {}", Snippet(body))?;
            }
        }
        let mut inner_codes = self.inner_codes().peekable();
        if inner_codes.peek().is_some() {
            f.write_str(" (inner error: ")?;
            for (i, code) in inner_codes.enumerate() {
                if i > 0 {
                    f.write_str(" > ")?;
                }
                f.write_str(code)?;
            }
            f.write_str(")")?;
        }
        if let Some(id) = self.request_id() {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.0;
        let mut s = f.debug_struct("Error");
        s.field("kind", &inner.kind);
        if let Some(status) = inner.status {
            s.field("status", &status.as_u16());
        }
        if let Some(code) = self.code() {
            s.field("code", &code);
        }
        if let Some(message) = self.message() {
            s.field("message", &message);
        }
        if let Some(service) = &inner.service
            && service.inner_error.is_some()
        {
            s.field("inner_codes", &self.inner_codes().collect::<Vec<_>>());
        }
        if let Some(id) = self.request_id() {
            s.field("request_id", &id);
        }
        if let Some(body) = self.raw_body() {
            if self.body_is_printable() {
                s.field("raw_body", &format_args!("{:?}", Snippet(body).to_string()));
            } else {
                s.field("raw_body", &format_args!("<{} bytes>", body.len()));
            }
        }
        // A model mismatch's serde message can quote response values, which
        // may be secrets; it stays reachable through `source()` only.
        if let Some(source) = inner.source.as_ref().filter(|_| inner.kind != ErrorKind::InvalidResponse) {
            s.field("source", &format_args!("{source}"));
        }
        s.finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0.source.as_deref().map(|e| e as &(dyn StdError + 'static))
    }
}

/// A body shortened to [`BODY_SNIPPET_CHARS`] with control characters
/// escaped, so an HTML error page cannot flood or garble a log line.
struct Snippet<'a>(&'a [u8]);

impl fmt::Display for Snippet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = String::from_utf8_lossy(self.0);
        let mut chars = text.chars();
        for c in chars.by_ref().take(BODY_SNIPPET_CHARS) {
            if c.is_control() {
                f.write_str(" ")?;
            } else {
                write!(f, "{c}")?;
            }
        }
        if chars.next().is_some() {
            f.write_str("…")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn service_error_display() {
        let body =
            br#"{"error":{"code":"KeyNotFound","message":"A key with (name/id) k was not found in this key vault."}}"#;
        let err = Error::from_response(
            StatusCode::NOT_FOUND,
            headers(&[("x-ms-request-id", "8f57d662-2b7b")]),
            Bytes::from_static(body),
        );
        assert_eq!(err.kind(), ErrorKind::Service);
        assert_eq!(err.code(), Some("KeyNotFound"));
        assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
        assert_eq!(err.raw_body(), None);
        assert_eq!(
            err.to_string(),
            "KeyNotFound (404): A key with (name/id) k was not found in this key vault. [request id 8f57d662-2b7b]"
        );
    }

    #[test]
    fn inner_error_chain() {
        let body = br#"{"error":{"code":"Conflict","message":"deleted","innererror":{"code":"ObjectIsDeletedButRecoverable","innererror":{"code":"Deeper"}}}}"#;
        let err = Error::from_response(StatusCode::CONFLICT, HeaderMap::new(), Bytes::from_static(body));
        assert_eq!(err.inner_codes().collect::<Vec<_>>(), ["ObjectIsDeletedButRecoverable", "Deeper"]);
        assert_eq!(
            err.service_error().and_then(ServiceError::inner_error).and_then(ServiceError::code),
            Some("ObjectIsDeletedButRecoverable")
        );
        assert_eq!(err.to_string(), "Conflict (409): deleted (inner error: ObjectIsDeletedButRecoverable > Deeper)");
    }

    #[test]
    fn raw_bodies_are_kept_and_truncated() {
        let html = format!("<html>\n{}</html>", "x".repeat(500));
        let err = Error::from_response(StatusCode::BAD_GATEWAY, HeaderMap::new(), Bytes::from(html.clone()));
        assert_eq!(err.raw_body(), Some(html.as_bytes()));
        assert_eq!(err.code(), None);
        let shown = err.to_string();
        assert!(shown.starts_with("HTTP 502 Bad Gateway: <html> xxx"), "{shown}");
        assert!(shown.ends_with('…') && shown.len() < 300, "{shown}");

        let empty = Error::from_response(
            StatusCode::UNAUTHORIZED,
            headers(&[("www-authenticate", "Bearer resource=\"https://managedhsm.azure.net\"")]),
            Bytes::new(),
        );
        assert_eq!(empty.raw_body(), Some(&b""[..]));
        assert_eq!(empty.to_string(), "HTTP 401 Unauthorized (empty body)");
        assert_eq!(empty.www_authenticate(), Some("Bearer resource=\"https://managedhsm.azure.net\""));
    }

    #[test]
    fn code_falls_back_to_header() {
        let err = Error::from_response(
            StatusCode::TOO_MANY_REQUESTS,
            headers(&[("x-ms-error-code", "Throttled"), ("retry-after", "7")]),
            Bytes::new(),
        );
        assert_eq!(err.code(), Some("Throttled"));
        assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    }

    #[test]
    fn success_bodies_are_never_printed() {
        let err = Error::new(ErrorKind::InvalidResponse, "the body does not match the model")
            .with_status(StatusCode::OK, HeaderMap::new())
            .with_body(Bytes::from_static(b"{\"value\":\"c2VjcmV0\"}"));
        assert_eq!(err.raw_body().map(<[u8]>::len), Some(20));
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("c2VjcmV0"), "{shown}");
        assert!(shown.contains("<20 bytes>"), "{shown}");
        assert_eq!(err.to_string(), "invalid response (200 OK): the body does not match the model");
    }

    #[test]
    fn operation_failures_read_the_status_document() {
        let body = br#"{"status":"Failed","error":{"code":"BackupFailed","message":"the container is gone"}}"#;
        let err = Error::new(ErrorKind::OperationFailed, "the operation ended with status Failed").with_response(
            StatusCode::OK,
            HeaderMap::new(),
            Bytes::from_static(body),
        );
        assert_eq!(err.code(), Some("BackupFailed"));
        assert_eq!(err.message(), Some("the container is gone"));
        assert_eq!(err.to_string(), "long-running operation failed (BackupFailed): the container is gone");
        let bare = Error::new(ErrorKind::OperationCanceled, "the operation ended with status Canceled");
        assert_eq!(bare.to_string(), "long-running operation cancelled: the operation ended with status Canceled");
    }

    #[test]
    fn own_errors() {
        let err = Error::new(ErrorKind::Config, "vault URL must use https");
        assert_eq!(err.to_string(), "invalid client configuration: vault URL must use https");
        assert_eq!(err.status(), None);
        assert_eq!(err.message(), Some("vault URL must use https"));
    }

    #[test]
    fn not_an_error_document() {
        assert_eq!(ServiceError::from_body(b"{\"error\":null}"), None);
        assert_eq!(ServiceError::from_body(b"{\"value\":1}"), None);
        assert_eq!(ServiceError::from_body(b""), None);
        assert_eq!(ServiceError::from_body(b"{\"error\":{}}"), None);
    }

    #[test]
    fn is_send_sync_static() {
        fn check<T: Send + Sync + 'static + StdError>() {}
        check::<Error>();
    }
}
