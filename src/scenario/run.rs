//! Running a scenario: a fresh simulator on a loopback port, each step sent over a real
//! socket with hyper's client, each answer checked, captured from and written to the
//! transcript. The world's clock is frozen at its start so that times, and everything that
//! depends on them, only move with `clock:` steps; the first failing step ends the run.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

use super::expect::{self, lookup};
use super::transcript::{Placeholders, body_text};
use super::{Expect, Loaded, RequestSpec, Step, WebhookWait};
use crate::clock::Duration;
use crate::fixture::Fixture;
use crate::{Options, Simulator};

/// How one step went.
#[derive(Clone, Debug)]
pub struct StepReport {
    /// 1-based.
    pub number: usize,
    pub title: String,
    pub passed: bool,
    /// What did not match, one line each.
    pub problems: Vec<String>,
    /// A diff of the expected JSON against the actual answer, when the JSON did not match.
    pub diff: Option<String>,
}

/// How a scenario went.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub name: String,
    pub steps: Vec<StepReport>,
    /// Steps not run because an earlier one failed.
    pub skipped: usize,
    /// A failure before any step ran (the simulator did not start).
    pub error: Option<String>,
    pub transcript: String,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.skipped == 0 && self.steps.iter().all(|s| s.passed)
    }

    /// Pass/fail per step, with the reasons and diffs of failures.
    pub fn report(&self) -> String {
        let mut out = String::new();
        let verdict = if self.passed() { "PASS" } else { "FAIL" };
        let _ = writeln!(out, "{verdict} {}", self.name);
        if let Some(e) = &self.error {
            let _ = writeln!(out, "  error: {e}");
        }
        for s in &self.steps {
            let mark = if s.passed { "ok  " } else { "FAIL" };
            let _ = writeln!(out, "  {mark} {:>2}. {}", s.number, s.title);
            for p in &s.problems {
                let _ = writeln!(out, "          {p}");
            }
            if let Some(d) = &s.diff {
                for line in d.lines() {
                    let _ = writeln!(out, "          {line}");
                }
            }
        }
        if self.skipped > 0 {
            let _ = writeln!(out, "  ({} later steps not run)", self.skipped);
        }
        out
    }
}

/// What came back for one exchange.
struct Reply {
    status: u16,
    reason: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Why the answer is incomplete: closed before the head, or cut short.
    broken: Option<String>,
}

/// An exchange to make.
struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    timeout: std::time::Duration,
}

const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Runs a loaded scenario against a fresh simulator.
pub async fn run(loaded: &Loaded) -> Outcome {
    let name = loaded.scenario.name.clone();
    let mut outcome = Outcome {
        name: name.clone(),
        steps: Vec::new(),
        skipped: 0,
        error: None,
        transcript: String::new(),
    };
    let sim = match Simulator::start_with(Options {
        fixture: Some(loaded.fixture.clone()),
        ..Options::default()
    })
    .await
    {
        Ok(s) => s,
        Err(e) => {
            outcome.error = Some(e);
            return outcome;
        }
    };
    let start = match sim.shared().registry.get(None) {
        // Frozen on a whole second (the fixture's start, give or take the start-up), since
        // the wire shows whole seconds.
        Ok(ns) => ns.with_world(|w| {
            w.clock.freeze();
            let now = w.now();
            w.clock
                .set(crate::clock::Timestamp(now.0 - now.0.rem_euclid(1000)));
            w.now()
        }),
        Err(e) => {
            outcome.error = Some(e.to_string());
            return outcome;
        }
    };
    let receiver = match super::receiver::start().await {
        Ok(r) => r,
        Err(e) => {
            outcome.error = Some(format!("cannot start the webhook receiver: {e}"));
            return outcome;
        }
    };
    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let mut places = Placeholders::new(fixed_ids(&loaded.fixture), start);
    places.literal(&receiver.url, "[receiver]");
    places.literal(&sim.uri(), "[simulator]");
    // A signed Alibaba call names the address in its host header.
    places.literal(&sim.address().to_string(), "[simulator]");
    let mut vars: HashMap<String, Value> = HashMap::new();
    vars.insert("receiver".into(), Value::String(receiver.url.clone()));
    vars.insert("simulator".into(), Value::String(sim.uri()));
    let mut raw = String::new();
    let _ = writeln!(raw, "# {name}");
    if let Some(source) = &loaded.scenario.source {
        for line in source.lines() {
            let _ = writeln!(raw, "# source: {line}");
        }
    }

    let steps = &loaded.scenario.steps;
    for (i, step) in steps.iter().enumerate() {
        let report = run_step(&client, &sim, i + 1, step, &mut vars, &mut places, &mut raw).await;
        let failed = !report.passed;
        outcome.steps.push(report);
        if failed {
            outcome.skipped = steps.len() - i - 1;
            break;
        }
    }
    outcome.transcript = places.scrub(&raw);
    sim.shutdown().await;
    outcome
}

