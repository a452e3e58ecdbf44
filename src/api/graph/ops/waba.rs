//! The WABA node (`GET /{waba}`), with Graph's field expansion: `phone_numbers{id,status}`,
//! `message_templates.limit(2){name}` and `subscribed_apps` answer in place as
//! `{"data": [...], "paging": {...}}` connections.

use std::borrow::Cow;

use super::super::errors::GraphError;
use super::super::paging;
use super::super::prepare::Prepared;
use super::super::render::{
    self, PHONE_DEFAULT, PHONE_FIELDS, PHONE_TYPE, TEMPLATE_DEFAULT, TEMPLATE_FIELDS,
    TEMPLATE_TYPE, WABA_DEFAULT, WABA_FIELDS, WABA_TYPE,
};
use super::super::request;
use super::{Fail, fields};
use crate::api::json::Obj;
use crate::world::{Id, Principal, Template, Waba, World};

/// An edge expanded inside `GET /{waba}?fields=...`: its sub-fields and page size.
struct Expansion {
    fields: Cow<'static, [&'static str]>,
    limit: usize,
}

/// `get_waba`. Sub-fields are checked before anything is written.
pub fn get(w: &World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let waba = w.managed_waba(who, &p.route.node)?;
    let fields = fields(p, WABA_FIELDS, WABA_DEFAULT, WABA_TYPE)?;
    let expansions = expansions(p)?;
    let analytics = super::analytics::queries(p)?;
    let mut buf = Vec::with_capacity(512);
    let mut o = Obj::new(&mut buf);
    render::waba(&mut o, w, waba, &fields, &mut |o, edge| {
        if let Some((_, x)) = expansions.iter().find(|(name, _)| *name == edge) {
            o.obj(edge, |conn| write_edge(conn, w, who, waba, edge, x));
        } else if let Some(q) = analytics.iter().find(|q| q.name == edge) {
            super::analytics::write(o, w, waba, q);
        }
    });
    o.end();
    Ok(buf)
}

/// The edges `?fields=` expands, with their sub-fields checked.
fn expansions(p: &Prepared) -> Result<Vec<(&'static str, Expansion)>, GraphError> {
    let specs = p
        .params
        .text("fields")
        .map(|f| request::field_specs(&f))
        .unwrap_or_default();
    let mut expansions = Vec::new();
    for spec in specs
        .iter()
        .filter(|s| render::WABA_EDGES.contains(&s.name.as_str()))
    {
        let sub = spec.sub.as_deref().map(request::field_names);
        let selected = match spec.name.as_str() {
            "phone_numbers" => {
                render::select(sub.as_deref(), PHONE_FIELDS, PHONE_DEFAULT, PHONE_TYPE)?
            }
            "message_templates" => render::select(
                sub.as_deref(),
                TEMPLATE_FIELDS,
                TEMPLATE_DEFAULT,
                TEMPLATE_TYPE,
            )?,
            _ => Cow::Borrowed(&[][..]),
        };
        let name = render::WABA_EDGES
            .iter()
            .find(|e| **e == spec.name)
            .copied()
            .unwrap_or("phone_numbers");
        expansions.push((
            name,
            Expansion {
                fields: selected,
                limit: spec
                    .limit
                    .unwrap_or(paging::DEFAULT_LIMIT)
                    .clamp(1, paging::MAX_LIMIT),
            },
        ));
    }
    Ok(expansions)
}

/// One expanded edge's connection: its first page, and cursors to the rest.
fn write_edge(
    conn: &mut Obj<'_>,
    w: &World,
    who: &Principal,
    waba: &Waba,
    edge: &str,
    x: &Expansion,
) {
    match edge {
        "phone_numbers" => {
            let phones = render::listed_phones(w, waba);
            let shown = &phones[..phones.len().min(x.limit)];
            conn.arr("data", |a| {
                for phone in shown {
                    a.obj(|item| render::phone(item, w, phone, &x.fields, Some(who)));
                }
            });
            let ids: Vec<Id> = shown.iter().map(|ph| ph.id).collect();
            paging::write_cursors(conn, &ids);
        }
        "message_templates" => {
            let templates: Vec<&Template> = waba
                .templates
                .iter()
                .filter_map(|id| w.templates.get(id))
                .collect();
            let shown = &templates[..templates.len().min(x.limit)];
            conn.arr("data", |a| {
                for t in shown {
                    a.obj(|item| render::template(item, t, &x.fields));
                }
            });
            let ids: Vec<Id> = shown.iter().map(|t| t.id).collect();
            paging::write_cursors(conn, &ids);
        }
        _ => {
            conn.arr("data", |a| {
                for sub in &waba.subscriptions {
                    a.obj(|item| render::subscribed_app(item, w, sub));
                }
            });
        }
    }
}
