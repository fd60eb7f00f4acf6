//! A private PostgreSQL server in a folder of Lisa's own, run from the server binaries
//! installed on the machine. Used by `lisa serve` and the CLI when no `DATABASE_URL` is
//! set, and by the test harness. It listens only on a Unix socket inside its data folder.
//!
//! PostgreSQL refuses to run as root, so when Lisa runs as root every server binary is
//! run through `runuser` as the unprivileged `postgres` system user, which owns the folder.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};

/// The database Lisa uses inside the private server.
pub const DATABASE: &str = "lisa";
const SUPERUSER: &str = "lisa";
const SERVER_USER: &str = "postgres";
/// Unix socket paths are limited to 107 bytes by the kernel.
const MAX_SOCKET_PATH: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tuning {
    /// Normal durability: for data people keep.
    Durable,
    /// fsync off: for throw-away test databases, which must be fast.
    Disposable,
}

#[derive(Debug)]
pub struct LocalPostgres {
    data_dir: PathBuf,
    bin_dir: PathBuf,
    as_root: bool,
    started_here: bool,
}

impl LocalPostgres {
    /// Makes sure a server runs in `data_dir`: creates the cluster on first use, starts the
    /// server if it is not running, and creates the `lisa` database. Safe to call from
    /// several processes at once (they take a lock file in turn).
    pub async fn ensure_running(data_dir: &Path, tuning: Tuning) -> anyhow::Result<Self> {
        let data_dir = absolute(data_dir)?;
        let parent = data_dir.parent().context("the data folder needs a parent folder")?.to_path_buf();
        fs::create_dir_all(&parent).with_context(|| format!("could not create {}", parent.display()))?;
        let socket = data_dir.join(".s.PGSQL.5432");
        if socket.as_os_str().len() > MAX_SOCKET_PATH {
            bail!(
                "the data folder path {} is too long for a Unix socket; set LISA_DATA_DIR to a shorter path",
                data_dir.display()
            );
        }
        let mut local = LocalPostgres { data_dir, bin_dir: find_bin_dir()?, as_root: is_root(), started_here: false };

        let lock_path =
            parent.join(format!("{}.lock", local.data_dir.file_name().and_then(|n| n.to_str()).unwrap_or("pgdata")));
        let lock = File::create(&lock_path).with_context(|| format!("could not create {}", lock_path.display()))?;
        let locked = tokio::task::spawn_blocking(move || lock.lock().map(|_| lock)).await??;

        if !local.data_dir.join("PG_VERSION").exists() {
            local.init_cluster(tuning)?;
        }
        if local.connect("postgres").await.is_err() {
            local.start()?;
            local.started_here = true;
        }
        let mut conn = local.connect("postgres").await.context("the private PostgreSQL does not answer")?;
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(DATABASE)
            .fetch_one(&mut conn)
            .await?;
        if !exists {
            // The name is our own constant, not input.
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {DATABASE}"))).execute(&mut conn).await?;
        }
        conn.close().await?;
        drop(locked);
        Ok(local)
    }

    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new().socket(&self.data_dir).username(SUPERUSER).database(database)
    }

    pub async fn connect(&self, database: &str) -> Result<PgConnection, sqlx::Error> {
        PgConnection::connect_with(&self.connect_options(database)).await
    }

    /// Stops the server, but only when this process started it: a server that was already
    /// running (say, beside a `lisa serve`) is left alone.
    pub async fn stop_if_started(self) -> anyhow::Result<()> {
        if self.started_here { self.stop().await } else { Ok(()) }
    }

    pub async fn stop(self) -> anyhow::Result<()> {
        tokio::task::spawn_blocking(move || {
            self.run("pg_ctl", &["-D", path_str(&self.data_dir)?, "-m", "fast", "-w", "stop"])
        })
        .await?
    }

    fn init_cluster(&self, tuning: Tuning) -> anyhow::Result<()> {
        fs::create_dir_all(&self.data_dir).with_context(|| format!("could not create {}", self.data_dir.display()))?;
        if self.as_root {
            let (uid, gid) = server_user_ids()?;
            std::os::unix::fs::chown(&self.data_dir, Some(uid), Some(gid))?;
            let parent = self.data_dir.parent().unwrap_or(Path::new("/"));
            let reachable = Command::new("runuser")
                .args(["-u", SERVER_USER, "--", "test", "-x"])
                .arg(parent)
                .status()
                .is_ok_and(|s| s.success());
            if !reachable {
                bail!(
                    "the `{SERVER_USER}` user cannot reach {} (a parent folder is private); \
                     set LISA_DATA_DIR to a folder it can reach, e.g. /var/lib/lisa/pgdata",
                    parent.display()
                );
            }
        }
        let dir = path_str(&self.data_dir)?;
        self.run(
            "initdb",
            &["-D", dir, "-U", SUPERUSER, "--auth-local=trust", "--auth-host=reject", "-E", "UTF8", "--locale=C.UTF-8"],
        )?;
        let mut settings = format!(
            "\n# Lisa's private server: Unix socket in the data folder only.\n\
             listen_addresses = ''\n\
             unix_socket_directories = '{dir}'\n\
             unix_socket_permissions = 0700\n\
             max_connections = 200\n"
        );
        if tuning == Tuning::Disposable {
            settings.push_str("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        let conf = self.data_dir.join("postgresql.conf");
        let mut text = fs::read_to_string(&conf)?;
        text.push_str(&settings);
        fs::write(&conf, text)?;
        Ok(())
    }

    fn start(&self) -> anyhow::Result<()> {
        let dir = path_str(&self.data_dir)?;
        let log = format!("{dir}/server.log");
        self.run("pg_ctl", &["-D", dir, "-l", &log, "-w", "-t", "60", "start"]).with_context(|| {
            let tail = fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = tail.lines().rev().take(5).collect();
            format!(
                "PostgreSQL did not start; end of {log}:\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            )
        })
    }

    /// Runs a server binary, as the `postgres` user when we are root. It gets a process
    /// group of its own so that Ctrl-C in the terminal reaches Lisa, which then stops the
    /// server in order, rather than the server directly.
    fn run(&self, program: &str, args: &[&str]) -> anyhow::Result<()> {
        use std::os::unix::process::CommandExt;
        let binary = self.bin_dir.join(program);
        let mut command = if self.as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", SERVER_USER, "--"]).arg(&binary);
            c
        } else {
            Command::new(&binary)
        };
        let output = command
            .args(args)
            .current_dir(&self.data_dir)
            .env_remove("PGDATA")
            .process_group(0)
            .output()
            .with_context(|| format!("could not run {}", binary.display()))?;
        if !output.status.success() {
            bail!(
                "{program} failed ({}): {}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(())
    }
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    Ok(if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir()?.join(path) })
}

fn path_str(path: &Path) -> anyhow::Result<&str> {
    path.to_str().context("the data folder path must be valid UTF-8")
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn server_user_ids() -> anyhow::Result<(u32, u32)> {
    let output = Command::new("getent").args(["passwd", SERVER_USER]).output()?;
    let line = String::from_utf8_lossy(&output.stdout);
    let fields: Vec<&str> = line.trim().split(':').collect();
    match (fields.get(2).and_then(|v| v.parse().ok()), fields.get(3).and_then(|v| v.parse().ok())) {
        (Some(uid), Some(gid)) if output.status.success() => Ok((uid, gid)),
        _ => bail!(
            "Lisa runs as root, and PostgreSQL refuses to: it needs the system user `{SERVER_USER}` \
             (installed with the PostgreSQL server packages) to run its private server"
        ),
    }
}

/// `initdb` on the PATH, else the newest `/usr/lib/postgresql/*/bin`.
fn find_bin_dir() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() {
                return Ok(dir);
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).context(
        "no PostgreSQL server binaries found (initdb on the PATH or under /usr/lib/postgresql/*/bin); \
         install them (apt-get install postgresql) or set DATABASE_URL",
    )
}
