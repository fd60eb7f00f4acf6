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

    let ok = app.try_login(&client, "SAMORDNARE@exempelby.se", DEMO_PASSWORD).await;
    assert_eq!(ok.status(), 303);
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

#[tokio::test]
async fn repeated_failures_are_slowed_then_refused_without_revealing_accounts() {
    let app = TestApp::spawn().await;
    for email in ["medarbetare@exempelby.se", "ingen@exempelby.se"] {
        let client = app.client();
        // Record nine failures directly: sending them would only wait out the delays.
        for _ in 0..9 {
            sqlx::query("INSERT INTO login_failures (throttle_key) VALUES ($1)")
                .bind(format!("account:{email}"))
                .execute(app.pool())
                .await
                .unwrap();
        }
        let started = std::time::Instant::now();
        let slowed = app.try_login(&client, email, "fel").await;
        assert_eq!(slowed.status(), 401);
        assert!(started.elapsed() >= std::time::Duration::from_millis(3000), "the tenth try is delayed");
        let refused = app.try_login(&client, email, DEMO_PASSWORD).await;
        assert_eq!(refused.status(), 429, "{email} is locked, even with the right password");
        assert!(refused.text().await.unwrap().contains("För många misslyckade inloggningar"));
    }
    // Other accounts are unaffected.
    app.login("samordnare@exempelby.se").await;
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
}

#[tokio::test]
async fn idle_sessions_expire() {
    let app = TestApp::spawn().await;
    let client = app.login("medarbetare@exempelby.se").await;
    sqlx::query("UPDATE sessions SET last_seen_at = now() - interval '2 hours'").execute(app.pool()).await.unwrap();
    // What the identity cache's few seconds would do by themselves.
    lisa::auth::session::forget_everyone(&app.state);
    assert_eq!(app.get(&client, "/").await.status(), 303);
}

#[tokio::test]
async fn login_redirects_only_to_this_site() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let token = app.csrf(&client, "/login").await;
    let response = client
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "revisor@exempelby.se"),
            ("password", DEMO_PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["location"], "/");
}
