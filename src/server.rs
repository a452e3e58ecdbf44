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
//! Cross-cutting steps live in [`handle`], in one place for every facade: the admin token,
//! `--strict` answers for unmatched requests, and the request journal. [`run`] also runs the
//! webhook dispatcher (`webhooks::dispatch`) for as long as the server serves.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use http::StatusCode;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming as Body;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::api::{self, Answer, Incoming};
use crate::clock::Stopwatch;
use crate::faults::{self, Delivery, Dropped};
use crate::journal::Entry;
use crate::namespace::{NAMESPACE_HEADER, Registry};

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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            body_limit: BODY_LIMIT,
            admin_body_limit: ADMIN_BODY_LIMIT,
            strict: false,
            admin_token: None,
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

fn facade_of(parts: &http::request::Parts) -> Facade {
    let path = parts.uri.path();
    if path == "/__admin" || path.starts_with("/__admin/") {
        Facade::Admin
    } else if api::cams::is_cams_request(&parts.headers, parts.uri.query()) {
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
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _peer) = match accepted {
                    Ok(s) => s,
                    Err(e) => {
                        // Out of file descriptors and the like: back off briefly, keep serving.
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                let service = service_fn(move |req| {
                    let shared = shared.clone();
                    async move { handle(shared, req).await }
                });
                let conn = http1::Builder::new()
                    .keep_alive(true)
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

/// Handles one request end to end. `Err` closes the connection without an answer (a
/// scripted fault asked for it).
pub async fn handle(
    shared: Arc<Shared>,
    req: http::Request<Body>,
) -> Result<http::Response<faults::Body>, Dropped> {
    let watch = Stopwatch::start();
    let (parts, body) = req.into_parts();
    let facade = facade_of(&parts);
    if facade == Facade::Admin
        && let Some(refused) = admin_token_refusal(&shared.config, &parts)
    {
        return Delivery::Whole.respond(refused);
    }
    let limit = match facade {
        Facade::Admin => shared.config.admin_body_limit,
        Facade::Graph | Facade::Cams => shared.config.body_limit,
    };
    let body = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            let too_large = e
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some();
            let (status, text) = if too_large {
                (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("The request body is larger than this server's limit of {limit} bytes"),
                )
            } else {
                (
                    StatusCode::BAD_REQUEST,
                    format!("The request body could not be read: {e}"),
                )
            };
            return Delivery::Whole.respond(early_error(facade, status, &text));
        }
    };
    let incoming = Incoming {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers: parts.headers,
        body,
    };
    let ns = match shared.registry.get(incoming.header(NAMESPACE)) {
        Ok(ns) => ns,
        Err(e) => {
            let status = match e {
                crate::namespace::NamespaceError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
                crate::namespace::NamespaceError::Fixture(_) => StatusCode::INTERNAL_SERVER_ERROR,
                crate::namespace::NamespaceError::BadName(_) => StatusCode::BAD_REQUEST,
            };
            return Delivery::Whole.respond(early_error(facade, status, &e.to_string()));
        }
    };
    if facade == Facade::Admin {
        return Delivery::Whole.respond(api::admin::handle(&shared, &ns, &incoming).await);
    }
    let at = ns.now();
    let (mut answer, delivery) = match facade {
        Facade::Admin => unreachable!("answered above"),
        Facade::Graph => match api::graph::prepare(&ns, &incoming).await {
            Ok(prepared) => faults::answer(&ns, faults::Prepared::Graph(prepared)).await,
            Err(answer) => (answer, Delivery::Whole),
        },
        Facade::Cams => match api::cams::prepare(&ns, &incoming).await {
            Ok(prepared) => faults::answer(&ns, faults::Prepared::Cams(prepared)).await,
            Err(answer) => (answer, Delivery::Whole),
        },
    };
    if shared.config.strict && answer.operation == "unmatched" {
        answer = strict(answer, &incoming);
    }
    let entry = Entry::new(
        at,
        incoming,
        answer.facade,
        answer.operation,
        answer.status.as_u16(),
        answer.error.take(),
        answer.fault.take(),
        watch.elapsed_micros(),
    );
    ns.journal.record(entry);
    delivery.respond(answer)
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

fn early_error(facade: Facade, status: StatusCode, text: &str) -> Answer {
    match facade {
        Facade::Admin => api::admin::error(status, text),
        Facade::Graph => api::graph::early_error(status.as_u16(), text),
        Facade::Cams => api::cams::early_error(status.as_u16(), text),
    }
}

/// Binds `addr`, returning the listener and the address actually bound (port 0 picks one).
pub async fn bind(addr: SocketAddr) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    Ok((listener, local))
}
