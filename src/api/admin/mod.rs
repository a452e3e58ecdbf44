//! The control API under `/__admin/`: what a test uses to look inside and steer the
//! simulator. JSON in, JSON out; errors are `{"error": "<what is wrong>"}` with a 4xx status.
//!
//! Every route acts on the namespace the request names (`X-Wabasim-Namespace`). The route
//! table ([`ROUTES`]) is the one list the router, the 405 answers and the OpenAPI document
//! (`openapi.rs`, checked by a test against it) are made from.

mod events;
mod faults;
mod fixture;
mod inbound;
mod journal;
mod messaging;
mod migrations;
mod namespaces;
pub mod openapi;
mod signup;
mod state;
pub mod ui;
mod user_content;
mod webhooks;

use std::sync::Arc;

use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Answer, Incoming};
use crate::app::App;
use crate::clock::{AdvanceError, Duration, Timestamp};
use crate::namespace::Namespace;

/// The control operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Health,
    Reset,
    State,
    Codes,
    Clock,
    ClockAdvance,
    ClockSet,
    ClockFreeze,
    ClockUnfreeze,
    Requests,
    RequestsCount,
    RequestsUnmatched,
    Webhooks,
    AppWebhook,
    Events,
    EventApply,
    Namespaces,
    NamespaceCreate,
    NamespaceDelete,
    OpenApi,
    Faults,
    FaultAdd,
    FaultsClear,
    FaultDelete,
    Fixture,
    EmbeddedSignup,
    Billing,
    Recipients,
    Inbound,
    Snapshot,
    Migrations,
    Ui,
    UiFile,
}

/// One control route: its method, its path (matchit syntax, `{name}` for a parameter) and
/// what it does.
#[derive(Clone, Debug)]
pub struct AdminRoute {
    pub method: Method,
    pub path: &'static str,
    pub route: Route,
}

const fn route(method: Method, path: &'static str, route: Route) -> AdminRoute {
    AdminRoute {
        method,
        path,
        route,
    }
}

/// Every control route. Add a route here and in `openapi.rs` (a test checks both ways).
pub const ROUTES: &[AdminRoute] = &[
    route(Method::GET, "/__admin/health", Route::Health),
    route(Method::POST, "/__admin/reset", Route::Reset),
    route(Method::GET, "/__admin/state", Route::State),
    route(Method::GET, "/__admin/codes", Route::Codes),
    route(Method::GET, "/__admin/clock", Route::Clock),
    route(Method::POST, "/__admin/clock/advance", Route::ClockAdvance),
    route(Method::POST, "/__admin/clock/set", Route::ClockSet),
    route(Method::POST, "/__admin/clock/freeze", Route::ClockFreeze),
    route(
        Method::POST,
        "/__admin/clock/unfreeze",
        Route::ClockUnfreeze,
    ),
    route(Method::GET, "/__admin/requests", Route::Requests),
    route(
        Method::POST,
        "/__admin/requests/count",
        Route::RequestsCount,
    ),
    route(
        Method::GET,
        "/__admin/requests/unmatched",
        Route::RequestsUnmatched,
    ),
    route(Method::GET, "/__admin/webhooks", Route::Webhooks),
    route(
        Method::POST,
        "/__admin/webhooks/apps/{app_id}",
        Route::AppWebhook,
    ),
    route(Method::GET, "/__admin/events", Route::Events),
    route(Method::POST, "/__admin/events", Route::EventApply),
    route(Method::GET, "/__admin/namespaces", Route::Namespaces),
    route(Method::POST, "/__admin/namespaces", Route::NamespaceCreate),
    route(
        Method::DELETE,
        "/__admin/namespaces/{name}",
        Route::NamespaceDelete,
    ),
    route(Method::GET, "/__admin/openapi.json", Route::OpenApi),
    route(Method::GET, "/__admin/faults", Route::Faults),
    route(Method::POST, "/__admin/faults", Route::FaultAdd),
    route(Method::DELETE, "/__admin/faults", Route::FaultsClear),
    route(Method::DELETE, "/__admin/faults/{id}", Route::FaultDelete),
    route(Method::POST, "/__admin/fixture", Route::Fixture),
    route(
        Method::POST,
        "/__admin/embedded_signup",
        Route::EmbeddedSignup,
    ),
    route(Method::GET, "/__admin/billing", Route::Billing),
    route(Method::POST, "/__admin/recipients", Route::Recipients),
    route(Method::POST, "/__admin/inbound", Route::Inbound),
    route(Method::POST, "/__admin/snapshot", Route::Snapshot),
    route(Method::GET, "/__admin/migrations", Route::Migrations),
    route(Method::GET, "/__admin/ui", Route::Ui),
    route(Method::GET, "/__admin/ui/{file}", Route::UiFile),
];

