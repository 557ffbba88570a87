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

// --- 10: the skeleton ------------------------------------------------------------------

/// Adds `param` to the operation's parameters (after `key-name` and `api-version`: index 2).
fn push_param(doc: &mut Value, param: Value) {
    op(doc)["parameters"].as_array_mut().expect("a list").push(param);
}

fn remove(doc: &mut Value, key: &str) {
    doc.as_object_mut().expect("an object").shift_remove(key);
}

#[test]
fn paths_not_an_object_is_refused() {
    let mut doc = keys();
    doc["paths"] = json!([]);
    Fixture::new(&doc).fails("keys.json", "keys.json", "/paths", &["`paths` must be an object, not an array"]);
}

#[test]
fn missing_paths_is_refused() {
    let mut doc = keys();
    remove(&mut doc, "paths");
    Fixture::new(&doc).fails("keys.json", "keys.json", "", &["a spec needs `paths`"]);
}

#[test]
fn definitions_not_an_object_is_refused() {
    let mut doc = keys();
    doc["definitions"] = json!("BackupKeyResult");
    Fixture::new(&doc).fails("keys.json", "keys.json", "/definitions", &["`definitions` must be an object"]);
}

#[test]
fn missing_info_is_refused_for_want_of_an_api_version() {
    let mut doc = keys();
    remove(&mut doc, "info");
    Fixture::new(&doc).fails("keys.json", "keys.json", "", &["needs `info`", "api-version"]);
}

#[test]
fn info_version_not_a_string_is_refused() {
    let mut doc = keys();
    doc["info"]["version"] = json!(7.4);
    Fixture::new(&doc).fails("keys.json", "keys.json", "/info/version", &["`version` must be a string, not a number"]);
}

#[test]
fn consumes_not_an_array_is_refused() {
    let mut doc = keys();
    doc["consumes"] = json!("application/json");
    Fixture::new(&doc).fails("keys.json", "keys.json", "/consumes", &["`consumes` must be an array of strings"]);
}

#[test]
fn base_path_without_leading_slash_is_refused() {
    let mut doc = keys();
    doc["basePath"] = json!("v1");
    Fixture::new(&doc).fails("keys.json", "keys.json", "/basePath", &["`basePath` must start with `/`"]);
}

#[test]
fn misspelt_method_is_refused_rather_than_dropped() {
    let mut doc = keys();
    let operation = op(&mut doc).clone();
    doc["paths"]["/keys/{key-name}/backup"] = json!({"postt": operation});
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        "/paths/~1keys~1{key-name}~1backup/postt",
        &["`postt` is not an HTTP method"],
    );
}

#[test]
fn operation_id_not_a_string_is_refused() {
    let mut doc = keys();
    op(&mut doc)["operationId"] = json!(7);
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/operationId"),
        &["must be a string, not a number"],
    );
}

#[test]
fn tags_not_strings_are_refused() {
    let mut doc = keys();
    op(&mut doc)["tags"] = json!(["Keys", 2]);
    Fixture::new(&doc).fails("keys.json", "keys.json", &format!("{OP}/tags/1"), &["`tags` must hold strings only"]);
}

// --- 11: $ref values and kinds -----------------------------------------------------------

#[test]
fn ref_not_a_string_is_refused() {
    let mut doc = keys();
    op(&mut doc)["responses"]["200"]["schema"]["$ref"] = json!(42);
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/responses/200/schema/$ref"),
        &["`$ref` must be a string, not a number"],
    );
}

#[test]
fn ref_not_a_string_in_a_referenced_file_names_that_file() {
    let mut other = common();
    other["definitions"]["Error"]["properties"]["code"] = json!({"$ref": true});
    let fx = Fixture::new(&keys());
    fx.write_json("common.json", &other);
    fx.fails(
        "keys.json",
        "common.json",
        "/definitions/Error/properties/code/$ref",
        &["`$ref` must be a string, not a boolean"],
    );
}

#[test]
fn parameter_ref_to_a_definition_is_refused() {
    let mut doc = keys();
    push_param(&mut doc, json!({"$ref": "#/definitions/BackupKeyResult"}));
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/parameters/2/$ref"),
        &["a parameter $ref must point into #/parameters/", "#/definitions/BackupKeyResult"],
    );
}

