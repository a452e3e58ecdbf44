//! Every migration precondition and code rule (reference meta-graph.md §2.1, §3, §6), each
//! with its exact Graph error (status + body snapshot) and its fixed counterpart succeeding.

mod common;

use common::world::*;
use common::{Reply, Sim};
use serde_json::json;
use wabasim::clock::Duration;
use wabasim::world::World;

/// Snapshots an error reply: status and body, with the trace id made stable.
fn snap(name: &str, r: &Reply) {
    let mut body = r.json();
    assert_eq!(
        body["error"]["fbtrace_id"].as_str(),
        r.header("x-fb-trace-id"),
        "the body's fbtrace_id is the x-fb-trace-id header"
    );
    body["error"]["fbtrace_id"] = json!("[fbtrace_id]");
    insta::assert_json_snapshot!(name, json!({"status": r.status, "body": body}));
}

/// Changes the default namespace's world directly (the "fix" of a precondition).
fn fix(sim: &Sim, f: impl FnOnce(&mut World)) {
    let ns = sim.sim.shared().registry.get(None).unwrap();
    ns.with_world(f);
}

fn phone_id(n: &str) -> u64 {
    n.parse().unwrap()
}

async fn expect_migrates(sim: &Sim, waba: &str, number: &str) {
    let r = sim.migrate(waba, number).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.json()["id"].is_string());
}

#[tokio::test]
async fn two_step_verification_still_on() {
    let sim = Sim::start().await;
    let r = sim.migrate(DEST_WABA, "5550100002").await;
    snap("two_step_verification_still_on", &r);
    fix(&sim, |w| {
        w.phones.get_mut(&phone_id("110000000000002")).unwrap().pin = None
    });
    expect_migrates(&sim, DEST_WABA, "5550100002").await;
}

#[tokio::test]
async fn display_name_not_approved() {
    let sim = Sim::start().await;
    let r = sim.migrate(DEST_WABA, "5550100003").await;
    snap("display_name_declined", &r);
    fix(&sim, |w| {
        w.phones
            .get_mut(&phone_id("110000000000003"))
            .unwrap()
            .name_status = wabasim::world::vocab::NameStatus::Approved
    });
    expect_migrates(&sim, DEST_WABA, "5550100003").await;
}

#[tokio::test]
async fn display_name_change_pending() {
    let sim = Sim::start().await;
    let r = sim.migrate(DEST_WABA, "5550100004").await;
    snap("display_name_change_pending", &r);
    fix(&sim, |w| {
        w.phones
            .get_mut(&phone_id("110000000000004"))
            .unwrap()
            .new_name_status = None
    });
    expect_migrates(&sim, DEST_WABA, "5550100004").await;
}

#[tokio::test]
async fn meta_test_number() {
    let sim = Sim::start().await;
    let r = sim.migrate(DEST_WABA, "5550100005").await;
    snap("meta_test_number", &r);
    fix(&sim, |w| {
        w.phones.get_mut(&phone_id("110000000000005")).unwrap().kind =
            wabasim::world::vocab::PhoneKind::BusinessApi
    });
    expect_migrates(&sim, DEST_WABA, "5550100005").await;
}

#[tokio::test]
async fn business_app_number() {
    let sim = Sim::start().await;
    let r = sim.migrate(DEST_WABA, "5550100006").await;
    snap("business_app_number", &r);
    fix(&sim, |w| {
        w.phones.get_mut(&phone_id("110000000000006")).unwrap().kind =
            wabasim::world::vocab::PhoneKind::BusinessApi
    });
    expect_migrates(&sim, DEST_WABA, "5550100006").await;
}

#[tokio::test]
async fn source_waba_not_approved() {
    let sim = Sim::start().await;
    let r = sim.migrate(DEST_WABA, "5550100007").await;
    snap("source_waba_not_approved", &r);
    fix(&sim, |w| {
        w.wabas.get_mut(&200000000000003).unwrap().review =
            wabasim::world::vocab::ReviewStatus::Approved
    });
    expect_migrates(&sim, DEST_WABA, "5550100007").await;
}

#[tokio::test]
async fn source_business_not_verified() {
    let sim = Sim::start().await;
    let r = sim.migrate("200000000000010", "5550100008").await;
    snap("source_business_not_verified", &r);
    fix(&sim, |w| {
        w.businesses.get_mut(&100000000000003).unwrap().verification =
            wabasim::world::vocab::VerificationStatus::Verified
    });
    expect_migrates(&sim, "200000000000010", "5550100008").await;
}

