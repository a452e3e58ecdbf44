//! `DomainError`: one variant per rule a request can break.
//!
//! The world reports *which* rule failed; it never decides a wire code, status or message.
//! Each facade maps these in exactly one table (`api/graph/errors.rs`, `api/cams/errors.rs`).
//! Every variant also has a stable snake_case name, so a fixture or `/__admin/faults` can
//! script "answer this request with `too_many_code_requests`" once, for every facade.

use crate::clock::Timestamp;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DomainError {
    // --- access ---------------------------------------------------------------------------
    /// No token was presented.
    AccessTokenMissing,
    /// The token is empty, malformed or unknown.
    AccessTokenInvalid,
    /// The token has an expiry and it passed.
    AccessTokenExpired {
        expired_at: Timestamp,
        now: Timestamp,
    },
    /// The token lacks a scope the operation needs (e.g. `whatsapp_business_management`).
    PermissionMissing { scope: &'static str },
    /// The object does not exist, is of the wrong type for the operation, or the caller may
    /// not see it. Graph deliberately answers these three the same way.
    UnknownObject { id: String },
    /// A parameter is missing or malformed.
    InvalidParameter { param: String, details: String },

    // --- migration preconditions (reference meta-graph.md §2.1, §6.4) ----------------------
    /// The number is already in the destination WABA.
    NumberAlreadyOnDestination,
    /// The number is not registered on any WABA: it should be added, not migrated.
    NumberNotRegistered,
    /// The number to add is registered on another WABA: it should be migrated, not added.
    NumberRegisteredElsewhere,
    /// Source and destination WABAs belong to different businesses.
    DifferentBusiness,
    /// The source WABA's review or its business's verification is not approved.
    SourceNotSetUp,
    /// A Meta-issued test number cannot be migrated.
    TestNumber,
    /// A WhatsApp Business app (coexistence) number cannot be migrated this way.
    BusinessAppNumber,
    /// The display name is not approved, or a name change is pending.
    DisplayNameNotApproved,
    /// Two-step verification is still enabled on the number.
    TwoStepStillEnabled,
    /// The destination WABA's review or its business's verification is not approved.
    DestinationNotApproved,
    /// The destination WABA has no payment method.
    DestinationNoPayment,
    /// No app is subscribed to the destination WABA's webhooks.
    DestinationNoSubscribedApp,
    /// A transient migration failure (only ever scripted as a fault).
    MigrationFailed,
    /// The account is in maintenance mode (only ever scripted as a fault).
    MaintenanceMode,

    // --- verification codes and registration -------------------------------------------
    /// `request_code` on a number that is neither being migrated nor newly added.
    NotEligibleForCode,
    /// `verify_code` on a number that is neither being migrated nor newly added.
    NotEligibleForVerify,
    /// Too many code requests in the window.
    TooManyCodeRequests,
    /// The code is wrong, expired or already used.
    WrongCode,
    /// `register` before the number's ownership was verified (or the verification expired).
    NotVerified,
    /// The PIN does not match the number's two-step verification PIN.
    PinMismatch,
    /// Too many wrong two-step PINs for the number; register is refused until `until`.
    TooManyPinAttempts { until: Timestamp },
    /// The PIN was entered too quickly after the previous attempt (only ever scripted).
    PinTooFast,
    /// A previous deregistration of the number failed; it must be deregistered again before
    /// it registers (only ever scripted).
    DeregistrationIncomplete,
    /// The number was deleted moments ago and the deletion has not finished (only ever
    /// scripted).
    RecentlyDeleted,
    /// The display name could not be turned into the number's certificate at register (only
    /// ever scripted).
    CannotCreateCertificate,
    /// More than the allowed register/deregister calls in the window; blocked until `until`.
    TooManyRegistrations { until: Timestamp },
    /// The number is not registered (deregister of a number that is not connected).
    NotRegistered,
    /// Registration is temporarily unavailable (only ever scripted as a fault).
    TemporarilyUnavailable,

    // --- templates (reference meta-graph.md §4.4, §6.5) ---------------------------------
    /// The WABA's template limit is reached.
    TemplateLimitExceeded { limit: u32 },
    /// A template with this name and language already exists.
    TemplateExists,
    /// The template name is not lower-case letters, digits and underscores.
    TemplateNameInvalid,
    /// No template matches.
    TemplateNotFound,
    /// The template's language is not one WhatsApp templates support.
    TemplateLanguageUnsupported { language: String },
    /// A component's `type` is not one of the template component types.
    TemplateComponentUnsupported { kind: String },
    /// The template has no BODY component.
    TemplateBodyMissing,
    /// The header's `format` is not a header format.
    TemplateHeaderFormatUnsupported { format: String },
    /// A text header has more than one variable.
    TemplateHeaderTooManyVariables,
    /// The footer has a variable.
    TemplateFooterHasVariable,
    /// A component's text is longer than its limit (`component`: `BODY`, `HEADER`, `FOOTER`
    /// or `BUTTON`).
    TemplateTextTooLong {
        component: &'static str,
        limit: usize,
    },
    /// A button's text has a variable.
    TemplateButtonTextHasVariable,
    /// A URL button's URL has more than one variable.
    TemplateUrlTooManyVariables,

    // --- sending messages (reference messaging-and-360dialog.md, "Messaging error codes") --
    /// The sending number's WABA has no template of that name in that language (132001).
    TemplateNotInTranslation { name: String, language: String },
    /// The template is paused for low quality (132015).
    TemplatePaused,
    /// The template is disabled (132016).
    TemplateDisabled,
    /// The send gives a different number of parameters than the template has variables
    /// (132000).
    TemplateParamCountMismatch { expected: usize, given: usize },
    /// Too many messages from this number to the same user in a short time (131056).
    PairRateLimited,
    /// The sending number has no certificate yet: not registered on this WABA (131045).
    CertificateMissing,

    // --- media (reference messaging-and-360dialog.md, "Cloud API messages + media") -------
    /// An upload's MIME type is not one Meta takes.
    MediaTypeUnsupported { mime: String },
    /// An upload is empty or larger than its kind's limit (`kind` as Meta titles it).
    MediaTooLarge {
        kind: &'static str,
        size: usize,
        limit: usize,
    },
    /// A send's `{type}.id` names no upload the sending number holds.
    MediaIdInvalid { param: String },
    /// A read receipt's `message_id` names no message the number received and still holds
    /// (`message.rs`, `mark_read`).
    MessageIdInvalid { id: String },

    // --- throttling and outages (faults) ------------------------------------------------
    /// The WABA hit its Business-Use-Case rate limit.
    RateLimited,
    /// Cloud API throughput was reached.
    ThroughputReached,
    /// A facade's paced sends would hold more recipients than `settings.paced_sends_max`
    /// (`pacing.rs`).
    PacedQueueFull { max: usize },
    /// A temporary outage.
    ServiceUnavailable,
    /// An unexpected server error.
    InternalError,
}

/// Every name a fixture or `/__admin/faults` may use for a scripted domain error.
pub const ERROR_NAMES: &[&str] = &[
    "access_token_missing",
    "access_token_invalid",
    "access_token_expired",
    "permission_missing",
    "unknown_object",
    "invalid_parameter",
    "number_already_on_destination",
    "number_not_registered",
    "number_registered_elsewhere",
    "different_business",
    "source_not_set_up",
    "test_number",
    "business_app_number",
    "display_name_not_approved",
    "two_step_still_enabled",
    "destination_not_approved",
    "destination_no_payment",
    "destination_no_subscribed_app",
    "migration_failed",
    "maintenance_mode",
    "not_eligible_for_code",
    "not_eligible_for_verify",
    "too_many_code_requests",
    "wrong_code",
    "not_verified",
    "pin_mismatch",
    "too_many_pin_attempts",
    "pin_too_fast",
    "deregistration_incomplete",
    "recently_deleted",
    "cannot_create_certificate",
    "too_many_registrations",
    "not_registered",
    "temporarily_unavailable",
    "template_limit_exceeded",
    "template_exists",
    "template_name_invalid",
    "template_not_found",
    "template_language_unsupported",
    "template_component_unsupported",
    "template_body_missing",
    "template_header_format_unsupported",
    "template_header_too_many_variables",
    "template_footer_has_variable",
    "template_text_too_long",
    "template_button_text_has_variable",
    "template_url_too_many_variables",
    "template_not_in_translation",
    "template_paused",
    "template_disabled",
    "template_param_count_mismatch",
    "pair_rate_limited",
    "certificate_missing",
    "media_type_unsupported",
    "media_too_large",
    "media_id_invalid",
    "message_id_invalid",
    "rate_limited",
    "throughput_reached",
    "paced_queue_full",
    "service_unavailable",
    "internal_error",
];

impl DomainError {
    /// The stable snake_case name used in fixtures, faults and the journal.
    pub fn name(&self) -> &'static str {
        use DomainError::*;
        match self {
            AccessTokenMissing => "access_token_missing",
            AccessTokenInvalid => "access_token_invalid",
            AccessTokenExpired { .. } => "access_token_expired",
            PermissionMissing { .. } => "permission_missing",
            UnknownObject { .. } => "unknown_object",
            InvalidParameter { .. } => "invalid_parameter",
            NumberAlreadyOnDestination => "number_already_on_destination",
            NumberNotRegistered => "number_not_registered",
            NumberRegisteredElsewhere => "number_registered_elsewhere",
            DifferentBusiness => "different_business",
            SourceNotSetUp => "source_not_set_up",
            TestNumber => "test_number",
            BusinessAppNumber => "business_app_number",
            DisplayNameNotApproved => "display_name_not_approved",
            TwoStepStillEnabled => "two_step_still_enabled",
            DestinationNotApproved => "destination_not_approved",
            DestinationNoPayment => "destination_no_payment",
            DestinationNoSubscribedApp => "destination_no_subscribed_app",
            MigrationFailed => "migration_failed",
            MaintenanceMode => "maintenance_mode",
            NotEligibleForCode => "not_eligible_for_code",
            NotEligibleForVerify => "not_eligible_for_verify",
            TooManyCodeRequests => "too_many_code_requests",
            WrongCode => "wrong_code",
            NotVerified => "not_verified",
            PinMismatch => "pin_mismatch",
            TooManyPinAttempts { .. } => "too_many_pin_attempts",
            PinTooFast => "pin_too_fast",
            DeregistrationIncomplete => "deregistration_incomplete",
            RecentlyDeleted => "recently_deleted",
            CannotCreateCertificate => "cannot_create_certificate",
            TooManyRegistrations { .. } => "too_many_registrations",
            NotRegistered => "not_registered",
            TemporarilyUnavailable => "temporarily_unavailable",
            TemplateLimitExceeded { .. } => "template_limit_exceeded",
            TemplateExists => "template_exists",
            TemplateNameInvalid => "template_name_invalid",
            TemplateNotFound => "template_not_found",
            TemplateLanguageUnsupported { .. } => "template_language_unsupported",
            TemplateComponentUnsupported { .. } => "template_component_unsupported",
            TemplateBodyMissing => "template_body_missing",
            TemplateHeaderFormatUnsupported { .. } => "template_header_format_unsupported",
            TemplateHeaderTooManyVariables => "template_header_too_many_variables",
            TemplateFooterHasVariable => "template_footer_has_variable",
            TemplateTextTooLong { .. } => "template_text_too_long",
            TemplateButtonTextHasVariable => "template_button_text_has_variable",
            TemplateUrlTooManyVariables => "template_url_too_many_variables",
            TemplateNotInTranslation { .. } => "template_not_in_translation",
            TemplatePaused => "template_paused",
            TemplateDisabled => "template_disabled",
            TemplateParamCountMismatch { .. } => "template_param_count_mismatch",
            PairRateLimited => "pair_rate_limited",
            CertificateMissing => "certificate_missing",
            MediaTypeUnsupported { .. } => "media_type_unsupported",
            MediaTooLarge { .. } => "media_too_large",
            MediaIdInvalid { .. } => "media_id_invalid",
            MessageIdInvalid { .. } => "message_id_invalid",
            RateLimited => "rate_limited",
            ThroughputReached => "throughput_reached",
            PacedQueueFull { .. } => "paced_queue_full",
            ServiceUnavailable => "service_unavailable",
            InternalError => "internal_error",
        }
    }

    /// The error a scripted fault names, with neutral details filled in. `now` fills the
    /// time-bearing variants so that the rendered message stays plausible.
    pub fn from_name(name: &str, now: Timestamp) -> Option<DomainError> {
        use DomainError::*;
        Some(match name {
            "access_token_missing" => AccessTokenMissing,
            "access_token_invalid" => AccessTokenInvalid,
            "access_token_expired" => AccessTokenExpired {
                expired_at: now,
                now,
            },
            "permission_missing" => PermissionMissing {
                scope: "whatsapp_business_management",
            },
            "unknown_object" => UnknownObject { id: String::new() },
            "invalid_parameter" => InvalidParameter {
                param: String::new(),
                details: "Invalid parameter".into(),
            },
            "number_already_on_destination" => NumberAlreadyOnDestination,
            "number_not_registered" => NumberNotRegistered,
            "number_registered_elsewhere" => NumberRegisteredElsewhere,
            "different_business" => DifferentBusiness,
            "source_not_set_up" => SourceNotSetUp,
            "test_number" => TestNumber,
            "business_app_number" => BusinessAppNumber,
            "display_name_not_approved" => DisplayNameNotApproved,
            "two_step_still_enabled" => TwoStepStillEnabled,
            "destination_not_approved" => DestinationNotApproved,
            "destination_no_payment" => DestinationNoPayment,
            "destination_no_subscribed_app" => DestinationNoSubscribedApp,
            "migration_failed" => MigrationFailed,
            "maintenance_mode" => MaintenanceMode,
            "not_eligible_for_code" => NotEligibleForCode,
            "not_eligible_for_verify" => NotEligibleForVerify,
            "too_many_code_requests" => TooManyCodeRequests,
            "wrong_code" => WrongCode,
            "not_verified" => NotVerified,
            "pin_mismatch" => PinMismatch,
            "too_many_pin_attempts" => TooManyPinAttempts {
                until: now + crate::clock::Duration::hours(1),
            },
            "pin_too_fast" => PinTooFast,
            "deregistration_incomplete" => DeregistrationIncomplete,
            "recently_deleted" => RecentlyDeleted,
            "cannot_create_certificate" => CannotCreateCertificate,
            "too_many_registrations" => TooManyRegistrations {
                until: now + crate::clock::Duration::hours(72),
            },
            "not_registered" => NotRegistered,
            "temporarily_unavailable" => TemporarilyUnavailable,
            "template_limit_exceeded" => TemplateLimitExceeded { limit: 250 },
            "template_exists" => TemplateExists,
            "template_name_invalid" => TemplateNameInvalid,
            "template_not_found" => TemplateNotFound,
            "template_language_unsupported" => TemplateLanguageUnsupported {
                language: "xx_XX".into(),
            },
            "template_component_unsupported" => TemplateComponentUnsupported {
                kind: "UNKNOWN".into(),
            },
            "template_body_missing" => TemplateBodyMissing,
            "template_header_format_unsupported" => TemplateHeaderFormatUnsupported {
                format: "UNKNOWN".into(),
            },
            "template_header_too_many_variables" => TemplateHeaderTooManyVariables,
            "template_footer_has_variable" => TemplateFooterHasVariable,
            "template_text_too_long" => TemplateTextTooLong {
                component: "BODY",
                limit: 1024,
            },
            "template_button_text_has_variable" => TemplateButtonTextHasVariable,
            "template_url_too_many_variables" => TemplateUrlTooManyVariables,
            "template_not_in_translation" => TemplateNotInTranslation {
                name: "template".into(),
                language: "en_US".into(),
            },
            "template_paused" => TemplatePaused,
            "template_disabled" => TemplateDisabled,
            "template_param_count_mismatch" => TemplateParamCountMismatch {
                expected: 1,
                given: 0,
            },
            "pair_rate_limited" => PairRateLimited,
            "certificate_missing" => CertificateMissing,
            "media_type_unsupported" => MediaTypeUnsupported {
                mime: "application/octet-stream".into(),
            },
            "media_too_large" => MediaTooLarge {
                kind: "Image",
                size: 5 * 1024 * 1024 + 1,
                limit: 5 * 1024 * 1024,
            },
            "media_id_invalid" => MediaIdInvalid {
                param: "image".into(),
            },
            "message_id_invalid" => MessageIdInvalid {
                id: "wamid.HBgLMTU1NTEyMzAwMDEVAgASGBQzQUZCMTY0MDc2MUYwNzBDNTY5MAA=".into(),
            },
            "rate_limited" => RateLimited,
            "throughput_reached" => ThroughputReached,
            "paced_queue_full" => PacedQueueFull { max: 10_000 },
            "service_unavailable" => ServiceUnavailable,
            "internal_error" => InternalError,
            _ => return None,
        })
    }

    /// Shorthand for the common "this parameter is wrong" error.
    pub fn param(param: &str, details: impl Into<String>) -> DomainError {
        DomainError::InvalidParameter {
            param: param.to_string(),
            details: details.into(),
        }
    }

    pub fn unknown(id: impl Into<String>) -> DomainError {
        DomainError::UnknownObject { id: id.into() }
    }
}

impl std::fmt::Display for DomainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::error::Error for DomainError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips() {
        let now = Timestamp(0);
        for name in ERROR_NAMES {
            let e = DomainError::from_name(name, now).expect(name);
            assert_eq!(e.name(), *name);
        }
        assert!(DomainError::from_name("no_such_error", now).is_none());
    }
}
