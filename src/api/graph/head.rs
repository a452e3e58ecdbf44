//! The head every Graph answer carries ([`Head`]: the version that served it, its trace and
//! request ids, Graph's constant headers, the usage header) and the answers made from it: a
//! success, an error in Graph's envelope, and the two errors no read request stands behind
//! ([`early_error`], [`internal_error`]).

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use super::errors::{GraphError, from_domain};
use super::request;
use crate::api::Answer;
use crate::world::{DomainError, Id};

/// `facebook-api-version` for the common versions without an allocation: a served version
/// (`v19.0` to `v26.0`) is found by its two digits rather than compared with each in turn.
fn version_value(version: &str) -> HeaderValue {
    if let [b'v', tens @ b'0'..=b'9', ones @ b'0'..=b'9', b'.', b'0'] = *version.as_bytes() {
        let major = usize::from((tens - b'0') * 10 + (ones - b'0'));
        let first = request::OLDEST_USABLE.0 as usize;
        if let Some(k) = request::SERVED_VERSIONS.get(major.wrapping_sub(first)) {
            return HeaderValue::from_static(k);
        }
    }
    HeaderValue::from_str(version).unwrap_or(HeaderValue::from_static("v23.0"))
}

/// `X-Business-Use-Case-Usage` for `waba` at `percent` (§8 [OAS headers]: percentages of the
/// WABA's Business-Use-Case budget).
///
/// The last value made on each thread is kept and handed out again (a shared buffer, counted
/// by reference) while the WABA and the percentage stay the same, as they do over a run of
/// reads: writing, checking and copying its 150 bytes cost some 1,200 instructions a read.
fn usage_value(waba: Id, percent: u32) -> HeaderValue {
    thread_local! {
        static LAST: std::cell::RefCell<Option<(Id, u32, HeaderValue)>> =
            const { std::cell::RefCell::new(None) };
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((w, p, value)) = &*last
            && (*w, *p) == (waba, percent)
        {
            return value.clone();
        }
        // Written into one buffer that becomes the header value without another copy.
        let mut text = Vec::with_capacity(176);
        text.extend_from_slice(b"{");
        crate::api::json::write_id(&mut text, waba);
        text.extend_from_slice(br#":[{"type":"whatsapp_business_management","call_count":"#);
        crate::api::json::write_u64(&mut text, percent.into());
        text.extend_from_slice(
            br#","total_cputime":1,"total_time":1,"estimated_time_to_regain_access":0}]}"#,
        );
        let value = HeaderValue::from_maybe_shared(Bytes::from(text))
            .unwrap_or(HeaderValue::from_static(""));
        *last = Some((waba, percent, value.clone()));
        value
    })
}

/// `x-fb-debug`: 88 characters of base64, as Meta's (graph-fidelity-review.md row 10).
const FB_DEBUG_VALUE: &str =
    "d2FiYXNpbSBzaW11bGF0ZXMgdGhlIFdoYXRzQXBwIEJ1c2luZXNzIFBsYXRmb3JtOyBubyBNZXRhIGRlYnVnIGlk";

/// How many of a Graph answer's headers never vary (they come first in its map).
const CONSTANT_HEADERS: usize = 9;

/// How long `x-fb-trace-id` is: about 11 characters in modern captures (`D4wELzWb1+J`),
/// while `x-fb-request-id` has 23 (graph-fidelity-review.md row 9, seen).
const SHORT_TRACE_LEN: usize = 11;

/// What every Graph answer carries in its head: the version that served it and its two ids.
///
/// Which id the body's `fbtrace_id` repeats is not established (row 9, inferred); the
/// choice (docs/fidelity.md, "Behaviour choices"): `x-fb-request-id` (23 characters, like the body id in
/// captures), and `x-fb-trace-id` is the first 11 characters of a second, independent id, so
/// the two never match. Both come from the namespace's seeded sequence: deterministic.
///
/// The ids are held as bytes (both are ASCII): headers take bytes, and only an error's body
/// needs the request id as text.
pub(super) struct Head<'a> {
    version: &'a str,
    trace: &'a [u8],
    request_id: &'a [u8],
}

