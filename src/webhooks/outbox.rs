//! A namespace's webhook outbox: every delivery, its state and every attempt.
//!
//! A delivery is one event for one subscriber. It is attempted at once, then retried on the
//! namespace's world clock after each failure ([`RETRY_DELAYS`]), so advancing the clock
//! drives the retries; real time drives them too while the clock runs. It ends `delivered`,
//! or `expired` once its next try would fall more than [`GIVE_UP_AFTER`] after it was created
//! (at most [`MAX_TRIES`] tries), with every attempt recorded. Nothing is dropped silently:
//! when the outbox is full, the oldest finished deliveries make room, and if none is finished
//! the oldest open one is expired with the reason recorded.
//!
//! A try whose target has a verify token starts with the GET handshake (§7.1) unless that URL
//! and token already passed it in this namespace; a failed handshake fails the try (the POST
//! is not sent) and is recorded as an attempt of kind `verification`.
//!
//! The lock is held only to read or change the list; HTTP calls happen outside it
//! (`dispatch.rs`), and a reset bumps a generation so that a call finishing after the reset
//! changes nothing.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tokio::sync::Notify;

use super::payload::Outgoing;
use crate::clock::{Duration, Timestamp};
use crate::world::Id;

mod saved;
pub use saved::{Names, SavedOutbox};

/// Delays before each retry, on the world clock: after the 1st failed try 10 s, after the 2nd
/// 1 min, then 5 min, 30 min, 2 h, 8 h, and 24 h after every later one. Meta documents
/// retries "with decreasing frequency" for up to 7 days (recalled, not in the reference:
/// [INF]); this is wabasim's bounded version of that.
pub const RETRY_DELAYS: &[Duration] = &[
    Duration::seconds(10),
    Duration::minutes(1),
    Duration::minutes(5),
    Duration::minutes(30),
    Duration::hours(2),
    Duration::hours(8),
    Duration::hours(24),
];

/// A delivery whose next try would be later than this after its creation is expired.
pub const GIVE_UP_AFTER: Duration = Duration::days(7);

/// The most tries a delivery gets (follows from the two constants above).
pub const MAX_TRIES: u32 = 13;

/// Deliveries an outbox keeps per namespace.
pub const KEPT: usize = 10_000;

/// The delay after the `failed_tries`-th failed try.
pub fn retry_delay(failed_tries: u32) -> Duration {
    let i = (failed_tries.max(1) - 1) as usize;
    RETRY_DELAYS[i.min(RETRY_DELAYS.len() - 1)]
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Not tried yet (or its first try is under way).
    Pending,
    /// The last try failed; another is scheduled (`next_attempt_at`).
    Failed,
    Delivered,
    /// Every try failed and the schedule is over.
    Expired,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Failed => "failed",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<DeliveryState> {
        [
            DeliveryState::Pending,
            DeliveryState::Failed,
            DeliveryState::Delivered,
            DeliveryState::Expired,
        ]
        .into_iter()
        .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }

    pub fn is_final(self) -> bool {
        matches!(self, DeliveryState::Delivered | DeliveryState::Expired)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttemptKind {
    /// The GET handshake (`hub.mode=subscribe`).
    Verification,
    /// The signed POST.
    Delivery,
}

/// One HTTP call made for a delivery.
#[derive(Clone, Debug, Serialize)]
pub struct Attempt {
    /// The try this call belongs to, from 1 (a try is a handshake and/or a POST).
    #[serde(rename = "try")]
    pub try_n: u32,
    pub kind: AttemptKind,
    /// World time of the call.
    #[serde(serialize_with = "rfc3339")]
    pub at: Timestamp,
    /// The HTTP status answered, if any answer came.
    pub status: Option<u16>,
    /// Why the call failed (connection refused, timeout, status, wrong challenge).
    pub error: Option<String>,
    /// Real time the call took.
    pub duration_ms: u64,
}

fn rfc3339<S: serde::Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.rfc3339())
}

