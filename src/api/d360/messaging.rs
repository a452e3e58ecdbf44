//! The Messaging API's configuration endpoints (`waba-v2.360dialog.io`, header
//! `D360-API-KEY` = a channel's key, no version and no phone id in the path): the number's
//! webhook, the WABA's webhook, up to three extra destinations, templates and the business
//! profile (360dialog reference §3, clients-and-360dialog.md §2.4–§2.5). Sending
//! (`/messages`) is `send.rs`.

use serde_json::{Map, Value, json};

use super::errors::{D360Error, from_domain};
use super::listing::{self};
use super::model::{self, Channel, MAX_DESTINATIONS, WebhookTarget};
use super::templates::{create_on, template_alias, template_json};
use super::{Op, Prepared, Reply, body_object};
use crate::world::business_profile::BusinessProfile;
use crate::world::{Principal, World};

/// The channel a `D360-API-KEY` opens; a missing or unknown key is 401 `{"error":"Invalid
/// api token."}` (SEEN D-MM).
pub fn authenticate(w: &World, p: &Prepared) -> Result<Channel, D360Error> {
    p.d360_key
        .as_deref()
        .and_then(|k| model::of(w).channel_by_key(k))
        .cloned()
        .ok_or_else(D360Error::invalid_api_key)
}

/// The channel's WABA account id, its world WABA and phone record ids, and 360dialog's
/// principal at Meta.
pub(super) struct Scope {
    account: String,
    waba: String,
    pub(super) phone: String,
    pub(super) who: Principal,
    partner: String,
}

pub(super) fn scope(w: &World, ch: &Channel) -> Result<Scope, D360Error> {
    let b = model::of(w);
    let account = b
        .waba_account(&ch.waba_account)
        .ok_or_else(D360Error::invalid_api_key)?;
    let record = model::record(w, ch)
        .filter(|r| r.is_live())
        .ok_or_else(|| D360Error::new(400, "Your WhatsApp for Business API has been disabled"))?;
    let bsp = b
        .bsp
        .ok_or_else(|| D360Error::new(500, "Internal server error"))?;
    Ok(Scope {
        account: account.id.clone(),
        waba: account.waba.to_string(),
        phone: record.id.to_string(),
        who: w.partner_principal(bsp),
        partner: b.partner_of_channel(ch).unwrap_or("").to_string(),
    })
}

pub fn run(w: &mut World, p: &Prepared, ch: &Channel) -> Reply {
    match p.op {
        Op::GetNumberWebhook => {
            let hooks = model::of(w)
                .number_webhooks
                .get(&ch.id)
                .cloned()
                .unwrap_or_default();
            Ok((200, target_json(hooks.main.as_ref())))
        }
        Op::SetNumberWebhook => {
            let target = read_target(&body_object(p)?)?;
            let out = target_json(Some(&target));
            model::of_mut(w)
                .number_webhooks
                .entry(ch.id.clone())
                .or_default()
                .main = Some(target);
            Ok((200, out))
        }
        Op::GetWabaWebhook => {
            let hook = model::of(w).waba_webhooks.get(&ch.waba_account).cloned();
            Ok((200, target_json(hook.as_ref())))
        }
        Op::SetWabaWebhook => {
            let target = read_target(&body_object(p)?)?;
            let out = target_json(Some(&target));
            model::of_mut(w)
                .waba_webhooks
                .insert(ch.waba_account.clone(), target);
            Ok((200, out))
        }
        Op::GetMultiWebhook => Ok((200, multi_json(w, ch))),
        Op::SetMultiWebhook | Op::AddMultiWebhook | Op::UpdateMultiWebhook => multi(w, p, ch),
        Op::ListConfigTemplates => list_templates(w, p, ch),
        Op::CreateConfigTemplate => {
            let s = scope(w, ch)?;
            let t = create_on(w, &s.who, &s.waba, &body_object(p)?)?;
            let out = json!({"id": t.id.to_string(), "status": t.status.as_str(), "category": t.category.as_str()});
            Ok((201, out))
        }
        Op::DeleteConfigTemplate => {
            let s = scope(w, ch)?;
            let name = p.args.first().cloned().unwrap_or_default();
            w.delete_templates(&s.who, &s.waba, Some(&name), None)
                .map_err(|e| from_domain(&e))?;
            let msg = format!("template name={name} was deleted");
            Ok((
                200,
                json!({"meta": {"developer_message": msg, "http_code": 200, "success": true}}),
            ))
        }
        Op::GetProfile => {
            let s = scope(w, ch)?;
            let prof = w
                .business_profile(&s.who, &s.phone)
                .map_err(|e| from_domain(&e))?;
            Ok((200, json!({"data": [profile_json(&prof)]})))
        }
        Op::UpdateProfile => update_profile(w, p, ch),
        _ => Err(D360Error::new(404, "Not found")),
    }
}

