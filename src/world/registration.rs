//! Ownership verification and registration: `request_code`, `verify_code`, `register`,
//! `deregister`, and the two-step verification PIN (reference meta-graph.md §3.2–§3.6).
//!
//! A number needs a code only while it is `pending`: the destination record of an open
//! migration, or a newly added number. Anything else answers 2388091/2388093, as Meta does
//! for "not being migrated".

use super::migration::MigrationState;
use super::phone::{CodeStatus, Pending};
use super::vocab::{CodeMethod, PhoneStatus, Platform, Scope, Throughput};
use super::{DomainError, Id, NumberStep, Principal, SentCode, Timer, World};
use crate::clock::Timestamp;
use std::collections::VecDeque;

/// Regions a number's data may be stored in (OAS enum for `data_localization_region`).
pub const LOCALIZATION_REGIONS: &[&str] = &[
    "AE", "AU", "BH", "BR", "CA", "CH", "DE", "GB", "ID", "IN", "JP", "KR", "SG", "ZA",
];

/// What a number's limits remember (reference meta-graph.md §3.4, §6.3): register and
/// deregister attempts for 133016, wrong two-step PINs for 133008.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct NumberAttempts {
    /// Register/deregister attempts, and the block past their limit.
    pub registrations: RollingLimit,
    /// Wrong PINs given to register, and the lock past their limit.
    pub wrong_pins: RollingLimit,
}

/// Attempts counted in a rolling window, and the lock their limit sets.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct RollingLimit {
    /// The attempts still counted (the window is forgotten as it is read).
    pub times: VecDeque<Timestamp>,
    pub locked_until: Option<Timestamp>,
}

impl RollingLimit {
    /// The lock still in force at `now`, if any. A lock that has run out is lifted, and the
    /// attempts that set it are forgotten.
    fn lock_at(&mut self, now: Timestamp) -> Option<Timestamp> {
        let until = self.locked_until?;
        if now < until {
            return Some(until);
        }
        self.locked_until = None;
        self.times.clear();
        None
    }

    /// How many attempts fall in the `window` before `now`.
    fn recent(&mut self, now: Timestamp, window: crate::clock::Duration) -> u32 {
        self.times.retain(|t| now - *t < window);
        self.times.len() as u32
    }
}

fn valid_pin(pin: &str) -> bool {
    pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit())
}

/// `en`, `en_US`, `pt_BR`, `es_419`-style locale codes.
fn valid_language(lang: &str) -> bool {
    let mut parts = lang.split('_');
    let base = parts.next().unwrap_or("");
    let base_ok = (2..=3).contains(&base.len()) && base.bytes().all(|b| b.is_ascii_lowercase());
    let rest_ok = match (parts.next(), parts.next()) {
        (None, _) => true,
        (Some(region), None) => {
            (2..=3).contains(&region.len()) && region.bytes().all(|b| b.is_ascii_alphanumeric())
        }
        _ => false,
    };
    base_ok && rest_ok
}

impl World {
    /// The record `id` names, for the operations of this file: also reachable by the
    /// destination's manager while a same-id migration is open.
    fn phone_for_flow(&self, who: &Principal, id: &str) -> Result<Id, DomainError> {
        self.require_scope(who, Scope::Management)?;
        self.managed_phone(who, id).map(|p| p.id)
    }

    /// `POST /{phone}/request_code`: "sends" a 6-digit code by SMS or voice.
    pub fn request_code(
        &mut self,
        who: &Principal,
        phone: &str,
        method: &str,
        language: &str,
    ) -> Result<(), DomainError> {
        let id = self.phone_for_flow(who, phone)?;
        // Graph's enum format, ` - got "<value>"` as for messaging_product (graph-fidelity-review.md
        // row 8, inferred: docs/fidelity.md, "Behaviour choices").
        let method = CodeMethod::parse(method.trim()).ok_or_else(|| {
            DomainError::param(
                "code_method",
                format!(
                    "Param code_method must be one of {{SMS, VOICE}} - got \"{}\"",
                    method.trim()
                ),
            )
        })?;
        let language = language.trim();
        if !valid_language(language) {
            return Err(DomainError::param(
                "language",
                "Param language must be a language code such as en or en_US",
            ));
        }
        let now = self.now();
        let (window, max) = (
            self.settings.code_request_window,
            self.settings.max_code_requests,
        );
        let phone = &self.phones[&id];
        if phone.pending.is_none() {
            return Err(DomainError::NotEligibleForCode);
        }
        let recent = phone
            .codes
            .requests
            .iter()
            .filter(|t| now - **t < window)
            .count() as u32;
        if recent >= max {
            return Err(DomainError::TooManyCodeRequests);
        }
        let code = self.next_code();
        let phone = self.phones.get_mut(&id).expect("checked above");
        phone.codes.requests.retain(|t| now - *t < window);
        phone.codes.requests.push_back(now);
        phone.codes.current = Some(super::phone::IssuedCode {
            code: code.clone(),
            issued_at: now,
            method,
        });
        let pending = phone.pending;
        let e164 = phone.e164_digits();
        if let Some(Pending::Migration(m)) = pending
            && self.migrations[m].state == MigrationState::Initiated
        {
            self.migrations[m].state = MigrationState::CodeRequested;
        }
        self.record_sent_code(SentCode {
            phone: id,
            e164,
            code,
            method,
            language: language.to_string(),
            at: now,
        });
        self.note_number(id, NumberStep::CodeRequested);
        Ok(())
    }

