//! The router: public pages for signing in, the rest behind the session.

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

use crate::api::client::encode;
use crate::components::layout::AppLayout;
use crate::contexts::session::{Ending, provide_session_context, use_session};
use crate::navigation::replacing;
use crate::pages::api_keys::ApiKeysPage;
use crate::pages::campaign_editor::{EditCampaignPage, NewCampaignPage};
use crate::pages::campaigns::CampaignsPage;
use crate::pages::dashboard::DashboardPage;
use crate::pages::inbox::InboxPage;
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::number_settings::NumberSettingsPage;
use crate::pages::numbers::NumbersPage;
use crate::pages::opt_outs::OptOutsPage;
use crate::pages::settings::SettingsPage;
use crate::pages::signup::SignupPage;

#[component]
pub fn App() -> impl IntoView {
    provide_session_context();

    view! {
        <Router>
            <DocumentTitle />
            <Routes fallback=NotFoundPage>
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/signup") view=SignupPage />
                <ParentRoute path=path!("") view=SignedIn>
                    <Route path=path!("") view=DashboardPage />
                    <Route path=path!("/inbox/:thread_id?") view=InboxPage />
                    <Route path=path!("/campaigns") view=CampaignsPage />
                    <Route path=path!("/campaigns/new") view=NewCampaignPage />
                    <Route path=path!("/campaigns/:id") view=EditCampaignPage />
                    <Route path=path!("/opt-outs") view=OptOutsPage />
                    <Route path=path!("/numbers") view=NumbersPage />
                    <Route path=path!("/settings") view=SettingsPage />
                    <Route path=path!("/settings/number") view=NumberSettingsPage />
                    <Route path=path!("/settings/api-keys") view=ApiKeysPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The tab's title names the page, so tabs, history and screen readers tell pages apart.
#[component]
fn DocumentTitle() -> impl IntoView {
    let location = use_location();
    Effect::new(move |_| {
        let title = location.pathname.with(|path| page_title(path));
        document().set_title(&format!("{title} · Textback"));
    });
}

fn page_title(path: &str) -> &'static str {
    let path = path.trim_end_matches('/');
    match path {
        "" => "Dashboard",
        "/login" => "Log in",
        "/signup" => "Create your account",
        "/campaigns" => "Campaigns",
        "/campaigns/new" => "New campaign",
        "/opt-outs" => "Opt-outs",
        "/numbers" => "Choose your SMS number",
        "/settings" => "Store settings",
        "/settings/number" => "SMS number",
        "/settings/api-keys" => "API keys",
        "/inbox" => "Inbox",
        _ if one_below(path, "/inbox/") => "Inbox",
        _ if one_below(path, "/campaigns/") => "Campaign",
        _ => "Page not found",
    }
}

/// `/inbox/42` under `/inbox/`, but not `/inbox/42/more`.
fn one_below(path: &str, parent: &str) -> bool {
    path.strip_prefix(parent)
        .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
}

/// The signed-in pages: the frame with the page in it, or off to the login page.
#[component]
fn SignedIn() -> impl IntoView {
    let session = use_session();
    move || {
        if session.is_logged_in() {
            view! { <AppLayout /> }.into_any()
        } else {
            view! { <Redirect path=login_redirect(session.ending()) options=replacing() /> }
                .into_any()
        }
    }
}

/// Where a protected page sends a signed-out visitor: the login page, coming back here
/// afterwards unless the person chose to log out.
fn login_redirect(ending: Option<Ending>) -> String {
    if ending == Some(Ending::LoggedOut) {
        return "/login".into();
    }
    let location = use_location();
    let path = location.pathname.get_untracked();
    // Keep the query too: `/numbers?next=…` must still know where to return.
    let search = location.search.get_untracked();
    let here = if search.is_empty() {
        path
    } else {
        format!("{path}?{search}")
    };
    if here == "/" {
        "/login".into()
    } else {
        format!("/login?next={}", encode(&here))
    }
}
