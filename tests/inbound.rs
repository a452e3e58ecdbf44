//! Every kind of message a BSP's bot must handle, written in by a simulated user
//! (`POST /__admin/inbound`) and told in Meta's `messages` webhook over real sockets: a
//! location, contacts, reactions (and taking one back), replies to a reply button, a list
//! row and a template's quick-reply button, and a reply quoting an earlier message
//! (`context{from, id}`); an order, WhatsApp's notice of a changed number, an unsupported
//! message, and forwarded messages (`context{forwarded}` / `{frequently_forwarded}`). Bad
//! input is the control API's 400, never a 500.

mod common;

use common::world::*;
use common::{Reply, Sim};
use serde_json::{Value, json};

const USER: &str = "15551230001";

async fn user_writes(sim: &Sim, body: Value) -> Reply {
    let mut body = body;
    body["phone_number_id"] = json!(READY_PHONE_ID);
    body["from"] = json!(USER);
    sim.admin("POST", "/__admin/inbound", Some(body)).await
}

fn id_of(r: &Reply) -> String {
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["message_id"].as_str().unwrap().to_string()
}

/// The `value` of every `messages` webhook that told a user's message, oldest first.
async fn told(sim: &Sim) -> Vec<Value> {
    let events = sim.admin("GET", "/__admin/events", None).await.json();
    events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["payload"]["entry"][0]["changes"][0]["value"].clone())
        .filter(|v| v.get("messages").is_some())
        .collect()
}

#[tokio::test]
async fn every_kind_a_bot_handles_is_told_in_metas_shape() {
    let sim = Sim::start().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let first = id_of(&user_writes(&sim, json!({"text": "hi"})).await);
    let send = json!({"messaging_product": "whatsapp", "to": USER, "type": "text",
                      "text": {"body": "Pick one"}});
    let r = sim
        .post_json(&format!("/v23.0/{READY_PHONE_ID}/messages"), OLD_BSP, send)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let business = r.json()["messages"][0]["id"].as_str().unwrap().to_string();
    let quote = json!({"message_id": business});
    let bodies = [
        json!({"type": "location", "context": {"message_id": first},
               "location": {"latitude": 37.4611978, "longitude": -122.2164385,
                            "name": "Facebook HQ", "address": "1 Hacker Way, Menlo Park, CA 94025",
                            "url": "https://maps.example/hq"}}),
        json!({"type": "location", "location": {"latitude": 12.25089, "longitude": 43.90539}}),
        json!({"type": "contacts", "contacts": [
            {"name": {"formatted_name": "Chandler Bing", "first_name": "Chandler", "last_name": "Bing"},
             "phones": [{"phone": "+1 555-555-5555", "wa_id": "15555555555", "type": "CELL"}],
             "emails": [{"email": "chandler@example.com", "type": "WORK"}],
             "org": {"company": "Acme"}},
            {"name": {"formatted_name": "Monica"}, "phones": [{"phone": "+1 666-666-6666", "type": "HOME"}]}]}),
        json!({"type": "reaction", "reaction": {"message_id": business, "emoji": "👍"}}),
        json!({"type": "reaction", "reaction": {"message_id": business, "emoji": ""}}),
        json!({"type": "interactive", "context": quote,
               "interactive": {"type": "button_reply", "button_reply": {"id": "yes-1", "title": "Yes"}}}),
        json!({"type": "interactive", "context": quote,
               "interactive": {"type": "list_reply", "list_reply": {"id": "express",
                   "title": "Priority Mail Express", "description": "Next Day to 2 Days"}}}),
        json!({"type": "button", "context": quote, "button": {"payload": "stop-promos", "text": "Stop"}}),
        json!({"text": "as a reply", "context": quote}),
    ];
    let mut ids = Vec::new();
    for b in bodies {
        ids.push(id_of(&user_writes(&sim, b).await));
    }
    let values = told(&sim).await;
    assert_eq!(values.len(), 1 + ids.len());
    // The first value whole, to show the envelope; then each message.
    let mut shown = json!({"value": values[1], "messages":
        values[2..].iter().map(|v| v["messages"][0].clone()).collect::<Vec<_>>()});
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(values[i + 1]["messages"][0]["id"], json!(id));
    }
    let mut text = shown.to_string();
    for (id, label) in [(&business, "[business wamid]"), (&first, "[first wamid]")] {
        text = text.replace(id.as_str(), label);
    }
    for id in &ids {
        text = text.replace(id.as_str(), "[wamid]");
    }
    shown = serde_json::from_str(&text).unwrap();
    insta::assert_json_snapshot!("every_kind", shown, {
        ".value.messages[].timestamp" => "[timestamp]",
        ".messages[].timestamp" => "[timestamp]",
    });
}

