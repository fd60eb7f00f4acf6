//! The annual report: key figures counted exactly on a known data set, the snapshot frozen on
//! publishing, the PDF with its text, and who may read what.

use chrono::NaiveDate;
use lisa::reports::figures::{self, Count, PlanFigures, RecommendationFigures, RiskFigures, TrainingFigure};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::TestApp;

/// A small municipality whose every figure is known: Annanstad at the end of 2025.
async fn known_data_set(app: &TestApp) -> lisa::db::MunicipalityId {
    let other = app.annanstad().await;
    let (m, b) = (other.municipality, other.body_id);
    let [p, s1, s2, s3, asset, analysis, audit, r1, r2, r3, campaign, accepted, plan, a1, a2, a3, a4] =
        [(); 17].map(|_| Uuid::new_v4());
    let id = Uuid::new_v4;
    let sql = format!(
        "INSERT INTO people (id, municipality_id, name) VALUES ('{p}', '{m}', 'Petra Ägare');
         INSERT INTO systems (id, municipality_id, name, body_id, owner_person_id, is_critical, reviewed_on, lifecycle) VALUES
           ('{s1}', '{m}', 'Journal', '{b}', '{p}', true, '2025-06-01', 'i_drift'),
           ('{s2}', '{m}', 'Växel', '{b}', NULL, false, '2024-01-10', 'i_drift'),
           ('{s3}', '{m}', 'Gamla arkivet', '{b}', '{p}', true, NULL, 'avvecklad');
         INSERT INTO information_assets (id, municipality_id, system_id, name) VALUES ('{asset}', '{m}', '{s1}', 'Journalanteckningar');
         INSERT INTO classifications (id, municipality_id, asset_id, version, k, r, t, s, classified_by, approved_by, approved_at)
           VALUES ('{}', '{m}', '{asset}', 1, 3, 3, 2, 0, 'Petra Ägare', 'Petra Ägare', '2025-05-01');
         INSERT INTO risk_analyses (id, municipality_id, title, object_kind, system_id, analysed_on)
           VALUES ('{analysis}', '{m}', 'Journal 2025', 'system', '{s1}', '2025-03-01');
         INSERT INTO risks (id, municipality_id, analysis_id, threat, likelihood, consequence, accepted_by, accepted_at) VALUES
           ('{}', '{m}', '{analysis}', 'Obehörig läsning', 4, 4, NULL, NULL),
           ('{accepted}', '{m}', '{analysis}', 'Driftstopp', 3, 3, 'Petra Ägare', '2025-04-01'),
           ('{}', '{m}', '{analysis}', 'Felsänt brev', 2, 2, NULL, NULL),
           ('{}', '{m}', '{analysis}', 'Stöld av dator', 1, 1, NULL, NULL);
         INSERT INTO incidents (id, municipality_id, year, number, title, discovered_at, reported_at, reporter_name,
                                personal_data, category, severity) VALUES
           ('{r1}', '{m}', 2025, 1, 'Brev till fel mottagare', '2025-02-10 08:00Z', '2025-02-10 09:00Z', 'Ann', true,
            'felsand_information', 'medel'),
           ('{r2}', '{m}', 2025, 2, 'Obehörig i journalen', '2025-06-15 10:00Z', '2025-06-15 11:00Z', 'Ann', true,
            'obehorig_atkomst', 'hog'),
           ('{r3}', '{m}', 2025, 3, 'Växeln nere', '2025-06-20 12:00Z', '2025-06-20 13:00Z', 'Ann', false, 'driftavbrott', 'lag'),
           ('{}', '{m}', 2024, 1, 'Förra året', '2024-11-01 12:00Z', '2024-11-01 13:00Z', 'Ann', false, 'driftavbrott', 'lag');
         INSERT INTO action_plans (id, municipality_id, year) VALUES ('{plan}', '{m}', 2025);
         INSERT INTO actions (id, municipality_id, title, due_date, status, system_id, risk_id) VALUES
           ('{a1}', '{m}', 'Ny växel', '2025-06-01', 'planerad', '{s2}', NULL),
           ('{a2}', '{m}', 'Reservdrift', '2025-09-01', 'pagar', NULL, '{accepted}'),
           ('{a3}', '{m}', 'Behörighetsöversyn', '2025-03-01', 'klar', '{s1}', NULL),
           ('{a4}', '{m}', 'Utan system', '2025-03-01', 'planerad', NULL, NULL);
         INSERT INTO action_plan_items (municipality_id, plan_id, action_id) VALUES
           ('{m}', '{plan}', '{a1}'), ('{m}', '{plan}', '{a2}'), ('{m}', '{plan}', '{a3}'), ('{m}', '{plan}', '{a4}');
         INSERT INTO incident_systems (municipality_id, incident_id, system_id) VALUES
           ('{m}', '{r2}', '{s1}'), ('{m}', '{r3}', '{s2}');
         INSERT INTO incident_reports (id, municipality_id, incident_id, kind, sent_at, sent_by, late_reason) VALUES
           ('{}', '{m}', '{r1}', 'imy', '2025-02-11 14:00Z', 'Sara', ''),
           ('{}', '{m}', '{r2}', 'imy', '2025-06-18 18:00Z', 'Sara', 'Upptäckt inför helgen');
         INSERT INTO audits (id, municipality_id, title, commissioned_by, kind, report_date)
           VALUES ('{audit}', '{m}', 'Granskning av informationssäkerhet', 'revisorerna', 'granskning', '2024-05-01');
         INSERT INTO recommendations (id, municipality_id, audit_id, position, text, status) VALUES
           ('{r1}', '{m}', '{audit}', 1, 'Utse systemägare', 'oppen'),
           ('{r2}', '{m}', '{audit}', 2, 'Klassa informationen', 'atgardad'),
           ('{r3}', '{m}', '{audit}', 3, 'Anta en policy', 'verifierad');
         INSERT INTO recommendation_bodies (municipality_id, recommendation_id, body_id) VALUES
           ('{m}', '{r1}', '{b}'), ('{m}', '{r2}', '{b}'), ('{m}', '{r3}', '{b}');
         INSERT INTO documents (id, municipality_id, title, kind, decided_on, status, responsible_body_id) VALUES
           ('{}', '{m}', 'Informationssäkerhetspolicy', 'policy', '2021-05-26', 'gallande', '{b}'),
           ('{}', '{m}', 'Riktlinje för klassning', 'riktlinje', '2025-01-15', 'gallande', NULL),
           ('{}', '{m}', 'Rutin för incidenter', 'rutin', '2020-01-01', 'utkast', NULL);
         INSERT INTO training_campaigns (id, municipality_id, name, year) VALUES ('{campaign}', '{m}', 'Grundkurs', 2025);
         INSERT INTO training_participation (municipality_id, campaign_id, target_group, in_group, completed) VALUES
           ('{m}', '{campaign}', 'alla', 200, 150), ('{m}', '{campaign}', 'fortroendevalda', 20, 5);",
        id(),
        id(),
        id(),
        id(),
        id(),
        id(),
        id(),
        id(),
        id(),
        id(),
    );
    // Only generated ids are formatted into the statements.
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(app.pool()).await.unwrap();
    // Annanstad has kept its register in Lisa since early January 2025.
    let mut conn = app.pool().acquire().await.unwrap();
    let since = figures::end_of_day(NaiveDate::from_ymd_opt(2025, 1, 2).unwrap());
    lisa::demo::registered_since(&mut conn, m, since).await.unwrap();
    m
}

