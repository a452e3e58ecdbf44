//! Changes that reach the world without an integrator's API call: Meta's reviews and ratings
//! (display names, account reviews, templates, quality), and what a number's owner does in
//! WhatsApp Manager (turning two-step verification off, attaching a payment method).
//!
//! Scheduled fixture events call these, at the instant they fall due. Each emits the event
//! the same change emits when it happens through the API or Meta's review, so the webhooks
//! layer delivers it like any other. Where Meta documents no event for a change (payment
//! method, two-step verification, app subscriptions), none is emitted.

use super::event::EventKind;
use super::vocab::{
    NameStatus, PhoneStatus, Quality, RejectedReason, ReviewStatus, TemplateStatus,
};
use super::{DomainError, Id, Subscription, World};
use crate::clock::Timestamp;

impl World {
    /// The number's owner turns two-step verification off (WhatsApp Manager; there is no
    /// API for it, reference meta-graph.md §3.5). A migration blocked by 2388103 can then be
    /// retried.
    pub fn disable_two_step(&mut self, phone: Id) -> Result<(), DomainError> {
        let p = self.phone_mut(phone)?;
        p.pin = None;
        Ok(())
    }

    /// Meta's display-name review decides: the pending name change (or the number's name,
    /// when no change is pending) is approved or declined. Emits
    /// `phone_number_name_update` (reference meta-graph.md §7.4).
    pub fn decide_display_name(
        &mut self,
        phone: Id,
        approve: bool,
        rejection_reason: Option<&str>,
        at: Timestamp,
    ) -> Result<(), DomainError> {
        let p = self.phone_mut(phone)?;
        let decision = if approve {
            NameStatus::Approved
        } else {
            NameStatus::Declined
        };
        let requested = match p.new_verified_name.clone() {
            Some(new_name) if p.new_name_status.is_some() => {
                if approve {
                    p.verified_name = new_name.clone();
                    p.name_status = NameStatus::Approved;
                    p.new_name_status = None;
                    p.new_verified_name = None;
                } else {
                    p.new_name_status = Some(NameStatus::Declined);
                }
                new_name
            }
            _ => {
                p.name_status = decision;
                p.new_name_status = None;
                p.verified_name.clone()
            }
        };
        let event = EventKind::PhoneName {
            phone,
            display_phone_number: p.display_number(),
            requested_name: requested,
            decision,
            rejection_reason: if approve {
                None
            } else {
                rejection_reason.map(str::to_string)
            },
        };
        let waba = p.waba;
        self.emit(at, waba, event);
        Ok(())
    }

    /// Meta re-rates a number's quality. Meta documents that a number whose rating falls to
    /// Low (RED) is FLAGGED, and that it is unflagged when the rating recovers; those two
    /// transitions change the status and emit `phone_number_quality_update` with `FLAGGED`
    /// or `UNFLAGGED`. A change between GREEN and YELLOW changes only the rating ([INF]: no
    /// documented event for it).
    pub fn set_phone_quality(
        &mut self,
        phone: Id,
        quality: Quality,
        at: Timestamp,
    ) -> Result<(), DomainError> {
        let p = self.phone_mut(phone)?;
        let was_flagged = p.quality == Quality::Red || p.status == PhoneStatus::Flagged;
        p.quality = quality;
        let event = if quality == Quality::Red && !was_flagged {
            if p.status == PhoneStatus::Connected {
                p.status = PhoneStatus::Flagged;
            }
            Some("FLAGGED")
        } else if quality != Quality::Red && was_flagged {
            if p.status == PhoneStatus::Flagged {
                p.status = PhoneStatus::Connected;
            }
            Some("UNFLAGGED")
        } else {
            None
        };
        if let Some(word) = event {
            self.emit_phone_quality(phone, word, at);
        }
        Ok(())
    }

