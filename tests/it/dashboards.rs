//! The dashboards: the start page is the main role's dashboard, each one shows what that role
//! needs, and none opens for those who may not read it.

use uuid::Uuid;

use crate::support::TestApp;

async fn page(app: &TestApp, email: &str, path: &str) -> (u16, String) {
    let client = app.login(email).await;
    let response = app.get(&client, path).await;
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn the_start_page_is_the_dashboard_of_the_main_role() {
    let app = TestApp::spawn().await;
    for (email, heading) in [
        ("samordnare@exempelby.se", "<h1>Samordnarens översikt</h1>"),
        ("systemagare@exempelby.se", "<h1>Mina system</h1>"),
        ("revisor@exempelby.se", "<h1>Revisionens översikt</h1>"),
        ("ledamot@exempelby.se", "<h1>Informationssäkerheten – läget"),
        ("medarbetare@exempelby.se", "Rapportera en incident"),
    ] {
        let (status, html) = page(&app, email, "/").await;
        assert_eq!(status, 200, "{email}");
        assert!(html.contains(heading), "{email}: {heading}");
    }
}

#[tokio::test]
async fn each_dashboard_opens_only_for_those_who_may_read_it() {
    let app = TestApp::spawn().await;
    let allowed = [
        ("samordnare", ["samordnare@exempelby.se"].as_slice()),
        ("systemagare", &["samordnare@exempelby.se", "systemagare@exempelby.se"]),
        ("revisor", &["samordnare@exempelby.se", "revisor@exempelby.se"]),
        ("styrelse", &["samordnare@exempelby.se", "revisor@exempelby.se", "ledamot@exempelby.se"]),
    ];
    let everyone = [
        "samordnare@exempelby.se",
        "systemagare@exempelby.se",
        "revisor@exempelby.se",
        "ledamot@exempelby.se",
        "medarbetare@exempelby.se",
    ];
    for (code, readers) in allowed {
        for email in everyone {
            let (status, _) = page(&app, email, &format!("/dashboard/{code}")).await;
            let expected = if readers.contains(&email) { 200 } else { 403 };
            assert_eq!(status, expected, "{email} on /dashboard/{code}");
        }
    }
    assert_eq!(page(&app, "samordnare@exempelby.se", "/dashboard/okand").await.0, 404);
    app.annanstad().await;
    let (status, html) = page(&app, "samordnare@annanstad.se", "/").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Inget är försenat") && !html.contains("Skolplattform"),
        "another municipality's work stays hidden"
    );
}

#[tokio::test]
async fn the_coordinator_sees_what_is_overdue_and_due_soon_in_every_area() {
    let app = TestApp::spawn().await;
    let (_, html) = page(&app, "samordnare@exempelby.se", "/").await;
    let overdue = html.split("id=\"overdue\"").nth(1).unwrap().split("</section>").next().unwrap();
    for area in [
        "Översyn av system",
        "Behörighetsgenomgång",
        "Åtgärd",
        "Incident",
        "Svar till revisorerna",
        "Efterlevnadskontroll",
        "Styrdokument",
    ] {
        assert!(overdue.contains(&format!("<td>{area}</td>")), "{area} missing among the overdue");
    }
    assert!(overdue.contains("Se över Informationssäkerhetspolicy"));
    assert!(overdue.contains("Kommunstyrelsen ska svara på Granskning av informationssäkerhet (1 rekommendation)"));
    let gaps = html.split("id=\"gaps\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(gaps.contains("<span class=\"figure\">2</span> system utan utsedd systemägare"), "{gaps}");
    let changes = html.split("id=\"changes\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(changes.contains("ändringar sedan"), "{changes}");
}

