//! The Meta Graph API facade: `/{version}/{node}[/{edge}]`.
//!
//! A request is handled in two steps so the server can put scripted faults between them:
//! [`prepare`] reads the request (path, parameters, token) and names the operation;
//! [`execute`] runs it against the world and renders the answer. [`render_error`] and
//! [`render_throttle`] render a scripted fault in Graph's shape for a prepared request;
//! [`early_error`] and [`internal_error`] answer requests that never got that far.
//!
//! The files: `op.rs`, the operations and their routes as one table (names, classification,
//! unmatched-request hints); `prepare.rs` and `execute.rs`, the two steps; `ops/`, one
//! handler per operation; `head.rs`, the head every answer carries; `request.rs`, reading
//! paths, tokens and `?fields=`; `render.rs`, the nodes as JSON; `paging.rs`, cursors and
//! pages; `errors.rs`, every error as Graph answers it; `facade.rs`, Graph's place in the
//! facade list.

pub mod errors;
mod execute;
mod facade;
mod head;
pub mod media_url;
pub mod op;
mod ops;
pub mod paging;
mod prepare;
pub mod render;
pub mod request;
pub(crate) mod template_send;

pub use self::execute::{execute, render_error, render_throttle};
pub use self::facade::Graph;
pub use self::head::{early_error, internal_error};
pub use self::op::{NodeKind, Op};
pub use self::prepare::{Prepared, prepare, prepare_with};
