//! Embedded Signup over a real socket (reference meta-graph.md §9.1): the popup played through
//! `POST /__admin/embedded_signup`, then the partner's onboarding calls on Graph, for a new
//! number and for a number migrated from another BSP; the code's refusals; the popup's
//! CANCEL and ERROR outcomes.

mod common;

use std::net::SocketAddr;

use common::Sim;
use common::receiver::Receiver;
use common::world::*;
use serde_json::{Value, json};

const NEW_BSP_APP: &str = "300000000000002";
const NEW_BSP_SECRET: &str = "new-bsp-app-secret";
const NEW_BSP_BUSINESS: &str = "100000000000102";
const ACME: &str = "100000000000001";

/// The popup finished with `number`; answers the admin call's body.
async fn finish(sim: &Sim, number: &str, name: Option<&str>) -> Value {
    let mut body =
        json!({"app_id": NEW_BSP_APP, "business_id": ACME, "cc": "1", "phone_number": number});
    if let Some(name) = name {
        body["verified_name"] = json!(name);
    }
    let r = sim
        .admin("POST", "/__admin/embedded_signup", Some(body))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

async fn exchange(sim: &Sim, secret: &str, code: &str) -> common::Reply {
    let path = format!(
        "/v23.0/oauth/access_token?client_id={NEW_BSP_APP}&client_secret={secret}&code={code}"
    );
    sim.send("GET", &path, &[], "").await
}

/// The partner's calls after the popup: exchange, credit line, subscription. Answers the
/// business token.
async fn onboard(sim: &Sim, finished: &Value) -> String {
    let code = finished["code"].as_str().unwrap();
    let waba = finished["message"]["data"]["waba_id"].as_str().unwrap();
    let r = exchange(sim, NEW_BSP_SECRET, code).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["token_type"], "bearer");
    let token = r.json()["access_token"].as_str().unwrap().to_string();

    let r = sim
        .get(
            &format!("/v23.0/{NEW_BSP_BUSINESS}/extendedcredits"),
            NEW_BSP,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let line = r.json()["data"][0]["id"].as_str().unwrap().to_string();
    let r = sim
        .post_form(
            &format!("/v23.0/{line}/whatsapp_credit_sharing_and_attach"),
            NEW_BSP,
            &[("waba_currency", "USD"), ("waba_id", waba)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["waba_id"], waba);
    assert!(r.json()["allocation_config_id"].is_string());

    let r = sim
        .post_form(&format!("/v23.0/{waba}/subscribed_apps"), &token, &[])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    token
}

async fn register(sim: &Sim, phone: &str, token: &str) -> common::Reply {
    sim.post_json(
        &format!("/v23.0/{phone}/register"),
        token,
        json!({"messaging_product": "whatsapp", "pin": "123456"}),
    )
    .await
}

#[tokio::test]
async fn a_new_number_is_onboarded_and_the_partner_hears_of_it() {
    let sim = Sim::start().await;
    let receiver = Receiver::start(SocketAddr::from(([127, 0, 0, 1], 0)), "vt").await;
    let r = sim
        .admin(
            "POST",
            &format!("/__admin/webhooks/apps/{NEW_BSP_APP}"),
            Some(json!({"webhook_url": receiver.url(), "verify_token": "vt"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    let f = finish(&sim, "5550177777", Some("Acme Kiosk")).await;
    assert_eq!(f["message"]["type"], "WA_EMBEDDED_SIGNUP");
    assert_eq!(f["message"]["event"], "FINISH");
    assert_eq!(f["message"]["data"]["business_id"], ACME);
    assert_eq!(f["migrating"], false);
    let waba = f["message"]["data"]["waba_id"].as_str().unwrap();
    let phone = f["message"]["data"]["phone_number_id"].as_str().unwrap();

    // The partner's app hears PARTNER_ADDED on its own URL, entry id its portfolio.
    let r = sim
        .admin(
            "GET",
            "/__admin/webhooks?field=account_update&state=delivered&wait=5s",
            None,
        )
        .await;
    assert_eq!(
        r.json()["deliveries"].as_array().unwrap().len(),
        1,
        "{}",
        r.text()
    );
    let post = receiver.posts().pop().expect("a webhook arrived");
    let body = post.json();
    assert_eq!(body["entry"][0]["id"], NEW_BSP_BUSINESS);
    let value = &body["entry"][0]["changes"][0]["value"];
    assert_eq!(value["event"], "PARTNER_ADDED");
    assert_eq!(value["waba_info"]["waba_id"], waba);
    assert_eq!(value["waba_info"]["owner_business_id"], ACME);

    // The WABA is the client's, listed for the partner; verified by the popup.
    let r = sim
        .get(
            &format!("/v23.0/{NEW_BSP_BUSINESS}/client_whatsapp_business_accounts"),
            NEW_BSP,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["data"][0]["id"], waba);
    let token = onboard(&sim, &f).await;

    let r = sim
        .get(&format!("/v23.0/debug_token?input_token={token}"), NEW_BSP)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let d = &r.json()["data"];
    assert_eq!(
        (d["app_id"].as_str(), d["is_valid"].as_bool()),
        (Some(NEW_BSP_APP), Some(true))
    );
    assert_eq!(
        d["granular_scopes"][0]["scope"],
        "whatsapp_business_management"
    );
    assert_eq!(d["granular_scopes"][0]["target_ids"], json!([waba]));

    let r = sim
        .get(
            &format!("/v23.0/{phone}?fields=code_verification_status,status"),
            &token,
        )
        .await;
    assert_eq!(
        r.json()["code_verification_status"],
        "VERIFIED",
        "{}",
        r.text()
    );
    let r = register(&sim, phone, &token).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = sim
        .get(
            &format!("/v23.0/{phone}?fields=status,platform_type"),
            &token,
        )
        .await;
    assert_eq!(
        (
            r.json()["status"].as_str(),
            r.json()["platform_type"].as_str()
        ),
        (Some("CONNECTED"), Some("CLOUD_API"))
    );
    receiver.stop();
}

#[tokio::test]
async fn a_number_on_another_bsp_migrates_once_the_destination_is_ready() {
    let sim = Sim::start().await;
    let f = finish(&sim, READY_NUMBER, None).await;
    assert_eq!(f["migrating"], true);
    let phone = f["message"]["data"]["phone_number_id"].as_str().unwrap();
    let code = f["code"].as_str().unwrap();

    // Registered before the credit line is shared: the destination has no payment method.
    let token = exchange(&sim, NEW_BSP_SECRET, code).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = register(&sim, phone, &token).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["error"]["error_subcode"], 2388103, "{}", r.text());

    // The rest of the partner's calls, with a second popup for its code (the first is used).
    let again = finish(&sim, READY_NUMBER, None).await;
    let phone = again["message"]["data"]["phone_number_id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = onboard(&sim, &again).await;
    let r = register(&sim, &phone, &token).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = sim
        .get(&format!("/v23.0/{READY_PHONE_ID}?fields=status"), OLD_BSP)
        .await;
    assert_eq!(r.json()["status"], "MIGRATED", "{}", r.text());
}

#[tokio::test]
async fn a_code_is_refused_when_wrong_used_or_expired() {
    let sim = Sim::start().await;
    let f = finish(&sim, "5550177778", Some("Acme Kiosk")).await;
    let code = f["code"].as_str().unwrap();

    let r = exchange(&sim, "not-the-secret", code).await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_i64()),
        (400, Some(1)),
        "{}",
        r.text()
    );
    let r = exchange(&sim, NEW_BSP_SECRET, "AQnope").await;
    assert_eq!(
        r.json()["error"]["message"],
        "Invalid verification code format."
    );
    assert_eq!(exchange(&sim, NEW_BSP_SECRET, code).await.status, 200);
    let r = exchange(&sim, NEW_BSP_SECRET, code).await;
    assert_eq!(r.json()["error"]["error_subcode"], 36009, "{}", r.text());

    let f = finish(&sim, "5550177779", Some("Acme Kiosk")).await;
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "11m"})),
    )
    .await;
    let r = exchange(&sim, NEW_BSP_SECRET, f["code"].as_str().unwrap()).await;
    assert_eq!(r.json()["error"]["error_subcode"], 36007, "{}", r.text());
}

