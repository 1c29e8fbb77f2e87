//! Every test that runs the real binary or the library from outside, as one
//! test binary (one link, one run): one module per area, the shared runner
//! in `support`, making and reading audio in `ffmpeg`. The trycmd cases are
//! `tests/cli.rs`.
//!
//! Run one area with `cargo test --test integration build::` (the module
//! path filters). Snapshots are in `tests/snapshots/`.

mod ffmpeg;
mod support;

mod bad_input;
mod bad_input_everywhere;
mod build;
mod build11;
mod check11;
mod check_audio;
mod check_config;
mod cli11;
mod embed;
mod feed;
mod fmt10;
mod formats;
mod fuzz_text;
mod hardening;
mod online;
mod parser_props;
mod probe;
mod progress;
mod seeds;
mod styles;
