//! Bad input, tried as a new user would: each answer is a Graph error envelope (never a 500,
//! never a hang) and the world is unchanged afterwards.

mod common;

use common::world::*;
use common::{Reply, Sim, raw_exchange};
use serde_json::{Value, json};

async fn state(sim: &Sim) -> Value {
    sim.admin("GET", "/__admin/state", None).await.json()
}

fn assert_graph_error(what: &str, r: &Reply, status: u16, code: i64) {
    assert_eq!(r.status, status, "{what}: {}", r.text());
    let body = r.json();
    let e = &body["error"];
    assert_eq!(e["code"], code, "{what}: {body}");
    assert!(e["message"].is_string(), "{what}: {body}");
    assert!(e["type"].is_string(), "{what}: {body}");
    assert!(e["fbtrace_id"].is_string(), "{what}: {body}");
    assert_eq!(r.header("content-type"), Some("application/json"), "{what}");
}

#[tokio::test]
async fn bad_input_gets_graph_errors_and_leaves_the_world_alone() {
    let sim = Sim::start().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let before = state(&sim).await;
    let auth = format!("Bearer {NEW_BSP}");
    let create = format!("/v23.0/{DEST_WABA}/phone_numbers");

    let r = sim
        .send(
            "POST",
            &create,
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            r#"{"cc": "1", "phone_number": "5550100001", "migrate_phone_number": tru"#,
        )
        .await;
    assert_graph_error("malformed JSON", &r, 400, 100);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON")
    );

    let r = sim
        .send(
            "POST",
            &create,
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            "[1, 2]",
        )
        .await;
    assert_graph_error("JSON that is not an object", &r, 400, 100);

    // An XML body is not read, so the required parameters are missing.
    let r = sim
        .send(
            "POST",
            &create,
            &[
                ("authorization", &auth),
                ("content-type", "application/xml"),
            ],
            "<cc>1</cc>",
        )
        .await;
    assert_graph_error("wrong content type", &r, 400, 100);
    assert_eq!(
        r.json()["error"]["message"],
        "(#100) The parameter cc is required"
    );

    let r = sim
        .post_form(
            &create,
            NEW_BSP,
            &[
                ("phone_number", READY_NUMBER),
                ("migrate_phone_number", "true"),
            ],
        )
        .await;
    assert_graph_error("missing cc", &r, 400, 100);
    assert_eq!(
        r.json()["error"]["message"],
        "(#100) The parameter cc is required"
    );

    let r = sim
        .post_form(
            &create,
            NEW_BSP,
            &[
                ("cc", "1"),
                ("phone_number", "555-CALL-ACME"),
                ("migrate_phone_number", "true"),
            ],
        )
        .await;
    assert_graph_error("non-numeric phone", &r, 400, 100);
    let r = sim
        .post_form(
            &create,
            NEW_BSP,
            &[
                ("cc", "+1x"),
                ("phone_number", READY_NUMBER),
                ("migrate_phone_number", "true"),
            ],
        )
        .await;
    assert_graph_error("non-numeric cc", &r, 400, 100);
    let r = sim
        .post_form(
            &create,
            NEW_BSP,
            &[
                ("cc", "1"),
                ("phone_number", READY_NUMBER),
                ("migrate_phone_number", "maybe"),
            ],
        )
        .await;
    assert_graph_error("a boolean that is not one", &r, 400, 100);

    let r = sim
        .get(&format!("/v99.0/{DEST_WABA}/phone_numbers"), NEW_BSP)
        .await;
    assert_graph_error("unknown version", &r, 400, 2500);
    assert_eq!(
        r.json()["error"]["message"],
        format!("Unknown path components: /{DEST_WABA}/phone_numbers")
    );

    let r = sim.get("/v23.0/123456789012345", NEW_BSP).await;
    assert_graph_error("unknown node", &r, 400, 100);
    assert_eq!(r.json()["error"]["error_subcode"], 33);
    let r = sim.get("/v23.0/not-an-id/phone_numbers", NEW_BSP).await;
    assert_graph_error("node that is not an id", &r, 400, 100);

    let r = sim
        .get(&format!("/v23.0/{DEST_WABA}/phone_numberz"), NEW_BSP)
        .await;
    // graph-fidelity-review.md row 1: an edge the node lacks is a nonexisting field.
    assert_graph_error("unknown edge", &r, 400, 100);
    assert_eq!(
        r.json()["error"]["message"],
        "(#100) Tried accessing nonexisting field (phone_numberz) on node type (WhatsAppBusinessAccount)"
    );
    let r = sim
        .get(&format!("/v23.0/{DEST_WABA}/phone_numbers/extra"), NEW_BSP)
        .await;
    assert_graph_error("too deep a path", &r, 400, 2500);
    let r = sim
        .delete(&format!("/v23.0/{READY_PHONE_ID}/register"), OLD_BSP)
        .await;
    assert_graph_error("unsupported method", &r, 400, 100);

    let r = sim
        .get(&format!("/v23.0/{DEST_WABA}?fields=name,colour"), NEW_BSP)
        .await;
    assert_graph_error("unknown field", &r, 400, 100);
    assert_eq!(
        r.json()["error"]["message"],
        "(#100) Tried accessing nonexisting field (colour) on node type (WhatsAppBusinessAccount)"
    );

    let big = "x".repeat(5 * 1024 * 1024);
    let r = sim
        .send(
            "POST",
            &create,
            &[
                ("authorization", &auth),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            format!("cc=1&phone_number={READY_NUMBER}&migrate_phone_number=true&pad={big}"),
        )
        .await;
    assert_graph_error("a 5 MB body", &r, 413, 100);

    let r = sim
        .send(
            "POST",
            &create,
            &[
                ("authorization", "Bearer "),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            format!("cc=1&phone_number={READY_NUMBER}&migrate_phone_number=true"),
        )
        .await;
    assert_graph_error("an empty token", &r, 401, 190);
    let r = sim
        .send(
            "POST",
            &format!("{create}?access_token="),
            &[("content-type", "application/x-www-form-urlencoded")],
            format!("cc=1&phone_number={READY_NUMBER}&migrate_phone_number=true"),
        )
        .await;
    assert_graph_error("an empty access_token", &r, 401, 190);

    let r = sim
        .post_form(
            &format!("/v23.0/{READY_PHONE_ID}/request_code"),
            OLD_BSP,
            &[("code_method", "PIGEON"), ("language", "en_US")],
        )
        .await;
    assert_graph_error("unknown code method", &r, 400, 100);
    assert_eq!(
        r.json()["error"]["message"],
        r#"(#100) Param code_method must be one of {SMS, VOICE} - got "PIGEON""#
    );
    let r = sim
        .post_form(
            &format!("/v23.0/{DEST_WABA}/message_templates"),
            NEW_BSP,
            &[
                ("name", "x"),
                ("language", "en_US"),
                ("category", "UTILITY"),
                ("components", "[{"),
            ],
        )
        .await;
    assert_graph_error("components that are not JSON", &r, 400, 100);
    let r = sim
        .get(
            &format!("/v23.0/{DEST_WABA}/message_templates?status=SHINY"),
            NEW_BSP,
        )
        .await;
    assert_graph_error("an unknown status filter", &r, 400, 100);
    let r = sim
        .get(
            &format!("/v23.0/{DEST_WABA}/message_templates?after=%%%"),
            NEW_BSP,
        )
        .await;
    assert_graph_error("a garbage cursor", &r, 400, 100);
    let boundary = "--nope";
    let r = sim
        .send(
            "POST",
            &create,
            &[
                ("authorization", &auth),
                ("content-type", "multipart/form-data; boundary=zzz"),
            ],
            boundary,
        )
        .await;
    assert_graph_error("broken multipart", &r, 400, 100);

    assert_eq!(state(&sim).await, before, "the world changed");
}

#[tokio::test]
async fn malformed_http_is_refused_without_taking_the_server_down() {
    let sim = Sim::start().await;
    let reply = raw_exchange(&sim, b"THIS IS NOT HTTP\r\n\r\n").await;
    assert!(
        reply.is_empty() || reply.starts_with("HTTP/1.1 400"),
        "{reply}"
    );
    // A chunked body that lies about its size.
    let reply = raw_exchange(
        &sim,
        b"POST /v23.0/1/register HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
    )
    .await;
    assert!(!reply.contains(" 500 "), "{reply}");
    // Still serving.
    let r = sim.get(&format!("/v23.0/{DEST_WABA}"), NEW_BSP).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn the_control_api_answers_bad_input_in_json() {
    let sim = Sim::start().await;
    for (method, path, body, status) in [
        ("POST", "/__admin/clock/advance", "{not json", 400),
        (
            "POST",
            "/__admin/clock/advance",
            r#"{"duration": "soon"}"#,
            400,
        ),
        ("POST", "/__admin/clock/advance", r#"{"seconds": -5}"#, 400),
        ("POST", "/__admin/clock/set", r#"{"to": "yesterday"}"#, 400),
        ("GET", "/__admin/clock/advance", "", 405),
        ("GET", "/__admin/nothing-here", "", 404),
    ] {
        let r = sim
            .send(method, path, &[("content-type", "application/json")], body)
            .await;
        assert_eq!(r.status, status, "{method} {path} {body}: {}", r.text());
        assert!(
            r.json()["error"].is_string(),
            "{method} {path}: {}",
            r.text()
        );
    }
    let r = sim
        .send(
            "GET",
            "/__admin/health",
            &[("x-wabasim-namespace", "bad name!")],
            "",
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("invalid namespace")
    );
    assert_eq!(json!(r.status), json!(400));
}
