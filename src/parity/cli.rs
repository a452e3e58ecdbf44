//! The parity commands' flags and what they do: `wabasim proxy`, `wabasim replay` and
//! `wabasim fixture from-recording` and `wabasim scenario from-recording` (main.rs only names
//! them).

use std::path::PathBuf;
use std::process::ExitCode;

use super::{from_recording, proxy, recording, replay};

/// `wabasim proxy`: forward to the real services and record every exchange.
#[derive(clap::Args)]
pub struct ProxyArgs {
    /// Where the proxy listens: `PORT`, `:PORT`, `HOST:PORT` or `localhost:PORT`.
    #[arg(long, env = "WABASIM_PROXY_LISTEN", default_value = "127.0.0.1:8789", value_parser = crate::cli::parse_listen)]
    pub listen: std::net::SocketAddr,
    /// Where requests go: `FACADE=URL` (`graph=https://graph.facebook.com`,
    /// `cams=https://cams.ap-southeast-1.aliyuncs.com`), or a bare URL for every facade
    /// without its own. Repeat for several upstreams.
    #[arg(long, required = true)]
    pub upstream: Vec<String>,
    /// The recording to write (one JSON exchange a line; created or truncated).
    #[arg(long)]
    pub record: PathBuf,
    /// Largest request or answer body forwarded, in bytes (past it: 413 or 502 in the
    /// facade's shape).
    #[arg(long, default_value_t = proxy::DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// How long to wait for an upstream's whole answer (`30s`, `2m`).
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub upstream_timeout: std::time::Duration,
    /// Write the bound address to this file once listening.
    #[arg(long)]
    pub port_file: Option<PathBuf>,
    /// A PEM file of roots to trust besides Mozilla's (a staging host or a TLS-inspecting
    /// proxy signed by a private CA).
    #[arg(long)]
    pub upstream_ca: Option<PathBuf>,
}

/// `wabasim replay`: the recording's requests against a fresh simulator; every difference.
#[derive(clap::Args)]
pub struct ReplayArgs {
    /// The recording (`wabasim proxy --record`).
    pub recording: PathBuf,
    /// The world to replay in (default: the one the recording implies, as `wabasim fixture
    /// from-recording` writes it).
    #[arg(long)]
    pub fixture: Option<PathBuf>,
    /// Known, documented differences not to fail on (YAML: `accept: [{exchange, difference,
    /// reason}]`).
    #[arg(long)]
    pub accept: Option<PathBuf>,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// The token sent where the recording has `Bearer [redacted]` (default: the derived
    /// world's `wabasim-replay`).
    #[arg(long, env = "WABASIM_REPLAY_BEARER", hide_env_values = true)]
    pub bearer: Option<String>,
    /// Largest recording read, in bytes.
    #[arg(long, default_value_t = recording::DEFAULT_MAX_BYTES)]
    pub max_recording_bytes: u64,
    /// Where the world clock stands for each exchange: at its recorded time, or `relative`
    /// to the first exchange from the fixture's start.
    #[arg(long, value_enum, default_value_t = replay::ClockMode::Recorded)]
    pub clock: replay::ClockMode,
}

/// `wabasim fixture from-recording`.
#[derive(clap::Args)]
pub struct FromRecordingArgs {
    /// The recording (`wabasim proxy --record`).
    pub recording: PathBuf,
    /// Largest recording read, in bytes.
    #[arg(long, default_value_t = recording::DEFAULT_MAX_BYTES)]
    pub max_recording_bytes: u64,
}

/// `wabasim scenario from-recording`.
#[derive(clap::Args)]
pub struct ToScenarioArgs {
    /// The recording (`wabasim proxy --record`).
    pub recording: PathBuf,
    /// The scenario's `fixture:` (a path relative to where the scenario file will be; default:
    /// none, the default world).
    #[arg(long)]
    pub fixture: Option<String>,
    /// The token each Graph step sends (the recording's is redacted).
    #[arg(long, default_value = from_recording::REPLAY_TOKEN)]
    pub bearer: String,
    /// Largest recording read, in bytes.
    #[arg(long, default_value_t = recording::DEFAULT_MAX_BYTES)]
    pub max_recording_bytes: u64,
}

fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    humantime::parse_duration(text).map_err(|e| e.to_string())
}

pub fn proxy(args: ProxyArgs) -> ExitCode {
    let upstreams = match proxy::Upstreams::parse(&args.upstream) {
        Ok(u) => u,
        Err(e) => return fail(&e),
    };
    let runtime = match crate::cli::runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    runtime.block_on(async move {
        let (listener, addr) = match crate::server::bind(args.listen).await {
            Ok(x) => x,
            Err(e) => return fail(&format!("cannot listen on {}: {e}", args.listen)),
        };
        if let Some(path) = &args.port_file
            && let Err(e) = std::fs::write(path, addr.to_string())
        {
            return fail(&format!("--port-file {}: {e}", path.display()));
        }
        println!(
            "wabasim proxy listening on http://{addr}, recording to {}",
            args.record.display()
        );
        let settings = proxy::Settings {
            upstreams,
            record: args.record,
            max_body_bytes: args.max_body_bytes,
            upstream_timeout: args.upstream_timeout,
            upstream_ca: args.upstream_ca,
        };
        match proxy::run(listener, settings, crate::cli::shutdown_signal()).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e),
        }
    })
}

/// Exit 0 when every difference is accepted, 1 when one is not, 2 when the replay could not
/// run.
pub fn replay(args: ReplayArgs) -> ExitCode {
    let recording = match recording::Recording::load(&args.recording, args.max_recording_bytes) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    let fixture = match &args.fixture {
        Some(path) => crate::fixture::Fixture::load(path).map_err(|e| e.to_string()),
        None => crate::fixture::Fixture::parse(
            &from_recording::fixture_text(&recording),
            "the world the recording implies",
        )
        .map_err(|e| e.to_string()),
    };
    let fixture = match fixture {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let accepted = match replay::load_accepted(args.accept.as_ref()) {
        Ok(a) => a,
        Err(e) => return fail(&e),
    };
    let runtime = match crate::cli::runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let settings = replay::Settings {
        recording: recording.clone(),
        fixture,
        bearer: args
            .bearer
            .unwrap_or_else(|| from_recording::REPLAY_TOKEN.to_string()),
        accepted,
        clock: args.clock,
    };
    let report = match runtime.block_on(replay::run(settings)) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    print!("{}", report.text(&recording));
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report).unwrap_or_default();
        if let Err(e) = std::fs::write(path, text) {
            return fail(&format!("--json {}: {e}", path.display()));
        }
    }
    if report.unaccepted() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

pub fn from_recording(args: FromRecordingArgs) -> ExitCode {
    match recording::Recording::load(&args.recording, args.max_recording_bytes) {
        Ok(r) => {
            print!("{}", from_recording::fixture_text(&r));
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

pub fn to_scenario(args: ToScenarioArgs) -> ExitCode {
    match recording::Recording::load(&args.recording, args.max_recording_bytes) {
        Ok(r) => {
            let origin = args.recording.display().to_string();
            let text = super::to_scenario::scenario_text(
                &r,
                &origin,
                args.fixture.as_deref(),
                &args.bearer,
            );
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}
