//! Graph routing as data: the operations ([`Op`]) and the one table ([`OPS`]) that gives each
//! its name, method and route shape (and so its node kind and edge).
//!
//! Made from the table, when compiling: [`Op::name`], [`Op::NAMES`] (fault validation, the
//! journal, the control API's documentation), [`Op::is_read`] (a `GET`) and [`Op::is_list`] (a
//! `GET` on an edge), each an index into an array, and the edges each node kind has (which tell
//! an unknown edge from a method the route does not take). Made from it at run time, off the
//! hot path: the routes the unmatched-request hints name ([`explain_unmatched`]). [`classify`]
//! runs on every request and stays a `match`; the tests check it against the table both ways.

use std::sync::OnceLock;

use http::Method;

use crate::api::unmatched::{self, Explanation, RouteShape};

/// What kind of object a node id names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Waba,
    Phone,
    Template,
    /// A business portfolio (a partner's: its clients' WABAs, its credit lines).
    Business,
    /// A partner's credit line (extended credit).
    CreditLine,
    /// `oauth`, the literal node of `/oauth/access_token`.
    OAuth,
    /// `debug_token`, a literal node.
    DebugToken,
    /// An uploaded media object.
    Media,
    /// `whatsapp_business`, the literal node of the media download URL's path
    /// (`/whatsapp_business/attachments/`, the path of Meta's lookaside URL).
    Attachments,
}

impl NodeKind {
    /// Every kind, for the tests and the table's checks.
    pub const ALL: [NodeKind; 9] = [
        NodeKind::Waba,
        NodeKind::Phone,
        NodeKind::Template,
        NodeKind::Business,
        NodeKind::CreditLine,
        NodeKind::OAuth,
        NodeKind::DebugToken,
        NodeKind::Media,
        NodeKind::Attachments,
    ];

    /// How a route shape writes a node of this kind: a placeholder, or the literal node.
    pub const fn placeholder(self) -> &'static str {
        match self {
            NodeKind::Waba => "{waba_id}",
            NodeKind::Phone => "{phone_number_id}",
            NodeKind::Template => "{template_id}",
            NodeKind::Business => "{business_id}",
            NodeKind::CreditLine => "{credit_line_id}",
            NodeKind::OAuth => "oauth",
            NodeKind::DebugToken => "debug_token",
            NodeKind::Media => "{media_id}",
            NodeKind::Attachments => "whatsapp_business",
        }
    }

    /// The kind a literal node names (`oauth`, `debug_token`), if it is one.
    pub fn literal(node: &str) -> Option<NodeKind> {
        match node {
            "oauth" => Some(NodeKind::OAuth),
            "debug_token" => Some(NodeKind::DebugToken),
            "whatsapp_business" => Some(NodeKind::Attachments),
            _ => None,
        }
    }
}

/// The operations of this facade; their names are what faults and the journal match on.
/// The routed ones come first, in the order of [`OPS`] (checked when compiling).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    MigratePhoneNumber,
    AddPhoneNumber,
    ListPhoneNumbers,
    GetPhoneNumber,
    SetPin,
    RequestCode,
    VerifyCode,
    Register,
    Deregister,
    GetWaba,
    ListTemplates,
    CreateTemplate,
    DeleteTemplate,
    GetTemplate,
    ListSubscribedApps,
    SubscribeApp,
    UnsubscribeApp,
    MigrateTemplates,
    ExchangeCode,
    DebugToken,
    ListClientWabas,
    ListCreditLines,
    ShareCreditLine,
    SendMessage,
    UploadMedia,
    GetMedia,
    DeleteMedia,
    DownloadMedia,
    /// A node that does not exist.
    UnknownNode,
    /// A node that exists, with an edge it does not have.
    UnknownEdge,
    /// A node and edge that exist, with a method they do not support.
    UnsupportedMethod,
}

/// The methods Graph's routes take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
    Delete,
}

impl Verb {
    pub const fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Delete => "DELETE",
        }
    }

    pub fn method(self) -> Method {
        match self {
            Verb::Get => Method::GET,
            Verb::Post => Method::POST,
            Verb::Delete => Method::DELETE,
        }
    }
}

