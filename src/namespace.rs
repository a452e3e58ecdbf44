//! Namespaces: isolated worlds on one server, picked by the `X-Wabasim-Namespace` header.
//!
//! Each namespace owns its world (and with it its clock and RNG), its scripted faults, its
//! request journal and its webhook outbox. The world sits behind a `parking_lot` mutex that is only ever held
//! inside a synchronous closure ([`Namespace::with_world`]), never across an `.await`: a
//! scripted delay or a webhook wait happens after the lock is released.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use parking_lot::{Mutex, RwLock};
use tokio::sync::Notify;

use crate::clock::Timestamp;
use crate::digest::{FNV_OFFSET_BASIS, fnv1a};
use crate::faults::Faults;
use crate::fixture::{BuildError, Fixture};
use crate::journal::{Journal, JournalLimits};
use crate::webhooks::Outbox;
use crate::world::{World, WorldEvent};

pub use crate::wire::{NAMESPACE_HEADER, valid_namespace_name as valid_name};
/// The namespace of requests that name none.
pub const DEFAULT_NAMESPACE: &str = "default";

/// How many world events a namespace keeps for the control API.
const EVENTS_KEPT: usize = 1000;

/// One isolated world and what goes with it.
pub struct Namespace {
    pub name: String,
    /// Behind a read-write lock: reads (Graph GETs, journal times) run side by side; every
    /// change takes the write lock.
    world: RwLock<World>,
    /// Recent world events, newest last (bounded).
    events: Mutex<VecDeque<WorldEvent>>,
    /// Feeds trace and request ids: deterministic per namespace, without touching the world.
    trace_seq: AtomicU64,
    trace_seed: u64,
    /// Requests to the vendor facades (bounded ring).
    pub journal: Journal,
    /// Webhook deliveries made from the world's events.
    pub outbox: Outbox,
    /// Scripted failures: the fixture's, then those added through `/__admin/faults`.
    pub faults: Faults,
    /// The fixture the namespace was last loaded from; a reset goes back to it.
    fixture: Mutex<Option<Arc<Fixture>>>,
    /// Signature nonces of recent signed requests, per facade (keyed by its id), for the
    /// replay checks of facades that sign requests.
    nonces: Mutex<Vec<(&'static str, SeenNonces)>>,
    /// When a request last named this namespace ([`uptime_ms`]), for `--namespace-ttl`.
    last_used: AtomicU64,
}

pub use crate::clock::uptime_ms;

impl Namespace {
    /// A namespace with the default journal size and a dispatcher wake-up of its own (tests).
    pub fn new(name: &str, world: World, seed: u64) -> Namespace {
        Namespace::with_parts(
            name,
            world,
            seed,
            JournalLimits::default(),
            Arc::new(Notify::new()),
        )
    }

    fn with_parts(
        name: &str,
        world: World,
        seed: u64,
        journal: JournalLimits,
        dispatcher: Arc<Notify>,
    ) -> Namespace {
        Namespace {
            name: name.to_string(),
            world: RwLock::new(world),
            events: Mutex::new(VecDeque::new()),
            trace_seq: AtomicU64::new(0),
            trace_seed: seed ^ fnv1a(name.as_bytes(), FNV_OFFSET_BASIS),
            journal: Journal::with_limits(journal),
            outbox: Outbox::new(dispatcher),
            faults: Faults::default(),
            fixture: Mutex::new(None),
            nonces: Mutex::new(Vec::new()),
            last_used: AtomicU64::new(uptime_ms()),
        }
    }

    /// Notes that a request named this namespace now (one relaxed store).
    pub fn touch(&self, request: &crate::clock::Stopwatch) {
        self.last_used.store(request.uptime_ms(), Ordering::Relaxed);
    }

    /// How long since a request last named this namespace.
    pub fn idle(&self) -> std::time::Duration {
        std::time::Duration::from_millis(
            uptime_ms().saturating_sub(self.last_used.load(Ordering::Relaxed)),
        )
    }

