//! Lists and overviews answered again from a copy while nothing in the municipality changed.
//!
//! A coordinator pages back and forth, a board meeting opens the same register at once, an
//! integration polls the API: the same viewer asks for the same address again and again
//! between changes. A copy of the response is kept per viewer (user, grants and session, so
//! that the CSRF token in the page and every permission stay theirs) and address, and is used
//! only while the municipality's change count (`cache::Changes`) is what it was when the
//! response was made, and for at most `FRESH_FOR`. The count is read before the handler
//! runs: a change committed during the computation bumps it, and the copy is then never
//! served. Changes made elsewhere (another instance, the command line) show within `FRESH_FOR`,
//! as signed-in identities do.
//!
//! Only the routes the router names are served from here (`lisa::READ_CACHED_ROUTES`), only
//! GETs that answer 200 with a body of known size and no cookie, and never while a flash
//! message waits to be shown.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody as _};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::AppState;
use crate::auth::{Credential, Grant, Principal};
use crate::db::MunicipalityId;
use crate::web::cache::Flights;

/// How long a copy may be served at most, whatever the change count says.
pub const FRESH_FOR: Duration = Duration::from_secs(5);
/// The largest response kept (a list page is one page of rows; this is far above it).
const LARGEST_BODY: u64 = 2 * 1024 * 1024;
/// The bytes of bodies kept at once; when full, expired copies go, then all.
const BUDGET: usize = 64 * 1024 * 1024;

/// Who sees a response: everything in the principal that a page or an API answer depends on.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Viewer {
    user: Uuid,
    is_admin: bool,
    display_name: String,
    grants: Vec<Grant>,
    municipalities: Vec<Uuid>,
    /// The session's token hash: its pages carry its CSRF token. None for an API token.
    session: Option<Vec<u8>>,
    two_factor: (bool, bool),
}

impl Viewer {
    fn of(principal: &Principal) -> Self {
        Viewer {
            user: principal.user_id,
            is_admin: principal.is_admin,
            display_name: principal.display_name.clone(),
            grants: principal.grants.clone(),
            municipalities: principal.municipalities.iter().map(|m| m.id).collect(),
            session: match &principal.credential {
                Credential::Session { token_hash, .. } => Some(token_hash.clone()),
                Credential::ApiToken { .. } => None,
            },
            two_factor: (principal.two_factor_enabled, principal.two_factor_required),
        }
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    municipality: MunicipalityId,
    viewer: Viewer,
    /// Path and query as asked.
    target: String,
}

struct Copy {
    made: Instant,
    /// The municipality's change count read before the response was made.
    changes: u64,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Default)]
struct Copies {
    entries: HashMap<Key, Copy>,
    bytes: usize,
}

pub struct ReadCache {
    /// Off only to measure what a response costs when made afresh (the benchmark).
    enabled: bool,
    routes: &'static [&'static str],
    fresh_for: Duration,
    copies: Mutex<Copies>,
    /// The copies being made: one makes a copy while the others asking for it wait.
    flights: Flights<Key>,
}

