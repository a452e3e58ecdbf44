//! Request signatures for the Alibaba Cloud ChatApp (`cams`, API 2020-06-06) facade.
//!
//! This module owns exactly one thing: deciding whether a request was signed with a known
//! AccessKey secret, and producing such signatures for wabasim's own scenario runner. It knows
//! nothing about HTTP libraries, operations or error envelopes; the caller splits the request
//! from its transport into a [`SignedRequest`] and turns a [`SignatureError`] into a reply
//! (see [`SignatureError::code`], [`SignatureError::http_status`], [`SignatureError::message`]).
//!
//! This file holds the public types, the constants and the entry points ([`detect_scheme`],
//! [`verify`]); its tests put captured SDK traffic and malformed input through [`verify`]. The
//! rest is one file per concern:
//! * `v3.rs`: ACS3-HMAC-SHA256, its canonical request, verification and signing ([`V3Call`]);
//! * `v2.rs`: the legacy HMAC-SHA1 RPC signature;
//! * `encoding.rs`: percent-encoding, query and form decoding to bytes, canonical parameters;
//! * `test_support.rs` (tests only): the reference's keys and headers, the seeded generator.
//!
//! Wire reference: `shared/reference/alibaba-cams.md`
//! * §4.1: ACS3-HMAC-SHA256 ("V3"), the default of every current SDK;
//! * §4.2: test vectors A, B and C (reproduced in the tests of `v3.rs`);
//! * §4.4: the legacy HMAC-SHA1 RPC signature ("V2", `signature_algorithm='v2'`);
//! * §3.2 and §3.3: query encoding and the old SDKs' form bodies;
//! * §6.2: the gateway error codes the caller should answer with.
//!
//! Deliberate choices, each made so that the unmodified Python SDK passes and a tampered request
//! does not (those about one scheme, or about encoding, are in the doc of the file that makes
//! them):
//! * Signatures are compared with `hmac`'s constant-time `verify_slice`.
//! * Clock skew and nonce reuse (§4.1 step 7) are left to the caller, which owns time and state;
//!   [`Verified`] hands back the timestamp and nonce for that.
//!
//! Signing a call from wabasim's own client (V3):
//! ```text
//! let call = V3Call {
//!     host: "127.0.0.1:8787",
//!     action: "QueryChatappBindWaba",
//!     query: &[("CustSpaceId", "cams-acme")],
//!     body: b"",
//!     content_type: None,
//!     date: "2026-01-01T00:00:00Z",
//!     nonce: "0123456789abcdef0123456789abcdef",
//!     extra_headers: &[],
//! };
//! let signed = call.sign("wabasim-ak", "wabasim-secret");
//! // POST /?{signed.raw_query} with every (name, value) of signed.headers, body unchanged.
//! ```

mod encoding;
#[cfg(test)]
mod test_support;
mod v2;
mod v3;

pub use self::encoding::{content_sha256_hex, encode_query, form_decode};
pub use self::v2::sign_v2;
pub use self::v3::{SignedCall, V3Call, sign_v3};

use std::fmt;

/// The V3 algorithm every SDK uses unless configured otherwise (§4.1).
pub const V3_ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// The API version this facade impersonates, sent as `x-acs-version` (V3) or `Version` (V2).
pub const API_VERSION: &str = "2020-06-06";

/// SHA-256 of the empty body, which is what every SDK 5.x request carries.
pub const EMPTY_BODY_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Headers that must be covered by a V3 signature; `content-type` joins them when the body is not
/// empty. Without these a captured signature could be replayed against another operation, version,
/// host or body.
pub const REQUIRED_SIGNED_HEADERS: [&str; 6] = [
    "host",
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
];

/// What the verifier needs from a request, already split from the transport.
///
/// Header names are matched case-insensitively; a name may repeat. Values are bytes because HTTP
/// allows non-UTF-8 header values and the signature is computed over bytes anyway.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    /// The request method as received, e.g. `POST`.
    pub method: &'a str,
    /// The path as received, without the query; `/` for every RPC call.
    pub path: &'a str,
    /// The query as received on the wire, without the leading `?`.
    pub raw_query: &'a str,
    /// Every header of the request, in any order.
    pub headers: &'a [(&'a str, &'a [u8])],
    /// The raw body bytes.
    pub body: &'a [u8],
}

