//! Scripted faults over a real socket: sequences, throttling, dropped and damaged answers,
//! delays that stall one request only, seeded probabilities, and the control API.

mod common;

use common::{Sim, world};
use serde_json::{Value, json};

async fn add_fault(sim: &Sim, fault: Value) -> String {
    let r = sim.admin("POST", "/__admin/faults", Some(fault)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_string()
}

/// Starts the migration of the ready number and returns the destination phone-number id.
async fn start_migration(sim: &Sim) -> String {
    let r = sim.migrate(world::DEST_WABA, world::READY_NUMBER).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_string()
}

async fn request_code(sim: &Sim, id: &str) -> common::Reply {
    sim.post_form(
        &format!("/v23.0/{id}/request_code"),
        world::NEW_BSP,
        &[("code_method", "SMS"), ("language", "en_US")],
    )
    .await
}

#[tokio::test]
async fn fail_twice_then_succeed_and_the_world_is_untouched_meanwhile() {
    let sim = Sim::start().await;
    let id = start_migration(&sim).await;
    let fault = add_fault(
        &sim,
        json!({"match": {"facade": "graph", "operation": "request_code"}, "times": 2, "error": "too_many_code_requests"}),
    )
    .await;
    assert_eq!(fault, "fault-1");
    for _ in 0..2 {
        let r = request_code(&sim, &id).await;
        assert_eq!(r.status, 400);
        assert_eq!(r.json()["error"]["code"], 136024);
        assert!(r.header("x-fb-trace-id").is_some());
    }
    let codes = sim.admin("GET", "/__admin/codes", None).await.json();
    assert_eq!(
        codes["codes"],
        json!([]),
        "a fault answering instead sends no code"
    );
    let r = request_code(&sim, &id).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let list = sim.admin("GET", "/__admin/faults", None).await.json();
    assert_eq!(list["faults"][0]["id"], "fault-1");
    assert_eq!(list["faults"][0]["hits"], 2);
    assert_eq!(list["faults"][0]["seen"], 3);
    assert_eq!(list["faults"][0]["when"], "instead");
    // The journal records which answers the fault shaped.
    let journal = sim
        .admin("GET", "/__admin/requests?operation=request_code", None)
        .await
        .json();
    let faults: Vec<&Value> = journal["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["fault"])
        .collect();
    assert_eq!(faults, [&json!("fault-1"), &json!("fault-1"), &Value::Null]);
}

#[tokio::test]
async fn throttle_answers_80007_with_the_usage_header_at_100_percent() {
    let sim = Sim::start().await;
    add_fault(
        &sim,
        json!({"match": {"operation": "get_waba"}, "action": {"throttle": {"retry_after": "90s"}}}),
    )
    .await;
    let r = sim
        .get(&format!("/v23.0/{}", world::DEST_WABA), world::NEW_BSP)
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], 80007);
    let usage: Value =
        serde_json::from_str(r.header("x-business-use-case-usage").unwrap()).unwrap();
    let entry = &usage[world::DEST_WABA][0];
    assert_eq!(entry["call_count"], 100);
    assert_eq!(entry["estimated_time_to_regain_access"], 2);

    sim.admin("DELETE", "/__admin/faults", None).await;
    add_fault(&sim, json!({"throttle": {"code": 130429}})).await;
    let r = sim
        .get(&format!("/v23.0/{}", world::DEST_WABA), world::NEW_BSP)
        .await;
    assert_eq!(r.json()["error"]["code"], 130429);
    assert_eq!(r.json()["error"]["error_subcode"], 2494055);
}

