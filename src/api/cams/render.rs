//! The world in Alibaba's words: its spellings of statuses, the phone-number, WABA and
//! template objects of reference alibaba-cams.md §7 with their exact JSON types, and the
//! translation of template components between Meta's shape and ChatApp's.
//!
//! Where Alibaba's vocabulary has no word for a state of the world, the choice is made in the
//! functions below (inferred; §10 "Enum spellings": be lenient on input, pick one style for
//! output) and documented on each.

use serde_json::{Map, Value};

use super::model::{CamsSpace, KeptAttribute, TemplateInput};
use crate::api::json::{Arr, Obj};
use crate::world::vocab::{MessagingLimit, NameStatus, ReviewStatus, TemplateStatus};
use crate::world::{Id, Phone, Template, Waba, World};

/// `NameStatus` / `NewNameStatus` (§7.3: `Approval`, `Pending_Review`, `Rejected`). A name
/// usable without review counts as approved; an expired or declined one as rejected; no name
/// yet as pending review.
pub fn name_status(s: NameStatus) -> &'static str {
    match s {
        NameStatus::Approved | NameStatus::AvailableWithoutReview => "Approval",
        NameStatus::Declined | NameStatus::Expired => "Rejected",
        NameStatus::PendingReview | NameStatus::None | NameStatus::NonExists => "Pending_Review",
    }
}

/// `MessagingLimitTier` in the TypeScript SDK's spelling (§7.3: `TIER_10K`, not the doc
/// sample's `TIER_10`, nor the use-case page's `TIER_1000`/`UNLIMITED`): the SDK enum is what
/// typed clients compile against. The 2K tier reads as 1K, as Graph's deprecated field has
/// it. An untiered number has no tier to report.
pub fn limit_tier(l: MessagingLimit) -> Option<&'static str> {
    l.legacy_name()
}

/// `AccountReviewStatus` (§7.3: `PENDING`, `APPROVED`, `REJECTED`, `DISABLED`); a
/// restricted WABA reads as disabled.
pub fn review_status(s: ReviewStatus) -> &'static str {
    match s {
        ReviewStatus::Approved => "APPROVED",
        ReviewStatus::Pending => "PENDING",
        ReviewStatus::Rejected => "REJECTED",
        ReviewStatus::Restricted => "DISABLED",
    }
}

/// The four `AuditStatus` words (§7.4).
pub const AUDIT_STATUSES: [&str; 4] = ["pass", "fail", "auditing", "unaudit"];

/// `AuditStatus` of a template: approved (or approved and paused) is `pass`; rejected or
/// disabled is `fail`; in review or appeal is `auditing`; anything never reviewed or no longer
/// live (archived, deleted, over the limit) is `unaudit`.
pub fn audit_status(s: TemplateStatus) -> &'static str {
    match s {
        TemplateStatus::Approved | TemplateStatus::Paused => "pass",
        TemplateStatus::Rejected | TemplateStatus::Disabled => "fail",
        TemplateStatus::Pending | TemplateStatus::InAppeal => "auditing",
        TemplateStatus::Archived
        | TemplateStatus::Deleted
        | TemplateStatus::PendingDeletion
        | TemplateStatus::LimitExceeded => "unaudit",
    }
}

/// A template's `TemplateCode`: 32 hex digits derived from its id, so that every facade and
/// every call names the same template the same way without storing a second id.
pub fn template_code(id: Id) -> String {
    format!(
        "{:016x}{:016x}",
        mix(id ^ 0x6361_6d73_7465_6d70),
        mix(id.rotate_left(29) ^ 0x636f_6465_7761_6261)
    )
}

fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// `Status` of a number as the space whose WABA is `waba` sees it. A number on its way in
/// (an open migration into `waba`, until it registers there) is `PENDING`: CreateChatappMigrationInitiate
/// answers `MIGRATING` (its documented sample), but that word is not in the SDK's `Status`
/// enum of QueryChatappPhoneNumbers (§7.3: MIGRATED, FLAGGED, DISCONNECTED, UNVERIFIED,
/// BANNED, RATE_LIMITED, PENDING, CONNECTED, UNKNOWN, DELETED, RESTRICTED), and `PENDING` is
/// what a number not yet registered on a WABA is. With `migration_keeps_phone_id` the record
/// is still the source's (`CONNECTED` there), so the rule is applied here, not read from it.
pub fn phone_status(w: &World, p: &Phone, waba: Id) -> &'static str {
    if w.migrating_into(p.id, waba) {
        "PENDING"
    } else {
        p.status.as_str()
    }
}

