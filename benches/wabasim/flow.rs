//! The write path: full migrations per second beside the floor, in alternating rounds.
//!
//! Issue 16 defines a migration as five calls (the migration request, `request_code`, the
//! code read from `/__admin/codes`, `verify_code`, `register`) and compares it with what the
//! floor serves in five requests. Each client migrates fresh numbers of a namespace of its
//! own, made from [`FIXTURE`] (a source WABA of `NUMBERS` numbers, a destination under another
//! partner of the same business), and resets the namespace only when they are used up, so the
//! row measures the five calls; a second row keeps the older measure, a reset before every
//! migration of the default world's one migratable number.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::{Conn, Row, get, json_str, load, median, post};

/// Numbers each client's namespace holds to migrate before it resets.
const NUMBERS: u64 = 1000;

/// The default world's parties, a destination WABA, and `NUMBERS` migratable numbers
/// (generated: `+1 9000000000` onwards) on a source WABA of the same business.
const FIXTURE: &str = r#"seed: 1
clock: {start: "2026-01-01T00:00:00Z"}
businesses: [{id: "100000000000001", name: Bench, verification_status: verified}]
partners: [{id: old-bsp, name: Old BSP}, {id: new-bsp, name: New BSP}]
apps: [{id: "300000000000001", partner: old-bsp, secret: s1}, {id: "300000000000002", partner: new-bsp, secret: s2}]
tokens: [{token: wabasim-new-bsp, partner: new-bsp, app: "300000000000002", scopes: [whatsapp_business_management, whatsapp_business_messaging]}]
wabas: [{id: "200000000000002", name: Dest, business: "100000000000001", partner: new-bsp, subscribed_apps: ["300000000000002"]}]
generate: {wabas: 1, phone_numbers_per_waba: 1000, business: "100000000000001", partner: old-bsp, subscribed_app: "300000000000001"}
"#;

/// How a client gets a number it can migrate again.
#[derive(Clone, Copy, PartialEq)]
enum Renewal {
    /// A fresh number of the flow fixture each time; a reset every `NUMBERS` migrations.
    FreshNumbers,
    /// `POST /__admin/reset` before each migration of the default world's `5550100001`.
    ResetEach,
}

/// One full migration of `+1 {number}` in namespace `ns`: migration request → request_code →
/// code → verify → register (also each case of the suite, `suite.rs`).
pub async fn one_migration(conn: &mut Conn, ns: &str, number: u64) -> bool {
    let nsh = format!("X-Wabasim-Namespace: {ns}\r\n");
    let h = format!("Authorization: Bearer wabasim-new-bsp\r\n{nsh}");
    let (s, body) = conn
        .call_body(&post(
            "/v23.0/200000000000002/phone_numbers",
            &h,
            &format!("cc=1&phone_number={number}&migrate_phone_number=true"),
        ))
        .await;
    if s != 200 {
        return false;
    }
    let id = json_str(&body, "id");
    let (s, _) = conn
        .call(&post(
            &format!("/v23.0/{id}/request_code"),
            &h,
            "code_method=SMS&language=en_US",
        ))
        .await;
    if s != 200 {
        return false;
    }
    let (_, body) = conn
        .call_body(&get(&format!("/__admin/codes?phone_number_id={id}"), &nsh))
        .await;
    let code = json_str(&body, "code");
    let (s, _) = conn
        .call(&post(
            &format!("/v23.0/{id}/verify_code"),
            &h,
            &format!("code={code}"),
        ))
        .await;
    if s != 200 {
        return false;
    }
    let (s, _) = conn
        .call(&post(
            &format!("/v23.0/{id}/register"),
            &h,
            "messaging_product=whatsapp&pin=123456",
        ))
        .await;
    s == 200
}

