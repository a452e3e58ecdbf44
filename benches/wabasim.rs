//! The benchmark: wabasim against a floor (a minimal hyper server answering a fixed JSON
//! body, in this file), measured in the same run, reported as one table of ratios.
//!
//! Run with `cargo bench --bench wabasim` (add `-- --quick` for a shorter run). It starts
//! the release binary as a separate process, drives it with a small keep-alive HTTP/1.1 load
//! generator over loopback, and reads peak memory from /proc. Nothing here is part of the
//! test suite, and CI times nothing.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[path = "wabasim/flow.rs"]
mod flow;
#[path = "wabasim/relay.rs"]
mod relay;
#[path = "wabasim/sends.rs"]
mod sends;
#[path = "wabasim/suite.rs"]
mod suite;
#[path = "wabasim/wire_floor.rs"]
mod wire_floor;
use tokio::net::TcpStream;

const WABASIM: &str = env!("CARGO_BIN_EXE_wabasim");
const FLOOR_BODY: &[u8] = br#"{"verified_name":"Acme","code_verification_status":"VERIFIED","display_phone_number":"+1 555-010-0001","quality_rating":"GREEN","platform_type":"CLOUD_API","throughput":{"level":"STANDARD"},"id":"110000000000001"}"#;
const TOKEN: &str = "wabasim-old-bsp";

struct Settings {
    quick: bool,
    seconds: u64,
    startups: usize,
    big: bool,
    /// `--only suite,calls,start,read,flow,namespaces,big,growth,sends`: the measures to run (all by
    /// default).
    only: Option<Vec<String>>,
}

impl Settings {
    fn wants(&self, measure: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.iter().any(|m| m == measure))
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--floor-server")
        && let Some(receiver) = args
            .iter()
            .position(|a| a == "--relay")
            .and_then(|i| args.get(i + 1))
    {
        relay::serve(
            args.get(pos + 1)
                .map(String::as_str)
                .unwrap_or("127.0.0.1:0"),
            receiver.parse().expect("--relay ADDR"),
        );
        return;
    }
    if let Some(pos) = args.iter().position(|a| a == "--floor-server") {
        floor_server(
            args.get(pos + 1)
                .map(String::as_str)
                .unwrap_or("127.0.0.1:0"),
            args.iter().any(|a| a == "--graph-wire"),
        );
        return;
    }
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this without it, and a
    // test run must not benchmark anything.
    if !args.iter().any(|a| a == "--bench") {
        eprintln!("wabasim bench: run it with `cargo bench --bench wabasim`");
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let settings = Settings {
        quick,
        seconds: if quick { 2 } else { 5 },
        startups: if quick { 3 } else { 10 },
        big: !args.iter().any(|a| a == "--no-big"),
        only: args
            .iter()
            .position(|a| a == "--only")
            .and_then(|i| args.get(i + 1))
            .map(|list| list.split(',').map(str::to_string).collect()),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(settings));
}

// ---------------------------------------------------------------------------------------
// The floor: bare hyper answering a fixed body, started as its own process.
// ---------------------------------------------------------------------------------------

/// The runtime a floor process serves on.
fn floor_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Binds a floor's listener and announces its address as the first line of output, which is
/// how `spawn` learns where it listens.
async fn floor_listener(listen: &str) -> tokio::net::TcpListener {
    let listener = tokio::net::TcpListener::bind(listen).await.unwrap();
    println!(
        "floor listening on http://{}",
        listener.local_addr().unwrap()
    );
    std::io::stdout().flush().unwrap();
    listener
}

/// The floor: bare hyper answering every request with `FLOOR_BODY` and one header; with
/// `graph_wire`, the Graph wire floor (`wire_floor.rs`): the same body with wabasim's Graph
/// headers, under wabasim's header-read timeout.
fn floor_server(listen: &str, graph_wire: bool) {
    use http_body_util::Full;
    use hyper::server::conn::http1;
    use hyper::service::service_fn;
    use hyper_util::rt::{TokioIo, TokioTimer};
    let graph_headers = graph_wire.then(wire_floor::headers);
    floor_runtime().block_on(async move {
        let listener = floor_listener(listen).await;
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(s) => s,
                Err(_) => continue,
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = service_fn(move |_req| async move {
                    let mut resp =
                        hyper::Response::new(Full::new(bytes::Bytes::from_static(FLOOR_BODY)));
                    match graph_headers {
                        Some(headers) => *resp.headers_mut() = headers.clone(),
                        None => {
                            resp.headers_mut().insert(
                                "content-type",
                                hyper::header::HeaderValue::from_static("application/json"),
                            );
                        }
                    }
                    Ok::<_, std::convert::Infallible>(resp)
                });
                let mut builder = http1::Builder::new();
                if graph_wire {
                    builder
                        .timer(TokioTimer::new())
                        .header_read_timeout(wire_floor::HEADER_READ_TIMEOUT);
                }
                let _ = builder
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}

// ---------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a process that prints `... listening on http://ADDR` as its first line.
fn spawn(mut cmd: Command) -> Server {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the server starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .rsplit("http://")
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    Server { child, addr }
}

fn wabasim(extra: &[&str]) -> Server {
    let mut cmd = Command::new(WABASIM);
    cmd.args(["serve", "--listen", "127.0.0.1:0"]).args(extra);
    spawn(cmd)
}

fn floor() -> Server {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--floor-server", "127.0.0.1:0"]);
    spawn(cmd)
}

/// The Graph wire floor (`wire_floor.rs`): bare hyper sending wabasim's exact read answer.
fn wire_floor() -> Server {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--floor-server", "127.0.0.1:0", "--graph-wire"]);
    spawn(cmd)
}

/// The sends floor (`relay.rs`): bare hyper relaying three status webhooks a POST to
/// `receiver`.
fn relay_floor(receiver: SocketAddr) -> Server {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--floor-server",
        "127.0.0.1:0",
        "--relay",
        &receiver.to_string(),
    ]);
    spawn(cmd)
}

/// Peak resident memory of a process, in MB (VmHWM).
fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

// ---------------------------------------------------------------------------------------
// A minimal keep-alive HTTP/1.1 client: cheaper than a full client library, so the load
// generator steals as little CPU from the server as possible on a 2-core machine.
// ---------------------------------------------------------------------------------------

struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    async fn open(addr: SocketAddr) -> Conn {
        let stream = TcpStream::connect(addr).await.expect("connects");
        stream.set_nodelay(true).unwrap();
        Conn {
            stream,
            buf: Vec::with_capacity(8192),
        }
    }

