//! State a facade keeps in the world beside the domain's own, keyed by the facade's id: the
//! vendor's identifiers bound to world objects (Alibaba's `CustSpaceId`s and AccessKeys
//! today, 360dialog's partners and channels next). The world knows no vendor: a facade
//! declares its state as a [`Binding`] type in its own folder, and finds it here by that type.
//!
//! Bindings need `Default` to start, `Debug` to be shown, `Clone` to be copied with the
//! world (a namespace starts as a copy of its fixture's prototype world), and serde to be
//! saved with it (`serve --state`: the facade's `binding_codec` names the type to read it
//! back as).
//!
//! A copied world shares its bindings with the world it was copied from until one of them
//! changes a binding (copy on write, [`Bindings::get_mut`]): a namespace reset copies the
//! prototype world, and most tests never change the vendor state of the facades they do not
//! call, so the copy and the drop of the old world each cost a reference count, not a deep
//! copy of every facade's state.

use std::any::Any;
use std::fmt::Debug;
use std::sync::Arc;

use super::World;

/// One facade's state in a world.
pub trait Binding:
    Any + Clone + Debug + Default + Send + Sync + serde::Serialize + serde::de::DeserializeOwned
{
    /// The id of the facade that owns it (`cams`).
    const FACADE: &'static str;
}

/// Object-safe view of a [`Binding`], for storing bindings of different types together.
trait Stored: Any + Debug + Send + Sync {
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn clone_box(&self) -> Box<dyn Stored>;
}

impl<T: Any + Clone + Debug + Send + Sync> Stored for T {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }

    fn clone_box(&self) -> Box<dyn Stored> {
        Box::new(self.clone())
    }
}

/// The facades' bindings of one world: a handful at most, so a list, not a map. Each is
/// shared with the copies of this world until written.
#[derive(Clone, Debug, Default)]
pub struct Bindings(Vec<(&'static str, Arc<dyn Stored>)>);

impl Bindings {
    /// The binding of type `B`, if its facade has written one.
    pub fn get<B: Binding>(&self) -> Option<&B> {
        self.0
            .iter()
            .find(|(id, _)| *id == B::FACADE)
            // `**b`: the boxed value, not the `Box` (which is `Any` too).
            .and_then(|(_, b)| (**b).as_any().downcast_ref::<B>())
    }

    /// The binding of type `B`, created empty on first use; copied first if another world
    /// shares it. A facade reads with [`Bindings::get`] and asks for this only to change.
    pub fn get_mut<B: Binding>(&mut self) -> &mut B {
        let at = match self.0.iter().position(|(id, _)| *id == B::FACADE) {
            Some(at) => at,
            None => {
                self.0.push((B::FACADE, Arc::new(B::default())));
                self.0.len() - 1
            }
        };
        let slot = &mut self.0[at].1;
        if Arc::get_mut(slot).is_none() {
            // `**slot`: the shared value; the `Arc` is `Stored` too, and would box itself.
            *slot = Arc::from((**slot).clone_box());
        }
        Arc::get_mut(slot)
            .expect("a binding just copied has no other owner")
            .as_any_mut()
            .downcast_mut::<B>()
            .expect("one binding type per facade id")
    }

    /// The ids of the facades that hold state here.
    pub fn facades(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.iter().map(|(id, _)| *id)
    }
}

impl World {
    /// The ids of the facades whose state this world holds.
    pub fn binding_facades(&self) -> Vec<&'static str> {
        self.bindings.facades().collect()
    }

    /// A facade's state in this world, if it has any.
    pub fn binding<B: Binding>(&self) -> Option<&B> {
        self.bindings.get::<B>()
    }

    /// A facade's state in this world, created empty on first use.
    pub fn binding_mut<B: Binding>(&mut self) -> &mut B {
        self.bindings.get_mut::<B>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
    struct Spaces(Vec<String>);

    impl Binding for Spaces {
        const FACADE: &'static str = "test";
    }

    #[test]
    fn a_binding_is_created_on_first_write_and_found_by_its_type() {
        let mut b = Bindings::default();
        assert!(b.get::<Spaces>().is_none());
        b.get_mut::<Spaces>().0.push("space-1".into());
        b.get_mut::<Spaces>().0.push("space-2".into());
        assert_eq!(b.get::<Spaces>().map(|s| s.0.len()), Some(2));
        assert_eq!(b.facades().collect::<Vec<_>>(), ["test"]);
    }

    #[test]
    fn a_copy_shares_its_bindings_until_one_side_writes() {
        let mut original = Bindings::default();
        original.get_mut::<Spaces>().0.push("space-1".into());
        let mut copy = original.clone();
        assert!(Arc::ptr_eq(&original.0[0].1, &copy.0[0].1));
        copy.get_mut::<Spaces>().0.push("space-2".into());
        assert_eq!(original.get::<Spaces>().map(|s| s.0.len()), Some(1));
        assert_eq!(copy.get::<Spaces>().map(|s| s.0.len()), Some(2));
        // The copy wrote once: it owns its binding now, and writes in place.
        let owned = Arc::as_ptr(&copy.0[0].1);
        copy.get_mut::<Spaces>().0.push("space-3".into());
        assert!(std::ptr::addr_eq(owned, Arc::as_ptr(&copy.0[0].1)));
    }
}
