//! # wabasim
//!
//! A stateful, high-fidelity simulator of the WhatsApp Business Platform's phone-number
//! migration, for contract testing: Meta's Graph API over one in-memory world with a
//! virtual clock and a seeded RNG, and a control API under `/__admin/`.
//!
//! ## Layout
//!
//! The embedding surface is this crate's root and nothing else: [`Simulator`] and
//! [`Options`]; a namespace, [`Scope`], and its typed helpers [`Clock`], [`Codes`],
//! [`Journal`] and [`Webhooks`]; what they take and give, [`RequestFilter`], [`Entry`] and
//! [`JournalStats`], [`DeliveryFilter`], [`Delivery`] (with [`DeliveryState`], [`Attempt`]
//! and [`AttemptKind`]); [`Config`], [`Fixture`] and [`DEFAULT_FIXTURE`]; and time,
//! [`Duration`], [`Timestamp`] and [`MAX_ADVANCE`].
//!
//! The modules below are public for the `wabasim` binary and the crate's own tests, and are
//! hidden from these docs: their paths and items may change without notice (see
//! ARCHITECTURE.md).
//! - `world`: the domain: no HTTP, no JSON, no async (`world::vocab`: its words);
//! - `fixture`: YAML worlds; `faults`: scripted failures; `scenario`: scenario files, their
//!   runner and transcripts;
//! - `wire`: what travels between the server and a facade (request, answer, parameters);
//! - `api`: the facades (`api::facade`: the interface and the one list; Graph, Alibaba
//!   ChatApp) and the control API (`api::admin::ROUTES`: its route table);
//! - `app`: the state every handler shares; `server`: hyper, limits, namespaces, the journal
//!   hook; `namespace`: the registry of isolated worlds;
//! - `journal`: the request journal; `webhooks`: signed deliveries with retries;
//! - `clock`: time, and the only reader of the system clock.
//!
//! ## Embedding in a Rust test
//!
//! [`Simulator::start`] serves the default world on a free loopback port, in the manner of
//! wiremock-rs's `MockServer::start()`; it shuts down when dropped. Point your client at
//! [`Simulator::uri`], then assert with the typed helpers: [`Simulator::clock`],
//! [`Simulator::codes`], [`Simulator::journal`] and [`Simulator::webhooks`] (or the same on
//! [`Simulator::namespace`]). `examples/embedded.rs` is a whole migration with a webhook
//! receiver.
//!
//! ```
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! use wabasim::{Duration, RequestFilter};
//!
//! # #[tokio::main] async fn main() {
//! let sim = wabasim::Simulator::start().await.unwrap();
//!
//! // Your client calls Graph at sim.uri(); here, a bare HTTP/1.1 request.
//! let mut conn = tokio::net::TcpStream::connect(sim.address()).await.unwrap();
//! conn.write_all(
//!     b"GET /v23.0/110000000000001?fields=status HTTP/1.1\r\nHost: sim\r\n\
//!       Authorization: Bearer wabasim-old-bsp\r\nConnection: close\r\n\r\n",
//! )
//! .await
//! .unwrap();
//! let mut reply = String::new();
//! conn.read_to_string(&mut reply).await.unwrap();
//! assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
//!
//! // What did the client send? Exactly one read of the number.
//! sim.journal().expect(&RequestFilter::new().operation("get_phone_number"), 1);
//!
//! // Move the world's clock, from outside the client.
//! let before = sim.clock().now();
//! let after = sim.clock().advance(Duration::hours(24));
//! assert!(after.0 - before.0 >= Duration::hours(24).0);
//! # }
//! ```

// Errors here are the cold path of a request and are rendered once; boxing them would only
// add allocations to code that is not hot.
#![allow(clippy::result_large_err)]

/// The README's Rust snippet, compiled by `cargo test --doc` so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeSnippets;

// The embedding surface's typed helpers: every item is re-exported below.
mod embed;

