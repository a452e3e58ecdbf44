//! The Meta Graph API facade: `/{version}/{node}[/{edge}]`.
//!
//! A request is handled in two steps so the server can put scripted faults between them:
//! [`prepare`] reads the request (path, parameters, token) and names the operation;
//! [`execute`] runs it against the world and renders the answer. [`render_error`] renders a
//! scripted domain error in Graph's shape for a prepared request. The operations and their
//! routes are one table, in `op.rs`.

pub mod errors;
mod head;
pub mod op;
pub mod paging;
pub mod render;
pub mod request;

use http::{HeaderValue, Method};

use self::errors::{GraphError, from_domain};
use self::head::Head;
pub use self::head::{early_error, internal_error};
use self::op::classify;
pub use self::op::{NodeKind, Op};
use self::render::{
    PHONE_DEFAULT, PHONE_FIELDS, PHONE_TYPE, TEMPLATE_DEFAULT, TEMPLATE_FIELDS, TEMPLATE_TYPE,
    WABA_DEFAULT, WABA_FIELDS, WABA_TYPE,
};
use self::request::Route;
use super::json::{Arr, Obj};
use super::params::Params;
use super::{Answer, Incoming};
use crate::namespace::Namespace;
use crate::world::template::{NewTemplate, ParameterFormat, TemplateFilter};
use crate::world::vocab::{Category, Quality, Scope, TemplateStatus};
use crate::world::{DomainError, Id, Principal, World};

/// A request read and classified, not yet executed.
pub struct Prepared {
    pub op: Op,
    pub method: Method,
    pub route: Route,
    pub params: Params,
    /// Who is calling: resolved from the token while the node is looked up (one lock).
    who: Result<Principal, DomainError>,
    /// The node id, and for phone numbers also the number's digits: what faults match on.
    pub targets: Vec<String>,
    trace: crate::namespace::TraceId,
    request_id: crate::namespace::TraceId,
    /// `http://host/vNN.N/node[/edge]`, for paging links.
    base_url: String,
    query: String,
}

impl Prepared {
    /// The head of this request's answer.
    fn head(&self) -> Head<'_> {
        Head::new(&self.route.version, &self.trace, &self.request_id)
    }
}

fn method_name(m: &Method) -> &'static str {
    match *m {
        Method::GET => "get",
        Method::POST => "post",
        Method::DELETE => "delete",
        Method::PUT => "put",
        _ => "get",
    }
}

