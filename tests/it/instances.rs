//! Two Lisa servers on one database, as behind a load balancer without sticky sessions: what
//! is saved, revoked or taken away through one holds at once on the other, and the daily
//! reminders are sent once (issue 29).

use serde_json::json;

use crate::mail_sink::smtp_sink;
use crate::support::{TestApp, json_of};

fn at(addr: std::net::SocketAddr, path: &str) -> String {
    format!("http://{addr}/api/v1{path}")
}

#[tokio::test]
async fn what_one_instance_changes_holds_at_once_on_the_other() {
    let app = TestApp::spawn().await;
    let (b, _) = app.second_instance().await;
    let a = app.addr;
    let http = reqwest::Client::new();
    let coordinator = app.api_token("samordnare@exempelby.se", app.exempelby).await;
    let count = |addr, token: String| {
        let http = http.clone();
        async move {
            let response = http.get(at(addr, "/systems?per_page=100")).bearer_auth(token).send().await.unwrap();
            response.headers()["x-total-count"].to_str().unwrap().parse::<usize>().unwrap()
        }
    };
    // A system saved through A is in B's list asked right after (B showed the list before).
    let before = count(b, coordinator.clone()).await;
    let made = http
        .post(at(a, "/systems"))
        .bearer_auth(&coordinator)
        .json(&json!({"name": "Nytt system"}))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 201);
    assert_eq!(count(b, coordinator.clone()).await, before + 1);

    // A token revoked through A no longer works on B.
    let owner = app.api_token("systemagare@exempelby.se", app.exempelby).await;
    assert_eq!(http.get(at(b, "/systems")).bearer_auth(&owner).send().await.unwrap().status(), 200);
    let tokens = json_of(http.get(at(a, "/tokens")).bearer_auth(&owner).send().await.unwrap(), 200).await;
    let id = tokens[0]["id"].as_str().unwrap().to_string();
    let revoked = http.delete(at(a, &format!("/tokens/{id}"))).bearer_auth(&owner).send().await.unwrap();
    assert!(revoked.status().is_success(), "{}", revoked.status());
    assert_eq!(http.get(at(b, "/systems")).bearer_auth(&owner).send().await.unwrap().status(), 401);

    // A system owner whose roles were all removed through A reads nothing on B.
    let owner = app.api_token("systemagare@exempelby.se", app.exempelby).await;
    assert_eq!(http.get(at(b, "/systems")).bearer_auth(&owner).send().await.unwrap().status(), 200);
    let user: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = 'systemagare@exempelby.se'")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let grants: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT id FROM role_grants WHERE user_id = $1")
        .bind(user)
        .fetch_all(app.pool())
        .await
        .unwrap();
    for grant in grants {
        let removed = http
            .delete(at(a, &format!("/users/{user}/grants/{grant}")))
            .bearer_auth(&coordinator)
            .send()
            .await
            .unwrap();
        assert!(removed.status().is_success(), "{}", removed.status());
    }
    let after = http.get(at(b, "/systems")).bearer_auth(&owner).send().await.unwrap().status();
    assert!(after == 401 || after == 403, "no role left, nothing to read: {after}");

    // An account disabled through A is out on B: its session too.
    let auditor = app.login("revisor@exempelby.se").await;
    let session = app.get(&auditor, "/").await;
    assert_eq!(session.status(), 200);
    let revisor: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = 'revisor@exempelby.se'")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let coordinator_browser = app.login("samordnare@exempelby.se").await;
    let disabled = app.post_form(&coordinator_browser, &format!("/org/users/{revisor}/disable"), &[]).await;
    assert_eq!(disabled.status(), 303);
    let on_b = auditor.get(format!("http://{b}/")).send().await.unwrap();
    assert_eq!(on_b.status(), 303, "the session is gone on B too");
    assert!(on_b.headers()["location"].to_str().unwrap().starts_with("/login"));
}

