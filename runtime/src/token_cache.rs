//! Per-scope token cache in front of the user's [`TokenCredential`]:
//! tokens are reused until shortly before they expire, and concurrent calls
//! that find the token stale share a single refresh (a [`Shared`] future kept
//! under a std mutex, so no async lock or runtime feature is needed).
//!
//! Every client built from the same credential (the same `Arc`) and refresh margin shares
//! one cache, whatever its kind (keys, secrets, certificates): one token request per scope
//! for the whole application, not one per client. The registry holds weak references only,
//! so a cache lives exactly as long as some client uses it.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, SystemTime};

use futures_util::FutureExt as _;
use futures_util::future::{BoxFuture, Shared};

use super::credential::{AccessToken, CredentialError, Secret, TokenCredential};

type Refresh = Shared<BoxFuture<'static, Result<AccessToken, CredentialError>>>;

#[derive(Default)]
struct Entry {
    token: Option<AccessToken>,
    /// When to stop reusing `token`.
    refresh_at: Option<SystemTime>,
    /// The refresh in flight, shared by every caller that wants this scope.
    refresh: Option<Refresh>,
}

/// Caches tokens per scope; see the module docs.
pub(crate) struct TokenCache {
    credential: Arc<dyn TokenCredential>,
    margin: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

/// The same credential object: compared by data address, since vtable pointers of one type
/// may differ between codegen units.
fn same_credential(a: &Arc<dyn TokenCredential>, b: &Arc<dyn TokenCredential>) -> bool {
    std::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b))
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("credential", &self.credential)
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl TokenCache {
    /// `margin`: how long before expiry a token counts as stale.
    pub(crate) fn new(credential: Arc<dyn TokenCredential>, margin: Duration) -> Self {
        Self { credential, margin, entries: Mutex::new(HashMap::new()) }
    }

    /// The cache of every client built from `credential` with this `margin`: an existing
    /// one while any client still holds it, else a new one.
    pub(crate) fn shared(credential: Arc<dyn TokenCredential>, margin: Duration) -> Arc<Self> {
        type Registry = Vec<(Weak<dyn TokenCredential>, Duration, Weak<TokenCache>)>;
        static REGISTRY: Mutex<Registry> = Mutex::new(Vec::new());

        let mut registry = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
        // Dead entries go first, so the list stays as short as the live caches.
        registry.retain(|(_, _, cache)| cache.strong_count() > 0);
        let found = registry.iter().find_map(|(cred, m, cache)| {
            let same = *m == margin && cred.upgrade().is_some_and(|c| same_credential(&c, &credential));
            same.then(|| cache.upgrade()).flatten()
        });
        if let Some(cache) = found {
            return cache;
        }
        let cache = Arc::new(Self::new(Arc::clone(&credential), margin));
        registry.push((Arc::downgrade(&credential), margin, Arc::downgrade(&cache)));
        cache
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding the lock leaves the map consistent enough: at
        // worst an entry is refetched.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A valid token for `scope`, from the cache or a (shared) refresh.
    pub(crate) async fn token(&self, scope: &str) -> Result<Secret, CredentialError> {
        let refresh = {
            let mut entries = self.lock();
            // The common case, a cached token still fresh, allocates nothing.
            if let Some(Entry { token: Some(token), refresh_at: Some(refresh_at), .. }) = entries.get(scope)
                && SystemTime::now() < *refresh_at
            {
                return Ok(token.token.clone());
            }
            let entry = entries.entry(scope.to_owned()).or_default();
            if let (Some(token), Some(refresh_at)) = (&entry.token, entry.refresh_at)
                && SystemTime::now() < refresh_at
            {
                return Ok(token.token.clone());
            }
            entry.refresh.get_or_insert_with(|| self.start_refresh(scope)).clone()
        };
        let result = refresh.clone().await;

        let mut entries = self.lock();
        let entry = entries.entry(scope.to_owned()).or_default();
        if entry.refresh.as_ref().is_some_and(|r| r.ptr_eq(&refresh)) {
            entry.refresh = None;
            if let Ok(token) = &result {
                entry.refresh_at = Some(self.refresh_time(token));
                entry.token = Some(token.clone());
            }
        }
        match result {
            Ok(token) => Ok(token.token),
            // A failed early refresh is not fatal while the old token still works.
            Err(error) => match &entry.token {
                Some(old) if SystemTime::now() < old.expires_on => Ok(old.token.clone()),
                _ => Err(error),
            },
        }
    }

    /// Forgets the token for `scope` (the service rejected it), so the next
    /// call asks the credential again.
    pub(crate) fn invalidate(&self, scope: &str) {
        if let Some(entry) = self.lock().get_mut(scope) {
            entry.token = None;
            entry.refresh_at = None;
        }
    }

    fn start_refresh(&self, scope: &str) -> Refresh {
        let credential = Arc::clone(&self.credential);
        let scope = scope.to_owned();
        async move {
            let scopes = [scope.as_str()];
            credential.get_token(&scopes).await
        }
        .boxed()
        .shared()
    }

    /// `margin` before expiry, but never sooner than half the remaining
    /// lifetime, so a short-lived token is not refetched on every call.
    fn refresh_time(&self, token: &AccessToken) -> SystemTime {
        let now = SystemTime::now();
        let lifetime = token.expires_on.duration_since(now).unwrap_or(Duration::ZERO);
        let early = lifetime.saturating_sub(self.margin);
        now + early.max(lifetime / 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Context, Poll, Waker};

    /// Hands out "token-N" tokens valid for `lifetime`, or fails when asked.
    #[derive(Debug)]
    struct Counting {
        calls: AtomicUsize,
        lifetime: Duration,
        fail: bool,
    }

    impl TokenCredential for Counting {
        fn get_token<'a>(
            &'a self,
            scopes: &'a [&'a str],
        ) -> Pin<Box<dyn Future<Output = Result<AccessToken, CredentialError>> + Send + 'a>> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            let result = if self.fail {
                Err(CredentialError::new("boom"))
            } else {
                Ok(AccessToken::new(format!("token-{n}-{}", scopes.join(",")), SystemTime::now() + self.lifetime))
            };
            Box::pin(async move {
                YieldOnce(false).await;
                result
            })
        }
    }

    /// Pending on the first poll, like a real network call.
    struct YieldOnce(bool);

    impl Future for YieldOnce {
        type Output = ();

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                Poll::Ready(())
            } else {
                self.0 = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    fn new_cache(lifetime: Duration, fail: bool) -> (Arc<Counting>, TokenCache) {
        let cred = Arc::new(Counting { calls: AtomicUsize::new(0), lifetime, fail });
        let cache = TokenCache::new(cred.clone(), Duration::from_secs(300));
        (cred, cache)
    }

    #[test]
    fn reuses_fresh_tokens_per_scope() {
        let (cred, cache) = new_cache(Duration::from_secs(3600), false);
        let a = block_on(cache.token("https://vault.azure.net/.default")).unwrap();
        let b = block_on(cache.token("https://vault.azure.net/.default")).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.secret(), "token-0-https://vault.azure.net/.default");
        let c = block_on(cache.token("https://managedhsm.azure.net/.default")).unwrap();
        assert_ne!(a, c);
        assert_eq!(cred.calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn refreshes_within_the_margin_and_after_invalidate() {
        // Lifetime below the margin: half-life rule applies, still cached once.
        let (cred, cache) = new_cache(Duration::from_secs(120), false);
        block_on(cache.token("s")).unwrap();
        block_on(cache.token("s")).unwrap();
        assert_eq!(cred.calls.load(Ordering::SeqCst), 1);
        cache.invalidate("s");
        let t = block_on(cache.token("s")).unwrap();
        assert_eq!(t.secret(), "token-1-s");

        // Already expired tokens are refetched every time.
        let (cred, cache) = new_cache(Duration::ZERO, false);
        block_on(cache.token("s")).unwrap();
        block_on(cache.token("s")).unwrap();
        assert_eq!(cred.calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn concurrent_callers_share_one_refresh() {
        let (cred, cache) = new_cache(Duration::from_secs(3600), false);
        let mut cx = Context::from_waker(Waker::noop());
        let mut first = Box::pin(cache.token("s"));
        let mut second = Box::pin(cache.token("s"));
        // The first caller starts the refresh and waits; the second joins it.
        assert!(first.as_mut().poll(&mut cx).is_pending());
        let b = second.as_mut().poll(&mut cx);
        let a = first.as_mut().poll(&mut cx);
        match (a, b) {
            (Poll::Ready(Ok(a)), Poll::Ready(Ok(b))) => assert_eq!(a, b),
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(cred.calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn clients_of_one_credential_share_one_cache() {
        let cred: Arc<dyn TokenCredential> =
            Arc::new(Counting { calls: AtomicUsize::new(0), lifetime: Duration::from_secs(3600), fail: false });
        let margin = Duration::from_secs(300);
        let a = TokenCache::shared(cred.clone(), margin);
        let b = TokenCache::shared(cred.clone(), margin);
        assert!(Arc::ptr_eq(&a, &b));
        // Another margin or another credential object is another cache.
        assert!(!Arc::ptr_eq(&a, &TokenCache::shared(cred.clone(), Duration::from_secs(1))));
        let other: Arc<dyn TokenCredential> =
            Arc::new(Counting { calls: AtomicUsize::new(0), lifetime: Duration::from_secs(3600), fail: false });
        assert!(!Arc::ptr_eq(&a, &TokenCache::shared(other, margin)));
        // Once no client holds it, the cache goes, and a later client starts afresh.
        let weak = Arc::downgrade(&a);
        drop((a, b));
        assert_eq!(weak.strong_count(), 0);
        let c = TokenCache::shared(cred, margin);
        assert!(weak.upgrade().is_none_or(|old| !Arc::ptr_eq(&old, &c)));
    }

    #[test]
    fn errors_are_reported_and_not_cached() {
        let (cred, cache) = new_cache(Duration::from_secs(3600), true);
        assert_eq!(block_on(cache.token("s")).unwrap_err().message(), "boom");
        assert!(block_on(cache.token("s")).is_err());
        assert_eq!(cred.calls.load(Ordering::SeqCst), 2);
    }
}
