//! The organisation pages: who may do what, validation that keeps input, CSV, search.

use crate::support::{TestApp, body_id_by_name};

#[tokio::test]
async fn each_role_is_refused_where_it_must_be() {
    let app = TestApp::spawn().await;
    let bildning = body_id_by_name(app.pool(), app.exempelby, "Bildningsnämnden").await;
    let edit = format!("/org/bodies/{bildning}/edit");
    let delete = format!("/org/bodies/{bildning}/delete");
    // (path, roles that may open it)
    let pages: Vec<(&str, &[&str])> = vec![
        ("/", &["admin", "samordnare", "systemagare", "revisor", "ledamot", "medarbetare"]),
        ("/org", &["admin", "samordnare", "systemagare", "revisor", "ledamot", "medarbetare"]),
        ("/org/people", &["admin", "samordnare"]),
        ("/org/bodies/new", &["admin", "samordnare"]),
        (&edit, &["admin", "samordnare"]),
        (&delete, &["admin", "samordnare"]),
        ("/org/users", &["admin", "samordnare"]),
        ("/org/users/new", &["admin", "samordnare"]),
        ("/audit-log", &["admin", "samordnare", "revisor"]),
        ("/audit-log.csv", &["admin", "samordnare", "revisor"]),
        ("/admin/municipalities", &["admin"]),
        ("/admin/municipalities/new", &["admin"]),
    ];
    for who in ["admin", "samordnare", "systemagare", "revisor", "ledamot", "medarbetare"] {
        let client = app.login(&format!("{who}@exempelby.se")).await;
        for (path, allowed) in &pages {
            let status = app.get(&client, path).await.status().as_u16();
            let expected = if allowed.contains(&who) { 200 } else { 403 };
            assert_eq!(status, expected, "{who} GET {path}");
        }
        // No one but the coordinator and the administrator may change the organisation.
        let create =
            app.post_form(&client, "/org/bodies", &[("kind", "namnd"), ("name", &format!("Nämnd av {who}"))]).await;
        let expected = if ["admin", "samordnare"].contains(&who) { 303 } else { 403 };
        assert_eq!(create.status().as_u16(), expected, "{who} POST /org/bodies");
    }
    let anonymous = app.client();
    let response = app.get(&anonymous, "/org").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login?next=%2Forg");
}

#[tokio::test]
async fn a_body_is_created_edited_and_deleted_through_the_forms() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let created =
        app.post_form(&client, "/org/bodies", &[("kind", "gemensam_namnd"), ("name", "Gemensamma IT-nämnden")]).await;
    assert_eq!(created.status(), 303);
    let overview = app.get(&client, "/org").await.text().await.unwrap();
    assert!(overview.contains("Gemensamma IT-nämnden har lagts till."), "flash message");
    assert!(overview.contains("Gemensamma IT-nämnden") && overview.contains("Gemensam nämnd"));
    let id = body_id_by_name(app.pool(), app.exempelby, "Gemensamma IT-nämnden").await;

    let renamed = app
        .post_form(&client, &format!("/org/bodies/{id}"), &[("kind", "gemensam_namnd"), ("name", "IT-nämnden")])
        .await;
    assert_eq!(renamed.status(), 303);
    let page = app.get(&client, &format!("/org/bodies/{id}")).await.text().await.unwrap();
    assert!(page.contains("<h1>IT-nämnden</h1>"));
    assert!(page.contains("Gemensamma IT-nämnden") && page.contains("Historik"), "history shows the old name");

    let confirm = app.get(&client, &format!("/org/bodies/{id}/delete")).await.text().await.unwrap();
    assert!(confirm.contains("Ta bort IT-nämnden?"));
    let deleted = app.post_form(&client, &format!("/org/bodies/{id}/delete"), &[]).await;
    assert_eq!(deleted.status(), 303);
    assert_eq!(app.get(&client, &format!("/org/bodies/{id}")).await.status(), 404);
}

