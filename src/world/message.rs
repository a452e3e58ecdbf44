//! Messages a business number sends, and what becomes of them on the world clock: the send
//! rules (registration, throughput, pair rate, templates, the 24-hour window), the `sent`,
//! `delivered`, `read` and `failed` statuses as events, the charge at delivery, and a
//! user writing in. Wire facts: reference messaging-and-360dialog.md ("Cloud API messages",
//! "Status webhooks + pricing", "Messaging error codes"); each rule cites its row.
//!
//! A message keeps the phone-number record, WABA and business it was sent from: its later
//! statuses go to that WABA's subscribers and its charge to that business, even once the
//! number has migrated (seeds 002/004; open question 2 of the reference is answered here:
//! the sending WABA hears, docs/fidelity.md).
//!
//! A user's message is kept too, with the record that received it, so that a later request
//! may name either kind by its wamid (a reply's `context`, a reaction, a read receipt):
//! `message_ids.rs` holds the one rule, migrations included (seed 002).

use std::collections::VecDeque;

use super::ledger::{self, Charge, Ledger};
use super::message_ids::{Earlier, Received};
use super::recipient::{Reach, Recipients};
use super::tier::Tiers;
use super::vocab::{Category, PhoneStatus, TemplateStatus};
use super::{DomainError, EventKind, HashMap, Id, Pending, Principal, Timer, World};
use crate::clock::{Duration, Timestamp};

/// `pricing.category` (STATUS, seen).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum PricingCategory {
    Authentication,
    Marketing,
    Utility,
    Service,
}

impl PricingCategory {
    /// As status webhooks write it.
    pub fn as_str(self) -> &'static str {
        match self {
            PricingCategory::Authentication => "authentication",
            PricingCategory::Marketing => "marketing",
            PricingCategory::Utility => "utility",
            PricingCategory::Service => "service",
        }
    }

    /// As `pricing_analytics` writes it (ANALYTICS).
    pub fn analytics(self) -> &'static str {
        match self {
            PricingCategory::Authentication => "AUTHENTICATION",
            PricingCategory::Marketing => "MARKETING",
            PricingCategory::Utility => "UTILITY",
            PricingCategory::Service => "SERVICE",
        }
    }

    pub const ALL: [PricingCategory; 4] = [
        PricingCategory::Authentication,
        PricingCategory::Marketing,
        PricingCategory::Utility,
        PricingCategory::Service,
    ];
}

/// `pricing.type` (STATUS, seen).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum PricingType {
    Regular,
    FreeCustomerService,
    FreeEntryPoint,
}

impl PricingType {
    pub fn as_str(self) -> &'static str {
        match self {
            PricingType::Regular => "regular",
            PricingType::FreeCustomerService => "free_customer_service",
            PricingType::FreeEntryPoint => "free_entry_point",
        }
    }

    pub fn analytics(self) -> &'static str {
        match self {
            PricingType::Regular => "REGULAR",
            PricingType::FreeCustomerService => "FREE_CUSTOMER_SERVICE",
            PricingType::FreeEntryPoint => "FREE_ENTRY_POINT",
        }
    }

    pub const ALL: [PricingType; 3] = [
        PricingType::Regular,
        PricingType::FreeCustomerService,
        PricingType::FreeEntryPoint,
    ];
}

/// A message's `pricing` object (`pricing_model` is always `PMP`: the world's messages are
/// all after 2025-07-01).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pricing {
    pub billable: bool,
    pub kind: PricingType,
    pub category: PricingCategory,
}

/// Why a message that was accepted is not delivered (a `failed` status).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Failure {
    /// 131026 (ERRTBL; async inferred).
    Undeliverable,
    /// 131050 (PYWA).
    StoppedMarketing,
    /// 131047: a free-form message outside the 24-hour window (async on Cloud API, inferred).
    WindowClosed,
    /// 131048: a business-initiated message to one more unique user than the portfolio's
    /// messaging limit allows in 24 hours (ERRTBL's code; its use for the limit and its
    /// arrival as a `failed` status after a 200 are inferred, docs/fidelity.md; `tier.rs`).
    MessagingLimit,
    /// 131009: a reaction to a message the number cannot name (unknown, another number's, or
    /// left behind by a migration from On-Premises). Meta's reaction page: such a reaction
    /// "will not be delivered and you will receive a messages webhook with error code
    /// 131009" (seen); its title is ERRTBL's.
    UnknownMessage,
}

