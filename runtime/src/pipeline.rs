//! The request pipeline behind every call: request preparation, the Key Vault
//! challenge-based authentication, retries, time limits and error capture.
//! Runs inside progenitor's `exec` hook via [`CallContext::execute`].

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, USER_AGENT, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, Method, StatusCode, Version};
use reqwest::Url;
use tracing::Instrument as _;

use super::challenge;
use super::client_core::CoreInner;
use super::context::{CallContext, Captured};
use super::error::{Error, ErrorKind};
use super::retry::{is_retryable_status, is_retryable_transport};
use super::retry_after;

/// How a call ended, before it is handed back to progenitor.
enum Received {
    /// A success (< 400), body not yet read: progenitor streams it.
    Streaming(reqwest::Response),
    /// An error response, body already read (to parse it, keep it, retry).
    Buffered(Captured),
}

/// Everything needed to rebuild the request for each attempt.
struct Template {
    method: Method,
    url: Url,
    version: Version,
    headers: HeaderMap,
    body: Option<Bytes>,
}

impl CallContext {
    /// Sends `request` through the pipeline and returns a response for
    /// progenitor to parse. Never fails with a `reqwest::Error`: failures of
    /// the pipeline itself are recorded in this context (and a synthetic
    /// `500` is returned) so that [`CallContext::finish`] reports them.
    pub async fn execute(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::info_span!(
            "keyvault_request",
            operation = operation_id,
            method = %request.method(),
            client_request_id = %self.client_request_id,
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        let run = self.run(http, request);
        let outcome = async {
            match self.core.inner.overall_timeout {
                Some(limit) => tokio::time::timeout(limit, run).await.unwrap_or_else(|_| {
                    Err(Error::new(
                        ErrorKind::Timeout,
                        format!("the call did not complete within the overall timeout of {limit:?}"),
                    ))
                }),
                None => run.await,
            }
        }
        .instrument(span.clone())
        .await;

        Ok(match outcome {
            Ok(Received::Streaming(response)) => {
                self.record_success(response.status(), response.headers().clone());
                response
            }
            Ok(Received::Buffered(captured)) => {
                let response = captured.to_response();
                self.record_failure(captured);
                response
            }
            Err(error) => {
                span.in_scope(|| tracing::debug!(kind = ?error.kind(), "call failed before a usable response"));
                self.record_error(error);
                let mut synthetic = http::Response::new(Bytes::new());
                *synthetic.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                reqwest::Response::from(synthetic)
            }
        })
    }

    /// Authentication around the retry loop: use the known scope's token, or
    /// probe without token and body to learn the scope from the challenge.
    async fn run(&self, http: &reqwest::Client, request: reqwest::Request) -> Result<Received, Error> {
        let core = &*self.core.inner;
        let template = self.template(request).await?;
        self.record_url(&template.url);
        let started = Instant::now();
        let mut attempts = 0u32;

        let known_scope = core.scope();
        if let Some(scope) = known_scope {
            let token = bearer(core, &template.url, &scope).await?;
            let received = self.send_with_retry(http, &template, Some(&token), true, started, &mut attempts).await?;
            let captured = match received {
                Received::Buffered(c) if is_challenge(&c) => c,
                other => return Ok(other),
            };
            let Some(challenge) = header(&captured.headers, WWW_AUTHENTICATE).and_then(challenge::parse) else {
                return Ok(Received::Buffered(captured));
            };
            // The token was rejected: forget it and follow the new challenge once.
            core.tokens.invalidate(&scope);
            return self.answer(http, &template, captured, challenge, started, &mut attempts).await;
        }

        let probe = self.send_with_retry(http, &template, None, false, started, &mut attempts).await?;
        let captured = match probe {
            Received::Buffered(c) if is_challenge(&c) => c,
            // Whatever answered (a stub, a proxy, a vault that does not challenge) answered a
            // request without the body and the token, so its answer is not the operation's
            // result: send the operation itself, with a token for the vault's usual scope.
            unchallenged => {
                drop(unchallenged);
                let scope = challenge::default_scope(template.url.host_str().unwrap_or_default());
                tracing::debug!(%scope, "no challenge to the unauthenticated probe; sending the request with a token");
                core.set_scope(&scope);
                let token = bearer(core, &template.url, &scope).await?;
                return self.send_with_retry(http, &template, Some(&token), true, started, &mut attempts).await;
            }
        };
        let Some(challenge) = header(&captured.headers, WWW_AUTHENTICATE).and_then(challenge::parse) else {
            let header = header(&captured.headers, WWW_AUTHENTICATE).unwrap_or_default().to_owned();
            return Err(Error::new(
                ErrorKind::Challenge,
                format!("the vault's challenge names no Bearer scope or resource: {header}"),
            )
            .with_response(captured.status, captured.headers, captured.body));
        };
        self.answer(http, &template, captured, challenge, started, &mut attempts).await
    }

    /// Verifies the challenge, caches its scope, and resends the original
    /// request (with its body) carrying a token for that scope.
    async fn answer(
        &self,
        http: &reqwest::Client,
        template: &Template,
        challenge_response: Captured,
        challenge: challenge::Challenge,
        started: Instant,
        attempts: &mut u32,
    ) -> Result<Received, Error> {
        let core = &*self.core.inner;
        if core.verify_challenge_resource {
            let host = template.url.host_str().unwrap_or_default();
            if let Err(message) = challenge::verify_scope(&challenge.scope, host) {
                return Err(Error::new(ErrorKind::Challenge, message).with_response(
                    challenge_response.status,
                    challenge_response.headers,
                    challenge_response.body,
                ));
            }
        }
        tracing::debug!(scope = %challenge.scope, authority = ?challenge.authorization, "answering authentication challenge");
        core.set_scope(&challenge.scope);
        let token = bearer(core, &template.url, &challenge.scope).await?;
        self.send_with_retry(http, template, Some(&token), true, started, attempts).await
    }

    /// Copies the request into a replayable template and applies the
    /// per-call headers and the api-version.
    async fn template(&self, mut request: reqwest::Request) -> Result<Template, Error> {
        let core = &*self.core.inner;
        let body = match request.body_mut().take() {
            None => None,
            Some(body) => {
                if body.as_bytes().is_none() {
                    return Err(Error::new(
                        ErrorKind::InvalidRequest,
                        "streaming request bodies cannot be replayed for authentication or retries",
                    ));
                }
                // A buffered body is one frame of `Bytes`: collecting it hands that buffer
                // over without copying (a restore's blob is not duplicated).
                let collected = http_body_util::BodyExt::collect(body).await.map_err(|e| {
                    Error::new(ErrorKind::InvalidRequest, "could not read the request body").with_source(e)
                })?;
                Some(collected.to_bytes())
            }
        };
        let mut url = request.url().clone();
        // A nextLink already carries its own api-version; appending never
        // rewrites the existing query, so a $skiptoken stays byte-for-byte.
        // A URL without a query (every call but a nextLink) needs no parsing to know.
        if !self.verbatim_url && (url.query().is_none() || !url.query_pairs().any(|(name, _)| name == "api-version")) {
            url.query_pairs_mut().append_pair("api-version", &core.api_version);
        }
        // The request is consumed: its headers move into the template rather than being copied.
        let mut headers = std::mem::take(request.headers_mut());
        // progenitor adds `api-version` as a header on every request; Key Vault
        // takes it in the query only.
        headers.remove("api-version");
        headers.insert(USER_AGENT, core.user_agent.clone());
        let id = HeaderValue::from_str(&self.client_request_id)
            .map_err(|e| Error::new(ErrorKind::InvalidRequest, "bad client request id").with_source(e))?;
        headers.insert("x-ms-client-request-id", id);
        headers.insert("x-ms-return-client-request-id", HeaderValue::from_static("true"));
        Ok(Template { method: request.method().clone(), url, version: request.version(), headers, body })
    }

    /// The retry loop: one logical send, retried on transient failures with
    /// the same body and client request id, within the time budget.
    async fn send_with_retry(
        &self,
        http: &reqwest::Client,
        template: &Template,
        token: Option<&HeaderValue>,
        with_body: bool,
        started: Instant,
        attempts: &mut u32,
    ) -> Result<Received, Error> {
        let core = &*self.core.inner;
        let span = tracing::Span::current();
        let mut retry = 0u32;
        loop {
            *attempts += 1;
            span.record("attempts", *attempts);
            let request = build(template, token, with_body, core.attempt_timeout);
            let wait = match attempt(http, request).await {
                Ok(Received::Streaming(response)) => {
                    trace_response(&span, *attempts, response.status(), response.headers());
                    return Ok(Received::Streaming(response));
                }
                Ok(Received::Buffered(captured)) => {
                    trace_response(&span, *attempts, captured.status, &captured.headers);
                    if !is_retryable_status(captured.status) {
                        return Ok(Received::Buffered(captured));
                    }
                    let asked = retry_after::from_headers(&captured.headers, std::time::SystemTime::now());
                    match self.next_delay(retry, asked, started) {
                        Some(delay) => delay,
                        None => return Ok(Received::Buffered(captured)),
                    }
                }
                Err(error) => {
                    let retryable = is_retryable_transport(&error);
                    tracing::debug!(
                        attempt = *attempts,
                        timeout = error.is_timeout(),
                        retryable,
                        "attempt failed: {error}"
                    );
                    match self.next_delay(retry, None, started).filter(|_| retryable) {
                        Some(delay) => delay,
                        None => return Err(transport_error(error, *attempts)),
                    }
                }
            };
            tracing::info!(
                attempt = *attempts,
                delay_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                "retrying"
            );
            tokio::time::sleep(wait).await;
            retry += 1;
        }
    }

    /// The delay before the next retry, or `None` when retries or the time
    /// budget (retry limit, overall timeout) are used up.
    fn next_delay(&self, retry: u32, asked: Option<Duration>, started: Instant) -> Option<Duration> {
        let core = &*self.core.inner;
        let options = &core.retry;
        if retry >= options.max_retries {
            return None;
        }
        let delay = asked.unwrap_or_else(|| options.backoff(retry));
        let resume_at = started.elapsed().saturating_add(delay);
        let budget = match core.overall_timeout {
            Some(overall) => overall.min(options.max_elapsed),
            None => options.max_elapsed,
        };
        (resume_at <= budget).then_some(delay)
    }
}

/// One attempt. The whole body is read here, success or not, so that a connection cut or a
/// trickle past the attempt's timeout mid-body is a failure of this attempt (and can be
/// retried), and so that large bodies (backup blobs) land in one buffer of the announced
/// size instead of being gathered twice.
async fn attempt(http: &reqwest::Client, request: reqwest::Request) -> reqwest::Result<Received> {
    let mut response = http.execute(request).await?;
    let status = response.status();
    let version = response.version();
    let body = read_body(&mut response).await?;
    let headers = std::mem::take(response.headers_mut());
    if status.as_u16() < 400 {
        let mut rebuilt = http::Response::new(body);
        *rebuilt.status_mut() = status;
        *rebuilt.version_mut() = version;
        *rebuilt.headers_mut() = headers;
        return Ok(Received::Streaming(reqwest::Response::from(rebuilt)));
    }
    Ok(Received::Buffered(Captured { status, version, headers, body }))
}

/// The largest `Content-Length` trusted for sizing the buffer up front; a larger (or lying)
/// header still works, the buffer just grows as the bytes arrive.
const MAX_PREALLOCATION: u64 = 64 * 1024 * 1024;

/// Reads the body into one contiguous buffer: a single-chunk body is taken as is, a longer
/// one is copied once into a buffer sized from `Content-Length`.
async fn read_body(response: &mut reqwest::Response) -> reqwest::Result<Bytes> {
    let Some(first) = response.chunk().await? else { return Ok(Bytes::new()) };
    let Some(second) = response.chunk().await? else { return Ok(first) };
    let expected = response.content_length().unwrap_or(0).min(MAX_PREALLOCATION);
    let capacity = usize::try_from(expected).unwrap_or(0).max(first.len() + second.len());
    let mut buffer = bytes::BytesMut::with_capacity(capacity);
    buffer.extend_from_slice(&first);
    buffer.extend_from_slice(&second);
    drop((first, second));
    while let Some(chunk) = response.chunk().await? {
        buffer.extend_from_slice(&chunk);
    }
    Ok(buffer.freeze())
}

fn build(
    template: &Template,
    token: Option<&HeaderValue>,
    with_body: bool,
    timeout: Option<Duration>,
) -> reqwest::Request {
    let mut request = reqwest::Request::new(template.method.clone(), template.url.clone());
    *request.version_mut() = template.version;
    *request.headers_mut() = template.headers.clone();
    if let Some(token) = token {
        request.headers_mut().insert(AUTHORIZATION, token.clone());
    }
    let body = match &template.body {
        Some(body) if with_body => body.clone(),
        Some(_) => {
            // The probe must not carry the payload: it may be secret, and the
            // vault rejects the unauthenticated request anyway.
            request.headers_mut().remove(CONTENT_TYPE);
            Bytes::new()
        }
        None => Bytes::new(),
    };
    // hyper omits Content-Length for empty bodies, and Azure front ends may
    // answer a body-less POST/PUT without it with 411 Length Required.
    if !body.is_empty() || matches!(template.method, Method::POST | Method::PUT | Method::PATCH) {
        request.headers_mut().insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
        *request.body_mut() = Some(body.into());
    }
    *request.timeout_mut() = timeout;
    request
}

/// `Authorization: Bearer <token>` for `scope`, refusing to put a token on a
/// plain-http URL unless the client allows http.
async fn bearer(core: &CoreInner, url: &Url, scope: &str) -> Result<HeaderValue, Error> {
    if url.scheme() != "https" && !core.allow_http {
        return Err(Error::new(
            ErrorKind::Config,
            format!("refusing to send a token to the non-https URL {}", url.origin().ascii_serialization()),
        ));
    }
    let token = core.tokens.token(scope).await.map_err(|e| {
        Error::new(ErrorKind::Credential, format!("could not get a token for scope {scope}")).with_source(e)
    })?;
    core.bearer.value(token).map_err(|_| {
        Error::new(ErrorKind::Credential, "the credential returned a token that is not a valid header value")
    })
}

fn is_challenge(captured: &Captured) -> bool {
    captured.status == StatusCode::UNAUTHORIZED && captured.headers.contains_key(WWW_AUTHENTICATE)
}

fn header(headers: &HeaderMap, name: http::header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn transport_error(error: reqwest::Error, attempts: u32) -> Error {
    let (kind, what) = if error.is_timeout() {
        (ErrorKind::Timeout, "the attempt timed out")
    } else {
        (ErrorKind::Transport, "the request failed")
    };
    Error::new(kind, format!("{what} after {attempts} attempt(s)")).with_source(error)
}

fn trace_response(span: &tracing::Span, attempt: u32, status: StatusCode, headers: &HeaderMap) {
    let request_id = headers.get("x-ms-request-id").and_then(|v| v.to_str().ok());
    span.record("status", status.as_u16());
    if let Some(id) = request_id {
        span.record("request_id", id);
    }
    tracing::debug!(attempt, status = status.as_u16(), request_id, "response received");
}
