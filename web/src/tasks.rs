//! Tasks that belong to a page: a request started by a page (a refresh after a live change,
//! say) may finish after the merchant has left it, when its signals are gone. Such a task is
//! dropped when the page is, instead of resumed.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::{spawn_local, spawn_local_scoped_with_cancellation};

#[derive(Clone, Copy)]
pub struct PageTasks {
    owner: StoredValue<Option<Owner>>,
}

impl PageTasks {
    /// Tasks of the component being built.
    pub fn new() -> Self {
        Self {
            owner: StoredValue::new(Owner::current()),
        }
    }

    pub fn spawn(self, task: impl Future<Output = ()> + 'static) {
        // `None`: the page is gone already, and so is the need for the task.
        let _ = self.owner.try_with_value(|owner| match owner {
            Some(owner) => owner.with(|| spawn_local_scoped_with_cancellation(task)),
            None => spawn_local(task),
        });
    }
}
