//! Accounts and API tokens over their life: tokens with a lifetime and a scope, revoked by
//! their owner or the coordinator; an account disabled and enabled again, its sessions ended,
//! a one-time link to a new password — each in the change log.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::mail_sink::{decoded, mail_to, smtp_sink};
use crate::support::{DEMO_PASSWORD, TestApp, csrf_in};

/// The token shown once on the page after it was made.
fn shown_token(html: &str) -> String {
    let start = html.find("lisa_").expect("the new token is shown");
    html[start..].split('<').next().unwrap().to_string()
}

async fn account_id(app: &TestApp, email: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(email).fetch_one(app.pool()).await.unwrap()
}

async fn logged(app: &TestApp, entity_type: &str, id: Uuid) -> Vec<Value> {
    sqlx::query_scalar("SELECT after FROM audit_log WHERE entity_type = $1 AND entity_id = $2 ORDER BY id")
        .bind(entity_type)
        .bind(id)
        .fetch_all(app.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_read_only_token_made_on_the_page_reads_is_refused_changes_and_is_revoked_by_its_owner() {
    let app = TestApp::spawn().await;
    let owner = app.login("systemagare@exempelby.se").await;
    let refused = app
        .post_form(&owner, "/account/tokens", &[("name", " "), ("expires_in_days", "400"), ("read_only", "true")])
        .await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("Ge nyckeln ett namn") && page.contains("från 1 till 365"), "Swedish messages");
    assert!(!page.contains("lisa_"), "nothing made");

    let made = app
        .post_form(&owner, "/account/tokens", &[("name", "Power BI"), ("expires_in_days", "30"), ("read_only", "true")])
        .await;
    assert_eq!(made.status(), 200);
    let token = shown_token(&made.text().await.unwrap());
    let again = app.get(&owner, "/account/tokens").await.text().await.unwrap();
    assert!(again.contains("Power BI") && again.contains("Läsa") && !again.contains(&token), "shown only once");

    let api = app.api(&token);
    assert_eq!(api.get("/systems").await.status(), 200, "it reads");
    let change =
        api.send(Method::POST, "/incidents", json!({"title": "Test", "discovered_at": "2026-01-01T10:00"})).await;
    assert_eq!(change.status(), 403);
    assert!(change.text().await.unwrap().contains("får bara läsa"));

    let listed: Value = api.get("/tokens").await.json().await.unwrap();
    let mine = &listed.as_array().unwrap()[0];
    assert_eq!(
        (mine["name"].as_str(), mine["read_only"].as_bool(), mine["state"].as_str()),
        (Some("Power BI"), Some(true), Some("giltig"))
    );
    assert!(mine["last_used_at"].is_string(), "its use is shown: {mine}");
    assert!(!listed.to_string().contains(&token), "never the token itself");
    let id: Uuid = mine["id"].as_str().unwrap().parse().unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(mine["expires_at"].as_str().unwrap()).unwrap();
    let days = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours() as f64 / 24.0;
    assert!((29.9..=30.0).contains(&days), "30 days: {days}");

    let confirm = app.get(&owner, &format!("/account/tokens/{id}/revoke")).await.text().await.unwrap();
    assert!(confirm.contains("Återkalla API-nyckeln ”Power BI”"));
    let revoked = app.post_form(&owner, &format!("/account/tokens/{id}/revoke"), &[]).await;
    assert_eq!(revoked.status(), 303);
    assert_eq!(api.get("/systems").await.status(), 401, "a revoked token opens nothing");
    let entries = logged(&app, "api_token", id).await;
    assert_eq!(entries.len(), 2, "made and revoked: {entries:?}");
    assert_eq!(entries[1]["Status"], "Återkallad");
}

#[tokio::test]
async fn an_expired_token_opens_nothing_and_only_its_owner_or_the_coordinator_revokes_one() {
    let app = TestApp::spawn().await;
    let token = app.api_token("medarbetare@exempelby.se", app.exempelby).await;
    let api = app.api(&token);
    assert_eq!(api.get("/tokens").await.status(), 200);
    let id: Uuid = sqlx::query_scalar("SELECT id FROM api_tokens WHERE token_hash = $1")
        .bind(lisa::auth::session::token_hash(&token))
        .fetch_one(app.pool())
        .await
        .unwrap();

    // Someone else in the municipality may not even find it; the coordinator revokes it.
    let colleague = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    assert_eq!(colleague.send(Method::DELETE, &format!("/tokens/{id}"), json!({})).await.status(), 404);
    let other = app.annanstad().await;
    let elsewhere = app.api(&app.api_token("samordnare@annanstad.se", other.municipality).await);
    assert_eq!(elsewhere.send(Method::DELETE, &format!("/tokens/{id}"), json!({})).await.status(), 404);
    let coordinator = app.login("samordnare@exempelby.se").await;
    let user_id = account_id(&app, "medarbetare@exempelby.se").await;
    let user_page = app.get(&coordinator, &format!("/org/users/{user_id}")).await.text().await.unwrap();
    assert!(user_page.contains(&format!("/account/tokens/{id}/revoke")), "the coordinator sees the user's tokens");
    let revoked = app.post_form(&coordinator, &format!("/account/tokens/{id}/revoke"), &[]).await;
    assert_eq!(revoked.headers()["location"], format!("/org/users/{user_id}").as_str());
    assert_eq!(api.get("/tokens").await.status(), 401);

    let second = app.api_token("medarbetare@exempelby.se", app.exempelby).await;
    sqlx::query("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1")
        .bind(lisa::auth::session::token_hash(&second))
        .execute(app.pool())
        .await
        .unwrap();
    assert_eq!(app.api(&second).get("/tokens").await.status(), 401, "an expired token opens nothing");
}

#[tokio::test]
async fn the_coordinator_takes_a_leavers_access_away_in_one_place_and_gives_it_back() {
    let app = TestApp::spawn().await;
    let leaver = app.login("medarbetare@exempelby.se").await;
    let token = app.api_token("medarbetare@exempelby.se", app.exempelby).await;
    let user_id = account_id(&app, "medarbetare@exempelby.se").await;
    let coordinator = app.login("samordnare@exempelby.se").await;

    let page = app.get(&coordinator, &format!("/org/users/{user_id}")).await.text().await.unwrap();
    assert!(page.contains("Senast inloggad") && page.contains("med lösenord"), "when and how they last signed in");
    assert!(page.contains("I en webbläsare"), "where they are signed in now");
    let confirm = app.get(&coordinator, &format!("/org/users/{user_id}/disable")).await.text().await.unwrap();
    assert!(confirm.contains("Stänga av kontot för Anna Nilsson?"));
    let disabled = app.post_form(&coordinator, &format!("/org/users/{user_id}/disable"), &[]).await;
    assert_eq!(disabled.status(), 303);

    assert_eq!(app.get(&leaver, "/").await.status(), 303, "the session is gone");
    assert_eq!(app.api(&token).get("/tokens").await.status(), 401, "the token is revoked");
    let again = app.try_login(&app.client(), "medarbetare@exempelby.se", DEMO_PASSWORD).await;
    assert_eq!(again.status(), 401, "and no new login");
    let page = app.get(&coordinator, &format!("/org/users/{user_id}")).await.text().await.unwrap();
    assert!(page.contains("Avstängd") && page.contains("Öppna kontot igen") && page.contains("Återkallad"));
    assert!(page.contains("<dt>Inloggad just nu</dt><dd>Nej</dd>"), "and sees the sessions are gone");
    let entries = logged(&app, "user", user_id).await;
    assert_eq!(entries.last().unwrap()["Status"], "Avstängd", "{entries:?}");

    let enabled = app.post_form(&coordinator, &format!("/org/users/{user_id}/enable"), &[]).await;
    assert_eq!(enabled.status(), 303);
    assert_eq!(app.try_login(&app.client(), "medarbetare@exempelby.se", DEMO_PASSWORD).await.status(), 303);
    assert_eq!(app.api(&token).get("/tokens").await.status(), 401, "revoked tokens stay revoked");

    // Ending sessions leaves the account open.
    let again = app.login("medarbetare@exempelby.se").await;
    let ended = app.post_form(&coordinator, &format!("/org/users/{user_id}/sessions/end"), &[]).await;
    assert_eq!(ended.status(), 303);
    assert_eq!(app.get(&again, "/").await.status(), 303, "signed out");
    assert_eq!(app.try_login(&app.client(), "medarbetare@exempelby.se", DEMO_PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn an_account_that_works_in_another_municipality_is_the_system_administrators_to_disable() {
    let app = TestApp::spawn().await;
    let other = app.annanstad().await;
    let user_id = account_id(&app, "revisor@exempelby.se").await;
    sqlx::query("INSERT INTO role_grants (id, user_id, municipality_id, role) VALUES ($1, $2, $3, 'revisor')")
        .bind(Uuid::new_v4())
        .bind(user_id)
        .bind(other.municipality)
        .execute(app.pool())
        .await
        .unwrap();
    let coordinator = app.login("samordnare@exempelby.se").await;
    let page = app.get(&coordinator, &format!("/org/users/{user_id}")).await.text().await.unwrap();
    assert!(page.contains("roller även i andra kommuner") && !page.contains("Stäng av kontot"));
    assert_eq!(app.post_form(&coordinator, &format!("/org/users/{user_id}/disable"), &[]).await.status(), 403);
    assert_eq!(app.post_form(&coordinator, &format!("/org/users/{user_id}/password-reset"), &[]).await.status(), 403);
    let own = account_id(&app, "samordnare@exempelby.se").await;
    assert_eq!(
        app.post_form(&coordinator, &format!("/org/users/{own}/disable"), &[]).await.status(),
        403,
        "not oneself"
    );
    let elsewhere = app.login("samordnare@annanstad.se").await;
    let stranger = account_id(&app, "medarbetare@exempelby.se").await;
    assert_eq!(app.post_form(&elsewhere, &format!("/org/users/{stranger}/disable"), &[]).await.status(), 404);

    let admin = app.login("admin@exempelby.se").await;
    assert_eq!(app.post_form(&admin, &format!("/org/users/{user_id}/disable"), &[]).await.status(), 303);
    assert_eq!(app.try_login(&app.client(), "revisor@exempelby.se", DEMO_PASSWORD).await.status(), 401);
}

#[tokio::test]
async fn a_one_time_link_sets_a_new_password_once_and_revokes_the_old_tokens() {
    let app = TestApp::spawn().await;
    let token = app.api_token("systemagare@exempelby.se", app.exempelby).await;
    let user_id = account_id(&app, "systemagare@exempelby.se").await;
    let coordinator = app.login("samordnare@exempelby.se").await;
    let made = app.post_form(&coordinator, &format!("/org/users/{user_id}/password-reset"), &[]).await;
    assert_eq!(made.status(), 200);
    let page = made.text().await.unwrap();
    let start = page.find("/password-reset/").expect("the link is shown");
    let path = page[start..].split('<').next().unwrap().to_string();
    let reloaded = app.get(&coordinator, &format!("/org/users/{user_id}")).await.text().await.unwrap();
    assert!(!reloaded.contains(&path), "shown only once");

    let person = app.client();
    let form = app.get(&person, &path).await;
    assert_eq!(form.status(), 200);
    let csrf = csrf_in(&form.text().await.unwrap()).unwrap();
    let post = |new: &'static str, repeat: &'static str| {
        let csrf = csrf.clone();
        let person = person.clone();
        let url = app.url(&path);
        async move {
            person
                .post(url)
                .form(&[("csrf_token", csrf.as_str()), ("new", new), ("repeat", repeat)])
                .send()
                .await
                .unwrap()
        }
    };
    let short = post("kort", "kort").await;
    assert_eq!(short.status(), 422);
    assert!(short.text().await.unwrap().contains("minst 12 tecken"));
    let set = post("ett-nytt-långt-lösenord", "ett-nytt-långt-lösenord").await;
    assert_eq!(set.status(), 303);
    assert_eq!(set.headers()["location"], "/login");
    assert_eq!(post("ett-annat-långt-lösenord", "ett-annat-långt-lösenord").await.status(), 404, "once");
    assert!(app.get(&person, &path).await.text().await.unwrap().contains("fungerar inte längre"));

    assert_eq!(app.try_login(&app.client(), "systemagare@exempelby.se", DEMO_PASSWORD).await.status(), 401);
    assert_eq!(app.try_login(&app.client(), "systemagare@exempelby.se", "ett-nytt-långt-lösenord").await.status(), 303);
    assert_eq!(app.api(&token).get("/tokens").await.status(), 401, "a new password revokes the old tokens");
    let entries = logged(&app, "user", user_id).await;
    assert!(entries.iter().any(|e| e.get("Länk för nytt lösenord").is_some()), "{entries:?}");
    assert!(entries.iter().any(|e| e["Lösenord"] == "Nytt, via länk"), "{entries:?}");
}

#[tokio::test]
async fn with_smtp_configured_the_link_is_emailed_to_the_person_and_never_shown() {
    let (url, inbox) = smtp_sink().await;
    let app = TestApp::spawn_with(|config| config.smtp_url = Some(url)).await;
    let user_id = account_id(&app, "systemagare@exempelby.se").await;
    let coordinator = app.login("samordnare@exempelby.se").await;
    let made = app.post_form(&coordinator, &format!("/org/users/{user_id}/password-reset"), &[]).await;
    let page = made.text().await.unwrap();
    assert!(page.contains("Länken är skickad med e-post till systemagare@exempelby.se"));
    assert!(!page.contains("/password-reset/"), "the coordinator never sees it");
    let mails = inbox.lock().unwrap().clone();
    let sent = mail_to(&mails, "systemagare@exempelby.se");
    assert_eq!(sent.len(), 1);
    let text = decoded(&sent[0].data);
    assert!(text.contains("Sara Lind har skapat en länk"), "{text}");
    let start = text.find("/password-reset/").expect("the link is in the mail");
    let path = text[start..].split_whitespace().next().unwrap().to_string();
    assert_eq!(app.get(&app.client(), &path).await.status(), 200, "and works");
}

#[tokio::test]
async fn when_the_mail_server_fails_the_link_is_shown_instead_and_nothing_is_lost() {
    // A mail server that hangs up at once: the mail cannot go. (A port merely left closed could
    // meanwhile be taken by another test's mail sink, which then received this mail.)
    let hanging_up = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed = hanging_up.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((connection, _)) = hanging_up.accept().await {
            drop(connection);
        }
    });
    let app = TestApp::spawn_with(|config| config.smtp_url = Some(format!("smtp://{closed}"))).await;
    let user_id = account_id(&app, "systemagare@exempelby.se").await;
    let coordinator = app.login("samordnare@exempelby.se").await;
    let made = app.post_form(&coordinator, &format!("/org/users/{user_id}/password-reset"), &[]).await;
    assert_eq!(made.status(), 200);
    let page = made.text().await.unwrap();
    assert!(page.contains("E-posten kunde inte skickas") && page.contains("/password-reset/"));
}

/// Posts the "Glömt lösenord?" form anonymously; returns the answer page.
async fn forgot(app: &TestApp, email: &str) -> String {
    let client = app.client();
    let token = app.csrf(&client, "/password/forgot").await;
    let answer = client
        .post(app.url("/password/forgot"))
        .form(&[("csrf_token", token.as_str()), ("email", email)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    answer.text().await.unwrap()
}

#[tokio::test]
async fn a_forgotten_password_is_mailed_as_a_link_with_the_same_answer_for_any_address() {
    let (url, inbox) = smtp_sink().await;
    let app = TestApp::spawn_with(|config| config.smtp_url = Some(url)).await;
    let login = app.get(&app.client(), "/login").await.text().await.unwrap();
    assert!(login.contains("href=\"/password/forgot\""));
    let known = forgot(&app, "SystemAgare@exempelby.se").await;
    let unknown = forgot(&app, "ingen@exempelby.se").await;
    let answer = |html: &str| html[html.find("forgot-answer").unwrap()..].split("</p>").next().unwrap().to_string();
    assert_eq!(answer(&known), answer(&unknown), "the answer does not tell whether the address exists");
    // The mail goes from a task of its own.
    let mut sent = Vec::new();
    for _ in 0..50 {
        sent = inbox.lock().unwrap().clone();
        if !sent.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(mail_to(&sent, "systemagare@exempelby.se").len(), 1);
    assert!(mail_to(&sent, "ingen@exempelby.se").is_empty());
    let text = decoded(&sent[0].data);
    assert!(text.contains("troligen du"), "{text}");
    let start = text.find("/password-reset/").expect("the link is in the mail");
    let path = text[start..].split_whitespace().next().unwrap().to_string();
    assert_eq!(app.get(&app.client(), &path).await.status(), 200, "and works");

    // At most three an hour for one account, however often asked.
    for _ in 0..5 {
        forgot(&app, "systemagare@exempelby.se").await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let links: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM password_resets r JOIN users u ON u.id = r.user_id
          WHERE u.email = 'systemagare@exempelby.se' AND r.made_by IS NULL",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(links, lisa::auth::forgot::LINKS_PER_HOUR);
}

#[tokio::test]
async fn without_mail_a_forgotten_password_is_asked_of_the_coordinator() {
    let app = TestApp::spawn().await;
    let page = app.get(&app.client(), "/password/forgot").await.text().await.unwrap();
    assert!(page.contains("Be kommunens informationssäkerhetssamordnare"));
    assert!(!page.contains("name=\"email\""), "no form that would send nothing");
}
