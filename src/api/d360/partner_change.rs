//! Partner change requests (360dialog reference §1.3): the auto-approve setting, the
//! destination partner's list and approval, and wabasim's stand-ins for what a client does in
//! the Client Hub, which has no public API (filing a partner change; the On-Premise → Cloud
//! API switch, §2 S7).

use serde_json::{Value, json};

use super::errors::D360Error;
use super::listing::{self, same};
use super::model::{self, D360Binding, PartnerChange};
use super::partner::channel_json;
use super::{Op, Prepared, Reply, body_object};
use crate::world::World;

/// `PATCH …/settings/partner_change_request` `{"auto_approve": true}` (the doc's curl sends
/// `"true"`: both are read; §1.3).
pub fn set_auto_approve(w: &mut World, p: &Prepared, partner: &str) -> Reply {
    let body = body_object(p)?;
    let on = match body.get("auto_approve") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) if s == "true" || s == "false" => s == "true",
        _ => {
            return Err(D360Error::wrong_payload(
                "auto_approve must be true or false",
            ));
        }
    };
    if let Some(x) = model::of_mut(w)
        .partners
        .iter_mut()
        .find(|x| x.id == partner)
    {
        x.auto_approve = on;
    }
    Ok((200, json!({ "auto_approve": on })))
}

fn pcr_json(pcr: &PartnerChange) -> Value {
    json!({
        "id": pcr.id,
        "status": pcr.status(),
        "is_full_migration": pcr.partial.is_none(),
        "source_client_id": pcr.client,
        "target_client_id": pcr.partial.as_ref().map(|m| m.target_client.clone()),
        "waba_account_id": pcr.partial.as_ref().map(|m| m.waba_account.clone()),
        "source_partner_id": pcr.source_partner,
        "target_partner_id": pcr.target_partner,
        "channel_ids": pcr.channel_ids,
        "created_at": pcr.created_at.rfc3339(),
        "updated_at": pcr.updated_at().rfc3339(),
    })
}

const PCR_KEYS: &[&str] = &[
    "id",
    "status",
    "created_at",
    "is_full_migration",
    "source_client_id",
    "target_client_id",
    "source_partner_id",
    "target_partner_id",
];

/// The partner's requests, incoming and outgoing (§1.3; items key [INF]
/// `partner_change_requests`).
pub fn list(w: &World, p: &Prepared, partner: &str) -> Reply {
    let lp = listing::params(p, PCR_KEYS, "-created_at")?;
    let items: Vec<Value> = model::of(w)
        .partner_changes
        .iter()
        .filter(|x| x.target_partner == partner || x.source_partner == partner)
        .map(pcr_json)
        .collect();
    Ok((
        200,
        listing::page(items, &lp, "partner_change_requests", same),
    ))
}

/// The destination partner accepts a request (§1.3; path [INF] §5 #1): `pending`, then
/// `completed` after `partner_change_delay`.
pub fn approve(w: &mut World, partner: &str, id: &str) -> Reply {
    let now = w.now();
    let b = model::of_mut(w);
    let pcr = b
        .partner_changes
        .iter_mut()
        .find(|x| x.id == id && x.target_partner == partner)
        .ok_or_else(|| D360Error::not_found("Partner change request", id))?;
    if pcr.approved_at.is_some() {
        return Err(D360Error::new(
            400,
            format!("Partner change request {id} is already {}", pcr.status()),
        ));
    }
    pcr.approved_at = Some(now);
    let out = pcr_json(pcr);
    Ok((200, out))
}

