//! The commands. `backup` and `restore` prepare everything local first
//! (output file, input bytes), then make exactly one service call; the vault
//! commands live in `crate::vault`.

use std::sync::Arc;

use keyvault_keys::models::KeyRestoreParameters;
use keyvault_keys::{ClientOptions, KeyClient, TokenCredential};

use crate::cli::{BackupArgs, Command, RestoreArgs, VaultArgs};
use crate::credential;
use crate::errors::{AppError, Class, Operation};
use crate::files::{self, PendingFile};

pub async fn run(command: Command) -> Result<(), AppError> {
    match command {
        Command::Backup(args) => backup(args).await,
        Command::Restore(args) => restore(args).await,
        Command::BackupVault(args) => crate::vault::backup::run(args).await,
        Command::RestoreVault(args) => crate::vault::restore::run(args).await,
    }
}

/// `kv-backup backup`: the blob goes to the file byte for byte.
async fn backup(args: BackupArgs) -> Result<(), AppError> {
    // Refuse an existing file before calling the vault, so a mistake costs no backup.
    let pending = PendingFile::create(&args.out, args.force)?;
    let client = connect(&args.vault)?;
    let operation = Operation::Backup { vault: client.vault_url(), key: &args.key };
    let response = client.backup_key(&args.key).await.map_err(|e| AppError::from_client(operation, e))?;
    let request_id = request_id_note(response.request_id());
    let blob = response.into_inner().value.into_vec();
    if blob.is_empty() {
        return Err(AppError::new(
            Class::Service,
            format!("{} returned an empty backup{request_id}", client.vault_url()),
        ));
    }
    pending.commit(&blob)?;
    println!(
        "backed up key '{}' from {} to {} ({} bytes){request_id}",
        args.key,
        client.vault_url(),
        args.out.display(),
        blob.len()
    );
    Ok(())
}

/// `kv-backup restore`: sends the file's bytes as the blob, unchanged.
async fn restore(args: RestoreArgs) -> Result<(), AppError> {
    let blob = files::read_backup(&args.input)?;
    let client = connect(&args.vault)?;
    let operation = Operation::Restore { vault: client.vault_url(), file: &args.input };
    let parameters = KeyRestoreParameters { value: blob.into() };
    let response = client.restore_key(&parameters).await.map_err(|e| AppError::from_client(operation, e))?;
    let request_id = request_id_note(response.request_id());
    let kid = response.key.as_ref().and_then(|k| k.kid.as_deref()).unwrap_or("(no key id returned)");
    println!("restored {} into {}: {kid}{request_id}", args.input.display(), client.vault_url());
    Ok(())
}

/// A client for the vault, authenticated as the arguments say.
fn connect(args: &VaultArgs) -> Result<KeyClient, AppError> {
    let (vault, credential, options) = client_parts(args)?;
    KeyClient::with_options(&vault, credential, options)
        .map_err(|e| AppError::new(Class::Usage, format!("invalid vault URL '{vault}'")).with_cause(e))
}

/// The vault URL, credential and options every client of a command shares.
pub fn client_parts(args: &VaultArgs) -> Result<(String, Arc<dyn TokenCredential>, ClientOptions), AppError> {
    let vault = args.vault.trim();
    if vault.get(..7).is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://")) && !args.allow_http {
        return Err(AppError::new(Class::Usage, format!("the vault URL {vault} must use https")));
    }
    let credential = credential::from_args(args)?;
    let options = ClientOptions::default()
        .allow_http(args.allow_http)
        .application_id(concat!("kv-backup/", env!("CARGO_PKG_VERSION")));
    Ok((vault.to_owned(), credential, options))
}

fn request_id_note(id: Option<&str>) -> String {
    id.map(|id| format!(" [request id {id}]")).unwrap_or_default()
}
