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
//!
//! A user's file (`inbound_media.rs`) is kept the same way, held by the number it was sent
//! to, so the business reads and downloads it as an upload. Neither lasts: an upload is gone 30 days after it was last used (reference "360dialog
//! Messaging API", "Media limits", D-MEDIA: "uploads kept 30 days after last use"), a user's
//! file 7 days after it arrived (inferred, docs/fidelity.md).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, Ordering};

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

/// How long an upload outlives its last use, a send or a fetch naming it (reference
/// "Media limits", D-MEDIA: "uploads kept 30 days after last use").
pub const UPLOAD_KEPT: Duration = Duration::days(30);

/// How long a user's file can be read after it arrived, used or not: the 7 days third-party
/// docs give for webhook media ids (docs.smsportal.com/docs/media: "mediaId's returned by
/// webhooks expire after 7 days") and Alibaba for its inbound file URLs (ChatAppInbound: "URL
/// 有效期为7天"). Meta does not publish it (inferred, docs/fidelity.md).
pub const RECEIVED_KEPT: Duration = Duration::days(7);

/// How often, on the world clock, the store drops what has expired (at the next upload or
/// received file); an expired id is refused as soon as it expires either way.
const SWEEP_EVERY: Duration = Duration::hours(1);

pub(super) const MIB: usize = 1024 * 1024;

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
    /// The message type that carries it (`"type": "image"`, OAS `ImageMessage_1`...).
    pub fn message_type(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
            MediaKind::Document => "document",
            MediaKind::Sticker => "sticker",
        }
    }

    /// The kind a message type names.
    pub fn of_message_type(t: &str) -> Option<MediaKind> {
        [
            MediaKind::Image,
            MediaKind::Video,
            MediaKind::Audio,
            MediaKind::Document,
            MediaKind::Sticker,
        ]
        .into_iter()
        .find(|k| k.message_type() == t)
    }

    /// The type a user's file has when the control API names none: the commonest of each
    /// kind (PYWA's samples: `image/jpeg`, `video/mp4`, `audio/ogg; codecs=opus`,
    /// `application/pdf`, `image/webp`).
    pub fn default_mime(self) -> &'static str {
        match self {
            MediaKind::Image => "image/jpeg",
            MediaKind::Video => "video/mp4",
            MediaKind::Audio => "audio/ogg; codecs=opus",
            MediaKind::Document => "application/pdf",
            MediaKind::Sticker => "image/webp",
        }
    }

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
    /// When it was uploaded or received.
    pub uploaded_at: Timestamp,
    #[serde(default)]
    pub origin: Origin,
    #[serde(default)]
    pub(super) last_used: LastUse,
}

/// Where a media object came from, which decides how long it lasts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Origin {
    /// `POST /{phone}/media`: kept [`UPLOAD_KEPT`] after its last use.
    #[default]
    Uploaded,
    /// A user's message: kept [`RECEIVED_KEPT`] after it arrived.
    Received,
}

impl Media {
    /// When it is gone.
    pub fn expires_at(&self) -> Timestamp {
        match self.origin {
            Origin::Uploaded => self.uploaded_at.max(self.last_used.get()) + UPLOAD_KEPT,
            Origin::Received => self.uploaded_at + RECEIVED_KEPT,
        }
    }

    fn live(&self, now: Timestamp) -> bool {
        now < self.expires_at()
    }

    /// A send or a fetch names it now.
    fn used(&self, now: Timestamp) {
        self.last_used.0.fetch_max(now.0, Ordering::Relaxed);
    }
}

/// When a send or a fetch last named a media object (ms; 0: not since it was kept). Fetches
/// run side by side under the world's read lock, so this is the one field they write: an
/// atomic, saved as a number.
#[derive(Debug, Default)]
pub(super) struct LastUse(AtomicI64);

impl LastUse {
    fn get(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::Relaxed))
    }
}

impl Clone for LastUse {
    fn clone(&self) -> Self {
        LastUse(AtomicI64::new(self.get().0))
    }
}

impl serde::Serialize for LastUse {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.get().0)
    }
}

