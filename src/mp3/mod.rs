//! The one MPEG audio byte layer: ID3v2 tags (`id3` reads, `encode`
//! writes), MPEG audio frame headers (`frame`), and the CHAP/CTOC writer
//! ([`embed`]). The audio prober and the ID3 chapter reader both read MP3
//! files through it.

pub mod embed;
pub(crate) mod encode;
pub(crate) mod frame;
pub(crate) mod id3;
#[cfg(test)]
pub(crate) mod testing;
