//! The examples at the end of each `--help` (and in each man page's
//! EXAMPLES section). Every `$ shownotes …` line runs as written from the
//! repository's top folder (after the `$ cd` lines before it), with files
//! the repository holds; a test runs them all
//! (`tests/integration/cli11.rs`). Lines stay under 100 columns, so that
//! `--help` does not wrap them.

/// `shownotes --help`.
pub const MAIN: &str = "\
Examples:
  $ shownotes check fixtures/netstack
  $ shownotes build fixtures/example/episode-17.md
  $ shownotes chapters fixtures/example/episode-17.md --to vtt

Each command's own examples: shownotes help COMMAND. Man pages: shownotes man COMMAND.
";

/// `shownotes check --help`.
pub const CHECK: &str = "\
Examples:
  # The example episode (with the audio its front matter names) and a folder of episodes
  $ shownotes check fixtures/example/episode-17.md fixtures/netstack

  # Notes whose line breaks were lost: chapters and links are recovered, with a warning
  $ shownotes check fixtures/netstack/episode-17.flat.txt

  # For CI: one JSON document, or GitHub Actions annotations
  $ shownotes check fixtures/netstack --format json
  $ shownotes check fixtures/netstack --format github
";

/// `shownotes links --help`.
pub const LINKS: &str = "\
Examples:
  $ shownotes links fixtures/netstack/episode-17.md
  $ shownotes links fixtures/netstack/episode-17.md --format json
";

/// `shownotes chapters --help`.
pub const CHAPTERS: &str = "\
Examples:
  # The chapters of a notes file as Podcasting 2.0 JSON
  $ shownotes chapters fixtures/netstack/episode-17.md --to json

  # WebVTT: the last cue ends at the end of the audio the front matter names
  $ shownotes chapters fixtures/example/episode-17.md --to vtt

  # The format to write told by -o's file name
  $ shownotes chapters fixtures/example/episode-17.md -o episode-17.chapters.json

  # A 30-second pre-roll was added: every chapter moves 30 s later (then the
  # first starts at 00:30, and platforms want one at 00:00: a finding says so)
  $ shownotes chapters fixtures/netstack/episode-17.md --shift +0:30 --to mp4chaps

  # A chapter file in, its format guessed from its extension and content
  $ shownotes chapters tests/cmd/chapters-guess.in/chapters.psc --to youtube
";

/// `shownotes embed --help`.
pub const EMBED: &str = "\
Examples:
  # Chapters from the notes into a copy of the MP3
  $ cd fixtures/example
  $ shownotes embed episode-17.mp3 --chapters episode-17.md -o chaptered.mp3

  # From a Podcasting 2.0 JSON file
  $ shownotes chapters episode-17.md -o episode-17.chapters.json
  $ shownotes embed episode-17.mp3 --chapters episode-17.chapters.json -o chaptered.mp3
";

/// `shownotes probe --help`.
pub const PROBE: &str = "\
Examples:
  $ shownotes probe fixtures/example/episode-17.mp3 fixtures/audio/flac.flac

  # A VBR MP3 without a Xing header (only an estimate there: no warning),
  # and one cut in half (its Xing header states 4.3 s: a warning)
  $ shownotes probe fixtures/audio/mp3-vbr-noxing.mp3 --format json
  $ shownotes probe fixtures/audio/cut-mp3-vbr-xing.mp3
";

/// `shownotes build --help`.
pub const BUILD: &str = "\
Examples:
  # Every platform's description into dist/episode-17/
  $ shownotes build fixtures/example/episode-17.md

  # Only YouTube's, printed to paste into its upload form
  $ shownotes build fixtures/example/episode-17.md --platform youtube --out -
";

/// `shownotes context --help`.
pub const CONTEXT: &str = "\
Examples:
  $ shownotes context fixtures/example/episode-17.md
";

/// `shownotes import --help`.
pub const IMPORT: &str = "\
Examples:
  # A show's back catalogue from its feed: notes files and shownotes.toml in my-show/
  $ shownotes import fixtures/feeds/buzzsprout.xml --out my-show

  # Again after editing a file: the edited file is kept unless --force
  $ shownotes import fixtures/feeds/buzzsprout.xml --out my-show
";

/// `shownotes feed --help`.
pub const FEED: &str = "\
Examples:
  # A show imported from its feed, then its whole feed written again
  $ shownotes import fixtures/feeds/hugo.xml --out my-show
  $ shownotes feed my-show -o my-show.xml

  # Printed, from the show's folder
  $ cd my-show
  $ shownotes feed
";

/// `shownotes init --help`.
pub const INIT: &str = "\
Examples:
  # A commented shownotes.toml in a show folder (other files in it are left alone)
  $ shownotes init my-show

  # With copies of the built-in templates to edit, in other-show/templates/
  $ shownotes init other-show --templates

  # Put the commented defaults back over an edited shownotes.toml
  $ shownotes init my-show --force
";

/// `shownotes completions --help`.
pub const COMPLETIONS: &str = "\
Examples:
  $ shownotes completions bash > shownotes.bash
  $ shownotes completions zsh > _shownotes
  $ shownotes completions fish > shownotes.fish
";

/// `shownotes man --help`.
pub const MAN: &str = "\
Examples:
  # The main page, shownotes(1), and one command's, shownotes-check(1)
  $ shownotes man > shownotes.1
  $ shownotes man check > shownotes-check.1

  # Every page, into a folder on MANPATH
  $ shownotes man --out man/man1
";
