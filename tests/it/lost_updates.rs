//! Lost updates: a save made from an older version of a record is refused, on the page with
//! the form kept and what is saved now beside it, in the API with 412 when If-Match was sent;
//! of two saves made at once from the same version, one wins and the other is told.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, form_fields};

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

async fn post_fields(
    app: &TestApp,
    client: &reqwest::Client,
    action: &str,
    fields: &[(String, String)],
) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
    app.post_form(client, action, &fields).await
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
async fn every_api_change_honours_if_match() {
    let app = TestApp::spawn().await;
    let api = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let supplier =
        first_id(&app, "SELECT id FROM suppliers WHERE municipality_id = $1 ORDER BY created_at LIMIT 1").await;
    let board = crate::support::body_id_by_name(app.pool(), app.exempelby, "Kommunstyrelsen").await;
    let cases = [
        ("recommendations", json!({"text": "Utse ägare för varje system."})),
        ("actions", json!({"title": "Anta en incidentrutin"})),
        ("incidents", json!({"status": "utreds"})),
        (
            "documents",
            json!({"title": "Informationssäkerhetspolicy", "kind": "policy", "status": "gallande", "decided_on": "2024-05-01", "review_interval_months": "24"}),
        ),
        (
            "audits",
            json!({"title": "Granskning av informationssäkerhet", "kind": "granskning", "commissioned_by": "revisorerna", "report_date": "2025-03-01", "body_ids": [board]}),
        ),
        ("suppliers", json!({"name": "Leverantören AB", "kind": "it_drift"})),
        (
            "contracts",
            json!({"supplier_id": supplier, "title": "Driftavtal", "notice_months": "3", "check_interval_months": "12"}),
        ),
        ("risks", json!({"threat": "Obehörig åtkomst", "likelihood": "2", "consequence": "3"})),
        ("reports", json!({"decisions": "Styrelsen ställer sig bakom förslagen."})),
    ];
    for (table, body) in cases {
        let sql = format!(
            "SELECT id FROM {} WHERE municipality_id = $1 ORDER BY created_at LIMIT 1",
            if table == "reports" { "annual_reports" } else { table }
        );
        let id: uuid::Uuid =
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(app.exempelby).fetch_one(app.pool()).await.unwrap();
        let path = format!("/{table}/{id}");
        let blind = api.send(Method::PUT, &path, body.clone()).await;
        assert_eq!(blind.status(), 200, "{path}: {}", blind.text().await.unwrap());
        let etag = blind.headers()["etag"].to_str().unwrap().to_string();
        if table != "risks" {
            let read = api.get(&path).await;
            assert_eq!(read.headers()["etag"].to_str().unwrap(), etag, "{path}: GET sends the same version");
        }
        let saved = api.send_if_match(Method::PUT, &path, &etag, body.clone()).await;
        assert_eq!(saved.status(), 200, "{path}");
        let stale = api.send_if_match(Method::PUT, &path, &etag, body.clone()).await;
        assert_eq!(stale.status(), 412, "{path}: the second save made {etag} old");
        let mut in_body = body;
        in_body["version"] = json!(etag.trim_matches('"'));
        let stale_in_body = api.send(Method::PUT, &path, in_body).await;
        assert_eq!(stale_in_body.status(), 409, "{path}: a version in the body is checked too");
    }
}

/// Every edit form: the later of two saves made from the same page is refused with the typed
/// text kept, whoever saved first.
#[tokio::test]
async fn every_edit_form_refuses_a_save_made_from_an_older_version() {
    let app = TestApp::spawn().await;
    let m = "WHERE municipality_id = $1 ORDER BY created_at LIMIT 1";
    let id = |table: &str| format!("SELECT id FROM {table} {m}");
    let mut forms = Vec::new();
    for (table, page, action, field) in [
        ("recommendations", "/recommendations/{}/edit", "/recommendations/{}/edit", "text"),
        ("actions", "/actions/{}", "/actions/{}", "title"),
        ("incidents", "/incidents/{}", "/incidents/{}", "lessons"),
        ("documents", "/documents/{}/edit", "/documents/{}", "title"),
        ("audits", "/audits/{}/edit", "/audits/{}", "title"),
        ("suppliers", "/suppliers/{}/edit", "/suppliers/{}", "contact"),
        ("contracts", "/contracts/{}/edit", "/contracts/{}", "title"),
        ("risk_analyses", "/risk-analyses/{}/edit", "/risk-analyses/{}", "title"),
        ("risks", "/risks/{}", "/risks/{}", "threat"),
        ("annual_reports", "/reports/{}", "/reports/{}", "decisions"),
    ] {
        let sql = id(table);
        let record: uuid::Uuid =
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(app.exempelby).fetch_one(app.pool()).await.unwrap();
        forms.push((page.replace("{}", &record.to_string()), action.replace("{}", &record.to_string()), field));
    }
    let first = app.login("samordnare@exempelby.se").await;
    let second = app.login("samordnare@exempelby.se").await;
    for (page, action, field) in forms {
        let html = app.get(&second, &page).await.text().await.unwrap();
        let fields: Vec<(String, String)> =
            form_fields(&html, &action).into_iter().filter(|(name, _)| name != "csrf_token").collect();
        assert!(fields.iter().any(|(name, _)| name == "version"), "{page} carries its version");
        let with = |text: &str| -> Vec<(String, String)> {
            fields
                .iter()
                .map(|(name, value)| (name.clone(), if name == field { text.into() } else { value.clone() }))
                .collect()
        };
        let saved = post_fields(&app, &first, &action, &with("Sparat först")).await;
        assert_eq!(saved.status(), 303, "{action}: {}", saved.text().await.unwrap());
        let late = post_fields(&app, &second, &action, &with("Sparat sist")).await;
        assert_eq!(late.status(), 409, "{action}");
        let page_again = late.text().await.unwrap();
        assert!(page_again.contains("Någon annan har sparat ändringar"), "{action}");
        assert!(page_again.contains("Sparat sist"), "{action}: what was typed is kept");
        assert!(page_again.contains("Sparat först"), "{action}: what is saved now is shown");
    }
}
