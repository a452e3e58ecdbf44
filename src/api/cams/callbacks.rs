//! ChatApp's HTTP receipts for the numbers of its spaces: a message's statuses (ChatAppStatus)
//! to the number's `StatusCallbackUrl` (UpdatePhoneWebhook), else the space's
//! (UpdateAccountWebhook or the fixture), and a user's message (ChatAppInbound) to the
//! `UpCallbackUrl` chosen the same way. They go through the namespace's outbox with its
//! retries, as Meta's webhooks do, beside Meta's to the WABA's subscribers.
//!
//! Shapes (the ChatAppStatus and ChatAppInbound "push to HTTP URL" pages, seen): a JSON array
//! of reports, one per delivery here; a status report is `Status` (`Sent`, `Delivered`,
//! `Read`, `Failed`), `MsgFrameType` (`message` | `template`), `Type` (`TEXT`,
//! `TEMPLATE`, ...), `TaskId` (the MessageId unless the send gave one), `From` (the business
//! number), `To`, `Timestamp` (ms), `OriginPhoneNumber`, `MessageId`, `ConversationId`,
//! `ConversationType` (`service`, `utility`, `marketing`, `authentication`), for a template
//! `TemplateCode`, `TemplateName`, `Language`, and for a failure `ErrorCode` and
//! `ErrorDescription` (`131026:<title>(<details>)`). An inbound report is `MessageId`,
//! `CustSpaceId`, `WabaId`, `From` (the user), `To` (the business number), `DisplayName`
//! (the number's display name, per the SMQ page's table), `Type` `TEXT`, `Message`,
//! `Timestamp`, `Name` (the user's profile name). Unsigned: the pages document no signature
//! (inferred, docs/fidelity.md).
//!
//! A user's file is `Type` `IMAGE`, `VIDEO`, `AUDIO` or `DOCUMENT` with `Message` a JSON
//! string (ChatAppInbound, "IMAGE字段" ...: an image `{caption?, id, mimeType, url}`, a video
//! or audio `{name, id, mimeType, url}`, a document `{name, id, filename, mimeType, url}`,
//! the URL valid 7 days). Inferred (docs/fidelity.md): `name` is the caption (a document's
//! filename without one), a sticker is `STICKER` shaped as an image with `animated`, and the
//! URL is a presigned one on this simulator (`World::presigned_media_url`). A location,
//! contacts or a reply to a button is `inbound_kind.rs`'s; a reaction has no report.

use bytes::Bytes;

use super::model::{CamsBinding, SentMessage};
use super::send::message_id;
use crate::api::graph::media_url;
use crate::clock::Timestamp;
use crate::webhooks::messages::failure;
use crate::webhooks::payload::{Outgoing, Target};
use crate::webhooks::signature::Signing;
use crate::wire::json::{Arr, Obj};
use crate::world::inbound_media::InboundMedia;
use crate::world::media::MediaKind;
use crate::world::message::{InboundEvent, PricingCategory, Status, StatusEvent};
use crate::world::{EventKind, Id, World, WorldEvent};

/// The outbox's `field` for each kind of receipt: Alibaba's names for them.
pub const STATUS_FIELD: &str = "ChatAppStatus";
pub const INBOUND_FIELD: &str = "ChatAppInbound";

pub fn address(w: &World, events: &[WorldEvent]) -> Vec<Outgoing> {
    let Some(b) = w.binding::<CamsBinding>() else {
        return Vec::new();
    };
    events
        .iter()
        .filter_map(|e| {
            let (phone, inbound) = match &e.kind {
                EventKind::MessageStatus(s) => (s.phone, false),
                EventKind::Inbound(m) => (m.phone, true),
                _ => return None,
            };
            let space = space_of(b, e.waba)?;
            let url = callback_url(b, space, phone, inbound)?;
            let (field, body) = match &e.kind {
                EventKind::MessageStatus(s) => (STATUS_FIELD, status_report(w, b, e, s)),
                EventKind::Inbound(m) => (INBOUND_FIELD, inbound_report(w, e, space, m)?),
                _ => return None,
            };
            Some(receipt(e.at, e.waba, field, body, url))
        })
        .collect()
}

