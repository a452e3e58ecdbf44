//! Meta's OpenAPI document as loaded: reading and parsing it (with the parser's budgets),
//! the accessors, and the lookup of an operation, its documented response for a status and
//! that response's JSON schema, through local `$ref`s.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use super::audit::Audit;
use super::*;

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

    pub(super) fn operation(&self, method: &str, path_template: &str) -> Option<(String, &Value)> {
        let m = method.to_ascii_lowercase();
        let path = normalize_path(path_template);
        let op = self.doc.get("paths")?.get(&path)?.get(&m)?;
        op.get("responses")?.as_object()?;
        Some((path, op))
    }

    /// Pick the response object for `status`: exact key, then `4XX`-style range, then
    /// `default`. Follows a `$ref` into `#/components/responses`.
    pub(super) fn response<'a>(
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

    pub(super) fn json_schema_of<'a>(
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

    pub(super) fn resolve_ref(&self, r: &str) -> Option<&Value> {
        let frag = r.strip_prefix('#')?;
        let frag = percent_decode(frag);
        if frag.is_empty() {
            return Some(&self.doc);
        }
        self.doc.pointer(&frag)
    }
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
