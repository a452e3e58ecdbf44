//! The request journal: what each namespace was asked, in a bounded ring.
//!
//! Every request that reached a vendor facade (Graph, Alibaba ChatApp) is recorded once, by
//! `server::handle`, when it ends: with its answer, or with status 499 ([`CLIENT_CLOSED`])
//! when its client went away first, or 500 ([`PANICKED`]) when wabasim failed on it. The control API's own requests are not
//! recorded: they would drown the record a test reads and change the counts while it reads
//! them.
//!
//! Cost per request is kept small on purpose (a benchmark measures throughput against bare
//! hyper): an entry is a small struct holding the strings the server already owned (path,
//! query, the answer's error and fault), a copy of the body (a slice of hyper's buffer would
//! keep the whole buffer alive) and `&'static str`s for facade and operation. Nothing is parsed, redacted or rendered when a request is recorded;
//! that happens when the journal is read ([`Entry::render`]).
//!
//! The ring is bounded ([`DEFAULT_CAPACITY`] per namespace, `--journal-size`): WireMock's
//! unbounded journal runs servers out of memory under load (anchors.md §1.3). Bodies longer
//! than [`BODY_KEPT`] are kept truncated, so one namespace's journal holds at most
//! `capacity × (BODY_KEPT + a few hundred bytes)`.
//!
//! Secrets are redacted when rendered, by parameter name, at any depth of a JSON body:
//! [`REDACTED_PARAMS`]. Verification codes are NOT redacted: they are one-time, already listed
//! by `GET /__admin/codes`, and "which code did my client send" is a common assertion.

use std::collections::VecDeque;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};
use parking_lot::Mutex;
use serde_json::{Map, Value, json};

use crate::api::Incoming;
use crate::api::params::{Param, Params};
use crate::clock::Timestamp;

/// Entries a namespace keeps by default (`--journal-size`).
pub const DEFAULT_CAPACITY: usize = 10_000;

/// The operation of a request answered before its facade classified it: its body was too
/// large or too slow, its namespace header was refused, or it panicked before.
pub const UNCLASSIFIED: &str = "unclassified";
/// The operation of a request no route of its facade matched.
pub const UNMATCHED: &str = "unmatched";
/// The status recorded for a request whose client went away before the answer (nginx's 499,
/// "client closed request"; never sent).
pub const CLIENT_CLOSED_STATUS: u16 = 499;
/// The error recorded with [`CLIENT_CLOSED_STATUS`].
pub const CLIENT_CLOSED: &str = "client_closed";
/// The error recorded for a request wabasim failed on (a panic; answered 500).
pub const PANICKED: &str = "wabasim_panic";

/// The facades the journal records.
pub const FACADES: &[&str] = &["graph", "cams"];

/// Whether `name` is an operation some journal entry can carry.
fn known_operation(name: &str) -> bool {
    name == UNMATCHED
        || name == UNCLASSIFIED
        || crate::api::graph::Op::NAMES.contains(&name)
        || crate::api::cams::Op::NAMES.contains(&name)
}

/// Checks a filter's `operation` value, naming the valid ones when it is none of them.
pub fn check_operation(name: &str) -> Result<(), String> {
    if known_operation(name) {
        return Ok(());
    }
    Err(format!(
        "unknown operation {name:?}; Graph operations: {}; Alibaba actions: {}; and {UNMATCHED}, {UNCLASSIFIED}",
        crate::api::graph::Op::NAMES.join(", "),
        crate::api::cams::Op::NAMES.join(", ")
    ))
}

/// Checks a filter's `facade` value.
pub fn check_facade(name: &str) -> Result<(), String> {
    if FACADES.contains(&name) {
        return Ok(());
    }
    Err(format!(
        "unknown facade {name:?}; the journal records {} (control-API calls are not recorded)",
        FACADES.join(", ")
    ))
}

/// Body bytes kept per entry; longer bodies are kept truncated (and parsed no further).
pub const BODY_KEPT: usize = 16 * 1024;