/// A status word of `statuses[].status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Status {
    Sent,
    Delivered,
    Read,
    Failed(Failure),
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Sent => "sent",
            Status::Delivered => "delivered",
            Status::Read => "read",
            Status::Failed(_) => "failed",
        }
    }
}

/// One sent message.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Message {
    pub id: String,
    /// The phone-number record, WABA and business it was sent from.
    pub phone: Id,
    pub waba: Id,
    pub business: Id,
    pub to: String,
    pub pricing: Pricing,
    /// Whether its statuses carry `conversation` (v23.0 and earlier, STATUS).
    pub with_conversation: bool,
    pub callback_data: Option<String>,
    pub sent_at: Timestamp,
    pub status: Status,
    pub delivered_at: Option<Timestamp>,
    /// The message a reply quotes (`context.message_id`), when the number could name it; a
    /// reply naming anything else still goes out, without the quote ("Contextual replies":
    /// the bubble does not appear when the previous message is gone).
    #[serde(default)]
    pub quoted: Option<String>,
}

/// A status as a webhook tells it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StatusEvent {
    pub message: String,
    pub phone: Id,
    pub display_digits: String,
    pub status: Status,
    pub to: String,
    pub profile_name: Option<String>,
    pub user_id: Option<String>,
    /// Carried on `sent` and `delivered` (open question 8: inferred, docs/fidelity.md).
    pub pricing: Option<Pricing>,
    /// `(id, expiration on sent)`, up to v23.0.
    pub conversation: Option<(String, Option<Timestamp>)>,
    pub callback_data: Option<String>,
}

/// A user writing to a business number, as the `messages` webhook tells it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InboundEvent {
    pub message: String,
    pub phone: Id,
    pub display_digits: String,
    pub from: String,
    pub profile_name: Option<String>,
    pub user_id: Option<String>,
    pub text: String,
    /// A file instead of a text (`inbound_media.rs`).
    #[serde(default)]
    pub media: Option<super::inbound_media::InboundMedia>,
    /// A location, contacts, a reaction or a reply to a button instead (`inbound.rs`).
    #[serde(default)]
    pub content: Option<super::inbound::UserContent>,
    /// The message it quotes (`inbound.rs`).
    #[serde(default)]
    pub context: Option<super::inbound::Quote>,
    /// Whether the user forwarded it (`inbound.rs`).
    #[serde(default)]
    pub forwarded: Option<super::inbound::Forwarded>,
}

/// What a send carries, as far as the rules care.
#[derive(Clone, Copy, Debug)]
pub enum Content<'a> {
    /// A template, and how many parameters the send gives its header and body.
    Template {
        name: &'a str,
        language: &'a str,
        header_params: usize,
        body_params: usize,
    },
    /// Any other type (`text`, media, `reaction`, ...): free-form.
    FreeForm,
}

/// A send, read by a facade.
#[derive(Clone, Debug)]
pub struct Send<'a> {
    pub phone: &'a str,
    /// The recipient's digits.
    pub to: &'a str,
    pub content: Content<'a>,
    /// A media message's type and uploaded id (`image{id}`...); `None` for a link or any
    /// other type.
    pub media_id: Option<(&'a str, &'a str)>,
    pub callback_data: Option<String>,
    pub with_conversation: bool,
    /// A reply's `context.message_id`.
    pub context: Option<&'a str>,
    /// Whether it is a reaction (told `sent` only).
    pub reaction: bool,
    /// A reaction's `reaction.message_id`, where the facade reads one.
    pub reaction_to: Option<&'a str>,
}

/// What the sender is told.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Accepted {
    pub id: String,
    pub wa_id: String,
    /// Templates answer `message_status: accepted` (OAS).
    pub template: bool,
}

/// A step of a message's life, due at a time.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Step {
    Deliver(String),
    Read(String),
}

