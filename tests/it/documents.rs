//! Governing documents: reviews falling due, conflicting responsible bodies, drafts, files,
//! permissions and tenant isolation.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::TestApp;

async fn document_id(app: &TestApp, title: &str) -> Uuid {
    app.id_of("SELECT id FROM documents WHERE municipality_id = $1 AND title = $2", title).await
}

#[tokio::test]
async fn an_overdue_policy_is_flagged_until_its_review_is_recorded() {
    let app = TestApp::spawn().await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let policy = document_id(&app, "Informationssäkerhetspolicy").await;
    let before: Value = coordinator.get(&format!("/documents/{policy}")).await.json().await.unwrap();
    assert_eq!((before["next_review"].as_str(), before["review_overdue"].as_bool()), (Some("2024-05-26"), Some(true)));
    assert_eq!(before["decision_reference"], "KS 2021-05-26 § 177");

    let client = app.login("samordnare@exempelby.se").await;
    let csv = app.get(&client, "/documents.csv?attention=forsenad").await.text().await.unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.contains("Informationssäkerhetspolicy;Policy;Gällande;Kommunstyrelsen;2021-05-26"));
    assert_eq!(app.post_form(&client, &format!("/documents/{policy}/reviewed"), &[]).await.status(), 303);
    let after: Value = coordinator.get(&format!("/documents/{policy}")).await.json().await.unwrap();
    let today = lisa::web::format::today();
    let expected = today.checked_add_months(chrono::Months::new(36)).unwrap().format("%Y-%m-%d").to_string();
    assert_eq!(
        (after["next_review"].as_str(), after["review_overdue"].as_bool()),
        (Some(expected.as_str()), Some(false))
    );
    let logged: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE entity_type = 'document' AND entity_id = $1")
            .bind(policy)
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(logged, 2, "created, then reviewed");
}

#[tokio::test]
async fn documents_naming_different_responsible_bodies_are_shown_as_a_conflict_and_can_be_flagged() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let page = app.get(&client, "/documents").await.text().await.unwrap();
    let warning = page.split("id=\"responsibility-conflict\"").nth(1).expect("the conflict is shown");
    let warning = warning.split("</section>").next().unwrap();
    assert!(warning.contains("Kommunstyrelsen") && warning.contains("Kommunfullmäktige"), "{warning}");

    // Once the guideline names the same body, the conflict is gone; the coordinator's own flag stays until cleared.
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let guideline = document_id(&app, "Riktlinje för informationssäkerhet").await;
    let mut form: Value = coordinator.get(&format!("/documents/{guideline}")).await.json().await.unwrap();
    let ks = crate::support::body_id_by_name(app.pool(), app.exempelby, "Kommunstyrelsen").await;
    form["responsible_body_id"] = json!(ks.to_string());
    for key in ["decided_by_body_id", "owner_person_id"] {
        form[key] = json!(form[key].as_str().unwrap_or(""));
    }
    form["decided_on"] = json!(form["decided_on"].as_str().unwrap());
    form["review_interval_months"] = json!("36");
    form["last_reviewed_on"] = json!("");
    assert_eq!(coordinator.send(Method::PUT, &format!("/documents/{guideline}"), form).await.status(), 200);
    let page = app.get(&client, "/documents").await.text().await.unwrap();
    assert!(!page.contains("id=\"responsibility-conflict\""));
    let flagged = app.get(&client, "/documents.csv?attention=motstridig").await.text().await.unwrap();
    assert!(flagged.contains("Riktlinje för informationssäkerhet"));
    app.post_form(&client, &format!("/documents/{guideline}/conflict"), &[("conflict_note", "")]).await;
    let flagged = app.get(&client, "/documents.csv?attention=motstridig").await.text().await.unwrap();
    assert_eq!(flagged.lines().count(), 1, "{flagged}");
}

