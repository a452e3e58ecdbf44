//! Embedded Signup: what the client's popup does for a partner's app, and what the partner
//! then does with its outcome (reference meta-graph.md §9.1, messaging-and-360dialog.md
//! "Embedded Signup migration").
//!
//! Finishing the popup puts a number on a WABA of the client's business portfolio (a new
//! one, or the one given), shares that WABA with the app's partner, verifies the number's
//! ownership (the OTP is entered inside the popup, so the partner never calls
//! `request_code`/`verify_code`) and issues a code the partner's app exchanges once for a
//! business integration system user token. A number registered on another WABA of the same
//! portfolio starts a migration here; its destination preconditions (§2.1: review, payment
//! method or shared credit line, a subscribed app) are checked when the partner registers
//! it, since in this flow the partner meets them after the popup closes.

use super::phone::{CodeState, Pending, Phone};
use super::vocab::{
    AccountMode, MessagingLimit, NameStatus, PhoneKind, PhoneStatus, Platform, Quality,
    ReviewStatus, Scope, Throughput, VerificationStatus,
};
use super::{
    DomainError, EventKind, Id, MigrationState, PartnerIdx, Principal, Scopes, Token, TokenOwner,
    Waba, World,
};
use crate::clock::{Duration, Timestamp};
use crate::digest::{FNV_OFFSET_BASIS, fnv1a};

/// How long a popup's code can be exchanged. Meta documents no figure for Embedded Signup;
/// Facebook Login codes last about ten minutes ([INF], docs/fidelity.md).
pub const CODE_VALIDITY: Duration = Duration::minutes(10);

/// What Embedded Signup left in the world: its codes, the migrations it started, and the
/// credit-line allocations partners made.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Signups {
    codes: Vec<SignupCode>,
    /// Indexes into `World::migrations` of the migrations a popup started.
    migrations: Vec<usize>,
    /// Credit-line allocations: (allocation config id, WABA id), oldest first.
    pub allocations: Vec<(Id, Id)>,
}

/// A code a finished popup handed to the partner's app.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct SignupCode {
    code: String,
    app: Id,
    business: Id,
    waba: Id,
    issued_at: Timestamp,
    used: bool,
}

/// What the client enters in the popup.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct SignupRequest {
    /// The partner's app whose Embedded Signup the client runs.
    pub app: Id,
    /// The client's business portfolio.
    pub business: Id,
    /// An existing WABA of that portfolio to use instead of a new one.
    pub waba: Option<Id>,
    pub cc: String,
    pub phone_number: String,
    /// The display name, for a number that is not registered anywhere yet.
    pub verified_name: Option<String>,
}

/// What a `FINISH` message event carries, and the code.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignupFinish {
    pub phone_number_id: Id,
    pub waba_id: Id,
    pub business_id: Id,
    pub code: String,
    /// Whether the number was registered elsewhere and is now migrating.
    pub migrating: bool,
}

/// Why a code was not exchanged (Graph answers each its own way: `api/graph/ops/signup.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CodeRefusal {
    UnknownApp,
    WrongSecret,
    UnknownCode,
    Used,
    Expired,
}

impl World {
    /// The client finishes the popup with a number (the `FINISH` outcome).
    pub fn finish_embedded_signup(
        &mut self,
        req: &SignupRequest,
    ) -> Result<SignupFinish, DomainError> {
        let partner = self.signup_partner(req.app)?;
        if !self.businesses.contains_key(&req.business) {
            return Err(DomainError::param(
                "business_id",
                format!("no business portfolio {}", req.business),
            ));
        }
        let (cc, national) = super::migration::parse_number(self, &req.cc, &req.phone_number)?;
        let e164 = format!("{cc}{national}");
        let source = self.registered_record(&e164).cloned();
        let name = match (&source, &req.verified_name) {
            (Some(_), _) => None,
            (None, Some(n)) if (2..=75).contains(&n.trim().chars().count()) => {
                Some(n.trim().to_string())
            }
            (None, _) => {
                return Err(DomainError::param(
                    "verified_name",
                    "a number registered nowhere needs its display name: 2 to 75 characters",
                ));
            }
        };
        if let Some(source) = &source {
            self.check_source(source, req.business)?;
        }
        // Every refusal comes before the first change.
        let waba = match req.waba {
            Some(id) => {
                self.check_shareable(id, req.business, partner)?;
                if self.live_record_on(&e164, id).is_some() {
                    return Err(DomainError::NumberAlreadyOnDestination);
                }
                if let Some(w) = self.wabas.get_mut(&id) {
                    w.partner = Some(partner);
                }
                id
            }
            None => self.new_client_waba(req.business, partner),
        };
        let phone = match source {
            Some(source) => self.migrate_in_popup(&source, waba),
            None => self.add_verified_number(waba, cc, national, name.unwrap_or_default()),
        };
        let now = self.now();
        let partner_business = self.partner(partner).business_id();
        self.emit(
            now,
            waba,
            EventKind::AccountUpdate {
                event: "PARTNER_ADDED".into(),
                business: partner_business,
            },
        );
        let code = format!("AQ{}", self.next_hex(40));
        self.signups.codes.push(SignupCode {
            code: code.clone(),
            app: req.app,
            business: req.business,
            waba,
            issued_at: now,
            used: false,
        });
        Ok(SignupFinish {
            phone_number_id: phone,
            waba_id: waba,
            business_id: req.business,
            code,
            migrating: self
                .phones
                .get(&phone)
                .is_some_and(|p| matches!(p.pending, Some(Pending::Migration(_)))),
        })
    }

