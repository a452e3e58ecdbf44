//! Response-conformance checks against Meta's own OpenAPI document.
//!
//! Test-support module (destined for `tests/common/conformance.rs`): it only uses
//! dev-dependencies (`serde_json`, `serde-saphyr`, `regex-lite`).
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

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Environment variable holding the path of `business-messaging-api_v23.0.yaml`.
pub const ENV_VAR: &str = "WABASIM_META_OPENAPI";

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
/// Max nested `$ref`/combinator evaluations on one path before we give up (cycle guard).
const MAX_DEPTH: usize = 128;

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

    fn matches(&self, method: &str, path: &str, status: u16, v: &Violation) -> bool {
        (self.method == "*" || self.method.eq_ignore_ascii_case(method))
            && (self.path_template == "*" || normalize_path(self.path_template) == path)
            && status_matches(self.status, status)
            && (self.keyword == "*" || self.keyword == v.keyword)
            && pointer_matches(self.json_pointer, &v.json_pointer)
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
// Loading
// ---------------------------------------------------------------------------------------

impl MetaOpenApi {
    /// `None` when `WABASIM_META_OPENAPI` is unset or empty (the caller prints a line starting "SKIPPED").
    pub fn from_env() -> Option<Result<Self, String>> {
        let raw = std::env::var_os(ENV_VAR)?;
        if raw.is_empty() {
            return None;
        }
        Some(Self::load(Path::new(&raw)))
    }

    /// Loaded once per test binary and shared by all tests in it. `None` when the
    /// variable is unset; panics (failing the test) when it is set but unusable.
    pub fn shared() -> Option<&'static MetaOpenApi> {
        static CELL: OnceLock<Option<MetaOpenApi>> = OnceLock::new();
        CELL.get_or_init(|| match Self::from_env() {
            None => None,
            Some(Ok(api)) => Some(api),
            Some(Err(e)) => panic!("{ENV_VAR} is set but the document cannot be used: {e}"),
        })
        .as_ref()
    }

    /// Read and parse the YAML document at `path`. Installs [`META_GRAPH_KNOWN_EXCEPTIONS`].
    pub fn load(path: &Path) -> Result<Self, String> {
        let t0 = Instant::now();
        let text = std::fs::read_to_string(path).map_err(|e| {
            let abs = std::env::current_dir()
                .map(|d| d.join(path))
                .unwrap_or_else(|_| PathBuf::from(path));
            format!("cannot read {} ({}): {e}", path.display(), abs.display())
        })?;
        let read = t0.elapsed();
        let mut api = Self::from_yaml_str(&text, &path.display().to_string())?;
        api.stats.read = read;
        Ok(api)
    }

    /// Parse a YAML (or JSON) OpenAPI text; `source` is used in messages.
    pub fn from_yaml_str(text: &str, source: &str) -> Result<Self, String> {
        let t = Instant::now();
        let doc: Value = serde_saphyr::from_str_with_options(text, yaml_options())
            .map_err(|e| format!("cannot parse {source} as YAML: {e}"))?;
        let parse = t.elapsed();
        let mut api = Self::from_value(doc, source)?;
        api.stats.bytes = text.len();
        api.stats.parse = parse;
        Ok(api)
    }

    /// Use an already-parsed document (unit tests build small documents with `json!`).
    pub fn from_value(doc: Value, source: &str) -> Result<Self, String> {
        let t = Instant::now();
        let version = doc.get("openapi").and_then(Value::as_str).unwrap_or("");
        if !version.starts_with("3.") {
            return Err(format!(
                "{source}: not an OpenAPI 3.x document (openapi = {:?})",
                doc.get("openapi")
            ));
        }
        if !doc.get("paths").is_some_and(Value::is_object) {
            return Err(format!("{source}: no `paths` object"));
        }
        let mut audit = Audit::default();
        audit.document(&doc);
        let mut api = MetaOpenApi {
            source: source.to_string(),
            doc,
            regexes: audit.regexes,
            unsupported: audit.unsupported,
            dangling_refs: BTreeMap::new(),
            exceptions: META_GRAPH_KNOWN_EXCEPTIONS.to_vec(),
            stats: LoadStats::default(),
            seen: Mutex::new(BTreeSet::new()),
        };
        for (r, at) in audit.refs {
            if api.resolve_ref(&r).is_none() {
                api.dangling_refs.insert(r, at);
            }
        }
        api.stats.index = t.elapsed();
        Ok(api)
    }

    /// Replace the known-exception list.
    pub fn with_exceptions(mut self, exceptions: Vec<KnownException>) -> Self {
        self.exceptions = exceptions;
        self
    }

    /// Drop every known exception (shows the raw violations).
    pub fn without_exceptions(self) -> Self {
        self.with_exceptions(Vec::new())
    }

    pub fn add_exception(&mut self, exception: KnownException) {
        self.exceptions.push(exception);
    }

    pub fn exceptions(&self) -> &[KnownException] {
        &self.exceptions
    }

    pub fn stats(&self) -> &LoadStats {
        &self.stats
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// The parsed document.
    pub fn document(&self) -> &Value {
        &self.doc
    }

    /// Schema keywords the validator does not implement, with the first place seen.
    /// Empty for business-messaging-api_v23.0.yaml; a test should assert that.
    pub fn unsupported_keywords(&self) -> &BTreeMap<String, String> {
        &self.unsupported
    }

    /// `$ref`s that do not resolve, with the first place seen.
    pub fn dangling_refs(&self) -> &BTreeMap<String, String> {
        &self.dangling_refs
    }

    /// `pattern`s that regex-lite cannot compile (they are skipped, never fail a body).
    pub fn invalid_patterns(&self) -> Vec<(String, String)> {
        let mut v: Vec<_> = self
            .regexes
            .iter()
            .filter_map(|(p, r)| r.as_ref().err().map(|e| (p.clone(), e.clone())))
            .collect();
        v.sort();
        v
    }
}

fn yaml_options() -> serde_saphyr::Options {
    // The v23.0 document is ~1.1 MB, ~65k parser events, ~25 levels deep. Budgets are
    // set well above that (but bounded: a runaway file should still fail fast).
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = 4_000_000;
    budget.max_nodes = 2_000_000;
    budget.max_depth = 256;
    budget.max_documents = 1;
    budget.max_total_scalar_bytes = 64 * 1024 * 1024;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    // YAML 1.1 spellings (yes/no/on/off) must stay strings: `NO` is Norway in enums.
    options.strict_booleans = true;
    options
}

// ---------------------------------------------------------------------------------------
// Lookup
// ---------------------------------------------------------------------------------------

impl MetaOpenApi {
    /// `(METHOD, path_template)` for every operation that documents responses.
    pub fn operations(&self) -> Vec<(String, String)> {
        let mut out = BTreeSet::new();
        if let Some(paths) = self.doc.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                for m in METHODS {
                    if item
                        .get(m)
                        .and_then(|op| op.get("responses"))
                        .and_then(Value::as_object)
                        .is_some_and(|r| !r.is_empty())
                    {
                        out.insert((path.clone(), m.to_ascii_uppercase()));
                    }
                }
            }
        }
        out.into_iter().map(|(p, m)| (m, p)).collect()
    }

    pub fn has_operation(&self, method: &str, path_template: &str) -> bool {
        self.operation(method, path_template).is_some()
    }

    /// Documented response keys (`"200"`, `"400"`, `"default"`, …) of one operation.
    pub fn statuses(&self, method: &str, path_template: &str) -> Vec<String> {
        self.operation(method, path_template)
            .and_then(|(_, op)| op.get("responses"))
            .and_then(Value::as_object)
            .map(|r| r.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The JSON body schema documented for a response, with its document pointer.
    pub fn response_schema(
        &self,
        method: &str,
        path_template: &str,
        status: u16,
    ) -> Result<Option<(String, &Value)>, Violation> {
        let m = method.to_ascii_lowercase();
        let path = normalize_path(path_template);
        let Some((path, op)) = self.operation(&m, &path) else {
            return Err(lookup_violation(
                "#/paths".into(),
                "operation",
                format!(
                    "{} {path} is not described in {}",
                    m.to_ascii_uppercase(),
                    self.source
                ),
            ));
        };
        let (_, resp, resp_ptr) = self.response(&m, &path, op, status)?;
        self.json_schema_of(resp, &resp_ptr)
    }

    fn operation(&self, method: &str, path_template: &str) -> Option<(String, &Value)> {
        let m = method.to_ascii_lowercase();
        let path = normalize_path(path_template);
        let op = self.doc.get("paths")?.get(&path)?.get(&m)?;
        op.get("responses")?.as_object()?;
        Some((path, op))
    }

    /// Pick the response object for `status`: exact key, then `4XX`-style range, then
    /// `default`. Follows a `$ref` into `#/components/responses`.
    fn response<'a>(
        &'a self,
        method: &str,
        path: &str,
        op: &'a Value,
        status: u16,
    ) -> Result<(String, &'a Value, String), Violation> {
        let responses = op.get("responses").and_then(Value::as_object);
        let base = format!("#/paths/{}/{method}/responses", escape_segment(path));
        let responses = responses.ok_or_else(|| {
            lookup_violation(base.clone(), "responses", "no responses documented".into())
        })?;
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        let key = responses
            .keys()
            .find(|k| **k == exact)
            .or_else(|| responses.keys().find(|k| k.eq_ignore_ascii_case(&range)))
            .or_else(|| responses.keys().find(|k| *k == "default"));
        let Some(key) = key else {
            let documented: Vec<&str> = responses.keys().map(String::as_str).collect();
            return Err(lookup_violation(
                base,
                "responses",
                format!(
                    "HTTP {status} is not documented for {} {path} (documented: {}; no {range} or default)",
                    method.to_ascii_uppercase(),
                    documented.join(", ")
                ),
            ));
        };
        let mut ptr = format!("{base}/{}", escape_segment(key));
        let mut resp = &responses[key];
        let mut hops = 0;
        while let Some(r) = resp.get("$ref").and_then(Value::as_str) {
            hops += 1;
            match self.resolve_ref(r) {
                Some(target) if hops < 16 => {
                    ptr = r.to_string();
                    resp = target;
                }
                _ => {
                    return Err(lookup_violation(
                        ptr,
                        "$ref",
                        format!("response $ref {r:?} does not resolve"),
                    ));
                }
            }
        }
        Ok((key.clone(), resp, ptr))
    }

    fn json_schema_of<'a>(
        &'a self,
        resp: &'a Value,
        resp_ptr: &str,
    ) -> Result<Option<(String, &'a Value)>, Violation> {
        let Some(content) = resp.get("content").and_then(Value::as_object) else {
            return Ok(None);
        };
        let is_json = |k: &str, strict: bool| {
            let mt = k.split(';').next().unwrap_or("").trim();
            mt.eq_ignore_ascii_case("application/json")
                || (!strict && mt.to_ascii_lowercase().ends_with("+json"))
        };
        let key = content
            .keys()
            .find(|k| is_json(k, true))
            .or_else(|| content.keys().find(|k| is_json(k, false)));
        let Some(key) = key else {
            let types: Vec<&str> = content.keys().map(String::as_str).collect();
            return Err(lookup_violation(
                format!("{resp_ptr}/content"),
                "content",
                format!(
                    "no application/json body documented (only: {})",
                    types.join(", ")
                ),
            ));
        };
        Ok(content[key].get("schema").map(|s| {
            (
                format!("{resp_ptr}/content/{}/schema", escape_segment(key)),
                s,
            )
        }))
    }

    fn resolve_ref(&self, r: &str) -> Option<&Value> {
        let frag = r.strip_prefix('#')?;
        let frag = percent_decode(frag);
        if frag.is_empty() {
            return Some(&self.doc);
        }
        self.doc.pointer(&frag)
    }
}

