//! Alibaba's error replies, and the one table that maps every [`DomainError`] to them.
//!
//! Rows cite `../shared/reference/alibaba-cams.md` (§6.1 envelope, §6.2 gateway codes, §6.3
//! CAMS-documented codes, §6.4 the CAMS error-code page) and, where it corrects §6.5 of that
//! file, `../shared/reference/alibaba-cams-errors.md` (rows H1–H5, M1–M4, L1–L9, and the
//! *Public error codes* page it quotes). Every inferred choice is made here and nowhere else:
//!
//! - **Business failures answer HTTP 400** (H1 [seen]: the Public error codes page lists
//!   `DetailError.TemplateNotExist` and every `ERR-OPERATION-MAAP-*` code with 400), in the
//!   gateway envelope of §6.1 (`RequestId`, `HostId`, `Code`, `Message`, `Recommend`), so the
//!   SDK raises `ClientException` carrying the `Code`. The fixture setting
//!   `cams.business_error_status: 200` ([`business_status`], the one place it is read) is an
//!   opt-in for clients written against the old reading of §6.5: HTTP 200, `Code` ≠ `OK`,
//!   `Message`, and `Success: false` where the model has `Success`. Gateway failures
//!   (signature, access key, date, nonce, action, version, a missing or ill-typed parameter,
//!   throttling, outages) keep their own status whatever the setting. A scripted `error:`
//!   fault may override the status of its answer.
//! - **A broken Meta rule is relayed as ChatApp relays Meta** (H2, H3): `ERR-FB-001`, HTTP 400,
//!   with Meta's own message text (meta-graph.md §6; the same texts Graph sends). The Public
//!   error codes page shows only `ERR-FB-001` of the `ERR-FB-*` family [seen]; which number
//!   goes with each Meta rule is inferred (H2), and wabasim uses `ERR-FB-001` for every one.
//!   For a migration rule the text is Meta's user message ("Two-step authentication must be
//!   disabled for this phone number."); for a WhatsApp code it is Meta's `message`,
//!   `(#<code>) <title>` ("(#136025) Verify code error").
//! - **A broken ChatApp rule uses its `ERR-OPERATION-MAAP-*` code** [seen, Public error
//!   codes]: a number that is not bound to the space is `ERR-OPERATION-MAAP-0065` (H4); a
//!   `CustSpaceId` no WABA is bound to is `ERR-OPERATION-MAAP-0060` (M1: which code an unknown
//!   space gets is inferred; a space bound to a WABA another account manages stays
//!   `Unknown.ResourceOwnerId`, §6.3). Calling one registration flow's operation on a number
//!   in the other flow (M4, inferred) is `InvalidParameter.PhoneNumberError` (§6.4) naming
//!   the right operation.
//! - **Parameter errors** from the service use the §6.4 code for the parameter where there is
//!   one (`InvalidParameter.PhoneNumberError`, `.PageInvalid`, `.LanguageNotSupport`,
//!   `.AuditStatusNotSupport`, `.TemplateTypeNotSupport`, `.CreateError`), else
//!   `InvalidParameter`. Adding a number that is already in the space, or registered on
//!   another WABA, is `InvalidParameter.PhoneNumberError` (no migration is involved).
//!   The gateway's own type and length checks (M2, L5: inferred) are gateway failures: 400
//!   `InvalidParameter` whatever the setting, without echoing the value.
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
//!   statuses (400, 400, 400, 404) are §6.2's inferred ones. `InvalidAction.NotFound` is only
//!   for names that are not 2020-06-06 actions; a real action wabasim does not simulate is
//!   [`CamsError::not_simulated`] (H5). `Throttling.User` is 400 (§6.2, inferred) with
//!   `x-acs-retry-after` in milliseconds (§5, §9 item 7); `System.LimitControl` is a plain 400
//!   (M3: documented so [seen]; no retry header, which is inferred).
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
    /// A business failure of the service (its status follows `cams.business_error_status`),
    /// not the gateway's.
    pub business: bool,
}

impl CamsError {
    fn new(status: u16, code: &str, message: impl Into<String>) -> CamsError {
        CamsError {
            status,
            code: code.to_string(),
            message: message.into(),
            retry_after_ms: None,
            business: false,
        }
    }

