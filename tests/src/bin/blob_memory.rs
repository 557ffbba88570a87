//! `blob_memory baseline|roundtrip [--mib N]`: one measurement of the peak memory of a backup
//! blob round trip, printed as `peak_kib=<VmHWM>` on stdout.
//!
//! Both modes set up the same process: a tokio runtime, an N MiB blob (default 16), the
//! loopback [`BlobServer`] holding the backup response for it, and a client for that server.
//! `baseline` stops there; `roundtrip` then runs `backup_key` (the blob comes back decoded),
//! checks the bytes, and sends them back with `restore_key`, which the server checks as it
//! receives them. The difference of the two peaks is what the client needs for the round
//! trip. The bench `blob_memory` runs both modes alternately and prints that difference.

use std::process::ExitCode;
use std::sync::Arc;

use keyvault_keys::models::KeyRestoreParameters;
use keyvault_keys::{ClientOptions, KeyClient, RetryOptions, StaticToken};
use keyvault_tests::blob_server::BlobServer;
use keyvault_tests::{VAULT_SCOPE, seeded_bytes};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_default();
    let mut mib = 16usize;
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next().and_then(|v| v.parse().ok())) {
            ("--mib", Some(n)) => mib = n,
            _ => return usage(),
        }
    }
    let roundtrip = match mode.as_str() {
        "baseline" => false,
        "roundtrip" => true,
        _ => return usage(),
    };

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let outcome = runtime.block_on(async {
        let blob = seeded_bytes(0x5eed, mib * 1024 * 1024);
        let server = BlobServer::start().await;
        server.set_blob(&blob);
        // The scope is known, so each call is exactly one request (no challenge probe).
        let options = ClientOptions::default().allow_http(true).scope(VAULT_SCOPE).retry(RetryOptions::none());
        let client = KeyClient::with_options(server.uri(), Arc::new(StaticToken::new("token")), options)
            .expect("client for the loopback server");
        if !roundtrip {
            return Ok(());
        }
        let backup = client.backup_key("blob").await.map_err(|e| format!("backup_key: {e}"))?.into_inner();
        if backup.value.as_bytes() != blob.as_slice() {
            return Err("backup_key returned other bytes than the server's blob".to_owned());
        }
        client
            .restore_key(&KeyRestoreParameters { value: backup.value })
            .await
            .map_err(|e| format!("restore_key: {e}"))?;
        if server.restores_matched() != 1 {
            return Err("the server did not receive the blob intact".to_owned());
        }
        Ok(())
    });
    if let Err(message) = outcome {
        eprintln!("blob_memory: {message}");
        return ExitCode::FAILURE;
    }
    match peak_kib() {
        Some(kib) => {
            println!("peak_kib={kib}");
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("blob_memory: no VmHWM in /proc/self/status (Linux only)");
            ExitCode::FAILURE
        }
    }
}

/// The process's peak resident set size so far, in KiB.
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn usage() -> ExitCode {
    eprintln!("usage: blob_memory baseline|roundtrip [--mib N]");
    ExitCode::from(2)
}
