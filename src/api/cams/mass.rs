//! SendChatappMassMessage: one approved template from a number of the space to each recipient
//! of `SenderList`, answered with one `GroupMessageId`. Each recipient is one world send, paced
//! by the world (`world::pacing`), with what `send::send_one` gives a template send (the same
//! rules, ledger and receipts as SendChatappMessage: `send::remember` keeps what its
//! receipts say).
//!
//! Parameters (SDK 5.3.1 `SendChatappMassMessageRequest`; the API page
//! "SendChatappMassMessage"): `ChannelType`, `From`, `Language` and `SenderList` required,
//! `TemplateCode` or `TemplateName`, `TaskId`, `CustSpaceId`. `SenderList` is JSON text (the
//! SDK shrinks the list with style `json`) of objects with `To` and `TemplateParams` (an
//! object: variable name -> value); their `Payload`, `ProductAction`, `FlowAction` and
//! `RecipientType`, and the request's fallback and Viber parameters, are read by nothing
//! simulated. The answer is `GroupMessageId` (the API page's sample `890000010002****`: 16
//! digits) in the common envelope. The page allows at most 1,000 numbers per request.
//!
//! What the answer says when some recipients fail is decided here, once (docs/fidelity.md,
//! "Alibaba ChatApp choices"): the page answers a batch id and no per-recipient result, and
//! sends each message's outcome as a receipt ("Status changes": monitor through MNS or the
//! HTTP callback), so
//! - what is wrong with the request as a whole is refused synchronously, as SendChatappMessage
//!   refuses it: the parameters, the space and number, and the world's refusal of the sender
//!   or the template (131045, 133010, 132001, 132015, 132016), met on the first recipient
//!   before anything is sent (`World::check_paced`);
//! - what befalls one recipient is that recipient's `Failed` receipt after `Code: OK`: the
//!   world's failures after a 200 (131026, 131047, 131050, 131048) through the world's own
//!   statuses, and Meta's refusals of one send (131056 pair rate, 132000 that recipient's
//!   parameters, and whatever its turn finds changed: a paused template, a number
//!   deregistered or migrated away) as a receipt no world event carries, unbilled
//!   (`callbacks::refusal`).
//!
//! ChatApp dispatches the batch itself, so the recipients are paced, not refused past the
//! number's throughput (130429): the world sends at once those the number has room for this
//! second and the rest as the world clock reaches their turn, at most
//! `throughput_per_second` a second, in `SenderList` order, behind any batch already waiting
//! on the number (`world::pacing`). A batch that would make more recipients wait than
//! `settings.paced_sends_max` over the namespace is refused whole with `System.LimitControl`
//! (`errors.rs`). Each outcome, at once or later, comes back through [`follow`].

use serde_json::{Map, Value};

use super::Prepared;
use super::callbacks;
use super::errors::meta_refusal;
use super::model::{self, CamsBinding, MassBatch};
use super::operations::{Failure, Handled, ok, required};
use super::send::{self, TemplateSend, WITH_CONVERSATION, message_id, refuse};
use crate::webhooks::payload::Outgoing;
use crate::world::pacing::{PacedOutcome, PacedSend};
use crate::world::phone::digits_only;
use crate::world::{DomainError, Principal, World};

/// "A single request can include up to 1,000 phone numbers" (the API page, "QPS limits").
pub const SENDER_LIST_MAX: usize = 1000;

/// One entry of `SenderList`.
struct Recipient {
    to: String,
    params: Map<String, Value>,
}

pub fn send_mass_message(w: &mut World, who: &Principal, p: &Prepared) -> Handled {
    let (waba, phone, recipients) = send::sending_number(w, who, p, sender_list)?;
    let template = TemplateSend::named(w, p, waba)?;
    let group = format!("8{}", w.next_id());
    let sends: Vec<PacedSend> = recipients
        .iter()
        .enumerate()
        .map(|(i, r)| PacedSend {
            who: *who,
            to: r.to.clone(),
            template: template.paced(&r.params),
            with_conversation: WITH_CONVERSATION,
            tag: recipient_tag(&group, i),
        })
        .collect();
    // `sender_list` gives at least one recipient.
    if let Some(first) = sends.first()
        && let Err(e) = w.check_paced(who, phone, &first.template)
        && !befalls_one_recipient(&e)
    {
        return Err(e.into());
    }
    let batch = MassBatch {
        sent: template.sent(send::task_id(p)),
        waiting: sends.len(),
    };
    w.pace(phone, sends)?;
    model::of_mut(w).batches.insert(group.clone(), batch);
    Ok(ok(p, |o| {
        o.str("GroupMessageId", &group);
    }))
}

