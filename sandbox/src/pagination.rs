//! Query parameters and the paginated list envelope `{links, results, totalCount}`.

use serde_json::{json, Value};

use crate::error::ApiError;

/// Parsed query string (last value wins for repeated names).
#[derive(Debug, Default, Clone)]
pub struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    pub fn parse(raw: Option<&str>) -> Self {
        Self(
            url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn bool(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(ApiError::invalid_query_parameter(name, v)),
        }
    }

    fn int_in(
        &self,
        name: &str,
        default: usize,
        min: usize,
        max: usize,
    ) -> Result<usize, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| ApiError::invalid_query_parameter(name, v)),
        }
    }

    /// Check the parameters every operation takes (`envelope`, `pretty`).
    pub fn check_common(&self) -> Result<(), ApiError> {
        self.bool("envelope", false)?;
        self.bool("pretty", false)?;
        Ok(())
    }
}

pub const MAX_ITEMS_PER_PAGE: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListParams {
    pub page_num: usize,
    pub items_per_page: usize,
    pub include_count: bool,
}

impl ListParams {
    pub fn from_query(q: &QueryParams) -> Result<Self, ApiError> {
        q.check_common()?;
        Ok(Self {
            // pageNum has no documented maximum; cap it so offsets cannot overflow.
            page_num: q.int_in("pageNum", 1, 1, 1_000_000_000)?,
            items_per_page: q.int_in("itemsPerPage", 100, 1, MAX_ITEMS_PER_PAGE)?,
            include_count: q.bool("includeCount", true)?,
        })
    }

    /// The list page as Atlas shapes it. `self_href` is the absolute URL without a query;
    /// the self link echoes the effective paging query as observed.
    pub fn page(&self, items: Vec<Value>, self_href: &str) -> Value {
        let total = items.len();
        let start = (self.page_num - 1).saturating_mul(self.items_per_page);
        let results: Vec<Value> = items
            .into_iter()
            .skip(start)
            .take(self.items_per_page)
            .collect();
        let href = format!(
            "{self_href}?includeCount={}&pageNum={}&itemsPerPage={}",
            self.include_count, self.page_num, self.items_per_page
        );
        let mut body = json!({
            "links": [{"href": href, "rel": "self"}],
            "results": results,
        });
        if self.include_count {
            body["totalCount"] = json!(total);
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &str) -> Result<ListParams, ApiError> {
        ListParams::from_query(&QueryParams::parse(Some(q)))
    }

    #[test]
    fn defaults_apply() {
        assert_eq!(
            params("").expect("valid"),
            ListParams {
                page_num: 1,
                items_per_page: 100,
                include_count: true
            }
        );
    }

    #[test]
    fn out_of_range_values_are_invalid_query_parameter() {
        for q in [
            "pageNum=0",
            "itemsPerPage=0",
            "itemsPerPage=501",
            "pageNum=x",
            "includeCount=yes",
            "pretty=1",
            "pageNum=-1",
        ] {
            let e = params(q).expect_err(q);
            assert_eq!(e.code, "INVALID_QUERY_PARAMETER", "{q}");
        }
    }

    #[test]
    fn page_slices_and_counts() {
        let items: Vec<Value> = (0..5).map(|i| json!(i)).collect();
        let p = params("pageNum=2&itemsPerPage=2&includeCount=true").expect("valid");
        let body = p.page(items.clone(), "http://h/x");
        assert_eq!(body["results"], json!([2, 3]));
        assert_eq!(body["totalCount"], json!(5));
        assert_eq!(
            body["links"][0]["href"],
            json!("http://h/x?includeCount=true&pageNum=2&itemsPerPage=2")
        );
        let p = params("pageNum=9&includeCount=false").expect("valid");
        let body = p.page(items, "http://h/x");
        assert_eq!(body["results"], json!([]));
        assert!(body.get("totalCount").is_none());
    }
}
