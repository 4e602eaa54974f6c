//! Writer tests: round trips through our own decoder, dither, temp-file safety.

use std::path::Path;

use crate::deliver::encode::{AudioWriter, EncodeSpec};
use crate::deliver::tags::Tags;
use crate::io::tests::{fixture, read_all};
use crate::ir::{Container, Dither, SampleFormat};

fn spec(format: SampleFormat, container: Container, dither: Dither) -> EncodeSpec {
    EncodeSpec {
        rate: 44_100,
        channels: 2,
        format,
        dither,
        container,
        seed: 1,
        tags: Tags::default(),
        expected_frames: 0,
    }
}

/// Writes `planar` in uneven blocks and finishes.
fn write_file(path: &Path, spec: EncodeSpec, planar: &[Vec<f32>]) {
    let mut w = AudioWriter::create(path, spec).unwrap();
    let n = planar[0].len();
    let mut at = 0;
    while at < n {
        let end = (at + 1500).min(n);
        let block: Vec<&[f32]> = planar.iter().map(|c| &c[at..end]).collect();
        w.write(&block).unwrap();
        at = end;
    }
    w.finish().unwrap();
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn lossless_round_trips_are_bit_exact() {
    let dir = tempfile::tempdir().unwrap();
    let src = read_all(&fixture("src24.wav"));
    let s16 = read_all(&fixture("s16.wav"));
    let cases = [
        ("a.wav", SampleFormat::I24, Container::Wav, &src),
        ("b.flac", SampleFormat::I24, Container::Flac, &src),
        ("c.wav", SampleFormat::F32, Container::Wav, &src),
        // 16-bit sources stay exact even with TPDF requested: auto dither.
        ("d.wav", SampleFormat::I16, Container::Wav, &s16),
        ("e.flac", SampleFormat::I16, Container::Flac, &s16),
    ];
    for (name, format, container, input) in cases {
        let path = dir.path().join(name);
        write_file(&path, spec(format, container, Dither::Tpdf), input);
        assert_eq!(&read_all(&path), input, "{name}");
    }
}

#[test]
fn dithered_16_bit_is_within_one_lsb_of_rounding() {
    let dir = tempfile::tempdir().unwrap();
    let src = read_all(&fixture("src24.wav"));
    for (name, container) in [("d.wav", Container::Wav), ("d.flac", Container::Flac)] {
        let path = dir.path().join(name);
        write_file(&path, spec(SampleFormat::I16, container, Dither::Tpdf), &src);
        let got = read_all(&path);
        let mut changed = 0;
        for (g, s) in got.iter().flatten().zip(src.iter().flatten()) {
            let (g, r) = (g * 32_768.0, (s * 32_768.0).round());
            assert!((g - r).abs() <= 1.0, "{name}: {g} vs {r}");
            changed += usize::from(g != r);
        }
        assert!(changed > 1000, "{name}: dither did not engage ({changed} changed)");
    }
}

#[test]
fn dithered_silence_has_no_dc_and_unit_peak() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("z.wav");
    let mut sig = vec![vec![0f32; 100_000]; 2];
    // One off-grid sample switches the auto dither on.
    sig[0][0] = 0.3 / 32_768.0;
    write_file(&path, spec(SampleFormat::I16, Container::Wav, Dither::Tpdf), &sig);
    let got = read_all(&path);
    let tail: Vec<f64> = got.iter().flat_map(|c| &c[1..]).map(|&x| f64::from(x) * 32_768.0).collect();
    let mean = tail.iter().sum::<f64>() / tail.len() as f64;
    assert!(tail.iter().all(|x| x.abs() <= 1.0));
    assert!(tail.iter().any(|x| *x != 0.0), "no dither noise");
    assert!(mean.abs() < 0.01, "DC {mean} LSB");
}

#[test]
fn same_seed_gives_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let src = read_all(&fixture("src24.wav"));
    let s = spec(SampleFormat::I16, Container::Flac, Dither::Tpdf);
    let (a, b, c) = (dir.path().join("a.flac"), dir.path().join("b.flac"), dir.path().join("c.flac"));
    write_file(&a, s.clone(), &src);
    write_file(&b, s.clone(), &src);
    write_file(&c, EncodeSpec { seed: 2, ..s }, &src);
    let read = |p: &Path| std::fs::read(p).unwrap();
    assert_eq!(read(&a), read(&b));
    assert_ne!(read(&a), read(&c));
}

#[test]
fn dropped_writer_leaves_target_alone() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("mix.wav");
    std::fs::write(&target, b"previous render").unwrap();
    for container in [Container::Wav, Container::Flac] {
        let mut w = AudioWriter::create(&target, spec(SampleFormat::I24, container, Dither::None)).unwrap();
        w.write(&[&[0.5; 5000], &[0.25; 5000]]).unwrap();
        assert_eq!(files_in(dir.path()).len(), 2, "temp file beside the target while writing");
        drop(w);
        assert_eq!(files_in(dir.path()), ["mix.wav"]);
        assert_eq!(std::fs::read(&target).unwrap(), b"previous render");
    }
}

