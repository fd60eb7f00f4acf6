//! Benchmark: starts Lisa on a private PostgreSQL with the demo municipality, logs in as
//! the coordinator, and measures requests per second and p50/p99 latency for the start
//! page beside `/healthz` (the floor: the same server doing no work), with keep-alive
//! connections from a small built-in HTTP/1.1 client. Then it generates the large
//! municipality Storby (once) and measures its coordinator dashboard, its published annual
//! report page and the time to make the report's PDF.
//!
//! `cargo run --release --bin bench [-- --seconds 5 --connections 32]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use lisa::db::Database;
use lisa::{AppState, Config};

struct Options {
    seconds: u64,
    connections: usize,
    /// Measure only the floor and Storby's lists whose path contains this (`--only /risks`).
    only: Option<String>,
}

impl Options {
    fn includes(&self, path: &str) -> bool {
        self.only.as_deref().is_none_or(|only| path.contains(only))
    }
}

fn options() -> anyhow::Result<Options> {
    let mut options = Options { seconds: 5, connections: 32, only: None };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair.get(1).context("every option needs a value")?;
        match pair[0].as_str() {
            "--seconds" => options.seconds = value.parse()?,
            "--connections" => options.connections = value.parse()?,
            "--only" => options.only = Some(value.clone()),
            other => bail!("unknown option {other}"),
        }
    }
    Ok(options)
}

/// One keep-alive connection speaking just enough HTTP/1.1.
struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
}

struct Reply {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Connection {
    async fn open(addr: std::net::SocketAddr) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection { stream, buffer: Vec::with_capacity(64 * 1024) })
    }

    async fn send(&mut self, request: &[u8]) -> anyhow::Result<Reply> {
        self.stream.write_all(request).await?;
        let header_end = loop {
            if let Some(pos) = self.buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break pos + 4;
            }
            self.fill().await?;
        };
        let headers = String::from_utf8_lossy(&self.buffer[..header_end]).to_string();
        let status = headers.get(9..12).and_then(|s| s.parse().ok()).context("no status line")?;
        self.buffer.drain(..header_end);
        let chunked = headers.to_ascii_lowercase().contains("transfer-encoding: chunked");
        let body = if chunked {
            self.chunked_body().await?
        } else {
            let length: usize = headers
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
                .context("no Content-Length and not chunked")?
                .parse()?;
            self.take(length).await?
        };
        Ok(Reply { status, headers, body })
    }

    /// The next `length` bytes.
    async fn take(&mut self, length: usize) -> anyhow::Result<Vec<u8>> {
        while self.buffer.len() < length {
            self.fill().await?;
        }
        Ok(self.buffer.drain(..length).collect())
    }

    /// A body in chunked transfer encoding (a streamed CSV): size line, data, CRLF, until size 0.
    async fn chunked_body(&mut self) -> anyhow::Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let line_end = loop {
                if let Some(pos) = self.buffer.windows(2).position(|w| w == b"\r\n") {
                    break pos;
                }
                self.fill().await?;
            };
            let size_line = String::from_utf8_lossy(&self.buffer[..line_end]).to_string();
            let size = usize::from_str_radix(size_line.split(';').next().unwrap_or("").trim(), 16)?;
            self.buffer.drain(..line_end + 2);
            let data = self.take(size + 2).await?;
            if size == 0 {
                return Ok(body);
            }
            body.extend_from_slice(&data[..size]);
        }
    }

    async fn fill(&mut self) -> anyhow::Result<()> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            bail!("connection closed");
        }
        self.buffer.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}

fn get(path: &str, cookie: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: bench\r\nCookie: {cookie}\r\n\r\n").into_bytes()
}

fn cookie_value(headers: &str, name: &str) -> Option<String> {
    headers.lines().filter_map(|l| l.strip_prefix("set-cookie: ")).find_map(|c| {
        let (pair, _) = c.split_once(';').unwrap_or((c, ""));
        pair.strip_prefix(&format!("{name}=")).map(str::to_string)
    })
}

