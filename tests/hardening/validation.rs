//! Hardening: validation (issue 8). Filled in by the validation work.
#[allow(unused_imports)]
use super::*;
