//! Transcripts: every request and response of a scenario as text, with the values that
//! change from one implementation detail to the next (generated ids, verification codes,
//! trace ids, times) replaced by stable placeholders, so a snapshot shows behaviour changes
//! and nothing else.
//!
//! - ids the fixture does not fix become `[id-1]`, `[id-2]`, ... in order of first answer
//!   (and Graph's paging cursors of them `[cursor of id-1]`);
//! - verification codes become `[code-1]`, ...; trace and request ids `[trace-1]`, ...;
//! - instants become offsets from the scenario's start, e.g. `[t0+1d2h]`.
//!
//! Bodies keep the key order the server sent (JSON is re-indented, not re-serialised).

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::clock::{Duration, Timestamp};

/// What a value is, for its placeholder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    Id,
    Code,
    Trace,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Id => "id",
            Kind::Code => "code",
            Kind::Trace => "trace",
        }
    }
}

/// The volatile values seen so far, and their placeholders.
pub struct Placeholders {
    /// Exact strings replaced first (the loopback URLs of the run).
    literals: Vec<(String, String)>,
    fixed: HashSet<String>,
    known: HashMap<String, String>,
    counts: HashMap<Kind, usize>,
    start: Timestamp,
}

impl Placeholders {
    /// `fixed`: the ids the fixture writes out (they stay as they are); `start`: the instant
    /// offsets count from.
    pub fn new(fixed: HashSet<String>, start: Timestamp) -> Placeholders {
        Placeholders {
            literals: Vec::new(),
            fixed,
            known: HashMap::new(),
            counts: HashMap::new(),
            start,
        }
    }

    /// Replaces `value` wherever it appears (a URL with this run's port).
    pub fn literal(&mut self, value: &str, placeholder: &str) {
        self.literals
            .push((value.to_string(), placeholder.to_string()));
    }

    fn note(&mut self, kind: Kind, value: &str) {
        if value.is_empty() || self.known.contains_key(value) {
            return;
        }
        if kind == Kind::Id && self.fixed.contains(value) {
            return;
        }
        let n = self.counts.entry(kind).or_insert(0);
        *n += 1;
        let label = format!("{}-{}", kind.prefix(), n);
        if kind == Kind::Id {
            // Graph's paging cursors are the base64url of an id.
            use base64::Engine;
            let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value);
            self.known.insert(cursor, format!("[cursor of {label}]"));
        }
        self.known.insert(value.to_string(), format!("[{label}]"));
    }

    /// Learns the volatile values of a response.
    pub fn learn(&mut self, headers: &[(String, String)], body: Option<&Value>) {
        for (k, v) in headers {
            if matches!(
                k.as_str(),
                "x-fb-trace-id" | "x-fb-request-id" | "x-acs-request-id"
            ) {
                self.note(Kind::Trace, v);
            }
        }
        if let Some(b) = body {
            // Alibaba's SignatureDoesNotMatch echoes the server's string to sign, whose hash
            // covers the request's date and nonce.
            if let Some(sts) = b
                .get("Message")
                .and_then(Value::as_str)
                .and_then(|m| m.split_once("server string to sign is:"))
                .and_then(|(_, sts)| sts.rsplit('\n').next())
                .filter(|h| h.len() == 64 && h.bytes().all(|c| c.is_ascii_hexdigit()))
            {
                self.literal(sts, "[hash of the signed request]");
            }
            self.learn_json(None, b);
        }
    }

    fn learn_json(&mut self, key: Option<&str>, v: &Value) {
        match v {
            Value::Object(o) => {
                for (k, child) in o {
                    self.learn_json(Some(k), child);
                }
            }
            Value::Array(a) => {
                for child in a {
                    self.learn_json(key, child);
                }
            }
            Value::String(s) => self.learn_scalar(key, s, true),
            Value::Number(n) => self.learn_scalar(key, &n.to_string(), false),
            _ => {}
        }
    }

    /// Verification codes are strings; a number under `code` is an error code and stays.
    fn learn_scalar(&mut self, key: Option<&str>, s: &str, text: bool) {
        let Some(key) = key else { return };
        let digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if (key == "id" || key.ends_with("_id")) && digits && s.len() >= 15 {
            self.note(Kind::Id, s);
        } else if key == "code" && text && digits && s.len() == 6 {
            self.note(Kind::Code, s);
        } else if matches!(key, "fbtrace_id" | "trace_id" | "RequestId") {
            self.note(Kind::Trace, s);
        }
    }

    /// The text with instants and known values replaced.
    pub fn scrub(&self, text: &str) -> String {
        let mut text = text.to_string();
        for (value, placeholder) in &self.literals {
            text = text.replace(value.as_str(), placeholder);
        }
        let text = mask_durations(&text);
        let timed = self.scrub_times(&text);
        // Whole words only: a code must not be replaced inside a longer id.
        let mut out = String::with_capacity(timed.len());
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            match self.known.get(word.as_str()) {
                Some(p) => out.push_str(p),
                None => out.push_str(word),
            }
            word.clear();
        };
        for c in timed.chars() {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    }

    fn scrub_times(&self, text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        let mut copied = 0;
        while i + 19 <= bytes.len() {
            if let Some((len, at)) = instant_at(&text[i..]) {
                out.push_str(&text[copied..i]);
                out.push_str(&offset_label(at - self.start));
                i += len;
                copied = i;
            } else {
                i += 1;
                while i < bytes.len() && !text.is_char_boundary(i) {
                    i += 1;
                }
            }
        }
        out.push_str(&text[copied..]);
        out
    }
}