#[test]
fn schema_ref_to_a_parameter_is_refused() {
    let mut doc = keys();
    op(&mut doc)["responses"]["200"]["schema"]["$ref"] = json!("common.json#/parameters/ApiVersionParameter");
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/responses/200/schema/$ref"),
        &["a schema $ref must point into #/definitions/"],
    );
}

#[test]
fn allof_cycle_is_refused() {
    let mut doc = keys();
    doc["definitions"]["A"] = json!({"allOf": [{"$ref": "#/definitions/B"}], "properties": {"a": {"type": "string"}}});
    doc["definitions"]["B"] = json!({"allOf": [{"$ref": "#/definitions/A"}], "properties": {"b": {"type": "string"}}});
    op(&mut doc)["responses"]["200"]["schema"]["$ref"] = json!("#/definitions/A");
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        "/definitions/B/allOf/0/$ref",
        &["allOf cycle: A → B → A inherits from itself"],
    );
}

#[test]
fn allof_cycle_in_a_referenced_file_names_that_file() {
    let mut other = common();
    other["definitions"]["Error"]["allOf"] = json!([{"$ref": "#/definitions/KeyVaultError"}]);
    other["definitions"]["KeyVaultError"]["allOf"] = json!([{"$ref": "#/definitions/Error"}]);
    let fx = Fixture::new(&keys());
    fx.write_json("common.json", &other);
    fx.fails(
        "keys.json",
        "common.json",
        "/definitions/KeyVaultError/allOf/0/$ref",
        &["allOf cycle: Error → KeyVaultError → Error"],
    );
}

// --- 12: paths and path parameters ------------------------------------------------------

#[test]
fn path_key_without_leading_slash_is_refused() {
    let mut doc = keys();
    let item = doc["paths"]["/keys/{key-name}/backup"].clone();
    doc["paths"] = json!({"keys/{key-name}/backup": item});
    Fixture::new(&doc).fails("keys.json", "keys.json", "/paths/keys~1{key-name}~1backup", &["must start with `/`"]);
}

#[test]
fn unbalanced_path_template_is_refused() {
    let mut doc = keys();
    let item = doc["paths"]["/keys/{key-name}/backup"].clone();
    doc["paths"] = json!({"/keys/{key-name/backup": item});
    Fixture::new(&doc).fails("keys.json", "keys.json", "/paths/~1keys~1{key-name~1backup", &["is never closed"]);
}

#[test]
fn path_templates_differing_only_in_variable_names_are_refused() {
    let mut doc = keys();
    let mut second = op(&mut doc).clone();
    second["operationId"] = json!("BackupKeyAgain");
    second["parameters"][0]["name"] = json!("name");
    doc["paths"]["/keys/{name}/backup"] = json!({"post": second});
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        "/paths/~1keys~1{name}~1backup",
        &["differ only in variable names"],
    );
}

#[test]
fn path_parameter_not_required_is_refused() {
    let mut doc = keys();
    op(&mut doc)["parameters"][0]["required"] = json!(false);
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/parameters/0"),
        &["path parameter `key-name` must be `required: true`"],
    );
}

#[test]
fn path_parameter_absent_from_the_template_is_refused() {
    let mut doc = keys();
    push_param(&mut doc, json!({"name": "key-version", "in": "path", "required": true, "type": "string"}));
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/parameters/2/in"),
        &["path parameter `key-version` does not appear in the path `/keys/{key-name}/backup`"],
    );
}

#[test]
fn template_variable_without_parameter_is_refused() {
    let mut doc = keys();
    let item = doc["paths"]["/keys/{key-name}/backup"].clone();
    doc["paths"] = json!({"/keys/{key-name}/{key-version}/backup": item});
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        "/paths/~1keys~1{key-name}~1{key-version}~1backup/post",
        &["path variable `{key-version}`", "has no path parameter"],
    );
}

#[test]
fn unbalanced_host_template_is_refused() {
    let mut doc = keys();
    doc["x-ms-parameterized-host"]["hostTemplate"] = json!("{vaultBaseUrl");
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        "/x-ms-parameterized-host/hostTemplate",
        &["`{` at byte 0 is never closed"],
    );
}