    /// A namespace whose world and faults come from `fixture` (default journal size, a
    /// dispatcher wake-up of its own: tests).
    pub fn from_fixture(name: &str, fixture: Arc<Fixture>) -> Result<Namespace, BuildError> {
        Namespace::from_fixture_with(
            name,
            fixture,
            JournalLimits::default(),
            Arc::new(Notify::new()),
        )
    }

    fn from_fixture_with(
        name: &str,
        fixture: Arc<Fixture>,
        journal: JournalLimits,
        dispatcher: Arc<Notify>,
    ) -> Result<Namespace, BuildError> {
        let built = fixture.instantiate_shared()?;
        Ok(Namespace::from_built(
            name, fixture, built, journal, dispatcher,
        ))
    }

    /// A namespace whose world was already built from `fixture`.
    fn from_built(
        name: &str,
        fixture: Arc<Fixture>,
        (world, faults): (World, Vec<crate::faults::Fault>),
        journal: JournalLimits,
        dispatcher: Arc<Notify>,
    ) -> Namespace {
        let ns = Namespace::with_parts(name, world, fixture.seed, journal, dispatcher);
        ns.faults.replace(faults, fixture.seed);
        *ns.fixture.lock() = Some(fixture);
        ns
    }

    /// Replaces the world and the faults with a fresh build of `fixture` (`POST
    /// /__admin/fixture`, reset). The namespace remembers it for the next reset.
    pub fn load(&self, fixture: Arc<Fixture>) -> Result<(), BuildError> {
        let built = fixture.instantiate_shared()?;
        self.install(fixture, built);
        Ok(())
    }

    /// [`Namespace::load`] with the world already built from `fixture` (built off the async
    /// workers, see `POST /__admin/fixture`).
    pub fn install(
        &self,
        fixture: Arc<Fixture>,
        (world, faults): (World, Vec<crate::faults::Fault>),
    ) {
        self.replace_world(world);
        self.faults.replace(faults, fixture.seed);
        *self.fixture.lock() = Some(fixture);
    }

    /// Back to the fixture the namespace was last loaded from (else `server_fixture`): a fresh
    /// world, the fixture's faults with their counters at zero (runtime faults are dropped),
    /// an empty journal and outbox. `POST /__admin/reset` and the embedding API's
    /// `Scope::reset` both come here.
    pub fn reset(&self, server_fixture: Arc<Fixture>) -> Result<(), BuildError> {
        self.load(self.fixture().unwrap_or(server_fixture))
    }

    /// The fixture the namespace was last loaded from, if it was loaded from one.
    pub fn fixture(&self) -> Option<Arc<Fixture>> {
        self.fixture.lock().clone()
    }

    /// Runs `f` on the world, after applying whatever the clock has made due. Events the call
    /// produced are collected when it returns: kept for the control API, and handed to the
    /// webhook outbox with their subscribers resolved as the world is at that moment.
    pub fn with_world<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        let (result, events, outgoing, now) = {
            let mut world = self.world.write();
            world.catch_up();
            let result = f(&mut world);
            if world.has_events() {
                let events = world.drain_events();
                let changes = world.drain_number_changes();
                let paced = world.drain_paced();
                let mut outgoing = crate::webhooks::payload::address(&world, &events);
                let mut paced_receipts = Vec::new();
                for f in crate::api::facade::FACADES {
                    outgoing.extend(f.follow_numbers(&mut world, &events, &changes));
                    paced_receipts.extend(f.follow_paced_sends(&mut world, &paced));
                    outgoing.extend(f.address_events(&world, &events));
                }
                outgoing.extend(paced_receipts);
                (result, events, outgoing, world.now())
            } else {
                (result, Vec::new(), Vec::new(), Timestamp::default())
            }
        };
        if !outgoing.is_empty() {
            self.outbox.enqueue(outgoing, now);
        }
        if !events.is_empty() {
            let mut log = self.events.lock();
            for e in events {
                if log.len() == EVENTS_KEPT {
                    log.pop_front();
                }
                log.push_back(e);
            }
        }
        result
    }

