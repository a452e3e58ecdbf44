//! Media: `POST /{phone_number_id}/media` (multipart: `messaging_product`, `file`),
//! `GET /{media-id}` and `DELETE /{media-id}` (both with an optional `phone_number_id`),
//! reference messaging-and-360dialog.md, "Cloud API messages + media" (Upload, Media URL)
//! and OAS `uploadImage`, `retrieveMediaUrl`, `deleteMedia`. The download itself is
//! `execute.rs`'s (`media_url.rs`): it answers bytes, not JSON.

use super::super::prepare::Prepared;
use super::{Fail, id_body, missing, success};
use crate::api::json::Obj;
use crate::world::media::Upload;
use crate::world::{DomainError, Principal, World};

/// What a file part without its own type is taken as (curl's default; Meta then refuses it
/// with the type list, as seen for Telegram's `application/octet-stream` files).
const UNTYPED: &str = "application/octet-stream";

/// The `messaging_product` check every media call makes (OAS: `whatsapp`).
fn check_product(p: &Prepared, needed: bool) -> Result<(), DomainError> {
    let product = match p.params.non_empty("messaging_product") {
        Some(product) => product,
        None if needed => return Err(missing("messaging_product")),
        None => return Ok(()),
    };
    if product != "whatsapp" {
        return Err(DomainError::param(
            "messaging_product",
            format!("Param messaging_product must be one of {{WHATSAPP}} - got \"{product}\"."),
        ));
    }
    Ok(())
}

pub fn upload(w: &mut World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    check_product(p, true)?;
    // The file's own type decides (the `type` field clients also send is not read:
    // inferred, docs/fidelity.md).
    let file = p.params.file("file").ok_or_else(|| missing("file"))?;
    let mime = file.content_type.as_deref().unwrap_or(UNTYPED);
    let id = w.upload_media(
        who,
        Upload {
            phone: &p.route.node,
            mime,
            bytes: file.bytes.clone(),
        },
    )?;
    Ok(id_body(id))
}

/// `{url, mime_type, sha256, file_size, id, messaging_product}`, in the order of a recorded
/// answer (the Ruby SDK's `media_with_success_response` cassette), `file_size` a number as
/// there and in pywa's example (open question 7; OAS writes a string: docs/fidelity.md).
pub fn get(w: &World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let phone = p.params.non_empty("phone_number_id");
    let m = w.readable_media(who, &p.route.node, phone.as_deref())?;
    let url = p.link.url(&w.media_url(m));
    let mut buf = Vec::with_capacity(256 + url.len());
    let mut o = Obj::new(&mut buf);
    o.str("url", &url)
        .str("mime_type", &m.mime)
        .str("sha256", &m.sha256)
        .num("file_size", m.bytes.len() as i64)
        .id("id", m.id)
        .str("messaging_product", "whatsapp");
    o.end();
    Ok(buf)
}

pub fn delete(w: &mut World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let phone = p.params.non_empty("phone_number_id");
    w.delete_media(who, &p.route.node, phone.as_deref())?;
    Ok(success())
}
