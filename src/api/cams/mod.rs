//! The Alibaba Cloud ChatApp facade (`cams`, API 2020-06-06): RPC calls on `POST /` (GET
//! too), named by `x-acs-action` (or the V2 `Action` parameter), signed with ACS3-HMAC-SHA256
//! or the legacy HMAC-SHA1, so that the unmodified official SDK can be pointed at wabasim.
//!
//! Shaped like the Graph facade, so the server can put scripted faults between the steps:
//! [`prepare`] runs the gateway's checks (`request.rs`) and names the operation; [`execute`]
//! runs it against the world as the access key's partner (`operations.rs`) and renders the
//! answer (`render.rs`); [`render_error`] renders a scripted domain error and [`throttled`] a
//! throttling reply in Alibaba's shape. Every error answer goes through one function, which
//! gives business failures the namespace's configured status (`errors::business_status`). `errors.rs` is the one `DomainError` → Alibaba table;
//! `signature/` verifies and produces signatures.
//!
//! Every answer has `Content-Type: application/json;charset=utf-8`, a `RequestId` (an
//! upper-case UUID) in the body and in `x-acs-request-id`, and an `x-acs-trace-id`
//! (reference alibaba-cams.md §6.1, §8, §9).

pub mod actions;
mod callbacks;
mod dispatch;
pub mod errors;
mod facade;
pub mod fixture;
mod inbound_kind;
mod mass;
pub mod model;
pub mod operations;
mod phone_settings;
pub mod render;
pub mod request;
mod send;
pub mod signature;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode};

use self::errors::{CamsError, from_domain};
use self::request::RpcParams;
use super::{Answer, Incoming};
use crate::digest::{FNV_OFFSET_BASIS, fnv1a};
use crate::namespace::Namespace;
use crate::world::phone::digits_only;
use crate::world::{DomainError, PartnerIdx};

pub use self::facade::Cams;
pub use self::request::is_cams_request;

/// Declares [`Op`], [`OPS`] and [`Op::NAMES`] from one list: each operation (the variant is
/// the name), whether its response model has `Success`, and the parameters the SDK documents
/// as required.
macro_rules! operations {
    ($($op:ident, $success:literal, [$($param:literal),*];)*) => {
        /// The operations of this facade, named as Alibaba names them (which is also what
        /// faults and the journal match on).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Op {
            $($op,)*
        }

        /// Each operation: its name, whether its response model has `Success`, and the
        /// parameters the SDK documents as required (§7; OPERATIONS.md of the SDK probe).
        const OPS: &[(Op, &str, bool, &[&str])] =
            &[$((Op::$op, stringify!($op), $success, &[$($param),*])),*];

        impl Op {
            /// Every operation name, for fault validation and documentation.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($op)),*];
        }
    };
}

operations! {
    CreateChatappMigrationInitiate, false, ["CustSpaceId", "CountryCode", "MobileNumber"];
    GetMigrationVerifyCode, false, ["CustSpaceId", "PhoneNumber", "Locale", "Method"];
    ChatappMigrationVerified, false, ["CustSpaceId", "PhoneNumber", "VerifyCode"];
    ChatappMigrationRegister, false, ["CustSpaceId", "PhoneNumber"];
    GetPhoneNumberVerificationStatus, false, ["CustSpaceId", "PhoneNumber"];
    ChatappBindWaba, true, ["WabaId"];
    AddChatappPhoneNumber, true, ["Cc", "CustSpaceId", "PhoneNumber", "VerifiedName"];
    ChatappSyncPhoneNumber, true, ["CustSpaceId"];
    GetChatappVerifyCode, true, ["CustSpaceId", "PhoneNumber", "Locale", "Method"];
    ChatappVerifyAndRegister, true, ["CustSpaceId", "PhoneNumber", "VerifyCode"];
    ChatappPhoneNumberRegister, true, ["CustSpaceId", "PhoneNumber"];
    ChatappPhoneNumberDeregister, false, ["CustSpaceId", "PhoneNumber"];
    QueryChatappPhoneNumbers, true, [];
    QueryChatappBindWaba, true, [];
    GetChatappPhoneNumberMetric, false, ["Start", "End"];
    ListChatappTemplate, true, ["Page"];
    GetChatappTemplateDetail, true, ["Language"];
    CreateChatappTemplate, true, ["TemplateType", "Name", "Language", "Components"];
    UpdateAccountWebhook, false, ["CustSpaceId"];
    UpdatePhoneWebhook, false, ["CustSpaceId", "PhoneNumber"];
    QueryPhoneBusinessProfile, true, ["CustSpaceId", "PhoneNumber"];
    ModifyPhoneBusinessProfile, true, ["CustSpaceId", "PhoneNumber"];
    SendChatappMessage, false, ["ChannelType", "Type", "From", "To"];
    SendChatappMassMessage, false, ["ChannelType", "Language", "From", "SenderList"];
}

