//! 360dialog's error answers and the one table that maps every [`DomainError`] to them.
//!
//! Three shapes (reference 360dialog-partner-and-migrations.md §1.2, §3):
//! - the Partner API and the Messaging API's `/v1/configs/*`:
//!   `{"meta":{"success":false,"http_code":…,"developer_message":…,"360dialog_trace_id":…}}`
//!   (SEEN `_Meta`, CW, KU), with `details` when there are some (clients-and-360dialog.md
//!   §2.1); the trace id is on every error ([INF]: seen on 400s, absent from one 404 fixture);
//! - `POST /api/v2/token`: `{"error","error_description"}` (§1.2 "token 401", SEEN NET);
//! - the newer Messaging endpoints (`/multi_webhook`, `/whatsapp_business_profile`,
//!   `/waba_webhook`) and every bad `D360-API-KEY`: `{"error":"…"}` (SEEN M-WH, M-PROF,
//!   messaging-and-360dialog.md "Error bodies": `{"error":"Invalid api token."}`).
//!
//! - `POST /messages`: Meta's `{"error":{…}}` passed through raw (messaging-and-360dialog.md,
//!   "Error bodies": INFERRED; `send.rs`).
//!
//! Labels to statuses (§5 #7 [INF]): "Wrong payload" and "Client error" 400, "Forbidden"
//! 403, "Not found" 404, "Server error" 500; rate limits 429 (§4.1, SEEN TPL).

use crate::world::DomainError;

/// How an error is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Meta,
    Plain,
    Token,
    /// `POST /messages`: Meta's `{"error":{…}}` passed through when the error is Meta's,
    /// else `Plain` (messaging-and-360dialog.md, "Error bodies").
    Graph,
}

/// One 360dialog error.
#[derive(Clone, Debug)]
pub struct D360Error {
    pub status: u16,
    pub message: String,
    pub details: Vec<String>,
    /// The error code the journal records (`d360/<status>` or a domain error name).
    pub code: String,
    /// Meta's error, when the proxied send broke a Meta rule (`send.rs`).
    pub graph: Option<Box<crate::api::graph::errors::GraphError>>,
}

impl D360Error {
    pub fn new(status: u16, message: impl Into<String>) -> D360Error {
        D360Error {
            status,
            message: message.into(),
            details: Vec::new(),
            code: format!("{status}"),
            graph: None,
        }
    }

    pub fn wrong_payload(detail: impl Into<String>) -> D360Error {
        let mut e = D360Error::new(400, "Wrong payload");
        e.details.push(detail.into());
        e
    }

    pub fn not_found(what: &str, id: &str) -> D360Error {
        D360Error::new(404, format!("{what} {id} not found"))
    }

    /// A partner id in the path that is not the caller's (ERR: "Permission denied for
    /// partner x", SEEN).
    pub fn forbidden(partner: &str) -> D360Error {
        D360Error::new(403, format!("Permission denied for partner {partner}"))
    }

    pub fn unauthorized() -> D360Error {
        D360Error::new(401, "Invalid or missing authentication credentials")
    }

    /// The Messaging API's answer to a missing or unknown `D360-API-KEY` (SEEN D-MM).
    pub fn invalid_api_key() -> D360Error {
        D360Error::new(401, "Invalid api token.")
    }

    pub fn rate_limited() -> D360Error {
        D360Error::new(429, "Too many requests. Please retry later.")
    }
}

/// The one `DomainError` → 360dialog table. A broken Meta rule is passed on as 360dialog
/// passes Meta's errors: 400 with Meta's text in `developer_message` (§1.2 "Meta error
/// passed through", SEEN KU).
pub fn from_domain(e: &DomainError) -> D360Error {
    use DomainError::*;
    let (status, message) = match e {
        AccessTokenMissing | AccessTokenInvalid | AccessTokenExpired { .. } => {
            (401, "Invalid or missing authentication credentials".to_string())
        }
        PermissionMissing { .. } => (403, "Forbidden".to_string()),
        UnknownObject { id } => (404, format!("Object {id} not found")),
        InvalidParameter { param, details } => (400, format!("Wrong payload: {param}: {details}")),
        TemplateExists => (
            400,
            "The template name you have provided is already in use. Please choose a different name for your template."
                .to_string(),
        ),
        TemplateNotFound => (404, "Template not found".to_string()),
        // Only a scripted fault raises a full pacing queue here (360dialog does not pace).
        RateLimited | ThroughputReached | PacedQueueFull { .. } => (429, "Too many requests. Please retry later.".to_string()),
        TemporarilyUnavailable | MaintenanceMode => (500, "Server error".to_string()),
        other => (400, format!("Invalid payload ({})", other.name())),
    };
    let mut err = D360Error::new(status, message);
    err.code = e.name().to_string();
    err
}
