//! The migration through Alibaba ChatApp over a real socket, and each facade's view of the
//! other's: a number migrated through cams as Graph serves it, a Graph migration read back
//! through cams (numbers, the copied templates, the bound WABA), the migration preconditions
//! and destination rules as business failures, the verification's 14 days, and a migrating
//! number in either phone-id mode.

mod common;

use common::cams::*;
use common::world::*;
use common::{CamsCall, Reply, Sim, Simulator};
use serde_json::{Value, json};

#[tokio::test]
async fn migration_through_cams_is_seen_through_graph() {
    let sim = sim_in("cams-to-graph").await;
    let r = sim
        .cams(
            "CreateChatappMigrationInitiate",
            &[
                ("CustSpaceId", CAMS_SPACE),
                ("CountryCode", "1"),
                ("MobileNumber", READY_NUMBER),
            ],
        )
        .await;
    assert_head(&r);
    let body = r.json();
    assert_eq!(body["Code"], "OK");
    assert_eq!(body["Data"]["Status"], "MIGRATING");
    assert_eq!(body["Data"]["PhoneNumber"], READY_E164);
    let id = body["Data"]["Id"]
        .as_str()
        .expect("Id is a string")
        .to_string();
    assert!(body.get("Success").is_none(), "the model has no Success");

    let r = sim.cams("GetPhoneNumberVerificationStatus", &READY).await;
    assert_eq!(r.json()["Data"]["CodeVerificationStatus"], "NOT_VERIFIED");
    assert_eq!(r.json()["Data"]["Id"], id.as_str());

    let mut ask = READY.to_vec();
    ask.extend([("Locale", "en_US"), ("Method", "sms")]);
    let r = sim.cams("GetMigrationVerifyCode", &ask).await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    assert_eq!(
        r.json()["Data"],
        json!({"PhoneNumber": READY_E164, "Id": id})
    );
    let code = sim.latest_code_for_number(READY_E164).await;

    // A wrong code is a business failure: HTTP 200, Code not OK, no Success in this model.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let mut verify = READY.to_vec();
    verify.push(("VerifyCode", wrong));
    let r = sim.cams("ChatappMigrationVerified", &verify).await;
    assert_eq!(outcome(&r), (400, "ERR-FB-001".into()));
    assert!(r.json().get("Success").is_none());
    let mut verify = READY.to_vec();
    verify.push(("VerifyCode", &code));
    let r = sim.cams("ChatappMigrationVerified", &verify).await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());

    let r = sim.cams("GetPhoneNumberVerificationStatus", &READY).await;
    assert_eq!(r.json()["Data"]["CodeVerificationStatus"], "VERIFIED");

    // Graph's source partner still sees the number until register.
    let r = sim
        .get(&format!("/v23.0/{SOURCE_WABA}/phone_numbers"), OLD_BSP)
        .await;
    assert!(r.text().contains(READY_PHONE_ID), "{}", r.text());

    let r = sim.cams("ChatappMigrationRegister", &READY).await;
    assert_head(&r);
    let body = r.json();
    assert_eq!(body["Code"], "OK");
    assert!(body.get("Data").is_none() && body.get("Success").is_none());

    // Graph: the source lists the number MIGRATED, the destination serves it.
    let r = sim
        .get(
            &format!("/v23.0/{SOURCE_WABA}/phone_numbers?fields=id,status"),
            OLD_BSP,
        )
        .await;
    let source: Vec<Value> = r.json()["data"].as_array().unwrap().clone();
    let record = source
        .iter()
        .find(|p| p["id"] == READY_PHONE_ID)
        .expect("the source still lists its record");
    assert_eq!(record["status"], "MIGRATED");
    let r = sim
        .get(
            &format!("/v23.0/{id}?fields=status,verified_name,quality_rating"),
            ALIBABA_TOKEN,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "CONNECTED");
    assert_eq!(r.json()["verified_name"], "Acme");
    let r = sim
        .get(
            &format!("/v23.0/{ALIBABA_WABA}/phone_numbers"),
            ALIBABA_TOKEN,
        )
        .await;
    assert!(r.text().contains(&id), "{}", r.text());
    // The source's approved GREEN templates were copied to the Alibaba WABA.
    let r = sim
        .get(
            &format!("/v23.0/{ALIBABA_WABA}/message_templates?fields=name,language,status"),
            ALIBABA_TOKEN,
        )
        .await;
    let names: Vec<String> = r.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            format!(
                "{}/{}",
                t["name"].as_str().unwrap(),
                t["language"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        names.contains(&"order_update/en_US".to_string()),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.starts_with("spring_promo")),
        "{names:?}"
    );

    // The journal names cams calls by their action, and business failures by their code.
    let r = sim
        .admin(
            "GET",
            "/__admin/requests?facade=cams&operation=ChatappMigrationVerified",
            None,
        )
        .await;
    let calls = r.json()["requests"].as_array().cloned().unwrap_or_default();
    assert_eq!(calls.len(), 2, "{}", r.text());
    let errors: Vec<&Value> = calls.iter().map(|c| &c["error"]).collect();
    assert!(errors.contains(&&json!("ERR-FB-001")), "{}", r.text());

    // And cams reads it back with Alibaba's spellings and exact JSON types.
    let r = sim
        .cams("QueryChatappPhoneNumbers", &[("CustSpaceId", CAMS_SPACE)])
        .await;
    assert_head(&r);
    insta::assert_json_snapshot!("query_phone_numbers_after_migration", redacted(&r));
}

