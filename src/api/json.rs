//! A small JSON writer for response bodies on hot paths: it writes straight into a byte
//! buffer in the order fields are given (Graph's field order follows the request), without an
//! intermediate `serde_json::Value`. Strings are escaped by serde_json.

/// Writes one JSON object into `buf`; call [`Obj::end`] to close it.
pub struct Obj<'a> {
    buf: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Obj<'a> {
    pub fn new(buf: &'a mut Vec<u8>) -> Obj<'a> {
        buf.push(b'{');
        Obj { buf, first: true }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
        write_str(self.buf, key);
        self.buf.push(b':');
    }

    pub fn str(&mut self, key: &str, value: &str) -> &mut Self {
        self.key(key);
        write_str(self.buf, value);
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
        self.buf
            .extend_from_slice(if value { b"true" } else { b"false" });
        self
    }

    pub fn num(&mut self, key: &str, value: i64) -> &mut Self {
        self.key(key);
        self.buf.extend_from_slice(value.to_string().as_bytes());
        self
    }

    /// A value that is already JSON text.
    pub fn raw(&mut self, key: &str, json: &str) -> &mut Self {
        self.key(key);
        self.buf.extend_from_slice(json.as_bytes());
        self
    }

    /// A nested object.
    pub fn obj(&mut self, key: &str, f: impl FnOnce(&mut Obj<'_>)) -> &mut Self {
        self.key(key);
        let mut inner = Obj::new(self.buf);
        f(&mut inner);
        inner.end();
        self
    }

    /// A nested array, written by `f` through an [`Arr`].
    pub fn arr(&mut self, key: &str, f: impl FnOnce(&mut Arr<'_>)) -> &mut Self {
        self.key(key);
        let mut inner = Arr::new(self.buf);
        f(&mut inner);
        inner.end();
        self
    }

    pub fn end(self) {
        self.buf.push(b'}');
    }
}

/// Writes one JSON array into `buf`; call [`Arr::end`] to close it.
pub struct Arr<'a> {
    buf: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Arr<'a> {
    pub fn new(buf: &'a mut Vec<u8>) -> Arr<'a> {
        buf.push(b'[');
        Arr { buf, first: true }
    }

    fn sep(&mut self) {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
    }

    pub fn str(&mut self, value: &str) -> &mut Self {
        self.sep();
        write_str(self.buf, value);
        self
    }

    pub fn obj(&mut self, f: impl FnOnce(&mut Obj<'_>)) -> &mut Self {
        self.sep();
        let mut inner = Obj::new(self.buf);
        f(&mut inner);
        inner.end();
        self
    }

    pub fn end(self) {
        self.buf.push(b']');
    }
}

/// Appends `s` as a JSON string literal.
pub fn write_str(buf: &mut Vec<u8>, s: &str) {
    // Serialising a &str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *buf, s);
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
}
