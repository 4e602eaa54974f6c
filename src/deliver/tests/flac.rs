//! FLAC writer tests: hard signals round-trip bit-exactly through symphonia,
//! loud 24-bit audio compresses (flacenc 0.5 made it larger than the WAV),
//! and the encoder's speed (ignored by default).

use std::path::Path;

use crate::deliver::encode::{AudioWriter, EncodeSpec};
use crate::deliver::tags::Tags;
use crate::io::tests::{read_all, thread_cpu_seconds};
use crate::ir::{Container, Dither, SampleFormat};

fn spec(channels: usize, format: SampleFormat) -> EncodeSpec {
    let container = Container::Flac;
    EncodeSpec {
        rate: 48_000,
        channels,
        format,
        dither: Dither::None,
        container,
        seed: 0,
        tags: Tags::default(),
        expected_frames: 0,
    }
}

fn write(path: &Path, spec: EncodeSpec, planar: &[Vec<f32>]) {
    let mut w = AudioWriter::create(path, spec).unwrap();
    let n = planar[0].len();
    for at in (0..n).step_by(3001) {
        let block: Vec<&[f32]> = planar.iter().map(|c| &c[at..(at + 3001).min(n)]).collect();
        w.write(&block).unwrap();
    }
    w.finish().unwrap();
}

/// Deterministic noise on the 24-bit grid through a one-pole low-pass (a
/// rough pink-ish tilt), clipped to full scale: hard to predict, like a dense
/// master. `amp` 1 peaks near full scale.
fn noise(n: usize, seed: u64, amp: f64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut lp = 0.0;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let white = (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            lp = 0.9 * lp + white;
            let v = (amp * lp * 0.5 * 8_388_608.0).round().clamp(-8_388_608.0, 8_388_607.0);
            (v / 8_388_608.0) as f32
        })
        .collect()
}

#[test]
fn hard_signals_round_trip_bit_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let full = 8_388_607.0 / 8_388_608.0;
    let square: Vec<f32> = (0..9000).map(|i| if i % 2 == 0 { full } else { -1.0 }).collect();
    let steps: Vec<f32> = (0..9000).map(|i| if (i / 700) % 2 == 0 { full } else { -1.0 }).collect();
    let coarse: Vec<f32> = noise(9000, 5, 1.0).iter().map(|x| (x * 256.0).floor() / 256.0).collect();
    let cases: Vec<(&str, Vec<Vec<f32>>)> = vec![
        ("square", vec![square.clone(), steps.clone()]),
        ("opposed", vec![square.clone(), square.iter().map(|x| -x.max(-full)).collect()]),
        ("silence", vec![vec![0.0; 5000], vec![0.0; 5000]]),
        ("one", vec![vec![0.5], vec![-0.25]]),
        ("short", vec![noise(17, 1, 1.0), noise(17, 2, 1.0)]),
        ("wasted bits", vec![coarse.clone(), coarse]),
        ("loud", vec![noise(20_000, 3, 2.0), noise(20_000, 4, 2.0)]),
        ("mono", vec![noise(10_000, 6, 0.5)]),
    ];
    for (name, sig) in cases {
        let path = dir.path().join(format!("{name}.flac"));
        write(&path, spec(sig.len(), SampleFormat::I24), &sig);
        assert_eq!(read_all(&path), sig, "{name}");
    }
}

/// Blocks of 3 to 8 samples (a file's last block, say) indexed the
/// autocorrelation past the block's end and panicked.
#[test]
fn short_last_blocks_do_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    for n in (2..=9).chain([4096 + 5]) {
        let path = dir.path().join(format!("{n}.flac"));
        let sig = vec![noise(n, 13, 0.5), noise(n, 14, 0.5)];
        write(&path, spec(2, SampleFormat::I24), &sig);
        assert_eq!(read_all(&path), sig, "{n} samples");
    }
}

#[test]
fn loud_24_bit_noise_compresses() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("noise.flac");
    let n = 48_000 * 2;
    let sig = vec![noise(n, 7, 0.25), noise(n, 8, 0.25)];
    write(&path, spec(2, SampleFormat::I24), &sig);
    let size = std::fs::metadata(&path).unwrap().len();
    let wav = (n * 2 * 3) as u64;
    // The innovations are uniform over 2^20 steps: 20 bits of entropy per
    // sample, against the 24 a WAV stores (flacenc 0.5 wrote more than 24).
    assert!(size * 100 < wav * 88, "FLAC {size} bytes vs WAV {wav}");
    assert_eq!(read_all(&path), sig);
}

/// Encoder throughput on 60 s of loud stereo 24-bit noise;
/// `cargo test --lib flac_encode_speed -- --ignored --nocapture`.
#[test]
#[ignore]
fn flac_encode_speed() {
    let dir = tempfile::tempdir().unwrap();
    let n = 48_000 * 60;
    let sig = [noise(n, 9, 1.0), noise(n, 10, 1.0)];
    let mut ints = Vec::with_capacity(2 * n);
    ints.extend(sig[0].iter().zip(&sig[1]).flat_map(|(&l, &r)| [l, r]).map(|x| (x * 8_388_608.0) as i32));
    let file = std::fs::File::create(dir.path().join("speed.flac")).unwrap();
    let mut sink = crate::deliver::flac::FlacSink::new(file, 48_000, 2, 24, &Tags::default()).unwrap();
    let (t, cpu) = (std::time::Instant::now(), thread_cpu_seconds());
    for chunk in ints.chunks(2 * 4800) {
        sink.write(chunk).unwrap();
    }
    sink.finish().unwrap();
    let (wall, cpu) = (t.elapsed().as_secs_f64(), thread_cpu_seconds() - cpu);
    let rate = |s: f64| (2 * n) as f64 / s / 1e6;
    eprintln!("FLAC encode: {:.0} M samples/s of CPU time, {:.0} of wall time", rate(cpu), rate(wall));
}

/// WAV writing throughput through `AudioWriter` (quantiser included);
/// `cargo test --release --lib wav_write_speed -- --ignored --nocapture`.
#[test]
#[ignore]
fn wav_write_speed() {
    let dir = tempfile::tempdir().unwrap();
    let n = 48_000 * 60;
    let sig = [noise(n, 11, 0.5), noise(n, 12, 0.5)];
    for format in [SampleFormat::I16, SampleFormat::I24, SampleFormat::F32] {
        let spec = EncodeSpec { container: Container::Wav, dither: Dither::Tpdf, ..spec(2, format) };
        let mut w = AudioWriter::create(&dir.path().join("speed.wav"), spec).unwrap();
        let cpu = thread_cpu_seconds();
        for at in (0..n).step_by(4096) {
            let end = (at + 4096).min(n);
            w.write(&[&sig[0][at..end], &sig[1][at..end]]).unwrap();
        }
        w.finish().unwrap();
        let secs = thread_cpu_seconds() - cpu;
        eprintln!("WAV {format:?}: {:.0} M samples/s of CPU time", (2 * n) as f64 / secs / 1e6);
    }
}
