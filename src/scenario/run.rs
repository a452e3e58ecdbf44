//! Running a scenario: a fresh simulator on a loopback port, each step sent over a real
//! socket with hyper's client, each answer checked, captured from and written to the
//! transcript. The world's clock is frozen at its start so that times, and everything that
//! depends on them, only move with `clock:` steps; the first failing step ends the run.
//!
//! This file owns the run and its steps: starting the simulator and the receiver, the
//! placeholders and captured values, checking each answer (status, headers, JSON) and its
//! captures, and the report. A step's request is built in `request.rs`, sent and written to
//! the transcript in `exchange.rs`.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

use super::exchange::{Reply, send, write_exchange};
use super::expect::{self, lookup};
use super::request::{build, interpolate_json, interpolate_text};
use super::transcript::Placeholders;
use super::{Expect, Loaded, Step};
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
    // A signed Alibaba call carries it percent-encoded in its query (a callback URL).
    places.literal(&percent_encoded(&receiver.url), "[receiver]");
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
        let times = step.repeat.unwrap_or(1);
        let mut report = None;
        for n in 0..times {
            vars.insert("n".into(), Value::String(n.to_string()));
            // The middle runs are checked but not written: the transcript stays readable.
            let mut unshown = String::new();
            let shown = n == 0 || n + 1 == times;
            if n == 1 && times > 2 {
                let _ = writeln!(raw, "# ... {} more runs of step {}\n", times - 2, i + 1);
            }
            let out = if shown { &mut raw } else { &mut unshown };
            let r = run_step(&client, &sim, i + 1, step, &mut vars, &mut places, out).await;
            let passed = r.passed;
            report = Some(r);
            if !passed {
                if !shown {
                    raw.push_str(&unshown);
                }
                break;
            }
        }
        let Some(report) = report else { continue };
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
    let answer = Answered {
        step,
        reply: &reply,
        subject: subject.as_ref(),
    };
    let expect = step.expect.clone().unwrap_or_default();
    if expect.dropped {
        if reply.broken.is_none() {
            report.problems.push(format!(
                "expected the connection to be dropped, got a whole {} answer",
                reply.status
            ));
        }
    } else {
        check_answer(&answer, &expect, vars, &mut report);
    }
    capture(&answer, vars, &mut report);
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

/// What a step's checks and captures read: the step, its reply, and the subject (see
/// [`subject`]).
struct Answered<'a> {
    step: &'a Step,
    reply: &'a Reply,
    subject: Option<&'a Value>,
}

/// A whole answer, checked against `expect`: the status (any 2xx unless given), the headers
/// and the JSON.
fn check_answer(
    answer: &Answered<'_>,
    expect: &Expect,
    vars: &HashMap<String, Value>,
    report: &mut StepReport,
) {
    let reply = answer.reply;
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
        check_json(answer, want, vars, report);
    }
}

/// The expected JSON (its `${...}` filled in) against the subject: a problem per mismatch,
/// and a diff.
fn check_json(
    answer: &Answered<'_>,
    want: &Value,
    vars: &HashMap<String, Value>,
    report: &mut StepReport,
) {
    match interpolate_json(want, vars) {
        Err(e) => report.problems.push(e),
        Ok(want) => match answer.subject {
            None if answer.step.webhook.is_none() => report.problems.push(format!(
                "json: the body is not JSON{}",
                short_body(&answer.reply.body)
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
fn capture(answer: &Answered<'_>, vars: &mut HashMap<String, Value>, report: &mut StepReport) {
    let (reply, subject) = (answer.reply, answer.subject);
    for (name, path) in &answer.step.capture {
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

/// `value` as RFC 3986 encodes a query value: every byte but the unreserved ones as `%XX`.
fn percent_encoded(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
