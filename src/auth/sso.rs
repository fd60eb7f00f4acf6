//! Single sign-on with the municipality's own identity provider: OpenID Connect's authorization
//! code flow with PKCE, `state` and `nonce`; the provider found by discovery (its keys fetched
//! with it, so a rotated key is picked up at the next sign-in); the ID token's signature,
//! issuer, audience, expiry and nonce checked by the `openidconnect` crate. A person is found by
//! issuer and subject once linked, the first time by verified email (or a claim the municipality
//! names, such as `upn`) among the municipality's accounts, or created with the employee role
//! where the municipality allows it. Where the municipality maps the IdP's groups to roles, the
//! IdP decides the person's municipality-wide roles at every sign-in.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreProviderMetadata,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndUserEmail, EndUserName, EndUserUsername, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, LocalizedClaim, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, UserInfoClaims,
};
use serde_json::json;
use sqlx::PgPool;
use sqlx::types::Json;
use uuid::Uuid;

use super::idp_claims::{self, Asserted, GroupRole, OtherClaims};
use super::session;
use crate::AppState;
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::auth::Role;
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult};

/// How long a person may take at the IdP before the sign-in must start over.
const LOGIN_MINUTES: i32 = 10;

/// The path the IdP sends the person back to, after `LISA_PUBLIC_URL`.
pub const CALLBACK_PATH: &str = "/login/oidc/callback";

/// A municipality's IdP as the login page offers it.
pub struct Offered {
    pub municipality_id: Uuid,
    pub display_name: String,
}

/// A municipality's IdP as configured (the secret still encrypted).
struct Configured {
    issuer: String,
    client_id: String,
    client_secret: Vec<u8>,
    create_accounts: bool,
    match_claim: String,
    group_claim: Option<String>,
    group_roles: Json<Vec<GroupRole>>,
}

/// The settings of a municipality's IdP, as the CLI and the administrator give them.
pub struct Settings {
    pub display_name: String,
    pub issuer: String,
    pub client_id: String,
    /// Empty keeps the secret already stored.
    pub client_secret: String,
    pub create_accounts: bool,
    pub require_sso: bool,
    /// The claim that finds an account the first time (`email`: the verified email).
    pub match_claim: String,
    /// Where the IdP decides roles: the claim listing a person's groups, and the role each gives.
    pub group_roles: Option<GroupMapping>,
}

/// The IdP's groups as Lisa roles.
pub struct GroupMapping {
    pub claim: String,
    pub roles: Vec<GroupRole>,
}

/// The settings as the administrator's form and the CLI give them (the secret is never shown again).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub issuer: String,
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub client_secret: String,
    #[serde(default)]
    pub create_accounts: bool,
    #[serde(default)]
    pub require_sso: bool,
    /// Empty: the verified email.
    #[serde(default)]
    pub match_claim: String,
    /// Empty: roles are managed in Lisa.
    #[serde(default)]
    pub group_claim: String,
    /// Lines `group = role`.
    #[serde(default)]
    pub group_roles: String,
}

/// A claim's name as OpenID providers spell them (`upn`, `preferred_username`, `groups`).
fn is_claim_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '/'))
}

