use std::net::TcpListener;
use std::path::PathBuf;

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use textback_api::app::{self, AppState};
use textback_api::config::{Prices, Settings, SmsSettings};
use textback_api::sms::SmsProvider;
use textback_api::sms::signature::twilio_signature;
use textback_api::sms::simulator::Simulator;
use textback_shared::Problem;

use crate::database::{Backend, TestDatabase};

pub const TWILIO_ACCOUNT_SID: &str = "AC00000000000000000000000000000000";
pub const TWILIO_AUTH_TOKEN: &str = "twilio-test-auth-token";

/// Small, so the suite's many servers (each with its own database) stay light.
const TEST_POOL_SIZE: u32 = 4;

/// How large a test server is.
#[derive(Clone, Copy)]
enum Sizing {
    Test,
    Served,
}

/// A running server with its own database. Dropping it drops the database.
pub struct TestApp {
    pub base_url: String,
    pub backend: Backend,
    pub state: AppState,
    pub http: reqwest::Client,
    pub static_dir: PathBuf,
    /// The embedded provider, when the app runs on it (the default).
    pub simulator: Option<Arc<Simulator>>,
    _database: TestDatabase,
}

/// A signed-up store owner.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub store_id: i64,
    pub user_id: i64,
    pub email: String,
}

