//! The frame around every signed-in page: the store, the navigation, logging out.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::{use_location, use_navigate};

use crate::contexts::session::use_session;
use crate::navigation::replacing;

#[component]
pub fn AppLayout() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let location = use_location();
    let on_number_pages = move || {
        location
            .pathname
            .with(|p| p == "/numbers" || p == "/settings/number")
    };
    let log_out = move |_| {
        session.log_out();
        // In place of the page: Back from the login page must not land on a page that is
        // signed in no more (and only sends the person to log in again).
        navigate("/login", replacing());
    };

    view! {
        <div class="shell">
            <header class="topbar">
                <div class="topbar-inner">
                    <A href="/" attr:class="brand" attr:aria-label="Textback dashboard">
                        <span class="brand-mark" aria-hidden="true">"T"</span>
                        <span class="brand-name">"Textback"</span>
                    </A>
                    <span class="store-name" data-testid="store-name">
                        {move || session.store_name().unwrap_or_default()}
                    </span>
                    <div class="topbar-user">
                        <span class="user-email">{move || session.user_email().unwrap_or_default()}</span>
                        <button type="button" class="button button-quiet" data-testid="logout" on:click=log_out>
                            "Log out"
                        </button>
                    </div>
                </div>
            </header>
            <div class="frame">
                <nav class="sidenav" aria-label="Main">
                    <A href="/inbox" attr:data-testid="nav-inbox">"Inbox"</A>
                    <A href="/" exact=true attr:data-testid="nav-overview">"Dashboard"</A>
                    <A href="/campaigns" attr:data-testid="nav-campaigns">"Campaigns"</A>
                    <A href="/opt-outs" attr:data-testid="nav-opt-outs">"Opt-outs"</A>
                    <p class="nav-heading">"Settings"</p>
                    // Exact: the other settings pages live under /settings too.
                    <A href="/settings" exact=true attr:data-testid="nav-settings">"Store"</A>
                    // Choosing a number is part of this setting, so one entry covers both pages.
                    <a href="/settings/number" data-testid="nav-sms-number" aria-current=move || on_number_pages().then_some("page")>
                        "SMS number"
                    </a>
                    <A href="/settings/api-keys" attr:data-testid="nav-api-keys">"API keys"</A>
                </nav>
                <main class="content">
                    <Outlet />
                </main>
            </div>
        </div>
    }
}
