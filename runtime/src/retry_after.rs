//! Reads the server's requested retry delay from response headers, in the
//! order the Azure SDKs use: `retry-after-ms`, `x-ms-retry-after-ms`, then
//! `Retry-After` (delta-seconds or an HTTP date).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;

use super::civil::{SECONDS_PER_DAY, days_from_civil, days_in_month};

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

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the only form
/// RFC 9110 lets servers send; the weekday is not checked against the date.
pub(crate) fn parse_http_date(text: &str) -> Option<SystemTime> {
    let (_weekday, rest) = text.split_once(", ")?;
    let mut parts = rest.split(' ');
    let day: u32 = two_digits(parts.next()?)?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year_text = parts.next()?;
    if year_text.len() != 4 {
        return None;
    }
    let year: i64 = year_text.parse().ok()?;
    let mut clock = parts.next()?.split(':');
    let hour = two_digits(clock.next()?)?;
    let minute = two_digits(clock.next()?)?;
    let second = two_digits(clock.next()?)?;
    if clock.next().is_some() || parts.next()? != "GMT" || parts.next().is_some() {
        return None;
    }
    if day == 0 || day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let seconds = days_from_civil(year, month, day) * SECONDS_PER_DAY + i64::from(hour * 3600 + minute * 60 + second);
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).ok()?))
}

fn two_digits(text: &str) -> Option<u32> {
    (text.len() == 2 && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
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
    }

    #[test]
    fn rejects_malformed_dates() {
        for bad in [
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 30 Feb 2023 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
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
