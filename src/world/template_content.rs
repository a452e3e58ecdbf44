//! What a new template may contain: its language and its components. One rule set for every
//! facade: Graph's `POST /{waba}/message_templates` and Alibaba's `CreateChatappTemplate` both
//! reach it through `World::create_template`.
//!
//! Components are kept in the world as Meta's JSON text (the shape Graph sends and returns),
//! so this is the one place the world reads that text. The rules and their sources:
//! - the language is one of Meta's supported template languages (codes are case-sensitive;
//!   developers.facebook.com/documentation/business-messaging/whatsapp/templates/supported-languages);
//! - every component's `type` is HEADER, BODY, FOOTER, BUTTONS, CAROUSEL or
//!   LIMITED_TIME_OFFER, and a BODY is present (Meta's template components reference);
//! - a HEADER's `format` is TEXT, IMAGE, VIDEO, GIF, DOCUMENT, LOCATION or PRODUCT, and a text
//!   header has at most one variable; a FOOTER has none; button text has none; a URL button's
//!   URL has at most one (Meta's components reference; the same four limits are the
//!   `InvalidParameter.*` codes of Alibaba's error page, reference alibaba-cams.md §6.4).
//!
//! The reference does not say in which order Meta checks these; the order here (language,
//! then each component in the order given, then the missing BODY) is our choice ([INF]).
//! Type and format names are matched case-insensitively, as Meta's documentation writes them
//! both ways (`"type": "header", "format": "text"` and `"HEADER"`, `"TEXT"`).

use serde_json::Value;

use super::DomainError;

/// Meta's supported template languages (the page above, May 2026).
pub const LANGUAGES: &[&str] = &[
    "af", "sq", "ar", "ar_EG", "ar_AE", "ar_LB", "ar_MA", "ar_QA", "az", "be_BY", "bn", "bn_IN",
    "bg", "ca", "zh_CN", "zh_HK", "zh_TW", "hr", "cs", "da", "prs_AF", "nl", "nl_BE", "en",
    "en_GB", "en_US", "en_AE", "en_AU", "en_CA", "en_GH", "en_IE", "en_IN", "en_JM", "en_MY",
    "en_NZ", "en_QA", "en_SG", "en_UG", "en_ZA", "et", "fil", "fi", "fr", "fr_BE", "fr_CA",
    "fr_CH", "fr_CI", "fr_MA", "ka", "de", "de_AT", "de_CH", "el", "gu", "ha", "he", "hi", "hu",
    "id", "ga", "it", "ja", "kn", "kk", "rw_RW", "ko", "ky_KG", "lo", "lv", "lt", "mk", "ms", "ml",
    "mr", "nb", "ps_AF", "fa", "pl", "pt_BR", "pt_PT", "pa", "ro", "ru", "sr", "si_LK", "sk", "sl",
    "es", "es_AR", "es_CL", "es_CO", "es_CR", "es_DO", "es_EC", "es_HN", "es_MX", "es_PA", "es_PE",
    "es_ES", "es_UY", "sw", "sv", "ta", "te", "th", "tr", "uk", "ur", "uz", "vi", "zu",
];

/// Component types a template may have.
pub const COMPONENT_TYPES: &[&str] = &[
    "HEADER",
    "BODY",
    "FOOTER",
    "BUTTONS",
    "CAROUSEL",
    "LIMITED_TIME_OFFER",
];

/// Header formats.
pub const HEADER_FORMATS: &[&str] = &[
    "TEXT", "IMAGE", "VIDEO", "GIF", "DOCUMENT", "LOCATION", "PRODUCT",
];

/// Character limits of Meta's template components page
/// (https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates/components,
/// graph-fidelity-review.md row 2): BODY text 1024, a text HEADER 60, FOOTER 60, a button's
/// text 25. Counted in characters (Unicode scalar values), variables included as written.
pub const BODY_MAX: usize = 1024;
pub const HEADER_MAX: usize = 60;
pub const FOOTER_MAX: usize = 60;
pub const BUTTON_TEXT_MAX: usize = 25;

/// `v[key]` within `max` characters, or the component's length error.
fn limit(v: &Value, key: &str, component: &'static str, max: usize) -> Result<(), DomainError> {
    if text(v, key).chars().count() > max {
        return Err(DomainError::TemplateTextTooLong {
            component,
            limit: max,
        });
    }
    Ok(())
}

