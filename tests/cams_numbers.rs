//! Phone numbers that are not migrated, through Alibaba ChatApp over a real socket: binding a
//! WABA, adding, verifying, registering, deregistering and re-registering a number, its
//! metrics, and the rules that a number is named without its country code and that adding a
//! number registered elsewhere is not migrating it.

mod common;

use common::cams::*;
use common::world::*;
use serde_json::json;

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
