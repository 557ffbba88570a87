//! The backup directory's bookkeeping: `manifest.json` (what the directory
//! holds, with checksums), the journals that make runs resumable, and the
//! checks of blob files against the manifest.
//!
//! A journal is a JSON-lines file appended to as each item completes; a run
//! killed at any point leaves every finished item recorded (a blob file is
//! renamed into place before its journal line is written, so a line always
//! names a complete file). `backup-vault` folds its journal into the manifest
//! at every checkpoint and at the end.

use std::fs::{File, OpenOptions};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::Kind;
use crate::errors::{AppError, Class};
use crate::files::PendingFile;

/// Version of the manifest's layout; a reader refuses versions it does not know.
pub const FORMAT_VERSION: u32 = 1;
pub const MANIFEST: &str = "manifest.json";
pub const BACKUP_JOURNAL: &str = "backup.journal";

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    pub source_vault: String,
    pub api_version: String,
    /// When the first run into this directory started (RFC 3339, UTC).
    pub created: String,
    /// When the manifest was last written.
    pub updated: String,
    /// True when every item the last listing found is backed up or skipped.
    pub complete: bool,
    /// The kinds that were listed.
    pub kinds: Vec<Kind>,
    pub items: Vec<ItemRecord>,
    pub skipped: Vec<Skipped>,
    pub failed: Vec<Failed>,
}

/// One backed-up item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRecord {
    pub kind: Kind,
    pub name: String,
    /// The blob's path relative to the directory, `/`-separated.
    pub file: String,
    pub size: u64,
    pub sha256: String,
    pub enabled: bool,
}

/// An item deliberately not backed up (or restored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub kind: Kind,
    pub name: String,
    pub reason: String,
}

/// An item whose backup (or restore) failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failed {
    pub kind: Kind,
    pub name: String,
    /// The failure class, e.g. `Service`, `Network`, `Conflict`.
    pub class: String,
    pub error: String,
}

/// One line of a restore journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreLine {
    pub kind: Kind,
    pub name: String,
    /// `restored` or `already-present`.
    pub outcome: String,
}

/// The blob file of an item, relative to the directory.
pub fn blob_file(kind: Kind, name: &str) -> String {
    format!("{}/{name}.blob", kind.dir())
}

/// Resolves a manifest `file` entry inside `dir`, refusing entries that would
/// leave it (a tampered manifest must not make us read arbitrary files).
pub fn resolve(dir: &Path, file: &str) -> Option<PathBuf> {
    let mut parts = file.split('/');
    let (kind_dir, name) = (parts.next()?, parts.next()?);
    let safe = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    (parts.next().is_none() && safe(kind_dir) && safe(name) && !name.starts_with('.') && !kind_dir.starts_with('.'))
        .then(|| dir.join(kind_dir).join(name))
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// What is wrong with an item's file, or `None` when it matches the record.
pub fn damage(dir: &Path, record: &ItemRecord) -> Option<String> {
    let Some(path) = resolve(dir, &record.file) else {
        return Some(format!("the manifest names an invalid file {:?}", record.file));
    };
    let mut bytes = Vec::new();
    match File::open(&path).and_then(|mut f| f.read_to_end(&mut bytes)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some("the file is missing".into()),
        Err(e) => return Some(format!("the file cannot be read: {e}")),
        Ok(_) => {}
    }
    if bytes.len() as u64 != record.size {
        return Some(format!("the file has {} bytes, the manifest says {}", bytes.len(), record.size));
    }
    if sha256_hex(&bytes) != record.sha256 {
        return Some("the file's sha256 differs from the manifest's".into());
    }
    None
}

/// Reads `manifest.json` from `dir`, if there is one.
pub fn read(dir: &Path) -> Result<Option<Manifest>, AppError> {
    let path = dir.join(MANIFEST);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(AppError::io("read", &path, e)),
    };
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
        AppError::new(Class::File, format!("{} is not a kv-backup manifest", path.display())).with_cause(e)
    })?;
    if manifest.format_version != FORMAT_VERSION {
        return Err(AppError::new(
            Class::File,
            format!(
                "{} has format version {}; this kv-backup reads version {FORMAT_VERSION}",
                path.display(),
                manifest.format_version
            ),
        ));
    }
    Ok(Some(manifest))
}