// Public for the binary (src/main.rs) and the crate's own tests, hidden from the docs: not
// the embedding surface, which is the `pub use` list below.
#[doc(hidden)]
pub mod allowlist;
#[doc(hidden)]
pub mod api;
#[doc(hidden)]
pub mod app;
#[doc(hidden)]
pub mod cli;
#[doc(hidden)]
pub mod clock;
#[doc(hidden)]
pub mod faults;
#[doc(hidden)]
pub mod fixture;
#[doc(hidden)]
pub mod journal;
#[doc(hidden)]
pub mod namespace;
#[doc(hidden)]
pub mod parity;
#[doc(hidden)]
pub mod scenario;
#[doc(hidden)]
pub mod server;
#[doc(hidden)]
pub mod snapshot;
#[doc(hidden)]
pub mod webhooks;
#[doc(hidden)]
pub mod wire;
#[doc(hidden)]
pub mod world;

mod digest;

use std::net::SocketAddr;
use std::sync::Arc;

pub use api::filter::RequestFilter;
pub use app::Config;
pub use clock::{Duration, MAX_ADVANCE, Timestamp};
pub use embed::{Clock, Codes, Journal, Scope, Webhooks};
pub use fixture::{DEFAULT_FIXTURE, Fixture};
pub use journal::{Entry, JournalStats};
pub use webhooks::{Attempt, AttemptKind, Delivery, DeliveryFilter, DeliveryState};

use app::App;
use namespace::Registry;

/// How many namespaces a server allows by default.
pub const DEFAULT_MAX_NAMESPACES: usize = 10_000;

/// Options for starting a simulator in-process.
#[derive(Clone, Debug)]
pub struct Options {
    pub listen: SocketAddr,
    pub fixture: Option<Fixture>,
    pub max_namespaces: usize,
    /// Requests each namespace's journal keeps.
    pub journal_size: usize,
    /// Bytes each namespace's journal keeps, and how much of a query and a body an entry
    /// keeps (`journal_size` overrides its `entries`).
    pub journal: journal::JournalLimits,
    /// Body limits, `strict`, `admin_token`.
    pub config: Config,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            fixture: None,
            max_namespaces: DEFAULT_MAX_NAMESPACES,
            journal_size: journal::DEFAULT_CAPACITY,
            journal: journal::JournalLimits::default(),
            config: Config::default(),
        }
    }
}

/// A running simulator; it shuts down when dropped.
pub struct Simulator {
    addr: SocketAddr,
    shared: Arc<App>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Simulator {
    /// Starts the default world on a free loopback port.
    pub async fn start() -> Result<Simulator, String> {
        Simulator::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> Result<Simulator, String> {
        let fixture = options.fixture.unwrap_or_else(Fixture::default_world);
        let journal = journal::JournalLimits {
            entries: options.journal_size,
            ..options.journal
        };
        let registry = Registry::with_journal_capacity(fixture, options.max_namespaces, journal)
            .map_err(|e| e.to_string())?;
        let shared = Arc::new(App::new(registry, options.config));
        let (listener, addr) = server::bind(options.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(server::run(listener, shared.clone(), async move {
            let _ = stopped.await;
        }));
        Ok(Simulator {
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// The server's shared state (namespaces), for the scenario runner.
    pub(crate) fn shared(&self) -> &Arc<App> {
        &self.shared
    }

    /// The default namespace.
    pub fn scope(&self) -> Scope {
        Scope {
            ns: self.shared.registry.default_namespace(),
            shared: self.shared.clone(),
        }
    }

    /// A namespace by name (what `X-Wabasim-Namespace` selects), created if needed.
    pub fn namespace(&self, name: &str) -> Result<Scope, String> {
        let ns = self
            .shared
            .registry
            .get(Some(name))
            .map_err(|e| e.to_string())?;
        Ok(Scope {
            ns,
            shared: self.shared.clone(),
        })
    }

    /// The names of the namespaces that exist now: `default` first, then the others in
    /// alphabetical order (what `GET /__admin/namespaces` lists).
    pub fn namespaces(&self) -> Vec<String> {
        self.shared
            .registry
            .all()
            .iter()
            .map(|ns| ns.name.clone())
            .collect()
    }

    /// The default namespace's clock.
    pub fn clock(&self) -> Clock {
        self.scope().clock()
    }

    /// The verification codes sent in the default namespace.
    pub fn codes(&self) -> Codes {
        self.scope().codes()
    }

    /// The default namespace's request journal.
    pub fn journal(&self) -> Journal {
        self.scope().journal()
    }

    /// The default namespace's webhook deliveries.
    pub fn webhooks(&self) -> Webhooks {
        self.scope().webhooks()
    }

    /// Stops accepting, lets in-flight requests finish, and waits for the server to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
