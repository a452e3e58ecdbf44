//! The `d360:` section of a fixture: which world partner is 360dialog at Meta, 360dialog's
//! partners (`…PA`, with their Partner API keys and token credentials), clients (`…CL`),
//! WABA accounts (`…WA`, bound to world WABAs), channels (`…CH`, numbers on them, with
//! their Messaging API keys) and the facade's settings. Registered by [`super::D360`]; the
//! fixture keeps it as written until the build hands it here, after WABAs and numbers exist.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::model::{self, ApiKey, Channel, D360Client, D360Partner, Plan, WabaAccount};
use crate::clock::Duration;
use crate::fixture::section::{Section, error_path};
use crate::fixture::{BuildError, IdText, id_of, partner_ref};
use crate::world::World;
use crate::world::phone::digits_only;

const KEY: &str = "d360";

const DESCRIPTION: &str = "360dialog: partners, clients, WABA accounts, channels and keys.";

/// The two-step PIN a channel's number gets when the fixture gives it none: 360dialog turns
/// two-step verification on for its numbers (clients-and-360dialog.md §2.3); the PIN itself
/// is [INF].
pub const DEFAULT_PIN: &str = "360360";

/// The `d360:` section, registered by [`super::D360`].
pub struct D360Section;

impl Section for D360Section {
    fn key(&self) -> &'static str {
        KEY
    }

    fn schema(&self, generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut schema = generator.subschema_for::<D360Spec>();
        schema.insert("description".into(), DESCRIPTION.into());
        schema
    }

    /// Read without tracking the path first: every namespace builds its world from the
    /// section, and the path's allocations showed in `tests/namespace_memory.rs`; only a
    /// section that fails is read again for the path of its error.
    fn build(&self, value: &Value, world: &mut World) -> Result<(), BuildError> {
        let spec = match D360Spec::deserialize(value) {
            Ok(spec) => spec,
            Err(_) => {
                let e = match serde_path_to_error::deserialize::<_, D360Spec>(value) {
                    Ok(spec) => return build(spec, world),
                    Err(e) => e,
                };
                return Err(BuildError {
                    path: error_path(KEY, &e.path().to_string()),
                    message: e.inner().to_string(),
                });
            }
        };
        build(spec, world)
    }

    /// Entries with the id of one of the base's replace it, others are added; `bsp` and
    /// `settings` of the overlay win.
    fn lay_over(&self, base: &mut Value, over: Value) {
        let (Value::Object(base), Value::Object(over)) = (base, over) else {
            return;
        };
        for (key, value) in over {
            match (key.as_str(), base.get_mut(&key), value) {
                (
                    "partners" | "clients" | "waba_accounts" | "channels",
                    Some(Value::Array(items)),
                    Value::Array(more),
                ) => crate::fixture::merge(items, more, |v| {
                    v.get("id").and_then(Value::as_str).map(str::to_string)
                }),
                ("sandbox_keys", Some(Value::Array(items)), Value::Array(more)) => {
                    crate::fixture::merge(items, more, |v| {
                        v.get("key").and_then(Value::as_str).map(str::to_string)
                    })
                }
                (_, _, v) => {
                    base.insert(key, v);
                }
            }
        }
    }
}

fn err(path: String, message: impl Into<String>) -> BuildError {
    BuildError {
        path,
        message: message.into(),
    }
}

fn suffixed(path: &str, id: &str, suffix: &str) -> Result<(), BuildError> {
    let ok = id.len() > suffix.len()
        && id.len() <= 64
        && id.ends_with(suffix)
        && id.bytes().all(|b| b.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(err(
            format!("{path}.id"),
            format!("{id:?}: a 360dialog id is letters and digits ending in {suffix}"),
        ))
    }
}

