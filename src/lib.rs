//! # wabasim
//!
//! A stateful, high-fidelity simulator of the WhatsApp Business Platform's phone-number
//! migration, for contract testing: Meta's Graph API over one in-memory world with a
//! virtual clock and a seeded RNG, and a control API under `/__admin/`.
//!
//! Layout (see ARCHITECTURE.md):
//! - [`world`]: the domain: no HTTP, no JSON, no async;
//! - [`fixture`]: YAML worlds;
//! - [`api`]: the facades (Graph, control API);
//! - [`server`]: hyper, limits, namespaces;
//! - [`clock`]: time, and the only reader of the system clock.
//!
//! ## Embedding in a Rust test
//!
//! ```no_run
//! # async fn demo() {
//! let sim = wabasim::Simulator::start().await.unwrap();
//! let url = format!("{}/v23.0/110000000000001", sim.uri());
//! // ... drive your client against `url` with the token `wabasim-new-bsp` ...
//! # }
//! ```

// Errors here are the cold path of a request and are rendered once; boxing them would only
// add allocations to code that is not hot.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod clock;
pub mod fixture;
pub mod namespace;
pub mod server;
pub mod world;

use std::net::SocketAddr;
use std::sync::Arc;

use fixture::Fixture;
use namespace::Registry;
use server::{Config, Shared};

/// How many namespaces a server allows by default.
pub const DEFAULT_MAX_NAMESPACES: usize = 10_000;

/// Options for starting a simulator in-process.
#[derive(Clone, Debug)]
pub struct Options {
    pub listen: SocketAddr,
    pub fixture: Option<Fixture>,
    pub max_namespaces: usize,
    pub config: Config,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            fixture: None,
            max_namespaces: DEFAULT_MAX_NAMESPACES,
            config: Config::default(),
        }
    }
}

/// A running simulator; it shuts down when dropped.
pub struct Simulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
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
        let registry = Registry::new(fixture, options.max_namespaces).map_err(|e| e.to_string())?;
        let shared = Arc::new(Shared {
            registry,
            config: options.config,
        });
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

    /// The server's shared state (namespaces), for assertions from Rust.
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
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
