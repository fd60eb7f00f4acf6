//! What the board reads is true: Kramfors' 2021 review and KPMG's 2023 follow-up typed in after
//! the fact, the 2023 report's figures by the domain's own dates, the follow-up's paste without
//! duplicates, and mistakes undone where they were made.

use lisa::auth::{Role, password};
use lisa::config::PasswordCost;
use lisa::org::model::{BodyInput, BodyKind, GrantInput, MunicipalityInput};
use lisa::org::store;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{ApiClient, DEMO_PASSWORD, TestApp, json_of};

const COORDINATOR: &str = "samordnare@kramfors.se";
const BODIES: [&str; 4] =
    ["Kommunstyrelsen", "Barn- och utbildningsnämnden", "Socialnämnden", "Miljö- och byggnämnden"];

/// The 2021 review's eight recommendations, as section 3.2 numbers them, and the body each is
/// addressed to (an index into `BODIES`).
const REVIEW: [(&str, &str, usize); 8] = [
    (
        "3.2.1",
        "Säkerställa att det finns en aktuell informationssäkerhetspolicy som är antagen av kommunfullmäktige.",
        0,
    ),
    (
        "3.2.2",
        "Tydliggöra roller och ansvar för informationssäkerhetsarbetet, inklusive systemägare och informationsägare.",
        0,
    ),
    ("3.2.3", "Genomföra informationsklassning av nämndens verksamhetskritiska system.", 1),
    ("3.2.4", "Genomföra och dokumentera riskanalyser för informationssäkerheten i nämndens verksamhet.", 2),
    ("3.2.5", "Upprätta en plan för utbildning och medvetandehöjande insatser för medarbetare.", 0),
    ("3.2.6", "Säkerställa att incidenter rapporteras, dokumenteras och följs upp enligt fastställd rutin.", 3),
    ("3.2.7", "Säkerställa att krav på informationssäkerhet ställs och följs upp i avtal med leverantörer.", 0),
    ("3.2.8", "Säkerställa att kommunstyrelsen regelbundet får rapportering om informationssäkerhetsarbetet.", 0),
];

/// The follow-up's verdicts: 3.2.1 ej åtgärdad, three partly met, the rest not met.
const VERDICTS: [&str; 8] =
    ["ej_atgardad", "delvis", "delvis", "delvis", "ej_atgardad", "ej_atgardad", "ej_atgardad", "ej_atgardad"];

/// Section 3.3 of the 2023 follow-up as pasted: eleven restatements of what remains (two of them
/// twice, to two addressees) and one new recommendation.
const FOLLOW_UP_PASTE: &str = "3.3 Rekommendationer\n\
    Vi rekommenderar kommunstyrelsen att:\n\
    • säkerställa att det finns en aktuell informationssäkerhetspolicy som är antagen av kommunfullmäktige\n\
    • tydliggöra roller och ansvar för informationssäkerhetsarbetet, inklusive systemägare och informationsägare\n\
    • upprätta en plan för utbildning och medvetandehöjande insatser för medarbetare\n\
    • säkerställa att krav på informationssäkerhet ställs och följs upp i avtalen med leverantörer\n\
    • säkerställa att kommunstyrelsen regelbundet får rapportering om informationssäkerhetsarbetet\n\
    • genomföra informationsklassning av nämndernas verksamhetskritiska system\n\
    • utse en informationssäkerhetssamordnare med mandat och tillräckliga resurser\n\
    Vi rekommenderar barn- och utbildningsnämnden att:\n\
    • genomföra informationsklassning av nämndens verksamhetskritiska system\n\
    Vi rekommenderar socialnämnden att:\n\
    • genomföra och dokumentera riskanalyser för informationssäkerheten i nämndens verksamhet\n\
    • genomföra informationsklassning av nämndens verksamhetskritiska system\n\
    Vi rekommenderar miljö- och byggnämnden att:\n\
    • säkerställa att incidenter rapporteras, dokumenteras och följs upp enligt fastställd rutin\n\
    • genomföra och dokumentera riskanalyser för informationssäkerheten";