fn lookup_violation(schema_pointer: String, keyword: &str, message: String) -> Violation {
    Violation {
        json_pointer: String::new(),
        schema_pointer,
        keyword: keyword.into(),
        message,
    }
}

// ---------------------------------------------------------------------------------------
// Checking
// ---------------------------------------------------------------------------------------

impl MetaOpenApi {
    /// Validate one response body. `Err` holds the violations not covered by a known
    /// exception; known ones never fail (see [`Self::check`] to see them).
    pub fn validate(
        &self,
        method: &str,
        path_template: &str,
        status: u16,
        body: &Value,
    ) -> Result<(), Vec<Violation>> {
        let outcome = self.check(method, path_template, status, body);
        if outcome.violations.is_empty() {
            Ok(())
        } else {
            Err(outcome.violations)
        }
    }

    /// Like [`Self::validate`] but panics with a readable report.
    #[track_caller]
    pub fn assert_conforms(&self, method: &str, path_template: &str, status: u16, body: &Value) {
        let outcome = self.check(method, path_template, status, body);
        if !outcome.is_ok() {
            panic!(
                "response does not conform to Meta's OpenAPI document\n{outcome}body: {}",
                serde_json::to_string_pretty(body).unwrap_or_default()
            );
        }
    }

    /// Validate and return everything: failing and waived violations.
    pub fn check(&self, method: &str, path_template: &str, status: u16, body: &Value) -> Outcome {
        let m = method.to_ascii_lowercase();
        let mut path = normalize_path(path_template);
        let mut outcome = Outcome {
            method: m.clone(),
            path_template: path.clone(),
            status,
            response_key: None,
            schema_pointer: None,
            violations: Vec::new(),
            known: Vec::new(),
        };
        let raw = match self.operation(&m, &path) {
            None => vec![lookup_violation(
                "#/paths".into(),
                "operation",
                format!(
                    "{} {path} is not described in {}",
                    m.to_ascii_uppercase(),
                    self.source
                ),
            )],
            Some((p, op)) => {
                path = p;
                match self.response(&m, &path, op, status) {
                    Err(v) => vec![v],
                    Ok((key, resp, resp_ptr)) => {
                        if let Ok(mut seen) = self.seen.lock() {
                            seen.insert((m.to_ascii_uppercase(), path.clone(), key.clone()));
                        }
                        outcome.response_key = Some(key);
                        match self.json_schema_of(resp, &resp_ptr) {
                            Err(v) => vec![v],
                            Ok(None) if body.is_null() => Vec::new(),
                            Ok(None) => vec![lookup_violation(
                                resp_ptr,
                                "content",
                                "the documented response has no JSON body, but one was sent".into(),
                            )],
                            Ok(Some((sptr, schema))) => {
                                outcome.schema_pointer = Some(sptr.clone());
                                let mut out = Vec::new();
                                self.validate_value(schema, &sptr, body, "", 0, &mut out);
                                out
                            }
                        }
                    }
                }
            }
        };
        for v in raw {
            match self
                .exceptions
                .iter()
                .find(|e| e.matches(&m, &path, status, &v))
            {
                Some(e) => outcome.known.push(KnownViolation {
                    violation: v,
                    reason: e.reason,
                }),
                None => outcome.violations.push(v),
            }
        }
        outcome.path_template = path;
        outcome
    }

