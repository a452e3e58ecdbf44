//! Request signatures for the Alibaba Cloud ChatApp (`cams`, API 2020-06-06) facade.
//!
//! This module owns exactly one thing: deciding whether a request was signed with a known
//! AccessKey secret, and producing such signatures for wabasim's own scenario runner. It knows
//! nothing about HTTP libraries, operations or error envelopes; the caller splits the request
//! from its transport into a [`SignedRequest`] and turns a [`SignatureError`] into a reply
//! (see [`SignatureError::code`], [`SignatureError::http_status`], [`SignatureError::message`]).
//!
//! Wire reference: `shared/reference/alibaba-cams.md`
//! * §4.1: ACS3-HMAC-SHA256 ("V3"), the default of every current SDK;
//! * §4.2: test vectors A, B and C (reproduced in the tests below);
//! * §4.4: the legacy HMAC-SHA1 RPC signature ("V2", `signature_algorithm='v2'`);
//! * §3.2 and §3.3: query encoding and the old SDKs' form bodies;
//! * §6.2: the gateway error codes the caller should answer with.
//!
//! Deliberate choices, each made so that the unmodified Python SDK passes and a tampered request
//! does not:
//! * V3 verification follows the `SignedHeaders` list received, because the Python SDK signs every
//!   header it sets (`accept`, `user-agent`, ...) while other SDKs sign fewer. A minimum set must be
//!   signed ([`REQUIRED_SIGNED_HEADERS`], plus `content-type` when there is a body), otherwise the
//!   action, version or body could be swapped under a valid signature.
//! * Query strings and form bodies are decoded to **bytes**, never lossily to text, so any change to
//!   a parameter's bytes changes the canonical string. The SDK only ever sends UTF-8, for which this
//!   is identical to the Python reference verifier in §4.1.
//! * Decoded pairs are sorted before encoding, by key then value, because that is what the SDK does
//!   (it sorts its own unencoded keys) and sorting encoded text can order `.` and `/` differently.
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

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
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
            Self::UnknownAccessKey(_) => "Specified access key is not found.".to_owned(),
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
        Scheme::V3 => verify_v3(req, secret_for),
        Scheme::V2 => verify_v2(req, secret_for),
    }
}

// ---------------------------------------------------------------------------------------------
// V3: ACS3-HMAC-SHA256 (§4.1)
// ---------------------------------------------------------------------------------------------

struct V3Authorization<'a> {
    credential: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

fn incomplete(reason: impl Into<String>) -> SignatureError {
    SignatureError::IncompleteSignature(reason.into())
}

fn parse_v3_authorization<'a>(value: &'a [u8]) -> Result<V3Authorization<'a>, SignatureError> {
    let value = std::str::from_utf8(value)
        .map_err(|_| incomplete("The Authorization header is not valid UTF-8."))?
        .trim();
    // Exactly one space, as every SDK writes it: a lenient split would let a tampered header pass.
    let (algorithm, rest) = value.split_once(' ').unwrap_or((value, ""));
    if algorithm != V3_ALGORITHM {
        return Err(if algorithm.starts_with("ACS3-") {
            SignatureError::UnsupportedAlgorithm(algorithm.to_owned())
        } else {
            incomplete(format!(
                "The Authorization header must start with {V3_ALGORITHM}."
            ))
        });
    }
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, val) = part.split_once('=').ok_or_else(|| {
            incomplete(format!(
                "Malformed Authorization component \"{part}\": expected key=value."
            ))
        })?;
        let slot = match key.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            // Future components must not break old verifiers.
            _ => continue,
        };
        if slot.replace(val.trim()).is_some() {
            return Err(incomplete(format!(
                "The Authorization component \"{}\" appears more than once.",
                key.trim()
            )));
        }
    }
    let need = |slot: Option<&'a str>, name: &str| {
        slot.filter(|v| !v.is_empty()).ok_or_else(|| {
            incomplete(format!(
                "The Authorization header lacks a non-empty \"{name}\" component."
            ))
        })
    };
    Ok(V3Authorization {
        credential: need(credential, "Credential")?,
        signed_headers: need(signed_headers, "SignedHeaders")?,
        signature: need(signature, "Signature")?,
    })
}

fn split_signed_headers(signed_headers: &str) -> Result<Vec<&str>, SignatureError> {
    let names: Vec<&str> = signed_headers.split(';').collect();
    if names.iter().any(|n| n.is_empty()) {
        return Err(incomplete(format!(
            "SignedHeaders \"{signed_headers}\" contains an empty header name."
        )));
    }
    Ok(names)
}

fn check_required_signed(req: &SignedRequest, names: &[&str]) -> Result<(), SignatureError> {
    let content_type = (!req.body.is_empty()).then_some("content-type");
    for required in REQUIRED_SIGNED_HEADERS.into_iter().chain(content_type) {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(required)) {
            return Err(incomplete(format!(
                "The header \"{required}\" must be included in SignedHeaders."
            )));
        }
    }
    Ok(())
}

/// Canonical query of §4.1: form-decode, sort the decoded pairs, RFC 3986-encode both halves.
fn canonical_query(raw_query: &str) -> String {
    let mut pairs = form_decode(raw_query.as_bytes());
    pairs.sort();
    join_encoded(&pairs)
}

