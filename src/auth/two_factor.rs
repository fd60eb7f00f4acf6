//! Two-factor sign-in for accounts with a password: a time-based code (RFC 6238, 30-second
//! steps, six digits, one step either side for a slow clock, each step accepted once) from an
//! authenticator app enrolled by a QR code Lisa draws itself, and ten one-time recovery codes.
//! A password accepted is a challenge; the session is made only after the code.

use chrono::{DateTime, Utc};
use serde_json::json;
use totp_rs::{Builder, Secret, Totp};
use uuid::Uuid;

use super::model::{Credential, Principal, SECOND_STEP_FREE_TRIES, second_step_wait};
use super::{sealed, session};
use crate::AppState;
use crate::audit_log::{self, Actor, Change, EntityType};
use crate::db::MunicipalityId;
use crate::error::{AppError, AppResult, FieldErrors};

/// How long the code step of a login may take, and how many wrong codes it allows.
pub const CHALLENGE_MINUTES: i64 = 5;
pub const CHALLENGE_TRIES: i32 = 5;
const RECOVERY_CODES: usize = 10;

// ---------------------------------------------------------------- rules

fn generator(secret: &str, account: &str) -> AppResult<Totp> {
    let bytes = Secret::try_from_base32(secret).map_err(|e| anyhow::anyhow!("stored TOTP secret: {e:?}"))?;
    Ok(Builder::new()
        .with_secret(bytes)
        .with_issuer(Some("Lisa"))
        .with_account_name(account.replace(':', ""))
        .build()
        .map_err(|e| anyhow::anyhow!("TOTP: {e:?}"))?)
}

/// The time step of `code` if it is right at `now` (or one step either side) and later than
/// the last step accepted: a code seen once is refused the second time.
pub fn accepted_step(secret: &str, code: &str, now: u64, last_step: Option<i64>) -> AppResult<Option<u64>> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let step = generator(secret, "")?.check(&code, now);
    Ok(step.filter(|step| last_step.is_none_or(|last| *step as i64 > last)))
}

/// The code an app shows at `now`: for the tests, which type what a phone would.
pub fn code_at(secret: &str, now: u64) -> AppResult<String> {
    Ok(generator(secret, "")?.generate(now).to_string())
}

/// A new secret of 160 bits, as base32.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).expect("the system's random source");
    Secret::from(bytes.to_vec()).to_base32()
}

/// Ten codes like "k7m2p-x9q4d", from an alphabet without look-alikes.
fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            getrandom::fill(&mut bytes).expect("the system's random source");
            let chars: String = bytes.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// A recovery code as typed: case, spaces and dashes do not matter.
fn recovery_hash(code: &str) -> Vec<u8> {
    let plain: String = code.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase();
    session::token_hash(&plain)
}

/// The QR code of the enrolment address, as SVG for the page: the page's text colour on white
/// (dark enough for any scanner), drawn in colours of its own rather than SVG's default black.
fn qr_svg(url: &str) -> AppResult<String> {
    use qrcode::render::svg::Color;
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|e| anyhow::anyhow!("QR: {e:?}"))?;
    Ok(code
        .render::<Color>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .dark_color(Color(crate::web::palette::TEXT))
        .light_color(Color("#ffffff"))
        .build())
}

fn code_error(message: &str) -> AppError {
    AppError::Validation(FieldErrors::from([("code".to_string(), message.to_string())]))
}

fn now_seconds() -> u64 {
    Utc::now().timestamp().max(0) as u64
}

// ---------------------------------------------------------------- enrolment

/// Where an account stands.
pub struct Status {
    pub enabled_at: Option<DateTime<Utc>>,
    /// The account may not turn it off: an administrator, or a municipality that requires it.
    pub required: bool,
    pub recovery_left: i64,
}

impl Status {
    /// When it was turned on, as shown on the page.
    pub fn enabled_since(&self) -> String {
        self.enabled_at.map(crate::web::format::datetime).unwrap_or_default()
    }
}

