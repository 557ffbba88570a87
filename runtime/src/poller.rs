//! Long-running operations: a [`Poller`] follows an operation the service accepted (`202`)
//! until it succeeds, fails or is cancelled, then fetches its result.
//!
//! Two shapes are supported:
//!
//! - Azure's LRO pattern ([`Poller::from_response`]): the first response names an operation
//!   resource in `Azure-AsyncOperation` (or `Operation-Location`), whose body's `status` is
//!   polled, or a `Location` that answers `202` while the work runs and `200`/`201`/`204`
//!   when it is done. Where the result is read from follows the spec's `final-state-via`.
//! - Key Vault's pending operations ([`Poller::pending_operation`]): `create_certificate`'s
//!   `/certificates/{name}/pending`, whose `status` reads `inProgress`, `completed`, `failed`
//!   or `cancelled`, the result being read from another URL once completed.
//!
//! Every request goes through the client's pipeline (authentication, retries of throttled
//! polls, tracing). A poller is a plain value: nothing runs in the background, and dropping
//! it (or the future of [`Poller::wait`]) stops the polling.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, stream};
use http::header::{ACCEPT, LOCATION};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use reqwest::Url;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use super::client_core::ClientCore;
use super::context::CallContext;
use super::error::{Error, ErrorKind};
use super::response::Response;
use super::retry_after;

/// Operation id reported in traces for status requests.
const POLL_OPERATION: &str = "poll";
/// Operation id reported in traces for the request that reads the final result.
const FINAL_OPERATION: &str = "pollFinalState";

/// Where the final result of an Azure long-running operation is read from: the spec's
/// `x-ms-long-running-operation-options.final-state-via`.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FinalStateVia {
    /// The operation resource named by `Azure-AsyncOperation`: its last body is the result.
    AzureAsyncOperation,
    /// The operation resource named by `Operation-Location`: its last body is the result.
    OperationLocation,
    /// The URL in the first response's `Location` header.
    Location,
    /// The URL of the request that started the operation (the usual case of a `PUT`).
    OriginalUri,
}

impl FinalStateVia {
    /// Parses the spec's spelling (`azure-async-operation`, `location`, `original-uri`,
    /// `operation-location`).
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "azure-async-operation" => Some(Self::AzureAsyncOperation),
            "operation-location" => Some(Self::OperationLocation),
            "location" => Some(Self::Location),
            "original-uri" => Some(Self::OriginalUri),
            _ => None,
        }
    }
}

/// Where a long-running operation stands.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperationState {
    /// Still running (`InProgress`, `inProgress`, `Running`, a `202`, or any status the
    /// client does not know: only the three terminal ones end the polling).
    InProgress,
    /// Finished successfully (`Succeeded`, or Key Vault's `completed`).
    Succeeded,
    /// Finished with an error (`Failed`).
    Failed,
    /// Stopped before finishing (`Canceled`, or Key Vault's `cancelled`).
    Canceled,
}

impl OperationState {
    /// Reads a status document's `status` value; case does not matter.
    pub fn from_status(status: &str) -> Self {
        match status.to_ascii_lowercase().as_str() {
            "succeeded" | "completed" => Self::Succeeded,
            "failed" => Self::Failed,
            "canceled" | "cancelled" => Self::Canceled,
            _ => Self::InProgress,
        }
    }

    /// Whether the operation has ended (no more polling).
    pub fn is_terminal(self) -> bool {
        self != Self::InProgress
    }
}

/// How the operation's progress is read.
#[derive(Debug, Clone)]
enum Monitor {
    /// GET the URL; the body's `status` says where the operation is.
    Body { url: Url, verbatim: bool },
    /// GET the URL; `202` means running, another success means done (its body is the result).
    Status { url: Url },
    /// Nothing to poll: the first response was already final.
    Nothing,
}

/// Where the result comes from once the operation succeeded.
#[derive(Debug, Clone)]
enum Finish {
    /// The body of the last response read.
    LastBody,
    /// A GET of this URL.
    Get { url: Url, verbatim: bool },
}

