//! 360dialog's state in the world: its partners (`…PA`), clients (`…CL`), WABA accounts
//! (`…WA`, each bound to a world WABA), channels (`…CH`, each a number on such a WABA), the
//! keys and bearers that authenticate them, partner change requests and the Messaging API's
//! webhook settings. It is this facade's [`Binding`]; the world knows no vendor.
//!
//! At Meta, 360dialog is one Solution Partner (`bsp`, a world partner): its WABAs are
//! managed by it whichever 360dialog partner resells them, so a partner change moves nothing
//! at Meta (reference 360dialog-partner-and-migrations.md S4). What a channel *is* (its
//! status, hosting type, quality) is read from the world's phone-number record, never
//! stored: a number migrated into a 360dialog WABA over Graph becomes a channel the next
//! time the world changes it ([`catch_up`], `announce.rs`).

use crate::clock::{Duration, Timestamp};
use crate::world::bindings::Binding;
use crate::world::phone::Pending;
use crate::world::{HashMap, Id, PartnerIdx, Phone, World};

/// 360dialog's view of the world.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct D360Binding {
    /// The world partner that is 360dialog at Meta.
    pub bsp: Option<PartnerIdx>,
    pub partners: Vec<D360Partner>,
    pub clients: Vec<D360Client>,
    pub waba_accounts: Vec<WabaAccount>,
    pub channels: Vec<Channel>,
    /// Bearers from `POST /api/v2/token`: token -> partner id and expiry (world clock).
    pub bearers: HashMap<String, Bearer>,
    pub partner_changes: Vec<PartnerChange>,
    /// Messaging API `/v1/configs/webhook` and `/multi_webhook`, by channel id.
    pub number_webhooks: HashMap<String, NumberWebhooks>,
    /// Messaging API `/waba_webhook`, by WABA account id.
    pub waba_webhooks: HashMap<String, WebhookTarget>,
    /// The status each channel's partner was last told of (partner webhooks), by channel id.
    #[serde(with = "saved_status")]
    pub announced: HashMap<String, &'static str>,
    /// The partner each client was last told to (`client_created`), by client id.
    #[serde(default)]
    pub announced_clients: HashMap<String, String>,
    /// Recent calls per rate-limited bucket (reference §4.1), oldest first.
    pub calls: HashMap<String, Vec<Timestamp>>,
    pub settings: D360Settings,
    /// Sandbox keys (§4.2, `sandbox.rs`).
    #[serde(default)]
    pub sandbox_keys: Vec<SandboxKey>,
}

/// A sandbox key (§4.2): the one number it may send to, and how many it sent.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct SandboxKey {
    /// Ends in `_sandbox`.
    pub key: String,
    /// Digits with country code.
    pub phone_number: String,
    pub sent: u32,
    pub webhook: Option<WebhookTarget>,
}

impl Binding for D360Binding {
    const FACADE: &'static str = "d360";
}

/// The bounds and delays the fixture may change (`d360.settings`).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct D360Settings {
    /// Lifetime of a bearer from `POST /api/v2/token` (`expires_in`).
    pub token_lifetime: Duration,
    /// Time from approval to completion of a partner change ([INF] §1.3: "background
    /// process").
    pub partner_change_delay: Duration,
    /// Partner API template list calls per minute, all WABAs together (§4.1, SEEN TPL).
    pub template_list_per_minute: usize,
    /// Partner API template creations per minute per WABA (§4.1, SEEN TPL).
    pub template_create_per_minute: usize,
    /// Whether minting a channel API key revokes the channel's older keys (§5 #9 [INF]).
    pub new_key_revokes_old: bool,
    /// Client balance calls per 30 s per client (messaging-and-360dialog.md, SEEN D-USAGE).
    pub client_balance_per_30s: usize,
    /// Messages a sandbox key may send (§4.2, SEEN SBX: "max 200 messages").
    pub sandbox_message_cap: u32,
}

