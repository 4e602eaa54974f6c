//! Tag tests on real files: samples unchanged by tagging, tags read back by
//! symphonia (and ffprobe when installed), chunk and block layouts walked
//! byte by byte, untagged files unchanged (hound's bytes for WAV).

use std::fs::File;
use std::path::Path;

use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::StandardTagKey;
use symphonia::core::probe::Hint;

use crate::deliver::encode::{AudioWriter, EncodeSpec};
use crate::deliver::quantize::Quantizer;
use crate::deliver::tags::{Bext, Loudness, TagKey, Tags};
use crate::io::tests::{fixture, read_all};
use crate::ir::{Container, Dither, SampleFormat};

pub(super) fn spec(container: Container, format: SampleFormat, tags: Tags) -> EncodeSpec {
    EncodeSpec { rate: 44_100, channels: 2, format, dither: Dither::None, container, seed: 0, tags, expected_frames: 0 }
}

/// Writes `planar` in uneven blocks; `loudness` is set just before `finish`.
pub(super) fn write(path: &Path, spec: EncodeSpec, planar: &[Vec<f32>], loudness: Option<Loudness>) {
    let mut w = AudioWriter::create(path, spec).unwrap_or_else(|e| panic!("{e}"));
    let n = planar[0].len();
    for at in (0..n).step_by(2999) {
        let block: Vec<&[f32]> = planar.iter().map(|c| &c[at..(at + 2999).min(n)]).collect();
        w.write(&block).unwrap();
    }
    if let Some(l) = loudness {
        w.set_loudness(l);
    }
    w.finish().unwrap();
}

pub(super) fn release_tags() -> Tags {
    Tags::default()
        .with(TagKey::Title, "Night Drive")
        .with(TagKey::Artist, "The Mixers")
        .with(TagKey::Album, "Code Sessions")
        .with(TagKey::TrackNumber, "3")
        .with(TagKey::TrackTotal, "12")
        .with(TagKey::Isrc, "GBAYE2400123")
        .with(TagKey::Date, "2024-05-17")
        .with(TagKey::Genre, "Electronic")
        .with(TagKey::Comment, "rendered by mixc")
        .with(TagKey::Other("label".into()), "Own Records")
}

/// Every tag symphonia reports: (key as stored, standard key, value with
/// INFO's NUL terminators trimmed).
pub(super) fn symphonia_tags(path: &Path) -> Vec<(String, Option<StandardTagKey>, String)> {
    let mss = MediaSourceStream::new(Box::new(File::open(path).unwrap()), Default::default());
    let mut hint = Hint::new();
    hint.with_extension(path.extension().unwrap().to_str().unwrap());
    let mut probed =
        symphonia::default::get_probe().format(&hint, mss, &Default::default(), &Default::default()).unwrap();
    let mut found = Vec::new();
    let mut collect = |rev: &symphonia::core::meta::MetadataRevision| {
        for t in rev.tags() {
            found.push((t.key.clone(), t.std_key, t.value.to_string().trim_end_matches('\0').to_string()));
        }
    };
    if let Some(rev) = probed.metadata.get().as_ref().and_then(|m| m.current()) {
        collect(rev);
    }
    if let Some(rev) = probed.format.metadata().current() {
        collect(rev);
    }
    found
}

/// The value symphonia gives for a standard key.
pub(super) fn std_value(tags: &[(String, Option<StandardTagKey>, String)], key: StandardTagKey) -> Option<&str> {
    tags.iter().find(|t| t.1 == Some(key)).map(|t| t.2.as_str())
}

/// FLAC metadata blocks as (last flag, type, body), checking each length;
/// also returns where the first frame starts.
fn flac_blocks(bytes: &[u8]) -> (Vec<(bool, u8, Vec<u8>)>, usize) {
    assert_eq!(&bytes[..4], b"fLaC");
    let (mut at, mut blocks) = (4, Vec::new());
    loop {
        let h = &bytes[at..at + 4];
        let len = u32::from_be_bytes([0, h[1], h[2], h[3]]) as usize;
        let last = h[0] & 0x80 != 0;
        blocks.push((last, h[0] & 0x7F, bytes[at + 4..at + 4 + len].to_vec()));
        at += 4 + len;
        if last {
            return (blocks, at);
        }
    }
}

