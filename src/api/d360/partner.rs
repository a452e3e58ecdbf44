//! The Partner API (`/api/v2`): the token, partners, clients, channels and their API keys,
//! and what partner webhooks say of a channel or client (`announce.rs` sends them); templates are `templates.rs`, partner change
//! requests `partner_change.rs`. Facts cite 360dialog-partner-and-
//! migrations.md (`§`) and clients-and-360dialog.md Part 2 (`CD §`).

use serde_json::{Value, json};

use super::errors::D360Error;
use super::listing::{self, same};
use super::model::{self, ApiKey, Bearer, Channel, D360Binding};
use super::{Op, Prepared, Reply, body_object, partner_change, templates};
use crate::clock::Duration;
use crate::world::World;

/// Where the Messaging API is, as a minted key says (§1.6: `address`).
const MESSAGING_ADDRESS: &str = "https://waba-v2.360dialog.io";

/// The partner a request authenticates as: `X-API-Key` (preferred, §1.1) or a bearer from
/// `POST /api/v2/token` that has not expired on the world clock; the path's partner id must
/// be the caller's (403 "Permission denied for partner …", §1.2).
pub fn authenticate(w: &World, p: &Prepared) -> Result<String, D360Error> {
    let b = model::of(w);
    let partner = if let Some(key) = &p.api_key {
        b.partners
            .iter()
            .find(|x| x.api_keys.iter().any(|k| k == key))
            .map(|x| x.id.clone())
    } else if let Some(token) = &p.bearer {
        b.bearers
            .get(token)
            .filter(|t| t.expires_at > w.now())
            .map(|t| t.partner.clone())
    } else {
        None
    };
    let partner = partner.ok_or_else(D360Error::unauthorized)?;
    match p.args.first() {
        Some(pid) if *pid != partner => Err(D360Error::forbidden(pid)),
        _ => Ok(partner),
    }
}

/// `POST /api/v2/token` `{username, password}` → `{access_token, token_type, expires_in,
/// refresh_token}` (§1.1, SEEN NET, KB).
pub fn token(w: &mut World, p: &Prepared) -> Reply {
    let body = body_object(p)?;
    let text = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (user, pass) = (text("username"), text("password"));
    if user.is_empty() || pass.is_empty() {
        return Err(D360Error::new(400, "username and password are required"));
    }
    let partner = model::of(w)
        .partners
        .iter()
        .find(|x| !x.username.is_empty() && x.username == user && x.password == pass)
        .map(|x| x.id.clone())
        .ok_or_else(|| D360Error::new(401, "Invalid username or password"))?;
    let lifetime = model::of(w).settings.token_lifetime;
    let token = format!("d360-{}", w.next_hex(32));
    let refresh = format!("d360r-{}", w.next_hex(32));
    let expires_at = w.now() + lifetime;
    model::of_mut(w).bearers.insert(
        token.clone(),
        Bearer {
            partner,
            expires_at,
        },
    );
    Ok((
        200,
        json!({
            "access_token": token,
            "token_type": "bearer",
            "expires_in": lifetime.as_millis() / 1000,
            "refresh_token": refresh,
        }),
    ))
}