impl<'a> SignedRequest<'a> {
    fn header_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a [u8]> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    fn single_header(&self, name: &str) -> Option<&'a [u8]> {
        self.header_values(name).next()
    }

    fn is_form_body(&self) -> bool {
        self.single_header("content-type").is_some_and(|ct| {
            let essence = ct.split(|b| *b == b';').next().unwrap_or_default();
            essence
                .trim_ascii()
                .eq_ignore_ascii_case(b"application/x-www-form-urlencoded")
        })
    }

    /// The parameters a V2 signature covers (§4.4 step 1), and the RPC parameter set in general
    /// (§3.3): the query, then the form body when the body is form-encoded.
    pub fn rpc_params(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut params = form_decode(self.raw_query.as_bytes());
        if self.is_form_body() {
            params.extend(form_decode(self.body));
        }
        params
    }
}

/// Which signature scheme a request uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// ACS3-HMAC-SHA256 in the `Authorization` header (§4.1).
    V3,
    /// HMAC-SHA1 with `Signature`, `AccessKeyId` and `SignatureMethod` parameters (§4.4).
    V2,
}

/// A request whose signature checked out, with the signed facts the caller still needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub scheme: Scheme,
    pub access_key_id: String,
    /// `x-acs-action` (V3) or the `Action` parameter (V2).
    pub action: Option<String>,
    /// `x-acs-version` (V3) or the `Version` parameter (V2).
    pub version: Option<String>,
    /// `x-acs-date` (V3) or the `Timestamp` parameter (V2), for a clock-skew check.
    pub timestamp: Option<String>,
    /// `x-acs-signature-nonce` (V3) or the `SignatureNonce` parameter (V2), for a replay check.
    pub nonce: Option<String>,
}

/// Why a request was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// The request is not signed, or not in a form either scheme allows; the reason says what.
    IncompleteSignature(String),
    /// A recognised but unsupported algorithm (`ACS3-HMAC-SM3`, `ACS3-RSA-SHA256`, a V2
    /// `SignatureMethod` other than HMAC-SHA1).
    UnsupportedAlgorithm(String),
    /// No secret is known for this AccessKey ID.
    UnknownAccessKey(String),
    /// `SignedHeaders` names a header the request does not carry.
    MissingSignedHeader(String),
    /// `x-acs-content-sha256` does not describe the body received.
    ContentHashMismatch { computed: String, received: String },
    /// The signature does not match. `string_to_sign` is what the server signed; the gateway echoes
    /// it in its message so a client author can diff it with their own.
    SignatureMismatch {
        string_to_sign: String,
        /// The V3 canonical request, or the V2 canonicalized parameter string, for logs.
        canonical: String,
    },
}

impl SignatureError {
    /// The gateway error code to send (§6.2).
    pub fn code(&self) -> &'static str {
        match self {
            Self::IncompleteSignature(_)
            | Self::UnsupportedAlgorithm(_)
            | Self::MissingSignedHeader(_) => "IncompleteSignature",
            Self::UnknownAccessKey(_) => "InvalidAccessKeyId.NotFound",
            // No source shows a dedicated code for a body-hash mismatch; a signature failure is what
            // a client can act on.
            Self::ContentHashMismatch { .. } | Self::SignatureMismatch { .. } => {
                "SignatureDoesNotMatch"
            }
        }
    }

    /// The HTTP status the gateway uses for [`Self::code`] (§6.2).
    pub fn http_status(&self) -> u16 {
        match self {
            Self::UnknownAccessKey(_) => 404,
            _ => 400,
        }
    }

    /// The gateway-style message, for the `Message` field of the error envelope (§6.2).
    pub fn message(&self) -> String {
        match self {
            Self::IncompleteSignature(reason) => {
                format!("The request signature does not conform to Aliyun standards. {reason}")
            }
            Self::UnsupportedAlgorithm(alg) => format!(
                "The request signature does not conform to Aliyun standards. Unsupported signature algorithm: {alg}"
            ),
            Self::MissingSignedHeader(name) => format!(
                "The request signature does not conform to Aliyun standards. Signed header \"{name}\" is not present in the request."
            ),
            // alibaba-cams-errors.md L9 [seen, other product]: the newer gateway text.
            Self::UnknownAccessKey(_) => "Specified access key is not found or invalid.".to_owned(),
            Self::ContentHashMismatch { computed, .. } => format!(
                "Specified signature is not matched with our calculation. x-acs-content-sha256 does not match the request body, server computed:{computed}"
            ),
            Self::SignatureMismatch { string_to_sign, .. } => format!(
                "Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}"
            ),
        }
    }
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for SignatureError {}

