//! The `wabasim` command as users run it: `serve --listen 127.0.0.1:0` prints the address it
//! bound, serves the default world there, and shuts down cleanly on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn serve_prints_its_address_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wabasim"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("wabasim starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("wabasim listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_string();
    let addr = url.strip_prefix("http://").unwrap();
    assert!(!addr.ends_with(":0"), "{addr}");

    // One real request over a plain socket.
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .write_all(b"GET /v23.0/110000000000001?fields=verified_name HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wabasim-old-bsp\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(
        reply.ends_with(r#"{"verified_name":"Acme","id":"110000000000001"}"#),
        "{reply}"
    );

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn a_missing_fixture_file_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_wabasim"))
        .args(["serve", "--fixture", "/nonexistent/world.yaml"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/world.yaml"), "{err}");
}

/// `serve --port-file PATH` on port 0 (given through `WABASIM_LISTEN=:0`): the file appears,
/// whole, holding the bound address, and that address answers; `wabasim health` probes it.
#[test]
fn port_file_holds_the_bound_address_once_listening() {
    let dir = std::env::temp_dir().join(format!("wabasim-port-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("port");
    let _ = std::fs::remove_file(&path);
    let mut child = Command::new(env!("CARGO_BIN_EXE_wabasim"))
        .args(["serve", "--port-file"])
        .arg(&path)
        .env("WABASIM_LISTEN", ":0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("wabasim starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let addr = loop {
        if let Ok(text) = std::fs::read_to_string(&path) {
            break text;
        }
        assert!(std::time::Instant::now() < deadline, "no port file");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let answered = std::net::TcpStream::connect(addr.as_str());
    // `wabasim health URL`, the container's HEALTHCHECK: 0 with the body while it serves.
    let health = |url: &str| {
        Command::new(env!("CARGO_BIN_EXE_wabasim"))
            .args(["health", url])
            .output()
            .unwrap()
    };
    let up = health(&format!("http://{addr}"));
    let _ = child.kill();
    let _ = child.wait();
    let down = health(&format!("http://{addr}/"));
    let not_http = health("https://127.0.0.1:1");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(answered.is_ok(), "{addr}: {answered:?}");
    let body = String::from_utf8_lossy(&up.stdout);
    assert!(
        up.status.success() && body.contains(r#""status":"ok""#),
        "{up:?}"
    );
    assert!(!down.status.success(), "{down:?}");
    assert!(
        String::from_utf8_lossy(&down.stderr).contains(addr.as_str()),
        "{down:?}"
    );
    assert!(!not_http.status.success(), "{not_http:?}");
    assert!(
        String::from_utf8_lossy(&not_http.stderr).contains("only http://"),
        "{not_http:?}"
    );
    let port = addr
        .strip_prefix("127.0.0.1:")
        .unwrap_or_else(|| panic!("{addr:?}"));
    assert!(port.parse::<u16>().unwrap() > 0, "{addr:?}");
}

/// `--log-format json` at `debug`: one line per request with its namespace, facade,
/// operation, status and latency, and never the request's parameters (its token here).
#[test]
fn serve_logs_one_json_line_per_request_without_its_parameters() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wabasim"))
        .args([
            "serve",
            "--listen",
            ":0",
            "--log-format",
            "json",
            "--log-level",
            "debug",
        ])
        .env_remove("RUST_LOG")
        .env_remove("WABASIM_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wabasim starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line.trim().rsplit('/').next().unwrap().to_string();
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .write_all(b"GET /v23.0/110000000000001?fields=verified_name&access_token=SECRET-TOKEN-42 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    child.wait().unwrap();
    assert!(!logs.contains("SECRET-TOKEN-42"), "{logs}");
    let request = logs
        .lines()
        .find(|l| l.contains(r#""target":"wabasim::request""#))
        .unwrap_or_else(|| panic!("no request line: {logs}"));
    for field in [
        r#""namespace":"default""#,
        r#""facade":"graph""#,
        r#""operation":"get_phone_number""#,
        r#""status":401"#,
        r#""latency_us":"#,
    ] {
        assert!(request.contains(field), "{field} in {request}");
    }
}

/// `wabasim completions bash|zsh|fish` and `wabasim man` print something on stdout and succeed.
#[test]
fn completions_and_the_man_page_are_printed() {
    for args in [
        &["completions", "bash"][..],
        &["completions", "zsh"],
        &["completions", "fish"],
        &["man"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_wabasim"))
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("serve"), "{args:?}: {text}");
    }
}
