//! A user's file (`POST /__admin/inbound` with an image, video, audio, document or sticker):
//! what the control API gives, the checks it passes (the kind's types and Meta's size limits,
//! `media.rs`), the media object kept for the receiving number, and what the `messages`
//! webhook tells of it (OAS `ImageMessage_1` ... `StickerMessage_1`, `MediaMessageProperties`;
//! PYWA's `message.json`).

use bytes::Bytes;
use sha2::{Digest, Sha256};

use super::inbound::{Context, Said};
use super::media::{Media, MediaKind, Origin, kind_of};
use super::{DomainError, Id, World};

/// The bytes of a user's file, as the control API gives them.
pub enum ReceivedBytes {
    /// The file itself.
    Given(Bytes),
    /// A file of this many bytes made up here (deterministic, from the media id).
    Placeholder(usize),
}

/// A user's file, as a facade read it (`POST /__admin/inbound`).
pub struct Received {
    pub kind: MediaKind,
    /// `None`: the kind's [`MediaKind::default_mime`].
    pub mime: Option<String>,
    pub bytes: ReceivedBytes,
    /// Image, video and document (OAS `ImageMessage_1`, `VideoMessage_1`; a document's in
    /// PYWA's sample).
    pub caption: Option<String>,
    /// Document only (OAS `DocumentMessage_1`, required there).
    pub filename: Option<String>,
    /// Audio's `voice`, a sticker's `animated` (OAS, both required on their kind).
    pub flag: bool,
    /// The host ChatApp's presigned URL for the file names: the one the control API call
    /// reached, so the URL leads back to this simulator.
    pub link_host: Option<String>,
    /// The namespace the presigned URL names (`None`: the default one), as the control API
    /// call named it: the URL is fetched without credentials or the namespace header.
    pub link_namespace: Option<String>,
}

/// A user's file as the `messages` webhook tells it (OAS `MediaMessageProperties` and the
/// kinds' own fields).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InboundMedia {
    pub kind: MediaKind,
    pub id: Id,
    pub mime: String,
    /// Base64 of the SHA-256, as the webhook writes it (OAS example
    /// `SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=`, PYWA); `GET /{media-id}` answers the
    /// same digest in hex.
    pub sha256: String,
    pub caption: Option<String>,
    pub filename: Option<String>,
    pub flag: bool,
    pub size: usize,
    /// See [`Received::link_host`].
    #[serde(default)]
    pub link_host: Option<String>,
    /// See [`Received::link_namespace`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_namespace: Option<String>,
}

/// Whether `mime` reads as a MIME type (`type/subtype`, parameters after `;`), the only check
/// on a document's type: users may send any file as a document (inferred, docs/fidelity.md).
fn plausible_mime(mime: &str) -> bool {
    let token = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    let mut parts = mime.splitn(2, ';');
    let essence = parts.next().unwrap_or("").trim();
    let params_ok = parts
        .next()
        .is_none_or(|p| p.bytes().all(|b| b == b' ' || b.is_ascii_graphic()));
    mime.len() <= 255
        && params_ok
        && essence
            .split_once('/')
            .is_some_and(|(t, s)| token(t) && token(s))
}

