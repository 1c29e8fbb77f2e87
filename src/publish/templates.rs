//! The minijinja environment that renders each platform's template, built
//! in or a show's override of the same name: sandboxed, with strict
//! undefined variables, a fuel limit, the render limits of [`limits`], the
//! escaper chosen by the template's extension, and the filters the
//! built-in templates use.

use std::borrow::Cow;
use std::cell::Cell;
use std::path::Path;

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

use super::context::{AudioCtx, BlockCtx, ChannelCtx, Context, EpisodeCtx, HtmlCtx, ShowCtx};
use super::escape::{cdata, escape_xml, escape_xml_cow, youtube_text, youtube_text_cow};
use super::markup::Part;
use super::platform::{self, spotify, Escape, Platform, PlatformId};
use super::segments::Segment;
use super::{limits, xml};
use crate::error::{Error, ErrorKind, Result};
use crate::source::Source;

/// The help under a template error that has nothing more specific to say.
const TEMPLATE_HELP: &str =
    "templates are minijinja (Jinja2); see `shownotes context NOTES` for the variables";

/// A template error about the template at `path` (the override's path, or
/// `<built-in NAME>`).
fn error(path: &str, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Template, message)
        .with_path(path)
        .with_help(TEMPLATE_HELP)
}

/// The templates: built in, or a show's overrides, in one sandboxed
/// environment.
pub struct Templates {
    env: Environment<'static>,
    /// Where each template came from (for errors): `(name, path, source)`.
    origins: Vec<(&'static str, String, String)>,
}

thread_local! {
    /// The `<` and `>` the YouTube escaper replaced in the render on this
    /// thread (each render has a thread of its own, [`limits::spawn`], so
    /// renders running at once keep their own counts).
    static REPLACED: Cell<usize> = const { Cell::new(0) };
}

/// Counts `n` more `<`/`>` replaced by the render on this thread.
fn count_replaced(n: usize) {
    REPLACED.with(|r| r.set(r.get().saturating_add(n)));
}

/// Fuel (minijinja instructions) a template may spend: a base plus a share
/// per item of the notes, so a runaway user template stops.
fn fuel_for(ctx: &Context) -> u64 {
    let lines: usize = ctx
        .blocks
        .iter()
        .map(|b| match b {
            // Templates read a paragraph as `lines` or as `parts`.
            BlockCtx::Paragraph { lines, .. } => lines.iter().map(|l| 2 * (l.len() + 1)).sum(),
            BlockCtx::Links { items, .. } => items.len(),
            _ => 1,
        })
        .sum();
    200_000 + 200 * (lines + ctx.chapters.len() + ctx.footer.len() + ctx.extra.len()) as u64
}

/// The environment without templates: syntax, limits, escaping by the
/// template's extension, and the filters. The `<` and `>` the YouTube
/// escaper replaces are counted per thread ([`count_replaced`]).
fn environment() -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Spans and the undefined name in errors (the `debug` feature).
    env.set_debug(true);
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .map_err(|e| Error::new(ErrorKind::Template, e.to_string()).with_path("<syntax>"))?;
    env.set_syntax(syntax);
    limits::install_checked_filters(&mut env);
    // Escaping is the default, by the template's extension: an author
    // cannot forget it (`.html.j2` → HTML, `.xml.j2` → XML, `.txt.j2`
    // → YouTube text).
    env.set_auto_escape_callback(|name| match Escape::for_template(name) {
        Some(e) => AutoEscape::Custom(e.tag().into()),
        None => AutoEscape::None,
    });
    env.set_formatter(move |out, state, value| {
        if value.is_none() {
            return Ok(());
        }
        // A string past the output limit is refused before it is
        // copied; what escaping adds is counted after.
        let pre = value.as_str().map_or(0, str::len);
        limits::count_output(pre)?;
        // A string is escaped where it stands (most need no escaping
        // and are written as they are): no copy per value printed.
        let s = match value.as_str() {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(value.to_string()),
        };
        let escaped = escaped(state.auto_escape(), value, &s);
        limits::count_output(escaped.len().saturating_sub(pre))?;
        out.write_str(&escaped)
            .map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write failed"))
    });
    // A line of the context written whole: the built-in templates' inner
    // loop, one call a line instead of a dozen template instructions a
    // segment (about a fifth of a render on long notes).
    env.add_filter("line_html", |state: &minijinja::State, line: Value| {
        write_line(state, &line, LineForm::Html)
    });
    env.add_filter("line_text", |state: &minijinja::State, line: Value| {
        write_line(state, &line, LineForm::Text)
    });
    env.add_filter("html", |s: String| Value::from_safe_string(escape_xml(&s)));
    env.add_filter("xml", |s: String| Value::from_safe_string(escape_xml(&s)));
    env.add_filter("cdata", |s: String| Value::from_safe_string(cdata(&s)));
    env.add_filter("youtube_text", move |s: String| {
        let (t, n) = youtube_text(&s);
        count_replaced(n);
        Value::from_safe_string(t)
    });
    env.add_filter(
        "spotify_title",
        |v: Value| -> Result<Value, minijinja::Error> {
            // A title that stays as it is, is passed on as it is (no copy).
            if let Some(s) = v.as_str() {
                if !v.is_safe() && spotify::is_plain_title(s) {
                    return Ok(v);
                }
            }
            let s = <String as minijinja::value::ArgType>::from_value(Some(&v))?;
            Ok(Value::from(spotify::plain_title(&s)))
        },
    );
    Ok(env)
}

/// `value` (printed as `s`) escaped for the template's `auto_escape`: a
/// safe value as it is.
fn escaped<'s>(auto_escape: &AutoEscape, value: &Value, s: &'s str) -> Cow<'s, str> {
    if value.is_safe() {
        return Cow::Borrowed(s);
    }
    match auto_escape {
        AutoEscape::Custom(tag) if tag == "html" || tag == "xml" => escape_xml_cow(s),
        AutoEscape::Custom(tag) if tag == "youtube" => {
            let (t, n) = youtube_text_cow(s);
            count_replaced(n);
            t
        }
        _ => Cow::Borrowed(s),
    }
}

