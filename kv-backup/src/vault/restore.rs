//! `kv-backup restore-vault`: every item of a `backup-vault` directory into a
//! vault, certificates first (they bring their managed keys and secrets),
//! then keys, then secrets. Every file is checked against the manifest before
//! anything is sent. Resumable: a journal per target vault records what is
//! done, and a name already taken (409) counts as already present.

use std::collections::BTreeSet;
use std::path::Path;

use futures_util::StreamExt as _;
use futures_util::stream;

use super::backup::{fatal, is_fatal};
use super::manifest::{self, Failed, ItemRecord, Journal, RestoreLine, Skipped};
use super::progress::Progress;
use super::{ItemError, ItemKind, Kind, Kinds, RestoreOutcome, report, with_kind};
use crate::cli::RestoreVaultArgs;
use crate::errors::{AppError, Class};

#[derive(Default)]
struct Tally {
    restored: usize,
    already_present: usize,
    earlier: usize,
    skipped: Vec<Skipped>,
    failed: Vec<Failed>,
}

pub async fn run(args: RestoreVaultArgs) -> Result<(), AppError> {
    let dir = args.input.as_path();
    let manifest = manifest::read(dir)?.ok_or_else(|| {
        AppError::new(Class::File, format!("{} has no {}", dir.display(), manifest::MANIFEST))
            .with_hint("point --in at a directory written by `kv-backup backup-vault`")
    })?;

    // Every file is checked before the first request.
    let mut tally = Tally::default();
    let mut damaged = Vec::new();
    for record in &manifest.items {
        if let Some(what) = manifest::damage(dir, record) {
            damaged.push((record, what));
        }
    }
    if !damaged.is_empty() {
        let list: Vec<String> = damaged.iter().map(|(r, what)| format!("\n    {}: {what}", r.file)).collect();
        if !args.skip_damaged {
            return Err(AppError::new(
                Class::MalformedBackup,
                format!(
                    "{} of the {} files in {} do not match the manifest; nothing was restored:{}",
                    damaged.len(),
                    manifest.items.len(),
                    dir.display(),
                    list.concat()
                ),
            )
            .with_hint("re-run backup-vault into this directory to fetch them again, or pass --skip-damaged to restore the rest"));
        }
        for (record, what) in &damaged {
            eprintln!("skipping damaged {}: {what}", record.file);
            tally.skipped.push(Skipped {
                kind: record.kind,
                name: record.name.clone(),
                reason: format!("damaged file ({what})"),
            });
        }
    }
    let damaged: BTreeSet<&str> = damaged.iter().map(|(r, _)| r.file.as_str()).collect();

    let (vault, credential, options) = crate::commands::client_parts(&args.vault)?;
    let kinds = Kinds::connect(&vault, credential, options)?;
    let journal_path = manifest::restore_journal_path(dir, kinds.vault_url());
    let done: BTreeSet<(Kind, String)> =
        manifest::read_journal::<RestoreLine>(&journal_path)?.into_iter().map(|l| (l.kind, l.name)).collect();
    let mut journal = Journal::open(journal_path)?;
    let supported = kinds.supported();

    for kind in Kind::RESTORE_ORDER {
        let mut todo = Vec::new();
        for record in manifest.items.iter().filter(|r| r.kind == kind && !damaged.contains(r.file.as_str())) {
            if done.contains(&(kind, record.name.clone())) {
                tally.earlier += 1;
            } else if !supported.contains(&kind) {
                tally.failed.push(Failed {
                    kind,
                    name: record.name.clone(),
                    class: format!("{:?}", Class::Usage),
                    error: format!("this build of kv-backup cannot restore {kind}"),
                });
            } else {
                todo.push(record);
            }
        }
        if todo.is_empty() {
            continue;
        }
        with_kind!(
            kinds,
            kind,
            |client| restore_kind(client, dir, todo, usize::from(args.run.parallel), &mut journal, &mut tally).await?,
            ()
        );
    }

    report::print(
        args.run.json,
        "restore-vault",
        kinds.vault_url(),
        &dir.display().to_string(),
        &[
            ("restored", tally.restored),
            ("already_present", tally.already_present),
            ("restored_earlier", tally.earlier),
        ],
        &tally.skipped,
        &tally.failed,
    );
    report::partial(&tally.failed, manifest.items.len(), "the summary")
}

async fn restore_kind<K: ItemKind>(
    client: &K,
    dir: &Path,
    todo: Vec<&ItemRecord>,
    parallel: usize,
    journal: &mut Journal,
    tally: &mut Tally,
) -> Result<(), AppError> {
    let kind = client.kind();
    let progress = Progress::new(&format!("restoring {kind}"), todo.len());
    let mut results = stream::iter(todo)
        .map(|record| async move { (restore_one(client, dir, record).await, record) })
        .buffer_unordered(parallel);
    while let Some((result, record)) = results.next().await {
        let name = &record.name;
        let outcome = match result {
            Ok(outcome) => outcome,
            Err(error) if is_fatal(error.class) => {
                progress.finish();
                return Err(fatal(kind, Some(name), "restoring", error));
            }
            Err(error) => {
                progress.note(&format!("failed {} {name}: {error}", kind.singular()));
                tally.failed.push(Failed {
                    kind,
                    name: name.clone(),
                    class: format!("{:?}", error.class),
                    error: error.to_string(),
                });
                continue;
            }
        };
        let (word, line) = match outcome {
            RestoreOutcome::Restored => {
                tally.restored += 1;
                ("restored", format!("restored {} {name}", kind.singular()))
            }
            RestoreOutcome::AlreadyPresent => {
                tally.already_present += 1;
                ("already-present", format!("{} {name} is already present", kind.singular()))
            }
        };
        journal.append(&RestoreLine { kind, name: name.clone(), outcome: word.into() })?;
        progress.item(&line);
    }
    progress.finish();
    Ok(())
}

/// Reads the item's file (checking it once more: it may have changed since
/// the check before the run) and restores it.
async fn restore_one<K: ItemKind>(client: &K, dir: &Path, record: &ItemRecord) -> Result<RestoreOutcome, ItemError> {
    let path = manifest::resolve(dir, &record.file)
        .ok_or_else(|| ItemError::new(Class::File, format!("invalid file name {:?}", record.file)))?;
    let blob = std::fs::read(&path)
        .map_err(|e| ItemError::new(Class::File, format!("could not read {}: {e}", path.display())))?;
    if manifest::sha256_hex(&blob) != record.sha256 {
        return Err(ItemError::new(Class::MalformedBackup, format!("{} changed during the run", record.file)));
    }
    client.restore(blob).await
}
