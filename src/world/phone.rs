//! Phone numbers. A record is the relationship of one number with one WABA (Graph's
//! "WhatsApp Business Account To Number Current Status" node), so a migrated number has two
//! records: the source one, which ends MIGRATED, and the destination one.

use std::collections::VecDeque;

use super::Id;
use super::vocab::{
    AccountMode, CodeMethod, MessagingLimit, NameStatus, PhoneKind, PhoneStatus, Platform, Quality,
    Throughput,
};
use crate::clock::{Duration, Timestamp};

/// One phone-number record.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Phone {
    pub id: Id,
    pub waba: Id,
    /// Country calling code, digits only (`"1"`).
    pub cc: String,
    /// National number, digits only (`"5550100001"`).
    pub number: String,
    pub verified_name: String,
    pub name_status: NameStatus,
    /// A requested display-name change awaiting review.
    pub new_name_status: Option<NameStatus>,
    pub new_verified_name: Option<String>,
    pub quality: Quality,
    pub messaging_limit: MessagingLimit,
    /// Official Business Account (green tick).
    pub official: bool,
    /// The two-step verification PIN; `Some` means two-step verification is on.
    pub pin: Option<String>,
    pub kind: PhoneKind,
    pub status: PhoneStatus,
    pub platform: Platform,
    pub throughput: Throughput,
    pub account_mode: AccountMode,
    /// When ownership was last verified with a code; drives `code_verification_status`.
    pub verified_at: Option<Timestamp>,
    /// The verification status a fixture set for a number that never verified here.
    pub fixture_verification: Option<CodeStatus>,
    pub onboarded_at: Option<Timestamp>,
    pub data_localization_region: Option<String>,
    /// Why this number is waiting for request_code / verify_code / register, if it is.
    pub pending: Option<Pending>,
    pub codes: CodeState,
    pub created_at: Timestamp,
}

/// Why a number needs ownership verification before it can be registered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Pending {
    /// The destination record of a migration in progress (index into `World::migrations`).
    Migration(usize),
    /// A number newly added with `POST /{waba}/phone_numbers` (no migration).
    NewNumber,
}

/// `code_verification_status` (RESTFB enum; OAS disagrees, reference §4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CodeStatus {
    NotVerified,
    Verified,
    Expired,
}

impl CodeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CodeStatus::NotVerified => "NOT_VERIFIED",
            CodeStatus::Verified => "VERIFIED",
            CodeStatus::Expired => "EXPIRED",
        }
    }
}

/// Verification codes requested for a number.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct CodeState {
    /// Times of recent `request_code` calls, for the request limit.
    pub requests: VecDeque<Timestamp>,
    /// The code that will verify the number, if one is outstanding.
    pub current: Option<IssuedCode>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct IssuedCode {
    pub code: String,
    pub issued_at: Timestamp,
    pub method: CodeMethod,
}

impl Phone {
    /// Digits of the full international number, without `+` (`15550100001`).
    pub fn e164_digits(&self) -> String {
        // Called on every request that names a number (fault targets): no formatter.
        let mut digits = String::with_capacity(self.cc.len() + self.number.len());
        digits.push_str(&self.cc);
        digits.push_str(&self.number);
        digits
    }

    /// Whether `e164` (digits, without `+`) is this number: [`Phone::e164_digits`] without
    /// making the string, for checks that run over every number at each change.
    pub fn has_digits(&self, e164: &str) -> bool {
        e164.len() == self.cc.len() + self.number.len()
            && e164.starts_with(self.cc.as_str())
            && e164.ends_with(self.number.as_str())
    }

    /// `+1 555-010-0001`-style display for NANP numbers, `+<cc> <number>` otherwise.
    pub fn display_number(&self) -> String {
        let mut buf = [0u8; 48];
        self.write_display_number(&mut buf).to_string()
    }

