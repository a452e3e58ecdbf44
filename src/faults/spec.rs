//! The fault format, as a fixture's `faults:` entries and `POST /__admin/faults` write it,
//! and its validation into a [`Fault`](super::Fault).
//!
//! One shape, two spellings of the action: inline (`{match: ..., times: 2, error:
//! too_many_code_requests}`, the canonical form) or nested (`{match: ..., action: {throttle:
//! {}}, times: 1}`). Both carry the same keys.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

use super::{Effect, Fault, Matcher, Throttle, When};
use crate::clock::{Duration, Timestamp};
use crate::world::error::ERROR_NAMES;

/// Longest delay a fault may ask for: a scripted slow answer, not a hung server.
pub const MAX_DELAY: Duration = Duration::minutes(10);

/// A scripted failure: when a call matches, do this instead of (or after) the world.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// Names the fault in `/__admin/faults` and the journal; `fault-1`, `fault-2`, ... when
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Which calls the fault applies to; every criterion given must hold.
    #[serde(default, rename = "match")]
    pub matcher: MatchSpec,
    /// Let this many matching calls through before the fault fires.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub after: u64,
    /// Fire at most this many times (default: on every matching call).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// Fire with this probability (above 0, at most 1), drawn from a random stream of the
    /// faults' own, seeded from the world's seed: the same seed and the same calls give the
    /// same outcomes, and the draws never change the world's ids and codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// `instead` (default): answer instead of the world, which stays unchanged. `after`: the
    /// world handles the call (and changes), then the client sees the fault's answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<When>,
    /// The action, nested; the same keys may instead be written on the fault itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<ActionSpec>,
    /// A named domain error (e.g. `too_many_code_requests`), rendered by each facade in its
    /// own shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// With `error`: the HTTP status of the answer, instead of the one the facade gives the
    /// error (Alibaba: 200 answers a result with `Code` ≠ `OK`, 4xx/5xx the gateway envelope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// A raw answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseSpec>,
    /// Wait this long (real time, e.g. `2s`) before answering; combines with any other action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<String>,
    /// Close the connection without answering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close: Option<bool>,
    /// Send only part of the body (`true`: half of it; a number: that many bytes), then close.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncate: Option<TruncateSpec>,
    /// Replace the body with bytes that are not JSON (drawn from the faults' seeded stream).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub garbage: Option<bool>,
    /// A rate-limit answer: Graph 80007 (or 130429) with `X-Business-Use-Case-Usage` at 100%;
    /// Alibaba's throttling code with `x-acs-retry-after`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttle: Option<ThrottleSpec>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The action keys, when written under `action:`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncate: Option<TruncateSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub garbage: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttle: Option<ThrottleSpec>,
}

/// Which calls a fault applies to.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchSpec {
    /// A facade id: `graph`, `cams` or `d360`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facade: Option<String>,
    /// The operation: a Graph operation name (`request_code`, `migrate_phone_number`, ...)
    /// or an Alibaba action (`GetMigrationVerifyCode`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// An id the call names: the Graph node (WABA, phone-number or template id), or
    /// Alibaba's `CustSpaceId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The phone number the call is about, e.g. `+15550100001`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Only in this namespace (`X-Wabasim-Namespace`; `default` without the header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Only while the world's clock is inside this window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<WindowSpec>,
}

/// A clock window: instants (RFC 3339) or offsets (`+1h`) from the fixture's clock start
/// (for faults added at runtime: from the world's time when the fault was added).
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// A raw answer.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseSpec {
    pub status: u16,
    /// A string is sent as it is; anything else is sent as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
}

/// `true` (half the body) or a number of bytes.
#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum TruncateSpec {
    Half(bool),
    Bytes(u64),
}

impl<'de> Deserialize<'de> for TruncateSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            B(bool),
            N(u64),
        }
        match Raw::deserialize(d) {
            Ok(Raw::B(b)) => Ok(TruncateSpec::Half(b)),
            Ok(Raw::N(n)) => Ok(TruncateSpec::Bytes(n)),
            Err(_) => Err(serde::de::Error::custom(
                "truncate is `true` (half the body) or a number of bytes",
            )),
        }
    }
}