/// One item of `PhoneNumbers` (QueryChatappPhoneNumbers, ChatappSyncPhoneNumber; §7.3), as
/// the space bound to `waba` sees it. All strings; callback URLs and queues come from the
/// space binding. `CallingConfigure` is optional in the model and calling is not simulated,
/// so it is left out.
pub fn phone_item(a: &mut Arr<'_>, w: &World, p: &Phone, waba: Id, space: Option<&CamsSpace>) {
    let now = w.now();
    let validity = w.settings.verification_validity;
    a.obj(|o| {
        o.str("PhoneNumber", &p.e164_digits())
            .str("VerifiedName", &p.verified_name)
            .str("Status", phone_status(w, p, waba))
            .str("QualityRating", p.quality.as_str())
            .opt_str("MessagingLimitTier", limit_tier(p.messaging_limit))
            .str(
                "CodeVerificationStatus",
                p.code_status(now, validity).as_str(),
            )
            .str("NameStatus", name_status(p.name_status))
            // The doc sample repeats NameStatus when no change is pending.
            .str(
                "NewNameStatus",
                name_status(p.new_name_status.unwrap_or(p.name_status)),
            )
            .str("IsOfficial", if p.official { "Y" } else { "N" });
        // A number's own callbacks (UpdatePhoneWebhook) win over its space's (H5).
        let own = super::model::of(w).phone_webhooks.get(&p.id);
        let status = own.and_then(|h| h.status_callback_url.as_deref());
        let up = own.and_then(|h| h.up_callback_url.as_deref());
        if let Some(s) = space {
            o.opt_str(
                "StatusCallbackUrl",
                status.or(s.status_callback_url.as_deref()),
            )
            .opt_str("UpCallbackUrl", up.or(s.up_callback_url.as_deref()))
            .opt_str("StatusQueue", s.status_queue.as_deref())
            .opt_str("UpQueue", s.up_queue.as_deref());
        }
    });
}

/// `Data` of QueryChatappBindWaba (§7.3). Fields the world does not model
/// (`MarketingMessageLiteStatus`, `PrimaryBusinessLocation`, `IsOnBizApp`,
/// `AuthInternationalRateEligibility`) are left out rather than invented.
pub fn waba_data(o: &mut Obj<'_>, w: &World, waba: &Waba) {
    o.obj("Data", |d| {
        d.str("Id", &waba.id.to_string())
            .str("Name", &waba.name)
            .str("AccountReviewStatus", review_status(waba.review))
            .str("BusinessId", &waba.business.to_string());
        if let Some(b) = w.businesses.get(&waba.business) {
            d.str("BusinessName", &b.name);
        }
        d.str("Currency", &waba.currency)
            .str("MessageTemplateNamespace", &waba.template_namespace);
    });
}

/// When a template last changed (created, reviewed or otherwise given a status, re-rated), in
/// epoch milliseconds.
fn last_update(t: &Template) -> i64 {
    t.created_at.0.max(t.quality_at.0).max(t.status_at.0)
}

/// Why a template failed review, if it did.
fn reason(t: &Template) -> Option<&'static str> {
    (t.status == TemplateStatus::Rejected).then(|| t.rejected_reason.as_str())
}

/// One item of `ListTemplate` (ListChatappTemplate, §7.4).
pub fn template_item(a: &mut Arr<'_>, t: &Template) {
    a.obj(|o| {
        o.str("TemplateCode", &template_code(t.id))
            .str("TemplateName", &t.name)
            .str("AuditStatus", audit_status(t.status))
            .str("Category", t.category.as_str())
            .str("Language", &t.language)
            .num("LastUpdateTime", last_update(t))
            .opt_str("Reason", reason(t))
            .str("TemplateType", "WHATSAPP");
    });
}

/// `Data` of GetChatappTemplateDetail (§7.4), with what its creator wrote through ChatApp
/// that Meta's template has no field for (`input`).
pub fn template_detail(o: &mut Obj<'_>, t: &Template, input: Option<&TemplateInput>) {
    let kept = input.map(|i| i.attributes.as_slice()).unwrap_or_default();
    let components = serde_json::from_str::<Value>(&t.components)
        .map(|v| components_to_alibaba_with(&v, kept))
        .unwrap_or_else(|_| Value::Array(Vec::new()));
    o.obj("Data", |d| {
        d.str("TemplateCode", &template_code(t.id))
            .str("Name", &t.name)
            .str("Language", &t.language)
            .str("Category", t.category.as_str())
            .str("TemplateType", "WHATSAPP")
            .str("AuditStatus", audit_status(t.status))
            .opt_str("Reason", reason(t))
            .str("QualityScore", t.quality.as_str())
            .bool("AllowSend", t.status == TemplateStatus::Approved)
            .bool("CategoryChangePaused", t.category_change_paused);
        if let Some(ttl) = t.message_send_ttl_seconds {
            d.num("MessageSendTtlSeconds", ttl);
        }
        if let Some(i) = input.filter(|i| !i.example.is_empty()) {
            d.obj("Example", |e| {
                for (k, v) in &i.example {
                    e.str(k, v);
                }
            });
        }
        d.raw("Components", &components.to_string());
    });
}

