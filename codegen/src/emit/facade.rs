//! The public client: one method per operation, wrapping progenitor's raw method.
//!
//! progenitor's methods return `progenitor_client::Error<KeyVaultError>`, which loses the
//! status of a non-JSON error body and knows nothing of tokens or retries. The facade gives
//! every call a fresh runtime context (the raw client's inner value), runs the raw method,
//! and lets the runtime turn the outcome into the crate's single `Error` type. Signatures are
//! taken from progenitor's own output, so the two can never disagree.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use syn::{FnArg, GenericArgument, ImplItem, Item, Pat, PathArguments, ReturnType, Type};

use crate::azure::Pageable;
use crate::error::{Error, Result};

/// One operation method found in progenitor's output.
#[derive(Clone)]
pub struct Operation {
    /// The method name (`backup_key`).
    pub method: syn::Ident,
    /// The spec's operationId (`BackupKey`).
    pub operation_id: String,
    /// The doc attributes progenitor wrote from the spec's summary and description.
    pub docs: Vec<syn::Attribute>,
    /// Generic parameters (`<'a>`).
    pub generics: syn::Generics,
    /// Arguments after `&self`.
    pub params: Vec<(syn::Ident, Type)>,
    /// The arguments that fill path segments (named in the path template).
    pub path_params: Vec<syn::Ident>,
    /// Those of them sent unencoded (`x-ms-skip-url-encoding`): they may span segments.
    pub unencoded: Vec<syn::Ident>,
    /// The success body type (`types::BackupKeyResult`, or `()`; the outcome enum when the
    /// operation has several success bodies).
    pub success: Type,
    /// The outcome enum, when progenitor's method returns raw bytes that the facade decodes
    /// by status (see [`super::outcomes`]).
    pub outcome: Option<syn::Ident>,
}

