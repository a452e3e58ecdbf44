//! Reading a Graph request: the versioned path, the token, and `?fields=`.
//!
//! Versions (reference meta-graph.md §1): any `vNN.N` up to the newest known is served;
//! versions older than the oldest usable one are served as that one (Graph's "next oldest
//! usable version"), and `facebook-api-version` says which was used. A version newer than
//! the newest known is not a version to Graph: the path answers `Unknown path components`
//! ([OBS CODEIDX]). A path without a version is served as the app's default version, which
//! we fix at v23.0, the version of Meta's OpenAPI document ([INF]).

use std::borrow::Cow;

use super::errors::GraphError;
use crate::api::Incoming;
use crate::api::params::{Param, Params};
use crate::world::DomainError;

/// The newest Graph version this simulator knows (clients default to v26.0).
pub const NEWEST: (u32, u32) = (26, 0);
/// Older versions are served as this one.
pub const OLDEST_USABLE: (u32, u32) = (19, 0);
/// The version unversioned paths are served with.
pub const DEFAULT_VERSION: &str = "v23.0";

/// The parts of a Graph path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The version that serves the request (`v23.0`); the ones Graph serves today are
    /// static text, not an allocation per request.
    pub version: Cow<'static, str>,
    pub node: String,
    /// The node read as an id (`world::parse_id`), once: its kind, the usage header's WABA
    /// and a phone number's own lookup all need it (three parses of a read before).
    pub id: Option<crate::world::Id>,
    pub edge: Option<String>,
}

/// `vN.N` with digits of any length is a version: one too large for `u32` reads as the
/// largest, so it is newer than [`NEWEST`] and unknown, as `v99.0` is (graph-fidelity-review.md
/// row 12: `v999999999999.0` was read as an object id).
fn parse_version(seg: &str) -> Option<(u32, u32)> {
    let rest = seg.strip_prefix('v')?;
    let (major, minor) = split_at_byte(rest, b'.')?;
    let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    if !digits(major) || !digits(minor) {
        return None;
    }
    match (major.parse(), minor.parse()) {
        (Ok(major), Ok(minor)) => Some((major, minor)),
        _ => Some((u32::MAX, u32::MAX)),
    }
}

/// `text` split around the first `byte` (ASCII, so both halves are `str`s). A loop over a
/// path's few bytes: `str::split_once` with a `char` costs a searcher set up per call, and
/// this runs a few times on every Graph request.
fn split_at_byte(text: &str, byte: u8) -> Option<(&str, &str)> {
    debug_assert!(byte.is_ascii());
    let at = text.bytes().position(|b| b == byte)?;
    Some((&text[..at], &text[at + 1..]))
}

/// Splits `/{version}/{node}[/{edge}]`, tolerating one trailing slash.
pub fn parse_path(path: &str) -> Result<Route, GraphError> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    // Sliced rather than split into a list: this runs on every Graph request.
    let (first, after_first) = match split_at_byte(trimmed, b'/') {
        Some((first, rest)) => (first, Some(rest)),
        None => (trimmed, None),
    };
    let (version, rest) = match parse_version(first) {
        Some(v) => {
            if v > NEWEST {
                return Err(GraphError::unknown_path(&format!(
                    "/{}",
                    after_first.unwrap_or("")
                )));
            }
            (version_name(v.max(OLDEST_USABLE)), after_first)
        }
        None => (
            Cow::Borrowed(DEFAULT_VERSION),
            (!trimmed.is_empty()).then_some(trimmed),
        ),
    };
    let Some(rest) = rest else {
        return Err(GraphError::unknown_path("/"));
    };
    let (node, edge, extra) = match split_at_byte(rest, b'/') {
        None => (rest, None, None),
        Some((node, after)) => match split_at_byte(after, b'/') {
            None => (node, Some(after), None),
            Some((edge, extra)) => (node, Some(edge), Some(extra)),
        },
    };
    match (edge, extra) {
        (_, Some(extra)) => Err(GraphError::unknown_path(&format!("/{extra}"))),
        (None, None) if !node.is_empty() => Ok(Route {
            version,
            node: node.to_string(),
            id: crate::world::parse_id(node),
            edge: None,
        }),
        (Some(edge), None) if !node.is_empty() && !edge.is_empty() => Ok(Route {
            version,
            node: node.to_string(),
            id: crate::world::parse_id(node),
            edge: Some(edge.to_string()),
        }),
        _ => Err(GraphError::unknown_path(path)),
    }
}

/// The versions Graph serves today, `OLDEST_USABLE` to `NEWEST`, as written in paths and in
/// the `facebook-api-version` header.
pub const SERVED_VERSIONS: [&str; 8] = [
    "v19.0", "v20.0", "v21.0", "v22.0", "v23.0", "v24.0", "v25.0", "v26.0",
];

