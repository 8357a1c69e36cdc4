//! The router: public pages for signing in, the rest behind the session.

use leptos::prelude::*;
use leptos_router::components::{ProtectedParentRoute, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

use crate::api::client::encode;
use crate::components::layout::AppLayout;
use crate::contexts::session::{Ending, provide_session_context};
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
    let session = provide_session_context();

    view! {
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/signup") view=SignupPage />
                <ProtectedParentRoute
                    path=path!("")
                    view=AppLayout
                    condition=move || Some(session.is_logged_in())
                    redirect_path=move || login_redirect(session.ending())
                >
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
                </ProtectedParentRoute>
            </Routes>
        </Router>
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
