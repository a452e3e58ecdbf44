//! Webhooks: world events become Meta's signed webhook deliveries (reference meta-graph.md §7).
//!
//! - `payload.rs`: an event as Meta's envelope and value, and the subscribers that receive it
//!   (the app's `webhook_url`; for the `messages` family only, the phone number's or the WABA
//!   subscription's alternate callback first);
//! - `messages.rs`: the `messages` field's values (statuses of sent messages, users' messages);
//! - `signature.rs`: `X-Hub-Signature-256`;
//! - `outbox.rs`: a namespace's deliveries, their attempts, the retry schedule on the world
//!   clock;
//! - `dispatch.rs`: the server's background task that catches worlds up as real time passes
//!   and makes the HTTP calls, off every request's path.
//!
//! Flow: `Namespace::with_world` drains the world's events under its lock and resolves their
//! subscribers there (cheap lookups); after the lock is released the outbox signs and queues
//! them and wakes the dispatcher.

pub mod dispatch;
pub mod messages;
pub mod outbox;
pub mod payload;
pub mod signature;

pub use outbox::{
    Attempt, AttemptKind, Delivery, DeliveryFilter, DeliveryState, GIVE_UP_AFTER, MAX_TRIES,
    Outbox, RETRY_DELAYS,
};
pub use payload::{Outgoing, Target};

/// Checks a filter's webhook `field`, naming the fields wabasim delivers when it is none of
/// them (a misspelt field would wait out every `?wait=` and match nothing).
pub fn check_field(field: &str) -> Result<(), String> {
    let fields = crate::world::EventKind::FIELDS;
    if fields.contains(&field) {
        Ok(())
    } else {
        Err(format!(
            "unknown webhook field {field:?}; the fields are {}",
            fields.join(", ")
        ))
    }
}