/// How [`write_line`] writes a link.
#[derive(Clone, Copy)]
enum LineForm {
    /// `<a href="URL">TEXT</a>` (`line_html`).
    Html,
    /// `TEXT: URL`, or the text alone for a link written bare
    /// (`line_text`).
    Text,
}

/// The `line_html` and `line_text` filters: a line of the context (its
/// segments: `text`, `url`, `bare`) as one safe string, each value escaped
/// as the template's extension escapes a printed value. The same output as
/// the loop `{% for s in line %}…{% endfor %}` the README shows.
fn write_line(
    state: &minijinja::State,
    line: &Value,
    form: LineForm,
) -> std::result::Result<Value, minijinja::Error> {
    let not_a_line = || {
        minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            "expects a line of the context: a list of segments with `text`, `url` and `bare`",
        )
    };
    let esc = state.auto_escape();
    // Room for most lines at once.
    let mut out = String::with_capacity(256);
    // As the formatter prints a value: `none` as nothing.
    let push = |out: &mut String, v: &Value| {
        if v.is_none() {
            return;
        }
        let s = v
            .as_str()
            .map_or_else(|| Cow::Owned(v.to_string()), Cow::Borrowed);
        out.push_str(&escaped(esc, v, &s));
    };
    for segment in line.try_iter().map_err(|_| not_a_line())? {
        let field = |name| {
            segment
                .get_attr(name)
                .ok()
                .filter(|v| !v.is_undefined())
                .ok_or_else(not_a_line)
        };
        let (text, url) = (field("text")?, field("url")?);
        if !url.is_true() {
            push(&mut out, &text);
            continue;
        }
        match form {
            LineForm::Html => {
                out.push_str("<a href=\"");
                push(&mut out, &url);
                out.push_str("\">");
                push(&mut out, &text);
                out.push_str("</a>");
            }
            LineForm::Text => {
                push(&mut out, &text);
                if !field("bare")?.is_true() {
                    out.push_str(": ");
                    push(&mut out, &url);
                }
            }
        }
    }
    Ok(Value::from_safe_string(out))
}

/// The template of `p`: `(path, source)` of the file by its name in
/// `overrides`, else of the built-in one.
fn load(p: &dyn Platform, overrides: Option<&Path>) -> Result<(String, String)> {
    load_named(p.template_name(), p.default_template(), overrides)
}

/// The template `name`: `(path, source)` of the file by that name in
/// `overrides`, else `default`, built in.
fn load_named(
    name: &'static str,
    default: &'static str,
    overrides: Option<&Path>,
) -> Result<(String, String)> {
    // Anything by a template's name is that template: a FIFO or a
    // device there is an error, not a silent fallback.
    let custom = overrides
        .map(|d| d.join(name))
        .filter(|f| std::fs::symlink_metadata(f).is_ok());
    let Some(f) = custom else {
        return Ok((format!("{BUILT_IN}{name}>"), default.to_string()));
    };
    let path = f.display().to_string();
    let unreadable = |reason: String| error(&path, format!("cannot read the template: {reason}"));
    let bytes =
        crate::regular::read(&f, crate::regular::TEXT_CAP).map_err(|e| unreadable(e.reason()))?;
    let src = String::from_utf8(bytes).map_err(|_| unreadable("it is not UTF-8 text".into()))?;
    // A lone CR (old Mac line ends) is a line break here too.
    let src = crate::source::lone_cr_to_lf(src);
    Ok((path, src))
}

/// The paths of every template's override in `dir` (whether or not it
/// exists): inputs an output must never replace.
pub fn override_paths(dir: &Path) -> Vec<std::path::PathBuf> {
    platform::all()
        .map(|p| dir.join(p.template_name()))
        .chain([dir.join(FEED_TEMPLATE)])
        .collect()
}

/// The whole feed's template (`shownotes feed`): the channel around the
/// items, each rendered by the RSS item's template.
pub const FEED_TEMPLATE: &str = "feed.xml.j2";

/// How a built-in template's path starts (`<built-in NAME>`).
const BUILT_IN: &str = "<built-in ";

/// Whether a template's path (see [`load_named`]) is a built-in one's.
fn built_in(path: &str) -> bool {
    path.starts_with(BUILT_IN)
}

/// The built-in [`FEED_TEMPLATE`].
pub const FEED_TEMPLATE_SOURCE: &str = include_str!("../../templates/feed.xml.j2");

/// Renders the feed's template (`feed.xml.j2` in `overrides`, else the
/// built-in one) with `value` (the channel and the items), sandboxed and
/// limited like every template; the output must be well-formed XML.
pub fn render_feed<T: Serialize>(
    overrides: Option<&Path>,
    value: &T,
    items: usize,
) -> Result<String> {
    let (path, source) = load_named(FEED_TEMPLATE, FEED_TEMPLATE_SOURCE, overrides)?;
    let mut env = environment()?;
    env.add_template_owned(FEED_TEMPLATE, source.clone())
        .map_err(|e| template_error(&e, &path, &source, None))?;
    env.set_fuel(Some(200_000 + 2_000 * items as u64));
    let limits = limits::Limits::for_context_bytes(json_len(value));
    let value = Value::from(minijinja::value::Serde(value));
    let rendered = limits::run(limits, move || {
        env.get_template(FEED_TEMPLATE)
            .and_then(|t| t.render(value))
    });
    let out = match rendered {
        Ok(r) => r.map_err(|e| template_error(&e, &path, &source, None))?,
        Err(stopped) => return Err(stopped_error(&stopped, &path)),
    };
    if let Err(e) = xml::check(&out) {
        return Err(xml_error(&e, &out, &path));
    }
    Ok(out)
}

