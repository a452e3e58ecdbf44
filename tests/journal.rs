//! The request journal over real sockets: what is recorded, redaction, filters, counting,
//! unmatched requests with their closest routes, `--strict`, and the bounded ring.

mod common;

use common::world::{DEST_WABA, NEW_BSP, OLD_BSP, READY_PHONE_ID};
use common::{Sim, Simulator};
use serde_json::{Value, json};

async fn requests(sim: &Sim, query: &str) -> Vec<Value> {
    let r = sim
        .admin("GET", &format!("/__admin/requests?{query}"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["requests"].as_array().cloned().unwrap()
}

async fn count(sim: &Sim, filters: Value) -> u64 {
    let r = sim
        .admin("POST", "/__admin/requests/count", Some(filters))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["count"].as_u64().unwrap()
}

#[tokio::test]
async fn graph_requests_are_recorded_with_secrets_redacted_and_can_be_filtered() {
    let sim = Sim::start().await;
    let id = sim.migrate_fully(DEST_WABA).await;
    // A token in the query string, as some clients send it.
    let r = sim
        .send(
            "GET",
            &format!("/v23.0/{id}?fields=status&access_token={NEW_BSP}"),
            &[],
            "",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // A migration that breaks a rule: its error code is recorded.
    let r = sim.migrate(DEST_WABA, "5550100002").await;
    assert_eq!(r.status, 400);

    let register = requests(&sim, "operation=register").await;
    assert_eq!(register.len(), 1);
    let e = &register[0];
    assert_eq!(e["method"], "POST");
    assert_eq!(e["path"], format!("/v23.0/{id}/register"));
    assert_eq!(e["facade"], "graph");
    assert_eq!(e["namespace"], "default");
    assert_eq!(e["status"], 200);
    assert_eq!(e["params"]["messaging_product"], "whatsapp");
    assert_eq!(e["params"]["pin"], "[redacted]");
    assert_eq!(e["authorization"], "[redacted]");
    assert!(e["error"].is_null() && e["fault"].is_null());
    assert!(e["duration_us"].is_u64());
    let all = sim.admin("GET", "/__admin/requests", None).await.text();
    assert!(!all.contains(NEW_BSP), "no token in the journal");
    assert!(!all.contains("123456"), "no PIN in the journal");
    let read = requests(&sim, "operation=get_phone_number").await;
    assert_eq!(read[0]["params"]["access_token"], "[redacted]");
    assert_eq!(read[0]["params"]["fields"], "status");

    // Codes are kept (documented): a test asserts which code its client sent.
    let verify = requests(&sim, "operation=verify_code").await;
    assert_eq!(verify[0]["params"]["code"].as_str().unwrap().len(), 6);

    // Filters, by query and by counting.
    assert_eq!(
        count(&sim, json!({"operation": "migrate_phone_number"})).await,
        2
    );
    assert_eq!(count(&sim, json!({"status": "4xx"})).await, 1);
    assert_eq!(count(&sim, json!({"error": "100"})).await, 1);
    assert_eq!(count(&sim, json!({"error": "100/2388103"})).await, 1);
    assert_eq!(
        count(&sim, json!({"path": format!("/v23.0/{DEST_WABA}/*")})).await,
        2
    );
    assert_eq!(count(&sim, json!({"method": "get"})).await, 1);
    // Control calls are not recorded: a filter on them could never match, so it is refused.
    let r = sim
        .admin(
            "POST",
            "/__admin/requests/count",
            Some(json!({"facade": "admin"})),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(
        r.text().contains("control-API calls are not recorded"),
        "{}",
        r.text()
    );
    assert_eq!(
        count(&sim, json!({"since": "2100-01-01T00:00:00Z"})).await,
        0
    );
    assert_eq!(
        count(&sim, json!({"until": "2100-01-01T00:00:00Z"})).await,
        6
    );
    let newest = requests(&sim, "limit=2").await;
    assert_eq!(newest.len(), 2);
    let after = newest[0]["id"].as_u64().unwrap();
    assert_eq!(requests(&sim, &format!("after={after}")).await.len(), 1);
    // Bad filters are named.
    let r = sim.admin("GET", "/__admin/requests?colour=red", None).await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("colour"));
    let r = sim
        .admin("GET", "/__admin/requests?namespace=nobody-here", None)
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn unmatched_requests_are_listed_apart_with_the_closest_routes() {
    let sim = Sim::start().await;
    let r = sim
        .post_form(&format!("/v23.0/{READY_PHONE_ID}/registr"), NEW_BSP, &[])
        .await;
    assert_eq!(r.status, 400, "Graph's own answer without --strict");
    let r = sim.get("/v23.0/999999999999999", NEW_BSP).await;
    assert_eq!(r.status, 400);
    sim.get(&format!("/v23.0/{READY_PHONE_ID}"), NEW_BSP).await;

    let unmatched = requests(&sim, "unmatched=true").await;
    assert_eq!(unmatched.len(), 2);
    let listed = sim
        .admin("GET", "/__admin/requests/unmatched", None)
        .await
        .json();
    assert_eq!(listed["requests"].as_array().unwrap().len(), 2);
    let typo = &listed["requests"][0];
    assert_eq!(typo["operation"], "unmatched");
    assert_eq!(typo["unmatched"]["reason"], "no_route");
    assert_eq!(
        typo["unmatched"]["closest"][0],
        "POST /{version}/{phone_number_id}/register"
    );
    let unknown = &listed["requests"][1];
    assert_eq!(unknown["unmatched"]["reason"], "unknown_node");
}

#[tokio::test]
async fn strict_mode_answers_a_loud_error_naming_the_closest_route() {
    let mut options = wabasim::Options::default();
    options.config.strict = true;
    let sim = Sim::with(Simulator::start_with(options).await.unwrap());
    let r = sim
        .post_form(&format!("/v23.0/{READY_PHONE_ID}/registr"), NEW_BSP, &[])
        .await;
    assert_eq!(r.status, 404, "{}", r.text());
    let e = &r.json()["error"];
    assert_eq!(e["type"], "WabasimUnmatchedRoute");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("POST /{version}/{phone_number_id}/register"),
        "{e}"
    );
    let r = sim
        .send("PUT", &format!("/v23.0/{READY_PHONE_ID}/register"), &[], "")
        .await;
    assert_eq!(r.status, 404);
    assert!(r.text().contains("method not allowed"), "{}", r.text());
    // An id that names nothing is a real Graph answer, kept as Graph gives it.
    let r = sim.get("/v23.0/999999999999999", NEW_BSP).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], 100);
    // The journal knows the strict answers.
    assert_eq!(requests(&sim, "unmatched=true&status=404").await.len(), 2);
}

#[tokio::test]
async fn the_ring_keeps_the_newest_requests_over_the_wire() {
    let sim = Sim::with(
        Simulator::start_with(wabasim::Options {
            journal_size: 50,
            ..Default::default()
        })
        .await
        .unwrap(),
    );
    for _ in 0..120 {
        let r = sim.get(&format!("/v23.0/{READY_PHONE_ID}"), OLD_BSP).await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let kept = requests(&sim, "").await;
    assert_eq!(kept.len(), 50);
    assert_eq!(kept[0]["id"], 71);
    assert_eq!(kept[49]["id"], 120);
    let ns = sim.admin("GET", "/__admin/namespaces", None).await.json();
    let j = &ns["namespaces"][0]["journal"];
    assert_eq!(j["requests"], 50);
    assert_eq!(j["recorded"], 120);
    assert_eq!(j["dropped"], 70);
}

#[tokio::test]
async fn the_embedding_api_verifies_calls_with_a_readable_report() {
    let sim = Sim::start().await;
    let id = sim.migrate_fully(DEST_WABA).await;
    let journal = sim.sim.journal();
    let register = wabasim::RequestFilter::new().operation("register");
    journal.expect(&register, 1);
    let report = journal.verify(&register, 2).unwrap_err();
    assert!(
        report.contains("expected 2 request(s) matching [operation=register]"),
        "{report}"
    );
    assert!(report.contains("got 1"), "{report}");
    assert!(report.contains("/register -> 200 register"), "{report}");
    // The code the client verified is the one the typed helper reads.
    let code = sim.sim.codes().latest(&id).expect("a code was sent");
    let verify = requests(&sim, "operation=verify_code").await;
    assert_eq!(verify[0]["params"]["code"], code);
}
