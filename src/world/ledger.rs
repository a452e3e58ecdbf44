//! The billing ledger: one charge per delivered message, booked to the business and WABA
//! that sent it. Seeds 002 and 004 (reference messaging-and-360dialog.md "Billing across
//! migration"): sent before a migration → the source; sent after → the destination; sent
//! before and delivered after → still the source. Booking the sender of record at delivery
//! time gives all three, since a message keeps the WABA it was sent from.
//!
//! Only delivered messages count (PRICING: "Only delivered templates are charged"); free ones
//! are booked with `billable: false` and no cost, so volumes agree with `pricing_analytics`.
//! Totals by day are kept apart from the bounded list of charges, so dropping old charges
//! never changes a sum.

use std::collections::{BTreeMap, VecDeque};

use super::Id;
use super::message::{Pricing, PricingCategory, PricingType};
use crate::clock::Timestamp;

/// One delivered message, as billed.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Charge {
    pub message: String,
    pub business: Id,
    pub waba: Id,
    pub phone: Id,
    /// The recipient's country (ISO 3166 alpha-2, from the calling code).
    pub country: Country,
    pub pricing: Pricing,
    /// In millionths of the WABA's currency unit.
    pub cost_micros: i64,
    pub sent_at: Timestamp,
    pub delivered_at: Timestamp,
}

/// The width of the ledger's time slots: the finest granularity analytics ask for
/// (`HALF_HOUR`, ANALYTICS).
pub const SLOT_SECONDS: i64 = 1800;

/// What one half-hour's totals are kept by.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct BucketKey {
    pub waba: Id,
    pub phone: Id,
    /// Unix seconds, a multiple of [`SLOT_SECONDS`].
    pub slot: i64,
    pub country: Country,
    pub category: PricingCategory,
    pub kind: PricingType,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Totals {
    pub volume: u64,
    pub cost_micros: i64,
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Ledger {
    /// The newest charges, at most `settings.charges_kept`.
    pub charges: VecDeque<Charge>,
    /// Charges ever booked, including those no longer in `charges`.
    pub booked: u64,
    /// Totals by WABA, number, half hour, country, category and type.
    #[serde(with = "super::saved::pairs")]
    pub days: BTreeMap<BucketKey, Totals>,
    /// Messages sent (accepted) by WABA, number and half hour, for `analytics`.
    #[serde(with = "super::saved::pairs")]
    pub sent: BTreeMap<(Id, Id, i64), u64>,
    /// Totals by business.
    pub by_business: BTreeMap<Id, Totals>,
}

impl Ledger {
    pub(super) fn book(&mut self, c: Charge, keep: usize) {
        let key = BucketKey {
            waba: c.waba,
            phone: c.phone,
            slot: slot_of(c.delivered_at),
            country: c.country,
            category: c.pricing.category,
            kind: c.pricing.kind,
        };
        for t in [
            self.days.entry(key).or_default(),
            self.by_business.entry(c.business).or_default(),
        ] {
            t.volume += 1;
            t.cost_micros += c.cost_micros;
        }
        self.booked += 1;
        self.charges.push_back(c);
        while self.charges.len() > keep {
            self.charges.pop_front();
        }
    }

    pub(super) fn note_sent(&mut self, waba: Id, phone: Id, at: Timestamp) {
        *self.sent.entry((waba, phone, slot_of(at))).or_default() += 1;
    }

    /// Totals of one WABA (all its days).
    pub fn waba_totals(&self, waba: Id) -> Totals {
        let mut t = Totals::default();
        for (k, v) in &self.days {
            if k.waba == waba {
                t.volume += v.volume;
                t.cost_micros += v.cost_micros;
            }
        }
        t
    }
}

/// The start of the half hour `at` falls in, in unix seconds.
pub fn slot_of(at: Timestamp) -> i64 {
    at.unix_seconds().div_euclid(SLOT_SECONDS) * SLOT_SECONDS
}

/// What a delivered message costs, in millionths of a US dollar: Meta's US rate card for
/// per-message pricing (inferred: the world has no rate cards per country or currency;
/// docs/fidelity.md), nothing when it is free.
pub fn cost_micros(pricing: &Pricing) -> i64 {
    if !pricing.billable {
        return 0;
    }
    match pricing.category {
        PricingCategory::Marketing => 25_000,
        PricingCategory::Utility | PricingCategory::Authentication => 4_000,
        PricingCategory::Service => 0,
    }
}

/// The country of a number from its calling code: the few the default world and tests use,
/// then `ZZ` (unknown) — `pricing_analytics` groups by it.
pub fn country_of(digits: &str) -> Country {
    Country(
        CODES
            .iter()
            .find(|(cc, _)| digits.starts_with(cc))
            .map(|(_, c)| *c)
            .unwrap_or("ZZ"),
    )
}

/// A country code (ISO 3166 alpha-2, or `ZZ`): one of [`CODES`]' texts, so it is kept without
/// an allocation and read back from a `--state` file as the same static text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Country(pub &'static str);

impl serde::Serialize for Country {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Country {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Country, D::Error> {
        let text = String::deserialize(d)?;
        Ok(Country(
            CODES
                .iter()
                .map(|(_, c)| *c)
                .find(|c| *c == text)
                .unwrap_or("ZZ"),
        ))
    }
}

const CODES: &[(&str, &str)] = &[
    ("1", "US"),
    ("44", "GB"),
    ("49", "DE"),
    ("55", "BR"),
    ("91", "IN"),
    ("52", "MX"),
    ("34", "ES"),
    ("33", "FR"),
    ("39", "IT"),
    ("62", "ID"),
    ("86", "CN"),
];
