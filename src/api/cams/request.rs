//! Reading an Alibaba RPC request: recognising one, its parameters, and the gateway's checks
//! (signature, version, action, date, nonce, required and typed parameters).
//!
//! Reference `../shared/reference/alibaba-cams.md`: §3 (what the SDK sends), §4 (signatures),
//! §6.2 (gateway errors), §9 (checklist). The gateway checks run in this order (inferred: the
//! reference does not say), each failing with the §6.2 code of [`CamsError`]:
//! 1. the signature (V3 `Authorization`, or V2 `Signature` parameters) and its access key;
//!    then the method is GET or POST (L7 [inferred]: RPC style; `UnsupportedHTTPMethod`);
//! 2. the version (`x-acs-version`, or V2 `Version`) is `2020-06-06`;
//! 3. the action (`x-acs-action`, or V2 `Action`) names an operation of this facade; a real
//!    2020-06-06 action it does not simulate is `Wabasim.NotSimulated` (H5), any other name
//!    `InvalidAction.NotFound`;
//! 4. the signed date is within [`DATE_WINDOW`] of the **wall clock** (the SDK signs with real
//!    time, whatever year a fixture's virtual clock is in);
//! 5. the signed nonce was not used by another request of the namespace within that window;
//! 6. required parameters are present, none is longer than [`max_length`] allows (L5), and
//!    typed ones read as their type (M2: a gateway 400 whatever the business setting).
//!
//! Action and version are taken from what the signature covers, so an unsigned header cannot
//! redirect a V2 request.

use http::HeaderMap;

use super::Op;
use super::errors::CamsError;
use super::model;
use super::signature::{self, API_VERSION, SignedRequest, Verified};
use crate::api::Incoming;
use crate::clock::{Duration, Timestamp, wall_now};
use crate::namespace::Namespace;
use crate::world::PartnerIdx;

/// How far a signed date may be from the wall clock, either way (§4.1 step 7: about 15
/// minutes, from a third-party summary of the V3 documentation). A nonce is remembered until
/// its date leaves this window, after which the date check refuses a replay by itself.
pub const DATE_WINDOW: Duration = Duration::minutes(15);

/// Whether a request is for this facade: it carries `x-acs-action` or `x-acs-version`
/// (every SDK, V3 and V2), or, in its query, the V2 `Action` and `Version` parameters or a V2
/// signature (`Signature` with `AccessKeyId` or `SignatureMethod`). A V2-signed request that
/// lacks `Action` or `Version` is Alibaba's, and gets Alibaba's `MissingParameter`; no Graph
/// request carries these names.
pub fn is_cams_request(headers: &HeaderMap, query: Option<&str>) -> bool {
    // Names made once: a `&str` key is parsed into a header name on every lookup, and this
    // runs on every request the server gets. One pass over the request's few header names
    // compares them without hashing either name.
    const ACTION: http::HeaderName = http::HeaderName::from_static("x-acs-action");
    const VERSION: http::HeaderName = http::HeaderName::from_static("x-acs-version");
    if headers
        .keys()
        .any(|name| *name == ACTION || *name == VERSION)
    {
        return true;
    }
    let Some(query) = query
        .filter(|q| (q.contains("Action=") && q.contains("Version=")) || q.contains("Signature="))
    else {
        return false;
    };
    let (mut action, mut version, mut signature, mut signer) = (false, false, false, false);
    for (k, _) in form_urlencoded::parse(query.as_bytes()) {
        action |= k == "Action";
        version |= k == "Version";
        signature |= k == "Signature";
        signer |= k == "AccessKeyId" || k == "SignatureMethod";
    }
    (action && version) || (signature && signer)
}

/// Why the gateway refused a request, and the operation if it had been named by then (so
/// that a business-class refusal, such as a parameter of the wrong type, is answered as that
/// operation's).
pub struct Refused {
    pub error: CamsError,
    pub op: Option<Op>,
}

impl From<CamsError> for Refused {
    fn from(error: CamsError) -> Refused {
        Refused { error, op: None }
    }
}

/// The RPC parameters: the form-decoded query merged with a form-encoded body (§3.3). A name
/// given twice takes its last value, so the body wins over the query.
#[derive(Clone, Debug, Default)]
pub struct RpcParams {
    entries: Vec<(String, String)>,
}

