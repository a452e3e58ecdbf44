//! Graph's view of world objects: which fields each node type has, which are returned when
//! `fields` is absent, and how each is written (reference meta-graph.md §4).
//!
//! `id` is always returned, after the requested fields, as in Meta's examples. A field Graph
//! knows but the object has no value for is omitted, as Graph omits nulls. An unknown field
//! answers `(#100) Tried accessing nonexisting field (<f>) on node type (<Type>)` ([OBS
//! ISS-FIELD]).

use super::errors::GraphError;
use crate::api::json::Obj;
use crate::world::vocab::{MessagingLimit, PhoneStatus};
use crate::world::{Phone, Principal, Template, Waba, World};

pub const PHONE_TYPE: &str = "WhatsAppBusinessPhoneNumber";
pub const WABA_TYPE: &str = "WhatsAppBusinessAccount";
pub const TEMPLATE_TYPE: &str = "WhatsAppBusinessHSM";

/// Fields of a phone number (RESTFB, PYWA, OAS; §4.1).
pub const PHONE_FIELDS: &[&str] = &[
    "id",
    "display_phone_number",
    "verified_name",
    "code_verification_status",
    "quality_rating",
    "quality_score",
    "platform_type",
    "throughput",
    "status",
    "name_status",
    "new_name_status",
    "new_display_name",
    "messaging_limit_tier",
    "whatsapp_business_manager_messaging_limit",
    "is_official_business_account",
    "is_pin_enabled",
    "is_on_biz_app",
    "is_preverified_number",
    "account_mode",
    "last_onboarded_time",
    "country_code",
    "country_dial_code",
    "health_status",
    "webhook_configuration",
    "search_visibility",
    "eligibility_for_api_business_global_search",
    "certificate",
    "new_certificate",
    "data_localization_region",
    // Known to Graph, requested by pywa, not modelled: accepted and left out of answers.
    "conversational_automation",
    "code_verification_time",
];

/// The official example's default set (§4.1 [OFF OVW]).
pub const PHONE_DEFAULT: &[&str] = &[
    "verified_name",
    "code_verification_status",
    "display_phone_number",
    "quality_rating",
    "platform_type",
    "throughput",
    "webhook_configuration",
    "id",
];

/// Fields of a WABA: PYSDK's `WhatsAppBusinessAccount.Field` list plus the edges Graph
/// expands as fields (§4.2). Those this simulator does not model are accepted and left out of
/// answers, as Graph leaves out fields without a value: a client that asks for its usual long
/// field list must not be told the field does not exist.
pub const WABA_FIELDS: &[&str] = &[
    "id",
    "name",
    "account_review_status",
    "analytics",
    "auth_international_rate_eligibility",
    "business_verification_status",
    "country",
    "creation_time",
    "currency",
    "disable_marketing_messages_on_cloud_api",
    "health_status",
    "is_enabled_for_insights",
    "is_shared_with_partners",
    "linked_commerce_account",
    "marketing_messages_ad_account",
    "marketing_messages_lite_api_status",
    "marketing_messages_onboarding_status",
    "message_template_namespace",
    "on_behalf_of_business_info",
    "owner_business",
    "owner_business_info",
    "ownership_type",
    "primary_business_location",
    "primary_funding_id",
    "purchase_order_number",
    "service_pricing_policy",
    "status",
    "template_auto_archival_enabled",
    "timezone_id",
    "whatsapp_business_manager_messaging_limit",
    "whatsapp_manager_marketing_messages_max_price_enroll_status",
    // Read from the ledger (`ops/analytics.rs`), written in place.
    "pricing_analytics",
    // Edges, expanded in place (`phone_numbers{id,status}`).
    "phone_numbers",
    "message_templates",
    "subscribed_apps",
];

/// The WABA edges that `fields` may expand.
pub const WABA_EDGES: &[&str] = &["phone_numbers", "message_templates", "subscribed_apps"];

/// OAS says `id,name`; pywa requires `timezone_id` ([INF], §4.2).
pub const WABA_DEFAULT: &[&str] = &["id", "name", "timezone_id", "message_template_namespace"];

/// Fields of a message template (§4.3).
pub const TEMPLATE_FIELDS: &[&str] = &[
    "id",
    "name",
    "language",
    "status",
    "category",
    "components",
    "parameter_format",
    "quality_score",
    "rejected_reason",
    "previous_category",
    "sub_category",
    // Rendered when the template has one.
    "message_send_ttl_seconds",
    // Known to Graph (PYSDK, pywa), not modelled: accepted and left out of answers.
    "correct_category",
    "library_template_name",
    "cta_url_link_tracking_opted_out",
    "degrees_of_freedom_spec",
];

