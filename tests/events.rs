//! Scheduled fixture events: applied when the clock passes them (moved through the control
//! API here), emitting the same world events as the matching change, for webhooks; and the
//! same changes applied at once with `POST /__admin/events`.

mod common;

use common::{Sim, world};
use serde_json::json;
use wabasim::{Fixture, Options, Simulator};

const EVENTS: &str = r#"
events:
  - {at: +1h, approve_display_name: {phone: "+15550100004"}}
  - {at: +1h, reject_display_name: {phone_number_id: "110000000000003", reason: NAME_FORMAT_UNACCEPTABLE}}
  - {at: +2h, disable_two_step_verification: {phone: "+15550100002"}}
  - {at: +2h, phone_status: {phone: "+15550100001", status: RESTRICTED}}
  - {at: +3h, account_review: {waba: "200000000000003", status: APPROVED}}
  - {at: +3h, payment_method: {waba: "200000000000005", attached: true}}
  - {at: +3h, unsubscribe_app: {waba: "200000000000002", app: "300000000000002"}}
  - {at: +3h, subscribe_app: {waba: "200000000000006", app: "300000000000002"}}
  - {at: "2026-01-01T04:00:00Z", template_status: {waba: "200000000000001", name: new_arrivals, language: en_US, status: REJECTED, reason: PROMOTIONAL}}
  - {at: +4h, template_quality: {template_id: "400000000000002", quality: RED}}
"#;

async fn sim_with_events() -> Sim {
    let mut fixture = Fixture::default_world();
    // Only the events: their references are checked against the default world when it is built.
    let extra: Fixture = serde_saphyr::from_str(EVENTS).unwrap();
    fixture.events = extra.events;
    Sim::with(
        Simulator::start_with(Options {
            fixture: Some(fixture),
            ..Options::default()
        })
        .await
        .unwrap(),
    )
}

fn fields(sim: &Sim) -> Vec<&'static str> {
    let events = sim.sim.scope().raw().events();
    events.iter().map(|e| e.kind.field()).collect()
}

#[tokio::test]
async fn events_apply_when_the_clock_passes_them_and_emit_their_webhook_fields() {
    let sim = sim_with_events().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let state = |s: serde_json::Value, id: &str| {
        s["wabas"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|w| w["phone_numbers"].as_array().cloned().unwrap_or_default())
            .find(|p| p["id"] == id)
            .unwrap()
    };
    let s = sim.admin("GET", "/__admin/state", None).await.json();
    assert_eq!(state(s, "110000000000002")["two_step_verification"], true);
    assert!(fields(&sim).is_empty(), "nothing is due at the start");

    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "1h"})),
    )
    .await;
    assert_eq!(
        fields(&sim),
        ["phone_number_name_update", "phone_number_name_update"]
    );
    let s = sim.admin("GET", "/__admin/state", None).await.json();
    assert_eq!(
        state(s.clone(), "110000000000004")["verified_name"],
        "Acme Global Shop"
    );
    assert_eq!(
        state(s.clone(), "110000000000004")["name_status"],
        "APPROVED"
    );
    assert_eq!(
        state(s.clone(), "110000000000003")["name_status"],
        "DECLINED"
    );
    assert_eq!(state(s, "110000000000002")["two_step_verification"], true);

    // Setting the clock past every event applies them in time order.
    sim.admin(
        "POST",
        "/__admin/clock/set",
        Some(json!({"to": "2026-01-01T05:00:00Z"})),
    )
    .await;
    assert_eq!(
        fields(&sim),
        [
            "phone_number_name_update",
            "phone_number_name_update",
            "account_update",
            "account_review_update",
            "message_template_status_update",
            "message_template_quality_update",
        ]
    );
    let s = sim.admin("GET", "/__admin/state", None).await.json();
    assert_eq!(
        state(s.clone(), "110000000000002")["two_step_verification"],
        false
    );
    assert_eq!(state(s, "110000000000001")["status"], "RESTRICTED");

    let r = sim
        .get("/v23.0/200000000000002/subscribed_apps", world::NEW_BSP)
        .await;
    assert_eq!(r.json()["data"], json!([]));
    let r = sim
        .get("/v23.0/200000000000006/subscribed_apps", world::NEW_BSP)
        .await;
    assert_eq!(r.json()["data"].as_array().unwrap().len(), 1);
    let r = sim
        .get(
            "/v23.0/200000000000001/message_templates?name=new_arrivals&fields=status,rejected_reason",
            world::OLD_BSP,
        )
        .await;
    assert_eq!(
        r.json()["data"][0],
        json!({"status": "REJECTED", "rejected_reason": "PROMOTIONAL", "id": "400000000000008"})
    );
}

