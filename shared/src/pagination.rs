//! The list convention: `{"items": [...], "next_cursor": "…" | null}` with `?cursor=&limit=`.

use serde::{Deserialize, Serialize};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// One page of a list. `next_cursor` is opaque: pass it back as `?cursor=` for the next page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// `null` on the last page.
    pub next_cursor: Option<String>,
}

/// `?cursor=&limit=` on every list endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
}

impl PageQuery {
    /// The requested page size, or an error message for an out-of-range one.
    pub fn limit(&self) -> Result<u32, String> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(format!("limit must be between 1 and {MAX_LIMIT}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_defaults_and_bounds() {
        assert_eq!(PageQuery::default().limit(), Ok(DEFAULT_LIMIT));
        let q = |n| PageQuery {
            cursor: None,
            limit: Some(n),
        };
        assert_eq!(q(1).limit(), Ok(1));
        assert_eq!(q(200).limit(), Ok(200));
        assert!(q(0).limit().is_err());
        assert!(q(201).limit().is_err());
    }
}
