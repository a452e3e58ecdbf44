//! Message ids a later request names, over real sockets (issue 18; seed 002: "If both the
//! source and destination WABAs are on the Cloud API, uploaded media IDs and message IDs can
//! continue to be used"): a read receipt, a reply's `context` and a reaction on Graph and on
//! 360dialog's Messaging API, before and after a Cloud API → Cloud API migration. The
//! On-Premises case is the scenario `message_ids_across_cloud_to_cloud_and_on_premises_to_cloud`.

mod common;

use common::world::*;
use common::{Reply, Sim};
use serde_json::{Value, json};

const USER: &str = "15551230001";

async fn inbound(sim: &Sim, phone: &str) -> String {
    let body = json!({"phone_number_id": phone, "from": USER, "text": "hi"});
    let r = sim.admin("POST", "/__admin/inbound", Some(body)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["message_id"].as_str().unwrap().to_string()
}

async fn graph(sim: &Sim, phone: &str, token: &str, body: Value) -> Reply {
    sim.post_json(&format!("/v23.0/{phone}/messages"), token, body)
        .await
}

fn read(id: &str) -> Value {
    json!({"messaging_product": "whatsapp", "status": "read", "message_id": id})
}

fn reply(id: &str) -> Value {
    json!({"messaging_product": "whatsapp", "to": USER, "context": {"message_id": id},
           "type": "text", "text": {"body": "as you asked"}})
}

fn reaction(id: &str) -> Value {
    json!({"messaging_product": "whatsapp", "to": USER, "type": "reaction",
           "reaction": {"message_id": id, "emoji": "👍"}})
}

fn wamid(r: &Reply) -> String {
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["messages"][0]["id"].as_str().unwrap().to_string()
}

/// The error code of each `failed` status the world told for `id` (none if it did not fail).
/// The statuses the world told for message `id`, in order.
async fn statuses(sim: &Sim, id: &str) -> Vec<String> {
    let events = sim.admin("GET", "/__admin/events", None).await.json();
    let mut told = Vec::new();
    for e in events["events"].as_array().unwrap() {
        let value = &e["payload"]["entry"][0]["changes"][0]["value"];
        for s in value["statuses"].as_array().into_iter().flatten() {
            if s["id"] == id {
                told.push(s["status"].as_str().unwrap_or_default().to_string());
            }
        }
    }
    told
}

async fn failures(sim: &Sim, id: &str) -> Vec<i64> {
    let events = sim.admin("GET", "/__admin/events", None).await.json();
    let mut codes = Vec::new();
    for e in events["events"].as_array().unwrap() {
        let value = &e["payload"]["entry"][0]["changes"][0]["value"];
        for s in value["statuses"].as_array().into_iter().flatten() {
            if s["id"] == id && s["status"] == "failed" {
                codes.push(s["errors"][0]["code"].as_i64().unwrap_or_default());
            }
        }
    }
    codes
}

#[tokio::test]
async fn ids_from_before_a_cloud_to_cloud_migration_work_on_the_destination() {
    let sim = Sim::start().await;
    let got = inbound(&sim, READY_PHONE_ID).await;
    let sent = wamid(&graph(&sim, READY_PHONE_ID, OLD_BSP, reply(&got)).await);
    // The sender's own message is not one it can mark read (Meta's guide).
    let r = graph(&sim, READY_PHONE_ID, OLD_BSP, read(&sent)).await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_i64()),
        (400, Some(100))
    );

    let dest = sim.migrate_fully(DEST_WABA).await;
    let r = graph(&sim, &dest, NEW_BSP, read(&got)).await;
    assert_eq!(
        (r.status, r.json()),
        (200, json!({"success": true})),
        "{}",
        r.text()
    );
    let quoted = wamid(&graph(&sim, &dest, NEW_BSP, reply(&sent)).await);
    let liked = wamid(&graph(&sim, &dest, NEW_BSP, reaction(&sent)).await);
    let lost = wamid(&graph(&sim, &dest, NEW_BSP, reaction("wamid.never-issued")).await);
    assert_eq!(failures(&sim, &quoted).await, Vec::<i64>::new());
    assert_eq!(failures(&sim, &liked).await, Vec::<i64>::new());
    // An id nobody issued: 200, then `failed` with 131009 (Meta's reaction page).
    assert_eq!(failures(&sim, &lost).await, [131009]);
    // A minute on, the reply is delivered and read; the reaction was told `sent` only.
    let r = sim
        .admin(
            "POST",
            "/__admin/clock/advance",
            Some(json!({"duration": "1m"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(statuses(&sim, &quoted).await, ["sent", "delivered", "read"]);
    assert_eq!(statuses(&sim, &liked).await, ["sent"]);
}

/// 360dialog's `/messages` and .NET's `PUT /messages/{wamid}` make the same world calls.
#[tokio::test]
async fn the_360dialog_messaging_api_resolves_ids_as_graph_does() {
    let sim = Sim::start().await;
    let got = inbound(&sim, "110000000000012").await;
    let call = |method: &'static str, path: String, body: Value| {
        let sim = &sim;
        async move {
            let headers = [
                ("d360-api-key", "wabasim-d360-channel"),
                ("content-type", "application/json"),
            ];
            sim.send_exact(method, &path, &headers, body.to_string())
                .await
        }
    };
    let r = call("PUT", format!("/messages/{got}"), json!({"status": "read"})).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = call(
        "PUT",
        "/messages/wamid.unknown".into(),
        json!({"status": "read"}),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_i64()),
        (400, Some(100)),
        "{}",
        r.text()
    );
    let r = call("POST", "/messages".into(), read("wamid.unknown")).await;
    assert_eq!(r.status, 400, "{}", r.text());
    let liked = wamid(&call("POST", "/messages".into(), reaction(&got)).await);
    let lost = wamid(&call("POST", "/messages".into(), reaction("wamid.unknown")).await);
    assert_eq!(failures(&sim, &liked).await, Vec::<i64>::new());
    assert_eq!(failures(&sim, &lost).await, [131009]);
}
