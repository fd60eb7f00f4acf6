//! The daily reminder job against a real SMTP server started by the test: owners are emailed
//! what is due, nothing twice, those who turned email off only see reminders in the app.

use chrono::Utc;

use crate::mail_sink::{decoded, mail_to, smtp_sink};
use crate::support::TestApp;

#[tokio::test]
async fn the_daily_job_emails_owners_through_smtp_once_and_respects_opting_out() {
    let app = TestApp::spawn().await;
    let (url, inbox) = smtp_sink().await;
    // The job as a process with an SMTP server configured would run it, on the same database.
    let mut config = crate::support::test_config();
    config.smtp_url = Some(url);
    let job = lisa::AppState::new(app.pool().clone(), config);

    // Johan turns email off before the first run; he still gets his reminders in the app.
    let johan = app.login("systemagare@exempelby.se").await;
    let page = app.post_form(&johan, "/reminders/settings", &[]).await;
    assert_eq!(page.status(), 303);

    let today = lisa::web::format::today();
    let first = lisa::reminders::run_once(&job, today, Utc::now()).await.unwrap();
    assert!(first.created > 10, "{first:?}");
    assert_eq!(first.emails_failed, 0, "{:?}", first.last_error);
    let received = inbox.lock().unwrap().clone();
    assert_eq!(first.emails_sent, received.len());

    // The coordinator owns nothing by name but gets what has no owner: the auditors' responses.
    let sara = mail_to(&received, "samordnare@exempelby.se");
    assert_eq!(sara.len(), 1, "one email per person and run");
    assert!(sara[0].data.contains("Content-Transfer-Encoding: quoted-printable"), "{}", sara[0].data);
    assert!(sara[0].data.contains("From: Lisa <lisa@exempelby.se>"), "{}", sara[0].data);
    let text = &decoded(&sara[0].data);
    assert!(text.contains("Hej Sara Lind!"), "{text}");
    assert!(
        text.contains("Svar till revisorerna: Kommunstyrelsen ska svara på Granskning av informationssäkerhet"),
        "{text}"
    );
    assert!(text.contains("http://lisa.test/audits/"), "{text}");
    assert!(mail_to(&received, "systemagare@exempelby.se").is_empty(), "Johan turned email off");

    let in_app = app.get(&johan, "/reminders").await.text().await.unwrap();
    assert!(in_app.contains("Kontrollera") && in_app.contains("Skolplattform"), "Johan's reminders are in the app");
    assert!(in_app.contains("id=\"email\" name=\"email\" value=\"1\">"), "the box is shown, not ticked");
    let sara_client = app.login("samordnare@exempelby.se").await;
    let sara_page = app.get(&sara_client, "/reminders").await.text().await.unwrap();
    assert!(sara_page.contains("Skickad"));
    assert!(!sara_page.contains("Skolplattform"), "a contract owner's reminders are his, not the coordinator's");

    // A second run the same day makes and sends nothing new.
    let second = lisa::reminders::run_once(&job, today, Utc::now()).await.unwrap();
    assert_eq!((second.created, second.emails_sent), (0, 0));
    assert_eq!(inbox.lock().unwrap().len(), received.len());

    // A week later what is still overdue is reminded again, once.
    let week_later = today + chrono::Duration::days(7);
    let again = lisa::reminders::run_once(&job, week_later, Utc::now()).await.unwrap();
    // Items already overdue at the first run, reminded on a later occasion.
    let repeated: i64 = sqlx::query_scalar("SELECT count(*) FROM reminders WHERE due < $1 AND occasion > $1")
        .bind(today)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert!(repeated > 0 && again.created as i64 >= repeated, "{again:?}, {repeated} repeated");
    let received = inbox.lock().unwrap().clone();
    let sara = mail_to(&received, "samordnare@exempelby.se");
    assert_eq!(sara.len(), 2, "a second email to the coordinator");
    assert!(decoded(&sara[1].data).contains("försenad sedan"));

    // Turning email back on is in the audit log.
    let page = app.post_form(&johan, "/reminders/settings", &[("email", "ja")]).await;
    assert_eq!(page.status(), 303);
    let logged: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE entity_type = 'user' AND after::text LIKE '%Påminnelser via e-post%'",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(logged, 2);
}

#[tokio::test]
async fn without_smtp_reminders_are_only_in_the_app_and_each_sees_their_own() {
    let app = TestApp::spawn().await;
    let today = lisa::web::format::today();
    let summary = lisa::reminders::run_once(&app.state, today, Utc::now()).await.unwrap();
    assert!(summary.created > 0);
    assert_eq!((summary.emails_sent, summary.emails_failed), (0, 0));
    let employee = app.login("ledamot@exempelby.se").await;
    let page = app.get(&employee, "/reminders").await.text().await.unwrap();
    assert!(page.contains("Du har inga påminnelser.") && page.contains("ingen e-postserver"), "{page}");

    app.annanstad().await;
    let stranger = app.login("samordnare@annanstad.se").await;
    let page = app.get(&stranger, "/reminders").await.text().await.unwrap();
    assert!(page.contains("Du har inga påminnelser."), "another municipality's reminders stay there");
    let anonymous = app.client().get(app.url("/reminders")).send().await.unwrap();
    assert!(anonymous.status().is_redirection());
    assert!(anonymous.headers()["location"].to_str().unwrap().starts_with("/login"));
}