#[tokio::test]
async fn bad_input_gets_swedish_messages_and_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let response = app
        .post_form(
            &client,
            "/org/bodies",
            &[("kind", "bolagsstyrelse"), ("name", "Styrelsen för Exempelby Energi"), ("company_name", "")],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("Ange bolagets namn för en bolagsstyrelse."));
    assert!(html.contains("value=\"Styrelsen för Exempelby Energi\""), "the name is kept");
    assert!(html.contains("<option value=\"bolagsstyrelse\" selected>"), "the kind is kept");
    assert!(html.contains("aria-invalid=\"true\""));

    let duplicate = app.post_form(&client, "/org/bodies", &[("kind", "ks"), ("name", "Kommunstyrelsen 2")]).await;
    assert_eq!(duplicate.status(), 422);
    assert!(duplicate.text().await.unwrap().contains("Kommunen har redan ett organ av den sorten."));

    let same_name = app.post_form(&client, "/org/bodies", &[("kind", "namnd"), ("name", "Bildningsnämnden")]).await;
    assert!(same_name.text().await.unwrap().contains("Det finns redan ett organ med det namnet."));

    // A form with fields missing altogether is still answered with a page, never a 500.
    let garbage = app.post_form(&client, "/org/units", &[("body_id", "inte-ett-id")]).await;
    assert_eq!(garbage.status(), 422);

    let in_use = body_id_by_name(app.pool(), app.exempelby, "Kommunstyrelsen").await;
    let refused = app.post_form(&client, &format!("/org/bodies/{in_use}/delete"), &[]).await;
    assert_eq!(refused.status(), 409);
    assert!(refused.text().await.unwrap().contains("kan inte tas bort"));
}

#[tokio::test]
async fn people_are_searched_paged_and_exported() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    for i in 0..55 {
        let created = app
            .post_form(
                &client,
                "/org/people",
                &[("name", &format!("Testperson {i:02}")), ("title", "Handläggare"), ("email", ""), ("unit_id", "")],
            )
            .await;
        assert_eq!(created.status(), 303);
    }
    let first = app.get(&client, "/org/people?q=testperson").await.text().await.unwrap();
    assert!(first.contains("55 personer.") && first.contains("Sida 1 av 2"));
    assert!(first.contains(">Testperson 00</a>") && !first.contains(">Testperson 54</a>"));
    let second = app.get(&client, "/org/people?q=testperson&page=2").await.text().await.unwrap();
    assert!(second.contains(">Testperson 54</a>") && !second.contains(">Testperson 00</a>"));

    let csv = app.get(&client, "/org/people.csv?q=karin").await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    assert_eq!(
        text.trim_start_matches('\u{feff}'),
        "Namn;Titel;E-post;Enhet;Har konto\nKarin Ström;Dataskyddsombud;karin.strom@exempelby.se;Kommunledningsförvaltningen;Nej\n"
    );
    let empty = app.get(&client, "/org/people?q=ingen-sådan").await.text().await.unwrap();
    assert!(empty.contains("Ingen person matchar"));
}

