//! A small JSON writer for response bodies on hot paths: it writes straight into a byte
//! buffer in the order fields are given (Graph's field order follows the request), without an
//! intermediate `serde_json::Value`. Strings are escaped by serde_json.

/// What an object and an array share: the buffer, and whether the next item is the first
/// (which no comma comes before).
struct Items<'a> {
    buf: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Items<'a> {
    fn open(buf: &'a mut Vec<u8>, bracket: u8) -> Items<'a> {
        buf.push(bracket);
        Items { buf, first: true }
    }

    /// The comma before every item but the first.
    fn next(&mut self) {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
    }

    /// A nested object as the next item, written by `f`.
    fn obj(&mut self, f: impl FnOnce(&mut Obj<'_>)) {
        let mut inner = Obj::new(self.buf);
        f(&mut inner);
        inner.end();
    }
}

/// Writes one JSON object into `buf`; call [`Obj::end`] to close it.
pub struct Obj<'a>(Items<'a>);

impl<'a> Obj<'a> {
    pub fn new(buf: &'a mut Vec<u8>) -> Obj<'a> {
        Obj(Items::open(buf, b'{'))
    }

    // Inlined into each writer: a call for these few stores cost as much as the stores
    // (every field of every answer writes one).
    #[inline]
    fn key(&mut self, key: &str) {
        self.0.next();
        // Keys are field names from this code base: they never need escaping.
        debug_assert!(!needs_escape(key), "{key:?}");
        let buf = &mut *self.0.buf;
        buf.push(b'"');
        buf.extend_from_slice(key.as_bytes());
        buf.extend_from_slice(b"\":");
    }

    pub fn str(&mut self, key: &str, value: &str) -> &mut Self {
        self.key(key);
        write_str(self.0.buf, value);
        self
    }

    /// A string value given in pieces, written as one string: the pieces are copied out and
    /// what they make is checked once (escaping is per character); if it needs escaping, it
    /// is written again through [`write_str`].
    pub fn str_parts(&mut self, key: &str, parts: &[&str]) -> &mut Self {
        self.key(key);
        let buf = &mut *self.0.buf;
        let start = buf.len();
        buf.push(b'"');
        for p in parts {
            buf.extend_from_slice(p.as_bytes());
        }
        if any_escaped(&buf[start + 1..]) {
            buf.truncate(start);
            write_str(buf, &parts.concat());
        } else {
            buf.push(b'"');
        }
        self
    }

    pub fn opt_str(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.str(key, v);
        }
        self
    }

    pub fn bool(&mut self, key: &str, value: bool) -> &mut Self {
        self.key(key);
        self.0
            .buf
            .extend_from_slice(if value { b"true" } else { b"false" });
        self
    }

    /// A Graph id: a number written as a JSON string, without an intermediate `String`.
    pub fn id(&mut self, key: &str, value: u64) -> &mut Self {
        self.key(key);
        write_id(self.0.buf, value);
        self
    }

    pub fn num(&mut self, key: &str, value: i64) -> &mut Self {
        self.key(key);
        self.0.buf.extend_from_slice(value.to_string().as_bytes());
        self
    }

    /// A value that is already JSON text.
    pub fn raw(&mut self, key: &str, json: &str) -> &mut Self {
        self.key(key);
        self.0.buf.extend_from_slice(json.as_bytes());
        self
    }