#[tokio::test]
async fn key_figures_are_counted_exactly_on_a_known_data_set() {
    let app = TestApp::spawn().await;
    let m = known_data_set(&app).await;
    let end_of_year = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let mut conn = app.pool().acquire().await.unwrap();
    let f = figures::compute(&mut conn, m, 2025, end_of_year).await.unwrap();

    // The retired system is left out; Växel has no owner, no classification and an overdue review.
    let s = &f.systems;
    assert_eq!(
        (s.systems, s.critical, s.classified, s.current_risk_analysis, s.named_owner, s.overdue_reviews),
        (2, 1, 1, 1, 1, 1)
    );
    assert_eq!(s.open_recommendations, 2, "open and claimed, not verified");
    assert_eq!(f.bodies.len(), 1);
    assert_eq!(f.bodies[0].name, "Annanstads socialnämnd");
    let body = &f.bodies[0];
    assert_eq!(body.open_recommendations, 2);
    assert_eq!(
        (body.high_risks, body.untreated_high_risks, body.incidents, body.late_actions),
        (Some(2), 1, 2, Some(2))
    );
    let table = figures::body_table(&f.bodies, &f.unassigned, &f.systems);
    assert_eq!(table.rows[0][6..], ["2 (1 obehandlad)", "2", "2", "2", "0"], "the row the page and the PDF show");
    // The action that concerns no system is the whole municipality's, so the rows add up.
    assert_eq!((f.unassigned.late_actions, f.systems.late_actions), (Some(1), Some(3)));
    assert_eq!(table.rows[1][0], figures::UNASSIGNED);
    assert_eq!((table.rows[2][0].as_str(), table.rows[2][8].as_str()), ("Totalt", "3"));

    // Default 1–4 scale: 9 and up is high, 4 and up medium.
    assert_eq!(
        f.risks,
        RiskFigures {
            analyses: 1,
            low: 1,
            medium: 1,
            high: 2,
            untreated_high: 1,
            scale_max: 4,
            medium_from: 4,
            high_from: 9,
            cells: vec![(1, 1, 1), (2, 2, 1), (3, 3, 1), (4, 4, 1)],
        }
    );
    // Two late actions concern the body's systems or their risks; one concerns no system.
    assert_eq!(
        f.plan,
        Some(PlanFigures { total: 4, done: 1, in_progress: 1, late: 3, decision_reference: String::new() })
    );

    // Both unverified were first made on 2024-05-01: 19 whole months before the end of 2025.
    assert_eq!(
        f.recommendations,
        RecommendationFigures {
            open: 2,
            claimed: 1,
            verified: 1,
            closed_in_year: 1,
            median_age_months: Some(19),
            older_than_one_year: 2,
            older_than_two_years: 0,
            carried_over: 0,
            by_year: vec![(2024, 1, 1, 1)],
        }
    );
    assert_eq!(f.recommendation_list.len(), 2);
    assert_eq!(f.recommendation_list[0].text, "Utse systemägare");
    assert_eq!(f.recommendation_list[0].age_months, Some(19));

    let i = &f.incidents;
    assert_eq!((i.total, i.personal_data, i.significant, i.reports_in_time, i.reports_late), (3, 2, 0, 1, 1));
    assert_eq!(i.per_month, vec![0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0]);
    let count = |label: &str| Count { label: label.into(), count: 1 };
    for expected in [count("Felsänd information"), count("Obehörig åtkomst"), count("Driftavbrott")] {
        assert!(i.by_category.contains(&expected), "{:?}", i.by_category);
    }

    assert_eq!(f.suppliers.contracts, 0);
    assert_eq!((f.documents.in_force, f.documents.overdue_review, f.documents.responsibility_conflict), (2, 1, false));
    assert_eq!(
        f.training,
        vec![
            TrainingFigure { label: "Alla medarbetare".into(), in_group: 200, completed: 150, rate: 75 },
            TrainingFigure { label: "Förtroendevalda".into(), in_group: 20, completed: 5, rate: 25 },
        ]
    );

    let rows = figures::key_rows(&f, None);
    let row = |label: &str| rows.iter().find(|r| r.label == label).unwrap().now.clone();
    assert_eq!(row("Andel klassade"), "50 %");
    assert_eq!(row("Försenade"), "3");
    assert_eq!(row("Utbildning: Förtroendevalda"), "25 % (5 av 20)");
}

