//! A real `textback serve` process on a test app's database, for what only a whole process
//! shows: its logs, its exit, its answer to signals.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;

use textback_api::config::DatabaseUrl;

use crate::{TestApp, textback_bin};

pub struct ServerProcess {
    /// Where it serves, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    child: Child,
    printed: String,
    /// Both streams are read all along: a server whose log pipe fills up stops.
    stdout: Option<JoinHandle<String>>,
    stderr: Option<JoinHandle<String>>,
}

impl ServerProcess {
    /// Starts `textback serve` on `app`'s database, with `env` besides what it needs.
    pub fn start(app: &TestApp, env: &[(&str, &str)]) -> Self {
        let database_url = match &app.state.settings.database_url {
            DatabaseUrl::Sqlite(path) => path.display().to_string(),
            DatabaseUrl::Postgres(url) => url.clone(),
        };
        let mut command = Command::new(textback_bin());
        command
            .arg("serve")
            .env_clear()
            .env("DATABASE_URL", database_url)
            .env("DATA_DIR", &app.state.settings.data_dir)
            .env("STATIC_DIR", &app.static_dir)
            .env("BIND_ADDR", "127.0.0.1:0")
            .env("LOG_FORMAT", "text")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("start `textback serve`");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let stderr = drain(child.stderr.take().expect("stderr"));
        let mut printed = String::new();
        let url = loop {
            let mut line = String::new();
            let read = stdout.read_line(&mut line).expect("read stdout");
            assert!(read > 0, "the server printed no URL:\n{printed}");
            printed.push_str(&line);
            if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
                break url.to_owned();
            }
        };
        Self {
            url,
            child,
            printed,
            stdout: Some(drain(stdout)),
            stderr: Some(stderr),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// The process's peak resident memory so far (VmHWM), in KiB.
    pub fn peak_memory_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse().ok())
    }

    /// Sends SIGTERM without waiting.
    pub fn terminate(&self) {
        let sent = Command::new("kill")
            .arg(self.child.id().to_string())
            .status()
            .expect("kill");
        assert!(sent.success());
    }

    /// Waits for the process to end; its exit and everything it wrote.
    pub fn wait(mut self) -> (ExitStatus, String) {
        let status = self.child.wait().expect("wait");
        let read = |stream: Option<JoinHandle<String>>| {
            stream
                .map(|t| t.join().unwrap_or_default())
                .unwrap_or_default()
        };
        let (rest, logs) = (read(self.stdout.take()), read(self.stderr.take()));
        (status, format!("{}{rest}{logs}", self.printed))
    }
}

fn drain(stream: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = BufReader::new(stream).read_to_string(&mut text);
        text
    })
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // A failed test must not leave the server running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
