//! [`CallContext`]: one per operation call. progenitor hands it to the `exec`
//! hook; the hook runs the pipeline and records here what progenitor would
//! lose (the error response's status, headers and raw body, or a failure of
//! our own), so [`CallContext::finish`] can build one complete [`Error`].

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use http::{HeaderMap, StatusCode, Version};

use super::client_core::ClientCore;
use super::error::{Error, ErrorKind};
use super::random;
use super::response::Response;

/// Per-call state shared between the generated method's hook and its facade.
#[derive(Clone)]
pub struct CallContext {
    pub(crate) core: ClientCore,
    pub(crate) client_request_id: Arc<str>,
    /// Send the URL exactly as given: no `api-version` is added (links a service handed out,
    /// such as an `Azure-AsyncOperation` URL, are followed verbatim).
    pub(crate) verbatim_url: bool,
    slot: Arc<Mutex<Slot>>,
}

/// What the pipeline learned about the call's outcome.
#[derive(Default)]
struct Slot {
    /// A failure of our own (credential, challenge, transport, timeout);
    /// preferred over whatever progenitor made of the synthetic response.
    error: Option<Error>,
    /// The final error response (status >= 400), body fully read.
    failure: Option<Captured>,
    /// Status and headers of the final success response, for errors about
    /// its body.
    success: Option<(StatusCode, HeaderMap)>,
    /// The URL the request went to (api-version included), which a long-running
    /// operation's `original-uri` final state is read from.
    url: Option<reqwest::Url>,
}

/// A fully read response.
#[derive(Clone)]
pub(crate) struct Captured {
    pub(crate) status: StatusCode,
    pub(crate) version: Version,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Captured {
    /// An equivalent `reqwest::Response` for progenitor to parse.
    pub(crate) fn to_response(&self) -> reqwest::Response {
        let mut response = http::Response::new(self.body.clone());
        *response.status_mut() = self.status;
        *response.version_mut() = self.version;
        *response.headers_mut() = self.headers.clone();
        reqwest::Response::from(response)
    }
}

impl CallContext {
    pub(crate) fn new(core: ClientCore) -> Self {
        Self { core, client_request_id: random::uuid_v4().into(), verbatim_url: false, slot: Arc::default() }
    }

    /// The URL the call's request was sent to, once it has been sent.
    pub fn request_url(&self) -> Option<reqwest::Url> {
        self.slot().url.clone()
    }

    pub(crate) fn record_url(&self, url: &reqwest::Url) {
        self.slot().url = Some(url.clone());
    }

    /// The `x-ms-client-request-id` this call sends on every attempt.
    pub fn client_request_id(&self) -> &str {
        &self.client_request_id
    }

    fn slot(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn record_error(&self, error: Error) {
        self.slot().error = Some(error);
    }

    pub(crate) fn record_failure(&self, failure: Captured) {
        self.slot().failure = Some(failure);
    }

    pub(crate) fn record_success(&self, status: StatusCode, headers: HeaderMap) {
        self.slot().success = Some((status, headers));
    }

    /// Turns the generated method's result into the client's result, using
    /// what the pipeline recorded to give errors their full context.
    pub fn finish<T, E>(
        &self,
        result: Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>,
    ) -> Result<Response<T>, Error> {
        let mut slot = self.slot();
        if let Some(error) = slot.error.take() {
            return Err(error);
        }
        match result {
            Ok(value) => {
                // The pipeline kept the headers it handed progenitor; reuse them instead of
                // copying progenitor's copy.
                let (status, headers) = match slot.success.take() {
                    Some(recorded) => recorded,
                    None => (value.status(), value.headers().clone()),
                };
                Ok(Response::new(status, headers, value.into_inner()))
            }
            Err(error) => Err(match slot.failure.take() {
                Some(c) => Error::from_response(c.status, c.headers, c.body),
                None => convert(error, slot.success.take()),
            }),
        }
    }
}

/// Maps what progenitor reports when the pipeline recorded no error response.
fn convert<E>(error: progenitor_client::Error<E>, success: Option<(StatusCode, HeaderMap)>) -> Error {
    use progenitor_client::Error as P;
    let with_success = |e: Error| match success {
        Some((status, headers)) => e.with_status(status, headers),
        None => e,
    };
    match error {
        P::InvalidResponsePayload(body, serde_error) => with_success(
            Error::new(
                ErrorKind::InvalidResponse,
                format!(
                    "the response body does not match the expected model (line {}, column {})",
                    serde_error.line(),
                    serde_error.column()
                ),
            )
            .with_body(body)
            .with_source(serde_error),
        ),
        P::CommunicationError(e) | P::ResponseBodyError(e) | P::InvalidUpgrade(e) => {
            let kind = if e.is_timeout() { ErrorKind::Timeout } else { ErrorKind::Transport };
            with_success(Error::new(kind, "reading the response failed").with_source(e))
        }
        P::InvalidRequest(message) | P::Custom(message) => Error::new(ErrorKind::InvalidRequest, message),
        P::ErrorResponse(value) => {
            Error::new(ErrorKind::Service, "").with_status(value.status(), value.headers().clone())
        }
        P::UnexpectedResponse(response) => Error::new(
            ErrorKind::InvalidResponse,
            format!("status {} is not defined for this operation", response.status()),
        )
        .with_status(response.status(), response.headers().clone()),
    }
}

impl fmt::Debug for CallContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallContext")
            .field("client_request_id", &self.client_request_id)
            .field("core", &self.core)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::StaticToken;
    use crate::options::ClientOptions;

