//! The journal bounded by bytes (issue 14): a namespace's ring filled with the largest
//! requests a client may send (a 60 KB query and a 100 KB body each) holds about
//! `--journal-bytes`, not entries times request size (10,000 such entries reached 770 MB).
//! Measured with a counting allocator on a real server; one test in this binary, so that
//! nothing else allocates while it measures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wabasim::{Options, Simulator};

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

const REQUESTS: usize = 300;

/// A large request on a connection of its own, read until the server closes it.
async fn large(sim: &Simulator, i: usize, query: &str, body: &str) {
    let request = format!(
        "POST /v23.0/200000000000002/phone_numbers?n={i}&{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer wabasim-new-bsp\r\nX-Wabasim-Namespace: big\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut conn = tokio::net::TcpStream::connect(sim.address()).await.unwrap();
    conn.write_all(request.as_bytes()).await.unwrap();
    let mut reply = Vec::new();
    conn.read_to_end(&mut reply).await.unwrap();
    assert!(reply.starts_with(b"HTTP/1.1 "), "{reply:?}");
}

async fn settle() {
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
}

#[tokio::test]
async fn a_journal_of_the_largest_requests_holds_its_byte_budget() {
    let sim = Simulator::start_with(Options::default()).await.unwrap();
    let query = format!("q={}", "a".repeat(60_000));
    let body = format!("cc=1&phone_number={}", "5".repeat(100_000));
    // The namespace and the runtime warmed up.
    large(&sim, 0, "", "").await;
    settle().await;
    let before = live();
    for i in 0..REQUESTS {
        large(&sim, i, &query, &body).await;
    }
    settle().await;
    let after = live();
    let stats = sim.namespace("big").unwrap().journal().stats();
    let budget = wabasim::journal::DEFAULT_BYTES;
    println!(
        "journal of {REQUESTS} requests of {} bytes: {} entries kept, {} bytes by the bound, heap grew {} bytes (budget {budget})",
        query.len() + body.len(),
        stats.len,
        stats.bytes,
        after - before
    );
    assert!(stats.bytes <= budget, "{stats:?}");
    assert_eq!(stats.recorded as usize, REQUESTS + 1);
    // Every request is kept, cut (2 KiB of query, 4 KiB of body each).
    assert_eq!(stats.len, REQUESTS + 1, "{stats:?}");
    // The heap holds the journal's budget at most, plus slack for the server's buffers.
    assert!(
        after - before <= (budget + 1024 * 1024) as isize,
        "the heap grew by {} bytes for {REQUESTS} requests",
        after - before
    );
    // Entries say they were cut.
    let entries = sim
        .namespace("big")
        .unwrap()
        .journal()
        .requests(&Default::default());
    let shown = entries.last().unwrap().params().await.unwrap();
    assert_eq!(
        shown["__query_truncated"],
        query.len() + "n=299&".len(),
        "{shown}"
    );
    assert_eq!(shown["__body_truncated"], body.len(), "{shown}");
}