#[tokio::test]
async fn destination_without_payment_method() {
    let sim = Sim::start().await;
    let r = sim.migrate("200000000000005", READY_NUMBER).await;
    snap("destination_without_payment_method", &r);
    fix(&sim, |w| {
        w.wabas.get_mut(&200000000000005).unwrap().payment_method = true
    });
    expect_migrates(&sim, "200000000000005", READY_NUMBER).await;
}

#[tokio::test]
async fn destination_without_subscribed_app() {
    let sim = Sim::start().await;
    let r = sim.migrate("200000000000006", READY_NUMBER).await;
    snap("destination_without_subscribed_app", &r);
    // The fix is an API call, as in real life.
    let r = sim
        .post_form("/v23.0/200000000000006/subscribed_apps", NEW_BSP, &[])
        .await;
    assert_eq!(r.json(), json!({"success": true}));
    expect_migrates(&sim, "200000000000006", READY_NUMBER).await;
}

#[tokio::test]
async fn destination_not_approved() {
    let sim = Sim::start().await;
    let r = sim.migrate("200000000000007", READY_NUMBER).await;
    snap("destination_not_approved", &r);
    fix(&sim, |w| {
        w.wabas.get_mut(&200000000000007).unwrap().review =
            wabasim::world::vocab::ReviewStatus::Approved
    });
    expect_migrates(&sim, "200000000000007", READY_NUMBER).await;
}

#[tokio::test]
async fn different_business() {
    let sim = Sim::start().await;
    let r = sim.migrate("200000000000008", READY_NUMBER).await;
    snap("different_business", &r);
    fix(&sim, |w| {
        w.wabas.get_mut(&200000000000008).unwrap().business = 100000000000001
    });
    expect_migrates(&sim, "200000000000008", READY_NUMBER).await;
}

#[tokio::test]
async fn number_already_on_destination() {
    let sim = Sim::start().await;
    let r = sim.migrate(DEST_WABA, "5550100009").await;
    snap("number_already_on_destination", &r);
    // The same number moves into another of Acme's WABAs once two-step is off.
    fix(&sim, |w| {
        w.phones.get_mut(&phone_id("110000000000009")).unwrap().pin = None
    });
    expect_migrates(&sim, "200000000000009", "5550100009").await;
}

