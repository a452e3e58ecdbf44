//! What travels between the server and a facade, for every facade alike: the request as the
//! server read it ([`Incoming`]), the answer a facade gives ([`Answer`]), parameter merging
//! (`params`) and a small JSON writer for hot paths (`json`).
//!
//! This is the bottom of the service layer: the journal, faults, facades and the server all
//! read these types, and this module reads none of them.

pub mod json;
pub mod limits;
pub mod params;

/// The header that selects a namespace (`X-Wabasim-Namespace`).
pub const NAMESPACE_HEADER: &str = "x-wabasim-namespace";

/// Whether `name` can name a namespace: 1 to 128 characters from `A-Z a-z 0-9 . _ : -`.
pub fn valid_namespace_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use http_body_util::Full;

/// A request as the server read it: head and whole body.
pub struct Incoming {
    pub method: Method,
    /// The path, as received (percent-encoded).
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Incoming {
    /// A header's value as text. Pass a `HeaderName` constant on hot paths: a `&str` name is
    /// parsed on every lookup.
    pub fn header<K: http::header::AsHeaderName>(&self, name: K) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The media type of the body, without parameters, as sent (compare it ignoring case).
    pub fn content_type(&self) -> Option<&str> {
        self.header(http::header::CONTENT_TYPE).map(|ct| {
            let essence = match ct.bytes().position(|b| b == b';') {
                Some(at) => &ct[..at],
                None => ct,
            };
            essence.trim()
        })
    }
}

/// What a facade answers, and what the journal should know about it.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// `graph`, `cams`, `admin`.
    pub facade: &'static str,
    /// The operation, e.g. `request_code`, `GetMigrationVerifyCode`, or `unmatched`.
    pub operation: &'static str,
    /// The vendor error code this answer carries, if it is an error (`100/2388103`).
    pub error: Option<String>,
    /// The scripted fault that produced or altered this answer, if any (its id).
    pub fault: Option<String>,
}

impl Answer {
    pub fn json(status: StatusCode, body: impl Into<Bytes>) -> Answer {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        Answer {
            status,
            headers,
            body: body.into(),
            facade: "admin",
            operation: "unmatched",
            error: None,
            fault: None,
        }
    }

    pub fn into_response(self) -> http::Response<Full<Bytes>> {
        let mut response = http::Response::new(Full::new(self.body));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }
}
