//! Scenarios: a fixture, extra faults and a list of steps, run against a fresh in-process
//! simulator over a real socket, with a transcript of every exchange.
//!
//! A scenario may add scheduled events and faults to its fixture. A step is one of: an HTTP request to a facade (`request:`), a control-API call
//! (`admin:`), a clock move (`clock:`), or a wait for a webhook delivery (`webhook:`). Any step
//! that answers can check the answer (`expect:`: status, partial JSON, headers) and capture
//! values for later steps (`capture:`, used as `${name}`).
//!
//! - `run.rs` drives the steps and checks their answers;
//! - `request.rs` builds a step's HTTP request (interpolation, signed calls, headers);
//! - `exchange.rs` sends it over the socket and writes the exchange to the transcript;
//! - `expect.rs` matches partial JSON and explains a mismatch with a diff;
//! - `transcript.rs` writes the exchanges with stable placeholders;
//! - `receiver.rs` is the webhook receiver a scenario can point apps at (`${receiver}`);
//! - `cli.rs` is `wabasim scenario run`.
//!
//! The format is the set of types below; `scenarios/schema.json` is generated from them.

pub mod cli;
mod exchange;
mod expect;
mod receiver;
mod request;
mod run;
mod transcript;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

pub use run::{Outcome, StepReport, run};

use crate::faults::FaultSpec;
use crate::fixture::{EventSpec, Fixture, FixtureError};

/// One scenario file.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The behaviour the scenario pins, in a sentence.
    pub name: String,
    /// Where the behaviour comes from: the seed or reference row it cites.
    #[serde(default)]
    pub source: Option<String>,
    /// The world: a fixture file (relative to the scenario file) or a fixture written inline.
    /// Absent: the default world.
    #[serde(default)]
    pub fixture: Option<FixtureRef>,
    /// Scheduled events added to the fixture's own (offsets count from its clock start).
    #[serde(default)]
    pub events: Vec<EventSpec>,
    /// Faults added to the fixture's own.
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
    pub steps: Vec<Step>,
}

/// A fixture path, or a fixture inline.
#[derive(Clone, Debug, JsonSchema)]
#[schemars(untagged)]
pub enum FixtureRef {
    Path(String),
    Inline(Box<Fixture>),
}

impl<'de> Deserialize<'de> for FixtureRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        string_or_map(
            d,
            "a fixture file path or an inline fixture",
            FixtureRef::Path,
            |f: Fixture| FixtureRef::Inline(Box::new(f)),
        )
    }
}

/// A value written either as a string, made into an `R` by `text`, or as a map, read as a `T`
/// and made into an `R` by `map`; anything else is refused as not what `expecting` says.
fn string_or_map<'de, D, T, R>(
    d: D,
    expecting: &'static str,
    text: fn(String) -> R,
    map: fn(T) -> R,
) -> Result<R, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T, R> {
        expecting: &'static str,
        text: fn(String) -> R,
        map: fn(T) -> R,
    }
    impl<'de, T: Deserialize<'de>, R> Visitor<'de> for V<T, R> {
        type Value = R;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str(self.expecting)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<R, E> {
            Ok((self.text)(v.to_string()))
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<R, A::Error> {
            T::deserialize(de::value::MapAccessDeserializer::new(map)).map(self.map)
        }
    }
    d.deserialize_any(V {
        expecting,
        text,
        map,
    })
}

