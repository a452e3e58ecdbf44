//! Graph as a facade of the server: the [`Facade`] and [`PreparedCall`] implementations that
//! plug the functions of this folder into the one facade list.
//!
//! [`PreparedCall`]: crate::faults::PreparedCall

use http::{HeaderMap, Method, StatusCode, Uri};

use super::Op;
use crate::api::Answer;
use crate::api::facade::{
    self, Facade, FacadeId, Served, Serving, TargetNamespace, folder_prepared_call,
};
use crate::api::params::Params;
use crate::api::unmatched::Explanation;

/// Meta's Graph API.
pub struct Graph;

/// Graph's secrets, as the journal redacts them: tokens, two-step PINs, the register call's
/// backup password, app secrets and proofs.
const SECRETS: &[&str] = &[
    "access_token",
    "pin",
    "password",
    "client_secret",
    "app_secret",
    "appsecret_proof",
];

impl Facade for Graph {
    fn id(&self) -> FacadeId {
        "graph"
    }

    /// Graph is last in the list and takes whatever no other facade claimed.
    fn claims(&self, _uri: &Uri, _headers: &HeaderMap) -> bool {
        true
    }

    fn operations(&self) -> &'static [&'static str] {
        Op::NAMES
    }

    fn secret_params(&self) -> &'static [&'static str] {
        SECRETS
    }

    /// A download URL's `ns` (`media_url.rs`): Graph's own, and ChatApp's presigned URLs,
    /// which a client fetches with no credentials at all.
    fn namespace_in_target(&self, method: &Method, uri: &Uri) -> Option<TargetNamespace> {
        super::media_url::target_namespace("graph", method, uri)
    }

    /// `POST /[vNN.N/]{phone_number_id}/media`.
    fn is_upload(&self, method: &Method, path: &str) -> bool {
        *method == Method::POST && path.trim_end_matches('/').ends_with("/media")
    }

    fn serve<'a>(&'a self, call: Serving<'a>) -> Served<'a> {
        // Read without a future unless the body is multipart.
        let (ns, req) = (call.ns, call.req);
        match Params::from_request_now(req) {
            Some(params) => facade::run(call, super::prepare_with(ns, req, params)),
            None => facade::run_later(call, super::prepare(ns, req)),
        }
    }

    fn early_error(&self, status: StatusCode, text: &str) -> Answer {
        super::early_error(status.as_u16(), text)
    }

    fn internal_error(&self) -> Answer {
        super::internal_error()
    }

    fn explain_unmatched(&self, method: &Method, path: &str) -> Option<Explanation> {
        super::op::explain_unmatched(method, path)
    }
}

folder_prepared_call!("graph");