/// Parameter names whose values are replaced by `[redacted]` (compared without case): Graph
/// tokens and two-step PINs, the register call's backup password, app secrets and proofs, and
/// Alibaba's signature and key secret.
pub const REDACTED_PARAMS: &[&str] = &[
    "access_token",
    "pin",
    "password",
    "client_secret",
    "app_secret",
    "appsecret_proof",
    "signature",
    "accesskeysecret",
];

const REDACTED: &str = "[redacted]";

/// One recorded request and its answer.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Position in the namespace's journal, from 1, never reused (until a reset).
    pub seq: u64,
    /// The world's time when the request arrived.
    pub at: Timestamp,
    pub method: Method,
    pub path: String,
    pub query: String,
    pub content_type: Option<HeaderValue>,
    /// The body, cut at [`BODY_KEPT`] bytes.
    pub body: Bytes,
    /// The body's real length.
    pub body_len: usize,
    /// Whether an `Authorization` header was sent (its value is never kept).
    pub authorization: bool,
    pub facade: &'static str,
    /// The facade's operation name, or `unmatched`.
    pub operation: &'static str,
    pub status: u16,
    /// The vendor error code the answer carried (`100/2388103`).
    pub error: Option<String>,
    /// The scripted fault that shaped the answer.
    pub fault: Option<String>,
    /// Time spent answering, in microseconds (real time).
    pub micros: u64,
}

impl Entry {
    /// Builds an entry from a request the server owns, taking its path and query strings
    /// without copying. The body and the content type are copied: hyper hands them out as
    /// slices of its read buffer, and keeping a slice would keep the whole buffer (8 KiB and
    /// more) alive for as long as the entry stays in the ring.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        at: Timestamp,
        req: Incoming,
        facade: &'static str,
        operation: &'static str,
        status: u16,
        error: Option<String>,
        fault: Option<String>,
        micros: u64,
    ) -> Entry {
        let body_len = req.body.len();
        let body = Bytes::copy_from_slice(&req.body[..body_len.min(BODY_KEPT)]);
        let mut headers = req.headers;
        let content_type = headers
            .remove(http::header::CONTENT_TYPE)
            .and_then(|ct| HeaderValue::from_bytes(ct.as_bytes()).ok());
        Entry {
            seq: 0,
            at,
            method: req.method,
            path: req.path,
            query: req.query,
            content_type,
            body,
            body_len,
            authorization: headers.contains_key(http::header::AUTHORIZATION),
            facade,
            operation,
            status,
            error,
            fault,
            micros,
        }
    }

    /// Whether the facade found no operation for this request.
    pub fn is_unmatched(&self) -> bool {
        self.operation == UNMATCHED
    }

    /// The request's parameters (query and body merged, secrets redacted).
    pub async fn params(&self) -> Result<Value, String> {
        if self.body_len > BODY_KEPT {
            let mut query = Params::from_query(&self.query);
            let _ = query.take("access_token");
            let mut out = params_json(&query);
            out.insert("__body_truncated".into(), json!(self.body_len));
            return Ok(Value::Object(out));
        }
        let mut headers = HeaderMap::new();
        if let Some(ct) = &self.content_type {
            headers.insert(http::header::CONTENT_TYPE, ct.clone());
        }
        let incoming = Incoming {
            method: self.method.clone(),
            path: String::new(),
            query: self.query.clone(),
            headers,
            body: self.body.clone(),
        };
        match Params::from_request(&incoming).await {
            Ok(p) => Ok(Value::Object(params_json(&p))),
            Err(e) => Err(e.to_string()),
        }
    }

    /// The entry as the control API shows it.
    pub async fn render(&self, namespace: &str) -> Value {
        let mut o = Map::new();
        o.insert("id".into(), json!(self.seq));
        o.insert("namespace".into(), json!(namespace));
        o.insert("at".into(), json!(self.at.rfc3339()));
        o.insert("at_unix_ms".into(), json!(self.at.0));
        o.insert("method".into(), json!(self.method.as_str()));
        o.insert("path".into(), json!(self.path));
        o.insert("facade".into(), json!(self.facade));
        o.insert("operation".into(), json!(self.operation));
        match self.params().await {
            Ok(p) => {
                o.insert("params".into(), p);
            }
            Err(e) => {
                o.insert(
                    "params".into(),
                    Value::Object(params_json(&Params::from_query(&self.query))),
                );
                o.insert("params_error".into(), json!(e));
            }
        }
        if self.authorization {
            o.insert("authorization".into(), json!(REDACTED));
        }
        o.insert("status".into(), json!(self.status));
        o.insert("error".into(), json!(self.error));
        o.insert("fault".into(), json!(self.fault));
        o.insert("duration_us".into(), json!(self.micros));
        Value::Object(o)
    }

    /// Heap bytes this entry holds (for the memory figure in the journal's tests and stats):
    /// what its strings and copied bytes take, plus the allocator's bookkeeping for each
    /// allocation (the live heap a real server shows, `tests/journal_memory.rs`).
    pub fn heap_bytes(&self) -> usize {
        // A small allocation costs its size rounded up, plus a header: 16 bytes is typical.
        const PER_ALLOCATION: usize = 16;
        let held = |len: usize| if len == 0 { 0 } else { len + PER_ALLOCATION };
        held(self.path.capacity())
            + held(self.query.capacity())
            + held(self.body.len())
            // `Bytes::copy_from_slice` allocates the bytes and a shared header.
            + if self.body.is_empty() { 0 } else { 32 }
            + self.content_type.as_ref().map_or(0, |c| held(c.len()) + 32)
            + self.error.as_ref().map_or(0, |e| held(e.capacity()))
            + self.fault.as_ref().map_or(0, |f| held(f.capacity()))
    }
}

