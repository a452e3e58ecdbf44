//! What a user may write besides a text or a file, as the world keeps it: a location, shared
//! contacts, a reaction, a tap on a business's reply button or list row, a tap on a
//! template's quick-reply button, and the quote (`context`) any of them may carry. Typed here
//! and rendered by each facade (Graph and 360dialog: `webhooks/messages.rs`; ChatApp:
//! `api/cams/callbacks.rs`). Wire shapes: Meta's OpenAPI document (business-messaging-api
//! v23.0: `LocationMessage_1`, `ContactSharingMessage` / `ContactObject_1`,
//! `ReactionMessage_1`, `InteractiveMessageReply`, `ButtonMessage`, `ContextObject`) and
//! PYWA's webhook samples (`message.json`, `callback_button.json`).
//!
//! The rules: a quoted or reacted-to message must be one of this number's conversation with
//! this user (sent to them or received from them, resolved across migrations by
//! `message_ids.rs`); a reply to a button or list, and a quick-reply tap, must quote a
//! message the business sent (OAS `ButtonMessage` and `InteractiveMessageReply` require
//! `context`); a reaction quotes nothing (no `context` in OAS `ReactionMessage_1`).

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
        }
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
}

impl World {
    /// A user writes a location, contacts, a reaction or a reply to a button (control API),
    /// quoting `context` if given: the rules of this file's head, then as
    /// [`World::receive_message`]. Refused before anything changes: an unknown `phone`
    /// (`UnknownObject`); `MessageIdInvalid` naming the id for a quote or reaction naming no
    /// message of this conversation, a reply to a button quoting none the business sent (an
    /// empty id when it quotes nothing), or a reaction that quotes one.
    pub fn receive_content(
        &mut self,
        phone: Id,
        from: &str,
        content: UserContent,
        context: Option<&str>,
    ) -> Result<String, DomainError> {
        if !self.phones.contains_key(&phone) {
            return Err(DomainError::unknown(phone.to_string()));
        }
        let quote = match (&content, context) {
            (UserContent::Reaction { .. }, Some(id)) => {
                return Err(DomainError::MessageIdInvalid { id: id.to_string() });
            }
            (UserContent::Reaction { message_id, .. }, None) => {
                self.quote(phone, from, message_id)?;
                None
            }
            (c, Some(id)) => {
                let (quote, earlier) = self.quote(phone, from, id)?;
                if c.answers_the_business() && earlier != Earlier::Sent {
                    return Err(DomainError::MessageIdInvalid { id: id.to_string() });
                }
                Some(quote)
            }
            (c, None) if c.answers_the_business() => {
                return Err(DomainError::MessageIdInvalid { id: String::new() });
            }
            (_, None) => None,
        };
        let said = Said {
            content: Some(content),
            context: quote,
            ..Said::default()
        };
        self.receive_message_with(phone, from, said)
    }

    /// A user writes a text (control API), quoting `context` if given: as
    /// [`World::receive_message`], refused with `MessageIdInvalid` when the quote names no
    /// message of this conversation.
    pub fn receive_text(
        &mut self,
        phone: Id,
        from: &str,
        text: &str,
        context: Option<&str>,
    ) -> Result<String, DomainError> {
        if !self.phones.contains_key(&phone) {
            return Err(DomainError::unknown(phone.to_string()));
        }
        let context = match context {
            Some(id) => Some(self.quote(phone, from, id)?.0),
            None => None,
        };
        let said = Said {
            text: text.to_string(),
            context,
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
        w.receive_content(PHONE, USER, button("yes"), Some(&sent))
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
        w.receive_content(PHONE, USER, UserContent::Location(here), Some(&own))
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
            assert_eq!(w.receive_content(PHONE, USER, react, None), Err(refused));
            assert!(
                w.receive_content(PHONE, USER, button("x"), Some(id))
                    .is_err()
            );
        }
        // Another number of the WABA does not name this number's messages.
        let refused = w.receive_content(110_000_000_000_002, OTHER, button("x"), Some(&to_other));
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
        assert!(w.receive_content(PHONE, USER, tap.clone(), None).is_err());
        assert!(
            w.receive_content(PHONE, USER, tap.clone(), Some(&own))
                .is_err()
        );
        assert!(w.receive_content(PHONE, USER, tap, Some(&sent)).is_ok());
        // Un-reacting (an empty emoji) to the user's own message is a reaction too.
        let unreact = UserContent::Reaction {
            message_id: own.clone(),
            emoji: String::new(),
        };
        assert!(
            w.receive_content(PHONE, USER, unreact.clone(), Some(&sent))
                .is_err()
        );
        w.receive_content(PHONE, USER, unreact.clone(), None)
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
            w.receive_content(PHONE, USER, button("x"), Some("wamid.x"))
                .is_err()
        );
        assert!(!w.messaging.recipients.window_open(&digits, USER, now));
        assert_eq!(
            w.receive_content(404, USER, button("x"), None),
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
}
