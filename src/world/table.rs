//! `Table`: records by id, stored densely.
//!
//! A `HashMap<Id, Template>` keeps every record inside the hash table, whose buckets come in
//! powers of two: 500,000 templates took a table of 1,048,576 buckets of 168 bytes. A table
//! keeps the records in a `Vec` and only a small id → position index, which halves what a big
//! world costs. It offers the map operations the world uses, so code reads the same either way.
//!
//! The index is a table of positions only, 4 bytes a slot, each record's id read from `ids`
//! (open addressing, linear probing): a hash map of id → position takes 16 bytes a bucket,
//! and 500,000 templates need 1,048,576 buckets, 17 MB where this takes 4 MB.

use std::ops::Index;

use super::Id;

/// Saved (`serve --state`) as its records with their ids; the index is made again on load.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(from = "Vec<(Id, T)>")]
#[serde(bound(deserialize = "T: serde::Deserialize<'de>"))]
pub struct Table<T> {
    items: Vec<T>,
    ids: Vec<Id>,
    index: Positions,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            items: Vec::new(),
            ids: Vec::new(),
            index: Positions::default(),
        }
    }
}

// By reference, not through a copy: a big world's save should not hold it twice.
impl<T: serde::Serialize> serde::Serialize for Table<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.ids.iter().zip(&self.items))
    }
}

impl<T> From<Vec<(Id, T)>> for Table<T> {
    fn from(records: Vec<(Id, T)>) -> Self {
        let mut table = Table::default();
        for (id, item) in records {
            table.insert(id, item);
        }
        table
    }
}

impl<T> Table<T> {
    pub fn get(&self, id: &Id) -> Option<&T> {
        let slot = self.index.find(*id, &self.ids).ok()?;
        Some(&self.items[self.index.at(slot)])
    }

    pub fn get_mut(&mut self, id: &Id) -> Option<&mut T> {
        let slot = self.index.find(*id, &self.ids).ok()?;
        Some(&mut self.items[self.index.at(slot)])
    }

    pub fn contains_key(&self, id: &Id) -> bool {
        // An empty table reserved for a big build has slots to miss in the cache.
        !self.ids.is_empty() && self.index.find(*id, &self.ids).is_ok()
    }

    /// Inserts or replaces; returns the record it replaced.
    pub fn insert(&mut self, id: Id, item: T) -> Option<T> {
        if let Ok(slot) = self.index.find(id, &self.ids) {
            let i = self.index.at(slot);
            return Some(std::mem::replace(&mut self.items[i], item));
        }
        self.ids.push(id);
        self.items.push(item);
        self.index.add(self.ids.len() - 1, &self.ids);
        None
    }

    /// Removes a record; the last record moves into its place.
    pub fn remove(&mut self, id: &Id) -> Option<T> {
        let slot = self.index.find(*id, &self.ids).ok()?;
        let i = self.index.at(slot);
        self.index.clear(slot, &self.ids);
        let last = self.ids.len() - 1;
        if i != last {
            let moved = self.index.find(self.ids[last], &self.ids).expect("indexed");
            self.index.point(moved, i);
        }
        self.ids.swap_remove(i);
        Some(self.items.swap_remove(i))
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.items.iter()
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.items.iter_mut()
    }

    pub fn keys(&self) -> impl Iterator<Item = &Id> {
        self.ids.iter()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Id, &T)> {
        self.ids.iter().zip(self.items.iter())
    }

    /// Reads where `ids` would be found or inserted, so that inserting them next finds their
    /// slots in the cache: a big build's inserts each miss the cache otherwise (a random
    /// slot of 4 MB for 500,000 templates), one after another; these reads overlap.
    pub fn warm(&self, ids: &[Id]) {
        self.index.warm(ids, &self.ids);
    }

    /// Room for `n` more records without growing.
    pub fn reserve(&mut self, n: usize) {
        self.items.reserve(n);
        self.ids.reserve(n);
        self.index.reserve(self.ids.len() + n, &self.ids);
    }
}

/// No record in this slot.
const EMPTY: u32 = u32::MAX;

/// Positions in `ids`, found by id. Slots are a power of two, at most three quarters used.
#[derive(Clone, Debug, Default)]
struct Positions {
    slots: Vec<u32>,
}

