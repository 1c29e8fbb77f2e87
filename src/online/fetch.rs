//! The fetching itself: one HTTP client (reqwest on a single-threaded
//! tokio runtime), limits per host and overall, each redirect seen, HEAD
//! then GET, retries on 429 and 503.

use std::collections::{HashMap, HashSet};
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, LOCATION, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use tokio::sync::{OnceCell, Semaphore};

use super::{now, Checked, Settings, Status};

/// Fetches each of `urls` (distinct, `http(s)`), returning their results
/// in the same order; `done()` after each.
pub(super) fn fetch_all(
    urls: &[String],
    settings: &Settings,
    done: &(dyn Fn() + Sync),
) -> Vec<Checked> {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let why = format!("could not start the network runtime: {e}");
            return urls
                .iter()
                .map(|_| failed(Status::Unreachable, &why))
                .collect();
        }
    };
    let resolver = Arc::new(Resolver::default());
    let client = match client(settings, resolver.clone()) {
        Ok(c) => c,
        Err(e) => {
            let why = format!("could not set up the HTTP client: {}", cause(&e));
            return urls
                .iter()
                .map(|_| failed(Status::Unreachable, &why))
                .collect();
        }
    };
    let fetcher = Arc::new(Fetcher {
        client,
        resolver,
        settings: settings.clone(),
        global: Arc::new(Semaphore::new(settings.max_in_flight.max(1))),
        hosts: Mutex::new(HashMap::new()),
    });
    let results = runtime.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for (i, url) in urls.iter().enumerate() {
            let fetcher = fetcher.clone();
            let url = url.clone();
            set.spawn(async move { (i, fetcher.check(&url).await) });
        }
        let mut out: Vec<Option<Checked>> = vec![None; urls.len()];
        while let Some(joined) = set.join_next().await {
            if let Ok((i, checked)) = joined {
                out[i] = Some(checked);
            }
            done();
        }
        out.into_iter()
            .map(|c| c.unwrap_or_else(|| failed(Status::Unreachable, "the check stopped")))
            .collect()
    });
    // A host lookup still running after its request timed out is not
    // waited for.
    runtime.shutdown_background();
    results
}

