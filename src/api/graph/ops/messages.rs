//! `POST /{phone_number_id}/messages`: sending (text, template, media by id or link,
//! reaction, interactive, location, contacts), and read receipts with the typing indicator
//! (`status: read`); a reply's `context` and a reaction name an earlier message, which the
//! world resolves. Reference messaging-and-360dialog.md, "Cloud API messages + media"
//! (request and response, OAS) and "Messaging error codes"; the rules themselves are the
//! world's (`world/message.rs`).

use serde_json::Value;

use super::super::prepare::Prepared;
use super::{Fail, required, success};
use crate::api::graph::template_send::{TemplateSend, template_send};
use crate::api::json::Obj;
use crate::world::message::{Content, Send};
use crate::world::phone::digits_only;
use crate::world::{DomainError, Principal, World};

/// Media types a message may carry by `id` or `link` (OAS).
const MEDIA: [&str; 5] = ["image", "audio", "video", "document", "sticker"];

/// The largest `biz_opaque_callback_data` kept (OAS: 512 characters).
const CALLBACK_DATA_MAX: usize = 512;

pub fn send(w: &mut World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let node = p.route.node.as_str();
    let product = required(&p.params, "messaging_product")?;
    if product != "whatsapp" {
        return Err(DomainError::param(
            "messaging_product",
            "Param messaging_product must be one of {WHATSAPP} - got \"{product}\".",
        )
        .into());
    }
    if p.params.text("status").as_deref() == Some("read") {
        let id = required(&p.params, "message_id")?;
        w.mark_read(who, node, &id)?;
        return Ok(success());
    }
    let input = required(&p.params, "to")?;
    let to = digits_only(&input).ok_or_else(|| invalid("to", "Invalid parameter to"))?;
    let kind = p.params.text("type").unwrap_or("text".into()).into_owned();
    let template = check_content(p, &kind)?;
    let content = template
        .as_ref()
        .map_or(Content::FreeForm, TemplateSend::content);
    let callback_data = p
        .params
        .text("biz_opaque_callback_data")
        .map(|d| d.chars().take(CALLBACK_DATA_MAX).collect());
    let media_id = media_id(p, &kind);
    let context = named_message(p, "context");
    let reaction_to = (kind == "reaction")
        .then(|| named_message(p, "reaction"))
        .flatten();
    let send = Send {
        phone: node,
        to: &to,
        content,
        media_id: media_id.as_deref().map(|id| (kind.as_str(), id)),
        callback_data,
        with_conversation: with_conversation(&p.route.version),
        context: context.as_deref(),
        reaction: kind == "reaction",
        reaction_to: reaction_to.as_deref(),
    };
    let accepted = w.send_message(who, &send)?;
    let mut buf = Vec::with_capacity(256);
    let mut o = Obj::new(&mut buf);
    o.str("messaging_product", "whatsapp");
    o.arr("contacts", |a| {
        a.obj(|c| {
            c.str("input", &input).str("wa_id", &accepted.wa_id);
        });
    });
    o.arr("messages", |a| {
        a.obj(|m| {
            m.str("id", &accepted.id);
            if accepted.template {
                m.str("message_status", "accepted");
            }
        });
    });
    o.end();
    Ok(buf)
}

/// Sends count against the `whatsapp` Business-Use-Case type, not management's (reference
/// messaging-and-360dialog.md, "Real response headers": botpress/messaging#676, v20.0).
pub fn usage_as_messaging(answer: &mut crate::api::Answer) {
    const HEADER: &str = "x-business-use-case-usage";
    let Some(v) = answer.headers.get(HEADER).and_then(|v| v.to_str().ok()) else {
        return;
    };
    let text = v.replace(
        r#""type":"whatsapp_business_management""#,
        r#""type":"whatsapp""#,
    );
    if let Ok(v) = http::HeaderValue::from_str(&text) {
        answer.headers.insert(HEADER, v);
    }
}

/// A media message's uploaded `id` (text or a JSON number), which the world checks against
/// the sender's uploads; `None` for a `link` or another type.
fn media_id(p: &Prepared, kind: &str) -> Option<String> {
    if !MEDIA.contains(&kind) {
        return None;
    }
    match p.params.json(kind)?.ok()?.get("id")? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// The earlier message an object names (`context.message_id`, `reaction.message_id`), which
/// the world resolves for the sending number (`World::earlier_message`).
fn named_message(p: &Prepared, object: &str) -> Option<String> {
    match p.params.json(object)?.ok()?.get("message_id")? {
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// `conversation` rides on status webhooks up to v23.0 (STATUS: the path's version decides).
fn with_conversation(version: &str) -> bool {
    version
        .strip_prefix('v')
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse::<u32>().ok())
        .is_none_or(|major| major <= 23)
}

fn invalid(param: &str, details: &str) -> DomainError {
    DomainError::param(param, details)
}

/// The type's object: present, an object, with what the type needs (OAS schemas).
fn check_content(p: &Prepared, kind: &str) -> Result<Option<TemplateSend>, Fail> {
    let object = match p.params.json(kind) {
        Some(Ok(Value::Object(o))) => o,
        // `contacts` is a list of contact cards (OAS).
        Some(Ok(Value::Array(cards))) if kind == "contacts" && !cards.is_empty() => {
            return Ok(None);
        }
        Some(_) => {
            return Err(invalid(kind, &format!("Param {kind} must be a JSON object")).into());
        }
        None if is_known(kind) => {
            return Err(invalid(kind, &format!("The parameter {kind} is required.")).into());
        }
        None => {
            return Err(invalid("type", &format!("Unsupported message type: {kind}")).into());
        }
    };
    let has = |k: &str| object.get(k).is_some_and(|v| !v.is_null());
    let need = |ok: bool, what: &str| {
        if ok {
            Ok(())
        } else {
            Err(Fail::from(invalid(
                kind,
                &format!("Parameter '{what}' is mandatory for {kind}"),
            )))
        }
    };
    match kind {
        "text" => need(
            object
                .get("body")
                .and_then(Value::as_str)
                .is_some_and(|b| !b.is_empty()),
            "body",
        )?,
        "reaction" => need(has("message_id") && has("emoji"), "message_id")?,
        "location" => need(has("latitude") && has("longitude"), "latitude")?,
        "interactive" => need(has("type") && has("action"), "action")?,
        "contacts" => need(false, "contacts")?,
        "template" => return Ok(Some(template_send(&object)?)),
        m if MEDIA.contains(&m) => need(has("id") || has("link"), "id")?,
        _ => return Err(invalid("type", &format!("Unsupported message type: {kind}")).into()),
    }
    Ok(None)
}

fn is_known(kind: &str) -> bool {
    MEDIA.contains(&kind)
        || matches!(
            kind,
            "text" | "reaction" | "location" | "interactive" | "contacts" | "template"
        )
}