/// Paths to the indexes of their routes in [`ROUTES`] (one path may have several methods).
fn router() -> &'static matchit::Router<Vec<usize>> {
    static ROUTER: std::sync::OnceLock<matchit::Router<Vec<usize>>> = std::sync::OnceLock::new();
    ROUTER.get_or_init(|| {
        let mut paths: Vec<(&str, Vec<usize>)> = Vec::new();
        for (i, r) in ROUTES.iter().enumerate() {
            match paths.iter_mut().find(|(p, _)| *p == r.path) {
                Some((_, list)) => list.push(i),
                None => paths.push((r.path, vec![i])),
            }
        }
        let mut router = matchit::Router::new();
        for (path, list) in paths {
            router
                .insert(path, list)
                .expect("admin routes are distinct");
        }
        router
    })
}

pub fn error(status: StatusCode, message: impl Into<String>) -> Answer {
    let mut a = Answer::json(status, json!({ "error": message.into() }).to_string());
    a.error = Some(status.as_u16().to_string());
    a
}

/// `GET /__admin/health` (answered by the server before any namespace is had: it never
/// creates one): `exists` says whether the namespace it names exists.
pub fn health(namespace: &str, exists: bool) -> Answer {
    let namespace = if namespace.is_empty() {
        crate::namespace::DEFAULT_NAMESPACE
    } else {
        namespace
    };
    ok(
        json!({"status": "ok", "version": env!("CARGO_PKG_VERSION"), "namespace": namespace, "exists": exists}),
        "health",
    )
}

/// `POST /__admin/snapshot`: every namespace written to the `--state` file now (off the
/// async workers: a big world takes a while to encode).
async fn snapshot(shared: &Arc<App>) -> Answer {
    let Some(state) = shared.config.state.clone() else {
        return error(
            StatusCode::CONFLICT,
            "this server was started without --state: there is no file to save to",
        );
    };
    let app = shared.clone();
    let saved = tokio::task::spawn_blocking(move || {
        crate::snapshot::save(&app.registry, &state.path, state.max_bytes)
    })
    .await;
    match saved {
        Ok(Ok(saved)) => ok(
            json!({"saved": saved.path, "namespaces": saved.namespaces, "bytes": saved.bytes}),
            "snapshot",
        ),
        Ok(Err(e)) => error(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
        Err(e) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the save stopped: {e}"),
        ),
    }
}

fn ok(value: Value, op: &'static str) -> Answer {
    let mut a = Answer::json(StatusCode::OK, value.to_string());
    a.operation = op;
    a
}

/// The body as text, for the routes that read YAML or JSON; `Err` says what is wrong with it:
/// `not_utf8`, or `empty` for a blank body.
fn body_text<'r>(req: &'r Incoming, not_utf8: &str, empty: &str) -> Result<&'r str, String> {
    let text = std::str::from_utf8(&req.body).map_err(|_| not_utf8.to_string())?;
    if text.trim().is_empty() {
        return Err(empty.to_string());
    }
    Ok(text)
}

/// The JSON body of a request (an empty body reads as `{}`).
fn body_json(req: &Incoming) -> Result<Value, Answer> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(&req.body).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            format!("the body is not valid JSON: {e}"),
        )
    })
}