    /// Validate a value against a named component schema (`"GraphAPIError"` or
    /// `"#/components/schemas/GraphAPIError"`), e.g. for error bodies of operations that
    /// document no error responses. Known exceptions do not apply.
    pub fn validate_component(&self, schema: &str, value: &Value) -> Result<(), Vec<Violation>> {
        let ptr = if schema.starts_with('#') {
            schema.to_string()
        } else {
            format!("#/components/schemas/{}", escape_segment(schema))
        };
        let Some(s) = self.resolve_ref(&ptr) else {
            return Err(vec![lookup_violation(
                ptr.clone(),
                "$ref",
                format!("{ptr} does not resolve"),
            )]);
        };
        let mut out = Vec::new();
        self.validate_value(s, &ptr, value, "", 0, &mut out);
        if out.is_empty() { Ok(()) } else { Err(out) }
    }

    /// `(METHOD, path, response key)` triples validated so far in this process.
    pub fn seen(&self) -> BTreeSet<(String, String, String)> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// One line per documented `(operation, status)` of the given paths (all when empty),
    /// marked `[x]` when validated in this process.
    pub fn coverage_report(&self, paths: &[&str]) -> String {
        let wanted: BTreeSet<String> = paths.iter().map(|p| normalize_path(p)).collect();
        let seen = self.seen();
        let mut out = String::new();
        for (m, p) in self.operations() {
            if !wanted.is_empty() && !wanted.contains(&p) {
                continue;
            }
            for s in self.statuses(&m, &p) {
                let mark = if seen.contains(&(m.clone(), p.clone(), s.clone())) {
                    "x"
                } else {
                    " "
                };
                out.push_str(&format!("[{mark}] {m} {p} {s}\n"));
            }
        }
        out
    }

