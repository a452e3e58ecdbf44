//! `wabasim replay`: each recorded request, in order, sent to a fresh in-process simulator (the
//! world clock set to the exchange's recorded time), and every difference a client could
//! branch on reported (`compare.rs`), less the ones an `--accept` file lists.

use std::collections::BTreeMap;
use std::path::PathBuf;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::{Deserialize, Serialize};

use super::compare::{self, Answer, Difference};
use super::recording::{Exchange, Recording};
use super::redact::REDACTED;
use crate::clock::Timestamp;
use crate::fixture::Fixture;

/// What `wabasim replay` was asked for.
pub struct Settings {
    pub recording: Recording,
    pub fixture: Fixture,
    /// The token sent where the recording has `Bearer [redacted]`.
    pub bearer: String,
    pub accepted: Accepted,
    pub clock: ClockMode,
}

/// Where the world clock stands for each exchange.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ClockMode {
    /// At the exchange's recorded (real) time: a recording of the real service.
    #[default]
    Recorded,
    /// At the fixture's start plus the time since the first exchange: a recording whose
    /// upstream ran its own clock (another wabasim, a staging stub).
    Relative,
}

/// Known, documented differences (`--accept FILE`): each names the exchange as
/// `FACADE METHOD PATH-PATTERN` and the difference as `KIND PATH`, with the reason.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accepted {
    #[serde(default)]
    pub accept: Vec<AcceptedDifference>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptedDifference {
    pub exchange: String,
    pub difference: String,
    pub reason: String,
}

impl Accepted {
    pub fn parse(text: &str) -> Result<Accepted, String> {
        serde_saphyr::from_str(text).map_err(|e| e.to_string())
    }

    fn covers(&self, exchange: &str, difference: &Difference) -> bool {
        let name = difference.name();
        self.accept
            .iter()
            .any(|a| a.exchange == exchange && a.difference == name)
    }
}

/// One difference as reported.
#[derive(Clone, Debug, Serialize)]
pub struct Reported {
    pub seq: u64,
    pub exchange: String,
    #[serde(flatten)]
    pub difference: Difference,
    pub accepted: bool,
}

/// The replay's result: every difference, accepted or not.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub exchanges: usize,
    pub differences: Vec<Reported>,
}

impl Report {
    pub fn unaccepted(&self) -> usize {
        self.differences.iter().filter(|d| !d.accepted).count()
    }

    /// One block per exchange that differs, like the scenario runner's diffs.
    pub fn text(&self, recording: &Recording) -> String {
        let mut by_seq: BTreeMap<u64, Vec<&Reported>> = BTreeMap::new();
        for d in &self.differences {
            by_seq.entry(d.seq).or_default().push(d);
        }
        let mut out = format!(
            "wabasim replay: {} exchanges, {} with differences, {} differences not accepted\n",
            self.exchanges,
            by_seq.len(),
            self.unaccepted()
        );
        for (seq, diffs) in by_seq {
            let ex = recording.exchanges.iter().find(|e| e.seq == seq);
            let title = ex
                .map(|e| format!("{} {} ({})", e.request.method, e.request.path, e.facade))
                .unwrap_or_default();
            out.push_str(&format!("\n## {seq}. {title}\n"));
            for d in diffs {
                let mark = if d.accepted { "  (accepted)" } else { "" };
                let diff = &d.difference;
                out.push_str(&format!(
                    "- {}: recorded {}, wabasim {}{mark}\n",
                    diff.name(),
                    diff.recorded,
                    diff.wabasim
                ));
            }
        }
        out
    }
}

/// The exchange's name in reports and `--accept` files: `graph POST /v23.0/{id}/register`.
pub fn exchange_name(e: &Exchange) -> String {
    format!(
        "{} {} {}",
        e.facade,
        e.request.method,
        compare::path_pattern(&e.request.path)
    )
}

pub async fn run(settings: Settings) -> Result<Report, String> {
    let options = crate::Options {
        fixture: Some(settings.fixture.clone()),
        ..Default::default()
    };
    let sim = crate::Simulator::start_with(options).await?;
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut differences = Vec::new();
    let first = settings
        .recording
        .exchanges
        .iter()
        .find_map(|e| Timestamp::parse_rfc3339(&e.at).ok());
    let start = sim.clock().now();
    for exchange in &settings.recording.exchanges {
        if let Ok(at) = Timestamp::parse_rfc3339(&exchange.at) {
            let at = match (settings.clock, first) {
                (ClockMode::Relative, Some(first)) => start + (at - first),
                _ => at,
            };
            if at > sim.clock().now() {
                sim.clock().set(at);
            }
        }
        let request = match resigned(&sim, exchange, &settings.fixture)? {
            Some(request) => request,
            None => rebuild(&sim, exchange, &settings.bearer)?,
        };
        let res = client
            .request(request)
            .await
            .map_err(|e| format!("exchange {}: {e}", exchange.seq))?;
        let (head, body) = res.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| format!("exchange {}: {e}", exchange.seq))?
            .to_bytes();
        let recorded_body = exchange.response.body.to_bytes();
        let recorded = Answer::new(
            exchange.response.status,
            exchange.response.headers.iter().map(|(n, _)| n.as_str()),
            &recorded_body,
        );
        let got = Answer::new(
            head.status.as_u16(),
            head.headers.keys().map(|n| n.as_str()),
            &body,
        );
        let name = exchange_name(exchange);
        for d in compare::compare(&recorded, &got) {
            differences.push(Reported {
                seq: exchange.seq,
                accepted: settings.accepted.covers(&name, &d),
                exchange: name.clone(),
                difference: d,
            });
        }
    }
    let report = Report {
        exchanges: settings.recording.exchanges.len(),
        differences,
    };
    sim.shutdown().await;
    Ok(report)
}

