//! The `messages` field's values: a sent message's status and a user's message, in the key
//! order of Meta's webhook reference (reference messaging-and-360dialog.md, "Status webhooks +
//! pricing"; STATUS, PYWA):
//! `{messaging_product, metadata{display_phone_number, phone_number_id}, contacts[{profile
//! {name}, wa_id, user_id?}], statuses[{id, status, timestamp, recipient_id, conversation?,
//! pricing?, biz_opaque_callback_data?, errors?}]}` and, for a user's message,
//! `messages[{from, id, timestamp, type: "text", text{body}}]` or, for a file,
//! `messages[{from, id, timestamp, type: "image", image{caption?, mime_type, sha256, id}}]`
//! (OAS `ImageMessage_1` ... `StickerMessage_1`; key order and a document's `caption` as in
//! PYWA's `message.json`: `{caption?, filename?, mime_type, sha256, id, voice?|animated?}`).

use crate::wire::json::Obj;
use crate::world::inbound_media::InboundMedia;
use crate::world::media::MediaKind;
use crate::world::message::{Failure, InboundEvent, Status, StatusEvent};

/// The error a `failed` status carries: code, title and details (ERRTBL rows; the details
/// of 131047 seen on the wire, megaapp977/stack#117; 131048's title is ERRTBL's "spam rate
/// limit" and its details Meta's error-code page as we recall it; 131009 from the reaction
/// page; the others ours). ChatApp's receipts tell the same (`api/cams/callbacks.rs`).
pub fn failure(f: Failure) -> (i64, &'static str, &'static str) {
    match f {
        Failure::Undeliverable => (131026, "Message undeliverable", "Message Undeliverable."),
        Failure::StoppedMarketing => (
            131050,
            "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business",
            "The recipient has chosen to stop receiving marketing messages on WhatsApp from your business.",
        ),
        Failure::MessagingLimit => (
            131048,
            "Spam rate limit hit",
            "Message failed to send because there are restrictions on how many messages can be sent from this phone number. This may be because too many previous messages were blocked or flagged as spam.",
        ),
        Failure::WindowClosed => (
            131047,
            "Re-engagement message",
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        ),
        // The reaction page's code (seen); ERRTBL's title; the details are ours.
        Failure::UnknownMessage => (
            131009,
            "Parameter value is not valid",
            "The message this reaction names is not one this phone number sent or received.",
        ),
    }
}

/// Where a failed status's `href` points (STATUS, current form).
const ERROR_HREF: &str = "/documentation/business-messaging/whatsapp/support/error-codes";

fn metadata(v: &mut Obj<'_>, digits: &str, phone: u64) {
    v.str("messaging_product", "whatsapp");
    v.obj("metadata", |m| {
        m.str("display_phone_number", digits)
            .str("phone_number_id", &phone.to_string());
    });
}

fn contact(v: &mut Obj<'_>, name: Option<&str>, wa_id: &str, user_id: Option<&str>) {
    v.arr("contacts", |a| {
        a.obj(|c| {
            if let Some(name) = name {
                c.obj("profile", |p| {
                    p.str("name", name);
                });
            }
            c.str("wa_id", wa_id);
            if let Some(u) = user_id {
                c.str("user_id", u);
            }
        });
    });
}

pub(super) fn status_value(s: &StatusEvent, at_seconds: i64, v: &mut Obj<'_>) {
    metadata(v, &s.display_digits, s.phone);
    contact(v, s.profile_name.as_deref(), &s.to, s.user_id.as_deref());
    v.arr("statuses", |a| {
        a.obj(|o| {
            o.str("id", &s.message)
                .str("status", s.status.as_str())
                .str("timestamp", &at_seconds.to_string())
                .str("recipient_id", &s.to);
            if let Some((id, expiry)) = &s.conversation {
                o.obj("conversation", |c| {
                    c.str("id", id);
                    if let Some(e) = expiry {
                        c.str("expiration_timestamp", &e.unix_seconds().to_string());
                    }
                    if let Some(p) = &s.pricing {
                        c.obj("origin", |g| {
                            g.str("type", p.category.as_str());
                        });
                    }
                });
            }
            if let Some(p) = &s.pricing {
                o.obj("pricing", |g| {
                    g.bool("billable", p.billable)
                        .str("pricing_model", "PMP")
                        .str("type", p.kind.as_str())
                        .str("category", p.category.as_str());
                });
            }
            if let Some(d) = &s.callback_data {
                o.str("biz_opaque_callback_data", d);
            }
            if let Status::Failed(f) = s.status {
                let (code, title, details) = failure(f);
                o.arr("errors", |a| {
                    a.obj(|e| {
                        e.num("code", code)
                            .str("title", title)
                            .str("message", title)
                            .obj("error_data", |d| {
                                d.str("details", details);
                            })
                            .str("href", ERROR_HREF);
                    });
                });
            }
        });
    });
}

pub(super) fn inbound_value(m: &InboundEvent, at_seconds: i64, v: &mut Obj<'_>) {
    metadata(v, &m.display_digits, m.phone);
    contact(v, m.profile_name.as_deref(), &m.from, m.user_id.as_deref());
    v.arr("messages", |a| {
        a.obj(|o| {
            o.str("from", &m.from)
                .str("id", &m.message)
                .str("timestamp", &at_seconds.to_string());
            match &m.media {
                None => {
                    o.str("type", "text").obj("text", |t| {
                        t.str("body", &m.text);
                    });
                }
                Some(f) => {
                    let kind = f.kind.message_type();
                    o.str("type", kind).obj(kind, |t| media_object(f, t));
                }
            }
        });
    });
}

fn media_object(f: &InboundMedia, t: &mut Obj<'_>) {
    if let Some(c) = &f.caption {
        t.str("caption", c);
    }
    if let Some(n) = &f.filename {
        t.str("filename", n);
    }
    t.str("mime_type", &f.mime)
        .str("sha256", &f.sha256)
        .str("id", &f.id.to_string());
    match f.kind {
        MediaKind::Audio => {
            t.bool("voice", f.flag);
        }
        MediaKind::Sticker => {
            t.bool("animated", f.flag);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::inbound_media::InboundMedia;

    #[test]
    fn a_users_file_is_told_in_pywas_key_order() {
        let m = InboundEvent {
            message: "wamid.x".into(),
            phone: 110_000_000_000_001,
            display_digits: "15550100001".into(),
            from: "15551230001".into(),
            profile_name: None,
            user_id: None,
            text: String::new(),
            media: Some(InboundMedia {
                kind: MediaKind::Document,
                id: 7,
                mime: "application/pdf".into(),
                sha256: "grwf=".into(),
                caption: Some("caption".into()),
                filename: Some("filename.pdf".into()),
                flag: false,
                size: 3,
                link_host: None,
                link_namespace: None,
            }),
        };
        let mut buf = Vec::new();
        let mut v = Obj::new(&mut buf);
        inbound_value(&m, 1_697_043_666, &mut v);
        v.end();
        let text = String::from_utf8(buf).unwrap();
        let message = &text[text.find(r#""messages""#).unwrap()..];
        assert_eq!(
            message,
            r#""messages":[{"from":"15551230001","id":"wamid.x","timestamp":"1697043666","type":"document","document":{"caption":"caption","filename":"filename.pdf","mime_type":"application/pdf","sha256":"grwf=","id":"7"}}]}"#
        );
    }
}
