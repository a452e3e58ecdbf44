//! The second step of a Graph request: run the prepared operation against the world and
//! render the answer. Here: choosing the lock (reads share the world), the caller and scope
//! checks every operation makes, the `X-Business-Use-Case-Usage` count, the dispatch to the
//! handlers in `ops/`, and the two answers faults script instead ([`render_error`],
//! [`render_throttle`]).

use std::borrow::Cow;

use http::{HeaderValue, Method, StatusCode};

use super::errors::{GraphError, from_domain};
use super::op::Op;
use super::ops::{Fail, apps, media, messages, phones, registration, signup, templates, waba};
use super::prepare::Prepared;
use crate::api::Answer;
use crate::namespace::Namespace;
use crate::world::vocab::Scope;
use crate::world::{DomainError, Id, Principal, World};

/// A successful body, and the WABA whose Business-Use-Case usage the call counts against.
struct Done {
    body: Vec<u8>,
    usage: Option<(Id, u32)>,
}

/// Runs a prepared request against the namespace's world.
pub fn execute(ns: &Namespace, p: &Prepared) -> Answer {
    let head = p.head();
    // Reads share the world (read lock), so they run side by side; changes take it alone.
    if p.op == Op::DownloadMedia {
        return download(ns, p);
    }
    let outcome = if p.op == Op::ExchangeCode {
        // The one call without an access token: the app's id and secret authenticate it.
        ns.with_world(|w| signup::exchange(w, p))
            .map(|body| Done { body, usage: None })
            .map_err(|f| (f, None))
    } else if p.op.is_read() {
        ns.read_world(|w| run(w, p, read))
    } else {
        ns.with_world(|w| run(w, p, change))
    };
    let mut answer = match outcome {
        Ok(done) => head.ok(done.body, p.op.name(), done.usage),
        Err((Fail::Domain(e), usage)) => head.error(
            &from_domain(&e, &method_name(&p.method)),
            p.op.name(),
            usage,
        ),
        Err((Fail::Graph(e), usage)) => head.error(&e, p.op.name(), usage),
    };
    if matches!(
        p.op,
        Op::SendMessage | Op::UploadMedia | Op::GetMedia | Op::DeleteMedia
    ) {
        messages::usage_as_messaging(&mut answer);
    }
    answer
}

/// `GET /whatsapp_business/attachments/?mid=…&ext=…&hash=…` with the bearer token: the
/// bytes, or a refusal (`media_url.rs`; a token error in Graph's envelope).
fn download(ns: &Namespace, p: &Prepared) -> Answer {
    use crate::world::media::DownloadRefusal;
    let name = p.op.name();
    let outcome = ns.read_world(|w| {
        let Some(url) = super::media_url::parse(&p.params) else {
            return Err(DownloadRefusal::Expired);
        };
        w.download_media(p.who.clone(), &url)
            .map(|m| super::media_url::file("graph", name, m))
    });
    match outcome {
        Ok(answer) => answer,
        Err(DownloadRefusal::Token(e)) => {
            p.head()
                .error(&from_domain(&e, &method_name(&p.method)), name, None)
        }
        Err(r) => super::media_url::refused("graph", name, &r),
    }
}

/// Renders a scripted domain error for a prepared request (faults), with the usage header
/// of its node when the node is a WABA or phone number; `status`, when the fault gives one,
/// replaces the error's own.
pub fn render_error(ns: &Namespace, p: &Prepared, e: &DomainError, status: Option<u16>) -> Answer {
    let usage = ns.with_world(|w| usage_waba(w, p.route.id).map(|id| (id, w.count_call(id))));
    let mut a = p
        .head()
        .error(&from_domain(e, &method_name(&p.method)), p.op.name(), usage);
    if let Some(s) = status.and_then(|s| StatusCode::from_u16(s).ok()) {
        a.status = s;
    }
    a
}