/// Tell which scheme a request claims to use, without checking it.
///
/// An `Authorization` header means V3 even if malformed, so that a broken V3 client hears about its
/// header rather than about missing V2 parameters.
pub fn detect_scheme(req: &SignedRequest) -> Result<Scheme, SignatureError> {
    if req.single_header("authorization").is_some() {
        return Ok(Scheme::V3);
    }
    let params = req.rpc_params();
    let has = |name: &str| params.iter().any(|(k, _)| k == name.as_bytes());
    match (has("Signature"), has("AccessKeyId"), has("SignatureMethod")) {
        (true, true, true) => Ok(Scheme::V2),
        (false, false, false) => Err(SignatureError::IncompleteSignature(
            "The request carries neither an Authorization header nor a Signature parameter."
                .to_owned(),
        )),
        (sig, ak, _) => {
            let missing = if !sig {
                "Signature"
            } else if !ak {
                "AccessKeyId"
            } else {
                "SignatureMethod"
            };
            Err(SignatureError::IncompleteSignature(format!(
                "The input parameter \"{missing}\" that is mandatory for a signed request is not supplied."
            )))
        }
    }
}

/// Verify a request signed with either scheme, looking secrets up by AccessKey ID.
pub fn verify(
    req: &SignedRequest,
    secret_for: impl Fn(&str) -> Option<String>,
) -> Result<Verified, SignatureError> {
    match detect_scheme(req)? {
        Scheme::V3 => v3::verify_v3(req, secret_for),
        Scheme::V2 => v2::verify_v2(req, secret_for),
    }
}

/// The schemes' shorthand for a [`SignatureError::IncompleteSignature`].
fn incomplete(reason: impl Into<String>) -> SignatureError {
    SignatureError::IncompleteSignature(reason.into())
}

