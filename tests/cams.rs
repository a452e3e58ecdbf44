//! The Alibaba ChatApp facade over a real socket: the migration through cams, seen through
//! Graph (and the reverse for reads), the gateway's refusals, both signers, old-SDK form
//! bodies, the registration flow, templates and the fixture's rule numbers.

mod common;

use common::world::*;
use common::{CamsCall, Reply, Sim, Simulator};
use serde_json::{Value, json};

fn outcome(r: &Reply) -> (u16, String) {
    (
        r.status,
        r.json()["Code"].as_str().unwrap_or("").to_string(),
    )
}

async fn sim_in(ns: &str) -> Sim {
    let mut sim = Sim::start().await;
    sim.namespace = Some(ns.to_string());
    sim
}

const READY: [(&str, &str); 2] = [("CustSpaceId", CAMS_SPACE), ("PhoneNumber", READY_E164)];

/// Every answer's head: JSON content type, and the body's RequestId (an upper-case UUID) in
/// `x-acs-request-id`.
fn assert_head(r: &Reply) {
    assert_eq!(
        r.header("content-type"),
        Some("application/json;charset=utf-8")
    );
    let id = r.json()["RequestId"].as_str().unwrap().to_string();
    assert_eq!(r.header("x-acs-request-id"), Some(id.as_str()));
    let groups: Vec<usize> = id.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
    assert!(
        id.bytes()
            .all(|b| b == b'-' || b.is_ascii_digit() || b.is_ascii_uppercase())
    );
}

