//! Partner webhooks (360dialog-partner-and-migrations.md §1.7): what a partner is told and
//! when. A partner hears of a change as soon as the world makes it, not at its next call:
//! the namespace hands every batch of world events and number steps to
//! `Facade::follow_numbers` ([`follow`]), which brings 360dialog's view up to the world
//! (`model::catch_up`: a number migrated in over Graph becomes a channel) and announces what
//! changed; this facade's own calls announce at their end ([`tell`]).
//!
//! Events: `client_created` the first time a client is under a partner (a fixture's clients
//! are known at load), `channel_created` when a channel first appears, `channel_ready` on
//! reaching `ready`, `channel_live` on reaching `live` (`ready` skipped gives both; the
//! ordering is [INF], §2 S1). `channel_running` is not sent: the reference has its name but
//! not when it fires (§1.7 "text cut off"; docs/fidelity.md).

use serde_json::json;

use super::model::{self, of, of_mut};
use super::partner::{SIGNATURE_HEADER, channel_json, client_json};
use crate::webhooks::payload::{Outgoing, Target};
use crate::webhooks::signature::Signing;
use crate::world::{EventKind, NumberChange, World, WorldEvent};

/// What a partner webhook is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    Channel(String),
    /// A client, told to this partner.
    Client {
        client: String,
        partner: String,
    },
}

/// A partner webhook to send: `event` about `subject`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartnerEvent {
    pub subject: Subject,
    pub event: &'static str,
}

/// `Facade::follow_numbers`: a batch that changed a number (a step no Meta webhook reports,
/// a status Meta set, or a display-name decision, which moves a channel between
/// `unverified` and `ready`) brings the channels up to the world and gives their partner
/// webhooks. Other batches (message statuses, template reviews) change no channel and cost
/// nothing here.
pub fn follow(w: &mut World, events: &[WorldEvent], changes: &[NumberChange]) -> Vec<Outgoing> {
    let names_changed = events
        .iter()
        .any(|e| matches!(e.kind, EventKind::PhoneName { .. }));
    if changes.is_empty() && !names_changed {
        return Vec::new();
    }
    if w.binding::<model::D360Binding>()
        .is_none_or(|b| b.waba_accounts.is_empty())
    {
        return Vec::new();
    }
    model::catch_up(w);
    tell(w)
}

/// Announces every change not yet told and renders the partner webhooks.
pub fn tell(w: &mut World) -> Vec<Outgoing> {
    let mut events = announce_clients(w);
    events.extend(announce_channels(w));
    webhooks(w, &events)
}

/// `client_created` for each client under a partner that was not told of it yet (a clone
/// made by a partial partner change; a client a full change moved, for its new partner:
/// [INF], docs/fidelity.md).
fn announce_clients(w: &mut World) -> Vec<PartnerEvent> {
    // Compared before writing: this runs at every 360dialog call and number change, and a
    // told client costs no allocation, nor a copy of 360dialog's state shared with the
    // prototype world (`world/bindings.rs`).
    let b = of(w);
    let out: Vec<PartnerEvent> = b
        .clients
        .iter()
        .filter(|c| b.announced_clients.get(&c.id) != Some(&c.partner))
        .map(|c| PartnerEvent {
            subject: Subject::Client {
                client: c.id.clone(),
                partner: c.partner.clone(),
            },
            event: "client_created",
        })
        .collect();
    if !out.is_empty() {
        let b = of_mut(w);
        for e in &out {
            if let Subject::Client { client, partner } = &e.subject {
                b.announced_clients.insert(client.clone(), partner.clone());
            }
        }
    }
    out
}

/// The events of every channel whose status changed since it was last announced.
fn announce_channels(w: &mut World) -> Vec<PartnerEvent> {
    // Only the changed ones are collected (and the state written only if there are any),
    // for the same reasons as in `announce_clients`.
    let b = of(w);
    let changed: Vec<(String, &'static str)> = b
        .channels
        .iter()
        .map(|c| (c, model::channel_status(w, c)))
        .filter(|(c, status)| b.announced.get(&c.id).copied() != Some(*status))
        .map(|(c, status)| (c.id.clone(), status))
        .collect();
    if changed.is_empty() {
        return Vec::new();
    }
    let b = of_mut(w);
    let mut out = Vec::new();
    for (channel, status) in changed {
        let before = b.announced.get(&channel).copied();
        b.announced.insert(channel.clone(), status);
        let mut say = |event| {
            out.push(PartnerEvent {
                subject: Subject::Channel(channel.clone()),
                event,
            })
        };
        if before.is_none() {
            say("channel_created");
        }
        match status {
            "ready" => say("channel_ready"),
            "live" => {
                if before != Some("ready") {
                    say("channel_ready");
                }
                say("channel_live");
            }
            _ => {}
        }
    }
    out
}

/// The partner webhook deliveries of `events` (§1.7): `{id, event, data}`, `data` being the
/// channel object with `phone_number` and `phone_name` also flat in it, or the client object
/// (§5 #5 [INF]), to the partner's `webhook_url`, signed with its platform secret in
/// `x-360dialog-signature` (lower-case hex, [INF]), through the webhook outbox (retries on
/// the world clock, `/__admin/webhooks`). A partner without a webhook URL is sent nothing.
fn webhooks(w: &mut World, events: &[PartnerEvent]) -> Vec<Outgoing> {
    let mut out = Vec::new();
    for e in events {
        let Some((partner, waba, mut data)) = about(w, &e.subject) else {
            continue;
        };
        let b = of(w);
        let Some(partner) = b.partner(&partner) else {
            continue;
        };
        let Some(url) = partner.webhook_url.clone() else {
            continue;
        };
        let secret = partner.webhook_secret.clone().unwrap_or_default();
        let app = b
            .bsp
            .and_then(|bsp| {
                w.apps
                    .values()
                    .filter(|a| a.partner == Some(bsp))
                    .map(|a| a.id)
                    .min()
            })
            .unwrap_or_default();
        if matches!(e.subject, Subject::Channel(_)) {
            data["phone_number"] = data["setup_info"]["phone_number"].clone();
            data["phone_name"] = data["setup_info"]["phone_name"].clone();
        }
        let id = w.next_hex(32);
        let body = json!({"id": id, "event": e.event, "data": data});
        out.push(Outgoing {
            at: w.now(),
            field: e.event,
            waba,
            body: serde_json::to_vec(&body).unwrap_or_default().into(),
            targets: vec![Target {
                app,
                url,
                secret,
                verify_token: None,
                signing: Signing::Hex(SIGNATURE_HEADER),
                headers: Vec::new(),
                after_first: false,
            }],
            unaddressed: Vec::new(),
        });
    }
    out
}

/// The partner to tell, the WABA the delivery is listed under (0 for a client) and the
/// object to send.
fn about(w: &World, subject: &Subject) -> Option<(String, crate::world::Id, serde_json::Value)> {
    let b = of(w);
    match subject {
        Subject::Channel(id) => {
            let ch = b.channel(id)?;
            let partner = b.partner_of_channel(ch)?.to_string();
            let waba = b.waba_account(&ch.waba_account).map(|a| a.waba)?;
            Some((partner, waba, channel_json(w, ch)))
        }
        Subject::Client { client, partner } => {
            let c = b.client(client)?;
            Some((partner.clone(), 0, client_json(w, c)))
        }
    }
}
