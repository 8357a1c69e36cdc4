//! Activating a campaign, which needs the store's SMS number: without one, the merchant is sent
//! to pick a number and brought back to finish activating.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use textback_shared::ProblemCode;
use textback_shared::campaigns::CampaignDto;

use crate::api::{self, client::encode};
use crate::contexts::session::{Session, use_session};

/// Where the number picker returns to: the campaign, which activates itself on arrival.
pub fn number_picker_path(id: i64) -> String {
    format!(
        "/numbers?next={}",
        encode(&format!("/campaigns/{id}?activate=1"))
    )
}

/// Activates or pauses campaigns, telling `on_done` the new state or `error` what failed.
#[derive(Clone, Copy)]
pub struct Activation {
    pub busy: RwSignal<Option<i64>>,
    pub error: RwSignal<Option<String>>,
    on_done: Callback<CampaignDto>,
    on_number_required: Callback<i64>,
    session: Session,
}

impl Activation {
    pub fn new(on_done: Callback<CampaignDto>) -> Self {
        let navigate = use_navigate();
        Self {
            busy: RwSignal::new(None),
            error: RwSignal::new(None),
            on_done,
            on_number_required: Callback::new(move |id| {
                navigate(&number_picker_path(id), Default::default())
            }),
            session: use_session(),
        }
    }

    /// Activates; without a number, sends the merchant to pick one.
    pub fn activate(self, id: i64) {
        self.run(id, true, true);
    }

    /// Activates on coming back from the number picker: without a number (they chose "Not
    /// now"), says so instead of sending them straight back.
    pub fn activate_on_return(self, id: i64) {
        self.run(id, true, false);
    }

    pub fn pause(self, id: i64) {
        self.run(id, false, false);
    }

    fn run(self, id: i64, activate: bool, to_picker: bool) {
        let client = self.session.client();
        self.busy.set(Some(id));
        self.error.set(None);
        spawn_local(async move {
            let result = if activate {
                api::campaigns::activate(&client, id).await
            } else {
                api::campaigns::pause(&client, id).await
            };
            match result {
                // `try_run`: the page that asked may be gone by the time the answer comes.
                Ok(campaign) => {
                    let _ = self.on_done.try_run(campaign);
                }
                Err(error) if to_picker && error.code() == Some(ProblemCode::NumberRequired) => {
                    let _ = self.on_number_required.try_run(id);
                }
                Err(error) if error.code() == Some(ProblemCode::NumberRequired) => {
                    self.error.set(Some(
                        "SMS needs a number first: choose one to activate this campaign.".into(),
                    ));
                }
                Err(error) => {
                    let _ = self.error.try_set(Some(error.message()));
                }
            }
            // The page may be gone by now (sent to the number picker).
            let _ = self.busy.try_set(None);
        });
    }
}
