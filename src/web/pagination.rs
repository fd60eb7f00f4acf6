//! Page numbers for long lists.

use serde::Deserialize;

pub const PER_PAGE: i64 = 50;

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

/// Where one page sits in a list of `total` rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
}

impl Pager {
    pub fn new(page: i64, total: i64) -> Self {
        let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
        Pager { page: page.clamp(1, pages), pages, total }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * PER_PAGE
    }

    pub fn limit(&self) -> i64 {
        PER_PAGE
    }

    /// This page's rows of a list that was filtered in full.
    pub fn page_of<T>(&self, all: Vec<T>) -> Vec<T> {
        all.into_iter().skip(self.offset() as usize).take(self.limit() as usize).collect()
    }

    /// The whole list's length with its noun: "1 åtgärd", "12 åtgärder".
    pub fn count(&self, one: &str, many: &str) -> String {
        super::format::count(usize::try_from(self.total).unwrap_or(0), one, many)
    }

    pub fn previous(&self) -> Option<i64> {
        (self.page > 1).then_some(self.page - 1)
    }

    pub fn next(&self) -> Option<i64> {
        (self.page < self.pages).then_some(self.page + 1)
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
}
