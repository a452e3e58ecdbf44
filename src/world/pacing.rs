//! Paced sends: template sends a facade hands the world in a batch, which go out at the
//! number's throughput instead of failing past it. Alibaba's SendChatappMassMessage takes up
//! to 1,000 recipients and dispatches them itself (its page answers a `GroupMessageId` and
//! tells each outcome as a receipt), so a BSP sees its recipients sent over time, not
//! refused with 130429; Graph does not pace (its sends past the throughput answer 130429).
//!
//! The rule: each number has one queue, in the order its batches gave their sends. What the
//! number's throughput leaves room for now goes out at once; the rest waits, and a timer at
//! the moment the oldest counted send leaves the number's last second (`message.rs`,
//! `throughput_left`) sends as many as then fit, each through [`World::send_message`]'s
//! rules as of its turn: the template may have been paused, the number deregistered or
//! migrated away meanwhile, and that failure is the send's outcome. A failed send counts
//! nothing, so the next in line goes in its place.
//!
//! Every send's outcome, sent at once or later, is kept until the namespace hands it to the
//! facades (`drain_paced`), so that a facade names the message as its caller did and tells
//! a refusal as its vendor does. The queue is bounded by `settings.paced_sends_max` over all
//! numbers; it is saved with the world (`serve --state`), and a reset or a deleted namespace
//! drops it with the world.

use std::collections::VecDeque;

use super::message::{Content, Send, sender_registered};
use super::{DomainError, HashMap, Id, Principal, Timer, World};
use crate::clock::Timestamp;

/// The template a paced send names, and how many parameters it gives its header and body.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PacedTemplate {
    pub name: String,
    pub language: String,
    pub header_params: usize,
    pub body_params: usize,
}

/// One send waiting for its turn.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PacedSend {
    /// The caller that asked: the send goes out as it.
    pub who: Principal,
    pub to: String,
    pub template: PacedTemplate,
    /// Whether its statuses carry `conversation` (`message::Send`).
    pub with_conversation: bool,
    /// The facade's name for the send (ChatApp: its batch and place), given back with its
    /// outcome.
    pub tag: String,
}

/// What became of one paced send.
#[derive(Clone, Debug, PartialEq)]
pub struct PacedOutcome {
    pub tag: String,
    /// The record it was sent from.
    pub phone: Id,
    pub to: String,
    /// When its turn came.
    pub at: Timestamp,
    /// Its wamid, or the rule it broke.
    pub sent: Result<String, DomainError>,
}

/// The world's paced sends.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Pacing {
    /// Waiting sends by sending record, oldest first; a number with none has no entry.
    queues: HashMap<Id, VecDeque<PacedSend>>,
    /// How many wait over all numbers.
    waiting: usize,
    /// Outcomes not yet handed to the facades. Empty between calls, so never saved.
    #[serde(skip)]
    outcomes: Vec<PacedOutcome>,
}

impl Pacing {
    /// How many sends wait over all numbers.
    pub fn waiting(&self) -> usize {
        self.waiting
    }

    /// How many sends wait for the number `phone`.
    pub fn waiting_for(&self, phone: Id) -> usize {
        self.queues.get(&phone).map_or(0, VecDeque::len)
    }

    pub(super) fn has_outcomes(&self) -> bool {
        !self.outcomes.is_empty()
    }
}

impl PacedSend {
    fn as_send<'a>(&'a self, phone: &'a str) -> Send<'a> {
        Send {
            phone,
            to: &self.to,
            content: self.template.content(),
            media_id: None,
            callback_data: None,
            with_conversation: self.with_conversation,
            context: None,
            reaction: false,
            reaction_to: None,
        }
    }
}

impl PacedTemplate {
    fn content(&self) -> Content<'_> {
        Content::Template {
            name: &self.name,
            language: &self.language,
            header_params: self.header_params,
            body_params: self.body_params,
        }
    }
}

