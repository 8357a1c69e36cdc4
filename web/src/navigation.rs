//! Where a page may send people next.

use leptos_router::NavigateOptions;

/// A `next` query value, if it is a path inside this app: a crafted link must not send people
/// to another site after they log in or reserve a number.
pub fn safe_next(next: Option<&str>) -> Option<String> {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            Some(path.to_owned())
        }
        _ => None,
    }
}

/// A redirect that takes the place of the page in the history: Back must not return to an
/// address that only sends the person on again (a protected page while signed out, the login
/// page once signed in), or it could never go further back.
pub fn replacing() -> NavigateOptions {
    NavigateOptions {
        replace: true,
        ..Default::default()
    }
}