/// One Partner API call, as `partner`.
pub fn run(w: &mut World, p: &Prepared, partner: &str) -> Reply {
    let arg = |i: usize| p.args.get(i).map(String::as_str).unwrap_or("");
    match p.op {
        Op::GetPartner => Ok((200, partner_json(model::of(w), partner))),
        Op::UpdatePartner => update_partner(w, p, partner, false),
        Op::GetWebhookUrl => {
            let url = model::of(w)
                .partner(partner)
                .and_then(|x| x.webhook_url.clone());
            Ok((200, json!({ "webhook_url": url })))
        }
        Op::SetWebhookUrl => update_partner(w, p, partner, true),
        Op::GetBalance => {
            let x = model::of(w).partner(partner).cloned().unwrap_or_default();
            Ok((200, json!({"total": x.balance, "currency": x.currency})))
        }
        Op::ListClients => list_clients(w, p, partner),
        Op::GetClient => {
            let c = own_client(w, partner, arg(1))?;
            Ok((200, client_json(w, c)))
        }
        Op::UpdateClient => update_client(w, p, partner, arg(1)),
        Op::GetClientBalance => client_balance(w, p, partner, arg(1)),
        Op::ListChannels => list_channels(w, p, partner),
        Op::CreateApiKey => create_api_key(w, partner, arg(1)),
        Op::ListApiKeys => {
            let ch = own_channel(w, partner, arg(1))?;
            let keys: Vec<Value> = ch.api_keys.iter().map(key_json).collect();
            Ok((200, json!({ "api_keys": keys })))
        }
        Op::DeleteApiKeys => {
            let id = own_channel(w, partner, arg(1))?.id.clone();
            if let Some(ch) = model::of_mut(w).channels.iter_mut().find(|c| c.id == id) {
                ch.api_keys.clear();
            }
            Ok((200, json!({})))
        }
        Op::ListTemplates => templates::list(w, p, partner, arg(1)),
        Op::CreateTemplate => templates::create(w, p, partner, arg(1)).map(|t| (201, t)),
        Op::DeleteTemplate => templates::delete(w, partner, arg(1), arg(2)),
        Op::MigrateTemplates => templates::migrate(w, p, partner, arg(1)),
        Op::SetAutoApprove => partner_change::set_auto_approve(w, p, partner),
        Op::ListPartnerChanges => partner_change::list(w, p, partner),
        Op::ApprovePartnerChange => partner_change::approve(w, partner, arg(1)),
        _ => Err(D360Error::new(404, "Not found")),
    }
}

fn partner_json(b: &D360Binding, id: &str) -> Value {
    let Some(x) = b.partner(id) else {
        return json!({ "id": id });
    };
    json!({
        "id": x.id,
        "brand_name": x.brand_name,
        "webhook_url": x.webhook_url,
        "partner_redirect_url": x.partner_redirect_url,
        "settings": {"partner_change_request": {"auto_approve": x.auto_approve}},
        "plan": x.plan.as_str(),
        "payment_processor": x.payment_processor,
    })
}

/// `PATCH /partners/{pid}` `{webhook_url, partner_redirect_url}` and `POST …/webhook_url`
/// `{webhook_url}` (CD §2.5, SEEN WHM).
fn update_partner(w: &mut World, p: &Prepared, partner: &str, webhook_only: bool) -> Reply {
    let body = body_object(p)?;
    let url_of = |k: &str| -> Result<Option<Option<String>>, D360Error> {
        match body.get(k) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(s)) if s.starts_with("http://") || s.starts_with("https://") => {
                Ok(Some(Some(s.clone())))
            }
            Some(_) => Err(D360Error::wrong_payload(format!(
                "{k} must be an http(s) URL"
            ))),
        }
    };
    let hook = url_of("webhook_url")?;
    let redirect = if webhook_only {
        None
    } else {
        url_of("partner_redirect_url")?
    };
    if webhook_only && hook.is_none() {
        return Err(D360Error::wrong_payload("webhook_url is required"));
    }
    if let Some(x) = model::of_mut(w)
        .partners
        .iter_mut()
        .find(|x| x.id == partner)
    {
        if let Some(h) = hook {
            x.webhook_url = h;
        }
        if let Some(r) = redirect {
            x.partner_redirect_url = r;
        }
    }
    let b = model::of(w);
    if webhook_only {
        let url = b.partner(partner).and_then(|x| x.webhook_url.clone());
        return Ok((200, json!({ "webhook_url": url })));
    }
    Ok((200, partner_json(b, partner)))
}

fn own_client<'w>(
    w: &'w World,
    partner: &str,
    id: &str,
) -> Result<&'w model::D360Client, D360Error> {
    model::of(w)
        .client(id)
        .filter(|c| c.partner == partner)
        .ok_or_else(|| D360Error::not_found("Client", id))
}

fn own_channel<'w>(w: &'w World, partner: &str, id: &str) -> Result<&'w Channel, D360Error> {
    let b = model::of(w);
    b.channel(id)
        .filter(|c| b.partner_of_channel(c) == Some(partner))
        .ok_or_else(|| D360Error::not_found("Channel", id))
}

