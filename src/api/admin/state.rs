//! `GET /__admin/state`: the whole world as JSON, for tests that assert on state directly
//! and for humans. App secrets are included on purpose: a test verifies webhook signatures
//! with them.

use serde_json::{Value, json};

use crate::world::{Phone, Template, TokenOwner, World};

fn phone(w: &World, p: &Phone) -> Value {
    let attempts = w.attempts_of(&p.e164_digits());
    json!({
        "id": p.id.to_string(),
        "waba_id": p.waba.to_string(),
        "cc": p.cc,
        "number": p.number,
        "display_phone_number": p.display_number(),
        "verified_name": p.verified_name,
        "name_status": p.name_status.as_str(),
        "new_name_status": p.new_name_status.map(|s| s.as_str()),
        "quality_rating": p.quality.as_str(),
        "messaging_limit": p.messaging_limit.as_str(),
        "official_business_account": p.official,
        "two_step_verification": p.pin.is_some(),
        "pin": p.pin,
        "kind": p.kind.as_str(),
        "status": p.status.as_str(),
        "platform_type": p.platform.as_str(),
        "code_verification_status": p.code_status(w.now(), w.settings.verification_validity).as_str(),
        "pending": match p.pending {
            Some(crate::world::Pending::Migration(m)) => json!({"migration": m}),
            Some(crate::world::Pending::NewNumber) => json!("new_number"),
            None => Value::Null,
        },
        // The limits are the number's, shared by all its records.
        "blocked_until": attempts.and_then(|a| a.registrations.locked_until).map(|t| t.rfc3339()),
        "pin_locked_until": attempts.and_then(|a| a.wrong_pins.locked_until).map(|t| t.rfc3339()),
        "data_localization_region": p.data_localization_region,
        // A ChatApp mass send's recipients still waiting for the number's throughput.
        "paced_sends_waiting": w.pacing.waiting_for(p.id),
    })
}

/// When a migrated copy still in its UNKNOWN window will be re-rated (the dashboard's
/// countdown); `None` for any other template.
pub fn rerate_due(w: &World, t: &Template) -> Option<crate::clock::Timestamp> {
    let waiting = t.copied_from.is_some()
        && t.quality == crate::world::vocab::Quality::Unknown
        && t.status == crate::world::vocab::TemplateStatus::Approved;
    let due = t.created_at + w.settings.rerate_after;
    (waiting && due > w.now()).then_some(due)
}

fn template(w: &World, t: &Template) -> Value {
    json!({
        "id": t.id.to_string(),
        "name": t.name,
        "language": t.language,
        "category": t.category.as_str(),
        "status": t.status.as_str(),
        "quality": t.quality.as_str(),
        "rejected_reason": t.rejected_reason.as_str(),
        "copied_from": t.copied_from.map(|id| id.to_string()),
        "recategorize": t.recategorize.map(|c| c.as_str()),
        "rerate_to": t.rerate_to.map(|q| q.as_str()),
        "created_at": t.created_at.rfc3339(),
        "quality_at": t.quality_at.rfc3339(),
        "rerate_due_at": rerate_due(w, t).map(|d| d.rfc3339()),
    })
}

