//! The table both run lists draw (the inbox and all runs), and the pager under it.

use leptos::prelude::*;
use leptos_router::components::A;

/// One column's header.
pub(crate) struct Column {
    label: &'static str,
    /// Read by screen readers only (the tick box column).
    hidden: bool,
}

impl Column {
    /// A column with a visible header.
    pub(crate) const fn new(label: &'static str) -> Self {
        Column {
            label,
            hidden: false,
        }
    }

    /// A column whose header only screen readers read.
    pub(crate) const fn hidden(label: &'static str) -> Self {
        Column {
            label,
            hidden: true,
        }
    }
}

/// A list of runs: `columns` over the rows the page draws (one `<tr>` per run).
#[component]
pub(crate) fn RunsTable(
    /// The table's `data-testid`.
    testid: &'static str,
    columns: &'static [Column],
    children: Children,
) -> impl IntoView {
    view! {
        <table class="runs" data-testid=testid>
            <thead><tr>
                {columns.iter().map(|c| if c.hidden {
                    view! { <th><span class="sr-only">{c.label}</span></th> }.into_any()
                } else {
                    view! { <th>{c.label}</th> }.into_any()
                }).collect_view()}
            </tr></thead>
            <tbody>{children()}</tbody>
        </table>
    }
}

/// Links to the pages before and after `page` of `pages`, each page its own URL (`href`), so
/// Back and bookmarks work.
#[component]
pub(crate) fn Pager(
    /// The pager's `data-testid`.
    testid: &'static str,
    page: u32,
    pages: u64,
    href: Callback<u32, String>,
) -> impl IntoView {
    view! {
        <nav class="pager" aria-label="Pages" data-testid=testid>
            {(page > 1).then(|| view! { <A href=href.run(page - 1) attr:data-testid="previous-page">"← Previous"</A> })}
            <span>{format!("Page {page} of {pages}")}</span>
            {(u64::from(page) < pages).then(|| view! { <A href=href.run(page + 1) attr:data-testid="next-page">"Next →"</A> })}
        </nav>
    }
}
