//! Media on Graph over a real socket (reference messaging-and-360dialog.md, "Cloud API
//! messages + media"): a multipart upload, its object, the download through the returned
//! URL with and without the token and after its 5 minutes on the world clock, delete, the
//! refusals of a bad type, an oversized file and a missing field, and sends by id; a user's
//! file (`POST /__admin/inbound`) told in the `messages` webhook and fetched as an upload, and
//! the expiry of both on the world clock (30 days after an upload's last use, 7 days after a
//! user's file arrived).

mod common;

use bytes::Bytes;
use common::world::*;
use common::{Reply, Sim};
use serde_json::{Value, json};

const BOUNDARY: &str = "wabasim-test-boundary";

/// A multipart body: text fields, then the file part (name, type, bytes) if any.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, mime, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {mime}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload_as(
    sim: &Sim,
    phone: &str,
    token: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &[u8])>,
) -> Reply {
    let auth = format!("Bearer {token}");
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    sim.send(
        "POST",
        &format!("/v23.0/{phone}/media"),
        &[("authorization", &auth), ("content-type", &ct)],
        multipart(fields, file),
    )
    .await
}

async fn upload(sim: &Sim, mime: &str, bytes: &[u8]) -> Reply {
    upload_as(
        sim,
        READY_PHONE_ID,
        OLD_BSP,
        &[("messaging_product", "whatsapp"), ("type", mime)],
        Some(("f", mime, bytes)),
    )
    .await
}

/// The path and query of a URL wabasim answered (its own host).
fn path_of(url: &str) -> String {
    let rest = url.strip_prefix("http://").expect("an http URL");
    rest[rest.find('/').unwrap()..].to_string()
}

/// A download (the bytes are no Graph JSON) or a delete (its id is gone by the time the
/// conformance check looks it up), kept out of the OpenAPI conformance check.
async fn unchecked(sim: &Sim, method: &str, path: &str, token: Option<&str>) -> Reply {
    let auth = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", a.as_str())).collect();
    sim.send_exact(method, path, &headers, Bytes::new()).await
}

