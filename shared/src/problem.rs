//! RFC 9457 problem details: the one shape every error response has.

use serde::{Deserialize, Serialize};

/// Machine-readable reason for an error; clients switch on this, not on `title` or `detail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    BadRequest,
    ValidationFailed,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    /// SMS needs a phone number first: reserve one, then try again.
    NumberRequired,
    PayloadTooLarge,
    UnsupportedMediaType,
    TooManyRequests,
    ServiceUnavailable,
    Internal,
}

impl ProblemCode {
    pub const ALL: [ProblemCode; 13] = [
        Self::BadRequest,
        Self::ValidationFailed,
        Self::Unauthorized,
        Self::Forbidden,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::Conflict,
        Self::NumberRequired,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::TooManyRequests,
        Self::ServiceUnavailable,
        Self::Internal,
    ];

    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Conflict | Self::NumberRequired => 409,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::ValidationFailed => 422,
            Self::TooManyRequests => 429,
            Self::Internal => 500,
            Self::ServiceUnavailable => 503,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::BadRequest => "Bad request",
            Self::ValidationFailed => "Validation failed",
            Self::Unauthorized => "Authentication required",
            Self::Forbidden => "Not allowed",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed => "Method not allowed",
            Self::Conflict => "Conflict",
            Self::NumberRequired => "A phone number is needed",
            Self::PayloadTooLarge => "Request body too large",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::TooManyRequests => "Too many requests",
            Self::ServiceUnavailable => "Service unavailable",
            Self::Internal => "Internal error",
        }
    }

    /// The problem `type` URI reference; stable, one per code.
    pub fn type_uri(self) -> String {
        let slug = serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(|s| s.replace('_', "-")))
            .unwrap_or_default();
        format!("/problems/{slug}")
    }
}

/// One invalid input field, for `validation_failed` problems.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field's name as sent (dotted path for nested fields).
    pub field: String,
    /// What is wrong with it, for people.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An `application/problem+json` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// URI reference identifying the problem type, e.g. `/problems/not-found`.
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    /// What went wrong with this request, for people.
    pub detail: String,
    pub code: ProblemCode,
    /// Invalid fields, for `validation_failed`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    pub fn new(code: ProblemCode, detail: impl Into<String>) -> Self {
        Self {
            type_uri: code.type_uri(),
            title: code.title().to_owned(),
            status: code.status(),
            detail: detail.into(),
            code,
            errors: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_uri_is_the_kebab_case_code() {
        assert_eq!(
            ProblemCode::ValidationFailed.type_uri(),
            "/problems/validation-failed"
        );
        assert_eq!(ProblemCode::NotFound.type_uri(), "/problems/not-found");
    }

    #[test]
    fn every_code_is_an_error_status() {
        for code in ProblemCode::ALL {
            assert!((400..600).contains(&code.status()), "{code:?}");
        }
    }

    #[test]
    fn serializes_type_and_omits_empty_errors() {
        let json =
            serde_json::to_value(Problem::new(ProblemCode::NotFound, "no such key")).unwrap();
        assert_eq!(json["type"], "/problems/not-found");
        assert_eq!(json["code"], "not_found");
        assert_eq!(json["status"], 404);
        assert!(json.get("errors").is_none());
    }
}
