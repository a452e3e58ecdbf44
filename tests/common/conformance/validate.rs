//! Checking a response body: the public checks (`validate`, `check`, `assert_conforms`,
//! `validate_component`, the coverage report) and the keyword checks of the JSON Schema
//! 2020-12 / OpenAPI 3.1 subset the document uses.

use serde_json::Value;
use std::collections::BTreeSet;

use super::*;

/// Max nested `$ref`/combinator evaluations on one path before we give up (cycle guard).
const MAX_DEPTH: usize = 128;

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
        let at = At {
            api: self,
            obj,
            sptr,
            inst,
            iptr,
            depth,
        };
        if depth > MAX_DEPTH {
            at.push(
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
                None => at.push(out, "$ref", iptr, format!("$ref {r:?} does not resolve")),
            }
        }
        at.kind(out);
        match inst {
            Value::Object(map) => {
                at.properties(map, out);
                at.property_count(map.len(), out);
            }
            Value::Array(items) => {
                at.items(items, out);
                at.item_count(items, out);
            }
            Value::String(s) => at.string(s, out),
            Value::Number(n) => at.number(n, out),
            _ => {}
        }
        at.combinators(out);
    }
}

/// One schema object applied to one instance: where each sits (`sptr`, `iptr`) and how deep
/// the `$ref`s and combinators above have gone. Each method checks one family of keywords.
struct At<'a> {
    api: &'a MetaOpenApi,
    obj: &'a serde_json::Map<String, Value>,
    sptr: &'a str,
    inst: &'a Value,
    iptr: &'a str,
    depth: usize,
}

