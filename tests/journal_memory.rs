//! The journal's memory stays flat under 100,000 requests: a counting allocator measures the
//! live heap after the ring fills (10,000 entries, the default) and after 100,000 requests.
//!
//! The entries are built as `server::handle` builds them, from requests of realistic size
//! (a Graph path, a query, a JSON body, headers). One test in this binary, so that nothing
//! else allocates while it measures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};
use wabasim::api::Incoming;
use wabasim::clock::Timestamp;
use wabasim::journal::{DEFAULT_CAPACITY, Entry, Journal, RequestFilter};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

fn request(i: u64) -> Entry {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    headers.insert(
        "authorization",
        HeaderValue::from_static("Bearer wabasim-new-bsp"),
    );
    headers.insert("host", HeaderValue::from_static("127.0.0.1:8787"));
    let req = Incoming {
        method: Method::POST,
        path: format!("/v23.0/{:015}/register", 110_000_000_000_000 + i % 100_000),
        query: "fields=id,status".to_string(),
        headers,
        body: Bytes::from(format!(
            "{{\"messaging_product\":\"whatsapp\",\"pin\":\"{:06}\"}}",
            i % 1_000_000
        )),
    };
    let error = (i % 3 == 0).then(|| "100/2388103".to_string());
    Entry::new(
        Timestamp(i as i64),
        req,
        "graph",
        "register",
        200,
        error,
        None,
        250,
    )
}

#[test]
fn journal_memory_stays_flat_under_100_000_requests() {
    let journal = Journal::new(DEFAULT_CAPACITY);
    let before = live();
    for i in 0..DEFAULT_CAPACITY as u64 {
        journal.record(request(i));
    }
    let full = live();
    let mut samples = Vec::new();
    for i in DEFAULT_CAPACITY as u64..100_000 {
        journal.record(request(i));
        if (i + 1) % 10_000 == 0 {
            samples.push((i + 1, live()));
        }
    }
    let after = live();
    let stats = journal.stats();
    assert_eq!(stats.len, DEFAULT_CAPACITY);
    assert_eq!(stats.recorded, 100_000);
    assert_eq!(
        journal.count(&RequestFilter::new().operation("register")),
        10_000
    );

    let per_entry = (full - before) / DEFAULT_CAPACITY as isize;
    println!(
        "journal heap: {} bytes once full ({} entries, {per_entry} bytes each); {} bytes after 100,000 requests; approx_bytes reports {}",
        full - before,
        DEFAULT_CAPACITY,
        after - before,
        stats.heap_bytes
    );
    for (n, bytes) in &samples {
        println!("  after {n:>6} requests: {} bytes", bytes - before);
        // Flat: within 1% of the full ring, whatever the number of requests.
        assert!(
            (bytes - full).abs() <= (full - before) / 100,
            "the journal grew from {} to {} bytes after {n} requests",
            full - before,
            bytes - before
        );
    }
    // And small: a few hundred bytes per request kept.
    assert!(per_entry < 1024, "{per_entry} bytes per entry");
}