struct Kramfors {
    api: ApiClient,
    bodies: Vec<Uuid>,
    review: String,
    follow_up: String,
    recommendations: Vec<String>,
    new_recommendation: String,
}

/// Kramfors as a new municipality types in its history: the 2021 review, the 2023 follow-up with
/// its verdicts and its one new recommendation, all registered today.
async fn kramfors(app: &TestApp) -> Kramfors {
    let actor = lisa::audit_log::Actor::system("test");
    let mut tx = app.pool().begin().await.unwrap();
    let input = MunicipalityInput {
        name: "Kramfors kommun".into(),
        org_number: "212000-2411".into(),
        county: "Västernorrlands län".into(),
    };
    let m = lisa::org::service::create_municipality(&mut tx, &actor, &input).await.unwrap().id;
    let mut bodies = Vec::new();
    for name in BODIES {
        let body = BodyInput { kind: BodyKind::Namnd, name: name.into(), company_name: None };
        bodies.push(store::create_body(&mut tx, &actor, m, &body).await.unwrap().id);
    }
    let hash = password::hash(DEMO_PASSWORD.into(), PasswordCost::Fast).await.unwrap();
    let user = store::create_account(&mut tx, &actor, COORDINATOR, "Karin Kramfors", &hash, false).await.unwrap();
    store::add_grant(&mut tx, &actor, m, user, &GrantInput { role: Role::Samordnare, body_id: None }).await.unwrap();
    tx.commit().await.unwrap();
    let api = app.api(&app.api_token(COORDINATOR, m).await);

    let review = new_audit(
        &api,
        json!({"title": "Granskning av informationssäkerhet", "kind": "granskning", "commissioned_by": "revisorerna",
                   "audit_firm": "KPMG", "report_date": "2021-10-15", "body_ids": bodies}),
    )
    .await;
    let items: Vec<Value> =
        REVIEW.iter().map(|(_, text, body)| json!({"text": text, "body_ids": [bodies[*body]]})).collect();
    let added = json_of(
        api.send(Method::POST, &format!("/audits/{review}/recommendations"), json!({"items": items})).await,
        201,
    )
    .await;
    let recommendations: Vec<String> =
        added["ids"].as_array().unwrap().iter().map(|id| id.as_str().unwrap().to_string()).collect();

    let follow_up = new_audit(
        &api,
        json!({"title": "Uppföljande granskning av informationssäkerhet", "kind": "uppfoljande",
                   "commissioned_by": "revisorerna", "audit_firm": "KPMG", "report_date": "2023-11-22",
                   "response_deadline": "2023-12-22", "body_ids": bodies, "follows": [review],
                   "overall_assessment": "Vår samlade bedömning är att bristerna är mycket allvarliga."}),
    )
    .await;
    for (id, verdict) in recommendations.iter().zip(VERDICTS) {
        let assessed = api
            .send(
                Method::POST,
                &format!("/audits/{follow_up}/follow-up-assessments"),
                json!({"recommendation_id": id, "result": verdict}),
            )
            .await;
        assert_eq!(assessed.status(), 204);
    }
    let new = json!({"items": [{"text": "Utse en informationssäkerhetssamordnare med mandat och tillräckliga resurser.",
                                "body_ids": [bodies[0]]}]});
    let added = json_of(api.send(Method::POST, &format!("/audits/{follow_up}/recommendations"), new).await, 201).await;
    let new_recommendation = added["ids"][0].as_str().unwrap().to_string();
    Kramfors { api, bodies, review, follow_up, recommendations, new_recommendation }
}

/// Registers an audit through the API; its id.
async fn new_audit(api: &ApiClient, audit: Value) -> String {
    json_of(api.send(Method::POST, "/audits", audit).await, 201).await["id"].as_str().unwrap().to_string()
}

async fn report_figures(api: &ApiClient, year: i32) -> (String, Value) {
    let created = json_of(api.send(Method::POST, "/reports", json!({"year": year.to_string()})).await, 201).await;
    let id = created["id"].as_str().unwrap().to_string();
    let detail = json_of(api.get(&format!("/reports/{id}")).await, 200).await;
    (id, detail)
}

