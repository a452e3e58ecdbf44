//! Phone-number management actions that the migration and phone-number flows touch
//! (alibaba-cams-errors.md H5: real 2020-06-06 actions of SDK 5.3.1, which production answers
//! with data): ChatApp's receipt callbacks, per space (UpdateAccountWebhook) and per number
//! (UpdatePhoneWebhook), and the number's WhatsApp business profile
//! (QueryPhoneBusinessProfile, ModifyPhoneBusinessProfile). Parameter and field names are
//! those of the SDK 5.3.1 request and response models.
//!
//! The callbacks are ChatApp's own (its receipts, in its format): ChatApp keeps Meta's
//! webhooks and forwards receipts to its customer, so they live in the facade's binding and
//! show in QueryChatappPhoneNumbers (`StatusCallbackUrl`, `UpCallbackUrl`); Meta's webhook
//! override on the WABA or number is not touched. The business profile is the world's
//! (`world::business_profile`), the record Graph's profile edge reads.

use serde_json::Value;

#[cfg(test)]
use super::Op;
use super::Prepared;
use super::model::{self, PhoneWebhook};
use super::operations::{Handled, number_on, ok, space_waba};
use crate::world::business_profile::BusinessProfile;
use crate::world::vocab::Scope;
use crate::world::{DomainError, Principal, World};

/// `HttpFlag` / `QueueFlag`: `Y` or `N` (the SDK models' documented values).
fn flag(p: &Prepared, name: &str) -> Result<Option<bool>, DomainError> {
    match p.params.non_empty(name) {
        None => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("Y") => Ok(Some(true)),
        Some(v) if v.eq_ignore_ascii_case("N") => Ok(Some(false)),
        Some(_) => Err(DomainError::param(name, format!("{name} must be Y or N."))),
    }
}

/// A callback URL parameter: absent, or an http(s) URL.
fn url(p: &Prepared, name: &str) -> Result<Option<String>, DomainError> {
    match p.params.non_empty(name) {
        None => Ok(None),
        Some(u) if u.starts_with("http://") || u.starts_with("https://") => Ok(Some(u.into())),
        Some(_) => Err(DomainError::param(
            name,
            format!("{name} must be an http or https URL."),
        )),
    }
}

/// The URLs a webhook update leaves: `HttpFlag=N` turns HTTP receipts off (the URLs are
/// cleared); otherwise a URL given replaces the one set.
fn updated(p: &Prepared, old: Option<String>, name: &str) -> Result<Option<String>, DomainError> {
    if flag(p, "HttpFlag")? == Some(false) {
        return Ok(None);
    }
    Ok(url(p, name)?.or(old))
}

/// UpdateAccountWebhook: the space's status-report callback (`StatusCallbackUrl`).
pub fn update_account_webhook(w: &mut World, who: &Principal, p: &Prepared) -> Handled {
    w.require_scope(who, Scope::Management)?;
    let (space, _) = space_waba(w, who, p)?;
    flag(p, "QueueFlag")?; // MNS queues are not simulated: checked, then kept as given
    let old = model::of(w)
        .spaces
        .get(&space)
        .and_then(|s| s.status_callback_url.clone());
    let status = updated(p, old, "StatusCallbackUrl")?;
    if let Some(s) = model::of_mut(w).spaces.get_mut(&space) {
        s.status_callback_url = status;
    }
    Ok(ok(p, |_| {}))
}

/// UpdatePhoneWebhook: one number's callbacks (`StatusCallbackUrl`, `UpCallbackUrl`), which
/// win over the space's.
pub fn update_phone_webhook(w: &mut World, who: &Principal, p: &Prepared) -> Handled {
    w.require_scope(who, Scope::Management)?;
    let (_, waba) = space_waba(w, who, p)?;
    let (id, _) = number_on(w, p, waba)?;
    flag(p, "QueueFlag")?;
    let old = model::of(w)
        .phone_webhooks
        .get(&id)
        .cloned()
        .unwrap_or_default();
    let hook = PhoneWebhook {
        status_callback_url: updated(p, old.status_callback_url, "StatusCallbackUrl")?,
        up_callback_url: updated(p, old.up_callback_url, "UpCallbackUrl")?,
    };
    model::of_mut(w).phone_webhooks.insert(id, hook);
    Ok(ok(p, |_| {}))
}

/// QueryPhoneBusinessProfile: `Data` with the profile's fields (those never set left out).
pub fn query_profile(w: &mut World, who: &Principal, p: &Prepared) -> Handled {
    let (_, waba) = space_waba(w, who, p)?;
    let (id, _) = number_on(w, p, waba)?;
    let profile = w.business_profile(who, &id.to_string())?;
    Ok(ok(p, |o| {
        o.obj("Data", |d| {
            d.opt_str("About", profile.about.as_deref())
                .opt_str("Address", profile.address.as_deref())
                .opt_str("Description", profile.description.as_deref())
                .opt_str("Email", profile.email.as_deref())
                .opt_str("ProfilePictureUrl", profile.profile_picture_url.as_deref())
                .opt_str("Vertical", profile.vertical.as_deref())
                .arr("Websites", |a| {
                    for site in &profile.websites {
                        a.str(site);
                    }
                });
        });
    }))
}

/// ModifyPhoneBusinessProfile: the fields given replace the profile's. `Websites` arrives as
/// the SDK shrinks a list: JSON text (`["https://a.example"]`).
pub fn modify_profile(w: &mut World, who: &Principal, p: &Prepared) -> Handled {
    let (_, waba) = space_waba(w, who, p)?;
    let (id, _) = number_on(w, p, waba)?;
    let text = |name: &str| p.params.non_empty(name).map(str::to_string);
    let websites = match p.params.non_empty("Websites") {
        None => Vec::new(),
        Some(json) => websites(json).ok_or_else(|| {
            DomainError::param(
                "Websites",
                "Websites must be a JSON list of http or https URLs.",
            )
        })?,
    };
    let patch = BusinessProfile {
        about: text("About"),
        address: text("Address"),
        description: text("Description"),
        email: text("Email"),
        profile_picture_url: text("ProfilePictureUrl"),
        vertical: text("Vertical"),
        websites,
    };
    w.update_business_profile(who, &id.to_string(), patch)?;
    Ok(ok(p, |_| {}))
}

/// A JSON list of http(s) URLs.
fn websites(json: &str) -> Option<Vec<String>> {
    let Value::Array(items) = serde_json::from_str::<Value>(json).ok()? else {
        return None;
    };
    items
        .into_iter()
        .map(|v| match v {
            Value::String(s) if s.starts_with("http://") || s.starts_with("https://") => Some(s),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websites_are_a_json_list_of_urls() {
        assert_eq!(
            websites(r#"["https://a.example","http://b.example"]"#).unwrap(),
            ["https://a.example", "http://b.example"]
        );
        assert!(websites("https://a.example").is_none());
        assert!(websites(r#"["ftp://a"]"#).is_none());
        assert!(websites(r#"[1]"#).is_none());
    }

    #[test]
    fn the_operations_are_named_as_the_sdk_names_them() {
        for op in [
            Op::UpdateAccountWebhook,
            Op::UpdatePhoneWebhook,
            Op::QueryPhoneBusinessProfile,
            Op::ModifyPhoneBusinessProfile,
        ] {
            assert!(super::super::actions::is_real(op.name()));
        }
    }
}
