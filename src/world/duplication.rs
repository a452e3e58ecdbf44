//! Template duplication when a number migrates, and later by `migrate_message_templates`
//! (reference meta-graph.md §5, seed 002 "Message templates").
//!
//! - Only APPROVED + GREEN templates are copied on migration (manual migration also takes
//!   UNKNOWN); pending, rejected, YELLOW and RED ones are not.
//! - Copies are auto-approved, start with quality UNKNOWN, and are re-rated 24 hours later.
//! - Copies stop at the destination's template limit; the rest can be copied later.
//! - The categorisation re-check can reject a copy (`INCORRECT_CATEGORY`).
//! - Templates already on the destination (same name and language) are left untouched.

use super::event::EventKind;
use super::template::{CopyPath, Eligibility, Template};
use super::vocab::{Quality, RejectedReason, TemplateStatus};
use super::{DomainError, Id, Principal, Timer, World};
use crate::clock::Timestamp;

/// What one copy pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CopyReport {
    /// (source template, its copy on the destination).
    pub copied: Vec<(Id, Id)>,
    /// Source templates not copied, and why.
    pub failed: Vec<(Id, CopyFailure)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyFailure {
    /// Not APPROVED.
    NotApproved,
    /// Not of a quality this path copies.
    LowQuality,
    /// The destination already has a template with this name and language.
    AlreadyExists,
    /// The destination's template limit was reached.
    LimitReached,
    /// Copied, but the categorisation re-check rejected the copy.
    IncorrectCategory,
}

impl CopyFailure {
    /// Human reason, as `failed_templates[].reason` carries it ([INF] wording).
    pub fn reason(self) -> &'static str {
        match self {
            CopyFailure::NotApproved => "Template is not approved",
            CopyFailure::LowQuality => "Template quality is not high enough to migrate",
            CopyFailure::AlreadyExists => "Template already exists in the destination account",
            CopyFailure::LimitReached => "Message template limit reached",
            CopyFailure::IncorrectCategory => "Incorrect category",
        }
    }
}

impl World {
    /// Duplicates the source WABA's eligible templates into the destination after a
    /// migrated number registered.
    pub fn copy_on_migration(&mut self, source: Id, dest: Id, now: Timestamp) -> CopyReport {
        let ids = self
            .wabas
            .get(&source)
            .map(|w| w.templates.clone())
            .unwrap_or_default();
        self.copy_templates(&ids, dest, CopyPath::OnMigration, now)
    }

    /// `POST /{dest}/migrate_message_templates`: copies a page of the source's templates
    /// (`page_number` counts sets of 500; `count` ≤ 500), or the listed `template_ids`.
    pub fn migrate_templates(
        &mut self,
        who: &Principal,
        dest: &str,
        source: &str,
        page_number: Option<usize>,
        count: Option<usize>,
        template_ids: Option<Vec<String>>,
    ) -> Result<CopyReport, DomainError> {
        let dest_waba = self.waba_to_change(who, dest)?;
        let (dest_id, dest_business) = (dest_waba.id, dest_waba.business);
        if source.trim().is_empty() {
            return Err(DomainError::param(
                "source_waba_id",
                "The parameter source_waba_id is required",
            ));
        }
        // The source belongs to another partner, so it is looked up without the ownership
        // rule; template migration is same-business only (reference meta-graph.md §3.8).
        let source_waba = super::parse_id(source.trim())
            .and_then(|id| self.wabas.get(&id))
            .ok_or_else(|| DomainError::unknown(source.trim()))?;
        if source_waba.business != dest_business {
            return Err(DomainError::DifferentBusiness);
        }
        let count = count.unwrap_or(500);
        if count == 0 || count > 500 {
            return Err(DomainError::param(
                "count",
                "Param count must be between 1 and 500",
            ));
        }
        let ids: Vec<Id> = match template_ids {
            Some(list) => {
                let mut ids = Vec::with_capacity(list.len());
                for raw in list {
                    let id = super::parse_id(raw.trim())
                        .filter(|id| source_waba.templates.contains(id))
                        .ok_or_else(|| {
                            DomainError::param(
                                "template_ids",
                                format!("Template {raw} does not belong to the source account"),
                            )
                        })?;
                    ids.push(id);
                }
                ids
            }
            None => {
                let start = page_number.unwrap_or(0).saturating_mul(500);
                source_waba
                    .templates
                    .iter()
                    .skip(start)
                    .take(count)
                    .copied()
                    .collect()
            }
        };
        let now = self.now();
        Ok(self.copy_templates(&ids, dest_id, CopyPath::Manual, now))
    }

