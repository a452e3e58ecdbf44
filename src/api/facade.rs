//! The one interface every vendor facade implements, and [`FACADES`], the one list of them.
//!
//! The server picks the first facade that [`claims`](Facade::claims) a request (Graph claims
//! everything, so it comes last); the facade [`prepare`](Facade::prepare)s it into a
//! [`PreparedCall`], which the namespace's faults may answer instead of, delay or alter
//! (`faults::answer`); the journal records it under the facade's [`id`](Facade::id) and
//! operation names, redacting its [`secret_params`](Facade::secret_params); `--strict` and the
//! journal's unmatched listing ask it to [`explain_unmatched`](Facade::explain_unmatched). The
//! fault validator, the journal filters, the admin OpenAPI document and the scenario runner all
//! read [`FACADES`]; none of them names a vendor. Adding a vendor is one folder under `api/`
//! and one line in [`FACADES`].
//!
//! The control API (`admin/`) is not a facade: it is chosen by its path prefix, is never
//! journaled and takes no faults.

use std::future::Future;
use std::pin::Pin;

use http::{HeaderMap, Method, StatusCode, Uri};

use super::unmatched::Explanation;
use super::{Answer, Incoming};
use crate::faults::PreparedCall;
use crate::fixture::Section;
use crate::namespace::Namespace;

/// A facade's id: what the journal records, `match.facade` in faults, and the key of its
/// fixture section and world bindings (`graph`, `cams`).
pub type FacadeId = &'static str;

/// What [`Facade::prepare`] returns: the call, or the answer when the request cannot be read.
pub type Prepare<'a> =
    Pin<Box<dyn Future<Output = Result<Box<dyn PreparedCall>, Answer>> + Send + 'a>>;

/// [`Facade::prepare`] for a facade whose own `prepare` yields its call type: the future
/// boxed, and its call boxed as a [`PreparedCall`].
pub fn boxed_prepare<'a, C: PreparedCall + 'static>(
    prepare: impl Future<Output = Result<C, Answer>> + Send + 'a,
) -> Prepare<'a> {
    Box::pin(async move { prepare.await.map(|c| Box::new(c) as Box<dyn PreparedCall>) })
}

/// The [`PreparedCall`] of a facade folder (`api/<id>/facade.rs`): the folder's `Prepared`,
/// which names its operation (`op`) and the ids it acts on (`targets`), answered by the
/// folder's own `execute`, `render_error` and `render_throttle`.
macro_rules! folder_prepared_call {
    ($id:expr) => {
        impl $crate::faults::PreparedCall for super::Prepared {
            fn facade(&self) -> &'static str {
                $id
            }

            fn operation(&self) -> &'static str {
                self.op.name()
            }

            fn targets(&self) -> &[String] {
                &self.targets
            }

            fn execute(&self, ns: &$crate::namespace::Namespace) -> $crate::api::Answer {
                super::execute(ns, self)
            }

            fn render_error(
                &self,
                ns: &$crate::namespace::Namespace,
                e: &$crate::world::DomainError,
                status: Option<u16>,
            ) -> $crate::api::Answer {
                super::render_error(ns, self, e, status)
            }

            fn render_throttle(
                &self,
                ns: &$crate::namespace::Namespace,
                t: &$crate::faults::Throttle,
            ) -> $crate::api::Answer {
                super::render_throttle(ns, self, t)
            }
        }
    };
}
pub(crate) use folder_prepared_call;

