//! SendChatappMassMessage over a real socket: what is wrong with the request refuses it whole
//! (Alibaba's validation codes, the world's refusal of the sender or template relayed, nothing
//! sent); what befalls one recipient is that recipient's `Failed` receipt, with the request's
//! `TaskId`, posted to the `StatusCallbackUrl` after `Code: OK`; each accepted recipient is
//! billed to the space's WABA as a SendChatappMessage would be. Recipients past the number's
//! throughput are paced on the world clock, not refused; a batch that would make more wait
//! than the namespace's bound is refused whole.

mod common;

use std::collections::BTreeMap;

use common::Sim;
use common::cams::{default_fixture_with, namespace_with_fixture, outcome, sim_in};
use common::receiver::Receiver;
use common::world::*;
use serde_json::{Value, json};

fn mass<'a>(senders: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut params = vec![
        ("CustSpaceId", CAMS_SPACE),
        ("ChannelType", "whatsapp"),
        ("From", READY_E164),
        ("TemplateName", "order_update"),
        ("Language", "en_US"),
        ("SenderList", senders),
    ];
    for (k, v) in extra {
        match params.iter_mut().find(|(name, _)| name == k) {
            Some(p) => p.1 = v,
            None => params.push((k, v)),
        }
    }
    params
}

const ONE: &str = r#"[{"To":"16505551234","TemplateParams":{"1":"Al"}}]"#;

async fn booked(sim: &Sim) -> i64 {
    let billing = sim.admin("GET", "/__admin/billing", None).await.json();
    billing["booked"].as_i64().unwrap()
}

/// What the number sent: the ledger's accepted sends, as GetChatappPhoneNumberMetric counts
/// them.
async fn sent_count(sim: &Sim) -> i64 {
    sim.cams_daily_counts().await.iter().map(|c| c.0).sum()
}

#[tokio::test]
async fn a_request_wrong_as_a_whole_is_refused_and_sends_nothing() {
    let sim = sim_in("cams-mass-refusals").await;
    // Before the number is the space's: ChatApp's own refusal (H4).
    let r = sim.cams("SendChatappMassMessage", &mass(ONE, &[])).await;
    assert_eq!(outcome(&r), (400, "ERR-OPERATION-MAAP-0065".into()));
    sim.cams_migrate_fully().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let too_many = format!("[{}]", vec![r#"{"To":"16505551234"}"#; 1001].join(","));
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("SenderList", "not json")], "InvalidParameter"),
        (&[("SenderList", "[]")], "InvalidParameter"),
        (
            &[("SenderList", r#"{"To":"16505551234"}"#)],
            "InvalidParameter",
        ),
        (&[("SenderList", "[1]")], "InvalidParameter"),
        (&[("SenderList", too_many.as_str())], "InvalidParameter"),
        (
            &[("SenderList", r#"[{"To":"16505551234"},{"To":"nobody"}]"#)],
            "InvalidParameter.PhoneNumberError",
        ),
        (
            &[(
                "SenderList",
                r#"[{"To":"16505551234","TemplateParams":"{\"1\":\"Al\"}"}]"#,
            )],
            "InvalidParameter",
        ),
        (
            &[("ChannelType", "viber")],
            "InvalidParameter.ChannelTypeNotSupport",
        ),
        (&[("From", "+1 555")], "InvalidParameter.FromOnlyNumeric"),
        (
            &[("TemplateName", "")],
            "InvalidParameter.TemplateCodeNotEmpty",
        ),
        // The world's refusal of the template, met on the first recipient: Meta's 132001 as
        // ChatApp relays it, for the whole request.
        (&[("TemplateName", "no_such")], "ERR-FB-001"),
    ];
    for (extra, code) in cases {
        let r = sim.cams("SendChatappMassMessage", &mass(ONE, extra)).await;
        assert_eq!(
            outcome(&r),
            (400, code.to_string()),
            "{extra:?}: {}",
            r.text()
        );
        assert!(r.json().get("GroupMessageId").is_none());
    }
    let r = sim
        .cams(
            "SendChatappMassMessage",
            &mass(ONE, &[("TemplateName", "no_such")]),
        )
        .await;
    assert_eq!(
        r.json()["Message"],
        "(#132001) Template name does not exist in the translation"
    );
    // SenderList is required (the API's metadata): the gateway's own check.
    let mut without = mass(ONE, &[]);
    without.retain(|(k, _)| *k != "SenderList");
    let r = sim.cams("SendChatappMassMessage", &without).await;
    assert_eq!(outcome(&r), (400, "MissingParameter".into()));

    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "1m"})),
    )
    .await;
    assert_eq!(booked(&sim).await, 0, "a refused request sends nothing");
    assert_eq!(sent_count(&sim).await, 0);
}

/// The status reports posted, one per POST (a JSON array of one).
async fn reports(receiver: &Receiver, want: usize) -> Vec<Value> {
    receiver
        .receipts(want)
        .await
        .into_iter()
        .map(|(uri, body)| {
            assert!(uri.ends_with("/status"), "{uri}");
            assert_eq!(body.as_array().map(Vec::len), Some(1), "{body}");
            body[0].clone()
        })
        .collect()
}

