//! Lost updates: a save made from an older version of a record is refused, on the page with
//! the form kept and what is saved now beside it, in the API with 412 when If-Match was sent;
//! of two saves made at once from the same version, one wins and the other is told.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;

/// The hidden version field of a form page.
fn version_in(html: &str) -> String {
    let start = html.find("name=\"version\" value=\"").expect("the form carries its version") + 22;
    html[start..].split('"').next().unwrap().to_string()
}

fn system_fields<'a>(name: &'a str, purpose: &'a str, version: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("purpose", purpose),
        ("hosting", "egen"),
        ("lifecycle", "i_drift"),
        ("review_interval_months", "12"),
        ("version", version),
    ]
}

async fn first_id(app: &TestApp, sql: &'static str) -> uuid::Uuid {
    sqlx::query_scalar(sql).bind(app.exempelby).fetch_one(app.pool()).await.unwrap()
}

async fn saved_purpose(app: &TestApp, id: uuid::Uuid) -> String {
    sqlx::query_scalar("SELECT purpose FROM systems WHERE id = $1").bind(id).fetch_one(app.pool()).await.unwrap()
}

#[tokio::test]
async fn a_page_save_from_an_older_version_keeps_the_form_and_shows_what_is_saved() {
    let app = TestApp::spawn().await;
    let system = app.system_id("Lönesystem").await;
    let anna = app.login("samordnare@exempelby.se").await;
    let edit = app.get(&anna, &format!("/systems/{system}/edit")).await.text().await.unwrap();
    let anna_version = version_in(&edit);

    // Someone else saves first.
    let other = app.login("samordnare@exempelby.se").await;
    let first = app
        .post_form(
            &other,
            &format!("/systems/{system}"),
            &system_fields("Lönesystem", "Löner och arvoden", &anna_version),
        )
        .await;
    assert_eq!(first.status(), 303);

    let late = app
        .post_form(
            &anna,
            &format!("/systems/{system}"),
            &system_fields("Lönesystem", "Anna skrev detta", &anna_version),
        )
        .await;
    assert_eq!(late.status(), 409);
    let page = late.text().await.unwrap();
    assert!(page.contains("Någon annan har sparat ändringar"), "{page}");
    assert!(page.contains("Syfte: Löner och arvoden"), "what is saved now is shown");
    assert!(page.contains("Anna skrev detta"), "what Anna typed is kept in the form");
    assert_eq!(saved_purpose(&app, system).await, "Löner och arvoden", "nothing overwritten");

    // Saving the kept form again overwrites knowingly.
    let newer = version_in(&page);
    assert_ne!(newer, anna_version);
    let again = app
        .post_form(&anna, &format!("/systems/{system}"), &system_fields("Lönesystem", "Anna skrev detta", &newer))
        .await;
    assert_eq!(again.status(), 303);
    assert_eq!(saved_purpose(&app, system).await, "Anna skrev detta");
}

#[tokio::test]
async fn of_two_saves_made_at_once_from_the_same_version_one_is_kept_and_the_other_told() {
    let app = TestApp::spawn().await;
    let system = app.system_id("Lönesystem").await;
    let client = app.login("samordnare@exempelby.se").await;
    let edit = app.get(&client, &format!("/systems/{system}/edit")).await.text().await.unwrap();
    let version = version_in(&edit);
    let path = format!("/systems/{system}");
    let first_fields = system_fields("Lönesystem", "Första", &version);
    let second_fields = system_fields("Lönesystem", "Andra", &version);
    let (a, b) =
        tokio::join!(app.post_form(&client, &path, &first_fields), app.post_form(&client, &path, &second_fields));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [303, 409]);
    let changes: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE entity_id = $1 AND action = 'update' AND occurred_at > now() - interval '1 minute'",
    )
    .bind(system)
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(changes, 1, "one change saved and logged");
}

#[tokio::test]
async fn the_api_sends_an_etag_and_refuses_a_stale_if_match_with_412() {
    let app = TestApp::spawn().await;
    let system = app.system_id("Lönesystem").await;
    let api = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let path = format!("/systems/{system}");
    let read = api.get(&path).await;
    assert_eq!(read.status(), 200);
    let etag = read.headers()["etag"].to_str().unwrap().to_string();

    let changed = api.send_if_match(Method::PUT, &path, &etag, json!({"name": "Lönesystem", "purpose": "Ett"})).await;
    assert_eq!(changed.status(), 200);
    let new_etag = changed.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(new_etag, etag);

    let stale = api.send_if_match(Method::PUT, &path, &etag, json!({"name": "Lönesystem", "purpose": "Två"})).await;
    assert_eq!(stale.status(), 412);
    let problem: Value = stale.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("ETag"), "{problem}");
    assert_eq!(saved_purpose(&app, system).await, "Ett");

    let garbled = api.send_if_match(Method::PUT, &path, "*", json!({"name": "Lönesystem"})).await;
    assert_eq!(garbled.status(), 400);

    // A client that sends no version saves (last write wins), as before.
    let blind = api.send(Method::PUT, &path, json!({"name": "Lönesystem", "purpose": "Tre"})).await;
    assert_eq!(blind.status(), 200);
    assert_eq!(saved_purpose(&app, system).await, "Tre");
}

#[tokio::test]
async fn recommendations_actions_and_incidents_refuse_stale_saves_too() {
    let app = TestApp::spawn().await;
    let api = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let recommendation =
        first_id(&app, "SELECT id FROM recommendations WHERE municipality_id = $1 ORDER BY position LIMIT 1").await;
    let action = first_id(&app, "SELECT id FROM actions WHERE municipality_id = $1 ORDER BY title LIMIT 1").await;
    let incident = first_id(&app, "SELECT id FROM incidents WHERE municipality_id = $1 ORDER BY number LIMIT 1").await;
    let cases = [
        (format!("/recommendations/{recommendation}"), json!({"text": "Utse ägare för varje system."})),
        (format!("/actions/{action}"), json!({"title": "Anta en incidentrutin"})),
        (format!("/incidents/{incident}"), json!({"status": "utreds"})),
    ];
    for (path, body) in cases {
        let read = api.get(&path).await;
        assert_eq!(read.status(), 200, "{path}");
        let etag = read.headers()["etag"].to_str().unwrap().to_string();
        let saved = api.send_if_match(Method::PUT, &path, &etag, body.clone()).await;
        assert_eq!(saved.status(), 200, "{path}: {}", saved.text().await.unwrap());
        let stale = api.send_if_match(Method::PUT, &path, &etag, body.clone()).await;
        assert_eq!(stale.status(), 412, "{path}: the first save made {etag} old");
        let mut in_body = body;
        in_body["version"] = json!(etag.trim_matches('"'));
        let stale_in_body = api.send(Method::PUT, &path, in_body).await;
        assert_eq!(stale_in_body.status(), 409, "{path}: a version in the body is checked too");
    }
}