/// The space bound to `waba` (the first by id, should two name it).
fn space_of(b: &CamsBinding, waba: Id) -> Option<&str> {
    b.spaces
        .iter()
        .filter(|(_, s)| s.waba == waba)
        .map(|(id, _)| id.as_str())
        .min()
}

/// The number's own callback first, then the space's.
fn callback_url(b: &CamsBinding, space: &str, phone: Id, inbound: bool) -> Option<String> {
    let own = b.phone_webhooks.get(&phone).and_then(|h| match inbound {
        true => h.up_callback_url.clone(),
        false => h.status_callback_url.clone(),
    });
    own.or_else(|| {
        let s = b.spaces.get(space)?;
        match inbound {
            true => s.up_callback_url.clone(),
            false => s.status_callback_url.clone(),
        }
    })
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Sent => "Sent",
        Status::Delivered => "Delivered",
        Status::Read => "Read",
        Status::Failed(_) => "Failed",
    }
}

fn status_report(w: &World, b: &CamsBinding, e: &WorldEvent, s: &StatusEvent) -> Vec<u8> {
    let sent = b.sent.get(&s.message);
    let message = w.messaging.message(&s.message);
    let category = s.pricing.or(message.map(|m| m.pricing)).map(|p| p.category);
    // A message SendChatappMessage did not send (Graph on the same WABA) is told by what the
    // world knows: a template is priced by its category, free-form as service.
    let template = sent.map_or(
        category.is_some_and(|c| c != PricingCategory::Service),
        |m| m.template.is_some(),
    );
    let id = message_id(&s.message);
    let error = match s.status {
        Status::Failed(f) => {
            let (code, title, details) = failure(f);
            Some((code.to_string(), format!("{code}:{title}({details})")))
        }
        _ => None,
    };
    Report {
        status: status_word(s.status),
        template,
        kind: sent.map_or(if template { "TEMPLATE" } else { "TEXT" }, |m| &m.kind),
        task_id: sent.and_then(|m| m.task_id.as_deref()).unwrap_or(&id),
        from: &s.display_digits,
        to: &s.to,
        at: e.at,
        message_id: &id,
        conversation: s.conversation.as_ref().map(|c| c.0.as_str()),
        category: category.map(PricingCategory::as_str),
        names: sent.and_then(|m| m.template.as_ref()),
        error,
    }
    .render()
}

/// A `Failed` receipt no world event carries: one recipient of a mass send that Meta refused
/// outright at `at` (`mass.rs` decides which), to the number's status callback. `None` when
/// nobody listens. `refusal` is Meta's `(code, title, details)`.
pub fn refusal(
    w: &World,
    (phone, to, at): (Id, &str, Timestamp),
    sent: &SentMessage,
    id: &str,
    refusal: (u32, &str, &str),
) -> Option<Outgoing> {
    let b = w.binding::<CamsBinding>()?;
    let number = w.phones.get(&phone)?;
    let space = space_of(b, number.waba)?;
    let url = callback_url(b, space, phone, false)?;
    let digits = number.e164_digits();
    let (code, title, details) = refusal;
    let body = Report {
        status: "Failed",
        template: sent.template.is_some(),
        kind: &sent.kind,
        task_id: sent.task_id.as_deref().unwrap_or(id),
        from: &digits,
        to,
        at,
        message_id: id,
        conversation: None,
        category: None,
        names: sent.template.as_ref(),
        error: Some((code.to_string(), format!("{code}:{title}({details})"))),
    }
    .render();
    Some(receipt(at, number.waba, STATUS_FIELD, body, url))
}

fn receipt(at: Timestamp, waba: Id, field: &'static str, body: Vec<u8>, url: String) -> Outgoing {
    Outgoing {
        at,
        field,
        waba,
        body: Bytes::from(body),
        targets: vec![Target {
            app: 0,
            url,
            secret: String::new(),
            verify_token: None,
            signing: Signing::Unsigned,
            headers: Vec::new(),
            after_first: false,
        }],
        unaddressed: Vec::new(),
    }
}