impl<'a> Head<'a> {
    pub(super) fn new(version: &'a str, trace: &'a [u8], request_id: &'a [u8]) -> Self {
        Head {
            version,
            trace,
            request_id,
        }
    }

    /// `x-fb-trace-id`: the trace id's first 11 characters (a prefix, no copy).
    fn short_trace(&self) -> &[u8] {
        self.trace.get(..SHORT_TRACE_LEN).unwrap_or(self.trace)
    }

    /// The head of an answer to a request whose version is not known (its path could not be
    /// read, or it was never read): the default version.
    pub(super) fn unversioned(trace: &'a [u8], request_id: &'a [u8]) -> Self {
        Head::new(request::DEFAULT_VERSION, trace, request_id)
    }

    fn headers(&self, usage: Option<(Id, u32)>) -> HeaderMap {
        use http::header::{
            ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_TYPE, EXPIRES, PRAGMA,
            STRICT_TRANSPORT_SECURITY, VARY,
        };
        const FB_API_VERSION: HeaderName = HeaderName::from_static("facebook-api-version");
        const FB_TRACE_ID: HeaderName = HeaderName::from_static("x-fb-trace-id");
        const FB_REQUEST_ID: HeaderName = HeaderName::from_static("x-fb-request-id");
        const FB_REV: HeaderName = HeaderName::from_static("x-fb-rev");
        const FB_DEBUG: HeaderName = HeaderName::from_static("x-fb-debug");
        const BUC_USAGE: HeaderName = HeaderName::from_static("x-business-use-case-usage");
        // Every answer's headers, built once and copied, with placeholders for the ones that
        // vary, which are then overwritten in place: a copy and a walk over a dozen entries
        // cost far less than hashing names into a new map per request. One map for answers
        // with the usage header and one for those without.
        // The set and the constant values are a WhatsApp capture's (v20.0, 2024;
        // graph-fidelity-review.md row 10, seen: https://github.com/botpress/messaging/pull/676):
        // `content-type: application/json`, `cache-control: no-store`, `vary: Origin`,
        // `strict-transport-security`, `x-fb-debug`, beside pragma, expires, CORS, version,
        // request and trace ids and `x-fb-rev`. `x-fb-debug` is one fixed 88-character value
        // (Meta's varies per request and means nothing to a client) [INF, docs/fidelity.md].
        static CONSTANT: std::sync::OnceLock<[HeaderMap; 2]> = std::sync::OnceLock::new();
        let [without_usage, with_usage] = CONSTANT.get_or_init(|| {
            let mut h = HeaderMap::with_capacity(16);
            h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            h.insert(VARY, HeaderValue::from_static("Origin"));
            h.insert(FB_REV, HeaderValue::from_static("1029384756"));
            h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(PRAGMA, HeaderValue::from_static("no-cache"));
            h.insert(
                EXPIRES,
                HeaderValue::from_static("Sat, 01 Jan 2000 00:00:00 GMT"),
            );
            h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
            h.insert(
                STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=15552000; preload"),
            );
            h.insert(FB_DEBUG, HeaderValue::from_static(FB_DEBUG_VALUE));
            debug_assert_eq!(h.len(), CONSTANT_HEADERS);
            // The varying ones, in the order `headers` overwrites them.
            for name in [FB_API_VERSION, FB_TRACE_ID, FB_REQUEST_ID] {
                h.insert(name, HeaderValue::from_static(""));
            }
            let mut with_usage = h.clone();
            with_usage.insert(BUC_USAGE, HeaderValue::from_static(""));
            [h, with_usage]
        });
        let mut h = if usage.is_some() {
            with_usage.clone()
        } else {
            without_usage.clone()
        };
        // The varying headers are the last entries, in the order they were inserted above
        // (a map's entries iterate in insertion order): each is overwritten by position,
        // without comparing a name.
        let mut varying = h.iter_mut().skip(CONSTANT_HEADERS).map(|(_, v)| v);
        if let Some(value) = varying.next() {
            *value = version_value(self.version);
        }
        if let Some(value) = varying.next() {
            *value =
                HeaderValue::from_bytes(self.short_trace()).unwrap_or(HeaderValue::from_static(""));
        }
        if let Some(value) = varying.next() {
            *value =
                HeaderValue::from_bytes(self.request_id).unwrap_or(HeaderValue::from_static(""));
        }
        if let (Some(value), Some((waba, percent))) = (varying.next(), usage) {
            *value = usage_value(waba, percent);
        }
        h
    }

