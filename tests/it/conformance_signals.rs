//! The EBU Tech 3341 / 3342 test signals, sample-identical (at 24 bit) to
//! `shared/conformance/gen_conformance.py`, with each case's checks.
//!
//! Every expression keeps the Python's operation order, so the f64 samples
//! match numpy's to the last bit or so; only the FIR window of cases 20–23
//! (power series instead of numpy's Chebyshev `i0`) and its normalising sum
//! (sequential instead of pairwise) can differ, by about 1e-16.

use std::f64::consts::PI;

pub const FS: u32 = 48_000;
const F_TONE: f64 = 1000.0;
const SILENCE_DBFS: f64 = -90.0;

/// One expectation of a case, with the tolerance Tech 3341/3342 gives it.
#[derive(Debug, Clone)]
pub enum Check {
    /// Integrated loudness (LUFS).
    I(f64),
    /// Every momentary reading from `after_s` on.
    MAfter(f64, f64),
    /// Every short-term reading from `after_s` on.
    SAfter(f64, f64),
    MaxM(f64),
    MaxS(f64),
    /// Highest momentary reading per consecutive segment of `seg_s`.
    MaxMSegments(Vec<f64>, f64),
    MaxSSegments(Vec<f64>, f64),
    Lra(f64),
    /// True peak (dBTP), +0.2 / −0.4.
    Tp(f64),
}

impl Check {
    /// (below, above) the expected value.
    pub fn tolerance(&self) -> (f64, f64) {
        match self {
            Check::Lra(_) => (1.0, 1.0),
            Check::Tp(_) => (0.4, 0.2),
            _ => (0.1, 0.1),
        }
    }
}

/// How a case's samples are made.
#[derive(Debug, Clone)]
pub enum Signal {
    /// Phase-continuous 1 kHz sine: (seconds, per-channel peak dBFS or silence);
    /// per-channel offsets in dB; a channel forced to zero (the LFE).
    Tones { segs: Vec<(f64, Option<f64>)>, offsets: Vec<f64>, zeroed: Option<usize> },
    /// Mono 997 Hz at 0 dBFS, 10 s.
    Mono997,
    /// Cases 15–19: sine at fs/`div`, amplitude, phase in degrees.
    TpSine { div: f64, amp: f64, phase_deg: f64 },
    /// Cases 20–23: made at 4·fs, low-passed, decimated with this offset.
    TpBurst(usize),
}

#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub signal: Signal,
    pub checks: Vec<Check>,
}

fn db(x: f64) -> f64 {
    10f64.powf(x / 20.0)
}

fn tones(segs: Vec<(f64, Option<f64>)>) -> Signal {
    Signal::Tones { segs, offsets: vec![0.0, 0.0], zeroed: None }
}

fn case(id: &str, signal: Signal, checks: Vec<Check>) -> Case {
    Case { id: id.to_string(), signal, checks }
}

/// Every case `gen_conformance.py` writes, in its order.
pub fn cases() -> Vec<Case> {
    let mut v = loudness_cases();
    v.extend(window_cases());
    v.extend(peak_and_range_cases());
    v
}

fn loudness_cases() -> Vec<Case> {
    let steady = |l: f64| vec![Check::I(l), Check::MAfter(l, 1.0), Check::SAfter(l, 3.0)];
    let s = |d: f64, l: f64| (d, Some(l));
    let surround = |offsets: Vec<f64>, zeroed| Signal::Tones { segs: vec![s(20.0, 0.0)], offsets, zeroed };
    vec![
        case("3341-1", tones(vec![s(20.0, -23.0)]), steady(-23.0)),
        case("3341-2", tones(vec![s(20.0, -33.0)]), steady(-33.0)),
        case("3341-3", tones(vec![s(10.0, -36.0), s(60.0, -23.0), s(10.0, -36.0)]), vec![Check::I(-23.0)]),
        case(
            "3341-4",
            tones(vec![s(10.0, -72.0), s(10.0, -36.0), s(60.0, -23.0), s(10.0, -36.0), s(10.0, -72.0)]),
            vec![Check::I(-23.0)],
        ),
        case("3341-5", tones(vec![s(20.0, -26.0), s(20.1, -20.0), s(20.0, -26.0)]), vec![Check::I(-23.0)]),
        case("3341-6", surround(vec![-28.0, -28.0, -24.0, -30.0, -30.0], None), vec![Check::I(-23.0)]),
        case("3341-6-6ch", surround(vec![-28.0, -28.0, -24.0, -300.0, -30.0, -30.0], Some(3)), vec![Check::I(-23.0)]),
        case("3341-cal", tones(vec![s(20.0, -18.0)]), steady(-18.0)),
        case("1770-997", Signal::Mono997, vec![Check::I(-3.01)]),
    ]
}