/// Bytes as text for a message or a [`Verified`] field; the signature itself is never computed
/// over this.
fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::test_support::{AK, Rng, SIGNED_NO_BODY, as_refs, post, secrets, vector_headers};
    use super::*;

    /// `tests/data/cams_sdk_capture.tsv`: 33 raw requests the real SDKs (5.3.1 and 1.4.0, V3
    /// and V2, query and form bodies, non-ASCII JSON) sent to a logging server (secret
    /// `wabasim-secret`) through the whole flow, so that the verifier is pinned to what the
    /// SDKs do and not only to the reference's recipe. One per line: method, path, query, hex
    /// body, `hexname:hexvalue;...` headers.
    struct Captured {
        method: &'static str,
        path: &'static str,
        query: &'static str,
        body: Vec<u8>,
        headers: Vec<(String, Vec<u8>)>,
    }

    fn sdk_capture() -> Vec<Captured> {
        fn unhex(s: &str) -> Vec<u8> {
            crate::digest::hex_decode_lower(s).unwrap()
        }
        let text = include_str!("../../../../tests/data/cams_sdk_capture.tsv");
        text.lines()
            .map(|line| {
                let f: Vec<&str> = line.split('\t').collect();
                let headers = f[4]
                    .split(';')
                    .filter(|h| !h.is_empty())
                    .map(|h| {
                        let (n, v) = h.split_once(':').unwrap();
                        (String::from_utf8(unhex(n)).unwrap(), unhex(v))
                    })
                    .collect();
                Captured {
                    method: f[0],
                    path: f[1],
                    query: f[2],
                    body: unhex(f[3]),
                    headers,
                }
            })
            .collect()
    }

    /// Verifies a captured request with `secret_for`.
    fn verify_captured(
        c: &Captured,
        secret_for: impl Fn(&str) -> Option<String>,
    ) -> Result<Verified, SignatureError> {
        let refs = as_refs(&c.headers);
        let req = SignedRequest {
            method: c.method,
            path: c.path,
            ..post(c.query, &refs, &c.body)
        };
        verify(&req, secret_for)
    }

    fn wabasim(ak: &str) -> Option<String> {
        (ak == "wabasim-ak").then(|| "wabasim-secret".to_owned())
    }

    /// Four requests of the capture, one of each kind: SDK 5.3.1 V3 ListChatappTemplate with
    /// the x-wabasim-namespace header added through Config.global_parameters; SDK 5.3.1 V3
    /// CreateChatappTemplate with non-ASCII and reserved characters in JSON-shrunk parameters;
    /// SDK 1.4.0 V3 GetPhoneNumberVerificationStatus with a form body; SDK 1.4.0 V2 (HMAC-SHA1)
    /// CreateChatappTemplate with a form body. Each verifies, and not with another secret.
    #[test]
    fn captured_sdk_requests_verify() {
        let capture = sdk_capture();
        let schemes: Vec<Scheme> = [6, 27, 25, 30]
            .iter()
            .map(|&line| {
                let c = &capture[line];
                let verified = verify_captured(c, wabasim).unwrap_or_else(|e| panic!("{e}"));
                assert!(verify_captured(c, |_| Some("other".to_owned())).is_err());
                verified.scheme
            })
            .collect();
        assert_eq!(schemes, [Scheme::V3, Scheme::V3, Scheme::V3, Scheme::V2]);
    }

    /// Every request of the capture verifies with `wabasim-secret` but the one the flow sent
    /// with a wrong secret on purpose.
    #[test]
    fn the_whole_sdk_capture_verifies() {
        let (mut accepted, mut schemes, mut rejected) = (0, Vec::new(), Vec::new());
        for c in &sdk_capture() {
            match verify_captured(c, wabasim) {
                Ok(v) => {
                    accepted += 1;
                    schemes.push(v.scheme);
                }
                Err(e) => rejected.push(e.code()),
            }
        }
        assert_eq!(accepted, 32);
        assert_eq!(rejected, ["SignatureDoesNotMatch"]);
        assert!(schemes.contains(&Scheme::V2) && schemes.contains(&Scheme::V3));
    }

    #[test]
    fn malformed_inputs_are_rejected_without_panicking() {
        let base = vector_headers("QueryChatappBindWaba", b"", None);
        let sig64 = "0".repeat(64);
        let good_prefix =
            format!("ACS3-HMAC-SHA256 Credential={AK},SignedHeaders={SIGNED_NO_BODY},Signature=");
        let authorizations: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"ACS3-HMAC-SHA256".to_vec(),
            b"ACS3-HMAC-SHA256 ".to_vec(),
            b"ACS3-HMAC-SHA256 Credential".to_vec(),
            b"ACS3-HMAC-SHA256 Credential=,SignedHeaders=,Signature=".to_vec(),
            b"ACS3-HMAC-SHA256 Credential=a,Credential=b,SignedHeaders=host,Signature=00".to_vec(),
            format!("ACS3-HMAC-SHA256 Credential={AK},SignedHeaders=;;;,Signature={sig64}")
                .into_bytes(),
            format!("ACS3-HMAC-SHA256 Credential={AK},SignedHeaders=host,Signature={sig64}")
                .into_bytes(),
            format!("{good_prefix}zz").into_bytes(),
            format!("{good_prefix}0").into_bytes(),
            format!("{good_prefix}\u{e9}\u{e9}").into_bytes(),
            format!("{good_prefix}{sig64}").into_bytes(),
            format!("ACS3-HMAC-SM3 Credential={AK},SignedHeaders=host,Signature=00").into_bytes(),
            b"acs testAccessKeyId:abc=".to_vec(),
            b"Bearer token".to_vec(),
            b"ACS3-HMAC-SHA256 \xff\xfe".to_vec(),
            vec![0xff; 300],
        ];
        for auth in &authorizations {
            let mut refs = as_refs(&base);
            refs.push(("authorization", auth));
            for query in [
                "",
                "%",
                "%%%",
                "a=%zz&=&&",
                "k=%FF%FE%e9",
                "\u{1F600}=\u{0}",
                "Signature&AccessKeyId",
            ] {
                for body in [&b""[..], b"\xff\x00garbage"] {
                    let req = post(query, &refs, body);
                    assert!(
                        verify(&req, secrets).is_err(),
                        "accepted {:?} {query:?}",
                        lossy(auth)
                    );
                }
            }
        }
    }

    #[test]
    fn stray_bytes_are_rejected_without_panicking() {
        let base = vector_headers("QueryChatappBindWaba", b"", None);
        let mut rng = Rng(0x5eed_0bad_f00d);
        for _ in 0..2000 {
            let junk = rng.bytes(64, &[]);
            let query = String::from_utf8_lossy(&rng.bytes(64, b"%&=+")).into_owned();
            let mut refs = as_refs(&base);
            refs.push(("authorization", &junk));
            let req = post(&query, &refs, &junk);
            assert!(verify(&req, secrets).is_err());
            assert!(
                verify(
                    &SignedRequest {
                        headers: &as_refs(&base),
                        ..req
                    },
                    secrets
                )
                .is_err()
            );
        }
    }
}
