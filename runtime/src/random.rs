//! Randomness for request ids and retry jitter, from `fastrand` (a small, well-kept PRNG
//! seeded per thread) and `uuid`. Nothing here is used for secrets.

/// A uniformly distributed value in `[0, 1)`, for retry jitter.
pub(crate) fn next_f64() -> f64 {
    fastrand::f64()
}

/// A random version-4 UUID string, the format Azure expects in `x-ms-client-request-id`.
pub(crate) fn uuid_v4() -> String {
    uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_4_and_distinct() {
        let a = uuid::Uuid::parse_str(&uuid_v4()).unwrap();
        let b = uuid::Uuid::parse_str(&uuid_v4()).unwrap();
        assert_eq!(a.get_version_num(), 4);
        assert_eq!(a.get_variant(), uuid::Variant::RFC4122);
        assert_ne!(a, b);
    }

    #[test]
    fn jitter_is_in_the_unit_interval() {
        assert!((0..1000).map(|_| next_f64()).all(|x| (0.0..1.0).contains(&x)));
    }
}