    /// `POST /{phone}/verify_code`.
    pub fn verify_code(
        &mut self,
        who: &Principal,
        phone: &str,
        code: &str,
    ) -> Result<(), DomainError> {
        let id = self.phone_for_flow(who, phone)?;
        let code = code.trim();
        if code.is_empty() {
            return Err(DomainError::param("code", "The parameter code is required"));
        }
        let now = self.now();
        let ttl = self.settings.code_ttl;
        let phone = self.phones.get_mut(&id).expect("resolved above");
        let Some(pending) = phone.pending else {
            return Err(DomainError::NotEligibleForVerify);
        };
        let matches = phone
            .codes
            .current
            .as_ref()
            .is_some_and(|c| c.code == code && now - c.issued_at <= ttl);
        if !matches {
            return Err(DomainError::WrongCode);
        }
        phone.codes.current = None;
        phone.verified_at = Some(now);
        if let Pending::Migration(m) = pending
            && self.migrations[m].state.is_open()
        {
            self.migrations[m].state = MigrationState::Verified;
            // Remembered for a later attempt at migrating the number (`start_migration`).
            self.migrations[m].verified_at = Some(now);
        }
        self.note_number(id, NumberStep::Verified);
        Ok(())
    }

    /// Counts a register/deregister attempt against the number; the one past the limit
    /// blocks it (reference meta-graph.md §3.4 [OFF REG]: "10 register requests per number
    /// per 72-hour moving window", then blocked for 72 h). Keyed by the number's digits, so a
    /// new migration record of the same number shares the count and the block.
    fn count_registration(&mut self, e164: &str, now: Timestamp) -> Result<(), DomainError> {
        let (attempts, s) = self.attempts_mut(e164);
        let a = &mut attempts.registrations;
        if let Some(until) = a.lock_at(now) {
            return Err(DomainError::TooManyRegistrations { until });
        }
        if a.recent(now, s.registration_window) >= s.max_registrations {
            let until = now + s.registration_block;
            a.locked_until = Some(until);
            return Err(DomainError::TooManyRegistrations { until });
        }
        a.times.push_back(now);
        Ok(())
    }

    /// Checks `pin` against the number's two-step PIN. `max_pin_attempts` wrong guesses in
    /// `pin_attempt_window` lock the number for `pin_lock` (reference meta-graph.md §6.3
    /// 133008, "too many PIN guesses (retry time in details)"; the figures are [INF],
    /// `Settings`): each wrong guess answers 133005, and while the lock lasts every register
    /// answers 133008, even with the right PIN. A right PIN forgets the wrong ones.
    fn check_pin(
        &mut self,
        e164: &str,
        expected: Option<&str>,
        pin: &str,
        now: Timestamp,
    ) -> Result<(), DomainError> {
        let (attempts, s) = self.attempts_mut(e164);
        let a = &mut attempts.wrong_pins;
        if let Some(until) = a.lock_at(now) {
            return Err(DomainError::TooManyPinAttempts { until });
        }
        match expected {
            Some(expected) if expected != pin => {
                // This wrong PIN counts too.
                if a.recent(now, s.pin_attempt_window) + 1 >= s.max_pin_attempts.max(1) {
                    a.locked_until = Some(now + s.pin_lock);
                }
                a.times.push_back(now);
                Err(DomainError::PinMismatch)
            }
            _ => {
                a.times.clear();
                Ok(())
            }
        }
    }