/// `v23.0` for (23, 0), without the formatter for the versions Graph serves today.
fn version_name(v: (u32, u32)) -> Cow<'static, str> {
    match SERVED_VERSIONS.get(v.0.wrapping_sub(OLDEST_USABLE.0) as usize) {
        Some(name) if v.1 == 0 => Cow::Borrowed(name),
        _ => Cow::Owned(format!("v{}.{}", v.0, v.1)),
    }
}

/// The access token: `Authorization: Bearer|OAuth <token>`, else `access_token` from the
/// query or body. Present but empty is an invalid token; absent is a missing one.
pub fn token<'r>(
    req: &'r Incoming,
    params: &mut Params,
) -> Result<std::borrow::Cow<'r, str>, DomainError> {
    let from_param = params.take("access_token");
    if let Some(auth) = req.header(http::header::AUTHORIZATION) {
        let auth = auth.trim();
        let (scheme, value) = split_at_byte(auth, b' ').unwrap_or((auth, ""));
        if scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth") {
            let value = value.trim();
            if value.is_empty() {
                return Err(DomainError::AccessTokenInvalid);
            }
            return Ok(std::borrow::Cow::Borrowed(value));
        }
    }
    match from_param {
        Some(Param::Text(t)) if !t.trim().is_empty() => {
            Ok(std::borrow::Cow::Owned(t.trim().to_string()))
        }
        Some(_) => Err(DomainError::AccessTokenInvalid),
        None => Err(DomainError::AccessTokenMissing),
    }
}

/// One entry of a `fields` parameter: `phone_numbers.limit(5){id,status}` is the name
/// `phone_numbers`, limit 5 and sub-fields `id,status` (Graph's field expansion).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: String,
    /// The text between the braces, when there are any.
    pub sub: Option<String>,
    pub limit: Option<usize>,
}

