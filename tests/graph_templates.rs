//! Message templates: the CRUD edges, their filters and errors (reference meta-graph.md §4.3,
//! §4.4, §6.5), and duplication at the destination's limit followed by
//! `migrate_message_templates` (§3.8, §5).

mod common;

use common::world::*;
use common::{Reply, Sim};
use serde_json::json;

const SMALL: &str = "200000000000009"; // template limit 3, one template already

fn snap(name: &str, r: &Reply) {
    let mut body = r.json();
    body["error"]["fbtrace_id"] = json!("[fbtrace_id]");
    insta::assert_json_snapshot!(name, json!({"status": r.status, "body": body}));
}

async fn names(sim: &Sim, waba: &str) -> Vec<String> {
    let r = sim
        .get(
            &format!("/v23.0/{waba}/message_templates?fields=name,language,status&limit=100"),
            NEW_BSP,
        )
        .await;
    let mut out: Vec<String> = r.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            format!(
                "{}/{}/{}",
                t["name"].as_str().unwrap(),
                t["language"].as_str().unwrap(),
                t["status"].as_str().unwrap()
            )
        })
        .collect();
    out.sort();
    out
}

async fn create(sim: &Sim, waba: &str, name: &str) -> Reply {
    sim.post_form(
        &format!("/v23.0/{waba}/message_templates"),
        NEW_BSP,
        &[
            ("name", name),
            ("language", "en_US"),
            ("category", "UTILITY"),
            (
                "components",
                r#"[{"type":"BODY","text":"Your order {{1}} shipped","example":{"body_text":[["42"]]}}]"#,
            ),
        ],
    )
    .await
}

#[tokio::test]
async fn a_migration_fills_a_small_destination_and_migrate_message_templates_copies_the_rest() {
    let sim = Sim::start().await;
    sim.migrate_fully(SMALL).await;
    // Room for two: the first eligible templates in source order were copied.
    assert_eq!(
        names(&sim, SMALL).await,
        vec![
            "hello_world/en_US/APPROVED",
            "order_update/en_US/APPROVED",
            "order_update/es/APPROVED",
        ]
    );
    let r = sim
        .get(
            &format!("/v23.0/{SMALL}/message_templates?summary=message_template_count,message_template_limit&limit=1"),
            NEW_BSP,
        )
        .await;
    assert_eq!(
        r.json()["summary"],
        json!({"message_template_count": 3, "message_template_limit": 3})
    );

    // At the limit, migrate_message_templates copies nothing and says why.
    let migrate = format!("/v23.0/{SMALL}/migrate_message_templates");
    let r = sim
        .post_form(&migrate, NEW_BSP, &[("source_waba_id", SOURCE_WABA)])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(body["migrated_templates"], json!([]));
    let failed = body["failed_templates"].as_array().unwrap();
    assert!(
        failed.contains(
            &json!({"id": "400000000000003", "reason": "Message template limit reached"})
        )
    );
    assert!(failed.contains(&json!({"id": "400000000000001", "reason": "Template already exists in the destination account"})));
    assert!(failed.contains(&json!({"id": "400000000000006", "reason": "Template quality is not high enough to migrate"})));
    assert!(
        failed.contains(&json!({"id": "400000000000008", "reason": "Template is not approved"}))
    );

    // Make room: a bad hsm_id deletes nothing; a name deletes every language.
    let r = sim
        .delete(
            &format!("/v23.0/{SMALL}/message_templates?name=order_update&hsm_id=nope"),
            NEW_BSP,
        )
        .await;
    assert_eq!(r.status, 400);
    let r = sim
        .delete(
            &format!("/v23.0/{SMALL}/message_templates?name=order_update"),
            NEW_BSP,
        )
        .await;
    assert_eq!(r.json(), json!({"success": true}));
    assert_eq!(names(&sim, SMALL).await, vec!["hello_world/en_US/APPROVED"]);
    // Room for two: copy just the ones asked for; UNKNOWN is eligible on this path.
    let r = sim
        .post_json(
            &migrate,
            NEW_BSP,
            json!({"source_waba_id": SOURCE_WABA, "template_ids": ["400000000000010", "400000000000003", "400000000000001"]}),
        )
        .await;
    assert_eq!(
        r.json(),
        json!({
            "migrated_templates": ["400000000000010", "400000000000003"],
            "failed_templates": [{"id": "400000000000001", "reason": "Message template limit reached"}]
        })
    );
    assert_eq!(
        names(&sim, SMALL).await,
        vec![
            "hello_world/en_US/APPROVED",
            "payment_reminder/en_US/APPROVED",
            "welcome_back/en_US/APPROVED",
        ]
    );
}