impl SettingsForm {
    /// `has_secret`: a secret is stored already, so an empty one keeps it.
    pub fn validate(&self, has_secret: bool) -> Result<Settings, crate::error::FieldErrors> {
        let mut errors = crate::error::FieldErrors::new();
        if self.display_name.trim().is_empty() {
            errors.insert("display_name".into(), "Skriv vad knappen ska heta, t.ex. Exempelby kommuns konto.".into());
        }
        if IssuerUrl::new(self.issuer.trim().to_string()).is_err() || !self.issuer.trim().starts_with("http") {
            errors.insert("issuer".into(), "Utfärdaren ska vara en adress, t.ex. https://login.kommun.se.".into());
        }
        if self.client_id.trim().is_empty() {
            errors.insert("client_id".into(), "Klient-id behövs.".into());
        }
        if self.client_secret.trim().is_empty() && !has_secret {
            errors.insert("client_secret".into(), "Klienthemligheten behövs.".into());
        }
        let match_claim = Some(self.match_claim.trim()).filter(|c| !c.is_empty()).unwrap_or(idp_claims::EMAIL);
        if !is_claim_name(match_claim) {
            errors.insert(
                "match_claim".into(),
                "Skriv namnet på ett anspråk, t.ex. email, upn eller preferred_username.".into(),
            );
        }
        let group_claim = self.group_claim.trim();
        let group_roles = idp_claims::parse_group_roles(&self.group_roles);
        match &group_roles {
            Err(message) => {
                errors.insert("group_roles".into(), message.clone());
            }
            Ok(mapped) if mapped.is_empty() && !group_claim.is_empty() => {
                errors.insert(
                    "group_roles".into(),
                    "Skriv minst en rad grupp = roll, eller töm fältet för anspråket.".into(),
                );
            }
            Ok(mapped) if !mapped.is_empty() && group_claim.is_empty() => {
                errors.insert("group_claim".into(), "Skriv vilket anspråk som listar grupperna, t.ex. groups.".into());
            }
            _ => {}
        }
        if !group_claim.is_empty() && !is_claim_name(group_claim) {
            errors.insert("group_claim".into(), "Skriv namnet på ett anspråk, t.ex. groups eller roles.".into());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Settings {
            display_name: self.display_name.trim().to_string(),
            issuer: self.issuer.trim().to_string(),
            client_id: self.client_id.trim().to_string(),
            client_secret: self.client_secret.trim().to_string(),
            create_accounts: self.create_accounts,
            require_sso: self.require_sso,
            match_claim: match_claim.to_string(),
            group_roles: group_roles
                .ok()
                .filter(|mapped| !mapped.is_empty())
                .map(|roles| GroupMapping { claim: group_claim.to_string(), roles }),
        })
    }
}

/// The form for a municipality's IdP as set now (the secret left out), and whether one is set.
pub async fn settings_form(pool: &PgPool, m: MunicipalityId) -> AppResult<(SettingsForm, bool)> {
    let row = sqlx::query!(
        r#"SELECT display_name, issuer, client_id, create_accounts, require_sso, match_claim, group_claim,
                  group_roles AS "group_roles: Json<Vec<GroupRole>>"
             FROM sso_providers WHERE municipality_id = $1"#,
        m.uuid()
    )
    .fetch_optional(pool)
    .await?;
    Ok(match row {
        Some(r) => (
            SettingsForm {
                display_name: r.display_name,
                issuer: r.issuer,
                client_id: r.client_id,
                client_secret: String::new(),
                create_accounts: r.create_accounts,
                require_sso: r.require_sso,
                match_claim: r.match_claim,
                group_claim: r.group_claim.unwrap_or_default(),
                group_roles: idp_claims::group_roles_text(&r.group_roles),
            },
            true,
        ),
        None => (SettingsForm::default(), false),
    })
}

/// The system administrator sets a municipality's IdP in the interface.
pub async fn save(
    state: &AppState,
    principal: &super::Principal,
    m: MunicipalityId,
    form: &SettingsForm,
) -> AppResult<()> {
    principal.require(principal.is_admin)?;
    let (_, has_secret) = settings_form(&state.pool, m).await?;
    let settings = form.validate(has_secret).map_err(AppError::Validation)?;
    let key = state.config.secret_key.as_ref().ok_or_else(|| {
        AppError::Validation(crate::error::FieldErrors::from([(
            "client_secret".to_string(),
            "LISA_SECRET_KEY saknas på servern; utan den kan hemligheten inte sparas.".to_string(),
        )]))
    })?;
    configure(&state.pool, &Actor::from(principal), key, m, &settings).await
}

/// Why a sign-in through the IdP was refused, in words for the login page.
#[derive(Debug)]
pub struct Refused(pub String);

fn refused(message: impl Into<String>) -> Refused {
    Refused(message.into())
}

// ---------------------------------------------------------------- the client secret

