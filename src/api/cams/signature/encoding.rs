//! The encodings both schemes are written in (reference §3.2, §3.3, §4.1): RFC 3986
//! percent-encoding, `application/x-www-form-urlencoded` decoding to bytes, the canonical
//! (decoded, sorted, re-encoded) parameter string, and the body's SHA-256 (hex comes from
//! `crate::digest`).
//!
//! Deliberate choices, so that the unmodified Python SDK passes and a tampered request does not:
//! * Query strings and form bodies are decoded to **bytes**, never lossily to text, so any change to
//!   a parameter's bytes changes the canonical string. The SDK only ever sends UTF-8, for which this
//!   is identical to the Python reference verifier in §4.1.
//! * Decoded pairs are sorted before encoding, by key then value, because that is what the SDK does
//!   (it sorts its own unencoded keys) and sorting encoded text can order `.` and `/` differently.

use sha2::{Digest, Sha256};

use crate::digest::{hex_lower, hex_value};

/// Canonical query of §4.1: form-decode, sort the decoded pairs, RFC 3986-encode both halves.
pub(super) fn canonical_query(raw_query: &str) -> String {
    let mut pairs = form_decode(raw_query.as_bytes());
    pairs.sort();
    join_encoded(&pairs)
}

pub(super) fn join_encoded(pairs: &[(Vec<u8>, Vec<u8>)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent_encode_into(&mut out, k);
        out.push('=');
        percent_encode_into(&mut out, v);
    }
    out
}

/// Lower-case hex SHA-256 of `body`, the value of `x-acs-content-sha256`.
pub fn content_sha256_hex(body: &[u8]) -> String {
    hex_lower(&Sha256::digest(body))
}

/// Encode decoded parameters for the wire with RFC 3986 rules, which every form decoder reads back
/// unchanged.
pub fn encode_query(pairs: &[(&str, &str)]) -> String {
    let owned: Vec<(Vec<u8>, Vec<u8>)> = pairs
        .iter()
        .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
        .collect();
    join_encoded(&owned)
}

/// `application/x-www-form-urlencoded` decoding to bytes: `+` is a space, `%XY` is a byte, and a
/// `%` not followed by two hex digits stays literal (as in Python's `parse_qsl` and WHATWG).
/// Empty segments are skipped and a segment without `=` has an empty value.
pub fn form_decode(input: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    input
        .split(|b| *b == b'&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let mut halves = segment.splitn(2, |b| *b == b'=');
            let key = halves.next().unwrap_or_default();
            let value = halves.next().unwrap_or_default();
            (percent_decode_plus(key), percent_decode_plus(value))
        })
        .collect()
}

fn percent_decode_plus(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = input.get(i + 1).copied().and_then(hex_value);
                let lo = input.get(i + 2).copied().and_then(hex_value);
                if let (Some(hi), Some(lo)) = (hi, lo) {
                    out.push(hi << 4 | lo);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            _ => out.push(b),
        }
        i += 1;
    }
    out
}

/// RFC 3986: unreserved bytes stay, everything else becomes upper-case `%XX` (§4.1).
pub(super) fn percent_encode_into(out: &mut String, bytes: &[u8]) {
    const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
            out.push(char::from(HEX_UPPER[usize::from(b & 0x0f)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding_matches_python_parse_qsl() {
        type Pairs = &'static [(&'static [u8], &'static [u8])];
        let cases: &[(&str, Pairs)] = &[
            ("a=1&b=2", &[(b"a", b"1"), (b"b", b"2")]),
            ("a+b=c+d", &[(b"a b", b"c d")]),
            ("a=%2B%2a%7e", &[(b"a", b"+*~")]),
            ("a=%zz%4", &[(b"a", b"%zz%4")]),
            ("a=%", &[(b"a", b"%")]),
            ("&&a&&=&b=", &[(b"a", b""), (b"", b""), (b"b", b"")]),
            ("a=b=c", &[(b"a", b"b=c")]),
            ("k=%FF%fe", &[(b"k", b"\xff\xfe")]),
            ("k=\u{e9}", &[(b"k", b"\xc3\xa9")]),
        ];
        for (input, expected) in cases {
            let got = form_decode(input.as_bytes());
            let expected: Vec<(Vec<u8>, Vec<u8>)> = expected
                .iter()
                .map(|(k, v)| (k.to_vec(), v.to_vec()))
                .collect();
            assert_eq!(got, expected, "{input}");
        }
        // Sorting happens on decoded bytes, as the SDK sorts its unencoded keys: "." < "/".
        assert_eq!(canonical_query("k=a%2F&k=a."), "k=a.&k=a%2F");
    }
}