/// Takes the section by value: its strings move into the binding (every namespace builds it).
fn build(mut spec: D360Spec, world: &mut World) -> Result<(), BuildError> {
    let bsp = partner_ref(world, "d360.bsp", &spec.bsp)?;
    model::of_mut(world).bsp = Some(bsp);
    build_settings(&spec, world)?;
    build_sandbox_keys(&mut spec, world)?;
    let now = world.now();
    for (i, p) in std::mem::take(&mut spec.partners).into_iter().enumerate() {
        let path = format!("d360.partners[{i}]");
        suffixed(&path, &p.id, "PA")?;
        if model::of(world).partner(&p.id).is_some() {
            return Err(err(
                format!("{path}.id"),
                format!("duplicate partner {:?}", p.id),
            ));
        }
        let plan = Plan::parse(&p.plan)
            .ok_or_else(|| err(format!("{path}.plan"), "basic, regular or premium"))?;
        model::of_mut(world).partners.push(D360Partner {
            brand_name: p.brand_name.unwrap_or_else(|| p.id.clone()),
            id: p.id,
            username: p.username.unwrap_or_default(),
            password: p.password.unwrap_or_default(),
            api_keys: p.api_keys,
            webhook_url: p.webhook_url,
            webhook_secret: p.webhook_secret,
            partner_redirect_url: p.partner_redirect_url,
            auto_approve: p.auto_approve_partner_change,
            plan,
            payment_processor: p.payment_processor,
            balance: p.balance,
            currency: "eur".into(),
        });
    }
    for (i, c) in spec.clients.iter().enumerate() {
        let path = format!("d360.clients[{i}]");
        suffixed(&path, &c.id, "CL")?;
        let b = model::of(world);
        if b.client(&c.id).is_some() {
            return Err(err(
                format!("{path}.id"),
                format!("duplicate client {:?}", c.id),
            ));
        }
        if b.partner(&c.partner).is_none() {
            return Err(err(
                format!("{path}.partner"),
                format!("unknown partner {:?}", c.partner),
            ));
        }
        let business = id_of(&format!("{path}.business"), &c.business)?;
        if !world.businesses.contains_key(&business) {
            return Err(err(
                format!("{path}.business"),
                format!("unknown business {business}"),
            ));
        }
        // Known to their partner before anyone listens: no `client_created`.
        model::of_mut(world)
            .announced_clients
            .insert(c.id.clone(), c.partner.clone());
        model::of_mut(world).clients.push(D360Client {
            id: c.id.clone(),
            partner: c.partner.clone(),
            name: c.name.clone(),
            business,
            partner_payload: None,
            max_channels: None,
            created_at: now,
            modified_at: now,
        });
    }
    build_accounts(&spec, world)?;
    build_channels(&spec, world)
}

fn build_settings(spec: &D360Spec, world: &mut World) -> Result<(), BuildError> {
    let s = &spec.settings;
    let span = |name: &str, text: &Option<String>| -> Result<Option<Duration>, BuildError> {
        text.as_deref()
            .map(|t| Duration::parse(t).map_err(|e| err(format!("d360.settings.{name}"), e)))
            .transpose()
    };
    let token = span("token_lifetime", &s.token_lifetime)?;
    let change = span("partner_change_delay", &s.partner_change_delay)?;
    let settings = &mut model::of_mut(world).settings;
    if let Some(d) = token {
        settings.token_lifetime = d;
    }
    if let Some(d) = change {
        settings.partner_change_delay = d;
    }
    if let Some(n) = s.template_list_per_minute {
        settings.template_list_per_minute = n;
    }
    if let Some(n) = s.template_create_per_minute {
        settings.template_create_per_minute = n;
    }
    if let Some(b) = s.new_key_revokes_old {
        settings.new_key_revokes_old = b;
    }
    if let Some(n) = s.client_balance_per_30s {
        settings.client_balance_per_30s = n;
    }
    if let Some(n) = s.sandbox_message_cap {
        settings.sandbox_message_cap = n;
    }
    Ok(())
}