    /// Runs `f` on the world without changing it: under the read lock, so reads run side by
    /// side. When a timer fell due, the world catches up (under the write lock) first, so a
    /// read never sees a state the clock has already moved past.
    pub fn read_world<R>(&self, f: impl FnOnce(&World) -> R) -> R {
        if self.world.read().is_due() {
            self.with_world(|_| ());
        }
        f(&self.world.read())
    }

    /// Holds this namespace's worlds, this one and those installed later, to `allow`
    /// (`--webhook-allow`).
    pub fn set_callback_allow(&self, allow: Arc<crate::allowlist::Allowlist>) {
        self.world.write().callback_allow = allow;
    }

    /// Holds this namespace's uploaded media to `bytes` (`--media-bytes`).
    pub fn set_media_bytes(&self, bytes: usize) {
        self.world.write().media.set_cap(bytes);
    }

    /// Where this namespace's callback URLs may point.
    pub fn callback_allow(&self) -> Arc<crate::allowlist::Allowlist> {
        self.world.read().callback_allow.clone()
    }

    /// The world's time, without applying what fell due (cheap: for the journal).
    pub fn now(&self) -> Timestamp {
        self.world.read().clock.now()
    }

    /// Applies whatever the clock has made due (the dispatcher's tick); returns the time.
    pub fn catch_up(&self) -> Timestamp {
        self.with_world(|w| w.now())
    }

    /// Replaces the world (reset, or a new fixture). The journal and the outbox start afresh
    /// with it: a test that resets expects to read only what happens after.
    pub fn replace_world(&self, mut world: World) {
        let mut current = self.world.write();
        world.callback_allow = current.callback_allow.clone();
        world.media.set_cap(current.media.cap());
        let old = std::mem::replace(&mut *current, world);
        drop(current);
        // A world can be big: freed after the lock is let go, not while calls wait on it.
        drop(old);
        self.events.lock().clear();
        self.trace_seq.store(0, Ordering::Relaxed);
        self.journal.clear();
        self.outbox.clear();
    }

    /// Recent world events, oldest first.
    pub fn events(&self) -> Vec<WorldEvent> {
        self.events.lock().iter().cloned().collect()
    }

    /// Records a signed request's nonce for facade `facade`, remembered until `expires`;
    /// `false` if that facade saw it before (a replay). `now` is the wall-clock time the
    /// caller checks dates against.
    pub fn first_use_of_nonce(
        &self,
        facade: &'static str,
        nonce: &str,
        expires: Timestamp,
        now: Timestamp,
    ) -> bool {
        let mut all = self.nonces.lock();
        let at = match all.iter().position(|(id, _)| *id == facade) {
            Some(at) => at,
            None => {
                all.push((facade, SeenNonces::default()));
                all.len() - 1
            }
        };
        all[at].1.insert(nonce, expires, now)
    }

    /// How many trace ids were made (a `--state` file keeps it, so ids do not repeat).
    pub fn trace_seq(&self) -> u64 {
        self.trace_seq.load(Ordering::Relaxed)
    }

    /// Goes on from a saved [`Namespace::trace_seq`].
    pub fn set_trace_seq(&self, n: u64) {
        self.trace_seq.store(n, Ordering::Relaxed);
    }

    /// A fresh Graph-style trace id (23 characters of base64url alphabet).
    pub fn next_trace_id(&self) -> TraceId {
        let n = self.trace_seq.fetch_add(1, Ordering::Relaxed);
        TraceId::from_seed(splitmix(
            self.trace_seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        ))
    }
}

/// How many nonces a namespace remembers at most; past that the soonest to expire are
/// forgotten first.
pub const NONCES_KEPT: usize = 100_000;

