//! The HTTP server: accepting connections and shutting down gracefully.
//!
//! One port serves every facade: `/__admin/...` is the control API; any other request goes to
//! the first facade of `api::facade::FACADES` that claims it (Graph, last, claims the rest).
//! What happens to one request is `pipeline.rs`: a caught panic, the admin token, the
//! namespace header, the body (`body.rs`: bounded, timed), the facade and the namespace's
//! faults, `--strict`, and the journal (`recording.rs`: a guard that records a request however
//! it ends); `wire.rs` turns the answer into hyper's response. [`run`] also runs the webhook
//! dispatcher (`webhooks::dispatch`) for as long as the server serves.

mod body;
mod pipeline;
mod recording;
mod wire;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

pub use crate::app::{
    ADMIN_BODY_LIMIT, App, BODY_LIMIT, BODY_READ_TIMEOUT, Config, HEADER_READ_TIMEOUT,
    MAX_CONNECTIONS,
};
pub use pipeline::{ADMIN_TOKEN_HEADER, handle};
pub use wire::{Body, Dropped};

use crate::clock::Deadline;
use tokio::sync::Semaphore;

/// How long a connection past `--max-connections` may take to send its one request's head.
pub const SPARE_HEAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Connections served past `--max-connections`, one request each: an eighth more, at least 8.
pub fn spare_connections(max: usize) -> usize {
    (max / 8).max(8)
}

/// Serves connections from `listener` until `shutdown` completes, then lets open
/// connections finish their current request.
pub async fn run(listener: TcpListener, shared: Arc<App>, shutdown: impl Future<Output = ()>) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let stop_dispatch = Arc::new(tokio::sync::Notify::new());
    let dispatcher = tokio::spawn(crate::webhooks::dispatch::run(
        shared.clone(),
        stop_dispatch.clone(),
    ));
    tokio::pin!(shutdown);
    let mut accept_failures = AcceptFailures::default();
    let max = shared.config.max_connections.max(1);
    let slots = Arc::new(Semaphore::new(max));
    let spares = Arc::new(Semaphore::new(spare_connections(max)));
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
                // A slot of --max-connections; past them a spare one, which serves one
                // request and gives a slow head SPARE_HEAD_TIMEOUT (a health check still gets
                // through when every slot is held by idle kept-alive clients); past those the
                // accept loop waits, and new connections wait in the listen backlog.
                let (permit, spare) = match slots.clone().try_acquire_owned() {
                    Ok(p) => (p, false),
                    Err(_) => match spares.clone().try_acquire_owned() {
                        Ok(p) => (p, true),
                        Err(_) => tokio::select! {
                            Ok(p) = slots.clone().acquire_owned() => (p, false),
                            Ok(p) = spares.clone().acquire_owned() => (p, true),
                            _ = &mut shutdown => break,
                        },
                    },
                };
                let _ = stream.set_nodelay(true);
                let header_read_timeout = if spare {
                    shared.config.header_read_timeout.min(SPARE_HEAD_TIMEOUT)
                } else {
                    shared.config.header_read_timeout
                };
                let shared = shared.clone();
                let service = service_fn(move |req| {
                    let shared = shared.clone();
                    async move { handle(shared, req).await }
                });
                let conn = http1::Builder::new()
                    .keep_alive(!spare)
                    .timer(TokioTimer::new())
                    .header_read_timeout(header_read_timeout)
                    .serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!("connection ended: {e}");
                    }
                    drop(permit);
                });
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    // Drain up to --shutdown-grace: in-flight requests are answered (the dispatcher keeps
    // running meanwhile, since they may queue webhooks), then the dispatcher sends what is due
    // and waits for its deliveries; past the deadline everything stops regardless.
    let deadline = tokio::time::Instant::now() + shared.config.shutdown_grace;
    let mut dispatcher = dispatcher;
    let _ = tokio::time::timeout_at(deadline, graceful.shutdown()).await;
    stop_dispatch.notify_one();
    if tokio::time::timeout_at(deadline, &mut dispatcher)
        .await
        .is_err()
    {
        tracing::warn!(
            "shutdown: webhook deliveries still under way after --shutdown-grace ({:?}); stopped",
            shared.config.shutdown_grace
        );
    }
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

/// Binds `addr`, returning the listener and the address actually bound (port 0 picks one).
pub async fn bind(addr: SocketAddr) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    Ok((listener, local))
}
