//! `POST /__admin/inbound`: a simulated user writes to a business number. The 24-hour
//! window opens and the number's WABA hears a `messages` webhook (and 360dialog's channel
//! and ChatApp's space theirs). The body names the number and the user, then what they
//! write: a text, a file the business can fetch as Meta's media, or (`user_content.rs`) a
//! location, contacts, a reaction, a reply to a business's buttons, list or template, an
//! order, an unsupported message, or WhatsApp's notice of a changed number; `context`
//! quotes an earlier message of the conversation, `forwarded` or `frequently_forwarded`
//! says it was forwarded. Bad input is a 400 `{"error"}` naming the field; an unknown
//! number 404.

use http::StatusCode;
use serde_json::{Value, json};

use super::user_content::{self, Refusal};
use super::{body_json, error, ok};
use crate::api::{Answer, Incoming};
use crate::namespace::Namespace;
use crate::world::DomainError;
use crate::world::inbound::{Context, Forwarded};
use crate::world::inbound_media::{Received, ReceivedBytes};
use crate::world::media::MediaKind;
use crate::world::parse_id;
use crate::world::phone::digits_only;

/// The largest inbound text accepted (WhatsApp's own limit for a text message); also the
/// bound on every other string of a user's message (`user_content.rs`).
pub(super) const INBOUND_TEXT_MAX: usize = 4096;

/// How big a user's file is when the control API gives neither `data` nor `file_size`.
const DEFAULT_FILE_SIZE: usize = 1024;

/// The message types the control API takes, as its 400 lists them.
const TYPES: &str = "text, image, video, audio, document, sticker, location, contacts, \
                     reaction, interactive, button, order, system or unsupported";

/// `POST /__admin/inbound` `{"phone_number_id", "from", "text"?, "context"?: {"message_id"},
/// "forwarded"?: true | "frequently_forwarded"?: true}`, or with `"type"` and that type's
/// object: a media type (`{"type": "image", "image": {"mime_type"?, "data"? (base64) |
/// "file_size"?, "caption"?}}`; `filename` for a document, `voice` for audio, `animated` for
/// a sticker), or `location`, `contacts`, `reaction`, `interactive`, `button`, `order`,
/// `system`, `unsupported` (`user_content.rs`).
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
    let context = match context_of(&body) {
        Ok(c) => c,
        Err(a) => return a,
    };
    let kind = text("type").unwrap_or("text");
    if kind == "text" {
        let message = text("text").unwrap_or("Hello");
        if message.len() > INBOUND_TEXT_MAX {
            return error(
                StatusCode::BAD_REQUEST,
                "\"text\" is longer than 4096 bytes",
            );
        }
        let said = ns.with_world(|w| w.receive_text(phone, &from, message, context));
        return match said {
            Ok(id) => ok(json!({"message_id": id}), "inbound"),
            Err(e) => refused(phone, &from, &e),
        };
    }
    if let Some(media) = MediaKind::of_message_type(kind) {
        let mut file = match received(media, body.get(kind)) {
            Ok(f) => f,
            Err(a) => return a,
        };
        let link = crate::api::graph::media_url::Link::of(ns, req);
        file.link_host = Some(link.host);
        file.link_namespace = link.namespace;
        return match ns.with_world(|w| w.receive_media(phone, &from, file, context)) {
            Ok((message, media)) => ok(
                json!({"message_id": message, "media_id": media.to_string()}),
                "inbound",
            ),
            Err(e) => refused(phone, &from, &e),
        };
    }
    let quotes = matches!(context, Context::Quote(_));
    let content = match user_content::read(kind, body.get(kind), quotes) {
        Ok(c) => c,
        Err(Refusal::UnknownType) => {
            return error(StatusCode::BAD_REQUEST, format!("\"type\" is {TYPES}"));
        }
        Err(Refusal::Bad(why)) => return error(StatusCode::BAD_REQUEST, why),
    };
    let said = ns.with_world(|w| w.receive_content(phone, &from, content, context));
    match (said, kind) {
        (Ok(id), _) => ok(json!({"message_id": id}), "inbound"),
        (Err(DomainError::MessageIdInvalid { id }), "reaction") => error(
            StatusCode::BAD_REQUEST,
            format!(
                "\"reaction.message_id\" {id:?} is no message of this number's conversation with {from}"
            ),
        ),
        (Err(DomainError::MessageIdInvalid { id }), "system") => error(
            StatusCode::BAD_REQUEST,
            format!("\"context.message_id\" {id:?}: a system message quotes nothing"),
        ),
        (Err(DomainError::MessageIdInvalid { id }), "interactive" | "button") => error(
            StatusCode::BAD_REQUEST,
            format!(
                "\"context.message_id\" {id:?} is no message this number sent to {from}: \
                 a reply to a button, list or template answers one the business sent"
            ),
        ),
        (Err(e), _) => refused(phone, &from, &e),
    }
}

/// `context.message_id` when the body quotes a message, or the forward `forwarded` or
/// `frequently_forwarded` tells: one of the three at most (Meta's forwarded `context` has
/// no `from` or `id`, and one flag or the other by the forward count).
fn context_of(body: &Value) -> Result<Context<'_>, Answer> {
    let bad = |why: &str| Err(error(StatusCode::BAD_REQUEST, why));
    let mut flags = Vec::new();
    for (key, f) in [
        ("forwarded", Forwarded::Forwarded),
        ("frequently_forwarded", Forwarded::Frequently),
    ] {
        match body.get(key) {
            None | Some(Value::Null | Value::Bool(false)) => {}
            Some(Value::Bool(true)) => flags.push(f),
            Some(_) => return bad(&format!("\"{key}\" must be true or false")),
        }
    }
    let quote = match body.get("context") {
        None | Some(Value::Null) => None,
        Some(c) => match c.get("message_id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() && id.len() <= INBOUND_TEXT_MAX => Some(id),
            _ => {
                return bad(
                    "\"context\" must be {\"message_id\": the wamid of the message quoted}",
                );
            }
        },
    };
    match (quote, flags.as_slice()) {
        (None, []) => Ok(Context::Fresh),
        (Some(id), []) => Ok(Context::Quote(id)),
        (None, [f]) => Ok(Context::Forwarded(*f)),
        (Some(_), _) => {
            bad("a forwarded message quotes nothing: give \"context\" or \"forwarded\", not both")
        }
        (None, _) => bad(
            "give \"forwarded\" (forwarded up to five times) or \"frequently_forwarded\" (more), not both",
        ),
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

/// The world's refusal of a user's message, as the control API tells it.
fn refused(phone: u64, from: &str, e: &DomainError) -> Answer {
    match e {
        DomainError::MessageIdInvalid { id } => error(
            StatusCode::BAD_REQUEST,
            format!(
                "\"context.message_id\" {id:?} is no message of this number's conversation with {from}"
            ),
        ),
        DomainError::MediaTypeUnsupported { mime } => error(
            StatusCode::BAD_REQUEST,
            format!("\"mime_type\" {mime:?} does not suit the message type"),
        ),
        DomainError::InvalidParameter { param, details } => {
            error(StatusCode::BAD_REQUEST, format!("\"{param}\": {details}"))
        }
        DomainError::MediaTooLarge { kind, size, limit } => error(
            StatusCode::BAD_REQUEST,
            format!(
                "{kind} file has size {size} bytes but must be non-empty and at most {limit} bytes"
            ),
        ),
        _ => error(StatusCode::NOT_FOUND, format!("no phone number {phone}")),
    }
}