impl TestApp {
    /// The app on the simulator provider.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_on_simulator(backend, Sizing::Test).await
    }

    /// The app on the simulator provider, with the pool and HTTP workers of `textback serve`
    /// (for benchmarks: the tests' small sizing would understate what the server does).
    pub async fn spawn_as_served(backend: Backend) -> Self {
        Self::spawn_on_simulator(backend, Sizing::Served).await
    }

    async fn spawn_on_simulator(backend: Backend, sizing: Sizing) -> Self {
        let simulator = Arc::new(Simulator::new());
        let mut app =
            Self::spawn_with(backend, SmsSettings::Simulator, simulator.clone(), sizing).await;
        app.simulator = Some(simulator);
        app
    }

    /// The app on Twilio's REST API at `api_base` (a fake Twilio in tests).
    pub async fn spawn_with_twilio(backend: Backend, api_base: &str) -> Self {
        Self::spawn_with_twilio_timeout(backend, api_base, None).await
    }

    /// The same, giving up on a Twilio request after `timeout` (15 s when `None`).
    pub async fn spawn_with_twilio_timeout(
        backend: Backend,
        api_base: &str,
        timeout: Option<std::time::Duration>,
    ) -> Self {
        let sms = SmsSettings::Twilio {
            account_sid: TWILIO_ACCOUNT_SID.into(),
            auth_token: TWILIO_AUTH_TOKEN.into(),
            api_base: api_base.into(),
        };
        let mut client = textback_api::sms::twilio::TwilioClient::new(
            TWILIO_ACCOUNT_SID.into(),
            TWILIO_AUTH_TOKEN.into(),
            api_base.into(),
        )
        .expect("twilio client");
        if let Some(timeout) = timeout {
            client = client.with_timeout(timeout);
        }
        Self::spawn_with(backend, sms, Arc::new(client), Sizing::Test).await
    }

    async fn spawn_with(
        backend: Backend,
        sms: SmsSettings,
        provider: Arc<dyn SmsProvider>,
        sizing: Sizing,
    ) -> Self {
        if std::env::var("TEST_LOG").is_ok() {
            textback_api::telemetry::init();
        }
        let database = TestDatabase::create(backend);
        // A tiny stand-in SPA build, so the static fallback is exercised without trunk.
        let static_dir = database.data_dir.path().join("dist");
        std::fs::create_dir_all(&static_dir).expect("static dir");
        std::fs::write(
            static_dir.join("index.html"),
            "<!doctype html><title>Textback</title><div id=app></div>",
        )
        .expect("index.html");
        std::fs::write(static_dir.join("app.js"), "console.log('app')").expect("app.js");

        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("local addr");
        let settings = Settings {
            database_url: database.url.clone(),
            bind_addr: addr,
            jwt_secret: b"integration-test-secret-0123456789abcdef".to_vec(),
            public_base_url: format!("http://{addr}"),
            static_dir: static_dir.clone(),
            data_dir: database.data_dir.path().to_path_buf(),
            sms,
            prices: Prices {
                currency: "USD".into(),
                per_segment_micros: 7_900,
                per_number_month_micros: 1_150_000,
            },
            sends_per_second_per_number: 1,
            trusted_proxies: Vec::new(),
        };
        let (pool_size, workers) = match sizing {
            Sizing::Test => (TEST_POOL_SIZE, 1),
            Sizing::Served => (app::SERVED_POOL_SIZE, app::served_workers()),
        };
        let pool = textback_api::db::connect(&settings.database_url, pool_size).expect("pool");
        let mut conn = pool.get().expect("connection");
        textback_api::db::migrate(&mut conn).expect("migrations");
        drop(conn);
        let state = AppState::with_provider(settings, pool, provider).expect("state");
        let server = app::serve(listener, state.clone(), workers).expect("server");
        tokio::spawn(server);
        Self {
            base_url: format!("http://{addr}"),
            backend,
            state,
            http: reqwest::Client::new(),
            static_dir,
            simulator: None,
            _database: database,
        }
    }

    /// Another server on the same database, sharing nothing else with this one (its own
    /// pool, provider and live-update hub), as a second API process would; returns its URL.
    pub async fn spawn_peer(&self) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("local addr");
        let mut settings = (*self.state.settings).clone();
        settings.bind_addr = addr;
        let pool = textback_api::db::connect(&settings.database_url, TEST_POOL_SIZE).expect("pool");
        let state =
            AppState::with_provider(settings, pool, Arc::new(Simulator::new())).expect("state");
        tokio::spawn(app::serve(listener, state, 1).expect("server"));
        format!("http://{addr}")
    }

    /// Posts a provider webhook signed as Twilio signs it (with the app's signing key), or
    /// with `signature` when given.
    pub async fn post_twilio_webhook(
        &self,
        path: &str,
        params: &[(&str, &str)],
        signature: Option<&str>,
    ) -> Response {
        let owned: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let url = format!("{}{path}", self.state.settings.public_base_url);
        let signed = twilio_signature(&self.state.settings.webhook_signing_key(), &url, &owned);
        self.http
            .post(self.url(path))
            .header("x-twilio-signature", signature.unwrap_or(&signed))
            .form(&owned)
            .send()
            .await
            .expect("webhook")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// A request with an optional bearer credential.
    pub fn request(&self, method: Method, path: &str, bearer: Option<&str>) -> RequestBuilder {
        let builder = self.http.request(method, self.url(path));
        match bearer {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn get(&self, path: &str, bearer: &str) -> Response {
        self.request(Method::GET, path, Some(bearer))
            .send()
            .await
            .expect("GET")
    }

    pub async fn post(&self, path: &str, bearer: Option<&str>, body: &Value) -> Response {
        self.request(Method::POST, path, bearer)
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn delete(&self, path: &str, bearer: &str) -> Response {
        self.request(Method::DELETE, path, Some(bearer))
            .send()
            .await
            .expect("DELETE")
    }

    /// Signs up a new store; `email` also names it.
    pub async fn signup(&self, email: &str) -> Session {
        let body = json!({"store_name": format!("Store of {email}"), "email": email, "password": "correct horse battery"});
        let response = self.post("/api/v1/auth/signup", None, &body).await;
        assert_eq!(response.status(), StatusCode::CREATED, "signup of {email}");
        let session: Value = response.json().await.expect("session json");
        Session {
            token: session["token"].as_str().expect("token").to_owned(),
            store_id: session["store"]["id"].as_i64().expect("store id"),
            user_id: session["user"]["id"].as_i64().expect("user id"),
            email: email.to_owned(),
        }
    }

    /// Creates an API key with these scopes; returns (id, secret).
    pub async fn create_key(&self, session: &Session, scopes: &[&str]) -> (i64, String) {
        let response = self
            .post(
                "/api/v1/api-keys",
                Some(&session.token),
                &json!({"name": "Test key", "scopes": scopes}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let created: Value = response.json().await.expect("json");
        (
            created["key"]["id"].as_i64().expect("id"),
            created["secret"].as_str().expect("secret").to_owned(),
        )
    }

    /// A page of the numbers on offer (`query`: the endpoint's query string).
    pub async fn available_numbers(&self, session: &Session, query: &str) -> Value {
        let response = self
            .get(
                &format!("/api/v1/numbers/available?{query}"),
                &session.token,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{query}");
        response.json().await.expect("available numbers")
    }

    /// Reserves the first US number offered in the area code; returns the reserved number's
    /// JSON (`phone_number` is the number).
    pub async fn reserve_any(&self, session: &Session, area_code: u16) -> Value {
        let page = self
            .available_numbers(
                session,
                &format!("country=US&area_code={area_code}&limit=1"),
            )
            .await;
        let number = page["items"][0]["phone_number"]
            .as_str()
            .expect("a number on offer")
            .to_owned();
        let response = self
            .post(
                "/api/v1/numbers",
                Some(&session.token),
                &json!({"phone_number": number}),
            )
            .await;
        let status = response.status();
        let body: Value = response.json().await.expect("reserved number json");
        assert_eq!(status, StatusCode::CREATED, "reserve {number}: {body}");
        body
    }
}

/// Asserts the response is a problem with this status, and returns it.
pub async fn problem(response: Response, status: u16) -> Problem {
    assert_eq!(
        response.status().as_u16(),
        status,
        "status of {}",
        response.url()
    );
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        content_type,
        "application/problem+json",
        "content type of {}",
        response.url()
    );
    let problem: Problem = response.json().await.expect("problem body");
    assert_eq!(problem.status, status);
    problem
}
