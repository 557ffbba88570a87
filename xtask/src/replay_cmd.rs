//! `cargo xtask replay --recordings DIR`: replays recorded Key Vault traffic through the
//! generated client and prints one row per recording.
//!
//! The harness is the `replay` binary of the tests crate (`tests/src/bin/replay.rs`, using
//! the generated crate's `dynamic` feature); this command builds and runs it, so xtask keeps
//! depending on the generator only.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use crate::paths;

/// Arguments of `cargo xtask replay`.
#[derive(clap::Args)]
pub struct Args {
    /// The folder of recordings, searched recursively for `*.json` (default: ../shared/recordings).
    #[arg(long)]
    recordings: Option<PathBuf>,
    /// The spec whose examples supply request bodies a recording did not keep (default: ours).
    #[arg(long)]
    spec: Option<PathBuf>,
}

/// Runs the command; `Err` is a message for the user.
pub fn run(args: Args) -> Result<ExitCode, String> {
    let root = paths::project_root();
    let dir = args.recordings.unwrap_or_else(|| root.join("../shared/recordings"));
    let dir = std::fs::canonicalize(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root)
        .args(["run", "--quiet", "-p", "keyvault-tests", "--bin", "replay", "--no-default-features", "--"])
        .arg(&dir);
    if let Some(spec) = args.spec {
        cmd.arg("--spec").arg(std::fs::canonicalize(&spec).map_err(|e| format!("{}: {e}", spec.display()))?);
    }
    let status = cmd.status().map_err(|e| format!("cargo: {e}"))?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}
