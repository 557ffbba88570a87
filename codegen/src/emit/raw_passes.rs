//! Rewrites of progenitor's output before anything is emitted from it, in one place:
//! distinct field names, restored parameter wire names, outcome enums, unencoded path
//! parameters. Each pass is in the module named for its job.

use quote::ToTokens;
use syn::{ImplItem, Item};

use crate::Prepared;
use crate::error::Result;

/// Runs every pass on `raw`.
pub fn apply(raw: &mut syn::File, prepared: &mut Prepared) -> Result<()> {
    crate::names::dedupe_fields(raw);
    crate::names::restore_parameters(raw, &mut prepared.openapi, &prepared.facts.param_renames);
    super::docs::apply(raw, &prepared.field_docs);
    super::outcomes::apply(raw, &prepared.facts.outcomes)?;
    unencoded_paths(raw, &prepared.facts.raw_path_params);
    Ok(())
}

fn folded(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// Drops progenitor's `encode_path(..)` around the path parameters marked
/// `x-ms-skip-url-encoding` (operationId, wire name).
fn unencoded_paths(raw: &mut syn::File, params: &[(String, String)]) {
    if params.is_empty() {
        return;
    }
    for item in &mut raw.items {
        let Item::Impl(imp) = item else { continue };
        for f in &mut imp.items {
            let ImplItem::Fn(f) = f else { continue };
            let method = folded(&f.sig.ident.to_string());
            let mut text = f.block.to_token_stream().to_string();
            let before = text.clone();
            for (_, wire) in params.iter().filter(|(id, _)| folded(id) == method) {
                let Some(arg) = f.sig.inputs.iter().find_map(|a| match a {
                    syn::FnArg::Typed(t) => match &*t.pat {
                        syn::Pat::Ident(i) if folded(&i.ident.to_string()) == folded(wire) => Some(i.ident.clone()),
                        _ => None,
                    },
                    syn::FnArg::Receiver(_) => None,
                }) else {
                    continue;
                };
                text = text.replace(&format!("encode_path (& {arg} . to_string ())"), &arg.to_string());
            }
            if text != before
                && let Ok(block) = syn::parse_str::<syn::Block>(&text)
            {
                f.block = block;
            }
        }
    }
}