impl Default for D360Settings {
    fn default() -> Self {
        D360Settings {
            token_lifetime: Duration::hours(24),
            partner_change_delay: Duration::minutes(5),
            template_list_per_minute: 400,
            template_create_per_minute: 60,
            new_key_revokes_old: true,
            client_balance_per_30s: 5,
            sandbox_message_cap: 200,
        }
    }
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct D360Partner {
    /// `…PA`.
    pub id: String,
    pub brand_name: String,
    /// `POST /api/v2/token` credentials.
    pub username: String,
    pub password: String,
    /// Partner API keys (`X-API-Key`).
    pub api_keys: Vec<String>,
    pub webhook_url: Option<String>,
    /// The "platform secret" partner webhooks are signed with (§1.7).
    pub webhook_secret: Option<String>,
    pub partner_redirect_url: Option<String>,
    /// `settings/partner_change_request` `auto_approve`.
    pub auto_approve: bool,
    /// Plan rank (`basic` < `regular` < `premium`): a partner change to a lower plan is a
    /// downgrade, refused (§1.3, SEEN PC-C).
    pub plan: Plan,
    /// A change to a partner with another payment processor is refused (§1.3, SEEN PC-C).
    pub payment_processor: String,
    /// `GET /partners/{pid}/balance`.
    pub balance: f64,
    pub currency: String,
}

/// A partner's plan, in rank order.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum Plan {
    Basic,
    #[default]
    Regular,
    Premium,
}