    /// A 200 answer with `body`; `usage` is the WABA and percentage for
    /// `X-Business-Use-Case-Usage`.
    pub(super) fn ok(&self, body: Vec<u8>, op: &'static str, usage: Option<(Id, u32)>) -> Answer {
        Answer {
            status: StatusCode::OK,
            headers: self.headers(usage),
            body: Bytes::from(body),
            facade: "graph",
            operation: op,
            error: None,
            fault: None,
        }
    }

    /// `e` in Graph's envelope, with its status and `WWW-Authenticate`.
    pub(super) fn error(
        &self,
        e: &GraphError,
        op: &'static str,
        usage: Option<(Id, u32)>,
    ) -> Answer {
        let mut headers = self.headers(usage);
        let kind = if e.is_token_error() {
            "invalid_token"
        } else {
            "invalid_request"
        };
        let www = format!(
            r#"OAuth "Facebook Platform" "{kind}" "{}""#,
            e.message.replace('"', "'")
        );
        if let Ok(v) = HeaderValue::from_str(&www) {
            headers.insert("www-authenticate", v);
        }
        Answer {
            status: StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
            headers,
            body: Bytes::from(e.body(std::str::from_utf8(self.request_id).unwrap_or(""))),
            facade: "graph",
            operation: op,
            error: Some(e.code_text()),
            fault: None,
        }
    }
}

/// A Graph-shaped error for requests that never reached the facade (body too large, no
/// namespace).
pub fn early_error(status: u16, details: &str) -> Answer {
    Head::unversioned(b"AwabasimEarlyErrorTrace", b"AwabasimEarlyErrorReqId").error(
        &GraphError::bad_body(status, details),
        "unmatched",
        None,
    )
}

