//! `cargo xtask conformance --upstream DIR`: the generator on every Key Vault data-plane spec
//! of an azure-rest-api-specs checkout, old dialect and new.
//!
//! For each JSON file under `specification/keyvault/data-plane/` (examples excluded), in path
//! order:
//!
//! 1. generate a client crate into a temporary folder (the generator's errors name the file
//!    and JSON pointer);
//! 2. compile it as a user would, `cargo build --no-default-features` with `-D warnings`;
//! 3. build a small harness crate beside it that depends on the client with its `dynamic`
//!    feature and compiles in the example runner of the tests crate, and run it: every
//!    `x-ms-examples` file of the spec that exists on disk becomes a test (see
//!    `tests/src/examples.rs`); missing ones are counted, not failed;
//! 4. with `--recordings DIR`, the same harness also replays the recorded traffic through
//!    this client (see `tests/src/replay/mod.rs`; request bodies a recording did not keep come
//!    from the examples of `--bodies`, our own spec by default). This gives the specs whose
//!    examples are not on disk (7.5 and later) a run against real service responses.
//!
//! One row per file; the exit code is non-zero when any row fails. Every build shares one
//! target folder, `target/conformance`, and starts from this workspace's `Cargo.lock`, so the
//! dependencies are compiled once for all files. The crates live in
//! `target/conformance/crates/<file>/{client,harness}`, rewritten only when their content
//! changes: a second run recompiles nothing that did not change, and the target folder does
//! not grow with every run (as it would with a fresh temporary folder each time). A file
//! without operations (`common.json`, definitions shared through `$ref`) is listed and not
//! generated.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use kv_codegen::{Options, write};

use crate::paths;

/// Arguments of `cargo xtask conformance`.
#[derive(clap::Args)]
pub struct Args {
    /// Root of an azure-rest-api-specs checkout (default: ../shared/azure-rest-api-specs).
    #[arg(long)]
    upstream: Option<PathBuf>,
    /// Only the files whose path relative to `data-plane/` contains this text.
    #[arg(long)]
    filter: Option<String>,
    /// Also replay recordings through the generated clients; repeat for several folders. A
    /// folder named `…-NAME` (`recordings-secrets`) replays through the client of every
    /// `NAME.json`; a folder without such a suffix through the `keys.json` clients.
    #[arg(long)]
    recordings: Vec<PathBuf>,
    /// The spec whose examples supply request bodies a recording did not keep (default: our
    /// spec of the same name, e.g. our 7.4 secrets.json for every secrets.json).
    #[arg(long)]
    bodies: Option<PathBuf>,
    /// Print each harness's per-example report, not only failures.
    #[arg(long, short)]
    verbose: bool,
}

/// What the harness is asked to run besides the examples.
struct Replay {
    recordings: PathBuf,
    bodies: PathBuf,
}

/// The recordings of `spec`'s area, if any folder holds them: `recordings-NAME` serves every
/// `NAME.json`, a folder without a `-NAME` suffix serves `keys.json`; request bodies a
/// recording did not keep come from `bodies`, or from our spec of the same file name.
fn replay_for(spec: &Path, folders: &[PathBuf], bodies: Option<&Path>) -> Option<Replay> {
    let stem = spec.file_stem()?.to_string_lossy().into_owned();
    let area = |dir: &PathBuf| {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        match name.rsplit_once('-') {
            Some((_, suffix)) => suffix.to_owned(),
            None => "keys".to_owned(),
        }
    };
    let recordings = folders.iter().find(|dir| area(dir) == stem)?.clone();
    let ours = paths::default_spec().with_file_name(format!("{stem}.json"));
    let bodies =
        bodies.map(Path::to_path_buf).unwrap_or_else(|| if ours.is_file() { ours } else { paths::default_spec() });
    Some(Replay { recordings, bodies })
}

/// One row of the table.
struct Row {
    file: String,
    operations: Option<usize>,
    generated: Result<f64, String>,
    compiled: Option<Result<f64, String>>,
    examples: Option<Result<Examples, String>>,
    replay: Option<Result<Replayed, String>>,
    seconds: f64,
    note: Option<String>,
}

