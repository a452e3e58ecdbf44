//! Graph's error envelope, and the one table that maps every [`DomainError`] to it.
//!
//! Each row cites the reference row it comes from (`../shared/reference/meta-graph.md`).
//! Where the reference marks a fact as inferred ([INF]), the choice is made here and nowhere
//! else:
//! - 2388xxx migration errors travel as `error_subcode` under `code: 100`, `type:
//!   OAuthException`, HTTP 400, with a title of ours in `error_user_title`, the doc's message
//!   in `error_user_msg`, and our explanation of the cause in `error_data.details` (§6.4 [INF];
//!   graph-fidelity-review.md row 14). `error_data` is `{messaging_product, details}`, the
//!   shape Meta's error-code page documents for its errors (§6.1 [OFF ERR]); no capture of a
//!   2388xxx migration error shows otherwise, so nothing else is added.
//! - WhatsApp-specific codes (133xxx, 136xxx, 131xxx, 80007, 130429) use the message format
//!   `(#<code>) <Title>` and carry `error_data.details` (§6.1, §11 [INF]).
//! - Token errors (190) answer HTTP 401; permission errors (10, 200) 403; the rest 400 unless
//!   marked (§6.6).
//! - Every error carries `fbtrace_id`, and a `WWW-Authenticate` header (§6.1).

use crate::api::json::Obj;
use crate::world::DomainError;

/// A Graph error, ready to render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphError {
    pub status: u16,
    pub code: u32,
    pub subcode: Option<u32>,
    pub kind: &'static str,
    pub message: String,
    pub user_title: Option<String>,
    pub user_msg: Option<String>,
    pub is_transient: Option<bool>,
    pub details: Option<String>,
    /// `error_data.blame_field_specs` for template validation errors.
    pub blame_field: Option<&'static str>,
}

const OAUTH: &str = "OAuthException";
const METHOD: &str = "GraphMethodException";

impl GraphError {
    fn new(status: u16, code: u32, kind: &'static str, message: impl Into<String>) -> GraphError {
        GraphError {
            status,
            code,
            subcode: None,
            kind,
            message: message.into(),
            user_title: None,
            user_msg: None,
            is_transient: None,
            details: None,
            blame_field: None,
        }
    }

    fn subcode(mut self, subcode: u32) -> Self {
        self.subcode = Some(subcode);
        self
    }

    fn user(mut self, title: &str, msg: &str) -> Self {
        self.user_title = Some(title.to_string());
        self.user_msg = Some(msg.to_string());
        self
    }

    fn transient(mut self, t: bool) -> Self {
        self.is_transient = Some(t);
        self
    }

    fn details(mut self, d: impl Into<String>) -> Self {
        self.details = Some(d.into());
        self
    }

    /// A WhatsApp-specific error: `(#code) Title`, with `error_data.details`.
    fn whatsapp(status: u16, code: u32, title: &str, details: impl Into<String>) -> GraphError {
        GraphError::new(status, code, OAUTH, format!("(#{code}) {title}")).details(details)
    }

    /// A 2388xxx migration error (§6.4 [INF]; the envelope is graph-fidelity-review.md row 14,
    /// a docs/fidelity.md, "Behaviour choices" row).
    fn migration(subcode: u32, title: &str, msg: &str, details: &str) -> GraphError {
        GraphError::new(400, 100, OAUTH, "Invalid parameter")
            .subcode(subcode)
            .user(title, msg)
            .transient(false)
            .details(details)
    }

    /// A template content error (§6.5): `Invalid parameter` with the subcode, the user title
    /// and message, and `blame_field_specs` naming `components`, as the observed 2388046.
    fn template(subcode: u32, title: &str, msg: &str) -> GraphError {
        let mut e = GraphError::template_plain(title, msg).subcode(subcode);
        e.blame_field = Some("components");
        e
    }

