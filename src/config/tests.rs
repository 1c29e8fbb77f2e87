use super::*;

fn parse(text: &str) -> Result<Config, Error> {
    Config::parse(Path::new("shownotes.toml"), text)
}

#[test]
fn reads_every_key() {
    let c = parse(
        "templates = \"tpl\"\n[show]\ntitle = \"Netstack.FM\"\nwebsite = \"https://netstack.fm\"\nlanguage = \"en\"\nepisode_url = \"https://netstack.fm/#episode-{episode}\"\nmedia_base_url = \"https://media.example.com/n/\"\nfooter = \"x\"\n[links]\nstrip_params = [\"ref_src\"]\n[chapters]\nmin_count = 4\nmin_seconds = 30\n[platforms]\nenabled = [\"youtube\", \"rss\"]\n[platforms.spotify]\nmax_bytes = 3000\n",
    )
    .unwrap();
    assert_eq!(c.chapter_rules().min_count, 4);
    assert_eq!(c.chapter_rules().min_seconds, 30);
    assert_eq!(c.chapter_rules().max_title_chars, 70);
    assert_eq!(c.link_rules().strip_params, ["ref_src"]);
    assert_eq!(
        c.platforms.enabled,
        Some(vec![PlatformId::Youtube, PlatformId::Rss])
    );
    assert_eq!(c.max_bytes(PlatformId::Spotify), Some(3000));
    assert_eq!(c.max_bytes(PlatformId::Youtube), Some(5000));
}

#[test]
fn unknown_keys_name_their_line() {
    let e = parse("[show]\ntitle = \"A\"\ntitel = \"B\"\n").unwrap_err();
    assert_eq!((e.line(), e.column()), (Some(3), Some(1)), "{e}");
    assert!(
        e.message().contains("unknown field `titel`"),
        "{}",
        e.message()
    );
    let e = parse("[platforms]\nenabled = [\"myspace\"]\n").unwrap_err();
    assert_eq!(e.line(), Some(2), "{e}");
    let e = parse("[nope]\n").unwrap_err();
    assert_eq!(e.line(), Some(1), "{e}");
    let e = parse("[show]\nmedia_base_url = \"ftp://x\"\n").unwrap_err();
    assert_eq!(e.line(), Some(2), "{e}");
}

#[test]
fn urls_are_http_and_media_base_url_has_no_query() {
    for (text, line, want) in [
        (
            "[show]\nmedia_base_url = \"https://m.example/x?token=1\"\n",
            2,
            "has a query (`?...`), but the audio file's name is appended",
        ),
        (
            "[show]\ntitle = \"t\"\nmedia_base_url = \"https://m.example/x/#a\"\n",
            3,
            "has a fragment",
        ),
        (
            "[show]\nmedia_base_url = \"https://m.example/x?\"\n",
            2,
            "has a query",
        ),
        (
            "[show]\nmedia_base_url = \"javascript:alert(1)\"\n",
            2,
            "its scheme is `javascript`",
        ),
        (
            "[show]\nmedia_base_url = \"https:m.example/x/\"\n",
            2,
            "is not a full URL",
        ),
        (
            "[show]\nmedia_base_url = \"https://u:p@m.example/x/\"\n",
            2,
            "user name or password",
        ),
        (
            "[show]\nwebsite = \"file:///etc/passwd\"\n",
            2,
            "its scheme is `file`",
        ),
        (
            "[show]\nwebsite = \"https://a.example/\\tx\"\n",
            2,
            "U+0009",
        ),
        ("[show]\nwebsite = \" https://a.example/\"\n", 2, "a space"),
        (
            "[show]\nwebsite = \"https:\\\\a.example/\"\n",
            2,
            "a backslash",
        ),
        ("[show]\nwebsite = \"https://\"\n", 2, "is not a URL"),
        (
            "[show]\nepisode_url = \"data:text/html,{episode}\"\n",
            2,
            "its scheme is `data`",
        ),
        (
            "[show]\nepisode_url = \"https://a.example/{number}\"\n",
            2,
            "placeholder `{number}`",
        ),
        (
            "[show]\n\n# c\nepisode_url = \"https://a.example/{episode\"\n",
            4,
            "placeholder `{episode`",
        ),
    ] {
        let e = parse(text).unwrap_err();
        assert_eq!(e.line(), Some(line), "{text}: {e}");
        assert!(e.message().contains(want), "{text}: {e}");
    }
    let c = parse("[show]\nwebsite = \"HTTPS://A.example\"\nepisode_url = \"https://a.example/{episode}/\"\nmedia_base_url = \"https://m.example/show\"\n").unwrap();
    assert_eq!(
        c.show.media_base_url.as_deref(),
        Some("https://m.example/show")
    );
}