/// One event for one subscriber.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub id: u64,
    pub field: &'static str,
    pub waba: Id,
    pub app: Id,
    pub url: String,
    pub verify_token: Option<String>,
    /// The exact bytes sent (and signed).
    pub body: Bytes,
    /// `sha256=<hex>` (or a facade's own form).
    pub signature: String,
    /// The header the signature travels in.
    pub signature_header: &'static str,
    /// World time of the event.
    pub event_at: Timestamp,
    pub created_at: Timestamp,
    pub state: DeliveryState,
    pub attempts: Vec<Attempt>,
    /// Tries made so far.
    pub tries: u32,
    /// World time of the next try, while one is scheduled.
    pub next_at: Option<Timestamp>,
    /// Sent with every try besides the content type and signature (`Target::headers`).
    pub headers: Vec<(String, String)>,
    /// The delivery this one waits for (`Target::after_first`): it is held, with no try
    /// scheduled, until that one is delivered, and expires unsent if that one expires.
    pub after: Option<u64>,
    in_flight: bool,
}

/// What the dispatcher needs to make one try, taken out of the lock.
#[derive(Clone, Debug)]
pub struct Job {
    generation: u64,
    pub id: u64,
    pub try_n: u32,
    pub url: String,
    pub body: Bytes,
    pub signature: String,
    pub signature_header: &'static str,
    pub headers: Vec<(String, String)>,
    /// `Some(token)` when this try starts with the handshake.
    pub handshake: Option<String>,
}

/// How a try went.
#[derive(Debug, Default)]
pub struct TryOutcome {
    pub attempts: Vec<Attempt>,
    pub delivered: bool,
    /// The handshake passed (its URL and token need not be verified again).
    pub verified: bool,
}

/// Which deliveries a read wants.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeliveryFilter {
    pub field: Option<String>,
    pub waba: Option<String>,
    pub app: Option<String>,
    pub state: Option<DeliveryState>,
    /// Only deliveries with a larger id (a cursor).
    pub after: Option<u64>,
}

impl DeliveryFilter {
    pub fn new() -> Self {
        Self::default()
    }
    /// Only deliveries of this webhook field (Meta's `messages`, ..., or a facade's own, such
    /// as ChatApp's `ChatAppStatus`). The readers check the name: `api::facade::check_webhook_field`.
    pub fn field(mut self, field: &str) -> Self {
        self.field = Some(field.to_string());
        self
    }
    pub fn waba(mut self, waba: &str) -> Self {
        self.waba = Some(waba.to_string());
        self
    }
    pub fn state(mut self, state: DeliveryState) -> Self {
        self.state = Some(state);
        self
    }

    pub fn matches(&self, d: &Delivery) -> bool {
        self.field.as_deref().is_none_or(|f| f == d.field)
            && self
                .waba
                .as_deref()
                .is_none_or(|w| w.trim() == d.waba.to_string())
            && self
                .app
                .as_deref()
                .is_none_or(|a| a.trim() == d.app.to_string())
            && self.state.is_none_or(|s| s == d.state)
            && self.after.is_none_or(|a| d.id > a)
    }
}

#[derive(Default)]
struct State {
    generation: u64,
    next_id: u64,
    deliveries: VecDeque<Delivery>,
    /// (URL, verify token) pairs whose handshake passed.
    verified: HashSet<(String, String)>,
    /// Pairs whose handshake is under way: other deliveries to them wait for its outcome.
    verifying: HashSet<(String, String)>,
    /// Events whose subscriber had no callback URL (sent nowhere, as Meta would).
    unaddressed: u64,
    /// No delivery with a smaller id is open (not delivered or expired): scans for due
    /// tries start there rather than at the oldest of up to `KEPT` kept deliveries (the
    /// sends benchmark spent a third of its time scanning finished ones). Ids only grow
    /// and a finished delivery never reopens, so the bound only moves forward.
    open_from: u64,
}

impl State {
    /// Where `id` is, or would be: deliveries are kept in id order (added in order; only
    /// ever removed, never reordered).
    fn position(&self, id: u64) -> usize {
        self.deliveries.partition_point(|d| d.id < id)
    }

    /// The kept deliveries from the oldest open one on.
    fn open_part(&self) -> impl Iterator<Item = &Delivery> {
        self.deliveries.range(self.position(self.open_from)..)
    }
}

pub struct Outbox {
    state: Mutex<State>,
    /// Wakes `?wait=` readers whenever a delivery is added or changes.
    changed: Notify,
    /// Wakes the server's dispatcher when there is something to send.
    dispatcher: Arc<Notify>,
}

/// Figures for `GET /__admin/namespaces`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboxStats {
    pub deliveries: usize,
    pub open: usize,
    pub unaddressed: u64,
}

