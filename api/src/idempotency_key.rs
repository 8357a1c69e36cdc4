//! The `Idempotency-Key` request header, and answering with what `services::idempotency`
//! kept for it.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{FromRequest, HttpRequest, HttpResponse};

use crate::error::AppError;
use crate::services::idempotency::Answer;

/// The longest key accepted.
const MAX_LEN: usize = 200;

/// The header's value, when the request has one.
#[derive(Debug, Clone, Default)]
pub struct IdempotencyKey(pub Option<String>);

impl IdempotencyKey {
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl FromRequest for IdempotencyKey {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(value) = req.headers().get("idempotency-key") else {
            return ready(Ok(Self(None)));
        };
        let key = value
            .to_str()
            .ok()
            .map(str::trim)
            .filter(|k| !k.is_empty() && k.len() <= MAX_LEN)
            .map(|k| Self(Some(k.to_owned())))
            .ok_or_else(|| {
                AppError::BadRequest("Idempotency-Key must be 1 to 200 visible characters.".into())
            });
        ready(key)
    }
}

/// The answer as an HTTP response; a kept one says so in `Idempotent-Replayed: true`.
pub fn respond(answer: Answer) -> HttpResponse {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    response.content_type(ContentType::json());
    if answer.replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    response.body(answer.body)
}

/// Documents the header as an optional parameter of the operations that take it.
impl utoipa::IntoParams for IdempotencyKey {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{ObjectBuilder, Required, Type};
        let schema = ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(MAX_LEN));
        vec![
            ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "Any string unique to this request, up to 200 characters. Sent again \
                     with the same request within a day, it gets the first answer again \
                     (with `Idempotent-Replayed: true`) and changes nothing; with another \
                     request, a 422.",
                ))
                .schema(Some(schema))
                .build(),
        ]
    }
}
