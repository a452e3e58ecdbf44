//! `serve --state FILE`: every namespace's world written to one file and read back at start
//! (docs/state.md).
//!
//! The file is JSON: a `format` and `version` head, a fingerprint of the server's fixture, and
//! per namespace its world (clock, RNG position, records, timers: `world/saved.rs`), the
//! facades' bindings (each through its facade's `binding_codec`), its faults with their
//! counters and random stream, its webhook outbox (deliveries, attempts, retries due, the
//! handshakes passed), its trace-id counter, and its own fixture when it is not the server's.
//! Not saved: the journal, the recent-events list and signed requests' nonces (docs/state.md
//! says why).
//!
//! Reading checks everything before a namespace is touched, and a file that is not one
//! (truncated, corrupt, another format or version, saved with another fixture, too big) is
//! refused with its path and the reason; the caller exits without writing. Writing goes to a
//! temporary file in the same directory, synced, then renamed over the file, so a crash
//! leaves the old file or the new one, never half of one.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::value::{RawValue, to_raw_value};

use crate::api::facade::{self, BindingCodec};
use crate::digest::{FNV_OFFSET_BASIS, fnv1a};
use crate::faults::FaultList;
use crate::fixture::Fixture;
use crate::namespace::{DEFAULT_NAMESPACE, Namespace, Registry};
use crate::webhooks::outbox::SavedOutbox;
use crate::world::World;

/// What the `format` field of a state file says.
pub const FORMAT: &str = "wabasim-state";

/// The layout this build writes and reads; a file of another version is refused. Bump it with
/// any change to a saved type that an older file would not read the same way.
pub const VERSION: u32 = 1;

