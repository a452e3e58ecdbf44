//! SendChatappMessage: one WhatsApp message from a number of the space, through the same
//! world send Graph's `POST /{phone}/messages` makes (`world::message`), so the message is
//! billed, rate-limited and reported by the same rules whichever facade sent it.
//!
//! Parameters (SDK 5.3.1 `SendChatappMessageRequest`; the API page "SendChatappMessage"):
//! `ChannelType` (`whatsapp`), `Type` (`message` | `template`), `MessageType` for a message
//! (`text`, `image`, `video`, `audio`, `document`, `sticker`, `interactive`, `location`,
//! `contacts`, `reaction`), `From` and `To` (digits with country code), `Content` (JSON text:
//! `text`; `link` with `caption`, and `fileName` for a document; ...), `TemplateCode` or
//! `TemplateName` with `Language`, `TemplateParams` (JSON object: variable name -> value),
//! `TaskId`, `CustSpaceId`. The answer is `MessageId` in the common envelope.
//!
//! Alibaba's validation codes are those of the CAMS error page (alibaba-cams.md §6.4, row
//! "message-sending validation"); which check answers which code is read from the code
//! names (`ContentNotEmpty`, `LinkNotEmpty`, ...), and the order of the checks is inferred
//! (docs/fidelity.md, "Alibaba sends"). The world's refusals come back through
//! `errors::from_domain`.

use serde_json::{Map, Value};

use super::Prepared;
use super::errors::CamsError;
use super::model::{self, SentMessage};
use super::operations::{Handled, ok, required, space_waba};
use super::render;
use crate::world::message::{Content, Send};
use crate::world::phone::digits_only;
use crate::world::template_content::send_variable_names;
use crate::world::vocab::PhoneStatus;
use crate::world::{DomainError, Id, Principal, World};

/// `MessageType`s of a WhatsApp message and the `Content` key each needs (SDK 5.3.1's
/// `Content` notes): `None` where the need is not a single key.
const MESSAGE_TYPES: &[(&str, Option<&str>)] = &[
    ("text", Some("text")),
    ("image", Some("link")),
    ("video", Some("link")),
    ("audio", Some("link")),
    ("document", Some("link")),
    ("sticker", Some("link")),
    ("interactive", None),
    ("location", None),
    ("contacts", None),
    ("reaction", None),
];

/// The largest `TaskId` kept for the receipts (inferred: the SDK documents none).
const TASK_ID_MAX: usize = 64;

pub fn send_message(w: &mut World, who: &Principal, p: &Prepared) -> Handled {
    let channel = required(p, "ChannelType")?;
    if !channel.eq_ignore_ascii_case("whatsapp") {
        return Err(refuse(
            "InvalidParameter.ChannelTypeNotSupport",
            format!("ChannelType {channel} is not supported: only whatsapp is simulated."),
        )
        .into());
    }
    let from = required(p, "From")?;
    if !from.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refuse(
            "InvalidParameter.FromOnlyNumeric",
            "From must be the number's digits with its country code.",
        )
        .into());
    }
    let to = digits_only(required(p, "To")?).ok_or_else(|| {
        refuse(
            "InvalidParameter.PhoneNumberError",
            "To must be the recipient's number with its country code.",
        )
    })?;
    let (_, waba) = space_waba(w, who, p)?;
    let phone = sender(w, from, waba)?;
    let kind = required(p, "Type")?;
    let (content, sent) = if kind.eq_ignore_ascii_case("template") {
        template(w, p, waba)?
    } else if kind.eq_ignore_ascii_case("message") {
        (None, message(p)?)
    } else {
        return Err(
            DomainError::param("Type", "Type must be message or template.".to_string()).into(),
        );
    };
    let content = match &content {
        Some(t) => Content::Template {
            name: &t.0,
            language: &t.1,
            header_params: t.2,
            body_params: t.3,
        },
        None => Content::FreeForm,
    };
    let send = Send {
        phone: &phone.to_string(),
        to: &to,
        content,
        // ChatApp sends media by link only (Content.link): no uploaded id to check.
        media_id: None,
        callback_data: None,
        // ChatApp's receipts carry a ConversationId when Meta gives one (ChatAppStatus page):
        // its sends keep the v23.0 reading, as 360dialog's do (inferred, docs/fidelity.md).
        with_conversation: true,
        // ChatApp's reference names no reply context, and a reaction's target field in
        // `Content` is undocumented: neither is read (docs/fidelity.md, "Message ids").
        context: None,
        reaction_to: None,
    };
    let accepted = w.send_message(who, &send)?;
    let bound = w.settings.messages_kept;
    model::of_mut(w).sent.keep(accepted.id.clone(), sent, bound);
    let id = message_id(&accepted.id);
    Ok(ok(p, |o| {
        o.str("MessageId", &id);
    }))
}

