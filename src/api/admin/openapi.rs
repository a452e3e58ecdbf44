//! `GET /__admin/openapi.json`: the control API as an OpenAPI 3.1 document.
//!
//! The document is made from the route table ([`super::ROUTES`]) and one description per
//! [`Route`] (an exhaustive `match`, so a new route does not compile without its
//! description). `tests/admin_api.rs` checks both directions against the running server:
//! every documented operation answers (no 404/405 from the router), and every route of the
//! table is documented.
//!
//! No description here names a vendor: the facade ids and operation names a journal filter or
//! a fault takes are read from [`FACADES`] into the schemas (`facade_schema`,
//! `operation_schema`), so a new facade is documented with no edit to this file.

use serde_json::{Map, Value, json};

use super::{ROUTES, Route};
use crate::api::facade::{self, FACADES};
use crate::journal::{UNCLASSIFIED, UNMATCHED};

/// A query or path parameter: name, where, description, required.
type P = (&'static str, &'static str, &'static str, bool);

struct Op {
    summary: &'static str,
    description: &'static str,
    tag: &'static str,
    params: &'static [P],
    /// A JSON schema of the request body, if it takes one.
    body: Option<Value>,
    /// A JSON schema of the 2xx answer.
    answer: Value,
    /// The success status.
    status: &'static str,
    /// The success answer's media type.
    media: &'static str,
}

impl Op {
    /// A route with no description, parameters or body that answers 200 with `answer`.
    fn new(summary: &'static str, tag: &'static str, answer: Value) -> Op {
        Op {
            summary,
            description: "",
            tag,
            params: &[],
            body: None,
            answer,
            status: "200",
            media: "application/json",
        }
    }
}

const NAMESPACE: P = (
    "namespace",
    "query",
    "Which namespace's journal: its name, or `*` for all (default: the caller's, from X-Wabasim-Namespace).",
    false,
);

const REQUEST_FILTERS: &[P] = &[
    (
        "facade",
        "query",
        "A facade's id, one of the schema's `enum` (400 otherwise: control calls are not recorded).",
        false,
    ),
    (
        "operation",
        "query",
        "An operation of a facade (the schema lists each facade's under its id), `unmatched` or `unclassified`; 400 with the valid names otherwise.",
        false,
    ),
    ("method", "query", "HTTP method.", false),
    (
        "path",
        "query",
        "Exact path, or a pattern with `*` inside a segment: `/v23.0/*/register`.",
        false,
    ),
    (
        "status",
        "query",
        "HTTP status (`400`) or class (`4xx`).",
        false,
    ),
    NAMESPACE,
    ("since", "query", "World time (RFC 3339), inclusive.", false),
    ("until", "query", "World time (RFC 3339), exclusive.", false),
    (
        "after",
        "query",
        "Only requests with a larger id (a cursor).",
        false,
    ),
    (
        "before",
        "query",
        "Only requests with a smaller id (a cursor to page back: the smallest id of the page shown).",
        false,
    ),
    (
        "unmatched",
        "query",
        "`true`: only requests no operation matched.",
        false,
    ),
    (
        "faulted",
        "query",
        "`true`: only answers a scripted fault shaped.",
        false,
    ),
    (
        "error",
        "query",
        "Error code, `100/2388103` or `100`.",
        false,
    ),
    (
        "limit",
        "query",
        "Keep only the newest N (default 1000).",
        false,
    ),
];

/// The schema of a query or path parameter. The journal filters `facade` and `operation` take
/// the names [`FACADES`] lists; every other parameter is text.
fn param_schema(name: &str) -> Value {
    match name {
        "facade" => facade_schema(),
        "operation" => journal_operation_schema(),
        _ => json!({"type": "string"}),
    }
}

/// Every facade id, in [`FACADES`] order.
fn facade_schema() -> Value {
    json!({"type": "string", "enum": facade::ids()})
}

/// Each facade's operation names, one `enum` titled with the facade's id (what a fault's
/// `match.operation` takes).
fn operation_schema() -> Value {
    json!({"type": "string", "anyOf": operations_by_facade()})
}

/// [`operation_schema`], and the journal's own words for a request no operation matched (what
/// a journal filter's `operation` takes).
fn journal_operation_schema() -> Value {
    let mut any_of = operations_by_facade();
    any_of.push(json!({
        "title": "journal",
        "description": "No operation matched (`unmatched`), or the request was answered before its operation was known (`unclassified`).",
        "enum": [UNMATCHED, UNCLASSIFIED],
    }));
    json!({"type": "string", "anyOf": any_of})
}

fn operations_by_facade() -> Vec<Value> {
    FACADES
        .iter()
        .map(|f| json!({"title": f.id(), "enum": f.operations()}))
        .collect()
}

fn obj(props: Value) -> Value {
    json!({"type": "object", "properties": props})
}

fn clock_answer() -> Value {
    obj(json!({
        "now": {"type": "string", "format": "date-time"},
        "unix_ms": {"type": "integer"},
        "frozen": {"type": "boolean"},
    }))
}

fn request_entry() -> Value {
    obj(json!({
        "id": {"type": "integer"},
        "namespace": {"type": "string"},
        "at": {"type": "string", "format": "date-time", "description": "World time."},
        "at_unix_ms": {"type": "integer"},
        "method": {"type": "string"},
        "path": {"type": "string"},
        "facade": {"type": "string"},
        "operation": {"type": "string"},
        "params": {"type": "object", "description": "Query and body merged; secrets `[redacted]`."},
        "authorization": {"type": "string", "description": "`[redacted]` when the header was sent."},
        "status": {"type": "integer"},
        "error": {"type": ["string", "null"]},
        "fault": {"type": ["string", "null"]},
        "duration_us": {"type": "integer"},
        "response": {"description": "The answer's body: JSON (secrets `[redacted]`) when whole, else its text, cut at the journal's body limit; null when no answer went out (499, 500)."},
        "response_truncated": {"type": "integer", "description": "The answer body's real length, when `response` is cut."},
        "unmatched": obj(json!({
            "reason": {"enum": ["no_route", "method_not_allowed", "unknown_node"]},
            "closest": {"type": "array", "items": {"type": "string"}},
        })),
    }))
}

/// A page of the journal: its entries, and how many matched.
fn requests_answer() -> Value {
    obj(
        json!({"requests": {"type": "array", "items": request_entry()}, "total": {"type": "integer"}}),
    )
}

fn delivery() -> Value {
    obj(json!({
        "id": {"type": "string"},
        "field": {"type": "string"},
        "waba_id": {"type": "string"},
        "app_id": {"type": "string"},
        "url": {"type": "string"},
        "state": {"enum": ["pending", "failed", "delivered", "expired"]},
        "payload": {"type": "object", "description": "The webhook body sent."},
        "body": {"type": "string", "description": "The exact bytes sent and signed."},
        "signature": {"type": "string", "description": "`sha256=<hex>`, as in X-Hub-Signature-256."},
        "event_at": {"type": "string", "format": "date-time"},
        "created_at": {"type": "string", "format": "date-time"},
        "next_attempt_at": {"type": ["string", "null"], "format": "date-time"},
        "attempts": {"type": "array", "items": obj(json!({
            "try": {"type": "integer"},
            "kind": {"enum": ["verification", "delivery"]},
            "at": {"type": "string", "format": "date-time"},
            "status": {"type": ["integer", "null"]},
            "error": {"type": ["string", "null"]},
            "duration_ms": {"type": "integer"},
        }))},
    }))
}

fn describe(route: Route) -> Op {
    let any = || json!({"type": "object"});
    match route {
        Route::Health => Op {
            description: "Answers without the admin token even when `--admin-token` is set, for readiness probes; it reveals nothing else.",
            ..Op::new(
                "Liveness and version",
                "server",
                obj(
                    json!({"status": {"const": "ok"}, "version": {"type": "string"}, "namespace": {"type": "string"}}),
                ),
            )
        },
        Route::Reset => Op {
            description: "Rebuilds the namespace's world (and its faults) from the fixture it was last loaded from (POST /__admin/fixture, or the server's) and empties its journal and webhook outbox. Other namespaces are untouched.",
            ..Op::new(
                "Reset the caller's namespace",
                "namespaces",
                obj(json!({"reset": {"type": "string"}})),
            )
        },
        Route::State => Op {
            description: "Includes each app's secret, so that a test can verify webhook signatures itself.",
            ..Op::new("The whole world as JSON", "world", any())
        },
        Route::Codes => Op {
            description: "Newest last.",
            params: &[
                (
                    "phone_number_id",
                    "query",
                    "Only codes sent for this phone-number id.",
                    false,
                ),
                (
                    "phone_number",
                    "query",
                    "Only codes sent to this number (digits).",
                    false,
                ),
            ],
            ..Op::new(
                "Verification codes sent by SMS or voice",
                "world",
                obj(json!({"codes": {"type": "array", "items": obj(json!({
                    "phone_number_id": {"type": "string"}, "phone_number": {"type": "string"},
                    "code": {"type": "string"}, "method": {"type": "string"},
                    "language": {"type": "string"}, "sent_at": {"type": "string", "format": "date-time"},
                }))}})),
            )
        },
        Route::Clock => Op::new("Read the namespace's clock", "clock", clock_answer()),
        Route::ClockAdvance => Op {
            description: "Applies every timer that falls due, each at its own time, and lets due webhook retries go. At most 100 years at once.",
            body: Some(obj(json!({
                "seconds": {"type": "number", "minimum": 0},
                "duration": {"type": "string", "examples": ["24h", "90s", "2h 30m"]},
            }))),
            ..Op::new("Move the clock forward", "clock", clock_answer())
        },
        Route::ClockSet => Op {
            body: Some(
                json!({"type": "object", "required": ["to"], "properties": {"to": {"type": "string", "format": "date-time"}}}),
            ),
            ..Op::new("Set the clock", "clock", clock_answer())
        },
        Route::ClockFreeze => Op::new("Stop the clock", "clock", clock_answer()),
        Route::ClockUnfreeze => Op::new(
            "Let the clock follow real time again",
            "clock",
            clock_answer(),
        ),
        Route::Requests => Op {
            description: "Requests to the vendor facades, oldest first (a bounded ring per namespace, `--journal-size`), the newest `limit` of them; `total` counts every match. A request whose client went away is recorded with status 499 (`client_closed`), one wabasim failed on with 500 (`wabasim_panic`). Control-API requests are not recorded.",
            params: REQUEST_FILTERS,
            ..Op::new("The request journal", "journal", requests_answer())
        },
        Route::RequestsCount => Op {
            description: "The filters of `GET /__admin/requests`, as a JSON object.",
            body: Some(obj(json!({
                "facade": facade_schema(), "operation": journal_operation_schema(),
                "method": {"type": "string"}, "path": {"type": "string"},
                "status": {"type": ["integer", "string"]}, "namespace": {"type": "string"},
                "since": {"type": "string"}, "until": {"type": "string"},
                "after": {"type": "integer"}, "unmatched": {"type": "boolean"},
                "faulted": {"type": "boolean"}, "error": {"type": "string"},
            }))),
            ..Op::new(
                "How many journal entries match",
                "journal",
                obj(json!({"count": {"type": "integer"}})),
            )
        },
        Route::RequestsUnmatched => Op {
            params: REQUEST_FILTERS,
            ..Op::new(
                "Requests no operation matched, with the closest routes",
                "journal",
                requests_answer(),
            )
        },
        Route::Webhooks => Op {
            description: "With `wait`, answers as soon as at least one delivery matches, or after the wait (at most 60 s) with an empty list.",
            params: &[
                (
                    "field",
                    "query",
                    "Webhook field, e.g. `message_template_status_update`.",
                    false,
                ),
                ("waba", "query", "WABA id.", false),
                ("app", "query", "App id of the subscriber.", false),
                (
                    "state",
                    "query",
                    "`delivered`, `pending`, `failed` or `expired`.",
                    false,
                ),
                ("after", "query", "Only deliveries with a larger id.", false),
                (
                    "wait",
                    "query",
                    "How long to wait for a match, e.g. `5s`.",
                    false,
                ),
            ],
            ..Op::new(
                "Webhook deliveries",
                "webhooks",
                obj(json!({"deliveries": {"type": "array", "items": delivery()}})),
            )
        },
        Route::AppWebhook => Op {
            description: "What Meta's App Dashboard sets: where the app's subscriptions deliver unless a WABA subscription has an `override_callback_uri`. `null` removes it. In the caller's namespace; a reset restores the fixture's values.",
            params: &[("app_id", "path", "The app's id.", true)],
            body: Some(
                json!({"type": "object", "required": ["webhook_url"], "properties": {
                    "webhook_url": {"type": ["string", "null"]},
                    "verify_token": {"type": ["string", "null"]},
                }}),
            ),
            ..Op::new(
                "Set an app's own webhook URL",
                "webhooks",
                obj(json!({
                    "id": {"type": "string"}, "name": {"type": "string"},
                    "webhook_url": {"type": ["string", "null"]}, "verify_token": {"type": ["string", "null"]},
                })),
            )
        },
        Route::Events => Op {
            description: "Each with the webhook payload it produces (bounded to the last 1,000).",
            ..Op::new(
                "The world's recent events",
                "webhooks",
                obj(json!({"events": {"type": "array", "items": any()}})),
            )
        },
        Route::EventApply => Op {
            description: "The body is one entry of a fixture's `events:` without `at` (JSON or YAML; fixtures/schema.json, `$defs/EventSpec`), e.g. {\"disable_two_step_verification\": {\"phone\": \"+15550100002\"}}: what the number's owner does in WhatsApp Manager or what Meta decides (display names, reviews, quality, status, payment method, app subscriptions, template status and quality). It emits the same events and webhooks as the scheduled change. A malformed change or an unknown target answers 400; a change the world refuses now (the target has no record any more) 409.",
            body: Some(json!({
                "type": "object",
                "minProperties": 1,
                "maxProperties": 1,
                "properties": {
                    "disable_two_step_verification": any(),
                    "approve_display_name": any(),
                    "reject_display_name": any(),
                    "phone_quality": any(),
                    "phone_status": any(),
                    "account_review": any(),
                    "payment_method": any(),
                    "subscribe_app": any(),
                    "unsubscribe_app": any(),
                    "template_status": any(),
                    "template_quality": any(),
                },
            })),
            ..Op::new(
                "Apply one scripted world change now",
                "world",
                obj(json!({
                    "applied": {"type": "string", "description": "The change, e.g. `disable_two_step_verification +15550100002`."},
                    "at": {"type": "string", "format": "date-time", "description": "World time."},
                    "events": {"type": "array", "items": obj(json!({
                        "field": {"type": "string"}, "waba_id": {"type": "string"},
                    }))},
                })),
            )
        },
        Route::Namespaces => Op {
            description: "With its clock, journal size and memory, and webhook counts; by name, the default first. `count` is every namespace, `matched` those `contains` kept. Without `limit`, every match.",
            params: &[
                (
                    "contains",
                    "query",
                    "Only namespaces whose name contains this text.",
                    false,
                ),
                ("offset", "query", "Skip this many matches (paging).", false),
                (
                    "limit",
                    "query",
                    "Show at most this many (at most 1000).",
                    false,
                ),
            ],
            ..Op::new(
                "Every namespace",
                "namespaces",
                obj(json!({
                    "namespaces": {"type": "array", "items": any()},
                    "count": {"type": "integer"}, "max": {"type": "integer"},
                })),
            )
        },
        Route::NamespaceCreate => Op {
            description: "From the server's fixture, a fixture given as YAML text, or a compiled-in fixture by name (then `loaded` counts what it holds, generated records included; a `generate:` block may make at most 100,000). 409 if it exists, 429 past `--max-namespaces`.",
            body: Some(
                json!({"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,128}$"},
                    "fixture": {"type": ["string", "object"], "description": "Fixture YAML text."},
                    "fixture_name": {"enum": ["default"]},
                }}),
            ),
            status: "201",
            ..Op::new(
                "Create a namespace",
                "namespaces",
                obj(json!({"name": {"type": "string"}, "created": {"type": "boolean"}})),
            )
        },
        Route::Snapshot => Op {
            description: "Writes every namespace's world (clock, RNG, records, timers, faults, facades' state, webhook outbox) to the `--state` file, atomically (a temporary file renamed over it), as graceful shutdown does; the journal is not saved (docs/state.md). 409 when the server has no `--state`; 503 when the file cannot be written (it is left as it was).",
            ..Op::new(
                "Save every namespace to the --state file",
                "namespaces",
                obj(
                    json!({"saved": {"type": "string"}, "namespaces": {"type": "integer"}, "bytes": {"type": "integer"}}),
                ),
            )
        },
        Route::NamespaceDelete => Op {
            description: "Its world, journal and outbox are dropped; a later request naming it starts afresh.",
            params: &[("name", "path", "The namespace.", true)],
            ..Op::new(
                "Delete a namespace",
                "namespaces",
                obj(json!({"deleted": {"type": "string"}})),
            )
        },
        Route::Faults => Op {
            description: "In the order they are checked, each with its id, `seen` (matching calls) and `hits` (times it fired), and the fault as written.",
            ..Op::new(
                "List the namespace's scripted faults",
                "faults",
                obj(json!({"faults": {"type": "array", "items": any()}})),
            )
        },
        Route::FaultAdd => Op {
            description: "One fault, in the shape of a fixture's `faults:` entry (JSON or YAML; see fixtures/schema.json, `$defs/FaultSpec`), e.g. {\"match\": {\"facade\": \"graph\", \"operation\": \"request_code\"}, \"times\": 2, \"error\": \"too_many_code_requests\"}. Window offsets count from the world's time now. A bad fault answers 400 with the reason.",
            body: Some(obj(json!({
                "id": {"type": "string"},
                "match": obj(json!({
                    "facade": facade_schema(),
                    "operation": operation_schema(),
                })),
                "after": {"type": "integer"},
                "times": {"type": "integer"},
                "probability": {"type": "number"},
                "when": {"enum": ["instead", "after"]},
                "action": {"type": "object"},
                "error": {"type": "string"},
                "response": {"type": "object"},
                "delay": {"type": "string"},
                "close": {"type": "boolean"},
                "truncate": {"type": ["boolean", "integer"]},
                "garbage": {"type": "boolean"},
                "throttle": {"type": "object"},
            }))),
            ..Op::new(
                "Add a scripted fault",
                "faults",
                obj(json!({"id": {"type": "string"}})),
            )
        },
        Route::FaultsClear => Op::new(
            "Remove every scripted fault",
            "faults",
            obj(json!({"deleted": {"type": "integer"}})),
        ),
        Route::FaultDelete => Op {
            params: &[(
                "id",
                "path",
                "The fault's id (`fault-1`, or the id it was given).",
                true,
            )],
            ..Op::new(
                "Remove one scripted fault",
                "faults",
                obj(json!({"deleted": {"type": "string"}})),
            )
        },
        Route::Billing => Op {
            description: "Charges are booked when a message is delivered, to the business and WABA that sent it (seeds 002/004: sent before a migration, billed to the source even when delivered after). `cost` is in `currency`; `charges` lists the newest only, the totals count every charge.",
            ..Op::new(
                "The billing ledger",
                "messaging",
                obj(json!({
                    "currency": {"type": "string"},
                    "booked": {"type": "integer"},
                    "businesses": {"type": "array"},
                    "wabas": {"type": "array"},
                    "charges": {"type": "array"},
                })),
            )
        },
        Route::Recipients => Op {
            description: "Describes a simulated WhatsApp user; an undescribed user is online and reads. `reach`: `online` or `unreachable` (131026); `offline_until` (RFC 3339) delays delivery; `stopped_marketing` fails marketing templates (131050); `reads: false` never reads.",
            body: Some(obj(json!({
                "wa_id": {"type": "string"},
                "name": {"type": "string"},
                "reach": {"enum": ["online", "unreachable"]},
                "offline_until": {"type": "string", "format": "date-time"},
                "stopped_marketing": {"type": "boolean"},
                "reads": {"type": "boolean"},
                "user_id": {"type": "string"},
            }))),
            ..Op::new(
                "Describe a simulated user",
                "messaging",
                obj(json!({"wa_id": {"type": "string"}})),
            )
        },
        Route::Inbound => Op {
            description: "Opens the user's 24-hour customer-service window with the number and sends a `messages` webhook to its WABA's subscribers (the number's or WABA's alternate callback first). `type` (default `text`) names the object the user sends, in the shape Meta's webhook gives it: a file (`image`, `video`, `audio`, `document`, `sticker`: `{mime_type?, data? | file_size?, caption?, filename?, voice?, animated?}`), `location` `{latitude, longitude, name?, address?, url?}`, `contacts` (Meta's array), `reaction` `{message_id, emoji}`, `interactive` (`button_reply` or `list_reply`), `button` `{payload, text}`, `order` `{catalog_id, text?, product_items[{product_retailer_id, quantity, item_price, currency}]}`, `unsupported` `{type?}`, `system` `{wa_id | new_wa_id, body?, type?}` (a changed number: no window opens). `context.message_id` quotes a message of the conversation (required for `interactive` and `button`, refused on a reaction or system notice); `forwarded` or `frequently_forwarded` (true) marks a forward, which quotes nothing. Bad input answers 400 `{error}`; an unknown number 404 (docs/messages.md, \"What users write\").",
            body: Some(obj(json!({
                "phone_number_id": {"type": "string"},
                "from": {"type": "string"},
                "text": {"type": "string"},
                "type": {"type": "string", "enum": ["text", "image", "video", "audio", "document", "sticker", "location", "contacts", "reaction", "interactive", "button", "order", "system", "unsupported"]},
                "context": {"type": "object", "properties": {"message_id": {"type": "string"}}},
                "forwarded": {"type": "boolean"},
                "frequently_forwarded": {"type": "boolean"},
                "location": {"type": "object"},
                "contacts": {"type": "array", "items": {"type": "object"}},
                "reaction": {"type": "object"},
                "interactive": {"type": "object"},
                "button": {"type": "object"},
                "order": {"type": "object"},
                "system": {"type": "object"},
                "unsupported": {"type": "object"},
            }))),
            ..Op::new(
                "A user writes to a business number",
                "messaging",
                obj(json!({"message_id": {"type": "string"}, "media_id": {"type": "string"}})),
            )
        },
        Route::Fixture => Op {
            description: "The body is a fixture, YAML or JSON (fixtures/schema.json), with its events and faults. A bad fixture answers 400 with the located error (`<request body>:LINE:COLUMN: ...`, plus `line` and `column`) and changes nothing. The namespace's reset returns to this fixture. A `generate:` block may make at most 100,000 records here; `loaded` counts them.",
            body: Some(
                json!({"type": "object", "description": "A fixture (fixtures/schema.json)."}),
            ),
            ..Op::new(
                "Replace the namespace's world with a fixture",
                "namespaces",
                obj(json!({"namespace": {"type": "string"}, "loaded": any()})),
            )
        },
        Route::OpenApi => Op::new("This document", "server", any()),
        Route::EmbeddedSignup => Op {
            description: "Plays the client going through a partner app's Embedded Signup popup (docs/embedded-signup.md). `outcome` `finish` (the default) puts the number on a WABA of the client's business portfolio (a new one, or `waba_id`), shares it with the app's partner, verifies the number's ownership, fires `account_update` `PARTNER_ADDED`, and answers the `FINISH` message event with a code the app exchanges once at `GET /oauth/access_token` (valid 10 minutes of world time). A number registered on another WABA of the same portfolio starts a migration. `cancel` and `error` answer their event and change nothing. A bad body answers 400; a number the popup refuses 409 with the rule (e.g. `two_step_still_enabled`).",
            body: Some(json!({"type": "object", "properties": {
                "outcome": {"type": "string", "enum": ["finish", "cancel", "error"]},
                "app_id": {"type": "string", "description": "The partner's app (finish)."},
                "business_id": {"type": "string", "description": "The client's business portfolio (finish)."},
                "waba_id": {"type": "string", "description": "An existing WABA of that portfolio (finish, optional)."},
                "cc": {"type": "string"},
                "phone_number": {"type": "string", "description": "The national number."},
                "verified_name": {"type": "string", "description": "The display name of a number registered nowhere."},
                "current_step": {"type": "string", "description": "cancel: where the client left (PHONE_NUMBER_SETUP by default)."},
                "error_code": {"type": "string", "description": "error: the code (524126 by default)."},
                "error_message": {"type": "string"},
            }})),
            ..Op::new(
                "Finish, cancel or fail an Embedded Signup popup",
                "world",
                obj(json!({
                    "message": obj(json!({
                        "type": {"type": "string"}, "event": {"type": "string"},
                        "version": {"type": "integer"}, "data": any(),
                    })),
                    "code": {"type": ["string", "null"]},
                    "code_expires_at": {"type": "string", "format": "date-time"},
                    "migrating": {"type": "boolean"},
                })),
            )
        },
        Route::Migrations => Op {
            description: "Each migration's steps in order (`initiated`, `code_requested`, `verified`, `registered`, `templates_copied`, `rerated`), each with `done`, its world time `at`, `due_at` for a re-rating still to come, and `refused`: the failed calls of that step found in the journal (the newest `refusals` failed migration calls are read). `refused_starts`: refused starts no migration of their number followed.",
            params: &[(
                "refusals",
                "query",
                "How many of the newest failed migration calls to read from the journal (default 200).",
                false,
            )],
            ..Op::new(
                "Each migration as a timeline",
                "migrations",
                obj(json!({
                    "migrations": {"type": "array", "items": obj(json!({
                        "phone_number": {"type": "string"},
                        "state": {"type": "string"},
                        "steps": {"type": "array", "items": obj(json!({
                            "step": {"type": "string"},
                            "done": {"type": "boolean"},
                            "at": {"type": ["string", "null"], "format": "date-time"},
                            "due_at": {"type": ["string", "null"], "format": "date-time"},
                            "refused": {"type": "array", "items": any()},
                        }))},
                    }))},
                    "refused_starts": {"type": "array", "items": any()},
                    "now": {"type": "string", "format": "date-time"},
                })),
            )
        },
        Route::Ui => Op {
            description: "An HTML page that reads this API from the browser; served without the admin token (it holds no data: it asks for the token and sends it with each call). See docs/dashboard.md.",
            media: "text/html",
            ..Op::new("The dashboard", "dashboard", json!({"type": "string"}))
        },
        Route::UiFile => Op {
            description: "The dashboard's script and style sheet (`dashboard.js`, `dashboard.css`).",
            params: &[("file", "path", "The file's name.", true)],
            media: "text/javascript",
            ..Op::new(
                "A file of the dashboard",
                "dashboard",
                json!({"type": "string"}),
            )
        },
    }
}

