//! `cargo xtask replay --recordings DIR [--recordings DIR...] [--client NAME]`: replays
//! recorded Key Vault traffic through the generated clients and prints one row per recording.
//!
//! The harness is the `replay` binary of the tests crate (`tests/src/bin/replay.rs`, using
//! the generated crates' `dynamic` feature); this command builds and runs it, so xtask keeps
//! depending on the generator only. Each folder goes to the client its name asks for
//! (`recordings-secrets` → secrets; see `tests/src/clients.rs`) unless `--client` says.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use crate::paths;

/// Arguments of `cargo xtask replay`.
#[derive(clap::Args)]
pub struct Args {
    /// A folder of recordings, searched recursively for `*.json`, `*.yaml` and `*.yml`;
    /// repeat for several (default: ../shared/recordings).
    #[arg(long)]
    recordings: Vec<PathBuf>,
    /// The client to replay through (`keys`), instead of the one the folder's name routes to.
    #[arg(long)]
    client: Option<String>,
    /// The spec whose examples supply request bodies a recording did not keep (default: the
    /// client's spec in ours).
    #[arg(long)]
    spec: Option<PathBuf>,
}

/// Runs the command; `Err` is a message for the user.
pub fn run(args: Args) -> Result<ExitCode, String> {
    let root = paths::project_root();
    let dirs = if args.recordings.is_empty() { vec![root.join("../shared/recordings")] } else { args.recordings };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root).args([
        "run",
        "--quiet",
        "-p",
        "keyvault-tests",
        "--bin",
        "replay",
        "--no-default-features",
        "--",
    ]);
    for dir in dirs {
        cmd.arg(std::fs::canonicalize(&dir).map_err(|e| format!("{}: {e}", dir.display()))?);
    }
    if let Some(client) = args.client {
        cmd.arg("--client").arg(client);
    }
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
