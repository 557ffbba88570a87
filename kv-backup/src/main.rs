//! `kv-backup`: back up a Key Vault key, or a whole vault, and restore it into another vault.
//!
//! ```text
//! kv-backup backup  --vault https://source.vault.azure.net --key my-key --out my-key.backup [--force]
//! kv-backup restore --vault https://target.vault.azure.net --in my-key.backup
//! kv-backup backup-vault  --vault https://source.vault.azure.net --out DIR [--parallel N] [--json]
//! kv-backup restore-vault --vault https://target.vault.azure.net --in DIR [--skip-damaged]
//! ```
//!
//! Credentials come from azure_identity (`--credential developer|managed-identity|
//! client-secret|workload-identity`, default `developer`: Azure CLI, then Azure
//! Developer CLI). The backup file holds the blob's raw bytes. Each class of failure
//! has its own exit code (`kv-backup --help` lists them).

mod cli;
mod commands;
mod credential;
mod errors;
mod files;
mod vault;

use std::process::ExitCode;

use clap::Parser;

use crate::errors::{AppError, Class};

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AppError::new(Class::Service, "could not start the async runtime").with_cause(e))
        .and_then(|runtime| runtime.block_on(commands::run(cli.command)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kv-backup: {error}");
            error.exit_code()
        }
    }
}
