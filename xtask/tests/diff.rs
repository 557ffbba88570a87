//! `cargo xtask diff`: one synthetic spec pair per kind of change, each classified as the
//! generated code's shape requires; the command's exit codes, formats and git revisions;
//! and the upstream Key Vault keys versions (7.4 → 7.5 → 7.6 → 2025-07-01).
//!
//! The synthetic pairs start from [`base`], a small self-contained spec with a response-only
//! model (`Thing`), a request model (`ThingParams`), an open enum (`ThingKind`) and a
//! pageable operation, and change one thing in it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kv_codegen::diff::{self, Bump, Diff, Kind};
use serde_json::{Value, json};
use tempfile::TempDir;

/// The base spec: three operations, three models, one open enum.
fn base() -> Value {
    json!({
        "swagger": "2.0",
        "info": {"title": "ThingClient", "version": "1.0"},
        "x-ms-parameterized-host": {
            "hostTemplate": "{vaultBaseUrl}",
            "useSchemePrefix": false,
            "parameters": [{"name": "vaultBaseUrl", "in": "path", "required": true, "type": "string", "x-ms-skip-url-encoding": true}]
        },
        "parameters": {
            "ApiVersion": {"name": "api-version", "in": "query", "required": true, "type": "string", "x-ms-parameter-location": "client"}
        },
        "paths": {
            "/things/{name}": {
                "get": {
                    "operationId": "GetThing",
                    "parameters": [
                        {"name": "name", "in": "path", "required": true, "type": "string"},
                        {"$ref": "#/parameters/ApiVersion"}
                    ],
                    "responses": {"200": {"description": "The thing.", "schema": {"$ref": "#/definitions/Thing"}}}
                },
                "put": {
                    "operationId": "PutThing",
                    "parameters": [
                        {"name": "name", "in": "path", "required": true, "type": "string"},
                        {"$ref": "#/parameters/ApiVersion"},
                        {"name": "parameters", "in": "body", "required": true, "schema": {"$ref": "#/definitions/ThingParams"}}
                    ],
                    "responses": {"200": {"description": "The thing.", "schema": {"$ref": "#/definitions/Thing"}}}
                }
            },
            "/things": {
                "get": {
                    "operationId": "ListThings",
                    "parameters": [{"$ref": "#/parameters/ApiVersion"}],
                    "x-ms-pageable": {"nextLinkName": "nextLink"},
                    "responses": {"200": {"description": "A page.", "schema": {"$ref": "#/definitions/ThingList"}}}
                }
            }
        },
        "definitions": {
            "Thing": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "size": {"type": "integer", "format": "int32"},
                    "kind": {"$ref": "#/definitions/ThingKind"}
                }
            },
            "ThingKind": {
                "type": "string",
                "enum": ["small", "large"],
                "x-ms-enum": {"name": "ThingKind", "modelAsString": true}
            },
            "ThingParams": {
                "type": "object",
                "required": ["kind"],
                "properties": {
                    "kind": {"$ref": "#/definitions/ThingKind"},
                    "label": {"type": "string"}
                }
            },
            "ThingList": {
                "type": "object",
                "properties": {
                    "value": {"type": "array", "items": {"$ref": "#/definitions/Thing"}},
                    "nextLink": {"type": "string"}
                }
            }
        }
    })
}

/// `old` and `new` written as `old/things.json` and `new/things.json`.
struct Pair {
    dir: TempDir,
}

impl Pair {
    fn new(old: &Value, new: &Value) -> Self {
        Self::with_files(&[("things.json", old)], &[("things.json", new)])
    }

    /// Several files a side; the root is `things.json`.
    fn with_files(old: &[(&str, &Value)], new: &[(&str, &Value)]) -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        for (sub, files) in [("old", old), ("new", new)] {
            std::fs::create_dir(dir.path().join(sub)).expect("create a spec folder");
            for (name, doc) in files {
                let text = serde_json::to_string_pretty(doc).expect("JSON serializes");
                std::fs::write(dir.path().join(sub).join(name), text).expect("write a spec");
            }
        }
        Pair { dir }
    }

    fn old(&self) -> PathBuf {
        self.dir.path().join("old/things.json")
    }

    fn new_spec(&self) -> PathBuf {
        self.dir.path().join("new/things.json")
    }

    fn diff(&self) -> Diff {
        diff::specs(&self.old(), &self.new_spec()).expect("both specs generate")
    }

    fn run(&self, extra: &[&str]) -> Output {
        let (old, new) = (self.old(), self.new_spec());
        let mut args = vec!["diff", "--from", old.to_str().unwrap(), "--to", new.to_str().unwrap()];
        args.extend_from_slice(extra);
        xtask(&args)
    }
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).output().expect("run xtask")
}

