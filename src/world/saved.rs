//! A world as a `serve --state` file keeps it: the serde adapters the world's own types need
//! (maps keyed by tuples, which a text format cannot key by; the RNG saves itself as its
//! position in its stream, `rng.rs`), and what saving leaves out.
//!
//! The world holds no format: these only describe its values to serde, and the caller
//! (`src/snapshot.rs`) picks the format. Left out and given back by the caller: the scheduled
//! changes (closures made from the fixture's events, `World::restore_scheduled`), the
//! callback allowlist (the server's policy) and the events not yet drained (none, between
//! two calls of `Namespace::with_world`).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A map written as a list of `[key, value]` pairs.
pub mod pairs {
    use super::*;

    pub fn serialize<'a, M, K, V, S>(map: &'a M, s: S) -> Result<S::Ok, S::Error>
    where
        &'a M: IntoIterator<Item = (&'a K, &'a V)>,
        K: Serialize + 'a,
        V: Serialize + 'a,
        S: Serializer,
    {
        s.collect_seq(map)
    }

    pub fn deserialize<'de, M, K, V, D>(d: D) -> Result<M, D::Error>
    where
        M: FromIterator<(K, V)>,
        K: Deserialize<'de>,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(Vec::<(K, V)>::deserialize(d)?.into_iter().collect())
    }
}

impl super::World {
    /// Gives a loaded world back its scheduled changes, taken from a world freshly built from
    /// the same fixture (their timers, saved with the world, name them by position).
    pub fn restore_scheduled(&mut self, from: super::World) {
        self.scheduled = from.scheduled;
    }
}
