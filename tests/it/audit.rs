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
        assert_eq!(row.3, "Sara Lind <samordnare@exempelby.se>");
        assert_eq!(row.4, Some(app.exempelby));
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
    app.post_form(&client, "/org/people", &[("name", "Greta Granskad"), ("title", ""), ("email", ""), ("unit_id", "")])
        .await;
    let auditor = app.login("revisor@exempelby.se").await;
    let page = app.get(&auditor, "/audit-log?entity_type=person&actor=Sara").await.text().await.unwrap();
    assert!(page.contains("Greta Granskad") && page.contains("1 händelser."));
    let csv = app.get(&auditor, "/audit-log.csv?entity_type=person&actor=Sara").await.text().await.unwrap();
    assert!(csv.contains("Sara Lind <samordnare@exempelby.se>;Person;"));
    assert!(csv.contains("Namn: – → Greta Granskad"));
    let none = app.get(&auditor, "/audit-log?from=2001-01-01&to=2001-01-02").await.text().await.unwrap();
    assert!(none.contains("Inga händelser matchar filtret."));
    // Nonsense filters are ignored rather than failing.
    assert_eq!(app.get(&auditor, "/audit-log?from=igår&page=-3").await.status(), 200);
}
