//! What a person sees. Every page in each role's menu (and, for the coordinator, a record of
//! each kind), at 1366 px on a desktop and 390 px on a phone, must not scroll sideways (nor, on
//! the phone, any table in it: lists become cards), must keep the main menu on one line, must
//! draw its charts in colour with no label cut off, must not clip text, must keep the phone's
//! header short until the menu is opened, and must have no axe violations on the phone (the
//! desktop is covered by `browser::pages_have_no_wcag_21_aa_violations_found_by_axe`).
//! Each page is saved as a screenshot under `target/screenshots/` for a reviewer to look at.

use fantoccini::Locator;

use crate::browser::{Driver, accessibility_violations, axe_source, log_in};
use crate::support::TestApp;

const ROLES: [&str; 6] = ["samordnare", "systemagare", "revisor", "ledamot", "medarbetare", "admin"];

/// Runs in the page: a list of what a person would see as broken.
const CHECK: &str = r#"
const phone = arguments[0];
const problems = new Set();
const doc = document.documentElement;
if (doc.scrollWidth > doc.clientWidth + 1) problems.add(`the page scrolls sideways (${doc.scrollWidth} px wide in ${doc.clientWidth} px)`);
for (const svg of document.querySelectorAll('svg:not(.icon)')) {
  const name = svg.id || svg.closest('[id]')?.id || 'a chart';
  for (const shape of svg.querySelectorAll('rect, circle, path, polygon')) {
    const fill = getComputedStyle(shape).fill;
    if (fill === 'rgb(0, 0, 0)' || fill === 'none') problems.add(`a shape in ${name} is ${fill === 'none' ? 'not filled' : 'black'}`);
  }
  // On screen, transforms and scaling included: every label lies within its drawing.
  const area = svg.getBoundingClientRect();
  if (area.width > 0) {
    for (const text of svg.querySelectorAll('text')) {
      const b = text.getBoundingClientRect();
      if (b.width > 0 && (b.left < area.left - 1 || b.right > area.right + 1 || b.top < area.top - 1 || b.bottom > area.bottom + 1)) {
        problems.add(`"${text.textContent}" is cut off in ${name}`);
      }
    }
  }
}
for (const e of document.querySelectorAll('main *, header *')) {
  if (e.closest('.visually-hidden, .skip-link, details:not([open]) > :not(summary), svg, .table-scroll')) continue;
  const style = getComputedStyle(e);
  const clips = ['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis';
  if (clips && e.clientWidth > 1 && e.scrollWidth > e.clientWidth + 1) problems.add(`text is clipped in ${e.tagName.toLowerCase()}.${e.className}`);
}
// A list reads on a phone as cards (lisa.js, lisa.css): no table box scrolls sideways either.
if (phone) {
  for (const box of document.querySelectorAll('.table-scroll')) {
    if (box.scrollWidth > box.clientWidth + 1) problems.add(`a table scrolls sideways (${box.scrollWidth} px wide in ${box.clientWidth} px)`);
  }
}
// On a desktop the main menu is one line.
const items = Array.from(document.querySelectorAll('.main-nav li')).filter((li) => li.offsetParent);
if (items.length && new Set(items.map((li) => Math.round(li.getBoundingClientRect().top))).size > 1) problems.add('the main menu wraps to more than one line');
if (phone) {
  const header = document.querySelector('.site-header').getBoundingClientRect().height;
  if (header > 200) problems.add(`the header is ${Math.round(header)} px tall before the menu is opened`);
}
return Array.from(problems);
"#;

/// The pages the user's menu leads to (the phone menu lists every one), and their own pages.
async fn menu_pages(browser: &fantoccini::Client) -> Vec<String> {
    let hrefs = browser
        .execute(
            "return Array.from(new Set(Array.from(document.querySelectorAll('.mobile-menu nav a, .account-links a'))
                 .map(a => a.getAttribute('href'))));",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(hrefs).unwrap()
}

/// One record of each kind, for the coordinator: the pages with charts, tables and forms.
async fn record_pages(app: &TestApp) -> Vec<String> {
    let one = |sql: &'static str| async move {
        sqlx::query_scalar::<_, uuid::Uuid>(sql).fetch_one(app.pool()).await.unwrap().to_string()
    };
    vec![
        format!("/systems/{}", one("SELECT id FROM systems WHERE name = 'Omsorgsdokumentation'").await),
        format!("/recommendations/{}", one("SELECT id FROM recommendations WHERE status = 'ateroppnad'").await),
        format!("/audits/{}", one("SELECT id FROM audits WHERE kind = 'uppfoljande'").await),
        format!("/reports/{}", one("SELECT id FROM annual_reports WHERE status = 'publicerad'").await),
        format!("/risk-analyses/{}", one("SELECT id FROM risk_analyses WHERE object_kind = 'it_miljo'").await),
        format!("/incidents/{}", one("SELECT id FROM incidents WHERE significant").await),
        format!("/contracts/{}", one("SELECT id FROM contracts ORDER BY title LIMIT 1").await),
        "/dashboard/styrelse".into(),
    ]
}

/// `target/screenshots/390/samordnare-systems-record.png`: records are named by their kind.
fn screenshot_path(dir: &std::path::Path, role: &str, page: &str) -> std::path::PathBuf {
    let parts: Vec<&str> = page.trim_matches('/').split('/').collect();
    let name: Vec<&str> = parts.iter().map(|p| if uuid::Uuid::parse_str(p).is_ok() { "record" } else { p }).collect();
    let name = name.join("-");
    dir.join(format!("{role}-{}.png", if name.is_empty() { "start" } else { &name }))
}

async fn look_at_every_page(width: u32, height: u32, phone: bool) {
    let app = TestApp::spawn().await;
    let axe = phone.then(axe_source);
    let driver = Driver::start();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots").join(width.to_string());
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut problems = Vec::new();
    let mut looked_at = 0;
    for role in ROLES {
        let browser = driver.session(width, height, phone).await;
        log_in(&app, &browser, &format!("{role}@exempelby.se")).await;
        let mut pages = menu_pages(&browser).await;
        if role == "samordnare" {
            pages.extend(record_pages(&app).await);
        }
        if phone {
            // Opened, the phone's menu lists the pages and fits below the header.
            browser.find(Locator::Css(".mobile-menu summary")).await.unwrap().click().await.unwrap();
            let menu = browser.find(Locator::Css(".mobile-menu nav")).await.unwrap();
            assert!(menu.is_displayed().await.unwrap(), "{role}: the menu opens");
        }
        for page in &pages {
            browser.goto(&app.url(page)).await.unwrap();
            let found: Vec<String> =
                serde_json::from_value(browser.execute(CHECK, vec![serde_json::json!(phone)]).await.unwrap()).unwrap();
            problems.extend(found.into_iter().map(|p| format!("{role} {page} at {width} px: {p}")));
            if let Some(axe) = &axe {
                let violations = accessibility_violations(&browser, axe).await;
                problems.extend(violations.into_iter().map(|v| format!("{role} {page} at {width} px: axe {v}")));
            }
            std::fs::write(screenshot_path(&dir, role, page), browser.screenshot().await.unwrap()).unwrap();
            looked_at += 1;
        }
        browser.close().await.unwrap();
    }
    assert!(looked_at > 60, "only {looked_at} pages looked at");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[tokio::test]
async fn every_menu_page_looks_right_on_a_desktop() {
    look_at_every_page(1366, 900, false).await;
}

#[tokio::test]
async fn every_menu_page_looks_right_on_a_phone() {
    look_at_every_page(390, 844, true).await;
}