async fn login(addr: std::net::SocketAddr, email: &str) -> anyhow::Result<String> {
    let mut conn = Connection::open(addr).await?;
    let page = conn.send(&get("/login", "")).await?;
    let anon = cookie_value(&page.headers, "lisa_csrf").context("no CSRF cookie")?;
    let html = String::from_utf8_lossy(&page.body);
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).context("no CSRF field")? + marker.len();
    let token = &html[start..start + 64];
    let form =
        format!("csrf_token={token}&email={}&password={}&next=%2F", email.replace('@', "%40"), lisa::demo::PASSWORD);
    let request = format!(
        "POST /login HTTP/1.1\r\nHost: bench\r\nCookie: lisa_csrf={anon}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    );
    let reply = conn.send(request.as_bytes()).await?;
    if reply.status != 303 {
        bail!("login failed with {}", reply.status);
    }
    let session = cookie_value(&reply.headers, "lisa_session").context("no session cookie")?;
    Ok(format!("lisa_session={session}"))
}

struct Figures {
    requests: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// `connections` clients request `path` as fast as they can for `seconds` (after a warm-up).
async fn measure(addr: std::net::SocketAddr, path: &str, cookie: &str, options: &Options) -> anyhow::Result<Figures> {
    measure_on(&[addr], path, cookie, options).await
}

/// As `measure`, with the clients split evenly between several instances of Lisa.
async fn measure_on(
    addrs: &[std::net::SocketAddr],
    path: &str,
    cookie: &str,
    options: &Options,
) -> anyhow::Result<Figures> {
    let request = Arc::new(get(path, cookie));
    let run = |duration: Duration| {
        let request = request.clone();
        async move {
            let mut tasks = Vec::new();
            for client in 0..options.connections {
                let addr = addrs[client % addrs.len()];
                let request = request.clone();
                tasks.push(tokio::spawn(async move {
                    let mut conn = Connection::open(addr).await?;
                    let mut latencies = Vec::new();
                    let end = Instant::now() + duration;
                    while Instant::now() < end {
                        let started = Instant::now();
                        let reply = conn.send(&request).await?;
                        if reply.status != 200 {
                            bail!("status {}", reply.status);
                        }
                        latencies.push(started.elapsed());
                    }
                    anyhow::Ok(latencies)
                }));
            }
            let mut all = Vec::new();
            for task in tasks {
                all.extend(task.await??);
            }
            anyhow::Ok(all)
        }
    };
    run(Duration::from_secs(1)).await?;
    let started = Instant::now();
    let mut latencies = run(Duration::from_secs(options.seconds)).await?;
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Ok(Figures {
        requests: latencies.len(),
        per_second: latencies.len() as f64 / elapsed,
        p50: at(0.50),
        p99: at(0.99),
    })
}

fn print(name: &str, f: &Figures) {
    println!(
        "{name:<28} {:>9.0} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   ({} requests)",
        f.per_second,
        f.p50.as_secs_f64() * 1000.0,
        f.p99.as_secs_f64() * 1000.0,
        f.requests
    );
}

/// Storby's everyday lists, as pages and through the API, as its coordinator: each against the
/// targets p99 ≤ 100 ms and throughput ≥ 2 % of /healthz.
async fn lists(addr: std::net::SocketAddr, cookie: &str, options: &Options, floor: &Figures) {
    const LISTS: [&str; 24] = [
        "/incidents",
        "/api/v1/incidents",
        "/systems",
        "/api/v1/systems",
        "/risks",
        "/api/v1/risks",
        "/actions",
        "/api/v1/actions",
        "/recommendations",
        "/api/v1/recommendations",
        "/access-reviews",
        "/api/v1/access-reviews",
        "/audit-log",
        "/api/v1/audit-log",
        "/documents",
        "/api/v1/documents",
        "/suppliers",
        "/api/v1/suppliers",
        "/contracts",
        "/api/v1/contracts",
        "/org/people",
        "/api/v1/people",
        "/org/users",
        "/api/v1/users",
    ];
    println!(
        "\nStorby's lists (targets: p99 ≤ 100 ms, throughput ≥ {:.0} req/s = 2 % of /healthz)",
        floor.per_second * 0.02
    );
    for path in LISTS.into_iter().filter(|path| options.includes(path)) {
        match measure(addr, path, cookie, options).await {
            Ok(figures) => {
                let met = figures.p99 <= Duration::from_millis(100) && figures.per_second >= floor.per_second * 0.02;
                print(path, &figures);
                println!(
                    "{:<28} {:.2} % of /healthz; {}",
                    "",
                    100.0 * figures.per_second / floor.per_second,
                    if met { "meets the targets" } else { "MISSES the targets" }
                );
            }
            Err(error) => println!("{path:<28} failed: {error:#}"),
        }
    }
    if !options.includes("/incidents.csv") {
        return;
    }
    match export(addr, "/incidents.csv", cookie).await {
        Ok((slowest, bytes)) => println!(
            "/incidents.csv (all 20,000, one client): slowest of 3 = {:.0} ms, {:.1} MB (target ≤ 2000 ms)",
            slowest.as_secs_f64() * 1000.0,
            bytes as f64 / 1e6
        ),
        Err(error) => println!("/incidents.csv failed: {error:#}"),
    }
}

/// The process's peak resident memory in kB (Linux).
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().trim_end_matches("kB").trim().parse().ok()
}