/// Vorbis comment body → (vendor, comments).
fn parse_vorbis_comment(body: &[u8]) -> (String, Vec<String>) {
    let le = |at: usize| u32::from_le_bytes(body[at..at + 4].try_into().unwrap()) as usize;
    let vendor_len = le(0);
    let vendor = String::from_utf8(body[4..4 + vendor_len].to_vec()).unwrap();
    let mut at = 4 + vendor_len;
    let count = le(at);
    at += 4;
    let mut comments = Vec::new();
    for _ in 0..count {
        let len = le(at);
        comments.push(String::from_utf8(body[at + 4..at + 4 + len].to_vec()).unwrap());
        at += 4 + len;
    }
    assert_eq!(at, body.len(), "the comment block has trailing bytes");
    (vendor, comments)
}

#[test]
fn flac_tags_read_back_and_leave_samples_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let src = read_all(&fixture("src24.wav"));
    let (plain, tagged) = (dir.path().join("plain.flac"), dir.path().join("tagged.flac"));
    write(&plain, spec(Container::Flac, SampleFormat::I24, Tags::default()), &src, None);
    write(&tagged, spec(Container::Flac, SampleFormat::I24, release_tags()), &src, None);
    assert_eq!(read_all(&tagged), src);
    assert_eq!(read_all(&tagged), read_all(&plain));

    let tags = symphonia_tags(&tagged);
    assert_eq!(std_value(&tags, StandardTagKey::TrackTitle), Some("Night Drive"));
    assert_eq!(std_value(&tags, StandardTagKey::Artist), Some("The Mixers"));
    assert_eq!(std_value(&tags, StandardTagKey::Album), Some("Code Sessions"));
    assert_eq!(std_value(&tags, StandardTagKey::TrackNumber), Some("3"));
    assert_eq!(std_value(&tags, StandardTagKey::TrackTotal), Some("12"));
    assert_eq!(std_value(&tags, StandardTagKey::IdentIsrc), Some("GBAYE2400123"));
    assert_eq!(std_value(&tags, StandardTagKey::Date), Some("2024-05-17"));
    assert_eq!(std_value(&tags, StandardTagKey::Genre), Some("Electronic"));
    assert_eq!(std_value(&tags, StandardTagKey::Comment), Some("rendered by mixc"));
    assert!(tags.iter().any(|t| t.0 == "LABEL" && t.2 == "Own Records"), "{tags:?}");
    assert!(symphonia_tags(&plain).is_empty());
}

#[test]
fn flac_comment_block_follows_streaminfo_and_frames_are_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let src = read_all(&fixture("src24.wav"));
    let (plain, tagged) = (dir.path().join("plain.flac"), dir.path().join("tagged.flac"));
    write(&plain, spec(Container::Flac, SampleFormat::I24, Tags::default()), &src, None);
    write(&tagged, spec(Container::Flac, SampleFormat::I24, release_tags()), &src, None);
    let (plain, tagged) = (std::fs::read(plain).unwrap(), std::fs::read(tagged).unwrap());

    let (blocks, frames) = flac_blocks(&plain);
    assert_eq!(blocks.len(), 1, "an untagged file has STREAMINFO only");
    assert_eq!((blocks[0].0, blocks[0].1, blocks[0].2.len(), frames), (true, 0, 34, 42));

    let (tblocks, tframes) = flac_blocks(&tagged);
    let kinds: Vec<(bool, u8)> = tblocks.iter().map(|b| (b.0, b.1)).collect();
    assert_eq!(kinds, [(false, 0), (true, 4)], "STREAMINFO, then VORBIS_COMMENT marked last");
    assert_eq!(tblocks[0].2, blocks[0].2, "same STREAMINFO (length, MD5)");
    assert_eq!(&tagged[tframes..], &plain[frames..], "same frames");
    assert_eq!(&tagged[tframes..tframes + 2], [0xFF, 0xF8], "a frame sync code follows the metadata");

    let (vendor, comments) = parse_vorbis_comment(&tblocks[1].2);
    assert_eq!(vendor, format!("mixc {}", env!("CARGO_PKG_VERSION")));
    assert_eq!(
        comments,
        [
            "TITLE=Night Drive",
            "ARTIST=The Mixers",
            "ALBUM=Code Sessions",
            "TRACKNUMBER=3",
            "TRACKTOTAL=12",
            "ISRC=GBAYE2400123",
            "DATE=2024-05-17",
            "GENRE=Electronic",
            "COMMENT=rendered by mixc",
            "LABEL=Own Records",
        ]
    );
}