/// Diffs `base()` against `base()` changed by `edit`.
fn changed(edit: impl FnOnce(&mut Value)) -> Diff {
    let mut new = base();
    edit(&mut new);
    Pair::new(&base(), &new).diff()
}

/// Diffs `base()` changed by `edit` against `base()`: the reverse change.
fn reverted(edit: impl FnOnce(&mut Value)) -> Diff {
    let mut old = base();
    edit(&mut old);
    Pair::new(&old, &base()).diff()
}

/// Asserts `diff` holds exactly one change, of `kind` on `rust`, with `bump`, and returns it.
#[track_caller]
fn only(diff: &Diff, kind: Kind, rust: &str, bump: Bump) -> diff::Change {
    assert_eq!(diff.changes.len(), 1, "expected one change, got {:#?}", diff.changes);
    let c = diff.changes[0].clone();
    assert_eq!((c.kind, c.rust.as_str(), c.bump), (kind, rust, bump), "{c:#?}");
    assert_eq!(diff.bump, bump);
    c
}

fn at<'a>(doc: &'a mut Value, pointer: &str) -> &'a mut Value {
    doc.pointer_mut(pointer).unwrap_or_else(|| panic!("the base spec has {pointer}"))
}

fn props<'a>(doc: &'a mut Value, def: &str) -> &'a mut serde_json::Map<String, Value> {
    at(doc, &format!("/definitions/{def}/properties")).as_object_mut().expect("properties are an object")
}

fn add_delete_op(doc: &mut Value) {
    at(doc, "/paths/~1things~1{name}").as_object_mut().unwrap().insert(
        "delete".into(),
        json!({
            "operationId": "DeleteThing",
            "parameters": [{"name": "name", "in": "path", "required": true, "type": "string"}, {"$ref": "#/parameters/ApiVersion"}],
            "responses": {"204": {"description": "Gone."}}
        }),
    );
}

#[test]
fn identical_specs_report_no_change() {
    let pair = Pair::new(&base(), &base());
    let d = pair.diff();
    assert!(d.changes.is_empty(), "{:#?}", d.changes);
    assert_eq!(d.bump, Bump::None);
    let out = pair.run(&["--fail-on", "any"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("no change"));
}

#[test]
fn doc_only_change_is_a_patch() {
    let d = changed(|s| {
        *at(s, "/definitions/Thing/properties/name") = json!({"type": "string", "description": "Its name."})
    });
    assert!(d.changes.is_empty(), "{:#?}", d.changes);
    assert_eq!(d.bump, Bump::Patch);
}

#[test]
fn operation_added_is_minor_and_points_at_the_spec() {
    let c = only(&changed(add_delete_op), Kind::MethodAdded, "ThingClient::delete_thing", Bump::Minor);
    assert_eq!(c.origin.item, "DeleteThing");
    assert_eq!(c.origin.file, "things.json");
    assert_eq!(c.origin.pointer, "/paths/~1things~1{name}/delete");
}

#[test]
fn operation_removed_is_major() {
    only(&reverted(add_delete_op), Kind::MethodRemoved, "ThingClient::delete_thing", Bump::Major);
}

#[test]
fn parameter_added_changes_the_signature() {
    let d = changed(|s| {
        at(s, "/paths/~1things~1{name}/get/parameters")
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "version", "in": "query", "required": true, "type": "string"}));
    });
    let c = only(&d, Kind::MethodChanged, "ThingClient::get_thing", Bump::Major);
    assert!(c.detail.contains("version: &str"), "{}", c.detail);
}

#[test]
fn field_added_to_a_response_model_is_minor() {
    let c = only(
        &changed(|s| {
            props(s, "Thing").insert("color".into(), json!({"type": "string"}));
        }),
        Kind::FieldAdded,
        "models::Thing::color",
        Bump::Minor,
    );
    assert_eq!(c.origin.pointer, "/definitions/Thing/properties/color");
}

