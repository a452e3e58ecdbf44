//! Scripted faults: when a call matches, answer with a failure instead of the world (or
//! after it).
//!
//! The layer knows no facade's wire. A facade describes a prepared call with a [`Call`]
//! (facade, operation, the ids and numbers it names, the namespace); the namespace's
//! [`Faults`] decide whether one fires; [`apply`] then renders the outcome through the
//! facade's own `execute`, `render_error` and `render_throttle` ([`PreparedCall`]), so one
//! fault works on every facade. Faults come from the fixture (`faults:`) or from `/__admin/faults` at runtime.

pub mod apply;
pub mod spec;

use parking_lot::Mutex;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use apply::{Delivery, PreparedCall, answer};
pub use spec::FaultSpec;

use crate::clock::{Duration, Timestamp};
use crate::world::rng::SeededRng;

/// A prepared call, as faults see it.
#[derive(Clone, Copy, Debug)]
pub struct Call<'a> {
    /// `graph`, `cams`.
    pub facade: &'static str,
    /// The facade's operation name (`request_code`, `GetMigrationVerifyCode`).
    pub operation: &'static str,
    /// The ids and phone-number digits the call names.
    pub targets: &'a [String],
    pub namespace: &'a str,
}

/// Whether a fault replaces the world's handling of a call or follows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum When {
    /// The world does not see the call.
    #[default]
    Instead,
    /// The world handles the call; the client sees the fault's answer.
    After,
}

/// What a fault does to the answer.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Effect {
    /// A named `DomainError`, rendered by the facade, with the fault's `status` if it gives
    /// one.
    Error { name: String, status: Option<u16> },
    /// A raw status, headers and body.
    Respond(spec::ResponseSpec),
    /// Close the connection without an answer.
    Close,
    /// Send part of the body (`None`: half), then close.
    Truncate(Option<usize>),
    /// Replace the body with bytes that are not JSON.
    Garbage,
    /// A rate-limit answer in the facade's shape.
    Throttle(Throttle),
}

/// A facade-neutral rate-limit answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Throttle {
    /// Graph: 80007 (default) or 130429.
    pub code: Option<u32>,
    pub retry_after: Duration,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Matcher {
    facade: Option<String>,
    operation: Option<String>,
    id: Option<String>,
    phone: Option<String>,
    namespace: Option<String>,
    from: Option<Timestamp>,
    until: Option<Timestamp>,
}

impl Matcher {
    fn matches(&self, call: &Call<'_>, now: Timestamp) -> bool {
        self.facade.as_deref().is_none_or(|f| f == call.facade)
            && self
                .operation
                .as_deref()
                .is_none_or(|o| o == call.operation)
            && self
                .id
                .as_deref()
                .is_none_or(|id| call.targets.iter().any(|t| t == id))
            && self
                .phone
                .as_deref()
                .is_none_or(|p| call.targets.iter().any(|t| t == p))
            && self
                .namespace
                .as_deref()
                .is_none_or(|n| n == call.namespace)
            && self.from.is_none_or(|f| now >= f)
            && self.until.is_none_or(|u| now < u)
    }
}

/// One compiled fault with its counters.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Fault {
    pub id: String,
    /// As written, for listing.
    pub spec: FaultSpec,
    matcher: Matcher,
    after: u64,
    times: Option<u64>,
    probability: Option<f64>,
    pub when: When,
    pub delay: Option<std::time::Duration>,
    pub effect: Option<Effect>,
    /// Calls that matched (whether or not the fault fired).
    pub seen: u64,
    /// Times the fault fired.
    pub hits: u64,
}

/// What a fired fault asks for.
#[derive(Clone, Debug)]
pub struct Decision {
    pub id: String,
    pub when: When,
    pub delay: Option<std::time::Duration>,
    pub effect: Option<Effect>,
}