#[test]
fn host_template_variable_without_parameter_is_refused() {
    let mut doc = keys();
    doc["x-ms-parameterized-host"]["hostTemplate"] = json!("{vaultName}.vault.azure.net");
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        "/x-ms-parameterized-host/hostTemplate",
        &["template variable `{vaultName}` has no parameter"],
    );
}

// --- 13: parameters ------------------------------------------------------------------------

#[test]
fn same_parameter_twice_is_refused() {
    let mut doc = keys();
    push_param(&mut doc, json!({"name": "key-name", "in": "path", "required": true, "type": "string"}));
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/parameters/2"),
        &["parameter `key-name` in path is listed twice", &format!("first at {OP}/parameters/0")],
    );
}

#[test]
fn same_parameter_twice_at_path_level_is_refused() {
    let mut doc = keys();
    let p = json!({"name": "x-ms-client", "in": "header", "type": "string"});
    doc["paths"]["/keys/{key-name}/backup"]["parameters"] = json!([p.clone(), p]);
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        "/paths/~1keys~1{key-name}~1backup/parameters/1",
        &["parameter `x-ms-client` in header is listed twice"],
    );
}

#[test]
fn operation_parameter_overrides_a_path_level_one() {
    // Not an error: the operation's own `key-name` replaces the path item's.
    let mut doc = keys();
    doc["paths"]["/keys/{key-name}/backup"]["parameters"] =
        json!([{"name": "key-name", "in": "path", "required": true, "type": "string", "description": "shared"}]);
    let fx = Fixture::new(&doc);
    let output = fx.run("keys.json");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "an operation may override a path-level parameter:\n{stderr}");
}

#[test]
fn two_body_parameters_are_refused() {
    let mut doc = keys();
    let body = |name: &str| json!({"name": name, "in": "body", "required": true, "schema": {"type": "string"}});
    push_param(&mut doc, body("first"));
    push_param(&mut doc, body("second"));
    Fixture::new(&doc).fails("keys.json", "keys.json", &format!("{OP}/parameters/3"), &["at most one body parameter"]);
}

#[test]
fn unknown_parameter_location_is_refused() {
    let mut doc = keys();
    push_param(&mut doc, json!({"name": "session", "in": "cookie", "type": "string"}));
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/parameters/2/in"),
        &["unknown parameter location `cookie`"],
    );
}

#[test]
fn body_parameter_without_schema_is_refused() {
    let mut doc = keys();
    push_param(&mut doc, json!({"name": "parameters", "in": "body", "required": true}));
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/parameters/2"),
        &["body parameter `parameters` needs a `schema`"],
    );
}

#[test]
fn query_parameter_without_type_is_refused() {
    let mut doc = keys();
    push_param(&mut doc, json!({"name": "maxresults", "in": "query"}));
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/parameters/2"),
        &["parameter `maxresults` in query needs a `type`"],
    );
}

#[test]
fn array_query_parameter_without_items_is_refused() {
    let mut doc = keys();
    push_param(&mut doc, json!({"name": "ids", "in": "query", "type": "array"}));
    Fixture::new(&doc).fails("keys.json", "keys.json", &format!("{OP}/parameters/2"), &["an array needs `items`"]);
}

#[test]
fn parameter_without_name_is_refused() {
    let mut doc = keys();
    push_param(&mut doc, json!({"in": "header", "type": "string"}));
    Fixture::new(&doc).fails("keys.json", "keys.json", &format!("{OP}/parameters/2"), &["a parameter needs a `name`"]);
}

#[test]
fn bad_shared_parameter_in_a_referenced_file_names_that_file() {
    let mut other = common();
    other["parameters"]["ApiVersionParameter"]["in"] = json!("querystring");
    let fx = Fixture::new(&keys());
    fx.write_json("common.json", &other);
    fx.fails(
        "keys.json",
        "common.json",
        "/parameters/ApiVersionParameter/in",
        &["unknown parameter location `querystring`"],
    );
}

#[test]
fn unknown_parameter_location_extension_value_is_refused() {
    let mut doc = keys();
    op(&mut doc)["parameters"][0]["x-ms-parameter-location"] = json!("global");
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/parameters/0/x-ms-parameter-location"),
        &["`client` or `method`, not `global`"],
    );
}

