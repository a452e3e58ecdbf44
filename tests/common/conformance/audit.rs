//! The document's audit, done once at load: every schema keyword the validator does not
//! implement, every `$ref` (to find the dangling ones), and every `pattern` compiled once.

use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

use super::{METHODS, escape_segment};

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
pub(super) struct Audit {
    pub(super) regexes: HashMap<String, Result<regex_lite::Regex, String>>,
    pub(super) unsupported: BTreeMap<String, String>,
    pub(super) refs: BTreeMap<String, String>,
}

impl Audit {
    pub(super) fn document(&mut self, doc: &Value) {
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
