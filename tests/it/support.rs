//! The test harness: one private PostgreSQL per test run, a database per test cloned
//! from a migrated template, and Lisa serving that database on a free port.

use std::net::SocketAddr;
use std::path::PathBuf;

use lisa::auth::{Role, password};
use lisa::config::PasswordCost;
use lisa::db::MunicipalityId;
use lisa::db::local::{LocalPostgres, Tuning};
use lisa::org::model::{BodyInput, BodyKind, GrantInput, MunicipalityInput};
use lisa::org::store;
use lisa::{AppState, Config};
use sha2::{Digest, Sha256};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgPool};
use tokio::sync::OnceCell;
use uuid::Uuid;

pub const DEMO_PASSWORD: &str = lisa::demo::PASSWORD;

/// Where the test server keeps its data: `LISA_TEST_DATA_DIR`, or a folder in /tmp that
/// the unprivileged `postgres` user can reach even when the checkout is under /root.
pub fn test_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("LISA_TEST_DATA_DIR") {
        return PathBuf::from(dir);
    }
    let checkout = Sha256::digest(env!("CARGO_MANIFEST_DIR").as_bytes());
    std::env::temp_dir().join(format!("lisa-test-{}", hex::encode(&checkout[..6]))).join("pgdata")
}

struct Server {
    local: LocalPostgres,
    template: String,
}

static SERVER: OnceCell<Server> = OnceCell::const_new();

/// Starts the shared test server once per process and migrates a template database,
/// named after the migrations so that a changed migration gets a fresh template.
async fn server() -> &'static Server {
    SERVER
        .get_or_init(|| async {
            let local =
                LocalPostgres::ensure_running(&test_data_dir(), Tuning::Disposable).await.expect("test PostgreSQL");
            let mut hasher = Sha256::new();
            for migration in lisa::db::MIGRATOR.iter() {
                hasher.update(&migration.checksum);
            }
            let template = format!("lisa_template_{}", hex::encode(&hasher.finalize()[..6]));
            let mut conn = local.connect("postgres").await.expect("connect to test PostgreSQL");
            let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(&template)
                .fetch_one(&mut conn)
                .await
                .unwrap();
            if !exists {
                let building = format!("{template}_building_{}", std::process::id());
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {building}")))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let mut db = local.connect(&building).await.unwrap();
                lisa::db::MIGRATOR.run(&mut db).await.expect("migrations apply");
                lisa::db::grant_app_role(&mut db, lisa::db::LOCAL_APP_ROLE, None).await.expect("the application role");
                db.close().await.unwrap();
                // Renaming makes the finished template appear at once, never half-migrated.
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!("ALTER DATABASE {building} RENAME TO {template}")))
                    .execute(&mut conn)
                    .await;
            }
            conn.close().await.unwrap();
            Server { local, template }
        })
        .await
}

/// A fresh, migrated database of this test's own.
pub async fn fresh_database() -> PgPool {
    let server = server().await;
    let name = format!("test_{}", Uuid::new_v4().simple());
    let mut conn = server.local.connect("postgres").await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name} TEMPLATE {}", server.template)))
        .execute(&mut conn)
        .await
        .expect("create test database");
    conn.close().await.unwrap();
    PgPoolOptions::new().max_connections(8).connect_with(server.local.connect_options(&name)).await.unwrap()
}

/// A pool on the same database as the application role, as Lisa serves.
async fn app_pool(owner: &PgPool, connections: u32) -> PgPool {
    let name = owner.connect_options().get_database().expect("test pools name their database").to_string();
    let options =
        lisa::db::with_request_limits(server().await.local.connect_options(&name).username(lisa::db::LOCAL_APP_ROLE));
    lisa::db::pool_options()
        .max_connections(connections)
        .acquire_timeout(std::time::Duration::from_secs(3))
        .connect_with(options)
        .await
        .unwrap()
}

/// A `DATABASE_URL` for a test database (a Unix socket in the test server's folder).
pub fn database_url(pool: &PgPool) -> String {
    let options = pool.connect_options();
    let name = options.get_database().expect("test pools name their database");
    format!("postgres://lisa@localhost/{name}?host={}", test_data_dir().display())
}

