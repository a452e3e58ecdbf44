//! Sends per second (`--only sends`): `POST /v23.0/{phone}/messages` texts to many users from
//! several clients, with the `sent`, `delivered` and `read` status webhooks flowing to a
//! receiver in this process (a small hyper server answering 200) that counts each (wamid,
//! status), so a lost or repeated webhook shows; beside the floor in alternating rounds, and
//! the server's resident memory across two phases. The floor (`relay.rs`) is bare hyper
//! answering the same POST and relaying three status webhooks of the same size to a receiver
//! of its own: the four loopback exchanges a send costs, with nothing else done.
//!
//! The world is the default one with the limits a load test lifts (throughput, pair rate)
//! and delivery and read delays of 0, so the world clock makes `delivered` and `read` due as
//! soon as the next request (or the dispatcher's tick) catches the world up.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::suite::rss_mb;
use super::{Conn, Load, Row, measured, median, relay_floor, wabasim};

/// Users written to; each wrote in first, so a text is inside their 24-hour window.
const USERS: usize = 1000;
const CLIENTS: usize = 16;
const PHONE: &str = "110000000000001";
const APP: &str = "300000000000001";

const FIXTURE: &str = "extends: default\n\
settings: {throughput_per_second: 100000000, pair_burst: 100000000, pair_interval: 1ms, \
delivery_delay: 0s, read_delay: 0s, messages_kept: 20000}\n";

fn user(i: usize) -> String {
    format!("1555400{i:04}")
}

fn post_json(path: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: bench\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn send_request(to: &str) -> Vec<u8> {
    post_json(
        &format!("/v23.0/{PHONE}/messages"),
        "Authorization: Bearer wabasim-old-bsp\r\n",
        &format!(
            r#"{{"messaging_product":"whatsapp","recipient_type":"individual","to":"{to}","type":"text","text":{{"body":"hello from the bench"}}}}"#
        ),
    )
}

// ---------------------------------------------------------------------------------------
// The webhook receiver
// ---------------------------------------------------------------------------------------

#[derive(serde::Deserialize)]
struct Envelope {
    entry: Vec<Entry>,
}
#[derive(serde::Deserialize)]
struct Entry {
    changes: Vec<Change>,
}
#[derive(serde::Deserialize)]
struct Change {
    value: Value,
}
#[derive(serde::Deserialize)]
struct Value {
    #[serde(default)]
    statuses: Vec<StatusItem>,
}
#[derive(serde::Deserialize)]
struct StatusItem {
    id: String,
    status: String,
}

/// What the receiver heard: per wamid, how many `sent`, `delivered`, `read` and other.
#[derive(Default)]
struct Heard {
    by_message: HashMap<String, [u32; 4]>,
    statuses: u64,
}

impl Heard {
    fn note(&mut self, id: String, status: &str) {
        let slot = match status {
            "sent" => 0,
            "delivered" => 1,
            "read" => 2,
            _ => 3,
        };
        self.by_message.entry(id).or_default()[slot] += 1;
        self.statuses += 1;
    }
}

/// Starts the receiver on the bench's runtime: answers Meta's handshake and every POST with
/// 200, counting the statuses it carries.
async fn receiver(heard: Arc<Mutex<Heard>>) -> SocketAddr {
    use http_body_util::{BodyExt, Full};
    use hyper::server::conn::http1;
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let heard = heard.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let heard = heard.clone();
                    async move {
                        let challenge = req
                            .uri()
                            .query()
                            .and_then(|q| {
                                q.split('&').find_map(|p| p.strip_prefix("hub.challenge="))
                            })
                            .map(str::to_string)
                            .unwrap_or_default();
                        let body = req.into_body().collect().await.map(|b| b.to_bytes());
                        if let Ok(body) = body
                            && let Ok(env) = serde_json::from_slice::<Envelope>(&body)
                        {
                            let mut heard = heard.lock();
                            for e in env.entry {
                                for c in e.changes {
                                    for s in c.value.statuses {
                                        heard.note(s.id, &s.status);
                                    }
                                }
                            }
                        }
                        Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(
                            bytes::Bytes::from(challenge),
                        )))
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

// ---------------------------------------------------------------------------------------
// The load
// ---------------------------------------------------------------------------------------

/// `requests` round-robin on `CLIENTS` connections for `seconds` after a short warm-up:
/// throughput and p99 in the measured window; every 200 and every other answer counted
/// (warm-up included) in `accepted` and `refused`.
async fn load(
    addr: SocketAddr,
    requests: Arc<Vec<Vec<u8>>>,
    seconds: f64,
    accepted: Arc<AtomicU64>,
    refused: Arc<AtomicU64>,
) -> Load {
    let stop = Arc::new(AtomicBool::new(false));
    let measuring = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (requests, stop, measuring) = (requests.clone(), stop.clone(), measuring.clone());
        let (accepted, refused) = (accepted.clone(), refused.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(addr).await;
            let mut latencies: Vec<u32> = Vec::with_capacity(100_000);
            let mut i = c * requests.len() / CLIENTS;
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                let (status, _) = conn.call(&requests[i % requests.len()]).await;
                i += 1;
                if status == 200 {
                    accepted.fetch_add(1, Ordering::Relaxed);
                } else {
                    refused.fetch_add(1, Ordering::Relaxed);
                }
                if measuring.load(Ordering::Relaxed) {
                    latencies.push(t.elapsed().as_micros() as u32);
                }
            }
            latencies
        }));
    }
    measured(
        tasks,
        &measuring,
        &stop,
        Duration::from_millis(200),
        seconds,
    )
    .await
}

