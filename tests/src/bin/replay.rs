//! `replay DIR [--spec KEYS_JSON]`: replays every recording under `DIR` through the
//! generated `KeyClient` (feature `dynamic`) and prints one row per recording.
//!
//! `--spec` names the spec whose examples supply request bodies that a recording did not
//! keep (default: our 7.4 keys.json). Exits 1 when a matched exchange fails, 2 on bad usage.
//! Run it as `cargo xtask replay --recordings DIR`.

use std::path::PathBuf;
use std::process::ExitCode;

use keyvault_tests::replay;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut spec = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../spec/specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/keys.json");
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--spec" => match args.next() {
                Some(s) => spec = PathBuf::from(s),
                None => return usage("--spec needs a file"),
            },
            "-h" | "--help" => return usage(""),
            _ if dir.is_none() => dir = Some(PathBuf::from(arg)),
            other => return usage(&format!("unexpected argument `{other}`")),
        }
    }
    let Some(dir) = dir else { return usage("which folder?") };
    if !dir.is_dir() {
        return usage(&format!("{} is not a folder", dir.display()));
    }
    let api = keyvault_tests::dynamic_api!(keyvault_keys, KeyClient);
    let bodies = replay::example_bodies(&api, &spec);
    match replay::replay_dir_blocking(&api, &dir, &bodies) {
        Ok(report) => {
            print!("{}", report.render());
            if report.ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
        Err(e) => {
            eprintln!("replay: {e}");
            ExitCode::from(2)
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    if !problem.is_empty() {
        eprintln!("replay: {problem}");
    }
    eprintln!("usage: replay DIR [--spec KEYS_JSON]");
    ExitCode::from(2)
}
