//! Decoder tests against the fixtures in `tests/fixtures/` (see
//! `make_fixtures.sh`): every format must decode to the samples of `src24.wav`.

mod resample;

use std::fs::File;
use std::path::{Path, PathBuf};

use super::decode::{probe, Decoder};
use super::AudioError;

pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Decodes a whole file in odd-sized blocks (to cross packet boundaries).
pub(crate) fn read_all(path: &Path) -> Vec<Vec<f32>> {
    let mut dec = Decoder::open(path).unwrap_or_else(|e| panic!("{e}"));
    let ch = dec.info().channels;
    let mut out = vec![Vec::new(); ch];
    let mut block = vec![vec![0f32; 997]; ch];
    loop {
        let mut parts: Vec<&mut [f32]> = block.iter_mut().map(|b| &mut b[..]).collect();
        let n = dec.read(&mut parts).unwrap_or_else(|e| panic!("{e}"));
        if n == 0 {
            return out;
        }
        for (o, b) in out.iter_mut().zip(&block) {
            o.extend_from_slice(&b[..n]);
        }
    }
}

/// Decodes with symphonia alone (our WAV fast path bypassed).
pub(crate) fn read_symphonia(path: &Path) -> Vec<Vec<f32>> {
    let (mut reader, info) = super::symph::open(File::open(path).unwrap(), path, false).unwrap();
    let mut out = vec![Vec::new(); info.channels];
    let mut block = vec![vec![0f32; 1000]; info.channels];
    loop {
        let mut parts: Vec<&mut [f32]> = block.iter_mut().map(|b| &mut b[..]).collect();
        match reader.read(&mut parts).unwrap() {
            0 => return out,
            n => out.iter_mut().zip(&block).for_each(|(o, b)| o.extend_from_slice(&b[..n])),
        }
    }
}

/// This thread's CPU time (Linux): on a shared machine wall time mostly
/// measures the neighbours.
pub(crate) fn thread_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    stat.split_whitespace().next().and_then(|ns| ns.parse::<f64>().ok()).unwrap_or(0.0) / 1e9
}

const SOURCE_FRAMES: usize = 11_025;

fn source() -> Vec<Vec<f32>> {
    read_all(&fixture("src24.wav"))
}

fn max_diff(a: &[Vec<f32>], b: &[Vec<f32>]) -> f32 {
    assert_eq!(a.len(), b.len(), "channel count");
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| {
            assert_eq!(x.len(), y.len(), "length");
            x.iter().zip(y).map(|(p, q)| (p - q).abs())
        })
        .fold(0.0, f32::max)
}

#[test]
fn source_is_24_bit_on_grid() {
    let src = source();
    assert_eq!(src.len(), 2);
    assert_eq!(src[0].len(), SOURCE_FRAMES);
    let on_grid = |x: &f32| (x * 8_388_608.0).fract() == 0.0;
    assert!(src.iter().flatten().all(on_grid));
    assert!(src[1].iter().any(|x| x.abs() > 0.4), "fixture is not silent");
}

#[test]
fn lossless_formats_are_bit_exact() {
    let src = source();
    for name in ["ext24.wav", "s32.wav", "f32.wav", "flac24.flac", "aiff24.aiff"] {
        let got = read_all(&fixture(name));
        assert_eq!(max_diff(&src, &got), 0.0, "{name}");
    }
}

#[test]
fn reduced_depths_round_to_their_grid() {
    let src = source();
    for (name, lsb) in [("s16.wav", 1.0 / 32_768.0), ("u8.wav", 1.0 / 128.0)] {
        let got = read_all(&fixture(name));
        assert!(max_diff(&src, &got) <= lsb * 0.5 + 1e-7, "{name}");
        assert!(got.iter().flatten().all(|x| (x / lsb).fract() == 0.0), "{name} off grid");
    }
    let mono = read_all(&fixture("mono16.wav"));
    assert_eq!(mono.len(), 1);
    assert_eq!(mono[0], read_all(&fixture("s16.wav"))[0]);
}

/// Best SNR over integer lags (codecs may shift by a few samples), in dB.
fn aligned_snr(reference: &[f32], coded: &[f32], max_lag: isize) -> (f64, isize) {
    let mut best = (f64::MIN, 0);
    for lag in -max_lag..=max_lag {
        let (mut sig, mut err) = (0f64, 0f64);
        for (i, &r) in reference.iter().enumerate().skip(2000).take(reference.len() - 4000) {
            let j = i as isize + lag;
            let c = coded.get(j as usize).copied().unwrap_or(0.0);
            sig += f64::from(r).powi(2);
            err += f64::from(r - c).powi(2);
        }
        let snr = 10.0 * (sig / err.max(1e-30)).log10();
        if snr > best.0 {
            best = (snr, lag);
        }
    }
    best
}

