//! Meter behaviour beyond the EBU cases (those are in `tests/it/conformance.rs`):
//! block-size invariance, the mono convention, correlation, short files, reset.

use super::*;

const RATE: u32 = 48_000;

fn sine(frames: usize, freq: f64, amp: f64) -> Vec<f32> {
    (0..frames).map(|n| (amp * (2.0 * std::f64::consts::PI * freq * n as f64 / RATE as f64).sin()) as f32).collect()
}

fn run(channels: &[Vec<f32>], block: usize) -> Measurement {
    let mut m = Meter::new(channels.len(), RATE).expect("meter");
    let frames = channels[0].len();
    let mut start = 0;
    while start < frames {
        let end = (start + block).min(frames);
        let parts: Vec<&[f32]> = channels.iter().map(|c| &c[start..end]).collect();
        m.add(&parts);
        start = end;
    }
    m.finish()
}

fn close(a: Option<f64>, b: f64, tol: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() <= tol)
}

#[test]
fn readings_do_not_depend_on_block_length() {
    let x = sine(5 * RATE as usize, 440.0, 0.3);
    let y: Vec<f32> = x.iter().enumerate().map(|(i, v)| v * (i % 7) as f32 / 7.0).collect();
    let whole = run(&[x.clone(), y.clone()], usize::MAX);
    for block in [1, 37, 480, 4096] {
        assert_eq!(run(&[x.clone(), y.clone()], block), whole, "block {block}");
    }
}

#[test]
fn mono_is_one_channel_with_weight_one() {
    let x = sine(10 * RATE as usize, 997.0, 1.0);
    let m = run(&[x], 4800);
    assert!(close(m.integrated_lufs, -3.01, 0.01), "{:?}", m.integrated_lufs);
    assert_eq!(m.correlation, None);
}

#[test]
fn correlation_of_identical_inverted_and_silent_channels() {
    let x = sine(RATE as usize, 1000.0, 0.5);
    let inv: Vec<f32> = x.iter().map(|v| -v).collect();
    assert!(close(run(&[x.clone(), x.clone()], 1000).correlation, 1.0, 1e-12));
    assert!(close(run(&[x.clone(), inv], 1000).correlation, -1.0, 1e-12));
    assert_eq!(run(&[x.clone(), vec![0.0; x.len()]], 1000).correlation, None);
}

#[test]
fn short_programmes_have_no_windowed_readings() {
    let x = sine(RATE as usize / 4, 1000.0, 0.5);
    let m = run(&[x.clone(), x], 1000);
    assert_eq!((m.integrated_lufs, m.max_momentary_lufs, m.max_short_term_lufs), (None, None, None));
    assert_eq!(m.loudness_range_lu, None);
    assert!(close(m.sample_peak_dbfs, -6.02, 0.01));
    assert!((m.duration_s - 0.25).abs() < 1e-12);
}

#[test]
fn silence_reads_nothing() {
    let m = run(&[vec![0.0; 2 * RATE as usize]], 1000);
    assert_eq!(
        (m.integrated_lufs, m.max_momentary_lufs, m.sample_peak_dbfs, m.true_peak_dbtp),
        (None, None, None, None)
    );
}

#[test]
fn reset_returns_to_time_zero() {
    let x = sine(4 * RATE as usize, 1000.0, 0.5);
    let mut m = Meter::new(1, RATE).expect("meter");
    m.add(&[&x]);
    let first = m.finish();
    m.reset();
    m.add(&[&x]);
    assert_eq!(m.finish(), first);
}

#[test]
fn bad_layouts_are_errors() {
    assert_eq!(Meter::new(0, RATE).err(), Some(MeterError::Channels(0)));
    assert_eq!(Meter::new(17, RATE).err(), Some(MeterError::Channels(17)));
    assert_eq!(Meter::new(2, 10).err(), Some(MeterError::Rate(10)));
}
