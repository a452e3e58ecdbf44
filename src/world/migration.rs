//! Starting a migration, and adding a number that is not migrated.
//!
//! `POST /{dest_waba}/phone_numbers` with `migrate_phone_number` checks every precondition
//! of reference meta-graph.md §2.1. Meta does not document the order in which it checks
//! them; the order below is our choice ([INF]) and is the one place it is made: first what
//! the caller can see from the request (the destination, the number), then the number's own
//! situation on the source side, then whether the caller's own destination is ready.

use super::phone::{CodeState, Pending, Phone, digits_only};
use super::vocab::{
    AccountMode, MessagingLimit, NameStatus, PhoneKind, PhoneStatus, Platform, Quality,
    ReviewStatus, Throughput, VerificationStatus,
};
use super::{DomainError, Id, Principal, World};
use crate::clock::Timestamp;

/// A migration of one number from a source WABA to a destination WABA.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Migration {
    pub e164: String,
    pub source_waba: Id,
    pub dest_waba: Id,
    /// The record on the source WABA.
    pub source_phone: Id,
    /// The record the destination works with (request_code, verify_code, register). The
    /// same id as `source_phone` when `settings.migration_keeps_phone_id` is on.
    pub dest_phone: Id,
    pub state: MigrationState,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    /// When the number's ownership was verified with a code for this attempt.
    pub verified_at: Option<Timestamp>,
    /// Whether the source record was On-Premises when the migration started: its media
    /// then stay behind (`media.rs`).
    #[serde(default)]
    pub source_on_premise: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MigrationState {
    /// Started; no code requested yet.
    Initiated,
    /// A code was requested and not yet verified.
    CodeRequested,
    /// Ownership verified; waiting for register.
    Verified,
    /// Registered on the destination; templates duplicated.
    Completed,
    /// Replaced by a newer migration of the same number.
    Superseded,
}

impl MigrationState {
    pub fn as_str(self) -> &'static str {
        match self {
            MigrationState::Initiated => "INITIATED",
            MigrationState::CodeRequested => "CODE_REQUESTED",
            MigrationState::Verified => "VERIFIED",
            MigrationState::Completed => "COMPLETED",
            MigrationState::Superseded => "SUPERSEDED",
        }
    }

    pub fn is_open(self) -> bool {
        matches!(
            self,
            MigrationState::Initiated | MigrationState::CodeRequested | MigrationState::Verified
        )
    }
}

/// Validates `cc` and `phone_number` and returns the country code and national number.
/// `phone_number` is
/// the national number (seed 002); a full international number that repeats `cc` is also
/// accepted, since the OAS example shows one (reference meta-graph.md §3.1, [INF]).
pub fn parse_number(
    world: &World,
    cc: &str,
    phone_number: &str,
) -> Result<(String, String), DomainError> {
    let cc_digits = cc.trim().trim_start_matches('+');
    if cc_digits.is_empty() || cc_digits.len() > 3 || !cc_digits.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(DomainError::param(
            "cc",
            "Param cc must be a country calling code of 1 to 3 digits, without +.",
        ));
    }
    let national = digits_only(phone_number).ok_or_else(|| {
        DomainError::param(
            "phone_number",
            "Param phone_number must be a phone number: digits only, without the country code or +.",
        )
    })?;
    if national.len() < 4 || national.len() > 17 {
        return Err(DomainError::param(
            "phone_number",
            "Param phone_number must be a phone number: digits only, without the country code or +.",
        ));
    }
    // Joined, not formatted: `format!` cost more than the rest of the check.
    let joined = [cc_digits, national.as_str()].concat();
    if world.records_of(&joined).is_empty()
        && national.starts_with(cc_digits)
        && !world.records_of(&national).is_empty()
    {
        return Ok((
            cc_digits.to_string(),
            national[cc_digits.len()..].to_string(),
        ));
    }
    Ok((cc_digits.to_string(), national))
}