fn redacted(r: &Reply) -> Value {
    let mut v = r.json();
    v["RequestId"] = json!("[request-id]");
    if v.get("Recommend").is_some() {
        v["Recommend"] = json!("[recommend]");
    }
    v
}

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
async fn gateway_refusals_use_the_alibaba_envelope() {
    let sim = sim_in("gateway").await;
    let query = [("CustSpaceId", CAMS_SPACE)];

    let mut call = CamsCall::new("QueryChatappBindWaba", &query);
    call.secret = "not-the-secret";
    let r = sim.cams_call(call).await;
    assert_head(&r);
    assert_eq!(outcome(&r), (400, "SignatureDoesNotMatch".into()));
    let body = r.json();
    assert_eq!(body["HostId"], "cams.ap-southeast-1.aliyuncs.com");
    assert!(
        body["Message"]
            .as_str()
            .unwrap()
            .starts_with("Specified signature is not matched with our calculation.")
    );
    assert!(
        body["Recommend"]
            .as_str()
            .unwrap()
            .contains("SignatureDoesNotMatch")
    );

    let mut call = CamsCall::new("QueryChatappBindWaba", &query);
    call.access_key = "nobody";
    assert_eq!(
        outcome(&sim.cams_call(call).await),
        (404, "InvalidAccessKeyId.NotFound".into())
    );

    // Not signed at all: an Alibaba request (it names an action), so an Alibaba answer.
    let r = sim
        .send_exact(
            "POST",
            "/?CustSpaceId=cams-acme",
            &[
                ("x-acs-action", "QueryChatappBindWaba"),
                ("x-acs-version", "2020-06-06"),
            ],
            "",
        )
        .await;
    assert_head(&r);
    assert_eq!(outcome(&r), (400, "IncompleteSignature".into()));

    let r = sim.cams("GetPhoneNumberVerificationStatus", &query).await;
    assert_eq!(outcome(&r), (400, "MissingParameter".into()));
    assert_eq!(
        r.json()["Message"],
        "The input parameter \"PhoneNumber\" that is mandatory for processing this request is not supplied."
    );
    insta::assert_json_snapshot!("missing_parameter", redacted(&r));

    // H5: a real action wabasim does not simulate is told apart from a name that is none.
    let r = sim.cams("DeleteChatappTemplate", &query).await;
    assert_head(&r);
    assert_eq!(outcome(&r), (501, "Wabasim.NotSimulated".into()));
    assert!(
        r.json()["Message"]
            .as_str()
            .unwrap()
            .contains("DeleteChatappTemplate")
    );
    let r = sim.cams("DeleteChatappTemplates", &query).await;
    assert_eq!(outcome(&r), (404, "InvalidAction.NotFound".into()));

    // The legacy V2 signer is accepted too.
    let r = sim
        .cams_v2("QueryChatappBindWaba", &query, CAMS_SECRET)
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());

    // Dates are checked against the wall clock, 15 minutes either way.
    let now = wabasim::clock::wall_now();
    for (offset_min, ok) in [(-60, false), (-14, true), (14, true), (20, false)] {
        let mut call = CamsCall::new("QueryChatappBindWaba", &query);
        call.date = Some((now + wabasim::Duration::minutes(offset_min)).rfc3339());
        let r = sim.cams_call(call).await;
        let expected = if ok { "OK" } else { "InvalidTimeStamp.Expired" };
        assert_eq!(
            r.json()["Code"],
            expected,
            "offset {offset_min} min: {}",
            r.text()
        );
    }
    let mut call = CamsCall::new("QueryChatappBindWaba", &query);
    call.date = Some("yesterday".into());
    assert_eq!(
        outcome(&sim.cams_call(call).await),
        (400, "InvalidTimeStamp.Format".into())
    );

    // A nonce is good once.
    let nonce = common::fresh_nonce();
    let mut first = CamsCall::new("QueryChatappBindWaba", &query);
    first.nonce = Some(nonce.clone());
    assert_eq!(outcome(&sim.cams_call(first).await), (200, "OK".into()));
    let mut again = CamsCall::new("QueryChatappBindWaba", &query);
    again.nonce = Some(nonce);
    assert_eq!(
        outcome(&sim.cams_call(again).await),
        (400, "SignatureNonceUsed".into())
    );

    // A CustSpaceId no WABA is bound to (M1: ERR-OPERATION-MAAP-0060).
    let r = sim
        .cams("QueryChatappBindWaba", &[("CustSpaceId", "cams-nobody")])
        .await;
    assert_eq!(outcome(&r), (400, "ERR-OPERATION-MAAP-0060".into()));
    assert_eq!(r.json()["Message"], "The subscriber has not bind WABA.");

    // A boolean or integer parameter the gateway cannot read: a gateway `InvalidParameter`,
    // HTTP 400 (M2).
    let r = sim
        .cams(
            "GetChatappPhoneNumberMetric",
            &[("Start", "yesterday"), ("End", "1700000000000")],
        )
        .await;
    assert_head(&r);
    assert_eq!(outcome(&r), (400, "InvalidParameter".into()));
    assert_eq!(r.json()["HostId"], "cams.ap-southeast-1.aliyuncs.com");
    let r = sim
        .cams(
            "GetChatappPhoneNumberMetric",
            &[
                ("Start", "1700000000000"),
                ("End", "1700086400000"),
                ("Granularity", "HOUR"),
            ],
        )
        .await;
    assert_eq!(outcome(&r), (400, "InvalidParameter".into()));

    // A date with a space for `T` is not the signed format.
    let mut call = CamsCall::new("QueryChatappBindWaba", &query);
    call.date = Some(common::acs_date_now().replace('T', " "));
    assert_eq!(
        outcome(&sim.cams_call(call).await),
        (400, "InvalidTimeStamp.Format".into())
    );

    // A hand-made V2 request (no x-acs-* headers) lacking Version or Action is still
    // Alibaba's: MissingParameter in the Alibaba envelope, not Graph's error.
    for (action, version, missing) in [
        (Some("QueryChatappBindWaba"), None, "Version"),
        (None, Some("2020-06-06"), "Action"),
    ] {
        let r = sim
            .cams_v2_with(action, version, &query, CAMS_SECRET, false)
            .await;
        assert_head(&r);
        assert_eq!(
            outcome(&r),
            (400, "MissingParameter".into()),
            "{}",
            r.text()
        );
        assert!(r.json()["Message"].as_str().unwrap().contains(missing));
        assert_eq!(r.json()["HostId"], "cams.ap-southeast-1.aliyuncs.com");
    }
    let r = sim
        .cams_v2_with(
            Some("QueryChatappBindWaba"),
            Some("2020-06-06"),
            &query,
            CAMS_SECRET,
            false,
        )
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
}