    /// `display_number` as the pieces that make it, for a writer that copies them out without
    /// building the text first (the default phone-number answer shows it).
    pub fn display_parts(&self) -> [&str; 6] {
        let n = self.number.as_str();
        match (self.cc == "1", n.get(0..3), n.get(3..6), n.get(6..10)) {
            (true, Some(a), Some(b), Some(c)) if n.len() == 10 => ["+1 ", a, "-", b, "-", c],
            _ => ["+", &self.cc, " ", n, "", ""],
        }
    }

    /// `display_number` into a caller's buffer, without allocating.
    pub fn write_display_number<'b>(&self, buf: &'b mut [u8; 48]) -> &'b str {
        let mut n = 0;
        let mut put = |bytes: &[u8]| {
            let take = bytes.len().min(buf.len() - n);
            buf[n..n + take].copy_from_slice(&bytes[..take]);
            n += take;
        };
        if self.cc == "1" && self.number.len() == 10 {
            put(b"+1 ");
            put(&self.number.as_bytes()[0..3]);
            put(b"-");
            put(&self.number.as_bytes()[3..6]);
            put(b"-");
            put(&self.number.as_bytes()[6..10]);
        } else {
            put(b"+");
            put(self.cc.as_bytes());
            put(b" ");
            put(self.number.as_bytes());
        }
        // Digits and ASCII punctuation only (the world checks numbers are digits).
        std::str::from_utf8(&buf[..n]).unwrap_or("")
    }

    /// Ownership verification as of `now`: a verification lapses after `validity`.
    pub fn code_status(&self, now: Timestamp, validity: Duration) -> CodeStatus {
        match self.verified_at {
            Some(at) if now - at <= validity => CodeStatus::Verified,
            Some(_) => CodeStatus::Expired,
            None => self.fixture_verification.unwrap_or(CodeStatus::NotVerified),
        }
    }

    /// Whether the number is currently registered (serving traffic on its WABA).
    pub fn is_registered(&self) -> bool {
        matches!(
            self.status,
            PhoneStatus::Connected
                | PhoneStatus::Flagged
                | PhoneStatus::Restricted
                | PhoneStatus::RateLimited
        )
    }

    /// Whether this record still represents the number on its WABA (not moved away or deleted).
    pub fn is_live(&self) -> bool {
        !matches!(self.status, PhoneStatus::Migrated | PhoneStatus::Deleted)
    }
}

/// Splits a phone-number parameter into digits, accepting `+`, spaces and dashes as
/// decoration. Returns `None` when anything else appears.
pub fn digits_only(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        match c {
            '0'..='9' => out.push(c),
            '+' | ' ' | '-' | '(' | ')' | '.' => {}
            _ => return None,
        }
    }
    if out.is_empty() { None } else { Some(out) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn has_digits_is_e164_digits_compared() {
        let (world, _) = crate::fixture::Fixture::default_world()
            .instantiate()
            .unwrap();
        let mut checked = 0;
        for phone in world.phones.values() {
            let e164 = phone.e164_digits();
            let changed = format!("{}9", &e164[..e164.len() - 1]);
            let others = [
                e164[1..].to_string(),
                format!("{e164}0"),
                String::new(),
                changed,
            ];
            assert!(phone.has_digits(&e164), "{e164}");
            for other in others {
                assert_eq!(phone.has_digits(&other), other == e164, "{e164} {other}");
            }
            checked += 1;
        }
        assert!(checked > 0, "the default world has numbers");
    }

    #[test]
    fn the_display_numbers_pieces_make_the_display_number() {
        let (world, _) = crate::fixture::Fixture::default_world()
            .instantiate()
            .unwrap();
        let mut phone = world.phones.values().next().unwrap().clone();
        for (cc, number, shown) in [
            ("1", "5550100001", "+1 555-010-0001"),
            ("1", "555010000", "+1 555010000"),
            ("44", "7700900123", "+44 7700900123"),
        ] {
            (phone.cc, phone.number) = (cc.to_string(), number.to_string());
            assert_eq!(phone.display_parts().concat(), shown);
            assert_eq!(phone.display_number(), shown);
        }
    }
}
