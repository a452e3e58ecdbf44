//! Bounds on a request's parameters, checked by the server before any facade reads them:
//! how many names a query and a body may carry together (`--max-params`) and how long one
//! name or value may be as sent (`--max-param-bytes`). A request past them is answered 400 in
//! its facade's shape (`Facade::early_error`): Graph's code 100, Alibaba's
//! `InvalidParameter`-style `Code`/`Message`, the control API's `{"error": ...}`.
//!
//! The check reads the bytes once, allocates nothing (a small GET pays a scan of its query
//! string), and counts what the facades would merge: the query's `&`-separated pairs, a
//! form body's, and the members of a JSON object body (its values measured as their JSON
//! text). Multipart bodies are bounded by the body size alone.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::Incoming;

/// `--max-params` by default: far above any real call (a template carries a handful of
/// parameters), far below what makes merging and the journal costly.
pub const DEFAULT_MAX_PARAMS: usize = 1000;
/// `--max-param-bytes` by default: 256 KiB, as sent (percent-encoded in a query or form). A
/// template's `components` JSON, the largest real value, is a few KiB.
pub const DEFAULT_MAX_PARAM_BYTES: usize = 256 * 1024;

/// How many parameters a request may carry, and how long each may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamLimits {
    pub max_params: usize,
    pub max_param_bytes: usize,
}

impl Default for ParamLimits {
    fn default() -> Self {
        ParamLimits {
            max_params: DEFAULT_MAX_PARAMS,
            max_param_bytes: DEFAULT_MAX_PARAM_BYTES,
        }
    }
}

impl ParamLimits {
    /// `Err` is the message to answer with (400), naming the flag to raise.
    pub fn check(&self, req: &Incoming) -> Result<(), String> {
        let count = self.form(req.query.as_bytes(), 0)?;
        if req.body.is_empty() {
            return Ok(());
        }
        let content_type = req
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            self.form(&req.body, count)?;
        } else if essence.eq_ignore_ascii_case("application/json")
            || ((essence.is_empty() || essence.eq_ignore_ascii_case("text/plain"))
                && req.body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'))
        {
            self.json(&req.body, count)?;
        }
        Ok(())
    }

    fn too_many(&self) -> String {
        format!(
            "too many parameters: this server reads at most {} per request (query and body together; see --max-params)",
            self.max_params
        )
    }

    fn too_long(&self, what: &str, name: &[u8]) -> String {
        let shown = String::from_utf8_lossy(&name[..name.len().min(40)]).into_owned();
        format!(
            "parameter {what} too long ({shown:?}...): this server reads names and values of at most {} bytes (see --max-param-bytes)",
            self.max_param_bytes
        )
    }

    /// Counts `&`-separated pairs of a query or form body on top of `count`.
    fn form(&self, bytes: &[u8], mut count: usize) -> Result<usize, String> {
        for pair in bytes.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
            count += 1;
            if count > self.max_params {
                return Err(self.too_many());
            }
            if pair.len() > self.max_param_bytes {
                let (name, value) = match pair.iter().position(|b| *b == b'=') {
                    Some(at) => (&pair[..at], &pair[at + 1..]),
                    None => (pair, &[][..]),
                };
                if name.len() > self.max_param_bytes {
                    return Err(self.too_long("name", name));
                }
                if value.len() > self.max_param_bytes {
                    return Err(self.too_long("value", name));
                }
            }
        }
        Ok(count)
    }

    /// Counts a JSON object's members on top of `count`; a body that is not a JSON object is
    /// left to the facade, which says what is wrong with it.
    fn json(&self, bytes: &[u8], count: usize) -> Result<(), String> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let mut refusal = None;
        // A refusal stops the walk with an error (the rest is never read); it is the
        // refusal, not the error, that is answered.
        let _ = (&mut de).deserialize_any(Counter {
            limits: self,
            count,
            refusal: &mut refusal,
        });
        match refusal {
            Some(r) => Err(r),
            None => Ok(()),
        }
    }
}

/// Walks a JSON object's members without building them, leaving a refusal in `refusal`.
struct Counter<'l> {
    limits: &'l ParamLimits,
    count: usize,
    refusal: &'l mut Option<String>,
}

impl Counter<'_> {
    fn refuse<E: serde::de::Error>(self, why: String) -> Result<(), E> {
        *self.refusal = Some(why);
        Err(E::custom("refused"))
    }
}

impl<'de> Visitor<'de> for Counter<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Self::Value, A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            self.count += 1;
            if self.count > self.limits.max_params {
                let why = self.limits.too_many();
                return self.refuse(why);
            }
            if key.len() > self.limits.max_param_bytes {
                let why = self.limits.too_long("name", key.as_bytes());
                return self.refuse(why);
            }
            let value = map.next_value::<&'de RawValue>()?;
            if value.get().len() > self.limits.max_param_bytes {
                let why = self.limits.too_long("value", key.as_bytes());
                return self.refuse(why);
            }
        }
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use http::{HeaderMap, HeaderValue, Method};

    fn req(query: &str, content_type: &str, body: &str) -> Incoming {
        let mut headers = HeaderMap::new();
        if !content_type.is_empty() {
            headers.insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_str(content_type).unwrap(),
            );
        }
        Incoming {
            method: Method::POST,
            path: "/".into(),
            query: query.into(),
            headers,
            body: Bytes::from(body.to_string()),
        }
    }

    #[test]
    fn counts_query_form_and_json_together() {
        let l = ParamLimits {
            max_params: 3,
            max_param_bytes: 8,
        };
        assert!(l.check(&req("a=1&b=2", "", "")).is_ok());
        assert!(
            l.check(&req("a=1&b=2", "application/x-www-form-urlencoded", "c=3"))
                .is_ok()
        );
        let e = l
            .check(&req(
                "a=1&b=2",
                "application/x-www-form-urlencoded",
                "c=3&d=4",
            ))
            .unwrap_err();
        assert!(e.contains("--max-params"), "{e}");
        assert!(
            l.check(&req("a=1", "application/json", r#"{"x":1,"y":[1,2]}"#))
                .is_ok()
        );
        assert!(
            l.check(&req("a=1", "application/json", r#"{"x":1,"y":2,"z":3}"#))
                .is_err()
        );
        let e = l
            .check(&req("", "application/json", r#"{"x":"123456789"}"#))
            .unwrap_err();
        assert!(e.contains("--max-param-bytes"), "{e}");
        assert!(l.check(&req("longname12=1", "", "")).is_err());
        // Not an object, or not JSON: the facade says what is wrong.
        assert!(l.check(&req("", "application/json", "[1,2,3,4,5]")).is_ok());
        assert!(l.check(&req("", "application/json", "{")).is_ok());
    }

    #[test]
    fn a_100000_key_json_object_is_refused_after_the_limit() {
        let body = format!(
            "{{{}}}",
            (0..100_000)
                .map(|i| format!("\"k{i}\":1"))
                .collect::<Vec<_>>()
                .join(",")
        );
        let e = ParamLimits::default()
            .check(&req("", "application/json", &body))
            .unwrap_err();
        assert!(e.contains("at most 1000"), "{e}");
    }
}
