//! Message templates: list a WABA's (`GET /{waba}/message_templates`, with Graph's filters and
//! `summary`), read one (`GET /{template}`), create, delete by name, and copy them from another
//! WABA (`POST /{waba}/migrate_message_templates`).

use super::super::paging;
use super::super::prepare::Prepared;
use super::super::render::{self, TEMPLATE_DEFAULT, TEMPLATE_FIELDS, TEMPLATE_TYPE};
use super::super::request;
use super::{Fail, fields, missing, required, success};
use crate::api::json::{Arr, Obj};
use crate::clock::Timestamp;
use crate::world::template::{NewTemplate, ParameterFormat, TemplateFilter, TemplateOptions};
use crate::world::vocab::{Category, Quality, TemplateStatus};
use crate::world::{DomainError, Id, Principal, Waba, World};

/// `list_message_templates`: a page of the WABA's templates that pass the filters.
pub fn list(w: &World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let waba = w.managed_waba(who, &p.route.node)?;
    let field_refs = fields(p, TEMPLATE_FIELDS, TEMPLATE_DEFAULT, TEMPLATE_TYPE)?;
    let filter = filter(p)?;
    let ids: Vec<Id> = waba
        .templates
        .iter()
        .copied()
        .filter(|id| w.templates.get(id).is_some_and(|t| filter.matches(t)))
        .collect();
    let page = paging::page(&ids, &p.params)?;
    let mut buf = Vec::with_capacity(1024);
    let mut o = Obj::new(&mut buf);
    o.arr("data", |a: &mut Arr<'_>| {
        for id in &ids[page.start..page.end] {
            if let Some(t) = w.templates.get(id) {
                a.obj(|item| render::template(item, t, &field_refs));
            }
        }
    });
    paging::write(&mut o, &ids, &page, &p.base_url, &p.query);
    if let Some(summary) = p.params.text("summary")
        && !summary.eq_ignore_ascii_case("false")
    {
        write_summary(&mut o, w, waba, &summary, ids.len());
    }
    o.end();
    Ok(buf)
}

/// The list's filters: `category`, `status`, `quality_score`, `language`, `name`, `content`,
/// `name_or_content`, `since`, `until`.
fn filter(p: &Prepared) -> Result<TemplateFilter, DomainError> {
    let time = |key: &str| -> Result<Option<Timestamp>, DomainError> {
        match p.params.non_empty(key) {
            None => Ok(None),
            Some(t) => {
                let t = t.trim();
                if let Ok(secs) = t.parse::<i64>() {
                    return Ok(Some(Timestamp::from_unix_seconds(secs)));
                }
                Timestamp::parse_rfc3339(t).map(Some).map_err(|_| {
                    DomainError::param(
                        key,
                        format!("Param {key} must be a unix time or an ISO 8601 date"),
                    )
                })
            }
        }
    };
    Ok(TemplateFilter {
        categories: parse_enum_list(p, "category", Category::parse, Category::NAMES)?,
        statuses: parse_enum_list(p, "status", TemplateStatus::parse, TemplateStatus::NAMES)?,
        qualities: parse_enum_list(p, "quality_score", Quality::parse, Quality::NAMES)?,
        languages: p.params.list("language").unwrap_or_default(),
        name: p.params.non_empty("name").map(|s| s.into_owned()),
        content: p.params.non_empty("content").map(|s| s.into_owned()),
        name_or_content: p
            .params
            .non_empty("name_or_content")
            .map(|s| s.into_owned()),
        since: time("since")?,
        until: time("until")?,
    })
}

/// `summary=true` (the total) or `summary=a,b`: the counts asked for.
fn write_summary(o: &mut Obj<'_>, w: &World, waba: &Waba, summary: &str, total: usize) {
    let wanted: Vec<String> = if summary.eq_ignore_ascii_case("true") || summary.trim().is_empty() {
        vec!["total_count".into()]
    } else {
        request::field_names(summary)
    };
    let limit = w.template_limit(waba);
    let count = w.template_count(waba);
    o.obj("summary", |s| {
        for key in &wanted {
            match key.as_str() {
                "total_count" => {
                    s.num("total_count", total as i64);
                }
                "message_template_count" => {
                    s.num("message_template_count", count as i64);
                }
                "message_template_limit" => {
                    s.num("message_template_limit", limit as i64);
                }
                "are_translations_complete" => {
                    s.bool("are_translations_complete", true);
                }
                _ => {}
            }
        }
    });
}

fn parse_enum_list<T>(
    p: &Prepared,
    key: &str,
    parse: impl Fn(&str) -> Option<T>,
    names: &[&str],
) -> Result<Vec<T>, DomainError> {
    let Some(items) = p.params.list(key) else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .map(|s| {
            parse(s.trim()).ok_or_else(|| {
                DomainError::param(
                    key,
                    format!(
                        "Param {key}[] must be one of {{{}}} - got \"{s}\"",
                        names.join(", ")
                    ),
                )
            })
        })
        .collect()
}

