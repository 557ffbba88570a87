//! Path parameters that would leave their segment.
//!
//! progenitor percent-encodes `/`, `?`, `#` and `%` in path parameters, but not `.`: a key
//! named `..` or `.` becomes a dot segment, which URL parsing resolves (`%2e` too), so
//! `backup_key("..")` would POST to `/backup`. Such values are refused before anything is
//! sent. The empty string stays allowed: Key Vault reads an empty key version as "latest".

use super::{Error, ErrorKind};

/// Fails for `.` and `..`, which no encoding keeps inside a URL path segment.
pub fn check_path_segment(name: &'static str, value: &str) -> Result<(), Error> {
    if value == "." || value == ".." {
        return Err(Error::new(
            ErrorKind::InvalidRequest,
            format!("path parameter `{name}` cannot be {value:?}: a dot segment would change the request's path"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dot_segments_only() {
        assert!(check_path_segment("key_name", "..").is_err());
        assert!(check_path_segment("key_name", ".").is_err());
        for ok in ["", "a.b", "...", "a/..", "%2e%2e", "k"] {
            assert!(check_path_segment("key_name", ok).is_ok(), "{ok}");
        }
        let e = check_path_segment("key_version", "..").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    }
}
