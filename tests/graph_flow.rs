//! The migration flow on the default world, end to end over a real socket, in every
//! parameter encoding real clients use (reference clients-and-360dialog.md §1.1).

mod common;

use common::world::*;
use common::{Sim, raw_exchange};
use serde_json::{Value, json};

/// The names (with language) of a WABA's templates, with their status and quality.
async fn templates(sim: &Sim, waba: &str) -> Vec<(String, String, String, String)> {
    let r = sim
        .get(
            &format!(
                "/v23.0/{waba}/message_templates?fields=name,language,status,quality_score&limit=100"
            ),
            NEW_BSP,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let mut out: Vec<_> = r.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                t["language"].as_str().unwrap().to_string(),
                t["status"].as_str().unwrap().to_string(),
                t["quality_score"]["score"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn row(name: &str, lang: &str, status: &str, quality: &str) -> (String, String, String, String) {
    (name.into(), lang.into(), status.into(), quality.into())
}

#[tokio::test]
async fn the_whole_migration_moves_the_number_and_copies_eligible_templates() {
    let sim = Sim::start().await;
    let id = sim.migrate_fully(DEST_WABA).await;
    assert_ne!(
        id, READY_PHONE_ID,
        "by default the destination gets a new id"
    );

    // The destination record: connected on the Cloud API, keeping name, quality, limit, OBA.
    let r = sim
        .get(
            &format!(
                "/v23.0/{id}?fields=status,platform_type,verified_name,quality_rating,whatsapp_business_manager_messaging_limit,is_official_business_account,code_verification_status,is_pin_enabled"
            ),
            NEW_BSP,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json(),
        json!({
            "status": "CONNECTED",
            "platform_type": "CLOUD_API",
            "verified_name": "Acme",
            "quality_rating": "GREEN",
            "whatsapp_business_manager_messaging_limit": "TIER_10K",
            "is_official_business_account": true,
            "code_verification_status": "VERIFIED",
            "is_pin_enabled": true,
            "id": id,
        })
    );

    // The source side sees it MIGRATED; the destination lists it.
    let r = sim
        .get(
            &format!("/v23.0/{READY_PHONE_ID}?fields=status,platform_type"),
            OLD_BSP,
        )
        .await;
    assert_eq!(r.json()["status"], "MIGRATED");
    let r = sim
        .get(
            &format!("/v23.0/{DEST_WABA}/phone_numbers?fields=display_phone_number,status"),
            NEW_BSP,
        )
        .await;
    let listed: Vec<Value> = r.json()["data"].as_array().unwrap().clone();
    assert!(listed.contains(
        &json!({"display_phone_number": "+1 555-010-0001", "status": "CONNECTED", "id": id})
    ));

    // Only APPROVED + GREEN were copied, as UNKNOWN; the re-categorised copy is REJECTED;
    // the destination's own shipping_update is untouched.
    assert_eq!(
        templates(&sim, DEST_WABA).await,
        vec![
            row("login_code", "en_US", "REJECTED", "UNKNOWN"),
            row("order_update", "en_US", "APPROVED", "UNKNOWN"),
            row("order_update", "es", "APPROVED", "UNKNOWN"),
            row("payment_reminder", "en_US", "APPROVED", "UNKNOWN"),
            row("shipping_update", "en_US", "APPROVED", "YELLOW"),
        ]
    );
    let r = sim
        .get(
            &format!("/v23.0/{DEST_WABA}/message_templates?name=login_code&fields=rejected_reason"),
            NEW_BSP,
        )
        .await;
    assert_eq!(r.json()["data"][0]["rejected_reason"], "INCORRECT_CATEGORY");

    // Still UNKNOWN just before 24 hours; re-rated after.
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "23h 59m"})),
    )
    .await;
    assert!(templates(&sim, DEST_WABA).await.contains(&row(
        "order_update",
        "en_US",
        "APPROVED",
        "UNKNOWN"
    )));
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"seconds": 120})),
    )
    .await;
    assert_eq!(
        templates(&sim, DEST_WABA).await,
        vec![
            row("login_code", "en_US", "REJECTED", "UNKNOWN"),
            row("order_update", "en_US", "APPROVED", "GREEN"),
            row("order_update", "es", "APPROVED", "GREEN"),
            row("payment_reminder", "en_US", "APPROVED", "YELLOW"),
            row("shipping_update", "en_US", "APPROVED", "YELLOW"),
        ]
    );
}

