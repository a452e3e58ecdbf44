//! 360dialog as a facade of the server: the [`Facade`] and [`PreparedCall`] implementations
//! that plug this folder into the one facade list.
//!
//! [`PreparedCall`]: crate::faults::PreparedCall

use http::{HeaderMap, Method, StatusCode, Uri};

use super::Op;
use crate::api::Answer;
use crate::api::facade::{
    self, Facade, FacadeId, Served, Serving, TargetNamespace, folder_prepared_call,
};
use crate::fixture::Section;

/// 360dialog: the Partner API (`/api/v2`) and the Messaging API's configuration endpoints.
pub struct D360;

/// Credentials the journal shows as `[redacted]`: partner and channel keys, token
/// credentials and tokens.
const SECRETS: &[&str] = &[
    "x-api-key",
    "d360-api-key",
    "password",
    "access_token",
    "refresh_token",
    "api_key",
];

impl Facade for D360 {
    fn id(&self) -> FacadeId {
        "d360"
    }

    /// `/api/v2/…`, `/client-hub/…`, a `D360-API-KEY` header, or a Messaging API path.
    fn claims(&self, uri: &Uri, headers: &HeaderMap) -> bool {
        super::is_d360_request(uri.path(), headers)
    }

    fn operations(&self) -> &'static [&'static str] {
        Op::NAMES
    }

    fn secret_params(&self) -> &'static [&'static str] {
        SECRETS
    }

    /// The media proxy's download URL's `ns` (Graph's URL shape, `media_url.rs`).
    fn namespace_in_target(&self, method: &Method, uri: &Uri) -> Option<TargetNamespace> {
        crate::api::graph::media_url::target_namespace("d360", method, uri)
    }

    /// The Messaging API's `POST /media`.
    fn is_upload(&self, method: &http::Method, path: &str) -> bool {
        *method == http::Method::POST && path.trim_end_matches('/') == "/media"
    }

    fn serve<'a>(&'a self, call: Serving<'a>) -> Served<'a> {
        facade::run(call, super::prepare(call.ns, call.req))
    }

    fn early_error(&self, status: StatusCode, text: &str) -> Answer {
        super::early_error(status.as_u16(), text)
    }

    fn internal_error(&self) -> Answer {
        super::internal_error()
    }

    fn fixture_section(&self) -> Option<&'static dyn Section> {
        Some(&super::fixture::D360Section)
    }

    fn binding_codec(&self) -> Option<crate::api::facade::BindingCodec> {
        Some(crate::api::facade::BindingCodec::of::<
            super::model::D360Binding,
        >())
    }

    /// Partner webhooks' events (§1.7) and the header they are signed in.
    fn webhook_names(&self) -> &'static [&'static str] {
        &[
            "client_created",
            "channel_created",
            "channel_ready",
            "channel_live",
            super::partner::SIGNATURE_HEADER,
        ]
    }

    /// Channels appear and partners are told the moment Graph, an admin change or the clock
    /// changes a number (`announce.rs`).
    fn follow_numbers(
        &self,
        world: &mut crate::world::World,
        events: &[crate::world::WorldEvent],
        changes: &[crate::world::NumberChange],
    ) -> Vec<crate::webhooks::payload::Outgoing> {
        super::announce::follow(world, events, changes)
    }

    /// A channel's `messages` webhooks, forwarded to its Messaging API webhook (`forward.rs`).
    fn address_events(
        &self,
        world: &crate::world::World,
        events: &[crate::world::WorldEvent],
    ) -> Vec<crate::webhooks::payload::Outgoing> {
        super::forward::address(world, events)
    }

    /// Partners, clients and channels with their derived status, for the dashboard.
    fn state_view(&self, world: &crate::world::World) -> Option<serde_json::Value> {
        super::model::state_view(world)
    }
}

folder_prepared_call!("d360");