fn params_json(p: &Params) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in p.entries() {
        let value = if is_secret(k) {
            json!(REDACTED)
        } else {
            match v {
                Param::Text(s) => redact_text(s),
                Param::Json(v) => redact(v.clone()),
            }
        };
        out.insert(k.clone(), value);
    }
    out
}

fn is_secret(key: &str) -> bool {
    REDACTED_PARAMS.iter().any(|s| s.eq_ignore_ascii_case(key))
}

/// A text value as shown: unchanged, unless it is JSON carrying a secret (a form-encoded
/// `backup={"password": ...}`, as Graph reads it), which is shown re-serialised with the
/// secret redacted.
fn redact_text(text: &str) -> Value {
    let t = text.trim_start();
    if (t.starts_with('{') || t.starts_with('['))
        && let Ok(parsed) = serde_json::from_str::<Value>(text)
    {
        let redacted = redact(parsed.clone());
        if redacted != parsed {
            return Value::String(redacted.to_string());
        }
    }
    Value::String(text.to_string())
}

/// Redacts secret keys at any depth of a JSON value (and inside strings that are JSON).
fn redact(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = if is_secret(&k) {
                        json!(REDACTED)
                    } else {
                        redact(v)
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(redact).collect()),
        Value::String(text) => redact_text(&text),
        other => other,
    }
}

/// A namespace's journal.
pub struct Journal {
    capacity: usize,
    ring: Mutex<Ring>,
}

#[derive(Default)]
struct Ring {
    entries: VecDeque<Entry>,
    next_seq: u64,
    /// Entries pushed out of the ring since the last reset.
    dropped: u64,
}

