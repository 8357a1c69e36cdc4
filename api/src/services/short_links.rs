//! Following a short link from a campaign text: counts the click (which campaign stats and
//! revenue attribution read) and says where the link goes.

use chrono::NaiveDateTime;

use crate::db::{self, DbConn};
use crate::error::AppResult;

/// The link's target, with the click counted at `now`; `None` for a code that is not ours.
pub fn follow(conn: &mut DbConn, code: &str, now: NaiveDateTime) -> AppResult<Option<String>> {
    if code.len() > 32 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Ok(None);
    }
    db::write_transaction(conn, |conn| Ok(db::short_links::click(conn, code, now)?))
}