#[tokio::test]
async fn orders_changed_numbers_unsupported_and_forwarded_messages_are_told_in_metas_shape() {
    let sim = Sim::start().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let bodies = [
        json!({"type": "order", "order": {"catalog_id": "194836987003835", "product_items": [
            {"product_retailer_id": "di9ozbzfi4", "quantity": 2, "item_price": 30, "currency": "USD"},
            {"product_retailer_id": "nqryix03ez", "quantity": 1, "item_price": 25.5, "currency": "USD"}]}}),
        json!({"type": "order", "forwarded": true, "order": {"catalog_id": "194836987003835",
            "text": "for Friday", "product_items": [
            {"product_retailer_id": "di9ozbzfi4", "quantity": 1, "item_price": 30, "currency": "USD"}]}}),
        json!({"type": "unsupported"}),
        json!({"type": "unsupported", "unsupported": {"type": "gif"}}),
        json!({"text": "pass it on", "forwarded": true}),
        json!({"type": "image", "frequently_forwarded": true, "image": {"mime_type": "image/png"}}),
        json!({"type": "system", "system": {"wa_id": "12195555358"}}),
        json!({"type": "system", "system": {"new_wa_id": "12195555359",
               "body": "User changed their number"}}),
    ];
    let mut ids = Vec::new();
    for b in bodies {
        ids.push(id_of(&user_writes(&sim, b).await));
    }
    let values = told(&sim).await;
    assert_eq!(values.len(), ids.len());
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(values[i]["messages"][0]["id"], json!(id));
    }
    // The notices have no `contacts` (the system messages webhook reference); the others do.
    let with_contacts: Vec<bool> = values.iter().map(|v| v.get("contacts").is_some()).collect();
    assert_eq!(
        with_contacts,
        [true, true, true, true, true, true, false, false]
    );
    // Meta's OpenAPI document agrees on each kind's object, where it is given
    // (WABASIM_META_OPENAPI). Its message schemas as a whole extend the *send* request's
    // `BaseMessageProperties` (`to`, `recipient_type`), so only the objects are checked.
    if let Some(oas) = common::conformance::MetaOpenApi::shared() {
        let object = |schema: &str, key: &str| {
            format!("#/components/schemas/{schema}/allOf/1/properties/{key}")
        };
        for (schema, value) in [
            (
                object("OrderMessage", "order"),
                &values[0]["messages"][0]["order"],
            ),
            (
                object("UnsupportedMessage", "type"),
                &values[2]["messages"][0]["type"],
            ),
            (
                object("SystemMessage", "system"),
                &values[6]["messages"][0]["system"],
            ),
            (
                object("SystemMessage", "type"),
                &values[6]["messages"][0]["type"],
            ),
        ] {
            assert_eq!(
                oas.validate_component(&schema, value).err(),
                None,
                "{schema}"
            );
        }
    }
    let mut text = json!({"value": values[0], "notice": values[6], "messages":
        values.iter().map(|v| v["messages"][0].clone()).collect::<Vec<_>>()})
    .to_string();
    for id in &ids {
        text = text.replace(id.as_str(), "[wamid]");
    }
    let shown: Value = serde_json::from_str(&text).unwrap();
    insta::assert_json_snapshot!("last_kinds", shown, {
        ".value.messages[].timestamp" => "[timestamp]",
        ".notice.messages[].timestamp" => "[timestamp]",
        ".messages[].timestamp" => "[timestamp]",
        ".messages[].image.id" => "[media id]",
        ".messages[].image.sha256" => "[sha256]",
    });
}

