//! `GET /__admin/namespaces`, `POST /__admin/namespaces`, `DELETE /__admin/namespaces/{name}`.
//!
//! A namespace is created on first use from the server's fixture; `POST` creates one ahead,
//! optionally from its own fixture: `{"name": "t1", "fixture": "<YAML text>"}` (a JSON object
//! in the fixture format works too), or `{"name": "t1", "fixture_name": "default"}` for a
//! fixture compiled into the binary. Past `--max-namespaces` the answer is 429 with the limit
//! named; the default namespace counts towards it and cannot be deleted.

use std::sync::Arc;

use http::StatusCode;
use serde_json::{Value, json};

use super::{Answer, Incoming, body_json, error, ok};
use crate::app::App;
use crate::fixture::Fixture;
use crate::namespace::{DEFAULT_NAMESPACE, NamespaceError};

/// The most namespaces one page of `GET /__admin/namespaces?limit=` shows.
pub const MAX_PAGE: usize = 1000;

/// `GET /__admin/namespaces`: every namespace, by name (the default first); `contains=` keeps
/// those whose name contains it, `offset=` and `limit=` (at most [`MAX_PAGE`]) page them.
/// Without `limit` every match is listed, as before paging existed. `count` is every
/// namespace, `matched` those `contains` kept; only the page shown is read.
pub fn list(shared: &Arc<App>, req: &Incoming) -> Answer {
    let params = crate::api::params::Params::from_query(&req.query);
    let number = |key: &str| match params.non_empty(key).map(|v| v.trim().parse::<usize>()) {
        None => Ok(None),
        Some(Ok(n)) => Ok(Some(n)),
        Some(Err(_)) => Err(error(
            StatusCode::BAD_REQUEST,
            format!("\"{key}\" must be a non-negative number"),
        )),
    };
    let (offset, limit) = match (number("offset"), number("limit")) {
        (Ok(o), Ok(l)) => (o.unwrap_or(0), l),
        (Err(a), _) | (_, Err(a)) => return a,
    };
    if limit.is_some_and(|l| l > MAX_PAGE) {
        return error(
            StatusCode::BAD_REQUEST,
            format!("\"limit\" must be at most {MAX_PAGE}"),
        );
    }
    let wanted = params.non_empty("contains").map(|n| n.trim().to_string());
    let all = shared.registry.all();
    let count = all.len();
    let matching: Vec<_> = all
        .into_iter()
        .filter(|ns| wanted.as_deref().is_none_or(|w| ns.name.contains(w)))
        .collect();
    let list: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .map(|ns| describe(ns))
        .collect();
    ok(
        json!({"namespaces": list, "count": count, "matched": matching.len(), "offset": offset, "max": shared.registry.max()}),
        "namespaces",
    )
}

fn describe(ns: &crate::namespace::Namespace) -> Value {
    let (now, frozen) = ns.with_world(|w| (w.now(), w.clock.is_frozen()));
    let j = ns.journal.stats();
    let o = ns.outbox.stats();
    json!({
        "name": ns.name,
        "clock": {"now": now.rfc3339(), "frozen": frozen},
        "journal": {
            "requests": j.len,
            "capacity": j.capacity,
            "recorded": j.recorded,
            "dropped": j.dropped,
            "approx_bytes": j.heap_bytes,
            "bytes": j.bytes,
            "max_bytes": j.max_bytes,
        },
        "webhooks": {
            "deliveries": o.deliveries,
            "open": o.open,
            "unaddressed_events": o.unaddressed,
        },
    })
}