impl Journal {
    pub fn new(capacity: usize) -> Journal {
        Journal {
            capacity: capacity.max(1),
            ring: Mutex::new(Ring::default()),
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Records an entry, pushing out the oldest when full. Returns its sequence number.
    pub fn record(&self, mut entry: Entry) -> u64 {
        let mut ring = self.ring.lock();
        ring.next_seq += 1;
        entry.seq = ring.next_seq;
        if ring.entries.len() >= self.capacity {
            ring.entries.pop_front();
            ring.dropped += 1;
        }
        ring.entries.push_back(entry);
        ring.next_seq
    }

    /// Entries that pass `filter`, oldest first.
    pub fn matching(&self, filter: &RequestFilter) -> Vec<Entry> {
        self.ring
            .lock()
            .entries
            .iter()
            .filter(|e| filter.matches(e))
            .cloned()
            .collect()
    }

    /// The newest `limit` entries that pass `filter`, oldest first: only those are copied.
    pub fn newest_matching(&self, filter: &RequestFilter, limit: usize) -> Vec<Entry> {
        let ring = self.ring.lock();
        let mut out: Vec<Entry> = ring
            .entries
            .iter()
            .rev()
            .filter(|e| filter.matches(e))
            .take(limit)
            .cloned()
            .collect();
        out.reverse();
        out
    }

    /// How many entries pass `filter` (without copying them).
    pub fn count(&self, filter: &RequestFilter) -> usize {
        self.ring
            .lock()
            .entries
            .iter()
            .filter(|e| filter.matches(e))
            .count()
    }

    pub fn stats(&self) -> JournalStats {
        let ring = self.ring.lock();
        JournalStats {
            len: ring.entries.len(),
            capacity: self.capacity,
            recorded: ring.next_seq,
            dropped: ring.dropped,
            heap_bytes: ring.entries.capacity() * std::mem::size_of::<Entry>()
                + ring.entries.iter().map(Entry::heap_bytes).sum::<usize>(),
        }
    }

    /// Forgets everything (a namespace reset).
    pub fn clear(&self) {
        *self.ring.lock() = Ring::default();
    }
}

/// Figures about a journal, for `GET /__admin/namespaces` and the memory test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JournalStats {
    pub len: usize,
    pub capacity: usize,
    /// Requests recorded since the last reset (including those pushed out).
    pub recorded: u64,
    pub dropped: u64,
    /// Approximate bytes held: the ring's slots plus what each entry points to.
    pub heap_bytes: usize,
}

/// Which entries a read wants. Every field narrows; an empty filter matches everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestFilter {
    pub facade: Option<String>,
    pub operation: Option<String>,
    pub method: Option<String>,
    /// An exact path, or a pattern where `*` stands for one path segment or part of it
    /// (`/v23.0/*/register`).
    pub path: Option<String>,
    pub status: Option<StatusMatch>,
    /// World time, inclusive.
    pub since: Option<Timestamp>,
    /// World time, exclusive.
    pub until: Option<Timestamp>,
    /// Only entries recorded after this id (a cursor for polling).
    pub after: Option<u64>,
    /// Only unmatched requests (`true`) or only matched ones (`false`).
    pub unmatched: Option<bool>,
    /// Only answers a scripted fault shaped (`true`) or none did (`false`).
    pub faulted: Option<bool>,
    /// An exact error code (`100/2388103`) or its code part (`100`).
    pub error: Option<String>,
}

/// A status, or a class of statuses (`4xx`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusMatch {
    Exact(u16),
    Class(u16),
}

impl StatusMatch {
    pub fn parse(text: &str) -> Result<StatusMatch, String> {
        let t = text.trim().to_ascii_lowercase();
        if let Some(c) = t.strip_suffix("xx")
            && let Ok(d) = c.parse::<u16>()
            && (1..=5).contains(&d)
        {
            return Ok(StatusMatch::Class(d));
        }
        match t.parse::<u16>() {
            Ok(s) if (100..=599).contains(&s) => Ok(StatusMatch::Exact(s)),
            _ => Err(format!(
                "invalid status {text:?}: give a status such as 400, or a class such as 4xx"
            )),
        }
    }

    pub fn matches(self, status: u16) -> bool {
        match self {
            StatusMatch::Exact(s) => s == status,
            StatusMatch::Class(c) => status / 100 == c,
        }
    }
}

impl RequestFilter {
    pub fn new() -> Self {
        Self::default()
    }
    /// Only requests to this facade (`graph`, `cams`). Panics on any other name: a filter
    /// that cannot match would make a test pass for the wrong reason.
    #[track_caller]
    pub fn facade(mut self, facade: &str) -> Self {
        if let Err(e) = check_facade(facade) {
            panic!("{e}");
        }
        self.facade = Some(facade.to_string());
        self
    }
    /// Only requests of this operation (a Graph operation name, an Alibaba action,
    /// `unmatched` or `unclassified`). Panics on an unknown name (a typo would never match).
    #[track_caller]
    pub fn operation(mut self, operation: &str) -> Self {
        if let Err(e) = check_operation(operation) {
            panic!("{e}");
        }
        self.operation = Some(operation.to_string());
        self
    }

