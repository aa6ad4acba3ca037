//! The runs ticked in the inbox, kept across its pages, with those that ask for input apart.

use leptos::prelude::*;
use uuid::Uuid;

/// The ticked runs, kept across the inbox's pages.
#[derive(Clone, Copy)]
pub(super) struct Ticks {
    /// Each ticked run with its name.
    pub(super) selected: RwSignal<Vec<(Uuid, String)>>,
    /// The ticked runs that ask for input: rejected with the others, resumed only from their
    /// page, where the form is.
    pub(super) needs_input: RwSignal<Vec<Uuid>>,
}

impl Ticks {
    pub(super) fn new() -> Ticks {
        Ticks {
            selected: RwSignal::new(Vec::new()),
            needs_input: RwSignal::new(Vec::new()),
        }
    }

    pub(super) fn tick(self, id: Uuid, name: String, asks_input: bool) {
        self.untick(id);
        self.selected.update(|chosen| chosen.push((id, name)));
        if asks_input {
            self.needs_input.update(|ids| ids.push(id));
        }
    }

    /// Unticks a run; its name, if it was ticked.
    pub(super) fn untick(self, id: Uuid) -> Option<String> {
        let mut gone = None;
        self.selected.update(|chosen| {
            if let Some(at) = chosen.iter().position(|(other, _)| *other == id) {
                gone = Some(chosen.remove(at).1);
            }
        });
        self.needs_input
            .update(|ids| ids.retain(|other| *other != id));
        gone
    }

    pub(super) fn is_ticked(self, id: Uuid) -> bool {
        self.selected
            .with(|chosen| chosen.iter().any(|(other, _)| *other == id))
    }

    pub(super) fn clear(self) {
        self.selected.set(Vec::new());
        self.needs_input.set(Vec::new());
    }

    /// The ticked runs a resume can take: those that ask for no input.
    pub(super) fn resumable(self) -> Vec<(Uuid, String)> {
        let skip = self.needs_input.get();
        self.selected.with(|chosen| {
            chosen
                .iter()
                .filter(|(id, _)| !skip.contains(id))
                .cloned()
                .collect()
        })
    }
}