impl World {
    /// What refuses a batch from `phone` as a whole rather than one of its sends: the caller's
    /// hold on the number, the number's registration and the template (132001, 132015,
    /// 132016, 132000), checked as [`World::send_message`] checks them, in its order, without
    /// sending. A facade asks it of the first send before pacing a batch.
    pub fn check_paced(
        &self,
        who: &Principal,
        phone: Id,
        template: &PacedTemplate,
    ) -> Result<(), DomainError> {
        let record = self.managed_phone(who, &phone.to_string())?;
        sender_registered(record)?;
        let counts = (template.header_params, template.body_params);
        self.sendable_template(record.waba, &template.name, &template.language, counts)
            .map(|_| ())
    }

    /// Queues `sends` from the number `phone` behind any it already has waiting, and sends at
    /// once those its throughput has room for. Refused whole, nothing sent, when more than
    /// `settings.paced_sends_max` would then wait.
    pub fn pace(&mut self, phone: Id, sends: Vec<PacedSend>) -> Result<(), DomainError> {
        let now = self.now();
        let idle = self.pacing.waiting_for(phone) == 0;
        let room = if idle {
            self.throughput_left(phone, now)
        } else {
            0
        };
        let max = self.settings.paced_sends_max;
        if self.pacing.waiting + sends.len().saturating_sub(room) > max {
            return Err(DomainError::PacedQueueFull { max });
        }
        self.pacing.waiting += sends.len();
        self.pacing.queues.entry(phone).or_default().extend(sends);
        // A number already waiting has its timer set.
        if idle {
            self.send_paced(phone, now);
        }
        Ok(())
    }

    /// Sends what the number's throughput has room for at `at`, in queue order, and sets the
    /// timer for the rest (`Timer::Paced`).
    pub(super) fn send_paced(&mut self, phone: Id, at: Timestamp) {
        let unlimited = self.settings.throughput_per_second == 0;
        let id = phone.to_string();
        loop {
            // A limit of 0 refuses every send (130429): waiting would never end.
            if !unlimited && self.throughput_left(phone, at) == 0 {
                if let Some(turn) = self.throughput_frees_at(phone) {
                    self.add_timer(turn.max(at), Timer::Paced(phone));
                    return;
                }
            }
            let Some(queue) = self.pacing.queues.get_mut(&phone) else {
                return;
            };
            let Some(next) = queue.pop_front() else {
                self.pacing.queues.remove(&phone);
                return;
            };
            if queue.is_empty() {
                self.pacing.queues.remove(&phone);
            }
            self.pacing.waiting -= 1;
            let sent = self
                .send_message_at(&next.who, &next.as_send(&id), at)
                .map(|accepted| accepted.id);
            self.pacing.outcomes.push(PacedOutcome {
                tag: next.tag,
                phone,
                to: next.to,
                at,
                sent,
            });
        }
    }