/// Creates client `c`'s namespace for `renewal`; its name.
async fn namespace(conn: &mut Conn, c: usize, renewal: Renewal) -> String {
    let ns = match renewal {
        Renewal::FreshNumbers => format!("flow-fresh-{c}"),
        Renewal::ResetEach => return format!("flow-{c}"),
    };
    let body = serde_json::json!({"name": ns, "fixture": FIXTURE}).to_string();
    let request = format!(
        "POST /__admin/namespaces HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let (s, _) = conn.call(request.as_bytes()).await;
    assert!(s == 200 || s == 201, "flow namespace: {s}");
    ns
}

/// Migrations on `clients` connections: while `run` is set, each migration counted in `done`
/// (or `failed`) as long as `measuring` is set; ends when `stop` is set.
struct Clients {
    run: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Clients {
    async fn start(addr: SocketAddr, clients: usize, renewal: Renewal) -> Clients {
        let run = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for c in 0..clients {
            let (run, stop, done, failed) =
                (run.clone(), stop.clone(), done.clone(), failed.clone());
            let mut conn = Conn::open(addr).await;
            let ns = namespace(&mut conn, c, renewal).await;
            tasks.push(tokio::spawn(async move {
                let reset = post(
                    "/__admin/reset",
                    &format!("X-Wabasim-Namespace: {ns}\r\n"),
                    "",
                );
                let mut next = 0;
                while !stop.load(Ordering::Relaxed) {
                    if !run.load(Ordering::Relaxed) {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        continue;
                    }
                    let number = match renewal {
                        Renewal::ResetEach => 5_550_100_001,
                        Renewal::FreshNumbers => 9_000_000_000 + next,
                    };
                    if renewal == Renewal::ResetEach || next == NUMBERS {
                        let (s, _) = conn.call(&reset).await;
                        assert_eq!(s, 200, "reset");
                        next = 0;
                        if renewal == Renewal::FreshNumbers {
                            continue;
                        }
                    }
                    next += 1;
                    let counter = if one_migration(&mut conn, &ns, number).await {
                        &done
                    } else {
                        &failed
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
        Clients {
            run,
            stop,
            done,
            failed,
            tasks,
        }
    }

    /// Migrations per second over a round of `seconds` (after a short warm-up).
    async fn round(&self, seconds: f64) -> f64 {
        self.run.store(true, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(200)).await;
        let before = self.done.load(Ordering::Relaxed);
        let start = Instant::now();
        tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
        let n = self.done.load(Ordering::Relaxed) - before;
        let elapsed = start.elapsed().as_secs_f64();
        self.run.store(false, Ordering::Relaxed);
        n as f64 / elapsed
    }

    async fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.tasks {
            let _ = t.await;
        }
        self.failed.load(Ordering::Relaxed)
    }
}

/// Full migrations per second on 16 clients, in `rounds` 1 s rounds alternating with the
/// floor's reads on as many connections; the median ratio of five of the floor's requests
/// to one migration.
async fn measure(floor: SocketAddr, sim: SocketAddr, rounds: usize, renewal: Renewal) -> Row {
    let clients = Clients::start(sim, 16, renewal).await;
    let floor_read = get("/v23.0/110000000000001", "");
    let (mut rates, mut floors, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let f = load(floor, floor_read.clone(), 16, 1).await.per_second;
        let m = clients.round(1.0).await;
        ratios.push(m * 5.0 / f);
        rates.push(m);
        floors.push(f);
    }
    let failed = clients.finish().await;
    let (rate, floor_rate, ratio) = (median(rates), median(floors), median(ratios));
    let what = match renewal {
        Renewal::FreshNumbers => {
            "full migrations/s (5 calls), 16 clients, namespace each, a fresh number each (reset every 1,000)"
        }
        Renewal::ResetEach => {
            "the same with a reset before each (6 calls; the row before 23:00 on 2026-12-07)"
        }
    };
    Row {
        what: format!("{what}, median of {rounds} alternating 1 s rounds"),
        floor: format!("{floor_rate:.0} req/s (16 connections)"),
        wabasim: format!("{rate:.0}/s ({failed} failed)"),
        ratio: format!("{:.0}% of floor req/s ÷ 5", ratio * 100.0),
        target: "≥ 40% of the floor's 5-request rate".into(),
        met: (renewal == Renewal::FreshNumbers).then_some(ratio >= 0.40 && failed == 0),
    }
}

/// The migration rows.
pub async fn rows(floor: SocketAddr, sim: SocketAddr, rounds: usize) -> Vec<Row> {
    eprintln!("measuring full migrations ...");
    vec![
        measure(floor, sim, rounds, Renewal::FreshNumbers).await,
        measure(floor, sim, rounds, Renewal::ResetEach).await,
    ]
}
