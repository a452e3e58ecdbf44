//! Property tests (proptest) on three parsers that take a caller's bytes: the Graph parameter
//! merger, the ACS3 signature canonicaliser and the fixture loader. Case counts are kept low
//! so that the whole file runs in a few seconds in a debug build.

use std::collections::BTreeMap;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};
use proptest::prelude::*;
use serde_json::Value;
use wabasim::api::cams::signature::{SignedRequest, V3Call, form_decode, verify};
use wabasim::fixture::Fixture;
use wabasim::wire::Incoming;
use wabasim::wire::params::{Param, Params};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn incoming(query: String, content_type: Option<&str>, body: Vec<u8>) -> Incoming {
    let mut headers = HeaderMap::new();
    if let Some(ct) = content_type {
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_str(ct).unwrap(),
        );
    }
    Incoming {
        method: Method::POST,
        path: "/v23.0/123/register".to_owned(),
        query,
        headers,
        body: Bytes::from(body),
    }
}

/// Parameter names and values: any text, with the characters that matter to the encodings
/// (`&`, `=`, `+`, `%`, quotes, non-ASCII) made likely.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_]{1,8}",
        "[a-z&=+%\"\\\\ é☃]{0,8}",
        any::<String>().prop_map(|s| s.chars().take(12).collect()),
    ]
}

fn form(pairs: &[(String, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

fn content_type() -> impl Strategy<Value = Option<&'static str>> {
    prop::sample::select(vec![
        None,
        Some("application/json"),
        Some("application/x-www-form-urlencoded"),
        Some("text/plain"),
        Some("application/octet-stream"),
        Some("application/json; charset=utf-8"),
    ])
}

proptest! {
    #![proptest_config(config(256))]

    /// Any query, any body, any of the content types read without an await: an answer, never
    /// a panic.
    #[test]
    fn params_never_panic(
        query in any::<String>().prop_map(|s| s.chars().take(64).collect::<String>()),
        body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..64),
            "[{}\\[\\]\":,a-z0-9 &=%+]{0,48}".prop_map(String::into_bytes),
        ],
        ct in content_type(),
    ) {
        let req = incoming(query, ct, body);
        if let Some(Ok(p)) = Params::from_request_now(&req) {
            for k in p.keys() {
                let _ = (p.text(k), p.bool(k), p.list(k), p.json(k));
            }
        }
    }

    /// What was sent is read back, the body's value wins over the query's for one name, and
    /// the last of a repeated query name wins.
    #[test]
    fn params_read_back_body_wins(
        query in prop::collection::vec((text(), text()), 0..24),
        body in prop::collection::btree_map(text(), prop_oneof![
            text().prop_map(Value::String),
            any::<i64>().prop_map(Value::from),
            any::<bool>().prop_map(Value::from),
        ], 0..24),
        as_json in any::<bool>(),
    ) {
        let mut expected: BTreeMap<String, Param> = BTreeMap::new();
        for (k, v) in &query {
            expected.insert(k.clone(), Param::Text(v.clone()));
        }
        let (ct, bytes) = if as_json {
            let object: serde_json::Map<String, Value> =
                body.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            for (k, v) in &body {
                let p = match v {
                    Value::String(s) => Param::Text(s.clone()),
                    other => Param::Json(other.clone()),
                };
                expected.insert(k.clone(), p);
            }
            ("application/json", serde_json::to_vec(&Value::Object(object)).unwrap())
        } else {
            let pairs: Vec<(String, String)> = body
                .iter()
                .map(|(k, v)| {
                    let text = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), text)
                })
                .collect();
            for (k, v) in &pairs {
                expected.insert(k.clone(), Param::Text(v.clone()));
            }
            ("application/x-www-form-urlencoded", form(&pairs).into_bytes())
        };
        let req = incoming(form(&query), Some(ct), bytes);
        let p = Params::from_request_now(&req).expect("not multipart").expect("well-formed");
        prop_assert_eq!(p.len(), expected.len());
        for (k, v) in &expected {
            prop_assert_eq!(p.get(k), Some(v), "parameter {:?}", k);
        }
    }
}

const AK: &str = "propAccessKeyId";
const SECRET: &str = "propAccessKeySecret";

fn secrets(ak: &str) -> Option<String> {
    (ak == AK).then(|| SECRET.to_owned())
}

fn signed(query: &[(String, String)], body: &[u8]) -> (String, Vec<(String, String)>) {
    let pairs: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let call = V3Call {
        host: "127.0.0.1:8787",
        action: "SendChatappMessage",
        query: &pairs,
        body,
        content_type: (!body.is_empty()).then_some("application/json"),
        date: "2024-01-01T00:00:00Z",
        nonce: "3f1c4a9e0b7d4d2c9a8b7c6d5e4f3a2b",
        extra_headers: &[("x-wabasim-namespace", "props")],
    };
    let s = call.sign(AK, SECRET);
    (s.raw_query, s.headers)
}

