//! The command line: `kv-backup backup …` and `kv-backup restore …`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Moves Key Vault keys between vaults: `backup` writes a key's protected
/// backup blob to a file, `restore` recreates the key from that file in
/// another vault (same subscription and geography); `backup-vault` and
/// `restore-vault` do the same for every item of a vault.
#[derive(Debug, Parser)]
#[command(name = "kv-backup", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Shown after `--help`.
const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  other service error (throttling, server error, unexpected response)
  2  usage error (bad arguments, invalid vault URL)
  3  local file error (output exists without --force, unreadable input, write failure)
  4  authentication failed (no credential, token rejected, bad challenge)
  5  forbidden (the identity lacks the keys/backup or keys/restore permission)
  6  key not found
  7  conflict (the key name is taken, or a deleted key of that name awaits purge)
  8  malformed backup (the service rejected the blob, the file is empty, or a
     backup-vault file does not match its manifest)
  9  network failure or timeout
 10  partial failure (backup-vault, restore-vault): some items failed, the
     others succeeded; the summary (and backup-vault's manifest) lists them,
     and running the same command again retries only what is missing";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Download a key's protected backup blob (all versions) into a file.
    Backup(BackupArgs),
    /// Recreate a key, with all its versions, from a backup file.
    Restore(RestoreArgs),
    /// Back up every key, secret and certificate of a vault into a directory
    /// (one blob file per item and a manifest.json). Re-run with the same
    /// directory to resume: only what is missing is downloaded.
    BackupVault(BackupVaultArgs),
    /// Restore every item of a backup-vault directory into a vault:
    /// certificates, then keys, then secrets. Items already present are
    /// reported, not failed. Re-run to resume.
    RestoreVault(RestoreVaultArgs),
}

#[derive(Debug, Args)]
pub struct BackupVaultArgs {
    #[command(flatten)]
    pub vault: VaultArgs,

    /// Directory for the blobs and the manifest (created if missing; an earlier run's directory resumes it).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Args)]
pub struct RestoreVaultArgs {
    #[command(flatten)]
    pub vault: VaultArgs,

    /// Directory written by backup-vault.
    #[arg(long = "in", value_name = "DIR")]
    pub input: PathBuf,

    /// Restore the intact items even if some files do not match the manifest
    /// (they are reported as skipped); without it, nothing is restored then.
    #[arg(long)]
    pub skip_damaged: bool,

    #[command(flatten)]
    pub run: RunArgs,
}

/// How a vault command runs and reports.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Items in flight at once. Key Vault throttles per vault; throttled
    /// requests are retried after the delay the service asks for.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallel: u16,

    /// Print the summary as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub vault: VaultArgs,

    /// Name of the key to back up.
    #[arg(long, value_name = "NAME", value_parser = key_name)]
    pub key: String,

    /// File to write the backup blob to (raw bytes, as `az keyvault key backup --file` writes).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// Replace FILE if it already exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub vault: VaultArgs,

    /// Backup file made by `kv-backup backup` (or `az keyvault key backup --file`).
    #[arg(long = "in", value_name = "FILE")]
    pub input: PathBuf,
}

/// Where to connect and how to authenticate; shared by both commands.
#[derive(Debug, Args)]
pub struct VaultArgs {
    /// Vault URL, e.g. https://my-vault.vault.azure.net
    #[arg(long, value_name = "URL")]
    pub vault: String,

    /// Where the access token comes from.
    #[arg(long, value_enum, default_value_t = CredentialKind::Developer, value_name = "KIND")]
    pub credential: CredentialKind,

    /// Client id of a user-assigned managed identity (default: the system-assigned one), or
    /// of the app registration for `client-secret` / `workload-identity` (default: AZURE_CLIENT_ID).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,

    /// Tenant for `client-secret` / `workload-identity` (default: AZURE_TENANT_ID).
    #[arg(long, value_name = "ID")]
    pub tenant_id: Option<String>,

    /// Testing only: use the bearer token in environment variable VAR instead of a credential.
    #[arg(long, value_name = "VAR", hide = true, conflicts_with = "credential")]
    pub token_env: Option<String>,

