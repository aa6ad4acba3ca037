//! What the page's first script draws before the console's code runs (web/loader/first-reads.js):
//! a run's heading on a run's page, the inbox's first page on the inbox. The console's own page
//! is hidden behind it (console.css: `html.early-view`) until it has something of its own to
//! show in its place — the run or the runs, why they could not be read or its code fetched, or
//! another page — and then removes it.

/// Removes the first script's view and shows the console's page, and marks the page so that
/// the first script draws none after it (`data-console-drew` on `<html>`: the first reads may
/// be answered after the console has said why its code could not be fetched). Idempotent, and
/// once done does nothing more: pages call it each time they draw (the inbox on every live
/// update), and a marked page has no such view.
pub(crate) fn hand_over() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(root) = document.document_element() else {
        return;
    };
    if root.has_attribute("data-console-drew") {
        return;
    }
    let _ = root.set_attribute("data-console-drew", "");
    let _ = root.class_list().remove_1("early-view");
    if let Ok(Some(view)) = document.query_selector("body > .early-view") {
        view.remove();
    }
}
