//! Every mutation writes the audit log, in its transaction, and the log can be browsed.

use serde_json::Value;
use uuid::Uuid;

use crate::support::{TestApp, body_id_by_name};

/// action, before, after, actor, municipality, request id
type LogRow = (String, Option<Value>, Option<Value>, String, Option<Uuid>, Option<String>);

#[tokio::test]
async fn mutations_write_who_what_when_and_before_after() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log").fetch_one(app.pool()).await.unwrap();
    app.post_form(&client, "/org/bodies", &[("kind", "namnd"), ("name", "Kulturnämnden")]).await;
    let id = body_id_by_name(app.pool(), app.exempelby, "Kulturnämnden").await;
    app.post_form(&client, &format!("/org/bodies/{id}"), &[("kind", "namnd"), ("name", "Kultur- och fritidsnämnden")])
        .await;
    app.post_form(&client, &format!("/org/bodies/{id}/delete"), &[]).await;

    let rows: Vec<LogRow> = sqlx::query_as(
        "SELECT action, before, after, actor_name, municipality_id, request_id FROM audit_log WHERE entity_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(app.pool())
    .await
    .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(actions, ["create", "update", "delete"]);
    assert_eq!(rows[0].1, None);
    assert_eq!(rows[0].2.as_ref().unwrap()["Namn"], "Kulturnämnden");
    assert_eq!(rows[1].1.as_ref().unwrap()["Namn"], "Kulturnämnden");
    assert_eq!(rows[1].2.as_ref().unwrap()["Namn"], "Kultur- och fritidsnämnden");
    assert_eq!(rows[2].2, None);
    for row in &rows {
        assert_eq!(row.3, "Sara Lind", "the name alone: no staff address in the log");
        assert_eq!(row.4, Some(app.exempelby.uuid()));
        assert!(row.5.as_deref().is_some_and(|id| id.len() == 36), "request id recorded");
    }
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log").fetch_one(app.pool()).await.unwrap();
    assert_eq!(after - before, 3, "one row per change");
}

#[tokio::test]
async fn a_failed_change_writes_nothing() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM audit_log").fetch_one(app.pool()).await.unwrap()
    };
    let before = count().await;
    let ks = body_id_by_name(app.pool(), app.exempelby, "Kommunstyrelsen").await;
    assert_eq!(app.post_form(&client, &format!("/org/bodies/{ks}/delete"), &[]).await.status(), 409);
    assert_eq!(app.post_form(&client, "/org/bodies", &[("kind", "kf"), ("name", "KF 2")]).await.status(), 422);
    assert_eq!(count().await, before);
}

#[tokio::test]
async fn coordinators_and_auditors_browse_filter_and_export_the_log() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    app.post_form(&client, "/org/bodies", &[("kind", "namnd"), ("name", "Granskningsnämnden")]).await;
    let auditor = app.login("revisor@exempelby.se").await;
    let page = app.get(&auditor, "/audit-log?entity_type=body&actor=Sara").await.text().await.unwrap();
    assert!(page.contains("Granskningsnämnden") && page.contains("1 händelse."), "{page}");
    let csv = app.get(&auditor, "/audit-log.csv?entity_type=body&actor=Sara").await.text().await.unwrap();
    assert!(csv.contains(";Sara Lind;Organ;"), "{csv}");
    assert!(csv.contains("Namn: – → Granskningsnämnden"));
    let none = app.get(&auditor, "/audit-log?from=2001-01-01&to=2001-01-02").await.text().await.unwrap();
    assert!(none.contains("Inga händelser matchar filtret."));
    // Nonsense filters are ignored rather than failing.
    assert_eq!(app.get(&auditor, "/audit-log?from=igår&before=-3").await.status(), 200);
    assert_eq!(app.get(&auditor, "/audit-log?before=99999999999999999999.1").await.status(), 200);
}

