//! `POST /__admin/fixture`: replaces the world of the request's namespace with a fixture sent
//! as YAML or JSON. A bad fixture answers 400 with the located error and leaves the world as
//! it was.
//!
//! An upload is parsed and built on the blocking pool (a big one takes seconds and must not
//! stall the workers that serve every other request), under the default limits whatever the
//! server was started with, and may generate at most `fixture::UPLOAD_MAX_RECORDS` records.

use std::sync::Arc;

use http::StatusCode;
use serde_json::{Value, json};

use super::{Answer, Incoming, body_text, error, ok};
use crate::fixture::{Fixture, FixtureError};
use crate::namespace::Namespace;

/// What a fixture puts in a world, generated records included: the answer's `loaded`.
pub(super) fn loaded(fixture: &Fixture) -> Value {
    let (g_wabas, g_phones, g_templates) =
        fixture.generate.as_ref().map_or((0, 0, 0), |g| g.counts());
    json!({
        "wabas": fixture.wabas.len() as u64 + g_wabas,
        "phone_numbers": fixture.wabas.iter().map(|w| w.phone_numbers.len() as u64).sum::<u64>() + g_phones,
        "templates": fixture.wabas.iter().map(|w| w.templates.len() as u64).sum::<u64>() + g_templates,
        "events": fixture.events.len(),
        "faults": fixture.faults.len(),
    })
}

/// A located fixture error as the control API answers it.
pub(super) fn refusal(e: &FixtureError) -> Answer {
    let mut a = Answer::json(
        StatusCode::BAD_REQUEST,
        json!({"error": e.to_string(), "line": e.line, "column": e.column}).to_string(),
    );
    a.error = Some("400".into());
    a.operation = "fixture";
    a
}

/// Parses and builds an uploaded fixture on the blocking pool.
pub(super) async fn parse_upload(
    text: String,
    origin: String,
) -> Result<(Fixture, (crate::world::World, Vec<crate::faults::Fault>)), Answer> {
    match tokio::task::spawn_blocking(move || Fixture::parse_upload(&text, &origin)).await {
        Ok(Ok(built)) => Ok(built),
        Ok(Err(e)) => Err(refusal(&e)),
        Err(e) => Err(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("building the fixture failed: {e}"),
        )),
    }
}

pub async fn load(ns: &Arc<Namespace>, req: &Incoming) -> Answer {
    let text = match body_text(
        req,
        "the fixture is not UTF-8",
        "send a fixture (YAML or JSON) as the body; see fixtures/schema.json",
    ) {
        Ok(text) => text,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let (fixture, built) = match parse_upload(text.to_string(), "<request body>".into()).await {
        Ok(x) => x,
        Err(refused) => return refused,
    };
    let counts = loaded(&fixture);
    ns.install(Arc::new(fixture), built);
    ok(json!({"namespace": ns.name, "loaded": counts}), "fixture")
}
