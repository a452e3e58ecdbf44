//! A phone number's WhatsApp business profile (about, address, description, email, picture,
//! vertical, websites): vendor-neutral, so that every facade reads and changes the same
//! record (ChatApp's QueryPhoneBusinessProfile and ModifyPhoneBusinessProfile today; Graph's
//! `/{phone}/whatsapp_business_profile` can read it later). A number nobody set a profile
//! for has an empty one.

use super::vocab::Scope;
use super::{DomainError, HashMap, Id, Principal, World};

/// The profile's fields; `None` is "not set".
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BusinessProfile {
    pub about: Option<String>,
    pub address: Option<String>,
    pub description: Option<String>,
    pub email: Option<String>,
    pub profile_picture_url: Option<String>,
    pub vertical: Option<String>,
    pub websites: Vec<String>,
}

impl BusinessProfile {
    /// Fields given in `patch` replace this profile's; fields it leaves out are kept.
    pub fn apply(&mut self, patch: BusinessProfile) {
        let keep = |old: &mut Option<String>, new: Option<String>| {
            if new.is_some() {
                *old = new;
            }
        };
        keep(&mut self.about, patch.about);
        keep(&mut self.address, patch.address);
        keep(&mut self.description, patch.description);
        keep(&mut self.email, patch.email);
        keep(&mut self.profile_picture_url, patch.profile_picture_url);
        keep(&mut self.vertical, patch.vertical);
        if !patch.websites.is_empty() {
            self.websites = patch.websites;
        }
    }
}

/// Profiles by phone-number id.
pub type BusinessProfiles = HashMap<Id, BusinessProfile>;

impl World {
    /// The profile of a number the caller manages (empty if never set).
    pub fn business_profile(
        &self,
        who: &Principal,
        phone: &str,
    ) -> Result<BusinessProfile, DomainError> {
        let id = self.managed_phone(who, phone)?.id;
        Ok(self.business_profiles.get(&id).cloned().unwrap_or_default())
    }

    /// Changes the profile of a number the caller manages (management scope).
    pub fn update_business_profile(
        &mut self,
        who: &Principal,
        phone: &str,
        patch: BusinessProfile,
    ) -> Result<(), DomainError> {
        self.require_scope(who, Scope::Management)?;
        let id = self.managed_phone(who, phone)?.id;
        self.business_profiles.entry(id).or_default().apply(patch);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_keeps_what_it_leaves_out() {
        let mut p = BusinessProfile {
            about: Some("a".into()),
            websites: vec!["https://a.example".into()],
            ..BusinessProfile::default()
        };
        p.apply(BusinessProfile {
            email: Some("e@example.com".into()),
            ..BusinessProfile::default()
        });
        assert_eq!(p.about.as_deref(), Some("a"));
        assert_eq!(p.email.as_deref(), Some("e@example.com"));
        assert_eq!(p.websites, ["https://a.example"]);
    }
}