// --- 14: responses -------------------------------------------------------------------------

#[test]
fn responses_not_an_object_is_refused() {
    let mut doc = keys();
    op(&mut doc)["responses"] = json!([]);
    Fixture::new(&doc).fails("keys.json", "keys.json", &format!("{OP}/responses"), &["`responses` must be an object"]);
}

#[test]
fn empty_responses_are_refused() {
    let mut doc = keys();
    op(&mut doc)["responses"] = json!({});
    Fixture::new(&doc).fails("keys.json", "keys.json", &format!("{OP}/responses"), &["`responses` is empty"]);
}

#[test]
fn status_code_that_is_not_three_digits_is_refused() {
    let mut doc = keys();
    let ok = op(&mut doc)["responses"]["200"].clone();
    op(&mut doc)["responses"]["20"] = ok;
    Fixture::new(&doc).fails("keys.json", "keys.json", &format!("{OP}/responses/20"), &["`20` is not a status code"]);
}

#[test]
fn response_not_an_object_is_refused() {
    let mut doc = keys();
    op(&mut doc)["responses"]["204"] = json!("No content.");
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/responses/204"),
        &["a response must be an object, not a string"],
    );
}

// --- 15: schemas ---------------------------------------------------------------------------

const VALUE: &str = "/definitions/BackupKeyResult/properties/value";

#[test]
fn unknown_schema_type_is_refused() {
    let mut doc = keys();
    doc["definitions"]["BackupKeyResult"]["properties"]["value"]["type"] = json!("strnig");
    Fixture::new(&doc).fails("keys.json", "keys.json", &format!("{VALUE}/type"), &["unknown type `strnig`"]);
}

#[test]
fn required_not_a_list_is_refused() {
    let mut doc = keys();
    doc["definitions"]["BackupKeyResult"]["required"] = json!("value");
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        "/definitions/BackupKeyResult/required",
        &["`required` must be an array of strings"],
    );
}

#[test]
fn enum_not_a_list_is_refused() {
    let mut doc = keys();
    doc["definitions"]["BackupKeyResult"]["properties"]["value"]["enum"] = json!("RSA");
    Fixture::new(&doc).fails("keys.json", "keys.json", &format!("{VALUE}/enum"), &["`enum` must be an array"]);
}

#[test]
fn array_schema_without_items_is_refused() {
    let mut doc = keys();
    doc["definitions"]["BackupKeyResult"]["properties"]["list"] = json!({"type": "array"});
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        "/definitions/BackupKeyResult/properties/list",
        &["an array needs `items`"],
    );
}

#[test]
fn properties_not_an_object_is_refused() {
    let mut doc = keys();
    doc["definitions"]["BackupKeyResult"]["properties"] = json!(["value"]);
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        "/definitions/BackupKeyResult/properties",
        &["`properties` must be an object, not an array"],
    );
}

#[test]
fn additional_properties_not_a_schema_is_refused() {
    let mut doc = keys();
    doc["definitions"]["BackupKeyResult"]["additionalProperties"] = json!("string");
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        "/definitions/BackupKeyResult/additionalProperties",
        &["a boolean or a schema"],
    );
}

#[test]
fn negative_length_is_refused() {
    let mut doc = keys();
    doc["definitions"]["BackupKeyResult"]["properties"]["value"]["minLength"] = json!(-1);
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{VALUE}/minLength"),
        &["`minLength` must be a non-negative integer"],
    );
}

#[test]
fn open_x_ms_enum_without_name_is_refused() {
    let mut doc = keys();
    doc["definitions"]["BackupKeyResult"]["properties"]["kty"] =
        json!({"type": "string", "enum": ["EC", "RSA"], "x-ms-enum": {"modelAsString": true}});
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        "/definitions/BackupKeyResult/properties/kty/x-ms-enum",
        &["`modelAsString: true` needs a `name`"],
    );
}

// --- 16: Azure extensions ------------------------------------------------------------------

#[test]
fn pageable_not_an_object_is_refused() {
    let mut doc = keys();
    op(&mut doc)["x-ms-pageable"] = json!(true);
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/x-ms-pageable"),
        &["`x-ms-pageable` must be an object, not a boolean"],
    );
}

