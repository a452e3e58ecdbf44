//! The Messaging API's `POST /messages` (`waba-v2.360dialog.io`, header `D360-API-KEY`):
//! Graph's Cloud API send proxied for the key's channel — Meta's body, no version and no phone
//! id in the path (messaging-and-360dialog.md, "360dialog Messaging API": "Host and auth",
//! "Proxied paths" `POST /messages`). It makes the world call Graph's
//! `POST /{phone}/messages` makes (`api/graph/ops/messages.rs`), for the channel's number as
//! 360dialog (the WABA's partner at Meta), so the message is billed to the channel's WABA and
//! its statuses go to that WABA's subscribers. Meta's errors are passed through raw as
//! `{"error":{…}}` with Graph's status (same section, "Error bodies": INFERRED), except
//! integrity errors (368, 130497) with 403 ("360dialog's own errors").

use serde_json::{Map, Value, json};

use super::errors::D360Error;
use super::messaging::scope;
use super::model::Channel;
use super::{Prepared, Reply};
use crate::api::graph::errors::GraphError;
use crate::api::graph::template_send::{TemplateSend, template_send};
use crate::world::message::{Content, Send};
use crate::world::phone::digits_only;
use crate::world::{DomainError, World};

/// Media types a message may carry by `id` or `link` (Cloud API send request, OAS).
const MEDIA: [&str; 5] = ["image", "audio", "video", "document", "sticker"];

/// The largest `biz_opaque_callback_data` kept (OAS: 512 characters).
const CALLBACK_DATA_MAX: usize = 512;

/// Which Graph version 360dialog's proxy behaves as: it publishes none, so statuses of its
/// sends carry `conversation` as v23.0 does (inferred: docs/fidelity.md).
const CARRIES_CONVERSATION: bool = true;

pub fn send(w: &mut World, p: &Prepared, ch: &Channel) -> Reply {
    let s = scope(w, ch)?;
    let body = read_body(p)?;
    let text = |k: &str| body.get(k).and_then(Value::as_str);
    let product = text("messaging_product").ok_or_else(|| meta(missing("messaging_product")))?;
    if product != "whatsapp" {
        return Err(meta(DomainError::param(
            "messaging_product",
            format!("Param messaging_product must be one of {{WHATSAPP}} - got \"{product}\"."),
        )));
    }
    if text("status") == Some("read") {
        let id = text("message_id").ok_or_else(|| meta(missing("message_id")))?;
        w.mark_read(&s.who, &s.phone, id).map_err(meta)?;
        return Ok((200, json!({"success": true})));
    }
    let input = text("to").ok_or_else(|| meta(missing("to")))?;
    let to =
        digits_only(input).ok_or_else(|| meta(DomainError::param("to", "Invalid parameter to")))?;
    let kind = text("type").unwrap_or("text");
    let template = content(&body, kind).map_err(meta)?;
    let content = template
        .as_ref()
        .map_or(Content::FreeForm, TemplateSend::content);
    let media_id = MEDIA
        .contains(&kind)
        .then(|| body.get(kind)?.get("id").cloned())
        .flatten()
        .and_then(|v| match v {
            Value::String(s) => Some(s),
            Value::Null => None,
            other => Some(other.to_string()),
        });
    let send = Send {
        phone: &s.phone,
        to: &to,
        content,
        media_id: media_id.as_deref().map(|id| (kind, id)),
        callback_data: text("biz_opaque_callback_data")
            .map(|d| d.chars().take(CALLBACK_DATA_MAX).collect()),
        with_conversation: CARRIES_CONVERSATION,
        context: named_message(&body, "context"),
        reaction: kind == "reaction",
        reaction_to: (kind == "reaction")
            .then(|| named_message(&body, "reaction"))
            .flatten(),
    };
    let accepted = w.send_message(&s.who, &send).map_err(meta)?;
    let mut message = json!({"id": accepted.id});
    if accepted.template {
        message["message_status"] = json!("accepted");
    }
    Ok((
        200,
        json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": input, "wa_id": accepted.wa_id}],
            "messages": [message],
        }),
    ))
}

