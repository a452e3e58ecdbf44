//! The `wabasim` command: `serve` runs the simulator.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use wabasim::fixture::Fixture;
use wabasim::namespace::Registry;
use wabasim::server::{self, Config, Shared};

#[derive(Parser)]
#[command(
    name = "wabasim",
    version,
    about = "A stateful simulator of WhatsApp Business phone-number migration"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the simulator (the default world unless --fixture is given).
    Serve {
        /// Address to listen on; port 0 picks a free port (the address is printed).
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
        /// A fixture file describing the world.
        #[arg(long)]
        fixture: Option<PathBuf>,
        /// How many namespaces (X-Wabasim-Namespace) may exist at once.
        #[arg(long, default_value_t = wabasim::DEFAULT_MAX_NAMESPACES)]
        max_namespaces: usize,
        /// How many requests each namespace's journal keeps (a ring: the oldest go first).
        #[arg(long, default_value_t = wabasim::journal::DEFAULT_CAPACITY)]
        journal_size: usize,
        /// Answer requests no route matches with a loud error naming the closest route,
        /// instead of the vendor's generic unknown-path error.
        #[arg(long)]
        strict: bool,
        /// Require this token on /__admin/ (Authorization: Bearer, or X-Wabasim-Admin-Token).
        /// Set it whenever the server listens beyond loopback.
        #[arg(long)]
        admin_token: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WABASIM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Serve {
            listen,
            fixture,
            max_namespaces,
            journal_size,
            strict,
            admin_token,
        } => {
            let config = Config {
                strict,
                admin_token: admin_token.filter(|t| !t.is_empty()),
                ..Config::default()
            };
            serve(listen, fixture, max_namespaces, journal_size, config)
        }
    }
}

fn serve(
    listen: SocketAddr,
    fixture: Option<PathBuf>,
    max_namespaces: usize,
    journal_size: usize,
    config: Config,
) -> ExitCode {
    let fixture = match fixture {
        Some(path) => match Fixture::load(&path) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
        None => Fixture::default_world(),
    };
    if !listen.ip().is_loopback() && config.admin_token.is_none() {
        eprintln!(
            "warning: listening on {listen} beyond loopback without --admin-token: anyone who reaches this port can reset worlds and read app secrets"
        );
    }
    let registry = match Registry::with_journal_capacity(fixture, max_namespaces, journal_size) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let shared = Arc::new(Shared { registry, config });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let (listener, addr) = match server::bind(listen).await {
            Ok(x) => x,
            Err(e) => {
                eprintln!("error: cannot listen on {listen}: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!("wabasim listening on http://{addr}");
        server::run(listener, shared, shutdown_signal()).await;
        ExitCode::SUCCESS
    })
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
