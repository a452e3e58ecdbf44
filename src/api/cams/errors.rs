//! Alibaba's error replies, and the one table that maps every [`DomainError`] to them.
//!
//! Rows cite `../shared/reference/alibaba-cams.md` (§6.1 envelope, §6.2 gateway codes, §6.3
//! CAMS-documented codes, §6.4 the CAMS error-code page, §6.5 business-error status). The
//! reference leaves much open; every inferred choice is made here and nowhere else:
//!
//! - **Two shapes** (§6.5, inferred). Gateway failures (signature, access key, date, nonce,
//!   action, version, missing or ill-typed parameter, throttling) and the four codes CAMS
//!   documents with HTTP 400 (§6.3) answer 4xx/5xx with the gateway envelope of §6.1:
//!   `RequestId`, `HostId`, `Code`, `Message`, `Recommend`. The SDK raises `ClientException`
//!   (4xx), `ServerException` (5xx) or `ThrottlingException` (with `x-acs-retry-after`).
//!   Business failures of the service answer **HTTP 200** with `Code` ≠ `OK`, `Message`, and
//!   `Success: false` on operations whose model has `Success`; the SDK returns them normally.
//! - **Codes for migration and registration rules** (inferred: no source names any, §10). They
//!   follow the `<Area>Error.<Reason>` pattern of the codes CAMS does document
//!   (`DetailError.TemplateNotExist`, `TemplateListError.QueryError`, §6.4), one per rule, so
//!   a client can tell the rules apart: `MigrationError.*`, `VerifyCodeError.*`,
//!   `RegisterError.*`. Their messages carry Meta's wording (reference meta-graph.md §6.4).
//! - **Parameter errors** from the service use the §6.4 code for the parameter where there is
//!   one (`InvalidParameter.PhoneNumberError`, `.PageInvalid`, `.LanguageNotSupport`,
//!   `.AuditStatusNotSupport`, `.TemplateTypeNotSupport`, `.CreateError`), else
//!   `InvalidParameter`.
//! - **Gateway texts** for `InvalidTimeStamp.*`, `SignatureNonceUsed`, `InvalidVersion`,
//!   `InvalidAction.NotFound` are the POP texts Alibaba's SDK-era clients list; their HTTP
//!   statuses (400, 400, 400, 404) are §6.2's inferred ones. `Throttling.User` is 400 (§6.2,
//!   inferred) with `x-acs-retry-after` in milliseconds (§5, §9 item 7).
//! - Access-token errors can only be scripted (cams authenticates by access key); they render
//!   as the access-key errors closest to them.

use super::signature::SignatureError;
use crate::api::json::Obj;
use crate::world::DomainError;

/// The host the gateway names in `HostId` (§6.1).
pub const HOST_ID: &str = "cams.ap-southeast-1.aliyuncs.com";

/// How long a throttled client is told to wait, in milliseconds, unless a fault says otherwise.
pub const DEFAULT_RETRY_AFTER_MS: u64 = 1000;

/// An error reply, ready to render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CamsError {
    pub status: u16,
    pub code: String,
    pub message: String,
    /// `x-acs-retry-after` in milliseconds: the SDK raises `ThrottlingException` for it.
    pub retry_after_ms: Option<u64>,
}

impl CamsError {
    fn new(status: u16, code: &str, message: impl Into<String>) -> CamsError {
        CamsError {
            status,
            code: code.to_string(),
            message: message.into(),
            retry_after_ms: None,
        }
    }

    /// A business failure: HTTP 200, `Code` ≠ `OK` (§6.5, inferred).
    fn business(code: &str, message: impl Into<String>) -> CamsError {
        CamsError::new(200, code, message)
    }

    fn retry_after(mut self, ms: u64) -> CamsError {
        self.retry_after_ms = Some(ms.max(1));
        self
    }

    /// Whether this answers in the gateway envelope (an HTTP error) rather than as a result.
    pub fn is_gateway(&self) -> bool {
        self.status >= 400
    }

    // --- gateway failures (§6.2) ----------------------------------------------------------

    /// §6.2 [seen]: teamssix/cf #211, aliyun-openapi-python-sdk #124.
    pub fn missing_parameter(name: &str) -> CamsError {
        CamsError::new(
            400,
            "MissingParameter",
            format!(
                "The input parameter \"{name}\" that is mandatory for processing this request is not supplied."
            ),
        )
    }

