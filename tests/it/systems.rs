//! Systems: the inventory import, what each role may do, dependencies, and tenant isolation
//! of systems, assets, risks and plans.

use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::support::{TestApp, json_of, levels};

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
    let school = app.system_id("Skolplattformen").await;
    let payroll = app.system_id("Lönesystem").await;
    let pupils = app.asset_id("Elevuppgifter").await;
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
        .send(Method::PUT, &format!("/systems/{school}"), json!({"name": "Skolplattformen", "purpose": "Ny text", "owner_person_id": app.person_id("Johan Berg").await.to_string()}))
        .await;
    assert_eq!(renamed.status(), 200);
    assert_eq!(owner.send(Method::PUT, &format!("/systems/{payroll}"), json!({"name": "Lön"})).await.status(), 403);
    assert_eq!(owner.send(Method::POST, "/systems", json!({"name": "Eget"})).await.status(), 403);
    let classified = owner.send(Method::POST, &format!("/assets/{pupils}/classifications"), levels(2, 2, 2, 2)).await;
    assert_eq!(classified.status(), 201);

    // Only the information owner approves; not even the coordinator. And not what they classified themselves.
    let coordinator = app.coordinator_api().await;
    assert_eq!(coordinator.send(Method::POST, &format!("/assets/{pupils}/approval"), json!({})).await.status(), 403);
    let own = owner.send(Method::POST, &format!("/assets/{pupils}/approval"), json!({})).await;
    assert_eq!(own.status(), 422, "the one who classified may not approve");
    let problem = own.text().await.unwrap();
    assert!(problem.contains("klassat informationen själv och kan inte också godkänna"), "{problem}");
    // The page offers no button that would fail, and says why and whom to ask.
    let owner_page = app.login("systemagare@exempelby.se").await;
    let page = app.get(&owner_page, &format!("/assets/{pupils}")).await.text().await.unwrap();
    assert!(!page.contains("Godkänn klassningen</button>"), "{page}");
    assert!(page.contains("be samordnaren utse en annan informationsägare"));
    let reclassified =
        coordinator.send(Method::POST, &format!("/assets/{pupils}/classifications"), levels(2, 2, 2, 2)).await;
    assert_eq!(reclassified.status(), 201);
    let approved = json_of(owner.send(Method::POST, &format!("/assets/{pupils}/approval"), json!({})).await, 200).await;
    assert_eq!(approved["approved_by"], "Johan Berg");

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
    let school = app.system_id("Skolplattformen").await;
    let pupils = app.asset_id("Elevuppgifter").await;
    let (analysis, risk): (Uuid, Uuid) =
        sqlx::query_as("SELECT analysis_id, id FROM risks LIMIT 1").fetch_one(app.pool()).await.unwrap();
    let measure: Uuid = app.id_of("SELECT id FROM measures WHERE municipality_id = $1 AND code = $2", "B-03").await;
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
    let coordinator = app.coordinator_api().await;
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
async fn dependencies_show_both_ways_and_refuse_nonsense() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let school = app.system_id("Skolplattformen").await;
    let archive = app.system_id("E-arkiv").await;
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
async fn the_list_filters_in_postgresql_by_the_same_rules_the_pages_show() {
    use lisa::systems::store::{Filter, list};
    let app = TestApp::spawn().await;
    let m = app.exempelby;
    // Edge cases beside the demo: a major change after the last review, a review on the 31st,
    // an analysis exactly one interval old, a system with assets of which none is classified.
    let today = lisa::web::format::today();
    let year_ago = today.checked_sub_months(chrono::Months::new(12)).unwrap();
    sqlx::query(
        "UPDATE systems SET reviewed_on = $2, major_change_on = $3, review_interval_months = 12
          WHERE municipality_id = $1 AND name = 'Skolplattformen'",
    )
    .bind(m)
    .bind(year_ago + chrono::Duration::days(5))
    .bind(today - chrono::Duration::days(1))
    .execute(app.pool())
    .await
    .unwrap();
    sqlx::query("UPDATE systems SET reviewed_on = '2025-01-31', review_interval_months = 1 WHERE municipality_id = $1 AND name = 'E-arkiv'")
        .bind(m)
        .execute(app.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE risk_analyses SET analysed_on = $2 WHERE municipality_id = $1")
        .bind(m)
        .bind(year_ago)
        .execute(app.pool())
        .await
        .unwrap();
    let api = app.coordinator_api().await;
    let school = app.system_id("Lönesystem").await;
    json_of(
        api.send(Method::POST, &format!("/systems/{school}/assets"), json!({"name": "Oklassad uppgift"})).await,
        201,
    )
    .await;

    let mut db = app.pool().acquire().await.unwrap();
    let all = list(&mut db, m, &Filter::default(), today).await.unwrap();
    let names = |systems: Vec<lisa::systems::store::System>| systems.into_iter().map(|s| s.name).collect::<Vec<_>>();
    let mut seen = std::collections::HashSet::new();
    for coverage in ["klassad", "delvis", "ej_klassad"] {
        let filter = Filter { classification: coverage.into(), ..Filter::default() };
        let expected: Vec<_> = all.iter().filter(|s| s.coverage().code() == coverage).map(|s| s.name.clone()).collect();
        assert_eq!(names(list(&mut db, m, &filter, today).await.unwrap()), expected, "{coverage}");
        seen.insert((coverage, !expected.is_empty()));
    }
    let overdue = Filter { overdue: "1".into(), ..Filter::default() };
    let expected: Vec<_> = all.iter().filter(|s| s.is_review_overdue(today)).map(|s| s.name.clone()).collect();
    assert!(
        expected.contains(&"Skolplattformen".to_string()) && expected.contains(&"E-arkiv".to_string()),
        "{expected:?}"
    );
    assert_eq!(names(list(&mut db, m, &overdue, today).await.unwrap()), expected);
    let unanalysed = Filter { no_risk_analysis: "1".into(), ..Filter::default() };
    let expected: Vec<_> = all.iter().filter(|s| !s.has_current_risk_analysis(today)).map(|s| s.name.clone()).collect();
    assert_eq!(names(list(&mut db, m, &unanalysed, today).await.unwrap()), expected);
    assert!(all.iter().any(|s| s.has_current_risk_analysis(today)), "an analysis exactly one interval old is current");
    let no_owner = Filter { no_owner: "1".into(), ..Filter::default() };
    let expected: Vec<_> = all.iter().filter(|s| s.owner_person_id.is_none()).map(|s| s.name.clone()).collect();
    assert_eq!(names(list(&mut db, m, &no_owner, today).await.unwrap()), expected);
    assert!(seen.contains(&("delvis", true)) && seen.contains(&("klassad", true)), "{seen:?}");

    let page = api.get("/systems?limit=2&page=2").await;
    assert_eq!(page.headers()["x-total-count"], all.len().to_string().as_str());
    let second: Vec<String> =
        json_of(page, 200).await.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap().into()).collect();
    assert_eq!(second, all[2..4].iter().map(|s| s.name.clone()).collect::<Vec<_>>());
}

