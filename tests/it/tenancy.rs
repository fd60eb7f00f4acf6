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
