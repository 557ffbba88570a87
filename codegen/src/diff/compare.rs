//! Two generated APIs in, the list of differences out, each with its semver class.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::api::{Api, Enum, Field, Method, MethodKind, Model, Origin, Shape};
use super::semver::{self, Bump};

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A client method for an operation appeared.
    MethodAdded,
    /// A client method for an operation disappeared.
    MethodRemoved,
    /// Parameters or return type of a method changed.
    MethodChanged,
    /// A pager or item stream (`*_pages`, `*_stream`) appeared.
    PagerAdded,
    /// A pager or item stream disappeared.
    PagerRemoved,
    /// A pager's or item stream's signature changed.
    PagerChanged,
    /// A model type appeared.
    ModelAdded,
    /// A model type disappeared.
    ModelRemoved,
    /// A model changed between struct and newtype, or its wrapped type changed.
    ModelShapeChanged,
    /// A model gained `#[non_exhaustive]`.
    ModelNowNonExhaustive,
    /// A model lost `#[non_exhaustive]`.
    ModelNowExhaustive,
    /// A field appeared.
    FieldAdded,
    /// A field disappeared.
    FieldRemoved,
    /// A field's type changed (other than gaining or losing `Option`).
    FieldTypeChanged,
    /// A field went from `Option<T>` to `T`.
    FieldNowRequired,
    /// A field went from `T` to `Option<T>`.
    FieldNowOptional,
    /// A field kept its Rust name but has another JSON name.
    FieldWireNameChanged,
    /// An enum type appeared.
    EnumAdded,
    /// An enum type disappeared.
    EnumRemoved,
    /// An enum value appeared.
    EnumValueAdded,
    /// An enum value disappeared.
    EnumValueRemoved,
    /// An enum value is now a variant of another name.
    EnumVariantRenamed,
    /// An enum gained the `UnknownValue` catch-all.
    EnumNowOpen,
    /// An enum lost the `UnknownValue` catch-all.
    EnumNowClosed,
    /// `DEFAULT_API_VERSION` changed.
    ApiVersionChanged,
}

impl Kind {
    /// Words for reports.
    pub fn label(self) -> &'static str {
        match self {
            Kind::MethodAdded => "method added",
            Kind::MethodRemoved => "method removed",
            Kind::MethodChanged => "method signature changed",
            Kind::PagerAdded => "pager added",
            Kind::PagerRemoved => "pager removed",
            Kind::PagerChanged => "pager signature changed",
            Kind::ModelAdded => "model added",
            Kind::ModelRemoved => "model removed",
            Kind::ModelShapeChanged => "model shape changed",
            Kind::ModelNowNonExhaustive => "model now #[non_exhaustive]",
            Kind::ModelNowExhaustive => "model no longer #[non_exhaustive]",
            Kind::FieldAdded => "field added",
            Kind::FieldRemoved => "field removed",
            Kind::FieldTypeChanged => "field type changed",
            Kind::FieldNowRequired => "field now required",
            Kind::FieldNowOptional => "field now optional",
            Kind::FieldWireNameChanged => "field wire name changed",
            Kind::EnumAdded => "enum added",
            Kind::EnumRemoved => "enum removed",
            Kind::EnumValueAdded => "enum value added",
            Kind::EnumValueRemoved => "enum value removed",
            Kind::EnumVariantRenamed => "enum variant renamed",
            Kind::EnumNowOpen => "enum now open",
            Kind::EnumNowClosed => "enum now closed",
            Kind::ApiVersionChanged => "api-version default changed",
        }
    }
}

/// One difference between the old and the new client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What changed.
    pub kind: Kind,
    /// The Rust item, relative to the crate root (`KeyClient::get_key`, `models::KeyBundle::tags`).
    pub rust: String,
    /// Where it comes from in the spec (the new spec, or the old one for removals).
    pub origin: Origin,
    /// Old → new, or what was added.
    pub detail: String,
    /// The version bump it needs on its own.
    pub bump: Bump,
}

