//! The journal's memory, measured on a real server through real sockets: a counting allocator
//! reads the live heap after the ring fills and after three times as many requests, each a
//! small form POST on a connection of its own (as curl sends them).
//!
//! Over a socket matters: hyper hands a request's body and header values out as slices of its
//! read buffer, and an entry that kept such a slice kept the whole buffer (8 KiB and more)
//! alive. Entries built from exact-size `Bytes` in a unit test cannot show that. One test in
//! this binary, so that nothing else allocates while it measures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wabasim::{Options, RequestFilter, Simulator};

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

const RING: usize = 1000;

/// One small register POST (form-encoded, as curl -d sends it) on a fresh connection, read
/// until the server closes it.
async fn register(sim: &Simulator, i: usize) {
    let body = format!("messaging_product=whatsapp&pin={:06}", i % 1_000_000);
    let request = format!(
        "POST /v23.0/110000000000009/register HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer wabasim-new-bsp\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut conn = tokio::net::TcpStream::connect(sim.address()).await.unwrap();
    conn.write_all(request.as_bytes()).await.unwrap();
    let mut reply = Vec::new();
    conn.read_to_end(&mut reply).await.unwrap();
    assert!(reply.starts_with(b"HTTP/1.1 "), "{reply:?}");
}

/// Lets the server's connection tasks finish and free their buffers.
async fn settle() {
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
}

#[tokio::test]
async fn journal_memory_stays_flat_and_small_over_real_sockets() {
    let sim = Simulator::start_with(Options {
        journal_size: RING,
        ..Options::default()
    })
    .await
    .unwrap();
    // Warm up: the runtime, the server's first connections, the namespace's lazy parts.
    for i in 0..20 {
        register(&sim, i).await;
    }
    settle().await;
    let before = live();
    for i in 0..RING {
        register(&sim, 100 + i).await;
    }
    settle().await;
    let full = live();
    for i in 0..2 * RING {
        register(&sim, 5000 + i).await;
    }
    settle().await;
    let after = live();

    let stats = sim.journal().stats();
    assert_eq!(stats.len, RING);
    assert_eq!(
        sim.journal()
            .count(&RequestFilter::new().operation("register")),
        RING
    );
    let per_entry = (full - before) / RING as isize;
    let reported = stats.heap_bytes as isize / RING as isize;
    println!(
        "journal over sockets: {} bytes for {RING} entries ({per_entry} bytes each); {} bytes after {} more; approx_bytes reports {} ({reported} each)",
        full - before,
        after - before,
        2 * RING,
        stats.heap_bytes
    );
    // Small: a few hundred bytes per request kept, not a read buffer each.
    assert!(per_entry < 1024, "{per_entry} bytes per entry");
    // Flat: the ring is full, so more requests take no more memory (1% of the ring, plus a
    // few connections' buffers still being freed).
    let growth = after - full;
    assert!(
        growth.abs() <= (full - before) / 100 + 64 * 1024,
        "the heap grew by {growth} bytes after the ring was full"
    );
    // And what /__admin/namespaces reports is what is held.
    assert!(
        reported * 2 >= per_entry && per_entry * 2 >= reported,
        "approx_bytes says {reported} bytes per entry, the heap says {per_entry}"
    );
}