/// Real-time durations (a webhook attempt's `"duration_ms": 3`) vary from run to run.
fn mask_durations(text: &str) -> String {
    const KEY: &str = "\"duration_ms\": ";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(KEY) {
        out.push_str(&rest[..i + KEY.len()]);
        rest = &rest[i + KEY.len()..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            out.push_str("\"[ms]\"");
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}

/// An RFC 3339 or Graph-style instant at the start of `s`: its length and value.
fn instant_at(s: &str) -> Option<(usize, Timestamp)> {
    let b = s.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:dd";
    if b.len() < shape.len() {
        return None;
    }
    for (c, want) in b.iter().zip(shape) {
        let ok = match want {
            b'd' => c.is_ascii_digit(),
            w => c == w,
        };
        if !ok {
            return None;
        }
    }
    let mut end = shape.len();
    if b.get(end) == Some(&b'.') {
        end += 1;
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
    }
    let zone_start = end;
    match b.get(end) {
        Some(b'Z') => end += 1,
        Some(b'+') | Some(b'-') => {
            let digits = |from: usize, n: usize| {
                (from..from + n).all(|j| b.get(j).is_some_and(u8::is_ascii_digit))
            };
            if digits(end + 1, 2) && b.get(end + 3) == Some(&b':') && digits(end + 4, 2) {
                end += 6;
            } else if digits(end + 1, 4) {
                end += 5;
            } else {
                return None;
            }
        }
        _ => return None,
    }
    let mut text = s[..end].to_string();
    if end - zone_start == 5 {
        // Graph's `+0000`: RFC 3339 wants `+00:00`.
        text.insert(end - 2, ':');
    }
    Timestamp::parse_rfc3339(&text).ok().map(|t| (end, t))
}

/// `[t0]`, `[t0+24h]`, `[t0+14d1h]`, `[t0-1h]`, `[t0+1.250s]`.
fn offset_label(d: Duration) -> String {
    if d.0 == 0 {
        return "[t0]".into();
    }
    let sign = if d.0 < 0 { '-' } else { '+' };
    let mut ms = d.0.unsigned_abs();
    let mut text = String::new();
    for (unit, size) in [("d", 86_400_000u64), ("h", 3_600_000), ("m", 60_000)] {
        if ms >= size {
            text.push_str(&format!("{}{unit}", ms / size));
            ms %= size;
        }
    }
    if ms > 0 {
        if ms % 1000 == 0 {
            text.push_str(&format!("{}s", ms / 1000));
        } else {
            text.push_str(&format!("{}.{:03}s", ms / 1000, ms % 1000));
        }
    }
    format!("[t0{sign}{text}]")
}

/// A body for the transcript: JSON re-indented in the order it was sent, other text as it
/// is, bytes that are not text as a hex dump.
pub fn body_text(body: &[u8]) -> String {
    if body.is_empty() {
        return String::new();
    }
    if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok()
        && let Ok(text) = std::str::from_utf8(body)
    {
        return reindent(text);
    }
    match std::str::from_utf8(body) {
        Ok(text)
            if !text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t') =>
        {
            text.to_string()
        }
        _ => {
            let hex: Vec<String> = body.iter().map(|b| format!("{b:02x}")).collect();
            format!("<{} bytes, not text: {}>", body.len(), hex.join(" "))
        }
    }
}

/// Pretty-prints valid JSON text without reordering it.
fn reindent(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let chars: Vec<char> = text.chars().collect();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                let close = if c == '{' { '}' } else { ']' };
                let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
                if next == Some(&close) {
                    out.push(c);
                    out.push(close);
                    while chars[i] != close {
                        i += 1;
                    }
                } else {
                    out.push(c);
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reindent_keeps_order_and_strings() {
        let t = reindent(r#"{"z":1,"a":[],"s":"a, {b}: \"c\"","o":{"k":[1,2]}}"#);
        assert_eq!(
            t,
            "{\n  \"z\": 1,\n  \"a\": [],\n  \"s\": \"a, {b}: \\\"c\\\"\",\n  \"o\": {\n    \"k\": [\n      1,\n      2\n    ]\n  }\n}"
        );
    }

    #[test]
    fn placeholders_replace_whole_words_and_times() {
        let start = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
        let mut p = Placeholders::new(["200000000000002".to_string()].into(), start);
        p.learn(
            &[("x-fb-trace-id".into(), "AbC-_x".into())],
            Some(&json!({"id": "123456789012345", "codes": [{"code": "000001"}], "waba_id": "200000000000002"})),
        );
        let text = "POST /v23.0/123456789012345/verify_code code=000001 id 110000000000001 AbC-_x 200000000000002 at 2026-01-02T01:00:00Z and 2026-01-01T00:00:00+0000";
        assert_eq!(
            p.scrub(text),
            "POST /v23.0/[id-1]/verify_code code=[code-1] id 110000000000001 [trace-1] 200000000000002 at [t0+1d1h] and [t0]"
        );
    }

    #[test]
    fn offsets_read_naturally() {
        assert_eq!(offset_label(Duration::hours(24)), "[t0+1d]");
        assert_eq!(offset_label(Duration::minutes(-61)), "[t0-1h1m]");
        assert_eq!(offset_label(Duration(1250)), "[t0+1.250s]");
    }
}
