//! What a CI user feels: a suite of test cases, each a namespace of its own, a migration, a
//! clock advance and a journal assertion, driven from several clients; and what one test's
//! namespace costs (creation from the default world and from a 10k-record fixture, and the
//! memory left after 10,000 created and deleted).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use super::{Conn, Row, get, json_str, post};

fn post_json(path: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: bench\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn delete(path: &str) -> Vec<u8> {
    format!("DELETE {path} HTTP/1.1\r\nHost: bench\r\n\r\n").into_bytes()
}

/// Requests one case makes (namespace, 5 migration calls with the code read, clock, count,
/// delete).
pub const REQUESTS_PER_CASE: u64 = 9;

/// One test case in namespace `ns`; false when any step did not answer as a test expects.
async fn one_case(conn: &mut Conn, ns: &str) -> bool {
    let nsh = format!("X-Wabasim-Namespace: {ns}\r\n");
    let (s, _) = conn
        .call(&post_json(
            "/__admin/namespaces",
            "",
            &format!(r#"{{"name":"{ns}"}}"#),
        ))
        .await;
    if !(200..300).contains(&s) {
        return false;
    }
    // The default world's one migratable number, in a namespace of the case's own.
    let migrated = super::flow::one_migration(conn, ns, 5_550_100_001).await;
    let (s5, _) = conn
        .call(&post_json(
            "/__admin/clock/advance",
            &nsh,
            r#"{"duration":"25h"}"#,
        ))
        .await;
    let (s6, body) = conn
        .call_body(&post_json(
            "/__admin/requests/count",
            &nsh,
            r#"{"operation":"register"}"#,
        ))
        .await;
    let counted = serde_json::from_slice::<serde_json::Value>(&body)
        .map(|v| v["count"] == 1)
        .unwrap_or(false);
    let (s7, _) = conn
        .call(&delete(&format!("/__admin/namespaces/{ns}")))
        .await;
    [s5, s6, s7].iter().all(|s| *s == 200) && migrated && counted
}

/// `cases` cases over `clients` connections: wall time in seconds and failed cases.
pub async fn suite(addr: SocketAddr, cases: u64, clients: u64) -> (f64, u64) {
    let next = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (next, failed) = (next.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(addr).await;
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= cases {
                    break;
                }
                if !one_case(&mut conn, &format!("case-{n}")).await {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    (
        start.elapsed().as_secs_f64(),
        failed.load(Ordering::Relaxed),
    )
}

/// The floor's cost for the same number of requests: `requests` GETs over `clients`
/// connections, in seconds.
pub async fn floor_requests(addr: SocketAddr, requests: u64, clients: u64) -> f64 {
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(addr).await;
            let req = get("/", "");
            while next.fetch_add(1, Ordering::Relaxed) < requests {
                conn.call(&req).await;
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    start.elapsed().as_secs_f64()
}

/// Resident memory now (VmRSS), in MB.
pub fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Creating a namespace (and deleting it) `n` times from `fixture_json` (or the default world
/// when `None`): µs per creation, and the RSS growth per namespace while `n` exist, in KB.
pub async fn namespace_cost(
    addr: SocketAddr,
    pid: u32,
    n: usize,
    fixture: Option<&str>,
) -> (f64, f64) {
    let mut conn = Conn::open(addr).await;
    let before = rss_mb(pid);
    let start = Instant::now();
    for i in 0..n {
        let body = match fixture {
            None => format!(r#"{{"name":"cost-{i}"}}"#),
            Some(f) => serde_json::json!({"name": format!("cost-{i}"), "fixture": f}).to_string(),
        };
        let (s, _) = conn
            .call(&post_json("/__admin/namespaces", "", &body))
            .await;
        assert!((200..300).contains(&s), "namespace creation answered {s}");
    }
    let micros = start.elapsed().as_secs_f64() * 1e6 / n as f64;
    let grown_kb = (rss_mb(pid) - before) * 1024.0 / n as f64;
    for i in 0..n {
        conn.call(&delete(&format!("/__admin/namespaces/cost-{i}")))
            .await;
    }
    (micros, grown_kb)
}

/// The rows of the `suite` and `pertest` measures.
pub async fn rows(floor: SocketAddr, sim: SocketAddr, sim_pid: u32, quick: bool) -> Vec<Row> {
    let cases = if quick { 300 } else { 1000 };
    let clients = 8;
    let (secs, failed) = suite(sim, cases, clients).await;
    let floor_secs = floor_requests(floor, cases * REQUESTS_PER_CASE, clients).await;
    let mut rows = vec![Row {
        what: format!(
            "a user's suite: {cases} cases (namespace, migration, clock advance, journal assertion, delete; {REQUESTS_PER_CASE} requests), 8 clients"
        ),
        floor: format!("{floor_secs:.2} s for as many requests"),
        wabasim: format!(
            "{secs:.2} s ({:.0} µs a case, {failed} failed)",
            secs * 1e6 / cases as f64
        ),
        ratio: format!("{:.1}x", secs / floor_secs),
        target: "—".into(),
        met: Some(failed == 0),
    }];
    let (us, kb) = namespace_cost(sim, sim_pid, 1000, None).await;
    rows.push(Row {
        what: "a namespace from the default world (1,000 created, then deleted)".into(),
        floor: "—".into(),
        wabasim: format!("{us:.0} µs, {kb:.0} KB each"),
        ratio: "—".into(),
        target: "—".into(),
        met: None,
    });
    let ten_k = ten_k_fixture();
    let (us, kb) = namespace_cost(sim, sim_pid, 20, Some(&ten_k)).await;
    rows.push(Row {
        what: "a namespace from a 10k-record fixture (generated: 100 WABAs, 5,000 numbers, 5,000 templates; 20 created, then deleted)".into(),
        floor: "—".into(),
        wabasim: format!("{:.1} ms, {:.1} MB each", us / 1000.0, kb / 1024.0),
        ratio: "—".into(),
        target: "—".into(),
        met: None,
    });
    rows
}

/// The memory 10,000 namespaces created and deleted leave behind, on a server of its own
/// (`sim`, fresh): started after one namespace has been created and deleted, so the one-time
/// costs (the prototype world, the first worker's heap) are not counted as growth. On the
/// server the rows above used, the same churn starts after 1,000 live namespaces and twenty
/// 10k-record worlds, whose freed pages sit in other threads' heaps: that measures where the
/// allocator placed them, not what the churn keeps (docs/performance.md).
pub async fn churn_row(sim: SocketAddr, sim_pid: u32) -> Row {
    let mut conn = Conn::open(sim).await;
    let mut churn = async |i: usize| {
        let (created, _) = conn
            .call(&post_json(
                "/__admin/namespaces",
                "",
                &format!(r#"{{"name":"churn-{i}"}}"#),
            ))
            .await;
        let (deleted, _) = conn
            .call(&delete(&format!("/__admin/namespaces/churn-{i}")))
            .await;
        assert!(
            (200..300).contains(&created) && (200..300).contains(&deleted),
            "namespace churn answered {created} / {deleted}"
        );
    };
    churn(0).await;
    let start_rss = rss_mb(sim_pid);
    for i in 1..=10_000 {
        churn(i).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let end_rss = rss_mb(sim_pid);
    Row {
        what: "RSS after 10,000 namespaces created and deleted (a fresh server)".into(),
        floor: "—".into(),
        wabasim: format!("{start_rss:.1} MB → {end_rss:.1} MB"),
        ratio: format!("{:.2}x", end_rss / start_rss),
        target: "within 20%".into(),
        met: Some(end_rss <= start_rss * 1.2),
    }
}

/// A fixture of 10,100 records (100 WABAs, 5,000 numbers, 5,000 templates) through the
/// fixture's `generate:` block.
fn ten_k_fixture() -> String {
    let mut f = String::from(
        "seed: 1\nbusinesses: [{id: \"100000000000001\", name: Bench}]\npartners: [{id: bsp, name: BSP}]\n",
    );
    f.push_str("apps: [{id: \"300000000000001\", partner: bsp, secret: s}]\n");
    f.push_str("generate: {wabas: 100, phone_numbers_per_waba: 50, templates_per_waba: 50, business: \"100000000000001\", partner: bsp, subscribed_app: \"300000000000001\"}\n");
    f
}

/// The `i`th request of a measured call.
type MakeRequest = Box<dyn Fn(usize) -> Vec<u8>>;

/// What each call a test case makes costs on its own: `n` of each, one after the other on one
/// kept-alive connection (so the figure is the server's time plus one loopback round trip), in
/// µs per call, beside the floor's round trip on the same kind of connection.
pub async fn call_rows(floor: SocketAddr, sim: SocketAddr, quick: bool) -> Vec<Row> {
    let n: usize = if quick { 300 } else { 2000 };
    let mut conn = Conn::open(floor).await;
    let floor_us = timed(n, |_| get("/", ""), &mut conn, 200).await;
    let mut conn = Conn::open(sim).await;
    let ns = "X-Wabasim-Namespace: calls\r\n";
    let bsp = format!("Authorization: Bearer wabasim-new-bsp\r\n{ns}");
    conn.call(&post_json("/__admin/namespaces", "", r#"{"name":"calls"}"#))
        .await;
    // A code to read: one migration started and its code requested.
    let (_, body) = conn
        .call_body(&post(
            "/v23.0/200000000000002/phone_numbers",
            &bsp,
            "cc=1&phone_number=5550100001&migrate_phone_number=true",
        ))
        .await;
    let id = json_str(&body, "id");
    conn.call(&post(
        &format!("/v23.0/{id}/request_code"),
        &bsp,
        "code_method=SMS&language=en_US",
    ))
    .await;
    let calls: Vec<(&str, MakeRequest)> = vec![
        (
            "namespace create from the default world (POST /__admin/namespaces)",
            Box::new(|i| post_json("/__admin/namespaces", "", &format!(r#"{{"name":"c-{i}"}}"#))),
        ),
        (
            "namespace delete (DELETE /__admin/namespaces/{name})",
            Box::new(|i| delete(&format!("/__admin/namespaces/c-{i}"))),
        ),
        (
            "clock advance (POST /__admin/clock/advance, 1 s)",
            Box::new(|_| post_json("/__admin/clock/advance", ns, r#"{"duration":"1s"}"#)),
        ),
        (
            "codes read (GET /__admin/codes?phone_number_id=...)",
            Box::new(move |_| get(&format!("/__admin/codes?phone_number_id={id}"), ns)),
        ),
        (
            "journal assertion (POST /__admin/requests/count)",
            Box::new(|_| {
                post_json(
                    "/__admin/requests/count",
                    ns,
                    r#"{"operation":"request_code"}"#,
                )
            }),
        ),
        (
            "template creation (POST /{waba}/message_templates, a fresh name each)",
            Box::new(move |i| {
                post(
                    "/v23.0/200000000000001/message_templates",
                    &format!("Authorization: Bearer wabasim-old-bsp\r\n{ns}"),
                    &format!(
                        "name=bench_{i}&language=en_US&category=UTILITY&components=%5B%7B%22type%22%3A%22BODY%22%2C%22text%22%3A%22Order+shipped%22%7D%5D"
                    ),
                )
            }),
        ),
        (
            "namespace reset (POST /__admin/reset)",
            Box::new(|_| post_json("/__admin/reset", ns, "{}")),
        ),
    ];
    let mut rows = Vec::new();
    for (what, request) in &calls {
        // A WABA of an unverified business holds 250 templates.
        let n = if what.starts_with("template") {
            n.min(200)
        } else {
            n
        };
        let us = timed(n, request, &mut conn, 0).await;
        rows.push(Row {
            what: format!("{what}, {n} one after another"),
            floor: format!("{floor_us:.0} µs a round trip"),
            wabasim: format!("{us:.0} µs"),
            ratio: format!("{:.1}x", us / floor_us),
            target: "—".into(),
            met: None,
        });
    }
    conn.call(&delete("/__admin/namespaces/calls")).await;
    rows
}

/// Mean µs per call of `n` requests made by `request(i)`; every answer must be a 2xx (and the
/// first `warm` requests are not timed).
async fn timed(n: usize, request: impl Fn(usize) -> Vec<u8>, conn: &mut Conn, warm: usize) -> f64 {
    for i in 0..warm {
        conn.call(&request(i)).await;
    }
    let requests: Vec<Vec<u8>> = (0..n).map(&request).collect();
    let start = Instant::now();
    for (i, r) in requests.iter().enumerate() {
        let (s, _) = conn.call(r).await;
        assert!((200..300).contains(&s), "call {i} answered {s}");
    }
    start.elapsed().as_secs_f64() * 1e6 / n as f64
}
