//! `cargo xtask codegen`: regenerate, check for drift, or generate from another spec.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use kv_codegen::{Options, write};

use crate::paths;

/// Arguments of `cargo xtask codegen`.
#[derive(clap::Args)]
pub struct Args {
    /// Compare the generated files with what is on disk instead of writing; non-zero exit on drift.
    #[arg(long)]
    check: bool,
    /// The root spec file (default: our 7.4 keys.json under spec/).
    #[arg(long)]
    spec: Option<PathBuf>,
    /// Where the crate goes (default: generated/). Replaced as a whole.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Package name of the generated crate.
    #[arg(long, default_value = "keyvault-keys")]
    crate_name: String,
    /// Name of the client type (default: from the spec file name, keys.json → KeyClient).
    #[arg(long)]
    client_name: Option<String>,
}

/// Runs the command; `Err` is a message for the user.
pub fn run(args: Args) -> Result<ExitCode, String> {
    let started = Instant::now();
    let spec = args.spec.clone().unwrap_or_else(paths::default_spec);
    let out = args.out.clone().unwrap_or_else(paths::default_out);
    // A crate written outside this workspace must not be taken for one of its members.
    let standalone = args.out.is_some() && !inside_workspace(&out);
    let opts = Options {
        spec: spec.clone(),
        spec_label: paths::spec_label(&spec),
        crate_name: args.crate_name,
        client_name: args.client_name,
        standalone,
    };
    let generated = kv_codegen::generate(&opts).map_err(|e| e.to_string())?;
    for ex in generated.examples.iter().filter(|e| !e.exists) {
        eprintln!(
            "warning: example `{}` of {} is referenced but missing: {}",
            ex.title,
            ex.operation_id.as_deref().unwrap_or("?"),
            ex.path.display()
        );
    }
    let t = &generated.timings;
    let summary = format!(
        "{} operations, {} schemas, {} enums → {} files, {} lines of Rust (prepare {:.1} ms, progenitor {:.1} ms, emit {:.1} ms)",
        generated.operations,
        generated.schemas,
        generated.enums,
        generated.files.len(),
        generated.rust_lines(),
        t.prepare.as_secs_f64() * 1e3,
        t.progenitor.as_secs_f64() * 1e3,
        t.emit.as_secs_f64() * 1e3,
    );
    if args.check {
        let drift = write::check(&out, &generated.files).map_err(|e| e.to_string())?;
        if drift.is_empty() {
            println!("codegen --check: {} is up to date with {} ({summary})", out.display(), opts.spec_label);
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!("codegen --check: {} differs from what {} generates:", out.display(), opts.spec_label);
        for d in &drift {
            eprintln!("  {d}");
        }
        eprintln!("run `cargo xtask codegen` and commit the result");
        return Ok(ExitCode::FAILURE);
    }
    write::write(&out, &generated.files).map_err(|e| e.to_string())?;
    println!(
        "codegen: wrote {} from {}: {summary}; {:.0} ms in all",
        out.display(),
        opts.spec_label,
        started.elapsed().as_secs_f64() * 1e3
    );
    Ok(ExitCode::SUCCESS)
}

fn inside_workspace(out: &std::path::Path) -> bool {
    let root = std::fs::canonicalize(paths::project_root()).unwrap_or_else(|_| paths::project_root());
    let parent = out.parent().map(|p| if p.as_os_str().is_empty() { std::path::Path::new(".") } else { p });
    parent.and_then(|p| std::fs::canonicalize(p).ok()).is_some_and(|p| p.starts_with(&root))
}
