//! The one interface every vendor facade implements, and [`FACADES`], the one list of them.
//!
//! The server picks the first facade that [`claims`](Facade::claims) a request (Graph claims
//! everything, so it comes last); the facade [`serve`](Facade::serve)s it: reads it into a
//! [`PreparedCall`] of its own type, which the namespace's faults may answer instead of,
//! delay or alter (`faults::answer`); the journal records it under the facade's [`id`](Facade::id) and
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
use crate::faults::{Delivery, PreparedCall};
use crate::fixture::Section;
use crate::namespace::Namespace;
use crate::world::World;
use crate::world::bindings::Binding;
use serde_json::value::RawValue;

/// A facade's id: what the journal records, `match.facade` in faults, and the key of its
/// fixture section and world bindings (`graph`, `cams`).
pub type FacadeId = &'static str;

/// What [`Facade::serve`] gives: the answer at once (no fault armed, nothing to await: the
/// common case, with no allocation for the facade's call), or a future that owns the call.
// `Now` is the hot path and is returned by value: boxing it would add the allocation this
// type exists to avoid.
#[allow(clippy::large_enum_variant)]
pub enum Served<'a> {
    Now(Answer, Delivery),
    Later(Pin<Box<dyn Future<Output = (Answer, Delivery)> + Send + 'a>>),
}

impl Served<'_> {
    pub async fn answer(self) -> (Answer, Delivery) {
        match self {
            Served::Now(a, d) => (a, d),
            Served::Later(f) => f.await,
        }
    }
}

/// A request on its way to a facade: its namespace, the request, and whom to tell its
/// operation.
#[derive(Clone, Copy)]
pub struct Serving<'a> {
    pub ns: &'a Namespace,
    pub req: &'a Incoming,
    pub classified: Classified<'a>,
}

