//! The recording file: one JSON object a line, a header line first ([`Header`]: the format
//! version and what was redacted), then one [`Exchange`] per request the proxy forwarded, in
//! the order the answers came back. The same format for every facade.

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};

/// The format version this build writes and reads (`wabasim_recording` on the header line).
pub const FORMAT: u32 = 1;

/// Largest recording `replay` and `fixture from-recording` read, in bytes, by default
/// (`--max-recording-bytes`).
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;

/// The first line: what wrote the file and which values it holds no longer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Header {
    pub wabasim_recording: u32,
    /// Header names whose values were replaced by `[redacted]` (an `Authorization` keeps its
    /// scheme: `Bearer [redacted]`).
    pub redacted_headers: Vec<String>,
    /// Parameter and JSON key names (compared without case, at any depth) whose values were
    /// replaced by `[redacted]` in requests.
    pub redacted_params: Vec<String>,
    /// The same for answers (narrower: an answer's `code` is an error code, not a secret).
    pub redacted_answer_keys: Vec<String>,
}

/// One request the proxy forwarded and what the upstream answered.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Exchange {
    /// Position in the recording, from 1.
    pub seq: u64,
    /// The facade that would have served the request (`graph`, `cams`, ...).
    pub facade: String,
    /// The base URL it was forwarded to.
    pub upstream: String,
    /// When the request arrived (RFC 3339, real time): a replay sets the world clock to it.
    pub at: String,
    /// Time the upstream took, request sent to answer read.
    pub elapsed_ms: f64,
    pub request: RecordedRequest,
    pub response: RecordedResponse,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub query: String,
    /// In the order received; names lower-case.
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: Body,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RecordedResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: Body,
}

/// A body as text when it is UTF-8 (every JSON and form body), otherwise base64.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Body {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base64: Option<String>,
}

impl Body {
    pub fn from_bytes(bytes: &[u8]) -> Body {
        match std::str::from_utf8(bytes) {
            Ok(text) => Body {
                text: text.to_string(),
                base64: None,
            },
            Err(_) => {
                use base64::Engine;
                Body {
                    text: String::new(),
                    base64: Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
                }
            }
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        use base64::Engine;
        match &self.base64 {
            Some(b) => base64::engine::general_purpose::STANDARD
                .decode(b)
                .unwrap_or_default(),
            None => self.text.as_bytes().to_vec(),
        }
    }
}

/// Writes a header line and then exchanges, flushing each line so that a killed proxy loses
/// at most the exchange under way.
pub struct Writer<W: Write> {
    out: W,
}

impl<W: Write> Writer<W> {
    pub fn start(mut out: W, header: &Header) -> std::io::Result<Writer<W>> {
        line(&mut out, header)?;
        Ok(Writer { out })
    }

    pub fn write(&mut self, exchange: &Exchange) -> std::io::Result<()> {
        line(&mut self.out, exchange)
    }
}

fn line<W: Write, T: Serialize>(out: &mut W, value: &T) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// A whole recording, read back.
#[derive(Clone, Debug)]
pub struct Recording {
    pub header: Header,
    pub exchanges: Vec<Exchange>,
}

impl Recording {
    /// Reads `path`, refusing a file over `max_bytes`, of another format version, or with a
    /// line that is not an exchange (named by its line number).
    pub fn load(path: &std::path::Path, max_bytes: u64) -> Result<Recording, String> {
        let shown = path.display();
        let len = std::fs::metadata(path)
            .map_err(|e| format!("{shown}: {e}"))?
            .len();
        if len > max_bytes {
            return Err(format!(
                "{shown}: {len} bytes, over the limit of {max_bytes} (--max-recording-bytes)"
            ));
        }
        let file = std::fs::File::open(path).map_err(|e| format!("{shown}: {e}"))?;
        Recording::read(std::io::BufReader::new(file)).map_err(|e| format!("{shown}: {e}"))
    }

    pub fn read<R: BufRead>(input: R) -> Result<Recording, String> {
        let mut lines = input.lines().enumerate();
        let header: Header = match lines.next() {
            Some((_, Ok(text))) => serde_json::from_str(&text)
                .map_err(|e| format!("line 1 is not a wabasim recording header ({e})"))?,
            Some((_, Err(e))) => return Err(format!("line 1: {e}")),
            None => return Err("empty file: not a wabasim recording".into()),
        };
        if header.wabasim_recording != FORMAT {
            return Err(format!(
                "recording format {} (this wabasim reads format {FORMAT})",
                header.wabasim_recording
            ));
        }
        let mut exchanges = Vec::new();
        for (i, text) in lines {
            let text = text.map_err(|e| format!("line {}: {e}", i + 1))?;
            if text.trim().is_empty() {
                continue;
            }
            let exchange: Exchange = serde_json::from_str(&text)
                .map_err(|e| format!("line {}: not an exchange ({e})", i + 1))?;
            exchanges.push(exchange);
        }
        Ok(Recording { header, exchanges })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_bodies_round_trip_as_base64() {
        let body = Body::from_bytes(&[0xff, 0x00, 0x41]);
        assert!(body.base64.is_some());
        assert_eq!(body.to_bytes(), vec![0xff, 0x00, 0x41]);
        assert_eq!(Body::from_bytes(b"{}").text, "{}");
    }

    #[test]
    fn a_foreign_version_or_a_bad_line_is_refused_with_its_line() {
        let v2 = r#"{"wabasim_recording":2,"redacted_headers":[],"redacted_params":[],"redacted_answer_keys":[]}"#;
        assert!(
            Recording::read(v2.as_bytes())
                .unwrap_err()
                .contains("format 2")
        );
        let bad = format!("{}\nnot json\n", v2.replace(":2,", ":1,"));
        assert!(
            Recording::read(bad.as_bytes())
                .unwrap_err()
                .starts_with("line 2")
        );
        assert!(Recording::read(&b""[..]).unwrap_err().contains("empty"));
    }
}
