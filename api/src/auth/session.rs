//! Session tokens: HS256 JWTs with an issuer and an expiry, naming their row in `sessions`
//! (which logging out revokes).

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::caller::Credential;

const ISSUER: &str = "textback";
/// Stream tickets have their own issuer, so a ticket is never taken for a session.
const STREAM_ISSUER: &str = "textback-stream";
/// Long enough to open the stream right after asking for a ticket; useless soon after.
pub const STREAM_TICKET_TTL: Duration = Duration::seconds(60);
/// Merchants keep the inbox open all day; a week saves them logging in every morning.
pub const SESSION_TTL: Duration = Duration::days(7);

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    /// The user id.
    sub: String,
    /// The session's row.
    sid: i64,
    store_id: i64,
    iat: i64,
    exp: i64,
}

/// A verified session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    /// The row in `sessions`.
    pub id: i64,
    pub user_id: i64,
    pub store_id: i64,
}

/// What a stream ticket holds: the store whose changes it may watch, and the credential it was
/// asked with, which the stream keeps checking (logging out ends the stream too).
#[derive(Debug, Serialize, Deserialize)]
struct TicketClaims {
    iss: String,
    store_id: i64,
    holder: Credential,
    iat: i64,
    exp: i64,
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
            sid: session.id,
            store_id: session.store_id,
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map(|token| (token, expires_at))
            .map_err(|e| e.to_string())
    }

    /// `None` for anything but a valid, unexpired HS256 token of ours. Whether its session
    /// was ended since is for the database to say (`db::sessions::is_live`).
    pub fn verify(&self, token: &str) -> Option<Session> {
        let claims = jsonwebtoken::decode::<Claims>(
            token,
            &self.decoding,
            &validation(ISSUER, &["exp", "iss", "sub"]),
        )
        .ok()?
        .claims;
        Some(Session {
            id: claims.sid,
            user_id: claims.sub.parse().ok()?,
            store_id: claims.store_id,
        })
    }

    /// A ticket that opens the store's live stream, for as long as `holder` holds, until
    /// `STREAM_TICKET_TTL` from `now`.
    pub fn issue_stream_ticket(
        &self,
        store_id: i64,
        holder: Credential,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>), String> {
        let expires_at = now + STREAM_TICKET_TTL;
        let claims = TicketClaims {
            iss: STREAM_ISSUER.into(),
            store_id,
            holder,
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map(|ticket| (ticket, expires_at))
            .map_err(|e| e.to_string())
    }

    /// The store a valid, unexpired stream ticket is for, and the credential that asked for it.
    pub fn verify_stream_ticket(&self, ticket: &str) -> Option<(i64, Credential)> {
        jsonwebtoken::decode::<TicketClaims>(
            ticket,
            &self.decoding,
            &validation(STREAM_ISSUER, &["exp", "iss"]),
        )
        .ok()
        .map(|data| (data.claims.store_id, data.claims.holder))
    }
}

fn validation(issuer: &str, required: &[&str]) -> Validation {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[issuer]);
    validation.set_required_spec_claims(required);
    validation.leeway = 0;
    validation
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    const SESSION: Session = Session {
        id: 11,
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
            r#"{{"iss":"textback","sub":"7","sid":11,"store_id":3,"iat":0,"exp":{exp}}}"#
        ));
        assert_eq!(keys().verify(&format!("{header}.{body}.")), None);
    }

    const HOLDER: Credential = Credential::Session {
        user_id: 7,
        session_id: 11,
    };

    #[test]
    fn stream_tickets_and_sessions_are_not_interchangeable() {
        let now = Utc::now();
        let (ticket, expires_at) = keys().issue_stream_ticket(3, HOLDER, now).unwrap();
        assert_eq!(expires_at, now + STREAM_TICKET_TTL);
        assert_eq!(keys().verify_stream_ticket(&ticket), Some((3, HOLDER)));
        assert_eq!(keys().verify(&ticket), None);
        let (session, _) = keys().issue(SESSION, now).unwrap();
        assert_eq!(keys().verify_stream_ticket(&session), None);
        let (stale, _) = keys()
            .issue_stream_ticket(3, HOLDER, now - STREAM_TICKET_TTL - Duration::seconds(1))
            .unwrap();
        assert_eq!(keys().verify_stream_ticket(&stale), None);
    }

    /// Tokens issued before sessions had rows cannot be logged out, so they no longer hold.
    #[test]
    fn refuses_a_token_that_names_no_session() {
        #[derive(Serialize)]
        struct Unnamed {
            iss: &'static str,
            sub: &'static str,
            store_id: i64,
            iat: i64,
            exp: i64,
        }
        let claims = Unnamed {
            iss: ISSUER,
            sub: "7",
            store_id: 3,
            iat: Utc::now().timestamp(),
            exp: (Utc::now() + Duration::hours(1)).timestamp(),
        };
        let key = EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef").unwrap();
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key).unwrap();
        assert_eq!(keys().verify(&token), None);
    }

    #[test]
    fn a_ticket_names_an_api_key_as_its_holder_too() {
        let holder = Credential::ApiKey { key_id: 5 };
        let (ticket, _) = keys().issue_stream_ticket(3, holder, Utc::now()).unwrap();
        assert_eq!(keys().verify_stream_ticket(&ticket), Some((3, holder)));
    }

    #[test]
    fn refuses_another_issuer() {
        let claims = Claims {
            iss: "someone-else".into(),
            sub: "7".into(),
            sid: 11,
            store_id: 3,
            iat: 0,
            exp: i64::MAX / 2,
        };
        let key = EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef").unwrap();
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key).unwrap();
        assert_eq!(keys().verify(&token), None);
    }
}
