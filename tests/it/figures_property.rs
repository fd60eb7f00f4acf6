//! The report's figures held to an independent count: random municipalities (bodies, systems
//! with and without a body, risk analyses dated before and after the as-of day, recommendations
//! to several bodies, follow-ups, answers late and on time, actions on systems, risks and
//! nothing), each counted here in plain Rust from what was generated and compared with
//! `figures::compute`.

use chrono::NaiveDate;
use lisa::db::MunicipalityId;
use lisa::reports::figures::{self, Figures, SystemFigures};
use uuid::Uuid;

use crate::support::TestApp;

/// A small deterministic generator (xorshift64*): the same seed makes the same municipality.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// A day between 2023-01-01 and 2026-06-30.
    fn day(&mut self) -> NaiveDate {
        NaiveDate::from_ymd_opt(2023, 1, 1).unwrap() + chrono::Duration::days(self.below(1276) as i64)
    }
}

const AS_OF: (i32, u32, u32) = (2025, 6, 30);

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(AS_OF.0, AS_OF.1, AS_OF.2).unwrap()
}

struct System {
    id: Uuid,
    body: Option<Uuid>,
    retired: bool,
}

struct Analysis {
    id: Uuid,
    system: Option<Uuid>,
    on: NaiveDate,
}

struct Risk {
    id: Uuid,
    analysis: Uuid,
    value: i16,
}

struct Audit {
    id: Uuid,
    on: NaiveDate,
    deadline: Option<NaiveDate>,
    follows: Option<Uuid>,
}

struct Recommendation {
    id: Uuid,
    audit: Uuid,
    bodies: Vec<Uuid>,
    verified: bool,
}

struct Verdict {
    audit: Uuid,
    recommendation: Uuid,
    result: &'static str,
}

struct Answer {
    audit: Uuid,
    recommendation: Uuid,
    body: Uuid,
    decided: NaiveDate,
}

struct Action {
    id: Uuid,
    system: Option<Uuid>,
    risk: Option<Uuid>,
    due: Option<NaiveDate>,
    done: bool,
}

/// One random municipality, as generated.
struct Town {
    m: MunicipalityId,
    bodies: Vec<(Uuid, String)>,
    systems: Vec<System>,
    analyses: Vec<Analysis>,
    risks: Vec<Risk>,
    audits: Vec<Audit>,
    recommendations: Vec<Recommendation>,
    verdicts: Vec<Verdict>,
    answers: Vec<Answer>,
    actions: Vec<Action>,
}

fn quoted(day: NaiveDate) -> String {
    format!("'{day}'")
}

