//! The `messages` field's values: a sent message's status and a user's message, in the key
//! order of Meta's webhook reference (reference messaging-and-360dialog.md, "Status webhooks +
//! pricing"; STATUS, PYWA):
//! `{messaging_product, metadata{display_phone_number, phone_number_id}, contacts[{profile
//! {name}, wa_id, user_id?}], statuses[{id, status, timestamp, recipient_id, conversation?,
//! pricing?, biz_opaque_callback_data?, errors?}]}` and, for a user's message,
//! `messages[{from, id, timestamp, type: "text", text{body}}]` or, for a file,
//! `messages[{from, id, timestamp, type: "image", image{caption?, mime_type, sha256, id}}]`
//! (OAS `ImageMessage_1` ... `StickerMessage_1`; key order and a document's `caption` as in
//! PYWA's `message.json`: `{caption?, filename?, mime_type, sha256, id, voice?|animated?}`),
//! or a location, contacts, reaction, reply to a button or list, or quick-reply tap
//! (`user_content`), an order, a changed number's system notice (no `contacts` then: the
//! system messages webhook reference) or an unsupported message, any of them led by
//! `context{from, id}` when it quotes a message, or by `context{forwarded: true}` or
//! `{frequently_forwarded: true}` when forwarded (the messages webhook reference's syntax:
//! one or the other, with no `from` or `id`).

use crate::wire::json::Obj;
use crate::world::inbound::{Contact, Forwarded, InteractiveReply, Order, UserContent};
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
    // "Unlike other incoming messages webhooks, system messages webhooks don't include a
    // contacts array" (system messages webhook reference; OAS `IncomingMessageValueSystem`).
    let notice = matches!(m.content, Some(UserContent::UserChangedNumber { .. }));
    if !notice {
        contact(v, m.profile_name.as_deref(), &m.from, m.user_id.as_deref());
    }
    v.arr("messages", |a| {
        a.obj(|o| {
            // `context` leads, as in PYWA's `reply` and `callback_button` samples.
            if let Some(q) = &m.context {
                o.obj("context", |c| {
                    c.str("from", &q.from).str("id", &q.id);
                });
            }
            match m.forwarded {
                Some(Forwarded::Forwarded) => {
                    o.obj("context", |c| {
                        c.bool("forwarded", true);
                    });
                }
                Some(Forwarded::Frequently) => {
                    o.obj("context", |c| {
                        c.bool("frequently_forwarded", true);
                    });
                }
                None => {}
            }
            o.str("from", &m.from)
                .str("id", &m.message)
                .str("timestamp", &at_seconds.to_string());
            match (&m.media, &m.content) {
                (Some(f), _) => {
                    let kind = f.kind.message_type();
                    o.str("type", kind).obj(kind, |t| media_object(f, t));
                }
                (None, Some(c)) => user_content(c, m, o),
                (None, None) => {
                    o.str("type", "text").obj("text", |t| {
                        t.str("body", &m.text);
                    });
                }
            }
        });
    });
}

/// A location, contacts, reaction, reply, order, system notice or unsupported message's
/// `type` and object (OAS `LocationMessage_1`, `ContactSharingMessage`, `ReactionMessage_1`,
/// `InteractiveMessageReply`, `ButtonMessage`, `OrderMessage`, `SystemMessage`,
/// `UnsupportedMessage`; key order as in PYWA's samples and the references' syntax).
fn user_content(c: &UserContent, m: &InboundEvent, o: &mut Obj<'_>) {
    let kind = c.message_type();
    if let UserContent::Unsupported { kind: what } = c {
        unsupported(what, o);
        return;
    }
    o.str("type", kind);
    match c {
        UserContent::Location(l) => {
            o.obj(kind, |t| {
                t.raw("latitude", &l.latitude.to_string())
                    .raw("longitude", &l.longitude.to_string())
                    .opt_str("name", l.name.as_deref())
                    .opt_str("address", l.address.as_deref())
                    .opt_str("url", l.url.as_deref());
            });
        }
        UserContent::Contacts(list) => {
            o.arr(kind, |a| {
                for c in list {
                    a.obj(|t| contact_card(c, t));
                }
            });
        }
        UserContent::Reaction { message_id, emoji } => {
            o.obj(kind, |t| {
                t.str("message_id", message_id).str("emoji", emoji);
            });
        }
        UserContent::Interactive(r) => {
            o.obj(kind, |t| interactive_reply(r, t));
        }
        UserContent::Button { payload, text } => {
            o.obj(kind, |t| {
                t.str("payload", payload).str("text", text);
            });
        }
        UserContent::Order(order) => {
            o.obj(kind, |t| order_object(order, t));
        }
        UserContent::UserChangedNumber { new_wa_id, body } => {
            o.obj(kind, |t| system_object(m, new_wa_id, body.as_deref(), t));
        }
        UserContent::Unsupported { .. } => {}
    }
}

