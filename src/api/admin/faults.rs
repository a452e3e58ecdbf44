//! `/__admin/faults`: the namespace's scripted faults, listed with their counters, added and
//! removed at runtime. A fault is written exactly as in a fixture's `faults:` (JSON or YAML).

use http::StatusCode;
use serde_json::json;

use super::{Answer, Incoming, body_text, error, ok};
use crate::faults::FaultSpec;
use crate::namespace::Namespace;

/// `GET /__admin/faults`: every fault, in order, with `seen` and `hits`.
pub fn list(ns: &Namespace) -> Answer {
    let list: Vec<_> = ns.faults.list().iter().map(|f| f.to_json()).collect();
    ok(json!({ "faults": list }), "faults")
}

/// `DELETE /__admin/faults`: removes them all.
pub fn clear(ns: &Namespace) -> Answer {
    let removed = ns.faults.list().len();
    ns.faults.clear();
    ok(json!({ "deleted": removed }), "faults_clear")
}

/// `POST /__admin/faults`: one fault, as JSON (or YAML); answers its id.
pub fn add(ns: &Namespace, req: &Incoming) -> Answer {
    let text = match body_text(
        req,
        "the body is not UTF-8",
        "give a fault, e.g. {\"match\": {\"facade\": \"graph\", \"operation\": \"request_code\"}, \"times\": 2, \"error\": \"too_many_code_requests\"}",
    ) {
        Ok(text) => text,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    // JSON is YAML: one parser, one set of messages for the body and for fixtures, and the
    // fixtures' budgets (an alias bomb stops early).
    let options = crate::fixture::Limits::default().options();
    let spec: FaultSpec = match serde_saphyr::from_str_with_options(text, options) {
        Ok(s) => s,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!(
                    "invalid fault: {}",
                    crate::fixture::describe_parse_error_of(&e, "fault")
                ),
            );
        }
    };
    // A fault added here lives in this namespace only: naming another one, it never fires.
    if let Some(other) = spec.matcher.namespace.as_deref().map(str::trim)
        && other != ns.name
        && crate::namespace::valid_name(other)
    {
        return error(
            StatusCode::BAD_REQUEST,
            format!(
                "invalid fault: match.namespace: {other:?} is not this namespace ({:?}), and a fault added here only sees this namespace's calls; send it with X-Wabasim-Namespace: {other}, or leave match.namespace out",
                ns.name
            ),
        );
    }
    if let Err(e) = spec.check_names(&crate::api::facade::catalog()) {
        return error(StatusCode::BAD_REQUEST, format!("invalid fault: {e}"));
    }
    let base = ns.with_world(|w| w.now());
    match ns.faults.add(&spec, base) {
        Ok(id) => ok(json!({ "id": id }), "faults_add"),
        Err(e) => error(StatusCode::BAD_REQUEST, format!("invalid fault: {e}")),
    }
}

/// `DELETE /__admin/faults/{id}`.
pub fn remove(ns: &Namespace, id: &str) -> Answer {
    if ns.faults.remove(id) {
        ok(json!({ "deleted": id }), "faults_delete")
    } else {
        let known: Vec<String> = ns.faults.list().into_iter().map(|f| f.id).collect();
        error(
            StatusCode::NOT_FOUND,
            format!(
                "no fault {id:?} in namespace {:?} (faults: {})",
                ns.name,
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ),
        )
    }
}