/// The comparison of two clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// Old `DEFAULT_API_VERSION`.
    pub from_version: String,
    /// New `DEFAULT_API_VERSION`.
    pub to_version: String,
    /// Every change, in the order: api-version, methods, models, enums.
    pub changes: Vec<Change>,
    /// The bump the whole update needs: the largest of the changes', `patch` when only
    /// docs changed, `none` when the generated code is identical.
    pub bump: Bump,
}

impl Diff {
    /// How many changes of `kind`.
    pub fn count(&self, kind: Kind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }
}

/// Compares `old` with `new`.
pub fn compare(old: &Api, new: &Api) -> Diff {
    let mut changes = Vec::new();
    if old.api_version != new.api_version {
        changes.push(Change {
            kind: Kind::ApiVersionChanged,
            rust: "DEFAULT_API_VERSION".into(),
            origin: Origin { item: "info.version".into(), file: new.spec.clone(), pointer: "/info/version".into() },
            detail: format!("\"{}\" → \"{}\"", old.api_version, new.api_version),
            bump: semver::api_version_changed(),
        });
    }
    methods(&old.client, &new.client, &old.methods, &new.methods, &mut changes);
    models(&old.models, &new.models, &mut changes);
    enums(&old.enums, &new.enums, &mut changes);
    let bump = changes.iter().map(|c| c.bump).max().unwrap_or(if old.sources == new.sources {
        Bump::None
    } else {
        Bump::Patch
    });
    Diff { from_version: old.api_version.clone(), to_version: new.api_version.clone(), changes, bump }
}

fn keys<'a, V>(a: &'a BTreeMap<String, V>, b: &'a BTreeMap<String, V>) -> BTreeSet<&'a String> {
    a.keys().chain(b.keys()).collect()
}

fn signature(m: &Method) -> String {
    let params: Vec<String> = m.params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
    format!("{}({}) -> {}", m.name, params.join(", "), m.returns)
}

fn methods(
    old_client: &str,
    new_client: &str,
    old: &BTreeMap<String, Method>,
    new: &BTreeMap<String, Method>,
    out: &mut Vec<Change>,
) {
    let pager = |m: &Method| matches!(m.kind, MethodKind::Pager | MethodKind::Stream);
    for name in keys(old, new) {
        let change = match (old.get(name), new.get(name)) {
            (None, Some(m)) => Change {
                kind: if pager(m) { Kind::PagerAdded } else { Kind::MethodAdded },
                rust: format!("{new_client}::{name}"),
                origin: m.origin.clone(),
                detail: signature(m),
                bump: semver::method_added(),
            },
            (Some(m), None) => Change {
                kind: if pager(m) { Kind::PagerRemoved } else { Kind::MethodRemoved },
                rust: format!("{old_client}::{name}"),
                origin: m.origin.clone(),
                detail: signature(m),
                bump: semver::method_removed(),
            },
            (Some(a), Some(b)) if (&a.params, &a.returns) != (&b.params, &b.returns) => {
                let types =
                    |m: &Method| (m.params.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>(), m.returns.clone());
                Change {
                    kind: if pager(b) { Kind::PagerChanged } else { Kind::MethodChanged },
                    rust: format!("{new_client}::{name}"),
                    origin: b.origin.clone(),
                    detail: format!("{} → {}", signature(a), signature(b)),
                    bump: semver::signature_changed(types(a) != types(b)),
                }
            }
            _ => continue,
        };
        out.push(change);
    }
}

fn models(old: &BTreeMap<String, Model>, new: &BTreeMap<String, Model>, out: &mut Vec<Change>) {
    for name in keys(old, new) {
        let rust = format!("models::{name}");
        match (old.get(name), new.get(name)) {
            (None, Some(m)) => out.push(Change {
                kind: Kind::ModelAdded,
                rust,
                origin: m.origin.clone(),
                detail: describe(m),
                bump: semver::model_added(),
            }),
            (Some(m), None) => out.push(Change {
                kind: Kind::ModelRemoved,
                rust,
                origin: m.origin.clone(),
                detail: describe(m),
                bump: semver::model_removed(),
            }),
            (Some(a), Some(b)) => model(a, b, &rust, out),
            (None, None) => {}
        }
    }
}