/// The last response read, kept for the result and for errors.
#[derive(Clone)]
struct Last {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

/// Default wait between two status requests when the service sends no `Retry-After`.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(5);
/// Default bound on the whole operation, from the first response to the result.
pub const DEFAULT_POLL_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// A long-running operation in progress, returned by the generated `begin_*` methods.
///
/// - [`wait`](Self::wait) (or `.await` on the poller itself) polls until the operation ends
///   and returns its result `T`, or an error of kind [`ErrorKind::OperationFailed`] (with the
///   service's code and message), [`ErrorKind::OperationCanceled`] or [`ErrorKind::Timeout`].
/// - [`next_status`](Self::next_status) and [`updates`](Self::updates) show progress one
///   status request at a time; [`poll_once`](Self::poll_once) asks right away, without waiting.
///
/// Between two requests the poller waits what the last response's `Retry-After` (or
/// `retry-after-ms`) asked, else [`interval`](Self::interval) (default
/// [`DEFAULT_POLL_INTERVAL`]). The whole operation is bounded by
/// [`timeout`](Self::timeout) (default [`DEFAULT_POLL_TIMEOUT`]), counted from the first
/// response. Throttled or failing status requests are retried by the client's retry policy.
/// Dropping the poller cancels the polling (not the operation on the service side).
pub struct Poller<T> {
    core: ClientCore,
    monitor: Monitor,
    finish: Finish,
    state: OperationState,
    status_text: Option<String>,
    last: Last,
    interval: Duration,
    timeout: Option<Duration>,
    started: Instant,
    polls: u32,
    result: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for Poller<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Poller")
            .field("state", &self.state)
            .field("status", &self.status_text)
            .field("polls", &self.polls)
            .field("interval", &self.interval)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned> Poller<T> {
    /// A poller for Azure's LRO pattern, from the first response of the operation (sent
    /// through `ctx`). Status comes from `Azure-AsyncOperation` / `Operation-Location` (the
    /// body's `status`), else from `Location` (`202` = running); a first response with
    /// neither header and a status other than `202` is final. The operation URLs are
    /// followed verbatim and must be on the vault's origin.
    pub fn from_response<I: Serialize>(
        ctx: &CallContext,
        first: Response<I>,
        final_state_via: FinalStateVia,
    ) -> Result<Self, Error> {
        let core = ctx.core.clone();
        let (status, headers, value) = first.into_parts();
        let link = |name: &str, what: &str| -> Result<Option<Url>, Error> {
            match headers.get(name).map(HeaderValue::to_str) {
                None => Ok(None),
                Some(Ok(text)) => core.resolve_link(text.trim(), what).map(Some),
                Some(Err(_)) => {
                    Err(Error::new(ErrorKind::InvalidResponse, format!("the {what} header is not valid text")))
                }
            }
        };
        let operation =
            link("azure-asyncoperation", "Azure-AsyncOperation")?.or(link("operation-location", "Operation-Location")?);
        let location = link(LOCATION.as_str(), "Location")?;
        let monitor = match (&operation, &location) {
            (Some(url), _) => Monitor::Body { url: url.clone(), verbatim: true },
            (None, Some(url)) => Monitor::Status { url: url.clone() },
            (None, None) if status == StatusCode::ACCEPTED => {
                return Err(Error::new(
                    ErrorKind::InvalidResponse,
                    "the service accepted a long-running operation (202) without an Azure-AsyncOperation or Location header to follow",
                )
                .with_status(status, headers));
            }
            (None, None) => Monitor::Nothing,
        };
        let original = || {
            ctx.request_url().ok_or_else(|| {
                Error::new(ErrorKind::InvalidRequest, "the operation's request URL is unknown (it was never sent)")
            })
        };
        let finish = match final_state_via {
            FinalStateVia::OriginalUri => Finish::Get { url: original()?, verbatim: true },
            // The Location is what is polled: its final answer is the result.
            FinalStateVia::Location if matches!(monitor, Monitor::Status { .. }) => Finish::LastBody,
            FinalStateVia::Location => match location {
                Some(url) => Finish::Get { url, verbatim: true },
                None => Finish::LastBody,
            },
            FinalStateVia::AzureAsyncOperation | FinalStateVia::OperationLocation => Finish::LastBody,
        };
        let body = serialize(&value)?;
        let state =
            if matches!(monitor, Monitor::Nothing) { OperationState::Succeeded } else { OperationState::InProgress };
        Ok(Self::new(core, monitor, finish, state, None, Last { status, headers, body }))
    }

    /// A poller for a Key Vault pending operation (`create_certificate`): `status_url` is
    /// polled and its body's `status` read (`inProgress`, `completed`, `failed`,
    /// `cancelled`); once completed the result is read from `final_url`. Both are the
    /// client's own URLs and get its api-version. `first` is the operation as the service
    /// first described it (it may already be complete).
    pub fn pending_operation<I: Serialize>(
        core: &ClientCore,
        first: Response<I>,
        status_url: Url,
        final_url: Url,
    ) -> Result<Self, Error> {
        let (status, headers, value) = first.into_parts();
        let body = serialize(&value)?;
        let status_text = status_field(&body);
        let state = status_text.as_deref().map_or(OperationState::InProgress, OperationState::from_status);
        Ok(Self::new(
            core.clone(),
            Monitor::Body { url: status_url, verbatim: false },
            Finish::Get { url: final_url, verbatim: false },
            state,
            status_text,
            Last { status, headers, body },
        ))
    }

    fn new(
        core: ClientCore,
        monitor: Monitor,
        finish: Finish,
        state: OperationState,
        status_text: Option<String>,
        last: Last,
    ) -> Self {
        Self {
            core,
            monitor,
            finish,
            state,
            status_text,
            last,
            interval: DEFAULT_POLL_INTERVAL,
            timeout: Some(DEFAULT_POLL_TIMEOUT),
            started: Instant::now(),
            polls: 0,
            result: PhantomData,
        }
    }

    /// The wait between two status requests when the service asks for none
    /// (default [`DEFAULT_POLL_INTERVAL`]).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// The bound on the whole operation, counted from its first response (default
    /// [`DEFAULT_POLL_TIMEOUT`]; `None` waits as long as the service keeps answering).
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Where the operation stood at the last response read.
    pub fn state(&self) -> OperationState {
        self.state
    }

    /// The service's own `status` text at the last response (`inProgress`, `Succeeded`, ...),
    /// when the status comes from a document.
    pub fn status(&self) -> Option<&str> {
        self.status_text.as_deref()
    }

    /// How many status requests have been sent.
    pub fn polls(&self) -> u32 {
        self.polls
    }

    /// The last status document read (the first response until the first poll), for
    /// details such as a backup's `statusDetails` or a certificate's `csr`.
    pub fn last_body(&self) -> &[u8] {
        &self.last.body
    }

    /// The wait before the next status request: the last response's `Retry-After`, else
    /// the interval.
    pub fn next_delay(&self) -> Duration {
        retry_after::from_headers(&self.last.headers, std::time::SystemTime::now()).unwrap_or(self.interval)
    }

    fn deadline(&self) -> Option<Instant> {
        self.timeout.map(|t| self.started + t)
    }

    fn timed_out(&self) -> Error {
        let limit = self.timeout.unwrap_or_default();
        let status = self.status_text.as_deref().unwrap_or("in progress");
        Error::new(
            ErrorKind::Timeout,
            format!("the long-running operation did not finish within {limit:?} (last status: {status})"),
        )
    }

    /// Sends one status request now (no wait) and returns the operation's state. Once the
    /// operation has ended, returns that state without a request.
    pub async fn poll_once(&mut self) -> Result<OperationState, Error> {
        if self.state.is_terminal() {
            return Ok(self.state);
        }
        let (url, verbatim, by_body) = match &self.monitor {
            Monitor::Body { url, verbatim } => (url.clone(), *verbatim, true),
            Monitor::Status { url } => (url.clone(), true, false),
            Monitor::Nothing => return Ok(self.state),
        };
        let response = get(&self.core, url, verbatim, POLL_OPERATION).await?;
        self.polls += 1;
        let (status, headers, body) = response.into_parts();
        if by_body {
            let text = status_field(&body).ok_or_else(|| {
                Error::new(ErrorKind::InvalidResponse, "the operation's status document has no `status` string")
                    .with_status(status, headers.clone())
            })?;
            self.state = OperationState::from_status(&text);
            self.status_text = Some(text);
        } else {
            self.state =
                if status == StatusCode::ACCEPTED { OperationState::InProgress } else { OperationState::Succeeded };
            self.status_text = status_field(&body);
        }
        tracing::debug!(state = ?self.state, status = ?self.status_text, polls = self.polls, "long-running operation polled");
        self.last = Last { status, headers, body };
        Ok(self.state)
    }

    /// Waits [`next_delay`](Self::next_delay), then polls once; `None` once the operation
    /// has ended. Fails with [`ErrorKind::Timeout`] when the wait or the request would pass
    /// the poller's timeout.
    pub async fn next_status(&mut self) -> Option<Result<OperationState, Error>> {
        if self.state.is_terminal() {
            return None;
        }
        let deadline = self.deadline();
        let delay = self.next_delay();
        let step = async {
            tokio::time::sleep(delay).await;
            self.poll_once().await
        };
        let outcome = match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline, step).await.ok(),
            None => Some(step.await),
        };
        Some(outcome.unwrap_or_else(|| Err(self.timed_out())))
    }

