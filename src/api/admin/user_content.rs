//! The control API's reading of what a user writes besides a text or a file, in the shapes
//! Meta's webhook gives them (so a test writes what its bot will read): `location`
//! `{latitude, longitude, name?, address?, url?}`, `contacts` (Meta's contacts array:
//! `name{formatted_name, ...}`, `phones[{phone, wa_id?, type?}]`, `emails`, `addresses`,
//! `org`, `urls`, `birthday`), `reaction` `{message_id, emoji}` (`""` takes it back),
//! `interactive` `{type: button_reply|list_reply, button_reply{id, title} |
//! list_reply{id, title, description?}}` and `button` `{payload, text}`. The rules that need
//! the world (which message is quoted) are `world/inbound.rs`'s.

use serde_json::Value;

use super::inbound::INBOUND_TEXT_MAX;
use crate::world::inbound::{Contact, InteractiveReply, Location, UserContent};

/// Why a body's message is not taken.
pub enum Refusal {
    /// `type` is none the control API knows.
    UnknownType,
    /// What is wrong, for the 400.
    Bad(String),
}

/// The `kind` message from its object; `quotes` says whether the body has a `context`.
pub fn read(kind: &str, object: Option<&Value>, quotes: bool) -> Result<UserContent, Refusal> {
    let bad = |why: String| Refusal::Bad(why);
    let known = ["location", "contacts", "reaction", "interactive", "button"];
    if !known.contains(&kind) {
        return Err(Refusal::UnknownType);
    }
    let Some(object) = object else {
        return Err(bad(format!("a {kind} message needs its \"{kind}\" object")));
    };
    if let Some(path) = overlong(object, kind) {
        return Err(bad(format!(
            "{path} is longer than {INBOUND_TEXT_MAX} bytes"
        )));
    }
    match (kind, quotes) {
        ("reaction", true) => {
            return Err(bad(
                "a reaction quotes nothing: its target is \"reaction.message_id\", not \"context\""
                    .into(),
            ));
        }
        ("interactive" | "button", false) => {
            return Err(bad(format!(
                "a {kind} reply needs \"context\": {{\"message_id\"}} of the business message it answers"
            )));
        }
        _ => {}
    }
    match kind {
        "location" => location(object).map(UserContent::Location),
        "contacts" => contacts(object).map(UserContent::Contacts),
        "reaction" => reaction(object),
        "interactive" => interactive(object).map(UserContent::Interactive),
        _ => button(object),
    }
    .map_err(bad)
}

/// The first string under `v` longer than the bound, as a path for the 400. The body is
/// already bounded (16 MiB) and parsed (depth at most 128), so the walk is too.
fn overlong(v: &Value, path: &str) -> Option<String> {
    match v {
        Value::String(s) if s.len() > INBOUND_TEXT_MAX => Some(format!("\"{path}\"")),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| overlong(x, &format!("{path}[{i}]"))),
        Value::Object(o) => o
            .iter()
            .find_map(|(k, x)| overlong(x, &format!("{path}.{k}"))),
        _ => None,
    }
}

/// `object[key]`, a string.
fn string(object: &Value, kind: &str, key: &str) -> Result<String, String> {
    match object.get(key).and_then(Value::as_str) {
        Some(s) => Ok(s.to_string()),
        None => Err(format!("\"{kind}.{key}\" must be a string")),
    }
}

fn optional(object: &Value, kind: &str, key: &str) -> Result<Option<String>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => string(object, kind, key).map(Some),
    }
}

fn location(o: &Value) -> Result<Location, String> {
    let coordinate = |key: &str| {
        o.get(key)
            .and_then(Value::as_f64)
            .ok_or_else(|| format!("\"location.{key}\" must be a number"))
    };
    let l = Location {
        latitude: coordinate("latitude")?,
        longitude: coordinate("longitude")?,
        name: optional(o, "location", "name")?,
        address: optional(o, "location", "address")?,
        url: optional(o, "location", "url")?,
    };
    if !l.on_earth() {
        return Err(
            "\"location\": latitude is within -90..90 and longitude within -180..180".into(),
        );
    }
    Ok(l)
}

fn contacts(v: &Value) -> Result<Vec<Contact>, String> {
    let items = match v.as_array() {
        Some(a) if !a.is_empty() => a,
        _ => return Err("\"contacts\" must be a non-empty array of contacts".into()),
    };
    items
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let card: Contact =
                serde_json::from_value(c.clone()).map_err(|e| format!("\"contacts[{i}]\": {e}"))?;
            if card.name.formatted_name.is_empty() {
                return Err(format!(
                    "\"contacts[{i}].name.formatted_name\" must not be empty"
                ));
            }
            Ok(card)
        })
        .collect()
}

fn reaction(o: &Value) -> Result<UserContent, String> {
    let message_id = string(o, "reaction", "message_id")?;
    let emoji = o.get("emoji").and_then(Value::as_str).ok_or_else(|| {
        "\"reaction.emoji\" must be a string (\"\" takes the reaction back)".to_string()
    })?;
    Ok(UserContent::Reaction {
        message_id,
        emoji: emoji.to_string(),
    })
}