fn join_encoded(pairs: &[(Vec<u8>, Vec<u8>)]) -> String {
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

/// One `name:value\n` line per signed name, in the order the client listed them.
fn canonical_headers(req: &SignedRequest, names: &[&str]) -> Result<Vec<u8>, SignatureError> {
    let mut out = Vec::new();
    for name in names {
        let mut values: Vec<&[u8]> = req.header_values(name).map(<[u8]>::trim_ascii).collect();
        if values.is_empty() {
            return Err(SignatureError::MissingSignedHeader((*name).to_owned()));
        }
        values.sort_unstable();
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        out.extend_from_slice(&values.join(&b","[..]));
        out.push(b'\n');
    }
    Ok(out)
}

fn canonical_request_v3(
    req: &SignedRequest,
    names: &[&str],
    signed_headers: &str,
    payload_hash: &str,
) -> Result<Vec<u8>, SignatureError> {
    let path = if req.path.is_empty() { "/" } else { req.path };
    let mut out = Vec::with_capacity(512);
    for part in [req.method.as_bytes(), path.as_bytes()] {
        out.extend_from_slice(part);
        out.push(b'\n');
    }
    out.extend_from_slice(canonical_query(req.raw_query).as_bytes());
    out.push(b'\n');
    out.extend_from_slice(&canonical_headers(req, names)?);
    out.push(b'\n');
    out.extend_from_slice(signed_headers.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(payload_hash.as_bytes());
    Ok(out)
}

fn string_to_sign_v3(canonical_request: &[u8]) -> String {
    format!(
        "{V3_ALGORITHM}\n{}",
        hex_lower(&Sha256::digest(canonical_request))
    )
}

fn hmac_sha256(secret: &str) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length")
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn verify_v3(
    req: &SignedRequest,
    secret_for: impl Fn(&str) -> Option<String>,
) -> Result<Verified, SignatureError> {
    let mut auth_headers = req.header_values("authorization");
    let auth_value = auth_headers
        .next()
        .ok_or_else(|| incomplete("The Authorization header is missing."))?;
    if auth_headers.next().is_some() {
        return Err(incomplete(
            "The Authorization header appears more than once.",
        ));
    }
    let auth = parse_v3_authorization(auth_value)?;
    let names = split_signed_headers(auth.signed_headers)?;
    check_required_signed(req, &names)?;
    let secret = secret_for(auth.credential)
        .ok_or_else(|| SignatureError::UnknownAccessKey(auth.credential.to_owned()))?;

    let payload_hash = content_sha256_hex(req.body);
    let creq = canonical_request_v3(req, &names, auth.signed_headers, &payload_hash)?;
    let received: Vec<&[u8]> = req
        .header_values("x-acs-content-sha256")
        .map(<[u8]>::trim_ascii)
        .collect();
    if !matches!(received.as_slice(), [one] if one.eq_ignore_ascii_case(payload_hash.as_bytes())) {
        return Err(SignatureError::ContentHashMismatch {
            computed: payload_hash,
            received: lossy(&received.join(&b","[..])),
        });
    }

    let string_to_sign = string_to_sign_v3(&creq);
    let mut mac = hmac_sha256(&secret);
    mac.update(string_to_sign.as_bytes());
    let matches =
        hex_decode_lower(auth.signature).is_some_and(|sig| mac.verify_slice(&sig).is_ok());
    if !matches {
        return Err(SignatureError::SignatureMismatch {
            string_to_sign,
            canonical: lossy(&creq),
        });
    }
    let header = |name| req.single_header(name).map(lossy);
    Ok(Verified {
        scheme: Scheme::V3,
        access_key_id: auth.credential.to_owned(),
        action: header("x-acs-action"),
        version: header("x-acs-version"),
        timestamp: header("x-acs-date"),
        nonce: header("x-acs-signature-nonce"),
    })
}

/// The value of the `Authorization` header for `req`, signing every header it carries except
/// `authorization` itself, as the Python SDK does. The caller must already have put
/// `x-acs-content-sha256` (see [`content_sha256_hex`]) and the other required headers in `req`.
pub fn sign_v3(req: &SignedRequest, access_key_id: &str, secret: &str) -> String {
    let mut names: Vec<String> = req
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| n != "authorization")
        .collect();
    names.sort();
    names.dedup();
    let signed_headers = names.join(";");
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let creq = canonical_request_v3(
        req,
        &name_refs,
        &signed_headers,
        &content_sha256_hex(req.body),
    )
    // Every name was taken from the request itself, so none can be missing.
    .unwrap_or_default();
    let mut mac = hmac_sha256(secret);
    mac.update(string_to_sign_v3(&creq).as_bytes());
    format!(
        "{V3_ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},Signature={}",
        hex_lower(&mac.finalize().into_bytes())
    )
}

/// One cams call as wabasim's own client sends it: everything needed to produce a request the
/// simulator (or the real gateway) accepts.
#[derive(Debug, Clone, Copy)]
pub struct V3Call<'a> {
    /// The `host` header, exactly as the connection will send it (`127.0.0.1:8787`).
    pub host: &'a str,
    pub action: &'a str,
    /// Decoded parameters; they are encoded for the wire by [`V3Call::sign`].
    pub query: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
    /// Required when `body` is not empty.
    pub content_type: Option<&'a str>,
    /// `YYYY-MM-DDTHH:MM:SSZ`, UTC.
    pub date: &'a str,
    /// Unique per request, e.g. 32 hex characters.
    pub nonce: &'a str,
    /// Further headers to sign and send, e.g. `x-wabasim-namespace`.
    pub extra_headers: &'a [(&'a str, &'a str)],
}

/// The wire form of a signed [`V3Call`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCall {
    /// The query string to put after `POST /?`.
    pub raw_query: String,
    /// Every header to send, `authorization` included, names lower-case.
    pub headers: Vec<(String, String)>,
}

impl V3Call<'_> {
    pub fn sign(&self, access_key_id: &str, secret: &str) -> SignedCall {
        let raw_query = encode_query(self.query);
        let mut headers: Vec<(String, String)> = [
            ("host", self.host),
            ("x-acs-action", self.action),
            ("x-acs-version", API_VERSION),
            ("x-acs-date", self.date),
            ("x-acs-signature-nonce", self.nonce),
            ("accept", "application/json"),
        ]
        .into_iter()
        .chain(self.content_type.map(|ct| ("content-type", ct)))
        .chain(self.extra_headers.iter().copied())
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_owned()))
        .collect();
        headers.push((
            "x-acs-content-sha256".to_owned(),
            content_sha256_hex(self.body),
        ));
        let as_bytes: Vec<(&str, &[u8])> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes()))
            .collect();
        let authorization = sign_v3(
            &SignedRequest {
                method: "POST",
                path: "/",
                raw_query: &raw_query,
                headers: &as_bytes,
                body: self.body,
            },
            access_key_id,
            secret,
        );
        headers.push(("authorization".to_owned(), authorization));
        SignedCall { raw_query, headers }
    }
}

// ---------------------------------------------------------------------------------------------
// V2: HMAC-SHA1 RPC signature (§4.4)
// ---------------------------------------------------------------------------------------------

fn only_param<'p>(
    params: &'p [(Vec<u8>, Vec<u8>)],
    name: &str,
) -> Result<&'p [u8], SignatureError> {
    let mut found = params.iter().filter(|(k, _)| k == name.as_bytes());
    match (found.next(), found.next()) {
        (Some((_, v)), None) => Ok(v),
        (None, _) => Err(incomplete(format!(
            "The input parameter \"{name}\" that is mandatory for a signed request is not supplied."
        ))),
        (Some(_), Some(_)) => Err(incomplete(format!(
            "The parameter \"{name}\" appears more than once."
        ))),
    }
}

/// Returns (StringToSign, canonicalized parameter string) over every parameter but `Signature`.
fn string_to_sign_v2(req: &SignedRequest, params: &[(Vec<u8>, Vec<u8>)]) -> (String, String) {
    let mut signed: Vec<(Vec<u8>, Vec<u8>)> = params
        .iter()
        .filter(|(k, _)| k != b"Signature")
        .cloned()
        .collect();
    signed.sort();
    let canonical = join_encoded(&signed);
    let path = if req.path.is_empty() { "/" } else { req.path };
    let mut sts = String::with_capacity(canonical.len() * 2);
    sts.push_str(req.method);
    sts.push('&');
    percent_encode_into(&mut sts, path.as_bytes());
    sts.push('&');
    percent_encode_into(&mut sts, canonical.as_bytes());
    (sts, canonical)
}

fn hmac_sha1_v2(secret: &str, string_to_sign: &str) -> Hmac<Sha1> {
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(format!("{secret}&").as_bytes())
        .expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    mac
}

