//! The operations (dispatched by `dispatch.rs`): each reads its parameters, calls the world as
//! the access key's partner, and writes the success body of reference alibaba-cams.md §7 (field names and JSON types as
//! the SDK 5.3.1 models expect them).
//!
//! Numbers are addressed by their digits with country code (`PhoneNumber`), within the WABA a
//! `CustSpaceId` is bound to; the world's rules (migration, codes, registration, templates)
//! are Graph's, so both facades change and see the same world.

use std::sync::Arc;

use serde_json::Value;

use super::errors::CamsError;
use super::model::{self, TemplateInput};
use super::render::{self, AUDIT_STATUSES};
use super::{Op, Prepared};
use crate::api::json::Obj;
use crate::world::phone::Pending;
use crate::world::phone::digits_only;
use crate::world::template::{NewTemplate, TemplateOptions};
use crate::world::vocab::Category;
use crate::world::{DomainError, Id, Principal, World};

/// The world's parameter names, as the operation's caller knows them.
pub(super) fn alibaba_name(op: Op, world_param: &str) -> &str {
    match (op, world_param) {
        (Op::CreateChatappMigrationInitiate, "cc") => "CountryCode",
        (Op::CreateChatappMigrationInitiate, "phone_number") => "MobileNumber",
        (Op::AddChatappPhoneNumber, "cc") => "Cc",
        (_, "phone_number") => "PhoneNumber",
        (_, "verified_name") => "VerifiedName",
        (_, "code_method") => "Method",
        (_, "language") => "Locale",
        (_, "code") => "VerifyCode",
        (_, "name") => "Name",
        (_, "components") => "Components",
        (_, "category") => "Category",
        (_, other) => other,
    }
}

/// Why an operation failed: a world rule (mapped by `errors::from_domain`), or one of
/// ChatApp's own (already in Alibaba's terms).
pub enum Failure {
    World(DomainError),
    Cams(CamsError),
}

/// What a handler gives: the success body, or why not.
pub(super) type Handled = Result<Vec<u8>, Failure>;

impl From<DomainError> for Failure {
    fn from(e: DomainError) -> Failure {
        Failure::World(e)
    }
}

impl From<CamsError> for Failure {
    fn from(e: CamsError) -> Failure {
        Failure::Cams(e)
    }
}

/// The world's messages name Graph parameters (`Param code_method must be ...`); say the
/// caller's name instead.
pub(super) fn rename_in(op: Op, details: &str) -> String {
    let mut out = details.to_string();
    for graph in [
        "code_method",
        "language",
        "verified_name",
        "phone_number",
        "cc",
    ] {
        let from = format!("Param {graph} ");
        if out.contains(&from) {
            out = out.replace(&from, &format!("{} ", alibaba_name(op, graph)));
        }
    }
    out
}

/// A success body: the envelope (`RequestId`, `Code`, `Message`, `AccessDeniedDetail`, and
/// `Success` where the model has it), then whatever `f` writes.
pub(super) fn ok(p: &Prepared, f: impl FnOnce(&mut Obj<'_>)) -> Vec<u8> {
    let mut buf = Vec::with_capacity(256);
    let mut o = Obj::new(&mut buf);
    o.str("RequestId", &p.request_id)
        .str("Code", "OK")
        .str("Message", success_message(p.op))
        // L2 [seen]: the doc samples carry "AccessDeniedDetail":"None" on success.
        .str("AccessDeniedDetail", "None");
    if p.op.has_success() {
        o.bool("Success", true);
    }
    f(&mut o);
    o.end();
    buf
}

/// `Message` on success: `"None"` where the doc samples show it (L1 [seen]: seeds 000/001
/// and the API pages of these four), `"SUCCESS"` elsewhere (§7.1 samples).
fn success_message(op: Op) -> &'static str {
    match op {
        Op::GetMigrationVerifyCode
        | Op::ChatappBindWaba
        | Op::ChatappPhoneNumberRegister
        | Op::GetPhoneNumberVerificationStatus => "None",
        _ => "SUCCESS",
    }
}

pub(super) fn required<'a>(p: &'a Prepared, name: &str) -> Result<&'a str, DomainError> {
    // Present by construction (the gateway checked `Op::required`); an error, not a panic,
    // if a scripted path ever gets here without it.
    p.params
        .non_empty(name)
        .ok_or_else(|| DomainError::param(name, "The parameter is required."))
}

