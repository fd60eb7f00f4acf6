//! The JSON API: bearer tokens, problem bodies, and the OpenAPI document.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;

#[tokio::test]
async fn the_api_works_with_a_token_and_answers_problems_in_json() {
    let app = TestApp::spawn().await;
    let token = app.api_token("samordnare@exempelby.se", app.exempelby).await;
    let api = app.api(&token);
    let me: Value = api.get("/me").await.json().await.unwrap();
    assert_eq!(me["email"], "samordnare@exempelby.se");
    assert_eq!(me["roles"], json!(["samordnare"]));

    let created = api.send(Method::POST, "/bodies", json!({"kind": "namnd", "name": "Kulturnämnden"})).await;
    assert_eq!(created.status(), 201);
    let body: Value = created.json().await.unwrap();
    let id = body["id"].as_str().unwrap().to_string();
    assert_eq!(api.get(&format!("/bodies/{id}")).await.status(), 200);

    let invalid = api.send(Method::POST, "/bodies", json!({"kind": "kung", "name": ""})).await;
    assert_eq!(invalid.status(), 422);
    assert_eq!(invalid.headers()["content-type"], "application/json");
    let problem: Value = invalid.json().await.unwrap();
    assert_eq!(problem["errors"]["kind"], "Välj vilken sorts organ det är.");
    assert_eq!(problem["errors"]["name"], "Ange organets namn.");

    let malformed = app
        .client()
        .post(app.url("/api/v1/bodies"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{inte json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status().as_u16() / 100, 4, "bad JSON is a 4xx, never a 500");
    let problem: Value = malformed.json().await.unwrap();
    assert!(problem["title"].is_string());

    let people: Value = api.get("/people?q=karin").await.json().await.unwrap();
    assert_eq!(people["total"], 1);
    assert_eq!(api.send(Method::DELETE, &format!("/bodies/{id}"), json!({})).await.status(), 204);
}

#[tokio::test]
async fn the_api_refuses_missing_wrong_and_underprivileged_tokens() {
    let app = TestApp::spawn().await;
    assert_eq!(app.client().get(app.url("/api/v1/me")).send().await.unwrap().status(), 401);
    let wrong = app.api("lisa_fel").get("/me").await;
    assert_eq!(wrong.status(), 401);
    let problem: Value = wrong.json().await.unwrap();
    assert_eq!(problem["status"], 401);

    let employee = app.api_token("medarbetare@exempelby.se", app.exempelby).await;
    let api = app.api(&employee);
    assert_eq!(api.get("/bodies").await.status(), 200, "everyone with a role reads the organisation");
    assert_eq!(api.send(Method::POST, "/bodies", json!({"kind": "namnd", "name": "X"})).await.status(), 403);
    assert_eq!(api.get("/users").await.status(), 403);
    assert_eq!(api.get("/audit-log").await.status(), 403);
    assert_eq!(api.get("/municipalities").await.status(), 403);

    let admin = app.api_token("admin@exempelby.se", app.exempelby).await;
    let created = app
        .api(&admin)
        .send(
            Method::POST,
            "/municipalities",
            json!({"name": "Nyby kommun", "org_number": "2120000159", "county": "Skåne län"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let body: Value = created.json().await.unwrap();
    assert_eq!(body["org_number"], "212000-0159");

    sqlx::query("UPDATE api_tokens SET revoked_at = now()").execute(app.pool()).await.unwrap();
    // Announced by PostgreSQL when the update commits, and heard a moment later: at once here.
    lisa::auth::session::forget_identities(&app.state, None);
    assert_eq!(api.get("/bodies").await.status(), 401, "revoked");
}

#[tokio::test]
async fn the_openapi_document_covers_every_api_route() {
    let app = TestApp::spawn().await;
    let document: Value = app.client().get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    let paths = document["paths"].as_object().unwrap();
    let expected = [
        ("/me", "get"),
        ("/bodies", "get"),
        ("/bodies", "post"),
        ("/bodies/{id}", "get"),
        ("/bodies/{id}", "put"),
        ("/bodies/{id}", "delete"),
        ("/units", "post"),
        ("/units/{id}", "delete"),
        ("/people", "get"),
        ("/people/{id}", "put"),
        ("/users", "post"),
        ("/users/{id}/grants", "post"),
        ("/users/{id}/grants/{grant_id}", "delete"),
        ("/municipalities", "post"),
        ("/municipalities/{id}", "put"),
        ("/audit-log", "get"),
    ];
    for (path, method) in expected {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} is documented");
    }
    let mut ids: Vec<&str> = paths
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let operations = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), operations, "every operation has its own id");
    // And every documented route answers (not 404/405) for an administrator.
    let token = app.api_token("admin@exempelby.se", app.exempelby).await;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let concrete = path
                .replace("{id}", &uuid::Uuid::nil().to_string())
                .replace("{grant_id}", &uuid::Uuid::nil().to_string());
            let response = app
                .client()
                .request(method.to_uppercase().parse().unwrap(), app.url(&format!("/api/v1{concrete}")))
                .bearer_auth(&token)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_ne!(response.status(), 405, "{method} {path} is routed");
            if !path.contains('{') {
                assert_ne!(response.status(), 404, "{method} {path} is routed");
            }
        }
    }
}
