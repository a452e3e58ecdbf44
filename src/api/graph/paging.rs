//! Cursor paging of Graph edges (reference meta-graph.md §1: `limit`, `after`, `before`;
//! `next`/`previous` only when those pages exist).
//!
//! A cursor is the base64url of the item's id, so it stays valid while items are added or
//! removed elsewhere in the list.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::errors::GraphError;
use crate::api::json::Obj;
use crate::api::params::Params;
use crate::world::Id;

/// Default page size ([OAS]: 25).
pub const DEFAULT_LIMIT: usize = 25;
/// The largest page this simulator serves.
pub const MAX_LIMIT: usize = 5000;

pub fn cursor(id: Id) -> String {
    URL_SAFE_NO_PAD.encode(id.to_string())
}

fn decode(cursor: &str) -> Option<Id> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.trim().trim_end_matches('='))
        .ok()?;
    crate::world::parse_id(std::str::from_utf8(&bytes).ok()?)
}

/// One page of a list.
pub struct Page {
    pub start: usize,
    pub end: usize,
    pub has_previous: bool,
    pub has_next: bool,
    pub limit: usize,
}

fn bad(param: &str, text: &str) -> GraphError {
    GraphError::bad_body(
        400,
        format!("Param {param} is not a valid cursor or limit: {text:?}"),
    )
}

/// Picks the page of `ids` the request asks for.
pub fn page(ids: &[Id], params: &Params) -> Result<Page, GraphError> {
    let limit = match params.non_empty("limit") {
        Some(l) => l
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| bad("limit", &l))?
            .min(MAX_LIMIT),
        None => DEFAULT_LIMIT,
    };
    let position = |param: &str| -> Result<Option<usize>, GraphError> {
        match params.non_empty(param) {
            None => Ok(None),
            Some(c) => {
                let id = decode(&c).ok_or_else(|| bad(param, &c))?;
                Ok(Some(
                    ids.iter()
                        .position(|x| *x == id)
                        .ok_or_else(|| bad(param, &c))?,
                ))
            }
        }
    };
    let (start, end) = if let Some(after) = position("after")? {
        let start = (after + 1).min(ids.len());
        (start, (start + limit).min(ids.len()))
    } else if let Some(before) = position("before")? {
        (before.saturating_sub(limit), before)
    } else {
        (0, limit.min(ids.len()))
    };
    Ok(Page {
        start,
        end,
        has_previous: start > 0,
        has_next: end < ids.len(),
        limit,
    })
}

/// Writes `"paging"` for a page of `ids` (nothing for an empty page). `base_url` is the
/// request's URL without its query; `query` its original query, from which the paging
/// parameters are replaced.
pub fn write(o: &mut Obj<'_>, ids: &[Id], page: &Page, base_url: &str, query: &str) {
    if page.start >= page.end {
        return;
    }
    let before = cursor(ids[page.start]);
    let after = cursor(ids[page.end - 1]);
    let link = |key: &str, value: &str| {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            if k != "after" && k != "before" && k != "limit" {
                ser.append_pair(&k, &v);
            }
        }
        ser.append_pair("limit", &page.limit.to_string());
        ser.append_pair(key, value);
        format!("{base_url}?{}", ser.finish())
    };
    o.obj("paging", |p| {
        p.obj("cursors", |c| {
            c.str("before", &before).str("after", &after);
        });
        if page.has_previous {
            p.str("previous", &link("before", &before));
        }
        if page.has_next {
            p.str("next", &link("after", &after));
        }
    });
}

/// The `"paging"` of an expanded edge: cursors only, which a client uses on the edge's own
/// path (`/{node}/{edge}?after=...`) to read further. Nothing for an empty page.
pub fn write_cursors(o: &mut Obj<'_>, shown: &[Id]) {
    let (Some(first), Some(last)) = (shown.first(), shown.last()) else {
        return;
    };
    o.obj("paging", |p| {
        p.obj("cursors", |c| {
            c.str("before", &cursor(*first))
                .str("after", &cursor(*last));
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_forward_and_back() {
        let ids: Vec<Id> = (1..=5).collect();
        let p = page(&ids, &Params::from_query("limit=2")).unwrap();
        assert_eq!(
            (p.start, p.end, p.has_previous, p.has_next),
            (0, 2, false, true)
        );
        let q = format!("limit=2&after={}", cursor(2));
        let p = page(&ids, &Params::from_query(&q)).unwrap();
        assert_eq!(
            (p.start, p.end, p.has_previous, p.has_next),
            (2, 4, true, true)
        );
        let q = format!("limit=2&after={}", cursor(4));
        let p = page(&ids, &Params::from_query(&q)).unwrap();
        assert_eq!((p.start, p.end, p.has_next), (4, 5, false));
        let q = format!("limit=2&before={}", cursor(3));
        let p = page(&ids, &Params::from_query(&q)).unwrap();
        assert_eq!((p.start, p.end), (0, 2));
        assert!(page(&ids, &Params::from_query("after=zzz")).is_err());
        assert!(page(&ids, &Params::from_query("limit=-1")).is_err());
    }
}
