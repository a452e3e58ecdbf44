//! One exchange: a built request sent over the socket with hyper's client, the answer read
//! whole (or noticed dropped, cut short or late), and the pair as the transcript shows it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;

use super::Step;
use super::request::Request;
use super::transcript::body_text;
use crate::Simulator;

/// What came back for one exchange.
pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) reason: String,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Vec<u8>,
    /// Why the answer is incomplete: closed before the head, or cut short.
    pub(super) broken: Option<String>,
}

/// Sends one exchange and reads the answer, noticing a dropped or cut connection.
pub(super) async fn send(
    client: &Client<HttpConnector, Full<Bytes>>,
    sim: &Simulator,
    r: &Request,
) -> Reply {
    let mut builder = http::Request::builder()
        .method(r.method.as_str())
        .uri(format!("{}{}", sim.uri(), r.path));
    for (k, v) in &r.headers {
        builder = builder.header(k, v);
    }
    let req = match builder.body(Full::new(Bytes::from(r.body.clone()))) {
        Ok(req) => req,
        Err(e) => return broken(format!("the request cannot be sent: {e}")),
    };
    let exchange = async {
        let resp = match client.request(req).await {
            Ok(resp) => resp,
            // The transport's own wording varies (reset or closed), so it is not kept.
            Err(_) => return broken("the connection closed without an answer".into()),
        };
        let status = resp.status();
        let mut headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        headers.sort();
        let announced: Option<usize> = resp
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let mut body = resp.into_body();
        let mut bytes = Vec::new();
        let mut cut = None;
        loop {
            match body.frame().await {
                None => break,
                Some(Ok(frame)) => {
                    if let Some(d) = frame.data_ref() {
                        bytes.extend_from_slice(d);
                    }
                }
                Some(Err(_)) => {
                    cut = Some(format!(
                        "the connection closed after {} of {} body bytes",
                        bytes.len(),
                        announced.map(|a| a.to_string()).unwrap_or("?".into()),
                    ));
                    break;
                }
            }
        }
        Reply {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_string(),
            headers,
            body: bytes,
            broken: cut,
        }
    };
    match tokio::time::timeout(r.timeout, exchange).await {
        Ok(reply) => reply,
        Err(_) => broken(format!("no answer within {:?}", r.timeout)),
    }
}

fn broken(why: String) -> Reply {
    Reply {
        status: 0,
        reason: String::new(),
        headers: Vec::new(),
        body: Vec::new(),
        broken: Some(why),
    }
}

/// Response headers that are the same on every answer of a facade (or vary with the
/// machine) and say nothing about behaviour; the facades' own tests pin them.
const UNINTERESTING: &[&str] = &[
    "date",
    "content-length",
    "access-control-allow-origin",
    "cache-control",
    "expires",
    "pragma",
    "x-fb-rev",
];

pub(super) fn write_exchange(
    out: &mut String,
    number: usize,
    step: &Step,
    r: &Request,
    reply: &Reply,
) {
    let _ = writeln!(out);
    match &step.name {
        Some(n) => {
            let _ = writeln!(out, "## {number}. {n}");
        }
        None => {
            let _ = writeln!(out, "## {number}.");
        }
    }
    let _ = writeln!(out, "{} {}", r.method, r.path);
    let headers: BTreeMap<&str, &str> = r
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    for (k, v) in headers {
        let _ = writeln!(out, "{k}: {}", shown_header(k, v));
    }
    if !r.body.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", body_text(&r.body));
    }
    let _ = writeln!(out);
    if reply.status == 0 {
        let _ = writeln!(
            out,
            "-> (no answer: {})",
            reply.broken.as_deref().unwrap_or("")
        );
        return;
    }
    let _ = writeln!(out, "-> {} {}", reply.status, reply.reason);
    for (k, v) in &reply.headers {
        if !UNINTERESTING.contains(&k.as_str()) {
            let _ = writeln!(out, "{k}: {v}");
        }
    }
    if !reply.body.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", body_text(&reply.body));
    }
    if let Some(why) = &reply.broken {
        let _ = writeln!(out, "-> ({why})");
    }
}

/// A request header as the transcript shows it: what changes on every run (a signed call's
/// date, nonce and signature, as its facade says) is replaced by a placeholder.
fn shown_header<'a>(name: &str, value: &'a str) -> std::borrow::Cow<'a, str> {
    crate::api::facade::FACADES
        .iter()
        .find_map(|f| f.shown_header(name, value))
        .map_or(value.into(), std::borrow::Cow::Owned)
}