#[test]
fn pageable_item_name_not_a_string_is_refused() {
    let mut doc = keys();
    op(&mut doc)["x-ms-pageable"] = json!({"nextLinkName": "nextLink", "itemName": ["value"]});
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/x-ms-pageable/itemName"),
        &["`itemName` must be a string, not an array"],
    );
}

// --- 17: OpenAPI 3.0 -----------------------------------------------------------------------

/// A minimal valid OpenAPI 3.0 spec: `GET /keys/{key-name}`.
fn openapi3() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "KeyClient", "version": "7.4"},
        "servers": [{"url": "https://vault.example"}],
        "paths": {
            "/keys/{key-name}": {
                "get": {
                    "operationId": "GetKey",
                    "parameters": [{"name": "key-name", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {
                            "description": "The key.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Key"}}}
                        }
                    }
                }
            }
        },
        "components": {"schemas": {"Key": {"type": "object", "properties": {"kid": {"type": "string"}}}}}
    })
}

const GET: &str = "/paths/~1keys~1{key-name}/get";

#[test]
fn minimal_openapi3_spec_generates() {
    let fx = Fixture::empty();
    fx.write_json("keys.json", &openapi3());
    let output = fx.run("keys.json");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the minimal OpenAPI 3.0 spec must generate:\n{stderr}");
}

#[test]
fn openapi3_parameter_without_schema_is_refused() {
    let mut doc = openapi3();
    doc.pointer_mut(&format!("{GET}/parameters/0"))
        .expect("the parameter")
        .as_object_mut()
        .expect("object")
        .shift_remove("schema");
    let fx = Fixture::empty();
    fx.write_json("keys.json", &doc);
    fx.fails("keys.json", "keys.json", &format!("{GET}/parameters/0"), &["parameter `key-name` needs a `schema`"]);
}

#[test]
fn openapi3_components_section_not_an_object_is_refused() {
    let mut doc = openapi3();
    doc["components"]["parameters"] = json!([]);
    let fx = Fixture::empty();
    fx.write_json("keys.json", &doc);
    fx.fails("keys.json", "keys.json", "/components/parameters", &["`components/parameters` must be an object"]);
}

// --- 18: found by probing and fuzzing: panics and progenitor failures without a location ---

#[test]
fn enum_name_that_is_not_an_identifier_still_generates() {
    // Was a panic in the enum emitter (`"1 bad name!" is not a valid Ident`); the enum now gets
    // a Rust name made from the text (`E1BadName`), and the shape corpus compiles such names.
    let mut doc = keys();
    doc["definitions"]["BackupKeyResult"]["properties"]["kty"] =
        json!({"type": "string", "enum": ["EC"], "x-ms-enum": {"name": "1 bad name!", "modelAsString": true}});
    let fx = Fixture::new(&doc);
    let output = fx.run("keys.json");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "an x-ms-enum name of free text must generate:\n{stderr}");
}

#[test]
fn enum_definition_named_like_a_keyword_is_refused() {
    // Was `generated code does not parse: expected identifier, found keyword`, without a location.
    let mut doc = keys();
    doc["definitions"]["type"] = json!({"type": "string", "enum": ["a", "b"]});
    doc["definitions"]["BackupKeyResult"]["properties"]["kind"] = json!({"$ref": "#/definitions/type"});
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        "/definitions/type",
        &["enum name `type` cannot name a Rust type"],
    );
}

#[test]
fn enum_value_of_the_wrong_type_is_refused() {
    // Was progenitor's `type error unexpected value type`, without a location.
    let mut doc = keys();
    doc["definitions"]["BackupKeyResult"]["properties"]["value"]["enum"] = json!(["a", 1]);
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{VALUE}/enum/1"),
        &["enum value 1 is not of the schema's type `string`"],
    );
}

#[test]
fn repeated_enum_value_is_refused() {
    // Was a panic inside progenitor (`Failed to make unique variant names`), caught.
    let mut doc = keys();
    doc["definitions"]["BackupKeyResult"]["properties"]["value"]["enum"] = json!(["a", "a"]);
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{VALUE}/enum/1"),
        &["enum value \"a\" is listed twice"],
    );
}