/// Checks a new template's language and components (Meta's JSON text).
pub fn check(language: &str, components: &str) -> Result<(), DomainError> {
    if !LANGUAGES.contains(&language) {
        return Err(DomainError::TemplateLanguageUnsupported {
            language: language.to_string(),
        });
    }
    // The facades hand over a JSON array; anything else has no BODY to speak of.
    let parsed: Value = serde_json::from_str(components).unwrap_or(Value::Null);
    let items = parsed.as_array().map(Vec::as_slice).unwrap_or_default();
    let mut body = false;
    for c in items {
        let kind = upper(c, "type");
        match kind.as_str() {
            "BODY" => {
                body = true;
                limit(c, "text", "BODY", BODY_MAX)?;
            }
            "HEADER" => header(c)?,
            "FOOTER" => {
                limit(c, "text", "FOOTER", FOOTER_MAX)?;
                if variables(text(c, "text")) > 0 {
                    return Err(DomainError::TemplateFooterHasVariable);
                }
            }
            "BUTTONS" => buttons(c)?,
            "CAROUSEL" => {
                for card in c
                    .get("cards")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    for cc in card
                        .get("components")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        match upper(cc, "type").as_str() {
                            "HEADER" => header(cc)?,
                            "BUTTONS" => buttons(cc)?,
                            _ => {}
                        }
                    }
                }
            }
            "LIMITED_TIME_OFFER" => {}
            _ => {
                return Err(DomainError::TemplateComponentUnsupported {
                    kind: text(c, "type").to_string(),
                });
            }
        }
    }
    if !body {
        return Err(DomainError::TemplateBodyMissing);
    }
    Ok(())
}

fn header(c: &Value) -> Result<(), DomainError> {
    let format = match upper(c, "format") {
        // A header without `format` but with text is read as a text header.
        f if f.is_empty() && c.get("text").is_some() => "TEXT".to_string(),
        f => f,
    };
    if !HEADER_FORMATS.contains(&format.as_str()) {
        return Err(DomainError::TemplateHeaderFormatUnsupported {
            format: text(c, "format").to_string(),
        });
    }
    if format == "TEXT" {
        limit(c, "text", "HEADER", HEADER_MAX)?;
    }
    if format == "TEXT" && variables(text(c, "text")) > 1 {
        return Err(DomainError::TemplateHeaderTooManyVariables);
    }
    Ok(())
}

fn buttons(c: &Value) -> Result<(), DomainError> {
    for b in c
        .get("buttons")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        limit(b, "text", "BUTTON", BUTTON_TEXT_MAX)?;
        if variables(text(b, "text")) > 0 {
            return Err(DomainError::TemplateButtonTextHasVariable);
        }
        if upper(b, "type") == "URL" && variables(text(b, "url")) > 1 {
            return Err(DomainError::TemplateUrlTooManyVariables);
        }
    }
    Ok(())
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn upper(v: &Value, key: &str) -> String {
    text(v, key).trim().to_ascii_uppercase()
}

/// How many variables a template's HEADER and BODY texts hold, in that order: what a send
/// must give parameters for (132000, reference messaging-and-360dialog.md "Messaging error
/// codes").
pub fn send_variables(components: &str) -> (usize, usize) {
    let (header, body) = send_variable_names(components);
    (header.len(), body.len())
}

/// The variables of a template's HEADER and BODY texts by name (`1`, `first_name`), in
/// order: a facade whose send names its parameters (ChatApp's `TemplateParams`) counts those
/// it was given.
pub fn send_variable_names(components: &str) -> (Vec<String>, Vec<String>) {
    let Ok(Value::Array(list)) = serde_json::from_str::<Value>(components) else {
        return (Vec::new(), Vec::new());
    };
    let names = |kind: &str| {
        list.iter()
            .filter(|c| upper(c, "type") == kind)
            .flat_map(|c| variable_names(text(c, "text")))
            .map(str::to_string)
            .collect()
    };
    (names("HEADER"), names("BODY"))
}

/// How many `{{1}}` / `{{name}}` variables a text holds.
pub fn variables(text: &str) -> usize {
    variable_names(text).len()
}

