//! One journal entry: what is kept of a request and its answer, and how it is shown when read
//! (parameters merged, secrets redacted, by the names its facade declared secret).

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};
use serde_json::{Map, Value, json};

use super::UNMATCHED;
use crate::clock::Timestamp;
use crate::wire::Incoming;
use crate::wire::params::{Param, Params};

/// Body bytes kept per entry by default (`--journal-body-bytes`): 4 KiB, enough for any
/// ordinary call's body whole (a template with all its components is 1 to 3 KiB); longer
/// bodies are kept cut (and parsed no further: the entry shows `__body_truncated`).
pub const BODY_KEPT: usize = 4 * 1024;

/// Query bytes kept per entry by default (`--journal-query-bytes`): 2 KiB, many times an
/// ordinary call's (`fields=...&limit=...`); a longer query is kept cut after its last whole
/// parameter, and the entry shows `__query_truncated`.
pub const QUERY_KEPT: usize = 2 * 1024;

/// Answer bytes kept per entry by default (`--journal-answer-bytes`): 4 KiB, as for the body;
/// a longer answer is kept cut, shown as text with its real length (`response_truncated`).
pub const ANSWER_KEPT: usize = 4 * 1024;

const REDACTED: &str = "[redacted]";

/// How a request ended, and whose it was: what the server hands the journal with the request,
/// and what an [`Entry`] shows of its answer (`entry.status`, `entry.facade`, ...).
#[derive(Clone, Debug)]
pub struct Outcome {
    pub facade: &'static str,
    /// Parameter names whose values are shown as `[redacted]` (compared without case, at any
    /// depth of a JSON body): the facade's secrets (`api::facade::Facade::secret_params`).
    pub secrets: &'static [&'static str],
    /// The facade's operation name, `unmatched` or `unclassified`.
    pub operation: &'static str,
    pub status: u16,
    /// The vendor error code the answer carried (`100/2388103`).
    pub error: Option<String>,
    /// The scripted fault that shaped the answer.
    pub fault: Option<String>,
    /// Time spent answering, in microseconds (real time).
    pub micros: u64,
    /// The answer's body, as sent (an entry keeps it cut at the journal's answer limit).
    pub answer: Bytes,
}

/// One recorded request and its answer.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Position in the namespace's journal, from 1, never reused (until a reset).
    pub seq: u64,
    /// The world's time when the request arrived.
    pub at: Timestamp,
    pub method: Method,
    pub path: String,
    /// The query string, cut after its last whole parameter within the journal's limit.
    pub query: String,
    /// The query string's real length.
    pub query_len: usize,
    pub content_type: Option<HeaderValue>,
    /// The body, cut at the journal's limit ([`BODY_KEPT`] by default).
    pub body: Bytes,
    /// The body's real length.
    pub body_len: usize,
    /// Whether an `Authorization` header was sent (its value is never kept).
    pub authorization: bool,
    /// The answer body's real length (`outcome.answer` is cut at the answer limit).
    pub answer_len: usize,
    /// Whose request it was and how it ended; its fields read as the entry's own
    /// (`entry.status`).
    pub outcome: Outcome,
}

impl std::ops::Deref for Entry {
    type Target = Outcome;

    fn deref(&self) -> &Outcome {
        &self.outcome
    }
}

impl Entry {
    /// Builds an entry from a request the server owns, taking its path and query strings
    /// without copying. The body and the content type are copied: hyper hands them out as
    /// slices of its read buffer, and keeping a slice would keep the whole buffer (8 KiB and
    /// more) alive for as long as the entry stays in the ring.
    pub fn new(at: Timestamp, req: Incoming, outcome: Outcome) -> Entry {
        Entry::cut(at, req, outcome, QUERY_KEPT, BODY_KEPT, ANSWER_KEPT)
    }

    /// [`Entry::new`] keeping at most `query_kept` bytes of the query (cut after its last
    /// whole parameter), `body_kept` of the body and `answer_kept` of the answer.
    pub fn cut(
        at: Timestamp,
        req: Incoming,
        outcome: Outcome,
        query_kept: usize,
        body_kept: usize,
        answer_kept: usize,
    ) -> Entry {
        let body_len = req.body.len();
        // A read has no body: nothing to copy.
        let body = match body_len {
            0 => Bytes::new(),
            _ => Bytes::copy_from_slice(&req.body[..body_len.min(body_kept)]),
        };
        let query_len = req.query.len();
        let query = if query_len <= query_kept {
            req.query
        } else {
            // A fresh string: truncating in place would keep the long one's allocation.
            let head = &req.query.as_bytes()[..query_kept];
            let at = head.iter().rposition(|b| *b == b'&').unwrap_or(0);
            // The query is ASCII as hyper reads it, but cut on a char boundary regardless.
            let at = (0..=at)
                .rev()
                .find(|i| req.query.is_char_boundary(*i))
                .unwrap_or(0);
            req.query[..at].to_string()
        };
        // Copied, as the body is: the answer's buffer may have been reserved larger than
        // what was written, and sharing it would keep all of it.
        let mut outcome = outcome;
        let answer_len = outcome.answer.len();
        outcome.answer = Bytes::copy_from_slice(&outcome.answer[..answer_len.min(answer_kept)]);
        // One pass over the request's few headers finds both: two lookups by name hash it
        // twice (and removing one shifts the map).
        let (mut content_type, mut authorization) = (None, false);
        for (name, value) in &req.headers {
            if *name == http::header::CONTENT_TYPE {
                content_type = content_type.or(Some(value));
            } else if *name == http::header::AUTHORIZATION {
                authorization = true;
            }
        }
        let content_type = content_type.and_then(|ct| HeaderValue::from_bytes(ct.as_bytes()).ok());
        Entry {
            seq: 0,
            at,
            method: req.method,
            path: req.path,
            query,
            query_len,
            content_type,
            body,
            body_len,
            authorization,
            answer_len,
            outcome,
        }
    }

