//! Shared helpers for the integration tests of the generated client.

use std::sync::Arc;

use keyvault_keys::{ClientOptions, KeyClient, StaticToken};
use wiremock::MockServer;

/// The token every test client sends.
pub const TOKEN: &str = "test-token";

/// A client for `server`, allowed to use plain http, with a static token.
pub fn client(server: &MockServer) -> KeyClient {
    client_with(server, ClientOptions::default())
}

/// Like [`client`], with explicit options (http is always allowed).
pub fn client_with(server: &MockServer, options: ClientOptions) -> KeyClient {
    KeyClient::with_options(&server.uri(), Arc::new(StaticToken::new(TOKEN)), options.allow_http(true))
        .expect("client for a loopback server")
}
