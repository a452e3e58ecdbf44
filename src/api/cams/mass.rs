//! SendChatappMassMessage: one approved template from a number of the space to each recipient
//! of `SenderList`, each recipient one world send through `send.rs` (the same rules, ledger
//! and receipts as SendChatappMessage), answered with one `GroupMessageId`.
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
//!   before anything is sent;
//! - what befalls one recipient is that recipient's `Failed` receipt after `Code: OK`: the
//!   world's failures after a 200 (131026, 131047, 131050, 131048) through the world's own
//!   statuses, and Meta's refusals of one send (131056 pair rate, 130429 throughput, 132000
//!   that recipient's parameters) as a receipt no world event carries, unbilled
//!   (`callbacks::refusal`).

use serde_json::{Map, Value};

use super::Prepared;
use super::callbacks;
use super::errors::meta_refusal;
use super::model;
use super::operations::{Failure, Handled, ok, required};
use super::send::{self, TemplateSend, message_id, refuse};
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
    let task = send::task_id(p);
    for (i, r) in recipients.iter().enumerate() {
        let sent = template.sent(task.clone());
        let Err(e) = send::send_one(w, who, phone, &r.to, template.content(&r.params), sent) else {
            continue;
        };
        if i == 0 && !befalls_one_recipient(&e) {
            return Err(e.into());
        }
        // No wamid: the id is the batch's and the recipient's place in it (inferred).
        let id = message_id(&format!("{group}:{i}"));
        let (code, title, details) = meta_refusal(&e);
        let receipt = callbacks::refusal(
            w,
            phone,
            &r.to,
            &template.sent(task.clone()),
            &id,
            (code, &title, &details),
        );
        model::of_mut(w).refused.extend(receipt);
    }
    Ok(ok(p, |o| {
        o.str("GroupMessageId", &group);
    }))
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