#[tokio::test]
async fn template_migration_is_same_business_only_and_validates_its_input() {
    let sim = Sim::start().await;
    let r = sim
        .post_form(
            "/v23.0/200000000000008/migrate_message_templates",
            NEW_BSP,
            &[("source_waba_id", SOURCE_WABA)],
        )
        .await;
    snap("migrate_templates_different_business", &r);
    let r = sim
        .post_form(
            &format!("/v23.0/{DEST_WABA}/migrate_message_templates"),
            NEW_BSP,
            &[("source_waba_id", SOURCE_WABA), ("count", "501")],
        )
        .await;
    assert_eq!(
        r.json()["error"]["message"],
        "(#100) Param count must be between 1 and 500"
    );
    let r = sim
        .post_form(
            &format!("/v23.0/{DEST_WABA}/migrate_message_templates"),
            NEW_BSP,
            &[],
        )
        .await;
    assert_eq!(
        r.json()["error"]["message"],
        "(#100) The parameter source_waba_id is required"
    );
}

#[tokio::test]
async fn creating_templates_pending_then_approved_with_limit_and_name_rules() {
    let sim = Sim::start().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let r = create(&sim, SMALL, "order_shipped").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(body["status"], "PENDING");
    assert_eq!(body["category"], "UTILITY");
    assert!(body["id"].is_string());
    // Reviewed after a minute of world time.
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"seconds": 60})),
    )
    .await;
    assert!(
        names(&sim, SMALL)
            .await
            .contains(&"order_shipped/en_US/APPROVED".to_string())
    );

    snap(
        "template_exists",
        &create(&sim, SMALL, "order_shipped").await,
    );
    snap(
        "template_name_invalid",
        &create(&sim, SMALL, "Order Shipped!").await,
    );
    assert_eq!(create(&sim, SMALL, "third_one").await.status, 200);
    snap(
        "template_limit_exceeded",
        &create(&sim, SMALL, "fourth_one").await,
    );

    // A deleted template frees its place.
    let r = sim
        .delete(
            &format!("/v23.0/{SMALL}/message_templates?name=third_one"),
            NEW_BSP,
        )
        .await;
    assert_eq!(r.json(), json!({"success": true}));
    assert_eq!(create(&sim, SMALL, "fourth_one").await.status, 200);
    let r = sim
        .delete(
            &format!("/v23.0/{SMALL}/message_templates?name=never_was"),
            NEW_BSP,
        )
        .await;
    snap("template_not_found", &r);
}

#[tokio::test]
async fn the_list_filters_work_in_both_client_styles() {
    let sim = Sim::start().await;
    let list =
        |q: &str| format!("/v23.0/{SOURCE_WABA}/message_templates?fields=name&limit=100&{q}");
    let count = |r: Reply| r.json()["data"].as_array().unwrap().len();
    assert_eq!(count(sim.get(&list("status=APPROVED"), OLD_BSP).await), 8);
    assert_eq!(
        count(sim.get(&list("status=PENDING,REJECTED"), OLD_BSP).await),
        2
    );
    assert_eq!(
        count(
            sim.get(&list("quality_score=%5B%22GREEN%22%5D"), OLD_BSP)
                .await
        ),
        5
    );
    assert_eq!(
        count(sim.get(&list("category=MARKETING"), OLD_BSP).await),
        5
    );
    assert_eq!(count(sim.get(&list("language=es"), OLD_BSP).await), 1);
    assert_eq!(count(sim.get(&list("name=ORDER"), OLD_BSP).await), 2);
    assert_eq!(
        count(sim.get(&list("content=message%20from"), OLD_BSP).await),
        10
    );
    assert_eq!(
        count(sim.get(&list("name_or_content=flash"), OLD_BSP).await),
        1
    );
    assert_eq!(count(sim.get(&list("since=2030-01-01"), OLD_BSP).await), 0);
    let r = sim
        .get(
            "/v23.0/400000000000001?fields=name,status,quality_score,category",
            OLD_BSP,
        )
        .await;
    assert_eq!(r.json()["quality_score"]["score"], "GREEN");
    assert_eq!(r.json()["name"], "order_update");
    // Another partner's template is not there.
    let r = sim.get("/v23.0/400000000000001", NEW_BSP).await;
    assert_eq!(r.json()["error"]["error_subcode"], 33);
}

