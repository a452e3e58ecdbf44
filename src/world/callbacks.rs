//! Alternate callback URLs ("webhook overrides",
//! https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/override/):
//! one per app on a WABA (its subscription, `waba.rs`) or on a business phone number (here),
//! each with its own verify token. Which webhook fields an override applies to is the
//! webhooks layer's business (`webhooks/payload.rs`); the world only keeps them.

use super::{DomainError, Id, Principal, World};

/// An alternate callback URL and the token of its handshake.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CallbackOverride {
    pub uri: String,
    pub verify_token: String,
}

/// The override page: the URL has at most 200 characters.
pub const OVERRIDE_URI_MAX: usize = 200;

/// Reads an `override_callback_uri` and its `verify_token` as Meta documents them: an empty
/// or absent URL removes the override (OAS `WebhookConfiguration`: "can be empty string");
/// otherwise an http(s) URL of at most 200 characters, and a token is required.
pub fn read_override(
    uri: Option<&str>,
    token: Option<&str>,
) -> Result<Option<CallbackOverride>, DomainError> {
    let uri = uri.map(str::trim).filter(|u| !u.is_empty());
    let token = token.map(str::trim).filter(|t| !t.is_empty());
    let Some(uri) = uri else { return Ok(None) };
    if !(uri.starts_with("https://") || uri.starts_with("http://"))
        || uri.chars().count() > OVERRIDE_URI_MAX
    {
        return Err(DomainError::param(
            "override_callback_uri",
            "Param override_callback_uri must be a valid URL",
        ));
    }
    let Some(token) = token else {
        return Err(DomainError::param(
            "verify_token",
            "The parameter verify_token is required when override_callback_uri is set",
        ));
    };
    Ok(Some(CallbackOverride {
        uri: uri.to_string(),
        verify_token: token.to_string(),
    }))
}

impl World {
    /// [`read_override`], then the server's allowlist of callback hosts (`--webhook-allow`):
    /// a URL it does not allow is refused when it is set.
    pub fn checked_override(
        &self,
        uri: Option<&str>,
        token: Option<&str>,
    ) -> Result<Option<CallbackOverride>, DomainError> {
        let o = read_override(uri, token)?;
        if let Some(o) = &o {
            self.callback_allow
                .check_url(&o.uri)
                .map_err(|e| DomainError::param("override_callback_uri", e))?;
        }
        Ok(o)
    }

    /// `POST /{phone_number_id}` with `webhook_configuration`: sets (or, with an empty URL,
    /// removes) the calling app's alternate callback for the number.
    pub fn set_phone_callback(
        &mut self,
        who: &Principal,
        phone: &str,
        uri: Option<&str>,
        verify_token: Option<&str>,
    ) -> Result<(), DomainError> {
        self.require_scope(who, super::vocab::Scope::Management)?;
        let phone = self.managed_phone(who, phone)?.id;
        let app = who.app.ok_or_else(|| {
            DomainError::param(
                "access_token",
                "The access token is not associated with an app that can set a callback",
            )
        })?;
        match self.checked_override(uri, verify_token)? {
            Some(o) => {
                self.phone_callbacks.insert((phone, app), o);
            }
            None => {
                self.phone_callbacks.remove(&(phone, app));
            }
        }
        Ok(())
    }

    /// The app's alternate callback for the phone number, if it set one.
    pub fn phone_callback(&self, phone: Id, app: Id) -> Option<&CallbackOverride> {
        self.phone_callbacks.get(&(phone, app))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_override_needs_a_url_of_at_most_200_characters_and_a_token() {
        assert_eq!(read_override(Some(""), None), Ok(None));
        assert_eq!(read_override(None, Some("t")), Ok(None));
        let ok = read_override(Some(" https://a.example/h "), Some("t")).unwrap();
        assert_eq!(ok.unwrap().uri, "https://a.example/h");
        assert!(read_override(Some("ftp://a"), Some("t")).is_err());
        assert!(read_override(Some("https://a"), None).is_err());
        let long = format!("https://a.example/{}", "x".repeat(200));
        assert!(read_override(Some(&long), Some("t")).is_err());
    }
}
