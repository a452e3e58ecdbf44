//! Sending messages on Graph (reference messaging-and-360dialog.md, "Cloud API messages +
//! media", "Messaging error codes", "Status webhooks + pricing"): the answer, each send
//! error with its HTTP status, what fails after a 200 (as a `failed` status), the 24-hour
//! window opened by a user's message, and the limits on the world clock. Every Graph answer
//! here is also checked against Meta's OpenAPI document (tests/common).

mod common;

use common::Sim;
use common::world::*;
use serde_json::{Value, json};
use wabasim::world::vocab::{MessagingLimit, TemplateStatus};

const TO: &str = "15551230001";

fn template(name: &str, params: usize) -> Value {
    let parameters: Vec<Value> = (0..params)
        .map(|i| json!({"type": "text", "text": format!("p{i}")}))
        .collect();
    json!({
        "messaging_product": "whatsapp",
        "to": TO,
        "type": "template",
        "template": {"name": name, "language": {"code": "en_US"},
                     "components": [{"type": "body", "parameters": parameters}]},
    })
}

fn text(to: &str) -> Value {
    json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
           "type": "text", "text": {"body": "hello"}})
}

async fn send(sim: &Sim, body: Value) -> common::Reply {
    let path = format!("/v23.0/{READY_PHONE_ID}/messages");
    sim.post_json(&path, OLD_BSP, body).await
}

