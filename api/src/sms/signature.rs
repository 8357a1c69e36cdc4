//! Twilio request validation: the `X-Twilio-Signature` header on webhooks.
//!
//! The signature is base64(HMAC-SHA1(auth token, url + each form parameter's name and value,
//! sorted by name, then by value for a repeated name)). JSON webhooks carry
//! `?bodySHA256=<hex>` in the URL, the signature covers the URL alone, and the hash covers
//! the raw body.
//!
//! Validation accepts the same URL variants as Twilio's helper libraries, because Twilio
//! has signed some webhooks with the default port (`:443`/`:80`) and some without, and the
//! receiver cannot tell which: the URL with and without its port, and a query's `'` with and
//! without percent-encoding (twilio-node normalises the URL with WHATWG rules, which encode
//! it). A repeated identical parameter is also tried once (the PHP and Node helpers
//! de-duplicate, the Python one does not).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha1 = Hmac<Sha1>;

/// The signature Twilio sends for a form-encoded request to exactly `url` with `params`.
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    sign(auth_token, url, sorted)
}

/// Whether `header_value` (the `X-Twilio-Signature` header) is Twilio's signature of a
/// form-encoded request to `url` (the full public URL, query included) with `params` (the
/// decoded form fields, repeated names as separate pairs).
pub fn is_valid_twilio_signature(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    header_value: &str,
) -> bool {
    let expected = header_value.trim();
    // An empty key is no secret: anyone could compute a matching signature.
    if auth_token.is_empty() || expected.is_empty() {
        return false;
    }

    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut param_lists = vec![sorted.clone()];
    sorted.dedup();
    if sorted.len() != params.len() {
        param_lists.push(sorted);
    }

    let mut valid = subtle::Choice::from(0);
    for candidate in url_variants(url) {
        for list in &param_lists {
            let signature = sign(auth_token, &candidate, list.iter().copied());
            valid |= signature.as_bytes().ct_eq(expected.as_bytes());
        }
    }
    valid.into()
}

/// Whether a JSON webhook is genuine: `url` must carry `bodySHA256` equal to the SHA-256 of
/// `body`, and `header_value` must be the signature of `url` with no parameters.
pub fn is_valid_twilio_json_signature(
    auth_token: &str,
    url: &str,
    body: &[u8],
    header_value: &str,
) -> bool {
    let Some(claimed) = query_value(url, "bodySHA256") else {
        return false;
    };
    let actual = hex_lower(&Sha256::digest(body));
    let body_ok: bool = claimed
        .to_ascii_lowercase()
        .as_bytes()
        .ct_eq(actual.as_bytes())
        .into();
    let signature_ok = is_valid_twilio_signature(auth_token, url, &[], header_value);
    body_ok & signature_ok
}