/// The world's messaging state.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Messaging {
    messages: HashMap<String, Message>,
    /// Message ids, oldest first, to bound `messages`.
    order: VecDeque<String>,
    /// Users' messages by wamid, within the same bound (`messages_kept`): `message_ids.rs`.
    #[serde(default)]
    pub(super) received: HashMap<String, Received>,
    #[serde(default)]
    pub(super) received_order: VecDeque<String>,
    pub recipients: Recipients,
    pub ledger: Ledger,
    /// Unique users reached per business portfolio in 24 hours (messaging limits).
    #[serde(default)]
    pub tiers: Tiers,
    /// Send times in the last second, by sending record (130429).
    recent: HashMap<Id, VecDeque<Timestamp>>,
    /// Pair-rate budget by (sending number digits, recipient): tokens in thousandths, and
    /// when they were counted (131056).
    #[serde(with = "super::saved::pairs")]
    pairs: HashMap<(String, String), (i64, Timestamp)>,
    seq: u64,
}

impl Messaging {
    pub fn message(&self, id: &str) -> Option<&Message> {
        self.messages.get(id)
    }

    pub fn len(&self) -> usize {
        self.messages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }
}

impl World {
    /// Sends a message from the number `s.phone` names: every check in the order below, then
    /// the `sent` status (or `failed`, for what fails after a 200), delivery and read on
    /// timers.
    pub fn send_message(&mut self, who: &Principal, s: &Send<'_>) -> Result<Accepted, DomainError> {
        self.send_message_at(who, s, self.now())
    }

    /// [`World::send_message`] as of `now`: a paced send going out when its turn came, which
    /// a clock moved by hours reaches after the fact (`pacing.rs`).
    pub(super) fn send_message_at(
        &mut self,
        who: &Principal,
        s: &Send<'_>,
        now: Timestamp,
    ) -> Result<Accepted, DomainError> {
        let phone = self.managed_phone(who, s.phone)?.clone();
        sender_registered(&phone)?;
        if let Some((kind, id)) = s.media_id {
            self.check_media_for_send(&phone.id.to_string(), kind, id)?;
        }
        let waba = self
            .wabas
            .get(&phone.waba)
            .ok_or_else(|| DomainError::unknown(s.phone))?;
        let business = waba.business;
        let digits = phone.e164_digits();
        self.check_throughput(phone.id, now)?;
        let category = match s.content {
            Content::Template {
                name,
                language,
                header_params,
                body_params,
            } => Some(self.sendable_template(
                phone.waba,
                name,
                language,
                (header_params, body_params),
            )?),
            Content::FreeForm => None,
        };
        self.check_pair_rate(&digits, s.to, now)?;
        let user = self.messaging.recipients.get(s.to);
        let window = self.messaging.recipients.window_open(&digits, s.to, now);
        let pricing = pricing_of(category, window);
        self.messaging
            .recent
            .entry(phone.id)
            .or_default()
            .push_back(now);
        self.messaging.ledger.note_sent(phone.waba, phone.id, now);
        let id = self.next_message_id(s.to);
        let named = |m: &str| self.earlier_message(phone.id, m).is_some();
        let quoted = s.context.filter(|m| named(m)).map(str::to_string);
        let lost_target = s.reaction_to.is_some_and(|m| !named(m));
        let failure = match (user.reach, category) {
            (Reach::Unreachable, _) => Some(Failure::Undeliverable),
            // Inferred order: the target is looked at before the window (docs/fidelity.md).
            _ if lost_target => Some(Failure::UnknownMessage),
            (_, Some(Category::Marketing)) if user.stopped_marketing => {
                Some(Failure::StoppedMarketing)
            }
            (_, None) if !window => Some(Failure::WindowClosed),
            // Only business-initiated messages (templates outside the window) that would
            // otherwise go out count toward the messaging limit (MSGLIM, `tier.rs`).
            (_, Some(_))
                if !window
                    && !self
                        .messaging
                        .tiers
                        .admit(business, phone.messaging_limit, s.to, now) =>
            {
                Some(Failure::MessagingLimit)
            }
            _ => None,
        };
        let message = Message {
            id: id.clone(),
            phone: phone.id,
            waba: phone.waba,
            business,
            to: s.to.to_string(),
            pricing,
            with_conversation: s.with_conversation,
            callback_data: s.callback_data.clone(),
            sent_at: now,
            status: Status::Sent,
            delivered_at: None,
            quoted,
        };
        self.keep_message(message);
        match failure {
            Some(f) => self.set_status(&id, Status::Failed(f), now),
            None => {
                self.set_status(&id, Status::Sent, now);
                let online_at = match user.reach {
                    Reach::OfflineUntil(t) if t > now => t,
                    _ => now,
                };
                let at = online_at + self.settings.delivery_delay;
                // A reaction is told `sent` only: "delivered and read message webhooks will
                // not be triggered" (360dialog's reaction page, as Meta's says).
                if !s.reaction {
                    self.add_timer(at, Timer::Message(Step::Deliver(id.clone())));
                }
            }
        }
        Ok(Accepted {
            id,
            wa_id: s.to.to_string(),
            template: category.is_some(),
        })
    }

