//! Swagger 2.0 → OpenAPI 3.0.3, on JSON values.
//!
//! Covers what Azure's data-plane specs use: definitions, shared parameters and responses,
//! body and non-body parameters, `consumes`/`produces`, `x-nullable`, and the host settings.
//! Constructs with no faithful OpenAPI 3.0 meaning for this generator (`formData`, `type:
//! file`) are refused with their JSON pointer rather than guessed at.

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::error::{Error, Result};
use crate::pointer;

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Converts a bundled Swagger 2.0 document (all `$ref`s local) into an OpenAPI 3.0.3 one.
///
/// `securityDefinitions` are dropped: Key Vault's AAD bearer scheme is implemented by the
/// client runtime's challenge flow, not derived from the document.
pub fn swagger2_to_openapi3(doc: &Value, file: &Path) -> Result<Value> {
    let c = Converter { doc, file };
    c.convert()
}

struct Converter<'a> {
    doc: &'a Value,
    file: &'a Path,
}

impl Converter<'_> {
    fn err(&self, at: &str, msg: impl Into<String>) -> Error {
        Error::spec(self.file, at, msg)
    }

    fn media_types(&self, op: Option<&Value>, key: &str) -> Vec<String> {
        let list = op.and_then(|o| o.get(key)).or_else(|| self.doc.get(key));
        let types: Vec<String> = list
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
            .unwrap_or_default();
        if types.is_empty() { vec!["application/json".into()] } else { types }
    }

    fn convert(&self) -> Result<Value> {
        let root = self.doc.as_object().ok_or_else(|| self.err("", "a spec must be an object"))?;
        let mut out = Map::new();
        out.insert("openapi".into(), json!("3.0.3"));
        out.insert("info".into(), root.get("info").cloned().unwrap_or_else(|| json!({"title": "", "version": ""})));
        if let Some(servers) = self.servers() {
            out.insert("servers".into(), servers);
        }
        for (k, v) in root {
            if k.starts_with("x-") && k != "x-ms-parameterized-host" {
                out.insert(k.clone(), v.clone());
            }
        }
        if let Some(host) = root.get("x-ms-parameterized-host") {
            out.insert("x-ms-parameterized-host".into(), host.clone());
        }
        if let Some(tags) = root.get("tags") {
            out.insert("tags".into(), tags.clone());
        }

        let mut components = Map::new();
        if let Some(defs) = root.get("definitions").and_then(Value::as_object) {
            let mut schemas = Map::new();
            for (name, s) in defs {
                schemas.insert(name.clone(), self.schema(s, &pointer::join("/definitions", name))?);
            }
            components.insert("schemas".into(), Value::Object(schemas));
        }
        let mut params = Map::new();
        let mut bodies = Map::new();
        if let Some(shared) = root.get("parameters").and_then(Value::as_object) {
            for (name, p) in shared {
                let at = pointer::join("/parameters", name);
                if p.get("in").and_then(Value::as_str) == Some("body") {
                    bodies.insert(name.clone(), self.request_body(p, None, &at)?);
                } else {
                    params.insert(name.clone(), self.parameter(p, &at)?);
                }
            }
        }
        if !params.is_empty() {
            components.insert("parameters".into(), Value::Object(params));
        }
        if !bodies.is_empty() {
            components.insert("requestBodies".into(), Value::Object(bodies));
        }
        if let Some(shared) = root.get("responses").and_then(Value::as_object) {
            let mut responses = Map::new();
            for (name, r) in shared {
                responses.insert(name.clone(), self.response(r, None, &pointer::join("/responses", name))?);
            }
            components.insert("responses".into(), Value::Object(responses));
        }

        let mut paths = Map::new();
        if let Some(src) = root.get("paths").and_then(Value::as_object) {
            for (path, item) in src {
                let at = pointer::join("/paths", path);
                paths.insert(path.clone(), self.path_item(item, &at)?);
            }
        }
        out.insert("paths".into(), Value::Object(paths));
        out.insert("components".into(), Value::Object(components));
        Ok(Value::Object(out))
    }

    /// `x-ms-parameterized-host` or `host`/`basePath`/`schemes` as an OpenAPI `servers` list.
    fn servers(&self) -> Option<Value> {
        if let Some(h) = self.doc.get("x-ms-parameterized-host") {
            let template = h.get("hostTemplate").and_then(Value::as_str).unwrap_or("");
            let prefix = h.get("useSchemePrefix").and_then(Value::as_bool).unwrap_or(true);
            let url = if prefix { format!("https://{template}") } else { template.to_string() };
            let mut vars = Map::new();
            for p in h.get("parameters").and_then(Value::as_array).into_iter().flatten() {
                let p = self.deref(p);
                if let Some(name) = p.get("name").and_then(Value::as_str) {
                    let mut var = Map::new();
                    var.insert("default".into(), p.get("default").cloned().unwrap_or(json!("")));
                    if let Some(d) = p.get("description") {
                        var.insert("description".into(), d.clone());
                    }
                    vars.insert(name.into(), Value::Object(var));
                }
            }
            return Some(json!([{"url": url, "variables": vars}]));
        }
        let host = self.doc.get("host").and_then(Value::as_str)?;
        let base = self.doc.get("basePath").and_then(Value::as_str).unwrap_or("");
        let scheme = self.doc.get("schemes").and_then(|s| s.get(0)).and_then(Value::as_str).unwrap_or("https");
        Some(json!([{"url": format!("{scheme}://{host}{base}")}]))
    }

    fn deref<'v>(&'v self, v: &'v Value) -> &'v Value {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => pointer::resolve(self.doc, r.trim_start_matches('#')).unwrap_or(v),
            None => v,
        }
    }

    fn path_item(&self, item: &Value, at: &str) -> Result<Value> {
        let item = item.as_object().ok_or_else(|| self.err(at, "a path item must be an object"))?;
        let mut out = Map::new();
        let shared: Vec<&Value> =
            item.get("parameters").and_then(Value::as_array).map(|a| a.iter().collect()).unwrap_or_default();
        for (key, v) in item {
            let op_at = pointer::join(at, key);
            if METHODS.contains(&key.as_str()) {
                out.insert(key.clone(), self.operation(v, &shared, &op_at)?);
            } else if key == "$ref" {
                return Err(self.err(&op_at, "a path item given by $ref is not supported"));
            } else if key.starts_with("x-") {
                out.insert(key.clone(), v.clone());
            }
        }
        Ok(Value::Object(out))
    }

    fn operation(&self, op: &Value, shared: &[&Value], at: &str) -> Result<Value> {
        let src = op.as_object().ok_or_else(|| self.err(at, "an operation must be an object"))?;
        let mut out = Map::new();
        for key in ["tags", "summary", "description", "operationId", "deprecated", "externalDocs"] {
            if let Some(v) = src.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        for (k, v) in src {
            if k.starts_with("x-") {
                out.insert(k.clone(), v.clone());
            }
        }
        // Operation-level parameters override path-level ones with the same name and location.
        let own: Vec<(String, &Value)> = src
            .get("parameters")
            .and_then(Value::as_array)
            .map(|a| a.iter().enumerate().map(|(i, p)| (format!("{at}/parameters/{i}"), p)).collect())
            .unwrap_or_default();
        let key_of = |p: &Value| {
            let p = self.deref(p);
            (
                p.get("name").and_then(Value::as_str).unwrap_or("").to_string(),
                p.get("in").and_then(Value::as_str).unwrap_or("").to_string(),
            )
        };
        let mut all: Vec<(String, &Value)> = shared
            .iter()
            .enumerate()
            .filter(|(_, p)| !own.iter().any(|(_, o)| key_of(o) == key_of(p)))
            .map(|(i, p)| (format!("{}/parameters/{i}", at.rsplit_once('/').map_or("", |x| x.0)), *p))
            .collect();
        all.extend(own);

        let mut params = Vec::new();
        for (p_at, p) in all {
            if let Some(r) = p.get("$ref").and_then(Value::as_str) {
                let target = self.deref(p);
                match target.get("in").and_then(Value::as_str) {
                    Some("body") => {
                        let name = r.rsplit('/').next().unwrap_or_default();
                        out.insert("requestBody".into(), json!({"$ref": format!("#/components/requestBodies/{name}")}));
                    }
                    Some("formData") => return Err(self.err(&p_at, "formData parameters are not supported")),
                    _ => params.push(json!({"$ref": r.replacen("#/parameters/", "#/components/parameters/", 1)})),
                }
                continue;
            }
            match p.get("in").and_then(Value::as_str) {
                Some("body") => {
                    out.insert("requestBody".into(), self.request_body(p, Some(src), &p_at)?);
                }
                _ => params.push(self.parameter(p, &p_at)?),
            }
        }
        if !params.is_empty() {
            out.insert("parameters".into(), Value::Array(params));
        }
        let mut responses = Map::new();
        if !src.get("responses").is_some_and(Value::is_object) {
            return Err(self.err(&format!("{at}/responses"), "an operation needs a `responses` object"));
        }
        if let Some(rs) = src.get("responses").and_then(Value::as_object) {
            for (code, r) in rs {
                let r_at = pointer::join(&format!("{at}/responses"), code);
                responses.insert(code.clone(), self.response(r, Some(src), &r_at)?);
            }
        }
        out.insert("responses".into(), Value::Object(responses));
        Ok(Value::Object(out))
    }

    fn request_body(&self, p: &Value, op: Option<&Map<String, Value>>, at: &str) -> Result<Value> {
        let schema = p.get("schema").ok_or_else(|| self.err(at, "a body parameter needs a schema"))?;
        let schema = self.schema(schema, &format!("{at}/schema"))?;
        let op_value = op.map(|o| Value::Object(o.clone()));
        let mut content = Map::new();
        for mt in self.media_types(op_value.as_ref(), "consumes").into_iter().take(1) {
            content.insert(mt, json!({"schema": schema}));
        }
        let mut body = Map::new();
        if let Some(d) = p.get("description") {
            body.insert("description".into(), d.clone());
        }
        body.insert("content".into(), Value::Object(content));
        body.insert("required".into(), json!(p.get("required").and_then(Value::as_bool).unwrap_or(false)));
        for (k, v) in p.as_object().into_iter().flatten() {
            if k.starts_with("x-") {
                body.insert(k.clone(), v.clone());
            }
        }
        if let Some(name) = p.get("name") {
            body.insert("x-ms-body-name".into(), name.clone());
        }
        Ok(Value::Object(body))
    }

    fn parameter(&self, p: &Value, at: &str) -> Result<Value> {
        let src = p.as_object().ok_or_else(|| self.err(at, "a parameter must be an object"))?;
        let location = src.get("in").and_then(Value::as_str).unwrap_or("");
        if location == "formData" {
            return Err(self.err(&format!("{at}/in"), "formData parameters are not supported"));
        }
        if !["path", "query", "header"].contains(&location) {
            return Err(self.err(&format!("{at}/in"), format!("unsupported parameter location `{location}`")));
        }
        let mut out = Map::new();
        let mut schema = Map::new();
        for (k, v) in src {
            match k.as_str() {
                "name" | "in" | "description" | "required" => {
                    out.insert(k.clone(), v.clone());
                }
                "collectionFormat" => {
                    let (style, explode) = match v.as_str() {
                        Some("multi") => ("form", true),
                        Some("csv") | None => ("form", false),
                        Some(other) => {
                            return Err(
                                self.err(&pointer::join(at, k), format!("collectionFormat `{other}` is not supported"))
                            );
                        }
                    };
                    if location == "query" {
                        out.insert("style".into(), json!(style));
                        out.insert("explode".into(), json!(explode));
                    }
                }
                "allowEmptyValue" => {}
                k2 if k2.starts_with("x-") => {
                    out.insert(k.clone(), v.clone());
                }
                _ => {
                    schema.insert(k.clone(), v.clone());
                }
            }
        }
        if location == "path" {
            out.insert("required".into(), json!(true));
        }
        // Swagger 2.0's default collection format is csv; OpenAPI 3.0's default for a query
        // parameter is exploded (repeated keys).
        if location == "query"
            && schema.get("type").and_then(Value::as_str) == Some("array")
            && !src.contains_key("collectionFormat")
        {
            out.insert("style".into(), json!("form"));
            out.insert("explode".into(), json!(false));
        }
        if schema.get("type").and_then(Value::as_str) == Some("file") {
            return Err(self.err(&format!("{at}/type"), "`type: file` parameters are not supported"));
        }
        out.insert("schema".into(), self.schema(&Value::Object(schema), at)?);
        Ok(Value::Object(out))
    }

    fn response(&self, r: &Value, op: Option<&Map<String, Value>>, at: &str) -> Result<Value> {
        if let Some(reference) = r.get("$ref").and_then(Value::as_str) {
            return Ok(json!({"$ref": reference.replacen("#/responses/", "#/components/responses/", 1)}));
        }
        let mut out = Map::new();
        out.insert("description".into(), r.get("description").cloned().unwrap_or(json!("")));
        if let Some(schema) = r.get("schema") {
            let schema = self.schema(schema, &format!("{at}/schema"))?;
            let op_value = op.map(|o| Value::Object(o.clone()));
            let mut content = Map::new();
            for mt in self.media_types(op_value.as_ref(), "produces").into_iter().take(1) {
                content.insert(mt, json!({"schema": schema}));
            }
            out.insert("content".into(), Value::Object(content));
        }
        if let Some(headers) = r.get("headers").and_then(Value::as_object) {
            let mut hs = Map::new();
            for (name, h) in headers {
                let mut h2 = Map::new();
                if let Some(d) = h.get("description") {
                    h2.insert("description".into(), d.clone());
                }
                let mut s = h.as_object().cloned().unwrap_or_default();
                s.remove("description");
                h2.insert(
                    "schema".into(),
                    self.schema(&Value::Object(s), &pointer::join(&format!("{at}/headers"), name))?,
                );
                hs.insert(name.clone(), Value::Object(h2));
            }
            out.insert("headers".into(), Value::Object(hs));
        }
        Ok(Value::Object(out))
    }

    /// Converts a schema: `#/definitions/` refs, `x-nullable`, `type: file`, `$ref` siblings.
    fn schema(&self, s: &Value, at: &str) -> Result<Value> {
        let Some(map) = s.as_object() else { return Ok(s.clone()) };
        if let Some(r) = map.get("$ref").and_then(Value::as_str) {
            // OpenAPI 3.0 ignores a $ref's siblings. The description is kept for the emitter's
            // field docs (the typed model drops it); the rest goes.
            let mut out = Map::new();
            out.insert("$ref".into(), json!(r.replacen("#/definitions/", "#/components/schemas/", 1)));
            if let Some(d) = map.get("description") {
                out.insert("description".into(), d.clone());
            }
            return Ok(Value::Object(out));
        }
        let mut out = Map::new();
        for (k, v) in map {
            let here = pointer::join(at, k);
            match k.as_str() {
                "x-nullable" => {
                    out.insert("nullable".into(), v.clone());
                }
                "type" if v == "file" => return Err(self.err(&here, "`type: file` is not supported")),
                "type" if v.is_array() => {
                    return Err(self.err(&here, "a list of types is not supported in Swagger 2.0"));
                }
                "properties" | "patternProperties" => {
                    let mut props = Map::new();
                    for (name, p) in v.as_object().into_iter().flatten() {
                        props.insert(name.clone(), self.schema(p, &pointer::join(&here, name))?);
                    }
                    out.insert(k.clone(), Value::Object(props));
                }
                "items" | "additionalProperties" | "not" => {
                    out.insert(k.clone(), self.schema(v, &here)?);
                }
                "allOf" | "anyOf" | "oneOf" => {
                    let mut list = Vec::new();
                    for (i, x) in v.as_array().into_iter().flatten().enumerate() {
                        list.push(self.schema(x, &format!("{here}/{i}"))?);
                    }
                    out.insert(k.clone(), Value::Array(list));
                }
                "discriminator" => {
                    if let Some(name) = v.as_str() {
                        out.insert(k.clone(), json!({"propertyName": name}));
                    } else {
                        out.insert(k.clone(), v.clone());
                    }
                }
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        Ok(Value::Object(out))
    }
}