#[test]
fn a_missing_templates_folder_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("templates")).unwrap();
    let cfg = dir.path().join(FILE_NAME);
    std::fs::write(&cfg, "# x\ntemplates = \"tempaltes\"\n[show]\n").unwrap();
    let e = Config::load(&cfg).unwrap_err();
    assert_eq!(e.line(), Some(2), "{e}");
    assert!(e.message().contains("`tempaltes` does not exist"), "{e}");
    assert_eq!(e.help(), Some("did you mean `templates = \"templates\"`?"));
    std::fs::write(&cfg, "templates = \"nothing/like/it\"\n").unwrap();
    let e = Config::load(&cfg).unwrap_err();
    assert!(e.help().unwrap().contains("create the folder"));
    std::fs::write(dir.path().join("file"), "").unwrap();
    std::fs::write(&cfg, "templates = \"file\"\n").unwrap();
    assert!(Config::load(&cfg)
        .unwrap_err()
        .message()
        .contains("is not a folder"));
    std::fs::write(&cfg, "templates = \"templates\"\n").unwrap();
    assert!(Config::load(&cfg).unwrap().templates_dir().is_some());
    // Without the key, `templates/` stays optional.
    std::fs::remove_dir(dir.path().join("templates")).unwrap();
    std::fs::write(&cfg, "[show]\n").unwrap();
    assert_eq!(Config::load(&cfg).unwrap().templates_dir(), None);
}

#[test]
fn numbers_are_range_checked_at_their_line() {
    for (text, line, key, range) in [
        (
            "[chapters]\nmin_seconds = 18446744073709552\n",
            2,
            "min_seconds",
            "from 0 to 86400",
        ),
        (
            "[chapters]\nmin_seconds = -1\n",
            2,
            "min_seconds",
            "from 0 to 86400",
        ),
        (
            "[chapters]\n\nmin_count = 1000000\n",
            3,
            "min_count",
            "from 0 to 10000",
        ),
        (
            "[chapters]\nmax_title_chars = 0\n",
            2,
            "max_title_chars",
            "from 1 to 10000",
        ),
        (
            "[platforms.apple]\nmax_bytes = 0\n[platforms.youtube]\nmax_bytes = 9999999999\n",
            2,
            "max_bytes",
            "from 1 to 100000000",
        ),
        (
            "[platforms.apple]\nmax_bytes = 4000\n[platforms.youtube]\nmax_bytes = 9999999999\n",
            4,
            "max_bytes",
            "`9999999999`",
        ),
    ] {
        let e = parse(text).unwrap_err();
        assert_eq!(e.line(), Some(line), "{text}: {e}");
        assert!(e.message().contains(&format!("`{key}` must be")), "{e}");
        assert!(e.message().contains(range), "{e}");
    }
    let c = parse("[chapters]\nmin_seconds = 86400\nmin_count = 0\n").unwrap();
    assert_eq!(c.chapter_rules().min_seconds, 86_400);
    assert_eq!(c.chapter_rules().min_count, 0);
    assert!(parse("[chapters]\nmin_seconds = 1.5\n").is_err());
}

