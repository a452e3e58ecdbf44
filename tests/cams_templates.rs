//! Templates through Alibaba ChatApp over a real socket: created through cams and reviewed on
//! the world's clock (and seen through Graph), the content rules' documented codes on both
//! facades, and the inputs (TTL, opt-out and URL buttons, examples) kept and read back.

mod common;

use common::cams::*;
use common::world::*;
use serde_json::json;

#[tokio::test]
async fn templates_created_through_cams_follow_the_world_review() {
    let sim = sim_in("templates").await;
    let components = r#"[{"Buttons":[],"Cards":[],"Text":"Olá {{1}}, your order shipped","Type":"BODY"},{"Type":"BUTTONS","Buttons":[{"Type":"QUICK_REPLY","Text":"Thanks"}],"Cards":[]}]"#;
    let create = [
        ("CustSpaceId", CAMS_SPACE),
        ("TemplateType", "WHATSAPP"),
        ("Name", "order_shipped"),
        ("Language", "pt_BR"),
        ("Category", "UTILITY"),
        ("AllowCategoryChange", "True"),
        ("Components", components),
        ("Example", r#"{"$(name)":"Zé"}"#),
    ];
    let r = sim.cams("CreateChatappTemplate", &create).await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    assert_eq!(r.json()["Success"], true);
    assert_eq!(r.json()["Data"]["TemplateName"], "order_shipped");
    let code = r.json()["Data"]["TemplateCode"]
        .as_str()
        .unwrap()
        .to_string();

    // A second template with the same name and language: the English, Japanese and
    // Indonesian CAMS error pages' code.
    let r = sim.cams("CreateChatappTemplate", &create).await;
    assert_eq!(
        outcome(&r),
        (400, "InvalidParameter.TemplateNameExist".into())
    );

    let detail = [("TemplateCode", code.as_str()), ("Language", "pt_BR")];
    let r = sim.cams("GetChatappTemplateDetail", &detail).await;
    assert_eq!(r.json()["Data"]["AuditStatus"], "auditing", "{}", r.text());
    assert_eq!(r.json()["Data"]["AllowSend"], false);
    assert_eq!(
        r.json()["Data"]["Components"],
        json!([
            {"Type": "BODY", "Text": "Olá {{1}}, your order shipped"},
            {"Type": "BUTTONS", "Buttons": [{"Type": "QUICK_REPLY", "Text": "Thanks"}]}
        ])
    );
    // Graph sees the same template; review finishes on the world's clock.
    let r = sim
        .get(
            &format!("/v23.0/{ALIBABA_WABA}/message_templates?name=order_shipped&fields=name,status,components"),
            ALIBABA_TOKEN,
        )
        .await;
    assert_eq!(r.json()["data"][0]["status"], "PENDING", "{}", r.text());
    assert_eq!(
        r.json()["data"][0]["components"][0]["text"],
        "Olá {{1}}, your order shipped"
    );
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "2m"})),
    )
    .await;
    let r = sim.cams("GetChatappTemplateDetail", &detail).await;
    assert_eq!(r.json()["Data"]["AuditStatus"], "pass");
    assert_eq!(r.json()["Data"]["AllowSend"], true);

    for (param, value, code) in [
        ("Name", "Bad Name", "InvalidParameter.CreateError"),
        ("Components", "{not json", "InvalidParameter.CreateError"),
        (
            "Components",
            r#"{"Type":"BODY"}"#,
            "InvalidParameter.CreateError",
        ),
        (
            "TemplateType",
            "SMS",
            "InvalidParameter.TemplateTypeNotSupport",
        ),
        ("Category", "SPAM", "InvalidParameter"),
    ] {
        let mut bad: Vec<(&str, &str)> = create
            .iter()
            .copied()
            .filter(|(k, _)| *k != param)
            .collect();
        bad.push((param, value));
        let r = sim.cams("CreateChatappTemplate", &bad).await;
        assert_eq!(
            outcome(&r),
            (400, code.to_string()),
            "{param}={value}: {}",
            r.text()
        );
    }
    let r = sim
        .cams("ListChatappTemplate", &[("Page", "{\"Index\":0}")])
        .await;
    assert_eq!(outcome(&r), (400, "InvalidParameter.PageInvalid".into()));
    let r = sim
        .cams(
            "ListChatappTemplate",
            &[
                ("Page", r#"{"Index":1,"Size":10}"#),
                ("TemplateType", "VIBER"),
            ],
        )
        .await;
    assert_eq!(
        (r.json()["Total"].clone(), r.json()["ListTemplate"].clone()),
        (json!(0), json!([]))
    );
}

