//! The `lisa` command: serve the web application, migrate, and administer accounts.

use std::io::BufRead;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};

use lisa::audit_log::Actor;
use lisa::auth::{Role, password, sso, tokens};
use lisa::db::Database;
use lisa::org::{model, store};
use lisa::{AppState, Config};

#[derive(Parser)]
#[command(name = "lisa", version, about = "Lisa: ledningssystem för informationssäkerhet för kommuner")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application (on LISA_ADDR, default 127.0.0.1:8080).
    Serve {
        /// Fill the demo municipality Exempelby kommun and its demo accounts (once).
        #[arg(long)]
        demo: bool,
    },
    /// Apply the database migrations.
    Migrate,
    /// Run the reminder job once now (it also runs every morning inside `serve`).
    Reminders,
    /// Generate the large municipality Storby kommun (1,500 systems, 20,000 incidents …) for load tests.
    GenerateLarge,
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage municipalities.
    Municipality {
        #[command(subcommand)]
        command: MunicipalityCommand,
    },
    /// Manage personal API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Sign-in through a municipality's own identity provider (OpenID Connect).
    Sso {
        #[command(subcommand)]
        command: SsoCommand,
    },
}

#[derive(Subcommand)]
enum SsoCommand {
    /// Set (or replace) a municipality's IdP. Lisa's redirect URI there is
    /// LISA_PUBLIC_URL/login/oidc/callback; the client secret is stored encrypted with LISA_SECRET_KEY.
    Set {
        /// Organisation number of the municipality.
        #[arg(long)]
        municipality: String,
        /// The issuer, e.g. https://login.microsoftonline.com/TENANT-ID/v2.0
        #[arg(long)]
        issuer: String,
        #[arg(long)]
        client_id: String,
        /// A file holding the client secret (kept out of the shell's history).
        #[arg(long)]
        client_secret_file: std::path::PathBuf,
        /// What the login button says after "Logga in med", e.g. "Exempelby kommuns konto".
        #[arg(long)]
        name: String,
        /// Create an account with the employee role for a person the IdP knows and Lisa does not.
        #[arg(long)]
        create_accounts: bool,
        /// Everyone with a role in the municipality must sign in through the IdP (break-glass accounts excepted).
        #[arg(long)]
        require: bool,
        /// The claim that finds an account the first time, compared with its email: email (verified,
        /// the default), or e.g. upn or preferred_username for Entra ID.
        #[arg(long, default_value = "email")]
        match_claim: String,
        /// Let the IdP decide roles: the claim that lists a person's groups, e.g. groups.
        #[arg(long)]
        group_claim: Option<String>,
        /// GROUP=ROLE, once per group (roles: samordnare, systemagare, revisor, fortroendevald, medarbetare).
        #[arg(long = "group-role")]
        group_roles: Vec<String>,
    },
    /// Let an account sign in with its password where single sign-on is required (or stop it with --off).
    BreakGlass {
        #[arg(long)]
        email: String,
        #[arg(long)]
        off: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account (the password is read from standard input unless given).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        password: Option<String>,
        /// System administrator, for every municipality.
        #[arg(long)]
        admin: bool,
        /// Organisation number of the municipality to grant a role in.
        #[arg(long, requires = "role")]
        municipality: Option<String>,
        /// samordnare, systemagare, revisor, fortroendevald or medarbetare.
        #[arg(long, requires = "municipality")]
        role: Option<String>,
    },
}

#[derive(Subcommand)]
enum MunicipalityCommand {
    /// Register a municipality.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        org_number: String,
        #[arg(long)]
        county: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a personal API token and print it.
    Create {
        #[arg(long)]
        email: String,
        /// Organisation number of the municipality the token works in (default: the user's first).
        #[arg(long)]
        municipality: Option<String>,
        #[arg(long, default_value = "cli")]
        name: String,
        /// How long it works, in days ("90d" or "90"; at most 365).
        #[arg(long, default_value = "90d")]
        expires_in: String,
        /// Only reads: every change made with it is refused.
        #[arg(long)]
        read_only: bool,
    },
    /// Revoke a token, named by the token itself or its id.
    Revoke { token: String },
}

