//! Alibaba ChatApp's state in the world (moto's "models"): the spaces (`CustSpaceId`) bound to
//! WABAs, the AccessKeys that act as partners, and what a template call wrote that Meta's
//! template has no field for. It is this facade's [`Binding`], found in a world by its type;
//! the world itself knows no vendor. Everything else cams does goes through the same world
//! rules Graph uses, acting as the partner the AccessKey belongs to.

use crate::world::bindings::Binding;
use crate::world::{DomainError, HashMap, Id, PartnerIdx, Principal, World};

/// Alibaba ChatApp's view of the world: spaces bound to WABAs and access keys.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct CamsBinding {
    /// `CustSpaceId` -> the WABA it is bound to.
    pub spaces: HashMap<String, CamsSpace>,
    /// Access key id -> key.
    pub access_keys: HashMap<String, AccessKey>,
    /// What a `CreateChatappTemplate` call gave that Meta's template has no field for, by
    /// template id, so that `GetChatappTemplateDetail` returns what was written.
    pub template_inputs: HashMap<Id, TemplateInput>,
    /// The HTTP status of business failures, from the fixture (`cams.business_error_status`;
    /// `None`: the default, 400).
    pub business_error_status: Option<u16>,
    /// ChatApp's receipt callbacks set on one number (UpdatePhoneWebhook), by phone-number id;
    /// they win over the space's (UpdateAccountWebhook, or the fixture).
    pub phone_webhooks: HashMap<Id, PhoneWebhook>,
    /// What SendChatappMessage was asked for, by wamid, so that its receipts name it as the
    /// caller did (`send.rs`, `callbacks.rs`).
    #[serde(default)]
    pub sent: SentMessages,
    /// SendChatappMassMessage batches with recipients still to be sent or refused, by
    /// `GroupMessageId` (`mass.rs`): what their receipts say of each. Saved, as the world
    /// saves the recipients waiting for their turn.
    #[serde(default)]
    pub batches: HashMap<String, MassBatch>,
}

/// A mass send whose recipients' outcomes are not all in yet.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MassBatch {
    /// What every recipient's receipts say of the send.
    pub sent: SentMessage,
    /// How many recipients have no outcome yet.
    pub waiting: usize,
}

/// The messages SendChatappMessage sent, newest last, at most the world's `messages_kept`
/// (the world forgets a message's later statuses past that bound too).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct SentMessages {
    by_wamid: HashMap<String, SentMessage>,
    order: std::collections::VecDeque<String>,
}

/// One SendChatappMessage call as its receipts tell it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SentMessage {
    /// `TaskId` as given (receipts default it to the MessageId).
    pub task_id: Option<String>,
    /// `MessageType` upper-cased (`TEXT`, `IMAGE`), or `TEMPLATE`.
    pub kind: String,
    /// `(TemplateCode, TemplateName, Language)` of a template send.
    pub template: Option<(String, String, String)>,
}

impl SentMessages {
    pub fn get(&self, wamid: &str) -> Option<&SentMessage> {
        self.by_wamid.get(wamid)
    }

    pub fn keep(&mut self, wamid: String, m: SentMessage, bound: usize) {
        self.order.push_back(wamid.clone());
        self.by_wamid.insert(wamid, m);
        while self.order.len() > bound {
            if let Some(old) = self.order.pop_front() {
                self.by_wamid.remove(&old);
            }
        }
    }
}

/// Where ChatApp sends one number's receipts: its own callbacks, not Meta's webhook
/// override (ChatApp keeps Meta's webhooks and forwards receipts to its customers).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PhoneWebhook {
    pub status_callback_url: Option<String>,
    pub up_callback_url: Option<String>,
}

