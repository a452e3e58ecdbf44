//! What a client could branch on, recorded answer against wabasim's: the status; the error's
//! code, subcode, type and message (Graph's `error`, Alibaba's `Code`/`Message`, 360dialog's
//! `meta`); the set of JSON keys and their types at every depth; the header names. Ids, trace
//! ids and times are compared by type only, and digits runs in messages are normalised, so
//! two worlds that differ only in ids compare equal.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

/// One difference between the recorded answer and wabasim's.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Difference {
    /// `status`, `value`, `missing`, `extra`, `type`, `body`, `header-missing`, `header-extra`.
    pub kind: &'static str,
    /// Where: a JSON path (`error.code`, `data[].id`) or a header name; empty for the status.
    pub path: String,
    pub recorded: String,
    pub wabasim: String,
}

impl Difference {
    fn new(
        kind: &'static str,
        path: &str,
        recorded: impl ToString,
        wabasim: impl ToString,
    ) -> Self {
        Difference {
            kind,
            path: path.to_string(),
            recorded: recorded.to_string(),
            wabasim: wabasim.to_string(),
        }
    }

    /// The difference's stable name within an exchange (what `--accept` lists).
    pub fn name(&self) -> String {
        if self.path.is_empty() {
            self.kind.to_string()
        } else {
            format!("{} {}", self.kind, self.path)
        }
    }
}

/// Headers every server sets its own way, or that belong to the connection: not compared.
const HEADERS_NOT_COMPARED: &[&str] = &[
    "date",
    "content-length",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "server",
    "alt-svc",
    "via",
    "proxy-status",
    "priority",
    "x-fb-connection-quality",
    "x-wabasim-namespace",
];

/// Leaves whose values (not only types) a client branches on.
const VALUE_PATHS: &[&str] = &[
    "error.code",
    "error.error_subcode",
    "error.type",
    "error.message",
    "error.error_user_title",
    "error.error_user_msg",
    "error.is_transient",
    "success",
    "Code",
    "Message",
    "Success",
    "meta.success",
    "meta.http_code",
    "meta.developer_message",
];

pub struct Answer<'a> {
    pub status: u16,
    pub header_names: BTreeSet<String>,
    pub body: &'a [u8],
}

impl<'a> Answer<'a> {
    pub fn new<'h>(status: u16, headers: impl Iterator<Item = &'h str>, body: &'a [u8]) -> Self {
        Answer {
            status,
            header_names: headers
                .map(|h| h.to_ascii_lowercase())
                .filter(|h| !HEADERS_NOT_COMPARED.contains(&h.as_str()))
                .collect(),
            body,
        }
    }
}

pub fn compare(recorded: &Answer, wabasim: &Answer) -> Vec<Difference> {
    let mut out = Vec::new();
    if recorded.status != wabasim.status {
        out.push(Difference::new(
            "status",
            "",
            recorded.status,
            wabasim.status,
        ));
    }
    for name in recorded.header_names.difference(&wabasim.header_names) {
        out.push(Difference::new("header-missing", name, "present", "absent"));
    }
    for name in wabasim.header_names.difference(&recorded.header_names) {
        out.push(Difference::new("header-extra", name, "absent", "present"));
    }
    let parsed = (
        serde_json::from_slice::<Value>(recorded.body),
        serde_json::from_slice::<Value>(wabasim.body),
    );
    match parsed {
        (Ok(r), Ok(w)) => compare_json(&r, &w, &mut out),
        (Err(_), Err(_)) => {}
        (Ok(_), Err(_)) => out.push(Difference::new("body", "", "JSON", "not JSON")),
        (Err(_), Ok(_)) => out.push(Difference::new("body", "", "not JSON", "JSON")),
    }
    out
}

fn compare_json(recorded: &Value, wabasim: &Value, out: &mut Vec<Difference>) {
    let (mut r, mut w) = (Shape::default(), Shape::default());
    r.walk("", recorded);
    w.walk("", wabasim);
    // Below an array that is empty on one side, the other side's element keys say nothing.
    let empty: Vec<&String> = r.empty_arrays.iter().chain(&w.empty_arrays).collect();
    let under_empty = |path: &str| {
        empty.iter().any(|e| {
            path.len() > e.len()
                && path.starts_with(e.as_str())
                && path[e.len()..].starts_with("[]")
        })
    };
    // A key missing (or extra) with everything below it is one difference, not one per key.
    let below = |path: &str, parent: &Option<String>| {
        parent.as_ref().is_some_and(|p| {
            path.starts_with(p.as_str())
                && matches!(path.as_bytes().get(p.len()), Some(b'.' | b'['))
        })
    };
    let mut gone: Option<String> = None;
    for (path, ty) in &r.types {
        match w.types.get(path) {
            None if below(path, &gone) => {}
            None if !under_empty(path) => {
                gone = Some(path.clone());
                out.push(Difference::new("missing", path, ty, "absent"))
            }
            Some(wty) if wty != ty && !(ty == &"null" || wty == &"null") => {
                out.push(Difference::new("type", path, ty, wty))
            }
            _ => {}
        }
    }
    let mut added: Option<String> = None;
    for (path, ty) in &w.types {
        if !r.types.contains_key(path) && !under_empty(path) && !below(path, &added) {
            added = Some(path.clone());
            out.push(Difference::new("extra", path, "absent", ty));
        }
    }
    for (path, value) in &r.values {
        if let Some(wv) = w.values.get(path)
            && wv != value
        {
            out.push(Difference::new("value", path, value, wv));
        }
    }
}

