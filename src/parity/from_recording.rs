//! `wabasim fixture from-recording`: the world a recording implies, as a fixture, ids kept.
//! What Graph's answers show is taken: WABAs (`GET /{waba}`, and every path that names one),
//! their businesses (`on_behalf_of_business_info`, `owner_business_info`), phone numbers
//! (`GET /{phone}`, `/{waba}/phone_numbers`, and the number a migration request names),
//! templates (`/{waba}/message_templates`) and subscribed apps. Everything the answers do not
//! show takes the fixture's defaults; one partner, app and token (`wabasim-replay`, scoped to
//! every WABA) stand for whoever made the recorded calls, which is what `replay` sends.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::recording::Recording;
use crate::world::vocab::{Category, NameStatus, Platform, Quality, ReviewStatus, TemplateStatus};

/// The token the derived world gives the recording's caller (and `replay` sends by default).
pub const REPLAY_TOKEN: &str = "wabasim-replay";
const REPLAY_APP: &str = "399999999999999";
/// The business of WABAs whose business no answer showed.
const UNKNOWN_BUSINESS: &str = "199999999999999";

#[derive(Default)]
struct World {
    businesses: BTreeMap<String, Value>,
    wabas: BTreeMap<String, Waba>,
    /// Phone number id -> its WABA (when known) and its fields.
    phones: BTreeMap<String, (Option<String>, Value)>,
}

#[derive(Default)]
struct Waba {
    fields: serde_json::Map<String, Value>,
    templates: BTreeMap<String, Value>,
    apps: Vec<String>,
}

/// The fixture, as YAML text (JSON is YAML): the header comment says where it came from.
pub fn fixture_text(recording: &Recording) -> String {
    let mut world = World::default();
    for e in recording.exchanges.iter().filter(|e| e.facade == "graph") {
        let Ok(body) = serde_json::from_slice::<Value>(&e.response.body.to_bytes()) else {
            continue;
        };
        if !(200..300).contains(&e.response.status) {
            continue;
        }
        let segs: Vec<&str> = e.request.path.trim_matches('/').split('/').collect();
        // `/v23.0/{id}/edge` or `/{id}/edge`.
        let segs = match segs.first() {
            Some(v) if v.starts_with('v') && v.contains('.') => &segs[1..],
            _ => &segs[..],
        };
        world.take(e.request.method.as_str(), segs, &body, &e.request.body.text);
    }
    world.render()
}

fn is_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

impl World {
    fn take(&mut self, method: &str, segs: &[&str], body: &Value, request_body: &str) {
        match (method, segs) {
            ("GET", [id]) if is_id(id) => {
                if body.get("display_phone_number").is_some() {
                    self.phone(None, body);
                } else if body.get("message_template_namespace").is_some()
                    || body.get("account_review_status").is_some()
                    || body.get("owner_business_info").is_some()
                {
                    self.waba_object(id, body);
                }
            }
            ("GET", [waba, "phone_numbers"]) if is_id(waba) => {
                self.waba(waba);
                for p in data(body) {
                    self.phone(Some(waba), p);
                }
            }
            ("GET", [waba, "message_templates"]) if is_id(waba) => {
                for t in data(body) {
                    self.template(waba, t);
                }
            }
            ("GET", [waba, "subscribed_apps"]) if is_id(waba) => {
                for a in data(body) {
                    if let Some(id) = a
                        .pointer("/whatsapp_business_api_data/id")
                        .and_then(Value::as_str)
                    {
                        let apps = &mut self.waba(waba).apps;
                        if !apps.iter().any(|x| x == id) {
                            apps.push(id.to_string());
                        }
                    }
                }
            }
            ("POST", [waba, "phone_numbers"]) if is_id(waba) => {
                self.waba(waba);
                self.migrated_number(body, request_body);
            }
            (_, [id, ..]) if is_id(id) && segs.len() > 1 => {
                // Any other edge of an id at least shows that the id exists; which kind it
                // is, the edge says.
                if matches!(
                    segs[1],
                    "message_templates" | "subscribed_apps" | "migrate_message_templates"
                ) {
                    self.waba(id);
                }
            }
            _ => {}
        }
    }

