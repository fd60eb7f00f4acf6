//! JSON API for the organisation, under `/api/v1`.

use axum::Json;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use serde::Serialize;
use uuid::Uuid;

use super::model::{BodyForm, GrantForm, MunicipalityForm, PersonForm, UnitForm, UserForm};
use super::service;
use super::store::{self, Body, Municipality, Person, Unit, UserView};
use crate::AppState;
use crate::auth::{MunicipalityRef, Principal, Role};
use crate::error::{AppResult, Problem};
use crate::web::pagination::{ApiPage, ListQuery, Paged, Search};

const TAG: &str = "Organisation";

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub is_admin: bool,
    pub municipality: Option<MunicipalityRef>,
    pub roles: Vec<Role>,
    pub municipalities: Vec<MunicipalityRef>,
}

/// The signed-in user, their current municipality and roles there.
#[utoipa::path(get, path = "/me", tag = TAG, responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(principal: Principal) -> Json<Me> {
    Json(Me {
        id: principal.user_id,
        email: principal.email,
        display_name: principal.display_name,
        is_admin: principal.is_admin,
        municipality: principal.municipality,
        roles: principal.grants.iter().map(|g| g.role).collect(),
        municipalities: principal.municipalities,
    })
}

// ---------------------------------------------------------------- bodies

