//! 360dialog's Messaging API webhooks over real sockets: a channel's events at its main
//! webhook with the setting's own `headers`, and `/multi_webhook`'s extra destinations, each
//! a delivery of its own that waits until the main webhook answered 2xx (360dialog reference
//! §3, SEEN M-WH).

mod common;

use common::receiver::{Received, Receiver};
use common::{Reply, Sim};
use serde_json::{Value, json};

const KEY: (&str, &str) = ("d360-api-key", "wabasim-d360-channel");

async fn call(sim: &Sim, method: &str, path: &str, body: Value) -> Reply {
    let ns = sim.namespace.clone().unwrap_or_default();
    let headers = [
        KEY,
        ("content-type", "application/json"),
        ("x-wabasim-namespace", ns.as_str()),
    ];
    sim.send_exact(method, path, &headers, body.to_string())
        .await
}

async fn receiver() -> Receiver {
    Receiver::start(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), "unused").await
}

/// The POSTs `r` got once it has `n` (or after 5 s, whatever came).
async fn posts_until(r: &Receiver, n: usize) -> Vec<Received> {
    for _ in 0..100 {
        if r.posts().len() >= n {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    r.posts()
}

fn header<'a>(p: &'a Received, name: &str) -> Option<&'a str> {
    p.headers.get(name).and_then(|v| v.to_str().ok())
}