#[test]
fn non_ascii_tags_round_trip_in_flac() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("utf8.flac");
    let tags = Tags::default()
        .with(TagKey::Title, "Café Noir")
        .with(TagKey::Artist, "Ærøskøbing")
        .with(TagKey::Album, "Ünïcødé — 音楽")
        .with(TagKey::Artist, "Second Artist");
    let sig = vec![vec![0.25, -0.5, 0.125], vec![0.0, 0.5, -0.25]];
    write(&path, spec(Container::Flac, SampleFormat::I16, tags), &sig, None);
    assert_eq!(read_all(&path), sig);
    let got = symphonia_tags(&path);
    assert_eq!(std_value(&got, StandardTagKey::TrackTitle), Some("Café Noir"));
    assert_eq!(std_value(&got, StandardTagKey::Album), Some("Ünïcødé — 音楽"));
    let artists: Vec<&str> = got.iter().filter(|t| t.1 == Some(StandardTagKey::Artist)).map(|t| &t.2[..]).collect();
    assert_eq!(artists, ["Ærøskøbing", "Second Artist"]);
}

#[test]
fn untagged_wav_matches_hound_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let n = 5000;
    let sig: Vec<Vec<f32>> =
        (0..2).map(|c| (0..n).map(|i| (((i * (7 + c)) % 2001) as f32 / 1000.0 - 1.0) * 0.9).collect()).collect();
    for format in [SampleFormat::I16, SampleFormat::I24, SampleFormat::F32] {
        for channels in [1, 2] {
            let planar = &sig[..channels];
            let ours = dir.path().join("ours.wav");
            write(&ours, EncodeSpec { channels, ..spec(Container::Wav, format, Tags::default()) }, planar, None);
            let theirs = dir.path().join("hound.wav");
            write_hound(&theirs, format, planar);
            let (a, b) = (std::fs::read(&ours).unwrap(), std::fs::read(&theirs).unwrap());
            assert!(a == b, "{format:?} × {channels}: our WAV differs from hound's");
        }
    }
}

/// The same file through hound, as `AudioWriter` wrote it before tags.
fn write_hound(path: &Path, format: SampleFormat, planar: &[Vec<f32>]) {
    let int = hound::SampleFormat::Int;
    let sample_format = if format == SampleFormat::F32 { hound::SampleFormat::Float } else { int };
    let channels = planar.len() as u16;
    let spec = hound::WavSpec { channels, sample_rate: 44_100, bits_per_sample: format.bits() as u16, sample_format };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let slices: Vec<&[f32]> = planar.iter().map(|c| &c[..]).collect();
    if format == SampleFormat::F32 {
        (0..planar[0].len()).for_each(|i| slices.iter().for_each(|c| w.write_sample(c[i]).unwrap()));
    } else {
        let mut ints = Vec::new();
        Quantizer::new(format.bits(), Dither::None, 0, 44_100, slices.len()).quantize_planar(&slices, &mut ints);
        ints.iter().for_each(|&x| w.write_sample(x).unwrap());
    }
    w.finalize().unwrap();
}

#[test]
fn invalid_tags_are_refused_before_any_file_exists() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.flac");
    let long = Bext { description: "x".repeat(257), ..Bext::default() };
    let cases = [
        (Tags::default().with(TagKey::Other("A=B".into()), "v"), "tag name `A=B` must be printable ASCII"),
        (Tags::default().with(TagKey::Other(String::new()), "v"), "tag name `` must be printable ASCII"),
        (Tags::default().with(TagKey::Title, "a\0b"), "tag `TITLE` contains a NUL"),
        (Tags::default().with_bext(long), "bext `Description` holds at most 256 bytes, got 257"),
        (
            Tags::default().with_bext(Bext { origination_date: "17/05/24".into(), ..Bext::default() }),
            "bext `OriginationDate` must be 10 ASCII characters",
        ),
    ];
    for (tags, want) in cases {
        let err = AudioWriter::create(&path, spec(Container::Flac, SampleFormat::I16, tags)).err();
        let msg = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("bad.flac") && msg.contains(want), "{msg}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