/// The slowest of three downloads of an export, and its size.
async fn export(addr: std::net::SocketAddr, path: &str, cookie: &str) -> anyhow::Result<(Duration, usize)> {
    let mut conn = Connection::open(addr).await?;
    let mut slowest = (Duration::ZERO, 0);
    for _ in 0..3 {
        let started = Instant::now();
        let reply = conn.send(&get(path, cookie)).await?;
        anyhow::ensure!(reply.status == 200, "status {}", reply.status);
        slowest = slowest.max((started.elapsed(), reply.body.len()));
    }
    Ok(slowest)
}

/// `clients` open the dashboard at once before anyone has (as right after a restart); how long
/// until the last of them has its answer.
async fn cold_start(addr: std::net::SocketAddr, cookie: &str, clients: usize) -> anyhow::Result<Duration> {
    let request = Arc::new(get("/", cookie));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let reply = Connection::open(addr).await?.send(&request).await?;
            anyhow::ensure!(reply.status == 200, "dashboard status {}", reply.status);
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(started.elapsed())
}

/// The large municipality: its coordinator and system owner dashboards, its published report
/// page, and the PDF.
async fn large(
    state: &AppState,
    addr: std::net::SocketAddr,
    options: &Options,
    floor: &Figures,
) -> anyhow::Result<lisa::db::MunicipalityId> {
    let today = lisa::web::format::today();
    let started = Instant::now();
    let mut tx = state.pool.begin().await?;
    let m = lisa::demo::large::seed(&mut tx, state.config.password_cost, today).await?;
    tx.commit().await?;
    lisa::demo::large::settle(&state.pool).await?;
    println!(
        "\nStorby kommun (1,500 systems, 20,000 incidents, 600 contracts, 2,000 users, 500,000 log entries): ready in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let last_year = chrono::Datelike::year(&today) - 1;
    let report = match lisa::reports::store::list(&state.pool, m).await?.into_iter().find(|r| r.is_published()) {
        Some(report) => report.id,
        None => {
            let started = Instant::now();
            let actor = lisa::audit_log::Actor::system("bench");
            let mut tx = state.pool.begin().await?;
            let report = lisa::reports::store::create(&mut tx, &actor, m, last_year as i16).await?;
            let figures = lisa::reports::figures::compute(&mut tx, m, last_year, report.as_of_date()).await?;
            let by = lisa::reports::store::Publisher { name: "Stina Stor", role: "Informationssäkerhetssamordnare" };
            lisa::reports::store::publish(&mut tx, &actor, m, report.id, &figures, &by).await?;
            tx.commit().await?;
            println!(
                "annual report {last_year} computed and published in {:.0} ms",
                started.elapsed().as_secs_f64() * 1000.0
            );
            report.id
        }
    };
    let cookie = login(addr, lisa::demo::large::COORDINATOR).await?;
    if options.only.is_some() {
        lists(addr, &cookie, options, floor).await;
        return Ok(m);
    }
    let cold = cold_start(addr, &cookie, options.connections).await?;
    println!(
        "coordinator dashboard, cold: {} clients at once, the last answered after {:.0} ms",
        options.connections,
        cold.as_secs_f64() * 1000.0
    );
    let mut conn = Connection::open(addr).await?;
    let dashboard = measure(addr, "/", &cookie, options).await?;
    print("/ (coordinator dashboard)", &dashboard);
    let owner_cookie = login(addr, lisa::demo::large::SYSTEM_OWNER).await?;
    let owner = measure(addr, "/", &owner_cookie, options).await?;
    print("/ (system owner dashboard)", &owner);
    let page = measure(addr, &format!("/reports/{report}"), &cookie, options).await?;
    print("/reports/{id} (published)", &page);
    let mut slowest = Duration::ZERO;
    for _ in 0..3 {
        let started = Instant::now();
        let pdf = conn.send(&get(&format!("/reports/{report}/pdf"), &cookie)).await?;
        anyhow::ensure!(pdf.status == 200 && pdf.body.starts_with(b"%PDF"), "PDF status {}", pdf.status);
        slowest = slowest.max(started.elapsed());
    }
    println!("annual report PDF: slowest of 3 = {:.0} ms (target ≤ 3000 ms)", slowest.as_secs_f64() * 1000.0);
    lists(addr, &cookie, options, floor).await;
    println!(
        "targets: dashboard p99 {:.1} ms and report page p99 {:.1} ms (each ≤ 100 ms at {} connections)",
        dashboard.p99.as_secs_f64() * 1000.0,
        page.p99.as_secs_f64() * 1000.0,
        options.connections
    );
    Ok(m)
}

/// A second instance on the same database, the clients split between the two, on the lists
/// that cost the most, beside the same lists on one instance (issue 29).
async fn two_instances(
    app_pool: sqlx::PgPool,
    config: Config,
    first: std::net::SocketAddr,
    options: &Options,
) -> anyhow::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let second = listener.local_addr()?;
    let state = AppState::new(app_pool, config);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(lisa::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let cookie = login(first, lisa::demo::large::COORDINATOR).await?;
    println!("\ntwo instances on one database, {} clients split between them:", options.connections);
    for path in ["/systems", "/contracts", "/api/v1/risks"] {
        let one = measure_on(&[first], path, &cookie, options).await?;
        let two = measure_on(&[first, second], path, &cookie, options).await?;
        println!(
            "{path:<28} one instance {:>6.0} req/s (p99 {:.0} ms), two {:>6.0} req/s (p99 {:.0} ms)",
            one.per_second,
            one.p99.as_secs_f64() * 1000.0,
            two.per_second,
            two.p99.as_secs_f64() * 1000.0
        );
    }
    let _ = stop.send(());
    server.await??;
    Ok(())
}

/// One request of its own, with an API token, and how long it took.
async fn timed(addr: std::net::SocketAddr, request: String, body: &[u8]) -> anyhow::Result<(u16, Duration)> {
    let mut conn = Connection::open(addr).await?;
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    let started = Instant::now();
    let reply = conn.send(&bytes).await?;
    Ok((reply.status, started.elapsed()))
}

/// The worst single requests the outside probe sent (issue 27), each on its own, while
/// /healthz is asked alongside: a paste at the line cap, a search of 200 wildcards over the
/// 500,000-entry change log, and a PDF decompression bomb uploaded as an audit report.
async fn worst_requests(
    state: &AppState,
    addr: std::net::SocketAddr,
    m: lisa::db::MunicipalityId,
) -> anyhow::Result<()> {
    let coordinator = lisa::org::store::find_user_id_by_email(&state.pool, lisa::demo::large::COORDINATOR)
        .await?
        .context("Storby's coordinator")?;
    let new = lisa::auth::tokens::NewToken { name: "bench".into(), days: 1, read_only: false };
    let token =
        lisa::auth::tokens::issue(&state.pool, &lisa::audit_log::Actor::system("bench"), coordinator, m, &new).await?;
    let send = |method: &str, path: &str, kind: &str, length: usize| {
        format!(
            "{method} {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\nContent-Type: {kind}\r\nContent-Length: {length}\r\n\r\n"
        )
    };
    let paste: String =
        (0..lisa::audits::paste::MAX_LINES / 2).map(|i| format!("{i}. Rekommendation nummer {i}.\n\n")).collect();
    let body = serde_json::json!({"text": paste}).to_string();
    let (status, took) =
        timed(addr, send("POST", "/api/v1/recommendations/parse", "application/json", body.len()), body.as_bytes())
            .await?;
    println!("\nworst single requests (issue 27), each alone:");
    println!("  paste of {} lines: {status} in {:.0} ms", lisa::audits::paste::MAX_LINES, took.as_secs_f64() * 1000.0);
    let wildcards = "%25".repeat(lisa::web::search::MAX_CHARS);
    let (status, took) =
        timed(addr, send("GET", &format!("/api/v1/audit-log?limit=1&actor={wildcards}x"), "", 0), &[]).await?;
    println!("  change-log search for 200 '%' over 500,000 entries: {status} in {:.0} ms", took.as_secs_f64() * 1000.0);
    let audit: uuid::Uuid = sqlx::query_scalar("SELECT id FROM audits WHERE municipality_id = $1 LIMIT 1")
        .bind(m)
        .fetch_one(&state.pool)
        .await?;
    let bomb = lisa::demo::hostile::pdf_bomb(76, 255 * 1024 * 1024);
    let path = format!("/api/v1/audits/{audit}/report");
    let (status, took) = timed(addr, send("PUT", &path, "application/pdf", bomb.len()), &bomb).await?;
    println!(
        "  PDF bomb ({:.1} MB inflating 76 × 255 MB): {status} in {:.0} ms",
        bomb.len() as f64 / 1e6,
        took.as_secs_f64() * 1000.0
    );
    Ok(())
}

/// mimalloc instead of glibc's malloc: a page allocates and frees thousands of small strings
/// from both cores at once, and glibc's malloc spent about a tenth of Lisa's time on a list.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = options()?;
    let mut config = Config::from_env()?;
    if std::env::var_os("LISA_DATA_DIR").is_none() {
        config.data_dir = ".lisa/bench/pgdata".into();
    }
    let database = Database::open(&config).await?;
    database.migrate().await?;
    // Data is made as the owner; Lisa serves as the application role, as in production.
    let owner = AppState::new(database.owner.clone(), config.clone());
    lisa::demo::seed(&owner).await?;
    let state = AppState::new(database.app_pool().await?, config.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(lisa::serve(listener, state.clone(), async {
        let _ = stopped.await;
    }));

    let cookie = login(addr, "samordnare@exempelby.se").await?;
    println!(
        "Lisa benchmark: {} connections, {} s per measurement, {} cores",
        options.connections,
        options.seconds,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    let floor = measure(addr, "/healthz", "", &options).await?;
    print("/healthz (floor)", &floor);
    if options.only.is_none() {
        let start = measure(addr, "/", &cookie, &options).await?;
        print("/ (start page, logged in)", &start);
        println!(
            "start page throughput = {:.0} % of /healthz (target ≥ 30 %)",
            100.0 * start.per_second / floor.per_second
        );
    }

    let storby = large(&owner, addr, &options, &floor).await?;

    match peak_memory() {
        Some(kb) => println!(
            "\npeak memory (VmHWM) of this process, Lisa and the benchmark's clients together: {} MB (target < 300 MB)",
            kb / 1024
        ),
        None => println!("\npeak memory: /proc/self/status not readable"),
    }
    // After the memory figure: making the PDF bomb takes the benchmark 255 MB of its own.
    if options.only.is_none() {
        two_instances(database.app_pool().await?, config, addr, &options).await?;
        worst_requests(&owner, addr, storby).await?;
    }
    let _ = stop.send(());
    server.await??;
    state.pool.close().await;
    database.close().await
}
