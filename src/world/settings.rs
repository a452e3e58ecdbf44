//! World settings: the knobs for behaviour the references leave open ([INF] rows) or that a
//! test wants to change. Every default is chosen here, once, and documented in docs/fidelity.md.

use super::vocab::Quality;
use crate::clock::Duration;

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Settings {
    /// Whether a migrated number keeps its phone-number id on the destination. Meta does not
    /// say (reference meta-graph.md §2.3, [INF]); the node is a WABA-to-number relationship,
    /// so by default the destination gets a new id and the source record stays, MIGRATED.
    pub migration_keeps_phone_id: bool,
    /// How long an issued verification code can be used ("typically 10 minutes", OAS, [INF]).
    pub code_ttl: Duration,
    /// At most this many `request_code` calls per number in `code_request_window`; one more
    /// answers 136024 ([INF]: Meta documents the error, not the limit).
    pub max_code_requests: u32,
    pub code_request_window: Duration,
    /// How long a verified ownership stays valid (14 days, reference alibaba-cams.md §7.1).
    pub verification_validity: Duration,
    /// Register/deregister calls allowed per number in `registration_window` before 133016,
    /// and how long the number is then blocked (10 in 72 h, 72 h block; meta-graph.md §3.4).
    pub max_registrations: u32,
    pub registration_window: Duration,
    pub registration_block: Duration,
    /// Wrong two-step PINs allowed per number in `pin_attempt_window`; once that many were
    /// guessed wrong, register answers 133008 until `pin_lock` has passed ([INF]: Meta
    /// documents the error and that its `details` carry the retry time, not the numbers).
    pub max_pin_attempts: u32,
    pub pin_attempt_window: Duration,
    pub pin_lock: Duration,
    /// How long after a migrated number registers its templates are duplicated (0: at once).
    /// Meta says duplication is asynchronous and "takes time" (reference meta-graph.md §2,
    /// §5 [OFF ESMIG]) without a figure, so the default keeps it instant.
    pub duplication_delay: Duration,
    /// Copies made by a migration keep quality UNKNOWN this long (24 h, seed 002).
    pub rerate_after: Duration,
    /// What a copy is re-rated to when neither its source template nor the fixture says.
    pub rerate_default: Quality,
    /// Template limits (meta-graph.md §4.4).
    pub template_limit_default: u32,
    pub template_limit_verified: u32,
    /// How long a newly created template stays PENDING before it is approved; `None` keeps
    /// it PENDING until a scripted event or the control API changes it.
    pub template_review_delay: Option<Duration>,
    /// The Business-Use-Case call budget per WABA per hour reported in
    /// `X-Business-Use-Case-Usage` (200/h, [3P] in meta-graph.md §8). Not enforced.
    pub buc_calls_per_hour: u32,
    /// How many sent codes `/__admin/codes` remembers.
    pub codes_kept: usize,
    /// How long an online user's phone takes to receive a message ([INF]: Meta gives no
    /// figure; 1 s keeps `sent` and `delivered` apart on the world clock).
    pub delivery_delay: Duration,
    /// How long after delivery a reading user reads it; `None`: nobody reads ([INF]).
    pub read_delay: Option<Duration>,
    /// Sends per number per second before 130429 (80, reference messaging-and-360dialog.md,
    /// "Limits").
    pub throughput_per_second: u32,
    /// The pair rate limit: one message per `pair_interval` to the same user, bursts of
    /// `pair_burst` (6 s and 45, same row), else 131056.
    pub pair_interval: Duration,
    pub pair_burst: u32,
    /// How many (number, user) pair budgets are kept before idle ones are dropped.
    pub pairs_kept: usize,
    /// How many messages the world remembers for their later statuses (oldest dropped).
    pub messages_kept: usize,
    /// How many ledger charges `/__admin/billing` lists (totals keep every charge).
    pub charges_kept: usize,
    /// How many paced sends (`pacing.rs`: a ChatApp mass send's recipients past the number's
    /// throughput) may wait for their turn in the world at once; a mass send that would
    /// queue more is refused whole. 10,000: ten full `SenderList`s ([INF], docs/limits.md).
    #[serde(default = "default_paced_sends_max")]
    pub paced_sends_max: usize,
}

fn default_paced_sends_max() -> usize {
    10_000
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            migration_keeps_phone_id: false,
            code_ttl: Duration::minutes(10),
            max_code_requests: 5,
            code_request_window: Duration::hours(1),
            verification_validity: Duration::days(14),
            max_registrations: 10,
            registration_window: Duration::hours(72),
            registration_block: Duration::hours(72),
            max_pin_attempts: 5,
            pin_attempt_window: Duration::hours(1),
            pin_lock: Duration::hours(1),
            duplication_delay: Duration(0),
            rerate_after: Duration::hours(24),
            rerate_default: Quality::Green,
            template_limit_default: 250,
            template_limit_verified: 6000,
            template_review_delay: Some(Duration::minutes(1)),
            buc_calls_per_hour: 200,
            codes_kept: 1000,
            delivery_delay: Duration::seconds(1),
            read_delay: Some(Duration::seconds(5)),
            throughput_per_second: 80,
            pair_interval: Duration::seconds(6),
            pair_burst: 45,
            pairs_kept: 100_000,
            messages_kept: 100_000,
            charges_kept: 10_000,
            paced_sends_max: default_paced_sends_max(),
        }
    }
}
