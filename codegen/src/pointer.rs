//! JSON pointers (RFC 6901): building them for error messages and resolving them in documents.

use serde_json::Value;

/// Escapes one reference token (`~` → `~0`, `/` → `~1`).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Undoes [`escape`] and the percent-encoding that `$ref` URIs may carry.
pub fn unescape(token: &str) -> String {
    percent_decode(token).replace("~1", "/").replace("~0", "~")
}

/// Appends `token` to `base`.
pub fn join(base: &str, token: &str) -> String {
    format!("{base}/{}", escape(token))
}

/// Looks up `pointer` (e.g. `/definitions/Error`) in `doc`.
pub fn resolve<'a>(doc: &'a Value, pointer: &str) -> Option<&'a Value> {
    if pointer.is_empty() {
        return Some(doc);
    }
    let rest = pointer.strip_prefix('/')?;
    rest.split('/').try_fold(doc, |v, raw| {
        let token = unescape(raw);
        match v {
            Value::Object(m) => m.get(&token),
            Value::Array(a) => token.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        }
    })
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_escaped_tokens() {
        let doc = json!({"paths": {"/keys/{key-name}": {"get": 1}}, "a": [0, {"b~c": 2}]});
        assert_eq!(resolve(&doc, "/paths/~1keys~1{key-name}/get"), Some(&json!(1)));
        assert_eq!(resolve(&doc, "/a/1/b~0c"), Some(&json!(2)));
        assert_eq!(resolve(&doc, "/a/9"), None);
        assert_eq!(join("/paths", "/keys"), "/paths/~1keys");
        assert_eq!(unescape("%7Bx%7D"), "{x}");
    }
}
