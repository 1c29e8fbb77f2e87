use super::*;
use crate::links::Kind;
use crate::source::Span;

fn link(url: &str, at: usize) -> Link {
    Link {
        original: url.to_string(),
        url: url.to_string(),
        text: None,
        kind: Kind::Text,
        span: Span::new(at, at + url.len()),
        list: None,
    }
}

fn result(status: Status) -> Checked {
    Checked {
        status,
        http_status: Some(301),
        final_url: Some("https://new.example/b".into()),
        moved_to: Some("https://new.example/b".into()),
        reason: "moved permanently (`301`) to `https://new.example/b`".into(),
        checked_at: now(),
    }
}

#[test]
fn the_fetch_key_drops_the_fragment_and_skips_other_schemes() {
    assert_eq!(
        fetch_key("https://example.com/a#part").as_deref(),
        Some("https://example.com/a")
    );
    assert_eq!(
        fetch_key("HTTP://Example.com").as_deref(),
        Some("http://example.com/")
    );
    assert_eq!(fetch_key("mailto:a@example.com"), None);
    assert_eq!(fetch_key("ftp://example.com/x"), None);
    assert_eq!(fetch_key("not a url"), None);
}

#[test]
fn a_permanent_redirect_is_fixed_to_the_new_url_keeping_the_fragment() {
    let l = link("https://old.example/a#t=30", 10);
    let d = diagnostic(&l, &result(Status::Redirected)).unwrap();
    assert_eq!(d.code, Code::LinkRedirected);
    assert_eq!(d.span, Some(l.span));
    let fix = d.fix.unwrap();
    assert_eq!(fix.span, l.span);
    assert_eq!(fix.replacement, "https://new.example/b#t=30");
    assert!(d.help.unwrap().contains("`https://new.example/b#t=30`"));
}

#[test]
fn only_failures_are_findings() {
    let l = link("https://example.com/", 0);
    for s in [Status::Ok, Status::Cached, Status::Skipped] {
        assert!(diagnostic(&l, &result(s)).is_none(), "{s:?}");
    }
    let broken = diagnostic(&l, &result(Status::Broken)).unwrap();
    assert_eq!(broken.code, Code::LinkBroken);
    assert!(broken.is_error());
    let unreachable = diagnostic(&l, &result(Status::Unreachable)).unwrap();
    assert_eq!(unreachable.code, Code::LinkUnreachable);
    assert!(!unreachable.is_error());
    assert!(unreachable.fix.is_none() && broken.fix.is_none());
}

#[test]
fn the_cache_reuses_fresh_results_and_keeps_no_passing_trouble() {
    let mut c = Cache::default();
    c.store("https://a.example/", &result(Status::Broken));
    c.store("https://b.example/", &result(Status::Unreachable));
    assert!(c.fresh("https://a.example/", 3600).is_some());
    assert!(c.fresh("https://b.example/", 3600).is_none());
    // Stale: fetched longer ago than the age allowed.
    let mut old = result(Status::Ok);
    old.checked_at = now() - 8 * 24 * 3600;
    c.store("https://c.example/", &old);
    assert!(c.fresh("https://c.example/", 7 * 24 * 3600).is_none());
    c.prune(7 * 24 * 3600);
    assert!(c.fresh("https://c.example/", u64::MAX).is_none());
    assert!(c.fresh("https://a.example/", 3600).is_some());
}

#[test]
fn a_corrupt_cache_is_ignored_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.json");
    std::fs::write(&path, "{ not json").unwrap();
    let (c, warning) = Cache::load(&path);
    assert_eq!(c.fresh("https://a.example/", u64::MAX), None);
    assert!(warning.unwrap().contains("ignoring the link cache"));
    // Missing: empty, and nothing to say.
    let (_, warning) = Cache::load(&dir.path().join("none.json"));
    assert!(warning.is_none());
}

#[test]
fn excluded_and_non_http_links_are_skipped_without_a_request() {
    let mut config = Config::default();
    config.online.exclude = vec!["^https://skip\\.example/".into()];
    let mut settings = Settings::from_config(&config, Path::new("."));
    settings.cache = None;
    let run = check(
        ["https://skip.example/x", "mailto:a@example.com"],
        &settings,
        &|n| assert_eq!(n, 0),
        &|| panic!("nothing is fetched"),
    );
    assert_eq!(run.fetched, 0);
    assert_eq!(
        run.results["https://skip.example/x"].status,
        Status::Skipped
    );
    assert_eq!(run.results["mailto:a@example.com"].status, Status::Skipped);
}

#[test]
fn settings_take_the_config_and_the_defaults() {
    let text = "[online]\ntimeout_s = 3\nmax_per_host = 4\ncache = \"c.json\"\ncache_days = 1\nuser_agent = \"UA/1\"\n";
    let mut config = Config::parse(Path::new("shownotes.toml"), text).unwrap();
    config.dir = Some(PathBuf::from("/show"));
    let s = Settings::from_config(&config, Path::new("/cwd"));
    assert_eq!(s.timeout, Duration::from_secs(3));
    assert_eq!(s.max_per_host, 4);
    assert_eq!(s.cache.as_deref(), Some(Path::new("/show/c.json")));
    assert_eq!(s.cache_age, Duration::from_secs(24 * 3600));
    assert_eq!(s.user_agent, "UA/1");
    let d = Settings::from_config(&Config::default(), Path::new("/cwd"));
    assert_eq!(
        d.cache.as_deref(),
        Some(Path::new("/cwd/.shownotes-cache.json"))
    );
    assert_eq!(d.max_per_host, DEFAULT_MAX_PER_HOST);
    assert!(d.user_agent.starts_with("Mozilla/5.0"));
}