/// ChatApp's `MessageId` for a wamid: 24 lower-case hex characters, as the API page's sample
/// (`61851ccb2f1365b16aee****`), derived so that a send's answer and its receipts agree without
/// a table (inferred, docs/fidelity.md).
pub fn message_id(wamid: &str) -> String {
    use crate::digest::{FNV_OFFSET_BASIS, fnv1a};
    // Seeded apart from the world's conversation id, which hashes the same wamid.
    let a = fnv1a(wamid.as_bytes(), FNV_OFFSET_BASIS ^ 0x6361_6d73_6d73_6964);
    let b = fnv1a(wamid.as_bytes(), a);
    format!("{a:016x}{:08x}", b as u32)
}

/// The record `From` names on the space's WABA: a live one (or the destination of a migration
/// into it, which the world refuses with 131045); else one that left it (migrated away,
/// deregistered), which the world refuses with 133010 as Meta does on the source; else the
/// number is not the space's (H4).
fn sender(w: &World, from: &str, waba: Id) -> Result<Id, CamsError> {
    if let Some(id) = w.number_on_waba(from, waba) {
        return Ok(id);
    }
    w.records_of(from)
        .iter()
        .filter_map(|id| w.phones.get(id))
        .filter(|ph| ph.waba == waba && ph.status != PhoneStatus::Deleted)
        .map(|ph| ph.id)
        .next_back()
        .ok_or_else(CamsError::number_not_in_space)
}

/// A `Type=message` send: its `MessageType` and the `Content` that type needs.
fn message(p: &Prepared) -> Result<SentMessage, CamsError> {
    let kind = p.params.non_empty("MessageType").ok_or_else(|| {
        refuse(
            "InvalidParameter.MessageTypeNotEmpty",
            "MessageType is required when Type is message.",
        )
    })?;
    let (name, needs) = MESSAGE_TYPES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(kind))
        .ok_or_else(|| {
            refuse(
                "InvalidParameter.MessageTypeNotSupport",
                format!("MessageType {kind} is not supported."),
            )
        })?;
    let content = content(p)?;
    let has = |key: &str| {
        field(&content, key).is_some_and(|v| match v {
            Value::String(s) => !s.trim().is_empty(),
            Value::Null => false,
            _ => true,
        })
    };
    match needs {
        Some("text") if !has("text") => {
            return Err(refuse(
                "InvalidParameter.TextNotEmpty",
                "Content.text is required for a text message.",
            ));
        }
        Some("link") if !has("link") => {
            return Err(refuse(
                "InvalidParameter.LinkNotEmpty",
                format!("Content.link is required for a {name} message."),
            ));
        }
        Some("link") if *name == "document" && !has("fileName") => {
            return Err(refuse(
                "InvalidParameter.ContentError",
                "Content.fileName is required for a document message.",
            ));
        }
        _ => {}
    }
    Ok(SentMessage {
        task_id: task_id(p),
        kind: name.to_ascii_uppercase(),
        template: None,
    })
}

