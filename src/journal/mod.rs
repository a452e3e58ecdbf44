//! The request journal: what each namespace was asked, in a bounded ring.
//!
//! Every request that reached a vendor facade is recorded once, by the server, when it ends:
//! with its answer, or with status 499 ([`CLIENT_CLOSED`]) when its client went away first, or
//! 500 ([`PANICKED`]) when wabasim failed on it. The control API's own requests are not
//! recorded: they would drown the record a test reads and change the counts while it reads
//! them.
//!
//! Cost per request is kept small on purpose (a benchmark measures throughput against bare
//! hyper): an entry (`entry.rs`) is a small struct holding the strings the server already
//! owned, a copy of the body and `&'static str`s for facade and operation. Nothing is parsed,
//! redacted or rendered when a request is recorded; that happens when the journal is read.
//! Which entries a read wants is any predicate over [`Entry`] (`api::filter::RequestFilter`
//! is the one users write): the journal knows no facade by name.
//!
//! The ring is bounded twice (WireMock's unbounded journal runs servers out of memory under
//! load, anchors.md §1.3): by entries ([`DEFAULT_CAPACITY`] per namespace, `--journal-size`)
//! and by bytes ([`DEFAULT_BYTES`], `--journal-bytes`), the oldest entries going first when
//! either is reached. An entry keeps at most [`QUERY_KEPT`] bytes of the query string
//! (`--journal-query-bytes`), [`BODY_KEPT`] of the body (`--journal-body-bytes`) and
//! [`ANSWER_KEPT`] of the answer (`--journal-answer-bytes`), and says
//! when it was cut (`__query_truncated`, `__body_truncated`: the real lengths). Without the
//! byte bound one namespace's 10,000 entries of the largest requests reached 770 MB (issue
//! 14).

mod entry;

use std::collections::VecDeque;

use parking_lot::Mutex;

pub use entry::{ANSWER_KEPT, BODY_KEPT, Entry, Outcome, QUERY_KEPT};

/// Entries a namespace keeps by default (`--journal-size`).
pub const DEFAULT_CAPACITY: usize = 10_000;

/// Bytes a namespace's journal holds by default (`--journal-bytes`): 4 MiB, what the README
/// has always promised per namespace. An ordinary Graph call's entry takes 300 to 600 bytes
/// (`tests/journal_memory.rs`), so the 10,000 entries of `--journal-size` fit; requests with
/// long queries and bodies are kept fewer, never more bytes. 100 namespaces: 400 MiB at most.
pub const DEFAULT_BYTES: usize = 4 * 1024 * 1024;

/// How much a namespace's journal keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JournalLimits {
    /// Entries at most (`--journal-size`).
    pub entries: usize,
    /// Bytes at most, as [`Entry::heap_bytes`] counts them (`--journal-bytes`).
    pub bytes: usize,
    /// Query bytes kept per entry (`--journal-query-bytes`).
    pub query_kept: usize,
    /// Body bytes kept per entry (`--journal-body-bytes`).
    pub body_kept: usize,
    /// Answer bytes kept per entry (`--journal-answer-bytes`; 0 keeps none).
    pub answer_kept: usize,
}

impl Default for JournalLimits {
    fn default() -> Self {
        JournalLimits {
            entries: DEFAULT_CAPACITY,
            bytes: DEFAULT_BYTES,
            query_kept: QUERY_KEPT,
            body_kept: BODY_KEPT,
            answer_kept: ANSWER_KEPT,
        }
    }
}

impl From<usize> for JournalLimits {
    /// The default limits with `entries` entries.
    fn from(entries: usize) -> Self {
        JournalLimits {
            entries,
            ..JournalLimits::default()
        }
    }
}

/// The operation of a request answered before its facade classified it: its body was too
/// large or too slow, its namespace header was refused, or it panicked before.
pub const UNCLASSIFIED: &str = "unclassified";
/// The operation of a request no route of its facade matched.
pub const UNMATCHED: &str = "unmatched";
/// The status recorded for a request whose client went away before the answer (nginx's 499,
/// "client closed request"; never sent).
pub const CLIENT_CLOSED_STATUS: u16 = 499;
/// The error recorded with [`CLIENT_CLOSED_STATUS`].
pub const CLIENT_CLOSED: &str = "client_closed";
/// The error recorded for a request wabasim failed on (a panic; answered 500).
pub const PANICKED: &str = "wabasim_panic";

/// A namespace's journal.
pub struct Journal {
    limits: JournalLimits,
    ring: Mutex<Ring>,
}

#[derive(Default)]
struct Ring {
    entries: VecDeque<Entry>,
    /// What the entries hold, as [`Entry::size`] counts it.
    bytes: usize,
    next_seq: u64,
    /// Entries pushed out of the ring since the last reset.
    dropped: u64,
}

impl Journal {
    /// A journal of `capacity` entries, with the default byte bounds.
    pub fn new(capacity: usize) -> Journal {
        Journal::with_limits(JournalLimits::from(capacity))
    }

