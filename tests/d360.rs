//! The 360dialog facade over a real socket: authentication (partner key, bearer on the world
//! clock, channel key), bad input answered in 360dialog's envelopes and never with a 500,
//! API-key rotation on the Messaging API, and faults and the journal working for the facade
//! with nothing outside its folder.

mod common;

use common::receiver::{Receiver, verify_signature};
use common::{Reply, Sim};
use serde_json::{Value, json};

const PARTNER: (&str, &str) = ("x-api-key", "wabasim-d360-partner");
const CHANNEL_KEY: &str = "wabasim-d360-channel";

async fn sim_in(ns: &str) -> Sim {
    let mut sim = Sim::start().await;
    sim.namespace = Some(ns.to_string());
    sim
}

async fn call(sim: &Sim, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut all = headers.to_vec();
    if !body.is_empty() {
        all.push(("content-type", "application/json"));
    }
    let ns = sim.namespace.clone().unwrap_or_default();
    all.push(("x-wabasim-namespace", ns.as_str()));
    sim.send_exact(method, path, &all, body.to_string()).await
}

/// A Partner API error: the status, and `meta` with `success: false`, the same `http_code`,
/// a message and a trace id.
fn assert_meta(what: &str, r: &Reply, status: u16) -> Value {
    assert_eq!(r.status, status, "{what}: {}", r.text());
    let meta = r.json()["meta"].clone();
    assert_eq!(meta["success"], false, "{what}");
    assert_eq!(meta["http_code"], status, "{what}");
    assert!(
        meta["developer_message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{what}"
    );
    meta
}

#[tokio::test]
async fn bad_input_gets_360dialogs_envelopes_and_never_a_500() {
    let sim = sim_in("d360-bad-input").await;
    let channels = "/api/v2/partners/wabasimPA/channels";
    let r = call(&sim, "GET", channels, &[("x-api-key", "wrong")], "").await;
    assert_meta("wrong key", &r, 401);
    let r = call(&sim, "GET", channels, &[], "").await;
    assert_meta("no key", &r, 401);
    let r = call(
        &sim,
        "GET",
        "/api/v2/partners/otherPA/channels",
        &[PARTNER],
        "",
    )
    .await;
    let meta = assert_meta("another partner's path", &r, 403);
    assert_eq!(
        meta["developer_message"],
        "Permission denied for partner otherPA"
    );
    assert!(meta["360dialog_trace_id"].as_str().is_some());
    for (query, why) in [
        ("filters=%7Bnot-json", "invalid JSON"),
        ("filters=%5B1%5D", "JSON object"),
        ("filters=%7B%22nope%22%3A1%7D", "unknown key"),
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("sort=%5B%22nope%22%5D", "sort"),
    ] {
        let r = call(&sim, "GET", &format!("{channels}?{query}"), &[PARTNER], "").await;
        let meta = assert_meta(query, &r, 400);
        assert!(
            meta["details"][0].as_str().unwrap().contains(why),
            "{query}: {meta}"
        );
    }
    let r = call(
        &sim,
        "GET",
        "/api/v2/partners/wabasimPA/clients/nopeCL",
        &[PARTNER],
        "",
    )
    .await;
    assert_meta("unknown client", &r, 404);
    let r = call(
        &sim,
        "POST",
        "/api/v2/partners/wabasimPA/channels/nopeCH/api_keys",
        &[PARTNER],
        "",
    )
    .await;
    assert_meta("unknown channel", &r, 404);
    let r = call(
        &sim,
        "PATCH",
        "/api/v2/partners/wabasimPA/clients/acmeCL",
        &[PARTNER],
        "{\"partner_payload\":",
    )
    .await;
    assert_meta("truncated JSON", &r, 400);
    let r = call(&sim, "DELETE", channels, &[PARTNER], "").await;
    assert_meta("wrong method", &r, 405);
    let r = call(&sim, "GET", "/api/v2/nothing", &[PARTNER], "").await;
    assert_meta("no route", &r, 404);
    let big = format!("{{\"username\":\"{}\"}}", "x".repeat(2 << 20));
    let r = call(&sim, "POST", "/api/v2/token", &[], &big).await;
    assert_meta("oversized body", &r, 413);
    let r = call(
        &sim,
        "POST",
        "/api/v2/token",
        &[],
        r#"{"username":"partner@wabasim.example","password":"no"}"#,
    )
    .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (401, json!("invalid_grant"))
    );
    // The Messaging API: a missing or unknown key, and bad JSON.
    for key in [None, Some("wrong")] {
        let headers: Vec<(&str, &str)> = key.map(|k| ("d360-api-key", k)).into_iter().collect();
        let r = call(&sim, "GET", "/v1/configs/webhook", &headers, "").await;
        assert_eq!(
            (r.status, r.json()),
            (401, json!({"error": "Invalid api token."}))
        );
    }
    let r = call(
        &sim,
        "POST",
        "/v1/configs/webhook",
        &[("d360-api-key", CHANNEL_KEY)],
        "{",
    )
    .await;
    assert_meta("bad JSON on /v1/configs", &r, 400);
    let r = call(
        &sim,
        "POST",
        "/v1/configs/webhook",
        &[("d360-api-key", CHANNEL_KEY)],
        r#"{"url":"https://bad_host.example/x"}"#,
    )
    .await;
    assert_meta("underscore in the webhook host", &r, 400);
    // The world is untouched: the one channel, live.
    let r = call(&sim, "GET", channels, &[PARTNER], "").await;
    assert_eq!(r.json()["partner_channels"][0]["status"], "live");
}

