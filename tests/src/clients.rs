//! The generated clients the replay harness can route a folder of recordings to.
//!
//! Each Key Vault data-plane area has its own client and its own recordings: `recordings/`
//! holds keys traffic, `recordings-secrets/` secrets traffic, and so on. A folder goes to
//! the client its name asks for ([`route`]), or to the one named explicitly
//! ([`by_name`]). Adding a client is one row of [`CLIENTS`] (and its crate as a
//! dependency, with its `dynamic` feature).

use std::path::{Path, PathBuf};

use crate::examples::Api;

/// A generated client the harness can replay through.
pub struct Client {
    /// Its short name: `keys`, and the suffix of the folders routed to it (`recordings-keys`).
    pub name: &'static str,
    /// Its dynamic surface.
    pub api: fn() -> Api,
    /// The spec file (under our `spec/` 7.4 folder) whose examples supply the request bodies
    /// that legacy recordings did not keep.
    pub spec: &'static str,
}

impl Client {
    /// The path of [`spec`](Self::spec) in this workspace.
    pub fn spec_path(&self) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../spec/specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4")
            .join(self.spec)
    }
}

/// Every client, the default (the one a folder without a client suffix goes to) first.
pub const CLIENTS: &[Client] = &[
    Client { name: "keys", api: || crate::dynamic_api!(keyvault_keys, KeyClient), spec: "keys.json" },
    Client { name: "secrets", api: || crate::dynamic_api!(keyvault_secrets, SecretClient), spec: "secrets.json" },
    Client {
        name: "certificates",
        api: || crate::dynamic_api!(keyvault_certificates, CertificateClient),
        spec: "certificates.json",
    },
];

/// The client named `name`.
pub fn by_name(name: &str) -> Result<&'static Client, String> {
    CLIENTS.iter().find(|c| c.name == name).ok_or_else(|| {
        let known: Vec<&str> = CLIENTS.iter().map(|c| c.name).collect();
        format!("no client `{name}` (known: {})", known.join(", "))
    })
}

/// The client for a folder of recordings: `…-NAME` (`recordings-secrets`) goes to client
/// `NAME`; any other folder to the default client (keys).
pub fn route(folder: &Path) -> Result<&'static Client, String> {
    let name = folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match name.rsplit_once('-') {
        Some((_, suffix)) if CLIENTS.iter().any(|c| c.name == suffix) => by_name(suffix),
        Some((_, suffix)) if name.starts_with("recordings-") => {
            by_name(suffix).map_err(|e| format!("{}: {e}", folder.display()))
        }
        _ => Ok(&CLIENTS[0]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_route_by_their_suffix() {
        assert_eq!(route(Path::new("../shared/recordings")).unwrap().name, "keys");
        assert_eq!(route(Path::new("/x/recordings-keys")).unwrap().name, "keys");
        assert_eq!(route(Path::new("fixtures/java")).unwrap().name, "keys");
        let err = route(Path::new("../shared/recordings-nosuch")).err().unwrap();
        assert!(err.contains("no client `nosuch`"), "{err}");
    }
}