/// The answer to a request wabasim failed on (a panic, caught by the server): Graph's own
/// unknown error, code 1 (the `InternalError` row of `errors.rs`).
pub fn internal_error() -> Answer {
    Head::unversioned(b"AwabasimInternalErrTrace", b"AwabasimInternalErrReqId").error(
        &from_domain(&DomainError::InternalError, "get"),
        crate::journal::UNCLASSIFIED,
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'a>(a: &'a Answer, name: &str) -> Option<&'a str> {
        a.headers.get(name).map(|v| v.to_str().unwrap())
    }

    #[test]
    fn a_success_carries_the_version_the_ids_and_the_constant_headers() {
        let a = Head::new("v21.0", b"Atrace", b"Areq").ok(b"{}".to_vec(), "get_waba", None);
        assert_eq!(
            (a.status.as_u16(), a.facade, a.operation),
            (200, "graph", "get_waba")
        );
        assert_eq!((a.body.as_ref(), a.error.as_deref()), (&b"{}"[..], None));
        assert_eq!(header(&a, "facebook-api-version"), Some("v21.0"));
        assert_eq!(header(&a, "x-fb-trace-id"), Some("Atrace"));
        assert_eq!(header(&a, "x-fb-request-id"), Some("Areq"));
        assert_eq!(header(&a, "content-type"), Some("application/json"));
        assert_eq!(header(&a, "cache-control"), Some("no-store"));
        assert_eq!(header(&a, "vary"), Some("Origin"));
        assert_eq!(
            header(&a, "strict-transport-security"),
            Some("max-age=15552000; preload")
        );
        assert_eq!(header(&a, "x-fb-debug").map(str::len), Some(88));
        assert_eq!(header(&a, "x-fb-rev"), Some("1029384756"));
        assert_eq!(header(&a, "access-control-allow-origin"), Some("*"));
        assert_eq!(header(&a, "x-business-use-case-usage"), None);
        assert_eq!(header(&a, "www-authenticate"), None);
        assert_eq!(a.headers.len(), 12);
    }

    #[test]
    fn the_usage_header_names_the_waba_and_its_percentage() {
        let a =
            Head::new("v23.0", b"t", b"r").ok(Vec::new(), "get_waba", Some((200000000000002, 7)));
        assert_eq!(
            header(&a, "x-business-use-case-usage"),
            Some(
                r#"{"200000000000002":[{"type":"whatsapp_business_management","call_count":7,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":0}]}"#
            )
        );
        assert_eq!(a.headers.len(), 13);
        // The value kept for the last WABA and percentage is not handed out for others.
        for (waba, percent) in [
            (200000000000002, 8),
            (200000000000003, 8),
            (200000000000002, 7),
        ] {
            let a =
                Head::new("v23.0", b"t", b"r").ok(Vec::new(), "get_waba", Some((waba, percent)));
            let expected = format!(
                r#"{{"{waba}":[{{"type":"whatsapp_business_management","call_count":{percent},"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":0}}]}}"#
            );
            assert_eq!(
                header(&a, "x-business-use-case-usage"),
                Some(expected.as_str())
            );
        }
        // The constant maps are copied, not changed: the next answer has no usage again.
        let b = Head::new("v23.0", b"t", b"r").ok(Vec::new(), "get_waba", None);
        assert_eq!(header(&b, "x-business-use-case-usage"), None);
    }

    #[test]
    fn versions_graph_serves_are_static_and_others_pass_through() {
        assert_eq!(version_value("v26.0"), "v26.0");
        assert_eq!(version_value("v23.5"), "v23.5");
        assert_eq!(version_value("v2\n"), "v23.0");
        for v in request::SERVED_VERSIONS {
            assert_eq!(version_value(v), v);
        }
        for v in ["v18.0", "v27.0", "v09.0", "v23.1", "v123.0", "23.0", "v2.0"] {
            assert_eq!(version_value(v), v);
        }
        let a = Head::unversioned(b"t", b"r").ok(Vec::new(), "get_waba", None);
        assert_eq!(
            header(&a, "facebook-api-version"),
            Some(request::DEFAULT_VERSION)
        );
    }

    #[test]
    fn an_error_has_its_status_envelope_and_www_authenticate() {
        let e = from_domain(&DomainError::unknown("123"), "get");
        let trace = "AtraceAtraceAtraceAtrac";
        let a = Head::new("v23.0", trace.as_bytes(), b"Areq").error(&e, "get_waba", None);
        assert_eq!(a.status.as_u16(), e.status);
        assert_eq!(a.error, Some(e.code_text()));
        // The body repeats x-fb-request-id; x-fb-trace-id is 11 characters of another id.
        assert_eq!(a.body.as_ref(), e.body("Areq").as_slice());
        assert_eq!(header(&a, "x-fb-trace-id"), Some("AtraceAtrac"));
        let www = header(&a, "www-authenticate").unwrap();
        let message = www
            .strip_prefix(r#"OAuth "Facebook Platform" "invalid_request" ""#)
            .and_then(|m| m.strip_suffix('"'))
            .unwrap();
        assert_eq!(message, e.message.replace('"', "'"));
        let token = from_domain(&DomainError::AccessTokenInvalid, "get");
        let a = Head::new("v23.0", b"t", b"r").error(&token, "get_waba", None);
        assert!(
            header(&a, "www-authenticate")
                .unwrap()
                .contains(r#""invalid_token""#)
        );
        // Review row 11: a missing token is a bad request, not a bad token.
        let missing = from_domain(&DomainError::AccessTokenMissing, "get");
        let a = Head::new("v23.0", b"t", b"r").error(&missing, "get_waba", None);
        assert!(
            header(&a, "www-authenticate")
                .unwrap()
                .contains(r#""invalid_request""#)
        );
    }

    #[test]
    fn answers_without_a_request_have_fixed_ids() {
        let a = early_error(413, "too large");
        assert_eq!((a.status.as_u16(), a.operation), (413, "unmatched"));
        assert_eq!(header(&a, "x-fb-trace-id"), Some("AwabasimEar"));
        assert_eq!(
            header(&a, "facebook-api-version"),
            Some(request::DEFAULT_VERSION)
        );
        let a = internal_error();
        assert_eq!(
            (a.status.as_u16(), a.operation, a.error.as_deref()),
            (500, crate::journal::UNCLASSIFIED, Some("1"))
        );
        assert_eq!(
            header(&a, "x-fb-request-id"),
            Some("AwabasimInternalErrReqId")
        );
    }
}
