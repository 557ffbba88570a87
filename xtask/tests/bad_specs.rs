//! Bad specs fail cleanly: `cargo xtask codegen --spec <bad spec>` exits with the error code,
//! names the file and the JSON pointer of the problem, never panics, and leaves the output
//! directory exactly as it was.
//!
//! Every fixture is the minimal valid spec of [`keys`] and [`common`] with one thing broken;
//! [`minimal_spec_generates`] proves that spec is otherwise fine, so each failure is the one
//! intended.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::{Value, json};
use tempfile::TempDir;

/// The one operation of the minimal spec, as a JSON pointer.
const OP: &str = "/paths/~1keys~1{key-name}~1backup/post";
const SENTINEL: &str = "keep me";

/// A minimal valid Key Vault spec: one operation, `POST /keys/{key-name}/backup`.
fn keys() -> Value {
    json!({
        "swagger": "2.0",
        "info": {"title": "KeyClient", "version": "7.4"},
        "x-ms-parameterized-host": {
            "hostTemplate": "{vaultBaseUrl}",
            "useSchemePrefix": false,
            "parameters": [{
                "name": "vaultBaseUrl",
                "in": "path",
                "required": true,
                "type": "string",
                "x-ms-skip-url-encoding": true
            }]
        },
        "paths": {
            "/keys/{key-name}/backup": {
                "post": {
                    "operationId": "BackupKey",
                    "parameters": [
                        {"name": "key-name", "in": "path", "required": true, "type": "string"},
                        {"$ref": "common.json#/parameters/ApiVersionParameter"}
                    ],
                    "responses": {
                        "200": {"description": "The backup blob.", "schema": {"$ref": "#/definitions/BackupKeyResult"}},
                        "default": {"description": "The error.", "schema": {"$ref": "common.json#/definitions/KeyVaultError"}}
                    }
                }
            }
        },
        "definitions": {
            "BackupKeyResult": {
                "type": "object",
                "properties": {"value": {"type": "string", "format": "base64url", "readOnly": true}}
            }
        }
    })
}

/// The sibling file `keys.json` refers to.
fn common() -> Value {
    json!({
        "swagger": "2.0",
        "info": {"title": "Common", "version": "7.4"},
        "paths": {},
        "parameters": {
            "ApiVersionParameter": {
                "name": "api-version",
                "in": "query",
                "required": true,
                "type": "string",
                "x-ms-parameter-location": "client"
            }
        },
        "definitions": {
            "KeyVaultError": {"type": "object", "properties": {"error": {"$ref": "#/definitions/Error"}}},
            "Error": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}}
            }
        }
    })
}

/// The operation of `doc`, to break.
fn op(doc: &mut Value) -> &mut Value {
    doc.pointer_mut(OP).expect("the minimal spec has its operation")
}

fn pretty(doc: &Value) -> String {
    serde_json::to_string_pretty(doc).expect("JSON values serialize")
}

/// A temporary folder holding the spec files and `out/`, which holds only the sentinel.
struct Fixture {
    dir: TempDir,
}

impl Fixture {
    /// `keys.json` (written as `keys`), a valid `common.json`, and `out/sentinel.txt`.
    fn new(keys: &Value) -> Self {
        let fx = Self::empty();
        fx.write_json("keys.json", keys);
        fx.write_json("common.json", &common());
        fx
    }

    /// Only `out/sentinel.txt`.
    fn empty() -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        std::fs::create_dir(dir.path().join("out")).expect("create out/");
        std::fs::write(dir.path().join("out/sentinel.txt"), SENTINEL).expect("write the sentinel");
        Fixture { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write_text(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).expect("write a fixture");
    }

    fn write_json(&self, name: &str, doc: &Value) {
        self.write_text(name, &pretty(doc));
    }

