//! An outbox as a `--state` file keeps it, and how it is read back.

use std::collections::VecDeque;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::{Attempt, AttemptKind, Delivery, DeliveryState, Outbox};
use crate::clock::Timestamp;
use crate::world::Id;

/// An outbox as a `--state` file keeps it: every delivery with its attempts, the handshakes
/// passed, the counters. A try under way when it was saved is not finished: it is made again
/// after the restart (a receiver may see that delivery twice, as with any retry).
#[derive(Serialize, Deserialize)]
pub struct SavedOutbox {
    next_id: u64,
    unaddressed: u64,
    verified: Vec<(String, String)>,
    deliveries: Vec<SavedDelivery>,
}

#[derive(Serialize, Deserialize)]
struct SavedDelivery {
    id: u64,
    field: String,
    waba: Id,
    app: Id,
    url: String,
    verify_token: Option<String>,
    /// The exact bytes sent, which are JSON text.
    body: String,
    signature: String,
    /// Meta's `x-hub-signature-256` unless a facade signs its own way (files saved before
    /// facades could have none).
    #[serde(default = "meta_header")]
    signature_header: String,
    event_at: Timestamp,
    created_at: Timestamp,
    state: DeliveryState,
    attempts: Vec<SavedAttempt>,
    tries: u32,
    next_at: Option<Timestamp>,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    after: Option<u64>,
}

/// An [`Attempt`] with its time as a number (the listing writes RFC 3339).
#[derive(Serialize, Deserialize)]
struct SavedAttempt {
    try_n: u32,
    kind: AttemptKind,
    at: Timestamp,
    status: Option<u16>,
    error: Option<String>,
    duration_ms: u64,
}

/// Reads a saved name (a facade's webhook event or signature header) back as the static text
/// deliveries keep; the caller knows the facades' names (`Facade::webhook_names`).
pub type Names<'a> = &'a dyn Fn(&str) -> Option<&'static str>;

/// The webhook field spelled `name`, as the static string deliveries keep.
fn field_named(name: &str, names: Names) -> Option<&'static str> {
    crate::world::EventKind::FIELDS
        .iter()
        .copied()
        .find(|f| *f == name)
        .or_else(|| names(name))
}

/// The signature header spelled `name`: Meta's, or a facade's.
fn header_named(name: &str, names: Names) -> Option<&'static str> {
    match name {
        crate::webhooks::signature::HEADER => Some(crate::webhooks::signature::HEADER),
        "" => Some(""),
        _ => names(name),
    }
}

fn meta_header() -> String {
    crate::webhooks::signature::HEADER.to_string()
}

impl SavedOutbox {
    /// `Err` names a delivery whose webhook field or signature header this build does not
    /// deliver.
    pub fn check(&self, names: Names) -> Result<(), String> {
        match self.deliveries.iter().find(|d| {
            field_named(&d.field, names).is_none()
                || header_named(&d.signature_header, names).is_none()
        }) {
            Some(d) => Err(format!(
                "webhook delivery {}: unknown field {:?} or signature header {:?}",
                d.id, d.field, d.signature_header
            )),
            None => Ok(()),
        }
    }
}

impl Outbox {
    /// What a `--state` file keeps of this outbox.
    pub fn save(&self) -> SavedOutbox {
        let s = self.state.lock();
        SavedOutbox {
            next_id: s.next_id,
            unaddressed: s.unaddressed,
            verified: s.verified.iter().cloned().collect(),
            deliveries: s
                .deliveries
                .iter()
                .map(|d| SavedDelivery {
                    id: d.id,
                    field: d.field.to_string(),
                    waba: d.waba,
                    app: d.app,
                    url: d.url.clone(),
                    verify_token: d.verify_token.clone(),
                    body: String::from_utf8_lossy(&d.body).into_owned(),
                    signature: d.signature.clone(),
                    signature_header: d.signature_header.to_string(),
                    event_at: d.event_at,
                    created_at: d.created_at,
                    state: d.state,
                    attempts: d
                        .attempts
                        .iter()
                        .map(|a| SavedAttempt {
                            try_n: a.try_n,
                            kind: a.kind,
                            at: a.at,
                            status: a.status,
                            error: a.error.clone(),
                            duration_ms: a.duration_ms,
                        })
                        .collect(),
                    tries: d.tries,
                    next_at: d.next_at,
                    headers: d.headers.clone(),
                    after: d.after,
                })
                .collect(),
        }
    }

    /// Puts back what [`Outbox::save`] saw (checked with [`SavedOutbox::check`] first).
    /// Wakes the dispatcher: what was due is sent.
    pub fn restore(&self, saved: SavedOutbox, names: Names) -> Result<(), String> {
        saved.check(names)?;
        let mut deliveries = VecDeque::with_capacity(saved.deliveries.len());
        for d in saved.deliveries {
            let (Some(field), Some(signature_header)) = (
                field_named(&d.field, names),
                header_named(&d.signature_header, names),
            ) else {
                continue;
            };
            deliveries.push_back(Delivery {
                id: d.id,
                field,
                waba: d.waba,
                app: d.app,
                url: d.url,
                verify_token: d.verify_token,
                body: Bytes::from(d.body),
                signature: d.signature,
                signature_header,
                event_at: d.event_at,
                created_at: d.created_at,
                state: d.state,
                attempts: d
                    .attempts
                    .into_iter()
                    .map(|a| Attempt {
                        try_n: a.try_n,
                        kind: a.kind,
                        at: a.at,
                        status: a.status,
                        error: a.error,
                        duration_ms: a.duration_ms,
                    })
                    .collect(),
                tries: d.tries,
                next_at: d.next_at,
                headers: d.headers,
                after: d.after,
                in_flight: false,
            });
        }
        {
            let mut s = self.state.lock();
            s.generation += 1;
            s.next_id = saved.next_id;
            s.unaddressed = saved.unaddressed;
            s.verified = saved.verified.into_iter().collect();
            s.verifying.clear();
            s.deliveries = deliveries;
            // Scans for due tries start from the first delivery again.
            s.open_from = 0;
        }
        self.changed.notify_waiters();
        self.dispatcher.notify_one();
        Ok(())
    }
}
