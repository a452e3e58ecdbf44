//! A world as a `serve --state` file keeps it: the serde adapters the world's own types need
//! (maps keyed by tuples, which a text format cannot key by; the RNG, kept as its position
//! in its stream so that ids and codes go on where they stopped), and what saving leaves out.
//!
//! The world holds no format: these only describe its values to serde, and the caller
//! (`src/snapshot.rs`) picks the format. Left out and given back by the caller: the scheduled
//! changes (closures made from the fixture's events, `World::restore_scheduled`), the
//! callback allowlist (the server's policy) and the events not yet drained (none, between
//! two calls of `Namespace::with_world`).

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
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

/// The RNG as its seed, stream and word position: where it is in its stream, exactly.
#[derive(Serialize, Deserialize)]
struct SavedRng {
    seed: [u8; 32],
    stream: u64,
    /// A `u128` as text: not every reader of JSON takes numbers that large.
    word_pos: String,
}

pub mod rng {
    use super::*;

    pub fn serialize<S: Serializer>(rng: &ChaCha8Rng, s: S) -> Result<S::Ok, S::Error> {
        SavedRng {
            seed: rng.get_seed(),
            stream: rng.get_stream(),
            word_pos: rng.get_word_pos().to_string(),
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ChaCha8Rng, D::Error> {
        let saved = SavedRng::deserialize(d)?;
        let word_pos: u128 = saved
            .word_pos
            .parse()
            .map_err(|_| serde::de::Error::custom("rng.word_pos: not a number"))?;
        let mut rng = ChaCha8Rng::from_seed(saved.seed);
        rng.set_stream(saved.stream);
        rng.set_word_pos(word_pos);
        Ok(rng)
    }
}

impl super::World {
    /// Gives a loaded world back its scheduled changes, taken from a world freshly built from
    /// the same fixture (their timers, saved with the world, name them by position).
    pub fn restore_scheduled(&mut self, from: super::World) {
        self.scheduled = from.scheduled;
    }
}
