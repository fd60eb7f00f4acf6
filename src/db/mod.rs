//! The connection pools, migrations, and the private PostgreSQL used when no
//! `DATABASE_URL` is given.
//!
//! Two roles: the owner of the tables runs the migrations and the CLI's commands; Lisa
//! serves as an application role that owns nothing, may only read and write rows, and is
//! subject to row-level security (`tenant`). Lisa will not serve as a superuser or as a
//! role that bypasses row-level security.

pub mod local;
pub mod tenant;

use std::str::FromStr;

use anyhow::{Context, bail};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgConnection, PgPool};

use crate::config::Config;
pub use local::LocalPostgres;
pub use tenant::MunicipalityId;

/// A municipality by id and name, as menus, switchers and API answers name it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct MunicipalityRef {
    pub id: uuid::Uuid,
    pub name: String,
}

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// What one statement of the application role may take, so that no request can hold a
/// connection (and with it the pool all municipalities share) for long: a statement is
/// cancelled after 5 s and a lock waited for at most 3 s. The owner's pool (migrations, the
/// CLI, demo data) has no limit.
pub const REQUEST_LIMITS: [(&str, &str); 2] = [("statement_timeout", "5s"), ("lock_timeout", "3s")];

/// The application role's connection options with `REQUEST_LIMITS`.
pub fn with_request_limits(options: PgConnectOptions) -> PgConnectOptions {
    options.options(REQUEST_LIMITS)
}

/// The application role of the private server (which trusts its Unix socket).
pub const LOCAL_APP_ROLE: &str = "lisa_app";

/// The database Lisa talks to, and the private server behind it when Lisa started one.
pub struct Database {
    /// The owner's pool: migrations, the application role's grants, the CLI's commands.
    pub owner: PgPool,
    /// The application role (none when only the CLI's owner URL was given).
    app: Option<PgConnectOptions>,
    /// The application role's password, to create the role with when it is missing.
    app_password: Option<String>,
    local: Option<LocalPostgres>,
    connections: u32,
}

impl Database {
    /// Connects to `DATABASE_URL` as the owner, or to the private server in the data folder
    /// (started if needed).
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        let (owner, app, app_password, local) = match &config.database_url {
            Some(url) => {
                let owner = PgConnectOptions::from_str(url).context("DATABASE_URL is not a valid PostgreSQL URL")?;
                let app = match config.app_database_url.as_deref() {
                    Some(app_url) => Some(
                        PgConnectOptions::from_str(app_url)
                            .context("LISA_APP_DATABASE_URL is not a valid PostgreSQL URL")?,
                    ),
                    None => None,
                };
                // PgConnectOptions keeps the password to itself; the URL still has it.
                let password =
                    config.app_database_url.as_deref().and_then(|url| url::Url::parse(url).ok()).and_then(|url| {
                        url.password().map(|p| percent_encoding::percent_decode_str(p).decode_utf8_lossy().into_owned())
                    });
                (owner, app, password, None)
            }
            None => {
                let local = LocalPostgres::ensure_running(&config.data_dir, local::Tuning::Durable).await?;
                let owner = local.connect_options(local::DATABASE);
                let app = Some(owner.clone().username(LOCAL_APP_ROLE));
                (owner, app, None, Some(local))
            }
        };
        let connections = config.db_connections;
        let owner = pool_options()
            .max_connections(connections)
            .connect_with(owner)
            .await
            .context("could not connect to PostgreSQL")?;
        Ok(Database { owner, app, app_password, local, connections })
    }

    /// Applies the migrations, then (re)grants the application role what it needs.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        MIGRATOR.run(&self.owner).await.context("database migration failed")?;
        let Some(app) = &self.app else { return Ok(()) };
        let mut conn = self.owner.acquire().await?;
        grant_app_role(&mut conn, app.get_username(), self.app_password.clone()).await
    }

    /// The pool Lisa serves with, as the application role.
    pub async fn app_pool(&self) -> anyhow::Result<PgPool> {
        let app = self.app.clone().context(
            "set LISA_APP_DATABASE_URL too: the role Lisa serves with, which must not own the tables \
             (see the README's production section)",
        )?;
        let pool = pool_options()
            .max_connections(self.connections)
            .connect_with(with_request_limits(app))
            .await
            .context("could not connect to PostgreSQL as the application role")?;
        refuse_privileged(&pool).await?;
        Ok(pool)
    }

    /// Closes the owner's pool, then stops the private server if this process started it.
    pub async fn close(self) -> anyhow::Result<()> {
        self.owner.close().await;
        match self.local {
            Some(local) => local.stop_if_started().await,
            None => Ok(()),
        }
    }
}

/// Creates the application role if it is missing (with `password`, for TCP connections) and
/// grants it the use of every table and sequence, nothing more.
pub async fn grant_app_role(owner: &mut PgConnection, role: &str, password: Option<String>) -> anyhow::Result<()> {
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
        .bind(role)
        .fetch_one(&mut *owner)
        .await?;
    if !exists {
        let create: String =
            sqlx::query_scalar("SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD %L', $1, $2)")
                .bind(role)
                .bind(password)
                .fetch_one(&mut *owner)
                .await?;
        // Several processes may start at once; the loser finds the role made.
        if let Err(err) = sqlx::query(sqlx::AssertSqlSafe(create)).execute(&mut *owner).await
            && err.as_database_error().is_none_or(|e| e.code().as_deref() != Some("42710"))
        {
            return Err(err).context("could not create the application role");
        }
    }
    let grants: Vec<String> = sqlx::query_scalar(
        "SELECT unnest(ARRAY[
             format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), $1),
             format('GRANT USAGE ON SCHEMA public TO %I', $1),
             format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', $1),
             format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', $1),
             format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO %I', $1),
             format('REVOKE ALL ON _sqlx_migrations FROM %I', $1)])",
    )
    .bind(role)
    .fetch_all(&mut *owner)
    .await?;
    for grant in grants {
        sqlx::query(sqlx::AssertSqlSafe(grant))
            .execute(&mut *owner)
            .await
            .context("could not grant the application role")?;
    }
    Ok(())
}

/// Row-level security only holds for a role that is neither a superuser nor exempt from it.
pub async fn refuse_privileged(pool: &PgPool) -> anyhow::Result<()> {
    let (role, privileged): (String, bool) =
        sqlx::query_as("SELECT rolname::text, rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
            .fetch_one(pool)
            .await?;
    if privileged {
        bail!(
            "Lisa will not serve as {role}: it is a superuser or bypasses row-level security. \
             Give LISA_APP_DATABASE_URL a role without those rights."
        );
    }
    Ok(())
}

/// Pool options with the tenant context; the size is the caller's (`LISA_DB_CONNECTIONS`).
pub fn pool_options() -> PgPoolOptions {
    tenant::with_context(PgPoolOptions::new().acquire_timeout(std::time::Duration::from_secs(10)))
}