/// Mixed into the world's seed to seed the faults' own random stream, so that it differs
/// from the world's (ids, codes) while a seed still fixes both.
const FAULT_STREAM: u64 = 0x6661_756c_7473_2121; // "faults!!"

/// A namespace's faults, in the order they were added.
#[derive(Debug, Default)]
pub struct Faults {
    inner: Mutex<FaultList>,
}

/// Also what a `--state` file keeps of a namespace's faults: the list with its counters,
/// the ids generated so far, and where the random stream stands.
#[derive(Debug, Serialize, Deserialize)]
pub struct FaultList {
    faults: Vec<Fault>,
    /// Numbers the generated ids (`fault-N`).
    added: u64,
    /// The draws of `probability` and the bytes of `garbage`: a stream of their own, so that
    /// adding a fault (or a call one draws for) never changes the world's ids and codes, and
    /// the world's calls never change which calls a fault hits.
    rng: SeededRng,
}

impl Default for FaultList {
    fn default() -> Self {
        FaultList {
            faults: Vec::new(),
            added: 0,
            rng: SeededRng::seeded(FAULT_STREAM),
        }
    }
}

impl Faults {
    /// Replaces every fault (a fixture was loaded, or the namespace reset), and restarts the
    /// faults' random stream from the world's `seed`.
    pub fn replace(&self, faults: Vec<Fault>, seed: u64) {
        let mut list = self.inner.lock();
        list.added = faults.len() as u64;
        list.faults = faults;
        list.rng = SeededRng::seeded(seed ^ FAULT_STREAM);
    }

    /// `len` random bytes from the faults' stream (a `garbage` body: reproducible per seed).
    pub fn random_bytes(&self, len: usize) -> Vec<u8> {
        let mut list = self.inner.lock();
        (0..len).map(|_| list.rng.random::<u8>()).collect()
    }

    /// Compiles and adds a fault; answers its id. `base` is the world's time now (window
    /// offsets count from it).
    pub fn add(&self, spec: &FaultSpec, base: Timestamp) -> Result<String, String> {
        let mut list = self.inner.lock();
        // The next generated id no fault has taken.
        let mut n = list.added + 1;
        while list.faults.iter().any(|f| f.id == format!("fault-{n}")) {
            n += 1;
        }
        let fault = spec.compile(base, format!("fault-{n}"))?;
        if list.faults.iter().any(|f| f.id == fault.id) {
            return Err(format!(
                "id: a fault {:?} exists already; remove it first",
                fault.id
            ));
        }
        if spec.id.is_none() {
            list.added = n;
        }
        let id = fault.id.clone();
        list.faults.push(fault);
        Ok(id)
    }

    /// Removes one fault; false when there is none by that id.
    pub fn remove(&self, id: &str) -> bool {
        let mut list = self.inner.lock();
        let before = list.faults.len();
        list.faults.retain(|f| f.id != id);
        list.faults.len() != before
    }

    pub fn is_empty(&self) -> bool {
        self.inner.lock().faults.is_empty()
    }

    pub fn clear(&self) {
        self.inner.lock().faults.clear();
    }

    /// Everything the faults hold, for a `--state` file.
    pub fn save<R>(&self, f: impl FnOnce(&FaultList) -> R) -> R {
        f(&self.inner.lock())
    }

    /// Puts back what [`Faults::save`] saw.
    pub fn restore(&self, saved: FaultList) {
        *self.inner.lock() = saved;
    }

    /// The faults with their counters, in order.
    pub fn list(&self) -> Vec<Fault> {
        self.inner.lock().faults.clone()
    }