    /// The partner of an app that runs Embedded Signup (only a partner's app does).
    fn signup_partner(&self, app: Id) -> Result<PartnerIdx, DomainError> {
        let app = self
            .apps
            .get(&app)
            .ok_or_else(|| DomainError::param("app_id", format!("no app {app}")))?;
        app.partner.ok_or_else(|| {
            DomainError::param(
                "app_id",
                format!(
                    "app {} belongs to no partner: Embedded Signup is a partner's",
                    app.id
                ),
            )
        })
    }

    /// Whether an existing WABA of the client's portfolio can be shared with `partner`. One
    /// another partner manages stays that partner's: moving it is a partner change, not a
    /// signup.
    fn check_shareable(
        &self,
        id: Id,
        business: Id,
        partner: PartnerIdx,
    ) -> Result<(), DomainError> {
        let waba = self
            .wabas
            .get(&id)
            .filter(|w| w.business == business)
            .ok_or_else(|| {
                DomainError::param(
                    "waba_id",
                    format!("no WABA {id} in business portfolio {business}"),
                )
            })?;
        match waba.partner {
            Some(p) if p != partner => Err(DomainError::param(
                "waba_id",
                format!("WABA {id} is managed by another partner"),
            )),
            _ => Ok(()),
        }
    }

    /// The WABA Embedded Signup creates in the client's portfolio (§9.1). Its review is
    /// approved when the business is verified, pending otherwise; it has no payment method
    /// until the partner shares a credit line ([INF], docs/fidelity.md).
    fn new_client_waba(&mut self, business: Id, partner: PartnerIdx) -> Id {
        let id = self.next_id();
        let namespace = self.next_hex(32);
        let verified = self
            .businesses
            .get(&business)
            .is_some_and(|b| b.verification == VerificationStatus::Verified);
        let name = self
            .businesses
            .get(&business)
            .map(|b| b.name.clone())
            .unwrap_or_default();
        let now = self.now();
        self.insert_waba(Waba {
            id,
            name,
            business,
            partner: Some(partner),
            review: if verified {
                ReviewStatus::Approved
            } else {
                ReviewStatus::Pending
            },
            currency: "USD".into(),
            payment_method: false,
            template_limit: None,
            subscriptions: Vec::new(),
            platform: Platform::CloudApi,
            timezone_id: "1".into(),
            template_namespace: format!(
                "{}_{}_{}_{}_{}",
                &namespace[0..8],
                &namespace[8..12],
                &namespace[12..16],
                &namespace[16..20],
                &namespace[20..32]
            ),
            created_at: now,
            phones: Vec::new(),
            archived: Vec::new(),
            templates: Vec::new(),
            usage: Default::default(),
        });
        id
    }

    /// A number registered nowhere, added to `waba` with its ownership verified.
    fn add_verified_number(&mut self, waba: Id, cc: String, number: String, name: String) -> Id {
        let id = self.next_id();
        let now = self.now();
        self.insert_phone(Phone {
            id,
            waba,
            cc,
            number,
            verified_name: name,
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
            verified_at: Some(now),
            fixture_verification: None,
            onboarded_at: None,
            data_localization_region: None,
            pending: Some(Pending::NewNumber),
            codes: CodeState::default(),
            created_at: now,
        });
        self.note_number(id, super::NumberStep::Added);
        id
    }

