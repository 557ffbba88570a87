//! What a spec update changes in the generated client, and the version bump it needs.
//!
//! Both specs go through the whole generator in memory; [`api`] reads the public API back
//! from the generated Rust and ties each item to its spec origin, [`compare`] lists the
//! differences, [`semver`] classifies each one by Rust's semver rules, [`report`] prints
//! them. Spec-level diff tools see operations and schemas; semver checkers see Rust after
//! the fact; this joins the two: "field `hsm_platform` added to `models::KeyAttributes`,
//! from `KeyAttributes.hsmPlatform`, minor".

pub mod api;
pub mod compare;
pub mod report;
pub mod semver;

use std::path::Path;

pub use compare::{Change, Diff, Kind};
pub use semver::Bump;

use crate::error::Result;

/// Generates the clients of `old` and `new` in memory and compares their public APIs.
pub fn specs(old: &Path, new: &Path) -> Result<Diff> {
    let a = api::of_spec(old)?;
    let b = api::of_spec(new)?;
    Ok(compare::compare(&a, &b))
}
