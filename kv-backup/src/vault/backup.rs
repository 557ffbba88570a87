//! `kv-backup backup-vault`: every item of every kind into one directory, one
//! blob file per item, with a manifest. Resumable: items already in the
//! directory (checked against their recorded sha256) are not fetched again.

use std::collections::BTreeMap;
use std::path::Path;

use futures_util::StreamExt as _;
use futures_util::stream;

use super::manifest::{self, BACKUP_JOURNAL, Failed, ItemRecord, Journal, Manifest, Skipped};
use super::progress::Progress;
use super::{ItemError, ItemInfo, ItemKind, Kind, Kinds, report, with_kind};
use crate::cli::BackupVaultArgs;
use crate::errors::{AppError, Class};
use crate::files::PendingFile;

/// Everything a run has found out so far; becomes the manifest.
struct State {
    items: BTreeMap<(Kind, String), ItemRecord>,
    skipped: Vec<Skipped>,
    failed: Vec<Failed>,
    /// Items fetched by this run, and items found intact from an earlier run.
    fetched: usize,
    earlier: usize,
    listed: Vec<Kind>,
}

pub async fn run(args: BackupVaultArgs) -> Result<(), AppError> {
    let dir = args.out.as_path();
    std::fs::create_dir_all(dir).map_err(|e| AppError::io("create", dir, e))?;
    let (vault, credential, options) = crate::commands::client_parts(&args.vault)?;
    let kinds = Kinds::connect(&vault, credential, options)?;

    let previous = manifest::read(dir)?;
    if let Some(previous) = &previous
        && !same_vault(&previous.source_vault, kinds.vault_url())
    {
        return Err(AppError::new(
            Class::Usage,
            format!("{} holds a backup of {}, not of {}", dir.display(), previous.source_vault, kinds.vault_url()),
        )
        .with_hint("back up each vault into its own directory"));
    }
    // What earlier runs recorded: the last manifest, then the journal of a run that did not finish.
    let mut known: BTreeMap<(Kind, String), ItemRecord> = BTreeMap::new();
    let journal_path = dir.join(BACKUP_JOURNAL);
    let recorded = previous.iter().flat_map(|m| m.items.iter().cloned());
    for record in recorded.chain(manifest::read_journal::<ItemRecord>(&journal_path)?) {
        known.insert((record.kind, record.name.clone()), record);
    }
    let created = previous.map_or_else(manifest::now_rfc3339, |m| m.created);
    let mut journal = Journal::open(journal_path)?;

    let mut state = State {
        items: BTreeMap::new(),
        skipped: Vec::new(),
        failed: Vec::new(),
        fetched: 0,
        earlier: 0,
        listed: Vec::new(),
    };
    let mut outcome = Ok(());
    for kind in kinds.supported() {
        let kind_dir = dir.join(kind.dir());
        outcome = std::fs::create_dir_all(&kind_dir).map_err(|e| AppError::io("create", &kind_dir, e));
        remove_stale_temporaries(&kind_dir);
        if outcome.is_ok() {
            outcome = with_kind!(
                kinds,
                kind,
                |client| backup_kind(client, dir, &known, usize::from(args.run.parallel), &mut journal, &mut state)
                    .await,
                Ok(())
            );
        }
        // A checkpoint per kind; the journal covers the items in between.
        let written = write_manifest(dir, &kinds, &created, &state, false);
        outcome = outcome.and(written);
        if outcome.is_err() {
            break;
        }
    }
    outcome?;
    let complete = state.failed.is_empty();
    write_manifest(dir, &kinds, &created, &state, complete)?;
    // Everything the journal held is in the manifest now.
    let _ = std::fs::remove_file(journal.path());

    report::print(
        args.run.json,
        "backup-vault",
        kinds.vault_url(),
        &dir.display().to_string(),
        &[("backed_up", state.fetched), ("already_in_dir", state.earlier)],
        &state.skipped,
        &state.failed,
    );
    let total = state.items.len() + state.skipped.len() + state.failed.len();
    report::partial(&state.failed, total, &format!("{}", dir.join(manifest::MANIFEST).display()))
}

