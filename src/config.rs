//! One configuration struct, read from the environment and validated at start.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

/// How expensive password hashing is. Tests use `Fast` so that hundreds of logins stay quick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordCost {
    Standard,
    Fast,
}

#[derive(Clone, Debug)]
pub struct Config {
    /// An external PostgreSQL server, as the role that owns the tables (migrations, the CLI).
    /// When absent, Lisa runs a private one in `data_dir`.
    pub database_url: Option<String>,
    /// With `database_url`: the role Lisa serves with, which owns nothing and is subject to
    /// row-level security (created with this password if it does not exist).
    pub app_database_url: Option<String>,
    pub data_dir: PathBuf,
    pub addr: SocketAddr,
    /// Mark cookies `Secure` and send HSTS: set when Lisa is served over HTTPS.
    pub secure_cookies: bool,
    /// Take the client address from the last `X-Forwarded-For` hop (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub password_cost: PasswordCost,
    /// Where reminders are emailed from; none means reminders are shown only in the app.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// Lisa's address as users reach it, for links in email.
    pub public_url: String,
    /// Run the daily reminder job in this process (turn off on all but one of several instances).
    pub run_reminders: bool,
    /// The most connections Lisa's pool holds to PostgreSQL.
    pub db_connections: u32,
    /// System administrators must sign in with two factors (LISA_ADMIN_TWO_FACTOR=optional turns
    /// it off, e.g. for a first look at the demo).
    pub admins_need_two_factor: bool,
    /// The key that encrypts secrets Lisa must be able to read back (IdP client secrets):
    /// LISA_SECRET_KEY, 64 hex digits (e.g. `openssl rand -hex 32`).
    pub secret_key: Option<[u8; 32]>,
    /// Origins besides an issuer's own from which its discovery may have Lisa fetch keys and
    /// call endpoints (LISA_IDP_ORIGINS, comma-separated, e.g. `https://www.googleapis.com`).
    pub idp_origins: Vec<String>,
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let flag =
            |name: &str| var(name).is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes"));
        let off = |name: &str| {
            var(name).is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "0" | "false" | "off" | "no"))
        };
        let minutes = |name: &str, default: u64| -> anyhow::Result<Duration> {
            let value = match var(name) {
                Some(v) => v.parse::<u64>().with_context(|| format!("{name} must be a number of minutes"))?,
                None => default,
            };
            anyhow::ensure!(value > 0, "{name} must be greater than zero");
            Ok(Duration::from_secs(value * 60))
        };
        let addr = var("LISA_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());
        let secret_key = match var("LISA_SECRET_KEY") {
            Some(hex_key) => Some(
                hex::decode(hex_key.trim())
                    .ok()
                    .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                    .context("LISA_SECRET_KEY must be 64 hex digits (openssl rand -hex 32)")?,
            ),
            None => None,
        };
        let db_connections = match var("LISA_DB_CONNECTIONS") {
            Some(v) => v.parse::<u32>().context("LISA_DB_CONNECTIONS must be a number")?,
            None => 16,
        };
        anyhow::ensure!(db_connections > 0, "LISA_DB_CONNECTIONS must be greater than zero");
        Ok(Config {
            database_url: var("DATABASE_URL"),
            app_database_url: var("LISA_APP_DATABASE_URL"),
            data_dir: var("LISA_DATA_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(".lisa/pgdata")),
            addr: addr.parse().with_context(|| format!("LISA_ADDR is not an address: {addr}"))?,
            secure_cookies: flag("LISA_SECURE_COOKIES"),
            trust_forwarded_for: flag("LISA_TRUST_FORWARDED_FOR"),
            session_idle: minutes("LISA_SESSION_IDLE_MINUTES", 120)?,
            session_absolute: minutes("LISA_SESSION_MAX_MINUTES", 12 * 60)?,
            password_cost: PasswordCost::Standard,
            smtp_url: var("LISA_SMTP_URL"),
            mail_from: var("LISA_MAIL_FROM").unwrap_or_else(|| "Lisa <lisa@localhost>".into()),
            public_url: var("LISA_PUBLIC_URL").unwrap_or_else(|| format!("http://{addr}")),
            run_reminders: !off("LISA_REMINDERS"),
            db_connections,
            admins_need_two_factor: !var("LISA_ADMIN_TWO_FACTOR").is_some_and(|v| v.eq_ignore_ascii_case("optional")),
            secret_key,
            idp_origins: var("LISA_IDP_ORIGINS")
                .map(|v| {
                    v.split(',').map(|o| o.trim().trim_end_matches('/').to_string()).filter(|o| !o.is_empty()).collect()
                })
                .unwrap_or_default(),
        })
    }
}
