//! Outcome enums for operations with several success bodies (see
//! [`azure::outcomes`](crate::azure::outcomes)).
//!
//! Each enum goes into progenitor's `mod types`, beside the models (so it is public through
//! `models`), with a crate-private `decode` that turns a status and the raw body into the
//! variant, and a marker constant naming its operation, by which the facade finds it.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use syn::{ImplItem, Item};

use crate::azure::Outcome;
use crate::azure::outcomes::enum_name;
use crate::error::{Error, Result};

/// The marker constant of an outcome enum.
const MARKER: &str = "OUTCOME_OF_OPERATION";

fn folded(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// Adds one enum per outcome to `mod types` of progenitor's output.
pub fn apply(raw: &mut syn::File, outcomes: &[Outcome]) -> Result<()> {
    if outcomes.is_empty() {
        return Ok(());
    }
    let Some(types) = raw.items.iter_mut().find_map(|i| match i {
        Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|c| &mut c.1),
        _ => None,
    }) else {
        return Err(Error::Generate { file: Default::default(), message: "progenitor wrote no `mod types`".into() });
    };
    let names: Vec<syn::Ident> = types
        .iter()
        .filter_map(|i| match i {
            Item::Struct(s) => Some(s.ident.clone()),
            Item::Enum(e) => Some(e.ident.clone()),
            Item::Type(t) => Some(t.ident.clone()),
            _ => None,
        })
        .collect();
    for o in outcomes {
        // A model may already have the name: the enum takes the next free numbered one (the
        // facade finds it by its marker, not by name).
        let base = enum_name(&o.operation_id);
        let mut name = format_ident!("{base}");
        let mut n = 2;
        while names.contains(&name) {
            name = format_ident!("{base}{n}");
            n += 1;
        }
        let id = &o.operation_id;
        let mut variants = Vec::new();
        let mut arms = Vec::new();
        let mut list = String::new();
        for c in &o.cases {
            let variant = format_ident!("{}", c.variant);
            let status = proc_macro2::Literal::u16_unsuffixed(c.status);
            let code = c.status;
            let what = if c.description.is_empty() { String::new() } else { format!(": {}", c.description) };
            list.push_str(&format!("\n - `{code}` → [`Self::{variant}`]{what}"));
            match &c.schema {
                Some(schema) => {
                    let ty = names.iter().find(|n| folded(&n.to_string()) == folded(schema)).ok_or_else(|| {
                        Error::Generate {
                            file: Default::default(),
                            message: format!("operation {id}: the body model {schema} of status {code} has no type"),
                        }
                    })?;
                    let doc = format!(" `{code}`{what}");
                    variants.push(quote! { #[doc = #doc] #variant(#ty) });
                    let bad = format!("the body of a {code} response of {id} is not a {ty}: {{e}}");
                    arms.push(quote! {
                        #status => ::serde_json::from_slice(body).map(Self::#variant).map_err(|e| format!(#bad))
                    });
                }
                None => {
                    let doc = format!(" `{code}`{what} (no body)");
                    variants.push(quote! { #[doc = #doc] #variant });
                    arms.push(quote! { #status => ::std::result::Result::Ok(Self::#variant) });
                }
            }
        }
        let doc = format!(
            " What operation `{id}` answered: its success responses carry different bodies, so each\n success status is a variant.\n{list}\n\n Serialized, a variant is its body (`null` for none)."
        );
        let unexpected = format!("status {{other}} is not a success status of {id}");
        let enum_item: TokenStream = quote! {
            #[doc = #doc]
            #[derive(Clone, Debug, PartialEq, ::serde::Serialize)]
            #[serde(untagged)]
            pub enum #name {
                #(#variants,)*
            }
        };
        let marker = format_ident!("{MARKER}");
        let impl_item: TokenStream = quote! {
            impl #name {
                /// The operation this enum answers (how the facade finds it).
                pub(crate) const #marker: &'static str = #id;

                /// Decodes the body of a success response by its status.
                pub(crate) fn decode(status: u16, body: &[u8]) -> ::std::result::Result<Self, ::std::string::String> {
                    match status {
                        #(#arms,)*
                        other => ::std::result::Result::Err(format!(#unexpected)),
                    }
                }
            }
        };
        types.push(syn::parse2(enum_item).expect("outcome enum parses"));
        types.push(syn::parse2(impl_item).expect("outcome impl parses"));
    }
    Ok(())
}

/// The outcome enums in `raw`, by operationId.
pub fn find(raw: &syn::File) -> BTreeMap<String, syn::Ident> {
    let mut out = BTreeMap::new();
    let Some(types) = raw.items.iter().find_map(|i| match i {
        Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|c| &c.1),
        _ => None,
    }) else {
        return out;
    };
    for item in types {
        let Item::Impl(imp) = item else { continue };
        for i in &imp.items {
            let ImplItem::Const(c) = i else { continue };
            if c.ident != MARKER {
                continue;
            }
            let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) = &c.expr else { continue };
            if let Ok(ident) = syn::parse2::<syn::Ident>(imp.self_ty.to_token_stream()) {
                out.insert(s.value(), ident);
            }
        }
    }
    out
}