pub async fn status(state: &AppState, principal: &Principal) -> AppResult<Status> {
    let row = sqlx::query!(
        r#"SELECT u.totp_enabled_at,
                  (SELECT count(*) FROM recovery_codes r WHERE r.user_id = u.id AND r.used_at IS NULL) AS "left!"
             FROM users u WHERE u.id = $1"#,
        principal.user_id
    )
    .fetch_one(&state.pool)
    .await?;
    Ok(Status { enabled_at: row.totp_enabled_at, required: principal.two_factor_required, recovery_left: row.left })
}

/// What the enrolment page shows: the secret offered (kept until confirmed), as text and QR.
pub struct Offer {
    pub secret: String,
    pub qr_svg: String,
}

pub async fn offer(state: &AppState, principal: &Principal) -> AppResult<Offer> {
    let Credential::Session { token_hash, .. } = &principal.credential else { return Err(AppError::Forbidden) };
    let key = state.config.secret_key.as_ref();
    let stored = sqlx::query_scalar!(
        "UPDATE sessions SET totp_pending_secret = COALESCE(totp_pending_secret, $2) WHERE token_hash = $1
         RETURNING totp_pending_secret AS \"secret!\"",
        token_hash,
        sealed::seal_text(key, token_hash, &new_secret())
    )
    .fetch_one(&state.pool)
    .await?;
    let secret = sealed::open_text(key, token_hash, &stored)
        .ok_or_else(|| anyhow::anyhow!("the pending TOTP secret does not open with LISA_SECRET_KEY"))?;
    let url = generator(&secret, &principal.email)?.to_url().map_err(|e| anyhow::anyhow!("TOTP url: {e:?}"))?;
    Ok(Offer { qr_svg: qr_svg(&url)?, secret })
}

