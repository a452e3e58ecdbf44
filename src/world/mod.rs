//! The world: one simulated WhatsApp Business Platform, as pure domain state and rules.
//!
//! No HTTP, no JSON, no async here (the one exception: `template_content.rs` reads the
//! template components the world keeps as Meta's JSON text). A facade turns its wire into calls on [`World`] and turns
//! the results (or a [`DomainError`]) back into its vendor's wire. Each namespace owns one
//! world behind a lock that is held only for the duration of a synchronous call.
//!
//! The rules live next to the concept they govern:
//! - `migration.rs`: starting a migration (every §2.1 precondition) and adding numbers;
//! - `registration.rs`: verification codes, register, deregister, two-step PIN;
//! - `duplication.rs`: which templates a migration copies, the limit, re-categorisation;
//! - `decisions.rs`: what changes without an API call (Meta's reviews and ratings, the
//!   owner's changes in WhatsApp Manager), for scheduled events;
//! - `template.rs`, `waba.rs`, `phone.rs`, `parties.rs`: the records and their small rules;
//! - `template_content.rs`: what a new template may contain (language, components);
//! - `message.rs`, `recipient.rs`, `tier.rs`, `ledger.rs`: sends, simulated users, messaging
//!   limits, billing; `pacing.rs`: batches a facade sends at the number's throughput;
//! - `signup.rs`: Embedded Signup (the popup's outcome, its code, credit-line sharing);
//! - `cams.rs`: what Alibaba ChatApp needs beyond Graph (access keys, spaces, numbers by digits).
//!
//! Time only comes from the world's [`Clock`]; randomness (ids, codes) only from its seeded
//! RNG, so the same seed and the same requests give the same world.

pub mod bindings;
pub mod business_profile;
pub mod callbacks;
pub mod codes;
pub mod decisions;
pub mod duplication;
pub mod error;
pub mod event;
pub mod inbound;
pub mod inbound_media;
pub mod ledger;
pub mod media;
pub mod message;
pub mod message_ids;
pub mod migration;
mod number_index;
pub mod pacing;
pub mod parties;
pub mod partner_view;
pub mod phone;
pub mod recipient;
pub mod registration;
pub mod rng;
pub mod saved;
pub mod settings;
pub mod shared;
pub mod signup;
pub mod table;
pub mod template;
pub mod template_content;
pub mod tier;
pub mod vocab;
pub mod waba;

use std::collections::BTreeMap;

/// The world's maps: keyed by numeric ids or short strings it generated or was given, so a
/// fast non-cryptographic hash is enough (SipHash was a visible share of a request's cost).
pub type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;

pub use error::DomainError;
pub use event::{EventKind, NumberChange, NumberStep, TemplateRef, WorldEvent};
pub use migration::{Migration, MigrationState};
pub use parties::{App, Business, Partner, Principal, Scopes, Token, TokenOwner};
pub use phone::{CodeStatus, Pending, Phone};
pub use settings::Settings;
pub use template::Template;
pub use waba::{Subscription, Waba};

use crate::clock::{Clock, Timestamp};
use vocab::{CodeMethod, Scope};

/// A Graph object id (business, WABA, phone number, template, app). Graph sends them as
/// numeric strings; the world keeps them as numbers.
pub type Id = u64;

/// Index of a partner in `World::partners`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct PartnerIdx(pub u16);

/// A verification code "sent" by SMS or voice, as `/__admin/codes` lists it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct SentCode {
    pub phone: Id,
    pub e164: String,
    pub code: String,
    pub method: CodeMethod,
    pub language: String,
    pub at: Timestamp,
}

/// Something the world must do when its clock reaches a given time.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Timer {
    /// Re-rate a migrated template copy after its UNKNOWN period.
    RerateTemplate(Id),
    /// Finish the review of a newly created template.
    ReviewTemplate(Id),
    /// A scripted change from the fixture (index into `World::scheduled`).
    Scheduled(usize),
    /// Duplicate a migration's templates, `settings.duplication_delay` after its register.
    CopyTemplates { source_waba: Id, dest_waba: Id },
    /// Deliver or read a sent message (`message.rs`).
    Message(message::Step),
    /// Send what a number's throughput has room for of its paced sends (`pacing.rs`).
    Paced(Id),
}

