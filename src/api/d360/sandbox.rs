//! 360dialog's sandbox (360dialog-partner-and-migrations.md §4.2): a test key ending in
//! `_sandbox` (SEEN SBX, SBXC), bound to the one phone number that asked for it, which is the
//! only recipient it may send to, for at most `d360.settings.sandbox_message_cap` messages.
//! The sandbox host (`waba-sandbox.360dialog.io`) is told apart from the Messaging API by the
//! key alone, so a client library only changes its base URL: the sandbox's
//! `POST /v1/messages` (and the Cloud path `POST /messages`) and `/v1/configs/webhook` take
//! it; every other endpoint answers 403 "The endpoint is blocked" (§4.2 simulator choice,
//! [INF]). Which keys exist, and their numbers, is the fixture's `d360.sandbox_keys` (the
//! START message that mints one is outside any API).
//!
//! Sending answers 201 `{"messages":[{"id":"wamid.…"}]}` for a Cloud body or an On-Premises
//! one (no `messaging_product`), as both kinds of client exist (§4.2, §5 #13 [INF]). Nothing
//! is delivered: the sandbox number is a stand-in user, and the sandbox "does not yet
//! provide response information" (§4.2), so no statuses follow.

use serde_json::{Value, json};

use super::errors::D360Error;
use super::model::{self, SandboxKey, WebhookTarget};
use super::{Op, Prepared, Reply, body_object};
use crate::world::World;
use crate::world::phone::digits_only;

/// What a sandbox key ends in (SEEN SBX: `1234567_sandbox`).
pub const SUFFIX: &str = "_sandbox";

/// Whether a request carries a sandbox key (so the sandbox answers it).
pub fn is_sandbox(p: &Prepared) -> bool {
    p.d360_key.as_deref().is_some_and(|k| k.ends_with(SUFFIX))
}

/// Answers a request made with a sandbox key.
pub fn run(w: &mut World, p: &Prepared) -> Reply {
    let key = p.d360_key.as_deref().unwrap_or_default();
    let index = model::of(w)
        .sandbox_keys
        .iter()
        .position(|k| k.key == key)
        .ok_or_else(D360Error::invalid_api_key)?;
    match p.op {
        Op::SandboxSend | Op::SendMessage => send(w, p, index),
        Op::GetNumberWebhook => {
            let hook = model::of(w).sandbox_keys[index].webhook.clone();
            Ok((200, json!({"url": hook.map(|h| h.url)})))
        }
        Op::SetNumberWebhook => {
            let body = body_object(p)?;
            let url = body
                .get("url")
                .and_then(Value::as_str)
                .ok_or_else(|| D360Error::wrong_payload("url is required"))?;
            super::messaging::check_url(url)?;
            model::of_mut(w).sandbox_keys[index].webhook = Some(WebhookTarget {
                url: url.to_string(),
                headers: None,
            });
            Ok((200, json!({"url": url})))
        }
        _ => Err(D360Error::new(403, "The endpoint is blocked")),
    }
}

/// `POST /v1/messages`: to the key's number only, within the cap.
fn send(w: &mut World, p: &Prepared, index: usize) -> Reply {
    let body = body_object(p)?;
    if let Some(product) = body.get("messaging_product")
        && product != "whatsapp"
    {
        return Err(D360Error::wrong_payload(
            "messaging_product must be whatsapp",
        ));
    }
    let to = body
        .get("to")
        .and_then(Value::as_str)
        .ok_or_else(|| D360Error::wrong_payload("to is required"))?;
    let cap = model::of(w).settings.sandbox_message_cap;
    let SandboxKey {
        phone_number, sent, ..
    } = &model::of(w).sandbox_keys[index];
    if digits_only(to).as_deref() != Some(phone_number.as_str()) {
        return Err(D360Error::new(
            400,
            format!(
                "Sandbox: messages can only be sent to the phone number this API key is bound to (+{phone_number})"
            ),
        ));
    }
    if *sent >= cap {
        return Err(D360Error::new(
            400,
            format!("Sandbox: the limit of {cap} messages for this API key is reached"),
        ));
    }
    let id = format!("wamid.{}", w.next_hex(32).to_ascii_uppercase());
    model::of_mut(w).sandbox_keys[index].sent += 1;
    Ok((201, json!({"messages": [{"id": id}]})))
}