pub fn client_json(w: &World, c: &model::D360Client) -> Value {
    let payload = c
        .partner_payload
        .as_deref()
        .and_then(|t| serde_json::from_str::<Value>(t).ok());
    let business = w.businesses.get(&c.business);
    json!({
        "id": c.id,
        "name": c.name,
        "status": "active",
        "partner_id": c.partner,
        "partner_payload": payload,
        "max_channels": c.max_channels,
        "created_at": c.created_at.rfc3339(),
        "modified_at": c.modified_at.rfc3339(),
        "fb_business_id": c.business.to_string(),
        "contact_info": {"name": business.map(|b| b.name.clone())},
    })
}

const CLIENT_KEYS: &[&str] = &[
    "id",
    "name",
    "status",
    "partner_payload",
    "created_at",
    "modified_at",
];

fn list_clients(w: &World, p: &Prepared, partner: &str) -> Reply {
    let lp = listing::params(p, CLIENT_KEYS, "id")?;
    let items: Vec<Value> = model::of(w)
        .clients
        .iter()
        .filter(|c| c.partner == partner)
        .map(|c| client_json(w, c))
        .collect();
    Ok((200, listing::page(items, &lp, "clients", same)))
}

/// `PATCH /clients/{cid}` `{partner_payload, max_channels}` (§1.5, SEEN CL).
fn update_client(w: &mut World, p: &Prepared, partner: &str, id: &str) -> Reply {
    own_client(w, partner, id)?;
    let body = body_object(p)?;
    let max = match body.get("max_channels") {
        None => None,
        Some(v) => Some(
            v.as_u64()
                .filter(|n| *n <= u32::MAX as u64)
                .map(|n| n as u32)
                .ok_or_else(|| {
                    D360Error::wrong_payload("max_channels must be a non-negative integer")
                })?,
        ),
    };
    let now = w.now();
    if let Some(c) = model::of_mut(w).clients.iter_mut().find(|c| c.id == id) {
        if let Some(payload) = body.get("partner_payload") {
            c.partner_payload = Some(payload.to_string());
        }
        if max.is_some() {
            c.max_channels = max;
        }
        c.modified_at = now;
    }
    Ok((200, client_json(w, own_client(w, partner, id)?)))
}

/// `GET /clients/{cid}/info/balance` (messaging-and-360dialog.md "Client balance", SEEN
/// D-USAGE, NET): 5 calls per 30 s per client, then 429. Messaging is not simulated, so the
/// balance is the partner's and the usage empty.
fn client_balance(w: &mut World, p: &Prepared, partner: &str, cid: &str) -> Reply {
    own_client(w, partner, cid)?;
    let granularity = super::query_param(p, "granularity").unwrap_or_else(|| "day".into());
    if granularity != "day" && granularity != "month" {
        return Err(D360Error::wrong_payload("granularity must be day or month"));
    }
    let limit = model::of(w).settings.client_balance_per_30s;
    if !model::admit_call(
        w,
        &format!("client_balance:{cid}"),
        limit,
        Duration::seconds(30),
    ) {
        return Err(D360Error::rate_limited());
    }
    let x = model::of(w).partner(partner).cloned().unwrap_or_default();
    Ok((
        200,
        json!({
            "balance": x.balance,
            "currency": x.currency,
            "last_renewal": Value::Null,
            "estimated_template_cost": 0,
            "granularity": granularity,
            "usage": [],
        }),
    ))
}

/// The channel filter keys (§1.5 `PartnerChannelsListFilterIn`, those this facade renders).
const CHANNEL_KEYS: &[&str] = &[
    "id",
    "client_id",
    "status",
    "account_mode",
    "is_migrated",
    "external_id",
    "current_quality_rating",
    "current_limit",
    "created_at",
    "modified_at",
    "hosting_platform_type",
    "setup_info.phone_number",
    "setup_info.phone_name",
    "waba_account.id",
    "waba_account.external_id",
    "waba_account.fb_account_status",
    "client.id",
    "client.name",
];

fn list_channels(w: &World, p: &Prepared, partner: &str) -> Reply {
    let lp = listing::params(p, CHANNEL_KEYS, "id")?;
    let b = model::of(w);
    let items: Vec<Value> = b
        .channels
        .iter()
        .filter(|c| b.partner_of_channel(c) == Some(partner))
        .map(|c| channel_json(w, c))
        .collect();
    Ok((200, listing::page(items, &lp, "partner_channels", same)))
}