fn verify_v2(
    req: &SignedRequest,
    secret_for: impl Fn(&str) -> Option<String>,
) -> Result<Verified, SignatureError> {
    if !req.body.is_empty() && !req.is_form_body() {
        // V2 covers parameters, not bytes: anything but a form body would travel unsigned.
        return Err(incomplete(
            "A V2 (HMAC-SHA1) signature cannot cover a body that is not application/x-www-form-urlencoded.",
        ));
    }
    let params = req.rpc_params();
    let method = only_param(&params, "SignatureMethod")?;
    if method != b"HMAC-SHA1" {
        return Err(SignatureError::UnsupportedAlgorithm(lossy(method)));
    }
    if let Some((_, v)) = params.iter().find(|(k, _)| k == b"SignatureVersion") {
        if v != b"1.0" {
            return Err(SignatureError::UnsupportedAlgorithm(format!(
                "SignatureVersion {}",
                lossy(v)
            )));
        }
    }
    let signature = only_param(&params, "Signature")?;
    let access_key_id = std::str::from_utf8(only_param(&params, "AccessKeyId")?)
        .map_err(|_| incomplete("The AccessKeyId parameter is not valid UTF-8."))?;
    let secret = secret_for(access_key_id)
        .ok_or_else(|| SignatureError::UnknownAccessKey(access_key_id.to_owned()))?;

    let (string_to_sign, canonical) = string_to_sign_v2(req, &params);
    let mac = hmac_sha1_v2(&secret, &string_to_sign);
    let matches = BASE64
        .decode(signature)
        .is_ok_and(|sig| mac.verify_slice(&sig).is_ok());
    if !matches {
        return Err(SignatureError::SignatureMismatch {
            string_to_sign,
            canonical,
        });
    }
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name.as_bytes())
            .map(|(_, v)| lossy(v))
    };
    Ok(Verified {
        scheme: Scheme::V2,
        access_key_id: access_key_id.to_owned(),
        action: param("Action"),
        version: param("Version"),
        timestamp: param("Timestamp"),
        nonce: param("SignatureNonce"),
    })
}

/// The base64 V2 signature of `req`: over its query plus its form body (when the body is
/// form-encoded), ignoring any `Signature` already present. The caller appends it to the query as
/// `Signature=<encoded>`; `AccessKeyId`, `SignatureMethod` and friends must already be there.
pub fn sign_v2(req: &SignedRequest, secret: &str) -> String {
    let (string_to_sign, _) = string_to_sign_v2(req, &req.rpc_params());
    BASE64.encode(
        hmac_sha1_v2(secret, &string_to_sign)
            .finalize()
            .into_bytes(),
    )
}

// ---------------------------------------------------------------------------------------------
// Encoding helpers
// ---------------------------------------------------------------------------------------------

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
fn percent_encode_into(out: &mut String, bytes: &[u8]) {
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

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn hex_lower(bytes: &[u8]) -> String {
    const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX_LOWER[usize::from(b >> 4)]));
        out.push(char::from(HEX_LOWER[usize::from(b & 0x0f)]));
    }
    out
}