/// A scheduled change, as the fixture layer describes it; applied by a callback so the world
/// stays ignorant of the fixture format.
pub type ScheduledChange = std::sync::Arc<dyn Fn(&mut World, Timestamp) + Send + Sync>;

/// Saved and loaded with serde for `serve --state` (`saved.rs`: what is left out and why).
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct World {
    pub clock: Clock,
    rng: rng::SeededRng,
    pub settings: Settings,
    // The parties rarely change in a test: shared with the prototype world (`shared.rs`).
    pub businesses: shared::Shared<HashMap<Id, Business>>,
    pub partners: shared::Shared<Vec<Partner>>,
    pub apps: shared::Shared<HashMap<Id, App>>,
    pub tokens: shared::Shared<HashMap<String, Token>>,
    /// Each WABA shared with the prototype world until written (`shared.rs`).
    pub wabas: HashMap<Id, shared::Shared<Waba>>,
    pub phones: table::Table<Phone>,
    /// Phone-number records by the digits of the full number (`number_index.rs`).
    by_number: number_index::NumberIndex,
    /// Register/deregister attempts and wrong PINs, by the digits of the full number: the
    /// limits belong to the number, whichever record it is used through.
    attempts: HashMap<String, registration::NumberAttempts>,
    /// WABAs by owning business.
    by_business: HashMap<Id, Vec<Id>>,
    pub templates: table::Table<Template>,
    /// Source-side records of numbers that migrated keeping their id: their id now names
    /// the destination record, so the source's MIGRATED view lives here.
    pub archived: Vec<Phone>,
    pub migrations: Vec<Migration>,
    /// Positions in `migrations` by the digits of their number: derived, so not saved, and
    /// rebuilt on load (`index_migrations`). A number's migrations are found without a scan of
    /// every migration the world has made (a suite migrating thousands in one namespace).
    #[serde(skip)]
    migrations_by_number: HashMap<String, Vec<usize>>,
    /// Codes sent, newest last, bounded by `settings.codes_kept`, indexed by phone and number.
    pub codes_sent: codes::SentCodes,
    #[serde(with = "saved::pairs")]
    timers: BTreeMap<(Timestamp, u64), Timer>,
    timer_seq: u64,
    /// Scripted changes, referenced by `Timer::Scheduled`.
    #[serde(skip)]
    pub scheduled: Vec<(String, ScheduledChange)>,
    #[serde(skip)]
    events: Vec<WorldEvent>,
    /// Number steps no Meta webhook reports, for facades that follow numbers.
    #[serde(skip)]
    number_changes: Vec<NumberChange>,
    /// Alternate callback URLs set on phone numbers, by (phone number, app) (`callbacks.rs`).
    #[serde(with = "saved::pairs")]
    pub phone_callbacks: HashMap<(Id, Id), callbacks::CallbackOverride>,
    /// State vendor facades keep beside the domain's, keyed by facade id
    /// (`World::binding`); saved by their facades (`src/snapshot.rs`).
    #[serde(skip)]
    bindings: bindings::Bindings,
    /// Messages, simulated users and the billing ledger (`message.rs`, `recipient.rs`,
    /// `ledger.rs`).
    pub messaging: message::Messaging,
    /// Sends waiting for their number's throughput (`pacing.rs`).
    #[serde(default)]
    pub pacing: pacing::Pacing,
    /// Uploaded media, bounded by `--media-bytes` (`media.rs`).
    pub media: media::MediaStore,
    /// Business profiles by phone-number id (`business_profile.rs`).
    pub business_profiles: business_profile::BusinessProfiles,
    /// Embedded Signup's codes, migrations and credit-line allocations (`signup.rs`).
    pub signups: signup::Signups,
    /// Where callback URLs may point (`--webhook-allow`): the server's policy, which its
    /// namespace hands every world it installs (anywhere, for a world of its own).
    #[serde(skip)]
    pub callback_allow: std::sync::Arc<crate::allowlist::Allowlist>,
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World")
            .field("now", &self.clock.now())
            .field("wabas", &self.wabas.len())
            .field("phones", &self.phones.len())
            .field("templates", &self.templates.len())
            .finish()
    }
}

