//! Conformance: Graph responses validated against Meta's own OpenAPI document, read at test
//! time from `WABASIM_META_OPENAPI` (set by `.ci/run`). Every test's `Sim` checks the
//! responses it saw when dropped; this test drives one of every operation and also checks that
//! the checking really happened.
//!
//! Known disagreements between Meta's schema and the reference's seen facts are listed in
//! `common/conformance/exceptions.rs` (`META_GRAPH_KNOWN_EXCEPTIONS`) and
//! `common::UNDESCRIBED`.

mod common;

use common::Sim;
use common::conformance::{ENV_VAR, MetaOpenApi};
use common::world::*;
use serde_json::json;

#[tokio::test]
async fn every_graph_operation_conforms_to_metas_openapi_document() {
    let Some(oas) = MetaOpenApi::shared() else {
        skipped(&format!(
            "every_graph_operation_conforms_to_metas_openapi_document: {ENV_VAR} is not set, so Meta's OpenAPI document cannot be read"
        ));
        return;
    };
    assert!(
        oas.unsupported_keywords().is_empty(),
        "{:?}",
        oas.unsupported_keywords()
    );
    let sim = Sim::start().await;
    let id = sim.migrate_fully(DEST_WABA).await;
    for path in [
        format!("/v23.0/{id}"),
        format!(
            "/v23.0/{id}?fields=status,name_status,code_verification_status,quality_rating,messaging_limit_tier,account_mode,is_official_business_account,country_code,country_dial_code,health_status,last_onboarded_time"
        ),
        format!("/v23.0/{DEST_WABA}"),
        format!(
            "/v23.0/{DEST_WABA}?fields=name,account_review_status,business_verification_status,currency,message_template_namespace,owner_business_info,on_behalf_of_business_info,primary_funding_id,timezone_id,ownership_type,status"
        ),
        format!("/v23.0/{DEST_WABA}/phone_numbers"),
        format!(
            "/v23.0/{DEST_WABA}/phone_numbers?fields=display_phone_number,status,verified_name,quality_rating,code_verification_status,account_mode,messaging_limit_tier&limit=1"
        ),
        format!("/v23.0/{DEST_WABA}/message_templates"),
        format!(
            "/v23.0/{DEST_WABA}/message_templates?fields=name,status,category,language,components,quality_score&summary=true&limit=2"
        ),
        format!("/v23.0/{DEST_WABA}/subscribed_apps"),
    ] {
        let r = sim.get(&path, NEW_BSP).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text());
    }
    let r = sim
        .post_form(
            &format!("/v23.0/{DEST_WABA}/message_templates"),
            NEW_BSP,
            &[
                ("name", "fresh"),
                ("language", "en"),
                ("category", "MARKETING"),
                // A template needs a BODY (world/template_content.rs).
                ("components", r#"[{"type":"BODY","text":"New in store"}]"#),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    sim.post_json(
        &format!("/v23.0/{DEST_WABA}/subscribed_apps"),
        NEW_BSP,
        json!({}),
    )
    .await;
    sim.post_json(&format!("/v23.0/{id}"), NEW_BSP, json!({"pin": "111111"}))
        .await;
    sim.post_form(&format!("/v23.0/{id}/deregister"), NEW_BSP, &[])
        .await;
    sim.delete(
        &format!("/v23.0/{DEST_WABA}/message_templates?name=fresh"),
        NEW_BSP,
    )
    .await;
    sim.delete(&format!("/v23.0/{DEST_WABA}/subscribed_apps"), NEW_BSP)
        .await;
    // A few errors: their envelopes are checked against GraphAPIError.
    sim.get("/v23.0/1", NEW_BSP).await;
    sim.get(&format!("/v23.0/{DEST_WABA}"), "nope").await;
    sim.migrate(DEST_WABA, "5550100002").await;

    let (failures, checked) = sim.conformance_failures();
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
    assert!(checked >= 20, "only {checked} responses were checked");
}

/// A skip a person sees: a line starting `SKIPPED` written straight to the process's stderr
/// (the test harness captures `eprintln!` of passing tests, and its summary says `ok`).
fn skipped(reason: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED {}: {reason}", module_path!());
}

/// The checker itself: a small document whose schema uses each keyword family, and bodies
/// that break each one, so a checker that stopped checking a keyword fails here (the test
/// above only shows Meta's document accepting wabasim's bodies).
#[test]
fn the_checker_reports_each_keywords_violation() {
    let doc = json!({
        "openapi": "3.1.0",
        "paths": {},
        "components": {"schemas": {
            "Thing": {
                "type": "object",
                "required": ["id", "kind"],
                "additionalProperties": false,
                "minProperties": 2,
                "properties": {
                    "id": {"type": "string", "minLength": 2, "maxLength": 4, "pattern": "^[0-9]+$"},
                    "kind": {"enum": ["a", "b"]},
                    "fixed": {"const": 1},
                    "count": {"type": "integer", "minimum": 1, "maximum": 9, "multipleOf": 2},
                    "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
                    "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2, "uniqueItems": true},
                    "either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                    "some": {"anyOf": [{"type": "string"}, {"type": "boolean"}]},
                    "never": {"not": {"type": "string"}},
                    "both": {"allOf": [{"type": "integer"}, {"minimum": 5}]},
                    "link": {"$ref": "#/components/schemas/Link"},
                    "maybe": {"type": "string", "nullable": true}
                }
            },
            "Link": {"type": "object", "required": ["url"]}
        }}
    });
    let oas = MetaOpenApi::from_value(doc, "inline").expect("the inline document");
    let good = json!({"id": "12", "kind": "a", "fixed": 1, "count": 4, "ratio": 0.5,
        "tags": ["x"], "either": "s", "some": true, "never": 3, "both": 6,
        "link": {"url": "u"}, "maybe": null});
    assert_eq!(oas.validate_component("Thing", &good).err(), None);
    let cases = [
        (json!({"kind": "a", "id": "1"}), "minLength", "/id"),
        (json!({"kind": "a", "id": "12345"}), "maxLength", "/id"),
        (json!({"kind": "a", "id": "1x"}), "pattern", "/id"),
        (json!({"kind": "a"}), "required", "/id"),
        (json!({"id": "12", "kind": "c"}), "enum", "/kind"),
        (
            json!({"id": "12", "kind": "a", "other": 1}),
            "additionalProperties",
            "/other",
        ),
        (json!({"id": "12"}), "minProperties", ""),
        (
            json!({"id": "12", "kind": "a", "fixed": 2}),
            "const",
            "/fixed",
        ),
        (
            json!({"id": "12", "kind": "a", "count": "4"}),
            "type",
            "/count",
        ),
        (
            json!({"id": "12", "kind": "a", "count": 0}),
            "minimum",
            "/count",
        ),
        (
            json!({"id": "12", "kind": "a", "count": 10}),
            "maximum",
            "/count",
        ),
        (
            json!({"id": "12", "kind": "a", "count": 3}),
            "multipleOf",
            "/count",
        ),
        (
            json!({"id": "12", "kind": "a", "ratio": 0}),
            "exclusiveMinimum",
            "/ratio",
        ),
        (
            json!({"id": "12", "kind": "a", "ratio": 1}),
            "exclusiveMaximum",
            "/ratio",
        ),
        (
            json!({"id": "12", "kind": "a", "tags": []}),
            "minItems",
            "/tags",
        ),
        (
            json!({"id": "12", "kind": "a", "tags": ["a", "b", "c"]}),
            "maxItems",
            "/tags",
        ),
        (
            json!({"id": "12", "kind": "a", "tags": ["a", "a"]}),
            "uniqueItems",
            "/tags",
        ),
        (
            json!({"id": "12", "kind": "a", "tags": [1]}),
            "type",
            "/tags/0",
        ),
        (
            json!({"id": "12", "kind": "a", "either": 1.5}),
            "oneOf",
            "/either",
        ),
        (
            json!({"id": "12", "kind": "a", "some": 1}),
            "anyOf",
            "/some",
        ),
        (
            json!({"id": "12", "kind": "a", "never": "s"}),
            "not",
            "/never",
        ),
        (
            json!({"id": "12", "kind": "a", "both": 4}),
            "minimum",
            "/both",
        ),
        (
            json!({"id": "12", "kind": "a", "link": {}}),
            "required",
            "/link/url",
        ),
        (
            json!({"id": "12", "kind": "a", "maybe": 1}),
            "type",
            "/maybe",
        ),
    ];
    for (body, keyword, at) in cases {
        let violations = oas
            .validate_component("Thing", &body)
            .expect_err(&format!("{body} breaks {keyword}"));
        assert!(
            violations
                .iter()
                .any(|v| v.keyword == keyword && v.json_pointer == at),
            "{body}: expected a {keyword} violation at {at:?}, got {violations:?}"
        );
    }
}
