//! `GET /__admin/requests`, `GET /__admin/requests/unmatched`, `POST /__admin/requests/count`:
//! reading the request journal (`crate::journal`).
//!
//! Filters (query string, or the JSON body of `count`): `facade`, `operation`, `method`,
//! `path` (`*` matches within a segment), `status` (`400` or `4xx`), `since`/`until` (world
//! time, RFC 3339), `after` (a request id), `unmatched`, `faulted`, `error`, and `namespace`
//! (default: the caller's; `*`: every namespace). `limit` keeps the newest N of a listing
//! ([`DEFAULT_LIMIT`] when absent); `total` says how many matched. Only the entries shown are
//! copied out of the rings and rendered.

use std::sync::Arc;

use http::StatusCode;
use serde_json::{Value, json};

use super::{Answer, Incoming, body_json, error, ok};
use crate::api::filter::RequestFilter;
use crate::api::params::Params;
use crate::app::App;
use crate::journal::Entry;
use crate::namespace::Namespace;

/// How many requests a listing shows when it gives no `limit` (the newest).
pub const DEFAULT_LIMIT: usize = 1000;

/// The namespaces a read covers.
fn namespaces(
    shared: &App,
    ns: &Arc<Namespace>,
    wanted: Option<&str>,
) -> Result<Vec<Arc<Namespace>>, Answer> {
    match wanted.map(str::trim) {
        None | Some("") => Ok(vec![ns.clone()]),
        Some("*") => Ok(shared.registry.all()),
        Some(name) => shared.registry.find(name).map(|n| vec![n]).ok_or_else(|| {
            error(
                StatusCode::NOT_FOUND,
                format!("no namespace {name:?}; GET /__admin/namespaces lists them"),
            )
        }),
    }
}

pub async fn list(
    shared: &Arc<App>,
    ns: &Arc<Namespace>,
    req: &Incoming,
    only_unmatched: bool,
) -> Answer {
    let params = Params::from_query(&req.query);
    let pairs = params
        .entries()
        .iter()
        .map(|(k, _)| (k.as_str(), params.text(k).unwrap_or_default().into_owned()));
    let mut filter = match RequestFilter::from_pairs(pairs) {
        Ok(f) => f,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    if only_unmatched {
        filter.unmatched = Some(true);
    }
    let limit = match params.non_empty("limit").map(|l| l.trim().parse::<usize>()) {
        None => DEFAULT_LIMIT,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            return error(
                StatusCode::BAD_REQUEST,
                "\"limit\" must be a non-negative number",
            );
        }
    };
    let spaces = match namespaces(shared, ns, params.text("namespace").as_deref()) {
        Ok(s) => s,
        Err(a) => return a,
    };
    // The newest `limit` of each namespace are enough to find the newest `limit` of all.
    let mut total = 0;
    let mut found: Vec<(Entry, &str)> = Vec::new();
    for space in &spaces {
        total += space.journal.count(|e| filter.matches(e));
        found.extend(
            space
                .journal
                .newest_matching(|e| filter.matches(e), limit)
                .into_iter()
                .map(|e| (e, space.name.as_str())),
        );
    }
    if spaces.len() > 1 {
        found.sort_by_key(|(e, _)| e.at);
    }
    if found.len() > limit {
        found.drain(..found.len() - limit);
    }
    let mut out = Vec::with_capacity(found.len());
    for (entry, name) in &found {
        let mut v = entry.render(name).await;
        if entry.is_unmatched()
            && let Some(why) = crate::api::facade::by_id(entry.facade)
                .and_then(|f| f.explain_unmatched(&entry.method, &entry.path))
            && let Value::Object(map) = &mut v
        {
            map.insert("unmatched".into(), why.to_json());
        }
        out.push(v);
    }
    ok(json!({ "requests": out, "total": total }), "requests")
}

pub fn count(shared: &Arc<App>, ns: &Arc<Namespace>, req: &Incoming) -> Answer {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(a) => return a,
    };
    let Value::Object(map) = body else {
        return error(
            StatusCode::BAD_REQUEST,
            "the body must be a JSON object of filters, e.g. {\"operation\": \"register\"}",
        );
    };
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if let Some((key, _)) = map
        .iter()
        .find(|(_, v)| matches!(v, Value::Array(_) | Value::Object(_) | Value::Null))
    {
        return error(
            StatusCode::BAD_REQUEST,
            format!(
                "\"{key}\" takes one value (a string, number or boolean), not a list, object or null"
            ),
        );
    }
    let filter = match RequestFilter::from_pairs(map.iter().map(|(k, v)| (k.as_str(), text(v)))) {
        Ok(f) => f,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let wanted = map.get("namespace").map(text);
    let spaces = match namespaces(shared, ns, wanted.as_deref()) {
        Ok(s) => s,
        Err(a) => return a,
    };
    let count: usize = spaces
        .iter()
        .map(|s| s.journal.count(|e| filter.matches(e)))
        .sum();
    ok(json!({ "count": count }), "requests_count")
}