/// Turns two-factor on with a code from the offered secret; returns the recovery codes, shown once.
pub async fn confirm(state: &AppState, principal: &Principal, code: &str) -> AppResult<Vec<String>> {
    let Credential::Session { token_hash, .. } = &principal.credential else { return Err(AppError::Forbidden) };
    let mut tx = state.pool.begin().await?;
    let pending =
        sqlx::query_scalar!("SELECT totp_pending_secret FROM sessions WHERE token_hash = $1 FOR UPDATE", token_hash)
            .fetch_one(&mut *tx)
            .await?
            .and_then(|stored| sealed::open_text(state.config.secret_key.as_ref(), token_hash, &stored))
            .ok_or_else(|| code_error("Ladda om sidan och skanna QR-koden igen."))?;
    let Some(step) = accepted_step(&pending, code, now_seconds(), None)? else {
        return Err(code_error("Koden stämmer inte. Skriv in de sex siffror appen visar nu."));
    };
    sqlx::query!(
        "UPDATE users SET totp_secret = $2, totp_last_step = $3, totp_enabled_at = now(),
                          second_step_failures = 0, second_step_wait_until = NULL
          WHERE id = $1",
        principal.user_id,
        sealed::seal_text(state.config.secret_key.as_ref(), principal.user_id.as_bytes(), &pending),
        step as i64
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("UPDATE sessions SET totp_pending_secret = NULL WHERE user_id = $1", principal.user_id)
        .execute(&mut *tx)
        .await?;
    let codes = replace_recovery_codes(&mut tx, principal.user_id).await?;
    let change = Change::updated(
        None,
        EntityType::User,
        principal.user_id,
        json!({"Tvåstegsverifiering": "Av"}),
        json!({"Tvåstegsverifiering": "På"}),
    );
    audit_log::record(&mut tx, &Actor::from(principal), change).await?;
    tx.commit().await?;
    Ok(codes)
}

async fn replace_recovery_codes(tx: &mut sqlx::PgConnection, user_id: Uuid) -> AppResult<Vec<String>> {
    sqlx::query!("DELETE FROM recovery_codes WHERE user_id = $1", user_id).execute(&mut *tx).await?;
    let codes = new_recovery_codes();
    let hashes: Vec<Vec<u8>> = codes.iter().map(|c| recovery_hash(c)).collect();
    sqlx::query!("INSERT INTO recovery_codes (user_id, code_hash) SELECT $1, unnest($2::bytea[])", user_id, &hashes)
        .execute(&mut *tx)
        .await?;
    Ok(codes)
}

/// How a code given for an account fared.
enum Checked {
    ByApp,
    ByRecovery,
    /// Wrong: counted against the account (commit the transaction to keep the count).
    Wrong {
        failures: i32,
    },
    /// Too many wrong codes: no code is looked at before this time.
    Wait(DateTime<Utc>),
}

/// Checks a code from the app (and, where `recovery`, a recovery code) for the account, each
/// used once. Wrong codes count against the account, whichever challenge or page they came
/// through; after a few, the account's second step waits longer each time (`second_step_wait`).
async fn check_code(
    state: &AppState,
    tx: &mut sqlx::PgConnection,
    user_id: Uuid,
    code: &str,
    recovery: bool,
) -> AppResult<Checked> {
    let row = sqlx::query!(
        "SELECT totp_secret, totp_last_step, second_step_failures, second_step_wait_until
           FROM users WHERE id = $1 FOR UPDATE",
        user_id
    )
    .fetch_one(&mut *tx)
    .await?;
    let now = Utc::now();
    if let Some(until) = row.second_step_wait_until.filter(|until| *until > now) {
        return Ok(Checked::Wait(until));
    }
    let secret = row.totp_secret.as_deref().map(|stored| {
        sealed::open_text(state.config.secret_key.as_ref(), user_id.as_bytes(), stored)
            .ok_or_else(|| anyhow::anyhow!("the TOTP secret does not open with LISA_SECRET_KEY"))
    });
    let by_app = match secret.transpose()? {
        Some(secret) => accepted_step(&secret, code, now_seconds(), row.totp_last_step)?,
        None => None,
    };
    let by_recovery = by_app.is_none()
        && recovery
        && sqlx::query!(
            "UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
            user_id,
            recovery_hash(code)
        )
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
    if by_app.is_some() || by_recovery {
        sqlx::query!(
            "UPDATE users SET totp_last_step = COALESCE($2, totp_last_step), second_step_failures = 0,
                              second_step_wait_until = NULL
              WHERE id = $1",
            user_id,
            by_app.map(|step| step as i64)
        )
        .execute(&mut *tx)
        .await?;
        return Ok(if by_recovery { Checked::ByRecovery } else { Checked::ByApp });
    }
    let failures = row.second_step_failures + 1;
    let wait_until = second_step_wait(failures).map(|wait| now + wait);
    sqlx::query!(
        "UPDATE users SET second_step_failures = $2, second_step_wait_until = $3 WHERE id = $1",
        user_id,
        failures,
        wait_until
    )
    .execute(&mut *tx)
    .await?;
    Ok(Checked::Wrong { failures })
}

/// The message for a code that was not taken.
fn refused_code(checked: &Checked) -> AppError {
    match checked {
        Checked::Wait(until) => code_error(&waiting(*until)),
        _ => code_error("Koden stämmer inte. Skriv in de sex siffror appen visar nu."),
    }
}

/// "Too many wrong codes; try again at 14:05", in Swedish.
pub fn waiting(until: DateTime<Utc>) -> String {
    format!(
        "För många felaktiga koder för kontot. Försök igen efter {}.",
        until.with_timezone(&chrono_tz::Europe::Stockholm).format("%H:%M:%S")
    )
}

/// Tells the person by mail (where mail is set up) once their account has had so many wrong
/// codes that its second step waits: someone may know their password.
async fn warn_after(state: &AppState, user_id: Uuid, failures: i32) {
    if failures != SECOND_STEP_FREE_TRIES {
        return;
    }
    let Some(smtp_url) = state.config.smtp_url.clone() else { return };
    let Ok(Some(user)) =
        sqlx::query!("SELECT email, display_name FROM users WHERE id = $1", user_id).fetch_optional(&state.pool).await
    else {
        return;
    };
    let text = format!(
        "Hej {}!\n\nNågon har skrivit fel engångskod för ditt konto i Lisa {SECOND_STEP_FREE_TRIES} gånger i rad. \
         Koden frågas efter först när lösenordet stämmer, så den som försöker kan känna till ditt lösenord.\n\n\
         Var det inte du: byt lösenord i Lisa (Mitt konto) och hör av dig till informationssäkerhetssamordnaren.\n",
        user.display_name
    );
    let from = state.config.mail_from.clone();
    tokio::spawn(async move {
        let sent = async {
            crate::mail::Mailer::new(&smtp_url, &from)?
                .send(&user.email, &user.display_name, "Felaktiga koder för ditt konto i Lisa", text)
                .await
        };
        if let Err(err) = sent.await {
            tracing::warn!(error = %err, "the warning about wrong second-step codes was not emailed");
        }
    });
}

/// Checks a code given on a settings page. A wrong code is counted and committed before the
/// refusal, so that the count holds; the transaction goes on only after a right one.
async fn require_code<'c>(
    state: &AppState,
    mut tx: sqlx::Transaction<'c, sqlx::Postgres>,
    user_id: Uuid,
    code: &str,
) -> AppResult<sqlx::Transaction<'c, sqlx::Postgres>> {
    let checked = check_code(state, &mut tx, user_id, code, false).await?;
    match checked {
        Checked::ByApp | Checked::ByRecovery => Ok(tx),
        Checked::Wrong { failures } => {
            tx.commit().await?;
            warn_after(state, user_id, failures).await;
            Err(refused_code(&checked))
        }
        Checked::Wait(_) => Err(refused_code(&checked)),
    }
}