/// Why a `webhook:` step found nothing: whether anything was delivered at all, and whether
/// the world's events had anywhere to go (the default world's apps have no callback URL).
fn no_delivery(sim: &Simulator, step: &Step) -> String {
    let stats = sim.shared().registry.default_namespace().outbox.stats();
    let wanted = step
        .webhook
        .as_ref()
        .and_then(|w| w.field.clone())
        .unwrap_or_else(|| "any field".into());
    let mut why = format!("no matching webhook delivery ({wanted}) arrived in time");
    if stats.deliveries == 0 && stats.unaddressed > 0 {
        why.push_str(&format!(
            "; the outbox holds no delivery at all, and {} world event(s) found no subscribed app with a callback URL (the default world's apps have none): point an app at this run's receiver first: a step `admin: POST /__admin/webhooks/apps/{{app_id}}` with `json: {{webhook_url: \"${{receiver}}\"}}` (the default world's New BSP app is 300000000000002)",
            stats.unaddressed
        ));
    } else if stats.deliveries == 0 {
        why.push_str(
            "; the outbox holds no delivery at all: no world event has produced a webhook yet",
        );
    } else {
        why.push_str(&format!(
            "; the outbox holds {} deliveries, none matching this step's field, WABA and state (GET /__admin/webhooks lists them)",
            stats.deliveries
        ));
    }
    why
}

/// The ids a fixture writes out: they stay as they are in transcripts.
fn fixed_ids(f: &Fixture) -> HashSet<String> {
    let mut out = HashSet::new();
    out.extend(f.businesses.iter().map(|b| b.id.0.clone()));
    out.extend(f.apps.iter().map(|a| a.id.0.clone()));
    for w in &f.wabas {
        out.insert(w.id.0.clone());
        out.extend(
            w.phone_numbers
                .iter()
                .filter_map(|p| p.id.as_ref().map(|i| i.0.clone())),
        );
        out.extend(
            w.templates
                .iter()
                .filter_map(|t| t.id.as_ref().map(|i| i.0.clone())),
        );
    }
    out
}

/// Sends one step and checks its answer: the status, headers and JSON expected, then the
/// captures. The exchange goes to the transcript whether or not it passes.
async fn run_step(
    client: &Client<HttpConnector, Full<Bytes>>,
    sim: &Simulator,
    number: usize,
    step: &Step,
    vars: &mut HashMap<String, Value>,
    places: &mut Placeholders,
    transcript: &mut String,
) -> StepReport {
    let mut report = StepReport {
        number,
        title: String::new(),
        passed: false,
        problems: Vec::new(),
        diff: None,
    };
    let request = match build(step, vars, sim) {
        Ok(r) => r,
        Err(e) => {
            report.title = step.name.clone().unwrap_or_else(|| "(not sent)".into());
            report.problems.push(e);
            return report;
        }
    };
    report.title = match &step.name {
        Some(n) => format!("{n} ({} {})", request.method, request.path),
        None => format!("{} {}", request.method, request.path),
    };
    let reply = send(client, sim, &request).await;
    let body_json: Option<Value> = serde_json::from_slice(&reply.body).ok();
    places.learn(&reply.headers, body_json.as_ref());
    write_exchange(transcript, number, step, &request, &reply);

    let subject = subject(sim, step, &reply, body_json, &mut report);
    let expect = step.expect.clone().unwrap_or_default();
    if expect.dropped {
        if reply.broken.is_none() {
            report.problems.push(format!(
                "expected the connection to be dropped, got a whole {} answer",
                reply.status
            ));
        }
    } else {
        check_answer(step, &expect, &reply, subject.as_ref(), vars, &mut report);
    }
    capture(step, &reply, subject.as_ref(), vars, &mut report);
    report.passed = report.problems.is_empty();
    report
}

