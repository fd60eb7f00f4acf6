//! Exempelby kommun's organisation and demo accounts.

use sqlx::PgConnection;

use super::model::{BodyInput, BodyKind, GrantInput, MunicipalityInput, PersonInput, UnitInput, UnitKind};
use super::store;
use crate::audit_log::Actor;
use crate::auth::{Role, password};
use crate::config::PasswordCost;
use crate::db::MunicipalityId;
use crate::demo::PASSWORD;

pub const ORG_NUMBER: &str = "212000-0142";

struct DemoAccount {
    email: &'static str,
    name: &'static str,
    is_admin: bool,
    role: Option<Role>,
    /// The body the role is limited to.
    body: Option<&'static str>,
}

const fn account(
    email: &'static str,
    name: &'static str,
    role: Option<Role>,
    body: Option<&'static str>,
) -> DemoAccount {
    DemoAccount { email, name, is_admin: role.is_none(), role, body }
}

/// The accounts listed in the README; the one without a role is the system administrator.
const ACCOUNTS: [DemoAccount; 6] = [
    account("admin@exempelby.se", "Ali Admin", None, None),
    account("samordnare@exempelby.se", "Sara Lind", Some(Role::Samordnare), None),
    account("systemagare@exempelby.se", "Johan Berg", Some(Role::Systemagare), Some("Bildningsnämnden")),
    account("revisor@exempelby.se", "Maria Holm", Some(Role::Revisor), None),
    account("ledamot@exempelby.se", "Per Ek", Some(Role::Fortroendevald), Some("Bildningsnämnden")),
    account("medarbetare@exempelby.se", "Anna Nilsson", Some(Role::Medarbetare), None),
];

/// (name, title, email, unit)
const PEOPLE: &[(&str, &str, &str, &str)] = &[
    ("Sara Lind", "Informationssäkerhetssamordnare", "samordnare@exempelby.se", "Kommunledningsförvaltningen"),
    ("Johan Berg", "Sektorchef grundskola", "systemagare@exempelby.se", "Bildningsförvaltningen"),
    ("Per Ek", "Ordförande, Bildningsnämnden", "ledamot@exempelby.se", ""),
    ("Anna Nilsson", "Undersköterska", "medarbetare@exempelby.se", "Välfärdsförvaltningen"),
    ("Erik Sund", "IT-chef", "erik.sund@exempelby.se", "IT-enheten"),
    ("Karin Ström", "Dataskyddsombud", "karin.strom@exempelby.se", "Kommunledningsförvaltningen"),
    ("Olof Lund", "Förvaltningschef", "olof.lund@exempelby.se", "Bildningsförvaltningen"),
    ("Eva Dahl", "Förvaltningschef", "eva.dahl@exempelby.se", "Välfärdsförvaltningen"),
    ("Nils Ekberg", "Samhällsbyggnadschef", "nils.ekberg@exempelby.se", "Samhällsbyggnadsförvaltningen"),
    ("Lena Sjö", "VD", "lena.sjo@exempelbybostader.se", "Exempelby Bostäder, kontoret"),
];

pub async fn seed(tx: &mut PgConnection, actor: &Actor, cost: PasswordCost) -> anyhow::Result<MunicipalityId> {
    let municipality = super::service::create_municipality(
        tx,
        actor,
        &MunicipalityInput {
            name: "Exempelby kommun".into(),
            org_number: ORG_NUMBER.into(),
            county: "Uppsala län".into(),
        },
    )
    .await?;
    let m = municipality.id;

    let bodies = [
        (BodyKind::Kf, "Kommunfullmäktige", None),
        (BodyKind::Ks, "Kommunstyrelsen", None),
        (BodyKind::Namnd, "Bildningsnämnden", None),
        (BodyKind::Namnd, "Välfärdsnämnden", None),
        (BodyKind::Namnd, "Tekniska nämnden", None),
        (BodyKind::Bolagsstyrelse, "Styrelsen för Exempelby Bostäder AB", Some("Exempelby Bostäder AB")),
    ];
    let mut body_ids = Vec::new();
    for (kind, name, company) in bodies {
        let input = BodyInput { kind, name: name.into(), company_name: company.map(str::to_string) };
        body_ids.push((name, store::create_body(tx, actor, m, &input).await?.id));
    }
    let body = |name: &str| body_ids.iter().find(|(n, _)| *n == name).map(|(_, id)| *id);

    let units = [
        ("Kommunstyrelsen", UnitKind::Forvaltning, "Kommunledningsförvaltningen"),
        ("Kommunstyrelsen", UnitKind::Enhet, "IT-enheten"),
        ("Bildningsnämnden", UnitKind::Forvaltning, "Bildningsförvaltningen"),
        ("Välfärdsnämnden", UnitKind::Forvaltning, "Välfärdsförvaltningen"),
        ("Tekniska nämnden", UnitKind::Forvaltning, "Samhällsbyggnadsförvaltningen"),
        ("Styrelsen för Exempelby Bostäder AB", UnitKind::Enhet, "Exempelby Bostäder, kontoret"),
    ];
    let mut unit_ids = Vec::new();
    for (body_name, kind, name) in units {
        let body_id = body(body_name).expect("demo unit under a demo body");
        let unit = store::create_unit(tx, actor, m, &UnitInput { body_id, kind, name: name.into() }).await?;
        unit_ids.push((name, unit.id));
    }

    for demo in ACCOUNTS {
        let hash = password::hash(PASSWORD.into(), cost).await?;
        let user_id = store::create_account(tx, actor, demo.email, demo.name, &hash, demo.is_admin).await?;
        if let Some(role) = demo.role {
            store::add_grant(tx, actor, m, user_id, &GrantInput { role, body_id: demo.body.and_then(body) }).await?;
        }
    }

    for (name, title, email, unit) in PEOPLE {
        let unit_id = unit_ids.iter().find(|(n, _)| n == unit).map(|(_, id)| *id);
        let input = PersonInput { name: name.to_string(), title: title.to_string(), email: email.to_string(), unit_id };
        store::create_person(tx, actor, m, &input).await?;
    }
    Ok(m)
}