    /// `cargo xtask codegen --spec <dir>/<spec> --out <dir>/out`.
    fn run(&self, spec: &str) -> Output {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["codegen", "--spec"])
            .arg(self.path(spec))
            .arg("--out")
            .arg(self.path("out"))
            .output()
            .expect("run xtask")
    }

    /// Runs on `spec` and checks it failed cleanly, reporting `file#pointer: ` and every
    /// fragment of `reason`.
    #[track_caller]
    fn fails(&self, spec: &str, file: &str, pointer: &str, reason: &[&str]) {
        let before = self.listing();
        let output = self.run(spec);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let stdout = String::from_utf8_lossy(&output.stdout);
        eprintln!("stderr of codegen on {spec}:\n{stderr}");
        assert_eq!(
            output.status.code(),
            Some(2),
            "codegen on {spec} must exit with the error code 2\nstdout: {stdout}\nstderr: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "codegen on {spec} panicked:\n{stderr}");
        let location = format!("{}#{pointer}: ", self.path(file).display());
        assert!(stderr.contains(&location), "stderr must name `{location}`:\n{stderr}");
        for fragment in reason {
            assert!(stderr.contains(fragment), "stderr must say `{fragment}`:\n{stderr}");
        }
        self.assert_untouched(&before);
    }

    /// The folder's entries (spec files, out/, and anything a write would leave beside it).
    fn listing(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .expect("list the folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[track_caller]
    fn assert_untouched(&self, before: &[String]) {
        assert_eq!(self.listing(), before, "nothing may be created beside out/ (staging or backup folders)");
        let out: Vec<String> = std::fs::read_dir(self.path("out"))
            .expect("out/ still exists")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(out, ["sentinel.txt"], "out/ must still hold exactly the sentinel");
        let sentinel = std::fs::read_to_string(self.path("out/sentinel.txt")).expect("read the sentinel");
        assert_eq!(sentinel, SENTINEL, "the sentinel's content must be unchanged");
    }
}

/// 1-based line and column of the byte at `offset` in `text`.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = offset - before.rfind('\n').map_or(0, |nl| nl + 1) + 1;
    (line, column)
}

// --- positive control --------------------------------------------------------------------

#[test]
fn minimal_spec_generates() {
    let fx = Fixture::new(&keys());
    let output = fx.run("keys.json");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the minimal spec must generate:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let out = fx.path("out");
    assert!(!out.join("sentinel.txt").exists(), "a successful run replaces out/ as a whole");
    for file in ["Cargo.toml", "src/lib.rs", "src/raw.rs", "src/client.rs", "src/enums.rs"] {
        assert!(out.join(file).is_file(), "{file} must be generated");
    }
    let client = std::fs::read_to_string(out.join("src/client.rs")).expect("read client.rs");
    assert!(client.contains("backup_key"), "the operation must become a method:\n{client}");
}

// --- 1, 2: unreadable JSON ---------------------------------------------------------------

#[test]
fn truncated_json_is_reported_with_position() {
    let text = pretty(&keys());
    // Cut in the middle of the operation, inside several open objects.
    let cut = &text[..text.find("\"responses\"").expect("responses in the spec")];
    let fx = Fixture::empty();
    fx.write_text("keys.json", cut);
    let (line, _) = position(cut, cut.len());
    fx.fails(
        "keys.json",
        "keys.json",
        "",
        &["truncated JSON (unexpected end of file)", &format!("at line {line} column ")],
    );
}

#[test]
fn invalid_json_is_reported_with_position() {
    let text = pretty(&keys());
    // A missing comma: the next member starts where a `,` or `}` is expected.
    let member = "\"operationId\": \"BackupKey\"";
    let broken = text.replacen(&format!("{member},"), member, 1);
    assert_ne!(broken, text);
    let end = broken.find(member).expect("operationId") + member.len();
    let next = end + broken[end..].find('"').expect("the next member");
    let (line, column) = position(&broken, next);
    let fx = Fixture::empty();
    fx.write_text("keys.json", &broken);
    fx.fails(
        "keys.json",
        "keys.json",
        "",
        &["invalid JSON", &format!("at line {line} column {column}: expected `,` or `}}`")],
    );
}

// --- 3, 4: dangling $refs ----------------------------------------------------------------

#[test]
fn missing_local_ref_target_is_reported_at_the_ref() {
    let mut doc = keys();
    op(&mut doc)["responses"]["200"]["schema"]["$ref"] = json!("#/definitions/Nope");
    let fx = Fixture::new(&doc);
    fx.fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/responses/200/schema/$ref"),
        &["`#/definitions/Nope`", "does not exist"],
    );
}

#[test]
fn missing_cross_file_ref_target_is_reported_at_the_ref() {
    let mut doc = keys();
    op(&mut doc)["responses"]["default"]["schema"]["$ref"] = json!("common.json#/definitions/Nope");
    let fx = Fixture::new(&doc);
    fx.fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/responses/default/schema/$ref"),
        &["`common.json#/definitions/Nope`", "does not exist"],
    );
}

#[test]
fn missing_ref_target_inside_a_referenced_file_names_that_file() {
    let mut other = common();
    other["definitions"]["KeyVaultError"]["properties"]["error"]["$ref"] = json!("#/definitions/Nope");
    let fx = Fixture::new(&keys());
    fx.write_json("common.json", &other);
    fx.fails(
        "keys.json",
        "common.json",
        "/definitions/KeyVaultError/properties/error/$ref",
        &["`#/definitions/Nope`", "does not exist"],
    );
}

