//! One municipality can never read or change another's data, by page or by API.

use reqwest::Method;
use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn another_municipalitys_ids_give_404_by_page_and_by_api() {
    let app = TestApp::spawn().await;
    let other = app.annanstad().await;
    let client = app.login("samordnare@exempelby.se").await;
    let id = other.body_id;
    for path in [format!("/org/bodies/{id}"), format!("/org/bodies/{id}/edit"), format!("/org/bodies/{id}/delete")] {
        assert_eq!(app.get(&client, &path).await.status(), 404, "{path}");
    }
    let update = app.post_form(&client, &format!("/org/bodies/{id}"), &[("kind", "namnd"), ("name", "Kapad")]).await;
    assert_eq!(update.status(), 404);
    let delete = app.post_form(&client, &format!("/org/bodies/{id}/delete"), &[]).await;
    assert_eq!(delete.status(), 404);
    // A unit in Exempelby cannot be hung under Annanstad's body.
    let unit = app
        .post_form(&client, "/org/units", &[("body_id", &id.to_string()), ("kind", "enhet"), ("name", "Smygenheten")])
        .await;
    assert_eq!(unit.status(), 422);

    let token = app.api_token("samordnare@exempelby.se", app.exempelby).await;
    let api = app.api(&token);
    assert_eq!(api.get(&format!("/bodies/{id}")).await.status(), 404);
    assert_eq!(
        api.send(Method::PUT, &format!("/bodies/{id}"), json!({"kind": "namnd", "name": "Kapad"})).await.status(),
        404
    );
    assert_eq!(api.send(Method::DELETE, &format!("/bodies/{id}"), json!({})).await.status(), 404);
    let listed = api.get("/bodies").await.text().await.unwrap();
    assert!(!listed.contains("Annanstad"));

    let name: String =
        sqlx::query_scalar("SELECT name FROM bodies WHERE id = $1").bind(id).fetch_one(app.pool()).await.unwrap();
    assert_eq!(name, "Annanstads socialnämnd", "unchanged");

    // Nor does Annanstad's coordinator see Exempelby.
    let annan = app.login("samordnare@annanstad.se").await;
    let exempelby_body = crate::support::body_id_by_name(app.pool(), app.exempelby, "Bildningsnämnden").await;
    assert_eq!(app.get(&annan, &format!("/org/bodies/{exempelby_body}")).await.status(), 404);
    let audit = app.get(&annan, "/audit-log").await.text().await.unwrap();
    assert!(!audit.contains("Bildningsnämnden"), "the audit log is per municipality");
}