    /// A business failure: HTTP 400 (H1 [seen]), until
    /// [`with_business_status`](Self::with_business_status) applies the fixture's setting.
    fn business(code: &str, message: impl Into<String>) -> CamsError {
        CamsError {
            business: true,
            ..CamsError::new(400, code, message)
        }
    }

    /// A Meta rule, relayed as ChatApp relays Meta: `ERR-FB-001` with Meta's text (H2, H3;
    /// the number is inferred, see the module documentation).
    fn meta(text: impl Into<String>) -> CamsError {
        CamsError::business("ERR-FB-001", text)
    }

    /// A Meta WhatsApp error code relayed: Meta's `message`, `(#<code>) <title>` (H3).
    fn meta_code(code: u32, title: &str) -> CamsError {
        CamsError::meta(format!("(#{code}) {title}"))
    }

    /// H4 [seen, Public error codes]: the number is not bound to the space.
    pub fn number_not_in_space() -> CamsError {
        CamsError::business(
            "ERR-OPERATION-MAAP-0065",
            "The phoneCode is not bind to the subscriber.",
        )
    }

    /// M1 [seen code, inferred use]: no WABA is bound to the `CustSpaceId`.
    pub fn space_without_waba() -> CamsError {
        CamsError::business(
            "ERR-OPERATION-MAAP-0060",
            "The subscriber has not bind WABA.",
        )
    }

    /// M4 [inferred]: an operation of the other registration flow (§7.1 vs §7.2), in the
    /// documented phone-number code (§6.4), naming the operation to use.
    pub fn other_flow(use_instead: &str) -> CamsError {
        CamsError::business(
            "InvalidParameter.PhoneNumberError",
            format!("The phone number is not in this operation's flow: use {use_instead}."),
        )
    }

    /// L8 [inferred]: GetChatappTemplateDetail with neither `TemplateCode` nor `TemplateName`
    /// (both optional in the SDK) is the service's refusal, in the §6.4 code for it.
    pub fn template_code_empty() -> CamsError {
        CamsError::business(
            "InvalidParameter.TemplateCodeNotEmpty",
            "TemplateCode or TemplateName must be given.",
        )
    }

    /// One of SendChatappMessage's validation codes (§6.4, "message-sending validation"), a
    /// business failure like the page's other codes (H1).
    pub fn send_validation(code: &str, message: impl Into<String>) -> CamsError {
        CamsError::business(code, message)
    }

