//! `check --online` and `links --online` against a real HTTP server on
//! loopback, started by each test: every documented answer and its status
//! and finding, the per-host limit (the server counts requests in
//! progress), the cache (the server counts requests), and no socket at all
//! without `--online`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{assert_no_panic, bin, code, json, stderr};

/// What the server does with one request.
enum Reply {
    /// Answers with a status and headers (no body for HEAD), after `delay`.
    Status(u16, Vec<(&'static str, String)>, Duration),
    /// Reads the request and never answers.
    Hang,
    /// Reads the request and closes the connection.
    Close,
}

type Route = Box<dyn Fn(&str, &str, usize) -> Reply + Send + Sync>;

/// A small HTTP/1.1 server on one loopback address: one thread per
/// connection, `Connection: close`, routes by path (each called with the
/// method, the path and how many times the path was asked for before).
/// It counts requests, per path, and the most in progress at once.
struct Server {
    addr: SocketAddr,
    state: Arc<State>,
}

#[derive(Default)]
struct State {
    requests: AtomicUsize,
    active: AtomicUsize,
    peak: AtomicUsize,
    /// Per path: (method, when) of each request.
    seen: Mutex<HashMap<String, Vec<(String, Instant)>>>,
    /// Per path: the header lines of each request, lowercase.
    headers: Mutex<HashMap<String, Vec<Vec<String>>>>,
}

impl Server {
    fn start(routes: HashMap<&'static str, Route>) -> Server {
        Server::start_on("127.0.0.1:0", routes)
    }

    fn start_on(bind: &str, routes: HashMap<&'static str, Route>) -> Server {
        let listener = TcpListener::bind(bind).unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State::default());
        let routes = Arc::new(routes);
        let st = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let (st, routes) = (st.clone(), routes.clone());
                std::thread::spawn(move || serve(conn, &st, &routes));
            }
        });
        Server { addr, state }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    fn seen(&self, path: &str) -> Vec<(String, Instant)> {
        self.state
            .seen
            .lock()
            .unwrap()
            .get(path)
            .cloned()
            .unwrap_or_default()
    }
}

fn serve(mut conn: TcpStream, st: &State, routes: &HashMap<&'static str, Route>) {
    conn.set_read_timeout(Some(Duration::from_secs(20))).ok();
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut first = String::new();
    // A TLS ClientHello (or anything not HTTP): answer as a plain-HTTP
    // server does, with 400.
    let mut peek = [0u8; 1];
    if conn.peek(&mut peek).is_err() || !peek[0].is_ascii_uppercase() {
        let _ = conn.write_all(
            b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        );
        return;
    }
    if reader.read_line(&mut first).is_err() {
        return;
    }
    let mut header_lines = vec![];
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" => break,
            Ok(_) => header_lines.push(line.trim_end().to_ascii_lowercase()),
        }
    }
    let mut parts = first.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let now = st.active.fetch_add(1, Ordering::SeqCst) + 1;
    st.peak.fetch_max(now, Ordering::SeqCst);
    st.requests.fetch_add(1, Ordering::SeqCst);
    st.headers
        .lock()
        .unwrap()
        .entry(path.clone())
        .or_default()
        .push(header_lines);
    let before = {
        let mut seen = st.seen.lock().unwrap();
        let list = seen.entry(path.clone()).or_default();
        list.push((method.clone(), Instant::now()));
        list.len() - 1
    };
    let route = routes
        .iter()
        .find(|(p, _)| {
            path == **p || (p.ends_with('*') && path.starts_with(p.trim_end_matches('*')))
        })
        .map(|(_, r)| r);
    let reply = match route {
        Some(r) => r(&method, &path, before),
        None => Reply::Status(404, vec![], Duration::ZERO),
    };
    match reply {
        Reply::Status(code, headers, delay) => {
            std::thread::sleep(delay);
            let body = if method == "HEAD" { "" } else { "page" };
            let mut head =
                format!("HTTP/1.1 {code} X\r\nConnection: close\r\nContent-Length: 4\r\n");
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            // Done before the answer goes out, so the client's next
            // request can never be counted with this one.
            st.active.fetch_sub(1, Ordering::SeqCst);
            let _ = conn.write_all(head.as_bytes());
            let _ = conn.write_all(body.as_bytes());
            let _ = conn.shutdown(Shutdown::Write);
            let _ = conn.read(&mut [0u8; 64]);
        }
        Reply::Hang => {
            std::thread::sleep(Duration::from_secs(15));
            st.active.fetch_sub(1, Ordering::SeqCst);
        }
        Reply::Close => {
            st.active.fetch_sub(1, Ordering::SeqCst);
            let _ = conn.shutdown(Shutdown::Both);
        }
    }
}