/// What Graph returns for templates without `fields`.
pub const TEMPLATE_DEFAULT: &[&str] = &[
    "name",
    "parameter_format",
    "components",
    "language",
    "status",
    "category",
    "id",
];

/// Resolves the fields to write: the requested ones (validated) plus `id`, or the default.
pub fn select(
    requested: Option<&[String]>,
    known: &'static [&'static str],
    default: &'static [&'static str],
    node_type: &str,
) -> Result<std::borrow::Cow<'static, [&'static str]>, GraphError> {
    let Some(requested) = requested.filter(|r| !r.is_empty()) else {
        return Ok(std::borrow::Cow::Borrowed(default));
    };
    let mut out: Vec<&'static str> = Vec::with_capacity(requested.len() + 1);
    for f in requested {
        let Some(field) = known.iter().find(|k| **k == f.as_str()) else {
            return Err(nonexisting_field(f, node_type));
        };
        if *field != "id" && !out.contains(field) {
            out.push(field);
        }
    }
    out.push("id");
    Ok(std::borrow::Cow::Owned(out))
}

pub fn nonexisting_field(field: &str, node_type: &str) -> GraphError {
    GraphError {
        status: 400,
        code: 100,
        subcode: None,
        kind: "OAuthException",
        message: format!(
            "(#100) Tried accessing nonexisting field ({field}) on node type ({node_type})"
        ),
        user_title: None,
        user_msg: None,
        is_transient: None,
        details: None,
        blame_field: None,
    }
}

/// ISO 3166 alpha-2 for the calling codes the fixtures use most; others are left out.
fn iso_country(cc: &str) -> Option<&'static str> {
    Some(match cc {
        "1" => "US",
        "7" => "RU",
        "20" => "EG",
        "27" => "ZA",
        "31" => "NL",
        "33" => "FR",
        "34" => "ES",
        "39" => "IT",
        "44" => "GB",
        "49" => "DE",
        "52" => "MX",
        "54" => "AR",
        "55" => "BR",
        "57" => "CO",
        "60" => "MY",
        "61" => "AU",
        "62" => "ID",
        "63" => "PH",
        "65" => "SG",
        "66" => "TH",
        "81" => "JP",
        "82" => "KR",
        "84" => "VN",
        "86" => "CN",
        "90" => "TR",
        "91" => "IN",
        "234" => "NG",
        "254" => "KE",
        "852" => "HK",
        "971" => "AE",
        "972" => "IL",
        "966" => "SA",
        _ => return None,
    })
}

/// The current enum has no 1K tier: a fixture's `TIER_1K` reads as 2K.
fn current_tier(limit: MessagingLimit) -> &'static str {
    match limit {
        MessagingLimit::Tier1K => "TIER_2K",
        other => other.as_str(),
    }
}

fn can_send(status: PhoneStatus) -> &'static str {
    match status {
        PhoneStatus::Connected => "AVAILABLE",
        PhoneStatus::Flagged | PhoneStatus::RateLimited => "LIMITED",
        _ => "BLOCKED",
    }
}

/// Writes a phone number's fields into an open object.
pub fn phone(o: &mut Obj<'_>, w: &World, p: &Phone, fields: &[&str], viewer: Option<&Principal>) {
    let now = w.now();
    for f in fields {
        match *f {
            "id" => {
                o.id("id", p.id);
            }
            "display_phone_number" => {
                // Written in pieces: this is in every default phone-number answer.
                o.str_parts(f, &p.display_parts());
            }
            "verified_name" => {
                o.str(f, &p.verified_name);
            }
            "code_verification_status" => {
                o.str(
                    f,
                    p.code_status(now, w.settings.verification_validity)
                        .as_str(),
                );
            }
            "quality_rating" => {
                o.str(f, p.quality.as_str());
            }
            "quality_score" => {
                o.obj(f, |q| {
                    q.str("score", p.quality.as_str());
                });
            }
            "platform_type" => {
                o.str(f, p.platform.as_str());
            }
            "throughput" => {
                o.obj(f, |t| {
                    t.str("level", p.throughput.as_str());
                });
            }
            "status" => {
                o.str(f, p.status.as_str());
            }
            "name_status" => {
                o.str(f, p.name_status.as_str());
            }
            "new_name_status" => {
                o.opt_str(f, p.new_name_status.map(|s| s.as_str()));
            }
            "new_display_name" => {
                o.opt_str(f, p.new_verified_name.as_deref());
            }
            "messaging_limit_tier" => {
                o.opt_str(f, p.messaging_limit.legacy_name());
            }
            "whatsapp_business_manager_messaging_limit" => {
                o.str(f, current_tier(p.messaging_limit));
            }
            "is_official_business_account" => {
                o.bool(f, p.official);
            }
            "is_pin_enabled" => {
                o.bool(f, p.pin.is_some());
            }
            "is_on_biz_app" => {
                o.bool(f, p.kind == crate::world::vocab::PhoneKind::BusinessApp);
            }
            "is_preverified_number" => {
                o.bool(f, false);
            }
            "account_mode" => {
                o.str(f, p.account_mode.as_str());
            }
            "last_onboarded_time" => {
                if let Some(t) = p.onboarded_at {
                    o.str(f, &t.graph());
                }
            }
            "country_code" => {
                o.opt_str(f, iso_country(&p.cc));
            }
            "country_dial_code" => {
                o.str(f, &p.cc);
            }
            "health_status" => health(o, w, p),
            "webhook_configuration" => webhook_configuration(o, w, p, viewer),
            "search_visibility" => {
                o.str(f, "NON_VISIBLE");
            }
            "eligibility_for_api_business_global_search" => {
                o.str(f, "NON_ELIGIBLE_UNDEFINED_COUNTRY");
            }
            "certificate" if p.is_registered() => {
                o.str(f, &certificate(p));
            }
            "new_certificate" => {}
            "data_localization_region" => {
                o.opt_str(f, p.data_localization_region.as_deref());
            }
            _ => {}
        }
    }
}