struct Examples {
    passed: usize,
    total: usize,
    missing: usize,
}

struct Replayed {
    passed: usize,
    matched: usize,
    failed: usize,
    unmatched: usize,
}

impl Row {
    fn ok(&self) -> bool {
        if self.note.is_some() && self.operations.is_none() {
            return true;
        }
        self.generated.is_ok()
            && matches!(self.compiled, Some(Ok(_)))
            && matches!(&self.examples, Some(Ok(e)) if e.passed == e.total)
            && match &self.replay {
                None => true,
                Some(Ok(r)) => r.failed == 0,
                Some(Err(_)) => false,
            }
    }

    fn reason(&self) -> Option<String> {
        if let Err(e) = &self.generated {
            return Some(e.clone());
        }
        if let Some(Err(e)) = &self.compiled {
            return Some(e.clone());
        }
        match &self.examples {
            Some(Err(e)) => return Some(e.clone()),
            Some(Ok(e)) if e.passed != e.total => return Some(format!("{} example(s) failed", e.total - e.passed)),
            _ => {}
        }
        match &self.replay {
            Some(Err(e)) => Some(e.clone()),
            Some(Ok(r)) if r.failed > 0 => Some(format!("{} replayed exchange(s) failed", r.failed)),
            _ => None,
        }
    }
}

