//! `cover = "front.jpg"`: the image in every format that holds one — a FLAC
//! PICTURE block, an MP3 APIC frame, Opus's and Vorbis's
//! METADATA_BLOCK_PICTURE — read back by symphonia (and ffprobe, metaflac
//! where installed) byte for byte; bad covers are spanned errors.

use std::path::PathBuf;
use std::process::Command;

use crate::common::*;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).expect("fixture")
}

fn project(cover: &str) -> Project {
    let p = Project::new();
    std::fs::create_dir_all(p.path("art")).expect("mkdir");
    std::fs::write(p.path("art/front.jpg"), fixture("cover.jpg")).expect("write");
    std::fs::write(p.path("art/front.png"), fixture("cover.png")).expect("write");
    p.wav_int("x.wav", 48_000, 24, &[noise(48_000, 1, 0.2, 24), noise(48_000, 2, 0.2, 24)]);
    p.file(
        "song.mix",
        &format!(
            "title = \"Covered\"\ncover = \"{cover}\"\ntrack a {{ source = \"x.wav\" }}\n\
             export \"a.flac\" {{ bits = 16 }}\nexport \"a.mp3\"\nexport \"a.opus\"\nexport \"a.ogg\"\n"
        ),
    );
    p.render_ok("song.mix", &[]);
    p
}

/// The PICTURE block body: type, MIME, description, size, depth, image.
fn parse_picture(block: &[u8]) -> (u32, String, u32, u32, Vec<u8>) {
    let be = |i: usize| u32::from_be_bytes([block[i], block[i + 1], block[i + 2], block[i + 3]]) as usize;
    let kind = be(0) as u32;
    let mime_len = be(4);
    let mime = String::from_utf8_lossy(&block[8..8 + mime_len]).into_owned();
    let mut i = 8 + mime_len;
    i += 4 + be(i); // description
    let (w, h) = (be(i) as u32, be(i + 4) as u32);
    let len = be(i + 16);
    (kind, mime, w, h, block[i + 20..i + 20 + len].to_vec())
}

#[test]
fn the_cover_is_in_every_format_that_holds_one() {
    let p = project("art/front.jpg");
    let jpeg = fixture("cover.jpg");
    // symphonia turns each format's picture (Ogg's base64 comment included)
    // into a visual.
    for file in ["a.flac", "a.mp3", "a.opus", "a.ogg"] {
        let (mut probed, _) = probe_with_tags(&p.path(file));
        let mut visuals = Vec::new();
        if let Some(rev) = probed.metadata.get().as_ref().and_then(|m| m.current()) {
            visuals.extend(rev.visuals().iter().cloned());
        }
        if let Some(rev) = probed.format.metadata().current() {
            visuals.extend(rev.visuals().iter().cloned());
        }
        assert_eq!(visuals.len(), 1, "{file}: {} pictures", visuals.len());
        assert_eq!(visuals[0].media_type, "image/jpeg", "{file}");
        assert_eq!(&*visuals[0].data, jpeg.as_slice(), "{file}: the image, byte for byte");
        assert_eq!(visuals[0].usage, Some(symphonia::core::meta::StandardVisualKey::FrontCover), "{file}");
    }
    if !have("ffprobe") {
        return;
    }
    for file in ["a.flac", "a.mp3", "a.opus", "a.ogg"] {
        let out = Command::new("ffprobe")
            .args(["-v", "error", "-show_entries", "stream=codec_type,width,height:stream_disposition=attached_pic"])
            .args(["-of", "compact"])
            .arg(p.path(file))
            .output()
            .expect("ffprobe");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("codec_type=video|width=300|height=200|disposition:attached_pic=1"), "{file}: {text}");
    }
}

/// A PNG cover: its size from the IHDR header, in FLAC's PICTURE block.
#[test]
fn a_png_cover_keeps_its_type_and_size() {
    let p = project("art/front.png");
    let bytes = std::fs::read(p.path("a.flac")).expect("read");
    let at = bytes.windows(9).position(|w| w == b"image/png").expect("a PNG picture block") - 8;
    let (kind, mime, w, h, data) = parse_picture(&bytes[at..]);
    assert_eq!((kind, mime.as_str(), w, h), (3, "image/png", 64, 48));
    assert_eq!(data, fixture("cover.png"));
}

#[test]
fn a_missing_or_foreign_cover_is_a_spanned_error() {
    let p = Project::new();
    p.wav_int("x.wav", 48_000, 24, &[noise(9_600, 1, 0.2, 24)]);
    p.file("notes.jpg", "these are words, not pixels");
    for (cover, says) in [("gone.jpg", "file not found"), ("notes.jpg", "neither a JPEG nor a PNG")] {
        p.file("song.mix", &format!("cover = \"{cover}\"\ntrack a {{ source = \"x.wav\" }}\nexport \"a.flac\"\n"));
        let out = p.mixc(&["check", "song.mix"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{cover}: {err}");
        assert!(err.contains(says) && err.contains(cover) && err.contains("song.mix:1"), "{cover}: {err}");
    }
}