impl Outbox {
    pub fn new(dispatcher: Arc<Notify>) -> Outbox {
        Outbox {
            state: Mutex::new(State::default()),
            changed: Notify::new(),
            dispatcher,
        }
    }

    /// Adds one delivery per target of each event, due at `now`.
    pub fn enqueue(&self, outgoing: Vec<Outgoing>, now: Timestamp) {
        // Signatures are computed before taking the lock.
        // Each delivery with whether it waits for the first one of its event.
        let mut fresh: Vec<(bool, Delivery)> = Vec::new();
        let mut unaddressed = 0;
        for o in outgoing {
            unaddressed += o.unaddressed.len() as u64;
            for (i, t) in o.targets.into_iter().enumerate() {
                let held = i > 0 && t.after_first;
                fresh.push((
                    held,
                    Delivery {
                        id: 0,
                        field: o.field,
                        waba: o.waba,
                        app: t.app,
                        signature: t.signing.sign(&t.secret, &o.body),
                        signature_header: t.signing.header(),
                        url: t.url,
                        verify_token: t.verify_token,
                        body: o.body.clone(),
                        event_at: o.at,
                        created_at: now,
                        state: DeliveryState::Pending,
                        attempts: Vec::new(),
                        tries: 0,
                        next_at: (!held).then_some(now),
                        headers: t.headers,
                        after: None,
                        in_flight: false,
                    },
                ));
            }
        }
        if fresh.is_empty() && unaddressed == 0 {
            return;
        }
        {
            let mut s = self.state.lock();
            s.unaddressed += unaddressed;
            let mut first = 0;
            for (held, mut d) in fresh {
                s.next_id += 1;
                d.id = s.next_id;
                if held {
                    d.after = Some(first);
                } else {
                    first = d.id;
                }
                make_room(&mut s, now);
                s.deliveries.push_back(d);
            }
        }
        self.changed.notify_waiters();
        self.dispatcher.notify_one();
    }

    /// Marks every delivery due at `now` as under way and returns what to send.
    pub fn take_due(&self, now: Timestamp) -> Vec<Job> {
        self.take_due_at_most(now, usize::MAX)
    }

    /// [`Outbox::take_due`], at most `limit` of them (the rest stay due, for the next call).
    pub fn take_due_at_most(&self, now: Timestamp, limit: usize) -> Vec<Job> {
        let mut s = self.state.lock();
        let generation = s.generation;
        let mut jobs = Vec::new();
        let start = s.position(s.open_from);
        let mut first_open = None;
        let State {
            deliveries,
            verified,
            verifying,
            ..
        } = &mut *s;
        for d in deliveries.range_mut(start..) {
            if d.state.is_final() {
                continue;
            }
            first_open.get_or_insert(d.id);
            if jobs.len() >= limit {
                break;
            }
            if d.in_flight || d.next_at.is_none_or(|t| t > now) {
                continue;
            }
            let handshake = match &d.verify_token {
                Some(tok) => {
                    let pair = (d.url.clone(), tok.clone());
                    if verified.contains(&pair) {
                        None
                    } else if verifying.contains(&pair) {
                        // One handshake per URL and token at a time; this one waits.
                        continue;
                    } else {
                        verifying.insert(pair);
                        Some(tok.clone())
                    }
                }
                None => None,
            };
            d.in_flight = true;
            d.tries += 1;
            jobs.push(Job {
                generation,
                id: d.id,
                try_n: d.tries,
                url: d.url.clone(),
                body: d.body.clone(),
                signature: d.signature.clone(),
                signature_header: d.signature_header,
                headers: d.headers.clone(),
                handshake,
            });
        }
        s.open_from = first_open.unwrap_or(s.next_id);
        jobs
    }

