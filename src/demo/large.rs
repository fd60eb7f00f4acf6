//! A large generated municipality for the benchmark, "Storby kommun": 1,500 systems, 6,000
//! information assets, 3,000 risks, 20,000 incidents over five years, 400 recommendations
//! across six audits, and the actions, documents and training that go with them. Made with
//! set-based SQL so it takes seconds. The coordinator `samordnare@storby.se` and the system owner
//! `systemagare@storby.se` (the person owning the most systems) have the demo password.

use chrono::Datelike;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit_log::Actor;
use crate::auth::{Role, password};
use crate::config::PasswordCost;
use crate::org::model::{BodyInput, BodyKind, GrantInput, MunicipalityInput};
use crate::org::store;

pub const ORG_NUMBER: &str = "212000-9999";
pub const COORDINATOR: &str = "samordnare@storby.se";
pub const SYSTEM_OWNER: &str = "systemagare@storby.se";

const BODIES: [&str; 8] = [
    "Kommunstyrelsen",
    "Barn- och utbildningsnämnden",
    "Socialnämnden",
    "Äldrenämnden",
    "Tekniska nämnden",
    "Kultur- och fritidsnämnden",
    "Miljö- och byggnadsnämnden",
    "Storby Energi AB",
];

/// Creates Storby kommun unless it exists; returns its id.
pub async fn seed(tx: &mut PgConnection, cost: PasswordCost, today: chrono::NaiveDate) -> anyhow::Result<Uuid> {
    if let Some(existing) = store::find_municipality_by_org_number(&mut *tx, ORG_NUMBER).await? {
        return Ok(existing.id);
    }
    let actor = Actor::system("Lisa (storby)");
    let input = MunicipalityInput {
        name: "Storby kommun".into(),
        org_number: ORG_NUMBER.into(),
        county: "Stockholms län".into(),
    };
    let m = store::create_municipality(&mut *tx, &actor, &input).await?.id;
    for (i, name) in BODIES.iter().enumerate() {
        let kind = match i {
            0 => BodyKind::Ks,
            7 => BodyKind::Bolagsstyrelse,
            _ => BodyKind::Namnd,
        };
        let company_name = (i == 7).then(|| "Storby Energi AB".to_string());
        store::create_body(&mut *tx, &actor, m, &BodyInput { kind, name: (*name).into(), company_name }).await?;
    }
    let hash = password::hash(crate::demo::PASSWORD.into(), cost).await?;
    let user = store::create_account(&mut *tx, &actor, COORDINATOR, "Stina Stor", &hash, false).await?;
    store::add_grant(&mut *tx, &actor, m, user, &GrantInput { role: Role::Samordnare, body_id: None }).await?;

    let year = today.year();
    let sql = format!(
        r#"
        CREATE TEMP TABLE g_bodies ON COMMIT DROP AS
          SELECT row_number() OVER (ORDER BY name) - 1 AS n, id FROM bodies WHERE municipality_id = '{m}';
        INSERT INTO people (id, municipality_id, name, title, email)
          SELECT gen_random_uuid(), '{m}', 'Person ' || i, 'Handläggare', 'person' || i || '@storby.se'
            FROM generate_series(1, 400) i;
        CREATE TEMP TABLE g_people ON COMMIT DROP AS
          SELECT row_number() OVER (ORDER BY name) - 1 AS n, id FROM people WHERE municipality_id = '{m}';
        INSERT INTO systems (id, municipality_id, name, body_id, owner_person_id, is_critical, has_personal_data,
                             reviewed_on, review_interval_months, level_k, level_r, level_t, level_s)
          SELECT gen_random_uuid(), '{m}', 'System ' || lpad(i::text, 4, '0'),
                 (SELECT id FROM g_bodies WHERE n = i % 8),
                 CASE WHEN i % 10 = 0 THEN NULL ELSE (SELECT id FROM g_people WHERE n = i % 400) END,
                 i % 4 = 0, i % 3 = 0, DATE '{today}' - (i % 500), 12,
                 i % 4, (i + 1) % 4, (i + 2) % 4, i % 2
            FROM generate_series(1, 1500) i;
        CREATE TEMP TABLE g_systems ON COMMIT DROP AS
          SELECT row_number() OVER (ORDER BY name) - 1 AS n, id FROM systems WHERE municipality_id = '{m}';
        INSERT INTO information_assets (id, municipality_id, system_id, name, owner_person_id)
          SELECT gen_random_uuid(), '{m}', s.id, 'Information ' || a, (SELECT id FROM g_people WHERE n = (s.n + a) % 400)
            FROM g_systems s CROSS JOIN generate_series(1, 4) a;
        INSERT INTO classifications (id, municipality_id, asset_id, version, k, r, t, s, classified_by, approved_by, approved_at)
          SELECT gen_random_uuid(), '{m}', a.id, 1, 2, 2, 1, 0, 'Generator', 'Generator', now()
            FROM information_assets a WHERE a.municipality_id = '{m}' AND abs(hashtext(a.id::text)) % 5 <> 0;
        INSERT INTO risk_analyses (id, municipality_id, title, object_kind, system_id, analysed_on)
          SELECT gen_random_uuid(), '{m}', 'Riskanalys ' || s.n, 'system', s.id, DATE '{today}' - (s.n % 700)::int
            FROM g_systems s WHERE s.n < 1000;
        INSERT INTO risks (id, municipality_id, analysis_id, threat, likelihood, consequence)
          SELECT gen_random_uuid(), '{m}', ra.id, 'Hot ' || r, 1 + (r + k) % 4, 1 + (r * 3 + k) % 4
            FROM (SELECT id, row_number() OVER (ORDER BY id) AS k FROM risk_analyses WHERE municipality_id = '{m}') ra
            CROSS JOIN generate_series(1, 3) r;
        INSERT INTO incidents (id, municipality_id, year, number, title, discovered_at, reported_at, reporter_name,
                               personal_data, status, category, severity, closed_at)
          SELECT gen_random_uuid(), '{m}', extract(year FROM at)::int,
                 row_number() OVER (PARTITION BY extract(year FROM at) ORDER BY at),
                 'Incident ' || i, at, at + interval '2 hours', 'Generator', i % 10 = 0,
                 CASE WHEN i <= 50 THEN 'utreds' ELSE 'stangd' END,
                 (ARRAY['obehorig_atkomst','skadlig_kod','phishing','felsand_information','driftavbrott',
                        'forlust_av_utrustning','leverantorsincident','annat'])[1 + i % 8],
                 (ARRAY['lag','medel','hog','allvarlig'])[1 + i % 4],
                 CASE WHEN i <= 50 THEN NULL ELSE at + interval '5 days' END
            FROM (SELECT i, now() - interval '1 hour' - (i * interval '131 minutes') AS at
                    FROM generate_series(1, 20000) i) t;
        INSERT INTO incident_reports (id, municipality_id, incident_id, kind, sent_at, sent_by, late_reason)
          SELECT gen_random_uuid(), '{m}', id, 'imy', discovered_at + interval '30 hours', 'Generator', ''
            FROM incidents WHERE municipality_id = '{m}' AND personal_data AND status = 'stangd';
        INSERT INTO audits (id, municipality_id, title, commissioned_by, kind, report_date, response_deadline)
          SELECT gen_random_uuid(), '{m}', 'Granskning ' || (2019 + a), 'revisorerna', 'granskning',
                 make_date(2019 + a, 4, 15), make_date(2019 + a, 6, 30)
            FROM generate_series(1, 6) a;
        INSERT INTO recommendations (id, municipality_id, audit_id, position, text, status)
          SELECT gen_random_uuid(), '{m}', au.id, r, 'Rekommendation ' || r || ' i ' || au.title,
                 (ARRAY['oppen','atgardad','verifierad','ateroppnad'])[1 + (r + k) % 4]
            FROM (SELECT id, title, row_number() OVER (ORDER BY title) AS k FROM audits WHERE municipality_id = '{m}') au
            CROSS JOIN generate_series(1, 67) r
           WHERE (au.k - 1) * 67 + r <= 400;
        INSERT INTO recommendation_bodies (municipality_id, recommendation_id, body_id)
          SELECT '{m}', rc.id, (SELECT id FROM g_bodies WHERE n = rc.position % 8)
            FROM recommendations rc WHERE rc.municipality_id = '{m}';
        INSERT INTO actions (id, municipality_id, title, owner_person_id, due_date, status, source, system_id)
          SELECT gen_random_uuid(), '{m}', 'Åtgärd ' || i, (SELECT id FROM g_people WHERE n = i % 400),
                 DATE '{today}' + (i % 400 - 150), (ARRAY['planerad','pagar','klar','foreslagen'])[1 + i % 4], 'manuell',
                 (SELECT id FROM g_systems WHERE n = i % 1500)
            FROM generate_series(1, 2000) i;
        INSERT INTO documents (id, municipality_id, title, kind, decided_on, status, owner_person_id)
          SELECT gen_random_uuid(), '{m}', 'Styrdokument ' || i,
                 (ARRAY['policy','riktlinje','rutin','instruktion'])[1 + i % 4], DATE '{today}' - (i * 40), 'gallande',
                 (SELECT id FROM g_people WHERE n = i % 400)
            FROM generate_series(1, 40) i;
        INSERT INTO training_campaigns (id, municipality_id, name, year)
          SELECT gen_random_uuid(), '{m}', 'Grundkurs', y FROM generate_series({start}, {year}) y;
        INSERT INTO training_participation (municipality_id, campaign_id, target_group, in_group, completed)
          SELECT '{m}', c.id, g, 1000, 400 + (c.year - {start}) * 100
            FROM training_campaigns c CROSS JOIN unnest(ARRAY['alla','fortroendevalda','chefer']) g
           WHERE c.municipality_id = '{m}';
        "#,
        start = year - 4,
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await?;
    let owner = store::create_account(&mut *tx, &actor, SYSTEM_OWNER, "Sven Systemägare", &hash, false).await?;
    store::add_grant(&mut *tx, &actor, m, owner, &GrantInput { role: Role::Systemagare, body_id: None }).await?;
    // The person who owns the most systems logs in as the system owner.
    sqlx::query!(
        "UPDATE people SET user_id = $1
          WHERE id = (SELECT owner_person_id FROM systems WHERE municipality_id = $2 AND owner_person_id IS NOT NULL
                       GROUP BY owner_person_id ORDER BY count(*) DESC, owner_person_id LIMIT 1)",
        owner,
        m
    )
    .execute(&mut *tx)
    .await?;
    let since = crate::reports::figures::end_of_day(super::day(year - 1, 1, 1));
    super::registered_since(&mut *tx, m, since).await?;
    // Statistics for the new rows now, as autovacuum would make them soon after.
    sqlx::raw_sql("ANALYZE").execute(&mut *tx).await?;
    Ok(m)
}