/// A tap on a reply button or a list row, as Meta's `interactive` object tells it (ChatApp's
/// `REPLY` carries the same object).
pub fn interactive_reply(r: &InteractiveReply, t: &mut Obj<'_>) {
    match r {
        InteractiveReply::ButtonReply { id, title } => {
            t.str("type", "button_reply").obj("button_reply", |b| {
                b.str("id", id).str("title", title);
            });
        }
        InteractiveReply::ListReply {
            id,
            title,
            description,
        } => {
            t.str("type", "list_reply").obj("list_reply", |b| {
                b.str("id", id)
                    .str("title", title)
                    .opt_str("description", description.as_deref());
            });
        }
    }
}

/// A changed number's `system{body, wa_id, type}` (the system messages webhook reference;
/// `wa_id` since v12.0, `new_wa_id` before). Without a `body` given, the reference's
/// sentence "User <name> changed from <old> to <new>"; the old number stands in for a
/// user with no profile name.
pub fn system_object(m: &InboundEvent, new_wa_id: &str, body: Option<&str>, t: &mut Obj<'_>) {
    let said = body.map(str::to_string).unwrap_or_else(|| {
        let name = m.profile_name.as_deref().unwrap_or(&m.from);
        format!("User {name} changed from {} to {new_wa_id}", m.from)
    });
    t.str("body", &said)
        .str("wa_id", new_wa_id)
        .str("type", "user_changed_number");
}

/// OAS `OrderMessage.order`, in its example's key order.
fn order_object(order: &Order, t: &mut Obj<'_>) {
    t.str("catalog_id", &order.catalog_id)
        .str("text", &order.text)
        .arr("product_items", |a| {
            for item in &order.product_items {
                a.obj(|i| {
                    i.str("product_retailer_id", &item.product_retailer_id)
                        .num("quantity", i64::from(item.quantity))
                        .raw("item_price", &item.item_price.to_string())
                        .str("currency", &item.currency);
                });
            }
        });
}

/// The unsupported messages webhook reference's syntax: `errors` before `type`, then
/// `unsupported{type}` (absent from OAS v23.0's `UnsupportedMessage`, present in the
/// current reference); the code, title, message and details are its 131051 row's (the code
/// also reference messaging-and-360dialog.md's error table, "131051 … unsupported type",
/// ERRTBL).
fn unsupported(what: &str, o: &mut Obj<'_>) {
    o.arr("errors", |a| {
        a.obj(|e| {
            e.num("code", 131051)
                .str("title", "Message type unknown")
                .str("message", "Message type unknown")
                .obj("error_data", |d| {
                    d.str("details", "Message type is currently not supported.");
                });
        });
    })
    .str("type", "unsupported")
    .obj("unsupported", |u| {
        u.str("type", what);
    });
}

