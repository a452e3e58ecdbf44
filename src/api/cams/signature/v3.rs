//! ACS3-HMAC-SHA256 ("V3", reference §4.1), the default of every current SDK: the
//! `Authorization` header, the canonical request and its string to sign, verification, and
//! signing, of a [`SignedRequest`] ([`sign_v3`]) and of a whole call from wabasim's own client
//! ([`V3Call`]). The tests reproduce the reference's vectors A, B and C (§4.2) and check, over
//! random requests, that a signed request verifies and that any byte change fails.
//!
//! Deliberate choice, so that the unmodified Python SDK passes and a tampered request does not:
//! verification follows the `SignedHeaders` list received, because the Python SDK signs every
//! header it sets (`accept`, `user-agent`, ...) while other SDKs sign fewer. A minimum set must be
//! signed ([`REQUIRED_SIGNED_HEADERS`], plus `content-type` when there is a body), otherwise the
//! action, version or body could be swapped under a valid signature.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::encoding::{canonical_query, content_sha256_hex, encode_query};
use super::{
    API_VERSION, REQUIRED_SIGNED_HEADERS, Scheme, SignatureError, SignedRequest, V3_ALGORITHM,
    Verified, incomplete, lossy,
};
use crate::digest::{hex_decode_lower, hex_lower};

struct V3Authorization<'a> {
    credential: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
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

pub(super) fn verify_v3(
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

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        AK, Rng, SECRET, SIGNED_NO_BODY, as_refs, post, property_rounds, secrets, vector_headers,
        verify_with_authorization, wire_encode,
    };
    use super::super::{EMPTY_BODY_SHA256, verify};
    use super::*;

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
            let req = post(v.wire_query, &refs, v.body);
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

            let verified = verify_with_authorization(&req, &expected).unwrap();
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

    /// Vector A signed with `ak` and `secret`, refused: why.
    fn vector_a_refused(ak: &str, secret: &str) -> SignatureError {
        let v = &VECTORS[0];
        let headers = vector_headers(v.action, v.body, v.content_type);
        let refs = as_refs(&headers);
        let req = post(v.wire_query, &refs, b"");
        verify_with_authorization(&req, &sign_v3(&req, ak, secret)).unwrap_err()
    }

    #[test]
    fn v3_wrong_secret_reports_the_string_to_sign() {
        let err = vector_a_refused(AK, "wrong-secret");
        let expected_sts = format!("ACS3-HMAC-SHA256\n{}", VECTORS[0].canonical_request_sha256);
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
        let err = vector_a_refused("nobody", SECRET);
        assert_eq!(err, SignatureError::UnknownAccessKey("nobody".to_owned()));
        assert_eq!(
            (err.code(), err.http_status()),
            ("InvalidAccessKeyId.NotFound", 404)
        );

        let v = &VECTORS[0];
        let headers = vector_headers(v.action, v.body, v.content_type);
        let refs = as_refs(&headers);
        let req = post(v.wire_query, &refs, b"");

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
            let err = verify_with_authorization(&req, &auth).unwrap_err();
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
        let err = verify_with_authorization(&req, &auth).unwrap_err();
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
        let req = post("", &refs, b"");
        let creq = canonical_headers(&req, &["x-extra"]).unwrap();
        assert_eq!(creq, b"x-extra:alpha,zeta\n");
        let auth = sign_v3(&req, AK, SECRET);
        assert!(auth.contains(";x-extra,"), "{auth}");
        verify_with_authorization(&req, &auth).unwrap();
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
        let req = post(&signed.raw_query, &refs, b"");
        let ok = verify(&req, |ak| {
            (ak == "wabasim-ak").then(|| "wabasim-secret".to_owned())
        })
        .unwrap();
        assert_eq!(ok.action.as_deref(), Some("ListChatappTemplate"));
        let auth = req.single_header("authorization").unwrap();
        assert!(lossy(auth).contains("x-wabasim-namespace"));
    }

    #[test]
    fn two_authorization_headers_are_ambiguous() {
        let base = vector_headers("QueryChatappBindWaba", b"", None);
        // Two Authorization headers are ambiguous even when one is valid.
        let refs = as_refs(&base);
        let req = post("", &refs, b"");
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

        /// The case as a request, its query encoded in `style`, with `extra` headers.
        fn with<T>(
            &self,
            style: usize,
            extra: &[(&str, &[u8])],
            f: impl FnOnce(&SignedRequest<'_>) -> T,
        ) -> T {
            let query = wire_encode(&self.params, style);
            let mut refs = as_refs(&self.headers);
            refs.extend_from_slice(extra);
            f(&SignedRequest {
                method: &self.method,
                path: &self.path,
                ..post(&query, &refs, &self.body)
            })
        }

        fn check(&self, authorization: &str) -> Result<Verified, SignatureError> {
            let extra = [
                ("Authorization", authorization.as_bytes()),
                ("accept-encoding", b"identity"),
            ];
            self.with(self.style, &extra, |req| verify(req, secrets))
        }

        fn sign(&self) -> String {
            self.with(0, &[], |req| sign_v3(req, AK, SECRET))
        }
    }

    #[test]
    fn v3_property_signed_requests_verify_and_any_byte_change_fails() {
        let exercised: [usize; 6] = property_rounds(0x00c0_ffee_1234_5678, |round, rng| {
            let case = V3Case::random(rng);
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
                    return what;
                }
            }
            assert!(
                m.check(&auth).is_err(),
                "round {round}: mutation {what} accepted"
            );
            what
        });
        assert!(
            exercised.iter().all(|n| *n > 100),
            "too few of some mutation: {exercised:?}"
        );
    }
}
