//! A large generated municipality for the benchmark, "Storby kommun": 1,500 systems, 6,000
//! information assets, 3,000 risks, 20,000 incidents over five years, 400 recommendations
//! across six audits, and the actions, documents and training that go with them; 300 suppliers
//! with 600 contracts, 2,000 users, 500,000 change-log entries and 40 MB of files. Made with
//! set-based SQL so it takes seconds. The coordinator `samordnare@storby.se` and the system owner
//! `systemagare@storby.se` (the person owning the most systems) have the demo password.

use chrono::Datelike;
use sqlx::PgConnection;

use crate::audit_log::Actor;
use crate::auth::{Role, password};
use crate::config::PasswordCost;
use crate::db::MunicipalityId;
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
pub async fn seed(
    tx: &mut PgConnection,
    cost: PasswordCost,
    today: chrono::NaiveDate,
) -> anyhow::Result<MunicipalityId> {
    if let Some(existing) = store::find_municipality_by_org_number(&mut *tx, ORG_NUMBER).await? {
        let hash = sqlx::query_scalar!("SELECT password_hash FROM users WHERE lower(email) = $1", COORDINATOR)
            .fetch_one(&mut *tx)
            .await?;
        grow(&mut *tx, existing.id, &hash, today).await?;
        return Ok(existing.id);
    }
    let actor = Actor::system("Lisa (storby)");
    let input = MunicipalityInput {
        name: "Storby kommun".into(),
        org_number: ORG_NUMBER.into(),
        county: "Stockholms län".into(),
    };
    let m = crate::org::service::create_municipality(&mut *tx, &actor, &input).await?.id;
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
        m.uuid()
    )
    .execute(&mut *tx)
    .await?;
    let since = crate::reports::figures::end_of_day(super::day(year - 1, 1, 1));
    super::registered_since(&mut *tx, m, since).await?;
    grow(&mut *tx, m, &hash, today).await?;
    Ok(m)
}

