//! Peak memory of a 16 MiB `backup_key` + `restore_key` round trip, above a baseline process.
//!
//! Runs `src/bin/blob_memory.rs` as child processes, `baseline` and `roundtrip` alternately
//! (so drift hits both), takes each mode's median peak RSS (VmHWM), and prints the
//! difference in MB and as a multiple of the blob. Goal: at most 3x the blob.
//!
//! ```sh
//! cargo bench -p keyvault-tests --no-default-features --bench blob_memory
//! # other sizes / more runs: ... -- --mib 32 --runs 9
//! ```
//!
//! Exits non-zero if a child fails; the figure itself is reported, not asserted, because it
//! depends on the allocator and the build profile.

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let mut mib = 16u64;
    let mut runs = 5usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--mib" => mib = args.next().and_then(|v| v.parse().ok()).unwrap_or(mib),
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(runs),
            // cargo bench passes `--bench`; other harness flags do not apply.
            _ => {}
        }
    }
    let exe = env!("CARGO_BIN_EXE_blob_memory");
    let (mut baseline, mut roundtrip) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        for (mode, peaks) in [("baseline", &mut baseline), ("roundtrip", &mut roundtrip)] {
            match run(exe, mode, mib) {
                Ok(kib) => peaks.push(kib),
                Err(message) => {
                    eprintln!("blob_memory {mode}: {message}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    let (base, trip) = (median(&mut baseline), median(&mut roundtrip));
    let blob_bytes = mib * 1024 * 1024;
    let above = trip.saturating_sub(base) * 1024;
    println!("blob: {mib} MiB ({:.1} MB), {runs} runs of each mode", mb(blob_bytes));
    println!("baseline peak RSS (KiB): {baseline:?}, median {base}");
    println!("roundtrip peak RSS (KiB): {roundtrip:?}, median {trip}");
    println!(
        "round trip above baseline: {:.1} MB = {:.2}x the blob (goal <= 3x)",
        mb(above),
        above as f64 / blob_bytes as f64
    );
    ExitCode::SUCCESS
}

fn run(exe: &str, mode: &str, mib: u64) -> Result<u64, String> {
    let output = Command::new(exe).args([mode, "--mib", &mib.to_string()]).output().map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!("{}: {}{}", output.status, stdout, String::from_utf8_lossy(&output.stderr)));
    }
    stdout
        .lines()
        .find_map(|line| line.strip_prefix("peak_kib="))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("no peak_kib line in {stdout:?}"))
}

fn median(values: &mut [u64]) -> u64 {
    values.sort_unstable();
    values[values.len() / 2]
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}
