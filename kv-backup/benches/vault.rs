//! `backup-vault` against a loop of single-key `backup` runs, side by side on
//! the same fake vault (loopback, see `tests/fake_vault`): wall time and
//! requests for 500 keys, and peak memory (max RSS, from `/usr/bin/time -v`
//! when present) as the vault grows. Run with `bench/vault.sh` or
//! `cargo bench -p kv-backup --bench vault --no-default-features`.
//! `KV_BENCH_SIZES=50,200,500` picks the vault sizes for the memory table.

#[path = "../tests/fake_vault/mod.rs"]
mod fake_vault;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use fake_vault::{FakeVault, TOKEN, TOKEN_VAR};

const BIN: &str = env!("CARGO_BIN_EXE_kv-backup");

/// Runs kv-backup (under `/usr/bin/time -v` when available) and returns its
/// output, wall time and max RSS in KiB.
fn run(args: &[&str]) -> (Output, Duration, Option<u64>) {
    let timed = Path::new("/usr/bin/time").exists();
    let mut command = if timed {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-v").arg(BIN);
        c
    } else {
        Command::new(BIN)
    };
    command.args(args).args(["--token-env", TOKEN_VAR, "--allow-http"]).env(TOKEN_VAR, TOKEN);
    let start = Instant::now();
    let output = command.output().expect("run kv-backup");
    let elapsed = start.elapsed();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    let rss = String::from_utf8_lossy(&output.stderr)
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes): ").map(|v| v.trim().parse().ok()))
        .flatten();
    (output, elapsed, rss)
}

fn requests(vault: &FakeVault) -> usize {
    let c = vault.counters();
    c.total + c.challenges
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // `cargo bench` passes `--bench`; nothing else is accepted.
    let sizes: Vec<usize> = std::env::var("KV_BENCH_SIZES")
        .unwrap_or_else(|_| "50,200,500,2000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();

    // 1. 500 keys: one backup-vault vs. 500 single-key backups.
    let vault = FakeVault::start().await;
    let names = vault.add_keys(500);
    let uri = vault.uri();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("vault");
    let (_, vault_time, vault_rss) = run(&["backup-vault", "--vault", &uri, "--out", out.to_str().unwrap()]);
    let vault_requests = requests(&vault);

    let singles = dir.path().join("singles");
    std::fs::create_dir(&singles).unwrap();
    let before = requests(&vault);
    let start = Instant::now();
    for name in &names {
        let file = singles.join(format!("{name}.blob"));
        run(&["backup", "--vault", &uri, "--key", name, "--out", file.to_str().unwrap()]);
    }
    let loop_time = start.elapsed();
    let loop_requests = requests(&vault) - before;
    for name in &names {
        let a = std::fs::read(out.join("keys").join(format!("{name}.blob"))).unwrap();
        let b = std::fs::read(singles.join(format!("{name}.blob"))).unwrap();
        assert_eq!(a, b, "{name}: both ways give the same bytes");
    }
    println!("500 keys, fake vault on loopback (25 keys per listing page)");
    println!("{:<44} {:>10} {:>9}", "", "wall time", "requests");
    println!(
        "{:<44} {:>9.2}s {:>9}",
        "kv-backup backup-vault (--parallel 4)",
        vault_time.as_secs_f64(),
        vault_requests
    );
    println!("{:<44} {:>9.2}s {:>9}", "500 x kv-backup backup --key NAME", loop_time.as_secs_f64(), loop_requests);
    if let Some(rss) = vault_rss {
        println!("backup-vault max RSS at 500 keys: {} KiB", rss);
    }

    // 2. Peak memory as the vault grows.
    println!();
    println!("{:>6} {:>10} {:>9} {:>14}", "keys", "wall time", "requests", "max RSS (KiB)");
    for size in sizes {
        let vault = FakeVault::start().await;
        vault.add_keys(size);
        let uri = vault.uri();
        let dir = tempfile::tempdir().unwrap();
        let (_, time, rss) = run(&["backup-vault", "--vault", &uri, "--out", dir.path().to_str().unwrap()]);
        let rss = rss.map_or_else(|| "n/a".to_owned(), |r| r.to_string());
        println!("{size:>6} {:>9.2}s {:>9} {rss:>14}", time.as_secs_f64(), requests(&vault));
    }
}
