//! Templates through the Partner API (`/waba_accounts/{wa}/waba_templates`, and their
//! migration between WABAs) and what the Messaging API's `/v1/configs/templates` shares with
//! it: one rendering, one body reading, Meta's rules from the world (clients-and-360dialog.md
//! §2.4, 360dialog reference §1.4).

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::errors::{D360Error, from_domain};
use super::listing;
use super::model;
use super::{Prepared, Reply, body_object};
use crate::clock::Duration;
use crate::world::template::{NewTemplate, ParameterFormat, TemplateOptions};
use crate::world::vocab::Category;
use crate::world::{Principal, World};

/// 360dialog's pages for template migration: 2500 (§1.4, SEEN TPL), Meta's are 500.
const D360_TEMPLATE_PAGE: usize = 2500;
const META_TEMPLATE_PAGE: usize = 500;

/// The world WABA of a WABA account the partner holds, and the principal that acts on it at
/// Meta (360dialog).
pub fn own_account(w: &World, partner: &str, wa: &str) -> Result<(String, Principal), D360Error> {
    let b = model::of(w);
    let account = b
        .waba_account(wa)
        .filter(|a| b.client(&a.client).is_some_and(|c| c.partner == partner))
        .ok_or_else(|| D360Error::not_found("WABA account", wa))?;
    let bsp = b.bsp.ok_or_else(|| D360Error::new(500, "Server error"))?;
    Ok((account.waba.to_string(), w.partner_principal(bsp)))
}

/// A `waba_templates[]` item (CD §2.4, SEEN NET): statuses in lower case (NET enum).
pub fn template_json(w: &World, t: &crate::world::Template, partner: &str, wa: &str) -> Value {
    json!({
        "id": t.id.to_string(),
        "external_id": t.id.to_string(),
        "partner_id": partner,
        "waba_account_id": wa,
        "name": t.name,
        "language": &*t.language,
        "category": t.category.as_str(),
        "status": t.status.as_str().to_ascii_lowercase(),
        "quality_score": t.quality.as_str(),
        "rejected_reason": t.rejected_reason.as_str(),
        "components": serde_json::from_str::<Value>(&t.components).unwrap_or(Value::Null),
        "namespace": w.wabas.get(&t.waba).map(|x| x.template_namespace.clone()),
        "created_at": t.created_at.rfc3339(),
        "modified_at": t.status_at.rfc3339(),
    })
}

/// `business_templates.name` is the template's name (CD §2.4 filter keys).
pub fn template_alias(k: &str) -> &str {
    if k == "business_templates.name" {
        "name"
    } else {
        k
    }
}

const TEMPLATE_KEYS: &[&str] = &[
    "id",
    "partner_id",
    "business_templates.name",
    "status",
    "category",
    "language",
];

pub fn list(w: &mut World, p: &Prepared, partner: &str, wa: &str) -> Reply {
    let (waba, _) = own_account(w, partner, wa)?;
    let limit = model::of(w).settings.template_list_per_minute;
    if !model::admit_call(w, "template_list", limit, Duration::minutes(1)) {
        return Err(D360Error::rate_limited());
    }
    let lp = listing::params(p, TEMPLATE_KEYS, "business_templates.name")?;
    let waba: u64 = waba.parse().unwrap_or_default();
    let items: Vec<Value> = w
        .wabas
        .get(&waba)
        .map(|x| x.templates.clone())
        .unwrap_or_default()
        .iter()
        .filter_map(|id| w.templates.get(id))
        .map(|t| template_json(w, t, partner, wa))
        .collect();
    Ok((
        200,
        listing::page(items, &lp, "waba_templates", template_alias),
    ))
}

