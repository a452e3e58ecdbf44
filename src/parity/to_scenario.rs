//! `wabasim scenario from-recording`: a recording written as a scenario file, so that a real
//! session becomes a snapshot-tested regression case. Each exchange is a step that expects
//! the recorded status, the recorded error values and the recorded top-level keys; gaps of a
//! second or more between exchanges become clock steps; a redacted verification code is read
//! from `/__admin/codes` first, a redacted PIN is `000000`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use super::recording::{Exchange, Recording};
use super::redact::REDACTED;
use super::replay::REPLAY_PIN;
use crate::clock::Timestamp;

/// Alibaba's request-signing parameters: the scenario runner signs each call itself.
const SIGNING_PARAMS: &[&str] = &[
    "Action",
    "Version",
    "Format",
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "Timestamp",
    "SecurityToken",
];

/// The scenario, as YAML text.
pub fn scenario_text(
    recording: &Recording,
    origin: &str,
    fixture: Option<&str>,
    bearer: &str,
) -> String {
    let mut out = String::from("# yaml-language-server: $schema=schema.json\n");
    let _ = writeln!(
        out,
        "name: {}",
        yaml(&Value::from(format!("recorded session {origin}")))
    );
    let _ = writeln!(
        out,
        "source: |\n  wabasim scenario from-recording {origin}: {} exchanges, the first at {}",
        recording.exchanges.len(),
        recording
            .exchanges
            .first()
            .map(|e| e.at.as_str())
            .unwrap_or("-")
    );
    if let Some(f) = fixture {
        let _ = writeln!(out, "fixture: {}", yaml(&Value::from(f)));
    }
    out.push_str("steps:\n");
    let mut last: Option<Timestamp> = None;
    for e in &recording.exchanges {
        let at = Timestamp::parse_rfc3339(&e.at).ok();
        if let (Some(prev), Some(at)) = (last, at) {
            let gap = (at - prev).as_secs();
            if gap >= 1 {
                let _ = writeln!(out, "  - clock: {{advance: {gap}s}}");
            }
        }
        last = at.or(last);
        match e.facade.as_str() {
            "cams" => cams_step(&mut out, e),
            _ => graph_step(&mut out, e, bearer),
        }
    }
    out
}

fn yaml(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn pairs(text: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

fn graph_step(out: &mut String, e: &Exchange, bearer: &str) {
    let r = &e.request;
    let mut query: Vec<(String, String)> = pairs(&r.query);
    let content_type = header(e, "content-type");
    let text = r.body.text.as_str();
    let mut form: Option<Vec<(String, String)>> = None;
    let mut body_json: Option<Value> = None;
    if content_type.starts_with("application/x-www-form-urlencoded") && !text.is_empty() {
        form = Some(pairs(text));
    } else if let Ok(v) = serde_json::from_str::<Value>(text) {
        body_json = Some(v);
    }
    let redacted_code = query
        .iter()
        .chain(form.iter().flatten())
        .any(|(k, v)| k == "code" && v == REDACTED)
        || body_json
            .as_ref()
            .and_then(|j| j.get("code"))
            .and_then(Value::as_str)
            == Some(REDACTED);
    let phone = r
        .path
        .split('/')
        .find(|s| s.len() >= 6 && s.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or("");
    let succeeded = (200..300).contains(&e.response.status);
    if redacted_code && succeeded {
        let _ = writeln!(
            out,
            "  - name: {}\n    admin: GET /__admin/codes?phone_number_id={phone}\n    capture: {{code: codes.-1.code}}",
            yaml(&Value::from(format!(
                "{}. read the code sent to {phone}",
                e.seq
            )))
        );
    }
    let code = if succeeded { "${code}" } else { "000000" };
    let fill = |(k, v): (String, String)| -> Option<(String, Value)> {
        match (k.as_str(), v.as_str()) {
            ("access_token", _) => None,
            ("code", REDACTED) => Some((k, Value::from(code))),
            ("pin", REDACTED) => Some((k, Value::from(REPLAY_PIN))),
            _ => Some((k, Value::from(v))),
        }
    };
    query.retain(|(k, _)| k != "access_token");
    let _ = writeln!(
        out,
        "  - name: {}\n    request: {} {}\n    auth: {}",
        yaml(&Value::from(format!("{}. {} {}", e.seq, r.method, r.path))),
        r.method,
        r.path,
        yaml(&Value::from(bearer))
    );
    let query: Map<String, Value> = query.into_iter().filter_map(fill).collect();
    if !query.is_empty() {
        let _ = writeln!(out, "    query: {}", yaml(&Value::Object(query)));
    }
    if let Some(form) = form {
        let form: Map<String, Value> = form.into_iter().filter_map(fill).collect();
        let _ = writeln!(out, "    form: {}", yaml(&Value::Object(form)));
    }
    if let Some(mut j) = body_json {
        if let Some(obj) = j.as_object_mut() {
            for (k, v) in obj.iter_mut() {
                if v.as_str() == Some(REDACTED) {
                    *v = if k == "pin" {
                        REPLAY_PIN.into()
                    } else {
                        code.into()
                    };
                }
            }
        }
        let _ = writeln!(out, "    json: {}", yaml(&j));
    }
    expect(out, e);
}

/// An Alibaba exchange as the call it made: its action (the `Action` parameter of a V2 request,
/// `x-acs-action` of a V3 one) and its own parameters (query and form body), without the
/// signing ones, which a scenario step or a replay signs afresh.
pub(super) fn cams_call(e: &Exchange) -> (String, BTreeMap<String, String>) {
    let r = &e.request;
    let mut params: BTreeMap<String, String> = pairs(&r.query).into_iter().collect();
    if header(e, "content-type").starts_with("application/x-www-form-urlencoded") {
        params.extend(pairs(&r.body.text));
    }
    let action = params
        .get("Action")
        .cloned()
        .or_else(|| Some(header(e, "x-acs-action").to_string()).filter(|a| !a.is_empty()))
        .unwrap_or_default();
    params.retain(|k, _| !SIGNING_PARAMS.contains(&k.as_str()));
    (action, params)
}

fn cams_step(out: &mut String, e: &Exchange) {
    let (action, params) = cams_call(e);
    let call = json!({"facade": "cams", "action": action, "params": params});
    let _ = writeln!(
        out,
        "  - name: {}\n    request: {}",
        yaml(&Value::from(format!("{}. {action}", e.seq))),
        yaml(&call)
    );
    expect(out, e);
}

/// The recorded status, error values and top-level keys (present, any value).
fn expect(out: &mut String, e: &Exchange) {
    let status = e.response.status;
    let Ok(body) = serde_json::from_str::<Value>(&e.response.body.text) else {
        let _ = writeln!(out, "    expect: {{status: {status}}}");
        return;
    };
    let mut want = Map::new();
    if let Some(error) = body.get("error").and_then(Value::as_object) {
        let kept: Map<String, Value> = error
            .iter()
            .filter(|(k, _)| matches!(k.as_str(), "code" | "error_subcode" | "type" | "message"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        want.insert("error".into(), Value::Object(kept));
    } else if let Some(obj) = body.as_object() {
        for (k, v) in obj {
            let exact = matches!(k.as_str(), "success" | "Code" | "Success");
            want.insert(
                k.clone(),
                if exact {
                    v.clone()
                } else {
                    Value::from("<any>")
                },
            );
        }
    }
    let _ = writeln!(
        out,
        "    expect: {{status: {status}, json: {}}}",
        yaml(&Value::Object(want))
    );
}

fn header<'a>(e: &'a Exchange, name: &str) -> &'a str {
    e.request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}
