//! The generated clients the replay harness can route a folder of recordings to.
//!
//! Each Key Vault data-plane area has its own client and its own recordings: `recordings/`
//! holds keys traffic, `recordings-secrets/` secrets traffic, and so on. A folder goes to
//! the client its name asks for ([`route`]), or to the one named explicitly
//! ([`by_name`]). Adding a client is one row of [`CLIENTS`] (and its crate as a
//! dependency, with its `dynamic` feature).
//!
//! An exchange that the folder's client has no operation for goes to the next client of
//! the table that has one ([`Replay`]): a certificates recording that downloads the
//! certificate's secret is checked by the secrets client.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::examples::Api;
use crate::replay::Target;

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

/// Every client of the table, ready to replay through: the folder's client first, then the
/// others in table order, each with the request bodies of its own spec's examples.
pub struct Replay {
    clients: Vec<(Api, BTreeMap<String, Value>)>,
}

impl Replay {
    /// `primary` first; `spec` replaces the primary's spec as the source of request bodies.
    pub fn new(primary: &Client, spec: Option<&Path>) -> Self {
        let others = CLIENTS.iter().filter(|c| c.name != primary.name);
        let clients = std::iter::once(primary)
            .chain(others)
            .map(|c| {
                let api = (c.api)();
                let spec = match spec {
                    Some(spec) if c.name == primary.name => spec.to_owned(),
                    _ => c.spec_path(),
                };
                let bodies = crate::replay::example_bodies(&api, &spec);
                (api, bodies)
            })
            .collect();
        Self { clients }
    }

    /// The targets for [`crate::replay::replay_dir_routed`], the folder's client first.
    pub fn targets(&self) -> Vec<Target<'_>> {
        self.clients.iter().map(|(api, bodies)| Target { api, bodies }).collect()
    }

    /// Replays every recording under `dir` (see [`crate::replay::replay_dir_routed`]).
    pub fn replay_dir(&self, dir: &Path) -> Result<crate::replay::Report, String> {
        crate::replay::replay_dir_routed_blocking(&self.targets(), dir)
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