/// The two-step PIN sent where the recording redacted one: a number being registered after a
/// migration has two-step verification off, so any six digits set it as they did.
pub const REPLAY_PIN: &str = "000000";

/// The recorded request, aimed at the simulator, with what the recording redacted filled in:
/// the bearer token, and a verification `code` (the latest one the simulator sent to the
/// number in the path when the recorded call succeeded, a wrong one when it was refused), and
/// a PIN ([`REPLAY_PIN`]).
fn rebuild(
    sim: &crate::Simulator,
    e: &Exchange,
    bearer: &str,
) -> Result<http::Request<Full<Bytes>>, String> {
    let r = &e.request;
    // The code the simulator sent when the recorded call succeeded; otherwise one that
    // cannot be it (the recorded call was refused, most likely for a wrong code).
    let accepted = (200..300).contains(&e.response.status);
    let code = || {
        let latest = r
            .path
            .split('/')
            .find(|s| s.len() >= 6 && s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|id| sim.codes().latest(id))
            .unwrap_or_default();
        match (accepted, latest.as_str()) {
            (true, _) => latest,
            (false, "000000") => "111111".to_string(),
            (false, _) => "000000".to_string(),
        }
    };
    let fill = |text: &str| -> String {
        if !text.contains(REDACTED) {
            return text.to_string();
        }
        text.replace(&format!("code={REDACTED}"), &format!("code={}", code()))
            .replace(
                &format!("\"code\":\"{REDACTED}\""),
                &format!("\"code\":\"{}\"", code()),
            )
            .replace(&format!("pin={REDACTED}"), &format!("pin={REPLAY_PIN}"))
            .replace(
                &format!("\"pin\":\"{REDACTED}\""),
                &format!("\"pin\":\"{REPLAY_PIN}\""),
            )
    };
    let mut uri = format!("{}{}", sim.uri(), r.path);
    if !r.query.is_empty() {
        uri.push('?');
        uri.push_str(&fill(&r.query));
    }
    let mut builder = http::Request::builder().method(r.method.as_str()).uri(uri);
    for (name, value) in &r.headers {
        let value = if name.eq_ignore_ascii_case("authorization") && value.ends_with(REDACTED) {
            format!("Bearer {bearer}")
        } else {
            value.clone()
        };
        builder = builder.header(name.as_str(), value);
    }
    let body = match std::str::from_utf8(&r.body.to_bytes()) {
        Ok(text) => fill(text).into_bytes(),
        Err(_) => r.body.to_bytes(),
    };
    builder
        .body(Full::new(Bytes::from(body)))
        .map_err(|err| format!("exchange {}: cannot rebuild the request: {err}", e.seq))
}

/// An exchange of a facade that signs its requests (Alibaba's), signed again: the recording
/// redacted its signature and AccessKey, so the recorded call (its action and parameters) is
/// sent as the facade's SDK sends it now, with the fixture's first access key and a fresh
/// date and nonce (`Facade::scripted_request`, as a scenario's step is). A redacted
/// `VerifyCode` is filled as Graph's `code` is. `None` for a facade that signs nothing.
fn resigned(
    sim: &crate::Simulator,
    e: &Exchange,
    fixture: &crate::fixture::Fixture,
) -> Result<Option<http::Request<Full<Bytes>>>, String> {
    // Alibaba's exchanges are the signed ones (`to_scenario` reads their calls the same way).
    let Some(facade) = crate::api::facade::by_id(&e.facade).filter(|_| e.facade == "cams") else {
        return Ok(None);
    };
    let (action, params) = super::to_scenario::cams_call(e);
    let accepted = (200..300).contains(&e.response.status);
    let params: Vec<(String, String)> = params
        .into_iter()
        .map(|(k, v)| {
            if k == "VerifyCode" && v == REDACTED {
                let number = params_number(e);
                let latest = sim.codes().latest_to_number(&number).unwrap_or_default();
                let code = match (accepted, latest.as_str()) {
                    (true, _) => latest,
                    (false, "000000") => "111111".to_string(),
                    (false, _) => "000000".to_string(),
                };
                (k, code)
            } else {
                (k, v)
            }
        })
        .collect();
    let host = sim.address().to_string();
    let call = crate::api::facade::ScriptedCall {
        action: &action,
        params: &params,
        access_key: None,
        secret: None,
        headers: &[],
        host: &host,
        fixture,
    };
    let Some(signed) = facade.scripted_request(&call) else {
        return Ok(None);
    };
    let signed = signed.map_err(|err| format!("exchange {}: {err}", e.seq))?;
    let mut builder = http::Request::builder()
        .method(signed.method.as_str())
        .uri(format!("{}{}", sim.uri(), signed.path));
    for (name, value) in &signed.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
        .body(Full::new(Bytes::from(signed.body)))
        .map(Some)
        .map_err(|err| format!("exchange {}: cannot sign the request again: {err}", e.seq))
}

/// The `PhoneNumber` an Alibaba exchange names (query or form body).
fn params_number(e: &Exchange) -> String {
    super::to_scenario::cams_call(e)
        .1
        .remove("PhoneNumber")
        .unwrap_or_default()
}

/// The `--accept` file, or none.
pub fn load_accepted(path: Option<&PathBuf>) -> Result<Accepted, String> {
    match path {
        None => Ok(Accepted::default()),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            Accepted::parse(&text).map_err(|e| format!("{}: {e}", p.display()))
        }
    }
}
