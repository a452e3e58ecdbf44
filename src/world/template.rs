//! Message templates: the record, and which templates a migration may copy.
//!
//! Eligibility differs by path (reference meta-graph.md §5): automatic duplication on
//! migration copies APPROVED + GREEN only; `migrate_message_templates` also takes UNKNOWN.

use std::sync::Arc;

use super::Id;
use super::vocab::{Category, Quality, RejectedReason, TemplateStatus};
use crate::clock::Timestamp;

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Template {
    pub id: Id,
    pub waba: Id,
    pub name: String,
    /// Shared between the templates of a language (a world holds few languages and may hold
    /// half a million templates).
    pub language: Arc<str>,
    pub category: Category,
    pub status: TemplateStatus,
    pub quality: Quality,
    /// When `quality` last changed (Graph's `quality_score.date`).
    pub quality_at: Timestamp,
    pub rejected_reason: RejectedReason,
    /// The components array as JSON text, shared between a template and its copies.
    pub components: Arc<str>,
    pub parameter_format: ParameterFormat,
    pub sub_category: Option<Box<str>>,
    pub previous_category: Option<Category>,
    /// The category the categorisation re-check would give this template: a copy made
    /// during migration is then rejected with `INCORRECT_CATEGORY`.
    pub recategorize: Option<Category>,
    /// The rating a copy of this template gets when it is re-rated 24 hours after copying.
    pub rerate_to: Option<Quality>,
    /// The source template this one was copied from during a migration.
    pub copied_from: Option<Id>,
    pub created_at: Timestamp,
    /// When `status` last changed (creation, a review decision, a copy).
    pub status_at: Timestamp,
    /// How long a message sent with this template may wait for delivery (Graph's
    /// `message_send_ttl_seconds`, Alibaba's `MessageSendTtlSeconds`); `None`: Meta's default.
    pub message_send_ttl_seconds: Option<i64>,
    /// Whether the owner paused automatic category changes (Alibaba's `CategoryChangePaused`).
    pub category_change_paused: bool,
}

/// How a template's body names its variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ParameterFormat {
    /// `{{1}}`, `{{2}}`
    Positional,
    /// `{{first_name}}`
    Named,
}

impl ParameterFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterFormat::Positional => "POSITIONAL",
            ParameterFormat::Named => "NAMED",
        }
    }

    pub fn parse(text: &str) -> Option<ParameterFormat> {
        if text.eq_ignore_ascii_case("POSITIONAL") {
            Some(ParameterFormat::Positional)
        } else if text.eq_ignore_ascii_case("NAMED") {
            Some(ParameterFormat::Named)
        } else {
            None
        }
    }
}

/// Why a migration did or did not copy a template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eligibility {
    Eligible,
    NotApproved,
    LowQuality,
}

/// Which templates a copy path accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyPath {
    /// Automatic duplication when a migrated number registers: APPROVED and GREEN.
    OnMigration,
    /// `POST /{dest}/migrate_message_templates`: APPROVED and GREEN or UNKNOWN.
    Manual,
}

impl Template {
    /// The template as its events name it.
    pub fn event_ref(&self) -> super::TemplateRef {
        super::TemplateRef {
            id: self.id,
            name: self.name.clone(),
            language: self.language.to_string(),
        }
    }

    /// `message_template_status_update` for the template as it is now: its status as the
    /// event, with its category and rejection reason.
    pub fn status_event(&self) -> super::EventKind {
        super::EventKind::TemplateStatus {
            template: self.event_ref(),
            category: self.category,
            event: self.status.as_str(),
            reason: self.rejected_reason,
        }
    }

    pub fn eligibility(&self, path: CopyPath) -> Eligibility {
        if self.status != TemplateStatus::Approved {
            return Eligibility::NotApproved;
        }
        let quality_ok = match path {
            CopyPath::OnMigration => self.quality == Quality::Green,
            CopyPath::Manual => matches!(self.quality, Quality::Green | Quality::Unknown),
        };
        if quality_ok {
            Eligibility::Eligible
        } else {
            Eligibility::LowQuality
        }
    }

    /// Whether this template counts against its WABA's limit.
    pub fn counts_against_limit(&self) -> bool {
        !matches!(
            self.status,
            TemplateStatus::Deleted | TemplateStatus::PendingDeletion
        )
    }
}

