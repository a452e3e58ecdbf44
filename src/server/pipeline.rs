//! One request end to end, in one place for every facade: a caught panic, the admin token,
//! the namespace (its header, or the target a facade reads it from), the body, the facade and the namespace's faults, `--strict` for
//! unmatched requests, and the journal.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use http::StatusCode;
use hyper::body::Incoming as HyperBody;

use super::body::read_body;
use super::recording::Recording;
use super::wire::{self, Body, Dropped};
use crate::api::facade::{Facade, Served, Serving, TargetNamespace};
use crate::api::{self};
use crate::app::{App, Config, NamespacePolicy};
use crate::clock::Stopwatch;
use crate::journal;
use crate::namespace::{DEFAULT_NAMESPACE, NAMESPACE_HEADER, Namespace, NamespaceError};
use crate::wire::{Answer, Incoming};
use bytes::Bytes;

/// `X-Wabasim-Namespace`, built once.
const NAMESPACE: http::HeaderName = http::HeaderName::from_static(NAMESPACE_HEADER);

/// The header that carries the admin token (`Authorization: Bearer` works too).
pub const ADMIN_TOKEN_HEADER: &str = "x-wabasim-admin-token";

/// Who answers a request: the control API, or a vendor facade.
#[derive(Clone, Copy)]
enum Target {
    Admin,
    Vendor(&'static dyn Facade),
}

impl Target {
    fn of(uri: &http::Uri, headers: &http::HeaderMap) -> Target {
        let path = uri.path();
        if path == "/__admin" || path.starts_with("/__admin/") {
            Target::Admin
        } else {
            Target::Vendor(api::facade::claiming(uri, headers))
        }
    }

    /// The request's body, within this target's size limit and the body timeout; `Err` is
    /// the answer to send instead, in the facade's shape.
    /// A facade's media upload (`Facade::is_upload`) may be as large as
    /// `--max-upload-bytes`; any other vendor body as `Config::body_limit`.
    async fn body(self, config: &Config, req: &Incoming, body: HyperBody) -> Result<Bytes, Answer> {
        let upload = matches!(self, Target::Vendor(f) if f.is_upload(&req.method, &req.path));
        let limit = match self {
            Target::Admin => config.admin_body_limit,
            Target::Vendor(_) if upload => config.upload_limit.max(config.body_limit),
            Target::Vendor(_) => config.body_limit,
        };
        read_body(limit, config.body_read_timeout, body)
            .await
            .map_err(|mut e| {
                if upload && e.status == StatusCode::PAYLOAD_TOO_LARGE {
                    e.text.push_str(" for a media upload (--max-upload-bytes)");
                }
                self.early_error(e.status, &e.text)
            })
    }

    /// An answer for a request its facade never classified (body too large or too slow, a
    /// bad namespace header), in the facade's shape.
    fn early_error(self, status: StatusCode, text: &str) -> Answer {
        let mut answer = match self {
            Target::Admin => api::admin::error(status, text),
            Target::Vendor(f) => f.early_error(status, text),
        };
        answer.operation = journal::UNCLASSIFIED;
        answer
    }

    /// The 500 a panicked request answers, in the facade's shape (the control API's
    /// `{"error": ...}`).
    fn internal_error(self) -> Answer {
        match self {
            Target::Admin => api::admin::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error: wabasim failed on this request (a bug: the server log has the details)",
            ),
            Target::Vendor(f) => f.internal_error(),
        }
    }
}

/// Handles one request end to end. `Err` closes the connection without an answer (a
/// scripted fault asked for it).
///
/// A panic anywhere below is caught here (without a task per request: the future is polled
/// inside `catch_unwind`), logged, journaled (status 500, error `wabasim_panic`) and answered
/// 500 in the facade's own shape; the connection and the server keep serving. The world's
/// locks are `parking_lot` locks, which a panic releases without poisoning.
pub async fn handle(
    app: Arc<App>,
    req: http::Request<HyperBody>,
) -> Result<http::Response<Body>, Dropped> {
    let target = Target::of(req.uri(), req.headers());
    match AssertUnwindSafe(serve(&app, req, target))
        .catch_unwind()
        .await
    {
        Ok(response) => response,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("(no message)");
            tracing::error!("a request panicked: {what}; answered 500 (please report this)");
            wire::whole(target.internal_error())
        }
    }
}

