//! [`UnixTime`]: the model type for `format: unixtime` (Key Vault's `created`,
//! `updated`, `nbf`, `exp` attributes), so callers get a time value instead of a
//! bare `i64` without the runtime pulling in a date/time crate.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::civil::{SECONDS_PER_DAY, civil_from_days, days_from_civil, days_in_month};

/// A point in time with one-second resolution, stored as seconds since the
/// Unix epoch (1970-01-01T00:00:00Z).
///
/// Serialized as a JSON integer, as Key Vault sends it; displayed as RFC 3339
/// UTC (`2024-03-01T12:00:00Z`). `Default` is the epoch.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct UnixTime(i64);

impl UnixTime {
    /// The time `seconds` after (or, if negative, before) the Unix epoch.
    pub const fn from_unix_seconds(seconds: i64) -> Self {
        Self(seconds)
    }

    /// Seconds since the Unix epoch; negative before 1970.
    pub const fn unix_seconds(self) -> i64 {
        self.0
    }

    /// The current time, truncated to whole seconds.
    pub fn now() -> Self {
        SystemTime::now().into()
    }

    /// This time as a [`SystemTime`], for arithmetic with std types.
    pub fn to_system_time(self) -> SystemTime {
        let magnitude = Duration::from_secs(self.0.unsigned_abs());
        if self.0 >= 0 { UNIX_EPOCH + magnitude } else { UNIX_EPOCH - magnitude }
    }
}

impl From<SystemTime> for UnixTime {
    fn from(time: SystemTime) -> Self {
        // Floor, not truncate toward zero, so 1969-12-31T23:59:59.5 stays in 1969.
        let seconds = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
            Err(before) => {
                let before = before.duration();
                let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
                if before.subsec_nanos() > 0 { -whole - 1 } else { -whole }
            }
        };
        Self(seconds)
    }
}

impl From<UnixTime> for SystemTime {
    fn from(time: UnixTime) -> Self {
        time.to_system_time()
    }
}

impl From<i64> for UnixTime {
    fn from(seconds: i64) -> Self {
        Self(seconds)
    }
}

impl From<UnixTime> for i64 {
    fn from(time: UnixTime) -> Self {
        time.0
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(SECONDS_PER_DAY);
        let second_of_day = self.0.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60
        )
    }
}

impl fmt::Debug for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Why a string is not a [`UnixTime`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseUnixTimeError(());

impl fmt::Display for ParseUnixTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("expected Unix seconds or an RFC 3339 timestamp like 2024-03-01T12:00:00Z")
    }
}

impl std::error::Error for ParseUnixTimeError {}

impl FromStr for UnixTime {
    type Err = ParseUnixTimeError;

    /// Accepts Unix seconds (`1709294400`) or RFC 3339 (`2024-03-01T12:00:00Z`,
    /// optional fraction, which is dropped, and `±hh:mm` offsets), so that
    /// `Display` output parses back.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Ok(seconds) = s.parse::<i64>() {
            return Ok(Self(seconds));
        }
        parse_rfc3339(s).map(Self).ok_or(ParseUnixTimeError(()))
    }
}

fn parse_rfc3339(s: &str) -> Option<i64> {
    let bytes = s.as_bytes();
    if bytes.len() < 20 || bytes[4] != b'-' || bytes[7] != b'-' || bytes[13] != b':' {
        return None;
    }
    if !matches!(bytes[10], b'T' | b't' | b' ') || bytes[16] != b':' {
        return None;
    }
    let year: i64 = digits(&s[0..4])?.into();
    let month = digits(&s[5..7])?;
    let day = digits(&s[8..10])?;
    let (hour, minute, second) = (digits(&s[11..13])?, digits(&s[14..16])?, digits(&s[17..19])?);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits_len = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits_len == 0 {
            return None;
        }
        rest = &fraction[digits_len..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && rest.as_bytes()[3] == b':' => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (oh, om) = (digits(&rest[1..3])?, digits(&rest[4..6])?);
            sign * i64::from(oh * 3600 + om * 60)
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    // A leap second (:60) folds into the next second, as Unix time does.
    let seconds = i64::from(hour * 3600 + minute * 60 + second);
    Some(days * SECONDS_PER_DAY + seconds - offset)
}

fn digits(s: &str) -> Option<u32> {
    if s.bytes().all(|b| b.is_ascii_digit()) { s.parse().ok() } else { None }
}

impl Serialize for UnixTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for UnixTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Visitor)
    }
}