/// mimalloc instead of glibc's malloc: a page allocates and frees thousands of small strings
/// from both cores at once, and glibc's malloc spent about a tenth of Lisa's time on a list.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    if std::env::var("LISA_LOG_FORMAT").is_ok_and(|f| f == "json") {
        tracing_subscriber::fmt().json().with_env_filter(filter).init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    let cli = Cli::parse();
    let config = Config::from_env()?;
    let database = Database::open(&config).await?;
    database.migrate().await?;
    // The CLI's commands are the operator's and run as the owner; serving runs as the
    // application role, under row-level security.
    let state = AppState::new(database.owner.clone(), config);
    let result = match cli.command {
        Command::Serve { demo } => serve(&database, &state, demo).await,
        command => run(command, &state).await,
    };
    database.close().await?;
    result
}

async fn serve(database: &Database, owner: &AppState, demo: bool) -> anyhow::Result<()> {
    if demo && lisa::demo::seed(owner).await? {
        tracing::info!("demo municipality Exempelby kommun created");
    }
    let state = AppState::new(database.app_pool().await?, owner.config.as_ref().clone());
    let listener = TcpListener::bind(state.config.addr)
        .await
        .with_context(|| format!("could not listen on {}", state.config.addr))?;
    tracing::info!("Lisa is listening on http://{}", listener.local_addr()?);
    lisa::serve(listener, state.clone(), shutdown_signal()).await?;
    state.pool.close().await;
    tracing::info!("Lisa stopped");
    Ok(())
}

