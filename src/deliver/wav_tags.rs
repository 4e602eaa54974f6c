//! RIFF chunks that carry [`Tags`] in WAV files: `LIST`/`INFO` for the
//! fields, `bext` (EBU Tech 3285 version 2) for the broadcast record.

use super::tags::{Bext, TagKey, Tags};

/// Bytes of `bext` before CodingHistory: Description 256, Originator 32,
/// OriginatorReference 32, OriginationDate 10, OriginationTime 8,
/// TimeReference 8, Version 2, UMID 64, five loudness words 10, Reserved 180.
pub(super) const BEXT_FIXED: usize = 602;
/// Where the loudness words start in the `bext` body.
pub(super) const BEXT_LOUDNESS: usize = 412;
/// The `bext` version whose layout has the loudness fields.
const BEXT_VERSION: u16 = 2;
/// A loudness word whose value is unknown.
pub(super) const LOUDNESS_UNKNOWN: i16 = 0x7FFF;

/// A chunk: id, little-endian size, body and the pad byte that keeps the next
/// chunk word-aligned (the size field excludes the pad).
pub(super) fn chunk(id: &[u8; 4], body: &[u8]) -> Result<Vec<u8>, String> {
    let size = u32::try_from(body.len()).map_err(|_| format!("the `{}` chunk is over 4 GiB", id.escape_ascii()))?;
    let mut out = Vec::with_capacity(body.len() + 9);
    out.extend_from_slice(id);
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(body);
    if body.len() % 2 == 1 {
        out.push(0);
    }
    Ok(out)
}

/// The `LIST` chunk of form `INFO` with one NUL-terminated entry per field
/// that has an INFO id, in the fields' order; `None` when there is none.
pub(super) fn info_list(tags: &Tags) -> Result<Option<Vec<u8>>, String> {
    let mut body = b"INFO".to_vec();
    for (key, value) in &tags.fields {
        if let Some(id) = key.info_id() {
            let mut text = value.as_bytes().to_vec();
            text.push(0);
            body.extend(chunk(&id, &text)?);
        }
    }
    if body.len() == 4 {
        return Ok(None);
    }
    chunk(b"LIST", &body).map(Some)
}

/// The whole `bext` chunk. `bext` has been validated: every text fits.
pub(super) fn bext_chunk(bext: &Bext, tags: &Tags) -> Result<Vec<u8>, String> {
    let mut body = vec![0u8; BEXT_FIXED];
    let mut put = |at: usize, bytes: &[u8]| body[at..at + bytes.len()].copy_from_slice(bytes);
    put(0, bext.full_description(tags.get(&TagKey::Isrc)).as_bytes());
    put(256, bext.originator.as_bytes());
    put(288, bext.originator_reference.as_bytes());
    put(320, bext.origination_date.as_bytes());
    put(330, bext.origination_time.as_bytes());
    put(338, &bext.time_reference.to_le_bytes());
    put(346, &BEXT_VERSION.to_le_bytes());
    put(348, &bext.umid);
    for (i, value) in bext.loudness.fields().into_iter().enumerate() {
        put(BEXT_LOUDNESS + 2 * i, &loudness_word(value).to_le_bytes());
    }
    body.extend_from_slice(bext.coding_history.as_bytes());
    chunk(b"bext", &body)
}

/// A loudness figure ×100, rounded; unknown (or not finite) as `0x7FFF`.
/// Values beyond the 16-bit range saturate one short of the marker.
pub(super) fn loudness_word(value: Option<f64>) -> i16 {
    match value {
        Some(v) if v.is_finite() => {
            (v * 100.0).round().clamp(f64::from(i16::MIN), f64::from(LOUDNESS_UNKNOWN - 1)) as i16
        }
        _ => LOUDNESS_UNKNOWN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loudness_words() {
        let cases = [
            (None, 0x7FFF),
            (Some(-23.0), -2300),
            (Some(-14.034), -1403),
            (Some(-0.005), -1),
            (Some(6.5), 650),
            (Some(f64::NAN), 0x7FFF),
            (Some(f64::NEG_INFINITY), 0x7FFF),
            (Some(400.0), 0x7FFE),
            (Some(-400.0), i16::MIN),
        ];
        for (value, want) in cases {
            assert_eq!(loudness_word(value), want, "{value:?}");
        }
    }
}
