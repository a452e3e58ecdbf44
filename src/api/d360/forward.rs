//! Meta's `messages` webhooks (message statuses, users writing in) of a 360dialog channel's
//! number, forwarded to the channel's Messaging API webhook: the number's
//! `/v1/configs/webhook` URL, else its WABA account's `/waba_webhook` URL. The body is Meta's
//! envelope unchanged, `pricing` included (messaging-and-360dialog.md, "Webhooks to the
//! partner", SEEN D-WH), delivered through the outbox with its retries; unsigned, as 360dialog
//! lacks the partner's app secret (same row, INFERRED; docs/fidelity.md). Each destination's
//! own `headers` go with it.
//!
//! With `/multi_webhook` enabled, the number's extra destinations (at most three) get the
//! same body, each as a delivery of its own held until the main webhook answered 2xx, and
//! never sent if the main one expires (360dialog-partner-and-migrations.md §3, SEEN M-WH:
//! "extra destinations get events only after the main webhook returned 200").

use bytes::Bytes;

use super::model::{self, Channel, D360Binding, WebhookTarget};
use crate::webhooks::payload::{Outgoing, Target, envelope};
use crate::webhooks::signature::Signing;
use crate::world::{EventKind, World, WorldEvent};

pub fn address(w: &World, events: &[WorldEvent]) -> Vec<Outgoing> {
    let Some(b) = w.binding::<D360Binding>() else {
        return Vec::new();
    };
    events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::MessageStatus(_) | EventKind::Inbound(_)))
        .filter_map(|e| {
            let phone = e.kind.phone()?;
            let ch = b.channels.iter().find(|ch| {
                b.waba_account(&ch.waba_account)
                    .is_some_and(|a| a.waba == e.waba)
                    && model::record(w, ch).is_some_and(|r| r.id == phone)
            })?;
            // The destinations first: a channel without a webhook costs no rendering.
            let targets = destinations(b, ch)?;
            Some(Outgoing {
                at: e.at,
                field: e.kind.field(),
                waba: e.waba,
                body: Bytes::from(envelope(w, e)),
                targets,
                unaddressed: Vec::new(),
            })
        })
        .collect()
}

/// The channel's main webhook, then its enabled extra destinations; `None` without a main
/// one (the extras wait for it, so they get nothing either).
fn destinations(b: &D360Binding, ch: &Channel) -> Option<Vec<Target>> {
    let hooks = b.number_webhooks.get(&ch.id);
    let main = hooks
        .and_then(|h| h.main.as_ref())
        .or_else(|| b.waba_webhooks.get(&ch.waba_account))?;
    let mut targets = vec![target(main, false)];
    if let Some(h) = hooks.filter(|h| h.multi_enabled) {
        targets.extend(h.destinations.iter().map(|(_, t)| target(t, true)));
    }
    Some(targets)
}

fn target(t: &WebhookTarget, after_first: bool) -> Target {
    Target {
        app: 0,
        url: t.url.clone(),
        secret: String::new(),
        verify_token: None,
        signing: Signing::Unsigned,
        headers: t.header_pairs(),
        after_first,
    }
}
