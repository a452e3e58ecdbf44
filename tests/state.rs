//! `serve --state FILE` with the real binary over real sockets: a changed world (a migration,
//! the clock, a fault, Alibaba's binding, a mass send's recipients waiting for their turn)
//! survives a snapshot and a `kill -9`, the RNG goes on where it stopped, SIGTERM saves, and a
//! file that is not one (truncated, another version, too big) is refused at start and left as
//! it was.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};
use wabasim::api::facade::{self, ScriptedCall};
use wabasim::fixture::Fixture;

const NEW_BSP: &str = "wabasim-new-bsp";
const DEST_WABA: &str = "200000000000002";
const READY_NUMBER: &str = "5550100001";

struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(state: &Path) -> Server {
        Server::start_with(state, &[])
    }

    fn start_with(state: &Path, extra: &[&str]) -> Server {
        let state = ["--state".as_ref(), state.as_os_str()];
        Server::spawn(&state, extra)
    }

    fn spawn(state: &[&std::ffi::OsStr], extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wabasim"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(state)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("wabasim starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("wabasim listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_string();
        Server { child, addr }
    }

    /// One request on a connection of its own; the status and the body.
    fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> (u16, String) {
        let mut stream = std::net::TcpStream::connect(&self.addr).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        // A signed request names its host itself (it is signed).
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            head.push_str(&format!("Host: {}\r\n", self.addr));
        }
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        let status = reply[9..12].parse().unwrap();
        let body = reply.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
        (status, body.to_string())
    }

    fn admin(&self, method: &str, path: &str, body: Value) -> Value {
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        let (status, text) = self.send(method, path, &[], body.as_bytes());
        assert_eq!(status, 200, "{method} {path}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    fn graph_form(&self, path: &str, form: &str) -> Value {
        let headers = [
            ("Authorization".to_string(), format!("Bearer {NEW_BSP}")),
            (
                "Content-Type".to_string(),
                "application/x-www-form-urlencoded".to_string(),
            ),
        ];
        let (status, text) = self.send("POST", path, &headers, form.as_bytes());
        assert_eq!(status, 200, "POST {path}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// An Alibaba ChatApp call, signed as its SDK signs it.
    fn cams(&self, action: &str, params: &[(&str, &str)]) -> Value {
        let params: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let fixture = Fixture::default_world();
        let call = ScriptedCall {
            action,
            params: &params,
            access_key: None,
            secret: None,
            headers: &[],
            host: &self.addr,
            fixture: &fixture,
        };
        let req = facade::by_id("cams")
            .and_then(|f| f.scripted_request(&call))
            .expect("cams scripts its calls")
            .expect("signed");
        let (status, text) = self.send(&req.method, &req.path, &req.headers, &req.body);
        assert_eq!(status, 200, "{action}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    fn latest_code(&self, phone: &str) -> String {
        let codes = self.admin(
            "GET",
            &format!("/__admin/codes?phone_number_id={phone}"),
            Value::Null,
        );
        codes["codes"]
            .as_array()
            .and_then(|c| c.last())
            .expect("a code")["code"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    fn sigterm(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        assert!(self.child.wait().unwrap().success(), "a clean exit");
    }
}

fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wabasim-state-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn saved_namespace(file: &Path, name: &str) -> Value {
    let saved: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    saved["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no namespace {name} saved"))
}

#[test]
fn a_snapshot_survives_kill_9_and_sigterm_saves() {
    let dir = dir("survive");
    let file = dir.join("state.json");
    let a = Server::start(&file);
    a.admin("POST", "/__admin/clock/freeze", Value::Null);
    a.admin("POST", "/__admin/clock/advance", json!({"duration": "3h"}));
    let started = a.graph_form(
        &format!("/v23.0/{DEST_WABA}/phone_numbers"),
        &format!("cc=1&phone_number={READY_NUMBER}&migrate_phone_number=true"),
    );
    let id = started["id"].as_str().unwrap().to_string();
    a.admin(
        "POST",
        "/__admin/faults",
        json!({"match": {"operation": "deregister"}, "error": "temporarily_unavailable"}),
    );
    a.cams(
        "UpdateAccountWebhook",
        &[
            ("CustSpaceId", "cams-acme"),
            ("StatusCallbackUrl", "https://receiver.example/status"),
        ],
    );
    let state = a.admin("GET", "/__admin/state", Value::Null);
    let clock = a.admin("GET", "/__admin/clock", Value::Null);
    let faults = a.admin("GET", "/__admin/faults", Value::Null);
    let saved = a.admin("POST", "/__admin/snapshot", Value::Null);
    assert_eq!(saved["namespaces"], 1, "{saved}");
    assert_eq!(files_in(&dir), ["state.json"], "no temporary file left");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "secrets inside: its owner's only ({mode:o})"
        );
    }
    let first = saved_namespace(&file, "default");
    assert!(
        first["bindings"]["cams"]
            .to_string()
            .contains("https://receiver.example/status"),
        "{}",
        first["bindings"]
    );
    // What the RNG gives next, had the server not stopped.
    a.graph_form(
        &format!("/v23.0/{id}/request_code"),
        "code_method=SMS&language=en_US",
    );
    let code = a.latest_code(&id);
    a.kill_9();

    let b = Server::start(&file);
    assert_eq!(b.admin("GET", "/__admin/state", Value::Null), state);
    assert_eq!(b.admin("GET", "/__admin/clock", Value::Null), clock);
    assert_eq!(b.admin("GET", "/__admin/faults", Value::Null), faults);
    b.graph_form(
        &format!("/v23.0/{id}/request_code"),
        "code_method=SMS&language=en_US",
    );
    assert_eq!(
        b.latest_code(&id),
        code,
        "the RNG went on where it was saved"
    );
    b.admin("POST", "/__admin/snapshot", Value::Null);
    let second = saved_namespace(&file, "default");
    assert_eq!(second["bindings"], first["bindings"]);

    // SIGTERM saves what changed since the snapshot.
    b.admin("POST", "/__admin/clock/advance", json!({"duration": "1h"}));
    let later = b.admin("GET", "/__admin/clock", Value::Null);
    b.sigterm();
    assert_eq!(files_in(&dir), ["state.json"]);
    let c = Server::start(&file);
    assert_eq!(c.admin("GET", "/__admin/clock", Value::Null), later);
    c.kill_9();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Starts the server on `file` expecting a refusal; answers what it printed.
fn refused(file: &Path, extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_wabasim"))
        .args(["serve", "--listen", "127.0.0.1:0", "--state"])
        .arg(file)
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty(), "it never listened: {out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_file_that_is_not_one_is_refused_and_left_as_it_was() {
    let dir = dir("refused");
    let file = dir.join("state.json");
    let a = Server::start(&file);
    a.admin("POST", "/__admin/snapshot", Value::Null);
    a.kill_9();
    let good = std::fs::read(&file).unwrap();
    let shown = file.display().to_string();

    std::fs::write(&file, &good[..good.len() / 2]).unwrap();
    let err = refused(&file, &[]);
    assert!(
        err.contains(&shown) && err.contains("corrupt or truncated"),
        "{err}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), &good[..good.len() / 2]);

    let mut other: Value = serde_json::from_slice(&good).unwrap();
    other["version"] = json!(999);
    let other = other.to_string();
    std::fs::write(&file, &other).unwrap();
    let err = refused(&file, &[]);
    assert!(err.contains(&shown) && err.contains("version 999"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), other);

    std::fs::write(&file, b"{\"hello\": 1}").unwrap();
    let err = refused(&file, &[]);
    assert!(err.contains("not a wabasim state file"), "{err}");

    std::fs::write(&file, &good).unwrap();
    let err = refused(&file, &["--state-max-bytes", "100"]);
    assert!(err.contains("over --state-max-bytes (100)"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), good);
    assert_eq!(files_in(&dir), ["state.json"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn scheduled_events_fire_after_a_restart_and_another_fixture_is_refused() {
    let dir = dir("events");
    let file = dir.join("state.json");
    let fixture = dir.join("fixture.yaml");
    std::fs::write(
        &fixture,
        "extends: default\nevents:\n  - {at: +1d, phone_quality: {phone_number_id: \"110000000000001\", quality: RED}}\n",
    )
    .unwrap();
    let fixture_arg = fixture.display().to_string();
    let a = Server::start_with(&file, &["--fixture", &fixture_arg]);
    a.admin("POST", "/__admin/clock/freeze", Value::Null);
    a.admin("POST", "/__admin/snapshot", Value::Null);
    a.kill_9();

    let err = refused(&file, &[]);
    assert!(err.contains("another fixture"), "{err}");

    let b = Server::start_with(&file, &["--fixture", &fixture_arg]);
    b.admin("POST", "/__admin/clock/advance", json!({"duration": "25h"}));
    let headers = [(
        "Authorization".to_string(),
        "Bearer wabasim-old-bsp".to_string(),
    )];
    let (status, text) = b.send(
        "GET",
        "/v23.0/110000000000001?fields=quality_rating,status",
        &headers,
        b"",
    );
    assert_eq!(status, 200, "{text}");
    let phone: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(phone["quality_rating"], "RED", "{phone}");
    assert_eq!(phone["status"], "FLAGGED", "{phone}");
    b.kill_9();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_webhook_delivery_waiting_for_its_retry_survives_a_restart() {
    let dir = dir("outbox");
    let file = dir.join("state.json");
    // A port nobody listens on: the first try fails and a retry is scheduled.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    let a = Server::start(&file);
    a.admin("POST", "/__admin/clock/freeze", Value::Null);
    a.admin(
        "POST",
        "/__admin/webhooks/apps/300000000000001",
        json!({"webhook_url": url}),
    );
    a.admin(
        "POST",
        "/__admin/events",
        json!({"phone_quality": {"phone_number_id": "110000000000001", "quality": "RED"}}),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let listed = loop {
        let listed = a.admin("GET", "/__admin/webhooks", Value::Null);
        if listed.to_string().contains("\"failed\"") {
            break listed;
        }
        assert!(std::time::Instant::now() < deadline, "{listed}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    a.admin("POST", "/__admin/snapshot", Value::Null);
    a.kill_9();

    let b = Server::start(&file);
    assert_eq!(b.admin("GET", "/__admin/webhooks", Value::Null), listed);
    b.kill_9();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn without_state_a_snapshot_answers_409() {
    let server = Server::spawn(&[], &[]);
    let (status, text) = server.send("POST", "/__admin/snapshot", &[], b"");
    assert_eq!(status, 409, "{text}");
    assert!(text.contains("--state"), "{text}");
    server.kill_9();
}

#[test]
fn a_mass_sends_waiting_recipients_survive_a_restart_and_keep_their_task_id() {
    let dir = dir("paced");
    let file = dir.join("state.json");
    let a = Server::start(&file);
    a.admin("POST", "/__admin/clock/freeze", Value::Null);
    let number = [("CustSpaceId", "cams-acme"), ("PhoneNumber", "15550100001")];
    let started = a.cams(
        "CreateChatappMigrationInitiate",
        &[
            ("CustSpaceId", "cams-acme"),
            ("CountryCode", "1"),
            ("MobileNumber", READY_NUMBER),
        ],
    );
    let id = started["Data"]["Id"].as_str().unwrap().to_string();
    let mut ask = number.to_vec();
    ask.extend([("Locale", "en_US"), ("Method", "SMS")]);
    a.cams("GetMigrationVerifyCode", &ask);
    let code = a.latest_code(&id);
    let mut verify = number.to_vec();
    verify.push(("VerifyCode", &code));
    a.cams("ChatappMigrationVerified", &verify);
    a.cams("ChatappMigrationRegister", &number);
    // A callback nobody answers: the receipts stay listed in the outbox.
    a.cams(
        "UpdateAccountWebhook",
        &[
            ("CustSpaceId", "cams-acme"),
            ("StatusCallbackUrl", "https://receiver.example/status"),
        ],
    );
    // 90 users: 80 now (the number's second), 10 waiting for the next.
    let senders: Vec<Value> = (0..90)
        .map(|i| json!({"To": format!("1650555{i:04}"), "TemplateParams": {"1": "Al"}}))
        .collect();
    let senders = Value::from(senders).to_string();
    let sent = a.cams(
        "SendChatappMassMessage",
        &[
            ("CustSpaceId", "cams-acme"),
            ("ChannelType", "whatsapp"),
            ("From", "15550100001"),
            ("TemplateName", "order_update"),
            ("Language", "en_US"),
            ("TaskId", "kept"),
            ("SenderList", &senders),
        ],
    );
    assert_eq!(sent["Code"], "OK", "{sent}");
    a.admin("POST", "/__admin/snapshot", Value::Null);
    let saved = saved_namespace(&file, "default");
    assert!(
        saved["bindings"]["cams"].to_string().contains("\"kept\""),
        "the batch's record is saved: {}",
        saved["bindings"]
    );
    a.kill_9();

    let b = Server::start(&file);
    b.admin("POST", "/__admin/clock/advance", json!({"duration": "1s"}));
    // After the 80 Sent and their 80 Delivered: the 10 that waited, sent at their turn and
    // told with the request's TaskId.
    let later = b.admin(
        "GET",
        "/__admin/webhooks?field=ChatAppStatus&after=160",
        Value::Null,
    );
    let reports: Vec<&Value> = later["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["payload"][0])
        .collect();
    assert_eq!(reports.len(), 10, "{later}");
    for (i, r) in reports.iter().enumerate() {
        assert_eq!(r["Status"], "Sent", "{r}");
        assert_eq!(r["TaskId"], "kept", "{r}");
        assert_eq!(r["To"], format!("16505550{:03}", 80 + i), "{r}");
    }
    b.kill_9();
    let _ = std::fs::remove_dir_all(&dir);
}
