//! What a wamid names for a business number: the one rule behind a reply's
//! `context.message_id`, a reaction's `reaction.message_id` and a read receipt's
//! `message_id`, and the users' messages kept for it (`POST /__admin/inbound`, within
//! `messages_kept`, as sent messages are).
//!
//! An id resolves for the record that sent or received it, and for the destination of each
//! Cloud API → Cloud API migration of that record since; a migration from On-Premises leaves
//! it behind (seed 002: "Media and message history will not be migrated if either the source
//! or destination WABA is on the On-Premises API. If both … are on the Cloud API, uploaded
//! media IDs and message IDs can continue to be used"). What each request does with an id
//! that does not resolve is Meta's answer for it, chosen in `message.rs` and listed in
//! docs/fidelity.md, "Message ids": a reply goes out without its quote, a reaction fails
//! with 131009, a read receipt is refused.

use super::message::Messaging;
use super::{Id, World};
use crate::clock::Timestamp;

/// A user's message a number received, kept for later requests that name it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Received {
    /// The record that received it.
    pub phone: Id,
    pub from: String,
    pub at: Timestamp,
}

/// What an earlier message is to the number that names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Earlier {
    Sent,
    Received,
}

impl Messaging {
    /// Users' messages remembered.
    pub fn received_len(&self) -> usize {
        self.received.len()
    }
}

impl World {
    /// What `id` is to the record `phone`, if the number may name it now: a message it sent
    /// or a user's message it received, held by `phone` across the completed migrations
    /// since (`holder_after_migrations`). Anything else (an unknown id, another number's, one
    /// forgotten past `messages_kept`, one left behind by a migration from On-Premises) is
    /// `None`.
    pub fn earlier_message(&self, phone: Id, id: &str) -> Option<Earlier> {
        let (record, at, kind) = match self.messaging.message(id) {
            Some(m) => (m.phone, m.sent_at, Earlier::Sent),
            None => {
                let r = self.messaging.received.get(id)?;
                (r.phone, r.at, Earlier::Received)
            }
        };
        (self.holder_after_migrations(record, at)? == phone).then_some(kind)
    }