/// An empty database (no migrations), for testing the migrations themselves.
pub async fn empty_database() -> PgPool {
    let server = server().await;
    let name = format!("empty_{}", Uuid::new_v4().simple());
    let mut conn = server.local.connect("postgres").await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    PgPoolOptions::new().max_connections(2).connect_with(server.local.connect_options(&name)).await.unwrap()
}

pub fn test_config() -> Config {
    Config {
        database_url: None,
        app_database_url: None,
        data_dir: test_data_dir(),
        addr: "127.0.0.1:0".parse().unwrap(),
        secure_cookies: false,
        db_connections: 16,
        trust_forwarded_for: false,
        session_idle: std::time::Duration::from_secs(3600),
        session_absolute: std::time::Duration::from_secs(8 * 3600),
        password_cost: PasswordCost::Fast,
        smtp_url: None,
        mail_from: "Lisa <lisa@exempelby.se>".into(),
        public_url: "http://lisa.test".into(),
        // Tests run the job themselves, at a time they choose.
        run_reminders: false,
        // The demo's administrator signs in with a password alone; the two-factor tests turn it on.
        admins_need_two_factor: false,
        secret_key: Some([42; 32]),
        idp_origins: Vec::new(),
    }
}

/// Lisa serving a fresh database on a free port, with the demo municipality. It serves as
/// the application role, under row-level security; the test's own queries run as the owner.
pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub exempelby: MunicipalityId,
    owner: PgPool,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// Lisa with the test configuration as changed by `configure`.
    pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> TestApp {
        TestApp::spawn_on(|config, _| configure(config), 8).await
    }

    /// Lisa with a pool of one connection: a request that holds a connection while it waits
    /// for another never gets it, and fails after the pool's timeout of three seconds.
    pub async fn spawn_with_one_connection() -> TestApp {
        TestApp::spawn_on(|_, _| {}, 1).await
    }

    /// Lisa whose LISA_PUBLIC_URL is its own address, for links that must lead back to it
    /// (an identity provider's redirect).
    pub async fn spawn_at_own_url() -> TestApp {
        TestApp::spawn_on(|config, addr| config.public_url = format!("http://{addr}"), 8).await
    }

    async fn spawn_on(configure: impl FnOnce(&mut Config, SocketAddr), connections: u32) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let owner = fresh_database().await;
        let mut config = test_config();
        configure(&mut config, addr);
        assert!(lisa::demo::seed(&AppState::new(owner.clone(), config.clone())).await.unwrap());
        let exempelby = store::find_municipality_by_org_number(&owner, "212000-0142").await.unwrap().unwrap().id;
        let state = AppState::new(app_pool(&owner, connections).await, config);
        tokio::spawn(lisa::serve(listener, state.clone(), std::future::pending()));
        TestApp { addr, state, exempelby, owner }
    }

    /// A second Lisa on the same database, as a second instance behind a load balancer: its own
    /// process state (pool, caches, listener), nothing shared with the first but PostgreSQL.
    pub async fn second_instance(&self) -> (SocketAddr, AppState) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = AppState::new(app_pool(&self.owner, 8).await, self.state.config.as_ref().clone());
        tokio::spawn(lisa::serve(listener, state.clone(), std::future::pending()));
        (addr, state)
    }

    /// Every page the coordinator opens, with the demo's ids filled in, and one that does not exist.
    pub async fn coordinator_pages(&self) -> Vec<String> {
        let bildning = crate::support::body_id_by_name(self.pool(), self.exempelby, "Bildningsnämnden").await;
        let demo_audit: uuid::Uuid =
            sqlx::query_scalar("SELECT id FROM audits WHERE kind = 'granskning'").fetch_one(self.pool()).await.unwrap();
        let demo_recommendation: uuid::Uuid =
            sqlx::query_scalar("SELECT id FROM recommendations WHERE status = 'ateroppnad'")
                .fetch_one(self.pool())
                .await
                .unwrap();
        let demo_action: uuid::Uuid =
            sqlx::query_scalar("SELECT id FROM actions LIMIT 1").fetch_one(self.pool()).await.unwrap();
        let pool = self.pool().clone();
        let one = |sql: &'static str| {
            let pool = pool.clone();
            async move { sqlx::query_scalar::<_, uuid::Uuid>(sql).fetch_one(&pool).await.unwrap() }
        };
        let system = one("SELECT id FROM systems WHERE name = 'Omsorgsdokumentation'").await;
        let asset = one("SELECT id FROM information_assets WHERE name = 'Social dokumentation'").await;
        let analysis = one("SELECT id FROM risk_analyses WHERE object_kind = 'it_miljo'").await;
        let risk = one("SELECT id FROM risks ORDER BY likelihood * consequence DESC LIMIT 1").await;
        let year = chrono::Datelike::year(&lisa::web::format::today());
        let incident = one("SELECT id FROM incidents WHERE significant").await;
        let contract = one("SELECT id FROM contracts WHERE title = 'Drift av kommunens gemensamma IT-miljö'").await;
        let supplier = one("SELECT id FROM suppliers WHERE is_shared").await;
        let document = one("SELECT id FROM documents WHERE title = 'Informationssäkerhetspolicy'").await;
        let campaign = one("SELECT id FROM training_campaigns ORDER BY year DESC, name LIMIT 1").await;
        let report = one("SELECT id FROM annual_reports WHERE status = 'publicerad'").await;
        vec![
            "/reports".to_string(),
            format!("/reports/{report}"),
            "/dashboard/systemagare".into(),
            "/dashboard/revisor".into(),
            "/dashboard/styrelse".into(),
            "/suppliers".into(),
            format!("/suppliers/{supplier}"),
            "/suppliers/new".into(),
            "/contracts".into(),
            format!("/contracts/{contract}"),
            format!("/contracts/{contract}/edit"),
            "/documents".into(),
            format!("/documents/{document}"),
            format!("/documents/{document}/edit"),
            "/training".into(),
            format!("/training/{campaign}"),
            format!("/training/{campaign}/import"),
            "/access-reviews".into(),
            "/access-reviews/new".into(),
            "/incidents".into(),
            "/incidents/report".into(),
            format!("/incidents/{incident}"),
            "/incidents/summary".into(),
            "/systems".to_string(),
            format!("/systems/{system}"),
            format!("/systems/{system}/edit"),
            format!("/systems/{system}/measures"),
            format!("/assets/{asset}"),
            "/systems/import".into(),
            "/coverage".into(),
            "/catalogue".into(),
            "/risk-analyses".into(),
            "/risk-analyses/new".into(),
            format!("/risk-analyses/{analysis}"),
            format!("/risks/{risk}"),
            "/risks".into(),
            "/actions".into(),
            "/plans".into(),
            format!("/plans/{year}"),
            format!("/actions/{demo_action}"),
            "/recommendations/review".to_string(),
            format!("/audits/{demo_audit}"),
            format!("/recommendations/{demo_recommendation}"),
            format!("/recommendations/{demo_recommendation}/edit"),
            "/".to_string(),
            "/org".into(),
            format!("/org/bodies/{bildning}"),
            "/org/people".into(),
            "/org/users".into(),
            "/audit-log".into(),
            "/audits".into(),
            "/audits/new".into(),
            "/recommendations".into(),
            "/org/bodies/new".into(),
            "/finns-inte".into(),
        ]
    }

    /// The owner's pool, for the test's own setup and checks.
    pub fn pool(&self) -> &PgPool {
        &self.owner
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }

    /// A client logged in as `email` with the demo password.
    pub async fn login(&self, email: &str) -> reqwest::Client {
        let client = self.client();
        let response = self.try_login(&client, email, DEMO_PASSWORD).await;
        assert_eq!(response.status(), 303, "login as {email} failed");
        client
    }

    pub async fn try_login(&self, client: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
        let token = self.csrf(client, "/login").await;
        client
            .post(self.url("/login"))
            .form(&[("csrf_token", token.as_str()), ("email", email), ("password", password), ("next", "/")])
            .send()
            .await
            .unwrap()
    }

    /// The CSRF token in the forms of the page at `path`.
    pub async fn csrf(&self, client: &reqwest::Client, path: &str) -> String {
        let html = client.get(self.url(path)).send().await.unwrap().text().await.unwrap();
        csrf_in(&html).unwrap_or_else(|| panic!("no CSRF token on {path}"))
    }

    pub async fn get(&self, client: &reqwest::Client, path: &str) -> reqwest::Response {
        client.get(self.url(path)).send().await.unwrap()
    }

    /// Posts a form with the session's CSRF token.
    pub async fn post_form(&self, client: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf(client, "/").await;
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        form.extend_from_slice(fields);
        client.post(self.url(path)).form(&form).send().await.unwrap()
    }

    /// A personal API token for `email` in its first municipality.
    pub async fn api_token(&self, email: &str, municipality: MunicipalityId) -> String {
        let user = store::find_user_id_by_email(self.pool(), email).await.unwrap().unwrap();
        test_token(self.pool(), user, municipality).await
    }

    pub fn api(&self, token: &str) -> ApiClient {
        ApiClient { base: self.url("/api/v1"), token: token.to_string(), http: reqwest::Client::new() }
    }

    /// The id from `sql`, which takes Exempelby's id and a name (or code) as $1 and $2.
    pub async fn id_of(&self, sql: &'static str, name: &str) -> Uuid {
        sqlx::query_scalar(sql).bind(self.exempelby).bind(name).fetch_one(self.pool()).await.unwrap()
    }

    pub async fn system_id(&self, name: &str) -> Uuid {
        self.id_of("SELECT id FROM systems WHERE municipality_id = $1 AND name = $2", name).await
    }

    /// A second municipality with its own coordinator (`samordnare@annanstad.se`) and one body.
    pub async fn annanstad(&self) -> Other {
        let actor = lisa::audit_log::Actor::system("test");
        let mut tx = self.pool().begin().await.unwrap();
        let input = MunicipalityInput {
            name: "Annanstad kommun".into(),
            org_number: "212000-0159".into(),
            county: "Norrbottens län".into(),
        };
        let m = lisa::org::service::create_municipality(&mut tx, &actor, &input).await.unwrap().id;
        let body = BodyInput { kind: BodyKind::Namnd, name: "Annanstads socialnämnd".into(), company_name: None };
        let body_id = store::create_body(&mut tx, &actor, m, &body).await.unwrap().id;
        let hash = password::hash(DEMO_PASSWORD.into(), PasswordCost::Fast).await.unwrap();
        let user = store::create_account(&mut tx, &actor, "samordnare@annanstad.se", "Anna Annan", &hash, false)
            .await
            .unwrap();
        store::add_grant(&mut tx, &actor, m, user, &GrantInput { role: Role::Samordnare, body_id: None })
            .await
            .unwrap();
        tx.commit().await.unwrap();
        Other { municipality: m, body_id }
    }
}

