//! The HTTP server: accepting connections, reading bounded bodies, picking the namespace and
//! the facade, and shutting down gracefully.
//!
//! One port serves every facade: `/__admin/...` is the control API; a request that carries
//! Alibaba's `x-acs-action`/`x-acs-version` headers (or the V2 `Action` and `Version` query
//! parameters) is Alibaba ChatApp; everything else is Graph. A facade's prepared call goes
//! through the namespace's faults (`faults::answer`), which may answer instead, alter the
//! answer, delay it or drop the connection. The lock on a namespace's world is taken only inside
//! a facade's synchronous world call, never across an `.await` here.
//!
//! Cross-cutting steps live in [`handle`], in one place for every facade: a caught panic per
//! request, the admin token, the namespace header, head and body timeouts, `--strict` answers
//! for unmatched requests, and the request journal (a guard that records a request however it
//! ends). [`run`] also runs the
//! webhook dispatcher (`webhooks::dispatch`) for as long as the server serves.

use std::future::Future;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::FutureExt;
use http::StatusCode;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming as Body;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use crate::api::{self, Answer, Incoming};
use crate::clock::{Deadline, Stopwatch, Timestamp};
use crate::faults::{self, Delivery, Dropped};
use crate::journal::{self, Entry};
use crate::namespace::{NAMESPACE_HEADER, Namespace, NamespaceError, Registry};

/// Largest request body a facade reads (Graph): 1 MiB. Larger bodies answer 413 in the
/// facade's error shape.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Largest body the control API reads (fixtures are uploaded there): 16 MiB.
pub const ADMIN_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Server-wide settings.
#[derive(Clone, Debug)]
pub struct Config {
    pub body_limit: usize,
    pub admin_body_limit: usize,
    /// `--strict`: an unmatched request answers a loud error naming the closest route.
    pub strict: bool,
    /// `--admin-token`: when set, `/__admin/` (but `GET /__admin/health`) requires it.
    pub admin_token: Option<String>,
    /// How long a client may take to send a request's head (and how long a kept-alive
    /// connection may stay idle); then the connection is closed.
    pub header_read_timeout: std::time::Duration,
    /// How long a client may take to send a request's body; then it is answered 408.
    pub body_read_timeout: std::time::Duration,
}

/// [`Config::header_read_timeout`] by default: 30 s.
pub const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// [`Config::body_read_timeout`] by default: 30 s.
pub const BODY_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

impl Default for Config {
    fn default() -> Self {
        Config {
            body_limit: BODY_LIMIT,
            admin_body_limit: ADMIN_BODY_LIMIT,
            strict: false,
            admin_token: None,
            header_read_timeout: HEADER_READ_TIMEOUT,
            body_read_timeout: BODY_READ_TIMEOUT,
        }
    }
}

/// `X-Wabasim-Namespace`, built once.
const NAMESPACE: http::HeaderName = http::HeaderName::from_static(NAMESPACE_HEADER);

/// The header that carries the admin token (`Authorization: Bearer` works too).
pub const ADMIN_TOKEN_HEADER: &str = "x-wabasim-admin-token";

/// What every request handler shares.
pub struct Shared {
    pub registry: Registry,
    pub config: Config,
}

/// Which facade a request is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Facade {
    Admin,
    Graph,
    Cams,
}

impl Facade {
    /// The name the journal records, for the facades it records (not the control API).
    fn journal_name(self) -> Option<&'static str> {
        match self {
            Facade::Admin => None,
            Facade::Graph => Some("graph"),
            Facade::Cams => Some("cams"),
        }
    }
}

fn facade_of(uri: &http::Uri, headers: &http::HeaderMap) -> Facade {
    let path = uri.path();
    if path == "/__admin" || path.starts_with("/__admin/") {
        Facade::Admin
    } else if api::cams::is_cams_request(headers, uri.query()) {
        Facade::Cams
    } else {
        Facade::Graph
    }
}

