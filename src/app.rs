//! The one state every request handler shares: the namespaces and the server's settings.
//!
//! It sits at the bottom of the service layer, below the server, the control API, the webhook
//! dispatcher and the embedding API, which all take an [`App`] and none of which the others
//! import for it.

use crate::namespace::Registry;
use crate::wire::limits::ParamLimits;

/// Largest request body a facade reads: 1 MiB. Larger bodies answer 413 in the facade's error
/// shape.
pub const BODY_LIMIT: usize = 1024 * 1024;
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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            body_limit: BODY_LIMIT,
            admin_body_limit: ADMIN_BODY_LIMIT,
            strict: false,
            admin_token: None,
            header_read_timeout: HEADER_READ_TIMEOUT,
            body_read_timeout: BODY_READ_TIMEOUT,
            params: ParamLimits::default(),
        }
    }
}

/// What every request handler shares.
pub struct App {
    pub registry: Registry,
    pub config: Config,
}