/// The WABA the request's `CustSpaceId` is bound to. Without one, the access key's only space
/// is meant (the parameter is optional on the query operations, §7.3).
pub(super) fn space_waba(
    w: &World,
    who: &Principal,
    p: &Prepared,
) -> Result<(String, Id), Failure> {
    let space = match p.params.non_empty("CustSpaceId") {
        Some(s) => s.to_string(),
        None => match model::spaces_of(w, p.partner).as_slice() {
            [only] => (*only).to_string(),
            many => {
                return Err(DomainError::param(
                    "CustSpaceId",
                    format!(
                        "This account has {} spaces: name one with CustSpaceId.",
                        many.len()
                    ),
                )
                .into());
            }
        },
    };
    // M1: no WABA is bound to a CustSpaceId this world has no space for.
    let waba = model::of(w)
        .spaces
        .get(&space)
        .map(|s| s.waba)
        .ok_or_else(CamsError::space_without_waba)?;
    // A space bound to a WABA another partner manages is not this account's.
    w.managed_waba(who, &waba.to_string())
        .map_err(|_| DomainError::unknown(space.clone()))?;
    Ok((space, waba))
}

/// The number `PhoneNumber` names on `waba`: its record id and digits.
pub(super) fn number_on(w: &World, p: &Prepared, waba: Id) -> Result<(Id, String), Failure> {
    let text = required(p, "PhoneNumber")?;
    let digits = digits_only(text).ok_or_else(|| {
        DomainError::param(
            "PhoneNumber",
            "Give the number with its country code, digits only (e.g. 8613800001234).",
        )
    })?;
    // H4 [seen]: a number the space does not hold.
    let id = w
        .number_on_waba(&digits, waba)
        .ok_or_else(CamsError::number_not_in_space)?;
    Ok((id, digits))
}

/// ChatApp names a number by its country code and its national number, "without the country
/// code" (CreateChatappMigrationInitiate's `MobileNumber`; AddChatappPhoneNumber's
/// `PhoneNumber` beside `Cc`). Graph guesses when a number repeats its country code and only
/// the shorter reading names a known number (`world::migration::parse_number`, [INF] for
/// Graph); ChatApp does not: in production such a request names another number. So that
/// case is refused here, before the world's lenient reading can apply.
fn refuse_repeated_country_code(
    w: &World,
    cc: &str,
    number_param: &str,
    number: &str,
) -> Result<(), DomainError> {
    let cc = cc.trim().trim_start_matches('+');
    let Some(national) = digits_only(number) else {
        return Ok(()); // the world reports a malformed number in its own words
    };
    let joined = format!("{cc}{national}");
    if !cc.is_empty()
        && national.len() > cc.len()
        && national.starts_with(cc)
        && w.records_of(&joined).is_empty()
        && !w.records_of(&national).is_empty()
    {
        return Err(DomainError::param(
            number_param,
            format!(
                "{number_param} must not include the country code: with country code {cc} it names +{joined}. For +{national}, give {number_param} {}.",
                &national[cc.len()..]
            ),
        ));
    }
    Ok(())
}

fn phone_data(o: &mut Obj<'_>, id: Id, digits: &str) {
    o.obj("Data", |d| {
        d.str("PhoneNumber", digits).str("Id", &id.to_string());
    });
}

// Migration and verification codes.

/// CreateChatappMigrationInitiate: the number (`CountryCode` + `MobileNumber`) starts
/// migrating into the space's WABA.
pub(super) fn migration_initiate(w: &mut World, who: &Principal, p: &Prepared) -> Handled {
    let (_, waba) = space_waba(w, who, p)?;
    let cc = required(p, "CountryCode")?;
    let mobile = required(p, "MobileNumber")?;
    refuse_repeated_country_code(w, cc, "MobileNumber", mobile)?;
    let id = w.start_migration(who, &waba.to_string(), cc, mobile)?;
    let digits = w.phones[&id].e164_digits();
    Ok(ok(p, |o| {
        o.obj("Data", |d| {
            d.str("PhoneNumber", &digits)
                .str("Id", &id.to_string())
                .str("Status", "MIGRATING");
        });
    }))
}

