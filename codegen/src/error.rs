//! The one error type of the generator.
//!
//! Every problem with an input spec names the file and the JSON pointer of the offending
//! value, so a maintainer can jump straight to it.

use std::path::PathBuf;

/// Anything that stops code generation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec is unusable: invalid JSON, a dangling `$ref`, an unsupported construct, ...
    #[error("{}#{pointer}: {message}", file.display())]
    Spec {
        /// The spec file the problem is in.
        file: PathBuf,
        /// JSON pointer (RFC 6901) of the offending value inside `file`; empty for the root.
        pointer: String,
        /// What is wrong, in words.
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying failure.
        #[source]
        source: std::io::Error,
    },
    /// progenitor (or the Rust formatter) rejected the converted document.
    #[error("{}: code generation failed: {message}", file.display())]
    Generate {
        /// The root spec file.
        file: PathBuf,
        /// progenitor's or the formatter's message.
        message: String,
    },
}

impl Error {
    /// A spec error at `pointer` inside `file`.
    pub fn spec(file: impl Into<PathBuf>, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Spec { file: file.into(), pointer: pointer.into(), message: message.into() }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}

/// Result alias used across the generator.
pub type Result<T, E = Error> = std::result::Result<T, E>;