/// A webhook URL as 360dialog's Cloud API takes it (§3, SEEN M-WH): http(s), no `_` in the
/// host, and no explicit port, except on a loopback host, so a local receiver can be used
/// ([INF]).
pub(super) fn check_url(url: &str) -> Result<(), D360Error> {
    let bad = |why: &str| Err(D360Error::new(400, format!("Invalid webhook url: {why}")));
    let Ok(uri) = url.parse::<http::Uri>() else {
        return bad("not a URL");
    };
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return bad("http or https only");
    }
    let Some(host) = uri.host() else {
        return bad("no host");
    };
    if host.contains('_') {
        return bad("the host may not contain '_'");
    }
    let loopback = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
    if uri.port().is_some() && !loopback {
        return bad("the URL may not carry a port");
    }
    Ok(())
}

fn read_target(body: &Map<String, Value>) -> Result<WebhookTarget, D360Error> {
    let url = body
        .get("url")
        .and_then(Value::as_str)
        .ok_or_else(|| D360Error::wrong_payload("url is required"))?;
    check_url(url)?;
    let headers = match body.get("headers") {
        None | Some(Value::Null) => None,
        Some(h @ Value::Object(m)) => {
            m.iter().try_for_each(|(k, v)| check_header(k, v))?;
            Some(h.to_string())
        }
        Some(_) => return Err(D360Error::wrong_payload("headers must be an object")),
    };
    Ok(WebhookTarget {
        url: url.to_string(),
        headers,
    })
}

/// Headers framing the request itself, which a receiver's own headers may not replace.
const FRAMING_HEADERS: &[&str] = &["host", "content-length", "transfer-encoding", "connection"];

/// One of a webhook's `headers` (sent with each delivery, e.g. `Authorization: Basic …`):
/// a string value, both a valid HTTP header name and value, not one framing the request
/// ([INF]: 360dialog's check is not documented; docs/fidelity.md).
fn check_header(name: &str, value: &Value) -> Result<(), D360Error> {
    let bad = |why: String| Err(D360Error::wrong_payload(format!("headers.{name}: {why}")));
    let Some(value) = value.as_str() else {
        return bad("a header value is a string".into());
    };
    if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
        return bad("not a valid HTTP header name".into());
    }
    if FRAMING_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
        return bad("this header is set by the request itself".into());
    }
    if http::HeaderValue::from_str(value).is_err() {
        return bad("not a valid HTTP header value".into());
    }
    Ok(())
}

fn target_json(t: Option<&WebhookTarget>) -> Value {
    match t {
        None => json!({"url": Value::Null}),
        Some(t) => {
            let mut out = json!({"url": t.url});
            if let Some(h) = t
                .headers
                .as_deref()
                .and_then(|h| serde_json::from_str::<Value>(h).ok())
            {
                out["headers"] = h;
            }
            out
        }
    }
}

fn multi_json(w: &World, ch: &Channel) -> Value {
    let hooks = model::of(w)
        .number_webhooks
        .get(&ch.id)
        .cloned()
        .unwrap_or_default();
    let destinations: Vec<Value> = hooks
        .destinations
        .iter()
        .map(|(name, t)| {
            let mut d = target_json(Some(t));
            d["name"] = Value::from(name.clone());
            d
        })
        .collect();
    json!({"enabled": hooks.multi_enabled, "destinations": destinations})
}

