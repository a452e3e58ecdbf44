//! The Partner API's list convention (clients-and-360dialog.md §2.2, 360dialog reference
//! §1.5): `filters` (a JSON object of dotted keys), `limit`, `offset`, `sort` (a JSON array or
//! a comma list of dotted keys, `-` for descending), answered as `{count, filters, limit,
//! offset, sort, total, <items>}`. Items are rendered first, then filtered and sorted on the
//! rendered values, so a filter key means exactly the field of the same path.

use serde_json::{Map, Value, json};

use super::errors::D360Error;
use super::{Prepared, query_param};

/// Largest page (a bound; the default page is [`DEFAULT_LIMIT`]).
pub const MAX_LIMIT: usize = 1000;
pub const DEFAULT_LIMIT: usize = 1000;

/// A list request's parameters.
pub struct ListParams {
    pub filters: Map<String, Value>,
    pub limit: usize,
    pub offset: usize,
    pub sort: Vec<String>,
}

/// Reads `filters`, `limit`, `offset`, `sort`; a filter or sort key outside `keys` is a
/// "Wrong payload" (400), as is `filters` that is not a JSON object.
pub fn params(p: &Prepared, keys: &[&str], default_sort: &str) -> Result<ListParams, D360Error> {
    let filters = match query_param(p, "filters") {
        None => Map::new(),
        Some(text) if text.trim().is_empty() => Map::new(),
        Some(text) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err(D360Error::wrong_payload("filters must be a JSON object")),
            Err(e) => {
                return Err(D360Error::wrong_payload(format!(
                    "filters: invalid JSON: {e}"
                )));
            }
        },
    };
    if let Some(k) = filters.keys().find(|k| !keys.contains(&k.as_str())) {
        return Err(D360Error::wrong_payload(format!(
            "filters: unknown key {k:?} (known: {})",
            keys.join(", ")
        )));
    }
    let number = |name: &str, default: usize| -> Result<usize, D360Error> {
        match query_param(p, name) {
            None => Ok(default),
            Some(t) => t.trim().parse::<usize>().map_err(|_| {
                D360Error::wrong_payload(format!("{name} must be a non-negative integer"))
            }),
        }
    };
    let limit = number("limit", DEFAULT_LIMIT)?;
    if limit == 0 || limit > MAX_LIMIT {
        return Err(D360Error::wrong_payload(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let offset = number("offset", 0)?;
    let sort = match query_param(p, "sort") {
        None => vec![default_sort.to_string()],
        Some(text) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| D360Error::wrong_payload("sort must list field names"))?,
            _ => text
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        },
    };
    if let Some(k) = sort
        .iter()
        .find(|k| !keys.contains(&k.trim_start_matches('-')))
    {
        return Err(D360Error::wrong_payload(format!("sort: unknown key {k:?}")));
    }
    Ok(ListParams {
        filters,
        limit,
        offset,
        sort,
    })
}

/// The value at a dotted path of a rendered item (`setup_info.phone_number`); `alias` maps
/// a documented key to where this facade renders it (`business_templates.name` → `name`).
fn at<'v>(item: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(item, |v, k| v.get(k))
}

fn matches(item: &Value, key: &str, want: &Value, alias: fn(&str) -> &str) -> bool {
    let got = at(item, alias(key)).unwrap_or(&Value::Null);
    let same = |w: &Value| match (got, w) {
        (Value::String(g), Value::String(w)) => g == w,
        (Value::Bool(g), Value::String(w)) | (Value::String(w), Value::Bool(g)) => {
            w == if *g { "true" } else { "false" }
        }
        (g, w) => g == w,
    };
    match want {
        Value::Array(any) => any.iter().any(same),
        w => same(w),
    }
}

fn order(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
        _ => {
            let text = |v: &Value| match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            text(a).cmp(&text(b))
        }
    }
}

/// Filters, sorts and pages `items`, answering the list envelope under `key`.
pub fn page(mut items: Vec<Value>, lp: &ListParams, key: &str, alias: fn(&str) -> &str) -> Value {
    items.retain(|item| lp.filters.iter().all(|(k, w)| matches(item, k, w, alias)));
    items.sort_by(|a, b| {
        for s in &lp.sort {
            let (desc, k) = match s.strip_prefix('-') {
                Some(k) => (true, k),
                None => (false, s.as_str()),
            };
            let k = alias(k);
            let o = order(
                at(a, k).unwrap_or(&Value::Null),
                at(b, k).unwrap_or(&Value::Null),
            );
            let o = if desc { o.reverse() } else { o };
            if o.is_ne() {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    });
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(lp.offset).take(lp.limit).collect();
    let mut out = json!({
        "count": page.len(),
        "filters": lp.filters,
        "limit": lp.limit,
        "offset": lp.offset,
        "sort": lp.sort,
        "total": total,
    });
    out[key] = Value::Array(page);
    out
}

/// No aliases.
pub fn same(k: &str) -> &str {
    k
}
