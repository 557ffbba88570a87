//! [`UnixTime`]: the model type for `format: unixtime` (Key Vault's `created`, `updated`,
//! `nbf`, `exp` attributes): a [`time::OffsetDateTime`], as in the official SDK, that travels
//! as the integer seconds Key Vault sends.

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;
use std::time::SystemTime;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A point in time, serialized as a JSON integer of seconds since the Unix epoch
/// (1970-01-01T00:00:00Z), as Key Vault sends it.
///
/// It wraps a [`time::OffsetDateTime`] and converts to and from one without loss (`From`
/// both ways; it also derefs to it), so all of `time`'s arithmetic and formatting apply.
/// On the wire the fraction of a second is dropped (floor), which is the service's
/// resolution. Displayed as RFC 3339 (`2024-03-01T12:00:00Z`). `Default` is the epoch.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnixTime(OffsetDateTime);

impl UnixTime {
    /// The time `seconds` after (or, if negative, before) the Unix epoch; `None` outside
    /// the years -9999..=9999.
    pub fn from_unix_seconds(seconds: i64) -> Option<Self> {
        OffsetDateTime::from_unix_timestamp(seconds).ok().map(Self)
    }

    /// Whole seconds since the Unix epoch (floor); negative before 1970.
    pub fn unix_seconds(self) -> i64 {
        self.0.unix_timestamp()
    }

    /// The current time.
    pub fn now() -> Self {
        Self(OffsetDateTime::now_utc())
    }

    /// This time as a [`SystemTime`], for arithmetic with std types.
    pub fn to_system_time(self) -> SystemTime {
        self.0.into()
    }

    /// The wrapped [`OffsetDateTime`].
    pub fn to_offset_date_time(self) -> OffsetDateTime {
        self.0
    }
}

impl Default for UnixTime {
    fn default() -> Self {
        Self(OffsetDateTime::UNIX_EPOCH)
    }
}

impl Deref for UnixTime {
    type Target = OffsetDateTime;

    fn deref(&self) -> &OffsetDateTime {
        &self.0
    }
}

impl From<OffsetDateTime> for UnixTime {
    fn from(time: OffsetDateTime) -> Self {
        Self(time)
    }
}

impl From<UnixTime> for OffsetDateTime {
    fn from(time: UnixTime) -> Self {
        time.0
    }
}

impl From<SystemTime> for UnixTime {
    fn from(time: SystemTime) -> Self {
        Self(time.into())
    }
}

impl From<UnixTime> for SystemTime {
    fn from(time: UnixTime) -> Self {
        time.to_system_time()
    }
}

impl TryFrom<i64> for UnixTime {
    type Error = ParseUnixTimeError;

    fn try_from(seconds: i64) -> Result<Self, Self::Error> {
        Self::from_unix_seconds(seconds).ok_or(ParseUnixTimeError(()))
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // RFC 3339 cannot show years past 9999 or offsets with seconds; fall back to the
        // plain seconds rather than fail a log line.
        match self.0.format(&Rfc3339) {
            Ok(text) => f.write_str(&text),
            Err(_) => write!(f, "{}", self.unix_seconds()),
        }
    }
}

impl fmt::Debug for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Why a string or number is not a [`UnixTime`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseUnixTimeError(());

impl fmt::Display for ParseUnixTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "expected Unix seconds within years -9999..=9999 or an RFC 3339 timestamp like 2024-03-01T12:00:00Z",
        )
    }
}

impl std::error::Error for ParseUnixTimeError {}

impl FromStr for UnixTime {
    type Err = ParseUnixTimeError;

    /// Accepts Unix seconds (`1709294400`) or RFC 3339 (`2024-03-01T12:00:00Z`, with a
    /// fraction and `±hh:mm` offsets), so that `Display` output parses back.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Ok(seconds) = s.parse::<i64>() {
            return Self::try_from(seconds);
        }
        OffsetDateTime::parse(s, &Rfc3339).map(Self).map_err(|_| ParseUnixTimeError(()))
    }
}

impl Serialize for UnixTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.unix_seconds())
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
        UnixTime::try_from(v).map_err(E::custom)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<UnixTime, E> {
        i64::try_from(v).map_err(|_| E::custom("Unix time out of range")).and_then(|v| self.visit_i64(v))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<UnixTime, E> {
        if v.is_finite() && v.abs() < 9.2e18 {
            // Whole seconds are the documented resolution.
            self.visit_i64(v.floor() as i64)
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
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    fn at(seconds: i64) -> UnixTime {
        UnixTime::from_unix_seconds(seconds).unwrap()
    }

    #[test]
    fn formats_known_dates() {
        assert_eq!(at(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(at(1_709_294_400).to_string(), "2024-03-01T12:00:00Z");
        assert_eq!(at(1_667_258_373).to_string(), "2022-10-31T23:19:33Z");
        assert_eq!(at(951_782_400).to_string(), "2000-02-29T00:00:00Z");
        assert_eq!(at(-1).to_string(), "1969-12-31T23:59:59Z");
        assert_eq!(format!("{:?}", at(1_709_294_400)), "2024-03-01T12:00:00Z");
    }

    #[test]
    fn parses_display_output_and_offsets() {
        for secs in [0, -1, 951_782_400, 1_709_294_400, 4_102_444_799] {
            let t = at(secs);
            assert_eq!(t.to_string().parse::<UnixTime>(), Ok(t));
        }
        let with_fraction: UnixTime = "2024-03-01T13:00:00.250+01:00".parse().unwrap();
        assert_eq!(with_fraction.unix_seconds(), 1_709_294_400);
        assert_eq!("1709294400".parse::<UnixTime>().map(UnixTime::unix_seconds), Ok(1_709_294_400));
        assert!("2023-02-29T00:00:00Z".parse::<UnixTime>().is_err());
        assert!("2024-03-01T12:00:00".parse::<UnixTime>().is_err());
        assert!("yesterday".parse::<UnixTime>().is_err());
        assert!(i64::MAX.to_string().parse::<UnixTime>().is_err());
    }

    #[test]
    fn serde_is_a_json_integer() {
        let t: UnixTime = serde_json::from_str("1709294400").unwrap();
        assert_eq!(t.unix_seconds(), 1_709_294_400);
        assert_eq!(serde_json::to_string(&t).unwrap(), "1709294400");
        let lenient: UnixTime = serde_json::from_str("1709294400.9").unwrap();
        assert_eq!(lenient, t);
        assert!(serde_json::from_str::<UnixTime>("true").is_err());
        assert!(serde_json::from_str::<UnixTime>("9223372036854775807").is_err());
    }

    #[test]
    fn offset_date_time_round_trip_is_lossless() {
        let precise = OffsetDateTime::from_unix_timestamp_nanos(1_709_294_400_123_456_789).unwrap();
        assert_eq!(OffsetDateTime::from(UnixTime::from(precise)), precise);
        assert_eq!(UnixTime::from(precise).year(), 2024);
    }

    #[test]
    fn system_time_round_trip() {
        for secs in [0, 1_709_294_400, -86_400] {
            let t = at(secs);
            assert_eq!(UnixTime::from(t.to_system_time()), t);
        }
        let just_before_epoch = UNIX_EPOCH - Duration::from_millis(500);
        assert_eq!(UnixTime::from(just_before_epoch).unix_seconds(), -1);
    }
}