    /// The state after each status request, until the operation ends or a request fails
    /// (the error is the stream's last item). [`wait`](Self::wait) afterwards returns the result.
    pub fn updates(&mut self) -> impl Stream<Item = Result<OperationState, Error>> + Send + '_ {
        stream::unfold(Some(self), |poller| async move {
            let poller = poller?;
            match poller.next_status().await? {
                Ok(state) => Some((Ok(state), Some(poller))),
                Err(error) => Some((Err(error), None)),
            }
        })
    }

    /// Polls until the operation ends, then returns its result: the final document, or the
    /// resource read from where `final-state-via` points.
    pub async fn wait(mut self) -> Result<Response<T>, Error> {
        while let Some(step) = self.next_status().await {
            step?;
        }
        match self.state {
            OperationState::Succeeded => {}
            OperationState::Failed => return Err(self.ended(ErrorKind::OperationFailed)),
            OperationState::Canceled | OperationState::InProgress => {
                return Err(self.ended(ErrorKind::OperationCanceled));
            }
        }
        let fetch = async {
            match &self.finish {
                Finish::LastBody => {
                    let Last { status, headers, body } = self.last.clone();
                    parse(status, headers, body)
                }
                Finish::Get { url, verbatim } => {
                    let (status, headers, body) =
                        get(&self.core, url.clone(), *verbatim, FINAL_OPERATION).await?.into_parts();
                    parse(status, headers, body)
                }
            }
        };
        let deadline = self.deadline();
        let outcome = match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline, fetch).await.ok(),
            None => Some(fetch.await),
        };
        outcome.unwrap_or_else(|| Err(self.timed_out()))
    }

    /// The error for an operation that ended without success, carrying the status document
    /// (whose `error` the service fills in).
    fn ended(&self, kind: ErrorKind) -> Error {
        let status = self.status_text.as_deref().unwrap_or("unknown");
        let Last { status: code, headers, body } = self.last.clone();
        Error::new(kind, format!("the long-running operation ended with status {status}"))
            .with_response(code, headers, body)
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for Poller<T> {
    type Output = Result<Response<T>, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    /// `poller.await` is `poller.wait().await`.
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.wait())
    }
}

