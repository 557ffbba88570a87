//! The `dynamic` feature of a generated crate: every operation callable by its id, with JSON
//! in and JSON out, plus the list of operations (id, HTTP method, path template, parameters).
//!
//! It serves test harnesses that are derived from data rather than written per operation:
//! the spec's `x-ms-examples` and recorded service traffic. The dispatcher is typed
//! underneath: each parameter is converted by its wire name to the argument type of the
//! facade method, the body is deserialized into the typed request model, the typed method
//! is called, and its typed result is serialized back to JSON. Both the dispatcher and the
//! list are emitted from [`facade::operations`](super::facade::operations) (progenitor's own
//! signatures) joined with the OpenAPI document progenitor was given, so they can never
//! disagree with the typed API.
//!
//! The module is emitted as `src/client/dynamic.rs`, a child of the facade's module, so it
//! may use the client's private runtime core (for following next links).

use std::collections::BTreeMap;

use openapiv3::{OpenAPI, Parameter, ReferenceOr};
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use serde_json::Value;
use syn::{GenericArgument, PathArguments, Type};

use super::facade::Operation;
use crate::azure::Pageable;
use crate::error::{Error, Result};

/// Path of the emitted file inside the crate.
pub const FILE: &str = "src/client/dynamic.rs";

/// The wire name of each operation's body parameter, by `operationId`.
///
/// Swagger 2.0 names body parameters (`parameters`, `keyRotationPolicy`); the converter keeps
/// the name as `x-ms-body-name` and the Azure rules strip every `x-` key later, so this runs
/// on the document before them. OpenAPI 3.0 input may carry AutoRest's
/// `x-ms-requestBody-name`; anything else is called `body`.
pub fn body_names(doc: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else { return out };
    for item in paths.values().filter_map(Value::as_object) {
        for op in item.values().filter_map(Value::as_object) {
            let (Some(id), Some(body)) = (op.get("operationId").and_then(Value::as_str), op.get("requestBody")) else {
                continue;
            };
            let body = match body.get("$ref").and_then(Value::as_str) {
                Some(r) => r
                    .strip_prefix("#/components/requestBodies/")
                    .and_then(|name| {
                        doc.pointer(&format!("/components/requestBodies/{}", crate::pointer::escape(name)))
                    })
                    .unwrap_or(body),
                None => body,
            };
            let name = ["x-ms-body-name", "x-ms-requestBody-name"]
                .iter()
                .find_map(|k| body.get(*k).or_else(|| op.get(*k)).and_then(Value::as_str))
                .unwrap_or("body");
            out.insert(id.to_string(), name.to_string());
        }
    }
    out
}

