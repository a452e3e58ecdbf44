//! SendChatappMessage over a real socket: Alibaba's validation codes, the world's refusals
//! relayed as ChatApp relays Meta, the receipts (ChatAppStatus, ChatAppInbound) posted to the
//! space's and the number's callbacks as JSON arrays, and the charge booked to the space's
//! WABA once delivered (and counted by GetChatappPhoneNumberMetric).

mod common;

use common::cams::{outcome, sim_in};
use common::receiver::Receiver;
use common::world::*;
use serde_json::{Value, json};

const BASE: [(&str, &str); 4] = [
    ("CustSpaceId", CAMS_SPACE),
    ("ChannelType", "whatsapp"),
    ("From", READY_E164),
    ("To", "16505551234"),
];

fn with<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut params = BASE.to_vec();
    params.extend_from_slice(extra);
    params
}

#[tokio::test]
async fn bad_input_gets_alibabas_codes_and_world_refusals_are_relayed() {
    let sim = sim_in("cams-send-refusals").await;
    // Before the number is the space's: ChatApp's own refusal (H4).
    let r = sim
        .cams(
            "SendChatappMessage",
            &with(&[
                ("Type", "message"),
                ("MessageType", "text"),
                ("Content", r#"{"text":"hi"}"#),
            ]),
        )
        .await;
    assert_eq!(outcome(&r), (400, "ERR-OPERATION-MAAP-0065".into()));
    sim.cams_migrate_fully().await;
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("Type", "message"), ("MessageType", "text")],
            "InvalidParameter.ContentNotEmpty",
        ),
        (
            &[("Type", "message"), ("Content", "{}")],
            "InvalidParameter.MessageTypeNotEmpty",
        ),
        (
            &[
                ("Type", "message"),
                ("MessageType", "hologram"),
                ("Content", "{}"),
            ],
            "InvalidParameter.MessageTypeNotSupport",
        ),
        (
            &[
                ("Type", "message"),
                ("MessageType", "text"),
                ("Content", "not json"),
            ],
            "InvalidParameter.ContentError",
        ),
        (
            &[
                ("Type", "message"),
                ("MessageType", "text"),
                ("Content", r#"{"text":""}"#),
            ],
            "InvalidParameter.TextNotEmpty",
        ),
        (
            &[
                ("Type", "message"),
                ("MessageType", "image"),
                ("Content", r#"{"caption":"x"}"#),
            ],
            "InvalidParameter.LinkNotEmpty",
        ),
        (
            &[("Type", "template"), ("Language", "en_US")],
            "InvalidParameter.TemplateCodeNotEmpty",
        ),
        (
            &[("Type", "template"), ("TemplateName", "order_update")],
            "InvalidParameter.LanguageNotEmpty",
        ),
        (
            &[
                ("Type", "template"),
                ("TemplateName", "order_update"),
                ("Language", "en_US"),
                ("TemplateParams", "[1]"),
            ],
            "InvalidParameter",
        ),
        // Meta's rules, relayed as ERR-FB-001 with Meta's `(#code) title`.
        (
            &[
                ("Type", "template"),
                ("TemplateName", "no_such"),
                ("Language", "en_US"),
            ],
            "ERR-FB-001",
        ),
        (
            &[
                ("Type", "template"),
                ("TemplateName", "order_update"),
                ("Language", "en_US"),
            ],
            "ERR-FB-001",
        ),
    ];
    for (extra, code) in cases {
        let r = sim.cams("SendChatappMessage", &with(extra)).await;
        assert_eq!(
            outcome(&r),
            (400, code.to_string()),
            "{extra:?}: {}",
            r.text()
        );
        assert!(r.json().get("MessageId").is_none());
    }
    let r = sim
        .cams(
            "SendChatappMessage",
            &with(&[
                ("Type", "template"),
                ("TemplateName", "no_such"),
                ("Language", "en_US"),
            ]),
        )
        .await;
    assert_eq!(
        r.json()["Message"],
        "(#132001) Template name does not exist in the translation"
    );
    let mut viber = with(&[("Type", "message")]);
    viber[1] = ("ChannelType", "viber");
    let r = sim.cams("SendChatappMessage", &viber).await;
    assert_eq!(
        outcome(&r),
        (400, "InvalidParameter.ChannelTypeNotSupport".into())
    );
    let mut letters = with(&[("Type", "message")]);
    letters[2] = ("From", "+1 555");
    let r = sim.cams("SendChatappMessage", &letters).await;
    assert_eq!(
        outcome(&r),
        (400, "InvalidParameter.FromOnlyNumeric".into())
    );
    // The gateway's own check: a required parameter.
    let r = sim.cams("SendChatappMessage", &BASE).await;
    assert_eq!(outcome(&r), (400, "MissingParameter".into()));
}

