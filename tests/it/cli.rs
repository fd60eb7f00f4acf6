//! The `lisa` command line against a real database.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::support::{database_url, fresh_database};

fn lisa(url: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lisa"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

#[tokio::test]
async fn the_cli_migrates_and_adds_municipalities_users_and_tokens() {
    let pool = fresh_database().await;
    let url = database_url(&pool);
    assert_eq!(stdout(&lisa(&url, &["migrate"], "")), "migrations applied");

    let id = stdout(&lisa(
        &url,
        &["municipality", "add", "--name", "Testby kommun", "--org-number", "2120000159", "--county", "Skåne län"],
        "",
    ));
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    let bad = lisa(&url, &["municipality", "add", "--name", "X", "--org-number", "123", "--county", "Y"], "");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("organisationsnummer"));

    let user = lisa(
        &url,
        &[
            "user",
            "add",
            "--email",
            "tove@testby.se",
            "--name",
            "Tove Test",
            "--municipality",
            "212000-0159",
            "--role",
            "samordnare",
        ],
        "ett-långt-lösenord\n",
    );
    let user_id = stdout(&user);
    assert!(uuid::Uuid::parse_str(&user_id).is_ok());
    let short = lisa(&url, &["user", "add", "--email", "kort@testby.se", "--name", "K"], "kort\n");
    assert!(!short.status.success(), "short passwords are refused");

    let token = stdout(&lisa(&url, &["token", "create", "--email", "tove@testby.se"], ""));
    assert!(token.starts_with("lisa_"));
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM api_tokens WHERE token_hash = $1")
        .bind(lisa::auth::session::token_hash(&token))
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 1, "only the hash is stored");
    let too_long = lisa(&url, &["token", "create", "--email", "tove@testby.se", "--expires-in", "400d"], "");
    assert!(!too_long.status.success() && String::from_utf8_lossy(&too_long.stderr).contains("365"));
    let read_only =
        stdout(&lisa(&url, &["token", "create", "--email", "tove@testby.se", "--expires-in", "7d", "--read-only"], ""));
    let (days, only_reads): (f64, bool) = sqlx::query_as(
        "SELECT extract(epoch FROM expires_at - now())::float8 / 86400, read_only FROM api_tokens WHERE token_hash = $1",
    )
    .bind(lisa::auth::session::token_hash(&read_only))
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!((6.9..=7.0).contains(&days) && only_reads, "{days} {only_reads}");
    assert!(stdout(&lisa(&url, &["token", "revoke", &token], "")).starts_with("återkallad: cli"));
    let revoked: bool = sqlx::query_scalar("SELECT revoked_at IS NOT NULL FROM api_tokens WHERE token_hash = $1")
        .bind(lisa::auth::session::token_hash(&token))
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(revoked);

    let logged: Vec<String> =
        sqlx::query_scalar("SELECT entity_type FROM audit_log WHERE actor_name = 'lisa (kommandorad)' ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    let measures = logged.iter().filter(|e| *e == "measure").count();
    assert_eq!(measures, lisa::classification::model::STARTER_CATALOGUE.len(), "the new municipality's catalogue");
    let others: Vec<&String> = logged.iter().filter(|e| *e != "measure").collect();
    assert_eq!(others, ["municipality", "user", "role_grant", "api_token", "api_token", "api_token"]);
}

#[tokio::test]
async fn lisa_will_not_serve_as_a_role_that_escapes_row_level_security() {
    let pool = fresh_database().await;
    let url = database_url(&pool);
    let output = Command::new(env!("CARGO_BIN_EXE_lisa"))
        .args(["serve"])
        .env("DATABASE_URL", &url)
        .env("LISA_APP_DATABASE_URL", &url)
        .env("LISA_ADDR", "127.0.0.1:0")
        .env("LISA_REMINDERS", "off")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("will not serve as lisa") && stderr.contains("row-level security"), "{stderr}");
}

/// A password the operator chose at the command line is the person's only until first sign-in:
/// every page leads to "Byt lösenord" (the API refuses) until they have chosen their own.
#[tokio::test]
async fn a_password_set_at_the_command_line_must_be_changed_at_first_sign_in() {
    let app = crate::support::TestApp::spawn().await;
    let url = database_url(app.pool());
    let added = lisa(
        &url,
        &[
            "user",
            "add",
            "--email",
            "ny@exempelby.se",
            "--name",
            "Ny Person",
            "--municipality",
            lisa::org::demo::ORG_NUMBER,
            "--role",
            "medarbetare",
        ],
        "operatorns-lösenord\n",
    );
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let client = app.client();
    assert_eq!(app.try_login(&client, "ny@exempelby.se", "operatorns-lösenord").await.status(), 303);
    for page in ["/", "/documents", "/incidents/report", "/account/tokens"] {
        let response = app.get(&client, page).await;
        assert_eq!(response.status(), 303, "{page}");
        assert_eq!(response.headers()["location"], "/account/password", "{page}");
    }
    assert_eq!(app.get(&client, "/api/v1/documents").await.status(), 403);
    let form = app.get(&client, "/account/password").await.text().await.unwrap();
    assert!(form.contains("valdes av någon annan"), "the page says why it comes first");

    let token = app.csrf(&client, "/account/password").await;
    let changed = client
        .post(app.url("/account/password"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("current", "operatorns-lösenord"),
            ("new", "mitt-eget-långa-lösenord"),
            ("repeat", "mitt-eget-långa-lösenord"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 303);
    assert_eq!(app.get(&client, "/").await.status(), 200, "free once the password is the person's own");
    assert!(!app.get(&client, "/account/password").await.text().await.unwrap().contains("valdes av någon annan"));
}