impl World {
    pub fn new(seed: u64, clock: Clock, settings: Settings) -> World {
        World {
            clock,
            rng: rng::SeededRng::seeded(seed),
            settings,
            businesses: Default::default(),
            partners: Default::default(),
            apps: Default::default(),
            tokens: Default::default(),
            wabas: HashMap::default(),
            phones: table::Table::default(),
            by_number: Default::default(),
            attempts: HashMap::default(),
            by_business: HashMap::default(),
            phone_callbacks: HashMap::default(),
            templates: table::Table::default(),
            archived: Vec::new(),
            migrations: Vec::new(),
            migrations_by_number: HashMap::default(),
            codes_sent: codes::SentCodes::default(),
            timers: BTreeMap::new(),
            timer_seq: 0,
            scheduled: Vec::new(),
            events: Vec::new(),
            number_changes: Vec::new(),
            bindings: bindings::Bindings::default(),
            messaging: Default::default(),
            pacing: Default::default(),
            media: Default::default(),
            business_profiles: Default::default(),
            signups: Default::default(),
            callback_allow: Default::default(),
        }
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    // --- building (fixtures) ------------------------------------------------------------

    pub fn add_partner(&mut self, partner: Partner) -> PartnerIdx {
        self.partners.push(partner);
        PartnerIdx((self.partners.len() - 1) as u16)
    }

    pub fn partner_by_key(&self, key: &str) -> Option<PartnerIdx> {
        self.partners
            .iter()
            .position(|p| p.key == key)
            .map(|i| PartnerIdx(i as u16))
    }

    pub fn partner(&self, idx: PartnerIdx) -> &Partner {
        &self.partners[idx.0 as usize]
    }

    pub fn insert_waba(&mut self, waba: Waba) {
        self.by_business
            .entry(waba.business)
            .or_default()
            .push(waba.id);
        self.wabas.insert(waba.id, waba.into());
    }

    /// Adds a phone record and indexes it under its WABA and its number.
    pub fn insert_phone(&mut self, phone: Phone) {
        if let Some(w) = self.wabas.get_mut(&phone.waba) {
            w.phones.push(phone.id);
        }
        self.by_number.add(&phone.cc, &phone.number, phone.id);
        self.phones.insert(phone.id, phone);
    }

    /// Room for `n` more phone numbers and their number index without growing: a big
    /// fixture's build would otherwise copy the table at each doubling and keep the slack.
    pub fn reserve_phones(&mut self, n: usize) {
        self.phones.reserve(n);
        self.by_number.reserve(n);
    }

    /// Adds a template and indexes it under its WABA.
    pub fn insert_template(&mut self, template: Template) {
        if let Some(w) = self.wabas.get_mut(&template.waba) {
            w.templates.push(template.id);
        }
        self.templates.insert(template.id, template);
    }

    /// Schedules a scripted change at `at`.
    pub fn schedule(&mut self, at: Timestamp, label: String, change: ScheduledChange) {
        self.scheduled.push((label, change));
        let idx = self.scheduled.len() - 1;
        self.add_timer(at, Timer::Scheduled(idx));
    }

    // --- ids, codes, randomness -----------------------------------------------------------

    /// A fresh 15-digit id that no object in the world uses yet.
    pub fn next_id(&mut self) -> Id {
        loop {
            let id = self.draw_id();
            if !self.id_in_use(id) {
                return id;
            }
        }
    }

    /// The RNG's next candidate for [`World::next_id`], used or not: a caller that checks
    /// many at once (a fixture's build) draws them itself, in the same order.
    pub(crate) fn draw_id(&mut self) -> Id {
        self.rng
            .random_range(100_000_000_000_000u64..1_000_000_000_000_000u64)
    }

    pub(crate) fn id_in_use(&self, id: Id) -> bool {
        self.phones.contains_key(&id)
            || self.templates.contains_key(&id)
            || self.id_in_use_besides_records(id)
    }

    /// [`World::id_in_use`] without looking at numbers and templates: for a fixture's
    /// build, which knows every id of the records it put in (and a lookup in a table of
    /// 500,000 is a cache miss).
    pub(crate) fn id_in_use_besides_records(&self, id: Id) -> bool {
        self.wabas.contains_key(&id)
            || self.businesses.contains_key(&id)
            || self.apps.contains_key(&id)
            || self.media.contains(id)
    }

    /// A 6-digit verification code.
    pub fn next_code(&mut self) -> String {
        format!("{:06}", self.rng.random_range(0..1_000_000u32))
    }

    /// Random lower-case hex of `len` characters (trace ids, namespaces of templates).
    pub fn next_hex(&mut self, len: usize) -> String {
        const HEX: &[u8] = b"0123456789abcdef";
        (0..len)
            .map(|_| HEX[self.rng.random_range(0..16usize)] as char)
            .collect()
    }

    // --- time ---------------------------------------------------------------------------

    pub fn add_timer(&mut self, at: Timestamp, timer: Timer) {
        self.timer_seq += 1;
        self.timers.insert((at, self.timer_seq), timer);
    }

    /// Whether a timer's time has come (a read must let the world catch up first).
    pub fn is_due(&self) -> bool {
        self.next_due().is_some_and(|at| at <= self.clock.now())
    }

    /// When the next timer is due, if any (the namespace's ticker sleeps until then).
    pub fn next_due(&self) -> Option<Timestamp> {
        self.timers.keys().next().map(|(at, _)| *at)
    }

    /// Applies every timer whose time has come, in time order, each at its own due time, so
    /// that "advance 24 hours" replays what 24 real hours would have done.
    pub fn catch_up(&mut self) {
        let now = self.clock.now();
        while let Some((&(at, seq), _)) = self.timers.first_key_value() {
            if at > now {
                break;
            }
            if let Some(timer) = self.timers.remove(&(at, seq)) {
                self.fire(timer, at);
            }
        }
    }

    fn fire(&mut self, timer: Timer, at: Timestamp) {
        match timer {
            Timer::RerateTemplate(id) => self.rerate_copy(id, at),
            Timer::ReviewTemplate(id) => self.finish_review(id, at),
            Timer::Scheduled(idx) => {
                if let Some((_, change)) = self.scheduled.get(idx).cloned() {
                    change(self, at);
                }
            }
            Timer::CopyTemplates {
                source_waba,
                dest_waba,
            } => {
                self.copy_on_migration(source_waba, dest_waba, at);
            }
            Timer::Message(step) => self.fire_message(step, at),
            Timer::Paced(phone) => self.send_paced(phone, at),
        }
    }

    // --- events -------------------------------------------------------------------------

    pub fn emit(&mut self, at: Timestamp, waba: Id, kind: EventKind) {
        self.events.push(WorldEvent { at, waba, kind });
    }

    /// Takes the events recorded since the last call.
    pub fn drain_events(&mut self) -> Vec<WorldEvent> {
        std::mem::take(&mut self.events)
    }

    /// The events recorded since the last drain, oldest first.
    pub fn undrained_events(&self) -> &[WorldEvent] {
        &self.events
    }

    /// Whether events, number changes or paced sends' outcomes were recorded since the last
    /// drain.
    pub fn has_events(&self) -> bool {
        !self.events.is_empty() || !self.number_changes.is_empty() || self.pacing.has_outcomes()
    }

    /// Records a step of number `phone`'s life (on its current WABA) that no webhook reports.
    pub(crate) fn note_number(&mut self, phone: Id, step: NumberStep) {
        let Some(waba) = self.phones.get(&phone).map(|p| p.waba) else {
            return;
        };
        let at = self.now();
        self.number_changes.push(NumberChange {
            at,
            phone,
            waba,
            step,
        });
    }

    /// Takes the number changes recorded since the last call.
    pub fn drain_number_changes(&mut self) -> Vec<NumberChange> {
        std::mem::take(&mut self.number_changes)
    }

    // --- access -------------------------------------------------------------------------

    /// Resolves a bearer token to the principal it acts as.
    pub fn authenticate(&self, token: &str) -> Result<Principal, DomainError> {
        let t = self
            .tokens
            .get(token)
            .ok_or(DomainError::AccessTokenInvalid)?;
        let now = self.now();
        if let Some(expired_at) = t.expires_at
            && now >= expired_at
        {
            return Err(DomainError::AccessTokenExpired { expired_at, now });
        }
        Ok(Principal {
            owner: t.owner,
            app: t.app,
            scopes: t.scopes,
        })
    }

    pub fn require_scope(&self, who: &Principal, scope: Scope) -> Result<(), DomainError> {
        if who.scopes.has(scope) {
            Ok(())
        } else {
            Err(DomainError::PermissionMissing {
                scope: scope.as_str(),
            })
        }
    }

    /// The WABA `id` names, if the caller manages it. A foreign WABA is answered exactly like
    /// a missing one, as Graph does.
    pub fn managed_waba(&self, who: &Principal, id: &str) -> Result<&Waba, DomainError> {
        let waba = parse_id(id)
            .and_then(|n| self.wabas.get(&n))
            .ok_or_else(|| DomainError::unknown(id))?;
        if who.may_manage(waba.business, waba.partner) {
            Ok(waba)
        } else {
            Err(DomainError::unknown(id))
        }
    }

    /// The WABA `id` names, for a change: the caller needs the management scope (checked
    /// first) and must manage the WABA.
    pub fn waba_to_change(&self, who: &Principal, id: &str) -> Result<&Waba, DomainError> {
        self.require_scope(who, Scope::Management)?;
        self.managed_waba(who, id)
    }

    /// The phone-number record `id` names, if the caller manages its WABA.
    pub fn managed_phone(&self, who: &Principal, id: &str) -> Result<&Phone, DomainError> {
        self.managed_phone_parsed(who, id, parse_id(id))
    }

    /// [`World::managed_phone`] for a caller that already read `id` as [`parse_id`] does
    /// (Graph parses a request's node once).
    pub fn managed_phone_parsed(
        &self,
        who: &Principal,
        id: &str,
        parsed: Option<Id>,
    ) -> Result<&Phone, DomainError> {
        let phone = parsed
            .and_then(|n| self.phones.get(&n))
            .ok_or_else(|| DomainError::unknown(id))?;
        let waba = self
            .wabas
            .get(&phone.waba)
            .ok_or_else(|| DomainError::unknown(id))?;
        // A DELETED record (a migration superseded by another) stays readable, so that its
        // holder learns what happened instead of being told the id never existed.
        if who.may_manage(waba.business, waba.partner) {
            return Ok(phone);
        }
        // With `migration_keeps_phone_id`, the destination works on the source's record
        // until register moves it.
        if let Some(Pending::Migration(m)) = phone.pending
            && let Some(dest) = self.wabas.get(&self.migrations[m].dest_waba)
            && who.may_manage(dest.business, dest.partner)
        {
            return Ok(phone);
        }
        Err(DomainError::unknown(id))
    }

    /// Keeps the source's MIGRATED view of a record whose id moves to the destination.
    pub(crate) fn archive_migrated(&mut self, source: &Phone) {
        let mut record = source.clone();
        record.status = vocab::PhoneStatus::Migrated;
        record.platform = vocab::Platform::NotApplicable;
        record.throughput = vocab::Throughput::NotApplicable;
        record.pending = None;
        record.codes = Default::default();
        let waba = record.waba;
        self.archived.push(record);
        let index = self.archived.len() - 1;
        if let Some(w) = self.wabas.get_mut(&waba) {
            w.archived.push(index);
        }
    }

    /// The register/deregister and PIN attempts counted against a number (digits).
    pub fn attempts_of(&self, e164_digits: &str) -> Option<&registration::NumberAttempts> {
        self.attempts.get(e164_digits)
    }

    /// The attempts counted against a number (digits), with the settings that limit them.
    pub(crate) fn attempts_mut(
        &mut self,
        e164_digits: &str,
    ) -> (&mut registration::NumberAttempts, &Settings) {
        let attempts = self.attempts.entry(e164_digits.to_string()).or_default();
        (attempts, &self.settings)
    }

    /// Every record of a number, in creation order.
    pub fn records_of(&self, e164_digits: &str) -> &[Id] {
        self.by_number.records_of(e164_digits)
    }

    /// The record under which a number currently lives on `waba`, if any.
    pub fn live_record_on(&self, e164_digits: &str, waba: Id) -> Option<&Phone> {
        self.records_of(e164_digits)
            .iter()
            .filter_map(|id| self.phones.get(id))
            .find(|p| p.waba == waba && p.is_live())
    }

    /// The record under which a number is currently registered, wherever that is.
    pub fn registered_record(&self, e164_digits: &str) -> Option<&Phone> {
        self.records_of(e164_digits)
            .iter()
            .filter_map(|id| self.phones.get(id))
            .find(|p| p.is_registered())
    }

    /// The template limit of a WABA (reference meta-graph.md §4.4): a per-WABA override, or
    /// 6,000 when its business is verified and has a number with an approved display name,
    /// else 250.
    pub fn template_limit(&self, waba: &Waba) -> u32 {
        if let Some(limit) = waba.template_limit {
            return limit;
        }
        let verified = self
            .businesses
            .get(&waba.business)
            .is_some_and(|b| b.verification == vocab::VerificationStatus::Verified);
        let approved_name = verified
            && self
                .by_business
                .get(&waba.business)
                .into_iter()
                .flatten()
                .filter_map(|w| self.wabas.get(w))
                .flat_map(|w| w.phones.iter())
                .filter_map(|p| self.phones.get(p))
                .any(|p| p.is_live() && p.name_status == vocab::NameStatus::Approved);
        if approved_name {
            self.settings.template_limit_verified
        } else {
            self.settings.template_limit_default
        }
    }

    /// How many of a WABA's templates count against its limit.
    pub fn template_count(&self, waba: &Waba) -> u32 {
        waba.templates
            .iter()
            .filter_map(|id| self.templates.get(id))
            .filter(|t| t.counts_against_limit())
            .count() as u32
    }

    /// Counts a Business-Use-Case call against a WABA and returns the usage percentage.
    pub fn count_call(&self, waba: Id) -> u32 {
        let now = self.now();
        let budget = self.settings.buc_calls_per_hour.max(1);
        match self.wabas.get(&waba) {
            Some(w) => (w.usage.count(now) * 100 / budget).min(100),
            None => 0,
        }
    }

    pub(crate) fn record_sent_code(&mut self, sent: SentCode) {
        self.codes_sent.push(sent, self.settings.codes_kept);
    }
}

/// Parses a Graph node id; anything that is not a plain decimal number that fits an [`Id`]
/// names nothing. One pass over the digits: a Graph request parses its node up to three
/// times (its kind, the usage header's WABA, the operation's own lookup).
pub fn parse_id(text: &str) -> Option<Id> {
    if text.is_empty() || text.len() > 20 {
        return None;
    }
    // Nineteen digits never overflow (10^19 - 1 < 2^64): ids as written (15 digits) are
    // accumulated without the overflow checks only the twentieth digit needs.
    if text.len() <= 19 {
        return text.bytes().try_fold(0 as Id, |n, b| {
            let digit = b.wrapping_sub(b'0');
            (digit <= 9).then(|| n * 10 + Id::from(digit))
        });
    }
    text.bytes().try_fold(0 as Id, |n, b| {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        n.checked_mul(10)?.checked_add(Id::from(digit))
    })
}

#[cfg(test)]
mod tests {
    use super::parse_id;

    #[test]
    fn node_ids_are_plain_decimal_numbers_that_fit() {
        assert_eq!(parse_id("110000000000001"), Some(110_000_000_000_001));
        assert_eq!(parse_id("0"), Some(0));
        assert_eq!(parse_id("18446744073709551615"), Some(u64::MAX));
        assert_eq!(
            parse_id("9999999999999999999"),
            Some(9_999_999_999_999_999_999)
        );
        assert_eq!(parse_id("0000000000000000001"), Some(1));
        assert_eq!(
            parse_id("10000000000000000000"),
            Some(10_000_000_000_000_000_000)
        );
        for not_an_id in [
            "99999999999999999999",
            "1234567890123456789x",
            "123456789012345678x",
            "",
            "18446744073709551616",
            "000000000000000000001",
            "+1",
            "-1",
            "1a",
            " 1",
            "1.0",
            "\u{663}",
            "phone_numbers",
        ] {
            assert_eq!(parse_id(not_an_id), None, "{not_an_id:?}");
        }
    }
}
