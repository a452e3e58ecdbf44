//! The first step of a Graph request: read it (path, parameters, token, the old
//! `method=delete` convention), look its node up and resolve its token under one lock, and
//! name its operation. The result, [`Prepared`], is what faults match on before
//! [`execute`](super::execute) runs it.

use http::Method;

use super::errors::GraphError;
use super::head::Head;
use super::media_url::Link;
use super::op::{NodeKind, Op, classify};
use super::request::{self, Route};
use crate::api::params::{BodyError, Params};
use crate::api::{Answer, Incoming};
use crate::namespace::{Namespace, TraceId};
use crate::world::{DomainError, Principal, World};

/// A request read and classified, not yet executed.
pub struct Prepared {
    pub op: Op,
    pub method: Method,
    pub route: Route,
    pub params: Params,
    /// Who is calling: resolved from the token while the node is looked up (one lock).
    pub(super) who: Result<Principal, DomainError>,
    /// The node id, and for phone numbers also the number's digits: what faults match on.
    pub targets: Vec<String>,
    trace: TraceId,
    request_id: TraceId,
    /// `http://host/vNN.N/node[/edge]`, for paging links.
    pub(super) base_url: String,
    pub(super) query: String,
    /// Where `get_media`'s download URL leads (host and namespace); empty for the rest.
    pub(super) link: Link,
}

impl Prepared {
    /// The head of this request's answer.
    pub(super) fn head(&self) -> Head<'_> {
        Head::new(
            &self.route.version,
            self.trace.as_bytes(),
            self.request_id.as_bytes(),
        )
    }
}

/// Reads the request and names its operation. An unreadable request is answered at once.
pub async fn prepare(ns: &Namespace, req: &Incoming) -> Result<Prepared, Answer> {
    prepare_with(ns, req, Params::from_request(req).await)
}

/// [`prepare`] with the request's parameters already read (`Params::from_request_now` for
/// any body but multipart: no future on the common path).
pub fn prepare_with(
    ns: &Namespace,
    req: &Incoming,
    params: Result<Params, BodyError>,
) -> Result<Prepared, Answer> {
    let trace = ns.next_trace_id();
    let request_id = ns.next_trace_id();
    let route = match request::parse_path(&req.path) {
        Ok(r) => r,
        Err(e) => {
            let head = Head::unversioned(trace.as_bytes(), request_id.as_bytes());
            return Err(head.error(&e, "unmatched", None));
        }
    };
    let mut params = match params {
        Ok(p) => p,
        Err(e) => {
            let head = Head::new(&route.version, trace.as_bytes(), request_id.as_bytes());
            return Err(head.error(&GraphError::bad_body(400, e.to_string()), "unmatched", None));
        }
    };
    let token = request::token(req, &mut params);
    // Graph's old convention: `method=delete` on a POST (facebook-business still knows it).
    let mut method = req.method.clone();
    if method == Method::POST
        && let Some(m) = params.non_empty("method")
        && m.eq_ignore_ascii_case("delete")
    {
        method = Method::DELETE;
    }
    // Only faults read the targets: without any, the number's digits are not written (an
    // allocation per request). A fault added while this request is between here and
    // `facade::run` finds no targets on it, as if it had been added just after.
    let faults = !ns.faults.is_empty();
    let (kind_and_number, who) = ns.read_world(|w| {
        let who = token.and_then(|t| w.authenticate(&t));
        (node_kind(w, &route.node, route.id, faults), who)
    });
    let migrate = match params.bool("migrate_phone_number") {
        Ok(v) => v.unwrap_or(false),
        Err(_) => true,
    };
    let (kind, number) = match kind_and_number {
        Some((kind, number)) => (Some(kind), number),
        None => (None, None),
    };
    let op = classify(&method, kind, route.edge.as_deref(), migrate);
    let mut targets = Vec::new();
    if faults {
        targets.reserve_exact(3);
        targets.push(route.node.clone());
        targets.extend(number);
        if op == Op::MigratePhoneNumber || op == Op::AddPhoneNumber {
            if let (Some(cc), Some(n)) = (params.text("cc"), params.text("phone_number")) {
                targets.push(format!("{}{}", cc.trim(), n.trim()));
            }
        }
    }
    // Only lists write paging links; other answers need neither the URL nor the query.
    let (base_url, query) = if op.is_list() {
        let host = req.header(http::header::HOST).unwrap_or("localhost");
        let base_url = match &route.edge {
            Some(edge) => format!("http://{host}/{}/{}/{edge}", route.version, route.node),
            None => format!("http://{host}/{}/{}", route.version, route.node),
        };
        (base_url, req.query.clone())
    } else {
        (String::new(), String::new())
    };
    // The download URL names the host the client reached and its namespace (`media_url.rs`).
    let link = if op == Op::GetMedia {
        Link::of(ns, req)
    } else {
        Link::default()
    };
    Ok(Prepared {
        op,
        method,
        route,
        params,
        who,
        targets,
        trace,
        request_id,
        base_url,
        query,
        link,
    })
}

/// What the node (`id` when it reads as one) names, and for a phone number its digits (a
/// fault target) if `digits`.
fn node_kind(
    w: &World,
    node: &str,
    id: Option<crate::world::Id>,
    digits: bool,
) -> Option<(NodeKind, Option<String>)> {
    let Some(id) = id else {
        return NodeKind::literal(node).map(|kind| (kind, None));
    };
    if w.wabas.contains_key(&id) {
        Some((NodeKind::Waba, None))
    } else if let Some(p) = w.phones.get(&id) {
        Some((NodeKind::Phone, digits.then(|| p.e164_digits())))
    } else if w.templates.contains_key(&id) {
        Some((NodeKind::Template, None))
    } else if w.businesses.contains_key(&id) {
        Some((NodeKind::Business, None))
    } else if w.credit_line_partner(id).is_some() {
        Some((NodeKind::CreditLine, None))
    } else if w.media.contains(id) {
        Some((NodeKind::Media, None))
    } else {
        None
    }
}
