//! What the Alibaba ChatApp wire tests (`tests/cams_*.rs`) share: an answer's status and
//! `Code`, a simulator in a namespace of its own, the head every answer carries, bodies with
//! their per-request values redacted for snapshots, namespaces built from the default fixture
//! with one line changed, and the ready number's migration started through cams.

use serde_json::{Value, json};

use super::world::*;
use super::{Reply, Sim};

/// An answer's HTTP status and `Code`.
pub fn outcome(r: &Reply) -> (u16, String) {
    (
        r.status,
        r.json()["Code"].as_str().unwrap_or("").to_string(),
    )
}

pub async fn sim_in(ns: &str) -> Sim {
    let mut sim = Sim::start().await;
    sim.namespace = Some(ns.to_string());
    sim
}

pub const READY: [(&str, &str); 2] = [("CustSpaceId", CAMS_SPACE), ("PhoneNumber", READY_E164)];

/// Every answer's head: JSON content type, and the body's RequestId (an upper-case UUID) in
/// `x-acs-request-id`.
pub fn assert_head(r: &Reply) {
    assert_eq!(
        r.header("content-type"),
        Some("application/json;charset=utf-8")
    );
    let id = r.json()["RequestId"].as_str().unwrap().to_string();
    assert_eq!(r.header("x-acs-request-id"), Some(id.as_str()));
    let groups: Vec<usize> = id.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
    assert!(
        id.bytes()
            .all(|b| b == b'-' || b.is_ascii_digit() || b.is_ascii_uppercase())
    );
}

pub fn redacted(r: &Reply) -> Value {
    let mut v = r.json();
    v["RequestId"] = json!("[request-id]");
    if v.get("Recommend").is_some() {
        v["Recommend"] = json!("[recommend]");
    }
    v
}

/// The default world's fixture text with one change (a line replaced), for a namespace of
/// its own.
pub fn default_fixture_with(from: &str, to: &str) -> String {
    let text = wabasim::DEFAULT_FIXTURE;
    assert!(text.contains(from), "the default fixture has no {from:?}");
    text.replacen(from, to, 1)
}

pub async fn namespace_with_fixture(name: &str, fixture: String) -> Sim {
    let sim = Sim::start().await;
    let r = sim
        .admin(
            "POST",
            "/__admin/namespaces",
            Some(json!({"name": name, "fixture": fixture})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    sim.in_namespace(name)
}

pub async fn start_ready_migration(sim: &Sim) {
    let r = sim
        .cams(
            "CreateChatappMigrationInitiate",
            &[
                ("CustSpaceId", CAMS_SPACE),
                ("CountryCode", "1"),
                ("MobileNumber", READY_NUMBER),
            ],
        )
        .await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
    let mut ask = READY.to_vec();
    ask.extend([("Locale", "en_US"), ("Method", "SMS")]);
    let r = sim.cams("GetMigrationVerifyCode", &ask).await;
    assert_eq!(outcome(&r), (200, "OK".into()), "{}", r.text());
}
