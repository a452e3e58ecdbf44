//! Alibaba ChatApp as a facade of the server: the [`Facade`] and [`PreparedCall`]
//! implementations that plug the functions of this folder into the one facade list.

use http::{HeaderMap, StatusCode, Uri};

use super::{Op, Prepared};
use crate::api::facade::{Facade, FacadeId, Prepare};
use crate::api::{Answer, Incoming};
use crate::faults::{PreparedCall, Throttle};
use crate::namespace::Namespace;
use crate::world::DomainError;

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

    fn prepare<'a>(&'a self, ns: &'a Namespace, req: &'a Incoming) -> Prepare<'a> {
        Box::pin(async move {
            super::prepare(ns, req)
                .await
                .map(|p| Box::new(p) as Box<dyn PreparedCall>)
        })
    }

    fn early_error(&self, status: StatusCode, text: &str) -> Answer {
        super::early_error(status.as_u16(), text)
    }

    fn internal_error(&self) -> Answer {
        super::internal_error()
    }
}

impl PreparedCall for Prepared {
    fn facade(&self) -> &'static str {
        "cams"
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

    /// Alibaba's shape depends on the status (§6.1 envelope or a result), so the status is
    /// applied by the renderer.
    fn render_error(&self, ns: &Namespace, e: &DomainError, status: Option<u16>) -> Answer {
        super::render_error(ns, self, e, status)
    }

    fn render_throttle(&self, ns: &Namespace, t: &Throttle) -> Answer {
        super::render_throttle(ns, self, t)
    }
}