/// Told the operation as soon as a facade has classified a request (before the world sees
/// it), so that a request dropped or failed after that is journaled with it.
pub type Classified<'a> = &'a (dyn Fn(&'static str) + Sync);

/// Runs a facade's prepared call through the namespace's faults (`faults::answer`): at once
/// when none is armed.
pub fn run<'a, P: PreparedCall + 'a>(call: Serving<'a>, prepared: Result<P, Answer>) -> Served<'a> {
    let ns = call.ns;
    let prepared = match prepared {
        Ok(prepared) => prepared,
        Err(refused) => return Served::Now(refused, Delivery::Whole),
    };
    (call.classified)(prepared.operation());
    if ns.faults.is_empty() {
        return Served::Now(prepared.execute(ns), Delivery::Whole);
    }
    Served::Later(Box::pin(async move {
        crate::faults::answer(ns, &prepared).await
    }))
}

/// [`run`] for a facade whose reading of the request awaits (a multipart body).
pub fn run_later<'a, P, F>(call: Serving<'a>, prepare: F) -> Served<'a>
where
    P: PreparedCall + 'a,
    F: Future<Output = Result<P, Answer>> + Send + 'a,
{
    Served::Later(Box::pin(
        async move { run(call, prepare.await).answer().await },
    ))
}

/// [`run`] for a facade whose `prepare` is async only to read a multipart body: any other
/// request is read without awaiting, so its future completes on its first poll and needs no
/// box.
pub fn run_ready_unless_multipart<'a, P, F>(call: Serving<'a>, prepare: F) -> Served<'a>
where
    P: PreparedCall + 'a,
    F: Future<Output = Result<P, Answer>> + Send + 'a,
{
    const MULTIPART: &str = "multipart/";
    let multipart = call
        .req
        .header(http::header::CONTENT_TYPE)
        .is_some_and(|ct| {
            ct.trim_start()
                .get(..MULTIPART.len())
                .is_some_and(|t| t.eq_ignore_ascii_case(MULTIPART))
        });
    if multipart {
        return run_later(call, prepare);
    }
    let mut prepare = std::pin::pin!(prepare);
    match futures_util::FutureExt::now_or_never(prepare.as_mut()) {
        Some(prepared) => run(call, prepared),
        // Reading a request that is not multipart never awaits (a unit test holds this);
        // should that change, the request is answered as a failure, not left hanging.
        None => {
            tracing::error!("a facade's prepare awaited on a request that is not multipart");
            Served::Now(internal(), Delivery::Whole)
        }
    }
}

fn internal() -> Answer {
    let mut a = Answer::json(
        StatusCode::INTERNAL_SERVER_ERROR,
        r#"{"error":"wabasim: a request could not be read at once"}"#,
    );
    a.error = Some("wabasim_internal".into());
    a
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

    /// Reads the request, names its operation (telling `classified`), and answers it through
    /// the namespace's faults (`run`, `run_later`, `run_ready_unless_multipart` do the
    /// last part for a facade's concrete call type); an unreadable request is answered at
    /// once.
    fn serve<'a>(&'a self, call: Serving<'a>) -> Served<'a>;

    /// The namespace the request's target names, read before `X-Wabasim-Namespace`: a URL
    /// this facade handed out that clients fetch with a session of their own, without the
    /// header (a media download URL's `ns`). The header, when sent, must name the same
    /// namespace (else 400 in [`early_error`](Facade::early_error)'s shape); a name no
    /// namespace has is answered with [`TargetNamespace::unknown`], never created. `None`
    /// (the default): the header alone decides.
    fn namespace_in_target(&self, _method: &Method, _uri: &Uri) -> Option<TargetNamespace> {
        None
    }

    /// Whether the request is a media upload, whose body may be as large as
    /// `--max-upload-bytes` instead of the usual limit (decided on the head alone, before
    /// the body is read). None by default.
    fn is_upload(&self, _method: &http::Method, _path: &str) -> bool {
        false
    }

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

    /// How this facade's world binding (`world/bindings.rs`) is saved in a `--state` file
    /// ([`BindingCodec::of`]), if it keeps one. A facade whose binding is in a world and
    /// has no codec makes `POST /__admin/snapshot` fail, naming it, rather than lose it.
    fn binding_codec(&self) -> Option<BindingCodec> {
        None
    }

    /// Webhook event names (the `field` of its deliveries) and signature header names this
    /// facade's webhooks use besides Meta's: a saved outbox is read back by them.
    fn webhook_names(&self) -> &'static [&'static str] {
        &[]
    }

    /// Deliveries of its own for world events, besides Meta's to the WABA's subscribers (a
    /// vendor that forwards Meta's webhooks to its customers' URLs). Called under the world's
    /// lock with each batch of events a call or the clock produced.
    fn address_events(
        &self,
        _world: &crate::world::World,
        _events: &[crate::world::WorldEvent],
    ) -> Vec<crate::webhooks::payload::Outgoing> {
        Vec::new()
    }

    /// Brings the facade's own state up to the world's numbers and gives the notifications
    /// of its own that the change calls for (360dialog's channels appear and their partner
    /// is told of each status: `channel_created`, `channel_live`...). Called under the
    /// world's lock, before [`address_events`](Facade::address_events), with each batch a
    /// call, an admin change or the clock produced: Meta's events and the number steps no
    /// Meta webhook reports (`world::NumberChange`). May change the facade's binding, never
    /// the domain.
    fn follow_numbers(
        &self,
        _world: &mut crate::world::World,
        _events: &[crate::world::WorldEvent],
        _changes: &[crate::world::NumberChange],
    ) -> Vec<crate::webhooks::payload::Outgoing> {
        Vec::new()
    }

    /// Takes in the outcomes of the world's paced sends (`world::pacing`: those this facade
    /// queued, sent at once or when their turn came) and gives the receipts of its own they
    /// call for. Called under the world's lock with each batch a call or the clock produced,
    /// before [`address_events`](Facade::address_events), so that the statuses of the sends
    /// find what the facade remembered of them; the receipts given here are delivered after
    /// those of the events. May change the facade's binding, never the domain.
    fn follow_paced_sends(
        &self,
        _world: &mut crate::world::World,
        _outcomes: &[crate::world::pacing::PacedOutcome],
    ) -> Vec<crate::webhooks::payload::Outgoing> {
        Vec::new()
    }

    /// The facade's own view of a world for `GET /__admin/state` (under `facades.<id>`) and
    /// the dashboard, which shows any facade's view generically: what this vendor calls the
    /// world's things (Alibaba's spaces and their numbers). `None`: nothing of its own.
    fn state_view(&self, _world: &crate::world::World) -> Option<serde_json::Value> {
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

/// A namespace named by a request's target ([`Facade::namespace_in_target`]).
pub struct TargetNamespace {
    pub name: String,
    /// The answer when no namespace has that name, as the facade answers the target when
    /// what it names is unknown (a download URL: 404, as for media that is gone).
    pub unknown: Answer,
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

/// Saving and loading one facade's binding, whatever its type: what `src/snapshot.rs` calls.
#[derive(Clone, Copy)]
pub struct BindingCodec {
    /// The binding as JSON, if the world has one.
    pub save: fn(&World) -> Option<serde_json::Result<Box<RawValue>>>,
    /// Puts a saved binding into the world, replacing what it had.
    pub load: fn(&mut World, &RawValue) -> serde_json::Result<()>,
}

impl BindingCodec {
    /// The codec of binding type `B`.
    pub fn of<B: Binding>() -> BindingCodec {
        BindingCodec {
            save: |world| world.binding::<B>().map(serde_json::value::to_raw_value),
            load: |world, saved| {
                *world.binding_mut::<B>() = serde_json::from_str(saved.get())?;
                Ok(())
            },
        }
    }
}

/// Every vendor facade, in the order they are asked to claim a request.
#[cfg(not(test))]
pub static FACADES: &[&dyn Facade] =
    &[&super::cams::Cams, &super::d360::D360, &super::graph::Graph];

/// With the library's unit tests, a test-only vendor too (`api/echo.rs`), registered by this
/// one line: the proof that a facade needs nothing outside its own file and the list.
#[cfg(test)]
pub static FACADES: &[&dyn Facade] = &[
    &super::cams::Cams,
    &super::d360::D360,
    &super::echo::Echo,
    &super::graph::Graph,
];

/// The facade that serves this request.
pub fn claiming(uri: &Uri, headers: &HeaderMap) -> &'static dyn Facade {
    let last = FACADES.len() - 1;
    FACADES[..last]
        .iter()
        .find(|f| f.claims(uri, headers))
        .copied()
        .unwrap_or(FACADES[last])
}

/// Whether wabasim ever delivers webhooks of field `name`: Meta's fields, or a facade's own
/// (ChatApp's `ChatAppStatus`). A misspelt field would make a wait find nothing until its
/// timeout, so readers refuse it at once.
pub fn check_webhook_field(name: &str) -> Result<(), String> {
    if FACADES.iter().any(|f| f.webhook_names().contains(&name)) {
        return Ok(());
    }
    crate::webhooks::check_field(name)
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use bytes::Bytes;
    use http::{HeaderValue, Method};

    use super::*;

    fn request(method: Method, path: &str, content_type: Option<&'static str>) -> Incoming {
        let mut headers = HeaderMap::new();
        if let Some(ct) = content_type {
            headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        Incoming {
            method,
            path: path.into(),
            query: "access_token=wabasim-new-bsp&Action=QueryChatappBindWaba&Version=2020-06-06"
                .into(),
            headers,
            body: Bytes::from_static(b"a=1"),
        }
    }

    /// The hot path takes no box for the call or its future: every facade reads a request
    /// that is not multipart without awaiting (`run_ready_unless_multipart` relies on it).
    #[test]
    fn requests_that_are_not_multipart_are_served_at_once() {
        let fixture = Arc::new(crate::fixture::Fixture::default_world());
        let ns = Namespace::from_fixture("t", fixture).unwrap();
        let noted = std::sync::Mutex::new(Vec::new());
        let classified = |op: &'static str| noted.lock().unwrap().push(op);
        // The test-only echo facade awaits on purpose: it stands for a facade that does.
        for facade in FACADES.iter().filter(|f| f.id() != "echo") {
            for ct in [
                None,
                Some("application/x-www-form-urlencoded"),
                Some("application/json"),
            ] {
                let req = request(Method::POST, "/v23.0/200000000000002", ct);
                let call = Serving {
                    ns: &ns,
                    req: &req,
                    classified: &classified,
                };
                let served = facade.serve(call);
                assert!(
                    matches!(served, Served::Now(..)),
                    "{} awaited on {ct:?}",
                    facade.id()
                );
            }
        }
        let req = request(Method::GET, "/v23.0/200000000000002", None);
        assert!(matches!(
            by_id("graph").unwrap().serve(Serving {
                ns: &ns,
                req: &req,
                classified: &classified
            }),
            Served::Now(..)
        ));
        assert!(noted.lock().unwrap().contains(&"get_waba"));
    }
}
