//! ChatAppInbound's `Type` and `Message` for what a user writes besides a text or a file
//! (`world/inbound.rs`). The ChatAppInbound page (seen) lists `Type` `TEXT`, `LOCATION`,
//! `DOCUMENT`, `VIDEO`, `AUDIO`, `REPLY`, `IMAGE`, `CONTACTS`, `SYSTEM`, and gives the
//! LOCATION object's fields (`address`, `latitude`, `longitude`, `name`, all strings, all
//! required); it gives no fields for `REPLY` or `CONTACTS` and no type for a reaction. What
//! it leaves out is chosen here and listed in docs/fidelity.md: `CONTACTS` carries Meta's
//! contacts array, `REPLY` Meta's `interactive` object (a button or list reply) or `button`
//! object (a template's quick reply), a reaction is not told, and no report carries the
//! quote (`context`): the page has no field for it.

use crate::webhooks::messages::{contact_card, interactive_reply};
use crate::wire::json::{Arr, Obj};
use crate::world::inbound::UserContent;

/// `(Type, Message)`, or `None` for a reaction.
pub fn report(c: &UserContent) -> Option<(&'static str, String)> {
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
        UserContent::Reaction { .. } => return None,
    };
    Some((kind, String::from_utf8(buf).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::inbound::Location;

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
            report(&here),
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
        assert_eq!(report(&like), None);
        let tap = UserContent::Button {
            payload: "stop".into(),
            text: "Stop".into(),
        };
        assert_eq!(
            report(&tap),
            Some(("REPLY", r#"{"payload":"stop","text":"Stop"}"#.to_string()))
        );
    }
}