#[tokio::test]
async fn sends_are_receipted_to_the_callbacks_and_billed_to_the_space_waba() {
    let sim = sim_in("cams-send-receipts").await;
    sim.cams_migrate_fully().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let receiver = Receiver::start(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), "unused").await;
    let status_url = format!("{}/status", receiver.url());
    let up_url = format!("{}/inbound", receiver.url());
    let r = sim
        .cams(
            "UpdateAccountWebhook",
            &[
                ("CustSpaceId", CAMS_SPACE),
                ("StatusCallbackUrl", &status_url),
            ],
        )
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    let r = sim
        .cams(
            "UpdatePhoneWebhook",
            &[
                ("CustSpaceId", CAMS_SPACE),
                ("PhoneNumber", READY_E164),
                ("UpCallbackUrl", &up_url),
            ],
        )
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    let state = sim.admin("GET", "/__admin/state", None).await.json();
    let phone = state["facades"]["cams"]["spaces"][0]["numbers"][0]["phone_number_id"]
        .as_str()
        .expect("the migrated number is the space's")
        .to_string();
    let r = sim
        .admin(
            "POST",
            "/__admin/inbound",
            Some(json!({"phone_number_id": phone, "from": "16505551234", "text": "hi"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = sim
        .cams(
            "SendChatappMessage",
            &with(&[
                ("Type", "message"),
                ("MessageType", "text"),
                ("Content", r#"{"text":"Hello from ChatApp"}"#),
                ("TaskId", "t-1"),
            ]),
        )
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    let id = r.json()["MessageId"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 24, "{id}");
    assert!(
        r.json().get("Success").is_none(),
        "the model has no Success"
    );
    let r = sim
        .admin(
            "POST",
            "/__admin/clock/advance",
            Some(json!({"duration": "1m"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    let got = receiver.receipts(4).await;
    let (uri, inbound) = &got[0];
    assert!(uri.ends_with("/inbound"), "{uri}");
    assert_eq!(inbound[0]["From"], "16505551234");
    assert_eq!(inbound[0]["To"], READY_E164);
    assert_eq!(inbound[0]["Message"], "hi");
    assert_eq!(inbound[0]["CustSpaceId"], CAMS_SPACE);
    let statuses: Vec<(&str, &Value)> = got[1..]
        .iter()
        .map(|(uri, body)| {
            assert!(uri.ends_with("/status"), "{uri}");
            assert_eq!(body.as_array().map(Vec::len), Some(1), "{body}");
            (body[0]["Status"].as_str().unwrap(), &body[0])
        })
        .collect();
    let words: Vec<&str> = statuses.iter().map(|s| s.0).collect();
    assert_eq!(words, ["Sent", "Delivered", "Read"]);
    let sent = statuses[0].1;
    assert_eq!(sent["MessageId"], id.as_str());
    assert_eq!(sent["TaskId"], "t-1");
    assert_eq!(sent["MsgFrameType"], "message");
    assert_eq!(sent["Type"], "TEXT");
    assert_eq!(sent["ConversationType"], "service");
    assert_eq!(sent["From"], READY_E164);
    assert!(sent["Timestamp"].as_i64().is_some());

    let billing = sim.admin("GET", "/__admin/billing", None).await.json();
    assert_eq!(billing["booked"], 1, "{billing}");
    assert_eq!(billing["charges"][0]["waba_id"], ALIBABA_WABA);
    assert_eq!(billing["charges"][0]["phone_number_id"], phone.as_str());

    // ChatApp's own metric reads the same ledger.
    let counts = sim.cams_daily_counts().await;
    assert_eq!(counts, [(1, 1), (0, 0)]);

    // A reaction is receipted `Sent` and nothing more (Meta tells reactions `sent` only).
    let r = sim
        .cams(
            "SendChatappMessage",
            &with(&[
                ("Type", "message"),
                ("MessageType", "reaction"),
                ("Content", r#"{"emoji":"👍"}"#),
            ]),
        )
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    let liked = r.json()["MessageId"].as_str().unwrap().to_string();
    let r = sim
        .admin(
            "POST",
            "/__admin/clock/advance",
            Some(json!({"duration": "1m"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let listed = sim
        .admin("GET", "/__admin/webhooks?field=ChatAppStatus", None)
        .await
        .json();
    let told: Vec<&str> = listed["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["payload"][0])
        .filter(|p| p["MessageId"] == liked.as_str())
        .map(|p| p["Status"].as_str().unwrap())
        .collect();
    assert_eq!(told, ["Sent"]);
}

/// A user's file reaches the number's `UpCallbackUrl` as ChatAppInbound tells it (`Type`
/// `DOCUMENT`, `Message` a JSON string with `url`); the URL downloads the bytes without
/// credentials or the namespace header (it names its namespace) until the file's 7 days are
/// over.
#[tokio::test]
async fn a_users_file_is_told_to_the_up_callback_with_a_url_that_downloads_it() {
    let sim = sim_in("cams-inbound-file").await;
    sim.cams_migrate_fully().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let receiver = Receiver::start(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), "unused").await;
    let up_url = format!("{}/inbound", receiver.url());
    let r = sim
        .cams(
            "UpdatePhoneWebhook",
            &[
                ("CustSpaceId", CAMS_SPACE),
                ("PhoneNumber", READY_E164),
                ("UpCallbackUrl", &up_url),
            ],
        )
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    let state = sim.admin("GET", "/__admin/state", None).await.json();
    let phone = state["facades"]["cams"]["spaces"][0]["numbers"][0]["phone_number_id"]
        .as_str()
        .unwrap()
        .to_string();
    let inbound = json!({"phone_number_id": phone, "from": "16505551234", "type": "document",
                         "document": {"data": "JVBERi0xLjQ=", "filename": "first.pdf"}});
    let r = sim.admin("POST", "/__admin/inbound", Some(inbound)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let media_id = r.json()["media_id"].as_str().unwrap().to_string();

    let got = receiver.receipts(1).await;
    let report = &got[0].1[0];
    assert_eq!(report["Type"], "DOCUMENT", "{report}");
    let message: Value = serde_json::from_str(report["Message"].as_str().unwrap()).unwrap();
    assert_eq!(
        (&message["id"], &message["filename"], &message["name"]),
        (&json!(media_id), &json!("first.pdf"), &json!("first.pdf"))
    );
    assert_eq!(message["mimeType"], "application/pdf");
    let url = message["url"].as_str().unwrap();
    // The URL names its namespace, so it needs no header either.
    assert!(url.ends_with("&ns=cams-inbound-file"), "{url}");
    let path = &url[url.find("/whatsapp_business/attachments/").expect(url)..];
    let r = sim.send_exact("GET", path, &[], "").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "%PDF-1.4");
    // The header may name the same namespace, not another one.
    let ns = [("x-wabasim-namespace", "cams-inbound-file")];
    assert_eq!(sim.send_exact("GET", path, &ns, "").await.status, 200);
    let elsewhere = [("x-wabasim-namespace", "cams-elsewhere")];
    let r = sim.send_exact("GET", path, &elsewhere, "").await;
    assert_eq!(r.status, 400, "{}", r.text());
    let why = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(why.contains("\"cams-inbound-file\""), "{why}");
    // Altered, it is no presigned URL: Graph's token error.
    let r = sim
        .send_exact("GET", &path.replace("hash=PS", "hash=PT"), &[], "")
        .await;
    assert_eq!(r.json()["error"]["code"], 104, "{}", r.text());
    let r = sim
        .admin(
            "POST",
            "/__admin/clock/advance",
            Some(json!({"duration": "7d"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // The file is gone with its URL.
    let r = sim.send_exact("GET", path, &[], "").await;
    assert_eq!(r.status, 404, "{}", r.text());
}

/// A migrated ChatApp number whose `UpCallbackUrl` is a local receiver: the simulator, the
/// receiver, and a function that makes a `POST /__admin/inbound` body from user 16505551234
/// to that number.
async fn users_write_to_the_up_callback(
    namespace: &str,
) -> (common::Sim, Receiver, impl Fn(Value) -> Value) {
    let sim = sim_in(namespace).await;
    sim.cams_migrate_fully().await;
    let receiver = Receiver::start(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), "unused").await;
    let up_url = format!("{}/inbound", receiver.url());
    let params = [
        ("CustSpaceId", CAMS_SPACE),
        ("PhoneNumber", READY_E164),
        ("UpCallbackUrl", up_url.as_str()),
    ];
    let r = sim.cams("UpdatePhoneWebhook", &params).await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    let state = sim.admin("GET", "/__admin/state", None).await.json();
    let phone = state["facades"]["cams"]["spaces"][0]["numbers"][0]["phone_number_id"]
        .as_str()
        .unwrap()
        .to_string();
    let user = move |mut body: Value| {
        body["phone_number_id"] = json!(phone);
        body["from"] = json!("16505551234");
        body
    };
    (sim, receiver, user)
}

/// A user's location, a tap on a quick-reply button and a reaction at the number's
/// `UpCallbackUrl`: `LOCATION` with the page's four strings, `REPLY` with Meta's `button`
/// object, and no report for the reaction (ChatAppInbound has no such `Type`;
/// docs/fidelity.md).
#[tokio::test]
async fn a_users_location_and_reply_are_told_to_the_up_callback_and_a_reaction_is_not() {
    let (sim, receiver, user) = users_write_to_the_up_callback("cams-inbound-kinds").await;
    let location = user(json!({"type": "location",
        "location": {"latitude": 37.5, "longitude": -122.25, "name": "HQ", "address": "1 Hacker Way"}}));
    let r = sim.admin("POST", "/__admin/inbound", Some(location)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    // The business answers with a message the user then taps a button of.
    let r = sim
        .cams(
            "SendChatappMessage",
            &with(&[
                ("Type", "message"),
                ("MessageType", "text"),
                ("Content", r#"{"text":"Stop promotions?"}"#),
            ]),
        )
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    let events = sim.admin("GET", "/__admin/events", None).await.json();
    let business = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|e| {
            let s = &e["payload"]["entry"][0]["changes"][0]["value"]["statuses"][0];
            s["id"].as_str().map(str::to_string)
        })
        .expect("the business message's status");
    let like = user(json!({"type": "reaction",
                           "reaction": {"message_id": business, "emoji": "👍"}}));
    let tap = user(
        json!({"type": "button", "context": {"message_id": business},
                          "button": {"payload": "stop", "text": "Stop"}}),
    );
    for body in [like, tap] {
        let r = sim.admin("POST", "/__admin/inbound", Some(body)).await;
        assert_eq!(r.status, 200, "{}", r.text());
    }

    receiver.receipts(2).await;
    // Time for a third report, were the reaction told.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let reports: Vec<Value> = receiver
        .posts()
        .iter()
        .filter(|p| p.uri.ends_with("/inbound"))
        .map(|p| p.json()[0].clone())
        .collect();
    let kinds: Vec<&str> = reports
        .iter()
        .map(|r| r["Type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["LOCATION", "REPLY"], "{reports:?}");
    let message = |i: usize| -> Value {
        serde_json::from_str(reports[i]["Message"].as_str().unwrap()).unwrap()
    };
    assert_eq!(
        message(0),
        json!({"address": "1 Hacker Way", "latitude": "37.5", "longitude": "-122.25", "name": "HQ"})
    );
    assert_eq!(message(1), json!({"payload": "stop", "text": "Stop"}));
}

/// A changed number is told to the `UpCallbackUrl` as `SYSTEM` with Meta's `system` object;
/// an order and an unsupported message are not told (ChatAppInbound has no such `Type`;
/// docs/fidelity.md), and a forwarded text is a plain `TEXT` (no field for the forward).
#[tokio::test]
async fn a_changed_number_is_a_system_report_and_an_order_is_not_told() {
    let (sim, receiver, user) = users_write_to_the_up_callback("cams-inbound-last-kinds").await;
    let bodies = [
        user(
            json!({"type": "order", "order": {"catalog_id": "1", "product_items": [
            {"product_retailer_id": "a", "quantity": 1, "item_price": 3, "currency": "USD"}]}}),
        ),
        user(json!({"type": "unsupported"})),
        user(json!({"type": "system", "system": {"wa_id": "12195555358", "body": "moved"}})),
        user(json!({"text": "pass it on", "forwarded": true})),
    ];
    for body in bodies {
        let r = sim.admin("POST", "/__admin/inbound", Some(body)).await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    receiver.receipts(2).await;
    // Time for more reports, were the order or the unsupported message told.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let reports: Vec<Value> = receiver
        .posts()
        .iter()
        .filter(|p| p.uri.ends_with("/inbound"))
        .map(|p| p.json()[0].clone())
        .collect();
    let kinds: Vec<&str> = reports
        .iter()
        .map(|r| r["Type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["SYSTEM", "TEXT"], "{reports:?}");
    let notice: Value = serde_json::from_str(reports[0]["Message"].as_str().unwrap()).unwrap();
    assert_eq!(
        notice,
        json!({"body": "moved", "wa_id": "12195555358", "type": "user_changed_number"})
    );
    assert_eq!(reports[1]["Message"], json!("pass it on"));
}
