//! `cover = "front.jpg"`: the image is read at check time, so a missing,
//! foreign or damaged file is a diagnostic on the setting, and its size,
//! type and dimensions (which FLAC's PICTURE block records) are known
//! before anything renders. JPEG and PNG, the two every player shows.

use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, ErrorKind};
use crate::ir::Cover;
use crate::processor::value::{Kind, Value};
use crate::syntax::ast::Setting;

use super::ctx::Ctx;

/// The largest cover: what a FLAC metadata block holds (16 MiB) less its
/// header fields; far beyond the 1–3 MB stores ask for.
pub const MAX_BYTES: usize = (1 << 24) - 1 - 64;

/// Reads the cover `setting` names, relative to `base`; `None` after an error.
pub fn read(ctx: &mut Ctx, setting: &Setting, base: &Path) -> Option<Cover> {
    let Some(Value::Text(written)) = ctx.value(&setting.value, Kind::Text) else { return None };
    let path = base.join(&written);
    let span = setting.value.span;
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            let reason = match e.kind() {
                std::io::ErrorKind::NotFound => "file not found".to_string(),
                _ => e.to_string(),
            };
            let kind = ErrorKind::Other {
                message: format!("cannot read the cover `{written}`: {reason}"),
                help: Some("paths are relative to the .mix file; the cover is a JPEG or PNG image".into()),
            };
            ctx.error(Diagnostic::new(kind, span));
            return None;
        }
    };
    match describe(&data) {
        Ok(_) if data.len() > MAX_BYTES => {
            let kind = ErrorKind::Other {
                message: format!(
                    "the cover `{written}` is {:.1} MB; a file holds at most 16 MB",
                    data.len() as f64 / 1e6
                ),
                help: Some("export a smaller image: stores ask for 3000×3000 pixels, a JPEG of 1–3 MB".into()),
            };
            ctx.error(Diagnostic::new(kind, span));
            None
        }
        Ok((mime, width, height, depth)) => Some(Cover { path, mime, width, height, depth, data: Arc::new(data) }),
        Err(why) => {
            let kind = ErrorKind::Other {
                message: format!("the cover `{written}` {why}"),
                help: Some("save it as a JPEG or PNG".into()),
            };
            ctx.error(Diagnostic::new(kind, span));
            None
        }
    }
}

/// The type, width, height and bits per pixel of a JPEG or PNG image.
pub fn describe(data: &[u8]) -> Result<(&'static str, u32, u32, u32), String> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        // IHDR comes first: width, height (big-endian), bit depth, colour type.
        if data.len() < 29 || &data[12..16] != b"IHDR" {
            return Err("is a damaged PNG (no IHDR header)".into());
        }
        let be = |i: usize| u32::from_be_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
        let samples = match data[25] {
            0 => 1, // grey
            2 => 3, // RGB
            3 => 1, // palette
            4 => 2, // grey + alpha
            6 => 4, // RGBA
            other => return Err(format!("is a damaged PNG (colour type {other})")),
        };
        return Ok(("image/png", be(16), be(20), u32::from(data[24]) * samples));
    }
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return jpeg(data);
    }
    Err("is neither a JPEG nor a PNG image".into())
}

/// Walks the JPEG markers to the first start-of-frame.
fn jpeg(data: &[u8]) -> Result<(&'static str, u32, u32, u32), String> {
    let mut i = 2;
    while i + 4 <= data.len() {
        if data[i] != 0xFF {
            return Err("is a damaged JPEG (a marker is missing)".into());
        }
        let marker = data[i + 1];
        if marker == 0xFF {
            i += 1; // fill byte
            continue;
        }
        let len = usize::from(u16::from_be_bytes([data[i + 2], data[i + 3]]));
        // SOF0–SOF15 but DHT (C4), JPG (C8) and DAC (CC).
        let sof = (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker);
        if sof {
            if i + 10 > data.len() {
                break;
            }
            let height = u32::from(u16::from_be_bytes([data[i + 5], data[i + 6]]));
            let width = u32::from(u16::from_be_bytes([data[i + 7], data[i + 8]]));
            let depth = u32::from(data[i + 4]) * u32::from(data[i + 9]);
            return Ok(("image/jpeg", width, height, depth));
        }
        i += 2 + len;
    }
    Err("is a damaged JPEG (no frame header)".into())
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn png_and_jpeg_headers_give_type_and_size() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        png.extend_from_slice(&[8, 2, 0, 0, 0]);
        assert_eq!(describe(&png), Ok(("image/png", 640, 480, 24)));
        // SOI, an APP0 of 16 bytes, then SOF0: 8 bits, 300 high, 500 wide, 3 components.
        let mut jpg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
        jpg.extend_from_slice(&[0; 14]);
        jpg.extend_from_slice(&[0xFF, 0xC0, 0, 17, 8, 0x01, 0x2C, 0x01, 0xF4, 3]);
        assert_eq!(describe(&jpg), Ok(("image/jpeg", 500, 300, 24)));
        assert!(describe(b"GIF89a").unwrap_err().contains("neither a JPEG nor a PNG"));
        assert!(describe(&jpg[..8]).unwrap_err().contains("damaged JPEG"));
    }
}