impl Positions {
    /// The slot an id's search starts at (Fibonacci hashing: the product's high bits).
    fn home(&self, id: Id) -> usize {
        let bits = self.slots.len().trailing_zeros();
        (id.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - bits)) as usize
    }

    /// The slot holding `id`'s position, or the empty slot where it would go.
    fn find(&self, id: Id, ids: &[Id]) -> Result<usize, usize> {
        if self.slots.is_empty() {
            return Err(0);
        }
        let mask = self.slots.len() - 1;
        let mut s = self.home(id);
        loop {
            match self.slots[s] {
                EMPTY => return Err(s),
                p if ids[p as usize] == id => return Ok(s),
                _ => s = (s + 1) & mask,
            }
        }
    }

    /// Reads each id's home slot, then the id its entry points to (a search compares it).
    fn warm(&self, ids: &[Id], indexed: &[Id]) {
        if self.slots.is_empty() {
            return;
        }
        for &id in ids {
            std::hint::black_box(self.slots[self.home(id)]);
        }
        for &id in ids {
            let p = self.slots[self.home(id)];
            if p != EMPTY {
                std::hint::black_box(indexed[p as usize]);
            }
        }
    }

    fn at(&self, slot: usize) -> usize {
        self.slots[slot] as usize
    }

    fn point(&mut self, slot: usize, position: usize) {
        self.slots[slot] = position as u32;
    }

    /// Indexes `ids[position]`, the last id and not indexed yet.
    fn add(&mut self, position: usize, ids: &[Id]) {
        self.reserve(position + 1, &ids[..position]);
        match self.find(ids[position], ids) {
            Err(s) => self.slots[s] = position as u32,
            Ok(_) => unreachable!("added twice"),
        }
    }

    /// Empties a slot, moving later entries of its run back so that every search still
    /// meets its id before an empty slot.
    fn clear(&mut self, slot: usize, ids: &[Id]) {
        let mask = self.slots.len() - 1;
        let mut hole = slot;
        let mut s = (slot + 1) & mask;
        while self.slots[s] != EMPTY {
            let home = self.home(ids[self.slots[s] as usize]);
            // The entry may fill the hole if its home is not between the hole and it.
            if s.wrapping_sub(home) & mask >= s.wrapping_sub(hole) & mask {
                self.slots[hole] = self.slots[s];
                hole = s;
            }
            s = (s + 1) & mask;
        }
        self.slots[hole] = EMPTY;
    }

    /// Room for `n` entries in all; `ids` are the ones indexed now.
    fn reserve(&mut self, n: usize, ids: &[Id]) {
        if n * 4 <= self.slots.len() * 3 {
            return;
        }
        let size = (n * 4).div_ceil(3).next_power_of_two().max(16);
        self.slots = vec![EMPTY; size];
        for (p, &id) in ids.iter().enumerate() {
            if let Err(s) = self.find(id, ids) {
                self.slots[s] = p as u32;
            }
        }
    }
}

impl<T> Index<&Id> for Table<T> {
    type Output = T;

    fn index(&self, id: &Id) -> &T {
        self.get(id).expect("no record with this id")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_get_replace_remove() {
        let mut t = Table::default();
        for id in 1..=5u64 {
            assert!(t.insert(id, id * 10).is_none());
        }
        assert_eq!(t.insert(3, 33), Some(30));
        assert_eq!(t[&3], 33);
        assert_eq!(t.remove(&2), Some(20));
        assert!(t.get(&2).is_none());
        // The record that moved into the hole is still found.
        assert_eq!(t.get(&5), Some(&50));
        assert_eq!(t.len(), 4);
        let mut pairs: Vec<(u64, u64)> = t.iter().map(|(k, v)| (*k, *v)).collect();
        pairs.sort();
        assert_eq!(pairs, vec![(1, 10), (3, 33), (4, 40), (5, 50)]);
        assert_eq!(t.remove(&9), None);
        *t.get_mut(&1).unwrap() = 11;
        assert_eq!(t.values().copied().max(), Some(50));
        assert_eq!(t[&1], 11);
    }

    /// Many records, ids that collide in the index, removals from the middle of runs: every
    /// record is still found, and none that was removed.
    #[test]
    fn index_survives_growth_and_removals() {
        let mut t = Table::default();
        let ids: Vec<u64> = (0..5_000u64).map(|i| i * 1024 + 7).collect();
        for &id in &ids {
            t.insert(id, id);
        }
        for &id in ids.iter().step_by(3) {
            assert_eq!(t.remove(&id), Some(id));
        }
        for (n, &id) in ids.iter().enumerate() {
            assert_eq!(t.get(&id).copied(), (n % 3 != 0).then_some(id), "id {id}");
        }
        t.reserve(100_000);
        // Warming reads slots only: ids present, absent and in long runs alike.
        t.warm(&ids);
        for &id in ids.iter().step_by(3) {
            assert!(t.insert(id, id + 1).is_none());
        }
        assert_eq!(t.len(), ids.len());
        assert!(ids.iter().all(|id| t.contains_key(id)));
        assert_eq!(t.keys().count(), ids.len());
    }
}