fn check(raw_query: &str, headers: &[(String, String)], body: &[u8]) -> bool {
    let refs: Vec<(&str, &[u8])> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    let req = SignedRequest {
        method: "POST",
        path: "/",
        raw_query,
        headers: &refs,
        body,
    };
    verify(&req, secrets).is_ok()
}

fn sorted(query: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut d = form_decode(query.as_bytes());
    d.sort();
    d
}

/// One byte of `s` replaced by `b`, when that is still text.
fn replaced(s: &str, at: usize, b: u8) -> Option<String> {
    let mut bytes = s.as_bytes().to_vec();
    let at = at % bytes.len().max(1);
    if bytes.is_empty() || bytes[at] == b {
        return None;
    }
    bytes[at] = b;
    String::from_utf8(bytes).ok()
}

proptest! {
    #![proptest_config(config(128))]

    /// Signed by wabasim's own client, verified by its server: any names, any values.
    #[test]
    fn acs3_sign_then_verify(
        query in prop::collection::vec((text().prop_filter("a name", |s| !s.is_empty()), text()), 0..8),
        body in prop::collection::vec(any::<u8>(), 0..32),
    ) {
        let (raw_query, headers) = signed(&query, &body);
        prop_assert!(check(&raw_query, &headers, &body));
    }

    /// A single byte changed anywhere the signature covers (query, body, a signed header,
    /// the signature itself) is refused.
    #[test]
    fn acs3_single_byte_tamper_refused(
        query in prop::collection::vec((text().prop_filter("a name", |s| !s.is_empty()), text()), 1..6),
        body in prop::collection::vec(any::<u8>(), 1..32),
        place in 0usize..4,
        at in any::<usize>(),
        byte in prop::sample::select(b"aZ09-_.~%+&=".to_vec()),
        header in any::<usize>(),
    ) {
        let (raw_query, mut headers) = signed(&query, &body);
        let mut body = body;
        let mut raw = raw_query.clone();
        match place {
            0 => {
                let t = replaced(&raw_query, at, byte);
                prop_assume!(t.as_ref().is_some_and(|t| sorted(t) != sorted(&raw_query)));
                raw = t.unwrap();
            }
            1 => {
                let i = at % body.len();
                body[i] ^= 1 << (at % 8);
            }
            2 => {
                let signed_headers: Vec<usize> = (0..headers.len())
                    .filter(|i| headers[*i].0 != "authorization" && headers[*i].0 != "host")
                    .collect();
                let i = signed_headers[header % signed_headers.len()];
                let t = replaced(&headers[i].1, at, byte);
                prop_assume!(t.as_ref().is_some_and(|t| t.trim() != headers[i].1.trim()));
                headers[i].1 = t.unwrap();
            }
            _ => {
                let i = headers.iter().position(|(n, _)| n == "authorization").unwrap();
                let sig_at = headers[i].1.rfind("Signature=").unwrap() + "Signature=".len();
                let len = headers[i].1.len() - sig_at;
                let t = replaced(&headers[i].1, sig_at + at % len, byte);
                prop_assume!(t.as_ref().is_some_and(|t| !t.eq_ignore_ascii_case(&headers[i].1)));
                headers[i].1 = t.unwrap();
            }
        }
        prop_assert!(!check(&raw, &headers, &body));
    }
}

/// Fixture-like text: YAML and JSON punctuation, the fixture's own keys, and numbers.
fn fixture_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("\n".to_owned()),
        Just("  ".to_owned()),
        Just("- ".to_owned()),
        Just(": ".to_owned()),
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(", ".to_owned()),
        Just("\"".to_owned()),
        Just("&a ".to_owned()),
        Just("*a".to_owned()),
        Just("!!str ".to_owned()),
        Just("<<: ".to_owned()),
        prop::sample::select(vec![
            "businesses",
            "wabas",
            "phone_numbers",
            "apps",
            "partners",
            "tokens",
            "templates",
            "id",
            "waba",
            "business",
            "display_phone_number",
            "settings",
            "clock",
            "name",
        ])
        .prop_map(str::to_owned),
        "[0-9]{1,16}",
        "[a-z]{1,6}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(token, 0..48).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(config(192))]

    /// Any text, YAML or JSON: a fixture, or an error that names its origin and says why
    /// (with a line whenever it has a column); never a panic.
    #[test]
    fn fixture_parse_answers(text in prop_oneof![fixture_text(), any::<String>()]) {
        match Fixture::parse(&text, "prop.yaml") {
            Ok(_) => {}
            Err(e) => {
                prop_assert_eq!(&e.origin, "prop.yaml");
                prop_assert!(!e.message.is_empty());
                prop_assert!(e.column.is_none() || e.line.is_some());
                prop_assert!(e.to_string().starts_with("prop.yaml"));
            }
        }
    }
}
