//! The control API's reading of what a user writes besides a text or a file, in the shapes
//! Meta's webhook gives them (so a test writes what its bot will read): `location`
//! `{latitude, longitude, name?, address?, url?}`, `contacts` (Meta's contacts array:
//! `name{formatted_name, ...}`, `phones[{phone, wa_id?, type?}]`, `emails`, `addresses`,
//! `org`, `urls`, `birthday`), `reaction` `{message_id, emoji}` (`""` takes it back),
//! `interactive` `{type: button_reply|list_reply, button_reply{id, title} |
//! list_reply{id, title, description?}}`, `button` `{payload, text}`, `order`
//! `{catalog_id, text?, product_items[{product_retailer_id, quantity, item_price,
//! currency}]}`, `system` `{wa_id (or `new_wa_id`, its name before v12.0), body?, type?:
//! user_changed_number}` and `unsupported` `{type?}` (the object itself optional). The
//! rules that need the world (which message is quoted) are `world/inbound.rs`'s.

use serde_json::Value;

use super::inbound::INBOUND_TEXT_MAX;
use crate::world::inbound::{Contact, InteractiveReply, Location, Order, OrderItem, UserContent};
use crate::world::phone::digits_only;

/// The `unsupported.type` of an unsupported message the control API gives none for (one of
/// the reference's values; docs/fidelity.md).
const UNSUPPORTED_DEFAULT: &str = "poll_creation";

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
    let known = [
        "location",
        "contacts",
        "reaction",
        "interactive",
        "button",
        "order",
        "system",
        "unsupported",
    ];
    if !known.contains(&kind) {
        return Err(Refusal::UnknownType);
    }
    let empty = Value::Object(serde_json::Map::new());
    let object = match object {
        None | Some(Value::Null) if kind == "unsupported" => Some(&empty),
        o => o,
    };
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
        ("system", true) => {
            return Err(bad(
                "a system message quotes nothing: give no \"context\"".into()
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
        "order" => order(object).map(UserContent::Order),
        "system" => changed_number(object),
        "unsupported" => unsupported(object),
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

fn order(o: &Value) -> Result<Order, String> {
    let catalog_id = string(o, "order", "catalog_id")?;
    let text = optional(o, "order", "text")?.unwrap_or_default();
    let items = match o.get("product_items").and_then(Value::as_array) {
        Some(a) if !a.is_empty() => a,
        _ => return Err("\"order.product_items\" must be a non-empty array of items".into()),
    };
    let product_items = items
        .iter()
        .enumerate()
        .map(|(i, item)| order_item(item, &format!("order.product_items[{i}]")))
        .collect::<Result<_, _>>()?;
    Ok(Order {
        catalog_id,
        text,
        product_items,
    })
}

/// One cart line: OAS requires all four fields; a quantity of at least one and a price that
/// is a finite, non-negative number.
fn order_item(item: &Value, at: &str) -> Result<OrderItem, String> {
    let quantity = item
        .get("quantity")
        .and_then(Value::as_u64)
        .and_then(|q| u32::try_from(q).ok())
        .filter(|q| *q >= 1)
        .ok_or_else(|| format!("\"{at}.quantity\" must be a whole number from 1"))?;
    let item_price = item
        .get("item_price")
        .and_then(Value::as_f64)
        .filter(|p| p.is_finite() && *p >= 0.0)
        .ok_or_else(|| format!("\"{at}.item_price\" must be a number from 0"))?;
    Ok(OrderItem {
        product_retailer_id: string(item, at, "product_retailer_id")?,
        quantity,
        item_price,
        currency: string(item, at, "currency")?,
    })
}

/// WhatsApp's notice of a changed number. `wa_id` is the key Meta sends since v12.0;
/// `new_wa_id`, the key before, is taken too.
fn changed_number(o: &Value) -> Result<UserContent, String> {
    match o.get("type").and_then(Value::as_str) {
        None | Some("user_changed_number") => {}
        Some(_) => return Err("\"system.type\" is user_changed_number".into()),
    }
    let new_wa_id = match (o.get("wa_id"), o.get("new_wa_id")) {
        (Some(_), Some(_)) => {
            return Err("give \"system.wa_id\" or \"system.new_wa_id\", not both".into());
        }
        (Some(n), None) | (None, Some(n)) => n.as_str().and_then(digits_only),
        (None, None) => None,
    };
    let Some(new_wa_id) = new_wa_id else {
        return Err("\"system.wa_id\" must be the new phone number's digits".into());
    };
    Ok(UserContent::UserChangedNumber {
        new_wa_id,
        body: optional(o, "system", "body")?,
    })
}

fn unsupported(o: &Value) -> Result<UserContent, String> {
    let kind = optional(o, "unsupported", "type")?.unwrap_or_else(|| UNSUPPORTED_DEFAULT.into());
    if kind.is_empty() {
        return Err("\"unsupported.type\" must not be empty".into());
    }
    Ok(UserContent::Unsupported { kind })
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

    #[test]
    fn an_order_needs_a_catalog_and_whole_priced_items() {
        let cart = json!({"catalog_id": "194836987003835", "product_items": [
            {"product_retailer_id": "di9ozbzfi4", "quantity": 2, "item_price": 30, "currency": "USD"}]});
        let Ok(UserContent::Order(o)) = read("order", Some(&cart), false) else {
            panic!("not taken");
        };
        assert_eq!((o.text.as_str(), o.product_items[0].quantity), ("", 2));
        let item = |k: &str, v: Value| {
            let mut c = cart.clone();
            c["product_items"][0][k] = v;
            refused("order", c, false)
        };
        assert!(item("quantity", json!(0)).contains("product_items[0].quantity"));
        assert!(item("quantity", json!(1.5)).contains("quantity"));
        assert!(item("item_price", json!(-1)).contains("item_price"));
        assert!(item("currency", json!(7)).contains("product_items[0].currency"));
        assert!(
            refused(
                "order",
                json!({"catalog_id": "1", "product_items": []}),
                false
            )
            .contains("non-empty")
        );
        assert!(refused("order", json!({"product_items": []}), false).contains("catalog_id"));
    }

    #[test]
    fn a_changed_number_names_the_new_one_and_quotes_nothing() {
        let moved = json!({"wa_id": "+1 555 987 0000"});
        assert!(matches!(
            read("system", Some(&moved), false),
            Ok(UserContent::UserChangedNumber { new_wa_id, body: None }) if new_wa_id == "15559870000"
        ));
        let before_v12 = json!({"new_wa_id": "15559870000", "body": "moved"});
        assert!(read("system", Some(&before_v12), false).is_ok());
        assert!(refused("system", moved.clone(), true).contains("quotes nothing"));
        assert!(refused("system", json!({"wa_id": "x"}), false).contains("system.wa_id"));
        assert!(
            refused("system", json!({"wa_id": "1", "new_wa_id": "2"}), false).contains("not both")
        );
        assert!(
            refused(
                "system",
                json!({"wa_id": "1", "type": "customer_identity_changed"}),
                false
            )
            .contains("system.type")
        );
    }

    #[test]
    fn an_unsupported_message_has_a_type_given_or_chosen() {
        assert_eq!(
            read("unsupported", None, false).ok(),
            Some(UserContent::Unsupported {
                kind: UNSUPPORTED_DEFAULT.into()
            })
        );
        let gif = json!({"type": "gif"});
        assert!(matches!(
            read("unsupported", Some(&gif), false),
            Ok(UserContent::Unsupported { kind }) if kind == "gif"
        ));
        assert!(refused("unsupported", json!({"type": ""}), false).contains("empty"));
    }
}