fn ok() -> Reply {
    Reply::Status(200, vec![], Duration::ZERO)
}

fn redirect(code: u16, to: &str) -> Reply {
    Reply::Status(code, vec![("Location", to.to_string())], Duration::ZERO)
}

fn route(f: impl Fn(&str, &str, usize) -> Reply + Send + Sync + 'static) -> Route {
    Box::new(f)
}

/// Every case the issue names, on one server.
fn all_routes() -> HashMap<&'static str, Route> {
    let mut r: HashMap<&'static str, Route> = HashMap::new();
    r.insert("/ok", route(|_, _, _| ok()));
    r.insert("/final", route(|_, _, _| ok()));
    r.insert("/moved", route(|_, _, _| redirect(301, "/moved-again")));
    r.insert("/moved-again", route(|_, _, _| redirect(308, "/final")));
    r.insert("/temporary", route(|_, _, _| redirect(302, "/elsewhere")));
    r.insert("/elsewhere", route(|_, _, _| ok()));
    r.insert(
        "/not-found",
        route(|_, _, _| Reply::Status(404, vec![], Duration::ZERO)),
    );
    r.insert(
        "/gone",
        route(|_, _, _| Reply::Status(410, vec![], Duration::ZERO)),
    );
    r.insert(
        "/no-head",
        route(|m, _, _| {
            if m == "HEAD" {
                Reply::Status(405, vec![], Duration::ZERO)
            } else {
                ok()
            }
        }),
    );
    r.insert(
        "/busy",
        route(|_, _, n| {
            if n == 0 {
                Reply::Status(429, vec![("Retry-After", "1".into())], Duration::ZERO)
            } else {
                ok()
            }
        }),
    );
    r.insert(
        "/later",
        route(|_, _, _| Reply::Status(429, vec![("Retry-After", "3600".into())], Duration::ZERO)),
    );
    r.insert(
        "/down",
        route(|_, _, _| Reply::Status(503, vec![], Duration::ZERO)),
    );
    r.insert("/loop-a", route(|_, _, _| redirect(301, "/loop-b")));
    r.insert("/loop-b", route(|_, _, _| redirect(301, "/loop-a")));
    r.insert("/hang", route(|_, _, _| Reply::Hang));
    r.insert("/close", route(|_, _, _| Reply::Close));
    r.insert("/excluded", route(|_, _, _| ok()));
    r
}