fn generate(seed: u64, m: MunicipalityId) -> Town {
    let mut r = Random(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let bodies: Vec<(Uuid, String)> = (0..1 + r.below(4)).map(|i| (Uuid::new_v4(), format!("Nämnd {i}"))).collect();
    let body_ids: Vec<Uuid> = bodies.iter().map(|b| b.0).collect();
    let systems: Vec<System> = (0..r.below(8))
        .map(|_| System {
            id: Uuid::new_v4(),
            body: if r.chance(70) { Some(r.pick(&body_ids)) } else { None },
            retired: r.chance(10),
        })
        .collect();
    let system_ids: Vec<Uuid> = systems.iter().map(|s| s.id).collect();
    let analyses: Vec<Analysis> = (0..r.below(5))
        .map(|_| Analysis {
            id: Uuid::new_v4(),
            system: if !system_ids.is_empty() && r.chance(75) { Some(r.pick(&system_ids)) } else { None },
            on: r.day(),
        })
        .collect();
    let mut risks = Vec::new();
    for a in &analyses {
        for _ in 0..r.below(5) {
            risks.push(Risk {
                id: Uuid::new_v4(),
                analysis: a.id,
                value: ((1 + r.below(4)) * (1 + r.below(4))) as i16,
            });
        }
    }
    let mut audits: Vec<Audit> = Vec::new();
    for _ in 0..r.below(4) {
        let follows = if !audits.is_empty() && r.chance(50) {
            Some(r.pick(&audits.iter().map(|a| a.id).collect::<Vec<_>>()))
        } else {
            None
        };
        let on = r.day();
        audits.push(Audit {
            id: Uuid::new_v4(),
            on,
            deadline: r.chance(60).then(|| on + chrono::Duration::days(30)),
            follows,
        });
    }
    let mut recommendations = Vec::new();
    for a in &audits {
        for _ in 0..r.below(4) {
            let mut bodies: Vec<Uuid> = body_ids.iter().copied().filter(|_| r.chance(40)).collect();
            bodies.dedup();
            recommendations.push(Recommendation { id: Uuid::new_v4(), audit: a.id, bodies, verified: r.chance(15) });
        }
    }
    let mut verdicts = Vec::new();
    for a in audits.iter().filter(|a| a.follows.is_some()) {
        for rec in recommendations.iter().filter(|rec| Some(rec.audit) == a.follows) {
            if r.chance(80) {
                verdicts.push(Verdict {
                    audit: a.id,
                    recommendation: rec.id,
                    result: r.pick(&["atgardad", "delvis", "ej_atgardad", "inaktuell"]),
                });
            }
        }
    }
    let mut answers = Vec::new();
    for rec in &recommendations {
        for body in &rec.bodies {
            if r.chance(40) {
                let on = audits.iter().find(|a| a.id == rec.audit).unwrap().on;
                answers.push(Answer {
                    audit: rec.audit,
                    recommendation: rec.id,
                    body: *body,
                    decided: on + chrono::Duration::days(r.below(90) as i64),
                });
            }
        }
    }
    let risk_ids: Vec<Uuid> = risks.iter().map(|x| x.id).collect();
    let actions = (0..r.below(6))
        .map(|_| {
            let on = r.below(3);
            Action {
                id: Uuid::new_v4(),
                system: (on == 0 && !system_ids.is_empty()).then(|| r.pick(&system_ids)),
                risk: (on == 1 && !risk_ids.is_empty()).then(|| r.pick(&risk_ids)),
                due: r.chance(80).then(|| r.day()),
                done: r.chance(30),
            }
        })
        .collect();
    Town { m, bodies, systems, analyses, risks, audits, recommendations, verdicts, answers, actions }
}

/// The town as SQL: everything registered long ago (2020), so that only the domain's own dates
/// decide what the figures as of 2025-06-30 count.
fn insert_sql(t: &Town) -> String {
    let m = t.m.uuid();
    let mut sql = String::new();
    for (id, name) in &t.bodies {
        sql += &format!(
            "INSERT INTO bodies (id, municipality_id, kind, name) VALUES ('{id}', '{m}', 'namnd', '{name}');\n"
        );
    }
    for s in &t.systems {
        let body = s.body.map(|b| format!("'{b}'")).unwrap_or("NULL".into());
        let lifecycle = if s.retired { "avvecklad" } else { "i_drift" };
        sql += &format!(
            "INSERT INTO systems (id, municipality_id, name, body_id, lifecycle, created_at) VALUES ('{}', '{m}', 'System {}', {body}, '{lifecycle}', '2020-01-01');\n",
            s.id, s.id
        );
    }
    for a in &t.analyses {
        let (kind, system) = match a.system {
            Some(s) => ("system", format!("'{s}'")),
            None => ("process", "NULL".into()),
        };
        sql += &format!(
            "INSERT INTO risk_analyses (id, municipality_id, title, object_kind, system_id, object_text, analysed_on, created_at)
             VALUES ('{}', '{m}', 'Analys', '{kind}', {system}, 'Processen', {}, '2020-01-01');\n",
            a.id,
            quoted(a.on)
        );
    }
    for x in &t.risks {
        let (l, c) = (1..=4).flat_map(|l| (1..=4).map(move |c| (l, c))).find(|(l, c)| l * c == x.value).unwrap();
        sql += &format!(
            "INSERT INTO risks (id, municipality_id, analysis_id, threat, likelihood, consequence, created_at)
             VALUES ('{}', '{m}', '{}', 'Hot', {l}, {c}, '2020-01-01');\n",
            x.id, x.analysis
        );
    }
    for a in &t.audits {
        let kind = if a.follows.is_some() { "uppfoljande" } else { "granskning" };
        let deadline = a.deadline.map(quoted).unwrap_or("NULL".into());
        sql += &format!(
            "INSERT INTO audits (id, municipality_id, title, commissioned_by, kind, report_date, response_deadline)
             VALUES ('{}', '{m}', 'Granskning {}', 'revisorerna', '{kind}', {}, {deadline});\n",
            a.id,
            a.id,
            quoted(a.on)
        );
        if let Some(followed) = a.follows {
            sql += &format!(
                "INSERT INTO audit_follow_ups (municipality_id, audit_id, followed_audit_id) VALUES ('{m}', '{}', '{followed}');\n",
                a.id
            );
        }
    }
    for (i, rec) in t.recommendations.iter().enumerate() {
        let status = if rec.verified { "verifierad" } else { "oppen" };
        sql += &format!(
            "INSERT INTO recommendations (id, municipality_id, audit_id, position, text, status) VALUES ('{}', '{m}', '{}', {i}, 'Rekommendation {i}', '{status}');\n",
            rec.id, rec.audit
        );
        for body in &rec.bodies {
            sql += &format!(
                "INSERT INTO recommendation_bodies (municipality_id, recommendation_id, body_id) VALUES ('{m}', '{}', '{body}');\n",
                rec.id
            );
        }
    }
    for v in &t.verdicts {
        sql += &format!(
            "INSERT INTO follow_up_assessments (municipality_id, audit_id, recommendation_id, result) VALUES ('{m}', '{}', '{}', '{}');\n",
            v.audit, v.recommendation, v.result
        );
    }
    for a in &t.answers {
        sql += &format!(
            "INSERT INTO recommendation_responses (id, municipality_id, audit_id, recommendation_id, body_id, text, decision_date)
             VALUES ('{}', '{m}', '{}', '{}', '{}', 'Svar', {});\n",
            Uuid::new_v4(),
            a.audit,
            a.recommendation,
            a.body,
            quoted(a.decided)
        );
    }
    for a in &t.actions {
        let opt = |id: Option<Uuid>| id.map(|i| format!("'{i}'")).unwrap_or("NULL".into());
        let due = a.due.map(quoted).unwrap_or("NULL".into());
        let status = if a.done { "klar" } else { "planerad" };
        sql += &format!(
            "INSERT INTO actions (id, municipality_id, title, due_date, status, system_id, risk_id, created_at)
             VALUES ('{}', '{m}', 'Åtgärd', {due}, '{status}', {}, {}, '2020-01-01');\n",
            a.id,
            opt(a.system),
            opt(a.risk)
        );
    }
    // Statuses were set when registered, long ago.
    sql +=
        &format!("UPDATE recommendation_status_changes SET changed_at = '2020-01-01' WHERE municipality_id = '{m}';\n");
    sql += &format!("UPDATE action_status_changes SET changed_at = '2020-01-01' WHERE municipality_id = '{m}';\n");
    sql
}

/// Whole months from `from` to `to`, counted up one at a time: a month is complete on the same
/// day of a later month, or on its last day when it has no such day (31 January to 28 February).
fn months(from: NaiveDate, to: NaiveDate) -> u32 {
    let mut n = 0;
    while from.checked_add_months(chrono::Months::new(n + 1)).is_some_and(|d| d <= to) {
        n += 1;
    }
    n
}

/// The figures one row should have, counted here.
#[derive(Debug, PartialEq, Eq)]
struct Expected {
    systems: usize,
    high_risks: Option<usize>,
    late_actions: Option<usize>,
    open_recommendations: usize,
    responses_owed: usize,
    responses_overdue: usize,
}

fn expected(t: &Town, scope: Option<Option<Uuid>>) -> Expected {
    let on = as_of();
    let body_of = |system: Option<Uuid>| system.and_then(|s| t.systems.iter().find(|x| x.id == s)?.body);
    // None: the whole municipality; Some(None): what belongs to no body.
    let holds = |body: Option<Uuid>| scope.is_none_or(|wanted| wanted == body);
    let analysis_body = |id: Uuid| body_of(t.analyses.iter().find(|a| a.id == id).unwrap().system);
    let counted: Vec<&Analysis> = t.analyses.iter().filter(|a| a.on <= on).collect();
    let measured = counted.iter().any(|a| holds(body_of(a.system)));
    let high = t
        .risks
        .iter()
        .filter(|x| x.value >= 9 && counted.iter().any(|a| a.id == x.analysis))
        .filter(|x| holds(analysis_body(x.analysis)))
        .count();
    let late = t
        .actions
        .iter()
        .filter(|a| !a.done && a.due.is_some_and(|d| d < on))
        .filter(|a| {
            let body = match (a.system, a.risk) {
                (Some(s), _) => body_of(Some(s)),
                (None, Some(risk)) => analysis_body(t.risks.iter().find(|x| x.id == risk).unwrap().analysis),
                _ => None,
            };
            holds(body)
        })
        .count();
    let audit = |id: Uuid| t.audits.iter().find(|a| a.id == id).unwrap();
    let latest_verdict = |rec: Uuid| {
        t.verdicts
            .iter()
            .filter(|v| v.recommendation == rec && audit(v.audit).on <= on)
            .max_by_key(|v| audit(v.audit).on)
            .map(|v| v.result)
    };
    let addressed = |rec: &Recommendation| match scope {
        None => true,
        Some(None) => rec.bodies.is_empty(),
        Some(Some(b)) => rec.bodies.contains(&b),
    };
    let open = t
        .recommendations
        .iter()
        .filter(|rec| audit(rec.audit).on <= on && !rec.verified && addressed(rec))
        .filter(|rec| !matches!(latest_verdict(rec.id), Some("atgardad" | "inaktuell")))
        .count();
    // Answers asked by an audit reported by then with a deadline: its own recommendations and
    // those it carries (a verdict of delvis or ej åtgärdad), per addressed body, unanswered then.
    let mut owed = 0;
    let mut overdue = 0;
    if scope.is_some_and(|s| s.is_some()) || scope.is_none() {
        for a in t.audits.iter().filter(|a| a.on <= on) {
            let Some(deadline) = a.deadline else { continue };
            let asked = t.recommendations.iter().filter(|rec| {
                rec.audit == a.id
                    || t.verdicts.iter().any(|v| {
                        v.audit == a.id && v.recommendation == rec.id && matches!(v.result, "delvis" | "ej_atgardad")
                    })
            });
            for rec in asked.filter(|rec| !rec.verified) {
                for body in rec.bodies.iter().filter(|b| holds(Some(**b))) {
                    let answered = t
                        .answers
                        .iter()
                        .any(|x| x.audit == a.id && x.recommendation == rec.id && x.body == *body && x.decided <= on);
                    if !answered {
                        owed += 1;
                        if deadline < on {
                            overdue += 1;
                        }
                    }
                }
            }
        }
    }
    Expected {
        systems: t.systems.iter().filter(|s| !s.retired && holds(s.body)).count(),
        high_risks: measured.then_some(high),
        late_actions: (!t.actions.is_empty()).then_some(late),
        open_recommendations: open,
        responses_owed: owed,
        responses_overdue: overdue,
    }
}

fn got(row: &SystemFigures) -> Expected {
    Expected {
        systems: row.systems,
        high_risks: row.high_risks,
        late_actions: row.late_actions,
        open_recommendations: row.open_recommendations,
        responses_owed: row.responses_owed,
        responses_overdue: row.responses_overdue,
    }
}

fn check(t: &Town, f: &Figures, seed: u64) {
    assert_eq!(f.as_of, Some(as_of()), "seed {seed}");
    assert_eq!(got(&f.systems), expected(t, None), "the whole municipality, seed {seed}");
    assert_eq!(got(&f.unassigned), expected(t, Some(None)), "what belongs to no body, seed {seed}");
    for row in &f.bodies {
        assert_eq!(got(row), expected(t, Some(row.body_id)), "{}, seed {seed}", row.name);
    }
    // Every body that keeps a system, is addressed by an open recommendation or owes an answer has its row.
    for (id, name) in &t.bodies {
        let e = expected(t, Some(Some(*id)));
        if e.systems + e.open_recommendations + e.responses_owed > 0 {
            assert!(f.bodies.iter().any(|b| b.body_id == Some(*id)), "{name} has no row, seed {seed}");
        }
    }
    // The rows add up to the totals.
    let sum = |part: fn(&SystemFigures) -> usize| f.bodies.iter().map(part).sum::<usize>() + part(&f.unassigned);
    assert_eq!(sum(|b| b.systems), f.systems.systems, "systems add up, seed {seed}");
    assert_eq!(sum(|b| b.high_risks.unwrap_or(0)), f.systems.high_risks.unwrap_or(0), "high risks add up, seed {seed}");
    assert_eq!(
        sum(|b| b.late_actions.unwrap_or(0)),
        f.systems.late_actions.unwrap_or(0),
        "late actions add up, seed {seed}"
    );
    assert_eq!(f.recommendations.open, f.recommendation_list.len());
    assert_eq!(f.risks.high, f.systems.high_risks.unwrap_or(0), "seed {seed}");
    assert_eq!(f.risks.analyses, t.analyses.iter().filter(|a| a.on <= as_of()).count(), "seed {seed}");
    // Ages, counted plainly from the first report to the day and to the latest follow-up.
    for r in &f.recommendation_list {
        let rec = t.recommendations.iter().find(|x| x.id == r.id).unwrap();
        let first = t.audits.iter().find(|a| a.id == rec.audit).unwrap().on;
        assert_eq!(r.first_reported, Some(first));
        assert_eq!(r.age_months, Some(months(first, as_of())), "seed {seed}");
        assert_eq!(r.age_at_follow_up_months, r.latest_follow_up_on.map(|on| months(first, on)), "seed {seed}");
        assert!(r.latest_follow_up_on.is_none_or(|on| on <= as_of()), "no verdict from after the day");
    }
    // A follow-up's verdicts are counted per code and never exceed what it follows up.
    for fu in &f.follow_ups {
        assert!(fu.report_date <= as_of());
        let given = t.verdicts.iter().filter(|v| v.audit == fu.audit_id).count();
        assert_eq!(fu.verdicts.values().sum::<usize>(), given, "seed {seed}");
        assert!(given <= fu.followed);
    }
}

#[tokio::test]
async fn the_figures_agree_with_an_independent_count_in_random_municipalities() {
    let app = TestApp::spawn().await;
    let actor = lisa::audit_log::Actor::system("test");
    for seed in 1..=40u64 {
        let mut tx = app.pool().begin().await.unwrap();
        let input = lisa::org::model::MunicipalityInput {
            name: format!("Slumpby {seed}"),
            org_number: format!("212000-{:04}", 3000 + seed),
            county: "Jämtlands län".into(),
        };
        let m = lisa::org::service::create_municipality(&mut tx, &actor, &input).await.unwrap().id;
        tx.commit().await.unwrap();
        let town = generate(seed, m);
        // Only generated ids, dates and fixed words are formatted into the statements.
        sqlx::raw_sql(sqlx::AssertSqlSafe(insert_sql(&town))).execute(app.pool()).await.unwrap();
        let mut conn = app.pool().acquire().await.unwrap();
        let f = figures::compute(&mut conn, m, AS_OF.0, as_of()).await.unwrap();
        check(&town, &f, seed);
    }
}
