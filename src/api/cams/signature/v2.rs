//! The legacy HMAC-SHA1 RPC signature ("V2", `signature_algorithm='v2'`, reference §4.4): the
//! canonicalized parameter string over the query and an old SDK's form body (§3.3), the string
//! to sign, verification, and [`sign_v2`]. The tests reproduce the reference's vector and check,
//! over random requests, that a signed request verifies and that any change of meaning fails.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::encoding::{join_encoded, percent_encode_into};
use super::{Scheme, SignatureError, SignedRequest, Verified, incomplete, lossy};

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

pub(super) fn verify_v2(
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

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        AK, Rng, SECRET, as_refs, post, property_rounds, secrets, vector_headers, wire_encode,
    };
    use super::super::{detect_scheme, encode_query, form_decode, verify};
    use super::*;

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
        let req = post(&query, &refs, b"");
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
        let req = post(&query, &refs, body.as_bytes());
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
    fn missing_and_half_formed_v2_parameters_are_rejected() {
        let base = vector_headers("QueryChatappBindWaba", b"", None);
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
                path: "",
                ..post(query, &bare, b"")
            };
            assert!(verify(&req, secrets).is_err(), "{query}");
        }
    }

    /// One random request of the V2 property test, signed: the §4.4 parameters plus random
    /// ones, the first `split` in the query and the rest in a form body.
    struct V2Case {
        params: Vec<(Vec<u8>, Vec<u8>)>,
        split: usize,
        form: bool,
        headers: Vec<(String, Vec<u8>)>,
        method: String,
        body: Vec<u8>,
        signature: Vec<u8>,
    }

    impl V2Case {
        fn random(rng: &mut Rng) -> Self {
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
            let query = wire_encode(query_params, rng.below(3));
            let body = wire_encode(body_params, rng.below(3)).into_bytes();
            let refs = as_refs(&headers);
            let signature = sign_v2(
                &SignedRequest {
                    method: &method,
                    ..post(&query, &refs, &body)
                },
                SECRET,
            );
            V2Case {
                params,
                split,
                form,
                headers,
                method,
                body,
                signature: signature.into_bytes(),
            }
        }

        fn query_params(&self) -> &[(Vec<u8>, Vec<u8>)] {
            &self.params[..self.split]
        }

        fn body_params(&self) -> &[(Vec<u8>, Vec<u8>)] {
            &self.params[self.split..]
        }

        fn check(
            &self,
            method: &str,
            query: &str,
            body: &[u8],
        ) -> Result<Verified, SignatureError> {
            let refs = as_refs(&self.headers);
            verify(
                &SignedRequest {
                    method,
                    ..post(query, &refs, body)
                },
                secrets,
            )
        }

        /// `q` with the signature among its pairs, at a place that depends on `round`.
        fn signed_query(&self, q: &[(Vec<u8>, Vec<u8>)], round: usize, style: usize) -> String {
            let mut all = q.to_vec();
            all.insert(
                rng_pos(&all, round),
                (b"Signature".to_vec(), self.signature.clone()),
            );
            wire_encode(&all, style)
        }
    }

    #[test]
    fn v2_property_signed_requests_verify_and_any_change_fails() {
        // method, parameter, body changing meaning, body keeping it (e.g. `%2a` for `%2A`)
        let exercised: [usize; 4] = property_rounds(0x0bad_cafe_8765_4321, |round, rng| {
            let case = V2Case::random(rng);
            let (method, body) = (&case.method, &case.body);
            let good_query = case.signed_query(case.query_params(), round, round % 3);
            case.check(method, &good_query, body)
                .unwrap_or_else(|e| panic!("round {round}: signed request rejected: {e}"));

            match rng.below(3) {
                0 => {
                    let mut bytes = method.clone().into_bytes();
                    rng.mutate(&mut bytes);
                    let bad = String::from_utf8_lossy(&bytes).into_owned();
                    assert!(
                        case.check(&bad, &good_query, body).is_err(),
                        "round {round}: method change accepted"
                    );
                    0
                }
                1 => {
                    let mut q = case.query_params().to_vec();
                    let mut b = case.body_params().to_vec();
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
                        case.check(method, &case.signed_query(&q, round, 0), &bad_body)
                            .is_err(),
                        "round {round}: param change accepted"
                    );
                    1
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
                    let same_meaning = case.form && sorted(&bad_body) == sorted(body);
                    let result = case.check(method, &good_query, &bad_body);
                    assert_eq!(
                        result.is_ok(),
                        same_meaning,
                        "round {round}: body {:?} -> {:?}: {result:?}",
                        lossy(body),
                        lossy(&bad_body)
                    );
                    if same_meaning { 3 } else { 2 }
                }
            }
        });
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
