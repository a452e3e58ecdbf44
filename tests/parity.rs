//! `wabasim proxy`, `replay` and `fixture from-recording` (issue: parity from recorded
//! traffic), against a local fake upstream (an in-process simulator: there is no network here):
//! a recording of wabasim through the proxy replays with no difference, planted differences
//! are each reported once, accepted ones do not fail, and no secret reaches the file.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_wabasim");
const TOKEN: &str = "wabasim-new-bsp";
const PIN: &str = "864209";

struct Proxy(Child);

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("parity-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn start_proxy(upstream: &str, record: &Path, dir: &Path) -> (Proxy, String) {
    start_proxy_with(upstream, record, dir, &[]).await
}

/// The proxy with `extra` flags, and its address once it listens.
async fn start_proxy_with(
    upstream: &str,
    record: &Path,
    dir: &Path,
    extra: &[&std::ffi::OsStr],
) -> (Proxy, String) {
    let port_file = dir.join(format!("proxy-{}.port", extra.len()));
    let _ = std::fs::remove_file(&port_file);
    let child = Command::new(BIN)
        .args(["proxy", "--listen", "127.0.0.1:0", "--upstream"])
        .arg(upstream)
        .args(extra)
        .arg("--record")
        .arg(record)
        .arg("--port-file")
        .arg(&port_file)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let proxy = Proxy(child);
    for _ in 0..500 {
        if let Ok(addr) = std::fs::read_to_string(&port_file)
            && !addr.is_empty()
        {
            return (proxy, format!("http://{addr}"));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the proxy did not start");
}

async fn call(base: &str, method: &str, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let req = http::Request::builder()
        .method(method)
        .uri(format!("{base}{path}"))
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let res = client.request(req).await.unwrap();
    let status = res.status().as_u16();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A migration through the proxy, with one refused call and one unknown id.
async fn record_a_migration(dir: &Path) -> (PathBuf, String) {
    let upstream = wabasim::Simulator::start().await.unwrap();
    let record = dir.join("recording.jsonl");
    let (proxy, base) = start_proxy(&upstream.uri(), &record, dir).await;
    let (s, v) = call(
        &base,
        "POST",
        "/v23.0/200000000000002/phone_numbers",
        &[
            ("cc", "1"),
            ("phone_number", "5550100001"),
            ("migrate_phone_number", "true"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let (s, v) = call(
        &base,
        "POST",
        &format!("/v23.0/{id}/request_code"),
        &[("code_method", "SMS"), ("language", "en_US")],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let code = upstream.codes().latest(&id).unwrap();
    let (s, _) = call(
        &base,
        "POST",
        &format!("/v23.0/{id}/verify_code"),
        &[("code", "000000")],
    )
    .await;
    assert_eq!(s, 400, "a wrong code is refused");
    let (s, v) = call(
        &base,
        "POST",
        &format!("/v23.0/{id}/verify_code"),
        &[("code", &code)],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = call(
        &base,
        "POST",
        &format!("/v23.0/{id}/register"),
        &[("messaging_product", "whatsapp"), ("pin", PIN)],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = call(&base, "GET", "/v23.0/200000000000002/message_templates?fields=id,name,language,status,category,quality_score", &[]).await;
    assert_eq!(s, 200, "{v}");
    let (s, _) = call(&base, "GET", "/v23.0/999999999999999", &[]).await;
    assert_eq!(s, 400);
    drop(proxy);
    upstream.shutdown().await;
    (record, code)
}

fn replay(record: &Path, dir: &Path, extra: &[&str]) -> (i32, String, Value) {
    let json = dir.join("report.json");
    let out = Command::new(BIN)
        .arg("replay")
        .arg(record)
        .args([
            "--fixture",
            "fixtures/default.yaml",
            "--bearer",
            TOKEN,
            "--clock",
            "relative",
            "--json",
        ])
        .arg(&json)
        .args(extra)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let report = serde_json::from_str(&std::fs::read_to_string(&json).unwrap_or_default())
        .unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), text, report)
}

fn lines(record: &Path) -> Vec<Value> {
    std::fs::read_to_string(record)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn write(record: &Path, lines: &[Value]) {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(record, text).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recording_of_wabasim_replays_with_no_difference_and_holds_no_secret() {
    let dir = scratch("clean");
    let (record, code) = record_a_migration(&dir).await;
    let text = std::fs::read_to_string(&record).unwrap();
    assert_eq!(
        text.lines().count(),
        1 + 7,
        "a header line and one line per exchange"
    );
    for secret in [TOKEN, PIN, code.as_str()] {
        assert!(!text.contains(secret), "{secret:?} is in the recording");
    }
    let header: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(header["wabasim_recording"], 1);
    assert!(
        header["redacted_params"]
            .as_array()
            .unwrap()
            .contains(&"code".into())
    );
    let (status, out, report) = replay(&record, &dir, &[]);
    assert_eq!(status, 0, "{out}");
    assert_eq!(report["exchanges"], 7, "{report}");
    assert_eq!(report["differences"], serde_json::json!([]), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn planted_differences_are_each_reported_once_and_accepted_ones_do_not_fail() {
    let dir = scratch("planted");
    let (record, _) = record_a_migration(&dir).await;
    let mut l = lines(&record);
    // Exchange 7 (the unknown id): another error code. Exchange 6 (templates): a key gone
    // from every template, and the ids turned into numbers.
    l[7]["response"]["body"]["text"] = Value::String(
        l[7]["response"]["body"]["text"]
            .as_str()
            .unwrap()
            .replace("\"code\":100", "\"code\":803"),
    );
    let mut templates: Value =
        serde_json::from_str(l[6]["response"]["body"]["text"].as_str().unwrap()).unwrap();
    for t in templates["data"].as_array_mut().unwrap() {
        t.as_object_mut().unwrap().remove("category");
        t["id"] = Value::from(1);
    }
    l[6]["response"]["body"]["text"] = Value::String(templates.to_string());
    write(&record, &l);
    let (status, out, report) = replay(&record, &dir, &[]);
    assert_eq!(status, 1, "{out}");
    let names: Vec<String> = report["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {} {}",
                d["seq"],
                d["kind"].as_str().unwrap(),
                d["path"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            "6 type data[].id",
            "6 extra data[].category",
            "7 value error.code"
        ],
        "{out}"
    );
    assert!(
        out.contains("## 7. GET /v23.0/999999999999999 (graph)"),
        "{out}"
    );
    assert!(
        out.contains("- value error.code: recorded 803, wabasim 100"),
        "{out}"
    );
    // Two of the three accepted: still a failure; all three: none.
    let accept = dir.join("accept.yaml");
    let two = "accept:\n  - {exchange: 'graph GET /v23.0/{id}', difference: 'value error.code', reason: planted}\n  - {exchange: 'graph GET /v23.0/{id}/message_templates', difference: 'type data[].id', reason: planted}\n";
    std::fs::write(&accept, two).unwrap();
    let (status, out, _) = replay(&record, &dir, &["--accept", accept.to_str().unwrap()]);
    assert_eq!(status, 1, "{out}");
    assert!(out.contains("1 differences not accepted"), "{out}");
    let three = format!(
        "{two}  - {{exchange: 'graph GET /v23.0/{{id}}/message_templates', difference: 'extra data[].category', reason: planted}}\n"
    );
    std::fs::write(&accept, three).unwrap();
    let (status, out, _) = replay(&record, &dir, &["--accept", accept.to_str().unwrap()]);
    assert_eq!(status, 0, "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_world_a_recording_implies_keeps_its_ids_and_loads() {
    let dir = scratch("fixture");
    let (record, _) = record_a_migration(&dir).await;
    let out = Command::new(BIN)
        .args(["fixture", "from-recording"])
        .arg(&record)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fixture = dir.join("derived.yaml");
    std::fs::write(&fixture, &out.stdout).unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for id in ["200000000000002", "400000000000011", "5550100001"] {
        assert!(
            text.contains(id),
            "{id} missing from the derived world:\n{text}"
        );
    }
    let check = Command::new(BIN)
        .args(["fixture", "check"])
        .arg(&fixture)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    // Replayed in that world (the default), the migration goes through as recorded.
    let out = Command::new(BIN)
        .arg("replay")
        .arg(&record)
        .args(["--clock", "relative"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("wabasim replay: 7 exchanges"), "{text}");
    assert!(
        !text.contains("## 1. "),
        "the migration request differs:\n{text}"
    );
}

#[test]
fn bad_recordings_and_upstreams_are_refused_with_a_clear_error() {
    let dir = scratch("bad");
    let bad = dir.join("bad.jsonl");
    std::fs::write(&bad, "{\"wabasim_recording\":9,\"redacted_headers\":[],\"redacted_params\":[],\"redacted_answer_keys\":[]}\n").unwrap();
    let out = Command::new(BIN).arg("replay").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("recording format 9"));
    let out = Command::new(BIN)
        .args(["proxy", "--upstream", "nope=https://x", "--record"])
        .arg(dir.join("r.jsonl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no facade \"nope\""));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recording_written_as_a_scenario_passes() {
    let dir = scratch("scenario");
    let (record, _) = record_a_migration(&dir).await;
    let fixture = std::fs::canonicalize("fixtures/default.yaml").unwrap();
    let out = Command::new(BIN)
        .args(["scenario", "from-recording", "--bearer", TOKEN, "--fixture"])
        .arg(&fixture)
        .arg(&record)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let scenario = dir.join("recorded.yaml");
    std::fs::write(&scenario, &out.stdout).unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.contains("admin: GET /__admin/codes?phone_number_id="),
        "{text}"
    );
    assert!(
        text.contains("expect: {status: 400, json: {\"error\""),
        "{text}"
    );
    let run = Command::new(BIN)
        .args(["scenario", "run", "--transcripts"])
        .arg(dir.join("transcripts"))
        .arg(&scenario)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}\n{}\n{text}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

/// The TLS path, against `openssl s_server` with a certificate made for the test: refused
/// (502 in Graph's envelope) until `--upstream-ca` trusts it, then forwarded and recorded.
#[tokio::test(flavor = "multi_thread")]
async fn an_https_upstream_is_reached_over_tls_with_the_roots_given() {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("SKIPPED: no openssl command to play a TLS upstream");
        return;
    }
    let dir = scratch("tls");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ])
        .args([
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = Command::new("openssl")
        .args(["s_server", "-quiet", "-www", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _server = Proxy(server);
    for _ in 0..500 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let upstream = format!("https://127.0.0.1:{port}");
    let record = dir.join("untrusted.jsonl");
    let (proxy, base) = start_proxy(&upstream, &record, &dir).await;
    let (status, body) = call(&base, "GET", "/", &[]).await;
    assert_eq!(status, 502, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("did not answer"),
        "{body}"
    );
    drop(proxy);
    let record = dir.join("trusted.jsonl");
    let flags = [std::ffi::OsStr::new("--upstream-ca"), cert.as_os_str()];
    let (_proxy, base) = start_proxy_with(&upstream, &record, &dir, &flags).await;
    let (status, _) = call(&base, "GET", "/", &[]).await;
    assert_eq!(status, 200);
    let recorded = lines(&record);
    assert_eq!(recorded[1]["response"]["status"], 200, "{}", recorded[1]);
    assert_eq!(recorded[1]["upstream"], format!("{upstream}/"));
    assert!(
        recorded[1]["response"]["body"]["text"]
            .as_str()
            .unwrap()
            .contains("s_server")
    );
}

/// A cams call signed V3 for the host `upstream` (V3 signs `Host`) with the default world's
/// access key, sent through the proxy at `base`: its answer.
async fn cams_through(base: &str, upstream: &str, action: &str, query: &[(&str, &str)]) -> Value {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let date = wabasim::clock::wall_now().rfc3339();
    let nonce = format!("parity{:026}", SEQ.fetch_add(1, Ordering::Relaxed));
    let signed = wabasim::api::cams::signature::V3Call {
        host: upstream,
        action,
        query,
        body: b"",
        content_type: None,
        date: &date,
        nonce: &nonce,
        extra_headers: &[],
    }
    .sign("wabasim-ak", "wabasim-secret");
    let mut req = http::Request::builder()
        .method("POST")
        .uri(format!("{base}/?{}", signed.raw_query));
    for (name, value) in &signed.headers {
        req = req.header(name.as_str(), value.as_str());
    }
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let res = client
        .request(req.body(Full::new(Bytes::new())).unwrap())
        .await
        .unwrap();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap_or(Value::Null)
}

/// Alibaba's calls are signed, and a recording holds neither the signature nor the AccessKey:
/// the replay signs each call again with the fixture's key, and fills the redacted
/// `VerifyCode`, so a ChatApp migration replays with no difference (it was a signature
/// failure per exchange before).
#[tokio::test(flavor = "multi_thread")]
async fn a_recorded_chatapp_migration_is_signed_again_and_replays_clean() {
    let dir = scratch("cams");
    let upstream = wabasim::Simulator::start().await.unwrap();
    let host = upstream.address().to_string();
    let record = dir.join("recording.jsonl");
    let (proxy, base) = start_proxy(&upstream.uri(), &record, &dir).await;
    let space = [("CustSpaceId", "cams-acme")];
    let mut init = space.to_vec();
    init.extend([("CountryCode", "1"), ("MobileNumber", "5550100001")]);
    let v = cams_through(&base, &host, "CreateChatappMigrationInitiate", &init).await;
    assert_eq!(v["Code"], "OK", "{v}");
    let number = [("CustSpaceId", "cams-acme"), ("PhoneNumber", "15550100001")];
    let mut ask = number.to_vec();
    ask.extend([("Locale", "en_US"), ("Method", "SMS")]);
    let v = cams_through(&base, &host, "GetMigrationVerifyCode", &ask).await;
    assert_eq!(v["Code"], "OK", "{v}");
    let code = upstream
        .codes()
        .latest_to_number("+1 555 010 0001")
        .unwrap();
    let mut wrong = number.to_vec();
    wrong.push((
        "VerifyCode",
        if code == "000000" { "111111" } else { "000000" },
    ));
    let v = cams_through(&base, &host, "ChatappMigrationVerified", &wrong).await;
    assert_ne!(v["Code"], "OK", "a wrong code is refused: {v}");
    let mut verify = number.to_vec();
    verify.push(("VerifyCode", &code));
    let v = cams_through(&base, &host, "ChatappMigrationVerified", &verify).await;
    assert_eq!(v["Code"], "OK", "{v}");
    let v = cams_through(&base, &host, "ChatappMigrationRegister", &number).await;
    assert_eq!(v["Code"], "OK", "{v}");
    drop(proxy);
    upstream.shutdown().await;

    let text = std::fs::read_to_string(&record).unwrap();
    assert!(!text.contains("wabasim-secret") && !text.contains(&format!("VerifyCode={code}")));
    let (status, out, report) = replay(&record, &dir, &[]);
    assert_eq!(report["exchanges"], 5, "{out}");
    assert_eq!(status, 0, "{out}\n{report:#}");
    assert_eq!(report["differences"], serde_json::json!([]), "{out}");
}