    /// Marks a received message read (`status: read`, OAS; also the typing indicator): the
    /// id must name a user's message the number received and still holds. Meta: "You cannot
    /// mark outgoing messages you sent as read" (mark-message-as-read guide), so a sent id is
    /// refused like an unknown one; that the refusal is synchronous is inferred
    /// (docs/fidelity.md).
    pub fn mark_read(
        &mut self,
        who: &Principal,
        phone: &str,
        message: &str,
    ) -> Result<(), DomainError> {
        let p = self.managed_phone(who, phone)?;
        sender_registered(p)?;
        match self.earlier_message(p.id, message) {
            Some(Earlier::Received) => Ok(()),
            _ => Err(DomainError::MessageIdInvalid {
                id: message.to_string(),
            }),
        }
    }

    /// A user writes to a business number (control API): the window opens and the
    /// number's WABA hears a `messages` webhook. Returns the message id.
    pub fn receive_message(
        &mut self,
        phone: Id,
        from: &str,
        text: &str,
    ) -> Result<String, DomainError> {
        let said = super::inbound::Said {
            text: text.to_string(),
            ..Default::default()
        };
        self.receive_message_with(phone, from, said)
    }

    /// [`World::receive_message`] of what `said` carries, already checked (`inbound.rs`,
    /// `inbound_media.rs`).
    pub(super) fn receive_message_with(
        &mut self,
        phone: Id,
        from: &str,
        said: super::inbound::Said,
    ) -> Result<String, DomainError> {
        let now = self.now();
        let p = self
            .phones
            .get(&phone)
            .ok_or_else(|| DomainError::unknown(phone.to_string()))?;
        let (waba, digits) = (p.waba, p.e164_digits());
        // WhatsApp, not the user, writes a changed number's notice: it opens no window.
        let notice = matches!(
            said.content,
            Some(super::inbound::UserContent::UserChangedNumber { .. })
        );
        if !notice {
            self.messaging.recipients.wrote(&digits, from, now);
        }
        let user = self.messaging.recipients.get(from);
        let id = self.next_message_id(from);
        self.keep_received(
            id.clone(),
            Received {
                phone,
                from: from.to_string(),
                at: now,
            },
        );
        let event = InboundEvent {
            message: id.clone(),
            phone,
            display_digits: digits,
            from: from.to_string(),
            profile_name: user.name,
            user_id: user.user_id,
            text: said.text,
            media: said.media,
            content: said.content,
            context: said.context,
            forwarded: said.forwarded,
        };
        self.emit(now, waba, EventKind::Inbound(Box::new(event)));
        Ok(id)
    }

    pub(super) fn fire_message(&mut self, step: Step, at: Timestamp) {
        match step {
            Step::Deliver(id) => {
                let Some(m) = self.messaging.messages.get_mut(&id) else {
                    return;
                };
                m.delivered_at = Some(at);
                let m = m.clone();
                let charge = Charge {
                    message: m.id.clone(),
                    business: m.business,
                    waba: m.waba,
                    phone: m.phone,
                    country: ledger::country_of(&m.to),
                    pricing: m.pricing,
                    cost_micros: ledger::cost_micros(&m.pricing),
                    sent_at: m.sent_at,
                    delivered_at: at,
                };
                let keep = self.settings.charges_kept;
                self.messaging.ledger.book(charge, keep);
                self.set_status(&id, Status::Delivered, at);
                if self.messaging.recipients.get(&m.to).reads
                    && let Some(delay) = self.settings.read_delay
                {
                    self.add_timer(at + delay, Timer::Message(Step::Read(id)));
                }
            }
            Step::Read(id) => self.set_status(&id, Status::Read, at),
        }
    }

