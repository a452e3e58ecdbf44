//! Messaging in the control API: the billing ledger (`GET /__admin/billing`) and simulated
//! users (`POST /__admin/recipients`). A user writing in is `inbound.rs`.

use http::StatusCode;
use serde_json::{Value, json};

use super::{body_json, error, ok};
use crate::api::{Answer, Incoming};
use crate::clock::Timestamp;
use crate::namespace::Namespace;
use crate::world::World;
use crate::world::ledger::Totals;
use crate::world::phone::digits_only;
use crate::world::recipient::{Reach, Recipient};

fn totals(t: &Totals) -> Value {
    json!({"volume": t.volume, "cost": t.cost_micros as f64 / 1_000_000.0})
}

/// `GET /__admin/billing`: totals by business and by WABA, and the newest charges.
pub fn billing(ns: &Namespace) -> Answer {
    ok(ns.with_world(render), "billing")
}

fn render(w: &mut World) -> Value {
    let ledger = &w.messaging.ledger;
    let businesses: Vec<Value> = ledger
        .by_business
        .iter()
        .map(|(id, t)| json!({"business_id": id.to_string(), "charges": totals(t)}))
        .collect();
    let mut wabas: Vec<u64> = ledger.days.keys().map(|k| k.waba).collect();
    wabas.dedup();
    let wabas: Vec<Value> = wabas
        .iter()
        .map(|id| json!({"waba_id": id.to_string(), "charges": totals(&ledger.waba_totals(*id))}))
        .collect();
    let charges: Vec<Value> = ledger
        .charges
        .iter()
        .map(|c| {
            json!({
                "message_id": c.message,
                "business_id": c.business.to_string(),
                "waba_id": c.waba.to_string(),
                "phone_number_id": c.phone.to_string(),
                "country": c.country.0,
                "billable": c.pricing.billable,
                "pricing_type": c.pricing.kind.as_str(),
                "pricing_category": c.pricing.category.as_str(),
                "cost": c.cost_micros as f64 / 1_000_000.0,
                "sent_at": c.sent_at.rfc3339(),
                "delivered_at": c.delivered_at.rfc3339(),
            })
        })
        .collect();
    json!({
        "currency": "USD",
        "booked": ledger.booked,
        "businesses": businesses,
        "wabas": wabas,
        "charges": charges,
    })
}

/// `POST /__admin/recipients` `{"wa_id", "name"?, "reach"?: "online"|"unreachable",
/// "offline_until"?: RFC 3339, "stopped_marketing"?, "reads"?, "user_id"?}`.
pub fn describe(ns: &Namespace, req: &Incoming) -> Answer {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(a) => return a,
    };
    let text = |k: &str| body.get(k).and_then(Value::as_str);
    let Some(wa_id) = text("wa_id").and_then(digits_only) else {
        return error(
            StatusCode::BAD_REQUEST,
            "\"wa_id\" must be a phone number's digits",
        );
    };
    let reach = match (text("reach"), text("offline_until")) {
        (None | Some("online"), None) => Reach::Online,
        (Some("unreachable"), None) => Reach::Unreachable,
        (None | Some("offline"), Some(t)) => match Timestamp::parse_rfc3339(t) {
            Ok(t) => Reach::OfflineUntil(t),
            Err(e) => return error(StatusCode::BAD_REQUEST, format!("\"offline_until\": {e}")),
        },
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "\"reach\" is online or unreachable; an offline user gives only \"offline_until\"",
            );
        }
    };
    let flag = |k: &str, default: bool| body.get(k).and_then(Value::as_bool).unwrap_or(default);
    let r = Recipient {
        name: text("name").map(str::to_string),
        reach,
        stopped_marketing: flag("stopped_marketing", false),
        reads: flag("reads", true),
        user_id: text("user_id").map(str::to_string),
    };
    ns.with_world(|w| w.describe_recipient(&wa_id, r));
    ok(json!({"wa_id": wa_id}), "recipient_describe")
}