fn build_sandbox_keys(spec: &mut D360Spec, world: &mut World) -> Result<(), BuildError> {
    for (i, k) in std::mem::take(&mut spec.sandbox_keys)
        .into_iter()
        .enumerate()
    {
        let path = format!("d360.sandbox_keys[{i}]");
        if !k.key.ends_with(super::sandbox::SUFFIX) || k.key.len() > 128 {
            return Err(err(
                format!("{path}.key"),
                "a sandbox key ends in _sandbox (at most 128 characters)",
            ));
        }
        let b = model::of_mut(world);
        if b.sandbox_keys.iter().any(|x| x.key == k.key) {
            return Err(err(format!("{path}.key"), "duplicate sandbox key"));
        }
        let phone_number = digits_only(&k.phone_number)
            .ok_or_else(|| err(format!("{path}.phone_number"), "a phone number"))?;
        b.sandbox_keys.push(model::SandboxKey {
            key: k.key,
            phone_number,
            sent: 0,
            webhook: None,
        });
    }
    Ok(())
}

fn build_accounts(spec: &D360Spec, world: &mut World) -> Result<(), BuildError> {
    for (i, a) in spec.waba_accounts.iter().enumerate() {
        let path = format!("d360.waba_accounts[{i}]");
        suffixed(&path, &a.id, "WA")?;
        let b = model::of(world);
        if b.waba_account(&a.id).is_some() {
            return Err(err(
                format!("{path}.id"),
                format!("duplicate WABA account {:?}", a.id),
            ));
        }
        let Some(client) = b.client(&a.client) else {
            return Err(err(
                format!("{path}.client"),
                format!("unknown client {:?}", a.client),
            ));
        };
        let waba = id_of(&format!("{path}.waba"), &a.waba)?;
        let Some(w) = world.wabas.get(&waba) else {
            return Err(err(format!("{path}.waba"), format!("unknown WABA {waba}")));
        };
        if w.business != client.business {
            return Err(err(
                format!("{path}.waba"),
                format!(
                    "WABA {waba} belongs to another business than client {:?}",
                    a.client
                ),
            ));
        }
        if w.partner != model::of(world).bsp {
            return Err(err(
                format!("{path}.waba"),
                format!("WABA {waba} is not managed by d360.bsp ({})", spec.bsp),
            ));
        }
        model::of_mut(world).waba_accounts.push(WabaAccount {
            id: a.id.clone(),
            waba,
            client: a.client.clone(),
        });
    }
    Ok(())
}

fn build_channels(spec: &D360Spec, world: &mut World) -> Result<(), BuildError> {
    let now = world.now();
    for (i, c) in spec.channels.iter().enumerate() {
        let path = format!("d360.channels[{i}]");
        suffixed(&path, &c.id, "CH")?;
        let b = model::of(world);
        if b.channel(&c.id).is_some() {
            return Err(err(
                format!("{path}.id"),
                format!("duplicate channel {:?}", c.id),
            ));
        }
        let Some(account) = b.waba_account(&c.waba_account) else {
            return Err(err(
                format!("{path}.waba_account"),
                format!("unknown WABA account {:?}", c.waba_account),
            ));
        };
        let waba = account.waba;
        let digits = digits_only(&c.phone_number)
            .ok_or_else(|| err(format!("{path}.phone_number"), "digits with country code"))?;
        let Some(record) = world.live_record_on(&digits, waba).map(|p| p.id) else {
            return Err(err(
                format!("{path}.phone_number"),
                format!("no number {digits} on WABA {waba}"),
            ));
        };
        let mut keys = Vec::new();
        for (k, key) in c.api_keys.iter().enumerate() {
            if model::of(world).channel_by_key(key).is_some()
                || keys.iter().any(|x: &ApiKey| x.key == *key)
            {
                return Err(err(format!("{path}.api_keys[{k}]"), "duplicate API key"));
            }
            keys.push(ApiKey {
                id: format!("{}", 200_000 + model::of(world).channels.len() * 10 + k),
                key: key.clone(),
            });
        }
        let phone = world.phones.get_mut(&record).expect("found above");
        if phone.pin.is_none() {
            phone.pin = Some(DEFAULT_PIN.into());
        }
        let channel = Channel {
            id: c.id.clone(),
            waba_account: c.waba_account.clone(),
            digits,
            created_at: now,
            api_keys: keys,
        };
        // A fixture's channels exist before anyone listens: nothing to announce.
        let status = model::channel_status(world, &channel);
        let b = model::of_mut(world);
        b.announced.insert(channel.id.clone(), status);
        b.channels.push(channel);
    }
    Ok(())
}