/// The client: no redirects followed by itself (each one is looked at),
/// no cookies (the `cookies` feature is off), gzip, the timeout, the
/// `User-Agent`, and a browser's `Accept`.
fn client(settings: &Settings, resolver: Arc<Resolver>) -> Result<reqwest::Client, reqwest::Error> {
    // rustls on ring; `Err` only when a provider is already installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut headers = HeaderMap::new();
    headers.insert(
        ACCEPT,
        HeaderValue::from_static("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    );
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .user_agent(settings.user_agent.as_str())
        .default_headers(headers)
        .pool_max_idle_per_host(settings.max_per_host)
        .dns_resolver(resolver)
        .build()
}

/// What a run shares between its requests.
struct Fetcher {
    client: reqwest::Client,
    resolver: Arc<Resolver>,
    settings: Settings,
    /// Requests in flight over all hosts.
    global: Arc<Semaphore>,
    /// Requests in flight per host.
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// One answer: its status and where it redirects.
struct Answer {
    status: StatusCode,
    location: Option<String>,
    /// For a 429 or 503: the retries made, or the wait asked for that
    /// was too long to make.
    retried: Retried,
}

/// What was done about a 429 or 503.
#[derive(Clone, Copy)]
enum Retried {
    Times(u32),
    WaitTooLong(Duration),
}

impl Retried {
    /// ` after 2 retries`, ` (it asks to wait 120 s)`.
    fn said(self) -> String {
        match self {
            Retried::Times(0) => String::new(),
            Retried::Times(1) => " after 1 retry".into(),
            Retried::Times(n) => format!(" after {n} retries"),
            Retried::WaitTooLong(d) => format!(" (it asks to wait {} s)", d.as_secs()),
        }
    }
}

/// A request that got no answer: the status it means and why.
struct Failure {
    status: Status,
    /// What happened, said of the URL: `gave no answer within 10 s`.
    reason: String,
}

impl Fetcher {
    /// Checks one URL: follows its redirects one at a time and judges
    /// where they end.
    async fn check(&self, start: &str) -> Checked {
        let Ok(mut current) = reqwest::Url::parse(start) else {
            return failed(Status::Broken, "is not a URL that can be fetched");
        };
        let mut seen: HashSet<String> = HashSet::from([current.to_string()]);
        // The leading permanent redirects: where the link should point.
        let mut moved_to: Option<(Vec<String>, String)> = None;
        let mut still_permanent = true;
        let mut hops = 0;
        loop {
            let answer = match self.request(&current).await {
                Ok(a) => a,
                Err(f) => {
                    let reason = if hops > 0 {
                        format!("redirects to `{current}`, which {}", f.reason)
                    } else {
                        f.reason
                    };
                    let mut c = failed(f.status, &reason);
                    c.final_url = (hops > 0).then(|| current.to_string());
                    return c;
                }
            };
            let code = answer.status.as_u16();
            if answer.status.is_redirection() {
                if let Some(location) = &answer.location {
                    let Ok(next) = current.join(location) else {
                        return answered(
                            Status::Unreachable,
                            code,
                            Some(&current),
                            format!("redirects to `{location}`, which is not a URL"),
                        );
                    };
                    if !matches!(next.scheme(), "http" | "https") {
                        return answered(
                            Status::Unreachable,
                            code,
                            Some(&current),
                            format!("redirects to `{next}`, which is not a web page"),
                        );
                    }
                    hops += 1;
                    if !seen.insert(next.to_string()) {
                        return answered(
                            Status::Unreachable,
                            code,
                            Some(&next),
                            format!("redirects in a loop (back to `{next}`)"),
                        );
                    }
                    if hops > self.settings.max_redirects {
                        return answered(
                            Status::Unreachable,
                            code,
                            Some(&next),
                            format!("redirects more than {} times", self.settings.max_redirects),
                        );
                    }
                    if still_permanent && matches!(code, 301 | 308) {
                        let mut codes = moved_to.take().map(|(c, _)| c).unwrap_or_default();
                        codes.push(format!("`{code}`"));
                        moved_to = Some((codes, next.to_string()));
                    } else {
                        still_permanent = false;
                    }
                    current = next;
                    continue;
                }
            }
            let final_url = (hops > 0).then(|| current.to_string());
            let via = match &final_url {
                Some(f) => format!("redirects to `{f}`, which answers"),
                None => "answers".to_string(),
            };
            let shown = status_text(answer.status);
            let (status, reason) = match code {
                404 | 410 => (Status::Broken, format!("{via} `{shown}`")),
                429 | 503 => (
                    Status::Unreachable,
                    format!("{via} `{shown}`{}", answer.retried.said()),
                ),
                400..=599 => (Status::Unreachable, format!("{via} `{shown}`")),
                _ => match &moved_to {
                    Some((codes, to)) => (
                        Status::Redirected,
                        format!("moved permanently ({}) to `{to}`", codes.join(", ")),
                    ),
                    None => (Status::Ok, format!("{via} `{shown}`")),
                },
            };
            return Checked {
                status,
                http_status: Some(code),
                final_url,
                moved_to: moved_to
                    .filter(|_| status == Status::Redirected)
                    .map(|(_, to)| to),
                reason,
                checked_at: now(),
            };
        }
    }

    /// One URL asked for: HEAD, then GET when HEAD is refused or answers
    /// with an error (servers answer HEAD with 405, 403, 501, even 404,
    /// for pages a browser gets), each retried on 429 and 503.
    async fn request(&self, url: &reqwest::Url) -> Result<Answer, Failure> {
        let head = self.retrying(Method::HEAD, url).await?;
        let code = head.status.as_u16();
        if (400..500).contains(&code) && code != 429 || code == 501 {
            return self.retrying(Method::GET, url).await;
        }
        Ok(head)
    }

    /// A request, retried on 429 and 503 after the server's `Retry-After`
    /// (seconds or an HTTP date, RFC 9110 section 10.2.3) or an
    /// exponential backoff; a wait longer than [`super::MAX_RETRY_AFTER`]
    /// is not waited for.
    async fn retrying(&self, method: Method, url: &reqwest::Url) -> Result<Answer, Failure> {
        let mut attempt = 0;
        loop {
            let (mut answer, retry_after) = self.once(method.clone(), url).await?;
            answer.retried = Retried::Times(attempt);
            let code = answer.status.as_u16();
            if !matches!(code, 429 | 503) || attempt >= self.settings.retries {
                return Ok(answer);
            }
            let wait = retry_after.unwrap_or(self.settings.backoff * 2u32.pow(attempt));
            if wait > super::MAX_RETRY_AFTER {
                answer.retried = Retried::WaitTooLong(wait);
                return Ok(answer);
            }
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// One request, within the host's and the global limit; the body is
    /// never read.
    async fn once(
        &self,
        method: Method,
        url: &reqwest::Url,
    ) -> Result<(Answer, Option<Duration>), Failure> {
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        let per_host = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
            hosts
                .entry(host.clone())
                .or_insert_with(|| Arc::new(Semaphore::new(self.settings.max_per_host.max(1))))
                .clone()
        };
        let _host_permit = per_host.acquire().await;
        let _permit = self.global.acquire().await;
        let response = self
            .client
            .request(method, url.clone())
            .send()
            .await
            .map_err(|e| self.failure(&e, &host))?;
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(retry_after);
        Ok((
            Answer {
                status: response.status(),
                location,
                retried: Retried::Times(0),
            },
            retry_after,
        ))
    }

    /// What a failed request means: a name that does not resolve is
    /// broken; a timeout, a TLS failure, a refused or closed connection
    /// leave the link unreachable.
    fn failure(&self, e: &reqwest::Error, host: &str) -> Failure {
        if let Some(dns) = self.resolver.failure(host) {
            return Failure {
                status: if dns.unknown {
                    Status::Broken
                } else {
                    Status::Unreachable
                },
                reason: if dns.unknown {
                    format!("has a host name, `{host}`, that does not resolve")
                } else {
                    format!(
                        "has a host name, `{host}`, that could not be looked up: {}",
                        dns.reason
                    )
                },
            };
        }
        let reason = if e.is_timeout() {
            format!(
                "gave no answer within {} s",
                self.settings.timeout.as_secs()
            )
        } else if let Some(tls) = tls_error(e) {
            format!("failed the TLS handshake: {tls}")
        } else if e.is_connect() {
            format!("could not be connected to: {}", cause(e))
        } else {
            format!("failed: {}", cause(e))
        };
        Failure {
            status: Status::Unreachable,
            reason,
        }
    }
}

/// A result without an HTTP answer.
fn failed(status: Status, reason: &str) -> Checked {
    Checked {
        status,
        http_status: None,
        final_url: None,
        moved_to: None,
        reason: reason.to_string(),
        checked_at: now(),
    }
}

/// A result with an HTTP answer `code`, at `at` after redirects.
fn answered(status: Status, code: u16, at: Option<&reqwest::Url>, reason: String) -> Checked {
    Checked {
        status,
        http_status: Some(code),
        final_url: at.map(ToString::to_string),
        moved_to: None,
        reason,
        checked_at: now(),
    }
}

/// `404 Not Found`, or the bare code for one without a reason phrase.
fn status_text(s: StatusCode) -> String {
    match s.canonical_reason() {
        Some(r) => format!("{} {r}", s.as_u16()),
        None => s.as_u16().to_string(),
    }
}

/// `Retry-After`: delay-seconds or an HTTP date (RFC 9110 section 10.2.3).
fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// The innermost cause of `e`, the most telling part of its chain, as a
/// lowercase phrase (`connection refused`).
fn cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e.to_string();
    let mut next = e.source();
    while let Some(inner) = next {
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::UnexpectedEof {
                return "the connection closed early".into();
            }
            if io.get_ref().is_none() {
                return crate::diagnostic::io_reason(io);
            }
        }
        let text = inner.to_string();
        if !text.is_empty() {
            last = text;
        }
        next = inner.source();
    }
    let mut c = last.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => last,
    }
}

/// The rustls error somewhere in `e`'s chain, also inside `io::Error`s
/// (whose `source` skips the error they wrap).
fn tls_error(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(inner) = next {
        if let Some(t) = inner.downcast_ref::<rustls::Error>() {
            return Some(t.to_string());
        }
        next = match inner.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|i| i as &(dyn std::error::Error + 'static)),
            None => inner.source(),
        };
    }
    None
}

/// Why a host name could not be looked up.
#[derive(Clone, Debug)]
struct DnsFailure {
    /// The name does not exist (or has no addresses): the link is broken,
    /// not just unreachable today.
    unknown: bool,
    reason: String,
}

/// A host's addresses, or why there are none.
type Lookup = Result<Vec<SocketAddr>, DnsFailure>;

/// The system's resolver (`getaddrinfo`), each host looked up once per
/// run, its failures remembered so a request's error can say which kind.
#[derive(Default)]
struct Resolver {
    hosts: Mutex<HashMap<String, Arc<OnceCell<Lookup>>>>,
}

impl Resolver {
    fn failure(&self, host: &str) -> Option<DnsFailure> {
        let hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        hosts.get(host)?.get()?.as_ref().err().cloned()
    }
}

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let cell = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
            hosts.entry(host.clone()).or_default().clone()
        };
        Box::pin(async move {
            let found = cell
                .get_or_init(|| async {
                    let h = host.clone();
                    tokio::task::spawn_blocking(move || lookup(&h))
                        .await
                        .unwrap_or_else(|e| {
                            Err(DnsFailure {
                                unknown: false,
                                reason: e.to_string(),
                            })
                        })
                })
                .await;
            match found {
                Ok(addrs) => Ok(Box::new(addrs.clone().into_iter()) as reqwest::dns::Addrs),
                Err(f) => Err(f.reason.clone().into()),
            }
        })
    }
}

