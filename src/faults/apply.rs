//! Running a prepared call through the namespace's faults: ask whether one fires, wait out a
//! delay with no lock held, let the world handle the call (or not), and say how the answer
//! goes on the wire. A facade plugs in by implementing [`PreparedCall`]; this file names none.

use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode};

use super::{Call, Decision, Effect, Throttle, When};
use crate::namespace::Namespace;
use crate::wire::Answer;
use crate::world::DomainError;

/// A call a facade has read and classified, not yet run: what faults match on, and the
/// facade's ways of answering it.
pub trait PreparedCall: Send + Sync {
    /// The facade's id (`graph`, `cams`).
    fn facade(&self) -> &'static str;
    /// The facade's name for the call's operation.
    fn operation(&self) -> &'static str;
    /// The ids the call acts on (faults' `match.target`).
    fn targets(&self) -> &[String];
    /// Runs the call against the world and renders the answer.
    fn execute(&self, ns: &Namespace) -> Answer;
    /// A named domain error in the facade's shape; `status` (a fault's) replaces the status
    /// the facade would give it.
    fn render_error(&self, ns: &Namespace, e: &DomainError, status: Option<u16>) -> Answer;
    /// A `throttle` fault in the facade's shape.
    fn render_throttle(&self, ns: &Namespace, t: &Throttle) -> Answer;
}

/// How the answer goes on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    Whole,
    /// Close the connection without answering.
    Close,
    /// Announce the whole length, send this many bytes of the body, then close.
    Truncate(usize),
}

/// Answers a prepared call, letting the namespace's faults intervene.
pub async fn answer(ns: &Namespace, call: &dyn PreparedCall) -> (Answer, Delivery) {
    // Without faults (the common case) the world's lock is not taken for the decision.
    if ns.faults.is_empty() {
        return (call.execute(ns), Delivery::Whole);
    }
    let decision = {
        let c = Call {
            facade: call.facade(),
            operation: call.operation(),
            targets: call.targets(),
            namespace: &ns.name,
        };
        ns.faults.decide(&c, ns.now())
    };
    let Some(d) = decision else {
        return (call.execute(ns), Delivery::Whole);
    };
    let Decision {
        id,
        when,
        delay,
        effect,
    } = d;
    // The world's lock is never held here: a delay stalls this request only.
    let handled = match when {
        When::Instead => {
            if let Some(delay) = delay {
                tokio::time::sleep(delay).await;
            }
            None
        }
        When::After => {
            let a = call.execute(ns);
            if let Some(delay) = delay {
                tokio::time::sleep(delay).await;
            }
            Some(a)
        }
    };
    let (mut answer, delivery) = match effect {
        None => (handled.unwrap_or_else(|| call.execute(ns)), Delivery::Whole),
        Some(Effect::Error { name, status }) => {
            let e = ns.with_world(|w| DomainError::from_name(&name, w.now()));
            let e = e.unwrap_or(DomainError::InternalError);
            (call.render_error(ns, &e, status), Delivery::Whole)
        }
        Some(Effect::Throttle(t)) => (call.render_throttle(ns, &t), Delivery::Whole),
        Some(Effect::Respond(r)) => (raw(call, &r), Delivery::Whole),
        Some(Effect::Close) => (handled.unwrap_or_else(|| never_sent(call)), Delivery::Close),
        Some(Effect::Truncate(at)) => {
            let a = handled.unwrap_or_else(|| call.execute(ns));
            let len = a.body.len();
            let cut = at.unwrap_or(len / 2).min(len.saturating_sub(1));
            (a, Delivery::Truncate(cut))
        }
        Some(Effect::Garbage) => {
            let mut a = handled.unwrap_or_else(|| call.execute(ns));
            a.body = garbage(ns, 48);
            (a, Delivery::Whole)
        }
    };
    answer.fault = Some(id);
    (answer, delivery)
}

/// A raw answer from a fault's `response:`.
fn raw(call: &dyn PreparedCall, r: &super::spec::ResponseSpec) -> Answer {
    let (body, json) = match &r.body {
        None => (Bytes::new(), false),
        Some(serde_json::Value::String(s)) => (Bytes::from(s.clone()), false),
        Some(v) => (Bytes::from(v.to_string()), true),
    };
    let mut a = Answer::json(
        StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        body,
    );
    if !json {
        a.headers.remove(http::header::CONTENT_TYPE);
    }
    for (k, v) in &r.headers {
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            a.headers.insert(k, v);
        }
    }
    a.facade = call.facade();
    a.operation = call.operation();
    if r.status >= 400 {
        a.error = Some(r.status.to_string());
    }
    a
}

/// What the journal records for a connection closed before the world saw the call: no
/// status reached the client, so the status here is never sent.
fn never_sent(call: &dyn PreparedCall) -> Answer {
    let mut a = Answer::json(StatusCode::INTERNAL_SERVER_ERROR, Bytes::new());
    a.facade = call.facade();
    a.operation = call.operation();
    a.error = Some("connection_closed".into());
    a
}

/// Bytes that are not JSON nor UTF-8, from the faults' random stream (reproducible per
/// seed, and leaving the world's ids and codes alone).
fn garbage(ns: &Namespace, len: usize) -> Bytes {
    let mut out = Vec::with_capacity(len + 1);
    out.push(0xff);
    out.extend(ns.faults.random_bytes(len));
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Incoming, graph};
    use crate::fixture::Fixture;
    use std::sync::Arc;

    fn get(path: &str) -> Incoming {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "authorization",
            HeaderValue::from_static("Bearer wabasim-new-bsp"),
        );
        Incoming {
            method: http::Method::GET,
            path: path.into(),
            query: String::new(),
            headers,
            body: Bytes::new(),
        }
    }

    #[tokio::test]
    async fn the_answer_names_the_fault_that_shaped_it() {
        let ns = crate::namespace::Namespace::from_fixture("t", Arc::new(Fixture::default_world()))
            .unwrap();
        let spec = serde_saphyr::from_str(
            "{match: {operation: get_waba}, times: 1, when: after, error: internal_error}",
        )
        .unwrap();
        ns.faults.add(&spec, ns.with_world(|w| w.now())).unwrap();
        let p = graph::prepare(&ns, &get("/v23.0/200000000000002"))
            .await
            .ok()
            .unwrap();
        let (a, d) = answer(&ns, &p).await;
        assert_eq!(
            (a.status.as_u16(), a.fault.as_deref()),
            (500, Some("fault-1"))
        );
        assert_eq!(
            (a.facade, a.operation, d),
            ("graph", "get_waba", Delivery::Whole)
        );
        let p = graph::prepare(&ns, &get("/v23.0/200000000000002"))
            .await
            .ok()
            .unwrap();
        let (a, _) = answer(&ns, &p).await;
        assert_eq!((a.status.as_u16(), a.fault), (200, None));
    }
}
