//! Hardening: reads (issue 8). Filled in by the reads work.
#[allow(unused_imports)]
use super::*;
