//! The summary a vault command prints on stdout when it ends: a few lines for
//! people, or one JSON object with `--json`.

use serde_json::{Value, json};

use super::manifest::{Failed, Skipped};
use crate::errors::{AppError, Class};

/// Prints the summary. `counts` are the command's own tallies (name, value).
pub fn print(
    json_output: bool,
    command: &str,
    vault: &str,
    dir: &str,
    counts: &[(&str, usize)],
    skipped: &[Skipped],
    failed: &[Failed],
) {
    if json_output {
        let mut summary = json!({ "command": command, "vault": vault, "dir": dir });
        for (name, value) in counts {
            summary[*name] = json!(value);
        }
        summary["skipped"] = json!(skipped);
        summary["failed"] = json!(failed);
        summary["ok"] = Value::Bool(failed.is_empty());
        println!("{summary}");
        return;
    }
    let tallies: Vec<String> =
        counts.iter().map(|(name, value)| format!("{value} {}", name.replace('_', " "))).collect();
    println!("{command} {vault} {dir}: {}, {} skipped, {} failed", tallies.join(", "), skipped.len(), failed.len());
    for s in skipped {
        println!("  skipped {} {}: {}", s.kind, s.name, s.reason);
    }
    for f in failed {
        println!("  failed  {} {}: {} ({})", f.kind, f.name, f.error, f.class);
    }
}

/// The error a run with failed items ends with (exit code 10).
pub fn partial(failed: &[Failed], total: usize, where_listed: &str) -> Result<(), AppError> {
    if failed.is_empty() {
        return Ok(());
    }
    Err(AppError::new(Class::Partial, format!("{} of {total} items failed; {where_listed} lists them", failed.len()))
        .with_hint("run the same command again to retry only what is missing"))
}