#[tokio::test]
async fn graph_changes_are_read_through_cams() {
    let sim = sim_in("graph-to-cams").await;
    // Alibaba's own Graph token migrates the number into the WABA bound to cams-acme.
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
    let id = r.json()["id"].as_str().unwrap().to_string();

    // Mid-flow, cams sees the pending number and its verification state.
    let r = sim.cams("GetPhoneNumberVerificationStatus", &READY).await;
    assert_eq!(r.json()["Data"]["Id"], id.as_str(), "{}", r.text());
    assert_eq!(r.json()["Data"]["CodeVerificationStatus"], "NOT_VERIFIED");
    let r = sim
        .post_form(
            &format!("/v23.0/{id}/request_code"),
            ALIBABA_TOKEN,
            &[("code_method", "SMS"), ("language", "en_US")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let code = sim.latest_code(&id).await;
    let r = sim
        .post_form(
            &format!("/v23.0/{id}/verify_code"),
            ALIBABA_TOKEN,
            &[("code", &code)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = sim.cams("GetPhoneNumberVerificationStatus", &READY).await;
    assert_eq!(r.json()["Data"]["CodeVerificationStatus"], "VERIFIED");
    let r = sim
        .post_json(
            &format!("/v23.0/{id}/register"),
            ALIBABA_TOKEN,
            json!({"messaging_product": "whatsapp", "pin": "123456"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    let r = sim
        .cams("QueryChatappPhoneNumbers", &[("CustSpaceId", CAMS_SPACE)])
        .await;
    let numbers = r.json()["PhoneNumbers"].as_array().unwrap().clone();
    assert_eq!(numbers.len(), 1, "{}", r.text());
    assert_eq!(numbers[0]["Status"], "CONNECTED");
    assert_eq!(numbers[0]["IsOfficial"], "Y");
    assert_eq!(numbers[0]["NameStatus"], "Approval");
    assert_eq!(numbers[0]["MessagingLimitTier"], "TIER_10K");
    assert_eq!(r.json()["Success"], true);

    // Templates copied by the migration, in Alibaba's words.
    let r = sim
        .cams(
            "ListChatappTemplate",
            &[
                ("CustSpaceId", CAMS_SPACE),
                ("Page", r#"{"Index":1,"Size":10}"#),
            ],
        )
        .await;
    assert_head(&r);
    insta::assert_json_snapshot!("list_templates_after_migration", redacted(&r), {
        ".ListTemplate[].TemplateCode" => "[code]",
        ".ListTemplate[].LastUpdateTime" => "[ms]",
    });
    let list = r.json();
    assert!(list["Total"].is_i64());
    let rejected: Vec<&Value> = list["ListTemplate"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["AuditStatus"] == "fail")
        .collect();
    assert_eq!(rejected.len(), 1, "login_code's copy is re-categorised");
    assert_eq!(rejected[0]["Reason"], "INCORRECT_CATEGORY");

    // Paging and filters.
    let r = sim
        .cams(
            "ListChatappTemplate",
            &[("Page", r#"{"Index":2,"Size":3}"#), ("AuditStatus", "pass")],
        )
        .await;
    let page = r.json();
    // order_update (en_US, es), payment_reminder, shipping_update: approved copies.
    assert_eq!(page["Total"], 4, "{}", r.text());
    assert_eq!(page["ListTemplate"].as_array().unwrap().len(), 1);

    // Detail by code and by name name the same template; UNKNOWN for 24 hours, then GREEN.
    let order = list["ListTemplate"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["TemplateName"] == "order_update" && t["Language"] == "en_US")
        .unwrap()
        .clone();
    let code = order["TemplateCode"].as_str().unwrap();
    let by_code = sim
        .cams(
            "GetChatappTemplateDetail",
            &[
                ("CustSpaceId", CAMS_SPACE),
                ("TemplateCode", code),
                ("Language", "en_US"),
            ],
        )
        .await;
    let by_name = sim
        .cams(
            "GetChatappTemplateDetail",
            &[("TemplateName", "order_update"), ("Language", "en_US")],
        )
        .await;
    assert_eq!(by_code.json()["Data"], by_name.json()["Data"]);
    assert_eq!(by_code.json()["Data"]["QualityScore"], "UNKNOWN");
    insta::assert_json_snapshot!("template_detail", redacted(&by_code), {
        ".Data.TemplateCode" => "[code]",
    });
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "25h"})),
    )
    .await;
    let r = sim
        .cams(
            "GetChatappTemplateDetail",
            &[("TemplateCode", code), ("Language", "en_US")],
        )
        .await;
    assert_eq!(r.json()["Data"]["QualityScore"], "GREEN");
    let r = sim
        .cams(
            "GetChatappTemplateDetail",
            &[("TemplateName", "no_such"), ("Language", "en_US")],
        )
        .await;
    assert_eq!(outcome(&r), (400, "DetailError.TemplateNotExist".into()));
    assert!(r.json().get("Success").is_none(), "{}", r.text());

    // The WABA as QueryChatappBindWaba shows it (the only space is meant without CustSpaceId).
    let r = sim.cams("QueryChatappBindWaba", &[]).await;
    insta::assert_json_snapshot!("bind_waba", redacted(&r));
}

#[tokio::test]
async fn the_ready_number_migrates_through_either_facade_in_separate_namespaces() {
    let mut sim = sim_in("via-cams").await;
    let cams_id = sim.cams_migrate_fully().await;
    let r = sim
        .get(&format!("/v23.0/{cams_id}?fields=status"), ALIBABA_TOKEN)
        .await;
    assert_eq!(r.json()["status"], "CONNECTED");
    let r = sim
        .get(
            &format!("/v23.0/{ALIBABA_WABA}/phone_numbers"),
            ALIBABA_TOKEN,
        )
        .await;
    assert!(r.text().contains(&cams_id));

    sim.namespace = Some("via-graph".into());
    let graph_id = sim.migrate_fully(DEST_WABA).await;
    let r = sim
        .get(&format!("/v23.0/{graph_id}?fields=status"), NEW_BSP)
        .await;
    assert_eq!(r.json()["status"], "CONNECTED");
    // In this world cams never saw the number.
    let r = sim
        .cams("QueryChatappPhoneNumbers", &[("CustSpaceId", CAMS_SPACE)])
        .await;
    assert_eq!(r.json()["PhoneNumbers"], json!([]));
    // The same rules hold across facades: registering through Graph set a two-step PIN, so
    // the number cannot move on to Alibaba until it is disabled.
    let r = sim
        .cams(
            "CreateChatappMigrationInitiate",
            &[
                ("CustSpaceId", CAMS_SPACE),
                ("CountryCode", "1"),
                ("MobileNumber", READY_NUMBER),
            ],
        )
        .await;
    assert_eq!(outcome(&r), (400, "ERR-FB-001".into()));
}

#[tokio::test]
async fn migration_preconditions_answer_business_failures() {
    let sim = sim_in("preconditions").await;
    for (number, code) in [
        ("5550100002", "ERR-FB-001"),
        ("5550100003", "ERR-FB-001"),
        ("5550100004", "ERR-FB-001"),
        ("5550100005", "ERR-FB-001"),
        ("5550100006", "ERR-FB-001"),
        ("5550100007", "ERR-FB-001"),
        ("5550100008", "ERR-FB-001"),
        ("5550100009", "ERR-FB-001"),
        ("5550100099", "ERR-FB-001"),
        ("12", "InvalidParameter.PhoneNumberError"),
    ] {
        let r = sim
            .cams(
                "CreateChatappMigrationInitiate",
                &[
                    ("CustSpaceId", CAMS_SPACE),
                    ("CountryCode", "1"),
                    ("MobileNumber", number),
                ],
            )
            .await;
        assert_eq!(
            outcome(&r),
            (400, code.to_string()),
            "{number}: {}",
            r.text()
        );
        assert!(r.json().get("Success").is_none());
        assert!(r.json().get("Data").is_none());
    }
    // Verify-code steps on a number that is not being migrated.
    let r = sim
        .cams(
            "GetMigrationVerifyCode",
            &[
                ("CustSpaceId", CAMS_SPACE),
                ("PhoneNumber", "15550100002"),
                ("Locale", "en_US"),
                ("Method", "SMS"),
            ],
        )
        .await;
    // H4: a number the space does not hold.
    assert_eq!(outcome(&r), (400, "ERR-OPERATION-MAAP-0065".into()));
    insta::assert_json_snapshot!("business_failure", redacted(&r));
}

/// Alibaba WABAs that each break one destination rule, and a key of another partner.
fn destination_rules_fixture() -> wabasim::Fixture {
    let text = include_str!("../fixtures/cams-destinations.yaml");
    wabasim::Fixture::parse(text, "fixtures/cams-destinations.yaml").expect("fixture parses")
}

#[tokio::test]
async fn destination_rules_and_foreign_spaces() {
    let started = Simulator::start_with(wabasim::Options {
        fixture: Some(destination_rules_fixture()),
        ..Default::default()
    })
    .await
    .unwrap();
    let sim = Sim::with(started);
    for (space, number, code) in [
        ("cams-no-payment", READY_NUMBER, "ERR-FB-001"),
        ("cams-no-app", READY_NUMBER, "ERR-FB-001"),
        ("cams-pending", READY_NUMBER, "ERR-FB-001"),
        ("cams-globex", READY_NUMBER, "ERR-FB-001"),
        ("cams-initech", "5550100008", "ERR-FB-001"),
    ] {
        let r = sim
            .cams(
                "CreateChatappMigrationInitiate",
                &[
                    ("CustSpaceId", space),
                    ("CountryCode", "1"),
                    ("MobileNumber", number),
                ],
            )
            .await;
        assert_eq!(
            outcome(&r),
            (400, code.to_string()),
            "{space}: {}",
            r.text()
        );
    }
    // With several spaces, the query operations need to be told which.
    let r = sim.cams("QueryChatappBindWaba", &[]).await;
    assert_eq!(
        outcome(&r),
        (400, "InvalidParameter".into()),
        "{}",
        r.text()
    );
    // Another partner's key cannot use Alibaba's space.
    let mut call = CamsCall::new("QueryChatappBindWaba", &[("CustSpaceId", CAMS_SPACE)]);
    call.access_key = "new-bsp-ak";
    call.secret = "new-bsp-secret";
    assert_eq!(
        outcome(&sim.cams_call(call).await),
        (400, "Unknown.ResourceOwnerId".into())
    );
}

#[tokio::test]
async fn a_verification_is_valid_for_fourteen_days() {
    let sim = sim_in("validity").await;
    sim.cams(
        "CreateChatappMigrationInitiate",
        &[
            ("CustSpaceId", CAMS_SPACE),
            ("CountryCode", "1"),
            ("MobileNumber", READY_NUMBER),
        ],
    )
    .await;
    let mut ask = READY.to_vec();
    ask.extend([("Locale", "en_US"), ("Method", "Voice")]);
    assert_eq!(
        outcome(&sim.cams("GetMigrationVerifyCode", &ask).await).1,
        "OK"
    );
    let code = sim.latest_code_for_number(READY_E164).await;
    let mut verify = READY.to_vec();
    verify.push(("VerifyCode", &code));
    assert_eq!(
        outcome(&sim.cams("ChatappMigrationVerified", &verify).await).1,
        "OK"
    );
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "13d"})),
    )
    .await;
    let r = sim.cams("GetPhoneNumberVerificationStatus", &READY).await;
    assert_eq!(r.json()["Data"]["CodeVerificationStatus"], "VERIFIED");
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "2d"})),
    )
    .await;
    let r = sim.cams("GetPhoneNumberVerificationStatus", &READY).await;
    assert_eq!(r.json()["Data"]["CodeVerificationStatus"], "EXPIRED");
    // Registering now needs a new verification.
    let r = sim.cams("ChatappMigrationRegister", &READY).await;
    assert_eq!(outcome(&r), (400, "ERR-FB-001".into()));
}

