//! `Shared<T>`: a part of the world that a copy of the world shares with its original until
//! either changes it (copy on write).
//!
//! A namespace starts, and every reset starts again, as a copy of its fixture's prototype
//! world (`fixture/build/prototype.rs`); the businesses, partners, apps and tokens of a test's
//! world almost never change, and a test changes one or two of its WABAs, so sharing those
//! (the parties whole, the WABAs one by one) makes that copy, and the drop of the world it
//! replaces, cost a reference count each instead of a copy of every record and string.
//!
//! Reading goes through `Deref`; anything that takes the part mutably (`DerefMut`: an
//! `insert`, a `get_mut`) first copies it if another world still shares it, so a copy can
//! never be seen to change through another.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

#[derive(Default)]
pub struct Shared<T>(Arc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone> DerefMut for Shared<T> {
    fn deref_mut(&mut self) -> &mut T {
        Arc::make_mut(&mut self.0)
    }
}

impl<T> From<T> for Shared<T> {
    fn from(value: T) -> Self {
        Shared(Arc::new(value))
    }
}

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

// Saved and read back as the value itself: a `--state` file does not see the sharing.
impl<T: serde::Serialize> serde::Serialize for Shared<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Shared<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Shared::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_shares_until_one_side_changes() {
        let mut original = Shared::from(vec![1, 2]);
        let copy = original.clone();
        assert!(Arc::ptr_eq(&original.0, &copy.0));
        original.push(3);
        assert_eq!(*original, [1, 2, 3]);
        assert_eq!(*copy, [1, 2]);
        assert!(!Arc::ptr_eq(&original.0, &copy.0));
    }

    #[test]
    fn saved_as_the_value_itself() {
        let s = Shared::from(vec!["a".to_string()]);
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(text, r#"["a"]"#);
        let back: Shared<Vec<String>> = serde_json::from_str(&text).unwrap();
        assert_eq!(*back, *s);
    }
}
