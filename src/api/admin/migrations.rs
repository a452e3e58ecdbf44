//! `GET /__admin/migrations`: each migration as a timeline of its steps (initiate → code
//! requested → verified → registered → templates copied → re-rated), with the world time of
//! each and the refused calls of each step, for the dashboard and for a person reading a
//! failed test.
//!
//! Nothing new is recorded for it: the times come from the world (the migration record, the
//! codes sent, the copies' creation and rating times) and the refusals from the journal (the
//! newest `refusals` failed calls of the migration operations, found by the phone-number id
//! in their path or the national number in their query or body).

use http::StatusCode;
use serde_json::{Value, json};

use super::{Answer, Incoming, error, ok};
use crate::clock::Timestamp;
use crate::journal::Entry;
use crate::namespace::Namespace;
use crate::world::{Migration, World};

/// How many of the newest failed migration calls are read by default (`?refusals=`).
pub const DEFAULT_REFUSALS: usize = 200;

/// The steps, in order.
const STEPS: [&str; 6] = [
    "initiated",
    "code_requested",
    "verified",
    "registered",
    "templates_copied",
    "rerated",
];

/// The step a facade's operation belongs to. The one place vendor operation names meet the
/// timeline: a new facade adds its migration calls here.
const STEP_OF_OPERATION: &[(&str, usize)] = &[
    // Graph (reference/meta-graph.md, the migration flow).
    ("migrate_phone_number", 0),
    ("request_code", 1),
    ("verify_code", 2),
    ("register", 3),
    ("migrate_message_templates", 4),
    // Alibaba ChatApp (reference/alibaba-chatapp.md, the migration actions).
    ("CreateChatappMigrationInitiate", 0),
    ("GetMigrationVerifyCode", 1),
    ("ChatappMigrationVerified", 2),
    ("ChatappMigrationRegister", 3),
];

fn step_of(operation: &str) -> Option<usize> {
    STEP_OF_OPERATION
        .iter()
        .find(|(name, _)| *name == operation)
        .map(|(_, step)| *step)
}

/// A refused call, as a timeline shows it (the journal has the rest under its id).
fn refusal(e: &Entry) -> Value {
    json!({
        "request_id": e.seq, "at": e.at.rfc3339(), "facade": e.facade,
        "operation": e.operation, "status": e.status, "error": e.error,
    })
}

fn mentions(e: &Entry, text: &str) -> bool {
    !text.is_empty()
        && (e.path.contains(text)
            || e.query.contains(text)
            || e.body.windows(text.len()).any(|w| w == text.as_bytes()))
}

/// `GET /__admin/migrations`.
pub fn list(ns: &Namespace, req: &Incoming) -> Answer {
    let params = crate::api::params::Params::from_query(&req.query);
    let wanted = match params
        .non_empty("refusals")
        .map(|v| v.trim().parse::<usize>())
    {
        None => DEFAULT_REFUSALS,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            return error(
                StatusCode::BAD_REQUEST,
                "\"refusals\" must be a non-negative number",
            );
        }
    };
    let mut failed = ns.journal.newest_matching(
        |e| e.status >= 400 && step_of(e.operation).is_some(),
        wanted,
    );
    failed.sort_by_key(|e| e.seq);
    let (timelines, unattached, now) = ns.with_world(|w| {
        let (list, unattached) = timelines(w, &failed);
        (list, unattached, w.now().rfc3339())
    });
    ok(
        json!({"migrations": timelines, "refused_starts": unattached, "now": now}),
        "migrations",
    )
}

