//! Who is signed in. Kept in `localStorage` so a reload stays signed in; any 401 ends it.

use leptos::prelude::*;
use textback_shared::auth::{SessionResponse, StoreDto};

use crate::api::Client;

const STORAGE_KEY: &str = "textback.session";

/// How the last session ended, for the login page to explain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The person logged out.
    LoggedOut,
    /// The API refused the token (expired or revoked).
    Expired,
}

#[derive(Clone, Copy)]
pub struct Session {
    current: RwSignal<Option<SessionResponse>>,
    /// Changes only on signing in or out: the protected routes follow it, and must not
    /// rebuild the page when the store in the session is renamed.
    logged_in: Memo<bool>,
    ending: StoredValue<Option<Ending>>,
}

pub fn provide_session_context() -> Session {
    let current = RwSignal::new(load());
    let session = Session {
        current,
        logged_in: Memo::new(move |_| current.with(Option::is_some)),
        ending: StoredValue::new(None),
    };
    provide_context(session);
    session
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

impl Session {
    pub fn is_logged_in(&self) -> bool {
        self.logged_in.get()
    }

    pub fn store_name(&self) -> Option<String> {
        self.current
            .with(|s| s.as_ref().map(|s| s.store.name.clone()))
    }

    pub fn user_id(&self) -> Option<i64> {
        self.current.with(|s| s.as_ref().map(|s| s.user.id))
    }

    pub fn user_email(&self) -> Option<String> {
        self.current
            .with(|s| s.as_ref().map(|s| s.user.email.clone()))
    }

    /// Not reactive: it only matters at the moment a page decides where to go or what to say.
    pub fn ending(&self) -> Option<Ending> {
        self.ending.get_value()
    }

    pub fn start(&self, session: SessionResponse) {
        save(Some(&session));
        self.ending.set_value(None);
        self.current.set(Some(session));
    }

    /// The store as the API now has it (renamed in Settings), so the top bar and a reload agree.
    pub fn set_store(&self, store: StoreDto) {
        let Some(mut session) = self.current.get_untracked() else {
            return;
        };
        session.store = store;
        save(Some(&session));
        self.current.set(Some(session));
    }

    /// Ends the session here at once, and on the server as soon as it answers (a token left
    /// in the browser's storage or history is then useless).
    pub fn log_out(&self) {
        if let Some(token) = self
            .current
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
        {
            leptos::task::spawn_local(async move {
                // Offline, the token still lapses at its expiry; nothing more can be done.
                let _ = crate::api::auth::logout(&Client::bearer(token)).await;
            });
        }
        self.end(Ending::LoggedOut);
    }

    fn end(&self, ending: Ending) {
        save(None);
        self.ending.set_value(Some(ending));
        self.current.set(None);
    }

    /// A client carrying this session's token; a 401 on it ends the session.
    pub fn client(&self) -> Client {
        let token = self
            .current
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
            .unwrap_or_default();
        let session = *self;
        Client::authenticated(token, Callback::new(move |()| session.end(Ending::Expired)))
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The stored session, unless it is missing, unreadable or past its expiry.
fn load() -> Option<SessionResponse> {
    let raw = storage()?.get_item(STORAGE_KEY).ok().flatten()?;
    let session: SessionResponse = serde_json::from_str(&raw).ok()?;
    let now_ms = js_sys::Date::now() as i64;
    (session.expires_at.timestamp_millis() > now_ms).then_some(session)
}

fn save(session: Option<&SessionResponse>) {
    let Some(storage) = storage() else { return };
    // Storage can be full or disabled; the session then lasts until the tab closes.
    let _ = match session.and_then(|s| serde_json::to_string(s).ok()) {
        Some(json) => storage.set_item(STORAGE_KEY, &json),
        None => storage.remove_item(STORAGE_KEY),
    };
}