/// Meta component keys and ChatApp's, both ways (§7.4; `hasExpiration` is lower-case in
/// responses and `HasExpiration` in requests, per the SDK models).
const KEYS: &[(&str, &str)] = &[
    ("type", "Type"),
    ("text", "Text"),
    ("format", "Format"),
    ("url", "Url"),
    ("phone_number", "PhoneNumber"),
    ("buttons", "Buttons"),
    ("cards", "Cards"),
    ("add_security_recommendation", "AddSecretRecommendation"),
    ("code_expiration_minutes", "CodeExpirationMinutes"),
    ("autofill_text", "AutofillText"),
    ("package_name", "PackageName"),
    ("signature_hash", "SignatureHash"),
    ("coupon_code", "CouponCode"),
    ("flow_id", "FlowId"),
    ("flow_action", "FlowAction"),
    ("navigate_screen", "NavigateScreen"),
];

/// Component and button attributes of ChatApp's request that Meta's components have no key
/// for. They are kept beside the template ([`alibaba_only_attributes`]) and written back by
/// GetChatappTemplateDetail. `HasExpiration` comes back as `hasExpiration`, the response
/// model's spelling (§7.4).
const ALIBABA_ONLY: &[(&str, &str)] = &[
    ("UrlType", "UrlType"),
    ("IsOptOut", "IsOptOut"),
    ("SupportedApps", "SupportedApps"),
    ("ExtendAttrs", "ExtendAttrs"),
    ("Caption", "Caption"),
    ("FileName", "FileName"),
    ("FileType", "FileType"),
    ("ThumbUrl", "ThumbUrl"),
    ("Duration", "Duration"),
    ("HasExpiration", "hasExpiration"),
    ("OfferExpirationTimeMs", "OfferExpirationTimeMs"),
    ("Latitude", "Latitude"),
    ("Longitude", "Longitude"),
    ("LocationName", "LocationName"),
    ("LocationAddress", "LocationAddress"),
];

/// Meta's components as ChatApp returns them: keys renamed, card `components` as
/// `CardComponents`, examples and unknown keys dropped.
pub fn components_to_alibaba(meta: &Value) -> Value {
    components_to_alibaba_with(meta, &[])
}

/// [`components_to_alibaba`], with the ChatApp-only attributes its creator wrote put back
/// where they were written.
pub fn components_to_alibaba_with(meta: &Value, kept: &[KeptAttribute]) -> Value {
    let mut out = convert(meta, |k| {
        if k == "components" {
            return Some("CardComponents");
        }
        KEYS.iter().find(|(m, _)| *m == k).map(|(_, a)| *a)
    });
    for attr in kept {
        let Some((_, key)) = ALIBABA_ONLY.iter().find(|(k, _)| *k == attr.key) else {
            continue;
        };
        if let (Some(Value::Object(target)), Ok(value)) = (
            out.pointer_mut(&attr.at),
            serde_json::from_str::<Value>(&attr.value),
        ) {
            target.insert((*key).to_string(), value);
        }
    }
    out
}