/// Each migration's timeline, and the refused starts no migration of their number followed.
fn timelines(w: &World, failed: &[Entry]) -> (Vec<Value>, Vec<Value>) {
    let national = |m: &Migration| {
        w.phones
            .get(&m.source_phone)
            .or_else(|| w.phones.get(&m.dest_phone))
            .map(|p| p.number.clone())
            .unwrap_or_default()
    };
    let numbers: Vec<String> = w.migrations.iter().map(national).collect();
    let mut refusals: Vec<Vec<Vec<Value>>> =
        vec![vec![Vec::new(); STEPS.len()]; w.migrations.len()];
    let mut unattached = Vec::new();
    for e in failed {
        let step = step_of(e.operation).unwrap_or(0);
        // The newest migration of the number started before the call, else its first one.
        let of_number: Vec<usize> = (0..w.migrations.len())
            .filter(|i| {
                let m = &w.migrations[*i];
                mentions(e, &m.dest_phone.to_string()) || mentions(e, &numbers[*i])
            })
            .collect();
        let chosen = of_number
            .iter()
            .rev()
            .find(|i| w.migrations[**i].started_at <= e.at)
            .or(of_number.first());
        match chosen {
            Some(i) => refusals[*i][step].push(refusal(e)),
            None if step == 0 => unattached.push(refusal(e)),
            None => {}
        }
    }
    let list = w
        .migrations
        .iter()
        .zip(refusals)
        .enumerate()
        .map(|(i, (m, refused))| timeline(w, i, m, refused))
        .collect();
    (list, unattached)
}

fn timeline(w: &World, index: usize, m: &Migration, refused: Vec<Vec<Value>>) -> Value {
    let code_at = w
        .codes_sent
        .to_phone(m.dest_phone)
        .find(|c| c.at >= m.started_at)
        .map(|c| c.at);
    let copies = copies(w, m);
    let copied_at = copies.iter().map(|c| c.0).min();
    let rerated_at = copies.iter().filter_map(|c| c.1).max();
    let rerate_due = copies
        .iter()
        .filter(|c| c.1.is_none())
        .filter_map(|c| c.2)
        .max();
    use crate::world::MigrationState as S;
    let at = [
        Some(m.started_at),
        code_at,
        m.verified_at,
        m.finished_at,
        copied_at,
        rerated_at,
    ];
    // A step is done when its time is known or the record is past it (the ring of codes
    // sent may have forgotten the code).
    let reached = [
        true,
        code_at.is_some() || matches!(m.state, S::Verified | S::Completed),
        m.verified_at.is_some(),
        m.state == S::Completed,
        copied_at.is_some(),
        rerated_at.is_some() && rerate_due.is_none(),
    ];
    let steps: Vec<Value> = STEPS
        .iter()
        .zip(refused)
        .enumerate()
        .map(|(i, (name, refused))| {
            json!({
                "step": name,
                "done": reached[i],
                "at": at[i].map(|t| t.rfc3339()),
                "due_at": (i == 5 && !reached[i]).then_some(rerate_due).flatten().map(|t| t.rfc3339()),
                "refused": refused,
            })
        })
        .collect();
    json!({
        "index": index,
        "phone_number": m.e164,
        "state": m.state.as_str(),
        "source_waba_id": m.source_waba.to_string(),
        "destination_waba_id": m.dest_waba.to_string(),
        "source_phone_number_id": m.source_phone.to_string(),
        "destination_phone_number_id": m.dest_phone.to_string(),
        "templates_copied": copies.len(),
        "steps": steps,
    })
}

/// The migration's template copies on the destination: (copied at, re-rated at, re-rating
/// due at) each.
fn copies(w: &World, m: &Migration) -> Vec<(Timestamp, Option<Timestamp>, Option<Timestamp>)> {
    let Some(dest) = w.wabas.get(&m.dest_waba) else {
        return Vec::new();
    };
    dest.templates
        .iter()
        .filter_map(|id| w.templates.get(id))
        .filter(|t| t.copied_from.is_some() && t.created_at >= m.started_at)
        .map(|t| {
            let rerated =
                (t.quality != crate::world::vocab::Quality::Unknown).then_some(t.quality_at);
            (t.created_at, rerated, super::state::rerate_due(w, t))
        })
        .collect()
}
