//! `cargo xtask diff`: what regenerating from another spec changes in the client's public
//! API, and the version bump that needs.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use kv_codegen::diff::{self, Bump, report};

use crate::paths;

/// Output format.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// For a terminal.
    Text,
    /// For a pull-request comment or a CHANGELOG entry.
    Markdown,
    /// For tools.
    Json,
}

/// When to exit with status 1.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// A change that needs a major version.
    Breaking,
    /// Any change to the generated code.
    Any,
}

/// Arguments of `cargo xtask diff`.
#[derive(clap::Args)]
pub struct Args {
    /// The old spec: a file; or a git revision (`HEAD~1`), meaning the --to file as it was at
    /// that revision; or `REV:path/to/keys.json`.
    #[arg(long)]
    from: String,
    /// The new spec file (default: our keys.json under spec/).
    #[arg(long)]
    to: Option<PathBuf>,
    /// How to print the changes.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Exit with status 1 on a breaking change, or on any change.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
}

/// Runs the command; `Err` is a message for the user (exit status 2).
pub fn run(args: Args) -> Result<ExitCode, String> {
    let started = Instant::now();
    let to = args.to.clone().unwrap_or_else(paths::default_spec);
    let (from, _checkout) = resolve_from(&args.from, &to)?;
    let result = diff::specs(&from.path, &to).map_err(|e| match &_checkout {
        // Errors name the revision, not the temporary folder it was copied into.
        Some(dir) => e.to_string().replace(&format!("{}/", dir.path().display()), &format!("{}:", from.label)),
        None => e.to_string(),
    })?;
    let text = match args.format {
        Format::Text => report::text(&result),
        Format::Markdown => report::markdown(&result),
        Format::Json => report::json(&result),
    };
    print!("{text}");
    if !text.ends_with('\n') {
        println!();
    }
    eprintln!("diff: {} → {} in {:.0} ms", from.label, paths::spec_label(&to), started.elapsed().as_secs_f64() * 1e3);
    let failed = match args.fail_on {
        Some(FailOn::Breaking) => result.bump == Bump::Major,
        Some(FailOn::Any) => result.bump != Bump::None,
        None => false,
    };
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// The old spec's path, and how to name it.
struct From {
    path: PathBuf,
    label: String,
}

/// A file stays a file; anything else is a git revision, whose spec folder is copied out
/// whole (cross-file `$ref`s must resolve) into a temporary folder kept alive by the caller.
fn resolve_from(from: &str, to: &Path) -> Result<(From, Option<tempfile::TempDir>), String> {
    if Path::new(from).is_file() {
        return Ok((From { path: from.into(), label: paths::spec_label(Path::new(from)) }, None));
    }
    let top = git(&["rev-parse", "--show-toplevel"], &paths::project_root())?;
    let top = PathBuf::from(top.trim());
    let (rev, rel) = match from.split_once(':') {
        Some((rev, path)) => (rev.to_string(), PathBuf::from(path)),
        None => {
            let abs = std::fs::canonicalize(to).map_err(|e| format!("{}: {e}", to.display()))?;
            let top = std::fs::canonicalize(&top).unwrap_or(top.clone());
            let rel = abs.strip_prefix(&top).map_err(|_| {
                format!(
                    "--from {from} is not a file, and as a git revision it needs a --to inside the repository ({}); or give REV:path",
                    top.display()
                )
            })?;
            (from.to_string(), rel.to_path_buf())
        }
    };
    let folder = rel.components().next().ok_or_else(|| format!("--from {from}: no path after the revision"))?;
    git(&["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")], &top)
        .map_err(|_| format!("--from {from}: neither a file nor a git revision of {}", top.display()))?;
    let dir = tempfile::tempdir().map_err(|e| format!("temporary folder: {e}"))?;
    let folder = folder.as_os_str().to_string_lossy().into_owned();
    let mut archive = Command::new("git")
        .args(["archive", "--format=tar", &rev, "--", &folder])
        .current_dir(&top)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("git archive: {e}"))?;
    let tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(dir.path())
        .stdin(archive.stdout.take().ok_or("git archive: no output")?)
        .output()
        .map_err(|e| format!("tar: {e}"))?;
    let archived = archive.wait_with_output().map_err(|e| format!("git archive: {e}"))?;
    if !archived.status.success() || !tar.status.success() {
        return Err(format!(
            "git archive {rev} -- {folder}: {}{}",
            String::from_utf8_lossy(&archived.stderr).trim(),
            String::from_utf8_lossy(&tar.stderr).trim()
        ));
    }
    let path = dir.path().join(&rel);
    if !path.is_file() {
        return Err(format!("--from {from}: {} does not exist at {rev}", rel.display()));
    }
    let label = format!("{rev}:{}", rel.to_string_lossy().replace('\\', "/"));
    Ok((From { path, label }, Some(dir)))
}

fn git(args: &[&str], dir: &Path) -> Result<String, String> {
    let out = Command::new("git").args(args).current_dir(dir).output().map_err(|e| format!("git: {e}"))?;
    if !out.status.success() {
        return Err(format!("git {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