/// One row of [`OPS`]: an operation and the route that reaches it.
#[derive(Clone, Copy, Debug)]
pub struct OpRoute {
    pub op: Op,
    /// What faults and the journal match on.
    pub name: &'static str,
    pub method: Verb,
    /// The path after the version: the node as its kind's placeholder, then the edge if any.
    pub shape: &'static str,
    /// Read from `shape`.
    pub kind: NodeKind,
    /// Read from `shape`.
    pub edge: Option<&'static str>,
}

/// A row of [`OPS`]; the node kind and edge are read from `shape` (a shape that does not
/// start with a kind's placeholder or literal node, or has more than one edge, does not
/// compile).
const fn route(op: Op, name: &'static str, method: Verb, shape: &'static str) -> OpRoute {
    let s = shape.as_bytes();
    assert!(s.len() > 2 && s[0] == b'/', "a shape starts with /");
    let mut end = 1;
    while end < s.len() && s[end] != b'/' {
        end += 1;
    }
    let (node, rest) = s.split_at(end);
    let (_, node) = node.split_at(1);
    let mut k = 0;
    let kind = loop {
        assert!(
            k < NodeKind::ALL.len(),
            "a shape's node is a kind's placeholder"
        );
        if same_bytes(node, NodeKind::ALL[k].placeholder().as_bytes()) {
            break NodeKind::ALL[k];
        }
        k += 1;
    };
    let edge = if rest.is_empty() {
        None
    } else {
        let (slash, edge) = rest.split_at(1);
        assert!(
            slash[0] == b'/' && !edge.is_empty(),
            "an edge follows the node"
        );
        let mut i = 0;
        while i < edge.len() {
            assert!(edge[i] != b'/', "a shape has at most one edge");
            i += 1;
        }
        match std::str::from_utf8(edge) {
            Ok(edge) => Some(edge),
            Err(_) => panic!("a shape is text"),
        }
    };
    OpRoute {
        op,
        name,
        method,
        shape,
        kind,
        edge,
    }
}

const fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

use Verb::{Delete, Get, Post};

