//! Following a short link from a campaign text: counts the click (which campaign stats and
//! revenue attribution read) and says where the link goes.

use chrono::NaiveDateTime;

use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};

/// The link's target as a `Location`, with the click counted at `now`; `None` for a code
/// that is not ours.
pub fn follow(conn: &mut DbConn, code: &str, now: NaiveDateTime) -> AppResult<Option<String>> {
    if code.len() > 32 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Ok(None);
    }
    db::write_transaction(conn, |conn| {
        match db::short_links::click(conn, code, now)? {
            // Targets come from the store's events (a tracking URL may be anything): one that is
            // no web page (`javascript:`, an app's scheme) is never followed, and the error rolls
            // the click back.
            Some(target) => location(&target)
                .map(Some)
                .ok_or_else(|| AppError::not_found("link")),
            None => Ok(None),
        }
    })
}

/// An http(s) `target` as a header value: anything but visible ASCII (spaces, accents) is
/// percent-encoded, as a URI must be; any other scheme is `None`.
fn location(target: &str) -> Option<String> {
    let scheme = target.split_once("://")?.0;
    if !(scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")) {
        return None;
    }
    let mut encoded = String::with_capacity(target.len());
    for byte in target.bytes() {
        if byte.is_ascii_graphic() {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    Some(encoded)
}

#[cfg(test)]
mod tests {
    use super::location;

    #[test]
    fn only_web_pages_are_followed_and_they_are_sent_as_ascii() {
        assert_eq!(
            location("https://shop.example.com/cart/1?a=b%20c").as_deref(),
            Some("https://shop.example.com/cart/1?a=b%20c")
        );
        assert_eq!(
            location("HTTP://shop.example.com/café crème").as_deref(),
            Some("HTTP://shop.example.com/caf%C3%A9%20cr%C3%A8me")
        );
        for refused in [
            "javascript:alert(1)",
            "javascript://%0aalert(1)",
            "data:text/html,<script>alert(1)</script>",
            "intent://scan/#Intent;scheme=zxing;end",
            "//evil.example",
            "shop.example.com/cart",
        ] {
            assert_eq!(location(refused), None, "{refused}");
        }
    }
}
