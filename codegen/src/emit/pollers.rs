//! `begin_<op>` for every long-running operation: the plain method's arguments, the first
//! request sent at once, and the runtime's `Poller` returned, typed with the result model.
//! Emitted as a second `impl` block of the client, beside the facade's.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::facade::{Operation, lifetimes, normalized, operations};
use crate::azure::long_running::{LongRunning, Segment, Shape};
use crate::error::{Error, Result};

/// The `impl <Client>` block holding the `begin_*` methods (empty when there are none).
pub fn emit(raw: &syn::File, client_name: &str, long_running: &[LongRunning]) -> Result<TokenStream> {
    if long_running.is_empty() {
        return Ok(TokenStream::new());
    }
    let ops = operations(raw);
    let methods = long_running.iter().map(|lro| method(&ops, lro)).collect::<Result<Vec<_>>>()?;
    let client = format_ident!("{client_name}");
    Ok(quote! {
        impl #client {
            #(#methods)*
        }
    })
}

fn method(ops: &[Operation], lro: &LongRunning) -> Result<TokenStream> {
    let op = ops.iter().find(|o| normalized(&o.operation_id) == normalized(&lro.operation_id)).ok_or_else(|| {
        Error::Generate {
            file: Default::default(),
            message: format!("long-running operation {} has no method in progenitor's output", lro.operation_id),
        }
    })?;
    let method = &op.method;
    let begin = format_ident!("begin_{}", op.method);
    let result = format_ident!("{}", lro.result_schema);
    let (generics, receiver, _) = lifetimes(op);
    let args = op.params.iter().map(|(n, t)| quote! { #n: #t });
    let names: Vec<_> = op.params.iter().map(|(n, _)| n).collect();
    let common = doc_lines(&format!(
        "Starts [`Self::{method}`] and returns a [`Poller`](keyvault_runtime::Poller) that follows it\n\
         to its end and yields the resulting [`{result}`](types::{result}).\n\
         \n\
         The first request is sent before this returns (its errors are returned here). Then\n\
         `.await` the poller (or call `wait`) for the result; `next_status` and `updates` show\n\
         progress. It polls at the service's `Retry-After`, else every 5 s (`interval`), gives\n\
         up after 30 min (`timeout`), and stops when dropped. A failed or cancelled operation\n\
         is an error of kind `OperationFailed` / `OperationCanceled` with the service's error.\n\
         \n"
    ));
    let body = match &lro.shape {
        Shape::Azure { final_state_via } => {
            let via = format_ident!("{final_state_via}");
            let checks = op.path_params.iter().map(|p| {
                let name = p.to_string();
                quote! { keyvault_runtime::check_path_segment(#name, #p)?; }
            });
            let doc = doc_lines(&format!(
                "Long-running (`x-ms-long-running-operation`): the status is read from the\n\
                 `Azure-AsyncOperation` or `Location` the service answers with; the result as\n\
                 `final-state-via` says (`FinalStateVia::{final_state_via}`)."
            ));
            quote! {
                #(#common)*
                #(#doc)*
                pub async fn #begin #generics (#receiver, #(#args),*)
                    -> Result<keyvault_runtime::Poller<types::#result>, Error>
                {
                    #(#checks)*
                    let (raw, ctx) = self.raw();
                    let first = ctx.finish(raw.#method(#(#names),*).await)?;
                    keyvault_runtime::Poller::from_response(&ctx, first, keyvault_runtime::FinalStateVia::#via)
                }
            }
        }
        Shape::Pending { status_path, final_path } => {
            let status = segments(op, status_path)?;
            let finish = segments(op, final_path)?;
            let doc = doc_lines(&format!(
                "The pending operation is polled at `/{}`\nuntil its `status` is `completed`; the result is then read at `/{}`.",
                template(status_path),
                template(final_path)
            ));
            quote! {
                #(#common)*
                #(#doc)*
                pub async fn #begin #generics (#receiver, #(#args),*)
                    -> Result<keyvault_runtime::Poller<types::#result>, Error>
                {
                    let first = self.#method(#(#names),*).await?;
                    let status_url = self.core.url_for(&[#(#status),*])?;
                    let final_url = self.core.url_for(&[#(#finish),*])?;
                    keyvault_runtime::Poller::pending_operation(&self.core, first, status_url, final_url)
                }
            }
        }
    };
    Ok(body)
}

/// The expressions of a path's segments: literals, and the method's own path arguments.
fn segments(op: &Operation, path: &[Segment]) -> Result<Vec<TokenStream>> {
    path.iter()
        .map(|s| match s {
            Segment::Literal(text) => Ok(quote! { #text }),
            Segment::Param(name) => {
                let (ident, ty) =
                    op.params.iter().find(|(n, _)| normalized(&n.to_string()) == normalized(name)).ok_or_else(
                        || Error::Generate {
                            file: Default::default(),
                            message: format!(
                                "long-running operation {}: path parameter `{name}` is not an argument of its method",
                                op.operation_id
                            ),
                        },
                    )?;
                let is_str = quote!(#ty).to_string().replace(' ', "").ends_with("str");
                Ok(if is_str {
                    quote! { #ident }
                } else {
                    quote! { &#ident.to_string() }
                })
            }
        })
        .collect()
}

/// A path's template text, for the docs.
fn template(path: &[Segment]) -> String {
    path.iter()
        .map(|s| match s {
            Segment::Literal(t) => t.clone(),
            Segment::Param(n) => format!("{{{n}}}"),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// One `#[doc]` attribute per line, so the formatter writes `///` comments.
fn doc_lines(text: &str) -> Vec<TokenStream> {
    text.lines()
        .map(|line| {
            let line = format!(" {line}");
            quote! { #[doc = #line] }
        })
        .collect()
}
