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

use http::Method;
use serde_json::{Value, json};

/// One route of a facade, as the hint shows it.
#[derive(Clone, Copy, Debug)]
pub struct RouteShape {
    pub method: &'static str,
    /// Segments after the version; `{...}` is a node id.
    pub template: &'static str,
    pub operation: &'static str,
}

/// Graph's routes (reference meta-graph.md §3–§4), in the order the facade classifies them.
pub const GRAPH_ROUTES: &[RouteShape] = &[
    RouteShape {
        method: "POST",
        template: "/{waba_id}/phone_numbers",
        operation: "migrate_phone_number",
    },
    RouteShape {
        method: "GET",
        template: "/{waba_id}/phone_numbers",
        operation: "list_phone_numbers",
    },
    RouteShape {
        method: "GET",
        template: "/{phone_number_id}",
        operation: "get_phone_number",
    },
    RouteShape {
        method: "POST",
        template: "/{phone_number_id}",
        operation: "set_pin",
    },
    RouteShape {
        method: "POST",
        template: "/{phone_number_id}/request_code",
        operation: "request_code",
    },
    RouteShape {
        method: "POST",
        template: "/{phone_number_id}/verify_code",
        operation: "verify_code",
    },
    RouteShape {
        method: "POST",
        template: "/{phone_number_id}/register",
        operation: "register",
    },
    RouteShape {
        method: "POST",
        template: "/{phone_number_id}/deregister",
        operation: "deregister",
    },
    RouteShape {
        method: "GET",
        template: "/{waba_id}",
        operation: "get_waba",
    },
    RouteShape {
        method: "GET",
        template: "/{waba_id}/message_templates",
        operation: "list_message_templates",
    },
    RouteShape {
        method: "POST",
        template: "/{waba_id}/message_templates",
        operation: "create_message_template",
    },
    RouteShape {
        method: "DELETE",
        template: "/{waba_id}/message_templates",
        operation: "delete_message_template",
    },
    RouteShape {
        method: "GET",
        template: "/{template_id}",
        operation: "get_message_template",
    },
    RouteShape {
        method: "GET",
        template: "/{waba_id}/subscribed_apps",
        operation: "list_subscribed_apps",
    },
    RouteShape {
        method: "POST",
        template: "/{waba_id}/subscribed_apps",
        operation: "subscribe_app",
    },
    RouteShape {
        method: "DELETE",
        template: "/{waba_id}/subscribed_apps",
        operation: "unsubscribe_app",
    },
    RouteShape {
        method: "POST",
        template: "/{waba_id}/migrate_message_templates",
        operation: "migrate_message_templates",
    },
];

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

/// The path's segments after an optional `vNN.N` version.
fn graph_segments(path: &str) -> Vec<&str> {
    let trimmed = path.trim_matches('/');
    let mut segs: Vec<&str> = trimmed.split('/').filter(|s| !s.is_empty()).collect();
    if segs
        .first()
        .is_some_and(|s| s.starts_with('v') && s[1..].contains('.'))
    {
        segs.remove(0);
    }
    segs
}

pub(crate) fn explain_graph(method: &str, path: &str) -> Explanation {
    let segs = graph_segments(path);
    let shape_of = |r: &RouteShape| -> Vec<&'static str> {
        r.template
            .trim_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .collect()
    };
    let fits = |r: &RouteShape| {
        let t = shape_of(r);
        t.len() == segs.len()
            && t.iter().zip(&segs).all(|(t, s)| {
                if t.starts_with('{') {
                    crate::world::parse_id(s).is_some()
                } else {
                    t == s
                }
            })
    };
    let same_shape: Vec<&RouteShape> = GRAPH_ROUTES.iter().filter(|r| fits(r)).collect();
    let reason = if same_shape.iter().any(|r| r.method == method) {
        Reason::UnknownNode
    } else if !same_shape.is_empty() {
        Reason::MethodNotAllowed
    } else {
        Reason::NoRoute
    };
    let mut scored: Vec<(usize, &RouteShape)> = GRAPH_ROUTES
        .iter()
        .map(|r| {
            let t = shape_of(r);
            let mut score = 0usize;
            if r.method != method {
                score += 2;
            }
            score += 4 * t.len().abs_diff(segs.len());
            for (i, tseg) in t.iter().enumerate() {
                match segs.get(i) {
                    Some(s) if tseg.starts_with('{') && crate::world::parse_id(s).is_none() => {
                        score += 3
                    }
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

    #[test]
    fn a_typo_in_an_edge_points_at_the_route() {
        let e = explain_graph("POST", "/v23.0/110000000000001/registr");
        assert_eq!(e.reason, Reason::NoRoute);
        assert_eq!(e.closest[0], "POST /{version}/{phone_number_id}/register");
    }

    #[test]
    fn wrong_method_and_unknown_node() {
        let e = explain_graph("PUT", "/v23.0/110000000000001/register");
        assert_eq!(e.reason, Reason::MethodNotAllowed);
        let e = explain_graph("GET", "/v23.0/999/phone_numbers");
        assert_eq!(e.reason, Reason::UnknownNode);
        assert_eq!(e.closest[0], "GET /{version}/{waba_id}/phone_numbers");
    }

    #[test]
    fn routes_cover_every_graph_operation() {
        for op in crate::api::graph::Op::NAMES {
            if *op == "add_phone_number" {
                continue; // the same route as migrate_phone_number, told apart by a parameter
            }
            assert!(
                GRAPH_ROUTES.iter().any(|r| r.operation == *op),
                "{op} has no route shape"
            );
        }
    }
}
