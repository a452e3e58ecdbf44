//! Graceful shutdown (`--shutdown-grace`, `Config::shutdown_grace`): a request under way when
//! shutdown starts is still answered, and the webhooks it makes due are still delivered, within
//! the grace period.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::receiver::Receiver;
use common::world::{DEST_WABA, NEW_BSP, READY_NUMBER};
use common::{Sim, Simulator};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::json;

const NEW_BSP_APP: &str = "300000000000002";

#[tokio::test]
async fn a_delayed_request_is_answered_and_its_due_webhooks_delivered_during_the_grace() {
    let sim = Sim::start().await;
    let receiver = Receiver::start(SocketAddr::from(([127, 0, 0, 1], 0)), "vt-app").await;
    let r = sim
        .admin(
            "POST",
            &format!("/__admin/webhooks/apps/{NEW_BSP_APP}"),
            Some(json!({"webhook_url": receiver.url(), "verify_token": "vt-app"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // Everything up to the registration, which copies the source's templates onto the
    // destination WABA and so makes their webhooks due.
    let r = sim.migrate(DEST_WABA, READY_NUMBER).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let r = sim
        .post_form(
            &format!("/v23.0/{id}/request_code"),
            NEW_BSP,
            &[("code_method", "SMS"), ("language", "en_US")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let code = sim.latest_code(&id).await;
    let r = sim
        .post_form(
            &format!("/v23.0/{id}/verify_code"),
            NEW_BSP,
            &[("code", &code)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = sim
        .admin(
            "POST",
            "/__admin/faults",
            Some(json!({"match": {"operation": "register"}, "delay": "1500ms"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(receiver.posts().is_empty(), "nothing delivered yet");

    // The registration, on a client of its own, delayed by the fault.
    let register = {
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
        let req = http::Request::post(sim.url(&format!("/v23.0/{id}/register")))
            .header("authorization", format!("Bearer {NEW_BSP}"))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(
                json!({"messaging_product": "whatsapp", "pin": "123456"}).to_string(),
            )))
            .unwrap();
        tokio::spawn(async move {
            let resp = client.request(req).await.expect("answered");
            let status = resp.status().as_u16();
            let body = resp.into_body().collect().await.unwrap().to_bytes();
            (status, body)
        })
    };
    // It has reached the fault before shutdown starts.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let list = sim.admin("GET", "/__admin/faults", None).await.json();
        if list["faults"][0]["hits"] == 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the registration never reached the fault"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // `Simulator::shutdown` takes the simulator: `Sim` gives up its handle for a spare one (its
    // own checks on drop look at the answers it kept, not at the server).
    let mut sim = sim;
    // The Graph answers so far are checked against Meta's document now, while their ids
    // still name records of this simulator's world (the spare's has none of them).
    let (failures, _) = sim.conformance_failures();
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
    let spare = Arc::new(Simulator::start().await.expect("a spare simulator starts"));
    let simulator: Simulator = Arc::try_unwrap(std::mem::replace(&mut sim.sim, spare))
        .ok()
        .expect("the only handle on the simulator");
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(30), simulator.shutdown())
        .await
        .expect("shutdown ends within its grace");
    let took = started.elapsed();

    let (status, body) = tokio::time::timeout(Duration::from_secs(5), register)
        .await
        .expect("the registration was answered")
        .unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let posts = receiver.posts();
    assert!(
        !posts.is_empty(),
        "the webhooks the registration made due were delivered before the server stopped"
    );
    assert!(
        posts.iter().any(
            |p| p.json()["entry"][0]["changes"][0]["field"] == "message_template_status_update"
        ),
        "{:?}",
        posts.iter().map(|p| p.json()).collect::<Vec<_>>()
    );
    // Within the default 5 s grace, and not the whole grace when there was less to do.
    assert!(took < Duration::from_secs(5), "shutdown took {took:?}");
}
