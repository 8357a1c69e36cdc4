//! Live updates: services publish what changed, after it is committed; every open stream of
//! that store receives it.
//!
//! On PostgreSQL a change goes out through `NOTIFY` and comes back through one `LISTEN`ing
//! connection per process, so a text sent by any process (another API server, a `textback
//! worker`) reaches every process's clients. On SQLite, where one process serves, a change
//! goes straight to this process's clients.
//!
//! The listening connection exists only while someone is subscribed. If it drops, it is
//! reopened and every client is told to `Resync`, since changes may have been missed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{Array, Text};
use textback_shared::live::LiveEvent;
use tokio::sync::{broadcast, watch};

use crate::config::DatabaseUrl;
use crate::db::DbConn;

const CHANNEL: &str = "textback_live";
/// How often the listening connection is asked for news: the most a change waits.
const POLL_INTERVAL: Duration = Duration::from_millis(100);
/// How long to wait before reopening a listening connection that failed.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);
/// Changes a slow client may fall behind by before it is told to resync.
const BACKLOG: usize = 1_024;
/// Every so many polls the listening connection is checked with a query: a connection the
/// server closed can look merely quiet.
const CHECK_EVERY_POLLS: u32 = 20;

/// A change, for one store's clients.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Notice {
    pub store_id: i64,
    pub event: LiveEvent,
}

impl Notice {
    pub fn new(store_id: i64, event: LiveEvent) -> Self {
        Self { store_id, event }
    }
}

/// The process's hub; cheap to clone.
#[derive(Clone)]
pub struct LiveHub {
    shared: Arc<Shared>,
}

struct Shared {
    sender: broadcast::Sender<Arc<Notice>>,
    /// The PostgreSQL URL to listen on; `None` on SQLite.
    listen_url: Option<String>,
    listening: Mutex<bool>,
    /// Whether changes are being received: always on SQLite; on PostgreSQL, while `LISTEN`
    /// holds.
    feeding: watch::Sender<bool>,
    closed: watch::Sender<bool>,
}

impl LiveHub {
    pub fn new(database_url: &DatabaseUrl) -> Self {
        let listen_url = match database_url {
            DatabaseUrl::Postgres(url) => Some(url.clone()),
            DatabaseUrl::Sqlite(_) => None,
        };
        Self {
            shared: Arc::new(Shared {
                sender: broadcast::channel(BACKLOG).0,
                feeding: watch::channel(listen_url.is_none()).0,
                listen_url,
                listening: Mutex::new(false),
                closed: watch::channel(false).0,
            }),
        }
    }

    /// Tells every client of the notices' stores. Call it once the change is committed, with
    /// the connection that made it. Never fails the caller: a client that misses a change
    /// catches up when it reconnects.
    pub fn publish(&self, conn: &mut DbConn, notices: &[Notice]) {
        if notices.is_empty() {
            return;
        }
        match conn {
            DbConn::Postgres(conn) => {
                let payloads: Vec<String> = notices
                    .iter()
                    .filter_map(|n| serde_json::to_string(n).ok())
                    .collect();
                let sent = diesel::sql_query(format!(
                    "SELECT pg_notify('{CHANNEL}', payload) FROM unnest($1) AS payload"
                ))
                .bind::<Array<Text>, _>(&payloads)
                .execute(conn);
                if let Err(e) = sent {
                    tracing::warn!(error = %e, "live update not published");
                }
            }
            DbConn::Sqlite(_) => {
                for notice in notices {
                    self.deliver(notice.clone());
                }
            }
        }
    }

    /// Changes for `store_id`, from now on, until the hub closes.
    pub fn subscribe(&self, store_id: i64) -> Subscription {
        let receiver = self.shared.sender.subscribe();
        self.start_listening();
        Subscription {
            store_id,
            receiver,
            feeding: self.shared.feeding.subscribe(),
            closed: self.shared.closed.subscribe(),
        }
    }

    /// Ends every stream (the server is stopping: open streams would hold it up).
    pub fn close(&self) {
        self.shared.closed.send_replace(true);
    }

    fn deliver(&self, notice: Notice) {
        // No receivers is not an error: nobody is watching.
        let _ = self.shared.sender.send(Arc::new(notice));
    }

