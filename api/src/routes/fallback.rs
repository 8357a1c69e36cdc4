//! Whatever no route matched: the SPA's files (any unknown path under `/` is a client-side
//! route and gets `index.html`), or a problem for API-like paths (404, or 405 with `Allow`
//! when the path exists with other methods).

use std::path::{Component, Path, PathBuf};

use actix_files::NamedFile;
use actix_web::http::{Method, header};
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};

use crate::app::AppState;
use crate::error::AppError;
use crate::security_headers::spa_policy;

/// The documented operations, for telling 405 from 404.
pub struct RouteTable {
    /// Path templates split into segments (`{id}` matches any one segment), with their methods.
    routes: Vec<(Vec<String>, Vec<String>)>,
}

impl RouteTable {
    pub fn from_openapi(openapi: &utoipa::openapi::OpenApi) -> Self {
        let routes = openapi
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", &item.get),
                    ("POST", &item.post),
                    ("PUT", &item.put),
                    ("PATCH", &item.patch),
                    ("DELETE", &item.delete),
                ]
                .into_iter()
                .filter(|(_, op)| op.is_some())
                .map(|(m, _)| m.to_owned())
                .collect();
                (segments(path).map(str::to_owned).collect(), methods)
            })
            .collect();
        Self { routes }
    }

    /// The methods a path accepts, if it matches a documented route.
    fn methods_for(&self, path: &str) -> Option<Vec<String>> {
        let wanted: Vec<&str> = segments(path).collect();
        let mut allowed: Vec<String> = self
            .routes
            .iter()
            .filter(|(template, _)| {
                template.len() == wanted.len()
                    && template
                        .iter()
                        .zip(&wanted)
                        .all(|(t, w)| t == w || (t.starts_with('{') && t.ends_with('}')))
            })
            .flat_map(|(_, methods)| methods.iter().cloned())
            .collect();
        allowed.sort();
        allowed.dedup();
        (!allowed.is_empty()).then_some(allowed)
    }
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

fn is_api_path(path: &str) -> bool {
    ["/api", "/webhooks", "/api-docs"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

pub async fn fallback(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, AppError> {
    let path = req.path();
    if let Some(allow) = state.routes.methods_for(path) {
        return Err(AppError::MethodNotAllowed { allow });
    }
    if is_api_path(path) || !matches!(*req.method(), Method::GET | Method::HEAD) {
        return Err(AppError::NotFound(format!(
            "There is no {} {path}.",
            req.method()
        )));
    }
    serve_spa(&req, &state.settings.static_dir)
}

fn serve_spa(req: &HttpRequest, static_dir: &Path) -> Result<HttpResponse, AppError> {
    let index = static_dir.join("index.html");
    let file = asset_path(static_dir, req.path())
        .filter(|p| p.is_file())
        .unwrap_or(index);
    let is_index = file.file_name().is_some_and(|n| n == "index.html");
    let named = NamedFile::open(&file).map_err(|_| {
        AppError::NotFound("The web app is not built here; `make run` builds it.".into())
    })?;
    let mut response = named.use_etag(true).into_response(req);
    // index.html names the current build's assets, so it must never be served stale.
    let cache = if is_index {
        "no-cache"
    } else {
        "public, max-age=3600"
    };
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static(cache),
    );
    if is_index
        && let Ok(html) = std::fs::read_to_string(&file)
        && let Ok(policy) = header::HeaderValue::from_str(&spa_policy(&html))
    {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    Ok(response)
}

/// The file a URL path names inside the static folder; `None` for anything that climbs out.
fn asset_path(static_dir: &Path, url_path: &str) -> Option<PathBuf> {
    let relative = Path::new(url_path.trim_start_matches('/'));
    relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| static_dir.join(relative))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_paths_stay_inside_the_folder() {
        let dir = Path::new("/srv/dist");
        assert_eq!(
            asset_path(dir, "/web-1a2b.js"),
            Some(PathBuf::from("/srv/dist/web-1a2b.js"))
        );
        assert_eq!(asset_path(dir, "/../etc/passwd"), None);
        assert_eq!(
            asset_path(dir, "/a/./b"),
            Some(PathBuf::from("/srv/dist/a/b"))
        );
    }

    #[test]
    fn api_paths() {
        assert!(is_api_path("/api/v1/nope"));
        assert!(is_api_path("/webhooks/twilio/sms"));
        assert!(!is_api_path("/apis"));
        assert!(!is_api_path("/settings/api-keys"));
    }
}