/// A recipient's name in its batch, which the world gives back with its outcome; refused, it
/// is also the recipient's only id (no wamid: inferred).
fn recipient_tag(group: &str, i: usize) -> String {
    format!("{group}:{i}")
}

/// What became of recipients of mass sends, at once or at their turn: one sent is remembered
/// for its receipts as SendChatappMessage's messages are; one refused is its `Failed`
/// receipt. A batch is forgotten once every recipient's outcome is in.
pub fn follow(w: &mut World, outcomes: &[PacedOutcome]) -> Vec<Outgoing> {
    if outcomes.is_empty() || w.binding::<CamsBinding>().is_none() {
        return Vec::new();
    }
    let mut receipts = Vec::new();
    for o in outcomes {
        let Some((group, _)) = o.tag.split_once(':') else {
            continue;
        };
        let batches = &mut model::of_mut(w).batches;
        let Some(batch) = batches.get_mut(group) else {
            continue;
        };
        batch.waiting = batch.waiting.saturating_sub(1);
        let sent = batch.sent.clone();
        if batch.waiting == 0 {
            batches.remove(group);
        }
        match &o.sent {
            Ok(wamid) => send::remember(w, wamid.clone(), sent),
            Err(e) => {
                let id = message_id(&o.tag);
                let (code, title, details) = meta_refusal(e);
                let receipt = callbacks::refusal(
                    w,
                    (o.phone, &o.to, o.at),
                    &sent,
                    &id,
                    (code, &title, &details),
                );
                receipts.extend(receipt);
            }
        }
    }
    receipts
}

/// Meta's refusals that depend on the one send (its recipient, its parameters, its moment)
/// rather than on the request: ChatApp has already accepted the batch when Meta answers them.
fn befalls_one_recipient(e: &DomainError) -> bool {
    matches!(
        e,
        DomainError::PairRateLimited
            | DomainError::ThroughputReached
            | DomainError::TemplateParamCountMismatch { .. }
    )
}

/// `SenderList`: a JSON array of 1 to [`SENDER_LIST_MAX`] objects, each with a `To` of digits
/// and an optional `TemplateParams` object. Anything else refuses the whole request.
fn sender_list(p: &Prepared) -> Result<Vec<Recipient>, Failure> {
    let text = required(p, "SenderList")?;
    let malformed = || {
        refuse(
            "InvalidParameter",
            "SenderList must be a JSON array of objects with To and TemplateParams.",
        )
    };
    let Ok(Value::Array(entries)) = serde_json::from_str::<Value>(text) else {
        return Err(malformed().into());
    };
    if entries.is_empty() || entries.len() > SENDER_LIST_MAX {
        return Err(refuse(
            "InvalidParameter",
            format!(
                "SenderList must name 1 to {SENDER_LIST_MAX} recipients; it names {}.",
                entries.len()
            ),
        )
        .into());
    }
    entries
        .into_iter()
        .map(|entry| {
            let Value::Object(mut entry) = entry else {
                return Err(malformed().into());
            };
            let to = entry
                .get("To")
                .and_then(Value::as_str)
                .and_then(digits_only)
                .ok_or_else(|| {
                    refuse(
                        "InvalidParameter.PhoneNumberError",
                        "Each SenderList entry's To must be the recipient's number with its country code.",
                    )
                })?;
            let params = match entry.remove("TemplateParams") {
                None | Some(Value::Null) => Map::new(),
                Some(Value::Object(m)) => m,
                Some(_) => return Err(malformed().into()),
            };
            Ok(Recipient { to, params })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_refusals_of_one_send_become_receipts() {
        assert!(befalls_one_recipient(&DomainError::PairRateLimited));
        assert!(befalls_one_recipient(&DomainError::ThroughputReached));
        assert!(befalls_one_recipient(
            &DomainError::TemplateParamCountMismatch {
                expected: 1,
                given: 0
            }
        ));
        assert!(!befalls_one_recipient(&DomainError::TemplatePaused));
        assert!(!befalls_one_recipient(&DomainError::NotRegistered));
    }
}
