//! Graph as a facade of the server: the [`Facade`] and [`PreparedCall`] implementations that
//! plug the functions of this folder into the one facade list.

use http::{HeaderMap, Method, StatusCode, Uri};

use super::{Op, Prepared};
use crate::api::facade::{self, Classified, Facade, FacadeId, Served};
use crate::api::params::Params;
use crate::api::unmatched::Explanation;
use crate::api::{Answer, Incoming};
use crate::faults::{PreparedCall, Throttle};
use crate::namespace::Namespace;
use crate::world::DomainError;

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

    fn serve<'a>(
        &'a self,
        ns: &'a Namespace,
        req: &'a Incoming,
        classified: Classified<'a>,
    ) -> Served<'a> {
        // Read without a future unless the body is multipart.
        match Params::from_request_now(req) {
            Some(params) => facade::run(ns, super::prepare_with(ns, req, params), classified),
            None => facade::run_later(ns, super::prepare(ns, req), classified),
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

impl PreparedCall for Prepared {
    fn facade(&self) -> &'static str {
        "graph"
    }

    fn operation(&self) -> &'static str {
        self.op.name()
    }

    fn targets(&self) -> &[String] {
        &self.targets
    }

    fn execute(&self, ns: &Namespace) -> Answer {
        super::execute(ns, self)
    }

    fn render_error(&self, ns: &Namespace, e: &DomainError, status: Option<u16>) -> Answer {
        let mut a = super::render_error(ns, self, e);
        if let Some(s) = status.and_then(|s| StatusCode::from_u16(s).ok()) {
            a.status = s;
        }
        a
    }

    fn render_throttle(&self, ns: &Namespace, t: &Throttle) -> Answer {
        super::render_throttle(ns, self, t)
    }
}
