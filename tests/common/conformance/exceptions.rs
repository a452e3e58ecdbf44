//! Known exceptions: where Meta's OpenAPI document and the reference disagree, the
//! violations a check waives (with the reason), and how one is matched to a violation.

use super::{Violation, normalize_path};

/// A documented disagreement between Meta's schema and facts our reference marks as seen.
///
/// Matching rules: `method` is `*` or an HTTP method (any case); `path_template` is `*` or
/// an OAS path key (the `/{Version}` prefix may be left out); `status` is `*`, an exact
/// status (`503`), a class (`4XX`) or several joined by `|`; `json_pointer` is a JSON
/// pointer pattern where a `*` segment matches one segment and `**` any number of
/// segments (`""` = the body root only); `keyword` is `*` or the violation keyword.
#[derive(Clone, Debug)]
pub struct KnownException {
    pub method: &'static str,
    pub path_template: &'static str,
    pub status: &'static str,
    pub json_pointer: &'static str,
    pub keyword: &'static str,
    pub reason: &'static str,
}

impl KnownException {
    /// Exception for any status and any keyword at `json_pointer`.
    pub const fn new(
        method: &'static str,
        path_template: &'static str,
        json_pointer: &'static str,
        reason: &'static str,
    ) -> Self {
        Self {
            method,
            path_template,
            status: "*",
            json_pointer,
            keyword: "*",
            reason,
        }
    }
    /// Restrict to statuses (`"200"`, `"4XX"`, `"4XX|5XX"`).
    pub const fn status(mut self, status: &'static str) -> Self {
        self.status = status;
        self
    }
    /// Restrict to one violation keyword (`"enum"`, `"required"`, `"responses"`, …).
    pub const fn keyword(mut self, keyword: &'static str) -> Self {
        self.keyword = keyword;
        self
    }

    pub(super) fn matches(&self, method: &str, path: &str, status: u16, v: &Violation) -> bool {
        (self.method == "*" || self.method.eq_ignore_ascii_case(method))
            && (self.path_template == "*" || normalize_path(self.path_template) == path)
            && status_matches(self.status, status)
            && (self.keyword == "*" || self.keyword == v.keyword)
            && pointer_matches(self.json_pointer, &v.json_pointer)
    }
}

fn status_matches(pattern: &str, status: u16) -> bool {
    pattern.split('|').map(str::trim).any(|p| {
        p == "*"
            || p == status.to_string()
            || (p.len() == 3
                && p[1..].eq_ignore_ascii_case("XX")
                && p.as_bytes()[0] == b'0' + (status / 100) as u8)
    })
}

fn pointer_matches(pattern: &str, pointer: &str) -> bool {
    fn segs(s: &str) -> Vec<&str> {
        let s = s.strip_prefix('/').unwrap_or(s);
        if s.is_empty() {
            Vec::new()
        } else {
            s.split('/').collect()
        }
    }
    fn go(p: &[&str], s: &[&str]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some((&"**", rest)) => (0..=s.len()).any(|i| go(rest, &s[i..])),
            Some((&seg, rest)) => !s.is_empty() && (seg == "*" || seg == s[0]) && go(rest, &s[1..]),
        }
    }
    go(&segs(pattern), &segs(pointer))
}

// ---------------------------------------------------------------------------------------
// Known exceptions (starter list)
// ---------------------------------------------------------------------------------------

