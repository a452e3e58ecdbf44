//! The world's seeded RNG (and the faults' stream): a ChaCha8 stream that a copied world continues exactly where the
//! original stood (a fixture's prototype world is copied for each namespace, see
//! `fixture/build/prototype.rs`) and that `serve --state` saves as its position in the stream.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A seeded RNG (the world's, and the faults' own stream). `Clone` copies the stream's
/// position, not just the seed.
#[derive(Debug)]
pub struct SeededRng(ChaCha8Rng);

impl SeededRng {
    pub fn seeded(seed: u64) -> Self {
        SeededRng(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A uniformly drawn value of `range`.
    pub fn random_range<T, R>(&mut self, range: R) -> T
    where
        T: rand::distr::uniform::SampleUniform,
        R: rand::distr::uniform::SampleRange<T>,
    {
        self.0.random_range(range)
    }

    /// A value of `T`'s standard distribution (`f64` in `[0, 1)`, any `u8`).
    pub fn random<T>(&mut self) -> T
    where
        rand::distr::StandardUniform: rand::distr::Distribution<T>,
    {
        self.0.random()
    }

    fn saved(&self) -> SavedRng {
        SavedRng {
            seed: self.0.get_seed(),
            stream: self.0.get_stream(),
            word_pos: self.0.get_word_pos().to_string(),
        }
    }

    fn restored(seed: [u8; 32], stream: u64, word_pos: u128) -> Self {
        let mut rng = ChaCha8Rng::from_seed(seed);
        rng.set_stream(stream);
        rng.set_word_pos(word_pos);
        SeededRng(rng)
    }
}

impl Clone for SeededRng {
    fn clone(&self) -> Self {
        SeededRng::restored(
            self.0.get_seed(),
            self.0.get_stream(),
            self.0.get_word_pos(),
        )
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

impl Serialize for SeededRng {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.saved().serialize(s)
    }
}

impl<'de> Deserialize<'de> for SeededRng {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SeededRng, D::Error> {
        let saved = SavedRng::deserialize(d)?;
        let word_pos: u128 = saved
            .word_pos
            .parse()
            .map_err(|_| serde::de::Error::custom("rng.word_pos: not a number"))?;
        Ok(SeededRng::restored(saved.seed, saved.stream, word_pos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_goes_on_where_the_original_stood() {
        let mut a = SeededRng::seeded(7);
        let _: u64 = a.random_range(0..1000);
        let mut b = a.clone();
        let next_a: Vec<u32> = (0..5).map(|_| a.random_range(0..1_000_000)).collect();
        let next_b: Vec<u32> = (0..5).map(|_| b.random_range(0..1_000_000)).collect();
        assert_eq!(next_a, next_b);
        // Not the seed's first draws: the copy did not start its stream again.
        let mut fresh = SeededRng::seeded(7);
        let from_start: Vec<u32> = (0..5).map(|_| fresh.random_range(0..1_000_000)).collect();
        assert_ne!(next_b, from_start);
    }
}
