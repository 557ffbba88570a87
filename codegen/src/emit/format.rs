//! Turns token streams into formatted, headed source files.

use proc_macro2::TokenStream;

use crate::error::{Error, Result};

/// Formats `tokens` as a Rust file with prettyplease (deterministic, no rustfmt needed).
pub fn rust(tokens: TokenStream, file: &std::path::Path) -> Result<String> {
    let parsed: syn::File = syn::parse2(tokens).map_err(|e| Error::Generate {
        file: file.to_path_buf(),
        message: format!("generated code does not parse: {e}"),
    })?;
    file_text(&parsed, file)
}

/// Formats an already parsed file (progenitor's output is parsed once, for the facade, and
/// printed from that same tree).
pub fn file_text(parsed: &syn::File, file: &std::path::Path) -> Result<String> {
    let text = prettyplease::unparse(parsed);
    progenitor_impl::space_out_items(text)
        .map_err(|e| Error::Generate { file: file.to_path_buf(), message: e.to_string() })
}

/// Prefixes `body` with the generated-file header in `//` comments.
///
/// (`lib.rs` marks the generated modules `#[rustfmt::skip]`, so `cargo fmt --check` does not
/// fight prettyplease's layout.)
pub fn with_header(comment: &str, header: &[String], body: &str) -> String {
    let mut out = String::new();
    for line in header {
        out.push_str(comment);
        if !line.is_empty() {
            out.push(' ');
            out.push_str(line);
        }
        out.push('\n');
    }
    out.push('\n');
    out.push_str(body);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}
