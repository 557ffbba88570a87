//! Open enums for the spec's named string enums.
//!
//! Each known value is a variant; anything else is kept in `UnknownValue(String)` and sent
//! back unchanged, so a value added by a newer service version (`"OKP"`) neither fails a
//! response nor is lost when a model is re-sent. One type per enum name, shared by every
//! property that uses it.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::azure::EnumDef;
use crate::azure::enums::Wire;

/// Emits `enums.rs`.
pub fn emit(enums: &[EnumDef]) -> TokenStream {
    let items = enums.iter().map(one);
    quote! {
        #(#items)*
    }
}

/// One open enum. std and serde items are named by full path: an enum may be called
/// `Result`, `String` or `Option` and would otherwise shadow them.
fn one(e: &EnumDef) -> TokenStream {
    if e.wire != Wire::String {
        return scalar(e);
    }
    let name = format_ident!("{}", e.name);
    let variants = variant_names(e.values.iter().map(|(v, _)| v.as_str()));
    let mut doc =
        e.description.clone().map(|d| format!(" {}", d.trim())).unwrap_or_else(|| format!(" The `{}` values.", e.name));
    doc.push_str(if e.model_as_string {
        "\n\n The service may add values: unknown ones are kept in [`Self::UnknownValue`]."
    } else {
        "\n\n The spec calls this set closed; a value outside it is still kept in\n [`Self::UnknownValue`] rather than failing the whole response."
    });
    let decls = e.values.iter().zip(&variants).map(|((wire, d), v)| {
        let vdoc = match d {
            Some(d) => format!(" `{wire}`: {}", d.trim()),
            None => format!(" `{wire}`"),
        };
        quote! { #[doc = #vdoc] #v, }
    });
    let to_str = e.values.iter().zip(&variants).map(|((wire, _), v)| quote! { Self::#v => #wire, });
    let from_str = e.values.iter().zip(&variants).map(|((wire, _), v)| quote! { #wire => Self::#v, });
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#decls)*
            /// A value this version of the client does not know, kept as the service sent it.
            UnknownValue(::std::string::String),
        }

        impl #name {
            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    Self::UnknownValue(other) => other.as_str(),
                }
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::UnknownValue(other.to_string()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok(Self::from(value.as_ref()))
            }
        }
    }
}

/// An integer or boolean enum: variants `V1`, `Minus1`, `True`; unknown values are kept in
/// `UnknownValue` and sent back unchanged, like the string enums.
fn scalar(e: &EnumDef) -> TokenStream {
    let name = format_ident!("{}", e.name);
    let (ty, write): (TokenStream, TokenStream) = match e.wire {
        Wire::Boolean => (quote! { bool }, quote! { serialize_bool }),
        _ => (quote! { i64 }, quote! { serialize_i64 }),
    };
    let spoken: Vec<String> = e.values.iter().map(|(v, _)| v.replacen('-', "minus ", 1)).collect();
    let variants = variant_names(spoken.iter().map(String::as_str));
    let values: Vec<TokenStream> =
        e.values.iter().map(|(v, _)| v.parse::<TokenStream>().unwrap_or_else(|_| quote! { 0 })).collect();
    let mut doc =
        e.description.clone().map(|d| format!(" {}", d.trim())).unwrap_or_else(|| format!(" The `{}` values.", e.name));
    doc.push_str("\n\n A value this client does not know is kept in [`Self::UnknownValue`] and sent back unchanged.");
    let decls = e.values.iter().zip(&variants).map(|((wire, d), v)| {
        let vdoc = match d {
            Some(d) => format!(" `{wire}`: {}", d.trim()),
            None => format!(" `{wire}`"),
        };
        quote! { #[doc = #vdoc] #v, }
    });
    let to_value = values.iter().zip(&variants).map(|(value, v)| quote! { Self::#v => #value, });
    let from_value = values.iter().zip(&variants).map(|(value, v)| quote! { #value => Self::#v, });
    quote! {
        #[doc = #doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#decls)*
            /// A value this version of the client does not know, kept as the service sent it.
            UnknownValue(#ty),
        }

        impl #name {
            /// The value as it appears on the wire.
            pub fn value(&self) -> #ty {
                match self {
                    #(#to_value)*
                    Self::UnknownValue(other) => *other,
                }
            }
        }

        impl ::std::convert::From<#ty> for #name {
            #[allow(unreachable_patterns)]
            fn from(value: #ty) -> Self {
                match value {
                    #(#from_value)*
                    other => Self::UnknownValue(other),
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = <#ty as ::std::str::FromStr>::Err;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                value.parse::<#ty>().map(Self::from)
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.value(), f)
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.#write(self.value())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                <#ty as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    }
}

/// Rust variant names for wire values: `RSA-HSM` → `RsaHsm`, `P-256K` → `P256k`,
/// `Recoverable+Purgeable` → `RecoverablePurgeable`, `wrapKey` → `WrapKey`; unique.
pub fn variant_names<'a>(values: impl Iterator<Item = &'a str>) -> Vec<syn::Ident> {
    let mut used: Vec<String> = Vec::new();
    values
        .map(|v| {
            let mut name: String = v
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|p| !p.is_empty())
                .map(|part| {
                    let mut chars = part.chars();
                    let first = chars.next().map(|c| c.to_ascii_uppercase()).into_iter();
                    let rest: String = if part.chars().any(|c| c.is_ascii_lowercase()) {
                        chars.collect()
                    } else {
                        chars.map(|c| c.to_ascii_lowercase()).collect()
                    };
                    first.chain(rest.chars()).collect::<String>()
                })
                .collect();
            if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
                name = format!("V{name}");
            }
            // `Self` is a keyword and `UnknownValue` the catch-all; a suffix that keeps the
            // name UpperCamelCase (rustc trims a trailing `_`, not one before a digit).
            if name == "UnknownValue" || name == "Self" {
                name.push_str("Value");
            }
            let base = name.clone();
            let mut n = 2;
            while used.contains(&name) {
                name = format!("{base}{n}");
                n += 1;
            }
            used.push(name.clone());
            format_ident!("{name}")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_variants_like_a_rust_programmer_would() {
        let names: Vec<String> = variant_names(
            [
                "EC",
                "EC-HSM",
                "RSA-HSM",
                "oct",
                "P-256K",
                "RSA1_5",
                "Recoverable+Purgeable",
                "wrapKey",
                "A128CBCPAD",
                "7",
                "ec",
                "Self",
                "self",
                "UnknownValue",
            ]
            .into_iter(),
        )
        .iter()
        .map(|i| i.to_string())
        .collect();
        assert_eq!(
            names,
            [
                "Ec",
                "EcHsm",
                "RsaHsm",
                "Oct",
                "P256k",
                "Rsa15",
                "RecoverablePurgeable",
                "WrapKey",
                "A128cbcpad",
                "V7",
                "Ec2",
                "SelfValue",
                "SelfValue2",
                "UnknownValueValue",
            ]
        );
    }
}