    /// A template content error without a documented subcode.
    fn template_plain(title: &str, msg: &str) -> GraphError {
        let mut e = GraphError::new(400, 100, OAUTH, "Invalid parameter")
            .user(title, msg)
            .transient(false);
        e.blame_field = Some("components");
        e
    }

    /// `Unknown path components: /x` (code 2500), for an unknown version or extra path
    /// segments only (graph-fidelity-review.md row 1: https://github.com/arsduo/koala/issues/611).
    /// An edge a node does not have is [`GraphError::nonexisting_edge`].
    pub fn unknown_path(rest: &str) -> GraphError {
        GraphError::new(400, 2500, OAUTH, format!("Unknown path components: {rest}"))
    }

    /// An edge the node does not have, for any method: Graph reads `/{id}/{x}` as field `x`
    /// of the node's type and answers `(#100) Tried accessing nonexisting field (x) on node
    /// type (T)`, code 100, no subcode, HTTP 400 (graph-fidelity-review.md row 1, seen:
    /// https://github.com/PipedreamHQ/pipedream/issues/9004). Choices (inferred rows): a GET
    /// on an edge the node has only for another method answers the same (row 5), and so does
    /// a POST or DELETE to an edge the node does not have (row 6), rather than 100/33.
    pub fn nonexisting_edge(edge: &str, node_type: &str) -> GraphError {
        GraphError::new(
            400,
            100,
            OAUTH,
            format!("(#100) Tried accessing nonexisting field ({edge}) on node type ({node_type})"),
        )
    }

    /// A `fields` parameter Graph cannot parse: `Syntax error "<what>" at character <n>:
    /// <fields>`, code 2500, OAuthException, 400, the shape of two captures of Graph's field
    /// parser ("Expected name.", `Expected "(" instead of ","`), in the public code index
    /// (graph-fidelity-review.md row 12: unbalanced braces answered 200).
    pub fn field_syntax(what: &str, at: usize, fields: &str) -> GraphError {
        GraphError::new(
            400,
            2500,
            OAUTH,
            format!("Syntax error \"{what}\" at character {at}: {fields}"),
        )
    }

    /// A request body the simulator will not read (too large, or malformed).
    pub fn bad_body(status: u16, details: impl Into<String>) -> GraphError {
        let details = details.into();
        GraphError::new(status, 100, OAUTH, format!("(#100) {details}"))
    }

    /// The code pair the journal records (`100/2388103`).
    pub fn code_text(&self) -> String {
        match self.subcode {
            Some(s) => format!("{}/{}", self.code, s),
            None => self.code.to_string(),
        }
    }

    /// Whether `WWW-Authenticate` says `"invalid_token"` rather than `"invalid_request"`: a
    /// token that was sent and refused (190, §6.1 [OBS]). A missing token (104) is
    /// `"invalid_request"`, as the one missing-token capture shows for another code
    /// (graph-fidelity-review.md row 11, inferred: docs/fidelity.md, "Behaviour choices").
    pub fn is_token_error(&self) -> bool {
        self.code == 190
    }

    /// The envelope, with the request's trace id.
    pub fn body(&self, fbtrace_id: &str) -> Vec<u8> {
        let mut buf = Vec::with_capacity(256);
        let mut root = Obj::new(&mut buf);
        root.obj("error", |e| {
            e.str("message", &self.message)
                .str("type", self.kind)
                .num("code", self.code as i64);
            if let Some(s) = self.subcode {
                e.num("error_subcode", s as i64);
            }
            if let Some(t) = self.is_transient {
                e.bool("is_transient", t);
            }
            if let Some(t) = &self.user_title {
                e.str("error_user_title", t);
            }
            if let Some(m) = &self.user_msg {
                e.str("error_user_msg", m);
            }
            if let Some(field) = self.blame_field {
                // A list of lists of field names: [["name"]] ([OBS CODEIDX]).
                e.obj("error_data", |d| {
                    d.raw("blame_field_specs", &format!("[[\"{field}\"]]"));
                });
            } else if let Some(d) = &self.details {
                e.obj("error_data", |o| {
                    o.str("messaging_product", "whatsapp").str("details", d);
                });
            }
            e.str("fbtrace_id", fbtrace_id);
        });
        root.end();
        buf
    }
}