#[test]
fn ref_to_missing_file_is_reported_at_the_ref() {
    let mut doc = keys();
    op(&mut doc)["responses"]["default"]["schema"]["$ref"] = json!("nothere.json#/definitions/X");
    let fx = Fixture::new(&doc);
    fx.fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/responses/default/schema/$ref"),
        &["missing file", "nothere.json"],
    );
}

// --- 5: $ref cycle -----------------------------------------------------------------------

#[test]
fn ref_cycle_without_schema_is_reported() {
    let mut doc = keys();
    doc["definitions"]["A"] = json!({"$ref": "#/definitions/B"});
    doc["definitions"]["B"] = json!({"$ref": "#/definitions/A"});
    op(&mut doc)["responses"]["200"]["schema"]["$ref"] = json!("#/definitions/A");
    let fx = Fixture::new(&doc);
    fx.fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/responses/200/schema/$ref"),
        &["$ref cycle", "#/definitions/A → #/definitions/B → #/definitions/A"],
    );
}

// --- 6: versions -------------------------------------------------------------------------

#[test]
fn unknown_swagger_version_is_reported() {
    let mut doc = keys();
    doc["swagger"] = json!("1.2");
    let fx = Fixture::new(&doc);
    fx.fails("keys.json", "keys.json", "/swagger", &["unsupported Swagger version \"1.2\""]);
}

#[test]
fn unknown_openapi_version_is_reported() {
    let mut doc = keys();
    let root = doc.as_object_mut().expect("an object");
    root.shift_remove("swagger");
    root.insert("openapi".into(), json!("3.1.0"));
    let fx = Fixture::new(&doc);
    fx.fails("keys.json", "keys.json", "/openapi", &["unsupported OpenAPI version \"3.1.0\""]);
}

// --- 7, 8: operationIds ------------------------------------------------------------------

#[test]
fn duplicate_operation_id_is_reported_at_the_second_use() {
    let mut doc = keys();
    let mut second = op(&mut doc).clone();
    second["parameters"][0]["description"] = json!("Another operation, same id.");
    doc["paths"]["/keys/{key-name}/backup2"] = json!({"post": second});
    let fx = Fixture::new(&doc);
    fx.fails(
        "keys.json",
        "keys.json",
        "/paths/~1keys~1{key-name}~1backup2/post/operationId",
        &["duplicate operationId `BackupKey`", &format!("first used at {OP}")],
    );
}

#[test]
fn operation_ids_that_make_the_same_method_name_are_reported() {
    let mut doc = keys();
    let mut second = op(&mut doc).clone();
    second["operationId"] = json!("backup_key");
    doc["paths"]["/keys/{key-name}/backup2"] = json!({"post": second});
    let fx = Fixture::new(&doc);
    fx.fails("keys.json", "keys.json", "/paths/~1keys~1{key-name}~1backup2/post/operationId", &["backup_key"]);
}

#[test]
fn missing_operation_id_is_reported_at_the_operation() {
    let mut doc = keys();
    op(&mut doc).as_object_mut().expect("an object").shift_remove("operationId");
    let fx = Fixture::new(&doc);
    fx.fails("keys.json", "keys.json", OP, &["operation has no operationId"]);
}

// --- 9: constructs the generator cannot express ------------------------------------------

#[test]
fn form_data_parameter_is_refused() {
    let mut doc = keys();
    op(&mut doc)["parameters"]
        .as_array_mut()
        .expect("a list")
        .push(json!({"name": "blob", "in": "formData", "type": "string"}));
    let fx = Fixture::new(&doc);
    fx.fails("keys.json", "keys.json", &format!("{OP}/parameters/2/in"), &["formData parameters are not supported"]);
}

#[test]
fn form_data_parameter_from_another_file_is_reported_in_that_file() {
    let mut doc = keys();
    op(&mut doc)["parameters"].as_array_mut().expect("a list").push(json!({"$ref": "common.json#/parameters/Blob"}));
    let mut other = common();
    other["parameters"]["Blob"] = json!({"name": "blob", "in": "formData", "type": "string"});
    let fx = Fixture::new(&doc);
    fx.write_json("common.json", &other);
    fx.fails("keys.json", "common.json", "/parameters/Blob/in", &["formData parameters are not supported"]);
}

// Different success bodies are no longer refused: they become an outcome enum (see the
// shape corpus, codegen/tests/shapes/success-*.json). Different error bodies still are.
#[test]
fn different_error_bodies_are_refused() {
    let mut doc = keys();
    op(&mut doc)["responses"]["404"] =
        json!({"description": "Another body.", "schema": {"$ref": "#/definitions/Other"}});
    doc["definitions"]["Other"] = json!({"type": "object", "properties": {"other": {"type": "string"}}});
    let fx = Fixture::new(&doc);
    fx.fails("keys.json", "keys.json", &format!("{OP}/responses"), &["error responses have 2 different bodies"]);
}