#[tokio::test]
async fn the_system_form_keeps_its_ticked_boxes_and_its_one_administrator() {
    let app = TestApp::spawn().await;
    let client = app.login("samordnare@exempelby.se").await;
    let anna: Uuid =
        sqlx::query_scalar("SELECT id FROM people WHERE name = 'Anna Nilsson'").fetch_one(app.pool()).await.unwrap();
    let anna = anna.to_string();
    let fields = [
        ("name", "Bokningssystem"),
        ("is_critical", "1"),
        ("has_personal_data", "1"),
        ("administrator_ids", anna.as_str()),
        ("review_interval_months", "12"),
    ];
    let created = app.post_form(&client, "/systems", &fields).await;
    assert_eq!(created.status(), 303);
    let (critical, personal, nis): (bool, bool, bool) =
        sqlx::query_as("SELECT is_critical, has_personal_data, is_nis FROM systems WHERE name = 'Bokningssystem'")
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!((critical, personal, nis), (true, true, false), "ticked boxes set, the others not");
    let edit = app.get(&client, &format!("{}/edit", created.headers()["location"].to_str().unwrap())).await;
    let page = edit.text().await.unwrap();
    assert!(page.contains(r#"name="is_critical" value="1" checked"#) && page.contains(r#"name="is_nis" value="1">"#));
    assert!(page.contains(&format!(r#"value="{anna}" checked"#)), "the one administrator is kept");
}

/// The counts the list shows are kept on the system by triggers (migration 0028): after every
/// kind of change they must equal what counting the rows gives.
#[tokio::test]
async fn the_kept_counts_follow_every_change_to_assets_classifications_and_analyses() {
    let app = TestApp::spawn().await;
    let m = app.exempelby;
    async fn drifted(pool: &sqlx::PgPool, m: lisa::db::MunicipalityId) -> Vec<String> {
        sqlx::query_scalar::<_, String>(
            "SELECT s.name FROM systems s
              WHERE s.municipality_id = $1
                AND (s.assets_count, s.classified_assets, s.last_risk_analysis) IS DISTINCT FROM (
                     (SELECT count(*)::int FROM information_assets a WHERE a.system_id = s.id),
                     (SELECT count(*)::int FROM information_assets a WHERE a.system_id = s.id
                         AND EXISTS (SELECT 1 FROM classifications c WHERE c.asset_id = a.id)),
                     (SELECT max(analysed_on) FROM risk_analyses ra WHERE ra.system_id = s.id))",
        )
        .bind(m)
        .fetch_all(pool)
        .await
        .unwrap()
    }
    assert_eq!(drifted(app.pool(), m).await, Vec::<String>::new(), "the demo as seeded");
    async fn kept(
        pool: &sqlx::PgPool,
        m: lisa::db::MunicipalityId,
        name: &str,
    ) -> (i32, i32, Option<chrono::NaiveDate>) {
        sqlx::query_as::<_, (i32, i32, Option<chrono::NaiveDate>)>(
            "SELECT assets_count, classified_assets, last_risk_analysis FROM systems WHERE municipality_id = $1 AND name = $2",
        )
        .bind(m)
        .bind(name)
        .fetch_one(pool)
        .await
        .unwrap()
    }
    let payroll = app.system_id("Lönesystem").await;
    let school = app.system_id("Skolplattformen").await;
    let before = kept(app.pool(), m, "Lönesystem").await;
    let api = app.coordinator_api().await;
    let asset = json_of(
        api.send(Method::POST, &format!("/systems/{payroll}/assets"), json!({"name": "Ny uppgift"})).await,
        201,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .parse::<Uuid>()
        .unwrap();
    assert_eq!(
        kept(app.pool(), m, "Lönesystem").await,
        (before.0 + 1, before.1, before.2),
        "a new asset counts, unclassified"
    );
    // $1 the municipality, $2 Skolplattformen, $3 the new asset; Lönesystem by name.
    let payroll_id = "(SELECT id FROM systems WHERE municipality_id = $1 AND name = 'Lönesystem')";
    let steps = [
        "UPDATE information_assets SET system_id = $2 WHERE municipality_id = $1 AND id = $3".to_string(),
        "DELETE FROM classifications WHERE municipality_id = $1
            AND asset_id IN (SELECT id FROM information_assets WHERE system_id = $2)"
            .to_string(),
        format!("UPDATE risk_analyses SET system_id = $2 WHERE municipality_id = $1 AND system_id = {payroll_id}"),
        "UPDATE risk_analyses SET analysed_on = analysed_on - 400 WHERE municipality_id = $1 AND system_id = $2"
            .to_string(),
        "DELETE FROM information_assets WHERE municipality_id = $1 AND id = $3".to_string(),
        "DELETE FROM risk_analyses WHERE municipality_id = $1 AND system_id = $2".to_string(),
    ];
    for step in steps {
        sqlx::query(sqlx::AssertSqlSafe(step.clone()))
            .bind(m)
            .bind(school)
            .bind(asset)
            .execute(app.pool())
            .await
            .unwrap();
        assert_eq!(drifted(app.pool(), m).await, Vec::<String>::new(), "after {step}");
    }
    let (_, classified, analysed) = kept(app.pool(), m, "Skolplattformen").await;
    assert_eq!((classified, analysed), (0, None), "every classification and analysis of it is gone");
    assert_eq!(kept(app.pool(), m, "Lönesystem").await.2, None, "its analyses moved away");
}

/// Each property is saved to, shown from and filtered by its own column, whatever the order in
/// which the properties are listed.
#[tokio::test]
async fn each_property_is_saved_shown_and_filtered_by_its_own_column() {
    let app = TestApp::spawn().await;
    let api = app.coordinator_api().await;
    let properties = [
        "is_critical",
        "is_nis",
        "is_security_protection",
        "is_welfare_tech",
        "has_personal_data",
        "has_sensitive_personal_data",
    ];
    // Sensitive personal data are personal data too: that system has both.
    fn set(property: &'static str) -> Vec<&'static str> {
        if property == "has_sensitive_personal_data" { vec![property, "has_personal_data"] } else { vec![property] }
    }
    for property in properties {
        let name = format!("Egenskapstest {property}");
        let mut form = json!({"name": name});
        for on in set(property) {
            form[on] = json!(true);
        }
        let created = json_of(api.send(Method::POST, "/systems", form).await, 201).await;
        for other in properties {
            assert_eq!(created[other], set(property).contains(&other), "{name}: {other}");
        }
    }
    for property in properties {
        let listed = json_of(api.get(&format!("/systems?flag={property}&q=Egenskapstest&limit=100")).await, 200).await;
        let names: Vec<&str> = listed.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        let expected: Vec<String> = properties
            .iter()
            .filter(|p| set(p).contains(&property))
            .map(|p| format!("Egenskapstest {p}"))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(names, expected, "the filter {property}");
    }
}