impl Templates {
    /// Loads the built-in templates, replaced by any file of the same name
    /// in `overrides`.
    pub fn new(overrides: Option<&Path>) -> Result<Templates> {
        let mut env = environment()?;
        let mut origins = Vec::new();
        for p in platform::all() {
            let name = p.template_name();
            let (path, source) = load(p, overrides)?;
            env.add_template_owned(name, source.clone())
                .map_err(|e| template_error(&e, &path, &source, None))?;
            origins.push((name, path, source));
        }
        Ok(Templates { env, origins })
    }

    /// Renders one platform's template; returns the output and how many
    /// `<`/`>` the YouTube escaper replaced. The render runs under
    /// [`limits::Limits`] (fuel, value and output sizes, heap, time), and
    /// an XML template's output must be well-formed XML.
    pub fn render(&self, id: PlatformId, ctx: &Context) -> Result<(String, usize)> {
        self.render_shared(id, &Shared::new(ctx), ctx.html.as_ref())
    }

    /// [`Templates::render`] of a context made once for every platform
    /// ([`Shared`]), with `html` for the platforms that embed others.
    pub(crate) fn render_shared(
        &self,
        id: PlatformId,
        shared: &Shared<'_>,
        html: Option<&HtmlCtx>,
    ) -> Result<(String, usize)> {
        self.start(id, shared, html)?.finish()
    }

    /// Starts [`Templates::render_shared`] on a thread of its own
    /// ([`limits::spawn`]); [`Pending::finish`] waits for it. Renders that
    /// do not depend on each other run at once.
    pub(crate) fn start<'a>(
        &'a self,
        id: PlatformId,
        shared: &'a Shared<'a>,
        html: Option<&'a HtmlCtx>,
    ) -> Result<Pending<'a>> {
        let (name, path, source) = self.origin(id);
        let name: &'static str = name;
        let mut env = self.env.clone();
        // Fuel stops a runaway user template. A built-in one loops only
        // over the context, and stays under the time and memory limits
        // like any other; counting its instructions cost a render about
        // 6 % of its own on long notes.
        env.set_fuel((!built_in(path)).then_some(shared.fuel));
        let limits = limits::Limits::for_context_bytes(shared.bytes(html));
        let value = shared.value(html);
        // The output is written into room made for it at once: grown by
        // doubling, each larger buffer would be fresh memory for the
        // kernel to zero (2 MiB pages on long notes), some 12 MiB a render
        // of 1 MB of notes. The output is about a seventh of the counted
        // context (a paragraph is counted twice, as `lines` and `parts`,
        // and 48 bytes a value); room not written is never touched.
        let room = shared.bytes(html) / 4;
        let running = limits::spawn(limits, move || {
            REPLACED.with(|r| r.set(0));
            let out = env.get_template(name).and_then(|t| {
                let mut buf = Vec::with_capacity(room);
                t.render_captured_to(value, &mut buf)?;
                // minijinja writes only `str`s: never refused.
                String::from_utf8(buf).map_err(|_| {
                    minijinja::Error::new(
                        minijinja::ErrorKind::WriteFailure,
                        "the render wrote bytes that are not UTF-8",
                    )
                })
            });
            (out, REPLACED.with(Cell::get))
        })
        .map_err(|stopped| stopped_error(&stopped, path))?;
        Ok(Pending {
            name,
            path,
            source,
            shared,
            html,
            running,
        })
    }
}

/// A render started by [`Templates::start`].
pub(crate) struct Pending<'a> {
    name: &'static str,
    path: &'a str,
    source: &'a str,
    shared: &'a Shared<'a>,
    html: Option<&'a HtmlCtx>,
    running: limits::Running<(std::result::Result<String, minijinja::Error>, usize)>,
}

impl Pending<'_> {
    /// Waits for the render: the output and how many `<`/`>` the YouTube
    /// escaper replaced, or the template's error.
    pub(crate) fn finish(self) -> Result<(String, usize)> {
        let Pending {
            name,
            path,
            source,
            shared,
            html,
            running,
        } = self;
        let (out, replaced) = match running.wait() {
            Ok((r, replaced)) => {
                let out = r.map_err(|e| {
                    // The context as JSON, for the error's `did you mean`.
                    let ctx = serde_json::to_value(shared.view(html)).ok();
                    template_error(&e, path, source, ctx.as_ref())
                })?;
                (out, replaced)
            }
            Err(stopped) => return Err(stopped_error(&stopped, path)),
        };
        if Escape::for_template(name) == Some(Escape::Xml) {
            if let Err(e) = xml::check(&out) {
                return Err(xml_error(&e, &out, path));
            }
        }
        Ok((out, replaced))
    }
}

impl Templates {
    /// `id`'s template: its name, its path (`<built-in NAME>` when no
    /// file replaces it) and its text.
    fn origin(&self, id: PlatformId) -> &(&'static str, String, String) {
        let name = platform::get(id).template_name();
        self.origins
            .iter()
            .find(|o| o.0 == name)
            .expect("every platform's template is loaded")
    }

    /// Whether `id`'s template is the built-in one (no file replaces it).
    pub(crate) fn is_built_in(&self, id: PlatformId) -> bool {
        built_in(&self.origin(id).1)
    }

