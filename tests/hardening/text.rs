//! Hardening: text (issue 8). Filled in by the text work.
#[allow(unused_imports)]
use super::*;