/// One-time values seen recently. Each is kept until its expiry, which the caller sets to the
/// moment its own date check would refuse the request anyway, so memory is bounded by the
/// request rate over that window (and by [`NONCES_KEPT`]).
#[derive(Debug, Default)]
pub struct SeenNonces {
    expiry_of: HashMap<String, Timestamp>,
    by_expiry: BTreeSet<(Timestamp, String)>,
}

impl SeenNonces {
    /// `false` if `nonce` is remembered (and not expired at `now`); otherwise remembers it.
    pub fn insert(&mut self, nonce: &str, expires: Timestamp, now: Timestamp) -> bool {
        while let Some((at, _)) = self.by_expiry.first()
            && (*at <= now || self.by_expiry.len() >= NONCES_KEPT)
        {
            if let Some((_, old)) = self.by_expiry.pop_first() {
                self.expiry_of.remove(&old);
            }
        }
        if self.expiry_of.contains_key(nonce) {
            return false;
        }
        self.expiry_of.insert(nonce.to_string(), expires);
        self.by_expiry.insert((expires, nonce.to_string()));
        true
    }

    pub fn len(&self) -> usize {
        self.expiry_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.expiry_of.is_empty()
    }
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A trace id: 23 characters of the base64url alphabet, kept inline (one is made for every
/// request, twice on Graph, so it should not cost an allocation).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TraceId([u8; 23]);

impl TraceId {
    /// Six bits a character: 9 characters from the seed, 10 from the mix of what is left of
    /// it, 4 from the mix of what is left of that. Written as three fixed-length runs (the
    /// compiler unrolls them) rather than one loop that asks at each character whether to mix:
    /// that loop cost some 450 instructions an id, and a Graph request makes two.
    fn from_seed(seed: u64) -> TraceId {
        fn run<const N: usize>(mut x: u64) -> ([u8; N], u64) {
            const ALPHABET: &[u8; 64] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let mut chars = [0u8; N];
            for c in &mut chars {
                *c = ALPHABET[(x & 63) as usize];
                x >>= 6;
            }
            (chars, x)
        }
        let (first, rest) = run::<9>(seed);
        let (second, rest) = run::<10>(splitmix(rest));
        let (third, _) = run::<4>(splitmix(rest));
        let mut out = [0u8; 23];
        out[..9].copy_from_slice(&first);
        out[9..19].copy_from_slice(&second);
        out[19..].copy_from_slice(&third);
        TraceId(out)
    }

    /// The id's characters as bytes, without the UTF-8 check `as_str` makes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        // Only alphabet bytes are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl std::ops::Deref for TraceId {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for TraceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for TraceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a namespace could not be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamespaceError {
    /// The name is empty, too long, or has characters outside `[A-Za-z0-9._:-]`.
    BadName(String),
    /// The header was sent more than once.
    Repeated,
    /// The configured maximum number of namespaces exists already.
    TooMany { max: usize },
    /// The fixture could not be built into a world.
    Fixture(String),
    /// `--namespaces existing`: a facade call named a namespace that does not exist.
    Unknown(String),
    /// The header names one namespace and the request's target (a download URL's `ns`,
    /// `Facade::namespace_in_target`) another.
    Disagrees { header: String, target: String },
}

impl std::fmt::Display for NamespaceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NamespaceError::BadName(n) => write!(
                f,
                "invalid namespace {n:?}: use 1 to 128 characters from A-Z a-z 0-9 . _ : -"
            ),
            NamespaceError::Repeated => write!(
                f,
                "X-Wabasim-Namespace was sent more than once; send it once, naming one namespace"
            ),
            NamespaceError::TooMany { max } => write!(
                f,
                "too many namespaces: this server allows {max} (see --max-namespaces); delete the ones you are done with (DELETE /__admin/namespaces/{{name}}) or start the server with a higher --max-namespaces"
            ),
            NamespaceError::Fixture(e) => write!(f, "cannot build the namespace's world: {e}"),
            NamespaceError::Unknown(n) => write!(
                f,
                "unknown namespace {n:?}: this server creates namespaces only through the control API (--namespaces existing); create it with POST /__admin/namespaces {{\"name\": {n:?}}}"
            ),
            NamespaceError::Disagrees { header, target } => write!(
                f,
                "X-Wabasim-Namespace names namespace {header:?} but the URL was issued in namespace {target:?} (its ns parameter): fetch the URL without the header, or in the namespace that issued it"
            ),
        }
    }
}