/// Deletes the temporary files a killed run left beside the blobs
/// (`.NAME.blob.XXXXXX.tmp`, see `files::PendingFile`); best effort.
fn remove_stale_temporaries(kind_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(kind_dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.ends_with(".tmp") && name.contains(".blob.") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Vault URLs compare without case and trailing slash.
fn same_vault(a: &str, b: &str) -> bool {
    a.trim_end_matches('/').eq_ignore_ascii_case(b.trim_end_matches('/'))
}

fn write_manifest(dir: &Path, kinds: &Kinds, created: &str, state: &State, complete: bool) -> Result<(), AppError> {
    let manifest = Manifest {
        format_version: manifest::FORMAT_VERSION,
        source_vault: kinds.vault_url().to_owned(),
        api_version: kinds.api_version().to_owned(),
        created: created.to_owned(),
        updated: manifest::now_rfc3339(),
        complete,
        kinds: state.listed.clone(),
        items: state.items.values().cloned().collect(),
        skipped: state.skipped.clone(),
        failed: state.failed.clone(),
    };
    manifest::write(dir, &manifest)
}

/// Lists one kind and backs up what the directory does not hold yet, at most
/// `parallel` at a time. Returns an error only for failures that would hit
/// every item alike (authentication, permission); others are recorded.
async fn backup_kind<K: ItemKind>(
    client: &K,
    dir: &Path,
    known: &BTreeMap<(Kind, String), ItemRecord>,
    parallel: usize,
    journal: &mut Journal,
    state: &mut State,
) -> Result<(), AppError> {
    let kind = client.kind();
    let items = client.list().await.map_err(|e| fatal(kind, None, "listing", e))?;
    state.listed.push(kind);
    let mut todo: Vec<ItemInfo> = Vec::new();
    for item in items {
        let key = (kind, item.name.clone());
        if item.managed {
            state.skipped.push(Skipped {
                kind,
                name: item.name,
                reason: "managed by a certificate: the certificate's backup carries it, and the vault refuses to back it up alone".into(),
            });
        } else if let Some(record) = known.get(&key).filter(|r| manifest::damage(dir, r).is_none()) {
            let mut record = record.clone();
            record.enabled = item.enabled;
            state.items.insert(key, record);
            state.earlier += 1;
        } else {
            todo.push(item);
        }
    }

    let progress = Progress::new(&format!("backing up {kind}"), todo.len());
    let mut results = stream::iter(todo)
        .map(|item| async move {
            let result = match client.backup(&item.name).await {
                Ok(blob) => Ok(store(dir, kind, &item, blob).await),
                Err(error) => Err(error),
            };
            (result, item)
        })
        .buffer_unordered(parallel);
    while let Some((result, item)) = results.next().await {
        let record = match result {
            Ok(stored) => stored?,
            Err(error) if error.class == Class::NotFound => {
                progress.note(&format!("skipped {} {}: deleted since it was listed", kind.singular(), item.name));
                state.skipped.push(Skipped { kind, name: item.name, reason: "deleted after it was listed".into() });
                continue;
            }
            Err(error) if is_fatal(error.class) => {
                progress.finish();
                return Err(fatal(kind, Some(&item.name), "backing up", error));
            }
            Err(error) => {
                progress.note(&format!("failed {} {}: {error}", kind.singular(), item.name));
                state.failed.push(Failed {
                    kind,
                    name: item.name,
                    class: format!("{:?}", error.class),
                    error: error.to_string(),
                });
                continue;
            }
        };
        journal.append(&record)?;
        progress.item(&format!("backed up {} {} ({} bytes)", kind.singular(), item.name, record.size));
        state.items.insert((kind, item.name), record);
        state.fetched += 1;
    }
    progress.finish();
    Ok(())
}

/// Writes an item's blob file (atomically, flushed to disk) on the blocking
/// pool, so that disk flushes overlap with the requests in flight instead of
/// stalling them, and returns its record.
async fn store(dir: &Path, kind: Kind, item: &ItemInfo, blob: Vec<u8>) -> Result<ItemRecord, AppError> {
    let file = manifest::blob_file(kind, &item.name);
    let path = dir.join(&file);
    let (size, sha256) = tokio::task::spawn_blocking(move || {
        // A leftover file is an incomplete or stale copy: replace it.
        PendingFile::create(&path, true)?.commit(&blob)?;
        Ok::<_, AppError>((blob.len() as u64, manifest::sha256_hex(&blob)))
    })
    .await
    .map_err(|e| AppError::new(Class::File, "a file write was cancelled").with_cause(e))??;
    Ok(ItemRecord { kind, name: item.name.clone(), file, size, sha256, enabled: item.enabled })
}

/// Failures that would repeat for every item: stop at the first.
pub fn is_fatal(class: Class) -> bool {
    matches!(class, Class::Auth | Class::Forbidden | Class::Usage)
}

/// The error that ends the run.
pub fn fatal(kind: Kind, name: Option<&str>, doing: &str, error: ItemError) -> AppError {
    let what = match name {
        Some(name) => format!("{doing} {} '{name}'", kind.singular()),
        None => format!("{doing} the {kind}"),
    };
    let class = error.class;
    let hint = match class {
        Class::Forbidden => Some(format!(
            "the identity needs the {kind}/list, {kind}/backup and {kind}/restore permissions (access policy) or a matching role (RBAC)"
        )),
        Class::Auth => {
            Some("check the credential: with the default `--credential developer`, sign in with `az login`".into())
        }
        _ => None,
    };
    let app = AppError::new(class, format!("{what} failed; the run stopped")).with_cause(error);
    match hint {
        Some(hint) => app.with_hint(hint),
        None => app,
    }
}
