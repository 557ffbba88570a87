//! Stage 6: write the client crate's files from progenitor's output and the Azure facts.

pub mod crate_files;
pub mod dispatch;
pub mod docs;
pub mod enums;
pub mod facade;
pub mod format;
pub mod non_exhaustive;
pub mod outcomes;
pub mod pollers;
pub mod raw_passes;