/// Waits until the receiver heard `expected` statuses, or `patience` passed; returns the
/// time it took after the last send.
async fn drain(heard: &Mutex<Heard>, expected: u64, patience: Duration) -> f64 {
    let start = Instant::now();
    while heard.lock().statuses < expected && start.elapsed() < patience {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A little longer: a duplicate would arrive after the count was reached.
    tokio::time::sleep(Duration::from_millis(300)).await;
    start.elapsed().as_secs_f64()
}

/// What the counts say: messages heard, and lost and repeated statuses.
struct Verdict {
    messages: usize,
    lost: u64,
    repeated: u64,
    other: u64,
}

fn verdict(heard: &Heard, accepted: u64) -> Verdict {
    let (mut lost, mut repeated, mut other) = (0u64, 0u64, 0u64);
    for counts in heard.by_message.values() {
        for c in &counts[..3] {
            match c {
                0 => lost += 1,
                1 => {}
                n => repeated += u64::from(*n) - 1,
            }
        }
        other += u64::from(counts[3]);
    }
    // Messages accepted that no status at all was heard for.
    let unheard = accepted.saturating_sub(heard.by_message.len() as u64);
    Verdict {
        messages: heard.by_message.len(),
        lost: lost + 3 * unheard,
        repeated,
        other,
    }
}

/// wabasim on the default world with the limits a load test lifts (`FIXTURE`).
fn sends_server() -> super::Server {
    let dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench"));
    std::fs::create_dir_all(&dir).unwrap();
    let fixture = dir.join("sends.yaml");
    std::fs::write(&fixture, FIXTURE).unwrap();
    wabasim(&["--fixture", fixture.to_str().unwrap()])
}

/// Points the app's webhooks at `receiver` and has each user write in (their 24-hour
/// windows open, so a text may be sent to them).
async fn users_write_in(sim: SocketAddr, receiver: SocketAddr) {
    let mut conn = Conn::open(sim).await;
    let (s, _) = conn
        .call(&post_json(
            &format!("/__admin/webhooks/apps/{APP}"),
            "",
            &format!(r#"{{"webhook_url":"http://{receiver}/"}}"#),
        ))
        .await;
    assert_eq!(s, 200, "the app's webhook URL is set");
    for i in 0..USERS {
        let (s, _) = conn
            .call(&post_json(
                "/__admin/inbound",
                "",
                &format!(
                    r#"{{"phone_number_id":"{PHONE}","from":"{}","text":"hi"}}"#,
                    user(i)
                ),
            ))
            .await;
        assert_eq!(s, 200, "user {i} writes in");
    }
}

/// The rows of the `sends` measure.
pub async fn rows(quick: bool) -> Vec<Row> {
    let heard = Arc::new(Mutex::new(Heard::default()));
    let receiver = receiver(heard.clone()).await;
    let sim = sends_server();
    // The floor relays its statuses to a receiver of its own, so its webhooks never count
    // as wabasim's.
    let floor_heard = Arc::new(Mutex::new(Heard::default()));
    let floor_receiver = self::receiver(floor_heard.clone()).await;
    let floor_server = relay_floor(floor_receiver);

    users_write_in(sim.addr, receiver).await;
    let requests: Arc<Vec<Vec<u8>>> =
        Arc::new((0..USERS).map(|i| send_request(&user(i))).collect());
    let floor_requests = Arc::new(vec![send_request(&user(0))]);
    let rss_start = rss_mb(sim.pid());

    let (accepted, refused) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let floor_accepted = Arc::new(AtomicU64::new(0));
    let rounds = if quick { 3 } else { 5 };
    let mut phases = Vec::new();
    let (mut ratios, mut sim_rates, mut floor_rates, mut sim_p99, mut floor_p99) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for phase in 0..2 {
        eprintln!("measuring sends, phase {} ...", phase + 1);
        for _ in 0..rounds {
            let f = load(
                floor_server.addr,
                floor_requests.clone(),
                1.0,
                floor_accepted.clone(),
                Arc::new(AtomicU64::new(0)),
            )
            .await;
            let w = load(
                sim.addr,
                requests.clone(),
                1.0,
                accepted.clone(),
                refused.clone(),
            )
            .await;
            ratios.push(w.per_second / f.per_second);
            sim_rates.push(w.per_second);
            floor_rates.push(f.per_second);
            sim_p99.push(w.p99_ms);
            floor_p99.push(f.p99_ms);
        }
        let expected = 3 * accepted.load(Ordering::Relaxed);
        let tail = drain(&heard, expected, Duration::from_secs(60)).await;
        let floor_expected = 3 * floor_accepted.load(Ordering::Relaxed);
        drain(&floor_heard, floor_expected, Duration::from_secs(60)).await;
        phases.push((rss_mb(sim.pid()), tail));
    }
    let accepted = accepted.load(Ordering::Relaxed);
    let refused = refused.load(Ordering::Relaxed);
    let v = verdict(&heard.lock(), accepted);
    let rate = median(sim_rates);
    let load_average = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    let (rss1, tail1) = phases[0];
    let (rss2, tail2) = phases[1];
    vec![
        Row {
            what: format!(
                "POST /{{phone}}/messages texts to {USERS} users, {CLIENTS} clients, statuses to a local receiver (median of {} alternating 1 s rounds; load average {load_average})",
                2 * rounds
            ),
            floor: format!(
                "{:.0} sends/s relaying 3 webhooks each ({} of {} heard)",
                median(floor_rates),
                floor_heard.lock().statuses,
                3 * floor_accepted.load(Ordering::Relaxed)
            ),
            wabasim: format!("{rate:.0} sends/s ({accepted} accepted, {refused} refused)"),
            ratio: format!("{:.0}%", median(ratios) * 100.0),
            target: "≥ 10,000 sends/s".into(),
            met: Some(rate >= 10_000.0 && refused == 0),
        },
        Row {
            what: "p99 latency of a send".into(),
            floor: format!("{:.2} ms", median(floor_p99)),
            wabasim: format!("{:.2} ms", median(sim_p99)),
            ratio: "—".into(),
            target: "—".into(),
            met: None,
        },
        Row {
            what: "status webhooks heard: sent, delivered, read per accepted send".into(),
            floor: "—".into(),
            wabasim: format!(
                "{} messages, {} lost, {} repeated, {} other (last heard {tail1:.1} s / {tail2:.1} s after each phase)",
                v.messages, v.lost, v.repeated, v.other
            ),
            ratio: "—".into(),
            target: "none lost or repeated".into(),
            met: Some(v.lost == 0 && v.repeated == 0 && v.other == 0),
        },
        Row {
            what: "server RSS: set up / after phase 1 / after phase 2".into(),
            floor: "—".into(),
            wabasim: format!("{rss_start:.1} MB / {rss1:.1} MB / {rss2:.1} MB"),
            ratio: format!("{:.2}x", rss2 / rss1),
            target: "flat: phase 2 within 10% of phase 1".into(),
            met: Some(rss2 <= rss1 * 1.1),
        },
    ]
}