/// Encrypts a client secret for one municipality (`auth::sealed`).
pub fn seal(key: &[u8; 32], municipality: MunicipalityId, secret: &str) -> Vec<u8> {
    super::sealed::seal(key, municipality.uuid().as_bytes(), secret)
}

/// Decrypts what `seal` made for the same municipality with the same key.
pub fn open(key: &[u8; 32], municipality: MunicipalityId, sealed: &[u8]) -> Option<String> {
    super::sealed::open(key, municipality.uuid().as_bytes(), sealed)
}

fn secret_key(state: &AppState) -> Result<&[u8; 32], Refused> {
    state.config.secret_key.as_ref().ok_or_else(|| refused("Inloggningen via kommunen är inte färdig att använda: LISA_SECRET_KEY saknas. Kontakta Lisas systemadministratör."))
}

// ---------------------------------------------------------------- settings

/// Sets (or replaces) a municipality's IdP; run by the CLI and the system administrator.
/// The settings are valid (`SettingsForm::validate` made them).
pub async fn configure(
    pool: &PgPool,
    actor: &Actor,
    key: &[u8; 32],
    m: MunicipalityId,
    settings: &Settings,
) -> AppResult<()> {
    let group_claim = settings.group_roles.as_ref().map(|g| g.claim.as_str());
    let group_roles = Json(settings.group_roles.as_ref().map(|g| g.roles.clone()).unwrap_or_default());
    let sealed = Some(settings.client_secret.trim()).filter(|s| !s.is_empty()).map(|secret| seal(key, m, secret));
    let mut tx = pool.begin().await?;
    crate::db::tenant::act_for(&mut tx, m).await?;
    // Without a new secret the stored one stays; a first setting without one leaves the
    // column empty, which its NOT NULL refuses.
    sqlx::query!(
        "INSERT INTO sso_providers (municipality_id, display_name, issuer, client_id, client_secret, create_accounts,
                                    require_sso, match_claim, group_claim, group_roles)
         VALUES ($1, $2, $3, $4, COALESCE($5, (SELECT client_secret FROM sso_providers WHERE municipality_id = $1)),
                 $6, $7, $8, $9, $10)
         ON CONFLICT (municipality_id) DO UPDATE SET display_name = $2, issuer = $3, client_id = $4,
                client_secret = EXCLUDED.client_secret, create_accounts = $6, require_sso = $7, match_claim = $8,
                group_claim = $9, group_roles = $10, updated_at = now()",
        m.uuid(),
        settings.display_name.trim(),
        settings.issuer.trim(),
        settings.client_id.trim(),
        sealed,
        settings.create_accounts,
        settings.require_sso,
        settings.match_claim,
        group_claim,
        group_roles as _,
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("23502") => {
            AppError::BadRequest("Klienthemligheten behövs.".into())
        }
        other => other.into(),
    })?;
    let after = json!({"Inloggning": settings.display_name.trim(), "Utfärdare": settings.issuer.trim(),
                       "Klient-id": settings.client_id.trim(), "Skapar konton": settings.create_accounts,
                       "Krävs": settings.require_sso, "Kopplas med": settings.match_claim,
                       "Roller från IdP:n": idp_claims::group_roles_text(&group_roles)});
    audit_log::record(&mut tx, actor, Change::updated(Some(m), EntityType::Municipality, m.uuid(), json!({}), after))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Lets an account sign in with its password where single sign-on is required, or stops it.
pub async fn set_break_glass(pool: &PgPool, actor: &Actor, user_id: Uuid, allowed: bool) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    sqlx::query!("UPDATE users SET break_glass = $2 WHERE id = $1", user_id, allowed).execute(&mut *tx).await?;
    let change = Change::updated(
        None,
        EntityType::User,
        user_id,
        json!({}),
        json!({"Nödkonto (lösenord trots krav på kommunens inloggning)": allowed}),
    );
    audit_log::record(&mut tx, actor, change).await?;
    tx.commit().await?;
    Ok(())
}