impl<'de> serde::Deserialize<'de> for LastUse {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <i64 as serde::Deserialize>::deserialize(d).map(|ms| LastUse(AtomicI64::new(ms)))
    }
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
    /// When the next keep drops what has expired.
    #[serde(default)]
    next_sweep: Timestamp,
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

    /// Keeps a media object, forgetting what has expired (at most once per
    /// [`SWEEP_EVERY`]) and then the oldest until it fits.
    pub(super) fn keep(&mut self, m: Media, now: Timestamp) {
        if now >= self.next_sweep {
            self.next_sweep = now + SWEEP_EVERY;
            self.items.retain(|_, m| m.live(now));
            self.order.retain(|id| self.items.contains_key(id));
            self.held = self.items.values().map(|m| m.bytes.len()).sum();
        }
        let size = m.bytes.len();
        self.make_room(size);
        self.held += size;
        self.order.push_back(m.id);
        self.items.insert(m.id, m);
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

    /// A presigned URL's `hash`: keyed apart from [`MediaStore::hash`], so one never passes
    /// for the other.
    fn presigned_hash(&self, mid: Id, ext: i64) -> String {
        let mut h = Sha256::new();
        h.update(b"presigned");
        h.update(self.secret.to_le_bytes());
        h.update(mid.to_le_bytes());
        h.update(ext.to_le_bytes());
        format!("PS{}", &crate::digest::hex_lower(&h.finalize())[..40])
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
        let id = self.next_media_id();
        let sha256 = crate::digest::hex_lower(&Sha256::digest(&u.bytes));
        let essence = u.mime.split(';').next().unwrap_or("").trim();
        let now = self.now();
        let m = Media {
            id,
            phone,
            mime: essence.to_ascii_lowercase(),
            sha256,
            bytes: u.bytes,
            uploaded_at: now,
            origin: Origin::Uploaded,
            last_used: LastUse::default(),
        };
        self.media.keep(m, now);
        Ok(id)
    }

    /// A fresh media id (the URL key drawn first, at the first media object).
    pub(super) fn next_media_id(&mut self) -> Id {
        if self.media.secret == 0 {
            self.media.secret = self.next_id();
        }
        self.next_id()
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
        let now = self.now();
        let m = parse_id(id)
            .and_then(|n| self.media.get(n))
            .filter(|m| m.live(now))
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
        m.used(now);
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

    /// A URL for a user's file that downloads without credentials until the file expires,
    /// as ChatApp's inbound file URLs do (ChatAppInbound: an OSS URL "有效期为7天"; that it
    /// needs no credentials is inferred, docs/fidelity.md). `None` for an upload.
    pub fn presigned_media_url(&self, id: Id) -> Option<MediaUrl> {
        let m = self
            .media
            .get(id)
            .filter(|m| m.origin == Origin::Received)?;
        let ext = m.expires_at().0 / 1000;
        Some(MediaUrl {
            mid: id,
            ext,
            hash: self.media.presigned_hash(id, ext),
        })
    }

    /// The bytes a download URL stands for, for the token's holder (or anyone, with a
    /// presigned URL).
    pub fn download_media(
        &self,
        who: Result<Principal, DomainError>,
        url: &MediaUrl,
    ) -> Result<&Media, DownloadRefusal> {
        if url.hash == self.media.presigned_hash(url.mid, url.ext) {
            let now = self.now();
            return match self.media.get(url.mid) {
                _ if now.0 / 1000 > url.ext => Err(DownloadRefusal::Expired),
                Some(m) if m.live(now) && self.media_holder(m).is_some() => Ok(m),
                _ => Err(DownloadRefusal::NotFound),
            };
        }
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
        let now = self.now();
        let m = parse_id(id)
            .and_then(|n| self.media.get(n))
            .filter(|m| m.live(now))
            .ok_or_else(invalid)?;
        match self.media_holder(m) {
            Some(holder) if parse_id(sender) == Some(holder) => {
                m.used(now);
                Ok(())
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::Fixture;

    const PHONE: &str = "110000000000001";

    fn world() -> (World, Principal) {
        let mut w = Fixture::default_world().build().unwrap();
        w.clock.freeze();
        let who = w.authenticate("wabasim-old-bsp").unwrap();
        (w, who)
    }

    fn upload(w: &mut World, who: &Principal) -> Id {
        let u = Upload {
            phone: PHONE,
            mime: "image/png",
            bytes: Bytes::from_static(b"png"),
        };
        w.upload_media(who, u).unwrap()
    }

    fn readable(w: &World, who: &Principal, id: Id) -> bool {
        w.readable_media(who, &id.to_string(), None).is_ok()
    }

    #[test]
    fn an_upload_lasts_thirty_days_after_its_last_use() {
        let (mut w, who) = world();
        let id = upload(&mut w, &who);
        w.clock.advance(Duration::days(20)).unwrap();
        // A fetch is a use: 30 more days from here.
        assert!(readable(&w, &who, id));
        w.clock.advance(Duration::days(29)).unwrap();
        assert!(
            w.check_media_for_send(PHONE, "image", &id.to_string())
                .is_ok()
        );
        let sent_at = w.now();
        assert_eq!(w.media.get(id).unwrap().expires_at(), sent_at + UPLOAD_KEPT);
        w.clock.advance(Duration::days(30)).unwrap();
        assert_eq!(
            w.readable_media(&who, &id.to_string(), None).unwrap_err(),
            DomainError::unknown(id.to_string())
        );
        assert!(matches!(
            w.check_media_for_send(PHONE, "image", &id.to_string()),
            Err(DomainError::MediaIdInvalid { .. })
        ));
    }

    #[test]
    fn expired_media_is_swept_out_of_the_bytes_held() {
        let (mut w, who) = world();
        upload(&mut w, &who);
        assert_eq!(w.media.held(), 3);
        w.clock.advance(Duration::days(31)).unwrap();
        upload(&mut w, &who);
        assert_eq!((w.media.len(), w.media.held()), (1, 3));
    }
}
