//! Migrations and the private PostgreSQL that `lisa serve` starts.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{TestApp, empty_database};

#[tokio::test]
async fn migrations_apply_to_an_empty_database() {
    let pool = empty_database().await;
    lisa::db::MIGRATOR.run(&pool).await.expect("migrations apply");
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            .fetch_all(&pool)
            .await
            .unwrap();
    for table in ["audit_log", "bodies", "municipalities", "people", "role_grants", "sessions", "units", "users"] {
        assert!(tables.iter().any(|t| t == table), "{table} exists");
    }
    // Running them again is a no-op.
    lisa::db::MIGRATOR.run(&pool).await.unwrap();
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn wait_until_ready(port: u16) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(response) = reqwest::get(format!("http://127.0.0.1:{port}/readyz")).await
            && response.status() == 200
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

/// `lisa serve --demo` on a fresh data folder: starts its own PostgreSQL (as the
/// `postgres` user when the tests run as root), fills the demo once, stops cleanly on
/// SIGTERM, and a second start reuses the data.
#[tokio::test]
async fn serve_starts_a_private_postgresql_in_a_fresh_folder() {
    let root = crate::support::test_data_dir().parent().unwrap().join(format!("serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let data_dir = root.join("pgdata");
    let lisa = env!("CARGO_BIN_EXE_lisa");
    for round in 0..2 {
        let port = free_port();
        let mut child = Command::new(lisa)
            .args(["serve", "--demo"])
            .env_remove("DATABASE_URL")
            .env("LISA_DATA_DIR", &data_dir)
            .env("LISA_ADDR", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        assert!(wait_until_ready(port).await, "round {round}: Lisa answers /readyz");
        let client =
            reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let login = client.get(format!("http://127.0.0.1:{port}/login")).send().await.unwrap().text().await.unwrap();
        let token = crate::support::csrf_in(&login).unwrap();
        let response = client
            .post(format!("http://127.0.0.1:{port}/login"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", "samordnare@exempelby.se"),
                ("password", "exempelby-demo"),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "round {round}: demo login works");
        let org = client.get(format!("http://127.0.0.1:{port}/org")).send().await.unwrap().text().await.unwrap();
        assert_eq!(org.matches("<a href=\"/org/bodies/").count(), 6, "round {round}: demo filled exactly once");

        // The CLI connects to the server that `serve` started, and leaves it running.
        let token = Command::new(lisa)
            .args(["token", "create", "--email", "samordnare@exempelby.se"])
            .env_remove("DATABASE_URL")
            .env("LISA_DATA_DIR", &data_dir)
            .stderr(Stdio::null())
            .output()
            .unwrap();
        assert!(token.status.success(), "round {round}: token create beside serve");
        let token = String::from_utf8_lossy(&token.stdout).trim().to_string();
        let me = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 200, "round {round}: the new token works and the server still runs");

        Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
        let status = tokio::task::spawn_blocking(move || child.wait().unwrap()).await.unwrap();
        assert!(status.success(), "round {round}: clean exit on SIGTERM");
        assert!(!data_dir.join("postmaster.pid").exists(), "round {round}: PostgreSQL stopped with Lisa");
    }
    let _ = std::fs::remove_dir_all(&root);
}

/// While PostgreSQL restarts under a stream of writes, Lisa answers 503 with Retry-After (never
/// 500), comes back by itself, and every write it acknowledged is there afterwards.
#[tokio::test]
async fn a_database_restart_under_writes_gives_503_then_recovers_and_loses_nothing() {
    use lisa::db::local::{LocalPostgres, Tuning};
    let root = crate::support::test_data_dir().parent().unwrap().join(format!("restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let data_dir = root.join("pgdata");
    let server = LocalPostgres::ensure_running(&data_dir, Tuning::Disposable).await.unwrap();
    let pool = lisa::db::pool_options()
        .acquire_timeout(Duration::from_secs(2))
        .connect_with(server.connect_options("lisa"))
        .await
        .unwrap();
    lisa::db::MIGRATOR.run(&pool).await.unwrap();
    let state = lisa::AppState::new(pool.clone(), crate::support::test_config());
    assert!(lisa::demo::seed(&state).await.unwrap());
    let exempelby = lisa::org::store::find_municipality_by_org_number(&pool, "212000-0142").await.unwrap().unwrap().id;
    let user = lisa::org::store::find_user_id_by_email(&pool, "samordnare@exempelby.se").await.unwrap().unwrap();
    let token = crate::support::test_token(&pool, user, exempelby).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(lisa::serve(listener, state, std::future::pending()));

    let writer = tokio::spawn(async move {
        let http = reqwest::Client::new();
        let mut answers = Vec::new();
        let started = Instant::now();
        for i in 0.. {
            if started.elapsed() > Duration::from_secs(10) {
                break;
            }
            let response = http
                .post(format!("http://{addr}/api/v1/bodies"))
                .bearer_auth(&token)
                .json(&serde_json::json!({"kind": "namnd", "name": format!("Nämnd nummer {i}")}))
                .send()
                .await
                .unwrap();
            let retry_after = response.headers().get("retry-after").is_some();
            answers.push((i, response.status().as_u16(), retry_after));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        answers
    });
    tokio::time::sleep(Duration::from_millis(600)).await;
    server.stop().await.unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await;
    let server = LocalPostgres::ensure_running(&data_dir, Tuning::Disposable).await.unwrap();
    let answers = writer.await.unwrap();

    let unexpected: Vec<_> = answers.iter().filter(|(_, s, _)| *s != 201 && *s != 503).collect();
    assert!(unexpected.is_empty(), "only 201 or 503: {unexpected:?}");
    assert!(answers.iter().any(|(_, s, _)| *s == 503), "the restart was noticed: {answers:?}");
    assert!(answers.iter().filter(|(_, s, _)| *s == 503).all(|(_, _, retry)| *retry), "503 says when to retry");
    assert_eq!(answers.last().unwrap().1, 201, "Lisa recovered by itself");
    let saved: Vec<String> =
        sqlx::query_scalar("SELECT name FROM bodies WHERE name LIKE 'Nämnd nummer %'").fetch_all(&pool).await.unwrap();
    for (i, status, _) in &answers {
        if *status == 201 {
            assert!(saved.contains(&format!("Nämnd nummer {i}")), "acknowledged write {i} is kept");
        }
    }
    pool.close().await;
    server.stop().await.unwrap();
    let _ = std::fs::remove_dir_all(&root);
}

/// A request that holds a connection while it waits for a second one deadlocks the pool when
/// many such requests arrive at once (every connection held, every holder waiting). With a pool
/// of one connection, such a request waits out the pool's timeout and fails at once.
#[tokio::test]
async fn no_page_holds_a_connection_while_it_waits_for_another() {
    let app = TestApp::spawn_with_one_connection().await;
    let coordinator = app.login("samordnare@exempelby.se").await;
    let mut failed = Vec::new();
    let mut check = async |client: &reqwest::Client, who: &str, path: &str| {
        let started = std::time::Instant::now();
        let status = app.get(client, path).await.status();
        if status.is_server_error() || started.elapsed() > std::time::Duration::from_secs(2) {
            failed.push(format!("{who} {path}: {status} after {:?}", started.elapsed()));
        }
    };
    for path in app.coordinator_pages().await {
        check(&coordinator, "samordnare", &path).await;
    }
    for path in ["/contracts.csv", "/incidents.csv", "/systems.csv", "/audit-log.csv", "/access-reviews.csv"] {
        check(&coordinator, "samordnare", path).await;
    }
    for who in ["systemagare", "revisor", "ledamot", "medarbetare"] {
        let client = app.login(&format!("{who}@exempelby.se")).await;
        check(&client, who, "/").await;
    }
    let api = app.coordinator_api().await;
    for list in ["incidents", "systems", "risks", "actions", "recommendations", "access-reviews", "suppliers"]
        .into_iter()
        .chain(["contracts", "documents", "people", "users", "audit-log", "audits", "risk-analyses"])
    {
        let started = std::time::Instant::now();
        let status = api.get(&format!("/{list}")).await.status();
        if status.is_server_error() || started.elapsed() > std::time::Duration::from_secs(2) {
            failed.push(format!("API /{list}: {status} after {:?}", started.elapsed()));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// The constraint names in `src/` that turn a violation into a field message.
fn constraints_named_in_code() -> Vec<String> {
    let mut names = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let code = std::fs::read_to_string(&path).unwrap();
                for marker in ["unique_as(", "constraint() == Some("] {
                    for rest in code.split(marker).skip(1) {
                        if let Some(quoted) = rest.trim_start().strip_prefix('"') {
                            names.push(quoted.split('"').next().unwrap().to_string());
                        }
                    }
                }
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// A message is tied to a constraint by its name: each name the code gives must be one the
/// migrations make, or the violation would surface as an error instead of its message.
#[tokio::test]
async fn every_constraint_the_code_names_exists() {
    let pool = empty_database().await;
    lisa::db::MIGRATOR.run(&pool).await.unwrap();
    let names = constraints_named_in_code();
    assert!(names.len() >= 15, "the code names its constraints: {names:?}");
    for name in names {
        let found: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = $1)
                 OR EXISTS (SELECT 1 FROM pg_class WHERE relname = $1 AND relkind = 'i')",
        )
        .bind(&name)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(found, "the code names {name}, which no migration makes");
    }
}
