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

/// mimalloc instead of glibc's allocator: a read (`GET /{phone}`) costs about 11% fewer
/// instructions (callgrind: 31.7k → 28.1k with the same binary), and the memory of the big
/// fixture and of idle serving is no higher (measured with each allocator preloaded:
/// docs/performance.md). Built as mimalloc v2 without transparent huge pages, whose 2 MB
/// pages would raise the resident memory of an idle server. The embedding API
/// ([`wabasim::embed`]) leaves the allocator to the test binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "wabasim",
    version,
    about = "A stateful simulator of WhatsApp Business phone-number migration"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// What to log on stderr: a level (`error`, `warn`, `info`, `debug`, `trace`, `off`) or
    /// `tracing` directives (`wabasim::request=info,warn`). Default: RUST_LOG if set, else
    /// `info` for serve (one line per failed webhook attempt; requests and webhook calls that
    /// went through at `debug`), `warn` otherwise.
    #[arg(long, global = true, env = "WABASIM_LOG_LEVEL")]
    log_level: Option<String>,
    /// How log lines are written: `text`, or `json` (one object a line).
    #[arg(long, global = true, env = "WABASIM_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// Logs on stderr: `--log-level` (or `WABASIM_LOG_LEVEL`), else `RUST_LOG`, else `WABASIM_LOG`
/// (older name), else `info` when serving and `warn` for the other commands.
fn init_logs(cli: &Cli) -> Result<(), String> {
    use tracing_subscriber::EnvFilter;
    let filter = match &cli.log_level {
        Some(level) => {
            EnvFilter::try_new(level).map_err(|e| format!("--log-level {level:?}: {e}"))?
        }
        None => EnvFilter::try_from_env("RUST_LOG")
            .or_else(|_| EnvFilter::try_from_env("WABASIM_LOG"))
            .unwrap_or_else(|_| {
                EnvFilter::new(if matches!(cli.command, Command::Serve { .. }) {
                    "info"
                } else {
                    "warn"
                })
            }),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
        LogFormat::Json => builder.json().init(),
    }
    Ok(())
}

