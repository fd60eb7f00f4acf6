//! Incidents: anyone reports, handlers see the clocks, late reports need reasons, each
//! role sees what it may, and another municipality sees nothing.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;

fn stockholm_minutes_ago(minutes: i64) -> String {
    let at = chrono::Utc::now() - chrono::Duration::minutes(minutes);
    at.with_timezone(&chrono_tz::Europe::Stockholm).format("%Y-%m-%dT%H:%M").to_string()
}

async fn body(response: reqwest::Response, status: u16) -> Value {
    let got = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn an_employee_reports_and_the_coordinator_sees_the_legal_clocks() {
    let app = TestApp::spawn().await;
    let employee = app.api(&app.api_token("medarbetare@exempelby.se", app.exempelby).await);
    let reported = body(
        employee
            .send(
                Method::POST,
                "/incidents",
                json!({"title": "Mejl med personnummer till fel mottagare", "discovered_at": stockholm_minutes_ago(60),
                       "personal_data": true}),
            )
            .await,
        201,
    )
    .await;
    let id = reported["id"].as_str().unwrap().to_string();
    let year = chrono::Datelike::year(&chrono::Utc::now().with_timezone(&chrono_tz::Europe::Stockholm));
    assert!(reported["reference"].as_str().unwrap().starts_with(&format!("INC-{year}-")), "{reported}");
    assert_eq!(reported["reporter_name"], "Anna Nilsson");

    // The employee sees their own report, not the list or anyone else's.
    assert_eq!(employee.get(&format!("/incidents/{id}")).await.status(), 200);
    assert_eq!(employee.get("/incidents").await.status(), 403);
    let other: uuid::Uuid = sqlx::query_scalar("SELECT id FROM incidents WHERE id <> $1::uuid LIMIT 1")
        .bind(&id)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(employee.get(&format!("/incidents/{other}")).await.status(), 403);
    assert_eq!(
        employee.send(Method::PUT, &format!("/incidents/{id}"), json!({"status": "stangd"})).await.status(),
        403
    );

    // The coordinator sees the IMY clock: 72 hours from discovery, running.
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let seen = body(coordinator.get(&format!("/incidents/{id}")).await, 200).await;
    let clocks = seen["clocks"].as_array().unwrap();
    assert_eq!(clocks.len(), 1);
    assert_eq!((clocks[0]["kind"].as_str(), clocks[0]["state"].as_str()), (Some("imy"), Some("running")));
    let discovered = chrono::DateTime::parse_from_rfc3339(seen["discovered_at"].as_str().unwrap()).unwrap();
    let due = chrono::DateTime::parse_from_rfc3339(clocks[0]["due"].as_str().unwrap()).unwrap();
    assert_eq!(due - discovered, chrono::Duration::hours(72));

    // A significant incident adds the CSIRT clocks; a report sent in time meets its clock.
    let handled = coordinator
        .send(
            Method::PUT,
            &format!("/incidents/{id}"),
            json!({"status": "utreds", "category": "felsand_information", "severity": "medel", "personal_data": true, "significant": true}),
        )
        .await;
    let kinds: Vec<String> = body(handled, 200).await["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["csirt", "imy", "incidentanmalan", "slutrapport"]);
    let sent = coordinator
        .send(
            Method::POST,
            &format!("/incidents/{id}/reports"),
            json!({"kind": "imy", "sent_at": stockholm_minutes_ago(5), "reference": "IMY-2026-123"}),
        )
        .await;
    let after = body(sent, 200).await;
    let imy = after["clocks"].as_array().unwrap().iter().find(|c| c["kind"] == "imy").unwrap().clone();
    assert_eq!(imy["state"], "met");
    assert_eq!(after["reports"][0]["reference"], "IMY-2026-123");

    // Closing needs a category and lessons learned; the audit log has each step.
    let refused = coordinator.send(Method::PUT, &format!("/incidents/{id}"), json!({"status": "stangd"})).await;
    assert_eq!(body(refused, 422).await["errors"]["lessons"], "Skriv vad ni lärde er innan incidenten stängs.");
    let logged: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE entity_type = 'incident' AND entity_id = $1::uuid")
            .bind(&id)
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(logged, 3, "reported, handled, report sent");
}

#[tokio::test]
async fn a_late_report_needs_reasons_and_counts_as_late_in_the_summary() {
    let app = TestApp::spawn().await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let four_days = 4 * 24 * 60;
    let reported = body(
        coordinator
            .send(
                Method::POST,
                "/incidents",
                json!({"title": "Förlorad USB-sticka med elevlistor", "discovered_at": stockholm_minutes_ago(four_days),
                       "personal_data": true}),
            )
            .await,
        201,
    )
    .await;
    let id = reported["id"].as_str().unwrap();
    assert_eq!(reported["clocks"][0]["state"], "overdue");
    let before = body(coordinator.get("/incidents/summary").await, 200).await;

    let late = json!({"kind": "imy", "sent_at": stockholm_minutes_ago(10)});
    let refused = coordinator.send(Method::POST, &format!("/incidents/{id}/reports"), late.clone()).await;
    assert!(body(refused, 422).await["errors"]["late_reason"].as_str().unwrap().contains("skälen"));
    let mut explained = late;
    explained["late_reason"] = json!("Förlusten upptäcktes först vid inventering.");
    let after = body(coordinator.send(Method::POST, &format!("/incidents/{id}/reports"), explained).await, 200).await;
    assert_eq!(after["clocks"][0]["state"], "late");

    let summary = body(coordinator.get("/incidents/summary").await, 200).await;
    assert_eq!(summary["reports_late"].as_u64().unwrap(), before["reports_late"].as_u64().unwrap() + 1);
    assert_eq!(summary["total"].as_u64().unwrap(), before["total"].as_u64().unwrap());

    // Auditors and board members read the summary, not the incidents.
    for email in ["revisor@exempelby.se", "ledamot@exempelby.se"] {
        let reader = app.api(&app.api_token(email, app.exempelby).await);
        assert_eq!(reader.get("/incidents/summary").await.status(), 200, "{email}");
        assert_eq!(reader.get("/incidents").await.status(), 403, "{email}");
        assert_eq!(reader.get(&format!("/incidents/{id}")).await.status(), 403, "{email}");
    }
    let employee = app.api(&app.api_token("medarbetare@exempelby.se", app.exempelby).await);
    assert_eq!(employee.get("/incidents/summary").await.status(), 403);
}

#[tokio::test]
async fn a_named_receiver_handles_incidents_and_another_municipality_sees_none() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let incident: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM incidents LIMIT 1").fetch_one(app.pool()).await.unwrap();
    let johan: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM people WHERE name = 'Johan Berg'").fetch_one(app.pool()).await.unwrap();
    let owner = app.login("systemagare@exempelby.se").await;
    let offers_register = |html: &str| html.contains("href=\"/incidents\"");
    assert_eq!(app.get(&owner, "/incidents").await.status(), 403);
    assert!(!offers_register(&app.get(&owner, "/").await.text().await.unwrap()));
    let saved = app.post_form(&client, "/incidents/receivers", &[("person_ids", &johan.to_string())]).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(app.get(&owner, "/incidents").await.status(), 200, "a receiver sees the list");
    assert!(offers_register(&app.get(&owner, "/").await.text().await.unwrap()), "and the menu offers it");
    let event = app
        .post_form(
            &owner,
            &format!("/incidents/{incident}/events"),
            &[("occurred_at", &stockholm_minutes_ago(30)), ("text", "Kontaktade leverantören")],
        )
        .await;
    assert_eq!(event.status(), 303);
    let removed = app.post_form(&client, "/incidents/receivers", &[]).await;
    assert_eq!(removed.status(), 303);
    assert_eq!(app.get(&owner, "/incidents").await.status(), 403, "no longer a receiver, at once");
    assert!(!offers_register(&app.get(&owner, "/").await.text().await.unwrap()));

    let other = app.annanstad().await;
    let annan = app.login("samordnare@annanstad.se").await;
    assert_eq!(app.get(&annan, &format!("/incidents/{incident}")).await.status(), 404);
    let hijack = app.post_form(&annan, &format!("/incidents/{incident}"), &[("status", "stangd")]).await;
    assert_eq!(hijack.status(), 404);
    let report = app
        .post_form(
            &annan,
            &format!("/incidents/{incident}/reports"),
            &[("kind", "imy"), ("sent_at", &stockholm_minutes_ago(1))],
        )
        .await;
    assert_eq!(report.status(), 404);
    let api = app.api(&app.api_token("samordnare@annanstad.se", other.municipality).await);
    assert_eq!(api.get("/incidents").await.text().await.unwrap(), "[]");
    assert_eq!(api.get(&format!("/incidents/{incident}")).await.status(), 404);
    // Annanstad numbers its own incidents from 1.
    let theirs = body(
        api.send(Method::POST, "/incidents", json!({"title": "Test", "discovered_at": stockholm_minutes_ago(5)})).await,
        201,
    )
    .await;
    assert!(theirs["reference"].as_str().unwrap().ends_with("-0001"), "{theirs}");
}

#[tokio::test]
async fn the_reporter_sees_their_report_and_its_status_but_never_the_handling_by_page_or_api() {
    let app = TestApp::spawn().await;
    let employee = app.api(&app.api_token("medarbetare@exempelby.se", app.exempelby).await);
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let reported = employee
        .send(
            Method::POST,
            "/incidents",
            json!({"title": "Okänd person i serverrummet", "discovered_at": stockholm_minutes_ago(30), "personal_data": true}),
        )
        .await;
    assert_eq!(reported.status(), 201);
    let id = reported.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let secrets =
        ["Dörren stod på glänt", "Nytt passerkort", "Rutinen för besökare brister", "Ingen risk för de registrerade"];
    let handled = coordinator
        .send(
            Method::PUT,
            &format!("/incidents/{id}"),
            json!({"status": "utreds", "category": "obehorig_atkomst", "severity": "hog", "personal_data": true,
                   "imy_exempt_reason": secrets[3], "cause": secrets[0], "measures": secrets[1], "lessons": secrets[2]}),
        )
        .await;
    assert_eq!(handled.status(), 200, "{}", handled.text().await.unwrap());
    let noted = coordinator
        .send(
            Method::POST,
            &format!("/incidents/{id}/events"),
            json!({"occurred_at": stockholm_minutes_ago(5), "text": "Väktare kontaktad av samordnare@exempelby.se"}),
        )
        .await;
    assert_eq!(noted.status(), 200, "{}", noted.text().await.unwrap());

    let seen: Value = employee.get(&format!("/incidents/{id}")).await.json().await.unwrap();
    assert_eq!(seen["access"], "reporter");
    assert_eq!(seen["status"], "utreds", "the reporter sees how far it has come");
    assert_eq!(seen["title"], "Okänd person i serverrummet");
    let text = seen.to_string();
    for secret in secrets.iter().chain(&["Väktare kontaktad", "samordnare@exempelby.se", "obehorig_atkomst"]) {
        assert!(!text.contains(secret), "the API shows the reporter {secret}: {text}");
    }
    assert!(seen["events"].as_array().unwrap().is_empty() && seen["reports"].as_array().unwrap().is_empty());
    assert!(seen["clocks"].as_array().unwrap().is_empty());
    let client = app.login("medarbetare@exempelby.se").await;
    let page = app.get(&client, &format!("/incidents/{id}")).await.text().await.unwrap();
    for secret in secrets {
        assert!(!page.contains(secret), "the page shows the reporter {secret}");
    }
    let full: Value = coordinator.get(&format!("/incidents/{id}")).await.json().await.unwrap();
    assert_eq!((full["access"].as_str(), full["cause"].as_str()), (Some("handle"), Some(secrets[0])));
}

#[tokio::test]
async fn the_incident_list_pages_in_the_api_and_on_the_page() {
    let app = TestApp::spawn().await;
    let api = app.coordinator_api().await;
    for n in 0..7 {
        let title = format!("Paginerad incident {n}");
        body(
            api.send(
                Method::POST,
                "/incidents",
                json!({"title": title, "discovered_at": stockholm_minutes_ago(90 - n)}),
            )
            .await,
            201,
        )
        .await;
    }
    let first = api.get("/incidents?q=Paginerad&limit=3").await;
    assert_eq!(first.headers()["x-total-count"], "7");
    let link = first.headers()["link"].to_str().unwrap().to_string();
    assert_eq!(link, "</api/v1/incidents?q=Paginerad&page=2&limit=3>; rel=\"next\"");
    let titles = |page: &Value| {
        page.as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(
        titles(&body(first, 200).await),
        ["Paginerad incident 6", "Paginerad incident 5", "Paginerad incident 4"]
    );
    let last = api.get("/incidents?q=Paginerad&limit=3&page=3").await;
    assert!(last.headers().get("link").is_none(), "no next page after the last");
    assert_eq!(titles(&body(last, 200).await), ["Paginerad incident 0"]);
    let past_the_end = body(api.get("/incidents?q=Paginerad&limit=3&page=99").await, 200).await;
    assert_eq!(titles(&past_the_end), ["Paginerad incident 0"], "a stale page number gets the last page");
    let everything = api.get("/incidents?limit=100000").await;
    assert!(body(everything, 200).await.as_array().unwrap().len() <= 500);

    let client = app.login("samordnare@exempelby.se").await;
    let html = app.get(&client, "/incidents?q=Paginerad&page=99").await.text().await.unwrap();
    assert!(html.contains("7 incidenter") && html.contains("Paginerad incident 0"), "{html}");
}
