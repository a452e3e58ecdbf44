//! The `cams:` section of a fixture: Alibaba ChatApp's AccessKeys (each a partner's), spaces
//! (each bound to a WABA) and the status of business failures. The section is this facade's:
//! it registers it (`Facade::fixture_section`), and the fixture only keeps it as written
//! until the build hands it here, after the parties and WABAs exist.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::model::{self, AccessKey, CamsSpace};
use crate::fixture::section::{Section, error_path};
use crate::fixture::{BuildError, IdText, id_of, partner_ref};
use crate::world::World;

/// The section's key: the facade's id.
const KEY: &str = "cams";

/// What the JSON Schema says the section is.
const DESCRIPTION: &str = "Alibaba Cloud ChatApp bindings.";

/// The `cams:` section, registered by [`super::Cams`].
pub struct CamsSection;

impl Section for CamsSection {
    fn key(&self) -> &'static str {
        KEY
    }

    fn schema(&self, generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut schema = generator.subschema_for::<CamsSpec>();
        schema.insert("description".into(), DESCRIPTION.into());
        schema
    }

    fn build(&self, value: &Value, world: &mut World) -> Result<(), BuildError> {
        let spec: CamsSpec = serde_path_to_error::deserialize(value).map_err(|e| BuildError {
            path: error_path(KEY, &e.path().to_string()),
            message: e.inner().to_string(),
        })?;
        build(&spec, world)
    }

    /// Access keys and spaces with the id of one of the base's replace it, others are added;
    /// `business_error_status: 200` (the opt-in) wins over 400.
    fn lay_over(&self, base: &mut Value, over: Value) {
        let (Value::Object(base), Value::Object(over)) = (base, over) else {
            return;
        };
        for (key, value) in over {
            match (key.as_str(), base.get_mut(&key), value) {
                ("access_keys" | "spaces", Some(Value::Array(items)), Value::Array(more)) => {
                    crate::fixture::merge(items, more, |v| {
                        v.get("id").and_then(Value::as_str).map(str::to_string)
                    })
                }
                ("business_error_status", Some(_), v) if v != 200 => {}
                (_, _, v) => {
                    base.insert(key, v);
                }
            }
        }
    }
}

/// The id of entry `path` (a `what`), refused when an earlier entry took it.
fn not_taken<T>(
    taken: &crate::world::HashMap<String, T>,
    path: &str,
    id: &str,
    what: &str,
) -> Result<(), BuildError> {
    if taken.contains_key(id) {
        return Err(BuildError {
            path: format!("{path}.id"),
            message: format!("duplicate {what} {id:?}"),
        });
    }
    Ok(())
}

/// Builds `cams.access_keys` and then `cams.spaces` into the facade's binding.
fn build(spec: &CamsSpec, world: &mut World) -> Result<(), BuildError> {
    let err = |path: String, message: String| BuildError { path, message };
    model::of_mut(world).business_error_status = Some(spec.business_error_status.as_u16());
    for (i, k) in spec.access_keys.iter().enumerate() {
        let path = format!("cams.access_keys[{i}]");
        not_taken(&model::of(world).access_keys, &path, &k.id, "access key")?;
        let partner = partner_ref(world, &format!("{path}.partner"), &k.partner)?;
        let key = AccessKey {
            secret: k.secret.clone(),
            partner,
        };
        model::of_mut(world).access_keys.insert(k.id.clone(), key);
    }
    for (i, s) in spec.spaces.iter().enumerate() {
        let path = format!("cams.spaces[{i}]");
        not_taken(&model::of(world).spaces, &path, &s.id, "space")?;
        let waba = id_of(&format!("{path}.waba"), &s.waba)?;
        if !world.wabas.contains_key(&waba) {
            return Err(err(format!("{path}.waba"), format!("unknown WABA {waba}")));
        }
        let space = CamsSpace {
            waba,
            status_callback_url: s.status_callback_url.clone(),
            up_callback_url: s.up_callback_url.clone(),
            status_queue: s.status_queue.clone(),
            up_queue: s.up_queue.clone(),
        };
        model::of_mut(world).spaces.insert(s.id.clone(), space);
    }
    Ok(())
}

/// The access keys a fixture's section names, in order (`(id, secret)`): what wabasim's own
/// scenario runner signs with.
pub fn access_keys(fixture: &crate::fixture::Fixture) -> Vec<(String, String)> {
    let Some(value) = fixture.sections.get(KEY) else {
        return Vec::new();
    };
    let spec: CamsSpec = serde_json::from_value(value.clone()).unwrap_or_default();
    spec.access_keys
        .into_iter()
        .map(|k| (k.id, k.secret))
        .collect()
}

#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CamsSpec {
    #[serde(default)]
    pub access_keys: Vec<AccessKeySpec>,
    #[serde(default)]
    pub spaces: Vec<SpaceSpec>,
    /// The HTTP status of ChatApp business failures (a wrong code, a broken migration rule,
    /// an invalid parameter): `400` (the default, as Alibaba answers: the gateway's error
    /// envelope, the SDK raises `ClientException`; alibaba-cams-errors.md H1) or `200` (the
    /// opt-in: `Code` ≠ `OK` in a normal result). Gateway failures (signature, throttling,
    /// missing or ill-typed parameter) are 4xx/5xx either way.
    #[serde(default)]
    pub business_error_status: BusinessErrorStatus,
}

/// `cams.business_error_status`: 400 (the default: alibaba-cams-errors.md H1 [seen]) or 200
/// (the opt-in, for clients written against reference §6.5's old inference).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BusinessErrorStatus {
    Ok,
    #[default]
    BadRequest,
}

impl BusinessErrorStatus {
    pub fn as_u16(self) -> u16 {
        match self {
            BusinessErrorStatus::Ok => 200,
            BusinessErrorStatus::BadRequest => 400,
        }
    }
}

impl<'de> Deserialize<'de> for BusinessErrorStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match u16::deserialize(d)? {
            200 => Ok(BusinessErrorStatus::Ok),
            400 => Ok(BusinessErrorStatus::BadRequest),
            other => Err(serde::de::Error::custom(format!(
                "business_error_status is 200 or 400, not {other}"
            ))),
        }
    }
}

impl JsonSchema for BusinessErrorStatus {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "BusinessErrorStatus".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "400 (default, as Alibaba answers) or 200 (opt-in)",
            "type": "integer",
            "enum": [200, 400],
            "default": 400
        })
    }
}

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessKeySpec {
    pub id: String,
    pub secret: String,
    pub partner: String,
}

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpaceSpec {
    /// The `CustSpaceId`.
    pub id: String,
    pub waba: IdText,
    #[serde(default)]
    pub status_callback_url: Option<String>,
    #[serde(default)]
    pub up_callback_url: Option<String>,
    #[serde(default)]
    pub status_queue: Option<String>,
    #[serde(default)]
    pub up_queue: Option<String>,
}