/// GetMigrationVerifyCode and GetChatappVerifyCode: a code is sent (only the first answers
/// with the number).
pub(super) fn request_code(w: &mut World, who: &Principal, p: &Prepared) -> Handled {
    let (_, waba) = space_waba(w, who, p)?;
    let (id, digits) = number_on(w, p, waba)?;
    same_flow(w, id, p.op)?;
    let method = required(p, "Method")?;
    let locale = required(p, "Locale")?;
    w.request_code(who, &id.to_string(), method, locale)?;
    Ok(ok(p, |o| {
        if p.op == Op::GetMigrationVerifyCode {
            phone_data(o, id, &digits);
        }
    }))
}

/// The two registration flows are kept apart (M4 [inferred]: the docs describe two flows,
/// §7.1 and §7.2): a number being migrated in is verified and registered with the migration
/// operations, a number added with AddChatappPhoneNumber with the embedded-signup ones.
/// A number in neither flow (registered, deregistered) is left to the world's rules.
fn same_flow(w: &World, id: Id, op: Op) -> Result<(), CamsError> {
    let migration_op = matches!(
        op,
        Op::GetMigrationVerifyCode | Op::ChatappMigrationVerified | Op::ChatappMigrationRegister
    );
    match w.phones[&id].pending {
        Some(Pending::Migration(_)) if !migration_op => Err(CamsError::other_flow(match op {
            Op::GetChatappVerifyCode => "GetMigrationVerifyCode",
            Op::ChatappVerifyAndRegister => "ChatappMigrationVerified",
            _ => "ChatappMigrationRegister",
        })),
        Some(Pending::NewNumber) if migration_op => Err(CamsError::other_flow(match op {
            Op::GetMigrationVerifyCode => "GetChatappVerifyCode",
            Op::ChatappMigrationVerified => "ChatappVerifyAndRegister",
            _ => "ChatappPhoneNumberRegister",
        })),
        _ => Ok(()),
    }
}

/// ChatappMigrationVerified: the code is checked.
pub(super) fn verify_code(w: &mut World, who: &Principal, p: &Prepared) -> Handled {
    let (_, waba) = space_waba(w, who, p)?;
    let (id, digits) = number_on(w, p, waba)?;
    same_flow(w, id, p.op)?;
    w.verify_code(who, &id.to_string(), required(p, "VerifyCode")?)?;
    Ok(ok(p, |o| phone_data(o, id, &digits)))
}

/// GetPhoneNumberVerificationStatus: where the number's code stands.
pub(super) fn verification_status(w: &World, who: &Principal, p: &Prepared) -> Handled {
    let (_, waba) = space_waba(w, who, p)?;
    let (id, digits) = number_on(w, p, waba)?;
    let status = w.phones[&id]
        .code_status(w.now(), w.settings.verification_validity)
        .as_str();
    Ok(ok(p, |o| {
        o.obj("Data", |d| {
            d.str("PhoneNumber", &digits)
                .str("Id", &id.to_string())
                .str("CodeVerificationStatus", status);
        });
    }))
}

// Registration.

/// ChatappMigrationRegister and ChatappPhoneNumberRegister.
pub(super) fn register(w: &mut World, who: &Principal, p: &Prepared) -> Handled {
    let (_, waba) = space_waba(w, who, p)?;
    let (id, _) = number_on(w, p, waba)?;
    same_flow(w, id, p.op)?;
    w.register_keeping_pin(who, &id.to_string())?;
    Ok(ok(p, |_| {}))
}

/// ChatappVerifyAndRegister: the code is checked, then the number registered.
pub(super) fn verify_and_register(w: &mut World, who: &Principal, p: &Prepared) -> Handled {
    let (_, waba) = space_waba(w, who, p)?;
    let (id, _) = number_on(w, p, waba)?;
    same_flow(w, id, p.op)?;
    w.verify_code(who, &id.to_string(), required(p, "VerifyCode")?)?;
    w.register_keeping_pin(who, &id.to_string())?;
    Ok(ok(p, |_| {}))
}

/// ChatappPhoneNumberDeregister.
pub(super) fn deregister(w: &mut World, who: &Principal, p: &Prepared) -> Handled {
    let (_, waba) = space_waba(w, who, p)?;
    let (id, _) = number_on(w, p, waba)?;
    w.deregister(who, &id.to_string())?;
    Ok(ok(p, |_| {}))
}

// Spaces and phone numbers.