    /// `POST /{phone}/register`. For the destination of a migration this completes it: the
    /// number moves, and the source's eligible templates are duplicated.
    pub fn register(
        &mut self,
        who: &Principal,
        phone: &str,
        messaging_product: &str,
        pin: &str,
        region: Option<&str>,
    ) -> Result<(), DomainError> {
        let id = self.phone_for_flow(who, phone)?;
        if messaging_product.trim() != "whatsapp" {
            return Err(DomainError::param(
                "messaging_product",
                format!(
                    "Param messaging_product must be one of {{WHATSAPP}} - got \"{}\"",
                    messaging_product.trim()
                ),
            ));
        }
        if !valid_pin(pin) {
            return Err(DomainError::param(
                "pin",
                "Param pin must be a 6-digit number",
            ));
        }
        let region = match region.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) if LOCALIZATION_REGIONS.contains(&r) => Some(r.to_string()),
            // The same enum format (graph-fidelity-review.md row 8).
            Some(r) => {
                return Err(DomainError::param(
                    "data_localization_region",
                    format!(
                        "Param data_localization_region must be one of {{{}}} - got \"{r}\"",
                        LOCALIZATION_REGIONS.join(", ")
                    ),
                ));
            }
            None => None,
        };
        let now = self.now();
        // A record the number has left (MIGRATED), a superseded migration's (DELETED) or a
        // banned one is not registered and cannot be (§6.3 133010).
        if matches!(
            self.phones[&id].status,
            PhoneStatus::Migrated | PhoneStatus::Deleted | PhoneStatus::Banned
        ) {
            return Err(DomainError::NotRegistered);
        }
        let e164 = self.phones[&id].e164_digits();
        // Every attempt counts toward 133016, including those refused below ([INF]).
        self.count_registration(&e164, now)?;
        let validity = self.settings.verification_validity;
        let phone = &self.phones[&id];
        if phone.pending.is_some() && phone.code_status(now, validity) != CodeStatus::Verified {
            return Err(DomainError::NotVerified);
        }
        let (expected, pending) = (phone.pin.clone(), phone.pending);
        self.check_pin(&e164, expected.as_deref(), pin, now)?;
        if let Some(Pending::Migration(m)) = pending {
            self.check_signup_destination(m)?;
        }
        match pending {
            Some(Pending::Migration(m)) => self.complete_migration(m, pin, region, now),
            _ => {
                let phone = self.phones.get_mut(&id).expect("resolved above");
                phone.pending = None;
                phone.pin = Some(pin.to_string());
                phone.status = PhoneStatus::Connected;
                phone.platform = Platform::CloudApi;
                phone.throughput = Throughput::Standard;
                phone.onboarded_at.get_or_insert(now);
                if region.is_some() {
                    phone.data_localization_region = region;
                }
            }
        }
        self.note_number(id, NumberStep::Registered);
        Ok(())
    }

    /// `register` for a partner that keeps the two-step verification PIN on its customer's
    /// behalf (Alibaba ChatApp's register operations take no PIN): the number keeps the PIN
    /// it has, or gets a fresh 6-digit one from the world's RNG.
    pub fn register_keeping_pin(
        &mut self,
        who: &Principal,
        phone: &str,
    ) -> Result<(), DomainError> {
        let id = self.phone_for_flow(who, phone)?;
        let pin = match self.phones[&id].pin.clone() {
            Some(pin) => pin,
            None => self.next_code(),
        };
        self.register(who, phone, "whatsapp", &pin, None)
    }

    /// Moves the number to the destination and copies the templates (seed 002, "Summary":
    /// display name, quality rating, messaging limit and OBA status are kept).
    fn complete_migration(&mut self, m: usize, pin: &str, region: Option<String>, now: Timestamp) {
        let (source_id, dest_id, source_waba, dest_waba) = {
            let mig = &self.migrations[m];
            (
                mig.source_phone,
                mig.dest_phone,
                mig.source_waba,
                mig.dest_waba,
            )
        };
        let source = self.phones[&source_id].clone();
        if source_id == dest_id {
            self.archive_migrated(&source);
            if let Some(w) = self.wabas.get_mut(&source_waba) {
                w.phones.retain(|p| *p != source_id);
            }
            if let Some(w) = self.wabas.get_mut(&dest_waba) {
                w.phones.push(dest_id);
            }
        } else if let Some(src) = self.phones.get_mut(&source_id) {
            src.status = PhoneStatus::Migrated;
            src.platform = Platform::NotApplicable;
            src.throughput = Throughput::NotApplicable;
            src.pending = None;
        }
        let dest = self
            .phones
            .get_mut(&dest_id)
            .expect("migration record exists");
        dest.waba = dest_waba;
        dest.verified_name = source.verified_name.clone();
        dest.name_status = source.name_status;
        dest.quality = source.quality;
        dest.messaging_limit = source.messaging_limit;
        dest.official = source.official;
        dest.status = PhoneStatus::Connected;
        dest.platform = Platform::CloudApi;
        dest.throughput = Throughput::Standard;
        dest.pending = None;
        dest.pin = Some(pin.to_string());
        dest.onboarded_at = Some(now);
        dest.data_localization_region = region;
        let mig = &mut self.migrations[m];
        mig.state = MigrationState::Completed;
        mig.finished_at = Some(now);
        // Meta duplicates asynchronously (reference meta-graph.md §2, §5 [OFF ESMIG]); the
        // delay is a setting, 0 by default (the copies exist when register answers).
        let delay = self.settings.duplication_delay;
        if delay.0 > 0 {
            self.add_timer(
                now + delay,
                Timer::CopyTemplates {
                    source_waba,
                    dest_waba,
                },
            );
        } else {
            self.copy_on_migration(source_waba, dest_waba, now);
        }
    }

    /// `POST /{phone}/deregister`.
    pub fn deregister(&mut self, who: &Principal, phone: &str) -> Result<(), DomainError> {
        let id = self.phone_for_flow(who, phone)?;
        if !self.phones[&id].is_registered() {
            return Err(DomainError::NotRegistered);
        }
        let now = self.now();
        let e164 = self.phones[&id].e164_digits();
        self.count_registration(&e164, now)?;
        let phone = self.phones.get_mut(&id).expect("resolved above");
        phone.status = PhoneStatus::Disconnected;
        phone.platform = Platform::NotApplicable;
        phone.throughput = Throughput::NotApplicable;
        self.note_number(id, NumberStep::Deregistered);
        Ok(())
    }

    /// `POST /{phone}` with `pin`: turns two-step verification on with this PIN (or changes
    /// it). There is no API to turn it off (reference meta-graph.md §3.5). A record the
    /// number has left (MIGRATED) or a superseded one (DELETED) answers 133010, as register
    /// and deregister do there.
    pub fn set_pin(&mut self, who: &Principal, phone: &str, pin: &str) -> Result<(), DomainError> {
        let id = self.phone_for_flow(who, phone)?;
        if matches!(
            self.phones[&id].status,
            PhoneStatus::Migrated | PhoneStatus::Deleted
        ) {
            return Err(DomainError::NotRegistered);
        }
        if !valid_pin(pin) {
            return Err(DomainError::param(
                "pin",
                "Param pin must be a 6-digit number",
            ));
        }
        self.phones.get_mut(&id).expect("resolved above").pin = Some(pin.to_string());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages() {
        for ok in ["en", "en_US", "pt_BR", "es_419", "fil"] {
            assert!(valid_language(ok), "{ok}");
        }
        for bad in ["", "EN", "en-US", "english", "en_US_x", "e"] {
            assert!(!valid_language(bad), "{bad}");
        }
    }
    /// Each step of a migration is recorded for facades that follow numbers, and a refused
    /// step is not.
    #[test]
    fn a_migrations_steps_are_recorded_as_number_changes() {
        let mut w = crate::fixture::Fixture::default_world().build().unwrap();
        w.drain_number_changes();
        let who = w.authenticate("wabasim-360dialog").unwrap();
        let id = w
            .start_migration(&who, "200000000000012", "1", "5550100001")
            .unwrap();
        let phone = id.to_string();
        assert!(w.verify_code(&who, &phone, "000000").is_err());
        w.request_code(&who, &phone, "SMS", "en_US").unwrap();
        let code = w.codes_sent.back().unwrap().code.clone();
        w.verify_code(&who, &phone, &code).unwrap();
        w.register(&who, &phone, "whatsapp", "360360", None)
            .unwrap();
        let steps: Vec<(Id, NumberStep)> = w
            .drain_number_changes()
            .iter()
            .map(|c| (c.phone, c.step))
            .collect();
        assert_eq!(
            steps,
            [
                (id, NumberStep::MigrationStarted),
                (id, NumberStep::CodeRequested),
                (id, NumberStep::Verified),
                (id, NumberStep::Registered),
            ]
        );
    }

    /// The index of migrations by number is derived, not saved: a loaded world finds its open
    /// migrations again once `index_migrations` rebuilt it (`snapshot.rs` does on load).
    #[test]
    fn a_loaded_world_finds_its_open_migrations_again() {
        let mut w = crate::fixture::Fixture::default_world().build().unwrap();
        let who = w.authenticate("wabasim-360dialog").unwrap();
        w.start_migration(&who, "200000000000012", "1", "5550100001")
            .unwrap();
        let open = w.migrations.len() - 1;
        assert_eq!(w.open_migration_of("15550100001"), Some(open));
        let mut back: World = serde_json::from_str(&serde_json::to_string(&w).unwrap()).unwrap();
        assert_eq!(back.open_migration_of("15550100001"), None, "not saved");
        back.index_migrations();
        assert_eq!(back.open_migration_of("15550100001"), Some(open));
        assert_eq!(back.open_migration_of("15550100002"), None);
    }
}