impl At<'_> {
    fn push(&self, out: &mut Vec<Violation>, kw: &str, iptr: &str, message: String) {
        out.push(Violation {
            json_pointer: iptr.to_string(),
            schema_pointer: format!("{}/{}", self.sptr, escape_segment(kw)),
            keyword: kw.to_string(),
            message,
        })
    }

    /// Checks `inst` (or a part of it) against a subschema, one level deeper.
    fn descend(
        &self,
        schema: &Value,
        sptr: &str,
        inst: &Value,
        iptr: &str,
        out: &mut Vec<Violation>,
    ) {
        self.api
            .validate_value(schema, sptr, inst, iptr, self.depth + 1, out)
    }

    fn u64_of(&self, kw: &str) -> Option<u64> {
        self.obj.get(kw).and_then(Value::as_u64)
    }

    /// `type`, `enum`, `const`. (`nullable: true` with a null instance returned before.)
    fn kind(&self, out: &mut Vec<Violation>) {
        let (obj, inst, iptr) = (self.obj, self.inst, self.iptr);
        if let Some(t) = obj.get("type") {
            let allowed: Vec<&str> = match t {
                Value::String(s) => vec![s.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if !allowed.is_empty() && !allowed.iter().any(|t| type_matches(t, inst)) {
                let got = if inst.is_null() {
                    "null".to_string()
                } else {
                    format!("{} {}", json_type(inst), short(inst))
                };
                self.push(
                    out,
                    "type",
                    iptr,
                    format!("expected {}, got {got}", allowed.join(" or ")),
                );
            }
        }
        if let Some(Value::Array(options)) = obj.get("enum")
            && !options.iter().any(|o| json_eq(o, inst))
        {
            let list: Vec<String> = options.iter().map(short).collect();
            self.push(
                out,
                "enum",
                iptr,
                format!("{} is not one of {}", short(inst), list.join(", ")),
            );
        }
        if let Some(c) = obj.get("const")
            && !json_eq(c, inst)
        {
            self.push(
                out,
                "const",
                iptr,
                format!("{} is not the constant {}", short(inst), short(c)),
            );
        }
    }

    /// `required`, `properties`, `patternProperties`, `additionalProperties`.
    fn properties(&self, map: &serde_json::Map<String, Value>, out: &mut Vec<Violation>) {
        let (obj, sptr, iptr) = (self.obj, self.sptr, self.iptr);
        if let Some(Value::Array(req)) = obj.get("required") {
            for name in req.iter().filter_map(Value::as_str) {
                if !map.contains_key(name) {
                    let message = format!("required property {name:?} is missing");
                    self.push(out, "required", &child(iptr, name), message);
                }
            }
        }
        let props = obj.get("properties").and_then(Value::as_object);
        let pattern_props = obj.get("patternProperties").and_then(Value::as_object);
        for (k, v) in map {
            let at = child(iptr, k);
            let mut evaluated = false;
            if let Some(ps) = props.and_then(|p| p.get(k)) {
                evaluated = true;
                self.descend(
                    ps,
                    &format!("{sptr}/properties/{}", escape_segment(k)),
                    v,
                    &at,
                    out,
                );
            }
            for (pat, ps) in pattern_props.into_iter().flatten() {
                if let Some(Ok(re)) = self.api.regexes.get(pat)
                    && re.is_match(k)
                {
                    evaluated = true;
                    let sp = format!("{sptr}/patternProperties/{}", escape_segment(pat));
                    self.descend(ps, &sp, v, &at, out);
                }
            }
            match obj.get("additionalProperties") {
                _ if evaluated => {}
                Some(Value::Bool(false)) => {
                    let message =
                        format!("property {k:?} is not allowed (additionalProperties: false)");
                    self.push(out, "additionalProperties", &at, message);
                }
                Some(ap) => self.descend(ap, &format!("{sptr}/additionalProperties"), v, &at, out),
                None => {}
            }
        }
    }

    /// `minProperties`, `maxProperties`.
    fn property_count(&self, len: usize, out: &mut Vec<Violation>) {
        if let Some(n) = self.u64_of("minProperties")
            && (len as u64) < n
        {
            let message = format!("{len} properties, fewer than minProperties {n}");
            self.push(out, "minProperties", self.iptr, message);
        }
        if let Some(n) = self.u64_of("maxProperties")
            && (len as u64) > n
        {
            let message = format!("{len} properties, more than maxProperties {n}");
            self.push(out, "maxProperties", self.iptr, message);
        }
    }

    /// `prefixItems`, `items`.
    fn items(&self, items: &[Value], out: &mut Vec<Violation>) {
        let (sptr, iptr) = (self.sptr, self.iptr);
        let prefix = self.obj.get("prefixItems").and_then(Value::as_array);
        let skip = prefix.map_or(0, Vec::len);
        for (i, (ps, v)) in prefix.into_iter().flatten().zip(items).enumerate() {
            self.descend(
                ps,
                &format!("{sptr}/prefixItems/{i}"),
                v,
                &child(iptr, &i.to_string()),
                out,
            );
        }
        if let Some(is) = self.obj.get("items") {
            let sp = format!("{sptr}/items");
            for (i, v) in items.iter().enumerate().skip(skip) {
                self.descend(is, &sp, v, &child(iptr, &i.to_string()), out);
            }
        }
    }

    /// `minItems`, `maxItems`, `uniqueItems`.
    fn item_count(&self, items: &[Value], out: &mut Vec<Violation>) {
        let len = items.len();
        if let Some(n) = self.u64_of("minItems")
            && (len as u64) < n
        {
            self.push(
                out,
                "minItems",
                self.iptr,
                format!("{len} item(s), fewer than minItems {n}"),
            );
        }
        if let Some(n) = self.u64_of("maxItems")
            && (len as u64) > n
        {
            self.push(
                out,
                "maxItems",
                self.iptr,
                format!("{len} item(s), more than maxItems {n}"),
            );
        }
        if self.obj.get("uniqueItems") == Some(&Value::Bool(true)) {
            let twins = (0..len).find_map(|i| {
                (i + 1..len)
                    .find(|&j| json_eq(&items[i], &items[j]))
                    .map(|j| (i, j))
            });
            if let Some((i, j)) = twins {
                let message = format!("items {i} and {j} are equal (uniqueItems)");
                self.push(out, "uniqueItems", self.iptr, message);
            }
        }
    }

    /// `minLength`, `maxLength` (in characters), `pattern`.
    fn string(&self, s: &str, out: &mut Vec<Violation>) {
        let (inst, iptr) = (self.inst, self.iptr);
        let len = s.chars().count() as u64;
        if let Some(n) = self.u64_of("minLength")
            && len < n
        {
            let message = format!(
                "{} has {len} character(s), fewer than minLength {n}",
                short(inst)
            );
            self.push(out, "minLength", iptr, message);
        }
        if let Some(n) = self.u64_of("maxLength")
            && len > n
        {
            let message = format!(
                "{} has {len} character(s), more than maxLength {n}",
                short(inst)
            );
            self.push(out, "maxLength", iptr, message);
        }
        if let Some(p) = self.obj.get("pattern").and_then(Value::as_str)
            && let Some(Ok(re)) = self.api.regexes.get(p)
            && !re.is_match(s)
        {
            let message = format!("{} does not match pattern {p}", short(inst));
            self.push(out, "pattern", iptr, message);
        }
    }

    /// `minimum`, `maximum` (with OpenAPI 3.0's boolean exclusives), `exclusiveMinimum`,
    /// `exclusiveMaximum` (3.1's numbers), `multipleOf`.
    fn number(&self, n: &serde_json::Number, out: &mut Vec<Violation>) {
        let (obj, iptr) = (self.obj, self.iptr);
        let x = n.as_f64().unwrap_or(f64::NAN);
        let float = |kw: &str| obj.get(kw).and_then(Value::as_f64);
        let excl_min_bool = obj.get("exclusiveMinimum") == Some(&Value::Bool(true));
        let excl_max_bool = obj.get("exclusiveMaximum") == Some(&Value::Bool(true));
        if let Some(min) = float("minimum")
            && (x < min || (excl_min_bool && x == min))
        {
            self.push(
                out,
                "minimum",
                iptr,
                format!("{n} is less than minimum {min}"),
            );
        }
        if let Some(max) = float("maximum")
            && (x > max || (excl_max_bool && x == max))
        {
            self.push(
                out,
                "maximum",
                iptr,
                format!("{n} is greater than maximum {max}"),
            );
        }
        if let Some(min) = float("exclusiveMinimum")
            && x <= min
        {
            self.push(
                out,
                "exclusiveMinimum",
                iptr,
                format!("{n} is not greater than {min}"),
            );
        }
        if let Some(max) = float("exclusiveMaximum")
            && x >= max
        {
            self.push(
                out,
                "exclusiveMaximum",
                iptr,
                format!("{n} is not less than {max}"),
            );
        }
        if let Some(d) = float("multipleOf")
            && d > 0.0
            && ((x / d) - (x / d).round()).abs() > 1e-9
        {
            self.push(
                out,
                "multipleOf",
                iptr,
                format!("{n} is not a multiple of {d}"),
            );
        }
    }

    /// `allOf`, `anyOf`, `oneOf`, `not`.
    fn combinators(&self, out: &mut Vec<Violation>) {
        let (obj, sptr, inst, iptr) = (self.obj, self.sptr, self.inst, self.iptr);
        if let Some(Value::Array(all)) = obj.get("allOf") {
            for (i, s) in all.iter().enumerate() {
                self.descend(s, &format!("{sptr}/allOf/{i}"), inst, iptr, out);
            }
        }
        for kw in ["anyOf", "oneOf"] {
            if let Some(Value::Array(alts)) = obj.get(kw) {
                self.alternatives(kw, alts, out);
            }
        }
        if let Some(n) = obj.get("not") {
            let mut sub = Vec::new();
            self.descend(n, &format!("{sptr}/not"), inst, iptr, &mut sub);
            if sub.is_empty() {
                let message = format!("{} matches a schema it must not match", short(inst));
                self.push(out, "not", iptr, message);
            }
        }
    }

    /// `anyOf` (at least one alternative) or `oneOf` (exactly one), each failed alternative's
    /// first violation named in the message.
    fn alternatives(&self, kw: &str, alts: &[Value], out: &mut Vec<Violation>) {
        let mut failures = Vec::new();
        let mut matched = Vec::new();
        for (i, s) in alts.iter().enumerate() {
            let mut sub = Vec::new();
            self.descend(
                s,
                &format!("{}/{kw}/{i}", self.sptr),
                self.inst,
                self.iptr,
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
            self.push(out, kw, self.iptr, msg);
        } else if kw == "oneOf" && matched.len() > 1 {
            let names: Vec<String> = matched
                .iter()
                .map(|i| format!("[{i}] {}", branch_name(&alts[*i])))
                .collect();
            let message = format!(
                "matches {} `oneOf` alternatives ({}), exactly one is allowed",
                matched.len(),
                names.join(", ")
            );
            self.push(out, kw, self.iptr, message);
        }
    }
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