impl Op {
    fn row(self) -> &'static (Op, &'static str, bool, &'static [&'static str]) {
        OPS.iter()
            .find(|r| r.0 == self)
            .expect("every operation has a row")
    }

    pub fn name(self) -> &'static str {
        self.row().1
    }

    /// Whether the operation's response model has `Success`.
    pub fn has_success(self) -> bool {
        self.row().2
    }

    /// Parameters the gateway answers `MissingParameter` for.
    pub fn required(self) -> &'static [&'static str] {
        self.row().3
    }

    /// The operation an action names (exact spelling, as the gateway matches it).
    pub fn parse(action: &str) -> Option<Op> {
        OPS.iter().find(|r| r.1 == action).map(|r| r.0)
    }
}

/// A request the gateway admitted, not yet executed.
pub struct Prepared {
    pub op: Op,
    pub params: RpcParams,
    /// The partner the access key belongs to: the principal the world sees.
    pub partner: PartnerIdx,
    pub access_key_id: String,
    /// What faults match on: the `CustSpaceId`, the WABA it is bound to, `WabaId`, and the
    /// phone number's digits (`PhoneNumber`, or `CountryCode` + `MobileNumber`).
    pub targets: Vec<String>,
    pub request_id: String,
    trace: String,
}

/// Runs the gateway's checks and names the operation; a request the gateway refuses is
/// answered at once, in the §6.1 envelope.
pub async fn prepare(ns: &Namespace, req: &Incoming) -> Result<Prepared, Answer> {
    let trace = ns.next_trace_id();
    let head = Head::new(&trace);
    let admitted = match request::admit(ns, req) {
        Ok(a) => a,
        Err(refused) => return Err(error_answer(ns, &head, refused.error, refused.op, None)),
    };
    let params = admitted.params;
    let mut targets = Vec::new();
    if let Some(space) = params.non_empty("CustSpaceId") {
        targets.push(space.to_string());
        if let Some(waba) = ns.with_world(|w| model::of(w).spaces.get(space).map(|s| s.waba)) {
            targets.push(waba.to_string());
        }
    }
    if let Some(waba) = params.non_empty("WabaId") {
        targets.push(waba.to_string());
    }
    if let Some(n) = params.non_empty("PhoneNumber").and_then(digits_only) {
        let cc = params.non_empty("Cc").unwrap_or("");
        // AddChatappPhoneNumber gives the national number beside `Cc`.
        if !cc.is_empty() && !n.starts_with(cc) {
            targets.push(format!("{cc}{n}"));
        }
        targets.push(n);
    }
    // The sends name their number `From`.
    if let Some(n) = params.non_empty("From").and_then(digits_only) {
        targets.push(n);
    }
    if let (Some(cc), Some(n)) = (
        params.non_empty("CountryCode"),
        params.non_empty("MobileNumber").and_then(digits_only),
    ) {
        targets.push(format!("{}{n}", cc.trim_start_matches('+')));
    }
    Ok(Prepared {
        op: admitted.op,
        params,
        partner: admitted.partner,
        access_key_id: admitted.access_key_id,
        targets,
        request_id: head.request_id,
        trace: trace.to_string(),
    })
}

/// Runs a prepared request against the namespace's world.
pub fn execute(ns: &Namespace, p: &Prepared) -> Answer {
    let head = Head::for_prepared(p);
    let result = ns.with_world(|w| dispatch::run(w, p));
    match result {
        Ok(body) => head.ok(body, p.op.name()),
        Err(e) => error_answer(ns, &head, e, Some(p.op), None),
    }
}

/// Renders a scripted domain error for a prepared request (faults); `status`, when the fault
/// gives one, replaces the status the error would have (and with it the shape: 4xx/5xx in
/// the gateway envelope, 200 as a result with `Code` ≠ `OK`).
pub fn render_error(ns: &Namespace, p: &Prepared, e: &DomainError, status: Option<u16>) -> Answer {
    let head = Head::for_prepared(p);
    error_answer(ns, &head, from_domain(e, p.op), Some(p.op), status)
}

/// Every error answer: a business failure takes the namespace's configured status, then a
/// fault's `status` (if any) wins. `op` is `None` when the gateway refused the request before
/// it named an operation.
fn error_answer(
    ns: &Namespace,
    head: &Head,
    e: CamsError,
    op: Option<Op>,
    status: Option<u16>,
) -> Answer {
    let mut e = e.with_business_status(errors::business_status(ns));
    if let Some(s) = status {
        e.status = s;
    }
    head.error(
        &e,
        op.map_or("unmatched", Op::name),
        op.is_some_and(Op::has_success),
    )
}