/// Runs the command; `Err` is a message for the user.
pub fn run(args: Args) -> Result<ExitCode, String> {
    let started = Instant::now();
    let root = paths::project_root();
    let upstream = args.upstream.clone().unwrap_or_else(|| root.join("../shared/azure-rest-api-specs"));
    let plane = upstream.join("specification/keyvault/data-plane");
    if !plane.is_dir() {
        return Err(format!("{} has no specification/keyvault/data-plane folder", upstream.display()));
    }
    let mut specs = Vec::new();
    collect_specs(&plane, &mut specs).map_err(|e| format!("{}: {e}", plane.display()))?;
    specs.sort();
    if let Some(f) = &args.filter {
        specs.retain(|s| relative(&plane, s).contains(f.as_str()));
    }
    if specs.is_empty() {
        return Err(format!("no spec files under {}", plane.display()));
    }
    let folders = args
        .recordings
        .iter()
        .map(|dir| std::fs::canonicalize(dir).map_err(|e| format!("{}: {e}", dir.display())))
        .collect::<Result<Vec<_>, _>>()?;
    let target = root.join("target/conformance");
    let work = target.join("crates");
    println!("conformance: {} file(s) under {}; crates in {}", specs.len(), plane.display(), work.display());
    let mut rows = Vec::new();
    for spec in &specs {
        let replay = replay_for(spec, &folders, args.bodies.as_deref());
        let row = run_one(&root, &plane, spec, &work, &target, replay.as_ref(), args.verbose);
        print_progress(&row);
        rows.push(row);
    }
    println!();
    print!("{}", table(&rows));
    let failed = rows.iter().filter(|r| !r.ok()).count();
    println!(
        "conformance: {} of {} file(s) pass in {:.0} s",
        rows.len() - failed,
        rows.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn collect_specs(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "examples") {
                collect_specs(&path, out)?;
            }
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

fn relative(base: &Path, path: &Path) -> String {
    path.strip_prefix(base).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

/// `Microsoft.KeyVault/stable/7.4/keys.json` → `stable-7-4-keys`.
fn slug(rel: &str) -> String {
    let rel = rel.strip_prefix("Microsoft.KeyVault/").unwrap_or(rel);
    let rel = rel.strip_suffix(".json").unwrap_or(rel);
    let mut s: String =
        rel.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    s.trim_matches('-').to_owned()
}

/// Whether the file declares operations (`paths` with at least one entry).
fn has_operations(spec: &Path) -> Result<bool, String> {
    let text = std::fs::read_to_string(spec).map_err(|e| e.to_string())?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{}#: {e}", spec.display()))?;
    Ok(["paths", "x-ms-paths"].iter().any(|k| doc.get(*k).and_then(|p| p.as_object()).is_some_and(|p| !p.is_empty())))
}

fn run_one(
    root: &Path,
    plane: &Path,
    spec: &Path,
    work: &Path,
    target: &Path,
    replay: Option<&Replay>,
    verbose: bool,
) -> Row {
    let started = Instant::now();
    let file = relative(plane, spec);
    let mut row = Row {
        file: file.clone(),
        operations: None,
        generated: Err(String::new()),
        compiled: None,
        examples: None,
        replay: None,
        seconds: 0.0,
        note: None,
    };
    match has_operations(spec) {
        Ok(false) => {
            row.generated = Ok(0.0);
            row.note = Some("no operations: definitions shared by the other files (#/paths is empty)".into());
            return row;
        }
        Err(e) => {
            row.generated = Err(e);
            return row;
        }
        Ok(true) => {}
    }

    // 1. Generate.
    let slug = slug(&file);
    let crate_name = format!("kvc-{slug}");
    let client_dir = work.join(&slug).join("client");
    let client_name = kv_codegen::client_name_for(spec);
    let opts = Options {
        spec: spec.to_path_buf(),
        spec_label: paths::spec_label(spec),
        crate_name: crate_name.clone(),
        client_name: Some(client_name.clone()),
        standalone: true,
        runtime_path: paths::runtime_dir().to_string_lossy().into_owned(),
    };
    let t = Instant::now();
    let generated = match kv_codegen::generate(&opts) {
        Ok(g) => g,
        Err(e) => {
            row.generated = Err(e.to_string());
            row.seconds = started.elapsed().as_secs_f64();
            return row;
        }
    };
    row.generated = Ok(t.elapsed().as_secs_f64() * 1e3);
    row.operations = Some(generated.operations);
    // Unchanged output is left alone, so cargo sees nothing to rebuild.
    let unchanged = write::check(&client_dir, &generated.files)
        .is_ok_and(|drift| drift.iter().all(|d| matches!(d, write::Drift::Extra(p) if p.as_os_str() == "Cargo.lock")));
    if !unchanged && let Err(e) = write::write(&client_dir, &generated.files) {
        row.generated = Err(e.to_string());
        return row;
    }
    let missing = generated.examples.iter().filter(|e| !e.exists).count();
    if missing > 0 {
        eprintln!("warning: {file}: {missing} example file(s) referenced but missing on disk");
    }

    // 2. Compile as a user would.
    let lock = root.join("Cargo.lock");
    seed_lock(&lock, &client_dir);
    let t = Instant::now();
    let compiled =
        cargo(&client_dir, target, &["build", "--quiet", "--no-default-features"]).map(|_| t.elapsed().as_secs_f64());
    let compiled_ok = compiled.is_ok();
    row.compiled = Some(compiled);
    if !compiled_ok {
        row.seconds = started.elapsed().as_secs_f64();
        return row;
    }

    // 3. The example-derived tests, through the `dynamic` feature, and 4. the replay.
    let harness_dir = work.join(&slug).join("harness");
    let bin = match harness(root, &harness_dir, &crate_name, &client_name, &lock, target) {
        Ok(bin) => bin,
        Err(e) => {
            row.examples = Some(Err(e));
            row.seconds = started.elapsed().as_secs_f64();
            return row;
        }
    };
    let mut cmd = Command::new(&bin);
    cmd.arg(spec);
    if let Some(r) = replay {
        cmd.arg("--recordings").arg(&r.recordings).arg("--bodies").arg(&r.bodies);
    }
    match cmd.output() {
        Err(e) => row.examples = Some(Err(format!("{}: {e}", bin.display()))),
        Ok(out) => {
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let no_summary = |what: &str| format!("the harness printed no {what} summary: {}", stderr.trim());
            let examples = stdout.lines().find_map(parse_examples).ok_or_else(|| no_summary("examples"));
            let replayed = replay.map(|_| stdout.lines().find_map(parse_replay).ok_or_else(|| no_summary("replay")));
            let failing = !matches!(&examples, Ok(e) if e.passed == e.total)
                || matches!(&replayed, Some(Err(_)) | Some(Ok(Replayed { failed: 1.., .. })));
            if verbose || failing {
                // Failures with their indented problem lines, and the summaries.
                let mut in_failure = false;
                for line in stdout.lines() {
                    let indented = line.starts_with(' ');
                    in_failure = line.starts_with("FAIL") || (in_failure && indented);
                    let summary = line.starts_with("examples:") || line.starts_with("replay:");
                    if verbose || in_failure || summary {
                        println!("    {line}");
                    }
                }
            }
            row.examples = Some(examples);
            row.replay = replayed;
        }
    }
    row.seconds = started.elapsed().as_secs_f64();
    row
}

/// `examples: 24 passed of 24 (0 missing on disk) in 0.05 s`.
fn parse_examples(line: &str) -> Option<Examples> {
    let rest = line.strip_prefix("examples: ")?;
    let words: Vec<&str> = rest.split_whitespace().collect();
    let passed = words.first()?.parse().ok()?;
    let total = words.get(3)?.parse().ok()?;
    let missing = words.get(4)?.trim_start_matches('(').parse().ok()?;
    Some(Examples { passed, total, missing })
}

/// `replay: 411 of 411 matched exchanges passed, 0 failed, 0 unmatched (...)`.
fn parse_replay(line: &str) -> Option<Replayed> {
    let rest = line.strip_prefix("replay: ")?;
    let words: Vec<&str> = rest.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).collect();
    Some(Replayed {
        passed: words.first()?.parse().ok()?,
        matched: words.get(2)?.parse().ok()?,
        failed: words.get(6)?.parse().ok()?,
        unmatched: words.get(8)?.parse().ok()?,
    })
}

/// Writes and builds the harness crate; returns its binary.
fn harness(
    root: &Path,
    dir: &Path,
    crate_name: &str,
    client_name: &str,
    lock: &Path,
    target: &Path,
) -> Result<PathBuf, String> {
    let package = format!("{crate_name}-harness");
    // The example runner is compiled into the harness from its source (tests/src/examples.rs)
    // rather than through the keyvault-tests crate, so an upstream spec's row never depends
    // on our own generated crate compiling.
    let manifest = format!(
        r#"[package]
name = "{package}"
version = "0.0.0"
edition = "2024"
publish = false

# Built on its own, outside any enclosing workspace.
[workspace]

[dependencies]
client = {{ package = "{crate_name}", path = "../client", default-features = false, features = ["dynamic"] }}
serde_json = "1"
serde_norway = "0.9"
tokio = {{ version = "1", features = ["macros", "rt-multi-thread", "time"] }}
wiremock = "0.6"
"#
    );
    let main = format!(
        r#"//! `harness SPEC [--recordings DIR --bodies SPEC]`: runs the `x-ms-examples` of SPEC against
//! the generated client, and replays the recordings under DIR through it.

#[path = {examples:?}]
#[allow(dead_code)]
mod examples;
// The harness uses a part of the replay module: its other public items and re-exports go unused here.
#[path = {replay:?}]
#[allow(dead_code, unused_imports)]
mod replay;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {{
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(spec) = args.first().map(PathBuf::from) else {{
        eprintln!("usage: harness SPEC [--recordings DIR --bodies SPEC]");
        return ExitCode::from(2);
    }};
    let flag = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(PathBuf::from);
    let api = crate::dynamic_api!(client, {client_name});
    let mut ok = true;
    match examples::run_examples_blocking(&api, &spec, &[]) {{
        Ok(report) => {{
            print!("{{}}", report.render());
            ok &= report.passed() == report.total();
        }}
        Err(e) => {{
            eprintln!("examples: {{e}}");
            return ExitCode::from(2);
        }}
    }}
    if let Some(dir) = flag("--recordings") {{
        let bodies = flag("--bodies").map(|b| replay::example_bodies(&api, &b)).unwrap_or_default();
        match replay::replay_dir_blocking(&api, &dir, &bodies) {{
            Ok(report) => {{
                print!("{{}}", report.render());
                ok &= report.ok();
            }}
            Err(e) => {{
                eprintln!("replay: {{e}}");
                return ExitCode::from(2);
            }}
        }}
    }}
    if ok {{ ExitCode::SUCCESS }} else {{ ExitCode::FAILURE }}
}}
"#,
        examples = root.join("tests/src/examples.rs").to_string_lossy(),
        replay = root.join("tests/src/replay/mod.rs").to_string_lossy(),
    );
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    write_if_changed(&dir.join("Cargo.toml"), &manifest)?;
    write_if_changed(&dir.join("src/main.rs"), &main)?;
    seed_lock(lock, dir);
    cargo(dir, target, &["build", "--quiet"])?;
    Ok(target.join("debug").join(format!("{package}{}", std::env::consts::EXE_SUFFIX)))
}

fn write_if_changed(path: &Path, contents: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    std::fs::write(path, contents).map_err(|e| format!("{}: {e}", path.display()))
}

/// Starts a crate's lock file from the workspace's, so its dependencies resolve to the
/// versions already built (cargo prunes what the crate does not use). `write::write`
/// replaces the client folder as a whole, so the seed is put back after each rewrite.
fn seed_lock(lock: &Path, dir: &Path) {
    let target = dir.join("Cargo.lock");
    if !target.exists() {
        let _ = std::fs::copy(lock, target);
    }
}

/// Runs cargo in `dir` with the shared target folder and warnings denied; `Err` holds the
/// first error lines.
fn cargo(dir: &Path, target: &Path, args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("RUSTFLAGS", "-D warnings")
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first: Vec<&str> =
        stderr.lines().skip_while(|l| !l.starts_with("error") && !l.starts_with("warning")).take(8).collect();
    Err(format!("`cargo {}` failed: {}", args.join(" "), if first.is_empty() { stderr.trim() } else { "" })
        + &first.join("\n      "))
}

fn print_progress(row: &Row) {
    let verdict = if row.ok() { "ok" } else { "FAILED" };
    println!("  {:<44} {verdict} ({:.1} s)", row.file, row.seconds);
}

fn table(rows: &[Row]) -> String {
    let width = rows.iter().map(|r| r.file.len()).max().unwrap_or(4).max(4);
    let replayed = rows.iter().any(|r| r.replay.is_some());
    let replay_head = if replayed { format!("  {:>26}", "replay passed/matched") } else { String::new() };
    let mut s = format!(
        "{:<width$}  {:>10}  {:>15}  {:>13}  {:>24}{replay_head}  {:>7}\n",
        "file", "operations", "generated", "compiles", "examples passed/total", "time"
    );
    for r in rows {
        let ops = r.operations.map_or("-".to_owned(), |n| n.to_string());
        let generated = match (&r.generated, &r.note) {
            (Ok(_), Some(_)) if r.operations.is_none() => "-".to_owned(),
            (Ok(ms), _) => format!("yes {ms:.0} ms"),
            (Err(_), _) => "no".to_owned(),
        };
        let compiles = match &r.compiled {
            Some(Ok(s)) => format!("yes {s:.1} s"),
            Some(Err(_)) => "no".to_owned(),
            None => "-".to_owned(),
        };
        let examples = match &r.examples {
            Some(Ok(e)) if e.missing > 0 => format!("{}/{} ({} missing)", e.passed, e.total, e.missing),
            Some(Ok(e)) => format!("{}/{}", e.passed, e.total),
            Some(Err(_)) => "not run".to_owned(),
            None => "-".to_owned(),
        };
        let replay = match (&r.replay, replayed) {
            (_, false) => String::new(),
            (Some(Ok(x)), _) if x.unmatched > 0 => {
                format!("  {:>26}", format!("{}/{} ({} unmatched)", x.passed, x.matched, x.unmatched))
            }
            (Some(Ok(x)), _) => format!("  {:>26}", format!("{}/{}", x.passed, x.matched)),
            (Some(Err(_)), _) => format!("  {:>26}", "not run"),
            (None, _) => format!("  {:>26}", "-"),
        };
        s.push_str(&format!(
            "{:<width$}  {ops:>10}  {generated:>15}  {compiles:>13}  {examples:>24}{replay}  {:>5.1} s\n",
            r.file, r.seconds
        ));
        if let Some(note) = &r.note {
            s.push_str(&format!("{:<width$}    {note}\n", ""));
        }
        if let Some(reason) = r.reason() {
            s.push_str(&format!("{:<width$}    FAILED: {reason}\n", ""));
        }
    }
    s
}
