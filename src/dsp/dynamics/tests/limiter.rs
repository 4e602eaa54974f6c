//! Limiter tests: the ceiling invariant, true peaks, latency and alignment.

use super::{peak_db, run, sine, RATE};
use crate::dsp::dynamics::limiter::{Limiter, LimiterSpec};
use crate::dsp::tests::noise;
use crate::dsp::Processor;

fn limiter(ceiling: f64, lookahead: f64, true_peak: bool) -> Limiter {
    let mut p = Limiter::new(LimiterSpec { ceiling, lookahead, release: 0.05, true_peak });
    p.prepare(RATE, 2, 512);
    p
}

/// Stereo signals meant to push a limiter over its ceiling.
fn torture() -> Vec<(&'static str, Vec<Vec<f32>>)> {
    let n = 48_000;
    let loud_noise: Vec<Vec<f32>> = noise(2, n, 7).into_iter().map(|c| c.iter().map(|x| x * 10.0).collect()).collect();
    let square = |period: usize| (0..n).map(|i| if (i / period) % 2 == 0 { 1.0 } else { -1.0 }).collect::<Vec<f32>>();
    let impulses: Vec<f32> = (0..n).map(|i| if i % 997 == 0 { 8.0 } else { 0.0 }).collect();
    let burst = |f: f64| -> Vec<f32> {
        sine(f, 12.0, n, 0.3).iter().enumerate().map(|(i, x)| if (i / 2400) % 3 == 0 { *x } else { x * 0.01 }).collect()
    };
    vec![
        ("white noise +20 dB", loud_noise),
        ("square 1 frame", vec![square(1), square(1)]),
        ("square 24 frames", vec![square(24), square(7)]),
        ("square 480 frames", vec![square(480), square(480)]),
        ("impulse train", vec![impulses.clone(), vec![0.0; n]]),
        ("sine bursts 1 kHz", vec![burst(1000.0), burst(1000.0)]),
        ("sine bursts 11 kHz", vec![burst(11_025.0), burst(17_000.0)]),
        ("fs/4 at 45 degrees", vec![sine(12_000.0, 6.0, n, std::f64::consts::FRAC_PI_4); 2]),
    ]
}

#[test]
fn no_sample_ever_exceeds_the_ceiling() {
    for true_peak in [false, true] {
        for lookahead in [0.0005, 0.005, 0.02] {
            for (what, signal) in torture() {
                let mut p = limiter(-1.0, lookahead, true_peak);
                let out = run(&mut p, &signal, None, 97);
                let worst = out.iter().map(|c| peak_db(c)).fold(f64::NEG_INFINITY, f64::max);
                assert!(worst <= -1.0, "{what} (tp {true_peak}, {lookahead} s): {worst} dBFS");
                assert_eq!(p.clamped, 0, "{what}: the final clamp had to act");
            }
        }
    }
}

/// BS.1770-5 Annex 2 example interpolator (STANDARDS §1.4): phases 0 and 1;
/// phase 3 is phase 0 reversed and phase 2 is phase 1 reversed.
const P0: [f64; 12] = [
    0.0017089843750,
    0.0109863281250,
    -0.0196533203125,
    0.0332031250000,
    -0.0594482421875,
    0.1373291015625,
    0.9721679687500,
    -0.1022949218750,
    0.0476074218750,
    -0.0266113281250,
    0.0148925781250,
    -0.0083007812500,
];
const P1: [f64; 12] = [
    -0.0291748046875,
    0.0292968750000,
    -0.0517578125000,
    0.0891113281250,
    -0.1665039062500,
    0.4650878906250,
    0.7797851562500,
    -0.2003173828125,
    0.1015625000000,
    -0.0582275390625,
    0.0330810546875,
    -0.0189208984375,
];

/// True peak in dBTP by the BS.1770 4× FIR.
fn bs1770_true_peak(x: &[f32]) -> f64 {
    let rev = |p: &[f64; 12]| {
        let mut r = *p;
        r.reverse();
        r
    };
    let phases = [P0, P1, rev(&P1), rev(&P0)];
    let mut peak = 0.0f64;
    for n in 11..x.len() {
        for taps in &phases {
            let y: f64 = taps.iter().enumerate().map(|(t, h)| h * x[n - t] as f64).sum();
            peak = peak.max(y.abs());
        }
    }
    20.0 * peak.log10()
}

