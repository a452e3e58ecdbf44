//! Alibaba's error replies, and the one table that maps every [`DomainError`] to them.
//!
//! Rows cite `../shared/reference/alibaba-cams.md` (§6.1 envelope, §6.2 gateway codes, §6.3
//! CAMS-documented codes, §6.4 the CAMS error-code page, §6.5 business-error status). The
//! reference leaves much open; every inferred choice is made here and nowhere else:
//!
//! - **Two classes** (§6.5, inferred). *Gateway* failures (signature, access key, date, nonce,
//!   action, version, missing parameter, throttling, outages) and the four codes CAMS
//!   documents with HTTP 400 (§6.3) always answer 4xx/5xx in the gateway envelope of §6.1:
//!   `RequestId`, `HostId`, `Code`, `Message`, `Recommend`. The SDK raises `ClientException`
//!   (4xx), `ServerException` (5xx) or `ThrottlingException` (with `x-acs-retry-after`).
//!   *Business* failures of the service (every `InvalidParameter*` code, `MigrationError.*`,
//!   `VerifyCodeError.*`, `RegisterError.*`, `DetailError.*`) answer with the status of the
//!   fixture setting `cams.business_error_status` ([`business_status`], the one place it is
//!   read): **200** by default, with `Code` ≠ `OK`, `Message`, and `Success: false` on
//!   operations whose model has `Success` (the SDK returns them normally); or **400** in the
//!   gateway envelope (the SDK raises `ClientException` carrying the `Code`). The reference
//!   asks for exactly this switch: "make the choice configurable. The client under test must
//!   handle both". A scripted `error:` fault may override the status of its answer.
//! - **A code has one class, whichever check finds it.** `InvalidParameter` is a business
//!   code whether the gateway's type check finds it (`Start=abc`: not an integer) or the
//!   operation does (`Granularity=HOUR`): both follow the setting. `MissingParameter` is
//!   always a gateway 400 (§6.2 [seen]).
//! - **Codes for migration and registration rules** (inferred: no source names any, §10). They
//!   follow the `<Area>Error.<Reason>` pattern of the codes CAMS does document
//!   (`DetailError.TemplateNotExist`, `TemplateListError.QueryError`, §6.4), one per rule, so
//!   a client can tell the rules apart: `MigrationError.*` (only for migration rules),
//!   `VerifyCodeError.*`, `RegisterError.*`. They are wabasim's own: production code should
//!   branch on `Code != "OK"`, not on these names. Messages say what to do in ChatApp's
//!   terms (its operations and parameters), never Graph's.
//! - **Parameter errors** from the service use the §6.4 code for the parameter where there is
//!   one (`InvalidParameter.PhoneNumberError`, `.PageInvalid`, `.LanguageNotSupport`,
//!   `.AuditStatusNotSupport`, `.TemplateTypeNotSupport`, `.CreateError`), else
//!   `InvalidParameter`. Adding a number that is already in the space, or registered on
//!   another WABA, is `InvalidParameter.PhoneNumberError` (no migration is involved).
//! - **Template codes** (§6.4 and the CAMS error page in other languages). The Chinese page
//!   (the source, help.aliyun.com/zh/chatapp/developer-reference/api-error-codes) and its
//!   current translations spell `InvalidParameter.HeaderMoreVarable` and `.UrlMoreVarable`;
//!   the alibabacloud.com English, Japanese and Indonesian pages spell `...Variable`. We send
//!   `Varable`: error codes are constants in the service's code, which the source page copies,
//!   and a translator correcting a typo is likelier than one introducing it. Clients should
//!   accept both. `InvalidParameter.TemplateNameExist` (a duplicate name and language) is
//!   listed only on those English, Japanese and Indonesian pages: the reference §6.4 read only
//!   the start of the Chinese page, which does not list it in its visible part.
//!   `InvalidParameter.MessageInvalid` (documented as "the type of message template must be
//!   specified" / "contains strings WhatsApp does not support") answers a template without
//!   BODY or with an unknown component type.
//! - **Gateway texts** for `InvalidTimeStamp.*`, `SignatureNonceUsed`, `InvalidVersion`,
//!   `InvalidAction.NotFound` are the POP texts Alibaba's SDK-era clients list; their HTTP
//!   statuses (400, 400, 400, 404) are §6.2's inferred ones. `Throttling.User` is 400 (§6.2,
//!   inferred) with `x-acs-retry-after` in milliseconds (§5, §9 item 7).
//! - Access-token errors can only be scripted (cams authenticates by access key); they render
//!   as the access-key errors closest to them.
//! - Refusals before a request reaches the facade (an oversized or unreadable body, a bad
//!   namespace) keep their transport status: there is no namespace, so no setting, yet.

