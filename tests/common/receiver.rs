//! A webhook receiver for tests: a real HTTP server on a loopback port that answers Meta's
//! GET handshake (when the token matches) and records every request it gets.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    /// Path and query.
    pub uri: String,
    pub signature: Option<String>,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Received {
    pub fn query(&self, key: &str) -> Option<String> {
        let q = self.uri.split_once('?')?.1;
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a webhook body is JSON")
    }
}

pub struct Receiver {
    pub addr: SocketAddr,
    pub got: Arc<Mutex<Vec<Received>>>,
    /// What a POST is answered with (200 unless set).
    post_status: Arc<AtomicU16>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Listens on `addr` (port 0 for any); answers the handshake when `hub.verify_token` is
    /// `verify_token`.
    pub async fn start(addr: SocketAddr, verify_token: &str) -> Receiver {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .expect("the receiver binds");
        let addr = listener.local_addr().unwrap();
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let token = verify_token.to_string();
        let log = got.clone();
        let post_status = Arc::new(AtomicU16::new(200));
        let answer_posts = post_status.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let log = log.clone();
                let token = token.clone();
                let answer_posts = answer_posts.clone();
                let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                    let log = log.clone();
                    let token = token.clone();
                    let post_status = answer_posts.load(Ordering::SeqCst);
                    async move {
                        let method = req.method().to_string();
                        let uri = req.uri().to_string();
                        let signature = req
                            .headers()
                            .get("x-hub-signature-256")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_string);
                        let headers = req.headers().clone();
                        let body = req.into_body().collect().await.unwrap().to_bytes();
                        let r = Received {
                            method,
                            uri,
                            signature,
                            headers,
                            body,
                        };
                        let answer = if r.method == "GET" {
                            if r.query("hub.mode").as_deref() == Some("subscribe")
                                && r.query("hub.verify_token").as_deref() == Some(token.as_str())
                            {
                                (200, r.query("hub.challenge").unwrap_or_default())
                            } else {
                                (403, String::new())
                            }
                        } else {
                            (post_status, "ok".to_string())
                        };
                        log.lock().unwrap().push(r);
                        let mut resp = http::Response::new(Full::new(Bytes::from(answer.1)));
                        *resp.status_mut() = http::StatusCode::from_u16(answer.0).unwrap();
                        Ok::<_, std::convert::Infallible>(resp)
                    }
                });
                tokio::spawn(async move {
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Receiver {
            addr,
            got,
            post_status,
            task,
        }
    }

    /// Answers every later POST with `status`.
    pub fn answer_posts_with(&self, status: u16) {
        self.post_status.store(status, Ordering::SeqCst);
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// The POSTs received, as (signature, body).
    pub fn posts(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.method == "POST")
            .collect()
    }

    /// Waits (up to 10 s) for `want` POSTs of ChatApp's receipts, which are unsigned; gives
    /// each one's URI and JSON body.
    pub async fn receipts(&self, want: usize) -> Vec<(String, serde_json::Value)> {
        for _ in 0..200 {
            let got: Vec<(String, serde_json::Value)> = self
                .posts()
                .iter()
                .map(|p| {
                    assert_eq!(p.signature, None, "ChatApp's receipts are unsigned");
                    (p.uri.clone(), p.json())
                })
                .collect();
            if got.len() >= want {
                return got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("fewer than {want} receipts arrived: {}", self.posts().len());
    }

    /// Stops listening (the port refuses connections afterwards).
    pub fn stop(self) {
        self.task.abort();
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The receiver's own check of `X-Hub-Signature-256`: HMAC-SHA256 of the raw body keyed by
/// the app secret, compared as lower-case hex (reference meta-graph.md §7.2).
pub fn verify_signature(secret: &str, body: &[u8], header: &str) -> bool {
    use hmac::{Hmac, Mac};
    let Some(hex) = header.strip_prefix("sha256=") else {
        return false;
    };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    expected == hex
}
