//! Exempelby's suppliers: the jointly owned IT company that runs most systems (its contract has
//! reached its notice period, one requirement is only partly met and one check is overdue), system
//! suppliers with and without security requirements in their contracts, one without a data
//! processing agreement.

use super::model::CheckResult;
use chrono::{Duration, NaiveDate};
use sqlx::PgConnection;
use uuid::Uuid;

use super::model::{CheckInput, ContractInput, Kind, SupplierInput};
use crate::audit_log::Actor;
use crate::db::MunicipalityId;
use crate::web::format::months_after;

/// (name, organisation number, kind, incident contact, shared)
const SUPPLIERS: [(&str, &str, Kind, &str, bool); 4] = [
    ("Länets IT-bolag AB", "556900-1232", Kind::SamagtBolag, "Servicedesk 010-100 00 00, dygnet runt", true),
    ("Omsorgsdata AB", "556712-3459", Kind::Systemleverantor, "support@omsorgsdata.example", false),
    ("Edusys AB", "559011-2230", Kind::Molntjanst, "incident@edusys.example", false),
    ("Larmtjänst AB", "556433-2210", Kind::Systemleverantor, "", false),
];

struct DemoContract {
    supplier: &'static str,
    title: &'static str,
    started_months_ago: u32,
    /// Months from today to the end; None until further notice.
    ends_in_months: Option<u32>,
    notice_months: i16,
    owner: &'static str,
    has_dpa: bool,
    systems: &'static [&'static str],
    requirements: &'static [&'static str],
    /// (requirement, days ago, result, method)
    checks: &'static [(&'static str, i64, CheckResult, &'static str)],
}

const CONTRACTS: [DemoContract; 4] = [
    DemoContract {
        supplier: "Länets IT-bolag AB",
        title: "Drift av kommunens gemensamma IT-miljö",
        started_months_ago: 44,
        ends_in_months: Some(4),
        notice_months: 6,
        owner: "Erik Sund",
        has_dpa: true,
        systems: &["Omsorgsdokumentation", "Lönesystem", "Ekonomisystem", "Katalogtjänst", "E-post och samarbete"],
        requirements: &["B-03", "K-01", "T-01", "T-02", "T-05", "U-01", "U-03"],
        checks: &[
            ("T-01", 90, CheckResult::Met, "Återläsningstest tillsammans med bolaget"),
            ("B-03", 60, CheckResult::Partly, "Bolagets rapport: flerfaktor saknas för administratörskonton"),
            ("U-01", 430, CheckResult::Met, "Bolagets patchrapport"),
        ],
    },
    DemoContract {
        supplier: "Omsorgsdata AB",
        title: "Omsorgsdokumentation som tjänst",
        started_months_ago: 20,
        ends_in_months: Some(28),
        notice_months: 9,
        owner: "Eva Dahl",
        has_dpa: true,
        systems: &["Omsorgsdokumentation"],
        requirements: &[],
        checks: &[],
    },
    DemoContract {
        supplier: "Edusys AB",
        title: "Skolplattform",
        started_months_ago: 30,
        ends_in_months: Some(18),
        notice_months: 6,
        owner: "Johan Berg",
        has_dpa: true,
        systems: &["Skolplattformen"],
        requirements: &["B-03", "K-01", "K-02", "T-01"],
        checks: &[("K-01", 100, CheckResult::Met, "Leverantörens SOC 2-rapport")],
    },
    DemoContract {
        supplier: "Larmtjänst AB",
        title: "Trygghetslarm med larmmottagning",
        started_months_ago: 70,
        ends_in_months: None,
        notice_months: 3,
        owner: "Eva Dahl",
        has_dpa: false,
        systems: &["Trygghetslarm"],
        requirements: &[],
        checks: &[],
    },
];

fn find(list: &[(Uuid, String)], name: &str) -> Option<Uuid> {
    list.iter().find(|(_, n)| n == name).map(|(id, _)| *id)
}

pub async fn seed(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, today: NaiveDate) -> anyhow::Result<()> {
    let mut suppliers = Vec::new();
    for (name, org_number, kind, incident_contact, is_shared) in SUPPLIERS {
        let input = SupplierInput {
            name: name.into(),
            org_number: org_number.into(),
            kind,
            contact: format!("Kundansvarig på {name}"),
            incident_contact: incident_contact.into(),
            escalation_path: if is_shared {
                "Servicedesk → driftchef → bolagets vd; ägarsamråd vid allvarliga incidenter".into()
            } else {
                String::new()
            },
            is_shared,
        };
        let supplier = super::store::create_supplier(tx, actor, m, &input).await?;
        suppliers.push((supplier.id, supplier.name));
    }
    let systems = crate::systems::store::names(&mut *tx, m).await?;
    let people = crate::org::store::person_names(&mut *tx, m).await?;
    let catalogue: Vec<(Uuid, String)> =
        crate::classification::store::catalogue(&mut *tx, m).await?.into_iter().map(|me| (me.id, me.code)).collect();
    for demo in CONTRACTS {
        let Some(supplier_id) = find(&suppliers, demo.supplier) else { continue };
        let starts_on = crate::web::format::months_before(today, demo.started_months_ago);
        let input = ContractInput {
            supplier_id,
            title: demo.title.into(),
            reference: format!("KS {}/{}", starts_on.format("%Y"), 100 + demo.started_months_ago),
            starts_on: Some(starts_on),
            ends_on: demo.ends_in_months.map(|n| months_after(today, n)),
            notice_months: demo.notice_months,
            owner_person_id: find(&people, demo.owner),
            sla_summary: "Tillgänglighet 99,5 % vardagar 07–18; kritiska fel åtgärdas inom 4 timmar.".into(),
            has_dpa: demo.has_dpa,
            check_interval_months: 12,
            system_ids: demo.systems.iter().filter_map(|s| find(&systems, s)).collect(),
            measure_ids: demo.requirements.iter().filter_map(|code| find(&catalogue, code)).collect(),
        };
        let contract = super::store::create_contract(tx, actor, m, &input).await?;
        for (code, days_ago, result, method) in demo.checks {
            let Some(measure_id) = find(&catalogue, code) else { continue };
            let check = CheckInput {
                measure_id,
                checked_on: today - Duration::days(*days_ago),
                method: (*method).into(),
                result: *result,
                evidence: String::new(),
            };
            super::store::record_check(tx, actor, m, &contract, &check).await?;
        }
    }
    Ok(())
}