/// A show folder: `shownotes.toml` with `[online]` (and `extra` lines),
/// and notes files named by `files`, each a link list of `links`.
fn show(config: &str, files: &[(&str, &[String])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("shownotes.toml"), config).unwrap();
    for (name, links) in files {
        let mut text = String::from("An episode about links.\n\nLearn more:\n");
        for (i, l) in links.iter().enumerate() {
            text.push_str(&format!("- {l} — page {i}\n"));
        }
        text.push_str("\nChapters:\n00:00 Intro\n01:00 Middle\n02:00 End\n");
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// Runs shownotes in `dir` with no proxy set (so every request goes to
/// the test's server), with a guard against a hang.
fn run(dir: &Path, args: &[&str]) -> Output {
    let mut c = bin();
    c.args(args).current_dir(dir);
    for v in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        c.env_remove(v);
    }
    let out = crate::support::wait_guarded(
        c.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
        "shownotes --online",
    );
    assert_no_panic(&out);
    out
}

/// `check --format json`'s findings of the online checks: (file, code,
/// line, message).
fn online_findings(out: &Output) -> Vec<(String, String, u64, String)> {
    let v = json(out);
    let mut found = vec![];
    for f in v["files"].as_array().unwrap() {
        for d in f["diagnostics"].as_array().unwrap() {
            let code = d["code"].as_str().unwrap();
            if matches!(code, "link-broken" | "link-redirected" | "link-unreachable") {
                found.push((
                    f["path"].as_str().unwrap().to_string(),
                    code.to_string(),
                    d["line"].as_u64().unwrap(),
                    d["message"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    found
}

const CONFIG: &str = "[online]\ntimeout_s = 1\nexclude = [\"/excluded$\"]\n";

#[test]
fn every_answer_gives_its_status_and_finding() {
    let s = Server::start(all_routes());
    let tls = format!("https://{}/tls", s.addr);
    let paths = [
        "/ok",
        "/moved",
        "/temporary",
        "/not-found",
        "/gone",
        "/no-head",
        "/busy",
        "/later",
        "/down",
        "/loop-a",
        "/hang",
        "/close",
        "/excluded",
    ];
    let mut links: Vec<String> = paths.iter().map(|p| s.url(p)).collect();
    links.push("http://no-such-host.invalid/page".into());
    links.push(tls.clone());
    links.push("mailto:host@example.com".into());
    let dir = show(CONFIG, &[("ep1.md", &links)]);

    let out = run(
        dir.path(),
        &["links", "--online", "--format", "json", "ep1.md"],
    );
    assert_eq!(code(&out), 1, "a broken link is an error: {}", stderr(&out));
    let rows = json(&out);
    let by_url: HashMap<&str, &Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["url"].as_str().unwrap(), r))
        .collect();
    let expect = |url: &str, status: &str, http: Option<u64>, final_url: Option<String>| {
        let r = by_url
            .get(url)
            .unwrap_or_else(|| panic!("{url} not listed: {rows:#}"));
        assert_eq!(r["status"], status, "{url}: {r:#}");
        assert_eq!(r["http_status"].as_u64(), http, "{url}: {r:#}");
        assert_eq!(
            r["final_url"].as_str().map(str::to_string),
            final_url,
            "{url}: {r:#}"
        );
    };
    expect(&s.url("/ok"), "ok", Some(200), None);
    expect(
        &s.url("/moved"),
        "redirected",
        Some(200),
        Some(s.url("/final")),
    );
    expect(
        &s.url("/temporary"),
        "ok",
        Some(200),
        Some(s.url("/elsewhere")),
    );
    expect(&s.url("/not-found"), "broken", Some(404), None);
    expect(&s.url("/gone"), "broken", Some(410), None);
    expect(&s.url("/no-head"), "ok", Some(200), None);
    expect(&s.url("/busy"), "ok", Some(200), None);
    expect(&s.url("/down"), "unreachable", Some(503), None);
    expect(&s.url("/later"), "unreachable", Some(429), None);
    expect(
        &s.url("/loop-a"),
        "unreachable",
        Some(301),
        Some(s.url("/loop-a")),
    );
    expect(&s.url("/hang"), "unreachable", None, None);
    expect(&s.url("/close"), "unreachable", None, None);
    expect(&s.url("/excluded"), "skipped", None, None);
    expect("http://no-such-host.invalid/page", "broken", None, None);
    expect(&tls, "unreachable", None, None);
    expect("mailto:host@example.com", "skipped", None, None);

    // What the server saw: HEAD then GET where HEAD was refused; the 429
    // retried after its Retry-After; the 503 tried three times; nothing
    // for the excluded link.
    let methods = |p: &str| s.seen(p).into_iter().map(|(m, _)| m).collect::<Vec<_>>();
    assert_eq!(methods("/no-head"), ["HEAD", "GET"]);
    assert_eq!(methods("/ok"), ["HEAD"]);
    let busy = s.seen("/busy");
    assert_eq!(busy.len(), 2);
    assert!(
        busy[1].1 - busy[0].1 >= Duration::from_millis(950),
        "Retry-After: 1 honoured"
    );
    assert_eq!(methods("/down"), ["HEAD", "HEAD", "HEAD"]);
    assert_eq!(
        methods("/later"),
        ["HEAD"],
        "an hour's wait is not waited for"
    );
    assert!(methods("/excluded").is_empty());
    assert_eq!(methods("/moved-again"), ["HEAD"]);

    // The findings `check` gives for the same file, on the links' lines.
    let out = run(
        dir.path(),
        &["check", "--online", "--format", "json", "ep1.md"],
    );
    assert_eq!(code(&out), 1);
    let found = online_findings(&out);
    let line = |path: &str| 4 + links.iter().position(|l| l.ends_with(path)).unwrap() as u64;
    let mut codes: Vec<(u64, &str)> = found.iter().map(|f| (f.2, f.1.as_str())).collect();
    codes.sort();
    let mut want = vec![
        (line("/moved"), "link-redirected"),
        (line("/not-found"), "link-broken"),
        (line("/gone"), "link-broken"),
        (line("/down"), "link-unreachable"),
        (line("/later"), "link-unreachable"),
        (line("/loop-a"), "link-unreachable"),
        (line("/hang"), "link-unreachable"),
        (line("/close"), "link-unreachable"),
        (line(".invalid/page"), "link-broken"),
        (line("/tls"), "link-unreachable"),
    ];
    want.sort();
    assert_eq!(codes, want, "{found:#?}");
    let moved = found.iter().find(|f| f.1 == "link-redirected").unwrap();
    // The help names the final URL (the fix `check --fix` writes, tested
    // beside the library's code).
    let human = run(dir.path(), &["check", "--online", "ep1.md"]);
    let help = format!(
        "help: link to `{}` (`shownotes check --fix` writes it)",
        s.url("/final")
    );
    assert!(stderr(&human).contains(&help), "{}", stderr(&human));
    assert!(
        moved.3.ends_with(&format!(
            "moved permanently (`301`, `308`) to `{}`",
            s.url("/final")
        )),
        "{}",
        moved.3
    );
    let msg = |p: &str| found.iter().find(|f| f.2 == line(p)).unwrap().3.clone();
    assert!(msg("/not-found").contains("404"), "{}", msg("/not-found"));
    assert!(
        msg("/down").ends_with("answers `503 Service Unavailable` after 2 retries"),
        "{}",
        msg("/down")
    );
    assert!(msg("/loop-a").contains("loop"), "{}", msg("/loop-a"));
    assert!(
        msg("/hang").contains("no answer within 1 s"),
        "{}",
        msg("/hang")
    );
    assert!(
        msg(".invalid/page").contains("does not resolve"),
        "{}",
        msg(".invalid/page")
    );
    assert!(msg("/tls").contains("TLS"), "{}", msg("/tls"));
}

#[test]
fn requests_look_like_a_browser_ask_for_gzip_and_keep_no_cookies() {
    let mut routes: HashMap<&'static str, Route> = HashMap::new();
    routes.insert(
        "/login",
        route(|_, _, _| {
            Reply::Status(
                302,
                vec![
                    ("Location", "/home".into()),
                    ("Set-Cookie", "session=secret; Path=/".into()),
                ],
                Duration::ZERO,
            )
        }),
    );
    routes.insert("/home", route(|_, _, _| ok()));
    routes.insert("/other", route(|_, _, _| ok()));
    let s = Server::start(routes);
    let dir = show("[online]\n", &[("ep.md", &[s.url("/login")])]);
    let out = run(
        dir.path(),
        &["links", "--online", "--format", "json", "ep.md"],
    );
    assert_eq!(json(&out)[0]["status"], "ok", "{}", stderr(&out));
    let headers = |p: &str| s.state.headers.lock().unwrap()[p][0].clone();
    let first = headers("/login");
    let ua = first
        .iter()
        .find_map(|h| h.strip_prefix("user-agent: "))
        .unwrap()
        .to_string();
    assert!(
        ua.starts_with("mozilla/5.0 ") && ua.contains("shownotes/"),
        "{ua}"
    );
    assert!(
        first
            .iter()
            .any(|h| h.starts_with("accept-encoding: ") && h.contains("gzip")),
        "{first:?}"
    );
    assert!(
        first.iter().any(|h| h.starts_with("accept: text/html")),
        "{first:?}"
    );
    let after = headers("/home");
    assert!(
        !after.iter().any(|h| h.starts_with("cookie:")),
        "a cookie was kept: {after:?}"
    );

    // `user_agent` replaces the default.
    let dir = show(
        "[online]\nuser_agent = \"MyShow link check/2\"\n",
        &[("ep.md", &[s.url("/other")])],
    );
    run(dir.path(), &["links", "--online", "ep.md"]);
    assert!(headers("/other").contains(&"user-agent: myshow link check/2".to_string()));
}

#[test]
fn a_failing_link_is_reported_on_every_occurrence_in_every_file_and_fetched_once() {
    let mut routes: HashMap<&'static str, Route> = HashMap::new();
    routes.insert("/ok", route(|_, _, _| ok()));
    let s = Server::start(routes);
    let dead = s.url("/dead");
    let a = [s.url("/ok"), dead.clone()];
    let b = [dead.clone(), s.url("/ok"), format!("{dead}#section")];
    let dir = show(CONFIG, &[("a.md", &a), ("b.md", &b)]);
    let out = run(
        dir.path(),
        &["check", "--online", "--format", "json", "a.md", "b.md"],
    );
    let mut found: Vec<(String, u64)> = online_findings(&out)
        .into_iter()
        .map(|f| {
            assert_eq!(f.1, "link-broken");
            (f.0, f.2)
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("a.md".to_string(), 5),
            ("b.md".into(), 4),
            ("b.md".into(), 6)
        ]
    );
    // Each distinct link once (the fragment is not part of what is fetched):
    // HEAD then GET for the 404, HEAD for the page.
    assert_eq!(s.seen("/dead").len(), 2);
    assert_eq!(s.seen("/ok").len(), 1);
}

#[test]
fn no_more_than_max_per_host_requests_are_in_flight_to_one_host() {
    let mut routes: HashMap<&'static str, Route> = HashMap::new();
    routes.insert(
        "/slow/*",
        route(|_, _, _| Reply::Status(200, vec![], Duration::from_millis(150))),
    );
    let s = Server::start(routes);
    let links: Vec<String> = (0..16).map(|i| s.url(&format!("/slow/{i}"))).collect();
    let dir = show("[online]\nmax_per_host = 3\n", &[("ep.md", &links)]);
    let out = run(
        dir.path(),
        &["links", "--online", "--format", "json", "ep.md"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(json(&out)
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == "ok"));
    assert_eq!(s.requests(), 16);
    let peak = s.state.peak.load(Ordering::SeqCst);
    assert!(peak <= 3, "{peak} requests at once to one host");
    assert!(peak >= 2, "the requests ran one at a time ({peak})");
}

#[test]
fn the_cache_answers_a_second_run_and_stale_entries_are_fetched_again() {
    let s = Server::start(all_routes());
    let links = [
        s.url("/ok"),
        s.url("/moved"),
        s.url("/temporary"),
        s.url("/not-found"),
    ];
    let dir = show(
        "[online]\ncache = \"links-cache.json\"\n",
        &[("ep.md", &links)],
    );
    let first = run(
        dir.path(),
        &["check", "--online", "--format", "json", "ep.md"],
    );
    let asked = s.requests();
    assert!(asked >= 4, "{asked}");
    let cache = dir.path().join("links-cache.json");
    assert!(
        cache.is_file(),
        "the cache is written beside shownotes.toml"
    );

    let second = run(
        dir.path(),
        &["check", "--online", "--format", "json", "ep.md"],
    );
    assert_eq!(
        s.requests(),
        asked,
        "the second run asks the server nothing"
    );
    assert_eq!(online_findings(&second), online_findings(&first));
    assert_eq!(code(&second), code(&first));
    let listed = run(
        dir.path(),
        &["links", "--online", "--format", "json", "ep.md"],
    );
    assert_eq!(s.requests(), asked);
    let rows = json(&listed);
    assert_eq!(rows[0]["status"], "cached");
    assert_eq!(rows[1]["status"], "redirected");
    assert_eq!(rows[3]["status"], "broken");
    assert_eq!(rows[3]["http_status"], 404);

    // An entry fetched long ago is fetched again, and only that one.
    let mut v: Value = serde_json::from_slice(&std::fs::read(&cache).unwrap()).unwrap();
    v["links"][s.url("/ok")]["checked_at"] = 1_000_000.into();
    std::fs::write(&cache, serde_json::to_vec(&v).unwrap()).unwrap();
    let ok_before = s.seen("/ok").len();
    run(
        dir.path(),
        &["check", "--online", "--format", "json", "ep.md"],
    );
    assert_eq!(s.seen("/ok").len(), ok_before + 1);
    assert_eq!(s.requests(), asked + 1);

    // A corrupt cache: a warning, every link fetched, the same findings,
    // and a good cache written in its place.
    std::fs::write(&cache, "{\"version\": 1, \"links\": [garbage").unwrap();
    let third = run(
        dir.path(),
        &["check", "--online", "--format", "json", "ep.md"],
    );
    assert!(
        stderr(&third).contains("warning: ignoring the link cache"),
        "{}",
        stderr(&third)
    );
    assert_eq!(online_findings(&third), online_findings(&first));
    assert!(s.requests() > asked + 1);
    let rewritten: Value = serde_json::from_slice(&std::fs::read(&cache).unwrap()).unwrap();
    assert_eq!(rewritten["version"], 1);
}

#[test]
fn the_cache_defaults_to_the_current_folder_without_a_config() {
    let mut routes: HashMap<&'static str, Route> = HashMap::new();
    routes.insert("/ok", route(|_, _, _| ok()));
    let s = Server::start(routes);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".git"), "").unwrap();
    std::fs::write(
        dir.path().join("ep.md"),
        format!("An episode.\n\nLearn more:\n- {} — a page\n", s.url("/ok")),
    )
    .unwrap();
    let out = run(
        dir.path(),
        &["links", "--online", "--format", "json", "ep.md"],
    );
    assert_eq!(json(&out)[0]["status"], "ok");
    assert!(dir.path().join(".shownotes-cache.json").is_file());
}

#[test]
fn offline_wins_over_online_and_nothing_is_fetched() {
    let s = Server::start(all_routes());
    let dir = show(CONFIG, &[("ep.md", &[s.url("/not-found")])]);
    let out = run(
        dir.path(),
        &[
            "check",
            "--online",
            "--offline",
            "--format",
            "json",
            "ep.md",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(online_findings(&out).is_empty());
    let out = run(
        dir.path(),
        &[
            "links",
            "--offline",
            "--online",
            "--format",
            "json",
            "ep.md",
        ],
    );
    assert!(
        json(&out)[0].get("status").is_none(),
        "no online fields without a check"
    );
    assert_eq!(s.requests(), 0);
}

/// The `socket(2)` calls for Internet sockets that `shownotes ARGS` made
/// (and its threads), as strace saw them.
fn inet_sockets(dir: &Path, args: &[&str]) -> Vec<String> {
    let log = dir.join("strace.log");
    let mut all = vec!["-f", "-qq", "-e", "trace=socket", "-o"];
    let log_s = log.to_str().unwrap();
    all.push(log_s);
    let exe = env!("CARGO_BIN_EXE_shownotes");
    all.push(exe);
    all.extend_from_slice(args);
    let out = std::process::Command::new("strace")
        .args(&all)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("strace runs (Debian: apt-get install strace)");
    assert_no_panic(&out);
    let text = std::fs::read_to_string(&log)
        .unwrap_or_else(|e| panic!("no strace log ({e}): {}", stderr(&out)));
    text.lines()
        .filter(|l| l.contains("AF_INET") || l.contains("AF_INET6"))
        .map(str::to_string)
        .collect()
}

#[test]
fn without_online_no_socket_is_opened() {
    let s = Server::start(all_routes());
    let links = [s.url("/ok"), format!("https://{}/page", s.addr)];
    let dir = show(CONFIG, &[("ep.md", &links)]);
    for args in [
        &["check", "ep.md"][..],
        &["check", "--format", "json", "ep.md"],
        &["links", "--format", "json", "ep.md"],
        &["check", "--online", "--offline", "ep.md"],
    ] {
        let sockets = inet_sockets(dir.path(), args);
        assert!(sockets.is_empty(), "{args:?} opened {sockets:?}");
    }
    // The same watch sees the sockets `--online` opens.
    let sockets = inet_sockets(dir.path(), &["check", "--online", "ep.md"]);
    assert!(
        !sockets.is_empty(),
        "strace saw no socket even with --online"
    );
    assert!(s.requests() >= 1);
}

#[test]
fn online_config_keys_are_checked_with_their_line() {
    let cases = [
        ("[online]\ntimeout = 3\n", 2, "unknown field `timeout`"),
        (
            "[online]\nmax_per_host = 0\n",
            2,
            "`max_per_host` must be from 1 to 64",
        ),
        (
            "[online]\n\nexclude = [\"(\"]\n",
            3,
            "`exclude` pattern `(` is not a regular expression",
        ),
        ("[online]\nuser_agent = \"\"\n", 2, "`user_agent`"),
        (
            "[online]\ncache_days = -1\n",
            2,
            "`cache_days` must be from 0 to 3650",
        ),
    ];
    for (config, line, message) in cases {
        let dir = show(config, &[("ep.md", &["https://example.com/".to_string()])]);
        let out = run(dir.path(), &["check", "--online", "ep.md"]);
        assert_eq!(code(&out), 2, "{config}");
        let err = stderr(&out);
        assert!(err.contains(message), "{config}: {err}");
        assert!(
            err.contains(&format!("shownotes.toml:{line}:")),
            "{config}: {err}"
        );
    }
}

/// The scale figures for `bench/online.sh` (not a test of speed: it
/// prints them). 2,000 distinct links (`SHOWNOTES_BENCH_LINKS`) over 100
/// loopback addresses (127.0.0.1 to 127.0.0.100) answering after 50 ms,
/// `max_per_host = 2`; run under `/usr/bin/time -v` for the peak memory.
/// `SHOWNOTES_BENCH_BIN` names the binary to measure (the release build).
#[test]
#[ignore = "a benchmark: bench/online.sh runs it"]
fn scale_bench() {
    let links: usize = std::env::var("SHOWNOTES_BENCH_LINKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let hosts = 100.min(links.max(1));
    let mut servers = vec![];
    let first = Server::start_on("127.0.0.1:0", slow_routes());
    let port = first.addr.port();
    servers.push(first);
    for h in 2..=hosts {
        servers.push(Server::start_on(
            &format!("127.0.0.{h}:{port}"),
            slow_routes(),
        ));
    }
    let urls: Vec<String> = (0..links)
        .map(|i| format!("http://127.0.0.{}:{port}/page/{i}", i % hosts + 1))
        .collect();
    // Ten episodes, the links spread over them.
    let files: Vec<(String, Vec<String>)> = urls
        .chunks(links.div_ceil(10).max(1))
        .enumerate()
        .map(|(i, c)| (format!("ep{i}.md"), c.to_vec()))
        .collect();
    let files_ref: Vec<(&str, &[String])> = files
        .iter()
        .map(|(n, l)| (n.as_str(), l.as_slice()))
        .collect();
    let dir = show("[online]\nmax_per_host = 2\n", &files_ref);
    let exe = std::env::var("SHOWNOTES_BENCH_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_shownotes").to_string());
    let mut args = vec![
        "-v".to_string(),
        exe,
        "check".into(),
        "--online".into(),
        "--format".into(),
        "json".into(),
    ];
    args.extend(files.iter().map(|(n, _)| n.clone()));
    let started = Instant::now();
    let out = std::process::Command::new("/usr/bin/time")
        .args(&args)
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let wall = started.elapsed();
    let err = stderr(&out);
    let rss = err
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .unwrap_or("?")
        .to_string();
    let found = online_findings(&out);
    let requests: usize = servers.iter().map(Server::requests).sum();
    let peak = servers
        .iter()
        .map(|s| s.state.peak.load(Ordering::SeqCst))
        .max()
        .unwrap_or(0);
    println!("links: {links} over {hosts} hosts, 50 ms latency, max_per_host = 2");
    println!(
        "requests: {requests}; online findings: {}; most in flight to one host: {peak}",
        found.len()
    );
    println!("wall: {:.2} s", wall.as_secs_f64());
    println!("peak memory: {rss} KiB");
    assert_eq!(requests, links, "each link fetched once");
    assert!(found.is_empty(), "{found:?}");
    assert!(peak <= 2);
}

fn slow_routes() -> HashMap<&'static str, Route> {
    let mut r: HashMap<&'static str, Route> = HashMap::new();
    r.insert(
        "/page/*",
        route(|_, _, _| Reply::Status(200, vec![], Duration::from_millis(50))),
    );
    r
}

#[test]
fn a_progress_bar_over_links_only_on_a_terminal() {
    let mut routes: HashMap<&'static str, Route> = HashMap::new();
    routes.insert(
        "/slow/*",
        route(|_, _, _| Reply::Status(200, vec![], Duration::from_millis(100))),
    );
    let s = Server::start(routes);
    let links: Vec<String> = (0..8).map(|i| s.url(&format!("/slow/{i}"))).collect();
    let dir = show(
        "[online]\nmax_per_host = 1\ncache_days = 0\n",
        &[("ep.md", &links)],
    );
    // A pseudo-terminal from util-linux's `script` (as in progress.rs).
    let cmd = format!(
        "{} check --online ep.md 2>&1 >/dev/null",
        env!("CARGO_BIN_EXE_shownotes")
    );
    let mut c = std::process::Command::new("script");
    c.args(["-qfc", &cmd, "/dev/null"]).current_dir(dir.path());
    for v in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        c.env_remove(v);
    }
    let Ok(out) = c.output() else {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    };
    let drawn = String::from_utf8_lossy(&out.stdout);
    assert!(
        drawn.contains("checking links"),
        "no bar drawn: {drawn:.300}"
    );
    assert_eq!(s.requests(), 8);
    let piped = run(dir.path(), &["check", "--online", "ep.md"]);
    let err = stderr(&piped);
    assert!(
        !err.contains("checking links") && !err.contains('\r'),
        "bar drawn into a pipe: {err}"
    );
    assert_eq!(s.requests(), 16, "cache_days = 0 fetches again");
}
