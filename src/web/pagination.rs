//! Page numbers for long lists, on pages and in the API. A list asks PostgreSQL for one page
//! and the number of matching rows, counted no further than [`COUNT_AHEAD`] rows past the page's
//! start (`Asked::count_limit`, `Asked::among`), so that a page costs the same in a municipality of
//! any size. The API answers with that page as a JSON array, the total in `X-Total-Count` when it
//! was counted to the end, and the next page in a `Link` header (`Paged`).

use axum::http::header::{HeaderName, HeaderValue, LINK};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

pub const PER_PAGE: i64 = 50;
/// The API's page size when none is asked for, and the largest it gives.
pub const API_DEFAULT_LIMIT: i64 = 100;
pub const API_MAX_LIMIT: i64 = 500;
/// Past this page number a request is surely a mistake; it is answered with the last page.
const MAX_PAGE: i64 = 1_000_000;
/// A list counts its matches this far past the asked page's first row and no further; past it
/// the list says "more than".
pub const COUNT_AHEAD: i64 = 1_000;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    pub page: Option<String>,
}

impl ListQuery {
    /// The requested page, 1 when absent or not a number.
    pub fn page(&self) -> i64 {
        self.page.as_deref().and_then(|p| p.parse::<i64>().ok()).filter(|p| *p >= 1).unwrap_or(1)
    }

    pub fn search(&self) -> &str {
        self.q.trim()
    }
}

fn page_number(text: Option<&str>) -> i64 {
    text.and_then(|p| p.trim().parse::<i64>().ok()).unwrap_or(1).clamp(1, MAX_PAGE)
}

/// Which page a request asks for, and how long its pages are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Asked {
    pub page: i64,
    pub per_page: i64,
}

impl Asked {
    /// Every row, for exports and figures.
    pub const ALL: Asked = Asked { page: 1, per_page: i64::MAX };

    /// A page of a list page (`?page=`), `PER_PAGE` rows long.
    pub fn page(page: Option<&str>) -> Asked {
        Asked { page: page_number(page), per_page: PER_PAGE }
    }

    pub fn offset(self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }

    /// How many matching rows the list's SQL counts at most: `count(*)` over
    /// `(SELECT 1 FROM matching LIMIT count_limit)`.
    pub fn count_limit(self) -> i64 {
        self.offset().saturating_add(COUNT_AHEAD + 1)
    }

    /// Where the asked page sits among the `counted` rows (counted up to `count_limit`); a page
    /// past the end (a stale link) is the last page. The lists' SQL clamps its OFFSET the same
    /// way, so one query fetches it: `OFFSET LEAST($offset, GREATEST(counted - 1, 0) / $limit * $limit)`.
    pub fn among(self, counted: i64) -> Pager {
        if counted >= self.count_limit() {
            let pages = (self.count_limit() + self.per_page - 1) / self.per_page;
            return Pager {
                page: self.page,
                pages,
                total: self.count_limit() - 1,
                per_page: self.per_page,
                more: true,
            };
        }
        Pager::sized(self.page, self.per_page, counted)
    }
}

/// A list's filter as the query string its page links, CSV link and filter form repeat: every
/// field the filter serializes (its page number is marked `skip_serializing`).
pub fn filter_query(filter: &impl serde::Serialize) -> String {
    serde_urlencoded::to_string(filter).unwrap_or_default()
}

/// An API list's free-text search, `q`.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Search {
    /// Text to look for (for example in a name).
    #[serde(default)]
    pub q: String,
}

/// An API list's `page` and `limit` (default 100, at most 500).
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApiPage {
    /// Page number, from 1.
    #[param(value_type = Option<i64>, minimum = 1)]
    pub page: Option<String>,
    /// Rows per page: 100 unless asked, at most 500.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
}

impl ApiPage {
    pub fn asked(&self) -> Asked {
        Asked { page: page_number(self.page.as_deref()), per_page: api_limit(self.limit.as_deref()) }
    }
}

fn api_limit(text: Option<&str>) -> i64 {
    text.and_then(|l| l.trim().parse::<i64>().ok()).unwrap_or(API_DEFAULT_LIMIT).clamp(1, API_MAX_LIMIT)
}

/// The `limit` of an API list read by cursor (see [`Keyset`]): 100 unless asked, at most 500.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Limit {
    /// Rows per page: 100 unless asked, at most 500.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
}

impl Limit {
    pub fn limit(&self) -> i64 {
        api_limit(self.limit.as_deref())
    }
}

/// Where one page sits in a list of `total` rows, or of more than `total` when `more` (the list
/// was not counted to its end; `pages` is then the least number of pages it has).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub per_page: i64,
    pub more: bool,
}

