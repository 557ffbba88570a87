//! `cargo xtask codegen`: regenerate every client, check them for drift, or generate one
//! crate from another spec.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use kv_codegen::{Generated, Options, write};

use crate::clients::{CLIENTS, ClientSpec};
use crate::paths;

/// Arguments of `cargo xtask codegen`.
#[derive(clap::Args)]
pub struct Args {
    /// Compare the generated files with what is on disk instead of writing; non-zero exit on drift.
    #[arg(long)]
    check: bool,
    /// Generate one crate from this spec (needs --out) instead of every client of the list
    /// in xtask/src/clients.rs.
    #[arg(long, requires = "out")]
    spec: Option<PathBuf>,
    /// With --spec: where the crate goes. Without: the folder that receives one sub-folder
    /// per client (default: generated/). Replaced as a whole.
    #[arg(long)]
    out: Option<PathBuf>,
    /// With --spec: package name of the generated crate.
    #[arg(long, default_value = "keyvault-client")]
    crate_name: String,
    /// With --spec: name of the client type (default: from the spec file name, keys.json → KeyClient).
    #[arg(long)]
    client_name: Option<String>,
}

/// Runs the command; `Err` is a message for the user.
pub fn run(args: Args) -> Result<ExitCode, String> {
    let started = Instant::now();
    let jobs: Vec<(Options, PathBuf)> = match &args.spec {
        Some(spec) => {
            let out = args.out.clone().expect("clap requires --out with --spec");
            vec![(options(spec, &out, args.crate_name.clone(), args.client_name.clone()), out)]
        }
        None => {
            let root = args.out.clone().unwrap_or_else(paths::generated_dir);
            CLIENTS.iter().map(|c| job(c, &root)).collect()
        }
    };
    let mut drifted = false;
    for (opts, out) in &jobs {
        let generated = kv_codegen::generate(opts).map_err(|e| e.to_string())?;
        warn_missing_examples(&generated);
        let summary = summary(&generated);
        if args.check {
            let drift = write::check(out, &generated.files).map_err(|e| e.to_string())?;
            if drift.is_empty() {
                println!("codegen --check: {} is up to date with {} ({summary})", out.display(), opts.spec_label);
            } else {
                drifted = true;
                eprintln!("codegen --check: {} differs from what {} generates:", out.display(), opts.spec_label);
                for d in &drift {
                    eprintln!("  {d}");
                }
            }
        } else {
            write::write(out, &generated.files).map_err(|e| e.to_string())?;
            println!("codegen: wrote {} from {}: {summary}", out.display(), opts.spec_label);
        }
    }
    if args.spec.is_none() {
        let root = args.out.clone().unwrap_or_else(paths::generated_dir);
        let stray = stray_crates(&root);
        if !stray.is_empty() {
            drifted = true;
            for dir in &stray {
                eprintln!(
                    "codegen: {} is not a client of xtask/src/clients.rs; remove it or add it to the list",
                    dir.display()
                );
            }
        }
    }
    if drifted {
        eprintln!("run `cargo xtask codegen` and commit the result");
        return Ok(ExitCode::FAILURE);
    }
    if !args.check {
        println!("codegen: {} crate(s) in {:.0} ms", jobs.len(), started.elapsed().as_secs_f64() * 1e3);
    }
    Ok(ExitCode::SUCCESS)
}

/// The generation of one listed client into `root/<crate>`.
fn job(client: &ClientSpec, root: &Path) -> (Options, PathBuf) {
    let spec = paths::project_root().join(client.spec);
    let out = root.join(client.crate_name);
    (options(&spec, &out, client.crate_name.to_owned(), Some(client.client.to_owned())), out)
}

fn options(spec: &Path, out: &Path, crate_name: String, client_name: Option<String>) -> Options {
    // A crate written outside this workspace must not be taken for one of its members, and
    // finds the runtime by absolute path.
    let standalone = !inside_workspace(out);
    let runtime_path =
        if standalone { paths::runtime_dir().to_string_lossy().into_owned() } else { relative_runtime_path(out) };
    Options {
        spec: spec.to_path_buf(),
        spec_label: paths::spec_label(spec),
        crate_name,
        client_name,
        standalone,
        runtime_path,
    }
}

fn warn_missing_examples(generated: &Generated) {
    for ex in generated.examples.iter().filter(|e| !e.exists) {
        eprintln!(
            "warning: example `{}` of {} is referenced but missing: {}",
            ex.title,
            ex.operation_id.as_deref().unwrap_or("?"),
            ex.path.display()
        );
    }
}

fn summary(generated: &Generated) -> String {
    let t = &generated.timings;
    format!(
        "{} operations, {} schemas, {} enums → {} files, {} lines of Rust (prepare {:.1} ms, progenitor {:.1} ms, emit {:.1} ms)",
        generated.operations,
        generated.schemas,
        generated.enums,
        generated.files.len(),
        generated.rust_lines(),
        t.prepare.as_secs_f64() * 1e3,
        t.progenitor.as_secs_f64() * 1e3,
        t.emit.as_secs_f64() * 1e3,
    )
}

/// Crate folders under `root` that the list does not name.
fn stray_crates(root: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root) else { return Vec::new() };
    let mut stray: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .filter(|p| !CLIENTS.iter().any(|c| p.file_name().is_some_and(|n| n == c.crate_name)))
        .collect();
    stray.sort();
    stray
}

/// The runtime's folder relative to the crate folder `out` (inside the workspace).
fn relative_runtime_path(out: &Path) -> String {
    let root = canonical(&paths::project_root());
    let out = canonical_prefix(out);
    let depth = out.strip_prefix(&root).map(|rel| rel.components().count()).unwrap_or(0);
    let mut path = "../".repeat(depth);
    path.push_str("runtime");
    path
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// `p` with its longest existing ancestor canonicalized (the crate folder may not exist yet).
fn canonical_prefix(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(p) };
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return abs,
        }
    }
    let mut out = canonical(existing);
    out.extend(rest.iter().rev());
    out
}

fn inside_workspace(out: &Path) -> bool {
    canonical_prefix(out).starts_with(canonical(&paths::project_root()))
}
