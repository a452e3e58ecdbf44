//! wabasim embedded in a Rust program, the way a test uses it: start a simulator on a free
//! port, run a webhook receiver, migrate a number over real HTTP, then assert with the typed
//! helpers (journal, codes, webhooks, clock).
//!
//! Run it with `cargo run --example embedded`.

use std::convert::Infallible;
use std::time::Duration as RealDuration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::Value;
use wabasim::{DeliveryFilter, DeliveryState, Duration, RequestFilter};

const TOKEN: &str = "wabasim-new-bsp";
const DEST_WABA: &str = "200000000000002";
const APP: &str = "300000000000002";

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

/// One Graph call, as your BSP client would make it.
async fn graph(client: &HttpClient, base: &str, method: &str, path: &str, form: &str) -> Value {
    let req = http::Request::builder()
        .method(method)
        .uri(format!("{base}{path}"))
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(form.to_string())))
        .expect("a valid request");
    let resp = client.request(req).await.expect("the simulator answers");
    let status = resp.status();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let json: Value = serde_json::from_slice(&body).expect("Graph answers JSON");
    assert!(status.is_success(), "{method} {path}: {status} {json}");
    json
}

/// A webhook receiver: answers the handshake, accepts deliveries, prints what it gets.
async fn receiver(verify_token: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = service_fn(
                move |req: http::Request<hyper::body::Incoming>| async move {
                    let query = req.uri().query().unwrap_or("").to_string();
                    let is_get = req.method() == http::Method::GET;
                    let body = req.into_body().collect().await.unwrap().to_bytes();
                    let reply = if is_get {
                        let params: Vec<(String, String)> =
                            form_urlencoded::parse(query.as_bytes())
                                .into_owned()
                                .collect();
                        let get =
                            |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
                        if get("hub.verify_token").as_deref() == Some(verify_token) {
                            println!("receiver: handshake passed");
                            get("hub.challenge").unwrap_or_default()
                        } else {
                            String::new()
                        }
                    } else {
                        println!("receiver: got {} bytes", body.len());
                        "ok".to_string()
                    };
                    Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from(reply))))
                },
            );
            tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
        }
    });
    url
}

#[tokio::main]
async fn main() {
    // 1. A simulator on a free loopback port; it stops when `sim` is dropped.
    let sim = wabasim::Simulator::start()
        .await
        .expect("the simulator starts");
    let base = sim.uri();
    println!("simulator at {base}");

    // 2. Where the destination BSP's app gets its webhooks.
    let hook = receiver("my-verify-token").await;
    sim.webhooks()
        .set_app_webhook(APP, Some(&hook), Some("my-verify-token"))
        .unwrap();

    // 3. The migration, over HTTP, as your client would run it.
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let started = graph(
        &client,
        &base,
        "POST",
        &format!("/v23.0/{DEST_WABA}/phone_numbers"),
        "cc=1&phone_number=5550100001&migrate_phone_number=true",
    )
    .await;
    let phone = started["id"].as_str().unwrap().to_string();
    graph(
        &client,
        &base,
        "POST",
        &format!("/v23.0/{phone}/request_code"),
        "code_method=SMS&language=en_US",
    )
    .await;
    let code = sim.codes().latest(&phone).expect("a code was sent");
    graph(
        &client,
        &base,
        "POST",
        &format!("/v23.0/{phone}/verify_code"),
        &format!("code={code}"),
    )
    .await;
    graph(
        &client,
        &base,
        "POST",
        &format!("/v23.0/{phone}/register"),
        "messaging_product=whatsapp&pin=123456",
    )
    .await;
    println!("migrated: the number is now {phone} on WABA {DEST_WABA}");

    // 4. What did the client send? Exactly one register call (a readable report otherwise).
    sim.journal()
        .expect(&RequestFilter::new().operation("register"), 1);

    // 5. What would Meta have told the webhook? Wait for the signed template updates.
    let delivered = sim
        .webhooks()
        .wait_for(
            &DeliveryFilter::new()
                .field("message_template_status_update")
                .state(DeliveryState::Delivered),
            RealDuration::from_secs(5),
        )
        .await;
    assert!(
        !delivered.is_empty(),
        "the receiver got the template webhooks"
    );
    for d in &delivered {
        println!(
            "webhook {} {} signed {}",
            d.field,
            d.state.as_str(),
            d.signature
        );
    }

    // 6. 24 hours later, on the world's clock: the copies are re-rated.
    sim.clock().advance(Duration::hours(24));
    let rerated = sim
        .webhooks()
        .wait_for(
            &DeliveryFilter::new().field("message_template_quality_update"),
            RealDuration::from_secs(5),
        )
        .await;
    println!("after 24 h: {} quality update(s)", rerated.len());
    assert!(!rerated.is_empty());
}
