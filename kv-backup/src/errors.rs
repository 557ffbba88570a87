//! Every failure the tool reports: a class (which picks the exit code), a
//! sentence saying what failed, the service's own error (code, message,
//! inner codes, request id) or the underlying cause, and a hint.

use std::error::Error as StdError;
use std::fmt;
use std::path::Path;
use std::process::ExitCode;

use http::StatusCode;
use keyvault_keys::{Error as KvError, ErrorKind};

/// The class of a failure; each has its own exit code (listed in `--help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Any other service failure: throttling, server errors, unexpected responses.
    Service,
    /// Bad arguments, e.g. an invalid vault URL.
    Usage,
    /// A local file could not be read or written, or would be overwritten.
    File,
    /// No token could be obtained, or the vault rejected it.
    Auth,
    /// The identity is not allowed to do this (403).
    Forbidden,
    /// The key does not exist (404).
    NotFound,
    /// The key name is taken in the target vault (409).
    Conflict,
    /// The backup blob was rejected (400 on restore) or is empty.
    MalformedBackup,
    /// The vault could not be reached, or did not answer in time.
    Network,
    /// Some items of a vault command failed, others succeeded.
    Partial,
}

impl Class {
    /// The process exit code of this class.
    pub fn code(self) -> u8 {
        match self {
            Self::Service => 1,
            Self::Usage => 2,
            Self::File => 3,
            Self::Auth => 4,
            Self::Forbidden => 5,
            Self::NotFound => 6,
            Self::Conflict => 7,
            Self::MalformedBackup => 8,
            Self::Network => 9,
            Self::Partial => 10,
        }
    }
}

/// What the tool was doing when a service call failed; shapes the message.
#[derive(Debug, Clone, Copy)]
pub enum Operation<'a> {
    /// Backing up `key` from `vault`.
    Backup { vault: &'a str, key: &'a str },
    /// Restoring the backup in `file` into `vault`.
    Restore { vault: &'a str, file: &'a Path },
}

/// A failure, ready to print (`Display`) and to exit with ([`AppError::exit_code`]).
#[derive(Debug)]
pub struct AppError {
    class: Class,
    message: String,
    /// The underlying error; its `Display` and its `source()` chain are printed.
    cause: Option<Box<dyn StdError + Send + Sync>>,
    hint: Option<String>,
}

impl AppError {
    pub fn new(class: Class, message: impl Into<String>) -> Self {
        Self { class, message: message.into(), cause: None, hint: None }
    }

    pub fn with_cause(mut self, cause: impl StdError + Send + Sync + 'static) -> Self {
        self.cause = Some(Box::new(cause));
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// A local I/O failure on `path`.
    pub fn io(what: &str, path: &Path, error: std::io::Error) -> Self {
        Self::new(Class::File, format!("could not {what} {}", path.display())).with_cause(error)
    }

    /// Classifies a failed client call and words it for `operation`.
    pub fn from_client(operation: Operation<'_>, error: KvError) -> Self {
        let class = classify(&operation, &error);
        let (message, hint) = describe(class, &operation, &error);
        let mut app = Self::new(class, message).with_cause(error);
        app.hint = hint;
        app
    }

    pub fn class(&self) -> Class {
        self.class
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.class().code())
    }
}

fn classify(operation: &Operation<'_>, error: &KvError) -> Class {
    match error.kind() {
        ErrorKind::Config => return Class::Usage,
        ErrorKind::Credential | ErrorKind::Challenge => return Class::Auth,
        ErrorKind::Transport | ErrorKind::Timeout => return Class::Network,
        ErrorKind::Service => {}
        _ => return Class::Service,
    }
    if error.code() == Some("KeyNotFound") {
        return Class::NotFound;
    }
    match (error.status(), operation) {
        (Some(StatusCode::UNAUTHORIZED), _) => Class::Auth,
        (Some(StatusCode::FORBIDDEN), _) => Class::Forbidden,
        (Some(StatusCode::NOT_FOUND), _) => Class::NotFound,
        (Some(StatusCode::CONFLICT), _) => Class::Conflict,
        (Some(StatusCode::BAD_REQUEST), Operation::Restore { .. }) => Class::MalformedBackup,
        _ => Class::Service,
    }
}

fn describe(class: Class, operation: &Operation<'_>, error: &KvError) -> (String, Option<String>) {
    let (vault, permission, what) = match *operation {
        Operation::Backup { vault, key } => (vault, "keys/backup", format!("backing up key '{key}' from {vault}")),
        Operation::Restore { vault, file } => {
            (vault, "keys/restore", format!("restoring {} into {vault}", file.display()))
        }
    };
    match class {
        Class::NotFound => {
            let message = match *operation {
                Operation::Backup { key, .. } => format!("key '{key}' was not found in {vault}"),
                Operation::Restore { .. } => format!("{what} failed: not found"),
            };
            (message, Some("check the key name; a deleted key must be recovered before it can be backed up".into()))
        }
        Class::Conflict => {
            let deleted = error.inner_codes().any(|c| c == "ObjectIsDeletedButRecoverable");
            let hint = if deleted {
                "a deleted key with this name is still recoverable in the target vault: purge or recover it first"
            } else {
                "a key with this name already exists in the target vault: restore into another vault, or delete and purge that key first"
            };
            (format!("{what} failed: the key name is already taken"), Some(hint.into()))
        }
        Class::Forbidden => (
            format!("{what} was denied"),
            Some(format!(
                "the identity needs the {permission} permission (access policy) or a role such as Key Vault Crypto Officer (RBAC); a vault firewall can also deny access"
            )),
        ),
        Class::MalformedBackup => (
            format!("{what} failed: the vault rejected the backup"),
            Some("the file is not a Key Vault key backup, is damaged, or comes from a vault in another subscription or geography".into()),
        ),
        Class::Auth => (
            format!("{what} failed: authentication was not accepted"),
            Some("check the credential: with the default `--credential developer`, sign in with `az login`".into()),
        ),
        Class::Network => (format!("{what} failed: the vault could not be reached"), None),
        Class::Usage => (format!("{what} failed: invalid arguments"), None),
        Class::Service | Class::File | Class::Partial => (format!("{what} failed"), None),
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        let mut cause: Option<&(dyn StdError + 'static)> = self.cause.as_deref().map(|c| c as _);
        let mut label = "cause";
        while let Some(error) = cause {
            // Multi-line causes (azure_identity lists every source it tried) stay indented.
            let text = error.to_string().replace('\n', "\n    ");
            write!(f, "\n  {label}: {text}")?;
            label = "caused by";
            cause = error.source();
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_distinct() {
        let all = [
            Class::Service,
            Class::Usage,
            Class::File,
            Class::Auth,
            Class::Forbidden,
            Class::NotFound,
            Class::Conflict,
            Class::MalformedBackup,
            Class::Network,
            Class::Partial,
        ];
        let mut codes: Vec<u8> = all.iter().map(|c| c.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        assert!(!codes.contains(&0));
    }

    #[test]
    fn prints_the_cause_chain_and_hint() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "permission denied");
        let err = AppError::io("write", Path::new("/x/k.bin"), io).with_hint("pick another directory");
        assert_eq!(err.class(), Class::File);
        assert_eq!(
            err.to_string(),
            "error: could not write /x/k.bin\n  cause: permission denied\n  hint: pick another directory"
        );
    }
}
