//! Meta's `messages` webhooks (message statuses, users writing in) of a 360dialog channel's
//! number, forwarded to the channel's Messaging API webhook: the number's
//! `/v1/configs/webhook` URL, else its WABA account's `/waba_webhook` URL. The body is Meta's
//! envelope unchanged, `pricing` included (messaging-and-360dialog.md, "Webhooks to the
//! partner", SEEN D-WH), delivered through the outbox with its retries; unsigned, as 360dialog
//! lacks the partner's app secret (same row, INFERRED; docs/fidelity.md).

use bytes::Bytes;

use super::model;
use crate::webhooks::payload::{Outgoing, Target, envelope};
use crate::webhooks::signature::Signing;
use crate::world::{EventKind, World, WorldEvent};

pub fn address(w: &World, events: &[WorldEvent]) -> Vec<Outgoing> {
    let Some(b) = w.binding::<model::D360Binding>() else {
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
            let url = b
                .number_webhooks
                .get(&ch.id)
                .and_then(|h| h.main.as_ref())
                .or_else(|| b.waba_webhooks.get(&ch.waba_account))
                .map(|t| t.url.clone())?;
            Some(Outgoing {
                at: e.at,
                field: e.kind.field(),
                waba: e.waba,
                body: Bytes::from(envelope(w, e)),
                targets: vec![Target {
                    app: 0,
                    url,
                    secret: String::new(),
                    verify_token: None,
                    signing: Signing::Unsigned,
                }],
                unaddressed: Vec::new(),
            })
        })
        .collect()
}