    /// Sends one request; returns the status and where the body lies in `self.buf`. The
    /// body is not copied out: the load generator shares the machine with the server, so it
    /// does as little as it can per answer.
    async fn call(&mut self, request: &[u8]) -> (u16, std::ops::Range<usize>) {
        self.stream.write_all(request).await.expect("writes");
        self.buf.clear();
        let mut chunk = [0u8; 16384];
        let mut scanned = 0;
        loop {
            if let Some(end) = find(&self.buf[scanned..], b"\r\n\r\n").map(|i| i + scanned) {
                let head = &self.buf[..end];
                let status = head
                    .get(9..12)
                    .and_then(|s| std::str::from_utf8(s).ok())
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                let len = content_length(head);
                let total = end + 4 + len;
                while self.buf.len() < total {
                    let n = self.stream.read(&mut chunk).await.expect("reads");
                    assert!(n > 0, "connection closed mid-body");
                    self.buf.extend_from_slice(&chunk[..n]);
                }
                return (status, end + 4..total);
            }
            scanned = self.buf.len().saturating_sub(3);
            let n = self.stream.read(&mut chunk).await.expect("reads");
            assert!(n > 0, "connection closed");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Sends one request and returns (status, a copy of the body).
    async fn call_body(&mut self, request: &[u8]) -> (u16, Vec<u8>) {
        let (status, body) = self.call(request).await;
        (status, self.buf[body].to_vec())
    }
}

/// The Content-Length of a response head (0 when absent).
fn content_length(head: &[u8]) -> usize {
    const NAME: &[u8] = b"content-length:";
    head.split(|b| *b == b'\n')
        .find(|line| line.len() > NAME.len() && line[..NAME.len()].eq_ignore_ascii_case(NAME))
        .and_then(|line| std::str::from_utf8(&line[NAME.len()..]).ok())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn get(path: &str, headers: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: bench\r\n{headers}\r\n").into_bytes()
}

fn post(path: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: bench\r\n{headers}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

struct Load {
    per_second: f64,
    p99_ms: f64,
    errors: u64,
}

impl Load {
    /// The median rate and p99 of `rounds`, with all their errors.
    fn median(rounds: &[Load]) -> Load {
        Load {
            per_second: median(rounds.iter().map(|l| l.per_second).collect()),
            p99_ms: median(rounds.iter().map(|l| l.p99_ms).collect()),
            errors: rounds.iter().map(|l| l.errors).sum(),
        }
    }
}

/// Hammers one request on `connections` keep-alive connections for `seconds` after a short
/// warm-up; returns throughput and p99 latency.
async fn load(addr: SocketAddr, request: Vec<u8>, connections: usize, seconds: u64) -> Load {
    let request = Arc::new(request);
    let stop = Arc::new(AtomicBool::new(false));
    let measuring = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (request, stop, measuring, errors) = (
            request.clone(),
            stop.clone(),
            measuring.clone(),
            errors.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(addr).await;
            let mut latencies: Vec<u32> = Vec::with_capacity(200_000);
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                let (status, _) = conn.call(&request).await;
                if measuring.load(Ordering::Relaxed) {
                    latencies.push(t.elapsed().as_micros() as u32);
                    if status != 200 {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            latencies
        }));
    }
    let mut load = measured(
        tasks,
        &measuring,
        &stop,
        Duration::from_millis(500),
        seconds as f64,
    )
    .await;
    load.errors = errors.load(Ordering::Relaxed);
    load
}

/// The measuring window of a load: after `warm_up`, `measuring` is set for `seconds`, then
/// `stop`; each task returns the latencies (µs) it measured. Requests per second and p99 over
/// the window (errors are the caller's).
async fn measured(
    tasks: Vec<tokio::task::JoinHandle<Vec<u32>>>,
    measuring: &AtomicBool,
    stop: &AtomicBool,
    warm_up: Duration,
    seconds: f64,
) -> Load {
    tokio::time::sleep(warm_up).await;
    measuring.store(true, Ordering::Relaxed);
    let start = Instant::now();
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    measuring.store(false, Ordering::Relaxed);
    let elapsed = start.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort_unstable();
    let p99 = all
        .get((all.len() as f64 * 0.99) as usize)
        .copied()
        .unwrap_or(0) as f64
        / 1000.0;
    Load {
        per_second: all.len() as f64 / elapsed,
        p99_ms: p99,
        errors: 0,
    }
}

/// From exec to the first 200 on `/__admin/health` (or any 200 for the floor).
async fn startup_ms(floor_server: bool) -> f64 {
    let start = Instant::now();
    let server = if floor_server { floor() } else { wabasim(&[]) };
    loop {
        if let Ok(stream) = TcpStream::connect(server.addr).await {
            drop(stream);
            let mut conn = Conn::open(server.addr).await;
            let (status, _) = conn.call(&get("/__admin/health", "")).await;
            if status == 200 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    start.elapsed().as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// The string value of `key` in a compact JSON answer: `id`'s first, `code`'s last (the
/// latest code of a `GET /__admin/codes`). A byte search, not a parse: the load generator
/// shares the two cores with the server.
fn json_str(body: &[u8], key: &str) -> String {
    let needle = format!("\"{key}\":\"");
    let text = String::from_utf8_lossy(body);
    let start = match key {
        "code" => text.rfind(&needle),
        _ => text.find(&needle),
    };
    start
        .map(|i| &text[i + needle.len()..])
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string()
}

fn generate_fixture(dir: &Path, wabas: usize, numbers: usize, templates: usize) -> PathBuf {
    let path = dir.join(format!("bench-{wabas}w-{numbers}n-{templates}t.json"));
    if path.exists() {
        return path;
    }
    let mut out = String::with_capacity(numbers * 160 + templates * 90 + 4096);
    out.push_str(r#"{"seed":1,"clock":{"start":"2026-01-01T00:00:00Z"},"#);
    out.push_str(r#""businesses":[{"id":"100000000000001","name":"Bench Corp"}],"#);
    out.push_str(r#""partners":[{"id":"bsp","name":"Bench BSP"}],"#);
    out.push_str(r#""apps":[{"id":"300000000000001","partner":"bsp","secret":"s"}],"#);
    out.push_str(r#""tokens":[{"token":"wabasim-old-bsp","partner":"bsp","app":"300000000000001"}],"wabas":["#);
    for w in 0..wabas {
        if w > 0 {
            out.push(',');
        }
        let waba = 200_000_000_000_000u64 + w as u64;
        out.push_str(&format!(r#"{{"id":"{waba}","business":"100000000000001","partner":"bsp","subscribed_apps":["300000000000001"],"phone_numbers":["#));
        let per = numbers / wabas;
        for n in 0..per {
            if n > 0 {
                out.push(',');
            }
            let i = w * per + n;
            out.push_str(&format!(
                r#"{{"id":"{}","cc":"1","number":"{}","verified_name":"Bench {i}"}}"#,
                110_000_000_000_000u64 + i as u64,
                5_000_000_000u64 + i as u64
            ));
        }
        out.push_str(r#"],"templates":["#);
        let per = templates / wabas;
        for t in 0..per {
            if t > 0 {
                out.push(',');
            }
            out.push_str(&format!(
                r#"{{"name":"template_{t}","language":"en_US","category":"UTILITY"}}"#
            ));
        }
        out.push_str("]}");
    }
    out.push_str("]}");
    std::fs::write(&path, out).unwrap();
    path
}

/// Starts wabasim on a fixture; returns the server and how long until it answered.
async fn start_on_fixture(path: &Path) -> (Server, f64) {
    let start = Instant::now();
    let server = wabasim(&[
        "--fixture",
        path.to_str().unwrap(),
        "--max-fixture-bytes",
        "1000000000",
    ]);
    let mut conn = Conn::open(server.addr).await;
    let (status, _) = conn.call(&get("/__admin/health", "")).await;
    assert_eq!(status, 200);
    (server, start.elapsed().as_secs_f64() * 1000.0)
}

struct Row {
    what: String,
    floor: String,
    wabasim: String,
    ratio: String,
    target: String,
    met: Option<bool>,
}

async fn run(s: Settings) {
    let mut rows: Vec<Row> = Vec::new();
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench"));
    std::fs::create_dir_all(&dir).unwrap();
    if s.wants("suite") {
        // First in the table: the figure a CI user feels.
        eprintln!("measuring a user's suite and the per-test costs ...");
        let floor_server = floor();
        let sim = wabasim(&[]);
        rows.extend(suite::rows(floor_server.addr, sim.addr, sim.pid(), s.quick).await);
        drop(sim);
        let fresh = wabasim(&[]);
        rows.push(suite::churn_row(fresh.addr, fresh.pid()).await);
    }
    if s.wants("start") {
        eprintln!("measuring start-up ...");

        let floor_start = median(futures_collect((0..s.startups).map(|_| startup_ms(true))).await);
        let sim_start = median(futures_collect((0..s.startups).map(|_| startup_ms(false))).await);
        rows.push(Row {
            what: format!("start-up to first 200 (median of {})", s.startups),
            floor: format!("{floor_start:.1} ms"),
            wabasim: format!("{sim_start:.1} ms"),
            ratio: format!("{:.2}x", sim_start / floor_start),
            target: "≤ 20 ms".into(),
            met: Some(sim_start <= 20.0),
        });
    }

    if s.wants("read") {
        rows.extend(read_rows(&s).await);
    }

    if s.wants("flow") {
        let floor_server = floor();
        let sim = wabasim(&[]);
        let rounds = s.seconds.max(2) as usize;
        rows.extend(flow::rows(floor_server.addr, sim.addr, rounds).await);
    }

    if s.wants("sends") {
        rows.extend(sends::rows(s.quick).await);
    }

    if s.wants("calls") {
        eprintln!("measuring the calls a test case makes ...");
        let floor_server = floor();
        let sim = wabasim(&[]);
        rows.extend(suite::call_rows(floor_server.addr, sim.addr, s.quick).await);
    }

    if s.wants("namespaces") {
        rows.push(namespaces_row().await);
    }

    if s.big && s.wants("big") {
        rows.push(big_row(&dir).await);
    }

    if s.big && s.wants("growth") {
        rows.push(growth_row(&dir, s.seconds).await);
    }

    print_table(&rows);
}

/// Reads of one phone number beside the floor, their p99, and idle memory.
async fn read_rows(s: &Settings) -> Vec<Row> {
    let mut rows = Vec::new();
    eprintln!("measuring read throughput ...");
    // Both servers run side by side and are measured in alternating rounds, the ratio
    // taken per round: on a shared machine the absolute rate drifts from one second to the
    // next, and alternating puts floor and wabasim under the same drift.
    let floor_server = floor();
    let floor_rss = peak_rss_mb(floor_server.pid());
    let wire_server = wire_floor();
    let sim = wabasim(&[]);
    let idle_rss = {
        let mut conn = Conn::open(sim.addr).await;
        conn.call(&get("/__admin/health", "")).await;
        peak_rss_mb(sim.pid())
    };
    let read = get(
        "/v23.0/110000000000001",
        &format!("Authorization: Bearer {TOKEN}\r\n"),
    );
    let floor_read = get("/v23.0/110000000000001", "");
    let rounds = s.seconds.max(2) as usize;
    let (mut floor_rounds, mut wire_rounds, mut sim_rounds) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        floor_rounds.push(load(floor_server.addr, floor_read.clone(), 32, 1).await);
        wire_rounds.push(load(wire_server.addr, read.clone(), 32, 1).await);
        sim_rounds.push(load(sim.addr, read.clone(), 32, 1).await);
    }
    drop((floor_server, wire_server));
    let (floor_load, wire_load, sim_load) = (
        Load::median(&floor_rounds),
        Load::median(&wire_rounds),
        Load::median(&sim_rounds),
    );
    let ratio_to = |floors: &[Load]| {
        median(
            floors
                .iter()
                .zip(&sim_rounds)
                .map(|(f, w)| w.per_second / f.per_second)
                .collect(),
        )
    };
    let ratio = ratio_to(&floor_rounds);
    rows.push(Row {
        what: format!(
            "GET /v23.0/{{phone}}, 32 connections (median of {rounds} alternating 1 s rounds)"
        ),
        floor: format!("{:.0} req/s", floor_load.per_second),
        wabasim: format!(
            "{:.0} req/s ({} errors)",
            sim_load.per_second, sim_load.errors
        ),
        ratio: format!("{:.0}%", ratio * 100.0),
        target: "≥ 80% of floor".into(),
        met: Some(ratio >= 0.80 && sim_load.errors == 0),
    });
    let wire_ratio = median(
        floor_rounds
            .iter()
            .zip(&wire_rounds)
            .map(|(f, w)| w.per_second / f.per_second)
            .collect(),
    );
    rows.push(Row {
        what: "the same read from the Graph wire floor (bare hyper sending wabasim's exact answer: 14 headers, the header-read timeout; `wire_floor.rs`)".into(),
        floor: format!("{:.0} req/s ({:.0}% of the floor)", wire_load.per_second, wire_ratio * 100.0),
        wabasim: format!("{:.0} req/s", sim_load.per_second),
        ratio: format!("{:.0}% of the wire floor", ratio_to(&wire_rounds) * 100.0),
        target: "—".into(),
        met: None,
    });
    rows.push(Row {
        what: "p99 latency of that read".into(),
        floor: format!(
            "{:.2} ms (the wire floor {:.2} ms)",
            floor_load.p99_ms, wire_load.p99_ms
        ),
        wabasim: format!("{:.2} ms", sim_load.p99_ms),
        ratio: format!("{:.2}x", sim_load.p99_ms / floor_load.p99_ms.max(0.001)),
        target: "≤ 1 ms".into(),
        met: Some(sim_load.p99_ms <= 1.0),
    });
    rows.push(Row {
        what: "peak RSS idle, default world".into(),
        floor: format!("{floor_rss:.1} MB"),
        wabasim: format!("{idle_rss:.1} MB"),
        ratio: format!("{:.1}x", idle_rss / floor_rss),
        target: "≤ 20 MB".into(),
        met: Some(idle_rss <= 20.0),
    });

    drop(sim);
    rows
}

/// Peak memory with 1,000 namespaces alive.
async fn namespaces_row() -> Row {
    eprintln!("measuring 1,000 namespaces ...");
    let sim = wabasim(&[]);
    let mut conn = Conn::open(sim.addr).await;
    for i in 0..1000 {
        let (status, _) = conn
            .call(&get(
                "/v23.0/110000000000001",
                &format!("Authorization: Bearer {TOKEN}\r\nX-Wabasim-Namespace: ns-{i}\r\n"),
            ))
            .await;
        assert_eq!(status, 200);
    }
    let ns_rss = peak_rss_mb(sim.pid());
    drop(sim);
    Row {
        what: "peak RSS with 1,000 namespaces".into(),
        floor: "—".into(),
        wabasim: format!("{ns_rss:.1} MB"),
        ratio: "—".into(),
        target: "≤ 200 MB".into(),
        met: Some(ns_rss <= 200.0),
    }
}

/// Loading the big fixture: time to the first answer and peak memory.
async fn big_row(dir: &Path) -> Row {
    eprintln!("generating and loading the big fixture ...");
    let path = generate_fixture(dir, 10_000, 100_000, 500_000);
    let (server, ms) = start_on_fixture(&path).await;
    let rss = peak_rss_mb(server.pid());
    drop(server);
    Row {
        what: "load 10k WABAs / 100k numbers / 500k templates".into(),
        floor: "—".into(),
        wabasim: format!("{ms:.0} ms, {rss:.0} MB"),
        ratio: "—".into(),
        target: "≤ 0.5 s, ≤ 200 MB".into(),
        met: Some(ms <= 500.0 && rss <= 200.0),
    }
}

/// Reads on worlds of 1k, 10k and 100k numbers: flat or not.
async fn growth_row(dir: &Path, seconds: u64) -> Row {
    eprintln!("measuring cost growth ...");
    // The three worlds are served side by side and read in rotating 1 s rounds (the
    // median per world), so the machine's drift hits all three alike.
    let sizes = [1_000usize, 10_000, 100_000];
    let mut servers = Vec::new();
    for numbers in sizes {
        let path = generate_fixture(dir, numbers / 10, numbers, numbers / 10);
        let (server, _) = start_on_fixture(&path).await;
        let phone = 110_000_000_000_000u64 + numbers as u64 / 2;
        let request = get(
            &format!("/v23.0/{phone}"),
            &format!("Authorization: Bearer {TOKEN}\r\n"),
        );
        servers.push((numbers, server, request));
    }
    let mut rates: HashMap<usize, Vec<f64>> = HashMap::new();
    for round in 0..(2 * seconds).max(6) as usize {
        // A different world goes first each round: the first read after a pause is slower.
        for k in 0..servers.len() {
            let (numbers, server, request) = &servers[(round + k) % servers.len()];
            let l = load(server.addr, request.clone(), 32, 1).await;
            rates.entry(*numbers).or_default().push(l.per_second);
        }
    }
    drop(servers);
    let growth: HashMap<usize, f64> = rates.into_iter().map(|(n, v)| (n, median(v))).collect();
    let flat = growth[&100_000] / growth[&1_000];
    Row {
        what: "read req/s at 1k / 10k / 100k numbers".into(),
        floor: "—".into(),
        wabasim: format!(
            "{:.0} / {:.0} / {:.0}",
            growth[&1_000], growth[&10_000], growth[&100_000]
        ),
        ratio: format!("100k/1k = {:.2}", flat),
        target: "flat (≥ 0.90)".into(),
        met: Some(flat >= 0.90),
    }
}

async fn futures_collect<F: std::future::Future<Output = f64>>(
    futures: impl Iterator<Item = F>,
) -> Vec<f64> {
    let mut out = Vec::new();
    for f in futures {
        out.push(f.await);
    }
    out
}

fn print_table(rows: &[Row]) {
    println!();
    println!(
        "machine: {} cores, {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(
                |c| c.lines().find(|l| l.starts_with("model name")).map(|l| l
                    .split(':')
                    .nth(1)
                    .unwrap_or("")
                    .trim()
                    .to_string())
            )
            .unwrap_or_default()
    );
    println!();
    println!("| measure | floor (bare hyper) | wabasim | ratio | target | met |");
    println!("|---|---|---|---|---|---|");
    for r in rows {
        let met = match r.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "—",
        };
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            r.what, r.floor, r.wabasim, r.ratio, r.target, met
        );
    }
}