    /// Meta changes a number's status. FLAGGED and its reversal emit
    /// `phone_number_quality_update` (`FLAGGED` / `UNFLAGGED`); RESTRICTED emits
    /// `account_update` `ACCOUNT_RESTRICTION` for the owning business (reference
    /// meta-graph.md §7.4). Other statuses change silently.
    pub fn set_phone_status(
        &mut self,
        phone: Id,
        status: PhoneStatus,
        at: Timestamp,
    ) -> Result<(), DomainError> {
        let p = self.phone_mut(phone)?;
        let previous = p.status;
        p.status = status;
        let waba = p.waba;
        if status == previous {
            return Ok(());
        }
        self.note_number(phone, super::NumberStep::StatusSet);
        match status {
            PhoneStatus::Flagged => self.emit_phone_quality(phone, "FLAGGED", at),
            PhoneStatus::Connected if previous == PhoneStatus::Flagged => {
                self.emit_phone_quality(phone, "UNFLAGGED", at)
            }
            PhoneStatus::Restricted => {
                let business = self.wabas.get(&waba).map(|w| w.business).unwrap_or(0);
                self.emit(
                    at,
                    waba,
                    EventKind::AccountUpdate {
                        event: "ACCOUNT_RESTRICTION".into(),
                        business,
                    },
                );
            }
            _ => {}
        }
        Ok(())
    }

    fn emit_phone_quality(&mut self, phone: Id, word: &str, at: Timestamp) {
        let Some(p) = self.phones.get(&phone) else {
            return;
        };
        let event = EventKind::PhoneQuality {
            phone,
            display_phone_number: p.display_number(),
            event: word.to_string(),
            quality: p.quality,
            current_limit: p.messaging_limit,
        };
        let waba = p.waba;
        self.emit(at, waba, event);
    }

    /// Meta decides a WABA's account review. Emits `account_review_update`.
    pub fn set_account_review(
        &mut self,
        waba: Id,
        status: ReviewStatus,
        at: Timestamp,
    ) -> Result<(), DomainError> {
        let w = self.waba_mut(waba)?;
        w.review = status;
        self.emit(at, waba, EventKind::AccountReview { decision: status });
        Ok(())
    }

    /// The business attaches or removes a payment method (no webhook).
    pub fn set_payment_method(&mut self, waba: Id, attached: bool) -> Result<(), DomainError> {
        self.waba_mut(waba)?.payment_method = attached;
        Ok(())
    }

    /// Subscribes an app to a WABA's webhooks on the business's behalf (as an app admin does
    /// in the App Dashboard; `POST /{waba}/subscribed_apps` emits nothing either).
    pub fn attach_app(&mut self, waba: Id, app: Id) -> Result<(), DomainError> {
        if !self.apps.contains_key(&app) {
            return Err(DomainError::unknown(app.to_string()));
        }
        let w = self.waba_mut(waba)?;
        if w.subscription(app).is_none() {
            w.subscriptions.push(Subscription {
                app,
                override_callback_uri: None,
                verify_token: None,
            });
        }
        Ok(())
    }

    /// Removes an app's subscription to a WABA's webhooks.
    pub fn detach_app(&mut self, waba: Id, app: Id) -> Result<(), DomainError> {
        self.waba_mut(waba)?.subscriptions.retain(|s| s.app != app);
        Ok(())
    }

    /// Meta's template review (or a later action on the template) sets its status. Emits
    /// `message_template_status_update` with the status as `event` and the reason (`NONE`
    /// unless rejected).
    pub fn set_template_status(
        &mut self,
        template: Id,
        status: TemplateStatus,
        reason: Option<RejectedReason>,
        at: Timestamp,
    ) -> Result<(), DomainError> {
        let t = self.template_mut(template)?;
        t.status = status;
        t.status_at = at;
        t.rejected_reason = if status == TemplateStatus::Rejected {
            reason.unwrap_or(RejectedReason::None)
        } else {
            RejectedReason::None
        };
        let event = t.status_event();
        let waba = t.waba;
        self.emit(at, waba, event);
        Ok(())
    }

    /// Meta re-rates a template. Emits `message_template_quality_update`.
    pub fn set_template_quality(
        &mut self,
        template: Id,
        quality: Quality,
        at: Timestamp,
    ) -> Result<(), DomainError> {
        let t = self.template_mut(template)?;
        let previous = t.quality;
        if previous == quality {
            return Ok(());
        }
        t.quality = quality;
        t.quality_at = at;
        let event = EventKind::TemplateQuality {
            template: t.event_ref(),
            previous,
            new: quality,
        };
        let waba = t.waba;
        self.emit(at, waba, event);
        Ok(())
    }