impl ReadCache {
    pub fn new(enabled: bool, routes: &'static [&'static str]) -> Self {
        ReadCache { enabled, routes, fresh_for: FRESH_FOR, copies: Mutex::default(), flights: Flights::default() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Copies> {
        self.copies.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn get(&self, key: &Key, changes: u64) -> Option<Response> {
        let copies = self.lock();
        let copy = copies.entries.get(key)?;
        if copy.changes != changes || copy.made.elapsed() >= self.fresh_for {
            return None;
        }
        let mut response = Response::new(Body::from(copy.body.clone()));
        *response.headers_mut() = copy.headers.clone();
        Some(response)
    }

    fn keep(&self, key: Key, changes: u64, headers: HeaderMap, body: Bytes) {
        let mut copies = self.lock();
        if copies.bytes + body.len() > BUDGET {
            let fresh_for = self.fresh_for;
            copies.entries.retain(|_, copy| copy.made.elapsed() < fresh_for);
            copies.bytes = copies.entries.values().map(|copy| copy.body.len()).sum();
            if copies.bytes + body.len() > BUDGET {
                copies.entries.clear();
                copies.bytes = 0;
            }
        }
        copies.bytes += body.len();
        let copy = Copy { made: Instant::now(), changes, headers, body };
        if let Some(old) = copies.entries.insert(key, copy) {
            copies.bytes -= old.body.len();
        }
    }
}

/// Middleware (inside the session middleware, which puts the `Principal` in the request).
pub async fn serve(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let cache = &state.read_cache;
    let cached_route = request.extensions().get::<MatchedPath>().is_some_and(|p| cache.routes.contains(&p.as_str()));
    let principal = request.extensions().get::<Principal>();
    let (true, true, Some(principal)) = (cache.enabled && cached_route, request.method() == Method::GET, principal)
    else {
        return next.run(request).await;
    };
    let Ok(municipality) = principal.tenant() else {
        return next.run(request).await;
    };
    if crate::web::cookies::get(request.headers(), crate::web::flash::COOKIE).is_some() {
        return next.run(request).await;
    }
    let target = request.uri().path_and_query().map_or_else(|| request.uri().path().to_string(), |pq| pq.to_string());
    let key = Key { municipality, viewer: Viewer::of(principal), target };
    let changes = state.changes.count(municipality);
    if let Some(response) = cache.get(&key, changes) {
        return response;
    }
    let _flight = cache.flights.enter(&key).await;
    let changes = state.changes.count(municipality);
    if let Some(response) = cache.get(&key, changes) {
        return response;
    }
    let response = next.run(request).await;
    let size = response.body().size_hint().exact();
    let keepable = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && size.is_some_and(|size| size <= LARGEST_BODY);
    if !keepable {
        return response;
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, LARGEST_BODY as usize).await {
        Ok(bytes) => {
            cache.keep(key, changes, parts.headers.clone(), bytes.clone());
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(error) => {
            tracing::error!(%error, "a response could not be read to keep a copy");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(user: u128, target: &str) -> Key {
        let viewer = Viewer {
            user: Uuid::from_u128(user),
            is_admin: false,
            display_name: String::new(),
            grants: Vec::new(),
            municipalities: Vec::new(),
            session: None,
            two_factor: (false, false),
        };
        Key { municipality: MunicipalityId::chosen(Uuid::from_u128(1)), viewer, target: target.into() }
    }

    async fn body(response: Response) -> Bytes {
        axum::body::to_bytes(response.into_body(), 1024).await.unwrap()
    }

    #[tokio::test]
    async fn a_copy_serves_only_its_key_while_the_count_holds_and_not_after_its_time() {
        let cache = ReadCache { fresh_for: Duration::from_millis(50), ..ReadCache::new(true, &[]) };
        cache.keep(key(1, "/systems"), 7, HeaderMap::new(), Bytes::from_static(b"lista"));
        assert_eq!(body(cache.get(&key(1, "/systems"), 7).unwrap()).await, "lista");
        assert!(cache.get(&key(1, "/systems"), 8).is_none(), "a change since");
        assert!(cache.get(&key(2, "/systems"), 7).is_none(), "another viewer");
        assert!(cache.get(&key(1, "/systems?page=2"), 7).is_none(), "another address");
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.get(&key(1, "/systems"), 7).is_none(), "too old");
    }

    #[test]
    fn the_copies_stay_within_their_budget() {
        let cache = ReadCache::new(true, &[]);
        let big = Bytes::from(vec![b'x'; BUDGET / 3 + 1]);
        for user in 0..10 {
            cache.keep(key(user, "/"), 0, HeaderMap::new(), big.clone());
            let copies = cache.lock();
            assert!(copies.bytes <= BUDGET);
            assert_eq!(copies.bytes, copies.entries.values().map(|c| c.body.len()).sum::<usize>());
        }
        cache.keep(key(1, "/"), 0, HeaderMap::new(), Bytes::from_static(b"liten"));
        cache.keep(key(1, "/"), 0, HeaderMap::new(), Bytes::from_static(b"ny"));
        let copies = cache.lock();
        assert_eq!(
            copies.bytes,
            copies.entries.values().map(|c| c.body.len()).sum::<usize>(),
            "a replaced copy is not counted twice"
        );
    }
}
