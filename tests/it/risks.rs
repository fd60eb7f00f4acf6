//! Risk analyses and risks: value and heat-map cell on the municipality's scale.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, json_of};

#[tokio::test]
async fn risks_get_their_value_and_cell_on_the_municipalitys_scale() {
    let app = TestApp::spawn().await;
    let api = app.coordinator_api().await;
    let analysis = json_of(
        api.send(
            Method::POST,
            "/risk-analyses",
            json!({"title": "Löneprocessen", "object_kind": "process", "object_text": "Lön", "analysed_on": "2026-05-01"}),
        )
        .await,
        201,
    )
    .await;
    let id = analysis["id"].as_str().unwrap();
    let before = json_of(api.get("/risk-matrix").await, 200).await;
    let risk = json_of(
        api.send(
            Method::POST,
            &format!("/risk-analyses/{id}/risks"),
            json!({"threat": "Fel lön", "likelihood": "3", "consequence": "4"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!((risk["value"].as_i64(), risk["level"].as_str()), (Some(12), Some("hog")));
    let after = json_of(api.get("/risk-matrix").await, 200).await;
    let cell = |m: &Value| m["counts"][3][2].as_u64().unwrap();
    assert_eq!(cell(&after), cell(&before) + 1, "consequence 4, likelihood 3");

    let too_high = api
        .send(
            Method::POST,
            &format!("/risk-analyses/{id}/risks"),
            json!({"threat": "x", "likelihood": "5", "consequence": "1"}),
        )
        .await;
    assert_eq!(json_of(too_high, 422).await["errors"]["likelihood"], "Välj ett värde 1–4.");

    // On a 1–5 scale with other thresholds, the same risk reads differently.
    let client = app.login("samordnare@exempelby.se").await;
    // A mistyped number is refused at its field and comes back as typed, the rest kept.
    let mistyped = app
        .post_form(
            &client,
            "/risk-settings",
            &[("max", "fem"), ("likelihood_steps", "Sällan, Ofta"), ("medium_from", "5"), ("high_from", "15")],
        )
        .await;
    assert_eq!(mistyped.status(), 422);
    let page = mistyped.text().await.unwrap();
    assert!(page.contains("Skriv ett heltal.") && page.contains("value=\"fem\""), "{page}");
    assert!(page.contains("value=\"Sällan, Ofta\""));
    // Someone who may not set the scale is refused before any word about their input.
    let owner = app.login("systemagare@exempelby.se").await;
    let refused = app.post_form(&owner, "/risk-settings", &[("max", "fem")]).await;
    assert_eq!(refused.status(), 403);
    let saved = app
        .post_form(
            &client,
            "/risk-settings",
            &[
                ("max", "5"),
                ("likelihood_steps", "Sällan, Ibland, Ofta, Mycket ofta, Nästan alltid"),
                ("consequence_steps", "Liten, Måttlig, Stor, Mycket stor, Katastrofal"),
                ("medium_from", "5"),
                ("high_from", "15"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let analysis = json_of(api.get(&format!("/risk-analyses/{id}")).await, 200).await;
    assert_eq!(analysis["risks"][0]["level"], "medel");
    let five = api
        .send(
            Method::POST,
            &format!("/risk-analyses/{id}/risks"),
            json!({"threat": "Stopp", "likelihood": "5", "consequence": "5"}),
        )
        .await;
    assert_eq!(json_of(five, 201).await["level"], "hog");
}

#[tokio::test]
async fn the_register_filters_in_postgresql_by_the_same_rules_the_pages_show() {
    use lisa::risks::store::{Filter, Risk, register, scale};
    let app = TestApp::spawn().await;
    let m = app.exempelby;
    let scale = scale(app.pool(), m).await.unwrap();
    let mut db = app.pool().acquire().await.unwrap();
    let ids = |risks: &[Risk]| risks.iter().map(|r| r.id).collect::<Vec<_>>();
    for registered_by in [None, Some(chrono::Utc::now() - chrono::Duration::days(400)), Some(chrono::Utc::now())] {
        let base = Filter { registered_by, ..Filter::default() };
        let all = register(&mut db, m, &base, &scale).await.unwrap();
        let by_rust = |keep: &dyn Fn(&Risk) -> bool| ids(&all.iter().filter(|r| keep(r)).cloned().collect::<Vec<_>>());
        for level in ["hog", "medel", "lag"] {
            let filter = Filter { level: level.into(), ..base.clone() };
            let expected = by_rust(&|r| r.level(&scale).code() == level);
            assert_eq!(ids(&register(&mut db, m, &filter, &scale).await.unwrap()), expected, "{level}");
        }
        let untreated = Filter { untreated: "1".into(), ..base.clone() };
        assert_eq!(ids(&register(&mut db, m, &untreated, &scale).await.unwrap()), by_rust(&|r| r.is_untreated()));
        let accepted = Filter { accepted: "1".into(), ..base.clone() };
        assert_eq!(ids(&register(&mut db, m, &accepted, &scale).await.unwrap()), by_rust(&|r| r.is_accepted()));
        let open = Filter { accepted: "0".into(), ..base.clone() };
        assert_eq!(ids(&register(&mut db, m, &open, &scale).await.unwrap()), by_rust(&|r| !r.is_accepted()));
        if registered_by.is_none() {
            assert!(all.iter().any(|r| r.is_accepted()) && all.iter().any(|r| r.is_untreated()), "the demo has both");
            let values: Vec<i16> = all.iter().map(|r| r.value(&scale)).collect();
            assert!(values.windows(2).all(|w| w[0] >= w[1]), "gravest first: {values:?}");
        }
    }
}

#[tokio::test]
async fn a_system_owner_is_offered_only_what_she_may_choose_in_a_risk_analysis() {
    let app = TestApp::spawn().await;
    let owner = app.login("systemagare@exempelby.se").await;
    let form = app.get(&owner, "/risk-analyses/new").await.text().await.unwrap();
    assert!(!form.contains("<select id=\"owner_person_id\""), "no picker whose every choice is refused");
    assert!(form.contains("Samordnaren utser ägaren"));
    assert!(!form.contains("En process eller verksamhet"), "processes are the coordinator's to analyse");
    let kept: Vec<String> = sqlx::query_scalar(
        "SELECT s.name FROM systems s JOIN people p ON p.id = s.owner_person_id JOIN users u ON u.id = p.user_id
          WHERE u.email = 'systemagare@exempelby.se'",
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    let offered = form.matches("<option value=\"").count();
    assert!(!kept.is_empty() && kept.iter().all(|name| form.contains(name.as_str())));
    let all: i64 = sqlx::query_scalar("SELECT count(*) FROM systems WHERE municipality_id = $1")
        .bind(app.exempelby)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert!((offered as i64) < all, "only her own systems are offered ({offered} options of {all} systems)");
    let coordinator = app.login("samordnare@exempelby.se").await;
    let form = app.get(&coordinator, "/risk-analyses/new").await.text().await.unwrap();
    assert!(form.contains("<select id=\"owner_person_id\""));
    // The scale's steps carry the municipality's names.
    let analysis: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM risk_analyses WHERE municipality_id = $1 ORDER BY analysed_on LIMIT 1")
            .bind(app.exempelby)
            .fetch_one(app.pool())
            .await
            .unwrap();
    let page = app.get(&coordinator, &format!("/risk-analyses/{analysis}")).await.text().await.unwrap();
    assert!(page.contains(">4 – Mycket allvarlig</option>"), "{page}");
}

/// The system owner edits the analysis but may not accept its risks: she asks its owner in one
/// step (issue 30), who is reminded and has a work item until no risk is left untreated.
#[tokio::test]
async fn whoever_may_not_accept_asks_the_analysis_owner_who_has_a_work_item_until_each_risk_is_decided() {
    let app = TestApp::spawn().await;
    let school = app.system_id("Skolplattformen").await;
    let sara = app.person_id("Sara Lind").await.to_string();
    let coordinator = app.coordinator_api().await;
    let analysis = json!({"title": "Riskanalys av frånvarohanteringen", "object_kind": "system",
                          "system_id": school.to_string(), "analysed_on": "2026-11-01", "owner_person_id": sara});
    let analysis_id = json_of(coordinator.send(Method::POST, "/risk-analyses", analysis).await, 201).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let owner = app.api(&app.api_token("systemagare@exempelby.se", app.exempelby).await);
    let risk = json!({"threat": "Frånvaro registreras på fel elev", "likelihood": "3", "consequence": "3"});
    let risk_id = json_of(owner.send(Method::POST, &format!("/risk-analyses/{analysis_id}/risks"), risk).await, 201)
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();

    let page = format!("/risk-analyses/{analysis_id}");
    let ask = format!("/risk-analyses/{analysis_id}/acceptance-request");
    let johan = app.login("systemagare@exempelby.se").await;
    let before = app.get(&johan, &page).await.text().await.unwrap();
    assert!(before.contains("Be Sara Lind om riskacceptans</button>"), "{before}");
    assert_eq!(app.post_form(&johan, &ask, &[]).await.status(), 303);
    let asked = app.get(&johan, &page).await.text().await.unwrap();
    assert!(asked.contains("Sara Lind ombads ta ställning") && !asked.contains("om riskacceptans</button>"), "{asked}");
    app.post_form(&johan, &ask, &[]).await;
    let requests: i64 = sqlx::query_scalar("SELECT count(*) FROM acceptance_requests WHERE analysis_id = $1::uuid")
        .bind(&analysis_id)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(requests, 1, "asked twice in a row, one request");
    // The API asks by the same rule: asked within 14 days is a conflict, as on the page.
    let again = owner.send(Method::POST, &ask, json!({})).await;
    assert!(json_of(again, 409).await.to_string().contains("redan ombedd"));
    let employee = app.login("medarbetare@exempelby.se").await;
    assert!(app.post_form(&employee, &ask, &[]).await.status().is_client_error(), "only those who edit ask");
    let employee_api = app.api(&app.api_token("medarbetare@exempelby.se", app.exempelby).await);
    assert_eq!(employee_api.send(Method::POST, &ask, json!({})).await.status(), 403);

    let sara_session = app.login("samordnare@exempelby.se").await;
    let item = "Ta ställning till de obehandlade riskerna i Riskanalys av frånvarohanteringen";
    assert!(app.get(&sara_session, "/").await.text().await.unwrap().contains(item), "her work item");
    assert!(!app.get(&sara_session, &page).await.text().await.unwrap().contains("om riskacceptans</button>"));
    let accepted =
        coordinator.send(Method::POST, &format!("/risks/{risk_id}/acceptance"), json!({"comment": "Godtas"})).await;
    assert_eq!(accepted.status(), 200, "{}", accepted.text().await.unwrap());
    assert!(!app.get(&sara_session, "/").await.text().await.unwrap().contains(item), "decided: the item ends");
}