/// The OpenAPI 3.1 document.
pub fn document() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for r in ROUTES {
        let op = describe(r.route);
        let mut params: Vec<Value> = vec![json!({"$ref": "#/components/parameters/Namespace"})];
        params.extend(op.params.iter().map(|(name, at, description, required)| {
            json!({
                "name": name, "in": at, "description": description,
                "required": *required || *at == "path",
                "schema": param_schema(name),
            })
        }));
        let mut operation = json!({
            "operationId": format!("{:?}", r.route),
            "summary": op.summary,
            "tags": [op.tag],
            "parameters": params,
            "responses": {
                op.status: {
                    "description": "Success.",
                    "content": {op.media: {"schema": op.answer}},
                },
                "4XX": {"$ref": "#/components/responses/Error"},
            },
        });
        if !op.description.is_empty() {
            operation["description"] = json!(op.description);
        }
        if let Some(schema) = op.body {
            operation["requestBody"] = json!({
                "required": false,
                "content": {"application/json": {"schema": schema}},
            });
        }
        let entry = paths.entry(r.path.to_string()).or_insert_with(|| json!({}));
        entry[r.method.as_str().to_ascii_lowercase()] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "wabasim control API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Look inside and steer a wabasim server: clock, codes, journal, webhooks, namespaces, faults, fixtures. JSON in, JSON out; errors are {\"error\": \"...\"}. With --admin-token, every route but health and the dashboard's files (`/__admin/ui`) needs `Authorization: Bearer <token>` or `X-Wabasim-Admin-Token: <token>`.",
        },
        "security": [{}, {"adminToken": []}],
        "paths": paths,
        "components": {
            "parameters": {
                "Namespace": {
                    "name": "X-Wabasim-Namespace", "in": "header", "required": false,
                    "description": "The namespace acted on (default: `default`).",
                    "schema": {"type": "string"},
                },
            },
            "responses": {
                "Error": {
                    "description": "Bad input, unknown route or resource, or a missing admin token.",
                    "content": {"application/json": {"schema": {
                        "type": "object", "required": ["error"],
                        "properties": {"error": {"type": "string"}},
                    }}},
                },
            },
            "securitySchemes": {
                "adminToken": {"type": "http", "scheme": "bearer"},
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `facade` and `operation` parameters of `GET /__admin/requests`.
    fn filter_schemas(doc: &Value) -> (Value, Value) {
        let params = doc["paths"]["/__admin/requests"]["get"]["parameters"]
            .as_array()
            .unwrap();
        let schema = |name: &str| {
            params
                .iter()
                .find(|p| p["name"] == name)
                .unwrap_or_else(|| panic!("no {name} parameter"))["schema"]
                .clone()
        };
        (schema("facade"), schema("operation"))
    }

    #[test]
    fn facades_and_their_operations_are_read_from_the_facade_list() {
        let doc = document();
        let (facade, operation) = filter_schemas(&doc);
        // The unit tests' FACADES holds the test-only `echo` facade: it is documented with no
        // line of this file naming it.
        assert!(facade::ids().contains(&"echo"));
        assert_eq!(facade["enum"], json!(facade::ids()));
        let groups = operation["anyOf"].as_array().unwrap();
        for f in FACADES {
            let group = groups
                .iter()
                .find(|g| g["title"] == f.id())
                .unwrap_or_else(|| panic!("{} has no operation group", f.id()));
            assert_eq!(group["enum"], json!(f.operations()));
        }
        assert!(
            groups
                .iter()
                .any(|g| g["enum"] == json!([UNMATCHED, UNCLASSIFIED]))
        );
        // A fault's `match` takes the same names, without the journal's own words.
        let fault = &doc["paths"]["/__admin/faults"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"]["properties"]["match"]["properties"];
        assert_eq!(fault["facade"], facade);
        assert_eq!(
            fault["operation"]["anyOf"].as_array().unwrap().len(),
            FACADES.len()
        );
    }

    #[test]
    fn no_parameter_description_names_a_facade() {
        let doc = document();
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                for p in op["parameters"].as_array().unwrap() {
                    let text = p["description"].as_str().unwrap_or("").to_lowercase();
                    for id in facade::ids() {
                        assert!(!text.contains(&format!("`{id}`")), "{}: {text}", p["name"]);
                    }
                    assert!(!text.contains("alibaba"), "{}: {text}", p["name"]);
                }
            }
        }
    }
}