    /// Decides whether a fault fires for `call` at world time `now`. Every fault that
    /// matches counts the call (so `after: N` means "the (N+1)th matching call", whatever
    /// other faults did); the first one past its `after`, within its `times` and lucky in its
    /// draw fires. The draw comes from the faults' own stream, seeded from the world's seed:
    /// the same seed and the same calls give the same outcomes.
    pub fn decide(&self, call: &Call<'_>, now: Timestamp) -> Option<Decision> {
        let mut guard = self.inner.lock();
        let list = &mut *guard;
        if list.faults.is_empty() {
            return None;
        }
        let mut fired: Option<Decision> = None;
        for fault in list.faults.iter_mut() {
            if !fault.matcher.matches(call, now) {
                continue;
            }
            fault.seen += 1;
            if fired.is_some()
                || fault.seen <= fault.after
                || fault.times.is_some_and(|t| fault.hits >= t)
            {
                continue;
            }
            if let Some(p) = fault.probability
                && list.rng.random::<f64>() >= p
            {
                continue;
            }
            fault.hits += 1;
            fired = Some(Decision {
                id: fault.id.clone(),
                when: fault.when,
                delay: fault.delay,
                effect: fault.effect.clone(),
            });
        }
        fired
    }
}

impl Fault {
    /// The fault as `/__admin/faults` lists it: its spec, plus id and counters.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(&self.spec).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("id".into(), self.id.clone().into());
            o.insert(
                "when".into(),
                serde_json::to_value(self.when).unwrap_or_default(),
            );
            o.insert("seen".into(), self.seen.into());
            o.insert("hits".into(), self.hits.into());
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::Fixture;

    fn spec(yaml: &str) -> FaultSpec {
        serde_saphyr::from_str(yaml).unwrap()
    }

    fn call<'a>(op: &'static str, targets: &'a [String]) -> Call<'a> {
        Call {
            facade: "graph",
            operation: op,
            targets,
            namespace: "default",
        }
    }

    #[test]
    fn canonical_and_nested_actions_are_the_same_fault() {
        let a = spec("{match: {facade: graph, operation: request_code}, times: 2, error: too_many_code_requests}")
            .compile(Timestamp(0), "f".into())
            .unwrap();
        assert!(
            matches!(a.effect, Some(Effect::Error { ref name, status: None }) if name == "too_many_code_requests")
        );
        let b = spec(r#"{"match":{"facade":"cams","operation":"QueryChatappBindWaba"},"action":{"throttle":{}},"times":1}"#)
            .compile(Timestamp(0), "f".into())
            .unwrap();
        assert!(matches!(b.effect, Some(Effect::Throttle(t)) if t.code.is_none()));
    }

    #[test]
    fn validation_names_the_key_and_the_choices() {
        let e = |y: &str| {
            let s = spec(y);
            s.check_names(&crate::api::facade::catalog())
                .and_then(|()| s.compile(Timestamp(0), "f".into()))
                .unwrap_err()
        };
        assert!(e("{error: nope}").contains("expected one of: access_token_missing"));
        assert!(
            e("{match: {facade: graph, operation: regster}, error: wrong_code}")
                .contains("expected one of: migrate_phone_number")
        );
        let unknown = e("{match: {facade: sms}, close: true}");
        assert!(
            unknown.contains("cams") && unknown.contains("graph"),
            "{unknown}"
        );
        assert!(e("{probability: 2, close: true}").contains("between 0 and 1"));
        assert!(e("{truncate: true}").contains("when: after"));
        assert!(e("{error: wrong_code, close: true}").contains("one action"));
        assert!(e("{times: 1}").contains("no action"));
        assert!(e("{error: wrong_code, action: {error: wrong_code}}").contains("once"));
    }

    #[test]
    fn generated_ids_skip_the_ones_given() {
        let f = Fixture::parse(
            "faults: [{id: fault-2, close: true}, {close: true}, {close: true}]",
            "t",
        )
        .unwrap();
        let (_, compiled) = f.instantiate().unwrap();
        let ids: Vec<&str> = compiled.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["fault-2", "fault-1", "fault-3"]);
        let faults = Faults::default();
        faults.replace(compiled, 0);
        let next = faults.add(&spec("{close: true}"), Timestamp(0)).unwrap();
        assert_eq!(next, "fault-4");
        assert!(
            faults
                .add(&spec("{id: fault-4, close: true}"), Timestamp(0))
                .is_err()
        );
    }