/// The IdPs the login page offers, by name.
pub async fn offered(pool: &PgPool) -> AppResult<Vec<Offered>> {
    Ok(sqlx::query_as!(Offered, "SELECT municipality_id, display_name FROM sso_providers ORDER BY display_name")
        .fetch_all(pool)
        .await?)
}

async fn configured(pool: &PgPool, m: MunicipalityId) -> AppResult<Option<Configured>> {
    Ok(sqlx::query_as!(
        Configured,
        r#"SELECT issuer, client_id, client_secret, create_accounts, match_claim, group_claim,
                  group_roles AS "group_roles: Json<Vec<GroupRole>>"
             FROM sso_providers WHERE municipality_id = $1"#,
        m.uuid()
    )
    .fetch_optional(pool)
    .await?)
}

/// Whether the account must sign in through an IdP: it has a role in a municipality that
/// requires it and is not a break-glass account. Returns that IdP's name.
pub async fn required_for(pool: &PgPool, user_id: Uuid) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar!(
        "SELECT p.display_name FROM sso_providers p
          WHERE p.require_sso
            AND EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = $1 AND g.municipality_id = p.municipality_id)
            AND NOT (SELECT break_glass FROM users WHERE id = $1)
          ORDER BY p.display_name LIMIT 1",
        user_id
    )
    .fetch_optional(pool)
    .await?)
}

// ---------------------------------------------------------------- the flow

fn http_client() -> Result<openidconnect::reqwest::Client, Refused> {
    // Redirects are not followed: a provider's answer must come from where it was asked.
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| refused(format!("Lisa kunde inte nå kommunens inloggning ({e}).")))
}

/// `https://host:port` of an address.
fn origin(address: &str) -> Option<String> {
    let url = url::Url::parse(address).ok()?;
    Some(url.origin().ascii_serialization())
}

/// Whether discovery may send Lisa to `address`: the issuer's own origin, or one the system
/// administrator allows (LISA_IDP_ORIGINS). Anything else (an internal address named in a
/// provider's answer) is never fetched.
fn may_fetch(issuer: &str, address: &str, allowed: &[String]) -> bool {
    match (origin(issuer), origin(address)) {
        (Some(own), Some(theirs)) => own == theirs || allowed.iter().any(|a| origin(a).as_ref() == Some(&theirs)),
        _ => false,
    }
}

/// The addresses a provider's discovery document names, read before anything is fetched from them.
#[derive(serde::Deserialize)]
struct Named {
    jwks_uri: String,
    #[serde(default)]
    token_endpoint: Option<String>,
    #[serde(default)]
    userinfo_endpoint: Option<String>,
}

async fn discover(
    issuer: &str,
    http: &openidconnect::reqwest::Client,
    allowed: &[String],
) -> Result<CoreProviderMetadata, Refused> {
    let unreachable = || {
        refused(
            "Kommunens inloggning svarar inte som den ska (utfärdaren stämmer inte eller går inte att nå). Försök igen eller kontakta IT.",
        )
    };
    let document = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    let body = http.get(&document).send().await.map_err(|_| unreachable())?.bytes().await.map_err(|_| unreachable())?;
    let named: Named = serde_json::from_slice(&body).map_err(|_| unreachable())?;
    let addresses = [Some(&named.jwks_uri), named.token_endpoint.as_ref(), named.userinfo_endpoint.as_ref()];
    if addresses.into_iter().flatten().any(|address| !may_fetch(issuer, address, allowed)) {
        tracing::warn!(issuer, "OpenID discovery names an address outside the issuer's origin");
        return Err(refused(
            "Kommunens inloggning pekar på adresser utanför utfärdarens egen (nycklar eller token). \
             Systemadministratören kan tillåta dem med LISA_IDP_ORIGINS.",
        ));
    }
    let issuer = IssuerUrl::new(issuer.to_string()).map_err(|_| refused("Utfärdarens adress är felaktig."))?;
    CoreProviderMetadata::discover_async(issuer, http).await.map_err(|e| {
        tracing::warn!(error = %e, "OpenID discovery failed");
        refused("Kommunens inloggning svarar inte som den ska (utfärdaren stämmer inte eller går inte att nå). Försök igen eller kontakta IT.")
    })
}

