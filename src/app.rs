//! The one state every request handler shares: the namespaces and the server's settings.
//!
//! It sits at the bottom of the service layer, below the server, the control API, the webhook
//! dispatcher and the embedding API, which all take an [`App`] and none of which the others
//! import for it.

use std::sync::Arc;

use crate::allowlist::Allowlist;
use crate::namespace::Registry;
use crate::wire::limits::ParamLimits;

/// Largest request body a facade reads: 1 MiB. Larger bodies answer 413 in the facade's error
/// shape.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// [`Config::upload_limit`] by default: 17 MiB, a 16 MiB video or audio file (Meta's limit
/// for both) with room for the form's other fields. A larger document (Meta takes up to
/// 100 MB) needs `--max-upload-bytes`.
pub const UPLOAD_LIMIT: usize = 17 * 1024 * 1024;
/// Largest body the control API reads (fixtures are uploaded there): 16 MiB.
pub const ADMIN_BODY_LIMIT: usize = 16 * 1024 * 1024;
/// [`Config::header_read_timeout`] by default: 30 s.
pub const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// [`Config::body_read_timeout`] by default: 30 s.
pub const BODY_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Server-wide settings.
#[derive(Clone, Debug)]
pub struct Config {
    pub body_limit: usize,
    /// `--max-upload-bytes`: the largest body of a media upload (`Facade::is_upload`).
    pub upload_limit: usize,
    /// `--media-bytes`: the bytes of uploaded media each namespace keeps; the oldest
    /// uploads are forgotten past it.
    pub media_bytes: usize,
    pub admin_body_limit: usize,
    /// `--strict`: an unmatched request answers a loud error naming the closest route.
    pub strict: bool,
    /// `--admin-token`: when set, `/__admin/` (but `GET /__admin/health`) requires it.
    pub admin_token: Option<String>,
    /// How long a client may take to send a request's head (and how long a kept-alive
    /// connection may stay idle); then the connection is closed.
    pub header_read_timeout: std::time::Duration,
    /// How long a client may take to send a request's body; then it is answered 408.
    pub body_read_timeout: std::time::Duration,
    /// `--max-params`, `--max-param-bytes`: parameters per request, and the length of each.
    pub params: ParamLimits,
    /// `--namespaces`: whether a facade call naming an unknown namespace creates it.
    pub namespaces: NamespacePolicy,
    /// `--namespace-ttl`: namespaces no request named for this long are forgotten (never the
    /// default one). `None` (the default): kept until deleted.
    pub namespace_ttl: Option<std::time::Duration>,
    /// `--max-connections`: connections served at once; more wait to be accepted.
    pub max_connections: usize,
    /// `--max-uri-bytes`: the longest path and query a request may have; longer is answered
    /// 414 in the facade's shape. At most [`MAX_URI_BYTES_CEILING`]: hyper itself answers a
    /// longer one with an empty 414 before any of wabasim's code runs.
    pub max_uri_bytes: usize,
    /// `--webhook-allow`: where callback URLs may point (checked when set and at delivery).
    pub webhook_allow: Arc<Allowlist>,
    /// `--shutdown-grace`: on shutdown, how long in-flight requests may take to be answered
    /// and webhook deliveries already due to be sent; then the server stops regardless.
    pub shutdown_grace: std::time::Duration,
    /// `--state`: where the namespaces are saved (graceful shutdown, `POST
    /// /__admin/snapshot`) and read from at start. `None` (the default): nothing is saved.
    pub state: Option<StateFile>,
}

/// `--state FILE` and `--state-max-bytes`.
#[derive(Clone, Debug)]
pub struct StateFile {
    pub path: std::path::PathBuf,
    /// A file over this is refused at start, and a save over it is not written.
    pub max_bytes: u64,
}

/// [`Config::shutdown_grace`] by default: 5 s.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// [`Config::max_uri_bytes`] by default: 60 KiB, under hyper's own limit, so that every URI
/// wabasim refuses is refused in the facade's shape (alibaba-cams-errors.md L6: a JSON body
/// on 414). Alibaba's SDK sends every parameter in the query, template components included.
pub const MAX_URI_BYTES: usize = 60 * 1024;

/// hyper refuses a URI longer than this itself (`u16::MAX - 1`), with an empty 414.
pub const MAX_URI_BYTES_CEILING: usize = 65_534;

/// [`Config::max_connections`] by default: well under the usual 1,024 (soft) descriptor
/// limit minus what the process needs, far above what a CI suite opens.
pub const MAX_CONNECTIONS: usize = 512;

/// What a facade call naming a namespace that does not exist does (`--namespaces`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum NamespacePolicy {
    /// Creates it from the server's fixture (the default: a test names a fresh namespace and
    /// gets a fresh world).
    #[default]
    Create,
    /// Answers an error in the facade's shape; namespaces are made with `POST
    /// /__admin/namespaces` (behind `--admin-token`).
    Existing,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            body_limit: BODY_LIMIT,
            upload_limit: UPLOAD_LIMIT,
            media_bytes: crate::world::media::DEFAULT_MEDIA_BYTES,
            admin_body_limit: ADMIN_BODY_LIMIT,
            strict: false,
            admin_token: None,
            header_read_timeout: HEADER_READ_TIMEOUT,
            body_read_timeout: BODY_READ_TIMEOUT,
            params: ParamLimits::default(),
            namespaces: NamespacePolicy::Create,
            namespace_ttl: None,
            max_connections: MAX_CONNECTIONS,
            max_uri_bytes: MAX_URI_BYTES,
            webhook_allow: Arc::new(Allowlist::any()),
            shutdown_grace: SHUTDOWN_GRACE,
            state: None,
        }
    }
}

/// What every request handler shares.
pub struct App {
    pub registry: Registry,
    pub config: Config,
}

impl App {
    /// The shared state, the registry's worlds held to the config's webhook allowlist.
    pub fn new(registry: Registry, config: Config) -> App {
        registry.set_webhook_allow(config.webhook_allow.clone());
        registry.set_media_bytes(config.media_bytes);
        App { registry, config }
    }
}
