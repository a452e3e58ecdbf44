//! The 360dialog facade (`d360`): the Partner API as on `hub.360dialog.io/api/v2` and the
//! Messaging API's configuration endpoints and `POST /messages` as on `waba-v2.360dialog.io`, both on wabasim's
//! one port. A request is 360dialog's when its path starts with `/api/v2/` (the Partner
//! API's base URL ends there) or it carries `D360-API-KEY`, or its path is one of the
//! Messaging API's own (`/v1/configs/…`, `/waba_webhook`, `/multi_webhook`,
//! `/whatsapp_business_profile`, `/messages`): a client library then only needs its base URL changed
//! (docs/360dialog.md). `/client-hub/…` plays what a client does in 360dialog's Client Hub,
//! which has no public API (a partner change request).
//!
//! Shaped like the other facades: [`prepare`] matches the route table ([`ROUTES`]) and names
//! the operation; [`execute`] authenticates, brings 360dialog's view up to the world
//! (`model::catch_up`), runs the handler (`partner.rs`, `messaging.rs`) and tells partners
//! what changed (`announce.rs`, which also hears of the world's changes between calls); `errors.rs` is the
//! one `DomainError` → 360dialog table.

mod announce;
pub mod errors;
mod facade;
pub mod fixture;
mod forward;
mod listing;
mod media;
mod messaging;
pub mod model;
mod partner;
mod partner_change;
mod sandbox;
mod send;
mod templates;

use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode};
use serde_json::{Value, json};

use self::errors::{D360Error, Shape};
use super::{Answer, Incoming};
use crate::namespace::Namespace;
use crate::world::{DomainError, World};

pub use self::facade::D360;

/// Which of 360dialog's APIs a route belongs to (how it authenticates and how its errors
/// look).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    /// `POST /api/v2/token`: credentials in the body.
    Token,
    /// The Partner API: `X-API-Key` or a bearer.
    Partner,
    /// The Messaging API's `/v1/configs/*`: `D360-API-KEY`, `meta` errors.
    Configs,
    /// The Messaging API's newer endpoints: `D360-API-KEY`, `{"error"}` errors.
    Messaging,
    /// The Messaging API's proxied Graph send: `D360-API-KEY`, Meta's errors passed through.
    Send,
    /// wabasim's stand-in for the Client Hub (no auth, like `/__admin`).
    ClientHub,
}

macro_rules! routes {
    ($($op:ident, $name:literal, $method:ident, $api:ident, $pattern:literal;)*) => {
        /// The operations of this facade (faults' `match.operation`, the journal).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Op { $($op,)* }

        /// Every route: operation, name, method, API and path pattern (`{x}` = one segment).
        pub const ROUTES: &[(Op, &str, Method, Api, &str)] =
            &[$((Op::$op, $name, Method::$method, Api::$api, $pattern)),*];

        impl Op {
            pub const NAMES: &'static [&'static str] = &[$($name),*];
        }
    };
}

