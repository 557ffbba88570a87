//! The Azure rules, one behaviour each, on small OpenAPI 3.0 documents.

use std::path::Path;

use kv_codegen::azure;
use serde_json::{Value, json};

fn doc_with_operation(op: Value) -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "7.4"},
        "paths": {"/keys/{key-name}/backup": {"post": op}},
        "components": {"schemas": {}, "parameters": {
            "ApiVersionParameter": {"name": "api-version", "in": "query", "required": true, "schema": {"type": "string"}}
        }}
    })
}

fn file() -> &'static Path {
    Path::new("keys.json")
}

#[test]
fn default_response_becomes_4xx_and_5xx() {
    let mut doc = doc_with_operation(json!({
        "operationId": "BackupKey",
        "responses": {
            "200": {"description": "ok"},
            "404": {"description": "declared on its own"},
            "default": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/E"}}}}
        }
    }));
    azure::default_response::apply(&mut doc);
    let rs = &doc["paths"]["/keys/{key-name}/backup"]["post"]["responses"];
    assert!(rs.get("default").is_none());
    assert_eq!(rs["4XX"], rs["5XX"]);
    assert_eq!(rs["4XX"]["description"], "error");
    assert_eq!(rs["404"]["description"], "declared on its own");
}

#[test]
fn api_version_is_removed_inline_and_by_reference() {
    let mut doc = doc_with_operation(json!({
        "operationId": "BackupKey",
        "parameters": [
            {"$ref": "#/components/parameters/ApiVersionParameter"},
            {"name": "key-name", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "API-Version", "in": "query", "schema": {"type": "string"}}
        ],
        "responses": {"200": {"description": "ok"}}
    }));
    azure::api_version::apply(&mut doc);
    let params = doc["paths"]["/keys/{key-name}/backup"]["post"]["parameters"].as_array().unwrap();
    assert_eq!(params.len(), 1);
    assert_eq!(params[0]["name"], "key-name");
}

#[test]
fn repeated_inline_enums_become_one_named_type_with_all_values() {
    let mut doc = doc_with_operation(json!({"operationId": "X", "responses": {"200": {"description": "ok"}}}));
    doc["components"]["schemas"] = json!({
        "A": {"properties": {"kty": {"type": "string", "description": "Key type of A.", "enum": ["EC", "RSA"],
              "x-ms-enum": {"name": "JsonWebKeyType", "modelAsString": true}}}},
        "B": {"properties": {"kty": {"type": "string", "enum": ["RSA", "oct"],
              "x-ms-enum": {"name": "JsonWebKeyType", "modelAsString": true, "values": [{"value": "oct", "description": "Octet sequence."}]}},
              "ops": {"type": "array", "items": {"type": "string", "enum": ["sign"], "x-ms-enum": {"name": "JsonWebKeyOperation"}}}}}
    });
    let enums = azure::enums::hoist(&mut doc).unwrap();
    let names: Vec<&str> = enums.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["JsonWebKeyType", "JsonWebKeyOperation"]);
    let kty = &enums[0];
    assert_eq!(kty.values.iter().map(|(v, _)| v.as_str()).collect::<Vec<_>>(), ["EC", "RSA", "oct"]);
    assert_eq!(kty.values[2].1.as_deref(), Some("Octet sequence."));
    assert!(kty.model_as_string);
    assert!(!enums[1].model_as_string);
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["A"]["properties"]["kty"]["$ref"], "#/components/schemas/JsonWebKeyType");
    assert_eq!(schemas["A"]["properties"]["kty"]["description"], "Key type of A.");
    assert_eq!(schemas["B"]["properties"]["kty"]["$ref"], "#/components/schemas/JsonWebKeyType");
    assert_eq!(schemas["B"]["properties"]["ops"]["items"]["$ref"], "#/components/schemas/JsonWebKeyOperation");
    assert_eq!(schemas["JsonWebKeyType"], json!({"type": "string", "enum": ["EC", "RSA", "oct"]}));
}