/// The statuses the world told so far, as `(wamid, status, error code)`.
async fn statuses(sim: &Sim) -> Vec<(String, String, Option<i64>)> {
    let events = sim.admin("GET", "/__admin/events", None).await.json();
    let mut out = Vec::new();
    for e in events["events"].as_array().unwrap() {
        let value = &e["payload"]["entry"][0]["changes"][0]["value"];
        for s in value["statuses"].as_array().into_iter().flatten() {
            out.push((
                s["id"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
                s["errors"][0]["code"].as_i64(),
            ));
        }
    }
    out
}

async fn freeze(sim: &Sim) {
    sim.admin("POST", "/__admin/clock/freeze", None).await;
}

async fn advance(sim: &Sim, duration: &str) {
    let r = sim
        .admin(
            "POST",
            "/__admin/clock/advance",
            Some(json!({"duration": duration})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn a_template_is_accepted_then_sent_delivered_and_read_on_the_clock() {
    let sim = Sim::start().await;
    freeze(&sim).await;
    let r = send(&sim, template("order_update", 1)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(body["contacts"], json!([{"input": TO, "wa_id": TO}]));
    let id = body["messages"][0]["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("wamid."), "{id}");
    assert_eq!(body["messages"][0]["message_status"], "accepted");
    let usage = r.header("x-business-use-case-usage").unwrap_or_default();
    assert!(usage.contains(r#""type":"whatsapp""#), "{usage}");
    assert_eq!(statuses(&sim).await, [(id.clone(), "sent".into(), None)]);
    advance(&sim, "1m").await;
    let told: Vec<String> = statuses(&sim).await.into_iter().map(|s| s.1).collect();
    assert_eq!(told, ["sent", "delivered", "read"]);
    let billing = sim.admin("GET", "/__admin/billing", None).await.json();
    assert_eq!(billing["booked"], 1);
    assert_eq!(billing["charges"][0]["message_id"], id.as_str());
    assert_eq!(billing["charges"][0]["pricing_category"], "utility");
}

#[tokio::test]
async fn message_ids_repeat_with_the_seed() {
    let mut ids = Vec::new();
    for _ in 0..2 {
        let sim = Sim::start().await;
        let r = send(&sim, template("order_update", 1)).await;
        ids.push(r.json()["messages"][0]["id"].clone());
    }
    assert_eq!(ids[0], ids[1]);
}

#[tokio::test]
async fn template_rules_answer_their_codes_and_statuses() {
    let sim = Sim::start().await;
    let cases = [
        (template("no_such_template", 1), 404, 132001),
        (template("order_update", 0), 400, 132000),
        (template("order_update", 2), 400, 132000),
        // PENDING and REJECTED templates cannot be sent either.
        (template("new_arrivals", 1), 404, 132001),
    ];
    for (body, status, code) in cases {
        let r = send(&sim, body).await;
        assert_eq!(
            (r.status, r.json()["error"]["code"].as_i64()),
            (status, Some(code))
        );
    }
    let mut wrong_language = template("order_update", 1);
    wrong_language["template"]["language"]["code"] = json!("fr");
    let r = send(&sim, wrong_language).await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json()["error"]["error_data"]["details"],
        "template name (order_update) does not exist in fr"
    );
    for (status, code) in [
        (TemplateStatus::Paused, 132015),
        (TemplateStatus::Disabled, 132016),
    ] {
        sim.sim.scope().raw().with_world(|w| {
            w.templates.get_mut(&400_000_000_000_001).unwrap().status = status;
        });
        let r = send(&sim, template("order_update", 1)).await;
        assert_eq!(
            (r.status, r.json()["error"]["code"].as_i64()),
            (400, Some(code))
        );
    }
}

#[tokio::test]
async fn free_form_outside_the_window_fails_after_a_200_and_inside_it_is_free() {
    let sim = Sim::start().await;
    freeze(&sim).await;
    let r = send(&sim, text(TO)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.json()["messages"][0].get("message_status").is_none());
    let first = r.json()["messages"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        statuses(&sim).await,
        [(first, "failed".into(), Some(131047))]
    );
    let r = sim
        .admin(
            "POST",
            "/__admin/inbound",
            Some(json!({"phone_number_id": READY_PHONE_ID, "from": TO, "text": "hi"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = send(&sim, text(TO)).await;
    assert_eq!(r.status, 200);
    advance(&sim, "2s").await;
    let billing = sim.admin("GET", "/__admin/billing", None).await.json();
    assert_eq!(billing["charges"][0]["billable"], false);
    assert_eq!(
        billing["charges"][0]["pricing_type"],
        "free_customer_service"
    );
    // 24 hours later the window has closed again.
    advance(&sim, "24h").await;
    let r = send(&sim, text(TO)).await;
    let id = r.json()["messages"][0]["id"].as_str().unwrap().to_string();
    assert!(
        statuses(&sim)
            .await
            .contains(&(id, "failed".into(), Some(131047)))
    );
}

#[tokio::test]
async fn described_users_fail_as_they_should() {
    let sim = Sim::start().await;
    freeze(&sim).await;
    for (wa_id, how) in [
        ("15551230009", json!({"reach": "unreachable"})),
        ("15551230008", json!({"stopped_marketing": true})),
    ] {
        let mut body = how;
        body["wa_id"] = json!(wa_id);
        let r = sim.admin("POST", "/__admin/recipients", Some(body)).await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let mut to_unreachable = template("order_update", 1);
    to_unreachable["to"] = json!("15551230009");
    let mut marketing = template("spring_promo", 1);
    marketing["to"] = json!("15551230008");
    let mut utility = template("order_update", 1);
    utility["to"] = json!("15551230008");
    for body in [to_unreachable, marketing, utility] {
        assert_eq!(send(&sim, body).await.status, 200);
    }
    let codes: Vec<Option<i64>> = statuses(&sim).await.into_iter().map(|s| s.2).collect();
    assert_eq!(codes, [Some(131026), Some(131050), None]);
}

#[tokio::test]
async fn throughput_and_pair_rate_limits_hold_on_the_world_clock() {
    let sim = Sim::start().await;
    freeze(&sim).await;
    // 45 to one user (the burst), then the pair limit.
    for i in 0..45 {
        let r = send(&sim, template("order_update", 1)).await;
        assert_eq!(r.status, 200, "send {i}: {}", r.text());
    }
    let r = send(&sim, template("order_update", 1)).await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_i64()),
        (400, Some(131056))
    );
    // 80 a second per number: 35 more to others fill the second.
    for i in 0..35 {
        let r = send(&sim, text(&format!("1555999{i:04}"))).await;
        assert_eq!(r.status, 200, "send {i}: {}", r.text());
    }
    let r = send(&sim, text("15559990999")).await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_i64()),
        (400, Some(130429))
    );
    // A second later the number may send again; six more seconds give the pair one message.
    advance(&sim, "6s").await;
    assert_eq!(send(&sim, template("order_update", 1)).await.status, 200);
    assert_eq!(send(&sim, template("order_update", 1)).await.status, 400);
}

#[tokio::test]
async fn templates_past_the_messaging_limit_fail_with_131048_after_a_200() {
    let sim = Sim::start().await;
    freeze(&sim).await;
    sim.sim.scope().raw().with_world(|w| {
        w.phones
            .get_mut(&READY_PHONE_ID.parse().unwrap())
            .unwrap()
            .messaging_limit = MessagingLimit::Tier50;
    });
    let to = |i: usize| format!("1555777{i:04}");
    let send_to = |i: usize| {
        let mut body = template("order_update", 1);
        body["to"] = json!(to(i));
        body
    };
    for i in 0..50 {
        let r = send(&sim, send_to(i)).await;
        assert_eq!(r.status, 200, "send {i}: {}", r.text());
    }
    let r = send(&sim, send_to(50)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let over = r.json()["messages"][0]["id"].as_str().unwrap().to_string();
    // A user already counted is not refused.
    assert_eq!(send(&sim, send_to(0)).await.status, 200);
    let told = statuses(&sim).await;
    let failed: Vec<_> = told.iter().filter(|s| s.1 == "failed").collect();
    assert_eq!(failed, [&(over.clone(), "failed".into(), Some(131048))]);
    let events = sim.admin("GET", "/__admin/events", None).await.json();
    let error = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["payload"]["entry"][0]["changes"][0]["value"]["statuses"][0])
        .find(|s| s["id"] == over.as_str())
        .map(|s| s["errors"][0].clone())
        .unwrap();
    assert_eq!(error["title"], "Spam rate limit hit");
    assert!(error["error_data"]["details"].is_string(), "{error}");
    // A day later the first users have left the count.
    advance(&sim, "24h").await;
    let r = send(&sim, send_to(50)).await;
    let id = r.json()["messages"][0]["id"].as_str().unwrap().to_string();
    assert!(statuses(&sim).await.contains(&(id, "sent".into(), None)));
}

#[tokio::test]
async fn a_number_that_is_not_registered_cannot_send() {
    let sim = Sim::start().await;
    let dest = sim.migrate(DEST_WABA, READY_NUMBER).await.json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = sim
        .post_json(&format!("/v23.0/{dest}/messages"), NEW_BSP, text(TO))
        .await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_i64()),
        (500, Some(131045))
    );
    let dest = sim.migrate_fully(DEST_WABA).await;
    let r = send(&sim, text(TO)).await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_i64()),
        (400, Some(133010))
    );
    let r = sim
        .post_json(
            &format!("/v23.0/{dest}/messages"),
            NEW_BSP,
            template("order_update", 1),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn read_receipts_bad_input_and_scope() {
    let sim = Sim::start().await;
    let inbound = json!({"phone_number_id": READY_PHONE_ID, "from": TO, "text": "hi"});
    let r = sim.admin("POST", "/__admin/inbound", Some(inbound)).await;
    let received = r.json()["message_id"].as_str().unwrap().to_string();
    let read = json!({"messaging_product": "whatsapp", "status": "read",
                      "message_id": received, "typing_indicator": {"type": "text"}});
    let r = send(&sim, read).await;
    assert_eq!((r.status, r.json()), (200, json!({"success": true})));
    // A wamid the number never received (here Meta's own sample) is not marked read.
    let read = json!({"messaging_product": "whatsapp", "status": "read",
                      "message_id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJCOTY3NDc0NDFDRUI3NTA0Q0UA"});
    let r = send(&sim, read).await;
    assert_eq!(
        (r.status, r.json()["error"]["message"].as_str()),
        (400, Some("(#100) Invalid parameter")),
        "{}",
        r.text()
    );
    let bad = [
        json!({"to": TO, "type": "text", "text": {"body": "x"}}),
        json!({"messaging_product": "sms", "to": TO, "type": "text", "text": {"body": "x"}}),
        json!({"messaging_product": "whatsapp", "type": "text", "text": {"body": "x"}}),
        json!({"messaging_product": "whatsapp", "to": "not a number", "type": "text", "text": {"body": "x"}}),
        json!({"messaging_product": "whatsapp", "to": TO, "type": "text"}),
        json!({"messaging_product": "whatsapp", "to": TO, "type": "text", "text": {"body": ""}}),
        json!({"messaging_product": "whatsapp", "to": TO, "type": "hologram", "hologram": {}}),
        json!({"messaging_product": "whatsapp", "to": TO, "type": "image", "image": {"caption": "x"}}),
        json!({"messaging_product": "whatsapp", "to": TO, "type": "template", "template": {"name": "order_update"}}),
    ];
    for body in bad {
        let r = send(&sim, body.clone()).await;
        assert_eq!(
            (r.status, r.json()["error"]["code"].as_i64()),
            (400, Some(100)),
            "{body}"
        );
    }
    // Types other than text and template need the window: accepted, then failed.
    for body in [
        json!({"image": {"link": "https://example.com/a.jpg"}, "type": "image"}),
        json!({"type": "reaction", "reaction": {"message_id": "wamid.x", "emoji": "👍"}}),
        json!({"type": "location", "location": {"latitude": 1.5, "longitude": 2.5}}),
        json!({"type": "interactive", "interactive": {"type": "button", "action": {"buttons": []}}}),
        json!({"type": "contacts", "contacts": [{"name": {"formatted_name": "A"}}]}),
    ] {
        let mut b = body;
        b["messaging_product"] = json!("whatsapp");
        b["to"] = json!(TO);
        let r = send(&sim, b.clone()).await;
        assert_eq!(r.status, 200, "{b}: {}", r.text());
    }
    // Sending takes whatsapp_business_messaging; another partner's number is unknown.
    let r = sim
        .post_json(
            &format!("/v23.0/{READY_PHONE_ID}/messages"),
            NEW_BSP,
            text(TO),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_i64()),
        (400, Some(100))
    );
}

#[tokio::test]
async fn pricing_analytics_and_analytics_agree_with_the_ledger() {
    let sim = Sim::start().await;
    freeze(&sim).await;
    for _ in 0..2 {
        assert_eq!(send(&sim, template("spring_promo", 1)).await.status, 200);
    }
    advance(&sim, "1m").await;
    let fields = "pricing_analytics.start(1767225600).end(1767312000).granularity(DAILY)\
                  .metric_types(['COST','VOLUME']).dimensions(PHONE,PRICING_CATEGORY,TIER)";
    let r = sim
        .get(&format!("/v23.0/{SOURCE_WABA}?fields={fields}"), OLD_BSP)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let points = &r.json()["pricing_analytics"]["data"][0]["data_points"];
    assert_eq!(
        points,
        &json!([{"start": 1767225600, "end": 1767312000, "phone_number": READY_E164,
                 "tier": "0:MAX", "pricing_category": "MARKETING", "volume": 2, "cost": 0.05}])
    );
    let billing = sim.admin("GET", "/__admin/billing", None).await.json();
    assert_eq!(
        billing["wabas"][0]["charges"],
        json!({"volume": 2, "cost": 0.05})
    );
    let r = sim
        .get(
            &format!("/v23.0/{SOURCE_WABA}?fields=analytics.start(1767225600).end(1767312000).granularity(DAY).phone_numbers([{READY_E164}])"),
            OLD_BSP,
        )
        .await;
    let a = &r.json()["analytics"];
    assert_eq!(a["phone_numbers"], json!([READY_E164]));
    assert_eq!(a["data_points"][0]["sent"], 2);
    assert_eq!(a["data_points"][0]["delivered"], 2);
    // A granularity of the other field's spelling is refused.
    let r = sim
        .get(
            &format!("/v23.0/{SOURCE_WABA}?fields=analytics.start(1).end(2).granularity(DAILY)"),
            OLD_BSP,
        )
        .await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_i64()),
        (400, Some(100))
    );
}
