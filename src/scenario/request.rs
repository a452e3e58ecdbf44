//! A step's HTTP request: the `${name}` interpolation of captured values, the method and
//! path of each kind of step (`request:`, `admin:`, `clock:`, `webhook:`), its query, auth,
//! body and headers, its timeout, and a facade call signed as that facade's SDK would sign it.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::{ClockStep, RequestSpec, Step, WebhookWait};
use crate::Simulator;
use crate::clock::Duration;

/// An exchange to make.
pub(super) struct Request {
    pub(super) method: String,
    pub(super) path: String,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Vec<u8>,
    pub(super) timeout: std::time::Duration,
}

const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Turns a step into the exchange to make.
pub(super) fn build(
    step: &Step,
    vars: &HashMap<String, Value>,
    sim: &Simulator,
) -> Result<Request, String> {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut body: Vec<u8> = Vec::new();
    let mut timeout = step_timeout(step)?;
    let (method, path) = if let Some(RequestSpec::Line(line)) = &step.request {
        split_line(&interpolate_text(line, vars)?)?
    } else if let Some(RequestSpec::Call(call)) = &step.request {
        return signed_call(step, call, vars, sim, timeout);
    } else if let Some(line) = &step.admin {
        let (m, p) = split_line(&interpolate_text(line, vars)?)?;
        if !p.starts_with("/__admin") {
            return Err(format!(
                "admin: {p} is not a control-API path (/__admin/...)"
            ));
        }
        (m, p)
    } else if let Some(c) = &step.clock {
        let (p, b) = clock_call(c)?;
        headers.push(("content-type".into(), "application/json".into()));
        body = b.to_string().into_bytes();
        ("POST".to_string(), format!("/__admin/clock/{p}"))
    } else if let Some(w) = &step.webhook {
        webhook_wait(w, vars, &mut timeout)?
    } else {
        return Err("give one of request, admin, clock or webhook".into());
    };

    let path = with_query(path, step, vars)?;
    if let Some(token) = &step.auth {
        headers.push((
            "authorization".into(),
            format!("Bearer {}", interpolate_text(token, vars)?),
        ));
    }
    content(step, vars, &mut headers, &mut body)?;
    for (k, v) in &step.headers {
        let v = interpolate_text(v, vars)?;
        headers.retain(|(name, _)| !name.eq_ignore_ascii_case(k));
        headers.push((k.to_ascii_lowercase(), v));
    }
    Ok(Request {
        method,
        path,
        headers,
        body,
        timeout,
    })
}

/// The step's `timeout:`, or [`DEFAULT_TIMEOUT`].
fn step_timeout(step: &Step) -> Result<std::time::Duration, String> {
    let Some(t) = &step.timeout else {
        return Ok(DEFAULT_TIMEOUT);
    };
    let d = Duration::parse(t).map_err(|e| format!("timeout: {e}"))?;
    if d.0 <= 0 {
        return Err(format!("timeout: {t:?} must be longer than 0s"));
    }
    Ok(std::time::Duration::from_millis(d.0 as u64))
}

/// A `clock:` step's control-API call: the last part of its path and its JSON body.
fn clock_call(c: &ClockStep) -> Result<(&'static str, Value), String> {
    Ok(match (&c.advance, &c.set, c.freeze, c.unfreeze) {
        (Some(d), None, false, false) => ("advance", json!({"duration": d})),
        (None, Some(t), false, false) => ("set", json!({"to": t})),
        (None, None, true, false) => ("freeze", json!({})),
        (None, None, false, true) => ("unfreeze", json!({})),
        _ => return Err("clock: give one of advance, set, freeze or unfreeze".into()),
    })
}

/// `path` with the step's `query:` appended.
fn with_query(
    mut path: String,
    step: &Step,
    vars: &HashMap<String, Value>,
) -> Result<String, String> {
    if !step.query.is_empty() {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &step.query {
            q.append_pair(k, &param_text(&interpolate_json(v, vars)?));
        }
        path.push(if path.contains('?') { '&' } else { '?' });
        path.push_str(&q.finish());
    }
    Ok(path)
}

