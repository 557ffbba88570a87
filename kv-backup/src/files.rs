//! Backup files: raw blob bytes, written atomically (a temporary file in the
//! target's directory, flushed to disk, then renamed over the target) and
//! never replacing an existing file unless asked to.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::errors::{AppError, Class};

/// Backups larger than this are not Key Vault key backups (they are a few KB,
/// growing with the number of versions); refusing them early avoids reading a
/// wrong multi-gigabyte file into memory.
const MAX_BACKUP_BYTES: u64 = 64 * 1024 * 1024;

/// An output file being prepared: the temporary file exists, the target is untouched.
#[derive(Debug)]
pub struct PendingFile {
    temp: NamedTempFile,
    target: PathBuf,
    overwrite: bool,
}

impl PendingFile {
    /// Checks that `target` may be written and creates the temporary file
    /// beside it, before any service call is made.
    pub fn create(target: &Path, overwrite: bool) -> Result<Self, AppError> {
        if !overwrite && target.symlink_metadata().is_ok() {
            return Err(exists(target));
        }
        let name = target
            .file_name()
            .ok_or_else(|| AppError::new(Class::File, format!("{} does not name a file", target.display())))?;
        let dir = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let mut prefix = std::ffi::OsString::from(".");
        prefix.push(name);
        prefix.push(".");
        let temp = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| AppError::io("create a temporary file in", dir, e))?;
        Ok(Self { temp, target: target.to_owned(), overwrite })
    }

    /// Writes `bytes`, flushes them to disk and moves the file into place.
    /// Without `overwrite`, fails (leaving any existing file alone) if the
    /// target appeared in the meantime.
    pub fn commit(mut self, bytes: &[u8]) -> Result<(), AppError> {
        let temp_path = self.temp.path().to_owned();
        self.temp.write_all(bytes).map_err(|e| AppError::io("write", &temp_path, e))?;
        self.temp.as_file().sync_all().map_err(|e| AppError::io("flush", &temp_path, e))?;
        let result =
            if self.overwrite { self.temp.persist(&self.target) } else { self.temp.persist_noclobber(&self.target) };
        // On failure the temporary file is deleted when the returned error drops.
        result.map_err(|e| match e.error.kind() {
            io::ErrorKind::AlreadyExists => exists(&self.target),
            _ => AppError::io("write", &self.target, e.error),
        })?;
        sync_dir(&self.target);
        Ok(())
    }
}

fn exists(target: &Path) -> AppError {
    AppError::new(Class::File, format!("{} already exists", target.display()))
        .with_hint("pass --force to replace it, or choose another --out")
}

/// Makes the rename durable (best effort: not every platform or filesystem
/// can sync a directory).
fn sync_dir(target: &Path) {
    #[cfg(unix)]
    if let Some(dir) = target.parent() {
        let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        if let Ok(handle) = File::open(dir) {
            let _ = handle.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = target;
}

/// Reads a backup file: its bytes are the blob, exactly.
pub fn read_backup(path: &Path) -> Result<Vec<u8>, AppError> {
    let file = File::open(path).map_err(|e| AppError::io("read", path, e))?;
    let mut bytes = Vec::new();
    file.take(MAX_BACKUP_BYTES + 1).read_to_end(&mut bytes).map_err(|e| AppError::io("read", path, e))?;
    if bytes.is_empty() {
        return Err(AppError::new(Class::MalformedBackup, format!("{} is empty, not a key backup", path.display())));
    }
    if bytes.len() as u64 > MAX_BACKUP_BYTES {
        return Err(AppError::new(
            Class::MalformedBackup,
            format!("{} is larger than {} MiB, not a key backup", path.display(), MAX_BACKUP_BYTES >> 20),
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn writes_exact_bytes_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("k.bin");
        let blob: Vec<u8> = (0..=255).collect();
        let pending = PendingFile::create(&target, false).unwrap();
        assert_eq!(entries(dir.path()).len(), 1, "the temporary file exists while pending");
        assert!(!target.exists());
        pending.commit(&blob).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), blob);
        assert_eq!(entries(dir.path()), ["k.bin"]);
        assert_eq!(read_backup(&target).unwrap(), blob);
    }

    #[test]
    fn never_replaces_without_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("k.bin");
        std::fs::write(&target, b"old").unwrap();
        let err = PendingFile::create(&target, false).unwrap_err();
        assert_eq!(err.class(), Class::File);
        assert!(err.to_string().contains("already exists"), "{err}");

        // A file that appears after the check is not replaced either.
        std::fs::remove_file(&target).unwrap();
        let pending = PendingFile::create(&target, false).unwrap();
        std::fs::write(&target, b"raced").unwrap();
        let err = pending.commit(b"new").unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
        assert_eq!(std::fs::read(&target).unwrap(), b"raced");
        assert_eq!(entries(dir.path()), ["k.bin"]);

        PendingFile::create(&target, true).unwrap().commit(b"new").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
    }

    #[test]
    fn missing_directories_and_non_files_fail() {
        let err = PendingFile::create(Path::new("/nonexistent-kv-backup-dir/k.bin"), false).unwrap_err();
        assert_eq!(err.class(), Class::File);
        assert!(PendingFile::create(Path::new("/"), true).is_err());
    }

    #[test]
    fn empty_and_missing_inputs_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.bin");
        std::fs::write(&empty, b"").unwrap();
        assert_eq!(read_backup(&empty).unwrap_err().class(), Class::MalformedBackup);
        assert_eq!(read_backup(&dir.path().join("missing")).unwrap_err().class(), Class::File);
    }
}