/// Reads the request and names its operation. An unreadable request is answered at once.
pub async fn prepare(ns: &Namespace, req: &Incoming) -> Result<Prepared, Answer> {
    let trace = ns.next_trace_id();
    let request_id = ns.next_trace_id();
    let route = match request::parse_path(&req.path) {
        Ok(r) => r,
        Err(e) => {
            let head = Head::unversioned(&trace, &request_id);
            return Err(head.error(&e, "unmatched", None));
        }
    };
    let head = Head::new(&route.version, &trace, &request_id);
    let mut params = match Params::from_request(req).await {
        Ok(p) => p,
        Err(e) => {
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
    let (kind_and_number, who) = ns.read_world(|w| {
        let who = token.and_then(|t| w.authenticate(&t));
        (node_kind(w, &route.node), who)
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
    let mut targets = Vec::with_capacity(3);
    targets.push(route.node.clone());
    targets.extend(number);
    if op == Op::MigratePhoneNumber || op == Op::AddPhoneNumber {
        if let (Some(cc), Some(n)) = (params.text("cc"), params.text("phone_number")) {
            targets.push(format!("{}{}", cc.trim(), n.trim()));
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
    })
}

fn node_kind(w: &World, node: &str) -> Option<(NodeKind, Option<String>)> {
    let id = crate::world::parse_id(node)?;
    if w.wabas.contains_key(&id) {
        Some((NodeKind::Waba, None))
    } else if let Some(p) = w.phones.get(&id) {
        Some((NodeKind::Phone, Some(p.e164_digits())))
    } else if w.templates.contains_key(&id) {
        Some((NodeKind::Template, None))
    } else {
        None
    }
}

/// Why an operation failed: a rule of the world, or something only Graph checks.
enum Fail {
    Domain(DomainError),
    Graph(GraphError),
}

impl From<DomainError> for Fail {
    fn from(e: DomainError) -> Self {
        Fail::Domain(e)
    }
}

impl From<GraphError> for Fail {
    fn from(e: GraphError) -> Self {
        Fail::Graph(e)
    }
}

/// A successful body, and the WABA whose Business-Use-Case usage the call counts against.
struct Done {
    body: Vec<u8>,
    usage: Option<(Id, u32)>,
}

/// Runs a prepared request against the namespace's world.
pub fn execute(ns: &Namespace, p: &Prepared) -> Answer {
    let head = p.head();
    // Reads share the world (read lock), so they run side by side; changes take it alone.
    let outcome = if p.op.is_read() {
        ns.read_world(|w| run(w, p, read))
    } else {
        ns.with_world(|w| run(w, p, dispatch))
    };
    match outcome {
        Ok(done) => head.ok(done.body, p.op.name(), done.usage),
        Err((Fail::Domain(e), usage)) => {
            head.error(&from_domain(&e, method_name(&p.method)), p.op.name(), usage)
        }
        Err((Fail::Graph(e), usage)) => head.error(&e, p.op.name(), usage),
    }
}

/// Renders a scripted domain error for a prepared request (faults), with the usage header
/// of its node when the node is a WABA or phone number.
pub fn render_error(ns: &Namespace, p: &Prepared, e: &DomainError) -> Answer {
    let head = p.head();
    let usage = ns.with_world(|w| usage_waba(w, &p.route.node).map(|id| (id, w.count_call(id))));
    head.error(&from_domain(e, method_name(&p.method)), p.op.name(), usage)
}

/// A throttled answer for a prepared request (faults): error 80007 (or 130429 when the
/// fault says so) with the node's `X-Business-Use-Case-Usage` at 100% and the time to regain
/// access in minutes (reference meta-graph.md §6.2, §8).
pub fn render_throttle(ns: &Namespace, p: &Prepared, t: &crate::faults::Throttle) -> Answer {
    let head = p.head();
    let e = match t.code {
        Some(130429) => DomainError::ThroughputReached,
        _ => DomainError::RateLimited,
    };
    let mut answer = head.error(&from_domain(&e, method_name(&p.method)), p.op.name(), None);
    let waba = ns
        .with_world(|w| usage_waba(w, &p.route.node))
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

/// The WABA a node belongs to, for `X-Business-Use-Case-Usage`.
fn usage_waba(w: &World, node: &str) -> Option<Id> {
    let id = crate::world::parse_id(node)?;
    if w.wabas.contains_key(&id) {
        Some(id)
    } else if let Some(p) = w.phones.get(&id) {
        Some(p.waba)
    } else {
        w.templates.get(&id).map(|t| t.waba)
    }
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
    let usage = usage_waba(&w, &p.route.node)
        .filter(|id| {
            w.wabas
                .get(id)
                .is_some_and(|x| who.may_manage(x.business, x.partner))
        })
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
    if needs_management {
        w.require_scope(who, Scope::Management)?;
    } else if !who.scopes.has(Scope::Management) && !who.scopes.has(Scope::Messaging) {
        w.require_scope(who, Scope::Messaging)?;
    }
    Ok(())
}

/// The operations that read: they run under the world's read lock.
fn read(w: &World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let node = p.route.node.as_str();
    match p.op {
        Op::UnknownNode | Op::UnsupportedMethod => Err(DomainError::unknown(node).into()),
        Op::UnknownEdge => {
            // An edge on a node the caller cannot see is still "does not exist".
            match usage_waba(w, node) {
                Some(waba)
                    if w.wabas
                        .get(&waba)
                        .is_some_and(|x| who.may_manage(x.business, x.partner)) =>
                {
                    Err(GraphError::unknown_path(&format!(
                        "/{}",
                        p.route.edge.as_deref().unwrap_or("")
                    ))
                    .into())
                }
                _ => Err(DomainError::unknown(node).into()),
            }
        }
        Op::ListPhoneNumbers => list_phone_numbers(w, who, p),
        Op::GetPhoneNumber => {
            let phone = w.managed_phone(who, node)?;
            let fields = fields(p, PHONE_FIELDS, PHONE_DEFAULT, PHONE_TYPE)?;
            let mut buf = Vec::with_capacity(256);
            let mut o = Obj::new(&mut buf);
            render::phone(&mut o, w, phone, &fields, Some(who));
            o.end();
            Ok(buf)
        }
        Op::GetWaba => get_waba(w, who, p),
        Op::GetTemplate => {
            let id = crate::world::parse_id(node).unwrap_or_default();
            let t = w
                .templates
                .get(&id)
                .ok_or_else(|| DomainError::unknown(node))?;
            w.managed_waba(who, &t.waba.to_string())
                .map_err(|_| DomainError::unknown(node))?;
            let fields = fields(p, TEMPLATE_FIELDS, TEMPLATE_DEFAULT, TEMPLATE_TYPE)?;
            let mut buf = Vec::with_capacity(512);
            let mut o = Obj::new(&mut buf);
            render::template(&mut o, t, &fields);
            o.end();
            Ok(buf)
        }
        Op::ListTemplates => list_templates(w, who, p),
        Op::ListSubscribedApps => {
            let waba = w.managed_waba(who, node)?;
            let mut buf = Vec::with_capacity(256);
            let mut o = Obj::new(&mut buf);
            o.arr("data", |a| {
                for sub in &waba.subscriptions {
                    a.obj(|item| render::subscribed_app(item, w, sub));
                }
            });
            o.end();
            Ok(buf)
        }
        // `execute` sends only `Op::is_read` operations here; anything else is a bug, answered
        // as Graph's unknown error rather than a panic.
        _ => Err(DomainError::InternalError.into()),
    }
}

fn dispatch(w: &mut World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let node = p.route.node.as_str();
    match p.op {
        Op::MigratePhoneNumber => {
            w.managed_waba(who, node)?;
            migrate_flag(p)?;
            let cc = required(&p.params, "cc")?;
            let number = required(&p.params, "phone_number")?;
            let id = w.start_migration(who, node, &cc, &number)?;
            Ok(id_body(id))
        }
        Op::AddPhoneNumber => {
            w.managed_waba(who, node)?;
            migrate_flag(p)?;
            let cc = required(&p.params, "cc")?;
            let number = required(&p.params, "phone_number")?;
            let name = required(&p.params, "verified_name")?;
            let id = w.add_number(who, node, &cc, &number, &name)?;
            Ok(id_body(id))
        }
        Op::SetPin => {
            w.managed_phone(who, node)?;
            let pin = match p.params.get("pin") {
                Some(_) => required(&p.params, "pin")?.into_owned(),
                None => nested_pin(&p.params).ok_or_else(|| missing("pin"))?,
            };
            w.set_pin(who, node, &pin)?;
            Ok(success())
        }
        Op::RequestCode => {
            w.managed_phone(who, node)?;
            let method = required(&p.params, "code_method")?;
            let language = required(&p.params, "language")?;
            w.request_code(who, node, &method, &language)?;
            Ok(success())
        }
        Op::VerifyCode => {
            w.managed_phone(who, node)?;
            let code = required(&p.params, "code")?;
            w.verify_code(who, node, &code)?;
            Ok(success())
        }
        Op::Register => {
            w.managed_phone(who, node)?;
            let product = required(&p.params, "messaging_product")?;
            let pin = required(&p.params, "pin")?;
            let region = p.params.text("data_localization_region");
            w.register(who, node, &product, &pin, region.as_deref())?;
            Ok(success())
        }
        Op::Deregister => {
            w.deregister(who, node)?;
            Ok(success())
        }
        Op::CreateTemplate => create_template(w, who, p),
        Op::DeleteTemplate => {
            w.managed_waba(who, node)?;
            let name = p.params.non_empty("name");
            let hsm = p.params.non_empty("hsm_id");
            if name.is_none() {
                return Err(missing("name").into());
            }
            w.delete_templates(who, node, name.as_deref(), hsm.as_deref())?;
            Ok(success())
        }
        Op::SubscribeApp => {
            w.managed_waba(who, node)?;
            let uri = p.params.text("override_callback_uri");
            let token = p.params.text("verify_token");
            w.subscribe_app(who, node, uri.as_deref(), token.as_deref())?;
            Ok(success())
        }
        Op::UnsubscribeApp => {
            w.unsubscribe_app(who, node)?;
            Ok(success())
        }
        Op::MigrateTemplates => {
            w.managed_waba(who, node)?;
            let source = required(&p.params, "source_waba_id")?;
            let number = |key: &str| -> Result<Option<usize>, Fail> {
                match p.params.non_empty(key) {
                    None => Ok(None),
                    Some(t) => t.trim().parse().map(Some).map_err(|_| {
                        DomainError::param(
                            key,
                            format!("Param {key} must be a non-negative integer"),
                        )
                        .into()
                    }),
                }
            };
            let page_number = number("page_number")?;
            let count = number("count")?;
            let ids = p.params.list("template_ids");
            let report = w.migrate_templates(who, node, &source, page_number, count, ids)?;
            let mut buf = Vec::with_capacity(256);
            let mut o = Obj::new(&mut buf);
            // pywa's MigrateTemplatesResult: ids, and {id, reason} items ([SDK PYWA];
            // which ids are listed is [INF]: the source templates').
            o.arr("migrated_templates", |a| {
                for (source, _) in &report.copied {
                    a.id(*source);
                }
            });
            o.arr("failed_templates", |a| {
                for (source, why) in &report.failed {
                    a.obj(|f| {
                        f.id("id", *source).str("reason", why.reason());
                    });
                }
            });
            o.end();
            Ok(buf)
        }
        _ => read(w, who, p),
    }
}

/// `migrate_phone_number` must be a boolean when present.
fn migrate_flag(p: &Prepared) -> Result<(), DomainError> {
    p.params
        .bool("migrate_phone_number")
        .map(|_| ())
        .map_err(|text| {
            DomainError::param(
                "migrate_phone_number",
                format!("Param migrate_phone_number must be a boolean - got \"{text}\""),
            )
        })
}

fn missing(param: &str) -> DomainError {
    DomainError::param(param, format!("The parameter {param} is required"))
}

fn required<'a>(params: &'a Params, key: &str) -> Result<std::borrow::Cow<'a, str>, DomainError> {
    params.non_empty(key).ok_or_else(|| missing(key))
}

/// OAS models the PIN also as `whatsapp_business_api_data.pin` ([OAS], §3.5).
fn nested_pin(params: &Params) -> Option<String> {
    let data = params.json("whatsapp_business_api_data")?.ok()?;
    data.get("pin")?.as_str().map(str::to_string)
}

fn success() -> Vec<u8> {
    br#"{"success":true}"#.to_vec()
}

fn id_body(id: Id) -> Vec<u8> {
    let mut buf = Vec::with_capacity(32);
    let mut o = Obj::new(&mut buf);
    o.id("id", id);
    o.end();
    buf
}

fn fields(
    p: &Prepared,
    known: &'static [&'static str],
    default: &'static [&'static str],
    node_type: &str,
) -> Result<std::borrow::Cow<'static, [&'static str]>, GraphError> {
    let requested = p.params.text("fields").map(|f| request::field_names(&f));
    render::select(requested.as_deref(), known, default, node_type)
}