/// What a step checks and captures from: the answer's JSON body, or for a webhook wait the
/// first matching delivery (and a problem saying why when none came).
fn subject(
    sim: &Simulator,
    step: &Step,
    reply: &Reply,
    body_json: Option<Value>,
    report: &mut StepReport,
) -> Option<Value> {
    if step.webhook.is_none() {
        return body_json;
    }
    match body_json.as_ref().and_then(|b| lookup(b, "deliveries.0")) {
        Some(d) => Some(d.clone()),
        None => {
            if reply.status == 200 {
                report.problems.push(no_delivery(sim, step));
            }
            None
        }
    }
}

/// A whole answer, checked against `expect`: the status (any 2xx unless given), the headers
/// and the JSON.
fn check_answer(
    step: &Step,
    expect: &Expect,
    reply: &Reply,
    subject: Option<&Value>,
    vars: &HashMap<String, Value>,
    report: &mut StepReport,
) {
    if let Some(why) = &reply.broken {
        report.problems.push(why.clone());
    }
    match expect.status {
        Some(s) if !s.matches(reply.status) => report
            .problems
            .push(format!("status: expected {s}, got {}", reply.status)),
        None if reply.broken.is_none() && !(200..300).contains(&reply.status) => {
            report.problems.push(format!(
                "status: expected a 2xx answer, got {}{}",
                reply.status,
                short_body(&reply.body)
            ))
        }
        _ => {}
    }
    for (k, v) in &expect.headers {
        let want = match interpolate_text(v, vars) {
            Ok(w) => w,
            Err(e) => {
                report.problems.push(e);
                continue;
            }
        };
        let got = reply
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.as_str());
        if got != Some(want.as_str()) {
            report.problems.push(format!(
                "header {k}: expected {want:?}, got {}",
                got.map(|g| format!("{g:?}")).unwrap_or("nothing".into())
            ));
        }
    }
    if let Some(want) = &expect.json {
        check_json(step, want, reply, subject, vars, report);
    }
}

/// The expected JSON (its `${...}` filled in) against the subject: a problem per mismatch,
/// and a diff.
fn check_json(
    step: &Step,
    want: &Value,
    reply: &Reply,
    subject: Option<&Value>,
    vars: &HashMap<String, Value>,
    report: &mut StepReport,
) {
    match interpolate_json(want, vars) {
        Err(e) => report.problems.push(e),
        Ok(want) => match subject {
            None if step.webhook.is_none() => report.problems.push(format!(
                "json: the body is not JSON{}",
                short_body(&reply.body)
            )),
            None => {}
            Some(actual) => {
                let m = expect::mismatches(&want, actual);
                if !m.is_empty() {
                    report
                        .problems
                        .extend(m.into_iter().map(|p| format!("json {p}")));
                    report.diff = Some(expect::diff(&want, actual));
                }
            }
        },
    }
}

/// The step's captures into `vars`: a header (`header:Name`) or a path in the subject.
fn capture(
    step: &Step,
    reply: &Reply,
    subject: Option<&Value>,
    vars: &mut HashMap<String, Value>,
    report: &mut StepReport,
) {
    for (name, path) in &step.capture {
        let value = match path.strip_prefix("header:") {
            Some(h) => reply
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(h))
                .map(|(_, v)| Value::String(v.clone())),
            None => subject.and_then(|b| lookup(b, path)).cloned(),
        };
        match value {
            Some(v) => {
                vars.insert(name.clone(), v);
            }
            None => report
                .problems
                .push(format!("capture {name}: nothing at {path:?} in the answer")),
        }
    }
}

