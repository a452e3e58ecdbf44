//! The rows of `../shared/reference/alibaba-cams-errors.md` that the other tests/cams_*.rs do
//! not pin, over a real socket: the phone-number management actions (H5), the success
//! envelope (L1, L2), RequestIds across a reset (L4), length limits (L5), the template-detail
//! refusal (L8) and the two registration flows (M4). The SDK's view of every row is
//! `tests/cams_sdk/cams_sdk_flow.py`.

mod common;

use common::cams::{outcome, sim_in};
use common::world::*;

#[tokio::test]
async fn phone_number_management_actions_act_on_the_world() {
    let sim = sim_in("h5").await;
    let number = [("CustSpaceId", CAMS_SPACE), ("PhoneNumber", READY_E164)];
    sim.cams_migrate_fully().await;
    // H5: the webhooks are ChatApp's own callbacks, read back by QueryChatappPhoneNumbers.
    let r = sim
        .cams(
            "UpdateAccountWebhook",
            &[
                ("CustSpaceId", CAMS_SPACE),
                ("HttpFlag", "Y"),
                ("StatusCallbackUrl", "https://hooks.example/status"),
            ],
        )
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    let mut hook = number.to_vec();
    hook.extend([("UpCallbackUrl", "https://hooks.example/up")]);
    let r = sim.cams("UpdatePhoneWebhook", &hook).await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    let r = sim
        .cams("QueryChatappPhoneNumbers", &[("CustSpaceId", CAMS_SPACE)])
        .await;
    let listed = r.json()["PhoneNumbers"].as_array().unwrap().clone();
    let mine = listed
        .iter()
        .find(|n| n["PhoneNumber"] == READY_E164)
        .unwrap();
    assert_eq!(mine["StatusCallbackUrl"], "https://hooks.example/status");
    assert_eq!(mine["UpCallbackUrl"], "https://hooks.example/up");
    // A bad flag or URL is a business failure.
    let mut bad = number.to_vec();
    bad.push(("HttpFlag", "maybe"));
    let r = sim.cams("UpdatePhoneWebhook", &bad).await;
    assert_eq!(outcome(&r), (400, "InvalidParameter".into()));

    // The business profile: written, then read back with the fields left out kept.
    let mut modify = number.to_vec();
    modify.extend([
        ("About", "We ship"),
        ("Websites", "[\"https://acme.example\"]"),
    ]);
    let r = sim.cams("ModifyPhoneBusinessProfile", &modify).await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    assert_eq!(r.json()["Success"], true);
    let mut email = number.to_vec();
    email.push(("Email", "help@acme.example"));
    sim.cams("ModifyPhoneBusinessProfile", &email).await;
    let r = sim.cams("QueryPhoneBusinessProfile", &number).await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    let data = &r.json()["Data"];
    assert_eq!(data["About"], "We ship");
    assert_eq!(data["Email"], "help@acme.example");
    assert_eq!(
        data["Websites"],
        serde_json::json!(["https://acme.example"])
    );
    let mut bad = number.to_vec();
    bad.push(("Websites", "https://not-a-list.example"));
    let r = sim.cams("ModifyPhoneBusinessProfile", &bad).await;
    assert_eq!(outcome(&r), (400, "InvalidParameter".into()));
    // A number the space does not hold (H4).
    let r = sim
        .cams(
            "QueryPhoneBusinessProfile",
            &[
                ("CustSpaceId", CAMS_SPACE),
                ("PhoneNumber", "8613800001234"),
            ],
        )
        .await;
    assert_eq!(outcome(&r), (400, "ERR-OPERATION-MAAP-0065".into()));
}

#[tokio::test]
async fn the_success_envelope_and_request_ids() {
    let sim = sim_in("envelope").await;
    let r = sim
        .cams(
            "GetPhoneNumberVerificationStatus",
            &[("CustSpaceId", CAMS_SPACE), ("PhoneNumber", READY_E164)],
        )
        .await;
    // Before initiation the default-namespace number is not the space's (H4).
    assert_eq!(outcome(&r), (400, "ERR-OPERATION-MAAP-0065".into()));
    let r = sim
        .cams("QueryChatappBindWaba", &[("CustSpaceId", CAMS_SPACE)])
        .await;
    // L1: "SUCCESS" here; L2: AccessDeniedDetail on every success.
    assert_eq!(r.json()["Message"], "SUCCESS");
    assert_eq!(r.json()["AccessDeniedDetail"], "None");
    let first = r.json()["RequestId"].clone();
    // L4: the first request after a reset gets a new RequestId.
    let reset = sim.admin("POST", "/__admin/reset", None).await;
    assert_eq!(reset.status, 200, "{}", reset.text());
    let r = sim
        .cams("QueryChatappBindWaba", &[("CustSpaceId", CAMS_SPACE)])
        .await;
    assert_ne!(r.json()["RequestId"], first);
    // L1: "None" where the samples show it.
    let r = sim
        .cams("ChatappBindWaba", &[("WabaId", ALIBABA_WABA)])
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    assert_eq!(r.json()["Message"], "None");
}

#[tokio::test]
async fn long_parameters_and_the_template_detail_refusal() {
    let sim = sim_in("limits").await;
    // L5: a 20,000-digit number is refused without being echoed.
    let long = "1".repeat(20_000);
    let r = sim
        .cams(
            "GetPhoneNumberVerificationStatus",
            &[("CustSpaceId", CAMS_SPACE), ("PhoneNumber", &long)],
        )
        .await;
    assert_eq!(outcome(&r), (400, "InvalidParameter".into()));
    assert!(r.text().len() < 1000, "{}", r.text().len());
    assert!(
        r.json()["Message"]
            .as_str()
            .unwrap()
            .contains("PhoneNumber")
    );
    // L8: neither TemplateCode nor TemplateName is the service's refusal.
    let r = sim
        .cams(
            "GetChatappTemplateDetail",
            &[("CustSpaceId", CAMS_SPACE), ("Language", "en_US")],
        )
        .await;
    assert_eq!(
        outcome(&r),
        (400, "InvalidParameter.TemplateCodeNotEmpty".into())
    );
}

#[tokio::test]
async fn the_two_registration_flows_are_kept_apart() {
    let sim = sim_in("flows").await;
    let number = [("CustSpaceId", CAMS_SPACE), ("PhoneNumber", READY_E164)];
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
    // M4: the embedded-signup operations name the migration one to use.
    for (op, instead) in [
        ("ChatappPhoneNumberRegister", "ChatappMigrationRegister"),
        ("GetChatappVerifyCode", "GetMigrationVerifyCode"),
    ] {
        let mut params = number.to_vec();
        params.extend([("Locale", "en_US"), ("Method", "sms")]);
        let r = sim.cams(op, &params).await;
        assert_eq!(
            outcome(&r),
            (400, "InvalidParameter.PhoneNumberError".into()),
            "{op}"
        );
        assert!(r.text().contains(instead), "{op}: {}", r.text());
    }
    // And the reverse: a number added with AddChatappPhoneNumber.
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
    let r = sim
        .cams(
            "ChatappMigrationRegister",
            &[("CustSpaceId", CAMS_SPACE), ("PhoneNumber", "15550100099")],
        )
        .await;
    assert_eq!(
        outcome(&r),
        (400, "InvalidParameter.PhoneNumberError".into())
    );
    assert!(
        r.text().contains("ChatappPhoneNumberRegister"),
        "{}",
        r.text()
    );
}
