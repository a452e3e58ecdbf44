//! World events as Meta's webhook payloads, and who receives them.
//!
//! Envelope (reference meta-graph.md §7.3):
//! `{"object":"whatsapp_business_account","entry":[{"id","time","changes":[{"field","value"}]}]}`
//! with `time` in unix seconds of the event's world time. One change per delivery.
//!
//! Values per field follow §7.4, in the key order of Meta's webhook reference pages:
//! - `message_template_status_update`: `event`, `message_template_id` (a number),
//!   `message_template_name`, `message_template_language`, `reason` (`NONE` when there is
//!   none: [OFF WHREF] shows a reason string; pywa's fixture shows `null`, we follow Meta's
//!   page), `message_template_category`.
//! - `message_template_quality_update`: `previous_quality_score`, `new_quality_score`,
//!   `message_template_id`, `message_template_name`, `message_template_language`.
//! - `template_category_update`: `message_template_id`, `message_template_name`,
//!   `message_template_language`, `previous_category`, `new_category`.
//! - `phone_number_name_update`: `display_phone_number`, `decision`,
//!   `requested_verified_name`, `rejection_reason` (null when approved).
//! - `phone_number_quality_update`: `display_phone_number`, `event`, `current_limit`.
//! - `account_review_update`: `decision`.
//! - `account_update`: `event`; `PARTNER_*` events carry `waba_info{waba_id,
//!   owner_business_id}` and their entry id is the business, not the WABA (§7.3).
//!
//! The body is escaped to ASCII (`\uXXXX`), as Meta's payloads are (§7.2 [INF]), and those
//! exact bytes are what is signed and sent.

use bytes::Bytes;

use crate::clock::Timestamp;
use crate::wire::json::Obj;
use crate::world::{App, EventKind, Id, TemplateRef, World, WorldEvent};

/// Where one subscriber hears about an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub app: Id,
    pub url: String,
    /// Signs the body (`X-Hub-Signature-256`).
    pub secret: String,
    /// The token of the GET handshake; none means no handshake is made.
    pub verify_token: Option<String>,
    /// Meta's signature header, or a facade's own.
    pub signing: super::signature::Signing,
    /// Headers of the receiver's own choosing, sent with every try (360dialog's webhook
    /// `headers`); Meta's subscribers have none.
    pub headers: Vec<(String, String)>,
    /// Held until the event's first target has taken it (answered 2xx), and never sent if
    /// that one expires (360dialog's extra `/multi_webhook` destinations).
    pub after_first: bool,
}

/// One event, rendered, with every subscriber that should receive it.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub at: Timestamp,
    pub field: &'static str,
    pub waba: Id,
    pub body: Bytes,
    pub targets: Vec<Target>,
    /// Subscribed apps that have no callback URL (neither their own nor an override): Meta
    /// sends them nothing; the outbox counts them so that a missing URL is visible.
    pub unaddressed: Vec<Id>,
}

/// The webhook fields an alternate callback applies to (override page, "Supported webhook
/// fields": https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/override/).
/// Every other field, the template ones (`message_template_status_update`,
/// `message_template_quality_update`, `message_template_components_update`,
/// `template_category_update`) and the account-level ones (`account_update`,
/// `account_review_update`, `account_alerts`) included, always goes to the app's own URL.
pub const OVERRIDABLE_FIELDS: &[&str] = &[
    "messages",
    "message_echoes",
    "calls",
    "consumer_profile",
    "messaging_handovers",
    "standby",
    "group_lifecycle_update",
    "group_participants_update",
    "group_settings_update",
    "group_status_update",
    "smb_message_echoes",
    "smb_app_state_sync",
    "history",
    "account_settings_update",
];

/// Where an app hears about a webhook of `field`, and the token of that URL's handshake: for
/// a field an override applies to, the phone number's alternate callback first, then the
/// WABA's, then the app's URL (override page); for any other field, the app's URL.
pub fn callback_for(
    w: &World,
    field: &str,
    app: &App,
    waba_override: Option<(&str, Option<&str>)>,
    phone: Option<Id>,
) -> (Option<String>, Option<String>) {
    if OVERRIDABLE_FIELDS.contains(&field) {
        if let Some(c) = phone.and_then(|p| w.phone_callback(p, app.id)) {
            return (Some(c.uri.clone()), Some(c.verify_token.clone()));
        }
        if let Some((uri, token)) = waba_override {
            return (Some(uri.to_string()), token.map(str::to_string));
        }
    }
    (app.webhook_url.clone(), app.verify_token.clone())
}

