//! [`DateTime`]: the model type for `format: date-time`, a [`time::OffsetDateTime`] that
//! travels as an RFC 3339 string.

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A point in time serialized as an RFC 3339 string (`2024-03-01T12:00:00.5Z`).
///
/// Converts to and from [`time::OffsetDateTime`] without loss and derefs to it. Parsing
/// also accepts a timestamp without an offset, read as UTC, as some services send.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime(OffsetDateTime);

impl DateTime {
    /// The current time.
    pub fn now() -> Self {
        Self(OffsetDateTime::now_utc())
    }
}

impl Deref for DateTime {
    type Target = OffsetDateTime;

    fn deref(&self) -> &OffsetDateTime {
        &self.0
    }
}

impl From<OffsetDateTime> for DateTime {
    fn from(time: OffsetDateTime) -> Self {
        Self(time)
    }
}

impl From<DateTime> for OffsetDateTime {
    fn from(time: DateTime) -> Self {
        time.0
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.format(&Rfc3339) {
            Ok(text) => f.write_str(&text),
            // Years past 9999 have no RFC 3339 form.
            Err(_) => write!(f, "{}", self.0),
        }
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Why a string is not a [`DateTime`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseDateTimeError(String);

impl fmt::Display for ParseDateTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' is not an RFC 3339 timestamp like 2024-03-01T12:00:00Z", self.0)
    }
}

impl std::error::Error for ParseDateTimeError {}

impl FromStr for DateTime {
    type Err = ParseDateTimeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        OffsetDateTime::parse(s, &Rfc3339)
            .or_else(|_| OffsetDateTime::parse(&format!("{s}Z"), &Rfc3339))
            .map(Self)
            .map_err(|_| ParseDateTimeError(s.chars().take(64).collect()))
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json_without_loss() {
        let t: DateTime = serde_json::from_str("\"2024-03-01T12:00:00.123456789Z\"").unwrap();
        assert_eq!(t.nanosecond(), 123_456_789);
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"2024-03-01T12:00:00.123456789Z\"");
        let offset: DateTime = "2024-03-01T13:00:00+01:00".parse().unwrap();
        assert_eq!(offset.unix_timestamp(), 1_709_294_400);
        assert_eq!(OffsetDateTime::from(DateTime::from(*offset)), *offset);
    }

    #[test]
    fn lenient_on_a_missing_offset_strict_otherwise() {
        let t: DateTime = "2024-03-01T12:00:00".parse().unwrap();
        assert_eq!(t.unix_timestamp(), 1_709_294_400);
        assert!("2024-02-30T00:00:00Z".parse::<DateTime>().is_err());
        assert!(serde_json::from_str::<DateTime>("\"yesterday\"").is_err());
        assert!(serde_json::from_str::<DateTime>("1709294400").is_err());
    }
}
