//! The control API as a product: its OpenAPI document matches the real routes both ways,
//! `--admin-token` guards it, and wrong methods are answered with the allowed ones.

mod common;

use common::{Sim, Simulator};
use serde_json::{Value, json};
use wabasim::api::admin::ROUTES;

/// A concrete path for a documented template (`{app_id}`, `{name}`).
fn concrete(template: &str) -> String {
    template
        .replace("{app_id}", "300000000000002")
        .replace("{name}", "doomed")
        .replace("{id}", "1")
}

#[tokio::test]
async fn every_documented_route_exists_and_every_route_is_documented() {
    let sim = Sim::start().await;
    let r = sim.admin("GET", "/__admin/openapi.json", None).await;
    assert_eq!(r.status, 200);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let paths = doc["paths"].as_object().expect("paths");

    // Every route of the router's table is in the document, with a summary and answers.
    for route in ROUTES {
        let op = &paths
            .get(route.path)
            .unwrap_or_else(|| panic!("{} is not documented", route.path))
            [route.method.as_str().to_ascii_lowercase()];
        assert!(
            op["summary"].is_string(),
            "{} {} is not documented",
            route.method,
            route.path
        );
        assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()));
        assert!(op["operationId"].is_string());
    }

    // Every documented operation answers on the real server (the router knows it: neither
    // "no control route" nor 405), and its path parameters are declared.
    let mut documented = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            documented += 1;
            for p in op["parameters"].as_array().unwrap() {
                if p["in"] == "path" {
                    let name = p["name"].as_str().unwrap();
                    assert!(path.contains(&format!("{{{name}}}")), "{path}: {name}");
                }
            }
            if path.contains("{name}") {
                let r = sim
                    .admin(
                        "POST",
                        "/__admin/namespaces",
                        Some(json!({"name": "doomed"})),
                    )
                    .await;
                assert_eq!(r.status, 201, "{}", r.text());
            }
            let url = concrete(path);
            let url = if path == "/__admin/webhooks" {
                format!("{url}?wait=0s")
            } else {
                url
            };
            let body = (method == "post").then(|| json!({}));
            let r = sim.admin(&method.to_uppercase(), &url, body).await;
            assert_ne!(r.status, 405, "{method} {path}: {}", r.text());
            assert!(
                !r.text().contains("no control route"),
                "{method} {path} is documented but not routed"
            );
            assert!(r.status < 500, "{method} {path}: {}", r.text());
        }
    }
    assert_eq!(
        documented,
        ROUTES.len(),
        "one documented operation per route"
    );
    // The reset above must not break anything: the server still answers.
    assert_eq!(sim.admin("GET", "/__admin/health", None).await.status, 200);
}

#[tokio::test]
async fn the_admin_token_guards_the_control_api_but_not_graph_or_health() {
    let mut options = wabasim::Options::default();
    options.config.admin_token = Some("s3cret".into());
    let sim = Sim::with(Simulator::start_with(options).await.unwrap());
    let r = sim.admin("GET", "/__admin/state", None).await;
    assert_eq!(r.status, 401);
    assert!(r.json()["error"].as_str().unwrap().contains("admin token"));
    let r = sim
        .send(
            "GET",
            "/__admin/state",
            &[("authorization", "Bearer s3cret")],
            "",
        )
        .await;
    assert_eq!(r.status, 200);
    let r = sim
        .send(
            "GET",
            "/__admin/state",
            &[("x-wabasim-admin-token", "s3cret")],
            "",
        )
        .await;
    assert_eq!(r.status, 200);
    let r = sim
        .send(
            "GET",
            "/__admin/state",
            &[("authorization", "Bearer s3cre")],
            "",
        )
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "wrong admin token");
    // A readiness probe needs no token.
    assert_eq!(sim.admin("GET", "/__admin/health", None).await.status, 200);
    // Graph keeps its own authentication.
    let r = sim
        .get("/v23.0/110000000000001", common::world::OLD_BSP)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn a_wrong_method_names_the_allowed_ones() {
    let sim = Sim::start().await;
    let r = sim.admin("GET", "/__admin/reset", None).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST"));
    let r = sim.admin("PUT", "/__admin/namespaces", None).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET, POST"));
    let r = sim.admin("GET", "/__admin/nothing-here", None).await;
    assert_eq!(r.status, 404);
    let e: Value = r.json();
    assert!(e["error"].as_str().unwrap().contains("openapi.json"));
}

