//! The operation handlers, one file per part of the Graph API (phone numbers, registration,
//! templates, the WABA node, subscribed apps, messages, Embedded Signup's follow-up calls), and what they share: how they fail ([`Fail`]),
//! required parameters, `?fields=` selection, and the small bodies (`{"success":true}`,
//! `{"id":...}`).
//!
//! A handler takes the world (`&World` for reads, `&mut World` for changes), the caller and
//! the prepared request, and returns the answer's JSON body. [`execute`](super::execute)
//! chooses the handler and renders the outcome.

pub(super) mod analytics;
pub(super) mod apps;
pub(super) mod media;
pub(super) mod messages;
pub(super) mod phones;
pub(super) mod registration;
pub(super) mod signup;
pub(super) mod templates;
pub(super) mod waba;

use std::borrow::Cow;

use super::errors::GraphError;
use super::prepare::Prepared;
use super::{render, request};
use crate::api::json::Obj;
use crate::api::params::Params;
use crate::world::{DomainError, Id};

/// Why an operation failed: a rule of the world, or something only Graph checks.
pub(super) enum Fail {
    Domain(DomainError),
    Graph(GraphError),
}

impl From<DomainError> for Fail {
    fn from(e: DomainError) -> Self {
        Fail::Domain(e)
    }
}

impl From<GraphError> for Fail {
    fn from(e: GraphError) -> Self {
        Fail::Graph(e)
    }
}

fn missing(param: &str) -> DomainError {
    DomainError::param(param, format!("The parameter {param} is required"))
}

fn required<'a>(params: &'a Params, key: &str) -> Result<Cow<'a, str>, DomainError> {
    params.non_empty(key).ok_or_else(|| missing(key))
}

fn success() -> Vec<u8> {
    br#"{"success":true}"#.to_vec()
}

fn id_body(id: Id) -> Vec<u8> {
    let mut buf = Vec::with_capacity(32);
    let mut o = Obj::new(&mut buf);
    o.id("id", id);
    o.end();
    buf
}

/// The fields `?fields=` asks of a node of `node_type` (its `default` when it asks none).
fn fields(
    p: &Prepared,
    known: &'static [&'static str],
    default: &'static [&'static str],
    node_type: &str,
) -> Result<Cow<'static, [&'static str]>, GraphError> {
    let requested = match p.params.text("fields") {
        Some(f) => {
            // Review row 12: unbalanced braces are Graph's syntax error, not a 200.
            request::check_field_syntax(&f)?;
            Some(request::field_names(&f))
        }
        None => None,
    };
    render::select(requested.as_deref(), known, default, node_type)
}
