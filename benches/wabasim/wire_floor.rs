//! The Graph wire floor's answer (`floor_server` with `--graph-wire` serves it): bare hyper
//! answering every request with the exact bytes wabasim sends for the bench's read (Graph's fourteen headers, the phone number's body), under the
//! header-read timeout wabasim keeps against slow clients, with no world, no journal, no
//! parsing of the path or token. It is what the wire itself costs on this machine: the read
//! row's floor is bare hyper answering a fixed body with one header, and the gap between the
//! two floors is what fidelity to Graph's answer costs before wabasim does any work
//! (`--only read`).

use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};

/// wabasim's answer headers for `GET /v23.0/110000000000001` (hyper adds `content-length`
/// and `date`), as `curl -i` shows them: constant here, so copying the map is all the work.
const HEADERS: &[(&str, &str)] = &[
    ("content-type", "application/json"),
    ("vary", "Origin"),
    ("x-fb-rev", "1029384756"),
    ("cache-control", "no-store"),
    ("pragma", "no-cache"),
    ("expires", "Sat, 01 Jan 2000 00:00:00 GMT"),
    ("access-control-allow-origin", "*"),
    ("strict-transport-security", "max-age=15552000; preload"),
    (
        "x-fb-debug",
        "d2FiYXNpbSBzaW11bGF0ZXMgdGhlIFdoYXRzQXBwIEJ1c2luZXNzIFBsYXRmb3JtOyBubyBNZXRhIGRlYnVnIGlk",
    ),
    ("facebook-api-version", "v23.0"),
    ("x-fb-trace-id", "h9Q5SVay7jx"),
    ("x-fb-request-id", "8PzU-btgC9rRk7pJiF3kBGc"),
    (
        "x-business-use-case-usage",
        r#"{"200000000000001":[{"type":"whatsapp_business_management","call_count":0,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":0}]}"#,
    ),
];

/// wabasim's header-read timeout (`Config::header_read_timeout`'s default, `src/app.rs`).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// wabasim's read answer headers, made once.
pub fn headers() -> &'static HeaderMap {
    static HEADERS_MAP: std::sync::OnceLock<HeaderMap> = std::sync::OnceLock::new();
    HEADERS_MAP.get_or_init(|| {
        let mut headers = HeaderMap::with_capacity(16);
        for (name, value) in HEADERS {
            headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        headers
    })
}