fn sign<'a>(
    auth_token: &str,
    url: &str,
    sorted_params: impl IntoIterator<Item = &'a (String, String)>,
) -> String {
    let mut mac =
        HmacSha1::new_from_slice(auth_token.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(url.as_bytes());
    for (name, value) in sorted_params {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

/// The string that is signed, for tests against published examples.
#[cfg(test)]
fn string_to_sign(url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    sorted
        .into_iter()
        .fold(url.to_owned(), |mut s, (name, value)| {
            s.push_str(name);
            s.push_str(value);
            s
        })
}

/// The URL as given, with its default port added and with its port removed, each also with
/// the query's `'` encoded and `%27` decoded; without duplicates.
fn url_variants(url: &str) -> Vec<String> {
    let mut by_port = vec![url.to_owned()];
    if let Some(parts) = UrlParts::split(url) {
        by_port.push(parts.without_port());
        if let Some(with_port) = parts.with_default_port() {
            by_port.push(with_port);
        }
    }

    let mut out: Vec<String> = Vec::new();
    for candidate in by_port {
        for variant in [
            candidate.clone(),
            map_query(&candidate, |q| q.replace('\'', "%27")),
            map_query(&candidate, |q| q.replace("%27", "'")),
        ] {
            if !out.contains(&variant) {
                out.push(variant);
            }
        }
    }
    out
}

/// An absolute URL cut around its host and port; everything else is kept byte for byte,
/// since the signature covers the URL exactly as Twilio was given it (case included).
struct UrlParts<'a> {
    scheme: &'a str,
    /// From the start through the host (scheme, `://`, any `user:pass@`, the host).
    through_host: &'a str,
    /// The digits after the host's `:`, when there is a `:` (possibly empty).
    port: Option<&'a str>,
    /// Path, query and fragment.
    rest: &'a str,
}

impl<'a> UrlParts<'a> {
    fn split(url: &'a str) -> Option<Self> {
        let scheme_end = url.find("://")?;
        let authority_start = scheme_end + 3;
        let authority_end = url[authority_start..]
            .find(['/', '?', '#'])
            .map_or(url.len(), |i| authority_start + i);
        let host_start = url[authority_start..authority_end]
            .rfind('@')
            .map_or(authority_start, |i| authority_start + i + 1);
        let host_and_port = &url[host_start..authority_end];
        // An IPv6 literal has colons of its own: only a colon after `]` starts a port.
        let colon = match host_and_port.rfind(']') {
            Some(bracket) => host_and_port[bracket..].find(':').map(|i| bracket + i),
            None => host_and_port.rfind(':'),
        };
        let (host_end, port) = match colon {
            Some(c) if host_and_port[c + 1..].bytes().all(|b| b.is_ascii_digit()) => {
                (host_start + c, Some(&host_and_port[c + 1..]))
            }
            _ => (authority_end, None),
        };
        Some(Self {
            scheme: &url[..scheme_end],
            through_host: &url[..host_end],
            port,
            rest: &url[authority_end..],
        })
    }

    fn without_port(&self) -> String {
        format!("{}{}", self.through_host, self.rest)
    }

    /// `None` when a port is already there or the scheme has no default port.
    fn with_default_port(&self) -> Option<String> {
        if self.port.is_some_and(|p| !p.is_empty()) {
            return None;
        }
        let default = if self.scheme.eq_ignore_ascii_case("https") {
            443
        } else if self.scheme.eq_ignore_ascii_case("http") {
            80
        } else {
            return None;
        };
        Some(format!("{}:{default}{}", self.through_host, self.rest))
    }
}

/// Applies `f` to the query (between `?` and any `#`), leaving the rest untouched.
fn map_query(url: &str, f: impl Fn(&str) -> String) -> String {
    let Some(q) = url.find('?') else {
        return url.to_owned();
    };
    let end = url[q..].find('#').map_or(url.len(), |i| q + i);
    format!("{}{}{}", &url[..=q], f(&url[q + 1..end]), &url[end..])
}

/// The first value of `name` in the URL's query, as written (no percent-decoding: the hex
/// digest never needs any).
fn query_value<'a>(url: &'a str, name: &str) -> Option<&'a str> {
    let query = url.split_once('?')?.1;
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    type Params = Vec<(String, String)>;

    const VECTORS: &str = include_str!("../../../tests/fixtures/twilio-signature-vectors.json");

    fn vectors() -> Value {
        serde_json::from_str(VECTORS).expect("the vectors file is JSON")
    }

    fn pairs_from_object(object: &Value) -> Vec<(String, String)> {
        object
            .as_object()
            .expect("params are an object")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().expect("string value").to_owned()))
            .collect()
    }

    fn pairs_from_list(list: &Value) -> Vec<(String, String)> {
        list.as_array()
            .expect("params_list is an array")
            .iter()
            .map(|pair| {
                let pair = pair.as_array().expect("a [name, value] pair");
                (
                    pair[0].as_str().expect("name").to_owned(),
                    pair[1].as_str().expect("value").to_owned(),
                )
            })
            .collect()
    }

    fn case_params(v: &Value, case: &Value) -> Vec<(String, String)> {
        if let Some(list) = case.get("params_list") {
            return pairs_from_list(list);
        }
        match case["params"].as_str() {
            Some("base_params") => pairs_from_object(&v["base_params"]),
            other => panic!("unknown params reference {other:?}"),
        }
    }

    fn str_of<'a>(case: &'a Value, key: &str) -> &'a str {
        case[key]
            .as_str()
            .unwrap_or_else(|| panic!("{key} is a string in {case}"))
    }

    #[test]
    fn base_case_string_to_sign_matches_the_published_one() {
        let v = vectors();
        let params = pairs_from_object(&v["base_params"]);
        assert_eq!(
            string_to_sign(str_of(&v, "base_url"), &params),
            str_of(&v, "string_to_sign_for_base_case")
        );
    }

    #[test]
    fn every_form_vector() {
        let v = vectors();
        let token = str_of(&v, "auth_token");
        let cases = v["cases"].as_array().expect("cases");
        assert!(!cases.is_empty());
        let mut checked = 0;
        for case in cases {
            let name = str_of(case, "name");
            let url = str_of(case, "url");
            let expected = str_of(case, "expected_signature");
            let valid = case["valid"].as_bool().expect("valid");
            let params = case_params(&v, case);

            if let Some(exact) = case.get("exact_url_signed").and_then(Value::as_str) {
                assert_eq!(
                    twilio_signature(token, exact, &params),
                    expected,
                    "signing: {name}"
                );
            }
            if let Some(exact) = case.get("exact_string_to_sign").and_then(Value::as_str) {
                assert_eq!(
                    string_to_sign(url, &params),
                    exact,
                    "string to sign: {name}"
                );
                assert_eq!(
                    twilio_signature(token, url, &params),
                    expected,
                    "signing: {name}"
                );
            }
            assert_eq!(
                is_valid_twilio_signature(token, url, &params, expected),
                valid,
                "validation: {name}"
            );
            // The pairs' order on the wire does not matter.
            let mut reversed = params.clone();
            reversed.reverse();
            assert_eq!(
                is_valid_twilio_signature(token, url, &reversed, expected),
                valid,
                "validation, params reversed: {name}"
            );
            checked += 1;
        }
        assert_eq!(checked, cases.len());
    }

    #[test]
    fn repeated_identical_values_validate_with_and_without_de_duplication() {
        let v = vectors();
        let token = str_of(&v, "auth_token");
        let url = str_of(&v, "base_url");
        let params: Vec<(String, String)> = [
            ("Sid", "CA123"),
            ("SidAccount", "AC123"),
            ("Digits", "5678"),
            ("Digits", "1234"),
            ("Digits", "1234"),
        ]
        .iter()
        .map(|(k, val)| (k.to_string(), val.to_string()))
        .collect();
        // twilio-php and twilio-node de-duplicate before signing.
        assert!(is_valid_twilio_signature(
            token,
            url,
            &params,
            "IK+Dwps556ElfBT0I3Rgjkr1wJU="
        ));
        // twilio-python signs every value (the fixture's own computation).
        assert_eq!(
            twilio_signature(token, url, &params),
            "tM//N+MVWOh7+ol2z8YCNxSY0Eg="
        );
        assert!(is_valid_twilio_signature(
            token,
            url,
            &params,
            "tM//N+MVWOh7+ol2z8YCNxSY0Eg="
        ));
    }

    #[test]
    fn every_json_body_vector() {
        let v = vectors();
        let token = str_of(&v, "auth_token");
        let json = &v["json_body_cases"];
        let body = str_of(json, "body");
        assert_eq!(
            hex_lower(&Sha256::digest(body.as_bytes())),
            str_of(json, "body_sha256_hex")
        );
        let cases = json["cases"].as_array().expect("cases");
        assert!(!cases.is_empty());
        for case in cases {
            let name = str_of(case, "name");
            let url = str_of(case, "url");
            let expected = str_of(case, "expected_signature");
            let valid = case["valid"].as_bool().expect("valid");
            assert_eq!(
                is_valid_twilio_json_signature(token, url, body.as_bytes(), expected),
                valid,
                "{name}"
            );
            if valid {
                assert_eq!(
                    twilio_signature(token, url, &[]),
                    expected,
                    "signing: {name}"
                );
                // The same signature with a different body fails on the hash.
                let tampered = body.replace("value", "VALUE");
                assert!(
                    !is_valid_twilio_json_signature(token, url, tampered.as_bytes(), expected),
                    "tampered body: {name}"
                );
            }
        }
    }

    #[test]
    fn every_twilio_node_behavioural_case() {
        let v = vectors();
        let node = &v["twilio_node_behavioural_cases"];
        let token = str_of(node, "auth_token");
        let cases = node["cases"].as_array().expect("cases");
        assert!(!cases.is_empty());
        for case in cases {
            let server_url = str_of(case, "server_url");
            let target_url = str_of(case, "target_url");
            let valid = case["valid"].as_bool().expect("valid");
            let signature = twilio_signature(token, server_url, &[]);
            assert_eq!(
                is_valid_twilio_signature(token, target_url, &[], &signature),
                valid,
                "{server_url} signed, {target_url} validated"
            );
        }
    }

    #[test]
    fn tampering_is_rejected() {
        let v = vectors();
        let token = str_of(&v, "auth_token");
        let url = str_of(&v, "base_url");
        let params = pairs_from_object(&v["base_params"]);
        let good = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
        assert!(is_valid_twilio_signature(token, url, &params, good));
        // Surrounding whitespace in a header value is not part of it.
        assert!(is_valid_twilio_signature(
            token,
            url,
            &params,
            &format!(" {good}\t")
        ));
        // As in Twilio's helpers, a port in the URL is not covered (it is also tried stripped).
        assert!(is_valid_twilio_signature(
            token,
            "https://mycompany.com:444/myapp.php?foo=1&bar=2",
            &params,
            good
        ));

        let with = |name: &str, value: &str| -> Vec<(String, String)> {
            params
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        if k == name {
                            value.to_owned()
                        } else {
                            v.clone()
                        },
                    )
                })
                .collect()
        };
        let mut extra = params.clone();
        extra.push(("Body".into(), "hi".into()));
        let rejected: Vec<(&str, &str, Params, String)> = vec![
            (
                "query changed",
                "https://mycompany.com/myapp.php?foo=1&bar=3",
                params.clone(),
                good.into(),
            ),
            (
                "path changed",
                "https://mycompany.com/myapp2.php?foo=1&bar=2",
                params.clone(),
                good.into(),
            ),
            (
                "scheme changed",
                "http://mycompany.com/myapp.php?foo=1&bar=2",
                params.clone(),
                good.into(),
            ),
            (
                "host changed",
                "https://evil.com/myapp.php?foo=1&bar=2",
                params.clone(),
                good.into(),
            ),
            (
                "value changed",
                url,
                with("To", "+18005551213"),
                good.into(),
            ),
            ("param added", url, extra, good.into()),
            ("param removed", url, params[1..].to_vec(), good.into()),
            (
                "signature altered",
                url,
                params.clone(),
                "RSOYDt4T1cUTdK1PDd93/VVr8B8+".into(),
            ),
            (
                "signature truncated",
                url,
                params.clone(),
                "RSOYDt4T1cUTdK1PDd93/VVr8B8".into(),
            ),
            (
                "signature extended",
                url,
                params.clone(),
                format!("{good}A"),
            ),
            ("signature empty", url, params.clone(), String::new()),
        ];
        for (what, url, params, signature) in rejected {
            assert!(
                !is_valid_twilio_signature(token, url, &params, &signature),
                "{what}"
            );
        }
        assert!(
            !is_valid_twilio_signature("54321", url, &params, good),
            "other token"
        );
        let empty_token_signature = twilio_signature("", url, &params);
        assert!(
            !is_valid_twilio_signature("", url, &params, &empty_token_signature),
            "empty token"
        );
    }

    #[test]
    fn json_signature_needs_the_hash_in_the_url() {
        let v = vectors();
        let token = str_of(&v, "auth_token");
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let signature = twilio_signature(token, url, &[]);
        assert!(is_valid_twilio_signature(token, url, &[], &signature));
        assert!(!is_valid_twilio_json_signature(
            token, url, b"{}", &signature
        ));
    }

    #[test]
    fn url_variants_keep_credentials_case_and_ipv6() {
        assert_eq!(
            url_variants("https://User:Pw@MyCompany.com:1234/a?x=1"),
            vec![
                "https://User:Pw@MyCompany.com:1234/a?x=1",
                "https://User:Pw@MyCompany.com/a?x=1"
            ]
        );
        assert_eq!(
            url_variants("HTTP://MyCompany.com/a"),
            vec!["HTTP://MyCompany.com/a", "HTTP://MyCompany.com:80/a"]
        );
        assert_eq!(
            url_variants("https://[::1]:8443/a#f"),
            vec!["https://[::1]:8443/a#f", "https://[::1]/a#f"]
        );
        assert_eq!(
            url_variants("https://[::1]/a"),
            vec!["https://[::1]/a", "https://[::1]:443/a"]
        );
        assert_eq!(
            url_variants("https://h/p'q?a=b'c#d'e"),
            vec![
                "https://h/p'q?a=b'c#d'e",
                "https://h/p'q?a=b%27c#d'e",
                "https://h:443/p'q?a=b'c#d'e",
                "https://h:443/p'q?a=b%27c#d'e",
            ]
        );
        assert_eq!(url_variants("not a url"), vec!["not a url"]);
    }
}