/// ChatappBindWaba: a space bound to `WabaId`.
pub(super) fn bind_waba(w: &mut World, who: &Principal, p: &Prepared) -> Handled {
    let waba = required(p, "WabaId")?.to_string();
    let space = model::bind_space(w, who, &waba)?;
    Ok(ok(p, |o| {
        o.obj("Data", |d| {
            d.str("CustSpaceId", &space).str("WabaId", &waba);
        });
    }))
}

/// QueryChatappBindWaba: the WABA the space is bound to.
pub(super) fn bound_waba(w: &World, who: &Principal, p: &Prepared) -> Handled {
    let (_, waba) = space_waba(w, who, p)?;
    let waba = &w.wabas[&waba];
    Ok(ok(p, |o| render::waba_data(o, w, waba)))
}

/// AddChatappPhoneNumber: a new number (`Cc` + `PhoneNumber`) on the space's WABA.
pub(super) fn add_phone_number(w: &mut World, who: &Principal, p: &Prepared) -> Handled {
    let (_, waba) = space_waba(w, who, p)?;
    let cc = required(p, "Cc")?;
    let number = required(p, "PhoneNumber")?;
    refuse_repeated_country_code(w, cc, "PhoneNumber", number)?;
    // Asked before adding so that a number registered elsewhere is answered in
    // ChatApp's terms (migrate it with CreateChatappMigrationInitiate).
    if let Some(national) = digits_only(number) {
        let e164 = format!("{}{national}", cc.trim().trim_start_matches('+'));
        w.addable_on(&e164, waba)?;
    }
    w.add_number(
        who,
        &waba.to_string(),
        cc,
        number,
        required(p, "VerifiedName")?,
    )?;
    Ok(ok(p, |_| {}))
}

/// QueryChatappPhoneNumbers and ChatappSyncPhoneNumber: the space's numbers, a number being
/// migrated in included, each with the status the space sees ([`render::phone_status`]), which
/// the `Status` filter matches too.
pub(super) fn phone_numbers(w: &World, who: &Principal, p: &Prepared) -> Handled {
    let (space_id, waba) = space_waba(w, who, p)?;
    let space = model::of(w).spaces.get(&space_id);
    let status = p.params.non_empty("Status");
    let phones: Vec<_> = w
        .numbers_listed_on(waba)
        .into_iter()
        .filter_map(|id| w.phones.get(&id))
        .filter(|ph| {
            status.is_none_or(|s| render::phone_status(w, ph, waba).eq_ignore_ascii_case(s))
        })
        .collect();
    Ok(ok(p, |o| {
        o.arr("PhoneNumbers", |a| {
            for ph in phones {
                render::phone_item(a, w, ph, waba, space);
            }
        });
    }))
}

