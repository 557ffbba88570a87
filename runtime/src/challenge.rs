//! Key Vault's authentication challenge: the vault answers an unauthenticated
//! request with `401` + `WWW-Authenticate: Bearer authorization="…",
//! resource="…"` (or `scope="…"`), which tells the client which token to get.
//! The resource must belong to the vault's domain, or a hostile endpoint could
//! obtain tokens for an unrelated audience.

use reqwest::Url;

/// What a Bearer challenge asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Challenge {
    /// The token scope: `scope` as sent, or `resource` + `/.default`.
    pub(crate) scope: String,
    /// The authority (`authorization` or `authorization_uri`), kept for diagnostics.
    pub(crate) authorization: Option<String>,
}

/// Parses the Bearer challenge of a `WWW-Authenticate` value; `None` when there
/// is no Bearer challenge or it names neither a scope nor a resource.
pub(crate) fn parse(header: &str) -> Option<Challenge> {
    let mut scheme_is_bearer = false;
    let (mut scope, mut resource, mut authorization) = (None, None, None);
    let mut rest = header;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        if rest.is_empty() {
            break;
        }
        let name_len = rest.find(|c: char| c == '=' || c == ',' || c.is_ascii_whitespace()).unwrap_or(rest.len());
        let (name, after) = rest.split_at(name_len);
        let after_ws = after.trim_start_matches(|c: char| c.is_ascii_whitespace());
        if let Some(value_start) = after_ws.strip_prefix('=') {
            let (value, remaining) = parse_value(value_start.trim_start());
            rest = remaining;
            if scheme_is_bearer && !value.is_empty() {
                match name.to_ascii_lowercase().as_str() {
                    "scope" => scope = Some(value),
                    "resource" => resource = Some(value),
                    "authorization" | "authorization_uri" => authorization = Some(value),
                    _ => {}
                }
            }
        } else {
            // A bare token starts a new challenge (auth-scheme).
            scheme_is_bearer = name.eq_ignore_ascii_case("bearer");
            rest = after;
        }
    }
    let scope = scope.or_else(|| resource.map(|r| format!("{r}/.default")))?;
    Some(Challenge { scope, authorization })
}

/// The token scope for a vault that did not challenge: Managed HSM's audience for its
/// hosts, else Key Vault's, in the cloud the host belongs to (public, China, US Gov).
pub(crate) fn default_scope(host: &str) -> String {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let clouds = [
        ("vault.azure.cn", "https://vault.azure.cn"),
        ("vault.usgovcloudapi.net", "https://vault.usgovcloudapi.net"),
        ("managedhsm.azure.net", "https://managedhsm.azure.net"),
        ("managedhsm.azure.cn", "https://managedhsm.azure.cn"),
        ("managedhsm.usgovcloudapi.net", "https://managedhsm.usgovcloudapi.net"),
    ];
    let resource = clouds
        .iter()
        .find(|(suffix, _)| host.ends_with(&format!(".{suffix}")))
        .map_or("https://vault.azure.net", |(_, resource)| resource);
    format!("{resource}/.default")
}

/// Splits a quoted-string (with `\` escapes) or token value from the input.
fn parse_value(input: &str) -> (String, &str) {
    if let Some(quoted) = input.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return (value, &quoted[i + 1..]),
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        value.push(escaped);
                    }
                }
                _ => value.push(c),
            }
        }
        (value, "")
    } else {
        let end = input.find(|c: char| c == ',' || c.is_ascii_whitespace()).unwrap_or(input.len());
        (input[..end].to_owned(), &input[end..])
    }
}