#[tokio::test]
async fn template_content_rules_answer_the_documented_codes_on_both_facades() {
    let sim = sim_in("template-rules").await;
    let body = r#"{"Type":"BODY","Text":"Hi {{1}}"}"#;
    // (components after the BODY, language, Alibaba code, Graph subcode or None)
    let cases: [(&str, &str, &str, Option<u32>); 8] = [
        (
            r#",{"Type":"FOOTER","Text":"Reply {{1}}"}"#,
            "en_US",
            "InvalidParameter.FooterHaveVariable",
            Some(2388073),
        ),
        (
            r#",{"Type":"HEADER","Format":"TEXT","Text":"{{1}} and {{2}}"}"#,
            "en_US",
            "InvalidParameter.HeaderMoreVarable",
            Some(2388047),
        ),
        (
            r#",{"Type":"HEADER","Format":"AUDIO"}"#,
            "en_US",
            "InvalidParameter.HeaderTypeNotSupport",
            Some(2388047),
        ),
        (
            r#",{"Type":"BUTTONS","Buttons":[{"Type":"QUICK_REPLY","Text":"Hi {{1}}"}]}"#,
            "en_US",
            "InvalidParameter.ButtonTextHaveVariable",
            None,
        ),
        (
            r#",{"Type":"BUTTONS","Buttons":[{"Type":"URL","Text":"Go","Url":"https://x.example/{{1}}/{{2}}"}]}"#,
            "en_US",
            "InvalidParameter.UrlMoreVarable",
            None,
        ),
        (
            r#",{"Type":"NOPE"}"#,
            "en_US",
            "InvalidParameter.MessageInvalid",
            None,
        ),
        ("", "xx_YY", "InvalidParameter.LanguageNotSupport", None),
        (
            "MISSING_BODY",
            "en_US",
            "InvalidParameter.MessageInvalid",
            Some(2388072),
        ),
    ];
    for (i, (extra, language, code, subcode)) in cases.iter().enumerate() {
        let components = if *extra == "MISSING_BODY" {
            r#"[{"Type":"FOOTER","Text":"Thanks"}]"#.to_string()
        } else {
            format!("[{body}{extra}]")
        };
        let name = format!("rule_{i}");
        let r = sim
            .cams(
                "CreateChatappTemplate",
                &[
                    ("CustSpaceId", CAMS_SPACE),
                    ("TemplateType", "WHATSAPP"),
                    ("Name", &name),
                    ("Language", language),
                    ("Category", "UTILITY"),
                    ("Components", &components),
                ],
            )
            .await;
        assert_eq!(
            outcome(&r),
            (400, code.to_string()),
            "{components}: {}",
            r.text()
        );
        assert!(r.json().get("Success").is_none(), "{}", r.text());

        // The same template through Graph, in Meta's component keys.
        let meta = components
            .replace("\"Type\"", "\"type\"")
            .replace("\"Text\"", "\"text\"")
            .replace("\"Format\"", "\"format\"")
            .replace("\"Buttons\"", "\"buttons\"")
            .replace("\"Url\"", "\"url\"");
        let r = sim
            .post_form(
                &format!("/v23.0/{DEST_WABA}/message_templates"),
                NEW_BSP,
                &[
                    ("name", &name),
                    ("language", language),
                    ("category", "UTILITY"),
                    ("components", &meta),
                ],
            )
            .await;
        assert_eq!(r.status, 400, "{meta}: {}", r.text());
        let e = &r.json()["error"];
        assert_eq!(e["code"], 100, "{meta}: {}", r.text());
        assert_eq!(
            e["error_subcode"].as_u64().map(|s| s as u32),
            *subcode,
            "{meta}: {}",
            r.text()
        );
        if *language == "en_US" && !extra.contains("NOPE") {
            assert_eq!(
                e["error_data"]["blame_field_specs"],
                json!([["components"]])
            );
            assert!(e["error_user_title"].is_string());
        }
    }
    // Nothing was created by either facade.
    let r = sim
        .get(
            &format!("/v23.0/{DEST_WABA}/message_templates?name=rule_&fields=name"),
            NEW_BSP,
        )
        .await;
    assert_eq!(r.json()["data"], json!([]), "{}", r.text());
    let r = sim
        .cams(
            "ListChatappTemplate",
            &[("Page", r#"{"Index":1,"Size":100}"#), ("Name", "rule_")],
        )
        .await;
    assert_eq!(r.json()["Total"], 0, "{}", r.text());

    // A good one passes on both; a duplicate is TemplateNameExist on cams, 2388024 on Graph.
    let good = format!(
        r#"[{body},{{"Type":"FOOTER","Text":"Thanks"}},{{"Type":"BUTTONS","Buttons":[{{"Type":"URL","Text":"Track","Url":"https://x.example/{{{{1}}}}"}}]}}]"#
    );
    let create = [
        ("CustSpaceId", CAMS_SPACE),
        ("TemplateType", "WHATSAPP"),
        ("Name", "rule_ok"),
        ("Language", "en_US"),
        ("Category", "UTILITY"),
        ("Components", good.as_str()),
    ];
    let r = sim.cams("CreateChatappTemplate", &create).await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    let r = sim.cams("CreateChatappTemplate", &create).await;
    assert_eq!(
        outcome(&r),
        (400, "InvalidParameter.TemplateNameExist".into())
    );
    let r = sim
        .post_form(
            &format!("/v23.0/{ALIBABA_WABA}/message_templates"),
            ALIBABA_TOKEN,
            &[
                ("name", "rule_ok"),
                ("language", "en_US"),
                ("category", "UTILITY"),
                ("components", r#"[{"type":"BODY","text":"Hi"}]"#),
            ],
        )
        .await;
    assert_eq!(r.json()["error"]["error_subcode"], 2388024, "{}", r.text());
}

#[tokio::test]
async fn template_inputs_are_kept_and_read_back() {
    let sim = sim_in("template-echo").await;
    let components = r#"[{"Type":"BODY","Text":"Sale {{1}}"},{"Type":"BUTTONS","Buttons":[{"Type":"QUICK_REPLY","Text":"Stop promotions","IsOptOut":true},{"Type":"URL","Text":"Shop","Url":"https://x.example/{{1}}","UrlType":"dynamic"}]}]"#;
    let r = sim
        .cams(
            "CreateChatappTemplate",
            &[
                ("CustSpaceId", CAMS_SPACE),
                ("TemplateType", "WHATSAPP"),
                ("Name", "spring_echo"),
                ("Language", "en_US"),
                ("Category", "MARKETING"),
                ("Components", components),
                ("CategoryChangePaused", "True"),
                ("MessageSendTtlSeconds", "600"),
                ("Example", r#"{"1":"20%"}"#),
            ],
        )
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    let detail = [("TemplateName", "spring_echo"), ("Language", "en_US")];
    let r = sim.cams("GetChatappTemplateDetail", &detail).await;
    let data = &r.json()["Data"];
    assert_eq!(data["CategoryChangePaused"], true, "{}", r.text());
    assert_eq!(data["MessageSendTtlSeconds"], 600);
    assert_eq!(data["Example"], json!({"1": "20%"}));
    assert_eq!(
        data["Components"][1]["Buttons"],
        json!([
            {"Type": "QUICK_REPLY", "Text": "Stop promotions", "IsOptOut": true},
            {"Type": "URL", "Text": "Shop", "Url": "https://x.example/{{1}}", "UrlType": "dynamic"}
        ])
    );
    // Graph has the TTL (PYSDK and pywa ask for it), and not the ChatApp-only keys.
    let r = sim
        .get(
            &format!("/v23.0/{ALIBABA_WABA}/message_templates?name=spring_echo&fields=name,message_send_ttl_seconds,components"),
            ALIBABA_TOKEN,
        )
        .await;
    let t = &r.json()["data"][0];
    assert_eq!(t["message_send_ttl_seconds"], 600, "{}", r.text());
    assert!(!t["components"].to_string().contains("UrlType"));
    // A template without a TTL has no such field.
    let r = sim
        .get(
            &format!("/v23.0/{ALIBABA_WABA}/message_templates?name=order_update&fields=name,message_send_ttl_seconds"),
            ALIBABA_TOKEN,
        )
        .await;
    assert!(
        r.json()["data"][0]
            .get("message_send_ttl_seconds")
            .is_none(),
        "{}",
        r.text()
    );

    // LastUpdateTime moves when the review is decided.
    let list = [
        ("Page", r#"{"Index":1,"Size":100}"#),
        ("Name", "spring_echo"),
    ];
    let before =
        sim.cams("ListChatappTemplate", &list).await.json()["ListTemplate"][0]["LastUpdateTime"]
            .as_i64()
            .unwrap();
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "2m"})),
    )
    .await;
    let item = sim.cams("ListChatappTemplate", &list).await.json()["ListTemplate"][0].clone();
    assert_eq!(item["AuditStatus"], "pass");
    let after = item["LastUpdateTime"].as_i64().unwrap();
    assert_eq!(
        after - before,
        60_000,
        "the review decides one minute after creation"
    );
}
