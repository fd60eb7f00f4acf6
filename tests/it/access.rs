//! One place decides access: for every area's record, each role of the demo gets the same
//! answer from the page and the API, and sees the same of the record's text through both.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::TestApp;

const ROLES: [&str; 6] = [
    "samordnare@exempelby.se",
    "systemagare@exempelby.se",
    "revisor@exempelby.se",
    "ledamot@exempelby.se",
    "medarbetare@exempelby.se",
    "admin@exempelby.se",
];

/// One record per area: its page, its API resource, and how to find a well-filled one in the demo.
const RECORDS: [(&str, &str, &str); 17] = [
    ("/incidents/{}", "/incidents/{}", "SELECT id FROM incidents WHERE title = 'Telefon borttappad på bussen'"),
    (
        "/systems/{}",
        "/systems/{}",
        "SELECT system_id FROM information_assets GROUP BY system_id ORDER BY count(*) DESC, system_id LIMIT 1",
    ),
    (
        "/risk-analyses/{}",
        "/risk-analyses/{}",
        "SELECT analysis_id FROM risks GROUP BY analysis_id ORDER BY count(*) DESC, analysis_id LIMIT 1",
    ),
    (
        "/audits/{}",
        "/audits/{}",
        "SELECT audit_id FROM recommendations GROUP BY audit_id ORDER BY count(*) DESC LIMIT 1",
    ),
    (
        "/recommendations/{}",
        "/recommendations/{}",
        "SELECT id FROM recommendations ORDER BY length(text) DESC, id LIMIT 1",
    ),
    (
        "/actions/{}",
        "/actions/{}",
        "SELECT id FROM actions ORDER BY length(coalesce(description, '')) DESC, id LIMIT 1",
    ),
    ("/documents/{}", "/documents/{}", "SELECT id FROM documents ORDER BY id LIMIT 1"),
    ("/suppliers/{}", "/suppliers/{}", "SELECT supplier_id FROM contracts ORDER BY id LIMIT 1"),
    ("/contracts/{}", "/contracts/{}", "SELECT contract_id FROM contract_requirements ORDER BY contract_id LIMIT 1"),
    ("/reports/{}", "/reports/{}", "SELECT id FROM annual_reports ORDER BY year LIMIT 1"),
    ("/training/{}", "/training/campaigns/{}", "SELECT id FROM training_campaigns ORDER BY id LIMIT 1"),
    ("/org/bodies/{}", "/bodies/{}", "SELECT body_id FROM systems GROUP BY body_id ORDER BY count(*) DESC LIMIT 1"),
    ("/org/units/{}", "/units/{}", "SELECT id FROM units ORDER BY id LIMIT 1"),
    ("/org/people/{}", "/people/{}", "SELECT id FROM people WHERE user_id IS NOT NULL ORDER BY id LIMIT 1"),
    (
        "/systems/{}",
        "/systems/{}/access-reviews",
        "SELECT system_id FROM access_reviews ORDER BY reviewed_on DESC LIMIT 1",
    ),
    ("/assets/{}", "/assets/{}/classifications", "SELECT asset_id FROM classifications ORDER BY asset_id LIMIT 1"),
    (
        "/systems/{}/measures",
        "/systems/{}/measures",
        "SELECT system_id FROM measure_assessments GROUP BY system_id ORDER BY count(*) DESC LIMIT 1",
    ),
];

/// Every text in a JSON document, lines of longer texts one by one.
fn texts(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.extend(s.lines().map(|line| line.trim().to_string())),
        Value::Array(items) => items.iter().for_each(|item| texts(item, out)),
        Value::Object(fields) => fields.values().for_each(|field| texts(field, out)),
        _ => {}
    }
}