/// Lower-case only: §4.1 defines the signature as lower-case hex, and accepting other spellings
/// would let a modified header through.
fn hex_decode_lower(text: &str) -> Option<Vec<u8>> {
    let digit = |b: u8| match b {
        b'0'..=b'9' | b'a'..=b'f' => hex_value(b),
        _ => None,
    };
    let bytes = text.as_bytes();
    if bytes.len() % 2 != 0 {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const AK: &str = "testAccessKeyId";
    const SECRET: &str = "testAccessKeySecret";
    const SIGNED_NO_BODY: &str = "accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version";

    fn secrets(ak: &str) -> Option<String> {
        (ak == AK).then(|| SECRET.to_owned())
    }

    /// The fixed header set of §4.2 plus the per-vector ones.
    fn vector_headers(
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

    fn as_refs(headers: &[(String, String)]) -> Vec<(&str, &[u8])> {
        headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes()))
            .collect()
    }

    struct Vector {
        action: &'static str,
        wire_query: &'static str,
        body: &'static [u8],
        content_type: Option<&'static str>,
        canonical_query: &'static str,
        content_sha256: &'static str,
        canonical_request_sha256: &'static str,
        signed_headers: &'static str,
        signature: &'static str,
    }

    const VECTORS: [Vector; 3] = [
        // A: query only.
        Vector {
            action: "GetPhoneNumberVerificationStatus",
            wire_query: "CustSpaceId=cams-8c8%2A%2A%2A%2A%2A%2A%2A%2A%2A&PhoneNumber=8613800001234",
            body: b"",
            content_type: None,
            canonical_query: "CustSpaceId=cams-8c8%2A%2A%2A%2A%2A%2A%2A%2A%2A&PhoneNumber=8613800001234",
            content_sha256: EMPTY_BODY_SHA256,
            canonical_request_sha256: "c3bab0e19b86d1cbec7e20968b63c245e33f1aaa8d3855e85dd93c0556bab266",
            signed_headers: SIGNED_NO_BODY,
            signature: "1b7972580491ffb4cf0e3ac49694cafceed557f93d087911e93145ae2d04d08a",
        },
        // B: special characters, Python-urlencoded on the wire.
        Vector {
            action: "ListChatappTemplate",
            wire_query: "Name=a+b%2Bc%2Fd~e%2Af&Page=%7B%22Index%22%3A1%2C%22Size%22%3A10%7D",
            body: b"",
            content_type: None,
            canonical_query: "Name=a%20b%2Bc%2Fd~e%2Af&Page=%7B%22Index%22%3A1%2C%22Size%22%3A10%7D",
            content_sha256: EMPTY_BODY_SHA256,
            canonical_request_sha256: "f07fbc524d32d1ff1ebe4d372b0e51c7cf74efc019e03e3541efe01fbc616142",
            signed_headers: SIGNED_NO_BODY,
            signature: "5e3636dd22ff19ecfaf7c4d9a1bad0b164aaee0c00968dc67284ad99d4e35174",
        },
        // C: old-SDK form body.
        Vector {
            action: "ChatappPhoneNumberRegister",
            wire_query: "",
            body: b"CustSpaceId=cams-8c8%2A%2A%2A%2A%2A%2A%2A%2A%2A&PhoneNumber=8613800001234",
            content_type: Some("application/x-www-form-urlencoded"),
            canonical_query: "",
            content_sha256: "8f677c11536395fe30d82b9a934d23dccc2910019ec6e41fc2b28e8ceacab7b9",
            canonical_request_sha256: "1baa5e15393e060e901c37736e84df87af3727816077e3a1941f2954404eb4a7",
            signed_headers: "accept;content-type;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version",
            signature: "2027809303da5ed4419fbfb2eae8b2bea0c0780ac9ca3ce2d8c4ca26621af995",
        },
    ];

    #[test]
    fn v3_reference_vectors() {
        for v in &VECTORS {
            let headers = vector_headers(v.action, v.body, v.content_type);
            let refs = as_refs(&headers);
            let req = SignedRequest {
                method: "POST",
                path: "/",
                raw_query: v.wire_query,
                headers: &refs,
                body: v.body,
            };
            assert_eq!(
                canonical_query(v.wire_query),
                v.canonical_query,
                "{}",
                v.action
            );
            assert_eq!(content_sha256_hex(v.body), v.content_sha256, "{}", v.action);
            let names: Vec<&str> = v.signed_headers.split(';').collect();
            let creq =
                canonical_request_v3(&req, &names, v.signed_headers, v.content_sha256).unwrap();
            assert_eq!(
                hex_lower(&Sha256::digest(&creq)),
                v.canonical_request_sha256,
                "{}",
                v.action
            );

            let expected = format!(
                "ACS3-HMAC-SHA256 Credential={AK},SignedHeaders={},Signature={}",
                v.signed_headers, v.signature
            );
            assert_eq!(sign_v3(&req, AK, SECRET), expected, "{}", v.action);

            let mut with_auth = refs.clone();
            with_auth.push(("Authorization", expected.as_bytes()));
            let verified = verify(
                &SignedRequest {
                    headers: &with_auth,
                    ..req
                },
                secrets,
            )
            .unwrap();
            assert_eq!(
                verified,
                Verified {
                    scheme: Scheme::V3,
                    access_key_id: AK.to_owned(),
                    action: Some(v.action.to_owned()),
                    version: Some(API_VERSION.to_owned()),
                    timestamp: Some("2024-01-01T00:00:00Z".to_owned()),
                    nonce: Some("3f1c4a9e0b7d4d2c9a8b7c6d5e4f3a2b".to_owned()),
                }
            );
        }
    }

    #[test]
    fn v3_wrong_secret_reports_the_string_to_sign() {
        let v = &VECTORS[0];
        let headers = vector_headers(v.action, v.body, v.content_type);
        let refs = as_refs(&headers);
        let req = SignedRequest {
            method: "POST",
            path: "/",
            raw_query: v.wire_query,
            headers: &refs,
            body: b"",
        };
        let auth = sign_v3(&req, AK, "wrong-secret");
        let mut refs = refs.clone();
        refs.push(("authorization", auth.as_bytes()));
        let err = verify(
            &SignedRequest {
                headers: &refs,
                ..req
            },
            secrets,
        )
        .unwrap_err();
        let expected_sts = format!("ACS3-HMAC-SHA256\n{}", v.canonical_request_sha256);
        assert!(
            matches!(&err, SignatureError::SignatureMismatch { string_to_sign, .. } if *string_to_sign == expected_sts)
        );
        assert_eq!(
            (err.code(), err.http_status()),
            ("SignatureDoesNotMatch", 400)
        );
        assert!(
            err.message()
                .ends_with(&format!("server string to sign is:{expected_sts}"))
        );
    }

    #[test]
    fn v3_unknown_key_and_unsigned_required_headers() {
        let v = &VECTORS[0];
        let headers = vector_headers(v.action, v.body, v.content_type);
        let refs = as_refs(&headers);
        let req = SignedRequest {
            method: "POST",
            path: "/",
            raw_query: v.wire_query,
            headers: &refs,
            body: b"",
        };

        let auth = sign_v3(&req, "nobody", SECRET);
        let mut with_auth = refs.clone();
        with_auth.push(("authorization", auth.as_bytes()));
        let err = verify(
            &SignedRequest {
                headers: &with_auth,
                ..req
            },
            secrets,
        )
        .unwrap_err();
        assert_eq!(err, SignatureError::UnknownAccessKey("nobody".to_owned()));
        assert_eq!(
            (err.code(), err.http_status()),
            ("InvalidAccessKeyId.NotFound", 404)
        );

        // A client that signs only part of the required set is refused before any secret is used.
        for required in REQUIRED_SIGNED_HEADERS {
            let partial: Vec<(&str, &[u8])> = refs
                .iter()
                .copied()
                .filter(|(n, _)| *n != required)
                .collect();
            let auth = sign_v3(
                &SignedRequest {
                    headers: &partial,
                    ..req
                },
                AK,
                SECRET,
            );
            let mut with_auth = refs.clone();
            with_auth.push(("authorization", auth.as_bytes()));
            let err = verify(
                &SignedRequest {
                    headers: &with_auth,
                    ..req
                },
                secrets,
            )
            .unwrap_err();
            assert!(
                matches!(&err, SignatureError::IncompleteSignature(r) if r.contains(required)),
                "{required}: {err}"
            );
        }

        // A body demands a signed content-type.
        let body = b"a=1";
        let headers = vector_headers(v.action, body, None);
        let refs = as_refs(&headers);
        let req = SignedRequest {
            body,
            headers: &refs,
            ..req
        };
        let auth = sign_v3(&req, AK, SECRET);
        let mut with_auth = refs.clone();
        with_auth.push(("authorization", auth.as_bytes()));
        let err = verify(
            &SignedRequest {
                headers: &with_auth,
                ..req
            },
            secrets,
        )
        .unwrap_err();
        assert!(
            matches!(&err, SignatureError::IncompleteSignature(r) if r.contains("content-type")),
            "{err}"
        );
    }

    #[test]
    fn v3_repeated_headers_are_sorted_and_joined() {
        let mut headers = vector_headers("QueryChatappBindWaba", b"", None);
        headers.push(("x-extra".to_owned(), " zeta ".to_owned()));
        headers.push(("X-Extra".to_owned(), "alpha".to_owned()));
        let refs = as_refs(&headers);
        let req = SignedRequest {
            method: "POST",
            path: "/",
            raw_query: "",
            headers: &refs,
            body: b"",
        };
        let creq = canonical_headers(&req, &["x-extra"]).unwrap();
        assert_eq!(creq, b"x-extra:alpha,zeta\n");
        let auth = sign_v3(&req, AK, SECRET);
        assert!(auth.contains(";x-extra,"), "{auth}");
        let mut with_auth = refs.clone();
        with_auth.push(("authorization", auth.as_bytes()));
        verify(
            &SignedRequest {
                headers: &with_auth,
                ..req
            },
            secrets,
        )
        .unwrap();
    }

    #[test]
    fn v3_call_builder_round_trips() {
        let call = V3Call {
            host: "127.0.0.1:8787",
            action: "ListChatappTemplate",
            query: &[
                ("CustSpaceId", "cams-acme"),
                ("Page", r#"{"Index":1,"Size":10}"#),
            ],
            body: b"",
            content_type: None,
            date: "2026-01-01T00:00:00Z",
            nonce: "0123456789abcdef0123456789abcdef",
            extra_headers: &[("X-Wabasim-Namespace", "t1")],
        };
        let signed = call.sign("wabasim-ak", "wabasim-secret");
        let refs = as_refs(&signed.headers);
        let req = SignedRequest {
            method: "POST",
            path: "/",
            raw_query: &signed.raw_query,
            headers: &refs,
            body: b"",
        };
        let ok = verify(&req, |ak| {
            (ak == "wabasim-ak").then(|| "wabasim-secret".to_owned())
        })
        .unwrap();
        assert_eq!(ok.action.as_deref(), Some("ListChatappTemplate"));
        let auth = req.single_header("authorization").unwrap();
        assert!(lossy(auth).contains("x-wabasim-namespace"));
    }

    /// Raw requests the real SDKs sent to a logging server (secret `wabasim-secret`), so the
    /// verifier is pinned to what the SDKs do and not only to the reference's recipe.
    struct Captured {
        query: &'static str,
        body: &'static [u8],
        headers: &'static [(&'static str, &'static str)],
    }

    const CAPTURED: [Captured; 4] = [
        // SDK 5.3.1, V3, ListChatappTemplate with the x-wabasim-namespace header added through Config.global_parameters.
        Captured {
            query: r#"CustSpaceId=cams-acme&Page=%7B%22Index%22%3A1%2C%22Size%22%3A10%7D"#,
            body: br#""#,
            headers: &[
                ("Accept-Encoding", r#"identity"#),
                ("host", r#"127.0.0.1:18787"#),
                ("x-acs-version", r#"2020-06-06"#),
                ("x-acs-action", r#"ListChatappTemplate"#),
                ("user-agent", r#"AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2"#),
                ("x-acs-date", r#"2026-11-23T06:16:20Z"#),
                ("x-acs-signature-nonce", r#"4ba13fdad59e42e8f6d7f68f56644a0b"#),
                ("accept", r#"application/json"#),
                ("x-wabasim-namespace", r#"cams-sdk-e1997591adfe"#),
                ("x-acs-content-sha256", r#"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"#),
                ("x-acs-credentials-provider", r#"static_ak"#),
                ("Authorization", r#"ACS3-HMAC-SHA256 Credential=wabasim-ak,SignedHeaders=accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version;x-wabasim-namespace,Signature=afecb1e687076759054471826411270adff233664f693d2f04356ab653e6bb65"#),
                ("Content-Length", r#"0"#),
            ],
        },
        // SDK 5.3.1, V3, CreateChatappTemplate with non-ASCII and reserved characters in JSON-shrunk parameters.
        Captured {
            query: r#"AllowCategoryChange=True&Category=UTILITY&Components=%5B%7B%22Buttons%22%3A%5B%5D%2C%22Cards%22%3A%5B%5D%2C%22Text%22%3A%22Ol%C3%A1+%7B%7B1%7D%7D+~%2A%2B%2F+%26+%3D+%25+%E6%BC%A2%E5%AD%97+%F0%9F%98%80%22%2C%22Type%22%3A%22BODY%22%7D%5D&CustSpaceId=cams-acme&Example=%7B%22%24%28name%29%22%3A%22Z%C3%A9%22%7D&Language=pt_BR&MessageSendTtlSeconds=60&Name=t_1&TemplateType=WHATSAPP"#,
            body: br#""#,
            headers: &[
                ("Accept-Encoding", r#"identity"#),
                ("host", r#"127.0.0.1:18787"#),
                ("x-acs-version", r#"2020-06-06"#),
                ("x-acs-action", r#"CreateChatappTemplate"#),
                ("user-agent", r#"AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2"#),
                ("x-acs-date", r#"2026-11-23T06:16:53Z"#),
                ("x-acs-signature-nonce", r#"b979e91f8cf94c8dc6068df8c55c1b5f"#),
                ("accept", r#"application/json"#),
                ("x-acs-content-sha256", r#"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"#),
                ("x-acs-credentials-provider", r#"static_ak"#),
                ("Authorization", r#"ACS3-HMAC-SHA256 Credential=wabasim-ak,SignedHeaders=accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=c4643eaa50ce72e7ab2c16813e752a6f7475e4f7bc773275a726e6bf11374d4b"#),
                ("Content-Length", r#"0"#),
            ],
        },
        // SDK 1.4.0, V3, GetPhoneNumberVerificationStatus with a form body.
        Captured {
            query: r#""#,
            body: br#"CustSpaceId=cams-acme&PhoneNumber=15550100001"#,
            headers: &[
                ("Accept-Encoding", r#"identity"#),
                ("host", r#"127.0.0.1:18787"#),
                ("x-acs-version", r#"2020-06-06"#),
                ("x-acs-action", r#"GetPhoneNumberVerificationStatus"#),
                ("user-agent", r#"AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2"#),
                ("x-acs-date", r#"2026-11-23T06:16:41Z"#),
                ("x-acs-signature-nonce", r#"3f8f3a262bf10e3b4a18bc9790f9c7c5"#),
                ("accept", r#"application/json"#),
                ("x-wabasim-namespace", r#"cams-legacy-1b6f2665612a"#),
                ("content-type", r#"application/x-www-form-urlencoded"#),
                ("x-acs-content-sha256", r#"3add8abfa09b31b6e4564b5cefb23c581bb5fbba23aad31b4b073c0dd5ba01f0"#),
                ("x-acs-credentials-provider", r#"static_ak"#),
                ("Authorization", r#"ACS3-HMAC-SHA256 Credential=wabasim-ak,SignedHeaders=accept;content-type;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version;x-wabasim-namespace,Signature=8f92b0f06d482ff3f0faedf3344b8347d3c69327c03131be758df146ee09fd33"#),
                ("Content-Length", r#"45"#),
            ],
        },
        // SDK 1.4.0, V2 (HMAC-SHA1), CreateChatappTemplate with a form body.
        Captured {
            query: r#"Action=CreateChatappTemplate&Format=json&Version=2020-06-06&Timestamp=2026-11-23T06%3A16%3A53Z&SignatureNonce=4b88e82e21d522a01113ec9fe5eee5ea&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&AccessKeyId=wabasim-ak&Signature=6fHIy1%2FO4fJ6xtxL1I7uTDFvGzk%3D"#,
            body: br#"AllowCategoryChange=True&Category=UTILITY&Components=%5B%7B%22Buttons%22%3A%5B%5D%2C%22Cards%22%3A%5B%5D%2C%22Text%22%3A%22Ol%C3%A1+%7B%7B1%7D%7D+~%2A%2B%2F+%26+%3D+%25+%E6%BC%A2%E5%AD%97+%F0%9F%98%80%22%2C%22Type%22%3A%22BODY%22%7D%5D&CustSpaceId=cams-acme&Example=%7B%22%24%28name%29%22%3A%22Z%C3%A9%22%7D&Language=pt_BR&MessageSendTtlSeconds=60&Name=t_1&TemplateType=WHATSAPP"#,
            headers: &[
                ("Accept-Encoding", r#"identity"#),
                ("host", r#"127.0.0.1:18787"#),
                ("x-acs-version", r#"2020-06-06"#),
                ("x-acs-action", r#"CreateChatappTemplate"#),
                ("user-agent", r#"AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2"#),
                ("content-type", r#"application/x-www-form-urlencoded"#),
                ("x-acs-credentials-provider", r#"static_ak"#),
                ("Content-Length", r#"378"#),
            ],
        },
    ];

    #[test]
    fn captured_sdk_requests_verify() {
        let wabasim = |ak: &str| (ak == "wabasim-ak").then(|| "wabasim-secret".to_owned());
        let schemes: Vec<Scheme> = CAPTURED
            .iter()
            .map(|c| {
                let refs: Vec<(&str, &[u8])> =
                    c.headers.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
                let req = SignedRequest {
                    method: "POST",
                    path: "/",
                    raw_query: c.query,
                    headers: &refs,
                    body: c.body,
                };
                let verified = verify(&req, wabasim).unwrap_or_else(|e| panic!("{e}"));
                assert!(verify(&req, |_| Some("other".to_owned())).is_err());
                verified.scheme
            })
            .collect();
        assert_eq!(schemes, [Scheme::V3, Scheme::V3, Scheme::V3, Scheme::V2]);
    }

    /// Every request of `tests/data/cams_sdk_capture.tsv`: 33 raw requests the real SDKs (5.3.1
    /// and 1.4.0, V3 and V2, query and form bodies, non-ASCII JSON) sent through the whole
    /// flow, one per line: method, path, query, hex body, `hexname:hexvalue;...` headers. All
    /// verify with `wabasim-secret` but the one the flow sent with a wrong secret on purpose.
    #[test]
    fn the_whole_sdk_capture_verifies() {
        fn unhex(s: &str) -> Vec<u8> {
            (0..s.len() / 2)
                .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
                .collect()
        }
        let text = include_str!("../../../tests/data/cams_sdk_capture.tsv");
        let wabasim = |ak: &str| (ak == "wabasim-ak").then(|| "wabasim-secret".to_owned());
        let (mut accepted, mut schemes, mut rejected) = (0, Vec::new(), Vec::new());
        for line in text.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            let body = unhex(f[3]);
            let headers: Vec<(String, Vec<u8>)> = f[4]
                .split(';')
                .filter(|h| !h.is_empty())
                .map(|h| {
                    let (n, v) = h.split_once(':').unwrap();
                    (String::from_utf8(unhex(n)).unwrap(), unhex(v))
                })
                .collect();
            let refs: Vec<(&str, &[u8])> = headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_slice()))
                .collect();
            let req = SignedRequest {
                method: f[0],
                path: f[1],
                raw_query: f[2],
                headers: &refs,
                body: &body,
            };
            match verify(&req, wabasim) {
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

    /// Parameters of the §4.4 vector, in the order the SDK puts them on the wire.
    const V2_PARAMS: [(&str, &str); 12] = [
        ("Action", "GetMigrationVerifyCode"),
        ("Format", "json"),
        ("Version", "2020-06-06"),
        ("Timestamp", "2024-01-01T00:00:00Z"),
        ("SignatureNonce", "3f1c4a9e0b7d4d2c9a8b7c6d5e4f3a2b"),
        ("CustSpaceId", "cams-8c8*********"),
        ("Locale", "en_US"),
        ("Method", "SMS"),
        ("PhoneNumber", "8613800001234"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("AccessKeyId", AK),
    ];
    const V2_SIGNATURE: &str = "xrMNB5Rs8aS4K6YGOkL7bj0gDLk=";

    fn v2_headers() -> Vec<(String, String)> {
        [
            ("host", "127.0.0.1:8080"),
            ("x-acs-version", "2020-06-06"),
            ("x-acs-action", "GetMigrationVerifyCode"),
        ]
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
    }

    #[test]
    fn v2_reference_vector() {
        let headers = v2_headers();
        let refs = as_refs(&headers);
        let query = encode_query(&V2_PARAMS);
        let req = SignedRequest {
            method: "POST",
            path: "/",
            raw_query: &query,
            headers: &refs,
            body: b"",
        };
        let (sts, canonical) = string_to_sign_v2(&req, &req.rpc_params());
        assert!(canonical.starts_with("AccessKeyId=testAccessKeyId&Action=GetMigrationVerifyCode&CustSpaceId=cams-8c8%2A%2A"), "{canonical}");
        assert!(
            sts.starts_with("POST&%2F&AccessKeyId%3DtestAccessKeyId%26Action%3D"),
            "{sts}"
        );
        assert_eq!(sign_v2(&req, SECRET), V2_SIGNATURE);

        let signed_query = format!(
            "{query}&Signature={}",
            encode_query(&[("", V2_SIGNATURE)]).trim_start_matches('=')
        );
        let req = SignedRequest {
            raw_query: &signed_query,
            ..req
        };
        assert_eq!(detect_scheme(&req), Ok(Scheme::V2));
        let ok = verify(&req, secrets).unwrap();
        assert_eq!(ok.scheme, Scheme::V2);
        assert_eq!(ok.action.as_deref(), Some("GetMigrationVerifyCode"));
        assert_eq!(
            ok.nonce.as_deref(),
            Some("3f1c4a9e0b7d4d2c9a8b7c6d5e4f3a2b")
        );

        let err = verify(&req, |_| Some("wrong".to_owned())).unwrap_err();
        assert!(
            matches!(&err, SignatureError::SignatureMismatch { string_to_sign, .. } if *string_to_sign == sts)
        );
    }

    #[test]
    fn v2_form_body_parameters_are_signed() {
        // Same parameter set, split between the query and an old-SDK form body: same signature.
        let (in_query, in_body) = V2_PARAMS.split_at(5);
        let body = encode_query(in_body);
        let mut headers = v2_headers();
        headers.push((
            "content-type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        ));
        let refs = as_refs(&headers);
        let query = format!(
            "{}&Signature={}",
            encode_query(in_query),
            "xrMNB5Rs8aS4K6YGOkL7bj0gDLk%3D"
        );
        let req = SignedRequest {
            method: "POST",
            path: "/",
            raw_query: &query,
            headers: &refs,
            body: body.as_bytes(),
        };
        assert_eq!(verify(&req, secrets).map(|v| v.scheme), Ok(Scheme::V2));

        // Without the form content type the body is not a parameter source and cannot be signed.
        let plain_headers = v2_headers();
        let plain = as_refs(&plain_headers);
        let err = verify(
            &SignedRequest {
                headers: &plain,
                ..req
            },
            secrets,
        )
        .unwrap_err();
        assert!(
            matches!(err, SignatureError::IncompleteSignature(_)),
            "{err}"
        );
    }

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
                    let req = SignedRequest {
                        method: "POST",
                        path: "/",
                        raw_query: query,
                        headers: &refs,
                        body,
                    };
                    assert!(
                        verify(&req, secrets).is_err(),
                        "accepted {:?} {query:?}",
                        lossy(auth)
                    );
                }
            }
        }
        // Two Authorization headers are ambiguous even when one is valid.
        let req = SignedRequest {
            method: "POST",
            path: "/",
            raw_query: "",
            headers: &as_refs(&base),
            body: b"",
        };
        let auth = sign_v3(&req, AK, SECRET);
        let mut twice = as_refs(&base);
        twice.push(("authorization", auth.as_bytes()));
        twice.push(("Authorization", auth.as_bytes()));
        assert!(matches!(
            verify(
                &SignedRequest {
                    headers: &twice,
                    ..req
                },
                secrets
            ),
            Err(SignatureError::IncompleteSignature(_))
        ));

        // No signature at all, and half-formed V2 parameters.
        let bare = as_refs(&base);
        for query in [
            "",
            "Signature=x",
            "Signature=x&AccessKeyId=y",
            "AccessKeyId=y&SignatureMethod=HMAC-SHA1&Signature=%",
            "AccessKeyId=y&SignatureMethod=HMAC-SHA256&Signature=x",
            "AccessKeyId=%FF&SignatureMethod=HMAC-SHA1&Signature=x",
            "AccessKeyId=testAccessKeyId&AccessKeyId=testAccessKeyId&SignatureMethod=HMAC-SHA1&Signature=x",
            "AccessKeyId=testAccessKeyId&SignatureMethod=HMAC-SHA1&SignatureVersion=2.0&Signature=x",
            "AccessKeyId=testAccessKeyId&SignatureMethod=HMAC-SHA1&Signature=!!notbase64!!",
        ] {
            let req = SignedRequest {
                method: "POST",
                path: "",
                raw_query: query,
                headers: &bare,
                body: b"",
            };
            assert!(verify(&req, secrets).is_err(), "{query}");
        }
        // Stray bytes everywhere, from a fixed seed.
        let mut rng = Rng(0x5eed_0bad_f00d);
        for _ in 0..2000 {
            let junk = rng.bytes(64, &[]);
            let query = String::from_utf8_lossy(&rng.bytes(64, b"%&=+")).into_owned();
            let mut refs = as_refs(&base);
            refs.push(("authorization", &junk));
            let req = SignedRequest {
                method: "POST",
                path: "/",
                raw_query: &query,
                headers: &refs,
                body: &junk,
            };
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

    // ---- property tests: a seeded loop, so failures reproduce without extra dependencies ----

    /// xorshift64*: tiny, deterministic, good enough to pick mutations.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
        fn chance(&mut self, one_in: usize) -> bool {
            self.below(one_in) == 0
        }
        /// Up to `max` bytes, biased towards the characters encoders treat specially.
        fn bytes(&mut self, max: usize, extra: &[u8]) -> Vec<u8> {
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
        fn text(&mut self, max: usize) -> String {
            let mut s = String::from_utf8_lossy(&self.bytes(max, "é漢".as_bytes())).into_owned();
            if self.chance(4) {
                s.push('\u{1F600}');
            }
            s
        }
        /// A header value as HTTP would carry it: visible bytes, no surrounding or repeated-list commas.
        fn header_value(&mut self) -> Vec<u8> {
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
        fn mutate(&mut self, target: &mut Vec<u8>) {
            if target.is_empty() {
                target.push(b'x');
                return;
            }
            let i = self.below(target.len());
            let delta = 1 + self.below(255) as u8;
            target[i] = target[i].wrapping_add(delta);
        }
    }

    /// Wire encodings that all decode to the same pairs: RFC 3986, Python `urlencode`, lower-case hex.
    fn wire_encode(pairs: &[(Vec<u8>, Vec<u8>)], style: usize) -> String {
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

    struct V3Case {
        method: String,
        path: String,
        params: Vec<(Vec<u8>, Vec<u8>)>,
        headers: Vec<(String, Vec<u8>)>,
        body: Vec<u8>,
        style: usize,
    }

    impl V3Case {
        fn random(rng: &mut Rng) -> Self {
            let method = ["POST", "GET", "PUT"][rng.below(3)].to_owned();
            let path = if rng.chance(3) {
                format!("/{}", rng.text(8).replace(['?', '#'], ""))
            } else {
                "/".to_owned()
            };
            let params = (0..rng.below(6))
                .map(|_| {
                    let key = if rng.chance(2) {
                        format!("Key{}", rng.below(4)).into_bytes()
                    } else {
                        rng.bytes(10, "漢".as_bytes())
                    };
                    (key, rng.bytes(30, "é".as_bytes()))
                })
                .collect();
            let body = if rng.chance(2) {
                Vec::new()
            } else {
                rng.bytes(80, &[])
            };
            let mut headers: Vec<(String, Vec<u8>)> = vec![
                ("host".into(), b"127.0.0.1:8787".to_vec()),
                ("x-acs-action".into(), b"QueryChatappPhoneNumbers".to_vec()),
                ("x-acs-version".into(), API_VERSION.as_bytes().to_vec()),
                ("x-acs-date".into(), b"2026-01-01T00:00:00Z".to_vec()),
                (
                    "x-acs-signature-nonce".into(),
                    format!("{:032x}", rng.next()).into_bytes(),
                ),
                (
                    "x-acs-content-sha256".into(),
                    content_sha256_hex(&body).into_bytes(),
                ),
            ];
            if !body.is_empty() {
                headers.push(("content-type".into(), b"application/octet-stream".to_vec()));
            }
            for i in 0..rng.below(4) {
                let name = if rng.chance(2) {
                    "x-repeated".to_owned()
                } else {
                    format!("x-extra-{i}")
                };
                headers.push((name, rng.header_value()));
            }
            // Order on the wire must not matter.
            for i in (1..headers.len()).rev() {
                let j = rng.below(i + 1);
                headers.swap(i, j);
            }
            V3Case {
                method,
                path,
                params,
                headers,
                body,
                style: rng.below(3),
            }
        }

        fn check(&self, authorization: &str) -> Result<Verified, SignatureError> {
            let query = wire_encode(&self.params, self.style);
            let mut refs: Vec<(&str, &[u8])> = self
                .headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_slice()))
                .collect();
            refs.push(("Authorization", authorization.as_bytes()));
            refs.push(("accept-encoding", b"identity"));
            let req = SignedRequest {
                method: &self.method,
                path: &self.path,
                raw_query: &query,
                headers: &refs,
                body: &self.body,
            };
            verify(&req, secrets)
        }

        fn sign(&self) -> String {
            let query = wire_encode(&self.params, 0);
            let refs: Vec<(&str, &[u8])> = self
                .headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_slice()))
                .collect();
            let req = SignedRequest {
                method: &self.method,
                path: &self.path,
                raw_query: &query,
                headers: &refs,
                body: &self.body,
            };
            sign_v3(&req, AK, SECRET)
        }
    }

    #[test]
    fn v3_property_signed_requests_verify_and_any_byte_change_fails() {
        let mut rng = Rng(0x00c0_ffee_1234_5678);
        let mut exercised = [0usize; 6];
        for round in 0..1500 {
            let case = V3Case::random(&mut rng);
            let auth = case.sign();
            case.check(&auth)
                .unwrap_or_else(|e| panic!("round {round}: signed request rejected: {e}"));

            let mut m = V3Case {
                method: case.method.clone(),
                path: case.path.clone(),
                params: case.params.clone(),
                headers: case.headers.clone(),
                body: case.body.clone(),
                style: rng.below(3),
            };
            // Unsigned headers and the choice of equivalent wire encoding do not matter.
            m.headers.push(("x-unsigned".into(), rng.header_value()));
            m.check(&auth)
                .unwrap_or_else(|e| panic!("round {round}: harmless change rejected: {e}"));

            let mut what = rng.below(6);
            if what == 2 && m.params.is_empty() {
                what = 5;
            }
            exercised[what] += 1;
            match what {
                0 => {
                    let mut bytes = m.method.clone().into_bytes();
                    rng.mutate(&mut bytes);
                    m.method = String::from_utf8_lossy(&bytes).into_owned();
                }
                1 => {
                    let mut bytes = m.path.clone().into_bytes();
                    rng.mutate(&mut bytes);
                    m.path = String::from_utf8_lossy(&bytes).into_owned();
                    if m.path == case.path {
                        m.path.push('x');
                    }
                }
                2 => {
                    let i = rng.below(m.params.len());
                    let target = if rng.chance(2) {
                        &mut m.params[i].0
                    } else {
                        &mut m.params[i].1
                    };
                    rng.mutate(target);
                }
                3 => {
                    let signed: Vec<usize> = (0..m.headers.len())
                        .filter(|i| m.headers[*i].0 != "x-unsigned")
                        .collect();
                    let i = signed[rng.below(signed.len())];
                    rng.mutate(&mut m.headers[i].1);
                }
                4 => {
                    rng.mutate(&mut m.body);
                    if rng.chance(2) {
                        // A forger who also fixes the hash header still breaks the signature.
                        let hash = content_sha256_hex(&m.body).into_bytes();
                        for (n, v) in &mut m.headers {
                            if n == "x-acs-content-sha256" {
                                *v = hash.clone();
                            }
                        }
                        if case.body.is_empty() {
                            m.headers
                                .push(("content-type".into(), b"text/plain".to_vec()));
                        }
                    }
                }
                _ => {
                    // Tampering with the Authorization header itself.
                    let mut bytes = auth.clone().into_bytes();
                    rng.mutate(&mut bytes);
                    let tampered = String::from_utf8_lossy(&bytes).into_owned();
                    assert!(
                        m.check(&tampered).is_err(),
                        "round {round}: tampered authorization accepted"
                    );
                    continue;
                }
            }
            assert!(
                m.check(&auth).is_err(),
                "round {round}: mutation {what} accepted"
            );
        }
        assert!(
            exercised.iter().all(|n| *n > 100),
            "too few of some mutation: {exercised:?}"
        );
    }

    #[test]
    fn v2_property_signed_requests_verify_and_any_change_fails() {
        let mut rng = Rng(0x0bad_cafe_8765_4321);
        // method, parameter, body changing meaning, body keeping it (e.g. `%2a` for `%2A`)
        let mut exercised = [0usize; 4];
        for round in 0..1500 {
            let mut params: Vec<(Vec<u8>, Vec<u8>)> = V2_PARAMS
                .iter()
                .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
                .collect();
            for _ in 0..rng.below(5) {
                params.push((rng.bytes(10, b"Signature"), rng.bytes(30, "é".as_bytes())));
            }
            params.retain(|(k, _)| k != b"Signature");
            let split = rng.below(params.len() + 1);
            let (query_params, body_params) = params.split_at(split);
            let form = !body_params.is_empty() || rng.chance(3);
            let headers: Vec<(String, Vec<u8>)> = if form {
                vec![(
                    "content-type".into(),
                    b"application/x-www-form-urlencoded; charset=UTF-8".to_vec(),
                )]
            } else {
                Vec::new()
            };
            let method = ["POST", "GET"][rng.below(2)].to_owned();
            let check = |method: &str, query: &str, body: &[u8]| {
                let refs: Vec<(&str, &[u8])> = headers
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_slice()))
                    .collect();
                verify(
                    &SignedRequest {
                        method,
                        path: "/",
                        raw_query: query,
                        headers: &refs,
                        body,
                    },
                    secrets,
                )
            };
            let query = wire_encode(query_params, rng.below(3));
            let body = wire_encode(body_params, rng.below(3)).into_bytes();
            let refs: Vec<(&str, &[u8])> = headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_slice()))
                .collect();
            let signature = sign_v2(
                &SignedRequest {
                    method: &method,
                    path: "/",
                    raw_query: &query,
                    headers: &refs,
                    body: &body,
                },
                SECRET,
            );
            let sig_pair = (b"Signature".to_vec(), signature.into_bytes());
            let signed_query = |q: &[(Vec<u8>, Vec<u8>)], style| {
                let mut all = q.to_vec();
                all.insert(rng_pos(&all, round), sig_pair.clone());
                wire_encode(&all, style)
            };
            let good_query = signed_query(query_params, round % 3);
            check(&method, &good_query, &body)
                .unwrap_or_else(|e| panic!("round {round}: signed request rejected: {e}"));

            match rng.below(3) {
                0 => {
                    exercised[0] += 1;
                    let mut bytes = method.clone().into_bytes();
                    rng.mutate(&mut bytes);
                    let bad = String::from_utf8_lossy(&bytes).into_owned();
                    assert!(
                        check(&bad, &good_query, &body).is_err(),
                        "round {round}: method change accepted"
                    );
                }
                1 => {
                    exercised[1] += 1;
                    let mut q = query_params.to_vec();
                    let mut b = body_params.to_vec();
                    let target = if !b.is_empty() && (q.is_empty() || rng.chance(2)) {
                        &mut b
                    } else {
                        &mut q
                    };
                    let i = rng.below(target.len());
                    if rng.chance(2) {
                        rng.mutate(&mut target[i].0)
                    } else {
                        rng.mutate(&mut target[i].1)
                    }
                    let bad_body = wire_encode(&b, 0).into_bytes();
                    assert!(
                        check(&method, &signed_query(&q, 0), &bad_body).is_err(),
                        "round {round}: param change accepted"
                    );
                }
                _ => {
                    // A raw body byte change fails exactly when it changes what the body means.
                    let mut bad_body = body.clone();
                    rng.mutate(&mut bad_body);
                    let sorted = |b: &[u8]| {
                        let mut pairs = form_decode(b);
                        pairs.sort();
                        pairs
                    };
                    let same_meaning = form && sorted(&bad_body) == sorted(&body);
                    exercised[if same_meaning { 3 } else { 2 }] += 1;
                    let result = check(&method, &good_query, &bad_body);
                    assert_eq!(
                        result.is_ok(),
                        same_meaning,
                        "round {round}: body {:?} -> {:?}: {result:?}",
                        lossy(&body),
                        lossy(&bad_body)
                    );
                }
            }
        }
        assert!(
            exercised.iter().all(|n| *n > 0),
            "some mutation never ran: {exercised:?}"
        );
    }

    /// Where to put `Signature` among the query pairs: its position must not matter.
    fn rng_pos(pairs: &[(Vec<u8>, Vec<u8>)], round: usize) -> usize {
        round % (pairs.len() + 1)
    }
}