#[tokio::test]
async fn number_not_registered_anywhere() {
    let sim = Sim::start().await;
    let r = sim.migrate(DEST_WABA, "5550100099").await;
    snap("number_not_registered", &r);
    // It can be added instead.
    let r = sim
        .post_form(
            &format!("/v23.0/{DEST_WABA}/phone_numbers"),
            NEW_BSP,
            &[
                ("cc", "1"),
                ("phone_number", "5550100099"),
                ("verified_name", "Acme New"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

// --- code rules --------------------------------------------------------------------------

#[tokio::test]
async fn codes_for_a_number_that_is_not_being_migrated() {
    let sim = Sim::start().await;
    let registered = "110000000000009";
    let r = sim
        .post_form(
            &format!("/v23.0/{registered}/request_code"),
            NEW_BSP,
            &[("code_method", "SMS"), ("language", "en_US")],
        )
        .await;
    snap("request_code_not_being_migrated", &r);
    let r = sim
        .post_form(
            &format!("/v23.0/{registered}/verify_code"),
            NEW_BSP,
            &[("code", "123456")],
        )
        .await;
    snap("verify_code_not_being_migrated", &r);
    // A number being migrated gets its code.
    let id = sim.migrate(DEST_WABA, READY_NUMBER).await.json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = sim
        .post_form(
            &format!("/v23.0/{id}/request_code"),
            NEW_BSP,
            &[("code_method", "VOICE"), ("language", "en")],
        )
        .await;
    assert_eq!(r.json(), json!({"success": true}));
    let codes = sim.admin("GET", "/__admin/codes", None).await.json();
    assert_eq!(codes["codes"][0]["method"], "VOICE");
    assert_eq!(codes["codes"][0]["language"], "en");
    assert_eq!(codes["codes"][0]["phone_number"], "15550100001");
    assert_eq!(codes["codes"][0]["code"].as_str().unwrap().len(), 6);
}

async fn pending(sim: &Sim) -> String {
    sim.migrate(DEST_WABA, READY_NUMBER).await.json()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn request_code(sim: &Sim, id: &str) -> Reply {
    sim.post_form(
        &format!("/v23.0/{id}/request_code"),
        NEW_BSP,
        &[("code_method", "SMS"), ("language", "en_US")],
    )
    .await
}

async fn verify(sim: &Sim, id: &str, code: &str) -> Reply {
    sim.post_form(
        &format!("/v23.0/{id}/verify_code"),
        NEW_BSP,
        &[("code", code)],
    )
    .await
}

async fn register(sim: &Sim, id: &str, pin: &str) -> Reply {
    sim.post_json(
        &format!("/v23.0/{id}/register"),
        NEW_BSP,
        json!({"messaging_product": "whatsapp", "pin": pin}),
    )
    .await
}

#[tokio::test]
async fn a_wrong_code() {
    let sim = Sim::start().await;
    let id = pending(&sim).await;
    request_code(&sim, &id).await;
    let code = sim.latest_code(&id).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = verify(&sim, &id, wrong).await;
    snap("wrong_code", &r);
    let r = verify(&sim, &id, &code).await;
    assert_eq!(r.json(), json!({"success": true}));
    // A code works once.
    let r = verify(&sim, &id, &code).await;
    assert_eq!(r.json()["error"]["code"], 136025);
}

#[tokio::test]
async fn an_expired_code_is_wrong() {
    let sim = Sim::start().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let id = pending(&sim).await;
    request_code(&sim, &id).await;
    let code = sim.latest_code(&id).await;
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "11m"})),
    )
    .await;
    assert_eq!(
        verify(&sim, &id, &code).await.json()["error"]["code"],
        136025
    );
    request_code(&sim, &id).await;
    let code = sim.latest_code(&id).await;
    assert_eq!(
        verify(&sim, &id, &code).await.json(),
        json!({"success": true})
    );
}

#[tokio::test]
async fn too_many_code_requests() {
    let sim = Sim::start().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let id = pending(&sim).await;
    for _ in 0..5 {
        assert_eq!(request_code(&sim, &id).await.status, 200);
    }
    let r = request_code(&sim, &id).await;
    snap("too_many_code_requests", &r);
    // An hour later the window has passed.
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "1h"})),
    )
    .await;
    assert_eq!(
        request_code(&sim, &id).await.json(),
        json!({"success": true})
    );
}

#[tokio::test]
async fn register_before_verify_code() {
    let sim = Sim::start().await;
    let id = pending(&sim).await;
    let r = register(&sim, &id, "123456").await;
    snap("register_before_verify", &r);
    request_code(&sim, &id).await;
    let code = sim.latest_code(&id).await;
    verify(&sim, &id, &code).await;
    assert_eq!(
        register(&sim, &id, "123456").await.json(),
        json!({"success": true})
    );
}

#[tokio::test]
async fn a_verification_is_valid_for_14_days() {
    let sim = Sim::start().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let id = pending(&sim).await;
    request_code(&sim, &id).await;
    let code = sim.latest_code(&id).await;
    verify(&sim, &id, &code).await;
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "14d"})),
    )
    .await;
    let status = sim
        .get(
            &format!("/v23.0/{id}?fields=code_verification_status"),
            NEW_BSP,
        )
        .await;
    assert_eq!(status.json()["code_verification_status"], "VERIFIED");
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"seconds": 1})),
    )
    .await;
    let status = sim
        .get(
            &format!("/v23.0/{id}?fields=code_verification_status"),
            NEW_BSP,
        )
        .await;
    assert_eq!(status.json()["code_verification_status"], "EXPIRED");
    let r = register(&sim, &id, "123456").await;
    snap("register_after_verification_expired", &r);
    // Verifying again makes it registrable.
    request_code(&sim, &id).await;
    let code = sim.latest_code(&id).await;
    verify(&sim, &id, &code).await;
    assert_eq!(
        register(&sim, &id, "123456").await.json(),
        json!({"success": true})
    );
}

