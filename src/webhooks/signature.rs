//! `X-Hub-Signature-256`: `sha256=` and the lower-case hex HMAC-SHA256 of the exact body
//! bytes, keyed by the app secret (reference meta-graph.md §7.2).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::digest::hex_lower;

/// The header Meta signs deliveries with.
pub const HEADER: &str = "x-hub-signature-256";

/// How a delivery is signed: Meta's `X-Hub-Signature-256: sha256=<hex>` for every Graph
/// webhook, or a facade's own header carrying the bare lower-case hex HMAC-SHA256 (360dialog's
/// `x-360dialog-signature`; its encoding is inferred, 360dialog reference §1.7).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Signing {
    #[default]
    Meta,
    Hex(&'static str),
    /// No signature header at all (360dialog's Messaging API webhooks: it lacks the partner's
    /// app secret, messaging-and-360dialog.md "Webhooks to the partner", INFERRED).
    Unsigned,
}

impl Signing {
    pub fn header(self) -> &'static str {
        match self {
            Signing::Meta => HEADER,
            Signing::Hex(header) => header,
            Signing::Unsigned => "",
        }
    }

    /// The header value for `body` signed with `secret`.
    pub fn sign(self, secret: &str, body: &[u8]) -> String {
        match self {
            Signing::Meta => sign(secret, body),
            Signing::Hex(_) => sign(secret, body)["sha256=".len()..].to_string(),
            Signing::Unsigned => String::new(),
        }
    }
}

/// The header value for `body` signed with `secret`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    format!("sha256={}", hex_lower(&mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_known_vector() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
