//! The one place that talks HTTP: base URL, bearer token, JSON bodies and problem details.

use js_sys::JsString;
use leptos::prelude::{Callable, Callback};
use serde::Serialize;
use serde::de::DeserializeOwned;
use textback_shared::{FieldError, Problem, ProblemCode};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, Response};

/// Where the API lives relative to the page's origin (the server serves both).
pub const API_PREFIX: &str = "/api/v1";

/// The API's absolute base URL, for people wiring up integrations.
pub fn api_base_url() -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("{origin}{API_PREFIX}")
}

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with an error status (always problem details, or made into one).
    Problem {
        problem: Problem,
        /// Seconds from `Retry-After`, sent with 429.
        retry_after_secs: Option<u64>,
    },
    /// The request never got an answer (offline, server down).
    Network,
    /// The answer was not what this app understands (a bug or a version mismatch).
    Unexpected(String),
}

impl ApiError {
    pub fn code(&self) -> Option<ProblemCode> {
        match self {
            Self::Problem { problem, .. } => Some(problem.code),
            _ => None,
        }
    }

    /// Per-field errors from a 422, to show next to the fields.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Problem { problem, .. } => &problem.errors,
            _ => &[],
        }
    }

    /// A sentence for people.
    pub fn message(&self) -> String {
        match self {
            Self::Problem { problem, .. } if problem.detail.is_empty() => problem.title.clone(),
            Self::Problem { problem, .. } => problem.detail.clone(),
            Self::Network => {
                "Could not reach Textback. Check your connection and try again.".into()
            }
            Self::Unexpected(_) => {
                "Textback answered in a way this page does not understand. Reload and try again."
                    .into()
            }
        }
    }

    fn from_response(status: u16, body: &str, retry_after_secs: Option<u64>) -> Self {
        let problem = serde_json::from_str::<Problem>(body).unwrap_or_else(|_| {
            // Not from our API (a proxy, a crash page): describe it by its status.
            let code = ProblemCode::ALL
                .into_iter()
                .find(|c| c.status() == status)
                .unwrap_or(ProblemCode::Internal);
            Problem::new(code, format!("The server answered with status {status}."))
        });
        Self::Problem {
            problem,
            retry_after_secs,
        }
    }
}

/// Calls the API, with or without a credential.
#[derive(Clone)]
pub struct Client {
    token: Option<String>,
    /// Told about any 401 on an authenticated call: the session is over.
    on_unauthorized: Option<Callback<()>>,
}

impl Client {
    pub fn anonymous() -> Self {
        Self {
            token: None,
            on_unauthorized: None,
        }
    }

    pub fn authenticated(token: String, on_unauthorized: Callback<()>) -> Self {
        Self {
            token: Some(token),
            on_unauthorized: Some(on_unauthorized),
        }
    }

