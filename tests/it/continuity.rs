//! Continuity: plans kept by the system's keepers, gaps and missing parts by the domain's
//! rules, exercises whose findings become actions, targets per T level, and the annual
//! report's figures held to the list's own count.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, json_of};

fn item<'a>(all: &'a Value, name: &str) -> &'a Value {
    all.as_array().unwrap().iter().find(|s| s["system_name"] == name).unwrap_or_else(|| panic!("{name} listed"))
}

fn missing(item: &Value) -> Vec<&str> {
    item["missing"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect()
}

#[tokio::test]
async fn keepers_plan_continuity_and_the_list_shows_gaps_and_what_is_missing() {
    let app = TestApp::spawn().await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let all = json_of(coordinator.get("/continuity").await, 200).await;
    // The demo: a complete plan exercised 45 days ago; targets set by IT alone; a restore
    // slower than the business tolerates without a reserve routine; a critical system without a plan.
    let care = item(&all, "Omsorgsdokumentation");
    assert_eq!((care["gap"].clone(), missing(care)), (json!(false), vec![]));
    assert_eq!(
        (care["mtpd_hours"].clone(), care["rpo_hours"].clone(), care["rto_hours"].clone()),
        (json!(4), json!(1), json!(2))
    );
    let alarms = item(&all, "Trygghetslarm");
    assert_eq!(alarms["gap"], true, "targets set by IT alone");
    assert_eq!(alarms["targets_set_by"], "it");
    assert_eq!(missing(alarms), ["mal", "ovning"], "exercised 230 days ago, twice a year for T3");
    let payroll = item(&all, "Lönesystem");
    assert_eq!(payroll["gap"], true, "120 h to restore, 72 h tolerated");
    assert_eq!(missing(payroll), ["reservrutin", "ovning"]);
    let school = app.system_id("Skolplattformen").await;
    assert_eq!(missing(item(&all, "Skolplattformen")), ["plan", "reservrutin", "mal", "ovning"]);
    assert!(all.as_array().unwrap().iter().all(|s| s["is_critical"] == true));

    // The system owner plans their own system, not another's; the auditor and the board read.
    let owner = app.api(&app.api_token("systemagare@exempelby.se", app.exempelby).await);
    let plan = json!({"mtpd_hours": 24, "rpo_hours": 4, "targets_set_by": "verksamheten", "targets_decided_by": "Rektor Olof Lund",
                      "rto_hours": 48, "rto_source": "avtal", "reserve_routine": "Närvaro på papperslistor; betyg väntar.",
                      "backup_frequency": "Dagligen"});
    let saved = owner.send(Method::PUT, &format!("/systems/{school}/continuity"), plan.clone()).await;
    let etag = saved.headers().get("etag").expect("an ETag").to_str().unwrap().to_string();
    let saved = json_of(saved, 200).await;
    assert_eq!(
        (saved["gap"].clone(), missing(&saved)),
        (json!(true), vec!["ovning"]),
        "48 h to restore, 24 h tolerated"
    );
    assert_eq!(saved["reserve_routine"], "Närvaro på papperslistor; betyg väntar.");
    let payroll_id = app.system_id("Lönesystem").await;
    assert_eq!(owner.send(Method::PUT, &format!("/systems/{payroll_id}/continuity"), plan.clone()).await.status(), 403);
    for reader in ["revisor@exempelby.se", "ledamot@exempelby.se"] {
        let api = app.api(&app.api_token(reader, app.exempelby).await);
        assert_eq!(api.get("/continuity").await.status(), 200, "{reader}");
        assert_eq!(api.send(Method::PUT, &format!("/systems/{school}/continuity"), plan.clone()).await.status(), 403);
    }
    let employee = app.api(&app.api_token("medarbetare@exempelby.se", app.exempelby).await);
    assert_eq!(employee.get("/continuity").await.status(), 403);

    // A change made from an older version is refused; bad input has Swedish messages.
    let faster = json!({"mtpd_hours": 24, "rpo_hours": 4, "targets_set_by": "verksamheten", "targets_decided_by": "Rektor Olof Lund",
                        "rto_hours": 12, "reserve_routine": "Papperslistor."});
    let path = format!("/systems/{school}/continuity");
    assert_eq!(coordinator.send_if_match(Method::PUT, &path, &etag, faster.clone()).await.status(), 200);
    assert_eq!(owner.send_if_match(Method::PUT, &path, &etag, faster.clone()).await.status(), 412);
    let bad = json_of(
        owner.send(Method::PUT, &path, json!({"mtpd_hours": "en dag", "targets_set_by": "verksamheten"})).await,
        422,
    )
    .await;
    let text = bad.to_string();
    assert!(text.contains("Ange vem i verksamheten som beslutade målen.") && text.contains("mtpd_hours"), "{text}");

    // Another municipality's coordinator reaches none of it.
    let other = app.annanstad().await;
    let annan = app.api(&app.api_token("samordnare@annanstad.se", other.municipality).await);
    assert_eq!(annan.get(&path).await.status(), 404);
    assert_eq!(annan.send(Method::PUT, &path, faster).await.status(), 404);
    assert_eq!(annan.get("/continuity").await.text().await.unwrap(), "[]");
    let exercise = json!({"title": "Återläsning", "performed_on": lisa::web::format::today().to_string(),
                          "kind": "aterlasningstest", "result": "godkant", "system_ids": [school.to_string()]});
    assert_eq!(annan.send(Method::POST, "/continuity/exercises", exercise).await.status(), 422, "not its system");

    let history: Value = json_of(coordinator.get("/audit-log?entity_type=continuity_plan").await, 200).await;
    assert!(history.as_array().unwrap().len() >= 3, "the demo's plans, the owner's and the coordinator's change");
}

#[tokio::test]
async fn an_exercise_proposes_actions_from_its_findings_and_counts_toward_the_interval() {
    let app = TestApp::spawn().await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let alarms = app.system_id("Trygghetslarm").await;
    let owner = app.api(&app.api_token("systemagare@exempelby.se", app.exempelby).await);
    let today = lisa::web::format::today().to_string();
    let exercise = json!({"title": "Teknisk övning: larmservern ur drift", "performed_on": today, "kind": "teknisk_ovning",
                          "result": "med_anmarkningar", "system_ids": [alarms.to_string()],
                          "findings": "Reservmottagningen svarade efter 40 minuter\nTelefonlistan var inaktuell",
                          "findings_to_actions": true});
    assert_eq!(
        owner.send(Method::POST, "/continuity/exercises", exercise.clone()).await.status(),
        403,
        "not the owner's system"
    );
    let recorded = json_of(coordinator.send(Method::POST, "/continuity/exercises", exercise).await, 201).await;
    assert_eq!(recorded["system_ids"], json!([alarms.to_string()]));
    assert_eq!(
        (recorded["kind"].clone(), recorded["result"].clone()),
        (json!("teknisk_ovning"), json!("med_anmarkningar"))
    );

    let actions = json_of(coordinator.get("/actions?source=ovning").await, 200).await;
    let titles: Vec<&str> = actions.as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(titles.contains(&"Telefonlistan var inaktuell"));
    let all = json_of(coordinator.get("/continuity").await, 200).await;
    assert_eq!(missing(item(&all, "Trygghetslarm")), ["mal"], "exercised today");
    assert_eq!(item(&all, "Trygghetslarm")["last_exercised_on"], today);

    let listed = json_of(coordinator.get("/continuity/exercises").await, 200).await;
    assert_eq!(listed[0]["title"], "Teknisk övning: larmservern ur drift");
    let empty =
        json_of(coordinator.send(Method::POST, "/continuity/exercises", json!({"kind": "ovning"})).await, 422).await;
    assert!(empty.to_string().contains("Välj minst ett system som övningen omfattade."));
}

#[tokio::test]
async fn the_coordinator_sets_the_targets_and_the_report_counts_what_the_list_shows() {
    let app = TestApp::spawn().await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let targets = json_of(coordinator.get("/continuity/targets").await, 200).await;
    assert_eq!(targets["changed_by"], Value::Null, "Lisa's defaults");
    assert_eq!(
        targets["targets"][3],
        json!({"t_level": 3, "mtpd_hours": 4, "rpo_hours": 1, "exercise_months": 6, "own_analysis": false})
    );

    // T3 exercised yearly instead: the alarms exercised 230 days ago are within the interval.
    let mut rows: Vec<Value> = targets["targets"].as_array().unwrap().clone();
    rows[3]["exercise_months"] = json!(12);
    let owner = app.api(&app.api_token("systemagare@exempelby.se", app.exempelby).await);
    assert_eq!(owner.send(Method::PUT, "/continuity/targets", json!({"targets": rows.clone()})).await.status(), 403);
    let saved =
        json_of(coordinator.send(Method::PUT, "/continuity/targets", json!({"targets": rows})).await, 200).await;
    assert_eq!(saved["changed_by"], "Sara Lind");
    let all = json_of(coordinator.get("/continuity").await, 200).await;
    assert_eq!(missing(item(&all, "Trygghetslarm")), ["mal"]);
    let too_few = json!({"targets": [{"t_level": 3, "mtpd_hours": 4}]});
    assert_eq!(coordinator.send(Method::PUT, "/continuity/targets", too_few).await.status(), 422);

    // The report's figures, counted independently from the list.
    let year = chrono::Datelike::year(&lisa::web::format::today());
    let created =
        json_of(coordinator.send(Method::POST, "/reports", json!({"year": year.to_string()})).await, 201).await;
    let report = json_of(coordinator.get(&format!("/reports/{}", created["id"].as_str().unwrap())).await, 200).await;
    let figures = &report["figures"]["continuity"];
    let list = all.as_array().unwrap();
    let count = |keep: &dyn Fn(&Value) -> bool| list.iter().filter(|s| keep(s)).count();
    let lacks = |s: &Value, code: &str| missing(s).contains(&code);
    assert_eq!(figures["critical_systems"], list.len());
    assert_eq!(figures["with_plan"], count(&|s| !lacks(s, "plan") && !lacks(s, "reservrutin") && !lacks(s, "mal")));
    assert_eq!(figures["exercised_in_interval"], count(&|s| !lacks(s, "ovning")));
    assert_eq!(figures["gaps"], count(&|s| s["gap"] == true));
    assert_eq!((figures["with_plan"].clone(), figures["gaps"].clone()), (json!(2), json!(2)));
    let rows = report["key_rows"].as_array().unwrap();
    let row = rows.iter().find(|r| r["label"] == "med glapp mellan krav och förmåga").unwrap();
    assert_eq!(row["now"], "2");
}

#[tokio::test]
async fn the_pages_keep_what_was_typed_and_print_the_plan_in_restore_order() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let overview = app.get(&client, "/continuity").await.text().await.unwrap();
    assert!(overview.contains("Lisas standard, inte SKR:s eller MSB:s") && overview.contains("Trygghetslarm"));
    let plan = app.get(&client, "/continuity/plan").await.text().await.unwrap();
    let order: Vec<usize> = ["Omsorgsdokumentation", "Trygghetslarm", "Katalogtjänst", "Lönesystem"]
        .iter()
        .map(|name| plan.find(name).unwrap_or_else(|| panic!("{name} in the plan")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "restore priority 1–4: {order:?}");
    let csv = app.get(&client, "/continuity.csv?gap=1").await.text().await.unwrap();
    assert!(csv.contains("Lönesystem") && !csv.contains("Omsorgsdokumentation"));
    assert!(app.get(&client, "/continuity/plan.csv").await.text().await.unwrap().contains("Reservrutin"));

    let school = app.system_id("Skolplattformen").await;
    let path = format!("/continuity/systems/{school}");
    let page = app
        .post_form(&client, &path, &[("mtpd_hours", "fyra"), ("reserve_routine", "Papperslistor i varje klassrum")])
        .await;
    assert_eq!(page.status(), 422);
    let text = page.text().await.unwrap();
    assert!(
        text.contains("Ange ett heltal från 1 till 8760.") && text.contains("Papperslistor i varje klassrum"),
        "{text}"
    );
    let saved = app
        .post_form(
            &client,
            &path,
            &[("mtpd_hours", "8"), ("targets_set_by", "it"), ("reserve_routine", "Papperslistor")],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let shown = app.get(&client, &path).await.text().await.unwrap();
    assert!(shown.contains("Kontinuitetsplanen är sparad.") && shown.contains("Glapp"), "IT set the targets alone");

    let targets = app.post_form(&client, "/continuity/targets", &[("mtpd_hours_3", "0")]).await;
    assert_eq!(targets.status(), 422);
    assert!(targets.text().await.unwrap().contains("Ange ett heltal från 1 till 8760."));
    let board = app.login("ledamot@exempelby.se").await;
    assert_eq!(app.get(&board, "/continuity/plan").await.status(), 200);
    let read_only = app.get(&board, &path).await.text().await.unwrap();
    assert!(!read_only.contains("name=\"mtpd_hours\""), "the board reads, it does not edit");
}
