//! `x-ms-pageable`: the page model has the properties the extension names (`nextLinkName`,
//! default `nextLink`; `itemName`, default `value`), since the pager reads them. A
//! `nextLinkName: null` operation has one page and no pager: nothing to check.

use serde_json::Value;

use super::{Ctx, Kind, Operation};
use crate::error::Result;

/// The operation's `x-ms-pageable`, against its first success response's model.
pub fn check_operation(cx: &Ctx, op: &Operation) -> Result<()> {
    let Some(ext) = op.op.get("x-ms-pageable").and_then(Value::as_object) else { return Ok(()) };
    let at = format!("{}/x-ms-pageable", op.at);
    let Some(page) = page_model(cx, op)? else {
        // `azure::pageable` reports an operation without a named page model.
        return Ok(());
    };
    let names = property_names(cx, page);
    let next = match ext.get("nextLinkName") {
        // One page only: the generator treats it as a plain call and reads neither name.
        Some(Value::Null) => return Ok(()),
        Some(Value::String(s)) => (s.as_str(), format!("{at}/nextLinkName")),
        _ => ("nextLink", at.clone()),
    };
    let item = match ext.get("itemName") {
        Some(Value::String(s)) => (s.as_str(), format!("{at}/itemName")),
        _ => ("value", at.clone()),
    };
    for (name, name_at) in [next, item] {
        if !names.iter().any(|n| n == name) {
            return Err(cx.err(&name_at, format!("the page model has no `{name}` property for the pager to read")));
        }
    }
    Ok(())
}

/// The named model of the operation's first 2xx response.
fn page_model<'a>(cx: &Ctx<'a>, op: &Operation<'a>) -> Result<Option<&'a Value>> {
    let Some(responses) = op.op.get("responses").and_then(Value::as_object) else { return Ok(None) };
    let Some((code, r)) = responses.iter().find(|(code, _)| code.starts_with('2')) else { return Ok(None) };
    let at = crate::pointer::join(&format!("{}/responses", op.at), code);
    let (r, _) = cx.deref(r, &at, Kind::Response)?;
    let schema = if cx.swagger() {
        r.get("schema")
    } else {
        r.get("content").and_then(Value::as_object).and_then(|c| c.values().next()).and_then(|m| m.get("schema"))
    };
    let Some(schema) = schema.filter(|s| s.get("$ref").is_some()) else { return Ok(None) };
    Ok(Some(cx.deref(schema, &at, Kind::Schema)?.0))
}

/// Property names of `schema`, its `allOf` parents' included (a bounded walk: inheritance
/// cycles are refused elsewhere, but this must not depend on it).
fn property_names(cx: &Ctx, schema: &Value) -> Vec<String> {
    let mut names = Vec::new();
    let mut todo = vec![schema];
    let mut steps = 0;
    while let Some(s) = todo.pop() {
        steps += 1;
        if steps > 256 {
            break;
        }
        let s = cx.deref(s, "", Kind::Schema).map(|(s, _)| s).unwrap_or(s);
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            names.extend(props.keys().cloned());
        }
        todo.extend(s.get("allOf").and_then(Value::as_array).into_iter().flatten());
    }
    names
}