fn window_cases() -> Vec<Case> {
    let s = |d: f64, l: f64| (d, Some(l));
    let mut v =
        vec![case("3341-9", tones([s(1.34, -20.0), s(1.66, -30.0)].repeat(5)), vec![Check::SAfter(-23.0, 3.0)])];
    for i in 0..20 {
        let segs = vec![(i as f64 * 0.15, None), s(3.0, -23.0), (1.0, None)];
        v.push(case(&format!("3341-10-{}", i + 1), tones(segs), vec![Check::MaxS(-23.0)]));
    }
    let steps: Vec<f64> = (0..20).map(|i| -38.0 + i as f64).collect();
    let segs = (0..20).flat_map(|i| {
        let i = i as f64;
        [(i * 0.15, None), s(3.0, -38.0 + i), (3.0 - i * 0.15, None)]
    });
    v.push(case("3341-11", tones(segs.collect()), vec![Check::MaxSSegments(steps.clone(), 6.0)]));
    v.push(case("3341-12", tones([s(0.18, -20.0), s(0.22, -30.0)].repeat(25)), vec![Check::MAfter(-23.0, 1.0)]));
    for i in 0..20 {
        let segs = vec![(i as f64 * 0.02, None), s(0.4, -23.0), (1.0, None)];
        v.push(case(&format!("3341-13-{}", i + 1), tones(segs), vec![Check::MaxM(-23.0)]));
    }
    let segs = (0..20).flat_map(|i| {
        let i = i as f64;
        [(i * 0.02, None), s(0.4, -38.0 + i), (0.4 - i * 0.02, None)]
    });
    v.push(case("3341-14", tones(segs.collect()), vec![Check::MaxMSegments(steps, 0.8)]));
    v
}

fn peak_and_range_cases() -> Vec<Case> {
    let mut v = Vec::new();
    let sines = [(15, 4.0, 0.5, 0.0, -6.0), (16, 4.0, 0.5, 45.0, -6.0), (17, 6.0, 0.5, 60.0, -6.0)];
    let more = [(18, 8.0, 0.5, 67.5, -6.0), (19, 4.0, 1.41, 45.0, 3.0)];
    for (n, div, amp, phase_deg, expected) in sines.into_iter().chain(more) {
        let amp = if amp == 0.5 { db(-6.0) } else { 2f64.sqrt() };
        v.push(case(&format!("3341-{n}"), Signal::TpSine { div, amp, phase_deg }, vec![Check::Tp(expected)]));
    }
    for k in 0..4 {
        v.push(case(&format!("3341-{}", 20 + k), Signal::TpBurst(k), vec![Check::Tp(0.0)]));
    }
    let lra: [(&str, &[f64], f64); 4] = [
        ("3342-1", &[-20.0, -30.0], 10.0),
        ("3342-2", &[-20.0, -15.0], 5.0),
        ("3342-3", &[-40.0, -20.0], 20.0),
        ("3342-4", &[-50.0, -35.0, -20.0, -35.0, -50.0], 15.0),
    ];
    for (id, levels, expected) in lra {
        let segs = levels.iter().map(|&l| (20.0, Some(l))).collect();
        v.push(case(id, tones(segs), vec![Check::Lra(expected)]));
    }
    v
}

impl Case {
    /// The samples, planar, as `write()` in the Python hands them to the encoder
    /// (including its clip of samples over full scale).
    pub fn render(&self) -> Vec<Vec<f64>> {
        let mut chans = match &self.signal {
            Signal::Tones { segs, offsets, zeroed } => tone_sequence(segs, offsets, *zeroed),
            Signal::Mono997 => {
                vec![(0..10 * FS as usize).map(|n| (2.0 * PI * 997.0 * n as f64 / FS as f64).sin()).collect()]
            }
            Signal::TpSine { div, amp, phase_deg } => tp_sine(*div, *amp, *phase_deg),
            Signal::TpBurst(offset) => tp_burst(*offset),
        };
        let over = chans.iter().flatten().any(|x| x.abs() > 1.0);
        if over {
            let top = 1.0 - 2f64.powi(-23);
            chans.iter_mut().flatten().for_each(|x| *x = x.clamp(-1.0, top));
        }
        chans
    }
}

/// `round(dur * fs)` with Python's ties-to-even.
fn frames(seconds: f64, rate: f64) -> usize {
    (seconds * rate).round_ties_even() as usize
}

