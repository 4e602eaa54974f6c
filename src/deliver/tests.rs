//! Tests of delivery: writing, tags, FLAC, dither (the read-back helpers are
//! the input side's, `crate::io::tests`).

mod dither;
mod flac;
mod tags;
mod tags_tools;
mod tags_wav;
mod write;
