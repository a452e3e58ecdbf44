//! The domain's closed vocabularies: statuses, ratings, kinds.
//!
//! Values are spelled as Meta spells them (reference meta-graph.md §4), because that is the
//! vocabulary the whole industry, fixtures included, uses. Facades with other spellings
//! (Alibaba's `Approval`, `pass`) translate in their own render code.

use serde::{Deserialize, Serialize};

/// Declares a closed string enum: its variants, their spelling, `as_str`, `parse` and the list
/// of valid values (which fixture errors print).
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[derive(schemars::JsonSchema)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the canonical spelling, ignoring ASCII case.
            pub fn parse(text: &str) -> Option<$name> {
                $(if text.eq_ignore_ascii_case($text) { return Some($name::$variant); })+
                None
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary!(
    /// A business's verification status. Graph spells these in lower case (PYSDK enum).
    VerificationStatus {
        Verified => "verified",
        NotVerified => "not_verified",
        Pending => "pending",
        PendingNeedMoreInfo => "pending_need_more_info",
        PendingSubmission => "pending_submission",
        Rejected => "rejected",
        Revoked => "revoked",
        Failed => "failed",
        Expired => "expired",
        Ineligible => "ineligible",
    }
);

vocabulary!(
    /// A WABA's account review status.
    ReviewStatus {
        Approved => "APPROVED",
        Pending => "PENDING",
        Rejected => "REJECTED",
        Restricted => "RESTRICTED",
    }
);

vocabulary!(
    /// Quality rating of a phone number or template.
    Quality {
        Green => "GREEN",
        Yellow => "YELLOW",
        Red => "RED",
        Unknown => "UNKNOWN",
    }
);

vocabulary!(
    /// A phone number's connection status (RESTFB enum).
    PhoneStatus {
        Pending => "PENDING",
        Connected => "CONNECTED",
        Disconnected => "DISCONNECTED",
        Migrated => "MIGRATED",
        Deleted => "DELETED",
        Banned => "BANNED",
        Restricted => "RESTRICTED",
        RateLimited => "RATE_LIMITED",
        Flagged => "FLAGGED",
        Unverified => "UNVERIFIED",
        Unknown => "UNKNOWN",
    }
);

vocabulary!(
    /// Where a number is hosted.
    Platform {
        CloudApi => "CLOUD_API",
        OnPremise => "ON_PREMISE",
        NotApplicable => "NOT_APPLICABLE",
    }
);

vocabulary!(
    /// Display-name review status.
    NameStatus {
        Approved => "APPROVED",
        AvailableWithoutReview => "AVAILABLE_WITHOUT_REVIEW",
        Declined => "DECLINED",
        Expired => "EXPIRED",
        PendingReview => "PENDING_REVIEW",
        None => "NONE",
        NonExists => "NON_EXISTS",
    }
);

vocabulary!(
    /// Messaging limit tier (`whatsapp_business_manager_messaging_limit`; the deprecated
    /// `messaging_limit_tier` spells 2K as 1K, which the render code handles).
    MessagingLimit {
        Tier50 => "TIER_50",
        Tier250 => "TIER_250",
        Tier1K => "TIER_1K",
        Tier2K => "TIER_2K",
        Tier10K => "TIER_10K",
        Tier100K => "TIER_100K",
        Unlimited => "TIER_UNLIMITED",
        Untiered => "UNTIERED",
    }
);

vocabulary!(
    /// What kind of number this is; only business API numbers can be migrated.
    PhoneKind {
        /// A normal WhatsApp Business Platform number.
        BusinessApi => "business_api",
        /// A Meta-issued test number.
        MetaTest => "meta_test",
        /// A number in use with the WhatsApp Business app (coexistence).
        BusinessApp => "business_app",
    }
);

vocabulary!(
    /// Cloud API account mode.
    AccountMode {
        Live => "LIVE",
        Sandbox => "SANDBOX",
    }
);

vocabulary!(
    /// Template category.
    Category {
        Authentication => "AUTHENTICATION",
        Marketing => "MARKETING",
        Utility => "UTILITY",
    }
);

vocabulary!(
    /// Template status (PYSDK enum).
    TemplateStatus {
        Approved => "APPROVED",
        Archived => "ARCHIVED",
        Deleted => "DELETED",
        Disabled => "DISABLED",
        InAppeal => "IN_APPEAL",
        LimitExceeded => "LIMIT_EXCEEDED",
        Paused => "PAUSED",
        Pending => "PENDING",
        PendingDeletion => "PENDING_DELETION",
        Rejected => "REJECTED",
    }
);

vocabulary!(
    /// Why a template was rejected (pywa enum).
    RejectedReason {
        AbusiveContent => "ABUSIVE_CONTENT",
        IncorrectCategory => "INCORRECT_CATEGORY",
        InvalidFormat => "INVALID_FORMAT",
        None => "NONE",
        Promotional => "PROMOTIONAL",
        Scam => "SCAM",
        TagContentMismatch => "TAG_CONTENT_MISMATCH",
    }
);

vocabulary!(
    /// How a verification code is delivered.
    CodeMethod {
        Sms => "SMS",
        Voice => "VOICE",
    }
);

vocabulary!(
    /// A token's permission scope.
    Scope {
        Management => "whatsapp_business_management",
        Messaging => "whatsapp_business_messaging",
        BusinessManagement => "business_management",
    }
);

vocabulary!(
    /// Throughput level of a number.
    Throughput {
        Standard => "STANDARD",
        High => "HIGH",
        NotApplicable => "NOT_APPLICABLE",
    }
);

impl MessagingLimit {
    /// The older tier spelling (Graph's deprecated `messaging_limit_tier`, Alibaba's
    /// `MessagingLimitTier`), which has 1K where the current enum has 2K; an untiered number
    /// has none.
    pub fn legacy_name(self) -> Option<&'static str> {
        Some(match self {
            MessagingLimit::Tier50 => "TIER_50",
            MessagingLimit::Tier250 => "TIER_250",
            MessagingLimit::Tier1K | MessagingLimit::Tier2K => "TIER_1K",
            MessagingLimit::Tier10K => "TIER_10K",
            MessagingLimit::Tier100K => "TIER_100K",
            MessagingLimit::Unlimited => "TIER_UNLIMITED",
            MessagingLimit::Untiered => return None,
        })
    }
}
