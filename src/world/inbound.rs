//! What a user may write besides a text or a file, as the world keeps it: a location, shared
//! contacts, a reaction, a tap on a business's reply button or list row, a tap on a
//! template's quick-reply button, and the quote (`context`) any of them may carry. Typed here
//! and rendered by each facade (Graph and 360dialog: `webhooks/messages.rs`; ChatApp:
//! `api/cams/callbacks.rs`). Wire shapes: Meta's OpenAPI document (business-messaging-api
//! v23.0: `LocationMessage_1`, `ContactSharingMessage` / `ContactObject_1`,
//! `ReactionMessage_1`, `InteractiveMessageReply`, `ButtonMessage`, `ContextObject`) and
//! PYWA's webhook samples (`message.json`, `callback_button.json`).
//!
//! Also an order from the business's catalog (OAS `OrderMessage`), a system notice that the
//! user changed their number (OAS `SystemMessage`; the system messages webhook reference)
//! and a message of a type Cloud API does not support (OAS `UnsupportedMessage`; the
//! unsupported messages webhook reference), and any of them forwarded (`context{forwarded}`
//! or `{frequently_forwarded}`, the messages webhook reference's syntax).
//!
//! The rules: a quoted or reacted-to message must be one of this number's conversation with
//! this user (sent to them or received from them, resolved across migrations by
//! `message_ids.rs`); a reply to a button or list, and a quick-reply tap, must quote a
//! message the business sent (OAS `ButtonMessage` and `InteractiveMessageReply` require
//! `context`); a reaction quotes nothing (no `context` in OAS `ReactionMessage_1`), nor
//! does a system notice. A forward quotes nothing either (Meta's `context` then has no
//! `from` or `id`), and a reaction, a reply to a button and a system notice are not
//! forwarded. A changed number is a new user: the window the old one opened does not carry
//! over, and the notice itself, written by WhatsApp and not the user, opens none (inferred,
//! docs/fidelity.md).

use super::message_ids::Earlier;
use super::{DomainError, Id, World};

/// A user's message other than a text or a file.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum UserContent {
    Location(Location),
    /// At least one contact (OAS `ContactSharingMessage.contacts`).
    Contacts(Vec<Contact>),
    /// An empty emoji takes a reaction back (PYWA `unreaction_empty`: Meta sends `""`).
    Reaction {
        message_id: String,
        emoji: String,
    },
    Interactive(InteractiveReply),
    /// A template's quick-reply button (OAS `ButtonMessage.button{payload, text}`).
    Button {
        payload: String,
        text: String,
    },
    Order(Order),
    /// WhatsApp's notice that the user changed their number (`type: user_changed_number`,
    /// the one the reference tells with a number); `body` as the control API gave it, or
    /// Meta's sentence built by the facade.
    UserChangedNumber {
        new_wa_id: String,
        body: Option<String>,
    },
    /// A message Cloud API does not support; `kind` is the reference's `unsupported.type`
    /// (`poll_creation`, `gif`, `edit`...).
    Unsupported {
        kind: String,
    },
}

/// OAS `OrderMessage.order`: a cart from the business's catalog, with the text the user
/// wrote along (OAS requires `text`: an empty one when they wrote none).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Order {
    pub catalog_id: String,
    pub text: String,
    /// At least one item.
    pub product_items: Vec<OrderItem>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OrderItem {
    pub product_retailer_id: String,
    /// At least one (OAS: integer).
    pub quantity: u32,
    /// A finite, non-negative price (OAS: number).
    pub item_price: f64,
    pub currency: String,
}

/// How often a forwarded message was forwarded before, as Meta tells it: `forwarded` up to
/// five times, `frequently_forwarded` beyond (the messages webhook reference's syntax).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Forwarded {
    Forwarded,
    Frequently,
}

/// What a user's message says of an earlier one: nothing, a quote (`context.message_id`),
/// or that it was forwarded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Context<'a> {
    #[default]
    Fresh,
    Quote(&'a str),
    Forwarded(Forwarded),
}

