//! The WhatsApp users a business number writes to, as the simulator plays them: whether
//! they can be reached, whether they read, whether they stopped marketing messages, and the
//! 24-hour customer-service window their own messages open (reference
//! messaging-and-360dialog.md "Free messages": CSW = 24 h).
//!
//! A user the fixture or the control API never described is an ordinary online user who
//! reads what arrives, so a send works out of the box.

use super::{HashMap, World};
use crate::clock::{Duration, Timestamp};

/// How long a user's message keeps the customer-service window open (PRICING, seen).
pub const SERVICE_WINDOW: Duration = Duration::hours(24);

/// Whether messages reach a user's phone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Reach {
    #[default]
    Online,
    /// Delivered once the clock reaches the time (the phone was off).
    OfflineUntil(Timestamp),
    /// Never delivered: a `failed` status with 131026 (ERRTBL; async is inferred).
    Unreachable,
}

/// One simulated user, by WhatsApp id (the digits of their number).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Recipient {
    /// `contacts[].profile.name` in webhooks.
    pub name: Option<String>,
    pub reach: Reach,
    /// Marketing templates to this user fail with 131050 (PYWA, seen).
    pub stopped_marketing: bool,
    /// Whether the user reads what is delivered (a `read` status after the read delay).
    pub reads: bool,
    /// The business-scoped user id webhooks show beside `wa_id` (BSUID, seen), when given.
    pub user_id: Option<String>,
}

impl Recipient {
    /// The user nobody described: online, reading.
    pub fn ordinary() -> Recipient {
        Recipient {
            reads: true,
            ..Recipient::default()
        }
    }
}

/// The users and their windows.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Recipients {
    described: HashMap<String, Recipient>,
    /// When a user last wrote to a business number: (business number digits, wa_id).
    #[serde(with = "super::saved::pairs")]
    last_inbound: HashMap<(String, String), Timestamp>,
}

impl Recipients {
    /// The user `wa_id`, as described or ordinary.
    pub fn get(&self, wa_id: &str) -> Recipient {
        self.described
            .get(wa_id)
            .cloned()
            .unwrap_or_else(Recipient::ordinary)
    }

    pub fn describe(&mut self, wa_id: &str, r: Recipient) {
        self.described.insert(wa_id.to_string(), r);
    }

    /// Every described user, in no particular order.
    pub fn described(&self) -> impl Iterator<Item = (&String, &Recipient)> {
        self.described.iter()
    }

    /// Whether `wa_id`'s window with the business number `business_digits` is open at `now`.
    pub fn window_open(&self, business_digits: &str, wa_id: &str, now: Timestamp) -> bool {
        self.last_inbound
            .get(&(business_digits.to_string(), wa_id.to_string()))
            .is_some_and(|at| now < *at + SERVICE_WINDOW)
    }

    pub(super) fn wrote(&mut self, business_digits: &str, wa_id: &str, at: Timestamp) {
        self.last_inbound
            .insert((business_digits.to_string(), wa_id.to_string()), at);
    }
}

impl World {
    /// Describes (or redescribes) a simulated user (fixture, control API).
    pub fn describe_recipient(&mut self, wa_id: &str, r: Recipient) {
        self.messaging.recipients.describe(wa_id, r);
    }
}