#[tokio::test]
async fn kramfors_2023_report_shows_its_history_typed_in_later() {
    let app = TestApp::spawn().await;
    let k = kramfors(&app).await;
    let (id, detail) = report_figures(&k.api, 2023).await;
    let f = &detail["figures"];
    assert_eq!(f["as_of"], "2023-12-31");
    assert_eq!(f["recommendations"]["open"], 9, "8 carried from 2021 and 1 new, though all typed in today");
    assert_eq!(f["recommendations"]["carried_over"], 8);
    let follow_ups = f["follow_ups"].as_array().unwrap();
    assert_eq!(follow_ups.len(), 1);
    assert_eq!(follow_ups[0]["audit_id"], k.follow_up.as_str());
    assert_eq!(follow_ups[0]["verdicts"], json!({"delvis": 3, "ej_atgardad": 5}));
    assert_eq!(follow_ups[0]["followed"], 8);
    assert!(follow_ups[0]["overall_assessment"].as_str().unwrap().contains("mycket allvarliga"));

    // Ages: from 2021-10-15 to the follow-up (2023-11-22) and to the report's day.
    let list = f["recommendation_list"].as_array().unwrap();
    let policy = list.iter().find(|r| r["id"] == k.recommendations[0].as_str()).unwrap();
    assert_eq!((policy["age_at_follow_up_months"].as_u64(), policy["age_months"].as_u64()), (Some(25), Some(26)));
    assert_eq!(policy["latest_verdict"], "ej_atgardad");
    let new = list.iter().find(|r| r["id"] == k.new_recommendation.as_str()).unwrap();
    assert_eq!((new["age_at_follow_up_months"].clone(), new["age_months"].as_u64()), (Value::Null, Some(1)));

    // Every body owed the follow-up an answer by 2023-12-22; none was given.
    let bodies = f["bodies"].as_array().unwrap();
    assert_eq!(bodies.len(), 4, "every addressed body has its row, systems or not");
    for body in bodies {
        assert!(body["responses_owed"].as_u64().unwrap() > 0, "{body}");
        assert_eq!(body["responses_owed"], body["responses_overdue"]);
        assert_eq!(body["responses_deadline"], "2023-12-22");
    }
    let ks = bodies.iter().find(|b| b["body_id"] == k.bodies[0].to_string().as_str()).unwrap();
    assert_eq!((ks["open_recommendations"].as_u64(), ks["responses_owed"].as_u64()), (Some(6), Some(6)));

    // Nothing measured is not reassuring: no risk analysis, no systems.
    assert_eq!(f["systems"]["high_risks"], Value::Null);
    assert_eq!(f["systems"]["late_actions"], Value::Null);
    let key = |label: &str| {
        detail["key_rows"].as_array().unwrap().iter().find(|r| r["label"] == label).unwrap()["now"].clone()
    };
    assert_eq!(key("Höga risker"), "– (inga riskanalyser ännu)");
    assert_eq!(key("Öppna rekommendationer"), "9");

    // The page and the PDF say the same; the draft's date lies within its year.
    let coordinator = app.login(COORDINATOR).await;
    let page = app.get(&coordinator, &format!("/reports/{id}")).await.text().await.unwrap();
    assert!(page.contains("9 öppna rekommendationer") || page.contains("6 öppna rekommendationer"), "{page}");
    assert!(page.contains("3 delvis åtgärdade, 5 ej åtgärdade"));
    assert!(page.contains("svar senast 2023-12-22"));
    assert!(!page.contains("var ingen av revisionens rekommendationer öppen"));
    let late = k
        .api
        .send(
            Method::PUT,
            &format!("/reports/{id}"),
            json!({"summary": "", "proposals": "", "decisions": "", "decision_reference": "", "as_of": "2026-12-07"}),
        )
        .await;
    assert_eq!(late.status(), 422);
    assert!(late.text().await.unwrap().contains("Ange ett datum under 2023"));

    // The 2022 report knows only the review; the board's page of the published 2023 report tells the story.
    let (_, before) = report_figures(&k.api, 2022).await;
    assert_eq!(before["figures"]["recommendations"]["open"], 8);
    assert_eq!(before["figures"]["follow_ups"], json!([]));
    let published = k.api.send(Method::POST, &format!("/reports/{id}/publish"), json!({})).await;
    assert_eq!(published.status(), 200);
    let board = app.get(&coordinator, "/dashboard/styrelse").await.text().await.unwrap();
    assert!(board.contains("Svar till revisionen"), "{board}");
    assert!(board.contains("3 delvis åtgärdade, 5 ej åtgärdade"));
    assert!(board.contains("Inga riskanalyser ännu"));
    assert!(!board.contains("card-good\"><h3>Höga risker"));
}

