//! A send's `template` object as Meta's Cloud API reads it, shared by every facade that
//! takes Meta's message body (Graph's `POST /{phone}/messages`, 360dialog's `/messages`,
//! which forwards Meta's body as it is).

use serde_json::{Map, Value};

use crate::world::DomainError;
use crate::world::message::Content;

/// A template as a send names it.
pub(crate) struct TemplateSend {
    pub name: String,
    pub language: String,
    pub header_params: usize,
    pub body_params: usize,
}

impl TemplateSend {
    pub(crate) fn content(&self) -> Content<'_> {
        Content::Template {
            name: &self.name,
            language: &self.language,
            header_params: self.header_params,
            body_params: self.body_params,
        }
    }
}

/// `template{name, language{code}, components[{type, parameters[]}]}`: the parameters given
/// to the header and the body, which the world counts against the template (132000).
pub(crate) fn template_send(t: &Map<String, Value>) -> Result<TemplateSend, DomainError> {
    let name = t
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            DomainError::param("template", "Parameter 'name' is mandatory for template")
        })?;
    let language = t
        .get("language")
        .and_then(|l| l.get("code"))
        .and_then(Value::as_str)
        .ok_or_else(|| {
            DomainError::param("template", "Parameter 'language' is mandatory for template")
        })?;
    let count = |kind: &str| -> usize {
        t.get("components")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|c| {
                c.get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|k| k.eq_ignore_ascii_case(kind))
            })
            .filter_map(|c| c.get("parameters").and_then(Value::as_array))
            .map(Vec::len)
            .sum()
    };
    Ok(TemplateSend {
        name: name.to_string(),
        language: language.to_string(),
        header_params: count("header"),
        body_params: count("body"),
    })
}