/// The `{{1}}` / `{{name}}` variables of a text, in order.
fn variable_names(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else { break };
        let name = after[..close].trim();
        if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            names.push(name);
            rest = &after[close + 2..];
        } else {
            // `{{{1}}}`: the variable may start one brace later.
            rest = &rest[open + 1..];
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> &'static str {
        r#"{"type":"BODY","text":"Hi {{1}}"}"#
    }

    fn check_with(extra: &str) -> Result<(), DomainError> {
        check("en_US", &format!("[{}, {extra}]", body()))
    }

    #[test]
    fn counts_positional_and_named_variables() {
        assert_eq!(variables("Hi {{1}} and {{ 2 }}"), 2);
        assert_eq!(variables("Sale on {{sale_date}}!"), 1);
        assert_eq!(variables("{{}} {{a b}} {{1"), 0);
        assert_eq!(variables("{{{1}}}"), 1);
    }

    #[test]
    fn component_texts_have_their_character_limits() {
        let long = |n: usize| "é".repeat(n);
        let body = |t: &str| format!(r#"[{{"type":"BODY","text":"{t}"}}]"#);
        assert_eq!(check("en_US", &body(&long(1024))), Ok(()));
        assert_eq!(
            check("en_US", &body(&long(1025))),
            Err(DomainError::TemplateTextTooLong {
                component: "BODY",
                limit: 1024
            })
        );
        for (component, extra) in [
            ("HEADER", r#"{"type":"HEADER","format":"TEXT","text":"T"}"#),
            ("FOOTER", r#"{"type":"FOOTER","text":"T"}"#),
            (
                "BUTTON",
                r#"{"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"T"}]}"#,
            ),
        ] {
            let max = if component == "BUTTON" { 25 } else { 60 };
            let ok = extra.replace(r#""T""#, &format!("\"{}\"", "x".repeat(max)));
            assert_eq!(check_with(&ok), Ok(()), "{component}");
            let over = extra.replace(r#""T""#, &format!("\"{}\"", "x".repeat(max + 1)));
            assert_eq!(
                check_with(&over),
                Err(DomainError::TemplateTextTooLong {
                    component,
                    limit: max
                }),
                "{component}"
            );
        }
    }

    #[test]
    fn each_rule_has_its_error() {
        assert_eq!(check("en_US", &format!("[{}]", body())), Ok(()));
        assert_eq!(
            check_with(r#"{"type":"FOOTER","text":"Reply {{1}}"}"#),
            Err(DomainError::TemplateFooterHasVariable)
        );
        assert_eq!(check_with(r#"{"type":"footer","text":"Thanks"}"#), Ok(()));
        assert_eq!(
            check_with(r#"{"type":"HEADER","format":"TEXT","text":"{{1}} {{2}}"}"#),
            Err(DomainError::TemplateHeaderTooManyVariables)
        );
        assert_eq!(
            check_with(r#"{"type":"header","format":"text","text":"Sale {{1}}"}"#),
            Ok(())
        );
        assert_eq!(
            check_with(r#"{"type":"HEADER","format":"AUDIO"}"#),
            Err(DomainError::TemplateHeaderFormatUnsupported {
                format: "AUDIO".into()
            })
        );
        assert_eq!(
            check_with(
                r#"{"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Hi {{1}}"}]}"#
            ),
            Err(DomainError::TemplateButtonTextHasVariable)
        );
        assert_eq!(
            check_with(
                r#"{"type":"BUTTONS","buttons":[{"type":"URL","text":"Go","url":"https://x.example/{{1}}/{{2}}"}]}"#
            ),
            Err(DomainError::TemplateUrlTooManyVariables)
        );
        assert_eq!(
            check_with(r#"{"type":"NOPE"}"#),
            Err(DomainError::TemplateComponentUnsupported {
                kind: "NOPE".into()
            })
        );
        assert_eq!(
            check("en_US", r#"[{"type":"FOOTER","text":"x"}]"#),
            Err(DomainError::TemplateBodyMissing)
        );
        assert_eq!(
            check("xx_YY", &format!("[{}]", body())),
            Err(DomainError::TemplateLanguageUnsupported {
                language: "xx_YY".into()
            })
        );
        // Language codes are case-sensitive.
        assert!(check("en_us", &format!("[{}]", body())).is_err());
    }

    #[test]
    fn carousel_cards_follow_the_header_and_button_rules() {
        let card = |buttons: &str| {
            format!(
                r#"{{"type":"CAROUSEL","cards":[{{"components":[{{"type":"HEADER","format":"IMAGE"}},{{"type":"BODY","text":"x"}},{{"type":"BUTTONS","buttons":{buttons}}}]}}]}}"#
            )
        };
        assert_eq!(
            check_with(&card(r#"[{"type":"QUICK_REPLY","text":"Buy"}]"#)),
            Ok(())
        );
        assert_eq!(
            check_with(&card(r#"[{"type":"QUICK_REPLY","text":"Buy {{1}}"}]"#)),
            Err(DomainError::TemplateButtonTextHasVariable)
        );
    }
}