    /// A parameter the gateway cannot read as its declared type (an integer, a boolean).
    /// Code and text are POP's; the status is inferred.
    pub fn invalid_parameter(name: &str, why: &str) -> CamsError {
        CamsError::new(
            400,
            "InvalidParameter",
            format!("The specified parameter \"{name}\" is not valid. {why}"),
        )
    }

    /// §6.2 [seen] for the codes, statuses and texts (reference §4.3, §6.2).
    pub fn signature(e: &SignatureError) -> CamsError {
        CamsError::new(e.http_status(), e.code(), e.message())
    }

    /// §6.2 [inferred status]; the 15-minute window is §4.1 step 7.
    pub fn date_expired() -> CamsError {
        CamsError::new(
            400,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        )
    }

    pub fn date_malformed() -> CamsError {
        CamsError::new(
            400,
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted.",
        )
    }

    /// §6.2 [inferred status].
    pub fn nonce_used() -> CamsError {
        CamsError::new(
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        )
    }

    /// §6.2 [inferred status 404].
    pub fn unknown_action(action: &str) -> CamsError {
        CamsError::new(
            404,
            "InvalidAction.NotFound",
            format!(
                "Specified api is not found, please check your url and method. Action: {action}"
            ),
        )
    }

    /// §6.2 [inferred status].
    pub fn invalid_version(version: &str) -> CamsError {
        CamsError::new(
            400,
            "InvalidVersion",
            format!(
                "Specified parameter Version is not valid. Version: {version}; this service is 2020-06-06."
            ),
        )
    }

    /// §6.2 `Throttling.User` [seen code and text; status inferred], with `x-acs-retry-after`.
    pub fn throttled(retry_after_ms: u64) -> CamsError {
        CamsError::new(
            400,
            "Throttling.User",
            "Request was denied due to user flow control.",
        )
        .retry_after(retry_after_ms)
    }

    /// A request that never reached the facade (body too large, bad namespace).
    pub fn early(status: u16, text: &str) -> CamsError {
        let code = match status {
            413 => "InvalidParameter.BodyTooLarge",
            429 => "Throttling.User",
            500..=599 => "InternalError",
            _ => "InvalidParameter",
        };
        CamsError::new(status, code, text)
    }

    /// The JSON body. `with_success` adds `"Success": false` to a business failure of an
    /// operation whose model has `Success`.
    pub fn body(&self, request_id: &str, with_success: bool) -> Vec<u8> {
        let mut buf = Vec::with_capacity(256);
        let mut o = Obj::new(&mut buf);
        o.str("RequestId", request_id);
        if self.is_gateway() {
            o.str("HostId", HOST_ID)
                .str("Code", &self.code)
                .str("Message", &self.message)
                .str(
                    "Recommend",
                    &format!(
                        "https://api.aliyun.com/troubleshoot?q={}&product=cams&requestId={request_id}",
                        self.code
                    ),
                );
        } else {
            o.str("Code", &self.code).str("Message", &self.message);
            if with_success {
                o.bool("Success", false);
            }
        }
        o.end();
        buf
    }
}

/// The service's parameter codes of §6.4, by Alibaba parameter name.
fn parameter_code(param: &str) -> &'static str {
    match param {
        "PhoneNumber" | "MobileNumber" | "CountryCode" | "Cc" => {
            "InvalidParameter.PhoneNumberError"
        }
        "Page" => "InvalidParameter.PageInvalid",
        "Language" => "InvalidParameter.LanguageNotSupport",
        "AuditStatus" => "InvalidParameter.AuditStatusNotSupport",
        "TemplateType" => "InvalidParameter.TemplateTypeNotSupport",
        "Components" | "Example" => "InvalidParameter.CreateError",
        _ => "InvalidParameter",
    }
}