/// A throttled answer for a prepared request (faults): error 80007 (or 130429 when the
/// fault says so) with the node's `X-Business-Use-Case-Usage` at 100% and the time to regain
/// access in minutes (reference meta-graph.md §6.2, §8).
pub fn render_throttle(ns: &Namespace, p: &Prepared, t: &crate::faults::Throttle) -> Answer {
    let e = match t.code {
        Some(130429) => DomainError::ThroughputReached,
        _ => DomainError::RateLimited,
    };
    let mut answer = p
        .head()
        .error(&from_domain(&e, &method_name(&p.method)), p.op.name(), None);
    let waba = ns
        .with_world(|w| usage_waba(w, p.route.id))
        .map(|id| id.to_string())
        .unwrap_or_else(|| p.route.node.clone());
    let minutes = (t.retry_after.as_millis().max(0) as u64).div_ceil(60_000);
    let usage = format!(
        r#"{{"{waba}":[{{"type":"whatsapp_business_management","call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":{minutes}}}]}}"#
    );
    if let Ok(v) = HeaderValue::from_str(&usage) {
        answer.headers.insert("x-business-use-case-usage", v);
    }
    answer
}

/// The method as the unknown-object message quotes it: the one actually used, in lower
/// case, as Graph's `Unsupported post request.` names POST (graph-fidelity-review.md row 12:
/// PATCH, OPTIONS and HEAD were called "get"; docs/fidelity.md, "Behaviour choices"). Error path only.
fn method_name(m: &Method) -> Cow<'static, str> {
    Cow::Borrowed(match *m {
        Method::GET => "get",
        Method::POST => "post",
        Method::DELETE => "delete",
        Method::PUT => "put",
        Method::PATCH => "patch",
        Method::HEAD => "head",
        Method::OPTIONS => "options",
        Method::TRACE => "trace",
        Method::CONNECT => "connect",
        _ => return Cow::Owned(m.as_str().to_ascii_lowercase()),
    })
}

/// The WABA a node (its id, `Route::id`) belongs to, for `X-Business-Use-Case-Usage`.
fn usage_waba(w: &World, node: Option<Id>) -> Option<Id> {
    let id = node?;
    if w.wabas.contains_key(&id) {
        Some(id)
    } else if let Some(p) = w.phones.get(&id) {
        Some(p.waba)
    } else {
        w.templates.get(&id).map(|t| t.waba)
    }
}

/// Whether the caller manages the WABA `id` (only those are counted and named).
fn manages(w: &World, who: &Principal, id: &Id) -> bool {
    w.wabas
        .get(id)
        .is_some_and(|x| who.may_manage(x.business, x.partner))
}

/// The caller, the usage header, then `op` on the world (`W` is `World` or `&mut World`).
fn run<W: std::ops::Deref<Target = World>>(
    w: W,
    p: &Prepared,
    op: impl FnOnce(W, &Principal, &Prepared) -> Result<Vec<u8>, Fail>,
) -> Result<Done, (Fail, Option<(Id, u32)>)> {
    let who = match &p.who {
        Ok(who) => *who,
        Err(e) => return Err((Fail::Domain(e.clone()), None)),
    };
    // Only the caller's own WABAs: counting (and naming) a foreign one in the usage header
    // would tell an unknown id from someone else's, which Graph does not.
    let usage = usage_waba(&w, p.route.id)
        .filter(|id| manages(&w, &who, id))
        .map(|id| (id, w.count_call(id)));
    check_scope(&w, &who, p).map_err(|f| (f, usage))?;
    let body = op(w, &who, p).map_err(|f| (f, usage))?;
    Ok(Done { body, usage })
}

/// Every operation here needs whatsapp_business_management, except reading a phone number,
/// which a messaging-only app also does ([INF]; reference meta-graph.md §6.2).
fn check_scope(w: &World, who: &Principal, p: &Prepared) -> Result<(), Fail> {
    let needs_management = !matches!(
        p.op,
        Op::GetPhoneNumber | Op::UnknownNode | Op::UnknownEdge | Op::UnsupportedMethod
    );
    if matches!(
        p.op,
        Op::SendMessage | Op::UploadMedia | Op::GetMedia | Op::DeleteMedia
    ) {
        // Sending and media are the messaging permission's alone (reference meta-graph.md
        // §6.2; OAS: media needs `whatsapp_business_messaging`).
        w.require_scope(who, Scope::Messaging)?;
    } else if needs_management {
        w.require_scope(who, Scope::Management)?;
    } else if !who.scopes.has(Scope::Management) && !who.scopes.has(Scope::Messaging) {
        w.require_scope(who, Scope::Messaging)?;
    }
    Ok(())
}