impl TestApp {
    /// A body of Exempelby that keeps no systems, with one audit recommendation addressed to
    /// it and a board member (`email`) who sits for it. Returns the body's id.
    pub async fn body_without_systems(&self, email: &str) -> Uuid {
        let actor = lisa::audit_log::Actor::system("test");
        let mut tx = self.pool().begin().await.unwrap();
        let body = BodyInput { kind: BodyKind::Namnd, name: "Överförmyndarnämnden".into(), company_name: None };
        let body_id = store::create_body(&mut tx, &actor, self.exempelby, &body).await.unwrap().id;
        let hash = password::hash(DEMO_PASSWORD.into(), PasswordCost::Fast).await.unwrap();
        let user = store::create_account(&mut tx, &actor, email, "Olle Överförmyndare", &hash, false).await.unwrap();
        let grant = GrantInput { role: Role::Fortroendevald, body_id: Some(body_id) };
        store::add_grant(&mut tx, &actor, self.exempelby, user, &grant).await.unwrap();
        tx.commit().await.unwrap();
        let auditor = self.api(&self.api_token("revisor@exempelby.se", self.exempelby).await);
        let audit = auditor
            .send(
                reqwest::Method::POST,
                "/audits",
                serde_json::json!({"title": "Granskning av överförmyndarverksamheten", "kind": "granskning",
                                   "commissioned_by": "revisorerna", "report_date": "2024-10-01", "body_ids": [body_id]}),
            )
            .await;
        assert_eq!(audit.status(), 201);
        let audit: serde_json::Value = audit.json().await.unwrap();
        let added = auditor
            .send(
                reqwest::Method::POST,
                &format!("/audits/{}/recommendations", audit["id"].as_str().unwrap()),
                serde_json::json!({"items": [{"text": "Klassa akterna i ärendesystemet.", "body_ids": [body_id]}]}),
            )
            .await;
        assert_eq!(added.status(), 201);
        body_id
    }
}