impl World {
    /// The record that holds what `record` had at `since` (an upload, a message sent or
    /// received): `record` itself, or the destination of each completed migration of it since,
    /// as long as the source was on the Cloud API (seed 002: "If both the source and
    /// destination WABAs are on the Cloud API, uploaded media IDs and message IDs can continue
    /// to be used"). `None` once a migration whose source was On-Premises came between: "Media
    /// and message history will not be migrated" (destinations here are always Cloud API, so
    /// the source decides).
    pub fn holder_after_migrations(&self, record: Id, since: Timestamp) -> Option<Id> {
        let mut holder = record;
        for mig in &self.migrations {
            let after = mig.finished_at.is_some_and(|t| t >= since);
            if mig.state == MigrationState::Completed && after && mig.source_phone == holder {
                if mig.source_on_premise {
                    return None;
                }
                holder = mig.dest_phone;
            }
        }
        Some(holder)
    }

    /// What both ways of putting a number on a WABA check first, in this order: the caller's
    /// management scope, the WABA (which the caller must manage), the number. Answers the
    /// WABA's id and the number as its country code and national digits.
    fn number_for_waba(
        &self,
        who: &Principal,
        waba: &str,
        cc: &str,
        phone_number: &str,
    ) -> Result<(Id, String, String), DomainError> {
        let waba = self.waba_to_change(who, waba)?.id;
        let (cc, national) = parse_number(self, cc, phone_number)?;
        Ok((waba, cc, national))
    }

    /// Starts migrating the number `cc`/`phone_number` into `dest_waba`. Returns the id of the
    /// phone-number record the destination continues with.
    pub fn start_migration(
        &mut self,
        who: &Principal,
        dest_waba: &str,
        cc: &str,
        phone_number: &str,
    ) -> Result<Id, DomainError> {
        let (dest, cc, national) = self.number_for_waba(who, dest_waba, cc, phone_number)?;
        let e164 = [cc.as_str(), national.as_str()].concat();

        // Already on the destination: a repeated call for the same open migration answers
        // the same id, so a client retrying after a lost response is not punished ([INF]).
        if let Some(existing) = self.live_record_on(&e164, dest) {
            if let Some(Pending::Migration(m)) = existing.pending
                && self.migrations[m].state.is_open()
                && self.migrations[m].dest_waba == dest
            {
                return Ok(existing.id);
            }
            return Err(DomainError::NumberAlreadyOnDestination);
        }
        if let Some(open) = self.open_migration_of(&e164)
            && self.migrations[open].dest_waba == dest
        {
            return Ok(self.migrations[open].dest_phone);
        }

        let source = self
            .registered_record(&e164)
            .ok_or(DomainError::NumberNotRegistered)?
            .clone();
        self.check_migratable(&source, dest)?;

        let now = self.now();
        let verified_at = self.carried_verification(&e164, now);
        Ok(self
            .open_migration(&source, dest, verified_at, MigrationState::Initiated)
            .1)
    }

    /// Opens a migration of `source` to `dest` (superseding one still open for the number):
    /// the destination record (the source's own id with `migration_keeps_phone_id`, else a
    /// new pending record), verified at `verified_at`, and the migration in `state`, started
    /// now. The OBO flow (`migrate_phone_number`) opens it `Initiated`; Embedded Signup's
    /// popup (`signup.rs`) `Verified`, ownership proven there. Returns the migration's index
    /// and the destination record's id.
    pub(super) fn open_migration(
        &mut self,
        source: &Phone,
        dest: Id,
        verified_at: Option<Timestamp>,
        state: MigrationState,
    ) -> (usize, Id) {
        let now = self.now();
        let e164 = source.e164_digits();
        if let Some(open) = self.open_migration_of(&e164) {
            self.supersede(open);
        }
        let index = self.migrations.len();
        let dest_phone = if self.settings.migration_keeps_phone_id {
            if let Some(p) = self.phones.get_mut(&source.id) {
                p.pending = Some(Pending::Migration(index));
                p.codes = CodeState::default();
                p.verified_at = verified_at;
                p.fixture_verification = None;
            }
            source.id
        } else {
            let id = self.next_id();
            self.insert_phone(Phone {
                id,
                waba: dest,
                status: PhoneStatus::Pending,
                platform: Platform::NotApplicable,
                throughput: Throughput::NotApplicable,
                pin: None,
                verified_at,
                fixture_verification: None,
                onboarded_at: None,
                data_localization_region: None,
                pending: Some(Pending::Migration(index)),
                codes: CodeState::default(),
                created_at: now,
                ..source.clone()
            });
            id
        };
        self.migrations_by_number
            .entry(e164.clone())
            .or_default()
            .push(index);
        self.migrations.push(Migration {
            e164,
            source_waba: source.waba,
            dest_waba: dest,
            source_phone: source.id,
            dest_phone,
            source_on_premise: source.platform == super::vocab::Platform::OnPremise,
            state,
            started_at: now,
            finished_at: None,
            verified_at: (state == MigrationState::Verified).then_some(now),
        });
        self.note_number(dest_phone, super::NumberStep::MigrationStarted);
        (index, dest_phone)
    }