/// What a large municipality holds besides its systems and incidents: 300 suppliers with 600
/// contracts, their requirements and compliance checks; 200 governing documents; access reviews;
/// 2,000 users with role grants; three years of change log (500,000 entries); 40 MB of attached
/// files. A Storby made before these were added gains them at its next start.
async fn grow(
    tx: &mut PgConnection,
    m: MunicipalityId,
    password_hash: &str,
    today: chrono::NaiveDate,
) -> anyhow::Result<()> {
    let grown =
        sqlx::query_scalar!("SELECT EXISTS (SELECT 1 FROM suppliers WHERE municipality_id = $1) AS \"e!\"", m.uuid())
            .fetch_one(&mut *tx)
            .await?;
    if grown {
        return Ok(());
    }
    let hash = password_hash.replace('\'', "''");
    let sql = format!(
        r#"
        CREATE TEMP TABLE h_people ON COMMIT DROP AS
          SELECT row_number() OVER (ORDER BY name) - 1 AS n, id FROM people WHERE municipality_id = '{m}';
        CREATE TEMP TABLE h_systems ON COMMIT DROP AS
          SELECT row_number() OVER (ORDER BY name) - 1 AS n, id FROM systems WHERE municipality_id = '{m}';
        CREATE TEMP TABLE h_measures ON COMMIT DROP AS
          SELECT row_number() OVER (ORDER BY code) - 1 AS n, id FROM measures WHERE municipality_id = '{m}';
        INSERT INTO suppliers (id, municipality_id, name, org_number, kind, contact, incident_contact)
          SELECT gen_random_uuid(), '{m}', 'Leverantör ' || lpad(i::text, 3, '0'), '556' || lpad(i::text, 3, '0') || '-' || lpad(i::text, 4, '0'),
                 (ARRAY['it_drift','systemleverantor','molntjanst','samagt_bolag'])[1 + i % 4],
                 'kontakt' || i || '@leverantor.se', 'incident' || i || '@leverantor.se'
            FROM generate_series(1, 300) i;
        CREATE TEMP TABLE h_suppliers ON COMMIT DROP AS
          SELECT row_number() OVER (ORDER BY name) - 1 AS n, id FROM suppliers WHERE municipality_id = '{m}';
        INSERT INTO contracts (id, municipality_id, supplier_id, title, reference, starts_on, ends_on, notice_months,
                               owner_person_id, has_dpa, check_interval_months)
          SELECT gen_random_uuid(), '{m}', (SELECT id FROM h_suppliers WHERE n = i % 300), 'Avtal ' || lpad(i::text, 3, '0'),
                 'DNR ' || (2020 + i % 6) || '/' || i, DATE '{today}' - (i * 3), DATE '{today}' - (i * 3) + 4 * 365 + (i % 90),
                 (i % 4) * 3, (SELECT id FROM h_people WHERE n = i % 400), i % 5 <> 0, 12
            FROM generate_series(1, 600) i;
        CREATE TEMP TABLE h_contracts ON COMMIT DROP AS
          SELECT row_number() OVER (ORDER BY title) - 1 AS n, id FROM contracts WHERE municipality_id = '{m}';
        INSERT INTO contract_systems (municipality_id, contract_id, system_id)
          SELECT DISTINCT '{m}'::uuid, c.id, s.id FROM h_contracts c CROSS JOIN generate_series(0, 1) k
            JOIN h_systems s ON s.n = (c.n * 7 + k * 11) % 1500;
        INSERT INTO contract_requirements (municipality_id, contract_id, measure_id)
          SELECT DISTINCT '{m}'::uuid, c.id, me.id FROM h_contracts c CROSS JOIN generate_series(0, 2) k
            JOIN h_measures me ON me.n = (c.n + k * 5) % (SELECT count(*) FROM h_measures);
        INSERT INTO compliance_checks (id, municipality_id, contract_id, measure_id, checked_on, method, result, checked_by)
          SELECT gen_random_uuid(), '{m}', r.contract_id, r.measure_id, DATE '{today}' - (row_number() OVER () % 500)::int,
                 'Granskning av underlag', (ARRAY['uppfylls','uppfylls','delvis','uppfylls_ej'])[1 + (row_number() OVER () % 4)::int],
                 'Generator'
            FROM contract_requirements r WHERE r.municipality_id = '{m}';
        INSERT INTO documents (id, municipality_id, title, kind, decided_on, status, owner_person_id)
          SELECT gen_random_uuid(), '{m}', 'Styrdokument ' || i,
                 (ARRAY['policy','riktlinje','rutin','instruktion'])[1 + i % 4], DATE '{today}' - (i * 9),
                 CASE WHEN i % 10 = 0 THEN 'upphavd' ELSE 'gallande' END, (SELECT id FROM h_people WHERE n = i % 400)
            FROM generate_series(41, 200) i;
        INSERT INTO access_reviews (id, municipality_id, system_id, reviewed_on, from_system_extract, accounts_checked,
                                    roles_checked, accounts_removed, next_due, recorded_by)
          SELECT gen_random_uuid(), '{m}', s.id, DATE '{today}' - (s.n % 700)::int - k * 365, s.n % 3 <> 0, true, s.n % 5 <> 0,
                 s.n % 7, DATE '{today}' - (s.n % 700)::int - k * 365 + 365, 'Generator'
            FROM h_systems s CROSS JOIN generate_series(0, 1) k WHERE s.n % 5 <> 0;
        INSERT INTO continuity_plans (id, municipality_id, system_id, mtpd_hours, rpo_hours, targets_set_by,
                                      targets_decided_by, rto_hours, rto_source, restore_priority, reserve_routine,
                                      backup_frequency, plan_owner_person_id, review_on)
          SELECT gen_random_uuid(), '{m}', s.id, (ARRAY[4, 8, 24, 72])[1 + s.n % 4], (ARRAY[1, 4, 24])[1 + s.n % 3],
                 CASE WHEN s.n % 6 = 0 THEN 'it' ELSE 'verksamheten' END, 'Verksamhetschef ' || (s.n % 40),
                 (ARRAY[2, 8, 24, 48, 96])[1 + s.n % 5], 'avtal', row_number() OVER (ORDER BY s.n),
                 CASE WHEN s.n % 4 = 0 THEN '' ELSE 'Reservrutin ' || s.n END, 'Dagligen',
                 (SELECT id FROM h_people WHERE n = s.n % 400), DATE '{today}' + (s.n % 300)::int - 100
            FROM h_systems s JOIN systems sy ON sy.id = s.id WHERE sy.is_critical AND s.n % 3 <> 0;
        INSERT INTO continuity_exercises (id, municipality_id, title, performed_on, kind, result, findings, recorded_by)
          SELECT gen_random_uuid(), '{m}', 'Övning ' || i, DATE '{today}' - (i * 3),
                 (ARRAY['aterlasningstest','skrivbordsovning','teknisk_ovning','fullskaleovning'])[1 + i % 4],
                 (ARRAY['godkant','godkant','med_anmarkningar','underkant'])[1 + i % 4], '', 'Generator'
            FROM generate_series(1, 200) i;
        INSERT INTO continuity_exercise_systems (municipality_id, exercise_id, system_id)
          SELECT DISTINCT '{m}'::uuid, e.id, s.id
            FROM (SELECT id, row_number() OVER (ORDER BY title) AS n FROM continuity_exercises WHERE municipality_id = '{m}') e
            CROSS JOIN generate_series(0, 2) k JOIN h_systems s ON s.n = (e.n * 13 + k * 101) % 1500;
        INSERT INTO control_points (id, municipality_id, body_id, year, area, risk, control, method, frequency,
                                    responsible_person_id, reported_at)
          SELECT gen_random_uuid(), '{m}', b.id, extract(year FROM DATE '{today}')::smallint, 'Område ' || k,
                 'Risk ' || k, 'Kontrollmoment ' || k || ' för ' || b.name,
                 (ARRAY['stickprov','registerkontroll','systemrapport','intervju'])[1 + k % 4],
                 (ARRAY['manad','tertial','halvar','ar'])[1 + k % 4], (SELECT id FROM h_people WHERE n = k * 7 % 400),
                 CASE WHEN k % 2 = 0 THEN 'delar' ELSE 'helar' END
            FROM bodies b CROSS JOIN generate_series(1, 6) k WHERE b.municipality_id = '{m}';
        INSERT INTO control_results (id, municipality_id, point_id, performed_on, outcome, comment, recorded_by)
          SELECT gen_random_uuid(), '{m}', c.id,
                 LEAST(make_date(c.year, 1 + (row_number() OVER (ORDER BY c.id) % 10)::int, 15), DATE '{today}'),
                 CASE WHEN row_number() OVER (ORDER BY c.id) % 5 = 0 THEN 'avvikelse' ELSE 'utan_anmarkning' END,
                 'Genererad', 'Generator'
            FROM control_points c WHERE c.municipality_id = '{m}' AND c.area <> 'Område 6';
        INSERT INTO users (id, email, display_name, password_hash)
          SELECT gen_random_uuid(), 'anvandare' || i || '@storby.se', 'Användare ' || i, '{hash}'
            FROM generate_series(1, 2000) i;
        INSERT INTO role_grants (id, municipality_id, user_id, role)
          SELECT gen_random_uuid(), '{m}', u.id,
                 CASE WHEN u.n % 20 = 0 THEN 'systemagare' WHEN u.n % 50 = 1 THEN 'fortroendevald' ELSE 'medarbetare' END
            FROM (SELECT id, row_number() OVER (ORDER BY email) AS n FROM users WHERE email LIKE 'anvandare%@storby.se') u;
        INSERT INTO audit_log (occurred_at, municipality_id, actor_name, entity_type, entity_id, action, before, after)
          SELECT now() - i * interval '189 seconds', '{m}', 'Användare ' || (i % 2000),
                 (ARRAY['system','incident','risk','action','recommendation','document','contract'])[1 + i % 7],
                 gen_random_uuid(), CASE WHEN i % 9 = 0 THEN 'create' ELSE 'update' END,
                 jsonb_build_object('Namn', 'Post ' || i, 'Status', 'planerad'),
                 jsonb_build_object('Namn', 'Post ' || i, 'Status', 'pagar')
            FROM generate_series(1, 500000) i;
        INSERT INTO action_files (id, municipality_id, action_id, file_name, content_type, size_bytes, sha256, content,
                                  uploaded_by)
          SELECT gen_random_uuid(), '{m}', a.id, 'underlag-' || a.n || '.txt', 'text/plain', length(f.content),
                 sha256(f.content), f.content, 'Generator'
            FROM (SELECT id, row_number() OVER (ORDER BY title) AS n FROM actions WHERE municipality_id = '{m}') a
            CROSS JOIN LATERAL (SELECT convert_to(repeat('Bilaga ' || a.n || ' till åtgärden. ', 7500), 'UTF8') AS content) f
           WHERE a.n <= 200;
        "#,
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await?;
    // Statistics for the new rows now, as autovacuum would make them soon after.
    sqlx::raw_sql("ANALYZE").execute(&mut *tx).await?;
    Ok(())
}

/// After the generation is committed: the generator updates most rows it inserts, leaving as
/// many dead rows as live ones and no page marked all-visible. A database in use has had
/// autovacuum clean that up, so Storby is vacuumed before anyone measures it (outside a
/// transaction, as VACUUM must be).
pub async fn settle(pool: &sqlx::PgPool) -> anyhow::Result<()> {
    sqlx::raw_sql("VACUUM (ANALYZE)").execute(pool).await?;
    Ok(())
}
