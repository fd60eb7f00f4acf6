//! Classification: the system level from its information assets' classifications, required
//! measures from the level, and who may name approvers and owners.

use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::support::{TestApp, json_of, levels, new_asset, new_system};

#[tokio::test]
async fn the_system_level_is_the_maximum_over_current_classifications_and_flags_level_4() {
    let app = TestApp::spawn().await;
    let api = app.coordinator_api().await;
    let system = new_system(&api, "Provsystemet").await;
    let journal = new_asset(&api, system, "Journaler").await;
    let schedule = new_asset(&api, system, "Scheman").await;

    json_of(api.send(Method::POST, &format!("/assets/{journal}/classifications"), levels(2, 1, 1, 0)).await, 201).await;
    let got = json_of(api.get(&format!("/systems/{system}")).await, 200).await;
    assert_eq!(got["protection_level"], json!({"k": 2, "r": 1, "t": 1, "s": 0}));
    assert_eq!(got["classification_status"], "delvis");

    json_of(api.send(Method::POST, &format!("/assets/{schedule}/classifications"), levels(1, 3, 2, 1)).await, 201)
        .await;
    let got = json_of(api.get(&format!("/systems/{system}")).await, 200).await;
    assert_eq!(got["protection_level"], json!({"k": 2, "r": 3, "t": 2, "s": 1}));
    assert_eq!((got["level_4_flag"].as_bool(), got["classification_status"].as_str()), (Some(false), Some("klassad")));

    // Reclassifying keeps the old version, and the newest counts: lowering K lowers the system.
    let second =
        json_of(api.send(Method::POST, &format!("/assets/{journal}/classifications"), levels(1, 1, 4, 0)).await, 201)
            .await;
    assert_eq!(second["version"], 2);
    let versions = json_of(api.get(&format!("/assets/{journal}/classifications")).await, 200).await;
    let triples: Vec<(i64, i64)> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["version"].as_i64().unwrap(), v["k"].as_i64().unwrap()))
        .collect();
    assert_eq!(triples, [(2, 1), (1, 2)]);
    let got = json_of(api.get(&format!("/systems/{system}")).await, 200).await;
    assert_eq!(got["protection_level"], json!({"k": 1, "r": 3, "t": 4, "s": 1}));
    assert_eq!(got["level_4_flag"], true);

    // Level 4 asks for a separate protection analysis: exactly one task, however often it is classified.
    json_of(api.send(Method::POST, &format!("/assets/{schedule}/classifications"), levels(4, 3, 2, 1)).await, 201)
        .await;
    let tasks: Vec<String> =
        sqlx::query_scalar("SELECT title FROM actions WHERE system_id = $1 AND source = 'skyddsanalys'")
            .bind(system)
            .fetch_all(app.pool())
            .await
            .unwrap();
    assert_eq!(tasks, ["Särskild analys av skyddsbehovet för Provsystemet"]);

    // Bad levels are refused with a message per field, and change nothing.
    let refused =
        api.send(Method::POST, &format!("/assets/{journal}/classifications"), json!({"k": "5", "r": "1"})).await;
    let problem = json_of(refused, 422).await;
    assert!(problem["errors"]["k"].as_str().unwrap().contains("0–4"), "{problem}");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM classifications WHERE asset_id = $1")
        .bind(journal)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(count, 2);
}

/// A new system classified 2-1-0-1, with the measures that level requires.
async fn system_at_2101(api: &crate::support::ApiClient) -> (Uuid, serde_json::Value) {
    let system = new_system(api, "Mätsystemet").await;
    let asset = new_asset(api, system, "Mätvärden").await;
    json_of(api.send(Method::POST, &format!("/assets/{asset}/classifications"), levels(2, 1, 0, 1)).await, 201).await;
    (system, json_of(api.get(&format!("/systems/{system}/measures")).await, 200).await)
}

