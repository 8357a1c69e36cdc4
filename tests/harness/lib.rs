//! The integration-test harness: the real server on a loopback port (port 0), with a fresh
//! database per test, on SQLite and (when `TEST_DATABASE_URL` is set) on PostgreSQL.
//!
//! Write a test as `async fn name(app: TestApp)` and list it in `on_both_databases!`.

mod database;
pub mod fake_twilio;
pub mod fixtures;
pub mod load;
mod process;
mod test_app;

pub use database::Backend;
pub use process::ServerProcess;
pub use test_app::{Session, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TestApp, problem};

/// The `textback` binary, for tests that run it as a process of its own.
pub fn textback_bin() -> std::path::PathBuf {
    if let Ok(bin) = std::env::var("TEXTBACK_BIN") {
        return bin.into();
    }
    // target/<profile>/deps/<test binary> -> target/<profile>/textback
    let exe = std::env::current_exe().expect("test binary path");
    let bin = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target folder")
        .join("textback");
    assert!(
        bin.is_file(),
        "{} is missing: build it first (`make unit` does: cargo build -p textback-api --bin textback)",
        bin.display()
    );
    bin
}

/// Runs each listed `async fn(TestApp)` once per backend, as `<name>::sqlite` and
/// `<name>::postgres` (the latter ignored, with a reason, when `TEST_DATABASE_URL` is unset).
#[macro_export]
macro_rules! on_both_databases {
    ($($test:ident),+ $(,)?) => {
        $(
            mod $test {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$test($crate::TestApp::spawn($crate::Backend::Sqlite).await).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(not(textback_pg), ignore = "TEST_DATABASE_URL is not set")]
                async fn postgres() {
                    super::$test($crate::TestApp::spawn($crate::Backend::Postgres).await).await
                }
            }
        )+
    };
}

/// Like `on_both_databases!`, for tests that build their own app: each listed
/// `async fn(Backend)` runs once per backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($test:ident),+ $(,)?) => {
        $(
            mod $test {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$test($crate::Backend::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(not(textback_pg), ignore = "TEST_DATABASE_URL is not set")]
                async fn postgres() {
                    super::$test($crate::Backend::Postgres).await
                }
            }
        )+
    };
}