pub async fn handle(shared: &Arc<App>, ns: &Arc<Namespace>, req: &Incoming) -> Answer {
    let path = req.path.trim_end_matches('/');
    let Ok(matched) = router().at(path) else {
        return error(
            StatusCode::NOT_FOUND,
            format!(
                "no control route {} {}; the routes are listed by GET /__admin/openapi.json",
                req.method, req.path
            ),
        );
    };
    let Some(found) = matched
        .value
        .iter()
        .map(|i| &ROUTES[*i])
        .find(|r| r.method == req.method)
    else {
        let allowed: Vec<&str> = matched
            .value
            .iter()
            .map(|i| ROUTES[*i].method.as_str())
            .collect();
        let mut a = error(
            StatusCode::METHOD_NOT_ALLOWED,
            format!(
                "{} is not allowed on {}; use {}",
                req.method,
                req.path,
                allowed.join(" or ")
            ),
        );
        if let Ok(v) = http::HeaderValue::from_str(&allowed.join(", ")) {
            a.headers.insert(http::header::ALLOW, v);
        }
        return a;
    };
    let route = found.route;
    let param = |name: &str| matched.params.get(name).unwrap_or("").to_string();
    match route {
        Route::Health => health(&ns.name, true),
        // Back to the fixture the namespace was last loaded from (its faults included); a
        // big world is rebuilt on the blocking pool, not on the workers.
        Route::Reset => {
            let (space, fixture) = (ns.clone(), shared.registry.fixture());
            match tokio::task::spawn_blocking(move || space.reset(fixture)).await {
                Ok(Ok(())) => ok(json!({"reset": ns.name}), "reset"),
                Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
                Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
            }
        }
        Route::State => ok(ns.with_world(|w| state::render(w, &ns.name)), "state"),
        Route::Codes => codes(ns, req),
        Route::Clock => ok(ns.with_world(|w| clock_json(w)), "clock"),
        Route::ClockAdvance => clock_advance(ns, req),
        Route::ClockSet => clock_set(ns, req),
        Route::ClockFreeze => ok(
            ns.with_world(|w| {
                w.clock.freeze();
                clock_json(w)
            }),
            "clock_freeze",
        ),
        Route::ClockUnfreeze => ok(
            ns.with_world(|w| {
                w.clock.unfreeze();
                clock_json(w)
            }),
            "clock_unfreeze",
        ),
        Route::Requests => journal::list(shared, ns, req, false).await,
        Route::RequestsUnmatched => journal::list(shared, ns, req, true).await,
        Route::RequestsCount => journal::count(shared, ns, req),
        Route::Webhooks => webhooks::list(ns, req).await,
        Route::AppWebhook => webhooks::set_app_webhook(ns, req, &param("app_id")),
        Route::Events => webhooks::events(ns),
        Route::EventApply => events::apply(ns, req),
        Route::Namespaces => namespaces::list(shared, req),
        Route::NamespaceCreate => namespaces::create(shared, req).await,
        Route::NamespaceDelete => namespaces::delete(shared, &param("name")),
        Route::OpenApi => ok(openapi::document(), "openapi"),
        Route::Faults => faults::list(ns),
        Route::FaultAdd => faults::add(ns, req),
        Route::FaultsClear => faults::clear(ns),
        Route::FaultDelete => faults::remove(ns, &param("id")),
        Route::Fixture => fixture::load(ns, req).await,
        Route::EmbeddedSignup => signup::run(ns, req),
        Route::Billing => messaging::billing(ns),
        Route::Recipients => messaging::describe(ns, req),
        Route::Inbound => inbound::inbound(ns, req),
        Route::Snapshot => snapshot(shared).await,
        Route::Migrations => migrations::list(ns, req),
        // The server answers these before the token check and the namespace; here for a
        // caller that reaches the table another way (the route is still the one file list).
        Route::Ui | Route::UiFile => ui::serve(path),
    }
}

fn clock_json(w: &crate::world::World) -> Value {
    let now = w.now();
    json!({"now": now.rfc3339(), "unix_ms": now.0, "frozen": w.clock.is_frozen()})
}