    /// Records a status and emits its webhook event.
    fn set_status(&mut self, id: &str, status: Status, at: Timestamp) {
        let Some(m) = self.messaging.messages.get_mut(id) else {
            return;
        };
        m.status = status;
        let m = m.clone();
        let digits = self
            .phones
            .get(&m.phone)
            .map(|p| p.e164_digits())
            .or_else(|| {
                self.archived
                    .iter()
                    .find(|p| p.id == m.phone)
                    .map(|p| p.e164_digits())
            })
            .unwrap_or_default();
        let priced = matches!(status, Status::Sent | Status::Delivered);
        let conversation = (m.with_conversation && priced).then(|| {
            let expiry = (status == Status::Sent).then(|| m.sent_at + Duration::hours(24));
            (conversation_id(&m.id), expiry)
        });
        let user = self.messaging.recipients.get(&m.to);
        let event = StatusEvent {
            message: m.id.clone(),
            phone: m.phone,
            display_digits: digits,
            status,
            to: m.to.clone(),
            profile_name: user.name,
            user_id: user.user_id,
            pricing: priced.then_some(m.pricing),
            conversation,
            callback_data: m.callback_data.clone(),
        };
        self.emit(at, m.waba, EventKind::MessageStatus(Box::new(event)));
    }

    fn keep_message(&mut self, m: Message) {
        self.messaging.order.push_back(m.id.clone());
        self.messaging.messages.insert(m.id.clone(), m);
        while self.messaging.order.len() > self.settings.messages_kept {
            if let Some(old) = self.messaging.order.pop_front() {
                self.messaging.messages.remove(&old);
            }
        }
    }

