//! What delivered files hold besides the audio: the same samples in WAV and
//! FLAC, the song's metadata as tags, the loudness in the WAV's `bext` chunk.

use std::path::Path;

use symphonia::core::audio::SampleBuffer;
use symphonia::core::meta::StandardTagKey;

use crate::common::*;

const RATE: u32 = 48_000;

/// Decodes a file with symphonia alone: interleaved samples as i32 (full scale
/// 2^31), and every tag.
fn decode(path: &Path) -> (Vec<i32>, Vec<Tag>) {
    let (mut probed, tags) = probe_with_tags(path);
    let track = probed.format.default_track().expect("track").clone();
    let mut decoder = symphonia::default::get_codecs().make(&track.codec_params, &Default::default()).expect("codec");
    let mut samples = Vec::new();
    while let Ok(packet) = probed.format.next_packet() {
        let decoded = decoder.decode(&packet).expect("decode");
        let mut buf = SampleBuffer::<i32>::new(decoded.capacity() as u64, *decoded.spec());
        buf.copy_interleaved_ref(decoded);
        samples.extend_from_slice(buf.samples());
    }
    (samples, tags)
}

fn tag(tags: &[Tag], key: StandardTagKey) -> Option<&str> {
    tags.iter().find(|t| t.0 == Some(key)).map(|t| t.2.as_str())
}

fn project(master: &str) -> Project {
    let p = Project::new();
    let x = noise(3 * RATE as usize, 3, 0.3, 24);
    let y = noise(3 * RATE as usize, 4, 0.3, 24);
    p.wav_int("noise.wav", RATE, 24, &[x, y]);
    p.file(
        "song.mix",
        &format!(
            "title = \"Café Noir\"\nartist = \"The Examples\"\nalbum = \"Night Drive EP\"\nisrc = \"GBXXX2600001\"\n\
             track a {{ source = \"noise.wav\", chain = peak(1kHz, +3dB) }}\nmaster {{ {master} }}\n\
             export \"out/a16.wav\" {{ bits = 16 }}\nexport \"out/a16.flac\" {{ bits = 16 }}\n\
             export \"out/a24.wav\"\nexport \"out/a24.flac\"\n\
             export \"out/cd.wav\" {{ rate = 44.1kHz, bits = 16 }}\nexport \"out/cd.flac\" {{ rate = 44.1kHz, bits = 16 }}\n"
        ),
    );
    p
}

fn flac_equals_wav(master: &str) {
    let p = project(master);
    p.render_ok("song.mix", &[]);
    for name in ["a16", "a24", "cd"] {
        let (wav, _) = decode(&p.path(&format!("out/{name}.wav")));
        let (flac, _) = decode(&p.path(&format!("out/{name}.flac")));
        assert!(!wav.is_empty());
        assert_eq!(wav.len(), flac.len(), "{name}");
        assert!(wav == flac, "{name}: the FLAC's samples differ from the WAV's");
    }
}

#[test]
fn flac_holds_exactly_the_samples_of_the_wav() {
    flac_equals_wav("gain = -1dB");
}

#[test]
fn flac_holds_exactly_the_samples_of_the_wav_when_normalised() {
    flac_equals_wav("loudness = -16LUFS, true_peak = -1dBTP");
}

#[test]
fn song_metadata_reads_back_from_flac_and_wav() {
    let p = project("gain = 0dB");
    p.render_ok("song.mix", &[]);
    let (_, flac) = decode(&p.path("out/a24.flac"));
    assert_eq!(tag(&flac, StandardTagKey::TrackTitle), Some("Café Noir"));
    assert_eq!(tag(&flac, StandardTagKey::Artist), Some("The Examples"));
    assert_eq!(tag(&flac, StandardTagKey::Album), Some("Night Drive EP"));
    assert_eq!(tag(&flac, StandardTagKey::IdentIsrc), Some("GBXXX2600001"));
    let (_, wav) = decode(&p.path("out/a24.wav"));
    assert_eq!(tag(&wav, StandardTagKey::TrackTitle), Some("Café Noir"));
    assert_eq!(tag(&wav, StandardTagKey::Artist), Some("The Examples"));
    assert_eq!(tag(&wav, StandardTagKey::Album), Some("Night Drive EP"));
    assert!(wav.iter().any(|t| t.1 == "ISRC" && t.2 == "GBXXX2600001"), "{wav:?}");
}

/// The body of the first RIFF chunk with id `id`.
fn riff_chunk(bytes: &[u8], id: &[u8; 4]) -> Option<Vec<u8>> {
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().ok()?) as usize;
        if &bytes[at..at + 4] == id {
            return bytes.get(at + 8..at + 8 + size).map(|b| b.to_vec());
        }
        at += 8 + size + (size & 1);
    }
    None
}

/// The WAV's BWF `bext` chunk carries the delivered file's loudness (×100).
#[test]
fn wav_bext_holds_the_measured_loudness() {
    let p = project("loudness = -18LUFS, true_peak = -2dBTP");
    p.render_ok("song.mix", &[]);
    let bytes = std::fs::read(p.path("out/a24.wav")).expect("read");
    let bext = riff_chunk(&bytes, b"bext").expect("a bext chunk");
    let field = |i: usize| i16::from_le_bytes([bext[412 + 2 * i], bext[413 + 2 * i]]) as f64 / 100.0;
    assert!((field(0) + 18.0).abs() <= 0.05, "LoudnessValue {}", field(0));
    // Uniform noise has a small crest factor: at -18 LUFS it peaks near -15 dBTP.
    assert!(field(2) <= -2.0 && field(2) > -30.0, "MaxTruePeakLevel {}", field(2));
    assert!(bext.starts_with("Café Noir - The Examples".as_bytes()));
}

/// A mix over full scale in a 24-bit file: the summary says how many samples
/// the format clipped, and its figures are the clipped file's (0 dBFS peak).
#[test]
fn clipping_in_an_integer_file_is_reported() {
    let p = Project::new();
    let x = sine(48_000, RATE, 1000.0, 0.5, 24);
    p.wav_int("x.wav", RATE, 24, &[x.clone(), x.clone()]);
    p.file(
        "song.mix",
        "track a { source = \"x.wav\", gain = +12dB }\nexport \"out.wav\"\nexport \"float.wav\" { bits = 32f }\n",
    );
    let out = p.mixc(&["render", "song.mix"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    // 0.5 · 10^(12/20) ≈ 1.99: a sample clips where |sin| > 1/1.99.
    let gain = 10f64.powf(12.0 / 20.0);
    let expected = 2 * x.iter().filter(|s| (**s as f64 * gain).abs() >= 1.0).count();
    let line = stderr.lines().find(|l| l.contains("samples clipped")).expect("a clipping warning");
    let count: usize = line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("a count");
    assert!(count.abs_diff(expected) <= 4, "{count} clipped, expected about {expected}");
    assert_eq!(stderr.matches("samples clipped").count(), 1, "the float file clips nothing");
    let row = stderr.lines().find(|l| l.contains("out.wav")).expect("row");
    assert_eq!(row.split_whitespace().nth(4), Some("0.0"), "peak column of the clipped file: {row}");
}