/// A text that tells what the record holds: not an id, a date, a code or a short word.
fn telling(text: &str) -> bool {
    text.chars().count() >= 8
        && Uuid::parse_str(text).is_err()
        && !text.starts_with(|c: char| c.is_ascii_digit())
        && !text.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

/// The page's main content as text (the layout shows the reader's own name).
fn main_of(html: &str) -> String {
    let start = html.find("<main").expect("a page has <main>");
    let end = html.rfind("</main>").expect("and its end");
    html[start..end]
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
}

#[tokio::test]
async fn every_role_sees_the_same_of_a_record_on_its_page_and_through_the_api() {
    let app = TestApp::spawn().await;
    let mut sessions = Vec::new();
    for email in ROLES {
        let api = app.api(&app.api_token(email, app.exempelby).await);
        sessions.push((email, app.login(email).await, api));
    }
    // An incident the employee reported and the coordinator handled: the reporter sees
    // what they reported and how it goes, never the handling.
    let discovered = (chrono::Utc::now() - chrono::Duration::hours(2)).format("%Y-%m-%dT%H:%M").to_string();
    let reported = sessions[4]
        .2
        .send(Method::POST, "/incidents", json!({"title": "Telefon borttappad på bussen", "discovered_at": discovered}))
        .await;
    assert_eq!(reported.status(), 201);
    let id = reported.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let handled = sessions[0]
        .2
        .send(
            Method::PUT,
            &format!("/incidents/{id}"),
            json!({"status": "utreds", "category": "forlust_av_utrustning", "severity": "lag", "cause": "Telefonen saknade skärmlås",
                   "measures": "Fjärradera telefonen", "lessons": "Skärmlås på alla telefoner"}),
        )
        .await;
    assert_eq!(handled.status(), 200, "{}", handled.text().await.unwrap());
    let mut failures = Vec::new();
    let mut partial_views = Vec::new();
    for (page_path, api_path, pick) in RECORDS {
        let id: Uuid = sqlx::query_scalar(pick).fetch_one(app.pool()).await.unwrap_or_else(|e| panic!("{pick}: {e}"));
        let page_path = page_path.replace("{}", &id.to_string());
        let api_path = api_path.replace("{}", &id.to_string());
        let mut markers: Option<Vec<String>> = None;
        for (email, client, api) in &sessions {
            let page = app.get(client, &page_path).await;
            let page_status = page.status().as_u16();
            let page_html = page.text().await.unwrap();
            let answer = api.get(&api_path).await;
            let api_status = answer.status().as_u16();
            let api_json: Value = answer.json().await.unwrap_or(Value::Null);
            if page_status != api_status {
                failures.push(format!("{email} {page_path}: page {page_status}, API {api_status}"));
                continue;
            }
            if page_status != 200 {
                continue;
            }
            let main = main_of(&page_html);
            let mut all = Vec::new();
            texts(&api_json, &mut all);
            // The coordinator sees everything: the record's texts are what the coordinator's
            // API gives and page shows; every other role must see the same of them through both.
            let markers = markers.get_or_insert_with(|| {
                all.iter().filter(|t| telling(t) && main.contains(t.as_str())).cloned().collect()
            });
            if markers.is_empty() {
                failures.push(format!("{page_path}: nothing of the record to compare"));
            }
            let seen = markers.iter().filter(|m| all.contains(m)).count();
            if seen < markers.len() {
                partial_views.push(format!("{email} {page_path}"));
            }
            for marker in markers.iter() {
                let in_api = all.contains(marker);
                let on_page = main.contains(marker.as_str());
                if in_api != on_page {
                    failures.push(format!(
                        "{email} {page_path}: «{marker}» {}",
                        if in_api { "only in the API" } else { "only on the page" }
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The comparison must meet a projection: the reporter sees part of their incident.
    assert!(partial_views.iter().any(|v| v.starts_with("medarbetare@exempelby.se /incidents/")), "{partial_views:?}");
}

#[tokio::test]
async fn a_refusal_keeps_the_signed_in_layout_and_a_way_back() {
    let app = TestApp::spawn().await;
    let employee = app.login("medarbetare@exempelby.se").await;
    for (path, status) in [("/org/people", 403), (&*format!("/systems/{}", Uuid::new_v4()), 404)] {
        let response = app.get(&employee, path).await;
        assert_eq!(response.status(), status, "{path}");
        let html = response.text().await.unwrap();
        assert!(html.contains("class=\"main-nav\""), "{path} keeps the menu: {html}");
        assert!(html.contains("Anna Nilsson"), "{path} names who is signed in");
        assert!(html.contains("href=\"/\""), "{path} offers a way back");
    }
    // The API still answers in JSON, without a page.
    let token = app.api_token("medarbetare@exempelby.se", app.exempelby).await;
    let api = app.api(&token).get("/people").await;
    assert_eq!(api.status(), 403);
    assert!(api.headers()["content-type"].to_str().unwrap().contains("json"));
}

/// The addresses of the links in a page (internal ones only, without the fragment).
fn links_in(html: &str) -> Vec<String> {
    let mut links: Vec<String> = html
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with('/') && !href.starts_with("/static/"))
        .map(|href| href.split('#').next().unwrap_or(href).replace("&amp;", "&"))
        .filter(|href| !href.is_empty())
        .collect();
    links.sort();
    links.dedup();
    links
}

#[tokio::test]
async fn every_link_on_each_roles_start_page_and_menu_opens() {
    let app = TestApp::spawn().await;
    for email in [
        "samordnare@exempelby.se",
        "systemagare@exempelby.se",
        "revisor@exempelby.se",
        "ledamot@exempelby.se",
        "medarbetare@exempelby.se",
    ] {
        let client = app.login(email).await;
        let start = app.get(&client, "/").await.text().await.unwrap();
        let mut dead = Vec::new();
        for link in links_in(&start) {
            // Downloads and exports are links too; logging out is a form, not a link.
            let status = app.get(&client, &link).await.status().as_u16();
            if !(200..400).contains(&status) {
                dead.push(format!("{link} → {status}"));
            }
        }
        assert!(dead.is_empty(), "{email}'s start page and menu lead nowhere: {dead:?}");
    }
}

/// The menu and the areas' rules agree: each role's menu links to exactly the lists it may open.
#[tokio::test]
async fn the_menu_offers_exactly_the_lists_each_role_may_open() {
    let app = TestApp::spawn().await;
    let lists = [
        "/recommendations",
        "/audits",
        "/reports",
        "/documents",
        "/training",
        "/systems",
        "/coverage",
        "/catalogue",
        "/access-reviews",
        "/risk-analyses",
        "/actions",
        "/incidents",
        "/suppliers",
        "/contracts",
        "/org/users",
        "/audit-log",
    ];
    // Not /org: every role reads the organisation from its start page, and the menu's entry is
    // where the coordinator keeps it.
    let mut disagreements = Vec::new();
    for email in ROLES {
        let client = app.login(email).await;
        let start = app.get(&client, "/").await.text().await.unwrap();
        // The phone's menu lists every entry of every group.
        let menu =
            start.split("<nav aria-label=\"Meny\">").nth(1).and_then(|rest| rest.split("</nav>").next()).unwrap();
        let offered = links_in(menu);
        for list in lists {
            let opens = app.get(&client, list).await.status() == 200;
            if opens != offered.iter().any(|l| l == list) {
                disagreements.push(format!("{email} {list}: opens {opens}, in the menu {}", !opens));
            }
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}