#[tokio::test]
async fn a_connection_dropped_after_register_leaves_the_number_registered() {
    let sim = Sim::start().await;
    add_fault(
        &sim,
        json!({"match": {"operation": "register"}, "when": "after", "close": true, "times": 1}),
    )
    .await;
    let id = start_migration(&sim).await;
    assert_eq!(request_code(&sim, &id).await.status, 200);
    let code = sim.latest_code(&id).await;
    let r = sim
        .post_form(
            &format!("/v23.0/{id}/verify_code"),
            world::NEW_BSP,
            &[("code", &code)],
        )
        .await;
    assert_eq!(r.status, 200);
    let body = "messaging_product=whatsapp&pin=123456";
    let request = format!(
        "POST /v23.0/{id}/register HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n\r\n{body}",
        world::NEW_BSP,
        body.len()
    );
    let raw = common::raw_exchange(&sim, request.as_bytes()).await;
    assert_eq!(raw, "", "the connection closes without an answer");
    let r = sim
        .get(&format!("/v23.0/{id}?fields=status"), world::NEW_BSP)
        .await;
    assert_eq!(r.json()["status"], "CONNECTED", "the register went through");
    let list = sim.admin("GET", "/__admin/faults", None).await.json();
    assert_eq!(list["faults"][0]["hits"], 1);
}

#[tokio::test]
async fn truncated_and_garbage_bodies_follow_the_world() {
    let sim = Sim::start().await;
    add_fault(
        &sim,
        json!({"match": {"operation": "get_waba"}, "when": "after", "truncate": 10, "times": 1}),
    )
    .await;
    let request = format!(
        "GET /v23.0/{} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\n\r\n",
        world::DEST_WABA,
        world::NEW_BSP
    );
    let raw = common::raw_exchange(&sim, request.as_bytes()).await;
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("{raw:?}"));
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let announced: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(body.len(), 10);
    assert!(announced > 10, "the head promised {announced} bytes");

    add_fault(
        &sim,
        json!({"match": {"operation": "get_waba"}, "when": "after", "garbage": true, "times": 1}),
    )
    .await;
    let r = sim
        .get(&format!("/v23.0/{}", world::DEST_WABA), world::NEW_BSP)
        .await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_slice::<Value>(&r.body).is_err());
    // The conformance check (when WABASIM_META_OPENAPI is set) sees the garbage for what it
    // is, and nothing else.
    let (failures, _) = sim.conformance_failures();
    assert!(
        failures.iter().all(|f| f.ends_with("body is not JSON")) && failures.len() <= 1,
        "{failures:?}"
    );
}

#[tokio::test]
async fn a_raw_response_is_sent_as_written() {
    let sim = Sim::start().await;
    add_fault(
        &sim,
        json!({"response": {"status": 502, "body": "<html>Bad Gateway</html>", "headers": {"content-type": "text/html"}}}),
    )
    .await;
    let r = sim.get("/v23.0/200000000000002", world::NEW_BSP).await;
    assert_eq!(r.status, 502);
    assert_eq!(r.text(), "<html>Bad Gateway</html>");
    assert_eq!(r.header("content-type"), Some("text/html"));
    // A scripted proxy page is not Meta's envelope, on purpose (the conformance check, when
    // on, reports it and only it).
    let (failures, _) = sim.conformance_failures();
    assert!(failures.len() <= 1, "{failures:?}");
}

#[tokio::test]
async fn a_delayed_request_does_not_slow_other_requests_to_the_namespace() {
    let sim = std::sync::Arc::new(Sim::start().await);
    add_fault(
        &sim,
        json!({"match": {"operation": "get_phone_number", "id": "110000000000001"}, "delay": "10m"}),
    )
    .await;
    let slow = {
        let sim = sim.clone();
        tokio::spawn(async move { sim.get("/v23.0/110000000000001", world::NEW_BSP).await })
    };
    // The delayed request has reached the fault (it counted) before the others start.
    loop {
        let list = sim.admin("GET", "/__admin/faults", None).await.json();
        if list["faults"][0]["hits"] == 1 {
            break;
        }
        tokio::task::yield_now().await;
    }
    let others = async {
        let id = start_migration(&sim).await;
        assert_eq!(request_code(&sim, &id).await.status, 200);
        let r = sim
            .get(&format!("/v23.0/{}", world::DEST_WABA), world::NEW_BSP)
            .await;
        assert_eq!(r.status, 200);
        sim.admin("GET", "/__admin/state", None).await
    };
    // A generous bound: it only fails if the other requests wait for the 10-minute delay.
    let state = tokio::time::timeout(std::time::Duration::from_secs(60), others)
        .await
        .expect("other requests finish while one is delayed");
    assert_eq!(state.status, 200);
    assert!(!slow.is_finished(), "the delayed request is still waiting");
    slow.abort();
}

