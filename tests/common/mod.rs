//! Test support: a simulator on a real socket, and a small HTTP client for it.
//!
//! Every integration test starts its own in-process simulator on a free loopback port
//! (`Sim::start`), so tests never share state and run in parallel.

#![allow(dead_code)]

pub mod conformance;
pub mod receiver;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

pub use wabasim::Simulator;

/// The default world's values the tests rely on (README, "The default world").
pub mod world {
    pub const NEW_BSP: &str = "wabasim-new-bsp";
    pub const OLD_BSP: &str = "wabasim-old-bsp";
    pub const SOURCE_WABA: &str = "200000000000001";
    pub const DEST_WABA: &str = "200000000000002";
    pub const READY_NUMBER: &str = "5550100001";
    pub const READY_PHONE_ID: &str = "110000000000001";
    pub const ALIBABA_TOKEN: &str = "wabasim-alibaba";
    pub const ALIBABA_WABA: &str = "200000000000011";
    pub const CAMS_AK: &str = "wabasim-ak";
    pub const CAMS_SECRET: &str = "wabasim-secret";
    pub const CAMS_SPACE: &str = "cams-acme";
    /// The ready number as cams writes it: country code and number, digits only.
    pub const READY_E164: &str = "15550100001";
}

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "response is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// An Alibaba answer's HTTP status and `Code`.
    pub fn cams_outcome(&self) -> (u16, String) {
        let code = self.json()["Code"].as_str().unwrap_or("").to_string();
        (self.status, code)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// A simulator plus a client bound to it.
///
/// Every Graph response it receives is checked against Meta's OpenAPI document when the
/// `Sim` is dropped (see `conformance`), so every test that talks Graph is also a
/// conformance test.
pub struct Sim {
    pub sim: Arc<Simulator>,
    client: Client<HttpConnector, Full<Bytes>>,
    /// Sent as `X-Wabasim-Namespace` when set.
    pub namespace: Option<String>,
    /// Graph responses seen, for the conformance check.
    seen: Mutex<Vec<Seen>>,
}

/// A Graph response as the conformance check needs it: (namespace, method, path, status,
/// body).
type Seen = (Option<String>, String, String, u16, Bytes);

impl Sim {
    pub async fn start() -> Sim {
        Sim::with(Simulator::start().await.expect("simulator starts"))
    }

    pub fn with(sim: Simulator) -> Sim {
        let client = Client::builder(TokioExecutor::new()).build_http();
        Sim {
            sim: Arc::new(sim),
            client,
            namespace: None,
            seen: Mutex::new(Vec::new()),
        }
    }

    /// Another client on the same simulator, sending `X-Wabasim-Namespace: name`.
    pub fn in_namespace(&self, name: &str) -> Sim {
        Sim {
            sim: self.sim.clone(),
            client: self.client.clone(),
            namespace: Some(name.to_string()),
            seen: Mutex::new(Vec::new()),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.sim.uri(), path)
    }

    /// Sends a request; `headers` are (name, value) pairs. The namespace header is added,
    /// and a Graph response is kept for the conformance check.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Reply {
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        if let Some(ns) = &self.namespace {
            all.push(("x-wabasim-namespace", ns.as_str()));
        }
        let reply = self.send_exact(method, path, &all, body).await;
        if !path.starts_with("/__admin") {
            self.seen.lock().unwrap().push((
                self.namespace.clone(),
                method.to_string(),
                path.to_string(),
                reply.status,
                reply.body.clone(),
            ));
        }
        reply
    }

    /// Sends a request with exactly these headers (a signed request must not gain any), and
    /// keeps nothing for the Graph conformance check.
    pub async fn send_exact(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Reply {
        let mut builder = http::Request::builder().method(method).uri(self.url(path));
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let req = builder
            .body(Full::new(body.into()))
            .expect("request builds");
        let resp = self.client.request(req).await.expect("request succeeds");
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    v.to_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        let body = resp
            .into_body()
            .collect()
            .await
            .expect("body reads")
            .to_bytes();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        let auth = format!("Bearer {token}");
        self.send("GET", path, &[("authorization", &auth)], Bytes::new())
            .await
    }

    /// POST with a form body, as curl -d and facebook-business send it.
    pub async fn post_form(&self, path: &str, token: &str, form: &[(&str, &str)]) -> Reply {
        let auth = format!("Bearer {token}");
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        self.send(
            "POST",
            path,
            &[
                ("authorization", &auth),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            body,
        )
        .await
    }

    /// POST with a JSON body, as pywa and the Node SDKs send it.
    pub async fn post_json(&self, path: &str, token: &str, json: Value) -> Reply {
        let auth = format!("Bearer {token}");
        self.send(
            "POST",
            path,
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            json.to_string(),
        )
        .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        let auth = format!("Bearer {token}");
        self.send("DELETE", path, &[("authorization", &auth)], Bytes::new())
            .await
    }

    /// A control-API call with an optional JSON body.
    pub async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        self.send(method, path, &[("content-type", "application/json")], body)
            .await
    }

    /// The newest code sent to a phone-number id.
    pub async fn latest_code(&self, phone_id: &str) -> String {
        let r = self
            .admin(
                "GET",
                &format!("/__admin/codes?phone_number_id={phone_id}"),
                None,
            )
            .await;
        let codes = r.json()["codes"].as_array().cloned().unwrap_or_default();
        codes
            .last()
            .and_then(|c| c["code"].as_str())
            .unwrap_or_else(|| panic!("no code was sent to {phone_id}: {}", r.text()))
            .to_string()
    }

    /// Starts a migration of `number` (cc 1) into `waba`; returns the reply.
    pub async fn migrate(&self, waba: &str, number: &str) -> Reply {
        self.post_form(
            &format!("/v23.0/{waba}/phone_numbers"),
            world::NEW_BSP,
            &[
                ("cc", "1"),
                ("phone_number", number),
                ("migrate_phone_number", "true"),
            ],
        )
        .await
    }

    /// The whole migration of the ready number into `waba`; returns the destination id.
    pub async fn migrate_fully(&self, waba: &str) -> String {
        let r = self.migrate(waba, world::READY_NUMBER).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let id = r.json()["id"].as_str().unwrap().to_string();
        let r = self
            .post_form(
                &format!("/v23.0/{id}/request_code"),
                world::NEW_BSP,
                &[("code_method", "SMS"), ("language", "en_US")],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let code = self.latest_code(&id).await;
        let r = self
            .post_form(
                &format!("/v23.0/{id}/verify_code"),
                world::NEW_BSP,
                &[("code", &code)],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let r = self
            .post_json(
                &format!("/v23.0/{id}/register"),
                world::NEW_BSP,
                serde_json::json!({"messaging_product": "whatsapp", "pin": "123456"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        id
    }
}

/// One Alibaba ChatApp call, signed as the official SDK signs it (V3), the namespace header
/// included in the signature as the SDK's `Config.global_parameters` does.
pub struct CamsCall<'a> {
    pub action: &'a str,
    pub query: Vec<(&'a str, &'a str)>,
    /// An old-SDK form body (reference alibaba-cams.md §3.3), signed with its content type.
    pub form: Option<Vec<(&'a str, &'a str)>>,
    pub access_key: &'a str,
    pub secret: &'a str,
    /// `x-acs-date`; the wall clock when `None`, as the SDK signs.
    pub date: Option<String>,
    /// `x-acs-signature-nonce`; a fresh one when `None`.
    pub nonce: Option<String>,
}

impl<'a> CamsCall<'a> {
    pub fn new(action: &'a str, query: &[(&'a str, &'a str)]) -> Self {
        CamsCall {
            action,
            query: query.to_vec(),
            form: None,
            access_key: world::CAMS_AK,
            secret: world::CAMS_SECRET,
            date: None,
            nonce: None,
        }
    }
}

/// A fresh signature nonce: 32 hex characters, unique in this process.
pub fn fresh_nonce() -> String {
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{:016x}{:016x}", wabasim::clock::wall_now().0, n)
}

/// Now on the wall clock, as `x-acs-date` writes it.
pub fn acs_date_now() -> String {
    wabasim::clock::wall_now().rfc3339()
}

impl Sim {
    /// A cams call with the default access key: `action` with query parameters.
    pub async fn cams(&self, action: &str, query: &[(&str, &str)]) -> Reply {
        self.cams_call(CamsCall::new(action, query)).await
    }

    pub async fn cams_call(&self, call: CamsCall<'_>) -> Reply {
        use wabasim::api::cams::signature::V3Call;
        let host = self.sim.address().to_string();
        let body = call
            .form
            .as_ref()
            .map(|f| wabasim::api::cams::signature::encode_query(f))
            .unwrap_or_default();
        let date = call.date.clone().unwrap_or_else(acs_date_now);
        let nonce = call.nonce.clone().unwrap_or_else(fresh_nonce);
        let mut extra: Vec<(&str, &str)> = Vec::new();
        if let Some(ns) = &self.namespace {
            extra.push(("x-wabasim-namespace", ns.as_str()));
        }
        let signed = V3Call {
            host: &host,
            action: call.action,
            query: &call.query,
            body: body.as_bytes(),
            content_type: call
                .form
                .as_ref()
                .map(|_| "application/x-www-form-urlencoded"),
            date: &date,
            nonce: &nonce,
            extra_headers: &extra,
        }
        .sign(call.access_key, call.secret);
        let headers: Vec<(&str, &str)> = signed
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        self.send_exact("POST", &format!("/?{}", signed.raw_query), &headers, body)
            .await
    }

    /// A cams call with the legacy V2 (HMAC-SHA1) signer: every signing field in the query.
    pub async fn cams_v2(&self, action: &str, params: &[(&str, &str)], secret: &str) -> Reply {
        self.cams_v2_with(Some(action), Some("2020-06-06"), params, secret, true)
            .await
    }

    /// A V2-signed call with `Action` and `Version` each optional, with or without the
    /// `x-acs-action`/`x-acs-version` headers the SDKs add (a hand-made V2 request has none).
    pub async fn cams_v2_with(
        &self,
        action: Option<&str>,
        version: Option<&str>,
        params: &[(&str, &str)],
        secret: &str,
        acs_headers: bool,
    ) -> Reply {
        use wabasim::api::cams::signature::{SignedRequest, encode_query, sign_v2};
        let date = acs_date_now();
        let nonce = fresh_nonce();
        let mut all: Vec<(&str, &str)> = Vec::new();
        if let Some(a) = action {
            all.push(("Action", a));
        }
        all.push(("Format", "json"));
        if let Some(v) = version {
            all.push(("Version", v));
        }
        all.extend([("Timestamp", date.as_str()), ("SignatureNonce", &nonce)]);
        all.extend_from_slice(params);
        all.extend([
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("AccessKeyId", world::CAMS_AK),
        ]);
        let query = encode_query(&all);
        let signature = sign_v2(
            &SignedRequest {
                method: "POST",
                path: "/",
                raw_query: &query,
                headers: &[],
                body: b"",
            },
            secret,
        );
        let query = format!("{query}&{}", encode_query(&[("Signature", &signature)]));
        let host = self.sim.address().to_string();
        let mut headers = vec![("host", host.as_str())];
        if acs_headers {
            headers.extend([
                ("x-acs-action", action.unwrap_or("")),
                ("x-acs-version", version.unwrap_or("")),
            ]);
        }
        if let Some(ns) = &self.namespace {
            headers.push(("x-wabasim-namespace", ns.as_str()));
        }
        self.send_exact("POST", &format!("/?{query}"), &headers, Bytes::new())
            .await
    }

    /// The newest code sent to a number (digits with country code).
    pub async fn latest_code_for_number(&self, e164: &str) -> String {
        let r = self
            .admin("GET", &format!("/__admin/codes?phone_number={e164}"), None)
            .await;
        let codes = r.json()["codes"].as_array().cloned().unwrap_or_default();
        codes
            .last()
            .and_then(|c| c["code"].as_str())
            .unwrap_or_else(|| panic!("no code was sent to {e164}: {}", r.text()))
            .to_string()
    }

    /// The ready number's `(SentCount, DeliveredCount)` by day over the fixture's first two
    /// days (GetChatappPhoneNumberMetric in `cams-acme`, which reads the world's ledger).
    pub async fn cams_daily_counts(&self) -> Vec<(i64, i64)> {
        use world::{CAMS_SPACE, READY_E164};
        let r = self
            .cams(
                "GetChatappPhoneNumberMetric",
                &[
                    ("CustSpaceId", CAMS_SPACE),
                    ("PhoneNumber", READY_E164),
                    ("Granularity", "DAILY"),
                    ("Start", "1767225600000"),
                    ("End", "1767398400000"),
                ],
            )
            .await;
        assert_eq!(r.cams_outcome(), (200, "OK".into()), "{}", r.text());
        r.json()["Data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["SentCount"].as_i64().unwrap(),
                    m["DeliveredCount"].as_i64().unwrap(),
                )
            })
            .collect()
    }

    /// The whole migration of the ready number through cams into `cams-acme`; returns the
    /// destination record's id (`Data.Id`).
    pub async fn cams_migrate_fully(&self) -> String {
        use world::{CAMS_SPACE, READY_E164};
        let r = self
            .cams(
                "CreateChatappMigrationInitiate",
                &[
                    ("CustSpaceId", CAMS_SPACE),
                    ("CountryCode", "1"),
                    ("MobileNumber", world::READY_NUMBER),
                ],
            )
            .await;
        assert_eq!(
            (r.status, r.json()["Code"].as_str()),
            (200, Some("OK")),
            "{}",
            r.text()
        );
        let id = r.json()["Data"]["Id"].as_str().unwrap().to_string();
        let number = [("CustSpaceId", CAMS_SPACE), ("PhoneNumber", READY_E164)];
        let mut ask = number.to_vec();
        ask.extend([("Locale", "en_US"), ("Method", "SMS")]);
        let r = self.cams("GetMigrationVerifyCode", &ask).await;
        assert_eq!(r.json()["Code"], "OK", "{}", r.text());
        let code = self.latest_code_for_number(READY_E164).await;
        let mut verify = number.to_vec();
        verify.push(("VerifyCode", &code));
        let r = self.cams("ChatappMigrationVerified", &verify).await;
        assert_eq!(r.json()["Code"], "OK", "{}", r.text());
        let r = self.cams("ChatappMigrationRegister", &number).await;
        assert_eq!(r.json()["Code"], "OK", "{}", r.text());
        id
    }
}

/// Writes raw bytes to the simulator and reads the raw reply (for chunked and malformed
/// requests that a client library would not send).
pub async fn raw_exchange(sim: &Sim, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(sim.sim.address())
        .await
        .expect("connects");
    stream.write_all(request).await.expect("writes");
    let mut out = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_to_end(&mut out),
    )
    .await;
    String::from_utf8_lossy(&out).into_owned()
}

/// Which OpenAPI path a Graph request was for, from the world that answered it.
fn oas_path(sim: &Simulator, namespace: Option<&str>, path: &str) -> Option<String> {
    let path = path.split('?').next().unwrap_or("");
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let rest: &[&str] = match segments.first() {
        Some(v) if v.starts_with('v') && v.contains('.') => &segments[1..],
        _ => &segments[..],
    };
    let (node, edge) = match rest {
        [node] => (*node, None),
        [node, edge] => (*node, Some(*edge)),
        _ => return None,
    };
    let scope = match namespace {
        Some(name) => sim.namespace(name).ok()?,
        None => sim.scope(),
    };
    let kind = scope.raw().with_world(|w| {
        let Some(id) = wabasim::world::parse_id(node) else {
            // Literal nodes (`/oauth/access_token`, `/debug_token`).
            return ["oauth", "debug_token"].into_iter().find(|n| *n == node);
        };
        if w.wabas.contains_key(&id) {
            Some("{WABA-ID}")
        } else if w.phones.contains_key(&id) {
            Some("{Phone-Number-ID}")
        } else if w.templates.contains_key(&id) {
            Some("{Template-ID}")
        } else if w.businesses.contains_key(&id) {
            Some("{Business-ID}")
        } else if w.credit_line_partner(id).is_some() {
            Some("{Extended-Credit-ID}")
        } else if w.media.contains(id) {
            Some("{Media-ID}")
        } else {
            None
        }
    })?;
    Some(match edge {
        Some(e) => format!("/{{Version}}/{kind}/{e}"),
        None => format!("/{{Version}}/{kind}"),
    })
}

/// Graph operations Meta's OpenAPI document does not describe; their bodies are checked by
/// their own tests (reference meta-graph.md §3.8 for migrate_message_templates, §4.3 for a
/// single template).
pub const UNDESCRIBED: &[(&str, &str)] = &[
    ("POST", "/{Version}/{WABA-ID}/migrate_message_templates"),
    ("GET", "/{Version}/{Template-ID}"),
    // Embedded Signup's OAuth, token and credit-sharing calls (reference meta-graph.md §9.1;
    // tests/embedded_signup.rs checks their bodies).
    ("GET", "/{Version}/oauth/access_token"),
    ("GET", "/{Version}/debug_token"),
    (
        "POST",
        "/{Version}/{Extended-Credit-ID}/whatsapp_credit_sharing_and_attach",
    ),
];

impl Sim {
    /// Checks every Graph response seen so far against Meta's OpenAPI document; returns the
    /// failures as text, and how many responses were checked.
    pub fn conformance_failures(&self) -> (Vec<String>, usize) {
        let Some(oas) = conformance::MetaOpenApi::shared() else {
            return (Vec::new(), 0);
        };
        let seen = std::mem::take(&mut *self.seen.lock().unwrap());
        let mut failures = Vec::new();
        let mut checked = 0;
        for (ns, method, path, status, body) in seen {
            let Ok(json) = serde_json::from_slice::<Value>(&body) else {
                failures.push(format!("{method} {path} -> {status}: body is not JSON"));
                continue;
            };
            checked += 1;
            if status >= 400 {
                if let Err(v) = oas.validate_component("GraphAPIError", &json) {
                    failures.push(format!(
                        "{method} {path} -> {status}: error envelope: {v:?}\n{json}"
                    ));
                }
                continue;
            }
            let Some(template) = oas_path(&self.sim, ns.as_deref(), &path) else {
                failures.push(format!(
                    "{method} {path} -> {status}: no OpenAPI path for it"
                ));
                continue;
            };
            if UNDESCRIBED.contains(&(method.as_str(), template.as_str())) {
                continue;
            }
            let outcome = oas.check(&method, &template, status, &json);
            if !outcome.is_ok() {
                failures.push(format!("{method} {path} -> {status}:\n{outcome}{json}"));
            }
        }
        (failures, checked)
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let (failures, _) = self.conformance_failures();
        if !failures.is_empty() {
            panic!(
                "{} Graph response(s) do not conform to Meta's OpenAPI document:\n{}",
                failures.len(),
                failures.join("\n---\n")
            );
        }
    }
}