/// The Partner API keys and channel keys a fixture names, for the scenario runner and docs.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct D360Spec {
    /// The world partner (`partners[].id`) that is 360dialog at Meta: it manages every
    /// WABA account's WABA.
    pub bsp: String,
    #[serde(default)]
    pub settings: SettingsSpec,
    #[serde(default)]
    pub partners: Vec<PartnerSpec>,
    #[serde(default)]
    pub clients: Vec<ClientSpec>,
    #[serde(default)]
    pub waba_accounts: Vec<WabaAccountSpec>,
    #[serde(default)]
    pub channels: Vec<ChannelSpec>,
    /// Sandbox keys (`D360-API-KEY`), each bound to the one number it may send to.
    #[serde(default)]
    pub sandbox_keys: Vec<SandboxKeySpec>,
}

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SandboxKeySpec {
    /// Ends in `_sandbox`.
    pub key: String,
    /// The number that asked for the key, with country code: the only recipient.
    pub phone_number: String,
}

#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsSpec {
    /// `expires_in` of a bearer (default `24h`).
    #[serde(default)]
    pub token_lifetime: Option<String>,
    /// From approval to completion of a partner change (default `5m`).
    #[serde(default)]
    pub partner_change_delay: Option<String>,
    /// Partner API template lists per minute (default 400).
    #[serde(default)]
    pub template_list_per_minute: Option<usize>,
    /// Partner API template creations per minute per WABA (default 60).
    #[serde(default)]
    pub template_create_per_minute: Option<usize>,
    /// Whether a new channel API key revokes the older ones (default true).
    #[serde(default)]
    pub new_key_revokes_old: Option<bool>,
    /// Client balance calls per 30 seconds per client (default 5).
    #[serde(default)]
    pub client_balance_per_30s: Option<usize>,
    /// Messages a sandbox key may send (default 200).
    #[serde(default)]
    pub sandbox_message_cap: Option<u32>,
}

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerSpec {
    /// Ends in `PA`.
    pub id: String,
    #[serde(default)]
    pub brand_name: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// Partner API keys (`X-API-Key`).
    #[serde(default)]
    pub api_keys: Vec<String>,
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// Signs partner webhooks (`x-360dialog-signature`).
    #[serde(default)]
    pub webhook_secret: Option<String>,
    #[serde(default)]
    pub partner_redirect_url: Option<String>,
    #[serde(default)]
    pub auto_approve_partner_change: bool,
    /// `basic`, `regular` (default) or `premium`.
    #[serde(default = "regular")]
    pub plan: String,
    #[serde(default = "stripe")]
    pub payment_processor: String,
    #[serde(default)]
    pub balance: f64,
}

fn regular() -> String {
    "regular".into()
}

fn stripe() -> String {
    "stripe".into()
}

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    /// Ends in `CL`.
    pub id: String,
    pub partner: String,
    pub name: String,
    pub business: IdText,
}

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WabaAccountSpec {
    /// Ends in `WA`.
    pub id: String,
    pub waba: IdText,
    pub client: String,
}

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelSpec {
    /// Ends in `CH`.
    pub id: String,
    pub waba_account: String,
    /// The number with country code (`+1 555 010 0010`).
    pub phone_number: String,
    /// Messaging API keys (`D360-API-KEY`).
    #[serde(default)]
    pub api_keys: Vec<String>,
}
