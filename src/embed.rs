//! Typed helpers for Rust tests that embed a simulator ([`crate::Simulator`]): the clock, the
//! verification codes, the request journal ("expect N calls of X") and the webhooks of one
//! namespace, without going through HTTP.
//!
//! Each helper borrows a [`Scope`] (one namespace); `Simulator::clock()` and friends use the
//! default namespace, `Simulator::namespace(name)` another.

use std::sync::Arc;

use crate::api::filter::RequestFilter;
use crate::clock::{Deadline, Duration, MAX_ADVANCE, Timestamp};
use crate::journal::{Entry, JournalStats};
use crate::namespace::Namespace;
use crate::webhooks::{Delivery, DeliveryFilter};

/// One namespace of a running simulator.
#[derive(Clone)]
pub struct Scope {
    pub(crate) ns: Arc<Namespace>,
    pub(crate) shared: Arc<crate::app::App>,
}

impl Scope {
    pub fn name(&self) -> &str {
        &self.ns.name
    }

    pub fn clock(&self) -> Clock {
        Clock(self.ns.clone())
    }

    pub fn codes(&self) -> Codes {
        Codes(self.ns.clone())
    }

    pub fn journal(&self) -> Journal {
        Journal(self.ns.clone())
    }

    pub fn webhooks(&self) -> Webhooks {
        Webhooks(self.ns.clone())
    }

    /// What `POST /__admin/reset` does, through the same code: the namespace goes back to
    /// the fixture it was created or last loaded with (else the server's), with that
    /// fixture's faults and their counters at zero (faults added at runtime are dropped), and
    /// an empty journal and outbox. Other namespaces are untouched.
    pub fn reset(&self) -> Result<(), String> {
        self.ns
            .reset(self.shared.registry.fixture())
            .map_err(|e| e.to_string())
    }

    /// The namespace itself, for the crate's own tests that reach into the world; not part
    /// of the embedding surface (its type may change without notice).
    #[doc(hidden)]
    pub fn raw(&self) -> &Arc<Namespace> {
        &self.ns
    }
}

/// The namespace's virtual clock.
pub struct Clock(Arc<Namespace>);

impl Clock {
    pub fn now(&self) -> Timestamp {
        self.0.catch_up()
    }

    /// Moves time forward by `by`, applying every timer that falls due (and letting due
    /// webhook retries go); returns the time reached.
    ///
    /// One call moves the clock at most [`MAX_ADVANCE`] (100 years), as
    /// `POST /__admin/clock/advance` does: a longer span is clamped to it, and a negative
    /// one to zero (nothing moves). To go back, or further, use [`Clock::set`].
    pub fn advance(&self, by: Duration) -> Timestamp {
        let by = by.clamp(Duration(0), MAX_ADVANCE);
        let now = self.0.with_world(|w| {
            w.clock
                .advance(by)
                .expect("a span clamped to 0..=MAX_ADVANCE is always accepted");
            w.catch_up();
            w.now()
        });
        self.0.outbox.wake_dispatcher();
        now
    }

    pub fn set(&self, to: Timestamp) -> Timestamp {
        let now = self.0.with_world(|w| {
            w.clock.set(to);
            w.catch_up();
            w.now()
        });
        self.0.outbox.wake_dispatcher();
        now
    }

    pub fn freeze(&self) -> Timestamp {
        self.0.with_world(|w| {
            w.clock.freeze();
            w.now()
        })
    }

    pub fn unfreeze(&self) {
        self.0.with_world(|w| w.clock.unfreeze());
    }
}

/// The verification codes "sent" by SMS or voice.
pub struct Codes(Arc<Namespace>);

impl Codes {
    /// Every code sent for a phone-number id, oldest first.
    pub fn sent_to(&self, phone_number_id: &str) -> Vec<String> {
        self.0.with_world(|w| {
            // An id not written as the record's id ("007") names none, as before.
            let id = crate::world::parse_id(phone_number_id)
                .filter(|id| id.to_string() == phone_number_id);
            id.map(|id| w.codes_sent.to_phone(id).map(|c| c.code.clone()).collect())
                .unwrap_or_default()
        })
    }

    /// The newest code sent for a phone-number id.
    pub fn latest(&self, phone_number_id: &str) -> Option<String> {
        self.sent_to(phone_number_id).pop()
    }

    /// The newest code sent to a phone number (its digits, `+` and spaces ignored), whichever
    /// record it went to: what Alibaba's calls name a number by.
    pub fn latest_to_number(&self, number: &str) -> Option<String> {
        let digits = crate::world::phone::digits_only(number)?;
        self.0.with_world(|w| {
            w.codes_sent
                .to_number(&digits)
                .next_back()
                .map(|c| c.code.clone())
        })
    }
}

#[track_caller]
fn checked(filter: &RequestFilter) {
    if let Err(e) = filter.check() {
        panic!("wabasim: this filter can never match: {e}");
    }
}

/// The namespace's request journal.
pub struct Journal(Arc<Namespace>);

impl Journal {
    /// The recorded requests `filter` matches, oldest first. Panics when the filter names a
    /// facade or operation no facade has (it could never match).
    #[track_caller]
    pub fn requests(&self, filter: &RequestFilter) -> Vec<Entry> {
        checked(filter);
        self.0.journal.matching(|e| filter.matches(e))
    }

    /// How many recorded requests `filter` matches; panics as [`Journal::requests`] does.
    #[track_caller]
    pub fn count(&self, filter: &RequestFilter) -> usize {
        checked(filter);
        self.0.journal.count(|e| filter.matches(e))
    }

