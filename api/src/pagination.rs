//! Keyset pagination over ids, behind the opaque cursor of the list convention.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use textback_shared::Page;
use textback_shared::pagination::PageQuery;

use crate::error::{AppError, AppResult};

/// A parsed `?cursor=&limit=` for a list ordered by id, newest first.
#[derive(Debug, Clone, Copy)]
pub struct IdPage {
    /// Only rows with a smaller id.
    pub before_id: Option<i64>,
    pub limit: u32,
}

impl IdPage {
    pub fn parse(query: &PageQuery) -> AppResult<Self> {
        let limit = query
            .limit()
            .map_err(|message| AppError::invalid("limit", message))?;
        let before_id = query.cursor.as_deref().map(decode).transpose()?;
        Ok(Self { before_id, limit })
    }

    /// How many rows to fetch: one more than the page, to learn whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        i64::from(self.limit) + 1
    }

    /// Turns the fetched rows into a page of DTOs with the next cursor.
    pub fn finish<R, T>(
        &self,
        mut rows: Vec<R>,
        id: impl Fn(&R) -> i64,
        dto: impl Fn(R) -> T,
    ) -> Page<T> {
        let more = rows.len() > self.limit as usize;
        rows.truncate(self.limit as usize);
        let next_cursor = more.then(|| rows.last().map(|r| encode(id(r)))).flatten();
        Page {
            items: rows.into_iter().map(dto).collect(),
            next_cursor,
        }
    }
}

fn encode(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("id:{id}"))
}

fn decode(cursor: &str) -> AppResult<i64> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("id:").and_then(|id| id.parse().ok()))
        .ok_or_else(|| AppError::invalid("cursor", "Use the next_cursor of a previous page."))
}

/// A parsed `?cursor=&limit=` for a list ordered by (time, id), newest first: keyset paging
/// that rows moving to the top (a thread with a new message) do not disturb.
#[derive(Debug, Clone, Copy)]
pub struct TimePage {
    /// Only rows before this (time, id).
    pub after: Option<(NaiveDateTime, i64)>,
    pub limit: u32,
}

impl TimePage {
    pub fn parse(cursor: Option<&str>, limit: Option<u32>) -> AppResult<Self> {
        let limit = PageQuery {
            cursor: None,
            limit,
        }
        .limit()
        .map_err(|message| AppError::invalid("limit", message))?;
        let after = cursor.map(decode_time_cursor).transpose()?;
        Ok(Self { after, limit })
    }

    /// How many rows to fetch: one more than the page, to learn whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        i64::from(self.limit) + 1
    }

    /// The page's rows and the cursor of the next page, keyed by each row's (time, id).
    pub fn cut<R>(
        &self,
        mut rows: Vec<R>,
        key: impl Fn(&R) -> Option<(NaiveDateTime, i64)>,
    ) -> (Vec<R>, Option<String>) {
        let more = rows.len() > self.limit as usize;
        rows.truncate(self.limit as usize);
        let next_cursor = more
            .then(|| rows.last().and_then(&key))
            .flatten()
            .map(|(at, id)| encode_time_cursor(at, id));
        (rows, next_cursor)
    }
}

fn encode_time_cursor(at: NaiveDateTime, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("t:{}:{id}", at.and_utc().timestamp_micros()))
}

fn decode_time_cursor(cursor: &str) -> AppResult<(NaiveDateTime, i64)> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| {
            let mut parts = text.strip_prefix("t:")?.split(':');
            let micros: i64 = parts.next()?.parse().ok()?;
            let id: i64 = parts.next()?.parse().ok()?;
            let at = chrono::DateTime::from_timestamp_micros(micros)?.naive_utc();
            Some((at, id))
        })
        .ok_or_else(|| AppError::invalid("cursor", "Use the next_cursor of a previous page."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_through_rows_with_cursors() {
        let rows: Vec<i64> = (1..=5).rev().collect();
        let page = IdPage {
            before_id: None,
            limit: 2,
        };
        let first = page.finish(rows[..3].to_vec(), |r| *r, |r| r);
        assert_eq!(first.items, [5, 4]);
        let cursor = first.next_cursor.unwrap();
        assert_eq!(decode(&cursor).unwrap(), 4);
        let last = page.finish(vec![1], |r| *r, |r| r);
        assert_eq!(last.next_cursor, None);
    }

    #[test]
    fn rejects_foreign_cursors() {
        assert!(decode("not-a-cursor").is_err());
        assert!(decode(&URL_SAFE_NO_PAD.encode("id:x")).is_err());
    }
}
