//! Invitations.

use serde::Serialize;
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::*;
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::auth::Role;
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult};

/// Whether the account has any role in the municipality.
pub async fn has_role_in(db: impl PgExecutor<'_>, m: MunicipalityId, user_id: Uuid) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM role_grants WHERE municipality_id = $1 AND user_id = $2) AS "yes!""#,
        m.uuid(),
        user_id
    )
    .fetch_one(db)
    .await?)
}

/// Invites an account to a role; asking again for the same role changes nothing.
pub async fn invite(
    tx: &mut PgConnection,
    actor: &Actor,
    m: MunicipalityId,
    user_id: Uuid,
    input: &crate::org::model::UserInput,
) -> AppResult<()> {
    check_body(tx, m, input.grant.body_id, "body_id").await?;
    let id = Uuid::new_v4();
    let created = sqlx::query!(
        "INSERT INTO invitations (id, municipality_id, user_id, role, body_id, body_name, email, display_name, invited_by)
         VALUES ($1, $2, $3, $4, $5, (SELECT name FROM bodies WHERE municipality_id = $2 AND id = $5), $6, $7, $8)
         ON CONFLICT DO NOTHING",
        id,
        m.uuid(),
        user_id,
        input.grant.role.code(),
        input.grant.body_id,
        input.email,
        input.display_name,
        actor.name
    )
    .execute(&mut *tx)
    .await?;
    if created.rows_affected() == 1 {
        let snapshot = json!({"E-post": input.email, "Namn": input.display_name, "Roll": input.grant.role.label()});
        audit_log::record(tx, actor, Change::created(Some(m), EntityType::Invitation, id, snapshot)).await?;
    }
    Ok(())
}

/// An invitation as its invitee sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Invitation {
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub municipality_name: String,
    #[schema(value_type = String)]
    pub role: Role,
    pub body_id: Option<Uuid>,
    pub body_name: Option<String>,
    pub invited_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// The user's own open invitations, oldest first.
pub async fn invitations_for(db: impl PgExecutor<'_>, user_id: Uuid) -> AppResult<Vec<Invitation>> {
    Ok(sqlx::query_as!(
        Invitation,
        r#"SELECT i.id, i.municipality_id, m.name AS municipality_name, i.role AS "role: Role", i.body_id, i.body_name,
                  i.invited_by, i.created_at
             FROM invitations i JOIN municipalities m ON m.id = i.municipality_id
            WHERE i.user_id = $1 ORDER BY i.created_at"#,
        user_id
    )
    .fetch_all(db)
    .await?)
}

/// Removes one of the user's invitations and returns it (to be accepted or declined).
pub async fn take_invitation(tx: &mut PgConnection, user_id: Uuid, id: Uuid) -> AppResult<Invitation> {
    let invitation =
        invitations_for(&mut *tx, user_id).await?.into_iter().find(|i| i.id == id).ok_or(AppError::NotFound)?;
    sqlx::query!("DELETE FROM invitations WHERE id = $1 AND user_id = $2", id, user_id).execute(&mut *tx).await?;
    Ok(invitation)
}

/// Open invitations of the municipality, as the coordinator typed them.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SentInvitation {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

pub async fn sent_invitations(db: impl PgExecutor<'_>, m: MunicipalityId) -> AppResult<Vec<SentInvitation>> {
    Ok(sqlx::query_as!(
        SentInvitation,
        r#"SELECT id, email, display_name, role AS "role: Role", created_at FROM invitations WHERE municipality_id = $1 ORDER BY created_at"#,
        m.uuid()
    )
    .fetch_all(db)
    .await?)
}

/// Takes back an invitation the municipality sent.
pub async fn withdraw_invitation(tx: &mut PgConnection, actor: &Actor, m: MunicipalityId, id: Uuid) -> AppResult<()> {
    let row = sqlx::query!(
        r#"DELETE FROM invitations WHERE municipality_id = $1 AND id = $2 RETURNING email, role AS "role: Role""#,
        m.uuid(),
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let snapshot = json!({"E-post": row.email, "Roll": row.role.label()});
    audit_log::record(tx, actor, Change::deleted(Some(m), EntityType::Invitation, id, snapshot)).await
}
