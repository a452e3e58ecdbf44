//! Phone numbers on a WABA: start a migration or add a number (`POST /{waba}/phone_numbers`),
//! list them (`GET /{waba}/phone_numbers`), read one (`GET /{phone}`).

use std::borrow::Cow;

use super::super::paging;
use super::super::prepare::Prepared;
use super::super::render::{self, PHONE_DEFAULT, PHONE_FIELDS, PHONE_TYPE};
use super::{Fail, fields, id_body, required};
use crate::api::json::Obj;
use crate::world::{DomainError, Id, Principal, World};

/// `migrate_phone_number`: starts moving an existing number into the WABA.
pub fn migrate(w: &mut World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let (node, cc, number) = number_on_waba(w, who, p)?;
    let id = w.start_migration(who, node, &cc, &number)?;
    Ok(id_body(id))
}

/// `add_phone_number`: a new number, with its verified name.
pub fn add(w: &mut World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let (node, cc, number) = number_on_waba(w, who, p)?;
    let name = required(&p.params, "verified_name")?;
    let id = w.add_number(who, node, &cc, &number, &name)?;
    Ok(id_body(id))
}

/// What both `POST`s on `phone_numbers` check first, in this order: the WABA (which the
/// caller must manage), the `migrate_phone_number` flag, then `cc` and `phone_number`.
fn number_on_waba<'p>(
    w: &World,
    who: &Principal,
    p: &'p Prepared,
) -> Result<(&'p str, Cow<'p, str>, Cow<'p, str>), Fail> {
    let node = p.route.node.as_str();
    w.managed_waba(who, node)?;
    migrate_flag(p)?;
    let cc = required(&p.params, "cc")?;
    let number = required(&p.params, "phone_number")?;
    Ok((node, cc, number))
}

/// `migrate_phone_number` must be a boolean when present.
fn migrate_flag(p: &Prepared) -> Result<(), DomainError> {
    p.params
        .bool("migrate_phone_number")
        .map(|_| ())
        .map_err(|text| {
            DomainError::param(
                "migrate_phone_number",
                format!("Param migrate_phone_number must be a boolean - got \"{text}\""),
            )
        })
}

/// `list_phone_numbers`: a page of the WABA's numbers, with `summary` on request.
pub fn list(w: &World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let waba = w.managed_waba(who, &p.route.node)?;
    let field_refs = fields(p, PHONE_FIELDS, PHONE_DEFAULT, PHONE_TYPE)?;
    let phones = render::listed_phones(w, waba);
    let ids: Vec<Id> = phones.iter().map(|ph| ph.id).collect();
    let page = paging::page(&ids, &p.params)?;
    let mut buf = Vec::with_capacity(512);
    let mut o = Obj::new(&mut buf);
    o.arr("data", |a| {
        for phone in &phones[page.start..page.end] {
            a.obj(|item| render::phone(item, w, phone, &field_refs, Some(who)));
        }
    });
    paging::write(&mut o, &ids, &page, &p.base_url, &p.query);
    if let Some(s) = p.params.text("summary")
        && !s.eq_ignore_ascii_case("false")
    {
        o.obj("summary", |s| {
            s.num("total_count", ids.len() as i64);
        });
    }
    o.end();
    Ok(buf)
}

/// `get_phone_number`: the read the benchmark measures, so nothing here is spent twice.
pub fn get(w: &World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let phone = w.managed_phone_parsed(who, &p.route.node, p.route.id)?;
    let fields = fields(p, PHONE_FIELDS, PHONE_DEFAULT, PHONE_TYPE)?;
    let mut buf = Vec::with_capacity(256);
    let mut o = Obj::new(&mut buf);
    render::phone(&mut o, w, phone, &fields, Some(who));
    o.end();
    Ok(buf)
}
