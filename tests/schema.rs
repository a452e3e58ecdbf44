//! The JSON Schemas shipped for editors (`fixtures/schema.json`, `scenarios/schema.json`) are
//! generated from the types; this test fails when one is stale. Refresh them with
//! `WABASIM_UPDATE_SCHEMAS=1 cargo test --test schema`.

use std::path::Path;

fn check(relative: &str, fresh: String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    if std::env::var_os("WABASIM_UPDATE_SCHEMAS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let shipped = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        shipped == fresh,
        "{relative} is stale: the types changed. Refresh it with `WABASIM_UPDATE_SCHEMAS=1 cargo test --test schema`"
    );
}

#[test]
fn fixture_schema_is_up_to_date() {
    check("fixtures/schema.json", wabasim::fixture::json_schema());
}

#[test]
fn scenario_schema_is_up_to_date() {
    check("scenarios/schema.json", wabasim::scenario::json_schema());
}

#[test]
fn the_fixture_schema_refuses_unknown_keys_and_knows_faults_and_events() {
    let schema: serde_json::Value = serde_json::from_str(&wabasim::fixture::json_schema()).unwrap();
    assert_eq!(schema["additionalProperties"], false);
    for key in ["events", "faults", "wabas", "cams"] {
        assert!(schema["properties"].get(key).is_some(), "{key}");
    }
    let fault = &schema["$defs"]["FaultSpec"]["properties"];
    for key in [
        "match", "when", "action", "error", "throttle", "delay", "close",
    ] {
        assert!(fault.get(key).is_some(), "{key}");
    }
}

#[test]
fn shipped_fixtures_point_editors_at_the_schema() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=schema.json"),
            "{} should start with the schema line",
            path.display()
        );
        wabasim::Fixture::parse(&text, &path.display().to_string()).unwrap();
    }
}