/// Each step in a different encoding: pywa's query-only request_code/verify_code, JSON,
/// multipart, the token in the query string (facebook-business), trailing slashes.
#[tokio::test]
async fn every_parameter_encoding_and_token_placement_works() {
    let sim = Sim::start().await;
    // JSON body, token in the query.
    let r = sim
        .send(
            "POST",
            &format!("/v23.0/{DEST_WABA}/phone_numbers/?access_token={NEW_BSP}"),
            &[("content-type", "application/json")],
            json!({"cc": "1", "phone_number": READY_NUMBER, "migrate_phone_number": true})
                .to_string(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();

    // pywa: everything in the query string, empty body, no content type.
    let auth = format!("Bearer {NEW_BSP}");
    let r = sim
        .send(
            "POST",
            &format!("/v23.0/{id}/request_code?code_method=SMS&language=en_US"),
            &[("authorization", &auth)],
            "",
        )
        .await;
    assert_eq!(r.json(), json!({"success": true}));
    let code = sim.latest_code(&id).await;
    let r = sim
        .send(
            "POST",
            &format!("/v23.0/{id}/verify_code?code={code}"),
            &[("authorization", &auth)],
            "",
        )
        .await;
    assert_eq!(r.json(), json!({"success": true}), "{}", r.text());

    // Multipart form, token in the body, trailing slash.
    let boundary = "XyZ";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"pin\"\r\n\r\n123456\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"access_token\"\r\n\r\n{NEW_BSP}\r\n--{boundary}--\r\n"
    );
    let ct = format!("multipart/form-data; boundary={boundary}");
    let r = sim
        .send(
            "POST",
            &format!("/v23.0/{id}/register/"),
            &[("content-type", &ct)],
            body,
        )
        .await;
    assert_eq!(r.json(), json!({"success": true}), "{}", r.text());

    // A chunked JSON body (Meta's Node SDK never sets Content-Length) setting the PIN on
    // `/{id}/` with a trailing slash, as its setPin does.
    let payload = r#"{"pin":"654321"}"#;
    let raw = format!(
        "POST /v23.0/{id}/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {NEW_BSP}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{payload}\r\n0\r\n\r\n",
        payload.len()
    );
    let reply = raw_exchange(&sim, raw.as_bytes()).await;
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.ends_with(r#"{"success":true}"#), "{reply}");

    let r = sim
        .get(&format!("/v23.0/{id}/?fields=status"), NEW_BSP)
        .await;
    assert_eq!(r.json()["status"], "CONNECTED");
}

/// Form-encoded steps as in Meta's own curl examples, with a facebook-business style
/// `summary=true` list and JSON-encoded list filters.
#[tokio::test]
async fn facebook_business_style_lists_with_json_filters_and_summary() {
    let sim = Sim::start().await;
    sim.migrate_fully(DEST_WABA).await;
    let r = sim
        .get(
            &format!(
                "/v23.0/{DEST_WABA}/message_templates?summary=true&status=%5B%22APPROVED%22%5D&access_token={NEW_BSP}&fields=name"
            ),
            NEW_BSP,
        )
        .await;
    assert_eq!(r.status, 200);
    let body = r.json();
    assert_eq!(body["summary"], json!({"total_count": 4}));
    assert_eq!(body["data"].as_array().unwrap().len(), 4);

    // pywa's summary keys, which it indexes without a guard.
    let r = sim
        .get(
            &format!(
                "/v23.0/{DEST_WABA}/message_templates?summary=total_count,message_template_count,message_template_limit,are_translations_complete&status=APPROVED,REJECTED&fields=name"
            ),
            NEW_BSP,
        )
        .await;
    assert_eq!(
        r.json()["summary"],
        json!({"total_count": 5, "message_template_count": 5, "message_template_limit": 6000, "are_translations_complete": true})
    );
}

#[tokio::test]
async fn paging_walks_the_list_and_next_appears_only_when_there_is_more() {
    let sim = Sim::start().await;
    let mut seen = Vec::new();
    let mut path = format!("/v23.0/{SOURCE_WABA}/message_templates?limit=4&fields=name,language");
    loop {
        let r = sim.get(&path, OLD_BSP).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let body = r.json();
        for t in body["data"].as_array().unwrap() {
            seen.push(format!(
                "{}/{}",
                t["name"].as_str().unwrap(),
                t["language"].as_str().unwrap()
            ));
        }
        match body["paging"]["next"].as_str() {
            Some(next) => {
                assert!(body["paging"]["cursors"]["after"].is_string());
                path = next
                    .split_once("/v23.0")
                    .map(|(_, p)| format!("/v23.0{p}"))
                    .unwrap();
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), 10);
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique.len(), 10, "no template twice: {seen:?}");

    // Backwards from the second page.
    let r = sim
        .get(
            &format!("/v23.0/{SOURCE_WABA}/message_templates?limit=4&fields=name"),
            OLD_BSP,
        )
        .await;
    let after = r.json()["paging"]["cursors"]["after"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(r.json()["paging"].get("previous").is_none());
    let r = sim
        .get(
            &format!("/v23.0/{SOURCE_WABA}/message_templates?limit=4&fields=name&after={after}"),
            OLD_BSP,
        )
        .await;
    let second = r.json();
    assert!(second["paging"]["previous"].is_string());
    assert!(second["paging"]["next"].is_string());
}

#[tokio::test]
async fn fields_selection_returns_what_was_asked_plus_id() {
    let sim = Sim::start().await;
    let r = sim
        .get(
            &format!("/v23.0/{READY_PHONE_ID}?fields=quality_rating"),
            OLD_BSP,
        )
        .await;
    assert_eq!(
        r.json(),
        json!({"quality_rating": "GREEN", "id": READY_PHONE_ID})
    );
    let r = sim.get(&format!("/v23.0/{READY_PHONE_ID}"), OLD_BSP).await;
    let body = r.json();
    for key in [
        "verified_name",
        "code_verification_status",
        "display_phone_number",
        "quality_rating",
        "platform_type",
        "throughput",
        "id",
    ] {
        assert!(
            body.get(key).is_some(),
            "default field {key} missing: {body}"
        );
    }
    let r = sim
        .get(
            &format!("/v23.0/{DEST_WABA}?fields=name,account_review_status,business_verification_status,currency,owner_business_info,on_behalf_of_business_info,timezone_id"),
            NEW_BSP,
        )
        .await;
    assert_eq!(
        r.json(),
        json!({
            "name": "Acme (New BSP)",
            "account_review_status": "APPROVED",
            "business_verification_status": "verified",
            "currency": "USD",
            "owner_business_info": {"name": "Acme Corp", "id": "100000000000001"},
            "on_behalf_of_business_info": {"name": "New BSP", "id": "100000000000102", "status": "APPROVED", "type": "INTERNAL"},
            "timezone_id": "1",
            "id": DEST_WABA,
        })
    );
}

#[tokio::test]
async fn responses_carry_graph_headers_and_the_trace_id_matches_the_body() {
    let sim = Sim::start().await;
    let r = sim.get(&format!("/v21.0/{DEST_WABA}"), NEW_BSP).await;
    assert_eq!(r.header("facebook-api-version"), Some("v21.0"));
    assert!(r.header("x-fb-request-id").is_some());
    let usage: Value =
        serde_json::from_str(r.header("x-business-use-case-usage").unwrap()).unwrap();
    assert_eq!(usage[DEST_WABA][0]["type"], "whatsapp_business_management");
    assert!(usage[DEST_WABA][0]["call_count"].is_number());
    // Expired versions are served by the oldest usable one.
    let r = sim.get(&format!("/v17.0/{DEST_WABA}"), NEW_BSP).await;
    assert_eq!(r.header("facebook-api-version"), Some("v19.0"));
    let r = sim.get(&format!("/v23.0/{DEST_WABA}/nope"), NEW_BSP).await;
    // graph-fidelity-review.md row 9: the body repeats x-fb-request-id, not x-fb-trace-id.
    assert_eq!(
        r.json()["error"]["fbtrace_id"].as_str(),
        r.header("x-fb-request-id")
    );
    assert_ne!(
        r.json()["error"]["fbtrace_id"].as_str(),
        r.header("x-fb-trace-id")
    );
    assert!(
        r.header("www-authenticate")
            .unwrap()
            .contains("invalid_request")
    );
}

#[tokio::test]
async fn subscribed_apps_list_override_and_unsubscribe() {
    let sim = Sim::start().await;
    let path = format!("/v23.0/{DEST_WABA}/subscribed_apps");
    let r = sim.get(&path, NEW_BSP).await;
    assert_eq!(
        r.json(),
        json!({"data": [{"whatsapp_business_api_data": {
            "id": "300000000000002",
            "link": "https://www.facebook.com/games/?app_id=300000000000002",
            "name": "New BSP Connect"}}]})
    );
    let r = sim
        .post_json(
            &path,
            NEW_BSP,
            json!({"override_callback_uri": "https://hooks.example/wa", "verify_token": "vt"}),
        )
        .await;
    assert_eq!(r.json(), json!({"success": true}));
    let r = sim.get(&path, NEW_BSP).await;
    assert_eq!(
        r.json()["data"][0]["override_callback_uri"],
        "https://hooks.example/wa"
    );
    // An override without its verify token is refused.
    let r = sim
        .post_json(
            &path,
            NEW_BSP,
            json!({"override_callback_uri": "https://x.example"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], 100);
    // A POST without an override removes it (pywa's delete_waba_callback_url).
    sim.post_form(&path, NEW_BSP, &[]).await;
    let r = sim.get(&path, NEW_BSP).await;
    assert!(r.json()["data"][0].get("override_callback_uri").is_none());
    let r = sim.delete(&path, NEW_BSP).await;
    assert_eq!(r.json(), json!({"success": true}));
    let r = sim.get(&path, NEW_BSP).await;
    assert_eq!(r.json(), json!({"data": []}));
    // Without a subscribed app the WABA can no longer receive a migration.
    let r = sim.migrate(DEST_WABA, READY_NUMBER).await;
    assert_eq!(
        r.json()["error"]["error_user_msg"],
        "Cannot migrate phone number."
    );
}

#[tokio::test]
async fn migrate_twice_answers_the_same_pending_number() {
    let sim = Sim::start().await;
    let first = sim.migrate(DEST_WABA, READY_NUMBER).await.json()["id"].clone();
    let again = sim.migrate(DEST_WABA, READY_NUMBER).await.json()["id"].clone();
    assert_eq!(first, again);
    // The full international number is accepted too.
    let r = sim.migrate(DEST_WABA, "15550100001").await;
    assert_eq!(r.json()["id"], first);
}

#[tokio::test]
async fn a_world_that_keeps_phone_ids_migrates_under_the_same_id() {
    let text = wabasim::DEFAULT_FIXTURE.replace(
        "seed: 7\n",
        "seed: 7\nsettings: {migration_keeps_phone_id: true}\n",
    );
    let fixture = wabasim::Fixture::parse(&text, "keep-id").unwrap();
    let sim = Sim::with(
        wabasim::Simulator::start_with(wabasim::Options {
            fixture: Some(fixture),
            ..Default::default()
        })
        .await
        .unwrap(),
    );
    let id = sim.migrate_fully(DEST_WABA).await;
    assert_eq!(id, READY_PHONE_ID);
    let r = sim
        .get(&format!("/v23.0/{id}?fields=status"), NEW_BSP)
        .await;
    assert_eq!(r.json()["status"], "CONNECTED");
    // The source keeps its view of the number, MIGRATED, under the same id.
    let r = sim
        .get(
            &format!("/v23.0/{SOURCE_WABA}/phone_numbers?fields=status&limit=1"),
            OLD_BSP,
        )
        .await;
    let data = r.json()["data"].clone();
    let all = sim
        .get(
            &format!("/v23.0/{SOURCE_WABA}/phone_numbers?fields=status"),
            OLD_BSP,
        )
        .await
        .json();
    assert!(
        all["data"]
            .as_array()
            .unwrap()
            .contains(&json!({"status": "MIGRATED", "id": READY_PHONE_ID})),
        "{all} / {data}"
    );
    // The old BSP can no longer read the number: it is New BSP's now.
    let r = sim.get(&format!("/v23.0/{id}"), OLD_BSP).await;
    assert_eq!(r.json()["error"]["error_subcode"], 33);
}

/// Graph's field expansion: a WABA read with its numbers, templates and subscribed apps in
/// one call, as BSP code often does.
#[tokio::test]
async fn fields_expand_the_wabas_edges_in_place() {
    let sim = Sim::start().await;
    let r = sim
        .get(
            &format!(
                "/v23.0/{SOURCE_WABA}?fields=name,phone_numbers.limit(2){{display_phone_number,status}},message_templates.limit(1){{name,language}},subscribed_apps"
            ),
            OLD_BSP,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(body["name"], "Acme (Old BSP)");
    assert_eq!(
        body["phone_numbers"]["data"],
        json!([
            {"display_phone_number": "+1 555-010-0001", "status": "CONNECTED", "id": "110000000000001"},
            {"display_phone_number": "+1 555-010-0002", "status": "CONNECTED", "id": "110000000000002"},
        ])
    );
    assert!(body["phone_numbers"]["paging"]["cursors"]["after"].is_string());
    assert_eq!(
        body["message_templates"]["data"],
        json!([{"name": "order_update", "language": "en_US", "id": "400000000000001"}])
    );
    assert_eq!(
        body["subscribed_apps"]["data"][0]["whatsapp_business_api_data"]["id"],
        "300000000000001"
    );
    // An unknown sub-field is Graph's nonexisting-field error, on the edge's node type.
    let r = sim
        .get(
            &format!("/v23.0/{SOURCE_WABA}?fields=phone_numbers{{colour}}"),
            OLD_BSP,
        )
        .await;
    assert_eq!(
        r.json()["error"]["message"],
        "(#100) Tried accessing nonexisting field (colour) on node type (WhatsAppBusinessPhoneNumber)"
    );
    // pywa's long field lists are accepted; fields without a value are left out.
    let r = sim
        .get(
            &format!("/v23.0/{SOURCE_WABA}?fields=id,name,timezone_id,message_template_namespace,status,business_verification_status,is_enabled_for_insights,marketing_messages_lite_api_status,marketing_messages_onboarding_status,on_behalf_of_business_info,ownership_type,health_status,currency,country,subscribed_apps,owner_business_info,account_review_status,disable_marketing_messages_on_cloud_api"),
            OLD_BSP,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.json().get("marketing_messages_lite_api_status").is_none());
}

/// Someone else's id is answered exactly like an unknown one: no usage header naming its WABA.
#[tokio::test]
async fn a_foreign_id_carries_no_usage_header() {
    let sim = Sim::start().await;
    let foreign = sim.get(&format!("/v23.0/{READY_PHONE_ID}"), NEW_BSP).await;
    let unknown = sim.get("/v23.0/110000000000999", NEW_BSP).await;
    assert_eq!(foreign.status, unknown.status);
    assert!(foreign.header("x-business-use-case-usage").is_none());
    assert!(unknown.header("x-business-use-case-usage").is_none());
    let own = sim.get(&format!("/v23.0/{READY_PHONE_ID}"), OLD_BSP).await;
    assert!(own.header("x-business-use-case-usage").is_some());
}
