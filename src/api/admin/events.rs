//! `POST /__admin/events`: applies one scripted world change now.
//!
//! The body is one entry of a fixture's `events:` without `at` (JSON or YAML): the owner
//! turns two-step verification off, Meta decides a display name or a review, a quality or
//! status changes, a payment method or subscription comes or goes, a template is decided or
//! re-rated. It goes through the same domain operations as a scheduled event
//! (`world/decisions.rs`), so it emits the same world events and webhooks.

use http::StatusCode;
use serde_json::{Value, json};

use super::{Answer, Incoming, body_text, error, ok};
use crate::fixture::EventSpec;
use crate::namespace::Namespace;

const EXAMPLE: &str = "{\"disable_two_step_verification\": {\"phone\": \"+15550100002\"}}";

/// Reads the body into an [`EventSpec`] (whose `at` is only a placeholder here).
fn parse(req: &Incoming) -> Result<EventSpec, String> {
    let text = body_text(
        req,
        "the body is not UTF-8",
        &format!("give one change, e.g. {EXAMPLE}"),
    )?;
    // JSON is YAML: one parser for the body, as for faults and fixtures, with the fixtures'
    // budgets (an alias bomb stops early), and messages that name no fixture flag: no flag
    // raises what one change may be.
    let options = crate::fixture::Limits::default().options();
    let mut value: Value = serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        format!(
            "invalid change: {}",
            crate::fixture::describe_parse_error_of(&e, "change")
        )
    })?;
    let Some(map) = value.as_object_mut() else {
        return Err(format!("give one change as an object, e.g. {EXAMPLE}"));
    };
    if map.contains_key("at") {
        return Err(
            "this route applies the change now: leave out \"at\" (schedule a later change in a fixture's events, POST /__admin/fixture)"
                .into(),
        );
    }
    map.insert("at".into(), json!("+0s"));
    serde_json::from_value(value).map_err(|e| format!("invalid change: {e}"))
}

/// `POST /__admin/events`: `{"applied": label, "at": now, "events": [{field, waba_id}]}`.
pub fn apply(ns: &Namespace, req: &Incoming) -> Answer {
    let spec = match parse(req) {
        Ok(s) => s,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let outcome = ns.with_world(|w| {
        let (label, change) = spec
            .change(w, "event")
            .map_err(|e| (StatusCode::BAD_REQUEST, format!("invalid change: {e}")))?;
        let before = w.undrained_events().len();
        let now = w.now();
        change(w, now).map_err(|e| (StatusCode::CONFLICT, format!("{label} not applied: {e}")))?;
        let emitted: Vec<Value> = w.undrained_events()[before..]
            .iter()
            .map(|e| json!({"field": e.kind.field(), "waba_id": e.waba.to_string()}))
            .collect();
        Ok(json!({"applied": label, "at": now.rfc3339(), "events": emitted}))
    });
    match outcome {
        Ok(body) => {
            // Webhooks for the emitted events may be due now.
            ns.outbox.wake_dispatcher();
            ok(body, "events_apply")
        }
        Err((status, message)) => error(status, message),
    }
}