fn describe(m: &Model) -> String {
    let ne = if m.non_exhaustive { "#[non_exhaustive] " } else { "" };
    match &m.shape {
        Shape::Struct(fields) => format!("{ne}struct with {} fields", fields.len()),
        Shape::Newtype(t) => format!("{ne}newtype of {t}"),
    }
}

fn model(a: &Model, b: &Model, rust: &str, out: &mut Vec<Change>) {
    let change =
        |kind, detail: String, bump| Change { kind, rust: rust.to_string(), origin: b.origin.clone(), detail, bump };
    match (a.non_exhaustive, b.non_exhaustive) {
        (false, true) => out.push(change(Kind::ModelNowNonExhaustive, String::new(), semver::became_non_exhaustive())),
        (true, false) => out.push(change(Kind::ModelNowExhaustive, String::new(), semver::became_exhaustive())),
        _ => {}
    }
    let (Shape::Struct(fa), Shape::Struct(fb)) = (&a.shape, &b.shape) else {
        if a.shape != b.shape {
            out.push(change(
                Kind::ModelShapeChanged,
                format!("{} → {}", describe(a), describe(b)),
                semver::shape_changed(),
            ));
        }
        return;
    };
    for name in keys(fa, fb) {
        let rust = format!("{rust}::{name}");
        let field_change = |kind, f: &Field, detail: String, bump| Change {
            kind,
            rust: rust.clone(),
            origin: f.origin.clone(),
            detail,
            bump,
        };
        match (fa.get(name), fb.get(name)) {
            (None, Some(f)) => {
                let why = if b.non_exhaustive { "struct is #[non_exhaustive]" } else { "breaks struct literals" };
                out.push(field_change(
                    Kind::FieldAdded,
                    f,
                    format!("{}: {} ({why})", f.name, f.ty),
                    semver::field_added(b.non_exhaustive),
                ))
            }
            (Some(f), None) => {
                out.push(field_change(Kind::FieldRemoved, f, format!("{}: {}", f.name, f.ty), semver::field_removed()))
            }
            (Some(x), Some(y)) => {
                if x.ty != y.ty {
                    let kind = match (x.optional, y.optional) {
                        (true, false) if x.ty == format!("Option<{}>", y.ty) => Kind::FieldNowRequired,
                        (false, true) if y.ty == format!("Option<{}>", x.ty) => Kind::FieldNowOptional,
                        _ => Kind::FieldTypeChanged,
                    };
                    out.push(field_change(kind, y, format!("{} → {}", x.ty, y.ty), semver::field_type_changed()));
                }
                if x.wire != y.wire {
                    out.push(field_change(
                        Kind::FieldWireNameChanged,
                        y,
                        format!("\"{}\" → \"{}\"", x.wire, y.wire),
                        semver::field_wire_name_changed(),
                    ));
                }
            }
            (None, None) => {}
        }
    }
}

fn enums(old: &BTreeMap<String, Enum>, new: &BTreeMap<String, Enum>, out: &mut Vec<Change>) {
    for name in keys(old, new) {
        let rust = format!("models::{name}");
        let values = |e: &Enum| format!("{} enum of {} values", if e.open { "open" } else { "closed" }, e.values.len());
        match (old.get(name), new.get(name)) {
            (None, Some(e)) => out.push(Change {
                kind: Kind::EnumAdded,
                rust,
                origin: e.origin.clone(),
                detail: values(e),
                bump: semver::model_added(),
            }),
            (Some(e), None) => out.push(Change {
                kind: Kind::EnumRemoved,
                rust,
                origin: e.origin.clone(),
                detail: values(e),
                bump: semver::model_removed(),
            }),
            (Some(a), Some(b)) => enumeration(a, b, &rust, out),
            (None, None) => {}
        }
    }
}