/// Every Graph operation and its route (reference meta-graph.md §3–§4), in [`Op`]'s order,
/// which is also the order the unmatched-request hints list routes in. Add an operation here
/// and in [`classify`] (the tests check one against the other).
pub const OPS: &[OpRoute] = &[
    route(
        Op::MigratePhoneNumber,
        "migrate_phone_number",
        Post,
        "/{waba_id}/phone_numbers",
    ),
    // The same route as migrate_phone_number, told apart by `migrate_phone_number=false`.
    route(
        Op::AddPhoneNumber,
        "add_phone_number",
        Post,
        "/{waba_id}/phone_numbers",
    ),
    route(
        Op::ListPhoneNumbers,
        "list_phone_numbers",
        Get,
        "/{waba_id}/phone_numbers",
    ),
    route(
        Op::GetPhoneNumber,
        "get_phone_number",
        Get,
        "/{phone_number_id}",
    ),
    route(Op::SetPin, "set_pin", Post, "/{phone_number_id}"),
    route(
        Op::RequestCode,
        "request_code",
        Post,
        "/{phone_number_id}/request_code",
    ),
    route(
        Op::VerifyCode,
        "verify_code",
        Post,
        "/{phone_number_id}/verify_code",
    ),
    route(
        Op::Register,
        "register",
        Post,
        "/{phone_number_id}/register",
    ),
    route(
        Op::Deregister,
        "deregister",
        Post,
        "/{phone_number_id}/deregister",
    ),
    route(Op::GetWaba, "get_waba", Get, "/{waba_id}"),
    route(
        Op::ListTemplates,
        "list_message_templates",
        Get,
        "/{waba_id}/message_templates",
    ),
    route(
        Op::CreateTemplate,
        "create_message_template",
        Post,
        "/{waba_id}/message_templates",
    ),
    route(
        Op::DeleteTemplate,
        "delete_message_template",
        Delete,
        "/{waba_id}/message_templates",
    ),
    route(
        Op::GetTemplate,
        "get_message_template",
        Get,
        "/{template_id}",
    ),
    route(
        Op::ListSubscribedApps,
        "list_subscribed_apps",
        Get,
        "/{waba_id}/subscribed_apps",
    ),
    route(
        Op::SubscribeApp,
        "subscribe_app",
        Post,
        "/{waba_id}/subscribed_apps",
    ),
    route(
        Op::UnsubscribeApp,
        "unsubscribe_app",
        Delete,
        "/{waba_id}/subscribed_apps",
    ),
    route(
        Op::MigrateTemplates,
        "migrate_message_templates",
        Post,
        "/{waba_id}/migrate_message_templates",
    ),
    // Embedded Signup (reference meta-graph.md §9.1; api/graph/ops/signup.rs).
    route(
        Op::ExchangeCode,
        "exchange_code",
        Get,
        "/oauth/access_token",
    ),
    route(Op::DebugToken, "debug_token", Get, "/debug_token"),
    route(
        Op::ListClientWabas,
        "list_client_whatsapp_business_accounts",
        Get,
        "/{business_id}/client_whatsapp_business_accounts",
    ),
    route(
        Op::ListCreditLines,
        "list_extended_credits",
        Get,
        "/{business_id}/extendedcredits",
    ),
    route(
        Op::ShareCreditLine,
        "whatsapp_credit_sharing_and_attach",
        Post,
        "/{credit_line_id}/whatsapp_credit_sharing_and_attach",
    ),
    route(
        Op::SendMessage,
        "send_message",
        Post,
        "/{phone_number_id}/messages",
    ),
    // Media (reference messaging-and-360dialog.md, "Cloud API messages + media"; ops/media.rs).
    route(
        Op::UploadMedia,
        "upload_media",
        Post,
        "/{phone_number_id}/media",
    ),
    route(Op::GetMedia, "get_media", Get, "/{media_id}"),
    route(Op::DeleteMedia, "delete_media", Delete, "/{media_id}"),
    route(
        Op::DownloadMedia,
        "download_media",
        Get,
        "/whatsapp_business/attachments",
    ),
];

/// How many operations there are, the unmatched ones included.
const COUNT: usize = Op::UnsupportedMethod as usize + 1;

// `OPS` has one row per routed operation, in `Op`'s order: a row's index is its operation.
const _: () = {
    assert!(OPS.len() == Op::UnknownNode as usize);
    let mut i = 0;
    while i < OPS.len() {
        assert!(
            OPS[i].op as usize == i,
            "OPS lists the operations in Op's order"
        );
        i += 1;
    }
};

/// A table of `$len` entries by `Op as usize`: `$value` for each row of [`OPS`] (`$row` names
/// it), then `$rest` for the operations that have no row (the unmatched ones).
macro_rules! by_row {
    ($len:expr, $rest:expr, |$row:ident| $value:expr) => {{
        let mut table = [$rest; $len];
        let mut i = 0;
        while i < OPS.len() {
            let $row = &OPS[i];
            table[i] = $value;
            i += 1;
        }
        table
    }};
}

/// [`Op::NAMES`].
const NAMES: [&str; OPS.len()] = by_row!(OPS.len(), "", |row| row.name);

/// [`Op::name`], by `Op as usize`: the unmatched operations are all `unmatched`.
const NAME: [&str; COUNT] = by_row!(COUNT, "unmatched", |row| row.name);

/// [`Op::is_read`], by `Op as usize`: a `GET`, or an unmatched request (it only looks).
const READ: [bool; COUNT] = by_row!(COUNT, true, |row| matches!(row.method, Verb::Get));

/// [`Op::is_list`], by `Op as usize`: a `GET` on an edge of a node with an id (the edge of
/// the literal `oauth` answers a token, not a page).
const LIST: [bool; COUNT] = by_row!(COUNT, false, |row| matches!(row.method, Verb::Get)
    && row.edge.is_some()
    && row.shape.as_bytes()[1] == b'{');

