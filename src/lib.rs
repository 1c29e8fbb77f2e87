//! shownotes: podcast show notes and chapters — parse, lint, convert, and
//! emit each platform's description.

#![warn(
    missing_docs,
    unreachable_pub,
    clippy::print_stdout,
    clippy::print_stderr
)]

/// Exact audio duration from the container and its packets, read with symphonia.
pub mod audio;
/// Chapters: the type and the rules every chapter list is checked against.
pub mod chapter;
/// The show config, `shownotes.toml`: its keys, each platform's limits, and when a discovered one is trusted.
pub mod config;
/// Findings: stable codes, families and severities.
pub mod diagnostic;
/// An episode: notes, config and audio, loaded and checked for every command.
pub mod episode;
/// The library's one error type: what went wrong, where, and how to fix it.
pub mod error;
/// A show's whole feed: reading a podcast RSS feed, the `feed-*` checks,
/// and writing the feed from a folder of notes files.
pub mod feed;
/// Safe edits for `check --fix`: the fixes findings carry, and applying them.
pub mod fix;
/// Chapter file formats: the trait, the registry, one module per format.
pub mod formats;
/// `import`: a feed's items as notes files and its channel as a config.
pub mod import;
/// Links: finding, normalizing (tracking parameters out), and checking.
pub mod links;
/// The MP3 byte layer: ID3v2 tags, MPEG frame headers, the chapter writer.
pub mod mp3;
/// The episode notes file: front matter, summary, link lists, chapters, footer.
pub mod notes;
/// Online link checks (`--online`): fetching each link once, the cache, the findings.
pub mod online;
/// Two cores at work: long work shared between two threads, threads
/// started beside the caller, large values freed aside.
pub mod parallel;
/// The one pipeline `check` and `build` share: notes, audio, platforms, rules.
pub mod pipeline;
/// Publishing: the template context, the templates, and each platform's
/// output and rules.
pub mod publish;
/// Opening inputs safely: regular files only, never blocking, size caps.
pub mod regular;
/// Reporting findings: human (rustc-style), JSON, GitHub workflow commands, SARIF.
pub mod report;
/// Source texts: spans, positions, and the line index between them.
pub mod source;
/// Text safety: control and invisible characters kept out of outputs.
pub mod text;
/// Timestamps to the millisecond, parsed and displayed in each platform's style.
pub mod timestamp;
/// Writing files safely: temporary names, live-temp registry, atomic replace.
pub mod write;
