//! Request parameters, merged from the query string and the body, whatever its encoding.
//!
//! Real Graph clients send the same parameter in different ways (reference
//! clients-and-360dialog.md §1.1): facebook-business as a form body with lists JSON-encoded
//! inside fields, pywa as a query string on a POST or as JSON, Node SDKs as chunked JSON.
//! Graph accepts all of them, so this module does too. Body values win over query values.

use std::borrow::Cow;
use std::collections::HashMap;

use bytes::Bytes;
use serde_json::Value;

use super::Incoming;

/// One parameter value: text from a query, form or multipart field, a JSON value, or a
/// multipart file part.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Text(String),
    Json(Value),
    File(FilePart),
}

/// A multipart part sent as a file (it has a file name, or a content type other than
/// text): its bytes as sent, never decoded as text.
#[derive(Clone, Debug, PartialEq)]
pub struct FilePart {
    pub file_name: Option<String>,
    /// The part's `Content-Type`, as sent (`None` without one).
    pub content_type: Option<String>,
    pub bytes: Bytes,
}

/// Why the body could not be read as parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyError {
    /// The body claims to be JSON (or looks like it) but is not valid JSON.
    MalformedJson(String),
    /// JSON, but not an object.
    NotAnObject,
    /// A multipart body that cannot be parsed.
    MalformedMultipart(String),
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::MalformedJson(e) => write!(f, "The request body is not valid JSON: {e}"),
            BodyError::NotAnObject => f.write_str("The JSON request body must be an object"),
            BodyError::MalformedMultipart(e) => {
                write!(f, "The multipart request body cannot be parsed: {e}")
            }
        }
    }
}

/// Parameters in the order they first came, with a name → position index once there are
/// more than [`INDEXED_ABOVE`]: a few parameters (every ordinary call) are found by a short
/// scan and cost no map, many (a 145,000-name form) are merged and found in linear time
/// overall rather than quadratic. The index is std's `HashMap` (SipHash with a random key):
/// the names are the caller's, and a fixed hash would let them choose collisions.
#[derive(Clone, Debug, Default)]
pub struct Params {
    entries: Vec<(String, Param)>,
    index: Option<HashMap<String, usize>>,
}

/// Past this many parameters, names are looked up through an index instead of a scan.
const INDEXED_ABOVE: usize = 16;

impl Params {
    /// Parameters from the query string only.
    pub fn from_query(query: &str) -> Params {
        let mut p = Params::default();
        p.add_form(query.as_bytes());
        p
    }

    /// Query and body merged; the body is decoded by its content type. A body in an unknown
    /// or missing content type is ignored unless it is a JSON object, since some clients post
    /// JSON as `text/plain`.
    pub async fn from_request(req: &Incoming) -> Result<Params, BodyError> {
        if let Some(read) = Params::from_request_now(req) {
            return read;
        }
        let mut p = Params::from_query(&req.query);
        let boundary = req
            .header(http::header::CONTENT_TYPE)
            .and_then(|ct| multer::parse_boundary(ct).ok())
            .ok_or_else(|| BodyError::MalformedMultipart("no boundary".into()))?;
        p.add_multipart(req.body.clone(), boundary).await?;
        Ok(p)
    }