/// Accepts integers and, leniently, floats and numeric strings, so a service
/// that sends `1709294400.0` or `"1709294400"` does not fail the whole model.
struct Visitor;

impl serde::de::Visitor<'_> for Visitor {
    type Value = UnixTime;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("seconds since the Unix epoch")
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<UnixTime, E> {
        Ok(UnixTime(v))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<UnixTime, E> {
        i64::try_from(v).map(UnixTime).map_err(|_| E::custom("Unix time out of range"))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<UnixTime, E> {
        if v.is_finite() && v.abs() < 9.2e18 {
            // Truncation to whole seconds is the documented resolution.
            Ok(UnixTime(v.floor() as i64))
        } else {
            Err(E::custom("Unix time out of range"))
        }
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<UnixTime, E> {
        v.parse().map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_dates() {
        assert_eq!(UnixTime::from_unix_seconds(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(UnixTime::from_unix_seconds(1_709_294_400).to_string(), "2024-03-01T12:00:00Z");
        assert_eq!(UnixTime::from_unix_seconds(1_667_258_373).to_string(), "2022-10-31T23:19:33Z");
        assert_eq!(UnixTime::from_unix_seconds(951_782_400).to_string(), "2000-02-29T00:00:00Z");
        assert_eq!(UnixTime::from_unix_seconds(-1).to_string(), "1969-12-31T23:59:59Z");
        assert_eq!(format!("{:?}", UnixTime::from_unix_seconds(1_709_294_400)), "2024-03-01T12:00:00Z");
    }

    #[test]
    fn parses_display_output_and_offsets() {
        for secs in [0, -1, 951_782_400, 1_709_294_400, 4_102_444_799] {
            let t = UnixTime::from_unix_seconds(secs);
            assert_eq!(t.to_string().parse::<UnixTime>(), Ok(t));
        }
        assert_eq!("2024-03-01T13:00:00.250+01:00".parse::<UnixTime>(), Ok(UnixTime::from_unix_seconds(1_709_294_400)));
        assert_eq!("1709294400".parse::<UnixTime>().map(UnixTime::unix_seconds), Ok(1_709_294_400));
        assert!("2023-02-29T00:00:00Z".parse::<UnixTime>().is_err());
        assert!("2024-03-01T12:00:00".parse::<UnixTime>().is_err());
        assert!("yesterday".parse::<UnixTime>().is_err());
    }

    #[test]
    fn serde_is_a_json_integer() {
        let t: UnixTime = serde_json::from_str("1709294400").unwrap();
        assert_eq!(t.unix_seconds(), 1_709_294_400);
        assert_eq!(serde_json::to_string(&t).unwrap(), "1709294400");
        let lenient: UnixTime = serde_json::from_str("1709294400.9").unwrap();
        assert_eq!(lenient, t);
        assert!(serde_json::from_str::<UnixTime>("true").is_err());
    }

    #[test]
    fn system_time_round_trip() {
        for secs in [0, 1_709_294_400, -86_400] {
            let t = UnixTime::from_unix_seconds(secs);
            assert_eq!(UnixTime::from(t.to_system_time()), t);
        }
        let just_before_epoch = UNIX_EPOCH - Duration::from_millis(500);
        assert_eq!(UnixTime::from(just_before_epoch).unix_seconds(), -1);
    }
}
