//! Stage 5: drive progenitor on the converted document.
//!
//! Settings chosen for Azure (see shared notes on progenitor 0.15.1): positional methods on
//! one `Client`, hooks *expected* (the runtime's `exec` hook carries auth, retries and error
//! capture, and a missing impl is a compile error), the runtime's per-call context as the
//! inner type, Azure's formats mapped to runtime types, and named enums replaced by the open
//! enums the emitter writes.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use proc_macro2::TokenStream;
use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use quote::quote;
use schemars::schema::{InstanceType, SchemaObject, SingleOrVec};

use crate::azure::AzureFacts;
use crate::error::{Error, Result};

/// Runs progenitor and returns its token stream.
pub fn generate(spec: &openapiv3::OpenAPI, facts: &AzureFacts, file: &Path) -> Result<TokenStream> {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote! { keyvault_runtime::CallContext })
        .with_derive("PartialEq")
        // Ordered maps serialize `tags` the same way every time.
        .with_map_type("::std::collections::BTreeMap")
        .with_conversion(
            string_format("base64url"),
            "keyvault_runtime::Base64Url",
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        )
        .with_conversion(
            string_format(crate::azure::secrets::SECRET_FORMAT),
            "keyvault_runtime::SecretString",
            [TypeImpl::FromStr].into_iter(),
        )
        .with_conversion(
            string_format("byte"),
            "keyvault_runtime::Base64",
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        )
        .with_conversion(
            string_format("date-time"),
            "keyvault_runtime::DateTime",
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        )
        .with_conversion(
            integer_format("unixtime"),
            "keyvault_runtime::UnixTime",
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    for e in &facts.enums {
        settings.with_replacement(
            &e.name,
            format!("crate::enums::{}", e.name),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    // progenitor asserts on shapes it does not support; the rules reject the known ones with a
    // JSON pointer first, and anything left becomes an error here rather than a crash.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = catch_unwind(AssertUnwindSafe(|| Generator::new(&settings).generate_tokens(spec)));
    std::panic::set_hook(previous);
    match outcome {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(Error::Generate { file: file.to_path_buf(), message: e.to_string() }),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "progenitor panicked".into());
            Err(Error::Generate {
                file: file.to_path_buf(),
                message: format!("progenitor could not express this spec: {message}"),
            })
        }
    }
}

fn string_format(format: &str) -> SchemaObject {
    SchemaObject {
        instance_type: Some(SingleOrVec::Single(Box::new(InstanceType::String))),
        format: Some(format.into()),
        ..Default::default()
    }
}

fn integer_format(format: &str) -> SchemaObject {
    SchemaObject {
        instance_type: Some(SingleOrVec::Single(Box::new(InstanceType::Integer))),
        format: Some(format.into()),
        ..Default::default()
    }
}