use super::Op;
use super::signature::SignatureError;
use crate::api::json::Obj;
use crate::namespace::Namespace;
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

    /// A business failure: HTTP 200, `Code` ≠ `OK` (§6.5, inferred), until
    /// [`with_business_status`](Self::with_business_status) applies the fixture's setting.
    fn business(code: &str, message: impl Into<String>) -> CamsError {
        CamsError::new(200, code, message)
    }

    /// A business failure takes the namespace's business-error status; a gateway failure
    /// keeps its own.
    pub fn with_business_status(mut self, status: u16) -> CamsError {
        if self.status == 200 {
            self.status = status;
        }
        self
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
    /// Code and text are POP's; like every `InvalidParameter`, a business failure (see the
    /// module documentation).
    pub fn invalid_parameter(name: &str, why: &str) -> CamsError {
        CamsError::business(
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

    /// §6.2 `InternalError` (standard POP code, status 500 [inferred]): a server-side failure,
    /// also what a request wabasim failed on (a panic) answers.
    pub fn internal() -> CamsError {
        CamsError::new(
            500,
            "InternalError",
            "The request processing has failed due to some unknown error, exception or failure.",
        )
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

/// The HTTP status of business failures in this namespace: its fixture's
/// `cams.business_error_status` (200 unless set to 400), kept in the facade's binding.
/// Called with the world's lock free.
pub fn business_status(ns: &Namespace) -> u16 {
    ns.read_world(|w| super::model::of(w).business_error_status.unwrap_or(200))
}

/// The table: every domain error as cams answers it for `op`. An `InvalidParameter` must
/// already name the Alibaba parameter (the facade translates the world's names per
/// operation). Business failures come out as HTTP 200; the caller applies
/// [`business_status`].
pub fn from_domain(e: &DomainError, op: Op) -> CamsError {
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

        // Adding a number is not a migration: the documented phone-number code (§6.4).
        NumberAlreadyOnDestination if op == Op::AddChatappPhoneNumber => CamsError::business(
            "InvalidParameter.PhoneNumberError",
            "The phone number is already a number of this space's WhatsApp Business Account.",
        ),
        NumberRegisteredElsewhere => CamsError::business(
            "InvalidParameter.PhoneNumberError",
            "The phone number is registered on another WhatsApp Business Account: migrate it with CreateChatappMigrationInitiate instead of adding it.",
        ),
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
        // The English, Japanese and Indonesian CAMS error pages (see the module documentation).
        TemplateExists => CamsError::business(
            "InvalidParameter.TemplateNameExist",
            "The specified name is already used by an existing template in this language.",
        ),
        TemplateNameInvalid => CamsError::business(
            "InvalidParameter.CreateError",
            "Template names can only contain lowercase letters, digits and underscores.",
        ),
        TemplateNotFound => CamsError::business(
            "DetailError.TemplateNotExist",
            "The template does not exist.",
        ),
        // §6.4 [doc] template content codes; spellings per the module documentation.
        TemplateLanguageUnsupported { language } => CamsError::business(
            "InvalidParameter.LanguageNotSupport",
            format!("The language {language:?} is not supported."),
        ),
        TemplateComponentUnsupported { kind } => CamsError::business(
            "InvalidParameter.MessageInvalid",
            format!(
                "The component type {kind:?} is not supported: use HEADER, BODY, FOOTER, BUTTONS, CAROUSEL or LIMITED_TIME_OFFER."
            ),
        ),
        TemplateBodyMissing => CamsError::business(
            "InvalidParameter.MessageInvalid",
            "The template must have a BODY component.",
        ),
        TemplateHeaderFormatUnsupported { format } => CamsError::business(
            "InvalidParameter.HeaderTypeNotSupport",
            format!("The header type {format:?} is not supported."),
        ),
        TemplateHeaderTooManyVariables => CamsError::business(
            "InvalidParameter.HeaderMoreVarable",
            "Only one variable is allowed in the header.",
        ),
        // Graph's component length limits (graph-fidelity-review.md row 2), relayed as the
        // other template content errors are.
        TemplateTextTooLong { .. } => CamsError::business(
            "InvalidParameter.CreateError",
            "The template text exceeds the character limit of its component.",
        ),
        TemplateFooterHasVariable => CamsError::business(
            "InvalidParameter.FooterHaveVariable",
            "Variables are not allowed in the footer.",
        ),
        TemplateButtonTextHasVariable => CamsError::business(
            "InvalidParameter.ButtonTextHaveVariable",
            "Variables are not allowed in button text.",
        ),
        TemplateUrlTooManyVariables => CamsError::business(
            "InvalidParameter.UrlMoreVarable",
            "Only one variable is allowed in the URL.",
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
        InternalError => CamsError::internal(),
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
            let c = from_domain(&e, Op::GetMigrationVerifyCode);
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
            let c = from_domain(&e, Op::QueryChatappBindWaba);
            assert!(c.retry_after_ms.is_some_and(|ms| ms > 0));
            assert!(c.is_gateway());
            // Throttling is a gateway failure: the business setting leaves it alone.
            assert_eq!(c.clone().with_business_status(400), c);
        }
        assert_eq!(CamsError::throttled(0).retry_after_ms, Some(1));
        assert_eq!(CamsError::throttled(250).code, "Throttling.User");
    }

    #[test]
    fn parameter_errors_use_the_documented_codes() {
        let code = |p: &str| from_domain(&DomainError::param(p, ""), Op::ListChatappTemplate).code;
        assert_eq!(code("PhoneNumber"), "InvalidParameter.PhoneNumberError");
        assert_eq!(code("Page"), "InvalidParameter.PageInvalid");
        assert_eq!(code("Locale"), "InvalidParameter");
        let business = from_domain(&DomainError::param("Locale", "x"), Op::GetChatappVerifyCode);
        assert_eq!(business.status, 200);
        let without: serde_json::Value =
            serde_json::from_slice(&business.body("R", false)).unwrap();
        assert!(without.get("Success").is_none());
        // The gateway's type check answers the same class as the service's own checks.
        assert_eq!(
            CamsError::invalid_parameter("Start", "It must be an integer.").status,
            business.status
        );
    }

    #[test]
    fn business_failures_take_the_configured_status_and_the_gateway_envelope() {
        let c = from_domain(&DomainError::WrongCode, Op::ChatappMigrationVerified)
            .with_business_status(400);
        assert_eq!(
            (c.status, c.code.as_str()),
            (400, "VerifyCodeError.CodeMismatch")
        );
        let body: serde_json::Value = serde_json::from_slice(&c.body("R", true)).unwrap();
        assert_eq!(body["HostId"], HOST_ID);
        assert!(body.get("Success").is_none());
        let c = from_domain(&DomainError::WrongCode, Op::ChatappMigrationVerified)
            .with_business_status(200);
        assert_eq!(c.status, 200);
    }

    #[test]
    fn adding_a_number_is_not_a_migration() {
        let add = from_domain(
            &DomainError::NumberAlreadyOnDestination,
            Op::AddChatappPhoneNumber,
        );
        assert_eq!(add.code, "InvalidParameter.PhoneNumberError");
        let migrate = from_domain(
            &DomainError::NumberAlreadyOnDestination,
            Op::CreateChatappMigrationInitiate,
        );
        assert_eq!(migrate.code, "MigrationError.PhoneNumberExists");
        let elsewhere = from_domain(
            &DomainError::NumberRegisteredElsewhere,
            Op::AddChatappPhoneNumber,
        );
        assert_eq!(elsewhere.code, "InvalidParameter.PhoneNumberError");
        assert!(elsewhere.message.contains("CreateChatappMigrationInitiate"));
        // No cams message names a Graph parameter or path.
        for name in crate::world::error::ERROR_NAMES {
            let e = DomainError::from_name(name, crate::clock::Timestamp(0)).unwrap();
            let m = from_domain(&e, Op::AddChatappPhoneNumber).message;
            assert!(
                !m.contains("migrate_phone_number") && !m.contains("/v2") && !m.contains("POST /"),
                "{name}: {m}"
            );
        }
    }
}