/// The request's namespace, as its `X-Wabasim-Namespace` header names it: absent means the
/// default one; a value that is not visible ASCII, or a header sent twice, is refused rather
/// than read as absent (which would act on the default namespace, shared by everyone).
fn namespace_name(headers: &http::HeaderMap) -> Result<Option<&str>, NamespaceError> {
    // A pass over the request's few headers (each value of a repeated one is its own item)
    // compares names without hashing this one on every request.
    let mut values = headers
        .iter()
        .filter(|(name, _)| **name == NAMESPACE)
        .map(|(_, value)| value);
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(NamespaceError::Repeated);
    }
    match first.to_str() {
        Ok(name) => Ok(Some(name)),
        Err(_) => Err(NamespaceError::BadName(
            String::from_utf8_lossy(first.as_bytes()).into_owned(),
        )),
    }
}

/// The namespace a request names, created on first use; `Err` is the refusal to answer, in
/// the target's shape. Creating one builds a world from the server's fixture, which takes
/// long for a big one: that runs on the blocking pool, not on the workers that serve everyone
/// else.
///
/// A facade may name the namespace from the request's target (`Facade::namespace_in_target`:
/// a download URL a namespace handed out, fetched without the header); then the header, if
/// sent, must agree, and a namespace of that name must exist (a download never creates one).
async fn namespace_of(
    shared: &Arc<App>,
    head: (&http::Method, &http::Uri, &http::HeaderMap),
    target: Target,
    watch: &Stopwatch,
) -> Result<Arc<Namespace>, Answer> {
    let (method, uri, headers) = head;
    let refuse = |e: NamespaceError| namespace_refusal(target, &e);
    let name = namespace_name(headers).map_err(refuse)?;
    if let Target::Vendor(facade) = target
        && let Some(named) = facade.namespace_in_target(method, uri)
    {
        return in_target_namespace(shared, target, watch, name, named);
    }
    if let Some(ns) = shared.registry.existing(name).map_err(refuse)? {
        ns.touch(watch);
        return Ok(ns);
    }
    let name = name.unwrap_or_default().trim().to_string();
    if let Target::Vendor(_) = target
        && shared.config.namespaces == NamespacePolicy::Existing
    {
        return Err(refuse(NamespaceError::Unknown(name)));
    }
    let owner = shared.clone();
    tokio::task::spawn_blocking(move || owner.registry.create(&name, None))
        .await
        .unwrap_or_else(|e| Err(NamespaceError::Fixture(e.to_string())))
        .map_err(refuse)
}

/// The namespace a request's target names, if it exists and the header (if sent) names the
/// same one; else the refusal (400) or the facade's answer for an unknown target.
fn in_target_namespace(
    shared: &App,
    target: Target,
    watch: &Stopwatch,
    header: Option<&str>,
    named: TargetNamespace,
) -> Result<Arc<Namespace>, Answer> {
    let canonical = |n: &str| match n.trim() {
        "" => DEFAULT_NAMESPACE.to_string(),
        n => n.to_string(),
    };
    if let Some(h) = header
        && canonical(h) != canonical(&named.name)
    {
        let e = NamespaceError::Disagrees {
            header: h.trim().to_string(),
            target: named.name,
        };
        return Err(namespace_refusal(target, &e));
    }
    match shared.registry.find(&named.name) {
        Some(ns) => {
            ns.touch(watch);
            Ok(ns)
        }
        None => Err(named.unknown),
    }
}