    fn validate_value(
        &self,
        schema: &Value,
        sptr: &str,
        inst: &Value,
        iptr: &str,
        depth: usize,
        out: &mut Vec<Violation>,
    ) {
        let push = |out: &mut Vec<Violation>, kw: &str, iptr: &str, message: String| {
            out.push(Violation {
                json_pointer: iptr.to_string(),
                schema_pointer: format!("{sptr}/{}", escape_segment(kw)),
                keyword: kw.to_string(),
                message,
            })
        };
        let obj = match schema {
            Value::Bool(true) => return,
            Value::Bool(false) => {
                out.push(Violation {
                    json_pointer: iptr.into(),
                    schema_pointer: sptr.into(),
                    keyword: "false".into(),
                    message: "no value is allowed here (schema `false`)".into(),
                });
                return;
            }
            Value::Object(o) => o,
            _ => return,
        };
        if depth > MAX_DEPTH {
            push(
                out,
                "$ref",
                iptr,
                format!("schema nesting deeper than {MAX_DEPTH} (recursive $ref?)"),
            );
            return;
        }
        if inst.is_null() && obj.get("nullable") == Some(&Value::Bool(true)) {
            return;
        }

        if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
            match self.resolve_ref(r) {
                Some(target) => self.validate_value(target, r, inst, iptr, depth + 1, out),
                None => push(out, "$ref", iptr, format!("$ref {r:?} does not resolve")),
            }
        }