    /// Checks the values only known names may take (a filter built field by field).
    pub fn check(&self) -> Result<(), String> {
        if let Some(f) = &self.facade {
            check_facade(f)?;
        }
        if let Some(o) = &self.operation {
            check_operation(o)?;
        }
        Ok(())
    }
    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_string());
        self
    }
    pub fn path(mut self, path: &str) -> Self {
        self.path = Some(path.to_string());
        self
    }
    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(StatusMatch::Exact(status));
        self
    }
    pub fn unmatched(mut self) -> Self {
        self.unmatched = Some(true);
        self
    }

    /// Reads a filter from `(name, value)` pairs: a query string, or a JSON body's fields.
    /// `namespace` is not a filter of one journal; the control API reads it before.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, String)>,
    ) -> Result<RequestFilter, String> {
        let mut f = RequestFilter::default();
        for (key, value) in pairs {
            let v = value.trim().to_string();
            match key {
                "facade" => {
                    check_facade(&v)?;
                    f.facade = Some(v)
                }
                "operation" => {
                    check_operation(&v)?;
                    f.operation = Some(v)
                }
                "method" => f.method = Some(v.to_ascii_uppercase()),
                "path" => f.path = Some(v),
                "status" => f.status = Some(StatusMatch::parse(&v)?),
                "since" => f.since = Some(Timestamp::parse_rfc3339(&v)?),
                "until" => f.until = Some(Timestamp::parse_rfc3339(&v)?),
                "after" => {
                    f.after = Some(
                        v.parse()
                            .map_err(|_| format!("\"after\" must be a request id, got {v:?}"))?,
                    )
                }
                "unmatched" => f.unmatched = Some(parse_bool("unmatched", &v)?),
                "faulted" => f.faulted = Some(parse_bool("faulted", &v)?),
                "error" => f.error = Some(v),
                "namespace" | "limit" => {}
                other => {
                    return Err(format!(
                        "unknown filter {other:?}; filters are facade, operation, method, path, status, namespace, since, until, after, unmatched, faulted, error, limit"
                    ));
                }
            }
        }
        Ok(f)
    }

    pub fn matches(&self, e: &Entry) -> bool {
        self.facade.as_deref().is_none_or(|f| f == e.facade)
            && self.operation.as_deref().is_none_or(|o| o == e.operation)
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(e.method.as_str()))
            && self
                .path
                .as_deref()
                .is_none_or(|p| path_matches(p, &e.path))
            && self.status.is_none_or(|s| s.matches(e.status))
            && self.since.is_none_or(|t| e.at >= t)
            && self.until.is_none_or(|t| e.at < t)
            && self.after.is_none_or(|a| e.seq > a)
            && self.unmatched.is_none_or(|u| u == e.is_unmatched())
            && self.faulted.is_none_or(|f| f == e.fault.is_some())
            && self.error.as_deref().is_none_or(|want| {
                e.error
                    .as_deref()
                    .is_some_and(|got| got == want || got.split('/').next() == Some(want))
            })
    }

    /// A short human description, for verification failures ("operation=register").
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let mut add = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                parts.push(format!("{k}={v}"));
            }
        };
        add("facade", self.facade.clone());
        add("operation", self.operation.clone());
        add("method", self.method.clone());
        add("path", self.path.clone());
        add(
            "status",
            self.status.map(|s| match s {
                StatusMatch::Exact(s) => s.to_string(),
                StatusMatch::Class(c) => format!("{c}xx"),
            }),
        );
        add("since", self.since.map(|t| t.rfc3339()));
        add("until", self.until.map(|t| t.rfc3339()));
        add("after", self.after.map(|a| a.to_string()));
        add("unmatched", self.unmatched.map(|u| u.to_string()));
        add("faulted", self.faulted.map(|u| u.to_string()));
        add("error", self.error.clone());
        if parts.is_empty() {
            "any request".to_string()
        } else {
            parts.join(", ")
        }
    }
}

