//! What the command line's commands share (`src/main.rs`, `scenario::cli`).

use std::process::ExitCode;

/// The multi-threaded runtime a command serves or runs scenarios on; when it cannot start,
/// the error is printed and the command fails.
pub fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start the runtime: {e}");
            ExitCode::FAILURE
        })
}

/// `serve --listen` (and `WABASIM_LISTEN`): `PORT`, `:PORT`, `HOST:PORT` or `[V6]:PORT`, where
/// a missing host and `localhost` both mean `127.0.0.1` (never a name lookup, never beyond
/// loopback by accident).
pub fn parse_listen(text: &str) -> Result<std::net::SocketAddr, String> {
    use std::net::{IpAddr, Ipv4Addr, SocketAddr};
    let text = text.trim();
    let port = |p: &str| {
        p.parse::<u16>()
            .map_err(|_| format!("`{p}` is not a port (0 to 65535)"))
    };
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let (host, p) = match text.rsplit_once(':') {
        None => ("", text),
        Some((host, p)) => (host, p),
    };
    let ip = match host {
        "" | "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
        h => h.parse::<IpAddr>().map_err(|_| {
            format!(
                "`{text}`: expected PORT, :PORT, HOST:PORT or localhost:PORT with HOST an IP address"
            )
        })?,
    };
    Ok(SocketAddr::new(ip, port(p)?))
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// `wabasim health [URL]`: `GET URL/__admin/health` over plain HTTP/1.1 with the standard
/// library alone, so a container image without curl can still probe its own server
/// (Dockerfile `HEALTHCHECK`). Ok with the answer's body on 200, Err naming what failed.
pub fn health_check(url: &str, timeout: std::time::Duration) -> Result<String, String> {
    use std::io::{Read, Write};
    use std::net::{TcpStream, ToSocketAddrs};
    let rest = url
        .trim()
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url:?}: only http:// URLs are probed"))?;
    let authority = rest.split('/').next().unwrap_or_default();
    let with_port = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| !p.contains(']'))
    {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let addr = with_port
        .to_socket_addrs()
        .map_err(|e| format!("{authority}: {e}"))?
        .next()
        .ok_or_else(|| format!("{authority}: no address"))?;
    let mut stream =
        TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("{addr}: {e}"))?;
    let io = |e: std::io::Error| format!("{addr}: {e}");
    stream.set_read_timeout(Some(timeout)).map_err(io)?;
    stream.set_write_timeout(Some(timeout)).map_err(io)?;
    write!(
        stream,
        "GET /__admin/health HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .map_err(io)?;
    // The health answer is a few dozen bytes: 64 KiB bounds a server that is not wabasim.
    let mut answer = Vec::new();
    stream
        .take(64 * 1024)
        .read_to_end(&mut answer)
        .map_err(io)?;
    let answer = String::from_utf8_lossy(&answer);
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head.lines().next().unwrap_or_default();
    if status.split_whitespace().nth(1) == Some("200") {
        Ok(body.trim().to_string())
    } else {
        Err(format!("{url}/__admin/health answered {status:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_listen;

    #[test]
    fn listen_takes_a_port_a_colon_port_a_host_and_localhost() {
        let ok = |t: &str| parse_listen(t).unwrap().to_string();
        assert_eq!(ok("8788"), "127.0.0.1:8788");
        assert_eq!(ok(":8788"), "127.0.0.1:8788");
        assert_eq!(ok("localhost:9999"), "127.0.0.1:9999");
        assert_eq!(ok("127.0.0.1:0"), "127.0.0.1:0");
        assert_eq!(ok("0.0.0.0:8787"), "0.0.0.0:8787");
        assert_eq!(ok("[::1]:8787"), "[::1]:8787");
        assert_eq!(ok(" 0 "), "127.0.0.1:0");
    }

    #[test]
    fn listen_refuses_names_and_bad_ports() {
        for bad in [
            "",
            ":",
            "example.com:80",
            "localhost",
            "70000",
            ":x",
            "1.2.3.4:",
            "::1",
        ] {
            assert!(parse_listen(bad).is_err(), "{bad:?}");
        }
    }
}