/// One vendor's wire.
pub trait Facade: Sync + 'static {
    fn id(&self) -> FacadeId;

    /// Whether this request is for this facade. The first facade in [`FACADES`] that claims
    /// a request gets it; the last one should claim everything.
    fn claims(&self, uri: &Uri, headers: &HeaderMap) -> bool;

    /// Every operation name the facade gives its calls (faults' `match.operation`, journal
    /// filters, the admin OpenAPI document).
    fn operations(&self) -> &'static [&'static str];

    /// Parameter names (compared without case) whose values the journal shows as
    /// `[redacted]`, at any depth of a JSON body.
    fn secret_params(&self) -> &'static [&'static str];

    /// Reads the request and names its operation; an unreadable request is answered at once.
    fn prepare<'a>(&'a self, ns: &'a Namespace, req: &'a Incoming) -> Prepare<'a>;

    /// The answer to a request refused before the facade read it (body too large or too
    /// slow, a refused namespace), in the facade's shape.
    fn early_error(&self, status: StatusCode, text: &str) -> Answer;

    /// The answer to a request wabasim failed on (a caught panic), in the facade's shape.
    fn internal_error(&self) -> Answer;

    /// Why no operation matched, with the closest routes; `None` when the facade has no
    /// route table (its own unmatched answer says enough).
    fn explain_unmatched(&self, _method: &Method, _path: &str) -> Option<Explanation> {
        None
    }

    /// The body `--strict` answers an unmatched request with, naming the closest route.
    fn strict_body(&self, method: &Method, path: &str, why: &Explanation) -> String {
        super::unmatched::strict_body(method, path, why)
    }

    /// The facade's own section of the fixture format, under its id (`cams:`), if it has
    /// one.
    fn fixture_section(&self) -> Option<&'static dyn Section> {
        None
    }

    /// A scenario step written as a call of this facade (`{facade: cams, action, params}`),
    /// as the facade's SDK would send it (signed, for a facade that signs); `None` when this
    /// facade's requests are written as `"METHOD /path"` lines.
    fn scripted_request(
        &self,
        _call: &ScriptedCall<'_>,
    ) -> Option<Result<ScriptedRequest, String>> {
        None
    }

    /// A request header as a transcript shows it, when its value changes on every run (a
    /// signature, a signing date, a nonce): `None` to show it as sent.
    fn shown_header(&self, _name: &str, _value: &str) -> Option<String> {
        None
    }
}

/// A scenario's facade call, its values interpolated.
pub struct ScriptedCall<'a> {
    pub action: &'a str,
    /// The call's parameters, as text.
    pub params: &'a [(String, String)],
    /// The credential to sign with (default: the fixture's first).
    pub access_key: Option<&'a str>,
    /// A secret to sign with instead of the fixture's.
    pub secret: Option<&'a str>,
    /// Extra request headers (lower-case names).
    pub headers: &'a [(String, String)],
    /// The server's `host:port`.
    pub host: &'a str,
    /// The fixture the server's namespaces start from (where credentials are found).
    pub fixture: &'a crate::fixture::Fixture,
}

/// The request a [`ScriptedCall`] becomes.
pub struct ScriptedRequest {
    pub method: String,
    /// Path and query.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Every vendor facade, in the order they are asked to claim a request.
#[cfg(not(test))]
pub static FACADES: &[&dyn Facade] = &[&super::cams::Cams, &super::graph::Graph];

/// With the library's unit tests, a test-only vendor too (`api/echo.rs`), registered by this
/// one line: the proof that a facade needs nothing outside its own file and the list.
#[cfg(test)]
pub static FACADES: &[&dyn Facade] =
    &[&super::cams::Cams, &super::echo::Echo, &super::graph::Graph];

/// The facade that serves this request.
pub fn claiming(uri: &Uri, headers: &HeaderMap) -> &'static dyn Facade {
    let last = FACADES.len() - 1;
    FACADES[..last]
        .iter()
        .find(|f| f.claims(uri, headers))
        .copied()
        .unwrap_or(FACADES[last])
}

/// The facade of that id.
pub fn by_id(id: &str) -> Option<&'static dyn Facade> {
    FACADES.iter().find(|f| f.id() == id).copied()
}

/// Every facade id, in list order.
pub fn ids() -> Vec<FacadeId> {
    FACADES.iter().map(|f| f.id()).collect()
}

/// The operation names of facade `id` (`None` for an unknown facade).
pub fn operations_of(id: &str) -> Option<&'static [&'static str]> {
    by_id(id).map(|f| f.operations())
}

/// Whether some facade has an operation of that name.
pub fn is_operation(name: &str) -> bool {
    FACADES.iter().any(|f| f.operations().contains(&name))
}

/// Every facade with its operations, in list order: what fault specs are checked against
/// (`faults::spec::FaultSpec::check_names`).
pub fn catalog() -> Vec<(FacadeId, &'static [&'static str])> {
    FACADES.iter().map(|f| (f.id(), f.operations())).collect()
}

/// The secret parameter names of facade `id` (none for an unknown facade).
pub fn secret_params_of(id: &str) -> &'static [&'static str] {
    by_id(id).map_or(&[], |f| f.secret_params())
}