    /// Keeps a user's message, forgetting the oldest past `messages_kept`.
    pub(super) fn keep_received(&mut self, id: String, r: Received) {
        let bound = self.settings.messages_kept;
        let kept = &mut self.messaging;
        kept.received_order.push_back(id.clone());
        kept.received.insert(id, r);
        while kept.received_order.len() > bound {
            if let Some(old) = kept.received_order.pop_front() {
                kept.received.remove(&old);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::Fixture;
    use crate::world::message::{Content, Failure, Send, Status};
    use crate::world::vocab::Platform;
    use crate::world::{DomainError, Principal};

    const SOURCE: Id = 110_000_000_000_001;
    const USER: &str = "15551230001";

    fn world() -> (World, Principal) {
        let mut w = Fixture::default_world().build().unwrap();
        w.clock.freeze();
        let who = w.authenticate("wabasim-old-bsp").unwrap();
        (w, who)
    }

    fn text<'a>(phone: &'a str, context: Option<&'a str>) -> Send<'a> {
        Send {
            phone,
            to: USER,
            content: Content::FreeForm,
            media_id: None,
            callback_data: None,
            with_conversation: false,
            context,
            reaction: false,
            reaction_to: None,
        }
    }

    fn reaction<'a>(phone: &'a str, target: &'a str) -> Send<'a> {
        Send {
            reaction: true,
            reaction_to: Some(target),
            ..text(phone, None)
        }
    }

    /// Moves the default Cloud API number to New BSP's WABA (or, with `on_premise`, the same
    /// number as if it had been On-Premises), returning the destination record.
    fn migrate(w: &mut World, on_premise: bool) -> Id {
        if on_premise {
            w.phones.get_mut(&SOURCE).unwrap().platform = Platform::OnPremise;
        }
        let who = w.authenticate("wabasim-new-bsp").unwrap();
        let dest = w
            .start_migration(&who, "200000000000002", "1", "5550100001")
            .unwrap()
            .to_string();
        w.request_code(&who, &dest, "SMS", "en_US").unwrap();
        let code = w.codes_sent.back().unwrap().code.clone();
        w.verify_code(&who, &dest, &code).unwrap();
        w.register(&who, &dest, "whatsapp", "123456", None).unwrap();
        dest.parse().unwrap()
    }

    #[test]
    fn a_number_names_what_it_sent_and_received_and_nothing_else() {
        let (mut w, who) = world();
        let got = w.receive_message(SOURCE, USER, "hi").unwrap();
        let sent = w
            .send_message(&who, &text("110000000000001", None))
            .unwrap();
        assert_eq!(w.earlier_message(SOURCE, &got), Some(Earlier::Received));
        assert_eq!(w.earlier_message(SOURCE, &sent.id), Some(Earlier::Sent));
        assert_eq!(w.earlier_message(SOURCE, "wamid.unknown"), None);
        // Another number of the same WABA does not name them.
        assert_eq!(w.earlier_message(110_000_000_000_002, &got), None);
        assert_eq!(w.earlier_message(110_000_000_000_002, &sent.id), None);
    }

    #[test]
    fn users_messages_are_kept_within_messages_kept() {
        let (mut w, _) = world();
        w.settings.messages_kept = 2;
        let first = w.receive_message(SOURCE, USER, "1").unwrap();
        for i in 2..=4 {
            w.receive_message(SOURCE, USER, &i.to_string()).unwrap();
        }
        assert_eq!(w.messaging.received_len(), 2);
        assert_eq!(w.earlier_message(SOURCE, &first), None);
    }

    #[test]
    fn a_cloud_to_cloud_migration_hands_the_ids_to_the_destination() {
        let (mut w, who) = world();
        let got = w.receive_message(SOURCE, USER, "hi").unwrap();
        let sent = w
            .send_message(&who, &text("110000000000001", None))
            .unwrap();
        let dest = migrate(&mut w, false);
        assert_eq!(w.earlier_message(dest, &got), Some(Earlier::Received));
        assert_eq!(w.earlier_message(dest, &sent.id), Some(Earlier::Sent));
        assert_eq!(w.earlier_message(SOURCE, &got), None);
        let new = w.authenticate("wabasim-new-bsp").unwrap();
        let dest_id = dest.to_string();
        w.mark_read(&new, &dest_id, &got).unwrap();
        let reply = w.send_message(&new, &text(&dest_id, Some(&got))).unwrap();
        assert_eq!(w.messaging.message(&reply.id).unwrap().quoted, Some(got));
        let liked = w.send_message(&new, &reaction(&dest_id, &sent.id)).unwrap();
        assert_eq!(w.messaging.message(&liked.id).unwrap().status, Status::Sent);
        // A day on, the reply is delivered and read; the reaction stays `sent` (Meta tells
        // reactions `sent` only).
        w.clock.advance(crate::clock::Duration(86_400_000)).unwrap();
        w.catch_up();
        assert_eq!(w.messaging.message(&reply.id).unwrap().status, Status::Read);
        assert_eq!(w.messaging.message(&liked.id).unwrap().status, Status::Sent);
    }

    #[test]
    fn a_migration_from_on_premises_leaves_the_ids_behind() {
        let (mut w, who) = world();
        let got = w.receive_message(SOURCE, USER, "hi").unwrap();
        let sent = w
            .send_message(&who, &text("110000000000001", None))
            .unwrap();
        let dest = migrate(&mut w, true);
        assert_eq!(w.earlier_message(dest, &got), None);
        assert_eq!(w.earlier_message(dest, &sent.id), None);
        let new = w.authenticate("wabasim-new-bsp").unwrap();
        let dest_id = dest.to_string();
        let refused = w.mark_read(&new, &dest_id, &got).unwrap_err();
        assert_eq!(refused, DomainError::MessageIdInvalid { id: got.clone() });
        // A reply still goes out, without its quote; a reaction fails after the 200.
        let reply = w.send_message(&new, &text(&dest_id, Some(&got))).unwrap();
        let reply = w.messaging.message(&reply.id).unwrap();
        assert_eq!((reply.quoted.clone(), reply.status), (None, Status::Sent));
        let liked = w.send_message(&new, &reaction(&dest_id, &got)).unwrap();
        assert_eq!(
            w.messaging.message(&liked.id).unwrap().status,
            Status::Failed(Failure::UnknownMessage)
        );
        // A message the destination received after the move is its own.
        let later = w.receive_message(dest, USER, "again").unwrap();
        assert_eq!(w.earlier_message(dest, &later), Some(Earlier::Received));
    }

    #[test]
    fn only_a_received_message_is_marked_read() {
        let (mut w, who) = world();
        let got = w.receive_message(SOURCE, USER, "hi").unwrap();
        let sent = w
            .send_message(&who, &text("110000000000001", None))
            .unwrap();
        assert_eq!(w.mark_read(&who, "110000000000001", &got), Ok(()));
        for id in [
            sent.id.as_str(),
            "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA",
        ] {
            let e = w.mark_read(&who, "110000000000001", id).unwrap_err();
            assert_eq!(e, DomainError::MessageIdInvalid { id: id.to_string() });
        }
    }

    #[test]
    fn a_reaction_to_an_unknown_message_fails_with_131009_before_the_window() {
        let (mut w, who) = world();
        // No window is open: the lost target is what the status tells.
        let liked = w
            .send_message(&who, &reaction("110000000000001", "wamid.x"))
            .unwrap();
        assert_eq!(
            w.messaging.message(&liked.id).unwrap().status,
            Status::Failed(Failure::UnknownMessage)
        );
        w.receive_message(SOURCE, USER, "hi").unwrap();
        let sent = w
            .send_message(&who, &text("110000000000001", None))
            .unwrap();
        let liked = w
            .send_message(&who, &reaction("110000000000001", &sent.id))
            .unwrap();
        assert_eq!(w.messaging.message(&liked.id).unwrap().status, Status::Sent);
    }
}