/// A client as the IdP's discovery describes it now (its keys included).
type IdpClient =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// The municipality's IdP and a client for it, with the secret opened and the redirect URI set.
async fn client_for(state: &AppState, m: MunicipalityId) -> Result<(IdpClient, Configured), Refused> {
    let provider = configured(&state.pool, m)
        .await
        .map_err(|e| refused(format!("Inloggningen via kommunen kunde inte läsas ({e}).")))?
        .ok_or_else(|| refused("Kommunen har ingen inloggning via sin IdP."))?;
    let key = secret_key(state)?;
    let secret = open(key, m, &provider.client_secret)
        .ok_or_else(|| refused("Klienthemligheten går inte att läsa med LISA_SECRET_KEY."))?;
    let metadata = discover(&provider.issuer, &http_client()?, &state.config.idp_origins).await?;
    let redirect = RedirectUrl::new(format!("{}{CALLBACK_PATH}", state.config.public_url.trim_end_matches('/')))
        .map_err(|_| refused("LISA_PUBLIC_URL är ingen adress."))?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(provider.client_id.clone()),
        Some(ClientSecret::new(secret)),
    )
    .set_redirect_uri(redirect);
    Ok((client, provider))
}

/// A sign-in started: the address at the IdP to send the person to, and the state it carries,
/// which the browser also keeps in a cookie so that the answer is taken only from the browser
/// that asked (no one can sign a victim in as themselves with their own code).
pub struct Started {
    pub url: String,
    pub state: String,
}

/// Starts a sign-in.
pub async fn start(state: &AppState, m: MunicipalityId, next: &str) -> Result<Started, Refused> {
    let db = |e: AppError| refused(format!("Inloggningen kunde inte starta ({e})."));
    let (client, _) = client_for(state, m).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    sqlx::query!(
        "INSERT INTO sso_logins (state_hash, municipality_id, nonce, pkce_verifier, next) VALUES ($1, $2, $3, $4, $5)",
        session::token_hash(csrf.secret()),
        m.uuid(),
        nonce.secret(),
        verifier.secret(),
        next
    )
    .execute(&state.pool)
    .await
    .map_err(|e| db(e.into()))?;
    Ok(Started { url: url.to_string(), state: csrf.secret().clone() })
}

/// What the municipality's IdP vouched for, checked: the account is found (or linked, or made)
/// from it where accounts are kept (`org::idp_accounts`).
pub struct Vouched {
    pub municipality: MunicipalityId,
    pub issuer: String,
    pub subject: String,
    /// What finds the account the first time (a verified email or the named claim), lowercased.
    pub key: Option<String>,
    pub name: Option<String>,
    /// The refusal when `key` is missing.
    pub no_key: String,
    /// Where the IdP decides roles: the ones its groups give.
    pub roles: Option<Vec<Role>>,
    /// Whether the municipality lets a sign-in make an account.
    pub create_accounts: bool,
    pub next: String,
    /// The ID token, kept with the session as the hint for logging out at the IdP.
    pub id_token: String,
}

