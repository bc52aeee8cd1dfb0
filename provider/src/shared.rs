//! One value per type, shared by every call of a provider process ([`crate::AtlasClient::shared`]).

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Default)]
pub(crate) struct Shared {
    values: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl Shared {
    pub(crate) fn get<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let mut values = self.values.lock().unwrap_or_else(PoisonError::into_inner);
        let value = values
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()))
            .clone();
        drop(values);
        // The map is keyed by T's TypeId, so the downcast holds; a fresh value is still correct.
        value.downcast::<T>().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_per_type() {
        let shared = Shared::default();
        let a = shared.get::<Mutex<u32>>();
        *a.lock().unwrap() = 7;
        assert_eq!(*shared.get::<Mutex<u32>>().lock().unwrap(), 7);
        assert!(Arc::ptr_eq(&a, &shared.get::<Mutex<u32>>()));
        assert_eq!(*shared.get::<Mutex<u64>>().lock().unwrap(), 0);
    }
}