        if let Some(t) = obj.get("type") {
            let allowed: Vec<&str> = match t {
                Value::String(s) => vec![s.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            // (`nullable: true` with a null instance already returned above)
            if !allowed.is_empty() && !allowed.iter().any(|t| type_matches(t, inst)) {
                push(
                    out,
                    "type",
                    iptr,
                    if inst.is_null() {
                        format!("expected {}, got null", allowed.join(" or "))
                    } else {
                        format!(
                            "expected {}, got {} {}",
                            allowed.join(" or "),
                            json_type(inst),
                            short(inst)
                        )
                    },
                );
            }
        }
        if let Some(Value::Array(options)) = obj.get("enum")
            && !options.iter().any(|o| json_eq(o, inst))
        {
            let list: Vec<String> = options.iter().map(short).collect();
            push(
                out,
                "enum",
                iptr,
                format!("{} is not one of {}", short(inst), list.join(", ")),
            );
        }
        if let Some(c) = obj.get("const")
            && !json_eq(c, inst)
        {
            push(
                out,
                "const",
                iptr,
                format!("{} is not the constant {}", short(inst), short(c)),
            );
        }

        match inst {
            Value::Object(map) => {
                if let Some(Value::Array(req)) = obj.get("required") {
                    for name in req.iter().filter_map(Value::as_str) {
                        if !map.contains_key(name) {
                            push(
                                out,
                                "required",
                                &child(iptr, name),
                                format!("required property {name:?} is missing"),
                            );
                        }
                    }
                }
                let props = obj.get("properties").and_then(Value::as_object);
                let pattern_props = obj.get("patternProperties").and_then(Value::as_object);
                for (k, v) in map {
                    let mut evaluated = false;
                    if let Some(ps) = props.and_then(|p| p.get(k)) {
                        evaluated = true;
                        let sp = format!("{sptr}/properties/{}", escape_segment(k));
                        self.validate_value(ps, &sp, v, &child(iptr, k), depth + 1, out);
                    }
                    if let Some(pp) = pattern_props {
                        for (pat, ps) in pp {
                            if let Some(Ok(re)) = self.regexes.get(pat)
                                && re.is_match(k)
                            {
                                evaluated = true;
                                let sp =
                                    format!("{sptr}/patternProperties/{}", escape_segment(pat));
                                self.validate_value(ps, &sp, v, &child(iptr, k), depth + 1, out);
                            }
                        }
                    }
                    if !evaluated && let Some(ap) = obj.get("additionalProperties") {
                        if ap == &Value::Bool(false) {
                            push(
                                out,
                                "additionalProperties",
                                &child(iptr, k),
                                format!(
                                    "property {k:?} is not allowed (additionalProperties: false)"
                                ),
                            );
                        } else {
                            let sp = format!("{sptr}/additionalProperties");
                            self.validate_value(ap, &sp, v, &child(iptr, k), depth + 1, out);
                        }
                    }
                }
                if let Some(n) = obj.get("minProperties").and_then(Value::as_u64)
                    && (map.len() as u64) < n
                {
                    push(
                        out,
                        "minProperties",
                        iptr,
                        format!("{} properties, fewer than minProperties {n}", map.len()),
                    );
                }
                if let Some(n) = obj.get("maxProperties").and_then(Value::as_u64)
                    && (map.len() as u64) > n
                {
                    push(
                        out,
                        "maxProperties",
                        iptr,
                        format!("{} properties, more than maxProperties {n}", map.len()),
                    );
                }
            }
            Value::Array(items) => {
                let prefix = obj.get("prefixItems").and_then(Value::as_array);
                let skip = prefix.map_or(0, Vec::len);
                if let Some(prefix) = prefix {
                    for (i, (ps, v)) in prefix.iter().zip(items).enumerate() {
                        let sp = format!("{sptr}/prefixItems/{i}");
                        self.validate_value(
                            ps,
                            &sp,
                            v,
                            &child(iptr, &i.to_string()),
                            depth + 1,
                            out,
                        );
                    }
                }
                if let Some(is) = obj.get("items") {
                    let sp = format!("{sptr}/items");
                    for (i, v) in items.iter().enumerate().skip(skip) {
                        self.validate_value(
                            is,
                            &sp,
                            v,
                            &child(iptr, &i.to_string()),
                            depth + 1,
                            out,
                        );
                    }
                }
                if let Some(n) = obj.get("minItems").and_then(Value::as_u64)
                    && (items.len() as u64) < n
                {
                    push(
                        out,
                        "minItems",
                        iptr,
                        format!("{} item(s), fewer than minItems {n}", items.len()),
                    );
                }
                if let Some(n) = obj.get("maxItems").and_then(Value::as_u64)
                    && (items.len() as u64) > n
                {
                    push(
                        out,
                        "maxItems",
                        iptr,
                        format!("{} item(s), more than maxItems {n}", items.len()),
                    );
                }
                if obj.get("uniqueItems") == Some(&Value::Bool(true)) {
                    'outer: for i in 0..items.len() {
                        for j in i + 1..items.len() {
                            if json_eq(&items[i], &items[j]) {
                                push(
                                    out,
                                    "uniqueItems",
                                    iptr,
                                    format!("items {i} and {j} are equal (uniqueItems)"),
                                );
                                break 'outer;
                            }
                        }
                    }
                }
            }
            Value::String(s) => {
                let len = s.chars().count() as u64;
                if let Some(n) = obj.get("minLength").and_then(Value::as_u64)
                    && len < n
                {
                    push(
                        out,
                        "minLength",
                        iptr,
                        format!(
                            "{} has {len} character(s), fewer than minLength {n}",
                            short(inst)
                        ),
                    );
                }
                if let Some(n) = obj.get("maxLength").and_then(Value::as_u64)
                    && len > n
                {
                    push(
                        out,
                        "maxLength",
                        iptr,
                        format!(
                            "{} has {len} character(s), more than maxLength {n}",
                            short(inst)
                        ),
                    );
                }
                if let Some(p) = obj.get("pattern").and_then(Value::as_str)
                    && let Some(Ok(re)) = self.regexes.get(p)
                    && !re.is_match(s)
                {
                    push(
                        out,
                        "pattern",
                        iptr,
                        format!("{} does not match pattern {p}", short(inst)),
                    );
                }
            }
            Value::Number(n) => {
                let x = n.as_f64().unwrap_or(f64::NAN);
                let excl_min_bool = obj.get("exclusiveMinimum") == Some(&Value::Bool(true));
                let excl_max_bool = obj.get("exclusiveMaximum") == Some(&Value::Bool(true));
                if let Some(min) = obj.get("minimum").and_then(Value::as_f64)
                    && (x < min || (excl_min_bool && x == min))
                {
                    push(
                        out,
                        "minimum",
                        iptr,
                        format!("{n} is less than minimum {min}"),
                    );
                }
                if let Some(max) = obj.get("maximum").and_then(Value::as_f64)
                    && (x > max || (excl_max_bool && x == max))
                {
                    push(
                        out,
                        "maximum",
                        iptr,
                        format!("{n} is greater than maximum {max}"),
                    );
                }
                if let Some(min) = obj.get("exclusiveMinimum").and_then(Value::as_f64)
                    && x <= min
                {
                    push(
                        out,
                        "exclusiveMinimum",
                        iptr,
                        format!("{n} is not greater than {min}"),
                    );
                }
                if let Some(max) = obj.get("exclusiveMaximum").and_then(Value::as_f64)
                    && x >= max
                {
                    push(
                        out,
                        "exclusiveMaximum",
                        iptr,
                        format!("{n} is not less than {max}"),
                    );
                }
                if let Some(d) = obj.get("multipleOf").and_then(Value::as_f64)
                    && d > 0.0
                {
                    let q = x / d;
                    if (q - q.round()).abs() > 1e-9 {
                        push(
                            out,
                            "multipleOf",
                            iptr,
                            format!("{n} is not a multiple of {d}"),
                        );
                    }
                }
            }
            _ => {}
        }

        if let Some(Value::Array(all)) = obj.get("allOf") {
            for (i, s) in all.iter().enumerate() {
                self.validate_value(s, &format!("{sptr}/allOf/{i}"), inst, iptr, depth + 1, out);
            }
        }
        for kw in ["anyOf", "oneOf"] {
            let Some(Value::Array(alts)) = obj.get(kw) else {
                continue;
            };
            let mut failures = Vec::new();
            let mut matched = Vec::new();
            for (i, s) in alts.iter().enumerate() {
                let mut sub = Vec::new();
                self.validate_value(
                    s,
                    &format!("{sptr}/{kw}/{i}"),
                    inst,
                    iptr,
                    depth + 1,
                    &mut sub,
                );
                if sub.is_empty() {
                    matched.push(i);
                } else {
                    failures.push((i, branch_name(s), sub));
                }
            }
            if matched.is_empty() {
                let mut msg = format!("matches none of the {} `{kw}` alternatives:", alts.len());
                for (i, name, sub) in &failures {
                    let first = &sub[0];
                    let at = if first.json_pointer.is_empty() {
                        "(body)"
                    } else {
                        &first.json_pointer
                    };
                    msg.push_str(&format!("\n      [{i}] {name}: at {at}: {}", first.message));
                    if sub.len() > 1 {
                        msg.push_str(&format!(" (+{} more)", sub.len() - 1));
                    }
                }
                push(out, kw, iptr, msg);
            } else if kw == "oneOf" && matched.len() > 1 {
                let names: Vec<String> = matched
                    .iter()
                    .map(|i| format!("[{i}] {}", branch_name(&alts[*i])))
                    .collect();
                push(
                    out,
                    kw,
                    iptr,
                    format!(
                        "matches {} `oneOf` alternatives ({}), exactly one is allowed",
                        matched.len(),
                        names.join(", ")
                    ),
                );
            }
        }
        if let Some(n) = obj.get("not") {
            let mut sub = Vec::new();
            self.validate_value(n, &format!("{sptr}/not"), inst, iptr, depth + 1, &mut sub);
            if sub.is_empty() {
                push(
                    out,
                    "not",
                    iptr,
                    format!("{} matches a schema it must not match", short(inst)),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Document audit (supported keywords, $refs, regexes) — done once at load
// ---------------------------------------------------------------------------------------

const SUPPORTED: &[&str] = &[
    "$ref",
    "type",
    "nullable",
    "enum",
    "const",
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "minProperties",
    "maxProperties",
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
];
/// Annotation-only keywords: they never constrain a value.
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "example",
    "examples",
    "default",
    "format",
    "discriminator",
    "readOnly",
    "writeOnly",
    "deprecated",
    "xml",
    "externalDocs",
    "$comment",
    "$schema",
    "contentMediaType",
    "contentEncoding",
];

#[derive(Default)]
struct Audit {
    regexes: HashMap<String, Result<regex_lite::Regex, String>>,
    unsupported: BTreeMap<String, String>,
    refs: BTreeMap<String, String>,
}

impl Audit {
    fn document(&mut self, doc: &Value) {
        if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
            for (p, item) in paths {
                let ip = format!("#/paths/{}", escape_segment(p));
                self.parameters(item.get("parameters"), &format!("{ip}/parameters"));
                for m in METHODS {
                    let Some(op) = item.get(m) else { continue };
                    let op_ptr = format!("{ip}/{m}");
                    self.parameters(op.get("parameters"), &format!("{op_ptr}/parameters"));
                    if let Some(rb) = op.get("requestBody") {
                        self.note_ref(rb, &format!("{op_ptr}/requestBody"));
                        self.content(rb.get("content"), &format!("{op_ptr}/requestBody/content"));
                    }
                    if let Some(rs) = op.get("responses").and_then(Value::as_object) {
                        for (k, r) in rs {
                            self.response(r, &format!("{op_ptr}/responses/{}", escape_segment(k)));
                        }
                    }
                }
            }
        }
        let Some(c) = doc.get("components") else {
            return;
        };
        if let Some(s) = c.get("schemas").and_then(Value::as_object) {
            for (k, v) in s {
                self.schema(v, &format!("#/components/schemas/{}", escape_segment(k)));
            }
        }
        if let Some(r) = c.get("responses").and_then(Value::as_object) {
            for (k, v) in r {
                self.response(v, &format!("#/components/responses/{}", escape_segment(k)));
            }
        }
        for group in ["parameters", "headers"] {
            if let Some(ps) = c.get(group).and_then(Value::as_object) {
                for (k, v) in ps {
                    let at = format!("#/components/{group}/{}", escape_segment(k));
                    self.note_ref(v, &at);
                    if let Some(s) = v.get("schema") {
                        self.schema(s, &format!("{at}/schema"));
                    }
                }
            }
        }
    }

    fn note_ref(&mut self, v: &Value, at: &str) {
        if let Some(r) = v.get("$ref").and_then(Value::as_str) {
            self.refs
                .entry(r.to_string())
                .or_insert_with(|| at.to_string());
        }
    }

    fn parameters(&mut self, ps: Option<&Value>, at: &str) {
        for (i, p) in ps
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            self.note_ref(p, &format!("{at}/{i}"));
            if let Some(s) = p.get("schema") {
                self.schema(s, &format!("{at}/{i}/schema"));
            }
        }
    }

    fn response(&mut self, r: &Value, at: &str) {
        self.note_ref(r, at);
        self.content(r.get("content"), &format!("{at}/content"));
        if let Some(hs) = r.get("headers").and_then(Value::as_object) {
            for (k, h) in hs {
                let hp = format!("{at}/headers/{}", escape_segment(k));
                self.note_ref(h, &hp);
                if let Some(s) = h.get("schema") {
                    self.schema(s, &format!("{hp}/schema"));
                }
            }
        }
    }

    fn content(&mut self, c: Option<&Value>, at: &str) {
        if let Some(c) = c.and_then(Value::as_object) {
            for (k, mt) in c {
                if let Some(s) = mt.get("schema") {
                    self.schema(s, &format!("{at}/{}/schema", escape_segment(k)));
                }
            }
        }
    }

    fn schema(&mut self, s: &Value, at: &str) {
        let Some(obj) = s.as_object() else { return };
        for (k, v) in obj {
            let here = format!("{at}/{}", escape_segment(k));
            match k.as_str() {
                "$ref" => {
                    if let Some(r) = v.as_str() {
                        self.refs.entry(r.to_string()).or_insert(here);
                    }
                }
                "properties" | "patternProperties" | "$defs" | "definitions" => {
                    for (name, sub) in v.as_object().into_iter().flatten() {
                        if k == "patternProperties" {
                            self.regex(name);
                        }
                        self.schema(sub, &format!("{here}/{}", escape_segment(name)));
                    }
                }
                "items" | "additionalProperties" | "not" => self.schema(v, &here),
                "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                    for (i, sub) in v.as_array().into_iter().flatten().enumerate() {
                        self.schema(sub, &format!("{here}/{i}"));
                    }
                }
                "pattern" => {
                    if let Some(p) = v.as_str() {
                        self.regex(p);
                    }
                }
                _ if SUPPORTED.contains(&k.as_str())
                    || ANNOTATIONS.contains(&k.as_str())
                    || k.starts_with("x-") => {}
                _ => {
                    self.unsupported.entry(k.clone()).or_insert(here);
                }
            }
        }
    }