#[derive(Subcommand)]
enum Command {
    /// Serve the simulator (the default world unless --fixture is given).
    Serve {
        /// Address to listen on: `PORT`, `:PORT`, `HOST:PORT` or `localhost:PORT` (no host and
        /// `localhost` mean 127.0.0.1); port 0 picks a free port (the address is printed).
        #[arg(long, env = "WABASIM_LISTEN", default_value = "127.0.0.1:8787", value_parser = wabasim::cli::parse_listen)]
        listen: SocketAddr,
        /// A fixture file describing the world.
        #[arg(long, env = "WABASIM_FIXTURE")]
        fixture: Option<PathBuf>,
        /// How many namespaces (X-Wabasim-Namespace) may exist at once.
        #[arg(long, env = "WABASIM_MAX_NAMESPACES", default_value_t = wabasim::DEFAULT_MAX_NAMESPACES)]
        max_namespaces: usize,
        /// How many requests each namespace's journal keeps (a ring: the oldest go first).
        #[arg(long, env = "WABASIM_JOURNAL_SIZE", default_value_t = wabasim::journal::DEFAULT_CAPACITY)]
        journal_size: usize,
        /// How many bytes each namespace's journal keeps (the oldest entries go first).
        #[arg(long, env = "WABASIM_JOURNAL_BYTES", default_value_t = wabasim::journal::DEFAULT_BYTES)]
        journal_bytes: usize,
        /// How many bytes of a request's query string a journal entry keeps (cut after the
        /// last whole parameter; the entry shows `__query_truncated`).
        #[arg(long, env = "WABASIM_JOURNAL_QUERY_BYTES", default_value_t = wabasim::journal::QUERY_KEPT)]
        journal_query_bytes: usize,
        /// How many bytes of a request's body a journal entry keeps (the entry shows
        /// `__body_truncated`).
        #[arg(long, env = "WABASIM_JOURNAL_BODY_BYTES", default_value_t = wabasim::journal::BODY_KEPT)]
        journal_body_bytes: usize,
        /// How many bytes of an answer's body a journal entry keeps (0: none; a longer
        /// answer is kept cut and shows `response_truncated`).
        #[arg(long, env = "WABASIM_JOURNAL_ANSWER_BYTES", default_value_t = wabasim::journal::ANSWER_KEPT)]
        journal_answer_bytes: usize,
        /// Answer requests no route matches with a loud error naming the closest route,
        /// instead of the vendor's generic unknown-path error.
        #[arg(long, env = "WABASIM_STRICT")]
        strict: bool,
        /// Require this token on /__admin/ (Authorization: Bearer, or X-Wabasim-Admin-Token).
        /// Set it whenever the server listens beyond loopback.
        #[arg(long, env = "WABASIM_ADMIN_TOKEN", hide_env_values = true)]
        admin_token: Option<String>,
        /// Largest --fixture file accepted, in bytes (parser budgets grow with it).
        #[arg(long, env = "WABASIM_MAX_FIXTURE_BYTES", default_value_t = wabasim::fixture::DEFAULT_MAX_BYTES)]
        max_fixture_bytes: usize,
        /// Parameters one request may carry (query and body together); past it, 400 in the
        /// facade's shape.
        #[arg(long, env = "WABASIM_MAX_PARAMS", default_value_t = wabasim::wire::limits::DEFAULT_MAX_PARAMS)]
        max_params: usize,
        /// Longest parameter name or value, in bytes as sent; past it, 400 in the facade's
        /// shape.
        #[arg(long, env = "WABASIM_MAX_PARAM_BYTES", default_value_t = wabasim::wire::limits::DEFAULT_MAX_PARAM_BYTES)]
        max_param_bytes: usize,
        /// What a facade call naming a namespace that does not exist does: `create` it from
        /// the server's fixture, or answer an error in the facade's shape (`existing`:
        /// namespaces are made with POST /__admin/namespaces, behind --admin-token).
        #[arg(long, env = "WABASIM_NAMESPACES", value_enum, default_value_t = wabasim::app::NamespacePolicy::Create)]
        namespaces: wabasim::app::NamespacePolicy,
        /// Forget namespaces no request named for this long (e.g. `30m`; never the default
        /// one). Off unless given.
        #[arg(long, env = "WABASIM_NAMESPACE_TTL", value_parser = humantime::parse_duration)]
        namespace_ttl: Option<std::time::Duration>,
        /// Connections served at once. Past them, a few spare connections serve one request
        /// each with a 2 s head timeout (health checks get through); past those, new
        /// connections wait in the listen backlog.
        #[arg(long, env = "WABASIM_MAX_CONNECTIONS", default_value_t = wabasim::app::MAX_CONNECTIONS)]
        max_connections: usize,
        /// The longest path and query a request may have, in bytes; longer is answered 414 in
        /// the facade's shape (at most 65534: hyper refuses longer ones itself, with an empty
        /// 414).
        #[arg(long, env = "WABASIM_MAX_URI_BYTES", default_value_t = wabasim::app::MAX_URI_BYTES)]
        max_uri_bytes: usize,
        /// The largest body of a media upload (`POST /{phone}/media`, 360dialog's `POST
        /// /media`), in bytes; larger is answered 413 in the facade's shape. Other facade
        /// bodies stay within 1 MiB.
        #[arg(long, env = "WABASIM_MAX_UPLOAD_BYTES", default_value_t = wabasim::app::UPLOAD_LIMIT)]
        max_upload_bytes: usize,
        /// The bytes of uploaded media each namespace keeps; past them its oldest uploads are
        /// forgotten (their ids then answer as unknown).
        #[arg(long, env = "WABASIM_MEDIA_BYTES", default_value_t = wabasim::world::media::DEFAULT_MEDIA_BYTES)]
        media_bytes: usize,
        /// On shutdown (Ctrl-C, SIGTERM), how long in-flight requests may take to be answered
        /// and webhooks already due to be delivered, e.g. `5s`; then the server stops regardless.
        #[arg(long, value_parser = humantime::parse_duration, default_value = "5s")]
        shutdown_grace: std::time::Duration,
        /// Where webhook callback URLs may point: hosts (`receiver`, `*.example.com`),
        /// addresses and networks (`10.0.0.0/8`), `loopback`, or `*`, separated by commas.
        /// Refused when set (Graph's override_callback_uri, the control API) and not sent at
        /// delivery. Default: `*` when listening on loopback, `loopback` beyond it.
        #[arg(long, env = "WABASIM_WEBHOOK_ALLOW")]
        webhook_allow: Option<String>,
        /// Once listening, write the bound address (`127.0.0.1:PORT`, no newline) to this
        /// file, atomically (a temporary file renamed over it): a harness using port 0 waits
        /// for the file instead of parsing stdout.
        #[arg(long, env = "WABASIM_PORT_FILE")]
        port_file: Option<PathBuf>,
        /// Keep the namespaces' worlds in this file: read at start (a file that is not a
        /// wabasim state file of this version is refused), written on graceful shutdown and
        /// on POST /__admin/snapshot, atomically. A kill -9 loses what changed since the last
        /// save (docs/state.md).
        #[arg(long, env = "WABASIM_STATE")]
        state: Option<PathBuf>,
        /// Largest --state file read at start or written, in bytes.
        #[arg(long, env = "WABASIM_STATE_MAX_BYTES", default_value_t = wabasim::snapshot::MAX_BYTES)]
        state_max_bytes: u64,
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
    /// Print a shell completion script (e.g. `wabasim completions bash >
    /// ~/.local/share/bash-completion/completions/wabasim`).
    Completions {
        #[arg(value_enum)]
        shell: CompletionShell,
    },
    /// Print the man page (roff; e.g. `wabasim man > wabasim.1`).
    Man,
    /// Forward to the real services and record every exchange, secrets redacted
    /// (docs/parity.md).
    Proxy(wabasim::parity::cli::ProxyArgs),
    /// Replay a recording against a fresh simulator and list every difference a client could
    /// branch on; exit 1 on one not in --accept (docs/parity.md).
    Replay(wabasim::parity::cli::ReplayArgs),
    /// Probe a running server's `GET /__admin/health` (exit 0 when it answers 200): a
    /// container health check that needs no curl.
    Health {
        /// The server's address.
        #[arg(default_value = "http://127.0.0.1:8787", env = "WABASIM_HEALTH_URL")]
        url: String,
        /// How long to wait for the answer.
        #[arg(long, value_parser = humantime::parse_duration, default_value = "2s")]
        timeout: std::time::Duration,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum CompletionShell {
    Bash,
    Zsh,
    Fish,
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
    /// Print the fixture a recording implies (`wabasim proxy --record`), ids kept.
    FromRecording(wabasim::parity::cli::FromRecordingArgs),
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
        /// Also write each passing scenario's transcript as its snapshot (`--snapshots
        /// DIR/<stem>.snap`, what `cargo test --test scenarios` compares) when new or changed.
        #[arg(long)]
        update: bool,
        /// Where `--update` writes snapshots.
        #[arg(long, default_value = "tests/snapshots/scenarios")]
        snapshots: PathBuf,
    },
    /// Print the JSON Schema of the scenario format (scenarios/schema.json).
    Schema,
    /// Print a recording (`wabasim proxy --record`) as a scenario file.
    FromRecording(wabasim::parity::cli::ToScenarioArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = init_logs(&cli) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    match cli.command {
        Command::Serve {
            listen,
            fixture,
            max_namespaces,
            journal_size,
            journal_bytes,
            journal_query_bytes,
            journal_body_bytes,
            journal_answer_bytes,
            strict,
            admin_token,
            max_fixture_bytes,
            max_params,
            max_param_bytes,
            namespaces,
            namespace_ttl,
            max_connections,
            max_uri_bytes,
            max_upload_bytes,
            media_bytes,
            shutdown_grace,
            webhook_allow,
            port_file,
            state,
            state_max_bytes,
        } => {
            let log_level = match (&cli.log_level, std::env::var("RUST_LOG")) {
                (Some(level), _) => level.clone(),
                (None, Ok(rust_log)) if !rust_log.is_empty() => format!("{rust_log} (RUST_LOG)"),
                (None, _) => match std::env::var("WABASIM_LOG") {
                    Ok(legacy) if !legacy.is_empty() => format!("{legacy} (WABASIM_LOG)"),
                    _ => "info (default)".to_string(),
                },
            };
            let webhook_allow_text = webhook_allow.filter(|t| !t.trim().is_empty());
            let webhook_allow = match webhook_allow_text.clone() {
                None => {
                    let list = wabasim::allowlist::Allowlist::default_for(listen.ip());
                    if !list.is_any() {
                        eprintln!(
                            "note: listening on {listen} beyond loopback: webhooks go to loopback hosts only; name your receivers with --webhook-allow (or WABASIM_WEBHOOK_ALLOW)"
                        );
                    }
                    list
                }
                Some(text) => match wabasim::allowlist::Allowlist::parse(&text) {
                    Ok(list) => list,
                    Err(e) => {
                        eprintln!("error: --webhook-allow: {e}");
                        return ExitCode::from(2);
                    }
                },
            };
            let config = Config {
                strict,
                admin_token: admin_token.filter(|t| !t.is_empty()),
                params: wabasim::wire::limits::ParamLimits {
                    max_params: max_params.max(1),
                    max_param_bytes: max_param_bytes.max(1),
                },
                namespaces,
                namespace_ttl,
                max_connections: max_connections.max(1),
                max_uri_bytes: max_uri_bytes.min(wabasim::app::MAX_URI_BYTES_CEILING),
                upload_limit: max_upload_bytes,
                media_bytes,
                webhook_allow: Arc::new(webhook_allow),
                shutdown_grace,
                state: state.map(|path| wabasim::app::StateFile {
                    path,
                    max_bytes: state_max_bytes,
                }),
                ..Config::default()
            };
            let limits = Limits::with_max_bytes(max_fixture_bytes);
            let journal = wabasim::journal::JournalLimits {
                entries: journal_size,
                bytes: journal_bytes,
                query_kept: journal_query_bytes,
                body_kept: journal_body_bytes,
                answer_kept: journal_answer_bytes,
            };
            let webhook_allow_shown = match &webhook_allow_text {
                Some(text) => text.trim().to_string(),
                None if config.webhook_allow.is_any() => "* (default on loopback)".to_string(),
                None => "loopback (default beyond loopback)".to_string(),
            };
            print_config(
                listen,
                fixture.as_deref(),
                max_namespaces,
                &journal,
                &config,
                max_fixture_bytes,
                &webhook_allow_shown,
                port_file.as_deref(),
                (&log_level, cli.log_format),
            );
            serve(
                listen,
                fixture,
                max_namespaces,
                journal,
                config,
                limits,
                port_file,
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
            command:
                ScenarioCommand::Run {
                    paths,
                    transcripts,
                    update,
                    snapshots,
                },
        } => wabasim::scenario::cli::run(&paths, &transcripts, update.then_some(&*snapshots)),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let shell = match shell {
                CompletionShell::Bash => clap_complete::Shell::Bash,
                CompletionShell::Zsh => clap_complete::Shell::Zsh,
                CompletionShell::Fish => clap_complete::Shell::Fish,
            };
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "wabasim",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
        Command::Health { url, timeout } => {
            match wabasim::cli::health_check(url.trim_end_matches('/'), timeout) {
                Ok(body) => {
                    println!("{body}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Man => {
            use clap::CommandFactory;
            match clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Proxy(args) => wabasim::parity::cli::proxy(args),
        Command::Replay(args) => wabasim::parity::cli::replay(args),
        Command::Fixture {
            command: FixtureCommand::FromRecording(args),
        } => wabasim::parity::cli::from_recording(args),
        Command::Scenario {
            command: ScenarioCommand::FromRecording(args),
        } => wabasim::parity::cli::to_scenario(args),
        Command::Scenario {
            command: ScenarioCommand::Schema,
        } => {
            print!("{}", wabasim::scenario::json_schema());
            ExitCode::SUCCESS
        }
    }
}

/// The effective `serve` configuration, one block on stderr before the server starts (flags,
/// environment variables and defaults resolved; the admin token masked). Its wording is stable:
/// one `  name: value` line per flag, named as the flag is.
#[allow(clippy::too_many_arguments)] // one per group of flags, read once at start
fn print_config(
    listen: SocketAddr,
    fixture: Option<&std::path::Path>,
    max_namespaces: usize,
    journal: &wabasim::journal::JournalLimits,
    config: &Config,
    max_fixture_bytes: usize,
    webhook_allow: &str,
    port_file: Option<&std::path::Path>,
    logs: (&str, LogFormat),
) {
    let (log_level, log_format) = logs;
    let log_format = match log_format {
        LogFormat::Text => "text",
        LogFormat::Json => "json",
    };
    let port_file = port_file.map_or_else(|| "(none)".to_string(), |p| p.display().to_string());
    let fixture = fixture.map_or_else(
        || "(none: the default world)".to_string(),
        |p| p.display().to_string(),
    );
    let state = config
        .state
        .as_ref()
        .map_or_else(|| "(none)".to_string(), |s| s.path.display().to_string());
    let state_max_bytes = config
        .state
        .as_ref()
        .map_or(wabasim::snapshot::MAX_BYTES, |s| s.max_bytes);
    let admin_token = if config.admin_token.is_some() {
        "******** (set)"
    } else {
        "(none)"
    };
    let ttl = config.namespace_ttl.map_or_else(
        || "(none)".to_string(),
        |d| humantime::format_duration(d).to_string(),
    );
    let namespaces = match config.namespaces {
        wabasim::app::NamespacePolicy::Create => "create",
        wabasim::app::NamespacePolicy::Existing => "existing",
    };
    eprintln!(
        "wabasim configuration:
  listen: {listen}
  fixture: {fixture}
  admin-token: {admin_token}
  strict: {strict}
  namespaces: {namespaces}
  namespace-ttl: {ttl}
  max-namespaces: {max_namespaces}
  max-connections: {max_connections}
  max-uri-bytes: {max_uri_bytes}
  max-upload-bytes: {max_upload_bytes}
  media-bytes: {media_bytes}
  max-params: {max_params}
  max-param-bytes: {max_param_bytes}
  max-fixture-bytes: {max_fixture_bytes}
  journal-size: {journal_size}
  journal-bytes: {journal_bytes}
  journal-query-bytes: {journal_query_bytes}
  journal-body-bytes: {journal_body_bytes}
  journal-answer-bytes: {journal_answer_bytes}
  webhook-allow: {webhook_allow}
  port-file: {port_file}
  state: {state}
  state-max-bytes: {state_max_bytes}
  log-level: {log_level}
  log-format: {log_format}",
        strict = config.strict,
        max_connections = config.max_connections,
        max_uri_bytes = config.max_uri_bytes,
        max_upload_bytes = config.upload_limit,
        media_bytes = config.media_bytes,
        max_params = config.params.max_params,
        max_param_bytes = config.params.max_param_bytes,
        journal_size = journal.entries,
        journal_bytes = journal.bytes,
        journal_query_bytes = journal.query_kept,
        journal_body_bytes = journal.body_kept,
        journal_answer_bytes = journal.answer_kept,
    );
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
    journal: wabasim::journal::JournalLimits,
    config: Config,
    limits: Limits,
    port_file: Option<PathBuf>,
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
        Some(built) => Registry::with_first_world(fixture, built, max_namespaces, journal),
        None => match Registry::with_journal_capacity(fixture, max_namespaces, journal) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
    };
    if let Some(state) = &config.state {
        match wabasim::snapshot::load(&registry, &state.path, state.max_bytes) {
            Ok(Some(n)) => eprintln!("state: {n} namespace(s) read from {}", state.path.display()),
            Ok(None) => eprintln!(
                "state: {} does not exist yet; it is written on shutdown and by POST /__admin/snapshot",
                state.path.display()
            ),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let shared = Arc::new(App::new(registry, config));
    let saving = shared.clone();
    let runtime = match wabasim::cli::runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let code = runtime.block_on(async move {
        let (listener, addr) = match server::bind(listen).await {
            Ok(x) => x,
            Err(e) => {
                eprintln!("error: cannot listen on {listen}: {e}");
                return ExitCode::FAILURE;
            }
        };
        if let Some(path) = &port_file
            && let Err(e) = write_port_file(path, addr)
        {
            eprintln!("error: --port-file {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wabasim listening on http://{addr}");
        server::run(listener, shared, wabasim::cli::shutdown_signal()).await;
        ExitCode::SUCCESS
    });
    if code != ExitCode::SUCCESS {
        return code;
    }
    // After the drain: what in-flight requests changed is in the file.
    match &saving.config.state {
        None => ExitCode::SUCCESS,
        Some(state) => {
            match wabasim::snapshot::save(&saving.registry, &state.path, state.max_bytes) {
                Ok(saved) => {
                    eprintln!(
                        "state: {} namespace(s) saved to {} ({} bytes)",
                        saved.namespaces, saved.path, saved.bytes
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// `--port-file`: the bound address written to a temporary file beside `path`, then renamed
/// over it, so a reader sees no file or the whole address, never part of it.
fn write_port_file(path: &std::path::Path, addr: SocketAddr) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, addr.to_string())?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