/// A user writes to the channel's number: one `messages` webhook.
async fn user_writes(sim: &Sim) {
    let inbound =
        json!({"phone_number_id": "110000000000012", "from": "16505551234", "text": "hi"});
    let r = sim.admin("POST", "/__admin/inbound", Some(inbound)).await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn extra_destinations_hear_an_event_only_once_the_main_webhook_took_it() {
    let mut sim = Sim::start().await;
    sim.namespace = Some("d360-multi".into());
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let (main, extra) = (receiver().await, receiver().await);
    main.answer_posts_with(500);
    let main_hook = json!({"url": main.url(), "headers": {"Authorization": "Basic bWFpbg=="}});
    let r = call(&sim, "POST", "/v1/configs/webhook", main_hook).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let at = |path: &str| format!("http://{}/{path}", extra.addr);
    let multi = json!({"enabled": true, "destinations": [
        {"name": "crm", "url": at("crm"), "headers": {"X-Crm-Token": "t0k3n"}},
        {"name": "bi", "url": at("bi")},
    ]});
    let r = call(&sim, "POST", "/multi_webhook", multi).await;
    assert_eq!(r.status, 200, "{}", r.text());

    user_writes(&sim).await;
    let first = posts_until(&main, 1).await;
    assert_eq!(first.len(), 1);
    assert_eq!(header(&first[0], "authorization"), Some("Basic bWFpbg=="));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(extra.posts().is_empty(), "the main webhook answered 500");
    let listed = sim.admin("GET", "/__admin/webhooks", None).await.json();
    let states: Vec<(&str, Option<&str>)> = listed["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["state"].as_str().unwrap(), d["waits_for"].as_str()))
        .collect();
    let main_id = listed["deliveries"][0]["id"].as_str().unwrap();
    assert_eq!(
        states,
        [
            ("failed", None),
            ("pending", Some(main_id)),
            ("pending", Some(main_id))
        ],
        "{listed}"
    );

    // The retry is taken: both extras hear the same body, each with its own headers.
    main.answer_posts_with(200);
    let r = sim
        .admin(
            "POST",
            "/__admin/clock/advance",
            Some(json!({"duration": "10s"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let mut got = posts_until(&extra, 2).await;
    assert_eq!(main.posts().len(), 2);
    got.sort_by(|a, b| a.uri.cmp(&b.uri));
    let paths: Vec<&str> = got.iter().map(|p| p.uri.as_str()).collect();
    assert_eq!(paths, ["/bi", "/crm"]);
    assert_eq!(got[0].body, first[0].body);
    assert_eq!(got[1].body, first[0].body);
    assert_eq!(header(&got[1], "x-crm-token"), Some("t0k3n"));
    assert_eq!(header(&got[0], "x-crm-token"), None);
    assert_eq!(header(&got[1], "authorization"), None);

    // Disabled, the extras hear nothing more; the main webhook still does.
    let r = call(&sim, "POST", "/multi_webhook", json!({"enabled": false})).await;
    assert_eq!(r.status, 200, "{}", r.text());
    user_writes(&sim).await;
    assert_eq!(posts_until(&main, 3).await.len(), 3);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(extra.posts().len(), 2);
}

/// Headers that cannot be sent are refused when set, in the endpoint's own shape.
#[tokio::test]
async fn webhook_headers_that_cannot_be_sent_are_refused() {
    let mut sim = Sim::start().await;
    sim.namespace = Some("d360-headers".into());
    let url = "http://127.0.0.1:9/hook";
    for headers in [
        json!({"X-Number": 5}),
        json!({"Bad Name": "x"}),
        json!({"Content-Length": "1"}),
        json!({"X-Line": "a\nb"}),
    ] {
        let body = json!({"url": url, "headers": headers});
        let r = call(&sim, "POST", "/v1/configs/webhook", body.clone()).await;
        assert_eq!(r.status, 400, "{headers}: {}", r.text());
        assert_eq!(r.json()["meta"]["success"], false, "{}", r.text());
        let multi = json!({"enabled": true, "destinations": [{"name": "a", "url": url, "headers": headers}]});
        let r = call(&sim, "POST", "/multi_webhook", multi).await;
        assert_eq!(r.status, 400, "{headers}: {}", r.text());
        assert!(r.json()["error"].is_string(), "{}", r.text());
    }
}

/// A sandbox key sends to its own number only, 201 with a wamid, for a Cloud or an
/// On-Premises body, until its cap; other endpoints are blocked; an unknown sandbox key is
/// 401 like any bad key.
#[tokio::test]
async fn a_sandbox_key_sends_to_its_own_number_only_until_its_cap() {
    let mut sim = Sim::start().await;
    let ns = "d360-sandbox";
    sim.namespace = Some(ns.into());
    let fixture =
        "extends: default\nd360:\n  bsp: 360dialog\n  settings: {sandbox_message_cap: 2}\n";
    let r = sim
        .send(
            "POST",
            "/__admin/fixture",
            &[("content-type", "application/yaml")],
            fixture,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let sandbox = |method: &'static str, path: &'static str, body: Value| {
        let sim = &sim;
        async move {
            let headers = [
                ("d360-api-key", "wabasim-d360_sandbox"),
                ("content-type", "application/json"),
                ("x-wabasim-namespace", ns),
            ];
            sim.send_exact(method, path, &headers, body.to_string())
                .await
        }
    };
    let cloud = json!({"messaging_product": "whatsapp", "to": "+1 650-555-1234", "type": "text", "text": {"body": "hi"}});
    let r = sandbox("POST", "/v1/messages", cloud.clone()).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json()["messages"][0]["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("wamid."), "{id}");
    let on_premises = json!({"to": "16505551234", "type": "text", "text": {"body": "hi"}});
    let r = sandbox("POST", "/messages", on_premises).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = sandbox("POST", "/v1/messages", cloud).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(
        r.json()["meta"]["developer_message"]
            .as_str()
            .unwrap()
            .contains("limit of 2"),
        "{}",
        r.text()
    );
    let other = json!({"messaging_product": "whatsapp", "to": "15550000000", "type": "text", "text": {"body": "hi"}});
    let r = sandbox("POST", "/v1/messages", other).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["meta"]["success"], false);
    let r = sandbox(
        "POST",
        "/v1/configs/webhook",
        json!({"url": "http://127.0.0.1:9/hook"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = sandbox("GET", "/v1/configs/templates", Value::Null).await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(
        r.json()["meta"]["developer_message"],
        "The endpoint is blocked"
    );
    let headers = [
        ("d360-api-key", "nope_sandbox"),
        ("x-wabasim-namespace", ns),
    ];
    let r = sim.send_exact("POST", "/v1/messages", &headers, "{}").await;
    assert_eq!(r.status, 401, "{}", r.text());
    assert_eq!(r.json(), json!({"error": "Invalid api token."}));
    // A channel key has no /v1/messages: that is the sandbox's path.
    let r = call(&sim, "POST", "/v1/messages", json!({})).await;
    assert_eq!(r.status, 404, "{}", r.text());
}

/// .NET's On-Premises `PUT /messages/{wamid}` `{"status":"read"}` marks a user's message
/// read as Graph's read does; an id that is no wamid is Meta's error, as on Graph.
#[tokio::test]
async fn put_messages_wamid_marks_a_users_message_read() {
    let mut sim = Sim::start().await;
    sim.namespace = Some("d360-read".into());
    let inbound =
        json!({"phone_number_id": "110000000000012", "from": "16505551234", "text": "hi"});
    let r = sim.admin("POST", "/__admin/inbound", Some(inbound)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let wamid = r.json()["message_id"]
        .as_str()
        .expect("the inbound message's id")
        .to_string();
    let path = format!("/messages/{wamid}");
    let r = call(&sim, "PUT", &path, json!({"status": "read"})).await;
    assert_eq!(
        (r.status, r.json()),
        (200, json!({"success": true})),
        "{}",
        r.text()
    );
    let r = call(&sim, "PUT", &path, json!({"status": "delivered"})).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], 100, "{}", r.text());
    let r = call(
        &sim,
        "PUT",
        "/messages/not-a-wamid",
        json!({"status": "read"}),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], 100, "{}", r.text());
}

/// The default channel's number (110000000000012) with its webhook at a local receiver, in
/// a namespace of its own: the simulator, the receiver, and a function that makes a
/// `POST /__admin/inbound` body from user 16505551234 to that number.
async fn users_write_to_the_channel(namespace: &str) -> (Sim, Receiver, impl Fn(Value) -> Value) {
    let mut sim = Sim::start().await;
    sim.namespace = Some(namespace.into());
    let hook = receiver().await;
    let r = call(
        &sim,
        "POST",
        "/v1/configs/webhook",
        json!({"url": hook.url()}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let user = |mut body: Value| {
        body["phone_number_id"] = json!("110000000000012");
        body["from"] = json!("16505551234");
        body
    };
    (sim, hook, user)
}

/// A user's location quoting their own message, and a reaction, reach the channel's webhook
/// as Meta's envelope unchanged (360dialog forwards the Cloud API's body, D-WH).
#[tokio::test]
async fn a_users_location_reply_and_reaction_are_forwarded_as_metas_body() {
    let (sim, hook, user) = users_write_to_the_channel("d360-kinds").await;
    let r = sim
        .admin(
            "POST",
            "/__admin/inbound",
            Some(user(json!({"text": "hi"}))),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let first = r.json()["message_id"].as_str().unwrap().to_string();
    let location = user(json!({"type": "location", "context": {"message_id": first},
                               "location": {"latitude": 52.52, "longitude": 13.405, "name": "Berlin"}}));
    let like = user(json!({"type": "reaction",
                           "reaction": {"message_id": first, "emoji": "❤️"}}));
    for body in [location, like] {
        let r = sim.admin("POST", "/__admin/inbound", Some(body)).await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let posts = posts_until(&hook, 3).await;
    assert_eq!(posts.len(), 3);
    let message =
        |i: usize| posts[i].json()["entry"][0]["changes"][0]["value"]["messages"][0].clone();
    let located = message(1);
    assert_eq!(
        (&located["type"], &located["context"]),
        (
            &json!("location"),
            &json!({"from": "16505551234", "id": first})
        )
    );
    assert_eq!(
        located["location"],
        json!({"latitude": 52.52, "longitude": 13.405, "name": "Berlin"})
    );
    let liked = message(2);
    assert_eq!(
        (&liked["type"], &liked["reaction"]),
        (
            &json!("reaction"),
            &json!({"message_id": first, "emoji": "❤️"})
        )
    );
    // The same body Graph's subscribers are told.
    let events = sim.admin("GET", "/__admin/events", None).await.json();
    let told = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["field"] == "messages")
        .map(|e| e["payload"].clone())
        .unwrap();
    assert_eq!(told, posts[2].json());
}

/// An order, a changed number's notice and a forwarded text reach the channel's webhook as
/// Meta's body: the notice without `contacts`, the forward with `context{forwarded}` only
/// (360dialog forwards the Cloud API's body, D-WH).
#[tokio::test]
async fn an_order_a_changed_number_and_a_forward_are_forwarded_as_metas_body() {
    let (sim, hook, user) = users_write_to_the_channel("d360-last-kinds").await;
    let order = user(
        json!({"type": "order", "order": {"catalog_id": "194836987003835",
        "product_items": [{"product_retailer_id": "di9ozbzfi4", "quantity": 2,
                           "item_price": 30, "currency": "USD"}]}}),
    );
    let moved = user(json!({"type": "system", "system": {"wa_id": "12195555358"}}));
    let forward = user(json!({"text": "pass it on", "frequently_forwarded": true}));
    for body in [order, moved, forward] {
        let r = sim.admin("POST", "/__admin/inbound", Some(body)).await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let posts = posts_until(&hook, 3).await;
    assert_eq!(posts.len(), 3);
    let value = |i: usize| posts[i].json()["entry"][0]["changes"][0]["value"].clone();
    let ordered = value(0);
    assert_eq!(
        ordered["messages"][0]["order"],
        json!({"catalog_id": "194836987003835", "text": "", "product_items": [
            {"product_retailer_id": "di9ozbzfi4", "quantity": 2, "item_price": 30, "currency": "USD"}]})
    );
    let notice = value(1);
    assert!(notice.get("contacts").is_none(), "{notice}");
    assert_eq!(
        notice["messages"][0]["system"]["wa_id"],
        json!("12195555358")
    );
    let forwarded = value(2);
    assert_eq!(
        forwarded["messages"][0]["context"],
        json!({"frequently_forwarded": true})
    );
}