#[test]
fn named_enum_definitions_are_kept_under_their_own_name() {
    let mut doc = doc_with_operation(json!({"operationId": "X", "responses": {"200": {"description": "ok"}}}));
    doc["components"]["schemas"] = json!({
        "KeyRotationPolicyAction": {"type": "string", "enum": ["Rotate", "Notify"],
            "x-ms-enum": {"name": "KeyRotationPolicyAction", "modelAsString": false}},
        "Plain": {"type": "string", "enum": ["a"]}
    });
    let enums = azure::enums::hoist(&mut doc).unwrap();
    assert_eq!(enums.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["KeyRotationPolicyAction", "Plain"]);
}

#[test]
fn alias_definitions_are_bypassed() {
    let mut doc = doc_with_operation(json!({"operationId": "X", "responses": {"200": {"description": "ok"}}}));
    doc["components"]["schemas"] = json!({
        "NullableError": {"$ref": "#/components/schemas/Error"},
        "Error": {"properties": {"innererror": {"$ref": "#/components/schemas/NullableError"}}},
        "KeyVaultError": {"properties": {"error": {"$ref": "#/components/schemas/NullableError"}}}
    });
    azure::aliases::apply(&mut doc);
    let schemas = &doc["components"]["schemas"];
    assert!(schemas.get("NullableError").is_none());
    assert_eq!(schemas["Error"]["properties"]["innererror"]["$ref"], "#/components/schemas/Error");
    assert_eq!(schemas["KeyVaultError"]["properties"]["error"]["$ref"], "#/components/schemas/Error");
}

#[test]
fn nullable_is_dropped_where_option_already_says_it() {
    let mut doc = doc_with_operation(json!({"operationId": "X", "responses": {"200": {"description": "ok"}}}));
    doc["components"]["schemas"] = json!({
        "Error": {"nullable": true, "properties": {"code": {"type": "string"}}},
        "M": {"required": ["must"], "properties": {
            "may": {"type": "string", "nullable": true},
            "must": {"type": "string", "nullable": true}
        }}
    });
    azure::nullable::apply(&mut doc).unwrap();
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["Error"].get("nullable").is_none());
    assert!(schemas["M"]["properties"]["may"].get("nullable").is_none());
    assert_eq!(schemas["M"]["properties"]["must"]["nullable"], true);
}

#[test]
fn extensions_are_stripped_from_schemas_but_not_from_property_names() {
    let mut doc = doc_with_operation(
        json!({"operationId": "X", "x-ms-pageable": {}, "responses": {"200": {"description": "ok"}}}),
    );
    doc["components"]["schemas"] = json!({
        "M": {"x-ms-azure-resource": true, "properties": {
            "nbf": {"type": "integer", "format": "unixtime", "x-ms-client-name": "NotBefore"},
            "x-custom": {"type": "string"}
        }}
    });
    azure::extensions::apply(&mut doc).unwrap();
    let m = &doc["components"]["schemas"]["M"];
    assert_eq!(m["properties"]["nbf"], json!({"type": "integer", "format": "unixtime"}));
    assert!(m["properties"].get("x-custom").is_some());
    assert!(m.get("x-ms-azure-resource").is_none());
    // Operations keep theirs; progenitor ignores them.
    assert!(doc["paths"]["/keys/{key-name}/backup"]["post"].get("x-ms-pageable").is_some());
}

#[test]
fn pageable_operations_are_collected_with_defaults() {
    let mut doc = doc_with_operation(json!({
        "operationId": "GetKeys",
        "x-ms-pageable": {"nextLinkName": "nextLink"},
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/KeyListResult"}}}}}
    }));
    let pages = azure::pageable::collect(&mut doc, file()).unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].operation_id, "GetKeys");
    assert_eq!(pages[0].item_name, "value");
    assert_eq!(pages[0].page_schema, "KeyListResult");

    let mut single = doc_with_operation(json!({
        "operationId": "GetAll", "x-ms-pageable": {"nextLinkName": null},
        "responses": {"200": {"description": "ok"}}
    }));
    assert!(azure::pageable::collect(&mut single, file()).unwrap().is_empty());
}

