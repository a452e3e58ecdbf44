//! Webhooks over real sockets: the app's own URL gets the migration's template webhooks,
//! signed, after the handshake, while the WABA's and the phone number's alternate callbacks
//! get none (they apply to the `messages` family only: override page); a receiver that is down is retried as the clock advances
//! until it comes back, and nothing is lost.

mod common;

use std::net::SocketAddr;

use common::receiver::{Receiver, verify_signature};
use common::world::{DEST_WABA, NEW_BSP};
use common::{Reply, Sim};
use serde_json::{Value, json};

const NEW_BSP_APP: &str = "300000000000002";

/// The app secret, as a test would read it: from `GET /__admin/state`.
async fn app_secret(sim: &Sim, app: &str) -> String {
    let state = sim.admin("GET", "/__admin/state", None).await.json();
    state["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == app)
        .and_then(|a| a["secret"].as_str())
        .expect("the app and its secret are in the state")
        .to_string()
}

async fn deliveries(sim: &Sim, query: &str) -> Vec<Value> {
    let r = sim
        .admin("GET", &format!("/__admin/webhooks?{query}"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["deliveries"].as_array().cloned().unwrap()
}

/// `GET /__admin/webhooks?{query}&wait=5s&count={want}`, asked again a few times: answers
/// once `want` deliveries match.
async fn wait_for(sim: &Sim, query: &str, want: usize) -> Vec<Value> {
    for _ in 0..4 {
        let found = deliveries(sim, &format!("{query}&wait=5s&count={want}")).await;
        if found.len() >= want {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "fewer than {want} deliveries match {query}: {:#?}",
        deliveries(sim, query).await
    );
}

/// How many events of `field` the destination WABA's world produced.
async fn events_of(sim: &Sim, field: &str) -> usize {
    let r = sim.admin("GET", "/__admin/events", None).await.json();
    r["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["field"] == field && e["waba_id"] == DEST_WABA)
        .count()
}

fn assert_ok(r: &Reply) {
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn template_webhooks_reach_the_app_url_signed_after_the_handshake_never_an_override() {
    let sim = Sim::start().await;
    let receiver = Receiver::start(SocketAddr::from(([127, 0, 0, 1], 0)), "vt-app").await;
    let alternate = Receiver::start(SocketAddr::from(([127, 0, 0, 1], 0)), "vt-override").await;
    // The app's own callback URL, with its verify token (App Dashboard; control API here).
    let r = sim
        .admin(
            "POST",
            &format!("/__admin/webhooks/apps/{NEW_BSP_APP}"),
            Some(json!({"webhook_url": receiver.url(), "verify_token": "vt-app"})),
        )
        .await;
    assert_ok(&r);
    // The destination WABA's subscription gets an alternate callback with its own verify
    // token (reference meta-graph.md §3.7; override page, "Set WABA alternate callback").
    let r = sim
        .post_form(
            &format!("/v23.0/{DEST_WABA}/subscribed_apps"),
            NEW_BSP,
            &[
                ("override_callback_uri", &alternate.url()),
                ("verify_token", "vt-override"),
            ],
        )
        .await;
    assert_ok(&r);

    let phone = sim.migrate_fully(DEST_WABA).await;
    // And the number one too (override page, "Set phone number alternate callback").
    let r = sim
        .post_json(
            &format!("/v23.0/{phone}"),
            NEW_BSP,
            json!({"webhook_configuration": {
                "override_callback_uri": format!("{}/phone", alternate.url()),
                "verify_token": "vt-override"
            }}),
        )
        .await;
    assert_ok(&r);
    let r = sim
        .get(
            &format!("/v23.0/{phone}?fields=webhook_configuration"),
            NEW_BSP,
        )
        .await;
    assert_eq!(
        r.json(),
        json!({
            "webhook_configuration": {
                "phone_number": format!("{}/phone", alternate.url()),
                "whatsapp_business_account": alternate.url(),
                "application": receiver.url()
            },
            "id": phone
        })
    );

    let field = "message_template_status_update";
    let expected = events_of(&sim, field).await;
    assert!(
        expected >= 3,
        "the migration copies several templates ({expected} events)"
    );
    let delivered = wait_for(
        &sim,
        &format!("field={field}&waba={DEST_WABA}&state=delivered"),
        expected,
    )
    .await;
    assert_eq!(delivered.len(), expected);

    // The handshake came first, with the app's token.
    let got = receiver.received();
    assert_eq!(got[0].method, "GET", "{got:#?}");
    assert_eq!(got[0].query("hub.mode").as_deref(), Some("subscribe"));
    assert_eq!(got[0].query("hub.verify_token").as_deref(), Some("vt-app"));
    assert!(got[0].query("hub.challenge").is_some());
    assert_eq!(
        got.iter().filter(|r| r.method == "GET").count(),
        1,
        "a passed handshake is not repeated"
    );

    // Every POST verifies with the receiver's own HMAC over the bytes it received.
    let secret = app_secret(&sim, NEW_BSP_APP).await;
    let posts = receiver.posts();
    assert_eq!(posts.len(), expected);
    for p in &posts {
        let sig = p.signature.as_deref().expect("signed");
        assert!(
            verify_signature(&secret, &p.body, sig),
            "bad signature {sig}"
        );
        assert!(!verify_signature("another-secret", &p.body, sig));
        let v = p.json();
        assert_eq!(v["object"], "whatsapp_business_account");
        assert_eq!(v["entry"][0]["id"], DEST_WABA);
        assert_eq!(v["entry"][0]["changes"][0]["field"], field);
    }
    // The listing shows the same bytes, signature and attempts.
    for d in &delivered {
        assert_eq!(d["url"], receiver.url());
        assert_eq!(d["app_id"], NEW_BSP_APP);
        assert!(verify_signature(
            &secret,
            d["body"].as_str().unwrap().as_bytes(),
            d["signature"].as_str().unwrap()
        ));
        let kinds: Vec<&str> = d["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["kind"].as_str().unwrap())
            .collect();
        assert!(kinds.ends_with(&["delivery"]), "{d:#}");
    }
    // One copy is rejected on re-categorisation; the others are approved.
    let events: Vec<(String, String, String)> = posts
        .iter()
        .map(|p| {
            let v = &p.json()["entry"][0]["changes"][0]["value"];
            (
                v["message_template_name"].as_str().unwrap().to_string(),
                v["event"].as_str().unwrap().to_string(),
                v["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        events.contains(&(
            "login_code".into(),
            "REJECTED".into(),
            "INCORRECT_CATEGORY".into()
        )),
        "{events:?}"
    );
    assert!(
        events.contains(&("order_update".into(), "APPROVED".into(), "NONE".into())),
        "{events:?}"
    );
    let mut order_update = posts
        .iter()
        .map(|p| p.json())
        .find(|v| {
            let value = &v["entry"][0]["changes"][0]["value"];
            value["message_template_name"] == "order_update"
                && value["message_template_language"] == "en_US"
        })
        .unwrap();
    order_update["entry"][0]["time"] = json!("[time]");
    insta::assert_json_snapshot!("template_status_update", order_update);

    // 24 hours later the copies are re-rated: message_template_quality_update.
    let r = sim
        .admin(
            "POST",
            "/__admin/clock/advance",
            Some(json!({"duration": "24h"})),
        )
        .await;
    assert_ok(&r);
    let quality = "message_template_quality_update";
    let expected = events_of(&sim, quality).await;
    assert!(expected >= 1);
    let delivered = wait_for(&sim, &format!("field={quality}&state=delivered"), expected).await;
    let mut rerated: Vec<Value> = delivered
        .iter()
        .map(|d| d["payload"]["entry"][0]["changes"][0]["value"].clone())
        .collect();
    rerated.sort_by_key(|v| v["message_template_name"].as_str().unwrap().to_string());
    for v in &rerated {
        assert_eq!(v["previous_quality_score"], "UNKNOWN");
    }
    let payment = rerated
        .iter()
        .find(|v| v["message_template_name"] == "payment_reminder")
        .expect("payment_reminder is re-rated");
    assert_eq!(payment["new_quality_score"], "YELLOW");
    for d in &delivered {
        assert_eq!(d["url"], receiver.url());
    }
    // Which fields landed where: every template field at the app's URL, none at an override.
    let mut fields: Vec<String> = receiver
        .posts()
        .iter()
        .map(|p| {
            p.json()["entry"][0]["changes"][0]["field"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    fields.sort();
    fields.dedup();
    assert_eq!(fields, [quality, "message_template_status_update"]);
    assert!(
        alternate.received().is_empty(),
        "no handshake or POST at an alternate callback: {:#?}",
        alternate.received()
    );
}

#[tokio::test]
async fn a_receiver_that_is_down_is_retried_as_the_clock_advances_and_nothing_is_lost() {
    let sim = Sim::start().await;
    // A port nobody listens on (yet).
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    // Only the test moves time.
    assert_ok(&sim.admin("POST", "/__admin/clock/freeze", None).await);
    // The app's own URL (no verify token: no handshake), through the control API.
    let r = sim
        .admin(
            "POST",
            &format!("/__admin/webhooks/apps/{NEW_BSP_APP}"),
            Some(json!({"webhook_url": format!("http://{addr}/hook"), "verify_token": null})),
        )
        .await;
    assert_ok(&r);

    sim.migrate_fully(DEST_WABA).await;
    let field = "message_template_status_update";
    let expected = events_of(&sim, field).await;
    let failed = wait_for(&sim, &format!("field={field}&state=failed"), expected).await;
    for d in &failed {
        let attempts = d["attempts"].as_array().unwrap();
        assert_eq!(attempts.len(), 1, "{d:#}");
        assert_eq!(attempts[0]["kind"], "delivery");
        assert!(attempts[0]["status"].is_null());
        assert!(attempts[0]["error"].as_str().unwrap().len() > 3);
        // The first retry is 10 s later on the world's clock.
        let at = wabasim::Timestamp::parse_rfc3339(attempts[0]["at"].as_str().unwrap()).unwrap();
        let next =
            wabasim::Timestamp::parse_rfc3339(d["next_attempt_at"].as_str().unwrap()).unwrap();
        assert_eq!(next - at, wabasim::Duration::seconds(10));
    }

    // Advancing the clock drives the second try, which fails too.
    let advance = |d: &'static str| {
        let sim = &sim;
        async move {
            assert_ok(
                &sim.admin(
                    "POST",
                    "/__admin/clock/advance",
                    Some(json!({"duration": d})),
                )
                .await,
            );
        }
    };
    advance("10s").await;
    for _ in 0..100 {
        let all = deliveries(&sim, &format!("field={field}")).await;
        if all
            .iter()
            .all(|d| d["attempts"].as_array().unwrap().len() == 2 && d["state"] == "failed")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let all = deliveries(&sim, &format!("field={field}")).await;
    assert!(
        all.iter()
            .all(|d| d["attempts"].as_array().unwrap().len() == 2),
        "{all:#?}"
    );

    // The receiver comes back; the next try (1 min later) succeeds.
    let receiver = Receiver::start(addr, "unused").await;
    advance("1m").await;
    let delivered = wait_for(&sim, &format!("field={field}&state=delivered"), expected).await;
    assert_eq!(delivered.len(), expected);
    for d in &delivered {
        let attempts = d["attempts"].as_array().unwrap();
        assert_eq!(attempts.len(), 3, "{d:#}");
        assert!(attempts[..2].iter().all(|a| a["error"].is_string()));
        assert_eq!(attempts[2]["status"], 200);
        assert!(attempts[2]["error"].is_null());
    }
    // Nothing lost, nothing doubled: one POST per event, no handshake (no verify token).
    let posts = receiver.posts();
    assert_eq!(posts.len(), expected);
    assert!(receiver.received().iter().all(|r| r.method == "POST"));
    assert!(deliveries(&sim, "state=failed").await.is_empty());
    assert!(deliveries(&sim, "state=pending").await.is_empty());
}

#[tokio::test]
async fn a_failed_handshake_is_recorded_and_blocks_the_post() {
    let sim = Sim::start().await;
    assert_ok(&sim.admin("POST", "/__admin/clock/freeze", None).await);
    let receiver = Receiver::start(SocketAddr::from(([127, 0, 0, 1], 0)), "the-right-token").await;
    let r = sim
        .admin(
            "POST",
            &format!("/__admin/webhooks/apps/{NEW_BSP_APP}"),
            Some(json!({"webhook_url": receiver.url(), "verify_token": "a-wrong-token"})),
        )
        .await;
    assert_ok(&r);
    sim.migrate_fully(DEST_WABA).await;
    let failed = wait_for(&sim, "state=failed", 1).await;
    let attempts = failed[0]["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 1, "{:#}", failed[0]);
    assert_eq!(attempts[0]["kind"], "verification");
    assert_eq!(attempts[0]["status"], 403);
    assert!(receiver.posts().is_empty(), "no POST without a handshake");
}

#[tokio::test]
async fn wait_returns_empty_after_the_wait_and_filters_are_checked() {
    let sim = Sim::start().await;
    let r = sim
        .admin(
            "GET",
            "/__admin/webhooks?field=account_update&wait=200ms",
            None,
        )
        .await;
    assert_ok(&r);
    assert_eq!(r.json(), json!({"deliveries": []}));
    let r = sim.admin("GET", "/__admin/webhooks?state=lost", None).await;
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].as_str().unwrap().contains("delivered"));
    let r = sim.admin("GET", "/__admin/webhooks?wait=soon", None).await;
    assert_eq!(r.status, 400);
    let r = sim
        .admin("GET", "/__admin/webhooks?wait=1s&count=0", None)
        .await;
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].as_str().unwrap().contains("count"));
}

// ---- issue 14: where webhooks may go ----

fn allowing(list: &str) -> wabasim::Options {
    let mut options = wabasim::Options::default();
    options.config.webhook_allow =
        std::sync::Arc::new(wabasim::allowlist::Allowlist::parse(list).unwrap());
    options
}

#[tokio::test]
async fn an_override_url_outside_the_allowlist_is_refused_when_set() {
    let sim = Sim::with(
        wabasim::Simulator::start_with(allowing("loopback"))
            .await
            .unwrap(),
    );
    let subscribe = |url: &'static str| {
        let sim = &sim;
        async move {
            sim.post_form(
                &format!("/v23.0/{DEST_WABA}/subscribed_apps"),
                NEW_BSP,
                &[("override_callback_uri", url), ("verify_token", "vt")],
            )
            .await
        }
    };
    // The cloud metadata address, with the public default token: Graph's code 100.
    let r = subscribe("http://169.254.169.254/latest/meta-data").await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], 100, "{}", r.text());
    assert!(r.text().contains("--webhook-allow"), "{}", r.text());
    let r = subscribe("http://example.com/hook").await;
    assert_eq!(r.status, 400, "{}", r.text());
    // Nothing was set.
    let state = sim.admin("GET", "/__admin/state", None).await.json();
    assert!(!state.to_string().contains("169.254"), "{state}");
    // Loopback is allowed.
    assert_ok(&subscribe("http://127.0.0.1:9/hook").await);
    // The control API refuses it too, in its own shape.
    let r = sim
        .admin(
            "POST",
            &format!("/__admin/webhooks/apps/{NEW_BSP_APP}"),
            Some(json!({"webhook_url": "http://10.1.2.3/hook"})),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("--webhook-allow"),
        "{}",
        r.text()
    );
}

#[tokio::test]
async fn a_fixture_url_outside_the_allowlist_is_not_called_at_delivery() {
    let receiver = Receiver::start(SocketAddr::from(([127, 0, 0, 1], 0)), "vt").await;
    let mut fixture = wabasim::Fixture::default_world();
    for app in &mut fixture.apps {
        app.webhook_url = Some(receiver.url());
        app.verify_token = Some("vt".into());
    }
    let mut options = allowing("hooks.example.com");
    options.fixture = Some(fixture);
    let sim = Sim::with(wabasim::Simulator::start_with(options).await.unwrap());
    sim.migrate_fully(DEST_WABA).await;
    let field = "message_template_status_update";
    let tried = wait_for(&sim, &format!("field={field}&waba={DEST_WABA}"), 1).await;
    // Give the dispatcher time to have called, were it going to.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(receiver.received().is_empty(), "{:#?}", receiver.received());
    let all = deliveries(&sim, &format!("field={field}&waba={DEST_WABA}")).await;
    assert!(!tried.is_empty());
    let text = serde_json::to_string(&all).unwrap();
    assert!(text.contains("not sent"), "{text}");
    assert!(text.contains("--webhook-allow"), "{text}");
}