fn short_body(body: &[u8]) -> String {
    if body.is_empty() {
        return String::new();
    }
    let text = String::from_utf8_lossy(body);
    let cut: String = text.chars().take(300).collect();
    format!(": {cut}")
}

/// Turns a step into the exchange to make.
fn build(step: &Step, vars: &HashMap<String, Value>, sim: &Simulator) -> Result<Request, String> {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut body: Vec<u8> = Vec::new();
    let mut timeout = DEFAULT_TIMEOUT;
    if let Some(t) = &step.timeout {
        let d = Duration::parse(t).map_err(|e| format!("timeout: {e}"))?;
        if d.0 <= 0 {
            return Err(format!("timeout: {t:?} must be longer than 0s"));
        }
        timeout = std::time::Duration::from_millis(d.0 as u64);
    }
    let (method, path) = if let Some(RequestSpec::Line(line)) = &step.request {
        split_line(&interpolate_text(line, vars)?)?
    } else if let Some(RequestSpec::Call(call)) = &step.request {
        return signed_call(step, call, vars, sim, timeout);
    } else if let Some(line) = &step.admin {
        let (m, p) = split_line(&interpolate_text(line, vars)?)?;
        if !p.starts_with("/__admin") {
            return Err(format!(
                "admin: {p} is not a control-API path (/__admin/...)"
            ));
        }
        (m, p)
    } else if let Some(c) = &step.clock {
        let (p, b) = match (&c.advance, &c.set, c.freeze, c.unfreeze) {
            (Some(d), None, false, false) => ("advance", json!({"duration": d})),
            (None, Some(t), false, false) => ("set", json!({"to": t})),
            (None, None, true, false) => ("freeze", json!({})),
            (None, None, false, true) => ("unfreeze", json!({})),
            _ => return Err("clock: give one of advance, set, freeze or unfreeze".into()),
        };
        headers.push(("content-type".into(), "application/json".into()));
        body = b.to_string().into_bytes();
        ("POST".to_string(), format!("/__admin/clock/{p}"))
    } else if let Some(w) = &step.webhook {
        webhook_wait(w, vars, &mut timeout)?
    } else {
        return Err("give one of request, admin, clock or webhook".into());
    };

    let mut path = path;
    if !step.query.is_empty() {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &step.query {
            q.append_pair(k, &param_text(&interpolate_json(v, vars)?));
        }
        path.push(if path.contains('?') { '&' } else { '?' });
        path.push_str(&q.finish());
    }
    if let Some(token) = &step.auth {
        headers.push((
            "authorization".into(),
            format!("Bearer {}", interpolate_text(token, vars)?),
        ));
    }
    let given = [
        step.form.is_some(),
        step.json.is_some(),
        step.body.is_some(),
    ];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err("give at most one of form, json or body".into());
    }
    if let Some(form) = &step.form {
        let mut f = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form {
            f.append_pair(k, &param_text(&interpolate_json(v, vars)?));
        }
        headers.push((
            "content-type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        body = f.finish().into_bytes();
    }
    if let Some(j) = &step.json {
        headers.push(("content-type".into(), "application/json".into()));
        body = interpolate_json(j, vars)?.to_string().into_bytes();
    }
    if let Some(b) = &step.body {
        body = interpolate_text(b, vars)?.into_bytes();
    }
    for (k, v) in &step.headers {
        let v = interpolate_text(v, vars)?;
        headers.retain(|(name, _)| !name.eq_ignore_ascii_case(k));
        headers.push((k.to_ascii_lowercase(), v));
    }
    Ok(Request {
        method,
        path,
        headers,
        body,
        timeout,
    })
}

/// A `webhook:` step's long poll of the control API, its timeout long enough for the wait.
fn webhook_wait(
    w: &WebhookWait,
    vars: &HashMap<String, Value>,
    timeout: &mut std::time::Duration,
) -> Result<(String, String), String> {
    let wait = w.wait.clone().unwrap_or_else(|| "5s".into());
    let waited = Duration::parse(&wait).map_err(|e| format!("webhook.wait: {e}"))?;
    *timeout = (*timeout).max(std::time::Duration::from_millis(
        waited.0.max(0) as u64 + 10_000,
    ));
    let mut q = form_urlencoded::Serializer::new(String::new());
    if let Some(f) = &w.field {
        q.append_pair("field", &interpolate_text(f, vars)?);
    }
    if let Some(waba) = &w.waba {
        q.append_pair("waba", &interpolate_text(waba, vars)?);
    }
    q.append_pair("state", w.state.as_deref().unwrap_or("delivered"));
    q.append_pair("wait", &wait);
    Ok((
        "GET".to_string(),
        format!("/__admin/webhooks?{}", q.finish()),
    ))
}

/// A facade call, as that facade's SDK would send it (`Facade::scripted_request`: signed, for
/// Alibaba ChatApp).
fn signed_call(
    step: &Step,
    call: &super::FacadeCall,
    vars: &HashMap<String, Value>,
    sim: &Simulator,
    timeout: std::time::Duration,
) -> Result<Request, String> {
    let facade = crate::api::facade::by_id(&call.facade).ok_or_else(|| {
        format!(
            "request.facade: unknown facade {:?}; facades: {} (Graph requests are written \"METHOD /path\")",
            call.facade,
            crate::api::facade::ids().join(", ")
        )
    })?;
    if step.auth.is_some()
        || !step.query.is_empty()
        || step.form.is_some()
        || step.json.is_some()
        || step.body.is_some()
    {
        return Err(format!(
            "a {} call takes its parameters in request.params (auth, query, form, json and body would break its signature)",
            call.facade
        ));
    }
    let mut params: Vec<(String, String)> = Vec::with_capacity(call.params.len());
    for (k, v) in &call.params {
        params.push((k.clone(), param_text(&interpolate_json(v, vars)?)));
    }
    let mut headers: Vec<(String, String)> = Vec::with_capacity(step.headers.len());
    for (k, v) in &step.headers {
        headers.push((k.to_ascii_lowercase(), interpolate_text(v, vars)?));
    }
    let access_key = call
        .access_key
        .as_deref()
        .map(|k| interpolate_text(k, vars))
        .transpose()?;
    let secret = call
        .secret
        .as_deref()
        .map(|s| interpolate_text(s, vars))
        .transpose()?;
    let fixture = sim.shared().registry.fixture();
    let scripted = crate::api::facade::ScriptedCall {
        action: &interpolate_text(&call.action, vars)?,
        params: &params,
        access_key: access_key.as_deref(),
        secret: secret.as_deref(),
        headers: &headers,
        host: &sim.address().to_string(),
        fixture: &fixture,
    };
    let request = facade.scripted_request(&scripted).ok_or_else(|| {
        format!(
            "request.facade: {} requests are written \"METHOD /path\", not as a call",
            call.facade
        )
    })??;
    Ok(Request {
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body,
        timeout,
    })
}

/// A request header as the transcript shows it: what changes on every run (a signed call's
/// date, nonce and signature, as its facade says) is replaced by a placeholder.
fn shown_header<'a>(name: &str, value: &'a str) -> std::borrow::Cow<'a, str> {
    crate::api::facade::FACADES
        .iter()
        .find_map(|f| f.shown_header(name, value))
        .map_or(value.into(), std::borrow::Cow::Owned)
}