#[tokio::test]
async fn a_past_year_counts_history_typed_in_later_by_its_own_dates() {
    let app = TestApp::spawn().await;
    let m = known_data_set(&app).await;
    let end_of_year = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let mut conn = app.pool().acquire().await.unwrap();
    let before = figures::compute(&mut conn, m, 2025, end_of_year).await.unwrap();

    // Everything below happens now (2026 or later): registered, changed or dated after the year.
    let (system, asset, analysis, audit, follow_up, rec) =
        (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let body: Uuid = sqlx::query_scalar("SELECT id FROM bodies WHERE municipality_id = $1 LIMIT 1")
        .bind(m)
        .fetch_one(app.pool())
        .await
        .unwrap();
    let growth = format!(
        "INSERT INTO systems (id, municipality_id, name, body_id, is_critical, lifecycle)
           VALUES ('{system}', '{m}', 'Nytt system', '{body}', true, 'i_drift');
         INSERT INTO information_assets (id, municipality_id, system_id, name)
           VALUES ('{asset}', '{m}', (SELECT id FROM systems WHERE municipality_id = '{m}' AND name = 'Växel'), 'Samtal');
         INSERT INTO classifications (id, municipality_id, asset_id, version, k, r, t, s, classified_by)
           VALUES ('{}', '{m}', '{asset}', 1, 1, 1, 1, 0, 'Petra Ägare');
         INSERT INTO risk_analyses (id, municipality_id, title, object_kind, system_id, analysed_on)
           VALUES ('{analysis}', '{m}', 'Växel 2025', 'system',
                   (SELECT id FROM systems WHERE municipality_id = '{m}' AND name = 'Växel'), '2025-12-01');
         INSERT INTO risks (id, municipality_id, analysis_id, threat, likelihood, consequence)
           VALUES ('{}', '{m}', '{analysis}', 'Avbrott', 4, 4);
         UPDATE risks SET accepted_by = 'Petra Ägare', accepted_at = now() WHERE municipality_id = '{m}' AND threat = 'Obehörig läsning';
         UPDATE actions SET status = 'klar' WHERE municipality_id = '{m}' AND title = 'Ny växel';
         UPDATE recommendations SET status = 'verifierad' WHERE municipality_id = '{m}' AND text = 'Utse systemägare';
         INSERT INTO audits (id, municipality_id, title, commissioned_by, kind, report_date)
           VALUES ('{audit}', '{m}', 'Sen registrering', 'revisorerna', 'granskning', '2025-11-01'),
                  ('{follow_up}', '{m}', 'Uppföljning 2026', 'revisorerna', 'uppfoljande', '2026-03-01');
         INSERT INTO recommendations (id, municipality_id, audit_id, position, text)
           VALUES ('{rec}', '{m}', '{audit}', 1, 'Registrerad efter årets slut');
         INSERT INTO recommendation_bodies (municipality_id, recommendation_id, body_id) VALUES ('{m}', '{rec}', '{body}');
         INSERT INTO follow_up_assessments (municipality_id, audit_id, recommendation_id, result)
           SELECT '{m}', '{follow_up}', id, 'atgardad' FROM recommendations WHERE municipality_id = '{m}' AND text = 'Klassa informationen';
         INSERT INTO incidents (id, municipality_id, year, number, title, discovered_at, reporter_name, personal_data)
           VALUES ('{}', '{m}', 2025, 4, 'Anmäld i efterhand', '2025-12-30 08:00Z', 'Ann', true),
                  ('{}', '{m}', 2026, 1, 'I år', '2026-01-10 08:00Z', 'Ann', false);
         INSERT INTO documents (id, municipality_id, title, kind, decided_on, status)
           VALUES ('{}', '{m}', 'Ny riktlinje', 'riktlinje', '2026-02-01', 'gallande');",
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(growth)).execute(app.pool()).await.unwrap();

    let after = figures::compute(&mut conn, m, 2025, end_of_year).await.unwrap();
    assert_eq!(after.as_of, Some(end_of_year));
    // Dated in 2025, typed in later: the analysis of 1 December, the audit of 1 November, the
    // incident discovered on 30 December count in 2025's figures.
    assert_eq!((after.risks.analyses, after.risks.high), (before.risks.analyses + 1, before.risks.high + 1));
    assert_eq!(after.recommendations.open, before.recommendations.open + 1);
    assert_eq!(after.incidents.total, before.incidents.total + 1);
    // What states no date of its own counts from its registration: the new system, the
    // classification, the acceptance, the finished action, the verification; nor does what is
    // dated after the day (the 2026 follow-up's verdict, the 2026 document).
    assert_eq!(after.systems.systems, before.systems.systems);
    assert_eq!(after.systems.classified, before.systems.classified);
    assert_eq!(after.risks.untreated_high, before.risks.untreated_high + 1, "the new high risk, not the acceptance");
    assert_eq!(after.plan, before.plan);
    assert_eq!(after.recommendations.verified, before.recommendations.verified);
    assert_eq!(after.documents, before.documents);
    let today = figures::compute(&mut conn, m, 2026, NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()).await.unwrap();
    assert_eq!(today.systems.systems, before.systems.systems + 1, "the same data counts in this year's figures");
    assert!(today.recommendations.verified > before.recommendations.verified);
}

async fn report_status(app: &TestApp, id: &str) -> String {
    sqlx::query_scalar("SELECT status FROM annual_reports WHERE id = $1::uuid")
        .bind(id)
        .fetch_one(app.pool())
        .await
        .unwrap()
}

async fn draft(coordinator: &crate::support::ApiClient, year: i32) -> String {
    let created = coordinator.send(Method::POST, "/reports", json!({"year": year.to_string()})).await;
    assert_eq!(created.status(), 201);
    created.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

fn this_year() -> i32 {
    chrono::Datelike::year(&lisa::web::format::today())
}

fn key_figure(detail: &Value, label: &str) -> String {
    let rows = detail["key_rows"].as_array().unwrap();
    rows.iter().find(|r| r["label"] == label).unwrap()["now"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_published_report_keeps_its_figures_when_the_data_changes() {
    let app = TestApp::spawn().await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let id = draft(&coordinator, this_year()).await;
    let text = json!({"summary": "Arbetet går framåt men klassningen släpar.", "proposals": "Anta handlingsplanen.",
                      "decisions": "", "decision_reference": ""});
    assert_eq!(coordinator.send(Method::PUT, &format!("/reports/{id}"), text).await.status(), 200);
    let published = coordinator.send(Method::POST, &format!("/reports/{id}/publish"), json!({})).await;
    assert_eq!(published.status(), 200);
    let before: Value = coordinator.get(&format!("/reports/{id}")).await.json().await.unwrap();
    assert_eq!(key_figure(&before, "Informationssystem"), "26");

    let body = crate::support::body_id_by_name(app.pool(), app.exempelby, "Kommunstyrelsen").await;
    let new = json!({"name": "Nytt ärendesystem", "body_id": body.to_string()});
    assert_eq!(coordinator.send(Method::POST, "/systems", new).await.status(), 201);

    let after: Value = coordinator.get(&format!("/reports/{id}")).await.json().await.unwrap();
    assert_eq!(after["figures"], before["figures"], "the published figures are frozen");
    assert_eq!(
        coordinator.send(Method::POST, &format!("/reports/{id}/publish"), json!({})).await.status(),
        409,
        "published once"
    );
    // After publishing only the board's decisions are added; the judgement stays as published.
    let edit = json!({"summary": "Ändrad", "proposals": "", "decisions": "Handlingsplanen antas.",
                      "decision_reference": "KS 2027-03-15 § 42"});
    let edited: Value = coordinator.send(Method::PUT, &format!("/reports/{id}"), edit).await.json().await.unwrap();
    assert_eq!(edited["summary"], "Arbetet går framåt men klassningen släpar.");
    assert_eq!(
        (edited["decisions"].as_str(), edited["decision_reference"].as_str()),
        (Some("Handlingsplanen antas."), Some("KS 2027-03-15 § 42"))
    );

    // A new draft for the same year counts what is there now.
    let second = draft(&coordinator, this_year()).await;
    let now: Value = coordinator.get(&format!("/reports/{second}")).await.json().await.unwrap();
    assert_eq!(key_figure(&now, "Informationssystem"), "27");
    assert_eq!(
        coordinator.send(Method::POST, "/reports", json!({"year": this_year().to_string()})).await.status(),
        422,
        "one draft per year"
    );
}

#[tokio::test]
async fn the_pdf_carries_the_report_text_and_figures() {
    let app = TestApp::spawn().await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let id = draft(&coordinator, this_year()).await;
    let text = json!({"summary": "Klassningen släpar i Bildningsnämnden.", "proposals": "Kommunstyrelsen föreslås anta handlingsplanen.",
                      "decisions": "", "decision_reference": ""});
    assert_eq!(coordinator.send(Method::PUT, &format!("/reports/{id}"), text).await.status(), 200);
    assert_eq!(coordinator.send(Method::POST, &format!("/reports/{id}/publish"), json!({})).await.status(), 200);

    let board = app.api(&app.api_token("ledamot@exempelby.se", app.exempelby).await);
    let response = board.get(&format!("/reports/{id}/pdf")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let pdf = response.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-") && pdf.len() > 10_000, "{} bytes", pdf.len());

    let file = std::env::temp_dir().join(format!("lisa-report-{id}.pdf"));
    std::fs::write(&file, &pdf).unwrap();
    let output = std::process::Command::new("pdftotext").args(["-layout"]).arg(&file).arg("-").output().unwrap();
    std::fs::remove_file(&file).unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "Ledningens genomgång av informationssäkerheten",
        &format!("Exempelby kommun – {}", this_year()),
        "Klassningen släpar i Bildningsnämnden.",
        "Kommunstyrelsen föreslås anta handlingsplanen.",
        "Andel klassade",
        "Utbildning: Förtroendevalda",
        "Välfärdsnämnden",
        "Kommunens riskmatris",
        "Sannolikhet",
    ] {
        assert!(text.contains(expected), "{expected:?} not in the PDF text:\n{text}");
    }
}

#[tokio::test]
async fn board_members_and_auditors_read_published_reports_only_and_prepare_nothing() {
    let app = TestApp::spawn().await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let published = draft(&coordinator, this_year() - 1).await;
    assert_eq!(coordinator.send(Method::POST, &format!("/reports/{published}/publish"), json!({})).await.status(), 200);
    let unpublished = draft(&coordinator, this_year()).await;
    let all: Value = coordinator.get("/reports").await.json().await.unwrap();
    assert_eq!(all.as_array().unwrap().len(), 3, "the demo's published report for last year and the two new ones");

    for reader in ["ledamot@exempelby.se", "revisor@exempelby.se"] {
        let api = app.api(&app.api_token(reader, app.exempelby).await);
        let listed: Value = api.get("/reports").await.json().await.unwrap();
        let ids: Vec<&str> = listed.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 2, "{reader}: the demo's and the new published report");
        assert!(ids.contains(&published.as_str()) && !ids.contains(&unpublished.as_str()), "{reader}");
        assert_eq!(api.get(&format!("/reports/{published}")).await.status(), 200);
        assert_eq!(api.get(&format!("/reports/{unpublished}")).await.status(), 403, "{reader}");
        assert_eq!(api.get(&format!("/reports/{unpublished}/pdf")).await.status(), 403, "{reader}");
        assert_eq!(api.send(Method::POST, &format!("/reports/{unpublished}/publish"), json!({})).await.status(), 403);
        assert_eq!(api.send(Method::POST, "/reports", json!({"year": "2030"})).await.status(), 403);
    }
    for outsider in ["medarbetare@exempelby.se", "systemagare@exempelby.se"] {
        let api = app.api(&app.api_token(outsider, app.exempelby).await);
        assert_eq!(api.get("/reports").await.status(), 403, "{outsider}");
        assert_eq!(api.get(&format!("/reports/{published}")).await.status(), 403, "{outsider}");
        assert_eq!(api.get(&format!("/reports/{published}/pdf")).await.status(), 403, "{outsider}");
    }

    let other = app.annanstad().await;
    let stranger = app.api(&app.api_token("samordnare@annanstad.se", other.municipality).await);
    assert_eq!(stranger.get(&format!("/reports/{published}")).await.status(), 404);
    assert_eq!(stranger.get(&format!("/reports/{published}/pdf")).await.status(), 404);
    assert!(stranger.get("/reports").await.json::<Value>().await.unwrap().as_array().unwrap().is_empty());

    // The page: bad input is kept and explained in Swedish.
    let client = app.login("samordnare@exempelby.se").await;
    let page = app.post_form(&client, "/reports", &[("year", "tjugo")]).await;
    assert_eq!(page.status(), 422);
    let html = page.text().await.unwrap();
    assert!(html.contains("Ange ett år, t.ex. 2026.") && html.contains("value=\"tjugo\""));
    // Publishing asks for confirmation first.
    let page = app.post_form(&client, &format!("/reports/{unpublished}/publish"), &[]).await;
    assert_eq!(page.status(), 422);
    assert!(page.text().await.unwrap().contains("Kryssa i att du vill låsa siffrorna"));
    assert_eq!(report_status(&app, &unpublished).await, "utkast");
    let page = app.post_form(&client, &format!("/reports/{unpublished}/publish"), &[("confirm", "ja")]).await;
    assert_eq!(page.status(), 303);
    assert_eq!(report_status(&app, &unpublished).await, "publicerad");
}

#[tokio::test]
async fn the_boards_decisions_become_proposed_actions_for_next_years_plan_once() {
    let app = TestApp::spawn().await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let id = draft(&coordinator, this_year()).await;
    let client = app.login("samordnare@exempelby.se").await;
    let refused = app.post_form(&client, &format!("/reports/{id}/actions"), &[]).await;
    assert_eq!(refused.status(), 409, "not before the report is published");
    assert_eq!(coordinator.send(Method::POST, &format!("/reports/{id}/publish"), json!({})).await.status(), 200);
    let none = app.post_form(&client, &format!("/reports/{id}/actions"), &[]).await;
    assert_eq!(none.status(), 422);
    assert!(none.text().await.unwrap().contains("Registrera styrelsens beslut först."));

    let decisions = json!({"decisions": "1. Alla system ska ha en utsedd systemägare.\n2. Förtroendevalda utbildas under våren.",
                           "decision_reference": "KS 2027-03-15 § 42"});
    assert_eq!(coordinator.send(Method::PUT, &format!("/reports/{id}"), decisions).await.status(), 200);
    let done = app.post_form(&client, &format!("/reports/{id}/actions"), &[]).await;
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()["location"], format!("/plans/{}", this_year() + 1).as_str());
    let proposed: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT title, description, status FROM actions WHERE municipality_id = $1 AND description LIKE 'Beslut i ledningens%'
          ORDER BY title",
    )
    .bind(app.exempelby)
    .fetch_all(app.pool())
    .await
    .unwrap();
    let reference = format!("Beslut i ledningens genomgång {}, KS 2027-03-15 § 42.", this_year());
    assert_eq!(
        proposed,
        vec![
            ("Alla system ska ha en utsedd systemägare.".into(), reference.clone(), "foreslagen".into()),
            ("Förtroendevalda utbildas under våren.".into(), reference, "foreslagen".into()),
        ]
    );
    let again = app.post_form(&client, &format!("/reports/{id}/actions"), &[]).await;
    assert_eq!(again.status(), 409, "once per report");
    let board = app.login("ledamot@exempelby.se").await;
    assert_eq!(app.post_form(&board, &format!("/reports/{id}/actions"), &[]).await.status(), 403);
    app.annanstad().await;
    let stranger = app.login("samordnare@annanstad.se").await;
    assert_eq!(app.post_form(&stranger, &format!("/reports/{id}/actions"), &[]).await.status(), 404);
}

#[tokio::test]
async fn a_body_without_systems_gets_its_part_of_the_report_and_the_board_sees_it() {
    let app = TestApp::spawn().await;
    let body = app.body_without_systems("overformyndare@exempelby.se").await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let id = draft(&coordinator, this_year()).await;
    let detail: Value = coordinator.get(&format!("/reports/{id}")).await.json().await.unwrap();
    let bodies = detail["figures"]["bodies"].as_array().unwrap();
    let part = bodies.iter().find(|b| b["name"] == "Överförmyndarnämnden").expect("its own part");
    assert_eq!((part["systems"].as_u64(), part["open_recommendations"].as_u64()), (Some(0), Some(1)));
    assert_eq!(part["body_id"], body.to_string());
    let list = detail["figures"]["recommendation_list"].as_array().unwrap();
    let item = list.iter().find(|r| r["text"] == "Klassa akterna i ärendesystemet.").expect("listed");
    assert_eq!(item["bodies"], json!(["Överförmyndarnämnden"]));
    assert_eq!(item["first_reported"], "2024-10-01");
    assert!(item["latest_verdict"].is_null() && item["id"].is_string());
    let months =
        lisa::web::format::months_between(NaiveDate::from_ymd_opt(2024, 10, 1).unwrap(), lisa::web::format::today());
    assert_eq!(item["age_months"].as_u64(), Some(u64::from(months)));
    // Every body with open recommendations has a part, the demo's KS among them.
    for r in list {
        for name in r["bodies"].as_array().unwrap() {
            assert!(bodies.iter().any(|b| &b["name"] == name), "{name} has no part");
        }
    }

    let page =
        app.get(&app.login("samordnare@exempelby.se").await, &format!("/reports/{id}")).await.text().await.unwrap();
    let section = page.split("id=\"audit-recommendations\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(section.contains("<h3") && section.contains("Överförmyndarnämnden"), "{section}");
    assert!(section.contains("Klassa akterna i ärendesystemet."));
    assert_eq!(coordinator.send(Method::POST, &format!("/reports/{id}/publish"), json!({})).await.status(), 200);
    let board = app.login("overformyndare@exempelby.se").await;
    let dashboard = app.get(&board, "/").await.text().await.unwrap();
    assert!(!dashboard.contains("inga siffror"), "the board member's body has its part");
    assert!(dashboard.contains("Klassa akterna i ärendesystemet."), "{dashboard}");
}

#[tokio::test]
async fn the_report_states_its_date_keeps_paragraphs_and_names_the_publisher() {
    let app = TestApp::spawn().await;
    let coordinator = app.api(&app.api_token("samordnare@exempelby.se", app.exempelby).await);
    let year = this_year() - 1;
    let existing: Option<String> = sqlx::query_scalar("SELECT id::text FROM annual_reports WHERE year = $1")
        .bind(year as i16)
        .fetch_optional(app.pool())
        .await
        .unwrap();
    assert!(existing.is_some(), "the demo published last year's report");
    let id = draft(&coordinator, this_year()).await;
    let text = json!({"summary": "Första stycket.\n\nAndra stycket.", "proposals": "Vi föreslår att\n1. nämnderna utser ägare\n2. riskanalyser görs",
                      "decisions": "", "decision_reference": "", "as_of": format!("{}-12-31", year)});
    let refused = coordinator.send(Method::PUT, &format!("/reports/{id}"), text).await;
    assert_eq!(refused.status(), 422, "a date before the report's year");
    let text = json!({"summary": "Första stycket.\n\nAndra stycket.", "proposals": "Vi föreslår att\n1. nämnderna utser ägare\n2. riskanalyser görs",
                      "decisions": "", "decision_reference": "", "as_of": ""});
    assert_eq!(coordinator.send(Method::PUT, &format!("/reports/{id}"), text).await.status(), 200);
    let client = app.login("samordnare@exempelby.se").await;
    let page = app.get(&client, &format!("/reports/{id}")).await.text().await.unwrap();
    assert!(page.contains("Siffrorna avser läget den"), "the as-of date is stated");
    assert!(page.contains("<p>Första stycket.</p>") && page.contains("<p>Andra stycket.</p>"));
    assert!(
        page.contains("Vi föreslår att<br>1. nämnderna utser ägare<br>2. riskanalyser görs"),
        "numbered lines stay lines"
    );
    let briefing = page.split("id=\"briefing\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(briefing.contains("rekommendationer från revisionen"), "{briefing}");
    assert_eq!(coordinator.send(Method::POST, &format!("/reports/{id}/publish"), json!({})).await.status(), 200);
    let published = app.get(&client, &format!("/reports/{id}")).await.text().await.unwrap();
    let status = published.split("id=\"report-status\"").nth(1).unwrap().split("</p>").next().unwrap();
    assert!(status.contains("av Sara Lind, Informationssäkerhetssamordnare"), "by name and role: {status}");
    assert!(!status.contains('@'), "not by email address");
}

/// Sends the same post `times` times at once; the statuses in the order they were sent.
async fn at_once(times: usize, send: impl Fn() -> reqwest::RequestBuilder) -> Vec<u16> {
    let handles: Vec<_> = (0..times).map(|_| tokio::spawn(send().send())).collect();
    let mut statuses = Vec::new();
    for handle in handles {
        statuses.push(handle.await.unwrap().unwrap().status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn publishing_and_proposing_happen_once_however_many_ask_at_the_same_moment() {
    let app = TestApp::spawn().await;
    let token = app.api_token("samordnare@exempelby.se", app.exempelby).await;
    let coordinator = app.api(&token);
    let id = draft(&coordinator, this_year()).await;
    let decisions = json!({"decisions": "1. Alla system ska ha en utsedd systemägare.\n2. Förtroendevalda utbildas.\n3. Riskanalyser görs.",
                           "decision_reference": ""});
    assert_eq!(coordinator.send(Method::PUT, &format!("/reports/{id}"), decisions).await.status(), 200);
    let http = reqwest::Client::new();
    let publish = app.url(&format!("/api/v1/reports/{id}/publish"));
    let published = at_once(4, || http.post(&publish).bearer_auth(&token).json(&json!({}))).await;
    assert_eq!(published.iter().filter(|s| **s == 200).count(), 1, "{published:?}");
    assert!(published.iter().all(|s| *s == 200 || *s == 409), "the others are told it is published: {published:?}");

    let client = app.login("samordnare@exempelby.se").await;
    let csrf = app.csrf(&client, "/").await;
    let propose = app.url(&format!("/reports/{id}/actions"));
    let proposed = at_once(8, || client.post(&propose).form(&[("csrf_token", csrf.as_str())])).await;
    assert_eq!(proposed.iter().filter(|s| **s == 303).count(), 1, "{proposed:?}");
    assert!(proposed.iter().all(|s| *s == 303 || *s == 409), "{proposed:?}");
    let actions: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM actions WHERE municipality_id = $1 AND description LIKE 'Beslut i ledningens%'",
    )
    .bind(app.exempelby)
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(actions, 3, "one action per decision, once");
}