/// A throttled reply for a prepared request: `Throttling.User`, HTTP 400, with
/// `x-acs-retry-after` in milliseconds, which the SDK turns into `ThrottlingException`.
pub fn throttled(_ns: &Namespace, p: &Prepared, retry_after_ms: Option<u64>) -> Answer {
    let e = CamsError::throttled(retry_after_ms.unwrap_or(errors::DEFAULT_RETRY_AFTER_MS));
    Head::for_prepared(p).error(&e, p.op.name(), false)
}

/// A `throttle` fault in Alibaba's shape: its `retry_after` becomes `x-acs-retry-after` (the
/// Graph-only `code` does not apply here).
pub fn render_throttle(ns: &Namespace, p: &Prepared, t: &crate::faults::Throttle) -> Answer {
    throttled(ns, p, Some(t.retry_after.as_millis().max(1) as u64))
}

/// An Alibaba-shaped error for requests that never reached the facade (body too large, bad
/// namespace).
pub fn early_error(status: u16, text: &str) -> Answer {
    Head::new(text).error(&CamsError::early(status, text), "unmatched", false)
}

/// The answer to a request wabasim failed on (a panic, caught by the server):
/// `InternalError`, 500.
pub fn internal_error() -> Answer {
    Head::new("internal").error(&CamsError::internal(), crate::journal::UNCLASSIFIED, false)
}

/// What every answer carries in its head.
struct Head {
    request_id: String,
    trace_id: String,
}

impl Head {
    /// Ids derived from the namespace's trace sequence. The trace id is deterministic (the
    /// same requests give the same ids, as the rest of a transcript); the RequestId also
    /// takes a process-wide sequence and the process's start time, so that it is unique
    /// across namespace resets and runs (L4 [inferred]: integrators log and deduplicate by
    /// it). Transcripts show it redacted.
    fn new(seed: &str) -> Head {
        static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        static SALT: std::sync::LazyLock<u64> = std::sync::LazyLock::new(|| {
            crate::clock::wall_now().0 as u64 ^ (u64::from(std::process::id()) << 40)
        });
        let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let unique = fnv1a(&n.to_le_bytes(), *SALT);
        let (a, b) = (
            fnv1a(seed.as_bytes(), FNV_OFFSET_BASIS ^ unique),
            fnv1a(
                seed.as_bytes(),
                0x8422_2325_cbf2_9ce4 ^ unique.rotate_left(32),
            ),
        );
        let hex = format!("{a:016X}{b:016X}");
        Head {
            request_id: format!(
                "{}-{}-{}-{}-{}",
                &hex[0..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..32]
            ),
            trace_id: format!("{:016x}", fnv1a(seed.as_bytes(), 0x1234_5678_9abc_def0)),
        }
    }

    fn for_prepared(p: &Prepared) -> Head {
        let mut h = Head::new(&p.trace);
        h.request_id = p.request_id.clone();
        h
    }

    fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::with_capacity(4);
        h.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=utf-8"),
        );
        if let Ok(v) = HeaderValue::from_str(&self.request_id) {
            h.insert("x-acs-request-id", v);
        }
        if let Ok(v) = HeaderValue::from_str(&self.trace_id) {
            h.insert("x-acs-trace-id", v);
        }
        h
    }

    fn ok(&self, body: Vec<u8>, op: &'static str) -> Answer {
        Answer {
            status: StatusCode::OK,
            headers: self.headers(),
            body: Bytes::from(body),
            facade: "cams",
            operation: op,
            error: None,
            fault: None,
        }
    }

    fn error(&self, e: &CamsError, op: &'static str, with_success: bool) -> Answer {
        let mut headers = self.headers();
        if let Some(ms) = e.retry_after_ms
            && let Ok(v) = HeaderValue::from_str(&ms.to_string())
        {
            headers.insert("x-acs-retry-after", v);
        }
        Answer {
            status: StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
            headers,
            body: Bytes::from(e.body(&self.request_id, with_success)),
            facade: "cams",
            operation: op,
            error: Some(e.code.clone()),
            fault: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_one_row_and_round_trips() {
        let names: Vec<&str> = OPS.iter().map(|r| r.1).collect();
        assert_eq!(names, Op::NAMES);
        for name in &names {
            let op = Op::parse(name).unwrap();
            assert_eq!(op.name(), *name);
        }
        let mut dedup = names.clone();
        dedup.sort_unstable();
        dedup.dedup();
        assert_eq!(dedup.len(), names.len());
        assert_eq!(Op::parse("createChatappMigrationInitiate"), None);
    }

    #[test]
    fn request_ids_are_upper_case_uuids() {
        let h = Head::new("AbCdEfGhIjKlMnOpQrStUvW");
        let parts: Vec<&str> = h.request_id.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(
            h.request_id
                .bytes()
                .all(|b| b == b'-' || b.is_ascii_digit() || b.is_ascii_uppercase())
        );
        assert_ne!(h.request_id, Head::new("other").request_id);
    }

    fn prepared(op: Op) -> Prepared {
        Prepared {
            op,
            params: RpcParams::default(),
            partner: PartnerIdx(0),
            access_key_id: "ak".into(),
            targets: Vec::new(),
            request_id: "90E63D28-E31D-1EB2-8939-A94866410000".into(),
            trace: "trace".into(),
        }
    }

    fn ns() -> Namespace {
        let world = crate::fixture::Fixture::default_world().build().unwrap();
        Namespace::new("t", world, 1)
    }

    #[test]
    fn throttled_answers_make_the_sdk_raise_throttling_exception() {
        // The SDK raises ThrottlingException for a 4xx/5xx with a positive integer
        // x-acs-retry-after (reference §5); the body still names the code.
        let a = throttled(&ns(), &prepared(Op::QueryChatappBindWaba), Some(2500));
        assert_eq!(a.status, 400);
        assert_eq!(a.headers["x-acs-retry-after"], "2500");
        assert_eq!(a.headers["content-type"], "application/json;charset=utf-8");
        assert_eq!(
            a.headers["x-acs-request-id"],
            "90E63D28-E31D-1EB2-8939-A94866410000"
        );
        let body: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
        assert_eq!(body["Code"], "Throttling.User");
        assert_eq!(body["RequestId"], "90E63D28-E31D-1EB2-8939-A94866410000");
        assert_eq!(a.error.as_deref(), Some("Throttling.User"));
        assert_eq!((a.facade, a.operation), ("cams", "QueryChatappBindWaba"));
        let default = throttled(&ns(), &prepared(Op::QueryChatappBindWaba), None);
        assert_eq!(default.headers["x-acs-retry-after"], "1000");
    }

    #[test]
    fn named_errors_render_in_alibaba_shape() {
        let ns = ns();
        // A business failure: 400 in the gateway envelope (H1).
        let a = render_error(
            &ns,
            &prepared(Op::GetChatappVerifyCode),
            &DomainError::TooManyCodeRequests,
            None,
        );
        assert_eq!(a.status, 400);
        let body: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
        assert_eq!(body["Code"], "ERR-FB-001");
        assert_eq!(body["HostId"], errors::HOST_ID);
        assert!(body.get("Success").is_none());
        // A gateway-class error keeps its own status.
        let a = render_error(
            &ns,
            &prepared(Op::GetMigrationVerifyCode),
            &DomainError::InternalError,
            None,
        );
        assert_eq!(a.status, 500);
        assert_eq!(a.error.as_deref(), Some("InternalError"));
        // A fault's status wins, and the shape follows it.
        let a = render_error(
            &ns,
            &prepared(Op::GetChatappVerifyCode),
            &DomainError::TooManyCodeRequests,
            Some(200),
        );
        assert_eq!(a.status, 200);
        let body: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
        assert_eq!(body["Code"], "ERR-FB-001");
        assert_eq!(body["Success"], false);
        assert!(body.get("HostId").is_none());
    }

    #[test]
    fn the_fixture_setting_opts_into_business_failures_as_200() {
        let mut fixture = crate::fixture::Fixture::default_world();
        fixture.sections.insert(
            "cams".into(),
            serde_json::json!({"business_error_status": 200}),
        );
        let ns = Namespace::from_fixture("t200", std::sync::Arc::new(fixture)).unwrap();
        let a = render_error(
            &ns,
            &prepared(Op::ChatappMigrationVerified),
            &DomainError::WrongCode,
            None,
        );
        assert_eq!(a.status, 200);
        let body: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
        assert_eq!(body["Code"], "ERR-FB-001");
        assert!(body.get("Success").is_none()); // the model has none
        // ...and a fault can still ask for 400.
        let a = render_error(
            &ns,
            &prepared(Op::ChatappMigrationVerified),
            &DomainError::WrongCode,
            Some(400),
        );
        assert_eq!(a.status, 400);
        // Gateway failures are unchanged.
        let a = throttled(&ns, &prepared(Op::QueryChatappBindWaba), None);
        assert_eq!(a.status, 400);
        assert_eq!(a.error.as_deref(), Some("Throttling.User"));
    }

    #[test]
    fn request_ids_are_unique_and_trace_ids_deterministic() {
        // L4: the same trace seed (as after a namespace reset) gives a new RequestId.
        let (a, b) = (Head::new("seed"), Head::new("seed"));
        assert_ne!(a.request_id, b.request_id);
        assert_eq!(a.trace_id, b.trace_id);
    }
}