fn namespace_refusal(target: Target, e: &NamespaceError) -> Answer {
    let status = match e {
        NamespaceError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
        NamespaceError::Fixture(_) => StatusCode::INTERNAL_SERVER_ERROR,
        NamespaceError::BadName(_)
        | NamespaceError::Repeated
        | NamespaceError::Unknown(_)
        | NamespaceError::Disagrees { .. } => StatusCode::BAD_REQUEST,
    };
    target.early_error(status, &e.to_string())
}

async fn serve(
    app: &Arc<App>,
    req: http::Request<HyperBody>,
    target: Target,
) -> Result<http::Response<Body>, Dropped> {
    let watch = Stopwatch::start();
    let (parts, body) = req.into_parts();
    // The dashboard's files hold no data (the page asks for the token and sends it with each
    // call it makes), so a browser can open them; they never create a namespace.
    if let Target::Admin = target
        && api::admin::ui::is_ui(&parts.method, parts.uri.path())
    {
        return wire::whole(api::admin::ui::serve(parts.uri.path()));
    }
    if let Target::Admin = target
        && let Some(refused) = admin_token_refusal(&app.config, &parts)
    {
        return wire::whole(refused);
    }
    let incoming = Incoming {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers: parts.headers,
        body: bytes::Bytes::new(),
    };
    if let Target::Admin = target
        && is_health(&incoming)
    {
        return wire::whole(health(app, &incoming.headers));
    }
    let head = (&incoming.method, &parts.uri, &incoming.headers);
    let ns = match namespace_of(app, head, target, &watch).await {
        Ok(ns) => ns,
        Err(mut refused) => {
            if let Target::Vendor(facade) = target {
                // No namespace could be had: the default one records the refusal.
                let default = app.registry.default_namespace();
                Recording::start(default, incoming, facade, watch).finish(&mut refused);
            }
            return wire::whole(refused);
        }
    };
    let facade = match target {
        Target::Vendor(f) => f,
        Target::Admin => return serve_admin(app, &ns, incoming, body).await,
    };
    // From here on the request is journaled however it ends: answered, refused, dropped by
    // its client (status 499) or panicked (500).
    let mut recording = {
        let _now = watch.pin();
        Recording::start(ns.clone(), incoming, facade, watch)
    };
    let uri_len = recording.request().path.len() + recording.request().query.len();
    if uri_len > app.config.max_uri_bytes {
        let mut refused = target.early_error(
            StatusCode::URI_TOO_LONG,
            &format!(
                "The request URI is {uri_len} bytes; this server's limit is {} bytes (--max-uri-bytes)",
                app.config.max_uri_bytes
            ),
        );
        recording.finish(&mut refused);
        return wire::whole(refused);
    }
    // A request without a body (every read) has nothing to wait for or hold to a limit:
    // it skips the reading future (`read_body` would answer an empty body at once).
    if !hyper::body::Body::is_end_stream(&body) {
        match target.body(&app.config, recording.request(), body).await {
            Ok(b) => recording.request_mut().body = b,
            Err(mut refused) => {
                recording.finish(&mut refused);
                return wire::whole(refused);
            }
        }
    }
    if let Err(e) = app.config.params.check(recording.request()) {
        let mut refused = target.early_error(StatusCode::BAD_REQUEST, &e);
        recording.finish(&mut refused);
        return wire::whole(refused);
    }
    #[cfg(test)]
    drill::maybe_panic_early(recording.request());
    let (mut answer, delivery) = {
        let classified = |operation: &'static str| {
            recording.classified(operation);
            #[cfg(test)]
            drill::maybe_panic(&ns, recording.request());
        };
        let call = Serving {
            ns: &ns,
            req: recording.request(),
            classified: &classified,
        };
        // The world reads the request's arrival as its time (one clock read per request);
        // a fault's delay, awaited later, runs unpinned.
        let served = {
            let _now = watch.pin();
            facade.serve(call)
        };
        match served {
            Served::Now(answer, delivery) => (answer, delivery),
            Served::Later(served) => served.await,
        }
    };
    if app.config.strict && answer.operation == journal::UNMATCHED {
        answer = strict(facade, answer, recording.request());
    }
    recording.finish(&mut answer);
    wire::respond(delivery, answer)
}