#[tokio::test]
async fn a_wrong_version_and_a_replayed_request_are_refused() {
    let sim = sim_in("version").await;
    // Signed with x-acs-version 2020-06-06 but sent as 2017-05-25: the signature breaks.
    let host = sim.sim.address().to_string();
    let date = common::acs_date_now();
    let nonce = common::fresh_nonce();
    let ns = "version";
    let signed = wabasim::api::cams::signature::V3Call {
        host: &host,
        action: "QueryChatappBindWaba",
        query: &[],
        body: b"",
        content_type: None,
        date: &date,
        nonce: &nonce,
        extra_headers: &[("x-wabasim-namespace", ns)],
    }
    .sign(CAMS_AK, CAMS_SECRET);
    let headers: Vec<(&str, &str)> = signed
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let r = sim.send_exact("POST", "/", &headers, "").await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    // The very same bytes again: a replay.
    let r = sim.send_exact("POST", "/", &headers, "").await;
    assert_eq!(outcome(&r), (400, "SignatureNonceUsed".into()));
    // A tampered version.
    let tampered: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| {
            if *n == "x-acs-version" {
                (*n, "2017-05-25")
            } else {
                (*n, *v)
            }
        })
        .collect();
    let r = sim.send_exact("POST", "/", &tampered, "").await;
    assert_eq!(outcome(&r), (400, "SignatureDoesNotMatch".into()));

    // Properly signed for another version: the gateway names the version.
    let r = sim
        .send_exact(
            "POST",
            &format!("/?{}", {
                use wabasim::api::cams::signature::{SignedRequest, encode_query, sign_v2};
                let d = common::acs_date_now();
                let n = common::fresh_nonce();
                let params = [
                    ("Action", "QueryChatappBindWaba"),
                    ("Version", "2017-05-25"),
                    ("Timestamp", d.as_str()),
                    ("SignatureNonce", n.as_str()),
                    ("SignatureMethod", "HMAC-SHA1"),
                    ("SignatureVersion", "1.0"),
                    ("AccessKeyId", CAMS_AK),
                ];
                let q = encode_query(&params);
                let sig = sign_v2(
                    &SignedRequest {
                        method: "POST",
                        path: "/",
                        raw_query: &q,
                        headers: &[],
                        body: b"",
                    },
                    CAMS_SECRET,
                );
                format!("{q}&{}", encode_query(&[("Signature", &sig)]))
            }),
            &[("x-wabasim-namespace", ns)],
            "",
        )
        .await;
    assert_eq!(outcome(&r), (400, "InvalidVersion".into()), "{}", r.text());
}

