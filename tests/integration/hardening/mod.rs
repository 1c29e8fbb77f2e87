//! Hardening (issue 8): every defect found by attacking shownotes as a
//! hostile contributor, a careless user and a flaky machine would,
//! reproduced through the real binary and asserted fixed. One module per
//! area.

mod linear;
mod perf;
mod reads;
mod text;
mod validation;
mod writes;

use std::path::Path;
use std::process::Output;

use crate::support::{assert_no_panic, bin, fixture, run, stderr, stdout};
