//! WAV tag tests: a small RIFF walker checks chunk order, sizes, pad bytes,
//! the INFO entries and every `bext` field; symphonia and our fast path
//! decode the same samples.

use symphonia::core::meta::StandardTagKey;

use super::tags::{release_tags, spec, std_value, symphonia_tags, write};
use crate::deliver::tags::{Bext, Loudness, TagKey, Tags};
use crate::io::tests::{fixture, read_all, read_symphonia};
use crate::ir::{Container, SampleFormat};

fn le16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// The chunks of a RIFF/WAVE file as (id, body), checking the RIFF size.
fn riff_chunks(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    assert_eq!((&bytes[..4], &bytes[8..12]), (&b"RIFF"[..], &b"WAVE"[..]));
    assert_eq!(le32(bytes, 4) as usize, bytes.len() - 8, "RIFF size");
    sub_chunks(&bytes[12..])
}

/// Chunks laid end to end, each word-aligned: odd sizes carry a zero pad byte.
fn sub_chunks(mut rest: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    while !rest.is_empty() {
        let id = String::from_utf8(rest[..4].to_vec()).unwrap();
        let size = le32(rest, 4) as usize;
        let padded = size + size % 2;
        assert!(rest.len() >= 8 + padded, "chunk `{id}` runs past its parent");
        if size % 2 == 1 {
            assert_eq!(rest[8 + size], 0, "pad byte after `{id}`");
        }
        out.push((id, rest[8..8 + size].to_vec()));
        rest = &rest[8 + padded..];
    }
    out
}

fn body<'a>(chunks: &'a [(String, Vec<u8>)], id: &str) -> &'a [u8] {
    &chunks.iter().find(|c| c.0 == id).unwrap_or_else(|| panic!("no `{id}` chunk")).1
}

/// A NUL-padded text field.
fn text(field: &[u8]) -> String {
    String::from_utf8(field.iter().copied().take_while(|&b| b != 0).collect()).unwrap()
}

fn bext_tags() -> Tags {
    let bext = Bext {
        description: "Night Drive, master for release".into(),
        originator: "mixc".into(),
        originator_reference: "MIXC0123456789".into(),
        origination_date: "2024-05-17".into(),
        origination_time: "13:45:07".into(),
        time_reference: 48_000 * 3600 * 10 + 1,
        coding_history: "A=PCM,F=44100,W=24,M=stereo,T=mixc\r\n".into(),
        isrc_in_description: true,
        loudness: Loudness { integrated: Some(-20.0), ..Loudness::default() },
        ..Bext::default()
    };
    release_tags().with(TagKey::Artist, "Ærøskøbing").with(TagKey::Other("icop".into()), "(c) 2024").with_bext(bext)
}

#[test]
fn wav_tags_leave_samples_unchanged_for_both_decoders() {
    let dir = tempfile::tempdir().unwrap();
    let src = read_all(&fixture("src24.wav"));
    for format in [SampleFormat::I24, SampleFormat::F32] {
        let (plain, tagged) = (dir.path().join("plain.wav"), dir.path().join("tagged.wav"));
        write(&plain, spec(Container::Wav, format, Tags::default()), &src, None);
        write(&tagged, spec(Container::Wav, format, bext_tags()), &src, None);
        assert_eq!(read_all(&tagged), src, "{format:?}: fast path");
        assert_eq!(read_symphonia(&tagged), src, "{format:?}: symphonia");
        let (p, t) = (std::fs::read(&plain).unwrap(), std::fs::read(&tagged).unwrap());
        let data = |b: &[u8]| body(&riff_chunks(b), "data").to_vec();
        assert_eq!(data(&t), data(&p), "{format:?}: same data chunk");
    }
}

#[test]
fn wav_info_tags_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tagged.wav");
    write(&path, spec(Container::Wav, SampleFormat::I24, bext_tags()), &[vec![0.5; 7], vec![-0.5; 7]], None);

    let tags = symphonia_tags(&path);
    assert_eq!(std_value(&tags, StandardTagKey::TrackTitle), Some("Night Drive"));
    assert_eq!(std_value(&tags, StandardTagKey::Album), Some("Code Sessions"));
    assert_eq!(std_value(&tags, StandardTagKey::Date), Some("2024-05-17"));
    assert_eq!(std_value(&tags, StandardTagKey::Genre), Some("Electronic"));
    assert_eq!(std_value(&tags, StandardTagKey::Comment), Some("rendered by mixc"));
    assert_eq!(std_value(&tags, StandardTagKey::Copyright), Some("(c) 2024"));
    let artists: Vec<&str> = tags.iter().filter(|t| t.1 == Some(StandardTagKey::Artist)).map(|t| &t.2[..]).collect();
    assert_eq!(artists, ["The Mixers", "Ærøskøbing"]);
    // symphonia 0.5 keeps ITRK and ISRC under their raw ids, unmapped.
    assert!(tags.iter().any(|t| t.0 == "ITRK" && t.2 == "3"), "{tags:?}");
    assert!(tags.iter().any(|t| t.0 == "ISRC" && t.2 == "GBAYE2400123"), "{tags:?}");

    let bytes = std::fs::read(&path).unwrap();
    let chunks = riff_chunks(&bytes);
    let ids: Vec<&str> = chunks.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(ids, ["fmt ", "bext", "LIST", "data"]);
    let list = body(&chunks, "LIST");
    assert_eq!(&list[..4], b"INFO");
    let info: Vec<(String, Vec<u8>)> = sub_chunks(&list[4..]);
    let entries: Vec<(&str, &[u8])> = info.iter().map(|(id, v)| (id.as_str(), &v[..])).collect();
    assert_eq!(
        entries,
        [
            ("INAM", &b"Night Drive\0"[..]),
            ("IART", b"The Mixers\0"),
            ("IPRD", b"Code Sessions\0"),
            ("ITRK", b"3\0"),
            ("ISRC", b"GBAYE2400123\0"),
            ("ICRD", b"2024-05-17\0"),
            ("IGNR", b"Electronic\0"),
            ("ICMT", b"rendered by mixc\0"),
            ("IART", "Ærøskøbing\0".as_bytes()),
            ("ICOP", b"(c) 2024\0"),
        ],
        "TRACKTOTAL and LABEL have no INFO id"
    );
}