pub struct Other {
    pub municipality: MunicipalityId,
    pub body_id: Uuid,
}

/// A read-write API token of 90 days, made as the command line makes them.
pub async fn test_token(pool: &PgPool, user: Uuid, municipality: MunicipalityId) -> String {
    let new = lisa::auth::tokens::NewToken { name: "test".into(), days: 90, read_only: false };
    lisa::auth::tokens::issue(pool, &lisa::audit_log::Actor::system("test"), user, municipality, &new).await.unwrap()
}

pub fn csrf_in(html: &str) -> Option<String> {
    let start = html.find("name=\"csrf_token\" value=\"")? + "name=\"csrf_token\" value=\"".len();
    Some(html[start..].split('"').next()?.to_string())
}

pub struct ApiClient {
    base: String,
    pub token: String,
    http: reqwest::Client,
}

impl ApiClient {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await.unwrap()
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// A change made from the version `etag` (sent as If-Match).
    pub async fn send_if_match(
        &self,
        method: reqwest::Method,
        path: &str,
        etag: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header(reqwest::header::IF_MATCH, etag)
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

pub async fn body_id_by_name(pool: &PgPool, m: MunicipalityId, name: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM bodies WHERE municipality_id = $1 AND name = $2")
        .bind(m)
        .bind(name)
        .fetch_one(pool)
        .await
        .unwrap()
}

pub async fn municipality_by_name(pool: &PgPool, name: &str) -> MunicipalityId {
    sqlx::query_scalar("SELECT id FROM municipalities WHERE name = $1").bind(name).fetch_one(pool).await.unwrap()
}

/// A date `days` before today, as YYYY-MM-DD.
pub fn days_ago(days: i64) -> String {
    (lisa::web::format::today() - chrono::Duration::days(days)).format("%Y-%m-%d").to_string()
}

/// A real (one blank page) PDF, made with the same library that checks uploads.
pub fn sample_pdf(title: &str) -> Vec<u8> {
    use lopdf::{Document, Object, dictionary};
    let mut document = Document::with_version("1.5");
    let pages = document.new_object_id();
    let page = document.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    document
        .objects
        .insert(pages, Object::Dictionary(dictionary! {"Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1}));
    let catalog = document.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages});
    let info = document.add_object(dictionary! {"Title" => Object::string_literal(title)});
    document.trailer.set("Root", catalog);
    document.trailer.set("Info", info);
    let mut bytes = Vec::new();
    document.save_to(&mut bytes).expect("a PDF");
    bytes
}

/// The fields a browser would send from the form posting to `action` on a page: inputs (checked
/// boxes only), selected options and text areas, with their values unescaped.
pub fn form_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let start = html.find(&format!("action=\"{action}\"")).expect("the page has the form");
    let form = &html[start..start + html[start..].find("</form>").expect("the form ends")];
    let mut fields = Vec::new();
    let mut select: Option<String> = None;
    let mut rest = form;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        let name = tag.split([' ', '\n']).next().unwrap_or("");
        let attrs = attributes(tag);
        let attr = |key: &str| attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        match name {
            "input" => {
                let kind = attr("type").unwrap_or_default();
                let checked = attrs.iter().any(|(k, _)| k == "checked");
                if let Some(field) = attr("name")
                    && kind != "submit"
                    && ((kind != "checkbox" && kind != "radio") || checked)
                {
                    fields.push((field, attr("value").unwrap_or_default()));
                }
            }
            "select" => select = attr("name"),
            "/select" => select = None,
            "option" if attrs.iter().any(|(k, _)| k == "selected") => {
                if let Some(field) = &select {
                    fields.push((field.clone(), attr("value").unwrap_or_default()));
                }
            }
            "textarea" => {
                let text = &rest[end + 1..rest.find("</textarea>").unwrap()];
                fields.push((attr("name").unwrap_or_default(), unescape(text)));
            }
            _ => {}
        }
        rest = &rest[end..];
    }
    fields
}

fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag.split_once(char::is_whitespace).map(|(_, r)| r).unwrap_or("");
    loop {
        rest = rest.trim_start();
        let key_end = rest.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(rest.len());
        if key_end == 0 {
            return out;
        }
        let key = rest[..key_end].to_string();
        rest = &rest[key_end..];
        if let Some(value) = rest.strip_prefix("=\"") {
            let close = value.find('"').unwrap_or(value.len());
            out.push((key, unescape(&value[..close])));
            rest = &value[(close + 1).min(value.len())..];
        } else {
            out.push((key, String::new()));
        }
    }
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

impl TestApp {
    /// The API as Exempelby's coordinator.
    pub async fn coordinator_api(&self) -> ApiClient {
        self.api(&self.api_token("samordnare@exempelby.se", self.exempelby).await)
    }

