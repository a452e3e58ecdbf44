//! Alibaba ChatApp as a facade of the server: the [`Facade`] and [`PreparedCall`]
//! implementations that plug the functions of this folder into the one facade list.
//!
//! [`PreparedCall`]: crate::faults::PreparedCall

use http::{HeaderMap, StatusCode, Uri};

use super::Op;
use super::signature::V3Call;
use crate::api::Answer;
use crate::api::facade::{
    self, Facade, FacadeId, ScriptedCall, ScriptedRequest, Served, Serving, folder_prepared_call,
};
use crate::fixture::Section;

/// Alibaba Cloud ChatApp (`cams` 2020-06-06).
pub struct Cams;

/// The request signature and an AccessKey secret, as the journal redacts them.
const SECRETS: &[&str] = &["signature", "accesskeysecret"];

impl Facade for Cams {
    fn id(&self) -> FacadeId {
        "cams"
    }

    /// Alibaba's `x-acs-action`/`x-acs-version` headers, or the V2 `Action` and `Version`
    /// (or a V2 `Signature`) query parameters.
    fn claims(&self, uri: &Uri, headers: &HeaderMap) -> bool {
        super::is_cams_request(headers, uri.query())
    }

    fn operations(&self) -> &'static [&'static str] {
        Op::NAMES
    }

    fn secret_params(&self) -> &'static [&'static str] {
        SECRETS
    }

    fn serve<'a>(&'a self, call: Serving<'a>) -> Served<'a> {
        facade::run_ready_unless_multipart(call, super::prepare(call.ns, call.req))
    }

    fn early_error(&self, status: StatusCode, text: &str) -> Answer {
        super::early_error(status.as_u16(), text)
    }

    fn internal_error(&self) -> Answer {
        super::internal_error()
    }

    fn fixture_section(&self) -> Option<&'static dyn Section> {
        Some(&super::fixture::CamsSection)
    }

    fn binding_codec(&self) -> Option<crate::api::facade::BindingCodec> {
        Some(crate::api::facade::BindingCodec::of::<
            super::model::CamsBinding,
        >())
    }

    /// ChatApp's receipts (`callbacks.rs`), named as Alibaba names them.
    fn webhook_names(&self) -> &'static [&'static str] {
        &[
            super::callbacks::STATUS_FIELD,
            super::callbacks::INBOUND_FIELD,
        ]
    }

    /// A message's statuses and users' messages on a space's numbers, to the space's
    /// `StatusCallbackUrl` and `UpCallbackUrl` (`callbacks.rs`).
    fn address_events(
        &self,
        world: &crate::world::World,
        events: &[crate::world::WorldEvent],
    ) -> Vec<crate::webhooks::payload::Outgoing> {
        super::callbacks::address(world, events)
    }

    /// A mass send's recipients, sent or refused at their turn (`mass.rs`).
    fn follow_paced_sends(
        &self,
        world: &mut crate::world::World,
        outcomes: &[crate::world::pacing::PacedOutcome],
    ) -> Vec<crate::webhooks::payload::Outgoing> {
        super::mass::follow(world, outcomes)
    }

    fn state_view(&self, world: &crate::world::World) -> Option<serde_json::Value> {
        super::model::state_view(world)
    }

    /// Signed as SDK 5.x signs: ACS3-HMAC-SHA256 with the wall clock's date and a fresh
    /// nonce, every parameter in the query.
    fn scripted_request(&self, call: &ScriptedCall<'_>) -> Option<Result<ScriptedRequest, String>> {
        Some(signed_request(call))
    }

    /// What changes on every run of a signed call: its date, nonce and signature.
    fn shown_header(&self, name: &str, value: &str) -> Option<String> {
        match name {
            "x-acs-date" => Some("[signing time]".into()),
            "x-acs-signature-nonce" => Some("[nonce]".into()),
            "authorization" if value.starts_with("ACS3-") => value
                .rfind("Signature=")
                .map(|at| format!("{}Signature=[signature]", &value[..at])),
            _ => None,
        }
    }
}

fn signed_request(call: &ScriptedCall<'_>) -> Result<ScriptedRequest, String> {
    let keys = super::fixture::access_keys(call.fixture);
    let key = match call.access_key {
        Some(k) => k.to_string(),
        None => keys
            .first()
            .map(|(id, _)| id.clone())
            .ok_or("request.access_key: the fixture has no cams access key to sign with")?,
    };
    let secret = match call.secret {
        Some(s) => s.to_string(),
        None => keys
            .iter()
            .find(|(id, _)| *id == key)
            .map(|(_, secret)| secret.clone())
            .ok_or_else(|| {
                format!("request.access_key: the fixture has no access key {key:?}; give request.secret to sign with one")
            })?,
    };
    let pairs: Vec<(&str, &str)> = call
        .params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let extra: Vec<(&str, &str)> = call
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let date = crate::clock::wall_now().rfc3339();
    let nonce = next_nonce();
    let signed = V3Call {
        host: call.host,
        action: call.action,
        query: &pairs,
        body: b"",
        content_type: None,
        date: &date,
        nonce: &nonce,
        extra_headers: &extra,
    }
    .sign(&key, &secret);
    Ok(ScriptedRequest {
        method: "POST".into(),
        path: format!("/?{}", signed.raw_query),
        headers: signed.headers,
        body: Vec::new(),
    })
}

/// A signature nonce unique in this process: the wall-clock instant and a counter.
fn next_nonce() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEQ: AtomicU64 = AtomicU64::new(0);
    format!(
        "{:016x}{:016x}",
        crate::clock::wall_now().0,
        SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

folder_prepared_call!("cams");