    fn phone_mut(&mut self, phone: Id) -> Result<&mut super::Phone, DomainError> {
        known(self.phones.get_mut(&phone), phone)
    }

    fn waba_mut(&mut self, waba: Id) -> Result<&mut super::Waba, DomainError> {
        known(self.wabas.get_mut(&waba).map(|x| &mut **x), waba)
    }

    fn template_mut(&mut self, template: Id) -> Result<&mut super::Template, DomainError> {
        known(self.templates.get_mut(&template), template)
    }

    /// The record a scheduled change to a number acts on: the one where the number is
    /// registered, else its newest live record.
    pub fn current_record(&self, e164_digits: &str) -> Option<Id> {
        self.registered_record(e164_digits)
            .map(|p| p.id)
            .or_else(|| {
                self.records_of(e164_digits)
                    .iter()
                    .rev()
                    .copied()
                    .find(|id| self.phones.get(id).is_some_and(|p| p.is_live()))
            })
    }
}

/// What a change names by id, or the unknown-object error for `id`.
fn known<T>(found: Option<T>, id: Id) -> Result<T, DomainError> {
    found.ok_or_else(|| DomainError::unknown(id.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::Fixture;

    fn world() -> World {
        Fixture::default_world().build().unwrap()
    }

    #[test]
    fn a_status_set_by_meta_is_a_number_change_even_when_silent() {
        let mut w = world();
        w.drain_number_changes();
        let at = w.now();
        w.set_phone_status(110000000000001, PhoneStatus::Disconnected, at)
            .unwrap();
        w.set_phone_status(110000000000001, PhoneStatus::Disconnected, at)
            .unwrap();
        let steps: Vec<_> = w.drain_number_changes().iter().map(|c| c.step).collect();
        assert_eq!(steps, [crate::world::NumberStep::StatusSet]);
    }

    #[test]
    fn approving_a_pending_name_change_renames_and_emits() {
        let mut w = world();
        let at = w.now();
        w.decide_display_name(110000000000004, true, None, at)
            .unwrap();
        let p = &w.phones[&110000000000004];
        assert_eq!(p.verified_name, "Acme Global Shop");
        assert_eq!(p.name_status, NameStatus::Approved);
        assert_eq!(p.new_name_status, None);
        let events = w.drain_events();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].kind.field(), "phone_number_name_update");
    }

    #[test]
    fn red_quality_flags_and_recovery_unflags() {
        let mut w = world();
        let at = w.now();
        w.set_phone_quality(110000000000001, Quality::Red, at)
            .unwrap();
        assert_eq!(w.phones[&110000000000001].status, PhoneStatus::Flagged);
        w.set_phone_quality(110000000000001, Quality::Green, at)
            .unwrap();
        assert_eq!(w.phones[&110000000000001].status, PhoneStatus::Connected);
        let words: Vec<String> = w
            .drain_events()
            .into_iter()
            .map(|e| match e.kind {
                EventKind::PhoneQuality { event, .. } => event,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(words, ["FLAGGED", "UNFLAGGED"]);
    }

    #[test]
    fn template_status_and_quality_emit_their_fields() {
        let mut w = world();
        let at = w.now();
        w.set_template_status(
            400000000000008,
            TemplateStatus::Rejected,
            Some(RejectedReason::Promotional),
            at,
        )
        .unwrap();
        w.set_template_quality(400000000000001, Quality::Yellow, at)
            .unwrap();
        let fields: Vec<&str> = w.drain_events().iter().map(|e| e.kind.field()).collect();
        assert_eq!(
            fields,
            [
                "message_template_status_update",
                "message_template_quality_update"
            ]
        );
        assert_eq!(
            w.templates[&400000000000008].rejected_reason,
            RejectedReason::Promotional
        );
    }

    #[test]
    fn unknown_targets_are_reported() {
        let mut w = world();
        assert!(w.disable_two_step(1).is_err());
        assert!(w.set_payment_method(1, true).is_err());
    }
}
