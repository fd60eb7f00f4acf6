//! Training: participation per group and year with the lowest group marked, figures typed in or
//! imported from the learning platform's export, permissions and tenant isolation.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::TestApp;

async fn campaign_id(app: &TestApp, name: &str, year: i32) -> Uuid {
    sqlx::query_scalar("SELECT id FROM training_campaigns WHERE municipality_id = $1 AND name = $2 AND year = $3")
        .bind(app.exempelby)
        .bind(name)
        .bind(year as i16)
        .fetch_one(app.pool())
        .await
        .unwrap()
}

fn this_year() -> i32 {
    chrono::Datelike::year(&lisa::web::format::today())
}

#[tokio::test]
async fn the_board_sees_participation_per_group_and_year_with_elected_officials_lowest() {
    let app = TestApp::spawn().await;
    let board = app.api(&app.api_token("ledamot@exempelby.se", app.exempelby).await);
    let trend: Value = board.get("/training/trend").await.json().await.unwrap();
    let rows = trend.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["year"], this_year());
    // Groups in order: alla, fortroendevalda, chefer, systemagare, forvaltare.
    assert_eq!(rows[0]["groups"][1], json!({"target_group": "fortroendevalda", "in_group": 61, "completed": 17}));
    assert_eq!(rows[1]["groups"][3], Value::Null, "no course for system owners last year");
    let client = app.login("ledamot@exempelby.se").await;
    let page = app.get(&client, "/training").await.text().await.unwrap();
    let year_row = page.split(&format!("<th scope=\"row\">{}</th>", this_year())).nth(1).unwrap();
    let year_row = year_row.split("</tr>").next().unwrap();
    let cells: Vec<&str> = year_row.split("<td>").skip(1).collect();
    assert!(cells[1].contains("28 %") && cells[1].contains("Lägst"), "{}", cells[1]);
    assert!(!cells[0].contains("Lägst"));
    assert!(!page.contains("Ny utbildning"), "board members read, they do not record");
    let csv = app.get(&client, "/training.csv").await.text().await.unwrap();
    assert!(csv.contains(&format!("{};Grundutbildning i informationssäkerhet;Förtroendevalda;61;17;28", this_year())));

    let employee = app.api(&app.api_token("medarbetare@exempelby.se", app.exempelby).await);
    assert_eq!(employee.get("/training/trend").await.status(), 403);
    let new = json!({"name": "Phishingövning", "year": "2026"});
    assert_eq!(board.send(Method::POST, "/training/campaigns", new).await.status(), 403);
}

#[tokio::test]
async fn figures_are_typed_in_checked_and_kept_in_the_history() {
    let app = TestApp::spawn().await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let created =
        coordinator.send(Method::POST, "/training/campaigns", json!({"name": "Phishingövning", "year": "2026"})).await;
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let counts = json!([{"target_group": "alla", "in_group": 100, "completed": 80},
                        {"target_group": "fortroendevalda", "in_group": 10, "completed": 11}]);
    let refused = coordinator.send(Method::PUT, &format!("/training/campaigns/{id}/participation"), counts).await;
    assert_eq!(refused.status(), 422);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(
        problem["errors"]["completed_fortroendevalda"],
        "Förtroendevalda: fler har genomfört än som finns i gruppen."
    );

    let client = app.login("samordnare@exempelby.se").await;
    let page = app
        .post_form(
            &client,
            &format!("/training/{id}/participation"),
            &[
                ("in_group_alla", "100"),
                ("completed_alla", "hundra"),
                ("in_group_chefer", "12"),
                ("completed_chefer", "9"),
            ],
        )
        .await;
    assert_eq!(page.status(), 422);
    let text = page.text().await.unwrap();
    assert!(
        text.contains("Ange ett antal, 0 eller fler.") && text.contains("value=\"hundra\""),
        "typed values are kept"
    );
    let saved = app
        .post_form(
            &client,
            &format!("/training/{id}/participation"),
            &[("in_group_alla", "100"), ("completed_alla", "90"), ("in_group_chefer", "12"), ("completed_chefer", "9")],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let campaigns: Value = coordinator.get("/training/campaigns").await.json().await.unwrap();
    let campaign = campaigns.as_array().unwrap().iter().find(|c| c["id"] == id.as_str()).unwrap().clone();
    assert_eq!(
        campaign["groups"],
        json!([{"target_group": "alla", "in_group": 100, "completed": 90},
               {"target_group": "chefer", "in_group": 12, "completed": 9}])
    );
    let page = app.get(&client, &format!("/training/{id}")).await.text().await.unwrap();
    assert!(page.contains("Chefer") && page.contains("9 av 12"), "the history shows the figures");
}

#[tokio::test]
async fn an_export_from_the_learning_platform_is_previewed_before_it_replaces_the_groups_it_contains() {
    let app = TestApp::spawn().await;
    let id = campaign_id(&app, "Grundutbildning i informationssäkerhet", this_year()).await;
    let client = app.login("samordnare@exempelby.se").await;
    let export = "Namn;E-post;Målgrupp;Status\n\
                  Per Ek;per@exempelby.se;Förtroendevald;Genomförd\n\
                  Eva Ek;eva@exempelby.se;Förtroendevald;Ej påbörjad\n\
                  Ola Ek;ola@exempelby.se;Förtroendevald;2026-10-01\n\
                  Ida Ek;ida@exempelby.se;Praktikant;Genomförd\n";
    let preview = app.post_form(&client, &format!("/training/{id}/import"), &[("text", export)]).await;
    assert_eq!(preview.status(), 200);
    let text = preview.text().await.unwrap();
    assert!(text.contains("Rad 5: Okänd målgrupp ”Praktikant”."), "{text}");
    let before: i32 = sqlx::query_scalar(
        "SELECT in_group FROM training_participation WHERE campaign_id = $1 AND target_group = 'fortroendevalda'",
    )
    .bind(id)
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(before, 61, "nothing is saved by the preview");

    let confirmed = app.post_form(&client, &format!("/training/{id}/import/confirm"), &[("text", export)]).await;
    assert_eq!(confirmed.status(), 303);
    let rows: Vec<(String, i32, i32)> = sqlx::query_as(
        "SELECT target_group, in_group, completed FROM training_participation WHERE campaign_id = $1 ORDER BY target_group",
    )
    .bind(id)
    .fetch_all(app.pool())
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![("alla".into(), 2175, 1701), ("chefer".into(), 121, 104), ("fortroendevalda".into(), 3, 2)],
        "only the group in the export is replaced"
    );
    let unreadable = app.post_form(&client, &format!("/training/{id}/import"), &[("text", "Namn;E-post\nA;b")]).await;
    assert_eq!(unreadable.status(), 422);
    assert!(unreadable.text().await.unwrap().contains("Exporten saknar en kolumn för målgrupp"));

    let other = app.annanstad().await;
    let stranger = app.login("samordnare@annanstad.se").await;
    assert_eq!(app.get(&stranger, &format!("/training/{id}")).await.status(), 404);
    assert_eq!(
        app.post_form(&stranger, &format!("/training/{id}/import/confirm"), &[("text", export)]).await.status(),
        404
    );
    let annan = app.api(&app.api_token("samordnare@annanstad.se", other.municipality).await);
    assert_eq!(annan.get("/training/campaigns").await.text().await.unwrap(), "[]");
    let counts = json!([{"target_group": "alla", "in_group": 1, "completed": 1}]);
    assert_eq!(annan.send(Method::PUT, &format!("/training/campaigns/{id}/participation"), counts).await.status(), 404);
}