/// The IdP sent the person back with a code: check everything, and say what the IdP vouched for.
pub async fn finish(state: &AppState, state_param: &str, code: &str) -> Result<Vouched, Refused> {
    let db = |e: sqlx::Error| refused(format!("Inloggningen kunde inte slutföras ({e})."));
    // The state is used once: a replayed answer finds nothing.
    let login = sqlx::query!(
        "DELETE FROM sso_logins WHERE state_hash = $1 AND created_at > now() - make_interval(mins => $2)
         RETURNING municipality_id, nonce, pkce_verifier, next",
        session::token_hash(state_param),
        LOGIN_MINUTES
    )
    .fetch_optional(&state.pool)
    .await
    .map_err(db)?
    .ok_or_else(|| {
        refused(
            "Inloggningen kunde inte kontrolleras: den är redan använd, för gammal eller kom inte från Lisa. Börja om.",
        )
    })?;
    // The municipality the sign-in was started for, kept with its one-time state.
    let m = MunicipalityId::chosen(login.municipality_id);
    let (client, provider) = client_for(state, m).await?;
    let http = http_client()?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .map_err(|_| refused("Kommunens inloggning saknar en token-adress."))?
        .set_pkce_verifier(PkceCodeVerifier::new(login.pkce_verifier))
        .request_async(&http)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "OpenID code exchange refused");
            refused("Kommunens inloggning godtog inte svaret (koden är använd, gammal eller gäller en annan tjänst). Börja om.")
        })?;
    // Read with every claim kept (the core type drops the ones it does not name, such as
    // `upn` and `groups`), then checked as the core type would be.
    let id_token: IdToken = tokens
        .id_token()
        .ok_or_else(|| refused("Kommunens inloggning skickade ingen ID-token."))?
        .to_string()
        .parse()
        .map_err(|_| refused("ID-token från kommunens inloggning kunde inte läsas."))?;
    let claims = id_token.claims(&client.id_token_verifier(), &Nonce::new(login.nonce)).map_err(|e| {
        tracing::warn!(error = %e, "ID token refused");
        refused(format!("ID-token från kommunens inloggning godtogs inte: {}.", swedish(&e)))
    })?;
    let issuer = claims.issuer().as_str().to_string();
    let subject = claims.subject().as_str().to_string();
    let mut person = asserted(
        claims.email(),
        claims.email_verified(),
        claims.preferred_username(),
        claims.name(),
        claims.additional_claims(),
    );
    let group_claim = provider.group_claim.as_deref();
    // Many providers put only the subject in the ID token and the rest at the UserInfo
    // endpoint, for the same subject (checked by the crate).
    if person.lacks(&provider.match_claim, group_claim) {
        let info: UserInfoClaims<OtherClaims, CoreGenderClaim> = client
            .user_info(tokens.access_token().clone(), Some(claims.subject().clone()))
            .map_err(|_| refused(missing(&provider.match_claim)))?
            .request_async(&http)
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "UserInfo refused");
                refused(
                    "Kommunens inloggning gav inte ut uppgifterna om dig (UserInfo). Försök igen eller kontakta IT.",
                )
            })?;
        person.complete_with(asserted(
            info.email(),
            info.email_verified(),
            info.preferred_username(),
            info.name(),
            info.additional_claims(),
        ));
    }
    let key = person.account_key(&provider.match_claim);
    let roles = group_claim.map(|claim| idp_claims::roles_for_groups(&person.other.list(claim), &provider.group_roles));
    let no_key = match &person.email {
        Some(_) if provider.match_claim == idp_claims::EMAIL => {
            "Kommunens inloggning har inte bekräftat din e-postadress, så Lisa kan inte koppla dig till ett konto."
                .into()
        }
        _ => missing(&provider.match_claim),
    };
    Ok(Vouched {
        municipality: m,
        issuer,
        subject,
        key,
        name: person.name,
        no_key,
        roles,
        create_accounts: provider.create_accounts,
        next: login.next,
        id_token: id_token.to_string(),
    })
}

/// Where to end the sign-in at the IdP when a session begun there logs out of Lisa (RP-initiated
/// logout), if the IdP offers it. Logging out of Lisa never waits on an IdP that is down.
pub async fn end_session_url(state: &AppState, session_hash: &[u8]) -> Option<String> {
    let row = sqlx::query!(
        "SELECT s.id_token, p.issuer, p.client_id FROM sessions s JOIN sso_providers p ON p.municipality_id = s.idp_municipality_id
          WHERE s.token_hash = $1",
        session_hash
    )
    .fetch_optional(&state.pool)
    .await
    .ok()??;
    let id_token = row.id_token?;
    let http = http_client().ok()?;
    let issuer = IssuerUrl::new(row.issuer).ok()?;
    let metadata = openidconnect::ProviderMetadataWithLogout::discover_async(issuer, &http)
        .await
        .inspect_err(|e| tracing::warn!(error = %e, "OpenID discovery for logout failed"))
        .ok()?;
    let mut url = metadata.additional_metadata().end_session_endpoint.as_ref()?.url().clone();
    url.query_pairs_mut()
        .append_pair("id_token_hint", &id_token)
        .append_pair("client_id", &row.client_id)
        .append_pair("post_logout_redirect_uri", &format!("{}/login", state.config.public_url.trim_end_matches('/')));
    Some(url.to_string())
}