/// Writes `manifest.json` atomically.
pub fn write(dir: &Path, manifest: &Manifest) -> Result<(), AppError> {
    let mut json = serde_json::to_vec_pretty(manifest)
        .map_err(|e| AppError::new(Class::File, "could not encode the manifest").with_cause(e))?;
    json.push(b'\n');
    PendingFile::create(&dir.join(MANIFEST), true)?.commit(&json)
}

/// The entries of a JSON-lines journal; a torn last line (a run killed while
/// writing it) is ignored.
pub fn read_journal<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>, AppError> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(AppError::io("read", path, e)),
    };
    let mut entries = Vec::new();
    for line in BufReader::new(file).lines() {
        let line = line.map_err(|e| AppError::io("read", path, e))?;
        if let Ok(entry) = serde_json::from_str(&line) {
            entries.push(entry);
        }
    }
    Ok(entries)
}

/// An open journal, appended to one line per finished item.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
}

impl Journal {
    pub fn open(path: PathBuf) -> Result<Self, AppError> {
        let file =
            OpenOptions::new().create(true).append(true).open(&path).map_err(|e| AppError::io("open", &path, e))?;
        Ok(Self { path, file })
    }

    /// Appends one entry as a line, in one write so lines never interleave.
    pub fn append<T: Serialize>(&mut self, entry: &T) -> Result<(), AppError> {
        let mut line = serde_json::to_vec(entry)
            .map_err(|e| AppError::new(Class::File, "could not encode a journal entry").with_cause(e))?;
        line.push(b'\n');
        self.file.write_all(&line).map_err(|e| AppError::io("write", &self.path, e))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The restore journal of `dir` for the vault at `vault_url`: one per target
/// vault, so restoring one backup into two vaults keeps two records.
pub fn restore_journal_path(dir: &Path, vault_url: &str) -> PathBuf {
    let host = vault_url.split_once("://").map_or(vault_url, |(_, rest)| rest).trim_end_matches('/');
    let host: String =
        host.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '_' }).collect();
    dir.join(format!("restore-{host}.journal"))
}

/// Now, as RFC 3339 in UTC with second precision.
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

fn rfc3339(unix_secs: u64) -> String {
    let days = (unix_secs / 86_400) as i64;
    let rem = unix_secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_times() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_796_515_199), "2026-12-05T23:59:59Z");
    }

    #[test]
    fn manifest_files_stay_inside_the_directory() {
        let dir = Path::new("/d");
        assert_eq!(resolve(dir, "keys/k-1.blob"), Some(dir.join("keys").join("k-1.blob")));
        for bad in ["../x.blob", "keys/../../x", "/etc/passwd", "keys/a/b.blob", "keys/.hidden", "keys", "keys/"] {
            assert_eq!(resolve(dir, bad), None, "{bad}");
        }
    }

    #[test]
    fn damage_is_described() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("keys")).unwrap();
        std::fs::write(dir.path().join("keys/k.blob"), b"blob").unwrap();
        let mut record = ItemRecord {
            kind: Kind::Keys,
            name: "k".into(),
            file: blob_file(Kind::Keys, "k"),
            size: 4,
            sha256: sha256_hex(b"blob"),
            enabled: true,
        };
        assert_eq!(damage(dir.path(), &record), None);
        record.sha256 = sha256_hex(b"blub");
        assert!(damage(dir.path(), &record).unwrap().contains("sha256"));
        record.size = 5;
        assert!(damage(dir.path(), &record).unwrap().contains("4 bytes"));
        record.file = blob_file(Kind::Keys, "gone");
        assert!(damage(dir.path(), &record).unwrap().contains("missing"));
    }

    #[test]
    fn torn_journal_lines_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let mut journal = Journal::open(path.clone()).unwrap();
        let line = RestoreLine { kind: Kind::Keys, name: "a".into(), outcome: "restored".into() };
        journal.append(&line).unwrap();
        journal.file.write_all(b"{\"kind\":\"keys\",\"na").unwrap();
        assert_eq!(read_journal::<RestoreLine>(&path).unwrap(), [line]);
    }

    #[test]
    fn restore_journals_are_per_vault() {
        let a = restore_journal_path(Path::new("d"), "https://a.vault.azure.net/");
        let b = restore_journal_path(Path::new("d"), "http://127.0.0.1:8080");
        assert_eq!(a, Path::new("d/restore-a.vault.azure.net.journal"));
        assert_eq!(b, Path::new("d/restore-127.0.0.1_8080.journal"));
    }
}
