//! `pricing_analytics` and `analytics` on the WABA node (`GET /{waba}?fields=pricing_analytics
//! .start(..).end(..).granularity(DAILY)...`), read from the world's ledger. Reference
//! messaging-and-360dialog.md, "Analytics fields" (ANALYTICS): the filter grammar, the
//! `data_points` shape, and "only numbers associated with your WABA at the time of the request"
//! (so a migrated-away number leaves the source's figures; inferred consequence,
//! docs/fidelity.md). Clients write lists quoted, bare or bracketed; all are read.

use std::collections::BTreeMap;

use super::super::prepare::Prepared;
use crate::api::json::Obj;
use crate::world::ledger::{SLOT_SECONDS, Totals};
use crate::world::message::{PricingCategory, PricingType};
use crate::world::{DomainError, Id, Waba, World};

/// One `pricing_analytics` or `analytics` field, read.
#[derive(Clone, Debug, Default)]
pub(in super::super) struct Query {
    /// `pricing_analytics` or `analytics`.
    pub name: &'static str,
    start: i64,
    end: i64,
    /// Bucket width in seconds; 0 for calendar months.
    width: i64,
    granularity: String,
    phone_numbers: Vec<String>,
    country_codes: Vec<String>,
    pricing_types: Vec<String>,
    pricing_categories: Vec<String>,
    dimensions: Vec<String>,
    metric_types: Vec<String>,
}

/// The analytics fields `fields` asks for, each checked (`(#100)` for a missing or wrong
/// modifier).
pub(in super::super) fn queries(p: &Prepared) -> Result<Vec<Query>, DomainError> {
    let Some(text) = p.params.text("fields") else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for entry in top_level(&text) {
        let entry = entry.trim();
        let name = match entry.split(['.', '{']).next().unwrap_or("") {
            "pricing_analytics" => "pricing_analytics",
            "analytics" => "analytics",
            _ => continue,
        };
        out.push(read(name, entry)?);
    }
    Ok(out)
}