/// reference meta-graph.md §2 ("eligible templates duplicated asynchronously") and §5
/// [OFF ESMIG] ("registration is instant but duplication takes time"): with
/// `settings.duplication_delay`, the copies and their status events come that much world time
/// after register.
#[tokio::test]
async fn duplication_can_lag_behind_register() {
    let text = wabasim::DEFAULT_FIXTURE
        .replace("seed: 7\n", "seed: 7\nsettings: {duplication_delay: 5m}\n");
    let fixture = wabasim::Fixture::parse(&text, "delayed").unwrap();
    let sim = Sim::with(
        wabasim::Simulator::start_with(wabasim::Options {
            fixture: Some(fixture),
            ..Default::default()
        })
        .await
        .unwrap(),
    );
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    sim.migrate_fully(DEST_WABA).await;
    // Registered, but only the destination's own template so far.
    assert_eq!(
        names(&sim, DEST_WABA).await,
        vec!["shipping_update/en_US/APPROVED"]
    );
    let status_events = |v: serde_json::Value| {
        v["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["field"] == "message_template_status_update")
            .map(|e| e["at"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let events = sim.admin("GET", "/__admin/events", None).await.json();
    assert!(status_events(events).is_empty());
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "4m 59s"})),
    )
    .await;
    assert_eq!(names(&sim, DEST_WABA).await.len(), 1);
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"seconds": 1})),
    )
    .await;
    assert_eq!(
        names(&sim, DEST_WABA).await,
        vec![
            "login_code/en_US/REJECTED",
            "order_update/en_US/APPROVED",
            "order_update/es/APPROVED",
            "payment_reminder/en_US/APPROVED",
            "shipping_update/en_US/APPROVED",
        ]
    );
    let at = status_events(sim.admin("GET", "/__admin/events", None).await.json());
    assert_eq!(at.len(), 4, "{at:?}");
    assert!(
        at.iter().all(|t| t.starts_with("2026-01-01T00:05:00")),
        "{at:?}"
    );
}

#[tokio::test]
async fn a_template_keeps_its_message_send_ttl() {
    let sim = Sim::start().await;
    let r = sim
        .post_form(
            &format!("/v23.0/{DEST_WABA}/message_templates"),
            NEW_BSP,
            &[
                ("name", "ttl_probe"),
                ("language", "en_US"),
                ("category", "UTILITY"),
                (
                    "components",
                    r#"[{"type":"BODY","text":"Your code is ready"}]"#,
                ),
                ("message_send_ttl_seconds", "600"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let r = sim
        .get(
            &format!("/v23.0/{id}?fields=message_send_ttl_seconds"),
            NEW_BSP,
        )
        .await;
    assert_eq!(r.json(), json!({"message_send_ttl_seconds": 600, "id": id}));
    let r = sim
        .post_form(
            &format!("/v23.0/{DEST_WABA}/message_templates"),
            NEW_BSP,
            &[
                ("name", "ttl_bad"),
                ("language", "en_US"),
                ("category", "UTILITY"),
                (
                    "components",
                    r#"[{"type":"BODY","text":"Your code is ready"}]"#,
                ),
                ("message_send_ttl_seconds", "soon"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], 100, "{}", r.text());
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("message_send_ttl_seconds"),
        "{}",
        r.text()
    );
}