    fn waba(&mut self, id: &str) -> &mut Waba {
        self.wabas.entry(id.to_string()).or_default()
    }

    fn waba_object(&mut self, id: &str, body: &Value) {
        let business = ["on_behalf_of_business_info", "owner_business_info"]
            .iter()
            .find_map(|k| body.get(*k))
            .cloned();
        if let Some(b) = &business
            && let Some(bid) = b.get("id").and_then(Value::as_str)
        {
            let name = b
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("Recorded business");
            self.businesses
                .entry(bid.to_string())
                .or_insert_with(|| json!({"id": bid, "name": name}));
        }
        let waba = self.waba(id);
        if let Some(name) = body.get("name").and_then(Value::as_str) {
            waba.fields.insert("name".into(), name.into());
        }
        if let Some(bid) = business
            .as_ref()
            .and_then(|b| b.get("id"))
            .and_then(Value::as_str)
        {
            waba.fields.insert("business".into(), bid.into());
        }
        if let Some(s) = ReviewStatus::parse(text(body, "account_review_status")) {
            waba.fields
                .insert("account_review_status".into(), s.as_str().into());
        }
    }

    fn phone(&mut self, waba: Option<&str>, p: &Value) {
        let Some(id) = p.get("id").and_then(Value::as_str) else {
            return;
        };
        let (cc, number) = split_display(text(p, "display_phone_number"));
        let mut spec = json!({
            "id": id,
            "cc": cc,
            "number": number,
            "verified_name": p.get("verified_name").and_then(Value::as_str).unwrap_or("Recorded"),
        });
        let fields = [
            (
                "quality_rating",
                Quality::parse(text(p, "quality_rating")).map(|v| v.as_str()),
            ),
            (
                "name_status",
                NameStatus::parse(text(p, "name_status")).map(|v| v.as_str()),
            ),
            (
                "platform",
                Platform::parse(text(p, "platform_type")).map(|v| v.as_str()),
            ),
        ];
        for (key, value) in fields {
            if let Some(v) = value {
                spec[key] = v.into();
            }
        }
        let entry = self
            .phones
            .entry(id.to_string())
            .or_insert((None, Value::Null));
        if let Some(w) = waba {
            entry.0 = Some(w.to_string());
        }
        entry.1 = spec;
    }