/// A control-API request: its body, then its route (never journaled, no faults).
async fn serve_admin(
    app: &Arc<App>,
    ns: &Arc<Namespace>,
    mut incoming: Incoming,
    body: HyperBody,
) -> Result<http::Response<Body>, Dropped> {
    // The control API's bodies are fixtures and changes (a fixture's text is one long value):
    // only its query is held to the parameter limits.
    if let Err(e) = app.config.params.check(&incoming) {
        return wire::whole(Target::Admin.early_error(StatusCode::BAD_REQUEST, &e));
    }
    incoming.body = match Target::Admin.body(&app.config, &incoming, body).await {
        Ok(b) => b,
        Err(refused) => return wire::whole(refused),
    };
    #[cfg(test)]
    drill::maybe_panic(ns, &incoming);
    wire::whole(api::admin::handle(app, ns, &incoming).await)
}

fn is_health(req: &Incoming) -> bool {
    req.method == http::Method::GET && req.path.trim_end_matches('/') == "/__admin/health"
}

/// `GET /__admin/health`, open even with `--admin-token`: it names the namespace the request
/// names but never creates one (a flood of probes naming new namespaces would exhaust
/// `--max-namespaces` without a token).
fn health(app: &App, headers: &http::HeaderMap) -> Answer {
    match namespace_name(headers).and_then(|name| Ok((name, app.registry.existing(name)?))) {
        Ok((name, found)) => api::admin::health(
            found
                .as_ref()
                .map_or(name.unwrap_or_default().trim(), |ns| ns.name.as_str()),
            found.is_some(),
        ),
        Err(e) => namespace_refusal(Target::Admin, &e),
    }
}

/// `--strict`: replaces the vendor's generic answer to a request whose shape or method no
/// route has (see `api::unmatched`). Unknown ids keep the vendor's answer.
fn strict(facade: &dyn Facade, answer: Answer, req: &Incoming) -> Answer {
    let Some(why) = facade.explain_unmatched(&req.method, &req.path) else {
        return answer;
    };
    if why.reason == api::unmatched::Reason::UnknownNode {
        return answer;
    }
    let mut loud = Answer::json(
        StatusCode::NOT_FOUND,
        facade.strict_body(&req.method, &req.path, &why),
    );
    loud.facade = answer.facade;
    loud.operation = journal::UNMATCHED;
    loud.error = Some("wabasim_strict".to_string());
    loud
}

/// With `--admin-token`, a control request without the token is refused (401), except the
/// health probe.
fn admin_token_refusal(config: &Config, parts: &http::request::Parts) -> Option<Answer> {
    let expected = config.admin_token.as_deref()?;
    if parts.method == http::Method::GET
        && parts.uri.path().trim_end_matches('/') == "/__admin/health"
    {
        return None;
    }
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let given = header(ADMIN_TOKEN_HEADER).or_else(|| {
        header("authorization").and_then(|a| {
            let (scheme, value) = a.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then_some(value.trim())
        })
    });
    match given {
        Some(g) if same_secret(g, expected) => None,
        Some(_) => Some(api::admin::error(
            StatusCode::UNAUTHORIZED,
            "wrong admin token",
        )),
        None => Some(api::admin::error(
            StatusCode::UNAUTHORIZED,
            "this server requires its admin token on /__admin/: send Authorization: Bearer <token> or X-Wabasim-Admin-Token: <token>",
        )),
    }
}

/// Compares without stopping at the first difference.
fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        diff |= usize::from(a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0));
    }
    diff == 0
}

#[cfg(test)]
mod drill {
    use crate::api::Incoming;
    use crate::namespace::Namespace;

    pub const HEADER: &str = "x-wabasim-test-panic";

    pub fn maybe_panic(ns: &Namespace, req: &Incoming) {
        if req.header(HEADER) == Some("world") {
            ns.with_world(|_| panic!("panic drill ({HEADER})"));
        }
    }