/// The table: every domain error as cams answers it. An `InvalidParameter` must already name
/// the Alibaba parameter (the facade translates the world's names per operation).
pub fn from_domain(e: &DomainError) -> CamsError {
    use DomainError::*;
    let migration = |reason: &str, msg: &str| {
        CamsError::business(&format!("MigrationError.{reason}"), msg.to_string())
    };
    match e {
        // Access (scripted only): the closest access-key errors (§6.2).
        AccessTokenMissing => CamsError::new(
            400,
            "IncompleteSignature",
            "The request signature does not conform to Aliyun standards.",
        ),
        AccessTokenInvalid => CamsError::new(
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        ),
        AccessTokenExpired { .. } => CamsError::new(
            400,
            "InvalidAccessKeyId.Inactive",
            "Specified access key is disabled.",
        ),
        // §6.3 [doc]: 400.
        PermissionMissing { .. } => CamsError::new(
            400,
            "Ram.PermissionDeny",
            "You are not authorized to perform the operation.",
        ),
        // §6.3 [doc]: 400. A space, WABA or number the access key's account does not own.
        UnknownObject { .. } => CamsError::new(
            400,
            "Unknown.ResourceOwnerId",
            "The resource does not belong to the current user.",
        ),
        // §6.4 [doc] codes; HTTP 200 (§6.5, inferred).
        InvalidParameter { param, details } => {
            let message = if details.is_empty() {
                format!("The specified parameter \"{param}\" is not valid.")
            } else {
                format!("The specified parameter \"{param}\" is not valid. {details}")
            };
            CamsError::business(parameter_code(param), message)
        }

        // Migration preconditions: codes inferred, Meta's messages (meta-graph.md §6.4).
        NumberAlreadyOnDestination => migration(
            "PhoneNumberExists",
            "This phone number already exists in your list of phone numbers.",
        ),
        NumberNotRegistered => migration(
            "PhoneNumberNotRegistered",
            "The phone number is not registered on any WhatsApp Business Account: add it (AddChatappPhoneNumber) instead of migrating it.",
        ),
        DifferentBusiness => migration(
            "DifferentBusiness",
            "This phone number belongs to a different Business Manager account.",
        ),
        SourceNotSetUp => migration(
            "SourceWabaNotReady",
            "The WhatsApp account that this phone number is registered with is not set up correctly: its review must be approved and its business verified.",
        ),
        TestNumber => migration(
            "TestNumber",
            "Test business phone numbers cannot be migrated.",
        ),
        BusinessAppNumber => migration(
            "BusinessAppNumber",
            "Business phone numbers in use with the WhatsApp Business App cannot be migrated using this API.",
        ),
        DisplayNameNotApproved => migration(
            "DisplayNameNotApproved",
            "Registered name should be present and approved.",
        ),
        TwoStepStillEnabled => migration(
            "TwoStepVerificationEnabled",
            "Two-step authentication must be disabled for this phone number.",
        ),
        DestinationNotApproved => {
            migration("WabaNotApproved", "Your WhatsApp account must be approved.")
        }
        DestinationNoPayment => migration(
            "NoPaymentMethod",
            "Your WhatsApp account does not have a payment account.",
        ),
        DestinationNoSubscribedApp => migration(
            "NoSubscribedApp",
            "No app is subscribed to the webhooks of your WhatsApp account.",
        ),
        MigrationFailed => migration(
            "Failed",
            "There was an error migrating this phone number. Try again later.",
        ),
        MaintenanceMode => migration(
            "MaintenanceMode",
            "Account is in maintenance mode. Try again in a few minutes.",
        ),

        // Verification codes and registration: codes inferred.
        NotEligibleForCode => CamsError::business(
            "VerifyCodeError.NotEligible",
            "This phone number isn't eligible to receive a verification code since it is neither being migrated nor newly added.",
        ),
        NotEligibleForVerify => CamsError::business(
            "VerifyCodeError.NotEligible",
            "This phone number isn't eligible to verify a code since it is neither being migrated nor newly added.",
        ),
        TooManyCodeRequests => CamsError::business(
            "VerifyCodeError.TooManyRequests",
            "Too many verification code requests for this phone number. Wait before requesting another code.",
        ),
        WrongCode => CamsError::business(
            "VerifyCodeError.CodeMismatch",
            "The verification code is incorrect, expired or already used. Request a new code.",
        ),
        NotVerified => CamsError::business(
            "RegisterError.NotVerified",
            "The phone number must be verified with a code before it is registered.",
        ),
        PinMismatch => CamsError::business(
            "RegisterError.PinMismatch",
            "The two-step verification PIN is incorrect.",
        ),
        TooManyRegistrations { until } => CamsError::business(
            "RegisterError.RateLimit",
            format!(
                "Too many register or deregister attempts for this phone number. Try again after {}.",
                until.rfc3339()
            ),
        ),
        TooManyPinAttempts { until } => CamsError::business(
            "RegisterError.TooManyPinAttempts",
            format!(
                "Too many two-step verification PIN guesses for this phone number. Try again after {}.",
                until.rfc3339()
            ),
        ),
        PinTooFast => CamsError::business(
            "RegisterError.PinTooFast",
            "The two-step verification PIN was entered too quickly. Wait a moment before trying again.",
        ),
        DeregistrationIncomplete => CamsError::business(
            "RegisterError.DeregistrationIncomplete",
            "A previous deregistration attempt failed. Deregister the number again before registering it.",
        ),
        RecentlyDeleted => CamsError::business(
            "RegisterError.RecentlyDeleted",
            "The phone number was recently deleted and the deletion has not completed. Wait 5 minutes before trying again.",
        ),
        CannotCreateCertificate => CamsError::business(
            "RegisterError.CannotCreateCertificate",
            "Your display name could not be processed. Please edit your display name and try again.",
        ),
        NotRegistered => CamsError::business(
            "RegisterError.NotRegistered",
            "The phone number is not registered.",
        ),

        // Templates: §6.4 [doc] codes.
        TemplateLimitExceeded { limit } => CamsError::business(
            "InvalidParameter.CreateError",
            format!("The WhatsApp account has reached its limit of {limit} message templates."),
        ),
        TemplateExists => CamsError::business(
            "InvalidParameter.CreateError",
            "A template with this name already exists in this language.",
        ),
        TemplateNameInvalid => CamsError::business(
            "InvalidParameter.CreateError",
            "Template names can only contain lowercase letters, digits and underscores.",
        ),
        TemplateNotFound => CamsError::business(
            "DetailError.TemplateNotExist",
            "The template does not exist.",
        ),

        // Flow control: §6.3 [doc] System.LimitControl (400), §6.2 Throttling.User; both carry
        // x-acs-retry-after so the SDK raises ThrottlingException.
        RateLimited => CamsError::new(
            400,
            "System.LimitControl",
            "The system is under flow control.",
        )
        .retry_after(DEFAULT_RETRY_AFTER_MS),
        ThroughputReached => CamsError::throttled(DEFAULT_RETRY_AFTER_MS),
        // §6.2 [inferred statuses 503/500].
        TemporarilyUnavailable | ServiceUnavailable => CamsError::new(
            503,
            "ServiceUnavailable",
            "The request has failed due to a temporary failure of the server.",
        ),
        InternalError => CamsError::new(
            500,
            "InternalError",
            "The request processing has failed due to some unknown error, exception or failure.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::error::ERROR_NAMES;

    #[test]
    fn every_domain_error_renders_in_one_of_the_two_shapes() {
        for name in ERROR_NAMES {
            let e = DomainError::from_name(name, crate::clock::Timestamp(0)).unwrap();
            let c = from_domain(&e);
            let body: serde_json::Value = serde_json::from_slice(&c.body("REQ-ID", true)).unwrap();
            assert_eq!(body["RequestId"], "REQ-ID", "{name}");
            assert_eq!(body["Code"], c.code.as_str(), "{name}");
            assert_ne!(c.code, "OK", "{name}");
            assert!(!c.message.is_empty(), "{name}");
            if c.status == 200 {
                assert_eq!(body["Success"], false, "{name}");
                assert!(body.get("HostId").is_none(), "{name}");
            } else {
                assert!(c.status >= 400, "{name}");
                assert_eq!(body["HostId"], HOST_ID, "{name}");
                assert!(body.get("Success").is_none(), "{name}");
                assert!(body["Recommend"].as_str().unwrap().contains(&c.code));
            }
        }
    }

    #[test]
    fn throttling_carries_a_positive_retry_after() {
        for e in [DomainError::RateLimited, DomainError::ThroughputReached] {
            assert!(from_domain(&e).retry_after_ms.is_some_and(|ms| ms > 0));
            assert!(from_domain(&e).is_gateway());
        }
        assert_eq!(CamsError::throttled(0).retry_after_ms, Some(1));
        assert_eq!(CamsError::throttled(250).code, "Throttling.User");
    }

    #[test]
    fn parameter_errors_use_the_documented_codes() {
        let code = |p: &str| from_domain(&DomainError::param(p, "")).code;
        assert_eq!(code("PhoneNumber"), "InvalidParameter.PhoneNumberError");
        assert_eq!(code("Page"), "InvalidParameter.PageInvalid");
        assert_eq!(code("Locale"), "InvalidParameter");
        let business = from_domain(&DomainError::param("Locale", "x"));
        assert_eq!(business.status, 200);
        let without: serde_json::Value =
            serde_json::from_slice(&business.body("R", false)).unwrap();
        assert!(without.get("Success").is_none());
    }
}
