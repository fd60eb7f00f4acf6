//! Two-factor sign-in for password accounts: enrolment by QR code and a code, the login's
//! second step with a code computed here as a phone would, recovery codes used once, required
//! for administrators and where a municipality asks for it.

use crate::support::{DEMO_PASSWORD, TestApp};

fn now() -> u64 {
    chrono::Utc::now().timestamp() as u64
}

fn code(secret: &str, at: u64) -> String {
    lisa::auth::two_factor::code_at(secret, at).unwrap()
}

/// The secret the enrolment page offers.
fn offered_secret(html: &str) -> String {
    let start = html.find("<code class=\"secret\">").expect("the key is shown") + "<code class=\"secret\">".len();
    html[start..].split('<').next().unwrap().to_string()
}

/// Posts the login's code step from the client holding the challenge cookie.
async fn answer(app: &TestApp, client: &reqwest::Client, code: &str) -> reqwest::Response {
    let csrf = app.csrf(client, "/login/code").await;
    client.post(app.url("/login/code")).form(&[("csrf_token", csrf.as_str()), ("code", code)]).send().await.unwrap()
}

/// Posts a form of the two-factor page: until enrolled, no other page gives a CSRF token.
async fn post_two_factor(app: &TestApp, client: &reqwest::Client, path: &str, code: &str) -> reqwest::Response {
    let csrf = app.csrf(client, "/account/two-factor").await;
    client.post(app.url(path)).form(&[("csrf_token", csrf.as_str()), ("code", code)]).send().await.unwrap()
}

/// Enrols the signed-in client; returns the secret and the recovery codes shown.
async fn enrol(app: &TestApp, client: &reqwest::Client) -> (String, Vec<String>) {
    let page = app.get(client, "/account/two-factor").await.text().await.unwrap();
    assert!(page.contains("<svg"), "the QR code is drawn on the page");
    let secret = offered_secret(&page);
    let wrong = post_two_factor(app, client, "/account/two-factor", "000000").await;
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().await.unwrap().contains("Koden stämmer inte"));
    let done = post_two_factor(app, client, "/account/two-factor", &code(&secret, now())).await;
    assert_eq!(done.status(), 200);
    let html = done.text().await.unwrap();
    let codes: Vec<String> =
        html.split("<li><code>").skip(1).map(|part| part.split('<').next().unwrap().to_string()).collect();
    assert_eq!(codes.len(), 10, "ten recovery codes, shown once");
    (secret, codes)
}

#[tokio::test]
async fn an_administrator_must_enrol_and_then_signs_in_with_a_code_or_a_recovery_code_once() {
    let app = TestApp::spawn_with(|config| config.admins_need_two_factor = true).await;
    let admin = app.login("admin@exempelby.se").await;
    let kept_out = app.get(&admin, "/systems").await;
    assert_eq!(kept_out.status(), 303);
    assert_eq!(kept_out.headers()["location"], "/account/two-factor");
    let page = app.get(&admin, "/account/two-factor").await.text().await.unwrap();
    assert!(page.contains("måste använda tvåstegsverifiering"));
    let (secret, recovery) = enrol(&app, &admin).await;
    assert_eq!(app.get(&admin, "/systems").await.status(), 200, "enrolled, the account works");
    let again = app.get(&admin, "/account/two-factor").await.text().await.unwrap();
    assert!(!again.contains(&recovery[0]) && again.contains("kan inte stängas av"), "codes shown once; required");

    // The password alone no longer signs in: it opens the code step.
    let client = app.client();
    let password = app.try_login(&client, "admin@exempelby.se", DEMO_PASSWORD).await;
    assert_eq!(password.headers()["location"], "/login/code");
    assert_eq!(app.get(&client, "/systems").await.status(), 303, "no session yet");
    let wrong = answer(&app, &client, "123456").await;
    assert_eq!(wrong.status(), 401);
    assert!(wrong.text().await.unwrap().contains("Koden stämmer inte"));
    // The code of the enrolment's step is used; the phone's next one is accepted.
    let next_code = code(&secret, now() + 30);
    let signed_in = answer(&app, &client, &next_code).await;
    assert_eq!(signed_in.status(), 303, "{}", signed_in.text().await.unwrap_or_default());
    assert_eq!(app.get(&client, "/systems").await.status(), 200);
    let replay = app.client();
    app.try_login(&replay, "admin@exempelby.se", DEMO_PASSWORD).await;
    assert_eq!(answer(&app, &replay, &next_code).await.status(), 401, "a code is accepted once");

    let lost_phone = app.client();
    app.try_login(&lost_phone, "admin@exempelby.se", DEMO_PASSWORD).await;
    let typed = recovery[3].to_uppercase().replace('-', " ");
    assert_eq!(answer(&app, &lost_phone, &typed).await.status(), 303, "a recovery code, however typed");
    let once = app.client();
    app.try_login(&once, "admin@exempelby.se", DEMO_PASSWORD).await;
    assert_eq!(answer(&app, &once, &recovery[3]).await.status(), 401, "each recovery code works once");
}