/// The id of a required measure, by its code.
fn measure_id(required: &serde_json::Value, code: &str) -> String {
    required.as_array().unwrap().iter().find(|m| m["code"] == code).unwrap()["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn required_measures_follow_the_level_and_unmet_ones_become_proposed_actions_once() {
    let app = TestApp::spawn().await;
    let api = app.coordinator_api().await;
    let (system, required) = system_at_2101(&api).await;
    let mut codes: Vec<&str> = required.as_array().unwrap().iter().map(|m| m["code"].as_str().unwrap()).collect();
    codes.sort();
    let level = lisa::classification::model::ProtectionLevel { k: 2, r: 1, t: 0, s: 1 };
    let mut expected: Vec<&str> = lisa::classification::model::STARTER_CATALOGUE
        .iter()
        .filter(|(_, _, aspect, min, _, _)| {
            lisa::classification::model::is_required(
                &level,
                &lisa::classification::model::Requirement { aspect: *aspect, min_level: *min },
            )
        })
        .map(|m| m.0)
        .collect();
    expected.sort();
    assert_eq!(codes, expected);
    assert!(codes.contains(&"B-03") && !codes.contains(&"T-03"), "MFA from K 2; restore tests only from T 2");

    let mfa = measure_id(&required, "B-03");
    for _ in 0..2 {
        let assessed = api
            .send(
                Method::PUT,
                &format!("/systems/{system}/measures/{mfa}"),
                json!({"status": "ej_uppfylld", "comment": "Saknas"}),
            )
            .await;
        assert_eq!(json_of(assessed, 200).await["status"], "ej_uppfylld");
    }
    let proposed: Vec<(String, String)> =
        sqlx::query_as("SELECT status, title FROM actions WHERE system_id = $1 AND source = 'atgardskrav'")
            .bind(system)
            .fetch_all(app.pool())
            .await
            .unwrap();
    assert_eq!(proposed.len(), 1, "proposed once: {proposed:?}");
    assert_eq!(proposed[0].0, "foreslagen");
    assert!(proposed[0].1.starts_with("B-03"));

    // "Not applicable" needs a reason; a measure the level does not require cannot be assessed.
    let bare =
        api.send(Method::PUT, &format!("/systems/{system}/measures/{mfa}"), json!({"status": "ej_tillampligt"})).await;
    assert_eq!(bare.status(), 422);
    let restore: Uuid = app.id_of("SELECT id FROM measures WHERE municipality_id = $1 AND code = $2", "T-03").await;
    let not_required =
        api.send(Method::PUT, &format!("/systems/{system}/measures/{restore}"), json!({"status": "uppfylld"})).await;
    assert_eq!(not_required.status(), 404);
}

#[tokio::test]
async fn nobody_but_the_coordinator_names_who_approves_or_accepts() {
    let app = TestApp::spawn().await;
    let school = app.system_id("Skolplattformen").await;
    let johan = app.person_id("Johan Berg").await.to_string();
    let owner = app.api(&app.api_token("systemagare@exempelby.se", app.exempelby).await);
    let coordinator = app.coordinator_api().await;
    // The system owner cannot make himself the information owner, and so the approver.
    let asset = json!({"name": "Omdömen", "description": "", "owner_person_id": johan});
    let refused = owner.send(Method::POST, &format!("/systems/{school}/assets"), asset.clone()).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("Bara samordnaren kan utse eller byta informationsägare."));
    let added = owner
        .send(Method::POST, &format!("/systems/{school}/assets"), json!({"name": "Omdömen", "description": ""}))
        .await;
    let asset_id = json_of(added, 201).await["id"].as_str().unwrap().to_string();
    let named = coordinator.send(Method::PUT, &format!("/assets/{asset_id}"), asset).await;
    assert_eq!(named.status(), 200, "{}", named.text().await.unwrap());
    // Nor make himself the owner of a risk analysis, who accepts its risks.
    let analysis = json!({"title": "Riskanalys av omdömen", "object_kind": "system", "system_id": school.to_string(),
                          "analysed_on": "2026-10-01", "owner_person_id": johan});
    let refused = owner.send(Method::POST, "/risk-analyses", analysis.clone()).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("Bara samordnaren kan utse eller byta ansvarig för riskanalysen."));
    assert_eq!(coordinator.send(Method::POST, "/risk-analyses", analysis).await.status(), 201);
    // Each change of who approves is in the change log, by the coordinator.
    let log: serde_json::Value =
        coordinator.get("/audit-log?entity_type=information_asset").await.json().await.unwrap();
    let entries = log.as_array().unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e["actor_name"].as_str().unwrap() == "Sara Lind" && e.to_string().contains("Johan Berg")),
        "{log}"
    );
}

