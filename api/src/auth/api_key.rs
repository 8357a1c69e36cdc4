//! API key secrets: `tbk_<8 hex>_<32 random>`. The first part is the visible, indexed prefix;
//! only a SHA-256 of the whole key is stored (keys are random, so a slow hash adds nothing).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use textback_shared::api_keys::{KEY_PREFIX, Scope};

pub struct NewSecret {
    /// Shown once to the merchant.
    pub secret: String,
    pub prefix: String,
    pub hash: String,
}

pub fn generate() -> NewSecret {
    let mut rng = rand::rng();
    let mut id = [0u8; 4];
    rng.fill_bytes(&mut id);
    let mut random = [0u8; 24];
    rng.fill_bytes(&mut random);
    let prefix = format!("{KEY_PREFIX}{}", hex(&id));
    let secret = format!("{prefix}_{}", URL_SAFE_NO_PAD.encode(random));
    NewSecret {
        hash: hash(&secret),
        prefix,
        secret,
    }
}

/// The prefix of something that looks like one of our keys.
pub fn prefix_of(token: &str) -> Option<&str> {
    let rest = token.strip_prefix(KEY_PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    (id.len() == 8 && id.bytes().all(|b| b.is_ascii_hexdigit()) && !secret.is_empty())
        .then(|| &token[..KEY_PREFIX.len() + 8])
}

pub fn hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

pub fn matches(secret: &str, stored_hash: &str) -> bool {
    hash(secret).as_bytes().ct_eq(stored_hash.as_bytes()).into()
}

pub fn encode_scopes(scopes: &[Scope]) -> String {
    let mut scopes = scopes.to_vec();
    scopes.sort();
    scopes.dedup();
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn decode_scopes(stored: &str) -> Vec<Scope> {
    stored.split(',').filter_map(Scope::parse).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_carry_their_prefix_and_match_their_hash() {
        let key = generate();
        assert_eq!(prefix_of(&key.secret), Some(key.prefix.as_str()));
        assert!(key.secret.len() > 40);
        assert!(matches(&key.secret, &key.hash));
        assert!(!matches(&format!("{}x", key.secret), &key.hash));
        assert_ne!(generate().secret, key.secret);
    }

    #[test]
    fn prefix_of_refuses_other_tokens() {
        assert_eq!(prefix_of("eyJhbGciOi.x.y"), None);
        assert_eq!(prefix_of("tbk_123_abc"), None);
        assert_eq!(prefix_of("tbk_0123abcd_"), None);
        assert_eq!(prefix_of("tbk_0123abcd_s3cret"), Some("tbk_0123abcd"));
    }

    #[test]
    fn scopes_round_trip_sorted_and_unique() {
        let stored = encode_scopes(&[Scope::Write, Scope::Read, Scope::Write]);
        assert_eq!(stored, "read,write");
        assert_eq!(decode_scopes(&stored), [Scope::Read, Scope::Write]);
    }
}