    /// Records how a try went and schedules the next one, or ends the delivery.
    pub fn finish(&self, job: &Job, outcome: TryOutcome, now: Timestamp) {
        // One line per call: ids, statuses and timings, never the URL (it may carry a token),
        // the body, the signature or the verify token. A failed call at info; a call that
        // went through at debug, like requests, so a load of statuses pays nothing for lines
        // nobody asked for (the sends benchmark: docs/performance.md).
        for a in &outcome.attempts {
            if a.error.is_some() {
                tracing::info!(
                    target: "wabasim::webhook",
                    delivery = job.id,
                    attempt = a.try_n,
                    kind = ?a.kind,
                    status = a.status,
                    failed = true,
                    duration_ms = a.duration_ms,
                    "webhook attempt"
                );
            } else {
                tracing::debug!(
                    target: "wabasim::webhook",
                    delivery = job.id,
                    attempt = a.try_n,
                    kind = ?a.kind,
                    status = a.status,
                    failed = false,
                    duration_ms = a.duration_ms,
                    "webhook attempt"
                );
            }
        }
        {
            let mut s = self.state.lock();
            if s.generation != job.generation {
                return;
            }
            if let Some(token) = &job.handshake {
                let pair = (job.url.clone(), token.clone());
                s.verifying.remove(&pair);
                if outcome.verified {
                    s.verified.insert(pair);
                }
                // Deliveries held back for this handshake may go now.
                self.dispatcher.notify_one();
            }
            let at = s.position(job.id);
            let Some(d) = s.deliveries.get_mut(at).filter(|d| d.id == job.id) else {
                return;
            };
            d.in_flight = false;
            d.attempts.extend(outcome.attempts);
            if outcome.delivered {
                d.state = DeliveryState::Delivered;
                d.next_at = None;
            } else {
                let next = now + retry_delay(d.tries);
                if d.tries >= MAX_TRIES || next - d.created_at > GIVE_UP_AFTER {
                    d.state = DeliveryState::Expired;
                    d.next_at = None;
                } else {
                    d.state = DeliveryState::Failed;
                    d.next_at = Some(next);
                }
            }
            let state = d.state;
            if state.is_final() && release_held(&mut s, job.id, state, now) {
                self.dispatcher.notify_one();
            }
        }
        self.changed.notify_waiters();
    }

    /// Deliveries that pass `filter`, oldest first.
    pub fn matching(&self, filter: &DeliveryFilter) -> Vec<Delivery> {
        self.state
            .lock()
            .deliveries
            .iter()
            .filter(|d| filter.matches(d))
            .cloned()
            .collect()
    }

    /// Resolves at the next change (register interest before checking, see `wait` in the
    /// control API).
    pub fn changed(&self) -> &Notify {
        &self.changed
    }

    /// Asks the dispatcher to look now (the clock moved).
    pub fn wake_dispatcher(&self) {
        self.dispatcher.notify_one();
    }

    /// When the earliest scheduled try is due.
    pub fn next_due(&self) -> Option<Timestamp> {
        self.state
            .lock()
            .open_part()
            .filter(|d| !d.in_flight && !d.state.is_final())
            .filter_map(|d| d.next_at)
            .min()
    }

    pub fn stats(&self) -> OutboxStats {
        let s = self.state.lock();
        OutboxStats {
            deliveries: s.deliveries.len(),
            open: s.deliveries.iter().filter(|d| !d.state.is_final()).count(),
            unaddressed: s.unaddressed,
        }
    }

    /// Forgets every delivery and handshake (a namespace reset); tries under way are ignored
    /// when they finish.
    pub fn clear(&self) {
        {
            let mut s = self.state.lock();
            let generation = s.generation + 1;
            *s = State {
                generation,
                ..State::default()
            };
        }
        self.changed.notify_waiters();
    }
}

/// The deliveries waiting for delivery `id`, which ended `state`: due now if it was
/// delivered, expired unsent otherwise. Whether any is due.
fn release_held(s: &mut State, id: u64, state: DeliveryState, now: Timestamp) -> bool {
    let mut due = false;
    // The held ones were enqueued right after the one they wait for (`enqueue`): the run
    // that follows it, not a scan of every kept delivery on every finish.
    let from = s.position(id + 1);
    for d in s
        .deliveries
        .range_mut(from..)
        .take_while(|d| d.after == Some(id))
    {
        d.after = None;
        if state == DeliveryState::Delivered {
            d.next_at = Some(now);
            due = true;
        } else {
            d.state = DeliveryState::Expired;
            d.attempts.push(Attempt {
                try_n: 0,
                kind: AttemptKind::Delivery,
                at: now,
                status: None,
                error: Some(format!(
                    "not sent: delivery {id}, which it waited for, expired"
                )),
                duration_ms: 0,
            });
        }
    }
    due
}