routes! {
    Token, "token", POST, Token, "/api/v2/token";
    GetPartner, "get_partner", GET, Partner, "/api/v2/partners/{pid}";
    UpdatePartner, "update_partner", PATCH, Partner, "/api/v2/partners/{pid}";
    GetWebhookUrl, "get_partner_webhook_url", GET, Partner, "/api/v2/partners/{pid}/webhook_url";
    SetWebhookUrl, "set_partner_webhook_url", POST, Partner, "/api/v2/partners/{pid}/webhook_url";
    GetBalance, "get_partner_balance", GET, Partner, "/api/v2/partners/{pid}/balance";
    ListClients, "list_clients", GET, Partner, "/api/v2/partners/{pid}/clients";
    GetClient, "get_client", GET, Partner, "/api/v2/partners/{pid}/clients/{cid}";
    UpdateClient, "update_client", PATCH, Partner, "/api/v2/partners/{pid}/clients/{cid}";
    GetClientBalance, "get_client_balance", GET, Partner, "/api/v2/partners/{pid}/clients/{cid}/info/balance";
    ListChannels, "list_channels", GET, Partner, "/api/v2/partners/{pid}/channels";
    CreateApiKey, "create_channel_api_key", POST, Partner, "/api/v2/partners/{pid}/channels/{ch}/api_keys";
    ListApiKeys, "list_channel_api_keys", GET, Partner, "/api/v2/partners/{pid}/channels/{ch}/api_keys";
    DeleteApiKeys, "delete_channel_api_keys", DELETE, Partner, "/api/v2/partners/{pid}/channels/{ch}/api_keys";
    ListTemplates, "list_waba_templates", GET, Partner, "/api/v2/partners/{pid}/waba_accounts/{wa}/waba_templates";
    CreateTemplate, "create_waba_template", POST, Partner, "/api/v2/partners/{pid}/waba_accounts/{wa}/waba_templates";
    DeleteTemplate, "delete_waba_template", DELETE, Partner, "/api/v2/partners/{pid}/waba_accounts/{wa}/waba_templates/{tid}";
    MigrateTemplates, "migrate_templates", POST, Partner, "/api/v2/partners/{pid}/waba_accounts/{wa}/migrate_templates";
    SetAutoApprove, "set_partner_change_auto_approve", PATCH, Partner, "/api/v2/partners/{pid}/settings/partner_change_request";
    ListPartnerChanges, "list_partner_change_requests", GET, Partner, "/api/v2/partners/{pid}/selective_partner_change_requests";
    ApprovePartnerChange, "approve_partner_change_request", POST, Partner, "/api/v2/partners/{pid}/selective_partner_change_requests/{pcr}/approve";
    RequestPartnerChange, "client_hub_partner_change", POST, ClientHub, "/client-hub/clients/{cid}/partner_change";
    ChangeHostingType, "client_hub_hosting_type_change", POST, ClientHub, "/client-hub/channels/{ch}/hosting_type_change";
    GetNumberWebhook, "get_webhook", GET, Configs, "/v1/configs/webhook";
    SetNumberWebhook, "set_webhook", POST, Configs, "/v1/configs/webhook";
    ListConfigTemplates, "list_templates", GET, Configs, "/v1/configs/templates";
    CreateConfigTemplate, "create_template", POST, Configs, "/v1/configs/templates";
    DeleteConfigTemplate, "delete_template", DELETE, Configs, "/v1/configs/templates/{name}";
    GetWabaWebhook, "get_waba_webhook", GET, Messaging, "/waba_webhook";
    SetWabaWebhook, "set_waba_webhook", POST, Messaging, "/waba_webhook";
    GetMultiWebhook, "get_multi_webhook", GET, Messaging, "/multi_webhook";
    SetMultiWebhook, "set_multi_webhook", POST, Messaging, "/multi_webhook";
    AddMultiWebhook, "add_multi_webhook", PUT, Messaging, "/multi_webhook";
    UpdateMultiWebhook, "update_multi_webhook", PATCH, Messaging, "/multi_webhook";
    GetProfile, "get_business_profile", GET, Messaging, "/whatsapp_business_profile";
    UpdateProfile, "update_business_profile", POST, Messaging, "/whatsapp_business_profile";
    SendMessage, "send_message", POST, Send, "/messages";
    UploadMedia, "upload_media", POST, Send, "/media";
    DownloadMedia, "download_media", GET, Send, "/whatsapp_business/attachments";
    GetMedia, "get_media", GET, Send, "/{media_id}";
    DeleteMedia, "delete_media", DELETE, Send, "/{media_id}";
    MarkRead, "mark_read", PUT, Send, "/messages/{wamid}";
    SandboxSend, "sandbox_send_message", POST, Configs, "/v1/messages";
    Unmatched, "unmatched", GET, Partner, "";
}