/// `PUT /messages/{wamid}` `{"status":"read"}`: the On-Premises way of marking a message
/// read that 360dialog's .NET client still sends (messaging-and-360dialog.md, "Mark as read",
/// SEEN NET; "accept both" INFERRED), made as Graph's read for the channel's number; an
/// empty body is a read too. Answers Cloud's `{"success": true}` ([INF]: docs/fidelity.md).
pub fn mark_read(w: &mut World, p: &Prepared, ch: &Channel) -> Reply {
    let s = scope(w, ch)?;
    let id = p.args.first().map(String::as_str).unwrap_or_default();
    if !p.body.iter().all(u8::is_ascii_whitespace) {
        let body = read_body(p)?;
        match body.get("status").and_then(Value::as_str) {
            Some("read") => {}
            Some(other) => {
                return Err(meta(DomainError::param(
                    "status",
                    format!("Param status must be one of {{READ}} - got \"{other}\"."),
                )));
            }
            None => return Err(meta(missing("status"))),
        }
    }
    w.mark_read(&s.who, &s.phone, id).map_err(meta)?;
    Ok((200, json!({"success": true})))
}

/// The earlier message an object of the body names (`context.message_id`,
/// `reaction.message_id`), which the world resolves for the channel's number.
fn named_message<'b>(body: &'b Map<String, Value>, object: &str) -> Option<&'b str> {
    body.get(object)?.get("message_id")?.as_str()
}

/// The body as a JSON object; anything else is Meta's `(#100)` for a body it cannot read.
fn read_body(p: &Prepared) -> Result<Map<String, Value>, D360Error> {
    match serde_json::from_slice::<Value>(&p.body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(meta(DomainError::param(
            "body",
            "The request body must be a JSON object",
        ))),
    }
}

fn missing(param: &str) -> DomainError {
    DomainError::param(param, format!("The parameter {param} is required."))
}

/// A template's `(name, language, header params, body params)`, or `None` for a free-form
/// type; the type's object must be there with what the type needs (OAS schemas, as Graph's
/// send reads them).
#[allow(clippy::type_complexity)]
fn content(body: &Map<String, Value>, kind: &str) -> Result<Option<TemplateSend>, DomainError> {
    let bad = |details: String| DomainError::param(kind, details);
    let object = match body.get(kind) {
        Some(Value::Object(o)) => o,
        Some(Value::Array(cards)) if kind == "contacts" && !cards.is_empty() => return Ok(None),
        Some(_) => return Err(bad(format!("Param {kind} must be a JSON object"))),
        None if MEDIA.contains(&kind) || is_other_type(kind) => {
            return Err(bad(format!("The parameter {kind} is required.")));
        }
        None => {
            return Err(DomainError::param(
                "type",
                format!("Unsupported message type: {kind}"),
            ));
        }
    };
    let has = |k: &str| object.get(k).is_some_and(|v| !v.is_null());
    let need = |ok: bool, what: &str| match ok {
        true => Ok(None),
        false => Err(bad(format!("Parameter '{what}' is mandatory for {kind}"))),
    };
    match kind {
        "text" => need(
            object
                .get("body")
                .and_then(Value::as_str)
                .is_some_and(|b| !b.is_empty()),
            "body",
        ),
        "reaction" => need(has("message_id") && has("emoji"), "message_id"),
        "location" => need(has("latitude") && has("longitude"), "latitude"),
        "interactive" => need(has("type") && has("action"), "action"),
        "contacts" => need(false, "contacts"),
        "template" => template_send(object).map(Some),
        m if MEDIA.contains(&m) => need(has("id") || has("link"), "id"),
        _ => Err(DomainError::param(
            "type",
            format!("Unsupported message type: {kind}"),
        )),
    }
}

fn is_other_type(kind: &str) -> bool {
    matches!(
        kind,
        "text" | "reaction" | "location" | "interactive" | "contacts" | "template"
    )
}

/// A Meta rule broken through the proxy: Graph's error, passed through (INFERRED, see the
/// module's doc); integrity errors answer 403 (SEEN D-ERR).
pub(super) fn meta(e: DomainError) -> D360Error {
    let mut g = crate::api::graph::errors::from_domain(&e, "post");
    if matches!(g.code, 368 | 130497) {
        g.status = 403;
    }
    let mut err = D360Error::new(g.status, g.message.clone());
    err.code = e.name().to_string();
    err.graph = Some(Box::new(g));
    err
}

/// The Graph envelope of a passed-through error, with the request's trace as `fbtrace_id`.
pub fn graph_body(g: &GraphError, trace: &str) -> Value {
    serde_json::from_slice(&g.body(trace)).unwrap_or(Value::Null)
}
