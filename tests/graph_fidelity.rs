//! The rows of `shared/reference/graph-fidelity-review.md`, each driven over a real socket and
//! asserted as a production caller sees it: status, code, subcode, message, headers.

mod common;

use common::world::*;
use common::{Reply, Sim};

fn error(r: &Reply) -> serde_json::Value {
    r.json()["error"].clone()
}

/// Row 1 (seen): an edge the node does not have is a nonexisting field of its node type,
/// code 100 without a subcode, not 2500 and not 100/33.
#[tokio::test]
async fn an_edge_the_node_lacks_is_a_nonexisting_field_of_its_type() {
    let sim = Sim::start().await;
    for (path, field, node_type) in [
        (
            format!("/v23.0/{READY_PHONE_ID}/message_templates"),
            "message_templates",
            "WhatsAppBusinessPhoneNumber",
        ),
        (
            format!("/v23.0/{READY_PHONE_ID}/phone_numbers"),
            "phone_numbers",
            "WhatsAppBusinessPhoneNumber",
        ),
        (
            format!("/v23.0/{SOURCE_WABA}/request_code"),
            "request_code",
            "WhatsAppBusinessAccount",
        ),
        (
            format!("/v23.0/{SOURCE_WABA}/foo"),
            "foo",
            "WhatsAppBusinessAccount",
        ),
    ] {
        let r = sim.get(&path, OLD_BSP).await;
        assert_eq!(r.status, 400, "{path}: {}", r.text());
        let e = error(&r);
        assert_eq!(e["code"], 100, "{path}");
        assert_eq!(e["type"], "OAuthException", "{path}");
        assert!(e.get("error_subcode").is_none(), "{path}: {e}");
        assert_eq!(
            e["message"],
            format!(
                "(#100) Tried accessing nonexisting field ({field}) on node type ({node_type})"
            )
        );
        let www = r.header("www-authenticate").unwrap();
        assert!(
            www.contains(r#""invalid_request" "(#100) Tried accessing"#),
            "{www}"
        );
    }
}

/// Rows 5 and 6 (inferred, README "Behaviour choices"): GET on a POST-only edge and POST to
/// an edge the node does not have follow row 1's rule.
#[tokio::test]
async fn a_method_an_edge_does_not_take_follows_the_node_type_rule() {
    let sim = Sim::start().await;
    let r = sim
        .get(&format!("/v23.0/{READY_PHONE_ID}/register"), OLD_BSP)
        .await;
    assert_eq!((r.status, error(&r)["code"].as_i64()), (400, Some(100)));
    assert!(error(&r).get("error_subcode").is_none());
    assert_eq!(
        error(&r)["message"],
        "(#100) Tried accessing nonexisting field (register) on node type (WhatsAppBusinessPhoneNumber)"
    );
    for path in [
        format!("/v23.0/{DEST_WABA}/foo"),
        format!("/v23.0/{READY_PHONE_ID}/phone_numbers"),
    ] {
        let token = if path.contains(DEST_WABA) {
            NEW_BSP
        } else {
            OLD_BSP
        };
        let r = sim.post_form(&path, token, &[("a", "b")]).await;
        assert_eq!(r.status, 400, "{path}");
        assert_eq!(error(&r)["code"], 100, "{path}");
        assert!(
            error(&r)["message"]
                .as_str()
                .unwrap()
                .starts_with("(#100) Tried accessing nonexisting field ("),
            "{path}"
        );
    }
    // A node the caller cannot see still does not exist (100/33), edge or not.
    let r = sim
        .get(
            &format!("/v23.0/{READY_PHONE_ID}/message_templates"),
            NEW_BSP,
        )
        .await;
    assert_eq!(
        (
            error(&r)["code"].as_i64(),
            error(&r)["error_subcode"].as_i64()
        ),
        (Some(100), Some(33))
    );
    // A bad version or extra segments keep 2500 (row 1's source).
    let r = sim
        .get(&format!("/v23.0/{SOURCE_WABA}/phone_numbers/x"), OLD_BSP)
        .await;
    assert_eq!(error(&r)["code"], 2500);
}

/// Row 2: template component limits, 2388040 under code 100.
#[tokio::test]
async fn template_component_texts_have_meta_s_character_limits() {
    let sim = Sim::start().await;
    let path = format!("/v23.0/{DEST_WABA}/message_templates");
    let create = |name: &'static str, components: String| {
        let sim = &sim;
        let path = &path;
        async move {
            sim.post_form(
                path,
                NEW_BSP,
                &[
                    ("name", name),
                    ("language", "en_US"),
                    ("category", "UTILITY"),
                    ("components", &components),
                ],
            )
            .await
        }
    };
    let body = |n: usize| format!(r#"{{"type":"BODY","text":"{}"}}"#, "b".repeat(n));
    let r = create("at_the_limit", format!("[{}]", body(1024))).await;
    assert_eq!(r.status, 200, "{}", r.text());
    for (name, components, what) in [
        ("long_body", format!("[{}]", body(1025)), "BODY"),
        (
            "long_header",
            format!(
                r#"[{{"type":"HEADER","format":"TEXT","text":"{}"}},{}]"#,
                "h".repeat(61),
                body(5)
            ),
            "HEADER",
        ),
        (
            "long_footer",
            format!(
                r#"[{},{{"type":"FOOTER","text":"{}"}}]"#,
                body(5),
                "f".repeat(61)
            ),
            "FOOTER",
        ),
        (
            "long_button",
            format!(
                r#"[{},{{"type":"BUTTONS","buttons":[{{"type":"QUICK_REPLY","text":"{}"}}]}}]"#,
                body(5),
                "q".repeat(26)
            ),
            "BUTTON",
        ),
    ] {
        let r = create(name, components).await;
        assert_eq!(r.status, 400, "{what}: {}", r.text());
        let e = error(&r);
        assert_eq!(
            (e["code"].as_i64(), e["error_subcode"].as_i64()),
            (Some(100), Some(2388040)),
            "{what}"
        );
        assert_eq!(e["error_user_title"], "Character Limit Exceeded");
        assert!(
            e["error_user_msg"].as_str().unwrap().contains(what),
            "{what}: {e}"
        );
    }
}

/// Row 3 (seen): 133010's wire text.
#[tokio::test]
async fn not_registered_reads_account_not_registered() {
    let sim = Sim::start().await;
    let path = format!("/v23.0/{READY_PHONE_ID}/deregister");
    let r = sim.post_form(&path, OLD_BSP, &[]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = sim.post_form(&path, OLD_BSP, &[]).await;
    assert_eq!(r.status, 400);
    assert_eq!(error(&r)["code"], 133010);
    assert_eq!(error(&r)["message"], "(#133010) Account not registered");
    assert_eq!(
        r.header("www-authenticate"),
        Some(r#"OAuth "Facebook Platform" "invalid_request" "(#133010) Account not registered""#)
    );
}

/// Row 4 (seen): the missing-token message ends with a period.
#[tokio::test]
async fn the_missing_token_message_ends_with_a_period() {
    let sim = Sim::start().await;
    let r = sim
        .send("GET", &format!("/v23.0/{READY_PHONE_ID}"), &[], "")
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(error(&r)["code"], 104);
    assert_eq!(
        error(&r)["message"],
        "An access token is required to request this resource."
    );
}

/// Issue 13, webhook overrides: `POST /{phone_number_id}` with `webhook_configuration` sets,
/// checks and removes the number's alternate callback; `fields=webhook_configuration` reads it.
#[tokio::test]
async fn a_phone_number_s_alternate_callback_is_set_read_and_removed() {
    let sim = Sim::start().await;
    let path = format!("/v23.0/{READY_PHONE_ID}");
    let read = format!("{path}?fields=webhook_configuration");
    let set = |config: serde_json::Value| {
        let sim = &sim;
        let path = &path;
        async move {
            sim.post_json(
                path,
                OLD_BSP,
                serde_json::json!({"webhook_configuration": config}),
            )
            .await
        }
    };
    let r = set(serde_json::json!({
        "override_callback_uri": "https://phone.example/hook",
        "verify_token": "vt"
    }))
    .await;
    assert_eq!(
        (r.status, r.json()),
        (200, serde_json::json!({"success": true}))
    );
    let r = sim.get(&read, OLD_BSP).await;
    assert_eq!(
        r.json()["webhook_configuration"]["phone_number"],
        "https://phone.example/hook"
    );
    // Form-encoded, as facebook-business sends it: the object as JSON text.
    let r = sim
        .post_form(
            &path,
            OLD_BSP,
            &[(
                "webhook_configuration",
                r#"{"override_callback_uri":"ftp://x","verify_token":"t"}"#,
            )],
        )
        .await;
    assert_eq!((r.status, error(&r)["code"].as_i64()), (400, Some(100)));
    let r = set(serde_json::json!({"override_callback_uri": "https://phone.example/hook"})).await;
    assert_eq!(r.status, 400);
    assert!(
        error(&r)["message"]
            .as_str()
            .unwrap()
            .contains("verify_token")
    );
    let r = set(serde_json::json!("not an object")).await;
    assert_eq!(r.status, 400);
    // Another partner's token cannot touch the number: it does not exist for them.
    let r = sim
        .post_json(
            &path,
            NEW_BSP,
            serde_json::json!({"webhook_configuration": {"override_callback_uri": ""}}),
        )
        .await;
    assert_eq!(error(&r)["error_subcode"], 33);
    // An empty URL removes it; nothing else is set, so no webhook_configuration at all.
    let r = set(serde_json::json!({"override_callback_uri": ""})).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = sim.get(&read, OLD_BSP).await;
    assert_eq!(r.json(), serde_json::json!({"id": READY_PHONE_ID}));
}

/// Rows 9 and 10: the head of a real capture on every answer, success or error; the trace
/// header is not the body's id.
#[tokio::test]
async fn every_answer_carries_the_captured_headers() {
    let sim = Sim::start().await;
    let ok = sim.get(&format!("/v23.0/{READY_PHONE_ID}"), OLD_BSP).await;
    assert_eq!(ok.status, 200);
    let err = sim
        .get(
            &format!("/v23.0/{READY_PHONE_ID}/message_templates"),
            OLD_BSP,
        )
        .await;
    assert_eq!(err.status, 400);
    for r in [&ok, &err] {
        for (name, value) in [
            ("content-type", "application/json"),
            ("cache-control", "no-store"),
            ("vary", "Origin"),
            ("strict-transport-security", "max-age=15552000; preload"),
            ("pragma", "no-cache"),
            ("expires", "Sat, 01 Jan 2000 00:00:00 GMT"),
            ("access-control-allow-origin", "*"),
            ("facebook-api-version", "v23.0"),
        ] {
            assert_eq!(r.header(name), Some(value), "{name}");
        }
        assert_eq!(r.header("x-fb-debug").map(str::len), Some(88));
        assert!(r.header("x-fb-rev").is_some());
        assert_eq!(r.header("x-fb-trace-id").map(str::len), Some(11));
        assert_eq!(r.header("x-fb-request-id").map(str::len), Some(23));
    }
    let body_id = error(&err)["fbtrace_id"].as_str().unwrap().to_string();
    assert_eq!(Some(body_id.as_str()), err.header("x-fb-request-id"));
    assert!(!body_id.starts_with(err.header("x-fb-trace-id").unwrap()));
    // Deterministic per namespace: the same calls in a fresh namespace give the same ids.
    let other = Sim::start().await;
    let again = other
        .get(&format!("/v23.0/{READY_PHONE_ID}"), OLD_BSP)
        .await;
    assert_eq!(again.header("x-fb-trace-id"), ok.header("x-fb-trace-id"));
    assert_eq!(
        again.header("x-fb-request-id"),
        ok.header("x-fb-request-id")
    );
}

/// Row 8 (inferred, README "Behaviour choices"): Graph's enum errors end with the value sent.
#[tokio::test]
async fn an_enum_error_names_the_value_it_got() {
    let sim = Sim::start().await;
    let r = sim
        .post_form(
            &format!("/v23.0/{READY_PHONE_ID}/request_code"),
            OLD_BSP,
            &[("code_method", "FAX"), ("language", "en_US")],
        )
        .await;
    assert_eq!((r.status, error(&r)["code"].as_i64()), (400, Some(100)));
    assert_eq!(
        error(&r)["message"],
        r#"(#100) Param code_method must be one of {SMS, VOICE} - got "FAX""#
    );
}

/// Row 11 (inferred, README "Behaviour choices"): a missing token (104) is an
/// `"invalid_request"`; only a token sent and refused (190) is an `"invalid_token"`.
#[tokio::test]
async fn a_missing_token_is_an_invalid_request() {
    let sim = Sim::start().await;
    let path = format!("/v23.0/{READY_PHONE_ID}");
    let r = sim.send("GET", &path, &[], "").await;
    assert_eq!((r.status, error(&r)["code"].as_i64()), (400, Some(104)));
    assert_eq!(
        r.header("www-authenticate"),
        Some(
            r#"OAuth "Facebook Platform" "invalid_request" "An access token is required to request this resource.""#
        )
    );
    let r = sim.get(&path, "not-a-token").await;
    assert_eq!((r.status, error(&r)["code"].as_i64()), (401, Some(190)));
    assert!(
        r.header("www-authenticate")
            .unwrap()
            .starts_with(r#"OAuth "Facebook Platform" "invalid_token" "#)
    );
}

/// Row 12: the unsupported-method message names the method used; every `vN.N` newer than
/// the newest known is an unknown version; unbalanced braces in `fields` are Graph's field
/// syntax error (code 2500, as captured), never a 200.
#[tokio::test]
async fn unsupported_methods_versions_and_field_syntax_read_consistently() {
    let sim = Sim::start().await;
    let auth = format!("Bearer {OLD_BSP}");
    let node = format!("/v23.0/{READY_PHONE_ID}");
    for method in ["PATCH", "OPTIONS", "HEAD", "PUT"] {
        let headers = [("authorization", auth.as_str())];
        // A HEAD answer has no body for the OpenAPI conformance check to read.
        let r = if method == "HEAD" {
            sim.send_exact(method, &node, &headers, "").await
        } else {
            sim.send(method, &node, &headers, "").await
        };
        assert_eq!(r.status, 400, "{method}");
        // HEAD has no body: the message also travels in WWW-Authenticate.
        let www = r.header("www-authenticate").unwrap();
        let expected = format!(
            "Unsupported {} request. Object with ID '{READY_PHONE_ID}' does not exist",
            method.to_ascii_lowercase()
        );
        assert!(www.contains(&expected), "{method}: {www}");
        if method != "HEAD" {
            assert_eq!(error(&r)["error_subcode"], 33, "{method}");
        }
    }
    for version in ["v99.0", "v999999999999.0"] {
        let r = sim.get(&format!("/{version}/x"), OLD_BSP).await;
        assert_eq!(r.status, 400, "{version}");
        assert_eq!(
            (error(&r)["code"].as_i64(), error(&r)["type"].as_str()),
            (Some(2500), Some("OAuthException")),
            "{version}"
        );
        assert_eq!(error(&r)["message"], "Unknown path components: /x");
    }
    for (path, token) in [
        (format!("/v23.0/{SOURCE_WABA}"), OLD_BSP),
        (format!("/v23.0/{READY_PHONE_ID}"), OLD_BSP),
        (format!("/v23.0/{SOURCE_WABA}/phone_numbers"), OLD_BSP),
    ] {
        let r = sim
            .get(&format!("{path}?fields=phone_numbers%7B%7B%7B%7Bid"), token)
            .await;
        assert_eq!(r.status, 400, "{path}: {}", r.text());
        assert_eq!(error(&r)["code"], 2500, "{path}");
        assert_eq!(
            error(&r)["message"],
            r#"Syntax error "Expected name." at character 14: phone_numbers{{{{id"#
        );
        let r = sim
            .get(&format!("{path}?fields=phone_numbers%7Bid"), token)
            .await;
        assert_eq!(
            error(&r)["message"],
            r#"Syntax error "Expected "}" instead of end of string." at character 16: phone_numbers{id"#
        );
    }
    // Balanced expansion still answers.
    let r = sim
        .get(
            &format!("/v23.0/{SOURCE_WABA}?fields=phone_numbers%7Bid%7D"),
            OLD_BSP,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

/// Row 14 (inferred, §6.4 [INF]; README "Behaviour choices"): a migration refusal is code
/// 100 with its 2388xxx subcode, "Invalid parameter", `is_transient`, the doc's user title
/// and message, and `error_data` as Meta's error page documents it for WhatsApp errors
/// (`messaging_product`, `details`), nothing more.
#[tokio::test]
async fn a_migration_refusal_has_the_documented_envelope_only() {
    let sim = Sim::start().await;
    let r = sim
        .post_form(
            &format!("/v23.0/{READY_PHONE_ID}/request_code"),
            OLD_BSP,
            &[("code_method", "SMS"), ("language", "en_US")],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    let e = error(&r);
    let mut keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "code",
            "error_data",
            "error_subcode",
            "error_user_msg",
            "error_user_title",
            "fbtrace_id",
            "is_transient",
            "message",
            "type"
        ]
    );
    assert_eq!(
        (
            e["code"].as_i64(),
            e["error_subcode"].as_i64(),
            e["type"].as_str(),
            e["message"].as_str(),
            e["is_transient"].as_bool()
        ),
        (
            Some(100),
            Some(2388091),
            Some("OAuthException"),
            Some("Invalid parameter"),
            Some(false)
        )
    );
    let data = e["error_data"].as_object().unwrap();
    assert_eq!(data.len(), 2, "{data:?}");
    assert_eq!(data["messaging_product"], "whatsapp");
    assert!(data["details"].is_string());
}
