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