/// Keeps the outbox within [`KEPT`]: drops the oldest finished delivery, else expires the
/// oldest open one (recording why) and drops it.
fn make_room(s: &mut State, now: Timestamp) {
    if s.deliveries.len() < KEPT {
        return;
    }
    if let Some(i) = s.deliveries.iter().position(|d| d.state.is_final()) {
        s.deliveries.remove(i);
        return;
    }
    if let Some(mut d) = s.deliveries.pop_front() {
        d.state = DeliveryState::Expired;
        d.attempts.push(Attempt {
            try_n: d.tries,
            kind: AttemptKind::Delivery,
            at: now,
            status: None,
            error: Some(format!(
                "expired unsent: the namespace's outbox holds at most {KEPT} deliveries"
            )),
            duration_ms: 0,
        });
        tracing::warn!(
            "webhook delivery {} to {} expired: outbox full",
            d.id,
            d.url
        );
    }
}

/// A delivery as the control API shows it. `payload` is the exact body sent; `body` repeats
/// it as a string, so a test can check the signature over those very bytes.
#[derive(Serialize)]
pub struct DeliveryView<'a> {
    pub id: String,
    pub field: &'a str,
    pub waba_id: String,
    pub app_id: String,
    pub url: &'a str,
    pub state: DeliveryState,
    pub payload: Box<RawValue>,
    pub body: &'a str,
    pub signature: &'a str,
    pub event_at: String,
    pub created_at: String,
    pub next_attempt_at: Option<String>,
    /// The delivery this one is held for (360dialog's extra destinations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waits_for: Option<String>,
    /// Headers of the receiver's own sent with it.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub headers: &'a [(String, String)],
    pub attempts: &'a [Attempt],
}

impl Delivery {
    pub fn view(&self) -> DeliveryView<'_> {
        let body = std::str::from_utf8(&self.body).unwrap_or("{}");
        DeliveryView {
            id: self.id.to_string(),
            field: self.field,
            waba_id: self.waba.to_string(),
            app_id: self.app.to_string(),
            url: &self.url,
            state: self.state,
            payload: RawValue::from_string(body.to_string())
                .unwrap_or_else(|_| RawValue::from_string("{}".into()).expect("valid")),
            body,
            signature: &self.signature,
            event_at: self.event_at.rfc3339(),
            created_at: self.created_at.rfc3339(),
            next_attempt_at: self.next_at.map(|t| t.rfc3339()),
            waits_for: self.after.map(|id| id.to_string()),
            headers: &self.headers,
            attempts: &self.attempts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhooks::payload::Target;

    fn outgoing(token: Option<&str>) -> Outgoing {
        Outgoing {
            at: Timestamp(0),
            field: "message_template_status_update",
            waba: 2,
            body: Bytes::from_static(b"{\"a\":1}"),
            targets: vec![Target {
                app: 3,
                url: "http://127.0.0.1:9/hook".into(),
                secret: "s".into(),
                verify_token: token.map(str::to_string),
                signing: Default::default(),
                headers: Vec::new(),
                after_first: false,
            }],
            unaddressed: vec![],
        }
    }

    fn failed(job: &Job) -> TryOutcome {
        TryOutcome {
            attempts: vec![Attempt {
                try_n: job.try_n,
                kind: AttemptKind::Delivery,
                at: Timestamp(0),
                status: None,
                error: Some("connection refused".into()),
                duration_ms: 0,
            }],
            delivered: false,
            verified: false,
        }
    }

    /// An event for a first target and one held until the first has taken it.
    fn chained() -> Outgoing {
        let mut o = outgoing(None);
        let mut extra = o.targets[0].clone();
        extra.url = "http://127.0.0.1:9/extra".into();
        extra.after_first = true;
        o.targets.push(extra);
        o
    }

    fn delivered(job: &Job) -> TryOutcome {
        let mut o = failed(job);
        o.attempts[0].error = None;
        o.attempts[0].status = Some(200);
        o.delivered = true;
        o
    }

    #[test]
    fn a_held_delivery_goes_once_the_first_is_delivered_and_expires_with_it() {
        let o = Outbox::new(Arc::new(Notify::new()));
        o.enqueue(vec![chained()], Timestamp(0));
        let jobs = o.take_due(Timestamp(0));
        assert_eq!(jobs.len(), 1, "only the first is due");
        o.finish(&jobs[0], failed(&jobs[0]), Timestamp(0));
        assert!(
            o.take_due(Timestamp(5_000)).is_empty(),
            "the held one waits while the first is failing"
        );
        let retry = o.take_due(Timestamp(100_000));
        o.finish(
            &retry[0],
            TryOutcome {
                delivered: true,
                ..Default::default()
            },
            Timestamp(100_000),
        );
        let held = o.take_due(Timestamp(100_000));
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].url, "http://127.0.0.1:9/extra");

