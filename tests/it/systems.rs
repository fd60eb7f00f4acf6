//! Systems, classification, required measures, risks and the handlingsplan: the rules as
//! users meet them through the API and the pages, permissions and tenant isolation.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{ApiClient, TestApp};

async fn coordinator_api(app: &TestApp) -> ApiClient {
    app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await)
}

async fn id_of(app: &TestApp, sql: &'static str, name: &str) -> Uuid {
    app.id_of(sql, name).await
}

async fn system_id(app: &TestApp, name: &str) -> Uuid {
    app.system_id(name).await
}

async fn person_id(app: &TestApp, name: &str) -> Uuid {
    id_of(app, "SELECT id FROM people WHERE municipality_id = $1 AND name = $2", name).await
}

async fn asset_id(app: &TestApp, name: &str) -> Uuid {
    id_of(app, "SELECT id FROM information_assets WHERE municipality_id = $1 AND name = $2", name).await
}

async fn json_of(response: reqwest::Response, status: u16) -> Value {
    let got = response.status().as_u16();
    let body = response.text().await.unwrap();
    assert_eq!(got, status, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn levels(k: u8, r: u8, t: u8, s: u8) -> Value {
    let reason = "Skälet till nivån.";
    json!({"k": k.to_string(), "r": r.to_string(), "t": t.to_string(), "s": s.to_string(),
           "k_reason": reason, "r_reason": reason, "t_reason": reason, "s_reason": reason})
}

async fn new_system(api: &ApiClient, name: &str) -> Uuid {
    let created =
        json_of(api.send(Method::POST, "/systems", json!({"name": name, "is_critical": true})).await, 201).await;
    assert_eq!(created["protection_level"], Value::Null, "nothing classified yet");
    assert_eq!(created["level_4_flag"], false);
    created["id"].as_str().unwrap().parse().unwrap()
}

async fn new_asset(api: &ApiClient, system: Uuid, name: &str) -> Uuid {
    let asset =
        json_of(api.send(Method::POST, &format!("/systems/{system}/assets"), json!({"name": name})).await, 201).await;
    asset["id"].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_system_level_is_the_maximum_over_current_classifications_and_flags_level_4() {
    let app = TestApp::spawn().await;
    let api = coordinator_api(&app).await;
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

#[tokio::test]
async fn required_measures_follow_the_level_and_unmet_ones_become_proposed_actions_once() {
    let app = TestApp::spawn().await;
    let api = coordinator_api(&app).await;
    let system = new_system(&api, "Mätsystemet").await;
    let asset = new_asset(&api, system, "Mätvärden").await;
    json_of(api.send(Method::POST, &format!("/assets/{asset}/classifications"), levels(2, 1, 0, 1)).await, 201).await;

    let required = json_of(api.get(&format!("/systems/{system}/measures")).await, 200).await;
    let mut codes: Vec<&str> = required.as_array().unwrap().iter().map(|m| m["code"].as_str().unwrap()).collect();
    codes.sort();
    let level = lisa::classification::model::ProtectionLevel { k: 2, r: 1, t: 0, s: 1 };
    let mut expected: Vec<&str> = lisa::classification::model::STARTER_CATALOGUE
        .iter()
        .filter(|(_, _, aspect, min, _, _)| {
            lisa::classification::model::is_required(
                &level,
                &lisa::classification::model::Requirement { aspect, min_level: *min },
            )
        })
        .map(|m| m.0)
        .collect();
    expected.sort();
    assert_eq!(codes, expected);
    assert!(codes.contains(&"B-03") && !codes.contains(&"T-03"), "MFA from K 2; restore tests only from T 2");

    let mfa =
        required.as_array().unwrap().iter().find(|m| m["code"] == "B-03").unwrap()["id"].as_str().unwrap().to_string();
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
    let restore: Uuid = id_of(&app, "SELECT id FROM measures WHERE municipality_id = $1 AND code = $2", "T-03").await;
    let not_required =
        api.send(Method::PUT, &format!("/systems/{system}/measures/{restore}"), json!({"status": "uppfylld"})).await;
    assert_eq!(not_required.status(), 404);
}

#[tokio::test]
async fn risks_get_their_value_and_cell_on_the_municipalitys_scale() {
    let app = TestApp::spawn().await;
    let api = coordinator_api(&app).await;
    let analysis = json_of(
        api.send(
            Method::POST,
            "/risk-analyses",
            json!({"title": "Löneprocessen", "object_kind": "process", "object_text": "Lön", "analysed_on": "2026-05-01"}),
        )
        .await,
        201,
    )
    .await;
    let id = analysis["id"].as_str().unwrap();
    let before = json_of(api.get("/risk-matrix").await, 200).await;
    let risk = json_of(
        api.send(
            Method::POST,
            &format!("/risk-analyses/{id}/risks"),
            json!({"threat": "Fel lön", "likelihood": "3", "consequence": "4"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!((risk["value"].as_i64(), risk["level"].as_str()), (Some(12), Some("hog")));
    let after = json_of(api.get("/risk-matrix").await, 200).await;
    let cell = |m: &Value| m["counts"][3][2].as_u64().unwrap();
    assert_eq!(cell(&after), cell(&before) + 1, "consequence 4, likelihood 3");

    let too_high = api
        .send(
            Method::POST,
            &format!("/risk-analyses/{id}/risks"),
            json!({"threat": "x", "likelihood": "5", "consequence": "1"}),
        )
        .await;
    assert_eq!(json_of(too_high, 422).await["errors"]["likelihood"], "Välj ett värde 1–4.");

    // On a 1–5 scale with other thresholds, the same risk reads differently.
    let client = app.login("samordnare@exempelby.se").await;
    let saved = app
        .post_form(
            &client,
            "/risk-settings",
            &[
                ("max", "5"),
                ("likelihood_steps", "Sällan, Ibland, Ofta, Mycket ofta, Nästan alltid"),
                ("consequence_steps", "Liten, Måttlig, Stor, Mycket stor, Katastrofal"),
                ("medium_from", "5"),
                ("high_from", "15"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let analysis = json_of(api.get(&format!("/risk-analyses/{id}")).await, 200).await;
    assert_eq!(analysis["risks"][0]["level"], "medel");
    let five = api
        .send(
            Method::POST,
            &format!("/risk-analyses/{id}/risks"),
            json!({"threat": "Stopp", "likelihood": "5", "consequence": "5"}),
        )
        .await;
    assert_eq!(json_of(five, 201).await["level"], "hog");
}

#[tokio::test]
async fn the_inventory_import_shows_row_errors_and_saves_only_when_confirmed() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM systems WHERE municipality_id = $1")
            .bind(app.exempelby)
            .fetch_one(app.pool())
            .await
            .unwrap()
    };
    let before = count().await;
    let csv = "Namn;Ansvarig nämnd eller bolag;Systemägare;Driftform;Verksamhetskritiskt\n\
               Parkeringstillstånd;Tekniska nämnden;Nils Ekberg;Molntjänst;ja\n\
               Lönesystem;Kommunstyrelsen;;;nej\n\
               Bibliotekssystem;Kulturnämnden;Ingen Alls;källaren;kanske\n\
               Matsedel;;;;\n";
    let preview = app.post_form(&client, "/systems/import", &[("text", csv)]).await;
    assert_eq!(preview.status(), 200);
    let page = preview.text().await.unwrap();
    assert!(page.contains("4 rader, varav 2 kan läsas in"), "{page}");
    assert!(page.contains("Det finns redan ett system som heter ”Lönesystem”."));
    assert!(page.contains("Nämnden eller bolaget ”Kulturnämnden” finns inte i organisationen."));
    assert!(page.contains("Verksamhetskritiskt: skriv ja eller nej."));
    assert_eq!(count().await, before, "nothing saved by the preview");

    let confirmed = app.post_form(&client, "/systems/import/confirm", &[("text", csv)]).await;
    assert_eq!(confirmed.status(), 303);
    assert_eq!(count().await, before + 2);
    let parking: (bool, String) = sqlx::query_as(
        "SELECT s.is_critical, p.name FROM systems s JOIN people p ON p.id = s.owner_person_id WHERE s.name = 'Parkeringstillstånd'",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(parking, (true, "Nils Ekberg".to_string()));
    let logged: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE entity_type = 'system' AND action = 'create' AND after->>'Namn' IN ('Parkeringstillstånd', 'Matsedel')",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(logged, 2);

    let empty = app.post_form(&client, "/systems/import", &[("text", "Syfte\nnågot")]).await;
    assert_eq!(empty.status(), 422);
    assert!(empty.text().await.unwrap().contains("Kolumnen ”Namn” saknas"));
}

#[tokio::test]
async fn each_role_does_only_what_it_may() {
    let app = TestApp::spawn().await;
    let school = system_id(&app, "Skolplattformen").await;
    let payroll = system_id(&app, "Lönesystem").await;
    let pupils = asset_id(&app, "Elevuppgifter").await;
    let care_analysis: Uuid =
        sqlx::query_scalar("SELECT id FROM risk_analyses WHERE title = 'Riskanalys av omsorgsdokumentationen'")
            .fetch_one(app.pool())
            .await
            .unwrap();

    // An employee sees no inventory.
    let employee = app.login("medarbetare@exempelby.se").await;
    for path in ["/systems", "/coverage", "/risk-analyses", "/risks", &format!("/systems/{school}")] {
        assert_eq!(app.get(&employee, path).await.status(), 403, "{path}");
    }

    // The auditor reads, and changes nothing.
    let auditor = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    assert_eq!(auditor.get(&format!("/systems/{school}")).await.status(), 200);
    assert_eq!(auditor.get("/risks").await.status(), 200);
    assert_eq!(auditor.send(Method::PUT, &format!("/systems/{school}"), json!({"name": "Nytt"})).await.status(), 403);
    assert_eq!(
        auditor.send(Method::POST, &format!("/assets/{pupils}/classifications"), levels(1, 1, 1, 1)).await.status(),
        403
    );

    // The system owner edits and classifies his own system, not others'.
    let owner = app.api(&app.api_token("systemagare@exempelby.se", app.exempelby).await);
    let renamed = owner
        .send(Method::PUT, &format!("/systems/{school}"), json!({"name": "Skolplattformen", "purpose": "Ny text", "owner_person_id": person_id(&app, "Johan Berg").await.to_string()}))
        .await;
    assert_eq!(renamed.status(), 200);
    assert_eq!(owner.send(Method::PUT, &format!("/systems/{payroll}"), json!({"name": "Lön"})).await.status(), 403);
    assert_eq!(owner.send(Method::POST, "/systems", json!({"name": "Eget"})).await.status(), 403);
    let classified = owner.send(Method::POST, &format!("/assets/{pupils}/classifications"), levels(2, 2, 2, 2)).await;
    assert_eq!(classified.status(), 201);

    // Only the information owner approves; not even the coordinator. And not what they classified themselves.
    let coordinator = coordinator_api(&app).await;
    assert_eq!(coordinator.send(Method::POST, &format!("/assets/{pupils}/approval"), json!({})).await.status(), 403);
    let own = owner.send(Method::POST, &format!("/assets/{pupils}/approval"), json!({})).await;
    assert_eq!(own.status(), 422, "the one who classified may not approve");
    let problem = own.text().await.unwrap();
    assert!(problem.contains("Den som har klassat informationen kan inte själv godkänna"), "{problem}");
    let reclassified =
        coordinator.send(Method::POST, &format!("/assets/{pupils}/classifications"), levels(2, 2, 2, 2)).await;
    assert_eq!(reclassified.status(), 201);
    let approved = json_of(owner.send(Method::POST, &format!("/assets/{pupils}/approval"), json!({})).await, 200).await;
    assert_eq!(approved["approved_by"], "Johan Berg <systemagare@exempelby.se>");

    // Board members see the heat map and coverage, not the threats.
    let board = app.login("ledamot@exempelby.se").await;
    let overview = app.get(&board, "/risk-analyses").await;
    assert_eq!(overview.status(), 200);
    let text = overview.text().await.unwrap();
    assert!(text.contains("Riskmatris") && !text.contains("Utpressningsvirus"));
    assert_eq!(app.get(&board, "/risks").await.status(), 403);
    assert_eq!(app.get(&board, &format!("/risk-analyses/{care_analysis}")).await.status(), 403);
    assert_eq!(app.get(&board, "/coverage").await.status(), 200);

    // Only the owner of the analysis accepts its risks.
    let risk: Uuid = sqlx::query_scalar("SELECT id FROM risks WHERE analysis_id = $1 AND accepted_at IS NULL LIMIT 1")
        .bind(care_analysis)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(coordinator.send(Method::POST, &format!("/risks/{risk}/acceptance"), json!({})).await.status(), 403);

    // The catalogue is the coordinator's.
    let measure = json!({"code": "X-1", "title": "Test", "aspect": "k", "min_level": "2", "applies_to": "kommun"});
    assert_eq!(owner.send(Method::POST, "/catalogue", measure.clone()).await.status(), 403);
    assert_eq!(coordinator.send(Method::POST, "/catalogue", measure).await.status(), 201);
}

#[tokio::test]
async fn another_municipality_cannot_reach_systems_assets_risks_or_plans() {
    let app = TestApp::spawn().await;
    let school = system_id(&app, "Skolplattformen").await;
    let pupils = asset_id(&app, "Elevuppgifter").await;
    let (analysis, risk): (Uuid, Uuid) =
        sqlx::query_as("SELECT analysis_id, id FROM risks LIMIT 1").fetch_one(app.pool()).await.unwrap();
    let measure: Uuid = id_of(&app, "SELECT id FROM measures WHERE municipality_id = $1 AND code = $2", "B-03").await;
    let other = app.annanstad().await;

    let annan = app.login("samordnare@annanstad.se").await;
    for path in [
        format!("/systems/{school}"),
        format!("/systems/{school}/edit"),
        format!("/systems/{school}/measures"),
        format!("/systems/{school}/delete"),
        format!("/assets/{pupils}"),
        format!("/risk-analyses/{analysis}"),
        format!("/risk-analyses/{analysis}/edit"),
        format!("/risks/{risk}"),
        format!("/catalogue/{measure}"),
        "/plans/2026".to_string(),
    ] {
        assert_eq!(app.get(&annan, &path).await.status(), 404, "{path}");
    }
    for (path, fields) in [
        (format!("/systems/{school}"), vec![("name", "Kapad")]),
        (format!("/systems/{school}/delete"), vec![]),
        (format!("/systems/{school}/assets"), vec![("name", "Smyg")]),
        (format!("/assets/{pupils}/classifications"), vec![("k", "0"), ("r", "0"), ("t", "0"), ("s", "0")]),
        (format!("/risks/{risk}/delete"), vec![]),
        (format!("/risk-analyses/{analysis}/risks"), vec![("threat", "x"), ("likelihood", "1"), ("consequence", "1")]),
    ] {
        assert_eq!(app.post_form(&annan, &path, &fields).await.status(), 404, "{path}");
    }
    let api = app.api(&app.api_token("samordnare@annanstad.se", other.municipality).await);
    assert_eq!(api.get(&format!("/systems/{school}")).await.status(), 404);
    assert_eq!(
        api.send(Method::POST, &format!("/assets/{pupils}/classifications"), levels(0, 0, 0, 0)).await.status(),
        404
    );
    assert_eq!(
        api.send(Method::PUT, &format!("/systems/{school}/measures/{measure}"), json!({"status": "uppfylld"}))
            .await
            .status(),
        404
    );
    let listed = api.get("/systems").await.text().await.unwrap();
    assert_eq!(listed, "[]", "Annanstad has no systems of its own");
    assert_eq!(json_of(api.get("/risk-matrix").await, 200).await["total"], 0);
    // A new municipality starts with its own copy of Lisa's starter catalogue.
    let catalogue = json_of(api.get("/catalogue").await, 200).await;
    let theirs: Vec<&str> = catalogue.as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(theirs.len(), lisa::classification::model::STARTER_CATALOGUE.len());
    assert!(!theirs.contains(&measure.to_string().as_str()));

    // Exempelby cannot make Annanstad's body responsible for its system.
    let coordinator = coordinator_api(&app).await;
    let hijack = coordinator
        .send(
            Method::PUT,
            &format!("/systems/{school}"),
            json!({"name": "Skolplattformen", "body_id": other.body_id.to_string()}),
        )
        .await;
    assert_eq!(hijack.status(), 422);
    let versions: i64 = sqlx::query_scalar("SELECT count(*) FROM classifications WHERE asset_id = $1")
        .bind(pupils)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(versions, 1, "unchanged");
}

#[tokio::test]
async fn the_handlingsplan_gathers_actions_from_every_source_with_its_decision() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let created = app.post_form(&client, "/plans", &[("year", "2027")]).await;
    assert_eq!(created.status(), 303);
    let proposed: Uuid = sqlx::query_scalar("SELECT id FROM actions WHERE source = 'atgardskrav' LIMIT 1")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let treatment: Uuid =
        sqlx::query_scalar("SELECT id FROM actions WHERE source = 'risk' LIMIT 1").fetch_one(app.pool()).await.unwrap();
    let chosen = app
        .post_form(
            &client,
            "/plans/2027/actions",
            &[("action_ids", &proposed.to_string()), ("action_ids", &treatment.to_string())],
        )
        .await;
    assert_eq!(chosen.status(), 303);
    let status: String = sqlx::query_scalar("SELECT status FROM actions WHERE id = $1")
        .bind(proposed)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(status, "planerad", "chosen proposals become planned");
    let half = app.post_form(&client, "/plans/2027", &[("decision_reference", "KS § 12")]).await;
    assert_eq!(half.status(), 422, "a decision needs its date too");
    let decided = app
        .post_form(
            &client,
            "/plans/2027",
            &[("decision_date", "2027-02-17"), ("decision_reference", "KS 2027-02-17 § 12")],
        )
        .await;
    assert_eq!(decided.status(), 303);

    let api = coordinator_api(&app).await;
    let plan = json_of(api.get("/plans/2027").await, 200).await;
    assert_eq!(plan["decision_reference"], "KS 2027-02-17 § 12");
    assert_eq!(plan["actions"].as_array().unwrap().len(), 2);
    assert_eq!(plan["progress_percent"], 0);
    let csv = app.get(&client, "/actions.csv?source=risk").await.text().await.unwrap();
    assert!(csv.contains("Riskbehandling") && !csv.contains("Revisionsrekommendation"));
}

#[tokio::test]
async fn dependencies_show_both_ways_and_refuse_nonsense() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let school = system_id(&app, "Skolplattformen").await;
    let archive = system_id(&app, "E-arkiv").await;
    let added = app
        .post_form(
            &client,
            &format!("/systems/{school}/dependencies"),
            &[("depends_on_system_id", &archive.to_string()), ("description", "Betyg arkiveras")],
        )
        .await;
    assert_eq!(added.status(), 303);
    let archive_page = app.get(&client, &format!("/systems/{archive}")).await.text().await.unwrap();
    let needed_by = &archive_page[archive_page.find("Behövs av").unwrap()..];
    assert!(needed_by.contains(&format!("<a href=\"/systems/{school}\">Skolplattformen</a> – Betyg arkiveras")));
    let school_page = app.get(&client, &format!("/systems/{school}")).await.text().await.unwrap();
    assert!(school_page.contains(&format!("<a href=\"/systems/{archive}\">E-arkiv</a>")));

    // Itself, twice, or nothing at all: refused with a message, nothing stored.
    for fields in [
        vec![("depends_on_system_id", school.to_string())],
        vec![("depends_on_system_id", archive.to_string())],
        vec![("external_party", String::new())],
    ] {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = app.post_form(&client, &format!("/systems/{school}/dependencies"), &fields).await;
        assert_eq!(refused.status(), 303);
        let page = app.get(&client, &format!("/systems/{school}")).await.text().await.unwrap();
        assert!(page.contains("Beroendet sparades inte"), "{fields:?}");
    }
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM system_dependencies WHERE system_id = $1")
        .bind(school)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(stored, 2, "Katalogtjänst from the demo, and E-arkiv");
}

#[tokio::test]
async fn nobody_but_the_coordinator_names_who_approves_or_accepts() {
    let app = TestApp::spawn().await;
    let school = system_id(&app, "Skolplattformen").await;
    let johan = person_id(&app, "Johan Berg").await.to_string();
    let owner = app.api(&app.api_token("systemagare@exempelby.se", app.exempelby).await);
    let coordinator = coordinator_api(&app).await;
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
    let entries = log["entries"].as_array().unwrap();
    assert!(
        entries.iter().any(|e| e["actor_name"].as_str().unwrap().contains("samordnare@exempelby.se")
            && e.to_string().contains("Johan Berg")),
        "{log}"
    );
}
