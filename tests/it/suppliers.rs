//! Suppliers and contracts: requirements the covered systems need, compliance checks with
//! follow-up actions, notice periods, shared suppliers, permissions and tenant isolation.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::TestApp;

async fn measure_id(app: &TestApp, code: &str) -> Uuid {
    app.id_of("SELECT id FROM measures WHERE municipality_id = $1 AND code = $2", code).await
}

async fn contract_id(app: &TestApp, title: &str) -> Uuid {
    app.id_of("SELECT id FROM contracts WHERE municipality_id = $1 AND title = $2", title).await
}

async fn supplier_id(app: &TestApp, name: &str) -> Uuid {
    app.id_of("SELECT id FROM suppliers WHERE municipality_id = $1 AND name = $2", name).await
}

fn codes(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_contract_lacks_the_supplier_requirements_its_systems_need_until_they_are_written_in() {
    let app = TestApp::spawn().await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let alarm = app.system_id("Trygghetslarm").await;
    let level: (Option<i16>, Option<i16>) = sqlx::query_as("SELECT level_k, level_t FROM systems WHERE id = $1")
        .bind(alarm)
        .fetch_one(app.pool())
        .await
        .unwrap();
    let supplier = supplier_id(&app, "Larmtjänst AB").await;
    let form = json!({"supplier_id": supplier.to_string(), "title": "Larmmottagning", "system_ids": [alarm.to_string()],
                      "starts_on": "2026-01-01", "ends_on": "2028-12-31", "notice_months": "6"});
    let created = coordinator.send(Method::POST, "/contracts", form.clone()).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let missing = codes(&created["missing_requirements"]);
    // T-01 (backups) is a supplier measure from level 1 on availability; B-03 (MFA) from level 2 on confidentiality.
    let (k, t) = (level.0.expect("the demo classifies the alarm"), level.1.unwrap_or(0));
    assert_eq!(missing.contains(&"T-01".to_string()), t >= 1, "{missing:?}");
    assert_eq!(missing.contains(&"B-03".to_string()), k >= 2, "{missing:?}");
    assert!(
        !missing.contains(&"B-01".to_string()),
        "a measure on the municipality itself is never asked of a supplier"
    );
    assert!(!missing.is_empty());

    // Writing every missing requirement into the contract clears the list.
    let mut ids = Vec::new();
    for code in &missing {
        ids.push(measure_id(&app, code).await.to_string());
    }
    let mut complete = form.clone();
    complete["measure_ids"] = json!(ids);
    let id = created["id"].as_str().unwrap();
    let updated: Value =
        coordinator.send(Method::PUT, &format!("/contracts/{id}"), complete).await.json().await.unwrap();
    assert_eq!(updated["missing_requirements"], json!([]));
    assert_eq!(updated["requirements"].as_array().unwrap().len(), missing.len());
    assert!(updated["requirements"].as_array().unwrap().iter().all(|r| r["overdue"] == true), "never checked");

    // Bad input: Swedish messages, and another municipality's system is refused as a form error.
    let other = app.annanstad().await;
    let bad = json!({"supplier_id": supplier.to_string(), "title": " ", "ends_on": "2020-01-01", "starts_on": "2021-01-01",
                     "system_ids": [Uuid::new_v4().to_string()]});
    let refused = coordinator.send(Method::POST, "/contracts", bad).await;
    assert_eq!(refused.status(), 422);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["errors"]["title"], "Ange vad avtalet gäller.");
    assert_eq!(problem["errors"]["ends_on"], "Avtalet kan inte upphöra innan det börjar.");
    let foreign =
        json!({"supplier_id": supplier.to_string(), "title": "Fel", "system_ids": [other.body_id.to_string()]});
    let refused: Value = coordinator.send(Method::POST, "/contracts", foreign).await.json().await.unwrap();
    assert_eq!(refused["errors"]["system_ids"], "Välj bland kommunens system.");
}