/// Places where Meta's OpenAPI v23.0 schema contradicts what
/// `shared/reference/meta-graph.md` (the reference) records. Each reason cites the
/// reference section and its evidence tags. Installed by default by [`MetaOpenApi::load`].
pub const META_GRAPH_KNOWN_EXCEPTIONS: &[KnownException] = &[
    // --- phone-number enums -------------------------------------------------------------
    KnownException::new(
        "GET",
        "/{Version}/{Media-ID}",
        "/file_size",
        "messaging-and-360dialog.md, Media URL and open question 7: file_size is a string in \
         OAS, a number in a recorded answer (Ruby SDK cassette) and pywa's example; wabasim \
         answers a number (docs/fidelity.md)",
    )
    .keyword("type"),
    KnownException::new(
        "GET",
        "/{Version}/{Phone-Number-ID}",
        "/code_verification_status",
        "meta-graph.md §4.1 (code_verification_status row) and §2.3: values are \
         NOT_VERIFIED|VERIFIED|EXPIRED [SDK RESTFB][SDK PYWA]; the OAS enum \
         VERIFIED|UNVERIFIED is marked wrong there",
    )
    .keyword("enum"),
    KnownException::new(
        "GET",
        "/{Version}/{WABA-ID}/phone_numbers",
        "/data/*/code_verification_status",
        "meta-graph.md §4.1 (code_verification_status row) and §2.3: values are \
         NOT_VERIFIED|VERIFIED|EXPIRED [SDK RESTFB][SDK PYWA]; the OAS enum \
         VERIFIED|UNVERIFIED is marked wrong there",
    )
    .keyword("enum"),
    KnownException::new(
        "GET",
        "/{Version}/{Phone-Number-ID}",
        "/quality_rating",
        "meta-graph.md §4.1 (quality_rating row): GREEN|YELLOW|RED plus UNKNOWN \
         [OAS][SDK RESTFB]; this OAS schema lists NA instead of UNKNOWN",
    )
    .keyword("enum"),
    KnownException::new(
        "GET",
        "/{Version}/{WABA-ID}/phone_numbers",
        "/data/*/quality_rating",
        "meta-graph.md §4.1 (quality_rating row): GREEN|YELLOW|RED plus UNKNOWN \
         [OAS][SDK RESTFB]; this OAS schema lists NA instead of UNKNOWN",
    )
    .keyword("enum"),
    KnownException::new(
        "GET",
        "/{Version}/{Phone-Number-ID}",
        "/name_status",
        "meta-graph.md §4.1 (name_status row): the enum also has NON_EXISTS [SDK RESTFB], \
         missing from the OAS PhoneNumberInfo enum",
    )
    .keyword("enum"),
    KnownException::new(
        "GET",
        "/{Version}/{WABA-ID}/phone_numbers",
        "/data/*/status",
        "meta-graph.md §4.1 (status row): PENDING DELETED MIGRATED BANNED RESTRICTED \
         RATE_LIMITED FLAGGED CONNECTED DISCONNECTED UNKNOWN UNVERIFIED [SDK RESTFB], and the \
         §2.3 state machine returns CONNECTED after register; OAS WhatsAppPhoneNumberStatus \
         has LINKED/UNLINKED instead (\"OAS has a subset\")",
    )
    .keyword("enum"),
    // --- edges expanded through fields= on their node ------------------------------------
    KnownException::new(
        "GET",
        "/{Version}/{WABA-ID}",
        "/phone_numbers",
        "meta-graph.md §1 (Edges (lists) row): an edge is a connection {data, paging} \
         [OAS CursorPaging][OFF WHM], also when expanded in place with fields=; the OAS \
         WhatsAppBusinessAccount schema types the property as a bare array",
    )
    .keyword("type"),
    KnownException::new(
        "GET",
        "/{Version}/{WABA-ID}",
        "/message_templates",
        "meta-graph.md §1 (Edges (lists) row): an edge is a connection {data, paging} \
         [OAS CursorPaging][OFF WHM], also when expanded in place with fields=; the OAS \
         WhatsAppBusinessAccount schema types the property as a bare array",
    )
    .keyword("type"),
    KnownException::new(
        "GET",
        "/{Version}/{WABA-ID}",
        "/subscribed_apps",
        "meta-graph.md §1 (Edges (lists) row): an edge is a connection {data, paging} \
         [OAS CursorPaging][OFF WHM], also when expanded in place with fields=; the OAS \
         WhatsAppBusinessAccount schema types the property as a bare array",
    )
    .keyword("type"),
    // --- fields= projections vs `required` -------------------------------------------------
    KnownException::new(
        "GET",
        "/{Version}/{WABA-ID}/phone_numbers",
        "/data/*/status",
        "meta-graph.md §1 (`?fields=` row): only the requested fields plus id are returned \
         [OFF OVW]; §4.1's default example has no `status`. The OAS marks it required",
    )
    .keyword("required"),
    KnownException::new(
        "GET",
        "/{Version}/{WABA-ID}/phone_numbers",
        "/data/*/display_phone_number",
        "meta-graph.md §1 (`?fields=` row): only the requested fields plus id are returned \
         [OFF OVW], so fields=status omits display_phone_number. The OAS marks it required",
    )
    .keyword("required"),
    KnownException::new(
        "GET",
        "/{Version}/{WABA-ID}",
        "/name",
        "meta-graph.md §1 (`?fields=` row) [OFF OVW] and §4.2 (default fields row): \
         fields=timezone_id returns {timezone_id, id}; the OAS marks name required",
    )
    .keyword("required"),
    // --- WABA enums -----------------------------------------------------------------------
    KnownException::new(
        "GET",
        "/{Version}/{WABA-ID}",
        "/business_verification_status",
        "meta-graph.md §4.2 (business_verification_status row): lowercase verified, \
         not_verified, pending, pending_need_more_info, pending_submission, rejected, revoked, \
         failed, expired, ineligible [SDK PYSDK][SDK PYWA] (\"SDK enum is authoritative\"); \
         the OAS enum is uppercase VERIFIED|UNVERIFIED|PENDING|REJECTED",
    )
    .keyword("enum"),
    // --- HTTP statuses the OAS does not document -------------------------------------------
    KnownException::new(
        "*",
        "*",
        "",
        "meta-graph.md §6.2 (code 2: temporary downtime → 503) and §6.6 (500/503 for codes \
         1/2/131000/131016 [INF]); no operation in the OAS documents 503 (it only has \
         400/401/403/404/409/422/429/500, with invented example codes per §0)",
    )
    .status("503")
    .keyword("responses"),
    KnownException::new(
        "*",
        "/{Version}/{WABA-ID}/message_templates",
        "",
        "meta-graph.md §4.3/§4.4/§6.5: template errors are Graph error envelopes (HTTP 400, \
         code 100, subcodes 2388xxx [OBS CODEIDX][OFF ERR]); the OAS documents only 200 for \
         GET/POST/DELETE message_templates. Check such bodies with \
         validate_component(\"GraphAPIError\", …)",
    )
    .status("4XX|5XX")
    .keyword("responses"),
    // --- endpoints the OAS lacks ------------------------------------------------------------
    KnownException::new(
        "POST",
        "/{Version}/{WABA-ID}/migrate_message_templates",
        "",
        "meta-graph.md §3.8 [OFF TPLMIG][SDK PYSDK]: the endpoint exists; business-messaging-api \
         v23.0 does not describe it (response shape partly unconfirmed, §11)",
    )
    .keyword("operation"),
];