#[derive(Default)]
struct Shape {
    types: BTreeMap<String, &'static str>,
    values: BTreeMap<String, String>,
    empty_arrays: Vec<String>,
}

impl Shape {
    fn walk(&mut self, path: &str, value: &Value) {
        if !path.is_empty() {
            self.types.insert(path.to_string(), type_name(value));
            if VALUE_PATHS.contains(&path) {
                self.values.insert(path.to_string(), normalised(value));
            }
        }
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let child = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    self.walk(&child, v);
                }
            }
            Value::Array(items) if items.is_empty() => self.empty_arrays.push(path.to_string()),
            Value::Array(items) => {
                let child = format!("{path}[]");
                for v in items {
                    self.walk(&child, v);
                }
            }
            _ => {}
        }
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A value as compared: strings with every run of 6 or more digits (ids, phone numbers,
/// timestamps) replaced by `<n>`, and the request ids Alibaba puts in messages dropped.
fn normalised(v: &Value) -> String {
    match v {
        Value::String(s) => {
            let mut out = String::with_capacity(s.len());
            let mut digits = String::new();
            for c in s.chars().chain(std::iter::once('\0')) {
                if c.is_ascii_digit() {
                    digits.push(c);
                    continue;
                }
                if digits.len() >= 6 {
                    out.push_str("<n>");
                } else {
                    out.push_str(&digits);
                }
                digits.clear();
                if c != '\0' {
                    out.push(c);
                }
            }
            out
        }
        other => other.to_string(),
    }
}

/// A request path with its ids replaced (`/v23.0/{id}/register`): how an exchange is named
/// in `--accept` files, so that one accepted difference holds for every id.
pub fn path_pattern(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            if seg.len() >= 6 && seg.bytes().all(|b| b.is_ascii_digit()) {
                "{id}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(r: &str, w: &str) -> Vec<String> {
        let a = Answer::new(200, std::iter::empty(), r.as_bytes());
        let b = Answer::new(200, std::iter::empty(), w.as_bytes());
        compare(&a, &b).iter().map(|d| d.name()).collect()
    }

    #[test]
    fn ids_and_trace_ids_differ_without_a_difference() {
        assert!(diff(
            r#"{"error":{"code":100,"message":"Object with ID '123456789' does not exist","fbtrace_id":"AbC"}}"#,
            r#"{"error":{"code":100,"message":"Object with ID '987654321' does not exist","fbtrace_id":"XyZ"}}"#
        )
        .is_empty());
    }

    #[test]
    fn a_changed_code_a_missing_key_and_a_changed_type_are_each_reported_once() {
        let d = diff(
            r#"{"error":{"code":100,"error_subcode":2388103,"type":"OAuthException"},"data":[{"id":"1"},{"id":"2"}]}"#,
            r#"{"error":{"code":131000,"type":"OAuthException"},"data":[{"id":1}]}"#,
        );
        assert_eq!(
            d,
            vec![
                "type data[].id",
                "missing error.error_subcode",
                "value error.code"
            ]
        );
    }

    #[test]
    fn a_missing_object_is_one_difference() {
        assert_eq!(
            diff(
                r#"{"error":{"code":1,"error_data":{"details":"x"}}}"#,
                r#"{"success":true}"#
            ),
            vec!["missing error", "extra success"]
        );
    }

    #[test]
    fn an_empty_list_on_one_side_hides_no_difference_of_its_elements() {
        assert!(diff(r#"{"data":[]}"#, r#"{"data":[{"id":"1"}]}"#).is_empty());
    }

    #[test]
    fn status_headers_and_paths() {
        let a = Answer::new(200, ["X-FB-Rev", "Date"].into_iter(), b"{}");
        let b = Answer::new(400, ["x-fb-trace-id"].into_iter(), b"{}");
        let names: Vec<String> = compare(&a, &b).iter().map(|d| d.name()).collect();
        assert_eq!(
            names,
            [
                "status",
                "header-missing x-fb-rev",
                "header-extra x-fb-trace-id"
            ]
        );
        assert_eq!(
            path_pattern("/v23.0/110000000000001/register"),
            "/v23.0/{id}/register"
        );
    }
}
