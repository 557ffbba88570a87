//! The TLS backend of the HTTP client the runtime builds, chosen by cargo feature.
//!
//! `rustls` (the generated crates' default) runs rustls on the `ring` provider: reqwest's
//! own `rustls` feature would bring aws-lc-rs, whose C build dominates a clean build of a
//! downstream crate. The config is handed to reqwest preconfigured, so no process-wide
//! default provider is installed behind the application's back.

use super::error::Error;

/// Applies the TLS backend selected by the crate's features to `builder`.
pub(crate) fn configure(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, Error> {
    #[cfg(all(feature = "rustls", not(feature = "rustls-aws-lc")))]
    {
        use std::sync::Arc;

        use rustls_platform_verifier::BuilderVerifierExt as _;

        use super::error::ErrorKind;

        let tls_error = |e: rustls::Error| Error::new(ErrorKind::Config, "could not set up TLS").with_source(e);
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(tls_error)?
            .with_platform_verifier()
            .map_err(tls_error)?
            .with_no_client_auth();
        Ok(builder.tls_backend_preconfigured(config))
    }
    #[cfg(not(all(feature = "rustls", not(feature = "rustls-aws-lc"))))]
    {
        // Any other backend (aws-lc rustls, native-tls, or none) is reqwest's own default.
        Ok(builder)
    }
}
