//! The `wabasim` command: `serve` runs the simulator; `fixture check` validates fixtures;
//! `scenario run` runs scenario files.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use wabasim::Config;
use wabasim::app::App;
use wabasim::fixture::{Fixture, Limits};
use wabasim::namespace::Registry;
use wabasim::server;

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
        /// Largest --fixture file accepted, in bytes (parser budgets grow with it).
        #[arg(long, default_value_t = wabasim::fixture::DEFAULT_MAX_BYTES)]
        max_fixture_bytes: usize,
    },
    /// Work with fixture files.
    Fixture {
        #[command(subcommand)]
        command: FixtureCommand,
    },
    /// Run scenario files.
    Scenario {
        #[command(subcommand)]
        command: ScenarioCommand,
    },
}

#[derive(Subcommand)]
enum FixtureCommand {
    /// Validate fixtures; stops at the first bad file with its located error (exit 1).
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Largest fixture accepted, in bytes.
        #[arg(long, default_value_t = wabasim::fixture::DEFAULT_MAX_BYTES)]
        max_fixture_bytes: usize,
    },
    /// Print the JSON Schema of the fixture format (fixtures/schema.json).
    Schema,
}

#[derive(Subcommand)]
enum ScenarioCommand {
    /// Run scenarios (files, or directories of *.yaml files); exit 1 if any step fails.
    Run {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Where to write the transcripts (one `<scenario>.transcript` each).
        #[arg(long, default_value = "wabasim-transcripts")]
        transcripts: PathBuf,
    },
    /// Print the JSON Schema of the scenario format (scenarios/schema.json).
    Schema,
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
            max_fixture_bytes,
        } => {
            let config = Config {
                strict,
                admin_token: admin_token.filter(|t| !t.is_empty()),
                ..Config::default()
            };
            let limits = Limits::with_max_bytes(max_fixture_bytes);
            serve(
                listen,
                fixture,
                max_namespaces,
                journal_size,
                config,
                limits,
            )
        }
        Command::Fixture {
            command:
                FixtureCommand::Check {
                    files,
                    max_fixture_bytes,
                },
        } => check_fixtures(&files, Limits::with_max_bytes(max_fixture_bytes)),
        Command::Fixture {
            command: FixtureCommand::Schema,
        } => {
            print!("{}", wabasim::fixture::json_schema());
            ExitCode::SUCCESS
        }
        Command::Scenario {
            command: ScenarioCommand::Run { paths, transcripts },
        } => wabasim::scenario::cli::run(&paths, &transcripts),
        Command::Scenario {
            command: ScenarioCommand::Schema,
        } => {
            print!("{}", wabasim::scenario::json_schema());
            ExitCode::SUCCESS
        }
    }
}

/// `wabasim fixture check`: the first bad file ends the run with its located error.
fn check_fixtures(files: &[PathBuf], limits: Limits) -> ExitCode {
    for path in files {
        match Fixture::load_with(path, &limits) {
            Ok(f) => {
                let generated = f
                    .generate
                    .as_ref()
                    .map(|g| {
                        format!(
                            "; generated: {} WABAs, {} numbers, {} templates",
                            g.wabas,
                            g.wabas * g.phone_numbers_per_waba,
                            g.wabas * g.templates_per_waba
                        )
                    })
                    .unwrap_or_default();
                println!(
                    "ok: {} ({} WABAs, {} numbers, {} templates, {} events, {} faults{generated})",
                    path.display(),
                    f.wabas.len(),
                    f.wabas.iter().map(|w| w.phone_numbers.len()).sum::<usize>(),
                    f.wabas.iter().map(|w| w.templates.len()).sum::<usize>(),
                    f.events.len(),
                    f.faults.len()
                )
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

/// Fixture files larger than this are re-read for new namespaces rather than kept parsed.
const RELOAD_ABOVE_BYTES: u64 = 4 * 1024 * 1024;

fn serve(
    listen: SocketAddr,
    fixture: Option<PathBuf>,
    max_namespaces: usize,
    journal_size: usize,
    config: Config,
    limits: Limits,
) -> ExitCode {
    let (fixture, built) = match fixture {
        Some(path) => match Fixture::load_for_serving(&path, &limits, RELOAD_ABOVE_BYTES) {
            Ok((f, built)) => (f, Some(built)),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
        None => (Fixture::default_world(), None),
    };
    if !listen.ip().is_loopback() && config.admin_token.is_none() {
        eprintln!(
            "warning: listening on {listen} beyond loopback without --admin-token: anyone who reaches this port can reset worlds and read app secrets"
        );
    }
    let registry = match built {
        Some(built) => Registry::with_first_world(fixture, built, max_namespaces, journal_size),
        None => match Registry::with_journal_capacity(fixture, max_namespaces, journal_size) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let shared = Arc::new(App { registry, config });
    let runtime = match wabasim::cli::runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
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