    /// When `id`'s template is a show's override whose own text writes
    /// the tag `<tag` (outside `{{ }}`, `{% %}` and `{# #}`), the error
    /// saying so at that place: the platform allows only `allowed`.
    pub(crate) fn writes_tag(&self, id: PlatformId, tag: &str, allowed: &[&str]) -> Option<Error> {
        let (_, path, source) = self.origin(id);
        if built_in(path) {
            return None;
        }
        let at = literal_tag(source, tag)?;
        let end = at + 1 + tag.len();
        let pos = Source::new(path.as_str(), source.as_str()).position(at);
        let list = allowed
            .iter()
            .map(|t| format!("`<{t}>`"))
            .collect::<Vec<_>>()
            .join(", ");
        Some(
            error(
                path,
                format!("the template writes the tag `<{tag}>`, which {id} does not allow"),
            )
            .with_help(format!(
                "{id} allows only {list}; remove the tag from the template"
            ))
            .at(pos.line, Some(pos.column))
            .with_snippet(source.as_str(), at..end),
        )
    }
}

/// Where the template's own text (not inside `{{ }}`, `{% %}`, `{# #}`)
/// opens or closes the tag `tag` (ASCII case ignored).
fn literal_tag(source: &str, tag: &str) -> Option<usize> {
    let b = source.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'{' && matches!(b.get(i + 1), Some(b'{' | b'%' | b'#')) {
            let close = match b[i + 1] {
                b'{' => "}}",
                b'%' => "%}",
                _ => "#}",
            };
            i = source[i + 2..]
                .find(close)
                .map_or(b.len(), |j| i + 2 + j + 2);
            continue;
        }
        if b[i] == b'<' {
            let name_at = i + 1 + usize::from(b.get(i + 1) == Some(&b'/'));
            let end = name_at + tag.len();
            let named = source
                .get(name_at..end)
                .is_some_and(|n| n.eq_ignore_ascii_case(tag));
            let ends = b
                .get(end)
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || matches!(c, b':' | b'_' | b'-')));
            if named && ends {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

/// A render stopped by a limit of [`limits::run`].
fn stopped_error(stopped: &limits::Stopped, path: &str) -> Error {
    let (message, help) = match stopped {
        limits::Stopped::Memory(n) => (
            format!(
                "the template used more than {} of memory, the limit for one render",
                limits::size(*n)
            ),
            "a value is built up without end (`~`, `+` or `*` in a loop?); build the output from the context's values",
        ),
        limits::Stopped::Time(t) => (
            format!(
                "the template ran longer than {} s, the limit for one render",
                t.as_secs()
            ),
            "look for a loop over a very long value; build the output from the context's values",
        ),
        limits::Stopped::Lost => (
            "the template's render stopped without a result".into(),
            "this is a bug in shownotes; please report it with the template",
        ),
    };
    error(path, message).with_help(help)
}

/// A [`Context`] made into template values once for every platform it is
/// rendered for: the body, chapters and footer (nearly all of it) are
/// converted once and shared by each platform's value, instead of a copy
/// of the context converted, and then freed, per platform. Its size (for
/// [`limits::Limits`]) and its fuel are counted once too.
pub(crate) struct Shared<'a> {
    ctx: &'a Context,
    blocks: Value,
    chapters: Value,
    footer: Value,
    /// [`context_bytes`] of `ctx` with `html: null`.
    bytes: usize,
    fuel: u64,
}

/// A [`Context`] by reference, `html` apart: the same fields in the same
/// order, so the same JSON and the same template value. With [`Value`]s
/// for the big fields, minijinja passes them through as they are.
#[derive(Serialize)]
struct View<'a, B, C, F> {
    show: &'a ShowCtx,
    channel: &'a ChannelCtx,
    episode: &'a EpisodeCtx,
    extra: &'a serde_json::Map<String, serde_json::Value>,
    blocks: &'a B,
    chapters: &'a C,
    footer: &'a F,
    audio: &'a Option<AudioCtx>,
    html: Option<&'a HtmlCtx>,
}

impl<'a> Shared<'a> {
    pub(crate) fn new(ctx: &'a Context) -> Shared<'a> {
        // The chapters' value is made on another thread meanwhile on long
        // notes (it does not depend on the body's).
        let bytes = context_bytes(ctx);
        let (chapters, blocks) = crate::parallel::join(
            bytes >= crate::parallel::SHARED_FROM,
            "shownotes-values",
            || Value::from(minijinja::value::Serde(&ctx.chapters)),
            || blocks_value(&ctx.blocks),
        );
        Shared {
            ctx,
            blocks,
            chapters,
            footer: Value::from(minijinja::value::Serde(&ctx.footer)),
            bytes,
            fuel: fuel_for(ctx),
        }
    }

    /// Frees the template values, on a thread of their own for long notes
    /// ([`crate::parallel::drop_aside`]).
    pub(crate) fn free(self) {
        let large = self.bytes >= crate::parallel::SHARED_FROM;
        crate::parallel::drop_aside((self.blocks, self.chapters, self.footer), large);
    }

    /// The size of the context with `html` ([`context_bytes`]).
    fn bytes(&self, html: Option<&HtmlCtx>) -> usize {
        let html = html.map_or(0, |h| {
            h.0.iter()
                .map(|(_, s)| s.len() + VALUE_BYTES)
                .sum::<usize>()
        });
        self.bytes.saturating_add(html)
    }

    /// The context with `html`, as the JSON `shownotes context` prints.
    fn view<'b>(&'b self, html: Option<&'b HtmlCtx>) -> impl Serialize + 'b {
        View {
            show: &self.ctx.show,
            episode: &self.ctx.episode,
            extra: &self.ctx.extra,
            blocks: &self.ctx.blocks,
            chapters: &self.ctx.chapters,
            footer: &self.ctx.footer,
            audio: &self.ctx.audio,
            channel: &self.ctx.channel,
            html,
        }
    }

    /// The template value of the context with `html`.
    fn value(&self, html: Option<&HtmlCtx>) -> Value {
        Value::from(minijinja::value::Serde(&View {
            show: &self.ctx.show,
            channel: &self.ctx.channel,
            episode: &self.ctx.episode,
            extra: &self.ctx.extra,
            blocks: &self.blocks,
            chapters: &self.chapters,
            footer: &self.footer,
            audio: &self.ctx.audio,
            html,
        }))
    }
}

/// The template value of `blocks`: what `Value::from(Serde(blocks))`
/// makes, but a paragraph's `lines` share with its `parts` the segment
/// values (and whole lines) they hold alike — most of them: `lines` are
/// `parts` flattened ([`super::markup::plain_lines`]). Template values
/// cannot change, so a shared value reads as a copy would; the body's
/// values take about half the memory, and half the time to make and free.
fn blocks_value(blocks: &[BlockCtx]) -> Value {
    // The size of a block's value, about: its paragraph's bytes.
    let size = |b: &BlockCtx| match b {
        BlockCtx::Paragraph { lines, .. } => lines
            .iter()
            .map(|l| l.iter().map(|s| s.text.len() + 8).sum::<usize>() + 1)
            .sum(),
        BlockCtx::Links { items, .. } => 64 * items.len(),
        _ => 16,
    };
    // Made on two threads on long notes (values are shared, not copied,
    // between threads).
    let values = crate::parallel::shared(blocks, size, crate::parallel::SHARED_FROM, |blocks| {
        blocks
            .iter()
            .map(|b| match b {
                BlockCtx::Paragraph { lines, parts } => {
                    let mut made = Vec::new();
                    let parts = parts_value(parts, &mut made);
                    let lines = shared_lines(lines, &made);
                    Value::from(minijinja::value::Serde(&Tagged3 {
                        kind: "paragraph",
                        lines: &lines,
                        parts: &parts,
                    }))
                }
                b => Value::from(minijinja::value::Serde(b)),
            })
            .collect::<Vec<Value>>()
    });
    Value::from_object(values)
}

/// A paragraph as the `BlockCtx` derive serializes it: tag, then fields.
#[derive(Serialize)]
struct Tagged3<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    lines: &'a Value,
    parts: &'a Value,
}