impl Op {
    fn row(self) -> &'static (Op, &'static str, Method, Api, &'static str) {
        ROUTES
            .iter()
            .find(|r| r.0 == self)
            .expect("every operation has a row")
    }

    pub fn name(self) -> &'static str {
        self.row().1
    }

    pub fn api(self) -> Api {
        self.row().3
    }
}

/// Whether a path is one of the Messaging API's own (so a request without its key is still
/// answered in its shape).
pub fn is_messaging_path(path: &str) -> bool {
    path.starts_with("/v1/configs/")
        || matches!(
            path.trim_end_matches('/'),
            "/v1/configs/webhook"
                | "/v1/configs/templates"
                | "/waba_webhook"
                | "/multi_webhook"
                | "/whatsapp_business_profile"
                | "/messages"
                | "/media"
                | "/v1/messages"
        )
        || path.starts_with("/messages/")
}

/// Whether a request is 360dialog's (see the module's doc).
pub fn is_d360_request(path: &str, headers: &http::HeaderMap) -> bool {
    path.starts_with("/api/v2/")
        || path.starts_with("/client-hub/")
        || has_key_header(headers)
        || is_messaging_path(path)
}

/// The Messaging API's key header.
pub const KEY_HEADER: &str = "d360-api-key";

/// Whether `D360-API-KEY` was sent. This runs on every request the server gets: a pass over
/// the request's few header names compares them without hashing one, and the name is made
/// once rather than parsed from text on each lookup.
fn has_key_header(headers: &http::HeaderMap) -> bool {
    const KEY: http::HeaderName = http::HeaderName::from_static(KEY_HEADER);
    headers.keys().any(|name| *name == KEY)
}

/// A request matched to a route, not yet executed.
pub struct Prepared {
    pub op: Op,
    /// The route's `{…}` segments, in order.
    pub args: Vec<String>,
    pub query: String,
    pub body: Bytes,
    pub api_key: Option<String>,
    pub bearer: Option<String>,
    pub d360_key: Option<String>,
    /// The body's `Content-Type` (a media upload is multipart).
    pub content_type: Option<String>,
    /// Where a media object's URL leads: the `Host` the request reached and its namespace
    /// (`get_media` only; empty for the rest).
    pub link: crate::api::graph::media_url::Link,
    pub targets: Vec<String>,
    pub trace: String,
    /// Why an unmatched request matched nothing: 404 (no such path) or 405 (the path
    /// exists for other methods), and the text.
    pub unmatched: Option<(u16, String)>,
}

/// Matches `path` against a pattern, giving its `{…}` segments.
fn match_route(pattern: &str, path: &str) -> Option<Vec<String>> {
    let mut args = Vec::new();
    let mut want = pattern.split('/');
    let mut got = path.trim_end_matches('/').split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return Some(args),
            (Some(w), Some(g)) if w.starts_with('{') && !g.is_empty() => {
                args.push(percent_decode(g));
            }
            (Some(w), Some(g)) if w == g => {}
            _ => return None,
        }
    }
}

/// A path segment with its `%XX` escapes decoded (a `+` stays a `+` in a path).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads the request and names its operation.
pub fn prepare(ns: &Namespace, req: &Incoming) -> Result<Prepared, Answer> {
    let trace = ns.next_trace_id().to_string();
    let mut op = Op::Unmatched;
    let mut args = Vec::new();
    let mut unmatched = Some((
        404,
        format!("no 360dialog route {} {}", req.method, req.path),
    ));
    for (row_op, _, method, _, pattern) in ROUTES.iter().filter(|r| !r.4.is_empty()) {
        if let Some(found) = match_route(pattern, &req.path) {
            if *method == req.method {
                op = *row_op;
                args = found;
                unmatched = None;
                break;
            }
            unmatched = Some((
                405,
                format!("{} is not allowed on {}", req.method, req.path),
            ));
        }
    }
    let header = |name: &str| req.header(name).map(|v| v.trim().to_string());
    let bearer = req
        .header(http::header::AUTHORIZATION)
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_string());
    let mut targets: Vec<String> = args.clone();
    if let Some(key) = header(KEY_HEADER) {
        if let Some(ch) = ns.read_world(|w| model::of(w).channel_by_key(&key).map(|c| c.id.clone()))
        {
            targets.push(ch);
        }
    }
    let op = if unmatched.is_some() {
        Op::Unmatched
    } else {
        op
    };
    Ok(Prepared {
        op,
        args,
        query: req.query.clone(),
        body: req.body.clone(),
        api_key: header("x-api-key"),
        bearer,
        d360_key: header(KEY_HEADER),
        content_type: header("content-type"),
        link: if op == Op::GetMedia {
            crate::api::graph::media_url::Link::of(ns, req)
        } else {
            Default::default()
        },
        targets,
        trace,
        unmatched,
    })
}

