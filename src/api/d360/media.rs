//! The Messaging API's media (`waba-v2.360dialog.io`, header `D360-API-KEY`): `POST /media`
//! (multipart `messaging_product`, `file`), `GET /{media-id}`, `DELETE /{media-id}` and the
//! download at `/whatsapp_business/attachments/` — Graph's media calls proxied for the key's
//! channel's number, answered with Meta's bodies (messaging-and-360dialog.md, "360dialog
//! Messaging API": "Proxied paths" `POST /media` returns Meta's `{"id"}`, `GET /{media-id}`
//! Meta's media object; the download by GET with the key, INFERRED from NET). Meta's errors
//! pass through raw as for `/messages` (`send.rs`).
//!
//! 360dialog's own guard ("Media limits", D-MEDIA: ">5 failed `/media` requests/hour blocks
//! `GET /{MEDIA_ID}` for 1 h"): a channel's sixth failed media call (upload, read or delete)
//! within an hour blocks its `GET /{media-id}` for an hour, answered with 360dialog's 403 "The
//! endpoint is blocked" (D-ERR). Which calls count, that blocked calls do not, and the answer
//! are inferred (docs/fidelity.md).

use serde_json::json;

use super::messaging::scope;
use super::model::{self, Channel};
use super::send::meta;
use super::{D360Error, Prepared, Reply};
use crate::api::Answer;
use crate::api::graph::media_url;
use crate::api::params::Params;
use crate::clock::Duration;
use crate::world::media::{DownloadRefusal, Upload};
use crate::world::{DomainError, World};

/// Failed media calls a channel may make in [`BLOCK_WINDOW`] before `GET /{media-id}` is
/// blocked (D-MEDIA: "> 5 failed").
const FAILURES_ALLOWED: usize = 5;
/// The window failures are counted in, and how long the block lasts (D-MEDIA: "/hour", "1 h").
const BLOCK_WINDOW: Duration = Duration::hours(1);

/// A media call (`POST /media`, `GET` or `DELETE /{media-id}`) behind 360dialog's guard.
pub fn run(w: &mut World, p: &Prepared, ch: &Channel) -> Reply {
    let now = w.now();
    let blocked = format!("media-blocked:{}", ch.id);
    let is_blocked = model::of(w)
        .calls
        .get(&blocked)
        .is_some_and(|at| at.iter().any(|t| *t + BLOCK_WINDOW > now));
    if p.op == super::Op::GetMedia && is_blocked {
        return Err(D360Error::new(403, "The endpoint is blocked"));
    }
    let reply = match p.op {
        super::Op::UploadMedia => upload(w, p, ch),
        super::Op::GetMedia => get(w, p, ch),
        _ => delete(w, p, ch),
    };
    if reply.is_err() {
        let failed = format!("media-failed:{}", ch.id);
        if !model::admit_call(w, &failed, FAILURES_ALLOWED, BLOCK_WINDOW) {
            let calls = &mut model::of_mut(w).calls;
            calls.remove(&failed);
            calls.insert(blocked, vec![now]);
        }
    }
    reply
}

fn missing(param: &str) -> DomainError {
    DomainError::param(param, format!("The parameter {param} is required"))
}

fn upload(w: &mut World, p: &Prepared, ch: &Channel) -> Reply {
    let s = scope(w, ch)?;
    let params = Params::from_multipart_now(p.content_type.as_deref().unwrap_or(""), &p.body)
        .map_err(|e| meta(DomainError::param("file", e.to_string())))?;
    match params.non_empty("messaging_product") {
        Some(product) if product == "whatsapp" => {}
        Some(product) => {
            return Err(meta(DomainError::param(
                "messaging_product",
                format!("Param messaging_product must be one of {{WHATSAPP}} - got \"{product}\"."),
            )));
        }
        None => return Err(meta(missing("messaging_product"))),
    }
    let file = params.file("file").ok_or_else(|| meta(missing("file")))?;
    let id = w
        .upload_media(
            &s.who,
            Upload {
                phone: &s.phone,
                mime: file
                    .content_type
                    .as_deref()
                    .unwrap_or("application/octet-stream"),
                bytes: file.bytes.clone(),
            },
        )
        .map_err(meta)?;
    Ok((200, json!({"id": id.to_string()})))
}

/// Meta's media object, its URL on the host the request reached (360dialog swaps Meta's
/// host for its own, NET), naming the namespace (`media_url.rs`).
fn get(w: &World, p: &Prepared, ch: &Channel) -> Reply {
    let s = scope(w, ch)?;
    let m = w
        .readable_media(&s.who, &p.args[0], Some(&s.phone))
        .map_err(meta)?;
    let url = p.link.url(&w.media_url(m));
    Ok((
        200,
        json!({
            "url": url,
            "mime_type": m.mime,
            "sha256": m.sha256,
            "file_size": m.bytes.len(),
            "id": m.id.to_string(),
            "messaging_product": "whatsapp",
        }),
    ))
}

fn delete(w: &mut World, p: &Prepared, ch: &Channel) -> Reply {
    let s = scope(w, ch)?;
    w.delete_media(&s.who, &p.args[0], Some(&s.phone))
        .map_err(meta)?;
    Ok((200, json!({"success": true})))
}

/// The bytes for the key's channel; a key that names no channel is answered as 360dialog's
/// invalid key, the rest as Graph's download refusals (`media_url.rs`).
pub fn download(w: &World, p: &Prepared) -> Result<Answer, Reply> {
    let name = p.op.name();
    let ch = super::messaging::authenticate(w, p).map_err(Err)?;
    let s = scope(w, &ch).map_err(Err)?;
    let Some(url) = media_url::parse(&Params::from_query(&p.query)) else {
        return Ok(media_url::refused("d360", name, &DownloadRefusal::Expired));
    };
    Ok(match w.download_media(Ok(s.who), &url) {
        Ok(m) => media_url::file("d360", name, m),
        Err(r) => media_url::refused("d360", name, &r),
    })
}