/// The table: every domain error as Graph answers it. `method` is the request's method in
/// lower case (`get`, `post`, `delete`), which the unknown-object message quotes.
pub fn from_domain(e: &DomainError, method: &str) -> GraphError {
    use DomainError::*;
    match e {
        // §6.2 [OAS]; the closing period and HTTP 400 are seen (graph-fidelity-review.md row 4:
        // node-facebook/facebook-node-sdk#105, spring-guides/gs-consuming-rest#10).
        AccessTokenMissing => GraphError::new(
            400,
            104,
            OAUTH,
            "An access token is required to request this resource.",
        ),
        // §6.2 [OBS ISS-190]; 401 per recent WhatsApp reports [INF].
        AccessTokenInvalid => GraphError::new(
            401,
            190,
            OAUTH,
            "Invalid OAuth access token - Cannot parse access token",
        ),
        // §6.2 [OBS ISS-190]: subcode 463, Pacific-time wording.
        AccessTokenExpired { expired_at, now } => GraphError::new(
            401,
            190,
            OAUTH,
            format!(
                "Error validating access token: Session has expired on {}. The current time is {}.",
                expired_at.pacific(),
                now.pacific()
            ),
        )
        .subcode(463),
        // §6.2 [OFF ERR], [3P BOTBEE]: code 200, HTTP 403.
        PermissionMissing { scope } => GraphError::new(403, 200, OAUTH, "(#200) Permissions error")
            .details(format!("The access token is missing the {scope} permission.")),
        // §6.2 [OBS ISS-33]: unknown, foreign or unsupported object.
        UnknownObject { id } => GraphError::new(
            400,
            100,
            METHOD,
            format!(
                "Unsupported {method} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
            ),
        )
        .subcode(33),
        // §6.2 [OFF ERR]: `(#100) <what is wrong>`.
        InvalidParameter { details, .. } => {
            GraphError::new(400, 100, OAUTH, format!("(#100) {details}"))
        }

        // §6.4 [OFF ERR] messages; wire shape [INF].
        NumberAlreadyOnDestination => GraphError::migration(
            2388012,
            "Phone Number Already Exists",
            "This phone number already exists in your list of phone numbers.",
            "The phone number is already in the destination WhatsApp Business Account.",
        ),
        NumberNotRegistered => GraphError::migration(
            2388103,
            "Cannot Migrate Phone Number",
            "Please add this phone number in your WhatsApp account",
            "The phone number is not registered on any WhatsApp Business Account, so there is nothing to migrate: add it without migrate_phone_number.",
        ),
        // The world's own wording for adding a number registered elsewhere (`add_number`).
        NumberRegisteredElsewhere => GraphError::new(
            400,
            100,
            OAUTH,
            "(#100) This phone number is registered to another WhatsApp Business Account. Migrate it with migrate_phone_number=true instead.",
        ),
        DifferentBusiness => GraphError::migration(
            2388103,
            "Cannot Migrate Phone Number",
            "This phone number belongs to a different Business Manager account.",
            "The source and destination WhatsApp Business Accounts must belong to the same business.",
        ),
        SourceNotSetUp => GraphError::migration(
            2388103,
            "Cannot Migrate Phone Number",
            "The WhatsApp account that this phone number is registered with is not set up correctly.",
            "The source WhatsApp Business Account must be approved and its business verified.",
        ),
        // No code found for these two (§6.4 [INF]: reuse 2388103 with a descriptive message).
        TestNumber => GraphError::migration(
            2388103,
            "Cannot Migrate Phone Number",
            "Test business phone numbers cannot be migrated.",
            "The phone number is a test number issued by WhatsApp.",
        ),
        BusinessAppNumber => GraphError::migration(
            2388103,
            "Cannot Migrate Phone Number",
            "Business phone numbers in use with the WhatsApp Business App cannot be migrated using this API.",
            "The phone number is in use with the WhatsApp Business app; use the coexistence onboarding flow instead.",
        ),
        DisplayNameNotApproved => GraphError::migration(
            2388103,
            "Cannot Migrate Phone Number",
            "Registered name should be present and approved.",
            "The display name must be approved (name_status APPROVED) with no pending name change.",
        ),
        // Legacy message list [OFF ERRLEG]; code [INF].
        TwoStepStillEnabled => GraphError::migration(
            2388103,
            "Cannot Migrate Phone Number",
            "Two-step authentication must be disabled for this phone number.",
            "The source WhatsApp Business Account owner must disable two-step verification first.",
        ),
        DestinationNotApproved => GraphError::migration(
            2388103,
            "Cannot Migrate Phone Number",
            "Your WhatsApp account must be approved",
            "The destination WhatsApp Business Account must be approved and its business verified.",
        ),
        DestinationNoPayment => GraphError::migration(
            2388103,
            "Cannot Migrate Phone Number",
            "Your WhatsApp account does not have a payment account.",
            "Attach a payment method or credit line to the destination WhatsApp Business Account.",
        ),
        DestinationNoSubscribedApp => GraphError::migration(
            2388103,
            "Cannot Migrate Phone Number",
            "Cannot migrate phone number.",
            "Subscribe at least one app to the destination WhatsApp Business Account's webhooks (POST /{waba}/subscribed_apps).",
        ),
        MigrationFailed => GraphError::migration(
            2388103,
            "Cannot Migrate Phone Number",
            "There was an error migrating this phone number.",
            "A temporary error occurred. Try again later.",
        )
        .transient(true),
        MaintenanceMode => GraphError::migration(
            2494100,
            "Maintenance Mode",
            "Account is in maintenance mode.",
            "Try again in a few minutes.",
        )
        .transient(true),
        NotEligibleForCode => GraphError::migration(
            2388091,
            "Not Eligible",
            "This phone number isn't eligible to receive a registration code since it is not being migrated.",
            "request_code is only for a number being migrated or newly added.",
        ),
        NotEligibleForVerify => GraphError::migration(
            2388093,
            "Not Eligible",
            "This phone number isn't eligible to verify a registration code since it is not being migrated.",
            "verify_code is only for a number being migrated or newly added.",
        ),

        // §6.3, §3.2, §3.3 [OFF REFRC], [OFF REFVC]; trigger and details [INF].
        TooManyCodeRequests => GraphError::whatsapp(
            400,
            136024,
            "Request code error",
            "Too many verification code requests for this phone number. Wait before requesting another code.",
        ),
        WrongCode => GraphError::whatsapp(
            400,
            136025,
            "Verify code error",
            "The verification code is incorrect, expired or already used. Request a new code.",
        ),
        // §6.3 [OFF ERR].
        NotVerified => GraphError::whatsapp(
            400,
            133006,
            "Phone number re-verification needed",
            "Phone number needs to be verified before registering.",
        ),
        PinMismatch => GraphError::whatsapp(
            400,
            133005,
            "Two step verification PIN Mismatch",
            "The two-step verification PIN is incorrect.",
        ),
        // §6.3 [OFF ERR] codes and meanings; the titles are those of Meta's error-code page,
        // the retry time of 133008 travels in `details` as §6.3 says (its wording [INF]).
        TooManyPinAttempts { until } => GraphError::whatsapp(
            400,
            133008,
            "Too many two step verification PIN guesses",
            format!(
                "Too many two-step verification PIN guesses for this phone number. Try again after {}.",
                until.rfc3339()
            ),
        ),
        PinTooFast => GraphError::whatsapp(
            400,
            133009,
            "Two step verification PIN Guessed Too Fast",
            "The two-step verification PIN was entered too quickly. Wait a moment before trying again.",
        ),
        DeregistrationIncomplete => GraphError::whatsapp(
            400,
            133000,
            "Incomplete deregistration",
            "A previous deregistration attempt failed. Deregister the number again before registering it.",
        ),
        RecentlyDeleted => GraphError::whatsapp(
            400,
            133015,
            "Please wait a few minutes before attempting to register this phone number",
            "The phone number was recently deleted and the deletion has not completed. Wait 5 minutes before trying again.",
        ),
        // §3.4, §6.3 [OBS CW12556]: code 100, subcode 2388001, this title and message.
        CannotCreateCertificate => GraphError::migration(
            2388001,
            "Cannot Create Certificate",
            "Your display name could not be processed. Please edit your display name and try again.",
            "The display name has not been processed yet, so the number's certificate could not be created.",
        ),
        TooManyRegistrations { until } => GraphError::whatsapp(
            400,
            133016,
            "Account register deregister rate limit exceeded",
            format!(
                "Registration or Deregistration failed because there were too many attempts for this phone number in a short period of time. Try again after {}.",
                until.rfc3339()
            ),
        ),
        // The wire text is "Account not registered" (graph-fidelity-review.md row 3, seen in
        // quoted live errors); "Phone number Not Registered" is only the doc page's title.
        // That deregister/register keep the same text as messages is inferred (same row).
        NotRegistered => GraphError::whatsapp(
            400,
            133010,
            "Account not registered",
            "The phone number is not registered on the WhatsApp Business Platform.",
        ),
        TemporarilyUnavailable => GraphError::whatsapp(
            503,
            133004,
            "Server Temporarily Unavailable",
            "The server is temporarily unavailable. Try again later.",
        )
        .transient(true),

        // §4.4, §6.5 [OFF ERR], [OBS CODEIDX]; wire shape [INF].
        TemplateLimitExceeded { .. } => GraphError::new(400, 100, OAUTH, "Invalid parameter")
            .subcode(2388019)
            .user(
                "Message Template Limit Exceeded",
                "You have exceeded the maximum number of message templates you can have for this WhatsApp business account.",
            )
            .transient(false),
        TemplateExists => GraphError::new(400, 100, OAUTH, "Invalid parameter")
            .subcode(2388024)
            .user(
                "Content in This Language Already Exists",
                "There is already content for this template in this language. Create a new template or edit the existing one.",
            )
            .transient(false),
        TemplateNameInvalid => {
            let mut e = GraphError::new(400, 100, OAUTH, "Invalid parameter")
                .subcode(2388046)
                .user(
                    "Name Format is Incorrect",
                    "Template names can only contain lowercase alphanumeric characters and underscores.",
                )
                .transient(false);
            e.blame_field = Some("name");
            e
        }
        // §6.5 [OFF ERR] codes 2388047 (header), 2388072 (body), 2388073 (footer); wire shape
        // as the observed 2388046 (code 100, subcode, user title and message, blame field)
        // [INF]; titles by analogy with the observed "Name Format is Incorrect" [INF].
        TemplateHeaderFormatUnsupported { format } => GraphError::template(
            2388047,
            "Header Format is Incorrect",
            &format!(
                "The header format {format:?} is not supported. Use one of TEXT, IMAGE, VIDEO, GIF, DOCUMENT, LOCATION or PRODUCT."
            ),
        ),
        TemplateHeaderTooManyVariables => GraphError::template(
            2388047,
            "Header Format is Incorrect",
            "A text header can only have one parameter.",
        ),
        TemplateBodyMissing => GraphError::template(
            2388072,
            "Body Format is Incorrect",
            "A message template must have a body component.",
        ),
        // §6.5 [OFF ERR] 2388040 "character limit exceeded", under code 100
        // (graph-fidelity-review.md row 2: the limits are documented, the wire shape is
        // inferred and follows the observed 2388046).
        TemplateTextTooLong { component, limit } => GraphError::template(
            2388040,
            "Character Limit Exceeded",
            &format!("The {component} text can have at most {limit} characters."),
        ),
        TemplateFooterHasVariable => GraphError::template(
            2388073,
            "Footer Format is Incorrect",
            "Footers can't have parameters.",
        ),
        // No code is documented for these two: Graph's plain invalid-parameter error with the
        // same user title/message shape and blame field [INF].
        TemplateButtonTextHasVariable => GraphError::template_plain(
            "Button Format is Incorrect",
            "Button text can't have parameters.",
        ),
        TemplateUrlTooManyVariables => GraphError::template_plain(
            "Button Format is Incorrect",
            "A URL button's URL can only have one parameter, at its end.",
        ),
        // Graph's enum-parameter wording (§6.2 [OFF ERR] `(#100) <what is wrong>`, as for
        // `category`) [INF].
        TemplateComponentUnsupported { kind } => GraphError::new(
            400,
            100,
            OAUTH,
            format!(
                "(#100) Param components[type] must be one of {{{}}} - got \"{kind}\"",
                crate::world::template_content::COMPONENT_TYPES.join(", ")
            ),
        ),
        TemplateLanguageUnsupported { language } => GraphError::new(
            400,
            100,
            OAUTH,
            format!(
                "(#100) Param language must be one of {{{}}} - got \"{language}\"",
                crate::world::template_content::LANGUAGES.join(", ")
            ),
        ),
        TemplateNotFound => GraphError::new(400, 100, OAUTH, "(#100) Invalid parameter")
            .user(
                "Message Template Not Found",
                "The message template could not be found.",
            )
            .transient(false),

        // §6.2 [OFF ERR]; statuses [INF].
        RateLimited => GraphError::whatsapp(
            400,
            80007,
            "Rate limit issues",
            "The WhatsApp Business Account has reached its rate limit.",
        )
        .transient(true),
        // Reference messaging-and-360dialog.md, "Messaging error codes" (ERRTBL statuses).
        // 132001: message and details seen (tawn33y/whatsapp-cloud-api#57); 404 per the table.
        TemplateNotInTranslation { name, language } => GraphError::whatsapp(
            404,
            132001,
            "Template name does not exist in the translation",
            format!("template name ({name}) does not exist in {language}"),
        ),
        // 132000 / 132015 / 132016: titles seen (ERRTBL); details ours.
        TemplateParamCountMismatch { expected, given } => GraphError::whatsapp(
            400,
            132000,
            "Number of parameters does not match the expected number of params",
            format!("body: number of localizable_params ({given}) does not match the expected number of params ({expected})"),
        ),
        TemplatePaused => GraphError::whatsapp(
            400,
            132015,
            "Template is Paused",
            "The template has been paused due to low quality.",
        ),
        TemplateDisabled => GraphError::whatsapp(
            400,
            132016,
            "Template is Disabled",
            "The template has been disabled due to low quality.",
        ),
        // 131056: message and details seen (capture in the code index).
        PairRateLimited => GraphError::whatsapp(
            400,
            131056,
            "(Business Account, Consumer Account) pair rate limit hit",
            "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.",
        ),
        // 131045: HTTP 500 per ERRTBL; details ours.
        CertificateMissing => GraphError::whatsapp(
            500,
            131045,
            "Incorrect certificate",
            "Message failed to send due to a phone number registration error.",
        ),
        // Seen: `(#100) Param file must be a file with one of the following types: …
        // Received file of type 'application/octet-stream'.` (the list quoted in
        // fbsamples/whatsapp-api-examples#10 and in client code; reference "Media types").
        MediaTypeUnsupported { mime } => GraphError::new(
            400,
            100,
            OAUTH,
            format!(
                "(#100) Param file must be a file with one of the following types: {}. Received file of type '{mime}'.",
                crate::world::media::accepted_types().collect::<Vec<_>>().join(", ")
            ),
        ),
        // 131053 `Media upload error` with details `Video file has size 63787247 bytes but
        // must be atmost 16777216 bytes and non-empty` is seen on a `failed` status; that an
        // upload is refused with it synchronously is inferred (docs/fidelity.md).
        MediaTooLarge { kind, size, limit } => GraphError::whatsapp(
            400,
            131053,
            "Media upload error",
            format!("{kind} file has size {size} bytes but must be atmost {limit} bytes and non-empty"),
        ),
        // Seen in client code matching Meta's text (n8n's WhatsApp node, BSP error tables):
        // `(#100) Param image['id'] is not a valid whatsapp business account media attachment ID`.
        MediaIdInvalid { param } => GraphError::new(
            400,
            100,
            OAUTH,
            format!(
                "(#100) Param {param}['id'] is not a valid whatsapp business account media attachment ID"
            ),
        ),
        // A read receipt naming a message the number cannot mark read: the reference's row
        // 100 (`(#100) Invalid parameter` with details); its use here is inferred
        // (docs/fidelity.md, "Message ids").
        MessageIdInvalid { id } => GraphError::whatsapp(
            400,
            100,
            "Invalid parameter",
            format!(
                "Invalid message_id {id}: it is not a message this phone number received"
            ),
        ),
        // Graph does not pace: a full pacing queue reaches it only as a scripted fault, told
        // as the rule the queue stands in for, the number's throughput.
        ThroughputReached | PacedQueueFull { .. } => GraphError::whatsapp(
            400,
            130429,
            "Rate limit hit",
            "Cloud API message throughput has been reached.",
        )
        .subcode(2494055)
        .transient(true),
        ServiceUnavailable => GraphError::new(503, 2, OAUTH, "(#2) Service temporarily unavailable")
            .transient(true),
        InternalError => {
            GraphError::new(500, 1, OAUTH, "An unknown error has occurred.").transient(true)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::error::ERROR_NAMES;

    #[test]
    fn every_domain_error_renders_valid_json() {
        for name in ERROR_NAMES {
            let e = DomainError::from_name(name, crate::clock::Timestamp(0)).unwrap();
            let g = from_domain(&e, "post");
            let body: serde_json::Value = serde_json::from_slice(&g.body("TRACE")).unwrap();
            assert_eq!(body["error"]["code"], g.code, "{name}");
            assert_eq!(body["error"]["fbtrace_id"], "TRACE");
            assert!(g.status >= 400, "{name}");
        }
    }

    #[test]
    fn template_content_errors_carry_their_subcode_and_blame_field() {
        for (e, subcode) in [
            (DomainError::TemplateFooterHasVariable, Some(2388073)),
            (DomainError::TemplateHeaderTooManyVariables, Some(2388047)),
            (DomainError::TemplateBodyMissing, Some(2388072)),
            (DomainError::TemplateButtonTextHasVariable, None),
        ] {
            let g = from_domain(&e, "post");
            assert_eq!((g.status, g.code, g.subcode), (400, 100, subcode), "{e}");
            let body: serde_json::Value = serde_json::from_slice(&g.body("T")).unwrap();
            assert_eq!(
                body["error"]["error_data"]["blame_field_specs"],
                serde_json::json!([["components"]])
            );
            assert!(body["error"]["error_user_title"].is_string());
            assert_eq!(body["error"]["is_transient"], false);
        }
        let g = from_domain(
            &DomainError::TemplateLanguageUnsupported {
                language: "xx_YY".into(),
            },
            "post",
        );
        assert!(
            g.message
                .starts_with("(#100) Param language must be one of {af, sq,")
        );
        assert!(g.message.ends_with("- got \"xx_YY\""));
    }

    #[test]
    fn blame_field_specs_is_a_list_of_lists() {
        let g = from_domain(&DomainError::TemplateNameInvalid, "post");
        let body: serde_json::Value = serde_json::from_slice(&g.body("T")).unwrap();
        assert_eq!(
            body["error"]["error_data"]["blame_field_specs"],
            serde_json::json!([["name"]])
        );
    }
}
