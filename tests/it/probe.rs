//! The second outside probe's findings (issue 27), each reproduced as the probe did it and
//! now refused: another municipality is the attacker, and one request must not stall Lisa.

use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::mail_sink::{decoded, mail_to, smtp_sink};
use crate::support::{DEMO_PASSWORD, TestApp, json_of};

async fn user_id(app: &TestApp, email: &str) -> Uuid {
    lisa::org::store::find_user_id_by_email(app.pool(), email).await.unwrap().unwrap()
}

/// A browser that holds a session begun at `idp_of`'s IdP, and asks to work in `wanted`.
async fn idp_session(app: &TestApp, email: &str, idp_of: Uuid, wanted: Uuid) -> reqwest::Client {
    let user = user_id(app, email).await;
    let token = lisa::auth::session::create(app.pool(), user, Some((idp_of, "id-token"))).await.unwrap();
    let jar = reqwest::cookie::Jar::default();
    let url: reqwest::Url = app.url("/").parse().unwrap();
    jar.add_cookie_str(&format!("{}={token}", lisa::auth::session::SESSION_COOKIE), &url);
    jar.add_cookie_str(&format!("{}={wanted}", lisa::auth::session::MUNICIPALITY_COOKIE), &url);
    reqwest::Client::builder()
        .cookie_provider(std::sync::Arc::new(jar))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn grant(app: &TestApp, m: lisa::db::MunicipalityId, email: &str, role: lisa::auth::Role) {
    let user = user_id(app, email).await;
    let mut tx = app.pool().begin().await.unwrap();
    let input = lisa::org::model::GrantInput { role, body_id: None };
    lisa::org::store::add_grant(&mut tx, &lisa::audit_log::Actor::system("test"), m, user, &input).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn h3_another_municipalitys_coordinator_never_chooses_a_password_here() {
    let (smtp, inbox) = smtp_sink().await;
    let app = TestApp::spawn_with(|config| config.smtp_url = Some(smtp)).await;
    let other = app.annanstad().await;
    let andraby = app.api(&app.api_token("samordnare@annanstad.se", other.municipality).await);
    let squat = json!({"email": "it-chef@exempelby.se", "display_name": "IT-chef", "password": "ett-långt-lösenord",
                       "role": "medarbetare"});
    let refused = andraby.send(Method::POST, "/users", squat).await;
    let problem = json_of(refused, 422).await;
    assert!(problem["errors"]["password"].as_str().unwrap().contains("personen väljer sitt eget"));

    let added = andraby
        .send(
            Method::POST,
            "/users",
            json!({"email": "it-chef@exempelby.se", "display_name": "IT-chef", "role": "medarbetare"}),
        )
        .await;
    let added = json_of(added, 202).await;
    assert!(added.get("password_link").is_none(), "with mail, the link goes to the person only: {added}");
    let mails = inbox.lock().unwrap().clone();
    let sent = mail_to(&mails, "it-chef@exempelby.se");
    assert_eq!(sent.len(), 1, "the person is mailed a link to choose a password");
    assert!(decoded(&sent[0].data).contains("Välj ditt lösenord"));

    // Exempelby later gives the same address its coordinator role: an invitation, as before.
    let exempelby = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let invited = exempelby
        .send(
            Method::POST,
            "/users",
            json!({"email": "it-chef@exempelby.se", "display_name": "IT-chef", "role": "samordnare"}),
        )
        .await;
    assert_eq!(invited.status(), 202);
    // The password Andraby's coordinator typed was never kept: nothing signs in with it.
    let login = app.try_login(&app.client(), "it-chef@exempelby.se", "ett-långt-lösenord").await;
    assert_eq!(login.status(), 401, "no password of the coordinator's choosing");
}

#[tokio::test]
async fn m5_a_link_dies_when_the_account_gains_a_role_elsewhere_or_its_maker_loses_the_right() {
    let app = TestApp::spawn().await;
    let other = app.annanstad().await;
    let andraby = app.api(&app.api_token("samordnare@annanstad.se", other.municipality).await);
    let added = andraby
        .send(
            Method::POST,
            "/users",
            json!({"email": "ny@annanstad.se", "display_name": "Ny Person", "role": "medarbetare"}),
        )
        .await;
    let added = json_of(added, 202).await;
    let link = added["password_link"].as_str().expect("without mail the coordinator gets the link once").to_string();
    let path = &link[link.find("/password-reset/").unwrap()..];
    let page = app.get(&app.client(), path).await.text().await.unwrap();
    assert!(!page.contains("fungerar inte längre"), "the link works while the account is Annanstad's alone");
    grant(&app, app.exempelby, "ny@annanstad.se", lisa::auth::Role::Revisor).await;
    let page = app.get(&app.client(), path).await.text().await.unwrap();
    assert!(page.contains("fungerar inte längre"), "the account works elsewhere now: the link is dead");
    let client = app.client();
    let csrf = app.csrf(&client, "/login").await;
    let used = client
        .post(app.url(path))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("new", "ett-nytt-långt-lösenord"),
            ("repeat", "ett-nytt-långt-lösenord"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(used.status(), 404, "and sets nothing");
}

#[tokio::test]
async fn h4_an_idp_session_acts_only_in_its_own_municipality_and_never_as_administrator() {
    let app = TestApp::spawn().await;
    let other = app.annanstad().await;
    grant(&app, other.municipality, "revisor@exempelby.se", lisa::auth::Role::Revisor).await;
    // Signed in through Annanstad's IdP, asking for Exempelby: Annanstad is all it sees.
    let joint = idp_session(&app, "revisor@exempelby.se", other.municipality.uuid(), app.exempelby.uuid()).await;
    let systems = joint.get(app.url("/api/v1/systems")).send().await.unwrap();
    let systems = json_of(systems, 200).await;
    assert_eq!(systems.as_array().unwrap().len(), 0, "Exempelby's systems are not Annanstad's IdP's to show");
    let page = joint.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Annanstad") && !page.contains("Exempelby kommun"), "no way into Exempelby from here");

    // A system administrator with a role in Annanstad gets no administrator session from its IdP.
    grant(&app, other.municipality, "admin@exempelby.se", lisa::auth::Role::Medarbetare).await;
    let admin = idp_session(&app, "admin@exempelby.se", other.municipality.uuid(), app.exempelby.uuid()).await;
    let settings = admin.get(app.url(&format!("/admin/municipalities/{}/sso", app.exempelby))).send().await.unwrap();
    assert_eq!(settings.status(), 403);
    let listed = admin.get(app.url("/admin/municipalities")).send().await.unwrap();
    assert_eq!(listed.status(), 403);

    // An invitation from Exempelby is not answered from a session of Annanstad's IdP.
    let exempelby = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let invited = exempelby
        .send(
            Method::POST,
            "/users",
            json!({"email": "samordnare@annanstad.se", "display_name": "Anna", "role": "samordnare"}),
        )
        .await;
    assert_eq!(invited.status(), 202);
    let invitation: Uuid = sqlx::query_scalar("SELECT id FROM invitations WHERE email = 'samordnare@annanstad.se'")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let anna = idp_session(&app, "samordnare@annanstad.se", other.municipality.uuid(), other.municipality.uuid()).await;
    let html = anna.get(app.url("/invitations")).send().await.unwrap().text().await.unwrap();
    let csrf = crate::support::csrf_in(&html).expect("a form on the invitations page");
    let answered = anna
        .post(app.url(&format!("/invitations/{invitation}")))
        .form(&[("csrf_token", csrf.as_str()), ("answer", "ja")])
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 403, "joining Exempelby takes Exempelby's own sign-in");
    let grants: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM role_grants g JOIN users u ON u.id = g.user_id
          WHERE u.email = 'samordnare@annanstad.se' AND g.municipality_id = $1",
    )
    .bind(app.exempelby)
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(grants, 0);
}

#[tokio::test]
async fn h6_wrong_codes_count_per_account_across_challenges_and_a_correct_password_never_resets_them() {
    let app = TestApp::spawn().await;
    let user = user_id(&app, "medarbetare@exempelby.se").await;
    let secret = lisa::auth::two_factor::new_secret();
    sqlx::query("UPDATE users SET totp_secret = $2, totp_enabled_at = now() WHERE id = $1")
        .bind(user)
        .bind(&secret)
        .execute(app.pool())
        .await
        .unwrap();
    let answer = |client: reqwest::Client, code: String| {
        let app = &app;
        async move {
            let csrf = app.csrf(&client, "/login/code").await;
            client
                .post(app.url("/login/code"))
                .form(&[("csrf_token", csrf.as_str()), ("code", code.as_str())])
                .send()
                .await
                .unwrap()
        }
    };
    // Two challenges of three wrong codes each: the fresh challenge after the correct password
    // does not give the guesser a fresh count.
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let guesser = app.client();
        assert_eq!(app.try_login(&guesser, "medarbetare@exempelby.se", DEMO_PASSWORD).await.status(), 303);
        for _ in 0..3 {
            statuses.push(answer(guesser.clone(), "000000".into()).await.status().as_u16());
        }
    }
    assert_eq!(&statuses[..5], [401, 401, 401, 401, 401]);
    assert_eq!(statuses[5], 429, "the sixth wrong code for the account waits, whichever challenge");
    let failures: i32 = sqlx::query_scalar("SELECT second_step_failures FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(failures, 5, "a code during the wait is not even looked at");
    // Even the right code waits now.
    let person = app.client();
    app.try_login(&person, "medarbetare@exempelby.se", DEMO_PASSWORD).await;
    let now = chrono::Utc::now().timestamp() as u64;
    let right = answer(person.clone(), lisa::auth::two_factor::code_at(&secret, now).unwrap()).await;
    assert_eq!(right.status(), 429);
    assert!(right.text().await.unwrap().contains("För många felaktiga koder"));
    // When the wait is over, the right code signs in and clears the count.
    sqlx::query("UPDATE users SET second_step_wait_until = now() - interval '1 second' WHERE id = $1")
        .bind(user)
        .execute(app.pool())
        .await
        .unwrap();
    let right = answer(person, lisa::auth::two_factor::code_at(&secret, now).unwrap()).await;
    assert_eq!(right.status(), 303);
    let failures: i32 = sqlx::query_scalar("SELECT second_step_failures FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(failures, 0);
}

#[tokio::test]
async fn h2_and_h5_a_huge_paste_is_refused_and_search_text_is_only_text() {
    let app = TestApp::spawn().await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let paste: String = (0..80_000).map(|i| format!("{i}. x\n\n")).collect();
    let refused = coordinator.send(Method::POST, "/recommendations/parse", json!({"text": paste})).await;
    let problem = json_of(refused, 422).await;
    assert!(problem["errors"]["text"].as_str().unwrap().contains("för många rader"), "{problem}");
    // Many distinct lines that each come twice: linear now, and still parsed.
    let doubled: String = (0..4_000).map(|i| format!("Rad {i}\nRad {i}\n")).collect();
    let parsed = coordinator.send(Method::POST, "/recommendations/parse", json!({"text": doubled})).await;
    assert_eq!(parsed.status(), 200);

    // "%" finds what contains a percent sign, not everything; 5,000 of them answer at once.
    let all = json_of(coordinator.get("/incidents").await, 200).await.as_array().unwrap().len();
    assert!(all > 0);
    let percent = json_of(coordinator.get("/incidents?q=%25").await, 200).await;
    assert_eq!(percent.as_array().unwrap().len(), 0, "no incident has a percent sign in it");
    let underscore = json_of(coordinator.get("/systems?q=_").await, 200).await;
    assert_eq!(underscore.as_array().unwrap().len(), 0, "an underscore is not a wildcard");
    let many = format!("/audit-log?limit=1&actor={}x", "%25".repeat(5_000));
    assert_eq!(coordinator.get(&many).await.status(), 200);
    let timeout: String = sqlx::query_scalar("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(timeout, "5000", "Lisa's own connections give up on a statement after 5 s");
}

#[tokio::test]
async fn m1_m4_l1_tokens_are_for_the_api_make_no_tokens_and_respect_the_two_factor_rule() {
    let app = TestApp::spawn().await;
    let token = app.api_token("medarbetare@exempelby.se", app.exempelby).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for page in ["/", "/account/two-factor", "/incidents/report"] {
        let response = http.get(app.url(page)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), 403, "{page} is for browser sessions");
    }
    let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions WHERE totp_pending_secret IS NOT NULL")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(pending, 0, "no secret was offered to a token");

    let api = app.api(&token);
    let minted = api.send(Method::POST, "/tokens", json!({"name": "barn", "days": 365})).await;
    assert_eq!(minted.status(), 403, "a token makes no tokens");

    // Exempelby requires two-factor: a token of an account without it no longer acts, and none is made.
    sqlx::query("UPDATE municipalities SET require_totp = true WHERE id = $1")
        .bind(app.exempelby)
        .execute(app.pool())
        .await
        .unwrap();
    let fresh = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    let refused = fresh.get("/recommendations").await;
    let problem = json_of(refused, 403).await;
    assert!(problem["detail"].as_str().unwrap().contains("tvåstegsverifiering"));
}

#[tokio::test]
async fn m2_l4_every_body_an_extractor_reads_is_checked_and_anonymous_uploads_are_not_read() {
    let app = TestApp::spawn().await;
    let token = app.api_token("samordnare@exempelby.se", app.exempelby).await;
    let http = reqwest::Client::new();
    let nul = http
        .post(app.url("/api/v1/systems"))
        .bearer_auth(&token)
        .header("content-type", "application/vnd.x+json")
        .body(r#"{"name": "Noll\u0000tecken"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(nul.status(), 422, "a +json body is checked like JSON");
    let long = http
        .post(app.url("/api/v1/systems"))
        .bearer_auth(&token)
        .header("content-type", "application/vnd.x+json")
        .body(json!({"name": "Lång", "purpose": "x".repeat(200_000)}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(long.status(), 422);
    let plain = http
        .post(app.url("/api/v1/systems"))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 415);

    let client = app.client();
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(vec![b'x'; 1024 * 1024]));
    let anonymous = client.post(app.url("/login")).multipart(form).send().await.unwrap();
    assert_eq!(anonymous.status(), 403, "no account, no upload");
}

#[tokio::test]
async fn m3_l7_the_directory_links_only_accounts_of_the_municipality_and_histories_show_names_only() {
    let app = TestApp::spawn().await;
    let other = app.annanstad().await;
    let andraby = app.api(&app.api_token("samordnare@annanstad.se", other.municipality).await);
    let person =
        andraby.send(Method::POST, "/people", json!({"name": "Adam Admin", "email": "admin@exempelby.se"})).await;
    let person = json_of(person, 201).await;
    assert!(person["user_id"].is_null(), "Exempelby's administrator is not Annanstad's to find: {person}");

    let actor: String =
        sqlx::query_scalar("SELECT actor_name FROM audit_log WHERE entity_type = 'person' ORDER BY id DESC LIMIT 1")
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(actor, "Anna Annan", "the change log keeps the name, not the address, for its readers");
}

#[tokio::test]
async fn m6_a_pdf_decompression_bomb_is_refused_without_being_inflated() {
    let app = TestApp::spawn().await;
    let auditor = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    let audit: Uuid = sqlx::query_scalar("SELECT id FROM audits LIMIT 1").fetch_one(app.pool()).await.unwrap();
    let bomb = lisa::demo::hostile::pdf_bomb(16, 32 * 1024 * 1024);
    assert!(bomb.len() < 2 * 1024 * 1024, "a small file: {} bytes", bomb.len());
    let http = reqwest::Client::new();
    let put = |body: Vec<u8>| {
        http.put(app.url(&format!("/api/v1/audits/{audit}/report")))
            .bearer_auth(&auditor.token)
            .header("content-type", "application/pdf")
            .body(body)
            .send()
    };
    assert_eq!(put(bomb).await.unwrap().status(), 422, "512 MB once inflated: refused");
    let real = crate::support::sample_pdf("Granskning av informationssäkerhet");
    assert_eq!(put(real).await.unwrap().status(), 204, "a real report is still taken");
}

#[tokio::test]
async fn l3_the_reporter_sees_what_they_entered_not_the_handlers_assessment() {
    let app = TestApp::spawn().await;
    let employee = app.api(&app.api_token("medarbetare@exempelby.se", app.exempelby).await);
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let discovered = (chrono::Utc::now() - chrono::Duration::minutes(30))
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let reported =
        employee.send(Method::POST, "/incidents", json!({"title": "Konstigt mejl", "discovered_at": discovered})).await;
    let id = json_of(reported, 201).await["id"].as_str().unwrap().to_string();
    let school = app.system_id("Skolplattformen").await;
    let handled = coordinator
        .send(
            Method::PUT,
            &format!("/incidents/{id}"),
            json!({"status": "utreds", "personal_data": true, "system_ids": [school],
                   "imy_exempt_reason": "Bedömd utan risk"}),
        )
        .await;
    assert_eq!(handled.status(), 200, "{}", handled.text().await.unwrap());
    let seen = json_of(employee.get(&format!("/incidents/{id}")).await, 200).await;
    assert_eq!(seen["personal_data"], false, "the handler's assessment is not the reporter's to read");
    assert_eq!(seen["systems"].as_array().unwrap().len(), 0, "nor the systems the handler linked");
    let full = json_of(coordinator.get(&format!("/incidents/{id}")).await, 200).await;
    assert_eq!((full["personal_data"].as_bool(), full["systems"].as_array().unwrap().len()), (Some(true), 1));
}
