//! `POST /__admin/fixture`: replaces the world of the request's namespace with a fixture sent
//! as YAML or JSON. A bad fixture answers 400 with the located error and leaves the world as
//! it was.

use std::sync::Arc;

use http::StatusCode;
use serde_json::json;

use super::{Answer, Incoming, error, ok};
use crate::fixture::{Fixture, Limits};
use crate::namespace::Namespace;

pub fn load(ns: &Namespace, req: &Incoming) -> Answer {
    let Ok(text) = std::str::from_utf8(&req.body) else {
        return error(StatusCode::BAD_REQUEST, "the fixture is not UTF-8");
    };
    if text.trim().is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "send a fixture (YAML or JSON) as the body; see fixtures/schema.json",
        );
    }
    // Uploads keep the safe default limits whatever the server was started with.
    let fixture = match Fixture::parse_with(text, "<request body>", &Limits::default()) {
        Ok(f) => f,
        Err(e) => {
            let mut a = Answer::json(
                StatusCode::BAD_REQUEST,
                json!({"error": e.to_string(), "line": e.line, "column": e.column}).to_string(),
            );
            a.error = Some("400".into());
            a.operation = "fixture";
            return a;
        }
    };
    let counts = json!({
        "wabas": fixture.wabas.len(),
        "phone_numbers": fixture.wabas.iter().map(|w| w.phone_numbers.len()).sum::<usize>(),
        "templates": fixture.wabas.iter().map(|w| w.templates.len()).sum::<usize>(),
        "events": fixture.events.len(),
        "faults": fixture.faults.len(),
    });
    match ns.load(Arc::new(fixture)) {
        Ok(()) => ok(json!({"namespace": ns.name, "loaded": counts}), "fixture"),
        Err(e) => error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}
