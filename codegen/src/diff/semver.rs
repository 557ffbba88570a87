//! The version bump each kind of change needs, by Rust's semver rules (the Cargo book's
//! "SemVer compatibility" chapter) applied to the code as this generator writes it:
//!
//! - response-only models are `#[non_exhaustive]` (see `emit::non_exhaustive`), request
//!   models are not;
//! - every enum is `#[non_exhaustive]` with an `UnknownValue(String)` catch-all;
//! - client methods are inherent methods with positional arguments.
//!
//! For a `0.x` crate, Cargo reads "major" as the minor digit and "minor" as the patch digit.

use serde::Serialize;

/// A semver increment, ordered from none to major.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bump {
    /// Nothing generated changed.
    None,
    /// Only docs or wire details changed; no Rust code can tell.
    Patch,
    /// Additions: code that compiled still compiles.
    Minor,
    /// Code that compiled may stop compiling.
    Major,
}

impl std::fmt::Display for Bump {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        })
    }
}

/// A new inherent method: existing calls are untouched. (A same-named method of a trait in
/// scope would be shadowed, which the semver guide accepts as minor.)
pub fn method_added() -> Bump {
    Bump::Minor
}

/// Every call of a removed method stops compiling.
pub fn method_removed() -> Bump {
    Bump::Major
}

/// A parameter added, removed or retyped, or another return type: calls or the code
/// using the result stop compiling. Only renamed parameters are harmless, since Rust
/// arguments are positional.
pub fn signature_changed(types_changed: bool) -> Bump {
    if types_changed { Bump::Major } else { Bump::Patch }
}

/// A new type cannot clash with anything a user wrote, short of a glob import meeting a
/// same-named type, which the semver guide accepts as minor.
pub fn model_added() -> Bump {
    Bump::Minor
}

/// Every mention of a removed type stops compiling.
pub fn model_removed() -> Bump {
    Bump::Major
}

/// A field added to a struct with public fields breaks every struct literal of it unless the
/// struct is `#[non_exhaustive]`, which forbids literals outside the crate. Whether the new
/// field is an `Option` does not matter: a literal must name every field.
pub fn field_added(non_exhaustive: bool) -> Bump {
    if non_exhaustive { Bump::Minor } else { Bump::Major }
}

/// Reads of a removed field stop compiling.
pub fn field_removed() -> Bump {
    Bump::Major
}

/// A new field type (including `Option<T>` ↔ `T` when a property becomes required or
/// optional) breaks reads and writes of the field.
pub fn field_type_changed() -> Bump {
    Bump::Major
}

/// Same Rust field, another JSON name: no Rust code can tell, but what goes on the wire
/// changes, so it is more than nothing.
pub fn field_wire_name_changed() -> Bump {
    Bump::Patch
}

/// `#[non_exhaustive]` added to a struct forbids the literals and exhaustive patterns
/// that users may have written.
pub fn became_non_exhaustive() -> Bump {
    Bump::Major
}

/// `#[non_exhaustive]` removed only allows more.
pub fn became_exhaustive() -> Bump {
    Bump::Minor
}

/// A struct turned into a newtype or back, or a newtype wrapping another type: its
/// construction and reads change.
pub fn shape_changed() -> Bump {
    Bump::Major
}

/// A value added to an enum: a new variant. With `#[non_exhaustive]`, matches outside the
/// crate already have a wildcard arm, so nothing breaks; without it, exhaustive matches do,
/// whether or not the enum is open.
pub fn enum_value_added(non_exhaustive: bool) -> Bump {
    if non_exhaustive { Bump::Minor } else { Bump::Major }
}

/// A removed variant breaks every use of it.
pub fn enum_value_removed() -> Bump {
    Bump::Major
}

/// The same wire value under another variant name breaks every use of the old name.
pub fn enum_variant_renamed() -> Bump {
    Bump::Major
}

/// An enum losing its `UnknownValue(String)` catch-all removes a variant.
pub fn enum_became_closed() -> Bump {
    Bump::Major
}

/// An enum gaining the catch-all adds a variant (see [`enum_value_added`]).
pub fn enum_became_open(non_exhaustive: bool) -> Bump {
    enum_value_added(non_exhaustive)
}

/// A new default api-version compiles the same, but every request now asks the service for
/// another contract: responses may carry new properties or new enum values. That is a
/// change of behaviour, not a fix, so minor; callers can pin the old version through
/// `ClientOptions`.
pub fn api_version_changed() -> Bump {
    Bump::Minor
}