#[test]
fn field_added_to_a_request_model_is_major() {
    only(
        &changed(|s| {
            props(s, "ThingParams").insert("color".into(), json!({"type": "string"}));
        }),
        Kind::FieldAdded,
        "models::ThingParams::color",
        Bump::Major,
    );
}

#[test]
fn field_removed_is_major() {
    only(
        &changed(|s| {
            props(s, "Thing").remove("size");
        }),
        Kind::FieldRemoved,
        "models::Thing::size",
        Bump::Major,
    );
}

#[test]
fn field_type_changed_is_major() {
    let c = only(
        &changed(|s| *at(s, "/definitions/Thing/properties/size") = json!({"type": "string"})),
        Kind::FieldTypeChanged,
        "models::Thing::size",
        Bump::Major,
    );
    assert_eq!(c.detail, "Option<i32> → Option<String>");
}

#[test]
fn optional_field_becoming_required_is_major() {
    let c = only(
        &changed(|s| *at(s, "/definitions/ThingParams/required") = json!(["kind", "label"])),
        Kind::FieldNowRequired,
        "models::ThingParams::label",
        Bump::Major,
    );
    assert_eq!(c.detail, "Option<String> → String");
    only(
        &reverted(|s| *at(s, "/definitions/ThingParams/required") = json!(["kind", "label"])),
        Kind::FieldNowOptional,
        "models::ThingParams::label",
        Bump::Major,
    );
}

#[test]
fn origins_in_a_referenced_file_name_that_file() {
    let mut keys = base();
    props(&mut keys, "Thing").insert("extra".into(), json!({"$ref": "common.json#/definitions/Extra"}));
    let common = |props: Value| {
        json!({"swagger": "2.0", "info": {"title": "Common", "version": "1.0"}, "paths": {},
               "definitions": {"Extra": {"type": "object", "properties": props}}})
    };
    let old = common(json!({"note": {"type": "string"}}));
    let new = common(json!({"note": {"type": "string"}, "color": {"type": "string"}}));
    let pair = Pair::with_files(
        &[("things.json", &keys), ("common.json", &old)],
        &[("things.json", &keys), ("common.json", &new)],
    );
    let c = only(&pair.diff(), Kind::FieldAdded, "models::Extra::color", Bump::Minor);
    assert_eq!(
        (c.origin.file.as_str(), c.origin.pointer.as_str()),
        ("common.json", "/definitions/Extra/properties/color")
    );
}

#[test]
fn model_added_is_minor_and_removed_is_major() {
    let add = |s: &mut Value| {
        at(s, "/definitions")
            .as_object_mut()
            .unwrap()
            .insert("Extra".into(), json!({"type": "object", "properties": {"note": {"type": "string"}}}));
    };
    let c = only(&changed(add), Kind::ModelAdded, "models::Extra", Bump::Minor);
    assert_eq!(c.origin.pointer, "/definitions/Extra");
    only(&reverted(add), Kind::ModelRemoved, "models::Extra", Bump::Major);
}

#[test]
fn enum_value_added_to_an_open_enum_is_minor() {
    let c = only(
        &changed(|s| *at(s, "/definitions/ThingKind/enum") = json!(["small", "large", "huge"])),
        Kind::EnumValueAdded,
        "models::ThingKind::Huge",
        Bump::Minor,
    );
    assert_eq!(c.origin.pointer, "/definitions/ThingKind");
}

#[test]
fn enum_value_removed_is_major() {
    only(
        &changed(|s| *at(s, "/definitions/ThingKind/enum") = json!(["small"])),
        Kind::EnumValueRemoved,
        "models::ThingKind::Large",
        Bump::Major,
    );
}

#[test]
fn api_version_change_is_minor() {
    let c = only(
        &changed(|s| *at(s, "/info/version") = json!("2.0")),
        Kind::ApiVersionChanged,
        "DEFAULT_API_VERSION",
        Bump::Minor,
    );
    assert_eq!(c.detail, "\"1.0\" → \"2.0\"");
}

