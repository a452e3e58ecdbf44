//! Messaging in the control API: the billing ledger (`GET /__admin/billing`), simulated
//! users (`POST /__admin/recipients`) and a user writing to a business number
//! (`POST /__admin/inbound`, which opens the 24-hour window and sends a `messages` webhook,
//! with a text or a file the business can then fetch as Meta's media).

use http::StatusCode;
use serde_json::{Value, json};

use super::{body_json, error, ok};
use crate::api::{Answer, Incoming};
use crate::clock::Timestamp;
use crate::namespace::Namespace;
use crate::world::DomainError;
use crate::world::inbound_media::{Received, ReceivedBytes};
use crate::world::ledger::Totals;
use crate::world::media::MediaKind;
use crate::world::phone::digits_only;
use crate::world::recipient::{Reach, Recipient};
use crate::world::{World, parse_id};

/// The largest inbound text accepted (WhatsApp's own limit for a text message).
const INBOUND_TEXT_MAX: usize = 4096;

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

/// How big a user's file is when the control API gives neither `data` nor `file_size`.
const DEFAULT_FILE_SIZE: usize = 1024;

/// `POST /__admin/inbound` `{"phone_number_id", "from", "text"}`, or with `"type"` a media
/// type and that type's object (`{"type": "image", "image": {"mime_type"?, "data"? (base64) |
/// "file_size"?, "caption"?}}`; `filename` for a document, `voice` for audio, `animated` for
/// a sticker): a user writes in.
pub fn inbound(ns: &Namespace, req: &Incoming) -> Answer {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(a) => return a,
    };
    let text = |k: &str| body.get(k).and_then(Value::as_str);
    let Some(phone) = text("phone_number_id").and_then(parse_id) else {
        return error(StatusCode::BAD_REQUEST, "\"phone_number_id\" must be an id");
    };
    let Some(from) = text("from").and_then(digits_only) else {
        return error(
            StatusCode::BAD_REQUEST,
            "\"from\" must be a phone number's digits",
        );
    };
    match text("type") {
        None | Some("text") => {}
        Some(t) => {
            let Some(kind) = MediaKind::of_message_type(t) else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "\"type\" is text, image, video, audio, document or sticker",
                );
            };
            let mut file = match received(kind, body.get(t)) {
                Ok(f) => f,
                Err(a) => return a,
            };
            let link = crate::api::graph::media_url::Link::of(ns, req);
            file.link_host = Some(link.host);
            file.link_namespace = link.namespace;
            return match ns.with_world(|w| w.receive_media(phone, &from, file)) {
                Ok((message, media)) => ok(
                    json!({"message_id": message, "media_id": media.to_string()}),
                    "inbound",
                ),
                Err(e) => refused(phone, &e),
            };
        }
    }
    let message = text("text").unwrap_or("Hello");
    if message.len() > INBOUND_TEXT_MAX {
        return error(
            StatusCode::BAD_REQUEST,
            "\"text\" is longer than 4096 bytes",
        );
    }
    match ns.with_world(|w| w.receive_message(phone, &from, message)) {
        Ok(id) => ok(json!({"message_id": id}), "inbound"),
        Err(_) => error(StatusCode::NOT_FOUND, format!("no phone number {phone}")),
    }
}

/// The file a media type's object describes. `data` is bounded by the control API's body
/// limit (16 MiB), then like `file_size` by the kind's limit and `--media-bytes` in the world.
fn received(kind: MediaKind, object: Option<&Value>) -> Result<Received, Answer> {
    let empty = serde_json::Map::new();
    let o = match object {
        None => &empty,
        Some(Value::Object(o)) => o,
        Some(_) => {
            let t = kind.message_type();
            return Err(error(
                StatusCode::BAD_REQUEST,
                format!("\"{t}\" must be an object"),
            ));
        }
    };
    let text = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
    let bytes = match (o.get("data"), o.get("file_size")) {
        (Some(_), Some(_)) => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "give \"data\" or \"file_size\", not both",
            ));
        }
        (Some(d), None) => {
            use base64::Engine as _;
            let decoded = d
                .as_str()
                .and_then(|d| base64::engine::general_purpose::STANDARD.decode(d).ok());
            match decoded {
                Some(b) => ReceivedBytes::Given(b.into()),
                None => {
                    return Err(error(
                        StatusCode::BAD_REQUEST,
                        "\"data\" must be the file in base64",
                    ));
                }
            }
        }
        (None, Some(n)) => match n.as_u64().and_then(|n| usize::try_from(n).ok()) {
            Some(n) => ReceivedBytes::Placeholder(n),
            None => {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    "\"file_size\" must be a number of bytes",
                ));
            }
        },
        (None, None) => ReceivedBytes::Placeholder(DEFAULT_FILE_SIZE),
    };
    Ok(Received {
        kind,
        mime: text("mime_type"),
        bytes,
        caption: text("caption"),
        filename: text("filename"),
        flag: ["voice", "animated"]
            .iter()
            .any(|k| o.get(*k).and_then(Value::as_bool) == Some(true)),
        link_host: None,
        link_namespace: None,
    })
}

/// The world's refusal of a user's file, as the control API tells it.
fn refused(phone: u64, e: &DomainError) -> Answer {
    match e {
        DomainError::MediaTypeUnsupported { mime } => error(
            StatusCode::BAD_REQUEST,
            format!("\"mime_type\" {mime:?} does not suit the message type"),
        ),
        DomainError::MediaTooLarge { kind, size, limit } => error(
            StatusCode::BAD_REQUEST,
            format!(
                "{kind} file has size {size} bytes but must be non-empty and at most {limit} bytes"
            ),
        ),
        _ => error(StatusCode::NOT_FOUND, format!("no phone number {phone}")),
    }
}