/// `POST /client-hub/clients/{cid}/partner_change` `{"partner_id": "<target>",
/// "waba_account_id"?}`: what the client does in the Client Hub (§1.3: Profile → Partner →
/// Change Partner). Without `waba_account_id` all the client's numbers move (a full
/// migration, S4); with it only that WABA account's, to a clone of the client created under
/// the target partner (a partial change, `is_full_migration: false`: S5, [INF]).
pub fn client_hub(w: &mut World, p: &Prepared) -> Reply {
    match p.op {
        Op::RequestPartnerChange => {}
        Op::ChangeHostingType => return change_hosting_type(w, p),
        _ => return Err(D360Error::new(404, "Not found")),
    }
    let cid = p.args.first().cloned().unwrap_or_default();
    let body = body_object(p)?;
    let target = body
        .get("partner_id")
        .and_then(Value::as_str)
        .ok_or_else(|| D360Error::wrong_payload("partner_id is required"))?
        .to_string();
    let only = match body.get("waba_account_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(wa)) => Some(wa.clone()),
        Some(_) => return Err(D360Error::wrong_payload("waba_account_id must be a string")),
    };
    let (source, auto) = admissible(model::of(w), &cid, &target)?;
    let b = model::of(w);
    if let Some(wa) = &only
        && b.waba_account(wa).is_none_or(|a| a.client != cid)
    {
        return Err(D360Error::not_found("WABA account", wa));
    }
    let channel_ids: Vec<String> = b
        .channels
        .iter()
        .filter(|c| {
            b.waba_account(&c.waba_account)
                .is_some_and(|a| a.client == cid && only.as_ref().is_none_or(|wa| *wa == a.id))
        })
        .map(|c| c.id.clone())
        .collect();
    let id = D360Binding::fresh_id(w, "PCR");
    let partial = only.map(|waba_account| model::PartialMove {
        waba_account,
        target_client: D360Binding::fresh_id(w, "CL"),
    });
    let now = w.now();
    let pcr = PartnerChange {
        id,
        client: cid,
        source_partner: source,
        target_partner: target,
        channel_ids,
        partial,
        created_at: now,
        approved_at: auto.then_some(now),
        done: false,
    };
    let out = pcr_json(&pcr);
    model::of_mut(w).partner_changes.push(pcr);
    Ok((201, out))
}

/// Whether client `cid` may move to partner `target`, as the Hub decides (§1.3, SEEN PC-C):
/// another payment processor or a lower plan (a downgrade) is refused, and one request at a
/// time. Gives the source partner and whether the target approves automatically.
fn admissible(b: &D360Binding, cid: &str, target: &str) -> Result<(String, bool), D360Error> {
    let client = b
        .client(cid)
        .ok_or_else(|| D360Error::not_found("Client", cid))?;
    let source = b.partner(&client.partner).cloned().unwrap_or_default();
    let dest = b
        .partner(target)
        .ok_or_else(|| D360Error::not_found("Partner", target))?;
    let refuse = |why: &str| Err(D360Error::new(400, why));
    if dest.id == source.id {
        return refuse("The client already belongs to this partner");
    }
    if dest.payment_processor != source.payment_processor {
        return refuse("Destination partner is using a different payment processor.");
    }
    if dest.plan < source.plan {
        return refuse("A partner change to a lower plan (downgrade) is not allowed.");
    }
    if b.partner_changes.iter().any(|x| x.client == cid && !x.done) {
        return refuse("A partner change request for this client is already open");
    }
    Ok((source.id, dest.auto_approve))
}

/// `POST /client-hub/channels/{ch}/hosting_type_change`: the Hub-only switch from the
/// On-Premise API to the Cloud API (§2 S7, SEEN HOST: "no public endpoint"). The number must
/// be registered on On-Premise; it keeps its channel id, name, quality and templates; its API
/// keys stop working (a new one is needed, SEEN HOST) and its webhook must be set again.
fn change_hosting_type(w: &mut World, p: &Prepared) -> Reply {
    use crate::world::vocab::Platform;
    let id = p.args.first().cloned().unwrap_or_default();
    let ch = model::of(w)
        .channel(&id)
        .cloned()
        .ok_or_else(|| D360Error::not_found("Channel", &id))?;
    let record = model::record(w, &ch)
        .filter(|r| r.is_live() && r.is_registered() && r.platform == Platform::OnPremise)
        .map(|r| r.id)
        .ok_or_else(|| {
            D360Error::new(
                400,
                "The number must be connected and registered on the On-Premise API",
            )
        })?;
    if let Some(phone) = w.phones.get_mut(&record) {
        phone.platform = Platform::CloudApi;
    }
    let b = model::of_mut(w);
    if let Some(c) = b.channels.iter_mut().find(|c| c.id == id) {
        c.api_keys.clear();
    }
    b.number_webhooks.remove(&id);
    Ok((200, channel_json(w, &ch)))
}