/// Each number's messages per bucket, from the world's ledger: `SentCount` the sends it
/// accepted, `DeliveredCount` those delivered, by the half hour each happened in (so a bucket
/// edge inside a half hour counts the whole half hour where it starts); the buckets follow
/// `Start`, `End` and `Granularity` (at most [`MAX_BUCKETS`] of them).
pub(super) fn metrics(w: &World, who: &Principal, p: &Prepared) -> Handled {
    const MAX_BUCKETS: i64 = 1000;
    let (_, waba) = space_waba(w, who, p)?;
    let int = |name: &str| p.params.int(name).ok().flatten().unwrap_or_default();
    let (start, end) = (int("Start"), int("End"));
    if end <= start {
        return Err(DomainError::param("End", "End must be later than Start.").into());
    }
    let granularity = match p.params.non_empty("Granularity") {
        None => "DAILY",
        Some(g) if g.eq_ignore_ascii_case("DAILY") => "DAILY",
        Some(g) if g.eq_ignore_ascii_case("HALF_HOUR") => "HALF_HOUR",
        Some(_) => {
            return Err(DomainError::param(
                "Granularity",
                "Granularity must be DAILY or HALF_HOUR.",
            )
            .into());
        }
    };
    let step: i64 = if granularity == "DAILY" {
        86_400_000
    } else {
        1_800_000
    };
    let buckets = (end - start + step - 1) / step;
    if buckets > MAX_BUCKETS {
        return Err(DomainError::param(
            "End",
            format!("The range holds {buckets} {granularity} buckets; at most {MAX_BUCKETS}."),
        )
        .into());
    }
    let numbers: Vec<(Id, String)> = if p.params.non_empty("PhoneNumber").is_some() {
        vec![number_on(w, p, waba)?]
    } else {
        w.wabas[&waba]
            .phones
            .iter()
            .filter_map(|id| w.phones.get(id))
            .filter(|ph| ph.is_live())
            .map(|ph| (ph.id, ph.e164_digits()))
            .collect()
    };
    // One pass over the ledger per number: (slot in ms, sent, delivered), then per bucket.
    let ledger = &w.messaging.ledger;
    let slots = |phone: Id| -> Vec<(i64, u64, u64)> {
        let sent = ledger
            .sent
            .range((waba, phone, i64::MIN)..=(waba, phone, i64::MAX))
            .map(|((_, _, slot), n)| (slot * 1000, *n, 0));
        let delivered = ledger
            .days
            .iter()
            .filter(|(k, _)| k.waba == waba && k.phone == phone)
            .map(|(k, t)| (k.slot * 1000, 0, t.volume));
        sent.chain(delivered).collect()
    };
    let counts = |slots: &[(i64, u64, u64)], from: i64, to: i64| {
        slots
            .iter()
            .filter(|(at, _, _)| (from..to).contains(at))
            .fold((0, 0), |(s, d), (_, sent, delivered)| {
                (s + *sent as i64, d + *delivered as i64)
            })
    };
    Ok(ok(p, |o| {
        o.arr("Data", |a| {
            for (phone, number) in &numbers {
                let slots = slots(*phone);
                for i in 0..buckets {
                    let from = start + i * step;
                    let to = (from + step).min(end);
                    let (sent, delivered) = counts(&slots, from, to);
                    a.obj(|m| {
                        m.str("PhoneNumber", number)
                            .num("SentCount", sent)
                            .num("DeliveredCount", delivered)
                            .num("Start", from)
                            .num("End", to)
                            .str("Granularity", granularity);
                    });
                }
            }
        });
    }))
}

// Templates.

/// `TemplateType`: only WhatsApp templates exist here; Viber is a valid type with none.
fn whatsapp_type(p: &Prepared) -> Result<bool, DomainError> {
    match p.params.non_empty("TemplateType") {
        None => Ok(true),
        Some(t) if t.eq_ignore_ascii_case("WHATSAPP") => Ok(true),
        Some(t) if t.eq_ignore_ascii_case("VIBER") => Ok(false),
        Some(_) => Err(DomainError::param(
            "TemplateType",
            "TemplateType must be WHATSAPP or VIBER.",
        )),
    }
}

pub(super) fn list_templates(w: &World, who: &Principal, p: &Prepared) -> Handled {
    let (_, waba) = space_waba(w, who, p)?;
    let page_error = || {
        DomainError::param(
            "Page",
            "Page must be a JSON object {\"Index\": n, \"Size\": n} with Index >= 1 and Size from 1 to 100.",
        )
    };
    let page: Value = serde_json::from_str(required(p, "Page")?).map_err(|_| page_error())?;
    let field = |k: &str| page.get(k).and_then(Value::as_i64);
    let (index, size) = match (field("Index"), field("Size")) {
        (Some(i), Some(s)) if i >= 1 && (1..=100).contains(&s) => (i as usize, s as usize),
        _ => return Err(page_error().into()),
    };
    let audit = match p.params.non_empty("AuditStatus") {
        None => None,
        Some(a) => Some(
            AUDIT_STATUSES
                .into_iter()
                .find(|s| s.eq_ignore_ascii_case(a))
                .ok_or_else(|| {
                    DomainError::param(
                        "AuditStatus",
                        "AuditStatus must be one of pass, fail, auditing, unaudit.",
                    )
                })?,
        ),
    };
    let category = match p.params.non_empty("Category") {
        None => None,
        Some(c) => Some(Category::parse(c).ok_or_else(|| {
            DomainError::param(
                "Category",
                "Category must be UTILITY, MARKETING or AUTHENTICATION.",
            )
        })?),
    };
    let whatsapp = whatsapp_type(p)?;
    let language = p.params.non_empty("Language");
    let name = p.params.non_empty("Name").map(str::to_lowercase);
    let code = p.params.non_empty("Code");
    let matching: Vec<&crate::world::Template> = w.wabas[&waba]
        .templates
        .iter()
        .filter_map(|id| w.templates.get(id))
        .filter(|t| whatsapp && t.counts_against_limit())
        .filter(|t| audit.is_none_or(|a| render::audit_status(t.status) == a))
        .filter(|t| category.is_none_or(|c| t.category == c))
        .filter(|t| language.is_none_or(|l| *t.language == *l))
        .filter(|t| name.as_deref().is_none_or(|n| t.name.contains(n)))
        .filter(|t| code.is_none_or(|c| render::template_code(t.id) == c))
        .collect();
    let first = (index - 1).saturating_mul(size).min(matching.len());
    let last = first.saturating_add(size).min(matching.len());
    Ok(ok(p, |o| {
        o.num("Total", matching.len() as i64);
        o.arr("ListTemplate", |a| {
            for t in &matching[first..last] {
                render::template_item(a, t);
            }
        });
    }))
}