#[test]
fn bext_fields_read_back_with_loudness_set_at_finish() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bwf.wav");
    let measured = Loudness {
        integrated: Some(-14.034),
        range: Some(6.5),
        true_peak: Some(-1.0),
        max_momentary: None,
        max_short_term: Some(-9.996),
    };
    write(&path, spec(Container::Wav, SampleFormat::I16, bext_tags()), &[vec![0.5; 9], vec![0.0; 9]], Some(measured));
    let bytes = std::fs::read(&path).unwrap();
    let chunks = riff_chunks(&bytes);
    let b = body(&chunks, "bext");
    assert_eq!(b.len(), 602 + 36, "fixed part + CodingHistory");
    assert_eq!(text(&b[..256]), "ISRC:GBAYE2400123 Night Drive, master for release");
    assert_eq!(text(&b[256..288]), "mixc");
    assert_eq!(text(&b[288..320]), "MIXC0123456789");
    assert_eq!((&b[320..330], &b[330..338]), (&b"2024-05-17"[..], &b"13:45:07"[..]));
    let time_reference = u64::from(le32(b, 338)) | u64::from(le32(b, 342)) << 32;
    assert_eq!(time_reference, 48_000 * 3600 * 10 + 1);
    assert_eq!(le16(b, 346), 2, "version");
    assert!(b[348..412].iter().all(|&x| x == 0), "no UMID");
    let loudness: Vec<i16> = (0..5).map(|i| le16(b, 412 + 2 * i) as i16).collect();
    assert_eq!(loudness, [-1403, 650, -100, 0x7FFF, -1000], "×100, 0x7FFF unknown");
    assert!(b[422..602].iter().all(|&x| x == 0), "reserved");
    assert_eq!(&b[602..], b"A=PCM,F=44100,W=24,M=stereo,T=mixc\r\n");
    assert_eq!(read_all(&path), [vec![0.5; 9], vec![0.0; 9]]);
}

#[test]
fn loudness_given_at_create_is_kept_without_set_loudness() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bwf.wav");
    write(&path, spec(Container::Wav, SampleFormat::I16, bext_tags()), &[vec![0.0; 4], vec![0.0; 4]], None);
    let bytes = std::fs::read(&path).unwrap();
    let b = body(&riff_chunks(&bytes), "bext").to_vec();
    let loudness: Vec<i16> = (0..5).map(|i| le16(&b, 412 + 2 * i) as i16).collect();
    assert_eq!(loudness, [-2000, 0x7FFF, 0x7FFF, 0x7FFF, 0x7FFF]);
}

#[test]
fn odd_sized_chunks_are_padded() {
    let dir = tempfile::tempdir().unwrap();
    // Mono 24-bit, 3 frames: 9 bytes of audio; a 5-byte INFO value; no bext.
    let path = dir.path().join("odd.wav");
    let tags = Tags::default().with(TagKey::Title, "Odds").with(TagKey::TrackTotal, "9");
    let s = crate::deliver::encode::EncodeSpec { channels: 1, ..spec(Container::Wav, SampleFormat::I24, tags) };
    write(&path, s, &[vec![0.5, -0.25, 0.125]], None);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes.len() % 2, 0);
    let chunks = riff_chunks(&bytes);
    assert_eq!(body(&chunks, "data").len(), 9);
    assert_eq!(sub_chunks(&body(&chunks, "LIST")[4..]), [("INAM".to_string(), b"Odds\0".to_vec())]);
    assert_eq!(read_all(&path), [vec![0.5, -0.25, 0.125]]);
    assert_eq!(read_symphonia(&path), [vec![0.5, -0.25, 0.125]]);
}

#[test]
fn fields_without_info_ids_write_no_list_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("total.wav");
    let tags = Tags::default().with(TagKey::TrackTotal, "12").with(TagKey::Other("MOOD_OF_TRACK".into()), "calm");
    write(&path, spec(Container::Wav, SampleFormat::I16, tags), &[vec![0.0; 2], vec![0.0; 2]], None);
    let bytes = std::fs::read(&path).unwrap();
    let ids: Vec<String> = riff_chunks(&bytes).into_iter().map(|c| c.0).collect();
    assert_eq!(ids, ["fmt ", "data"]);
}
