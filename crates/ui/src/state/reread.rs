//! A page's read that is made again when what it reads changes and when live updates ask
//! pages to re-read (the poll, focus, the events socket connecting). Unlike a resource, whose
//! older answer is dropped once a later read has started, the newest answer that has arrived
//! is shown: the re-read the socket asks for as it first connects, a moment after the page's
//! first read went out, never holds back the first view (the inbox drew its runs ~150 ms
//! later waiting for it). An answer read for other inputs than the page now shows (another
//! page, another order) is dropped.

use std::future::Future;

use leptos::prelude::*;

/// The newest answer of `read` for the page's current `inputs`; `None` until one arrives.
/// `inputs` and `read` are tracked: a change in what they read sends the read again.
pub(crate) fn newest_answer<K, T, F>(
    inputs: impl Fn() -> K + 'static,
    read: impl Fn(&K) -> F + 'static,
) -> ReadSignal<Option<T>, LocalStorage>
where
    K: PartialEq + Clone + 'static,
    T: 'static,
    F: Future<Output = T> + 'static,
{
    let (answer, set_answer) = signal_local(None::<T>);
    // Reads are numbered as they start; an answer is shown unless a later one already is.
    let started = StoredValue::new_local(0u64);
    let shown = StoredValue::new_local(0u64);
    let wanted = StoredValue::new_local(None::<K>);
    Effect::new(move |_| {
        let key = inputs();
        let future = read(&key);
        let number = started.get_value() + 1;
        started.set_value(number);
        wanted.set_value(Some(key.clone()));
        leptos::task::spawn_local(async move {
            let value = future.await;
            // The page may be gone by now: then there is nothing to show it on.
            let current = wanted.try_with_value(|k| k.as_ref() == Some(&key)) == Some(true);
            if current && shown.try_get_value().is_some_and(|n| number > n) {
                shown.set_value(number);
                set_answer.try_set(Some(value));
            }
        });
    });
    answer
}