    /// Every precondition of reference meta-graph.md §2.1, in the documented order.
    fn check_migratable(&self, source: &Phone, dest: Id) -> Result<(), DomainError> {
        self.check_source(source, self.wabas[&dest].business)?;
        self.check_destination(source, dest)
    }

    /// The §2.1 preconditions on the number and its source WABA, for a destination owned by
    /// `dest_business`. Embedded Signup checks these when the client finishes the popup
    /// (`signup.rs`), and the destination's at register.
    pub(super) fn check_source(
        &self,
        source: &Phone,
        dest_business: Id,
    ) -> Result<(), DomainError> {
        let source_waba = self
            .wabas
            .get(&source.waba)
            .ok_or(DomainError::NumberNotRegistered)?;
        let verified = |business: Id| self.business_verified(business);

        if source_waba.business != dest_business {
            return Err(DomainError::DifferentBusiness);
        }
        if source_waba.review != ReviewStatus::Approved || !verified(source_waba.business) {
            return Err(DomainError::SourceNotSetUp);
        }
        match source.kind {
            PhoneKind::MetaTest => return Err(DomainError::TestNumber),
            PhoneKind::BusinessApp => return Err(DomainError::BusinessAppNumber),
            PhoneKind::BusinessApi => {}
        }
        if source.name_status != NameStatus::Approved
            || source.new_name_status == Some(NameStatus::PendingReview)
        {
            return Err(DomainError::DisplayNameNotApproved);
        }
        if source.pin.is_some() {
            return Err(DomainError::TwoStepStillEnabled);
        }
        Ok(())
    }

    /// The §2.1 preconditions on the destination WABA `dest` of `source`'s number.
    pub(super) fn check_destination(&self, source: &Phone, dest: Id) -> Result<(), DomainError> {
        let dest_waba = &self.wabas[&dest];
        let verified = |business: Id| self.business_verified(business);
        if dest_waba.review != ReviewStatus::Approved || !verified(dest_waba.business) {
            return Err(DomainError::DestinationNotApproved);
        }
        if !dest_waba.payment_method {
            return Err(DomainError::DestinationNoPayment);
        }
        // Seed 002: the subscribed-app requirement is for numbers on the Cloud API.
        if source.platform == Platform::CloudApi && dest_waba.subscriptions.is_empty() {
            return Err(DomainError::DestinationNoSubscribedApp);
        }
        Ok(())
    }

    /// Whether the business portfolio `id` is verified.
    fn business_verified(&self, id: Id) -> bool {
        self.businesses
            .get(&id)
            .is_some_and(|b| b.verification == VerificationStatus::Verified)
    }

    /// The ownership verification a new migration attempt of a number starts with: the
    /// latest one made with a code for an earlier attempt at migrating the same number (one
    /// superseded, abandoned or completed), while it is within `verification_validity`
    /// (reference alibaba-cams.md §7.1: verified within 14 days, the code step is skipped).
    /// Nothing else counts, in particular not the verification a fixture gives a registered
    /// number, so a first attempt starts NOT_VERIFIED (meta-graph.md §2.3 [INF]) whether or
    /// not `migration_keeps_phone_id` is on. This is the one place the rule is made.
    fn carried_verification(&self, e164: &str, now: Timestamp) -> Option<Timestamp> {
        let validity = self.settings.verification_validity;
        self.migrations_of(e164)
            .filter_map(|m| self.migrations[m].verified_at)
            .max()
            .filter(|at| now - *at <= validity)
    }

