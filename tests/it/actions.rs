//! The handlingsplan: actions gathered from every source, with their decisions.

use uuid::Uuid;

use crate::support::{TestApp, json_of};

#[tokio::test]
async fn the_handlingsplan_gathers_actions_from_every_source_with_its_decision() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let created = app.post_form(&client, "/plans", &[("year", "2027")]).await;
    assert_eq!(created.status(), 303);
    let proposed: Uuid = sqlx::query_scalar("SELECT id FROM actions WHERE source = 'atgardskrav' LIMIT 1")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let treatment: Uuid =
        sqlx::query_scalar("SELECT id FROM actions WHERE source = 'risk' LIMIT 1").fetch_one(app.pool()).await.unwrap();
    let chosen = app
        .post_form(
            &client,
            "/plans/2027/actions",
            &[("action_ids", &proposed.to_string()), ("action_ids", &treatment.to_string())],
        )
        .await;
    assert_eq!(chosen.status(), 303);
    let status: String = sqlx::query_scalar("SELECT status FROM actions WHERE id = $1")
        .bind(proposed)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(status, "planerad", "chosen proposals become planned");
    let half = app.post_form(&client, "/plans/2027", &[("decision_reference", "KS § 12")]).await;
    assert_eq!(half.status(), 422, "a decision needs its date too");
    let decided = app
        .post_form(
            &client,
            "/plans/2027",
            &[("decision_date", "2027-02-17"), ("decision_reference", "KS 2027-02-17 § 12")],
        )
        .await;
    assert_eq!(decided.status(), 303);

    let api = app.coordinator_api().await;
    let plan = json_of(api.get("/plans/2027").await, 200).await;
    assert_eq!(plan["decision_reference"], "KS 2027-02-17 § 12");
    assert_eq!(plan["actions"].as_array().unwrap().len(), 2);
    assert_eq!(plan["progress_percent"], 0);
    let csv = app.get(&client, "/actions.csv?source=risk").await.text().await.unwrap();
    assert!(csv.contains("Riskbehandling") && !csv.contains("Revisionsrekommendation"));
}

#[tokio::test]
async fn the_action_list_pages_in_the_api_in_the_order_of_the_whole_list() {
    let app = TestApp::spawn().await;
    let api = app.coordinator_api().await;
    let ids = |page: serde_json::Value| {
        page.as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    let whole = api.get("/actions?limit=500").await;
    let total: usize = whole.headers()["x-total-count"].to_str().unwrap().parse().unwrap();
    let whole = ids(json_of(whole, 200).await);
    assert!(total >= 4 && whole.len() == total, "the demo has actions: {total}");
    let mut paged = Vec::new();
    let mut next = Some("/actions?limit=3".to_string());
    while let Some(path) = next.take() {
        let response = api.get(&path).await;
        next = response.headers().get("link").map(|link| {
            let link = link.to_str().unwrap();
            link[link.find("/actions").unwrap()..link.find('>').unwrap()].to_string()
        });
        paged.extend(ids(json_of(response, 200).await));
    }
    assert_eq!(paged, whole, "following the Link headers gives every action once, in order");
    let late = json_of(api.get("/actions?late=1&limit=500").await, 200).await;
    let today = lisa::web::format::today().to_string();
    for action in late.as_array().unwrap() {
        assert_ne!(action["status"], "klar");
        assert!(action["due_date"].as_str().unwrap() < today.as_str(), "{action}");
    }
}

#[tokio::test]
async fn the_page_starts_an_action_from_a_recommendation_and_records_evidence_with_a_ticked_box() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let recommendation: Uuid =
        sqlx::query_scalar("SELECT id FROM recommendations LIMIT 1").fetch_one(app.pool()).await.unwrap();
    let fields = [("recommendation_id", recommendation.to_string()), ("title", "  Utse informationsägare  ".into())];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let created = app.post_form(&client, "/actions", &fields).await;
    assert_eq!(created.status(), 303);
    let (id, title, linked): (Uuid, String, Option<Uuid>) =
        sqlx::query_as("SELECT id, title, recommendation_id FROM actions WHERE title LIKE '%informationsägare%'")
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!((title.as_str(), linked), ("Utse informationsägare", Some(recommendation)), "trimmed, and linked");

    let path = format!("/actions/{id}/notes");
    let noted = app.post_form(&client, &path, &[("note", "Beslut i KS"), ("is_evidence", "1")]).await;
    assert_eq!(noted.status(), 303);
    let evidence: bool = sqlx::query_scalar("SELECT is_evidence FROM action_notes WHERE action_id = $1")
        .bind(id)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert!(evidence, "the ticked box");
    let twice = app.post_form(&client, &path, &[("note", "a"), ("note", "b")]).await;
    assert_eq!(twice.status(), 400, "a field sent twice is refused");
}
