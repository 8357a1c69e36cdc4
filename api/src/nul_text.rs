//! The NUL character (U+0000) in what clients send. PostgreSQL text cannot hold it and SQLite
//! text can, so it is dealt with before any database sees it, and both behave alike: an API
//! request holding one is refused, and what customers typed (their texts, what a platform
//! passes on) is kept without it.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, HttpMessage};
use textback_shared::FieldError;

use crate::app::JSON_BODY_LIMIT;
use crate::error::{AppError, NUL_MESSAGE};

/// Middleware: an API request with a NUL in its path, its query or its JSON body is answered
/// 422, naming `path`, `query` or `body`, before any handler runs. The events routes are left
/// to refuse such an event in the body themselves, so that the other events of a batch still
/// count.
pub async fn refuse_in_api_requests(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    if !req.path().starts_with("/api/") {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    // A URL cannot carry a raw NUL; `%00` is how one arrives.
    let in_url = [("path", req.path()), ("query", req.query_string())]
        .into_iter()
        .find(|(_, part)| part.contains("%00"))
        .map(|(field, _)| field);
    if let Some(field) = in_url {
        return Ok(refused(req, field));
    }
    // A body declared larger than any JSON the API takes is left to the extractor's 413,
    // unread.
    let too_large = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|length| length.to_str().ok()?.parse::<usize>().ok())
        .is_some_and(|length| length > JSON_BODY_LIMIT);
    let checked =
        !req.path().starts_with("/api/v1/events") && is_json(req.content_type()) && !too_large;
    if checked {
        let body = req.extract::<Bytes>().await?;
        if in_json(&body) {
            return Ok(refused(req, "body"));
        }
        req.set_payload(body.into());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

fn refused<B>(req: ServiceRequest, field: &str) -> ServiceResponse<EitherBody<B>> {
    let problem = AppError::Validation(vec![FieldError::new(field, NUL_MESSAGE)]);
    req.error_response(problem).map_into_right_body()
}

/// `application/json` and its `+json` relatives (`application/merge-patch+json`), in any case.
fn is_json(content_type: &str) -> bool {
    let content_type = content_type.to_ascii_lowercase();
    content_type == "application/json" || content_type.ends_with("+json")
}

/// Whether JSON text holds a NUL: a raw zero byte, or a `\u0000` escape that is not itself
/// an escaped backslash followed by `u0000`.
pub fn in_json(json: &[u8]) -> bool {
    let mut i = 0;
    while i < json.len() {
        match json[i] {
            0 => return true,
            b'\\' if json[i + 1..].starts_with(b"u0000") => return true,
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    false
}

/// The text without its NUL characters: a customer's `STOP` followed by one is still a STOP.
pub fn stripped(text: String) -> String {
    match text.contains('\0') {
        true => text.replace('\0', ""),
        false => text,
    }
}

/// Leaves NUL characters out of every string in the JSON value: a platform passes on what its
/// customers typed, and an order is kept rather than refused for it.
pub fn strip_in_json(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(text) => *text = stripped(std::mem::take(text)),
        Value::Array(items) => items.iter_mut().for_each(strip_in_json),
        Value::Object(fields) => fields.values_mut().for_each(strip_in_json),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_in_json_text_and_an_escaped_backslash_is_not_one() {
        let nul = serde_json::json!({"id": "a\u{0}b"}).to_string();
        assert!(in_json(nul.as_bytes()));
        assert!(in_json(b"{\"id\": \"a\0b\"}"));
        let backslash = serde_json::json!({"id": "a\\u0000b"}).to_string();
        assert!(!in_json(backslash.as_bytes()), "{backslash}");
        assert!(!in_json(br#"{"id": "plain", "x": "\n\\"}"#));
        assert!(
            !in_json(br#"{"trailing": "\"#),
            "a lone backslash at the end"
        );
    }

    #[test]
    fn json_is_recognised_in_any_case_and_with_a_suffix() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON"));
        assert!(is_json("application/merge-patch+json"));
        assert!(!is_json("application/x-www-form-urlencoded"));
        assert!(!is_json(""));
    }

    #[test]
    fn nul_is_left_out_of_every_string_of_a_platforms_json() {
        let mut order =
            serde_json::json!({"name": "Jo\u{0}hn", "items": [{"title": "\u{0}Hat"}], "n": 1});
        strip_in_json(&mut order);
        assert_eq!(
            order,
            serde_json::json!({"name": "John", "items": [{"title": "Hat"}], "n": 1})
        );
    }

    #[test]
    fn a_customers_nul_is_left_out() {
        assert_eq!(stripped("STOP\0".into()), "STOP");
        assert_eq!(stripped("plain".into()), "plain");
    }
}
