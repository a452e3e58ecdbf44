//! What the signature tests share: the reference's AccessKey pair and the fixed header set of
//! its vectors (§4.2), and, for the property tests, a seeded generator and the equivalent wire
//! encodings of a parameter list.

use super::encoding::percent_encode_into;
use super::{SignatureError, SignedRequest, Verified, content_sha256_hex, verify};

pub(super) const AK: &str = "testAccessKeyId";
pub(super) const SECRET: &str = "testAccessKeySecret";
pub(super) const SIGNED_NO_BODY: &str = "accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version";

pub(super) fn secrets(ak: &str) -> Option<String> {
    (ak == AK).then(|| SECRET.to_owned())
}

/// The fixed header set of §4.2 plus the per-vector ones.
pub(super) fn vector_headers(
    action: &str,
    body: &[u8],
    content_type: Option<&str>,
) -> Vec<(String, String)> {
    let mut h: Vec<(String, String)> = [
        ("host", "127.0.0.1:8080"),
        ("x-acs-version", "2020-06-06"),
        (
            "user-agent",
            "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2",
        ),
        ("x-acs-date", "2024-01-01T00:00:00Z"),
        ("x-acs-signature-nonce", "3f1c4a9e0b7d4d2c9a8b7c6d5e4f3a2b"),
        ("accept", "application/json"),
        ("x-acs-credentials-provider", "static_ak"),
        ("x-acs-action", action),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
    .collect();
    if let Some(ct) = content_type {
        h.push(("content-type".to_owned(), ct.to_owned()));
    }
    h.push(("x-acs-content-sha256".to_owned(), content_sha256_hex(body)));
    h
}

/// Header pairs as a [`SignedRequest`] borrows them.
pub(super) fn as_refs<V: AsRef<[u8]>>(headers: &[(String, V)]) -> Vec<(&str, &[u8])> {
    headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_ref()))
        .collect()
}

/// A `POST /`, as the SDKs send every call.
pub(super) fn post<'a>(
    raw_query: &'a str,
    headers: &'a [(&'a str, &'a [u8])],
    body: &'a [u8],
) -> SignedRequest<'a> {
    SignedRequest {
        method: "POST",
        path: "/",
        raw_query,
        headers,
        body,
    }
}

/// `req` with an `Authorization` header added, verified with [`secrets`].
pub(super) fn verify_with_authorization(
    req: &SignedRequest<'_>,
    authorization: &str,
) -> Result<Verified, SignatureError> {
    let mut headers = req.headers.to_vec();
    headers.push(("authorization", authorization.as_bytes()));
    verify(
        &SignedRequest {
            headers: &headers,
            ..*req
        },
        secrets,
    )
}

// ---- property tests: a seeded loop, so failures reproduce without extra dependencies ----

/// xorshift64*: tiny, deterministic, good enough to pick mutations.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub(super) fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
    /// Up to `max` bytes, biased towards the characters encoders treat specially.
    pub(super) fn bytes(&mut self, max: usize, extra: &[u8]) -> Vec<u8> {
        const SPECIAL: &[u8] = b" +/~*%&=?#._-,;:\"{}";
        let len = self.below(max + 1);
        (0..len)
            .map(|_| match self.below(4) {
                0 if !extra.is_empty() => extra[self.below(extra.len())],
                1 => SPECIAL[self.below(SPECIAL.len())],
                2 => self.next() as u8,
                _ => b"abcXYZ019"[self.below(9)],
            })
            .collect()
    }
    pub(super) fn text(&mut self, max: usize) -> String {
        let mut s = String::from_utf8_lossy(&self.bytes(max, "é漢".as_bytes())).into_owned();
        if self.chance(4) {
            s.push('\u{1F600}');
        }
        s
    }
    /// A header value as HTTP would carry it: visible bytes, no surrounding or repeated-list commas.
    pub(super) fn header_value(&mut self) -> Vec<u8> {
        let mut v: Vec<u8> = (0..1 + self.below(40))
            .map(|_| match self.below(8) {
                0 => 0x80 + self.below(0x7f) as u8,
                1 => b' ',
                _ => b'!' + self.below(94) as u8,
            })
            .filter(|b| *b != b',')
            .collect();
        while v.first() == Some(&b' ') || v.last() == Some(&b' ') {
            v.retain(|b| *b != b' ');
        }
        if v.is_empty() {
            v.push(b'x');
        }
        v
    }
    /// Change one byte to a different value.
    pub(super) fn mutate(&mut self, target: &mut Vec<u8>) {
        if target.is_empty() {
            target.push(b'x');
            return;
        }
        let i = self.below(target.len());
        let delta = 1 + self.below(255) as u8;
        target[i] = target[i].wrapping_add(delta);
    }
}

/// Runs 1500 rounds of a property test on a generator seeded with `seed`. Each round is given
/// its number and the generator, and answers which of the `N` kinds of change it tried; the
/// answer is how often each kind was tried.
pub(super) fn property_rounds<const N: usize>(
    seed: u64,
    mut round: impl FnMut(usize, &mut Rng) -> usize,
) -> [usize; N] {
    let mut rng = Rng(seed);
    let mut tried = [0usize; N];
    for r in 0..1500 {
        tried[round(r, &mut rng)] += 1;
    }
    tried
}

/// Wire encodings that all decode to the same pairs: RFC 3986, Python `urlencode`, lower-case hex.
pub(super) fn wire_encode(pairs: &[(Vec<u8>, Vec<u8>)], style: usize) -> String {
    let enc = |bytes: &[u8]| {
        let mut s = String::new();
        percent_encode_into(&mut s, bytes);
        match style {
            1 => s.replace("%20", "+"),
            2 => {
                // Lower-case the hex digits of every escape.
                let mut out = String::with_capacity(s.len());
                let mut escape = 0;
                for c in s.chars() {
                    if c == '%' {
                        escape = 2;
                        out.push(c);
                    } else if escape > 0 {
                        escape -= 1;
                        out.push(c.to_ascii_lowercase());
                    } else {
                        out.push(c);
                    }
                }
                out
            }
            _ => s,
        }
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}
