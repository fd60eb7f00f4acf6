//! A real headless Chromium, driven through chromedriver.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::support::{DEMO_PASSWORD, TestApp};

/// chromedriver on a free port, killed when dropped.
pub struct Driver {
    child: Child,
    port: u16,
    profile: std::path::PathBuf,
}

impl Driver {
    pub fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (scripts/test installs Debian's chromium and chromium-driver)");
        let profile = std::env::temp_dir().join(format!("lisa-chromium-{}-{port}", std::process::id()));
        Driver { child, port, profile }
    }

    /// A desktop browser window, 1280 × 900.
    pub async fn client(&self) -> fantoccini::Client {
        self.session(1280, 900, false).await
    }

    /// A browser of `width` × `height` CSS pixels: a phone (mobile emulation, which is the
    /// only way below headless Chromium's smallest window of 500 px) or a desktop window.
    pub async fn session(&self, width: u32, height: u32, phone: bool) -> fantoccini::Client {
        let mut options = json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", format!("--window-size={width},{height}"), "--hide-scrollbars",
                format!("--user-data-dir={}-{width}", self.profile.display()),
            ]
        });
        if phone {
            options["mobileEmulation"] =
                json!({"deviceMetrics": {"width": width, "height": height, "pixelRatio": 1.0}});
        }
        let capabilities = json!({ "goog:chromeOptions": options });
        let capabilities = capabilities.as_object().unwrap().clone();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let attempt = ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await;
            match attempt {
                Ok(client) => return client,
                Err(err) if Instant::now() > deadline => panic!("could not start Chromium: {err}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for dir in std::fs::read_dir(std::env::temp_dir()).into_iter().flatten().flatten() {
            if dir.path().to_string_lossy().starts_with(&*self.profile.to_string_lossy()) {
                let _ = std::fs::remove_dir_all(dir.path());
            }
        }
    }
}

