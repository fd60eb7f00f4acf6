//! Hostile input is normal input: NUL bytes, control characters and huge text get a clear 422
//! wherever they arrive (query, form, JSON), and responses are never cached or tagged with an
//! id the client invented.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;

#[tokio::test]
async fn nul_bytes_and_control_characters_get_a_swedish_422_everywhere() {
    let app = TestApp::spawn().await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let systems_before: i64 = sqlx::query_scalar("SELECT count(*) FROM systems").fetch_one(app.pool()).await.unwrap();

    let in_json = coordinator
        .send(Method::POST, "/users", json!({"email": "a@b.se", "display_name": "Noll\u{0}tecken", "password": "ett-långt-lösenord", "role": "medarbetare"}))
        .await;
    assert_eq!(in_json.status(), 422);
    let problem: Value = in_json.json().await.unwrap();
    assert!(problem["errors"]["display_name"].as_str().unwrap().contains("nolltecken"), "{problem}");

    let in_query = coordinator.get("/systems?q=%00").await;
    assert_eq!(in_query.status(), 422);
    let escape = coordinator.send(Method::POST, "/systems", json!({"name": "Terminal\u{1b}[31m"})).await;
    assert_eq!(escape.status(), 422);

    let client = app.login("samordnare@exempelby.se").await;
    let in_form = app.post_form(&client, "/systems", &[("name", "Formulär\u{0}system")]).await;
    assert_eq!(in_form.status(), 422);
    assert!(in_form.text().await.unwrap().contains("nolltecken"));
    let in_page_query = app.get(&client, "/recommendations?q=a%00b").await;
    assert_eq!(in_page_query.status(), 422);

    // Tabs and line breaks are text like any other.
    let fine = coordinator
        .send(Method::POST, "/systems", json!({"name": "Ärendesystem", "purpose": "Rad ett\n\tRad två"}))
        .await;
    assert_eq!(fine.status(), 201, "{}", fine.text().await.unwrap());
    let systems_after: i64 = sqlx::query_scalar("SELECT count(*) FROM systems").fetch_one(app.pool()).await.unwrap();
    assert_eq!(systems_after, systems_before + 1, "only the fine one was saved");
}

#[tokio::test]
async fn text_longer_than_a_field_holds_is_refused_with_the_limit() {
    let app = TestApp::spawn().await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let long_name = coordinator.send(Method::POST, "/systems", json!({"name": "x".repeat(501)})).await;
    assert_eq!(long_name.status(), 422);
    let problem: Value = long_name.json().await.unwrap();
    assert_eq!(problem["errors"]["name"], "Texten får vara högst 500 tecken (den är 501).");
    let huge =
        coordinator.send(Method::POST, "/systems", json!({"name": "Stort", "purpose": "å".repeat(20_001)})).await;
    assert_eq!(huge.status(), 422);
    // A pasted report section may be long.
    let pasted = format!("Vi rekommenderar kommunstyrelsen att:\n• {}.", "utse ägare ".repeat(5_000));
    let parsed = coordinator.send(Method::POST, "/recommendations/parse", json!({"text": pasted})).await;
    assert_eq!(parsed.status(), 200);
}

#[tokio::test]
async fn nothing_authenticated_is_cached_and_request_ids_are_lisas_own_unless_safe() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    for path in ["/", "/systems", "/systems.csv", "/api/v1/systems"] {
        let response = app.get(&client, path).await;
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
    let report: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM annual_reports LIMIT 1").fetch_one(app.pool()).await.unwrap();
    let pdf = app.get(&client, &format!("/reports/{report}/pdf")).await;
    assert_eq!(pdf.headers()["cache-control"], "no-store", "downloads too");
    let css = app.get(&client, "/static/lisa.css").await;
    assert!(css.headers()["cache-control"].to_str().unwrap().starts_with("public"));

    let http = reqwest::Client::new();
    let kept = http.get(app.url("/healthz")).header("x-request-id", "abc-123.def_4").send().await.unwrap();
    assert_eq!(kept.headers()["x-request-id"], "abc-123.def_4");
    let replaced =
        http.get(app.url("/healthz")).header("x-request-id", "<script>alert(1)</script>").send().await.unwrap();
    let id = replaced.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "Lisa's own id: {id}");
}