/// `{"seconds": N}` or `{"duration": "24h"}`: moves the clock through
/// [`Clock::advance`](crate::clock::Clock::advance), which owns the cap
/// ([`MAX_ADVANCE`](crate::clock::MAX_ADVANCE)), and applies what falls due.
fn clock_advance(ns: &Namespace, req: &Incoming) -> Answer {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(a) => return a,
    };
    let by = match (body.get("seconds"), body.get("duration")) {
        (Some(s), None) => match s.as_f64() {
            Some(secs) if secs.is_finite() && secs >= 0.0 => {
                Duration((secs * 1000.0).min(i64::MAX as f64) as i64)
            }
            _ => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "\"seconds\" must be a non-negative number",
                );
            }
        },
        (None, Some(d)) => match d.as_str().map(Duration::parse) {
            Some(Ok(d)) => d,
            Some(Err(e)) => return error(StatusCode::BAD_REQUEST, e),
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "\"duration\" must be a string such as \"24h\"",
                );
            }
        },
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "give exactly one of {\"seconds\": 86400} or {\"duration\": \"24h\"}",
            );
        }
    };
    let moved = ns.with_world(|w| {
        w.clock.advance(by)?;
        w.catch_up();
        Ok(clock_json(w))
    });
    let answer = match moved {
        Ok(json) => ok(json, "clock_advance"),
        Err(e @ AdvanceError::Backward) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("{e}; use POST /__admin/clock/set to go back"),
            );
        }
        Err(e @ AdvanceError::TooFar) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("{e}; to reach a far date use POST /__admin/clock/set"),
            );
        }
    };
    // Retries may be due now: do not wait for the dispatcher's next tick.
    shared_wake(ns);
    answer
}

/// `{"to": "2026-01-02T00:00:00Z"}`.
fn clock_set(ns: &Namespace, req: &Incoming) -> Answer {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(a) => return a,
    };
    let Some(to) = body.get("to").and_then(Value::as_str) else {
        return error(
            StatusCode::BAD_REQUEST,
            "give {\"to\": \"2026-01-02T00:00:00Z\"}",
        );
    };
    let to = match Timestamp::parse_rfc3339(to) {
        Ok(t) => t,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let answer = ok(
        ns.with_world(|w| {
            w.clock.set(to);
            w.catch_up();
            clock_json(w)
        }),
        "clock_set",
    );
    shared_wake(ns);
    answer
}

/// The verification codes "sent", newest last; `?phone_number_id=` or `?phone_number=`
/// narrows them.
fn codes(ns: &Namespace, req: &Incoming) -> Answer {
    let params = super::params::Params::from_query(&req.query);
    let by_id = params.non_empty("phone_number_id").map(|s| s.into_owned());
    let by_number = params
        .non_empty("phone_number")
        .and_then(|s| crate::world::phone::digits_only(&s));
    // Written directly, keys in serde_json's (sorted) order as before: a test case reads
    // its codes once per migration, and a `Value` tree cost more than the rest of the call.
    // An id that is not a record's id as written ("007") matches none, as before.
    let by_id = by_id.map(|id| crate::world::parse_id(&id).filter(|n| n.to_string() == id));
    let mut buf = Vec::with_capacity(256);
    let mut o = crate::wire::json::Obj::new(&mut buf);
    ns.read_world(|w| {
        o.arr("codes", |a| {
            // Found by the indexes (`world/codes.rs`), not by a scan of every kept code.
            let wanted: Box<dyn Iterator<Item = &crate::world::SentCode> + '_> =
                match (by_id, by_number.as_deref()) {
                    (Some(None), _) => Box::new(std::iter::empty()),
                    (Some(Some(id)), number) => Box::new(
                        w.codes_sent
                            .to_phone(id)
                            .filter(move |c| number.is_none_or(|n| c.e164 == n)),
                    ),
                    (None, Some(number)) => Box::new(w.codes_sent.to_number(number)),
                    (None, None) => Box::new(w.codes_sent.iter()),
                };
            for c in wanted {
                a.obj(|item| {
                    item.str("code", &c.code)
                        .str("language", &c.language)
                        .str("method", c.method.as_str())
                        .str("phone_number", &c.e164)
                        .str("phone_number_id", &c.phone.to_string())
                        .str("sent_at", &c.at.rfc3339());
                });
            }
        });
    });
    o.end();
    let mut a = Answer::json(StatusCode::OK, buf);
    a.operation = "codes";
    a
}

/// Wakes the webhook dispatcher after the clock moved (retries may have fallen due).
fn shared_wake(ns: &Namespace) {
    ns.outbox.wake_dispatcher();
}