    pub fn with_limits(limits: JournalLimits) -> Journal {
        Journal {
            limits: JournalLimits {
                entries: limits.entries.max(1),
                ..limits
            },
            ring: Mutex::new(Ring::default()),
        }
    }

    pub fn capacity(&self) -> usize {
        self.limits.entries
    }

    pub fn limits(&self) -> JournalLimits {
        self.limits
    }

    /// An entry for this journal: the request's query and body cut to its limits.
    pub fn entry(
        &self,
        at: crate::clock::Timestamp,
        req: crate::wire::Incoming,
        outcome: Outcome,
    ) -> Entry {
        Entry::cut(
            at,
            req,
            outcome,
            self.limits.query_kept,
            self.limits.body_kept,
            self.limits.answer_kept,
        )
    }

    /// Records an entry, pushing out the oldest while the ring is over its entries or its
    /// bytes (the newest entry is always kept). Returns its sequence number.
    pub fn record(&self, mut entry: Entry) -> u64 {
        let size = entry.size();
        let mut ring = self.ring.lock();
        ring.next_seq += 1;
        entry.seq = ring.next_seq;
        while !ring.entries.is_empty()
            && (ring.entries.len() >= self.limits.entries || ring.bytes + size > self.limits.bytes)
        {
            if let Some(old) = ring.entries.pop_front() {
                ring.bytes -= old.size();
                ring.dropped += 1;
            }
        }
        ring.bytes += size;
        ring.entries.push_back(entry);
        ring.next_seq
    }

    /// Entries that pass `filter`, oldest first.
    pub fn matching(&self, filter: impl Fn(&Entry) -> bool) -> Vec<Entry> {
        self.ring
            .lock()
            .entries
            .iter()
            .filter(|e| filter(e))
            .cloned()
            .collect()
    }

    /// The newest `limit` entries that pass `filter`, oldest first: only those are copied.
    pub fn newest_matching(&self, filter: impl Fn(&Entry) -> bool, limit: usize) -> Vec<Entry> {
        let ring = self.ring.lock();
        let mut out: Vec<Entry> = ring
            .entries
            .iter()
            .rev()
            .filter(|e| filter(e))
            .take(limit)
            .cloned()
            .collect();
        out.reverse();
        out
    }

    /// How many entries pass `filter` (without copying them).
    pub fn count(&self, filter: impl Fn(&Entry) -> bool) -> usize {
        self.ring
            .lock()
            .entries
            .iter()
            .filter(|e| filter(e))
            .count()
    }

    pub fn stats(&self) -> JournalStats {
        let ring = self.ring.lock();
        JournalStats {
            len: ring.entries.len(),
            capacity: self.limits.entries,
            bytes: ring.bytes,
            max_bytes: self.limits.bytes,
            recorded: ring.next_seq,
            dropped: ring.dropped,
            heap_bytes: ring.entries.capacity() * std::mem::size_of::<Entry>()
                + ring.entries.iter().map(Entry::heap_bytes).sum::<usize>(),
        }
    }

    /// Forgets everything (a namespace reset).
    pub fn clear(&self) {
        *self.ring.lock() = Ring::default();
    }
}

