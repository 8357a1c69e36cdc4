//! Webhooks from Twilio (or the simulator, which signs the same way): inbound texts and
//! delivery status. Every request must carry a valid `X-Twilio-Signature`.

use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse, post};
use serde::Deserialize;
use textback_shared::Problem;

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::services::provider_webhooks::{self, InboundSms, StatusReport};
use crate::sms::signature::is_valid_twilio_signature;
use crate::{db, nul_text};

/// Twilio's inbound message parameters (it sends more; all are covered by the signature).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
pub struct TwilioInboundSms {
    #[schema(example = "SM7f3c9d2e1b0a4f6e8d7c6b5a4f3e2d1c")]
    message_sid: String,
    account_sid: String,
    #[schema(example = "+14155550123")]
    from: String,
    #[schema(example = "+16285550199")]
    to: String,
    #[schema(example = "Do you have this in a medium?")]
    body: String,
    num_segments: Option<String>,
    /// `STOP`, `START` or `HELP` when Twilio's own opt-out handling acted on the text.
    #[schema(example = "STOP")]
    opt_out_type: Option<String>,
}

/// Twilio's status callback parameters.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
pub struct TwilioStatusCallback {
    message_sid: String,
    #[schema(example = "delivered")]
    message_status: String,
    error_code: Option<String>,
}

/// The status callback URL's query, as the dispatcher wrote it.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusCallbackQuery {
    /// Our id of the text the report is about. The dispatcher puts it in each text's callback
    /// URL, because a report can arrive before the send's answer that tells us Twilio's
    /// `MessageSid`. Without it (older texts, the number's own callback) the `MessageSid` finds
    /// the text.
    message: Option<i64>,
}

const EMPTY_TWIML: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Response></Response>"#;

/// A customer texted one of our numbers. Stored once per `MessageSid`; answered with empty
/// TwiML (replies are sent separately, from the inbox or the dispatcher).
#[utoipa::path(
    tag = "webhooks",
    request_body(content = TwilioInboundSms, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Received (or a duplicate, or for a released number)", body = String, content_type = "text/xml"),
        (status = 403, description = "Missing or wrong signature", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/twilio/sms")]
pub async fn twilio_inbound_sms(
    state: Data<AppState>,
    req: HttpRequest,
    body: Bytes,
) -> AppResult<HttpResponse> {
    let params = verified_params(&state, &req, &body)?;
    let body = param(&params, "Body")
        .map(nul_text::stripped)
        .unwrap_or_default();
    let opt_out_type = param(&params, "OptOutType");
    // Twilio answers its standard keywords itself, and every text it reports an
    // `OptOutType` for (Advanced Opt-Out).
    let provider_answered = opt_out_type.is_some() || state.sms.answers_keyword(&body);
    let inbound = InboundSms {
        provider_sid: required(&params, "MessageSid")?,
        from: required(&params, "From")?,
        to: required(&params, "To")?,
        body,
        segments: param(&params, "NumSegments")
            .and_then(|n| n.parse().ok())
            .unwrap_or(1),
        opt_out_type,
        provider_answered,
    };
    let live = state.live.clone();
    let outcome = db::run(&state.pool, move |conn| {
        provider_webhooks::receive(conn, &live, &inbound)
    })
    .await?;
    tracing::info!(?outcome, "inbound text");
    Ok(HttpResponse::Ok()
        .content_type("text/xml")
        .body(EMPTY_TWIML))
}

/// A sent text's delivery status changed. Out-of-order reports never move a message back.
#[utoipa::path(
    tag = "webhooks",
    params(StatusCallbackQuery),
    request_body(content = TwilioStatusCallback, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 204, description = "Recorded (or ignored as older news)"),
        (status = 403, description = "Missing or wrong signature", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/twilio/status")]
pub async fn twilio_status_callback(
    state: Data<AppState>,
    req: HttpRequest,
    body: Bytes,
) -> AppResult<HttpResponse> {
    let params = verified_params(&state, &req, &body)?;
    // Read only once the signature, which covers the query, checks out.
    let query: StatusCallbackQuery = serde_urlencoded::from_str(req.query_string())
        .map_err(|_| AppError::invalid("message", "This is not one of our message ids."))?;
    let report = StatusReport {
        message_id: query.message,
        provider_sid: required(&params, "MessageSid")?,
        status: param(&params, "MessageStatus")
            .or_else(|| param(&params, "SmsStatus"))
            .unwrap_or_default(),
        error_code: param(&params, "ErrorCode").and_then(|c| c.parse().ok()),
    };
    let live = state.live.clone();
    let outcome = db::run(&state.pool, move |conn| {
        provider_webhooks::record_status(conn, &live, &report)
    })
    .await?;
    tracing::info!(?outcome, "delivery status");
    Ok(HttpResponse::NoContent().finish())
}

/// The form parameters, once the signature over them and our public URL checks out.
fn verified_params(
    state: &AppState,
    req: &HttpRequest,
    body: &[u8],
) -> AppResult<Vec<(String, String)>> {
    let params: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|_| {
        AppError::BadRequest("Expected an application/x-www-form-urlencoded body.".into())
    })?;
    let signature = req
        .headers()
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map_or(req.path(), |pq| pq.as_str());
    // Twilio signs the URL it was configured with: ours, as the outside world sees it.
    let url = format!("{}{path_and_query}", state.settings.public_base_url);
    if signature.is_empty()
        || !is_valid_twilio_signature(
            &state.settings.webhook_signing_key(),
            &url,
            &params,
            signature,
        )
    {
        tracing::warn!(%url, "webhook with a missing or wrong signature refused");
        return Err(AppError::Forbidden(
            "The X-Twilio-Signature is missing or wrong.".into(),
        ));
    }
    Ok(params)
}

fn param(params: &[(String, String)], name: &str) -> Option<String> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

fn required(params: &[(String, String)], name: &str) -> AppResult<String> {
    param(params, name)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| AppError::invalid(name, "is required"))
}
