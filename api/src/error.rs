//! One error type for every request, rendered as RFC 9457 `application/problem+json`.
//!
//! Handlers and services return `AppError`; extractor failures (bad JSON, bad query strings)
//! are mapped here too, so no error reaches a client in any other shape.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use textback_shared::{FieldError, Problem, ProblemCode};

pub type AppResult<T> = Result<T, AppError>;

/// Why text with a NUL character is refused.
pub const NUL_MESSAGE: &str = "Text cannot contain the NUL character (U+0000).";

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<String> },
    #[error("{0}")]
    Conflict(String),
    /// The store has no active number, and this needs one.
    #[error("{0}")]
    NumberRequired(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("too many requests")]
    TooManyRequests {
        retry_after_secs: u64,
        detail: String,
    },
    /// The database (or another dependency) cannot be reached right now; worth retrying.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A bug or an unexpected failure: logged in full, answered with a generic message.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("No {what} with this id in this store."))
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    /// `Ok(())` when `errors` is empty, the 422 otherwise.
    pub fn check(errors: Vec<FieldError>) -> AppResult<()> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Self::Validation(errors))
        }
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    pub fn code(&self) -> ProblemCode {
        match self {
            Self::BadRequest(_) => ProblemCode::BadRequest,
            Self::Validation(_) => ProblemCode::ValidationFailed,
            Self::Unauthorized(_) => ProblemCode::Unauthorized,
            Self::Forbidden(_) => ProblemCode::Forbidden,
            Self::NotFound(_) => ProblemCode::NotFound,
            Self::MethodNotAllowed { .. } => ProblemCode::MethodNotAllowed,
            Self::Conflict(_) => ProblemCode::Conflict,
            Self::NumberRequired(_) => ProblemCode::NumberRequired,
            Self::PayloadTooLarge(_) => ProblemCode::PayloadTooLarge,
            Self::UnsupportedMediaType(_) => ProblemCode::UnsupportedMediaType,
            Self::TooManyRequests { .. } => ProblemCode::TooManyRequests,
            Self::Unavailable(_) => ProblemCode::ServiceUnavailable,
            Self::Internal(_) => ProblemCode::Internal,
        }
    }

    pub fn problem(&self) -> Problem {
        let code = self.code();
        let detail = match self {
            Self::Validation(errors) => match errors.as_slice() {
                [one] => format!("{}: {}", one.field, one.message),
                _ => format!("{} fields are invalid.", errors.len()),
            },
            Self::MethodNotAllowed { allow } => format!("This path accepts {}.", allow.join(", ")),
            Self::TooManyRequests { detail, .. } => detail.clone(),
            Self::Unavailable(_) => "The service is briefly unavailable; try again shortly.".into(),
            Self::Internal(_) => "Something went wrong on our side; it has been logged.".into(),
            other => other.to_string(),
        };
        let mut problem = Problem::new(code, detail);
        if let Self::Validation(errors) = self {
            problem.errors = errors.clone();
        }
        problem
    }
}

