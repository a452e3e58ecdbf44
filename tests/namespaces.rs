//! Namespaces: parallel tests on one server, each in its own world, never see each other.

mod common;

use common::world::{DEST_WABA, READY_NUMBER};
use common::{Sim, Simulator};
use serde_json::{Value, json};

async fn state(sim: &Sim) -> Value {
    let r = sim.admin("GET", "/__admin/state", None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

fn migrations(state: &Value) -> usize {
    state["migrations"].as_array().unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_namespaces_migrate_the_same_number_at_once_and_a_reset_stays_in_its_own() {
    let sim = Sim::start().await;
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let client = sim.in_namespace(&format!("parallel-{i}"));
            tokio::spawn(async move {
                let id = client.migrate_fully(DEST_WABA).await;
                (client, id)
            })
        })
        .collect();
    let mut clients = Vec::new();
    for t in tasks {
        clients.push(t.await.expect("every migration succeeds"));
    }
    // Each world saw exactly its own migration, with the same seeded ids.
    let first_id = clients[0].1.clone();
    for (client, id) in &clients {
        assert_eq!(
            id, &first_id,
            "same fixture, same seed, same requests, same id"
        );
        let s = state(client).await;
        assert_eq!(migrations(&s), 1, "namespace {:?}", client.namespace);
        assert_eq!(
            s["migrations"][0]["state"], "COMPLETED",
            "{:#}",
            s["migrations"]
        );
        assert_eq!(
            s["migrations"][0]["phone_number"],
            format!("1{READY_NUMBER}")
        );
        let r = client
            .admin(
                "POST",
                "/__admin/requests/count",
                Some(json!({"operation": "register"})),
            )
            .await;
        assert_eq!(r.json(), json!({"count": 1}), "{:?}", client.namespace);
    }
    // The default namespace saw none of it.
    assert_eq!(migrations(&state(&sim).await), 0);
    let r = sim
        .admin("POST", "/__admin/requests/count", Some(json!({})))
        .await;
    assert_eq!(r.json(), json!({"count": 0}));

    // A reset in one namespace leaves the others as they were.
    let (reset_one, _) = &clients[7];
    // Its Graph responses are checked now, while the world that answered them exists.
    let (failures, _) = reset_one.conformance_failures();
    assert!(failures.is_empty(), "{failures:#?}");
    let r = reset_one.admin("POST", "/__admin/reset", None).await;
    assert_eq!(r.json(), json!({"reset": "parallel-7"}));
    assert_eq!(migrations(&state(reset_one).await), 0);
    let r = reset_one
        .admin("POST", "/__admin/requests/count", Some(json!({})))
        .await;
    assert_eq!(
        r.json(),
        json!({"count": 0}),
        "a reset empties the namespace's journal"
    );
    for (i, (client, _)) in clients.iter().enumerate() {
        if i != 7 {
            assert_eq!(migrations(&state(client).await), 1, "parallel-{i}");
        }
    }
    // The journal can be read across namespaces.
    let r = sim
        .admin(
            "POST",
            "/__admin/requests/count",
            Some(json!({"namespace": "*", "operation": "register"})),
        )
        .await;
    assert_eq!(r.json(), json!({"count": 49}));
    let r = sim.admin("GET", "/__admin/namespaces", None).await.json();
    assert_eq!(r["count"], 51);
}

#[tokio::test]
async fn namespaces_are_created_listed_bounded_and_deleted() {
    let sim = Sim::with(
        Simulator::start_with(wabasim::Options {
            max_namespaces: 3,
            ..Default::default()
        })
        .await
        .unwrap(),
    );
    let create = |body: Value| {
        let sim = &sim;
        async move { sim.admin("POST", "/__admin/namespaces", Some(body)).await }
    };
    let r = create(json!({"name": "from-default", "fixture_name": "default"})).await;
    assert_eq!(r.status, 201, "{}", r.text());
    // A fixture of its own: the default world with another seed.
    let yaml = include_str!("../fixtures/default.yaml").replace("seed: 7", "seed: 8");
    let r = create(json!({"name": "own", "fixture": yaml})).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = create(json!({"name": "own"})).await;
    assert_eq!(r.status, 409, "{}", r.text());
    // The default namespace counts towards --max-namespaces.
    let r = create(json!({"name": "one-too-many"})).await;
    assert_eq!(r.status, 429, "{}", r.text());
    assert!(r.text().contains("--max-namespaces"), "{}", r.text());
    // Graph answers the same limit in its own envelope.
    let graph = sim.in_namespace("implicit");
    let r = graph
        .get("/v23.0/110000000000001", common::world::NEW_BSP)
        .await;
    assert_eq!(r.status, 429);
    assert!(r.json()["error"]["message"].is_string(), "{}", r.text());
    // Bad input is named.
    let r = create(json!({"name": "bad name!"})).await;
    assert_eq!(r.status, 400);
    let r = create(json!({"name": "x", "fixture": "seed: [not a fixture"})).await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = create(json!({"name": "x", "fixture_name": "nope"})).await;
    assert_eq!(r.status, 400);

    let list = sim.admin("GET", "/__admin/namespaces", None).await.json();
    let names: Vec<&str> = list["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["default", "from-default", "own"]);
    assert_eq!(
        sim.sim.namespaces(),
        names,
        "the embedding API lists the same"
    );
    assert_eq!(list["max"], 3);

    let r = sim.admin("DELETE", "/__admin/namespaces/own", None).await;
    assert_eq!(r.json(), json!({"deleted": "own"}));
    let r = sim.admin("DELETE", "/__admin/namespaces/own", None).await;
    assert_eq!(r.status, 404);
    let r = sim
        .admin("DELETE", "/__admin/namespaces/default", None)
        .await;
    assert_eq!(r.status, 400);
    // Room again.
    let r = create(json!({"name": "again"})).await;
    assert_eq!(r.status, 201, "{}", r.text());
}

// ---- issue 14: namespaces under an admin token ----

fn with_token(mut options: wabasim::Options) -> wabasim::Options {
    options.config.admin_token = Some("s3cret".into());
    options
}

async fn namespace_count(sim: &Sim) -> usize {
    let r = sim
        .send(
            "GET",
            "/__admin/namespaces",
            &[("authorization", "Bearer s3cret")],
            "",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["count"].as_u64().unwrap() as usize
}

#[tokio::test]
async fn a_health_flood_naming_new_namespaces_creates_none() {
    let sim = Sim::with(
        Simulator::start_with(with_token(wabasim::Options::default()))
            .await
            .unwrap(),
    );
    for i in 0..300 {
        let r = sim
            .in_namespace(&format!("flood-{i}"))
            .admin("GET", "/__admin/health", None)
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["exists"], false, "{}", r.text());
        assert_eq!(r.json()["namespace"], format!("flood-{i}"));
    }
    assert_eq!(namespace_count(&sim).await, 1, "health created namespaces");
    // A bad name is still refused, and an existing namespace is reported as such.
    let r = sim
        .in_namespace("bad name!")
        .admin("GET", "/__admin/health", None)
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = sim.admin("GET", "/__admin/health", None).await;
    assert_eq!(
        (r.json()["namespace"].as_str(), r.json()["exists"].as_bool()),
        (Some("default"), Some(true))
    );
}

#[tokio::test]
async fn with_namespaces_existing_a_facade_call_cannot_create_one() {
    let mut options = with_token(wabasim::Options::default());
    options.config.namespaces = wabasim::app::NamespacePolicy::Existing;
    let sim = Sim::with(Simulator::start_with(options).await.unwrap());
    let t1 = sim.in_namespace("t1");
    // Graph: code 100 in Graph's envelope, naming the way to create one.
    let r = t1
        .get(&format!("/v23.0/{DEST_WABA}"), common::world::NEW_BSP)
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], 100, "{}", r.text());
    assert!(
        r.text().contains("POST /__admin/namespaces"),
        "{}",
        r.text()
    );
    // Alibaba: its Code/Message (sent exactly: not kept for the Graph conformance check).
    let r = t1
        .send_exact(
            "POST",
            "/?Action=QueryChatappBindWaba&Version=2020-06-06",
            &[("x-wabasim-namespace", "t1")],
            "",
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.json()["Code"].is_string(), "{}", r.text());
    assert_eq!(namespace_count(&sim).await, 1);
    // Made through the control API (with the token), it serves.
    let r = sim
        .send(
            "POST",
            "/__admin/namespaces",
            &[
                ("authorization", "Bearer s3cret"),
                ("content-type", "application/json"),
            ],
            json!({"name": "t1"}).to_string(),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = t1
        .get(&format!("/v23.0/{DEST_WABA}"), common::world::NEW_BSP)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // The default namespace needs no creating.
    let r = sim
        .get(&format!("/v23.0/{DEST_WABA}"), common::world::NEW_BSP)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn idle_namespaces_expire_after_the_ttl() {
    let mut options = wabasim::Options::default();
    options.config.namespace_ttl = Some(std::time::Duration::from_millis(300));
    let sim = Sim::with(Simulator::start_with(options).await.unwrap());
    let r = sim
        .in_namespace("brief")
        .get(&format!("/v23.0/{DEST_WABA}"), common::world::NEW_BSP)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(sim.sim.namespaces(), ["default", "brief"]);
    for _ in 0..200 {
        if sim.sim.namespaces() == ["default"] {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("never expired: {:?}", sim.sim.namespaces());
}

#[tokio::test]
async fn past_max_connections_a_health_check_is_still_answered() {
    let mut options = wabasim::Options::default();
    options.config.max_connections = 2;
    let sim = Sim::with(Simulator::start_with(options).await.unwrap());
    // Idle connections that never send a head: the 2 slots and the 8 spares, and more.
    let mut idle = Vec::new();
    for _ in 0..30 {
        idle.push(
            tokio::net::TcpStream::connect(sim.sim.address())
                .await
                .unwrap(),
        );
    }
    let r = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        sim.admin("GET", "/__admin/health", None),
    )
    .await
    .expect("a health check waited more than 10 s");
    assert_eq!(r.status, 200, "{}", r.text());
    drop(idle);
    let r = sim
        .get(&format!("/v23.0/{DEST_WABA}"), common::world::NEW_BSP)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}
