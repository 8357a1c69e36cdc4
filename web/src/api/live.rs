//! The store's live stream (`GET /api/v1/stream`): a one-minute ticket, then an
//! `EventSource`; when the stream fails or ends it is opened again with a fresh ticket,
//! waiting a little longer each time it fails in a row.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::set_timeout;
use leptos::task::spawn_local;
use textback_shared::live::{LiveEvent, StreamTicket};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{EventSource, MessageEvent};

use super::{ApiError, Client};

const FIRST_RETRY: Duration = Duration::from_secs(1);
const LONGEST_RETRY: Duration = Duration::from_secs(30);

pub async fn ticket(client: &Client) -> Result<StreamTicket, ApiError> {
    client.post("/stream/tickets", &serde_json::json!({})).await
}

/// An open stream; `close` ends it for good.
#[derive(Clone)]
pub struct LiveStream {
    inner: Rc<RefCell<Inner>>,
}

struct Inner {
    client: Client,
    on_event: Rc<dyn Fn(LiveEvent)>,
    source: Option<EventSource>,
    /// The handlers of the open source (dropping them would detach them).
    handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    retry: Duration,
    closed: bool,
}

impl LiveStream {
    /// Starts streaming; `on_event` gets every event, `Ready` included (after a reconnect,
    /// the page should fetch again what it shows: changes may have been missed meanwhile).
    pub fn open(client: Client, on_event: impl Fn(LiveEvent) + 'static) -> Self {
        let stream = Self {
            inner: Rc::new(RefCell::new(Inner {
                client,
                on_event: Rc::new(on_event),
                source: None,
                handlers: Vec::new(),
                retry: FIRST_RETRY,
                closed: false,
            })),
        };
        stream.connect();
        stream
    }

    pub fn close(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.closed = true;
        if let Some(source) = inner.source.take() {
            source.close();
        }
        inner.handlers.clear();
    }

    fn connect(&self) {
        let stream = self.clone();
        let client = self.inner.borrow().client.clone();
        spawn_local(async move {
            let ticket = ticket(&client).await;
            if stream.inner.borrow().closed {
                return;
            }
            match ticket.ok().and_then(|t| EventSource::new(&t.url).ok()) {
                Some(source) => stream.attach(source),
                None => stream.reconnect_later(),
            }
        });
    }

    fn attach(&self, source: EventSource) {
        let on_message = {
            let stream = self.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                let data = event
                    .dyn_ref::<MessageEvent>()
                    .and_then(|m| m.data().as_string());
                let Some(event) = data.and_then(|d| serde_json::from_str::<LiveEvent>(&d).ok())
                else {
                    return;
                };
                if event == LiveEvent::Ready {
                    stream.inner.borrow_mut().retry = FIRST_RETRY;
                }
                let on_event = stream.inner.borrow().on_event.clone();
                on_event(event);
            })
        };
        // The browser would retry with the same ticket, which soon expires: reconnect
        // ourselves with a new one.
        let on_error = {
            let stream = self.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
                if let Some(source) = stream.inner.borrow_mut().source.take() {
                    source.close();
                }
                stream.reconnect_later();
            })
        };
        source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let mut inner = self.inner.borrow_mut();
        inner.source = Some(source);
        inner.handlers = vec![on_message, on_error];
    }

    fn reconnect_later(&self) {
        let wait = {
            let mut inner = self.inner.borrow_mut();
            if inner.closed {
                return;
            }
            let wait = inner.retry;
            inner.retry = (inner.retry * 2).min(LONGEST_RETRY);
            wait
        };
        let stream = self.clone();
        set_timeout(
            move || {
                if !stream.inner.borrow().closed {
                    stream.connect();
                }
            },
            wait,
        );
    }
}
