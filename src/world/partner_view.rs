//! The world as a partner acting with its own credentials sees it, beyond what Graph exposes:
//! acting as a partner (not through a user token), finding a number by its digits on a WABA,
//! the numbers a WABA's manager lists (including those on their way in), and whether a number
//! can be added. Vendor facades that authenticate partners themselves (Alibaba ChatApp's
//! AccessKeys) act through these; their own state is their `bindings::Binding`.

use super::phone::Pending;
use super::vocab::{PhoneStatus, Scope};
use super::{DomainError, Id, PartnerIdx, Principal, Scopes, TokenOwner, World};

impl World {
    /// The principal an Alibaba access key acts as: its partner, with the partner's first app
    /// (the one a WABA subscription names) and the management and messaging scopes a
    /// ChatApp account has.
    pub fn partner_principal(&self, partner: PartnerIdx) -> Principal {
        let mut apps: Vec<&super::App> = self
            .apps
            .values()
            .filter(|a| a.partner == Some(partner))
            .collect();
        apps.sort_by_key(|a| a.id);
        Principal {
            owner: TokenOwner::Partner(partner),
            app: apps.first().map(|a| a.id),
            scopes: Scopes::of(&[Scope::Management, Scope::Messaging]),
        }
    }

    /// The record through which `waba`'s manager works with a number (digits with country
    /// code): its live record on that WABA, or the record of an open migration into it (which
    /// is the source's record while `migration_keeps_phone_id` keeps it there).
    pub fn number_on_waba(&self, e164_digits: &str, waba: Id) -> Option<Id> {
        if let Some(p) = self.live_record_on(e164_digits, waba) {
            return Some(p.id);
        }
        let m = &self.migrations[self.open_migration_of(e164_digits)?];
        (m.dest_waba == waba).then_some(m.dest_phone)
    }

    /// The records a manager of `waba` lists as its numbers: the WABA's own (deleted ones left
    /// out), then any number on its way in whose record is still kept on the source (an open
    /// migration with `migration_keeps_phone_id`), in migration order.
    pub fn numbers_listed_on(&self, waba: Id) -> Vec<Id> {
        let mut ids: Vec<Id> = self
            .wabas
            .get(&waba)
            .map(|w| w.phones.as_slice())
            .unwrap_or_default()
            .iter()
            .copied()
            .filter(|id| {
                self.phones
                    .get(id)
                    .is_some_and(|p| p.status != PhoneStatus::Deleted)
            })
            .collect();
        for m in &self.migrations {
            if m.dest_waba == waba && m.state.is_open() && !ids.contains(&m.dest_phone) {
                ids.push(m.dest_phone);
            }
        }
        ids
    }

    /// Whether the record `id` is the one an open migration into `waba` works with: the
    /// number is on its way in and not registered there yet.
    pub fn migrating_into(&self, id: Id, waba: Id) -> bool {
        self.phones.get(&id).is_some_and(|p| {
            matches!(p.pending, Some(Pending::Migration(m))
                if self.migrations.get(m).is_some_and(|m| m.dest_waba == waba && m.state.is_open()))
        })
    }

    /// Why a number (digits with country code) cannot be added to `waba` as a new number, if
    /// it cannot: it is already there, or it is registered on another WABA and must be
    /// migrated instead. The same two checks `add_number` makes, asked before adding so a
    /// facade can answer in its own words.
    pub fn addable_on(&self, e164_digits: &str, waba: Id) -> Result<(), DomainError> {
        if self.live_record_on(e164_digits, waba).is_some() {
            return Err(DomainError::NumberAlreadyOnDestination);
        }
        if self.registered_record(e164_digits).is_some() {
            return Err(DomainError::NumberRegisteredElsewhere);
        }
        Ok(())
    }
}
