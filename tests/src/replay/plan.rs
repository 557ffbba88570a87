//! Which recorded exchanges are replayed, and how: the challenge probes paired with their
//! retries, and the exchanges that are not Key Vault's set aside.
//!
//! A challenge probe is known by its own shape, wherever it sits: a request without
//! `Authorization` answered `401` with `WWW-Authenticate`. Its retry is the next exchange
//! for the same method and URL; whatever the recorder's client did in between (asking AAD
//! for its OpenID configuration, instance discovery, a token) is skipped like any other
//! exchange that is not Key Vault's.
//!
//! Not Key Vault's: the identity endpoints (login hosts, `/.well-known/openid-configuration`,
//! `/common/discovery/instance`, `/oauth2/` token paths), and any other host that is not a
//! vault's. A vault's host is one under a Key Vault domain, or one that some exchange of the
//! recording addressed with an operation of the client (sanitized recordings rename hosts).

use std::collections::BTreeSet;

use super::formats::Exchange;

/// What to do with one recorded exchange (or probe and retry pair).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Replay exchange `main`, after the probe at `probe` when there is one.
    Call {
        /// The unauthenticated probe answered with the challenge.
        probe: Option<usize>,
        /// The exchange the client's call must reproduce.
        main: usize,
    },
    /// Not replayed, with the reason; counted as skipped.
    Skip {
        /// The exchange's index.
        index: usize,
        /// Why.
        reason: String,
    },
}

/// Domains of Key Vault and Managed HSM in the public and sovereign clouds.
const VAULT_DOMAINS: &[&str] = &[
    ".vault.azure.net",
    ".managedhsm.azure.net",
    ".vault.azure.cn",
    ".managedhsm.azure.cn",
    ".vault.usgovcloudapi.net",
    ".managedhsm.usgovcloudapi.net",
    ".vault.microsoftazure.de",
];

/// Hosts of Microsoft Entra ID (AAD) sign-in, in the public and sovereign clouds.
const IDENTITY_HOSTS: &[&str] = &[
    "login.microsoftonline.com",
    "login.microsoft.com",
    "login.windows.net",
    "login.chinacloudapi.cn",
    "login.microsoftonline.us",
    "login.microsoftonline.de",
    "sts.windows.net",
];

/// Why the exchange is an identity provider's, if it is one.
pub fn identity_endpoint(e: &Exchange) -> Option<String> {
    let host = e.host();
    let path = super::split_url(&e.url).0.to_ascii_lowercase();
    if IDENTITY_HOSTS.iter().any(|h| host == *h || host.ends_with(&format!(".{h}"))) {
        return Some(format!("identity provider ({host})"));
    }
    ["/.well-known/openid-configuration", "/common/discovery/instance", "/oauth2/"]
        .iter()
        .find(|p| path.contains(*p))
        .map(|p| format!("identity provider ({})", p.trim_matches('/')))
}

/// Whether `host` is under a Key Vault domain.
pub fn is_vault_domain(host: &str) -> bool {
    VAULT_DOMAINS.iter().any(|d| host.ends_with(d))
}

/// The probe shape: no `Authorization`, answered `401` with `WWW-Authenticate`.
pub fn is_probe(e: &Exchange) -> bool {
    e.exception.is_none()
        && e.status == 401
        && !e.request_headers.contains_key("authorization")
        && e.response_headers.iter().any(|(k, _)| k == "www-authenticate")
}

