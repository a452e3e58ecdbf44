//! A webhook receiver for scenarios: a loopback HTTP endpoint (`${receiver}`) that passes
//! Meta's verification handshake (it echoes `hub.challenge`) and accepts every delivery, so a
//! scenario can point an app's callback at it and wait for deliveries to be `delivered`.
//! What it received is read back from the simulator's `/__admin/webhooks`, not from here.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

/// A running receiver; it stops when dropped.
pub struct Receiver {
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn answer(req: http::Request<hyper::body::Incoming>) -> http::Response<Full<Bytes>> {
    let challenge = req.uri().query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "hub.challenge")
            .map(|(_, v)| v.into_owned())
    });
    let body = match (req.method(), challenge) {
        (&http::Method::GET, Some(c)) => c,
        _ => "ok".to_string(),
    };
    http::Response::new(Full::new(Bytes::from(body)))
}

/// Starts a receiver on a free loopback port.
pub async fn start() -> std::io::Result<Receiver> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let service = service_fn(|req| async move { Ok::<_, Infallible>(answer(req)) });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(Receiver {
        url: format!("http://{addr}/webhook"),
        task,
    })
}