/// `Part::Lines` as its derive serializes it.
#[derive(Serialize)]
struct LinesPart<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    lines: &'a Value,
}

/// `Part::List` as its derive serializes it.
#[derive(Serialize)]
struct ListPart<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    ordered: bool,
    start: u64,
    items: &'a Value,
}

/// A line made into a value: its segments, each's value, and the line's.
struct MadeLine<'a> {
    segments: &'a [Segment],
    values: Vec<Value>,
    line: Value,
}

/// The value of a segment.
fn segment_value(s: &Segment) -> Value {
    Value::from(minijinja::value::Serde(s))
}

/// The value of `parts`, each line it holds recorded in `made` in order.
fn parts_value<'a>(parts: &'a [Part], made: &mut Vec<MadeLine<'a>>) -> Value {
    let values = parts
        .iter()
        .map(|p| match p {
            Part::Lines { lines } => {
                let lines = Value::from_object(
                    lines
                        .iter()
                        .map(|l| {
                            let values: Vec<Value> = l.iter().map(segment_value).collect();
                            let line = Value::from_object(values.clone());
                            made.push(MadeLine {
                                segments: l,
                                values,
                                line: line.clone(),
                            });
                            line
                        })
                        .collect::<Vec<Value>>(),
                );
                Value::from(minijinja::value::Serde(&LinesPart {
                    kind: "lines",
                    lines: &lines,
                }))
            }
            Part::List {
                ordered,
                start,
                items,
            } => {
                let items = Value::from_object(
                    items
                        .iter()
                        .map(|i| parts_value(i, made))
                        .collect::<Vec<Value>>(),
                );
                Value::from(minijinja::value::Serde(&ListPart {
                    kind: "list",
                    ordered: *ordered,
                    start: *start,
                    items: &items,
                }))
            }
        })
        .collect::<Vec<Value>>();
    Value::from_object(values)
}