impl Op {
    /// Every operation name, for fault validation and the control API's documentation.
    pub const NAMES: &'static [&'static str] = &NAMES;

    pub fn name(self) -> &'static str {
        NAME[self as usize]
    }

    /// Whether the operation only reads the world (and so may share it with other reads).
    pub fn is_read(self) -> bool {
        READ[self as usize]
    }

    /// Whether the operation answers a page of a list (and so writes paging links).
    pub fn is_list(self) -> bool {
        LIST[self as usize]
    }

    /// The operation's row of [`OPS`]; `None` for the unmatched ones.
    pub fn route(self) -> Option<&'static OpRoute> {
        OPS.get(self as usize)
    }
}

/// Names the operation a method takes on a node of `kind` (`None`: no such node) and `edge`.
/// `migrate` is the `migrate_phone_number` flag, which tells the two `POST`s on
/// `phone_numbers` apart.
pub fn classify(method: &Method, kind: Option<NodeKind>, edge: Option<&str>, migrate: bool) -> Op {
    use NodeKind::*;
    let Some(kind) = kind else {
        return Op::UnknownNode;
    };
    let get = *method == Method::GET;
    let post = *method == Method::POST;
    let delete = *method == Method::DELETE;
    let known_edge = |edges: &[&str]| edge.is_none_or(|e| edges.contains(&e));
    match (kind, edge) {
        (Waba, Some("phone_numbers")) if post && migrate => Op::MigratePhoneNumber,
        (Waba, Some("phone_numbers")) if post => Op::AddPhoneNumber,
        (Waba, Some("phone_numbers")) if get => Op::ListPhoneNumbers,
        (Waba, None) if get => Op::GetWaba,
        (Waba, Some("message_templates")) if get => Op::ListTemplates,
        (Waba, Some("message_templates")) if post => Op::CreateTemplate,
        (Waba, Some("message_templates")) if delete => Op::DeleteTemplate,
        (Waba, Some("subscribed_apps")) if get => Op::ListSubscribedApps,
        (Waba, Some("subscribed_apps")) if post => Op::SubscribeApp,
        (Waba, Some("subscribed_apps")) if delete => Op::UnsubscribeApp,
        (Waba, Some("migrate_message_templates")) if post => Op::MigrateTemplates,
        (Phone, None) if get => Op::GetPhoneNumber,
        (Phone, None) if post => Op::SetPin,
        (Phone, Some("request_code")) if post => Op::RequestCode,
        (Phone, Some("verify_code")) if post => Op::VerifyCode,
        (Phone, Some("register")) if post => Op::Register,
        (Phone, Some("deregister")) if post => Op::Deregister,
        (Phone, Some("messages")) if post => Op::SendMessage,
        (Phone, Some("media")) if post => Op::UploadMedia,
        (Media, None) if get => Op::GetMedia,
        (Media, None) if delete => Op::DeleteMedia,
        (Attachments, Some("attachments")) if get => Op::DownloadMedia,
        (Template, None) if get => Op::GetTemplate,
        (OAuth, Some("access_token")) if get => Op::ExchangeCode,
        (DebugToken, None) if get => Op::DebugToken,
        (Business, Some("client_whatsapp_business_accounts")) if get => Op::ListClientWabas,
        (Business, Some("extendedcredits")) if get => Op::ListCreditLines,
        (CreditLine, Some("whatsapp_credit_sharing_and_attach")) if post => Op::ShareCreditLine,
        // A node without an edge always has a route (with some other method).
        (Waba, _) if known_edge(&WABA_EDGES) => Op::UnsupportedMethod,
        (Phone, _) if known_edge(&PHONE_EDGES) => Op::UnsupportedMethod,
        (Template, _) if known_edge(&TEMPLATE_EDGES) => Op::UnsupportedMethod,
        (DebugToken, None) => Op::UnsupportedMethod,
        (Media, None) => Op::UnsupportedMethod,
        // These nodes have routes only with an edge.
        (Business, Some(e)) if BUSINESS_EDGES.contains(&e) => Op::UnsupportedMethod,
        (CreditLine, Some(e)) if CREDIT_LINE_EDGES.contains(&e) => Op::UnsupportedMethod,
        (OAuth, Some(e)) if OAUTH_EDGES.contains(&e) => Op::UnsupportedMethod,
        (Attachments, Some(e)) if ATTACHMENTS_EDGES.contains(&e) => Op::UnsupportedMethod,
        _ => Op::UnknownEdge,
    }
}