    /// A nested object.
    pub fn obj(&mut self, key: &str, f: impl FnOnce(&mut Obj<'_>)) -> &mut Self {
        self.key(key);
        self.0.obj(f);
        self
    }

    /// A nested array, written by `f` through an [`Arr`].
    pub fn arr(&mut self, key: &str, f: impl FnOnce(&mut Arr<'_>)) -> &mut Self {
        self.key(key);
        let mut inner = Arr::new(self.0.buf);
        f(&mut inner);
        inner.end();
        self
    }

    pub fn end(self) {
        self.0.buf.push(b'}');
    }
}

/// Writes one JSON array into `buf`; call [`Arr::end`] to close it.
pub struct Arr<'a>(Items<'a>);

impl<'a> Arr<'a> {
    pub fn new(buf: &'a mut Vec<u8>) -> Arr<'a> {
        Arr(Items::open(buf, b'['))
    }

    pub fn str(&mut self, value: &str) -> &mut Self {
        self.0.next();
        write_str(self.0.buf, value);
        self
    }

    pub fn id(&mut self, value: u64) -> &mut Self {
        self.0.next();
        write_id(self.0.buf, value);
        self
    }

    pub fn obj(&mut self, f: impl FnOnce(&mut Obj<'_>)) -> &mut Self {
        self.0.next();
        self.0.obj(f);
        self
    }

    pub fn end(self) {
        self.0.buf.push(b']');
    }
}

/// Bytes JSON must escape in a string: control characters, `"` and `\\`.
const ESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        table[i] = true;
        i += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Eight bytes at a time (a string is escaped only if some byte is below 0x20, `"` or `\\`):
/// names and values in answers are mostly 5 to 30 bytes, so this is the check's whole cost.
fn needs_escape(s: &str) -> bool {
    any_escaped(s.as_bytes())
}

fn any_escaped(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Whether any byte of `x` is zero (the classic test: exact, no false positive).
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS != 0;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_ne_bytes(word);
        // A byte below 0x20 has none of the bits 0xE0 (ASCII text always has one of them).
        let control = has_zero(x & u64::from_ne_bytes([0xE0; 8]));
        let quote = has_zero(x ^ u64::from_ne_bytes([b'"'; 8]));
        let backslash = has_zero(x ^ u64::from_ne_bytes([b'\\'; 8]));
        if control || quote || backslash {
            return true;
        }
    }
    chunks.remainder().iter().any(|b| ESCAPED[*b as usize])
}

/// Appends `value` in decimal, quoted.
pub fn write_id(buf: &mut Vec<u8>, value: u64) {
    buf.push(b'"');
    write_u64(buf, value);
    buf.push(b'"');
}

/// Appends `value` in decimal, without going through `fmt` (itoa: two digits a step, where a
/// digit at a time cost some 170 instructions for a 15-digit id).
pub fn write_u64(buf: &mut Vec<u8>, value: u64) {
    buf.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

/// Appends `s` as a JSON string literal.
pub fn write_str(buf: &mut Vec<u8>, s: &str) {
    // Ids, enum values and most names need no escaping: copy them in one go, and leave the
    // rest (quotes, backslashes, control characters) to serde_json.
    if !needs_escape(s) {
        buf.reserve(s.len() + 2);
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
    } else {
        // Serialising a &str into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *buf, s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_nested_json_in_order() {
        let mut buf = Vec::new();
        let mut o = Obj::new(&mut buf);
        o.str("b", "x\"y")
            .num("a", -3)
            .bool("t", true)
            .obj("o", |o| {
                o.str("k", "v");
            })
            .arr("l", |a| {
                a.str("1").obj(|o| {
                    o.raw("r", "[1]");
                });
            });
        o.end();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            r#"{"b":"x\"y","a":-3,"t":true,"o":{"k":"v"},"l":["1",{"r":[1]}]}"#
        );
    }

    #[test]
    fn the_word_at_a_time_check_finds_every_escaped_byte_wherever_it_is() {
        for b in 0..=255u8 {
            for len in [1usize, 7, 8, 9, 16, 17] {
                for at in 0..len {
                    let mut text = vec![b'a'; len];
                    text[at] = b;
                    assert_eq!(
                        any_escaped(&text),
                        ESCAPED[b as usize],
                        "{b:#x} at {at} of {len}"
                    );
                }
            }
        }
        assert!(!any_escaped("ünïcödé ✓ ünïcödé ✓".as_bytes()));
    }

    #[test]
    fn a_string_in_pieces_is_the_string_whole() {
        for parts in [
            &["+1 ", "555", "-", "010"][..],
            &["a\"", "b"],
            &[],
            &["", "\u{1}"],
        ] {
            let (mut pieces, mut whole) = (Vec::new(), Vec::new());
            // After another field: a piece that needs escaping is written again in place.
            Obj::new(&mut pieces)
                .str("a", "x")
                .str_parts("k", parts)
                .0
                .buf
                .push(b'}');
            Obj::new(&mut whole)
                .str("a", "x")
                .str("k", &parts.concat())
                .0
                .buf
                .push(b'}');
            assert_eq!(String::from_utf8(pieces), String::from_utf8(whole));
        }
    }

    #[test]
    fn ids_are_quoted_decimals() {
        for v in [0u64, 7, 110000000000001, u64::MAX] {
            let mut buf = Vec::new();
            write_id(&mut buf, v);
            assert_eq!(buf, format!("\"{v}\"").into_bytes());
        }
    }

    #[test]
    fn escapes_what_json_needs_and_copies_the_rest() {
        for s in [
            "plain",
            "",
            "quote\"",
            "back\\slash",
            "tab\t",
            "ünïcödé ✓",
            "\u{1}",
        ] {
            let mut buf = Vec::new();
            write_str(&mut buf, s);
            let back: String = serde_json::from_slice(&buf).unwrap();
            assert_eq!(back, s);
            assert_eq!(buf, serde_json::to_vec(s).unwrap());
        }
    }
}