async fn run(command: Command, state: &AppState) -> anyhow::Result<()> {
    let actor = Actor::system("lisa (kommandorad)");
    match command {
        Command::Serve { .. } => unreachable!("serve runs as the application role"),
        Command::Migrate => println!("migrations applied"),
        Command::GenerateLarge => {
            let mut tx = state.pool.begin().await?;
            lisa::demo::large::seed(&mut tx, state.config.password_cost, lisa::web::format::today()).await?;
            tx.commit().await?;
            lisa::demo::large::settle(&state.pool).await?;
            println!(
                "Storby kommun is ready; log in as {} or {}",
                lisa::demo::large::COORDINATOR,
                lisa::demo::large::SYSTEM_OWNER
            );
        }
        Command::Reminders => {
            let summary = lisa::reminders::run_once(state, lisa::web::format::today(), chrono::Utc::now()).await?;
            println!(
                "{} new reminders, {} emails sent, {} failed{}",
                summary.created,
                summary.emails_sent,
                summary.emails_failed,
                summary.last_error.map(|e| format!(" (last error: {e})")).unwrap_or_default()
            );
        }
        Command::User { command: UserCommand::Add { email, name, password: given, admin, municipality, role } } => {
            let password = match given {
                Some(p) => p,
                None => {
                    eprintln!("Password (at least 12 characters):");
                    std::io::stdin().lock().lines().next().context("no password given")??
                }
            };
            lisa::auth::model::check_new_password(&password, &password).map_err(anyhow::Error::msg)?;
            if !model::is_email(email.trim()) {
                bail!("not an email address: {email}");
            }
            let grant = match (municipality, role) {
                (Some(org_number), Some(role)) => {
                    let m = find_municipality(state, &org_number).await?;
                    let role = Role::parse(&role).with_context(|| format!("unknown role {role}"))?;
                    Some((m, model::GrantInput { role, body_id: None }))
                }
                _ => None,
            };
            let hash = password::hash(password, state.config.password_cost).await?;
            let mut tx = state.pool.begin().await?;
            let id = store::create_account(&mut tx, &actor, email.trim(), name.trim(), &hash, admin)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            if let Some((m, grant)) = grant {
                store::add_grant(&mut tx, &actor, m, id, &grant).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
            }
            // The operator chose this password: the person chooses their own at first sign-in.
            store::require_new_password(&mut tx, id).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
            tx.commit().await?;
            println!("{id}");
        }
        Command::Municipality { command: MunicipalityCommand::Add { name, org_number, county } } => {
            let input = model::MunicipalityForm { name, org_number, county }
                .validate()
                .map_err(|errors| anyhow::anyhow!("{}", errors.values().cloned().collect::<Vec<_>>().join(" ")))?;
            let mut tx = state.pool.begin().await?;
            let created = lisa::org::service::create_municipality(&mut tx, &actor, &input)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            tx.commit().await?;
            println!("{}", created.id);
        }
        Command::Token { command: TokenCommand::Create { email, municipality, name, expires_in, read_only } } => {
            let days = lisa::auth::model::token_lifetime(&expires_in).map_err(|message| anyhow::anyhow!(message))?;
            let user_id = store::find_user_id_by_email(&state.pool, &email)
                .await?
                .with_context(|| format!("no account with email {email}"))?;
            let m = match municipality {
                Some(org_number) => find_municipality(state, &org_number).await?,
                None => sqlx::query_scalar!(
                    "SELECT g.municipality_id FROM role_grants g JOIN municipalities m ON m.id = g.municipality_id
                      WHERE g.user_id = $1 ORDER BY m.name LIMIT 1",
                    user_id
                )
                .fetch_optional(&state.pool)
                .await?
                .map(lisa::db::MunicipalityId::chosen)
                .context("the user has no role in any municipality; give --municipality")?,
            };
            let new = tokens::NewToken { name, days, read_only };
            let token = tokens::issue(&state.pool, &actor, user_id, m, &new).await?;
            println!("{token}");
        }
        Command::Sso {
            command:
                SsoCommand::Set {
                    municipality,
                    issuer,
                    client_id,
                    client_secret_file,
                    name,
                    create_accounts,
                    require,
                    match_claim,
                    group_claim,
                    group_roles,
                },
        } => {
            let key = state
                .config
                .secret_key
                .context("set LISA_SECRET_KEY (openssl rand -hex 32) first: it encrypts the client secret")?;
            let m = find_municipality(state, &municipality).await?;
            let client_secret = std::fs::read_to_string(&client_secret_file)
                .with_context(|| format!("could not read {}", client_secret_file.display()))?;
            anyhow::ensure!(!client_secret.trim().is_empty(), "{} is empty", client_secret_file.display());
            // The administrator's form checks the settings; the CLI gives it the same fields.
            let form = sso::SettingsForm {
                display_name: name,
                issuer,
                client_id,
                client_secret,
                create_accounts,
                require_sso: require,
                match_claim,
                group_claim: group_claim.unwrap_or_default(),
                group_roles: group_roles.join("\n"),
            };
            let settings = form.validate(false).map_err(|errors| {
                anyhow::anyhow!(
                    errors.into_iter().map(|(field, e)| format!("{field}: {e}")).collect::<Vec<_>>().join("\n")
                )
            })?;
            sso::configure(&state.pool, &actor, &key, m, &settings).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("inloggning via {} är inställd", settings.display_name.trim());
        }
        Command::Sso { command: SsoCommand::BreakGlass { email, off } } => {
            let user_id = store::find_user_id_by_email(&state.pool, &email)
                .await?
                .with_context(|| format!("no account with email {email}"))?;
            sso::set_break_glass(&state.pool, &actor, user_id, !off).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{email}: {}", if off { "bara via kommunens inloggning" } else { "får logga in med lösenord" });
        }
        Command::Token { command: TokenCommand::Revoke { token } } => {
            let revoked = tokens::revoke_from_cli(state, &actor, &token).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("återkallad: {} ({}, {})", revoked.name, revoked.user_name, revoked.municipality_name);
        }
    }
    Ok(())
}

async fn find_municipality(state: &AppState, org_number: &str) -> anyhow::Result<lisa::db::MunicipalityId> {
    let org_number = model::normalise_org_number(org_number);
    Ok(store::find_municipality_by_org_number(&state.pool, &org_number)
        .await?
        .with_context(|| format!("no municipality with organisation number {org_number}"))?
        .id)
}

async fn shutdown_signal() {
    let mut terminate = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = terminate.recv() => {},
    }
    tracing::info!("shutting down");
}