/// What a handler answers: a status and a JSON body.
pub type Reply = Result<(u16, Value), D360Error>;

/// Runs a prepared request against the namespace's world.
pub fn execute(ns: &Namespace, p: &Prepared) -> Answer {
    if let Some((status, why)) = &p.unmatched {
        let shape = if p.d360_key.is_some() {
            Shape::Plain
        } else {
            Shape::Meta
        };
        return error_answer(p, &D360Error::new(*status, why.clone()), shape);
    }
    if p.op == Op::DownloadMedia {
        return match ns.read_world(|w| media::download(w, p)) {
            Ok(answer) => answer,
            Err(Err(e)) => error_answer(p, &e, Shape::Plain),
            Err(Ok((status, body))) => ok_answer(p, status, &body),
        };
    }
    let (reply, outgoing, now) = ns.with_world(|w| {
        model::catch_up(w);
        let reply = dispatch(w, p);
        (reply, announce::tell(w), w.now())
    });
    if !outgoing.is_empty() {
        ns.outbox.enqueue(outgoing, now);
    }
    match reply {
        Ok((status, body)) => ok_answer(p, status, &body),
        Err(e) => error_answer(p, &e, shape_for(p, &e)),
    }
}

fn dispatch(w: &mut World, p: &Prepared) -> Reply {
    if sandbox::is_sandbox(p) && matches!(p.op.api(), Api::Configs | Api::Messaging | Api::Send) {
        return sandbox::run(w, p);
    }
    match p.op.api() {
        Api::Token => partner::token(w, p),
        Api::Partner => {
            let partner = partner::authenticate(w, p)?;
            partner::run(w, p, &partner)
        }
        Api::ClientHub => partner_change::client_hub(w, p),
        Api::Configs | Api::Messaging => {
            let channel = messaging::authenticate(w, p)?;
            messaging::run(w, p, &channel)
        }
        Api::Send => {
            let channel = messaging::authenticate(w, p)?;
            match p.op {
                Op::UploadMedia | Op::GetMedia | Op::DeleteMedia => media::run(w, p, &channel),
                Op::MarkRead => send::mark_read(w, p, &channel),
                _ => send::send(w, p, &channel),
            }
        }
    }
}

/// The error shape of a request: the sandbox's are `meta` (§5 #13 [INF]) but for a bad key;
/// otherwise its operation's.
fn shape_for(p: &Prepared, e: &D360Error) -> Shape {
    if sandbox::is_sandbox(p) && e.status != 401 && e.graph.is_none() {
        return Shape::Meta;
    }
    shape_of(p.op, e)
}

/// The error shape of an operation (a bad key on the Messaging API is always `{"error"}`).
fn shape_of(op: Op, e: &D360Error) -> Shape {
    match op.api() {
        Api::Token => Shape::Token,
        Api::Configs if e.status == 401 => Shape::Plain,
        Api::Configs | Api::Partner | Api::ClientHub => Shape::Meta,
        Api::Messaging => Shape::Plain,
        Api::Send if e.graph.is_some() => Shape::Graph,
        Api::Send => Shape::Plain,
    }
}