#[tokio::test]
async fn accounts_with_roles_are_searched_and_paged() {
    let app = TestApp::spawn().await;
    sqlx::query(
        "WITH made AS (INSERT INTO users (id, email, display_name, password_hash)
                       SELECT gen_random_uuid(), 'konto' || i || '@exempelby.se', 'Konto ' || lpad(i::text, 2, '0'), 'x'
                         FROM generate_series(1, 55) i RETURNING id)
         INSERT INTO role_grants (id, municipality_id, user_id, role) SELECT gen_random_uuid(), $1, id, 'medarbetare' FROM made",
    )
    .bind(app.exempelby)
    .execute(app.pool())
    .await
    .unwrap();
    let client = app.login("samordnare@exempelby.se").await;
    let first = app.get(&client, "/org/users?q=konto").await.text().await.unwrap();
    assert!(first.contains("55 konton.") && first.contains("Sida 1 av 2"), "{first}");
    assert!(first.contains(">Konto 01</a>") && !first.contains(">Konto 55</a>"));
    let second = app.get(&client, "/org/users?q=konto&page=2").await.text().await.unwrap();
    assert!(second.contains(">Konto 55</a>") && !second.contains(">Konto 01</a>"));
    let api = app.coordinator_api().await;
    let page = api.get("/users?q=KONTO5&limit=3").await;
    assert_eq!(page.headers()["x-total-count"], "7", "konto5@ and konto50@–konto55@");
    let names: serde_json::Value = page.json().await.unwrap();
    assert_eq!(names[0]["display_name"], "Konto 05");
    let other = app.annanstad().await;
    let annan = app.api(&app.api_token("samordnare@annanstad.se", other.municipality).await);
    let theirs = annan.get("/users?q=konto").await;
    assert_eq!(theirs.headers()["x-total-count"], "0", "accounts with roles elsewhere are not listed");
}