/// The outcomes of 40 GETs against a fault that fires with probability 0.5.
async fn probability_run() -> Vec<u16> {
    let sim = Sim::start().await;
    add_fault(
        &sim,
        json!({"match": {"operation": "get_waba"}, "probability": 0.5, "error": "service_unavailable"}),
    )
    .await;
    let mut out = Vec::new();
    for _ in 0..40 {
        out.push(
            sim.get(&format!("/v23.0/{}", world::DEST_WABA), world::NEW_BSP)
                .await
                .status,
        );
    }
    out
}

#[tokio::test]
async fn probability_gives_the_same_outcomes_for_the_same_seed() {
    let first = probability_run().await;
    let second = probability_run().await;
    assert_eq!(first, second);
    let failed = first.iter().filter(|s| **s == 503).count();
    assert!(
        failed > 5 && failed < 35,
        "{failed} of 40 failed: {first:?}"
    );
}

#[tokio::test]
async fn faults_are_scoped_to_their_namespace_and_removable() {
    let mut a = Sim::start().await;
    a.namespace = Some("a".into());
    add_fault(&a, json!({"id": "boom", "error": "internal_error"})).await;
    let r = a.get("/v23.0/200000000000002", world::NEW_BSP).await;
    assert_eq!(r.status, 500);
    a.namespace = Some("b".into());
    assert_eq!(
        a.get("/v23.0/200000000000002", world::NEW_BSP).await.status,
        200
    );
    a.namespace = Some("a".into());
    let r = a
        .admin(
            "POST",
            "/__admin/faults",
            Some(json!({"id": "boom", "close": true})),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("exists already")
    );
    let r = a.admin("DELETE", "/__admin/faults/nope", None).await;
    assert_eq!(r.status, 404);
    assert!(r.json()["error"].as_str().unwrap().contains("boom"));
    let r = a.admin("DELETE", "/__admin/faults/boom", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        a.get("/v23.0/200000000000002", world::NEW_BSP).await.status,
        200
    );
}

#[tokio::test]
async fn a_bad_fault_is_refused_with_the_reason() {
    let sim = Sim::start().await;
    for (fault, needle) in [
        (
            json!({"error": "no_such_error"}),
            "expected one of: access_token_missing",
        ),
        (
            json!({"match": {"operation": "x", "facade": "graph"}, "close": true}),
            "request_code",
        ),
        (
            json!({"match": {"facade": "graph"}, "boom": true}),
            "unknown field",
        ),
        (json!({"times": 1}), "no action"),
    ] {
        let r = sim.admin("POST", "/__admin/faults", Some(fault)).await;
        assert_eq!(r.status, 400);
        let e = r.json()["error"].as_str().unwrap().to_string();
        assert!(e.contains(needle), "{e}");
    }
}

