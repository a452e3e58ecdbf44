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
use super::operations::{Failure, Handled, ok, required, space_waba};
use super::render;
use crate::world::message::{Content, Send};
use crate::world::pacing::PacedTemplate;
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

/// ChatApp's receipts carry a ConversationId when Meta gives one (ChatAppStatus page): its
/// sends keep the v23.0 reading, as 360dialog's do (inferred, docs/fidelity.md).
pub(super) const WITH_CONVERSATION: bool = true;

/// The largest `TaskId` kept for the receipts (inferred: the SDK documents none).
const TASK_ID_MAX: usize = 64;

pub fn send_message(w: &mut World, who: &Principal, p: &Prepared) -> Handled {
    let (waba, phone, to) = sending_number(w, who, p, |p| {
        digits_only(required(p, "To")?).ok_or_else(|| {
            refuse(
                "InvalidParameter.PhoneNumberError",
                "To must be the recipient's number with its country code.",
            )
            .into()
        })
    })?;
    let kind = required(p, "Type")?;
    let accepted = if kind.eq_ignore_ascii_case("template") {
        let template = TemplateSend::named(w, p, waba)?;
        let params = template_params(p)?;
        let sent = template.sent(task_id(p));
        send_one(w, who, phone, &to, template.content(&params), sent)?
    } else if kind.eq_ignore_ascii_case("message") {
        let sent = message(p)?;
        send_one(w, who, phone, &to, Content::FreeForm, sent)?
    } else {
        return Err(
            DomainError::param("Type", "Type must be message or template.".to_string()).into(),
        );
    };
    let id = message_id(&accepted);
    Ok(ok(p, |o| {
        o.str("MessageId", &id);
    }))
}

/// The checks every send makes of its sender, in this order: `ChannelType` (only WhatsApp is
/// simulated), `From` digits, the recipients (`recipients`: `To`, or SenderList), the space,
/// and `From` on the space's WABA. Gives the WABA, the sending number's record and the
/// recipients.
pub(super) fn sending_number<T>(
    w: &World,
    who: &Principal,
    p: &Prepared,
    recipients: impl FnOnce(&Prepared) -> Result<T, Failure>,
) -> Result<(Id, Id, T), Failure> {
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
    let to = recipients(p)?;
    let (_, waba) = space_waba(w, who, p)?;
    Ok((waba, sender(w, from, waba)?, to))
}

/// One recipient through the world's send (`world::message`), remembered so that its
/// receipts name the send as the caller did. Gives the message's wamid.
pub(super) fn send_one(
    w: &mut World,
    who: &Principal,
    phone: Id,
    to: &str,
    content: Content<'_>,
    sent: SentMessage,
) -> Result<String, DomainError> {
    let send = Send {
        phone: &phone.to_string(),
        to,
        content,
        // ChatApp sends media by link only (Content.link): no uploaded id to check.
        media_id: None,
        callback_data: None,
        with_conversation: WITH_CONVERSATION,
        // ChatApp's reference names no reply context, and a reaction's target field in
        // `Content` is undocumented: neither is read (docs/fidelity.md, "Message ids").
        context: None,
        reaction: sent.kind == "REACTION",
        reaction_to: None,
    };
    let accepted = w.send_message(who, &send)?;
    remember(w, accepted.id.clone(), sent);
    Ok(accepted.id)
}

/// Keeps what a sent message's receipts say of it, within the world's `messages_kept`.
pub(super) fn remember(w: &mut World, wamid: String, sent: SentMessage) {
    let bound = w.settings.messages_kept;
    model::of_mut(w).sent.keep(wamid, sent, bound);
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

/// The template a send names (`TemplateCode` or `TemplateName`, and `Language`), looked up
/// once for all of its recipients; each recipient's `TemplateParams` are counted against its
/// HEADER and BODY variables.
pub(super) struct TemplateSend {
    /// `TemplateCode` as the receipts give it: the found template's, else as asked.
    code: String,
    /// The name the world is asked for: the found template's, else the name (or code) asked.
    name: String,
    language: String,
    /// The template's HEADER and BODY variable names (none when no template was found: the
    /// world then refuses the name with 132001).
    header: Vec<String>,
    body: Vec<String>,
}

impl TemplateSend {
    pub(super) fn named(w: &World, p: &Prepared, waba: Id) -> Result<TemplateSend, CamsError> {
        let code = p.params.non_empty("TemplateCode");
        let name = p.params.non_empty("TemplateName");
        if code.is_none() && name.is_none() {
            return Err(refuse(
                "InvalidParameter.TemplateCodeNotEmpty",
                "TemplateCode or TemplateName is required to send a template.",
            ));
        }
        let language = p.params.non_empty("Language").ok_or_else(|| {
            refuse(
                "InvalidParameter.LanguageNotEmpty",
                "Language is required to send a template.",
            )
        })?;
        let found = w.wabas[&waba]
            .templates
            .iter()
            .filter_map(|id| w.templates.get(id))
            .filter(|t| *t.language == *language)
            .find(|t| match code {
                Some(c) => render::template_code(t.id) == c,
                None => name.is_some_and(|n| t.name == n),
            });
        // A code or name the WABA has no template for in that language is Meta's 132001,
        // which the world answers for a name it cannot find.
        Ok(match found {
            Some(t) => {
                let (header, body) = send_variable_names(&t.components);
                TemplateSend {
                    code: render::template_code(t.id),
                    name: t.name.clone(),
                    language: language.to_string(),
                    header,
                    body,
                }
            }
            None => TemplateSend {
                code: code.unwrap_or_default().to_string(),
                name: name.or(code).unwrap_or_default().to_string(),
                language: language.to_string(),
                header: Vec::new(),
                body: Vec::new(),
            },
        })
    }

    /// What the world is asked to send for one recipient's `TemplateParams`.
    pub(super) fn content<'a>(&'a self, params: &Map<String, Value>) -> Content<'a> {
        let (header_params, body_params) = self.given(params);
        Content::Template {
            name: &self.name,
            language: &self.language,
            header_params,
            body_params,
        }
    }

    /// The same, for a send the world paces (`mass.rs`).
    pub(super) fn paced(&self, params: &Map<String, Value>) -> PacedTemplate {
        let (header_params, body_params) = self.given(params);
        PacedTemplate {
            name: self.name.clone(),
            language: self.language.clone(),
            header_params,
            body_params,
        }
    }

    /// How many of its HEADER and BODY variables `params` gives.
    fn given(&self, params: &Map<String, Value>) -> (usize, usize) {
        let given = |names: &[String]| names.iter().filter(|n| params.contains_key(*n)).count();
        (given(&self.header), given(&self.body))
    }

    /// What its receipts say of a send of it.
    pub(super) fn sent(&self, task_id: Option<String>) -> SentMessage {
        SentMessage {
            task_id,
            kind: "TEMPLATE".into(),
            template: Some((self.code.clone(), self.name.clone(), self.language.clone())),
        }
    }
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

pub(super) fn task_id(p: &Prepared) -> Option<String> {
    p.params
        .non_empty("TaskId")
        .map(|t| t.chars().take(TASK_ID_MAX).collect())
}

pub(super) fn refuse(code: &str, message: impl Into<String>) -> CamsError {
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
