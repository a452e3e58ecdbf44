//! `GET /__admin/webhooks` (deliveries, with `?wait=`), `POST /__admin/webhooks/apps/{app_id}`
//! (an app's own callback URL) and `GET /__admin/events` (the world's recent events).
//!
//! `?wait=5s` answers as soon as at least one delivery (`count=N`: N) matches the filters,
//! or after the wait with what matches by then. It never holds a lock while waiting (it waits on the outbox's change
//! notification) and never waits longer than [`MAX_WAIT`].

use std::sync::Arc;

use bytes::Bytes;
use http::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};

use super::{Answer, Incoming, body_json, error, ok};
use crate::api::params::Params;
use crate::clock::{Deadline, Duration};
use crate::namespace::Namespace;
use crate::webhooks::outbox::DeliveryView;
use crate::webhooks::{DeliveryFilter, DeliveryState};

/// The longest `?wait=` honoured; longer waits are cut to it.
pub const MAX_WAIT: Duration = Duration::seconds(60);

/// What a listing waits for: how long, and how many matching deliveries end the wait.
struct Wait {
    up_to: Option<Duration>,
    count: usize,
}

fn filter(params: &Params) -> Result<(DeliveryFilter, Wait), String> {
    let mut f = DeliveryFilter::new();
    let mut wait = Wait {
        up_to: None,
        count: 1,
    };
    for (key, _) in params.entries() {
        let value = params.text(key).unwrap_or_default().trim().to_string();
        match key.as_str() {
            "field" => {
                crate::api::facade::check_webhook_field(&value)?;
                f.field = Some(value)
            }
            "waba" | "waba_id" => f.waba = Some(value),
            "app" | "app_id" => f.app = Some(value),
            "state" => {
                f.state = Some(DeliveryState::parse(&value).ok_or_else(|| {
                    format!("invalid state {value:?}: use delivered, pending, failed or expired")
                })?)
            }
            "after" => {
                f.after = Some(
                    value
                        .parse()
                        .map_err(|_| format!("\"after\" must be a delivery id, got {value:?}"))?,
                )
            }
            "wait" => {
                let d = Duration::parse(&value)?;
                if d.0 < 0 {
                    return Err("\"wait\" must not be negative".into());
                }
                wait.up_to = Some(d.min(MAX_WAIT));
            }
            "count" => {
                wait.count =
                    value.parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
                        format!("\"count\" must be a whole number ≥ 1, got {value:?}")
                    })?
            }
            other => {
                return Err(format!(
                    "unknown filter {other:?}; filters are field, waba, app, state, after, wait, count"
                ));
            }
        }
    }
    Ok((f, wait))
}

#[derive(Serialize)]
struct Listing<'a> {
    deliveries: Vec<DeliveryView<'a>>,
}

pub async fn list(ns: &Arc<Namespace>, req: &Incoming) -> Answer {
    let params = Params::from_query(&req.query);
    let (filter, wait) = match filter(&params) {
        Ok(x) => x,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let deadline = Deadline::after(wait.up_to.map_or(0, |w| w.as_millis() as u64));
    let found = loop {
        // Interest is registered before looking, so a change between the look and the
        // wait still wakes us.
        let changed = ns.outbox.changed().notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        let found = ns.outbox.matching(&filter);
        if found.len() >= wait.count || wait.up_to.is_none() || deadline.passed() {
            break found;
        }
        tokio::select! {
            _ = &mut changed => {}
            _ = tokio::time::sleep(deadline.remaining()) => {}
        }
    };
    let listing = Listing {
        deliveries: found.iter().map(|d| d.view()).collect(),
    };
    let body = serde_json::to_vec(&listing).unwrap_or_else(|_| b"{\"deliveries\":[]}".to_vec());
    let mut a = Answer::json(StatusCode::OK, Bytes::from(body));
    a.operation = "webhooks";
    a
}

/// `{"webhook_url": "http://...", "verify_token": "..."}`: the app-level callback (what Meta's
/// App Dashboard sets), in the caller's namespace. `null` removes it. A reset restores the
/// fixture's values.
pub fn set_app_webhook(ns: &Namespace, req: &Incoming, app_id: &str) -> Answer {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(a) => return a,
    };
    let url = match body.get("webhook_url") {
        None => {
            return error(
                StatusCode::BAD_REQUEST,
                "give {\"webhook_url\": \"http://127.0.0.1:9000/hook\", \"verify_token\": \"...\"} (null removes the URL)",
            );
        }
        Some(Value::Null) => None,
        Some(Value::String(u)) if crate::fixture::callback_url("webhook_url", u).is_ok() => {
            Some(u.clone())
        }
        Some(other) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("\"webhook_url\" must be an http(s) URL or null, got {other}"),
            );
        }
    };
    if let Some(u) = &url
        && let Err(e) = ns.callback_allow().check_url(u)
    {
        return error(StatusCode::BAD_REQUEST, format!("\"webhook_url\": {e}"));
    }
    let token = match body.get("verify_token") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) => Some(t.clone()),
        Some(other) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("\"verify_token\" must be a string or null, got {other}"),
            );
        }
    };
    let Some(id) = crate::world::parse_id(app_id) else {
        return error(
            StatusCode::BAD_REQUEST,
            format!("{app_id:?} is not an app id"),
        );
    };
    let done = ns.with_world(|w| {
        w.apps.get_mut(&id).map(|app| {
            app.webhook_url = url;
            if body.get("verify_token").is_some() {
                app.verify_token = token;
            }
            json!({
                "id": app.id.to_string(),
                "name": app.name,
                "webhook_url": app.webhook_url,
                "verify_token": app.verify_token,
            })
        })
    });
    match done {
        Some(app) => ok(app, "set_app_webhook"),
        None => error(
            StatusCode::NOT_FOUND,
            format!("no app {app_id} in namespace {:?}", ns.name),
        ),
    }
}

/// The world's recent events (bounded), each with the payload its webhook carries.
pub fn events(ns: &Namespace) -> Answer {
    let events = ns.events();
    let list: Vec<Value> = ns.with_world(|w| {
        events
            .iter()
            .map(|e| {
                let body = crate::webhooks::payload::envelope(w, e);
                json!({
                    "at": e.at.rfc3339(),
                    "waba_id": e.waba.to_string(),
                    "field": e.kind.field(),
                    "payload": serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null),
                })
            })
            .collect()
    });
    ok(json!({ "events": list }), "events")
}