impl Plan {
    pub fn parse(text: &str) -> Option<Plan> {
        match text {
            "basic" => Some(Plan::Basic),
            "regular" => Some(Plan::Regular),
            "premium" => Some(Plan::Premium),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Basic => "basic",
            Plan::Regular => "regular",
            Plan::Premium => "premium",
        }
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct D360Client {
    /// `…CL`.
    pub id: String,
    /// The partner (`…PA`) the client belongs to now.
    pub partner: String,
    pub name: String,
    /// The Meta business portfolio of the client.
    pub business: Id,
    /// `partner_payload` as JSON text, as the partner last wrote it.
    pub partner_payload: Option<String>,
    pub max_channels: Option<u32>,
    pub created_at: Timestamp,
    pub modified_at: Timestamp,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct WabaAccount {
    /// `…WA`.
    pub id: String,
    pub waba: Id,
    pub client: String,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Channel {
    /// `…CH`.
    pub id: String,
    pub waba_account: String,
    /// The number's digits with country code.
    pub digits: String,
    pub created_at: Timestamp,
    pub api_keys: Vec<ApiKey>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ApiKey {
    pub id: String,
    pub key: String,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Bearer {
    pub partner: String,
    pub expires_at: Timestamp,
}

/// A partner change request (§1.3).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PartnerChange {
    pub id: String,
    pub client: String,
    pub source_partner: String,
    pub target_partner: String,
    pub channel_ids: Vec<String>,
    /// A partial change (`is_full_migration: false`, §1.3): the one WABA account that moves,
    /// and the clone of the client created for it under the target partner (§2 S5 [INF]).
    pub partial: Option<PartialMove>,
    pub created_at: Timestamp,
    pub approved_at: Option<Timestamp>,
    pub done: bool,
}

impl PartnerChange {
    /// `created` until approved, `pending` while the move runs, then `completed` ([INF]
    /// state machine, §1.3). `failed` is part of the vocabulary; nothing here fails a
    /// request once approved.
    pub fn status(&self) -> &'static str {
        match (self.approved_at, self.done) {
            (_, true) => "completed",
            (Some(_), false) => "pending",
            (None, _) => "created",
        }
    }

    pub fn updated_at(&self) -> Timestamp {
        self.approved_at.unwrap_or(self.created_at)
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PartialMove {
    pub waba_account: String,
    pub target_client: String,
}

/// Where the Messaging API sends one number's (or WABA's) events.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct WebhookTarget {
    pub url: String,
    /// The `headers` object as JSON text.
    pub headers: Option<String>,
}

impl WebhookTarget {
    /// The `headers` as sent with each delivery (`messaging::read_target` let only string
    /// values of valid header names and values in).
    pub fn header_pairs(&self) -> Vec<(String, String)> {
        let Some(text) = &self.headers else {
            return Vec::new();
        };
        serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(k, v)| Some((k, v.as_str()?.to_string())))
            .collect()
    }
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct NumberWebhooks {
    pub main: Option<WebhookTarget>,
    pub multi_enabled: bool,
    /// `(name, target)`, at most [`MAX_DESTINATIONS`].
    pub destinations: Vec<(String, WebhookTarget)>,
}

/// Destinations of `/multi_webhook` per number (§3, SEEN M-WH).
pub const MAX_DESTINATIONS: usize = 3;

/// 360dialog's state in `w` (empty when nothing was bound yet).
pub fn of(w: &World) -> &D360Binding {
    static EMPTY: std::sync::LazyLock<D360Binding> = std::sync::LazyLock::new(Default::default);
    w.binding::<D360Binding>().unwrap_or(&EMPTY)
}

/// 360dialog's state in `w`, to change.
pub fn of_mut(w: &mut World) -> &mut D360Binding {
    w.binding_mut::<D360Binding>()
}

impl D360Binding {
    pub fn partner(&self, id: &str) -> Option<&D360Partner> {
        self.partners.iter().find(|p| p.id == id)
    }

    pub fn client(&self, id: &str) -> Option<&D360Client> {
        self.clients.iter().find(|c| c.id == id)
    }

    pub fn waba_account(&self, id: &str) -> Option<&WabaAccount> {
        self.waba_accounts.iter().find(|a| a.id == id)
    }

    pub fn channel(&self, id: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.id == id)
    }

    /// The partner a channel belongs to now (through its WABA account's client).
    pub fn partner_of_channel(&self, ch: &Channel) -> Option<&str> {
        let account = self.waba_account(&ch.waba_account)?;
        self.client(&account.client).map(|c| c.partner.as_str())
    }

    /// The channel a Messaging API key opens.
    pub fn channel_by_key(&self, key: &str) -> Option<&Channel> {
        self.channels
            .iter()
            .find(|c| c.api_keys.iter().any(|k| k.key == key))
    }

    /// A fresh id of the form 360dialog uses: six random characters and the kind's suffix.
    pub fn fresh_id(w: &mut World, suffix: &str) -> String {
        loop {
            let id = format!("{}{suffix}", w.next_hex(6));
            let b = of(w);
            let taken = b.partners.iter().any(|p| p.id == id)
                || b.clients.iter().any(|c| c.id == id)
                || b.waba_accounts.iter().any(|a| a.id == id)
                || b.channels.iter().any(|c| c.id == id)
                || b.partner_changes.iter().any(|p| p.id == id);
            if !taken {
                return id;
            }
        }
    }
}

/// The world record a channel stands for: the number's record on its WABA that is live, or
/// the last one (MIGRATED, DELETED) when the number left.
pub fn record<'w>(w: &'w World, ch: &Channel) -> Option<&'w Phone> {
    let waba = of(w).waba_account(&ch.waba_account)?.waba;
    w.live_record_on(&ch.digits, waba).or_else(|| {
        w.records_of(&ch.digits)
            .iter()
            .rev()
            .filter_map(|id| w.phones.get(id))
            .find(|p| p.waba == waba)
    })
}

/// A channel's `status`, derived from its world record (§1.5; the mapping is [INF], made
/// here only): a number migrating in is `ready_for_migration`, then
/// `migration_code_requested` once a code was sent, `ready` once its ownership is verified
/// ("ready to be registered", the `channel_ready` event), and `live` once registered; a
/// number that left the WABA is `terminated`. A number neither registered nor on its way
/// is `ready` with an approved name, else `unverified`; a newly added one is `created`.
/// Every status [`channel_status`] gives.
pub const CHANNEL_STATUSES: &[&str] = &[
    "terminated",
    "live",
    "ready",
    "migration_code_requested",
    "ready_for_migration",
    "created",
    "unverified",
];

/// `announced` as a `--state` file keeps it: the statuses as text, read back as the same
/// static texts (an unknown one is dropped, and its channel announced again).
mod saved_status {
    use super::{CHANNEL_STATUSES, HashMap};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(
        m: &HashMap<String, &'static str>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        m.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<HashMap<String, &'static str>, D::Error> {
        let m = HashMap::<String, String>::deserialize(d)?;
        Ok(m.into_iter()
            .filter_map(|(k, v)| CHANNEL_STATUSES.iter().find(|s| **s == v).map(|s| (k, *s)))
            .collect())
    }
}

pub fn channel_status(w: &World, ch: &Channel) -> &'static str {
    let Some(p) = record(w, ch) else {
        return "terminated";
    };
    if !p.is_live() {
        return "terminated";
    }
    if p.is_registered() {
        return "live";
    }
    let verified = p.code_status(w.now(), w.settings.verification_validity)
        == crate::world::CodeStatus::Verified;
    match p.pending {
        Some(_) if verified => "ready",
        Some(Pending::Migration(_)) if p.codes.current.is_some() => "migration_code_requested",
        Some(Pending::Migration(_)) => "ready_for_migration",
        Some(Pending::NewNumber) => "created",
        None if p.name_status == crate::world::vocab::NameStatus::Approved => "ready",
        None => "unverified",
    }
}

/// Brings 360dialog's view up to the world's: every number on a 360dialog WABA account that
/// has no channel yet gets one (a number migrated in over Graph, a number added there), and
/// partner changes whose time came complete. Runs when the world changes a number
/// (`announce::follow`) and before every call of this facade (a partner change completes
/// on the world clock, seen at the next call).
pub fn catch_up(w: &mut World) {
    let now = w.now();
    let mut missing: Vec<(String, String)> = Vec::new();
    {
        let b = of(w);
        for account in &b.waba_accounts {
            let Some(waba) = w.wabas.get(&account.waba) else {
                continue;
            };
            // Compared without making each number's digits: this runs at every number
            // change, over every number of every 360dialog WABA.
            for phone in waba.phones.iter().filter_map(|id| w.phones.get(id)) {
                let known = b
                    .channels
                    .iter()
                    .any(|c| c.waba_account == account.id && phone.has_digits(&c.digits));
                if phone.is_live()
                    && !known
                    && !missing
                        .iter()
                        .any(|(a, d)| *a == account.id && phone.has_digits(d))
                {
                    missing.push((account.id.clone(), phone.e164_digits()));
                }
            }
        }
    }
    for (waba_account, digits) in missing {
        let id = D360Binding::fresh_id(w, "CH");
        of_mut(w).channels.push(Channel {
            id,
            waba_account,
            digits,
            created_at: now,
            api_keys: Vec::new(),
        });
    }
    complete_partner_changes(w, now);
}

fn complete_partner_changes(w: &mut World, now: Timestamp) {
    // Looked for before writing: a world copied from a prototype shares 360dialog's state
    // until it changes it (`world/bindings.rs`), and this runs at every number change.
    let b = of(w);
    let delay = b.settings.partner_change_delay;
    let due: Vec<usize> = b
        .partner_changes
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.done && p.approved_at.is_some_and(|at| at + delay <= now))
        .map(|(i, _)| i)
        .collect();
    if due.is_empty() {
        return;
    }
    let b = of_mut(w);
    for i in due {
        let (client, target, partial) = {
            let p = &mut b.partner_changes[i];
            p.done = true;
            (
                p.client.clone(),
                p.target_partner.clone(),
                p.partial.clone(),
            )
        };
        let Some(source) = b.clients.iter_mut().find(|c| c.id == client) else {
            continue;
        };
        match partial {
            // A full migration: the client, and with it every WABA account and channel, moves.
            None => {
                source.partner = target;
                source.modified_at = now;
            }
            // One WABA account moves to a clone of the client under the target partner.
            Some(m) => {
                let clone = D360Client {
                    id: m.target_client.clone(),
                    partner: target,
                    partner_payload: None,
                    created_at: now,
                    modified_at: now,
                    ..source.clone()
                };
                b.clients.push(clone);
                if let Some(a) = b.waba_accounts.iter_mut().find(|a| a.id == m.waba_account) {
                    a.client = m.target_client;
                }
            }
        }
    }
}

/// Counts a call against a rate-limited bucket: `false` when `limit` calls were already
/// made in the last `window`.
pub fn admit_call(w: &mut World, bucket: &str, limit: usize, window: Duration) -> bool {
    let now = w.now();
    let calls = of_mut(w).calls.entry(bucket.to_string()).or_default();
    calls.retain(|at| *at + window > now);
    if calls.len() >= limit {
        return false;
    }
    calls.push(now);
    true
}

/// 360dialog's view for `GET /__admin/state` (`facades.d360`) and the dashboard: partners,
/// clients and channels with the status a partner reads; `None` when the world has none.
pub fn state_view(w: &World) -> Option<serde_json::Value> {
    let b = w.binding::<D360Binding>()?;
    if b.partners.is_empty() {
        return None;
    }
    let channels: Vec<serde_json::Value> = b
        .channels
        .iter()
        .map(|ch| {
            serde_json::json!({
                "id": ch.id,
                "waba_account": ch.waba_account,
                "phone_number": ch.digits,
                "status": channel_status(w, ch),
            })
        })
        .collect();
    Some(serde_json::json!({
        "partners": b.partners.iter().map(|p| serde_json::json!({"id": p.id, "brand_name": p.brand_name})).collect::<Vec<_>>(),
        "clients": b.clients.iter().map(|c| serde_json::json!({"id": c.id, "partner": c.partner, "name": c.name})).collect::<Vec<_>>(),
        "channels": channels,
    }))
}