    /// [`Params::from_request`] for every body that needs no await to read: `None` for a
    /// multipart body (the only one read asynchronously), so that the common request is read
    /// without a future.
    pub fn from_request_now(req: &Incoming) -> Option<Result<Params, BodyError>> {
        let mut p = Params::from_query(&req.query);
        if req.body.is_empty() {
            return Some(Ok(p));
        }
        let content_type = req.content_type().unwrap_or_default();
        let is = |essence: &str| content_type.eq_ignore_ascii_case(essence);
        let added = match content_type {
            _ if is("application/x-www-form-urlencoded") => {
                p.add_form(&req.body);
                Ok(())
            }
            _ if is("application/json") => p.add_json(&req.body),
            _ if is("multipart/form-data") => return None,
            _ if content_type.is_empty() || is("text/plain") => {
                let trimmed = req.body.iter().find(|b| !b.is_ascii_whitespace());
                if trimmed == Some(&b'{') {
                    p.add_json(&req.body)
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        };
        Some(added.map(|()| p))
    }

    /// A multipart body already read, parsed without awaiting (its one chunk is there):
    /// for a facade whose reading of the request does not await.
    pub fn from_multipart_now(content_type: &str, body: &Bytes) -> Result<Params, BodyError> {
        use futures_util::FutureExt;
        let boundary = multer::parse_boundary(content_type)
            .map_err(|_| BodyError::MalformedMultipart("no boundary".into()))?;
        let mut p = Params::default();
        p.add_multipart(body.clone(), boundary)
            .now_or_never()
            .unwrap_or_else(|| Err(BodyError::MalformedMultipart("incomplete body".into())))?;
        Ok(p)
    }

    fn set(&mut self, key: String, value: Param) {
        if let Some(at) = self.position(&key) {
            self.entries[at].1 = value;
            return;
        }
        let at = self.entries.len();
        match &mut self.index {
            Some(index) => {
                index.insert(key.clone(), at);
            }
            None if at >= INDEXED_ABOVE => {
                let mut index: HashMap<String, usize> = HashMap::with_capacity(at * 2);
                for (i, (k, _)) in self.entries.iter().enumerate() {
                    index.insert(k.clone(), i);
                }
                index.insert(key.clone(), at);
                self.index = Some(index);
            }
            None => {}
        }
        self.entries.push((key, value));
    }

    /// Where `key` is in `entries`: through the index when there is one.
    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|(k, _)| k == key),
        }
    }

    fn add_form(&mut self, bytes: &[u8]) {
        // Most forms and queries hold nothing to decode (no `%`, no `+`) and are UTF-8: their
        // pairs are then sliced, which is what `form_urlencoded::parse` gives for them, at a
        // third of its cost (it checks every name and value for escapes and UTF-8 again).
        let plain = !bytes.iter().any(|b| *b == b'%' || *b == b'+');
        if plain && let Ok(text) = std::str::from_utf8(bytes) {
            for pair in text.split('&').filter(|pair| !pair.is_empty()) {
                let (name, value) = match pair.bytes().position(|b| b == b'=') {
                    Some(at) => (&pair[..at], &pair[at + 1..]),
                    None => (pair, ""),
                };
                self.set(name.to_string(), Param::Text(value.to_string()));
            }
            return;
        }
        for (k, v) in form_urlencoded::parse(bytes) {
            self.set(k.into_owned(), Param::Text(v.into_owned()));
        }
    }

    fn add_json(&mut self, bytes: &[u8]) -> Result<(), BodyError> {
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| BodyError::MalformedJson(e.to_string()))?;
        let Value::Object(map) = value else {
            return Err(BodyError::NotAnObject);
        };
        for (k, v) in map {
            let param = match v {
                Value::String(s) => Param::Text(s),
                other => Param::Json(other),
            };
            self.set(k, param);
        }
        Ok(())
    }

    async fn add_multipart(&mut self, body: Bytes, boundary: String) -> Result<(), BodyError> {
        let stream = futures_once(body);
        let mut multipart = multer::Multipart::new(stream, boundary);
        loop {
            match multipart.next_field().await {
                Ok(Some(field)) => {
                    let Some(name) = field.name().map(str::to_string) else {
                        continue;
                    };
                    let file_name = field.file_name().map(str::to_string);
                    let content_type = field.content_type().map(|m| m.to_string());
                    let is_text = content_type
                        .as_deref()
                        .is_none_or(|t| t.to_ascii_lowercase().starts_with("text/plain"));
                    let unreadable =
                        |e: multer::Error| BodyError::MalformedMultipart(e.to_string());
                    let param = if file_name.is_some() || !is_text {
                        Param::File(FilePart {
                            file_name,
                            content_type,
                            bytes: field.bytes().await.map_err(unreadable)?,
                        })
                    } else {
                        Param::Text(field.text().await.map_err(unreadable)?)
                    };
                    self.set(name, param);
                }
                Ok(None) => return Ok(()),
                Err(e) => return Err(BodyError::MalformedMultipart(e.to_string())),
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&Param> {
        self.position(key).map(|at| &self.entries[at].1)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    pub fn entries(&self) -> &[(String, Param)] {
        &self.entries
    }

    /// The value as text: strings as they are, other JSON as JSON text, a file as its
    /// bytes read as UTF-8 (lossily: a client that sends a form field as a file part).
    pub fn text(&self, key: &str) -> Option<Cow<'_, str>> {
        self.get(key).map(|p| match p {
            Param::Text(s) => Cow::Borrowed(s.as_str()),
            Param::Json(Value::String(s)) => Cow::Borrowed(s.as_str()),
            Param::Json(v) => Cow::Owned(v.to_string()),
            Param::File(f) => String::from_utf8_lossy(&f.bytes),
        })
    }

    /// A multipart file part, if that is what `key` is.
    pub fn file(&self, key: &str) -> Option<&FilePart> {
        match self.get(key)? {
            Param::File(f) => Some(f),
            _ => None,
        }
    }

    /// Text that is present and not blank.
    pub fn non_empty(&self, key: &str) -> Option<Cow<'_, str>> {
        self.text(key).filter(|t| !t.trim().is_empty())
    }

    /// A boolean: JSON `true`/`false`, or the text `true`/`false` (any case) or `1`/`0`.
    /// `Err` carries the offending text.
    pub fn bool(&self, key: &str) -> Result<Option<bool>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(Param::Json(Value::Bool(b))) => Ok(Some(*b)),
            Some(Param::Json(Value::Number(n))) if n.as_i64() == Some(1) => Ok(Some(true)),
            Some(Param::Json(Value::Number(n))) if n.as_i64() == Some(0) => Ok(Some(false)),
            Some(p) => {
                let text = match p {
                    Param::Text(s) => s.clone(),
                    Param::Json(v) => v.to_string(),
                    Param::File(f) => String::from_utf8_lossy(&f.bytes).into_owned(),
                };
                match text.trim().to_ascii_lowercase().as_str() {
                    "true" | "1" => Ok(Some(true)),
                    "false" | "0" | "" => Ok(Some(false)),
                    _ => Err(text),
                }
            }
        }
    }

    /// A list: a JSON array, a JSON array inside text (`["APPROVED"]`, as facebook-business
    /// sends it), or comma-separated text (`APPROVED,REJECTED`, as pywa sends it).
    pub fn list(&self, key: &str) -> Option<Vec<String>> {
        let items = |arr: &Vec<Value>| {
            arr.iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
        };
        match self.get(key)? {
            Param::Json(Value::Array(arr)) => Some(items(arr)),
            Param::Json(Value::String(s)) | Param::Text(s) => {
                let t = s.trim();
                if t.starts_with('[')
                    && let Ok(Value::Array(arr)) = serde_json::from_str::<Value>(t)
                {
                    return Some(items(&arr));
                }
                Some(
                    t.split(',')
                        .map(|x| x.trim().to_string())
                        .filter(|x| !x.is_empty())
                        .collect(),
                )
            }
            Param::Json(other) => Some(vec![other.to_string()]),
            Param::File(f) => Some(vec![String::from_utf8_lossy(&f.bytes).into_owned()]),
        }
    }

    /// A JSON value: JSON as it came, or text parsed as JSON (form fields carry JSON text).
    pub fn json(&self, key: &str) -> Option<Result<Value, String>> {
        self.get(key).map(|p| match p {
            Param::Json(v) => Ok(v.clone()),
            Param::Text(s) => serde_json::from_str(s).map_err(|e| e.to_string()),
            Param::File(f) => serde_json::from_slice(&f.bytes).map_err(|e| e.to_string()),
        })
    }

    /// Removes a parameter (e.g. `access_token`, so it never reaches a journal or an echo).
    pub fn take(&mut self, key: &str) -> Option<Param> {
        let pos = self.position(key)?;
        let (_, value) = self.entries.remove(pos);
        if let Some(index) = &mut self.index {
            index.remove(key);
            for at in index.values_mut() {
                if *at > pos {
                    *at -= 1;
                }
            }
        }
        Some(value)
    }
}

