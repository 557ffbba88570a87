//! `x-ms-pageable` support: follow `nextLink` page by page through the same
//! pipeline (auth, retry, error capture), and flatten pages into items.

use std::future::Future;

use futures_util::{Stream, StreamExt as _, stream};
use http::header::ACCEPT;
use http::{HeaderValue, Method};
use reqwest::Url;
use serde::de::DeserializeOwned;

use super::client_core::ClientCore;
use super::error::{Error, ErrorKind};
use super::response::Response;

/// A page of a list operation (`KeyListResult`, …); implemented by the
/// generated code for each pageable result model.
pub trait Page {
    /// One element of the page (`KeyItem`, …).
    type Item;
    /// The absolute URL of the next page; `None` or empty on the last page.
    fn next_link(&self) -> Option<&str>;
    /// The page's elements, in service order.
    fn into_items(self) -> Vec<Self::Item>;
}

/// Operation id reported in traces for nextLink requests.
const NEXT_PAGE_OPERATION: &str = "nextLink";

enum State<F> {
    First(F),
    Next {
        link: String,
    },
    /// Yield this error after the page that revealed it, then stop.
    Fail(Error),
    Done,
}

impl ClientCore {
    /// Yields the page produced by `first`, then each page its `nextLink`
    /// chain points to. A link is requested verbatim (its own `api-version`
    /// and `$skiptoken` as sent). Empty pages do not end the stream: only a
    /// missing or empty `nextLink` does. After an error the stream ends.
    pub fn pages<'a, P, F>(&'a self, first: F) -> impl Stream<Item = Result<Response<P>, Error>> + Send + 'a
    where
        P: Page + DeserializeOwned + Send + 'static,
        F: Future<Output = Result<Response<P>, Error>> + Send + 'a,
    {
        stream::unfold(State::First(first), move |state| async move {
            let (result, fetched) = match state {
                State::First(first) => (first.await, None),
                State::Next { link } => (self.next_page::<P>(&link).await, Some(link)),
                State::Fail(error) => return Some((Err(error), State::Done)),
                State::Done => return None,
            };
            let page = match result {
                Ok(page) => page,
                Err(error) => return Some((Err(error), State::Done)),
            };
            let next = match page.next_link().filter(|link| !link.is_empty()) {
                None => State::Done,
                // Following it would loop forever.
                Some(link) if fetched.as_deref() == Some(link) => State::Fail(Error::new(
                    ErrorKind::InvalidResponse,
                    "the service returned a nextLink identical to the page just read",
                )),
                Some(link) => State::Next { link: link.to_owned() },
            };
            Some((Ok(page), next))
        })
    }

    /// GETs one nextLink through the pipeline and parses it like a generated
    /// operation would.
    async fn next_page<P: DeserializeOwned>(&self, link: &str) -> Result<Response<P>, Error> {
        let url = self.resolve_next_link(link)?;
        let mut request = reqwest::Request::new(Method::GET, url);
        request.headers_mut().insert(ACCEPT, HeaderValue::from_static("application/json"));
        let ctx = self.call();
        let result = match ctx.execute(self.http(), request, NEXT_PAGE_OPERATION).await {
            Ok(response) if response.status().is_success() => {
                progenitor_client::ResponseValue::<P>::from_response::<()>(response).await
            }
            Ok(response) => Err(progenitor_client::Error::UnexpectedResponse(response)),
            Err(error) => Err(progenitor_client::Error::CommunicationError(error)),
        };
        ctx.finish(result)
    }

    /// Parses the link (relative links resolve against the vault URL) and
    /// refuses links to another origin, which would receive our token.
    fn resolve_next_link(&self, link: &str) -> Result<Url, Error> {
        self.resolve_link(link, "nextLink")
    }
}

/// Flattens a stream of pages into a stream of items; an error is yielded
/// once, in place of the page that failed.
pub fn items<S, P>(pages: S) -> impl Stream<Item = Result<P::Item, Error>> + Send
where
    S: Stream<Item = Result<Response<P>, Error>> + Send,
    P: Page,
    P::Item: Send,
{
    pages.flat_map(|page| match page {
        Ok(page) => stream::iter(page.into_inner().into_items().into_iter().map(Ok)).left_stream(),
        Err(error) => stream::once(std::future::ready(Err(error))).right_stream(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::StaticToken;
    use crate::options::ClientOptions;
    use std::sync::Arc;

    fn core() -> ClientCore {
        ClientCore::new(
            "https://v.vault.azure.net/",
            Arc::new(StaticToken::new("t")),
            ClientOptions::default(),
            "7.4",
            "keyvault-test/0.0.0",
        )
        .unwrap()
    }

    #[test]
    fn next_links_are_kept_verbatim() {
        let link =
            "https://v.vault.azure.net:443/keys?api-version=7.3&$skiptoken=eyJOZXh0TWFya2VyIjoiMiEx%3D&maxresults=1";
        let url = core().resolve_next_link(link).unwrap();
        assert_eq!(url.query(), Some("api-version=7.3&$skiptoken=eyJOZXh0TWFya2VyIjoiMiEx%3D&maxresults=1"));
        assert_eq!(url.path(), "/keys");
    }

    #[test]
    fn relative_links_resolve_against_the_vault() {
        let url = core().resolve_next_link("/keys?$skiptoken=abc").unwrap();
        assert_eq!(url.as_str(), "https://v.vault.azure.net/keys?$skiptoken=abc");
    }

    #[test]
    fn foreign_links_are_refused() {
        for link in [
            "https://evil.example/keys?$skiptoken=x",
            "http://v.vault.azure.net/keys",
            "https://v.vault.azure.net:8443/keys",
        ] {
            let err = core().resolve_next_link(link).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{link}");
        }
    }
}