#[test]
fn model_moving_into_a_request_loses_non_exhaustive_and_back() {
    // `Thing` becomes the body of a new operation: users now build it, so it must stay
    // buildable with a literal.
    let use_in_request = |s: &mut Value| {
        at(s, "/paths").as_object_mut().unwrap().insert(
            "/things/{name}/copy".into(),
            json!({"post": {
                "operationId": "CopyThing",
                "parameters": [
                    {"name": "name", "in": "path", "required": true, "type": "string"},
                    {"$ref": "#/parameters/ApiVersion"},
                    {"name": "thing", "in": "body", "required": true, "schema": {"$ref": "#/definitions/Thing"}}
                ],
                "responses": {"204": {"description": "Copied."}}
            }}),
        );
    };
    let d = changed(use_in_request);
    let kinds: Vec<(Kind, &str, Bump)> = d.changes.iter().map(|c| (c.kind, c.rust.as_str(), c.bump)).collect();
    assert!(kinds.contains(&(Kind::MethodAdded, "ThingClient::copy_thing", Bump::Minor)), "{kinds:?}");
    assert!(kinds.contains(&(Kind::ModelNowExhaustive, "models::Thing", Bump::Minor)), "{kinds:?}");
    assert_eq!(d.bump, Bump::Minor);
    let d = reverted(use_in_request);
    assert!(d.changes.iter().any(|c| c.kind == Kind::ModelNowNonExhaustive && c.bump == Bump::Major));
}

#[test]
fn pager_added_and_removed() {
    let unpage = |s: &mut Value| {
        at(s, "/paths/~1things/get").as_object_mut().unwrap().remove("x-ms-pageable");
    };
    let d = reverted(unpage);
    let kinds: Vec<(Kind, &str, Bump)> = d.changes.iter().map(|c| (c.kind, c.rust.as_str(), c.bump)).collect();
    assert_eq!(
        kinds,
        [
            (Kind::PagerAdded, "ThingClient::list_things_pages", Bump::Minor),
            (Kind::PagerAdded, "ThingClient::list_things_stream", Bump::Minor)
        ]
    );
    let d = changed(unpage);
    assert!(d.changes.iter().all(|c| c.kind == Kind::PagerRemoved && c.bump == Bump::Major), "{:#?}", d.changes);
    assert_eq!(d.changes.len(), 2);
}