pub async fn create(shared: &Arc<App>, req: &Incoming) -> Answer {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(a) => return a,
    };
    let Some(name) = body.get("name").and_then(Value::as_str).map(str::trim) else {
        return error(
            StatusCode::BAD_REQUEST,
            "give {\"name\": \"my-test\"} and optionally \"fixture\" (YAML text) or \"fixture_name\"",
        );
    };
    if name == DEFAULT_NAMESPACE || shared.registry.find(name).is_some() {
        return error(
            StatusCode::CONFLICT,
            format!(
                "namespace {name:?} exists; DELETE /__admin/namespaces/{name} first, or reset it with POST /__admin/reset and the header X-Wabasim-Namespace: {name}"
            ),
        );
    }
    if !crate::namespace::valid_name(name) {
        return error(
            StatusCode::BAD_REQUEST,
            NamespaceError::BadName(name.to_string()).to_string(),
        );
    }
    let fixture = match (body.get("fixture"), body.get("fixture_name")) {
        (None, None) => return created(shared, name, shared.registry.fixture(), None, false).await,
        (Some(_), Some(_)) => {
            return error(
                StatusCode::BAD_REQUEST,
                "give \"fixture\" or \"fixture_name\", not both",
            );
        }
        (Some(f), None) => {
            let text = match f {
                Value::String(s) => s.clone(),
                Value::Object(_) => f.to_string(),
                _ => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "\"fixture\" must be the fixture's YAML text (or a JSON object)",
                    );
                }
            };
            let built = match super::fixture::parse_upload(text, format!("namespace {name}")).await
            {
                Ok(b) => b,
                Err(refused) => return refused,
            };
            return created(shared, name, Arc::new(built.0), Some(built.1), true).await;
        }
        (None, Some(n)) => match n.as_str().and_then(Fixture::named) {
            Some(f) => Arc::new(f),
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "unknown fixture_name {n}; compiled-in fixtures: {}",
                        crate::fixture::NAMES.join(", ")
                    ),
                );
            }
        },
    };
    created(shared, name, fixture, None, true).await
}

/// Creates the namespace from `fixture` (its world built already, or built here on the
/// blocking pool); `own` when the request gave the fixture (the answer counts what it loaded).
async fn created(
    shared: &Arc<App>,
    name: &str,
    fixture: Arc<Fixture>,
    built: Option<(crate::world::World, Vec<crate::faults::Fault>)>,
    own: bool,
) -> Answer {
    let counts = own.then(|| super::fixture::loaded(&fixture));
    let (owner, name_owned) = (shared.clone(), name.to_string());
    let made = tokio::task::spawn_blocking(move || {
        let built = match built {
            Some(b) => b,
            None => fixture
                .instantiate_shared()
                .map_err(|e| NamespaceError::Fixture(e.to_string()))?,
        };
        owner.registry.create_built(&name_owned, fixture, built)
    })
    .await
    .unwrap_or_else(|e| Err(NamespaceError::Fixture(e.to_string())));
    match made {
        Ok(ns) => {
            let mut body = json!({"name": ns.name, "created": true});
            if let Some(counts) = counts {
                body["loaded"] = counts;
            }
            let mut a = ok(body, "create_namespace");
            a.status = StatusCode::CREATED;
            a
        }
        Err(e @ NamespaceError::TooMany { .. }) => {
            error(StatusCode::TOO_MANY_REQUESTS, e.to_string())
        }
        Err(
            e @ (NamespaceError::BadName(_)
            | NamespaceError::Repeated
            | NamespaceError::Unknown(_)
            | NamespaceError::Disagrees { .. }),
        ) => error(StatusCode::BAD_REQUEST, e.to_string()),
        Err(e @ NamespaceError::Fixture(_)) => error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

pub fn delete(shared: &Arc<App>, name: &str) -> Answer {
    if name == DEFAULT_NAMESPACE {
        return error(
            StatusCode::BAD_REQUEST,
            "the default namespace cannot be deleted; reset it with POST /__admin/reset",
        );
    }
    if shared.registry.remove(name) {
        ok(json!({"deleted": name}), "delete_namespace")
    } else {
        error(
            StatusCode::NOT_FOUND,
            format!("no namespace {name:?}; GET /__admin/namespaces lists them"),
        )
    }
}