/// Renders `events` and resolves their subscribers, as the world is now. An event nobody is
/// subscribed to is left out, and one whose subscribers have no URL is not rendered (the
/// outbox only counts those): most events of a test's world reach nobody, and rendering was
/// the most of what they cost.
pub fn address(w: &World, events: &[WorldEvent]) -> Vec<Outgoing> {
    events
        .iter()
        .filter_map(|e| {
            let mut targets = Vec::new();
            let mut unaddressed = Vec::new();
            let field = e.kind.field();
            if let Some(waba) = w.wabas.get(&e.waba) {
                let subscribed = waba.subscriptions.iter().map(|sub| {
                    let waba_override = sub
                        .override_callback_uri
                        .as_deref()
                        .map(|u| (u, sub.verify_token.as_deref()));
                    (sub.app, waba_override)
                });
                for (app, waba_override) in subscribed.chain(partner_apps(w, e, waba)) {
                    let Some(app) = w.apps.get(&app) else {
                        continue;
                    };
                    let (url, token) = callback_for(w, field, app, waba_override, e.kind.phone());
                    match url {
                        Some(url) => targets.push(Target {
                            app: app.id,
                            url,
                            secret: app.secret.clone(),
                            verify_token: token,
                            signing: Default::default(),
                            headers: Vec::new(),
                            after_first: false,
                        }),
                        None => unaddressed.push(app.id),
                    }
                }
            }
            if targets.is_empty() && unaddressed.is_empty() {
                return None;
            }
            let body = if targets.is_empty() {
                Bytes::new()
            } else {
                Bytes::from(envelope(w, e))
            };
            Some(Outgoing {
                at: e.at,
                field,
                waba: e.waba,
                body,
                targets,
                unaddressed,
            })
        })
        .collect()
}

/// For `account_update` `PARTNER_*` events, the apps of the WABA's partner that are not
/// subscribed to it: Meta tells the partner's app it was added before the app could
/// subscribe (Embedded Signup, reference meta-graph.md §7.3, messaging-and-360dialog.md
/// "account_update on completion"), through the app's own webhook URL.
fn partner_apps<'w>(
    w: &'w World,
    e: &'w WorldEvent,
    waba: &'w crate::world::Waba,
) -> impl Iterator<Item = (crate::world::Id, Option<(&'w str, Option<&'w str>)>)> + 'w {
    let partner_event =
        matches!(&e.kind, EventKind::AccountUpdate { event, .. } if event.starts_with("PARTNER_"));
    let mut apps: Vec<crate::world::Id> = w
        .apps
        .values()
        .filter(|a| partner_event && a.partner.is_some() && a.partner == waba.partner)
        .filter(|a| waba.subscription(a.id).is_none())
        .map(|a| a.id)
        .collect();
    apps.sort_unstable();
    apps.into_iter().map(|id| (id, None))
}

/// The full webhook body for one event.
pub fn envelope(w: &World, e: &WorldEvent) -> Vec<u8> {
    let entry_id = match &e.kind {
        EventKind::AccountUpdate { event, business } if event.starts_with("PARTNER_") => *business,
        _ => e.waba,
    };
    let mut buf = Vec::with_capacity(384);
    let mut o = Obj::new(&mut buf);
    o.str("object", "whatsapp_business_account");
    o.arr("entry", |a| {
        a.obj(|entry| {
            entry.str("id", &entry_id.to_string());
            entry.num("time", e.at.unix_seconds());
            entry.arr("changes", |a| {
                a.obj(|change| {
                    change.str("field", e.kind.field());
                    change.obj("value", |v| value(w, e, v));
                });
            });
        });
    });
    o.end();
    ascii_only(buf)
}

/// `message_template_id`, `message_template_name` and `message_template_language`: how every
/// template field names its template.
fn template_named<'v, 'b>(v: &'v mut Obj<'b>, t: &TemplateRef) -> &'v mut Obj<'b> {
    v.num("message_template_id", t.id as i64)
        .str("message_template_name", &t.name)
        .str("message_template_language", &t.language)
}

fn value(w: &World, e: &WorldEvent, v: &mut Obj<'_>) {
    match &e.kind {
        EventKind::TemplateStatus {
            template,
            category,
            event,
            reason,
        } => {
            v.str("event", event);
            template_named(v, template)
                .str("reason", reason.as_str())
                .str("message_template_category", category.as_str());
        }
        EventKind::TemplateQuality {
            template,
            previous,
            new,
        } => {
            v.str("previous_quality_score", previous.as_str())
                .str("new_quality_score", new.as_str());
            template_named(v, template);
        }
        EventKind::TemplateCategory {
            template,
            previous,
            new,
        } => {
            template_named(v, template)
                .str("previous_category", previous.as_str())
                .str("new_category", new.as_str());
        }
        EventKind::PhoneName {
            display_phone_number,
            requested_name,
            decision,
            rejection_reason,
            ..
        } => {
            v.str("display_phone_number", display_phone_number)
                .str("decision", decision.as_str())
                .str("requested_verified_name", requested_name);
            match rejection_reason {
                Some(r) => v.str("rejection_reason", r),
                None => v.raw("rejection_reason", "null"),
            };
        }
        EventKind::PhoneQuality {
            display_phone_number,
            event,
            current_limit,
            ..
        } => {
            v.str("display_phone_number", display_phone_number)
                .str("event", event)
                .str("current_limit", current_limit.as_str());
        }
        EventKind::AccountReview { decision } => {
            v.str("decision", decision.as_str());
        }
        EventKind::MessageStatus(s) => super::messages::status_value(s, e.at.unix_seconds(), v),
        EventKind::Inbound(m) => super::messages::inbound_value(m, e.at.unix_seconds(), v),
        EventKind::AccountUpdate { event, .. } => {
            v.str("event", event);
            if event.starts_with("PARTNER_") {
                let owner = w.wabas.get(&e.waba).map(|x| x.business);
                v.obj("waba_info", |i| {
                    i.str("waba_id", &e.waba.to_string());
                    if let Some(owner) = owner {
                        i.str("owner_business_id", &owner.to_string());
                    }
                });
            }
        }
    }
}