/// Serves connections from `listener` until `shutdown` completes, then lets open
/// connections finish their current request.
pub async fn run(listener: TcpListener, shared: Arc<Shared>, shutdown: impl Future<Output = ()>) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let stop_dispatch = Arc::new(tokio::sync::Notify::new());
    let dispatcher = tokio::spawn(crate::webhooks::dispatch::run(
        shared.clone(),
        stop_dispatch.clone(),
    ));
    tokio::pin!(shutdown);
    let mut accept_failures = AcceptFailures::default();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _peer) = match accepted {
                    Ok(s) => s,
                    Err(e) => {
                        // Out of file descriptors and the like: back off briefly, keep serving.
                        accept_failures.note(&e);
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let header_read_timeout = shared.config.header_read_timeout;
                let shared = shared.clone();
                let service = service_fn(move |req| {
                    let shared = shared.clone();
                    async move { handle(shared, req).await }
                });
                let conn = http1::Builder::new()
                    .keep_alive(true)
                    .timer(TokioTimer::new())
                    .header_read_timeout(header_read_timeout)
                    .serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!("connection ended: {e}");
                    }
                });
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    stop_dispatch.notify_one();
    // Give in-flight requests a moment; then stop regardless.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), graceful.shutdown()).await;
    dispatcher.abort();
}

/// Logs failed accepts at most once every 10 s, with how many were left unsaid: out of file
/// descriptors, accept fails in a tight loop and one line per failure would flood the log.
#[derive(Default)]
struct AcceptFailures {
    last_logged: Option<Deadline>,
    unsaid: u64,
}

impl AcceptFailures {
    const QUIET_MS: u64 = 10_000;

    fn note(&mut self, e: &std::io::Error) {
        if self.last_logged.is_some_and(|quiet| !quiet.passed()) {
            self.unsaid += 1;
            return;
        }
        if self.unsaid > 0 {
            tracing::warn!(
                "accept failed: {e} ({} more failures in the last 10 s not logged)",
                self.unsaid
            );
        } else {
            tracing::warn!("accept failed: {e}");
        }
        self.unsaid = 0;
        self.last_logged = Some(Deadline::after(Self::QUIET_MS));
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
    shared: Arc<Shared>,
    req: http::Request<Body>,
) -> Result<http::Response<faults::Body>, Dropped> {
    let facade = facade_of(req.uri(), req.headers());
    match AssertUnwindSafe(serve(&shared, req, facade))
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
            Delivery::Whole.respond(internal_error(facade))
        }
    }
}