    /// Carries `token` but does not end the session on a 401 (logging out, when it has ended
    /// already).
    pub fn bearer(token: String) -> Self {
        Self {
            token: Some(token),
            on_unauthorized: None,
        }
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        let body = self.send("GET", path, None).await?;
        parse(&body)
    }

    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        let json = serde_json::to_string(body).map_err(|e| unexpected(e.to_string()))?;
        let body = self.send("POST", path, Some(json)).await?;
        parse(&body)
    }

    /// A POST whose answer has no body.
    pub async fn post_no_content<B: Serialize>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<(), ApiError> {
        let json = serde_json::to_string(body).map_err(|e| unexpected(e.to_string()))?;
        self.send("POST", path, Some(json)).await.map(drop)
    }

    /// A POST without a body whose answer has none either.
    pub async fn post_empty(&self, path: &str) -> Result<(), ApiError> {
        self.send("POST", path, None).await.map(drop)
    }

    /// A POST the server deduplicates by `key`: a retry with the same key repeats nothing.
    pub async fn post_idempotent<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        key: &str,
    ) -> Result<T, ApiError> {
        let json = serde_json::to_string(body).map_err(|e| unexpected(e.to_string()))?;
        let body = self
            .send_with("POST", path, Some(json), &[("Idempotency-Key", key)])
            .await?;
        parse(&body)
    }

    pub async fn patch<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        let json = serde_json::to_string(body).map_err(|e| unexpected(e.to_string()))?;
        let body = self.send("PATCH", path, Some(json)).await?;
        parse(&body)
    }

    pub async fn delete(&self, path: &str) -> Result<(), ApiError> {
        self.send("DELETE", path, None).await.map(|_| ())
    }

    /// A DELETE that must say why (e.g. the evidence for resubscribing a customer).
    pub async fn delete_with<B: Serialize>(&self, path: &str, body: &B) -> Result<(), ApiError> {
        let json = serde_json::to_string(body).map_err(|e| unexpected(e.to_string()))?;
        self.send("DELETE", path, Some(json)).await.map(|_| ())
    }

    /// A body that is not JSON (a CSV export), as text.
    pub async fn get_text(&self, path: &str, accept: &str) -> Result<String, ApiError> {
        let accept = format!("{accept}, application/problem+json");
        self.send_with("GET", path, None, &[("Accept", &accept)])
            .await
    }

    /// The response body of a successful call.
    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<String, ApiError> {
        self.send_with(method, path, body, &[]).await
    }

    async fn send_with(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
        extra_headers: &[(&str, &str)],
    ) -> Result<String, ApiError> {
        let result = self.fetch(method, path, body, extra_headers).await;
        if let (Err(error), Some(on_unauthorized)) = (&result, &self.on_unauthorized)
            && error.code() == Some(ProblemCode::Unauthorized)
        {
            // `try_run`: the page that made the call may be gone by now.
            let _ = on_unauthorized.try_run(());
        }
        result
    }

    async fn fetch(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
        extra_headers: &[(&str, &str)],
    ) -> Result<String, ApiError> {
        let window = web_sys::window().ok_or(ApiError::Network)?;
        let headers = Headers::new().map_err(js_error)?;
        headers
            .set("Accept", "application/json, application/problem+json")
            .map_err(js_error)?;
        // After the default, so a call may ask for another type (CSV).
        for (name, value) in extra_headers {
            headers.set(name, value).map_err(js_error)?;
        }
        if let Some(token) = &self.token {
            headers
                .set("Authorization", &format!("Bearer {token}"))
                .map_err(js_error)?;
        }
        let init = RequestInit::new();
        init.set_method(method);
        if let Some(body) = &body {
            headers
                .set("Content-Type", "application/json")
                .map_err(js_error)?;
            init.set_body(&JsValue::from_str(body));
        }
        init.set_headers(&headers);
        let request = Request::new_with_str_and_init(&format!("{API_PREFIX}{path}"), &init)
            .map_err(js_error)?;

        let response: Response = JsFuture::from(window.fetch_with_request(&request))
            .await
            .map_err(|_| ApiError::Network)?
            .dyn_into()
            .map_err(js_error)?;
        let text = JsFuture::from(response.text().map_err(js_error)?)
            .await
            .map_err(|_| ApiError::Network)?;
        let text = text
            .dyn_into::<JsString>()
            .map(String::from)
            .unwrap_or_default();
        if response.ok() {
            Ok(text)
        } else {
            let retry_after = response
                .headers()
                .get("Retry-After")
                .ok()
                .flatten()
                .and_then(|v| v.trim().parse().ok());
            Err(ApiError::from_response(
                response.status(),
                &text,
                retry_after,
            ))
        }
    }
}

fn parse<T: DeserializeOwned>(body: &str) -> Result<T, ApiError> {
    serde_json::from_str(body).map_err(|e| unexpected(e.to_string()))
}

fn js_error(value: JsValue) -> ApiError {
    unexpected(format!("{value:?}"))
}

/// People see a generic message; the details go to the console for whoever debugs it.
fn unexpected(detail: String) -> ApiError {
    leptos::logging::error!("unexpected answer from the API: {detail}");
    ApiError::Unexpected(detail)
}

/// A query-string value, percent-encoded.
pub fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}