/// A stable stand-in for the base64 certificate Meta issues for a display name.
fn certificate(p: &Phone) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .encode(format!("wabasim-cert:{}:{}", p.id, p.verified_name))
}

fn health(o: &mut Obj<'_>, w: &World, p: &Phone) {
    let waba = w.wabas.get(&p.waba);
    let overall = can_send(p.status);
    o.obj("health_status", |h| {
        h.str("can_send_message", overall).arr("entities", |a| {
            a.obj(|e| {
                e.str("entity_type", "PHONE_NUMBER")
                    .id("id", p.id)
                    .str("can_send_message", overall);
            });
            if let Some(waba) = waba {
                a.obj(|e| {
                    e.str("entity_type", "WABA")
                        .id("id", waba.id)
                        .str("can_send_message", "AVAILABLE");
                });
                a.obj(|e| {
                    e.str("entity_type", "BUSINESS")
                        .id("id", waba.business)
                        .str("can_send_message", "AVAILABLE");
                });
            }
        });
    });
}

/// `{"phone_number": <number override>, "whatsapp_business_account": <WABA override>,
/// "application": <app url>}` for the viewer's app, as far as they are set: the override
/// page's "Get phone number alternate callback" answer (the OVW example shows
/// `application` alone when nothing overrides it).
fn webhook_configuration(o: &mut Obj<'_>, w: &World, p: &Phone, viewer: Option<&Principal>) {
    let Some(waba) = w.wabas.get(&p.waba) else {
        return;
    };
    let app_id = viewer
        .and_then(|v| v.app)
        .or_else(|| waba.subscriptions.first().map(|s| s.app));
    let Some(app_id) = app_id else { return };
    let app_url = w.apps.get(&app_id).and_then(|a| a.webhook_url.as_deref());
    let override_url = waba
        .subscription(app_id)
        .and_then(|s| s.override_callback_uri.as_deref());
    let phone_url = w.phone_callback(p.id, app_id).map(|c| c.uri.as_str());
    if app_url.is_none() && override_url.is_none() && phone_url.is_none() {
        return;
    }
    o.obj("webhook_configuration", |c| {
        c.opt_str("phone_number", phone_url)
            .opt_str("whatsapp_business_account", override_url)
            .opt_str("application", app_url);
    });
}

