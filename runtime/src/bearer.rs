//! The `Authorization: Bearer …` header value of the token last used, kept so that calls
//! reusing a cached token (nearly all of them) skip formatting and validating a header
//! of one to two kilobytes on every request.

use std::sync::{Mutex, PoisonError};

use http::HeaderValue;
use http::header::InvalidHeaderValue;

use super::credential::Secret;

/// One client's last token and its header value. One entry is enough: a client sends
/// to one vault, so to one scope, and a token changes only when it is refreshed.
#[derive(Default)]
pub(crate) struct BearerHeader {
    last: Mutex<Option<(Secret, HeaderValue)>>,
}

impl BearerHeader {
    /// `Bearer <token>`, marked sensitive (kept out of logs and HTTP/2 header tables).
    pub(crate) fn value(&self, token: Secret) -> Result<HeaderValue, InvalidHeaderValue> {
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((cached, value)) = last.as_ref()
            && *cached == token
        {
            // A `HeaderValue` clone shares its bytes.
            return Ok(value.clone());
        }
        let mut value = HeaderValue::from_str(&format!("Bearer {}", token.secret()))?;
        value.set_sensitive(true);
        *last = Some((token, value.clone()));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_token_and_stays_sensitive() {
        let bearer = BearerHeader::default();
        let a = bearer.value(Secret::new("a")).unwrap();
        assert_eq!(a, "Bearer a");
        assert!(a.is_sensitive());
        assert_eq!(bearer.value(Secret::new("a")).unwrap(), "Bearer a");
        let b = bearer.value(Secret::new("b")).unwrap();
        assert_eq!(b, "Bearer b");
        assert!(b.is_sensitive());
    }

    #[test]
    fn an_invalid_token_is_an_error_and_not_cached() {
        let bearer = BearerHeader::default();
        assert!(bearer.value(Secret::new("bad\ntoken")).is_err());
        assert_eq!(bearer.value(Secret::new("ok")).unwrap(), "Bearer ok");
    }
}
