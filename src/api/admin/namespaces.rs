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
use crate::fixture::Fixture;
use crate::namespace::{DEFAULT_NAMESPACE, NamespaceError};
use crate::server::Shared;

/// Fixtures compiled into the binary, by name.
pub const FIXTURE_NAMES: &[&str] = &["default"];

fn named_fixture(name: &str) -> Option<Fixture> {
    match name {
        "default" => Some(Fixture::default_world()),
        _ => None,
    }
}

pub fn list(shared: &Arc<Shared>) -> Answer {
    let all = shared.registry.all();
    let list: Vec<Value> = all
        .iter()
        .map(|ns| {
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
                },
                "webhooks": {
                    "deliveries": o.deliveries,
                    "open": o.open,
                    "unaddressed_events": o.unaddressed,
                },
            })
        })
        .collect();
    ok(
        json!({"namespaces": list, "count": all.len(), "max": shared.registry.max()}),
        "namespaces",
    )
}

pub fn create(shared: &Arc<Shared>, req: &Incoming) -> Answer {
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
    let fixture = match (body.get("fixture"), body.get("fixture_name")) {
        (None, None) => None,
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
            match Fixture::parse(&text, &format!("namespace {name}")) {
                Ok(f) => Some(f),
                Err(e) => return error(StatusCode::BAD_REQUEST, e.to_string()),
            }
        }
        (None, Some(n)) => match n.as_str().and_then(named_fixture) {
            Some(f) => Some(f),
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "unknown fixture_name {n}; compiled-in fixtures: {}",
                        FIXTURE_NAMES.join(", ")
                    ),
                );
            }
        },
    };
    match shared.registry.create(name, fixture.as_ref()) {
        Ok(ns) => {
            let mut a = ok(
                json!({"name": ns.name, "created": true}),
                "create_namespace",
            );
            a.status = StatusCode::CREATED;
            a
        }
        Err(e @ NamespaceError::TooMany { .. }) => {
            error(StatusCode::TOO_MANY_REQUESTS, e.to_string())
        }
        Err(e @ NamespaceError::BadName(_)) => error(StatusCode::BAD_REQUEST, e.to_string()),
        Err(e @ NamespaceError::Fixture(_)) => error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

pub fn delete(shared: &Arc<Shared>, name: &str) -> Answer {
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