    /// A wamid: Meta's prefix and a base64 body, its tail drawn from the seeded RNG so the same
    /// seed gives the same ids.
    fn next_message_id(&mut self, to: &str) -> String {
        use base64::Engine;
        self.messaging.seq += 1;
        let tail = self.next_hex(20).to_ascii_uppercase();
        let raw = format!("\u{c}{to}\u{15}\u{2}\u{0}\u{12}\u{18}\u{14}{tail}\u{0}");
        format!(
            "wamid.{}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }

    /// 130429: at most `settings.throughput_per_second` accepted sends per number per second
    /// (RATE); a send is counted once every check passed (`send_message`).
    fn check_throughput(&mut self, phone: Id, now: Timestamp) -> Result<(), DomainError> {
        if self.throughput_left(phone, now) == 0 {
            return Err(DomainError::ThroughputReached);
        }
        Ok(())
    }

    /// How many more sends the number may make at `now` before 130429.
    pub(super) fn throughput_left(&mut self, phone: Id, now: Timestamp) -> usize {
        let limit = self.settings.throughput_per_second as usize;
        let recent = self.messaging.recent.entry(phone).or_default();
        while recent
            .front()
            .is_some_and(|t| *t + Duration::seconds(1) <= now)
        {
            recent.pop_front();
        }
        limit.saturating_sub(recent.len())
    }

    /// When the oldest send the number's last second counts leaves it, making room for one
    /// more (`None`: nothing is counted).
    pub(super) fn throughput_frees_at(&self, phone: Id) -> Option<Timestamp> {
        let oldest = self.messaging.recent.get(&phone)?.front()?;
        Some(*oldest + Duration::seconds(1))
    }

    /// 131056: one message per `pair_interval` to the same user, with bursts of up to
    /// `pair_burst` borrowed from the future (RATE).
    fn check_pair_rate(&mut self, from: &str, to: &str, now: Timestamp) -> Result<(), DomainError> {
        let burst = self.settings.pair_burst as i64 * 1000;
        let interval = self.settings.pair_interval.as_millis().max(1);
        if self.messaging.pairs.len() > self.settings.pairs_kept {
            // Pairs idle long enough to be full again hold nothing worth keeping.
            let full_after = Duration(interval * self.settings.pair_burst as i64);
            self.messaging
                .pairs
                .retain(|_, (_, at)| *at + full_after > now);
        }
        let (tokens, at) = self
            .messaging
            .pairs
            .entry((from.to_string(), to.to_string()))
            .or_insert((burst, now));
        let refill = (now - *at).as_millis() * 1000 / interval;
        let available = (*tokens + refill).min(burst);
        if available < 1000 {
            return Err(DomainError::PairRateLimited);
        }
        *tokens = available - 1000;
        *at = now;
        Ok(())
    }

    /// The template a send names, if it may be sent: the sender's WABA's, in that language
    /// (132001), approved (132015 paused, 132016 disabled), with as many parameters as it
    /// has variables (132000).
    pub(super) fn sendable_template(
        &self,
        waba: Id,
        name: &str,
        language: &str,
        (header, body): (usize, usize),
    ) -> Result<Category, DomainError> {
        let t = self
            .wabas
            .get(&waba)
            .into_iter()
            .flat_map(|w| w.templates.iter())
            .filter_map(|id| self.templates.get(id))
            .filter(|t| t.name == name && &*t.language == language)
            .find(|t| t.status != TemplateStatus::Deleted)
            .ok_or_else(|| DomainError::TemplateNotInTranslation {
                name: name.to_string(),
                language: language.to_string(),
            })?;
        match t.status {
            TemplateStatus::Approved => {}
            TemplateStatus::Paused => return Err(DomainError::TemplatePaused),
            TemplateStatus::Disabled => return Err(DomainError::TemplateDisabled),
            _ => {
                return Err(DomainError::TemplateNotInTranslation {
                    name: name.to_string(),
                    language: language.to_string(),
                });
            }
        }
        let (want_header, want_body) = super::template_content::send_variables(&t.components);
        if header != want_header || body != want_body {
            return Err(DomainError::TemplateParamCountMismatch {
                expected: want_header + want_body,
                given: header + body,
            });
        }
        Ok(t.category)
    }
}

/// A number that cannot send: a destination record before its `register` answers 131045
/// (ERRTBL: "e.g. sending before register on the destination"); any other record that is
/// not connected, the migrated-away source included, answers 133010 (ERRTBL; the source's
/// answer is inferred, docs/fidelity.md).
pub(super) fn sender_registered(phone: &super::Phone) -> Result<(), DomainError> {
    if phone.is_registered() {
        return Ok(());
    }
    match (phone.status, phone.pending) {
        (PhoneStatus::Pending, Some(Pending::Migration(_) | Pending::NewNumber)) => {
            Err(DomainError::CertificateMissing)
        }
        _ => Err(DomainError::NotRegistered),
    }
}

/// A message's pricing (PRICING, seen): a template is billed by its category unless it is a
/// utility template inside the window; a free-form message is only sent inside the window,
/// free.
fn pricing_of(category: Option<Category>, window: bool) -> Pricing {
    let free = |category| Pricing {
        billable: false,
        kind: PricingType::FreeCustomerService,
        category,
    };
    match category {
        None => free(PricingCategory::Service),
        Some(Category::Utility) if window => free(PricingCategory::Utility),
        Some(c) => Pricing {
            billable: true,
            kind: PricingType::Regular,
            category: match c {
                Category::Marketing => PricingCategory::Marketing,
                Category::Utility => PricingCategory::Utility,
                Category::Authentication => PricingCategory::Authentication,
            },
        },
    }
}

/// A conversation id up to v23.0: unique per message (STATUS), 32 hex characters derived from
/// the wamid so every status of the message names the same one.
fn conversation_id(wamid: &str) -> String {
    use crate::digest::{FNV_OFFSET_BASIS, fnv1a};
    let a = fnv1a(wamid.as_bytes(), FNV_OFFSET_BASIS);
    let b = fnv1a(wamid.as_bytes(), a);
    format!("{a:016x}{b:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::Fixture;
    use crate::world::Principal;
    use crate::world::vocab::MessagingLimit;

    fn world() -> (World, Principal) {
        let w = Fixture::default_world().build().unwrap();
        let who = w.authenticate("wabasim-old-bsp").unwrap();
        (w, who)
    }

    fn text(to: &str) -> Send<'_> {
        Send {
            phone: "110000000000001",
            to,
            content: Content::FreeForm,
            media_id: None,
            callback_data: None,
            with_conversation: true,
            context: None,
            reaction: false,
            reaction_to: None,
        }
    }

    #[test]
    fn pricing_follows_the_category_and_the_window() {
        let regular = pricing_of(Some(Category::Marketing), true);
        assert!(regular.billable && regular.kind == PricingType::Regular);
        let utility_in_window = pricing_of(Some(Category::Utility), true);
        assert_eq!(
            (utility_in_window.billable, utility_in_window.category),
            (false, PricingCategory::Utility)
        );
        assert!(pricing_of(Some(Category::Utility), false).billable);
        let service = pricing_of(None, true);
        assert_eq!(
            (service.billable, service.kind, service.category),
            (
                false,
                PricingType::FreeCustomerService,
                PricingCategory::Service
            )
        );
    }

    #[test]
    fn the_pair_budget_refills_one_message_per_interval() {
        let (mut w, who) = world();
        w.settings.pair_burst = 2;
        w.clock.freeze();
        for _ in 0..2 {
            w.send_message(&who, &text("15551230001")).unwrap();
        }
        let e = w.send_message(&who, &text("15551230001")).unwrap_err();
        assert_eq!(e, DomainError::PairRateLimited);
        // Refused sends do not spend the budget or the throughput.
        assert_eq!(w.messaging.recent[&110_000_000_000_001].len(), 2);
        w.clock.advance(Duration::seconds(5)).unwrap();
        assert!(w.send_message(&who, &text("15551230001")).is_err());
        w.clock.advance(Duration::seconds(1)).unwrap();
        assert!(w.send_message(&who, &text("15551230001")).is_ok());
    }

    #[test]
    fn a_message_is_charged_once_at_delivery_to_the_wabas_that_sent_it() {
        let (mut w, who) = world();
        w.clock.freeze();
        w.receive_message(110_000_000_000_001, "15551230001", "hi")
            .unwrap();
        let sent = w.send_message(&who, &text("15551230001")).unwrap();
        assert_eq!(w.messaging.ledger.booked, 0);
        w.clock.advance(Duration::minutes(1)).unwrap();
        w.catch_up();
        w.catch_up();
        let ledger = &w.messaging.ledger;
        assert_eq!(ledger.booked, 1);
        assert_eq!(ledger.charges[0].message, sent.id);
        assert_eq!(ledger.charges[0].waba, 200_000_000_000_001);
        assert_eq!(
            w.messaging.message(&sent.id).map(|m| m.status),
            Some(Status::Read)
        );
    }

    fn order_update(to: &str) -> Send<'_> {
        Send {
            content: Content::Template {
                name: "order_update",
                language: "en_US",
                header_params: 0,
                body_params: 1,
            },
            ..text(to)
        }
    }

    fn failures(w: &World, id: &str) -> Option<Status> {
        w.messaging.message(id).map(|m| m.status)
    }

    #[test]
    fn templates_past_the_messaging_limit_fail_with_131048_until_a_day_has_passed() {
        let (mut w, who) = world();
        w.clock.freeze();
        w.phones
            .get_mut(&110_000_000_000_001)
            .unwrap()
            .messaging_limit = MessagingLimit::Tier50;
        // A user inside the customer-service window is not counted.
        w.receive_message(110_000_000_000_001, "15559990000", "hi")
            .unwrap();
        let served = w.send_message(&who, &order_update("15559990000")).unwrap();
        for i in 0..50 {
            let sent = w
                .send_message(&who, &order_update(&format!("1555123{i:04}")))
                .unwrap();
            assert_eq!(failures(&w, &sent.id), Some(Status::Sent));
        }
        // The 51st unique user: a 200, then failed.
        let over = w.send_message(&who, &order_update("15551239999")).unwrap();
        assert_eq!(
            failures(&w, &over.id),
            Some(Status::Failed(Failure::MessagingLimit))
        );
        // A user already counted, and a free-form reply inside a window, still go out.
        let again = w.send_message(&who, &order_update("15551230000")).unwrap();
        assert_eq!(failures(&w, &again.id), Some(Status::Sent));
        assert_ne!(
            failures(&w, &served.id),
            Some(Status::Failed(Failure::MessagingLimit))
        );
        assert_eq!(w.messaging.tiers.reached(100_000_000_000_001, w.now()), 50);
        w.clock.advance(Duration::hours(24)).unwrap();
        let next_day = w.send_message(&who, &order_update("15551239999")).unwrap();
        assert_eq!(failures(&w, &next_day.id), Some(Status::Sent));
    }

    #[test]
    fn messages_kept_is_a_bound() {
        let (mut w, who) = world();
        w.settings.messages_kept = 3;
        w.clock.freeze();
        for i in 0..5 {
            w.send_message(&who, &text(&format!("1555123000{i}")))
                .unwrap();
        }
        assert_eq!(w.messaging.len(), 3);
    }
}
