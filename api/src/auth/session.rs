//! Session tokens: HS256 JWTs with an issuer and an expiry.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

const ISSUER: &str = "textback";
/// Merchants keep the inbox open all day; a week saves them logging in every morning.
pub const SESSION_TTL: Duration = Duration::days(7);

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    /// The user id.
    sub: String,
    store_id: i64,
    iat: i64,
    exp: i64,
}

/// A verified session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub user_id: i64,
    pub store_id: i64,
}

#[derive(Clone)]
pub struct SessionKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl SessionKeys {
    pub fn new(secret: &[u8]) -> Result<Self, String> {
        let invalid = |e: jsonwebtoken::errors::Error| format!("unusable session secret: {e}");
        Ok(Self {
            encoding: EncodingKey::from_secret(secret).map_err(invalid)?,
            decoding: DecodingKey::from_secret(secret).map_err(invalid)?,
        })
    }

    pub fn issue(
        &self,
        session: Session,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>), String> {
        let expires_at = now + SESSION_TTL;
        let claims = Claims {
            iss: ISSUER.into(),
            sub: session.user_id.to_string(),
            store_id: session.store_id,
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map(|token| (token, expires_at))
            .map_err(|e| e.to_string())
    }

    /// `None` for anything but a valid, unexpired HS256 token of ours.
    pub fn verify(&self, token: &str) -> Option<Session> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = 0;
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .ok()?
            .claims;
        Some(Session {
            user_id: claims.sub.parse().ok()?,
            store_id: claims.store_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    const SESSION: Session = Session {
        user_id: 7,
        store_id: 3,
    };

    fn keys() -> SessionKeys {
        SessionKeys::new(b"0123456789abcdef0123456789abcdef").unwrap()
    }

    #[test]
    fn round_trip() {
        let (token, _) = keys().issue(SESSION, Utc::now()).unwrap();
        assert_eq!(keys().verify(&token), Some(SESSION));
    }

    #[test]
    fn refuses_expired_forged_and_unsigned_tokens() {
        let (expired, _) = keys()
            .issue(SESSION, Utc::now() - SESSION_TTL - Duration::seconds(5))
            .unwrap();
        assert_eq!(keys().verify(&expired), None);

        let other = SessionKeys::new(b"another secret of thirty-two bytes!!").unwrap();
        let (forged, _) = other.issue(SESSION, Utc::now()).unwrap();
        assert_eq!(keys().verify(&forged), None);

        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let exp = (Utc::now() + Duration::hours(1)).timestamp();
        let body = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"iss":"textback","sub":"7","store_id":3,"iat":0,"exp":{exp}}}"#
        ));
        assert_eq!(keys().verify(&format!("{header}.{body}.")), None);
    }

    #[test]
    fn refuses_another_issuer() {
        let claims = Claims {
            iss: "someone-else".into(),
            sub: "7".into(),
            store_id: 3,
            iat: 0,
            exp: i64::MAX / 2,
        };
        let key = EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef").unwrap();
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key).unwrap();
        assert_eq!(keys().verify(&token), None);
    }
}
