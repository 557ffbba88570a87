//! The one list of committed clients: which spec becomes which crate and client type.
//!
//! `cargo xtask codegen` writes each into `generated/<crate>/`, and `--check` covers every
//! one; a folder under `generated/` that is not listed here counts as drift.

/// One generated client of this repository.
#[derive(Debug, Clone, Copy)]
pub struct ClientSpec {
    /// The root spec file, relative to the repository root.
    pub spec: &'static str,
    /// The crate's package name, and its folder under `generated/`.
    pub crate_name: &'static str,
    /// The client type's name.
    pub client: &'static str,
}

/// A spec file of our Key Vault 7.4 data plane, relative to the repository root.
macro_rules! stable_7_4 {
    ($file:literal) => {
        concat!("spec/specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/", $file)
    };
}

/// Every committed client, in the order they are generated.
pub const CLIENTS: &[ClientSpec] = &[
    ClientSpec { spec: stable_7_4!("keys.json"), crate_name: "keyvault-keys", client: "KeyClient" },
    ClientSpec { spec: stable_7_4!("secrets.json"), crate_name: "keyvault-secrets", client: "SecretClient" },
    ClientSpec {
        spec: stable_7_4!("certificates.json"),
        crate_name: "keyvault-certificates",
        client: "CertificateClient",
    },
    ClientSpec {
        spec: stable_7_4!("backuprestore.json"),
        crate_name: "keyvault-administration",
        client: "BackupClient",
    },
];