#[tokio::test]
async fn the_contract_owner_records_checks_and_an_unmet_requirement_gets_one_follow_up_action() {
    let app = TestApp::spawn().await;
    let contract = contract_id(&app, "Skolplattform").await;
    let mfa = measure_id(&app, "B-03").await;
    let owner = app.api(&app.api_token("systemagare@exempelby.se", app.exempelby).await);
    let today = lisa::web::format::today().format("%Y-%m-%d").to_string();
    let check = |result: &str| {
        json!({"measure_id": mfa.to_string(), "checked_on": today, "method": "Leverantörens rapport", "result": result,
               "evidence": "Rapport 2026"})
    };
    let first = owner.send(Method::POST, &format!("/contracts/{contract}/checks"), check("delvis")).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let action = first["action_id"].as_str().expect("a follow-up action is proposed").to_string();
    let second: Value = owner
        .send(Method::POST, &format!("/contracts/{contract}/checks"), check("uppfylls_ej"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["action_id"].as_str(), Some(action.as_str()), "the open action is kept, not duplicated");
    let met: Value = owner
        .send(Method::POST, &format!("/contracts/{contract}/checks"), check("uppfylls"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(met["action_id"], Value::Null);
    let proposed: (String, String, Option<String>) = sqlx::query_as(
        "SELECT a.status, a.source, p.name FROM actions a LEFT JOIN people p ON p.id = a.owner_person_id WHERE a.id = $1",
    )
    .bind(Uuid::parse_str(&action).unwrap())
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(proposed, ("foreslagen".into(), "efterlevnadskontroll".into(), Some("Johan Berg".into())));

    let standing: Value = owner.get(&format!("/contracts/{contract}")).await.json().await.unwrap();
    let requirement =
        standing["requirements"].as_array().unwrap().iter().find(|r| r["code"] == "B-03").unwrap().clone();
    assert_eq!(requirement["last_result"], "uppfylls");
    assert_eq!(requirement["overdue"], false);

    // Only requirements written into the contract can be checked; nothing in the future.
    let mut wrong = check("uppfylls");
    wrong["measure_id"] = json!(measure_id(&app, "S-04").await.to_string());
    wrong["checked_on"] = json!("2999-01-01");
    let refused: Value =
        owner.send(Method::POST, &format!("/contracts/{contract}/checks"), wrong).await.json().await.unwrap();
    assert_eq!(refused["errors"]["measure_id"], "Välj ett krav som står i avtalet.");
    assert_eq!(refused["errors"]["checked_on"], "En kontroll kan inte vara gjord i framtiden.");

    // The owner of one contract may not check another; the auditor reads but does not record.
    let it_contract = contract_id(&app, "Drift av kommunens gemensamma IT-miljö").await;
    assert_eq!(
        owner.send(Method::POST, &format!("/contracts/{it_contract}/checks"), check("uppfylls")).await.status(),
        403
    );
    let auditor = app.api(&app.api_token("revisor@exempelby.se", app.exempelby).await);
    assert_eq!(auditor.get(&format!("/contracts/{contract}")).await.status(), 200);
    assert_eq!(
        auditor.send(Method::POST, &format!("/contracts/{contract}/checks"), check("uppfylls")).await.status(),
        403
    );
    let employee = app.api(&app.api_token("medarbetare@exempelby.se", app.exempelby).await);
    assert_eq!(employee.get("/contracts").await.status(), 403);
    assert_eq!(employee.get("/suppliers").await.status(), 403);

    // Every check is in the audit log, and in the CSV.
    let logged: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE entity_type = 'compliance_check' AND actor_name LIKE 'Johan Berg%'",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(logged, 3);
    let client = app.login("revisor@exempelby.se").await;
    let csv = app.get(&client, "/compliance-checks.csv").await.text().await.unwrap();
    assert!(csv.contains("Leverantörens rapport;Uppfylls delvis;Rapport 2026"), "{csv}");
}

#[tokio::test]
async fn contracts_that_reached_their_notice_period_are_shown_and_filtered() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let page = app.get(&client, "/contracts").await.text().await.unwrap();
    let notice = page.split("id=\"notice-heading\"").nth(1).expect("the notice section is shown");
    assert!(notice.split("</section>").next().unwrap().contains("Drift av kommunens gemensamma IT-miljö"));
    let csv = app.get(&client, "/contracts.csv?attention=uppsagning").await.text().await.unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.contains("Länets IT-bolag AB") && csv.contains(";ja;Erik Sund;"));
    let csv = app.get(&client, "/contracts.csv?attention=utan_pub").await.text().await.unwrap();
    assert!(csv.contains("Trygghetslarm med larmmottagning") && !csv.contains("Skolplattform"));
    let csv = app.get(&client, "/contracts.csv?attention=saknade_krav").await.text().await.unwrap();
    assert!(csv.contains("Omsorgsdokumentation som tjänst"), "a contract without security requirements");

    // The form keeps what was typed when it is refused.
    let refused = app
        .post_form(
            &client,
            "/contracts",
            &[("title", "Nytt driftavtal"), ("notice_months", "sex"), ("sla_summary", "99,9 %")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let text = refused.text().await.unwrap();
    assert!(text.contains("Välj leverantör.") && text.contains("Ange ett heltal från 0 till 60."));
    assert!(text.contains("Nytt driftavtal") && text.contains("99,9 %"));
}

#[tokio::test]
async fn a_shared_supplier_shows_that_it_is_shared_and_nothing_of_the_other_municipality() {
    let app = TestApp::spawn().await;
    let other = app.annanstad().await;
    let annan = app.api(&app.api_token("samordnare@annanstad.se", other.municipality).await);
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let shared =
        json!({"name": "Länets IT-bolag", "org_number": "5569001232", "kind": "samagt_bolag", "is_shared": true});
    let created = annan.send(Method::POST, "/suppliers", shared).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!((created["org_number"].as_str(), created["shared_with"].as_i64()), (Some("556900-1232"), Some(1)));
    let ours = supplier_id(&app, "Länets IT-bolag AB").await;
    let seen: Value = coordinator.get(&format!("/suppliers/{ours}")).await.json().await.unwrap();
    assert_eq!(seen["shared_with"], 1);
    // A supplier that is not marked shared is not counted, however its number.
    let private = json!({"name": "Edusys Nord", "org_number": "559011-2230", "kind": "molntjanst"});
    let private: Value = annan.send(Method::POST, "/suppliers", private).await.json().await.unwrap();
    assert_eq!(private["shared_with"], 0);
    // The register searches name and organisation number, and pages.
    let found = annan.get("/suppliers?q=556900-12&limit=1").await;
    assert_eq!(found.headers()["x-total-count"], "1");
    let found: Value = found.json().await.unwrap();
    assert_eq!(found[0]["name"], "Länets IT-bolag");
    let first = annan.get("/suppliers?limit=1").await;
    assert_eq!(first.headers()["x-total-count"], "2");
    assert!(first.headers()["link"].to_str().unwrap().contains("page=2"));
    let first: Value = first.json().await.unwrap();
    assert_eq!(first[0]["name"], "Edusys Nord", "by name");

    // Nothing else crosses: not the supplier, its contracts or their checks.
    assert_eq!(annan.get("/contracts").await.text().await.unwrap(), "[]");
    let contract = contract_id(&app, "Drift av kommunens gemensamma IT-miljö").await;
    assert_eq!(annan.get(&format!("/suppliers/{ours}")).await.status(), 404);
    assert_eq!(annan.get(&format!("/contracts/{contract}")).await.status(), 404);
    let check = json!({"measure_id": measure_id(&app, "T-01").await.to_string(), "checked_on": "2026-01-01",
                       "method": "x", "result": "uppfylls"});
    assert_eq!(annan.send(Method::POST, &format!("/contracts/{contract}/checks"), check).await.status(), 404);
    let renamed = json!({"name": "Kapat", "kind": "it_drift"});
    assert_eq!(annan.send(Method::PUT, &format!("/suppliers/{ours}"), renamed).await.status(), 404);
    let stranger = app.login("samordnare@annanstad.se").await;
    for path in [format!("/suppliers/{ours}"), format!("/contracts/{contract}"), format!("/contracts/{contract}/edit")]
    {
        assert_eq!(app.get(&stranger, &path).await.status(), 404, "{path}");
    }
    let page = app.get(&stranger, "/suppliers").await.text().await.unwrap();
    assert!(page.contains("Delad med 1 annan kommun") && !page.contains("Länets IT-bolag AB"));

    // A shared supplier needs its organisation number; one with contracts cannot be removed.
    let unnamed = json!({"name": "Samägt utan nummer", "kind": "samagt_bolag", "is_shared": true});
    let refused: Value = annan.send(Method::POST, "/suppliers", unnamed).await.json().await.unwrap();
    assert!(refused["errors"]["org_number"].as_str().unwrap().contains("organisationsnummer"));
    let client = app.login("samordnare@exempelby.se").await;
    assert_eq!(app.post_form(&client, &format!("/suppliers/{ours}/delete"), &[]).await.status(), 409);
}

#[tokio::test]
async fn the_contract_list_filters_in_postgresql_by_the_rules_the_pages_show() {
    use lisa::suppliers::store::{Attention, ContractFilter, all_matching_contracts, standings};
    let app = TestApp::spawn().await;
    let m = app.exempelby;
    let today = lisa::web::format::today();
    let set = async |sql: &'static str, title: &str| {
        sqlx::query(sql).bind(m).bind(title.to_string()).bind(today).execute(app.pool()).await.unwrap();
    };
    // Edges: the notice deadline is today; one contract ended yesterday with a requirement
    // never checked; requirements checked exactly one interval ago (due today, not overdue),
    // one of them since found only partly met.
    set(
        "UPDATE contracts SET ends_on = ($3::date + interval '3 months')::date, notice_months = 3
          WHERE municipality_id = $1 AND title = $2",
        "Skolplattform",
    )
    .await;
    set(
        "UPDATE contracts SET ends_on = $3::date - 1 WHERE municipality_id = $1 AND title = $2",
        "Trygghetslarm med larmmottagning",
    )
    .await;
    set(
        "DELETE FROM compliance_checks WHERE municipality_id = $1 AND contract_id = (SELECT id FROM contracts WHERE title = $2)",
        "Drift av kommunens gemensamma IT-miljö",
    )
    .await;
    set(
        "INSERT INTO compliance_checks (id, municipality_id, contract_id, measure_id, checked_on, method, result, checked_by)
         SELECT gen_random_uuid(), $1, c.id, r.measure_id, ($3::date - make_interval(months => c.check_interval_months))::date,
                'Kontroll', 'uppfylls', 'Test'
           FROM contract_requirements r JOIN contracts c ON c.id = r.contract_id
          WHERE c.municipality_id = $1 AND c.title = $2",
        "Drift av kommunens gemensamma IT-miljö",
    )
    .await;
    set(
        "INSERT INTO compliance_checks (id, municipality_id, contract_id, measure_id, checked_on, method, result, checked_by)
         SELECT gen_random_uuid(), $1, r.contract_id, r.measure_id, $3::date - 1, 'Kontroll', 'delvis', 'Test'
           FROM contract_requirements r JOIN contracts c ON c.id = r.contract_id
          WHERE c.municipality_id = $1 AND c.title = $2 LIMIT 1",
        "Drift av kommunens gemensamma IT-miljö",
    )
    .await;

    let mut db = app.pool().acquire().await.unwrap();
    let all = standings(&mut db, m, None, today).await.unwrap();
    let titles = |list: &[lisa::suppliers::store::ContractStanding]| {
        list.iter().map(|s| s.contract.title.clone()).collect::<Vec<_>>()
    };
    for attention in Attention::ALL.map(Attention::code).iter().chain(&[""]) {
        for q in ["", "drift"] {
            let filter = ContractFilter { attention: attention.to_string(), q: q.into(), ..ContractFilter::default() };
            let expected: Vec<_> = all.iter().filter(|s| filter.keeps(s)).cloned().collect();
            let found = all_matching_contracts(&mut db, m, &filter, None, today).await.unwrap();
            assert_eq!(titles(&found), titles(&expected), "attention {attention:?}, q {q:?}");
        }
    }
    let in_notice = ContractFilter { attention: "uppsagning".into(), ..ContractFilter::default() };
    assert!(
        titles(&all_matching_contracts(&mut db, m, &in_notice, None, today).await.unwrap())
            .contains(&"Skolplattform".to_string())
    );
    let overdue = ContractFilter { attention: "kontroll".into(), ..ContractFilter::default() };
    let overdue = titles(&all_matching_contracts(&mut db, m, &overdue, None, today).await.unwrap());
    assert!(
        !overdue.contains(&"Drift av kommunens gemensamma IT-miljö".to_string()),
        "checked one interval ago: due today"
    );
    assert!(!overdue.contains(&"Trygghetslarm med larmmottagning".to_string()), "ended");
    let unmet = ContractFilter { attention: "ej_uppfyllda".into(), ..ContractFilter::default() };
    assert!(
        titles(&all_matching_contracts(&mut db, m, &unmet, None, today).await.unwrap())
            .contains(&"Drift av kommunens gemensamma IT-miljö".to_string())
    );

    let api = app.coordinator_api().await;
    let page = api.get("/contracts?limit=1&page=2").await;
    assert_eq!(page.headers()["x-total-count"], all.len().to_string().as_str());
    let second: Value = page.json().await.unwrap();
    assert_eq!(second[0]["title"], all[1].contract.title.as_str());
}
