//! The sends floor: bare hyper that answers each `POST` at once and then sends three status
//! webhooks (`sent`, `delivered`, `read`, each its own POST of a Meta-sized body) to the
//! receiver, with no world, no JSON work and no signature. It is what four loopback HTTP
//! exchanges a send cost on this machine with nothing else done: the ceiling wabasim's sends
//! per second are measured against (`--only sends`).
//!
//! Like wabasim's dispatcher (`src/webhooks/dispatch.rs`, 64 deliveries in flight) it keeps
//! at most [`IN_FLIGHT`] sends' webhooks in flight, and a send waits for a place before it is
//! answered, so the rate it reports is one the receiver keeps up with, not a growing backlog.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::sync::Semaphore;

/// Sends whose webhooks may be on their way at once.
const IN_FLIGHT: usize = 64;

/// A status webhook of the size and shape wabasim sends (pricing, conversation, contacts).
fn status_body(n: u64, status: &str) -> bytes::Bytes {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"200000000000001","changes":[{{"value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550100001","phone_number_id":"110000000000001"}},"contacts":[{{"wa_id":"15554000001","user_id":"US.13491208655302741918"}}],"statuses":[{{"id":"wamid.floor{n}","status":"{status}","timestamp":"1767225600","recipient_id":"15554000001","conversation":{{"id":"0123456789abcdef0123456789abcdef","origin":{{"type":"service"}}}},"pricing":{{"billable":false,"pricing_model":"PMP","category":"service","type":"free_customer_service"}}}}]}},"field":"messages"}}]}}]}}"#
    )
    .into()
}

/// Serves on `listen`, relaying each POST's three statuses to `receiver`.
pub fn serve(listen: &str, receiver: SocketAddr) {
    super::floor_runtime().block_on(async move {
        let listener = super::floor_listener(listen).await;
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client: Client<HttpConnector, Full<bytes::Bytes>> =
            Client::builder(TokioExecutor::new()).build(connector);
        let url: hyper::Uri = format!("http://{receiver}/").parse().unwrap();
        let places = Arc::new(Semaphore::new(IN_FLIGHT));
        let sent = Arc::new(AtomicU64::new(0));
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let (client, url, places, sent) =
                (client.clone(), url.clone(), places.clone(), sent.clone());
            tokio::spawn(async move {
                let service = service_fn(move |_req| {
                    let (client, url, places, sent) =
                        (client.clone(), url.clone(), places.clone(), sent.clone());
                    async move {
                        let place = places.acquire_owned().await.unwrap();
                        let n = sent.fetch_add(1, Ordering::Relaxed);
                        tokio::spawn(async move {
                            for status in ["sent", "delivered", "read"] {
                                let req = hyper::Request::post(url.clone())
                                    .header("content-type", "application/json")
                                    .body(Full::new(status_body(n, status)))
                                    .unwrap();
                                let _ = client.request(req).await;
                            }
                            drop(place);
                        });
                        let mut resp = hyper::Response::new(Full::new(bytes::Bytes::from_static(
                            br#"{"messaging_product":"whatsapp","contacts":[{"input":"15554000001","wa_id":"15554000001"}],"messages":[{"id":"wamid.floor"}]}"#,
                        )));
                        resp.headers_mut().insert(
                            "content-type",
                            hyper::header::HeaderValue::from_static("application/json"),
                        );
                        Ok::<_, std::convert::Infallible>(resp)
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}