#[tokio::test]
async fn a_long_log_is_read_page_by_page_from_the_newest_and_counted_only_so_far() {
    let app = TestApp::spawn().await;
    // 1,200 entries in one second, so that the order rests on the id as well as the time.
    sqlx::query(
        "INSERT INTO audit_log (occurred_at, municipality_id, actor_name, entity_type, entity_id, action, after)
         SELECT timestamptz '2026-01-02 10:00:00+00' + (i / 7) * interval '1 ms', $1, 'Generator', 'system',
                gen_random_uuid(), 'update', jsonb_build_object('Nr', i)
           FROM generate_series(1, 1200) i",
    )
    .bind(app.exempelby)
    .execute(app.pool())
    .await
    .unwrap();
    let expected: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM audit_log WHERE municipality_id = $1 AND actor_name = 'Generator'
          ORDER BY occurred_at DESC, id DESC",
    )
    .bind(app.exempelby)
    .fetch_all(app.pool())
    .await
    .unwrap();
    let api = app.coordinator_api().await;
    let mut seen = Vec::new();
    let mut next = Some("/audit-log?actor=Generator&limit=500".to_string());
    while let Some(path) = next.take() {
        let page = api.get(&path).await;
        assert!(page.headers().get("x-total-count").is_none(), "more than 1,000 match: no total is claimed");
        next = page.headers().get("link").map(|link| {
            let link = link.to_str().unwrap();
            link[link.find("/audit-log").unwrap()..link.find('>').unwrap()].to_string()
        });
        let entries: serde_json::Value = page.json().await.unwrap();
        seen.extend(entries.as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()));
    }
    assert_eq!(seen, expected, "every entry once, newest first");
    let small = api.get("/audit-log?actor=Generator&from=2026-01-02&to=2026-01-02&entity_type=body").await;
    assert_eq!(small.headers()["x-total-count"], "0");

    let client = app.login("samordnare@exempelby.se").await;
    let first = app.get(&client, "/audit-log?actor=Generator").await.text().await.unwrap();
    assert!(first.contains("Fler än 1\u{a0}000 händelser."), "{first}");
    let older = first.split("href=\"").find(|h| h.contains("before=")).unwrap().split('"').next().unwrap();
    let second = app.get(&client, &format!("/audit-log{}", older.replace("&#38;", "&"))).await.text().await.unwrap();
    assert!(second.contains("Senaste händelserna") && second.contains("Äldre händelser"), "{second}");
}

#[tokio::test]
async fn the_change_log_shows_an_entry_only_to_those_who_may_read_what_it_is_about() {
    let app = TestApp::spawn().await;
    let auditor_token = app.api_token("revisor@exempelby.se", app.exempelby).await;
    let auditor = app.api(&auditor_token);
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    // A draft report and an incident, both refused to the auditor on their own pages, and
    // documents, whose drafts only those who may change them see.
    let draft = coordinator.send(reqwest::Method::POST, "/reports", serde_json::json!({"year": "2030"})).await;
    assert_eq!(draft.status(), 201);
    assert!(auditor.get("/incidents").await.status() == 403);
    for kind in ["incident", "annual_report", "person", "role_grant", "document"] {
        let all: serde_json::Value =
            coordinator.get(&format!("/audit-log?entity_type={kind}")).await.json().await.unwrap();
        assert!(!all.as_array().unwrap().is_empty(), "the coordinator sees {kind} entries");
        let seen: serde_json::Value =
            auditor.get(&format!("/audit-log?entity_type={kind}")).await.json().await.unwrap();
        assert_eq!(seen, serde_json::json!([]), "the auditor sees no {kind} entries through the API");
        let client = app.login("revisor@exempelby.se").await;
        let page = app.get(&client, &format!("/audit-log?entity_type={kind}")).await.text().await.unwrap();
        assert!(page.contains("Inga händelser matchar filtret."), "the page shows no {kind} entries");
        let csv = app.get(&client, &format!("/audit-log.csv?entity_type={kind}")).await.text().await.unwrap();
        assert_eq!(csv.trim_start_matches('\u{feff}').lines().count(), 1, "the CSV has only its heading for {kind}");
    }
    let everything: serde_json::Value = auditor.get("/audit-log").await.json().await.unwrap();
    assert!(!everything.as_array().unwrap().is_empty(), "the auditor still reads the rest");
    let systems: serde_json::Value = auditor.get("/audit-log?entity_type=system").await.json().await.unwrap();
    assert!(!systems.as_array().unwrap().is_empty(), "such as the systems");
    let text = everything.to_string();
    assert!(!text.contains("\"entity_type\":\"incident\"") && !text.contains("\"entity_type\":\"annual_report\""));
}
