//! Every migration precondition and code rule (reference meta-graph.md §2.1, §3, §6), each
//! with its exact Graph error (status + body snapshot) and its fixed counterpart succeeding.

mod common;

use common::world::*;
use common::{Reply, Sim};
use serde_json::json;
use wabasim::Duration;
use wabasim::world::World;

/// Snapshots an error reply: status and body, with the trace id made stable.
fn snap(name: &str, r: &Reply) {
    let mut body = r.json();
    // graph-fidelity-review.md row 9: the body's id is x-fb-request-id's (choice), never
    // x-fb-trace-id's, which is 11 characters.
    assert_eq!(
        body["error"]["fbtrace_id"].as_str(),
        r.header("x-fb-request-id"),
        "the body's fbtrace_id is the x-fb-request-id header"
    );
    assert_eq!(r.header("x-fb-trace-id").map(str::len), Some(11));
    assert_ne!(
        body["error"]["fbtrace_id"].as_str(),
        r.header("x-fb-trace-id")
    );
    body["error"]["fbtrace_id"] = json!("[fbtrace_id]");
    insta::assert_json_snapshot!(name, json!({"status": r.status, "body": body}));
}

/// Changes the default namespace's world directly (the "fix" of a precondition).
fn fix(sim: &Sim, f: impl FnOnce(&mut World)) {
    sim.sim.scope().raw().with_world(f);
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

// --- limits that belong to the number ---------------------------------------------------

/// reference meta-graph.md §3.4 [OFF REG]: "10 register requests per number per 72-hour
/// moving window → 133016, number blocked 72 h". A new migration record of the same number
/// (here a second destination) shares the count and the block.
#[tokio::test]
async fn the_registration_limit_belongs_to_the_number_not_its_record() {
    let sim = Sim::start().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let first = pending(&sim).await;
    for i in 0..10 {
        let r = register(&sim, &first, "123456").await;
        assert_eq!(r.json()["error"]["code"], 133006, "attempt {i}");
    }
    assert_eq!(
        register(&sim, &first, "123456").await.json()["error"]["code"],
        133016
    );
    // The same number, started into another destination: a new record, the same block.
    let second = sim.migrate("200000000000009", READY_NUMBER).await.json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(second, first);
    request_code(&sim, &second).await;
    let code = sim.latest_code(&second).await;
    assert_eq!(verify(&sim, &second, &code).await.status, 200);
    let r = register(&sim, &second, "123456").await;
    let details = r.json()["error"]["error_data"]["details"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        details.ends_with("Try again after 2026-01-04T00:00:00Z."),
        "{details}"
    );
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "72h"})),
    )
    .await;
    assert_eq!(
        register(&sim, &second, "123456").await.json(),
        json!({"success": true})
    );
}

/// reference meta-graph.md §6.3 133008 ("too many PIN guesses (retry time in details)",
/// after repeated 133005); the figures are wabasim's (`settings.max_pin_attempts` 5,
/// `pin_attempt_window` 1 h, `pin_lock` 1 h).
#[tokio::test]
async fn five_wrong_pins_lock_the_number_for_an_hour() {
    let sim = Sim::start().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let id = "110000000000009"; // on the destination, two-step PIN 135790
    let path = format!("/v23.0/{id}/deregister");
    let deregister = || sim.post_form(&path, NEW_BSP, &[]);
    // A right PIN forgets the wrong ones: four wrong, a right one, then one more wrong is
    // still only a mismatch.
    deregister().await;
    for _ in 0..4 {
        assert_eq!(
            register(&sim, id, "000000").await.json()["error"]["code"],
            133005
        );
    }
    assert_eq!(
        register(&sim, id, "135790").await.json(),
        json!({"success": true})
    );
    deregister().await;
    assert_eq!(
        register(&sim, id, "000000").await.json()["error"]["code"],
        133005
    );
    assert_eq!(
        register(&sim, id, "135790").await.json(),
        json!({"success": true})
    );
    // Past the register/deregister window (10 attempts so far), five wrong PINs in a row.
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "72h"})),
    )
    .await;
    deregister().await;
    for i in 0..5 {
        let r = register(&sim, id, "000000").await;
        assert_eq!(r.json()["error"]["code"], 133005, "guess {i}");
    }
    // Locked: even the right PIN is refused until the hour has passed.
    let r = register(&sim, id, "135790").await;
    let details = r.json()["error"]["error_data"]["details"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        details.ends_with("Try again after 2026-01-04T01:00:00Z."),
        "{details}"
    );
    snap("too_many_pin_attempts", &r);
    let state = sim.admin("GET", "/__admin/state", None).await.json();
    let dest = state["wabas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == DEST_WABA)
        .unwrap()
        .clone();
    assert_eq!(
        dest["phone_numbers"][0]["pin_locked_until"],
        "2026-01-04T01:00:00Z"
    );
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "59m"})),
    )
    .await;
    assert_eq!(
        register(&sim, id, "135790").await.json()["error"]["code"],
        133008
    );
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "1m"})),
    )
    .await;
    assert_eq!(
        register(&sim, id, "135790").await.json(),
        json!({"success": true})
    );
}

// --- records that are no longer the number's ---------------------------------------------

