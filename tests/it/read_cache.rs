//! Lists served again from a copy (web::read_cache): only to the same viewer, never after a
//! change made through Lisa, never with someone else's message or form token.

use crate::support::{TestApp, csrf_in};

async fn text(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let response = app.get(client, path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

/// Renames a system behind Lisa's back, as another instance or the command line would.
async fn rename_outside(app: &TestApp, from: &str, to: &str) {
    let renamed = sqlx::query("UPDATE systems SET name = $2 WHERE municipality_id = $1 AND name = $3")
        .bind(app.exempelby)
        .bind(to)
        .bind(from)
        .execute(app.pool())
        .await
        .unwrap();
    assert_eq!(renamed.rows_affected(), 1);
}

#[tokio::test]
async fn a_list_is_answered_from_its_copy_until_something_changes_through_lisa() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let token = app.api_token("samordnare@exempelby.se", app.exempelby).await;
    let api = app.api(&token);
    let first = text(&app, &client, "/systems").await;
    let first_json = api.get("/systems").await.text().await.unwrap();
    assert!(first.contains("Skolplattformen") && first_json.contains("Skolplattformen"), "{first}");

    rename_outside(&app, "Skolplattformen", "Omdöpt utanför").await;
    assert_eq!(text(&app, &client, "/systems").await, first, "the copy is served while Lisa saw no change");
    assert_eq!(api.get("/systems").await.text().await.unwrap(), first_json);
    let filtered = text(&app, &client, "/systems?q=Omd%C3%B6pt").await;
    assert!(filtered.contains("Omdöpt utanför"), "another address is made afresh");

    let created =
        app.post_form(&client, "/systems", &[("name", "Bokningssystem"), ("review_interval_months", "12")]).await;
    assert_eq!(created.status(), 303);
    let after = text(&app, &client, "/systems").await;
    assert!(after.contains("Bokningssystem") && after.contains("Omdöpt utanför"), "{after}");
    assert!(!after.contains("Skolplattformen"));
    let after_json = api.get("/systems").await.text().await.unwrap();
    assert!(after_json.contains("Bokningssystem") && after_json.contains("Omdöpt utanför"));
}

#[tokio::test]
async fn a_copy_is_served_only_to_the_viewer_and_session_it_was_made_for() {
    let app = TestApp::spawn().await;
    let first_session = app.login("samordnare@exempelby.se").await;
    let second_session = app.login("samordnare@exempelby.se").await;
    let owner = app.login("systemagare@exempelby.se").await;
    let board = app.login("ledamot@exempelby.se").await;

    let first = text(&app, &first_session, "/systems").await;
    let second = text(&app, &second_session, "/systems").await;
    let (first_token, second_token) = (csrf_in(&first).unwrap(), csrf_in(&second).unwrap());
    assert_ne!(first_token, second_token, "each session's page carries its own form token");
    assert_eq!(first_token, app.csrf(&first_session, "/").await);
    assert!(first.contains("Lägg till system"));

    for (client, role) in [(&owner, "system owner"), (&board, "board member")] {
        let page = text(&app, client, "/systems").await;
        assert!(!page.contains("Lägg till system"), "{role} got the coordinator's copy");
        assert_ne!(csrf_in(&page), Some(first_token.clone()));
    }
}

#[tokio::test]
async fn a_waiting_message_is_shown_once_and_never_kept_in_a_copy() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let shown = |page: &str| page.contains("Systemet är borttaget.");
    assert!(!shown(&text(&app, &client, "/systems").await));
    let id = app.system_id("Schemaläggning").await;
    let deleted = app.post_form(&client, &format!("/systems/{id}/delete"), &[]).await;
    assert_eq!(deleted.status(), 303);
    let next = text(&app, &client, "/systems").await;
    assert!(shown(&next) && !next.contains("Schemaläggning"), "{next}");
    assert!(!shown(&text(&app, &client, "/systems").await), "the message is shown once");
    assert!(!shown(&text(&app, &client, "/systems").await));
}

#[tokio::test]
async fn every_route_named_for_the_read_cache_is_a_list_that_answers() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let token = app.api_token("samordnare@exempelby.se", app.exempelby).await;
    let api = app.api(&token);
    let report: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM annual_reports WHERE municipality_id = $1 AND status = 'publicerad'")
            .bind(app.exempelby)
            .fetch_one(app.pool())
            .await
            .unwrap();
    for route in lisa::READ_CACHED_ROUTES {
        let path = route.replace("{id}", &report.to_string());
        let status = match path.strip_prefix("/api/v1") {
            Some(endpoint) => api.get(endpoint).await.status(),
            None => app.get(&client, &path).await.status(),
        };
        assert_eq!(status, 200, "{route}: a name that matches no list is never cached");
    }
}