#[test]
fn default_of_the_wrong_type_is_refused() {
    // Was progenitor's `value does not conform to the given schema`, without a location.
    let mut doc = keys();
    doc["definitions"]["BackupKeyResult"]["properties"]["size"] = json!({"type": "integer", "default": "big"});
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        "/definitions/BackupKeyResult/properties/size/default",
        &["default \"big\" is not of the schema's type `integer`"],
    );
}

#[test]
fn not_schema_is_refused() {
    // Was a `todo!` panic inside progenitor (`unhandled not schema`), caught.
    let mut doc = keys();
    doc["definitions"]["BackupKeyResult"]["properties"]["value"] = json!({"not": {"type": "string"}});
    Fixture::new(&doc).fails("keys.json", "keys.json", &format!("{VALUE}/not"), &["`not` schemas are not supported"]);
}

#[test]
fn operation_id_without_letters_is_refused() {
    // Was `progenitor generated no method for it`, without a location.
    let mut doc = keys();
    op(&mut doc)["operationId"] = json!("!!!");
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/operationId"),
        &["operationId `!!!` has no letter or digit"],
    );
}

#[test]
fn parameter_name_without_letters_is_refused() {
    // Was `header parameter `-` has no argument in method`, without a location.
    let mut doc = keys();
    push_param(&mut doc, json!({"name": "-", "in": "header", "type": "string"}));
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/parameters/2/name"),
        &["parameter name `-` has no letter or digit"],
    );
}

#[test]
fn pageable_next_link_missing_from_the_page_model_is_refused() {
    // Was `page type ... has no `nope` property`, without a location.
    let mut doc = keys();
    op(&mut doc)["x-ms-pageable"] = json!({"nextLinkName": "nope", "itemName": "value"});
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/x-ms-pageable/nextLinkName"),
        &["the page model has no `nope` property"],
    );
}

#[test]
fn non_json_body_with_a_model_schema_is_refused() {
    // Was progenitor's `invalid schema for text/plain`, without a location.
    let mut doc = keys();
    op(&mut doc)["consumes"] = json!(["text/plain"]);
    push_param(
        &mut doc,
        json!({"name": "parameters", "in": "body", "schema": {"$ref": "#/definitions/BackupKeyResult"}}),
    );
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/parameters/2"),
        &["sent as `text/plain`", "its schema is not a string"],
    );
}

#[test]
fn nesting_deeper_than_the_parser_allows_is_refused_not_a_stack_overflow() {
    let mut deep = json!({"type": "string"});
    for i in 0..70 {
        deep = json!({"type": "object", "properties": {format!("p{i}"): deep}});
    }
    let mut doc = keys();
    doc["definitions"]["BackupKeyResult"]["properties"]["deep"] = deep;
    Fixture::new(&doc).fails("keys.json", "keys.json", "", &["JSON nested more than 128 levels deep", "at line "]);
}

#[test]
fn openapi3_parameter_style_progenitor_cannot_write_is_refused() {
    // Was progenitor's `unsupported style of query parameter DeepObject`, without a location.
    let mut doc = openapi3();
    doc.pointer_mut(&format!("{GET}/parameters"))
        .expect("the parameters")
        .as_array_mut()
        .expect("a list")
        .push(json!({"name": "filter", "in": "query", "style": "deepObject", "schema": {"type": "object"}}));
    let fx = Fixture::empty();
    fx.write_json("keys.json", &doc);
    fx.fails(
        "keys.json",
        "keys.json",
        &format!("{GET}/parameters/1/style"),
        &["style `deepObject` is not supported for a query parameter"],
    );
}

#[test]
fn openapi3_parameter_with_content_is_refused() {
    // Was progenitor's `unexpected content`, without a location.
    let mut doc = openapi3();
    doc.pointer_mut(&format!("{GET}/parameters"))
        .expect("the parameters")
        .as_array_mut()
        .expect("a list")
        .push(json!({"name": "q", "in": "query", "content": {"application/json": {"schema": {"type": "object"}}}}));
    let fx = Fixture::empty();
    fx.write_json("keys.json", &doc);
    fx.fails("keys.json", "keys.json", &format!("{GET}/parameters/1/content"), &["serialized by `content`"]);
}