/// The ChatApp-only attributes of request components ([`ALIBABA_ONLY`]), each with where it
/// was written (a JSON pointer that stays valid in [`components_to_alibaba`]'s output, which
/// keeps every array whole). Empty lists and nulls, which the SDK sends for unset fields, are
/// not kept.
pub fn alibaba_only_attributes(alibaba: &Value) -> Vec<KeptAttribute> {
    fn walk(v: &Value, at: &str, out: &mut Vec<KeptAttribute>) {
        match v {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{at}/{i}"), out);
                }
            }
            Value::Object(map) => {
                for (k, val) in map {
                    if matches!(val, Value::Array(a) if a.is_empty()) || val.is_null() {
                        continue;
                    }
                    if ALIBABA_ONLY.iter().any(|(a, _)| a == k) {
                        out.push(KeptAttribute {
                            at: at.to_string(),
                            key: k.clone(),
                            value: val.to_string(),
                        });
                    } else if matches!(k.as_str(), "Buttons" | "Cards" | "CardComponents") {
                        walk(val, &format!("{at}/{k}"), out);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(alibaba, "", &mut out);
    out
}

/// ChatApp's request components as Meta's, for the world. Empty lists (which the SDK sends
/// for every unset list field) and unknown keys are dropped.
pub fn components_from_alibaba(alibaba: &Value) -> Result<Value, String> {
    let Value::Array(items) = alibaba else {
        return Err("Components must be a JSON array of components.".to_string());
    };
    if items.is_empty() || items.iter().any(|c| !c.is_object()) {
        return Err("Components must be a non-empty JSON array of objects.".to_string());
    }
    Ok(convert(alibaba, |k| {
        if k == "CardComponents" {
            return Some("components");
        }
        if k == "HasExpiration" {
            return None;
        }
        KEYS.iter().find(|(_, a)| *a == k).map(|(m, _)| *m)
    }))
}

fn convert(v: &Value, rename: impl Fn(&str) -> Option<&'static str> + Copy) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(|i| convert(i, rename)).collect()),
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, val) in map {
                let Some(to) = rename(k) else { continue };
                if matches!(val, Value::Array(a) if a.is_empty()) || val.is_null() {
                    continue;
                }
                out.insert(to.to_string(), convert(val, rename));
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn components_round_trip_between_the_two_shapes() {
        let alibaba = json!([
            {"Type": "HEADER", "Format": "TEXT", "Text": "Hi", "Buttons": [], "Cards": []},
            {"Type": "BODY", "Text": "Olá {{1}}", "Buttons": [], "Cards": [], "HasExpiration": true},
            {"Type": "BUTTONS", "Buttons": [{"Type": "URL", "Text": "Go", "Url": "https://x.example/{{1}}", "UrlType": "dynamic"}]}
        ]);
        let meta = components_from_alibaba(&alibaba).unwrap();
        assert_eq!(
            meta,
            json!([
                {"type": "HEADER", "format": "TEXT", "text": "Hi"},
                {"type": "BODY", "text": "Olá {{1}}"},
                {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Go", "url": "https://x.example/{{1}}"}]}
            ])
        );
        let back = components_to_alibaba(&meta);
        assert_eq!(back[2]["Buttons"][0]["Url"], "https://x.example/{{1}}");
        assert_eq!(back[0]["Format"], "TEXT");
        assert!(components_from_alibaba(&json!({"Type": "BODY"})).is_err());
        assert!(components_from_alibaba(&json!([])).is_err());
        assert!(components_from_alibaba(&json!(["BODY"])).is_err());
    }

    #[test]
    fn alibaba_only_attributes_come_back_where_they_were_written() {
        let alibaba = json!([
            {"Type": "BODY", "Text": "Hi", "Buttons": [], "HasExpiration": true},
            {"Type": "BUTTONS", "Buttons": [
                {"Type": "QUICK_REPLY", "Text": "Stop", "IsOptOut": true, "SupportedApps": []},
                {"Type": "URL", "Text": "Go", "Url": "https://x.example/{{1}}", "UrlType": "dynamic"}
            ]},
            {"Type": "CAROUSEL", "Cards": [{"CardComponents": [
                {"Type": "BUTTONS", "Buttons": [{"Type": "URL", "Text": "See", "Url": "https://y.example", "UrlType": "static"}]}
            ]}]}
        ]);
        let kept = alibaba_only_attributes(&alibaba);
        assert_eq!(kept.len(), 4, "{kept:?}");
        let meta = components_from_alibaba(&alibaba).unwrap();
        let back = components_to_alibaba_with(&meta, &kept);
        assert_eq!(back[0]["hasExpiration"], true);
        assert_eq!(back[1]["Buttons"][0]["IsOptOut"], true);
        assert!(back[1]["Buttons"][0].get("SupportedApps").is_none());
        assert_eq!(back[1]["Buttons"][1]["UrlType"], "dynamic");
        assert_eq!(
            back[2]["Cards"][0]["CardComponents"][0]["Buttons"][0]["UrlType"],
            "static"
        );
        // Graph never sees them.
        assert!(!meta.to_string().contains("UrlType"));
        assert!(!meta.to_string().contains("is_opt_out"));
    }

    #[test]
    fn template_codes_are_stable_distinct_hex() {
        let a = template_code(400000000000001);
        assert_eq!(a, template_code(400000000000001));
        assert_ne!(a, template_code(400000000000002));
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn every_status_has_an_alibaba_word() {
        for s in TemplateStatus::ALL {
            assert!(AUDIT_STATUSES.contains(&audit_status(*s)));
        }
        for s in NameStatus::ALL {
            assert!(["Approval", "Pending_Review", "Rejected"].contains(&name_status(*s)));
        }
    }
}
