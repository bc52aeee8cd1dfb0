//! Paginated lists (`pageNum` / `itemsPerPage` / `includeCount`).

use std::collections::VecDeque;
use std::future::Future;

use futures::stream::{self, Stream};
use serde::{Deserialize, Serialize};

use crate::client::Request;
use crate::models::Link;
use crate::Result;

/// Largest page the API serves.
pub const MAX_ITEMS_PER_PAGE: u32 = 500;

/// Upper bound on pages fetched by a `list_all`, against servers that never return a short page.
const MAX_PAGES: u32 = 100_000;

/// Paging options of a list operation. Unset fields use the server defaults (page 1, 100
/// items, count included).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListOptions {
    /// 1-based page number.
    pub page_num: Option<u32>,
    /// Items per page (1–500).
    pub items_per_page: Option<u32>,
    /// Whether to return `totalCount`.
    pub include_count: Option<bool>,
}

impl ListOptions {
    /// Default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the page number.
    pub fn page_num(mut self, page_num: u32) -> Self {
        self.page_num = Some(page_num);
        self
    }

    /// Sets the page size.
    pub fn items_per_page(mut self, items_per_page: u32) -> Self {
        self.items_per_page = Some(items_per_page);
        self
    }

    /// Sets `includeCount`.
    pub fn include_count(mut self, include_count: bool) -> Self {
        self.include_count = Some(include_count);
        self
    }

    /// Adds the options to a request's query.
    pub fn apply(&self, request: Request) -> Request {
        request
            .query_opt("pageNum", self.page_num)
            .query_opt("itemsPerPage", self.items_per_page)
            .query_opt("includeCount", self.include_count)
    }
}

/// One page of a list (`Paginated…View`: `{results, totalCount, links}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub results: Vec<T>,
    /// Total number of items (an estimate; absent with `includeCount=false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
    /// Links (usually just `self`).
    #[serde(default)]
    pub links: Vec<Link>,
}

/// Fetches every page by incrementing `pageNum` from `start.page_num` (or 1) until a page is
/// shorter than the page size or `totalCount` items have been seen. `links` are not followed:
/// the API only returns a `self` link.
pub(crate) async fn collect_all<T, F, Fut>(start: ListOptions, mut fetch: F) -> Result<Vec<T>>
where
    F: FnMut(ListOptions) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    let per_page = start.items_per_page.unwrap_or(MAX_ITEMS_PER_PAGE).max(1);
    let first = start.page_num.unwrap_or(1).max(1);
    let mut all = Vec::new();
    for page_num in first..first.saturating_add(MAX_PAGES) {
        let opts = ListOptions {
            page_num: Some(page_num),
            items_per_page: Some(per_page),
            include_count: start.include_count,
        };
        let page = fetch(opts).await?;
        let got = page.results.len();
        all.extend(page.results);
        let short = got < per_page as usize;
        let reached_total = page
            .total_count
            .is_some_and(|total| (page_num as u64).saturating_mul(per_page as u64) >= total);
        if short || reached_total {
            break;
        }
    }
    Ok(all)
}