#[tokio::test]
async fn five_wrong_codes_end_the_login_and_a_municipality_may_require_two_factor_of_everyone() {
    let app = TestApp::spawn().await;
    let employee = app.login("medarbetare@exempelby.se").await;
    assert_eq!(app.get(&employee, "/").await.status(), 200, "optional by default");
    let (secret, _) = enrol(&app, &employee).await;

    let guesser = app.client();
    app.try_login(&guesser, "medarbetare@exempelby.se", DEMO_PASSWORD).await;
    for _ in 0..4 {
        assert_eq!(answer(&app, &guesser, "111111").await.status(), 401);
    }
    let fifth = answer(&app, &guesser, "111111").await;
    assert_eq!(fifth.headers()["location"], "/login", "the fifth wrong code ends the login");
    let login = app.get(&guesser, "/login").await.text().await.unwrap();
    assert!(login.contains("Logga in igen"), "and says so");
    assert_eq!(answer(&app, &guesser, &code(&secret, now() + 30)).await.headers()["location"], "/login");

    // Five wrong codes for the account: its second step waits, on the settings page too.
    let waiting = post_two_factor(&app, &employee, "/account/two-factor/off", &code(&secret, now() + 30)).await;
    assert_eq!(waiting.status(), 422);
    assert!(waiting.text().await.unwrap().contains("För många felaktiga koder"));
    sqlx::query("UPDATE users SET second_step_wait_until = now() - interval '1 second' WHERE email = 'medarbetare@exempelby.se'")
        .execute(app.pool())
        .await
        .unwrap();

    // Optional: the account turns it off with a code.
    let off = post_two_factor(&app, &employee, "/account/two-factor/off", &code(&secret, now() + 30)).await;
    assert_eq!(off.status(), 303);
    assert_eq!(
        app.try_login(&app.client(), "medarbetare@exempelby.se", DEMO_PASSWORD).await.headers()["location"],
        "/"
    );

    // The coordinator requires it: the employee must enrol before anything else.
    let coordinator = app.login("samordnare@exempelby.se").await;
    let users = app.get(&coordinator, "/org/users").await.text().await.unwrap();
    assert!(users.contains("Kräv tvåstegsverifiering") && !users.contains("value=\"true\" checked>"));
    let auditor = app.login("revisor@exempelby.se").await;
    let refused = app.post_form(&auditor, "/org/users/two-factor", &[("required", "true")]).await;
    assert_eq!(refused.status(), 403, "the rule is the coordinator's");
    let rule = app.post_form(&coordinator, "/org/users/two-factor", &[("required", "true")]).await;
    assert_eq!(rule.status(), 303);
    let users = app.get(&coordinator, "/org/users").await;
    assert_eq!(users.headers()["location"], "/account/two-factor", "the coordinator too");
    assert_eq!(app.get(&employee, "/").await.headers()["location"], "/account/two-factor");
    let (secret, _) = enrol(&app, &employee).await;
    let refused = post_two_factor(&app, &employee, "/account/two-factor/off", &code(&secret, now() + 30)).await;
    assert_eq!(refused.status(), 403, "not where it is required");
    let logged: Vec<serde_json::Value> =
        sqlx::query_scalar("SELECT after FROM audit_log WHERE entity_type = 'municipality' ORDER BY id DESC LIMIT 1")
            .fetch_all(app.pool())
            .await
            .unwrap();
    assert_eq!(logged[0]["Tvåstegsverifiering"], "Krävs");
    let medarbetare: Vec<serde_json::Value> = sqlx::query_scalar(
        "SELECT after FROM audit_log WHERE entity_type = 'user' AND after ? 'Tvåstegsverifiering' ORDER BY id",
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    assert_eq!(medarbetare.len(), 3, "on, off, on: {medarbetare:?}");
}
