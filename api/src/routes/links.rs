use actix_web::web::{Data, Path};
use actix_web::{HttpResponse, get};

use crate::app::AppState;
use crate::db;
use crate::error::{AppError, AppResult};
use crate::services::short_links;

/// A short link from a campaign text: counts the click and redirects (302) to the cart or
/// tracking page. An unknown code is 404.
#[utoipa::path(
    tag = "links",
    params(("code" = String, Path, description = "The code after /r/ in the text")),
    responses((status = 302, description = "To the link's target (Location header)"))
)]
#[get("/r/{code}")]
pub async fn follow_short_link(
    state: Data<AppState>,
    code: Path<String>,
) -> AppResult<HttpResponse> {
    let code = code.into_inner();
    let target = db::run(&state.pool, move |conn| {
        short_links::follow(conn, &code, db::now())
    })
    .await?
    .ok_or_else(|| AppError::not_found("link"))?;
    Ok(HttpResponse::Found()
        .insert_header(("Location", target))
        .insert_header(("Cache-Control", "no-store"))
        .finish())
}