/// Every item from `start.page_num` (or 1) on, as a [`Stream`] that fetches the next page only
/// when the items of the previous one have been taken. Stops like [`collect_all`]; a failed
/// page ends the stream after yielding its error.
pub fn stream_all<T, F, Fut>(start: ListOptions, fetch: F) -> impl Stream<Item = Result<T>>
where
    F: FnMut(ListOptions) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    struct State<T, F> {
        fetch: F,
        buffer: VecDeque<T>,
        next_page: Option<u32>,
        last_page: u32,
        per_page: u32,
        include_count: Option<bool>,
    }
    let per_page = start.items_per_page.unwrap_or(MAX_ITEMS_PER_PAGE).max(1);
    let first = start.page_num.unwrap_or(1).max(1);
    let state = State {
        fetch,
        buffer: VecDeque::new(),
        next_page: Some(first),
        last_page: first.saturating_add(MAX_PAGES - 1),
        per_page,
        include_count: start.include_count,
    };
    stream::unfold(state, |mut s| async move {
        loop {
            if let Some(item) = s.buffer.pop_front() {
                return Some((Ok(item), s));
            }
            let page_num = s.next_page.take()?;
            let opts = ListOptions {
                page_num: Some(page_num),
                items_per_page: Some(s.per_page),
                include_count: s.include_count,
            };
            match (s.fetch)(opts).await {
                Err(e) => return Some((Err(e), s)),
                Ok(page) => {
                    let short = page.results.len() < s.per_page as usize;
                    let reached_total = page.total_count.is_some_and(|total| {
                        (page_num as u64).saturating_mul(s.per_page as u64) >= total
                    });
                    if !(short || reached_total || page_num >= s.last_page) {
                        s.next_page = Some(page_num + 1);
                    }
                    s.buffer.extend(page.results);
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn page(n: usize, total: Option<u64>) -> Page<u32> {
        Page {
            results: (0..n as u32).collect(),
            total_count: total,
            links: Vec::new(),
        }
    }

    #[tokio::test]
    async fn collect_all_stops_on_short_page() {
        let calls = AtomicU32::new(0);
        let all = collect_all(ListOptions::new().items_per_page(2), |o| {
            calls.fetch_add(1, Ordering::SeqCst);
            let n = if o.page_num == Some(3) { 1 } else { 2 };
            async move { Ok(page(n, None)) }
        })
        .await
        .unwrap_or_default();
        assert_eq!(all.len(), 5);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn collect_all_stops_at_total_without_extra_empty_page() {
        let calls = AtomicU32::new(0);
        let all = collect_all(ListOptions::new().items_per_page(2), |_| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move { Ok(page(2, Some(4))) }
        })
        .await
        .unwrap_or_default();
        assert_eq!(all.len(), 4);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn stream_all_fetches_lazily_and_stops_like_collect_all() {
        use futures::StreamExt as _;
        let calls = AtomicU32::new(0);
        let fetch = |o: ListOptions| {
            calls.fetch_add(1, Ordering::SeqCst);
            let n = if o.page_num == Some(3) { 1 } else { 2 };
            async move { Ok(page(n, None)) }
        };
        let s = stream_all(ListOptions::new().items_per_page(2), fetch);
        futures::pin_mut!(s);
        assert!(matches!(s.next().await, Some(Ok(0))));
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "one page for the first item"
        );
        let rest: Vec<u32> = s.map(|r| r.unwrap_or(99)).collect().await;
        assert_eq!(rest, vec![1, 0, 1, 0]);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn stream_all_ends_after_an_error() {
        use futures::StreamExt as _;
        let s = stream_all(ListOptions::new(), |_| async {
            Err::<Page<u32>, _>(crate::Error::InvalidRequest("boom".into()))
        });
        let items: Vec<Result<u32>> = s.collect().await;
        assert_eq!(items.len(), 1);
        assert!(items[0].is_err());
    }

    #[test]
    fn page_deserialises_without_total_count() {
        let p: Page<u32> =
            serde_json::from_str(r#"{"results":[1,2],"links":[]}"#).unwrap_or(page(0, Some(9)));
        assert_eq!(p.results, vec![1, 2]);
        assert_eq!(p.total_count, None);
    }

    #[test]
    fn list_options_query() {
        let r = ListOptions::new()
            .page_num(2)
            .items_per_page(5)
            .include_count(false)
            .apply(Request::get("/groups", crate::ApiVersion::V2023_01_01));
        assert_eq!(
            r.query,
            vec![
                ("pageNum".to_owned(), "2".to_owned()),
                ("itemsPerPage".to_owned(), "5".to_owned()),
                ("includeCount".to_owned(), "false".to_owned())
            ]
        );
    }
}
