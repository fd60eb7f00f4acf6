//! Internal control: a body's plan kept by the coordinator and those appointed for the body,
//! results with lights, deviations that propose actions, Lisa's own evidence, and the annual
//! report's figures per body.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, body_id_by_name, json_of};

fn year() -> i32 {
    chrono::Datelike::year(&lisa::web::format::today())
}

#[tokio::test]
async fn a_bodys_plan_is_kept_by_its_appointed_people_and_a_deviation_proposes_an_action() {
    let app = TestApp::spawn().await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let school_board = body_id_by_name(app.pool(), app.exempelby, "Bildningsnämnden").await;
    let welfare = body_id_by_name(app.pool(), app.exempelby, "Välfärdsnämnden").await;

    // The demo: the Bildningsnämnd's plan from Lisa's starters, one deviation with its action.
    let plan = json_of(
        coordinator.get(&format!("/internal-control/points?body_id={school_board}&year={}", year())).await,
        200,
    )
    .await;
    assert_eq!(plan.as_array().unwrap().len(), 6);
    let deviations: Vec<&Value> = plan
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["results"].as_array().unwrap())
        .filter(|r| r["outcome"] == "avvikelse")
        .collect();
    assert_eq!(deviations.len(), 1);
    assert!(deviations[0]["action_id"].is_string());

    // The system owner appointed for the Bildningsnämnd adds a point there, not to another body.
    let owner = app.api(&app.api_token("systemagare@exempelby.se", app.exempelby).await);
    let person = app.person_id("Johan Berg").await;
    let point = json!({"body_id": school_board.to_string(), "year": year(), "area": "Behörigheter",
                       "risk": "Elever når lärarnas vyer", "control": "Stickprov på elevkonton i lärplattformen",
                       "method": "stickprov", "sample": "20 konton", "frequency": "tertial",
                       "responsible_person_id": person.to_string(), "reported_at": "delar"});
    let created = owner.send(Method::POST, "/internal-control/points", point.clone()).await;
    let etag = created.headers().get("etag").unwrap().to_str().unwrap().to_string();
    let created = json_of(created, 201).await;
    assert_eq!(
        (created["control"].clone(), created["frequency"].clone()),
        (json!("Stickprov på elevkonton i lärplattformen"), json!("tertial"))
    );
    let mut elsewhere = point.clone();
    elsewhere["body_id"] = json!(welfare.to_string());
    assert_eq!(owner.send(Method::POST, "/internal-control/points", elsewhere).await.status(), 403);
    let board = app.api(&app.api_token("ledamot@exempelby.se", app.exempelby).await);
    assert_eq!(board.get("/internal-control/points").await.status(), 200, "the board reads");
    assert_eq!(board.send(Method::POST, "/internal-control/points", point.clone()).await.status(), 403);
    let employee = app.api(&app.api_token("medarbetare@exempelby.se", app.exempelby).await);
    assert_eq!(employee.get("/internal-control/points").await.status(), 403);

    // A deviation proposes an action; the stale version is refused.
    let id = created["id"].as_str().unwrap();
    let today = lisa::web::format::today().to_string();
    let missing = json_of(
        owner
            .send(
                Method::POST,
                &format!("/internal-control/points/{id}/results"),
                json!({"performed_on": today, "outcome": "avvikelse"}),
            )
            .await,
        422,
    )
    .await;
    assert!(missing.to_string().contains("Beskriv avvikelsen."));
    let result =
        json!({"performed_on": today, "outcome": "avvikelse", "comment": "Två elevkonton hade lärarbehörighet"});
    let after =
        json_of(owner.send(Method::POST, &format!("/internal-control/points/{id}/results"), result).await, 201).await;
    assert_eq!(after["results"][0]["outcome"], "avvikelse");
    let actions = json_of(coordinator.get("/actions?source=internkontroll").await, 200).await;
    assert_eq!(actions.as_array().unwrap().len(), 2, "the demo's and this one");
    let mut changed = point.clone();
    changed["sample"] = json!("30 konton");
    let path = format!("/internal-control/points/{id}");
    assert_eq!(coordinator.send_if_match(Method::PUT, &path, &etag, changed.clone()).await.status(), 200);
    assert_eq!(owner.send_if_match(Method::PUT, &path, &etag, changed).await.status(), 412);

    // Another municipality reaches none of it.
    let other = app.annanstad().await;
    let annan = app.api(&app.api_token("samordnare@annanstad.se", other.municipality).await);
    assert_eq!(annan.get("/internal-control/points").await.text().await.unwrap(), "[]");
    assert_eq!(annan.send(Method::DELETE, &path, json!({})).await.status(), 404);
    let result = json!({"performed_on": today, "outcome": "utan_anmarkning"});
    assert_eq!(annan.send(Method::POST, &format!("{path}/results"), result).await.status(), 404);
    assert_eq!(annan.send(Method::POST, "/internal-control/points", point).await.status(), 422, "not its body");

    assert_eq!(owner.send(Method::DELETE, &path, json!({})).await.status(), 204);
    assert_eq!(
        coordinator
            .get(&format!("/internal-control/points?body_id={school_board}&year={}", year()))
            .await
            .json::<Value>()
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        6
    );
}