/// The steps of a recording, in order. `matches(e)` says whether an operation of the client
/// has the exchange's method and path.
pub fn plan(exchanges: &[Exchange], matches: impl Fn(&Exchange) -> bool) -> Vec<Step> {
    let identity: Vec<Option<String>> = exchanges.iter().map(identity_endpoint).collect();
    let vault_hosts: BTreeSet<String> = exchanges
        .iter()
        .zip(&identity)
        .filter(|(e, id)| id.is_none() && (is_vault_domain(&e.host()) || matches(e)))
        .map(|(e, _)| e.host())
        .collect();
    let foreign = |i: usize| -> Option<String> {
        if let Some(why) = &identity[i] {
            return Some(format!("not Key Vault's: {why}"));
        }
        let host = exchanges[i].host();
        (!vault_hosts.contains(&host)).then(|| format!("not Key Vault's: host {host}"))
    };
    let mut taken = vec![false; exchanges.len()];
    let mut steps = Vec::new();
    for (i, e) in exchanges.iter().enumerate() {
        if taken[i] {
            continue;
        }
        if let Some(x) = &e.exception {
            steps.push(Step::Skip { index: i, reason: format!("the recorded call raised instead of answering: {x}") });
        } else if let Some(reason) = foreign(i) {
            steps.push(Step::Skip { index: i, reason });
        } else if is_probe(e) {
            let retry = (i + 1..exchanges.len()).find(|&j| {
                let r = &exchanges[j];
                !taken[j] && r.exception.is_none() && !is_probe(r) && r.method == e.method && r.url == e.url
            });
            match retry {
                Some(j) => {
                    taken[j] = true;
                    steps.push(Step::Call { probe: Some(i), main: j });
                }
                None => steps.push(Step::Skip {
                    index: i,
                    reason: "challenge probe whose retry is not in the recording".into(),
                }),
            }
        } else {
            steps.push(Step::Call { probe: None, main: i });
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(method: &str, url: &str, auth: bool, status: u16, challenge: bool) -> Exchange {
        Exchange {
            method: method.into(),
            url: url.into(),
            request_headers: if auth {
                [("authorization".to_owned(), "Sanitized".to_owned())].into()
            } else {
                Default::default()
            },
            request_body: Some(serde_json::Value::Null),
            status,
            response_headers: if challenge { vec![("www-authenticate".into(), "Bearer x".into())] } else { Vec::new() },
            response_body: String::new(),
            exception: None,
        }
    }

    const KEY: &str = "https://v.vault.azure.net/keys/k?api-version=7.4";

    #[test]
    fn a_probe_pairs_with_its_retry_across_identity_calls() {
        let exchanges = vec![
            ex("GET", "https://v.vault.azure.net/keys/a?api-version=7.4", true, 200, false),
            ex("GET", KEY, false, 401, true),
            ex("GET", "https://login.microsoftonline.com/common/discovery/instance?api-version=1.1", false, 200, false),
            ex("GET", "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration", false, 200, false),
            ex("POST", "https://login.microsoftonline.com/t/oauth2/v2.0/token", false, 200, false),
            ex("GET", KEY, true, 200, false),
        ];
        let steps = plan(&exchanges, |_| true);
        assert_eq!(steps[0], Step::Call { probe: None, main: 0 });
        assert_eq!(steps[1], Step::Call { probe: Some(1), main: 5 });
        assert!(matches!(&steps[2], Step::Skip { index: 2, reason } if reason.contains("login.microsoftonline.com")));
        assert!(matches!(&steps[3], Step::Skip { index: 3, .. }));
        assert!(matches!(&steps[4], Step::Skip { index: 4, .. }));
        assert_eq!(steps.len(), 5);
    }

    #[test]
    fn other_hosts_are_foreign_unless_an_operation_matched_there() {
        let exchanges = vec![
            ex("GET", "https://sanitized.example/keys/k", true, 200, false),
            ex("GET", "https://other.example/anything", true, 200, false),
            ex("GET", "https://v.vault.azure.net/nothing", true, 200, false),
        ];
        let steps = plan(&exchanges, |e| e.url.contains("/keys/"));
        assert_eq!(steps[0], Step::Call { probe: None, main: 0 });
        assert!(matches!(&steps[1], Step::Skip { reason, .. } if reason == "not Key Vault's: host other.example"));
        // A vault host with no matching operation is still the vault's: replayed (and unmatched).
        assert_eq!(steps[2], Step::Call { probe: None, main: 2 });
    }

    #[test]
    fn a_probe_without_retry_or_with_a_token_is_not_a_pair() {
        let other = "https://v.vault.azure.net/keys/other?api-version=7.4";
        let exchanges = vec![ex("GET", KEY, false, 401, true), ex("GET", other, true, 401, true)];
        let steps = plan(&exchanges, |_| true);
        assert!(matches!(&steps[0], Step::Skip { index: 0, reason } if reason.contains("retry")), "{steps:?}");
        // An authenticated 401 is an answer, not a probe.
        assert_eq!(steps[1], Step::Call { probe: None, main: 1 });
        // A retry refused again is still the probe's retry.
        let exchanges = vec![ex("GET", KEY, false, 401, true), ex("GET", KEY, true, 401, true)];
        assert_eq!(plan(&exchanges, |_| true), [Step::Call { probe: Some(0), main: 1 }]);
    }
}
