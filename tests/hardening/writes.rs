//! Hardening: writes (issue 8). Filled in by the writes work.
#[allow(unused_imports)]
use super::*;
