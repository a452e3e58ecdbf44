//! Media a business number uploads (`POST /{phone}/media`): the types and sizes Meta takes,
//! the bytes kept per namespace within a bound, who may read, send or delete an id, and the
//! short-lived download URL. Wire facts: reference messaging-and-360dialog.md, "Cloud API
//! messages + media" (upload, media URL, media types, across migration) and meta-graph.md
//! §2.2 ("uploaded media IDs and message IDs remain usable"); each rule cites its row.
//!
//! An upload belongs to the phone-number record that made it. A completed migration whose
//! source was on the Cloud API hands the record's media to the destination record (seed 002);
//! one whose source was On-Premises does not, so the ids are refused there (issue 18: "refused
//! after one involving On-Premises"; inferred reach, docs/fidelity.md).

use std::collections::VecDeque;

use bytes::Bytes;
use sha2::{Digest, Sha256};

use super::{DomainError, HashMap, Id, Principal, World, parse_id};
use crate::clock::{Duration, Timestamp};

/// `--media-bytes` by default: the bytes of uploaded media one namespace keeps (64 MiB);
/// past it the oldest uploads are forgotten.
pub const DEFAULT_MEDIA_BYTES: usize = 64 * 1024 * 1024;

/// How long a media URL may be used after `GET /{media-id}` issued it ("The URL is only
/// valid for 5 minutes", OAS `Retrieve Media URL`).
pub const URL_VALIDITY: Duration = Duration::minutes(5);

const MIB: usize = 1024 * 1024;

/// The MIME types an upload may have, in the order Meta's refusal lists them (seen: the
/// `(#100) Param file must be a file with one of the following types` error quoted in
/// fbsamples/whatsapp-api-examples#10), with the kind each is sent as and its size limit
/// (reference "Media types": image 5 MB, video and audio 16 MB, document 100 MB, sticker
/// 500 KB animated; MB read as MiB, as the seen 131053 details "must be atmost 16777216
/// bytes" for a video show).
const TYPES: [(&str, MediaKind); 19] = [
    ("audio/aac", MediaKind::Audio),
    ("audio/mp4", MediaKind::Audio),
    ("audio/mpeg", MediaKind::Audio),
    ("audio/amr", MediaKind::Audio),
    ("audio/ogg", MediaKind::Audio),
    ("audio/opus", MediaKind::Audio),
    ("application/vnd.ms-powerpoint", MediaKind::Document),
    ("application/msword", MediaKind::Document),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        MediaKind::Document,
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        MediaKind::Document,
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        MediaKind::Document,
    ),
    ("application/pdf", MediaKind::Document),
    ("text/plain", MediaKind::Document),
    ("application/vnd.ms-excel", MediaKind::Document),
    ("image/jpeg", MediaKind::Image),
    ("image/png", MediaKind::Image),
    ("image/webp", MediaKind::Sticker),
    ("video/mp4", MediaKind::Video),
    ("video/3gpp", MediaKind::Video),
];

/// What an upload is, by its MIME type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MediaKind {
    Image,
    Video,
    Audio,
    Document,
    /// `image/webp`: only stickers take it. Whether a webp is animated is not looked at, so
    /// the larger (animated) limit applies (inferred, docs/fidelity.md).
    Sticker,
}

impl MediaKind {
    /// As the 131053 details name it (`Video file has size ...`).
    pub fn title(self) -> &'static str {
        match self {
            MediaKind::Image => "Image",
            MediaKind::Video => "Video",
            MediaKind::Audio => "Audio",
            MediaKind::Document => "Document",
            MediaKind::Sticker => "Sticker",
        }
    }

    /// The largest file of this kind (see [`TYPES`]).
    pub fn limit(self) -> usize {
        match self {
            MediaKind::Image => 5 * MIB,
            MediaKind::Video | MediaKind::Audio => 16 * MIB,
            MediaKind::Document => 100 * MIB,
            MediaKind::Sticker => 500 * 1024,
        }
    }
}

/// Every MIME type an upload may have, as Meta's refusal lists them.
pub fn accepted_types() -> impl Iterator<Item = &'static str> {
    TYPES.iter().map(|(t, _)| *t)
}