/// The value of a paragraph's `lines`, reusing the values of `made` (its
/// `parts`' lines, in order) where a line or a segment is the same. Each
/// value reused is of an equal line or segment, so this is exact however
/// the walk pairs them; the walk pairs each line with the one of `parts`
/// it was flattened from (the same, or with a list marker or indent in
/// front).
fn shared_lines(lines: &[Vec<Segment>], made: &[MadeLine<'_>]) -> Value {
    let mut next = 0;
    let values = lines
        .iter()
        .map(|line| {
            let from = made.get(next);
            if let Some(m) = from.filter(|m| m.segments == line.as_slice()) {
                next += 1;
                return m.line.clone();
            }
            let mut at = 0;
            let values = line
                .iter()
                .map(|s| {
                    let same = from.and_then(|m| m.segments.get(at).map(|t| (t, &m.values[at])));
                    match same {
                        Some((t, v)) if t == s => {
                            at += 1;
                            v.clone()
                        }
                        Some((t, _)) => {
                            // A marker or indent in front of the line's first text.
                            if t.url.is_none() && s.url.is_none() && s.text.ends_with(&t.text) {
                                at += 1;
                            }
                            segment_value(s)
                        }
                        None => segment_value(s),
                    }
                })
                .collect::<Vec<Value>>();
            if from.is_some_and(|m| at == m.segments.len()) {
                next += 1;
            }
            Value::from_object(values)
        })
        .collect::<Vec<Value>>();
    Value::from_object(values)
}

/// What [`context_bytes`] counts for each value besides its text: about
/// what its keys and punctuation take as JSON (`{"text":"","url":null,
/// "bare":false}` is 35 bytes).
const VALUE_BYTES: usize = 48;

/// The size of `ctx` (`html` apart) for [`limits::Limits`]: the JSON size
/// of its small fields, and for the body, chapters and footer their
/// texts' bytes plus [`VALUE_BYTES`] a value — close to (and mostly over)
/// their JSON size, which the limits need only to grow with. Counted
/// without serializing the whole context (that cost as much as
/// converting it into template values).
fn context_bytes(ctx: &Context) -> usize {
    fn lines(ls: &[Vec<Segment>]) -> usize {
        ls.iter()
            .flatten()
            .map(|s| s.text.len() + s.url.as_ref().map_or(0, String::len) + VALUE_BYTES)
            .sum::<usize>()
            + ls.len() * VALUE_BYTES
    }
    fn parts(ps: &[Part]) -> usize {
        ps.iter()
            .map(|p| match p {
                Part::Lines { lines: ls } => lines(ls) + VALUE_BYTES,
                Part::List { items, .. } => {
                    items.iter().map(|i| parts(i)).sum::<usize>() + VALUE_BYTES
                }
            })
            .sum()
    }
    let small = json_len(&View {
        show: &ctx.show,
        channel: &ctx.channel,
        episode: &ctx.episode,
        extra: &ctx.extra,
        blocks: &[0u8; 0],
        chapters: &[0u8; 0],
        footer: &[0u8; 0],
        audio: &ctx.audio,
        html: None,
    });
    let blocks: usize = ctx
        .blocks
        .iter()
        .map(|b| {
            VALUE_BYTES
                + match b {
                    BlockCtx::Heading { text, .. } => text.len(),
                    BlockCtx::Paragraph {
                        lines: ls,
                        parts: ps,
                    } => lines(ls) + parts(ps),
                    BlockCtx::Links { label, items } => {
                        label.len()
                            + items
                                .iter()
                                .map(|i| {
                                    i.url.len()
                                        + i.text.as_ref().map_or(0, String::len)
                                        + i.display.len()
                                        + VALUE_BYTES
                                })
                                .sum::<usize>()
                    }
                    BlockCtx::Chapters { label } => label.len(),
                }
        })
        .sum();
    let chapters: usize = ctx
        .chapters
        .iter()
        .map(|c| {
            c.title.len()
                + c.times
                    .iter()
                    .map(|(k, t)| k.len() + t.len() + 8)
                    .sum::<usize>()
                + VALUE_BYTES
        })
        .sum();
    small + blocks + chapters + lines(&ctx.footer)
}

/// The size of `value` as JSON, without making the JSON.
fn json_len<T: Serialize + ?Sized>(value: &T) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    let _ = serde_json::to_writer(&mut c, value);
    c.0
}

/// An XML template whose output is not well-formed: where in the output,
/// and the output's line.
fn xml_error(e: &Error, out: &str, path: &str) -> Error {
    let src = Source::new("", out);
    let pos = src.position(e.span().map_or(0, |s| s.start));
    let mut line: String = src.line_text(pos.line).trim().chars().take(120).collect();
    if line.len() < src.line_text(pos.line).trim().len() {
        line.push('…');
    }
    error(
        path,
        format!(
            "the output is not well-formed XML: {} (output line {}, column {}: `{line}`)",
            e.message(),
            pos.line,
            pos.column
        ),
    )
    .with_help(
        "a value printed with `|safe` is not escaped: drop `|safe`, or wrap HTML in `|cdata`",
    )
}

/// A minijinja error (syntax or render) in the template at `path`: the
/// expression or tag that failed marked (minijinja's `debug` feature
/// gives its byte range; else the whole line), and for an undefined name
/// a `did you mean` from `ctx`'s keys (the context as JSON, when the
/// error came from a render).
fn template_error(
    e: &minijinja::Error,
    path: &str,
    source: &str,
    ctx: Option<&serde_json::Value>,
) -> Error {
    let mut message = match e.detail() {
        Some(d) => format!("{}: {d}", e.kind()),
        None => e.kind().to_string(),
    };
    if e.kind() == minijinja::ErrorKind::OutOfFuel {
        message.push_str(" (the template ran too long: a loop that does not end?)");
    }
    let mut err = error(path, message);
    let range = e
        .range()
        .filter(|r| r.start <= r.end && source.get(r.clone()).is_some());
    if e.kind() == minijinja::ErrorKind::UndefinedError {
        let expr = range.as_ref().map_or("", |r| source[r.clone()].trim());
        if let Some(fix) = ctx.and_then(|c| did_you_mean(expr, c)) {
            err = err.with_help(format!(
                "did you mean `{fix}`? (`shownotes context NOTES` prints every variable)"
            ));
        }
    }
    let src = Source::new(path, source);
    match (range, e.line()) {
        (Some(r), _) => {
            let pos = src.position(r.start);
            err.at(pos.line, Some(pos.column)).with_snippet(source, r)
        }
        // The whole line is marked.
        (None, Some(line)) => {
            let (start, end) = src.line_range(line);
            err.at(line, None).with_snippet(source, start..end)
        }
        (None, None) => err,
    }
}