fn ok_answer(p: &Prepared, status: u16, body: &Value) -> Answer {
    let mut a = Answer::json(
        StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
        serde_json::to_vec(body).unwrap_or_default(),
    );
    a.facade = "d360";
    a.operation = p.op.name();
    a
}

/// Every error answer of a prepared request.
fn error_answer(p: &Prepared, e: &D360Error, shape: Shape) -> Answer {
    let body = match shape {
        Shape::Meta => {
            let mut meta = json!({
                "success": false,
                "http_code": e.status,
                "developer_message": e.message,
                "360dialog_trace_id": p.trace,
            });
            if !e.details.is_empty() {
                meta["details"] = json!(e.details);
            }
            json!({ "meta": meta })
        }
        Shape::Plain => json!({ "error": e.message }),
        Shape::Graph => match &e.graph {
            Some(g) => send::graph_body(g, &p.trace),
            None => json!({ "error": e.message }),
        },
        Shape::Token => json!({
            "error": if e.status == 401 { "invalid_grant" } else { "invalid_request" },
            "error_description": e.message,
        }),
    };
    let mut a = ok_answer(p, e.status, &body);
    a.error = Some(e.code.clone());
    a
}

/// Renders a scripted domain error (faults); `status` replaces the table's.
pub fn render_error(_ns: &Namespace, p: &Prepared, e: &DomainError, status: Option<u16>) -> Answer {
    let mut err = match p.op.api() {
        Api::Send => send::meta(e.clone()),
        _ => errors::from_domain(e),
    };
    if let Some(s) = status {
        err.status = s;
    }
    error_answer(p, &err, shape_for(p, &err))
}

/// A `throttle` fault: 429 in the operation's shape, with `Retry-After` (§4.1).
pub fn render_throttle(_ns: &Namespace, p: &Prepared, t: &crate::faults::Throttle) -> Answer {
    let err = D360Error::rate_limited();
    let mut a = error_answer(p, &err, shape_of(p.op, &err));
    let secs = (t.retry_after.as_millis().max(1000) / 1000).to_string();
    if let Ok(v) = HeaderValue::from_str(&secs) {
        a.headers.insert(http::header::RETRY_AFTER, v);
    }
    a
}

/// An error for requests that never reached the facade (body too large or too slow, a
/// refused namespace), in the Partner API's envelope.
pub fn early_error(status: u16, text: &str) -> Answer {
    let body = json!({"meta": {"success": false, "http_code": status, "developer_message": text}});
    let mut a = Answer::json(
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        serde_json::to_vec(&body).unwrap_or_default(),
    );
    a.facade = "d360";
    a.operation = "unmatched";
    a.error = Some(status.to_string());
    a
}

/// The answer to a request wabasim failed on (a caught panic): "Server error", 500.
pub fn internal_error() -> Answer {
    early_error(500, "Server error")
}

/// A JSON (or, for the Partner API, form-encoded: §1.1) body as an object; empty is `{}`.
pub fn body_object(p: &Prepared) -> Result<serde_json::Map<String, Value>, D360Error> {
    if p.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Map::new());
    }
    match serde_json::from_slice::<Value>(&p.body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(D360Error::wrong_payload("the body must be a JSON object")),
        Err(json_err) => {
            let form: Vec<(String, String)> = form_urlencoded::parse(&p.body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let plausible = matches!(p.op.api(), Api::Partner | Api::Token)
                && !form.is_empty()
                && form
                    .iter()
                    .all(|(k, _)| !k.is_empty() && !k.contains(['{', '"']));
            if plausible {
                Ok(form
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect())
            } else {
                Err(D360Error::wrong_payload(format!(
                    "invalid JSON body: {json_err}"
                )))
            }
        }
    }
}

/// A query parameter, decoded.
pub fn query_param(p: &Prepared, name: &str) -> Option<String> {
    form_urlencoded::parse(p.query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