/// A `partner_channels[]` item (CD §2.2, SEEN NET): its status derived from the world
/// record (`model::channel_status`); `is_migrated` is whether the number came in by a
/// migration and `external_id` the Meta phone-number id ([INF] §1.5); `hosting_platform_type`
/// is the record's `platform` ([INF] name).
pub fn channel_json(w: &World, ch: &Channel) -> Value {
    let b = model::of(w);
    let account = b.waba_account(&ch.waba_account);
    let client = account.and_then(|a| b.client(&a.client));
    let record = model::record(w, ch);
    let waba = account.and_then(|a| w.wabas.get(&a.waba));
    let migrated = record.is_some_and(|r| w.migrations.iter().any(|m| m.dest_phone == r.id));
    let status = model::channel_status(w, ch);
    let business = waba.and_then(|x| w.businesses.get(&x.business));
    let app = b.bsp.and_then(|bsp| {
        w.apps
            .values()
            .filter(|a| a.partner == Some(bsp))
            .map(|a| a.id)
            .min()
    });
    json!({
        "id": ch.id,
        "client_id": client.map(|c| c.id.clone()),
        "status": status,
        "account_mode": record.map(|r| r.account_mode.as_str().to_ascii_lowercase()),
        "is_migrated": migrated,
        "external_id": record.map(|r| r.id.to_string()),
        "hosting_platform_type": record.map(|r| r.platform.as_str()),
        "current_quality_rating": record.map(|r| r.quality.as_str()),
        "current_limit": record.map(|r| r.messaging_limit.as_str()),
        "is_oba": record.is_some_and(|r| r.official),
        "has_inbox": false,
        "created_at": ch.created_at.rfc3339(),
        "modified_at": ch.created_at.rfc3339(),
        "billing_started_at": if status == "live" { Value::from(ch.created_at.rfc3339()) } else { Value::Null },
        "terminated_at": Value::Null,
        "client": client.map(|c| json!({"id": c.id, "name": c.name, "partner_id": c.partner})),
        "setup_info": {
            "phone_number": record.map(|r| r.e164_digits()),
            "phone_name": record.map(|r| r.verified_name.clone()),
        },
        "waba_account_id": account.map(|a| a.id.clone()),
        "waba_account": account.map(|a| json!({
            "id": a.id,
            "external_id": a.waba.to_string(),
            "name": waba.map(|x| x.name.clone()),
            "namespace": waba.map(|x| x.template_namespace.clone()),
            "fb_account_status": business.map(|x| x.verification.as_str()),
            "client_id": a.client,
            "on_behalf_of_business_info": business.map(|x| json!({"id": x.id.to_string(), "name": x.name})),
        })),
        "integration": {"enabled": true, "app_id": app.map(|a| a.to_string()), "state": status},
    })
}

fn key_json(k: &ApiKey) -> Value {
    json!({"id": k.id, "address": MESSAGING_ADDRESS, "api_key": k.key, "app_id": k.id})
}

/// `POST /channels/{ch}/api_keys` (no body) → a flat key object (§1.6, SEEN KB); older keys
/// are revoked when `new_key_revokes_old` (§5 #9 [INF]).
fn create_api_key(w: &mut World, partner: &str, id: &str) -> Reply {
    own_channel(w, partner, id)?;
    let key = w.next_hex(32);
    let n = model::of(w)
        .channels
        .iter()
        .map(|c| c.api_keys.len())
        .sum::<usize>();
    let revoke = model::of(w).settings.new_key_revokes_old;
    let minted = ApiKey {
        id: format!("{}", 300_000 + n),
        key,
    };
    let ch = model::of_mut(w)
        .channels
        .iter_mut()
        .find(|c| c.id == id)
        .expect("checked above");
    if revoke {
        ch.api_keys.clear();
    }
    ch.api_keys.push(minted.clone());
    Ok((200, key_json(&minted)))
}

/// The header partner webhooks are signed in (§1.7, SEEN SIG).
pub const SIGNATURE_HEADER: &str = "x-360dialog-signature";