#[tokio::test]
async fn a_migrating_number_reads_pending_in_query_and_sync_in_either_id_mode() {
    for (name, fixture) in [
        ("pending-new-id", wabasim::DEFAULT_FIXTURE.to_string()),
        (
            "pending-keep-id",
            default_fixture_with(
                "\nseed: 7\n",
                "\nseed: 7\nsettings: {migration_keeps_phone_id: true}\n",
            ),
        ),
    ] {
        let sim = namespace_with_fixture(name, fixture).await;
        let r = sim
            .cams(
                "CreateChatappMigrationInitiate",
                &[
                    ("CustSpaceId", CAMS_SPACE),
                    ("CountryCode", "1"),
                    ("MobileNumber", READY_NUMBER),
                ],
            )
            .await;
        assert_eq!(r.json()["Data"]["Status"], "MIGRATING", "{name}");
        for action in ["QueryChatappPhoneNumbers", "ChatappSyncPhoneNumber"] {
            let r = sim.cams(action, &[("CustSpaceId", CAMS_SPACE)]).await;
            let listed: Vec<(String, String)> = r.json()["PhoneNumbers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| {
                    (
                        n["PhoneNumber"].as_str().unwrap().to_string(),
                        n["Status"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            assert!(
                listed.contains(&(READY_E164.to_string(), "PENDING".to_string())),
                "{name} {action}: {listed:?}"
            );
        }
        let r = sim
            .cams(
                "QueryChatappPhoneNumbers",
                &[("CustSpaceId", CAMS_SPACE), ("Status", "PENDING")],
            )
            .await;
        assert_eq!(
            r.json()["PhoneNumbers"][0]["PhoneNumber"],
            READY_E164,
            "{name}"
        );
        // Through to registration: CONNECTED, listed once.
        let mut ask = READY.to_vec();
        ask.extend([("Locale", "en_US"), ("Method", "SMS")]);
        sim.cams("GetMigrationVerifyCode", &ask).await;
        let code = sim.latest_code_for_number(READY_E164).await;
        let mut verify = READY.to_vec();
        verify.push(("VerifyCode", &code));
        assert_eq!(
            sim.cams("ChatappMigrationVerified", &verify).await.json()["Code"],
            "OK"
        );
        assert_eq!(
            sim.cams("ChatappMigrationRegister", &READY).await.json()["Code"],
            "OK"
        );
        let r = sim
            .cams("QueryChatappPhoneNumbers", &[("CustSpaceId", CAMS_SPACE)])
            .await;
        let mine: Vec<Value> = r.json()["PhoneNumbers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["PhoneNumber"] == READY_E164)
            .cloned()
            .collect();
        assert_eq!(mine.len(), 1, "{name}: {}", r.text());
        assert_eq!(mine[0]["Status"], "CONNECTED", "{name}");
    }
}

/// alibaba-cams.md §7.1 ("a one-time verification ... is valid for 14 days ... if verified,
/// you do not need to call GetMigrationVerifyCode"): a verification made for an earlier
/// attempt at migrating the number carries over; the fixture's verification of the
/// registered number does not. The same with and without `migration_keeps_phone_id`.
#[tokio::test]
async fn an_earlier_attempts_verification_skips_the_code_in_either_id_mode() {
    for keep in [false, true] {
        let text = wabasim::DEFAULT_FIXTURE.replace(
            "seed: 7\n",
            &format!("seed: 7\nsettings: {{migration_keeps_phone_id: {keep}}}\n"),
        );
        let sim = Sim::with(
            Simulator::start_with(wabasim::Options {
                fixture: Some(wabasim::Fixture::parse(&text, "mode").unwrap()),
                ..Default::default()
            })
            .await
            .unwrap(),
        );
        let start = [
            ("CustSpaceId", CAMS_SPACE),
            ("CountryCode", "1"),
            ("MobileNumber", READY_NUMBER),
        ];
        let status = |r: Reply| r.json()["Data"]["CodeVerificationStatus"].clone();
        // A first attempt: not verified, whatever the fixture says of the registered number.
        let r = sim.cams("CreateChatappMigrationInitiate", &start).await;
        assert_eq!(outcome(&r).1, "OK", "keep={keep}");
        let r = sim.cams("GetPhoneNumberVerificationStatus", &READY).await;
        assert_eq!(status(r), "NOT_VERIFIED", "keep={keep}");
        let r = sim.cams("ChatappMigrationRegister", &READY).await;
        assert_eq!(outcome(&r), (400, "ERR-FB-001".into()), "keep={keep}");
        // New BSP's attempt through Graph supersedes it and verifies the number.
        let id = sim.migrate(DEST_WABA, READY_NUMBER).await.json()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = sim
            .post_form(
                &format!("/v23.0/{id}/request_code"),
                NEW_BSP,
                &[("code_method", "SMS"), ("language", "en_US")],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let code = sim.latest_code(&id).await;
        let r = sim
            .post_form(
                &format!("/v23.0/{id}/verify_code"),
                NEW_BSP,
                &[("code", &code)],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        // Alibaba starts again: verified by the earlier attempt, registered without a code.
        let r = sim.cams("CreateChatappMigrationInitiate", &start).await;
        assert_eq!(outcome(&r).1, "OK", "keep={keep}");
        let r = sim.cams("GetPhoneNumberVerificationStatus", &READY).await;
        assert_eq!(status(r), "VERIFIED", "keep={keep}");
        let r = sim.cams("ChatappMigrationRegister", &READY).await;
        assert_eq!(outcome(&r), (200, "OK".into()), "keep={keep}");
        // New BSP's superseded attempt answers as a number that is not being migrated.
        let r = sim
            .post_form(
                &format!("/v23.0/{id}/request_code"),
                NEW_BSP,
                &[("code_method", "SMS"), ("language", "en_US")],
            )
            .await;
        let code = r.json()["error"]["error_subcode"].clone();
        if keep {
            // The record moved to Alibaba's WABA with its id: New BSP no longer sees it.
            assert_eq!(code, 33, "{}", r.text());
        } else {
            assert_eq!(code, 2388091, "{}", r.text());
        }
    }
}
