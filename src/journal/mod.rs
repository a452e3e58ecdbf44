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
//! The ring is bounded ([`DEFAULT_CAPACITY`] per namespace, `--journal-size`): WireMock's
//! unbounded journal runs servers out of memory under load (anchors.md §1.3). Bodies longer
//! than [`BODY_KEPT`] are kept truncated.

mod entry;

use std::collections::VecDeque;

use parking_lot::Mutex;

pub use entry::{BODY_KEPT, Entry, Outcome};

/// Entries a namespace keeps by default (`--journal-size`).
pub const DEFAULT_CAPACITY: usize = 10_000;

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
    capacity: usize,
    ring: Mutex<Ring>,
}

#[derive(Default)]
struct Ring {
    entries: VecDeque<Entry>,
    next_seq: u64,
    /// Entries pushed out of the ring since the last reset.
    dropped: u64,
}

impl Journal {
    pub fn new(capacity: usize) -> Journal {
        Journal {
            capacity: capacity.max(1),
            ring: Mutex::new(Ring::default()),
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Records an entry, pushing out the oldest when full. Returns its sequence number.
    pub fn record(&self, mut entry: Entry) -> u64 {
        let mut ring = self.ring.lock();
        ring.next_seq += 1;
        entry.seq = ring.next_seq;
        if ring.entries.len() >= self.capacity {
            ring.entries.pop_front();
            ring.dropped += 1;
        }
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
            capacity: self.capacity,
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
}
