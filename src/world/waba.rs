//! WhatsApp Business Accounts: who owns and manages them, whether they are set up for a
//! migration (review, payment method, subscribed apps), and their template limit.

use super::vocab::{Platform, ReviewStatus};
use super::{Id, PartnerIdx};
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};

use crate::clock::Timestamp;

/// A WhatsApp Business Account.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Waba {
    pub id: Id,
    pub name: String,
    /// The business portfolio that owns it.
    pub business: Id,
    /// The Solution Partner that manages it (On-Behalf-Of), if any.
    pub partner: Option<PartnerIdx>,
    pub review: ReviewStatus,
    pub currency: String,
    /// Whether a payment method / credit line is attached (a migration destination needs one).
    pub payment_method: bool,
    /// A fixed template limit; `None` means Meta's rule (250, or 6,000 for a verified
    /// business with an approved display name; reference meta-graph.md §4.4).
    pub template_limit: Option<u32>,
    /// Apps subscribed to this WABA's webhooks, in subscription order.
    pub subscriptions: Vec<Subscription>,
    /// Where the WABA's numbers are hosted.
    pub platform: Platform,
    pub timezone_id: String,
    pub template_namespace: String,
    pub created_at: Timestamp,
    /// Phone-number records of this WABA (including MIGRATED ones), in creation order.
    pub phones: Vec<Id>,
    /// Records of numbers that left this WABA keeping their id (indexes into
    /// `World::archived`); only used when `migration_keeps_phone_id` is on.
    pub archived: Vec<usize>,
    /// Templates of this WABA, in creation order.
    pub templates: Vec<Id>,
    /// Business-Use-Case call counting for `X-Business-Use-Case-Usage`.
    pub usage: CallWindow,
}

/// An app's subscription to a WABA's webhooks.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Subscription {
    pub app: Id,
    /// Per-WABA callback URL that replaces the app's own (`override_callback_uri`).
    pub override_callback_uri: Option<String>,
    pub verify_token: Option<String>,
}

/// Calls counted in a rolling one-hour window, reported as a percentage of the budget.
///
/// Counted through a shared reference (atomics), so that reads, which only count, can run
/// side by side under a read lock. Two calls racing at a window's edge may both start it
/// afresh; the figure is a usage report, so that is close enough.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct CallWindow {
    window_start: AtomicI64,
    calls: AtomicU32,
}

impl Clone for CallWindow {
    fn clone(&self) -> Self {
        CallWindow {
            window_start: AtomicI64::new(self.window_start.load(Ordering::Relaxed)),
            calls: AtomicU32::new(self.calls.load(Ordering::Relaxed)),
        }
    }
}

impl CallWindow {
    /// Counts one call at `now`; returns the calls in the current window.
    pub fn count(&self, now: Timestamp) -> u32 {
        let start = Timestamp(self.window_start.load(Ordering::Relaxed));
        if now - start >= crate::clock::Duration::hours(1) || now < start {
            self.window_start.store(now.0, Ordering::Relaxed);
            self.calls.store(0, Ordering::Relaxed);
        }
        self.calls.fetch_add(1, Ordering::Relaxed).saturating_add(1)
    }
}

impl Waba {
    pub fn subscription(&self, app: Id) -> Option<&Subscription> {
        self.subscriptions.iter().find(|s| s.app == app)
    }
}

impl super::World {
    /// `POST /{waba}/subscribed_apps`: subscribes the token's app. With
    /// `override_callback_uri` (and its `verify_token`) the WABA's webhooks of the fields an
    /// override applies to (`webhooks/payload.rs`) go to that URL instead of the app's;
    /// without it, an existing override is removed (this is how pywa's
    /// `delete_waba_callback_url` works).
    pub fn subscribe_app(
        &mut self,
        who: &super::Principal,
        waba: &str,
        override_callback_uri: Option<&str>,
        verify_token: Option<&str>,
    ) -> Result<(), super::DomainError> {
        use super::DomainError;
        let waba = self.waba_to_change(who, waba)?.id;
        let app = who.app.ok_or_else(|| {
            DomainError::param(
                "access_token",
                "The access token is not associated with an app that can subscribe",
            )
        })?;
        let o = self.checked_override(override_callback_uri, verify_token)?;
        let sub = Subscription {
            app,
            override_callback_uri: o.as_ref().map(|o| o.uri.clone()),
            verify_token: o.map(|o| o.verify_token),
        };
        let w = self.wabas.get_mut(&waba).expect("resolved above");
        match w.subscriptions.iter_mut().find(|s| s.app == app) {
            Some(existing) => *existing = sub,
            None => w.subscriptions.push(sub),
        }
        Ok(())
    }

    /// `DELETE /{waba}/subscribed_apps`: unsubscribes the token's app.
    pub fn unsubscribe_app(
        &mut self,
        who: &super::Principal,
        waba: &str,
    ) -> Result<(), super::DomainError> {
        let waba = self.waba_to_change(who, waba)?.id;
        if let Some(app) = who.app {
            let w = self.wabas.get_mut(&waba).expect("resolved above");
            w.subscriptions.retain(|s| s.app != app);
        }
        Ok(())
    }
}
