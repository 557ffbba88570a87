//! Reads the server's requested retry delay from response headers, in the
//! order the Azure SDKs use: `retry-after-ms`, `x-ms-retry-after-ms`, then
//! `Retry-After` (delta-seconds or an HTTP date).

use std::time::{Duration, SystemTime};

use http::HeaderMap;

/// The delay the response asks for, if any; an HTTP date in the past means
/// "now" (zero). `now` is a parameter so date arithmetic is testable.
pub(crate) fn from_headers(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(ms) = text(name).and_then(parse_number) {
            return Some(Duration::from_secs_f64(ms / 1000.0));
        }
    }
    let value = text("retry-after")?;
    if let Some(seconds) = parse_number(value) {
        return Some(Duration::from_secs_f64(seconds));
    }
    let at = parse_http_date(value)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A non-negative, finite, not absurd number (servers send integers, but a
/// fraction costs nothing to accept). Anything above a day is treated as
/// garbage rather than obeyed.
fn parse_number(text: &str) -> Option<f64> {
    let value: f64 = text.parse().ok()?;
    (value.is_finite() && (0.0..=86_400_000.0).contains(&value)).then_some(value)
}

/// Parses an HTTP date: the IMF-fixdate servers send (`Sun, 06 Nov 1994 08:49:37 GMT`) and
/// the two obsolete forms RFC 9110 says recipients must still accept, via `httpdate`.
pub(crate) fn parse_http_date(text: &str) -> Option<SystemTime> {
    httpdate::parse_http_date(text).ok()
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;
    use http::HeaderValue;

    fn with(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn parses_imf_fixdate() {
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(at(784_111_777)));
        assert_eq!(parse_http_date("Mon, 31 Oct 2022 23:19:33 GMT"), Some(at(1_667_258_373)));
        assert_eq!(parse_http_date("Thu, 29 Feb 2024 00:00:00 GMT"), Some(at(1_709_164_800)));
        // The obsolete RFC 850 and asctime forms, which recipients must accept.
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), Some(at(784_111_777)));
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(at(784_111_777)));
    }

    #[test]
    fn rejects_malformed_dates() {
        for bad in [
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 30 Feb 2023 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT extra",
            "",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn header_precedence_and_forms() {
        let now = at(1_667_258_373);
        let h = with(&[("retry-after-ms", "1500"), ("retry-after", "9")]);
        assert_eq!(from_headers(&h, now), Some(Duration::from_millis(1500)));
        let h = with(&[("x-ms-retry-after-ms", "250"), ("retry-after", "9")]);
        assert_eq!(from_headers(&h, now), Some(Duration::from_millis(250)));
        let h = with(&[("retry-after", "9")]);
        assert_eq!(from_headers(&h, now), Some(Duration::from_secs(9)));
        let h = with(&[("retry-after", "Mon, 31 Oct 2022 23:19:43 GMT")]);
        assert_eq!(from_headers(&h, now), Some(Duration::from_secs(10)));
        let h = with(&[("retry-after", "Mon, 31 Oct 2022 23:19:00 GMT")]);
        assert_eq!(from_headers(&h, now), Some(Duration::ZERO));
    }

    #[test]
    fn ignores_garbage() {
        let now = at(0);
        assert_eq!(from_headers(&with(&[]), now), None);
        assert_eq!(from_headers(&with(&[("retry-after", "soon")]), now), None);
        assert_eq!(from_headers(&with(&[("retry-after", "-3")]), now), None);
        assert_eq!(from_headers(&with(&[("retry-after-ms", "NaN")]), now), None);
        // A bad ms header falls through to the next source.
        let h = with(&[("retry-after-ms", "x"), ("retry-after", "2")]);
        assert_eq!(from_headers(&h, now), Some(Duration::from_secs(2)));
    }
}