pub const PROBLEM_JSON: &str = "application/problem+json";

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(cause) => tracing::error!(%cause, "request failed"),
            Self::Unavailable(cause) => tracing::warn!(%cause, "dependency unavailable"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            Self::TooManyRequests {
                retry_after_secs, ..
            } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            Self::MethodNotAllowed { allow } => {
                if let Ok(value) = HeaderValue::from_str(&allow.join(", ")) {
                    response.insert_header((header::ALLOW, value));
                }
            }
            Self::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::NotFound => Self::NotFound("Not found in this store.".into()),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                Self::Conflict("This already exists.".into())
            }
            // Two PostgreSQL transactions waited on each other and one was chosen to fail
            // (SQLSTATE 40P01, which diesel does not classify), or a serializable one could
            // not be ordered: nothing was kept, and the same request again succeeds.
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, info) => {
                Self::Unavailable(info.message().to_owned())
            }
            Error::DatabaseError(_, info) if info.message().contains("deadlock detected") => {
                Self::Unavailable(info.message().to_owned())
            }
            // SQLite's single writer stayed busy past the busy timeout: overload, retryable.
            Error::DatabaseError(_, info) if info.message().contains("database is locked") => {
                Self::Unavailable(info.message().to_owned())
            }
            // The connection to the database went away (it restarted, or an administrator
            // cut it): the pool discards it, and the request can be retried.
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => Self::Unavailable(info.message().to_owned()),
            Error::DatabaseError(_, info) if is_lost_connection(info.message()) => {
                Self::Unavailable(info.message().to_owned())
            }
            // PostgreSQL text cannot hold U+0000 (SQLite can): the input, not the server, is
            // at fault, and the transaction it was part of is rolled back.
            Error::DatabaseError(_, info)
                if info.message().contains("invalid byte sequence")
                    && info.message().contains("0x00") =>
            {
                Self::Validation(vec![FieldError::new("body", NUL_MESSAGE)])
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

/// PostgreSQL's words for a connection it ended (SQLSTATE 57P01–57P03, which diesel does not
/// classify) and libpq's for one that broke.
fn is_lost_connection(message: &str) -> bool {
    [
        "terminating connection",
        "server closed the connection",
        "no connection to the server",
        "the database system is shutting down",
        "the database system is starting up",
        "could not receive data from server",
    ]
    .iter()
    .any(|words| message.contains(words))
}

impl From<r2d2::Error> for AppError {
    fn from(error: r2d2::Error) -> Self {
        Self::Unavailable(error.to_string())
    }
}

impl From<actix_web::error::JsonPayloadError> for AppError {
    fn from(error: actix_web::error::JsonPayloadError) -> Self {
        use actix_web::error::JsonPayloadError as E;
        match error {
            E::Overflow { limit } | E::OverflowKnownLength { limit, .. } => {
                Self::PayloadTooLarge(format!("The body is larger than {limit} bytes."))
            }
            E::ContentType => {
                Self::UnsupportedMediaType("Send the body as application/json.".into())
            }
            E::Deserialize(e) => e.into(),
            other => Self::BadRequest(other.to_string()),
        }
    }
}

/// Malformed JSON is a 400; well-formed JSON of the wrong shape (missing or unknown fields,
/// wrong types) is a 422 about the body.
impl From<serde_json::Error> for AppError {
    fn from(error: serde_json::Error) -> Self {
        if error.is_data() {
            Self::Validation(vec![FieldError::new("body", error.to_string())])
        } else {
            Self::BadRequest(format!("The body is not valid JSON: {error}"))
        }
    }
}

impl From<actix_web::error::QueryPayloadError> for AppError {
    fn from(error: actix_web::error::QueryPayloadError) -> Self {
        Self::BadRequest(format!("Invalid query string: {error}"))
    }
}

impl From<actix_web::error::PathError> for AppError {
    fn from(_: actix_web::error::PathError) -> Self {
        Self::NotFound("No such resource.".into())
    }
}

/// Extractor configuration that turns every input error into a problem.
pub fn extractor_configs(
    json_limit: usize,
) -> (
    actix_web::web::JsonConfig,
    actix_web::web::QueryConfig,
    actix_web::web::PathConfig,
) {
    use actix_web::web;
    (
        web::JsonConfig::default()
            .limit(json_limit)
            .error_handler(|e, _| AppError::from(e).into()),
        web::QueryConfig::default().error_handler(|e, _| AppError::from(e).into()),
        web::PathConfig::default().error_handler(|e, _| AppError::from(e).into()),
    )
}

/// Turns any error response that is not already a problem (e.g. a raw body over its limit,
/// refused by actix before a handler runs) into one, so clients see a single error shape.
pub fn problem_for_bare_errors<B>(
    res: actix_web::dev::ServiceResponse<B>,
) -> actix_web::Result<actix_web::middleware::ErrorHandlerResponse<B>> {
    use actix_web::middleware::ErrorHandlerResponse;
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v == PROBLEM_JSON);
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let code = ProblemCode::ALL
        .into_iter()
        .find(|c| c.status() == status.as_u16())
        .unwrap_or(if status.is_server_error() {
            ProblemCode::Internal
        } else {
            ProblemCode::BadRequest
        });
    let mut problem = Problem::new(code, status.canonical_reason().unwrap_or("Error"));
    problem.status = status.as_u16();
    let (req, _) = res.into_parts();
    let response = HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
        .json(problem);
    Ok(ErrorHandlerResponse::Response(
        actix_web::dev::ServiceResponse::new(req, response).map_into_right_body(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_do_not_leak_their_cause() {
        let problem = AppError::internal("secret table xyz exploded").problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("xyz"));
    }

    #[test]
    fn validation_lists_fields() {
        let problem = AppError::invalid("email", "Enter an email").problem();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.errors[0].field, "email");
        assert_eq!(problem.detail, "email: Enter an email");
    }
}