fn parse_bool(name: &str, v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(format!("\"{name}\" must be true or false, got {v:?}")),
    }
}

/// `*` matches any run of characters within one path segment.
fn path_matches(pattern: &str, path: &str) -> bool {
    let pattern = pattern.trim_end_matches('/');
    let path = path.trim_end_matches('/');
    if !pattern.contains('*') {
        return pattern == path;
    }
    let ps: Vec<&str> = pattern.split('/').collect();
    let xs: Vec<&str> = path.split('/').collect();
    ps.len() == xs.len() && ps.iter().zip(&xs).all(|(p, x)| segment_matches(p, x))
}

fn segment_matches(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, op: &'static str, status: u16, body: &str) -> Entry {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(
            http::header::AUTHORIZATION,
            HeaderValue::from_static("Bearer wabasim-new-bsp"),
        );
        let req = Incoming {
            method: Method::POST,
            path: path.to_string(),
            query: "access_token=abc&fields=id".to_string(),
            headers,
            body: Bytes::from(body.to_string()),
        };
        Entry::new(Timestamp(1000), req, "graph", op, status, None, None, 12)
    }

    #[test]
    fn ring_stays_bounded_and_numbers_keep_counting() {
        let j = Journal::new(3);
        for i in 0..10 {
            j.record(entry(&format!("/v23.0/{i}"), "get_waba", 200, ""));
        }
        let all = j.matching(&RequestFilter::new());
        assert_eq!(all.len(), 3);
        assert_eq!(
            all.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![8, 9, 10]
        );
        let s = j.stats();
        assert_eq!((s.len, s.recorded, s.dropped), (3, 10, 7));
    }

    #[test]
    fn filters() {
        let j = Journal::new(10);
        j.record(entry("/v23.0/1/register", "register", 200, ""));
        j.record(entry("/v23.0/2/register", "register", 400, ""));
        j.record(entry("/v23.0/2/registr", "unmatched", 400, ""));
        let count = |f: RequestFilter| j.count(&f);
        assert_eq!(count(RequestFilter::new().operation("register")), 2);
        assert_eq!(count(RequestFilter::new().path("/v23.0/*/register")), 2);
        assert_eq!(count(RequestFilter::new().path("/v23.0/*/reg*")), 3);
        assert_eq!(count(RequestFilter::new().path("/v23.0/2/register/")), 1);
        assert_eq!(count(RequestFilter::new().status(400)), 2);
        assert_eq!(count(RequestFilter::new().unmatched()), 1);
        let f = RequestFilter::from_pairs([("status", "4xx".to_string())]).unwrap();
        assert_eq!(j.count(&f), 2);
        let f = RequestFilter::from_pairs([("after", "2".to_string())]).unwrap();
        assert_eq!(j.count(&f), 1);
        assert!(RequestFilter::from_pairs([("colour", "red".to_string())]).is_err());
        assert!(RequestFilter::from_pairs([("status", "7xx".to_string())]).is_err());
    }

    #[tokio::test]
    async fn secrets_are_redacted_when_read() {
        let e = entry(
            "/v23.0/1/register",
            "register",
            200,
            r#"{"messaging_product":"whatsapp","pin":"123456","backup":{"password":"p","data":"d"}}"#,
        );
        let v = e.render("default").await;
        assert_eq!(v["params"]["pin"], "[redacted]");
        assert_eq!(v["params"]["access_token"], "[redacted]");
        assert_eq!(v["params"]["backup"]["password"], "[redacted]");
        assert_eq!(v["params"]["backup"]["data"], "d");
        assert_eq!(v["params"]["fields"], "id");
        assert_eq!(v["authorization"], "[redacted]");
        assert!(!v.to_string().contains("123456"));
        assert!(!v.to_string().contains("wabasim-new-bsp"));
    }

    #[test]
    fn long_bodies_are_cut() {
        let big = "x".repeat(BODY_KEPT * 4);
        let e = entry("/v23.0/1", "get_waba", 200, &big);
        assert_eq!(e.body.len(), BODY_KEPT);
        assert_eq!(e.body_len, BODY_KEPT * 4);
    }
}
