//! What chapters are read from: text, bytes, or a file; and the errors
//! of reading an input.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};
use crate::regular;
use crate::source::Source;

/// What chapters are read from.
#[derive(Clone, Copy, Debug)]
pub enum Input<'a> {
    /// Text already decoded.
    Text(&'a Source),
    /// Raw bytes (a text format decodes them as UTF-8).
    Bytes(&'a [u8]),
    /// A file, read as far as the format needs (`id3` reads only the tag).
    File(&'a Path),
}

impl<'a> Input<'a> {
    /// The input as text: bytes and files are decoded as UTF-8.
    pub(crate) fn text(&self) -> Result<Cow<'a, Source>> {
        match *self {
            Input::Text(src) => Ok(Cow::Borrowed(src)),
            Input::Bytes(bytes) => decode("", bytes).map(Cow::Owned),
            Input::File(path) => {
                let bytes = regular::read_input(path)?;
                decode(&path.display().to_string(), &bytes).map(Cow::Owned)
            }
        }
    }

    /// The input's bytes (a file is read whole, up to the cap on inputs).
    pub(crate) fn bytes(&self) -> Result<Cow<'a, [u8]>> {
        match *self {
            Input::Text(src) => Ok(Cow::Borrowed(src.text.as_bytes())),
            Input::Bytes(bytes) => Ok(Cow::Borrowed(bytes)),
            Input::File(path) => regular::read_input(path).map(Cow::Owned),
        }
    }
}

impl<'a> From<&'a Source> for Input<'a> {
    fn from(src: &'a Source) -> Self {
        Input::Text(src)
    }
}

impl<'a> From<&'a [u8]> for Input<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        Input::Bytes(bytes)
    }
}

impl<'a> From<&'a Vec<u8>> for Input<'a> {
    fn from(bytes: &'a Vec<u8>) -> Self {
        Input::Bytes(bytes)
    }
}

impl<'a> From<&'a Path> for Input<'a> {
    fn from(path: &'a Path) -> Self {
        Input::File(path)
    }
}

impl<'a> From<&'a PathBuf> for Input<'a> {
    fn from(path: &'a PathBuf) -> Self {
        Input::File(path)
    }
}

/// Text as the notes reader decodes it (BOM dropped; not UTF-8 or holding
/// a NUL byte is an error).
fn decode(name: &str, bytes: &[u8]) -> Result<Source> {
    crate::notes::decode(name, bytes).map_err(|bad| {
        let (_, d) = *bad;
        Error::new(ErrorKind::Invalid, d.message).with_help_opt(d.help)
    })
}