#[tokio::test]
async fn the_coordinator_grants_roles_to_new_and_existing_accounts() {
    let app = TestApp::spawn().await;
    let other = app.annanstad().await;
    let client = app.login("samordnare@exempelby.se").await;
    let created = app
        .post_form(
            &client,
            "/org/users",
            &[
                ("email", "ny.agare@exempelby.se"),
                ("display_name", "Nora Ny"),
                ("role", "systemagare"),
                ("body_id", ""),
            ],
        )
        .await;
    // Without mail, the coordinator is shown the one-time link for Nora to choose her password.
    assert_eq!(created.status(), 200);
    let page = created.text().await.unwrap();
    let start = page.find("/password-reset/").expect("the first-password link is shown once");
    let path = page[start..].split('<').next().unwrap().to_string();
    let nora_browser = app.client();
    let csrf = crate::support::csrf_in(&app.get(&nora_browser, &path).await.text().await.unwrap()).unwrap();
    let chosen = nora_browser
        .post(app.url(&path))
        .form(&[("csrf_token", csrf.as_str()), ("new", "noras-eget-lösenord"), ("repeat", "noras-eget-lösenord")])
        .send()
        .await
        .unwrap();
    assert_eq!(chosen.status(), 303);
    let nora = app.try_login(&app.client(), "ny.agare@exempelby.se", "noras-eget-lösenord").await;
    assert_eq!(nora.headers()["location"], "/invitations", "a new account starts by accepting its role");

    // Annanstad's coordinator is invited to be an auditor in Exempelby: one account, two
    // municipalities, once they have accepted.
    let shared = app
        .post_form(
            &client,
            "/org/users",
            &[
                ("email", "samordnare@annanstad.se"),
                ("display_name", "Anna Revisor"),
                ("role", "revisor"),
                ("body_id", ""),
            ],
        )
        .await;
    assert_eq!(shared.status(), 303);
    let annan = app.client();
    let login = app.try_login(&annan, "samordnare@annanstad.se", crate::support::DEMO_PASSWORD).await;
    assert_eq!(login.headers()["location"], "/invitations", "the invitation comes first");
    let invitations = app.get(&annan, "/invitations").await.text().await.unwrap();
    assert!(invitations.contains("Revisor i Exempelby kommun"), "{invitations}");
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM invitations WHERE email = 'samordnare@annanstad.se'")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let waiting = "inbjudan till samordnare@annanstad.se";
    // The first view shows the message the invitation left; the second is kept as a copy.
    for _ in 0..2 {
        assert!(app.get(&client, "/org/users").await.text().await.unwrap().contains(waiting));
    }
    let accepted = app.post_form(&annan, &format!("/invitations/{id}"), &[("answer", "ja")]).await;
    assert_eq!(accepted.status(), 303);
    let users = app.get(&client, "/org/users").await.text().await.unwrap();
    assert!(!users.contains(waiting), "Exempelby's list shows the answer at once, though Annanstad's user gave it");
    let home = app.get(&annan, "/").await.text().await.unwrap();
    assert!(home.contains("Annanstad kommun") && home.contains("Exempelby kommun"), "the switcher lists both");
    let switched = app.post_form(&annan, "/municipality", &[("municipality_id", &app.exempelby.to_string())]).await;
    assert_eq!(switched.headers()["location"], "/", "the switch lands on the start page");
    assert_eq!(app.get(&annan, "/").await.status(), 200);
    let exempelby_org = app.get(&annan, "/org").await.text().await.unwrap();
    assert!(exempelby_org.contains("Bildningsnämnden"));
    assert_eq!(app.get(&annan, "/org/users").await.status(), 403, "a revisor in Exempelby");
    // It cannot switch to a municipality it has no role in.
    let third = app.post_form(&client, "/municipality", &[("municipality_id", &other.municipality.to_string())]).await;
    assert_eq!(third.status(), 403);

    let bad = app
        .post_form(
            &client,
            "/org/users",
            &[("email", "inte-en-adress"), ("display_name", ""), ("role", "kung"), ("body_id", "")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    for message in ["Ange en giltig e-postadress", "Välj en roll.", "Ange namnet."] {
        assert!(html.contains(message), "{message}");
    }
}

#[tokio::test]
async fn only_the_coordinator_reads_the_staff_directory_and_board_members_no_evidence() {
    let app = TestApp::spawn().await;
    for email in
        ["medarbetare@exempelby.se", "revisor@exempelby.se", "ledamot@exempelby.se", "systemagare@exempelby.se"]
    {
        let client = app.login(email).await;
        for path in ["/org/people", "/org/people.csv"] {
            assert_eq!(app.get(&client, path).await.status(), 403, "{email} {path}");
        }
        let api = app.api(&app.api_token(email, app.exempelby).await);
        assert_eq!(api.get("/people").await.status(), 403, "{email} /api/v1/people");
    }
    let coordinator = app.login("samordnare@exempelby.se").await;
    assert_eq!(app.get(&coordinator, "/org/people.csv").await.status(), 200);

    let action: uuid::Uuid = sqlx::query_scalar("SELECT id FROM actions LIMIT 1").fetch_one(app.pool()).await.unwrap();
    let token = app.api_token("samordnare@exempelby.se", app.exempelby).await;
    let attached = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/actions/{action}/files?file_name=protokoll.txt")))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("Protokoll från återläsningstestet.")
        .send()
        .await
        .unwrap();
    assert_eq!(attached.status(), 200);
    let file: uuid::Uuid = sqlx::query_scalar("SELECT id FROM action_files WHERE action_id = $1")
        .bind(action)
        .fetch_one(app.pool())
        .await
        .unwrap();
    let board = app.login("ledamot@exempelby.se").await;
    assert_eq!(app.get(&board, &format!("/actions/{action}/files/{file}")).await.status(), 403);
    let auditor = app.login("revisor@exempelby.se").await;
    assert_eq!(app.get(&auditor, &format!("/actions/{action}/files/{file}")).await.status(), 200);
}

#[tokio::test]
async fn a_person_responsible_for_something_is_not_deleted_but_told_why() {
    let app = TestApp::spawn().await;
    let owner: uuid::Uuid = sqlx::query_scalar(
        "SELECT owner_person_id FROM actions WHERE municipality_id = $1 AND owner_person_id IS NOT NULL LIMIT 1",
    )
    .bind(app.exempelby)
    .fetch_one(app.pool())
    .await
    .unwrap();
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let refused = coordinator.send(reqwest::Method::DELETE, &format!("/people/{owner}"), serde_json::json!({})).await;
    assert_eq!(refused.status(), 409);
    let problem: serde_json::Value = refused.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("lämnats över"), "{problem}");
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM people WHERE id = $1")
        .bind(owner)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(kept, 1);
}