/// Reads the operation methods of `impl Client` in progenitor's output.
pub fn operations(raw: &syn::File) -> Vec<Operation> {
    // progenitor's operation_id is its method name (`get_item`); the marker holds the spec's.
    let outcomes: std::collections::BTreeMap<String, syn::Ident> =
        super::outcomes::find(raw).into_iter().map(|(id, name)| (normalized(&id), name)).collect();
    let mut out = Vec::new();
    for item in &raw.items {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || imp.self_ty.to_token_stream().to_string() != "Client" {
            continue;
        }
        for f in &imp.items {
            let ImplItem::Fn(f) = f else { continue };
            if f.sig.asyncness.is_none() {
                continue;
            }
            let params: Vec<(syn::Ident, Type)> = f
                .sig
                .inputs
                .iter()
                .filter_map(|a| match a {
                    FnArg::Typed(t) => match &*t.pat {
                        Pat::Ident(id) => Some((id.ident.clone(), (*t.ty).clone())),
                        _ => None,
                    },
                    FnArg::Receiver(_) => None,
                })
                .collect();
            let Some(success) = success_type(&f.sig.output) else { continue };
            let body = f.block.to_token_stream().to_string();
            let operation_id = body
                .split("operation_id : \"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_default()
                .to_string();
            let docs: Vec<syn::Attribute> = f.attrs.iter().filter(|a| a.path().is_ident("doc")).cloned().collect();
            let template = path_template(&docs);
            let path_params: Vec<syn::Ident> = params
                .iter()
                .filter(|(name, _)| template.iter().any(|t| normalized(t) == normalized(&name.to_string())))
                .map(|(name, _)| name.clone())
                .collect();
            let unencoded =
                path_params.iter().filter(|p| !body.contains(&format!("encode_path (& {p}"))).cloned().collect();
            let outcome = outcomes.get(&normalized(&operation_id)).cloned();
            let success = match &outcome {
                Some(name) => syn::parse_quote!(types::#name),
                None => success,
            };
            out.push(Operation {
                outcome,
                unencoded,
                path_params,
                method: f.sig.ident.clone(),
                operation_id,
                docs,
                generics: f.sig.generics.clone(),
                params,
                success,
            });
        }
    }
    out
}

/// The generics, receiver and stream bound of a facade method: progenitor's `<'a>` and
/// `&'a self` when an argument borrows for `'a`, elided otherwise (clippy's
/// `needless_lifetimes`).
pub(crate) fn lifetimes(op: &Operation) -> (TokenStream, TokenStream, TokenStream) {
    let borrows = op.params.iter().any(|(_, t)| t.to_token_stream().to_string().contains("'a"));
    if borrows {
        let g = &op.generics;
        (quote! { #g }, quote! { &'a self }, quote! { 'a })
    } else {
        (quote! {}, quote! { &self }, quote! { '_ })
    }
}

/// A local binding named `base`, or `base_`, `base__`, ...: the first that no argument of
/// the method has (a spec may name a parameter `raw` or `ctx`).
pub fn fresh(base: &str, params: &[(syn::Ident, Type)]) -> syn::Ident {
    let mut name = base.to_string();
    while params.iter().any(|(p, _)| syn::ext::IdentExt::unraw(p) == name) {
        name.push('_');
    }
    format_ident!("{name}")
}

/// Names in `{...}` of the path progenitor documents ("Sends a `POST` request to `/keys/{key-name}/backup`").
fn path_template(docs: &[syn::Attribute]) -> Vec<String> {
    let text: String = docs.iter().map(|a| a.to_token_stream().to_string()).collect();
    let Some(path) = text.split("request to `").nth(1).and_then(|rest| rest.split('`').next()) else {
        return Vec::new();
    };
    path.split('{').skip(1).filter_map(|p| p.split('}').next()).map(String::from).collect()
}

/// An identifier reduced to lowercase letters and digits, to compare spec names
/// (`key-name`, `GetKeys`) with the Rust names progenitor made of them (`key_name`, `get_keys`).
pub(crate) fn normalized(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// `Result<ResponseValue<T>, Error<E>>` → `T`.
fn success_type(output: &ReturnType) -> Option<Type> {
    let ReturnType::Type(_, ty) = output else { return None };
    let first_arg = |ty: &Type| -> Option<Type> {
        let Type::Path(p) = ty else { return None };
        let PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else { return None };
        args.args.iter().find_map(|a| match a {
            GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        })
    };
    first_arg(&first_arg(ty)?)
}

/// A page type's fields, as progenitor named them.
struct PageFields {
    next_link: TokenStream,
    items: TokenStream,
    item_type: Type,
}

/// Finds the next-link and items fields of `types::<schema>` by their wire names.
fn page_fields(raw: &syn::File, p: &Pageable) -> Result<PageFields> {
    let missing = |what: &str| Error::Generate {
        file: Default::default(),
        message: format!(
            "x-ms-pageable operation {}: page type {} has no `{what}` property",
            p.operation_id, p.page_schema
        ),
    };
    let types = raw
        .items
        .iter()
        .find_map(|i| match i {
            Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|c| &c.1),
            _ => None,
        })
        .ok_or_else(|| missing("types"))?;
    let strukt = types
        .iter()
        .find_map(|i| match i {
            Item::Struct(s) if s.ident == p.page_schema => Some(s),
            _ => None,
        })
        .ok_or_else(|| missing("struct"))?;
    let field = |wire: &str| {
        strukt.fields.iter().find(|f| {
            let renamed =
                f.attrs.iter().any(|a| a.to_token_stream().to_string().contains(&format!("rename = \"{wire}\"")));
            renamed || f.ident.as_ref().is_some_and(|i| i == wire)
        })
    };
    let next = field(&p.next_link_name).ok_or_else(|| missing(&p.next_link_name))?;
    let items = field(&p.item_name).ok_or_else(|| missing(&p.item_name))?;
    let next_ident = next.ident.clone().expect("named field");
    let items_ident = items.ident.clone().expect("named field");
    let next_is_option = first_generic(&next.ty, "Option").is_some();
    let next_link = if next_is_option {
        quote! { self.#next_ident.as_deref() }
    } else {
        quote! { Some(self.#next_ident.as_str()) }
    };
    let (items_expr, vec_ty) = match first_generic(&items.ty, "Option") {
        Some(inner) => (quote! { self.#items_ident.unwrap_or_default() }, inner),
        None => (quote! { self.#items_ident }, items.ty.clone()),
    };
    let item_type = first_generic(&vec_ty, "Vec").ok_or_else(|| missing(&format!("{} (an array)", p.item_name)))?;
    // Inside `mod types` sibling models are named bare; the facade reaches them via `types::`.
    let item_type: Type = match &item_type {
        Type::Path(tp) if tp.qself.is_none() && tp.path.leading_colon.is_none() && tp.path.segments.len() == 1 => {
            syn::parse_quote!(types::#item_type)
        }
        _ => item_type,
    };
    Ok(PageFields { next_link, items: items_expr, item_type })
}

fn first_generic(ty: &Type, outer: &str) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != outer {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &seg.arguments else { return None };
    args.args.iter().find_map(|a| match a {
        GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    })
}

/// Emits `client.rs`: the facade type, its methods, the hooks impl and the pagers.
pub fn emit(raw: &syn::File, client_name: &str, title: &str, pageables: &[Pageable]) -> Result<TokenStream> {
    let ops = operations(raw);
    let client = format_ident!("{client_name}");
    let client_doc = format!(
        " {}\n\n One method per operation of the spec. Every method takes `&self`, so one client can\n serve many concurrent calls; clone it cheaply where needed.",
        title.trim().trim_end_matches('.').to_string() + "."
    );
    let methods = ops.iter().map(|op| {
        let Operation { method, docs, params, success, .. } = op;
        let names = params.iter().map(|(n, _)| n);
        let args = params.iter().map(|(n, t)| quote! { #n: #t });
        let (generics, receiver, _) = lifetimes(op);
        let checks = op.path_params.iter().map(|p| {
            let name = p.to_string();
            if op.unencoded.contains(p) {
                // Sent as given, slashes included: no segment of it may be a dot segment.
                quote! {
                    for segment in #p.split('/') {
                        keyvault_runtime::check_path_segment(#name, segment)?;
                    }
                }
            } else {
                quote! { keyvault_runtime::check_path_segment(#name, #p)?; }
            }
        });
        let raw = fresh("raw", params);
        let ctx = fresh("ctx", params);
        let call = match &op.outcome {
            None => quote! { #ctx.finish(#raw.#method(#(#names),*).await) },
            Some(outcome) => {
                let (status, headers, value) =
                    (fresh("status", params), fresh("headers", params), fresh("value", params));
                quote! {
                    let (#status, #headers, #value) = #ctx.finish(#raw.#method(#(#names),*).await)?.into_parts();
                    let #value = types::#outcome::decode(#status.as_u16(), &read_body(#value).await?)
                        .map_err(|e| Error::new(keyvault_runtime::ErrorKind::InvalidResponse, e))?;
                    Ok(Response::new(#status, #headers, #value))
                }
            }
        };
        let outcome_doc = op.outcome.as_ref().map(|o| {
            let text =
                format!(" The success statuses carry different bodies: the value is a [`{o}`](crate::models::{o}).");
            quote! { #[doc = ""] #[doc = #text] }
        });
        quote! {
            #(#docs)*
            #outcome_doc
            pub async fn #method #generics (#receiver, #(#args),*) -> Result<Response<#success>, Error> {
                #(#checks)*
                let (#raw, #ctx) = self.raw();
                #call
            }
        }
    });
    let mut pagers = Vec::new();
    let mut page_impls = Vec::new();
    let mut implemented = std::collections::BTreeSet::new();
    for p in pageables {
        let Some(op) = ops.iter().find(|o| normalized(&o.operation_id) == normalized(&p.operation_id)) else {
            return Err(Error::Generate {
                file: Default::default(),
                message: format!("x-ms-pageable operation {} has no method in progenitor's output", p.operation_id),
            });
        };
        if op.outcome.is_some() {
            return Err(Error::Generate {
                file: Default::default(),
                message: format!(
                    "x-ms-pageable operation {} has several success bodies; its pages need one type",
                    p.operation_id
                ),
            });
        }
        let fields = page_fields(raw, p)?;
        let page_ty = format_ident!("{}", p.page_schema);
        let item_ty = &fields.item_type;
        let (next_link, items) = (&fields.next_link, &fields.items);
        // Several list operations can share a page type (GetKeys, GetKeyVersions): one impl.
        if implemented.insert(p.page_schema.clone()) {
            page_impls.push(quote! {
                impl keyvault_runtime::Page for types::#page_ty {
                    type Item = #item_ty;
                    fn next_link(&self) -> Option<&str> { #next_link }
                    fn into_items(self) -> Vec<Self::Item> { #items }
                }
            });
        }
        let method = &op.method;
        let pages = format_ident!("{}_pages", op.method);
        let stream = format_ident!("{}_stream", op.method);
        let (generics, receiver, bound) = lifetimes(op);
        let args: Vec<_> = op.params.iter().map(|(n, t)| quote! { #n: #t }).collect();
        let names: Vec<_> = op.params.iter().map(|(n, _)| n).collect();
        let pages_doc = format!(
            " Every page of [`Self::{method}`], following `{}` until the service stops sending one.\n\n Each next link is requested exactly as the service sent it, through the same\n authentication and retry path as the first page.",
            p.next_link_name
        );
        let stream_doc = format!(" Every item of every page of [`Self::{method}`], in order.");
        pagers.push(quote! {
            #[doc = #pages_doc]
            pub fn #pages #generics (#receiver, #(#args),*)
                -> impl keyvault_runtime::Stream<Item = Result<Response<types::#page_ty>, Error>> + Send + #bound
            {
                self.core.pages(async move { self.#method(#(#names),*).await })
            }

            #[doc = #stream_doc]
            pub fn #stream #generics (#receiver, #(#args),*)
                -> impl keyvault_runtime::Stream<Item = Result<#item_ty, Error>> + Send + #bound
            {
                keyvault_runtime::paging::items(self.#pages(#(#names),*))
            }
        });
    }
    let read_body = ops.iter().any(|o| o.outcome.is_some()).then(|| {
        quote! {
            /// Reads a raw success body to its end, for an outcome enum to decode.
            async fn read_body(body: progenitor_client::ByteStream) -> Result<Vec<u8>, Error> {
                use keyvault_runtime::StreamExt as _;
                let mut stream = body.into_inner();
                let mut out = Vec::new();
                while let Some(chunk) = stream.next().await {
                    let chunk = chunk.map_err(|e| {
                        Error::new(keyvault_runtime::ErrorKind::Transport, format!("reading the response body: {e}"))
                    })?;
                    out.extend_from_slice(&chunk);
                }
                Ok(out)
            }
        }
    });
    Ok(quote! {
        use std::sync::Arc;

        use crate::raw::types;
        use keyvault_runtime::{ClientCore, ClientOptions, Error, Response, TokenCredential};

        #[doc = #client_doc]
        #[derive(Clone, Debug)]
        pub struct #client {
            core: ClientCore,
        }

        impl #client {
            /// Creates a client for the vault at `vault_url` (with or without a trailing
            /// slash), authenticating with `credential` and the default options.
            ///
            /// Fails if the URL is not an absolute `https` URL (see
            /// [`ClientOptions::allow_http`] for test servers).
            pub fn new(vault_url: &str, credential: Arc<dyn TokenCredential>) -> Result<Self, Error> {
                Self::with_options(vault_url, credential, ClientOptions::default())
            }

            /// Creates a client with explicit [`ClientOptions`] (api-version, retries,
            /// timeouts, plain-http test servers, ...).
            pub fn with_options(vault_url: &str, credential: Arc<dyn TokenCredential>, options: ClientOptions) -> Result<Self, Error> {
                Ok(Self { core: ClientCore::new(vault_url, credential, options, crate::DEFAULT_API_VERSION, concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")))? })
            }

            /// The vault URL requests go to, without a trailing slash.
            pub fn vault_url(&self) -> &str {
                self.core.base_url()
            }

            /// The api-version every request carries.
            pub fn api_version(&self) -> &str {
                self.core.api_version()
            }

            /// progenitor's client for one call, sharing this client's connection pool.
            fn raw(&self) -> (crate::raw::Client, keyvault_runtime::CallContext) {
                let ctx = self.core.call();
                let raw = crate::raw::Client::new_with_client(self.core.base_url(), self.core.http().clone(), ctx.clone());
                (raw, ctx)
            }

            #(#methods)*

            #(#pagers)*
        }

        // Every request of the raw client goes through the runtime's pipeline: api-version,
        // authentication (with Key Vault's challenge), retries, tracing and error capture.
        impl progenitor_client::ClientHooks<keyvault_runtime::CallContext> for crate::raw::Client {
            async fn exec(
                &self,
                request: reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                use progenitor_client::ClientInfo as _;
                self.inner().execute(self.client(), request, info.operation_id).await
            }
        }

        #(#page_impls)*

        #read_body
    })
}
