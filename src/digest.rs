//! The small digests and encodings the crate needs in more than one place, written once:
//! FNV-1a (64-bit), for stable values derived from a name (a namespace's trace seed, cams
//! request and trace ids, a partner's default portfolio id), and lower-case hex, for bytes
//! (signatures and body hashes).
//!
//! A bottom layer: it depends on nothing in the crate, and nothing here is cryptographic (the
//! HMACs and SHA-256 come from their crates; this only spells their output).

/// The standard FNV-1a 64-bit offset basis, the `basis` of [`fnv1a`] unless a caller needs
/// several independent values from one text.
pub(crate) const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;

/// The FNV 64-bit prime.
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a over `bytes`, starting from `basis` ([`FNV_OFFSET_BASIS`] for the standard hash).
pub(crate) fn fnv1a(bytes: &[u8], basis: u64) -> u64 {
    bytes
        .iter()
        .fold(basis, |h, &b| (h ^ u64::from(b)).wrapping_mul(FNV_PRIME))
}

/// `bytes` as lower-case hex, two digits per byte.
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX_LOWER[usize::from(b >> 4)]));
        out.push(char::from(HEX_LOWER[usize::from(b & 0x0f)]));
    }
    out
}

/// The value of one hex digit, either case.
pub(crate) fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The bytes `text` spells in lower-case hex; `None` for an odd length or any other character.
/// Lower-case only: the cams V3 signature is defined as lower-case hex (alibaba-cams.md §4.1),
/// and accepting other spellings would let a modified header through.
pub(crate) fn hex_decode_lower(text: &str) -> Option<Vec<u8>> {
    let digit = |b: u8| match b {
        b'0'..=b'9' | b'a'..=b'f' => hex_value(b),
        _ => None,
    };
    let bytes = text.as_bytes();
    if bytes.len() % 2 != 0 {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_vectors() {
        // From the FNV reference test suite (64-bit FNV-1a).
        assert_eq!(fnv1a(b"", FNV_OFFSET_BASIS), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a", FNV_OFFSET_BASIS), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar", FNV_OFFSET_BASIS), 0x8594_4171_f739_67e8);
        // Another basis is just another starting value.
        assert_eq!(fnv1a(b"", 7), 7);
        assert_ne!(fnv1a(b"a", 7), fnv1a(b"a", FNV_OFFSET_BASIS));
    }

    #[test]
    fn hex_round_trips_and_is_strict_about_case() {
        let all: Vec<u8> = (0..=255).collect();
        let text = hex_lower(&all);
        assert_eq!(&text[..8], "00010203");
        assert_eq!(&text[text.len() - 4..], "feff");
        assert_eq!(hex_decode_lower(&text), Some(all));
        assert_eq!(hex_decode_lower(""), Some(Vec::new()));
        for bad in ["0", "0A", "zz", "0g", "\u{e9}\u{e9}"] {
            assert_eq!(hex_decode_lower(bad), None, "{bad}");
        }
        assert_eq!(hex_value(b'A'), Some(10));
        assert_eq!(hex_value(b'f'), Some(15));
        assert_eq!(hex_value(b'g'), None);
    }
}