/// One step. Give exactly one of `request`, `admin`, `clock` or `webhook`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// What the step does, for the report and the transcript.
    #[serde(default)]
    pub name: Option<String>,
    /// A facade request: `"POST /v23.0/200000000000002/phone_numbers"`, or (for Alibaba)
    /// `{facade: cams, action: ..., params: {...}}`.
    #[serde(default)]
    pub request: Option<RequestSpec>,
    /// A control-API call: `"POST /__admin/faults"`.
    #[serde(default)]
    pub admin: Option<String>,
    /// Moves the clock: `{advance: 2h}`, `{set: "2026-01-15T00:00:00Z"}`, `{freeze: true}`,
    /// `{unfreeze: true}`.
    #[serde(default)]
    pub clock: Option<ClockStep>,
    /// Waits for a webhook delivery (`GET /__admin/webhooks?...&wait=`).
    #[serde(default)]
    pub webhook: Option<WebhookWait>,

    /// The bearer token (`Authorization: Bearer <auth>`).
    #[serde(default)]
    pub auth: Option<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Query parameters, added to the path.
    #[serde(default)]
    pub query: BTreeMap<String, Value>,
    /// A form body (`application/x-www-form-urlencoded`); non-string values are sent as JSON.
    #[serde(default)]
    pub form: Option<BTreeMap<String, Value>>,
    /// A JSON body.
    #[serde(default)]
    pub json: Option<Value>,
    /// A raw body.
    #[serde(default)]
    pub body: Option<String>,
    /// How long to wait for the answer (default 30s).
    #[serde(default)]
    pub timeout: Option<String>,

    #[serde(default)]
    pub expect: Option<Expect>,
    /// Values to keep for later steps, by name: a JSON path (`id`, `data.0.id`,
    /// `codes.-1.code`) or `header:<name>`.
    #[serde(default)]
    pub capture: BTreeMap<String, String>,
    /// Runs the step this many times (1 to `MAX_REPEAT`), `${n}` counting from 0, each run
    /// checked; the transcript shows the first and the last (a limit reached after 250 sends
    /// without 250 steps).
    #[serde(default)]
    #[schemars(range(min = 1, max = 10000))]
    pub repeat: Option<u32>,
}

/// The most times a step may be repeated: a scenario stays a quick test.
pub const MAX_REPEAT: u32 = 10_000;

/// A facade request.
#[derive(Clone, Debug, JsonSchema)]
#[schemars(untagged)]
pub enum RequestSpec {
    /// `"METHOD /path"`.
    Line(String),
    /// A request described by facade-specific fields (Alibaba's signed RPC calls).
    Call(FacadeCall),
}

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FacadeCall {
    /// `cams`.
    pub facade: String,
    /// The Alibaba action, e.g. `GetMigrationVerifyCode`.
    pub action: String,
    #[serde(default)]
    pub params: BTreeMap<String, Value>,
    /// The access key id to sign with (default: the fixture's first).
    #[serde(default)]
    pub access_key: Option<String>,
    /// Sign with this secret instead of the fixture's (to script `SignatureDoesNotMatch`, or
    /// to sign for a key the fixture does not have).
    #[serde(default)]
    pub secret: Option<String>,
}

impl<'de> Deserialize<'de> for RequestSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        string_or_map(
            d,
            "\"METHOD /path\" or {facade, action, params}",
            RequestSpec::Line,
            RequestSpec::Call,
        )
    }
}

#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockStep {
    /// e.g. `2h`, `14d`.
    #[serde(default)]
    pub advance: Option<String>,
    /// An RFC 3339 instant.
    #[serde(default)]
    pub set: Option<String>,
    #[serde(default)]
    pub freeze: bool,
    #[serde(default)]
    pub unfreeze: bool,
}

/// Waits until a webhook delivery matches, then checks and captures from it.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookWait {
    /// The webhook field, e.g. `phone_number_name_update`.
    #[serde(default)]
    pub field: Option<String>,
    /// The WABA id the delivery is about.
    #[serde(default)]
    pub waba: Option<String>,
    /// `delivered` (default), `pending`, `failed` or `expired`.
    #[serde(default)]
    pub state: Option<String>,
    /// How long to wait (default `5s`).
    #[serde(default)]
    pub wait: Option<String>,
}

/// What an answer must be. Absent: any 2xx answer.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// A status (`404`) or a class of statuses (`"4xx"`). Absent: any 2xx.
    #[serde(default)]
    pub status: Option<ExpectStatus>,
    /// A partial match: every key given must be present with a matching value (objects
    /// recursively; arrays element by element, with the same length). `"<any>"` matches any
    /// value.
    #[serde(default)]
    pub json: Option<Value>,
    /// Header values, exact.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The connection is closed without an answer (a `close` fault) or cut short.
    #[serde(default)]
    pub dropped: bool,
}

/// `expect.status`: a status, or a class such as `"4xx"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpectStatus(pub crate::api::filter::StatusMatch);

impl ExpectStatus {
    pub fn matches(self, status: u16) -> bool {
        self.0.matches(status)
    }
}

impl std::fmt::Display for ExpectStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            crate::api::filter::StatusMatch::Exact(s) => write!(f, "{s}"),
            crate::api::filter::StatusMatch::Class(c) => write!(f, "{c}xx"),
        }
    }
}

