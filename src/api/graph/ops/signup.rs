//! What a partner's onboarding code calls after a client finishes Embedded Signup
//! (reference meta-graph.md §9.1, messaging-and-360dialog.md "Embedded Signup migration"):
//! exchange the popup's code for a business token (`GET /oauth/access_token`), inspect it
//! (`GET /debug_token`), list the clients' WABAs (`GET /{business}/client_whatsapp_business_accounts`),
//! find and share its credit line (`GET /{business}/extendedcredits`,
//! `POST /{credit_line}/whatsapp_credit_sharing_and_attach`). Subscribing the app and
//! registering the number are the existing operations.
//!
//! The code exchange's refusals are Graph's own answers to its OAuth endpoint, not a
//! [`DomainError`](crate::world::DomainError), so their table is here ([`refusal`]).

use super::super::errors::GraphError;
use super::super::paging;
use super::super::prepare::Prepared;
use super::super::render::{self, WABA_FIELDS, WABA_TYPE};
use super::{Fail, fields, required};
use crate::api::json::Obj;
use crate::world::signup::CodeRefusal;
use crate::world::vocab::Scope;
use crate::world::{DomainError, Id, Principal, TokenOwner, World};

/// The fields a client WABA is listed with when `fields` asks none: the OAS description of
/// the edge says `id, name, currency, timezone_id`; Meta's sample answer adds
/// `message_template_namespace` (manage-accounts page).
const CLIENT_WABA_DEFAULT: &[&str] = &[
    "id",
    "name",
    "currency",
    "timezone_id",
    "message_template_namespace",
];

/// An OAuth refusal: `OAuthException`, HTTP 400.
fn oauth_error(code: u32, subcode: Option<u32>, message: &str) -> GraphError {
    GraphError {
        status: 400,
        code,
        subcode,
        kind: "OAuthException",
        message: message.to_string(),
        user_title: None,
        user_msg: None,
        is_transient: None,
        details: None,
        blame_field: None,
    }
}

/// Graph's answers when a code is not exchanged. Seen on the wire (Facebook Login's code
/// exchange, the same endpoint): a used code is 100/36009 "This authorization code has been
/// used." (akeeba/sociallogin#102), an expired one 100/36007 "This authorization code has
/// expired." (tomasvotava/fastapi-sso#173), a wrong secret code 1 "Error validating client
/// secret." (facebookarchive/php-graph-sdk#538), an unknown code 100 "Invalid verification
/// code format." (ngrx/store#160, no subcode seen). An unknown app: code 101 "Error
/// validating application. Invalid application ID." ([INF], docs/fidelity.md).
fn refusal(r: CodeRefusal) -> GraphError {
    match r {
        CodeRefusal::UnknownApp => oauth_error(
            101,
            None,
            "Error validating application. Invalid application ID.",
        ),
        CodeRefusal::WrongSecret => oauth_error(1, None, "Error validating client secret."),
        CodeRefusal::UnknownCode => oauth_error(100, None, "Invalid verification code format."),
        CodeRefusal::Used => {
            oauth_error(100, Some(36009), "This authorization code has been used.")
        }
        CodeRefusal::Expired => {
            oauth_error(100, Some(36007), "This authorization code has expired.")
        }
    }
}

/// `exchange_code`: needs no access token; the app authenticates with its id and secret.
pub fn exchange(w: &mut World, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let client_id = required(&p.params, "client_id")?;
    let client_secret = required(&p.params, "client_secret")?;
    let code = required(&p.params, "code")?;
    let token = w
        .exchange_signup_code(client_id.trim(), &client_secret, code.trim())
        .map_err(refusal)?;
    let mut buf = Vec::with_capacity(96);
    let mut o = Obj::new(&mut buf);
    o.str("access_token", &token).str("token_type", "bearer");
    o.end();
    Ok(buf)
}

/// `debug_token`: what the token in `input_token` is. An unknown or expired one is still a
/// 200, with `is_valid: false` and the error inside `data` (Graph's debug_token behaviour,
/// [INF] for the exact text: docs/fidelity.md).
pub fn debug(w: &World, _who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let input = required(&p.params, "input_token")?;
    let mut buf = Vec::with_capacity(384);
    let mut o = Obj::new(&mut buf);
    o.obj("data", |d| match w.tokens.get(input.trim()) {
        None => {
            d.obj("error", |e| {
                e.num("code", 190)
                    .str("message", "Invalid OAuth access token.");
            });
            d.bool("is_valid", false).arr("scopes", |_| {});
        }
        Some(t) => {
            let app = t.app.and_then(|id| w.apps.get(&id));
            if let Some(app) = app {
                d.id("app_id", app.id)
                    .str("type", "SYSTEM_USER")
                    .str("application", &app.name);
            } else {
                d.str("type", "SYSTEM_USER");
            }
            let expires = t.expires_at.map_or(0, |at| at.unix_seconds());
            let valid = t.expires_at.is_none_or(|at| w.now() < at);
            d.num("data_access_expires_at", 0)
                .num("expires_at", expires)
                .bool("is_valid", valid);
            if !valid {
                d.obj("error", |e| {
                    e.num("code", 190).num("subcode", 463).str(
                        "message",
                        "Error validating access token: Session has expired.",
                    );
                });
            }
            d.arr("scopes", |a| {
                for s in t.scopes.list() {
                    a.str(s.as_str());
                }
            });
            let who = Principal {
                owner: t.owner,
                app: t.app,
                scopes: t.scopes,
            };
            let targets = w.token_targets(&who);
            d.arr("granular_scopes", |a| {
                for scope in [Scope::Management, Scope::Messaging] {
                    if t.scopes.has(scope) {
                        a.obj(|g| {
                            g.str("scope", scope.as_str()).arr("target_ids", |ids| {
                                for id in &targets {
                                    ids.id(*id);
                                }
                            });
                        });
                    }
                }
            });
        }
    });
    o.end();
    Ok(buf)
}