/// The municipality's bodies: KF, KS, nämnder, gemensamma nämnder and bolagsstyrelser.
#[utoipa::path(get, path = "/bodies", tag = TAG, responses((status = 200, body = Vec<Body>)))]
pub async fn list_bodies(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Vec<Body>>> {
    Ok(Json(store::list_bodies(&state.pool, principal.tenant()?).await?))
}

#[utoipa::path(get, path = "/bodies/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = Body), (status = 404, body = Problem)))]
pub async fn get_body(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Body>> {
    Ok(Json(store::get_body(&state.pool, principal.tenant()?, id).await?))
}

#[utoipa::path(post, path = "/bodies", tag = TAG, request_body = BodyForm,
    responses((status = 201, body = Body), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_body(
    State(state): State<AppState>,
    principal: Principal,
    Json(form): Json<BodyForm>,
) -> AppResult<(StatusCode, Json<Body>)> {
    Ok((StatusCode::CREATED, Json(service::create_body(&state, &principal, &form).await?)))
}

#[utoipa::path(put, path = "/bodies/{id}", tag = TAG, params(("id" = Uuid, Path)), request_body = BodyForm,
    responses((status = 200, body = Body), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_body(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(form): Json<BodyForm>,
) -> AppResult<Json<Body>> {
    Ok(Json(service::update_body(&state, &principal, id, &form).await?))
}

#[utoipa::path(delete, path = "/bodies/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_body(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    service::delete_body(&state, &principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- units

/// Förvaltningar, sektorer and enheter, each under a body.
#[utoipa::path(get, path = "/units", tag = TAG, responses((status = 200, body = Vec<Unit>)))]
pub async fn list_units(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Vec<Unit>>> {
    Ok(Json(store::list_units(&state.pool, principal.tenant()?).await?))
}

#[utoipa::path(get, path = "/units/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = Unit), (status = 404, body = Problem)))]
pub async fn get_unit(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Unit>> {
    Ok(Json(store::get_unit(&state.pool, principal.tenant()?, id).await?))
}

#[utoipa::path(post, path = "/units", tag = TAG, request_body = UnitForm,
    responses((status = 201, body = Unit), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_unit(
    State(state): State<AppState>,
    principal: Principal,
    Json(form): Json<UnitForm>,
) -> AppResult<(StatusCode, Json<Unit>)> {
    Ok((StatusCode::CREATED, Json(service::create_unit(&state, &principal, &form).await?)))
}

#[utoipa::path(put, path = "/units/{id}", tag = TAG, params(("id" = Uuid, Path)), request_body = UnitForm,
    responses((status = 200, body = Unit), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_unit(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(form): Json<UnitForm>,
) -> AppResult<Json<Unit>> {
    Ok(Json(service::update_unit(&state, &principal, id, &form).await?))
}

#[utoipa::path(delete, path = "/units/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_unit(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    service::delete_unit(&state, &principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- people

#[derive(Serialize, utoipa::ToSchema)]
pub struct PersonPage {
    pub people: Vec<Person>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

/// People in the municipality, 50 a page; `q` searches name, title and email.
#[utoipa::path(get, path = "/people", tag = TAG, params(("q" = Option<String>, Query), ("page" = Option<i64>, Query)),
    responses((status = 200, body = PersonPage)))]
pub async fn list_people(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ListQuery>,
) -> AppResult<Json<PersonPage>> {
    let mut conn = state.pool.acquire().await?;
    let (people, pager) = service::people(&mut conn, &principal, query.search(), Some(query.page())).await?;
    Ok(Json(PersonPage { people, total: pager.total, page: pager.page, pages: pager.pages }))
}

#[utoipa::path(get, path = "/people/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = Person), (status = 404, body = Problem)))]
pub async fn get_person(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Person>> {
    Ok(Json(service::person(&state, &principal, id).await?))
}

#[utoipa::path(post, path = "/people", tag = TAG, request_body = PersonForm,
    responses((status = 201, body = Person), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_person(
    State(state): State<AppState>,
    principal: Principal,
    Json(form): Json<PersonForm>,
) -> AppResult<(StatusCode, Json<Person>)> {
    Ok((StatusCode::CREATED, Json(service::create_person(&state, &principal, &form).await?)))
}

#[utoipa::path(put, path = "/people/{id}", tag = TAG, params(("id" = Uuid, Path)), request_body = PersonForm,
    responses((status = 200, body = Person), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_person(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(form): Json<PersonForm>,
) -> AppResult<Json<Person>> {
    Ok(Json(service::update_person(&state, &principal, id, &form).await?))
}

#[utoipa::path(delete, path = "/people/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_person(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    service::delete_person(&state, &principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- users and roles

/// Users with a role in the municipality.
#[utoipa::path(get, path = "/users", tag = TAG, params(Search, ApiPage),
    responses((status = 200, body = Vec<UserView>, headers(("X-Total-Count" = i64), ("Link" = String))),
              (status = 403, body = Problem)))]
pub async fn list_users(
    State(state): State<AppState>,
    principal: Principal,
    uri: OriginalUri,
    Query(search): Query<Search>,
    Query(paging): Query<ApiPage>,
) -> AppResult<Paged<UserView>> {
    let mut db = state.pool.acquire().await?;
    let (items, pager) = service::users(&mut db, &principal, search.q.trim(), paging.asked()).await?;
    Ok(Paged { items, pager, uri: uri.0 })
}

#[utoipa::path(get, path = "/users/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = UserView), (status = 404, body = Problem)))]
pub async fn get_user(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<Json<UserView>> {
    Ok(Json(service::user(&state, &principal, id).await?))
}

/// What adding a person led to: a role granted (the person already works here, or a system
/// administrator added them) or an invitation the person must accept at their next login. The
/// answer for an invitation is the same whether or not the address has an account in Lisa.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct AddedUser {
    /// "tilldelad" (granted) or "inbjuden" (invited).
    pub status: &'static str,
    /// The user with their roles here, when the role was granted.
    pub user: Option<UserView>,
    /// A new account's one-time link to choose its first password, when Lisa has no mail to
    /// send it with: give it to the person. Absent when it was mailed or no account was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_link: Option<String>,
}

/// Gives a person a role: granted at once if they already have a role here, else an invitation.
#[utoipa::path(post, path = "/users", tag = TAG, request_body = UserForm,
    responses((status = 201, body = AddedUser), (status = 202, body = AddedUser), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    principal: Principal,
    Json(form): Json<UserForm>,
) -> AppResult<(StatusCode, Json<AddedUser>)> {
    let m = principal.tenant()?;
    let (added, link) = service::add_user(&state, &principal, m, &form).await?;
    // Without mail, the first-password link is given to the coordinator, once, to pass on.
    let password_link = link.as_ref().and_then(|link| link.shown()).map(str::to_string);
    Ok(match added {
        service::Added::Granted(id) => {
            let user = store::get_user(&state.pool, m, id).await?;
            (StatusCode::CREATED, Json(AddedUser { status: "tilldelad", user: Some(user), password_link }))
        }
        service::Added::Invited => {
            (StatusCode::ACCEPTED, Json(AddedUser { status: "inbjuden", user: None, password_link }))
        }
    })
}

#[utoipa::path(post, path = "/users/{id}/grants", tag = TAG, params(("id" = Uuid, Path)), request_body = GrantForm,
    responses((status = 201, body = UserView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_grant(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(form): Json<GrantForm>,
) -> AppResult<(StatusCode, Json<UserView>)> {
    service::add_grant(&state, &principal, id, &form).await?;
    Ok((StatusCode::CREATED, Json(store::get_user(&state.pool, principal.tenant()?, id).await?)))
}

#[utoipa::path(delete, path = "/users/{id}/grants/{grant_id}", tag = TAG,
    params(("id" = Uuid, Path), ("grant_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn remove_grant(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, grant_id)): Path<(Uuid, Uuid)>,
) -> AppResult<StatusCode> {
    service::remove_grant(&state, &principal, id, grant_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- municipalities

/// All municipalities (system administrators only).
#[utoipa::path(get, path = "/municipalities", tag = TAG,
    responses((status = 200, body = Vec<Municipality>), (status = 403, body = Problem)))]
pub async fn list_municipalities(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<Municipality>>> {
    Ok(Json(service::municipalities(&state, &principal).await?))
}

#[utoipa::path(post, path = "/municipalities", tag = TAG, request_body = MunicipalityForm,
    responses((status = 201, body = Municipality), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_municipality(
    State(state): State<AppState>,
    principal: Principal,
    Json(form): Json<MunicipalityForm>,
) -> AppResult<(StatusCode, Json<Municipality>)> {
    Ok((StatusCode::CREATED, Json(service::save_municipality(&state, &principal, None, &form).await?)))
}

#[utoipa::path(put, path = "/municipalities/{id}", tag = TAG, params(("id" = Uuid, Path)), request_body = MunicipalityForm,
    responses((status = 200, body = Municipality), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn update_municipality(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
    Json(form): Json<MunicipalityForm>,
) -> AppResult<Json<Municipality>> {
    Ok(Json(service::save_municipality(&state, &principal, Some(id), &form).await?))
}

// ---------------------------------------------------------------- the caller's own invitations

/// The roles others have offered the caller, to accept or decline.
#[utoipa::path(get, path = "/invitations", tag = TAG, responses((status = 200, body = Vec<store::Invitation>)))]
pub async fn list_invitations(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<store::Invitation>>> {
    Ok(Json(store::invitations_for(&state.pool, principal.user_id).await?))
}

/// Accepts an invitation: the caller gets the role.
#[utoipa::path(post, path = "/invitations/{id}/accept", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    service::answer_invitation(&state, &principal, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Declines an invitation.
#[utoipa::path(post, path = "/invitations/{id}/decline", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn decline_invitation(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    service::answer_invitation(&state, &principal, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