    /// A registered number taken through the popup: a migration whose ownership is already
    /// verified, on a new destination record (the id rule is the OBO flow's,
    /// `migration_keeps_phone_id`). Registering it completes it as any migration.
    fn migrate_in_popup(&mut self, source: &Phone, dest: Id) -> Id {
        let now = self.now();
        let (index, dest_phone) =
            self.open_migration(source, dest, Some(now), MigrationState::Verified);
        self.signups.migrations.push(index);
        dest_phone
    }

    /// What register checks, for a migration a popup started, before completing it: the
    /// destination's §2.1 preconditions, which the partner meets after the popup (§9.1:
    /// share the credit line, subscribe the app, then register).
    pub(crate) fn check_signup_destination(&self, migration: usize) -> Result<(), DomainError> {
        if !self.signups.migrations.contains(&migration) {
            return Ok(());
        }
        let m = &self.migrations[migration];
        match self.phones.get(&m.source_phone) {
            Some(source) => self.check_destination(source, m.dest_waba),
            None => Ok(()),
        }
    }

    /// `GET /oauth/access_token`: the partner's app exchanges a popup's code, once, for a
    /// business integration system user token of the client's business, for that app.
    pub fn exchange_signup_code(
        &mut self,
        client_id: &str,
        client_secret: &str,
        code: &str,
    ) -> Result<String, CodeRefusal> {
        let app = super::parse_id(client_id)
            .and_then(|id| self.apps.get(&id))
            .ok_or(CodeRefusal::UnknownApp)?;
        if app.secret != client_secret {
            return Err(CodeRefusal::WrongSecret);
        }
        let app = app.id;
        let now = self.now();
        let issued = self
            .signups
            .codes
            .iter_mut()
            .find(|c| c.code == code && c.app == app)
            .ok_or(CodeRefusal::UnknownCode)?;
        if issued.used {
            return Err(CodeRefusal::Used);
        }
        if now - issued.issued_at > CODE_VALIDITY {
            return Err(CodeRefusal::Expired);
        }
        issued.used = true;
        let business = issued.business;
        let token = format!("EAAG{}", self.next_hex(48));
        self.tokens.insert(
            token.clone(),
            Token {
                owner: TokenOwner::Business(business),
                app: Some(app),
                scopes: Scopes::of(&[Scope::Management, Scope::Messaging]),
                expires_at: None,
            },
        );
        Ok(token)
    }

    /// The WABAs a token acts on, newest first, as `debug_token`'s `granular_scopes` lists
    /// them: for a token from a popup, the WABAs its business shared with its app through
    /// Embedded Signup; otherwise every WABA it manages.
    pub fn token_targets(&self, who: &Principal) -> Vec<Id> {
        let mut shared: Vec<(Timestamp, Id)> = Vec::new();
        if let (TokenOwner::Business(b), Some(app)) = (who.owner, who.app) {
            for c in self
                .signups
                .codes
                .iter()
                .filter(|c| c.business == b && c.app == app)
            {
                if !shared.iter().any(|(_, w)| *w == c.waba) {
                    shared.push((c.issued_at, c.waba));
                }
            }
        }
        if shared.is_empty() {
            shared = self
                .wabas
                .values()
                .filter(|w| who.may_manage(w.business, w.partner))
                .map(|w| (w.created_at, w.id))
                .collect();
        }
        shared.sort_by(|a, b| b.cmp(a));
        shared.into_iter().map(|(_, id)| id).collect()
    }

    /// The credit line of a partner's business portfolio: a stable id derived from its key
    /// (what `GET /{business}/extendedcredits` lists).
    pub fn credit_line_of(&self, partner: PartnerIdx) -> Id {
        let key = &self.partner(partner).key;
        180_000_000_000_000
            + fnv1a(key.as_bytes(), fnv1a(b"credit-line:", FNV_OFFSET_BASIS)) % 10_000_000_000_000
    }

    /// The partner whose credit line `id` is.
    pub fn credit_line_partner(&self, id: Id) -> Option<PartnerIdx> {
        (0..self.partners.len())
            .map(|i| PartnerIdx(i as u16))
            .find(|p| self.credit_line_of(*p) == id)
    }

