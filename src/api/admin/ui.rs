//! `GET /__admin/ui` and `GET /__admin/ui/{file}`: the dashboard, static files compiled into
//! the binary (no build step). The page holds no data of its own; it reads the control API
//! from the browser with the admin token the person types in, so the files are served without
//! the token (the server answers them before the token check, as it answers health) and
//! without creating a namespace.

use http::{HeaderValue, StatusCode};

use super::{Answer, error};

/// The dashboard's files: name under `/__admin/ui/`, content type, text.
const FILES: &[(&str, &str, &str)] = &[
    (
        "",
        "text/html; charset=utf-8",
        include_str!("ui/index.html"),
    ),
    (
        "dashboard.js",
        "text/javascript; charset=utf-8",
        include_str!("ui/dashboard.js"),
    ),
    (
        "dashboard.css",
        "text/css; charset=utf-8",
        include_str!("ui/dashboard.css"),
    ),
];

/// The page's policy: its own files and the control API only. Journal entries and payloads
/// carry text any client sent; the script writes them as text, and this forbids any inline
/// script or outside origin should one ever slip through.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Whether a request is for the dashboard's files (answered before the admin token check).
pub fn is_ui(method: &http::Method, path: &str) -> bool {
    method == http::Method::GET && (path == "/__admin/ui" || path.starts_with("/__admin/ui/"))
}

/// The file at `path` (`/__admin/ui`, `/__admin/ui/`, `/__admin/ui/dashboard.js`).
pub fn serve(path: &str) -> Answer {
    let name = path
        .strip_prefix("/__admin/ui")
        .unwrap_or("")
        .trim_start_matches('/');
    let Some((_, content_type, text)) = FILES.iter().find(|(n, _, _)| *n == name) else {
        return error(
            StatusCode::NOT_FOUND,
            format!("no dashboard file {name:?}; the dashboard is GET /__admin/ui"),
        );
    };
    let mut a = Answer::json(StatusCode::OK, *text);
    a.operation = "ui";
    let h = &mut a.headers;
    h.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(content_type),
    );
    // The files change only with the binary; a reload after an upgrade must not keep old ones.
    h.insert(
        http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    h.insert(
        http::header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        http::header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        http::header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_is_served_with_its_type_and_others_are_not_found() {
        for (path, ct) in [
            ("/__admin/ui", "text/html; charset=utf-8"),
            ("/__admin/ui/", "text/html; charset=utf-8"),
            ("/__admin/ui/dashboard.js", "text/javascript; charset=utf-8"),
            ("/__admin/ui/dashboard.css", "text/css; charset=utf-8"),
        ] {
            let a = serve(path);
            assert_eq!(a.status, StatusCode::OK, "{path}");
            assert_eq!(a.headers[http::header::CONTENT_TYPE], ct, "{path}");
        }
        assert_eq!(serve("/__admin/ui/../state").status, StatusCode::NOT_FOUND);
        assert!(is_ui(&http::Method::GET, "/__admin/ui/x"));
        assert!(!is_ui(&http::Method::GET, "/__admin/uix"));
        assert!(!is_ui(&http::Method::POST, "/__admin/ui"));
    }
}