    fn ctx() -> CallContext {
        ClientCore::new(
            "https://v.vault.azure.net",
            Arc::new(StaticToken::new("t")),
            ClientOptions::default(),
            "7.4",
            "keyvault-test/0.0.0",
        )
        .unwrap()
        .call()
    }

    #[derive(Debug, serde::Deserialize)]
    struct Model {
        #[allow(dead_code)]
        value: u32,
    }

    #[test]
    fn success_passes_through() {
        let ctx = ctx();
        let mut headers = HeaderMap::new();
        headers.insert("x-ms-request-id", "abc".parse().unwrap());
        let ok = progenitor_client::ResponseValue::new(7u32, StatusCode::OK, headers);
        let response = ctx.finish::<u32, ()>(Ok(ok)).unwrap();
        assert_eq!(*response, 7);
        assert_eq!(response.request_id(), Some("abc"));
    }

    #[test]
    fn recorded_failure_wins_over_progenitor_error() {
        let ctx = ctx();
        ctx.record_failure(Captured {
            status: StatusCode::UNAUTHORIZED,
            version: Version::HTTP_11,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        });
        // What progenitor makes of an empty 401: no status at all.
        let parse_error = serde_json::from_slice::<Model>(b"").unwrap_err();
        let err = ctx
            .finish::<Model, ()>(Err(progenitor_client::Error::InvalidResponsePayload(Bytes::new(), parse_error)))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Service);
        assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));
        assert_eq!(err.raw_body(), Some(&b""[..]));
    }

    #[test]
    fn recorded_error_wins_over_everything() {
        let ctx = ctx();
        ctx.record_error(Error::new(ErrorKind::Credential, "no token"));
        let ok = progenitor_client::ResponseValue::new(1u32, StatusCode::OK, HeaderMap::new());
        let err = ctx.finish::<u32, ()>(Ok(ok)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Credential);
    }

    #[test]
    fn mismatched_success_body_keeps_status_and_body() {
        let ctx = ctx();
        ctx.record_success(StatusCode::OK, HeaderMap::new());
        let body = Bytes::from_static(b"{\"value\":\"x\"}");
        let parse_error = serde_json::from_slice::<Model>(&body).unwrap_err();
        let err = ctx
            .finish::<Model, ()>(Err(progenitor_client::Error::InvalidResponsePayload(body.clone(), parse_error)))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidResponse);
        assert_eq!(err.status(), Some(StatusCode::OK));
        assert_eq!(err.raw_body(), Some(&body[..]));
        assert!(std::error::Error::source(&err).is_some());
        assert!(!err.to_string().contains("\"x\""), "{err}");
    }

    #[test]
    fn request_ids_differ_per_call() {
        assert_ne!(ctx().client_request_id(), ctx().client_request_id());
    }
}