fn list_phone_numbers(w: &World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let waba = w.managed_waba(who, &p.route.node)?;
    let field_refs = fields(p, PHONE_FIELDS, PHONE_DEFAULT, PHONE_TYPE)?;
    let phones = render::listed_phones(w, waba);
    let ids: Vec<Id> = phones.iter().map(|ph| ph.id).collect();
    let page = paging::page(&ids, &p.params)?;
    let mut buf = Vec::with_capacity(512);
    let mut o = Obj::new(&mut buf);
    o.arr("data", |a| {
        for phone in &phones[page.start..page.end] {
            a.obj(|item| render::phone(item, w, phone, &field_refs, Some(who)));
        }
    });
    paging::write(&mut o, &ids, &page, &p.base_url, &p.query);
    if let Some(s) = p.params.text("summary")
        && !s.eq_ignore_ascii_case("false")
    {
        o.obj("summary", |s| {
            s.num("total_count", ids.len() as i64);
        });
    }
    o.end();
    Ok(buf)
}

/// An edge expanded inside `GET /{waba}?fields=...`: its sub-fields and page size.
struct Expansion {
    fields: std::borrow::Cow<'static, [&'static str]>,
    limit: usize,
}

/// Graph's field expansion on a WABA (`phone_numbers{id,status}`,
/// `message_templates.limit(2){name}`, `subscribed_apps`): each edge answers in place as a
/// `{"data": [...], "paging": {...}}` connection. Sub-fields are checked before anything is
/// written.
fn get_waba(w: &World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let waba = w.managed_waba(who, &p.route.node)?;
    let fields = fields(p, WABA_FIELDS, WABA_DEFAULT, WABA_TYPE)?;
    let specs = p
        .params
        .text("fields")
        .map(|f| request::field_specs(&f))
        .unwrap_or_default();
    let mut expansions: Vec<(&'static str, Expansion)> = Vec::new();
    for spec in specs
        .iter()
        .filter(|s| render::WABA_EDGES.contains(&s.name.as_str()))
    {
        let sub = spec.sub.as_deref().map(request::field_names);
        let selected = match spec.name.as_str() {
            "phone_numbers" => {
                render::select(sub.as_deref(), PHONE_FIELDS, PHONE_DEFAULT, PHONE_TYPE)?
            }
            "message_templates" => render::select(
                sub.as_deref(),
                TEMPLATE_FIELDS,
                TEMPLATE_DEFAULT,
                TEMPLATE_TYPE,
            )?,
            _ => std::borrow::Cow::Borrowed(&[][..]),
        };
        let name = render::WABA_EDGES
            .iter()
            .find(|e| **e == spec.name)
            .copied()
            .unwrap_or("phone_numbers");
        expansions.push((
            name,
            Expansion {
                fields: selected,
                limit: spec
                    .limit
                    .unwrap_or(paging::DEFAULT_LIMIT)
                    .clamp(1, paging::MAX_LIMIT),
            },
        ));
    }
    let mut buf = Vec::with_capacity(512);
    let mut o = Obj::new(&mut buf);
    let world: &World = w;
    render::waba(&mut o, world, waba, &fields, &mut |o, edge| {
        let Some((_, x)) = expansions.iter().find(|(name, _)| *name == edge) else {
            return;
        };
        o.obj(edge, |conn| match edge {
            "phone_numbers" => {
                let phones = render::listed_phones(world, waba);
                let shown = &phones[..phones.len().min(x.limit)];
                conn.arr("data", |a| {
                    for phone in shown {
                        a.obj(|item| render::phone(item, world, phone, &x.fields, Some(who)));
                    }
                });
                let ids: Vec<Id> = shown.iter().map(|ph| ph.id).collect();
                paging::write_cursors(conn, &ids);
            }
            "message_templates" => {
                let templates: Vec<&crate::world::Template> = waba
                    .templates
                    .iter()
                    .filter_map(|id| world.templates.get(id))
                    .collect();
                let shown = &templates[..templates.len().min(x.limit)];
                conn.arr("data", |a| {
                    for t in shown {
                        a.obj(|item| render::template(item, t, &x.fields));
                    }
                });
                let ids: Vec<Id> = shown.iter().map(|t| t.id).collect();
                paging::write_cursors(conn, &ids);
            }
            _ => {
                conn.arr("data", |a| {
                    for sub in &waba.subscriptions {
                        a.obj(|item| render::subscribed_app(item, world, sub));
                    }
                });
            }
        });
    });
    o.end();
    Ok(buf)
}

fn parse_enum_list<T>(
    p: &Prepared,
    key: &str,
    parse: impl Fn(&str) -> Option<T>,
    names: &[&str],
) -> Result<Vec<T>, DomainError> {
    let Some(items) = p.params.list(key) else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .map(|s| {
            parse(s.trim()).ok_or_else(|| {
                DomainError::param(
                    key,
                    format!(
                        "Param {key}[] must be one of {{{}}} - got \"{s}\"",
                        names.join(", ")
                    ),
                )
            })
        })
        .collect()
}

fn list_templates(w: &World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let waba = w.managed_waba(who, &p.route.node)?;
    let field_refs = fields(p, TEMPLATE_FIELDS, TEMPLATE_DEFAULT, TEMPLATE_TYPE)?;
    let time = |key: &str| -> Result<Option<crate::clock::Timestamp>, DomainError> {
        match p.params.non_empty(key) {
            None => Ok(None),
            Some(t) => {
                let t = t.trim();
                if let Ok(secs) = t.parse::<i64>() {
                    return Ok(Some(crate::clock::Timestamp::from_unix_seconds(secs)));
                }
                crate::clock::Timestamp::parse_rfc3339(t)
                    .map(Some)
                    .map_err(|_| {
                        DomainError::param(
                            key,
                            format!("Param {key} must be a unix time or an ISO 8601 date"),
                        )
                    })
            }
        }
    };
    let filter = TemplateFilter {
        categories: parse_enum_list(p, "category", Category::parse, Category::NAMES)?,
        statuses: parse_enum_list(p, "status", TemplateStatus::parse, TemplateStatus::NAMES)?,
        qualities: parse_enum_list(p, "quality_score", Quality::parse, Quality::NAMES)?,
        languages: p.params.list("language").unwrap_or_default(),
        name: p.params.non_empty("name").map(|s| s.into_owned()),
        content: p.params.non_empty("content").map(|s| s.into_owned()),
        name_or_content: p
            .params
            .non_empty("name_or_content")
            .map(|s| s.into_owned()),
        since: time("since")?,
        until: time("until")?,
    };
    let ids: Vec<Id> = waba
        .templates
        .iter()
        .copied()
        .filter(|id| w.templates.get(id).is_some_and(|t| filter.matches(t)))
        .collect();
    let page = paging::page(&ids, &p.params)?;
    let mut buf = Vec::with_capacity(1024);
    let mut o = Obj::new(&mut buf);
    o.arr("data", |a: &mut Arr<'_>| {
        for id in &ids[page.start..page.end] {
            if let Some(t) = w.templates.get(id) {
                a.obj(|item| render::template(item, t, &field_refs));
            }
        }
    });
    paging::write(&mut o, &ids, &page, &p.base_url, &p.query);
    if let Some(summary) = p.params.text("summary")
        && !summary.eq_ignore_ascii_case("false")
    {
        let wanted: Vec<String> =
            if summary.eq_ignore_ascii_case("true") || summary.trim().is_empty() {
                vec!["total_count".into()]
            } else {
                request::field_names(&summary)
            };
        let limit = w.template_limit(waba);
        let count = w.template_count(waba);
        o.obj("summary", |s| {
            for key in &wanted {
                match key.as_str() {
                    "total_count" => {
                        s.num("total_count", ids.len() as i64);
                    }
                    "message_template_count" => {
                        s.num("message_template_count", count as i64);
                    }
                    "message_template_limit" => {
                        s.num("message_template_limit", limit as i64);
                    }
                    "are_translations_complete" => {
                        s.bool("are_translations_complete", true);
                    }
                    _ => {}
                }
            }
        });
    }
    o.end();
    Ok(buf)
}