/// Escapes every non-ASCII character of JSON text as `\uXXXX` (UTF-16, surrogate pairs for
/// characters beyond the BMP). Non-ASCII only occurs inside strings in JSON text, so this is
/// safe on the whole document.
pub fn ascii_only(json: Vec<u8>) -> Vec<u8> {
    if json.is_ascii() {
        return json;
    }
    let text = String::from_utf8(json).unwrap_or_default();
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{:04x}", u));
            }
        }
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_is_escaped_and_still_parses() {
        let body = ascii_only(r#"{"name":"Café 🚀"}"#.as_bytes().to_vec());
        let text = String::from_utf8(body.clone()).unwrap();
        assert_eq!(text, r#"{"name":"Caf\u00e9 \ud83d\ude80"}"#);
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["name"], "Café 🚀");
    }
}

#[cfg(test)]
mod routing_tests {
    use super::*;

    /// The override page's order for the fields it applies to, and the app's URL for the rest.
    #[test]
    fn overrides_apply_to_the_messages_family_only_phone_first() {
        let mut w = crate::fixture::Fixture::default_world().build().unwrap();
        let (phone, app) = (110_000_000_000_001, 300_000_000_000_001);
        let mut a = w.apps.get(&app).unwrap().clone();
        a.webhook_url = Some("http://app.example/hook".into());
        a.verify_token = Some("vt-app".into());
        let waba = Some(("http://waba.example/hook", Some("vt-waba")));
        let url = |w: &World, field: &str, waba, phone| callback_for(w, field, &a, waba, phone).0;
        for field in EventKind::FIELDS
            .iter()
            .chain(&["message_template_components_update", "account_alerts"])
            .filter(|f| !OVERRIDABLE_FIELDS.contains(f))
        {
            assert_eq!(
                url(&w, field, waba, Some(phone)).as_deref(),
                Some("http://app.example/hook"),
                "{field}"
            );
        }
        assert_eq!(
            url(&w, "messages", waba, Some(phone)).as_deref(),
            Some("http://waba.example/hook")
        );
        assert_eq!(
            url(&w, "messages", None, Some(phone)).as_deref(),
            Some("http://app.example/hook")
        );
        w.phone_callbacks.insert(
            (phone, app),
            crate::world::callbacks::CallbackOverride {
                uri: "http://phone.example/hook".into(),
                verify_token: "vt-phone".into(),
            },
        );
        assert_eq!(
            callback_for(&w, "messages", &a, waba, Some(phone)),
            (
                Some("http://phone.example/hook".into()),
                Some("vt-phone".into())
            )
        );
        assert_eq!(
            url(&w, "calls", waba, Some(110_000_000_000_002)).as_deref(),
            Some("http://waba.example/hook"),
            "another number's override is not this one's"
        );
        assert_eq!(
            url(&w, "message_template_status_update", waba, Some(phone)).as_deref(),
            Some("http://app.example/hook")
        );
    }
}

#[cfg(test)]
mod field_tests {
    use super::*;
    use crate::world::message::{
        Failure, InboundEvent, Pricing, PricingCategory, PricingType, Status, StatusEvent,
    };
    use crate::world::vocab::ReviewStatus;
    use crate::world::vocab::{Category, MessagingLimit, NameStatus, Quality, RejectedReason};

