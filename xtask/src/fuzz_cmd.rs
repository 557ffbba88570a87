//! `cargo xtask fuzz`: runs the `generate` fuzz target (the whole pipeline, in memory) with
//! cargo-fuzz on nightly, for a bounded time.
//!
//! The corpus is built at run time in `fuzz/corpus/generate/` (git-ignored): the synthetic
//! seeds committed in `fuzz/seeds/`, our `spec/`, and every Key Vault spec of an
//! azure-rest-api-specs checkout (read in place, never copied into the repository). A spec
//! with a `common.json` beside it is seeded as `spec NUL common.json`, the target's input
//! format. Findings land in `fuzz/artifacts/generate/`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use crate::paths;

/// Arguments of `cargo xtask fuzz`.
#[derive(clap::Args)]
pub struct Args {
    /// How long to fuzz, in seconds (libFuzzer's `-max_total_time`).
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// An azure-rest-api-specs checkout whose Key Vault specs seed the corpus
    /// (default: `$KV_SHARED/azure-rest-api-specs`, or `../shared/azure-rest-api-specs`).
    #[arg(long)]
    upstream: Option<PathBuf>,
    /// Also report specs that reach progenitor and make it panic (the generator catches
    /// those and returns an error; strict mode treats them as findings).
    #[arg(long)]
    strict: bool,
    /// Extra arguments for libFuzzer (e.g. `-jobs=2`), after `--`.
    #[arg(last = true)]
    libfuzzer: Vec<String>,
}

/// Runs the command; `Err` is a message for the user.
pub fn run(args: Args) -> Result<ExitCode, String> {
    let root = paths::project_root();
    let fuzz = root.join("fuzz");
    let corpus = fuzz.join("corpus/generate");
    std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
    let upstream = args.upstream.clone().unwrap_or_else(|| {
        std::env::var_os("KV_SHARED")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("../shared"))
            .join("azure-rest-api-specs")
    });
    let mut seeded = 0;
    for (dir, prefix) in [(fuzz.join("seeds"), "seed"), (root.join("spec"), "spec"), (upstream, "upstream")] {
        let mut specs = Vec::new();
        specs_under(&dir, &mut specs);
        for spec in specs {
            let mut bytes = std::fs::read(&spec).map_err(|e| format!("{}: {e}", spec.display()))?;
            let common = spec.with_file_name("common.json");
            if common.is_file() && prefix != "seed" {
                bytes.push(0);
                bytes.extend(std::fs::read(&common).map_err(|e| format!("{}: {e}", common.display()))?);
            }
            let rel = spec.strip_prefix(&dir).unwrap_or(&spec).to_string_lossy().replace(['/', '\\'], "_");
            let seed = corpus.join(format!("{prefix}_{rel}"));
            std::fs::write(&seed, bytes).map_err(|e| format!("{}: {e}", seed.display()))?;
            seeded += 1;
        }
    }
    println!("fuzz: {seeded} seeds written to {}", corpus.display());
    let artifacts = fuzz.join("artifacts/generate");
    std::fs::create_dir_all(&artifacts).map_err(|e| format!("{}: {e}", artifacts.display()))?;

    // `nice`: the fuzzer takes a core for as long as it runs.
    let mut cmd = Command::new("nice");
    cmd.args(["-n", "10", "cargo", "+nightly", "fuzz", "run", "generate"])
        .arg(&corpus)
        .arg("--")
        .arg(format!("-max_total_time={}", args.seconds))
        // A spec that takes more than 10 s is a hang, not a slow input.
        .arg("-timeout=10")
        .arg("-rss_limit_mb=2048")
        .arg(format!("-dict={}", fuzz.join("json.dict").display()))
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg("-print_final_stats=1")
        .args(&args.libfuzzer)
        .current_dir(&root)
        // The stable toolchain `cargo xtask` runs under must not leak into the nightly build.
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO");
    if args.strict {
        cmd.env("KV_FUZZ_STRICT", "1");
    }
    let status = cmd.status().map_err(|e| format!("running cargo +nightly fuzz (is cargo-fuzz installed?): {e}"))?;
    if status.success() {
        println!("fuzz: no finding in {} s", args.seconds);
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "fuzz: finding(s) in {}; reproduce with `cargo +nightly fuzz run generate FILE`",
            artifacts.display()
        );
        Ok(ExitCode::FAILURE)
    }
}

/// The JSON specs under `dir`, outside `examples/`, `common.json` excepted (it is seeded
/// beside the spec that refers to it).
fn specs_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if path.is_dir() {
            if name != "examples" {
                specs_under(&path, out);
            }
        } else if name.ends_with(".json") && name != "common.json" {
            out.push(path);
        }
    }
}