/// The step's body (`form:`, `json:` or `body:`, at most one) into `body`, with its content
/// type into `headers`.
fn content(
    step: &Step,
    vars: &HashMap<String, Value>,
    headers: &mut Vec<(String, String)>,
    body: &mut Vec<u8>,
) -> Result<(), String> {
    let given = [
        step.form.is_some(),
        step.json.is_some(),
        step.body.is_some(),
    ];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err("give at most one of form, json or body".into());
    }
    if let Some(form) = &step.form {
        let mut f = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form {
            f.append_pair(k, &param_text(&interpolate_json(v, vars)?));
        }
        headers.push((
            "content-type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        *body = f.finish().into_bytes();
    }
    if let Some(j) = &step.json {
        headers.push(("content-type".into(), "application/json".into()));
        *body = interpolate_json(j, vars)?.to_string().into_bytes();
    }
    if let Some(b) = &step.body {
        *body = interpolate_text(b, vars)?.into_bytes();
    }
    Ok(())
}

/// A `webhook:` step's long poll of the control API, its timeout long enough for the wait.
fn webhook_wait(
    w: &WebhookWait,
    vars: &HashMap<String, Value>,
    timeout: &mut std::time::Duration,
) -> Result<(String, String), String> {
    let wait = w.wait.clone().unwrap_or_else(|| "5s".into());
    let waited = Duration::parse(&wait).map_err(|e| format!("webhook.wait: {e}"))?;
    *timeout = (*timeout).max(std::time::Duration::from_millis(
        waited.0.max(0) as u64 + 10_000,
    ));
    let mut q = form_urlencoded::Serializer::new(String::new());
    if let Some(f) = &w.field {
        q.append_pair("field", &interpolate_text(f, vars)?);
    }
    if let Some(waba) = &w.waba {
        q.append_pair("waba", &interpolate_text(waba, vars)?);
    }
    q.append_pair("state", w.state.as_deref().unwrap_or("delivered"));
    q.append_pair("wait", &wait);
    Ok((
        "GET".to_string(),
        format!("/__admin/webhooks?{}", q.finish()),
    ))
}

/// A facade call, as that facade's SDK would send it (`Facade::scripted_request`: signed, for
/// Alibaba ChatApp).
fn signed_call(
    step: &Step,
    call: &super::FacadeCall,
    vars: &HashMap<String, Value>,
    sim: &Simulator,
    timeout: std::time::Duration,
) -> Result<Request, String> {
    let facade = crate::api::facade::by_id(&call.facade).ok_or_else(|| {
        format!(
            "request.facade: unknown facade {:?}; facades: {} (Graph requests are written \"METHOD /path\")",
            call.facade,
            crate::api::facade::ids().join(", ")
        )
    })?;
    if step.auth.is_some()
        || !step.query.is_empty()
        || step.form.is_some()
        || step.json.is_some()
        || step.body.is_some()
    {
        return Err(format!(
            "a {} call takes its parameters in request.params (auth, query, form, json and body would break its signature)",
            call.facade
        ));
    }
    let mut params: Vec<(String, String)> = Vec::with_capacity(call.params.len());
    for (k, v) in &call.params {
        params.push((k.clone(), param_text(&interpolate_json(v, vars)?)));
    }
    let mut headers: Vec<(String, String)> = Vec::with_capacity(step.headers.len());
    for (k, v) in &step.headers {
        headers.push((k.to_ascii_lowercase(), interpolate_text(v, vars)?));
    }
    let access_key = call
        .access_key
        .as_deref()
        .map(|k| interpolate_text(k, vars))
        .transpose()?;
    let secret = call
        .secret
        .as_deref()
        .map(|s| interpolate_text(s, vars))
        .transpose()?;
    let fixture = sim.shared().registry.fixture();
    let scripted = crate::api::facade::ScriptedCall {
        action: &interpolate_text(&call.action, vars)?,
        params: &params,
        access_key: access_key.as_deref(),
        secret: secret.as_deref(),
        headers: &headers,
        host: &sim.address().to_string(),
        fixture: &fixture,
    };
    let request = facade.scripted_request(&scripted).ok_or_else(|| {
        format!(
            "request.facade: {} requests are written \"METHOD /path\", not as a call",
            call.facade
        )
    })??;
    Ok(Request {
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body,
        timeout,
    })
}

fn split_line(line: &str) -> Result<(String, String), String> {
    let mut parts = line.split_whitespace();
    // A URL the simulator answered (a media URL, captured) names its own host: its path and
    // query go to this run's simulator.
    let path_of = |p: &str| {
        let rest = p.strip_prefix("http://").or(p.strip_prefix("https://"))?;
        rest.find('/').map(|i| rest[i..].to_string())
    };
    let path = match (parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(p), None) if p.starts_with('/') => Some((m, p.to_string())),
        (Some(m), Some(p), None) => path_of(p).map(|p| (m, p)),
        _ => None,
    };
    path.map(|(m, p)| (m.to_ascii_uppercase(), p))
        .ok_or_else(|| {
            format!("{line:?}: write a request as \"METHOD /path\" (or a captured http:// URL)")
        })
}

/// A parameter value as text: strings as they are, anything else as JSON.
fn param_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Replaces `${name}` with captured values.
pub(super) fn interpolate_text(
    text: &str,
    vars: &HashMap<String, Value>,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("{text:?}: unclosed ${{"))?;
        let name = &after[..end];
        let value = vars.get(name).ok_or_else(|| {
            let mut known: Vec<&str> = vars.keys().map(String::as_str).collect();
            known.sort();
            format!(
                "${{{name}}} was never captured (captured so far: {})",
                if known.is_empty() {
                    "nothing".to_string()
                } else {
                    known.join(", ")
                }
            )
        })?;
        out.push_str(&param_text(value));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Interpolates every string of a JSON value; a string that is exactly `${name}` takes the
/// captured value with its type.
pub(super) fn interpolate_json(v: &Value, vars: &HashMap<String, Value>) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => {
            if let Some(name) = s.strip_prefix("${").and_then(|r| r.strip_suffix('}'))
                && !name.contains("${")
                && let Some(value) = vars.get(name)
            {
                value.clone()
            } else {
                Value::String(interpolate_text(s, vars)?)
            }
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| interpolate_json(x, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| Ok((k.clone(), interpolate_json(x, vars)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}