    /// The status a business failure takes in this namespace (`status`: 200 or 400); a
    /// gateway failure keeps its own.
    pub fn with_business_status(mut self, status: u16) -> CamsError {
        if self.business {
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

    /// A parameter the gateway cannot read as its declared type (an integer, a boolean): POP
    /// type-checks declared Long/Boolean parameters before the service runs, so this is a
    /// gateway 400 whatever `cams.business_error_status` says (M2 [inferred]).
    pub fn invalid_parameter(name: &str, why: &str) -> CamsError {
        CamsError::new(
            400,
            "InvalidParameter",
            format!("The specified parameter \"{name}\" is not valid. {why}"),
        )
    }

    /// A parameter longer than the gateway accepts (L5 [inferred]: the limits are
    /// `request::MAX_LENGTHS`); the value is not echoed.
    pub fn too_long(name: &str, max: usize) -> CamsError {
        CamsError::invalid_parameter(name, &format!("It is longer than {max} characters."))
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

    /// §6.2 [inferred status 404]: only for a name that is not a 2020-06-06 action (H5).
    pub fn unknown_action(action: &str) -> CamsError {
        CamsError::new(
            404,
            "InvalidAction.NotFound",
            format!(
                "Specified api is not found, please check your url and method. Action: {action}"
            ),
        )
    }

    /// H5 [seen: the action is real in SDK 5.3.1's client.py]: a real action wabasim does not
    /// simulate. wabasim's own code and status (inferred): HTTP 501, so the SDK raises
    /// `ServerException`, which nobody can take for Alibaba's "this API does not exist"
    /// (`InvalidAction.NotFound`, a `ClientException`).
    pub fn not_simulated(action: &str) -> CamsError {
        CamsError::new(
            501,
            "Wabasim.NotSimulated",
            format!(
                "{action} is a real ChatApp 2020-06-06 action that wabasim does not simulate. Action: {action}"
            ),
        )
    }

    /// L7 [inferred]: RPC-style calls are GET or POST; POP's code for another method.
    pub fn unsupported_method(method: &str) -> CamsError {
        CamsError::new(
            400,
            "UnsupportedHTTPMethod",
            format!("This http method is not supported. Method: {method}"),
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

/// Meta's `(#code) title` for a rule Graph also answers: the one text both facades relay.
fn meta_message(e: &DomainError) -> String {
    crate::api::graph::errors::from_domain(e, "post").message
}

/// Meta's refusal of a send as a `Failed` receipt tells it: `(code, title, details)`, from
/// the same Graph error `meta_message` relays.
pub fn meta_refusal(e: &DomainError) -> (u32, String, String) {
    let g = crate::api::graph::errors::from_domain(e, "post");
    let prefix = format!("(#{}) ", g.code);
    let title = g
        .message
        .strip_prefix(&prefix)
        .unwrap_or(&g.message)
        .to_string();
    (g.code, title, g.details.unwrap_or_default())
}

/// The HTTP status of business failures in this namespace: its fixture's
/// `cams.business_error_status` (400 unless set to 200, H1), kept in the facade's binding.
/// Called with the world's lock free.
pub fn business_status(ns: &Namespace) -> u16 {
    ns.read_world(|w| super::model::of(w).business_error_status.unwrap_or(400))
}

/// The table: every domain error as cams answers it for `op`. An `InvalidParameter` must
/// already name the Alibaba parameter (the facade translates the world's names per
/// operation). Business failures come out as HTTP 400; the caller applies
/// [`business_status`].
pub fn from_domain(e: &DomainError, op: Op) -> CamsError {
    use DomainError::*;
    match e {
        // Access (scripted only): the closest access-key errors (§6.2).
        AccessTokenMissing => CamsError::new(
            400,
            "IncompleteSignature",
            "The request signature does not conform to Aliyun standards.",
        ),
        // §6.2, L9 [seen, other product]: the newer gateway text.
        AccessTokenInvalid => CamsError::new(
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found or invalid.",
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
        // §6.3 [doc]: 400, M1 [seen]. A WABA or number the access key's account does not own.
        UnknownObject { .. } => CamsError::new(
            400,
            "Unknown.ResourceOwnerId",
            "The resource does not belong to the current user.",
        ),
        // §6.4 [doc] codes; HTTP 400 (H1).
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

        // Migration rules are Meta's: relayed as ERR-FB-001 with Meta's user message (H2;
        // the texts are meta-graph.md §6.4's, as Graph's table sends them).
        NumberAlreadyOnDestination => {
            CamsError::meta("This phone number already exists in your list of phone numbers.")
        }
        NumberNotRegistered => {
            CamsError::meta("Please add this phone number in your WhatsApp account")
        }
        DifferentBusiness => {
            CamsError::meta("This phone number belongs to a different Business Manager account.")
        }
        SourceNotSetUp => CamsError::meta(
            "The WhatsApp account that this phone number is registered with is not set up correctly.",
        ),
        TestNumber => CamsError::meta("Test business phone numbers cannot be migrated."),
        BusinessAppNumber => CamsError::meta(
            "Business phone numbers in use with the WhatsApp Business App cannot be migrated using this API.",
        ),
        DisplayNameNotApproved => {
            CamsError::meta("Registered name should be present and approved.")
        }
        // H2's own example [seen text, meta-graph.md legacy message list].
        TwoStepStillEnabled => {
            CamsError::meta("Two-step authentication must be disabled for this phone number.")
        }
        DestinationNotApproved => CamsError::meta("Your WhatsApp account must be approved"),
        DestinationNoPayment => {
            CamsError::meta("Your WhatsApp account does not have a payment account.")
        }
        DestinationNoSubscribedApp => CamsError::meta("Cannot migrate phone number."),
        MigrationFailed => CamsError::meta("There was an error migrating this phone number."),
        MaintenanceMode => CamsError::meta("Account is in maintenance mode."),
        NotEligibleForCode => CamsError::meta(
            "This phone number isn't eligible to receive a registration code since it is not being migrated.",
        ),
        NotEligibleForVerify => CamsError::meta(
            "This phone number isn't eligible to verify a registration code since it is not being migrated.",
        ),

        // Verification codes and registration are Meta's too: ERR-FB-001 with Meta's
        // `(#code) title` (H3; codes and titles of meta-graph.md §6.3, as Graph sends them).
        TooManyCodeRequests => CamsError::meta_code(136024, "Request code error"),
        WrongCode => CamsError::meta_code(136025, "Verify code error"),
        NotVerified => CamsError::meta_code(133006, "Phone number re-verification needed"),
        PinMismatch => CamsError::meta_code(133005, "Two step verification PIN Mismatch"),
        TooManyPinAttempts { .. } => {
            CamsError::meta_code(133008, "Too many two step verification PIN guesses")
        }
        PinTooFast => CamsError::meta_code(133009, "Two step verification PIN Guessed Too Fast"),
        DeregistrationIncomplete => CamsError::meta_code(133000, "Incomplete deregistration"),
        RecentlyDeleted => CamsError::meta_code(
            133015,
            "Please wait a few minutes before attempting to register this phone number",
        ),
        CannotCreateCertificate => CamsError::meta(
            "Your display name could not be processed. Please edit your display name and try again.",
        ),
        TooManyRegistrations { .. } => {
            CamsError::meta_code(133016, "Account register deregister rate limit exceeded")
        }
        // The text Meta sends on the wire (graph-fidelity-review.md: "(#133010) Account not
        // registered").
        NotRegistered => CamsError::meta_code(133010, "Account not registered"),

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

        // Flow control: §6.3 [doc] System.LimitControl is a plain 400 (M3: no
        // x-acs-retry-after, inferred: the pinned SDK raises ClientException for it);
        // Throttling.User (§6.2) carries x-acs-retry-after, so the SDK raises
        // ThrottlingException.
        //
        // A SendChatappMassMessage whose recipients would overflow the namespace's pacing
        // queue (`mass.rs`) is refused with the same row, text as seen: its use for a full
        // queue is inferred (docs/fidelity.md, "Alibaba ChatApp choices").
        RateLimited | PacedQueueFull { .. } => CamsError::new(
            400,
            "System.LimitControl",
            "The system is under flow control.",
        ),
        // Meta's per-number throughput (130429) on a send is Meta's error, relayed as the other
        // send refusals below; elsewhere only a scripted fault raises it, as the gateway's
        // throttling.
        ThroughputReached if matches!(op, Op::SendChatappMessage | Op::SendChatappMassMessage) => {
            CamsError::meta(meta_message(e))
        }
        ThroughputReached => CamsError::throttled(DEFAULT_RETRY_AFTER_MS),
        // The send refusals (messaging-and-360dialog.md "Messaging error codes") are Meta's:
        // relayed as ERR-FB-001 with the `(#code) title` Graph answers for the same rule
        // (H2, H3; [INF] that ChatApp relays them rather than answering codes of its own).
        TemplateNotInTranslation { .. }
        | TemplateParamCountMismatch { .. }
        | TemplatePaused
        | TemplateDisabled
        | PairRateLimited
        | CertificateMissing
        // Media and read receipts reach this facade only as scripted faults: Meta's code, as
        // above ([INF]).
        | MediaTypeUnsupported { .. }
        | MediaIdInvalid { .. }
        | MessageIdInvalid { .. }
        | MediaTooLarge { .. } => CamsError::meta(meta_message(e)),
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
    fn throttling_carries_a_positive_retry_after_and_limit_control_does_not() {
        let c = from_domain(&DomainError::ThroughputReached, Op::QueryChatappBindWaba);
        assert!(c.retry_after_ms.is_some_and(|ms| ms > 0));
        assert!(c.is_gateway());
        // Throttling is a gateway failure: the business setting leaves it alone.
        assert_eq!(c.clone().with_business_status(200), c);
        // M3: System.LimitControl is documented as a plain 400.
        let c = from_domain(&DomainError::RateLimited, Op::QueryChatappBindWaba);
        assert_eq!((c.status, c.retry_after_ms), (400, None));
        assert_eq!(c.clone().with_business_status(200), c);
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
        assert_eq!((business.status, business.business), (400, true));
        assert_eq!(business.clone().with_business_status(200).status, 200);
        // M2: the gateway's type check is the gateway's: 400 whatever the setting.
        let typed = CamsError::invalid_parameter("Start", "It must be an integer.");
        assert_eq!(typed.clone().with_business_status(200), typed);
        assert_eq!(typed.status, 400);
        assert!(
            !CamsError::too_long("PhoneNumber", 32)
                .message
                .contains("000")
        );
    }

    #[test]
    fn business_failures_are_400_unless_the_namespace_opts_into_200() {
        let c = from_domain(&DomainError::WrongCode, Op::ChatappMigrationVerified);
        assert_eq!((c.status, c.code.as_str()), (400, "ERR-FB-001"));
        assert_eq!(c.message, "(#136025) Verify code error");
        let body: serde_json::Value = serde_json::from_slice(&c.body("R", true)).unwrap();
        assert_eq!(body["HostId"], HOST_ID);
        assert!(body.get("Success").is_none());
        let c = c.with_business_status(200);
        assert_eq!(c.status, 200);
        let body: serde_json::Value = serde_json::from_slice(&c.body("R", true)).unwrap();
        assert_eq!(body["Success"], false);
    }

    #[test]
    fn no_invented_families_remain() {
        for name in crate::world::error::ERROR_NAMES {
            let e = DomainError::from_name(name, crate::clock::Timestamp(0)).unwrap();
            for op in [
                Op::CreateChatappMigrationInitiate,
                Op::ChatappMigrationRegister,
            ] {
                let c = from_domain(&e, op);
                for invented in ["MigrationError.", "VerifyCodeError.", "RegisterError."] {
                    assert!(!c.code.starts_with(invented), "{name}: {}", c.code);
                }
            }
        }
        // H2: the two-step rule is relayed with Meta's text.
        let c = from_domain(
            &DomainError::TwoStepStillEnabled,
            Op::CreateChatappMigrationInitiate,
        );
        assert_eq!(
            (c.status, c.code.as_str(), c.message.as_str()),
            (
                400,
                "ERR-FB-001",
                "Two-step authentication must be disabled for this phone number."
            )
        );
        // H4, M1: ChatApp's own rules.
        assert_eq!(
            CamsError::number_not_in_space().code,
            "ERR-OPERATION-MAAP-0065"
        );
        assert_eq!(
            CamsError::space_without_waba().code,
            "ERR-OPERATION-MAAP-0060"
        );
    }

    #[test]
    fn send_refusals_relay_metas_code_and_title_as_graph_answers_them() {
        use DomainError::*;
        let template = TemplateNotInTranslation {
            name: "x".into(),
            language: "en_US".into(),
        };
        let mismatch = TemplateParamCountMismatch {
            expected: 1,
            given: 0,
        };
        for (e, code) in [
            (template, 132001),
            (mismatch, 132000),
            (TemplatePaused, 132015),
            (TemplateDisabled, 132016),
            (PairRateLimited, 131056),
            (CertificateMissing, 131045),
            (NotRegistered, 133010),
            (ThroughputReached, 130429),
        ] {
            let c = from_domain(&e, Op::SendChatappMessage);
            assert_eq!((c.status, c.code.as_str()), (400, "ERR-FB-001"), "{e:?}");
            assert!(c.business && c.retry_after_ms.is_none(), "{e:?}");
            let graph = crate::api::graph::errors::from_domain(&e, "post");
            assert_eq!(graph.code, code, "{e:?}");
            assert!(
                c.message.starts_with(&format!("(#{code}) ")),
                "{}",
                c.message
            );
        }
        // Outside a send, a scripted throughput error stays the gateway's throttling.
        let c = from_domain(&ThroughputReached, Op::QueryChatappBindWaba);
        assert_eq!(c.code, "Throttling.User");
        let c = CamsError::send_validation("InvalidParameter.TextNotEmpty", "x");
        assert_eq!((c.status, c.business), (400, true));
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
        assert_eq!(migrate.code, "ERR-FB-001");
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
