//! The phone-number records of each full number (`World::records_of`).
//!
//! A number is almost always one record; a second comes only with a migration or a number
//! added again. Keyed by the digits as a `String` with a `Vec` of records, the index took two
//! allocations per number, a tenth of a big fixture's build (100,000 numbers). Here a number
//! of at most 15 digits (every E.164 number) is one integer, and its first record sits
//! beside it; the numbers with more records keep them in a list of their own. Anything else
//! (digits beyond 15, which no check lets in today) is kept by its text, as before.
//!
//! Saved (`serve --state`) as it always was: a map of digits to records.

use std::collections::hash_map::Entry;

use rustc_hash::FxHashMap as HashMap;

use super::Id;

#[derive(Clone, Debug, Default)]
pub(super) struct NumberIndex {
    /// The first record of each number that has only one.
    one: HashMap<u64, Id>,
    /// Every record, in creation order, of each number that has more than one.
    many: HashMap<u64, Vec<Id>>,
    /// Numbers that are not 1 to 15 digits.
    other: HashMap<String, Vec<Id>>,
}

/// A number of 1 to 15 digits as one integer: its value, with its length above it so that
/// leading zeros still tell numbers apart.
fn key(digits: &str) -> Option<u64> {
    key_of(digits, "")
}

/// The key of the number `cc` then `number` (without making their text).
fn key_of(cc: &str, number: &str) -> Option<u64> {
    let len = cc.len() + number.len();
    if len == 0 || len > 15 {
        return None;
    }
    let mut n = 0u64;
    for b in cc.bytes().chain(number.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    Some(n | (len as u64) << 56)
}

/// The digits a key stands for.
fn digits_of(key: u64) -> String {
    let len = (key >> 56) as usize;
    format!("{:0len$}", key & ((1 << 56) - 1))
}

impl NumberIndex {
    /// Every record of the number (digits, without `+`), in creation order.
    pub(super) fn records_of(&self, digits: &str) -> &[Id] {
        let found = match key(digits) {
            Some(k) => match self.one.get(&k) {
                Some(id) => Some(std::slice::from_ref(id)),
                None => self.many.get(&k).map(Vec::as_slice),
            },
            None => self.other.get(digits).map(Vec::as_slice),
        };
        found.unwrap_or(&[])
    }

    /// Adds a record of the number `cc` then `number`, after the others.
    pub(super) fn add(&mut self, cc: &str, number: &str, id: Id) {
        let Some(k) = key_of(cc, number) else {
            let digits = format!("{cc}{number}");
            self.other.entry(digits).or_default().push(id);
            return;
        };
        // One probe for a number's first record, the common case (`many` is empty unless
        // a number has two).
        if !self.many.is_empty()
            && let Some(records) = self.many.get_mut(&k)
        {
            records.push(id);
            return;
        }
        match self.one.entry(k) {
            Entry::Vacant(slot) => {
                slot.insert(id);
            }
            Entry::Occupied(slot) => {
                let first = slot.remove();
                self.many.insert(k, vec![first, id]);
            }
        }
    }

    /// Room for `n` more numbers without growing.
    pub(super) fn reserve(&mut self, n: usize) {
        self.one.reserve(n);
    }

    /// Every number with its records (for saving).
    fn entries(&self) -> impl Iterator<Item = (String, &[Id])> {
        let one = self
            .one
            .iter()
            .map(|(k, id)| (digits_of(*k), std::slice::from_ref(id)));
        let many = self
            .many
            .iter()
            .map(|(k, ids)| (digits_of(*k), ids.as_slice()));
        let other = self
            .other
            .iter()
            .map(|(d, ids)| (d.clone(), ids.as_slice()));
        one.chain(many).chain(other)
    }
}

impl serde::Serialize for NumberIndex {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.entries())
    }
}

impl<'de> serde::Deserialize<'de> for NumberIndex {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let saved: HashMap<String, Vec<Id>> = serde::Deserialize::deserialize(d)?;
        let mut index = NumberIndex::default();
        for (digits, ids) in saved {
            for id in ids {
                index.add(&digits, "", id);
            }
        }
        Ok(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records come back in creation order, whatever the number's form; numbers that differ
    /// only by leading zeros or by where cc ends are told apart or not as their digits say.
    #[test]
    fn records_of_a_number_in_order() {
        let mut index = NumberIndex::default();
        index.add("1", "5550001", 10);
        index.add("1", "5550001", 11);
        index.add("15", "550001", 12);
        index.add("1", "05550001", 20);
        index.add("49", "1234567890123456", 30);
        index.add("44", "7700900123", 40);
        assert_eq!(index.records_of("15550001"), &[10, 11, 12]);
        assert_eq!(index.records_of("105550001"), &[20]);
        assert_eq!(index.records_of("491234567890123456"), &[30]);
        assert_eq!(index.records_of("447700900123"), &[40]);
        for absent in ["", "5550001", "015550001", "x", "1555000１"] {
            assert!(index.records_of(absent).is_empty(), "{absent}");
        }
        assert_eq!(key("000"), Some(3 << 56));
        assert_eq!(digits_of(key("007").unwrap()), "007");
    }

    /// Saved as a map of digits to records, and read back the same.
    #[test]
    fn saved_as_digits_to_records() {
        let mut index = NumberIndex::default();
        index.add("1", "5550001", 10);
        index.add("1", "5550001", 11);
        index.add("1", "05550001", 20);
        index.add("49", "1234567890123456", 30);
        let text = serde_json::to_string(&index).unwrap();
        let saved: std::collections::BTreeMap<String, Vec<Id>> =
            serde_json::from_str(&text).unwrap();
        let expected: std::collections::BTreeMap<String, Vec<Id>> = [
            ("15550001".to_string(), vec![10, 11]),
            ("105550001".to_string(), vec![20]),
            ("491234567890123456".to_string(), vec![30]),
        ]
        .into();
        assert_eq!(saved, expected);
        let back: NumberIndex = serde_json::from_str(&text).unwrap();
        assert_eq!(back.records_of("15550001"), &[10, 11]);
        assert_eq!(back.records_of("105550001"), &[20]);
        assert_eq!(back.records_of("491234567890123456"), &[30]);
    }
}