/// A rate-limit answer.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThrottleSpec {
    /// Graph only: `80007` (default, the WABA's rate limit) or `130429` (throughput).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<u32>,
    /// When the client may retry (default `60s`): Graph's
    /// `estimated_time_to_regain_access` (minutes), Alibaba's `x-acs-retry-after`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<String>,
}

/// The facades there are, each with its operations, in the facade list's order: handed in by
/// the caller (`api::facade::catalog`), since this layer knows no facade.
pub type Catalog<'a> = &'a [(&'a str, &'a [&'a str])];

/// Parses an instant (RFC 3339) or an offset from `base` (`+1h`, `-30m`).
pub fn instant(text: &str, base: Timestamp) -> Result<Timestamp, String> {
    match Timestamp::parse_rfc3339(text) {
        Ok(t) => Ok(t),
        Err(_) => Duration::parse(text).map(|d| base + d).map_err(|_| {
            format!("{text:?} is neither an RFC 3339 instant nor an offset such as +2h")
        }),
    }
}

/// Headers that frame the answer on the wire: hyper sets them from the body, and a scripted
/// value would make an answer the client cannot read (or waits on forever).
const FRAMING_HEADERS: &[&str] = &[
    "content-length",
    "transfer-encoding",
    "connection",
    "upgrade",
    "keep-alive",
    "te",
    "trailer",
];

/// A raw answer must be one HTTP can carry: a final status (200 to 599: informational and
/// switching statuses are not answers), no body where the status forbids one, and no framing
/// headers. A broken wire is scripted with `truncate` and `close`, which do it on purpose.
fn check_response(r: &ResponseSpec) -> Result<(), String> {
    if !(200..=599).contains(&r.status) {
        return Err(format!(
            "response.status: {} is not a final HTTP status; give 200 to 599",
            r.status
        ));
    }
    let has_body = match &r.body {
        None => false,
        Some(serde_json::Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    };
    if has_body && (r.status == 204 || r.status == 304) {
        return Err(format!(
            "response.body: a {} answer has no body; drop the body or pick another status",
            r.status
        ));
    }
    for (k, v) in &r.headers {
        if FRAMING_HEADERS.contains(&k.to_ascii_lowercase().as_str()) {
            return Err(format!(
                "response.headers: {k:?} frames the answer and is set by the server from the body; to script a broken answer use `truncate` (part of the body, then close) or `close` (no answer)"
            ));
        }
        if http::HeaderName::from_bytes(k.as_bytes()).is_err()
            || http::HeaderValue::from_str(v).is_err()
        {
            return Err(format!("response.headers: {k:?} is not a valid header"));
        }
    }
    Ok(())
}

/// The action keys as given, each once: on the fault or under `action:`.
struct Picked {
    /// The keys given, in the order of [`ActionSpec`]'s fields.
    keys: Vec<&'static str>,
    action: ActionSpec,
}

impl FaultSpec {
    /// Checks `match.facade` and `match.operation` against the facades there are (before
    /// [`FaultSpec::compile`]: a fault that names no real call could never fire).
    pub fn check_names(&self, catalog: Catalog<'_>) -> Result<(), String> {
        let m = &self.matcher;
        let Some(f) = &m.facade else {
            return Ok(());
        };
        let Some((_, ops)) = catalog.iter().find(|(id, _)| id == f) else {
            let ids: Vec<&str> = catalog.iter().map(|(id, _)| *id).collect();
            return Err(format!(
                "match.facade: unknown facade {f:?}; expected one of: {}",
                ids.join(", ")
            ));
        };
        if let Some(op) = &m.operation
            && !ops.contains(&op.as_str())
        {
            return Err(format!(
                "match.operation: {f} has no operation {op:?}; expected one of: {}",
                ops.join(", ")
            ));
        }
        Ok(())
    }

    /// Checks the fault and compiles it. `base` is the instant window offsets count from;
    /// `fallback_id` names a fault that has no `id`. Errors name the offending key.
    ///
    /// The checks run in this order, and the first error is the one reported (after
    /// [`FaultSpec::check_names`], which callers run first): the match (phone, window), whether the fault can ever fire, the action
    /// keys, the delay, the action, the `when`, the id.
    pub fn compile(&self, base: Timestamp, fallback_id: String) -> Result<Fault, String> {
        let matcher = self.compile_matcher(base)?;
        self.check_can_fire(&matcher)?;
        let picked = self.pick_action()?;
        let delay = compile_delay(picked.action.delay.as_deref())?;
        let effect = compile_effect(&picked)?;
        if effect.is_none() && delay.is_none() {
            return Err(
                "the fault has no action; give one of: error, response, delay, close, truncate, garbage, throttle"
                    .into(),
            );
        }
        let when = self.when_for(&effect)?;
        let id = self.compile_id(fallback_id)?;
        Ok(Fault {
            id,
            spec: self.clone(),
            matcher,
            after: self.after,
            times: self.times,
            probability: self.probability,
            when,
            delay,
            effect,
            seen: 0,
            hits: 0,
        })
    }

    /// The match criteria: the phone as digits, the window's ends as instants.
    fn compile_matcher(&self, base: Timestamp) -> Result<Matcher, String> {
        let m = &self.matcher;
        let phone = match &m.phone {
            Some(p) => Some(crate::world::phone::digits_only(p).ok_or_else(|| {
                format!("match.phone: {p:?} is not a phone number such as +15550100001")
            })?),
            None => None,
        };
        let (from, until) = match &m.window {
            Some(w) => (
                w.from
                    .as_deref()
                    .map(|t| instant(t, base).map_err(|e| format!("match.window.from: {e}")))
                    .transpose()?,
                w.until
                    .as_deref()
                    .map(|t| instant(t, base).map_err(|e| format!("match.window.until: {e}")))
                    .transpose()?,
            ),
            None => (None, None),
        };
        Ok(Matcher {
            facade: m.facade.clone(),
            operation: m.operation.clone(),
            id: m.id.as_ref().map(|s| s.trim().to_string()),
            phone,
            namespace: m.namespace.as_ref().map(|n| n.trim().to_string()),
            from,
            until,
        })
    }

    /// A fault that can never fire makes a test pass for the wrong reason: refuse it (a
    /// probability of 0, `times: 0`, an empty window, a namespace that cannot exist).
    fn check_can_fire(&self, matcher: &Matcher) -> Result<(), String> {
        if let Some(p) = self.probability
            && !(0.0..=1.0).contains(&p)
        {
            return Err(format!("probability: {p} is not between 0 and 1"));
        }
        if self.probability == Some(0.0) {
            return Err(
                "probability: 0 never fires; remove the fault, or give a probability above 0"
                    .into(),
            );
        }
        if self.times == Some(0) {
            return Err("times: 0 never fires; remove the fault, or give times: 1 or more".into());
        }
        if let (Some(f), Some(u)) = (matcher.from, matcher.until)
            && f >= u
        {
            return Err(format!(
                "match.window: it ends ({}) before it starts ({}), so the fault never fires",
                u.rfc3339(),
                f.rfc3339()
            ));
        }
        if let Some(n) = &self.matcher.namespace
            && !crate::wire::valid_namespace_name(n.trim())
        {
            return Err(format!(
                "match.namespace: {n:?} cannot name a namespace (1 to 128 characters from A-Z a-z 0-9 . _ : -), so the fault never fires"
            ));
        }
        Ok(())
    }

    /// The action keys, from the fault itself or from under `action:`, never both.
    fn pick_action(&self) -> Result<Picked, String> {
        let nested = self.action.clone().unwrap_or_default();
        let mut picked = Picked {
            keys: Vec::new(),
            action: ActionSpec::default(),
        };
        macro_rules! pick {
            ($($field:ident),*) => {$(
                picked.action.$field = match (&self.$field, &nested.$field) {
                    (Some(_), Some(_)) => {
                        return Err(format!(
                            "{} is given both on the fault and under action:; give it once",
                            stringify!($field)
                        ));
                    }
                    (Some(v), None) | (None, Some(v)) => {
                        picked.keys.push(stringify!($field));
                        Some(v.clone())
                    }
                    (None, None) => None,
                };
            )*};
        }
        pick!(
            error, status, response, delay, close, truncate, garbage, throttle
        );
        Ok(picked)
    }

    /// `instead` unless given; a damaged body needs the world's answer, so `after`.
    fn when_for(&self, effect: &Option<Effect>) -> Result<When, String> {
        let when = self.when.unwrap_or_default();
        if matches!(effect, Some(Effect::Truncate(_)) | Some(Effect::Garbage))
            && when == When::Instead
        {
            return Err(format!(
                "{} alters the world's answer, so it needs `when: after` (the world handles the call, then the client gets the damaged body)",
                if matches!(effect, Some(Effect::Garbage)) {
                    "garbage"
                } else {
                    "truncate"
                }
            ));
        }
        Ok(when)
    }

    /// The id given, if it can appear in a URL path, or `fallback_id`.
    fn compile_id(&self, fallback_id: String) -> Result<String, String> {
        match &self.id {
            Some(id)
                if id.is_empty()
                    || id.len() > 128
                    || !id.bytes().all(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-')
                    }) =>
            {
                Err(format!(
                    "id: {id:?} must be 1 to 128 characters from A-Z a-z 0-9 . _ : - (it appears in /__admin/faults/{{id}})"
                ))
            }
            Some(id) => Ok(id.clone()),
            None => Ok(fallback_id),
        }
    }
}

/// A delay of 0s to 10m ([`MAX_DELAY`]).
fn compile_delay(text: Option<&str>) -> Result<Option<std::time::Duration>, String> {
    let Some(text) = text else {
        return Ok(None);
    };
    let d = Duration::parse(text).map_err(|e| format!("delay: {e}"))?;
    if d.0 < 0 || d > MAX_DELAY {
        return Err(format!("delay: {text:?} must be between 0s and 10m"));
    }
    Ok(Some(std::time::Duration::from_millis(d.0 as u64)))
}

/// The one action besides the delay, if any: a named error (with its status), a raw
/// answer, a closed connection, a truncated or garbled body, a throttle.
fn compile_effect(picked: &Picked) -> Result<Option<Effect>, String> {
    let action = &picked.action;
    let mut effects: Vec<Effect> = Vec::new();
    if let Some(name) = &action.error {
        if !ERROR_NAMES.contains(&name.as_str()) {
            return Err(format!(
                "error: unknown error {name:?}; expected one of: {}",
                ERROR_NAMES.join(", ")
            ));
        }
        if let Some(s) = action.status
            && !(s == 200 || (400..=599).contains(&s))
        {
            return Err(format!(
                "status: {s} is not an error answer's status; expected 200 or 400 to 599"
            ));
        }
        effects.push(Effect::Error {
            name: name.clone(),
            status: action.status,
        });
    } else if action.status.is_some() {
        return Err("status goes with error: (it sets the status of that error's answer; a raw answer gives its own in response.status)".into());
    }
    if let Some(r) = &action.response {
        check_response(r)?;
        effects.push(Effect::Respond(r.clone()));
    }
    if action.close == Some(true) {
        effects.push(Effect::Close);
    }
    match action.truncate {
        Some(TruncateSpec::Half(true)) => effects.push(Effect::Truncate(None)),
        Some(TruncateSpec::Bytes(n)) => effects.push(Effect::Truncate(Some(n as usize))),
        _ => {}
    }
    if action.garbage == Some(true) {
        effects.push(Effect::Garbage);
    }
    if let Some(t) = &action.throttle {
        effects.push(Effect::Throttle(compile_throttle(t)?));
    }
    if effects.len() > 1 {
        return Err(format!(
            "a fault has one action, besides an optional delay; this one has {}",
            picked
                .keys
                .iter()
                .filter(|k| **k != "delay" && **k != "status")
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(effects.pop())
}

/// A throttle's code (Graph's 80007 or 130429) and when to retry (60s unless given).
fn compile_throttle(t: &ThrottleSpec) -> Result<Throttle, String> {
    if let Some(code) = t.code
        && code != 80007
        && code != 130429
    {
        return Err(format!(
            "throttle.code: {code} is not a throttling code; expected 80007 or 130429"
        ));
    }
    let retry_after = match &t.retry_after {
        Some(text) => {
            let d = Duration::parse(text).map_err(|e| format!("throttle.retry_after: {e}"))?;
            if d.0 < 0 {
                return Err("throttle.retry_after: must not be negative".into());
            }
            d
        }
        None => Duration::seconds(60),
    };
    Ok(Throttle {
        code: t.code,
        retry_after,
    })
}
