//! Alibaba's gateway over a real socket: its refusals in the Alibaba envelope (signatures,
//! access keys, dates, nonces, versions, missing and unreadable parameters, actions), both
//! signers and old-SDK form bodies, faults on cams operations in Alibaba's shape, and business
//! failures as HTTP 400 or the fixture's opt-in 200.

mod common;

use common::CamsCall;
use common::cams::*;
use common::world::*;
use serde_json::{Value, json};

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
