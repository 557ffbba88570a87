//! [`Base64`]: the model type for `format: byte` (a certificate's DER `cer`, a CSR, `x5c`),
//! so callers handle bytes, never encoded strings.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::base64url::ParseBase64UrlError;

/// Encodes as OpenAPI's `byte` format says: the standard alphabet, padded.
const ENCODER: GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Decodes padded or unpadded input.
const DECODER: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Bytes carried as standard base64 text on the wire (`format: byte`).
///
/// Serializes padded, in the standard alphabet; deserializes padded or unpadded input in
/// either alphabet. `Debug` prints only the length; `Display` prints the encoded form.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Base64(Vec<u8>);

impl Base64 {
    /// Wraps bytes that should travel as base64.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    /// The decoded bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Consumes the value, returning the decoded bytes.
    pub fn into_vec(self) -> Vec<u8> {
        self.0
    }

    /// Decodes base64 text leniently: either alphabet, padding optional, ASCII whitespace
    /// ignored (PEM bodies wrap at 64 columns).
    pub fn decode(text: &str) -> Result<Self, ParseBase64UrlError> {
        if let Ok(bytes) = DECODER.decode(text.as_bytes()) {
            return Ok(Self(bytes));
        }
        let normalized: Vec<u8> = text
            .bytes()
            .filter(|b| !b.is_ascii_whitespace())
            .map(|b| match b {
                b'-' => b'+',
                b'_' => b'/',
                other => other,
            })
            .collect();
        DECODER.decode(&normalized).map(Self).map_err(|e| ParseBase64UrlError::new(e.to_string()))
    }
}

impl fmt::Debug for Base64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Base64(<{} bytes>)", self.0.len())
    }
}

impl fmt::Display for Base64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&base64::display::Base64Display::new(&self.0, &ENCODER), f)
    }
}

impl FromStr for Base64 {
    type Err = ParseBase64UrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::decode(s)
    }
}

impl From<Vec<u8>> for Base64 {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl From<&[u8]> for Base64 {
    fn from(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }
}

impl From<Base64> for Vec<u8> {
    fn from(value: Base64) -> Self {
        value.0
    }
}

impl Deref for Base64 {
    type Target = Vec<u8>;

    fn deref(&self) -> &Vec<u8> {
        &self.0
    }
}

impl DerefMut for Base64 {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }
}

impl AsRef<[u8]> for Base64 {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Serialize for Base64 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Base64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Base64::decode(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_padded_on_the_wire_lenient_when_reading() {
        let value = Base64::new(vec![0xfb, 0xff, 0x01]);
        assert_eq!(serde_json::to_string(&value).unwrap(), "\"+/8B\"");
        assert_eq!(serde_json::to_string(&Base64::new(vec![1])).unwrap(), "\"AQ==\"");
        for text in ["\"+/8B\"", "\"-_8B\"", "\"+/8\\nB\""] {
            assert_eq!(serde_json::from_str::<Base64>(text).unwrap(), value, "{text}");
        }
        assert_eq!(serde_json::from_str::<Base64>("\"AQ\"").unwrap().as_bytes(), [1]);
        assert!(serde_json::from_str::<Base64>("\"!!\"").is_err());
        assert_eq!(format!("{value:?}"), "Base64(<3 bytes>)");
    }
}