#[tokio::test]
async fn the_system_owner_sees_their_own_systems_and_work_only() {
    let app = TestApp::spawn().await;
    let (_, html) = page(&app, "systemagare@exempelby.se", "/").await;
    let systems = html.split("id=\"my-systems\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(systems.contains("Skolplattformen") && systems.contains("2-3-2-2"), "{systems}");
    assert!(!systems.contains("Omsorgsdokumentation"), "not Johan's");
    let due = html.split("id=\"my-due\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(due.contains("Skolplattform") && !due.contains("Drift av kommunens gemensamma IT-miljö"), "{due}");
    let actions = html.split("id=\"my-actions\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(actions.contains("Klassa informationen i lärplattformen"), "{actions}");
}

#[tokio::test]
async fn auditors_see_status_per_audit_and_body_and_board_members_their_own_body() {
    let app = TestApp::spawn().await;
    let (_, html) = page(&app, "revisor@exempelby.se", "/").await;
    let per_audit = html.split("id=\"per-audit\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(per_audit.contains("<td>5</td><td>1</td><td>2</td>"), "{per_audit}");
    let awaiting = html.split("id=\"awaiting-verification\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(awaiting.contains("rekommendation 4"), "{awaiting}");

    let (_, html) = page(&app, "ledamot@exempelby.se", "/").await;
    let own = html.split("id=\"own-bodies\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(own.contains("<h2 id=\"body-heading\">Bildningsnämnden</h2>"), "{own}");
    assert!(!own.contains("<th scope=\"row\">Välfärdsnämnden</th>"), "only the member's own body");
    assert!(html.contains("Läs hela rapporten"));
}

/// How many statements the dashboard's worklist and the annual report's figures take.
async fn statements(app: &TestApp) -> (usize, usize) {
    let today = lisa::web::format::today();
    let mut conn = app.pool().acquire().await.unwrap();
    let (worklist, items) =
        crate::support::counted(lisa::reports::worklist::collect(&mut conn, app.exempelby, today, chrono::Utc::now()))
            .await;
    assert!(!items.unwrap().is_empty());
    let year = chrono::Datelike::year(&today);
    let (figures, computed) =
        crate::support::counted(lisa::reports::figures::compute(&mut conn, app.exempelby, year, today)).await;
    computed.unwrap();
    (worklist.statements, figures.statements)
}

#[tokio::test]
async fn the_dashboard_and_the_report_take_the_same_number_of_queries_however_much_data_there_is() {
    let app = TestApp::spawn().await;
    // The first run also looks up types once per connection; count from the second.
    statements(&app).await;
    let (worklist, figures) = statements(&app).await;
    assert!(worklist > 5 && figures > 5, "the counter sees the queries: {worklist}, {figures}");

    // Many more systems, open incidents, actions, documents and recommendations.
    let m = app.exempelby;
    let sql = format!(
        "INSERT INTO systems (id, municipality_id, name, reviewed_on)
           SELECT gen_random_uuid(), '{m}', 'Extra ' || i, current_date - 400 FROM generate_series(1, 60) i;
         INSERT INTO incidents (id, municipality_id, year, number, title, discovered_at, reporter_name, personal_data, status)
           SELECT gen_random_uuid(), '{m}', 1999, i, 'Extra ' || i, now() - interval '1 hour', 'Test', true, 'ny'
             FROM generate_series(1, 40) i;
         INSERT INTO actions (id, municipality_id, title, due_date, status)
           SELECT gen_random_uuid(), '{m}', 'Extra ' || i, current_date + 3, 'planerad' FROM generate_series(1, 50) i;
         INSERT INTO documents (id, municipality_id, title, kind, decided_on)
           SELECT gen_random_uuid(), '{m}', 'Extra ' || i, 'rutin', current_date - 2000 FROM generate_series(1, 20) i;
         INSERT INTO recommendations (id, municipality_id, audit_id, position, text)
           SELECT gen_random_uuid(), '{m}', (SELECT id FROM audits WHERE municipality_id = '{m}' LIMIT 1), 100 + i, 'Extra'
             FROM generate_series(1, 30) i;"
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(app.pool()).await.unwrap();
    assert_eq!(statements(&app).await, (worklist, figures), "no query per row");
}

#[tokio::test]
async fn a_user_keeps_the_systems_they_own_or_administer_and_the_risks_and_actions_on_them() {
    let app = TestApp::spawn().await;
    let m = app.exempelby;
    let johan: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = 'systemagare@exempelby.se'")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let mut conn = app.pool().acquire().await.unwrap();
    let kept =
        |systems: Vec<lisa::systems::store::System>| systems.into_iter().map(|s| (s.id, s.name)).collect::<Vec<_>>();
    let before = kept(lisa::systems::store::kept_by(&mut conn, m, johan).await.unwrap());
    assert!(before.iter().any(|s| s.1 == "Skolplattformen") && !before.iter().any(|s| s.1 == "Omsorgsdokumentation"));

    // Made an administrator of Omsorgsdokumentation, Johan keeps it, its risks and its actions too.
    sqlx::query(
        "INSERT INTO system_administrators (municipality_id, system_id, person_id)
         SELECT s.municipality_id, s.id, p.id FROM systems s, people p
          WHERE s.municipality_id = $1 AND s.name = 'Omsorgsdokumentation' AND p.user_id = $2 AND p.municipality_id = $1",
    )
    .bind(m)
    .bind(johan)
    .execute(app.pool())
    .await
    .unwrap();
    let after = kept(lisa::systems::store::kept_by(&mut conn, m, johan).await.unwrap());
    assert_eq!(after.len(), before.len() + 1, "{after:?}");
    let is_kept = |id: Option<Uuid>| after.iter().any(|s| Some(s.0) == id);
    let sorted = |mut ids: Vec<Uuid>| {
        ids.sort();
        ids
    };

    let scale = lisa::risks::store::scale(&mut *conn, m).await.unwrap();
    let every_risk = lisa::risks::store::register(&mut conn, m, &Default::default(), &scale).await.unwrap();
    let expected: Vec<Uuid> =
        every_risk.iter().filter(|r| is_kept(r.system_id) || r.owner_user_id == Some(johan)).map(|r| r.id).collect();
    let risks: Vec<Uuid> =
        lisa::risks::store::kept_by(&mut conn, m, johan).await.unwrap().iter().map(|r| r.id).collect();
    assert_eq!(sorted(risks.clone()), sorted(expected));
    assert!(
        every_risk.iter().any(|r| r.object == "Omsorgsdokumentation" && risks.contains(&r.id)),
        "Omsorgsdokumentation's risks"
    );

    let every_action =
        lisa::actions::store::list(&mut conn, m, &Default::default(), lisa::web::format::today()).await.unwrap();
    let expected: Vec<Uuid> =
        every_action.iter().filter(|a| is_kept(a.system_id) || a.owner_user_id == Some(johan)).map(|a| a.id).collect();
    let actions: Vec<Uuid> =
        lisa::actions::store::kept_by(&mut conn, m, johan).await.unwrap().iter().map(|a| a.id).collect();
    assert_eq!(sorted(actions.clone()), sorted(expected));
    assert!(
        every_action
            .iter()
            .any(|a| a.system_name.as_deref() == Some("Omsorgsdokumentation") && actions.contains(&a.id))
    );

    // Someone who keeps nothing gets nothing.
    let nobody = Uuid::new_v4();
    assert!(lisa::systems::store::kept_by(&mut conn, m, nobody).await.unwrap().is_empty());
    assert!(lisa::risks::store::kept_by(&mut conn, m, nobody).await.unwrap().is_empty());
    assert!(lisa::actions::store::kept_by(&mut conn, m, nobody).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_new_municipality_is_greeted_by_its_first_steps() {
    let app = TestApp::spawn().await;
    app.annanstad().await;
    let (_, html) = page(&app, "samordnare@annanstad.se", "/").await;
    let steps = html.split("id=\"getting-started\"").nth(1).expect("first steps").split("</section>").next().unwrap();
    assert!(steps.contains("Klart:</span> Lägg in nämnder, bolag och personer"), "it has a body: {steps}");
    for link in ["/systems/import", "/audits/new", "/reports"] {
        assert!(steps.contains(&format!("href=\"{link}\"")), "{link} in {steps}");
    }
    assert!(!html.contains("Bra jobbat"), "nothing to praise in an empty municipality");
    let (_, demo) = page(&app, "samordnare@exempelby.se", "/").await;
    assert!(!demo.contains("id=\"getting-started\""), "Exempelby is well under way");
}

#[tokio::test]
async fn the_coordinator_sees_the_first_fifty_overdue_items_and_can_ask_for_all() {
    let app = TestApp::spawn().await;
    sqlx::query(
        "INSERT INTO actions (id, municipality_id, title, due_date, status)
         SELECT gen_random_uuid(), $1, 'Försenad åtgärd ' || i, current_date - 10, 'planerad' FROM generate_series(1, 80) i",
    )
    .bind(app.exempelby)
    .execute(app.pool())
    .await
    .unwrap();
    let (status, html) = page(&app, "samordnare@exempelby.se", "/").await;
    assert_eq!(status, 200);
    let overdue = html.split("id=\"overdue\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert_eq!(overdue.matches("<tr>").count() - 1, 50, "fifty rows below the heading row");
    assert!(
        overdue.contains("Visar de 50 första av") && overdue.contains("href=\"/dashboard/samordnare?alla=1#overdue\"")
    );
    let (_, all) = page(&app, "samordnare@exempelby.se", "/dashboard/samordnare?alla=1").await;
    let overdue = all.split("id=\"overdue\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(overdue.matches("<tr>").count() > 81 && !overdue.contains("Visar de 50 första"));
}
