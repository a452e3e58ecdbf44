//! Registering a phone number on the Cloud API: the two-step PIN (`POST /{phone}`), the
//! verification code (`request_code`, `verify_code`), `register` and `deregister`.

use super::super::prepare::Prepared;
use super::{Fail, missing, required, success};
use crate::api::params::Params;
use crate::world::{Principal, World};

/// `set_pin`: the two-step verification PIN.
pub fn set_pin(w: &mut World, who: &Principal, p: &Prepared) -> Result<Vec<u8>, Fail> {
    let node = p.route.node.as_str();
    w.managed_phone(who, node)?;
    let pin = match p.params.get("pin") {
        Some(_) => required(&p.params, "pin")?.into_owned(),
        None => nested_pin(&p.params).ok_or_else(|| missing("pin"))?,
    };
    w.set_pin(who, node, &pin)?;
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