impl UserContent {
    /// The `type` Meta's webhook gives it.
    pub fn message_type(&self) -> &'static str {
        match self {
            UserContent::Location(_) => "location",
            UserContent::Contacts(_) => "contacts",
            UserContent::Reaction { .. } => "reaction",
            UserContent::Interactive(_) => "interactive",
            UserContent::Button { .. } => "button",
            UserContent::Order(_) => "order",
            UserContent::UserChangedNumber { .. } => "system",
            UserContent::Unsupported { .. } => "unsupported",
        }
    }

    /// Whether it can carry no quote: a reaction names its message elsewhere, and WhatsApp,
    /// not the user, writes a system notice.
    fn quotes_nothing(&self) -> bool {
        matches!(
            self,
            UserContent::Reaction { .. } | UserContent::UserChangedNumber { .. }
        )
    }

    /// Whether a user can forward it: not a reaction, a tap on a business's buttons nor a
    /// system notice, which belong to one conversation.
    fn forwardable(&self) -> bool {
        !self.quotes_nothing() && !self.answers_the_business()
    }

    /// Whether it answers a business's message, so must quote one the business sent.
    fn answers_the_business(&self) -> bool {
        matches!(
            self,
            UserContent::Interactive(_) | UserContent::Button { .. }
        )
    }
}

/// OAS `LocationMessage_1.location`: the coordinates, and a place's name, address and URL
/// when the user chose a place (PYWA `current_location` has only the coordinates).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    pub latitude: f64,
    pub longitude: f64,
    pub name: Option<String>,
    pub address: Option<String>,
    pub url: Option<String>,
}

impl Location {
    /// Coordinates on Earth: latitude within ±90, longitude within ±180.
    pub fn on_earth(&self) -> bool {
        self.latitude.is_finite()
            && self.longitude.is_finite()
            && self.latitude.abs() <= 90.0
            && self.longitude.abs() <= 180.0
    }
}

/// A tap on a business's interactive message (OAS `InteractiveButtonReplyContent`,
/// `InteractiveListReplyContent`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum InteractiveReply {
    ButtonReply {
        id: String,
        title: String,
    },
    /// `description` is required in OAS; a row sent without one has none to echo, so it is
    /// left out then (inferred, docs/fidelity.md).
    ListReply {
        id: String,
        title: String,
        description: Option<String>,
    },
}

/// One shared contact (OAS `ContactObject_1`); fields the user's phone did not share are
/// absent ("Many contact object properties may be omitted").
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default)]
    pub addresses: Vec<ContactAddress>,
    pub birthday: Option<String>,
    #[serde(default)]
    pub emails: Vec<ContactEmail>,
    pub name: ContactName,
    pub org: Option<ContactOrg>,
    #[serde(default)]
    pub phones: Vec<ContactPhone>,
    #[serde(default)]
    pub urls: Vec<ContactUrl>,
}