/// `POST` enables or disables (with initial destinations), `PUT` appends, `PATCH` updates
/// by `name`; at most three, names unique and case-sensitive (§3, SEEN M-WH). A conflict is
/// 409 `{"message"}` there; this facade answers it in `{"error"}` like the endpoint's 401.
fn multi(w: &mut World, p: &Prepared, ch: &Channel) -> Reply {
    let body = body_object(p)?;
    let mut hooks = model::of(w)
        .number_webhooks
        .get(&ch.id)
        .cloned()
        .unwrap_or_default();
    let read_list = |v: Option<&Value>| -> Result<Vec<(String, WebhookTarget)>, D360Error> {
        let Some(v) = v else { return Ok(Vec::new()) };
        let items = v
            .as_array()
            .ok_or_else(|| D360Error::wrong_payload("destinations must be a list"))?;
        items
            .iter()
            .map(|d| {
                let obj = d
                    .as_object()
                    .ok_or_else(|| D360Error::wrong_payload("a destination is an object"))?;
                let name = obj
                    .get("name")
                    .and_then(Value::as_str)
                    .filter(|n| !n.is_empty())
                    .ok_or_else(|| D360Error::wrong_payload("a destination needs a name"))?;
                Ok((name.to_string(), read_target(obj)?))
            })
            .collect()
    };
    let given = read_list(body.get("destinations"))?;
    match p.op {
        Op::SetMultiWebhook => {
            hooks.multi_enabled = body
                .get("enabled")
                .and_then(Value::as_bool)
                .ok_or_else(|| D360Error::wrong_payload("enabled must be true or false"))?;
            if !given.is_empty() {
                hooks.destinations = Vec::new();
                add(&mut hooks.destinations, given)?;
            }
        }
        Op::AddMultiWebhook => add(&mut hooks.destinations, given)?,
        _ => {
            for (name, t) in given {
                let slot = hooks
                    .destinations
                    .iter_mut()
                    .find(|(n, _)| *n == name)
                    .ok_or_else(|| D360Error::new(404, format!("No destination named {name}")))?;
                slot.1 = t;
            }
        }
    }
    model::of_mut(w)
        .number_webhooks
        .insert(ch.id.clone(), hooks);
    Ok((
        200,
        json!({"message": "Multi-webhook configuration updated"}),
    ))
}

fn add(
    list: &mut Vec<(String, WebhookTarget)>,
    more: Vec<(String, WebhookTarget)>,
) -> Result<(), D360Error> {
    for (name, t) in more {
        if list.iter().any(|(n, _)| *n == name) {
            return Err(D360Error::new(
                409,
                format!("A destination named {name} already exists"),
            ));
        }
        if list.len() >= MAX_DESTINATIONS {
            return Err(D360Error::new(
                409,
                format!("At most {MAX_DESTINATIONS} destinations per number"),
            ));
        }
        list.push((name, t));
    }
    Ok(())
}

/// `GET /v1/configs/templates` (§3, SEEN KB/M-TPL): the Partner API's list shape, page of
/// 50 by default.
fn list_templates(w: &World, p: &Prepared, ch: &Channel) -> Reply {
    let s = scope(w, ch)?;
    let keys = &[
        "id",
        "business_templates.name",
        "status",
        "category",
        "language",
    ];
    let mut lp = listing::params(p, keys, "business_templates.name")?;
    if super::query_param(p, "limit").is_none() {
        lp.limit = 50;
    }
    let waba: u64 = s.waba.parse().unwrap_or_default();
    let items: Vec<Value> = w
        .wabas
        .get(&waba)
        .map(|x| x.templates.as_slice())
        .unwrap_or_default()
        .iter()
        .filter_map(|id| w.templates.get(id))
        .map(|t| template_json(w, t, &s.partner, &s.account))
        .collect();
    Ok((
        200,
        listing::page(items, &lp, "waba_templates", template_alias),
    ))
}

fn profile_json(p: &BusinessProfile) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "about": p.about,
        "address": p.address,
        "description": p.description,
        "email": p.email,
        "profile_picture_url": p.profile_picture_url,
        "vertical": p.vertical,
        "websites": p.websites,
    })
}

/// `POST /whatsapp_business_profile` (§3, SEEN M-PROF; answer `{"success":true}` [INF]),
/// with the documented length limits.
fn update_profile(w: &mut World, p: &Prepared, ch: &Channel) -> Reply {
    let s = scope(w, ch)?;
    let body = body_object(p)?;
    let text = |k: &str, max: usize| -> Result<Option<String>, D360Error> {
        match body.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(t)) if t.chars().count() <= max => Ok(Some(t.clone())),
            Some(_) => Err(D360Error::new(
                400,
                format!("{k} must be a string of at most {max} characters"),
            )),
        }
    };
    let websites = match body.get("websites") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) if list.len() <= 2 => list
            .iter()
            .map(|v| v.as_str().filter(|s| s.len() <= 256).map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| D360Error::new(400, "websites: at most 2 URLs of 256 characters"))?,
        Some(_) => {
            return Err(D360Error::new(
                400,
                "websites: at most 2 URLs of 256 characters",
            ));
        }
    };
    let about = text("about", 139)?;
    if about.as_deref() == Some("") {
        return Err(D360Error::new(400, "about must have 1 to 139 characters"));
    }
    let patch = BusinessProfile {
        about,
        address: text("address", 256)?,
        description: text("description", 512)?,
        email: text("email", 128)?,
        vertical: text("vertical", 64)?,
        websites,
        ..BusinessProfile::default()
    };
    w.update_business_profile(&s.who, &s.phone, patch)
        .map_err(|e| from_domain(&e))?;
    Ok((200, json!({"success": true})))
}