pub fn render(w: &World, namespace: &str) -> Value {
    let mut businesses: Vec<_> = w.businesses.values().collect();
    businesses.sort_by_key(|b| b.id);
    let mut apps: Vec<_> = w.apps.values().collect();
    apps.sort_by_key(|a| a.id);
    let mut tokens: Vec<_> = w.tokens.iter().collect();
    tokens.sort_by(|a, b| a.0.cmp(b.0));
    let mut wabas: Vec<_> = w.wabas.values().collect();
    wabas.sort_by_key(|x| x.id);
    json!({
        "namespace": namespace,
        "clock": {"now": w.now().rfc3339(), "frozen": w.clock.is_frozen()},
        "settings": {
            "migration_keeps_phone_id": w.settings.migration_keeps_phone_id,
            "code_ttl_seconds": w.settings.code_ttl.as_secs(),
            "max_code_requests": w.settings.max_code_requests,
            "code_request_window_seconds": w.settings.code_request_window.as_secs(),
            "verification_validity_seconds": w.settings.verification_validity.as_secs(),
            "max_registrations": w.settings.max_registrations,
            "registration_window_seconds": w.settings.registration_window.as_secs(),
            "registration_block_seconds": w.settings.registration_block.as_secs(),
            "max_pin_attempts": w.settings.max_pin_attempts,
            "pin_attempt_window_seconds": w.settings.pin_attempt_window.as_secs(),
            "pin_lock_seconds": w.settings.pin_lock.as_secs(),
            "duplication_delay_seconds": w.settings.duplication_delay.as_secs(),
            "rerate_after_seconds": w.settings.rerate_after.as_secs(),
            "rerate_default": w.settings.rerate_default.as_str(),
            "template_limit_default": w.settings.template_limit_default,
            "template_limit_verified": w.settings.template_limit_verified,
        },
        "businesses": businesses.iter().map(|b| json!({
            "id": b.id.to_string(), "name": b.name, "verification_status": b.verification.as_str(),
        })).collect::<Vec<_>>(),
        "partners": w.partners.iter().map(|p| json!({"id": p.key, "name": p.name})).collect::<Vec<_>>(),
        "apps": apps.iter().map(|a| json!({
            "id": a.id.to_string(),
            "name": a.name,
            "partner": a.partner.map(|p| w.partner(p).key.clone()),
            "secret": a.secret,
            "webhook_url": a.webhook_url,
            "verify_token": a.verify_token,
        })).collect::<Vec<_>>(),
        "tokens": tokens.iter().map(|(text, t)| json!({
            "token": text,
            "partner": match t.owner { TokenOwner::Partner(p) => Some(w.partner(p).key.clone()), _ => None },
            "business": match t.owner { TokenOwner::Business(b) => Some(b.to_string()), _ => None },
            "app": t.app.map(|a| a.to_string()),
            "scopes": t.scopes.list().iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            "expires_at": t.expires_at.map(|e| e.rfc3339()),
        })).collect::<Vec<_>>(),
        "wabas": wabas.iter().map(|waba| json!({
            "id": waba.id.to_string(),
            "name": waba.name,
            "business": waba.business.to_string(),
            "partner": waba.partner.map(|p| w.partner(p).key.clone()),
            "account_review_status": waba.review.as_str(),
            "payment_method": waba.payment_method,
            "template_limit": w.template_limit(waba),
            "subscribed_apps": waba.subscriptions.iter().map(|s| json!({
                "app": s.app.to_string(),
                "override_callback_uri": s.override_callback_uri,
                "verify_token": s.verify_token,
            })).collect::<Vec<_>>(),
            "phone_numbers": waba.phones.iter().filter_map(|id| w.phones.get(id)).map(|p| phone(w, p))
                .chain(waba.archived.iter().filter_map(|i| w.archived.get(*i)).map(|p| phone(w, p)))
                .collect::<Vec<_>>(),
            "templates": waba.templates.iter().filter_map(|id| w.templates.get(id)).map(|t| template(w, t)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "migrations": w.migrations.iter().enumerate().map(|(i, m)| json!({
            "index": i,
            "phone_number": m.e164,
            "source_waba_id": m.source_waba.to_string(),
            "destination_waba_id": m.dest_waba.to_string(),
            "source_phone_number_id": m.source_phone.to_string(),
            "destination_phone_number_id": m.dest_phone.to_string(),
            "state": m.state.as_str(),
            "started_at": m.started_at.rfc3339(),
            "finished_at": m.finished_at.map(|t| t.rfc3339()),
            "verified_at": m.verified_at.map(|t| t.rfc3339()),
        })).collect::<Vec<_>>(),
        // Each facade's own view of this world, by facade id (Alibaba's spaces, ...): the
        // dashboard renders whatever a facade puts here.
        "facades": crate::api::facade::FACADES.iter()
            .filter_map(|f| f.state_view(w).map(|v| (f.id().to_string(), v)))
            .collect::<serde_json::Map<_, _>>(),
    })
}