#[tokio::test]
async fn everyone_reads_documents_in_force_but_only_the_coordinator_and_owners_change_them() {
    let app = TestApp::spawn().await;
    let employee = app.api(&app.api_token("medarbetare@exempelby.se", app.exempelby).await);
    let seen: Value = employee.get("/documents").await.json().await.unwrap();
    let titles: Vec<&str> = seen.as_array().unwrap().iter().map(|d| d["title"].as_str().unwrap()).collect();
    assert!(titles.contains(&"Rutin för incidenthantering"));
    assert!(!titles.contains(&"Instruktion för behörighetsgranskning"), "drafts stay with those who write them");
    let draft = document_id(&app, "Instruktion för behörighetsgranskning").await;
    assert_eq!(employee.get(&format!("/documents/{draft}")).await.status(), 403);
    let new = json!({"title": "Rutin för loggning", "kind": "rutin", "status": "utkast"});
    assert_eq!(employee.send(Method::POST, "/documents", new.clone()).await.status(), 403);
    let policy = document_id(&app, "Informationssäkerhetspolicy").await;
    let client = app.login("medarbetare@exempelby.se").await;
    assert_eq!(app.post_form(&client, &format!("/documents/{policy}/reviewed"), &[]).await.status(), 403);
    assert_eq!(
        app.post_form(&client, &format!("/documents/{policy}/conflict"), &[("conflict_note", "x")]).await.status(),
        403
    );

    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    assert_eq!(coordinator.send(Method::POST, "/documents", new.clone()).await.status(), 201);
    let taken: Value = coordinator.send(Method::POST, "/documents", new).await.json().await.unwrap();
    assert_eq!(taken["errors"]["title"], "Det finns redan ett styrdokument med den titeln.");
    let bad = json!({"title": "Policy", "kind": "manifest", "link_url": "intranätet"});
    let refused: Value = coordinator.send(Method::POST, "/documents", bad).await.json().await.unwrap();
    assert_eq!(refused["errors"]["kind"], "Välj slag av styrdokument.");
    assert_eq!(refused["errors"]["decided_on"], "Ange när ett gällande dokument beslutades.");
    assert_eq!(refused["errors"]["link_url"], "Ange en webbadress som börjar med https://.");

    // A document in force is not deleted, a draft is (after a confirmation page).
    let coordinator_page = app.login("samordnare@exempelby.se").await;
    assert_eq!(app.post_form(&coordinator_page, &format!("/documents/{policy}/delete"), &[]).await.status(), 409);
    let confirm = app.get(&coordinator_page, &format!("/documents/{draft}/delete")).await.text().await.unwrap();
    assert!(confirm.contains("Ta bort styrdokumentet Instruktion för behörighetsgranskning?"));
    assert_eq!(app.post_form(&coordinator_page, &format!("/documents/{draft}/delete"), &[]).await.status(), 303);
    assert_eq!(coordinator.get(&format!("/documents/{draft}")).await.status(), 404);
}

#[tokio::test]
async fn an_uploaded_document_is_downloaded_as_an_attachment_and_never_by_another_municipality() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let policy = document_id(&app, "Informationssäkerhetspolicy").await;
    let token = app.csrf(&client, &format!("/documents/{policy}")).await;
    let upload = |name: &'static str, kind: &'static str, bytes: Vec<u8>| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name).mime_str(kind).unwrap();
        let form = reqwest::multipart::Form::new().text("csrf_token", token.clone()).part("file", part);
        client.post(app.url(&format!("/documents/{policy}/file"))).multipart(form).send()
    };
    // The promised 20 MB, like every other upload.
    let large = upload("stor.pdf", "application/pdf", vec![b'%'; 19 * 1024 * 1024]).await.unwrap();
    assert_eq!(large.status(), 303, "a 19 MB document is accepted");
    // Whatever a client claims, only documents, images and text are served as themselves.
    assert_eq!(upload("sida.html", "text/html", b"<script>alert(1)</script>".to_vec()).await.unwrap().status(), 303);
    let html = app.get(&client, &format!("/documents/{policy}/file")).await;
    assert_eq!(html.headers()["content-type"], "application/octet-stream");
    let uploaded = upload("policy\u{202e}fdp.exe", "application/pdf", b"%PDF-1.4 policy".to_vec()).await.unwrap();
    assert_eq!(uploaded.status(), 303);
    let download = app.get(&client, &format!("/documents/{policy}/file")).await;
    assert_eq!(download.status(), 200);
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"policyfdp.exe\""),
        "direction marks are taken out of the name"
    );
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert_eq!(download.bytes().await.unwrap().as_ref(), b"%PDF-1.4 policy");

    let other = app.annanstad().await;
    let stranger = app.login("samordnare@annanstad.se").await;
    for path in
        [format!("/documents/{policy}"), format!("/documents/{policy}/file"), format!("/documents/{policy}/edit")]
    {
        assert_eq!(app.get(&stranger, &path).await.status(), 404, "{path}");
    }
    assert_eq!(app.post_form(&stranger, &format!("/documents/{policy}/reviewed"), &[]).await.status(), 404);
    let annan = app.api(&app.api_token("samordnare@annanstad.se", other.municipality).await);
    assert_eq!(annan.get("/documents").await.text().await.unwrap(), "[]");
    let form = json!({"title": "Kapad", "kind": "policy", "status": "utkast"});
    assert_eq!(annan.send(Method::PUT, &format!("/documents/{policy}"), form).await.status(), 404);
}