/// The kind of a MIME type (its parameters and case ignored), if uploads take it.
pub fn kind_of(mime: &str) -> Option<MediaKind> {
    let essence = mime.split(';').next().unwrap_or("").trim();
    TYPES
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(essence))
        .map(|(_, k)| *k)
}

/// One upload.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Media {
    pub id: Id,
    /// The record that uploaded it.
    pub phone: Id,
    pub mime: String,
    /// Lower-case hex SHA-256 of the bytes (as the Ruby SDK's recorded answer shows).
    pub sha256: String,
    #[serde(with = "bytes_b64")]
    pub bytes: Bytes,
    pub uploaded_at: Timestamp,
}

/// A download URL's query, issued by `GET /{media-id}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaUrl {
    pub mid: Id,
    /// When it stops working (unix seconds), Meta's `ext`.
    pub ext: i64,
    pub hash: String,
}

/// Why a download URL is not answered with the bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DownloadRefusal {
    /// No token, or one that does not authenticate: the token error.
    Token(DomainError),
    /// Past `ext`, or a `hash` this world did not issue for that `mid` and `ext`.
    Expired,
    /// The media is gone (deleted, forgotten) or the caller may not read it.
    NotFound,
}

/// The namespace's uploads, oldest first, within `cap` bytes.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct MediaStore {
    items: HashMap<Id, Media>,
    order: VecDeque<Id>,
    held: usize,
    /// Keys the URLs' `hash` (drawn from the world's seeded generator at the first upload).
    secret: u64,
    /// `--media-bytes`: the server's bound, handed to every world it installs.
    #[serde(skip)]
    cap: Option<usize>,
}

impl MediaStore {
    pub fn get(&self, id: Id) -> Option<&Media> {
        self.items.get(&id)
    }

    pub fn contains(&self, id: Id) -> bool {
        self.items.contains_key(&id)
    }

    /// Bytes held now.
    pub fn held(&self) -> usize {
        self.held
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn cap(&self) -> usize {
        self.cap.unwrap_or(DEFAULT_MEDIA_BYTES)
    }

    pub fn set_cap(&mut self, cap: usize) {
        self.cap = Some(cap);
        self.make_room(0);
    }

    /// Forgets the oldest uploads until `incoming` more bytes fit.
    fn make_room(&mut self, incoming: usize) {
        while self.held + incoming > self.cap() {
            let Some(old) = self.order.pop_front() else {
                return;
            };
            if let Some(m) = self.items.remove(&old) {
                self.held -= m.bytes.len();
            }
        }
    }

    fn remove(&mut self, id: Id) -> bool {
        match self.items.remove(&id) {
            Some(m) => {
                self.held -= m.bytes.len();
                self.order.retain(|o| *o != id);
                true
            }
            None => false,
        }
    }

    fn hash(&self, mid: Id, ext: i64) -> String {
        let mut h = Sha256::new();
        h.update(self.secret.to_le_bytes());
        h.update(mid.to_le_bytes());
        h.update(ext.to_le_bytes());
        // Meta's look like `ATta-PkMy...`; ours are hex after the same two letters.
        format!("AT{}", &crate::digest::hex_lower(&h.finalize())[..40])
    }
}

/// An upload as a facade read it.
pub struct Upload<'a> {
    pub phone: &'a str,
    /// The file part's `Content-Type`.
    pub mime: &'a str,
    pub bytes: Bytes,
}

impl World {
    /// Keeps an upload for the number `u.phone` names: its type and size checked (reference
    /// "Media types"), then its id (`{"id"}`, OAS `Upload Image`).
    pub fn upload_media(&mut self, who: &Principal, u: Upload<'_>) -> Result<Id, DomainError> {
        let phone = self.managed_phone(who, u.phone)?.id;
        let kind = kind_of(u.mime).ok_or_else(|| DomainError::MediaTypeUnsupported {
            mime: u.mime.to_string(),
        })?;
        let size = u.bytes.len();
        // A file larger than the whole store could never be kept.
        let limit = kind.limit().min(self.media.cap());
        if size == 0 || size > limit {
            return Err(DomainError::MediaTooLarge {
                kind: kind.title(),
                size,
                limit,
            });
        }
        if self.media.secret == 0 {
            self.media.secret = self.next_id();
        }
        let id = self.next_id();
        let sha256 = crate::digest::hex_lower(&Sha256::digest(&u.bytes));
        let essence = u.mime.split(';').next().unwrap_or("").trim();
        self.media.make_room(size);
        self.media.held += size;
        self.media.order.push_back(id);
        self.media.items.insert(
            id,
            Media {
                id,
                phone,
                mime: essence.to_ascii_lowercase(),
                sha256,
                bytes: u.bytes,
                uploaded_at: self.now(),
            },
        );
        Ok(id)
    }