        // When the first never takes it, the held one expires unsent.
        let o = Outbox::new(Arc::new(Notify::new()));
        o.enqueue(vec![chained()], Timestamp(0));
        let mut now = Timestamp(0);
        while let Some(job) = o.take_due(now).pop() {
            assert_eq!(job.url, "http://127.0.0.1:9/hook");
            o.finish(&job, failed(&job), now);
            now = o.next_due().unwrap_or(now);
        }
        let all = o.matching(&DeliveryFilter::new());
        assert_eq!(all[0].state, DeliveryState::Expired);
        assert_eq!(all[1].state, DeliveryState::Expired);
        assert_eq!(all[1].tries, 0);
        assert!(
            all[1].attempts[0]
                .error
                .as_deref()
                .unwrap()
                .contains("expired")
        );
    }

    #[test]
    fn a_failed_delivery_behind_delivered_ones_is_still_retried() {
        let o = Outbox::new(Arc::new(Notify::new()));
        let start = Timestamp(1_000_000);
        o.enqueue((0..5).map(|_| outgoing(None)).collect(), start);
        let jobs = o.take_due(start);
        assert_eq!(jobs.len(), 5);
        // The second fails, the others go through: scans start at the oldest open one.
        for (i, job) in jobs.iter().enumerate() {
            let outcome = if i == 1 { failed(job) } else { delivered(job) };
            o.finish(job, outcome, start);
        }
        assert!(o.take_due(start).is_empty());
        o.enqueue(vec![outgoing(None)], start);
        let next = o.next_due().unwrap();
        assert_eq!(next, start);
        assert_eq!(o.take_due(start).len(), 1);
        let retry = o.take_due(start + retry_delay(1));
        assert_eq!(retry.iter().map(|j| j.id).collect::<Vec<_>>(), [jobs[1].id]);
    }

    #[test]
    fn the_schedule_is_bounded_and_ends_expired() {
        let o = Outbox::new(Arc::new(Notify::new()));
        let start = Timestamp(1_000_000);
        o.enqueue(vec![outgoing(None)], start);
        let mut now = start;
        let mut tries = 0;
        loop {
            let jobs = o.take_due(now);
            assert_eq!(jobs.len(), 1, "a try is due at {now:?}");
            tries += 1;
            o.finish(&jobs[0], failed(&jobs[0]), now);
            let d = &o.matching(&DeliveryFilter::new())[0];
            if d.state == DeliveryState::Expired {
                break;
            }
            assert_eq!(d.state, DeliveryState::Failed);
            // Nothing is due a moment before the next try.
            let next = d.next_at.unwrap();
            assert!(o.take_due(next - Duration(1)).is_empty());
            now = next;
        }
        assert_eq!(tries, MAX_TRIES);
        let d = &o.matching(&DeliveryFilter::new())[0];
        assert_eq!(d.attempts.len() as u32, MAX_TRIES);
        assert!(now - start <= GIVE_UP_AFTER);
    }

    #[test]
    fn a_passed_handshake_is_not_repeated_and_a_reset_wins_over_late_answers() {
        let o = Outbox::new(Arc::new(Notify::new()));
        o.enqueue(
            vec![outgoing(Some("vt")), outgoing(Some("vt"))],
            Timestamp(0),
        );
        // One handshake at a time per URL and token: the second delivery waits for it.
        let jobs = o.take_due(Timestamp(0));
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].handshake.as_deref(), Some("vt"));
        o.finish(
            &jobs[0],
            TryOutcome {
                delivered: true,
                verified: true,
                ..Default::default()
            },
            Timestamp(0),
        );
        let second = o.take_due(Timestamp(0));
        assert_eq!(second.len(), 1);
        assert_eq!(
            second[0].handshake, None,
            "a passed handshake is not repeated"
        );
        o.finish(&second[0], failed(&second[0]), Timestamp(0));
        let retry = o.take_due(Timestamp(10_000));
        assert_eq!(retry.len(), 1);
        assert_eq!(retry[0].handshake, None);
        o.clear();
        o.finish(
            &retry[0],
            TryOutcome {
                delivered: true,
                ..Default::default()
            },
            Timestamp(10_000),
        );
        assert!(o.matching(&DeliveryFilter::new()).is_empty());
    }
}