    fn regex(&mut self, p: &str) {
        if !self.regexes.contains_key(p) {
            let compiled = regex_lite::Regex::new(p).map_err(|e| e.to_string());
            self.regexes.insert(p.to_string(), compiled);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Helpers
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

fn escape_segment(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn child(ptr: &str, key: &str) -> String {
    format!("{ptr}/{}", escape_segment(key))
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && b[i + 1].is_ascii_hexdigit()
            && b[i + 2].is_ascii_hexdigit()
        {
            let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(b[i + 1]) * 16 + hex(b[i + 2]));
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "number" => v.is_number(),
        "integer" => match v {
            Value::Number(n) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        },
        _ => true, // unknown type names are not ours to judge
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// JSON equality with numeric comparison (1 == 1.0), as JSON Schema requires.
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y || matches!((x.as_f64(), y.as_f64()), (Some(p), Some(q)) if p == q)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Compact rendering of a value for messages (at most ~60 characters).
fn short(v: &Value) -> String {
    let s = serde_json::to_string(v).unwrap_or_default();
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}...")
    } else {
        s
    }
}

fn branch_name(s: &Value) -> String {
    match s.get("$ref").and_then(Value::as_str) {
        Some(r) => r.rsplit('/').next().unwrap_or(r).to_string(),
        None => s
            .get("title")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| "inline schema".into()),
    }
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
