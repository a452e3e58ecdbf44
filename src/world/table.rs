//! `Table`: records by id, stored densely.
//!
//! A `HashMap<Id, Template>` keeps every record inside the hash table, whose buckets come in
//! powers of two: 500,000 templates took a table of 1,048,576 buckets of 168 bytes. A table
//! keeps the records in a `Vec` and only a small id → position index in the hash map, which
//! halves what a big world costs. It offers the map operations the world uses, so code reads
//! the same either way.

use std::ops::Index;

use super::{HashMap, Id};

/// Saved (`serve --state`) as its records with their ids; the index is made again on load.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(from = "Vec<(Id, T)>")]
#[serde(bound(deserialize = "T: serde::Deserialize<'de>"))]
pub struct Table<T> {
    items: Vec<T>,
    ids: Vec<Id>,
    index: HashMap<Id, u32>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            items: Vec::new(),
            ids: Vec::new(),
            index: HashMap::default(),
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
        self.index.get(id).map(|&i| &self.items[i as usize])
    }

    pub fn get_mut(&mut self, id: &Id) -> Option<&mut T> {
        self.index.get(id).map(|&i| &mut self.items[i as usize])
    }

    pub fn contains_key(&self, id: &Id) -> bool {
        self.index.contains_key(id)
    }

    /// Inserts or replaces; returns the record it replaced.
    pub fn insert(&mut self, id: Id, item: T) -> Option<T> {
        if let Some(&i) = self.index.get(&id) {
            return Some(std::mem::replace(&mut self.items[i as usize], item));
        }
        self.index.insert(id, self.items.len() as u32);
        self.items.push(item);
        self.ids.push(id);
        None
    }

    /// Removes a record; the last record moves into its place.
    pub fn remove(&mut self, id: &Id) -> Option<T> {
        let i = self.index.remove(id)? as usize;
        let item = self.items.swap_remove(i);
        self.ids.swap_remove(i);
        if let Some(moved) = self.ids.get(i) {
            self.index.insert(*moved, i as u32);
        }
        Some(item)
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

    /// Room for `n` more records without growing.
    pub fn reserve(&mut self, n: usize) {
        self.items.reserve(n);
        self.ids.reserve(n);
        self.index.reserve(n);
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
}
