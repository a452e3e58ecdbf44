//! The messaging limit: how many unique WhatsApp users a business portfolio may reach with
//! business-initiated messages in a moving 24 hours (reference meta-graph.md MSGLIM: "the
//! maximum number of unique WhatsApp user phone numbers your business can deliver messages
//! to, outside of a customer service window, within a moving 24-hour period"; "calculated
//! and set at the business portfolio level and ... shared by all business phone numbers
//! within a portfolio", since 2025-10-07).
//!
//! The pool is the portfolio's; its size is read from the sending number's
//! `messaging_limit`, which Meta reports as the portfolio's limit on every number. A fixture
//! may still give one portfolio's numbers different tiers (the pre-October-2025 world): the
//! sending number's then applies (inferred, docs/fidelity.md "Messaging choices").
//!
//! Per send the work is amortised O(1): a user's latest counted time is kept by user, and a
//! queue of (time, user) in sending order expires them; entries a later send superseded are
//! skipped when they reach the front, and the queue is rebuilt when such stale entries
//! outnumber the live ones. Memory per portfolio is bounded by its tier (TIER_100K at most:
//! unlimited and untiered numbers are not counted at all).

use std::collections::VecDeque;

use super::vocab::MessagingLimit;
use super::{HashMap, Id};
use crate::clock::{Duration, Timestamp};

/// The moving period a limit counts over (MSGLIM).
pub const LIMIT_PERIOD: Duration = Duration::hours(24);

impl MessagingLimit {
    /// How many unique users the tier allows in `LIMIT_PERIOD`; `None`: no cap
    /// (TIER_UNLIMITED, and UNTIERED, which names no figure: inferred, docs/fidelity.md).
    pub fn unique_users(self) -> Option<usize> {
        match self {
            MessagingLimit::Tier50 => Some(50),
            MessagingLimit::Tier250 => Some(250),
            MessagingLimit::Tier1K => Some(1_000),
            MessagingLimit::Tier2K => Some(2_000),
            MessagingLimit::Tier10K => Some(10_000),
            MessagingLimit::Tier100K => Some(100_000),
            MessagingLimit::Unlimited | MessagingLimit::Untiered => None,
        }
    }
}

/// The users one portfolio reached with business-initiated messages in the last 24 hours.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Reached {
    /// Each counted user's latest business-initiated message.
    latest: HashMap<String, Timestamp>,
    /// (time, user) in sending order; an entry is stale when `latest` has a later time.
    order: VecDeque<(Timestamp, String)>,
}

impl Reached {
    /// How many users count at `now`.
    pub fn count(&mut self, now: Timestamp) -> usize {
        self.expire(now);
        self.latest.len()
    }

    /// Whether a business-initiated message to `user` at `now` fits under `cap`, counting the
    /// user if it does. A user already counted costs nothing and stays counted 24 hours
    /// from this message.
    pub fn admit(&mut self, user: &str, now: Timestamp, cap: usize) -> bool {
        self.expire(now);
        let full = self.latest.len() >= cap;
        match self.latest.get_mut(user) {
            Some(at) if *at == now => return true,
            Some(at) => *at = now,
            None if full => return false,
            None => {
                self.latest.insert(user.to_string(), now);
            }
        }
        self.order.push_back((now, user.to_string()));
        if self.order.len() > 2 * self.latest.len() + 64 {
            self.rebuild();
        }
        true
    }

    fn expire(&mut self, now: Timestamp) {
        while let Some((at, _)) = self.order.front() {
            if *at + LIMIT_PERIOD > now {
                break;
            }
            let Some((at, user)) = self.order.pop_front() else {
                break;
            };
            if self.latest.get(&user) == Some(&at) {
                self.latest.remove(&user);
            }
        }
    }

    /// Drops superseded entries: the queue again holds one entry per counted user.
    fn rebuild(&mut self) {
        let mut live: Vec<(Timestamp, String)> =
            self.latest.iter().map(|(u, at)| (*at, u.clone())).collect();
        live.sort();
        self.order = live.into();
    }
}

/// The portfolios' counts, by business id.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Tiers {
    portfolios: HashMap<Id, Reached>,
}

impl Tiers {
    /// Whether `business` may reach `user` with a business-initiated message under `limit`
    /// (counting the user if so).
    pub fn admit(
        &mut self,
        business: Id,
        limit: MessagingLimit,
        user: &str,
        now: Timestamp,
    ) -> bool {
        match limit.unique_users() {
            None => true,
            Some(cap) => self
                .portfolios
                .entry(business)
                .or_default()
                .admit(user, now, cap),
        }
    }

    /// How many users `business` has reached in the last 24 hours (counted tiers only).
    pub fn reached(&mut self, business: Id, now: Timestamp) -> usize {
        self.portfolios
            .get_mut(&business)
            .map_or(0, |r| r.count(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(seconds: i64) -> Timestamp {
        Timestamp(seconds * 1000)
    }

    #[test]
    fn the_cap_counts_unique_users_not_messages() {
        let mut r = Reached::default();
        assert!(r.admit("a", t(0), 2));
        assert!(r.admit("a", t(1), 2));
        assert!(r.admit("b", t(2), 2));
        assert!(!r.admit("c", t(3), 2));
        // Users already counted may still be written to.
        assert!(r.admit("a", t(4), 2));
        assert_eq!(r.count(t(5)), 2);
    }

    #[test]
    fn a_user_counts_for_24_hours_from_their_latest_message() {
        let mut r = Reached::default();
        let day = LIMIT_PERIOD.as_millis() / 1000;
        assert!(r.admit("a", t(0), 1));
        assert!(r.admit("a", t(100), 1));
        // 24 h after the first message, "a" still counts (written to at 100 s).
        assert!(!r.admit("b", t(day), 1));
        assert!(r.admit("b", t(day + 100), 1));
        assert_eq!(r.count(t(day + 100)), 1);
    }

    #[test]
    fn superseded_entries_do_not_grow_the_queue() {
        let mut r = Reached::default();
        for i in 0..10_000 {
            assert!(r.admit(if i % 2 == 0 { "a" } else { "b" }, t(i), 2));
        }
        assert!(r.order.len() <= 2 * 2 + 64 + 1);
        assert_eq!(r.count(t(10_000)), 2);
    }

    #[test]
    fn unlimited_and_untiered_are_not_counted() {
        let mut tiers = Tiers::default();
        for i in 0..1000 {
            let user = format!("1555{i:07}");
            assert!(tiers.admit(1, MessagingLimit::Unlimited, &user, t(0)));
            assert!(tiers.admit(1, MessagingLimit::Untiered, &user, t(0)));
        }
        assert_eq!(tiers.reached(1, t(0)), 0);
        assert!(tiers.portfolios.is_empty());
    }

    #[test]
    fn portfolios_have_pools_of_their_own() {
        let mut tiers = Tiers::default();
        assert!(tiers.admit(1, MessagingLimit::Tier50, "a", t(0)));
        for i in 0..50 {
            assert!(tiers.admit(2, MessagingLimit::Tier50, &i.to_string(), t(0)));
        }
        assert!(!tiers.admit(2, MessagingLimit::Tier50, "x", t(0)));
        assert_eq!(tiers.reached(1, t(0)), 1);
    }
}
