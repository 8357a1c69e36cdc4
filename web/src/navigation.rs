//! Where a page may send people next.

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