/// One status report, as the ChatAppStatus page writes it.
struct Report<'a> {
    status: &'a str,
    template: bool,
    kind: &'a str,
    task_id: &'a str,
    from: &'a str,
    to: &'a str,
    at: Timestamp,
    message_id: &'a str,
    conversation: Option<&'a str>,
    category: Option<&'a str>,
    /// `(TemplateCode, TemplateName, Language)`.
    names: Option<&'a (String, String, String)>,
    /// `(ErrorCode, ErrorDescription)`.
    error: Option<(String, String)>,
}

impl Report<'_> {
    fn render(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity(512);
        let mut a = Arr::new(&mut buf);
        a.obj(|o| {
            o.str("Status", self.status)
                .str(
                    "MsgFrameType",
                    if self.template { "template" } else { "message" },
                )
                .str("Type", self.kind)
                .str("TaskId", self.task_id)
                .str("From", self.from)
                .str("To", self.to)
                .num("Timestamp", self.at.0)
                .str("OriginPhoneNumber", self.from)
                .str("MessageId", self.message_id);
            if let Some(c) = self.conversation {
                o.str("ConversationId", c);
            }
            if let Some(c) = self.category {
                o.str("ConversationType", c);
            }
            if let Some((code, name, language)) = self.names {
                o.str("TemplateCode", code)
                    .str("TemplateName", name)
                    .str("Language", language);
            }
            if let Some((code, description)) = &self.error {
                o.str("ErrorCode", code)
                    .str("ErrorDescription", description);
            }
        });
        a.end();
        buf
    }
}

/// `None` for what ChatAppInbound has no `Type` for (a reaction, an order, an unsupported
/// message: `inbound_kind`).
fn inbound_report(w: &World, e: &WorldEvent, space: &str, m: &InboundEvent) -> Option<Vec<u8>> {
    let (kind, message) = match (&m.media, &m.content) {
        (Some(f), _) => (file_type(f.kind), file_message(w, f)),
        (None, Some(c)) => super::inbound_kind::report(c, m)?,
        (None, None) => ("TEXT", m.text.clone()),
    };
    let display = w
        .phones
        .get(&m.phone)
        .map(|p| p.verified_name.as_str())
        .unwrap_or("");
    let mut buf = Vec::with_capacity(512);
    let mut a = Arr::new(&mut buf);
    a.obj(|o| {
        o.str("MessageId", &message_id(&m.message))
            .str("CustSpaceId", space)
            .str("WabaId", &e.waba.to_string())
            .str("From", &m.from)
            .str("To", &m.display_digits)
            .str("DisplayName", display)
            .str("Type", kind)
            .str("Message", &message)
            .num("Timestamp", e.at.0)
            .str("Name", m.profile_name.as_deref().unwrap_or(""));
    });
    a.end();
    Some(buf)
}

fn file_type(k: MediaKind) -> &'static str {
    match k {
        MediaKind::Image => "IMAGE",
        MediaKind::Video => "VIDEO",
        MediaKind::Audio => "AUDIO",
        MediaKind::Document => "DOCUMENT",
        MediaKind::Sticker => "STICKER",
    }
}

/// A user's file as ChatAppInbound's `Message` JSON text.
fn file_message(w: &World, f: &InboundMedia) -> String {
    let url = w
        .presigned_media_url(f.id)
        .map(|u| {
            let host = f.link_host.as_deref().unwrap_or("localhost");
            media_url::url(host, f.link_namespace.as_deref(), &u)
        })
        .unwrap_or_default();
    let name = f.caption.as_deref().or(f.filename.as_deref()).unwrap_or("");
    let mut buf = Vec::with_capacity(256 + url.len());
    let mut o = Obj::new(&mut buf);
    match f.kind {
        MediaKind::Image | MediaKind::Sticker => {
            if let Some(c) = &f.caption {
                o.str("caption", c);
            }
        }
        _ => {
            o.str("name", name);
        }
    }
    o.str("id", &f.id.to_string());
    if let Some(n) = &f.filename {
        o.str("filename", n);
    }
    if f.kind == MediaKind::Sticker {
        o.bool("animated", f.flag);
    }
    o.str("mimeType", &f.mime).str("url", &url);
    o.end();
    String::from_utf8(buf).unwrap_or_default()
}