fn enumeration(a: &Enum, b: &Enum, rust: &str, out: &mut Vec<Change>) {
    let mut push = |kind, item: String, detail: String, bump| {
        out.push(Change { kind, rust: item, origin: b.origin.clone(), detail, bump })
    };
    match (a.open, b.open) {
        (false, true) => push(
            Kind::EnumNowOpen,
            format!("{rust}::UnknownValue"),
            "unknown values are now kept".into(),
            semver::enum_became_open(b.non_exhaustive),
        ),
        (true, false) => push(
            Kind::EnumNowClosed,
            format!("{rust}::UnknownValue"),
            "unknown values are now refused".into(),
            semver::enum_became_closed(),
        ),
        _ => {}
    }
    match (a.non_exhaustive, b.non_exhaustive) {
        (false, true) => {
            push(Kind::ModelNowNonExhaustive, rust.to_string(), String::new(), semver::became_non_exhaustive())
        }
        (true, false) => push(Kind::ModelNowExhaustive, rust.to_string(), String::new(), semver::became_exhaustive()),
        _ => {}
    }
    for wire in keys(&a.values, &b.values) {
        match (a.values.get(wire), b.values.get(wire)) {
            (None, Some(v)) => {
                let why = if b.non_exhaustive { "enum is #[non_exhaustive]" } else { "breaks exhaustive matches" };
                push(
                    Kind::EnumValueAdded,
                    format!("{rust}::{v}"),
                    format!("\"{wire}\" ({why})"),
                    semver::enum_value_added(b.non_exhaustive),
                )
            }
            (Some(v), None) => push(
                Kind::EnumValueRemoved,
                format!("{rust}::{v}"),
                format!("\"{wire}\""),
                semver::enum_value_removed(),
            ),
            (Some(x), Some(y)) if x != y => push(
                Kind::EnumVariantRenamed,
                format!("{rust}::{y}"),
                format!("\"{wire}\": {x} → {y}"),
                semver::enum_variant_renamed(),
            ),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, ty: &str) -> (String, Field) {
        let f = Field {
            name: name.into(),
            ty: ty.into(),
            optional: ty.starts_with("Option<"),
            wire: name.into(),
            origin: Origin { item: String::new(), file: String::new(), pointer: String::new() },
        };
        (name.into(), f)
    }

    fn api(fields: &[(&str, &str)], non_exhaustive: bool) -> Api {
        let model = Model {
            name: "M".into(),
            shape: Shape::Struct(fields.iter().map(|(n, t)| field(n, t)).collect()),
            non_exhaustive,
            origin: Origin { item: "M".into(), file: "x.json".into(), pointer: "/definitions/M".into() },
        };
        Api {
            spec: "x.json".into(),
            client: "C".into(),
            api_version: "1".into(),
            methods: BTreeMap::new(),
            models: [("M".to_string(), model)].into(),
            enums: BTreeMap::new(),
            sources: BTreeMap::new(),
        }
    }

    #[test]
    fn a_field_added_is_minor_only_behind_non_exhaustive() {
        for (ne, bump) in [(true, Bump::Minor), (false, Bump::Major)] {
            let d = compare(&api(&[("a", "String")], ne), &api(&[("a", "String"), ("b", "Option<i32>")], ne));
            assert_eq!(d.changes.len(), 1);
            assert_eq!(
                (d.changes[0].kind, d.changes[0].rust.as_str(), d.bump),
                (Kind::FieldAdded, "models::M::b", bump)
            );
        }
    }

    #[test]
    fn option_removed_is_now_required_and_other_retypes_are_type_changes() {
        let d = compare(&api(&[("a", "Option<String>")], false), &api(&[("a", "String")], false));
        assert_eq!(d.changes[0].kind, Kind::FieldNowRequired);
        let d = compare(&api(&[("a", "Option<String>")], false), &api(&[("a", "Option<i32>")], false));
        assert_eq!(d.changes[0].kind, Kind::FieldTypeChanged);
        assert_eq!(d.bump, Bump::Major);
    }

    #[test]
    fn same_api_is_none_or_patch_by_source_text() {
        let a = api(&[("a", "String")], true);
        let mut b = a.clone();
        assert_eq!(compare(&a, &b).bump, Bump::None);
        b.sources.insert("src/raw.rs".into(), "/// other docs".into());
        assert_eq!(compare(&a, &b).bump, Bump::Patch);
    }
}