    /// Whether the facade found no operation for this request.
    pub fn is_unmatched(&self) -> bool {
        self.operation == UNMATCHED
    }

    /// The request's parameters (query and body merged, secrets redacted).
    pub async fn params(&self) -> Result<Value, String> {
        if self.body_len > self.body.len() {
            let query = Params::from_query(&self.query);
            let mut out = self.params_json(&query);
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
            Ok(p) => Ok(Value::Object(self.params_json(&p))),
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
                    Value::Object(self.params_json(&Params::from_query(&self.query))),
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
        o.insert("response".into(), self.response_json());
        if self.answer_len > self.answer.len() {
            o.insert("response_truncated".into(), json!(self.answer_len));
        }
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
            + held(self.answer.len())
            + if self.answer.is_empty() { 0 } else { 32 }
            + self.error.as_ref().map_or(0, |e| held(e.capacity()))
            + self.fault.as_ref().map_or(0, |f| held(f.capacity()))
    }
}
impl Entry {
    fn params_json(&self, p: &Params) -> Map<String, Value> {
        let r = Redactor(self.secrets);
        let mut out = Map::new();
        for (k, v) in p.entries() {
            let value = if r.is_secret(k) {
                json!(REDACTED)
            } else {
                match v {
                    Param::Text(s) => r.text(s),
                    Param::Json(v) => r.value(v.clone()),
                    // A file is described, never shown: it may be binary and large.
                    Param::File(f) => json!({
                        "file_name": f.file_name,
                        "content_type": f.content_type,
                        "size": f.bytes.len(),
                    }),
                }
            };
            out.insert(k.clone(), value);
        }
        if self.query_len > self.query.len() {
            out.insert("__query_truncated".into(), json!(self.query_len));
        }
        out
    }

    /// What the journal's byte bound counts for this entry: its slot and what it points to.
    pub fn size(&self) -> usize {
        std::mem::size_of::<Entry>() + self.heap_bytes()
    }

    /// How the request ended, as recorded (to record another entry like it: tests).
    pub fn outcome(&self) -> Outcome {
        Outcome {
            facade: self.facade,
            secrets: self.secrets,
            operation: self.operation,
            status: self.status,
            error: self.error.clone(),
            fault: self.fault.clone(),
            micros: self.micros,
            answer: self.answer.clone(),
        }
    }

    /// The answer body as the control API shows it: JSON (secrets redacted by name, as in
    /// the request) when it is whole JSON, else its text.
    fn response_json(&self) -> Value {
        if self.answer_len == 0 {
            return Value::Null;
        }
        if self.answer_len == self.answer.len()
            && let Ok(v) = serde_json::from_slice::<Value>(&self.answer)
        {
            return Redactor(self.secrets).value(v);
        }
        json!(String::from_utf8_lossy(&self.answer))
    }
}

/// Redacts the values of secret parameter names.
struct Redactor(&'static [&'static str]);

impl Redactor {
    fn is_secret(&self, key: &str) -> bool {
        self.0.iter().any(|s| s.eq_ignore_ascii_case(key))
    }

    /// A text value as shown: unchanged, unless it is JSON carrying a secret (a form-encoded
    /// `backup={"password": ...}`, as Graph reads it), which is shown re-serialised with the
    /// secret redacted.
    fn text(&self, text: &str) -> Value {
        let t = text.trim_start();
        if (t.starts_with('{') || t.starts_with('['))
            && let Ok(parsed) = serde_json::from_str::<Value>(text)
        {
            let redacted = self.value(parsed.clone());
            if redacted != parsed {
                return Value::String(redacted.to_string());
            }
        }
        Value::String(text.to_string())
    }

    /// Redacts secret keys at any depth of a JSON value (and inside strings that are JSON).
    fn value(&self, v: Value) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| {
                        let v = if self.is_secret(&k) {
                            json!(REDACTED)
                        } else {
                            self.value(v)
                        };
                        (k, v)
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.into_iter().map(|v| self.value(v)).collect()),
            Value::String(text) => self.text(&text),
            other => other,
        }
    }
}