    /// The record that holds an upload now: the uploader, or the destination of each
    /// completed migration of it since, as long as the source was on the Cloud API (seed
    /// 002). `None` once a migration from On-Premises came between (issue 18; inferred).
    pub fn media_holder(&self, m: &Media) -> Option<Id> {
        self.holder_after_migrations(m.phone, m.uploaded_at)
    }

    /// The upload `id` names, if the caller manages the number that holds it (and, with
    /// `phone`, that number is the one named: OAS `phone_number_id`, "checks to make sure the
    /// media belongs to the phone number"). Anything else is an unknown object, as Graph
    /// answers for a node the caller cannot see.
    pub fn readable_media(
        &self,
        who: &Principal,
        id: &str,
        phone: Option<&str>,
    ) -> Result<&Media, DomainError> {
        let unknown = || DomainError::unknown(id);
        let m = parse_id(id)
            .and_then(|n| self.media.get(n))
            .ok_or_else(unknown)?;
        let holder = self.media_holder(m).ok_or_else(unknown)?;
        let record = self.managed_phone(who, &holder.to_string());
        if record.is_err() {
            return Err(unknown());
        }
        if let Some(p) = phone
            && parse_id(p) != Some(holder)
        {
            return Err(unknown());
        }
        Ok(m)
    }

    /// A download URL for an upload, valid [`URL_VALIDITY`] from now on the world clock.
    pub fn media_url(&self, m: &Media) -> MediaUrl {
        let ext = (self.now() + URL_VALIDITY).0 / 1000;
        MediaUrl {
            mid: m.id,
            ext,
            hash: self.media.hash(m.id, ext),
        }
    }

    /// Deletes an upload (`DELETE /{media-id}`, OAS `Delete Media`).
    pub fn delete_media(
        &mut self,
        who: &Principal,
        id: &str,
        phone: Option<&str>,
    ) -> Result<(), DomainError> {
        let id = self.readable_media(who, id, phone)?.id;
        self.media.remove(id);
        Ok(())
    }

    /// The bytes a download URL stands for, for the token's holder.
    pub fn download_media(
        &self,
        who: Result<Principal, DomainError>,
        url: &MediaUrl,
    ) -> Result<&Media, DownloadRefusal> {
        let who = who.map_err(DownloadRefusal::Token)?;
        let now_s = self.now().0 / 1000;
        if url.hash != self.media.hash(url.mid, url.ext) || now_s > url.ext {
            return Err(DownloadRefusal::Expired);
        }
        self.readable_media(&who, &url.mid.to_string(), None)
            .map_err(|_| DownloadRefusal::NotFound)
    }

    /// Checks a send's media `id` (`param` is the message type, `image`...): an upload the
    /// sending record holds. Anything else is Meta's `(#100) Param image['id'] is not a valid
    /// whatsapp business account media attachment ID` (seen in client code, e.g. n8n's
    /// WhatsApp node and error tables of BSP tools).
    pub fn check_media_for_send(
        &self,
        sender: &str,
        param: &str,
        id: &str,
    ) -> Result<(), DomainError> {
        let invalid = || DomainError::MediaIdInvalid {
            param: param.to_string(),
        };
        let m = parse_id(id)
            .and_then(|n| self.media.get(n))
            .ok_or_else(invalid)?;
        match self.media_holder(m) {
            Some(holder) if parse_id(sender) == Some(holder) => Ok(()),
            _ => Err(invalid()),
        }
    }
}

/// Saved bytes as base64 text (`serve --state`), not as a JSON array of numbers.
mod bytes_b64 {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use bytes::Bytes;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &Bytes, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(b))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD
            .decode(text)
            .map(Bytes::from)
            .map_err(serde::de::Error::custom)
    }
}