    /// `POST /{credit_line}/whatsapp_credit_sharing_and_attach`: the partner shares its
    /// credit line with a client's WABA it manages, which then has a payment method (§2.1).
    /// Answers the allocation config's id.
    pub fn share_credit_line(
        &mut self,
        who: &Principal,
        credit_line: Id,
        waba: &str,
        currency: &str,
    ) -> Result<Id, DomainError> {
        let owner = self.credit_line_partner(credit_line);
        if owner.is_none() || who.owner != TokenOwner::Partner(owner.unwrap_or(PartnerIdx(0))) {
            return Err(DomainError::unknown(credit_line.to_string()));
        }
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(DomainError::param(
                "waba_currency",
                "Param waba_currency must be an ISO 4217 currency code, e.g. USD",
            ));
        }
        let id = self.managed_waba(who, waba)?.id;
        let allocation = self.next_id();
        if let Some(w) = self.wabas.get_mut(&id) {
            w.payment_method = true;
            w.currency = currency.to_string();
        }
        self.signups.allocations.push((allocation, id));
        Ok(allocation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::world::{App, Business, Partner, Settings};

    fn world() -> World {
        let mut w = World::new(1, Clock::frozen_at(Timestamp(0)), Settings::default());
        w.businesses.insert(
            1,
            Business {
                id: 1,
                name: "Client".into(),
                verification: VerificationStatus::Verified,
            },
        );
        let p = w.add_partner(Partner {
            key: "bsp".into(),
            name: "BSP".into(),
            business: Some(2),
        });
        w.apps.insert(
            3,
            App {
                id: 3,
                name: "BSP app".into(),
                partner: Some(p),
                secret: "s".into(),
                webhook_url: None,
                verify_token: None,
            },
        );
        w
    }

    fn request() -> SignupRequest {
        SignupRequest {
            app: 3,
            business: 1,
            waba: None,
            cc: "1".into(),
            phone_number: "5550199999".into(),
            verified_name: Some("Client Shop".into()),
        }
    }

    #[test]
    fn a_code_is_exchanged_once_and_only_before_it_expires() {
        let mut w = world();
        let f = w.finish_embedded_signup(&request()).unwrap();
        assert_eq!(
            w.exchange_signup_code("3", "wrong", &f.code),
            Err(CodeRefusal::WrongSecret)
        );
        assert_eq!(
            w.exchange_signup_code("3", "s", "nope"),
            Err(CodeRefusal::UnknownCode)
        );
        let token = w.exchange_signup_code("3", "s", &f.code).unwrap();
        assert!(w.authenticate(&token).is_ok());
        assert_eq!(
            w.exchange_signup_code("3", "s", &f.code),
            Err(CodeRefusal::Used)
        );
        let f2 = w.finish_embedded_signup(&SignupRequest {
            phone_number: "5550199998".into(),
            ..request()
        });
        let f2 = f2.unwrap();
        w.clock.advance(Duration::minutes(11)).unwrap();
        assert_eq!(
            w.exchange_signup_code("3", "s", &f2.code),
            Err(CodeRefusal::Expired)
        );
    }

    #[test]
    fn a_given_waba_takes_a_second_number_but_not_the_same_one_twice() {
        let mut w = world();
        let first = w.finish_embedded_signup(&request()).unwrap();
        let again = SignupRequest {
            waba: Some(first.waba_id),
            ..request()
        };
        assert_eq!(
            w.finish_embedded_signup(&again),
            Err(DomainError::NumberAlreadyOnDestination)
        );
        let other = SignupRequest {
            phone_number: "5550199997".into(),
            ..again
        };
        let second = w.finish_embedded_signup(&other).unwrap();
        assert_eq!(second.waba_id, first.waba_id);
        let elsewhere = SignupRequest {
            business: 2,
            ..other
        };
        assert!(w.finish_embedded_signup(&elsewhere).is_err());
    }

    #[test]
    fn the_new_waba_is_the_clients_and_shared_with_the_partner() {
        let mut w = world();
        let f = w.finish_embedded_signup(&request()).unwrap();
        let waba = &w.wabas[&f.waba_id];
        assert_eq!((waba.business, waba.partner), (1, Some(PartnerIdx(0))));
        assert!(!waba.payment_method);
        let phone = &w.phones[&f.phone_number_id];
        assert!(phone.verified_at.is_some());
        assert!(!f.migrating);
        let line = w.credit_line_of(PartnerIdx(0));
        let bsp = Principal {
            owner: TokenOwner::Partner(PartnerIdx(0)),
            app: Some(3),
            scopes: Scopes::of(&[Scope::Management]),
        };
        let id = f.waba_id.to_string();
        assert!(w.share_credit_line(&bsp, line + 1, &id, "USD").is_err());
        assert!(w.share_credit_line(&bsp, line, &id, "usd").is_err());
        w.share_credit_line(&bsp, line, &id, "EUR").unwrap();
        assert!(w.wabas[&f.waba_id].payment_method);
    }
}
