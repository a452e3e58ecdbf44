//! Response-conformance checks against Meta's own OpenAPI document.
//!
//! Test-support module: it only uses dev-dependencies (`serde_json`, `serde-saphyr`,
//! `regex-lite`). This file holds the public types and the JSON-pointer helpers the others
//! share; `document` loads the document and looks up operations, responses and `$ref`s,
//! `audit` checks the document once at load (keywords, `$ref`s, regexes), `validate` checks
//! a body against a schema, and `exceptions` holds the known disagreements with the
//! reference.
//!
//! The document is read **at test time** from the path in `WABASIM_META_OPENAPI`
//! (see [`MetaOpenApi::from_env`] / [`MetaOpenApi::shared`]); it is never copied into
//! the project. When the variable is unset the caller prints a line starting "SKIPPED" and returns.
//!
//! Validation is done by a small, purpose-built validator for the JSON Schema 2020-12 /
//! OpenAPI 3.1 subset the document uses. Supported keywords: `$ref` (local JSON
//! pointers such as `#/components/schemas/X`, siblings still apply as in 2020-12),
//! `type` (string or array), OAS 3.0 `nullable`, `enum`, `const`, `properties`,
//! `required`, `additionalProperties`, `patternProperties`, `minProperties`,
//! `maxProperties`, `items`, `prefixItems`, `minItems`, `maxItems`, `uniqueItems`,
//! `minLength`, `maxLength`, `pattern`, `minimum`, `maximum`, `exclusiveMinimum`,
//! `exclusiveMaximum` (3.1 number or 3.0 boolean form), `multipleOf`, `allOf`, `anyOf`,
//! `oneOf`, `not`. Annotations (`format`, `discriminator`, `example`, `default`, …) are
//! ignored, as 2020-12 does by default. Any other keyword found in the document is
//! listed by [`MetaOpenApi::unsupported_keywords`] so a test can fail loudly instead of
//! validating laxly.
//!
//! Violation pointers: `json_pointer` points into the response body (RFC 6901). For a
//! missing required property it points at where the property should be (e.g.
//! `/data/0/status`), so a known exception can name the property. `schema_pointer` is a
//! URI fragment into the OpenAPI document (e.g.
//! `#/components/schemas/PhoneNumberCreateResponse/properties/id/type`).
#![allow(dead_code)]

mod audit;
mod document;
mod exceptions;
mod validate;

pub use exceptions::{KnownException, META_GRAPH_KNOWN_EXCEPTIONS};

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

/// Environment variable holding the path of `business-messaging-api_v23.0.yaml`.
pub const ENV_VAR: &str = "WABASIM_META_OPENAPI";

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

// ---------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------

/// One way a response body departs from the documented schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// RFC 6901 pointer into the body (`""` = the whole body).
    pub json_pointer: String,
    /// URI fragment into the OpenAPI document, ending at the failing keyword.
    pub schema_pointer: String,
    /// Failing keyword (`type`, `required`, `enum`, …) or, for lookup failures,
    /// `operation` (path/method not in the document), `responses` (status not
    /// documented) or `content` (no JSON body documented).
    pub keyword: String,
    /// Human-readable explanation.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.json_pointer.is_empty() {
            "(body)"
        } else {
            &self.json_pointer
        };
        write!(
            f,
            "at {at}: {} [{}: {}]",
            self.message, self.keyword, self.schema_pointer
        )
    }
}

/// A violation waived by a [`KnownException`].
#[derive(Clone, Debug)]
pub struct KnownViolation {
    pub violation: Violation,
    pub reason: &'static str,
}

/// Full result of checking one response.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub method: String,
    /// Path key as found in the document (with `/{Version}`), or as given if absent.
    pub path_template: String,
    pub status: u16,
    /// Which `responses` key was used (`"200"`, `"4XX"`, `"default"`).
    pub response_key: Option<String>,
    /// Where the body schema lives in the document.
    pub schema_pointer: Option<String>,
    /// Violations that fail the check.
    pub violations: Vec<Violation>,
    /// Violations waived by known exceptions.
    pub known: Vec<KnownViolation>,
}

impl Outcome {
    pub fn is_ok(&self) -> bool {
        self.violations.is_empty()
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} -> HTTP {}",
            self.method.to_ascii_uppercase(),
            self.path_template,
            self.status
        )?;
        if let Some(p) = &self.schema_pointer {
            write!(f, " (schema {p})")?;
        }
        writeln!(
            f,
            ": {} violation(s), {} known",
            self.violations.len(),
            self.known.len()
        )?;
        for v in &self.violations {
            writeln!(f, "  - {v}")?;
        }
        for k in &self.known {
            writeln!(f, "  ~ known: {}\n      reason: {}", k.violation, k.reason)?;
        }
        Ok(())
    }
}

/// Timings of [`MetaOpenApi::load`].
#[derive(Clone, Debug, Default)]
pub struct LoadStats {
    pub bytes: usize,
    pub read: Duration,
    /// YAML → `serde_json::Value` (serde-saphyr).
    pub parse: Duration,
    /// Keyword audit, `$ref` check and regex compilation.
    pub index: Duration,
}

impl LoadStats {
    pub fn total(&self) -> Duration {
        self.read + self.parse + self.index
    }
}

/// Meta's OpenAPI document, parsed and ready to validate response bodies.
pub struct MetaOpenApi {
    source: String,
    doc: Value,
    regexes: HashMap<String, Result<regex_lite::Regex, String>>,
    unsupported: BTreeMap<String, String>,
    dangling_refs: BTreeMap<String, String>,
    exceptions: Vec<KnownException>,
    stats: LoadStats,
    seen: Mutex<BTreeSet<(String, String, String)>>,
}

impl fmt::Debug for MetaOpenApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetaOpenApi")
            .field("source", &self.source)
            .field("exceptions", &self.exceptions.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------------------
// JSON pointers and paths, shared by the lookup, the audit and the checks
// ---------------------------------------------------------------------------------------

/// Accept `/{WABA-ID}/phone_numbers` for `/{Version}/{WABA-ID}/phone_numbers`.
fn normalize_path(p: &str) -> String {
    let p = p.trim();
    if p.starts_with("/{Version}") || p == "*" || p.starts_with("/whatsapp/") {
        p.to_string()
    } else {
        format!("/{{Version}}{p}")
    }
}

fn escape_segment(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn child(ptr: &str, key: &str) -> String {
    format!("{ptr}/{}", escape_segment(key))
}

fn lookup_violation(schema_pointer: String, keyword: &str, message: String) -> Violation {
    Violation {
        json_pointer: String::new(),
        schema_pointer,
        keyword: keyword.into(),
        message,
    }
}