#[tokio::test]
async fn a_migrated_number_is_followed_by_its_events() {
    // The event names the number; when it fires the number lives on the destination.
    let mut fixture = Fixture::default_world();
    let extra: Fixture = serde_saphyr::from_str(
        "events: [{at: +1d, phone_quality: {phone: \"+15550100001\", quality: RED}}]",
    )
    .unwrap();
    fixture.events = extra.events;
    let sim = Sim::with(
        Simulator::start_with(Options {
            fixture: Some(fixture),
            ..Options::default()
        })
        .await
        .unwrap(),
    );
    let id = sim.migrate_fully(world::DEST_WABA).await;
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "1d"})),
    )
    .await;
    let r = sim
        .get(
            &format!("/v23.0/{id}?fields=status,quality_rating"),
            world::NEW_BSP,
        )
        .await;
    assert_eq!(r.json()["quality_rating"], "RED");
    assert_eq!(r.json()["status"], "FLAGGED");
}

#[tokio::test]
async fn a_change_posted_to_the_control_api_applies_at_once() {
    let sim = Sim::start().await;
    // Refused while two-step verification is on.
    let r = sim.migrate(world::DEST_WABA, "5550100002").await;
    assert_eq!(r.json()["error"]["error_subcode"], 2388103);
    let r = sim
        .admin(
            "POST",
            "/__admin/events",
            Some(json!({"disable_two_step_verification": {"phone": "+15550100002"}})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json()["applied"],
        "disable_two_step_verification +15550100002"
    );
    assert_eq!(r.json()["events"], json!([]));
    let r = sim.migrate(world::DEST_WABA, "5550100002").await;
    assert_eq!(r.status, 200, "{}", r.text());

    // A decision emits its event, listed in the answer and in GET /__admin/events.
    let r = sim
        .admin(
            "POST",
            "/__admin/events",
            Some(json!({"approve_display_name": {"phone_number_id": "110000000000004"}})),
        )
        .await;
    assert_eq!(
        r.json()["events"],
        json!([{"field": "phone_number_name_update", "waba_id": world::SOURCE_WABA}])
    );
    assert_eq!(fields(&sim), ["phone_number_name_update"]);
    let r = sim.migrate(world::DEST_WABA, "5550100004").await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn a_bad_change_is_refused_and_changes_nothing() {
    let sim = Sim::start().await;
    let refused = [
        (json!({}), "an event needs one change"),
        (json!([]), "as an object"),
        (
            json!({"at": "+1h", "disable_two_step_verification": {"phone": "+15550100002"}}),
            "leave out \"at\"",
        ),
        (
            json!({"disable_two_step_verification": {"phone": "+15550109999"}}),
            "no number +15550109999",
        ),
        (
            json!({"payment_method": {"waba": "200000000000005", "attached": true},
                   "account_review": {"waba": "200000000000007", "status": "APPROVED"}}),
            "exactly one change",
        ),
        (json!({"open_the_pod_bay_doors": {}}), "unknown field"),
    ];
    for (body, why) in refused {
        let r = sim
            .admin("POST", "/__admin/events", Some(body.clone()))
            .await;
        assert_eq!(r.status, 400, "{body}: {}", r.text());
        let message = r.json()["error"].as_str().unwrap().to_string();
        assert!(message.contains(why), "{body}: {message}");
    }
    // Nothing changed: the destination still has no payment method.
    let r = sim.migrate("200000000000005", world::READY_NUMBER).await;
    assert_eq!(r.json()["error"]["error_subcode"], 2388103);
    assert!(fields(&sim).is_empty());
}
