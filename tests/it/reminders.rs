//! The daily reminder job against a real SMTP server started by the test: owners are emailed
//! what is due, nothing twice, those who turned email off only see reminders in the app.

use std::sync::{Arc, Mutex};

use chrono::Utc;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::support::TestApp;

/// A mail received by the sink: the envelope recipients and the message as sent.
#[derive(Clone, Debug)]
struct Received {
    to: Vec<String>,
    data: String,
}

/// A small SMTP server on a free port that accepts every message and keeps it.
async fn smtp_sink() -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let inbox = Arc::new(Mutex::new(Vec::new()));
    let kept = inbox.clone();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let inbox = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink.test ESMTP\r\n").await.unwrap();
                let mut to = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let command = line.to_ascii_uppercase();
                    let reply: &[u8] = if command.starts_with("EHLO") {
                        b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
                    } else if command.starts_with("RCPT TO:") {
                        to.push(line[8..].trim().trim_matches(['<', '>']).to_string());
                        b"250 OK\r\n"
                    } else if command == "DATA" {
                        write.write_all(b"354 Send it\r\n").await.unwrap();
                        let mut data = String::new();
                        while let Ok(Some(line)) = lines.next_line().await {
                            if line == "." {
                                break;
                            }
                            data.push_str(&line);
                            data.push('\n');
                        }
                        inbox.lock().unwrap().push(Received { to: std::mem::take(&mut to), data });
                        b"250 Queued\r\n"
                    } else if command == "QUIT" {
                        write.write_all(b"221 Bye\r\n").await.unwrap();
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (url, inbox)
}

/// The message with quoted-printable undone (Lisa's text is long-lined Swedish, so lettre encodes it).
fn decoded(data: &str) -> String {
    let joined = data.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn mail_to<'a>(inbox: &'a [Received], address: &str) -> Vec<&'a Received> {
    inbox.iter().filter(|m| m.to.iter().any(|t| t == address)).collect()
}

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
    assert!(!in_app.contains("id=\"email\" name=\"email\" value=\"ja\" checked"));
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