#[tokio::test]
async fn the_register_filters_in_postgresql_by_the_rules_the_pages_show() {
    use lisa::documents::store::{Filter, Reader, all_matching, list, page};
    let app = TestApp::spawn().await;
    let m = app.exempelby;
    let today = lisa::web::format::today();
    // Edges: a review due today (not overdue) and one due yesterday, a draft owned by the
    // system owner, a document neither decided nor reviewed, one repealed and long overdue.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "INSERT INTO documents (id, municipality_id, title, kind, decided_on, review_interval_months, status, owner_person_id)
         VALUES (gen_random_uuid(), '{m}', 'Due today', 'rutin', DATE '{today}' - interval '12 months', 12, 'gallande', NULL),
                (gen_random_uuid(), '{m}', 'Due yesterday', 'rutin', DATE '{today}' - interval '12 months' - interval '1 day', 12, 'gallande', NULL),
                (gen_random_uuid(), '{m}', 'Owned draft', 'rutin', NULL, 12, 'utkast',
                 (SELECT p.id FROM people p JOIN users u ON u.id = p.user_id WHERE u.email = 'systemagare@exempelby.se')),
                (gen_random_uuid(), '{m}', 'Never decided', 'policy', NULL, 12, 'gallande', NULL),
                (gen_random_uuid(), '{m}', 'Repealed', 'policy', DATE '2001-01-01', 12, 'upphavd', NULL);"
    )))
    .execute(app.pool())
    .await
    .unwrap();
    let owner: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = 'systemagare@exempelby.se'")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let mut db = app.pool().acquire().await.unwrap();
    let all = list(&mut *db, m).await.unwrap();
    let titles = |docs: &[lisa::documents::store::Document]| docs.iter().map(|d| d.title.clone()).collect::<Vec<_>>();
    for reader in
        [Reader { user_id: owner, sees_every_draft: false }, Reader { user_id: owner, sees_every_draft: true }]
    {
        let visible: Vec<_> = all
            .iter()
            .filter(|d| {
                d.status != lisa::documents::model::Status::Utkast || reader.sees_every_draft || d.is_owned_by(owner)
            })
            .collect();
        for attention in ["", "forsenad", "motstridig"] {
            for status in ["", "utkast", "gallande"] {
                let filter = Filter { attention: attention.into(), status: status.into(), ..Filter::default() };
                let expected: Vec<_> =
                    visible.iter().filter(|d| filter.keeps(d, today)).map(|d| (*d).clone()).collect();
                let found = all_matching(&mut db, m, &filter, reader, today).await.unwrap();
                assert_eq!(titles(&found), titles(&expected), "{reader:?} {attention:?} {status:?}");
            }
        }
        let overdue = visible.iter().filter(|d| d.is_review_overdue(today)).count() as i64;
        let first = lisa::web::pagination::Asked { page: 1, per_page: 2 };
        let (_, pager, counted) = page(&mut db, m, &Filter::default(), reader, today, first).await.unwrap();
        assert_eq!((pager.total, counted), (visible.len() as i64, overdue));
    }
    let overdue = Filter { attention: "forsenad".into(), ..Filter::default() };
    let overdue = titles(
        &all_matching(&mut db, m, &overdue, Reader { user_id: owner, sees_every_draft: true }, today).await.unwrap(),
    );
    assert!(overdue.contains(&"Due yesterday".to_string()) && !overdue.contains(&"Due today".to_string()));
}