#[test]
fn openapi3_cookie_parameter_is_refused() {
    // Was progenitor's error without a location.
    let mut doc = openapi3();
    doc.pointer_mut(&format!("{GET}/parameters"))
        .expect("the parameters")
        .as_array_mut()
        .expect("a list")
        .push(json!({"name": "session", "in": "cookie", "schema": {"type": "string"}}));
    let fx = Fixture::empty();
    fx.write_json("keys.json", &doc);
    fx.fails("keys.json", "keys.json", &format!("{GET}/parameters/1/in"), &["cookie parameters are not supported"]);
}

#[test]
fn parameters_that_would_become_the_same_argument_still_generate() {
    // Was a panic inside progenitor (`missing path name mapping key-name`); the second
    // parameter now gets a distinct argument name and keeps its wire name.
    let mut doc = keys();
    push_param(&mut doc, json!({"name": "key-name", "in": "query", "type": "string"}));
    let fx = Fixture::new(&doc);
    let output = fx.run("keys.json");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "parameters that fold alike must generate:\n{stderr}");
}

#[test]
fn schema_ref_into_a_definition_is_refused() {
    // Was progenitor's `$ref #/components/schemas/BackupKeyResult/properties/value is missing`.
    let mut doc = keys();
    op(&mut doc)["responses"]["200"]["schema"]["$ref"] = json!("#/definitions/BackupKeyResult/properties/value");
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/responses/200/schema/$ref"),
        &["a schema $ref must name one entry of #/definitions/"],
    );
}

#[test]
fn percent_encoded_schema_ref_is_refused() {
    // The bundler decodes it, progenitor does not: was `$ref ... is missing`, without a location.
    let mut doc = keys();
    op(&mut doc)["responses"]["200"]["schema"]["$ref"] = json!("#/definitions/BackupKey%52esult");
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{OP}/responses/200/schema/$ref"),
        &["as it is spelt, not `#/definitions/BackupKey%52esult`"],
    );
}

#[test]
fn x_ms_paths_are_refused_rather_than_dropped() {
    let mut doc = keys();
    let item = doc["paths"]["/keys/{key-name}/backup"].clone();
    doc["x-ms-paths"] = json!({"/keys/{key-name}/backup?legacy=true": item});
    Fixture::new(&doc).fails("keys.json", "keys.json", "/x-ms-paths", &["`x-ms-paths` is not supported"]);
}

#[test]
fn format_without_type_is_refused() {
    // Found by `cargo xtask fuzz --strict`: a `todo!` panic inside progenitor (typify's
    // `invalid (or unexpected) schema`), caught, without a location.
    let mut doc = keys();
    doc["definitions"]["BackupKeyResult"]["properties"]["value"] = json!({"format": "base64url"});
    Fixture::new(&doc).fails("keys.json", "keys.json", VALUE, &["a schema with `format` needs a `type`"]);
}

#[test]
fn numeric_bound_without_type_is_refused() {
    let mut doc = keys();
    doc["definitions"]["BackupKeyResult"]["properties"]["value"] = json!({"maximum": 3});
    Fixture::new(&doc).fails("keys.json", "keys.json", VALUE, &["a schema with `maximum` needs a `type`"]);
}

#[test]
fn format_on_an_object_is_refused() {
    // Was a `todo!` panic inside progenitor (typify's `invalid (or unexpected) schema`), caught.
    let mut doc = keys();
    doc["definitions"]["BackupKeyResult"]["format"] = json!("blob");
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        "/definitions/BackupKeyResult/format",
        &["`format` applies to strings and numbers, not to `object`"],
    );
}

#[test]
fn default_outside_the_enum_is_refused() {
    // Was progenitor's `value does not conform to the given schema`, without a location.
    let mut doc = keys();
    doc["definitions"]["BackupKeyResult"]["properties"]["value"]["enum"] = json!(["a", "b"]);
    doc["definitions"]["BackupKeyResult"]["properties"]["value"]["default"] = json!("c");
    Fixture::new(&doc).fails(
        "keys.json",
        "keys.json",
        &format!("{VALUE}/default"),
        &["default \"c\" is not one of the `enum` values"],
    );
}