/// Figures about a journal, for `GET /__admin/namespaces` and the memory test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JournalStats {
    pub len: usize,
    pub capacity: usize,
    /// Requests recorded since the last reset (including those pushed out).
    pub recorded: u64,
    pub dropped: u64,
    /// What the entries hold as the byte bound counts it (`--journal-bytes`).
    pub bytes: usize,
    /// The byte bound.
    pub max_bytes: usize,
    /// Approximate bytes held: the ring's slots plus what each entry points to.
    pub heap_bytes: usize,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use bytes::Bytes;
    use http::{HeaderMap, HeaderValue, Method};

    use crate::clock::Timestamp;
    use crate::wire::Incoming;

    pub(crate) fn entry(path: &str, op: &'static str, status: u16, body: &str) -> Entry {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(
            http::header::AUTHORIZATION,
            HeaderValue::from_static("Bearer wabasim-new-bsp"),
        );
        let req = Incoming {
            method: Method::POST,
            path: path.to_string(),
            query: "access_token=abc&fields=id".to_string(),
            headers,
            body: Bytes::from(body.to_string()),
        };
        let outcome = Outcome {
            facade: "graph",
            secrets: &["access_token", "pin", "password"],
            operation: op,
            status,
            error: None,
            fault: None,
            micros: 12,
            answer: Bytes::from_static(b"{\"success\":true}"),
        };
        Entry::new(Timestamp(1000), req, outcome)
    }

    #[test]
    fn ring_stays_bounded_and_numbers_keep_counting() {
        let j = Journal::new(3);
        for i in 0..10 {
            j.record(entry(&format!("/v23.0/{i}"), "get_waba", 200, ""));
        }
        let all = j.matching(|_| true);
        assert_eq!(all.len(), 3);
        assert_eq!(
            all.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![8, 9, 10]
        );
        let s = j.stats();
        assert_eq!((s.len, s.recorded, s.dropped), (3, 10, 7));
    }

    #[tokio::test]
    async fn an_entry_shows_its_answer_whole_or_cut_at_the_body_limit() {
        let v = entry("/v23.0/1/register", "register", 200, "")
            .render("d")
            .await;
        assert_eq!(v["response"], serde_json::json!({"success": true}));
        assert!(v.get("response_truncated").is_none());
        let mut outcome = entry("/", "register", 200, "").outcome();
        outcome.answer = Bytes::from(format!(
            "{{\"pin\":\"123456\",\"x\":\"{}\"}}",
            "y".repeat(100)
        ));
        let req = || Incoming {
            method: Method::GET,
            path: "/".into(),
            query: String::new(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
        };
        let whole = Entry::cut(Timestamp(0), req(), outcome.clone(), 64, 64, 4096);
        assert_eq!(whole.render("d").await["response"]["pin"], "[redacted]");
        let cut = Entry::cut(Timestamp(0), req(), outcome, 64, 64, 20);
        let v = cut.render("d").await;
        assert_eq!(v["response"], "{\"pin\":\"123456\",\"x\":");
        assert_eq!(v["response_truncated"], 123);
    }

    #[tokio::test]
    async fn secrets_are_redacted_when_read() {
        let e = entry(
            "/v23.0/1/register",
            "register",
            200,
            r#"{"messaging_product":"whatsapp","pin":"123456","backup":{"password":"p","data":"d"}}"#,
        );
        let v = e.render("default").await;
        assert_eq!(v["params"]["pin"], "[redacted]");
        assert_eq!(v["params"]["access_token"], "[redacted]");
        assert_eq!(v["params"]["backup"]["password"], "[redacted]");
        assert_eq!(v["params"]["backup"]["data"], "d");
        assert_eq!(v["params"]["fields"], "id");
        assert_eq!(v["authorization"], "[redacted]");
        assert!(!v.to_string().contains("123456"));
        assert!(!v.to_string().contains("wabasim-new-bsp"));
    }

    #[test]
    fn long_bodies_are_cut() {
        let big = "x".repeat(BODY_KEPT * 4);
        let e = entry("/v23.0/1", "get_waba", 200, &big);
        assert_eq!(e.body.len(), BODY_KEPT);
        assert_eq!(e.body_len, BODY_KEPT * 4);
    }

    #[tokio::test]
    async fn long_queries_are_cut_at_a_parameter_and_say_so() {
        let long: String = (0..2000).map(|i| format!("p{i}=v{i}&")).collect();
        let req = Incoming {
            method: Method::GET,
            path: "/v23.0/1".into(),
            query: format!("fields=id&{long}"),
            headers: HeaderMap::new(),
            body: Bytes::new(),
        };
        let full = req.query.len();
        let j = Journal::new(10);
        let outcome = Outcome {
            facade: "graph",
            secrets: &[],
            operation: "get_waba",
            status: 200,
            error: None,
            fault: None,
            micros: 1,
            answer: Bytes::new(),
        };
        let e = j.entry(Timestamp(0), req, outcome);
        assert!(e.query.len() <= QUERY_KEPT, "{}", e.query.len());
        assert!(
            e.query.ends_with(|c: char| c.is_ascii_digit()),
            "cut at a '&'"
        );
        let v = e.render("default").await;
        assert_eq!(v["params"]["__query_truncated"], full, "{v}");
        assert_eq!(v["params"]["fields"], "id");
    }

    #[test]
    fn the_ring_is_bounded_by_bytes() {
        let j = Journal::with_limits(JournalLimits {
            entries: 1000,
            bytes: 64 * 1024,
            query_kept: 1024,
            body_kept: 4096,
            answer_kept: 4096,
        });
        let big = "x".repeat(100_000);
        for i in 0..100 {
            j.record(j.entry(
                Timestamp(0),
                Incoming {
                    method: Method::POST,
                    path: format!("/v23.0/{i}"),
                    query: "q=".to_string() + &big,
                    headers: HeaderMap::new(),
                    body: Bytes::from(big.clone()),
                },
                entry("/", "get_waba", 200, "").outcome(),
            ));
        }
        let s = j.stats();
        assert!(s.bytes <= 64 * 1024, "{s:?}");
        assert!(s.heap_bytes <= 64 * 1024 + s.len * 512, "{s:?}");
        assert!(s.len >= 10, "{s:?}");
        assert_eq!(s.recorded, 100);
        assert_eq!(s.dropped as usize + s.len, 100);
        // One entry larger than the whole budget is still kept, alone.
        let tiny = Journal::with_limits(JournalLimits {
            bytes: 10,
            ..JournalLimits::default()
        });
        tiny.record(entry("/v23.0/1", "get_waba", 200, "{}"));
        tiny.record(entry("/v23.0/2", "get_waba", 200, "{}"));
        assert_eq!(tiny.stats().len, 1);
    }
}