    fn start_listening(&self) {
        if self.shared.listen_url.is_none() {
            return;
        }
        let mut listening = self
            .shared
            .listening
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if !*listening {
            *listening = true;
            tokio::spawn(self.clone().listen());
        }
    }

    /// Relays `NOTIFY`s to this process's clients while any are subscribed.
    async fn listen(self) {
        let url = self.shared.listen_url.clone().unwrap_or_default();
        let mut connection: Option<PgConnection> = None;
        let mut interrupted = false;
        let mut polls: u32 = 0;
        loop {
            {
                let mut listening = self
                    .shared
                    .listening
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                if self.shared.sender.receiver_count() == 0 || *self.shared.closed.borrow() {
                    *listening = false;
                    self.shared.feeding.send_replace(false);
                    return;
                }
            }
            let url = url.clone();
            polls = polls.wrapping_add(1);
            let check = polls.is_multiple_of(CHECK_EVERY_POLLS);
            let polled =
                match tokio::task::spawn_blocking(move || poll(connection, &url, check)).await {
                    Ok(polled) => polled.map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                };
            match polled {
                Ok((conn, payloads)) => {
                    connection = Some(conn);
                    self.shared.feeding.send_replace(true);
                    if std::mem::take(&mut interrupted) {
                        self.deliver_to_all(LiveEvent::Resync);
                    }
                    for payload in payloads {
                        match serde_json::from_str::<Notice>(&payload) {
                            Ok(notice) => self.deliver(notice),
                            Err(e) => tracing::warn!(error = %e, "unreadable live update"),
                        }
                    }
                    tokio::time::sleep(POLL_INTERVAL).await;
                }
                Err(error) => {
                    tracing::warn!(%error, "live updates interrupted; reconnecting");
                    connection = None;
                    interrupted = true;
                    self.shared.feeding.send_replace(false);
                    tokio::time::sleep(RECONNECT_AFTER).await;
                }
            }
        }
    }

    /// A change every store's clients must hear (store id 0 matches every subscription).
    fn deliver_to_all(&self, event: LiveEvent) {
        self.deliver(Notice::new(EVERY_STORE, event));
    }
}

/// The store id of notices for every store's clients; real ids start at 1.
const EVERY_STORE: i64 = 0;

/// Opens the listening connection if needed, and takes what has arrived on it.
fn poll(
    connection: Option<PgConnection>,
    url: &str,
    check: bool,
) -> Result<(PgConnection, Vec<String>), diesel::result::Error> {
    let mut conn = match connection {
        Some(conn) => conn,
        None => {
            let mut conn = PgConnection::establish(url).map_err(|e| {
                diesel::result::Error::QueryBuilderError(format!("cannot connect: {e}").into())
            })?;
            diesel::sql_query(format!("LISTEN {CHANNEL}")).execute(&mut conn)?;
            conn
        }
    };
    if check {
        diesel::sql_query("SELECT 1").execute(&mut conn)?;
    }
    let payloads = conn
        .notifications_iter()
        .map(|n| n.map(|n| n.payload))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((conn, payloads))
}

/// One client's view: the changes of its store.
pub struct Subscription {
    store_id: i64,
    receiver: broadcast::Receiver<Arc<Notice>>,
    feeding: watch::Receiver<bool>,
    closed: watch::Receiver<bool>,
}

impl Subscription {
    /// Waits until changes are being received (on PostgreSQL, until `LISTEN` holds), so
    /// nothing committed after this returns is missed; `false` if the hub closed first.
    pub async fn ready(&mut self) -> bool {
        tokio::select! {
            fed = self.feeding.wait_for(|feeding| *feeding) => fed.is_ok(),
            _ = self.closed.wait_for(|closed| *closed) => false,
        }
    }

    /// The next change for this store; `None` once the hub closes.
    pub async fn next(&mut self) -> Option<LiveEvent> {
        loop {
            if *self.closed.borrow() {
                return None;
            }
            tokio::select! {
                _ = self.closed.changed() => return None,
                received = self.receiver.recv() => match received {
                    Ok(notice) if notice.store_id == self.store_id
                        || notice.store_id == EVERY_STORE => return Some(notice.event.clone()),
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(_)) => return Some(LiveEvent::Resync),
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
            }
        }
    }
}