impl RpcParams {
    pub fn from_pairs(pairs: Vec<(Vec<u8>, Vec<u8>)>) -> RpcParams {
        let text = |b: Vec<u8>| String::from_utf8(b).unwrap_or_else(|e| lossy(e.as_bytes()));
        RpcParams {
            entries: pairs.into_iter().map(|(k, v)| (text(k), text(v))).collect(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value, trimmed, if present and not blank.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// A boolean as the SDKs send it: `True`/`False` from Python, `true`/`false` elsewhere.
    pub fn bool(&self, name: &str) -> Result<Option<bool>, CamsError> {
        match self.non_empty(name) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(_) => Err(CamsError::invalid_parameter(
                name,
                "It must be a boolean (true or false).",
            )),
        }
    }

    /// An integer (`Start`, `End`, `MessageSendTtlSeconds`).
    pub fn int(&self, name: &str) -> Result<Option<i64>, CamsError> {
        match self.non_empty(name) {
            None => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .map(Some)
                .map_err(|_| CamsError::invalid_parameter(name, "It must be an integer.")),
        }
    }
}

/// The longest value the gateway accepts for a parameter (L5 [inferred]: the real service
/// has limits, none is documented). Numbers and codes are short; template components and
/// examples are JSON; everything else is text of a field.
pub fn max_length(name: &str) -> usize {
    match name {
        "PhoneNumber" | "MobileNumber" | "CountryCode" | "Cc" | "VerifyCode" => 32,
        "CustSpaceId" | "WabaId" | "TemplateCode" | "Locale" | "Method" | "Language" => 128,
        "Components" | "Example" => 65_536,
        // Up to 1,000 recipients (SendChatappMassMessage's page), each its number and its
        // parameters: 256 characters apiece.
        "SenderList" => 256_000,
        _ => 4_096,
    }
}

impl RpcParams {
    /// The first parameter longer than [`max_length`] allows, with its limit.
    pub fn too_long(&self) -> Option<(&str, usize)> {
        self.entries
            .iter()
            .map(|(k, v)| (k.as_str(), max_length(k), v.chars().count()))
            .find(|(_, max, len)| len > max)
            .map(|(k, max, _)| (k, max))
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What the gateway established about a request.
pub struct Admitted {
    pub op: Op,
    pub params: RpcParams,
    pub partner: PartnerIdx,
    pub access_key_id: String,
}

/// Runs the gateway checks of the module documentation.
pub fn admit(ns: &Namespace, req: &Incoming) -> Result<Admitted, Refused> {
    let headers: Vec<(&str, &[u8])> = req
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    let signed = SignedRequest {
        method: req.method.as_str(),
        path: &req.path,
        raw_query: &req.query,
        headers: &headers,
        body: &req.body,
    };
    let verified = signature::verify(&signed, |ak| {
        ns.read_world(|w| model::of(w).access_keys.get(ak).map(|k| k.secret.clone()))
    })
    .map_err(|e| CamsError::signature(&e))?;
    let partner = ns
        .read_world(|w| {
            model::of(w)
                .access_keys
                .get(&verified.access_key_id)
                .map(|k| k.partner)
        })
        .ok_or_else(|| {
            CamsError::signature(&signature::SignatureError::UnknownAccessKey(
                verified.access_key_id.clone(),
            ))
        })?;

    if !matches!(req.method.as_str(), "GET" | "POST") {
        return Err(CamsError::unsupported_method(req.method.as_str()).into());
    }
    let version =
        non_blank(&verified.version).ok_or_else(|| CamsError::missing_parameter("Version"))?;
    if version != API_VERSION {
        return Err(CamsError::invalid_version(version).into());
    }
    let action =
        non_blank(&verified.action).ok_or_else(|| CamsError::missing_parameter("Action"))?;
    let op = Op::parse(action).ok_or_else(|| {
        if super::actions::is_real(action) {
            CamsError::not_simulated(action)
        } else {
            CamsError::unknown_action(action)
        }
    })?;

    check_freshness(ns, &verified, wall_now())?;

    let params = RpcParams::from_pairs(signed.rpc_params());
    let refuse = |error: CamsError| Refused {
        error,
        op: Some(op),
    };
    for name in op.required() {
        if params.non_empty(name).is_none() {
            return Err(refuse(CamsError::missing_parameter(name)));
        }
    }
    if let Some((name, max)) = params.too_long() {
        return Err(refuse(CamsError::too_long(name, max)));
    }
    // GetChatappTemplateDetail names its template by code or by name (§7.4); both are
    // optional in the SDK, so neither is the service's refusal, not the gateway's (L8).
    if op == Op::GetChatappTemplateDetail
        && params.non_empty("TemplateCode").is_none()
        && params.non_empty("TemplateName").is_none()
    {
        return Err(refuse(CamsError::template_code_empty()));
    }
    for name in [
        "Start",
        "End",
        "MessageSendTtlSeconds",
        "OwnerId",
        "ResourceOwnerId",
    ] {
        params.int(name).map_err(refuse)?;
    }
    for name in ["AllowCategoryChange", "CategoryChangePaused"] {
        params.bool(name).map_err(refuse)?;
    }
    Ok(Admitted {
        op,
        params,
        partner,
        access_key_id: verified.access_key_id,
    })
}

fn non_blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Steps 4 and 5: the signed date against the wall clock, and the nonce against replays.
fn check_freshness(ns: &Namespace, v: &Verified, now: Timestamp) -> Result<(), CamsError> {
    // V3 cannot lack them (they are required signed headers); V2 carries them as parameters.
    let date = non_blank(&v.timestamp).ok_or_else(|| CamsError::missing_parameter("Timestamp"))?;
    let nonce =
        non_blank(&v.nonce).ok_or_else(|| CamsError::missing_parameter("SignatureNonce"))?;
    if !iso8601_utc(date) {
        return Err(CamsError::date_malformed());
    }
    let date = Timestamp::parse_rfc3339(date).map_err(|_| CamsError::date_malformed())?;
    if (now - date).as_millis().abs() > DATE_WINDOW.as_millis() {
        return Err(CamsError::date_expired());
    }
    let key = format!("{}\n{nonce}", v.access_key_id);
    if !ns.first_use_of_nonce("cams", &key, date + DATE_WINDOW, now) {
        return Err(CamsError::nonce_used());
    }
    Ok(())
}

/// The one date format both signers send (`x-acs-date`, V2 `Timestamp`):
/// `YYYY-MM-DDThh:mm:ssZ`, exactly. RFC 3339's variants (a space for `T`, fractions, an
/// offset) are refused as `InvalidTimeStamp.Format`, as POP refuses them.
fn iso8601_utc(date: &str) -> bool {
    let b = date.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_alibaba_requests_only() {
        let mut h = HeaderMap::new();
        assert!(!is_cams_request(&h, None));
        assert!(!is_cams_request(&h, Some("fields=id,name&Action=x")));
        assert!(is_cams_request(
            &h,
            Some("Action=QueryChatappBindWaba&Version=2020-06-06")
        ));
        assert!(!is_cams_request(&h, Some("NotAction=1&MyVersion=2")));
        // A V2 signature without Action or Version is still Alibaba's.
        assert!(is_cams_request(
            &h,
            Some("AccessKeyId=ak&SignatureMethod=HMAC-SHA1&Signature=x%3D&Version=2020-06-06")
        ));
        assert!(is_cams_request(
            &h,
            Some("Signature=x&AccessKeyId=ak&Action=A")
        ));
        assert!(!is_cams_request(&h, Some("Signature=x&fields=id")));
        h.insert("x-acs-action", "QueryChatappBindWaba".parse().unwrap());
        assert!(is_cams_request(&h, None));
    }

    #[test]
    fn dates_must_be_exactly_the_signed_format() {
        assert!(iso8601_utc("2026-01-01T00:00:00Z"));
        for bad in [
            "2026-01-01 00:00:00Z",
            "2026-01-01 00:00:00",
            "2026-01-01T00:00:00.000Z",
            "2026-01-01T00:00:00+00:00",
            "2026-1-01T00:00:00Z",
            "garbage",
            "",
        ] {
            assert!(!iso8601_utc(bad), "{bad}");
        }
    }

    #[test]
    fn later_values_win_and_types_are_checked() {
        let p = RpcParams::from_pairs(vec![
            (b"A".to_vec(), b"query".to_vec()),
            (b"A".to_vec(), b" body ".to_vec()),
            (b"T".to_vec(), b"True".to_vec()),
            (b"F".to_vec(), b"false".to_vec()),
            (b"N".to_vec(), b"12".to_vec()),
            (b"X".to_vec(), b"yes".to_vec()),
            (b"E".to_vec(), b"  ".to_vec()),
        ]);
        assert_eq!(p.non_empty("A"), Some("body"));
        assert_eq!(p.bool("T").unwrap(), Some(true));
        assert_eq!(p.bool("F").unwrap(), Some(false));
        assert_eq!(p.bool("missing").unwrap(), None);
        assert_eq!(p.bool("X").unwrap_err().code, "InvalidParameter");
        assert_eq!(p.int("N").unwrap(), Some(12));
        assert!(p.int("X").is_err());
        assert_eq!(p.non_empty("E"), None);
    }
}
