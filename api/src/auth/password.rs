//! Password hashing with argon2id (the crate's recommended parameters).

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};

pub fn hash(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Verifying against this when the email is unknown makes a failed login take as long
/// either way, so response times do not reveal which emails have accounts.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash("not a real password").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #[test]
    fn verifies_only_the_right_password() {
        let hash = super::hash("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(super::verify("correct horse battery", &hash));
        assert!(!super::verify("wrong horse battery", &hash));
        assert!(!super::verify("anything", "not a hash"));
    }
}
