//! `cargo xtask shapes`: every synthetic spec of the shape corpus (`codegen/tests/shapes/`)
//! generated into one temporary cargo workspace, then one `cargo check` and one `cargo doc`
//! over all of them with warnings denied.
//!
//! One workspace and one target folder (`target/shapes`) keep the cost to a single cargo
//! invocation per step: the dependencies are compiled once for every shape, and a shape
//! crate whose output did not change is not rebuilt.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use kv_codegen::{Options, write};

use crate::paths;

/// Arguments of `cargo xtask shapes`.
#[derive(clap::Args)]
pub struct Args {
    /// Only the shapes whose file name contains this.
    #[arg(long)]
    filter: Option<String>,
    /// Generate only; skip `cargo check` and `cargo doc`.
    #[arg(long)]
    no_build: bool,
}

/// The folder holding the shape specs.
pub fn corpus() -> PathBuf {
    paths::project_root().join("codegen/tests/shapes")
}

/// Runs the command; `Err` is a message for the user.
pub fn run(args: Args) -> Result<ExitCode, String> {
    let started = Instant::now();
    let root = paths::project_root();
    let mut specs: Vec<PathBuf> = std::fs::read_dir(corpus())
        .map_err(|e| format!("{}: {e}", corpus().display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| {
            args.filter.as_deref().is_none_or(|f| p.file_name().is_some_and(|n| n.to_string_lossy().contains(f)))
        })
        .collect();
    specs.sort();
    if specs.is_empty() {
        return Err(format!("no shape specs in {}", corpus().display()));
    }
    let target = root.join("target/shapes");
    let ws = target.join("ws");
    std::fs::create_dir_all(&ws).map_err(|e| format!("{}: {e}", ws.display()))?;
    let mut members = Vec::new();
    let mut failed = Vec::new();
    for spec in &specs {
        let stem = spec.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let name = format!("shape-{stem}");
        let opts = Options {
            spec: spec.clone(),
            spec_label: paths::spec_label(spec),
            crate_name: name.clone(),
            client_name: None,
            standalone: false,
            runtime_path: paths::runtime_dir().to_string_lossy().into_owned(),
        };
        match kv_codegen::generate(&opts) {
            Ok(generated) => {
                let dir = ws.join(&name);
                // Unchanged output is left alone, so cargo sees nothing to rebuild.
                let unchanged = write::check(&dir, &generated.files).is_ok_and(|d| d.is_empty());
                if !unchanged {
                    write::write(&dir, &generated.files).map_err(|e| e.to_string())?;
                }
                println!("  {stem:<32} generated: {} operation(s)", generated.operations);
                members.push(name);
            }
            Err(e) => {
                println!("  {stem:<32} FAILED to generate: {e}");
                failed.push(stem);
            }
        }
    }
    let manifest = format!(
        "# Written by `cargo xtask shapes`: one member per shape spec.\n[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
        members.iter().map(|m| format!("\"{m}\"")).collect::<Vec<_>>().join(", ")
    );
    write_if_changed(&ws.join("Cargo.toml"), &manifest)?;
    let lock = ws.join("Cargo.lock");
    if !lock.exists() {
        // The workspace's lock file pins the dependencies to the versions already built.
        let _ = std::fs::copy(root.join("Cargo.lock"), &lock);
    }
    let generated_in = started.elapsed();
    println!("shapes: {} spec(s) generated in {:.1} s", members.len(), generated_in.as_secs_f64());
    if !failed.is_empty() {
        return Err(format!("{} shape(s) failed to generate: {}", failed.len(), failed.join(", ")));
    }
    if args.no_build {
        return Ok(ExitCode::SUCCESS);
    }
    let features = ["--workspace", "--no-default-features", "--features", "dynamic"];
    let t = Instant::now();
    cargo(&ws, &target, "RUSTFLAGS", &[&["check", "--quiet", "--keep-going"][..], &features[..]].concat())?;
    println!("shapes: cargo check (-D warnings) in {:.1} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    cargo(
        &ws,
        &target,
        "RUSTDOCFLAGS",
        &[&["doc", "--quiet", "--no-deps", "--keep-going"][..], &features[..]].concat(),
    )?;
    println!("shapes: cargo doc (-D warnings) in {:.1} s", t.elapsed().as_secs_f64());
    println!(
        "shapes: {} shape(s) compile and document without warnings in {:.1} s",
        members.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn write_if_changed(path: &Path, contents: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    std::fs::write(path, contents).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs cargo in `dir` with warnings denied through `flags_var`; `Err` carries its output.
fn cargo(dir: &Path, target: &Path, flags_var: &str, args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target.join("target"))
        .env(flags_var, "-D warnings")
        .env("CARGO_TERM_COLOR", "never")
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("`cargo {}` failed (output above)", args.join(" "))) }
}