#[test]
fn fail_on_breaking_exits_1_only_for_major_changes() {
    let mut minor = base();
    add_delete_op(&mut minor);
    let pair = Pair::new(&base(), &minor);
    assert_eq!(pair.run(&["--fail-on", "breaking"]).status.code(), Some(0));
    assert_eq!(pair.run(&["--fail-on", "any"]).status.code(), Some(1));
    let pair = Pair::new(&minor, &base());
    let out = pair.run(&["--fail-on", "breaking"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("needs a major version bump"), "{text}");
    assert!(text.contains("method removed: ThingClient::delete_thing"), "{text}");
    assert!(text.contains("DeleteThing (things.json#/paths/~1things~1{name}/delete)"), "{text}");
}

#[test]
fn markdown_and_json_formats() {
    let mut new = base();
    add_delete_op(&mut new);
    props(&mut new, "Thing").insert("color".into(), json!({"type": "string"}));
    let pair = Pair::new(&base(), &new);
    let md = String::from_utf8(pair.run(&["--format", "markdown"]).stdout).unwrap();
    assert!(md.starts_with("### Generated client: 2 changes"), "{md}");
    assert!(md.contains("| method added | 1 | minor |"), "{md}");
    assert!(md.contains("| minor | field added | `models::Thing::color` |"), "{md}");
    let json: Value = serde_json::from_slice(&pair.run(&["--format", "json"]).stdout).expect("JSON output");
    assert_eq!(json["bump"], "minor");
    assert_eq!(json["changes"].as_array().map(Vec::len), Some(2));
    assert_eq!(json["changes"][0]["origin"]["pointer"], "/paths/~1things~1{name}/delete");
}

#[test]
fn bad_spec_exits_2_naming_file_and_pointer() {
    let mut bad = base();
    *at(&mut bad, "/paths/~1things~1{name}/get/responses/200/schema") = json!({"$ref": "#/definitions/Nowhere"});
    let pair = Pair::new(&base(), &bad);
    let out = pair.run(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("new/things.json#/paths/~1things~1{name}/get/responses/200/schema"), "{err}");
    let out = xtask(&["diff", "--from", "no-such-revision-or-file", "--to", pair.new_spec().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

/// `--from REV` takes the --to file as it is at that revision: the same as extracting it
/// by hand (with its folder, for the cross-file refs) and passing the file.
#[test]
fn from_a_git_revision() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let spec = "spec/specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/keys.json";
    let ok =
        |args: &[&str]| Command::new("git").args(args).current_dir(&root).output().is_ok_and(|o| o.status.success());
    if !ok(&["cat-file", "-e", &format!("HEAD:{spec}")]) {
        eprintln!("skipped: no git history with {spec} at HEAD");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let folder = Path::new(spec).parent().unwrap();
    std::fs::create_dir_all(dir.path().join(folder)).unwrap();
    for name in ["keys.json", "common.json"] {
        let out = Command::new("git")
            .args(["show", &format!("HEAD:{}/{name}", folder.display())])
            .current_dir(&root)
            .output()
            .unwrap();
        std::fs::write(dir.path().join(folder).join(name), out.stdout).unwrap();
    }
    let to = root.join(spec);
    let to = to.to_str().unwrap();
    let by_rev = xtask(&["diff", "--from", "HEAD", "--to", to, "--format", "json"]);
    assert_eq!(by_rev.status.code(), Some(0), "{}", String::from_utf8_lossy(&by_rev.stderr));
    let by_path = xtask(&["diff", "--from", &format!("HEAD:{spec}"), "--to", to, "--format", "json"]);
    let by_hand = xtask(&["diff", "--from", dir.path().join(spec).to_str().unwrap(), "--to", to, "--format", "json"]);
    assert_eq!(by_rev.stdout, by_path.stdout);
    let json = |o: &Output| serde_json::from_slice::<Value>(&o.stdout).expect("JSON output");
    // Origins name files relative to the spec, so the three runs agree to the byte.
    assert_eq!(json(&by_rev), json(&by_hand));
}

fn upstream() -> PathBuf {
    std::env::var_os("KV_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
        .join("azure-rest-api-specs/specification/keyvault/data-plane/Microsoft.KeyVault/stable")
}

/// The upstream keys versions in a row; prints the summary table of the README.
#[test]
fn upstream_keys_versions() {
    let dir = upstream();
    if !dir.is_dir() {
        eprintln!("skipped: no upstream specs at {} (set KV_SHARED to the shared folder)", dir.display());
        return;
    }
    let versions = ["7.4", "7.5", "7.6", "2025-07-01"];
    let mut rows = vec![diff::report::summary_header()];
    let mut diffs = Vec::new();
    for pair in versions.windows(2) {
        let d = diff::specs(&dir.join(pair[0]).join("keys.json"), &dir.join(pair[1]).join("keys.json"))
            .unwrap_or_else(|e| panic!("{} → {}: {e}", pair[0], pair[1]));
        rows.push(diff::report::summary_row(&format!("{} → {}", pair[0], pair[1]), &d));
        diffs.push(d);
    }
    println!("{}", rows.join("\n"));
    for d in &diffs {
        assert!(d.changes.iter().any(|c| c.kind == Kind::ApiVersionChanged), "{:#?}", d.changes);
    }
    let attestation = diffs[1]
        .changes
        .iter()
        .find(|c| c.kind == Kind::MethodAdded && c.origin.item == "GetKeyAttestation")
        .unwrap_or_else(|| panic!("7.5 → 7.6 adds GetKeyAttestation: {:#?}", diffs[1].changes));
    assert_eq!(attestation.rust, "KeyClient::get_key_attestation");
    assert_eq!(attestation.bump, Bump::Minor);
    assert_eq!(attestation.origin.pointer, "/paths/~1keys~1{key-name}~1{key-version}~1attestation/get");
    // 7.6 adds values to open enums: additions, not breaks.
    assert!(diffs[1].changes.iter().any(|c| c.kind == Kind::EnumValueAdded
        && c.rust.starts_with("models::JsonWebKeySignatureAlgorithm::")
        && c.bump == Bump::Minor));
    // 2025-07-01 is 7.6 under another version: no method changes.
    assert!(diffs[2].changes.iter().all(|c| !matches!(c.kind, Kind::MethodAdded | Kind::MethodRemoved)));
}