    pub fn maybe_panic_early(req: &Incoming) {
        if req.header(HEADER) == Some("early") {
            panic!("panic drill ({HEADER}: early)");
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    use super::drill::HEADER;
    use crate::api::filter::RequestFilter;

    /// Sends one request on a kept-alive connection and reads one answer (its head and a
    /// body of the announced length).
    async fn exchange(conn: &mut TcpStream, head: &str) -> (u16, Value) {
        conn.write_all(format!("{head}Host: x\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = conn.read(&mut chunk).await.unwrap();
            assert!(
                n > 0,
                "the connection closed: {}",
                String::from_utf8_lossy(&buf)
            );
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).into_owned();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length: "))
                    .and_then(|l| l.trim().parse().ok())
                    .unwrap_or(0);
                if body.len() >= len {
                    let status = head[9..12].parse().unwrap();
                    return (status, serde_json::from_str(&body[..len]).unwrap());
                }
            }
        }
    }

    #[test]
    fn failed_accepts_are_logged_once_per_quiet_period() {
        let mut failures = crate::server::AcceptFailures::default();
        let e = std::io::Error::other("Too many open files");
        for _ in 0..100 {
            failures.note(&e);
        }
        // The first was logged; the other 99 wait for the next line, which counts them.
        assert_eq!(failures.unsaid, 99);
        assert!(failures.last_logged.is_some());
    }

    #[tokio::test]
    async fn a_panicking_request_answers_500_in_its_facades_shape_and_the_server_keeps_serving() {
        let sim = crate::Simulator::start().await.unwrap();
        let mut conn = TcpStream::connect(sim.address()).await.unwrap();
        let auth = "Authorization: Bearer wabasim-new-bsp\r\n";

        // Graph, panicking inside the world's lock after it was classified.
        let (status, body) = exchange(
            &mut conn,
            &format!("GET /v23.0/200000000000002 HTTP/1.1\r\n{auth}{HEADER}: world\r\n"),
        )
        .await;
        assert_eq!(status, 500, "{body}");
        assert_eq!(body["error"]["code"], 1, "{body}");
        assert_eq!(body["error"]["message"], "An unknown error has occurred.");
        // The same connection, the same world: the lock was released.
        let (status, body) = exchange(
            &mut conn,
            &format!("GET /v23.0/200000000000002 HTTP/1.1\r\n{auth}"),
        )
        .await;
        assert_eq!(
            (status, &body["id"]),
            (200, &Value::from("200000000000002"))
        );

        // Alibaba's shape, and a panic before the facade read the request.
        let (status, body) = exchange(
            &mut conn,
            &format!("POST /?Action=QueryChatappBindWaba&Version=2020-06-06 HTTP/1.1\r\n{HEADER}: early\r\n"),
        )
        .await;
        assert_eq!(status, 500, "{body}");
        assert_eq!(body["Code"], "InternalError", "{body}");

        // The control API's shape (not journaled, as no control call is).
        let (status, body) = exchange(
            &mut conn,
            &format!("GET /__admin/state HTTP/1.1\r\n{HEADER}: world\r\n"),
        )
        .await;
        assert_eq!(status, 500, "{body}");
        assert!(
            body["error"].as_str().unwrap().contains("internal error"),
            "{body}"
        );

        // Both vendor panics are in the journal, with what was known of them.
        let journal = sim.journal();
        let panicked = journal.requests(&RequestFilter::new().status(500));
        let seen: Vec<(&str, &str, Option<&str>)> = panicked
            .iter()
            .map(|e| (e.facade, e.operation, e.error.as_deref()))
            .collect();
        assert_eq!(
            seen,
            [
                ("graph", "get_waba", Some("wabasim_panic")),
                ("cams", "unclassified", Some("wabasim_panic")),
            ]
        );
        assert_eq!(journal.count(&RequestFilter::new()), 3);
    }
}