/// Made-up file content: a xorshift stream seeded by the media id, so each file has its own
/// digest and the same seed gives the same bytes.
fn placeholder(id: Id, size: usize) -> Bytes {
    let mut x = id | 1;
    let mut v = Vec::with_capacity(size + 8);
    while v.len() < size {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(size);
    Bytes::from(v)
}

impl World {
    /// A user sends a file to a business number (control API): the type must suit the kind
    /// (any type for a document) and the size Meta's limit for the kind ([`TYPES`]) within
    /// `--media-bytes`; the file is then kept, held by the number, and the message is received
    /// as [`World::receive_message`] receives a text, quoting `context` if given (a message
    /// of this conversation, `inbound.rs`; checked before the file is kept). Returns the
    /// message id and the media id.
    pub fn receive_media(
        &mut self,
        phone: Id,
        from: &str,
        r: Received,
        context: Context<'_>,
    ) -> Result<(String, Id), DomainError> {
        if !self.phones.contains_key(&phone) {
            return Err(DomainError::unknown(phone.to_string()));
        }
        let (context, forwarded) = self.context_of(phone, from, context)?;
        let mime = r.mime.unwrap_or_else(|| r.kind.default_mime().to_string());
        let suits = match r.kind {
            MediaKind::Document => plausible_mime(&mime),
            k => plausible_mime(&mime) && kind_of(&mime) == Some(k),
        };
        if !suits {
            return Err(DomainError::MediaTypeUnsupported { mime });
        }
        let size = match &r.bytes {
            ReceivedBytes::Given(b) => b.len(),
            ReceivedBytes::Placeholder(n) => *n,
        };
        let limit = r.kind.limit().min(self.media.cap());
        if size == 0 || size > limit {
            return Err(DomainError::MediaTooLarge {
                kind: r.kind.title(),
                size,
                limit,
            });
        }
        let id = self.next_media_id();
        let bytes = match r.bytes {
            ReceivedBytes::Given(b) => b,
            ReceivedBytes::Placeholder(n) => placeholder(id, n),
        };
        let digest = Sha256::digest(&bytes);
        let now = self.now();
        let media = InboundMedia {
            kind: r.kind,
            id,
            mime: mime.clone(),
            sha256: {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD.encode(digest)
            },
            caption: r.caption,
            // Required on a document (OAS): one the user's file did not name is `document`.
            filename: match r.kind {
                MediaKind::Document => Some(r.filename.unwrap_or_else(|| "document".into())),
                _ => None,
            },
            flag: r.flag,
            size,
            link_host: r.link_host,
            link_namespace: r.link_namespace,
        };
        self.media.keep(
            Media {
                id,
                phone,
                mime,
                sha256: crate::digest::hex_lower(&digest),
                bytes,
                uploaded_at: now,
                origin: Origin::Received,
                last_used: Default::default(),
            },
            now,
        );
        let said = Said {
            media: Some(media),
            context,
            forwarded,
            ..Said::default()
        };
        let message = self.receive_message_with(phone, from, said)?;
        Ok((message, id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Duration;
    use crate::fixture::Fixture;
    use crate::world::Principal;

    const PHONE: &str = "110000000000001";
    const PHONE_ID: Id = 110_000_000_000_001;
    const MIB: usize = super::super::media::MIB;

    fn world() -> (World, Principal) {
        let mut w = Fixture::default_world().build().unwrap();
        w.clock.freeze();
        let who = w.authenticate("wabasim-old-bsp").unwrap();
        (w, who)
    }

    fn readable(w: &World, who: &Principal, id: Id) -> bool {
        w.readable_media(who, &id.to_string(), None).is_ok()
    }

    fn image(bytes: ReceivedBytes) -> Received {
        Received {
            kind: MediaKind::Image,
            mime: None,
            bytes,
            caption: Some("a cat".into()),
            filename: None,
            flag: false,
            link_host: None,
            link_namespace: None,
        }
    }

    #[test]
    fn a_users_file_is_the_numbers_to_read_for_seven_days_used_or_not() {
        let (mut w, who) = world();
        let (message, id) = w
            .receive_media(
                PHONE_ID,
                "15551230001",
                image(ReceivedBytes::Placeholder(2048)),
                Context::Fresh,
            )
            .unwrap();
        assert!(message.starts_with("wamid."));
        let m = w
            .readable_media(&who, &id.to_string(), Some(PHONE))
            .unwrap();
        assert_eq!((m.mime.as_str(), m.bytes.len()), ("image/jpeg", 2048));
        assert_eq!(
            m.sha256,
            crate::digest::hex_lower(&Sha256::digest(&m.bytes))
        );
        // The same id gives the same bytes; another id others.
        assert_eq!(m.bytes, placeholder(id, 2048));
        assert_ne!(m.bytes, placeholder(id + 1, 2048));
        // The window is open: a free-form reply goes out.
        let digits = w.phones[&PHONE_ID].e164_digits();
        let now = w.now();
        assert!(
            w.messaging
                .recipients
                .window_open(&digits, "15551230001", now)
        );
        w.clock.advance(Duration::days(6)).unwrap();
        assert!(readable(&w, &who, id));
        w.clock.advance(Duration::days(1)).unwrap();
        assert!(!readable(&w, &who, id));
    }

    #[test]
    fn a_users_file_is_checked_like_an_upload() {
        let (mut w, _) = world();
        let mut bad = image(ReceivedBytes::Given(Bytes::from_static(b"x")));
        bad.mime = Some("image/webp".into());
        assert!(matches!(
            w.receive_media(PHONE_ID, "15551230001", bad, Context::Fresh),
            Err(DomainError::MediaTypeUnsupported { .. })
        ));
        let over = image(ReceivedBytes::Placeholder(5 * MIB + 1));
        assert!(matches!(
            w.receive_media(PHONE_ID, "15551230001", over, Context::Fresh),
            Err(DomainError::MediaTooLarge { size, limit, .. }) if size == 5 * MIB + 1 && limit == 5 * MIB
        ));
        let empty = image(ReceivedBytes::Given(Bytes::new()));
        assert!(
            w.receive_media(PHONE_ID, "15551230001", empty, Context::Fresh)
                .is_err()
        );
        // A document may be any file; `--media-bytes` bounds it below Meta's 100 MiB.
        w.media.set_cap(MIB);
        let zip = Received {
            kind: MediaKind::Document,
            mime: Some("application/zip".into()),
            bytes: ReceivedBytes::Placeholder(MIB + 1),
            caption: None,
            filename: None,
            flag: false,
            link_host: None,
            link_namespace: None,
        };
        assert!(matches!(
            w.receive_media(PHONE_ID, "15551230001", zip, Context::Fresh),
            Err(DomainError::MediaTooLarge { limit, .. }) if limit == MIB
        ));
        assert!(w.media.is_empty());
        assert!(
            w.receive_media(
                404,
                "15551230001",
                image(ReceivedBytes::Placeholder(1)),
                Context::Fresh
            )
            .is_err()
        );
    }

    #[test]
    fn mime_types_are_read_as_type_and_subtype() {
        assert!(plausible_mime("audio/ogg; codecs=opus"));
        assert!(plausible_mime("application/vnd.ms-excel"));
        for bad in ["", "image", "/png", "image/", "image/png\r\nX: y", "a b/c"] {
            assert!(!plausible_mime(bad), "{bad:?}");
        }
    }
}