    /// Testing only: permit a plain-http vault URL (a local test server).
    #[arg(long, hide = true)]
    pub allow_http: bool,
}

/// Key Vault object names: 1 to 127 ASCII letters, digits and dashes.
pub fn is_object_name(name: &str) -> bool {
    (1..=127).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn key_name(name: &str) -> Result<String, String> {
    if is_object_name(name) {
        Ok(name.to_owned())
    } else {
        Err("a key name is 1 to 127 letters, digits and dashes".to_owned())
    }
}

/// The credential sources a user can pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CredentialKind {
    /// Developer tools: Azure CLI (`az login`), then Azure Developer CLI (`azd auth login`).
    Developer,
    /// The managed identity of the Azure VM, App Service or Function it runs on
    /// (system-assigned, or user-assigned with --client-id).
    ManagedIdentity,
    /// A service principal secret from AZURE_CLIENT_SECRET (with AZURE_TENANT_ID and
    /// AZURE_CLIENT_ID, or --tenant-id/--client-id).
    ClientSecret,
    /// Kubernetes workload identity (AZURE_FEDERATED_TOKEN_FILE, AZURE_TENANT_ID, AZURE_CLIENT_ID).
    WorkloadIdentity,
}

impl CredentialKind {
    /// The name as typed on the command line.
    pub fn name(self) -> String {
        self.to_possible_value().map(|v| v.get_name().to_owned()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_backup_and_restore() {
        let cli = Cli::try_parse_from([
            "kv-backup",
            "backup",
            "--vault",
            "https://v.vault.azure.net",
            "--key",
            "k",
            "--out",
            "k.bin",
            "--force",
        ])
        .unwrap();
        let Command::Backup(args) = cli.command else { panic!("not backup") };
        assert_eq!(args.key, "k");
        assert!(args.force);
        assert_eq!(args.vault.credential, CredentialKind::Developer);

        let cli = Cli::try_parse_from([
            "kv-backup",
            "restore",
            "--vault",
            "https://w.vault.azure.net",
            "--in",
            "k.bin",
            "--credential",
            "managed-identity",
        ])
        .unwrap();
        let Command::Restore(args) = cli.command else { panic!("not restore") };
        assert_eq!(args.input, PathBuf::from("k.bin"));
        assert_eq!(args.vault.credential, CredentialKind::ManagedIdentity);
    }

    #[test]
    fn parses_the_vault_commands() {
        let cli =
            Cli::try_parse_from(["kv-backup", "backup-vault", "--vault", "https://v.vault.azure.net", "--out", "d"])
                .unwrap();
        let Command::BackupVault(args) = cli.command else { panic!("not backup-vault") };
        assert_eq!((args.out, args.run.parallel, args.run.json), (PathBuf::from("d"), 4, false));

        let cli = Cli::try_parse_from([
            "kv-backup",
            "restore-vault",
            "--vault",
            "https://w.vault.azure.net",
            "--in",
            "d",
            "--parallel",
            "8",
            "--json",
            "--skip-damaged",
        ])
        .unwrap();
        let Command::RestoreVault(args) = cli.command else { panic!("not restore-vault") };
        assert!(args.skip_damaged && args.run.json);
        assert_eq!(args.run.parallel, 8);
        for bad in ["0", "65", "x"] {
            let parsed =
                Cli::try_parse_from(["kv-backup", "backup-vault", "--vault", "u", "--out", "d", "--parallel", bad]);
            assert!(parsed.is_err(), "{bad}");
        }
    }

    #[test]
    fn key_names_are_checked() {
        assert!(key_name("my-Key-1").is_ok());
        for bad in ["", "a/b", "a b", "ключ", &"k".repeat(128)] {
            assert!(key_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn test_only_flags_are_hidden() {
        let help = Cli::command().find_subcommand_mut("backup").unwrap().render_long_help().to_string();
        assert!(!help.contains("token-env") && !help.contains("allow-http"), "{help}");
        assert!(help.contains("--credential"), "{help}");
    }
}