/// The operations that read: they run under the world's read lock.
fn read(w: &World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    match p.op {
        Op::GetPhoneNumber => phones::get(w, who, p),
        Op::ListPhoneNumbers => phones::list(w, who, p),
        Op::GetWaba => waba::get(w, who, p),
        Op::GetTemplate => templates::get(w, who, p),
        Op::ListTemplates => templates::list(w, who, p),
        Op::ListSubscribedApps => apps::list(w, who, p),
        Op::DebugToken => signup::debug(w, who, p),
        Op::GetMedia => media::get(w, who, p),
        Op::ListClientWabas => signup::client_wabas(w, who, p),
        Op::ListCreditLines => signup::credit_lines(w, who, p),
        Op::UnknownNode | Op::UnknownEdge | Op::UnsupportedMethod => unmatched(w, who, p),
        // `execute` sends only `Op::is_read` operations here; anything else is a bug, answered
        // as Graph's unknown error rather than a panic.
        _ => Err(DomainError::InternalError.into()),
    }
}

/// The operations that change the world: they hold it alone.
fn change(w: &mut World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    match p.op {
        Op::MigratePhoneNumber => phones::migrate(w, who, p),
        Op::AddPhoneNumber => phones::add(w, who, p),
        Op::SetPin => registration::set_pin(w, who, p),
        Op::RequestCode => registration::request_code(w, who, p),
        Op::VerifyCode => registration::verify_code(w, who, p),
        Op::Register => registration::register(w, who, p),
        Op::Deregister => registration::deregister(w, who, p),
        Op::CreateTemplate => templates::create(w, who, p),
        Op::DeleteTemplate => templates::delete(w, who, p),
        Op::MigrateTemplates => templates::migrate(w, who, p),
        Op::SubscribeApp => apps::subscribe(w, who, p),
        Op::UnsubscribeApp => apps::unsubscribe(w, who, p),
        Op::ShareCreditLine => signup::share_credit_line(w, who, p),
        Op::SendMessage => messages::send(w, who, p),
        Op::UploadMedia => media::upload(w, who, p),
        Op::DeleteMedia => media::delete(w, who, p),
        _ => read(w, who, p),
    }
}

/// What Graph answers a request no operation took: an unknown object (100/33), or, on a
/// node the caller can see, an edge its type does not have for this method read as a field
/// of the node type (code 100; `GraphError::nonexisting_edge`, graph-fidelity-review.md rows
/// 1, 5 and 6). A method a node without an edge does not take stays 100/33.
fn unmatched(w: &World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let node = p.route.node.as_str();
    let edge = match (p.op, p.route.edge.as_deref()) {
        (Op::UnknownEdge | Op::UnsupportedMethod, Some(edge)) => edge,
        _ => return Err(DomainError::unknown(node).into()),
    };
    // An edge on a node the caller cannot see is still "does not exist".
    match usage_waba(w, p.route.id) {
        Some(waba) if manages(w, who, &waba) => {
            Err(GraphError::nonexisting_edge(edge, node_type(w, node)).into())
        }
        _ => Err(DomainError::unknown(node).into()),
    }
}

/// The Graph node type of an existing node, as the nonexisting-field message names it.
fn node_type(w: &World, node: &str) -> &'static str {
    use super::render::{PHONE_TYPE, TEMPLATE_TYPE, WABA_TYPE};
    match crate::world::parse_id(node) {
        Some(id) if w.wabas.contains_key(&id) => WABA_TYPE,
        Some(id) if w.phones.get(&id).is_some() => PHONE_TYPE,
        _ => TEMPLATE_TYPE,
    }
}