/// One operation as the dispatcher sees it.
struct Shape {
    operation_id: String,
    http_method: String,
    path: String,
    /// (wire name, location, required, argument name, argument type).
    params: Vec<(String, &'static str, bool, syn::Ident, Type)>,
    /// The body's wire name.
    body: Option<String>,
    /// The facade method, its arguments (in order) and its success type.
    method: syn::Ident,
    args: Vec<(syn::Ident, Type)>,
    success: Type,
    /// `nextLinkName` when the operation is pageable.
    next_link: Option<String>,
}

/// `GetKeyVersions`, `get_key_versions` → `getkeyversions`: how progenitor's method names
/// and argument names relate to the spec's ids and wire names (the validation stage already
/// made these keys unique among operations).
fn key(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

fn generate_error(message: String) -> Error {
    Error::Generate { file: Default::default(), message }
}

/// Joins progenitor's methods with the document's operations.
fn shapes(
    ops: &[Operation],
    openapi: &OpenAPI,
    pageables: &[Pageable],
    body_names: &BTreeMap<String, String>,
) -> Result<Vec<Shape>> {
    let shared = openapi.components.as_ref().map(|c| &c.parameters);
    let resolve = |p: &ReferenceOr<Parameter>| -> Option<Parameter> {
        match p {
            ReferenceOr::Item(p) => Some(p.clone()),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/parameters/")?;
                match shared?.get(name)? {
                    ReferenceOr::Item(p) => Some(p.clone()),
                    ReferenceOr::Reference { .. } => None,
                }
            }
        }
    };
    let mut out = Vec::new();
    for (path, item) in openapi.paths.iter() {
        let ReferenceOr::Item(item) = item else { continue };
        for (method, op) in item.iter() {
            let Some(id) = op.operation_id.clone() else { continue };
            let at = format!("operation `{id}` ({} {path})", method.to_ascii_uppercase());
            let Some(typed) = ops.iter().find(|o| key(&o.method.to_string()) == key(&id)) else {
                return Err(generate_error(format!("{at}: progenitor generated no method for it")));
            };
            // Path-level parameters apply unless the operation redefines them.
            let mut params: Vec<Parameter> = Vec::new();
            for p in op.parameters.iter().chain(item.parameters.iter()) {
                let p = resolve(p).ok_or_else(|| generate_error(format!("{at}: unresolvable parameter")))?;
                let same = |q: &Parameter| {
                    q.parameter_data_ref().name == p.parameter_data_ref().name
                        && std::mem::discriminant(q) == std::mem::discriminant(&p)
                };
                if !params.iter().any(same) {
                    params.push(p);
                }
            }
            let arg = |wire: &str| typed.params.iter().find(|(n, _)| key(&n.to_string()) == key(wire));
            let mut shaped = Vec::new();
            for p in &params {
                let location = match p {
                    Parameter::Path { .. } => "path",
                    Parameter::Query { .. } => "query",
                    Parameter::Header { .. } => "header",
                    Parameter::Cookie { .. } => "cookie",
                };
                let data = p.parameter_data_ref();
                // A parameter renamed for progenitor (`crate::names`) names its argument.
                let rust_name = data.extensions.get(crate::names::RUST_ARG).and_then(Value::as_str);
                let (ident, ty) = arg(rust_name.unwrap_or(&data.name)).ok_or_else(|| {
                    generate_error(format!(
                        "{at}: {location} parameter `{}` has no argument in method `{}`",
                        data.name, typed.method
                    ))
                })?;
                shaped.push((data.name.clone(), location, data.required, ident.clone(), ty.clone()));
            }
            let body = match &op.request_body {
                None => None,
                Some(_) => {
                    if !typed.params.iter().any(|(n, _)| n == "body") {
                        return Err(generate_error(format!(
                            "{at}: the request body has no `body` argument in `{}`",
                            typed.method
                        )));
                    }
                    Some(body_names.get(&id).cloned().unwrap_or_else(|| "body".into()))
                }
            };
            let expected = shaped.len() + usize::from(body.is_some());
            if expected != typed.params.len() {
                return Err(generate_error(format!(
                    "{at}: method `{}` takes {} arguments, the spec defines {expected}",
                    typed.method,
                    typed.params.len()
                )));
            }
            out.push(Shape {
                next_link: pageables.iter().find(|p| p.operation_id == id).map(|p| p.next_link_name.clone()),
                operation_id: id,
                http_method: method.to_ascii_uppercase(),
                path: path.clone(),
                params: shaped,
                body,
                method: typed.method.clone(),
                args: typed.params.clone(),
                success: typed.success.clone(),
            });
        }
    }
    Ok(out)
}

/// How an argument of type `ty` is held and passed: (owned type, expression passing `v`).
fn holding(ty: &Type, v: &syn::Ident) -> (TokenStream, TokenStream) {
    /// `&'a X` → owned form of `X` (`str` → `String`, `[T]` → `Vec<T>`) and whether it derefs.
    fn owned(inner: &Type) -> (TokenStream, bool) {
        match inner {
            Type::Path(p) if p.path.is_ident("str") => (quote! { ::std::string::String }, true),
            Type::Slice(s) => {
                let elem = &s.elem;
                (quote! { ::std::vec::Vec<#elem> }, true)
            }
            other => (other.to_token_stream(), false),
        }
    }
    match ty {
        Type::Reference(r) => {
            let (owned, _) = owned(&r.elem);
            (owned, quote! { &#v })
        }
        Type::Path(p) => {
            let option_ref = p.path.segments.last().filter(|s| s.ident == "Option").and_then(|s| match &s.arguments {
                PathArguments::AngleBracketed(a) => a.args.iter().find_map(|g| match g {
                    GenericArgument::Type(Type::Reference(r)) => Some(r.clone()),
                    _ => None,
                }),
                _ => None,
            });
            match option_ref {
                Some(r) => {
                    let (owned, derefs) = owned(&r.elem);
                    let pass = if derefs {
                        quote! { #v.as_deref() }
                    } else {
                        quote! { #v.as_ref() }
                    };
                    (quote! { ::std::option::Option<#owned> }, pass)
                }
                None => (ty.to_token_stream(), quote! { #v }),
            }
        }
        other => (other.to_token_stream(), quote! { #v }),
    }
}

/// Emits `src/client/dynamic.rs` for the facade type `client_name`.
pub fn emit(
    raw: &syn::File,
    openapi: &OpenAPI,
    pageables: &[Pageable],
    body_names: &BTreeMap<String, String>,
    client_name: &str,
) -> Result<TokenStream> {
    let ops = super::facade::operations(raw);
    let shapes = shapes(&ops, openapi, pageables, body_names)?;
    let client = format_ident!("{client_name}");

    let list = shapes.iter().map(|s| {
        let (id, method, path, rust) = (&s.operation_id, &s.http_method, &s.path, s.method.to_string());
        let params = s.params.iter().map(|(name, location, required, _, _)| {
            let location = format_ident!("{}", capitalize(location));
            quote! { Param { name: #name, location: Location::#location, required: #required } }
        });
        let body = match &s.body {
            Some(name) => quote! { Some(#name) },
            None => quote! { None },
        };
        let next = match &s.next_link {
            Some(n) => quote! { Some(#n) },
            None => quote! { None },
        };
        quote! {
            Operation {
                operation_id: #id,
                method_name: #rust,
                http_method: #method,
                path: #path,
                params: &[#(#params),*],
                body: #body,
                next_link: #next,
            }
        }
    });

    let arms = shapes.iter().map(|s| {
        let (id, rust) = (&s.operation_id, s.method.to_string());
        let method = &s.method;
        let mut lets = Vec::new();
        let mut args = Vec::new();
        // In the order of progenitor's arguments.
        for (ident, ty) in &s.args {
            let v = format_ident!("p_{}", ident);
            let (owned, pass) = holding(ty, &v);
            match s.params.iter().find(|p| p.3 == *ident) {
                Some((wire, ..)) => lets.push(quote! { let #v: #owned = arg(params, #wire)?; }),
                None => {
                    let wire = s.body.as_deref().unwrap_or("body");
                    lets.push(quote! { let #v: #owned = body_arg(body.take(), #wire)?; });
                }
            }
            args.push(pass);
        }
        let names = if id == &rust {
            quote! { #id }
        } else {
            quote! { #id | #rust }
        };
        quote! {
            #names => {
                #(#lets)*
                json_response(self.#method(#(#args),*).await)
            }
        }
    });

    // Without a list operation the link is never read; say so rather than warn.
    let has_links = shapes.iter().any(|s| s.next_link.is_some());
    let next_arms = shapes.iter().filter(|s| s.next_link.is_some()).map(|s| {
        let (id, rust) = (&s.operation_id, s.method.to_string());
        let names = if id == &rust {
            quote! { #id }
        } else {
            quote! { #id | #rust }
        };
        let success = &s.success;
        quote! { #names => json_response(self.next_page::<#success>(next_link).await), }
    });
    let next_body = if has_links {
        quote! {
            match operation_id {
                #(#next_arms)*
                other => Err(invalid(format!("`{other}` is not a list operation with next links"))),
            }
        }
    } else {
        quote! {
            let _ = next_link;
            Err(invalid(format!("`{operation_id}` is not a list operation with next links")))
        }
    };

    // Helpers and arguments only some specs need: a spec without parameters, bodies or
    // next links must not leave an unused function or variable behind (`-D warnings`).
    let uses_params = shapes.iter().any(|s| !s.params.is_empty());
    let uses_body = shapes.iter().any(|s| s.body.is_some());
    let unused_params = (!uses_params).then(|| quote! { let _ = params; });
    // The arms take the body out of a mutable binding; without any body there is none.
    let body_binding = if uses_body {
        quote! { let mut body = body; }
    } else {
        quote! { let _ = body; }
    };
    let arg_fn = uses_params.then(|| {
        quote! {
            /// Reads parameter `name` as `T`; a string is also parsed as JSON (`"25"` for an
            /// integer, as in a URL) and a number or boolean is also read as a string.
            fn arg<T: DeserializeOwned>(params: &Map<String, Value>, name: &str) -> Result<T, Error> {
                let value = params.get(name).cloned().unwrap_or(Value::Null);
                let first = match serde_json::from_value::<T>(value.clone()) {
                    Ok(v) => return Ok(v),
                    Err(e) => e,
                };
                let second = match &value {
                    Value::String(s) => serde_json::from_str::<T>(s).ok(),
                    Value::Number(_) | Value::Bool(_) => serde_json::from_value::<T>(Value::String(value.to_string())).ok(),
                    _ => None,
                };
                second.ok_or_else(|| match value {
                    Value::Null => invalid(format!("missing required parameter `{name}`")),
                    _ => invalid(format!("parameter `{name}`: {first}")),
                })
            }
        }
    });
    let body_fn = uses_body.then(|| {
        quote! {
            /// Deserializes the request body into the operation's request model.
            fn body_arg<T: DeserializeOwned>(body: Option<Value>, name: &str) -> Result<T, Error> {
                serde_json::from_value(body.unwrap_or(Value::Null)).map_err(|e| invalid(format!("body `{name}`: {e}")))
            }
        }
    });

    let client_doc = format!(
        " Operations by id, with JSON in and out (feature `dynamic`).\n\n Typed underneath: [`{client_name}::call_operation`] converts each parameter to the\n argument type of the method of the same operation, deserializes the body into its request\n model, calls the method and serializes the typed result back to JSON. A field the model\n does not have is therefore absent from the result, which is what a test can compare."
    );
    Ok(quote! {
        #![doc = #client_doc]

        use serde::de::DeserializeOwned;
        use serde_json::{Map, Value};

        use super::#client;
        #[allow(unused_imports)]
        use crate::raw::types;
        use keyvault_runtime::{Error, ErrorKind, Response};

        /// Where a parameter goes in the request.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Location {
            /// A segment of the path template.
            Path,
            /// A query parameter.
            Query,
            /// A request header.
            Header,
            /// A cookie.
            Cookie,
        }

        /// A parameter of an operation, other than its body.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct Param {
            /// Its name on the wire (`key-name`, `maxresults`).
            pub name: &'static str,
            /// Where it goes.
            pub location: Location,
            /// Whether the spec requires it.
            pub required: bool,
        }

        /// One operation of the client.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct Operation {
            /// The spec's `operationId` (`GetKeys`).
            pub operation_id: &'static str,
            /// The client method (`get_keys`).
            pub method_name: &'static str,
            /// The HTTP method, upper case.
            pub http_method: &'static str,
            /// The path template relative to the vault URL (`/keys/{key-name}`).
            pub path: &'static str,
            /// The parameters the method takes, body excluded, in spec order.
            pub params: &'static [Param],
            /// The spec's name of the body parameter (`parameters`), if the operation has a body.
            pub body: Option<&'static str>,
            /// For list operations, the response property holding the next page's URL.
            pub next_link: Option<&'static str>,
        }

        /// Every operation of the client, in spec order.
        pub const OPERATIONS: &[Operation] = &[#(#list),*];

        /// The operation with this `operationId` (or method name).
        pub fn operation(id: &str) -> Option<&'static Operation> {
            OPERATIONS.iter().find(|o| o.operation_id == id || o.method_name == id)
        }

        fn invalid(message: String) -> Error {
            Error::new(ErrorKind::InvalidRequest, message)
        }

        #arg_fn

        #body_fn

        /// The typed response, serialized back to JSON (`null` for an operation without a body).
        fn json_response<T: serde::Serialize>(result: Result<Response<T>, Error>) -> Result<Response<Value>, Error> {
            let (status, headers, value) = result?.into_parts();
            let value = serde_json::to_value(&value).map_err(|e| {
                Error::new(ErrorKind::InvalidResponse, format!("the typed response does not serialize: {e}"))
            })?;
            Ok(Response::new(status, headers, value))
        }

        /// A page seeded with a next link: yields the link, then the typed page it points to.
        enum LinkPage<P> {
            Seed(String),
            Page(P),
        }

        impl<'de, P: DeserializeOwned> serde::Deserialize<'de> for LinkPage<P> {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                P::deserialize(d).map(LinkPage::Page)
            }
        }

        impl<P> keyvault_runtime::Page for LinkPage<P> {
            type Item = ();

            fn next_link(&self) -> Option<&str> {
                match self {
                    LinkPage::Seed(link) => Some(link),
                    LinkPage::Page(_) => None,
                }
            }

            fn into_items(self) -> Vec<()> {
                Vec::new()
            }
        }

        impl #client {
            /// Calls the operation `operation_id` (the spec's id, or the method name) with
            /// `params` keyed by their wire names (`key-name`, `maxresults`) and the request
            /// `body` as JSON; returns the typed response serialized to JSON.
            ///
            /// Parameters the operation does not take are ignored. A missing required
            /// parameter, a value of the wrong type or a body the request model rejects is an
            /// error of kind [`ErrorKind::InvalidRequest`], before anything is sent.
            pub async fn call_operation(
                &self,
                operation_id: &str,
                params: &Map<String, Value>,
                body: Option<Value>,
            ) -> Result<Response<Value>, Error> {
                #unused_params
                #body_binding
                match operation_id {
                    #(#arms)*
                    other => Err(invalid(format!("the client has no operation `{other}`"))),
                }
            }

            /// Requests `next_link` (a page URL from a response of the list operation
            /// `operation_id`) through the runtime's paging path, exactly as the `*_pages`
            /// methods do, and returns the typed page serialized to JSON.
            pub async fn call_next_link(&self, operation_id: &str, next_link: &str) -> Result<Response<Value>, Error> {
                #next_body
            }

            #[allow(dead_code)]
            async fn next_page<P: DeserializeOwned + Send + 'static>(&self, next_link: &str) -> Result<Response<P>, Error> {
                use keyvault_runtime::StreamExt as _;
                let seed = Response::new(keyvault_runtime::http::StatusCode::OK, keyvault_runtime::http::HeaderMap::new(), LinkPage::<P>::Seed(next_link.to_owned()));
                let pages = self.core.pages(async move { Ok(seed) });
                let mut pages = std::pin::pin!(pages);
                let _seed = pages.next().await;
                match pages.next().await {
                    Some(Ok(page)) => {
                        let (status, headers, page) = page.into_parts();
                        match page {
                            LinkPage::Page(page) => Ok(Response::new(status, headers, page)),
                            LinkPage::Seed(_) => Err(invalid("the next link was not followed".into())),
                        }
                    }
                    Some(Err(e)) => Err(e),
                    None => Err(invalid("the next link was not followed".into())),
                }
            }
        }
    })
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn body_names_follow_refs_and_fall_back_to_body() {
        let doc = json!({
            "paths": {
                "/a": {
                    "post": {"operationId": "Inline", "requestBody": {"x-ms-body-name": "parameters"}},
                    "put": {"operationId": "Shared", "requestBody": {"$ref": "#/components/requestBodies/Policy"}},
                    "patch": {"operationId": "Oas3", "requestBody": {"content": {}}},
                    "get": {"operationId": "NoBody"}
                }
            },
            "components": {"requestBodies": {"Policy": {"x-ms-body-name": "keyRotationPolicy"}}}
        });
        let names = body_names(&doc);
        assert_eq!(names.get("Inline").map(String::as_str), Some("parameters"));
        assert_eq!(names.get("Shared").map(String::as_str), Some("keyRotationPolicy"));
        assert_eq!(names.get("Oas3").map(String::as_str), Some("body"));
        assert!(!names.contains_key("NoBody"));
    }

    #[test]
    fn how_arguments_are_held_and_passed() {
        let v = format_ident!("v");
        let show = |ty: &str| {
            let (owned, pass) = holding(&syn::parse_str(ty).unwrap(), &v);
            (owned.to_string(), pass.to_string())
        };
        assert_eq!(show("&'a str"), (":: std :: string :: String".into(), "& v".into()));
        assert_eq!(
            show("Option<&'a str>"),
            (":: std :: option :: Option < :: std :: string :: String >".into(), "v . as_deref ()".into())
        );
        assert_eq!(show("&'a types::KeyCreateParameters"), ("types :: KeyCreateParameters".into(), "& v".into()));
        assert_eq!(
            show("Option<&'a types::X>"),
            (":: std :: option :: Option < types :: X >".into(), "v . as_ref ()".into())
        );
        assert_eq!(show("Option<i32>"), ("Option < i32 >".into(), "v".into()));
        assert_eq!(show("&'a [u8]"), (":: std :: vec :: Vec < u8 >".into(), "& v".into()));
    }
}
