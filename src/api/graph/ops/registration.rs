//! Registering a phone number on the Cloud API: the two-step PIN (`POST /{phone}`), the
//! verification code (`request_code`, `verify_code`), `register` and `deregister`.

use super::super::prepare::Prepared;
use super::{Fail, missing, required, success};
use crate::api::params::Params;
use crate::world::{DomainError, Principal, World};

/// `POST /{phone_number_id}`: the two-step PIN (`pin`), the app's alternate callback for the
/// number (`webhook_configuration{override_callback_uri, verify_token}`, OAS
/// `PhoneNumberStatusUpdateRequest`; override page), or both. One operation, `set_pin`, so
/// faults and journals keep matching the route by its first name.
pub fn set_pin(w: &mut World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let node = p.route.node.as_str();
    w.managed_phone(who, node)?;
    let callback = match p.params.json("webhook_configuration") {
        None => None,
        Some(Ok(serde_json::Value::Object(c))) => Some(c),
        Some(_) => {
            return Err(DomainError::param(
                "webhook_configuration",
                "Param webhook_configuration must be a JSON object",
            )
            .into());
        }
    };
    let pin = match p.params.get("pin") {
        Some(_) => Some(required(&p.params, "pin")?.into_owned()),
        None => nested_pin(&p.params),
    };
    if pin.is_none() && callback.is_none() {
        return Err(missing("pin").into());
    }
    if let Some(c) = callback {
        let text = |k: &str| c.get(k).and_then(serde_json::Value::as_str);
        w.set_phone_callback(
            who,
            node,
            text("override_callback_uri"),
            text("verify_token"),
        )?;
    }
    if let Some(pin) = pin {
        w.set_pin(who, node, &pin)?;
    }
    Ok(success())
}

/// OAS models the PIN also as `whatsapp_business_api_data.pin` ([OAS], §3.5).
fn nested_pin(params: &Params) -> Option<String> {
    let data = params.json("whatsapp_business_api_data")?.ok()?;
    data.get("pin")?.as_str().map(str::to_string)
}

pub fn request_code(w: &mut World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let node = p.route.node.as_str();
    w.managed_phone(who, node)?;
    let method = required(&p.params, "code_method")?;
    let language = required(&p.params, "language")?;
    w.request_code(who, node, &method, &language)?;
    Ok(success())
}

pub fn verify_code(w: &mut World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let node = p.route.node.as_str();
    w.managed_phone(who, node)?;
    let code = required(&p.params, "code")?;
    w.verify_code(who, node, &code)?;
    Ok(success())
}

pub fn register(w: &mut World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let node = p.route.node.as_str();
    w.managed_phone(who, node)?;
    let product = required(&p.params, "messaging_product")?;
    let pin = required(&p.params, "pin")?;
    let region = p.params.text("data_localization_region");
    w.register(who, node, &product, &pin, region.as_deref())?;
    Ok(success())
}

pub fn deregister(w: &mut World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    w.deregister(who, &p.route.node)?;
    Ok(success())
}