#[tokio::test]
async fn bad_input_is_a_400_naming_what_is_wrong() {
    let sim = Sim::start().await;
    let own = id_of(&user_writes(&sim, json!({"text": "hi"})).await);
    let other = json!({"phone_number_id": READY_PHONE_ID, "from": "15551230002", "text": "yo"});
    let others = id_of(&sim.admin("POST", "/__admin/inbound", Some(other)).await);
    let tap = json!({"type": "button_reply", "button_reply": {"id": "b", "title": "B"}});
    for (body, says) in [
        (
            json!({"type": "location", "location": {"latitude": 1}}),
            "location.longitude",
        ),
        (
            json!({"type": "location", "location": {"latitude": 100, "longitude": 1}}),
            "-90..90",
        ),
        (json!({"type": "location"}), "\"location\" object"),
        (
            json!({"type": "poll", "poll": {}}),
            "\"type\" is text, image",
        ),
        (
            json!({"type": "contacts", "contacts": {"name": "x"}}),
            "non-empty array",
        ),
        (
            json!({"type": "contacts", "contacts": [{"phones": []}]}),
            "contacts[0]",
        ),
        (
            json!({"type": "reaction", "reaction": {"message_id": "wamid.nope", "emoji": "👍"}}),
            "\"reaction.message_id\" \"wamid.nope\" is no message",
        ),
        (
            json!({"type": "reaction", "reaction": {"message_id": others, "emoji": "👍"}}),
            "is no message of this number's conversation with 15551230001",
        ),
        (
            json!({"type": "reaction", "context": {"message_id": own},
                "reaction": {"message_id": own, "emoji": "👍"}}),
            "quotes nothing",
        ),
        (
            json!({"type": "interactive", "interactive": tap}),
            "needs \"context\"",
        ),
        (
            json!({"type": "interactive", "context": {"message_id": own}, "interactive": tap}),
            "answers one the business sent",
        ),
        (
            json!({"type": "button", "context": {"message_id": own}, "button": {"payload": "p"}}),
            "\"button.text\"",
        ),
        (
            json!({"text": "re", "context": {"message_id": "wamid.nope"}}),
            "\"context.message_id\" \"wamid.nope\" is no message",
        ),
        (
            json!({"text": "re", "context": "wamid.x"}),
            "\"context\" must be",
        ),
        (
            json!({"type": "image", "context": {"message_id": others}, "image": {}}),
            "is no message of this number's conversation",
        ),
        (
            json!({"type": "order", "order": {"catalog_id": "1", "product_items": [
                {"product_retailer_id": "a", "quantity": 0, "item_price": 1, "currency": "USD"}]}}),
            "\"order.product_items[0].quantity\"",
        ),
        (
            json!({"type": "order", "order": {"catalog_id": "1", "product_items": []}}),
            "\"order.product_items\" must be a non-empty array",
        ),
        (json!({"type": "order"}), "\"order\" object"),
        (
            json!({"type": "system", "system": {"body": "moved"}}),
            "\"system.wa_id\"",
        ),
        (
            json!({"type": "system", "system": {"wa_id": USER}}),
            "\"new_wa_id\": the new number is the one the user had",
        ),
        (
            json!({"type": "system", "context": {"message_id": own}, "system": {"wa_id": "1555"}}),
            "a system message quotes nothing",
        ),
        (
            json!({"type": "unsupported", "unsupported": {"type": 3}}),
            "\"unsupported.type\"",
        ),
        (
            json!({"text": "fwd", "forwarded": true, "context": {"message_id": own}}),
            "a forwarded message quotes nothing",
        ),
        (
            json!({"text": "fwd", "forwarded": true, "frequently_forwarded": true}),
            "not both",
        ),
        (
            json!({"text": "fwd", "forwarded": "yes"}),
            "\"forwarded\" must be true or false",
        ),
        (
            json!({"type": "reaction", "frequently_forwarded": true,
                   "reaction": {"message_id": own, "emoji": "👍"}}),
            "\"forwarded\": a reaction message is not forwarded",
        ),
        (
            json!({"type": "system", "forwarded": true, "system": {"wa_id": "1555"}}),
            "\"forwarded\": a system message is not forwarded",
        ),
    ] {
        let r = user_writes(&sim, body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text());
        let error = r.json()["error"].as_str().unwrap_or_default().to_string();
        assert!(error.contains(says), "{body}: {error}");
    }
    // None of them reached the webhook: only the two texts did.
    assert_eq!(told(&sim).await.len(), 2);
    let r = sim
        .admin(
            "POST",
            "/__admin/inbound",
            Some(
                json!({"phone_number_id": "1", "from": USER, "type": "location",
                        "location": {"latitude": 1, "longitude": 2}}),
            ),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text());
}
