//! The router, the connection context and the header.

use flowgate_client::ClientError;
use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::components::error_view::ErrorText;
use crate::routes::{inbox::Inbox, run::RunPage, runs::RunsPage, settings::SettingsPage};
use crate::state::connection::Connection;

/// The console's root.
#[component]
pub fn App() -> impl IntoView {
    let connection = Connection::load();
    provide_context(connection);
    view! {
        <Router>
            <Header/>
            <main>
                <Routes fallback=|| view! { <p class="empty">"There is no such page."</p> }>
                    <Route path=path!("/") view=Inbox/>
                    <Route path=path!("/runs") view=RunsPage/>
                    <Route path=path!("/runs/:id") view=RunPage/>
                    <Route path=path!("/settings") view=SettingsPage/>
                </Routes>
            </main>
        </Router>
    }
}

/// The top bar: navigation, the server's version, and a banner when it cannot be used.
#[component]
fn Header() -> impl IntoView {
    let connection = expect_context::<Connection>();
    let version = LocalResource::new(move || {
        let client = connection.client();
        async move { client?.server_version().await }
    });
    view! {
        <header class="top">
            <A href="/">"Flowgate"</A>
            <nav>
                <A href="/">"Waiting"</A>
                <A href="/runs">"All runs"</A>
                <A href="/settings">"Settings"</A>
            </nav>
            <span class="server" data-testid="server-version">
                {move || match version.get() {
                    None => "connecting…".to_owned(),
                    Some(Ok(v)) => format!("Prefect {v}"),
                    Some(Err(_)) => String::new(),
                }}
            </span>
        </header>
        {move || match version.get() {
            Some(Err(err)) => Some(view! { <Banner error=err/> }),
            _ => None,
        }}
    }
}

/// Why the server cannot be used, and what to do.
#[component]
fn Banner(error: ClientError) -> impl IntoView {
    view! {
        <div class="banner" role="alert" data-testid="connection-banner">
            <ErrorText error=error/>
            " "
            <A href="/settings">"Check the connection settings."</A>
        </div>
    }
}