/// All namespaces of a server, created on first use from the server's fixture.
pub struct Registry {
    fixture: RwLock<Arc<Fixture>>,
    default: Arc<Namespace>,
    others: RwLock<HashMap<String, Arc<Namespace>>>,
    max: usize,
    journal: JournalLimits,
    /// Wakes the webhook dispatcher (`webhooks::dispatch`).
    dispatcher: Arc<Notify>,
    /// A namespace was forgotten since memory was last handed back.
    freed: AtomicBool,
    /// `--webhook-allow`, handed to every namespace made.
    webhook_allow: RwLock<Arc<crate::allowlist::Allowlist>>,
    /// `--media-bytes`, handed to every namespace made.
    media_bytes: std::sync::atomic::AtomicUsize,
}

impl Registry {
    pub fn new(fixture: Fixture, max: usize) -> Result<Registry, NamespaceError> {
        Registry::with_journal_capacity(fixture, max, JournalLimits::default())
    }

    /// A registry whose namespaces' journals keep what `journal` allows (a number: that many
    /// entries, the default byte bounds).
    pub fn with_journal_capacity(
        fixture: Fixture,
        max: usize,
        journal: impl Into<JournalLimits>,
    ) -> Result<Registry, NamespaceError> {
        let built = fixture
            .instantiate()
            .map_err(|e| NamespaceError::Fixture(e.to_string()))?;
        Ok(Registry::with_first_world(fixture, built, max, journal))
    }

    /// A registry whose default namespace starts with `built`, a world already built from
    /// `fixture` (see `Fixture::load_instantiated`).
    pub fn with_first_world(
        fixture: Fixture,
        built: (World, Vec<crate::faults::Fault>),
        max: usize,
        journal: impl Into<JournalLimits>,
    ) -> Registry {
        let journal = journal.into();
        let journal = JournalLimits {
            entries: journal.entries.max(1),
            ..journal
        };
        let fixture = Arc::new(fixture);
        let dispatcher = Arc::new(Notify::new());
        let default = Arc::new(Namespace::from_built(
            DEFAULT_NAMESPACE,
            fixture.clone(),
            built,
            journal,
            dispatcher.clone(),
        ));
        Registry {
            fixture: RwLock::new(fixture),
            default,
            others: RwLock::new(HashMap::new()),
            max: max.max(1),
            journal,
            dispatcher,
            freed: AtomicBool::new(false),
            webhook_allow: RwLock::new(Arc::default()),
            media_bytes: std::sync::atomic::AtomicUsize::new(
                crate::world::media::DEFAULT_MEDIA_BYTES,
            ),
        }
    }

    /// Holds every namespace, now and later, to `allow` (`--webhook-allow`).
    pub fn set_webhook_allow(&self, allow: Arc<crate::allowlist::Allowlist>) {
        *self.webhook_allow.write() = allow.clone();
        self.default.set_callback_allow(allow.clone());
        for ns in self.others.read().values() {
            ns.set_callback_allow(allow.clone());
        }
    }

    /// Holds every namespace's uploaded media, now and later, to `bytes` (`--media-bytes`).
    pub fn set_media_bytes(&self, bytes: usize) {
        self.media_bytes.store(bytes, Ordering::Relaxed);
        self.default.set_media_bytes(bytes);
        for ns in self.others.read().values() {
            ns.set_media_bytes(bytes);
        }
    }

    /// What wakes the webhook dispatcher early (new deliveries, a moved clock).
    pub fn dispatcher(&self) -> Arc<Notify> {
        self.dispatcher.clone()
    }

    pub fn journal_capacity(&self) -> usize {
        self.journal.entries
    }