/// Waits until the browser shows `path` (after a click that navigates).
async fn wait_for_path(browser: &fantoccini::Client, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while browser.current_url().await.unwrap().path() != path {
        if Instant::now() > deadline {
            let at = browser.current_url().await.unwrap();
            let main = browser.find(Locator::Css("main")).await.unwrap().text().await.unwrap_or_default();
            panic!("never reached {path}; at {at}, showing:\n{}", main.chars().take(1500).collect::<String>());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn log_in_as_coordinator(app: &TestApp, browser: &fantoccini::Client) {
    log_in(app, browser, "samordnare@exempelby.se").await;
}

/// Logs out through the account menu in the header.
async fn log_out(browser: &fantoccini::Client) {
    browser.find(Locator::Css(".account-menu summary")).await.unwrap().click().await.unwrap();
    browser.find(Locator::Css(".account-menu form[action='/logout'] button")).await.unwrap().click().await.unwrap();
    browser.wait().for_element(Locator::Css("#email")).await.unwrap();
}

pub async fn log_in(app: &TestApp, browser: &fantoccini::Client, email: &str) {
    browser.goto(&app.url("/login")).await.unwrap();
    browser.find(Locator::Css("#email")).await.unwrap().send_keys(email).await.unwrap();
    browser.find(Locator::Css("#password")).await.unwrap().send_keys(DEMO_PASSWORD).await.unwrap();
    browser.find(Locator::Css("main button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_path(browser, "/").await;
}

#[tokio::test]
async fn the_coordinator_logs_in_creates_a_namnd_and_sees_it_listed() {
    let app = TestApp::spawn().await;
    let driver = Driver::start();
    let browser = driver.client().await;

    browser.goto(&app.url("/")).await.unwrap();
    assert!(browser.current_url().await.unwrap().path().starts_with("/login"), "sent to login");
    log_in_as_coordinator(&app, &browser).await;
    let heading = browser.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(heading, "Samordnarens översikt", "the start page is the coordinator's dashboard");

    browser.find(Locator::Css(".main-nav a[href='/org']")).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, "/org").await;
    browser.find(Locator::LinkText("Lägg till organ")).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, "/org/bodies/new").await;
    browser.find(Locator::Css("#kind option[value=namnd]")).await.unwrap().click().await.unwrap();
    browser.find(Locator::Css("#name")).await.unwrap().send_keys("Kultur- och fritidsnämnden").await.unwrap();
    browser.find(Locator::Css("main form button[type=submit]")).await.unwrap().click().await.unwrap();

    wait_for_path(&browser, "/org").await;
    let flash = browser.find(Locator::Css(".flash")).await.unwrap().text().await.unwrap();
    assert_eq!(flash, "Kultur- och fritidsnämnden har lagts till.");
    let listed = browser.find(Locator::LinkText("Kultur- och fritidsnämnden")).await.unwrap();
    listed.click().await.unwrap();
    browser.wait().for_element(Locator::Css(".facts")).await.unwrap();
    let facts = browser.find(Locator::Css(".facts")).await.unwrap().text().await.unwrap();
    assert!(facts.contains("Nämnd"));
    browser.close().await.unwrap();
}

/// axe-core, installed by scripts/test (npm package axe-core, pinned there).
pub fn axe_source() -> String {
    let path = std::env::var("LISA_AXE_JS")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/target/axe/node_modules/axe-core/axe.min.js").into());
    std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{path} is missing: run scripts/test, which installs axe-core"))
}

/// WCAG 2.1 A and AA violations on the current page, as "rule: count" lines.
pub async fn accessibility_violations(browser: &fantoccini::Client, axe: &str) -> Vec<String> {
    browser.execute(&format!("{axe}\nreturn true;"), vec![]).await.unwrap();
    let result = browser
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})
                .then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
                .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(result).unwrap()
}

#[tokio::test]
async fn pages_have_no_wcag_21_aa_violations_found_by_axe() {
    let app = TestApp::spawn().await;
    let axe = axe_source();
    let driver = Driver::start();
    let browser = driver.client().await;

    browser.goto(&app.url("/login")).await.unwrap();
    let mut found = Vec::new();
    found.extend(accessibility_violations(&browser, &axe).await.into_iter().map(|v| format!("/login {v}")));
    log_in_as_coordinator(&app, &browser).await;

    let pages = app.coordinator_pages().await;
    for page in &pages {
        browser.goto(&app.url(page)).await.unwrap();
        found.extend(accessibility_violations(&browser, &axe).await.into_iter().map(|v| format!("{page} {v}")));
    }
    // A form shown again with its errors.
    browser.goto(&app.url("/org/bodies/new")).await.unwrap();
    browser.find(Locator::Css("main form button[type=submit]")).await.unwrap().click().await.unwrap();
    browser.wait().for_element(Locator::Css(".error-summary")).await.unwrap();
    found.extend(accessibility_violations(&browser, &axe).await.into_iter().map(|v| format!("form with errors {v}")));
    // Control: the check finds a violation when there is one (an input without a label).
    browser
        .execute(
            "document.querySelector('main').insertAdjacentHTML('beforeend', '<input id=\"control\">'); return true;",
            vec![],
        )
        .await
        .unwrap();
    let control = accessibility_violations(&browser, &axe).await;
    assert!(control.iter().any(|v| v.starts_with("label:")), "axe reports an unlabelled field: {control:?}");
    browser.close().await.unwrap();
    assert!(found.is_empty(), "accessibility violations:\n{}", found.join("\n"));
}

#[tokio::test]
async fn an_auditor_pastes_recommendations_fixes_a_row_and_finds_them_in_the_register() {
    let app = TestApp::spawn().await;
    let token = app.api_token("revisor@exempelby.se", app.exempelby).await;
    let ks = crate::support::body_id_by_name(app.pool(), app.exempelby, "Kommunstyrelsen").await;
    let audit: serde_json::Value = app
        .api(&token)
        .send(
            reqwest::Method::POST,
            "/audits",
            json!({"title": "Granskning av informationssäkerhet", "kind": "granskning", "commissioned_by": "revisorerna",
                   "report_date": "2025-03-01", "body_ids": [ks]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let audit_id = audit["id"].as_str().unwrap();

    let driver = Driver::start();
    let browser = driver.client().await;
    browser.goto(&app.url("/login")).await.unwrap();
    browser.find(Locator::Css("#email")).await.unwrap().send_keys("revisor@exempelby.se").await.unwrap();
    browser.find(Locator::Css("#password")).await.unwrap().send_keys(DEMO_PASSWORD).await.unwrap();
    browser.find(Locator::Css("main button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, "/").await;

    browser.goto(&app.url(&format!("/audits/{audit_id}"))).await.unwrap();
    browser.find(Locator::LinkText("Klistra in rekommendationer från rapporten")).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, &format!("/audits/{audit_id}/import")).await;
    let pasted = "Vi rekommenderar kommunstyrelsen att:\n\u{F0B7} upprätta en förteckning över\nverksamhetens informationstillgångar\n\u{F0B7} utse systemägare\n7\n\u{F0B7} utbilda förtroendevalda i informationssäkerhet";
    browser.find(Locator::Css("#text")).await.unwrap().send_keys(pasted).await.unwrap();
    browser.find(Locator::Css("main form button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, &format!("/audits/{audit_id}/import/preview")).await;
    let heading = browser.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(heading, "Förhandsgranska 3 rekommendationer");

    // Fix the second row: the pasted text was too terse.
    let second = browser.find(Locator::Css("#text_1")).await.unwrap();
    second.clear().await.unwrap();
    second.send_keys("utse systemägare för samtliga verksamhetssystem").await.unwrap();
    browser.find(Locator::Css("main form button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, "/recommendations").await;

    let flash = browser.find(Locator::Css(".flash")).await.unwrap().text().await.unwrap();
    assert_eq!(flash, "3 rekommendationer är sparade.");
    let table = browser.find(Locator::Css("main table")).await.unwrap().text().await.unwrap();
    assert!(table.contains("upprätta en förteckning över verksamhetens informationstillgångar"));
    assert!(table.contains("utse systemägare för samtliga verksamhetssystem"));
    assert!(table.contains("utbilda förtroendevalda i informationssäkerhet"));
    assert!(table.contains("Kommunstyrelsen") && table.contains("Öppen"));
    browser.close().await.unwrap();
}

#[tokio::test]
async fn the_coordinator_classifies_information_and_sees_the_systems_level_change() {
    let app = TestApp::spawn().await;
    let driver = Driver::start();
    let browser = driver.client().await;
    log_in_as_coordinator(&app, &browser).await;

    browser.find(Locator::LinkText("System")).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, "/systems").await;
    browser.find(Locator::LinkText("Skolplattformen")).await.unwrap().click().await.unwrap();
    browser.wait().for_element(Locator::Css("#protection-level")).await.unwrap();
    let system_path = browser.current_url().await.unwrap().path().to_string();
    let before = browser.find(Locator::Css("#protection-level")).await.unwrap().text().await.unwrap();
    assert_eq!(before, "2-3-2-2");

    browser.find(Locator::LinkText("Frånvaro")).await.unwrap().click().await.unwrap();
    browser.wait().for_element(Locator::Css("#asset-level")).await.unwrap();
    let asset_path = browser.current_url().await.unwrap().path().to_string();
    assert_eq!(
        browser.find(Locator::Css("#asset-level")).await.unwrap().text().await.unwrap(),
        "Informationen är inte klassad än."
    );
    for (aspect, level) in [("k", "3"), ("r", "2"), ("t", "4"), ("s", "1")] {
        browser.find(Locator::Css(&format!("#{aspect} option[value='{level}']"))).await.unwrap().click().await.unwrap();
        browser
            .find(Locator::Css(&format!("#{aspect}_reason")))
            .await
            .unwrap()
            .send_keys("Frånvaro är känslig och behövs samma dag.")
            .await
            .unwrap();
    }
    browser
        .find(Locator::Css("form[action$='/classifications'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_path(&browser, &asset_path).await;
    let flash = browser.find(Locator::Css(".flash")).await.unwrap().text().await.unwrap();
    assert_eq!(flash, "Klassningen 3-2-4-1 är sparad som version 1.");

    browser.find(Locator::LinkText("Skolplattformen")).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, &system_path).await;
    let after = browser.find(Locator::Css("#protection-level")).await.unwrap().text().await.unwrap();
    assert_eq!(after, "3-3-4-2");
    let warning = browser.find(Locator::Css(".callout-warning")).await.unwrap().text().await.unwrap();
    assert!(warning.starts_with("Nivå 4"), "{warning}");
    browser.close().await.unwrap();
}

#[tokio::test]
async fn an_employee_reports_an_incident_and_the_coordinator_sees_its_clock() {
    let app = TestApp::spawn().await;
    let driver = Driver::start();
    let browser = driver.client().await;
    log_in(&app, &browser, "medarbetare@exempelby.se").await;
    browser.find(Locator::LinkText("Rapportera incident")).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, "/incidents/report").await;
    browser
        .find(Locator::Css("#title"))
        .await
        .unwrap()
        .send_keys("Journalutdrag skickat till fel brukare")
        .await
        .unwrap();
    browser.find(Locator::Css("input[name=personal_data]")).await.unwrap().click().await.unwrap();
    browser.find(Locator::Css("main form button[type=submit]")).await.unwrap().click().await.unwrap();
    browser.wait().for_element(Locator::Css(".flash")).await.unwrap();
    let flash = browser.find(Locator::Css(".flash")).await.unwrap().text().await.unwrap();
    assert!(flash.starts_with("Tack! Din rapport har nummer INC-"), "{flash}");
    let path = browser.current_url().await.unwrap().path().to_string();
    let reference = flash.split_whitespace().find(|w| w.starts_with("INC-")).unwrap().trim_end_matches('.').to_string();
    log_out(&browser).await;

    log_in_as_coordinator(&app, &browser).await;
    browser.find(Locator::LinkText("Incidenter")).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, "/incidents").await;
    browser.find(Locator::LinkText(&reference)).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, &path).await;
    let clocks = browser.find(Locator::Css("#clocks")).await.unwrap().text().await.unwrap();
    assert!(clocks.contains("Anmälan till IMY"), "{clocks}");
    assert!(clocks.contains("Pågår") && clocks.contains("kvar"), "{clocks}");
    browser.close().await.unwrap();
}

#[tokio::test]
async fn a_contract_owner_records_a_compliance_check_and_a_follow_up_is_proposed() {
    let app = TestApp::spawn().await;
    let driver = Driver::start();
    let browser = driver.client().await;
    log_in(&app, &browser, "systemagare@exempelby.se").await;
    browser.find(Locator::LinkText("Leverantörer")).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, "/suppliers").await;
    browser.find(Locator::LinkText("Avtal och kontroller")).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, "/contracts").await;
    browser.find(Locator::LinkText("Skolplattform")).await.unwrap().click().await.unwrap();
    browser.wait().for_element(Locator::Css("#check-heading")).await.unwrap();
    let select = browser.find(Locator::Css("#measure_id")).await.unwrap();
    select.select_by_label("B-03 Flerfaktorsautentisering för alla användare").await.unwrap();
    browser
        .find(Locator::Css("#method"))
        .await
        .unwrap()
        .send_keys("Test av inloggning med leverantören")
        .await
        .unwrap();
    browser.find(Locator::Css("#result")).await.unwrap().select_by_label("Uppfylls delvis").await.unwrap();
    browser
        .find(Locator::Css("#evidence"))
        .await
        .unwrap()
        .send_keys("Administratörer saknar flerfaktor")
        .await
        .unwrap();
    browser.find(Locator::Css("form[action$='/checks'] button[type=submit]")).await.unwrap().click().await.unwrap();
    browser.wait().for_element(Locator::Css(".flash")).await.unwrap();
    let flash = browser.find(Locator::Css(".flash")).await.unwrap().text().await.unwrap();
    assert!(flash.contains("en uppföljande åtgärd är föreslagen"), "{flash}");
    let requirements = browser.find(Locator::Css("#requirements")).await.unwrap().text().await.unwrap();
    let mfa = requirements.lines().find(|l| l.starts_with("B-03")).unwrap().to_string();
    assert!(mfa.contains("Uppfylls delvis") && !mfa.contains("försenad"), "{mfa}");
    browser.find(Locator::Css("#checks a")).await.unwrap().click().await.unwrap();
    browser.wait().for_element(Locator::Css("h1")).await.unwrap();
    let title = browser.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(title, "Edusys AB: krav B-03 uppfylls inte");
    browser.close().await.unwrap();
}

#[tokio::test]
async fn a_board_member_reads_the_published_annual_report() {
    let app = TestApp::spawn().await;
    let driver = Driver::start();
    let browser = driver.client().await;
    log_in(&app, &browser, "ledamot@exempelby.se").await;
    browser.find(Locator::Css(".main-nav a[href='/recommendations']")).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, "/recommendations").await;
    browser.find(Locator::Css(".sub-nav a[href='/reports']")).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, "/reports").await;
    let last_year = chrono::Datelike::year(&lisa::web::format::today()) - 1;
    let title = format!("Ledningens genomgång {last_year}");
    browser.find(Locator::LinkText(&title)).await.unwrap().click().await.unwrap();
    browser.wait().for_element(Locator::Css("#key-figures")).await.unwrap();
    let status = browser.find(Locator::Css("#report-status")).await.unwrap().text().await.unwrap();
    assert!(status.starts_with("Publicerad") && status.contains("låsta"), "{status}");
    let summary = browser.find(Locator::Css("section[aria-labelledby=summary-heading]")).await.unwrap();
    assert!(summary.text().await.unwrap().contains("bildningsnämnden och bostadsbolaget ligger efter"));
    let key = browser.find(Locator::Css("#key-figures")).await.unwrap().text().await.unwrap();
    assert!(key.contains("Informationssystem 26"), "{key}");
    let decisions = browser.find(Locator::Css("#decisions-section")).await.unwrap().text().await.unwrap();
    assert!(decisions.contains(&format!("KS {}-02-19 § 31", last_year + 1)), "{decisions}");
    // The charts are drawn, and each one can be read as a table.
    assert_eq!(browser.find_all(Locator::Css("figure.report-chart svg")).await.unwrap().len(), 4);
    let matrix = browser.find(Locator::Css("#chart-risks")).await.unwrap();
    matrix.find(Locator::Css("summary")).await.unwrap().click().await.unwrap();
    let table = matrix.find(Locator::Css("table")).await.unwrap().text().await.unwrap();
    assert!(table.contains("Konsekvens \\ Sannolikhet"), "{table}");
    // Board members read; there is nothing to write or publish.
    assert!(browser.find_all(Locator::Css("main form")).await.unwrap().is_empty());
    let pdf = browser.find(Locator::LinkText("Ladda ner PDF")).await.unwrap().attr("href").await.unwrap().unwrap();
    assert!(pdf.ends_with("/pdf"), "{pdf}");
    browser.close().await.unwrap();
}

#[tokio::test]
async fn a_board_member_of_a_body_without_systems_reads_its_recommendations_in_the_published_report() {
    let app = TestApp::spawn().await;
    app.body_without_systems("overformyndare@exempelby.se").await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let year = chrono::Datelike::year(&lisa::web::format::today());
    let created = coordinator.send(reqwest::Method::POST, "/reports", json!({"year": year.to_string()})).await;
    let id = created.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let published = coordinator.send(reqwest::Method::POST, &format!("/reports/{id}/publish"), json!({})).await;
    assert_eq!(published.status(), 200);

    let driver = Driver::start();
    let browser = driver.client().await;
    log_in(&app, &browser, "overformyndare@exempelby.se").await;
    let own = browser.find(Locator::Css("#own-bodies")).await.unwrap().text().await.unwrap();
    assert!(own.contains("Överförmyndarnämnden") && own.contains("Klassa akterna i ärendesystemet."), "{own}");
    browser.find(Locator::LinkText("Läs hela rapporten")).await.unwrap().click().await.unwrap();
    wait_for_path(&browser, &format!("/reports/{id}")).await;
    let part = browser.find(Locator::Css("#audit-recommendations")).await.unwrap().text().await.unwrap();
    assert!(part.contains("Överförmyndarnämnden"), "{part}");
    let row =
        part.lines().find(|l| l.contains("Klassa akterna i ärendesystemet.")).expect("the recommendation is listed");
    assert!(row.contains("Granskning av överförmyndarverksamheten") && row.contains("Ej bedömd"), "{row}");
    assert!(row.contains(" år") || row.contains(" mån"), "its age: {row}");
    browser.close().await.unwrap();
}

/// What lisa.js adds (issue 30): a long pick list searches, and on a phone a list's filters fold
/// under "Filtrera" (saying how many are in use) while its rows become labelled cards.
#[tokio::test]
async fn long_pick_lists_search_and_a_phone_folds_the_filters_and_labels_the_cards() {
    let app = TestApp::spawn().await;
    sqlx::query(
        "INSERT INTO people (id, municipality_id, name, title)
         SELECT gen_random_uuid(), $1, 'Extra Person ' || g, 'Handläggare' FROM generate_series(1, 30) g",
    )
    .bind(app.exempelby)
    .execute(app.pool())
    .await
    .unwrap();
    let asset: uuid::Uuid = sqlx::query_scalar("SELECT id FROM information_assets WHERE name = 'Elevuppgifter'")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let sara = app.person_id("Sara Lind").await.to_string();
    let driver = Driver::start();

    let desktop = driver.client().await;
    log_in_as_coordinator(&app, &desktop).await;
    desktop.goto(&app.url(&format!("/assets/{asset}"))).await.unwrap();
    desktop.find(Locator::Css("details.panel > summary")).await.unwrap().click().await.unwrap();
    let search = desktop.find(Locator::Css(".pick-search:has(+ #owner_person_id)")).await;
    let search = search.expect("the long list of people has its search field right before it");
    search.send_keys("sara lind").await.unwrap();
    let (shown, chosen): (Vec<String>, String) = serde_json::from_value(
        desktop
            .execute(
                "const s = document.getElementById('owner_person_id');
                 return [Array.from(s.options).filter(o => o.value && !o.hidden).map(o => o.text), s.value];",
                vec![],
            )
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(shown[0].starts_with("Sara Lind"), "{shown:?}");
    assert_eq!(chosen, sara, "the one match is chosen");
    desktop.goto(&app.url("/systems?flag=is_critical")).await.unwrap();
    let open = desktop.execute("return document.querySelector('details.filter-fold').open;", vec![]).await.unwrap();
    assert_eq!(open, json!(true), "wide, the filters stay open");
    desktop.close().await.unwrap();

    let phone = driver.session(390, 844, true).await;
    log_in_as_coordinator(&app, &phone).await;
    phone.goto(&app.url("/systems?flag=is_critical")).await.unwrap();
    let (open, summary, label): (bool, String, String) = serde_json::from_value(
        phone
            .execute(
                "const fold = document.querySelector('details.filter-fold');
                 return [fold.open, fold.querySelector('summary').textContent,
                         document.querySelector('.table-scroll.cards td[data-label]').dataset.label];",
                vec![],
            )
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(!open, "on a phone the filters are folded");
    assert_eq!(summary, "Filtrera (1 aktivt)");
    assert_eq!(label, "Ansvarigt organ", "each card's cell carries its column's heading");
    phone.close().await.unwrap();
}
