//! Requests no operation matched: why, and which routes were probably meant.
//!
//! A facade answers an unmatched request in its vendor's shape (Graph: `Unknown path
//! components`, or `Unsupported get request` for an id that names nothing). The journal lists
//! those requests apart, with the closest routes as a hint, and `--strict` answers a loud
//! error naming the closest route instead of Graph's generic unknown-path error.
//!
//! What `--strict` replaces: a path whose shape or method no route has. A well-formed path
//! whose node id names nothing in the namespace is still answered as Graph does (error 100,
//! subcode 33): that is a real answer a client must handle, not a typo in the client.
//!
//! Each facade keeps its own routes and reads its own paths (Graph: `graph::op`, from its
//! operation table); what is common lives here: the reasons, the route shape, and the
//! closest-route distance ([`explain_against`]).

use http::Method;
use serde_json::{Value, json};

/// One route of a facade, as the hint shows it.
#[derive(Clone, Copy, Debug)]
pub struct RouteShape {
    pub method: &'static str,
    /// The path after what every route shares (Graph's version); `{...}` is a node id.
    pub template: &'static str,
    pub operation: &'static str,
}

/// Why a request was unmatched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// No route has this shape (wrong edge, too many segments, a version Graph does not know).
    NoRoute,
    /// A route has this shape, but not with this method.
    MethodNotAllowed,
    /// The shape is right; the node id names nothing here (or not what the edge needs).
    UnknownNode,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NoRoute => "no_route",
            Reason::MethodNotAllowed => "method_not_allowed",
            Reason::UnknownNode => "unknown_node",
        }
    }
}

/// The explanation of one unmatched request.
#[derive(Clone, Debug)]
pub struct Explanation {
    pub reason: Reason,
    /// Up to three routes, closest first, as `METHOD /{version}/...`.
    pub closest: Vec<String>,
}

impl Explanation {
    pub fn to_json(&self) -> Value {
        json!({"reason": self.reason.as_str(), "closest": self.closest})
    }
}

/// Explains a request no route took, against a facade's `routes`: `segments` are the
/// request's path segments after anything the routes leave out (Graph's version), `is_id`
/// tells whether a segment could fill a `{...}` placeholder.
pub fn explain_against(
    routes: &[RouteShape],
    method: &str,
    segments: &[&str],
    is_id: impl Fn(&str) -> bool,
) -> Explanation {
    let shape_of = |r: &RouteShape| -> Vec<&'static str> {
        r.template
            .trim_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .collect()
    };
    let fits = |r: &RouteShape| {
        let t = shape_of(r);
        t.len() == segments.len()
            && t.iter()
                .zip(segments)
                .all(|(t, s)| if t.starts_with('{') { is_id(s) } else { t == s })
    };
    let same_shape: Vec<&RouteShape> = routes.iter().filter(|r| fits(r)).collect();
    let reason = if same_shape.iter().any(|r| r.method == method) {
        Reason::UnknownNode
    } else if !same_shape.is_empty() {
        Reason::MethodNotAllowed
    } else {
        Reason::NoRoute
    };
    let mut scored: Vec<(usize, &RouteShape)> = routes
        .iter()
        .map(|r| {
            let t = shape_of(r);
            let mut score = 0usize;
            if r.method != method {
                score += 2;
            }
            score += 4 * t.len().abs_diff(segments.len());
            for (i, tseg) in t.iter().enumerate() {
                match segments.get(i) {
                    Some(s) if tseg.starts_with('{') && !is_id(s) => score += 3,
                    Some(_) if tseg.starts_with('{') => {}
                    Some(s) => score += edit_distance(tseg, s).min(8),
                    None => {}
                }
            }
            (score, r)
        })
        .collect();
    scored.sort_by_key(|(s, _)| *s);
    let closest = scored
        .iter()
        .take(3)
        .map(|(_, r)| format!("{} /{{version}}{}", r.method, r.template))
        .collect();
    Explanation { reason, closest }
}

/// Levenshtein distance over bytes (short path segments only).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The answer `--strict` gives an unmatched request unless its facade has its own: Graph's
/// envelope (`{"error": {...}}`), so Graph clients still parse it, but a type no real error
/// has, HTTP 404, and the closest route named.
pub fn strict_body(method: &Method, path: &str, e: &Explanation) -> String {
    let hint = match e.closest.first() {
        Some(c) => format!(" Closest route: {c}."),
        None => String::new(),
    };
    let message = format!(
        "wabasim --strict: no route matches {method} {path} ({}).{hint}",
        e.reason.as_str().replace('_', " ")
    );
    json!({"error": {
        "message": message,
        "type": "WabasimUnmatchedRoute",
        "code": 404,
        "wabasim": e.to_json(),
    }})
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTES: &[RouteShape] = &[
        RouteShape {
            method: "GET",
            template: "/{id}",
            operation: "get",
        },
        RouteShape {
            method: "POST",
            template: "/{id}/items",
            operation: "add_item",
        },
        RouteShape {
            method: "GET",
            template: "/{id}/items",
            operation: "list_items",
        },
    ];

    fn is_id(s: &str) -> bool {
        s.bytes().all(|b| b.is_ascii_digit())
    }

    #[test]
    fn the_closest_routes_come_first() {
        let e = explain_against(ROUTES, "POST", &["7", "itme"], is_id);
        assert_eq!(e.reason, Reason::NoRoute);
        assert_eq!(
            e.closest,
            [
                "POST /{version}/{id}/items",
                "GET /{version}/{id}/items",
                "GET /{version}/{id}"
            ]
        );
    }

    #[test]
    fn a_fitting_shape_tells_method_from_node() {
        let e = explain_against(ROUTES, "DELETE", &["7", "items"], is_id);
        assert_eq!(e.reason, Reason::MethodNotAllowed);
        let e = explain_against(ROUTES, "GET", &["7", "items"], is_id);
        assert_eq!(e.reason, Reason::UnknownNode);
        assert_eq!(e.closest[0], "GET /{version}/{id}/items");
        let e = explain_against(ROUTES, "GET", &["x", "items"], is_id);
        assert_eq!(e.reason, Reason::NoRoute);
    }

    #[test]
    fn only_graph_has_a_route_table() {
        use crate::api::facade::by_id;
        let explain = |f: &str, m: &Method, p: &str| by_id(f).unwrap().explain_unmatched(m, p);
        assert!(explain("cams", &Method::GET, "/").is_none());
        let e = explain("graph", &Method::POST, "/v23.0/110000000000001/registr").unwrap();
        assert_eq!(e.closest[0], "POST /{version}/{phone_number_id}/register");
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("register", "registr"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
