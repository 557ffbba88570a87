//! [`SecretString`]: the model type for string properties that carry secrets (a secret's
//! value, a certificate's password), marked `x-ms-secret: true` or `format: password` in the
//! spec, so they never reach logs through `Debug`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A string that `Debug` never shows (`SecretString(<redacted, 12 bytes>)`) and that has no
/// `Display`, so `{:?}` of a whole model (a `SecretBundle` in a log line) does not leak it.
/// Read it deliberately with [`expose`](Self::expose) or [`into_string`](Self::into_string).
/// On the wire it is a plain JSON string.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Consumes the wrapper, returning the secret value.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretString(<redacted, {} bytes>)", self.0.len())
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl From<SecretString> for String {
    fn from(value: SecretString) -> Self {
        value.0
    }
}

impl FromStr for SecretString {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

impl Serialize for SecretString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_and_the_wire_is_a_plain_string() {
        let secret = SecretString::from("hunter2-value");
        assert_eq!(format!("{secret:?}"), "SecretString(<redacted, 13 bytes>)");
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"hunter2-value\"");
        let back: SecretString = serde_json::from_str("\"hunter2-value\"").unwrap();
        assert_eq!(back.expose(), "hunter2-value");
    }
}