#[tokio::test]
async fn an_app_webhook_url_is_set_in_the_caller_s_namespace_only() {
    let sim = Sim::start().await;
    let other = sim.in_namespace("other");
    let r = sim
        .admin(
            "POST",
            "/__admin/webhooks/apps/300000000000002",
            Some(json!({"webhook_url": "http://127.0.0.1:9/hook", "verify_token": "vt"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["webhook_url"], "http://127.0.0.1:9/hook");
    let app = |state: Value| {
        state["apps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == "300000000000002")
            .cloned()
            .unwrap()
    };
    let mine = app(sim.admin("GET", "/__admin/state", None).await.json());
    assert_eq!(mine["webhook_url"], "http://127.0.0.1:9/hook");
    let theirs = app(other.admin("GET", "/__admin/state", None).await.json());
    assert!(theirs["webhook_url"].is_null());
    let r = sim
        .admin(
            "POST",
            "/__admin/webhooks/apps/399999999999999",
            Some(json!({"webhook_url": null})),
        )
        .await;
    assert_eq!(r.status, 404);
    let r = sim
        .admin(
            "POST",
            "/__admin/webhooks/apps/300000000000002",
            Some(json!({"webhook_url": "ftp://x"})),
        )
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn the_dashboard_is_served_as_html_without_the_token_and_its_data_with_it() {
    let mut options = wabasim::Options::default();
    options.config.admin_token = Some("s3cret".into());
    let sim = Sim::with(Simulator::start_with(options).await.unwrap());
    // The page holds no data: a browser opens it, then it asks for the token.
    let r = sim.admin("GET", "/__admin/ui", None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(r.header("content-security-policy").is_some());
    assert!(r.text().contains("/__admin/ui/dashboard.js"));
    assert!(r.text().contains("id=\"token-dialog\""));
    let r = sim.admin("GET", "/__admin/ui/dashboard.js", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(r.text().contains("X-Wabasim-Admin-Token"));
    let r = sim.admin("GET", "/__admin/ui/dashboard.css", None).await;
    assert_eq!(r.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(
        sim.admin("GET", "/__admin/ui/secrets", None).await.status,
        404
    );
    // Every call the page makes needs the token, as any control call does.
    for path in [
        "/__admin/state",
        "/__admin/migrations",
        "/__admin/namespaces",
    ] {
        assert_eq!(sim.admin("GET", path, None).await.status, 401, "{path}");
        let r = sim
            .send("GET", path, &[("x-wabasim-admin-token", "s3cret")], "")
            .await;
        assert_eq!(r.status, 200, "{path}: {}", r.text());
    }
    // Opening the page never creates the namespace a stray header names.
    let r = sim
        .send(
            "GET",
            "/__admin/ui",
            &[("x-wabasim-namespace", "never-made")],
            "",
        )
        .await;
    assert_eq!(r.status, 200);
    let r = sim
        .send(
            "GET",
            "/__admin/health",
            &[("x-wabasim-namespace", "never-made")],
            "",
        )
        .await;
    assert_eq!(r.json()["exists"], false);
}

#[tokio::test]
async fn namespaces_are_listed_a_page_at_a_time() {
    let sim = Sim::start().await;
    for i in 0..5 {
        let r = sim
            .admin(
                "POST",
                "/__admin/namespaces",
                Some(json!({"name": format!("page-{i}")})),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
    }
    let r = sim
        .admin("GET", "/__admin/namespaces?offset=1&limit=2", None)
        .await
        .json();
    let names: Vec<&str> = r["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["page-0", "page-1"]);
    assert_eq!(
        (r["count"].as_u64(), r["matched"].as_u64()),
        (Some(6), Some(6))
    );
    let r = sim
        .admin("GET", "/__admin/namespaces?contains=-3", None)
        .await
        .json();
    assert_eq!(r["matched"], 1);
    assert_eq!(r["namespaces"][0]["name"], "page-3");
    let r = sim
        .admin("GET", "/__admin/namespaces?limit=1001", None)
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
}

#[tokio::test]
async fn a_migration_reads_as_a_timeline_with_its_refused_calls() {
    let sim = Sim::start().await;
    let refused = sim.migrate("200000000000002", "5550100099").await;
    assert_eq!(refused.status, 400, "{}", refused.text());
    let id = sim.migrate_fully("200000000000002").await;
    let wrong = sim
        .post_form(
            &format!("/v23.0/{id}/verify_code"),
            common::world::NEW_BSP,
            &[("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status, 400, "{}", wrong.text());
    let r = sim.admin("GET", "/__admin/migrations", None).await.json();
    let m = &r["migrations"][0];
    assert_eq!(m["destination_phone_number_id"], id.as_str());
    let steps: Vec<(&str, bool)> = m["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_str().unwrap(), s["done"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("initiated", true),
            ("code_requested", true),
            ("verified", true),
            ("registered", true),
            ("templates_copied", true),
            ("rerated", false),
        ]
    );
    assert!(m["steps"][5]["due_at"].is_string());
    assert_eq!(m["steps"][2]["refused"][0]["operation"], "verify_code");
    assert_eq!(r["refused_starts"][0]["operation"], "migrate_phone_number");
    sim.admin(
        "POST",
        "/__admin/clock/advance",
        Some(json!({"duration": "24h"})),
    )
    .await;
    let r = sim.admin("GET", "/__admin/migrations", None).await.json();
    assert_eq!(r["migrations"][0]["steps"][5]["done"], true);
    // The journal pages back with `before`.
    let r = sim
        .admin("GET", "/__admin/requests?limit=2&before=3", None)
        .await
        .json();
    let ids: Vec<u64> = r["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2]);
}

/// `GET /__admin/codes`: the exact body (keys sorted, as before it was written by hand), and
/// its two filters, each matching only what it names.
#[tokio::test]
async fn codes_answer_every_field_and_filter_by_id_or_number() {
    use common::world::{DEST_WABA, NEW_BSP, READY_NUMBER};
    let sim = Sim::start().await;
    let r = sim.migrate(DEST_WABA, READY_NUMBER).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let r = sim
        .post_form(
            &format!("/v23.0/{id}/request_code"),
            NEW_BSP,
            &[("code_method", "SMS"), ("language", "en_US")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let all = sim.admin("GET", "/__admin/codes", None).await;
    assert_eq!(all.status, 200);
    let code = all.json()["codes"][0].clone();
    let e164 = code["phone_number"].as_str().unwrap().to_string();
    let expected = format!(
        r#"{{"codes":[{{"code":"{}","language":"en_US","method":"SMS","phone_number":"{e164}","phone_number_id":"{id}","sent_at":"{}"}}]}}"#,
        code["code"].as_str().unwrap(),
        code["sent_at"].as_str().unwrap()
    );
    assert_eq!(all.text(), expected);
    assert!(code["code"].as_str().unwrap().len() == 6);
    for path in [
        format!("/__admin/codes?phone_number_id={id}"),
        format!("/__admin/codes?phone_number=%2B{e164}"),
    ] {
        let r = sim.admin("GET", &path, None).await;
        assert_eq!(r.text(), expected, "{path}");
    }
    for path in [
        "/__admin/codes?phone_number_id=110000000000001".to_string(),
        format!("/__admin/codes?phone_number_id=0{id}"),
        "/__admin/codes?phone_number=15550000000".to_string(),
    ] {
        let r = sim.admin("GET", &path, None).await;
        assert_eq!(r.text(), r#"{"codes":[]}"#, "{path}");
    }
}