fn tone_sequence(segs: &[(f64, Option<f64>)], offsets: &[f64], zeroed: Option<usize>) -> Vec<Vec<f64>> {
    let mut amp = Vec::new();
    for &(dur, level) in segs {
        let a = db(level.unwrap_or(SILENCE_DBFS));
        amp.resize(amp.len() + frames(dur, FS as f64), a);
    }
    let mono: Vec<f64> =
        amp.iter().enumerate().map(|(n, a)| a * (2.0 * PI * F_TONE * n as f64 / FS as f64).sin()).collect();
    let mut chans: Vec<Vec<f64>> = offsets.iter().map(|&o| mono.iter().map(|x| x * db(o)).collect()).collect();
    if let Some(c) = zeroed {
        chans[c].fill(0.0);
    }
    chans
}

fn fade(n_total: usize, len: usize) -> impl Fn(usize) -> f64 {
    move |n| {
        let (n, total, len) = (n as f64, n_total as f64, len as f64);
        1f64.min((n / len).min((total - n) / len))
    }
}

fn tp_sine(div: f64, amp: f64, phase_deg: f64) -> Vec<Vec<f64>> {
    let n_total = frames(3.2, FS as f64);
    let w = fade(n_total, frames(0.1, FS as f64));
    let phase = phase_deg.to_radians();
    let x: Vec<f64> = (0..n_total).map(|n| amp * (2.0 * PI * n as f64 / div + phase).sin() * w(n)).collect();
    vec![x.clone(), x]
}

fn tp_burst(offset: usize) -> Vec<Vec<f64>> {
    const UP: usize = 4;
    let fs4 = (FS as usize * UP) as f64;
    let (burst_at, burst_len) = (289_920, UP * 4);
    let n_total = frames(3.2, fs4) + burst_len;
    let w = fade(n_total, frames(0.1, fs4));
    let mut acc = 0.0;
    let x4: Vec<f64> = (0..n_total)
        .map(|n| {
            let burst = (burst_at..burst_at + burst_len).contains(&n);
            let (freq, ampl) = if burst { (1.0 / 16.0, 1.0) } else { (1.0 / 24.0, 0.5) };
            let phase = 2.0 * PI * acc;
            acc += freq;
            ampl * phase.sin() * w(n)
        })
        .collect();
    let h = lowpass_fir(1535, 22_500.0 / fs4, 14.0);
    let d = (h.len() - 1) / 2;
    // y[i] = full convolution at i + d, only at the kept (decimated) indices.
    let y: Vec<f64> = (0..n_total / UP)
        .map(|k| {
            let i = offset + UP * k + d;
            let lo = i.saturating_sub(n_total - 1);
            (lo..h.len().min(i + 1)).map(|t| h[t] * x4[i - t]).sum()
        })
        .collect();
    vec![y.clone(), y]
}

/// Kaiser-windowed sinc, normalised to unity DC gain (numpy `lowpass_fir`).
fn lowpass_fir(taps: usize, cutoff: f64, beta: f64) -> Vec<f64> {
    let alpha = (taps - 1) as f64 / 2.0;
    let sinc = |x: f64| {
        let y = PI * if x == 0.0 { 1.0e-20 } else { x };
        y.sin() / y
    };
    let h: Vec<f64> = (0..taps)
        .map(|n| {
            let m = n as f64 - alpha;
            let kaiser = i0(beta * (1.0 - ((n as f64 - alpha) / alpha).powf(2.0)).sqrt()) / i0(beta);
            2.0 * cutoff * sinc(2.0 * cutoff * m) * kaiser
        })
        .collect();
    let sum: f64 = h.iter().sum();
    h.iter().map(|x| x / sum).collect()
}

/// Modified Bessel function of order 0 (power series; converges fast for x ≤ 20).
fn i0(x: f64) -> f64 {
    let q = x * x / 4.0;
    let (mut term, mut sum) = (1.0, 1.0);
    for k in 1..200 {
        term *= q / (k * k) as f64;
        sum += term;
        if term < sum * 1e-18 {
            break;
        }
    }
    sum
}

/// Quantises to 24 bit as the reference WAVs are written (libsndfile with
/// clipping: `lrint(x·2^31) >> 8`, a floor at 24-bit resolution), so the result
/// is sample-identical to `gen_conformance.py`'s PCM_24 files; in f32, exactly.
pub fn to_24_bit(chans: &[Vec<f64>]) -> Vec<Vec<f32>> {
    let full = 2_147_483_648.0;
    let quantise = |x: f64| {
        let s = x * full;
        let word = if s >= full - 1.0 { i32::MAX as i64 } else { s.max(-full).round_ties_even() as i64 };
        ((word >> 8) as f64 / 8_388_608.0) as f32
    };
    chans.iter().map(|c| c.iter().map(|&x| quantise(x)).collect()).collect()
}