/// True peak in dBTP by a long (2 × 64 taps a phase) Hann-windowed sinc at 8×.
fn sinc_true_peak(x: &[f32]) -> f64 {
    const HALF: i64 = 64;
    let mut peak = 0.0f64;
    for n in HALF as usize..x.len() - HALF as usize {
        for k in 0..8 {
            let frac = k as f64 / 8.0;
            let mut y = 0.0;
            for j in -HALF + 1..=HALF {
                let u = j as f64 - frac;
                let w = 0.5 + 0.5 * (std::f64::consts::PI * u / HALF as f64).cos();
                let s = if u == 0.0 { 1.0 } else { (std::f64::consts::PI * u).sin() / (std::f64::consts::PI * u) };
                y += x[(n as i64 + j) as usize] as f64 * s * w;
            }
            peak = peak.max(y.abs());
        }
    }
    20.0 * peak.log10()
}

/// Every torture signal reads ≤ −1 dBTP on the BS.1770 meter after a −1 dBTP limiter.
#[test]
fn true_peak_stays_under_a_dbtp_ceiling_on_the_bs1770_meter() {
    let mut worst = f64::NEG_INFINITY;
    for (what, signal) in torture() {
        let mut p = limiter(-1.0, 0.005, true);
        for c in run(&mut p, &signal, None, 512) {
            let tp = bs1770_true_peak(&c);
            assert!(tp <= -1.0, "{what}: {tp} dBTP");
            worst = worst.max(tp);
        }
    }
    println!("worst on the BS.1770 meter: {worst:.3} dBTP");
}

/// Band-limited signals (nothing above 0.8·Nyquist) also read ≤ −1 dBTP on a
/// long 8× windowed sinc. Full-band signals are left out: content at the
/// very top of the band has no well-defined peak between samples (a ±1
/// alternation reads +1.2 dBTP on this sinc and −2 dBTP on BS.1770).
#[test]
fn true_peak_of_band_limited_signals_stays_under_the_ceiling_on_a_long_sinc() {
    use crate::dsp::biquad::{BiquadCascade, BiquadSpec, FilterKind};
    let mut lowpassed: Vec<Vec<f32>> =
        noise(2, 24_000, 11).into_iter().map(|c| c.iter().map(|x| x * 10.0).collect()).collect();
    let mut lp = BiquadCascade::new(&[BiquadSpec::new(FilterKind::Lowpass, 17_000.0); 6]);
    lp.prepare(RATE, 2, 24_000);
    run(&mut lp, &lowpassed.clone(), None, 24_000).clone_into(&mut lowpassed);
    let mut signals: Vec<_> =
        torture().into_iter().filter(|(what, _)| what.starts_with("sine") || what.starts_with("fs/4")).collect();
    signals.push(("noise +20 dB low-passed at 17 kHz", lowpassed));
    let mut worst = f64::NEG_INFINITY;
    for (what, signal) in signals {
        let mut p = limiter(-1.0, 0.005, true);
        for c in run(&mut p, &signal, None, 512) {
            let tp = sinc_true_peak(&c[..16_000]);
            assert!(tp <= -1.0, "{what}: {tp} dBTP");
            worst = worst.max(tp);
        }
    }
    println!("worst on the 8x sinc: {worst:.3} dBTP");
}

#[test]
fn latency_is_the_lookahead_and_quiet_audio_passes_sample_aligned() {
    for true_peak in [false, true] {
        let mut p = limiter(-1.0, 0.005, true_peak);
        assert_eq!(p.latency(), 240);
        let input: Vec<Vec<f32>> =
            noise(2, 20_000, 3).into_iter().map(|c| c.iter().map(|x| x * 0.1).collect()).collect();
        let out = run(&mut p, &input, None, 100);
        for (i, o) in input.iter().zip(&out) {
            assert!(o[..240].iter().all(|x| *x == 0.0));
            assert_eq!(&o[240..], &i[..20_000 - 240], "delayed by exactly the latency, unchanged");
        }
    }
}

#[test]
fn a_loud_sine_is_brought_to_the_ceiling_not_below() {
    let mut p = limiter(-1.0, 0.005, false);
    let input = vec![sine(1000.0, 6.0, 48_000, 0.0); 2];
    let out = run(&mut p, &input, None, 512);
    let settled = peak_db(&out[0][24_000..]);
    println!("+6 dBFS sine through a -1 dB ceiling: {settled:.4} dBFS");
    assert!(settled <= -1.0 && settled > -1.05);
}
