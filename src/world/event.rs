//! What happened in the world, for whoever listens: the webhook outbox turns these into
//! Meta's webhook payloads (reference meta-graph.md §7.4), the journal and the control API
//! list them. The world only records facts; the payload shape belongs to the webhooks layer.

use super::Id;
use super::vocab::{Category, MessagingLimit, NameStatus, Quality, RejectedReason, ReviewStatus};
use crate::clock::Timestamp;

#[derive(Clone, Debug, PartialEq)]
pub struct WorldEvent {
    pub at: Timestamp,
    /// The WABA whose subscribers hear about it.
    pub waba: Id,
    pub kind: EventKind,
}

/// A template as its events name it, as it was when they happened.
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateRef {
    pub id: Id,
    pub name: String,
    pub language: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// `message_template_status_update`: `event` is the new status or a lifecycle word
    /// (`APPROVED`, `REJECTED`, `FLAGGED`, ...).
    TemplateStatus {
        template: TemplateRef,
        category: Category,
        event: &'static str,
        reason: RejectedReason,
    },
    /// `message_template_quality_update`.
    TemplateQuality {
        template: TemplateRef,
        previous: Quality,
        new: Quality,
    },
    /// `template_category_update`.
    TemplateCategory {
        template: TemplateRef,
        previous: Category,
        new: Category,
    },
    /// `phone_number_name_update`.
    PhoneName {
        phone: Id,
        display_phone_number: String,
        requested_name: String,
        decision: NameStatus,
        rejection_reason: Option<String>,
    },
    /// `phone_number_quality_update`.
    PhoneQuality {
        phone: Id,
        display_phone_number: String,
        event: String,
        quality: Quality,
        current_limit: MessagingLimit,
    },
    /// `account_review_update`.
    AccountReview { decision: ReviewStatus },
    /// `account_update` (e.g. `PARTNER_ADDED`, `ACCOUNT_RESTRICTION`).
    AccountUpdate { event: String, business: Id },
    /// `messages`: a sent message's status (`statuses[]`).
    MessageStatus(Box<super::message::StatusEvent>),
    /// `messages`: a user wrote to a business number (`messages[]`).
    Inbound(Box<super::message::InboundEvent>),
}

impl EventKind {
    /// Every webhook `field` an event is delivered under (what [`EventKind::field`] answers).
    pub const FIELDS: &'static [&'static str] = &[
        "message_template_status_update",
        "message_template_quality_update",
        "template_category_update",
        "phone_number_name_update",
        "phone_number_quality_update",
        "account_review_update",
        "account_update",
        "messages",
    ];

    /// The business phone number the event is about, if it is about one (a phone number's
    /// alternate callback is looked up by it).
    pub fn phone(&self) -> Option<Id> {
        match self {
            EventKind::PhoneName { phone, .. } | EventKind::PhoneQuality { phone, .. } => {
                Some(*phone)
            }
            EventKind::MessageStatus(s) => Some(s.phone),
            EventKind::Inbound(m) => Some(m.phone),
            _ => None,
        }
    }

    /// The webhook `field` this event is delivered under.
    pub fn field(&self) -> &'static str {
        match self {
            EventKind::TemplateStatus { .. } => "message_template_status_update",
            EventKind::TemplateQuality { .. } => "message_template_quality_update",
            EventKind::TemplateCategory { .. } => "template_category_update",
            EventKind::PhoneName { .. } => "phone_number_name_update",
            EventKind::PhoneQuality { .. } => "phone_number_quality_update",
            EventKind::AccountReview { .. } => "account_review_update",
            EventKind::AccountUpdate { .. } => "account_update",
            EventKind::MessageStatus(_) | EventKind::Inbound(_) => "messages",
        }
    }
}

/// A step in a business number's life that no Meta webhook reports: Meta tells a WABA's
/// subscribers nothing when a code is requested, ownership verified or a number registered.
/// Kept apart from [`WorldEvent`] (which the outbox turns into Meta's payloads) for the
/// facades whose own view follows the numbers (360dialog's channel statuses), which hear of
/// them when the call or clock tick that made them ends (`Facade::follow_numbers`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumberChange {
    pub at: Timestamp,
    /// The phone-number record that changed.
    pub phone: Id,
    /// The WABA the record was on when the step was taken.
    pub waba: Id,
    pub step: NumberStep,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberStep {
    /// Added to a WABA as a new number (`POST /{waba}/phone_numbers`).
    Added,
    /// A migration into a WABA started (Graph's flow or Embedded Signup's).
    MigrationStarted,
    CodeRequested,
    Verified,
    /// Registered; for a migration's destination, the number has moved.
    Registered,
    Deregistered,
    /// Meta set its status (`/__admin`, a fixture's scheduled change), with or without a
    /// webhook of its own.
    StatusSet,
}