#[tokio::test]
async fn cancel_error_and_refused_numbers_change_nothing() {
    let sim = Sim::start().await;
    let r = sim
        .admin(
            "POST",
            "/__admin/embedded_signup",
            Some(json!({"outcome": "cancel", "current_step": "WABA_SETUP"})),
        )
        .await;
    assert_eq!(r.json()["message"]["event"], "CANCEL");
    assert_eq!(r.json()["message"]["data"]["current_step"], "WABA_SETUP");
    assert_eq!(r.json()["code"], Value::Null);
    let r = sim
        .admin(
            "POST",
            "/__admin/embedded_signup",
            Some(json!({"outcome": "error"})),
        )
        .await;
    assert_eq!(r.json()["message"]["event"], "ERROR");
    assert_eq!(r.json()["message"]["data"]["error_code"], "524126");

    // Two-step verification still on (§9.1 requirements): the popup refuses the number.
    let body = json!({"app_id": NEW_BSP_APP, "business_id": ACME, "cc": "1", "phone_number": "5550100002"});
    let r = sim
        .admin("POST", "/__admin/embedded_signup", Some(body))
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(r.json()["rule"], "two_step_still_enabled");
    let r = sim
        .admin(
            "POST",
            "/__admin/embedded_signup",
            Some(json!({"app_id": "x"})),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = sim.admin("GET", "/__admin/events", None).await;
    assert_eq!(r.json()["events"], json!([]), "{}", r.text());
}
