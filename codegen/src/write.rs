//! Stage 7: put the generated files on disk, or compare them with what is there.
//!
//! Writing never leaves a half-written crate: the files go to a temporary folder beside the
//! destination, which then replaces it in two renames. A failed generation therefore leaves
//! the previous output untouched.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::GeneratedFile;
use crate::error::{Error, Result};

/// How a file on disk differs from the generated one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// The generator would write it, but it is not on disk.
    Missing(PathBuf),
    /// On disk with other content.
    Changed(PathBuf),
    /// On disk, but the generator would not write it.
    Extra(PathBuf),
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drift::Missing(p) => write!(f, "missing: {}", p.display()),
            Drift::Changed(p) => write!(f, "differs: {}", p.display()),
            Drift::Extra(p) => write!(f, "not generated: {}", p.display()),
        }
    }
}

/// Replaces `out` with exactly `files`.
pub fn write(out: &Path, files: &[GeneratedFile]) -> Result<()> {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.tmp-"))
        .tempdir_in(parent)
        .map_err(|e| Error::io(parent, e))?;
    for f in files {
        let path = staging.path().join(&f.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        std::fs::write(&path, &f.contents).map_err(|e| Error::io(&path, e))?;
    }
    let staged = staging.keep();
    if out.exists() {
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        std::fs::rename(out, &old).map_err(|e| Error::io(out, e))?;
        if let Err(e) = std::fs::rename(&staged, out) {
            // Put the previous output back rather than leave nothing.
            let _ = std::fs::rename(&old, out);
            return Err(Error::io(out, e));
        }
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    } else {
        std::fs::rename(&staged, out).map_err(|e| Error::io(out, e))?;
    }
    Ok(())
}

/// Lists how `out` differs from `files` (empty when it is up to date).
pub fn check(out: &Path, files: &[GeneratedFile]) -> Result<Vec<Drift>> {
    let mut drift = Vec::new();
    let mut expected = BTreeSet::new();
    for f in files {
        expected.insert(f.path.clone());
        let path = out.join(&f.path);
        match std::fs::read(&path) {
            Ok(bytes) if bytes == f.contents.as_bytes() => {}
            Ok(_) => drift.push(Drift::Changed(f.path.clone())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => drift.push(Drift::Missing(f.path.clone())),
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    for found in list(out, out)? {
        if !expected.contains(&found) {
            drift.push(Drift::Extra(found));
        }
    }
    Ok(drift)
}

fn list(root: &Path, dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(out) };
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        if path.is_dir() {
            out.extend(list(root, &path)?);
        } else {
            out.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
        }
    }
    Ok(out)
}