impl Pager {
    pub fn new(page: i64, total: i64) -> Self {
        Pager::sized(page, PER_PAGE, total)
    }

    pub fn sized(page: i64, per_page: i64, total: i64) -> Self {
        let pages = ((total + per_page - 1) / per_page).max(1);
        Pager { page: page.clamp(1, pages), pages, total, per_page, more: false }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    pub fn limit(&self) -> i64 {
        self.per_page
    }

    /// This page's rows of a list that was filtered in full.
    pub fn page_of<T>(&self, all: Vec<T>) -> Vec<T> {
        all.into_iter().skip(self.offset() as usize).take(self.limit() as usize).collect()
    }

    /// The whole list's length with its noun: "1 åtgärd", "12 åtgärder", "Fler än 1 000 åtgärder".
    pub fn count(&self, one: &str, many: &str) -> String {
        if self.more {
            // Whole thousands, so that the figure stays put while one pages through the list.
            let at_least = self.total / COUNT_AHEAD * COUNT_AHEAD;
            return format!("Fler än {} {many}", super::format::thousands(at_least));
        }
        super::format::count(usize::try_from(self.total).unwrap_or(0), one, many)
    }

    /// The total for `X-Total-Count` and the like, when the list was counted to its end.
    pub fn exact_total(&self) -> Option<i64> {
        (!self.more).then_some(self.total)
    }

    pub fn previous(&self) -> Option<i64> {
        (self.page > 1).then_some(self.page - 1)
    }

    pub fn next(&self) -> Option<i64> {
        (self.page < self.pages).then_some(self.page + 1)
    }

    /// "av 7", or "av minst 23" when the list was not counted to its end.
    pub fn of_pages(&self) -> String {
        if self.more { format!("av minst {}", self.pages) } else { format!("av {}", self.pages) }
    }
}

/// An API list's page: the rows as a JSON array, `X-Total-Count`, and `Link: <…>; rel="next"`
/// (the same address with the next page) while there are more.
pub struct Paged<T> {
    pub items: Vec<T>,
    pub pager: Pager,
    /// The request's path and query, which the next page's link repeats.
    pub uri: axum::http::Uri,
}

impl<T> Paged<T> {
    fn next_link(&self) -> Option<String> {
        let next = self.pager.next()?;
        Some(next_link(&self.uri, [("page", next.to_string()), ("limit", self.pager.per_page.to_string())]))
    }
}

/// `Link: <…>; rel="next"`: the request's address with its filter kept and `next` in place of
/// the paging parameters it had.
fn next_link<const N: usize>(uri: &axum::http::Uri, next: [(&str, String); N]) -> String {
    let mut pairs: Vec<(String, String)> =
        uri.query().map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
    pairs.retain(|(key, _)| !["page", "limit", "before"].contains(&key.as_str()));
    pairs.extend(next.into_iter().map(|(key, value)| (key.to_string(), value)));
    let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    format!("<{}?{query}>; rel=\"next\"", uri.path())
}

/// A list read from the top by a cursor instead of page numbers (long, append-only lists such
/// as the change log, where counting every row on every page would cost more than the page):
/// the rows as a JSON array, `X-Total-Count` when the count is exact (`total`), and
/// `Link: <…before=cursor>; rel="next"` while there are more.
pub struct Keyset<T> {
    pub items: Vec<T>,
    pub total: Option<i64>,
    /// Where the next page starts, when there is one.
    pub next: Option<String>,
    pub limit: i64,
    pub uri: axum::http::Uri,
}

impl<T: serde::Serialize> IntoResponse for Keyset<T> {
    fn into_response(self) -> Response {
        let mut response = axum::Json(&self.items).into_response();
        let headers = response.headers_mut();
        if let Some(total) = self.total {
            headers.insert(HeaderName::from_static("x-total-count"), HeaderValue::from(total));
        }
        let link =
            self.next.map(|cursor| next_link(&self.uri, [("before", cursor), ("limit", self.limit.to_string())]));
        if let Some(link) = link.and_then(|l| HeaderValue::from_str(&l).ok()) {
            headers.insert(LINK, link);
        }
        response
    }
}

impl<T: serde::Serialize> IntoResponse for Paged<T> {
    fn into_response(self) -> Response {
        let link = self.next_link();
        let mut response = axum::Json(&self.items).into_response();
        let headers = response.headers_mut();
        if let Some(total) = self.pager.exact_total() {
            headers.insert(HeaderName::from_static("x-total-count"), HeaderValue::from(total));
        }
        if let Some(link) = link.and_then(|l| HeaderValue::from_str(&l).ok()) {
            headers.insert(LINK, link);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_counted_and_clamped() {
        assert_eq!(Pager::new(1, 0).pages, 1);
        assert_eq!(Pager::new(1, 50).pages, 1);
        assert_eq!(Pager::new(1, 51).pages, 2);
        let last = Pager::new(9, 120);
        assert_eq!(last.page_of((0..120).collect::<Vec<_>>()), (100..120).collect::<Vec<_>>());
        assert_eq!((last.page, last.offset(), last.next(), last.previous()), (3, 100, None, Some(2)));
        let query = ListQuery { q: "  ks ".into(), page: Some("x".into()) };
        assert_eq!((query.page(), query.search()), (1, "ks"));
    }

    #[test]
    fn api_pages_are_bounded() {
        let asked = |page: &str, limit: &str| ApiPage { page: Some(page.into()), limit: Some(limit.into()) }.asked();
        assert_eq!(ApiPage::default().asked(), Asked { page: 1, per_page: 100 });
        assert_eq!(asked("3", "1000"), Asked { page: 3, per_page: 500 });
        assert_eq!(asked("-2", "0"), Asked { page: 1, per_page: 1 });
        assert_eq!(asked("99999999999999999999", "x"), Asked { page: 1, per_page: 100 });
        assert_eq!(Asked::page(Some("9223372036854775807")).offset(), (MAX_PAGE - 1) * PER_PAGE);
    }

    #[test]
    fn a_page_past_the_end_is_the_last_page() {
        let pager = Asked { page: 9, per_page: 50 }.among(120);
        assert_eq!((pager.page, pager.pages, pager.offset()), (3, 3, 100));
        assert_eq!(Asked { page: 2, per_page: 50 }.among(0).page, 1);
    }

    #[test]
    fn a_long_list_is_counted_only_so_far_past_the_page() {
        let first = Asked::page(None);
        assert_eq!(first.count_limit(), 1_001);
        let counted = first.among(1_001);
        assert!(counted.more);
        assert_eq!((counted.total, counted.pages, counted.next()), (1_000, 21, Some(2)));
        assert_eq!(counted.count("incident", "incidenter"), "Fler än 1\u{a0}000 incidenter");
        assert_eq!(counted.of_pages(), "av minst 21");
        assert_eq!(counted.exact_total(), None);
        let exact = first.among(1_000);
        assert!(!exact.more);
        assert_eq!((exact.pages, exact.of_pages(), exact.exact_total()), (20, "av 20".to_string(), Some(1_000)));
        let deep = Asked::page(Some("40"));
        assert_eq!(deep.count_limit(), 1_950 + 1_001);
        let counted = deep.among(deep.count_limit());
        assert_eq!((counted.page, counted.pages, counted.next()), (40, 60, Some(41)));
        assert_eq!(counted.count("incident", "incidenter"), "Fler än 2\u{a0}000 incidenter");
        assert_eq!(deep.among(1_960).page, 40, "the last page of an exactly counted list");
    }

    #[test]
    fn a_filter_is_its_query_without_the_page() {
        #[derive(serde::Serialize)]
        struct Filter {
            q: String,
            status: String,
            #[serde(skip_serializing)]
            page: Option<String>,
            #[serde(skip)]
            reporter: Option<u8>,
        }
        let filter = Filter { q: "a b&c".into(), status: String::new(), page: Some("3".into()), reporter: Some(1) };
        assert_eq!(filter_query(&filter), "q=a+b%26c&status=");
        assert!(filter.page.is_some() && filter.reporter.is_some(), "set, and still left out");
    }

    #[test]
    fn the_next_link_keeps_the_filter() {
        let paged = Paged {
            items: vec![1],
            pager: Pager::sized(1, 2, 5),
            uri: "/api/v1/incidents?status=ny&page=1&q=a%20b".parse().unwrap(),
        };
        assert_eq!(paged.next_link().unwrap(), "</api/v1/incidents?status=ny&q=a+b&page=2&limit=2>; rel=\"next\"");
        let last = Paged { items: vec![1], pager: Pager::sized(3, 2, 5), uri: "/x".parse().unwrap() };
        assert_eq!(last.next_link(), None);
        let keyset = Keyset {
            items: vec![1],
            total: None,
            next: Some("17.4".into()),
            limit: 100,
            uri: "/api/v1/audit-log?before=9.9&entity_type=body".parse().unwrap(),
        }
        .into_response();
        assert_eq!(keyset.headers()[LINK], "</api/v1/audit-log?entity_type=body&before=17.4&limit=100>; rel=\"next\"");
        assert!(!keyset.headers().contains_key("x-total-count"), "a capped count is not given as the total");
    }
}
