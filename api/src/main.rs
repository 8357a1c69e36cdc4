//! `textback`: the server's command line.

use std::net::TcpListener;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::{Parser, Subcommand};
use textback_api::app::{self, AppState};
use textback_api::config::Settings;
use textback_api::services::dispatch;
use textback_api::sms::simulator;
use textback_api::{background, db, demo, telemetry};

/// How long a dispatcher with nothing due waits before looking again.
const DISPATCH_IDLE: std::time::Duration = std::time::Duration::from_secs(1);
/// How long a stopping process waits for the dispatcher's pass under way.
const STOP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Parser)]
#[command(name = "textback", version, about = "SMS for online stores")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database, then serve the API and the web app on BIND_ADDR.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (YAML) that the code describes.
    Openapi,
    /// Migrate, then make the demo store (once: when it exists, only print its login).
    Demo,
    /// Text one of the store numbers as a customer would: posts a signed inbound webhook to
    /// the running server (PUBLIC_BASE_URL), exactly as Twilio does.
    SimulateInbound {
        /// The customer's number, e.g. +14155550123.
        #[arg(long)]
        from: String,
        /// The store's number; defaults to the only active number, if there is just one.
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        body: String,
    },
    /// Run only the SMS dispatcher (send due campaign texts), e.g. as extra processes
    /// beside `serve`. Any number of workers may share the database.
    Worker {
        /// This worker's name in logs and claims; defaults to the host and process id.
        #[arg(long)]
        name: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        return match app::openapi_document().to_yaml() {
            Ok(yaml) => {
                print!("{yaml}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(format!("cannot render the OpenAPI document: {e}")),
        };
    }
    telemetry::init();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(e) => return fail(format!("configuration error: {e}")),
    };
    let result = match cli.command {
        Command::Migrate => {
            migrate(&settings).map(|applied| println!("{applied} migration(s) applied"))
        }
        Command::Serve => serve(settings),
        Command::Demo => demo(settings),
        Command::Worker { name } => worker(settings, name),
        Command::SimulateInbound { from, to, body } => {
            simulate_inbound(&settings, &from, to, &body)
        }
        Command::Openapi => Ok(()),
    };
    result.map_or_else(fail, |()| ExitCode::SUCCESS)
}

fn fail(message: String) -> ExitCode {
    eprintln!("textback: {message}");
    ExitCode::FAILURE
}

fn migrate(settings: &Settings) -> Result<usize, String> {
    let pool = db::connect(&settings.database_url, 1)?;
    let mut conn = pool
        .get()
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
    db::migrate(&mut conn)
}

fn serve(settings: Settings) -> Result<(), String> {
    let applied = migrate(&settings)?;
    tracing::info!(
        applied,
        database = settings.database_url.backend_name(),
        "database ready"
    );
    if !settings.static_dir.join("index.html").is_file() {
        tracing::warn!(static_dir = %settings.static_dir.display(), "the web app is not built; only the API is served");
    }
    let listener = TcpListener::bind(settings.bind_addr)
        .map_err(|e| format!("cannot listen on BIND_ADDR={}: {e}", settings.bind_addr))?;
    let pool = db::connect(&settings.database_url, app::SERVED_POOL_SIZE)?;
    let url = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    let workers = app::served_workers();
    let state = AppState::new(settings, pool)?;
    actix_web::rt::System::new().block_on(async move {
        background::spawn_all(&state);
        let name = format!("serve-{}", std::process::id());
        let dispatcher = actix_web::rt::spawn(dispatch::run_until_stopped(
            state.clone(),
            name,
            DISPATCH_IDLE,
        ));
        let server = app::serve(listener, state.clone(), workers).map_err(|e| e.to_string())?;
        app::stop_on_signals(&server, &state);
        println!("Textback is serving on {url}  (API docs: {url}/api-docs/)");
        let served = server.await.map_err(|e| e.to_string());
        // The dispatcher finishes its pass (it was told to stop with the server).
        state.stopping.send_replace(true);
        let _ = tokio::time::timeout(STOP_TIMEOUT, dispatcher).await;
        served
    })
}

fn demo(settings: Settings) -> Result<(), String> {
    migrate(&settings)?;
    let url = settings.public_base_url.clone();
    let pool = db::connect(&settings.database_url, 4)?;
    // The demo's number and texts are the built-in simulator's, whatever provider is set.
    let simulator = Arc::new(simulator::Simulator::new());
    let state = AppState::with_provider(settings, pool, simulator.clone())?;
    let started = Instant::now();
    let outcome = actix_web::rt::System::new()
        .block_on(async { demo::run(&state, &simulator, demo::Size::FULL).await })
        .map_err(|e| format!("cannot make the demo store: {e}"))?;
    match outcome {
        demo::Outcome::Created(made) => println!(
            "Demo store \"{}\" made in {:.1} s: {} customers, {} carts, {} orders, {} texts sent, \
             {} received, {} clicks",
            demo::STORE_NAME,
            started.elapsed().as_secs_f64(),
            made.contacts,
            made.carts,
            made.orders,
            made.texts_sent,
            made.texts_received,
            made.clicks
        ),
        demo::Outcome::AlreadyThere => println!("Demo store \"{}\" is there.", demo::STORE_NAME),
    }
    println!(
        "Demo login: {} / {}  (open {url} and log in)",
        demo::EMAIL,
        demo::PASSWORD
    );
    Ok(())
}

fn worker(settings: Settings, name: Option<String>) -> Result<(), String> {
    migrate(&settings)?;
    let pool = db::connect(&settings.database_url, 4)?;
    let state = AppState::new(settings, pool)?;
    let name = name.unwrap_or_else(|| format!("worker-{}", std::process::id()));
    actix_web::rt::System::new().block_on(async move {
        tracing::info!(worker = %name, "dispatcher started");
        let stopping = state.stopping.clone();
        actix_web::rt::spawn(async move {
            app::stop_requested().await;
            stopping.send_replace(true);
        });
        dispatch::run_until_stopped(state, name, DISPATCH_IDLE).await;
        Ok(())
    })
}

fn simulate_inbound(
    settings: &Settings,
    from: &str,
    to: Option<String>,
    body: &str,
) -> Result<(), String> {
    let to = match to {
        Some(to) => to,
        None => {
            let pool = db::connect(&settings.database_url, 1)?;
            let mut conn = pool
                .get()
                .map_err(|e| format!("cannot connect to the database: {e}"))?;
            let mut active = db::phone_numbers::all_active(&mut conn).map_err(|e| e.to_string())?;
            match (active.pop(), active.is_empty()) {
                (Some(number), true) => number.phone_number,
                (None, _) => return Err("no store has a number yet: reserve one first".into()),
                _ => return Err("several stores have numbers: say which with --to".into()),
            }
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let sid = runtime.block_on(simulator::inject_inbound(settings, from, &to, body))?;
    println!("Delivered {sid} from {from} to {to}");
    Ok(())
}
