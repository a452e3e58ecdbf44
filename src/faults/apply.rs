//! Running a prepared call through the namespace's faults: ask whether one fires, wait out a
//! delay with no lock held, let the world handle the call (or not), and shape what the client
//! gets. Each facade plugs in with one arm per method of [`Prepared`].

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode};
use http_body_util::{Either, Full};
use hyper::body::Frame;

use super::{Call, Decision, Effect, Throttle, When};
use crate::api::{Answer, cams, graph};
use crate::namespace::Namespace;
use crate::world::DomainError;

/// A call a facade has read and classified, not yet run.
pub enum Prepared {
    Graph(graph::Prepared),
    Cams(cams::Prepared),
}

impl Prepared {
    fn facade(&self) -> &'static str {
        match self {
            Prepared::Graph(_) => "graph",
            Prepared::Cams(_) => "cams",
        }
    }

    /// The facade's name for the call's operation.
    pub fn operation(&self) -> &'static str {
        match self {
            Prepared::Graph(p) => p.op.name(),
            Prepared::Cams(p) => p.op.name(),
        }
    }

    fn targets(&self) -> &[String] {
        match self {
            Prepared::Graph(p) => &p.targets,
            Prepared::Cams(p) => &p.targets,
        }
    }

    fn execute(&self, ns: &Namespace) -> Answer {
        match self {
            Prepared::Graph(p) => graph::execute(ns, p),
            Prepared::Cams(p) => cams::execute(ns, p),
        }
    }

    /// A named domain error in the facade's shape; `status` (a fault's) replaces the status
    /// the facade would give it.
    fn render_error(&self, ns: &Namespace, e: &DomainError, status: Option<u16>) -> Answer {
        match self {
            Prepared::Graph(p) => {
                let mut a = graph::render_error(ns, p, e);
                if let Some(s) = status.and_then(|s| StatusCode::from_u16(s).ok()) {
                    a.status = s;
                }
                a
            }
            // Alibaba's shape depends on the status (§6.1 envelope or a result), so the facade
            // applies it.
            Prepared::Cams(p) => cams::render_error(ns, p, e, status),
        }
    }

    fn render_throttle(&self, ns: &Namespace, t: &Throttle) -> Answer {
        match self {
            Prepared::Graph(p) => graph::render_throttle(ns, p, t),
            Prepared::Cams(p) => cams::render_throttle(ns, p, t),
        }
    }
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

/// The connection was closed on purpose (a fault); hyper drops it without an answer.
#[derive(Debug)]
pub struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection closed by a scripted fault")
    }
}

impl std::error::Error for Dropped {}

/// A response body: whole, or cut short.
pub type Body = Either<Full<Bytes>, Truncated>;

/// A body that sends its bytes and then fails, so hyper aborts the connection after them.
/// Its length is unknown to hyper, which therefore trusts the `Content-Length` the head
/// announces: the whole body's.
pub struct Truncated {
    part: Option<Bytes>,
    /// Whether hyper was given one chance to flush what it has before the failure.
    flushed: bool,
}

impl hyper::body::Body for Truncated {
    type Data = Bytes;
    type Error = Dropped;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Dropped>>> {
        if let Some(part) = self.part.take() {
            return Poll::Ready(Some(Ok(Frame::data(part))));
        }
        if !self.flushed {
            // Pending makes hyper flush the head and the part before it polls again.
            self.flushed = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(Some(Err(Dropped)))
    }
}

impl Delivery {
    /// The HTTP response for `answer`, or `Err(Dropped)` to close the connection.
    pub fn respond(self, answer: Answer) -> Result<http::Response<Body>, Dropped> {
        match self {
            Delivery::Whole => Ok(answer.into_response().map(Either::Left)),
            Delivery::Close => Err(Dropped),
            Delivery::Truncate(cut) => {
                // The announced length always exceeds what is sent, so the client sees a cut
                // answer whatever `truncate` asked for (an empty body announces one byte).
                let full = answer.body.len().max(1);
                let part = answer
                    .body
                    .slice(..cut.min(full - 1).min(answer.body.len()));
                let mut response = answer.into_response().map(|_| {
                    Either::Right(Truncated {
                        part: Some(part),
                        flushed: false,
                    })
                });
                response
                    .headers_mut()
                    .insert(http::header::CONTENT_LENGTH, HeaderValue::from(full));
                Ok(response)
            }
        }
    }
}

/// Answers a prepared call, letting the namespace's faults intervene.
pub async fn answer(ns: &Namespace, call: Prepared) -> (Answer, Delivery) {
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
        Some(Effect::Respond(r)) => (raw(&call, &r), Delivery::Whole),
        Some(Effect::Close) => (
            handled.unwrap_or_else(|| never_sent(&call)),
            Delivery::Close,
        ),
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
fn raw(call: &Prepared, r: &super::spec::ResponseSpec) -> Answer {
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
fn never_sent(call: &Prepared) -> Answer {
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
    use crate::api::Incoming;
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
        let (a, d) = answer(&ns, Prepared::Graph(p)).await;
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
        let (a, _) = answer(&ns, Prepared::Graph(p)).await;
        assert_eq!((a.status.as_u16(), a.fault), (200, None));
    }
}
