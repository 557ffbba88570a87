//! Retry policy: which failures are transient and how long to wait between
//! attempts (exponential backoff with jitter, like the Azure SDKs).

use std::time::Duration;

use http::StatusCode;

use super::random;

/// How transient failures (408, 429, 500, 502, 503, 504, connection
/// failures, per-attempt timeouts) are retried.
///
/// Defaults: 3 retries, 800 ms initial delay doubling per retry with ±20 %
/// jitter, at most 60 s between attempts, and no retry that would end more
/// than 120 s after the first attempt began. A server-sent `Retry-After`
/// (or `retry-after-ms`) replaces the computed delay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryOptions {
    pub(crate) max_retries: u32,
    pub(crate) initial_delay: Duration,
    pub(crate) max_delay: Duration,
    pub(crate) max_elapsed: Duration,
}

impl Default for RetryOptions {
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_delay: Duration::from_millis(800),
            max_delay: Duration::from_secs(60),
            max_elapsed: Duration::from_secs(120),
        }
    }
}

impl RetryOptions {
    /// Never retry: every call makes exactly one attempt (plus the
    /// authentication challenge round trip when needed).
    pub fn none() -> Self {
        Self { max_retries: 0, ..Self::default() }
    }

    /// Maximum number of retries after the first attempt.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Delay before the first retry; later retries double it.
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// Upper bound on the computed delay between two attempts.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// No retry is started if its delay would end later than this after the
    /// first attempt began.
    pub fn max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = elapsed;
        self
    }

    /// Jittered delay before retry number `retry` (0 = first retry).
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        self.backoff_with_unit(retry, random::next_f64())
    }

    /// `unit` in `[0, 1)` picks the jitter factor in `[0.8, 1.2)`.
    fn backoff_with_unit(&self, retry: u32, unit: f64) -> Duration {
        let exponential = self.initial_delay.saturating_mul(2u32.saturating_pow(retry.min(31)));
        let base = exponential.min(self.max_delay);
        base.mul_f64(0.8 + 0.4 * unit).min(self.max_delay)
    }
}

/// Statuses that mean "try again": timeouts, throttling and server trouble.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// Transport failures worth another attempt: the connection could not be
/// made or broke while sending, or the attempt timed out.
pub(crate) fn is_retryable_transport(error: &reqwest::Error) -> bool {
    // The connection broke (reset, truncated chunked encoding) while the response body was
    // being read: the attempt is repeated like any other transport failure. reqwest reports
    // such failures from `Response::chunk` as decode errors (`is_decode`), and from other body
    // readers as body errors. The pipeline reads bodies only as bytes (JSON is parsed later,
    // with its own error), so a decode error here is always a broken read of this attempt.
    error.is_connect() || error.is_timeout() || error.is_request() || error.is_body() || error.is_decode()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(is_retryable_status(StatusCode::from_u16(s).unwrap()), "{s}");
        }
        for s in [200, 400, 401, 403, 404, 409, 501, 505] {
            assert!(!is_retryable_status(StatusCode::from_u16(s).unwrap()), "{s}");
        }
    }

    #[test]
    fn backoff_grows_with_jitter_bounds() {
        let o = RetryOptions::default();
        for retry in 0..4u32 {
            let base = 800.0 * f64::from(2u32.pow(retry));
            let low = o.backoff_with_unit(retry, 0.0).as_secs_f64() * 1000.0;
            let high = o.backoff_with_unit(retry, 0.999_999).as_secs_f64() * 1000.0;
            assert!((low - base * 0.8).abs() < 1.0, "{retry}: {low}");
            assert!((high - base * 1.2).abs() < 1.0, "{retry}: {high}");
            for _ in 0..50 {
                let d = o.backoff(retry).as_secs_f64() * 1000.0;
                assert!(d >= base * 0.8 - 1.0 && d <= base * 1.2 + 1.0, "{retry}: {d}");
            }
        }
    }

    #[test]
    fn backoff_is_capped() {
        let o = RetryOptions::default().max_delay(Duration::from_secs(5));
        assert_eq!(o.backoff_with_unit(10, 0.99), Duration::from_secs(5));
        assert!(o.backoff_with_unit(10, 0.0) >= Duration::from_secs(4));
        // Huge retry counts must not overflow.
        assert_eq!(o.backoff_with_unit(u32::MAX, 0.5), Duration::from_secs(5));
    }

    #[test]
    fn none_means_no_retries() {
        assert_eq!(RetryOptions::none().max_retries, 0);
        assert_eq!(RetryOptions::default().max_retries(7).max_retries, 7);
    }
}
