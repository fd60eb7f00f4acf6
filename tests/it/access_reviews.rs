//! Access reviews: recorded by the system's keepers, due yearly, missing and overdue ones listed.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;

fn standing_of(all: &Value, name: &str) -> String {
    all.as_array().unwrap().iter().find(|s| s["system_name"] == name).unwrap()["standing"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_system_owner_records_a_review_and_the_lists_show_what_is_missing_or_overdue() {
    let app = TestApp::spawn().await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let before: Value = coordinator.get("/access-reviews").await.json().await.unwrap();
    assert_eq!(standing_of(&before, "E-arkiv"), "forsenad", "reviewed 500 days ago");
    assert_eq!(standing_of(&before, "Elevhälsojournal"), "saknas");
    assert_eq!(standing_of(&before, "Katalogtjänst"), "aktuell");

    let school = app.system_id("Skolplattformen").await;
    let payroll = app.system_id("Lönesystem").await;
    let owner = app.api(&app.api_token("systemagare@exempelby.se", app.exempelby).await);
    let today = lisa::web::format::today();
    let review = json!({"system_id": school.to_string(), "reviewed_on": today.format("%Y-%m-%d").to_string(),
                        "from_system_extract": true, "accounts_checked": true, "roles_checked": true, "accounts_removed": "4"});
    let recorded = owner.send(Method::POST, "/access-reviews", review.clone()).await;
    assert_eq!(recorded.status(), 201);
    let recorded: Value = recorded.json().await.unwrap();
    let next = chrono::NaiveDate::parse_from_str(recorded["next_due"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    assert_eq!(next, today.checked_add_months(chrono::Months::new(12)).unwrap());

    // Not another owner's system, not the auditor, not another municipality's.
    let mut others = review.clone();
    others["system_id"] = json!(payroll.to_string());
    assert_eq!(owner.send(Method::POST, "/access-reviews", others).await.status(), 403);
    let auditor = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    assert_eq!(auditor.send(Method::POST, "/access-reviews", review.clone()).await.status(), 403);
    assert_eq!(auditor.get("/access-reviews").await.status(), 200);
    let other = app.annanstad().await;
    let annan = app.api(&app.api_token("samordnare@annanstad.se", other.municipality).await);
    assert_eq!(annan.send(Method::POST, "/access-reviews", review).await.status(), 404);
    assert_eq!(annan.get(&format!("/systems/{school}/access-reviews")).await.status(), 404);
    assert_eq!(annan.get("/access-reviews").await.text().await.unwrap(), "[]");

    let history: Value = coordinator.get(&format!("/systems/{school}/access-reviews")).await.json().await.unwrap();
    assert_eq!(history.as_array().unwrap().len(), 2, "the demo's incomplete one and the new one");
    assert_eq!(history[0]["accounts_removed"], 4);

    // Bad input is refused with Swedish messages on a page that keeps what was typed.
    let client = app.login("samordnare@exempelby.se").await;
    let page = app
        .post_form(
            &client,
            "/access-reviews",
            &[("system_id", &school.to_string()), ("reviewed_on", "igår"), ("findings", "Viktig iakttagelse")],
        )
        .await;
    assert_eq!(page.status(), 422);
    let text = page.text().await.unwrap();
    assert!(text.contains("Ange ett datum som ÅÅÅÅ-MM-DD.") && text.contains("Viktig iakttagelse"));
    let csv = app.get(&client, "/access-reviews.csv?standing=saknas").await.text().await.unwrap();
    assert!(csv.contains("Elevhälsojournal") && !csv.contains("Katalogtjänst"));
}

#[tokio::test]
async fn the_list_filters_and_pages_in_postgresql_by_the_rule_the_pages_show() {
    use lisa::access_reviews::model::Standing;
    use lisa::access_reviews::store::{Filter, all_matching, standings};
    let app = TestApp::spawn().await;
    let m = app.exempelby;
    let today = lisa::web::format::today();
    // A review due today is current; one due yesterday is overdue.
    for (system, due) in [("Katalogtjänst", today), ("Lönesystem", today - chrono::Duration::days(1))] {
        sqlx::query(
            "INSERT INTO access_reviews (id, municipality_id, system_id, reviewed_on, from_system_extract, accounts_checked,
                                         roles_checked, next_due, recorded_by)
             SELECT gen_random_uuid(), $1, id, current_date - 1, true, true, true, $3, 'test'
               FROM systems WHERE municipality_id = $1 AND name = $2",
        )
        .bind(m)
        .bind(system)
        .bind(due)
        .execute(app.pool())
        .await
        .unwrap();
    }
    let all = standings(app.pool(), m).await.unwrap();
    let names = |list: Vec<lisa::access_reviews::store::SystemStanding>| {
        list.into_iter().map(|s| s.system_name).collect::<Vec<_>>()
    };
    for standing in Standing::ALL {
        for critical in ["", "1"] {
            let filter = Filter { standing: standing.code().into(), critical: critical.into(), page: None };
            let expected: Vec<_> = all
                .iter()
                .filter(|s| s.standing(today) == standing && (critical.is_empty() || s.is_critical))
                .map(|s| s.system_name.clone())
                .collect();
            assert_eq!(
                names(all_matching(app.pool(), m, &filter, today).await.unwrap()),
                expected,
                "{standing} {critical}"
            );
            if critical.is_empty() {
                assert!(!expected.is_empty(), "the demo and the edges cover {standing}");
            }
        }
    }

    let api = app.coordinator_api().await;
    let page = api.get("/access-reviews?limit=2&page=99").await;
    assert_eq!(page.headers()["x-total-count"], all.len().to_string().as_str());
    let last: Vec<String> = crate::support::json_of(page, 200)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["system_name"].as_str().unwrap().into())
        .collect();
    let from = (all.len() - 1) / 2 * 2;
    assert_eq!(last, names(all[from..].to_vec()), "a page past the end is the last page");
}
