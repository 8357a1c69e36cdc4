//! The application: shared state, the actix `App` (used by `main` and by the tests), and
//! starting the HTTP server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware;
use actix_web::{App, Error, HttpServer, web};
use utoipa::OpenApi as _;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::session::SessionKeys;
use crate::auth::throttle::LoginThrottle;
use crate::config::{DatabaseUrl, Settings, SmsSettings};
use crate::db::DbPool;
use crate::live::LiveHub;
use crate::metrics::Metrics;
use crate::openapi::{self, ApiDoc};
use crate::routes::{self, fallback::RouteTable};
use crate::services::dispatch::DispatchConfig;
use crate::services::ingest::IngestWriter;
use crate::sms::SmsProvider;
use crate::sms::simulator::Simulator;
use crate::sms::twilio::TwilioClient;
use crate::{error, nul_text, request_log, security_headers};

/// JSON request bodies larger than this are refused with 413.
pub const JSON_BODY_LIMIT: usize = 256 * 1024;
/// Raw bodies (event batches, platform webhooks) may be larger: 500 events, big orders.
pub const RAW_BODY_LIMIT: usize = 4 * 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub settings: Arc<Settings>,
    pub sessions: SessionKeys,
    pub login_throttle: Arc<LoginThrottle>,
    pub metrics: Arc<Metrics>,
    pub routes: Arc<RouteTable>,
    pub sms: Arc<dyn SmsProvider>,
    /// Applies cart and order events, many requests to a commit.
    pub ingest: IngestWriter,
    pub dispatch: DispatchConfig,
    /// Pushes inbox changes to open streams.
    pub live: LiveHub,
    /// Set when the process is asked to stop: background work finishes what it started and
    /// takes nothing new.
    pub stopping: Arc<tokio::sync::watch::Sender<bool>>,
}

impl AppState {
    /// The state with the provider the settings name.
    pub fn new(settings: Settings, pool: DbPool) -> Result<Self, String> {
        let sms: Arc<dyn SmsProvider> = match &settings.sms {
            SmsSettings::Simulator => Arc::new(Simulator::new()),
            SmsSettings::Twilio {
                account_sid,
                auth_token,
                api_base,
            } => Arc::new(TwilioClient::new(
                account_sid.clone(),
                auth_token.clone(),
                api_base.clone(),
            )?),
        };
        Self::with_provider(settings, pool, sms)
    }

    pub fn with_provider(
        settings: Settings,
        pool: DbPool,
        sms: Arc<dyn SmsProvider>,
    ) -> Result<Self, String> {
        // SQLite writes one transaction at a time; PostgreSQL gains from a few writers, while
        // the rest of the pool serves reads.
        let writers = match settings.database_url {
            DatabaseUrl::Sqlite(_) => 1,
            DatabaseUrl::Postgres(_) => {
                usize::try_from(pool.max_size() / 2).map_or(1, |n| n.max(1))
            }
        };
        let dispatch = DispatchConfig {
            send_interval: chrono::Duration::microseconds(
                1_000_000 / i64::from(settings.sends_per_second_per_number.max(1)),
            ),
            ..DispatchConfig::default()
        };
        Ok(Self {
            live: LiveHub::new(&settings.database_url),
            stopping: Arc::new(tokio::sync::watch::channel(false).0),
            dispatch,
            ingest: IngestWriter::new(pool.clone(), writers),
            sms,
            sessions: SessionKeys::new(&settings.jwt_secret)?,
            settings: Arc::new(settings),
            pool,
            login_throttle: Arc::default(),
            metrics: Arc::default(),
            routes: Arc::new(RouteTable::from_openapi(&openapi_document())),
        })
    }
}

/// Registers the documented routes on `app` and returns it with their OpenAPI document.
fn with_api_routes<T>(app: App<T>) -> (App<T>, utoipa::openapi::OpenApi)
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = Error, InitError = ()>,
{
    let (app, mut doc) = app
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(scope::scope("/api/v1").configure(routes::configure_api))
        .configure(routes::configure_root)
        .split_for_parts();
    openapi::complete(&mut doc);
    (app, doc)
}

/// The OpenAPI document the code describes (what `openapi.yaml` must equal).
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    with_api_routes(App::new()).1
}

pub fn build_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Response = ServiceResponse<impl MessageBody>,
        Config = (),
        InitError = (),
        Error = Error,
    >,
> {
    let (json, query, path) = error::extractor_configs(JSON_BODY_LIMIT);
    let (app, doc) = with_api_routes(
        App::new()
            .app_data(web::Data::new(state))
            .app_data(json)
            .app_data(query)
            .app_data(path)
            .app_data(web::PayloadConfig::new(RAW_BODY_LIMIT)),
    );
    app.service(SwaggerUi::new("/api-docs/{_:.*}").url("/api-docs/openapi.json", doc))
        .default_service(web::to(routes::fallback::fallback))
        .wrap(middleware::from_fn(nul_text::refuse_in_api_requests))
        .wrap(middleware::Compress::default())
        .wrap(middleware::ErrorHandlers::new().default_handler(error::problem_for_bare_errors))
        .wrap(middleware::from_fn(request_log::observe))
        // Outermost, so that every answer carries them, problem responses included.
        .wrap(middleware::from_fn(security_headers::apply))
}

/// The database pool of `textback serve`: the HTTP workers' requests, the ingestion writers
/// (half of it on PostgreSQL) and the background jobs share it.
pub const SERVED_POOL_SIZE: u32 = 16;

/// The HTTP workers of `textback serve`: one per core.
pub fn served_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Binds nothing itself: serves on `listener` (port 0 in tests) until stopped. Signals are
/// left alone: `stop_on_signals` is for the real server.
pub fn serve(listener: TcpListener, state: AppState, workers: usize) -> std::io::Result<Server> {
    Ok(HttpServer::new(move || build_app(state.clone()))
        .workers(workers)
        .shutdown_timeout(30)
        .disable_signals()
        .listen(listener)?
        .run())
}

/// On SIGTERM or Ctrl-C: background work takes nothing new, the live streams end (they would
/// otherwise hold the graceful stop for its whole timeout), then requests in flight finish and
/// the server stops.
pub fn stop_on_signals(server: &Server, state: &AppState) {
    let (handle, state) = (server.handle(), state.clone());
    actix_web::rt::spawn(async move {
        stop_requested().await;
        tracing::info!("stopping: finishing requests in flight");
        state.stopping.send_replace(true);
        state.live.close();
        handle.stop(true).await;
    });
}

/// Waits for SIGTERM or Ctrl-C.
pub async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => tokio::select! {
                _ = terminate.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