/// Template names: lower-case letters, digits and underscores, at most 512 characters.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 512
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Filters of `GET /{waba}/message_templates` (reference meta-graph.md §4.3). Empty lists
/// and `None`s match everything.
#[derive(Clone, Debug, Default)]
pub struct TemplateFilter {
    pub categories: Vec<Category>,
    pub statuses: Vec<TemplateStatus>,
    pub qualities: Vec<Quality>,
    pub languages: Vec<String>,
    /// Substring of the name, case-insensitive.
    pub name: Option<String>,
    /// Substring of the components' text.
    pub content: Option<String>,
    pub name_or_content: Option<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

impl TemplateFilter {
    pub fn matches(&self, t: &Template) -> bool {
        let contains =
            |hay: &str, needle: &str| hay.to_lowercase().contains(&needle.to_lowercase());
        (self.categories.is_empty() || self.categories.contains(&t.category))
            && (self.statuses.is_empty() || self.statuses.contains(&t.status))
            && (self.qualities.is_empty() || self.qualities.contains(&t.quality))
            && (self.languages.is_empty() || self.languages.iter().any(|l| **l == *t.language))
            && self.name.as_deref().is_none_or(|n| contains(&t.name, n))
            && self
                .content
                .as_deref()
                .is_none_or(|c| contains(&t.components, c))
            && self
                .name_or_content
                .as_deref()
                .is_none_or(|q| contains(&t.name, q) || contains(&t.components, q))
            && self.since.is_none_or(|s| t.created_at >= s)
            && self.until.is_none_or(|u| t.created_at <= u)
    }
}

/// What `POST /{waba}/message_templates` asks for.
#[derive(Clone, Debug)]
pub struct NewTemplate {
    pub name: String,
    pub language: String,
    pub category: Category,
    pub components: Arc<str>,
    pub parameter_format: ParameterFormat,
}

/// The optional settings a new template may carry besides its content.
#[derive(Clone, Copy, Debug, Default)]
pub struct TemplateOptions {
    pub message_send_ttl_seconds: Option<i64>,
    pub category_change_paused: bool,
}

impl super::World {
    /// `POST /{waba}/message_templates`: creates a PENDING template, approved after the
    /// review delay of the world's settings.
    pub fn create_template(
        &mut self,
        who: &super::Principal,
        waba: &str,
        new: NewTemplate,
    ) -> Result<&Template, super::DomainError> {
        self.create_template_with(who, waba, new, TemplateOptions::default())
    }

    /// [`create_template`](Self::create_template) with its optional settings. The checks run
    /// in this order ([INF]): scope, WABA, name format, language and components
    /// ([`template_content::check`](super::template_content::check)), an existing template
    /// with the name and language, the WABA's limit.
    pub fn create_template_with(
        &mut self,
        who: &super::Principal,
        waba: &str,
        new: NewTemplate,
        options: TemplateOptions,
    ) -> Result<&Template, super::DomainError> {
        use super::DomainError;
        let waba = self.waba_to_change(who, waba)?;
        let waba_id = waba.id;
        if !valid_name(&new.name) {
            return Err(DomainError::TemplateNameInvalid);
        }
        super::template_content::check(&new.language, &new.components)?;
        if self
            .template_on(waba_id, &new.name, &new.language)
            .is_some()
        {
            return Err(DomainError::TemplateExists);
        }
        let limit = self.template_limit(waba);
        if self.template_count(waba) >= limit {
            return Err(DomainError::TemplateLimitExceeded { limit });
        }
        let id = self.next_id();
        let now = self.now();
        self.insert_template(Template {
            id,
            waba: waba_id,
            name: new.name,
            language: Arc::from(new.language),
            category: new.category,
            status: TemplateStatus::Pending,
            quality: Quality::Unknown,
            quality_at: now,
            rejected_reason: RejectedReason::None,
            components: new.components,
            parameter_format: new.parameter_format,
            sub_category: None,
            previous_category: None,
            recategorize: None,
            rerate_to: None,
            copied_from: None,
            created_at: now,
            status_at: now,
            message_send_ttl_seconds: options.message_send_ttl_seconds,
            category_change_paused: options.category_change_paused,
        });
        if let Some(delay) = self.settings.template_review_delay {
            self.add_timer(now + delay, super::Timer::ReviewTemplate(id));
            self.catch_up();
        }
        Ok(&self.templates[&id])
    }

    /// `DELETE /{waba}/message_templates`: by `name` (every language), or by `hsm_id` (one
    /// template, whose name must match when both are given).
    pub fn delete_templates(
        &mut self,
        who: &super::Principal,
        waba: &str,
        name: Option<&str>,
        hsm_id: Option<&str>,
    ) -> Result<usize, super::DomainError> {
        use super::DomainError;
        let waba = self.waba_to_change(who, waba)?;
        let waba_id = waba.id;
        if name.is_none() && hsm_id.is_none() {
            return Err(DomainError::param("name", "The parameter name is required"));
        }
        let hsm = match hsm_id {
            Some(h) => Some(super::parse_id(h.trim()).ok_or(DomainError::TemplateNotFound)?),
            None => None,
        };
        let doomed: Vec<super::Id> = waba
            .templates
            .iter()
            .filter_map(|id| self.templates.get(id))
            .filter(|t| hsm.is_none_or(|h| t.id == h) && name.is_none_or(|n| t.name == n))
            .map(|t| t.id)
            .collect();
        if doomed.is_empty() {
            return Err(DomainError::TemplateNotFound);
        }
        for id in &doomed {
            self.templates.remove(id);
        }
        if let Some(w) = self.wabas.get_mut(&waba_id) {
            w.templates.retain(|id| !doomed.contains(id));
        }
        Ok(doomed.len())
    }

    /// Ends the review of a created template: it is approved.
    pub(crate) fn finish_review(&mut self, id: super::Id, at: Timestamp) {
        let Some(t) = self.templates.get_mut(&id) else {
            return;
        };
        if t.status != TemplateStatus::Pending {
            return;
        }
        t.status = TemplateStatus::Approved;
        t.status_at = at;
        let event = super::EventKind::TemplateStatus {
            template: t.event_ref(),
            category: t.category,
            event: TemplateStatus::Approved.as_str(),
            reason: RejectedReason::None,
        };
        let waba = t.waba;
        self.emit(at, waba, event);
    }
}
