//! ChatAppInbound's `Type` and `Message` for what a user writes besides a text or a file
//! (`world/inbound.rs`). The ChatAppInbound page (seen) lists `Type` `TEXT`, `LOCATION`,
//! `DOCUMENT`, `VIDEO`, `AUDIO`, `REPLY`, `IMAGE`, `CONTACTS`, `SYSTEM`, and gives the
//! LOCATION object's fields (`address`, `latitude`, `longitude`, `name`, all strings, all
//! required); it gives no fields for `REPLY` or `CONTACTS` and no type for a reaction. What
//! it leaves out is chosen here and listed in docs/fidelity.md: `CONTACTS` carries Meta's
//! contacts array, `REPLY` Meta's `interactive` object (a button or list reply) or `button`
//! object (a template's quick reply), `SYSTEM` Meta's `system` object (a changed number),
//! and a reaction, an order and an unsupported message are not told (the page has no
//! `Type` for them); no report carries the quote or the forward (`context`): the page has
//! no field for either.

use crate::webhooks::messages::{contact_card, interactive_reply, system_object};
use crate::wire::json::{Arr, Obj};
use crate::world::inbound::UserContent;
use crate::world::message::InboundEvent;

/// `(Type, Message)` of `m`'s content `c`, or `None` for what the page has no `Type` for.
pub fn report(c: &UserContent, m: &InboundEvent) -> Option<(&'static str, String)> {
    let mut buf = Vec::with_capacity(256);
    let kind = match c {
        UserContent::Location(l) => {
            let mut o = Obj::new(&mut buf);
            o.str("address", l.address.as_deref().unwrap_or(""))
                .str("latitude", &l.latitude.to_string())
                .str("longitude", &l.longitude.to_string())
                .str("name", l.name.as_deref().unwrap_or(""));
            o.end();
            "LOCATION"
        }
        UserContent::Contacts(list) => {
            let mut a = Arr::new(&mut buf);
            for card in list {
                a.obj(|t| contact_card(card, t));
            }
            a.end();
            "CONTACTS"
        }
        UserContent::Interactive(r) => {
            let mut o = Obj::new(&mut buf);
            interactive_reply(r, &mut o);
            o.end();
            "REPLY"
        }
        UserContent::Button { payload, text } => {
            let mut o = Obj::new(&mut buf);
            o.str("payload", payload).str("text", text);
            o.end();
            "REPLY"
        }
        UserContent::UserChangedNumber { new_wa_id, body } => {
            let mut o = Obj::new(&mut buf);
            system_object(m, new_wa_id, body.as_deref(), &mut o);
            o.end();
            "SYSTEM"
        }
        UserContent::Reaction { .. } | UserContent::Order(_) | UserContent::Unsupported { .. } => {
            return None;
        }
    };
    Some((kind, String::from_utf8(buf).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::inbound::{Location, Order, OrderItem};

    fn from_ann() -> InboundEvent {
        InboundEvent {
            message: "wamid.x".into(),
            phone: 110_000_000_000_001,
            display_digits: "15550100001".into(),
            from: "15551230001".into(),
            profile_name: Some("Ann".into()),
            user_id: None,
            text: String::new(),
            media: None,
            content: None,
            context: None,
            forwarded: None,
        }
    }

    #[test]
    fn a_location_is_the_pages_four_strings_and_a_reaction_is_not_told() {
        let here = UserContent::Location(Location {
            latitude: 37.4611978,
            longitude: -122.2164385,
            name: None,
            address: Some("1 Hacker Way".into()),
            url: Some("https://example.com".into()),
        });
        assert_eq!(
            report(&here, &from_ann()),
            Some((
                "LOCATION",
                r#"{"address":"1 Hacker Way","latitude":"37.4611978","longitude":"-122.2164385","name":""}"#
                    .to_string()
            ))
        );
        let like = UserContent::Reaction {
            message_id: "wamid.x".into(),
            emoji: "👍".into(),
        };
        assert_eq!(report(&like, &from_ann()), None);
        let tap = UserContent::Button {
            payload: "stop".into(),
            text: "Stop".into(),
        };
        assert_eq!(
            report(&tap, &from_ann()),
            Some(("REPLY", r#"{"payload":"stop","text":"Stop"}"#.to_string()))
        );
    }

    #[test]
    fn a_changed_number_is_a_system_report_and_an_order_is_not_told() {
        let moved = UserContent::UserChangedNumber {
            new_wa_id: "15559870000".into(),
            body: None,
        };
        assert_eq!(
            report(&moved, &from_ann()),
            Some((
                "SYSTEM",
                r#"{"body":"User Ann changed from 15551230001 to 15559870000","wa_id":"15559870000","type":"user_changed_number"}"#
                    .to_string()
            ))
        );
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
        assert_eq!(report(&order, &from_ann()), None);
        let poll = UserContent::Unsupported {
            kind: "poll_creation".into(),
        };
        assert_eq!(report(&poll, &from_ann()), None);
    }
}