/// A one-item stream of the already-read body, for multer.
fn futures_once(
    body: Bytes,
) -> impl futures_core::Stream<Item = Result<Bytes, std::convert::Infallible>> + Send {
    struct Once(Option<Bytes>);
    impl futures_core::Stream for Once {
        type Item = Result<Bytes, std::convert::Infallible>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(self.0.take().map(Ok))
        }
    }
    Once(Some(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_forms_are_read_as_the_decoder_reads_them() {
        let forms: &[&[u8]] = &[
            b"",
            b"&",
            b"a=1&&b=2&",
            b"=x&k&k=&a=b=c",
            b"cc=1&phone_number=9000000000&migrate_phone_number=true",
            "na\u{ef}ve=\u{fc}ber".as_bytes(),
            b"a=1&a=2",
            // Not plain: decoded by form_urlencoded.
            b"a+b=c%20d&e=%ZZ",
            b"bad=\xff\xfe",
        ];
        for form in forms {
            let mut fast = Params::default();
            fast.add_form(form);
            let mut decoded = Params::default();
            for (k, v) in form_urlencoded::parse(form) {
                decoded.set(k.into_owned(), Param::Text(v.into_owned()));
            }
            assert_eq!(
                fast.entries,
                decoded.entries,
                "{}",
                String::from_utf8_lossy(form)
            );
        }
    }

    #[test]
    fn lists_in_every_client_style() {
        let p = Params::from_query(
            "a=%5B%22APPROVED%22%2C%22REJECTED%22%5D&b=APPROVED,REJECTED&c=GREEN",
        );
        let want = vec!["APPROVED".to_string(), "REJECTED".to_string()];
        assert_eq!(p.list("a").unwrap(), want);
        assert_eq!(p.list("b").unwrap(), want);
        assert_eq!(p.list("c").unwrap(), vec!["GREEN".to_string()]);
    }

    #[test]
    fn booleans() {
        let p = Params::from_query("t=true&T=True&f=false&one=1&x=yes");
        assert_eq!(p.bool("t"), Ok(Some(true)));
        assert_eq!(p.bool("T"), Ok(Some(true)));
        assert_eq!(p.bool("f"), Ok(Some(false)));
        assert_eq!(p.bool("one"), Ok(Some(true)));
        assert_eq!(p.bool("missing"), Ok(None));
        assert!(p.bool("x").is_err());
    }

    #[test]
    fn body_overrides_query() {
        let mut p = Params::from_query("a=1&b=2");
        p.add_json(br#"{"a":"3","n":5}"#).unwrap();
        assert_eq!(p.text("a").unwrap(), "3");
        assert_eq!(p.text("b").unwrap(), "2");
        assert_eq!(p.text("n").unwrap(), "5");
        assert!(matches!(p.add_json(b"[1]"), Err(BodyError::NotAnObject)));
        assert!(matches!(p.add_json(b"{"), Err(BodyError::MalformedJson(_))));
    }

    #[test]
    fn many_names_are_indexed_and_the_last_value_wins() {
        let query: String = (0..200)
            .map(|i| format!("k{i}={i}&"))
            .chain((0..200).map(|i| format!("k{i}=again{i}&")))
            .collect();
        let mut p = Params::from_query(&query);
        assert_eq!(p.len(), 200);
        assert_eq!(p.text("k7").unwrap(), "again7");
        assert_eq!(p.keys().nth(3), Some("k3"), "first-seen order is kept");
        assert!(matches!(p.take("k5"), Some(Param::Text(t)) if t == "again5"));
        assert!(!p.contains("k5"));
        assert_eq!(p.text("k199").unwrap(), "again199");
        assert_eq!(p.text("k6").unwrap(), "again6");
        assert_eq!(p.len(), 199);
    }

    /// 145,000 names in a form body (0.9 MB): quadratic merging took 29 s of CPU; this is
    /// about 0.1 s even unoptimised, and is asserted on its result, not its time.
    #[test]
    fn a_form_with_145000_names_is_merged_in_linear_time() {
        let body: String = (0..145_000).map(|i| format!("a{i}=&")).collect();
        let p = Params::from_query(&body);
        assert_eq!(p.len(), 145_000);
        assert!(p.contains("a144999"));
    }
}