/// `get_message_template`: a template of a WABA the caller manages (any other is unknown).
pub fn get(w: &World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let node = p.route.node.as_str();
    let id = crate::world::parse_id(node).unwrap_or_default();
    let t = w
        .templates
        .get(&id)
        .ok_or_else(|| DomainError::unknown(node))?;
    w.managed_waba(who, &t.waba.to_string())
        .map_err(|_| DomainError::unknown(node))?;
    let fields = fields(p, TEMPLATE_FIELDS, TEMPLATE_DEFAULT, TEMPLATE_TYPE)?;
    let mut buf = Vec::with_capacity(512);
    let mut o = Obj::new(&mut buf);
    render::template(&mut o, t, &fields);
    o.end();
    Ok(buf)
}

/// `create_message_template`: `name`, `language`, `category`, `components`, and optionally
/// `parameter_format` and `message_send_ttl_seconds`.
pub fn create(w: &mut World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    w.managed_waba(who, &p.route.node)?;
    let name = required(&p.params, "name")?.trim().to_string();
    let language = required(&p.params, "language")?.trim().to_string();
    let category_text = required(&p.params, "category")?;
    let category = Category::parse(category_text.trim()).ok_or_else(|| {
        DomainError::param(
            "category",
            format!(
                "Param category must be one of {{{}}} - got \"{}\"",
                Category::NAMES.join(", "),
                category_text.trim()
            ),
        )
    })?;
    let components = match p.params.json("components") {
        None => return Err(missing("components").into()),
        Some(Ok(v)) if v.is_array() => v,
        Some(_) => {
            return Err(
                DomainError::param("components", "Param components must be a JSON array").into(),
            );
        }
    };
    let parameter_format = match p.params.non_empty("parameter_format") {
        None => ParameterFormat::Positional,
        Some(f) => ParameterFormat::parse(f.trim()).ok_or_else(|| {
            DomainError::param(
                "parameter_format",
                format!(
                    "Param parameter_format must be one of {{POSITIONAL, NAMED}} - got \"{}\"",
                    f.trim()
                ),
            )
        })?,
    };
    let t = w.create_template_with(
        who,
        &p.route.node,
        NewTemplate {
            name,
            language,
            category,
            components: std::sync::Arc::from(components.to_string()),
            parameter_format,
        },
        TemplateOptions {
            message_send_ttl_seconds: send_ttl(p)?,
            ..Default::default()
        },
    )?;
    let mut buf = Vec::with_capacity(96);
    let mut o = Obj::new(&mut buf);
    o.id("id", t.id)
        .str("status", t.status.as_str())
        .str("category", t.category.as_str());
    o.end();
    Ok(buf)
}

/// PYSDK's `message_send_ttl_seconds` (§4.3): seconds a message may wait for delivery.
fn send_ttl(p: &Prepared) -> Result<Option<i64>, DomainError> {
    let Some(t) = p.params.non_empty("message_send_ttl_seconds") else {
        return Ok(None);
    };
    t.trim()
        .parse::<i64>()
        .ok()
        .filter(|s| *s > 0)
        .map(Some)
        .ok_or_else(|| {
            DomainError::param(
                "message_send_ttl_seconds",
                "Param message_send_ttl_seconds must be a positive integer",
            )
        })
}

/// `delete_message_template`: by `name`, or one language of it by `hsm_id`.
pub fn delete(w: &mut World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let node = p.route.node.as_str();
    w.managed_waba(who, node)?;
    let name = p.params.non_empty("name");
    let hsm = p.params.non_empty("hsm_id");
    if name.is_none() {
        return Err(missing("name").into());
    }
    w.delete_templates(who, node, name.as_deref(), hsm.as_deref())?;
    Ok(success())
}

/// `migrate_message_templates`: copies templates from `source_waba_id`, a page at a time.
pub fn migrate(w: &mut World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let node = p.route.node.as_str();
    w.managed_waba(who, node)?;
    let source = required(&p.params, "source_waba_id")?;
    let number = |key: &str| -> Result<Option<usize>, Fail> {
        match p.params.non_empty(key) {
            None => Ok(None),
            Some(t) => t.trim().parse().map(Some).map_err(|_| {
                DomainError::param(key, format!("Param {key} must be a non-negative integer"))
                    .into()
            }),
        }
    };
    let page_number = number("page_number")?;
    let count = number("count")?;
    let ids = p.params.list("template_ids");
    let report = w.migrate_templates(who, node, &source, page_number, count, ids)?;
    let mut buf = Vec::with_capacity(256);
    let mut o = Obj::new(&mut buf);
    // pywa's MigrateTemplatesResult: ids, and {id, reason} items ([SDK PYWA];
    // which ids are listed is [INF]: the source templates').
    o.arr("migrated_templates", |a| {
        for (source, _) in &report.copied {
            a.id(*source);
        }
    });
    o.arr("failed_templates", |a| {
        for (source, why) in &report.failed {
            a.obj(|f| {
                f.id("id", *source).str("reason", why.reason());
            });
        }
    });
    o.end();
    Ok(buf)
}
