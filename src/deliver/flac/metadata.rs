//! FLAC metadata blocks: their 4-byte headers (with the *last block* flag)
//! and the VORBIS_COMMENT block that carries [`Tags`] (the cover goes in a
//! PICTURE block: [`Tags::picture`]).

use crate::deliver::tags::Tags;

/// Metadata block types (RFC 9639 §8.1).
pub(super) const STREAMINFO: u8 = 0;
pub(super) const VORBIS_COMMENT: u8 = 4;
pub(super) const PICTURE: u8 = 6;

/// The largest body a 24-bit block length can describe.
const MAX_BLOCK: usize = (1 << 24) - 1;

/// A metadata block header: the last-block flag, the 7-bit type and the
/// 24-bit big-endian body length.
pub(super) fn block_header(last: bool, kind: u8, len: usize) -> Result<[u8; 4], String> {
    if len > MAX_BLOCK {
        return Err(format!("a FLAC metadata block holds at most {MAX_BLOCK} bytes, this one needs {len}"));
    }
    let len = (len as u32).to_be_bytes();
    Ok([u8::from(last) << 7 | kind, len[1], len[2], len[3]])
}

/// The VORBIS_COMMENT body for `tags`, `None` when there is no field to
/// write (so an untagged file keeps STREAMINFO as its only block). Unlike
/// the rest of FLAC its integers are little-endian, as in Vorbis.
pub(super) fn vorbis_comment(tags: &Tags) -> Option<Vec<u8>> {
    (!tags.fields.is_empty()).then(|| tags.vorbis_comment(false))
}