    pub fn journal_limits(&self) -> JournalLimits {
        self.journal
    }

    /// The namespace of that name, if it exists (never creates one).
    pub fn find(&self, name: &str) -> Option<Arc<Namespace>> {
        if name.is_empty() || name == DEFAULT_NAMESPACE {
            return Some(self.default.clone());
        }
        self.others.read().get(name).cloned()
    }

    /// The fixture new namespaces start from.
    pub fn fixture(&self) -> Arc<Fixture> {
        self.fixture.read().clone()
    }

    pub fn max(&self) -> usize {
        self.max
    }

    /// The namespace a request names (`None` or empty: the default one), created from the
    /// server's fixture on first use.
    pub fn get(&self, name: Option<&str>) -> Result<Arc<Namespace>, NamespaceError> {
        match self.existing(name)? {
            Some(ns) => Ok(ns),
            None => self.create(name.unwrap_or_default().trim(), None),
        }
    }

    /// The namespace a request names if it exists (`None` or empty: the default one);
    /// `Ok(None)` when it would be created, `Err` when the name is not one.
    pub fn existing(&self, name: Option<&str>) -> Result<Option<Arc<Namespace>>, NamespaceError> {
        let name = match name.map(str::trim) {
            None | Some("") | Some(DEFAULT_NAMESPACE) => return Ok(Some(self.default.clone())),
            Some(n) => n,
        };
        if let Some(ns) = self.others.read().get(name) {
            return Ok(Some(ns.clone()));
        }
        if valid_name(name) {
            Ok(None)
        } else {
            Err(NamespaceError::BadName(name.to_string()))
        }
    }

    /// The default namespace.
    pub fn default_namespace(&self) -> Arc<Namespace> {
        self.default.clone()
    }

    /// Creates a namespace from the server's fixture, unless it exists. Builds a world: call
    /// it off the async workers when the fixture may be big.
    pub fn create(
        &self,
        name: &str,
        fixture: Option<&Fixture>,
    ) -> Result<Arc<Namespace>, NamespaceError> {
        if !valid_name(name) {
            return Err(NamespaceError::BadName(name.to_string()));
        }
        let fixture = match fixture {
            Some(f) => Arc::new(f.clone()),
            None => self.fixture(),
        };
        // Build outside the registry lock: a large fixture must not stall other namespaces.
        let built = fixture
            .instantiate()
            .map_err(|e| NamespaceError::Fixture(e.to_string()))?;
        self.create_built(name, fixture, built)
    }

    /// Creates a namespace whose world was already built from `fixture`, unless one of that
    /// name exists (then that one is answered and `built` is dropped).
    pub fn create_built(
        &self,
        name: &str,
        fixture: Arc<Fixture>,
        built: (World, Vec<crate::faults::Fault>),
    ) -> Result<Arc<Namespace>, NamespaceError> {
        if !valid_name(name) {
            return Err(NamespaceError::BadName(name.to_string()));
        }
        let ns = Namespace::from_built(name, fixture, built, self.journal, self.dispatcher.clone());
        ns.set_callback_allow(self.webhook_allow.read().clone());
        ns.set_media_bytes(self.media_bytes.load(Ordering::Relaxed));
        let mut others = self.others.write();
        if let Some(ns) = others.get(name) {
            return Ok(ns.clone());
        }
        // The default namespace counts towards the maximum.
        if others.len() + 1 >= self.max {
            return Err(NamespaceError::TooMany { max: self.max });
        }
        let ns = Arc::new(ns);
        others.insert(name.to_string(), ns.clone());
        Ok(ns)
    }

    /// Every namespace, the default one first.
    pub fn all(&self) -> Vec<Arc<Namespace>> {
        let mut out = vec![self.default.clone()];
        let mut others: Vec<_> = self.others.read().values().cloned().collect();
        others.sort_by(|a, b| a.name.cmp(&b.name));
        out.extend(others);
        out
    }

