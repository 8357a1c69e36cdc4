//! Typed settings from the environment (a `.env` file is read first, if present).
//!
//! Every variable is checked at start-up so that a bad value is one clear line, not a panic
//! in the middle of serving.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use ipnet::IpNet;
use rand::RngCore;

#[derive(Debug, thiserror::Error)]
#[error("{name}: {message}")]
pub struct ConfigError {
    pub name: &'static str,
    pub message: String,
}

fn invalid(name: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        name,
        message: message.into(),
    }
}

/// Which database `DATABASE_URL` selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A file path (created on first use, with its folder).
    Sqlite(PathBuf),
    /// A `postgres://` or `postgresql://` URL, passed to libpq as it is.
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_owned()));
        }
        let path = raw.strip_prefix("sqlite://").unwrap_or(raw);
        if path.is_empty() {
            return Err(invalid(
                "DATABASE_URL",
                "is empty; use sqlite://PATH, a file path, or postgres://…",
            ));
        }
        if path.contains("://") || path == ":memory:" {
            return Err(invalid(
                "DATABASE_URL",
                format!(
                    "`{raw}` is not supported; use sqlite://PATH, a file path, or postgres://…"
                ),
            ));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// Which SMS provider to use: Twilio when both credentials are set, else the simulator.
#[derive(Clone, PartialEq, Eq)]
pub enum SmsSettings {
    Simulator,
    Twilio {
        account_sid: String,
        auth_token: String,
        api_base: String,
    },
}

/// What SMS costs the merchant: amounts in millionths of the currency unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prices {
    pub currency: String,
    pub per_segment_micros: i64,
    pub per_number_month_micros: i64,
}

#[derive(Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    pub bind_addr: SocketAddr,
    /// HS256 key for session tokens.
    pub jwt_secret: Vec<u8>,
    /// How the outside world reaches this server (webhooks, short links), without a trailing `/`.
    pub public_base_url: String,
    /// The built SPA.
    pub static_dir: PathBuf,
    /// Where the SQLite file (by default) and the generated JWT secret live.
    pub data_dir: PathBuf,
    pub sms: SmsSettings,
    pub prices: Prices,
    /// Texts per second one number may send (carriers allow a long code about 1).
    pub sends_per_second_per_number: u32,
    /// Reverse proxies and load balancers in front of the server, whose `X-Forwarded-For`
    /// names the client (see `client_address`).
    pub trusted_proxies: Vec<IpNet>,
}

impl std::fmt::Debug for Settings {
    // Hand-written so the JWT secret never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("database", &self.database_url.backend_name())
            .field("bind_addr", &self.bind_addr)
            .field("public_base_url", &self.public_base_url)
            .field("static_dir", &self.static_dir)
            .field("data_dir", &self.data_dir)
            .field(
                "sms",
                &match self.sms {
                    SmsSettings::Simulator => "simulator",
                    SmsSettings::Twilio { .. } => "twilio",
                },
            )
            .field("prices", &self.prices)
            .field("trusted_proxies", &self.trusted_proxies)
            .finish_non_exhaustive()
    }
}

const MIN_SECRET_LEN: usize = 32;