    /// Every field's payload, on the default world (reference meta-graph.md §7.3–7.4).
    #[test]
    fn every_field_has_meta_s_shape() {
        let w = crate::fixture::Fixture::default_world().build().unwrap();
        let at = Timestamp::from_unix_seconds(1_767_225_600);
        let waba = 200_000_000_000_002;
        let kinds = vec![
            EventKind::TemplateStatus {
                template: TemplateRef {
                    id: 400_000_000_000_099,
                    name: "login_code".into(),
                    language: "en".into(),
                },
                category: Category::Marketing,
                event: "REJECTED",
                reason: RejectedReason::IncorrectCategory,
            },
            EventKind::TemplateQuality {
                template: TemplateRef {
                    id: 400_000_000_000_099,
                    name: "order_update".into(),
                    language: "en_US".into(),
                },
                previous: Quality::Unknown,
                new: Quality::Green,
            },
            EventKind::TemplateCategory {
                template: TemplateRef {
                    id: 400_000_000_000_099,
                    name: "login_code".into(),
                    language: "en".into(),
                },
                previous: Category::Marketing,
                new: Category::Authentication,
            },
            EventKind::PhoneName {
                phone: 110_000_000_000_009,
                display_phone_number: "+1 555-010-0009".into(),
                requested_name: "Acme Sales".into(),
                decision: NameStatus::Approved,
                rejection_reason: None,
            },
            EventKind::PhoneQuality {
                phone: 110_000_000_000_009,
                display_phone_number: "+1 555-010-0009".into(),
                event: "ONBOARDING".into(),
                quality: Quality::Green,
                current_limit: MessagingLimit::Tier2K,
            },
            EventKind::AccountReview {
                decision: ReviewStatus::Approved,
            },
            EventKind::AccountUpdate {
                event: "PARTNER_ADDED".into(),
                business: 100_000_000_000_001,
            },
            EventKind::MessageStatus(Box::new(StatusEvent {
                message: "wamid.HBgLMTU1NTEyMzAwMDEVAgARGBQ2NTdFMEI4REQwQjUxRTVGRDgyOQA=".into(),
                phone: 110_000_000_000_001,
                display_digits: "15550100001".into(),
                status: Status::Failed(Failure::WindowClosed),
                to: "15551230001".into(),
                profile_name: Some("Al".into()),
                user_id: Some("US.13491208655302741918".into()),
                pricing: None,
                conversation: None,
                callback_data: Some("order-7".into()),
            })),
            EventKind::MessageStatus(Box::new(StatusEvent {
                message: "wamid.HBgLMTU1NTEyMzAwMDEVAgARGBQ2NTdFMEI4REQwQjUxRTVGRDgyOQA=".into(),
                phone: 110_000_000_000_001,
                display_digits: "15550100001".into(),
                status: Status::Sent,
                to: "15551230001".into(),
                profile_name: None,
                user_id: None,
                pricing: Some(Pricing {
                    billable: true,
                    kind: PricingType::Regular,
                    category: PricingCategory::Marketing,
                }),
                conversation: Some((
                    "72b14d6bd5407799e66f64d1b338e567".into(),
                    Some(Timestamp::from_unix_seconds(1_767_312_000)),
                )),
                callback_data: None,
            })),
            EventKind::Inbound(Box::new(InboundEvent {
                message: "wamid.HBgLMTU1NTEyMzAwMDEVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=".into(),
                phone: 110_000_000_000_001,
                display_digits: "15550100001".into(),
                from: "15551230001".into(),
                profile_name: Some("Al".into()),
                user_id: None,
                text: "Hi".into(),
                media: None,
                content: None,
                context: None,
                forwarded: None,
            })),
            EventKind::Inbound(Box::new(InboundEvent {
                message: "wamid.HBgLMTU1NTEyMzAwMDEVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMQA=".into(),
                phone: 110_000_000_000_001,
                display_digits: "15550100001".into(),
                from: "15551230001".into(),
                profile_name: Some("Al".into()),
                user_id: None,
                text: String::new(),
                media: Some(crate::world::inbound_media::InboundMedia {
                    kind: crate::world::media::MediaKind::Audio,
                    id: 251_190_426_494_891,
                    mime: "audio/ogg; codecs=opus".into(),
                    sha256: "m04pFf2ERdaopTyFkGPA0+bX3i+YY2dYgVFwOgDLSDI=".into(),
                    caption: None,
                    filename: None,
                    flag: true,
                    size: 1024,
                    link_host: None,
                    link_namespace: None,
                }),
                content: None,
                context: None,
                forwarded: None,
            })),
        ];
        // Every field has an event, and the fields filters accept are exactly these.
        let mut fields: Vec<&str> = kinds.iter().map(EventKind::field).collect();
        fields.sort_unstable();
        fields.dedup();
        let mut known = EventKind::FIELDS.to_vec();
        known.sort_unstable();
        assert_eq!(fields, known);
        let bodies: Vec<serde_json::Value> = kinds
            .into_iter()
            .map(|kind| {
                let e = WorldEvent { at, waba, kind };
                let body = envelope(&w, &e);
                assert!(body.is_ascii());
                serde_json::from_slice(&body).unwrap()
            })
            .collect();
        insta::assert_json_snapshot!("webhook_payloads", bodies);
    }
}