/// The request's namespace, as its `X-Wabasim-Namespace` header names it: absent means the
/// default one; a value that is not visible ASCII, or a header sent twice, is refused rather
/// than read as absent (which would act on the default namespace, shared by everyone).
fn namespace_name(headers: &http::HeaderMap) -> Result<Option<&str>, NamespaceError> {
    let mut values = headers.get_all(NAMESPACE).iter();
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

/// The namespace a request names, created on first use. Creating one builds a world from the
/// server's fixture, which takes long for a big one: that runs on the blocking pool, not on
/// the workers that serve everyone else.
async fn namespace_of(
    shared: &Arc<Shared>,
    headers: &http::HeaderMap,
) -> Result<Arc<Namespace>, NamespaceError> {
    let name = namespace_name(headers)?;
    if let Some(ns) = shared.registry.existing(name)? {
        return Ok(ns);
    }
    let name = name.unwrap_or_default().trim().to_string();
    let owner = shared.clone();
    tokio::task::spawn_blocking(move || owner.registry.create(&name, None))
        .await
        .unwrap_or_else(|e| Err(NamespaceError::Fixture(e.to_string())))
}

fn namespace_refusal(facade: Facade, e: &NamespaceError) -> Answer {
    let status = match e {
        NamespaceError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
        NamespaceError::Fixture(_) => StatusCode::INTERNAL_SERVER_ERROR,
        NamespaceError::BadName(_) | NamespaceError::Repeated => StatusCode::BAD_REQUEST,
    };
    early_error(facade, status, &e.to_string())
}

async fn serve(
    shared: &Arc<Shared>,
    req: http::Request<Body>,
    facade: Facade,
) -> Result<http::Response<faults::Body>, Dropped> {
    let watch = Stopwatch::start();
    let (parts, body) = req.into_parts();
    if facade == Facade::Admin
        && let Some(refused) = admin_token_refusal(&shared.config, &parts)
    {
        return Delivery::Whole.respond(refused);
    }
    let incoming = Incoming {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers: parts.headers,
        body: Bytes::new(),
    };
    let ns = match namespace_of(shared, &incoming.headers).await {
        Ok(ns) => ns,
        Err(e) => {
            let mut refused = namespace_refusal(facade, &e);
            if let Some(name) = facade.journal_name() {
                // No namespace could be had: the default one records the refusal.
                let default = shared.registry.default_namespace();
                Recording::start(default, incoming, name, watch).finish(&mut refused);
            }
            return Delivery::Whole.respond(refused);
        }
    };
    let Some(facade_name) = facade.journal_name() else {
        let mut incoming = incoming;
        incoming.body = match read_body(&shared.config, facade, body).await {
            Ok(b) => b,
            Err(refused) => return Delivery::Whole.respond(refused),
        };
        #[cfg(test)]
        drill::maybe_panic(&ns, &incoming);
        return Delivery::Whole.respond(api::admin::handle(shared, &ns, &incoming).await);
    };
    // From here on the request is journaled however it ends: answered, refused, dropped by
    // its client (status 499) or panicked (500).
    let mut recording = Recording::start(ns.clone(), incoming, facade_name, watch);
    match read_body(&shared.config, facade, body).await {
        Ok(b) => recording.request_mut().body = b,
        Err(mut refused) => {
            recording.finish(&mut refused);
            return Delivery::Whole.respond(refused);
        }
    }
    #[cfg(test)]
    drill::maybe_panic_early(recording.request());
    let (mut answer, delivery) = match facade {
        Facade::Admin => unreachable!("answered above"),
        Facade::Graph => match api::graph::prepare(&ns, recording.request()).await {
            Ok(prepared) => {
                let prepared = faults::Prepared::Graph(prepared);
                recording.classified(prepared.operation());
                #[cfg(test)]
                drill::maybe_panic(&ns, recording.request());
                faults::answer(&ns, prepared).await
            }
            Err(answer) => (answer, Delivery::Whole),
        },
        Facade::Cams => match api::cams::prepare(&ns, recording.request()).await {
            Ok(prepared) => {
                let prepared = faults::Prepared::Cams(prepared);
                recording.classified(prepared.operation());
                #[cfg(test)]
                drill::maybe_panic(&ns, recording.request());
                faults::answer(&ns, prepared).await
            }
            Err(answer) => (answer, Delivery::Whole),
        },
    };
    if shared.config.strict && answer.operation == "unmatched" {
        answer = strict(answer, recording.request());
    }
    recording.finish(&mut answer);
    delivery.respond(answer)
}

/// Reads the whole body, within the facade's size limit and the body timeout. `Err` is the
/// answer to send instead (413, 408 or 400, in the facade's shape).
async fn read_body(config: &Config, facade: Facade, body: Body) -> Result<Bytes, Answer> {
    use hyper::body::Body as _;
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    let limit = match facade {
        Facade::Admin => config.admin_body_limit,
        Facade::Graph | Facade::Cams => config.body_limit,
    };
    let read = tokio::time::timeout(
        config.body_read_timeout,
        Limited::new(body, limit).collect(),
    );
    let e = match read.await {
        Ok(Ok(collected)) => return Ok(collected.to_bytes()),
        Ok(Err(e)) => e,
        Err(_) => {
            return Err(early_error(
                facade,
                StatusCode::REQUEST_TIMEOUT,
                &format!(
                    "The request body did not arrive within {} seconds",
                    config.body_read_timeout.as_secs_f64()
                ),
            ));
        }
    };
    let too_large = e
        .downcast_ref::<http_body_util::LengthLimitError>()
        .is_some();
    Err(if too_large {
        early_error(
            facade,
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("The request body is larger than this server's limit of {limit} bytes"),
        )
    } else {
        early_error(
            facade,
            StatusCode::BAD_REQUEST,
            &format!("The request body could not be read: {e}"),
        )
    })
}

/// A vendor request on its way through the server, journaled when it ends: [`finish`] with
/// the answer, or, if the request future is dropped before (its client went away: status
/// 499, error `client_closed`) or unwinds (a panic: 500, `wabasim_panic`), by `Drop`.
///
/// [`finish`]: Recording::finish
struct Recording {
    ns: Arc<Namespace>,
    /// World time at arrival.
    at: Timestamp,
    /// `None` once journaled.
    request: Option<Incoming>,
    facade: &'static str,
    /// The operation, once the facade has classified the request.
    operation: &'static str,
    watch: Stopwatch,
}

impl Recording {
    fn start(
        ns: Arc<Namespace>,
        request: Incoming,
        facade: &'static str,
        watch: Stopwatch,
    ) -> Recording {
        Recording {
            at: ns.now(),
            ns,
            request: Some(request),
            facade,
            operation: journal::UNCLASSIFIED,
            watch,
        }
    }

    fn request(&self) -> &Incoming {
        self.request.as_ref().expect("journaled only once")
    }

    fn request_mut(&mut self) -> &mut Incoming {
        self.request.as_mut().expect("journaled only once")
    }

    fn classified(&mut self, operation: &'static str) {
        self.operation = operation;
    }

    /// Journals the request with its answer, taking the answer's error and fault.
    fn finish(mut self, answer: &mut Answer) {
        let error = answer.error.take();
        let fault = answer.fault.take();
        self.record(answer.operation, answer.status.as_u16(), error, fault);
    }

    fn record(
        &mut self,
        operation: &'static str,
        status: u16,
        error: Option<String>,
        fault: Option<String>,
    ) {
        let Some(request) = self.request.take() else {
            return;
        };
        let entry = Entry::new(
            self.at,
            request,
            self.facade,
            operation,
            status,
            error,
            fault,
            self.watch.elapsed_micros(),
        );
        self.ns.journal.record(entry);
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        if self.request.is_none() {
            return;
        }
        let (status, error) = if std::thread::panicking() {
            (500, journal::PANICKED)
        } else {
            (journal::CLIENT_CLOSED_STATUS, journal::CLIENT_CLOSED)
        };
        self.record(self.operation, status, Some(error.to_string()), None);
    }
}

/// A test-only way to make a request panic (there is no panic to reach on purpose in the
/// shipped server): a request carrying `x-wabasim-test-panic: world` panics inside the world's
/// lock, after its facade classified it (a control request: before its route runs);
/// `x-wabasim-test-panic: early` panics before the facade reads the request. Compiled only into
/// the library's own unit tests, never into a release build or the integration tests.
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
    use crate::journal::RequestFilter;

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
        let mut failures = super::AcceptFailures::default();
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

/// `--strict`: replaces the vendor's generic answer to a request whose shape or method no
/// route has (see `api::unmatched`). Unknown ids keep the vendor's answer.
fn strict(answer: Answer, req: &Incoming) -> Answer {
    let Some(why) = api::unmatched::explain(answer.facade, &req.method, &req.path) else {
        return answer;
    };
    if why.reason == api::unmatched::Reason::UnknownNode {
        return answer;
    }
    let mut loud = Answer::json(
        StatusCode::NOT_FOUND,
        api::unmatched::strict_graph_body(&req.method, &req.path, &why),
    );
    loud.facade = answer.facade;
    loud.operation = "unmatched";
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

/// An answer for a request its facade never classified (body too large or too slow, a bad
/// namespace header), in the facade's shape.
fn early_error(facade: Facade, status: StatusCode, text: &str) -> Answer {
    let mut answer = match facade {
        Facade::Admin => api::admin::error(status, text),
        Facade::Graph => api::graph::early_error(status.as_u16(), text),
        Facade::Cams => api::cams::early_error(status.as_u16(), text),
    };
    answer.operation = journal::UNCLASSIFIED;
    answer
}

/// The 500 a panicked request answers, in the facade's shape: Graph's code 1 "An unknown
/// error has occurred." (meta-graph.md, codes table: code 1), Alibaba's `InternalError`
/// (alibaba-cams.md §6.2), the control API's `{"error": ...}`.
fn internal_error(facade: Facade) -> Answer {
    match facade {
        Facade::Admin => api::admin::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error: wabasim failed on this request (a bug: the server log has the details)",
        ),
        Facade::Graph => api::graph::internal_error(),
        Facade::Cams => api::cams::internal_error(),
    }
}

/// Binds `addr`, returning the listener and the address actually bound (port 0 picks one).
pub async fn bind(addr: SocketAddr) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    Ok((listener, local))
}
