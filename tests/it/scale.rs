//! Bounded work per request: each list asks PostgreSQL the same number of statements and gets
//! at most a page of rows back from any of them, however large the municipality. Not here:
//! the recommendation register, whose counts by status read a slim row of every match, and
//! the contract list filtered on missing requirements, which reads every contract's standing.

use lisa::web::pagination::Asked;

use crate::support::{TestApp, Work, counted};

/// What each list's page costs, by list.
async fn lists(app: &TestApp) -> Vec<(&'static str, Work)> {
    let m = app.exempelby;
    let today = lisa::web::format::today();
    let first = Asked { page: 1, per_page: 50 };
    let pool = app.pool();
    let mut db = pool.acquire().await.unwrap();
    let scale = lisa::risks::store::scale(pool, m).await.unwrap();
    let mut work = Vec::new();
    macro_rules! measure {
        ($name:expr, $call:expr) => {{
            let (cost, result) = counted($call).await;
            result.unwrap();
            work.push(($name, cost));
        }};
    }
    measure!("incidents", lisa::incidents::store::page(&mut db, m, &Default::default(), first));
    measure!("systems", lisa::systems::store::page(&mut db, m, &Default::default(), today, first));
    measure!("risks", lisa::risks::store::register_page(&mut db, m, &Default::default(), &scale, first));
    measure!("actions", lisa::actions::store::page(&mut db, m, &Default::default(), today, first));
    measure!("access reviews", lisa::access_reviews::store::page(&mut *db, m, &Default::default(), today, first));
    measure!("suppliers", lisa::suppliers::store::supplier_page(&mut db, m, "", first));
    measure!("contracts", lisa::suppliers::store::contract_page(&mut db, m, &Default::default(), None, today, first));
    measure!("people", lisa::org::store::search_people(&mut db, m, "", Some(1)));
    measure!("users", lisa::org::store::search_users(&mut db, m, "", first));
    measure!("change log", lisa::audit_log::page(pool, m, &Default::default(), 50, &[]));
    let reader = lisa::documents::store::Reader { user_id: uuid::Uuid::nil(), sees_every_draft: true };
    measure!("documents", lisa::documents::store::page(&mut db, m, &Default::default(), reader, today, first));
    work
}

#[tokio::test]
async fn each_list_reads_one_page_however_large_the_municipality() {
    let app = TestApp::spawn().await;
    lists(&app).await; // The first run also looks up types once per connection.
    let small = lists(&app).await;

    // A hundred more of everything the lists show, past two pages each.
    let m = app.exempelby;
    let sql = format!(
        "INSERT INTO systems (id, municipality_id, name, reviewed_on)
           SELECT gen_random_uuid(), '{m}', 'Extra ' || i, current_date - 400 FROM generate_series(1, 100) i;
         INSERT INTO incidents (id, municipality_id, year, number, title, discovered_at, reporter_name, status)
           SELECT gen_random_uuid(), '{m}', 1999, i, 'Extra ' || i, now(), 'Test', 'ny' FROM generate_series(1, 100) i;
         INSERT INTO risks (id, municipality_id, analysis_id, threat, likelihood, consequence)
           SELECT gen_random_uuid(), '{m}', (SELECT id FROM risk_analyses WHERE municipality_id = '{m}' LIMIT 1),
                  'Hot ' || i, 2, 2 FROM generate_series(1, 100) i;
         INSERT INTO actions (id, municipality_id, title, due_date, status)
           SELECT gen_random_uuid(), '{m}', 'Extra ' || i, current_date + 3, 'planerad' FROM generate_series(1, 100) i;
         INSERT INTO suppliers (id, municipality_id, name, kind)
           SELECT gen_random_uuid(), '{m}', 'Extra ' || i, 'it_drift' FROM generate_series(1, 100) i;
         INSERT INTO contracts (id, municipality_id, supplier_id, title)
           SELECT gen_random_uuid(), '{m}', s.id, 'Avtal ' || s.name FROM suppliers s
            WHERE s.municipality_id = '{m}' AND s.name LIKE 'Extra %';
         INSERT INTO documents (id, municipality_id, title, kind, decided_on)
           SELECT gen_random_uuid(), '{m}', 'Extra ' || i, 'rutin', current_date - 2000 FROM generate_series(1, 100) i;
         INSERT INTO people (id, municipality_id, name)
           SELECT gen_random_uuid(), '{m}', 'Extra ' || i FROM generate_series(1, 100) i;
         WITH made AS (INSERT INTO users (id, email, display_name, password_hash)
                       SELECT gen_random_uuid(), 'extra' || i || '@exempelby.se', 'Extra ' || i, 'x'
                         FROM generate_series(1, 100) i RETURNING id)
         INSERT INTO role_grants (id, municipality_id, user_id, role)
           SELECT gen_random_uuid(), '{m}', id, 'medarbetare' FROM made;
         INSERT INTO audit_log (municipality_id, actor_name, entity_type, action)
           SELECT '{m}', 'Test', 'system', 'update' FROM generate_series(1, 2000) i;"
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(app.pool()).await.unwrap();
    let large = lists(&app).await;

    assert!(small.iter().any(|(_, work)| work.most_rows > 0), "the counter sees rows: {small:?}");
    for ((list, before), (_, after)) in small.iter().zip(&large) {
        assert_eq!(after.statements, before.statements, "{list}: the same statements, however many rows");
        assert!(after.most_rows <= 50.max(before.most_rows), "{list}: at most a page of rows, got {after:?}");
    }
}

#[tokio::test]
async fn a_list_longer_than_it_counts_says_more_than_and_pages_on() {
    let app = TestApp::spawn().await;
    let m = app.exempelby;
    let sql = format!(
        "INSERT INTO incidents (id, municipality_id, year, number, title, discovered_at, reporter_name, status)
           SELECT gen_random_uuid(), '{m}', 1998, i, 'Massincident ' || i, now() - i * interval '1 minute', 'Test', 'ny'
             FROM generate_series(1, 1100) i;"
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(app.pool()).await.unwrap();

    let api = app.coordinator_api().await;
    let first = api.get("/incidents?q=Massincident").await;
    assert!(first.headers().get("x-total-count").is_none(), "a count that stopped is not given as the total");
    assert!(first.headers()["link"].to_str().unwrap().contains("page=2"));
    let deep = api.get("/incidents?q=Massincident&page=11").await;
    assert_eq!(deep.headers()["x-total-count"], "1100", "counted to the end from page 11 on");
    assert!(deep.headers().get("link").is_none());

    let client = app.login("samordnare@exempelby.se").await;
    let html = app.get(&client, "/incidents?q=Massincident").await.text().await.unwrap();
    assert!(html.contains("Fler än 1\u{a0}000 incidenter") && html.contains("Sida 1 av minst 21"), "{html}");
    let html = app.get(&client, "/incidents?q=Massincident&page=22").await.text().await.unwrap();
    assert!(html.contains("1\u{a0}100 incidenter") && html.contains("Sida 22 av 22"), "{html}");
    assert!(html.contains("Massincident 1100"), "the last page holds the oldest");

    // The export streams every match, a chunk at a time, in the list's order.
    let csv = app.get(&client, "/incidents.csv?q=Massincident").await;
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + 1100, "a heading and every match, past two chunks of {}", lisa::web::csv::CHUNK);
    assert!(lines[0].starts_with("\u{feff}Nummer;Rubrik") && text.matches('\u{feff}').count() == 1);
    assert!(lines[1].contains(";Massincident 1;") && lines[1100].contains(";Massincident 1100;"), "{}", lines[1]);
}