/// Checks that the challenge's scope belongs to the vault: the vault host must
/// equal the scope's host or end with `"." + host`. Lookalikes such as
/// `vault.azure.net.evil.example`, a trailing dot, or a missing separator
/// (`evilvault.azure.net`) are refused. The error text is user-facing.
pub(crate) fn verify_scope(scope: &str, vault_host: &str) -> Result<(), String> {
    let scope_host = Url::parse(scope)
        .ok()
        .and_then(|url| url.host_str().map(str::to_ascii_lowercase))
        .filter(|h| !h.is_empty())
        .ok_or_else(|| format!("challenge scope '{scope}' is not a URL with a host"))?;
    let vault_host = vault_host.to_ascii_lowercase();
    let belongs = vault_host == scope_host
        || vault_host.strip_suffix(scope_host.as_str()).is_some_and(|prefix| prefix.len() > 1 && prefix.ends_with('.'));
    if belongs {
        Ok(())
    } else {
        Err(format!(
            "challenge resource '{scope}' does not match the vault host '{vault_host}'; \
             no token was sent (set ClientOptions::verify_challenge_resource(false) \
             only if the vault really uses another resource)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scope_follows_the_host() {
        assert_eq!(default_scope("myvault.vault.azure.net"), "https://vault.azure.net/.default");
        assert_eq!(default_scope("hsm.managedhsm.azure.net."), "https://managedhsm.azure.net/.default");
        assert_eq!(default_scope("v.vault.azure.cn"), "https://vault.azure.cn/.default");
        assert_eq!(default_scope("127.0.0.1"), "https://vault.azure.net/.default");
        assert_eq!(default_scope("evilvault.azure.cn.example"), "https://vault.azure.net/.default");
    }

    #[test]
    fn parses_recorded_key_vault_challenge() {
        let c = parse(r#"Bearer authorization="https://login.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47", resource="https://vault.azure.net""#).unwrap();
        assert_eq!(c.scope, "https://vault.azure.net/.default");
        assert_eq!(c.authorization.as_deref(), Some("https://login.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47"));
    }

    #[test]
    fn parses_scope_and_authorization_uri() {
        let c = parse(r#"Bearer authorization_uri="https://login.microsoftonline.com/t", scope="https://managedhsm.azure.net/.default""#).unwrap();
        assert_eq!(c.scope, "https://managedhsm.azure.net/.default");
        assert_eq!(c.authorization.as_deref(), Some("https://login.microsoftonline.com/t"));
        // scope wins over resource, whatever the order.
        let c = parse(r#"Bearer scope="https://a.example/.default",resource="https://b.example""#).unwrap();
        assert_eq!(c.scope, "https://a.example/.default");
    }

    #[test]
    fn tolerates_spacing_case_tokens_and_other_schemes() {
        let c = parse(r#"PoP nonce="abc", bearer  Resource = https://vault.azure.net , x="a\"b""#).unwrap();
        assert_eq!(c.scope, "https://vault.azure.net/.default");
        assert_eq!(c.authorization, None);
    }

    #[test]
    fn rejects_unusable_challenges() {
        assert_eq!(parse(""), None);
        assert_eq!(parse("Bearer"), None);
        assert_eq!(parse(r#"Bearer authorization="https://login""#), None);
        assert_eq!(parse(r#"Basic realm="vault""#), None);
        assert_eq!(parse(r#"Basic resource="https://vault.azure.net""#), None);
        assert_eq!(parse(r#"Bearer resource="""#), None);
    }

    #[test]
    fn accepts_the_vault_domain() {
        let scope = "https://vault.azure.net/.default";
        assert!(verify_scope(scope, "myvault.vault.azure.net").is_ok());
        assert!(verify_scope(scope, "MyVault.Vault.Azure.Net").is_ok());
        assert!(verify_scope(scope, "vault.azure.net").is_ok());
        assert!(verify_scope("https://managedhsm.azure.net", "hsm1.managedhsm.azure.net").is_ok());
        assert!(verify_scope("http://127.0.0.1:9000/.default", "127.0.0.1").is_ok());
    }

    #[test]
    fn refuses_lookalikes() {
        let scope = "https://vault.azure.net/.default";
        for host in [
            "evilvault.azure.net",
            "vault.azure.net.evil.example",
            "myvault.vault.azure.net.",
            "myvault.vault.azure.net.evil.example",
            "azure.net",
            ".vault.azure.net",
        ] {
            assert!(verify_scope(scope, host).is_err(), "{host}");
        }
        for evil_scope in [
            "https://vault.azure.net./.default",
            "https://azure.net.evil.example/.default",
            "https://evil.example/.default",
            "vault.azure.net",
            "",
        ] {
            assert!(verify_scope(evil_scope, "myvault.vault.azure.net").is_err(), "{evil_scope}");
        }
        let message = verify_scope("https://evil.example", "v.vault.azure.net").unwrap_err();
        assert!(message.contains("verify_challenge_resource"), "{message}");
    }
}