#[tokio::test]
async fn signatures_follow_the_wall_clock_whatever_the_world_clock_says() {
    let sim = sim_in("far-future").await;
    let r = sim
        .admin(
            "POST",
            "/__admin/clock/set",
            Some(json!({"to": "2031-06-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = sim
        .cams("QueryChatappBindWaba", &[("CustSpaceId", CAMS_SPACE)])
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    let mut call = CamsCall::new("QueryChatappBindWaba", &[("CustSpaceId", CAMS_SPACE)]);
    call.date = Some("2031-06-01T00:00:00Z".into());
    assert_eq!(
        outcome(&sim.cams_call(call).await),
        (400, "InvalidTimeStamp.Expired".into())
    );
}

#[tokio::test]
async fn old_sdk_form_bodies_and_the_v2_signer_are_accepted() {
    let sim = sim_in("old-sdks").await;
    sim.cams(
        "CreateChatappMigrationInitiate",
        &[
            ("CustSpaceId", CAMS_SPACE),
            ("CountryCode", "1"),
            ("MobileNumber", READY_NUMBER),
        ],
    )
    .await;
    // SDK 1.4.0 sends GetPhoneNumberVerificationStatus as a form body (reference §3.3).
    let mut call = CamsCall::new("GetPhoneNumberVerificationStatus", &[]);
    call.form = Some(READY.to_vec());
    let r = sim.cams_call(call).await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    assert_eq!(r.json()["Data"]["CodeVerificationStatus"], "NOT_VERIFIED");
    // The V2 signer, with its own wrong-secret answer.
    let r = sim
        .cams_v2("GetPhoneNumberVerificationStatus", &READY, CAMS_SECRET)
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    let r = sim
        .cams_v2("GetPhoneNumberVerificationStatus", &READY, "wrong")
        .await;
    assert_eq!(outcome(&r), (400, "SignatureDoesNotMatch".into()));
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
async fn registering_a_number_that_is_not_migrated() {
    let sim = sim_in("registration").await;
    let number = [("CustSpaceId", CAMS_SPACE), ("PhoneNumber", "15550100099")];
    let r = sim
        .cams("ChatappBindWaba", &[("WabaId", ALIBABA_WABA)])
        .await;
    assert_eq!(
        r.json()["Data"],
        json!({"CustSpaceId": CAMS_SPACE, "WabaId": ALIBABA_WABA})
    );
    assert_eq!(r.json()["Success"], true);
    let r = sim
        .cams("ChatappBindWaba", &[("WabaId", SOURCE_WABA)])
        .await;
    assert_eq!(outcome(&r), (400, "Unknown.ResourceOwnerId".into()));

    let r = sim
        .cams(
            "AddChatappPhoneNumber",
            &[
                ("CustSpaceId", CAMS_SPACE),
                ("Cc", "1"),
                ("PhoneNumber", "5550100099"),
                ("VerifiedName", "Acme Promo"),
            ],
        )
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    assert_eq!(r.json()["Success"], true);
    let r = sim
        .cams("ChatappSyncPhoneNumber", &[("CustSpaceId", CAMS_SPACE)])
        .await;
    assert_eq!(
        r.json()["PhoneNumbers"][0]["Status"],
        "PENDING",
        "{}",
        r.text()
    );

    // Registering before verifying fails; a bad Method is named in Alibaba's terms.
    let r = sim.cams("ChatappPhoneNumberRegister", &number).await;
    assert_eq!(outcome(&r), (400, "ERR-FB-001".into()));
    assert!(r.json().get("Success").is_none(), "{}", r.text());
    let mut ask = number.to_vec();
    ask.extend([("Locale", "en_US"), ("Method", "carrier-pigeon")]);
    let r = sim.cams("GetChatappVerifyCode", &ask).await;
    assert_eq!(outcome(&r), (400, "InvalidParameter".into()));
    assert!(
        r.json()["Message"].as_str().unwrap().contains("\"Method\""),
        "{}",
        r.text()
    );

    let mut ask = number.to_vec();
    ask.extend([("Locale", "en_US"), ("Method", "sms")]);
    let r = sim.cams("GetChatappVerifyCode", &ask).await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    assert_eq!(r.json()["Success"], true);
    let code = sim.latest_code_for_number("15550100099").await;
    let mut verify = number.to_vec();
    verify.push(("VerifyCode", &code));
    let r = sim.cams("ChatappVerifyAndRegister", &verify).await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());

    let r = sim.cams("ChatappPhoneNumberDeregister", &number).await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    assert!(r.json().get("Success").is_none());
    let r = sim.cams("ChatappPhoneNumberDeregister", &number).await;
    assert_eq!(outcome(&r), (400, "ERR-FB-001".into()));
    // Re-registering keeps the PIN Alibaba set: no PIN mismatch.
    let r = sim.cams("ChatappPhoneNumberRegister", &number).await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    let r = sim
        .cams(
            "QueryChatappPhoneNumbers",
            &[("CustSpaceId", CAMS_SPACE), ("Status", "connected")],
        )
        .await;
    let listed = r.json()["PhoneNumbers"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 1, "{}", r.text());
    assert_eq!(listed[0]["PhoneNumber"], "15550100099");
    assert_eq!(listed[0]["IsOfficial"], "N");

    // Metrics: a list, numbers as numbers.
    let r = sim
        .cams(
            "GetChatappPhoneNumberMetric",
            &[
                ("CustSpaceId", CAMS_SPACE),
                ("PhoneNumber", "15550100099"),
                ("Start", "1767225600000"),
                ("End", "1767398400000"),
                ("Granularity", "DAILY"),
            ],
        )
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    assert_eq!(
        r.json()["Data"],
        json!([
            {"PhoneNumber": "15550100099", "SentCount": 0, "DeliveredCount": 0, "Start": 1767225600000i64, "End": 1767312000000i64, "Granularity": "DAILY"},
            {"PhoneNumber": "15550100099", "SentCount": 0, "DeliveredCount": 0, "Start": 1767312000000i64, "End": 1767398400000i64, "Granularity": "DAILY"}
        ])
    );
}

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
async fn faults_name_cams_operations_and_answer_in_alibaba_shape() {
    let sim = sim_in("cams-faults").await;
    let add = |fault: Value| {
        let sim = &sim;
        async move {
            let r = sim.admin("POST", "/__admin/faults", Some(fault)).await;
            assert_eq!(r.status, 200, "{}", r.text());
        }
    };
    // A named domain error, once, on one operation: a business failure in Alibaba's shape.
    add(json!({"match": {"facade": "cams", "operation": "GetMigrationVerifyCode"}, "times": 1, "error": "too_many_code_requests"})).await;
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
    ask.extend([("Locale", "en_US"), ("Method", "SMS")]);
    let r = sim.cams("GetMigrationVerifyCode", &ask).await;
    assert_head(&r);
    assert_eq!(outcome(&r), (400, "ERR-FB-001".into()));
    assert!(r.json().get("Success").is_none());
    let r = sim.cams("GetMigrationVerifyCode", &ask).await;
    assert_eq!(outcome(&r), (200, "OK".into()), "the fault was used up");

    // Throttling, matched on the phone number the call names.
    add(json!({"match": {"facade": "cams", "phone": READY_E164}, "times": 1, "action": {"throttle": {"retry_after": "2s"}}})).await;
    let r = sim.cams("GetPhoneNumberVerificationStatus", &READY).await;
    assert_head(&r);
    assert_eq!(outcome(&r), (400, "Throttling.User".into()));
    assert_eq!(r.header("x-acs-retry-after"), Some("2000"));
    assert_eq!(r.json()["HostId"], "cams.ap-southeast-1.aliyuncs.com");

    // A gateway-class domain error renders 4xx/5xx in the §6.1 envelope.
    add(json!({"match": {"facade": "cams", "operation": "QueryChatappBindWaba"}, "times": 1, "error": "service_unavailable"})).await;
    let r = sim.cams("QueryChatappBindWaba", &[]).await;
    assert_eq!(outcome(&r), (503, "ServiceUnavailable".into()));

    // The journal says which fault shaped the answer.
    let r = sim
        .admin("GET", "/__admin/requests?facade=cams&faulted=true", None)
        .await;
    assert_eq!(
        r.json()["requests"].as_array().unwrap().len(),
        3,
        "{}",
        r.text()
    );

    // Faults validate cams operation names.
    let r = sim
        .admin(
            "POST",
            "/__admin/faults",
            Some(json!({"match": {"facade": "cams", "operation": "GetMigrationCode"}, "error": "wrong_code"})),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("GetMigrationVerifyCode"), "{}", r.text());
}

/// The default world's fixture text with one change (a line replaced), for a namespace of
/// its own.
fn default_fixture_with(from: &str, to: &str) -> String {
    let text = wabasim::DEFAULT_FIXTURE;
    assert!(text.contains(from), "the default fixture has no {from:?}");
    text.replacen(from, to, 1)
}

async fn namespace_with_fixture(name: &str, fixture: String) -> Sim {
    let sim = Sim::start().await;
    let r = sim
        .admin(
            "POST",
            "/__admin/namespaces",
            Some(json!({"name": name, "fixture": fixture})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    sim.in_namespace(name)
}

async fn start_ready_migration(sim: &Sim) {
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
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    let mut ask = READY.to_vec();
    ask.extend([("Locale", "en_US"), ("Method", "SMS")]);
    let r = sim.cams("GetMigrationVerifyCode", &ask).await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
}

#[tokio::test]
async fn business_failures_answer_400_or_the_opt_in_200() {
    let metric_hour = [
        ("Start", "1700000000000"),
        ("End", "1700086400000"),
        ("Granularity", "HOUR"),
    ];
    let wrong = [
        ("CustSpaceId", CAMS_SPACE),
        ("PhoneNumber", READY_E164),
        ("VerifyCode", "000000"),
    ];

    // Default: a business failure is HTTP 400 in the gateway envelope (H1), a Meta rule
    // relayed as ERR-FB-001 with Meta's text (H3).
    let sim = sim_in("status-400").await;
    start_ready_migration(&sim).await;
    let r = sim.cams("ChatappMigrationVerified", &wrong).await;
    assert_head(&r);
    assert_eq!(outcome(&r), (400, "ERR-FB-001".into()));
    let body = r.json();
    assert_eq!(body["Message"], "(#136025) Verify code error");
    assert_eq!(body["HostId"], "cams.ap-southeast-1.aliyuncs.com");
    assert!(body["Recommend"].as_str().unwrap().contains("ERR-FB-001"));
    assert!(body.get("Success").is_none());
    for (params, code) in [
        (&metric_hour[..], "InvalidParameter"),
        (&[("Start", "abc"), ("End", "1")][..], "InvalidParameter"),
    ] {
        let r = sim.cams("GetChatappPhoneNumberMetric", params).await;
        assert_eq!(outcome(&r), (400, code.into()), "{params:?}: {}", r.text());
    }
    let r = sim
        .cams(
            "GetChatappTemplateDetail",
            &[("TemplateName", "no_such_template"), ("Language", "en_US")],
        )
        .await;
    assert_eq!(outcome(&r), (400, "DetailError.TemplateNotExist".into()));
    let r = sim
        .cams(
            "GetPhoneNumberVerificationStatus",
            &[("CustSpaceId", CAMS_SPACE)],
        )
        .await;
    assert_eq!(outcome(&r), (400, "MissingParameter".into()));
    let r = sim.cams("QueryChatappBindWaba", &[]).await;
    assert_eq!(outcome(&r), (200, "OK".into()));
    // The journal records the code.
    let r = sim
        .admin(
            "GET",
            "/__admin/requests?operation=ChatappMigrationVerified&status=400",
            None,
        )
        .await;
    assert_eq!(
        r.json()["requests"][0]["error"],
        "ERR-FB-001",
        "{}",
        r.text()
    );

    // cams.business_error_status: 200 (the opt-in) answers business failures as results
    // with Code != OK; gateway failures (the type check, M2) keep 400.
    let sim = namespace_with_fixture(
        "status-200",
        default_fixture_with("\ncams:\n", "\ncams:\n  business_error_status: 200\n"),
    )
    .await;
    start_ready_migration(&sim).await;
    let r = sim.cams("ChatappMigrationVerified", &wrong).await;
    assert_eq!(outcome(&r), (200, "ERR-FB-001".into()));
    assert!(r.json().get("HostId").is_none());
    let r = sim.cams("GetChatappPhoneNumberMetric", &metric_hour).await;
    assert_eq!(outcome(&r), (200, "InvalidParameter".into()));
    let r = sim
        .cams(
            "GetChatappPhoneNumberMetric",
            &[("Start", "abc"), ("End", "1")],
        )
        .await;
    assert_eq!(outcome(&r), (400, "InvalidParameter".into()));

    // Named-error faults follow the setting; a fault's own `status` wins.
    let add = |fault: Value| {
        let sim = &sim;
        async move {
            let r = sim.admin("POST", "/__admin/faults", Some(fault)).await;
            assert_eq!(r.status, 200, "{}", r.text());
        }
    };
    add(json!({"match": {"facade": "cams", "operation": "ChatappMigrationRegister"}, "times": 1, "error": "not_verified"})).await;
    let r = sim.cams("ChatappMigrationRegister", &READY).await;
    assert_eq!(outcome(&r), (200, "ERR-FB-001".into()));
    add(json!({"match": {"facade": "cams", "operation": "ChatappMigrationRegister"}, "times": 1, "action": {"error": "not_verified", "status": 400}})).await;
    let r = sim.cams("ChatappMigrationRegister", &READY).await;
    assert_eq!(outcome(&r), (400, "ERR-FB-001".into()));
    assert_eq!(r.json()["HostId"], "cams.ap-southeast-1.aliyuncs.com");

    // In the default namespace, a fault may ask for 400 (or any error status).
    let sim = sim_in("status-fault").await;
    let r = sim
        .admin(
            "POST",
            "/__admin/faults",
            Some(json!({"match": {"facade": "cams", "operation": "QueryChatappPhoneNumbers"}, "error": "not_registered", "status": 409})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = sim.cams("QueryChatappPhoneNumbers", &[]).await;
    assert_eq!(outcome(&r), (409, "ERR-FB-001".into()));
    assert_eq!(r.json()["HostId"], "cams.ap-southeast-1.aliyuncs.com");
    // On Graph the status replaces the error's own; the body is Graph's.
    let r = sim
        .admin(
            "POST",
            "/__admin/faults",
            Some(json!({"match": {"facade": "graph", "operation": "get_waba"}, "times": 1, "error": "wrong_code", "status": 500})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = sim.get(&format!("/v23.0/{DEST_WABA}"), NEW_BSP).await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].clone()),
        (500, json!(136025))
    );

    // `status` is checked: an error status, and only beside `error`.
    for bad in [
        json!({"match": {"facade": "cams"}, "error": "wrong_code", "status": 302}),
        json!({"match": {"facade": "cams"}, "status": 400}),
    ] {
        let r = sim.admin("POST", "/__admin/faults", Some(bad)).await;
        assert_eq!(r.status, 400, "{}", r.text());
        assert!(r.text().contains("status"), "{}", r.text());
    }
    // A fixture that asks for another status is refused with its location.
    let r = sim
        .admin(
            "POST",
            "/__admin/namespaces",
            Some(json!({"name": "status-500", "fixture": default_fixture_with("\ncams:\n", "\ncams:\n  business_error_status: 500\n")})),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(
        r.text().contains("business_error_status is 200 or 400"),
        "{}",
        r.text()
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

#[tokio::test]
async fn numbers_are_named_without_their_country_code_and_adding_is_not_migrating() {
    let sim = sim_in("number-rules").await;
    // MobileNumber repeating CountryCode names +1 1555..., which is no number: refused, where
    // Graph would have guessed.
    let r = sim
        .cams(
            "CreateChatappMigrationInitiate",
            &[
                ("CustSpaceId", CAMS_SPACE),
                ("CountryCode", "1"),
                ("MobileNumber", READY_E164),
            ],
        )
        .await;
    assert_eq!(
        outcome(&r),
        (400, "InvalidParameter.PhoneNumberError".into())
    );
    let message = r.json()["Message"].as_str().unwrap().to_string();
    assert!(
        message.contains("MobileNumber must not include the country code"),
        "{message}"
    );
    assert!(
        message.contains("give MobileNumber 5550100001"),
        "{message}"
    );
    let r = sim
        .cams(
            "AddChatappPhoneNumber",
            &[
                ("CustSpaceId", CAMS_SPACE),
                ("Cc", "1"),
                ("PhoneNumber", "15550100002"),
                ("VerifiedName", "Acme"),
            ],
        )
        .await;
    assert_eq!(
        outcome(&r),
        (400, "InvalidParameter.PhoneNumberError".into())
    );
    assert!(r.json().get("Success").is_none(), "{}", r.text());

    // A number registered on another WABA: migrate it, in ChatApp's words.
    let add = |number: &'static str| {
        let sim = &sim;
        async move {
            sim.cams(
                "AddChatappPhoneNumber",
                &[
                    ("CustSpaceId", CAMS_SPACE),
                    ("Cc", "1"),
                    ("PhoneNumber", number),
                    ("VerifiedName", "Acme"),
                ],
            )
            .await
        }
    };
    let r = add("5550100002").await;
    assert_eq!(
        outcome(&r),
        (400, "InvalidParameter.PhoneNumberError".into())
    );
    let message = r.json()["Message"].as_str().unwrap().to_string();
    assert!(
        message.contains("CreateChatappMigrationInitiate"),
        "{message}"
    );
    assert!(!message.contains("migrate_phone_number"), "{message}");
    // A number already in the space: not a migration error.
    sim.cams_migrate_fully().await;
    let r = add(READY_NUMBER).await;
    assert_eq!(
        outcome(&r),
        (400, "InvalidParameter.PhoneNumberError".into()),
        "{}",
        r.text()
    );
    // Graph keeps its leniency: the number with its country code repeated still migrates.
    let graph = sim_in("number-rules-graph").await;
    let r = graph.migrate(DEST_WABA, READY_E164).await;
    assert_eq!(r.status, 200, "{}", r.text());
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
