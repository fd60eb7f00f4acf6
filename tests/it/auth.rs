//! Login, logout, throttling, CSRF, sessions and security headers.

use crate::support::{DEMO_PASSWORD, TestApp};

#[tokio::test]
async fn login_succeeds_with_the_right_password_and_fails_without() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let wrong = app.try_login(&client, "samordnare@exempelby.se", "fel-lösenord").await;
    assert_eq!(wrong.status(), 401);
    let body = wrong.text().await.unwrap();
    assert!(body.contains("Fel e-postadress eller lösenord."));
    assert!(body.contains("value=\"samordnare@exempelby.se\""), "the typed email is kept");

    // An unknown account gets exactly the same answer.
    let unknown = app.try_login(&client, "finns-inte@exempelby.se", "fel-lösenord").await;
    assert_eq!(unknown.status(), 401);
    assert!(unknown.text().await.unwrap().contains("Fel e-postadress eller lösenord."));

    let before_login = app.csrf(&client, "/login").await;
    let ok = app.try_login(&client, "SAMORDNARE@exempelby.se", DEMO_PASSWORD).await;
    assert_eq!(ok.status(), 303);
    let after_login = app.csrf(&client, "/").await;
    assert_ne!(before_login, after_login, "the CSRF token rotates at login");
    let stale = client
        .post(app.url("/systems"))
        .form(&[("csrf_token", before_login.as_str()), ("name", "Med gammal token")])
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 403, "the token from before login no longer works");
    let cookie = ok.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect::<Vec<_>>();
    let session = cookie.iter().find(|c| c.starts_with("lisa_session=")).expect("session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    assert!(!session.contains("Secure"), "not Secure unless configured for HTTPS");

    let start = app.get(&client, "/").await;
    assert_eq!(start.status(), 200);
    let start = start.text().await.unwrap();
    assert!(start.contains("Samordnarens översikt") && start.contains("Sara Lind"), "the coordinator's dashboard");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::spawn().await;
    let client = app.login("revisor@exempelby.se").await;
    assert_eq!(app.get(&client, "/").await.status(), 200);
    let response = app.post_form(&client, "/logout", &[]).await;
    assert_eq!(response.status(), 303);
    let after = app.get(&client, "/").await;
    assert_eq!(after.status(), 303);
    assert!(after.headers()["location"].to_str().unwrap().starts_with("/login"));
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions").fetch_one(app.pool()).await.unwrap();
    assert_eq!(sessions, 0);
}

/// Records `count` failures under a throttle key directly: sending them would only wait out the delays.
async fn failures(app: &TestApp, key: &str, count: usize) {
    for _ in 0..count {
        sqlx::query("INSERT INTO login_failures (throttle_key) VALUES ($1)")
            .bind(key)
            .execute(app.pool())
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn repeated_failures_from_one_address_are_slowed_then_refused_without_revealing_accounts() {
    let app = TestApp::spawn().await;
    for email in ["medarbetare@exempelby.se", "ingen@exempelby.se"] {
        let client = app.client();
        failures(&app, &format!("pair:{email}|127.0.0.1"), 9).await;
        let started = std::time::Instant::now();
        let slowed = app.try_login(&client, email, "fel").await;
        assert_eq!(slowed.status(), 401);
        assert!(started.elapsed() >= std::time::Duration::from_millis(3000), "the tenth try is delayed");
        let refused = app.try_login(&client, email, DEMO_PASSWORD).await;
        assert_eq!(refused.status(), 429, "{email} is refused from this address, even with the right password");
        assert!(refused.text().await.unwrap().contains("För många misslyckade inloggningar"));
    }
    // Other accounts from the same address are unaffected.
    app.login("samordnare@exempelby.se").await;
}

#[tokio::test]
async fn wrong_passwords_from_elsewhere_slow_a_coordinator_down_but_never_keep_them_out() {
    let app = TestApp::spawn_with(|config| config.trust_forwarded_for = true).await;
    let email = "samordnare@exempelby.se";
    let from = |address: &'static str| {
        let app = &app;
        async move {
            let client = app.client();
            let token = app.csrf(&client, "/login").await;
            let started = std::time::Instant::now();
            let response = client
                .post(app.url("/login"))
                .header("x-forwarded-for", address)
                .form(&[("csrf_token", token.as_str()), ("email", email), ("password", DEMO_PASSWORD), ("next", "/")])
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), started.elapsed())
        }
    };
    // An attacker at 203.0.113.9 has failed ten times, and hundreds more from everywhere.
    failures(&app, &format!("pair:{email}|203.0.113.9"), 10).await;
    failures(&app, &format!("account:{email}"), 300).await;
    let (attacker, _) = from("203.0.113.9").await;
    assert_eq!(attacker, 429, "the attacking address is refused");
    let (coordinator, waited) = from("198.51.100.7").await;
    assert_eq!(coordinator, 303, "the coordinator at another address gets in");
    assert!(waited >= std::time::Duration::from_secs(2), "after a short wait ({waited:?})");
    let (again, waited) = from("198.51.100.7").await;
    assert_eq!(again, 303);
    assert!(waited < std::time::Duration::from_secs(2), "the account's failures count from its last login");

    // The coordinator sees that someone has been trying.
    let client = app.login(email).await;
    let users = app.get(&client, "/org/users").await.text().await.unwrap();
    let section = users
        .split("id=\"failed-logins\"")
        .nth(1)
        .expect("failed logins are shown")
        .split("</section>")
        .next()
        .unwrap();
    assert!(section.contains("samordnare@exempelby.se") && section.contains("300 försök"), "{section}");
}

