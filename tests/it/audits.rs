//! Audits and recommendations over HTTP: the parse contract, status rules, carry-over,
//! the register and its CSV, permissions and tenant isolation.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{ApiClient, TestApp, body_id_by_name, json_of};

const PASTED: &str = "Granskning av informationssäkerhet\n\
    5.1 Rekommendationer\n\
    Utifrån granskningens iakttagelser rekommenderar vi kommunstyrelsen att:\n\
    • säkerställa att samtliga system har en utsedd\n\
    systemägare\n\
    • ta fram en incidentrutin som är känd i hela organisationen\n\
    12\n\
    Granskning av informationssäkerhet\n\
    Vi rekommenderar därför nämnderna att prioritera nedanstående:\n\
    • genomföra informationsklassning av verksamhets-\n\
    kritiska system";

async fn audit(api: &ApiClient, app: &TestApp, title: &str, kind: &str, date: &str, follows: &[&str]) -> String {
    let ks = body_id_by_name(app.pool(), app.exempelby, "Kommunstyrelsen").await;
    let response = api
        .send(
            Method::POST,
            "/audits",
            json!({"title": title, "kind": kind, "commissioned_by": "revisorerna", "report_date": date,
                   "body_ids": [ks.to_string()], "follows": follows}),
        )
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

async fn status(api: &ApiClient, id: &str, body: Value) -> reqwest::Response {
    api.send(Method::POST, &format!("/recommendations/{id}/status"), body).await
}

async fn recommend(api: &ApiClient, app: &TestApp, audit_id: &str, text: &str) -> String {
    let ks = body_id_by_name(app.pool(), app.exempelby, "Kommunstyrelsen").await;
    let response = api
        .send(
            Method::POST,
            &format!("/audits/{audit_id}/recommendations"),
            json!({"items": [{"text": text, "body_ids": [ks]}]}),
        )
        .await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["ids"][0].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_parse_api_splits_matches_and_saves_nothing() {
    let app = TestApp::spawn().await;
    let token = app.api_token("revisor@exempelby.se", app.exempelby).await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM recommendations").fetch_one(app.pool()).await.unwrap()
    };
    let before = count().await;
    let response = app.api(&token).send(Method::POST, "/recommendations/parse", json!({"text": PASTED})).await;
    assert_eq!(response.status(), 200);
    let parsed: Value = response.json().await.unwrap();
    let items = parsed["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["text"], "säkerställa att samtliga system har en utsedd systemägare");
    assert_eq!(items[0]["addressed_to"], "kommunstyrelsen");
    let ks = body_id_by_name(app.pool(), app.exempelby, "Kommunstyrelsen").await;
    assert_eq!(items[0]["body_ids"], json!([ks]));
    assert_eq!(items[2]["text"], "genomföra informationsklassning av verksamhetskritiska system");
    assert_eq!(items[2]["addressed_to"], "nämnderna");
    assert_eq!(items[2]["body_ids"].as_array().unwrap().len(), 3, "all three nämnder");
    assert!(parsed["ignored"].as_array().unwrap().iter().any(|l| l == "12"));
    assert_eq!(count().await, before, "nothing saved");

    let employee = app.api_token("medarbetare@exempelby.se", app.exempelby).await;
    assert_eq!(
        app.api(&employee).send(Method::POST, "/recommendations/parse", json!({"text": PASTED})).await.status(),
        403
    );
    let board = app.api_token("ledamot@exempelby.se", app.exempelby).await;
    assert_eq!(
        app.api(&board).send(Method::POST, "/recommendations/parse", json!({"text": PASTED})).await.status(),
        403
    );
}

#[tokio::test]
async fn status_changes_follow_the_rules_and_show_on_the_timeline() {
    let app = TestApp::spawn().await;
    let auditor = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let board = app.api(&app.api_token("ledamot@exempelby.se", app.exempelby).await);
    let audit_id = audit(&auditor, &app, "Granskning av informationssäkerhet", "granskning", "2024-03-14", &[]).await;
    let id = recommend(&auditor, &app, &audit_id, "Ta fram en incidentrutin.").await;

    let early = status(&auditor, &id, json!({"transition": "verify", "comment": "Ser bra ut"})).await;
    assert_eq!(early.status(), 422);
    assert_eq!(
        early.json::<Value>().await.unwrap()["errors"]["transition"],
        "Bara en rekommendation som anmälts som åtgärdad kan verifieras."
    );
    let no_evidence = status(&coordinator, &id, json!({"transition": "claim"})).await;
    assert_eq!(no_evidence.status(), 422);
    assert_eq!(status(&board, &id, json!({"transition": "claim", "evidence": "Klart"})).await.status(), 403);
    assert_eq!(status(&auditor, &id, json!({"transition": "claim", "evidence": "Klart"})).await.status(), 403);
    let claimed = status(
        &coordinator,
        &id,
        json!({"transition": "claim", "evidence": "Incidentrutinen antogs av KS 2024-09-11 § 112."}),
    )
    .await;
    assert_eq!(claimed.status(), 200);
    assert_eq!(claimed.json::<Value>().await.unwrap()["status"], "atgardad");
    assert_eq!(status(&coordinator, &id, json!({"transition": "verify", "comment": "OK"})).await.status(), 403);
    assert_eq!(status(&auditor, &id, json!({"transition": "verify", "comment": " "})).await.status(), 422);
    let verified =
        status(&auditor, &id, json!({"transition": "verify", "comment": "Rutinen är antagen och publicerad."})).await;
    assert_eq!(verified.json::<Value>().await.unwrap()["status"], "verifierad");
    let reopened =
        status(&auditor, &id, json!({"transition": "reopen", "comment": "Rutinen är okänd i verksamheten."})).await;
    assert_eq!(reopened.json::<Value>().await.unwrap()["status"], "ateroppnad");

    let client = app.login("revisor@exempelby.se").await;
    let page = app.get(&client, &format!("/recommendations/{id}")).await.text().await.unwrap();
    for step in ["Åtgärdad enligt ansvarig", "Verifierad", "Återöppnad", "Rutinen är okänd i verksamheten."] {
        assert!(page.contains(step), "timeline shows {step}");
    }
    // The page's own form: verifying a reopened recommendation is refused with the reason.
    let refused = app
        .post_form(&client, &format!("/recommendations/{id}/status"), &[("transition", "verify"), ("comment", "OK")])
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("Bara en rekommendation som anmälts som åtgärdad kan verifieras."));
}

#[tokio::test]
async fn the_page_offers_each_role_exactly_the_status_changes_the_api_accepts() {
    let app = TestApp::spawn().await;
    let auditor_api = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    let coordinator_api = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let audit_id = audit(&auditor_api, &app, "Granskning av behörigheter", "granskning", "2024-03-14", &[]).await;
    let id = recommend(&auditor_api, &app, &audit_id, "Inför årliga behörighetsgranskningar.").await;
    let auditor = app.login("revisor@exempelby.se").await;
    let coordinator = app.login("samordnare@exempelby.se").await;
    let offers = |page: &str| {
        ["claim", "verify", "reopen"]
            .into_iter()
            .filter(|t| page.contains(&format!("value=\"{t}\"")))
            .collect::<Vec<_>>()
    };
    let page = |client| {
        let app = &app;
        let path = format!("/recommendations/{id}");
        async move { app.get(client, &path).await.text().await.unwrap() }
    };

    assert_eq!(offers(&page(&auditor).await), Vec::<&str>::new(), "nothing to judge while it is open");
    assert_eq!(offers(&page(&coordinator).await), ["claim"]);
    let claim = json!({"transition": "claim", "evidence": "Granskningarna görs i mars."});
    assert_eq!(status(&coordinator_api, &id, claim).await.status(), 200);
    assert_eq!(offers(&page(&auditor).await), ["verify", "reopen"]);
    assert_eq!(offers(&page(&coordinator).await), Vec::<&str>::new(), "claimed once, not again");
    let verify = json!({"transition": "verify", "comment": "Protokoll från mars visar granskningen."});
    assert_eq!(status(&auditor_api, &id, verify).await.status(), 200);
    assert_eq!(offers(&page(&auditor).await), ["reopen"]);
}

#[tokio::test]
async fn recommendations_not_met_are_carried_across_two_follow_ups_with_age_from_the_first_audit() {
    let app = TestApp::spawn().await;
    let auditor = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    let first = audit(&auditor, &app, "Informationssäkerhet 2021", "granskning", "2021-03-01", &[]).await;
    let remains = recommend(&auditor, &app, &first, "Utse systemägare för alla system.").await;
    let met = recommend(&auditor, &app, &first, "Anta en informationssäkerhetspolicy.").await;
    let second = audit(&auditor, &app, "Uppföljning 2023", "uppfoljande", "2023-03-01", &[&first]).await;
    let third = audit(&auditor, &app, "Uppföljning 2025", "uppfoljande", "2025-03-01", &[&second]).await;
    for (follow_up, id, result) in
        [(&second, &remains, "delvis"), (&second, &met, "atgardad"), (&third, &remains, "ej_atgardad")]
    {
        assess_follow_up(&auditor, follow_up, id, result).await;
    }
    let in_third: Vec<Value> = auditor.get(&format!("/recommendations?audit_id={third}")).await.json().await.unwrap();
    assert_eq!(in_third.len(), 1, "only the one not met is carried into 2025");
    assert_eq!(in_third[0]["id"], remains.as_str());
    assert_eq!(in_third[0]["audit_id"], first.as_str(), "linked, not copied");
    assert_eq!(in_third[0]["first_reported"], "2021-03-01");
    let carried: Vec<&str> =
        in_third[0]["carried_into"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(carried, ["Uppföljning 2023", "Uppföljning 2025"]);
    let in_second: Vec<Value> = auditor.get(&format!("/recommendations?audit_id={second}")).await.json().await.unwrap();
    assert_eq!(in_second.len(), 1, "the met one is not carried");

    let own = auditor
        .send(
            Method::POST,
            &format!("/audits/{first}/follow-up-assessments"),
            json!({"recommendation_id": remains, "result": "delvis"}),
        )
        .await;
    assert_eq!(own.status(), 422, "an ordinary audit does not assess");

    let client = app.login("samordnare@exempelby.se").await;
    let page = app.get(&client, &format!("/recommendations/{remains}")).await.text().await.unwrap();
    assert!(page.contains("Först lämnad") && page.contains("2021-03-01") && page.contains("Uppföljning 2025"));
}

#[tokio::test]
async fn the_register_counts_filters_and_exports() {
    let app = TestApp::spawn().await;
    let auditor = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    let audit_id = audit(&auditor, &app, "Granskning av leverantörsstyrning", "granskning", "2024-05-02", &[]).await;
    recommend(&auditor, &app, &audit_id, "Skriv in säkerhetskrav i avtalen.").await;
    recommend(&auditor, &app, &audit_id, "=Genomför efterlevnadskontroller.").await;
    let client = app.login("ledamot@exempelby.se").await;
    let page = app.get(&client, &format!("/recommendations?audit_id={audit_id}")).await.text().await.unwrap();
    assert!(page.contains("<span class=\"figure\">2</span> öppna"));
    let filtered =
        app.get(&client, &format!("/recommendations?audit_id={audit_id}&q=avtalen")).await.text().await.unwrap();
    assert!(filtered.contains("1 rekommendation."));
    let csv = app
        .get(&client, &format!("/recommendations.csv?audit_id={audit_id}&q=efterlevnad"))
        .await
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "Granskning;Nr;Rekommendation;Organ;Prioritet;Status;Måldatum;Först lämnad;Ålder;Ålder (månader);Försenad;\
         Senaste bedömning i uppföljning;Uppföljning;Uppföljningens datum;Ansvarig;Kvarstår i"
    );
    assert!(lines[1].starts_with(
        "Granskning av leverantörsstyrning;2;'=Genomför efterlevnadskontroller.;Kommunstyrelsen;Ej angiven;Öppen;;2024-05-02;"
    ));
    assert_eq!(lines.len(), 2);
}

#[tokio::test]
async fn roles_and_municipalities_are_kept_apart() {
    let app = TestApp::spawn().await;
    let auditor = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    let audit_id = audit(&auditor, &app, "Granskning av IT-drift", "granskning", "2024-01-10", &[]).await;
    let id = recommend(&auditor, &app, &audit_id, "Testa återläsning av säkerhetskopior.").await;

    let employee = app.login("medarbetare@exempelby.se").await;
    for path in [
        "/audits",
        "/recommendations",
        "/recommendations.csv",
        &format!("/audits/{audit_id}"),
        &format!("/recommendations/{id}"),
    ] {
        assert_eq!(app.get(&employee, path).await.status(), 403, "employee {path}");
    }
    let board = app.login("ledamot@exempelby.se").await;
    assert_eq!(app.get(&board, &format!("/audits/{audit_id}")).await.status(), 200);
    assert_eq!(app.get(&board, "/audits/new").await.status(), 403);
    assert_eq!(app.get(&board, &format!("/audits/{audit_id}/import")).await.status(), 403);
    let create = app
        .post_form(&board, "/audits", &[("title", "X"), ("kind", "granskning"), ("commissioned_by", "revisorerna")])
        .await;
    assert_eq!(create.status(), 403);

    app.annanstad().await;
    let stranger = app.login("samordnare@annanstad.se").await;
    for path in [format!("/audits/{audit_id}"), format!("/recommendations/{id}"), format!("/audits/{audit_id}/import")]
    {
        assert_eq!(app.get(&stranger, &path).await.status(), 404, "stranger {path}");
    }
    let listed = app.get(&stranger, "/recommendations").await.text().await.unwrap();
    assert!(!listed.contains("återläsning"));
    let other = app.api(
        &app.api_token(
            "samordnare@annanstad.se",
            crate::support::municipality_by_name(app.pool(), "Annanstad kommun").await,
        )
        .await,
    );
    assert_eq!(other.get(&format!("/recommendations/{id}")).await.status(), 404);
    assert_eq!(
        other
            .send(
                Method::POST,
                &format!("/recommendations/{id}/status"),
                json!({"transition": "claim", "evidence": "x"})
            )
            .await
            .status(),
        404
    );
    assert_eq!(
        other
            .send(
                Method::POST,
                &format!("/audits/{audit_id}/recommendations"),
                json!({"items": [{"text": "x", "body_ids": []}]})
            )
            .await
            .status(),
        422
    );
}

#[tokio::test]
async fn the_demo_has_an_audit_and_a_follow_up_in_which_most_recommendations_remain() {
    let app = TestApp::spawn().await;
    let api = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    let audits: Vec<Value> = api.get("/audits").await.json().await.unwrap();
    assert_eq!(audits.len(), 2);
    let follow_up = audits.iter().find(|a| a["kind"] == "uppfoljande").unwrap()["id"].as_str().unwrap().to_string();
    let all: Vec<Value> = api.get("/recommendations").await.json().await.unwrap();
    assert_eq!(all.len(), 8);
    let count = |status: &str| all.iter().filter(|r| r["status"] == status).count();
    assert_eq!((count("oppen"), count("atgardad"), count("verifierad"), count("ateroppnad")), (4, 1, 2, 1));
    let remaining: Vec<Value> = api.get(&format!("/recommendations?audit_id={follow_up}")).await.json().await.unwrap();
    assert_eq!(remaining.len(), 6, "six of eight remain after the follow-up");
}

async fn person_id(app: &TestApp, name: &str) -> String {
    sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM people WHERE name = $1")
        .bind(name)
        .fetch_one(app.pool())
        .await
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn responsible_people_and_action_owners_record_progress_and_claim_with_evidence() {
    let app = TestApp::spawn().await;
    let auditor = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let audit_id = audit(&auditor, &app, "Granskning av klassning", "granskning", "2024-02-01", &[]).await;
    let id = recommend(&auditor, &app, &audit_id, "Klassa informationen i lärplattformen.").await;

    // The coordinator names Johan Berg (the demo system owner) responsible.
    let johan = person_id(&app, "Johan Berg").await;
    let edit = json!({"text": "Klassa informationen i lärplattformen.", "priority": "hog", "areas": ["klassning"], "responsible_person_id": johan, "target_date": "2025-01-31"});
    let edited = coordinator.send(Method::PUT, &format!("/recommendations/{id}"), edit.clone()).await;
    assert_eq!(edited.status(), 200);
    let body: Value = edited.json().await.unwrap();
    assert_eq!((body["priority"].as_str(), body["responsible_name"].as_str()), (Some("hog"), Some("Johan Berg")));
    let board = app.api(&app.api_token("ledamot@exempelby.se", app.exempelby).await);
    assert_eq!(board.send(Method::PUT, &format!("/recommendations/{id}"), edit).await.status(), 403);

    // An action owned by Anna Nilsson, an employee who cannot read audits otherwise.
    let anna = person_id(&app, "Anna Nilsson").await;
    let planned = coordinator
        .send(Method::POST, "/actions", json!({"recommendation_id": id, "title": "Inventera informationsmängder", "owner_person_id": anna, "due_date": "2024-12-01"}))
        .await;
    assert_eq!(planned.status(), 201);
    let action_id = planned.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let employee = app.api(&app.api_token("medarbetare@exempelby.se", app.exempelby).await);
    assert_eq!(employee.get(&format!("/actions/{action_id}")).await.status(), 200, "the owner reads her action");
    let noted = employee
        .send(Method::POST, &format!("/actions/{action_id}/notes"), json!({"note": "Förteckningen är klar och godkänd av förvaltningschefen.", "status": "klar", "is_evidence": true}))
        .await;
    assert_eq!(noted.status(), 200);
    assert_eq!(noted.json::<Value>().await.unwrap()["status"], "klar");
    // She attaches the decision as a file; the coordinator downloads it, always as an attachment.
    let employee_token = app.api_token("medarbetare@exempelby.se", app.exempelby).await;
    let attached = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/actions/{action_id}/files?file_name=beslut%20%C3%A5tg%C3%A4rd.pdf")))
        .bearer_auth(&employee_token)
        .header("content-type", "application/pdf")
        .body(b"%PDF-1.4 beslut".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(attached.status(), 200);
    let file = attached.json::<Value>().await.unwrap()["files"][0].clone();
    assert_eq!(file["file_name"], "beslut åtgärd.pdf");
    let coordinator_client = app.login("samordnare@exempelby.se").await;
    let download =
        app.get(&coordinator_client, &format!("/actions/{action_id}/files/{}", file["id"].as_str().unwrap())).await;
    assert_eq!(download.status(), 200);
    assert!(download.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    assert_eq!(download.bytes().await.unwrap().as_ref(), b"%PDF-1.4 beslut");
    let johan_api = app.api(&app.api_token("systemagare@exempelby.se", app.exempelby).await);
    assert_eq!(
        johan_api.send(Method::POST, &format!("/actions/{action_id}/notes"), json!({"note": "x"})).await.status(),
        403,
        "not his action"
    );

    // Evidence in the action's notes is enough for the responsible person's claim.
    let claimed = status(&johan_api, &id, json!({"transition": "claim"})).await;
    assert_eq!(claimed.status(), 200);
    assert_eq!(claimed.json::<Value>().await.unwrap()["status"], "atgardad");

    let client = app.login("samordnare@exempelby.se").await;
    let page = app.get(&client, &format!("/recommendations/{id}")).await.text().await.unwrap();
    assert!(
        page.contains("Inventera informationsmängder")
            && page.contains("Åtgärderna är klara")
            && page.contains("Klassning")
    );
}

#[tokio::test]
async fn answers_from_the_boards_are_recorded_and_missing_ones_flagged_after_the_deadline() {
    let app = TestApp::spawn().await;
    let auditor = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let ks = body_id_by_name(app.pool(), app.exempelby, "Kommunstyrelsen").await;
    let bildning = body_id_by_name(app.pool(), app.exempelby, "Bildningsnämnden").await;
    let created = auditor
        .send(Method::POST, "/audits", json!({"title": "Granskning av behörigheter", "kind": "granskning", "commissioned_by": "revisorerna",
                                               "report_date": "2024-01-15", "response_deadline": "2024-03-31", "body_ids": [ks, bildning]}))
        .await;
    let audit_id = created.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let added = auditor
        .send(
            Method::POST,
            &format!("/audits/{audit_id}/recommendations"),
            json!({"items": [{"text": "Granska behörigheter årligen.", "body_ids": [ks, bildning]}]}),
        )
        .await;
    let id = added.json::<Value>().await.unwrap()["ids"][0].as_str().unwrap().to_string();

    let answer = json!({"body_id": ks, "text": "Rutin för årlig behörighetsgranskning tas fram.", "planned_by": "2024-09-30", "decision_reference": "KS 2024-03-20 § 41", "decision_date": "2024-03-20"});
    assert_eq!(
        auditor.send(Method::PUT, &format!("/recommendations/{id}/responses"), answer.clone()).await.status(),
        403
    );
    assert_eq!(coordinator.send(Method::PUT, &format!("/recommendations/{id}/responses"), answer).await.status(), 204);
    // A corrected answer overwrites the first; the change log keeps what it replaced.
    let corrected = json!({"body_id": ks, "text": "Rutin för årlig behörighetsgranskning antas.", "planned_by": "2024-10-31",
                           "decision_reference": "KS 2024-03-20 § 41", "decision_date": "2024-03-20"});
    assert_eq!(
        coordinator.send(Method::PUT, &format!("/recommendations/{id}/responses"), corrected).await.status(),
        204
    );
    let (before, after): (Value, Value) = sqlx::query_as(
        "SELECT before, after FROM audit_log WHERE entity_type = 'recommendation' AND entity_id = $1::uuid
          ORDER BY id DESC LIMIT 1",
    )
    .bind(&id)
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(before["Åtgärd"], "Rutin för årlig behörighetsgranskning tas fram.", "{before}");
    assert_eq!(before["Klart"], "2024-09-30");
    assert_eq!(after["Åtgärd"], "Rutin för årlig behörighetsgranskning antas.");
    let valfard = body_id_by_name(app.pool(), app.exempelby, "Välfärdsnämnden").await;
    let not_addressed = coordinator
        .send(Method::PUT, &format!("/recommendations/{id}/responses"), json!({"body_id": valfard, "text": "x"}))
        .await;
    assert_eq!(not_addressed.status(), 422);

    let client = app.login("revisor@exempelby.se").await;
    let page = app.get(&client, &format!("/recommendations/{id}")).await.text().await.unwrap();
    assert!(page.contains("KS 2024-03-20 § 41"));
    assert!(
        page.contains("Yttrande saknas – svaret skulle ha lämnats senast 2024-03-31"),
        "Bildningsnämnden has not answered"
    );
}

#[tokio::test]
async fn questions_are_assessed_per_audited_body_on_the_municipalitys_scale() {
    let app = TestApp::spawn().await;
    let auditor = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    let audit_id = audit(&auditor, &app, "Granskning av kontinuitet", "granskning", "2024-06-01", &[]).await;
    let added = auditor
        .send(
            Method::POST,
            &format!("/audits/{audit_id}/questions"),
            json!({"text": "Finns kontinuitetsplaner för kritiska system?"}),
        )
        .await;
    assert_eq!(added.status(), 201);
    let question = added.json::<Value>().await.unwrap()["ids"][0].as_str().unwrap().to_string();
    let ks = body_id_by_name(app.pool(), app.exempelby, "Kommunstyrelsen").await;
    let assess = |body: Value| {
        let path = format!("/questions/{question}/assessments");
        let api = &auditor;
        async move { api.send(Method::PUT, &path, body).await }
    };
    assert_eq!(
        assess(json!({"body_id": ks, "assessment": "Delvis", "comment": "Planer saknas för två system."}))
            .await
            .status(),
        204
    );
    assert_eq!(
        assess(json!({"body_id": ks, "assessment": "Kanske", "comment": ""})).await.status(),
        422,
        "off the scale"
    );
    let bildning = body_id_by_name(app.pool(), app.exempelby, "Bildningsnämnden").await;
    assert_eq!(
        assess(json!({"body_id": bildning, "assessment": "Ja", "comment": ""})).await.status(),
        422,
        "not audited"
    );

    let listed: Vec<Value> = auditor.get(&format!("/audits/{audit_id}/questions")).await.json().await.unwrap();
    assert_eq!(listed[0]["assessments"][0]["assessment"], "Delvis");
    let client = app.login("ledamot@exempelby.se").await;
    let page = app.get(&client, &format!("/audits/{audit_id}")).await.text().await.unwrap();
    assert!(page.contains("<span class=\"assessment assessment-poor\">Delvis</span>"), "colour and the word");
    // The auditors' overview sums up each audit's answers per body.
    let overview = app.get(&app.login("revisor@exempelby.se").await, "/dashboard/revisor").await.text().await.unwrap();
    let row = "Granskning av kontinuitet</a></td><td>Kommunstyrelsen</td><td>Delvis 1</td>";
    assert!(overview.contains(row), "{overview}");

    // A recommendation is linked to the questions it answers, of its own audit only.
    let id = recommend(&auditor, &app, &audit_id, "Ta fram kontinuitetsplaner.").await;
    let link = |question_ids: Vec<String>| json!({"text": "Ta fram kontinuitetsplaner.", "question_ids": question_ids});
    let linked = auditor.send(Method::PUT, &format!("/recommendations/{id}"), link(vec![question.clone()])).await;
    assert_eq!(linked.status(), 200);
    assert_eq!(
        linked.json::<Value>().await.unwrap()["questions"][0]["text"],
        "Finns kontinuitetsplaner för kritiska system?"
    );
    let foreign: uuid::Uuid = sqlx::query_scalar("SELECT id FROM audit_questions WHERE audit_id <> $1 LIMIT 1")
        .bind(uuid::Uuid::parse_str(&audit_id).unwrap())
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(
        auditor.send(Method::PUT, &format!("/recommendations/{id}"), link(vec![foreign.to_string()])).await.status(),
        422
    );

    // The coordinator sets another scale; auditors may not.
    let scale = json!({"assessment_scale": ["Uppfyllt", "Delvis uppfyllt", "Ej uppfyllt"]});
    assert_eq!(auditor.send(Method::PUT, "/audit-settings", scale.clone()).await.status(), 403);
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    assert_eq!(
        coordinator.send(Method::PUT, "/audit-settings", json!({"assessment_scale": ["Ja"]})).await.status(),
        422
    );
    assert_eq!(coordinator.send(Method::PUT, "/audit-settings", scale).await.status(), 200);
    assert_eq!(assess(json!({"body_id": ks, "assessment": "Ej uppfyllt", "comment": ""})).await.status(), 204);
    assert_eq!(
        assess(json!({"body_id": ks, "assessment": "Delvis", "comment": ""})).await.status(),
        422,
        "the old scale no longer applies"
    );
}

#[tokio::test]
async fn the_auditors_view_and_the_per_body_view() {
    let app = TestApp::spawn().await;
    let client = app.login("revisor@exempelby.se").await;
    let review = app.get(&client, "/recommendations/review").await.text().await.unwrap();
    assert!(review.contains("Väntar på verifiering (1)"), "the demo's claimed one");
    assert!(review.contains("Kvarstår från tidigare granskningar (6)"), "six remain after the follow-up");
    assert!(review.contains("Försenade (5)"), "open past the target date");
    let bildning = body_id_by_name(app.pool(), app.exempelby, "Bildningsnämnden").await;
    let page = app.get(&client, &format!("/recommendations?body_id={bildning}")).await.text().await.unwrap();
    assert!(page.contains("<h1>Rekommendationer till Bildningsnämnden</h1>") && page.contains("2 rekommendationer."));
    let carried = app.get(&client, "/recommendations?carried=1").await.text().await.unwrap();
    assert!(carried.contains("6 rekommendationer."));
    let employee = app.login("medarbetare@exempelby.se").await;
    assert_eq!(app.get(&employee, "/recommendations/review").await.status(), 403);
}

#[tokio::test]
async fn the_report_pdf_is_checked_stored_and_downloadable_only_by_readers() {
    let app = TestApp::spawn().await;
    let auditor = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    let audit_id = audit(&auditor, &app, "Granskning med rapport", "granskning", "2024-09-01", &[]).await;
    let pdf = crate::support::sample_pdf("Lisa test report");
    let token = app.api_token("revisor@exempelby.se", app.exempelby).await;
    let url = app.url(&format!("/api/v1/audits/{audit_id}/report"));
    let put = |body: Vec<u8>| reqwest::Client::new().put(&url).bearer_auth(&token).body(body).send();
    assert_eq!(put(b"<html>not a report</html>".to_vec()).await.unwrap().status(), 422);
    let pretending = put(b"%PDF-1.7 but nothing a reader could open".to_vec()).await.unwrap();
    assert_eq!(pretending.status(), 422, "a PDF must parse, not just start like one");
    assert!(pretending.text().await.unwrap().contains("går inte att läsa som PDF"));
    assert_eq!(put(pdf.clone()).await.unwrap().status(), 204);

    // The page's upload form: multipart, with the CSRF token as the form's first field.
    let coordinator = app.login("samordnare@exempelby.se").await;
    let csrf = app.csrf(&coordinator, &format!("/audits/{audit_id}")).await;
    let page = app.get(&coordinator, &format!("/audits/{audit_id}")).await.text().await.unwrap();
    assert!(!page.contains("?csrf_token="), "the token never appears in an address");
    let uploaded_pdf = crate::support::sample_pdf("Uppladdad");
    let part = reqwest::multipart::Part::bytes(uploaded_pdf.clone()).file_name("Granskning av IS 2024 – slutlig.pdf");
    let form = reqwest::multipart::Form::new().text("csrf_token", csrf.clone()).part("file", part);
    let uploaded =
        coordinator.post(app.url(&format!("/audits/{audit_id}/report"))).multipart(form).send().await.unwrap();
    assert_eq!(uploaded.status(), 303);
    for (form, address) in [
        (reqwest::multipart::Form::new(), format!("/audits/{audit_id}/report")),
        (reqwest::multipart::Form::new(), format!("/audits/{audit_id}/report?csrf_token={csrf}")),
    ] {
        let form = form.part("file", reqwest::multipart::Part::bytes(pdf.clone()).file_name("x.pdf"));
        let refused = coordinator.post(app.url(&address)).multipart(form).send().await.unwrap();
        assert_eq!(refused.status(), 403, "{address}: without the token in the form");
    }

    let board = app.login("ledamot@exempelby.se").await;
    let download = app.get(&board, &format!("/audits/{audit_id}/report")).await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    let disposition = download.headers()["content-disposition"].to_str().unwrap().to_string();
    assert_eq!(
        disposition,
        "attachment; filename=\"Granskning av IS 2024 _ slutlig.pdf\"; filename*=UTF-8''Granskning%20av%20IS%202024%20%E2%80%93%20slutlig.pdf"
    );
    assert_eq!(download.bytes().await.unwrap().as_ref(), uploaded_pdf.as_slice());
    let employee = app.login("medarbetare@exempelby.se").await;
    assert_eq!(app.get(&employee, &format!("/audits/{audit_id}/report")).await.status(), 403);
    app.annanstad().await;
    let stranger = app.login("samordnare@annanstad.se").await;
    assert_eq!(app.get(&stranger, &format!("/audits/{audit_id}/report")).await.status(), 404);
}

#[tokio::test]
async fn a_follow_up_audits_page_assesses_the_recommendations_it_follows_up() {
    let app = TestApp::spawn().await;
    let follow_up: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM audits WHERE kind = 'uppfoljande'").fetch_one(app.pool()).await.unwrap();
    let target: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM recommendations WHERE position = 8").fetch_one(app.pool()).await.unwrap();
    let client = app.login("revisor@exempelby.se").await;
    let page = app.get(&client, &format!("/audits/{follow_up}")).await.text().await.unwrap();
    assert!(page.contains("Uppföljning av tidigare rekommendationer"));
    assert!(page.contains(&format!("<select id=\"result_{target}\"")));
    let saved = app
        .post_form(
            &client,
            &format!("/audits/{follow_up}/follow-ups"),
            &[(&format!("result_{target}"), "atgardad"), (&format!("comment_{target}"), "Rapport lämnad i mars.")],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let result: String =
        sqlx::query_scalar("SELECT result FROM follow_up_assessments WHERE audit_id = $1 AND recommendation_id = $2")
            .bind(follow_up)
            .bind(target)
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(result, "atgardad");
    let board = app.login("ledamot@exempelby.se").await;
    let refused = app
        .post_form(&board, &format!("/audits/{follow_up}/follow-ups"), &[(&format!("result_{target}"), "delvis")])
        .await;
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn the_register_filters_by_area_and_age_and_sorts() {
    let app = TestApp::spawn().await;
    let api = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let audit_id = audit(&api, &app, "Ny granskning", "granskning", &crate::support::days_ago(30), &[]).await;
    let id = recommend(&api, &app, &audit_id, "Klassa e-arkivet.").await;
    let edit = json!({"text": "Klassa e-arkivet.", "areas": ["klassning", "styrning"], "target_date": "2024-01-01"});
    assert_eq!(api.send(Method::PUT, &format!("/recommendations/{id}"), edit).await.status(), 200);
    let by_area: Vec<Value> = api.get("/recommendations?area=styrning").await.json().await.unwrap();
    assert_eq!(by_area.len(), 1);
    let old: Vec<Value> = api.get("/recommendations?min_age_days=365").await.json().await.unwrap();
    assert_eq!(old.len(), 8, "the demo's 2024 recommendations, not the new one");
    let by_target: Vec<Value> = api.get("/recommendations?sort=target").await.json().await.unwrap();
    assert_eq!(by_target[0]["id"], id.as_str(), "the earliest target date first");
}

#[tokio::test]
async fn the_demo_recommendations_have_answers_owners_and_actions() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let second: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM recommendations WHERE position = 2").fetch_one(app.pool()).await.unwrap();
    let page = app.get(&client, &format!("/recommendations/{second}")).await.text().await.unwrap();
    assert!(page.contains("VFN 2024-06-18 § 54"), "Välfärdsnämnden answered");
    assert!(page.contains("Yttrande saknas – svaret skulle ha lämnats senast 2024-06-30"), "Bildningsnämnden did not");
    assert!(
        page.contains("Johan Berg")
            && page.contains("Klassa informationen i lärplattformen")
            && page.contains("(Pågår)")
    );
}

#[tokio::test]
async fn audits_are_edited_and_mistaken_recommendations_removed_but_not_once_work_has_started() {
    let app = TestApp::spawn().await;
    let auditor = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    let audit_id = audit(&auditor, &app, "Granskning av IT-säkerhet", "granskning", "2024-10-01", &[]).await;
    let ks = body_id_by_name(app.pool(), app.exempelby, "Kommunstyrelsen").await;
    let changed = auditor
        .send(Method::PUT, &format!("/audits/{audit_id}"), json!({"title": "Granskning av informationssäkerhet", "kind": "granskning",
                "commissioned_by": "revisorerna", "report_date": "2024-10-02", "body_ids": [ks], "follows": [audit_id]}))
        .await;
    assert_eq!(changed.status(), 422, "an audit cannot follow itself up");
    let changed = auditor
        .send(
            Method::PUT,
            &format!("/audits/{audit_id}"),
            json!({"title": "Granskning av informationssäkerhet", "kind": "granskning",
                "commissioned_by": "revisorerna", "report_date": "2024-10-02", "body_ids": [ks]}),
        )
        .await;
    assert_eq!(changed.status(), 200);
    let client = app.login("samordnare@exempelby.se").await;
    let page = app.get(&client, &format!("/audits/{audit_id}")).await.text().await.unwrap();
    assert!(
        page.contains("Granskning av IT-säkerhet") && page.contains("Granskning av informationssäkerhet"),
        "history shows the old title"
    );

    let mistaken = recommend(&auditor, &app, &audit_id, "Felinmatad rad.").await;
    assert_eq!(app.get(&client, &format!("/recommendations/{mistaken}/delete")).await.status(), 200, "asks first");
    assert_eq!(app.post_form(&client, &format!("/recommendations/{mistaken}/delete"), &[]).await.status(), 303);
    assert_eq!(auditor.get(&format!("/recommendations/{mistaken}")).await.status(), 404);
    let answered = recommend(&auditor, &app, &audit_id, "Besvarad rekommendation.").await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    coordinator
        .send(
            Method::PUT,
            &format!("/recommendations/{answered}/responses"),
            json!({"body_id": ks, "text": "Vi åtgärdar."}),
        )
        .await;
    assert_eq!(auditor.send(Method::DELETE, &format!("/recommendations/{answered}"), json!({})).await.status(), 409);
}

#[tokio::test]
async fn another_municipality_cannot_reach_actions_or_their_files() {
    let app = TestApp::spawn().await;
    let action: uuid::Uuid = sqlx::query_scalar("SELECT id FROM actions LIMIT 1").fetch_one(app.pool()).await.unwrap();
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let attached: Value = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/actions/{action}/files?file_name=bevis.txt")))
        .bearer_auth(app.api_token("samordnare@exempelby.se", app.exempelby).await)
        .body("bevis")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let file = attached["files"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(coordinator.get(&format!("/actions/{action}")).await.status(), 200);

    let annanstad = app.annanstad().await;
    let stranger = app.api(&app.api_token("samordnare@annanstad.se", annanstad.municipality).await);
    assert_eq!(stranger.get(&format!("/actions/{action}")).await.status(), 404);
    assert_eq!(
        stranger.send(Method::POST, &format!("/actions/{action}/notes"), json!({"note": "x"})).await.status(),
        404
    );
    assert_eq!(stranger.send(Method::PUT, &format!("/actions/{action}"), json!({"title": "x"})).await.status(), 404);
    let client = app.login("samordnare@annanstad.se").await;
    assert_eq!(app.get(&client, &format!("/actions/{action}")).await.status(), 404);
    assert_eq!(app.get(&client, &format!("/actions/{action}/files/{file}")).await.status(), 404);
}

#[tokio::test]
async fn every_audit_route_refuses_another_municipality() {
    let app = TestApp::spawn().await;
    let audit: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM audits WHERE kind = 'granskning'").fetch_one(app.pool()).await.unwrap();
    let follow_up: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM audits WHERE kind = 'uppfoljande'").fetch_one(app.pool()).await.unwrap();
    let question: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM audit_questions LIMIT 1").fetch_one(app.pool()).await.unwrap();
    let recommendation: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM recommendations WHERE position = 8").fetch_one(app.pool()).await.unwrap();
    let ks = body_id_by_name(app.pool(), app.exempelby, "Kommunstyrelsen").await.to_string();
    let annanstad = app.annanstad().await;
    let client = app.login("samordnare@annanstad.se").await;

    for path in [
        format!("/audits/{audit}/edit"),
        format!("/audits/{audit}/import"),
        format!("/audits/{audit}/report"),
        format!("/recommendations/{recommendation}/edit"),
        format!("/recommendations/{recommendation}/delete"),
    ] {
        assert_eq!(app.get(&client, &path).await.status(), 404, "GET {path}");
    }
    let own_body = annanstad.body_id.to_string();
    let audit_form = [
        ("title", "Kapad"),
        ("kind", "granskning"),
        ("commissioned_by", "revisorerna"),
        ("body_ids", own_body.as_str()),
    ];
    let posts: Vec<(String, Vec<(String, String)>)> = vec![
        (format!("/audits/{audit}"), audit_form.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
        (format!("/audits/{audit}/questions"), vec![("text".into(), "Kapad fråga?".into())]),
        (
            format!("/questions/{question}/assessments"),
            vec![("audit_id".into(), audit.to_string()), (format!("assessment_{ks}"), "Ja".into())],
        ),
        (format!("/audits/{follow_up}/follow-ups"), vec![(format!("result_{recommendation}"), "atgardad".into())]),
        (format!("/audits/{audit}/import/preview"), vec![("text".into(), "• Kapa".into())]),
        (format!("/recommendations/{recommendation}/edit"), vec![("text".into(), "Kapad".into())]),
        (
            format!("/recommendations/{recommendation}/responses"),
            vec![("body_id".into(), ks.clone()), ("text".into(), "Kapad".into())],
        ),
        (format!("/recommendations/{recommendation}/delete"), vec![]),
    ];
    for (path, fields) in &posts {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(app.post_form(&client, path, &fields).await.status(), 404, "POST {path}");
    }

    let api = app.api(&app.api_token("samordnare@annanstad.se", annanstad.municipality).await);
    let calls: Vec<(Method, String, Value)> = vec![
        (Method::GET, format!("/audits/{audit}"), json!({})),
        (
            Method::PUT,
            format!("/audits/{audit}"),
            json!({"title": "x", "kind": "granskning", "commissioned_by": "revisorerna", "body_ids": [annanstad.body_id]}),
        ),
        (Method::GET, format!("/audits/{audit}/questions"), json!({})),
        (Method::POST, format!("/audits/{audit}/questions"), json!({"text": "x"})),
        (
            Method::PUT,
            format!("/questions/{question}/assessments"),
            json!({"body_id": ks, "assessment": "Ja", "comment": ""}),
        ),
        (
            Method::POST,
            format!("/audits/{follow_up}/follow-up-assessments"),
            json!({"recommendation_id": recommendation, "result": "delvis"}),
        ),
        (Method::PUT, format!("/recommendations/{recommendation}"), json!({"text": "x"})),
        (Method::PUT, format!("/recommendations/{recommendation}/responses"), json!({"body_id": ks, "text": "x"})),
        (Method::DELETE, format!("/recommendations/{recommendation}"), json!({})),
        (Method::GET, format!("/audits/{audit}/report"), json!({})),
    ];
    for (method, path, body) in calls {
        assert_eq!(api.send(method.clone(), &path, body).await.status(), 404, "{method} {path}");
    }
    let untouched: String =
        sqlx::query_scalar("SELECT title FROM audits WHERE id = $1").bind(audit).fetch_one(app.pool()).await.unwrap();
    assert_eq!(untouched, "Granskning av informationssäkerhet");
}

async fn assess_follow_up(api: &ApiClient, follow_up: &str, id: &str, result: &str) {
    let response = api
        .send(
            Method::POST,
            &format!("/audits/{follow_up}/follow-up-assessments"),
            json!({"recommendation_id": id, "result": result, "comment": "Enligt uppföljningen."}),
        )
        .await;
    assert_eq!(response.status(), 204);
}

#[tokio::test]
async fn verdicts_and_age_at_the_follow_up_show_in_the_register_csv_api_and_audit() {
    let app = TestApp::spawn().await;
    let auditor = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    let first = audit(&auditor, &app, "Informationssäkerhet 2021", "granskning", "2021-10-15", &[]).await;
    let partly = recommend(&auditor, &app, &first, "Utse systemägare för alla system.").await;
    let not_met = recommend(&auditor, &app, &first, "Genomför riskanalyser.").await;
    let met = recommend(&auditor, &app, &first, "Anta en policy.").await;
    let follow_up = audit(&auditor, &app, "Uppföljning 2023", "uppfoljande", "2023-11-15", &[&first]).await;
    assess_follow_up(&auditor, &follow_up, &partly, "delvis").await;
    assess_follow_up(&auditor, &follow_up, &not_met, "ej_atgardad").await;
    assess_follow_up(&auditor, &follow_up, &met, "atgardad").await;
    let fresh = recommend(&auditor, &app, &follow_up, "Rapportera till fullmäktige.").await;

    // The API contract: the latest verdict (a FollowUpResult code) and that follow-up's report date.
    let one: Value = auditor.get(&format!("/recommendations/{partly}")).await.json().await.unwrap();
    assert_eq!(
        (one["latest_verdict"].as_str(), one["latest_follow_up_on"].as_str()),
        (Some("delvis"), Some("2023-11-15"))
    );
    let listed: Vec<Value> = auditor.get(&format!("/recommendations?audit_id={first}")).await.json().await.unwrap();
    let verdicts: Vec<&Value> = listed.iter().map(|r| &r["latest_verdict"]).collect();
    assert_eq!(verdicts, [&json!("delvis"), &json!("ej_atgardad"), &json!("atgardad")]);
    let new: Value = auditor.get(&format!("/recommendations/{fresh}")).await.json().await.unwrap();
    assert!(new["latest_verdict"].is_null() && new["latest_follow_up_on"].is_null());
    let filtered: Vec<Value> =
        auditor.get(&format!("/recommendations?verdict=ej_atgardad&audit_id={first}")).await.json().await.unwrap();
    assert_eq!(filtered.len(), 1);
    assert_eq!(filtered[0]["id"], not_met.as_str());

    let client = app.login("revisor@exempelby.se").await;
    let register = app.get(&client, &format!("/recommendations?audit_id={first}")).await.text().await.unwrap();
    assert!(register.contains("Delvis åtgärdad") && register.contains("Ej åtgärdad"), "the register shows verdicts");
    assert!(!register.contains(" dagar"), "age in years and months, not days");
    assert!(register.contains(" år "), "{register}");
    let by_verdict = app.get(&client, "/recommendations?verdict=delvis").await.text().await.unwrap();
    assert!(by_verdict.contains("Utse systemägare för alla system.") && !by_verdict.contains("Genomför riskanalyser."));
    // Read in the follow-up, the age is the age at its report date.
    let follow_up_page = app.get(&client, &format!("/audits/{follow_up}")).await.text().await.unwrap();
    assert!(follow_up_page.contains("2 år 1 mån vid uppföljningen 2023-11-15"), "{follow_up_page}");
    let page = app.get(&client, &format!("/recommendations/{not_met}")).await.text().await.unwrap();
    assert!(page.contains("Ej åtgärdad") && page.contains("2 år 1 mån vid uppföljningen 2023-11-15"));

    let csv = app.get(&client, &format!("/recommendations.csv?audit_id={first}")).await.text().await.unwrap();
    let row = csv.lines().find(|l| l.contains("Genomför riskanalyser.")).unwrap();
    assert!(row.contains(";Ej åtgärdad;Uppföljning 2023;2023-11-15;"), "{row}");
    assert!(row.contains(";2021-10-15;"), "{row}");
}

#[tokio::test]
async fn an_audit_needs_its_report_date() {
    let app = TestApp::spawn().await;
    let auditor = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    let ks = body_id_by_name(app.pool(), app.exempelby, "Kommunstyrelsen").await;
    let response = auditor
        .send(
            Method::POST,
            "/audits",
            json!({"title": "Utan datum", "kind": "granskning", "commissioned_by": "revisorerna", "body_ids": [ks]}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["errors"]["report_date"], "Ange rapportens datum. Rekommendationernas ålder räknas från det.");
    // One saved before the rule is listed for the coordinator to fix.
    sqlx::query(
        "INSERT INTO audits (id, municipality_id, title, commissioned_by, kind) VALUES ($1, $2, 'Gammal granskning', 'revisorerna', 'granskning')",
    )
    .bind(uuid::Uuid::new_v4())
    .bind(app.exempelby)
    .execute(app.pool())
    .await
    .unwrap();
    let client = app.login("samordnare@exempelby.se").await;
    let list = app.get(&client, "/audits").await.text().await.unwrap();
    let undated = list.split("id=\"missing-report-date\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(undated.contains("Gammal granskning"), "{undated}");
    let dashboard = app.get(&client, "/").await.text().await.unwrap();
    assert!(dashboard.contains("granskningar som saknar rapportdatum"), "{dashboard}");
}

#[tokio::test]
async fn a_follow_up_asks_every_addressed_body_to_answer_on_what_it_carries() {
    let app = TestApp::spawn().await;
    let auditor = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let ks = body_id_by_name(app.pool(), app.exempelby, "Kommunstyrelsen").await;
    let bildning = body_id_by_name(app.pool(), app.exempelby, "Bildningsnämnden").await;
    let valfard = body_id_by_name(app.pool(), app.exempelby, "Välfärdsnämnden").await;
    let first = audit(&auditor, &app, "Granskning 2021", "granskning", "2021-03-01", &[]).await;
    let added = auditor
        .send(
            Method::POST,
            &format!("/audits/{first}/recommendations"),
            json!({"items": [{"text": "Utse systemägare.", "body_ids": [ks]},
                             {"text": "Klassa informationen.", "body_ids": [bildning, valfard]}]}),
        )
        .await;
    let ids: Vec<String> = added.json::<Value>().await.unwrap()["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let follow_up = auditor
        .send(
            Method::POST,
            "/audits",
            json!({"title": "Uppföljning 2023", "kind": "uppfoljande", "commissioned_by": "revisorerna",
                   "report_date": crate::support::days_ago(40), "response_deadline": crate::support::days_ago(10),
                   "body_ids": [ks, bildning, valfard], "follows": [first]}),
        )
        .await;
    assert_eq!(follow_up.status(), 201);
    let follow_up = follow_up.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    assess_follow_up(&auditor, &follow_up, &ids[0], "ej_atgardad").await;
    assess_follow_up(&auditor, &follow_up, &ids[1], "delvis").await;
    recommend(&auditor, &app, &follow_up, "Rapportera årligen till fullmäktige.").await;

    let client = app.login("samordnare@exempelby.se").await;
    let overdue =
        |html: String| html.split("id=\"overdue\"").nth(1).unwrap().split("</section>").next().unwrap().to_string();
    let before = overdue(app.get(&client, "/").await.text().await.unwrap());
    for expected in [
        "Kommunstyrelsen ska svara på Uppföljning 2023 (2 rekommendationer)",
        "Bildningsnämnden ska svara på Uppföljning 2023 (1 rekommendation)",
        "Välfärdsnämnden ska svara på Uppföljning 2023 (1 rekommendation)",
    ] {
        assert!(before.contains(expected), "{expected} in {before}");
    }
    // Bildningsnämnden answers the follow-up; the dashboard shows it at once.
    let answer = coordinator
        .send(
            Method::PUT,
            &format!("/recommendations/{}/responses", ids[1]),
            json!({"body_id": bildning, "text": "Klassningen görs under våren.", "planned_by": "", "decision_reference": "BN § 12", "decision_date": ""}),
        )
        .await;
    assert!(answer.status().is_success(), "{}", answer.status());
    let after = overdue(app.get(&client, "/").await.text().await.unwrap());
    assert!(!after.contains("Bildningsnämnden ska svara på Uppföljning 2023"), "{after}");
    assert!(after.contains("Välfärdsnämnden ska svara på Uppföljning 2023 (1 rekommendation)"));
    let stored: uuid::Uuid = sqlx::query_scalar(
        "SELECT audit_id FROM recommendation_responses WHERE body_id = $1 AND recommendation_id = $2::uuid",
    )
    .bind(bildning)
    .bind(&ids[1])
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(stored.to_string(), follow_up, "the answer goes to the follow-up that asked");
    let page = app.get(&client, &format!("/recommendations/{}", ids[1])).await.text().await.unwrap();
    assert!(page.contains("Svar till Uppföljning 2023") && page.contains("Svar till Granskning 2021"));
}

#[tokio::test]
async fn recommendations_without_a_responsible_person_or_target_date_are_a_group_on_the_dashboard() {
    let app = TestApp::spawn().await;
    let auditor = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    let audit_id = audit(&auditor, &app, "Granskning av behörigheter", "granskning", "2025-02-01", &[]).await;
    recommend(&auditor, &app, &audit_id, "Gå igenom behörigheterna årligen.").await;
    let client = app.login("samordnare@exempelby.se").await;
    let html = app.get(&client, "/").await.text().await.unwrap();
    let group = html.split("id=\"audit-gaps\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(group.contains("öppna rekommendationer som saknar ansvarig"), "{group}");
    assert!(group.contains("öppna rekommendationer som saknar måldatum"), "{group}");
    let register = app.get(&client, "/recommendations?missing=ansvarig").await.text().await.unwrap();
    assert!(register.contains("Gå igenom behörigheterna årligen."));
}

#[tokio::test]
async fn the_paste_preview_shows_what_it_removed_and_can_restore_it_and_set_one_body_for_all() {
    let app = TestApp::spawn().await;
    let auditor = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    let audit_id = audit(&auditor, &app, "Granskning av kontinuitet", "granskning", "2025-04-01", &[]).await;
    let client = app.login("revisor@exempelby.se").await;
    let pasted = "Rekommendationer:\n• Upprätta en kontinuitetsplan för samtliga\nGranskning av kontinuitet\nverksamhetskritiska system.\n• Öva planen årligen.";
    let preview = app.post_form(&client, &format!("/audits/{audit_id}/import/preview"), &[("text", pasted)]).await;
    assert_eq!(preview.status(), 200);
    let html = preview.text().await.unwrap();
    assert!(html.contains("id=\"no-addressee\""), "no body was named");
    assert!(html.contains("<del>Granskning av kontinuitet</del>"), "the removed header is shown");
    assert!(html.contains("Återställ texten som den var inklistrad"));

    let original = "Upprätta en kontinuitetsplan för samtliga Granskning av kontinuitet verksamhetskritiska system.";
    let base = [
        ("rows", "2"),
        ("text_0", "Upprätta en kontinuitetsplan för samtliga verksamhetskritiska system."),
        ("original_0", original),
        ("removed_0", "Granskning av kontinuitet"),
        ("include_0", "1"),
        ("text_1", "Öva planen årligen."),
        ("original_1", "Öva planen årligen."),
        ("include_1", "1"),
    ];
    let mut restore = base.to_vec();
    restore.push(("restore", "0"));
    let restored = app.post_form(&client, &format!("/audits/{audit_id}/import"), &restore).await;
    assert_eq!(restored.status(), 200);
    assert!(restored.text().await.unwrap().contains(&format!(">{original}</textarea>")));

    // A failed save keeps what was typed and sums up the errors at the top.
    let mut typed = base.to_vec();
    typed[1] = ("text_0", "Min egen formulering.");
    let failed = app.post_form(&client, &format!("/audits/{audit_id}/import"), &typed).await;
    assert_eq!(failed.status(), 422);
    let failed = failed.text().await.unwrap();
    assert!(failed.contains("error-summary") && failed.contains("Rad 1:"), "{failed}");
    assert!(failed.contains(">Min egen formulering.</textarea>"));

    let ks = body_id_by_name(app.pool(), app.exempelby, "Kommunstyrelsen").await.to_string();
    let mut all = base.to_vec();
    all.push(("all_bodies", ks.as_str()));
    let saved = app.post_form(&client, &format!("/audits/{audit_id}/import"), &all).await;
    assert_eq!(saved.status(), 303);
    let listed: Vec<Value> = auditor.get(&format!("/recommendations?audit_id={audit_id}")).await.json().await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|r| r["bodies"][0]["name"] == "Kommunstyrelsen"));
}

#[tokio::test]
async fn a_status_the_database_holds_is_a_known_code_or_an_error_never_a_default() {
    use lisa::audits::model::Status;
    let app = TestApp::spawn().await;
    for status in Status::ALL {
        let read: Status =
            sqlx::query_scalar("SELECT $1::text").bind(status.code()).fetch_one(app.pool()).await.unwrap();
        assert_eq!(read, status);
    }
    let unknown = sqlx::query_scalar::<_, Status>("SELECT 'stangd'::text").fetch_one(app.pool()).await.unwrap_err();
    assert!(unknown.to_string().contains("unknown Status code \"stangd\""), "{unknown}");
    let allowed: String = sqlx::query_scalar(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint
          WHERE conrelid = 'recommendations'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%status%'",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    for status in Status::ALL {
        assert!(allowed.contains(&format!("'{}'", status.code())), "{allowed}");
    }
    assert_eq!(allowed.matches("::text").count(), Status::ALL.len(), "{allowed}");
}

#[tokio::test]
async fn the_register_pages_in_the_api_and_counts_every_matching_recommendation_on_the_page() {
    let app = TestApp::spawn().await;
    let api = app.coordinator_api().await;
    let all = api.get("/recommendations?limit=500").await;
    let total: usize = all.headers()["x-total-count"].to_str().unwrap().parse().unwrap();
    let all = json_of(all, 200).await;
    let ids = |page: &Value| {
        page.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert!(total > 4 && ids(&all).len() == total, "{total}");
    let second = api.get("/recommendations?limit=2&page=2").await;
    assert!(second.headers()["link"].to_str().unwrap().contains("page=3&limit=2"));
    assert_eq!(ids(&json_of(second, 200).await), ids(&all)[2..4]);

    let client = app.login("samordnare@exempelby.se").await;
    let html = app.get(&client, "/recommendations?page=7").await.text().await.unwrap();
    assert!(html.contains(&format!("{total} rekommendationer")), "every matching one is counted");
    let open = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| ["oppen", "ateroppnad"].contains(&r["status"].as_str().unwrap()))
        .count();
    assert!(html.contains(&format!("<span class=\"figure\">{open}</span> öppna")), "open count {open}");
}

#[tokio::test]
async fn the_register_figures_are_counted_in_postgresql_by_the_rules_the_rows_follow() {
    use lisa::audits::model::Status;
    use lisa::audits::store::{Filter, list_recommendations, register_page};
    use lisa::web::format::months_between;
    use lisa::web::pagination::Asked;
    let app = TestApp::spawn().await;
    let today = lisa::web::format::today();
    let filters = [
        Filter::default(),
        Filter { status: "oppen".into(), ..Filter::default() },
        Filter { overdue: "1".into(), ..Filter::default() },
        Filter { verdict: "ingen".into(), ..Filter::default() },
        Filter { verdict: "ej_atgardad".into(), ..Filter::default() },
        Filter { missing: "ansvarig".into(), sort: "age".into(), ..Filter::default() },
        Filter { q: "säkerhet".into(), sort: "target".into(), ..Filter::default() },
    ];
    for filter in filters {
        let all = list_recommendations(app.pool(), app.exempelby, &filter, today).await.unwrap();
        let asked = Asked { page: 2, per_page: 3 };
        let (page, pager, figures) = register_page(app.pool(), app.exempelby, &filter, today, asked).await.unwrap();
        let expected: Vec<_> = all.iter().skip(pager.offset() as usize).take(3).map(|r| r.id).collect();
        assert_eq!(page.iter().map(|r| r.id).collect::<Vec<_>>(), expected, "{filter:?}");
        let count =
            |keep: &dyn Fn(&lisa::audits::store::Recommendation) -> bool| all.iter().filter(|r| keep(r)).count();
        assert_eq!(figures.total as usize, all.len(), "{filter:?}");
        assert_eq!(figures.open as usize, count(&|r| r.status.is_open()), "{filter:?}");
        assert_eq!(figures.claimed as usize, count(&|r| r.status == Status::Atgardad), "{filter:?}");
        assert_eq!(figures.verified as usize, count(&|r| r.status == Status::Verifierad), "{filter:?}");
        assert_eq!(figures.overdue as usize, count(&|r| r.is_overdue(today)), "{filter:?}");
        let mut ages: Vec<i64> =
            all.iter().filter(|r| r.status.is_open()).filter_map(|r| r.age_months(today)).map(i64::from).collect();
        let median = lisa::audits::model::median(&mut ages);
        assert_eq!(figures.median_first_reported.map(|d| i64::from(months_between(d, today))), median, "{filter:?}");
    }
}

/// Leksand's audit was commissioned by the municipal auditors and the company's lay auditors
/// together (issue 30): the form offers it, and the audit says so.
#[tokio::test]
async fn an_audit_may_be_commissioned_by_the_auditors_and_the_lay_auditors_together() {
    let app = TestApp::spawn().await;
    let auditor = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    let ks = body_id_by_name(app.pool(), app.exempelby, "Kommunstyrelsen").await;
    let created = auditor
        .send(
            Method::POST,
            "/audits",
            json!({"title": "Gemensam granskning av it-säkerheten", "kind": "granskning", "commissioned_by": "gemensamt",
                   "report_date": "2025-03-01", "body_ids": [ks.to_string()]}),
        )
        .await;
    let id = json_of(created, 201).await["id"].as_str().unwrap().to_string();
    let client = app.login("revisor@exempelby.se").await;
    let form = app.get(&client, "/audits/new").await.text().await.unwrap();
    assert!(form.contains("value=\"gemensamt\""), "the form offers it");
    let page = app.get(&client, &format!("/audits/{id}")).await.text().await.unwrap();
    assert!(page.contains("Revisorerna och lekmannarevisorerna gemensamt"), "{page}");
}

/// A company's lay auditor (lekmannarevisor: the auditor role limited to the company's board)
/// reads and assesses the company's audits as the municipality's auditors do all of them, and
/// reaches nothing else: the other audits are not found, the other areas refused.
#[tokio::test]
async fn a_companys_lay_auditor_reads_and_assesses_only_the_companys_audits() {
    use lisa::audit_log::Actor;
    use lisa::auth::{Role, password};
    use lisa::org::{model::GrantInput, store};
    let app = TestApp::spawn().await;
    let m = app.exempelby;
    let board = body_id_by_name(app.pool(), m, "Styrelsen för Exempelby Bostäder AB").await;
    let ks = body_id_by_name(app.pool(), m, "Kommunstyrelsen").await;
    let actor = Actor::system("test");
    let mut tx = app.pool().begin().await.unwrap();
    let hash = password::hash(crate::support::DEMO_PASSWORD.into(), lisa::config::PasswordCost::Fast).await.unwrap();
    let user =
        store::create_account(&mut tx, &actor, "lekman@exempelby.se", "Lars Lekman", &hash, false).await.unwrap();
    store::add_grant(&mut tx, &actor, m, user, &GrantInput { role: Role::Revisor, body_id: Some(board) })
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let auditor = app.api(&app.api_token("revisor@exempelby.se", m).await);
    let company = json_of(
        auditor
            .send(
                Method::POST,
                "/audits",
                json!({"title": "Granskning av Exempelby Bostäders it-säkerhet", "kind": "granskning",
                       "commissioned_by": "lekmannarevisorerna", "report_date": "2025-04-01", "body_ids": [board]}),
            )
            .await,
        201,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let added = auditor
        .send(
            Method::POST,
            &format!("/audits/{company}/recommendations"),
            json!({"items": [{"text": "Klassa bolagets hyresgästregister", "body_ids": [board]}]}),
        )
        .await;
    let company_rec = json_of(added, 201).await["ids"][0].as_str().unwrap().to_string();
    let question = json_of(
        auditor
            .send(Method::POST, &format!("/audits/{company}/questions"), json!({"text": "Finns en incidentrutin?"}))
            .await,
        201,
    )
    .await["ids"][0]
        .as_str()
        .unwrap()
        .to_string();
    // Another audit's recommendation: never the company's own (ids are random, so say so).
    let (other_audit, other_rec): (uuid::Uuid, uuid::Uuid) = sqlx::query_as(
        "SELECT audit_id, id FROM recommendations WHERE municipality_id = $1 AND audit_id <> $2::uuid ORDER BY id LIMIT 1",
    )
    .bind(m)
    .bind(&company)
    .fetch_one(app.pool())
    .await
    .unwrap();

    let lay = app.api(&app.api_token("lekman@exempelby.se", m).await);
    let audits = json_of(lay.get("/audits").await, 200).await;
    let titles: Vec<&str> = audits.as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Granskning av Exempelby Bostäders it-säkerhet"]);
    let register = json_of(lay.get("/recommendations").await, 200).await;
    let ids: Vec<&str> = register.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [company_rec.as_str()], "only the company's recommendations");
    assert_eq!(lay.get(&format!("/audits/{other_audit}")).await.status(), 404);
    assert_eq!(lay.get(&format!("/audits/{other_audit}/questions")).await.status(), 404);
    assert_eq!(lay.get(&format!("/recommendations/{other_rec}")).await.status(), 404);
    let edit_other =
        lay.send(Method::PUT, &format!("/recommendations/{other_rec}"), json!({"text": "Ändrad av fel revisor"})).await;
    assert_eq!(edit_other.status(), 404);
    for area in ["/systems", "/incidents", "/risk-analyses", "/audit-log"] {
        assert_eq!(lay.get(area).await.status(), 403, "{area} is not a lay auditor's");
    }

    // What the auditors do on the company's audit, the lay auditor does too.
    let assessed = lay
        .send(
            Method::PUT,
            &format!("/questions/{question}/assessments"),
            json!({"body_id": board, "assessment": "Delvis", "comment": "Rutinen finns men är inte känd."}),
        )
        .await;
    assert_eq!(assessed.status(), 204, "{}", assessed.text().await.unwrap());
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", m).await);
    let claimed = coordinator
        .send(
            Method::POST,
            &format!("/recommendations/{company_rec}/status"),
            json!({"transition": "claim", "evidence": "Registret är klassat 2025-05-02."}),
        )
        .await;
    assert_eq!(claimed.status(), 200, "{}", claimed.text().await.unwrap());
    let verified = lay
        .send(
            Method::POST,
            &format!("/recommendations/{company_rec}/status"),
            json!({"transition": "verify", "comment": "Klassningen är granskad."}),
        )
        .await;
    assert_eq!(json_of(verified, 200).await["status"], "verifierad");

    // An audit of the municipality alone is not theirs to record; one of the company is.
    let of_ks = lay
        .send(
            Method::POST,
            "/audits",
            json!({"title": "Kommunstyrelsens it-säkerhet", "kind": "granskning", "commissioned_by": "revisorerna",
                   "report_date": "2025-04-01", "body_ids": [ks]}),
        )
        .await;
    let refused = json_of(of_ks, 422).await;
    assert!(refused.to_string().contains("lekmannarevisor"), "{refused}");
    let joint = lay
        .send(
            Method::POST,
            "/audits",
            json!({"title": "Gemensam granskning", "kind": "granskning", "commissioned_by": "gemensamt",
                   "report_date": "2025-04-01", "body_ids": [ks, board]}),
        )
        .await;
    assert_eq!(joint.status(), 201);

    // The pages say the same: the start page lists their audits, and every link on it opens.
    let client = app.login("lekman@exempelby.se").await;
    let start = app.get(&client, "/").await.text().await.unwrap();
    assert!(
        start.contains("Dina granskningar")
            && start.contains("lekmannarevisor för Styrelsen för Exempelby Bostäder AB")
    );
    assert!(start.contains("Granskning av Exempelby Bostäders it-säkerhet") && start.contains("Gemensam granskning"));
    for link in start.split("href=\"").skip(1).filter_map(|rest| rest.split('"').next()) {
        if link.starts_with('/') && !link.starts_with("/static/") {
            let status = app.get(&client, link).await.status().as_u16();
            assert!((200..400).contains(&status), "{link} → {status}");
        }
    }
    assert_eq!(app.get(&client, &format!("/audits/{other_audit}")).await.status(), 404);
    assert_eq!(app.get(&client, &format!("/recommendations/{other_rec}")).await.status(), 404);
    let page = app.get(&client, &format!("/audits/{company}")).await.text().await.unwrap();
    assert!(page.contains(&format!("/audits/{company}/edit")), "offered to edit the company's audit");
    let list = app.get(&client, "/recommendations").await.text().await.unwrap();
    assert!(list.contains("Klassa bolagets hyresgästregister"));
    assert!(!list.contains(&other_rec.to_string()));
}