    /// A migration request names its number by country code and number; the answer, its id.
    fn migrated_number(&mut self, answer: &Value, request_body: &str) {
        let params: BTreeMap<String, String> = match serde_json::from_str::<Value>(request_body) {
            Ok(Value::Object(m)) => m
                .into_iter()
                .map(|(k, v)| {
                    (
                        k,
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect(),
            _ => form_urlencoded::parse(request_body.as_bytes())
                .into_owned()
                .collect(),
        };
        let (Some(id), Some(cc), Some(number)) = (
            answer.get("id").and_then(Value::as_str),
            params.get("cc"),
            params.get("phone_number"),
        ) else {
            return;
        };
        self.phones.entry(id.to_string()).or_insert_with(|| {
            (
                None,
                json!({"id": id, "cc": cc, "number": number, "verified_name": "Recorded"}),
            )
        });
    }

    fn template(&mut self, waba: &str, t: &Value) {
        let (Some(id), Some(name), Some(language)) = (
            t.get("id").and_then(Value::as_str),
            t.get("name").and_then(Value::as_str),
            t.get("language").and_then(Value::as_str),
        ) else {
            return;
        };
        let mut spec = json!({"id": id, "name": name, "language": language, "category": "UTILITY"});
        if let Some(c) = Category::parse(text(t, "category")) {
            spec["category"] = c.as_str().into();
        }
        if let Some(s) = TemplateStatus::parse(text(t, "status")) {
            spec["status"] = s.as_str().into();
        }
        let score = t
            .pointer("/quality_score/score")
            .and_then(Value::as_str)
            .unwrap_or("");
        if let Some(q) = Quality::parse(score) {
            spec["quality"] = q.as_str().into();
        }
        if let Some(c) = t.get("components").filter(|c| c.is_array()) {
            spec["components"] = c.clone();
        }
        self.waba(waba).templates.insert(id.to_string(), spec);
    }

    fn render(mut self) -> String {
        // Numbers no answer placed on a WABA sit on one of their own ("recorded source").
        let orphans: Vec<Value> = self
            .phones
            .values()
            .filter(|(w, _)| w.as_ref().is_none_or(|w| !self.wabas.contains_key(w)))
            .map(|(_, p)| p.clone())
            .collect();
        let mut wabas = Vec::new();
        let mut business_used = false;
        for (id, w) in &self.wabas {
            let business = w
                .fields
                .get("business")
                .and_then(Value::as_str)
                .map(str::to_string);
            business_used |= business.is_none();
            let phones: Vec<Value> = self
                .phones
                .values()
                .filter(|(pw, _)| pw.as_deref() == Some(id.as_str()))
                .map(|(_, p)| p.clone())
                .collect();
            let mut apps = w.apps.clone();
            apps.push(REPLAY_APP.to_string());
            let mut spec = json!({
                "id": id,
                "name": w.fields.get("name").cloned().unwrap_or_else(|| format!("Recorded WABA {id}").into()),
                "business": business.unwrap_or_else(|| UNKNOWN_BUSINESS.to_string()),
                "partner": "recorded",
                "subscribed_apps": apps,
                "phone_numbers": phones,
                "templates": w.templates.values().cloned().collect::<Vec<_>>(),
            });
            if let Some(s) = w.fields.get("account_review_status") {
                spec["account_review_status"] = s.clone();
            }
            wabas.push(spec);
        }
        if !orphans.is_empty() {
            business_used = true;
            wabas.push(json!({
                "id": "299999999999999",
                "name": "Recorded source (numbers seen only in migration requests)",
                "business": UNKNOWN_BUSINESS,
                "partner": "recorded-source",
                "subscribed_apps": [REPLAY_APP],
                "phone_numbers": orphans,
            }));
        }
        if business_used || self.businesses.is_empty() {
            self.businesses.insert(
                UNKNOWN_BUSINESS.into(),
                json!({"id": UNKNOWN_BUSINESS, "name": "Recorded business"}),
            );
        }
        let fixture = json!({
            "seed": 7,
            "businesses": self.businesses.values().cloned().collect::<Vec<_>>(),
            "partners": [
                {"id": "recorded", "name": "The recording's caller"},
                {"id": "recorded-source", "name": "The source of numbers migrated in the recording"},
            ],
            "apps": [{"id": REPLAY_APP, "name": "Replay", "partner": "recorded", "secret": "wabasim-replay-secret"}],
            "tokens": [{"token": REPLAY_TOKEN, "partner": "recorded", "app": REPLAY_APP,
                        "scopes": ["whatsapp_business_management", "whatsapp_business_messaging"]}],
            "wabas": wabas,
        });
        format!(
            "# The world a wabasim recording implies (wabasim fixture from-recording): ids kept,\n\
             # everything the answers did not show left to the fixture's defaults.\n{}\n",
            serde_json::to_string_pretty(&fixture).unwrap_or_default()
        )
    }
}

fn data(body: &Value) -> impl Iterator<Item = &Value> {
    body.get("data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// `+1 555-010-0001` -> (`1`, `5550100001`): the country code is what precedes the first
/// space; without one, the first digit.
fn split_display(display: &str) -> (String, String) {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    match display.trim().split_once(' ') {
        Some((cc, rest)) if !digits(cc).is_empty() => (digits(cc), digits(rest)),
        _ => {
            let all = digits(display);
            if all.len() > 1 {
                (all[..1].to_string(), all[1..].to_string())
            } else {
                ("1".into(), "5550000000".into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_numbers_split_at_the_country_code() {
        assert_eq!(
            split_display("+1 555-010-0001"),
            ("1".into(), "5550100001".into())
        );
        assert_eq!(
            split_display("+44 7700 900123"),
            ("44".into(), "7700900123".into())
        );
    }
}