fn split_line(line: &str) -> Result<(String, String), String> {
    let mut parts = line.split_whitespace();
    match (parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(p), None) if p.starts_with('/') => Ok((m.to_ascii_uppercase(), p.into())),
        _ => Err(format!("{line:?}: write a request as \"METHOD /path\"")),
    }
}

/// A parameter value as text: strings as they are, anything else as JSON.
fn param_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Replaces `${name}` with captured values.
fn interpolate_text(text: &str, vars: &HashMap<String, Value>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("{text:?}: unclosed ${{"))?;
        let name = &after[..end];
        let value = vars.get(name).ok_or_else(|| {
            let mut known: Vec<&str> = vars.keys().map(String::as_str).collect();
            known.sort();
            format!(
                "${{{name}}} was never captured (captured so far: {})",
                if known.is_empty() {
                    "nothing".to_string()
                } else {
                    known.join(", ")
                }
            )
        })?;
        out.push_str(&param_text(value));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Interpolates every string of a JSON value; a string that is exactly `${name}` takes the
/// captured value with its type.
fn interpolate_json(v: &Value, vars: &HashMap<String, Value>) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => {
            if let Some(name) = s.strip_prefix("${").and_then(|r| r.strip_suffix('}'))
                && !name.contains("${")
                && let Some(value) = vars.get(name)
            {
                value.clone()
            } else {
                Value::String(interpolate_text(s, vars)?)
            }
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| interpolate_json(x, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| Ok((k.clone(), interpolate_json(x, vars)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// Sends one exchange and reads the answer, noticing a dropped or cut connection.
async fn send(client: &Client<HttpConnector, Full<Bytes>>, sim: &Simulator, r: &Request) -> Reply {
    let mut builder = http::Request::builder()
        .method(r.method.as_str())
        .uri(format!("{}{}", sim.uri(), r.path));
    for (k, v) in &r.headers {
        builder = builder.header(k, v);
    }
    let req = match builder.body(Full::new(Bytes::from(r.body.clone()))) {
        Ok(req) => req,
        Err(e) => return broken(format!("the request cannot be sent: {e}")),
    };
    let exchange = async {
        let resp = match client.request(req).await {
            Ok(resp) => resp,
            // The transport's own wording varies (reset or closed), so it is not kept.
            Err(_) => return broken("the connection closed without an answer".into()),
        };
        let status = resp.status();
        let mut headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        headers.sort();
        let announced: Option<usize> = resp
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let mut body = resp.into_body();
        let mut bytes = Vec::new();
        let mut cut = None;
        loop {
            match body.frame().await {
                None => break,
                Some(Ok(frame)) => {
                    if let Some(d) = frame.data_ref() {
                        bytes.extend_from_slice(d);
                    }
                }
                Some(Err(_)) => {
                    cut = Some(format!(
                        "the connection closed after {} of {} body bytes",
                        bytes.len(),
                        announced.map(|a| a.to_string()).unwrap_or("?".into()),
                    ));
                    break;
                }
            }
        }
        Reply {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_string(),
            headers,
            body: bytes,
            broken: cut,
        }
    };
    match tokio::time::timeout(r.timeout, exchange).await {
        Ok(reply) => reply,
        Err(_) => broken(format!("no answer within {:?}", r.timeout)),
    }
}

fn broken(why: String) -> Reply {
    Reply {
        status: 0,
        reason: String::new(),
        headers: Vec::new(),
        body: Vec::new(),
        broken: Some(why),
    }
}

/// Response headers that are the same on every answer of a facade (or vary with the
/// machine) and say nothing about behaviour; the facades' own tests pin them.
const UNINTERESTING: &[&str] = &[
    "date",
    "content-length",
    "access-control-allow-origin",
    "cache-control",
    "expires",
    "pragma",
    "x-fb-rev",
];

fn write_exchange(out: &mut String, number: usize, step: &Step, r: &Request, reply: &Reply) {
    let _ = writeln!(out);
    match &step.name {
        Some(n) => {
            let _ = writeln!(out, "## {number}. {n}");
        }
        None => {
            let _ = writeln!(out, "## {number}.");
        }
    }
    let _ = writeln!(out, "{} {}", r.method, r.path);
    let headers: BTreeMap<&str, &str> = r
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    for (k, v) in headers {
        let _ = writeln!(out, "{k}: {}", shown_header(k, v));
    }
    if !r.body.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", body_text(&r.body));
    }
    let _ = writeln!(out);
    if reply.status == 0 {
        let _ = writeln!(
            out,
            "-> (no answer: {})",
            reply.broken.as_deref().unwrap_or("")
        );
        return;
    }
    let _ = writeln!(out, "-> {} {}", reply.status, reply.reason);
    for (k, v) in &reply.headers {
        if !UNINTERESTING.contains(&k.as_str()) {
            let _ = writeln!(out, "{k}: {v}");
        }
    }
    if !reply.body.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", body_text(&reply.body));
    }
    if let Some(why) = &reply.broken {
        let _ = writeln!(out, "-> ({why})");
    }
}