    /// Takes the outcomes of paced sends since the last call, in the order they went out.
    pub fn drain_paced(&mut self) -> Vec<PacedOutcome> {
        std::mem::take(&mut self.pacing.outcomes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Duration;
    use crate::fixture::Fixture;

    const PHONE: Id = 110_000_000_000_001;

    fn world() -> (World, Principal) {
        let mut w = Fixture::default_world().build().unwrap();
        w.clock.freeze();
        let who = w.authenticate("wabasim-old-bsp").unwrap();
        (w, who)
    }

    fn order_update(who: Principal, n: usize) -> Vec<PacedSend> {
        (0..n)
            .map(|i| PacedSend {
                who,
                to: format!("1555123{i:04}"),
                template: PacedTemplate {
                    name: "order_update".into(),
                    language: "en_US".into(),
                    header_params: 0,
                    body_params: 1,
                },
                with_conversation: true,
                tag: i.to_string(),
            })
            .collect()
    }

    /// The tags sent since the last drain, checking each was sent (not refused) at `at`.
    fn sent_at(w: &mut World, at: Timestamp) -> Vec<String> {
        w.drain_paced()
            .into_iter()
            .map(|o| {
                assert!(o.sent.is_ok(), "{o:?}");
                assert_eq!(o.at, at, "{o:?}");
                o.tag
            })
            .collect()
    }

    fn tags(range: std::ops::Range<usize>) -> Vec<String> {
        range.map(|i| i.to_string()).collect()
    }

    #[test]
    fn two_hundred_go_out_eighty_a_second_in_order() {
        let (mut w, who) = world();
        assert_eq!(w.settings.throughput_per_second, 80);
        let t0 = w.now();
        w.pace(PHONE, order_update(who, 200)).unwrap();
        assert_eq!(sent_at(&mut w, t0), tags(0..80));
        assert_eq!(w.pacing.waiting(), 120);
        // Nothing more in the same second.
        w.clock.advance(Duration(999)).unwrap();
        w.catch_up();
        assert!(w.drain_paced().is_empty());
        w.clock.advance(Duration(1)).unwrap();
        w.catch_up();
        assert_eq!(sent_at(&mut w, t0 + Duration::seconds(1)), tags(80..160));
        w.clock.advance(Duration::seconds(1)).unwrap();
        w.catch_up();
        assert_eq!(sent_at(&mut w, t0 + Duration::seconds(2)), tags(160..200));
        assert_eq!(w.pacing.waiting(), 0);
        assert_eq!(
            w.next_due().map(|at| at > t0 + Duration::seconds(2)),
            Some(true)
        );
    }

    #[test]
    fn a_clock_moved_past_several_turns_sends_each_at_its_own() {
        let (mut w, who) = world();
        let t0 = w.now();
        w.pace(PHONE, order_update(who, 200)).unwrap();
        w.drain_paced();
        w.clock.advance(Duration::minutes(1)).unwrap();
        w.catch_up();
        let turns: Vec<Timestamp> = w.drain_paced().iter().map(|o| o.at).collect();
        assert_eq!(turns.len(), 120);
        assert!(turns[..80].iter().all(|t| *t == t0 + Duration::seconds(1)));
        assert!(turns[80..].iter().all(|t| *t == t0 + Duration::seconds(2)));
    }

    #[test]
    fn a_second_batch_waits_behind_the_first() {
        let (mut w, who) = world();
        w.pace(PHONE, order_update(who, 100)).unwrap();
        let mut later = order_update(who, 1);
        later[0].tag = "later".into();
        w.pace(PHONE, later).unwrap();
        assert_eq!(w.drain_paced().len(), 80);
        assert_eq!(w.pacing.waiting_for(PHONE), 21);
        w.clock.advance(Duration::seconds(1)).unwrap();
        w.catch_up();
        let tags: Vec<String> = w.drain_paced().into_iter().map(|o| o.tag).collect();
        assert_eq!(tags.last().map(String::as_str), Some("later"));
        assert_eq!(tags.len(), 21);
    }

    #[test]
    fn a_send_whose_turn_finds_the_template_paused_fails_alone() {
        let (mut w, who) = world();
        w.pace(PHONE, order_update(who, 81)).unwrap();
        w.drain_paced();
        let t = w
            .templates
            .values_mut()
            .find(|t| t.name == "order_update" && &*t.language == "en_US")
            .unwrap();
        t.status = crate::world::vocab::TemplateStatus::Paused;
        w.clock.advance(Duration::seconds(1)).unwrap();
        w.catch_up();
        let out = w.drain_paced();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].sent, Err(DomainError::TemplatePaused));
        assert_eq!(w.pacing.waiting(), 0);
    }

    #[test]
    fn a_batch_past_the_bound_is_refused_whole() {
        let (mut w, who) = world();
        w.settings.paced_sends_max = 100;
        // 80 at once and 100 waiting: exactly the bound.
        w.pace(PHONE, order_update(who, 180)).unwrap();
        assert_eq!(w.pacing.waiting(), 100);
        w.drain_paced();
        let e = w.pace(PHONE, order_update(who, 1)).unwrap_err();
        assert_eq!(e, DomainError::PacedQueueFull { max: 100 });
        assert!(w.drain_paced().is_empty());
        assert_eq!(w.pacing.waiting(), 100);
    }

    #[test]
    fn the_queue_is_saved_with_the_world() {
        let (mut w, who) = world();
        w.pace(PHONE, order_update(who, 90)).unwrap();
        let saved = serde_json::to_string(&w).unwrap();
        let mut back: World = serde_json::from_str(&saved).unwrap();
        assert_eq!(back.pacing.waiting_for(PHONE), 10);
        back.clock.advance(Duration::seconds(1)).unwrap();
        back.catch_up();
        assert_eq!(back.drain_paced().len(), 10);
    }
}