/// The first response's value as JSON bytes, so a first response that is already final
/// can be read as the result type.
fn serialize<I: Serialize>(value: &I) -> Result<Bytes, Error> {
    serde_json::to_vec(value).map(Bytes::from).map_err(|e| {
        Error::new(ErrorKind::InvalidResponse, "the operation's first response could not be re-read").with_source(e)
    })
}

/// The `status` string of a JSON status document.
fn status_field(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Doc {
        status: Option<String>,
    }
    serde_json::from_slice::<Doc>(body).ok()?.status
}

/// The result model from a success body.
fn parse<T: DeserializeOwned>(status: StatusCode, headers: HeaderMap, body: Bytes) -> Result<Response<T>, Error> {
    match serde_json::from_slice::<T>(&body) {
        Ok(value) => Ok(Response::new(status, headers, value)),
        Err(e) => Err(Error::new(
            ErrorKind::InvalidResponse,
            format!(
                "the operation's result does not match the expected model (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
        .with_status(status, headers)
        .with_body(body)
        .with_source(e)),
    }
}

/// GETs `url` through the pipeline and keeps the body as bytes.
async fn get(core: &ClientCore, url: Url, verbatim: bool, operation: &'static str) -> Result<Response<Bytes>, Error> {
    let mut request = reqwest::Request::new(Method::GET, url);
    request.headers_mut().insert(ACCEPT, HeaderValue::from_static("application/json"));
    let ctx = if verbatim { core.call_verbatim() } else { core.call() };
    let result = match ctx.execute(core.http(), request, operation).await {
        Ok(response) if response.status().is_success() => {
            let (status, headers) = (response.status(), response.headers().clone());
            match response.bytes().await {
                Ok(body) => Ok(progenitor_client::ResponseValue::new(body, status, headers)),
                Err(e) => Err(progenitor_client::Error::<()>::ResponseBodyError(e)),
            }
        }
        Ok(response) => Err(progenitor_client::Error::UnexpectedResponse(response)),
        Err(error) => Err(progenitor_client::Error::CommunicationError(error)),
    };
    ctx.finish(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_from_both_dialects() {
        for (text, state) in [
            ("Succeeded", OperationState::Succeeded),
            ("completed", OperationState::Succeeded),
            ("Failed", OperationState::Failed),
            ("failed", OperationState::Failed),
            ("Canceled", OperationState::Canceled),
            ("cancelled", OperationState::Canceled),
            ("inProgress", OperationState::InProgress),
            ("Running", OperationState::InProgress),
            ("SomethingNew", OperationState::InProgress),
        ] {
            assert_eq!(OperationState::from_status(text), state, "{text}");
        }
    }

    #[test]
    fn final_state_via_spellings() {
        assert_eq!(FinalStateVia::parse("azure-async-operation"), Some(FinalStateVia::AzureAsyncOperation));
        assert_eq!(FinalStateVia::parse("location"), Some(FinalStateVia::Location));
        assert_eq!(FinalStateVia::parse("original-uri"), Some(FinalStateVia::OriginalUri));
        assert_eq!(FinalStateVia::parse("operation-location"), Some(FinalStateVia::OperationLocation));
        assert_eq!(FinalStateVia::parse("Location"), None);
    }

    #[test]
    fn status_documents() {
        assert_eq!(status_field(br#"{"status":"inProgress","csr":"x"}"#).as_deref(), Some("inProgress"));
        assert_eq!(status_field(br#"{"id":"x"}"#), None);
        assert_eq!(status_field(b""), None);
    }
}
