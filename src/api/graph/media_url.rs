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
//!
//! A URL a namespace other than the default one hands out ends in `&ns={namespace}` (wabasim's
//! own, not Meta's: docs/fidelity.md), because clients download it with a session of its own
//! that sends only the token, not `X-Wabasim-Namespace`; the server reads the namespace back
//! from it ([`target_namespace`], `Facade::namespace_in_target`). The default namespace's
//! URLs carry none and are Meta's shape exactly.

use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode, Uri};

use crate::api::facade::TargetNamespace;
use crate::api::params::Params;
use crate::api::{Answer, Incoming};
use crate::namespace::{DEFAULT_NAMESPACE, Namespace};
use crate::world::media::{DownloadRefusal, Media, MediaUrl};

/// The path the URL names (and the routes that serve it).
pub const PATH: &str = "/whatsapp_business/attachments/";

/// The query parameter that names the namespace a URL was issued in.
pub const NAMESPACE_PARAM: &str = "ns";

/// The download operation's name on every facade that serves the URL.
const OPERATION: &str = "download_media";

/// The full URL for a request that arrived with `host` (its `Host` header), issued in
/// `namespace` (`None` or the default one: no `ns`, Meta's shape exactly). Namespace names
/// are `[A-Za-z0-9._:-]` (`wire::valid_namespace_name`), all of them safe in a query as they are.
pub fn url(host: &str, namespace: Option<&str>, u: &MediaUrl) -> String {
    let mut url = format!(
        "http://{host}{PATH}?mid={}&ext={}&hash={}",
        u.mid, u.ext, u.hash
    );
    if let Some(ns) = namespace.filter(|n| !n.is_empty() && *n != DEFAULT_NAMESPACE) {
        url.push('&');
        url.push_str(NAMESPACE_PARAM);
        url.push('=');
        url.push_str(ns);
    }
    url
}

/// Where a media object's URL leads back to: the host the request reached and the
/// namespace that answers it.
#[derive(Clone, Debug, Default)]
pub struct Link {
    pub host: String,
    /// `None` for the default namespace.
    pub namespace: Option<String>,
}

impl Link {
    /// The link for a request `req` made in `ns`.
    pub fn of(ns: &Namespace, req: &Incoming) -> Link {
        Link {
            host: req
                .header(http::header::HOST)
                .unwrap_or("localhost")
                .to_string(),
            namespace: (ns.name != DEFAULT_NAMESPACE).then(|| ns.name.clone()),
        }
    }

    pub fn url(&self, u: &MediaUrl) -> String {
        url(&self.host, self.namespace.as_deref(), u)
    }
}

/// The namespace a download's URL names (its `ns`), for the facade `facade` that serves it;
/// `None` for any other request, or a URL without one (the header decides, as before). A
/// namespace that does not exist is answered as a URL for unknown media (404): a download
/// never creates one.
pub fn target_namespace(
    facade: &'static str,
    method: &Method,
    uri: &Uri,
) -> Option<TargetNamespace> {
    if method != Method::GET || !is_download_path(uri.path()) {
        return None;
    }
    let query = uri.query()?;
    let name = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == NAMESPACE_PARAM)
        .map(|(_, v)| v)?;
    if name.is_empty() {
        return None;
    }
    Some(TargetNamespace {
        name: name.into_owned(),
        unknown: refused(facade, OPERATION, &DownloadRefusal::NotFound),
    })
}

/// Whether `path` is the download's (`/whatsapp_business/attachments`, with or without the
/// trailing slash, after Graph's optional version).
fn is_download_path(path: &str) -> bool {
    path.trim_end_matches('/')
        .ends_with(PATH.trim_end_matches('/'))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> MediaUrl {
        MediaUrl {
            mid: 7,
            ext: 100,
            hash: "ATab".into(),
        }
    }

    #[test]
    fn only_a_namespace_other_than_the_default_is_named() {
        let meta = "http://h/whatsapp_business/attachments/?mid=7&ext=100&hash=ATab";
        assert_eq!(url("h", None, &sample()), meta);
        assert_eq!(url("h", Some(DEFAULT_NAMESPACE), &sample()), meta);
        assert_eq!(url("h", Some(""), &sample()), meta);
        assert_eq!(url("h", Some("t-1"), &sample()), format!("{meta}&ns=t-1"));
    }

    #[test]
    fn a_download_names_its_namespace_and_nothing_else_does() {
        let named = |method: Method, target: &str| {
            let uri: Uri = target.parse().unwrap();
            target_namespace("graph", &method, &uri).map(|t| (t.name, t.unknown.status))
        };
        let found = Some(("t-1".to_string(), StatusCode::NOT_FOUND));
        for path in [
            "/whatsapp_business/attachments/?mid=7&ns=t-1",
            "/whatsapp_business/attachments?ns=t-1",
            "/v23.0/whatsapp_business/attachments/?hash=AT&ns=t-1",
        ] {
            assert_eq!(named(Method::GET, path), found, "{path}");
        }
        assert_eq!(
            named(Method::POST, "/whatsapp_business/attachments/?ns=t-1"),
            None
        );
        assert_eq!(named(Method::GET, "/v23.0/123?ns=t-1"), None);
        assert_eq!(
            named(Method::GET, "/whatsapp_business/attachments/?ns="),
            None
        );
        assert_eq!(
            named(Method::GET, "/whatsapp_business/attachments/?mid=7"),
            None
        );
    }
}
