//! Responses: an operation's `responses` is a non-empty map from status codes to response
//! objects (or `$ref`s to shared responses), each well formed.

use serde_json::Value;

use super::{Ctx, Kind, Operation, kind_of, object, opt_str};
use crate::error::Result;
use crate::pointer;

/// The shared responses (`#/responses`, `#/components/responses`).
pub fn check_sections(cx: &Ctx) -> Result<()> {
    let section = cx.section(Kind::Response);
    for (name, r) in pointer::resolve(cx.doc, section).and_then(Value::as_object).into_iter().flatten() {
        response(cx, r, &pointer::join(section, name))?;
    }
    Ok(())
}

/// The operation's `responses`.
pub fn check_operation(cx: &Ctx, op: &Operation) -> Result<()> {
    let at = format!("{}/responses", op.at);
    let Some(responses) = op.op.get("responses").and_then(Value::as_object) else { return Ok(()) };
    if !responses.keys().any(|k| !k.starts_with("x-")) {
        return Err(cx.err(&at, "`responses` is empty: an operation needs at least one response"));
    }
    for (code, r) in responses {
        if code.starts_with("x-") {
            continue;
        }
        let here = pointer::join(&at, code);
        if !is_status(code, cx.swagger()) {
            return Err(cx.err(
                &here,
                format!("`{code}` is not a status code: a key of `responses` is 3 digits (100-599) or `default`"),
            ));
        }
        response(cx, r, &here)?;
    }
    Ok(())
}

fn is_status(code: &str, swagger: bool) -> bool {
    let b = code.as_bytes();
    code == "default"
        || (b.len() == 3
            && (b'1'..=b'5').contains(&b[0])
            && (b[1..].iter().all(u8::is_ascii_digit) || (!swagger && &b[1..] == b"XX")))
}

/// One response, resolved.
fn response(cx: &Ctx, r: &Value, at: &str) -> Result<()> {
    let (r, at) = cx.deref(r, at, Kind::Response)?;
    let map = object(cx, r, &at, "a response")?;
    opt_str(cx, map, &at, "description")?;
    if cx.swagger() {
        if let Some(s) = map.get("schema") {
            super::schemas::check(cx, s, &format!("{at}/schema"))?;
        }
    } else if let Some(c) = map.get("content") {
        super::schemas::content(cx, c, &format!("{at}/content"))?;
    }
    if let Some(headers) = map.get("headers") {
        let hs_at = format!("{at}/headers");
        let hs = object(cx, headers, &hs_at, "`headers`")?;
        for (name, h) in hs {
            let h_at = pointer::join(&hs_at, name);
            if cx.swagger() {
                // A Swagger 2.0 header is a schema-like object of simple type.
                let h = object(cx, h, &h_at, "a header")?;
                match h.get("type") {
                    Some(Value::String(_)) => {}
                    Some(v) => {
                        return Err(
                            cx.err(&format!("{h_at}/type"), format!("`type` must be a string, not {}", kind_of(v)))
                        );
                    }
                    None => return Err(cx.err(&h_at, format!("header `{name}` needs a `type`"))),
                }
                super::schemas::check_keywords(cx, h, &h_at)?;
            } else {
                let (h, h_at) = cx.deref(h, &h_at, Kind::Header)?;
                let h = object(cx, h, &h_at, "a header")?;
                if let Some(s) = h.get("schema") {
                    super::schemas::check(cx, s, &format!("{h_at}/schema"))?;
                }
            }
        }
    }
    Ok(())
}