/// `name`: `formatted_name` is the one required field (OAS).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactName {
    pub formatted_name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub middle_name: Option<String>,
    pub suffix: Option<String>,
    pub prefix: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactAddress {
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub country: Option<String>,
    pub country_code: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactEmail {
    pub email: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactOrg {
    pub company: Option<String>,
    pub department: Option<String>,
    pub title: Option<String>,
}

/// `wa_id` only when the number is on WhatsApp (OAS; PYWA's sample has it on each phone).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactPhone {
    pub phone: Option<String>,
    pub wa_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactUrl {
    pub url: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// A quoted message as the webhook's `context` tells it: `from` is who wrote it (the
/// business number's display digits for the business's own message, OAS `ContextObject`;
/// the user's for their own, PYWA `reply`), `id` its wamid.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Quote {
    pub from: String,
    pub id: String,
}

/// What a user's message carries, once checked.
#[derive(Default)]
pub(super) struct Said {
    pub text: String,
    pub media: Option<super::inbound_media::InboundMedia>,
    pub content: Option<UserContent>,
    pub context: Option<Quote>,
    pub forwarded: Option<Forwarded>,
}

impl World {
    /// A user writes a location, contacts, a reaction, a reply to a button, an order, an
    /// unsupported message, or WhatsApp tells of a changed number (control API), with
    /// `context` if given: the rules of this file's head, then as [`World::receive_message`].
    /// Refused before anything changes: an unknown `phone` (`UnknownObject`);
    /// `MessageIdInvalid` naming the id for a quote or reaction naming no message of this
    /// conversation, a reply to a button quoting none the business sent (an empty id when it
    /// quotes nothing), or a reaction or system notice that quotes one; `InvalidParameter`
    /// (`forwarded`) for a forward of what cannot be forwarded, (`new_wa_id`) for a number
    /// changed to itself.
    pub fn receive_content(
        &mut self,
        phone: Id,
        from: &str,
        content: UserContent,
        context: Context<'_>,
    ) -> Result<String, DomainError> {
        if !self.phones.contains_key(&phone) {
            return Err(DomainError::unknown(phone.to_string()));
        }
        if let UserContent::UserChangedNumber { new_wa_id, .. } = &content
            && new_wa_id == from
        {
            return Err(DomainError::InvalidParameter {
                param: "new_wa_id".into(),
                details: "the new number is the one the user had".into(),
            });
        }
        let (quote, forwarded) = match (&content, context) {
            (c, Context::Forwarded(_)) if !c.forwardable() => {
                return Err(DomainError::InvalidParameter {
                    param: "forwarded".into(),
                    details: format!("a {} message is not forwarded", c.message_type()),
                });
            }
            (_, Context::Forwarded(f)) => (None, Some(f)),
            (c, Context::Quote(id)) if c.quotes_nothing() => {
                return Err(DomainError::MessageIdInvalid { id: id.to_string() });
            }
            (c, Context::Quote(id)) => {
                let (quote, earlier) = self.quote(phone, from, id)?;
                if c.answers_the_business() && earlier != Earlier::Sent {
                    return Err(DomainError::MessageIdInvalid { id: id.to_string() });
                }
                (Some(quote), None)
            }
            (UserContent::Reaction { message_id, .. }, Context::Fresh) => {
                self.quote(phone, from, message_id)?;
                (None, None)
            }
            (c, Context::Fresh) if c.answers_the_business() => {
                return Err(DomainError::MessageIdInvalid { id: String::new() });
            }
            (_, Context::Fresh) => (None, None),
        };
        let said = Said {
            content: Some(content),
            context: quote,
            forwarded,
            ..Said::default()
        };
        self.receive_message_with(phone, from, said)
    }

    /// A text's or a file's `context`: the quote it makes, or how often it was forwarded.
    pub(super) fn context_of(
        &self,
        phone: Id,
        from: &str,
        context: Context<'_>,
    ) -> Result<(Option<Quote>, Option<Forwarded>), DomainError> {
        Ok(match context {
            Context::Fresh => (None, None),
            Context::Quote(id) => (Some(self.quote(phone, from, id)?.0), None),
            Context::Forwarded(f) => (None, Some(f)),
        })
    }

    /// A user writes a text (control API), quoting or forwarded as `context` says: as
    /// [`World::receive_message`], refused with `MessageIdInvalid` when the quote names no
    /// message of this conversation.
    pub fn receive_text(
        &mut self,
        phone: Id,
        from: &str,
        text: &str,
        context: Context<'_>,
    ) -> Result<String, DomainError> {
        if !self.phones.contains_key(&phone) {
            return Err(DomainError::unknown(phone.to_string()));
        }
        let (context, forwarded) = self.context_of(phone, from, context)?;
        let said = Said {
            text: text.to_string(),
            context,
            forwarded,
            ..Said::default()
        };
        self.receive_message_with(phone, from, said)
    }

    /// The quote of `id` in `phone`'s conversation with `from`, and whose message it is:
    /// one the number may name (`message_ids.rs`) that it sent to `from` or received from
    /// `from`.
    pub(super) fn quote(
        &self,
        phone: Id,
        from: &str,
        id: &str,
    ) -> Result<(Quote, Earlier), DomainError> {
        let refused = || DomainError::MessageIdInvalid { id: id.to_string() };
        let earlier = self.earlier_message(phone, id).ok_or_else(refused)?;
        let author = match earlier {
            Earlier::Sent => {
                let m = self.messaging.message(id).ok_or_else(refused)?;
                (m.to == from).then(|| self.phones.get(&phone).map(|p| p.e164_digits()))
            }
            Earlier::Received => {
                let r = self.messaging.received.get(id).ok_or_else(refused)?;
                (r.from == from).then(|| Some(r.from.clone()))
            }
        };
        let from = author.flatten().ok_or_else(refused)?;
        Ok((
            Quote {
                from,
                id: id.to_string(),
            },
            earlier,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::Fixture;
    use crate::world::EventKind;
    use crate::world::message::{Content, Send};

    const PHONE: Id = 110_000_000_000_001;
    const USER: &str = "15551230001";
    const OTHER: &str = "15551230002";

    fn world() -> World {
        let mut w = Fixture::default_world().build().unwrap();
        w.clock.freeze();
        w
    }

    /// A free-form message from the number to `to` (whose window `to` opened first).
    fn business_says(w: &mut World, to: &str) -> String {
        w.receive_message(PHONE, to, "hi").unwrap();
        let who = w.authenticate("wabasim-old-bsp").unwrap();
        let s = Send {
            phone: "110000000000001",
            to,
            content: Content::FreeForm,
            media_id: None,
            callback_data: None,
            with_conversation: false,
            context: None,
            reaction: false,
            reaction_to: None,
        };
        w.send_message(&who, &s).unwrap().id
    }

    fn last_inbound(w: &mut World) -> super::super::message::InboundEvent {
        w.drain_events()
            .into_iter()
            .rev()
            .find_map(|e| match e.kind {
                EventKind::Inbound(m) => Some(*m),
                _ => None,
            })
            .expect("an inbound event")
    }

    fn button(payload: &str) -> UserContent {
        UserContent::Button {
            payload: payload.into(),
            text: "Yes".into(),
        }
    }

    #[test]
    fn a_quote_of_the_businesss_message_is_from_its_display_number() {
        let mut w = world();
        let sent = business_says(&mut w, USER);
        w.receive_content(PHONE, USER, button("yes"), Context::Quote(&sent))
            .unwrap();
        let m = last_inbound(&mut w);
        let digits = w.phones[&PHONE].e164_digits();
        assert_eq!(
            m.context,
            Some(Quote {
                from: digits,
                id: sent
            })
        );
        assert_eq!(m.content, Some(button("yes")));
    }

    #[test]
    fn a_quote_of_the_users_own_message_is_from_the_user() {
        let mut w = world();
        let own = w.receive_message(PHONE, USER, "first").unwrap();
        let here = Location {
            latitude: 37.4,
            longitude: -122.1,
            name: None,
            address: None,
            url: None,
        };
        w.receive_content(
            PHONE,
            USER,
            UserContent::Location(here),
            Context::Quote(&own),
        )
        .unwrap();
        let quote = last_inbound(&mut w).context.unwrap();
        assert_eq!((quote.from.as_str(), quote.id), (USER, own));
    }

    #[test]
    fn another_conversations_message_is_not_quoted_nor_reacted_to() {
        let mut w = world();
        let to_other = business_says(&mut w, OTHER);
        let others = w.receive_message(PHONE, OTHER, "mine").unwrap();
        for id in [to_other.as_str(), others.as_str(), "wamid.unknown"] {
            let refused = DomainError::MessageIdInvalid { id: id.into() };
            let react = UserContent::Reaction {
                message_id: id.into(),
                emoji: "👍".into(),
            };
            assert_eq!(
                w.receive_content(PHONE, USER, react, Context::Fresh),
                Err(refused)
            );
            assert!(
                w.receive_content(PHONE, USER, button("x"), Context::Quote(id))
                    .is_err()
            );
        }
        // Another number of the WABA does not name this number's messages.
        let refused = w.receive_content(
            110_000_000_000_002,
            OTHER,
            button("x"),
            Context::Quote(&to_other),
        );
        assert!(refused.is_err());
    }

    #[test]
    fn a_reply_to_a_button_quotes_a_business_message_and_a_reaction_quotes_nothing() {
        let mut w = world();
        let sent = business_says(&mut w, USER);
        let own = w.receive_message(PHONE, USER, "first").unwrap();
        let tap = UserContent::Interactive(InteractiveReply::ButtonReply {
            id: "b1".into(),
            title: "Yes".into(),
        });
        assert!(
            w.receive_content(PHONE, USER, tap.clone(), Context::Fresh)
                .is_err()
        );
        assert!(
            w.receive_content(PHONE, USER, tap.clone(), Context::Quote(&own))
                .is_err()
        );
        assert!(
            w.receive_content(PHONE, USER, tap, Context::Quote(&sent))
                .is_ok()
        );
        // Un-reacting (an empty emoji) to the user's own message is a reaction too.
        let unreact = UserContent::Reaction {
            message_id: own.clone(),
            emoji: String::new(),
        };
        assert!(
            w.receive_content(PHONE, USER, unreact.clone(), Context::Quote(&sent))
                .is_err()
        );
        w.receive_content(PHONE, USER, unreact.clone(), Context::Fresh)
            .unwrap();
        let m = last_inbound(&mut w);
        assert_eq!((m.content, m.context), (Some(unreact), None));
    }

    #[test]
    fn a_refused_message_opens_no_window_and_an_unknown_number_is_unknown() {
        let mut w = world();
        let digits = w.phones[&PHONE].e164_digits();
        let now = w.now();
        assert!(
            w.receive_content(PHONE, USER, button("x"), Context::Quote("wamid.x"))
                .is_err()
        );
        assert!(!w.messaging.recipients.window_open(&digits, USER, now));
        assert_eq!(
            w.receive_content(404, USER, button("x"), Context::Fresh),
            Err(DomainError::unknown("404"))
        );
    }

    #[test]
    fn coordinates_must_be_on_earth() {
        let at = |latitude, longitude| Location {
            latitude,
            longitude,
            name: None,
            address: None,
            url: None,
        };
        assert!(at(-90.0, 180.0).on_earth());
        assert!(!at(90.5, 0.0).on_earth());
        assert!(!at(0.0, -180.5).on_earth());
        assert!(!at(f64::NAN, 0.0).on_earth());
    }

    #[test]
    fn a_changed_number_opens_no_window_and_the_new_number_is_a_new_user() {
        let mut w = world();
        let digits = w.phones[&PHONE].e164_digits();
        let moved = UserContent::UserChangedNumber {
            new_wa_id: OTHER.into(),
            body: None,
        };
        w.receive_content(PHONE, USER, moved.clone(), Context::Fresh)
            .unwrap();
        let now = w.now();
        assert!(!w.messaging.recipients.window_open(&digits, USER, now));
        assert!(!w.messaging.recipients.window_open(&digits, OTHER, now));
        assert_eq!(last_inbound(&mut w).content, Some(moved.clone()));
        // The old number's open window stays the old number's.
        w.receive_message(PHONE, USER, "hi").unwrap();
        w.receive_content(PHONE, USER, moved.clone(), Context::Fresh)
            .unwrap();
        assert!(w.messaging.recipients.window_open(&digits, USER, now));
        assert!(!w.messaging.recipients.window_open(&digits, OTHER, now));
        let own = w.receive_message(PHONE, USER, "mine").unwrap();
        assert_eq!(
            w.receive_content(PHONE, USER, moved, Context::Quote(&own)),
            Err(DomainError::MessageIdInvalid { id: own })
        );
        let to_itself = UserContent::UserChangedNumber {
            new_wa_id: USER.into(),
            body: None,
        };
        assert!(matches!(
            w.receive_content(PHONE, USER, to_itself, Context::Fresh),
            Err(DomainError::InvalidParameter { param, .. }) if param == "new_wa_id"
        ));
    }

    #[test]
    fn orders_and_unsupported_messages_open_the_window() {
        let order = UserContent::Order(Order {
            catalog_id: "194836987003835".into(),
            text: String::new(),
            product_items: vec![OrderItem {
                product_retailer_id: "di9ozbzfi4".into(),
                quantity: 2,
                item_price: 30.0,
                currency: "USD".into(),
            }],
        });
        let poll = UserContent::Unsupported {
            kind: "poll_creation".into(),
        };
        for said in [order, poll] {
            let mut w = world();
            let digits = w.phones[&PHONE].e164_digits();
            w.receive_content(PHONE, USER, said.clone(), Context::Fresh)
                .unwrap();
            let now = w.now();
            assert!(w.messaging.recipients.window_open(&digits, USER, now));
            assert_eq!(last_inbound(&mut w).content, Some(said));
        }
    }

    #[test]
    fn a_forward_quotes_nothing_and_a_reaction_or_a_tap_is_not_forwarded() {
        let mut w = world();
        let sent = business_says(&mut w, USER);
        let twice = Context::Forwarded(Forwarded::Forwarded);
        w.receive_text(PHONE, USER, "fwd", twice).unwrap();
        let m = last_inbound(&mut w);
        assert_eq!((m.context, m.forwarded), (None, Some(Forwarded::Forwarded)));
        let often = Context::Forwarded(Forwarded::Frequently);
        let poll = UserContent::Unsupported {
            kind: "poll_creation".into(),
        };
        w.receive_content(PHONE, USER, poll, often).unwrap();
        assert_eq!(last_inbound(&mut w).forwarded, Some(Forwarded::Frequently));
        let like = UserContent::Reaction {
            message_id: sent,
            emoji: "👍".into(),
        };
        let moved = UserContent::UserChangedNumber {
            new_wa_id: OTHER.into(),
            body: None,
        };
        for c in [like, button("x"), moved] {
            assert!(matches!(
                w.receive_content(PHONE, USER, c, often),
                Err(DomainError::InvalidParameter { param, .. }) if param == "forwarded"
            ));
        }
    }
}