/// Writes a WABA's fields into an open object; `edge` writes an expanded edge field.
pub fn waba(
    o: &mut Obj<'_>,
    w: &World,
    waba: &Waba,
    fields: &[&str],
    edge: &mut dyn FnMut(&mut Obj<'_>, &'static str),
) {
    let business = w.businesses.get(&waba.business);
    for f in fields {
        if let Some(e) = WABA_EDGES.iter().find(|e| *e == f) {
            edge(o, e);
            continue;
        }
        if let Some(name) = ["analytics", "pricing_analytics"]
            .into_iter()
            .find(|a| a == f)
        {
            edge(o, name);
            continue;
        }
        match *f {
            "id" => {
                o.id("id", waba.id);
            }
            "name" => {
                o.str(f, &waba.name);
            }
            "account_review_status" => {
                o.str(f, waba.review.as_str());
            }
            "business_verification_status" => {
                if let Some(b) = business {
                    o.str(f, b.verification.as_str());
                }
            }
            "creation_time" => {
                o.str(f, &waba.created_at.graph());
            }
            "disable_marketing_messages_on_cloud_api" => {
                o.bool(f, false);
            }
            "is_shared_with_partners" => {
                o.bool(f, waba.partner.is_some());
            }
            "owner_business" => {
                if let Some(b) = business {
                    o.obj(f, |i| {
                        i.id("id", b.id).str("name", &b.name);
                    });
                }
            }
            "currency" => {
                o.str(f, &waba.currency);
            }
            "health_status" => {
                o.obj(f, |h| {
                    h.str("can_send_message", "AVAILABLE").arr("entities", |a| {
                        a.obj(|e| {
                            e.str("entity_type", "WABA")
                                .id("id", waba.id)
                                .str("can_send_message", "AVAILABLE");
                        });
                    });
                });
            }
            "is_enabled_for_insights" => {
                o.bool(f, true);
            }
            "message_template_namespace" => {
                o.str(f, &waba.template_namespace);
            }
            "on_behalf_of_business_info" => {
                if let Some(p) = waba.partner {
                    let partner = w.partner(p);
                    // `{"id","name"}` (+status, type) (§4.2 [OAS][SDK PYWA]); pywa requires id.
                    o.obj(f, |i| {
                        i.str("name", &partner.name)
                            .id("id", partner.business_id())
                            .str("status", "APPROVED")
                            .str("type", "INTERNAL");
                    });
                }
            }
            "owner_business_info" => {
                if let Some(b) = business {
                    o.obj(f, |i| {
                        i.str("name", &b.name).id("id", b.id);
                    });
                }
            }
            "ownership_type" => {
                o.str(
                    f,
                    if waba.partner.is_some() {
                        "CLIENT_OWNED"
                    } else {
                        "SELF_OWNED"
                    },
                );
            }
            "primary_funding_id" if waba.payment_method => {
                o.str(
                    f,
                    &(waba.id % 1_000_000_000 + 500_000_000_000_000).to_string(),
                );
            }
            "status" => {
                o.str(f, "ACTIVE");
            }
            "timezone_id" => {
                o.str(f, &waba.timezone_id);
            }
            _ => {}
        }
    }
}

/// Writes a template's fields into an open object.
pub fn template(o: &mut Obj<'_>, t: &Template, fields: &[&str]) {
    for f in fields {
        match *f {
            "id" => {
                o.id("id", t.id);
            }
            "name" => {
                o.str(f, &t.name);
            }
            "language" => {
                o.str(f, &t.language);
            }
            "status" => {
                o.str(f, t.status.as_str());
            }
            "category" => {
                o.str(f, t.category.as_str());
            }
            "components" => {
                o.raw(f, &t.components);
            }
            "parameter_format" => {
                o.str(f, t.parameter_format.as_str());
            }
            "quality_score" => {
                o.obj(f, |q| {
                    q.str("score", t.quality.as_str())
                        .num("date", t.quality_at.unix_seconds());
                });
            }
            "rejected_reason" => {
                o.str(f, t.rejected_reason.as_str());
            }
            "previous_category" => {
                o.opt_str(f, t.previous_category.map(|c| c.as_str()));
            }
            "sub_category" => {
                o.opt_str(f, t.sub_category.as_deref());
            }
            // Left out when the template has none (Meta's default applies).
            "message_send_ttl_seconds" => {
                if let Some(ttl) = t.message_send_ttl_seconds {
                    o.num(f, ttl);
                }
            }
            _ => {}
        }
    }
}

/// Writes one subscribed app as `GET /{waba}/subscribed_apps` lists it (§3.7 [OFF WHM]).
pub fn subscribed_app(o: &mut Obj<'_>, w: &World, sub: &crate::world::Subscription) {
    let app = w.apps.get(&sub.app);
    o.obj("whatsapp_business_api_data", |d| {
        d.id("id", sub.app)
            .str(
                "link",
                &format!("https://www.facebook.com/games/?app_id={}", sub.app),
            )
            .str("name", app.map(|a| a.name.as_str()).unwrap_or(""));
    });
    o.opt_str(
        "override_callback_uri",
        sub.override_callback_uri.as_deref(),
    );
}

/// The phone-number records a WABA lists: its own (a MIGRATED source record stays listed,
/// a DELETED one does not), then the source views of numbers that migrated keeping their id.
pub fn listed_phones<'w>(w: &'w World, waba: &'w Waba) -> Vec<&'w Phone> {
    waba.phones
        .iter()
        .filter_map(|id| w.phones.get(id))
        .filter(|p| p.status != PhoneStatus::Deleted)
        .chain(waba.archived.iter().filter_map(|i| w.archived.get(*i)))
        .collect()
}
