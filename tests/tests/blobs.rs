//! Backup blobs of random sizes and contents round-trip byte-exact: `backup_key` decodes
//! exactly the bytes the server encoded, and `restore_key` sends exactly the body the server
//! handed out (checked by the server as it arrives), for every size from empty to 1 MiB,
//! covering every length modulo 3 of the base64 tail.
//!
//! `cargo test -p keyvault-tests --no-default-features --test blobs`

use std::sync::Arc;

use keyvault_keys::models::KeyRestoreParameters;
use keyvault_keys::{ClientOptions, KeyClient, RetryOptions, StaticToken};
use keyvault_tests::VAULT_SCOPE;
use keyvault_tests::blob_server::BlobServer;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Sizes stay below 1 MiB (2^20 bytes).
const MAX_BLOB_LOG2: u32 = 20;

/// A blob of random size whose bytes come from a random seed: proptest draws and shrinks
/// (size, seed), and the bytes are expanded from the seed, so a large case costs one draw.
///
/// The size is drawn by magnitude first (0, 1, 2..4, 4..8, ..., 512 KiB..1 MiB, each band
/// equally likely), then uniformly within its band. Small sizes, where the base64 tail and
/// the empty blob live, are hit as often as large ones, and 1000 cases move about 75 MB
/// instead of the 500 MB a uniform size would, which keeps the debug test fast.
fn blob() -> impl Strategy<Value = Vec<u8>> {
    (0..=MAX_BLOB_LOG2, any::<usize>(), any::<u64>()).prop_map(|(band, offset, seed)| {
        let len = match band {
            0 => 0,
            _ => {
                let low = 1usize << (band - 1);
                low + offset % low
            }
        };
        keyvault_tests::seeded_bytes(seed, len)
    })
}

#[test]
fn random_blobs_round_trip_byte_exact() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (server, client) = runtime.block_on(async {
        let server = BlobServer::start().await;
        let options = ClientOptions::default().allow_http(true).scope(VAULT_SCOPE).retry(RetryOptions::none());
        let client = KeyClient::with_options(server.uri(), Arc::new(StaticToken::new("token")), options).unwrap();
        (server, client)
    });

    let mut runner = TestRunner::new(Config { cases: 1000, failure_persistence: None, ..Config::default() });
    let cases = std::sync::atomic::AtomicUsize::new(0);
    let result = runner.run(&blob(), |blob| {
        cases.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        server.set_blob(&blob);
        let before = server.restores_matched();
        runtime.block_on(async {
            let backup = client
                .backup_key("blob")
                .await
                .map_err(|e| TestCaseError::fail(format!("backup_key of {} bytes: {e}", blob.len())))?
                .into_inner();
            prop_assert_eq!(backup.value.len(), blob.len());
            prop_assert!(backup.value.as_bytes() == blob.as_slice(), "backup_key decoded other bytes");
            client
                .restore_key(&KeyRestoreParameters { value: backup.value })
                .await
                .map_err(|e| TestCaseError::fail(format!("restore_key of {} bytes: {e}", blob.len())))?;
            Ok(())
        })?;
        prop_assert_eq!(server.restores_matched(), before + 1, "the server received another body");
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    assert_eq!(cases.into_inner(), 1000, "every case ran");
    assert_eq!(server.restores_matched(), 1000);
    assert_eq!(server.restores_refused(), 0);
}