#[test]
fn platform_tables_are_keyed_by_platform_and_unknown_ones_located() {
    let c =
        parse("[platforms]\nenabled = [\"rss\"]\n[platforms.youtube]\nmax_bytes = 100\n").unwrap();
    assert_eq!(c.platforms.enabled, Some(vec![PlatformId::Rss]));
    assert_eq!(c.max_bytes(PlatformId::Youtube), Some(100));
    assert_eq!(c.max_bytes(PlatformId::Apple), Some(4000));
    assert_eq!(c.max_bytes(PlatformId::Rss), None);
    // RSS has no limit of its own, so no table; nor has an unknown name.
    for (text, key) in [
        ("[platforms]\n\n[platforms.rss]\nmax_bytes = 3\n", "rss"),
        ("[platforms]\nyoutub = 1\n", "youtub"),
    ] {
        let e = parse(text).unwrap_err();
        assert_eq!(e.line(), Some(if key == "rss" { 3 } else { 2 }), "{e}");
        assert!(
            e.message()
                .contains(&format!("unknown field `{key}`, expected one of `enabled`")),
            "{e}"
        );
        for name in ["spotify", "apple", "youtube"] {
            assert!(e.message().contains(&format!("`{name}`")), "{e}");
        }
    }
}

#[test]
fn the_init_template_parses_and_so_does_it_uncommented() {
    assert_eq!(parse(INIT_TEMPLATE).unwrap(), Config::default());
    let uncommented: String = INIT_TEMPLATE
        .lines()
        .filter(|l| {
            !l.starts_with("# ")
                || l.contains(" = ")
                || l.starts_with("# [")
                || l.starts_with("# \"\"\"")
                || l.starts_with("# Netstack.FM")
                || l.starts_with("# More information")
                || l.starts_with("# Join")
        })
        .filter(|l| {
            !(l.starts_with("# ")
                && !l.contains(" = ")
                && !l.starts_with("# [")
                && !l.starts_with("# \"\"\"")
                && !l.starts_with("# Netstack.FM")
                && !l.starts_with("# More information")
                && !l.starts_with("# Join"))
        })
        .map(|l| format!("{}\n", l.strip_prefix("# ").unwrap_or(l)))
        .collect();
    let c = parse(&uncommented).unwrap();
    assert_eq!(c.show.title.as_deref(), Some("Netstack.FM"));
    assert!(c.show.footer.unwrap().contains("{episode_url}"));
    assert_eq!(
        c.platforms.limits(PlatformId::Spotify).max_bytes,
        Some(4000)
    );
    assert_eq!(c.online.timeout_s, Some(10));
    assert_eq!(c.online.max_per_host, Some(2));
    assert_eq!(c.online.cache_days, Some(7));
    assert_eq!(c.online.exclude, ["^https://twitter\\.com/"]);
    assert!(regex::Regex::new(&c.online.exclude[0])
        .unwrap()
        .is_match("https://twitter.com/x"));
}

#[test]
fn online_keys_are_checked_where_they_stand() {
    let e = parse("[online]\ntimeout_s = 0\n").unwrap_err();
    assert!(
        e.message().contains("`timeout_s` must be from 1 to 300"),
        "{e}"
    );
    let e = parse("[online]\nexclude = [\"^ok$\", \"[\"]\n").unwrap_err();
    assert!(e.message().contains("`exclude` pattern `[`"), "{e}");
    let e = parse("[online]\n\nuser_agent = \"a\\u0007b\"\n").unwrap_err();
    assert!(e.message().contains("`user_agent`"), "{e}");
    assert_eq!(e.line(), Some(3), "{e}");
    let e = parse("[online]\ncache = \"\"\n").unwrap_err();
    assert!(e.message().contains("`cache` is empty"), "{e}");
    let e = parse("[online]\nretries = 3\n").unwrap_err();
    assert!(e.message().contains("unknown field `retries`"), "{e}");
}