/// Row-level security under the application's own checks: Lisa serves as a role that sees
/// only the rows of the municipality its request works in, even where a query forgot to ask.
#[tokio::test]
async fn the_database_itself_shows_a_request_only_its_municipalitys_rows() {
    use lisa::db::tenant::{Context, within};

    let app = TestApp::spawn().await;
    let other = app.annanstad().await;
    let system = app.system_id("Lönesystem").await;
    let served_as = &app.state.pool;

    // Without a municipality the application role sees no tenant rows at all.
    let count = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql).bind(system).fetch_one(served_as).await.unwrap()
    };
    assert_eq!(count("SELECT count(*) FROM systems WHERE $1::uuid IS NOT NULL").await, 0);
    let owner_sees: i64 = sqlx::query_scalar("SELECT count(*) FROM systems").fetch_one(app.pool()).await.unwrap();
    assert!(owner_sees > 20);

    // Working for Annanstad, a query without its municipality filter finds nothing of Exempelby's…
    let annanstad = Context::municipality(other.municipality);
    let forgotten = within(annanstad, count("SELECT count(*) FROM systems WHERE id = $1")).await;
    assert_eq!(forgotten, 0);
    let in_exempelby =
        within(Context::municipality(app.exempelby), count("SELECT count(*) FROM systems WHERE id = $1"));
    assert_eq!(in_exempelby.await, 1);
    // …a store function given Exempelby's id while working for Annanstad finds nothing…
    let found = within(annanstad, lisa::systems::store::get(served_as, app.exempelby, system)).await;
    assert!(matches!(found, Err(lisa::error::AppError::NotFound)), "{found:?}");
    // …and nothing can be written into another municipality.
    let written = within(annanstad, async {
        sqlx::query("UPDATE systems SET name = 'Kapat' WHERE id = $1").bind(system).execute(served_as).await.unwrap()
    })
    .await;
    assert_eq!(written.rows_affected(), 0);
    let planted = within(annanstad, async {
        sqlx::query(
            "INSERT INTO bodies (id, municipality_id, kind, name) VALUES (gen_random_uuid(), $1, 'namnd', 'Planterad')",
        )
        .bind(app.exempelby)
        .execute(served_as)
        .await
    })
    .await;
    assert!(planted.unwrap_err().to_string().contains("row-level security"));

    // Every table with a municipality is covered but those read before anyone is known: API
    // tokens (found by their hash), the IdPs the login page offers, and sign-ins under way
    // (found by the hash of their state when the IdP sends the person back).
    let uncovered: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'municipality_id'
          WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
            AND c.relname NOT IN ('api_tokens', 'sso_providers', 'sso_logins')
            AND NOT (c.relrowsecurity AND c.relforcerowsecurity)",
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    assert!(uncovered.is_empty(), "tables without forced row-level security: {uncovered:?}");

    // Each policy reads the setting once per query (an InitPlan), not once per row.
    let per_row: Vec<String> = sqlx::query_scalar(
        r#"SELECT tablename::text || '.' || policyname FROM pg_policies
            WHERE schemaname = 'public'
              AND regexp_replace(coalesce(qual, '') || coalesce(with_check, ''),
                                 '\( SELECT \(NULLIF\(current_setting\([^)]*\), ''''::text\)\)::uuid AS "nullif"\)', '', 'g')
                  LIKE '%current_setting%'"#,
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    assert!(per_row.is_empty(), "policies that read the setting for every row: {per_row:?}");
}

#[tokio::test]
async fn another_municipalitys_coordinator_cannot_delete_or_withdraw_in_an_audit() {
    let app = TestApp::spawn().await;
    let other = app.annanstad().await;
    let stranger = app.login("samordnare@annanstad.se").await;
    let api = app.api(&app.api_token("samordnare@annanstad.se", other.municipality).await);
    let (follow_up, recommendation): (uuid::Uuid, uuid::Uuid) = sqlx::query_as(
        "SELECT audit_id, recommendation_id FROM follow_up_assessments WHERE municipality_id = $1 LIMIT 1",
    )
    .bind(app.exempelby)
    .fetch_one(app.pool())
    .await
    .unwrap();
    for path in [format!("/audits/{follow_up}/delete"), format!("/recommendations/{recommendation}/delete")] {
        assert_eq!(app.get(&stranger, &path).await.status(), 404, "{path}");
        assert_eq!(app.post_form(&stranger, &path, &[]).await.status(), 404, "{path}");
    }
    assert_eq!(api.send(Method::DELETE, &format!("/audits/{follow_up}"), json!({})).await.status(), 404);
    let withdraw = format!("/audits/{follow_up}/follow-up-assessments/{recommendation}");
    assert_eq!(api.send(Method::DELETE, &withdraw, json!({})).await.status(), 404);
    let parse = json!({"text": "• Genomför riskanalyser", "audit_id": follow_up});
    assert_eq!(api.send(Method::POST, "/recommendations/parse", parse).await.status(), 404);
    let verdicts: i64 = sqlx::query_scalar("SELECT count(*) FROM follow_up_assessments WHERE audit_id = $1")
        .bind(follow_up)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert!(verdicts > 0, "nothing was withdrawn");

    // In its own municipality, a role that may not edit audits is refused outright.
    let employee = app.api(&app.api_token("medarbetare@exempelby.se", app.exempelby).await);
    assert_eq!(employee.send(Method::DELETE, &format!("/audits/{follow_up}"), json!({})).await.status(), 403);
    assert_eq!(employee.send(Method::DELETE, &withdraw, json!({})).await.status(), 403);
}

/// Another municipality's coordinator cannot ask anyone here to approve a classification or
/// decide on risks: both requests answer as if the record did not exist, and nothing is made.
#[tokio::test]
async fn another_municipalitys_coordinator_cannot_ask_for_approval_or_risk_acceptance() {
    let app = TestApp::spawn().await;
    let other = app.annanstad().await.municipality;
    let asset: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM information_assets LIMIT 1").fetch_one(app.pool()).await.unwrap();
    let analysis: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM risk_analyses LIMIT 1").fetch_one(app.pool()).await.unwrap();
    let stranger = app.login("samordnare@annanstad.se").await;
    let stranger_api = app.api(&app.api_token("samordnare@annanstad.se", other).await);
    for path in [format!("/assets/{asset}/approval-request"), format!("/risk-analyses/{analysis}/acceptance-request")] {
        assert_eq!(app.post_form(&stranger, &path, &[]).await.status(), 404, "{path}");
        assert_eq!(stranger_api.send(Method::POST, &path, json!({})).await.status(), 404, "the API's {path}");
    }
    let made: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM approval_requests) + (SELECT count(*) FROM acceptance_requests)",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(made, 0);
}
