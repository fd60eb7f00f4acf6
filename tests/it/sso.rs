//! Sign-in through the municipality's own identity provider, against a real OpenID provider:
//! oidc-provider (the certified Node.js implementation), installed by scripts/test under
//! target/oidc and started here on a free port with a client for Lisa.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::Locator;
use uuid::Uuid;

use crate::browser::Driver;
use crate::support::{DEMO_PASSWORD, TestApp};

/// The provider, killed when dropped.
struct Idp {
    child: Child,
    issuer: String,
    /// Kept open: the provider must not write into a closed pipe.
    _output: BufReader<std::process::ChildStdout>,
}

impl Idp {
    fn start(app: &TestApp) -> Idp {
        Idp::start_with(app, &[])
    }

    /// The provider with settings of its own, e.g. a clock that runs behind.
    fn start_with(app: &TestApp, env: &[(&str, &str)]) -> Idp {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut child = Command::new("node")
            .arg(root.join("tests/oidc/provider.mjs"))
            .env("PORT", port.to_string())
            .env("OIDC_PROVIDER_DIR", root.join("target/oidc/node_modules/oidc-provider"))
            .env("REDIRECT_URI", app.url("/login/oidc/callback"))
            .env("POST_LOGOUT_URI", app.url("/login"))
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node is installed (scripts/test installs npm and oidc-provider)");
        let mut output = BufReader::new(child.stdout.take().unwrap());
        let mut ready = String::new();
        output.read_line(&mut ready).unwrap();
        assert_eq!(ready.trim(), "ready", "oidc-provider did not start (scripts/test installs it under target/oidc)");
        Idp { child, issuer: format!("http://127.0.0.1:{port}"), _output: output }
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Exempelby's IdP as the tests set it: email matching, roles managed in Lisa.
fn settings(issuer: &str, create_accounts: bool, require_sso: bool) -> lisa::auth::sso::Settings {
    lisa::auth::sso::Settings {
        display_name: "Exempelby kommuns konto".into(),
        issuer: issuer.into(),
        client_id: "lisa".into(),
        client_secret: "lisa-client-secret-for-tests".into(),
        create_accounts,
        require_sso,
        match_claim: "email".into(),
        group_roles: None,
    }
}

/// Sets Exempelby's IdP as the CLI does.
async fn configure_with(app: &TestApp, settings: &lisa::auth::sso::Settings) {
    let key = app.state.config.secret_key.unwrap();
    lisa::auth::sso::configure(app.pool(), &lisa::audit_log::Actor::system("test"), &key, app.exempelby, settings)
        .await
        .unwrap();
}

async fn configure(app: &TestApp, issuer: &str, create_accounts: bool, require_sso: bool) {
    configure_with(app, &settings(issuer, create_accounts, require_sso)).await;
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_string()
}

/// Goes through the provider as a browser would, signing in as `login`; returns the address
/// the provider sends the browser back to (Lisa's callback with a code and the state).
async fn through_idp(idp: &Idp, auth_url: &str, login: &str) -> String {
    let browser =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let absolute = |url: &str| if url.starts_with("http") { url.to_string() } else { format!("{}{url}", idp.issuer) };
    let mut url = auth_url.to_string();
    for _ in 0..10 {
        if url.contains("/login/oidc/callback") {
            return url;
        }
        let response = browser.get(absolute(&url)).send().await.unwrap();
        if response.status().is_redirection() {
            url = location(&response);
            continue;
        }
        let html = response.text().await.unwrap();
        let action = html.split("action=\"").nth(1).expect("the provider's login form").split('"').next().unwrap();
        let submitted = browser
            .post(absolute(action))
            .form(&[("prompt", "login"), ("login", login), ("password", "anything")])
            .send()
            .await
            .unwrap();
        url = location(&submitted);
    }
    panic!("the provider never sent the browser back");
}

/// Starts a sign-in at Lisa with `lisa` (a client keeping Lisa's cookies); returns the IdP's address.
async fn start(app: &TestApp, lisa: &reqwest::Client) -> String {
    let started = lisa.get(app.url(&format!("/login/sso/{}", app.exempelby))).send().await.unwrap();
    assert_eq!(started.status(), 303, "{}", started.text().await.unwrap_or_default());
    location(&started)
}

/// A whole sign-in as `login`; returns Lisa's answer to the callback.
async fn sign_in(app: &TestApp, idp: &Idp, lisa: &reqwest::Client, login: &str) -> reqwest::Response {
    let auth_url = start(app, lisa).await;
    assert!(auth_url.starts_with(&idp.issuer) && auth_url.contains("code_challenge=") && auth_url.contains("nonce="));
    let callback = through_idp(idp, &auth_url, login).await;
    lisa.get(callback).send().await.unwrap()
}

async fn user_id(app: &TestApp, email: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(email).fetch_one(app.pool()).await.unwrap()
}

#[tokio::test]
async fn a_coordinator_signs_in_through_the_idp_linked_first_by_email_then_by_subject() {
    let app = TestApp::spawn_at_own_url().await;
    let idp = Idp::start(&app);
    configure(&app, &idp.issuer, false, false).await;
    let login_page = app.get(&app.client(), "/login").await.text().await.unwrap();
    assert!(login_page.contains("Logga in med Exempelby kommuns konto"), "the IdP is offered first");

    let lisa = app.client();
    let answer = sign_in(&app, &idp, &lisa, "samordnare@exempelby.se").await;
    assert_eq!(answer.status(), 303, "{}", answer.text().await.unwrap_or_default());
    let start_page = app.get(&lisa, "/").await.text().await.unwrap();
    assert!(start_page.contains("Sara Lind"), "signed in as the coordinator");
    let sara = user_id(&app, "samordnare@exempelby.se").await;
    let linked: (String, String) = sqlx::query_as("SELECT issuer, subject FROM sso_identities WHERE user_id = $1")
        .bind(sara)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(linked, (idp.issuer.clone(), "sub-samordnare@exempelby.se".to_string()));
    let how: String = sqlx::query_scalar("SELECT last_login_method FROM users WHERE id = $1")
        .bind(sara)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(how, "sso");
    // Where two-factor is required of password sign-ins, a session from the IdP is not asked for
    // it (the IdP asks for its own); a password sign-in is.
    sqlx::query("UPDATE municipalities SET require_totp = true").execute(app.pool()).await.unwrap();
    let by_password = app.login("medarbetare@exempelby.se").await;
    assert_eq!(app.get(&by_password, "/").await.headers()["location"], "/account/two-factor");

    // Linked, she is found by issuer and subject even when her address in Lisa changes.
    sqlx::query("UPDATE users SET email = 'sara.lind@exempelby.se' WHERE id = $1")
        .bind(sara)
        .execute(app.pool())
        .await
        .unwrap();
    let again = app.client();
    assert_eq!(sign_in(&app, &idp, &again, "samordnare@exempelby.se").await.status(), 303);
    assert!(app.get(&again, "/").await.text().await.unwrap().contains("Sara Lind"), "not sent to enrol");
    let logged: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE entity_id = $1 AND after ->> 'Inloggning' = 'Kopplad till kommunens inloggning'")
        .bind(sara)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(logged, 1, "linked once, in the change log");

    // Logging out of Lisa ends the sign-in at the IdP too, which sends the person back.
    let csrf = app.csrf(&again, "/").await;
    let out = again.post(app.url("/logout")).form(&[("csrf_token", csrf.as_str())]).send().await.unwrap();
    let to = location(&out);
    assert!(to.starts_with(&format!("{}/session/end?", idp.issuer)) && to.contains("id_token_hint="), "{to}");
    assert!(to.contains(&format!("post_logout_redirect_uri={}", urlencode(&app.url("/login")))), "{to}");
    assert_eq!(app.get(&again, "/").await.status(), 303, "the Lisa session is gone");

    // A leaver: disabling the account removes the link to the IdP as well.
    let admin = app.login("admin@exempelby.se").await;
    assert_eq!(app.post_form(&admin, &format!("/org/users/{sara}/disable"), &[]).await.status(), 303);
    let links: i64 = sqlx::query_scalar("SELECT count(*) FROM sso_identities WHERE user_id = $1")
        .bind(sara)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(links, 0);
    let refused = sign_in(&app, &idp, &app.client(), "samordnare@exempelby.se").await;
    assert_eq!(refused.status(), 401, "and the IdP no longer lets them in");
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn unknown_unverified_and_disabled_people_are_refused_and_created_only_when_allowed() {
    let app = TestApp::spawn_at_own_url().await;
    let idp = Idp::start(&app);
    configure(&app, &idp.issuer, false, false).await;

    let stranger = sign_in(&app, &idp, &app.client(), "ny.person@exempelby.se").await;
    assert_eq!(stranger.status(), 401);
    assert!(stranger.text().await.unwrap().contains("Det finns inget konto i Lisa för ny.person@exempelby.se"));
    let unverified = sign_in(&app, &idp, &app.client(), "unverified@exempelby.se").await;
    assert!(unverified.text().await.unwrap().contains("inte bekräftat din e-postadress"));

    let employee = user_id(&app, "medarbetare@exempelby.se").await;
    sqlx::query("UPDATE users SET disabled = true WHERE id = $1").bind(employee).execute(app.pool()).await.unwrap();
    let disabled = sign_in(&app, &idp, &app.client(), "medarbetare@exempelby.se").await;
    assert_eq!(disabled.status(), 401);
    assert!(
        disabled.text().await.unwrap().contains("Kontot är avstängt"),
        "a disabled account cannot come in through the IdP"
    );

    configure(&app, &idp.issuer, true, false).await;
    let coordinator = app.login("samordnare@exempelby.se").await;
    for _ in 0..2 {
        assert!(!app.get(&coordinator, "/org/users").await.text().await.unwrap().contains("ny.person@exempelby.se"));
    }
    let lisa = app.client();
    assert_eq!(sign_in(&app, &idp, &lisa, "ny.person@exempelby.se").await.status(), 303);
    let users = app.get(&coordinator, "/org/users").await.text().await.unwrap();
    assert!(users.contains("ny.person@exempelby.se"), "the account made at sign-in is listed at once");
    let role: String = sqlx::query_scalar(
        "SELECT g.role FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.email = 'ny.person@exempelby.se'",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(role, "medarbetare", "created with the employee role when the municipality allows it");
    assert_eq!(app.get(&lisa, "/incidents/report").await.status(), 200);
}

#[tokio::test]
async fn a_wrong_or_replayed_state_a_wrong_nonce_and_a_wrong_issuer_are_refused() {
    let app = TestApp::spawn_at_own_url().await;
    let idp = Idp::start(&app);
    configure(&app, &idp.issuer, false, false).await;

    // A state other than the one this browser started with.
    let lisa = app.client();
    let callback = through_idp(&idp, &start(&app, &lisa).await, "samordnare@exempelby.se").await;
    let state = callback.split("state=").nth(1).unwrap().split('&').next().unwrap().to_string();
    let tampered = callback.replace(&format!("state={state}"), "state=annat");
    let wrong = lisa.get(&tampered).send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(wrong.text().await.unwrap().contains("hör inte till en inloggning som började i den här webbläsaren"));
    // Another browser with the right answer: not the one that started it.
    assert_eq!(app.client().get(&callback).send().await.unwrap().status(), 401);
    // The right answer once, then replayed.
    assert_eq!(lisa.get(&callback).send().await.unwrap().status(), 303);
    assert_eq!(lisa.get(&callback).send().await.unwrap().status(), 401, "the browser's state is spent");
    // Even with the state cookie put back, the state is used once.
    let replay = app
        .client()
        .get(&callback)
        .header(reqwest::header::COOKIE, format!("lisa_sso_state={state}"))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 401);
    assert!(replay.text().await.unwrap().contains("redan använd"));

    // A nonce other than the one sent: the ID token belongs to another sign-in.
    let lisa = app.client();
    let auth_url = start(&app, &lisa).await;
    sqlx::query("UPDATE sso_logins SET nonce = 'en-annan-nonce'").execute(app.pool()).await.unwrap();
    let answer = lisa.get(through_idp(&idp, &auth_url, "samordnare@exempelby.se").await).send().await.unwrap();
    assert_eq!(answer.status(), 401);
    assert!(answer.text().await.unwrap().contains("hör inte till den här inloggningen"));

    // A code made for another client (the token would be for another audience).
    let lisa = app.client();
    let auth_url = start(&app, &lisa).await;
    let callback = through_idp(&idp, &auth_url, "samordnare@exempelby.se").await;
    sqlx::query("UPDATE sso_providers SET client_id = 'another-app'").execute(app.pool()).await.unwrap();
    let answer = lisa.get(callback).send().await.unwrap();
    assert_eq!(answer.status(), 401);
    assert!(answer.text().await.unwrap().contains("godtog inte svaret"));

    // An issuer that is not the one the provider names itself.
    configure(&app, &idp.issuer.replace("127.0.0.1", "localhost"), false, false).await;
    let refused = app.client().get(app.url(&format!("/login/sso/{}", app.exempelby))).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    assert!(refused.text().await.unwrap().contains("utfärdaren stämmer inte"));
}

#[tokio::test]
async fn the_system_administrator_sets_the_idp_in_the_interface_and_never_sees_the_secret_again() {
    let app = TestApp::spawn_at_own_url().await;
    let idp = Idp::start(&app);
    let path = format!("/admin/municipalities/{}/sso", app.exempelby);
    let coordinator = app.login("samordnare@exempelby.se").await;
    assert_eq!(app.get(&coordinator, &path).await.status(), 403, "the system administrator's");
    let admin = app.login("admin@exempelby.se").await;
    let page = app.get(&admin, &path).await.text().await.unwrap();
    assert!(page.contains(&app.url("/login/oidc/callback")), "shows the redirect URI to register");
    let missing = app.post_form(&admin, &path, &[("display_name", "Kommunkontot"), ("issuer", "inte en adress")]).await;
    assert_eq!(missing.status(), 422);
    let text = missing.text().await.unwrap();
    assert!(text.contains("Utfärdaren ska vara en adress") && text.contains("Klienthemligheten behövs"));
    let bad_roles =
        app.post_form(&admin, &path, &[("group_claim", "groups"), ("group_roles", "lisa-chefer = chef")]).await;
    assert_eq!(bad_roles.status(), 422);
    let text = bad_roles.text().await.unwrap();
    assert!(text.contains("Rad 1: ”chef” är ingen roll") && text.contains("lisa-chefer = chef"), "kept as typed");
    let fields = [
        ("display_name", "Exempelby kommuns konto"),
        ("issuer", idp.issuer.as_str()),
        ("client_id", "lisa"),
        ("client_secret", "lisa-client-secret-for-tests"),
    ];
    assert_eq!(app.post_form(&admin, &path, &fields).await.status(), 303);
    let page = app.get(&admin, &path).await.text().await.unwrap();
    assert!(!page.contains("lisa-client-secret-for-tests") && page.contains("Lämna tomt för att behålla den"));
    // Saved again without the secret: the stored one stays and works.
    assert_eq!(app.post_form(&admin, &path, &fields[..3]).await.status(), 303);
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT client_secret FROM sso_providers").fetch_one(app.pool()).await.unwrap();
    assert!(!stored.windows(12).any(|w| w == b"lisa-client-"), "stored encrypted");
    assert_eq!(sign_in(&app, &idp, &app.client(), "samordnare@exempelby.se").await.status(), 303);
}

#[tokio::test]
async fn an_expired_id_token_is_refused() {
    let app = TestApp::spawn_at_own_url().await;
    // A provider whose clock is two hours behind: its ID tokens (ten minutes) have long expired.
    let idp = Idp::start_with(&app, &[("CLOCK_OFFSET_SECONDS", "-7200")]);
    configure(&app, &idp.issuer, false, false).await;
    let answer = sign_in(&app, &idp, &app.client(), "samordnare@exempelby.se").await;
    assert_eq!(answer.status(), 401);
    assert!(answer.text().await.unwrap().contains("den har gått ut"));
}

#[tokio::test]
async fn an_id_token_for_another_audience_is_refused() {
    let app = TestApp::spawn_at_own_url().await;
    // The provider signs, with its own key, ID tokens made out to another client.
    let idp = Idp::start_with(&app, &[("ID_TOKEN_AUDIENCE", "another-app")]);
    configure(&app, &idp.issuer, false, false).await;
    let answer = sign_in(&app, &idp, &app.client(), "samordnare@exempelby.se").await;
    assert_eq!(answer.status(), 401);
    assert!(answer.text().await.unwrap().contains("den är utfärdad för en annan tjänst"));
}

#[tokio::test]
async fn an_idp_without_email_finds_the_account_by_the_claim_the_municipality_names() {
    let app = TestApp::spawn_at_own_url().await;
    let idp = Idp::start(&app);
    // As Entra ID: a `upn`, no email.
    let entra_like = "upn-only:samordnare@exempelby.se";
    configure(&app, &idp.issuer, false, false).await;
    let refused = sign_in(&app, &idp, &app.client(), entra_like).await;
    assert_eq!(refused.status(), 401);
    assert!(refused.text().await.unwrap().contains("skickade ingen e-postadress"));

    configure_with(
        &app,
        &lisa::auth::sso::Settings { match_claim: "upn".into(), ..settings(&idp.issuer, false, false) },
    )
    .await;
    let lisa = app.client();
    let answer = sign_in(&app, &idp, &lisa, entra_like).await;
    assert_eq!(answer.status(), 303, "{}", answer.text().await.unwrap_or_default());
    assert!(app.get(&lisa, "/").await.text().await.unwrap().contains("Sara Lind"));
    let linked: String = sqlx::query_scalar("SELECT subject FROM sso_identities WHERE user_id = $1")
        .bind(user_id(&app, "samordnare@exempelby.se").await)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(linked, format!("sub-{entra_like}"));
    let stranger = sign_in(&app, &idp, &app.client(), "upn-only:ny.person@exempelby.se").await;
    assert!(stranger.text().await.unwrap().contains("Det finns inget konto i Lisa för ny.person@exempelby.se"));
}

/// Exempelby's municipality-wide roles of an account, by code.
async fn roles_of(app: &TestApp, email: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT g.role FROM role_grants g JOIN users u ON u.id = g.user_id
          WHERE u.email = $1 AND g.municipality_id = $2 AND g.body_id IS NULL ORDER BY g.role",
    )
    .bind(email)
    .bind(app.exempelby)
    .fetch_all(app.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn where_the_idp_decides_roles_its_groups_set_them_at_every_sign_in() {
    let app = TestApp::spawn_at_own_url().await;
    let idp = Idp::start(&app);
    let mapped = |lines: &str| lisa::auth::sso::Settings {
        group_roles: Some(lisa::auth::sso::GroupMapping {
            claim: "groups".into(),
            roles: lisa::auth::idp_claims::parse_group_roles(lines).unwrap(),
        }),
        ..settings(&idp.issuer, true, false)
    };
    configure_with(&app, &mapped("lisa-medarbetare = revisor\nlisa-samordnare = medarbetare")).await;

    // The employee is in the group that gives the auditor's role: that is now their only role.
    assert_eq!(roles_of(&app, "medarbetare@exempelby.se").await, ["medarbetare"]);
    let lisa = app.client();
    assert_eq!(sign_in(&app, &idp, &lisa, "medarbetare@exempelby.se").await.status(), 303);
    assert_eq!(roles_of(&app, "medarbetare@exempelby.se").await, ["revisor"]);
    assert_eq!(app.get(&lisa, "/recommendations").await.status(), 200, "works as an auditor at once");
    let changes: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity_type = 'role_grant' AND actor_user_id = $1 ORDER BY id",
    )
    .bind(user_id(&app, "medarbetare@exempelby.se").await)
    .fetch_all(app.pool())
    .await
    .unwrap();
    assert_eq!(changes.len(), 2, "one role removed and one added, in the change log: {changes:?}");

    // A break-glass account keeps its roles whatever its groups say: the way back in.
    let sara = user_id(&app, "samordnare@exempelby.se").await;
    lisa::auth::sso::set_break_glass(app.pool(), &lisa::audit_log::Actor::system("test"), sara, true).await.unwrap();
    assert_eq!(sign_in(&app, &idp, &app.client(), "samordnare@exempelby.se").await.status(), 303);
    assert_eq!(roles_of(&app, "samordnare@exempelby.se").await, ["samordnare"]);

    // Someone the IdP knows in no mapped group gets no account, even where accounts are created.
    let nobody = sign_in(&app, &idp, &app.client(), "ny.person@exempelby.se").await;
    assert_eq!(nobody.status(), 401);
    assert!(nobody.text().await.unwrap().contains("ger dig ingen roll i Lisa"));
    let accounts: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE email = 'ny.person@exempelby.se'")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(accounts, 0);
    configure_with(&app, &mapped("lisa-ny.person = fortroendevald")).await;
    assert_eq!(sign_in(&app, &idp, &app.client(), "ny.person@exempelby.se").await.status(), 303);
    assert_eq!(roles_of(&app, "ny.person@exempelby.se").await, ["fortroendevald"], "created with the group's role");

    // Out of every mapped group (a leaver at the IdP): the roles go, and so does the way in.
    let left = sign_in(&app, &idp, &app.client(), "medarbetare@exempelby.se").await;
    assert_eq!(left.status(), 401);
    assert!(left.text().await.unwrap().contains("ger dig ingen roll i Lisa"));
    assert!(roles_of(&app, "medarbetare@exempelby.se").await.is_empty());
    assert_eq!(app.get(&lisa, "/recommendations").await.status(), 403, "the open session lost the role too");
}

#[tokio::test]
async fn where_single_sign_on_is_required_only_break_glass_accounts_use_a_password() {
    let app = TestApp::spawn_at_own_url().await;
    let idp = Idp::start(&app);
    configure(&app, &idp.issuer, false, true).await;
    let refused = app.try_login(&app.client(), "samordnare@exempelby.se", DEMO_PASSWORD).await;
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.unwrap().contains("kräver att du loggar in med Exempelby kommuns konto"));
    let sara = user_id(&app, "samordnare@exempelby.se").await;
    lisa::auth::sso::set_break_glass(app.pool(), &lisa::audit_log::Actor::system("test"), sara, true).await.unwrap();
    assert_eq!(app.try_login(&app.client(), "samordnare@exempelby.se", DEMO_PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn the_whole_sign_in_in_chromium_never_shows_a_lisa_password() {
    let app = TestApp::spawn_at_own_url().await;
    let idp = Idp::start(&app);
    configure(&app, &idp.issuer, false, true).await;
    let driver = Driver::start();
    let browser = driver.client().await;
    browser.goto(&app.url("/login")).await.unwrap();
    browser.find(Locator::LinkText("Logga in med Exempelby kommuns konto")).await.unwrap().click().await.unwrap();
    let login =
        browser.wait().at_most(Duration::from_secs(15)).for_element(Locator::Css("input[name=login]")).await.unwrap();
    assert!(browser.current_url().await.unwrap().as_str().starts_with(&idp.issuer), "at the municipality's IdP");
    login.send_keys("samordnare@exempelby.se").await.unwrap();
    browser.find(Locator::Css("input[name=password]")).await.unwrap().send_keys("idp-password").await.unwrap();
    browser.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let url = browser.current_url().await.unwrap();
        if url.as_str().starts_with(&app.url("/")) && url.path() == "/" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never came back to Lisa: at {url}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let header = browser.find(Locator::Css("header")).await.unwrap().text().await.unwrap();
    assert!(header.contains("Sara Lind"), "{header}");
    browser.close().await.unwrap();
}
