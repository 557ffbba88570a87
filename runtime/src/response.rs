//! [`Response`]: a successful result with the HTTP metadata callers need for
//! diagnostics (status, headers, request id).

use std::fmt;
use std::ops::Deref;

use http::{HeaderMap, StatusCode};

/// A deserialized success response. Derefs to the model, so
/// `client.get_key("k").await?.key` works; `into_inner()` takes it out.
#[derive(Clone)]
pub struct Response<T> {
    status: StatusCode,
    headers: HeaderMap,
    value: T,
}

impl<T> Response<T> {
    /// Assembles a response (for tests and wrappers).
    pub fn new(status: StatusCode, headers: HeaderMap, value: T) -> Self {
        Self { status, headers, value }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The service's `x-ms-request-id`.
    pub fn request_id(&self) -> Option<&str> {
        self.header("x-ms-request-id")
    }

    /// The `x-ms-client-request-id` the service echoed back.
    pub fn client_request_id(&self) -> Option<&str> {
        self.header("x-ms-client-request-id")
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The model value.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// Status, headers and value, by value.
    pub fn into_parts(self) -> (StatusCode, HeaderMap, T) {
        (self.status, self.headers, self.value)
    }

    /// Transforms the value, keeping status and headers.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response { status: self.status, headers: self.headers, value: f(self.value) }
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> AsRef<T> for Response<T> {
    fn as_ref(&self) -> &T {
        &self.value
    }
}

impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status.as_u16())
            .field("request_id", &self.request_id())
            .field("value", &self.value)
            .finish()
    }
}