fn button(o: &Value) -> Result<UserContent, String> {
    let payload = string(o, "button", "payload")?;
    let text = string(o, "button", "text")?;
    Ok(UserContent::Button { payload, text })
}

fn interactive(o: &Value) -> Result<InteractiveReply, String> {
    let kind = match o.get("type").and_then(Value::as_str) {
        Some(t) => t,
        None if o.get("list_reply").is_some() => "list_reply",
        None => "button_reply",
    };
    let Some(reply) = o.get(kind).filter(|r| r.is_object()) else {
        return Err(
            "\"interactive\" is {\"type\": \"button_reply\", \"button_reply\": {\"id\", \"title\"}} or {\"type\": \"list_reply\", \"list_reply\": {\"id\", \"title\", \"description\"?}}"
                .into(),
        );
    };
    let at = format!("interactive.{kind}");
    let (id, title) = (string(reply, &at, "id")?, string(reply, &at, "title")?);
    Ok(match kind {
        "list_reply" => InteractiveReply::ListReply {
            id,
            title,
            description: optional(reply, &at, "description")?,
        },
        _ => InteractiveReply::ButtonReply { id, title },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refused(kind: &str, object: Value, quotes: bool) -> String {
        match read(kind, Some(&object), quotes) {
            Err(Refusal::Bad(why)) => why,
            Err(Refusal::UnknownType) => "unknown type".into(),
            Ok(c) => panic!("{kind} {object} was taken: {c:?}"),
        }
    }

    #[test]
    fn a_location_needs_coordinates_on_earth() {
        let l = read(
            "location",
            Some(&json!({"latitude": 1.5, "longitude": -2})),
            false,
        );
        assert!(
            matches!(l, Ok(UserContent::Location(Location { latitude, .. })) if latitude == 1.5)
        );
        assert!(refused("location", json!({"latitude": 1}), false).contains("longitude"));
        assert!(
            refused("location", json!({"latitude": "1", "longitude": 2}), false)
                .contains("latitude")
        );
        assert!(
            refused("location", json!({"latitude": 91, "longitude": 2}), false).contains("-90..90")
        );
        assert!(
            refused(
                "location",
                json!({"latitude": 1, "longitude": 2, "name": 3}),
                false
            )
            .contains("location.name")
        );
    }

    #[test]
    fn contacts_are_metas_array_with_a_formatted_name() {
        let card = json!([{"name": {"formatted_name": "Ann Lee", "first_name": "Ann"},
                           "phones": [{"phone": "+1 555", "wa_id": "1555", "type": "CELL"}]}]);
        let Ok(UserContent::Contacts(cards)) = read("contacts", Some(&card), false) else {
            panic!("not taken");
        };
        assert_eq!(cards[0].phones[0].kind.as_deref(), Some("CELL"));
        assert!(refused("contacts", json!([]), false).contains("non-empty"));
        assert!(refused("contacts", json!([{"phones": []}]), false).contains("contacts[0]"));
        assert!(
            refused("contacts", json!([{"name": {"formatted_name": ""}}]), false)
                .contains("formatted_name")
        );
        assert!(
            refused(
                "contacts",
                json!([{"name": {"formatted_name": "A"}, "fax": 1}]),
                false
            )
            .contains("fax")
        );
    }

    #[test]
    fn reactions_quote_nothing_and_replies_to_buttons_quote_something() {
        let like = json!({"message_id": "wamid.x", "emoji": ""});
        assert!(read("reaction", Some(&like), false).is_ok());
        assert!(refused("reaction", like, true).contains("quotes nothing"));
        assert!(refused("reaction", json!({"message_id": "wamid.x"}), false).contains("emoji"));
        let tap = json!({"type": "button_reply", "button_reply": {"id": "b1", "title": "Yes"}});
        assert!(refused("interactive", tap.clone(), false).contains("context"));
        assert!(read("interactive", Some(&tap), true).is_ok());
        let row = json!({"list_reply": {"id": "r1", "title": "Express"}});
        assert!(matches!(
            read("interactive", Some(&row), true),
            Ok(UserContent::Interactive(InteractiveReply::ListReply {
                description: None,
                ..
            }))
        ));
        assert!(
            refused("interactive", json!({"type": "nfm_reply"}), true).contains("button_reply")
        );
        assert!(refused("button", json!({"payload": "p"}), true).contains("button.text"));
    }

    #[test]
    fn unknown_types_missing_objects_and_long_strings_are_refused() {
        assert!(matches!(
            read("poll", None, false),
            Err(Refusal::UnknownType)
        ));
        assert!(matches!(
            read("location", None, false),
            Err(Refusal::Bad(_))
        ));
        let long = "x".repeat(INBOUND_TEXT_MAX + 1);
        let why = refused(
            "contacts",
            json!([{"name": {"formatted_name": long}}]),
            false,
        );
        assert_eq!(
            why,
            "\"contacts[0].name.formatted_name\" is longer than 4096 bytes"
        );
    }
}