    /// The open migration of a number, if one exists.
    pub fn open_migration_of(&self, e164: &str) -> Option<usize> {
        self.migrations_of(e164)
            .rev()
            .find(|m| self.migrations[*m].state.is_open())
    }

    /// The positions of a number's migrations in `migrations`, oldest first.
    fn migrations_of(&self, e164: &str) -> impl DoubleEndedIterator<Item = usize> + '_ {
        self.migrations_by_number
            .get(e164)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .copied()
    }

    /// Rebuilds the index of migrations by number, which a saved world does not carry.
    pub fn index_migrations(&mut self) {
        self.migrations_by_number.clear();
        for (i, m) in self.migrations.iter().enumerate() {
            self.migrations_by_number
                .entry(m.e164.clone())
                .or_default()
                .push(i);
        }
    }

    /// Abandons an open migration in favour of a new one. Its destination record ends
    /// DELETED: still readable by id, answering the flow calls as a number that is not being
    /// migrated (request_code 2388091, verify_code 2388093, register and PIN 133010), and
    /// left out of phone-number lists. With `migration_keeps_phone_id` the record is the
    /// source's own, which simply stops waiting.
    pub(super) fn supersede(&mut self, index: usize) {
        let now = self.now();
        let m = &mut self.migrations[index];
        m.state = MigrationState::Superseded;
        m.finished_at = Some(now);
        let (dest_phone, source_phone) = (m.dest_phone, m.source_phone);
        if let Some(p) = self.phones.get_mut(&dest_phone) {
            p.pending = None;
            p.codes = CodeState::default();
            if dest_phone != source_phone {
                p.status = PhoneStatus::Deleted;
            }
        }
    }

    /// Adds a number that is not migrated (`POST /{waba}/phone_numbers` without
    /// `migrate_phone_number`). It must then be verified and registered.
    pub fn add_number(
        &mut self,
        who: &Principal,
        waba: &str,
        cc: &str,
        phone_number: &str,
        verified_name: &str,
    ) -> Result<Id, DomainError> {
        let (waba, cc, national) = self.number_for_waba(who, waba, cc, phone_number)?;
        let e164 = [cc.as_str(), national.as_str()].concat();
        let name = verified_name.trim();
        if name.chars().count() < 2 || name.chars().count() > 75 {
            return Err(DomainError::param(
                "verified_name",
                "Param verified_name must be a display name of 2 to 75 characters.",
            ));
        }
        if self.live_record_on(&e164, waba).is_some() {
            return Err(DomainError::NumberAlreadyOnDestination);
        }
        if self.registered_record(&e164).is_some() {
            return Err(DomainError::param(
                "phone_number",
                "This phone number is registered to another WhatsApp Business Account. Migrate it with migrate_phone_number=true instead.",
            ));
        }
        let id = self.next_id();
        let now = self.now();
        self.insert_phone(Phone {
            id,
            waba,
            cc,
            number: national,
            verified_name: name.to_string(),
            name_status: NameStatus::AvailableWithoutReview,
            new_name_status: None,
            new_verified_name: None,
            quality: Quality::Unknown,
            messaging_limit: MessagingLimit::Tier250,
            official: false,
            pin: None,
            kind: PhoneKind::BusinessApi,
            status: PhoneStatus::Pending,
            platform: Platform::NotApplicable,
            throughput: Throughput::NotApplicable,
            account_mode: AccountMode::Live,
            verified_at: None,
            fixture_verification: None,
            onboarded_at: None,
            data_localization_region: None,
            pending: Some(Pending::NewNumber),
            codes: CodeState::default(),
            created_at: now,
        });
        self.note_number(id, super::NumberStep::Added);
        Ok(id)
    }
}
