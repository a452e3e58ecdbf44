//! `POST /__admin/embedded_signup`: plays the client going through a partner's Embedded
//! Signup popup (reference meta-graph.md §9.1, messaging-and-360dialog.md "Embedded Signup
//! migration"), and answers what the partner's page would receive: the session-logging
//! message event (`WA_EMBEDDED_SIGNUP`: `FINISH`, `CANCEL` or `ERROR`) and, when finished,
//! the code its app exchanges at `GET /oauth/access_token`.
//!
//! `FINISH` changes the world (`World::finish_embedded_signup`); `CANCEL` and `ERROR` only
//! answer their event, as the real popup changes nothing the partner can see then.

use http::StatusCode;
use serde_json::{Value, json};

use super::{Answer, Incoming, body_json, error, ok};
use crate::digest::{FNV_OFFSET_BASIS, fnv1a};
use crate::namespace::Namespace;
use crate::world::signup::{CODE_VALIDITY, SignupRequest};
use crate::world::{DomainError, Id};

/// The session-info version the events are shaped after (messaging-and-360dialog.md:
/// `sessionInfoVersion: '3'`).
const VERSION: i64 = 3;

/// A text or number field of the body.
fn text(body: &Value, key: &str) -> Option<String> {
    match body.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn id(body: &Value, key: &str) -> Result<Option<Id>, String> {
    match text(body, key) {
        None => Ok(None),
        Some(t) => crate::world::parse_id(&t)
            .map(Some)
            .ok_or_else(|| format!("\"{key}\" must be a numeric id, got {t:?}")),
    }
}

fn required_id(body: &Value, key: &str) -> Result<Id, String> {
    id(body, key)?.ok_or_else(|| format!("give \"{key}\""))
}

fn event(name: &str, data: Value) -> Value {
    json!({"type": "WA_EMBEDDED_SIGNUP", "event": name, "version": VERSION, "data": data})
}

/// Reads the popup's inputs for a `FINISH`.
fn request(body: &Value) -> Result<SignupRequest, String> {
    Ok(SignupRequest {
        app: required_id(body, "app_id")?,
        business: required_id(body, "business_id")?,
        waba: id(body, "waba_id")?,
        cc: text(body, "cc").ok_or("give \"cc\" (the country calling code, e.g. \"1\")")?,
        phone_number: text(body, "phone_number")
            .ok_or("give \"phone_number\" (the national number)")?,
        verified_name: text(body, "verified_name"),
    })
}

/// `POST /__admin/embedded_signup`.
pub fn run(ns: &Namespace, req: &Incoming) -> Answer {
    let body = match body_json(req) {
        Ok(Value::Object(map)) => Value::Object(map),
        Ok(_) => return error(StatusCode::BAD_REQUEST, "the body must be a JSON object"),
        Err(a) => return a,
    };
    let outcome = text(&body, "outcome").unwrap_or_else(|| "finish".into());
    match outcome.to_ascii_lowercase().as_str() {
        "finish" => finish(ns, &body),
        "cancel" => {
            let step = text(&body, "current_step").unwrap_or_else(|| "PHONE_NUMBER_SETUP".into());
            ok(
                json!({"message": event("CANCEL", json!({"current_step": step})), "code": null}),
                "embedded_signup",
            )
        }
        "error" => {
            let code = text(&body, "error_code").unwrap_or_else(|| "524126".into());
            let message = text(&body, "error_message")
                .unwrap_or_else(|| "An error occurred while setting up your account.".into());
            let now = ns.with_world(|w| w.now());
            let session = format!(
                "{:016x}",
                fnv1a(
                    &now.0.to_le_bytes(),
                    fnv1a(code.as_bytes(), FNV_OFFSET_BASIS)
                )
            );
            let data = json!({
                "error_message": message, "error_code": code,
                "session_id": session, "timestamp": now.unix_seconds(),
            });
            ok(
                json!({"message": event("ERROR", data), "code": null}),
                "embedded_signup",
            )
        }
        other => error(
            StatusCode::BAD_REQUEST,
            format!("\"outcome\" is finish, cancel or error, not {other:?}"),
        ),
    }
}

fn finish(ns: &Namespace, body: &Value) -> Answer {
    let req = match request(body) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let done = ns.with_world(|w| {
        w.finish_embedded_signup(&req)
            .map(|f| (f, (w.now() + CODE_VALIDITY).rfc3339()))
    });
    match done {
        Ok((f, expires_at)) => {
            // The PARTNER_ADDED webhook is due now.
            ns.outbox.wake_dispatcher();
            let data = json!({
                "phone_number_id": f.phone_number_id.to_string(),
                "waba_id": f.waba_id.to_string(),
                "business_id": f.business_id.to_string(),
            });
            ok(
                json!({
                    "message": event("FINISH", data),
                    "code": f.code,
                    "code_expires_at": expires_at,
                    "migrating": f.migrating,
                }),
                "embedded_signup",
            )
        }
        Err(DomainError::InvalidParameter { param, details }) => error(
            StatusCode::BAD_REQUEST,
            format!("invalid \"{param}\": {details}"),
        ),
        Err(e) => {
            let body = json!({
                "error": format!("the popup refuses this number: {e}, the rule migrate_phone_number would answer for it"),
                "rule": e.name(),
            });
            let mut a = Answer::json(StatusCode::CONFLICT, body.to_string());
            a.error = Some("409".into());
            a
        }
    }
}
