//! The connection pool, migrations, and the private PostgreSQL used when no
//! `DATABASE_URL` is given.

pub mod local;

use std::str::FromStr;

use anyhow::Context;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::config::Config;
pub use local::LocalPostgres;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The database Lisa talks to, and the private server behind it when Lisa started one.
pub struct Database {
    pub pool: PgPool,
    local: Option<LocalPostgres>,
}

impl Database {
    /// Connects to `DATABASE_URL`, or to the private server in the data folder (started if needed).
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        let (options, local) = match &config.database_url {
            Some(url) => (PgConnectOptions::from_str(url).context("DATABASE_URL is not a valid PostgreSQL URL")?, None),
            None => {
                let local = LocalPostgres::ensure_running(&config.data_dir, local::Tuning::Durable).await?;
                (local.connect_options(local::DATABASE), Some(local))
            }
        };
        let pool = pool_options().connect_with(options).await.context("could not connect to PostgreSQL")?;
        Ok(Database { pool, local })
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        MIGRATOR.run(&self.pool).await.context("database migration failed")
    }

    /// Closes the pool, then stops the private server if this process started it.
    pub async fn close(self) -> anyhow::Result<()> {
        self.pool.close().await;
        match self.local {
            Some(local) => local.stop_if_started().await,
            None => Ok(()),
        }
    }
}

pub fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new().max_connections(16).acquire_timeout(std::time::Duration::from_secs(10))
}