/// "12 ändringar sedan …" on the coordinator's dashboard: how many changes this week.
fn changes_this_week(html: &str) -> u64 {
    let end = html.find(" ändring").expect("the week's changes are counted");
    let start = html[..end].rfind('>').unwrap() + 1;
    html[start..end].replace(['\u{a0}', ' '], "").parse().unwrap()
}

#[tokio::test]
async fn the_coordinators_dashboard_on_one_instance_follows_changes_made_through_the_other() {
    let app = TestApp::spawn().await;
    let (b, b_state) = app.second_instance().await;
    // B hears every change as it commits, and so keeps what it computed until then.
    for _ in 0..100 {
        if b_state.changes.is_live() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(b_state.changes.is_live(), "B listens for changes");
    let coordinator = app.login("samordnare@exempelby.se").await;
    let dashboard = || async { coordinator.get(format!("http://{b}/")).send().await.unwrap().text().await.unwrap() };
    let before = changes_this_week(&dashboard().await);
    let token = app.api_token("samordnare@exempelby.se", app.exempelby).await;
    let made = reqwest::Client::new()
        .post(at(app.addr, "/systems"))
        .bearer_auth(token)
        .json(&json!({"name": "Ett system som bara A har sparat"}))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 201);
    // The announcement travels from PostgreSQL to B's listener when A's change commits.
    let mut now = before;
    for _ in 0..40 {
        now = changes_this_week(&dashboard().await);
        if now > before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(now > before, "B's dashboard counts what was saved through A ({before} then {now})");
}

#[tokio::test]
async fn a_reminder_run_started_on_two_instances_at_once_sends_one_set_of_mails() {
    let app = TestApp::spawn().await;
    let (url, inbox) = smtp_sink().await;
    let mut config = crate::support::test_config();
    config.smtp_url = Some(url);
    let first = lisa::AppState::new(app.pool().clone(), config.clone());
    let second = lisa::AppState::new(app.pool().clone(), config);
    let today = lisa::web::format::today();
    let now = chrono::Utc::now();
    let (one, two) =
        tokio::join!(lisa::reminders::run_once(&first, today, now), lisa::reminders::run_once(&second, today, now));
    let (one, two) = (one.unwrap(), two.unwrap());
    let sent = one.emails_sent + two.emails_sent;
    assert!(sent > 0, "{one:?} {two:?}");
    let received = inbox.lock().unwrap().clone();
    assert_eq!(received.len(), sent);
    let mut recipients: Vec<&String> = received.iter().flat_map(|m| &m.to).collect();
    let all = recipients.len();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), all, "nobody is mailed twice");
}

#[tokio::test]
async fn a_named_incident_receiver_removed_elsewhere_handles_nothing_here_at_once() {
    let app = TestApp::spawn().await;
    let (b, _) = app.second_instance().await;
    let http = reqwest::Client::new();
    let owner = app.api_token("systemagare@exempelby.se", app.exempelby).await;
    let incidents = || http.get(at(b, "/incidents")).bearer_auth(&owner).send();
    assert_eq!(incidents().await.unwrap().status(), 403);
    // Named and then removed outside this instance (as the other instance or the CLI would).
    let person: uuid::Uuid = sqlx::query_scalar(
        "SELECT p.id FROM people p JOIN users u ON u.id = p.user_id WHERE u.email = 'systemagare@exempelby.se'",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    sqlx::query("INSERT INTO incident_receivers (municipality_id, person_id) VALUES ($1, $2)")
        .bind(app.exempelby)
        .bind(person)
        .execute(app.pool())
        .await
        .unwrap();
    assert_eq!(incidents().await.unwrap().status(), 200, "named: handles incidents");
    sqlx::query("DELETE FROM incident_receivers WHERE person_id = $1").bind(person).execute(app.pool()).await.unwrap();
    assert_eq!(incidents().await.unwrap().status(), 403, "removed: at once, not after the identity cache expires");
}