/// Splits at commas outside parentheses and braces.
fn top_level(text: &str) -> Vec<&str> {
    let (mut depth, mut from, mut out) = (0i32, 0, Vec::new());
    for (i, c) in text.char_indices() {
        match c {
            '(' | '{' | '[' => depth += 1,
            ')' | '}' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&text[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[from..]);
    out
}

/// `.key(args)` modifiers of one entry.
fn modifiers(entry: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = entry;
    while let Some(dot) = rest.find('.') {
        rest = &rest[dot + 1..];
        let Some(open) = rest.find('(') else { break };
        let key = rest[..open].trim().to_string();
        let mut depth = 0;
        let mut close = None;
        for (i, c) in rest[open..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(open + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(close) = close else { break };
        out.insert(key, rest[open + 1..close].to_string());
        rest = &rest[close + 1..];
    }
    out
}

/// `[A,"B"]`, `["A"]`, `A,B`: the items, unquoted and upper-cased where they are enums.
fn list(text: &str) -> Vec<String> {
    text.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(|s| s.trim().trim_matches(['"', '\'']).to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn read(name: &'static str, entry: &str) -> Result<Query, DomainError> {
    let m = modifiers(entry);
    let number = |key: &str| -> Result<i64, DomainError> {
        m.get(key)
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| {
                DomainError::param(key, format!("{name} requires {key}(<unix seconds>)"))
            })
    };
    let (start, end) = (number("start")?, number("end")?);
    if end <= start {
        return Err(DomainError::param("end", "end must be after start"));
    }
    let granularity = m
        .get("granularity")
        .map(|g| g.trim().to_ascii_uppercase())
        .ok_or_else(|| DomainError::param("granularity", format!("{name} requires granularity")))?;
    // `analytics` writes DAY and MONTH; `pricing_analytics` DAILY and MONTHLY (ANALYTICS).
    let width = match (name, granularity.as_str()) {
        (_, "HALF_HOUR") => SLOT_SECONDS,
        ("analytics", "DAY") | ("pricing_analytics", "DAILY") => 86_400,
        ("analytics", "MONTH") | ("pricing_analytics", "MONTHLY") => 0,
        _ => {
            return Err(DomainError::param(
                "granularity",
                format!("Invalid granularity {granularity} for {name}"),
            ));
        }
    };
    let get = |key: &str| m.get(key).map(|v| list(v)).unwrap_or_default();
    let upper = |key: &str| {
        get(key)
            .into_iter()
            .map(|s| s.to_ascii_uppercase())
            .collect()
    };
    Ok(Query {
        name,
        start,
        end,
        width,
        granularity,
        phone_numbers: get("phone_numbers")
            .into_iter()
            .map(|n| n.chars().filter(char::is_ascii_digit).collect())
            .collect(),
        country_codes: upper("country_codes"),
        pricing_types: upper("pricing_types"),
        pricing_categories: upper("pricing_categories"),
        dimensions: upper("dimensions"),
        metric_types: upper("metric_types"),
    })
}

/// The start of the period `slot` falls in.
fn period(q: &Query, slot: i64) -> (i64, i64) {
    if q.width > 0 {
        let from = q.start + (slot - q.start).div_euclid(q.width) * q.width;
        return (from, from + q.width);
    }
    let days = slot.div_euclid(86_400);
    let (y, mo, _) = civil(days);
    let next = if mo == 12 { (y + 1, 1) } else { (y, mo + 1) };
    (
        days_from_civil(y, mo, 1) * 86_400,
        days_from_civil(next.0, next.1, 1) * 86_400,
    )
}

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's algorithm).
fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The numbers attached to the WABA now (live records), with their digits.
fn attached(w: &World, waba: &Waba, q: &Query) -> Vec<(Id, String)> {
    waba.phones
        .iter()
        .filter_map(|id| w.phones.get(id))
        .filter(|p| p.waba == waba.id && p.is_live())
        .map(|p| (p.id, p.e164_digits()))
        .filter(|(_, d)| q.phone_numbers.is_empty() || q.phone_numbers.contains(d))
        .collect()
}

/// One data point's grouping: period, then the asked dimensions (the tier as whether the
/// messages were charged: only those have one, ANALYTICS).
type PointKey = (
    i64,
    i64,
    Option<String>,
    Option<&'static str>,
    Option<PricingType>,
    Option<PricingCategory>,
    Option<bool>,
);

pub(in super::super) fn write(o: &mut Obj<'_>, w: &World, waba: &Waba, q: &Query) {
    let phones = attached(w, waba, q);
    if q.name == "analytics" {
        return write_messaging(o, w, waba, q, &phones);
    }
    let has = |d: &str| q.dimensions.iter().any(|x| x == d);
    let mut points: BTreeMap<PointKey, Totals> = BTreeMap::new();
    for (k, t) in w.messaging.ledger.days.range(..) {
        let Some((_, digits)) = phones.iter().find(|(id, _)| *id == k.phone) else {
            continue;
        };
        let in_range = k.waba == waba.id && k.slot >= q.start && k.slot < q.end;
        let wanted = (q.country_codes.is_empty()
            || q.country_codes.iter().any(|c| c == k.country.0))
            && (q.pricing_types.is_empty()
                || q.pricing_types.iter().any(|c| c == k.kind.analytics()))
            && (q.pricing_categories.is_empty()
                || q.pricing_categories
                    .iter()
                    .any(|c| c == k.category.analytics()));
        if !in_range || !wanted {
            continue;
        }
        let (from, to) = period(q, k.slot);
        let key = (
            from,
            to,
            has("PHONE").then(|| digits.clone()),
            has("COUNTRY").then_some(k.country.0),
            has("PRICING_TYPE").then_some(k.kind),
            has("PRICING_CATEGORY").then_some(k.category),
            has("TIER").then_some(k.kind == PricingType::Regular),
        );
        let e = points.entry(key).or_default();
        e.volume += t.volume;
        e.cost_micros += t.cost_micros;
    }
    let cost = q.metric_types.is_empty() || q.metric_types.iter().any(|m| m == "COST");
    let volume = q.metric_types.is_empty() || q.metric_types.iter().any(|m| m == "VOLUME");
    o.obj("pricing_analytics", |pa| {
        pa.arr("data", |a| {
            a.obj(|d| {
                d.arr("data_points", |a| {
                    for ((from, to, phone, country, kind, category, tier), t) in &points {
                        a.obj(|p| {
                            p.num("start", *from).num("end", *to);
                            if let Some(c) = country {
                                p.str("country", c);
                            }
                            if let Some(ph) = phone {
                                p.str("phone_number", ph);
                            }
                            // The tier is written for charged messages only (ANALYTICS).
                            if *tier == Some(true) {
                                p.str("tier", "0:MAX");
                            }
                            if let Some(k) = kind {
                                p.str("pricing_type", k.analytics());
                            }
                            if let Some(c) = category {
                                p.str("pricing_category", c.analytics());
                            }
                            if volume {
                                p.num("volume", t.volume as i64);
                            }
                            if cost {
                                p.raw("cost", &format_cost(t.cost_micros));
                            }
                        });
                    }
                });
            });
        });
    });
}

/// A cost in the currency's units, as a JSON number without float noise.
fn format_cost(micros: i64) -> String {
    let units = micros / 1_000_000;
    let frac = (micros % 1_000_000).abs();
    if frac == 0 {
        return units.to_string();
    }
    let text = format!("{units}.{frac:06}");
    text.trim_end_matches('0').to_string()
}

/// `analytics`: sent and delivered by period, for the attached numbers.
fn write_messaging(o: &mut Obj<'_>, w: &World, waba: &Waba, q: &Query, phones: &[(Id, String)]) {
    let ledger = &w.messaging.ledger;
    let mut points: BTreeMap<(i64, i64), (u64, u64)> = BTreeMap::new();
    for (&(wid, phone, slot), n) in &ledger.sent {
        if wid == waba.id
            && slot >= q.start
            && slot < q.end
            && phones.iter().any(|(id, _)| *id == phone)
        {
            points.entry(period(q, slot)).or_default().0 += n;
        }
    }
    for (k, t) in &ledger.days {
        if k.waba == waba.id
            && k.slot >= q.start
            && k.slot < q.end
            && phones.iter().any(|(id, _)| *id == k.phone)
        {
            points.entry(period(q, k.slot)).or_default().1 += t.volume;
        }
    }
    o.obj("analytics", |a| {
        a.arr("phone_numbers", |l| {
            for (_, digits) in phones {
                l.str(digits);
            }
        });
        a.str("granularity", &q.granularity);
        a.arr("data_points", |l| {
            for ((from, to), (sent, delivered)) in &points {
                l.obj(|p| {
                    p.num("start", *from)
                        .num("end", *to)
                        .num("sent", *sent as i64)
                        .num("delivered", *delivered as i64);
                });
            }
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modifiers_and_lists_are_read_in_every_form() {
        let m = modifiers(
            r#"pricing_analytics.start(1).end(2).granularity(DAILY).dimensions(PRICING_CATEGORY,PRICING_TYPE).phone_numbers(["15550100001"])"#,
        );
        assert_eq!(m["start"], "1");
        assert_eq!(list(&m["dimensions"]), ["PRICING_CATEGORY", "PRICING_TYPE"]);
        assert_eq!(list(&m["phone_numbers"]), ["15550100001"]);
        assert_eq!(list("[US,'IN']"), ["US", "IN"]);
        assert_eq!(top_level("id,pricing_analytics.x(a,b),name").len(), 3);
    }

    #[test]
    fn months_and_costs() {
        // 2026-01-15 → January 2026.
        let q = Query {
            width: 0,
            ..Query::default()
        };
        assert_eq!(period(&q, 1_768_435_200), (1_767_225_600, 1_769_904_000));
        assert_eq!(format_cost(25_000), "0.025");
        assert_eq!(format_cost(2_000_000), "2");
    }
}
