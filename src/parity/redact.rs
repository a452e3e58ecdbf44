//! What a recording never holds: credentials, signatures, verification codes and PINs. Values
//! are replaced by `[redacted]` as the exchange is written, by name: request headers, query
//! and form parameters and JSON keys at any depth, answer JSON keys. The names are every
//! facade's own secrets (`Facade::secret_params`) and the ones below; the recording's header
//! line lists them all.

use serde_json::Value;

use super::recording::Header;

pub const REDACTED: &str = "[redacted]";

/// Headers whose values are credentials or signatures on some facade's wire.
const HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "d360-api-key",
    "x-acs-signature",
    "x-acs-security-token",
    "x-acs-accesskey-id",
    "x-hub-signature",
    "x-hub-signature-256",
    "x-wabasim-admin-token",
];

/// Request parameters that are secrets on some wire besides the facades' own lists: Graph's
/// verification `code` and the Embedded Signup code, tokens being inspected, Alibaba's
/// signature parameters and verification code, 360dialog's partner credentials.
const PARAMS: &[&str] = &[
    "code",
    "input_token",
    "refresh_token",
    "fb_exchange_token",
    "signature",
    "securitytoken",
    "accesskeyid",
    "verifycode",
    "pin",
    "password",
    "username",
    "api_key",
];

/// Answer keys that carry credentials (a token exchange, a created API key).
const ANSWER_KEYS: &[&str] = &[
    "access_token",
    "refresh_token",
    "api_key",
    "token",
    "app_secret",
];

/// The names a recording redacts.
#[derive(Clone, Debug)]
pub struct Redaction {
    headers: Vec<String>,
    params: Vec<String>,
    answer_keys: Vec<String>,
}

impl Default for Redaction {
    fn default() -> Self {
        let mut params: Vec<String> = PARAMS.iter().map(|s| s.to_string()).collect();
        for facade in crate::api::facade::FACADES {
            params.extend(
                facade
                    .secret_params()
                    .iter()
                    .map(|s| s.to_ascii_lowercase()),
            );
        }
        params.sort();
        params.dedup();
        Redaction {
            headers: HEADERS.iter().map(|s| s.to_string()).collect(),
            params,
            answer_keys: ANSWER_KEYS.iter().map(|s| s.to_string()).collect(),
        }
    }
}

impl Redaction {
    pub fn header_line(&self) -> Header {
        Header {
            wabasim_recording: super::recording::FORMAT,
            redacted_headers: self.headers.clone(),
            redacted_params: self.params.clone(),
            redacted_answer_keys: self.answer_keys.clone(),
        }
    }

    /// A header's value as recorded: `Authorization` keeps its scheme.
    pub fn header(&self, name: &str, value: &str) -> String {
        if !self.headers.iter().any(|h| h.eq_ignore_ascii_case(name)) {
            return value.to_string();
        }
        match value.split_once(' ') {
            Some((scheme, _)) if name.eq_ignore_ascii_case("authorization") => {
                format!("{scheme} {REDACTED}")
            }
            _ => REDACTED.to_string(),
        }
    }

    fn is_param(&self, name: &str) -> bool {
        self.params.iter().any(|p| p.eq_ignore_ascii_case(name))
    }

    /// A query string or form body with secret values replaced (names and order kept).
    pub fn form(&self, text: &str) -> String {
        if text.is_empty() {
            return String::new();
        }
        text.split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if self.is_param(&decode(name)) => format!("{name}={REDACTED}"),
                _ => pair.to_string(),
            })
            .collect::<Vec<_>>()
            .join("&")
    }

    /// A request body as recorded: JSON and forms redacted by name, anything else kept.
    pub fn request_body(&self, content_type: &str, body: &[u8]) -> Vec<u8> {
        if let Ok(mut json) = serde_json::from_slice::<Value>(body) {
            redact_json(&mut json, &|k| self.is_param(k));
            return serde_json::to_vec(&json).unwrap_or_default();
        }
        if content_type.starts_with("application/x-www-form-urlencoded")
            && let Ok(text) = std::str::from_utf8(body)
        {
            return self.form(text).into_bytes();
        }
        body.to_vec()
    }

    /// An answer body as recorded: JSON redacted by the answer keys, anything else kept.
    pub fn answer_body(&self, body: &[u8]) -> Vec<u8> {
        match serde_json::from_slice::<Value>(body) {
            Ok(mut json) => {
                let keys = &self.answer_keys;
                redact_json(&mut json, &|k| {
                    keys.iter().any(|a| a.eq_ignore_ascii_case(k))
                });
                serde_json::to_vec(&json).unwrap_or_default()
            }
            Err(_) => body.to_vec(),
        }
    }
}

fn decode(name: &str) -> String {
    form_urlencoded::parse(name.as_bytes())
        .next()
        .map(|(k, _)| k.into_owned())
        .unwrap_or_default()
}

fn redact_json(value: &mut Value, secret: &dyn Fn(&str) -> bool) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if secret(key) && !v.is_object() && !v.is_array() {
                    *v = Value::String(REDACTED.into());
                } else {
                    redact_json(v, secret);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| redact_json(v, secret)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_go_and_everything_else_stays() {
        let r = Redaction::default();
        assert_eq!(
            r.header("Authorization", "Bearer EAAG123"),
            "Bearer [redacted]"
        );
        assert_eq!(r.header("x-acs-signature", "abc"), "[redacted]");
        assert_eq!(
            r.header("content-type", "application/json"),
            "application/json"
        );
        assert_eq!(
            r.form("code=123456&fields=id&access_token=EAA&Signature=x%2By"),
            "code=[redacted]&fields=id&access_token=[redacted]&Signature=[redacted]"
        );
        let body = r.request_body(
            "application/json",
            br#"{"messaging_product":"whatsapp","pin":"123456","backup":{"password":"p"}}"#,
        );
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["pin"], REDACTED);
        assert_eq!(v["backup"]["password"], REDACTED);
        assert_eq!(v["messaging_product"], "whatsapp");
        // An answer's `code` is an error code: kept; its tokens are not.
        let answer = r.answer_body(br#"{"error":{"code":100},"access_token":"EAA"}"#);
        let v: Value = serde_json::from_slice(&answer).unwrap();
        assert_eq!(v["error"]["code"], 100);
        assert_eq!(v["access_token"], REDACTED);
    }
}