impl Binding for CamsBinding {
    const FACADE: &'static str = "cams";
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct CamsSpace {
    pub waba: Id,
    pub status_callback_url: Option<String>,
    pub up_callback_url: Option<String>,
    pub status_queue: Option<String>,
    pub up_queue: Option<String>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct AccessKey {
    pub secret: String,
    /// The partner (Alibaba) account the key belongs to.
    pub partner: PartnerIdx,
}

/// What a `CreateChatappTemplate` caller wrote that Meta's template has no field for. The
/// world keeps it so that `GetChatappTemplateDetail` returns what was written; nothing else
/// reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TemplateInput {
    /// `Example`: variable name -> sample value, by name.
    pub example: Vec<(String, String)>,
    /// Component and button attributes Meta's components have no key for (`UrlType`,
    /// `IsOptOut`, `Caption`, ...).
    pub attributes: Vec<KeptAttribute>,
}

/// One attribute of a component or button, as written.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeptAttribute {
    /// Where: a JSON pointer into the components array (`/2/Buttons/0`).
    pub at: String,
    /// Alibaba's key (`IsOptOut`).
    pub key: String,
    /// The value as JSON text (`true`, `"dynamic"`).
    pub value: String,
}

/// ChatApp's state in `w` (empty when nothing was bound yet).
pub fn of(w: &World) -> &CamsBinding {
    static EMPTY: std::sync::LazyLock<CamsBinding> = std::sync::LazyLock::new(Default::default);
    w.binding::<CamsBinding>().unwrap_or(&EMPTY)
}

/// ChatApp's state in `w`, to change.
pub fn of_mut(w: &mut World) -> &mut CamsBinding {
    w.binding_mut::<CamsBinding>()
}

/// The space ids bound to WABAs a partner manages, sorted.
pub fn spaces_of(w: &World, partner: PartnerIdx) -> Vec<&str> {
    let mut ids: Vec<&str> = of(w)
        .spaces
        .iter()
        .filter(|(_, s)| {
            w.wabas
                .get(&s.waba)
                .is_some_and(|waba| waba.partner == Some(partner))
        })
        .map(|(id, _)| id.as_str())
        .collect();
    ids.sort_unstable();
    ids
}

/// Binds a WABA the caller manages to a ChatApp space (ChatappBindWaba, after embedded
/// signup shared the WABA with the partner). A WABA already bound keeps its space.
pub fn bind_space(w: &mut World, who: &Principal, waba: &str) -> Result<String, DomainError> {
    let waba = w.waba_to_change(who, waba)?.id;
    let mut bound: Vec<&String> = of(w)
        .spaces
        .iter()
        .filter(|(_, s)| s.waba == waba)
        .map(|(id, _)| id)
        .collect();
    bound.sort_unstable();
    if let Some(id) = bound.first() {
        return Ok((*id).clone());
    }
    let id = loop {
        let candidate = format!("cams-{}", w.next_hex(10));
        if !of(w).spaces.contains_key(&candidate) {
            break candidate;
        }
    };
    of_mut(w).spaces.insert(
        id.clone(),
        CamsSpace {
            waba,
            ..CamsSpace::default()
        },
    );
    Ok(id)
}

/// ChatApp's view for the control API's state and the dashboard: each space with its WABA and
/// the numbers on it, and the AccessKeys (ids and partners; their secrets stay out). `None`
/// when nothing was bound.
pub fn state_view(w: &World) -> Option<serde_json::Value> {
    use serde_json::json;
    let binding = w.binding::<CamsBinding>()?;
    let mut spaces: Vec<_> = binding.spaces.iter().collect();
    spaces.sort_by(|a, b| a.0.cmp(b.0));
    let mut keys: Vec<_> = binding.access_keys.iter().collect();
    keys.sort_by(|a, b| a.0.cmp(b.0));
    let numbers = |waba: Id| -> Vec<serde_json::Value> {
        let Some(waba) = w.wabas.get(&waba) else {
            return Vec::new();
        };
        waba.phones
            .iter()
            .filter_map(|id| w.phones.get(id))
            .map(|p| {
                json!({
                    "phone_number": p.e164_digits(),
                    "phone_number_id": p.id.to_string(),
                    "status": p.status.as_str(),
                    "quality_rating": p.quality.as_str(),
                    "verified_name": p.verified_name,
                })
            })
            .collect()
    };
    Some(json!({
        "spaces": spaces.iter().map(|(id, s)| json!({
            "cust_space_id": id,
            "waba_id": s.waba.to_string(),
            "status_callback_url": s.status_callback_url,
            "up_callback_url": s.up_callback_url,
            "numbers": numbers(s.waba),
        })).collect::<Vec<_>>(),
        "access_keys": keys.iter().map(|(id, k)| json!({
            "access_key_id": id,
            "partner": w.partner(k.partner).key,
        })).collect::<Vec<_>>(),
    }))
}
