//! A [`Diff`] as text for a terminal, Markdown for a pull request or CHANGELOG, or JSON for
//! tools.

use std::fmt::Write as _;

use super::compare::{Diff, Kind};
use super::semver::Bump;

/// Plain text: a headline, then one block per change.
pub fn text(diff: &Diff) -> String {
    let mut out = headline(diff);
    out.push('\n');
    for c in &diff.changes {
        let _ = writeln!(out, "  {:<5}  {}: {}", c.bump, c.kind.label(), c.rust);
        if !c.detail.is_empty() {
            let _ = writeln!(out, "         {}", c.detail);
        }
        let _ = writeln!(out, "         from {}", c.origin);
    }
    out
}

fn headline(diff: &Diff) -> String {
    let versions = format!("api-version {} → {}", diff.from_version, diff.to_version);
    match (diff.changes.len(), diff.bump) {
        (0, Bump::None) => format!("no change: the generated client is identical ({versions})"),
        (0, _) => format!("no change to the public API; only docs differ ({versions}): patch"),
        (1, bump) => format!("1 change ({versions}): needs a {bump} version bump"),
        (n, bump) => format!("{n} changes ({versions}): needs a {bump} version bump"),
    }
}

/// Markdown: a headline, a table of counts by kind, then every change in a table.
pub fn markdown(diff: &Diff) -> String {
    let mut out = format!("### Generated client: {}\n\n", headline(diff));
    if diff.changes.is_empty() {
        return out;
    }
    out.push_str("| change | count | bump |\n|---|---:|---|\n");
    let mut kinds: Vec<Kind> = diff.changes.iter().map(|c| c.kind).collect();
    kinds.sort();
    kinds.dedup();
    for k in kinds {
        let bump = diff.changes.iter().filter(|c| c.kind == k).map(|c| c.bump).max().unwrap_or(Bump::None);
        let _ = writeln!(out, "| {} | {} | {bump} |", k.label(), diff.count(k));
    }
    let _ = writeln!(
        out,
        "\n<details><summary>All {} changes</summary>\n\n| bump | change | Rust item | detail | spec origin |\n|---|---|---|---|---|",
        diff.changes.len()
    );
    for c in &diff.changes {
        let origin = if c.origin.pointer.is_empty() {
            cell(&c.origin.to_string())
        } else {
            format!("{} `{}#{}`", cell(&c.origin.item), c.origin.file, cell(&c.origin.pointer))
        };
        let detail = if c.detail.is_empty() { String::new() } else { format!("`{}`", cell(&c.detail)) };
        let _ = writeln!(out, "| {} | {} | `{}` | {detail} | {origin} |", c.bump, c.kind.label(), c.rust);
    }
    out.push_str("\n</details>\n");
    out
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// JSON: the whole [`Diff`].
pub fn json(diff: &Diff) -> String {
    serde_json::to_string_pretty(diff).unwrap_or_default()
}

/// The header of a one-row-per-update summary table (see [`summary_row`]).
pub fn summary_header() -> String {
    "| update | methods (+/−/~) | pagers (+/−/~) | models (+/−) | fields (+/−/~) | enum values (+/−) | api-version | bump |\n\
     |---|---|---|---|---|---|---|---|"
        .to_string()
}

/// One row of the summary table: counts by kind of change.
pub fn summary_row(label: &str, diff: &Diff) -> String {
    let n = |k| diff.count(k);
    let fields_changed = n(Kind::FieldTypeChanged) + n(Kind::FieldNowRequired) + n(Kind::FieldNowOptional);
    format!(
        "| {label} | {}/{}/{} | {}/{}/{} | {}/{} | {}/{}/{} | {}/{} | {} | **{}** |",
        n(Kind::MethodAdded),
        n(Kind::MethodRemoved),
        n(Kind::MethodChanged),
        n(Kind::PagerAdded),
        n(Kind::PagerRemoved),
        n(Kind::PagerChanged),
        n(Kind::ModelAdded) + n(Kind::EnumAdded),
        n(Kind::ModelRemoved) + n(Kind::EnumRemoved),
        n(Kind::FieldAdded),
        n(Kind::FieldRemoved),
        fields_changed,
        n(Kind::EnumValueAdded),
        n(Kind::EnumValueRemoved),
        if n(Kind::ApiVersionChanged) > 0 {
            format!("{} → {}", diff.from_version, diff.to_version)
        } else {
            "same".into()
        },
        diff.bump,
    )
}