#[test]
fn finish_replaces_target_and_creates_folders() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out/songs/01.flac");
    write_file(&target, spec(SampleFormat::I24, Container::Flac, Dither::None), &[vec![0.5; 10], vec![-0.5; 10]]);
    assert_eq!(read_all(&target), [vec![0.5; 10], vec![-0.5; 10]]);
    assert_eq!(files_in(&dir.path().join("out/songs")), ["01.flac"]);
    write_file(&target, spec(SampleFormat::I16, Container::Flac, Dither::None), &[vec![0.25; 3], vec![0.0; 3]]);
    assert_eq!(read_all(&target), [vec![0.25; 3], vec![0.0; 3]]);
}

#[test]
fn writer_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let flac = dir.path().join("float.flac");
    let err = AudioWriter::create(&flac, spec(SampleFormat::F32, Container::Flac, Dither::None)).err();
    let msg = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.contains("float.flac") && msg.contains("use WAV for 32-bit float"), "{msg}");
    assert!(files_in(dir.path()).is_empty());
    // A file where a folder should be.
    std::fs::write(dir.path().join("blocker"), b"").unwrap();
    let bad = dir.path().join("blocker/mix.wav");
    let msg = AudioWriter::create(&bad, spec(SampleFormat::I24, Container::Wav, Dither::None))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(msg.starts_with("cannot write `") && msg.contains("blocker/mix.wav"), "{msg}");
}

#[test]
fn clipping_saturates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hot.wav");
    write_file(&path, spec(SampleFormat::I16, Container::Wav, Dither::None), &[vec![1.5, -1.5], vec![1.0, -1.0]]);
    let got = read_all(&path);
    assert_eq!(got[0], [32_767.0 / 32_768.0, -1.0]);
    assert_eq!(got[1], [32_767.0 / 32_768.0, -1.0]);
}

/// Decode throughput of the WAV fast path against symphonia on FLAC (the bench
/// figures are for 24-bit WAV); `cargo test --lib decode_speed -- --ignored --nocapture`.
/// Set `MIXC_IO_KEEP=DIR` to keep the files for checking with other tools.
#[test]
#[ignore]
fn decode_speed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("MIXC_IO_KEEP").map_or(tmp.path().to_path_buf(), Into::into);
    let n = 48_000 * 60;
    let sig: Vec<Vec<f32>> =
        (0..2).map(|c| (0..n).map(|i| ((i * (c + 3) % 9973) as f32 / 9973.0 - 0.5) * 0.8).collect()).collect();
    for (name, container) in [("speed.wav", Container::Wav), ("speed.flac", Container::Flac)] {
        let path = dir.join(name);
        let s = EncodeSpec { rate: 48_000, ..spec(SampleFormat::I24, container, Dither::Tpdf) };
        let t = std::time::Instant::now();
        write_file(&path, s, &sig);
        let written = t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        let frames = decode_count(&path);
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(frames, n);
        let msps = (2 * n) as f64 / secs / 1e6;
        eprintln!("{name}: write {written:.3} s, decode {secs:.3} s = {msps:.0} M samples/s");
    }
}

/// Decodes into one reused 8192-frame block, as the renderer will.
fn decode_count(path: &Path) -> usize {
    let mut dec = crate::io::decode::Decoder::open(path).unwrap();
    let mut block = vec![vec![0f32; 8192]; 2];
    let mut total = 0;
    loop {
        let mut parts: Vec<&mut [f32]> = block.iter_mut().map(|b| &mut b[..]).collect();
        match dec.read(&mut parts).unwrap() {
            0 => return total,
            n => total += n,
        }
    }
}

/// A WAV file expected past 4 GiB is RF64 from its first byte (EBU Tech
/// 3306): `ds64` holds the real sizes, the 32-bit fields 0xFFFFFFFF, and it
/// reads back exactly.
#[test]
fn wav_past_4_gib_is_written_as_rf64() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.wav");
    // 1.1 G frames of 16-bit stereo: 4.4 GB expected; 1000 frames written.
    let spec = EncodeSpec { expected_frames: 1_100_000_000, ..spec(SampleFormat::I16, Container::Wav, Dither::None) };
    let planar: Vec<Vec<f32>> =
        (0..2).map(|c| (0..1000).map(|i| ((i * 7 + c) % 200) as f32 / 256.0).collect()).collect();
    let mut w = match AudioWriter::create(&path, spec) {
        Ok(w) => w,
        Err(e) if e.to_string().contains("GB free") => {
            println!("skipped: this disk has no room for a 4.4 GB file ({e})");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    let block: Vec<&[f32]> = planar.iter().map(|c| c.as_slice()).collect();
    w.write(&block).unwrap();
    w.finish().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..4], b"RF64");
    assert_eq!(&bytes[4..8], &u32::MAX.to_le_bytes());
    assert_eq!(&bytes[12..16], b"ds64");
    let u64_at = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap());
    assert_eq!(u64_at(20), bytes.len() as u64 - 8, "riffSize");
    assert_eq!(u64_at(28), 4000, "dataSize");
    assert_eq!(u64_at(36), 1000, "sampleCount");
    assert_eq!(read_all(&path), planar);
}

/// No WAV file is begun that the disk cannot hold.
#[test]
fn a_wav_file_the_disk_cannot_hold_is_not_begun() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.wav");
    let spec = EncodeSpec { expected_frames: 1 << 50, ..spec(SampleFormat::I24, Container::Wav, Dither::None) };
    let e = AudioWriter::create(&path, spec).err().expect("refused");
    assert!(e.to_string().contains("huge.wav") && e.to_string().contains("GB free"), "{e}");
    assert!(files_in(dir.path()).is_empty(), "{:?}", files_in(dir.path()));
}