#[tokio::test]
async fn a_measure_not_yet_assessed_asks_for_a_choice_instead_of_offering_met() {
    let app = TestApp::spawn().await;
    let api = app.coordinator_api().await;
    let (system, required) = system_at_2101(&api).await;
    let mfa = measure_id(&required, "B-03");

    let client = app.login("samordnare@exempelby.se").await;
    let page = app.get(&client, &format!("/systems/{system}/measures")).await.text().await.unwrap();
    assert!(page.contains(r#"<option value="" selected>Välj …</option>"#));
    let careless = app.post_form(&client, &format!("/systems/{system}/measures/{mfa}"), &[("status", "")]).await;
    assert_eq!(careless.status(), 422);
    assert!(careless.text().await.unwrap().contains("Välj uppfylld, delvis, ej uppfylld eller ej tillämplig."));
    let assessed =
        app.post_form(&client, &format!("/systems/{system}/measures/{mfa}"), &[("status", "uppfylld")]).await;
    assert_eq!(assessed.status(), 303);
    let page = app.get(&client, &format!("/systems/{system}/measures")).await.text().await.unwrap();
    assert!(page.contains(r#"<option value="uppfylld" selected>"#), "an assessed measure shows its assessment");
}

/// Whoever classified asks the information owner to approve in one step (issue 30): the owner
/// gets a reminder and a work item, which ends when they approve; once per version, and only
/// by those who may classify.
#[tokio::test]
async fn the_classifier_asks_the_information_owner_to_approve_and_the_work_item_ends_with_the_approval() {
    let app = TestApp::spawn().await;
    let school = app.system_id("Skolplattformen").await;
    let sara = app.person_id("Sara Lind").await.to_string();
    let coordinator = app.coordinator_api().await;
    let asset = json!({"name": "Frånvaroanmälningar", "description": "", "owner_person_id": sara});
    let asset_id = json_of(coordinator.send(Method::POST, &format!("/systems/{school}/assets"), asset).await, 201)
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let owner = app.api(&app.api_token("systemagare@exempelby.se", app.exempelby).await);
    let classified = owner.send(Method::POST, &format!("/assets/{asset_id}/classifications"), levels(2, 2, 2, 2)).await;
    assert_eq!(classified.status(), 201);

    let page = format!("/assets/{asset_id}");
    let ask = format!("/assets/{asset_id}/approval-request");
    let employee = app.login("medarbetare@exempelby.se").await;
    assert!(app.post_form(&employee, &ask, &[]).await.status().is_client_error(), "only those who may classify ask");
    let johan = app.login("systemagare@exempelby.se").await;
    assert!(app.get(&johan, &page).await.text().await.unwrap().contains("Be Sara Lind om godkännande</button>"));
    assert_eq!(app.post_form(&johan, &ask, &[]).await.status(), 303);
    let asked = app.get(&johan, &page).await.text().await.unwrap();
    assert!(
        asked.contains("Sara Lind ombads godkänna") && !asked.contains("Be Sara Lind om godkännande</button>"),
        "{asked}"
    );
    app.post_form(&johan, &ask, &[]).await;
    let reminders: Vec<String> = sqlx::query_scalar(
        "SELECT r.title FROM reminders r JOIN users u ON u.id = r.user_id WHERE u.email = 'samordnare@exempelby.se'
            AND r.link = $1",
    )
    .bind(&page)
    .fetch_all(app.pool())
    .await
    .unwrap();
    assert_eq!(
        reminders,
        ["Godkänn klassningen av Frånvaroanmälningar i Skolplattformen"],
        "one reminder, asked twice"
    );

    let sara_session = app.login("samordnare@exempelby.se").await;
    let start = app.get(&sara_session, "/").await.text().await.unwrap();
    assert!(start.contains("Godkänn klassningen av Frånvaroanmälningar i Skolplattformen"), "her work item");
    assert_eq!(app.post_form(&sara_session, &format!("/assets/{asset_id}/approve"), &[]).await.status(), 303);
    let start = app.get(&sara_session, "/").await.text().await.unwrap();
    assert!(!start.contains("Godkänn klassningen av Frånvaroanmälningar"), "the work item ends with the approval");
    let log: serde_json::Value = coordinator.get("/audit-log?entity_type=classification").await.json().await.unwrap();
    assert!(log.to_string().contains("Ombedd att godkänna"), "the request is in the change log");

    // An information owner without a dashboard finds the request on her start page.
    let anna = app.person_id("Anna Nilsson").await.to_string();
    let asset = json!({"name": "Närvarolistor", "description": "", "owner_person_id": anna});
    let asset_id = json_of(coordinator.send(Method::POST, &format!("/systems/{school}/assets"), asset).await, 201)
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let classified = owner.send(Method::POST, &format!("/assets/{asset_id}/classifications"), levels(1, 1, 1, 1)).await;
    assert_eq!(classified.status(), 201);
    // Through the API this time: the same use case, whom it asked, and no second request.
    let ask = format!("/assets/{asset_id}/approval-request");
    assert_eq!(json_of(owner.send(Method::POST, &ask, json!({})).await, 201).await["asked"], "Anna Nilsson");
    assert_eq!(owner.send(Method::POST, &ask, json!({})).await.status(), 409);
    let start = app.get(&employee, "/").await.text().await.unwrap();
    assert!(
        start.contains("Att göra för dig (")
            && start.contains("Godkänn klassningen av Närvarolistor i Skolplattformen"),
        "{start}"
    );
}

/// A KLASSA sheet as a municipality has it: a BOM, Swedish headings, `;`, 30 rows of which two
/// are already in Lisa (one unchanged, one changed), three have errors and one has level 4.
fn klassa_sheet() -> String {
    let mut sheet = String::from(
        "\u{feff}Systemnamn;Informationsmängd;Konfidentialitet (K);Riktighet (R);Tillgänglighet (T);Spårbarhet (S);Klassningsdatum;Klassad av\n",
    );
    for n in 1..=24 {
        sheet.push_str(&format!(
            "Importsystem {n:02};Uppgifter {n};{};2;{};1;2024-0{}-15;Eva Dahl\n",
            n % 4,
            n % 3,
            n % 9 + 1
        ));
    }
    sheet.push_str("Elevhälsojournal;Elevhälsans journaler;3;3;2;3;2023-05-02;Eva Dahl\n");
    sheet.push_str("Bemanningssystem;Scheman och vikarier;1;3;3;1;2024-02-01;Olof Lund\n");
    sheet.push_str("Trygghetslarm i hemtjänsten;Larm och insatser;2;4;4;2;2024-01-10;Eva Dahl\n");
    sheet.push_str("Importsystem 90;Något;1;5;1;1;;\n");
    sheet.push_str(";Namnlöst;1;1;1;1;;\n");
    sheet.push_str("Importsystem 91;Annat;hög;1;1;1;;\n");
    sheet
}

async fn classification_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM classifications WHERE municipality_id = $1")
        .bind(app.exempelby)
        .fetch_one(app.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_klassa_sheet_is_previewed_then_saved_as_new_versions_in_one_step() {
    let app = TestApp::spawn().await;
    let api = app.coordinator_api().await;
    let before = classification_count(&app).await;
    let preview =
        json_of(api.send(Method::POST, "/classifications/import", json!({"text": klassa_sheet()})).await, 200).await;
    let rows = preview["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 30);
    let action = |line: u64| rows.iter().find(|r| r["line"] == line).unwrap()["action"].clone();
    assert_eq!(action(2), "create");
    assert_eq!(rows[0]["new_system"], true);
    assert_eq!(action(26), "unchanged", "Elevhälsojournal is 3-3-2-3 already");
    assert_eq!(action(27), "update");
    assert_eq!(rows[25]["current"], json!({"k": 1, "r": 2, "t": 2, "s": 1}));
    assert_eq!(rows[25]["new_system"], false);
    assert!(rows[26]["warnings"][0].as_str().unwrap().contains("utanför KLASSA:s kravkataloger"));
    let with_errors: Vec<u64> = rows
        .iter()
        .filter(|r| !r["errors"].as_array().unwrap().is_empty())
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(with_errors, [29, 30, 31]);
    assert_eq!(rows[28]["action"], serde_json::Value::Null, "a row with errors is left out");
    assert_eq!(preview["mapping"]["k"], "Konfidentialitet (K)");
    assert_eq!(preview["saved"], 0);
    assert_eq!(classification_count(&app).await, before, "a preview saves nothing");

    // Pasted from Excel the same sheet comes with tabs: the same preview.
    let tabbed = klassa_sheet().replace(';', "\t");
    let again = json_of(api.send(Method::POST, "/classifications/import", json!({"text": tabbed})).await, 200).await;
    assert_eq!(again["rows"], preview["rows"]);

    let saved = json_of(
        api.send(Method::POST, "/classifications/import", json!({"text": klassa_sheet(), "commit": true})).await,
        200,
    )
    .await;
    assert_eq!(saved["saved"], 26, "24 new, one changed, one level 4; not the unchanged or the three with errors");
    assert_eq!(classification_count(&app).await, before + 26);
    let (level, reason): (String, String) = sqlx::query_as(
        "SELECT concat_ws('-', s.level_k, s.level_r, s.level_t, s.level_s), c.k_reason
           FROM systems s JOIN information_assets a ON a.system_id = s.id JOIN classifications c ON c.asset_id = a.id
          WHERE s.municipality_id = $1 AND s.name = 'Importsystem 05'",
    )
    .bind(app.exempelby)
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(level, "1-2-2-1");
    assert!(
        reason.starts_with("Inläst från KLASSA ") && reason.ends_with("(klassad 2024-06-15 av Eva Dahl)."),
        "{reason}"
    );
    let analysis: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM actions a JOIN systems s ON s.id = a.system_id
          WHERE s.name = 'Trygghetslarm i hemtjänsten' AND a.title LIKE 'Särskild analys av skyddsbehovet%'",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(analysis, 1, "level 4 proposes its own analysis, as a classification does");
    // Saved once, the sheet previews as unchanged.
    let after =
        json_of(api.send(Method::POST, "/classifications/import", json!({"text": klassa_sheet()})).await, 200).await;
    assert!(after["rows"].as_array().unwrap().iter().all(|r| r["action"] != "create" && r["action"] != "update"));

    // Only the coordinator brings classifications in.
    let owner = app.api(&app.api_token("systemagare@exempelby.se", app.exempelby).await);
    assert_eq!(
        owner.send(Method::POST, "/classifications/import", json!({"text": klassa_sheet()})).await.status(),
        403
    );
}

#[tokio::test]
async fn the_columns_chosen_for_a_sheet_are_remembered_and_the_page_previews_before_saving() {
    let app = TestApp::spawn().await;
    let api = app.coordinator_api().await;
    let sheet = "Namn;Info;Konf;Rikt;Tillg;Spår\nRemsystem;Register;2;2;1;1\n";
    let unknown = api.send(Method::POST, "/classifications/import", json!({"text": sheet})).await;
    assert!(json_of(unknown, 422).await.to_string().contains("Välj vilken kolumn"));
    let mapping =
        json!({"system": "Namn", "informationsmangd": "Info", "k": "Konf", "r": "Rikt", "t": "Tillg", "s": "Spår"});
    let saved = api
        .send(Method::POST, "/classifications/import", json!({"text": sheet, "mapping": mapping, "commit": true}))
        .await;
    assert_eq!(json_of(saved, 200).await["saved"], 1);
    let next_year = "Namn;Info;Konf;Rikt;Tillg;Spår\nRemsystem;Register;3;2;1;1\n";
    let read = json_of(api.send(Method::POST, "/classifications/import", json!({"text": next_year})).await, 200).await;
    assert_eq!(read["rows"][0]["action"], "update", "the remembered columns read next year's sheet: {read}");

    // The page: paste, preview (nothing saved), save.
    let client = app.login("samordnare@exempelby.se").await;
    let coverage = app.get(&client, "/coverage").await.text().await.unwrap();
    assert!(coverage.contains("href=\"/classifications/import\""));
    let page = app.get(&client, "/classifications/import").await;
    assert_eq!(page.status(), 200);
    let before = classification_count(&app).await;
    let preview = app.post_form(&client, "/classifications/import/preview", &[("text", next_year)]).await;
    assert_eq!(preview.status(), 200);
    let html = preview.text().await.unwrap();
    assert!(html.contains("Förhandsgranskning") && html.contains("Ändrad klassning"), "{html}");
    assert_eq!(classification_count(&app).await, before);
    let fields = crate::support::form_fields(&html, "/classifications/import");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let done = app.post_form(&client, "/classifications/import", &fields).await;
    assert_eq!(done.status(), 303);
    assert_eq!(classification_count(&app).await, before + 1);
    let employee = app.login("medarbetare@exempelby.se").await;
    assert_eq!(app.get(&employee, "/classifications/import").await.status(), 403);

    // A new system takes the owner and the body the sheet names, when Lisa knows them.
    let named = "System;K;R;T;S;Systemägare;Nämnd\nNyttsystem;1;1;1;1;Eva Dahl;Välfärdsnämnden\nAnnatsystem;1;1;1;1;Okänd Person;Ingen nämnd\n";
    let mapping = json!({"informationsmangd": ""});
    let read = api
        .send(Method::POST, "/classifications/import", json!({"text": named, "mapping": mapping, "commit": true}))
        .await;
    let read = json_of(read, 200).await;
    assert_eq!(read["saved"], 2);
    assert_eq!(read["rows"][1]["warnings"].as_array().unwrap().len(), 2, "{read}");
    let (owner, body): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT p.name, b.name FROM systems s LEFT JOIN people p ON p.id = s.owner_person_id
           LEFT JOIN bodies b ON b.id = s.body_id WHERE s.name = 'Nyttsystem'",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!((owner.as_deref(), body.as_deref()), (Some("Eva Dahl"), Some("Välfärdsnämnden")));
}

/// An .xlsx workbook (a title above the headings, dates and numbers as Excel keeps them) reads
/// as the same sheet pasted, through the API and the page's file field; a file that would
/// unpack to more than the limit is refused before it is opened.
#[tokio::test]
async fn an_excel_workbook_is_read_through_the_api_and_the_page() {
    let app = TestApp::spawn().await;
    let xlsx = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/klassa.xlsx")).unwrap();
    let token = app.api_token("samordnare@exempelby.se", app.exempelby).await;
    let post = |path: &str, body: Vec<u8>| {
        reqwest::Client::new().post(app.url(&format!("/api/v1{path}"))).bearer_auth(&token).body(body).send()
    };
    let preview = json_of(post("/classifications/import/file", xlsx.clone()).await.unwrap(), 200).await;
    let lines: Vec<u64> = preview["rows"].as_array().unwrap().iter().map(|r| r["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [4, 5, 6, 7], "Excel's row numbers");
    assert_eq!(preview["saved"], 0);
    let saved = json_of(post("/classifications/import/file?commit=true", xlsx.clone()).await.unwrap(), 200).await;
    assert_eq!(saved["saved"], 3, "the row with an S of ”x” is left out");
    let body: Option<String> = sqlx::query_scalar(
        "SELECT b.name FROM systems s JOIN bodies b ON b.id = s.body_id WHERE s.name = 'Vattenverkets styrsystem'",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(body.as_deref(), Some("Tekniska nämnden"));
    let bomb = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/unpacks_too_large.xlsx")).unwrap();
    let refused = json_of(post("/classifications/import/file", bomb).await.unwrap(), 422).await;
    assert!(refused.to_string().contains("för stort"), "{refused}");
    let latin1 = post("/classifications/import/file", b"System;K;R;T;S\nBr\xe5dskan;1;1;1;1\n".to_vec()).await.unwrap();
    assert!(json_of(latin1, 422).await.to_string().contains("UTF-8"));

    // The page's file field: multipart, with the CSRF token as the form's first field.
    let client = app.login("samordnare@exempelby.se").await;
    let csrf = app.csrf(&client, "/classifications/import").await;
    let part = reqwest::multipart::Part::bytes(xlsx).file_name("klassning 2024.xlsx");
    let form = reqwest::multipart::Form::new().text("csrf_token", csrf).part("file", part);
    let page = client.post(app.url("/classifications/import/file")).multipart(form).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Förhandsgranskning") && html.contains("Oförändrad"), "saved once, unchanged now");
}

/// A handlingsplan is read onto the systems' self-assessments: by requirement id against the
/// catalogue, only where the measure is required at the system's level, previewed first;
/// an unmet requirement proposes its action, as a self-assessment typed in does.
#[tokio::test]
async fn a_klassa_handlingsplan_is_read_onto_the_self_assessment() {
    let app = TestApp::spawn().await;
    let api = app.coordinator_api().await;
    let system = app.system_id("Elevhälsojournal").await;
    let required = json_of(api.get(&format!("/systems/{system}/measures")).await, 200).await;
    let codes: Vec<String> =
        required.as_array().unwrap().iter().map(|m| m["code"].as_str().unwrap().to_string()).collect();
    assert!(codes.len() >= 2, "the demo's critical system has required measures: {codes:?}");
    let sheet = format!(
        "Handlingsplan Elevhälsan\nSystem;Krav-id;Kravtext;ÄR/SKA;Status;Hur\n\
         Elevhälsojournal;{};Text;SKA;Ej uppfyllt;Saknas helt\n\
         elevhälsojournal ;{};Text;SKA;Uppfyllt;Rutin finns\n\
         Elevhälsojournal;X-99;Okänt;SKA;Uppfyllt;\n\
         Okänt system;{};Text;SKA;Uppfyllt;\n\
         Elevhälsojournal;{};Text;SKA;kanske;\n",
        codes[0], codes[1], codes[0], codes[0]
    );
    let preview =
        json_of(api.send(Method::POST, "/classifications/plan-import", json!({"text": sheet})).await, 200).await;
    let rows = preview["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0]["line"], 3, "below the title and the headings");
    assert_eq!(rows[0]["status"], "ej_uppfylld");
    assert!(rows[0]["action"] == "create" || rows[0]["action"] == "update", "{}", rows[0]);
    assert_eq!(rows[1]["system_id"], json!(system), "names match whatever their case and spaces");
    assert!(rows[2]["errors"][0].as_str().unwrap().contains("finns inte i kommunens katalog"));
    assert!(rows[3]["errors"][0].as_str().unwrap().contains("finns inte i Lisa"));
    assert!(rows[4]["errors"][0].as_str().unwrap().contains("kanske"));
    let saved = api.send(Method::POST, "/classifications/plan-import", json!({"text": sheet, "commit": true})).await;
    let saved = json_of(saved, 200).await;
    assert_eq!(
        saved["saved"].as_u64().unwrap() as usize,
        saved["rows"].as_array().unwrap().iter().filter(|r| r["action"] == "create" || r["action"] == "update").count()
    );
    let (status, comment): (String, String) = sqlx::query_as(
        "SELECT a.status, a.comment FROM measure_assessments a JOIN measures m ON m.id = a.measure_id
          WHERE a.system_id = $1 AND m.code = $2",
    )
    .bind(system)
    .bind(&codes[0])
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!((status.as_str(), comment.as_str()), ("ej_uppfylld", "Saknas helt"));
    let proposed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM actions a JOIN measures m ON m.id = a.measure_id WHERE a.system_id = $1 AND m.code = $2",
    )
    .bind(system)
    .bind(&codes[0])
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(proposed, 1, "the unmet requirement proposes its action");
    let again =
        json_of(api.send(Method::POST, "/classifications/plan-import", json!({"text": sheet})).await, 200).await;
    assert_eq!(again["rows"][0]["action"], "unchanged");

    let client = app.login("samordnare@exempelby.se").await;
    let page = app.post_form(&client, "/classifications/plan-import/preview", &[("text", sheet.as_str())]).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Oförändrad"));
    let owner = app.api(&app.api_token("systemagare@exempelby.se", app.exempelby).await);
    assert_eq!(owner.send(Method::POST, "/classifications/plan-import", json!({"text": sheet})).await.status(), 403);

    // Headings Lisa cannot guess: the columns chosen once are remembered for next year's plan,
    // beside the classification sheet's.
    let odd =
        format!("Applikation;Åtgärdsnummer;Läge;Anteckning\nElevhälsojournal;{};Uppfyllt;Rutin finns\n", codes[1]);
    let unread = api.send(Method::POST, "/classifications/plan-import", json!({"text": odd})).await;
    assert_eq!(unread.status(), 422, "no column is guessed");
    let mapping = json!({"system": "Applikation", "krav_id": "Åtgärdsnummer", "status": "Läge", "hur": "Anteckning"});
    let saved = api
        .send(Method::POST, "/classifications/plan-import", json!({"text": odd, "mapping": mapping, "commit": true}))
        .await;
    assert_eq!(json_of(saved, 200).await["rows"][0]["errors"], json!([]));
    let next_year =
        json_of(api.send(Method::POST, "/classifications/plan-import", json!({"text": odd})).await, 200).await;
    assert_eq!(next_year["mapping"]["krav_id"], "Åtgärdsnummer");
    assert_eq!(next_year["rows"][0]["action"], "unchanged");
}