#[tokio::test]
async fn pin_mismatch_while_two_step_is_on() {
    let sim = Sim::start().await;
    let id = "110000000000009"; // on the destination, two-step PIN 135790
    let r = sim
        .post_form(&format!("/v23.0/{id}/deregister"), NEW_BSP, &[])
        .await;
    assert_eq!(r.json(), json!({"success": true}));
    let r = register(&sim, id, "000000").await;
    snap("pin_mismatch", &r);
    assert_eq!(
        register(&sim, id, "135790").await.json(),
        json!({"success": true})
    );
    // Setting a new PIN changes what register expects.
    let r = sim
        .post_json(&format!("/v23.0/{id}"), NEW_BSP, json!({"pin": "222222"}))
        .await;
    assert_eq!(r.json(), json!({"success": true}));
    assert_eq!(
        register(&sim, id, "135790").await.json()["error"]["code"],
        133005
    );
    assert_eq!(
        register(&sim, id, "222222").await.json(),
        json!({"success": true})
    );
}

#[tokio::test]
async fn more_than_ten_registrations_in_72_hours_block_the_number() {
    let sim = Sim::start().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let id = "110000000000009";
    for i in 0..10 {
        let r = if i % 2 == 0 {
            sim.post_form(&format!("/v23.0/{id}/deregister"), NEW_BSP, &[])
                .await
        } else {
            register(&sim, id, "135790").await
        };
        assert_eq!(r.status, 200, "call {i}: {}", r.text());
    }
    let r = register(&sim, id, "135790").await;
    let mut body = r.json();
    let details = body["error"]["error_data"]["details"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        details.ends_with("Try again after 2026-01-04T00:00:00Z."),
        "{details}"
    );
    body["error"]["fbtrace_id"] = json!("[fbtrace_id]");
    insta::assert_json_snapshot!(
        "too_many_registrations",
        json!({"status": r.status, "body": body})
    );
    // Blocked for 72 hours, whatever the call.
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "71h"})),
    )
    .await;
    assert_eq!(
        register(&sim, id, "135790").await.json()["error"]["code"],
        133016
    );
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "1h"})),
    )
    .await;
    assert_eq!(
        register(&sim, id, "135790").await.json(),
        json!({"success": true})
    );
}

// --- ownership and tokens -------------------------------------------------------------

#[tokio::test]
async fn a_foreign_waba_is_answered_like_a_missing_one() {
    let sim = Sim::start().await;
    let r = sim
        .get(&format!("/v23.0/{SOURCE_WABA}/phone_numbers"), NEW_BSP)
        .await;
    snap("foreign_waba", &r);
    let missing = sim
        .get("/v23.0/299999999999999/phone_numbers", NEW_BSP)
        .await;
    assert_eq!(
        missing.json()["error"]["message"].as_str().unwrap(),
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .replace(SOURCE_WABA, "299999999999999")
    );
    // The owner sees it.
    let r = sim
        .get(&format!("/v23.0/{SOURCE_WABA}/phone_numbers"), OLD_BSP)
        .await;
    assert_eq!(r.status, 200);
    // A POST says "post".
    let r = sim
        .post_form(&format!("/v23.0/{READY_PHONE_ID}/register"), NEW_BSP, &[])
        .await;
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Unsupported post request.")
    );
}

#[tokio::test]
async fn token_errors() {
    let sim = Sim::start().await;
    let path = format!("/v23.0/{DEST_WABA}");
    let r = sim.send("GET", &path, &[], "").await;
    snap("token_missing", &r);
    let r = sim.get(&path, "not-a-token").await;
    snap("token_invalid", &r);
    assert!(
        r.header("www-authenticate")
            .unwrap()
            .contains("invalid_token")
    );
    let r = sim
        .send("GET", &path, &[("authorization", "Bearer ")], "")
        .await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_i64()),
        (401, Some(190))
    );
    let r = sim.get(&path, "wabasim-expired").await;
    snap("token_expired", &r);
    let r = sim.get(&path, "wabasim-no-scope").await;
    snap("scope_missing", &r);
    assert_eq!(sim.get(&path, NEW_BSP).await.status, 200);
}

#[test]
fn durations_in_rules_match_the_readme() {
    let s = wabasim::world::Settings::default();
    assert_eq!(s.verification_validity, Duration::days(14));
    assert_eq!(s.registration_window, Duration::hours(72));
    assert_eq!(s.max_registrations, 10);
}
