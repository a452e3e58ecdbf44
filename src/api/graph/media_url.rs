//! The media download URL as wabasim serves it, shared by Graph and 360dialog's Messaging
//! API: `http://{host}/whatsapp_business/attachments/?mid=…&ext=…&hash=…`, the path and query
//! of Meta's `https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=…&ext=…&hash=…`
//! (reference messaging-and-360dialog.md, "Media URL": URL shape from the pywa docstring; a
//! recorded answer in the Ruby SDK's cassettes shows `mid` = the media id, `ext` = unix
//! seconds, `hash` = `AT…`) on wabasim's own host, so a client that downloads whatever URL it
//! was given reaches the simulator (docs/messages.md, "Media"). 360dialog swaps Meta's host
//! for its own and keeps the path (same reference, "Proxied paths": NET).
//!
//! A download's refusals are inferred (docs/fidelity.md): a token error as Graph answers it;
//! an expired or altered URL 403 `URL signature expired` (the text Meta's CDN answers for a
//! signed URL past its expiry); a media object that is gone, or not the caller's, 404.

use bytes::Bytes;
use http::{HeaderValue, StatusCode};

use crate::api::Answer;
use crate::api::params::Params;
use crate::world::media::{DownloadRefusal, Media, MediaUrl};

/// The path the URL names (and the routes that serve it).
pub const PATH: &str = "/whatsapp_business/attachments/";

/// The full URL for a request that arrived with `host` (its `Host` header).
pub fn url(host: &str, u: &MediaUrl) -> String {
    format!(
        "http://{host}{PATH}?mid={}&ext={}&hash={}",
        u.mid, u.ext, u.hash
    )
}

/// `mid`, `ext` and `hash` read back from a download's query; `None` when one is missing
/// or malformed (answered as an altered URL).
pub fn parse(params: &Params) -> Option<MediaUrl> {
    Some(MediaUrl {
        mid: crate::world::parse_id(&params.text("mid")?)?,
        ext: params.text("ext")?.parse().ok()?,
        hash: params.text("hash")?.into_owned(),
    })
}

/// The bytes, with the upload's type.
pub fn file(facade: &'static str, operation: &'static str, m: &Media) -> Answer {
    let mut a = Answer::json(StatusCode::OK, m.bytes.clone());
    if let Ok(v) = HeaderValue::from_str(&m.mime) {
        a.headers.insert(http::header::CONTENT_TYPE, v);
    }
    a.facade = facade;
    a.operation = operation;
    a
}

/// The answer to an expired, altered or unknown URL (a token refusal is the facade's own).
pub fn refused(facade: &'static str, operation: &'static str, r: &DownloadRefusal) -> Answer {
    let (status, text, code) = match r {
        DownloadRefusal::NotFound => (StatusCode::NOT_FOUND, "Not Found", "404"),
        _ => (StatusCode::FORBIDDEN, "URL signature expired", "403"),
    };
    let mut a = Answer::json(status, Bytes::from_static(text.as_bytes()));
    a.headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain"),
    );
    a.facade = facade;
    a.operation = operation;
    a.error = Some(code.to_string());
    a
}