fn create_template(w: &mut World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    w.managed_waba(who, &p.route.node)?;
    let name = required(&p.params, "name")?.trim().to_string();
    let language = required(&p.params, "language")?.trim().to_string();
    let category_text = required(&p.params, "category")?;
    let category = Category::parse(category_text.trim()).ok_or_else(|| {
        DomainError::param(
            "category",
            format!(
                "Param category must be one of {{{}}} - got \"{}\"",
                Category::NAMES.join(", "),
                category_text.trim()
            ),
        )
    })?;
    let components = match p.params.json("components") {
        None => return Err(missing("components").into()),
        Some(Err(_)) => {
            return Err(
                DomainError::param("components", "Param components must be a JSON array").into(),
            );
        }
        Some(Ok(v)) if v.is_array() => v,
        Some(Ok(_)) => {
            return Err(
                DomainError::param("components", "Param components must be a JSON array").into(),
            );
        }
    };
    let parameter_format = match p.params.non_empty("parameter_format") {
        None => ParameterFormat::Positional,
        Some(f) => ParameterFormat::parse(f.trim()).ok_or_else(|| {
            DomainError::param(
                "parameter_format",
                format!(
                    "Param parameter_format must be one of {{POSITIONAL, NAMED}} - got \"{}\"",
                    f.trim()
                ),
            )
        })?,
    };
    // PYSDK's `message_send_ttl_seconds` (§4.3): seconds a message may wait for delivery.
    let message_send_ttl_seconds = match p.params.non_empty("message_send_ttl_seconds") {
        None => None,
        Some(t) => Some(
            t.trim()
                .parse::<i64>()
                .ok()
                .filter(|s| *s > 0)
                .ok_or_else(|| {
                    DomainError::param(
                        "message_send_ttl_seconds",
                        "Param message_send_ttl_seconds must be a positive integer",
                    )
                })?,
        ),
    };
    let t = w.create_template_with(
        who,
        &p.route.node,
        NewTemplate {
            name,
            language,
            category,
            components: std::sync::Arc::from(components.to_string()),
            parameter_format,
        },
        crate::world::template::TemplateOptions {
            message_send_ttl_seconds,
            ..Default::default()
        },
    )?;
    let mut buf = Vec::with_capacity(96);
    let mut o = Obj::new(&mut buf);
    o.id("id", t.id)
        .str("status", t.status.as_str())
        .str("category", t.category.as_str());
    o.end();
    Ok(buf)
}