#[tokio::test]
async fn the_report_counts_each_bodys_control_and_the_pages_show_lights_and_evidence() {
    let app = TestApp::spawn().await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let school_board = body_id_by_name(app.pool(), app.exempelby, "Bildningsnämnden").await;
    let created =
        json_of(coordinator.send(Method::POST, "/reports", json!({"year": year().to_string()})).await, 201).await;
    let report = json_of(coordinator.get(&format!("/reports/{}", created["id"].as_str().unwrap())).await, 200).await;
    let row = report["figures"]["bodies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["body_id"] == school_board.to_string())
        .unwrap();
    // Counted independently from the points the API lists.
    let points = json_of(
        coordinator.get(&format!("/internal-control/points?body_id={school_board}&year={}", year())).await,
        200,
    )
    .await;
    let points = points.as_array().unwrap();
    let performed = points.iter().filter(|p| !p["results"].as_array().unwrap().is_empty()).count();
    let deviations =
        points.iter().flat_map(|p| p["results"].as_array().unwrap()).filter(|r| r["outcome"] == "avvikelse").count();
    assert_eq!(
        row["internal_control"],
        json!({"planned": points.len(), "performed": performed, "deviations": deviations, "open_actions": 1})
    );
    assert_eq!((points.len(), performed, deviations), (6, 2, 1));

    let client = app.login("samordnare@exempelby.se").await;
    let list = app.get(&client, &format!("/internal-control?year={}", year())).await.text().await.unwrap();
    assert!(list.contains("Bildningsnämnden") && list.contains("Avvikelse, åtgärd finns"), "the yellow light");
    let review = points.iter().find(|p| p["starter"] == "behorighet").unwrap();
    let page =
        app.get(&client, &format!("/internal-control/{}", review["id"].as_str().unwrap())).await.text().await.unwrap();
    assert!(
        page.contains("Lisas underlag:") && page.contains("system har en aktuell behörighetsgranskning i Lisa."),
        "Lisa's own figures"
    );
    let bad = app.post_form(&client, "/internal-control", &[("control", "Stickprov"), ("year", "tjugo")]).await;
    assert_eq!(bad.status(), 422);
    let text = bad.text().await.unwrap();
    assert!(text.contains("Välj nämnd eller bolag.") && text.contains("Stickprov"));
    let copied = app
        .post_form(
            &client,
            "/internal-control/starters",
            &[("body_id", &school_board.to_string()), ("year", &year().to_string()), ("codes", "behorighet")],
        )
        .await;
    assert_eq!(copied.status(), 303, "already in the plan: nothing copied twice");
    let html = app.get(&client, &format!("/reports/{}", created["id"].as_str().unwrap())).await.text().await.unwrap();
    assert!(html.contains("Informationssäkerhet i internkontrollen"));
    let csv = app.get(&client, &format!("/internal-control.csv?year={}", year())).await.text().await.unwrap();
    assert!(csv.contains("Behörighetsgranskning gjord enligt plan"));
}
