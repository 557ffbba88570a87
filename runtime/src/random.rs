//! Cheap, non-cryptographic randomness for request ids and retry jitter,
//! drawn from std's randomly keyed SipHash so no `rand`/`uuid` crate is needed.
//! Nothing here is used for secrets.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A fresh pseudo-random 64-bit value.
pub(crate) fn next_u64() -> u64 {
    // Every RandomState has new keys (per-thread random seed, bumped per
    // instance); the counter and clock make equal keys still differ.
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    hasher.write_u128(nanos);
    hasher.finish()
}

/// A uniformly distributed value in `[0, 1)`.
pub(crate) fn next_f64() -> f64 {
    // 53 random bits fill an f64 mantissa exactly.
    (next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// A random version-4 UUID string, the format Azure expects in
/// `x-ms-client-request-id`.
pub(crate) fn uuid_v4() -> String {
    let high = (next_u64() & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    let low = (next_u64() & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0xffff,
        low >> 48,
        low & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn uuid_shape_and_uniqueness() {
        let ids: HashSet<String> = (0..1000).map(|_| uuid_v4()).collect();
        assert_eq!(ids.len(), 1000);
        for id in ids.iter().take(20) {
            let groups: Vec<&str> = id.split('-').collect();
            assert_eq!(groups.iter().map(|g| g.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
            assert!(groups[2].starts_with('4'), "{id}");
            assert!(matches!(&groups[3][..1], "8" | "9" | "a" | "b"), "{id}");
        }
    }

    #[test]
    fn unit_interval() {
        for _ in 0..1000 {
            let x = next_f64();
            assert!((0.0..1.0).contains(&x));
        }
    }
}
