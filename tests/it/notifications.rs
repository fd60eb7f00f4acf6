//! Reports to IMY and the CSIRT at MCF written by Lisa: what each needs, what is missing and
//! then filled in, marked sent with its text; none of it reaches the incident's reporter.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, json_of};

fn kinds(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_handler_fills_in_what_is_missing_and_sends_the_text_while_the_reporter_sees_none_of_it() {
    let app = TestApp::spawn().await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let employee = app.api(&app.api_token("medarbetare@exempelby.se", app.exempelby).await);
    let now = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Stockholm);
    let minutes_ago = |m: i64| (now - chrono::Duration::minutes(m)).format("%Y-%m-%dT%H:%M").to_string();
    let reported = employee
        .send(
            Method::POST,
            "/incidents",
            json!({"title": "Krypterade filer på filservern", "discovered_at": minutes_ago(180), "personal_data": true, "ongoing": true,
                   "description": "Filer krypterade; lösensumma begärd.",
                   "system_ids": [app.system_id("Omsorgsdokumentation").await.to_string()]}),
        )
        .await;
    let id = json_of(reported, 201).await["id"].as_str().unwrap().to_string();
    let handled = coordinator
        .send(
            Method::PUT,
            &format!("/incidents/{id}"),
            json!({"status": "utreds", "category": "skadlig_kod", "severity": "allvarlig", "personal_data": true,
                   "significant": true, "significant_from": minutes_ago(60), "impact_k": true, "impact_t": true,
                   "measures": "Servern isolerad.",
                   "system_ids": [app.system_id("Omsorgsdokumentation").await.to_string()]}),
        )
        .await;
    assert_eq!(handled.status(), 200, "{}", handled.text().await.unwrap());

    // What it needs: IMY and the CSIRT's reports, the CSIRT's early warning due 24 h from awareness.
    let list = json_of(coordinator.get(&format!("/incidents/{id}/notifications")).await, 200).await;
    assert_eq!(kinds(&list), ["csirt", "imy", "incidentanmalan", "lagesrapport"]);
    let warning = &list[0];
    let due = chrono::DateTime::parse_from_rfc3339(warning["due_at"].as_str().unwrap()).unwrap();
    let aware = now - chrono::Duration::minutes(60);
    assert!((due.timestamp() - (aware + chrono::Duration::hours(24)).timestamp()).abs() < 60, "{due} from {aware}");
    let missing: Vec<&str> = warning["missing"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    assert_eq!(missing, ["postadress", "kontaktperson", "olaglig_handling", "gransoverskridande"]);

    let path = format!("/incidents/{id}/notifications/csirt");
    let text = json_of(coordinator.get(&path).await, 200).await;
    assert!(text["text"].as_str().unwrap().contains("Postadress: [uppgift saknas]"));
    let bad = json_of(
        coordinator
            .send(Method::PUT, &format!("/incidents/{id}/notice-facts"), json!({"subjects_count": "många"}))
            .await,
        422,
    )
    .await;
    assert!(bad.to_string().contains("subjects_count"));
    let facts = json!({"postal_address": "Box 1, 123 45 Exempelby", "contact": "Sara Lind, 0123-456 78",
                       "suspected_malicious": "ja", "cross_border": "okant", "data_kinds": ["halsa", "osl"],
                       "description": "Två filservrar krypterade av utpressningsvirus."});
    let saved =
        json_of(coordinator.send(Method::PUT, &format!("/incidents/{id}/notice-facts"), facts).await, 200).await;
    assert_eq!(saved["data_kinds"], json!(["halsa", "osl"]));
    let text = json_of(coordinator.get(&path).await, 200).await;
    assert_eq!(text["missing"], json!([]));
    let written = text["text"].as_str().unwrap();
    assert!(
        written.contains("Postadress: Box 1, 123 45 Exempelby")
            && written.contains("Misstänks olaglig eller illvillig handling: Ja")
    );
    assert!(written.contains("- Omsorgsdokumentation"), "{written}");
    assert!(
        written.contains("Beskrivning: Två filservrar krypterade av utpressningsvirus."),
        "the handler's words for the authority"
    );

    // The reporter reaches none of it, by API or page; another municipality finds nothing.
    for reader in [&employee] {
        assert_eq!(reader.get(&format!("/incidents/{id}/notifications")).await.status(), 403);
        assert_eq!(reader.get(&path).await.status(), 403);
        assert_eq!(reader.get(&format!("/incidents/{id}/notice-facts")).await.status(), 403);
        assert_eq!(reader.send(Method::POST, &format!("{path}/sent"), json!({})).await.status(), 403);
    }
    let seen = json_of(employee.get(&format!("/incidents/{id}")).await, 200).await;
    assert_eq!(seen["significant_from"], Value::Null);
    assert!(!seen.to_string().contains("Box 1") && !seen.to_string().contains("Servern isolerad"));
    let client = app.login("medarbetare@exempelby.se").await;
    assert_eq!(app.get(&client, &format!("/incidents/{id}/notifications")).await.status(), 403);
    let other = app.annanstad().await;
    let annan = app.api(&app.api_token("samordnare@annanstad.se", other.municipality).await);
    assert_eq!(annan.get(&path).await.status(), 404);
    assert_eq!(
        coordinator.get(&format!("/incidents/{id}/notifications/slutrapport")).await.status(),
        404,
        "not due yet"
    );

    // Sent with Lisa's text: the clock stops and the text is kept with the incident.
    let sent = json_of(
        coordinator.send(Method::POST, &format!("{path}/sent"), json!({"reference": "MCF-2026-77"})).await,
        201,
    )
    .await;
    let report = sent["reports"].as_array().unwrap().iter().find(|r| r["kind"] == "csirt").unwrap();
    assert_eq!(report["text"], written.trim(), "kept as sent");
    assert_eq!(report["reference"], "MCF-2026-77");
    let list = json_of(coordinator.get(&format!("/incidents/{id}/notifications")).await, 200).await;
    assert!(list[0]["sent_at"].is_string());
    let log = json_of(coordinator.get("/audit-log?entity_type=incident").await, 200).await;
    assert!(log.to_string().contains("Skickad text"));

    // The pages: the list, the writer with its missing fields, and sending with an edited text.
    let page_client = app.login("samordnare@exempelby.se").await;
    let page = app.get(&page_client, &format!("/incidents/{id}/notifications/imy")).await.text().await.unwrap();
    assert!(page.contains("Saknas") && page.contains("Kategorier av registrerade") && page.contains("Kopiera texten"));
    let pdf = app.get(&page_client, &format!("/incidents/{id}/notifications/imy/pdf")).await;
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    assert_eq!(
        app.get(&client, &format!("/incidents/{id}/notifications/imy/pdf")).await.status(),
        403,
        "not the reporter"
    );
    let sent = app
        .post_form(
            &page_client,
            &format!("/incidents/{id}/notifications/imy/sent"),
            &[("text", "Vår egen text till IMY")],
        )
        .await;
    assert_eq!(sent.status(), 303);
    let incident = json_of(coordinator.get(&format!("/incidents/{id}")).await, 200).await;
    let imy = incident["reports"].as_array().unwrap().iter().find(|r| r["kind"] == "imy").unwrap();
    assert_eq!(imy["text"], "Vår egen text till IMY");
}