impl<'de> Deserialize<'de> for ExpectStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ExpectStatus;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a status such as 404, or a class such as \"4xx\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ExpectStatus, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ExpectStatus, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ExpectStatus, E> {
                crate::api::filter::StatusMatch::parse(v)
                    .map(ExpectStatus)
                    .map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for ExpectStatus {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ExpectStatus".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A status such as 404, or a class such as \"4xx\"",
            "anyOf": [
                {"type": "integer", "minimum": 100, "maximum": 599},
                {"type": "string", "pattern": "^[1-5]xx$"}
            ]
        })
    }
}

/// A scenario that could not be read.
#[derive(Clone, Debug)]
pub struct ScenarioError(pub String);

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScenarioError {}

/// A scenario read from a file, with its fixture resolved.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub path: PathBuf,
    pub scenario: Scenario,
    /// The world to run against, with the scenario's events and faults appended.
    pub fixture: Fixture,
}

/// The JSON Schema of the scenario format (shipped as `scenarios/schema.json`).
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Scenario);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises");
    text.push('\n');
    text
}

/// Reads a scenario file and its fixture.
pub fn load(path: &Path) -> Result<Loaded, ScenarioError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ScenarioError(format!("{origin}: cannot read: {e}")))?;
    let limits = crate::fixture::Limits::default();
    if text.len() > limits.max_bytes {
        return Err(ScenarioError(format!(
            "{origin}: the scenario is larger than {} bytes",
            limits.max_bytes
        )));
    }
    let scenario: Scenario =
        serde_saphyr::from_str_with_options(&text, limits.options()).map_err(|e| {
            let located = e
                .location()
                .filter(|l| l.line() > 0)
                .map(|l| format!("{origin}:{}:{}", l.line(), l.column()))
                .unwrap_or(origin.clone());
            ScenarioError(format!(
                "{located}: {}",
                crate::fixture::describe_parse_error_of(&e, "scenario")
            ))
        })?;
    let mut fixture = match &scenario.fixture {
        None => Fixture::default_world(),
        Some(FixtureRef::Path(p)) => {
            let file = path.parent().unwrap_or(Path::new(".")).join(p);
            Fixture::load(&file).map_err(|e: FixtureError| ScenarioError(e.to_string()))?
        }
        Some(FixtureRef::Inline(f)) => {
            let f = (**f)
                .clone()
                .extended()
                .map_err(|e| ScenarioError(format!("{origin}: fixture.{e}")))?;
            f.check()
                .map_err(|e| ScenarioError(format!("{origin}: fixture.{e}")))?;
            f
        }
    };
    fixture.events.extend(scenario.events.iter().cloned());
    fixture.faults.extend(scenario.faults.iter().cloned());
    fixture.check().map_err(|e| {
        ScenarioError(format!(
            "{origin}: {e} (counting the fixture's entries first, then the scenario's)"
        ))
    })?;
    if scenario.steps.is_empty() {
        return Err(ScenarioError(format!(
            "{origin}: steps: the scenario has no steps, so it would pass without checking anything; give at least one"
        )));
    }
    for (i, step) in scenario.steps.iter().enumerate() {
        let kinds = [
            step.request.is_some(),
            step.admin.is_some(),
            step.clock.is_some(),
            step.webhook.is_some(),
        ];
        if step.repeat.is_some_and(|n| n == 0 || n > MAX_REPEAT) {
            return Err(ScenarioError(format!(
                "{origin}: steps[{i}]: repeat must be 1 to {MAX_REPEAT}"
            )));
        }
        if kinds.iter().filter(|k| **k).count() != 1 {
            return Err(ScenarioError(format!(
                "{origin}: steps[{i}]: give exactly one of request, admin, clock or webhook"
            )));
        }
    }
    Ok(Loaded {
        path: path.to_path_buf(),
        scenario,
        fixture,
    })
}

/// The scenario files a path names: the file itself, or the `*.yaml` / `*.yml` files of a
/// directory (not recursive), sorted.
pub fn files(path: &Path) -> Result<Vec<PathBuf>, ScenarioError> {
    if path.is_dir() {
        let mut out: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| ScenarioError(format!("{}: {e}", path.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && matches!(
                        p.extension().and_then(|e| e.to_str()),
                        Some("yaml") | Some("yml")
                    )
            })
            .collect();
        out.sort();
        Ok(out)
    } else if path.is_file() {
        Ok(vec![path.to_path_buf()])
    } else {
        Err(ScenarioError(format!(
            "{}: no such file or directory",
            path.display()
        )))
    }
}