/// A receiver for the space's `StatusCallbackUrl` (UpdateAccountWebhook).
async fn status_callback(sim: &Sim) -> Receiver {
    let receiver = Receiver::start(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), "unused").await;
    let url = format!("{}/status", receiver.url());
    let r = sim
        .cams(
            "UpdateAccountWebhook",
            &[("CustSpaceId", CAMS_SPACE), ("StatusCallbackUrl", &url)],
        )
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    receiver
}

#[tokio::test]
async fn each_recipient_is_one_send_and_its_failure_a_failed_receipt() {
    let sim = sim_in("cams-mass-receipts").await;
    sim.cams_migrate_fully().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let receiver = status_callback(&sim).await;
    let r = sim
        .admin(
            "POST",
            "/__admin/recipients",
            Some(json!({"wa_id": "16505550009", "reach": "unreachable"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // One Meta refuses outright for its missing parameter (132000; first, so that it is not
    // taken for the request's own fault), one delivered, one the world fails after its 200
    // (131026).
    let senders = json!([
        {"To": "16505550002"},
        {"To": "16505550001", "TemplateParams": {"1": "Al"}},
        {"To": "16505550009", "TemplateParams": {"1": "Bea"}},
    ])
    .to_string();
    let r = sim
        .cams(
            "SendChatappMassMessage",
            &mass(&senders, &[("TaskId", "mass-1")]),
        )
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    let group = r.json()["GroupMessageId"].as_str().unwrap().to_string();
    assert_eq!(group.len(), 16, "{group}");
    assert!(group.bytes().all(|b| b.is_ascii_digit()), "{group}");
    assert!(r.json().get("MessageId").is_none());
    assert!(
        r.json().get("Success").is_none(),
        "the model has no Success"
    );
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "1m"})),
    )
    .await;

    // Sent, Delivered and Read for the first; Failed for each of the others.
    let got = reports(&receiver, 5).await;
    let mut by_to: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for report in &got {
        by_to
            .entry(report["To"].as_str().unwrap().to_string())
            .or_default()
            .push(report);
    }
    let words = |to: &str| -> Vec<&str> {
        by_to[to]
            .iter()
            .map(|r| r["Status"].as_str().unwrap())
            .collect()
    };
    assert_eq!(words("16505550001"), ["Sent", "Delivered", "Read"]);
    assert_eq!(words("16505550009"), ["Failed"]);
    assert_eq!(words("16505550002"), ["Failed"]);
    for report in &got {
        assert_eq!(report["TaskId"], "mass-1", "{report}");
        assert_eq!(report["MsgFrameType"], "template", "{report}");
        assert_eq!(report["Type"], "TEMPLATE", "{report}");
        assert_eq!(report["TemplateName"], "order_update", "{report}");
        assert_eq!(report["Language"], "en_US", "{report}");
        assert_eq!(report["From"], READY_E164, "{report}");
        assert_eq!(report["MessageId"].as_str().map(str::len), Some(24));
    }
    let unreachable = by_to["16505550009"][0];
    assert_eq!(unreachable["ErrorCode"], "131026");
    let refused = by_to["16505550002"][0];
    assert_eq!(refused["ErrorCode"], "132000", "{refused}");
    assert!(
        refused["ErrorDescription"]
            .as_str()
            .unwrap()
            .starts_with("132000:Number of parameters does not match"),
        "{refused}"
    );
    assert!(
        refused.get("ConversationId").is_none(),
        "Meta never took it"
    );
    let ids: std::collections::BTreeSet<&str> = got
        .iter()
        .map(|r| r["MessageId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "one MessageId per recipient: {ids:?}");

    // Billed as SendChatappMessage is: the one delivered, on the space's WABA.
    let billing = sim.admin("GET", "/__admin/billing", None).await.json();
    assert_eq!(billing["booked"], 1, "{billing}");
    assert_eq!(billing["charges"][0]["waba_id"], ALIBABA_WABA);
    assert_eq!(billing["charges"][0]["pricing_category"], "utility");
    // Accepted by Meta: the delivered one and the one failed after its 200, not the refused.
    assert_eq!(sent_count(&sim).await, 2);
}

#[tokio::test]
async fn the_pair_rate_fails_the_recipients_past_it_and_not_the_batch() {
    let sim = sim_in("cams-mass-pair-rate").await;
    sim.cams_migrate_fully().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let receiver = status_callback(&sim).await;
    // 50 messages to one user at once: past the pair budget (45 by default), Meta's 131056.
    let senders = json!(vec![
        json!({"To": "16505550003", "TemplateParams": {"1": "Al"}});
        50
    ])
    .to_string();
    let r = sim
        .cams("SendChatappMassMessage", &mass(&senders, &[]))
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    let got = reports(&receiver, 50).await;
    let failed: Vec<&Value> = got.iter().filter(|r| r["Status"] == "Failed").collect();
    let sent = got.iter().filter(|r| r["Status"] == "Sent").count();
    assert!(!failed.is_empty(), "the budget holds fewer than 50");
    assert_eq!(sent + failed.len(), 50);
    for f in &failed {
        assert_eq!(f["ErrorCode"], "131056", "{f}");
        // No TaskId given: each receipt's own MessageId, as SendChatappMessage's.
        assert_eq!(f["TaskId"], f["MessageId"], "{f}");
    }
}

/// `n` users, each with the template's one parameter.
fn users(n: usize) -> String {
    let senders: Vec<Value> = (0..n)
        .map(|i| json!({"To": format!("1650555{i:04}"), "TemplateParams": {"1": "Al"}}))
        .collect();
    Value::from(senders).to_string()
}

/// Recipients waiting for their turn, over every number (`GET /__admin/state`).
async fn waiting(sim: &Sim) -> u64 {
    let state = sim.admin("GET", "/__admin/state", None).await.json();
    let wabas = state["wabas"].as_array().expect("wabas");
    wabas
        .iter()
        .flat_map(|w| w["phone_numbers"].as_array().expect("phone_numbers"))
        .map(|p| {
            p["paced_sends_waiting"]
                .as_u64()
                .expect("paced_sends_waiting")
        })
        .sum()
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
async fn a_batch_past_the_throughput_is_paced_and_every_recipient_is_sent() {
    let sim = sim_in("cams-mass-throughput").await;
    sim.cams_migrate_fully().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let receiver = status_callback(&sim).await;
    // 200 users: the number's 80 a second (the default setting) at once, the rest at their
    // turn on the world clock, none refused with 130429.
    let senders = users(200);
    let r = sim
        .cams(
            "SendChatappMassMessage",
            &mass(&senders, &[("TaskId", "paced")]),
        )
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    assert_eq!(sent_count(&sim).await, 80, "the rest wait for their turn");
    assert_eq!(
        waiting(&sim).await,
        120,
        "the control API's state shows them"
    );
    advance(&sim, "1s").await;
    assert_eq!(sent_count(&sim).await, 160);
    assert_eq!(waiting(&sim).await, 40);
    advance(&sim, "1s").await;
    assert_eq!(sent_count(&sim).await, 200);
    assert_eq!(waiting(&sim).await, 0);

    // 200 Sent, and Delivered (a second after) for the 160 sent by then.
    let got = reports(&receiver, 360).await;
    assert!(
        got.iter().all(|r| r["Status"] != "Failed"),
        "{:?}",
        got.iter().find(|r| r["Status"] == "Failed")
    );
    let sent: Vec<&Value> = got.iter().filter(|r| r["Status"] == "Sent").collect();
    assert_eq!(sent.len(), 200);
    let t0 = sent
        .iter()
        .map(|r| r["Timestamp"].as_i64().unwrap())
        .min()
        .unwrap();
    for r in &sent {
        let i: i64 = r["To"].as_str().unwrap()[7..].parse().unwrap();
        // In SenderList order: the first 80, the next 80 a second later, the last 40 after.
        assert_eq!(r["Timestamp"].as_i64(), Some(t0 + i / 80 * 1000), "{r}");
        // Those sent at their turn are told as the request named them.
        assert_eq!(r["TaskId"], "paced", "{r}");
        assert_eq!(r["TemplateName"], "order_update", "{r}");
    }
}

#[tokio::test]
async fn a_batch_that_would_overflow_the_pacing_queue_is_refused_whole() {
    let fixture = default_fixture_with("seed: 7\n", "seed: 7\nsettings: {paced_sends_max: 100}\n");
    let sim = namespace_with_fixture("cams-mass-queue", fixture).await;
    sim.cams_migrate_fully().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    // 80 at once and 120 to wait: past the 100 that may wait.
    let r = sim
        .cams("SendChatappMassMessage", &mass(&users(200), &[]))
        .await;
    assert_eq!(
        outcome(&r),
        (400, "System.LimitControl".into()),
        "{}",
        r.text()
    );
    assert_eq!(r.json()["Message"], "The system is under flow control.");
    assert!(r.header("x-acs-retry-after").is_none());
    assert_eq!(
        sent_count(&sim).await,
        0,
        "nothing of a refused batch is sent"
    );
    // 80 at once and exactly 100 waiting; then not one more until the queue moves on.
    fill_the_queue(&sim).await;
    // A reset drops the waiting recipients with the world: the queue has room again.
    let r = sim.admin("POST", "/__admin/reset", None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    sim.cams_migrate_fully().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    assert_eq!(sent_count(&sim).await, 0);
    fill_the_queue(&sim).await;
    advance(&sim, "2s").await;
    assert_eq!(sent_count(&sim).await, 180);
    let r = sim.cams("SendChatappMassMessage", &mass(ONE, &[])).await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
}

/// 180 users with at most 100 waiting: 80 sent at once and the queue full, so that one more
/// is refused.
async fn fill_the_queue(sim: &Sim) {
    let r = sim
        .cams("SendChatappMassMessage", &mass(&users(180), &[]))
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    let r = sim.cams("SendChatappMassMessage", &mass(ONE, &[])).await;
    assert_eq!(
        outcome(&r),
        (400, "System.LimitControl".into()),
        "{}",
        r.text()
    );
}