#[test]
fn lossy_formats_match_within_codec_loss() {
    let src = source();
    for name in ["lossy.mp3", "lossy.ogg"] {
        let got = read_all(&fixture(name));
        assert_eq!(got.len(), 2, "{name}");
        // Gapless trimming: the length is the original's, give or take.
        let len_err = got[0].len().abs_diff(SOURCE_FRAMES);
        assert!(len_err <= 2, "{name}: {} frames, want {SOURCE_FRAMES}", got[0].len());
        // The chirp channel fixes the alignment unambiguously (the sine repeats).
        let (_, lag) = aligned_snr(&src[1], &got[1], 1200);
        assert_eq!(lag, 0, "{name}: offset by {lag} samples");
        for c in 0..2 {
            let (snr, _) = aligned_snr(&src[c], &got[c], 0);
            assert!(snr >= 30.0, "{name} ch {c}: SNR {snr:.1} dB");
        }
    }
}

/// Opus made by another muxer (ffmpeg's libopus wrapper): decoded by libopus
/// at 48 kHz to the source's length exactly (pre-skip and end granule
/// honoured), each channel at the source's level.
#[test]
fn opus_from_ffmpeg_decodes_to_the_source_length() {
    let info = probe(&fixture("lossy.opus"), false).unwrap();
    assert_eq!((info.channels, info.rate, info.codec.as_str()), (2, 48_000, "opus"));
    let frames = SOURCE_FRAMES * 48_000 / 44_100;
    assert_eq!(info.frames, Some(frames as u64));
    let got = read_all(&fixture("lossy.opus"));
    assert_eq!(got[0].len(), frames);
    let rms = |x: &[f32]| (x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / x.len() as f64).sqrt();
    let src = source();
    for c in 0..2 {
        let db = 20.0 * (rms(&got[c]) / rms(&src[c])).log10();
        assert!(db.abs() < 0.5, "channel {c}: {db:+.2} dB from the source");
    }
}

#[test]
fn probe_reports_header_facts() {
    let info = probe(&fixture("src24.wav"), false).unwrap();
    assert_eq!((info.channels, info.rate, info.frames), (2, 44_100, Some(SOURCE_FRAMES as u64)));
    assert_eq!((info.bits_per_sample, info.codec.as_str()), (Some(24), "pcm_s24le"));
    let flac = probe(&fixture("flac24.flac"), false).unwrap();
    assert_eq!((flac.channels, flac.frames, flac.codec.as_str()), (2, Some(SOURCE_FRAMES as u64), "flac"));
    assert_eq!(probe(&fixture("mono16.wav"), false).unwrap().channels, 1);
}

fn open_error(path: &Path) -> String {
    match Decoder::open(path) {
        Ok(_) => panic!("{} opened", path.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn missing_file_is_named() {
    let msg = open_error(Path::new("no/such/take.wav"));
    assert_eq!(msg, "cannot open `no/such/take.wav`: file not found");
}

#[test]
fn text_renamed_wav_is_not_audio() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.wav");
    std::fs::write(&path, "verse, chorus, verse\n").unwrap();
    let msg = open_error(&path);
    assert!(msg.contains("notes.wav"), "{msg}");
    assert!(msg.ends_with("not a WAV file (no `RIFF`/`WAVE` header)"), "{msg}");
}

#[test]
fn truncated_wav_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.wav");
    let bytes = std::fs::read(fixture("s16.wav")).unwrap();
    std::fs::write(&path, &bytes[..10_000]).unwrap();
    let msg = open_error(&path);
    assert!(msg.contains("cut.wav"), "{msg}");
    assert!(msg.contains("file is truncated at byte 10000"), "{msg}");
}

#[test]
fn more_than_two_channels_is_refused() {
    match Decoder::open(&fixture("six.wav")) {
        Err(AudioError::Channels { channels: 6, path }) => assert!(path.ends_with("six.wav")),
        other => panic!("{:?}", other.map(|d| d.info().clone())),
    }
}

#[test]
fn empty_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.flac");
    std::fs::write(&path, b"").unwrap();
    assert!(open_error(&path).ends_with("empty.flac`: the file is empty"));
}