#[tokio::test]
async fn pasting_the_follow_up_recognises_what_it_carries() {
    let app = TestApp::spawn().await;
    let k = kramfors(&app).await;
    let parsed = json_of(
        k.api
            .send(Method::POST, "/recommendations/parse", json!({"text": FOLLOW_UP_PASTE, "audit_id": k.follow_up}))
            .await,
        200,
    )
    .await;
    let items = parsed["items"].as_array().unwrap();
    assert_eq!(items.len(), 12);
    let repeats: Vec<&Value> = items.iter().filter(|i| !i["repeats"].is_null()).collect();
    assert_eq!(repeats.len(), 11, "{parsed}");
    let new: Vec<&Value> = items.iter().filter(|i| i["repeats"].is_null()).collect();
    assert!(new[0]["text"].as_str().unwrap().contains("informationssäkerhetssamordnare"));
    assert!(repeats.iter().all(|i| k.recommendations.iter().any(|r| i["repeats"] == r.as_str())
        || i["repeats"] == k.new_recommendation.as_str()));
    // Without an audit, nothing is known to repeat.
    let plain =
        json_of(k.api.send(Method::POST, "/recommendations/parse", json!({"text": FOLLOW_UP_PASTE})).await, 200).await;
    assert!(plain["items"].as_array().unwrap().iter().all(|i| i["repeats"].is_null()));

    // The preview offers the repeats unticked, with where they came from.
    let coordinator = app.login(COORDINATOR).await;
    let preview = app
        .post_form(&coordinator, &format!("/audits/{}/import/preview", k.follow_up), &[("text", FOLLOW_UP_PASTE)])
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        preview.matches("Finns redan</strong> — överförd från Granskning av informationssäkerhet (2021)").count()
            + preview
                .matches("Finns redan</strong> — överförd från Uppföljande granskning av informationssäkerhet (2023)")
                .count(),
        11
    );
    assert!(preview.contains("11 rader upprepar"));
    let ticked = preview.matches("value=\"1\" checked> Spara den här raden").count();
    assert_eq!(ticked, 1, "only the new one is ticked");
}