// The edges each node kind's routes have, made from `OPS` when compiling: an edge outside
// them is unknown, one inside them with no route for the method is a method not supported.
const WABA_EDGES: [&str; edge_count(NodeKind::Waba)] = edges(NodeKind::Waba);
const PHONE_EDGES: [&str; edge_count(NodeKind::Phone)] = edges(NodeKind::Phone);
const TEMPLATE_EDGES: [&str; edge_count(NodeKind::Template)] = edges(NodeKind::Template);
const BUSINESS_EDGES: [&str; edge_count(NodeKind::Business)] = edges(NodeKind::Business);
const CREDIT_LINE_EDGES: [&str; edge_count(NodeKind::CreditLine)] = edges(NodeKind::CreditLine);
const OAUTH_EDGES: [&str; edge_count(NodeKind::OAuth)] = edges(NodeKind::OAuth);
const ATTACHMENTS_EDGES: [&str; edge_count(NodeKind::Attachments)] = edges(NodeKind::Attachments);

/// Whether row `i` of [`OPS`] is the first with its edge among `kind`'s routes.
const fn first_with_edge(kind: NodeKind, i: usize) -> bool {
    let Some(edge) = OPS[i].edge else {
        return false;
    };
    if OPS[i].kind as u8 != kind as u8 {
        return false;
    }
    let mut j = 0;
    while j < i {
        if let Some(earlier) = OPS[j].edge
            && OPS[j].kind as u8 == kind as u8
            && same_bytes(earlier.as_bytes(), edge.as_bytes())
        {
            return false;
        }
        j += 1;
    }
    true
}

const fn edge_count(kind: NodeKind) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < OPS.len() {
        if first_with_edge(kind, i) {
            n += 1;
        }
        i += 1;
    }
    n
}

const fn edges<const N: usize>(kind: NodeKind) -> [&'static str; N] {
    let mut edges = [""; N];
    let mut n = 0;
    let mut i = 0;
    while i < OPS.len() {
        if let (true, Some(edge)) = (first_with_edge(kind, i), OPS[i].edge) {
            edges[n] = edge;
            n += 1;
        }
        i += 1;
    }
    edges
}

/// The routes the unmatched-request hints name: one per method and shape, in [`OPS`]'s order
/// (`add_phone_number` shares `migrate_phone_number`'s, which is named).
pub fn route_shapes() -> &'static [RouteShape] {
    static SHAPES: OnceLock<Vec<RouteShape>> = OnceLock::new();
    SHAPES.get_or_init(|| {
        let mut shapes: Vec<RouteShape> = Vec::with_capacity(OPS.len());
        for r in OPS {
            let method = r.method.as_str();
            if !shapes
                .iter()
                .any(|s| s.method == method && s.template == r.shape)
            {
                shapes.push(RouteShape {
                    method,
                    template: r.shape,
                    operation: r.name,
                });
            }
        }
        shapes
    })
}

/// Why no Graph operation took this request, and the routes probably meant. Always `Some`:
/// every Graph path has an explanation.
pub fn explain_unmatched(method: &Method, path: &str) -> Option<Explanation> {
    let segments = segments(path);
    Some(unmatched::explain_against(
        route_shapes(),
        method.as_str(),
        &segments,
        |s| crate::world::parse_id(s).is_some(),
    ))
}

/// The path's segments after an optional `vNN.N` version.
fn segments(path: &str) -> Vec<&str> {
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

#[cfg(test)]
#[path = "op_tests.rs"]
mod tests;
