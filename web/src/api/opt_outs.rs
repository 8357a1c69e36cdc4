use textback_shared::Page;
use textback_shared::opt_out::{
    AddOptOutsRequest, AddOptOutsResponse, OptOutDto, ResubscribeRequest,
};

use super::client::encode;
use super::{ApiError, Client};

/// One page of the opt-out list, most recent first; `q` is part of a number, however written.
pub async fn list(
    client: &Client,
    q: &str,
    cursor: Option<&str>,
) -> Result<Page<OptOutDto>, ApiError> {
    let mut query = Vec::new();
    if !q.trim().is_empty() {
        query.push(format!("q={}", encode(q.trim())));
    }
    if let Some(cursor) = cursor {
        query.push(format!("cursor={}", encode(cursor)));
    }
    let path = if query.is_empty() {
        "/opt-outs".to_owned()
    } else {
        format!("/opt-outs?{}", query.join("&"))
    };
    client.get(&path).await
}

pub async fn add(
    client: &Client,
    request: &AddOptOutsRequest,
) -> Result<AddOptOutsResponse, ApiError> {
    client.post("/opt-outs", request).await
}

/// Takes `phone` (E.164) off the list; `evidence` of new consent is kept in the audit.
pub async fn resubscribe(client: &Client, phone: &str, evidence: &str) -> Result<(), ApiError> {
    let request = ResubscribeRequest {
        evidence: evidence.to_owned(),
    };
    client
        .delete_with(&format!("/opt-outs/{}", encode(phone)), &request)
        .await
}

/// The whole list as CSV (`phone,opted_out_at,source,note`).
pub async fn export_csv(client: &Client) -> Result<String, ApiError> {
    client.get_text("/opt-outs.csv", "text/csv").await
}