#[tokio::test]
async fn mistakes_in_audits_are_undone_where_they_were_made() {
    let app = TestApp::spawn().await;
    let k = kramfors(&app).await;
    let get_rec = |id: String| {
        let api = &k.api;
        async move { json_of(api.get(&format!("/recommendations/{id}")).await, 200).await }
    };

    // A verdict withdrawn through the API: the recommendation has none, and is not carried.
    let first = k.recommendations[0].clone();
    let path = format!("/audits/{}/follow-up-assessments/{first}", k.follow_up);
    assert_eq!(k.api.send(Method::DELETE, &path, json!({})).await.status(), 204);
    assert_eq!(k.api.send(Method::DELETE, &path, json!({})).await.status(), 404);
    let r = get_rec(first.clone()).await;
    assert_eq!(r["latest_verdict"], Value::Null);
    assert_eq!(r["carried_into"], json!([]));

    // On the page: "Ej bedömd" withdraws, and a form that changes nothing says so.
    let coordinator = app.login(COORDINATOR).await;
    let second = k.recommendations[1].clone();
    let field = format!("result_{second}");
    let withdrawn = app.post_form(&coordinator, &format!("/audits/{}/follow-ups", k.follow_up), &[(&field, "")]).await;
    assert_eq!(withdrawn.status(), 303);
    let page = app.get(&coordinator, &format!("/audits/{}", k.follow_up)).await.text().await.unwrap();
    assert!(page.contains("1 bedömning sparad"), "{page}");
    assert_eq!(get_rec(second.clone()).await["latest_verdict"], Value::Null);
    app.post_form(&coordinator, &format!("/audits/{}/follow-ups", k.follow_up), &[(&field, "")]).await;
    let page = app.get(&coordinator, &format!("/audits/{}", k.follow_up)).await.text().await.unwrap();
    assert!(page.contains("Inget ändrades"));

    // A carried recommendation cannot be deleted: the page says why before any confirmation,
    // within the layout, and the recommendation page offers no delete button.
    let third = k.recommendations[2].clone();
    let refused = app.get(&coordinator, &format!("/recommendations/{third}/delete")).await;
    assert_eq!(refused.status(), 409);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("bedömd i 1 uppföljning") && !refused.contains("Ja, ta bort"), "{refused}");
    assert!(refused.contains("<nav"), "the refusal keeps the menu");
    let page = app.get(&coordinator, &format!("/recommendations/{third}")).await.text().await.unwrap();
    assert!(!page.contains(&format!("/recommendations/{third}/delete")));

    // The review is held by its follow-up; the API and the page say so.
    let held = k.api.send(Method::DELETE, &format!("/audits/{}", k.review), json!({})).await;
    assert_eq!(held.status(), 409);
    assert!(held.text().await.unwrap().contains("uppföljning följer upp den"));
    let page = app.get(&coordinator, &format!("/audits/{}/delete", k.review)).await;
    assert_eq!(page.status(), 409);

    // Linked to the wrong audit: relinking the follow-up withdraws its verdicts on the review and
    // what it carried.
    let other = new_audit(
        &k.api,
        json!({"title": "Förstudie om it-säkerhet", "kind": "forstudie", "commissioned_by": "revisorerna",
                       "report_date": "2020-05-01", "body_ids": [k.bodies[0]]}),
    )
    .await;
    let form = json!({"title": "Uppföljande granskning av informationssäkerhet", "kind": "uppfoljande",
                      "commissioned_by": "revisorerna", "report_date": "2023-11-22", "body_ids": k.bodies,
                      "follows": [other]});
    let unlinked = k.api.send(Method::PUT, &format!("/audits/{}", k.follow_up), form).await;
    assert_eq!(unlinked.status(), 200, "{}", unlinked.text().await.unwrap());
    for id in &k.recommendations {
        let r = get_rec(id.clone()).await;
        assert_eq!((r["latest_verdict"].clone(), r["carried_into"].clone()), (Value::Null, json!([])), "{r}");
    }

    // An audit typed in by mistake goes, with its own recommendations, and the log keeps it.
    let mistaken = new_audit(
        &k.api,
        json!({"title": "Fel granskning", "kind": "granskning", "commissioned_by": "revisorerna",
                       "report_date": "2022-01-01", "body_ids": [k.bodies[0]]}),
    )
    .await;
    let items = json!({"items": [{"text": "Något felskrivet.", "body_ids": [k.bodies[0]]}]});
    json_of(k.api.send(Method::POST, &format!("/audits/{mistaken}/recommendations"), items).await, 201).await;
    let page = app.get(&coordinator, &format!("/audits/{mistaken}")).await.text().await.unwrap();
    assert!(page.contains(&format!("/audits/{mistaken}/delete")), "offered where it can succeed");
    let confirm = app.get(&coordinator, &format!("/audits/{mistaken}/delete")).await.text().await.unwrap();
    assert!(confirm.contains("Ja, ta bort"));
    let deleted = app.post_form(&coordinator, &format!("/audits/{mistaken}/delete"), &[]).await;
    assert_eq!(deleted.status(), 303);
    assert_eq!(k.api.get(&format!("/audits/{mistaken}")).await.status(), 404);
    let logged: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE entity_type = 'audit' AND entity_id = $1::uuid AND action = 'delete'",
    )
    .bind(&mistaken)
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(logged, 1);
}