/// Looks `host` up with the system's resolver; the port is set by the
/// client.
fn lookup(host: &str) -> Lookup {
    // RFC 6761 section 6.4: `.invalid` names never resolve, and resolver
    // libraries should say so at once rather than ask a server.
    let bare = host.trim_end_matches('.');
    if bare == "invalid" || bare.ends_with(".invalid") {
        return Err(DnsFailure {
            unknown: true,
            reason: "a reserved `.invalid` name (RFC 6761)".into(),
        });
    }
    match (host, 0).to_socket_addrs() {
        Ok(addrs) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if addrs.is_empty() {
                Err(DnsFailure {
                    unknown: true,
                    reason: "no addresses".into(),
                })
            } else {
                Ok(addrs)
            }
        }
        Err(e) => Err(DnsFailure {
            unknown: name_unknown(host),
            reason: e.to_string(),
        }),
    }
}

/// Whether the resolver says `host` does not exist (`EAI_NONAME`, or
/// glibc's `EAI_NODATA`: no address), as opposed to a lookup that could
/// not be made (no network, a server failure: `EAI_AGAIN`, `EAI_FAIL`).
#[cfg(unix)]
fn name_unknown(host: &str) -> bool {
    let Ok(c_host) = std::ffi::CString::new(host) else {
        return true;
    };
    // SAFETY: `hints` is a zeroed `addrinfo` with only the socket type
    // set, as getaddrinfo(3) allows; `res` is freed once when set.
    unsafe {
        let mut hints: libc::addrinfo = std::mem::zeroed();
        hints.ai_socktype = libc::SOCK_STREAM;
        let mut res: *mut libc::addrinfo = std::ptr::null_mut();
        let rc = libc::getaddrinfo(c_host.as_ptr(), std::ptr::null(), &hints, &mut res);
        if rc == 0 {
            if !res.is_null() {
                libc::freeaddrinfo(res);
            }
            return false;
        }
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if rc == libc::EAI_NODATA {
            return true;
        }
        rc == libc::EAI_NONAME
    }
}

#[cfg(not(unix))]
fn name_unknown(_host: &str) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(" 0 "), Some(Duration::ZERO));
        // A date in the past: no wait.
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon"), None);
    }

    #[test]
    fn a_reserved_invalid_name_is_unknown() {
        // RFC 6761 section 6.4: `.invalid` names never resolve.
        let f = lookup("no-such-host.invalid").unwrap_err();
        assert!(f.unknown, "{f:?}");
    }
}
