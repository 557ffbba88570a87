//! `cargo xtask`: the maintainers' command line, a thin layer over `kv-codegen`.

mod clients;
mod codegen_cmd;
mod conformance;
mod diff_cmd;
mod fuzz_cmd;
mod paths;
mod replay_cmd;
mod shapes_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Maintenance tasks for the Key Vault client generator")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the client crate from a spec (by default: spec/ → generated/).
    Codegen(codegen_cmd::Args),
    /// Generate, compile and run the examples of every Key Vault data-plane spec of an
    /// azure-rest-api-specs checkout; one row per file.
    Conformance(conformance::Args),
    /// Replay recorded service traffic through the generated client; one row per recording.
    Replay(replay_cmd::Args),
    /// What a spec update changes in the generated client's public API, and the semver bump.
    Diff(diff_cmd::Args),
    /// Generate every spec of the shape corpus and compile them all, warnings denied.
    Shapes(shapes_cmd::Args),
    /// Fuzz the whole generator, in memory, for a bounded time (nightly + cargo-fuzz).
    Fuzz(fuzz_cmd::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Codegen(args) => codegen_cmd::run(args),
        Command::Conformance(args) => conformance::run(args),
        Command::Replay(args) => replay_cmd::run(args),
        Command::Diff(args) => diff_cmd::run(args),
        Command::Shapes(args) => shapes_cmd::run(args),
        Command::Fuzz(args) => fuzz_cmd::run(args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