/// Reads a template body `{name, category, language, components, allow_category_change,
/// message_send_ttl_seconds}` (CD §2.4) and creates it through the world's rules.
pub fn create_on(
    w: &mut World,
    who: &Principal,
    waba: &str,
    body: &Map<String, Value>,
) -> Result<crate::world::Template, D360Error> {
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    let name = text("name").ok_or_else(|| D360Error::wrong_payload("name is required"))?;
    let language =
        text("language").ok_or_else(|| D360Error::wrong_payload("language is required"))?;
    let category = text("category")
        .and_then(|c| Category::parse(&c))
        .ok_or_else(|| {
            D360Error::wrong_payload("category must be AUTHENTICATION, MARKETING or UTILITY")
        })?;
    let components = match body.get("components") {
        Some(c @ Value::Array(_)) => c.to_string(),
        _ => return Err(D360Error::wrong_payload("components must be an array")),
    };
    let parameter_format = match text("parameter_format").as_deref() {
        Some(f) => ParameterFormat::parse(f).ok_or_else(|| {
            D360Error::wrong_payload("parameter_format must be POSITIONAL or NAMED")
        })?,
        None => ParameterFormat::Positional,
    };
    let options = TemplateOptions {
        message_send_ttl_seconds: body.get("message_send_ttl_seconds").and_then(Value::as_i64),
        category_change_paused: false,
    };
    let new = NewTemplate {
        name,
        language,
        category,
        components: Arc::from(components),
        parameter_format,
    };
    w.create_template_with(who, waba, new, options)
        .cloned()
        .map_err(|e| from_domain(&e))
}

pub fn create(w: &mut World, p: &Prepared, partner: &str, wa: &str) -> Result<Value, D360Error> {
    let (waba, who) = own_account(w, partner, wa)?;
    let limit = model::of(w).settings.template_create_per_minute;
    if !model::admit_call(
        w,
        &format!("template_create:{waba}"),
        limit,
        Duration::minutes(1),
    ) {
        return Err(D360Error::rate_limited());
    }
    let body = body_object(p)?;
    let t = create_on(w, &who, &waba, &body)?;
    Ok(template_json(w, &t, partner, wa))
}

pub fn delete(w: &mut World, partner: &str, wa: &str, id: &str) -> Reply {
    let (waba, who) = own_account(w, partner, wa)?;
    w.delete_templates(&who, &waba, None, Some(id))
        .map_err(|e| from_domain(&e))?;
    Ok((200, json!({"success": true})))
}

/// `POST …/waba_accounts/{wa}/migrate_templates` `{source_waba_id, page_number}` (§5 #3
/// [INF] path and names): one 360dialog page (2500) is five of Meta's (500), copied by the
/// world's `migrate_message_templates` rules; answers Meta's `migrated_templates` and
/// `failed_templates`.
pub fn migrate(w: &mut World, p: &Prepared, partner: &str, wa: &str) -> Reply {
    let (dest, who) = own_account(w, partner, wa)?;
    let body = body_object(p)?;
    let source = match body.get("source_waba_id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(D360Error::wrong_payload("source_waba_id is required")),
    };
    let page = match body.get("page_number") {
        None => 0,
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .ok_or_else(|| D360Error::wrong_payload("page_number must be a non-negative integer"))?
            as usize,
    };
    let mut migrated = Vec::new();
    let mut failed = Map::new();
    let per = D360_TEMPLATE_PAGE / META_TEMPLATE_PAGE;
    for meta_page in page * per..(page + 1) * per {
        let report = w
            .migrate_templates(
                &who,
                &dest,
                &source,
                Some(meta_page),
                Some(META_TEMPLATE_PAGE),
                None,
            )
            .map_err(|e| from_domain(&e))?;
        if report.copied.is_empty() && report.failed.is_empty() {
            break;
        }
        migrated.extend(
            report
                .copied
                .iter()
                .map(|(src, _)| Value::from(src.to_string())),
        );
        for (id, why) in report.failed {
            failed.insert(id.to_string(), Value::from(why.reason()));
        }
    }
    Ok((
        200,
        json!({"migrated_templates": migrated, "failed_templates": failed}),
    ))
}