/// What the ID token's refusal means, in Swedish.
fn swedish(error: &openidconnect::ClaimsVerificationError) -> &'static str {
    use openidconnect::ClaimsVerificationError as E;
    match error {
        E::Expired(_) => "den har gått ut",
        E::InvalidAudience(_) => "den är utfärdad för en annan tjänst",
        E::InvalidIssuer(_) => "den kommer från en annan utfärdare",
        E::InvalidNonce(_) => "den hör inte till den här inloggningen",
        E::SignatureVerification(_) => "signaturen stämmer inte",
        _ => "den kunde inte kontrolleras",
    }
}

/// An ID token with every claim the IdP sent.
type IdToken =
    openidconnect::IdToken<OtherClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;

/// What a set of claims (an ID token's or UserInfo's) says about the person.
fn asserted(
    email: Option<&EndUserEmail>,
    email_verified: Option<bool>,
    username: Option<&EndUserUsername>,
    name: Option<&LocalizedClaim<EndUserName>>,
    other: &OtherClaims,
) -> Asserted {
    Asserted {
        email: email.map(|e| e.as_str().trim().to_lowercase()),
        email_verified: email_verified == Some(true),
        preferred_username: username.map(|u| u.as_str().trim().to_lowercase()),
        name: name.and_then(|n| n.get(None)).map(|n| n.as_str().to_string()),
        other: other.clone(),
    }
}

/// The refusal when the claim that finds the account did not come.
fn missing(match_claim: &str) -> String {
    if match_claim == idp_claims::EMAIL {
        "Kommunens inloggning skickade ingen e-postadress, så Lisa kan inte koppla dig till ett konto.".into()
    } else {
        format!(
            "Kommunens inloggning skickade inte anspråket {match_claim}, så Lisa kan inte koppla dig till ett konto."
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_sends_lisa_only_to_the_issuers_origin_or_one_allowed() {
        let issuer = "https://idp.kommun.se/realms/lisa";
        assert!(may_fetch(issuer, "https://idp.kommun.se/realms/lisa/certs", &[]));
        assert!(!may_fetch(issuer, "http://169.254.169.254/keys", &[]), "an internal address");
        assert!(!may_fetch(issuer, "https://idp.kommun.se:8443/certs", &[]), "another port is another origin");
        assert!(!may_fetch("https://accounts.google.com", "https://www.googleapis.com/oauth2/v3/certs", &[]));
        let allowed = ["https://www.googleapis.com".to_string()];
        assert!(may_fetch("https://accounts.google.com", "https://www.googleapis.com/oauth2/v3/certs", &allowed));
        assert!(!may_fetch(issuer, "inte en adress", &allowed));
    }

    #[test]
    fn a_client_secret_opens_only_with_its_key_and_for_its_municipality() {
        let key = [7u8; 32];
        let m = MunicipalityId::chosen(Uuid::new_v4());
        let sealed = seal(&key, m, "hemlig-klient");
        assert!(!sealed.windows(13).any(|w| w == b"hemlig-klient"), "not stored in the clear");
        assert_eq!(open(&key, m, &sealed).as_deref(), Some("hemlig-klient"));
        assert_eq!(open(&[8u8; 32], m, &sealed), None, "another key");
        assert_eq!(open(&key, MunicipalityId::chosen(Uuid::new_v4()), &sealed), None, "another municipality's row");
        assert_eq!(open(&key, m, &sealed[..10]), None);
    }
}