/// `--state-max-bytes` by default: 256 MiB, room for a generated world of 100,000 numbers.
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// Why a state file could not be read or written.
#[derive(Debug)]
pub struct StateError {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "state file {}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for StateError {}

/// What a save wrote.
#[derive(Clone, Debug, Serialize)]
pub struct Saved {
    pub path: String,
    pub namespaces: usize,
    pub bytes: u64,
}

#[derive(Deserialize)]
struct Head {
    format: Option<String>,
    version: Option<u32>,
}

#[derive(Serialize, Deserialize)]
struct StateFile {
    format: String,
    version: u32,
    /// FNV-1a of the server fixture's JSON: a namespace that started from it is rebuilt
    /// from the one the server has now, which must be the same.
    server_fixture: String,
    namespaces: Vec<SavedNamespace>,
}

#[derive(Serialize, Deserialize)]
struct SavedNamespace {
    name: String,
    /// `None`: the server's fixture.
    fixture: Option<Box<RawValue>>,
    trace_seq: u64,
    world: Box<RawValue>,
    /// By facade id.
    bindings: BTreeMap<String, Box<RawValue>>,
    faults: Box<RawValue>,
    outbox: SavedOutbox,
}

/// Guards the temporary file: two saves at once would write the same one.
static SAVING: parking_lot::Mutex<()> = parking_lot::Mutex::new(());

fn fingerprint(fixture: &Fixture) -> String {
    let json = serde_json::to_vec(fixture).unwrap_or_default();
    format!("{:016x}", fnv1a(&json, FNV_OFFSET_BASIS))
}

fn codec(facade: &str) -> Option<BindingCodec> {
    facade::by_id(facade).and_then(|f| f.binding_codec())
}

/// Writes every namespace of `registry` to `path`, atomically. Refuses (leaving the file as
/// it was) a state over `max_bytes`, which the next start would refuse to read. Blocking:
/// call it off the async workers.
pub fn save(registry: &Registry, path: &Path, max_bytes: u64) -> Result<Saved, StateError> {
    let fail = |message: String| StateError {
        path: path.to_path_buf(),
        message,
    };
    let _one_at_a_time = SAVING.lock();
    let server = registry.fixture();
    let mut namespaces = Vec::new();
    for ns in registry.all() {
        namespaces.push(save_namespace(&ns, &server).map_err(&fail)?);
    }
    let file = StateFile {
        format: FORMAT.to_string(),
        version: VERSION,
        server_fixture: fingerprint(&server),
        namespaces,
    };
    let bytes = serde_json::to_vec(&file).map_err(|e| fail(format!("cannot encode: {e}")))?;
    if bytes.len() as u64 > max_bytes {
        return Err(fail(format!(
            "the state is {} bytes, over --state-max-bytes ({max_bytes}); the file was left as it was",
            bytes.len()
        )));
    }
    write_atomically(path, &bytes).map_err(|e| fail(format!("cannot write: {e}")))?;
    Ok(Saved {
        path: path.display().to_string(),
        namespaces: file.namespaces.len(),
        bytes: bytes.len() as u64,
    })
}

fn save_namespace(ns: &Namespace, server: &Arc<Fixture>) -> Result<SavedNamespace, String> {
    let encode = |what: &str, e: serde_json::Error| format!("namespace {}: {what}: {e}", ns.name);
    let (world, bindings) = ns.read_world(|w| -> Result<_, String> {
        let world = to_raw_value(w).map_err(|e| encode("world", e))?;
        let mut bindings = BTreeMap::new();
        for id in w.binding_facades() {
            let codec = codec(id).ok_or_else(|| {
                format!("namespace {}: facade {id} keeps state in the world but has no binding_codec, so it cannot be saved", ns.name)
            })?;
            if let Some(saved) = (codec.save)(w) {
                bindings.insert(id.to_string(), saved.map_err(|e| encode(id, e))?);
            }
        }
        Ok((world, bindings))
    })?;
    let faults = ns
        .faults
        .save(to_raw_value)
        .map_err(|e| encode("faults", e))?;
    let fixture = match ns.fixture() {
        Some(own) if !Arc::ptr_eq(&own, server) => {
            Some(to_raw_value(&*own).map_err(|e| encode("fixture", e))?)
        }
        _ => None,
    };
    Ok(SavedNamespace {
        name: ns.name.clone(),
        fixture,
        trace_seq: ns.trace_seq(),
        world,
        bindings,
        faults,
        outbox: ns.outbox.save(),
    })
}

/// Writes `bytes` to a temporary file beside `path`, syncs it, renames it over `path` and
/// syncs the directory: after a crash the file is the old one or the new one.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        // It holds app secrets and tokens: readable by its owner only.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written?;
    // The rename is durable once the directory is synced (not every system can open one).
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A namespace read from a state file, checked and built, not yet installed.
struct Restored {
    name: String,
    fixture: Arc<Fixture>,
    world: World,
    faults: FaultList,
    outbox: SavedOutbox,
    trace_seq: u64,
}

/// Reads `path` into `registry`'s namespaces. A missing file is no error (the first start
/// with `--state`: the first save makes it); `Ok(None)` then. Everything is read and
/// checked before any namespace changes. Blocking: builds each namespace's fixture again for
/// its scheduled events.
pub fn load(registry: &Registry, path: &Path, max_bytes: u64) -> Result<Option<usize>, StateError> {
    let fail = |message: String| StateError {
        path: path.to_path_buf(),
        message,
    };
    let size = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(fail(format!("cannot read: {e}"))),
    };
    if size > max_bytes {
        return Err(fail(format!(
            "{size} bytes, over --state-max-bytes ({max_bytes}); raise it or move the file away"
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    let file = parse(&bytes).map_err(fail)?;
    let server = registry.fixture();
    if file.server_fixture != fingerprint(&server) {
        return Err(fail(
            "it was saved by a server started with another fixture (--fixture); start with the same fixture, or move the file away to start afresh".into(),
        ));
    }
    let mut restored = Vec::with_capacity(file.namespaces.len());
    for saved in file.namespaces {
        restored.push(restore_namespace(saved, &server).map_err(fail)?);
    }
    let count = restored.len();
    for r in restored {
        let ns = if r.name == DEFAULT_NAMESPACE {
            let ns = registry.default_namespace();
            ns.install(r.fixture, (r.world, Vec::new()));
            ns
        } else {
            registry
                .create_built(&r.name, r.fixture, (r.world, Vec::new()))
                .map_err(|e| fail(format!("namespace {}: {e}", r.name)))?
        };
        ns.faults.restore(r.faults);
        // Checked with the rest before any namespace changed.
        let _ = ns.outbox.restore(r.outbox, &webhook_name);
        ns.set_trace_seq(r.trace_seq);
    }
    Ok(Some(count))
}

/// The file's head first, so that another version is named as such rather than as whatever
/// field it lacks.
fn parse(bytes: &[u8]) -> Result<StateFile, String> {
    let head: Head = serde_json::from_slice(bytes)
        .map_err(|e| format!("not a readable wabasim state file (corrupt or truncated?): {e}"))?;
    if head.format.as_deref() != Some(FORMAT) {
        return Err(format!(
            "not a wabasim state file: its format is {:?}, expected {FORMAT:?}",
            head.format.unwrap_or_default()
        ));
    }
    match head.version {
        Some(VERSION) => {}
        Some(v) => {
            return Err(format!(
                "state format version {v}; this wabasim ({}) reads version {VERSION} only",
                env!("CARGO_PKG_VERSION")
            ));
        }
        None => return Err("no format version".into()),
    }
    serde_json::from_slice(bytes).map_err(|e| format!("corrupt: {e}"))
}

fn restore_namespace(saved: SavedNamespace, server: &Arc<Fixture>) -> Result<Restored, String> {
    let name = saved.name;
    let bad = |what: &str, e: String| format!("namespace {name:?}: {what}: {e}");
    if name != DEFAULT_NAMESPACE && !crate::namespace::valid_name(&name) {
        return Err(bad("name", "not a namespace name".into()));
    }
    let fixture = match saved.fixture {
        None => server.clone(),
        Some(raw) => Arc::new(
            serde_json::from_str::<Fixture>(raw.get())
                .map_err(|e| bad("fixture", e.to_string()))?,
        ),
    };
    let mut world: World =
        serde_json::from_str(saved.world.get()).map_err(|e| bad("world", e.to_string()))?;
    world.index_migrations();
    for (facade, raw) in &saved.bindings {
        let codec = codec(facade).ok_or_else(|| {
            bad(
                "bindings",
                format!("no facade {facade:?} here to read them"),
            )
        })?;
        (codec.load)(&mut world, raw).map_err(|e| bad(facade, e.to_string()))?;
    }
    let faults: FaultList =
        serde_json::from_str(saved.faults.get()).map_err(|e| bad("faults", e.to_string()))?;
    saved
        .outbox
        .check(&webhook_name)
        .map_err(|e| bad("outbox", e))?;
    // Scheduled changes are closures, not data: a fresh build of the same fixture has them,
    // in the order the saved timers name them by. Only built when there are some: a big
    // generated world is not built twice for nothing.
    if !fixture.events.is_empty() {
        let (fresh, _) = fixture
            .instantiate()
            .map_err(|e| bad("fixture", e.to_string()))?;
        world.restore_scheduled(fresh);
    }
    Ok(Restored {
        name,
        fixture,
        world,
        faults,
        outbox: saved.outbox,
        trace_seq: saved.trace_seq,
    })
}

/// A facade's webhook event or signature header name, as the static text its deliveries keep.
fn webhook_name(name: &str) -> Option<&'static str> {
    crate::api::facade::FACADES
        .iter()
        .flat_map(|f| f.webhook_names())
        .copied()
        .find(|n| *n == name)
}