async fn alibaba_migrates(sim: &Sim) -> String {
    let r = sim
        .post_form(
            &format!("/v23.0/{ALIBABA_WABA}/phone_numbers"),
            ALIBABA_TOKEN,
            &[
                ("cc", "1"),
                ("phone_number", READY_NUMBER),
                ("migrate_phone_number", "true"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_string()
}

/// A second destination supersedes an open migration (README behaviour table): the first
/// destination's record ends DELETED, stays readable, answers the flow calls as a number
/// that is not being migrated (§6.4 2388091/2388093, §6.3 133010) and leaves the lists. The
/// verification made for it carries over to the new attempt (alibaba-cams.md §7.1).
#[tokio::test]
async fn a_superseded_migration_leaves_a_deleted_record() {
    let sim = Sim::start().await;
    let first = pending(&sim).await;
    request_code(&sim, &first).await;
    let code = sim.latest_code(&first).await;
    assert_eq!(verify(&sim, &first, &code).await.status, 200);
    let second = alibaba_migrates(&sim).await;
    assert_ne!(second, first);

    let r = sim
        .get(&format!("/v23.0/{first}?fields=id,status"), NEW_BSP)
        .await;
    assert_eq!(r.json(), json!({"id": first, "status": "DELETED"}));
    let r = request_code(&sim, &first).await;
    assert_eq!(r.json()["error"]["error_subcode"], 2388091, "{}", r.text());
    let r = verify(&sim, &first, &code).await;
    assert_eq!(r.json()["error"]["error_subcode"], 2388093, "{}", r.text());
    let r = register(&sim, &first, "123456").await;
    snap("register_on_a_superseded_record", &r);
    let r = sim
        .post_json(
            &format!("/v23.0/{first}"),
            NEW_BSP,
            json!({"pin": "111111"}),
        )
        .await;
    assert_eq!(r.json()["error"]["code"], 133010, "{}", r.text());
    let listed = sim
        .get(
            &format!("/v23.0/{DEST_WABA}/phone_numbers?fields=id"),
            NEW_BSP,
        )
        .await
        .json();
    assert!(
        !listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == first.as_str()),
        "{listed}"
    );
    // Still nobody else's: Alibaba cannot read New BSP's record.
    let r = sim.get(&format!("/v23.0/{first}"), ALIBABA_TOKEN).await;
    assert_eq!(r.json()["error"]["error_subcode"], 33);

    // The new attempt starts with the verification made for the superseded one.
    let r = sim
        .get(
            &format!("/v23.0/{second}?fields=code_verification_status"),
            ALIBABA_TOKEN,
        )
        .await;
    assert_eq!(r.json()["code_verification_status"], "VERIFIED");
    let r = sim
        .post_json(
            &format!("/v23.0/{second}/register"),
            ALIBABA_TOKEN,
            json!({"messaging_product": "whatsapp", "pin": "123456"}),
        )
        .await;
    assert_eq!(r.json(), json!({"success": true}));
}

/// reference meta-graph.md §6.3 133010: a PIN on a record the number has left answers like
/// register and deregister there.
#[tokio::test]
async fn a_pin_on_a_migrated_record_answers_not_registered() {
    let sim = Sim::start().await;
    sim.migrate_fully(DEST_WABA).await;
    let r = sim
        .post_json(
            &format!("/v23.0/{READY_PHONE_ID}"),
            OLD_BSP,
            json!({"pin": "111111"}),
        )
        .await;
    snap("pin_on_a_migrated_record", &r);
    let r = sim
        .get(
            &format!("/v23.0/{READY_PHONE_ID}?fields=status,is_pin_enabled"),
            OLD_BSP,
        )
        .await;
    assert_eq!(r.json()["status"], "MIGRATED");
    assert_ne!(r.json()["is_pin_enabled"], true);
}

fn keep_id_sim_options() -> wabasim::Options {
    let text = wabasim::DEFAULT_FIXTURE.replace(
        "seed: 7\n",
        "seed: 7\nsettings: {migration_keeps_phone_id: true}\n",
    );
    wabasim::Options {
        fixture: Some(wabasim::Fixture::parse(&text, "keep-id").unwrap()),
        ..Default::default()
    }
}

/// The "already verified" rule does not depend on `migration_keeps_phone_id` (alibaba-cams.md
/// §7.1; meta-graph.md §2.3 [INF]): the fixture's verification of the registered number does
/// not count, a verification made for an earlier attempt does.
#[tokio::test]
async fn keeping_the_id_does_not_keep_the_fixture_verification() {
    let sim = Sim::with(
        wabasim::Simulator::start_with(keep_id_sim_options())
            .await
            .unwrap(),
    );
    let id = pending(&sim).await;
    assert_eq!(id, READY_PHONE_ID);
    let r = sim
        .get(
            &format!("/v23.0/{id}?fields=code_verification_status"),
            NEW_BSP,
        )
        .await;
    assert_eq!(r.json()["code_verification_status"], "NOT_VERIFIED");
    assert_eq!(
        register(&sim, &id, "123456").await.json()["error"]["code"],
        133006
    );
    request_code(&sim, &id).await;
    let code = sim.latest_code(&id).await;
    assert_eq!(verify(&sim, &id, &code).await.status, 200);
    // Alibaba's attempt supersedes New BSP's, on the same record, and starts verified.
    let second = alibaba_migrates(&sim).await;
    assert_eq!(second, READY_PHONE_ID);
    let r = sim
        .get(
            &format!("/v23.0/{second}?fields=code_verification_status"),
            ALIBABA_TOKEN,
        )
        .await;
    assert_eq!(r.json()["code_verification_status"], "VERIFIED");
}