async fn advance(sim: &Sim, duration: &str) {
    let r = sim
        .admin(
            "POST",
            "/__admin/clock/advance",
            Some(json!({"duration": duration})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn an_upload_is_described_downloaded_with_the_token_and_deleted() {
    let sim = Sim::start().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let jpeg = b"\xff\xd8\xff\xe0 not really a jpeg";
    let r = upload(&sim, "image/jpeg", jpeg).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert!(id.bytes().all(|b| b.is_ascii_digit()), "{id}");

    let r = sim.get(&format!("/v23.0/{id}"), OLD_BSP).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let m = r.json();
    assert_eq!(m["messaging_product"], "whatsapp");
    assert_eq!(m["mime_type"], "image/jpeg");
    assert_eq!(m["file_size"], json!(jpeg.len()));
    assert_eq!(m["id"], json!(id));
    // sha256 of the bytes, lower-case hex.
    use sha2::Digest;
    let want: String = sha2::Sha256::digest(jpeg)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(m["sha256"], json!(want));
    let url = m["url"].as_str().unwrap();
    assert!(
        url.contains("/whatsapp_business/attachments/?mid=")
            && url.contains("&ext=")
            && url.contains("&hash=AT"),
        "{url}"
    );
    // With the phone number it belongs to; not with another one.
    let r = sim
        .get(
            &format!("/v23.0/{id}?phone_number_id={READY_PHONE_ID}"),
            OLD_BSP,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = sim
        .get(
            &format!("/v23.0/{id}?phone_number_id=110000000000002"),
            OLD_BSP,
        )
        .await;
    assert_eq!(r.json()["error"]["error_subcode"], 33, "{}", r.text());
    // Another business's token does not see it.
    let r = sim.get(&format!("/v23.0/{id}"), NEW_BSP).await;
    assert_eq!(r.status, 400, "{}", r.text());

    let path = path_of(url);
    let r = unchecked(&sim, "GET", &path, Some(OLD_BSP)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.body, Bytes::from_static(jpeg));
    assert_eq!(r.header("content-type"), Some("image/jpeg"));
    // Without the token: Graph's token error.
    let r = unchecked(&sim, "GET", &path, None).await;
    assert_eq!(r.json()["error"]["code"], 104, "{}", r.text());
    // An altered URL.
    let altered = path.replace("hash=AT", "hash=AX");
    let r = unchecked(&sim, "GET", &altered, Some(OLD_BSP)).await;
    assert_eq!(r.status, 403, "{}", r.text());

    // Five minutes on, the URL still works; a second later it has expired.
    advance(&sim, "5m").await;
    assert_eq!(
        unchecked(&sim, "GET", &path, Some(OLD_BSP)).await.status,
        200
    );
    advance(&sim, "1s").await;
    let r = unchecked(&sim, "GET", &path, Some(OLD_BSP)).await;
    assert_eq!(
        (r.status, r.text().as_str()),
        (403, "URL signature expired")
    );
    // A new GET issues a new URL that works.
    let fresh = sim.get(&format!("/v23.0/{id}"), OLD_BSP).await.json();
    let fresh = path_of(fresh["url"].as_str().unwrap());
    assert_ne!(fresh, path);
    assert_eq!(
        unchecked(&sim, "GET", &fresh, Some(OLD_BSP)).await.status,
        200
    );

    // A second upload is deleted: its object and its URL are gone (the first stays, for
    // the conformance check at the end, which looks ids up in the world).
    let gone = upload(&sim, "image/png", b"png").await.json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let url = unchecked(&sim, "GET", &format!("/v23.0/{gone}"), Some(OLD_BSP))
        .await
        .json()["url"]
        .as_str()
        .unwrap()
        .to_string();
    let r = unchecked(&sim, "DELETE", &format!("/v23.0/{gone}"), Some(OLD_BSP)).await;
    assert_eq!(r.json(), json!({"success": true}));
    let r = unchecked(&sim, "GET", &format!("/v23.0/{gone}"), Some(OLD_BSP)).await;
    assert_eq!(r.json()["error"]["error_subcode"], 33, "{}", r.text());
    let r = unchecked(&sim, "GET", &path_of(&url), Some(OLD_BSP)).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn a_bad_type_an_oversized_file_and_missing_fields_are_refused() {
    let sim = Sim::start().await;
    let r = upload(&sim, "image/gif", b"GIF89a").await;
    assert_eq!(r.status, 400);
    let e = &r.json()["error"];
    assert_eq!(e["code"], 100);
    let msg = e["message"].as_str().unwrap();
    assert!(
        msg.starts_with(
            "(#100) Param file must be a file with one of the following types: audio/aac, "
        ) && msg.ends_with("Received file of type 'image/gif'."),
        "{msg}"
    );

    let big = vec![0u8; 5 * 1024 * 1024 + 1];
    let r = upload(&sim, "image/png", &big).await;
    assert_eq!(r.status, 400, "{}", r.text());
    let e = &r.json()["error"];
    assert_eq!(e["code"], 131053);
    assert_eq!(e["message"], "(#131053) Media upload error");
    assert_eq!(
        e["error_data"]["details"],
        "Image file has size 5242881 bytes but must be atmost 5242880 bytes and non-empty"
    );
    // The same bytes as a document are within its limit.
    let r = upload(&sim, "application/pdf", &big).await;
    assert_eq!(r.status, 200, "{}", r.text());

    let r = upload_as(
        &sim,
        READY_PHONE_ID,
        OLD_BSP,
        &[("type", "image/png")],
        Some(("f", "image/png", b"png")),
    )
    .await;
    assert_eq!(
        r.json()["error"]["message"],
        "(#100) The parameter messaging_product is required"
    );
    let r = upload_as(
        &sim,
        READY_PHONE_ID,
        OLD_BSP,
        &[("messaging_product", "whatsapp")],
        None,
    )
    .await;
    assert_eq!(
        r.json()["error"]["message"],
        "(#100) The parameter file is required"
    );
}

#[tokio::test]
async fn a_body_over_the_upload_limit_is_413_in_graphs_shape() {
    let sim = Sim::start().await;
    let big = vec![0u8; wabasim::app::UPLOAD_LIMIT + 1];
    let r = upload(&sim, "application/pdf", &big).await;
    assert_eq!(r.status, 413, "{}", r.text());
    let msg = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(msg.contains("--max-upload-bytes"), "{msg}");
}

fn image_by_id(id: &str) -> Value {
    json!({"messaging_product": "whatsapp", "to": "15551230001", "type": "image",
           "image": {"id": id, "caption": "c"}})
}

#[tokio::test]
async fn a_send_by_id_needs_an_upload_of_the_sending_number() {
    let sim = Sim::start().await;
    let id = upload(&sim, "image/png", b"png").await.json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/v23.0/{READY_PHONE_ID}/messages");
    let r = sim.post_json(&path, OLD_BSP, image_by_id(&id)).await;
    assert_eq!(r.status, 200, "{}", r.text());

    let r = sim
        .post_json(&path, OLD_BSP, image_by_id("123456789012345"))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["error"]["message"],
        "(#100) Param image['id'] is not a valid whatsapp business account media attachment ID"
    );
    // A link needs no upload.
    let link = json!({"messaging_product": "whatsapp", "to": "15551230001", "type": "image",
                      "image": {"link": "https://example.com/a.png"}});
    assert_eq!(sim.post_json(&path, OLD_BSP, link).await.status, 200);
    // Deleted: refused again.
    unchecked(&sim, "DELETE", &format!("/v23.0/{id}"), Some(OLD_BSP)).await;
    let r = sim.post_json(&path, OLD_BSP, image_by_id(&id)).await;
    assert_eq!(r.status, 400, "{}", r.text());
}

/// A user's message as the last `messages` webhook told it.
async fn last_inbound(sim: &Sim) -> Value {
    let events = sim.admin("GET", "/__admin/events", None).await.json();
    events["events"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find_map(|e| {
            let value = &e["payload"]["entry"][0]["changes"][0]["value"];
            value["messages"].get(0).cloned()
        })
        .expect("a messages webhook with a user's message")
}

async fn user_sends(sim: &Sim, kind: &str, object: Value) -> common::Reply {
    let body = json!({"phone_number_id": READY_PHONE_ID, "from": "15551230001",
                      "type": kind, kind: object});
    sim.admin("POST", "/__admin/inbound", Some(body)).await
}

#[tokio::test]
async fn a_users_image_is_told_fetched_downloaded_and_gone_after_seven_days() {
    use base64::Engine as _;
    let sim = Sim::start().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let jpeg = b"\xff\xd8\xff\xe0 a user's photo";
    let data = base64::engine::general_purpose::STANDARD.encode(jpeg);
    let r = user_sends(
        &sim,
        "image",
        json!({"data": data, "mime_type": "image/jpeg", "caption": "my cat"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let answer = r.json();
    let id = answer["media_id"].as_str().unwrap().to_string();
    use sha2::Digest;
    let digest = sha2::Sha256::digest(jpeg);
    let message = last_inbound(&sim).await;
    assert_eq!(message["id"], answer["message_id"]);
    assert_eq!(message["type"], "image");
    assert_eq!(
        message["image"],
        json!({"caption": "my cat", "mime_type": "image/jpeg",
               "sha256": base64::engine::general_purpose::STANDARD.encode(digest), "id": id})
    );

    let m = sim.get(&format!("/v23.0/{id}"), OLD_BSP).await;
    assert_eq!(m.status, 200, "{}", m.text());
    let m = m.json();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        (&m["mime_type"], &m["sha256"], &m["file_size"]),
        (&json!("image/jpeg"), &json!(hex), &json!(jpeg.len()))
    );
    let path = path_of(m["url"].as_str().unwrap());
    let r = unchecked(&sim, "GET", &path, Some(OLD_BSP)).await;
    assert_eq!(r.body, Bytes::from_static(jpeg));

    // Fetching it is no reason to keep it: 7 days after it arrived it is gone.
    advance(&sim, "6d 23h 59m").await;
    let r = unchecked(&sim, "GET", &format!("/v23.0/{id}"), Some(OLD_BSP)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    advance(&sim, "1m").await;
    let r = unchecked(&sim, "GET", &format!("/v23.0/{id}"), Some(OLD_BSP)).await;
    assert_eq!(
        (r.status, &r.json()["error"]["error_subcode"]),
        (400, &json!(33)),
        "{}",
        r.text()
    );
}

#[tokio::test]
async fn each_kind_of_users_file_carries_its_own_fields() {
    let sim = Sim::start().await;
    let r = user_sends(
        &sim,
        "document",
        json!({"file_size": 4096, "filename": "invoice.pdf", "caption": "March"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let d = &last_inbound(&sim).await["document"];
    assert_eq!(
        (&d["caption"], &d["filename"], &d["mime_type"]),
        (
            &json!("March"),
            &json!("invoice.pdf"),
            &json!("application/pdf")
        )
    );
    let m = sim
        .get(&format!("/v23.0/{}", d["id"].as_str().unwrap()), OLD_BSP)
        .await
        .json();
    assert_eq!(m["file_size"], 4096);

    user_sends(&sim, "audio", json!({"voice": true})).await;
    let a = last_inbound(&sim).await;
    assert_eq!(a["audio"]["mime_type"], "audio/ogg; codecs=opus");
    assert_eq!(a["audio"]["voice"], true);
    user_sends(&sim, "sticker", json!({})).await;
    let s = last_inbound(&sim).await;
    assert_eq!(
        (&s["sticker"]["mime_type"], &s["sticker"]["animated"]),
        (&json!("image/webp"), &json!(false))
    );
    user_sends(&sim, "video", json!({"caption": "look"})).await;
    assert_eq!(last_inbound(&sim).await["video"]["caption"], "look");
}

#[tokio::test]
async fn a_users_file_the_control_api_cannot_take_is_refused() {
    let sim = Sim::start().await;
    for (kind, object, says) in [
        ("image", json!({"mime_type": "image/gif"}), "does not suit"),
        (
            "image",
            json!({"file_size": 5 * 1024 * 1024 + 1}),
            "at most 5242880",
        ),
        ("sticker", json!({"file_size": 0}), "non-empty"),
        ("video", json!({"data": "not base64!"}), "base64"),
        ("video", json!({"data": "AA==", "file_size": 1}), "not both"),
        ("audio", json!("voice"), "must be an object"),
        ("gif", json!({}), "\"type\""),
    ] {
        let r = user_sends(&sim, kind, object).await;
        assert_eq!(r.status, 400, "{kind}: {}", r.text());
        let e = r.json()["error"].as_str().unwrap_or_default().to_string();
        assert!(e.contains(says), "{kind}: {e}");
    }
    // Given bytes are held to the same limits (and the body to the control API's 16 MiB).
    use base64::Engine as _;
    let data = base64::engine::general_purpose::STANDARD.encode(vec![0u8; 500 * 1024 + 1]);
    let r = user_sends(&sim, "sticker", json!({"data": data})).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("at most 512000 bytes"), "{}", r.text());
}

#[tokio::test]
async fn an_upload_is_gone_thirty_days_after_its_last_use() {
    let sim = Sim::start().await;
    sim.admin("POST", "/__admin/clock/freeze", None).await;
    let id = upload(&sim, "image/png", b"png").await.json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/v23.0/{READY_PHONE_ID}/messages");
    // Sent on day 29, fetched on day 58: still there on day 87, gone on day 88.
    advance(&sim, "29d").await;
    let r = sim.post_json(&path, OLD_BSP, image_by_id(&id)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    advance(&sim, "29d").await;
    let r = unchecked(&sim, "GET", &format!("/v23.0/{id}"), Some(OLD_BSP)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    advance(&sim, "30d").await;
    let r = unchecked(&sim, "GET", &format!("/v23.0/{id}"), Some(OLD_BSP)).await;
    assert_eq!(r.json()["error"]["error_subcode"], 33, "{}", r.text());
    let r = sim.post_json(&path, OLD_BSP, image_by_id(&id)).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["error"]["message"],
        "(#100) Param image['id'] is not a valid whatsapp business account media attachment ID"
    );
}

/// A download with the token and `X-Wabasim-Namespace: ns`.
async fn download_in(sim: &Sim, path: &str, ns: &str) -> Reply {
    let auth = format!("Bearer {OLD_BSP}");
    let headers = [
        ("authorization", auth.as_str()),
        ("x-wabasim-namespace", ns),
    ];
    sim.send_exact("GET", path, &headers, Bytes::new()).await
}

/// Whether namespace `name` exists (the health probe never creates one).
async fn namespace_exists(sim: &Sim, name: &str) -> bool {
    let r = sim
        .send_exact(
            "GET",
            "/__admin/health",
            &[("x-wabasim-namespace", name)],
            Bytes::new(),
        )
        .await;
    r.json()["exists"].as_bool().unwrap()
}

/// A URL a namespace hands out names it (`&ns=`), so a client that downloads it with a
/// session of its own, sending only the token, reaches that namespace; the header, when
/// sent, must name the same one (else 400 in Graph's shape); a URL naming a namespace that
/// does not exist is 404, as for media that is gone, and creates none. The default
/// namespace's URL names none.
#[tokio::test]
async fn a_namespaces_download_url_names_it_and_downloads_without_the_header() {
    let sim = Sim::start().await.in_namespace("media-ns-a");
    let png = b"\x89PNG in a namespace";
    let r = upload(&sim, "image/png", png).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let url = sim.get(&format!("/v23.0/{id}"), OLD_BSP).await.json()["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        url.contains("/whatsapp_business/attachments/?mid=") && url.ends_with("&ns=media-ns-a"),
        "{url}"
    );
    let path = path_of(&url);

    // Only the token, as pywa's download session sends it.
    let r = unchecked(&sim, "GET", &path, Some(OLD_BSP)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.body, Bytes::from_static(png));
    // Without the token, still Graph's token error, in the URL's namespace.
    let r = unchecked(&sim, "GET", &path, None).await;
    assert_eq!(r.json()["error"]["code"], 104, "{}", r.text());

    // The header of the same namespace agrees; another one's is refused.
    assert_eq!(download_in(&sim, &path, "media-ns-a").await.status, 200);
    for other in ["media-ns-b", "default"] {
        let r = download_in(&sim, &path, other).await;
        assert_eq!(r.status, 400, "{other}: {}", r.text());
        let message = r.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(
            message.contains(&format!("\"{other}\"")) && message.contains("\"media-ns-a\""),
            "{message}"
        );
    }
    assert!(!namespace_exists(&sim, "media-ns-b").await);

    // A namespace no one made: the answer for unknown media, and it is not made.
    let ghost = path.replace("ns=media-ns-a", "ns=media-ns-ghost");
    let r = unchecked(&sim, "GET", &ghost, Some(OLD_BSP)).await;
    assert_eq!((r.status, r.text().as_str()), (404, "Not Found"));
    assert!(!namespace_exists(&sim, "media-ns-ghost").await);
    // The default namespace's journal records it, with the download's operation.
    let mut default = sim.in_namespace("default");
    default.namespace = None;
    let journal = default
        .admin("GET", "/__admin/requests?operation=download_media", None)
        .await
        .json();
    assert_eq!(journal["total"], 1, "{journal}");
    assert_eq!(journal["requests"][0]["status"], 404, "{journal}");

    // The default namespace's URL is Meta's shape, with no `ns`.
    let r = upload(&default, "image/png", png).await;
    let id = r.json()["id"].as_str().unwrap().to_string();
    let url = default.get(&format!("/v23.0/{id}"), OLD_BSP).await.json()["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!url.contains("ns="), "{url}");
    assert!(url.contains("&hash=AT"), "{url}");
}