#[test]
fn path_and_query_constraints_do_not_become_newtypes() {
    let mut doc = doc_with_operation(json!({
        "operationId": "X",
        "parameters": [
            {"name": "key-name", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9a-zA-Z-]+$"}},
            {"name": "maxresults", "in": "query", "schema": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 25}}
        ],
        "responses": {"200": {"description": "ok"}}
    }));
    azure::parameters::apply(&mut doc).unwrap();
    let params = &doc["paths"]["/keys/{key-name}/backup"]["post"]["parameters"];
    assert_eq!(params[0]["schema"], json!({"type": "string"}));
    assert_eq!(params[1]["schema"], json!({"type": "integer", "format": "int32"}));
}

#[test]
fn parameterized_host_parameters_leave_the_operations() {
    let mut doc = doc_with_operation(json!({
        "operationId": "X",
        "parameters": [{"name": "vaultBaseUrl", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "ok"}}
    }));
    doc["x-ms-parameterized-host"] =
        json!({"hostTemplate": "{vaultBaseUrl}", "parameters": [{"name": "vaultBaseUrl", "in": "path"}]});
    azure::host::apply(&mut doc);
    assert!(doc.get("x-ms-parameterized-host").is_none());
    assert_eq!(doc["paths"]["/keys/{key-name}/backup"]["post"]["parameters"], json!([]));
}

#[test]
fn secret_markers_become_the_secret_format_and_nothing_else_does() {
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "7.4"},
        "paths": {},
        "components": {"schemas": {"SecretBundle": {"type": "object", "properties": {
            "value": {"type": "string", "x-ms-secret": true},
            "pwd": {"type": "string", "format": "password"},
            "contentType": {"type": "string"},
            "flag": {"type": "boolean", "x-ms-secret": true},
            "kind": {"type": "string", "x-ms-secret": true, "enum": ["a", "b"]}
        }}}}
    });
    azure::secrets::apply(&mut doc).unwrap();
    let props = &doc["components"]["schemas"]["SecretBundle"]["properties"];
    assert_eq!(props["value"]["format"], azure::secrets::SECRET_FORMAT);
    assert_eq!(props["pwd"]["format"], azure::secrets::SECRET_FORMAT);
    assert!(props["contentType"].get("format").is_none());
    assert!(props["flag"].get("format").is_none(), "only strings hold secrets");
    assert!(props["kind"].get("format").is_none(), "an enum keeps its own type");
}

#[test]
fn comma_separated_array_query_parameters_become_strings() {
    let mut doc = doc_with_operation(json!({
        "operationId": "X",
        "parameters": [
            {"name": "names", "in": "query", "style": "form", "explode": false, "description": "Names.", "schema": {"type": "array", "items": {"type": "string"}}},
            {"name": "tags", "in": "query", "style": "form", "explode": true, "schema": {"type": "array", "items": {"type": "string"}}},
            {"name": "ids", "in": "query", "schema": {"type": "array", "items": {"type": "integer"}}}
        ],
        "responses": {"200": {"description": "ok"}}
    }));
    azure::query_arrays::apply(&mut doc).unwrap();
    let params = doc["paths"]["/keys/{key-name}/backup"]["post"]["parameters"].as_array().unwrap();
    assert_eq!(params[0]["schema"], json!({"type": "string"}));
    assert!(params[0]["description"].as_str().unwrap().starts_with("Names. Several values go comma-separated"));
    assert!(params[0].get("explode").is_none());
    assert_eq!(params[1]["schema"]["type"], "array", "multi stays an array, sent as repeated keys");
    assert_eq!(params[2]["schema"]["type"], "array", "OpenAPI 3.0's default is exploded");
}