#[tokio::test]
async fn fixture_upload_replaces_the_namespace_world_and_reset_returns_to_it() {
    let mut sim = Sim::start().await;
    sim.namespace = Some("upload".into());
    let fixture = r#"
seed: 3
clock: {start: "2026-03-01T00:00:00Z", frozen: true}
businesses: [{id: "100000000000009", name: Tiny}]
partners: [{id: bsp, name: BSP}]
apps: [{id: "300000000000009", partner: bsp, secret: s}]
tokens: [{token: tiny, partner: bsp, app: "300000000000009"}]
wabas:
  - id: "200000000000099"
    business: "100000000000009"
    partner: bsp
    subscribed_apps: ["300000000000009"]
faults:
  - {match: {operation: get_waba}, times: 1, error: service_unavailable}
"#;
    let r = sim
        .send(
            "POST",
            "/__admin/fixture",
            &[("content-type", "application/yaml")],
            fixture,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["loaded"]["faults"], 1);
    assert_eq!(sim.get("/v23.0/200000000000099", "tiny").await.status, 503);
    assert_eq!(sim.get("/v23.0/200000000000099", "tiny").await.status, 200);
    assert_eq!(
        sim.get("/v23.0/200000000000002", world::NEW_BSP)
            .await
            .status,
        401,
        "the default world is gone from this namespace"
    );
    sim.admin("POST", "/__admin/reset", None).await;
    assert_eq!(
        sim.get("/v23.0/200000000000099", "tiny").await.status,
        503,
        "reset restores the uploaded world and its faults"
    );
    sim.namespace = None;
    assert_eq!(
        sim.get("/v23.0/200000000000002", world::NEW_BSP)
            .await
            .status,
        200,
        "other namespaces keep their world"
    );

    sim.namespace = Some("upload".into());
    let bad = "wabas:\n  - id: \"200000000000099\"\n    business: \"100000000000404\"\n";
    let r = sim.send("POST", "/__admin/fixture", &[], bad).await;
    assert_eq!(r.status, 400);
    let body = r.json();
    assert_eq!(body["line"], 3);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .starts_with("<request body>:3:"),
        "{body}"
    );
    assert_eq!(
        sim.get("/v23.0/200000000000099", "tiny").await.status,
        200,
        "a refused upload leaves the world (and its spent fault) as it was"
    );
}

/// The registration errors no rule of the world produces (reference meta-graph.md §3.4,
/// §6.3) can be scripted by name, on register, and render with their codes.
#[tokio::test]
async fn registration_errors_can_be_scripted_by_name() {
    let sim = Sim::start().await;
    let expected = [
        ("pin_too_fast", 133009, None),
        ("deregistration_incomplete", 133000, None),
        ("recently_deleted", 133015, None),
        ("too_many_pin_attempts", 133008, None),
        ("cannot_create_certificate", 100, Some(2388001)),
    ];
    for (name, code, subcode) in expected {
        add_fault(
            &sim,
            json!({"match": {"operation": "register"}, "times": 1, "error": name}),
        )
        .await;
        let r = sim
            .post_json(
                "/v23.0/110000000000009/register",
                world::NEW_BSP,
                json!({"messaging_product": "whatsapp", "pin": "135790"}),
            )
            .await;
        assert_eq!(r.status, 400, "{name}: {}", r.text());
        let error = &r.json()["error"];
        assert_eq!(error["code"], code, "{name}: {error}");
        assert_eq!(error["error_subcode"].as_u64(), subcode, "{name}: {error}");
        if let Some(2388001) = subcode {
            assert_eq!(error["error_user_title"], "Cannot Create Certificate");
            assert_eq!(
                error["error_user_msg"],
                "Your display name could not be processed. Please edit your display name and try again."
            );
        }
    }
    // And through cams, in Alibaba's shape.
    add_fault(
        &sim,
        json!({"match": {"facade": "cams", "operation": "ChatappMigrationRegister"}, "times": 1, "error": "cannot_create_certificate"}),
    )
    .await;
    let r = sim
        .cams(
            "ChatappMigrationRegister",
            &[
                ("CustSpaceId", world::CAMS_SPACE),
                ("PhoneNumber", world::READY_E164),
            ],
        )
        .await;
    // Relayed as ChatApp relays Meta (alibaba-cams-errors.md H3), HTTP 400 (H1).
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["Code"], "ERR-FB-001");
    assert_eq!(
        r.json()["Message"],
        "Your display name could not be processed. Please edit your display name and try again."
    );
}