/// Splits text at top-level commas (outside braces and parentheses).
fn top_level(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' | '(' => depth += 1,
            '}' | ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out.into_iter()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect()
}

/// Checks the nesting of a `fields` parameter without allocating: every `{` follows a
/// field name and is closed, every `}` closes one, every `(` is closed (graph-fidelity-review.md
/// row 12). Anything else is read leniently, as before. Positions count characters.
pub fn check_field_syntax(spec: &str) -> Result<(), GraphError> {
    let mut depth = 0usize;
    let mut in_args = false;
    // At the start, after `,` and after `{`, a name must come before another `{`.
    let mut expect_name = true;
    let mut count = 0;
    for (at, c) in spec.chars().enumerate() {
        count = at + 1;
        if in_args {
            in_args = c != ')';
            continue;
        }
        match c {
            '(' => in_args = true,
            '{' if expect_name => return Err(GraphError::field_syntax("Expected name.", at, spec)),
            '{' => {
                depth += 1;
                expect_name = true;
            }
            '}' if depth == 0 => {
                return Err(GraphError::field_syntax(
                    r#"Expected end of string instead of "}"."#,
                    at,
                    spec,
                ));
            }
            '}' => {
                depth -= 1;
                expect_name = false;
            }
            ',' => expect_name = true,
            c if c.is_whitespace() => {}
            _ => expect_name = false,
        }
    }
    let missing = if in_args {
        r#"Expected ")" instead of end of string."#
    } else if depth > 0 {
        r#"Expected "}" instead of end of string."#
    } else {
        return Ok(());
    };
    Err(GraphError::field_syntax(missing, count, spec))
}

/// The entries of a `fields` parameter.
pub fn field_specs(spec: &str) -> Vec<FieldSpec> {
    top_level(spec)
        .into_iter()
        .filter_map(|entry| {
            let name_end = entry.find(['.', '{', '(']).unwrap_or(entry.len());
            let name = entry[..name_end].trim();
            if name.is_empty() {
                return None;
            }
            let sub = match (entry.find('{'), entry.rfind('}')) {
                (Some(open), Some(close)) if close > open => {
                    Some(entry[open + 1..close].to_string())
                }
                _ => None,
            };
            // `.limit(n)` outside the braces.
            let head = entry.split('{').next().unwrap_or("");
            let limit = head
                .find(".limit(")
                .and_then(|i| head[i + 7..].split(')').next())
                .and_then(|n| n.trim().parse().ok());
            Some(FieldSpec {
                name: name.to_string(),
                sub,
                limit,
            })
        })
        .collect()
}

/// The top-level names of a `fields` parameter: `a,b{c,d},e.limit(5)` gives `a, b, e`.
pub fn field_names(spec: &str) -> Vec<String> {
    field_specs(spec).into_iter().map(|f| f.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        let r = parse_path("/v23.0/123/phone_numbers/").unwrap();
        assert_eq!(
            (r.version.as_ref(), r.node.as_str(), r.edge.as_deref()),
            ("v23.0", "123", Some("phone_numbers"))
        );
        assert_eq!(r.id, Some(123));
        let r = parse_path("/v17.0/123").unwrap();
        assert_eq!(r.version, "v19.0");
        // The node read as an id once, as `parse_id` reads it; a name or a non-canonical id
        // too large for one is none.
        for (path, id) in [
            ("/v23.0/110000000000001", Some(110_000_000_000_001)),
            ("/v23.0/debug_token", None),
            ("/v23.0/1a/phone_numbers", None),
            ("/v23.0/99999999999999999999", None),
        ] {
            assert_eq!(parse_path(path).unwrap().id, id, "{path}");
        }
        let r = parse_path("/123/register").unwrap();
        assert_eq!(r.version, DEFAULT_VERSION);
        let e = parse_path("/v99.0/123/phone_numbers").unwrap_err();
        assert_eq!(e.code, 2500);
        assert_eq!(e.message, "Unknown path components: /123/phone_numbers");
        // Review row 12: a version too large for any integer is an unknown version too.
        for path in ["/v999999999999.0/x", "/v99.0/x", "/v23.99999999999/x"] {
            let e = parse_path(path).unwrap_err();
            assert_eq!(
                (e.code, e.message.as_str()),
                (2500, "Unknown path components: /x")
            );
        }
        assert_eq!(parse_path("/v+5.0/1").unwrap().node, "v+5.0");
        let e = parse_path("/v23.0/1/a/b/c").unwrap_err();
        assert_eq!(e.message, "Unknown path components: /b/c");
        assert!(parse_path("/v23.0/").is_err());
        assert!(parse_path("/").is_err());
        assert_eq!(parse_path("/v23.5/1").unwrap().version, "v23.5");
        assert_eq!(parse_path("/v26.0/1").unwrap().version, "v26.0");
        assert_eq!(
            SERVED_VERSIONS.last().copied(),
            Some(format!("v{}.{}", NEWEST.0, NEWEST.1).as_str())
        );
        assert_eq!(
            SERVED_VERSIONS[0],
            format!("v{}.{}", OLDEST_USABLE.0, OLDEST_USABLE.1)
        );
        for (path, unknown) in [
            ("/v23.0", "/"),
            ("/v23.0//", "/v23.0//"),
            ("/1//", "/1//"),
            ("/1/a/b", "/b"),
        ] {
            assert_eq!(
                parse_path(path).unwrap_err().message,
                format!("Unknown path components: {unknown}"),
                "{path}"
            );
        }
    }

    #[test]
    fn field_expansion() {
        let specs = field_specs(
            "name,phone_numbers.limit(2){id,status},subscribed_apps, message_templates{name}",
        );
        assert_eq!(specs.len(), 4);
        assert_eq!(specs[1].name, "phone_numbers");
        assert_eq!(specs[1].limit, Some(2));
        assert_eq!(specs[1].sub.as_deref(), Some("id,status"));
        assert_eq!(specs[2].sub, None);
        assert_eq!(specs[3].sub.as_deref(), Some("name"));
    }

    #[test]
    fn field_syntax() {
        for ok in [
            "",
            "id,name",
            "phone_numbers.limit(2){id,status},message_templates{name}",
            "a,,b,",
            "phone_numbers{}",
            "x{y{z}}",
        ] {
            assert_eq!(check_field_syntax(ok), Ok(()), "{ok}");
        }
        for (bad, message) in [
            (
                "phone_numbers{{{{",
                r#"Syntax error "Expected name." at character 14: phone_numbers{{{{"#,
            ),
            (
                "phone_numbers{id",
                r#"Syntax error "Expected "}" instead of end of string." at character 16: phone_numbers{id"#,
            ),
            (
                "id}",
                r#"Syntax error "Expected end of string instead of "}"." at character 2: id}"#,
            ),
            (
                "a.limit(2",
                r#"Syntax error "Expected ")" instead of end of string." at character 9: a.limit(2"#,
            ),
            (
                "{id}",
                r#"Syntax error "Expected name." at character 0: {id}"#,
            ),
        ] {
            let e = check_field_syntax(bad).unwrap_err();
            assert_eq!((e.code, e.message.as_str()), (2500, message), "{bad}");
        }
    }

    #[test]
    fn fields() {
        assert_eq!(
            field_names("id, name ,throughput{level},quality_score.limit(1)"),
            vec!["id", "name", "throughput", "quality_score"]
        );
        assert!(field_names("").is_empty());
    }
}