/// The partner whose own business portfolio the node is, when the caller is that partner.
/// Anything else is Graph's unknown object: a business is not seen by others.
fn own_portfolio(w: &World, who: &Principal, node: &str) -> Result<Option<Id>, DomainError> {
    let id = crate::world::parse_id(node).ok_or_else(|| DomainError::unknown(node))?;
    match who.owner {
        TokenOwner::Partner(p) if w.partner(p).business_id() == id => Ok(Some(id)),
        // A client's own token sees its portfolio, with no client WABAs of its own.
        TokenOwner::Business(b) if b == id => Ok(None),
        _ => Err(DomainError::unknown(node)),
    }
}

/// `list_client_whatsapp_business_accounts`: the WABAs clients shared with the partner,
/// newest first, paged as the other lists.
pub fn client_wabas(w: &World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let portfolio = own_portfolio(w, who, &p.route.node)?;
    let fields = fields(p, WABA_FIELDS, CLIENT_WABA_DEFAULT, WABA_TYPE)?;
    let mut wabas: Vec<&crate::world::Waba> = match (portfolio, who.owner) {
        (Some(own), TokenOwner::Partner(partner)) => w
            .wabas
            .values()
            .filter(|x| x.partner == Some(partner) && x.business != own)
            .map(|x| &**x)
            .collect(),
        _ => Vec::new(),
    };
    wabas.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let ids: Vec<Id> = wabas.iter().map(|x| x.id).collect();
    let page = paging::page(&ids, &p.params)?;
    let mut buf = Vec::with_capacity(512);
    let mut o = Obj::new(&mut buf);
    o.arr("data", |a| {
        for waba in &wabas[page.start..page.end] {
            a.obj(|item| render::waba(item, w, waba, &fields, &mut |_, _| {}));
        }
    });
    paging::write(&mut o, &ids, &page, &p.base_url, &p.query);
    o.end();
    Ok(buf)
}

/// `list_extended_credits`: the partner's credit line, with its business's name as the
/// legal entity (OAS `getCreditLines`).
pub fn credit_lines(w: &World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let portfolio = own_portfolio(w, who, &p.route.node)?;
    let lines: Vec<(Id, String)> = match (portfolio, who.owner) {
        (Some(own), TokenOwner::Partner(partner)) => {
            let name = w
                .businesses
                .get(&own)
                .map(|b| b.name.clone())
                .unwrap_or_else(|| w.partner(partner).name.clone());
            vec![(w.credit_line_of(partner), name)]
        }
        _ => Vec::new(),
    };
    let ids: Vec<Id> = lines.iter().map(|(id, _)| *id).collect();
    let page = paging::page(&ids, &p.params)?;
    let mut buf = Vec::with_capacity(128);
    let mut o = Obj::new(&mut buf);
    o.arr("data", |a| {
        for (id, name) in &lines[page.start..page.end] {
            a.obj(|item| {
                item.id("id", *id).str("legal_entity_name", name);
            });
        }
    });
    paging::write(&mut o, &ids, &page, &p.base_url, &p.query);
    o.end();
    Ok(buf)
}

/// `whatsapp_credit_sharing_and_attach`: `{allocation_config_id, waba_id}` (the edge's
/// reference page, "Return Type").
pub fn share_credit_line(w: &mut World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let line = crate::world::parse_id(&p.route.node)
        .ok_or_else(|| DomainError::unknown(p.route.node.as_str()))?;
    let currency = required(&p.params, "waba_currency")?;
    let waba = required(&p.params, "waba_id")?;
    let allocation = w.share_credit_line(who, line, waba.trim(), currency.trim())?;
    let waba_id = crate::world::parse_id(waba.trim()).unwrap_or_default();
    let mut buf = Vec::with_capacity(96);
    let mut o = Obj::new(&mut buf);
    o.id("allocation_config_id", allocation)
        .id("waba_id", waba_id);
    o.end();
    Ok(buf)
}