    #[test]
    fn after_and_times_make_a_sequence() {
        let faults = Faults::default();
        faults
            .add(
                &spec("{match: {operation: request_code}, after: 1, times: 2, error: wrong_code}"),
                Timestamp(0),
            )
            .unwrap();
        let t = vec!["110000000000001".to_string()];
        let outcomes: Vec<bool> = (0..5)
            .map(|_| {
                faults
                    .decide(&call("request_code", &t), Timestamp(0))
                    .is_some()
            })
            .collect();
        assert_eq!(outcomes, [false, true, true, false, false]);
        assert!(
            faults
                .decide(&call("verify_code", &t), Timestamp(0))
                .is_none()
        );
        assert_eq!(faults.list()[0].hits, 2);
        assert_eq!(faults.list()[0].seen, 5);
    }

    /// A fault that fires on about half the calls, drawn from the faults' seeded stream.
    fn add_coin_flip(faults: &Faults) {
        let coin = spec("{probability: 0.5, error: internal_error}");
        faults.add(&coin, Timestamp(0)).unwrap();
    }

    #[test]
    fn probability_outcomes_repeat_with_the_seed() {
        let run = |seed: u64| {
            let faults = Faults::default();
            faults.replace(Vec::new(), seed);
            add_coin_flip(&faults);
            (0..64)
                .map(|_| {
                    faults
                        .decide(&call("get_waba", &[]), Timestamp(0))
                        .is_some()
                })
                .collect::<Vec<bool>>()
        };
        let first = run(7);
        assert_eq!(first, run(7));
        assert_ne!(first, run(8), "another seed, another sequence");
        let fired = first.iter().filter(|f| **f).count();
        assert!(fired > 10 && fired < 54, "{fired} of 64");
    }

    #[test]
    fn fault_draws_leave_the_worlds_ids_alone() {
        // The same world calls, with and without a probabilistic fault drawing in between,
        // give the same ids and codes.
        let ids = |with_fault: bool| {
            let fixture = Fixture::default_world();
            let (mut w, compiled) = fixture.instantiate().unwrap();
            let faults = Faults::default();
            faults.replace(compiled, fixture.seed);
            if with_fault {
                add_coin_flip(&faults);
            }
            (0..4)
                .map(|_| {
                    let _ = faults.decide(&call("get_waba", &[]), w.now());
                    let _ = faults.random_bytes(8);
                    (w.next_id(), w.next_code())
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(false), ids(true));
    }

    #[test]
    fn targets_namespace_and_window_narrow_the_match() {
        let faults = Faults::default();
        faults
            .add(
                &spec("{match: {phone: '+1 555 010 0001', namespace: a, window: {from: '+1h', until: '+2h'}}, error: internal_error}"),
                Timestamp(0),
            )
            .unwrap();
        let hit = vec!["110000000000001".to_string(), "15550100001".to_string()];
        let miss = vec!["110000000000002".to_string(), "15550100002".to_string()];
        let mk = |targets: &'static [String], ns: &'static str| Call {
            facade: "graph",
            operation: "register",
            targets,
            namespace: ns,
        };
        let hit: &'static [String] = Box::leak(hit.into_boxed_slice());
        let miss: &'static [String] = Box::leak(miss.into_boxed_slice());
        // Offsets count from the base given to `add` (0 here).
        assert!(
            faults.decide(&mk(hit, "a"), Timestamp(0)).is_none(),
            "outside the window"
        );
        let inside = Timestamp(Duration::minutes(90).0);
        assert!(faults.decide(&mk(hit, "a"), inside).is_some());
        assert!(faults.decide(&mk(hit, "b"), inside).is_none());
        assert!(faults.decide(&mk(miss, "a"), inside).is_none());
    }
}