/// For an undefined `expr` (a dotted name such as `episode.titel`), the
/// name meant: the first part that is not in `ctx` replaced by the
/// closest key there. A name that starts with a loop variable
/// (`c.titel` in `for c in chapters`) is matched against the keys of
/// every object in the context.
fn did_you_mean(expr: &str, ctx: &serde_json::Value) -> Option<String> {
    let parts: Vec<&str> = expr.split('.').map(str::trim).collect();
    let ident = |p: &&str| {
        !p.is_empty()
            && p.chars().all(|c| c == '_' || c.is_alphanumeric())
            && !p.starts_with(|c: char| c.is_ascii_digit())
    };
    if !parts.iter().all(ident) {
        return None;
    }
    let closest = |wrong: &str, keys: &mut dyn Iterator<Item = &String>| {
        keys.map(|k| (strsim::damerau_levenshtein(wrong, k), k))
            .filter(|(d, k)| *d > 0 && *d <= (wrong.len().max(k.len()) / 3).max(1))
            .min()
            .map(|(_, k)| k.clone())
    };
    let root = ctx.as_object()?;
    if !root.contains_key(parts[0]) {
        // A misspelt top-level name (`episod.title`)...
        if let Some(fix) = closest(parts[0], &mut root.keys()) {
            let rest = parts[1..]
                .iter()
                .map(|p| format!(".{p}"))
                .collect::<String>();
            return Some(format!("{fix}{rest}"));
        }
        if parts.len() == 1 {
            return None;
        }
        // ... else a loop variable (not in the context): its attribute is matched
        // against every key of every object.
        let mut keys = std::collections::BTreeSet::new();
        all_keys(ctx, &mut keys);
        let last = parts.len() - 1;
        if keys.contains(parts[last]) {
            return None;
        }
        let fix = closest(parts[last], &mut keys.iter())?;
        return Some(format!("{}.{fix}", parts[..last].join(".")));
    }
    let mut at = &root[parts[0]];
    for (i, part) in parts.iter().enumerate().skip(1) {
        let obj = at.as_object()?;
        match obj.get(*part) {
            Some(v) => at = v,
            None => {
                let fix = closest(part, &mut obj.keys())?;
                return Some(format!("{}.{fix}", parts[..i].join(".")));
            }
        }
    }
    None
}

