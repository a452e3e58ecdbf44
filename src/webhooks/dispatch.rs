//! The server's background task: it makes time-driven changes happen as real time passes,
//! and sends webhook deliveries, off every request's path.
//!
//! Each tick, for every namespace:
//! 1. if the world's next timer (`World::next_due`) has passed, the world catches up, so
//!    that a template re-rated after 24 h, or a scheduled change, fires its event even when
//!    no request arrives;
//! 2. every delivery due on the namespace's clock is taken from the outbox and sent in a task
//!    of its own (at most [`MAX_IN_FLIGHT`] at once per server).
//!
//! The task sleeps [`TICK`] between rounds, or less when the outbox or the control API wakes
//! it (a new event, a clock change).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::sync::{Notify, Semaphore};

use super::outbox::{Attempt, AttemptKind, Job, TryOutcome};
use crate::app::App;
use crate::clock::Stopwatch;
use crate::namespace::Namespace;

/// How long the dispatcher sleeps when nothing wakes it (real time).
pub const TICK: std::time::Duration = std::time::Duration::from_millis(100);

/// Real-time limit of one HTTP call to a receiver (connect, answer and body).
pub const CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Calls under way at once, server-wide.
pub const MAX_IN_FLIGHT: usize = 64;

/// The `User-Agent` of deliveries and handshakes: Meta's crawler name ([INF], not in the
/// reference; receivers should not depend on it).
pub const USER_AGENT: &str = "facebookexternalua";

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// Runs until `stop` is notified; then sends what is due and waits for the deliveries under
/// way (the caller bounds that wait).
pub async fn run(shared: Arc<App>, stop: Arc<Notify>) {
    let registry = &shared.registry;
    let mut connector = HttpConnector::new();
    connector.set_connect_timeout(Some(CALL_TIMEOUT));
    connector.set_nodelay(true);
    let client: HttpClient = Client::builder(TokioExecutor::new()).build(connector);
    let in_flight: InFlight = Arc::new(());
    let senders = Senders {
        client,
        permits: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
        _in_flight: in_flight.clone(),
        wake: registry.dispatcher(),
        backlog: Arc::new(AtomicBool::new(false)),
    };
    let wake = senders.wake.clone();
    let mut next_sweep = crate::namespace::uptime_ms();
    loop {
        // Idle namespaces (--namespace-ttl) are looked for once a second; the memory of
        // forgotten ones goes back to the system (one trim for a burst of deletions).
        if let Some(ttl) = shared.config.namespace_ttl
            && crate::namespace::uptime_ms() >= next_sweep
        {
            next_sweep = crate::namespace::uptime_ms() + 1000;
            for name in registry.expire_idle(ttl) {
                tracing::info!("namespace {name:?} expired: idle for {ttl:?} (--namespace-ttl)");
            }
        }
        registry.give_back_freed();
        senders.backlog.store(false, Ordering::Relaxed);
        for ns in registry.all() {
            let _ = tick(&ns, &senders);
        }
        tokio::select! {
            _ = stop.notified() => break,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(TICK) => {}
        }
    }
    // Stopping (the server's shutdown, which bounds this by --shutdown-grace): send what is
    // due now, as permits allow, until nothing is due or under way.
    loop {
        // `senders` holds one clone of `in_flight`, this function another. Read before the
        // round: a call that ends during it may make others due (a handshake passed).
        let idle = Arc::strong_count(&in_flight) <= 2;
        let mut sent = 0;
        for ns in registry.all() {
            sent += tick(&ns, &senders);
        }
        if idle && sent == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// One clone of the dispatcher's `in_flight` is held by each delivery task, taken before it is
/// spawned, so that the count says how many are still under way.
type InFlight = Arc<()>;

/// What the dispatcher's tasks share: the HTTP client, the permits that bound the calls under
/// way, the count of tasks, and how a finished call wakes the dispatcher while deliveries wait
/// for a permit.
#[derive(Clone)]
struct Senders {
    client: HttpClient,
    permits: Arc<Semaphore>,
    /// Held, never read: every task's clone counts in its strong count.
    _in_flight: InFlight,
    wake: Arc<Notify>,
    /// Set when a tick left due deliveries for want of a permit: each finished call then wakes
    /// the dispatcher rather than leaving them to the next tick.
    backlog: Arc<AtomicBool>,
}

/// Sends what is due in `ns`, at most as many as there are free permits: a delivery is taken
/// from the outbox only when it can be sent, so a slow receiver leaves deliveries waiting in
/// their (bounded) outboxes, not one task each holding its namespace alive after a delete.
fn tick(ns: &Arc<Namespace>, senders: &Senders) -> usize {
    let now = ns.catch_up();
    let free = senders.permits.available_permits();
    let jobs = ns.outbox.take_due_at_most(now, free);
    let taken = jobs.len();
    if taken == free {
        senders.backlog.store(true, Ordering::Relaxed);
    }
    for job in jobs {
        // Only this task takes permits and tasks only give them back, so there are enough; were
        // there not, the task would wait for one.
        let permit = senders.permits.clone().try_acquire_owned().ok();
        let ns = ns.clone();
        // Holds `in_flight` from before the spawn until the task ends.
        let senders = senders.clone();
        tokio::spawn(async move {
            // The whole value, `_in_flight` with it (an async block would capture only the
            // fields it reads).
            let senders = senders;
            let permit = match permit {
                Some(p) => Some(p),
                None => senders.permits.clone().acquire_owned().await.ok(),
            };
            let outcome = attempt(&senders.client, &ns, &job).await;
            let now = ns.now();
            ns.outbox.finish(&job, outcome, now);
            drop(permit);
            if senders.backlog.load(Ordering::Relaxed) {
                senders.wake.notify_one();
            }
        });
    }
    taken
}

/// One try: the handshake if due, then the signed POST. A URL the server's allowlist
/// (`--webhook-allow`) refuses is not called: a fixture's URLs were never checked when set.
async fn attempt(client: &HttpClient, ns: &Namespace, job: &Job) -> TryOutcome {
    let mut outcome = TryOutcome::default();
    if let Err(e) = ns.callback_allow().check_url(&job.url) {
        outcome.attempts.push(Attempt {
            try_n: job.try_n,
            kind: if job.handshake.is_some() {
                AttemptKind::Verification
            } else {
                AttemptKind::Delivery
            },
            at: ns.now(),
            status: None,
            error: Some(format!("not sent: {e}")),
            duration_ms: 0,
        });
        return outcome;
    }
    if let Some(token) = &job.handshake {
        let challenge = challenge(job);
        let url = handshake_url(&job.url, token, &challenge);
        let at = ns.now();
        let watch = Stopwatch::start();
        let result = call(client, http::Method::GET, &url, Vec::new(), Bytes::new()).await;
        let (status, error) = match result {
            Ok((200, body)) if body.as_ref() == challenge.as_bytes() => (Some(200), None),
            Ok((200, body)) => (
                Some(200),
                Some(format!(
                    "the handshake answered {:?} instead of the challenge {challenge:?}",
                    String::from_utf8_lossy(&body[..body.len().min(64)])
                )),
            ),
            Ok((status, _)) => (
                Some(status),
                Some(format!("the handshake answered HTTP {status}, not 200")),
            ),
            Err(e) => (None, Some(e)),
        };
        let passed = error.is_none();
        outcome.attempts.push(Attempt {
            try_n: job.try_n,
            kind: AttemptKind::Verification,
            at,
            status,
            error,
            duration_ms: watch.elapsed_micros() / 1000,
        });
        if !passed {
            return outcome;
        }
        outcome.verified = true;
    }
    let mut headers = vec![("content-type", "application/json".to_string())];
    // An empty header name is an unsigned delivery (`Signing::Unsigned`).
    if !job.signature_header.is_empty() {
        headers.push((job.signature_header, job.signature.clone()));
    }
    let headers: Vec<(&str, String)> = headers
        .into_iter()
        .chain(job.headers.iter().map(|(k, v)| (k.as_str(), v.clone())))
        .collect();
    let at = ns.now();
    let watch = Stopwatch::start();
    let result = call(
        client,
        http::Method::POST,
        &job.url,
        headers,
        job.body.clone(),
    )
    .await;
    let (status, error) = match result {
        Ok((s, _)) if (200..300).contains(&s) => (Some(s), None),
        Ok((s, _)) => (Some(s), Some(format!("the receiver answered HTTP {s}"))),
        Err(e) => (None, Some(e)),
    };
    outcome.delivered = error.is_none();
    outcome.attempts.push(Attempt {
        try_n: job.try_n,
        kind: AttemptKind::Delivery,
        at,
        status,
        error,
        duration_ms: watch.elapsed_micros() / 1000,
    });
    outcome
}

/// A challenge that differs per delivery and try (not from the world's RNG: background work
/// must not change the ids a namespace's requests see).
fn challenge(job: &Job) -> String {
    let mut x = job.id.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(job.try_n);
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    (x % 9_000_000_000 + 1_000_000_000).to_string()
}

fn handshake_url(url: &str, token: &str, challenge: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("hub.mode", "subscribe")
        .append_pair("hub.verify_token", token)
        .append_pair("hub.challenge", challenge)
        .finish();
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{query}")
}

/// Makes one call; `Ok((status, first bytes of the body))`, or why no answer came.
async fn call(
    client: &HttpClient,
    method: http::Method,
    url: &str,
    headers: Vec<(&str, String)>,
    body: Bytes,
) -> Result<(u16, Bytes), String> {
    if url.starts_with("https://") {
        return Err(
            "https callbacks cannot be reached: wabasim sends webhooks over plain http only"
                .to_string(),
        );
    }
    let uri: http::Uri = url
        .parse()
        .map_err(|e| format!("invalid callback URL {url:?}: {e}"))?;
    let mut builder = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("user-agent", USER_AGENT);
    for (k, v) in headers {
        builder = builder.header(k, v);
    }
    let req = builder
        .body(Full::new(body))
        .map_err(|e| format!("cannot build the request: {e}"))?;
    let exchange = async {
        let resp = client.request(req).await.map_err(describe_client_error)?;
        let status = resp.status().as_u16();
        // Only the handshake reads the body (the challenge); keep it small.
        let body = Limited::new(resp.into_body(), 64 * 1024)
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        Ok::<_, String>((status, body))
    };
    match tokio::time::timeout(CALL_TIMEOUT, exchange).await {
        Ok(r) => r,
        Err(_) => Err(format!(
            "no answer within {} s (timeout)",
            CALL_TIMEOUT.as_secs()
        )),
    }
}

fn describe_client_error(e: hyper_util::client::legacy::Error) -> String {
    use std::error::Error;
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshake_query_is_encoded() {
        assert_eq!(
            handshake_url("http://h/x", "a b&c", "123"),
            "http://h/x?hub.mode=subscribe&hub.verify_token=a+b%26c&hub.challenge=123"
        );
        assert!(handshake_url("http://h/x?k=1", "t", "1").starts_with("http://h/x?k=1&hub.mode"));
    }
}