/// New recovery codes (the old stop working), with a code from the app.
pub async fn renew_recovery_codes(state: &AppState, principal: &Principal, code: &str) -> AppResult<Vec<String>> {
    let mut tx = require_code(state, state.pool.begin().await?, principal.user_id, code).await?;
    let codes = replace_recovery_codes(&mut tx, principal.user_id).await?;
    let change = Change::updated(None, EntityType::User, principal.user_id, json!({}), json!({"Reservkoder": "Nya"}));
    audit_log::record(&mut tx, &Actor::from(principal), change).await?;
    tx.commit().await?;
    Ok(codes)
}

/// Turns two-factor off, with a code from the app; not where it is required.
pub async fn turn_off(state: &AppState, principal: &Principal, code: &str) -> AppResult<()> {
    principal.require(!principal.two_factor_required)?;
    let mut tx = require_code(state, state.pool.begin().await?, principal.user_id, code).await?;
    sqlx::query!(
        "UPDATE users SET totp_secret = NULL, totp_last_step = NULL, totp_enabled_at = NULL WHERE id = $1",
        principal.user_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM recovery_codes WHERE user_id = $1", principal.user_id).execute(&mut *tx).await?;
    let change = Change::updated(
        None,
        EntityType::User,
        principal.user_id,
        json!({"Tvåstegsverifiering": "På"}),
        json!({"Tvåstegsverifiering": "Av"}),
    );
    audit_log::record(&mut tx, &Actor::from(principal), change).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- the municipality's rule

/// Whether the municipality requires two-factor of every account that signs in with a password.
pub async fn required_here(db: impl sqlx::PgExecutor<'_>, m: MunicipalityId) -> AppResult<bool> {
    Ok(sqlx::query_scalar!("SELECT require_totp FROM municipalities WHERE id = $1", m.uuid()).fetch_one(db).await?)
}

// ---------------------------------------------------------------- the login's second step

/// A password was accepted for an account with two-factor: the challenge the code answers.
pub async fn begin_challenge(state: &AppState, user_id: Uuid, next: &str) -> AppResult<String> {
    let secret = session::random_token();
    sqlx::query!(
        "INSERT INTO login_challenges (token_hash, user_id, next) VALUES ($1, $2, $3)",
        session::token_hash(&secret),
        user_id,
        next
    )
    .execute(&state.pool)
    .await?;
    Ok(secret)
}

/// How a code answered a challenge.
pub enum Answer {
    /// Right: sign the user in and go to `next`.
    SignedIn { user_id: Uuid, next: String },
    /// Wrong, with tries left.
    Wrong,
    /// The account has had too many wrong codes: no code is looked at before this time.
    Wait(DateTime<Utc>),
    /// The challenge is gone: too old, too many wrong codes, or never made.
    Expired,
}

/// Answers a challenge with a code from the app or a recovery code (each used once). Wrong
/// codes count against the challenge and against the account, which a new challenge (a
/// correct password) does not clear.
pub async fn answer(state: &AppState, challenge: &str, code: &str) -> AppResult<Answer> {
    let hash = session::token_hash(challenge);
    let mut tx = state.pool.begin().await?;
    let Some(row) = sqlx::query!(
        "SELECT user_id, next, failures FROM login_challenges
          WHERE token_hash = $1 AND created_at > now() - make_interval(mins => $2::int) FOR UPDATE",
        hash,
        CHALLENGE_MINUTES as i32
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(Answer::Expired);
    };
    let failures = match check_code(state, &mut tx, row.user_id, code, true).await? {
        Checked::Wait(until) => return Ok(Answer::Wait(until)),
        Checked::Wrong { failures } => failures,
        by => {
            sqlx::query!("DELETE FROM login_challenges WHERE token_hash = $1", hash).execute(&mut *tx).await?;
            if matches!(by, Checked::ByRecovery) {
                let change = Change::updated(
                    None,
                    EntityType::User,
                    row.user_id,
                    json!({}),
                    json!({"Inloggning": "Med en reservkod"}),
                );
                let actor = Actor { user_id: Some(row.user_id), name: "Inloggning".into(), request_id: None };
                audit_log::record(&mut tx, &actor, change).await?;
            }
            tx.commit().await?;
            return Ok(Answer::SignedIn { user_id: row.user_id, next: row.next });
        }
    };
    let answer = if row.failures + 1 >= CHALLENGE_TRIES {
        sqlx::query!("DELETE FROM login_challenges WHERE token_hash = $1", hash).execute(&mut *tx).await?;
        Answer::Expired
    } else {
        sqlx::query!("UPDATE login_challenges SET failures = failures + 1 WHERE token_hash = $1", hash)
            .execute(&mut *tx)
            .await?;
        Answer::Wrong
    };
    tx.commit().await?;
    warn_after(state, row.user_id, failures).await;
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_right_from_one_step_before_to_one_step_after_and_only_once() {
        let secret = new_secret();
        // Step 1000 runs from 30,000 s to 30,029 s.
        let code = code_at(&secret, 30_000).unwrap();
        assert_eq!(code, code_at(&secret, 30_029).unwrap(), "one code through its step");
        for now in [29_970, 29_999, 30_000, 30_029, 30_030, 30_059] {
            assert_eq!(accepted_step(&secret, &code, now, None).unwrap(), Some(1000), "at {now}");
        }
        for now in [29_969, 30_060] {
            assert_eq!(accepted_step(&secret, &code, now, None).unwrap(), None, "outside the window at {now}");
        }
        assert_eq!(accepted_step(&secret, &code, 30_010, Some(999)).unwrap(), Some(1000));
        assert_eq!(accepted_step(&secret, &code, 30_010, Some(1000)).unwrap(), None, "used once");
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(accepted_step(&secret, &spaced, 30_010, None).unwrap(), Some(1000), "as typed with a space");
        assert_eq!(accepted_step(&secret, "12345", 30_010, None).unwrap(), None);
        assert_eq!(accepted_step(&secret, "abcdef", 30_010, None).unwrap(), None);
    }

    #[test]
    fn recovery_codes_are_ten_different_and_read_however_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert_eq!(codes.iter().collect::<std::collections::HashSet<_>>().len(), 10);
        assert!(codes.iter().all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'));
        let code = &codes[0];
        assert_eq!(recovery_hash(code), recovery_hash(&code.to_uppercase().replace('-', " ")));
    }

    #[test]
    fn the_qr_code_is_drawn_by_lisa() {
        let svg = qr_svg("otpauth://totp/Lisa:sara%40exempelby.se?secret=JBSWY3DPEHPK3PXP&issuer=Lisa").unwrap();
        assert!(svg.contains("<svg") && svg.contains("<path"), "{}", &svg[..100.min(svg.len())]);
    }
}