impl Settings {
    /// Reads the process environment (after loading `.env`, if there is one).
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// The same rules over any source of variables, so they are testable.
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let data_dir = PathBuf::from(var("DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = match var("DATABASE_URL") {
            Some(raw) => DatabaseUrl::parse(&raw)?,
            None => DatabaseUrl::Sqlite(data_dir.join("textback.db")),
        };
        let bind_addr = match var("BIND_ADDR") {
            Some(raw) => raw.trim().parse().map_err(|_| {
                invalid(
                    "BIND_ADDR",
                    format!("`{raw}` is not an address like 127.0.0.1:8080"),
                )
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };
        let public_base_url = match var("PUBLIC_BASE_URL") {
            Some(raw) => parse_base_url("PUBLIC_BASE_URL", &raw)?,
            None => format!("http://{bind_addr}"),
        };
        let static_dir = PathBuf::from(var("STATIC_DIR").unwrap_or_else(|| "web/dist".into()));
        let jwt_secret = match var("JWT_SECRET") {
            Some(secret) if secret.len() < MIN_SECRET_LEN => {
                return Err(invalid(
                    "JWT_SECRET",
                    format!("must be at least {MIN_SECRET_LEN} bytes long"),
                ));
            }
            Some(secret) => secret.into_bytes(),
            None => load_or_create_secret(&data_dir)?,
        };
        let sms = match (var("TWILIO_ACCOUNT_SID"), var("TWILIO_AUTH_TOKEN")) {
            (None, None) => SmsSettings::Simulator,
            (Some(account_sid), Some(auth_token)) => {
                let api_base = match var("TWILIO_API_BASE") {
                    Some(raw) => parse_base_url("TWILIO_API_BASE", &raw)?,
                    None => "https://api.twilio.com".into(),
                };
                SmsSettings::Twilio {
                    account_sid: account_sid.trim().into(),
                    auth_token: auth_token.trim().into(),
                    api_base,
                }
            }
            (Some(_), None) => {
                return Err(invalid(
                    "TWILIO_AUTH_TOKEN",
                    "must be set with TWILIO_ACCOUNT_SID",
                ));
            }
            (None, Some(_)) => {
                return Err(invalid(
                    "TWILIO_ACCOUNT_SID",
                    "must be set with TWILIO_AUTH_TOKEN",
                ));
            }
        };
        let prices = Prices {
            currency: var("SMS_CURRENCY")
                .unwrap_or_else(|| "USD".into())
                .trim()
                .to_uppercase(),
            per_segment_micros: price(&var, "SMS_PRICE_PER_SEGMENT", "0.0079")?,
            per_number_month_micros: price(&var, "SMS_PRICE_PER_NUMBER_MONTH", "1.15")?,
        };
        let sends_per_second_per_number = match var("SMS_SENDS_PER_SECOND_PER_NUMBER") {
            Some(raw) => raw
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| {
                    invalid(
                        "SMS_SENDS_PER_SECOND_PER_NUMBER",
                        format!("`{raw}` is not a whole number from 1 to 1000"),
                    )
                })?,
            None => 1,
        };
        let trusted_proxies = match var("TRUSTED_PROXIES") {
            Some(raw) => parse_networks("TRUSTED_PROXIES", &raw)?,
            None => Vec::new(),
        };
        Ok(Self {
            sends_per_second_per_number,
            trusted_proxies,
            database_url,
            bind_addr,
            jwt_secret,
            public_base_url,
            static_dir,
            data_dir,
            sms,
            prices,
        })
    }

    /// The key that signs provider webhooks: Twilio's auth token, or (simulator) one derived
    /// from the session secret, so `simulate-inbound` signs exactly as Twilio would.
    pub fn webhook_signing_key(&self) -> String {
        match &self.sms {
            SmsSettings::Twilio { auth_token, .. } => auth_token.clone(),
            SmsSettings::Simulator => {
                use sha2::{Digest, Sha256};
                let digest = Sha256::new()
                    .chain_update(b"simulator webhooks:")
                    .chain_update(&self.jwt_secret)
                    .finalize();
                digest.iter().map(|b| format!("{b:02x}")).collect()
            }
        }
    }
}

fn price(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: &str,
) -> Result<i64, ConfigError> {
    let raw = var(name).unwrap_or_else(|| default.into());
    crate::money::parse_micros(&raw)
        .filter(|micros| *micros >= 0)
        .ok_or_else(|| invalid(name, format!("`{raw}` is not an amount like 0.0079")))
}

/// A comma-separated list of addresses (`10.0.0.5`) and networks (`10.0.0.0/8`).
fn parse_networks(name: &'static str, raw: &str) -> Result<Vec<IpNet>, ConfigError> {
    raw.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    invalid(
                        name,
                        format!(
                            "`{item}` is not an address like 10.0.0.5 or a network like 10.0.0.0/8"
                        ),
                    )
                })
        })
        .collect()
}

fn parse_base_url(name: &'static str, raw: &str) -> Result<String, ConfigError> {
    let url = raw.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => Ok(url.to_owned()),
        _ => Err(invalid(
            name,
            format!("`{raw}` is not an http(s) URL like https://sms.example.com"),
        )),
    }
}

/// The secret kept in `<data_dir>/jwt_secret`, made on first start so sessions survive restarts.
fn load_or_create_secret(data_dir: &Path) -> Result<Vec<u8>, ConfigError> {
    let path = data_dir.join("jwt_secret");
    let io_error =
        |e: std::io::Error| invalid("JWT_SECRET", format!("unset, and {}: {e}", path.display()));
    match std::fs::read(&path) {
        Ok(secret) if secret.len() >= MIN_SECRET_LEN => Ok(secret),
        Ok(_) => Err(invalid(
            "JWT_SECRET",
            format!("{} is shorter than {MIN_SECRET_LEN} bytes", path.display()),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir).map_err(io_error)?;
            let mut secret = [0u8; 48];
            rand::rng().fill_bytes(&mut secret);
            let encoded =
                base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, secret);
            write_private(&path, encoded.as_bytes()).map_err(io_error)?;
            Ok(encoded.into_bytes())
        }
        Err(e) => Err(io_error(e)),
    }
}

fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    const SECRET: (&str, &str) = ("JWT_SECRET", "0123456789abcdef0123456789abcdef");

    #[test]
    fn database_url_forms() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/x.db").unwrap(),
            DatabaseUrl::Sqlite("data/x.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("/tmp/x.db").unwrap(),
            DatabaseUrl::Sqlite("/tmp/x.db".into())
        );
        assert!(matches!(
            DatabaseUrl::parse("postgresql://u@h/db").unwrap(),
            DatabaseUrl::Postgres(_)
        ));
        assert_eq!(
            DatabaseUrl::parse("mysql://h/db").unwrap_err().name,
            "DATABASE_URL"
        );
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn defaults() {
        let s = settings(&[SECRET]).unwrap();
        assert_eq!(s.bind_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(s.public_base_url, "http://127.0.0.1:8080");
        assert_eq!(
            s.database_url,
            DatabaseUrl::Sqlite("./data/textback.db".into())
        );
        assert_eq!(s.static_dir, PathBuf::from("web/dist"));
        assert!(s.trusted_proxies.is_empty());
    }

    #[test]
    fn trusted_proxies_are_addresses_and_networks() {
        let s = settings(&[SECRET, ("TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1,::1,")]).unwrap();
        let expected: Vec<IpNet> = ["10.0.0.0/8", "127.0.0.1/32", "::1/128"]
            .iter()
            .map(|n| n.parse().unwrap())
            .collect();
        assert_eq!(s.trusted_proxies, expected);
        let bad = settings(&[SECRET, ("TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal")]);
        assert_eq!(bad.unwrap_err().name, "TRUSTED_PROXIES");
    }

    #[test]
    fn bad_values_name_the_variable() {
        assert_eq!(
            settings(&[SECRET, ("BIND_ADDR", "localhost")])
                .unwrap_err()
                .name,
            "BIND_ADDR"
        );
        assert_eq!(
            settings(&[SECRET, ("PUBLIC_BASE_URL", "ftp://x")])
                .unwrap_err()
                .name,
            "PUBLIC_BASE_URL"
        );
        assert_eq!(
            settings(&[("JWT_SECRET", "short")]).unwrap_err().name,
            "JWT_SECRET"
        );
    }

    #[test]
    fn sms_provider_and_prices() {
        let s = settings(&[SECRET]).unwrap();
        assert!(s.sms == SmsSettings::Simulator);
        assert_eq!(s.prices.per_segment_micros, 7_900);
        assert_eq!(s.prices.per_number_month_micros, 1_150_000);
        let twilio = settings(&[
            SECRET,
            ("TWILIO_ACCOUNT_SID", "AC1"),
            ("TWILIO_AUTH_TOKEN", "tok"),
        ])
        .unwrap();
        assert!(
            matches!(twilio.sms, SmsSettings::Twilio { ref api_base, .. } if api_base == "https://api.twilio.com")
        );
        assert_eq!(twilio.webhook_signing_key(), "tok");
        assert_eq!(
            settings(&[SECRET, ("TWILIO_ACCOUNT_SID", "AC1")])
                .unwrap_err()
                .name,
            "TWILIO_AUTH_TOKEN"
        );
        assert_eq!(
            settings(&[SECRET, ("SMS_PRICE_PER_SEGMENT", "cheap")])
                .unwrap_err()
                .name,
            "SMS_PRICE_PER_SEGMENT"
        );
        assert_eq!(settings(&[SECRET]).unwrap().webhook_signing_key().len(), 64);
    }

    #[test]
    fn public_base_url_loses_its_trailing_slash() {
        let s = settings(&[SECRET, ("PUBLIC_BASE_URL", "https://sms.example.com/")]).unwrap();
        assert_eq!(s.public_base_url, "https://sms.example.com");
    }

    #[test]
    fn generated_secret_is_kept_across_starts() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().to_str().unwrap();
        let first = settings(&[("DATA_DIR", data_dir)]).unwrap().jwt_secret;
        let second = settings(&[("DATA_DIR", data_dir)]).unwrap().jwt_secret;
        assert!(first.len() >= MIN_SECRET_LEN);
        assert_eq!(first, second);
    }
}