/// One shared contact: the fields given, in OAS `ContactObject_1`'s order.
pub fn contact_card(c: &Contact, t: &mut Obj<'_>) {
    let labelled = |t: &mut Obj<'_>, key: &str, rows: Vec<[(&str, Option<&str>); 2]>| {
        if !rows.is_empty() {
            t.arr(key, |a| {
                for row in &rows {
                    a.obj(|r| {
                        for (k, v) in row {
                            r.opt_str(k, *v);
                        }
                    });
                }
            });
        }
    };
    if !c.addresses.is_empty() {
        t.arr("addresses", |a| {
            for d in &c.addresses {
                a.obj(|r| {
                    r.opt_str("street", d.street.as_deref())
                        .opt_str("city", d.city.as_deref())
                        .opt_str("state", d.state.as_deref())
                        .opt_str("zip", d.zip.as_deref())
                        .opt_str("country", d.country.as_deref())
                        .opt_str("country_code", d.country_code.as_deref())
                        .opt_str("type", d.kind.as_deref());
                });
            }
        });
    }
    t.opt_str("birthday", c.birthday.as_deref());
    let emails = c.emails.iter();
    labelled(
        t,
        "emails",
        emails
            .map(|e| [("email", e.email.as_deref()), ("type", e.kind.as_deref())])
            .collect(),
    );
    let n = &c.name;
    t.obj("name", |r| {
        r.str("formatted_name", &n.formatted_name)
            .opt_str("first_name", n.first_name.as_deref())
            .opt_str("last_name", n.last_name.as_deref())
            .opt_str("middle_name", n.middle_name.as_deref())
            .opt_str("suffix", n.suffix.as_deref())
            .opt_str("prefix", n.prefix.as_deref());
    });
    if let Some(org) = &c.org {
        t.obj("org", |r| {
            r.opt_str("company", org.company.as_deref())
                .opt_str("department", org.department.as_deref())
                .opt_str("title", org.title.as_deref());
        });
    }
    if !c.phones.is_empty() {
        t.arr("phones", |a| {
            for p in &c.phones {
                a.obj(|r| {
                    r.opt_str("phone", p.phone.as_deref())
                        .opt_str("wa_id", p.wa_id.as_deref())
                        .opt_str("type", p.kind.as_deref());
                });
            }
        });
    }
    let urls = c.urls.iter();
    labelled(
        t,
        "urls",
        urls.map(|u| [("url", u.url.as_deref()), ("type", u.kind.as_deref())])
            .collect(),
    );
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
            content: None,
            context: None,
            forwarded: None,
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
    #[test]
    fn a_reply_leads_with_its_context_and_a_location_keeps_pywas_order() {
        use crate::world::inbound::{Location, Quote};
        let m = InboundEvent {
            message: "wamid.y".into(),
            phone: 110_000_000_000_001,
            display_digits: "15550100001".into(),
            from: "15551230001".into(),
            profile_name: None,
            user_id: None,
            text: String::new(),
            media: None,
            content: Some(UserContent::Location(Location {
                latitude: 37.4611978,
                longitude: -122.2164385,
                name: Some("HQ".into()),
                address: None,
                url: Some("https://maps.example".into()),
            })),
            context: Some(Quote {
                from: "15550100001".into(),
                id: "wamid.b".into(),
            }),
            forwarded: None,
        };
        let mut buf = Vec::new();
        let mut v = Obj::new(&mut buf);
        inbound_value(&m, 1_697_044_557, &mut v);
        v.end();
        let text = String::from_utf8(buf).unwrap();
        let message = &text[text.find(r#""messages""#).unwrap()..];
        assert_eq!(
            message,
            r#""messages":[{"context":{"from":"15550100001","id":"wamid.b"},"from":"15551230001","id":"wamid.y","timestamp":"1697044557","type":"location","location":{"latitude":37.4611978,"longitude":-122.2164385,"name":"HQ","url":"https://maps.example"}}]}"#
        );
    }

    fn told(content: UserContent, forwarded: Option<Forwarded>) -> String {
        let m = InboundEvent {
            message: "wamid.z".into(),
            phone: 110_000_000_000_001,
            display_digits: "15550100001".into(),
            from: "15551230001".into(),
            profile_name: Some("Ann".into()),
            user_id: None,
            text: String::new(),
            media: None,
            content: Some(content),
            context: None,
            forwarded,
        };
        let mut buf = Vec::new();
        let mut v = Obj::new(&mut buf);
        inbound_value(&m, 1_750_090_702, &mut v);
        v.end();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn a_changed_number_has_no_contacts_and_unsupported_errors_lead_its_type() {
        let moved = told(
            UserContent::UserChangedNumber {
                new_wa_id: "15559870000".into(),
                body: None,
            },
            None,
        );
        assert_eq!(
            moved,
            r#"{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550100001","phone_number_id":"110000000000001"},"messages":[{"from":"15551230001","id":"wamid.z","timestamp":"1750090702","type":"system","system":{"body":"User Ann changed from 15551230001 to 15559870000","wa_id":"15559870000","type":"user_changed_number"}}]}"#
        );
        let poll = told(
            UserContent::Unsupported {
                kind: "poll_creation".into(),
            },
            Some(Forwarded::Frequently),
        );
        let message = &poll[poll.find(r#""messages""#).unwrap()..];
        assert_eq!(
            message,
            r#""messages":[{"context":{"frequently_forwarded":true},"from":"15551230001","id":"wamid.z","timestamp":"1750090702","errors":[{"code":131051,"title":"Message type unknown","message":"Message type unknown","error_data":{"details":"Message type is currently not supported."}}],"type":"unsupported","unsupported":{"type":"poll_creation"}}]}"#
        );
        assert!(poll.contains(r#""contacts":[{"profile":{"name":"Ann"}"#));
    }
}
