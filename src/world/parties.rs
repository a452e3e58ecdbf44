//! Who is who: businesses, partners (BSPs), apps, access tokens, and the principal a
//! request acts as.
//!
//! Ownership is the rule behind most of Graph's "object does not exist" answers: a token may
//! act only on WABAs its partner manages or its business owns (issue "simulator core",
//! Ownership). `Principal::may_manage` is that rule, in one place.

use super::vocab::{Scope, VerificationStatus};
use super::{Id, PartnerIdx};
use crate::clock::Timestamp;
use crate::digest::{FNV_OFFSET_BASIS, fnv1a};

/// A Meta business portfolio (Business Manager).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Business {
    pub id: Id,
    pub name: String,
    pub verification: VerificationStatus,
}

/// A Solution Partner / BSP.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Partner {
    /// The fixture's name for it, e.g. `new-bsp`.
    pub key: String,
    pub name: String,
    /// The partner's own business portfolio id, if the fixture gives one.
    pub business: Option<Id>,
}

impl Partner {
    /// The partner's business portfolio id: the fixture's, or a stable one derived from its
    /// key (Graph always names the portfolio in `on_behalf_of_business_info`).
    pub fn business_id(&self) -> Id {
        self.business.unwrap_or_else(|| {
            190_000_000_000_000 + fnv1a(self.key.as_bytes(), FNV_OFFSET_BASIS) % 10_000_000_000_000
        })
    }
}

/// A Meta app: it subscribes to WABAs and receives their webhooks.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct App {
    pub id: Id,
    pub name: String,
    pub partner: Option<PartnerIdx>,
    /// Signs webhook deliveries (`X-Hub-Signature-256`).
    pub secret: String,
    /// The app-level callback URL; a WABA subscription may override it.
    pub webhook_url: Option<String>,
    /// The app-level verify token for the GET handshake.
    pub verify_token: Option<String>,
}

/// Whom a token acts for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TokenOwner {
    Partner(PartnerIdx),
    Business(Id),
}

/// An access token known to the world.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Token {
    pub owner: TokenOwner,
    /// The app the token was issued for; `POST /{waba}/subscribed_apps` subscribes this app.
    pub app: Option<Id>,
    pub scopes: Scopes,
    pub expires_at: Option<Timestamp>,
}

/// A small set of scopes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Scopes(u8);

impl Scopes {
    pub fn of(list: &[Scope]) -> Scopes {
        let mut s = Scopes(0);
        for scope in list {
            s.0 |= Scopes::bit(*scope);
        }
        s
    }
    fn bit(scope: Scope) -> u8 {
        match scope {
            Scope::Management => 1,
            Scope::Messaging => 2,
            Scope::BusinessManagement => 4,
        }
    }
    pub fn has(self, scope: Scope) -> bool {
        self.0 & Scopes::bit(scope) != 0
    }
    pub fn list(self) -> Vec<Scope> {
        Scope::ALL
            .iter()
            .copied()
            .filter(|s| self.has(*s))
            .collect()
    }
}

/// The authenticated caller of one request (kept with a paced send, which goes out later as
/// the caller that asked for it: `pacing.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Principal {
    pub owner: TokenOwner,
    pub app: Option<Id>,
    pub scopes: Scopes,
}

impl Principal {
    /// Whether this caller manages the WABA (its partner manages it, or its business owns it).
    pub fn may_manage(&self, waba_business: Id, waba_partner: Option<PartnerIdx>) -> bool {
        match self.owner {
            TokenOwner::Partner(p) => waba_partner == Some(p),
            TokenOwner::Business(b) => waba_business == b,
        }
    }
}