pub(super) fn template_detail(w: &World, who: &Principal, p: &Prepared) -> Handled {
    let (_, waba) = space_waba(w, who, p)?;
    let language = required(p, "Language")?;
    let code = p.params.non_empty("TemplateCode");
    let name = p.params.non_empty("TemplateName");
    let whatsapp = whatsapp_type(p)?;
    let t = w.wabas[&waba]
        .templates
        .iter()
        .filter_map(|id| w.templates.get(id))
        .filter(|_| whatsapp)
        .filter(|t| t.counts_against_limit() && *t.language == *language)
        .find(|t| match code {
            Some(c) => render::template_code(t.id) == c,
            None => name.is_some_and(|n| t.name == n),
        })
        .ok_or(DomainError::TemplateNotFound)?;
    let input = model::of(w).template_inputs.get(&t.id);
    Ok(ok(p, |o| render::template_detail(o, t, input)))
}

pub(super) fn create_template(w: &mut World, who: &Principal, p: &Prepared) -> Handled {
    let (_, waba) = space_waba(w, who, p)?;
    if !whatsapp_type(p)? {
        return Err(
            DomainError::param("TemplateType", "Only WHATSAPP templates are simulated.").into(),
        );
    }
    let name = required(p, "Name")?.to_string();
    let language = required(p, "Language")?.to_string();
    let category = p
        .params
        .non_empty("Category")
        .and_then(Category::parse)
        .ok_or_else(|| {
            DomainError::param(
                "Category",
                "A WhatsApp template needs a Category: UTILITY, MARKETING or AUTHENTICATION.",
            )
        })?;
    let alibaba: Value = serde_json::from_str(required(p, "Components")?)
        .map_err(|e| DomainError::param("Components", format!("Components is not JSON: {e}")))?;
    let components = render::components_from_alibaba(&alibaba)
        .map_err(|why| DomainError::param("Components", why))?;
    let example = match p.params.non_empty("Example") {
        None => Vec::new(),
        Some(text) => example_pairs(text).ok_or_else(|| {
            DomainError::param(
                "Example",
                "Example must be a JSON object of variable names to sample values.",
            )
        })?,
    };
    // Typed by the gateway already (`request::admit`): an ill-typed value never gets here.
    let options = TemplateOptions {
        message_send_ttl_seconds: p.params.int("MessageSendTtlSeconds").ok().flatten(),
        category_change_paused: p
            .params
            .bool("CategoryChangePaused")
            .ok()
            .flatten()
            .unwrap_or(false),
    };
    let t = w.create_template_with(
        who,
        &waba.to_string(),
        NewTemplate {
            name,
            language,
            category,
            components: Arc::from(components.to_string()),
            parameter_format: crate::world::template::ParameterFormat::Positional,
        },
        options,
    )?;
    let (id, code, name) = (t.id, render::template_code(t.id), t.name.clone());
    let input = TemplateInput {
        example,
        attributes: render::alibaba_only_attributes(&alibaba),
    };
    if input != TemplateInput::default() {
        model::of_mut(w).template_inputs.insert(id, input);
    }
    Ok(ok(p, |o| {
        o.obj("Data", |d| {
            d.str("TemplateCode", &code).str("TemplateName", &name);
        });
    }))
}

/// `Example` (a JSON object of variable names to sample values) as pairs, by name;
/// a non-string sample is kept as its JSON text, as the response model has strings only.
fn example_pairs(text: &str) -> Option<Vec<(String, String)>> {
    let Value::Object(map) = serde_json::from_str::<Value>(text).ok()? else {
        return None;
    };
    Some(
        map.into_iter()
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                (k, v)
            })
            .collect(),
    )
}
