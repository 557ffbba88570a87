//! `replay DIR... [--client NAME] [--spec FILE]`: replays every recording under each `DIR`
//! through a generated client (feature `dynamic`) and prints one table per folder.
//!
//! Each folder goes to the client its name asks for (`recordings-secrets` → `secrets`,
//! anything else → `keys`; see `keyvault_tests::clients`), or to `--client NAME`. `--spec`
//! names the spec whose examples supply request bodies that a recording did not keep
//! (default: the client's spec in our `spec/`). An exchange the folder's client has no
//! operation for is replayed through the next client of the table that has one. Exits 1 when a file is unreadable or a
//! matched exchange fails, 2 on bad usage. Run it as `cargo xtask replay --recordings DIR`.

use std::path::PathBuf;
use std::process::ExitCode;

use keyvault_tests::clients;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut dirs = Vec::new();
    let mut client = None;
    let mut spec = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--spec" => match args.next() {
                Some(s) => spec = Some(PathBuf::from(s)),
                None => return usage("--spec needs a file"),
            },
            "--client" => match args.next().map(|n| clients::by_name(&n)) {
                Some(Ok(c)) => client = Some(c),
                Some(Err(e)) => return usage(&e),
                None => return usage("--client needs a name"),
            },
            "-h" | "--help" => return usage(""),
            other if other.starts_with("--") => return usage(&format!("unexpected argument `{other}`")),
            _ => dirs.push(PathBuf::from(arg)),
        }
    }
    if dirs.is_empty() {
        return usage("which folder?");
    }
    let mut ok = true;
    for dir in dirs {
        if !dir.is_dir() {
            return usage(&format!("{} is not a folder", dir.display()));
        }
        let route = match client.map_or_else(|| clients::route(&dir), Ok) {
            Ok(c) => c,
            Err(e) => return usage(&e),
        };
        // Exchanges the folder's client has no operation for go to the next client that has.
        match clients::Replay::new(route, spec.as_deref()).replay_dir(&dir) {
            Ok(report) => {
                print!("{}", report.render());
                ok &= report.ok();
            }
            Err(e) => {
                eprintln!("replay: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn usage(problem: &str) -> ExitCode {
    if !problem.is_empty() {
        eprintln!("replay: {problem}");
    }
    let names: Vec<&str> = clients::CLIENTS.iter().map(|c| c.name).collect();
    eprintln!("usage: replay DIR... [--client {}] [--spec FILE]", names.join("|"));
    ExitCode::from(2)
}