    pub async fn person_id(&self, name: &str) -> Uuid {
        self.id_of("SELECT id FROM people WHERE municipality_id = $1 AND name = $2", name).await
    }

    pub async fn asset_id(&self, name: &str) -> Uuid {
        self.id_of("SELECT id FROM information_assets WHERE municipality_id = $1 AND name = $2", name).await
    }
}

/// The response's JSON body, after asserting its status.
pub async fn json_of(response: reqwest::Response, status: u16) -> serde_json::Value {
    let got = response.status().as_u16();
    let body = response.text().await.unwrap();
    assert_eq!(got, status, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// Classification levels with a reason for each.
pub fn levels(k: u8, r: u8, t: u8, s: u8) -> serde_json::Value {
    let reason = "Skälet till nivån.";
    serde_json::json!({"k": k.to_string(), "r": r.to_string(), "t": t.to_string(), "s": s.to_string(),
           "k_reason": reason, "r_reason": reason, "t_reason": reason, "s_reason": reason})
}

pub async fn new_system(api: &ApiClient, name: &str) -> Uuid {
    let created = json_of(
        api.send(reqwest::Method::POST, "/systems", serde_json::json!({"name": name, "is_critical": true})).await,
        201,
    )
    .await;
    assert_eq!(created["protection_level"], serde_json::Value::Null, "nothing classified yet");
    assert_eq!(created["level_4_flag"], false);
    created["id"].as_str().unwrap().parse().unwrap()
}

pub async fn new_asset(api: &ApiClient, system: Uuid, name: &str) -> Uuid {
    let asset = json_of(
        api.send(reqwest::Method::POST, &format!("/systems/{system}/assets"), serde_json::json!({"name": name})).await,
        201,
    )
    .await;
    asset["id"].as_str().unwrap().parse().unwrap()
}

/// What a piece of work asked PostgreSQL: how many statements, and the most rows any one returned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Work {
    pub statements: usize,
    pub most_rows: u64,
}

/// Counts sqlx's statements (its `sqlx::query` events) inside a `counted` span. Only the
/// measured future runs in that span, so queries from the server's own tasks are not counted.
#[derive(Clone, Default)]
struct WorkCounter(std::sync::Arc<std::sync::Mutex<Work>>);

struct RowsReturned(Option<u64>);

impl tracing::field::Visit for RowsReturned {
    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        if field.name() == "rows_returned" {
            self.0 = Some(value);
        }
    }

    fn record_i64(&mut self, field: &tracing::field::Field, value: i64) {
        if field.name() == "rows_returned" {
            self.0 = u64::try_from(value).ok();
        }
    }

    fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
}

impl<S> tracing_subscriber::Layer<S> for WorkCounter
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_event(&self, event: &tracing::Event<'_>, ctx: tracing_subscriber::layer::Context<'_, S>) {
        let in_counted_span =
            ctx.event_scope(event).is_some_and(|mut scope| scope.any(|span| span.name() == "counted"));
        if event.metadata().target() == "sqlx::query" && in_counted_span {
            let mut rows = RowsReturned(None);
            event.record(&mut rows);
            let mut work = self.0.lock().unwrap();
            work.statements += 1;
            work.most_rows = work.most_rows.max(rows.0.unwrap_or(0));
        }
    }
}

/// Runs `work` and says what it asked PostgreSQL.
pub async fn counted<T>(work: impl std::future::Future<Output = T>) -> (Work, T) {
    use tracing_subscriber::layer::SubscriberExt;
    let counter = WorkCounter::default();
    let subscriber = tracing_subscriber::registry().with(counter.clone());
    let _guard = tracing::subscriber::set_default(subscriber);
    let output = tracing::Instrument::instrument(work, tracing::info_span!("counted")).await;
    let work = *counter.0.lock().unwrap();
    (work, output)
}