    /// Forgets a namespace; the next request naming it starts afresh. Its memory is handed
    /// back to the system by the next [`Registry::give_back_freed`].
    pub fn remove(&self, name: &str) -> bool {
        let removed = self.others.write().remove(name);
        let found = removed.is_some();
        drop(removed);
        if found {
            self.freed.store(true, Ordering::Relaxed);
        }
        found
    }

    /// Forgets the namespaces no request named for `ttl` (`--namespace-ttl`; never the
    /// default one). Returns their names.
    pub fn expire_idle(&self, ttl: std::time::Duration) -> Vec<String> {
        let idle: Vec<String> = self
            .others
            .read()
            .values()
            .filter(|ns| ns.idle() >= ttl)
            .map(|ns| ns.name.clone())
            .collect();
        if idle.is_empty() {
            return idle;
        }
        let mut others = self.others.write();
        let mut gone = Vec::new();
        for name in idle {
            // Named again since the read: kept.
            if others.get(&name).is_some_and(|ns| ns.idle() >= ttl) {
                others.remove(&name);
                gone.push(name);
            }
        }
        drop(others);
        if !gone.is_empty() {
            self.freed.store(true, Ordering::Relaxed);
        }
        gone
    }

    /// Hands the memory of forgotten namespaces back to the system, if any were forgotten
    /// since the last call (glibc keeps freed memory for reuse; 5,000 deleted namespaces kept
    /// 162 MB). The webhook dispatcher calls it on its tick, so a burst of deletions costs one
    /// trim, not one each.
    pub fn give_back_freed(&self) {
        if self.freed.swap(false, Ordering::Relaxed) {
            crate::fixture::memory::give_back_freed();
        }
    }

    /// Replaces the server fixture (future namespaces start from it).
    pub fn set_fixture(&self, fixture: Fixture) {
        *self.fixture.write() = Arc::new(fixture);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ids as they were first made (one loop, mixing at every tenth character): the
    /// unrolled runs must give the same ids, which tests and transcripts have pinned.
    fn first_trace_id(mut x: u64) -> [u8; 23] {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = [b'A'; 23];
        for (i, slot) in out.iter_mut().enumerate() {
            if i % 10 == 9 {
                x = splitmix(x);
            }
            *slot = ALPHABET[(x & 63) as usize];
            x >>= 6;
        }
        out
    }

    #[test]
    fn trace_ids_are_the_ids_first_made() {
        let mut seed = 0x0123_4567_89ab_cdefu64;
        for _ in 0..10_000 {
            seed = splitmix(seed);
            assert_eq!(TraceId::from_seed(seed).0, first_trace_id(seed), "{seed}");
        }
        for seed in [0, 1, u64::MAX] {
            assert_eq!(TraceId::from_seed(seed).0, first_trace_id(seed), "{seed}");
        }
    }

    #[test]
    fn a_nonce_is_refused_until_it_expires() {
        let mut seen = SeenNonces::default();
        let t = |s: i64| Timestamp::from_unix_seconds(s);
        assert!(seen.insert("a", t(100), t(0)));
        assert!(!seen.insert("a", t(100), t(50)), "replay inside the window");
        assert!(seen.insert("b", t(10), t(50)), "another nonce");
        // "b" expired at 10 and is forgotten once time passes it; "a" still counts.
        assert!(!seen.insert("a", t(100), t(99)));
        assert_eq!(seen.len(), 1);
        assert!(
            seen.insert("a", t(300), t(100)),
            "expired: the date check guards it now"
        );
    }

    #[test]
    fn memory_is_bounded() {
        let mut seen = SeenNonces::default();
        let now = Timestamp(0);
        for i in 0..NONCES_KEPT + 10 {
            assert!(seen.insert(&i.to_string(), Timestamp(1_000_000 + i as i64), now));
        }
        assert_eq!(seen.len(), NONCES_KEPT);
        // The soonest-expiring were forgotten, the newest are kept.
        assert!(!seen.insert(&(NONCES_KEPT + 9).to_string(), Timestamp(i64::MAX), now));
    }
}