#[tokio::test]
async fn posts_without_a_valid_csrf_token_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let count =
        || async { sqlx::query_scalar::<_, i64>("SELECT count(*) FROM bodies").fetch_one(app.pool()).await.unwrap() };
    let before = count().await;
    for token in [None, Some("fel-token")] {
        let mut form = vec![("kind", "namnd"), ("name", "Kulturnämnden")];
        if let Some(token) = token {
            form.push(("csrf_token", token));
        }
        let response = client.post(app.url("/org/bodies")).form(&form).send().await.unwrap();
        assert_eq!(response.status(), 403);
        assert!(response.text().await.unwrap().contains("Formuläret hade gått ut"));
    }
    // Login, logout and the API with a session cookie are covered too.
    let login =
        app.client().post(app.url("/login")).form(&[("email", "x@y.se"), ("password", "x")]).send().await.unwrap();
    assert_eq!(login.status(), 403);
    let logout = client.post(app.url("/logout")).send().await.unwrap();
    assert_eq!(logout.status(), 403);
    let api = client
        .post(app.url("/api/v1/bodies"))
        .json(&serde_json::json!({"kind": "namnd", "name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 403);
    assert_eq!(count().await, before);
    assert_eq!(app.get(&client, "/").await.status(), 200, "still logged in");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/login", "/healthz", "/finns-inte", "/static/lisa.css", "/api/v1/bodies"] {
        let response = app.client().get(app.url(path)).send().await.unwrap();
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{path}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert!(headers.contains_key("x-request-id"), "{path}");
    }
}

#[tokio::test]
async fn a_changed_password_works_and_ends_other_sessions() {
    let app = TestApp::spawn().await;
    let first = app.login("ledamot@exempelby.se").await;
    let second = app.login("ledamot@exempelby.se").await;
    let token = app.csrf(&first, "/account/password").await;
    let short = first
        .post(app.url("/account/password"))
        .form(&[("csrf_token", token.as_str()), ("current", DEMO_PASSWORD), ("new", "kort"), ("repeat", "kort")])
        .send()
        .await
        .unwrap();
    assert_eq!(short.status(), 422);
    assert!(short.text().await.unwrap().contains("minst 12 tecken"));
    let new = "ett-mycket-bättre-lösenord";
    let ok = first
        .post(app.url("/account/password"))
        .form(&[("csrf_token", token.as_str()), ("current", DEMO_PASSWORD), ("new", new), ("repeat", new)])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    assert_eq!(app.get(&first, "/").await.status(), 200);
    assert_eq!(app.get(&second, "/").await.status(), 303, "the other session is gone");
    assert_eq!(app.try_login(&app.client(), "ledamot@exempelby.se", new).await.status(), 303);
    assert_eq!(app.try_login(&app.client(), "ledamot@exempelby.se", DEMO_PASSWORD).await.status(), 401);
    let logged: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.entity_id
          WHERE u.email = 'ledamot@exempelby.se' AND a.entity_type = 'user' AND a.after->>'Lösenord' = 'Bytt'",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(logged, 1, "the change is in the change log, once");
}

#[tokio::test]
async fn idle_sessions_expire() {
    let app = TestApp::spawn().await;
    let client = app.login("medarbetare@exempelby.se").await;
    sqlx::query("UPDATE sessions SET last_seen_at = now() - interval '2 hours'").execute(app.pool()).await.unwrap();
    // Lisa keeps the last use it wrote itself; the test moved it behind Lisa's back.
    lisa::auth::session::forget_identities(&app.state, None);
    assert_eq!(app.get(&client, "/").await.status(), 303);
}

#[tokio::test]
async fn login_redirects_only_to_this_site() {
    let app = TestApp::spawn().await;
    for next in ["//evil.example/", "/\t/evil.example", "/\n/evil.example", "/\r\nSet-Cookie: x=1", "/\\evil.example"] {
        let client = app.client();
        let token = app.csrf(&client, "/login").await;
        let response = client
            .post(app.url("/login"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", "revisor@exempelby.se"),
                ("password", DEMO_PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{next:?}");
        assert_eq!(response.headers()["location"], "/", "{next:?}");
    }
    // The form carries only a safe next, even when the address asked for another.
    let page = app.get(&app.client(), "/login?next=/%09/evil.example").await.text().await.unwrap();
    assert!(page.contains("name=\"next\" value=\"/\""), "{page}");
}

#[tokio::test]
async fn another_municipalitys_coordinator_learns_nothing_and_grants_nothing_by_adding_an_address() {
    // With mail, as in production: a new account's first-password link goes to the person, so
    // the answer is the same for an address with an account and one without.
    let (smtp, _inbox) = crate::mail_sink::smtp_sink().await;
    let app = TestApp::spawn_with(|config| config.smtp_url = Some(smtp)).await;
    let other = app.annanstad().await;
    let annan = app.api(&app.api_token("samordnare@annanstad.se", other.municipality).await);
    let add = |email: &'static str| {
        let annan = &annan;
        async move {
            let response = annan
                .send(
                    reqwest::Method::POST,
                    "/users",
                    serde_json::json!({"email": email, "display_name": "Någon",
                                       "role": "medarbetare", "body_id": ""}),
                )
                .await;
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let existing = add("revisor@exempelby.se").await;
    let unknown = add("ingen.alls@annanstad.se").await;
    assert_eq!(existing, unknown, "the same answer whether or not the address has an account");
    assert_eq!(existing.0, 202);
    assert!(!existing.1.contains("revisor@exempelby.se") && !existing.1.contains("Maria Holm"), "{}", existing.1);
    let revisor: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = 'revisor@exempelby.se'")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let roles: i64 = sqlx::query_scalar("SELECT count(*) FROM role_grants WHERE user_id = $1 AND municipality_id = $2")
        .bind(revisor)
        .bind(other.municipality)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(roles, 0, "nothing is granted before the person accepts");
    let hash_before: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(revisor)
        .fetch_one(app.pool())
        .await
        .unwrap();
    // The revisor still logs in with their own password, lands in Exempelby, and may decline.
    let client = app.client();
    let login = app.try_login(&client, "revisor@exempelby.se", DEMO_PASSWORD).await;
    assert_eq!(login.headers()["location"], "/invitations");
    let page = app.get(&client, "/invitations").await.text().await.unwrap();
    assert!(page.contains("Medarbetare i Annanstad kommun"), "{page}");
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM invitations WHERE user_id = $1")
        .bind(revisor)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(app.post_form(&client, &format!("/invitations/{id}"), &[("answer", "nej")]).await.status(), 303);
    let hash_after: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(revisor)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(hash_before, hash_after, "adding an address never touches an existing account's password");
    let home = app.get(&client, "/").await.text().await.unwrap();
    assert!(home.contains("Revisionens översikt") && !home.contains("Annanstad kommun"), "still only Exempelby");
}

#[tokio::test]
async fn a_new_session_starts_in_the_municipality_last_worked_in() {
    let app = TestApp::spawn().await;
    let other = app.annanstad().await;
    let coordinator = app.api(&app.api_token("admin@exempelby.se", app.exempelby).await);
    // A system administrator grants directly: the Annanstad coordinator also works in Exempelby.
    let added = coordinator
        .send(
            reqwest::Method::POST,
            "/users",
            serde_json::json!({"email": "samordnare@annanstad.se", "display_name": "Anna Annan",
                               "role": "revisor", "body_id": ""}),
        )
        .await;
    assert_eq!(added.status(), 201);
    let client = app.login("samordnare@annanstad.se").await;
    assert_eq!(
        app.post_form(&client, "/municipality", &[("municipality_id", &app.exempelby.to_string())]).await.status(),
        303
    );
    let later = app.client();
    let login = app.try_login(&later, "samordnare@annanstad.se", DEMO_PASSWORD).await;
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(cookie.contains(&format!("lisa_municipality={}", app.exempelby)), "{cookie}");
    let home = app.get(&later, "/").await.text().await.unwrap();
    assert!(home.contains("Revisionens översikt"), "the auditor's start page in Exempelby");
    let _ = other;
}