/// Every key of every object in `v` (an array's items too).
fn all_keys(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                out.insert(k.clone());
                all_keys(v, out);
            }
        }
        serde_json::Value::Array(a) => {
            for v in a {
                all_keys(v, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::links;
    use crate::notes::Notes;
    use crate::publish::context;

    fn notes(text: &str) -> Notes {
        Notes::parse(Source::new("n.md", text), &links::Rules::default())
    }

    /// What hostile notes are made of: markup of every kind, in text,
    /// in links and in chapter titles.
    const HOSTILE: &[&str] = &[
        "Plain text. ",
        "<script>alert(1)</script> ",
        "<b>bold</b> <i>x</i> <u>y</u> ",
        "1 < 2 > 0 & \"q\" 'a' ",
        "&lt;script&gt; &amp; &#60;b&#62; ",
        "[x](javascript:alert(1)) ",
        "<a href=\"javascript:x\" onclick=\"y\">z</a> ",
        "[q](https://a.example/?q=\"<>\"&r=1) ",
        "<https://auto.example/a?b=<c>> ",
        "<mailto:a@b.example> ",
        "https://bare.example/x?\"y\"<z> ",
        "`<code>` ",
        "**bold** _it_ ",
        "<!-- comment --> ",
        "<iframe src=\"https://e.example\"></iframe> ",
        "<img src=x onerror=alert(1)> ",
        "\n",
        "\n\n",
        "\n\n- item <b>\n- [l](https://l.example/)\n\n",
        "\n\n3. third <i>\n4. fourth\n\n",
        "\n\n# Heading <h1>\n\n",
        "\n\n<div onclick=\"x\">\nblock\n</div>\n\n",
        "\n\nLinks:\n- https://a.example/?x=<y> — <b>desc</b>\n\n",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// The built-in HTML templates write only what their platforms
        /// take, whatever the notes hold: what lets `build` skip the
        /// output check for them in a release build.
        #[test]
        fn built_in_html_passes_its_platforms_check(
            pieces in proptest::collection::vec(0usize..HOSTILE.len(), 0..30)
        ) {
            let body: String = pieces.iter().map(|&i| HOSTILE[i]).collect();
            let text = format!("{body}\n\nChapters\n00:00 Intro <b>\n01:00 A & B\n02:00 <script>x</script>\n");
            let n = notes(&text);
            let c = context(&n, &Config::default(), None);
            let t = Templates::new(None).unwrap();
            for id in [PlatformId::Spotify, PlatformId::Apple] {
                let (out, _) = t.render(id, &c).unwrap();
                let tags = platform::get(id).allowed_tags().unwrap();
                let found = crate::publish::rules::check_html(id, &out, tags);
                proptest::prop_assert!(found.is_empty(), "{:?} in {}", found, out);
            }
        }
    }

    /// Each paragraph's and the footer's lines, through `line` (a filter
    /// call or a loop over the segments), each between `|`s.
    fn every_line(line: &str) -> String {
        format!(
            "{{% for b in blocks %}}{{% if b.type == \"paragraph\" %}}{{% for line in b.lines %}}|{line}|{{% endfor %}}{{% endif %}}{{% endfor %}}{{% for line in footer %}}|{line}|{{% endfor %}}"
        )
    }

    /// Renders `source` as a template named `name` with the context of
    /// `text`: the result and the `<`/`>` the YouTube escaper replaced.
    fn render_source(
        name: &str,
        source: &str,
        text: &str,
    ) -> (std::result::Result<String, minijinja::Error>, usize) {
        let c = context(&notes(text), &Config::default(), None);
        let shared = Shared::new(&c);
        let mut env = environment().unwrap();
        env.add_template_owned(name.to_string(), source.to_string())
            .unwrap();
        REPLACED.with(|r| r.set(0));
        let out = env.get_template(name).unwrap().render(shared.value(None));
        (out, REPLACED.with(Cell::get))
    }

    /// [`render_source`] of a template that renders.
    fn render_named(name: &str, source: &str, text: &str) -> (String, usize) {
        let (out, replaced) = render_source(name, source, text);
        (out.unwrap(), replaced)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        /// `line_html` and `line_text` write what the loops they replace
        /// write, escaped alike, with the same count of `<`/`>` replaced.
        #[test]
        fn the_line_filters_write_what_their_loops_write(
            pieces in proptest::collection::vec(0usize..HOSTILE.len(), 0..30)
        ) {
            let body: String = pieces.iter().map(|&i| HOSTILE[i]).collect();
            let text = format!("{body}\n\n---\nFooter <b> https://f.example/?a=1&b=2 [site](https://s.example/)\n");
            let html = "{% for s in line %}{% if s.url %}<a href=\"{{ s.url }}\">{{ s.text }}</a>{% else %}{{ s.text }}{% endif %}{% endfor %}";
            let plain = "{% for s in line %}{% if s.url and not s.bare %}{{ s.text }}: {{ s.url }}{% else %}{{ s.text }}{% endif %}{% endfor %}";
            for (name, filter, by_loop) in [
                ("t.html.j2", "{{ line | line_html }}", html),
                ("t.xml.j2", "{{ line | line_html }}", html),
                ("t.txt.j2", "{{ line | line_text }}", plain),
                ("t.j2", "{{ line | line_text }}", plain),
            ] {
                let a = render_named(name, &every_line(filter), &text);
                let b = render_named(name, &every_line(by_loop), &text);
                proptest::prop_assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn the_line_filters_refuse_what_is_not_a_line() {
        for source in [
            "{{ 3 | line_html }}",
            "{{ \"abc\" | line_text }}",
            "{{ episode | line_html }}",
        ] {
            let e = render_source("t.html.j2", source, "Summary.\n")
                .0
                .unwrap_err();
            assert!(
                e.to_string().contains("expects a line of the context"),
                "{source}: {e}"
            );
        }
    }

    #[test]
    fn youtube_chapter_lines_match_the_chapter_writer() {
        let n = notes("Chapters\n00:00 Intro <3\n05:32 B > A\n01:05:12 C\n");
        let c = context(&n, &Config::default(), None);
        let t = Templates::new(None).unwrap();
        let (out, replaced) = t.render(PlatformId::Youtube, &c).unwrap();
        assert!(
            out.contains(&crate::formats::youtube::write(&n.chapters)),
            "{out}"
        );
        assert_eq!(replaced, 2);
    }

    #[test]
    fn the_context_size_grows_with_its_json() {
        for text in [
            "Summary.\n".to_string(),
            std::fs::read_to_string("fixtures/netstack/episode-11.md").unwrap(),
            "Topics:\n\n- one **bold** https://a.org/x\n- two\n  1. a\n  2. \"b\"\n\nChapters\n00:00 Intro\n05:00 More\n10:00 End\n".repeat(50),
        ] {
            let c = context(&notes(&text), &Config::default(), None);
            let json = serde_json::to_string(&c).unwrap().len();
            let bytes = context_bytes(&c);
            assert!(json <= bytes && bytes <= 2 * json, "{json} {bytes}");
        }
    }

    #[test]
    fn body_values_read_as_the_body_serialized() {
        for text in [
            "Summary with https://a.org/x and [b](https://b.org).\n\nTopics:\n\n- one **bold** https://c.org\n- [two](https://d.org) x\n  1. a\n  2. b\n\n3. three\n4. <https://e.org>\n- \n-   - nested first\n\n# Heading\n\nLinks:\n- https://f.org — F\n".to_string(),
            std::fs::read_to_string("fixtures/netstack/episode-11.md").unwrap(),
        ] {
            let c = context(&notes(&text), &Config::default(), None);
            let want = Value::from(minijinja::value::Serde(&c.blocks));
            let got = blocks_value(&c.blocks);
            assert_eq!(format!("{got:?}"), format!("{want:?}"));
            assert_eq!(got, want);
            let json = |v: &Value| serde_json::to_string(v).unwrap();
            assert_eq!(json(&got), serde_json::to_string(&c.blocks).unwrap());
            assert_eq!(json(&got), json(&want));
        }
    }

    #[test]
    fn an_undefined_name_gets_the_closest_key() {
        let ctx = serde_json::json!({
            "episode": {"title": "t", "number": 1},
            "chapters": [{"title": "c", "youtube": "0:00"}],
            "show": {"title": null},
        });
        let dym = |e: &str| did_you_mean(e, &ctx);
        assert_eq!(dym("episode.titel").as_deref(), Some("episode.title"));
        assert_eq!(dym("episod.title").as_deref(), Some("episode.title"));
        assert_eq!(dym("chaptres").as_deref(), Some("chapters"));
        // A loop variable's attribute, matched against every object's keys.
        assert_eq!(dym("c.youtbe").as_deref(), Some("c.youtube"));
        // Nothing close, a name that exists, or not a dotted name.
        assert_eq!(dym("episode.zzzzzz"), None);
        assert_eq!(dym("c.title"), None);
        assert_eq!(dym("episode.title | upper"), None);
        assert_eq!(dym(""), None);
    }

    #[test]
    fn a_tag_is_found_in_the_templates_own_text_only() {
        let src = "{# <b> #}{{ '<b>' }}{% if x %}<br /><B>x</b>{% endif %}";
        assert_eq!(literal_tag(src, "b"), src.find("<B>"));
        assert_eq!(literal_tag(src, "br"), src.find("<br"));
        assert_eq!(literal_tag("<bold><p>", "b"), None);
        assert_eq!(literal_tag("x</i>", "i"), Some(1));
        assert_eq!(literal_tag("{{ unclosed <i>", "i"), None);
    }

    #[test]
    fn a_render_error_marks_the_expression_and_names_a_fix() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("youtube.txt.j2"),
            "line one\n{{ episode.titel }}\n",
        )
        .unwrap();
        let t = Templates::new(Some(dir.path())).unwrap();
        let c = context(&notes("Summary.\n"), &Config::default(), None);
        let e = t.render(PlatformId::Youtube, &c).unwrap_err();
        assert_eq!(e.line(), Some(2));
        assert_eq!(e.column(), Some(4));
        let snippet = e.snippet().unwrap();
        assert_eq!(&snippet.text[snippet.range.clone()], "episode.titel");
        assert!(e.help().unwrap().contains("did you mean `episode.title`?"));
    }
}