    /// `Ok` when exactly `times` recorded requests match; otherwise a report naming the
    /// filter, the count, and the requests that were recorded.
    pub fn verify(&self, filter: &RequestFilter, times: usize) -> Result<(), String> {
        filter
            .check()
            .map_err(|e| format!("wabasim: this filter can never match: {e}"))?;
        let got = self.count(filter);
        if got == times {
            return Ok(());
        }
        let all = self.0.journal.matching(|_| true);
        let mut report = format!(
            "wabasim: expected {times} request(s) matching [{}] in namespace {:?}, got {got}.\n",
            filter.describe(),
            self.0.name
        );
        if all.is_empty() {
            report.push_str("No request was recorded.\n");
        } else {
            let shown = all.len().min(25);
            report.push_str(&format!(
                "Recorded requests (the last {shown} of {}):\n",
                all.len()
            ));
            for e in &all[all.len() - shown..] {
                let mark = if filter.matches(e) { "*" } else { " " };
                report.push_str(&format!(
                    "{mark} #{:<4} {} {} -> {} {}{}\n",
                    e.seq,
                    e.method,
                    e.path,
                    e.status,
                    e.operation,
                    e.error
                        .as_deref()
                        .map(|c| format!(" (error {c})"))
                        .unwrap_or_default()
                ));
            }
            report.push_str("(* = matches)\n");
        }
        Err(report)
    }

    /// How many requests the journal holds and has dropped, and about how much memory it
    /// takes (what `Options::journal_size` bounds).
    pub fn stats(&self) -> JournalStats {
        self.0.journal.stats()
    }

    /// Panics with [`Journal::verify`]'s report unless exactly `times` requests match.
    #[track_caller]
    pub fn expect(&self, filter: &RequestFilter, times: usize) {
        if let Err(report) = self.verify(filter, times) {
            panic!("{report}");
        }
    }
}

/// The namespace's webhook deliveries.
pub struct Webhooks(Arc<Namespace>);

#[track_caller]
fn known_field(filter: &DeliveryFilter) {
    if let Some(field) = &filter.field
        && let Err(e) = crate::api::facade::check_webhook_field(field)
    {
        panic!("{e}");
    }
}

impl Webhooks {
    /// The deliveries `filter` matches. Panics on a field wabasim never delivers (a typo would
    /// find nothing).
    #[track_caller]
    pub fn deliveries(&self, filter: &DeliveryFilter) -> Vec<Delivery> {
        known_field(filter);
        self.0.outbox.matching(filter)
    }

    /// Waits (real time) until at least one delivery matches; empty after `timeout`. Panics at
    /// once on a field wabasim never delivers (rather than waiting out the timeout).
    #[track_caller]
    pub fn wait_for(
        &self,
        filter: &DeliveryFilter,
        timeout: std::time::Duration,
    ) -> impl std::future::Future<Output = Vec<Delivery>> + '_ {
        known_field(filter);
        self.wait_matching(filter.clone(), timeout)
    }

    async fn wait_matching(
        &self,
        filter: DeliveryFilter,
        timeout: std::time::Duration,
    ) -> Vec<Delivery> {
        let deadline = Deadline::after(timeout.as_millis() as u64);
        loop {
            let changed = self.0.outbox.changed().notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let found = self.0.outbox.matching(&filter);
            if !found.is_empty() || deadline.passed() {
                return found;
            }
            tokio::select! {
                _ = &mut changed => {}
                _ = tokio::time::sleep(deadline.remaining()) => {}
            }
        }
    }

    /// Sets an app's own callback URL and verify token (what Meta's App Dashboard sets).
    pub fn set_app_webhook(
        &self,
        app_id: &str,
        url: Option<&str>,
        verify_token: Option<&str>,
    ) -> Result<(), String> {
        let id =
            crate::world::parse_id(app_id).ok_or_else(|| format!("{app_id:?} is not an id"))?;
        self.0.with_world(|w| match w.apps.get_mut(&id) {
            Some(app) => {
                app.webhook_url = url.map(str::to_string);
                app.verify_token = verify_token.map(str::to_string);
                Ok(())
            }
            None => Err(format!("no app {app_id}")),
        })
    }

    /// An app's secret, which signs its deliveries.
    pub fn app_secret(&self, app_id: &str) -> Option<String> {
        let id = crate::world::parse_id(app_id)?;
        self.0
            .with_world(|w| w.apps.get(&id).map(|a| a.secret.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::Fixture;

    fn clock() -> Clock {
        let ns = Namespace::from_fixture("t", Arc::new(Fixture::default_world())).unwrap();
        Clock(Arc::new(ns))
    }

    #[test]
    fn advance_moves_at_most_max_advance_and_never_back() {
        let clock = clock();
        let start = clock.freeze();
        let reached = clock.advance(Duration::days(1_000_000));
        assert_eq!(reached, start + MAX_ADVANCE, "clamped to MAX_ADVANCE");
        assert_eq!(clock.now(), reached);
        assert_eq!(clock.advance(Duration::days(-1)), reached, "nothing moves");
        assert_eq!(
            clock.advance(Duration::hours(24)),
            reached + Duration::hours(24)
        );
    }

    fn webhooks() -> Webhooks {
        let ns = Namespace::from_fixture("t", Arc::new(Fixture::default_world())).unwrap();
        Webhooks(Arc::new(ns))
    }

    #[test]
    fn a_facade_s_own_webhook_field_is_a_field() {
        let none = webhooks().deliveries(&DeliveryFilter::new().field("ChatAppStatus"));
        assert!(none.is_empty());
        assert!(
            webhooks()
                .deliveries(&DeliveryFilter::new().field("messages"))
                .is_empty()
        );
    }

    #[test]
    #[should_panic(expected = "unknown webhook field \"mesages\"")]
    fn a_misspelt_field_is_refused_at_once() {
        webhooks().deliveries(&DeliveryFilter::new().field("mesages"));
    }
}