#[tokio::test]
async fn a_bearer_works_until_it_expires_on_the_world_clock() {
    let sim = sim_in("d360-bearer").await;
    let r = call(
        &sim,
        "POST",
        "/api/v2/token",
        &[],
        r#"{"username":"partner@wabasim.example","password":"wabasim-d360-password"}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 86400);
    let bearer = format!("Bearer {}", body["access_token"].as_str().unwrap());
    let auth = [("authorization", bearer.as_str())];
    let r = call(&sim, "GET", "/api/v2/partners/wabasimPA", &auth, "").await;
    assert_eq!(
        (r.status, r.json()["id"].clone()),
        (200, json!("wabasimPA"))
    );
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "24h"})),
    )
    .await;
    let r = call(&sim, "GET", "/api/v2/partners/wabasimPA", &auth, "").await;
    assert_meta("expired bearer", &r, 401);
}

#[tokio::test]
async fn a_new_channel_key_revokes_the_old_and_multi_webhook_takes_three() {
    let sim = sim_in("d360-keys").await;
    let keys = "/api/v2/partners/wabasimPA/channels/acmeCH/api_keys";
    let r = call(&sim, "POST", keys, &[PARTNER], "").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let minted = r.json()["api_key"].as_str().unwrap().to_string();
    let r = call(
        &sim,
        "GET",
        "/v1/configs/webhook",
        &[("d360-api-key", CHANNEL_KEY)],
        "",
    )
    .await;
    assert_eq!(r.status, 401, "the old key is revoked");
    let key = [("d360-api-key", minted.as_str())];
    let r = call(&sim, "GET", keys, &[PARTNER], "").await;
    assert_eq!(r.json()["api_keys"].as_array().map(Vec::len), Some(1));
    let dest = |name: &str| json!({"name": name, "url": format!("https://{name}.example/hook")});
    let r = call(
        &sim,
        "POST",
        "/multi_webhook",
        &key,
        &json!({"enabled": true, "destinations": [dest("a"), dest("b")]}).to_string(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = call(
        &sim,
        "PUT",
        "/multi_webhook",
        &key,
        &json!({"destinations": [dest("c")]}).to_string(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = call(
        &sim,
        "PUT",
        "/multi_webhook",
        &key,
        &json!({"destinations": [dest("d")]}).to_string(),
    )
    .await;
    assert_eq!(r.status, 409, "a fourth destination: {}", r.text());
    assert!(r.json()["error"].as_str().is_some());
    let r = call(&sim, "GET", "/multi_webhook", &key, "").await;
    assert_eq!(r.json()["destinations"].as_array().map(Vec::len), Some(3));
    let r = call(&sim, "DELETE", keys, &[PARTNER], "").await;
    assert_eq!(r.status, 200);
    let r = call(&sim, "GET", "/multi_webhook", &key, "").await;
    assert_eq!(r.status, 401, "deleted keys open nothing");
}

#[tokio::test]
async fn faults_and_the_journal_work_for_the_facade() {
    let sim = sim_in("d360-faults").await;
    let r = sim
        .admin("POST", "/__admin/faults", Some(json!({"match": {"facade": "d360", "operation": "list_channels"}, "times": 1, "error": "unknown_object"})))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let channels = "/api/v2/partners/wabasimPA/channels";
    let r = call(&sim, "GET", channels, &[PARTNER], "").await;
    assert_meta("scripted error", &r, 404);
    sim.admin("POST", "/__admin/faults", Some(json!({"match": {"facade": "d360", "id": "acmeCH"}, "times": 1, "throttle": {"retry_after": "30s"}})))
        .await;
    let r = call(
        &sim,
        "POST",
        "/api/v2/partners/wabasimPA/channels/acmeCH/api_keys",
        &[PARTNER],
        "",
    )
    .await;
    assert_meta("throttled", &r, 429);
    assert_eq!(r.header("retry-after"), Some("30"));
    let r = call(&sim, "GET", channels, &[PARTNER], "").await;
    assert_eq!(r.status, 200, "the faults are spent");
    call(
        &sim,
        "POST",
        "/api/v2/token",
        &[],
        r#"{"username":"partner@wabasim.example","password":"wabasim-d360-password"}"#,
    )
    .await;
    let j = sim
        .admin("GET", "/__admin/requests?facade=d360", None)
        .await
        .json();
    let ops: Vec<&str> = j["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    assert_eq!(
        ops,
        [
            "list_channels",
            "create_channel_api_key",
            "list_channels",
            "token"
        ]
    );
    let token = &j["requests"][3];
    assert_eq!(token["params"]["password"], "[redacted]", "{token}");
    assert_eq!(j["requests"][0]["error"], "unknown_object");
}

/// A number migrated in over Graph gives its partner `channel_created`, `channel_ready`,
/// `channel_live` through the webhook outbox, signed in `x-360dialog-signature`, each as
/// the Graph call that made it answers: no 360dialog call comes in between.
#[tokio::test]
async fn partner_webhooks_follow_a_migrated_number_to_live() {
    let sim = sim_in("d360-webhooks").await;
    let receiver = Receiver::start(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), "unused").await;
    let hook = json!({"webhook_url": receiver.url()}).to_string();
    let r = call(
        &sim,
        "POST",
        "/api/v2/partners/wabasimPA/webhook_url",
        &[PARTNER],
        &hook,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let graph = [("authorization", "Bearer wabasim-360dialog")];
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let told = |n: usize| posts_until(&receiver, n);
    let mut headers = graph.to_vec();
    headers.extend(form);
    let ns = sim.namespace.clone().unwrap();
    headers.push(("x-wabasim-namespace", &ns));
    let r = sim
        .send_exact(
            "POST",
            "/v23.0/200000000000012/phone_numbers",
            &headers,
            "cc=1&phone_number=5550100001&migrate_phone_number=true",
        )
        .await;
    let phone = r.json()["id"]
        .as_str()
        .expect("migration starts")
        .to_string();
    assert_eq!(events_of(&told(1).await), ["channel_created"]);
    sim.send_exact(
        "POST",
        &format!("/v23.0/{phone}/request_code?code_method=SMS&language=en_US"),
        &headers,
        "",
    )
    .await;
    let codes = sim
        .admin(
            "GET",
            &format!("/__admin/codes?phone_number_id={phone}"),
            None,
        )
        .await
        .json();
    let code = codes["codes"][0]["code"].as_str().unwrap().to_string();
    sim.send_exact(
        "POST",
        &format!("/v23.0/{phone}/verify_code"),
        &headers,
        format!("code={code}"),
    )
    .await;
    assert_eq!(
        events_of(&told(2).await),
        ["channel_created", "channel_ready"]
    );
    sim.send_exact(
        "POST",
        &format!("/v23.0/{phone}/register"),
        &headers,
        "messaging_product=whatsapp&pin=360360",
    )
    .await;
    let posts = told(3).await;
    assert_eq!(
        events_of(&posts),
        ["channel_created", "channel_ready", "channel_live"]
    );
    let live = posts[2].json();
    assert_eq!(live["data"]["status"], "live");
    assert_eq!(live["data"]["phone_number"], "15550100001");
    let listed = sim.admin("GET", "/__admin/webhooks", None).await.json();
    let deliveries = listed["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 3, "{listed}");
    for d in deliveries {
        let sig = d["signature"].as_str().unwrap();
        let body = d["body"].as_str().unwrap();
        assert!(
            verify_signature(
                "wabasim-d360-platform-secret",
                body.as_bytes(),
                &format!("sha256={sig}")
            ),
            "{d}"
        );
    }
}

/// A partial partner change clones the client under the new partner, which is told
/// `client_created` with the client object; the old partner, which already knew the client,
/// is told nothing.
#[tokio::test]
async fn a_client_new_to_a_partner_is_announced_with_client_created() {
    let sim = sim_in("d360-client-created").await;
    let other = ("x-api-key", "wabasim-d360-other-partner");
    let old = Receiver::start(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), "unused").await;
    let new = Receiver::start(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), "unused").await;
    for (partner, key, receiver) in [("wabasimPA", PARTNER, &old), ("otherPA", other, &new)] {
        let hook = json!({"webhook_url": receiver.url()}).to_string();
        let path = format!("/api/v2/partners/{partner}/webhook_url");
        let r = call(&sim, "POST", &path, &[key], &hook).await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let body = json!({"partner_id": "otherPA", "waba_account_id": "acmeWA"}).to_string();
    let r = call(
        &sim,
        "POST",
        "/client-hub/clients/acmeCL/partner_change",
        &[],
        &body,
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let (pcr, clone) = (r.json()["id"].clone(), r.json()["target_client_id"].clone());
    let path = format!(
        "/api/v2/partners/otherPA/selective_partner_change_requests/{}/approve",
        pcr.as_str().unwrap()
    );
    assert_eq!(call(&sim, "POST", &path, &[other], "").await.status, 200);
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "5m"})),
    )
    .await;
    // The change completes on the world clock, seen at the next 360dialog call.
    call(&sim, "GET", "/api/v2/partners/otherPA", &[other], "").await;
    let posts = posts_until(&new, 1).await;
    assert_eq!(events_of(&posts), ["client_created"]);
    let data = &posts[0].json()["data"];
    assert_eq!(
        (
            &data["id"],
            data["partner_id"].as_str(),
            data["name"].as_str()
        ),
        (&clone, Some("otherPA"), Some("Acme Corp")),
        "{data}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(old.posts().is_empty(), "{:?}", events_of(&old.posts()));
}

/// A status Meta sets through `/__admin` reaches the channel's partner at once: the number
/// disconnected is `channel_ready` (ready to be registered again), connected again
/// `channel_live`, with no 360dialog call in between.
#[tokio::test]
async fn an_admin_status_change_is_announced_at_once() {
    let sim = sim_in("d360-admin-status").await;
    let receiver = Receiver::start(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), "unused").await;
    let hook = json!({"webhook_url": receiver.url()}).to_string();
    let path = "/api/v2/partners/wabasimPA/webhook_url";
    assert_eq!(
        call(&sim, "POST", path, &[PARTNER], &hook).await.status,
        200
    );
    for (status, told) in [("DISCONNECTED", 1), ("CONNECTED", 2)] {
        let change =
            json!({"phone_status": {"phone_number_id": "110000000000012", "status": status}});
        let r = sim.admin("POST", "/__admin/events", Some(change)).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let posts = posts_until(&receiver, told).await;
        assert_eq!(posts.len(), told, "{status}");
    }
    let posts = receiver.posts();
    assert_eq!(events_of(&posts), ["channel_ready", "channel_live"]);
    assert_eq!(posts[0].json()["data"]["id"], "acmeCH");
    assert_eq!(posts[1].json()["data"]["status"], "live");
}

/// The POSTs `receiver` got once it has `n` of them (or after 5 s, whatever came).
async fn posts_until(receiver: &Receiver, n: usize) -> Vec<common::receiver::Received> {
    for _ in 0..100 {
        let posts = receiver.posts();
        if posts.len() >= n {
            return posts;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    receiver.posts()
}

/// The `event` of each partner webhook.
fn events_of(posts: &[common::receiver::Received]) -> Vec<String> {
    posts
        .iter()
        .map(|p| p.json()["event"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// `POST /messages` with the channel's key is Graph's send for the channel's number: Meta's
/// answer, Meta's errors passed through, 360dialog's `{"error"}` for a bad key, and the charge
/// booked to the channel's WABA once delivered, the statuses at the number's webhook.
#[tokio::test]
async fn messages_sent_through_360dialog_are_graphs_send_billed_to_the_channel_waba() {
    let sim = sim_in("d360-send").await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let key = ("D360-API-KEY", CHANNEL_KEY);
    let receiver = Receiver::start(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), "unused").await;
    let hook = json!({"url": receiver.url()}).to_string();
    let r = call(&sim, "POST", "/v1/configs/webhook", &[key], &hook).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = sim
        .admin(
            "POST",
            "/__admin/inbound",
            Some(
                json!({"phone_number_id": "110000000000012", "from": "16505551234", "text": "hi"}),
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let text = json!({
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "+16505551234",
        "type": "text", "text": {"body": "Hello from 360dialog"},
    });
    let r = call(&sim, "POST", "/messages", &[key], &text.to_string()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(body["messaging_product"], "whatsapp");
    assert_eq!(
        body["contacts"],
        json!([{"input": "+16505551234", "wa_id": "16505551234"}])
    );
    let id = body["messages"][0]["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("wamid."), "{id}");

    let r = call(
        &sim,
        "POST",
        "/messages",
        &[("D360-API-KEY", "wrong")],
        "{}",
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json(), json!({"error": "Invalid api token."}));
    for (body, status, code) in [
        ("{not json".to_string(), 400, 100),
        (
            json!({"messaging_product": "whatsapp", "to": "16505551234", "type": "text"})
                .to_string(),
            400,
            100,
        ),
        (
            json!({"messaging_product": "whatsapp", "to": "16505551234", "type": "template",
                "template": {"name": "no_such", "language": {"code": "en_US"}}})
            .to_string(),
            404,
            132001,
        ),
    ] {
        let r = call(&sim, "POST", "/messages", &[key], &body).await;
        assert_eq!(r.status, status, "{body}: {}", r.text());
        let error = &r.json()["error"];
        assert_eq!(error["code"], code, "{body}: {}", r.text());
        assert!(error["fbtrace_id"].as_str().is_some(), "{}", r.text());
    }

    let r = sim
        .admin(
            "POST",
            "/__admin/clock/advance",
            Some(json!({"duration": "1m"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let billing = sim.admin("GET", "/__admin/billing", None).await.json();
    assert_eq!(billing["booked"], 1, "{billing}");
    let charge = &billing["charges"][0];
    assert_eq!(charge["message_id"], id.as_str());
    assert_eq!(charge["waba_id"], "200000000000012");
    assert_eq!(charge["phone_number_id"], "110000000000012");
    assert_eq!(charge["pricing_category"], "service");

    // The number's Messaging API webhook hears the user's message and the statuses, in
    // Meta's envelope, unsigned.
    let mut told = Vec::new();
    for _ in 0..100 {
        told = receiver
            .posts()
            .iter()
            .map(|p| {
                assert_eq!(p.signature, None);
                let value = &p.json()["entry"][0]["changes"][0]["value"];
                match value["statuses"][0]["status"].as_str() {
                    Some(status) => {
                        format!("{}:{status}", value["statuses"][0]["id"] == id.as_str())
                    }
                    None => "inbound".to_string(),
                }
            })
            .collect::<Vec<_>>();
        if told.len() >= 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        told,
        ["inbound", "true:sent", "true:delivered", "true:read"]
    );
}

/// `POST /media`, `GET`/`DELETE /{media-id}` and the download with the channel's key are
/// Graph's media calls for the channel's number, in Meta's bodies; a send by that id works.
#[tokio::test]
async fn media_through_360dialog_are_graphs_for_the_channels_number() {
    let sim = sim_in("d360-media").await;
    let key = ("D360-API-KEY", CHANNEL_KEY);
    let ns = sim.namespace.clone().unwrap_or_default();
    let upload = "--b\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--b--\r\n";
    let headers = [
        key,
        ("content-type", "multipart/form-data; boundary=b"),
        ("x-wabasim-namespace", ns.as_str()),
    ];
    let r = sim.send_exact("POST", "/media", &headers, upload).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();

    let r = call(&sim, "GET", &format!("/{id}"), &[key], "").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let m = r.json();
    assert_eq!(m["mime_type"], "application/pdf");
    assert_eq!(m["file_size"], 8);
    let url = m["url"].as_str().unwrap();
    let path = &url[url.find("/whatsapp_business/").unwrap()..];
    let r = call(&sim, "GET", path, &[key], "").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "%PDF-1.4");
    let r = call(&sim, "GET", path, &[("D360-API-KEY", "wrong")], "").await;
    assert_eq!(r.status, 401, "{}", r.text());

    let doc = json!({"messaging_product": "whatsapp", "to": "16505551234", "type": "document",
                     "document": {"id": id}});
    let r = call(&sim, "POST", "/messages", &[key], &doc.to_string()).await;
    assert_eq!(r.status, 200, "{}", r.text());

    let r = call(&sim, "DELETE", &format!("/{id}"), &[key], "").await;
    assert_eq!(r.json(), json!({"success": true}));
    let r = call(&sim, "GET", &format!("/{id}"), &[key], "").await;
    assert_eq!(r.json()["error"]["error_subcode"], 33, "{}", r.text());
}

/// The media proxy's URL in a namespace other than the default one names it (`&ns=`): a
/// download with the channel's key alone reaches that namespace; with another namespace's
/// header it is 400 in 360dialog's shape; a namespace that does not exist is 404 and is not
/// made.
#[tokio::test]
async fn a_namespaces_media_url_downloads_with_the_key_alone() {
    let sim = sim_in("d360-media-ns").await;
    let key = ("D360-API-KEY", CHANNEL_KEY);
    let inbound = json!({"phone_number_id": "110000000000012", "from": "16505551234",
                         "type": "document", "document": {"data": "JVBERi0xLjQ=",
                         "filename": "a.pdf"}});
    let r = sim.admin("POST", "/__admin/inbound", Some(inbound)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["media_id"].as_str().unwrap().to_string();
    let r = call(&sim, "GET", &format!("/{id}"), &[key], "").await;
    let url = r.json()["url"].as_str().unwrap().to_string();
    assert!(url.ends_with("&ns=d360-media-ns"), "{url}");
    let path = &url[url.find("/whatsapp_business/").unwrap()..];

    let r = sim.send_exact("GET", path, &[key], "").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "%PDF-1.4");

    let other = [key, ("x-wabasim-namespace", "d360-elsewhere")];
    let r = sim.send_exact("GET", path, &other, "").await;
    let meta = assert_meta("another namespace's header", &r, 400);
    let why = meta["developer_message"].as_str().unwrap();
    assert!(why.contains("\"d360-media-ns\""), "{why}");

    let ghost = path.replace("ns=d360-media-ns", "ns=d360-ghost");
    let r = sim.send_exact("GET", &ghost, &[key], "").await;
    assert_eq!((r.status, r.text().as_str()), (404, "Not Found"));
    let r = sim
        .send_exact(
            "GET",
            "/__admin/health",
            &[("x-wabasim-namespace", "d360-ghost")],
            "",
        )
        .await;
    assert_eq!(r.json()["exists"], false, "{}", r.text());
}

/// A user's file on the channel's number: 360dialog forwards Meta's `messages` webhook, and
/// the id it names is fetched and downloaded through 360dialog's own `/{media-id}` and
/// attachments proxy with the channel's key, as an upload is (messaging-and-360dialog.md,
/// "Proxied paths"; "Webhooks to the partner": Meta's envelope unchanged).
#[tokio::test]
async fn a_users_file_is_forwarded_and_fetched_through_360dialogs_media_proxy() {
    let sim = sim_in("d360-inbound-media").await;
    let key = ("D360-API-KEY", CHANNEL_KEY);
    let receiver = Receiver::start(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), "unused").await;
    let hook = json!({"url": receiver.url()}).to_string();
    let r = call(&sim, "POST", "/v1/configs/webhook", &[key], &hook).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let inbound = json!({"phone_number_id": "110000000000012", "from": "16505551234",
                         "type": "image", "image": {"data": "iVBORw0KGgo=",
                         "mime_type": "image/png", "caption": "receipt"}});
    let r = sim.admin("POST", "/__admin/inbound", Some(inbound)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["media_id"].as_str().unwrap().to_string();
    let mut forwarded = Value::Null;
    for _ in 0..100 {
        if let Some(p) = receiver.posts().first() {
            forwarded = serde_json::from_slice(&p.body).unwrap();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let message = &forwarded["entry"][0]["changes"][0]["value"]["messages"][0];
    assert_eq!(message["type"], "image", "{forwarded}");
    assert_eq!(message["image"]["id"], id.as_str());
    assert_eq!(message["image"]["caption"], "receipt");

    let r = call(&sim, "GET", &format!("/{id}"), &[key], "").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let url = r.json()["url"].as_str().unwrap().to_string();
    let path = &url[url.find("/whatsapp_business/").unwrap()..];
    let r = call(&sim, "GET", path, &[key], "").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(&r.body[..], b"\x89PNG\r\n\x1a\n");
}

/// 360dialog's guard on its media endpoint (D-MEDIA: ">5 failed /media requests/hour blocks
/// GET /{MEDIA_ID} for 1 h"): the sixth failed media call blocks `GET /{media-id}` with 403
/// "The endpoint is blocked" for an hour; uploads still work.
#[tokio::test]
async fn six_failed_media_calls_in_an_hour_block_get_media_for_an_hour() {
    let sim = sim_in("d360-media-block").await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let key = ("D360-API-KEY", CHANNEL_KEY);
    let inbound = json!({"phone_number_id": "110000000000012", "from": "16505551234",
                         "type": "image", "image": {}});
    let r = sim.admin("POST", "/__admin/inbound", Some(inbound)).await;
    let id = r.json()["media_id"].as_str().unwrap().to_string();
    for i in 0..5 {
        let r = call(&sim, "GET", "/123456789012345", &[key], "").await;
        assert_eq!(r.status, 400, "{i}: {}", r.text());
    }
    // Five failures: the endpoint still answers.
    let r = call(&sim, "GET", &format!("/{id}"), &[key], "").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = call(&sim, "DELETE", "/123456789012345", &[key], "").await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = call(&sim, "GET", &format!("/{id}"), &[key], "").await;
    assert_eq!(
        (r.status, r.json()),
        (403, json!({"error": "The endpoint is blocked"})),
        "{}",
        r.text()
    );
    let r = sim
        .admin(
            "POST",
            "/__admin/clock/advance",
            Some(json!({"duration": "59m"})),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        call(&sim, "GET", &format!("/{id}"), &[key], "")
            .await
            .status,
        403
    );
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "1m"})),
    )
    .await;
    let r = call(&sim, "GET", &format!("/{id}"), &[key], "").await;
    assert_eq!(r.status, 200, "{}", r.text());
}
