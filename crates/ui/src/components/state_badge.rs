//! A state's name, coloured by its type.

use flowgate_core::StateType;
use leptos::prelude::*;

/// The badge for a state.
#[component]
pub(crate) fn StateBadge(state_type: Option<StateType>, name: Option<String>) -> impl IntoView {
    let class = format!(
        "badge badge-{}",
        state_type
            .as_ref()
            .map_or("unknown".to_owned(), |t| t.as_str().to_lowercase())
    );
    let label = name
        .or_else(|| state_type.map(|t| t.to_string()))
        .unwrap_or_else(|| "—".into());
    view! { <span class=class>{label}</span> }
}