/// `Content`: a JSON object (an array for `contacts`).
fn content(p: &Prepared) -> Result<Value, CamsError> {
    let text = p.params.non_empty("Content").ok_or_else(|| {
        refuse(
            "InvalidParameter.ContentNotEmpty",
            "Content is required when Type is message.",
        )
    })?;
    match serde_json::from_str::<Value>(text) {
        Ok(v @ (Value::Object(_) | Value::Array(_))) => Ok(v),
        _ => Err(refuse(
            "InvalidParameter.ContentError",
            "Content must be a JSON object.",
        )),
    }
}

/// A key of `Content`, as the SDK's notes spell it (`text`, `link`) or as the API page does
/// (`Text`, `Link`): both are read (inferred).
fn field<'a>(content: &'a Value, key: &str) -> Option<&'a Value> {
    content.as_object().and_then(|o| {
        o.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// What a template send gives the world: `(name, language, header params, body params)`,
/// and what its receipts say of it.
#[allow(clippy::type_complexity)]
fn template(
    w: &World,
    p: &Prepared,
    waba: Id,
) -> Result<(Option<(String, String, usize, usize)>, SentMessage), CamsError> {
    let code = p.params.non_empty("TemplateCode");
    let name = p.params.non_empty("TemplateName");
    if code.is_none() && name.is_none() {
        return Err(refuse(
            "InvalidParameter.TemplateCodeNotEmpty",
            "TemplateCode is required when Type is template.",
        ));
    }
    let language = p.params.non_empty("Language").ok_or_else(|| {
        refuse(
            "InvalidParameter.LanguageNotEmpty",
            "Language is required when Type is template.",
        )
    })?;
    let params = template_params(p)?;
    let found = w.wabas[&waba]
        .templates
        .iter()
        .filter_map(|id| w.templates.get(id))
        .filter(|t| *t.language == *language)
        .find(|t| match code {
            Some(c) => render::template_code(t.id) == c,
            None => name.is_some_and(|n| t.name == n),
        });
    // A code or name the WABA has no template for in that language is Meta's 132001, which
    // the world answers for a name it cannot find.
    let (name, counts) = match found {
        Some(t) => {
            let (header, body) = send_variable_names(&t.components);
            let given = |names: &[String]| names.iter().filter(|n| params.contains_key(*n)).count();
            (t.name.clone(), (given(&header), given(&body)))
        }
        None => (name.or(code).unwrap_or_default().to_string(), (0, 0)),
    };
    let sent = SentMessage {
        task_id: task_id(p),
        kind: "TEMPLATE".into(),
        template: Some((
            found.map_or_else(
                || code.unwrap_or_default().to_string(),
                |t| render::template_code(t.id),
            ),
            name.clone(),
            language.to_string(),
        )),
    };
    Ok((Some((name, language.to_string(), counts.0, counts.1)), sent))
}

/// `TemplateParams`: JSON text of an object of variable names to values (the SDK shrinks its
/// `Dict[str, str]` to JSON).
fn template_params(p: &Prepared) -> Result<Map<String, Value>, CamsError> {
    match p.params.non_empty("TemplateParams") {
        None => Ok(Map::new()),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(refuse(
                "InvalidParameter",
                "TemplateParams must be a JSON object of variable names to values.",
            )),
        },
    }
}

fn task_id(p: &Prepared) -> Option<String> {
    p.params
        .non_empty("TaskId")
        .map(|t| t.chars().take(TASK_ID_MAX).collect())
}

fn refuse(code: &str, message: impl Into<String>) -> CamsError {
    CamsError::send_validation(code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_24_hex_and_stable() {
        let id = message_id("wamid.ABC");
        assert_eq!(id.len(), 24);
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(id, message_id("wamid.ABC"));
        assert_ne!(id, message_id("wamid.ABD"));
    }

    #[test]
    fn content_keys_are_read_in_either_case() {
        let v: Value = serde_json::from_str(r#"{"Text":"hi","link":"x"}"#).unwrap();
        assert_eq!(field(&v, "text"), Some(&Value::from("hi")));
        assert_eq!(field(&v, "Link"), Some(&Value::from("x")));
        assert_eq!(field(&v, "caption"), None);
    }
}