    fn copy_templates(
        &mut self,
        ids: &[Id],
        dest: Id,
        path: CopyPath,
        now: Timestamp,
    ) -> CopyReport {
        let mut report = CopyReport::default();
        let Some(dest_waba) = self.wabas.get(&dest) else {
            return report;
        };
        let limit = self.template_limit(dest_waba);
        let mut count = self.template_count(dest_waba);
        for &id in ids {
            let Some(src) = self.templates.get(&id) else {
                continue;
            };
            match src.eligibility(path) {
                Eligibility::Eligible => {}
                Eligibility::NotApproved => {
                    report.failed.push((id, CopyFailure::NotApproved));
                    continue;
                }
                Eligibility::LowQuality => {
                    report.failed.push((id, CopyFailure::LowQuality));
                    continue;
                }
            }
            if self.template_on(dest, &src.name, &src.language).is_some() {
                report.failed.push((id, CopyFailure::AlreadyExists));
                continue;
            }
            if count >= limit {
                report.failed.push((id, CopyFailure::LimitReached));
                continue;
            }
            let copy_id = self.next_id();
            let src = &self.templates[&id];
            let rejected = src.recategorize.filter(|c| *c != src.category);
            let copy = Template {
                id: copy_id,
                waba: dest,
                status: if rejected.is_some() {
                    TemplateStatus::Rejected
                } else {
                    TemplateStatus::Approved
                },
                quality: Quality::Unknown,
                quality_at: now,
                rejected_reason: if rejected.is_some() {
                    RejectedReason::IncorrectCategory
                } else {
                    RejectedReason::None
                },
                recategorize: None,
                copied_from: Some(id),
                created_at: now,
                status_at: now,
                ..src.clone()
            };
            let event = copy.status_event();
            self.insert_template(copy);
            self.emit(now, dest, event);
            count += 1;
            if rejected.is_some() {
                report.failed.push((id, CopyFailure::IncorrectCategory));
            } else {
                self.add_timer(
                    now + self.settings.rerate_after,
                    Timer::RerateTemplate(copy_id),
                );
                report.copied.push((id, copy_id));
            }
        }
        report
    }

    /// The live template with this name and language on a WABA.
    pub fn template_on(&self, waba: Id, name: &str, language: &str) -> Option<&Template> {
        self.wabas.get(&waba)?.templates.iter().find_map(|id| {
            self.templates
                .get(id)
                .filter(|t| t.name == name && *t.language == *language && t.counts_against_limit())
        })
    }

    /// The re-rating 24 hours after a copy was made (seed 002: "a new rating will be
    /// generated"). The fixture's `rerate_to` on the source template decides; otherwise
    /// `settings.rerate_default`.
    pub(crate) fn rerate_copy(&mut self, id: Id, at: Timestamp) {
        let default = self.settings.rerate_default;
        let Some(t) = self.templates.get_mut(&id) else {
            return;
        };
        if t.quality != Quality::Unknown || t.status != TemplateStatus::Approved {
            return;
        }
        let new = t.rerate_to.unwrap_or(default);
        if new == Quality::Unknown {
            return;
        }
        t.quality = new;
        t.quality_at = at;
        let event = EventKind::TemplateQuality {
            template: t.event_ref(),
            previous: Quality::Unknown,
            new,
        };
        let waba = t.waba;
        self.emit(at, waba, event);
    }
}
