//! Partial JSON matching for `expect.json`, and the readable explanation of a mismatch: the
//! paths that differ, and a diff of the expected JSON against the actual JSON cut down to the
//! keys the expectation names.

use serde_json::Value;

/// Matches any value that is present.
pub const ANY: &str = "<any>";

/// Keys shown for every item of an actual array whose length differs from the expected one.
const IDENTIFYING: &[&str] = &["id", "name", "language", "display_phone_number"];

/// Every path where `actual` does not match `expected`, with what differs.
pub fn mismatches(expected: &Value, actual: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(expected, actual, "$", &mut out);
    out
}

fn walk(expected: &Value, actual: &Value, path: &str, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::String(s), _) if s == ANY => {}
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let p = format!("{path}.{k}");
                match a.get(k) {
                    Some(av) => walk(ev, av, &p, out),
                    None => out.push(format!("{p}: missing (expected {ev})")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                out.push(format!(
                    "{path}: expected {} items, got {}",
                    e.len(),
                    a.len()
                ));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                walk(ev, av, &format!("{path}[{i}]"), out);
            }
        }
        (Value::Number(e), Value::Number(a)) if e.as_f64() == a.as_f64() => {}
        (e, a) if e == a => {}
        (e, a) => out.push(format!("{path}: expected {e}, got {a}")),
    }
}

/// `actual` with only the keys `expected` names (so a diff shows what matters).
fn project(expected: &Value, actual: &Value) -> Value {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => Value::Object(
            e.keys()
                .filter_map(|k| a.get(k).map(|av| (k.clone(), project(&e[k.as_str()], av))))
                .collect(),
        ),
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            Value::Array(a.iter().zip(e).map(|(av, ev)| project(ev, av)).collect())
        }
        // The items do not line up: show every actual item with the keys any expected item
        // names, and the keys that tell items apart, so the reader sees which is which.
        (Value::Array(e), Value::Array(a)) => {
            let mut keys: Vec<&str> = IDENTIFYING.to_vec();
            for ev in e {
                if let Value::Object(o) = ev {
                    keys.extend(o.keys().map(String::as_str));
                }
            }
            Value::Array(
                a.iter()
                    .map(|av| match av {
                        Value::Object(o) => Value::Object(
                            o.iter()
                                .filter(|(k, _)| keys.contains(&k.as_str()))
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect(),
                        ),
                        other => other.clone(),
                    })
                    .collect(),
            )
        }
        (Value::String(s), a) if s == ANY => a.clone(),
        (_, a) => a.clone(),
    }
}

/// A unified diff of the expected JSON against the relevant part of the actual JSON.
pub fn diff(expected: &Value, actual: &Value) -> String {
    let e = serde_json::to_string_pretty(expected).unwrap_or_default() + "\n";
    let a = serde_json::to_string_pretty(&project(expected, actual)).unwrap_or_default() + "\n";
    similar::TextDiff::from_lines(&e, &a)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string()
}

/// Follows a capture path (`id`, `data.0.id`, `codes.-1.code`) into a JSON value.
pub fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    let mut here = value;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        here = match here {
            Value::Object(o) => o.get(part)?,
            Value::Array(a) => {
                let i: i64 = part.parse().ok()?;
                let i = if i < 0 { a.len() as i64 + i } else { i };
                a.get(usize::try_from(i).ok()?)?
            }
            _ => return None,
        };
    }
    Some(here)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn partial_objects_match_and_arrays_need_their_length() {
        let actual = json!({"error": {"code": 100, "error_subcode": 2388103, "message": "x"}, "list": [1, 2]});
        assert!(mismatches(&json!({"error": {"code": 100}}), &actual).is_empty());
        assert!(mismatches(&json!({"error": {"message": "<any>"}}), &actual).is_empty());
        let m = mismatches(
            &json!({"error": {"error_subcode": 2388012}, "list": [1]}),
            &actual,
        );
        assert_eq!(
            m,
            [
                "$.error.error_subcode: expected 2388012, got 2388103",
                "$.list: expected 1 items, got 2"
            ]
        );
        assert_eq!(
            mismatches(&json!({"gone": true}), &actual),
            ["$.gone: missing (expected true)"]
        );
    }

    #[test]
    fn the_diff_shows_only_the_named_keys() {
        let d = diff(
            &json!({"error": {"code": 136025}}),
            &json!({"error": {"code": 136024, "message": "long text"}}),
        );
        assert!(d.contains("-    \"code\": 136025"), "{d}");
        assert!(d.contains("+    \"code\": 136024"), "{d}");
        assert!(!d.contains("long text"), "{d}");
    }

    #[test]
    fn a_length_mismatch_shows_which_items_came() {
        let d = diff(
            &json!({"data": [{"status": "APPROVED"}]}),
            &json!({"data": [
                {"id": "1", "name": "a", "status": "APPROVED", "components": []},
                {"id": "2", "name": "b", "status": "PENDING", "components": []}
            ]}),
        );
        assert!(d.contains("+      \"id\": \"2\""), "{d}");
        assert!(d.contains("\"name\": \"b\""), "{d}");
        assert!(d.contains("\"status\": \"PENDING\""), "{d}");
        assert!(!d.contains("components"), "{d}");
    }

    #[test]
    fn lookup_follows_keys_and_indexes() {
        let v = json!({"codes": [{"code": "1"}, {"code": "2"}]});
        assert_eq!(lookup(&v, "codes.-1.code"), Some(&json!("2")));
        assert_eq!(lookup(&v, "codes.0.code"), Some(&json!("1")));
        assert_eq!(lookup(&v, "codes.5"), None);
    }
}
